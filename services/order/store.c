/*
 * Every SQL statement of the order service, prepared once per connection. Parameters only:
 * no SQL is ever built from input.
 */
#include "order.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agora/err.h"
#include "agora/events.h"
#include "agora/json.h"

/* The end of a timestamp's text: to_char(<column> AT TIME ZONE 'UTC', " TSF. */
#define TSF "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
/* What the saga reasons about (struct order_row), from orders o. */
#define ROW_COLS                                                                                   \
    "o.id, o.owner, o.status, o.step, o.refund_to, o.stock_committed, o.total, o.currency,"        \
    " o.payment_id, o.reason"
#define ITEMS_JSON                                                                                 \
    "(SELECT COALESCE(json_agg(json_build_object('productId', i.product_id, 'name', i.name,"       \
    " 'nameEn', i.name_en, 'imageUrl', i.image_url, 'unitPrice', i.unit_price, 'qty', i.qty,"      \
    " 'lineTotal', i.unit_price * i.qty) ORDER BY i.position, i.product_id), '[]')"                \
    " FROM order_items i WHERE i.order_id = o.id)"
#define ORDER_JSON                                                                                 \
    "json_build_object('id', o.id, 'owner', o.owner, 'status', o.status, 'step', o.step,"          \
    " 'reason', o.reason, 'subtotal', o.subtotal, 'shippingFee', o.shipping_fee, 'total',"         \
    " o.total, 'currency', o.currency, 'itemCount', o.item_count, 'address', o.address,"           \
    " 'paymentId', o.payment_id, 'card', o.card, 'items', " ITEMS_JSON ","                         \
    " 'createdAt', to_char(o.created_at AT TIME ZONE 'UTC', " TSF ","                              \
    " 'updatedAt', to_char(o.updated_at AT TIME ZONE 'UTC', " TSF ","                              \
    " 'paidAt', to_char(o.paid_at AT TIME ZONE 'UTC', " TSF ","                                    \
    " 'shippedAt', to_char(o.shipped_at AT TIME ZONE 'UTC', " TSF ","                              \
    " 'deliveredAt', to_char(o.delivered_at AT TIME ZONE 'UTC', " TSF ","                          \
    " 'cancelledAt', to_char(o.cancelled_at AT TIME ZONE 'UTC', " TSF ","                          \
    " 'refundedAt', to_char(o.refunded_at AT TIME ZONE 'UTC', " TSF ")"
#define HISTORY_JSON                                                                               \
    "(SELECT json_agg(json_build_object('from', e.from_status, 'to', e.to_status, 'reason',"       \
    " e.reason, 'at', to_char(e.created_at AT TIME ZONE 'UTC', " TSF ") ORDER BY e.id)"            \
    " FROM order_events e WHERE e.order_id = o.id)"
/* The time of the state an order_move enters ($3), kept for the ones it does not. */
#define AT_STAMPS                                                                                  \
    " paid_at = CASE WHEN $3 = 'PAID' THEN now() ELSE paid_at END,"                                \
    " shipped_at = CASE WHEN $3 = 'SHIPPED' THEN now() ELSE shipped_at END,"                       \
    " delivered_at = CASE WHEN $3 = 'DELIVERED' THEN now() ELSE delivered_at END,"                 \
    " cancelled_at = CASE WHEN $3 = 'CANCELLED' THEN now() ELSE cancelled_at END,"                 \
    " refunded_at = CASE WHEN $3 = 'REFUNDED' THEN now() ELSE refunded_at END,"

