/*
 * Every SQL statement of the catalog service, prepared once per connection. Answers are built
 * as JSON by PostgreSQL itself (json_build_object), so a read is one round trip and no
 * parse-and-print in C. Parameters only: no SQL is ever built from input.
 */
#include "catalog.h"

#include <stdio.h>
#include <string.h>

#include "agora/err.h"

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
#define AVAIL   "COALESCE(s.on_hand - s.reserved, 0)"
/* Low stock: at most this many units left. */
#define LOW "5"

/* A product as a listing shows it: from products p, categories c and stock s. */
#define SUMMARY_FIELDS                                                                             \
    "'id', p.id, 'slug', p.slug, 'name', p.name, 'nameEn', p.name_en, 'brand', p.brand,"           \
    " 'price', p.price, 'salePrice', p.sale_price, 'currency', p.currency, 'status', p.status,"    \
    " 'category', CASE WHEN c.id IS NULL THEN NULL ELSE json_build_object('id', c.id,"             \
    " 'slug', c.slug, 'name', c.name, 'nameEn', c.name_en) END,"                                   \
    " 'imageUrl', p.images[1], 'images', to_json(p.images),"                                       \
    " 'stock', json_build_object('available', " AVAIL ", 'state', CASE WHEN " AVAIL                \
    " <= 0 THEN 'out' WHEN " AVAIL " <= " LOW " THEN 'low' ELSE 'in_stock' END),"                  \
    " 'createdAt', " TS("p.created_at") ", 'updatedAt', " TS("p.updated_at")
#define SUMMARY_JSON "json_build_object(" SUMMARY_FIELDS ")"
/* The whole product, as its own page shows it. */
#define PRODUCT_JSON                                                                               \
    "json_build_object(" SUMMARY_FIELDS ", 'description', p.description,"                          \
    " 'descriptionEn', p.description_en, 'attributes', p.attributes)"
#define JOINS                                                                                      \
    " LEFT JOIN categories c ON c.id = p.category_id LEFT JOIN stock s ON s.product_id = p.id"
/* A product named by id ($a, or NULL) or slug ($b, or NULL). */
#define BY_REF(col_id, col_slug, a, b) "(" col_id " = $" a "::bigint OR " col_slug " = $" b ")"

/*
 * A listing: $1 query, $2 category slug (and its sub-categories), $3/$4 price bounds, $5
 * status (NULL: any), $6 limit, $7 offset. One row: the total and the page as a JSON array.
 * 'MATCH' is what a query must meet and 'RANK' its score; 'M' orders the matches, 'P' the
 * same on the page's rows.
 */
#define PAGE_SQL(WITH, WHERE, RANK, M, P, LIMIT)                                                   \
    "WITH " WITH " qq AS (SELECT websearch_to_tsquery('simple', $1) AS tsq, lower($1) AS q),"      \
    " m AS (SELECT p.id, p.effective_price, p.created_at, p.sold, " RANK " AS rank"                \
    " FROM products p, qq WHERE " WHERE "),"                                                       \
    " pg AS (SELECT * FROM m ORDER BY " M " " LIMIT ")"                                            \
    " SELECT (SELECT count(*) FROM m), COALESCE((SELECT json_agg(" SUMMARY_JSON " ORDER BY " P     \
    ") FROM pg JOIN products p ON p.id = pg.id" JOINS "), '[]')"
#define LIST_SQL(MATCH, RANK, M, P)                                                                \
    PAGE_SQL("RECURSIVE cat(id) AS (SELECT id FROM categories WHERE slug = $2"                     \
             " UNION ALL SELECT k.id FROM categories k JOIN cat ON k.parent_id = cat.id),",        \
             "($5::text IS NULL OR p.status = $5)"                                                 \
             " AND ($2::text IS NULL OR p.category_id IN (SELECT id FROM cat))"                    \
             " AND ($3::bigint IS NULL OR p.effective_price >= $3::bigint)"                        \
             " AND ($4::bigint IS NULL OR p.effective_price <= $4::bigint)"                        \
             " AND ($1::text IS NULL OR " MATCH ")",                                               \
             "CASE WHEN $1::text IS NULL THEN 0 ELSE " RANK " END", M, P, "LIMIT $6 OFFSET $7")
/*
 * The search box alone ($1 query, $2 limit, $3 offset; active products, no filter): with no
 * optional clause its generic plan is as good as a custom one, so PostgreSQL plans it once
 * per connection instead of on every call (planning was three quarters of a search's time).
 */
#define SEARCH_SQL(MATCH, RANK, M, P)                                                              \
    PAGE_SQL("", "p.status = 'active' AND " MATCH, RANK, M, P, "LIMIT $2 OFFSET $3")