const struct ag_db_stmt order_stmts[] = {
    {"cart_lines",
     "SELECT product_id, qty FROM cart_items WHERE owner = $1 ORDER BY added_at, product_id"
     " LIMIT $2::int",
     2},
    {"cart_qty", "SELECT qty FROM cart_items WHERE owner = $1 AND product_id = $2::bigint", 2},
    {"cart_update",
     "UPDATE cart_items SET qty = $3::int, updated_at = now()"
     " WHERE owner = $1 AND product_id = $2::bigint RETURNING 1",
     3},
    /* A new line only while the cart has fewer than $4 lines (a soft limit under races). */
    {"cart_insert",
     "INSERT INTO cart_items (owner, product_id, qty) SELECT $1, $2::bigint, $3::int"
     " WHERE (SELECT count(*) FROM cart_items WHERE owner = $1) < $4::int"
     " ON CONFLICT (owner, product_id) DO UPDATE SET qty = EXCLUDED.qty, updated_at = now()"
     " RETURNING 1",
     4},
    {"cart_remove", "DELETE FROM cart_items WHERE owner = $1 AND product_id = $2::bigint", 2},
    {"cart_clear", "DELETE FROM cart_items WHERE owner = $1", 1},
    /* $1 id, $2 owner, $3 key, $4 fingerprint, $5 subtotal, $6 fee, $7 currency, $8 count,
     * $9 address, $10 lease, $11 items [{productId, name, nameEn, imageUrl, unitPrice, qty,
     * position}].
     * No row: the owner has an order under that key. */
    {"order_insert",
     "WITH o AS (INSERT INTO orders (id, owner, idem_key, fingerprint, subtotal, shipping_fee,"
     " total, currency, item_count, address, lease_until) VALUES ($1, $2, $3, $4, $5::bigint,"
     " $6::bigint, $5::bigint + $6::bigint, $7, $8::integer, $9::jsonb,"
     " now() + make_interval(secs => $10::integer)) ON CONFLICT (owner, idem_key) DO NOTHING"
     " RETURNING id),"
     " i AS (INSERT INTO order_items (order_id, product_id, name, name_en, image_url,"
     " unit_price, qty, position) SELECT o.id, x.\"productId\", x.name, x.\"nameEn\","
     " x.\"imageUrl\", x.\"unitPrice\", x.qty, x.position FROM o,"
     " jsonb_to_recordset($11::jsonb) AS x(\"productId\" bigint, name text, \"nameEn\" text,"
     " \"imageUrl\" text, \"unitPrice\" bigint, qty integer, position smallint))"
     " SELECT id FROM o",
     11},
    {"order_by_key",
     "SELECT " ROW_COLS ", o.fingerprint FROM orders o WHERE o.owner = $1"
     " AND o.idem_key = $2",
     2},
    {"order_row", "SELECT " ROW_COLS " FROM orders o WHERE o.id = $1", 1},
    /* $1 id, $2 step now, $3 status, $4 step, $5 refund_to, $6 reason, $7 payment id, $8 card,
     * $9 stock committed, $10 lease, $11 status now, $12 take what was bought out of the cart
     * (what was added to it meanwhile stays). */
    {"order_move",
     "WITH u AS (UPDATE orders SET status = $3, step = $4, refund_to = $5,"
     " reason = COALESCE($6, reason), payment_id = COALESCE($7, payment_id),"
     " card = COALESCE($8::jsonb, card), stock_committed = stock_committed OR $9::boolean,"
     " lease_until = CASE WHEN $10::integer > 0 THEN now() + make_interval(secs => $10::integer)"
     " ELSE lease_until END," AT_STAMPS " updated_at = now()"
     " WHERE id = $1 AND step = $2 AND status = $11 RETURNING id, owner),"
     " c AS (DELETE FROM cart_items ci USING u, order_items oi WHERE $12::boolean"
     " AND ci.owner = u.owner AND oi.order_id = u.id AND ci.product_id = oi.product_id"
     " AND ci.qty <= oi.qty),"
     " d AS (UPDATE cart_items ci SET qty = ci.qty - oi.qty, updated_at = now()"
     " FROM u, order_items oi WHERE $12::boolean AND ci.owner = u.owner AND oi.order_id = u.id"
     " AND ci.product_id = oi.product_id AND ci.qty > oi.qty)"
     " SELECT count(*) FROM u",
     12},
    {"orders_due",
     "UPDATE orders o SET lease_until = now() + make_interval(secs => $1::integer)"
     " FROM (SELECT id FROM orders WHERE step <> 'done' AND lease_until < now()"
     " ORDER BY lease_until LIMIT $2::integer FOR UPDATE SKIP LOCKED) d WHERE o.id = d.id"
     " RETURNING " ROW_COLS,
     2},
    {"order_json",
     "SELECT " ORDER_JSON "::jsonb || jsonb_build_object('history', " HISTORY_JSON ")"
     " FROM orders o WHERE o.id = $1 AND ($2::text IS NULL OR o.owner = $2)",
     2},
    /* $1 owner or NULL, $2 status or NULL, $3 page, $4 size. */
    {"orders_page",
     "WITH f AS (SELECT * FROM orders WHERE ($1::text IS NULL OR owner = $1)"
     " AND ($2::text IS NULL OR status = $2)),"
     " p AS (SELECT * FROM f o ORDER BY o.created_at DESC, o.id DESC"
     " LIMIT $4::integer OFFSET ($3::integer - 1) * $4::integer),"
     " n AS (SELECT count(*) AS total FROM f)"
     " SELECT json_build_object('items', COALESCE((SELECT json_agg(" ORDER_JSON
     " ORDER BY o.created_at DESC, o.id DESC) FROM p o), '[]'), 'total', n.total, 'page',"
     " $3::integer, 'size', $4::integer, 'pages', (n.total + $4::integer - 1) / $4::integer)"
     " FROM n",
     4},
    {"outbox_take", AG_OUTBOX_TAKE_SQL, 1},
};
const size_t order_nstmts = sizeof(order_stmts) / sizeof(order_stmts[0]);