/* Words as written first (the full-text index alone, cheap); when that finds nothing, the
 * fuzzy pass adds trigram word similarity, which finds partial words and words with particles. */
#define EXACT      "p.search @@ qq.tsq"
#define EXACT_RANK "ts_rank(p.search, qq.tsq)"
#define FUZZY      "(p.search @@ qq.tsq OR qq.q <% p.search_name)"
#define FUZZY_RANK "ts_rank(p.search, qq.tsq) + word_similarity(qq.q, p.search_name)"
#define LIST_STMTS(NAME, M, P)                                                                     \
    {"product_list_" NAME, LIST_SQL(EXACT, EXACT_RANK, M, P), 7},                                  \
        {"product_fuzzy_" NAME, LIST_SQL(FUZZY, FUZZY_RANK, M, P), 7},                             \
        {"product_search_" NAME, SEARCH_SQL(EXACT, EXACT_RANK, M, P), 3},                          \
    {                                                                                              \
        "product_searchfz_" NAME, SEARCH_SQL(FUZZY, FUZZY_RANK, M, P), 3                           \
    }

/* Product fields in the order of struct product_in's PF_ bits: $k of a write. */
#define PRODUCT_SET(bit, col, val)                                                                 \
    col " = CASE WHEN ($3::integer & " bit ") <> 0 THEN " val " ELSE " col " END"
#define RESERVATION_JSON                                                                           \
    "SELECT json_build_object('orderId', r.order_id, 'status', r.status, 'expiresAt', " TS(        \
        "r."                                                                                       \
        "expir"                                                                                    \
        "es_"                                                                                      \
        "at") ", 'createdAt', " TS("r.created_at") ", 'updatedAt', " TS("r.updated_at") ", "       \
                                                                                        "'items'," \
                                                                                        " ("       \
                                                                                        "SELECT "  \
                                                                                        "json_"    \
                                                                                        "agg("     \
                                                                                        "json_"    \
                                                                                        "build_"   \
                                                                                        "object('" \
                                                                                        "productI" \
                                                                                        "d', "     \
                                                                                        "i."       \
                                                                                        "product_" \
                                                                                        "id,"      \
                                                                                        " 'qty', " \
                                                                                        "i.qty) "  \
                                                                                        "ORDER "   \
                                                                                        "BY "      \
                                                                                        "i."       \
                                                                                        "product_" \
                                                                                        "id) "     \
                                                                                        "FROM "    \
                                                                                        "reservat" \
                                                                                        "ion_"     \
                                                                                        "items i"  \
                                                                                        " WHERE "  \
                                                                                        "i.order_" \
                                                                                        "id = "    \
                                                                                        "r.order_" \
                                                                                        "id)) "    \
                                                                                        "FROM "    \
                                                                                        "reservat" \
                                                                                        "ions r "  \
                                                                                        "WHERE "   \
                                                                                        "r.order_" \
                                                                                        "id = $1"
#define CATEGORY_JSON                                                                              \
    "json_build_object('id', id, 'parentId', parent_id, 'slug', slug, 'name', name,"               \
    " 'nameEn', name_en, 'position', position, 'depth', depth)"
#define STOCK_JSON                                                                                 \
    "json_build_object('productId', s.product_id, 'onHand', s.on_hand, 'reserved', s.reserved,"    \
    " 'available', s.on_hand - s.reserved)"
#define IMAGES(k) "ARRAY(SELECT jsonb_array_elements_text($" k "::jsonb))"

const struct ag_db_stmt catalog_stmts[] = {
    /* The batched read (agora/batch.h): the key first; a key is an id or a slug. */
    {"product_get_many",
     "SELECT k, " PRODUCT_JSON " FROM unnest($1::text[]) k JOIN products p ON p.slug = k" JOINS
     " WHERE p.status = 'active'"
     " UNION ALL SELECT k, " PRODUCT_JSON " FROM unnest($1::text[]) k JOIN products p"
     " ON p.id = (CASE WHEN k ~ '^[0-9]{1,18}$' THEN k::bigint END)" JOINS
     " WHERE p.status = 'active'",
     1},
    {"product_get",
     "SELECT " PRODUCT_JSON " FROM products p" JOINS
     " WHERE " BY_REF("p.id", "p.slug", "1", "2") " AND ($3::boolean OR p.status = 'active')",
     3},
    LIST_STMTS("relevance", "rank DESC, sold DESC, id", "pg.rank DESC, pg.sold DESC, pg.id"),
    LIST_STMTS("price", "effective_price, id", "pg.effective_price, pg.id"),
    LIST_STMTS("price_desc", "effective_price DESC, id", "pg.effective_price DESC, pg.id"),
    LIST_STMTS("new", "created_at DESC, id DESC", "pg.created_at DESC, pg.id DESC"),
    LIST_STMTS("popular", "sold DESC, id", "pg.sold DESC, pg.id"),
    /* $1 slug … $13 attributes as in struct product_in, $14 stock on hand. */
    {"product_insert",
     "WITH p AS (INSERT INTO products (slug, name, name_en, description, description_en, brand,"
     " price, sale_price, currency, status, category_id, images, attributes) VALUES ($1, $2, $3,"
     " COALESCE($4, ''), COALESCE($5, ''), COALESCE($6, ''), $7::bigint, $8::bigint,"
     " COALESCE($9, 'KRW'), COALESCE($10, 'draft'), $11::bigint,"
     " COALESCE(" IMAGES("12") ", '{}'), COALESCE($13::jsonb, '{}')) RETURNING *),"
                               " s AS (INSERT INTO stock (product_id, on_hand) SELECT id, "
                               "COALESCE($14::integer, 0) FROM p"
                               " RETURNING *)"
                               " SELECT " PRODUCT_JSON
                               " FROM p LEFT JOIN categories c ON c.id = p.category_id"
                               " LEFT JOIN s ON s.product_id = p.id",
     14},
    /* $1 id, $2 slug (the product), $3 which fields (PF_ bits), $4 … $16 the fields. */
    {"product_update",
     "WITH p AS (UPDATE products SET " PRODUCT_SET(
         "1", "slug",
         "$4") ", " PRODUCT_SET("2", "name",
                                "$5") ", " PRODUCT_SET("4", "name_en",
                                                       "$6") ", " PRODUCT_SET("8",
                                                                              "description", "$7") ", " PRODUCT_SET("16", "description_en", "$8") ", " PRODUCT_SET("32", "brand", "$9") ", " PRODUCT_SET("64", "price", "$10::bigint") ", " PRODUCT_SET("128", "sale_price", "$11::bigint") ", " PRODUCT_SET("256",
                                                                                                                                                                                                                                                                                                             "currency", "$12") ", " PRODUCT_SET("512",
                                                                                                                                                                                                                                                                                                                                                 "status",
                                                                                                                                                                                                                                                                                                                                                 "$13") ", " PRODUCT_SET("1024",
                                                                                                                                                                                                                                                                                                                                                                         "category_id", "$14::bigint") ", " PRODUCT_SET("2048",
                                                                                                                                                                                                                                                                                                                                                                                                                        "images", IMAGES("15")) ", " PRODUCT_SET("4096", "attributes", "$16::jsonb") ", updated_at = now()"
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                     " WHERE " BY_REF(
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                         "id",
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                         "slug",
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                         "1",
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                         "2") " RETURNING *)"
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                              " SELECT " PRODUCT_JSON
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                              " FROM p" JOINS,
     16},
    {"product_archive",
     "WITH p AS (UPDATE products SET status = 'archived', updated_at = now()"
     " WHERE " BY_REF("id", "slug", "1", "2") " RETURNING *) SELECT " PRODUCT_JSON " FROM p" JOINS,
     2},
    {"stock_get",
     "SELECT " STOCK_JSON " FROM products p JOIN stock s ON s.product_id = p.id"
     " WHERE " BY_REF("p.id", "p.slug", "1", "2"),
     2},
    /* One row: whether the product exists, and the stock after (NULL when below reserved). */
    {"stock_set",
     "WITH t AS (SELECT p.id FROM products p WHERE " BY_REF(
         "p.id", "p.slug", "1",
         "2") "),"
              " s AS (UPDATE stock s SET on_hand = $3::integer, updated_at = now() FROM t"
              " WHERE s.product_id = t.id AND s.reserved <= $3::integer RETURNING s.*)"
              " SELECT (SELECT count(*) FROM t), (SELECT " STOCK_JSON " FROM s)",
     3},
    {"category_rows",
     "SELECT COALESCE(json_agg(json_build_object('id', c.id, 'parentId', c.parent_id,"
     " 'slug', c.slug, 'name', c.name, 'nameEn', c.name_en, 'position', c.position,"
     " 'depth', c.depth, 'productCount', (SELECT count(*) FROM products p"
     " WHERE p.category_id = c.id AND p.status = 'active')) ORDER BY c.depth, c.position, c.id),"
     " '[]') FROM categories c",
     0},
    {"category_id", "SELECT id FROM categories WHERE " BY_REF("id", "slug", "1", "2"), 2},
    /* $1 slug, $2 name, $3 name_en, $4 position, $5 parent slug. No row: no such parent. */
    {"category_insert",
     "INSERT INTO categories (parent_id, slug, name, name_en, position, depth)"
     " SELECT par.id, $1, $2, $3, COALESCE($4::integer, 0), COALESCE(par.depth, 0) + 1"
     " FROM (SELECT 1) one LEFT JOIN categories par ON par.slug = $5"
     " WHERE $5::text IS NULL OR par.id IS NOT NULL RETURNING " CATEGORY_JSON,
     5},
    {"category_update",
     "UPDATE categories SET slug = CASE WHEN ($3::integer & 1) <> 0 THEN $4 ELSE slug END,"
     " name = CASE WHEN ($3::integer & 2) <> 0 THEN $5 ELSE name END,"
     " name_en = CASE WHEN ($3::integer & 4) <> 0 THEN $6 ELSE name_en END,"
     " position = CASE WHEN ($3::integer & 8) <> 0 THEN $7::integer ELSE position END,"
     " updated_at = now() WHERE " BY_REF("id", "slug", "1", "2") " RETURNING " CATEGORY_JSON,
     7},
    /* One row: whether it exists, and whether it was deleted (not when anything is in it). */
    {"category_delete",
     "WITH t AS (SELECT id FROM categories WHERE " BY_REF(
         "id", "slug", "1",
         "2") "),"
              " d AS (DELETE FROM categories c USING t WHERE c.id = t.id"
              " AND NOT EXISTS (SELECT 1 FROM categories k WHERE k.parent_id = t.id)"
              " AND NOT EXISTS (SELECT 1 FROM products p WHERE p.category_id = t.id) RETURNING "
              "c.id)"
              " SELECT (SELECT count(*) FROM t), (SELECT count(*) FROM d)",
     2},
    {"reserve_insert",
     "INSERT INTO reservations (order_id, status, fingerprint, expires_at)"
     " VALUES ($1, 'held', $2, now() + make_interval(secs => $3::integer))"
     " ON CONFLICT (order_id) DO NOTHING RETURNING order_id",
     3},
    {"reserve_fingerprint", "SELECT fingerprint FROM reservations WHERE order_id = $1", 1},
    /* Locks the stock rows in product order, so that two reservations never deadlock. */
    {"reserve_lock",
     "SELECT s.product_id, s.on_hand - s.reserved, p.status FROM stock s"
     " JOIN products p ON p.id = s.product_id WHERE s.product_id = ANY ($1::bigint[])"
     " ORDER BY s.product_id FOR UPDATE OF s",
     1},
    {"reserve_apply",
     "WITH r AS (SELECT * FROM unnest($2::bigint[], $3::integer[]) r(product_id, qty)),"
     " i AS (INSERT INTO reservation_items (order_id, product_id, qty)"
     " SELECT $1, product_id, qty FROM r)"
     " UPDATE stock s SET reserved = s.reserved + r.qty, updated_at = now() FROM r"
     " WHERE s.product_id = r.product_id",
     3},
    {"reservation_get", RESERVATION_JSON, 1},
    {"reservation_status", "SELECT status FROM reservations WHERE order_id = $1", 1},
    {"reservation_commit",
     "WITH r AS (UPDATE reservations SET status = 'committed', updated_at = now()"
     " WHERE order_id = $1 AND status = 'held' RETURNING order_id),"
     " i AS (SELECT ri.product_id, ri.qty FROM reservation_items ri JOIN r USING (order_id)),"
     " s AS (UPDATE stock s SET on_hand = s.on_hand - i.qty, reserved = s.reserved - i.qty,"
     " sold_pending = s.sold_pending + i.qty, updated_at = now() FROM i"
     " WHERE s.product_id = i.product_id RETURNING 1) SELECT count(*) FROM r",
     1},
    {"reservation_release",
     "WITH r AS (UPDATE reservations SET status = 'released', updated_at = now()"
     " WHERE order_id = $1 AND status = 'held' RETURNING order_id),"
     " i AS (SELECT ri.product_id, ri.qty FROM reservation_items ri JOIN r USING (order_id)),"
     " s AS (UPDATE stock s SET reserved = s.reserved - i.qty, updated_at = now() FROM i"
     " WHERE s.product_id = i.product_id RETURNING 1) SELECT count(*) FROM r",
     1},
    {"reservation_return",
     "WITH r AS (UPDATE reservations SET status = 'returned', updated_at = now()"
     " WHERE order_id = $1 AND status = 'committed' RETURNING order_id),"
     " i AS (SELECT ri.product_id, ri.qty FROM reservation_items ri JOIN r USING (order_id)),"
     " s AS (UPDATE stock s SET on_hand = s.on_hand + i.qty,"
     " sold_pending = s.sold_pending - i.qty, updated_at = now() FROM i"
     " WHERE s.product_id = i.product_id RETURNING 1) SELECT count(*) FROM r",
     1},
    /* Units sold lately (stock.sold_pending) into products.sold, for the "popular" order. */
    {"sold_fold",
     "WITH t AS (SELECT product_id, sold_pending AS n FROM stock WHERE sold_pending <> 0"
     " ORDER BY product_id FOR UPDATE SKIP LOCKED),"
     " z AS (UPDATE stock s SET sold_pending = s.sold_pending - t.n FROM t"
     " WHERE s.product_id = t.product_id),"
     " p AS (UPDATE products p SET sold = greatest(p.sold + t.n, 0) FROM t"
     " WHERE p.id = t.product_id RETURNING 1) SELECT count(*) FROM p",
     0},
    /* Held past their time: released as 'expired', a bounded batch per run; replicas running
     * the sweep together skip each other's rows. */
    {"reservations_expire",
     "WITH r AS (UPDATE reservations SET status = 'expired', updated_at = now()"
     " WHERE order_id IN (SELECT order_id FROM reservations WHERE status = 'held'"
     " AND expires_at < now() ORDER BY expires_at LIMIT 500 FOR UPDATE SKIP LOCKED)"
     " RETURNING order_id),"
     " i AS (SELECT ri.product_id, sum(ri.qty)::integer AS qty FROM reservation_items ri"
     " JOIN r USING (order_id) GROUP BY ri.product_id),"
     " s AS (UPDATE stock s SET reserved = s.reserved - i.qty, updated_at = now() FROM i"
     " WHERE s.product_id = i.product_id RETURNING 1) SELECT count(*) FROM r",
     0},
    {"seed_empty",
     "SELECT NOT EXISTS (SELECT 1 FROM products) AND NOT EXISTS (SELECT 1 FROM categories)", 0},
    {"seed_category",
     "INSERT INTO categories (parent_id, slug, name, name_en, position, depth)"
     " VALUES ((SELECT id FROM categories WHERE slug = $5), $1, $2, $3, $4::integer,"
     " $6::integer)",
     6},
    /* As product_insert, with $15 units sold and $16 the age in days. */
    {"seed_product",
     "WITH p AS (INSERT INTO products (slug, name, name_en, description, description_en, brand,"
     " price, sale_price, currency, status, category_id, images, attributes, sold, created_at,"
     " updated_at) VALUES ($1, $2, $3, COALESCE($4, ''), COALESCE($5, ''), COALESCE($6, ''),"
     " $7::bigint, $8::bigint, COALESCE($9, 'KRW'), COALESCE($10, 'active'),"
     " (SELECT id FROM categories WHERE slug = $11), COALESCE(" IMAGES(
         "12") ", '{}'),"
               " COALESCE($13::jsonb, '{}'), $15::bigint, now() - make_interval(days => "
               "$16::integer),"
               " now() - make_interval(days => $16::integer)) RETURNING id)"
               " INSERT INTO stock (product_id, on_hand) SELECT id, COALESCE($14::integer, 0) FROM "
               "p",
     16},
};
const size_t catalog_nstmts = sizeof(catalog_stmts) / sizeof(catalog_stmts[0]);