int
store_cart_lines(PGconn *db, const char *owner, struct cart_line *lines, size_t *n)
{
    char limit[16];
    PGresult *res;

    snprintf(limit, sizeof(limit), "%d", ORDER_CART_LINES_MAX);
    const char *v[] = {owner, limit};
    int rc = ag_db_exec(db, "cart_lines", 2, v, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    *n = 0;
    for (int i = 0; i < PQntuples(res) && *n < ORDER_CART_LINES_MAX; i++) {
        lines[*n].product_id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
        lines[*n].qty = strtoll(PQgetvalue(res, i, 1), NULL, 10);
        (*n)++;
    }
    PQclear(res);
    return 0;
}

int
store_cart_qty(PGconn *db, const char *owner, long long product_id, long long *qty)
{
    char id[24];
    PGresult *res;

    snprintf(id, sizeof(id), "%lld", product_id);
    const char *v[] = {owner, id};
    int rc = ag_db_exec(db, "cart_qty", 2, v, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    *qty = PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);
    return 0;
}

int
store_cart_set(PGconn *db, const char *owner, long long product_id, long long qty)
{
    char id[24], q[24], max[16];
    PGresult *res;

    snprintf(id, sizeof(id), "%lld", product_id);
    snprintf(q, sizeof(q), "%lld", qty);
    snprintf(max, sizeof(max), "%d", ORDER_CART_LINES_MAX);
    const char *v[] = {owner, id, q, max};
    int rc = ag_db_exec(db, "cart_update", 3, v, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    int done = PQntuples(res) == 1;
    PQclear(res);
    if (done) {
        return 0;
    }
    rc = ag_db_exec(db, "cart_insert", 4, v, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    done = PQntuples(res) == 1;
    PQclear(res);
    return done ? 0 : AG_ECONFLICT; /* the cart is full */
}

int
store_cart_remove(PGconn *db, const char *owner, long long product_id)
{
    char id[24];
    PGresult *res;

    snprintf(id, sizeof(id), "%lld", product_id);
    const char *v[] = {owner, id};
    int rc = ag_db_exec(db, "cart_remove", 2, v, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    rc = PQcmdTuples(res)[0] == '1' ? 0 : AG_ENOTFOUND;
    PQclear(res);
    return rc;
}

int
store_cart_clear(PGconn *db, const char *owner)
{
    PGresult *res;
    int rc = ag_db_exec(db, "cart_clear", 1, &owner, NULL, &res, NULL);
    if (rc == 0) {
        PQclear(res);
    }
    return rc;
}

/* A row of ROW_COLS from column 0 into 'o'. */
static void
row_read(const PGresult *res, int i, struct order_row *o)
{
    memset(o, 0, sizeof(*o));
    snprintf(o->id, sizeof(o->id), "%s", PQgetvalue(res, i, 0));
    snprintf(o->owner, sizeof(o->owner), "%s", PQgetvalue(res, i, 1));
    if (order_status_parse(PQgetvalue(res, i, 2), &o->status) < 0) {
        o->status = ORDER_PENDING;
    }
    if (order_step_parse(PQgetvalue(res, i, 3), &o->step) < 0) {
        o->step = STEP_DONE;
    }
    if (PQgetisnull(res, i, 4) || order_status_parse(PQgetvalue(res, i, 4), &o->refund_to) < 0) {
        o->refund_to = ORDER_CANCELLED;
    }
    o->stock_committed = PQgetvalue(res, i, 5)[0] == 't';
    o->total = strtoll(PQgetvalue(res, i, 6), NULL, 10);
    snprintf(o->currency, sizeof(o->currency), "%s", PQgetvalue(res, i, 7));
    snprintf(o->payment_id, sizeof(o->payment_id), "%s", PQgetvalue(res, i, 8));
    snprintf(o->reason, sizeof(o->reason), "%s", PQgetvalue(res, i, 9));
}

int
store_order_create(PGconn *db, const struct order_new *in, struct order_row *o, int *created,
                   int *same_body)
{
    char sub[24], fee[24], count[16], lease[24];
    long long units = 0;
    PGresult *res;

    json_t *items = json_array();
    for (size_t i = 0; i < in->nitems; i++) {
        const struct order_item *it = &in->items[i];
        units += it->qty;
        json_array_append_new(items, json_pack("{s:I,s:s,s:s?,s:s?,s:I,s:I,s:I}", "productId",
                                               (json_int_t)it->product_id, "name", it->name,
                                               "nameEn", it->name_en, "imageUrl", it->image_url,
                                               "unitPrice", (json_int_t)it->unit_price, "qty",
                                               (json_int_t)it->qty, "position", (json_int_t)i + 1));
    }
    struct ag_arena arena;
    ag_arena_init(&arena);
    const char *items_text = ag_json_dump(&arena, items, NULL);
    json_decref(items);
    snprintf(sub, sizeof(sub), "%lld", in->subtotal);
    snprintf(fee, sizeof(fee), "%lld", in->shipping_fee);
    snprintf(count, sizeof(count), "%lld", units);
    snprintf(lease, sizeof(lease), "%lld", in->lease_s);
    const char *v[] = {in->id,       in->owner, in->idem_key,     in->fingerprint, sub,       fee,
                       in->currency, count,     in->address_json, lease,           items_text};
    int rc = ag_db_exec(db, "order_insert", 11, v, NULL, &res, NULL);
    ag_arena_release(&arena);
    if (rc < 0) {
        return rc;
    }
    *created = PQntuples(res) == 1;
    PQclear(res);
    if (*created) {
        *same_body = 1;
        return store_order_row(db, in->id, o);
    }
    rc = store_order_by_key(db, in->owner, in->idem_key, in->fingerprint, o, same_body);
    return rc == AG_ENOTFOUND ? AG_ERETRY : rc; /* taken and gone: cannot be, none is deleted */
}

int
store_order_by_key(PGconn *db, const char *owner, const char *key, const char *fingerprint,
                   struct order_row *o, int *same_body)
{
    PGresult *res;
    const char *k[] = {owner, key};
    int rc = ag_db_exec(db, "order_by_key", 2, k, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    rc = PQntuples(res) == 1 ? 0 : AG_ENOTFOUND;
    if (rc == 0) {
        row_read(res, 0, o);
        *same_body = strcmp(PQgetvalue(res, 0, 10), fingerprint) == 0;
    }
    PQclear(res);
    return rc;
}

int
store_order_row(PGconn *db, const char *id, struct order_row *o)
{
    PGresult *res;
    int rc = ag_db_exec(db, "order_row", 1, &id, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    rc = PQntuples(res) == 1 ? 0 : AG_ENOTFOUND;
    if (rc == 0) {
        row_read(res, 0, o);
    }
    PQclear(res);
    return rc;
}

int
store_order_move(PGconn *db, struct order_row *o, const struct order_move *m)
{
    char lease[24];
    PGresult *res;
    const struct peer_payment *pay = m->payment;
    struct ag_arena arena;
    ag_arena_init(&arena);
    const char *card =
        pay != NULL && pay->card != NULL ? ag_json_dump(&arena, pay->card, NULL) : NULL;

    snprintf(lease, sizeof(lease), "%lld", m->lease_s);
    const char *v[] = {o->id,
                       order_step_name(o->step),
                       order_status_name(m->status),
                       order_step_name(m->step),
                       m->step == STEP_REFUND ? order_status_name(m->refund_to) : NULL,
                       m->reason,
                       pay != NULL && pay->id[0] != '\0' ? pay->id : NULL,
                       card,
                       m->stock_committed ? "true" : "false",
                       lease,
                       order_status_name(o->status),
                       m->clear_cart ? "true" : "false"};
    int rc = ag_db_exec(db, "order_move", 12, v, NULL, &res, NULL);
    ag_arena_release(&arena);
    if (rc < 0) {
        return rc;
    }
    int moved = strcmp(PQgetvalue(res, 0, 0), "1") == 0;
    PQclear(res);
    if (!moved) {
        return AG_ECONFLICT; /* another worker moved it first */
    }
    o->status = m->status;
    o->step = m->step;
    o->refund_to = m->step == STEP_REFUND ? m->refund_to : o->refund_to;
    o->stock_committed = o->stock_committed || m->stock_committed;
    if (m->reason != NULL) {
        snprintf(o->reason, sizeof(o->reason), "%s", m->reason);
    }
    if (pay != NULL && pay->id[0] != '\0') {
        snprintf(o->payment_id, sizeof(o->payment_id), "%s", pay->id);
    }
    return 0;
}

int
store_orders_due(PGconn *db, long long lease_s, struct order_row *rows, size_t max, size_t *n)
{
    char lease[24], limit[24];
    PGresult *res;

    snprintf(lease, sizeof(lease), "%lld", lease_s);
    snprintf(limit, sizeof(limit), "%zu", max);
    const char *v[] = {lease, limit};
    int rc = ag_db_exec(db, "orders_due", 2, v, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    *n = 0;
    for (int i = 0; i < PQntuples(res) && *n < max; i++) {
        row_read(res, i, &rows[(*n)++]);
    }
    PQclear(res);
    return 0;
}

static int
exec_json(struct ag_arena *a, PGconn *db, const char *name, int n, const char *const *v,
          const char **out, size_t *len)
{
    PGresult *res;
    int rc = ag_db_exec(db, name, n, v, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    if (PQntuples(res) == 0 || PQgetisnull(res, 0, 0)) {
        rc = AG_ENOTFOUND;
    } else {
        *len = (size_t)PQgetlength(res, 0, 0);
        *out = ag_arena_strndup(a, PQgetvalue(res, 0, 0), *len);
    }
    PQclear(res);
    return rc;
}

int
store_order_json(struct ag_arena *a, PGconn *db, const char *id, const char *owner,
                 const char **out, size_t *len)
{
    const char *v[] = {id, owner};
    return exec_json(a, db, "order_json", 2, v, out, len);
}

int
store_orders_page(struct ag_arena *a, PGconn *db, const char *owner, const char *status,
                  long long page, long long size, const char **out, size_t *len)
{
    char p[24], z[24];
    snprintf(p, sizeof(p), "%lld", page);
    snprintf(z, sizeof(z), "%lld", size);
    const char *v[] = {owner, status, p, z};
    return exec_json(a, db, "orders_page", 4, v, out, len);
}