/* The two parameters that name a product or category: its id, or its slug. */
static void
ref_params(const char *ref, const char **id, const char **slug)
{
    struct ag_str s = {ref, strlen(ref)};
    int is_id = catalog_ref_is_id(s);
    *id = is_id ? ref : NULL;
    *slug = is_id ? NULL : ref;
}

/* A compact, NUL-terminated copy of JSON text in 'a'. */
static char *
compact_copy(struct ag_arena *a, const char *json, size_t n, size_t *len)
{
    char *s = ag_arena_alloc(a, n + 1);
    *len = catalog_json_compact(s, json, n);
    s[*len] = '\0';
    return s;
}

/* Runs a statement whose one row's column 'c' is JSON text: AG_ENOTFOUND when no row or NULL. */
static int
exec_json(struct ag_arena *a, PGconn *db, const char *name, int n, const char *const *params, int c,
          const char **out, size_t *len)
{
    PGresult *res;
    int rc = ag_db_exec(db, name, n, params, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    if (PQntuples(res) == 0 || PQgetisnull(res, 0, c)) {
        rc = AG_ENOTFOUND;
    } else {
        *out = compact_copy(a, PQgetvalue(res, 0, c), (size_t)PQgetlength(res, 0, c), len);
    }
    PQclear(res);
    return rc;
}

/* Runs a statement whose one row's first column is a count. */
static int
exec_count(PGconn *db, const char *name, int n, const char *const *params, long long *count)
{
    PGresult *res;
    int rc = ag_db_exec(db, name, n, params, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    *count = PQntuples(res) > 0 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);
    return 0;
}

int
store_product_get(struct ag_arena *a, PGconn *db, const char *ref, int any_status, const char **out,
                  size_t *len)
{
    const char *p[3];
    ref_params(ref, &p[0], &p[1]);
    p[2] = any_status ? "true" : "false";
    return exec_json(a, db, "product_get", 3, p, 0, out, len);
}

/* Per sort: the listing's statements, exact then fuzzy, then the search box's. */
#define SORT_STMTS(NAME)                                                                           \
    {                                                                                              \
        "product_list_" NAME, "product_fuzzy_" NAME, "product_search_" NAME,                       \
            "product_searchfz_" NAME                                                               \
    }
static const char *const list_stmts[][4] = {
    [CATALOG_SORT_RELEVANCE] = SORT_STMTS("relevance"),
    [CATALOG_SORT_PRICE] = SORT_STMTS("price"),
    [CATALOG_SORT_PRICE_DESC] = SORT_STMTS("price_desc"),
    [CATALOG_SORT_NEW] = SORT_STMTS("new"),
    [CATALOG_SORT_POPULAR] = SORT_STMTS("popular"),
};

int
store_product_list(struct ag_arena *a, PGconn *db, const struct catalog_query *q, const char **out,
                   size_t *len)
{
    PGresult *res;
    const char *p[7] = {
        q->q,
        q->category,
        q->min_price >= 0 ? ag_arena_printf(a, "%lld", q->min_price) : NULL,
        q->max_price >= 0 ? ag_arena_printf(a, "%lld", q->max_price) : NULL,
        q->status,
        ag_arena_printf(a, "%lld", q->size),
        ag_arena_printf(a, "%lld", (q->page - 1) * q->size),
    };
    int plain = q->q != NULL && q->category == NULL && q->min_price < 0 && q->max_price < 0 &&
                q->status != NULL && strcmp(q->status, "active") == 0;
    const char *const *stmt = list_stmts[q->sort] + (plain ? 2 : 0);
    const char *sp[3] = {q->q, p[5], p[6]};
    const char *const *params = plain ? sp : p;
    int n = plain ? 3 : 7;
    int rc = ag_db_exec(db, stmt[0], n, params, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    long long total = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    if (total == 0 && q->q != NULL) {
        PQclear(res);
        rc = ag_db_exec(db, stmt[1], n, params, NULL, &res, NULL);
        if (rc < 0) {
            return rc;
        }
        total = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    }
    size_t len_items;
    const char *items =
        compact_copy(a, PQgetvalue(res, 0, 1), (size_t)PQgetlength(res, 0, 1), &len_items);
    long long pages = (total + q->size - 1) / q->size;
    char *data = ag_arena_printf(a,
                                 "{\"items\":%s,\"total\":%lld,\"page\":%lld,\"size\":%lld,"
                                 "\"pages\":%lld}",
                                 items, total, q->page, q->size, pages);
    PQclear(res);
    *out = data;
    *len = strlen(data);
    return 0;
}

/* The 13 fields of a product write, in statement order ($k … $k+12). */
static void
product_params(const struct product_in *in, const char **p)
{
    p[0] = in->slug;
    p[1] = in->name;
    p[2] = in->name_en;
    p[3] = in->description;
    p[4] = in->description_en;
    p[5] = in->brand;
    p[6] = in->price;
    p[7] = in->sale_price;
    p[8] = in->currency;
    p[9] = in->status;
    p[10] = in->category;
    p[11] = in->images;
    p[12] = in->attributes;
}

int
store_product_insert(struct ag_arena *a, PGconn *db, const struct product_in *in, const char **out,
                     size_t *len)
{
    const char *p[14];
    product_params(in, p);
    p[13] = in->stock;
    return exec_json(a, db, "product_insert", 14, p, 0, out, len);
}

int
store_product_update(struct ag_arena *a, PGconn *db, const char *ref, const struct product_in *in,
                     const char **out, size_t *len)
{
    const char *p[16];
    ref_params(ref, &p[0], &p[1]);
    p[2] = ag_arena_printf(a, "%u", in->has);
    product_params(in, p + 3);
    return exec_json(a, db, "product_update", 16, p, 0, out, len);
}

int
store_product_archive(struct ag_arena *a, PGconn *db, const char *ref, const char **out,
                      size_t *len)
{
    const char *p[2];
    ref_params(ref, &p[0], &p[1]);
    return exec_json(a, db, "product_archive", 2, p, 0, out, len);
}

int
store_stock_get(struct ag_arena *a, PGconn *db, const char *ref, const char **out, size_t *len)
{
    const char *p[2];
    ref_params(ref, &p[0], &p[1]);
    return exec_json(a, db, "stock_get", 2, p, 0, out, len);
}

int
store_stock_set(struct ag_arena *a, PGconn *db, const char *ref, const char *on_hand,
                const char **out, size_t *len)
{
    PGresult *res;
    const char *p[3];
    ref_params(ref, &p[0], &p[1]);
    p[2] = on_hand;
    int rc = ag_db_exec(db, "stock_set", 3, p, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    if (strcmp(PQgetvalue(res, 0, 0), "0") == 0) {
        rc = AG_ENOTFOUND;
    } else if (PQgetisnull(res, 0, 1)) {
        rc = AG_ECONFLICT; /* below what is reserved */
    } else {
        *out = compact_copy(a, PQgetvalue(res, 0, 1), (size_t)PQgetlength(res, 0, 1), len);
    }
    PQclear(res);
    return rc;
}

int
store_category_rows(PGconn *db, json_t **out)
{
    PGresult *res;
    int rc = ag_db_exec(db, "category_rows", 0, NULL, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    *out = json_loadb(PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0), 0, NULL);
    PQclear(res);
    return *out != NULL ? 0 : AG_EINTERNAL;
}

int
store_category_id(PGconn *db, const char *ref, long long *id)
{
    PGresult *res;
    const char *p[2];
    ref_params(ref, &p[0], &p[1]);
    int rc = ag_db_exec(db, "category_id", 2, p, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    if (PQntuples(res) == 0) {
        rc = AG_ENOTFOUND;
    } else {
        *id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    }
    PQclear(res);
    return rc;
}

int
store_category_insert(struct ag_arena *a, PGconn *db, const struct category_in *c, const char **out,
                      size_t *len)
{
    const char *p[5] = {c->slug, c->name, c->name_en, c->position, c->parent};
    return exec_json(a, db, "category_insert", 5, p, 0, out, len);
}

int
store_category_update(struct ag_arena *a, PGconn *db, const char *ref, const struct category_in *c,
                      const char **out, size_t *len)
{
    const char *p[7];
    ref_params(ref, &p[0], &p[1]);
    p[2] = ag_arena_printf(a, "%u", c->has);
    p[3] = c->slug;
    p[4] = c->name;
    p[5] = c->name_en;
    p[6] = c->position;
    return exec_json(a, db, "category_update", 7, p, 0, out, len);
}

int
store_category_delete(PGconn *db, const char *ref)
{
    PGresult *res;
    const char *p[2];
    ref_params(ref, &p[0], &p[1]);
    int rc = ag_db_exec(db, "category_delete", 2, p, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    if (strcmp(PQgetvalue(res, 0, 0), "0") == 0) {
        rc = AG_ENOTFOUND;
    } else if (strcmp(PQgetvalue(res, 0, 1), "0") == 0) {
        rc = AG_ECONFLICT; /* it has sub-categories or products */
    }
    PQclear(res);
    return rc;
}

/* "{1,2,3}": a PostgreSQL array literal of the items' ids or quantities. */
static const char *
items_array(struct ag_arena *a, const struct reservation_item *items, size_t n, int qty)
{
    size_t cap = 2 + n * 21;
    char *s = ag_arena_alloc(a, cap);
    size_t at = 0;
    s[at++] = '{';
    for (size_t i = 0; i < n; i++) {
        at += (size_t)snprintf(s + at, cap - at, "%s%lld", i > 0 ? "," : "",
                               qty ? items[i].qty : items[i].product_id);
    }
    s[at++] = '}';
    s[at] = '\0';
    return s;
}

/*
 * Every item's stock is locked (in product order) and checked before any is taken: either
 * all are reserved or none. '*shortfall' lists what is missing (the caller releases it).
 */
static int
reserve_check(struct ag_arena *a, PGconn *db, const struct reservation_in *r, json_t **shortfall)
{
    PGresult *res;
    const char *p[1] = {items_array(a, r->items, r->nitems, 0)};
    int rc = ag_db_exec(db, "reserve_lock", 1, p, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    int rows = PQntuples(res), row = 0;
    json_t *missing = json_array();
    for (size_t i = 0; i < r->nitems; i++) {
        long long id = r->items[i].product_id, available = 0;
        const char *status = "missing";
        if (row < rows && strtoll(PQgetvalue(res, row, 0), NULL, 10) == id) {
            available = strtoll(PQgetvalue(res, row, 1), NULL, 10);
            status = PQgetvalue(res, row, 2);
            row++;
        }
        if (strcmp(status, "active") != 0 || available < r->items[i].qty) {
            json_array_append_new(
                missing, json_pack("{s:I,s:I,s:I,s:s}", "productId", (json_int_t)id, "requested",
                                   (json_int_t)r->items[i].qty, "available",
                                   (json_int_t)(strcmp(status, "active") == 0 ? available : 0),
                                   "status", status));
        }
    }
    PQclear(res);
    if (json_array_size(missing) > 0) {
        *shortfall = missing;
        return AG_ECONFLICT;
    }
    json_decref(missing);
    return 0;
}

int
store_reserve(struct ag_arena *a, PGconn *db, const struct reservation_in *r, const char **out,
              size_t *len, int *created, json_t **shortfall)
{
    PGresult *res;
    const char *ttl = ag_arena_printf(a, "%lld", r->ttl_s);
    const char *p[3] = {r->order_id, r->fingerprint, ttl};

    *created = 0;
    int rc = ag_db_exec(db, "reserve_insert", 3, p, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    int fresh = PQntuples(res) == 1;
    PQclear(res);
    if (!fresh) {
        /* A retry: the same items answer what the first call made; other items are refused. */
        rc = ag_db_exec(db, "reserve_fingerprint", 1, p, NULL, &res, NULL);
        if (rc < 0) {
            return rc;
        }
        int same = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), r->fingerprint) == 0;
        PQclear(res);
        if (!same) {
            return AG_EIDEMMISMATCH;
        }
        return store_reservation_get(a, db, r->order_id, out, len);
    }
    rc = reserve_check(a, db, r, shortfall);
    if (rc < 0) {
        return rc;
    }
    const char *q[3] = {r->order_id, items_array(a, r->items, r->nitems, 0),
                        items_array(a, r->items, r->nitems, 1)};
    rc = ag_db_exec(db, "reserve_apply", 3, q, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    PQclear(res);
    *created = 1;
    return store_reservation_get(a, db, r->order_id, out, len);
}

int
store_reservation_get(struct ag_arena *a, PGconn *db, const char *order_id, const char **out,
                      size_t *len)
{
    const char *p[1] = {order_id};
    return exec_json(a, db, "reservation_get", 1, p, 0, out, len);
}

int
store_reservation_finish(struct ag_arena *a, PGconn *db, const char *order_id,
                         enum reservation_end end, const char **out, size_t *len)
{
    static const char *const stmts[] = {
        [RESERVATION_COMMIT] = "reservation_commit",
        [RESERVATION_RELEASE] = "reservation_release",
        [RESERVATION_RETURN] = "reservation_return",
    };
    static const char *const states[] = {
        [RESERVATION_COMMIT] = "committed",
        [RESERVATION_RELEASE] = "released",
        [RESERVATION_RETURN] = "returned",
    };
    PGresult *res;
    const char *p[1] = {order_id};
    long long changed;

    int rc = exec_count(db, stmts[end], 1, p, &changed);
    if (rc < 0) {
        return rc;
    }
    if (changed == 0) {
        /* Not held: fine when it already is what was asked (a retry), refused otherwise. */
        rc = ag_db_exec(db, "reservation_status", 1, p, NULL, &res, NULL);
        if (rc < 0) {
            return rc;
        }
        const char *now = PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : NULL;
        if (now == NULL) {
            rc = AG_ENOTFOUND;
        } else if (strcmp(now, states[end]) != 0 &&
                   (end != RESERVATION_RELEASE || strcmp(now, "expired") != 0)) {
            rc = AG_ECONFLICT;
        }
        PQclear(res);
        if (rc < 0) {
            return rc;
        }
    }
    return store_reservation_get(a, db, order_id, out, len);
}

int
store_reservations_expire(PGconn *db, long long *n)
{
    return exec_count(db, "reservations_expire", 0, NULL, n);
}

int
store_sold_fold(PGconn *db, long long *n)
{
    return exec_count(db, "sold_fold", 0, NULL, n);
}

int
store_seed_begin(PGconn *db, int reset, int *empty)
{
    PGresult *res;
    int rc = 0;
    if (reset) {
        rc = ag_db_command(db, "TRUNCATE reservation_items, reservations, stock, products,"
                               " categories RESTART IDENTITY");
    }
    if (rc == 0) {
        rc = ag_db_exec(db, "seed_empty", 0, NULL, NULL, &res, NULL);
    }
    if (rc == 0) {
        *empty = PQgetvalue(res, 0, 0)[0] == 't';
        PQclear(res);
    }
    return rc;
}

int
store_seed_category(PGconn *db, const struct category_in *c, int depth)
{
    PGresult *res;
    char d[8];
    snprintf(d, sizeof(d), "%d", depth);
    const char *p[6] = {c->slug, c->name, c->name_en, c->position, c->parent, d};
    int rc = ag_db_exec(db, "seed_category", 6, p, NULL, &res, NULL);
    if (rc == 0) {
        PQclear(res);
    }
    return rc;
}

int
store_seed_product(PGconn *db, const struct product_in *in, const char *popularity,
                   const char *age_days)
{
    PGresult *res;
    const char *p[16];
    product_params(in, p);
    p[13] = in->stock;
    p[14] = popularity;
    p[15] = age_days;
    int rc = ag_db_exec(db, "seed_product", 16, p, NULL, &res, NULL);
    if (rc == 0) {
        PQclear(res);
    }
    return rc;
}
