/*
 * The catalog API: public reads of categories and products, and the admins' writes. Parse,
 * validate, call the store, reply. The stock reservations are in reservations.c.
 */
#include "catalog.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agora/err.h"
#include "agora/json.h"
#include "agora/log.h"

/* 400 naming 'field'; returns AG_EINVAL. */
int
catalog_invalid_reply(struct ag_req *req, const char *field, const char *fmt, ...)
{
    struct ag_json_err err;
    va_list ap;

    va_start(ap, fmt);
    char *msg = ag_arena_vprintf(req->arena, fmt, ap);
    va_end(ap);
    ag_json_err_set(&err, field, "%s", msg);
    ag_reply_invalid(req, &err);
    return AG_EINVAL;
}

int
catalog_only_keys_or_reply(struct ag_req *req, const json_t *body, const char *const *keys)
{
    struct ag_json_err err;
    if (ag_json_only_keys(body, keys, &err) < 0) {
        ag_reply_invalid(req, &err);
        return AG_EINVAL;
    }
    return 0;
}

/* The path's {ref}, a product's or category's id or slug; 404 when it can be neither. */
int
catalog_ref_or_reply(struct ag_req *req, const char *what, const char **out)
{
    struct ag_str ref = ag_req_param(req, "ref");
    const char *why;
    if (!catalog_ref_is_id(ref) && catalog_slug_check(ref, &why) < 0) {
        ag_reply_error(req, AG_ENOTFOUND, "%s not found", what);
        return AG_ENOTFOUND;
    }
    *out = ag_arena_strndup(req->arena, ref.ptr, ref.len);
    return 0;
}

/* Replies a store's JSON text, or the error it met named for 'what'. */
int
catalog_text_reply(struct ag_req *req, int rc, int status, const char *what, const char *text,
                   size_t len)
{
    if (rc == AG_ENOTFOUND) {
        return ag_reply_error(req, rc, "%s not found", what);
    }
    if (rc < 0) {
        return rc;
    }
    return ag_reply_json_text(req, status, text, len);
}

/* GET /api/products?q=&category=&minPrice=&maxPrice=&sort=&page=&size=&status= */

static int
query_text_or_reply(struct ag_req *req, const char *name, size_t max, const char **out)
{
    const char *v = ag_req_query(req, name);
    *out = NULL;
    if (v == NULL) {
        return 0;
    }
    while (*v == ' ' || *v == '\t') {
        v++;
    }
    size_t n = strlen(v);
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t')) {
        n--;
    }
    if (n > max || ag_utf8_len(v, n) == (size_t)-1) {
        ag_reply_error_details(req, AG_EINVAL, json_pack("{s:s}", "field", name),
                               "'%s' must be valid text of at most %zu bytes", name, max);
        return AG_EINVAL;
    }
    *out = n > 0 ? ag_arena_strndup(req->arena, v, n) : NULL;
    return 0;
}

static int
list_status_or_reply(struct ag_req *req, struct catalog_query *q)
{
    const char *s = ag_req_query(req, "status");
    q->status = "active";
    if (s == NULL || strcmp(s, "active") == 0) {
        return 0;
    }
    if (strcmp(s, "draft") != 0 && strcmp(s, "archived") != 0 && strcmp(s, "all") != 0) {
        ag_reply_error_details(req, AG_EINVAL, json_pack("{s:s}", "field", "status"),
                               "'status' must be active, draft, archived or all");
        return AG_EINVAL;
    }
    if (ag_req_authenticate(req) < 0 || req->auth.role != AG_ROLE_ADMIN) {
        ag_reply_error(req, AG_EFORBIDDEN, "only an admin may list products by 'status'");
        return AG_EFORBIDDEN;
    }
    q->status = strcmp(s, "all") == 0 ? NULL : s;
    return 0;
}

static int
list_query_or_reply(struct ag_req *req, struct catalog_query *q)
{
    const char *sort, *why;

    memset(q, 0, sizeof(*q));
    int rc = query_text_or_reply(req, "q", CATALOG_QUERY_MAX, &q->q);
    if (rc == 0) {
        rc = query_text_or_reply(req, "category", CATALOG_SLUG_MAX, &q->category);
    }
    if (rc == 0 && q->category != NULL &&
        catalog_slug_check((struct ag_str){q->category, strlen(q->category)}, &why) < 0) {
        rc = catalog_invalid_reply(req, "category", "'category' must be a category slug: %s", why);
    }
    if (rc == 0) {
        rc = ag_req_query_int_or_reply(req, "minPrice", 0, CATALOG_PRICE_MAX, -1, &q->min_price);
    }
    if (rc == 0) {
        rc = ag_req_query_int_or_reply(req, "maxPrice", 0, CATALOG_PRICE_MAX, -1, &q->max_price);
    }
    if (rc == 0) {
        rc = ag_req_query_int_or_reply(req, "page", 1, CATALOG_PAGE_MAX, 1, &q->page);
    }
    if (rc == 0) {
        rc = ag_req_query_int_or_reply(req, "size", 1, CATALOG_PAGE_SIZE_MAX, 20, &q->size);
    }
    if (rc == 0) {
        rc = list_status_or_reply(req, q);
    }
    if (rc < 0) {
        return rc;
    }
    sort = ag_req_query(req, "sort");
    q->sort = q->q != NULL ? CATALOG_SORT_RELEVANCE : CATALOG_SORT_NEW;
    if (sort != NULL && catalog_sort_parse(sort, &q->sort) < 0) {
        ag_reply_error_details(req, AG_EINVAL, json_pack("{s:s}", "field", "sort"),
                               "'sort' must be relevance, price, -price, new or popular");
        return AG_EINVAL;
    }
    if (q->min_price >= 0 && q->max_price >= 0 && q->min_price > q->max_price) {
        ag_reply_error_details(req, AG_EINVAL, json_pack("{s:s}", "field", "minPrice"),
                               "'minPrice' must not be above 'maxPrice'");
        return AG_EINVAL;
    }
    return 0;
}

static int
product_list(struct ag_req *req)
{
    const struct catalog_app *app = req->app;
    struct catalog_query q;
    const char *text = NULL;
    size_t len = 0;
    PGconn *db;

    int rc = list_query_or_reply(req, &q);
    if (rc == 0) {
        rc = ag_req_db(req, &db);
    }
    if (rc == 0) {
        rc = store_product_list(req->arena, db, &q, &text, &len);
    }
    if (rc < 0) {
        return rc;
    }
    ag_reply_json_text(req, 200, text, len);
    if (q.status != NULL && strcmp(q.status, "active") == 0) {
        return ag_reply_cacheable(req, (int)app->cfg->cache_s);
    }
    return ag_reply_header(req, "Cache-Control", "private, no-store");
}

/* GET /api/products/{ref}: batched for everyone; an admin's read (drafts too) is direct. */

void
catalog_product_batch_reply(struct ag_req *req, const PGresult *res, int row, int rc)
{
    const struct catalog_app *app = req->app;

    if (rc == AG_ENOTFOUND) {
        ag_reply_error(req, rc, "product not found");
        return;
    }
    if (rc < 0) {
        ag_log(AG_LOG_ERROR, req->request_id, "product read failed: %s", ag_err_name(rc));
        ag_reply_error(req, rc, "%s", ag_err_message(rc));
        return;
    }
    size_t n = (size_t)PQgetlength(res, row, 1);
    char *text = ag_arena_alloc(req->arena, n);
    n = catalog_json_compact(text, PQgetvalue(res, row, 1), n);
    if (req->user != NULL) {
        catalog_cache_put(app->cache, *(const unsigned long *)req->user, ag_req_param(req, "ref"),
                          text, n);
    }
    ag_reply_json_text(req, 200, text, n);
    ag_reply_cacheable(req, (int)app->cfg->cache_s);
}

static int
product_get(struct ag_req *req)
{
    const struct catalog_app *app = req->app;
    const char *ref, *text = NULL;
    size_t len = 0;
    PGconn *db;

    int rc = catalog_ref_or_reply(req, "product", &ref);
    if (rc < 0) {
        return rc;
    }
    if (ag_req_header(req, "Authorization") == NULL || ag_req_authenticate(req) < 0 ||
        req->auth.role != AG_ROLE_ADMIN) {
        struct ag_str key = {ref, strlen(ref)};
        if (catalog_cache_get(app->cache, req->arena, key, &text, &len) == 0) {
            ag_reply_json_text(req, 200, text, len);
            return ag_reply_cacheable(req, (int)app->cfg->cache_s);
        }
        unsigned long *generation = ag_arena_alloc(req->arena, sizeof(*generation));
        *generation = catalog_cache_generation(app->cache); /* before the read: see cache.c */
        req->user = generation;
        return ag_batch_get(app->product_by_ref, req, key, catalog_product_batch_reply);
    }
    rc = ag_req_db(req, &db);
    if (rc == 0) {
        rc = store_product_get(req->arena, db, ref, 1, &text, &len);
    }
    rc = catalog_text_reply(req, rc, 200, "product", text, len);
    if (rc == 0) {
        rc = ag_reply_header(req, "Cache-Control", "private, no-store");
    }
    return rc;
}

/* Runs a write's transaction; once it committed, cached answers from before it go. */
int
catalog_write_tx(struct ag_req *req, ag_db_tx_fn fn, void *arg)
{
    const struct catalog_app *app = req->app;
    int rc = ag_req_tx(req, "READ COMMITTED", fn, arg);
    if (rc == 0) {
        catalog_cache_clear(app->cache);
    }
    return rc;
}

/* Admin writes of products. */

/*
 * A text field: absent leaves 'in' alone; null clears it where 'nullable'; a string is
 * trimmed, measured in characters and checked by 'check' (may be NULL).
 */
int
catalog_text_field_or_reply(struct ag_req *req, const json_t *body, const char *name, size_t max,
                            int nullable, int (*check)(struct ag_str, const char **), unsigned bit,
                            unsigned *has, const char **dst)
{
    struct ag_json_err err;
    struct ag_str s;
    const char *why;
    const json_t *v = json_object_get(body, name);

    if (v == NULL) {
        return 0;
    }
    if (json_is_null(v)) {
        if (!nullable) {
            return catalog_invalid_reply(req, name, "'%s' may not be null", name);
        }
        *has |= bit;
        *dst = NULL;
        return 0;
    }
    if (ag_json_get_str(req->arena, body, name, AG_JSON_TRIM, nullable ? 1 : 0, max, &s, &err) <
        0) {
        ag_reply_invalid(req, &err);
        return AG_EINVAL;
    }
    if (check != NULL && check(s, &why) < 0) {
        ag_json_err_set(&err, name, "'%s': %s", name, why);
        ag_reply_invalid(req, &err);
        return AG_EINVAL;
    }
    *has |= bit;
    *dst = ag_arena_strndup(req->arena, s.ptr, s.len);
    return 0;
}

int
catalog_int_field_or_reply(struct ag_req *req, const json_t *body, const char *name, long long max,
                           int nullable, unsigned bit, unsigned *has, const char **dst)
{
    struct ag_json_err err;
    long long n;
    int present;
    const json_t *v = json_object_get(body, name);

    if (v == NULL) {
        return 0;
    }
    if (json_is_null(v)) {
        if (!nullable) {
            return catalog_invalid_reply(req, name, "'%s' may not be null", name);
        }
        *has |= bit;
        *dst = NULL;
        return 0;
    }
    if (ag_json_get_int(body, name, 0, 0, max, &n, &present, &err) < 0) {
        ag_reply_invalid(req, &err);
        return AG_EINVAL;
    }
    *has |= bit;
    *dst = ag_arena_printf(req->arena, "%lld", n);
    return 0;
}

int
catalog_name_check(struct ag_str s, const char **why)
{
    *why = "must not be empty";
    return s.len > 0 ? 0 : AG_EINVAL;
}

static int
currency_check(struct ag_str s, const char **why)
{
    *why = "want three capital letters (ISO 4217), e.g. KRW";
    int ok = s.len == 3;
    for (size_t i = 0; ok && i < 3; i++) {
        ok = s.ptr[i] >= 'A' && s.ptr[i] <= 'Z';
    }
    return ok ? 0 : AG_EINVAL;
}

static int
status_check(struct ag_str s, const char **why)
{
    *why = "want draft, active or archived";
    return ag_str_eq(s, "draft") || ag_str_eq(s, "active") || ag_str_eq(s, "archived") ? 0
                                                                                       : AG_EINVAL;
}

static int
images_or_reply(struct ag_req *req, const json_t *body, struct product_in *p)
{
    const json_t *v = json_object_get(body, "images");
    const char *why = "";
    size_t i;
    json_t *img;

    if (v == NULL) {
        return 0;
    }
    if (!json_is_array(v) || json_array_size(v) > CATALOG_IMAGES_MAX) {
        return catalog_invalid_reply(req, "images", "'%s' must be an array of at most 20 URLs",
                                     "images");
    }
    json_array_foreach(v, i, img)
    {
        struct ag_str s = {json_string_value(img), json_string_length(img)};
        if (!json_is_string(img) || catalog_image_url_check(s, &why) < 0) {
            return catalog_invalid_reply(req, "images", "'images': %s", why);
        }
    }
    size_t len;
    p->images = ag_json_dump(req->arena, v, &len);
    p->has |= PF_IMAGES;
    return 0;
}

static int
attributes_or_reply(struct ag_req *req, const json_t *body, struct product_in *p)
{
    const json_t *v = json_object_get(body, "attributes");
    const char *key;
    json_t *val;

    if (v == NULL) {
        return 0;
    }
    if (!json_is_object(v) || json_object_size(v) > CATALOG_ATTRS_MAX) {
        return catalog_invalid_reply(req, "attributes",
                                     "'%s' must be an object of at most 30 strings", "attributes");
    }
    json_object_foreach((json_t *)(uintptr_t)v, key, val)
    {
        size_t klen = strlen(key);
        if (klen == 0 || ag_utf8_len(key, klen) > CATALOG_ATTR_KEY_MAX || !json_is_string(val) ||
            ag_utf8_len(json_string_value(val), json_string_length(val)) > CATALOG_ATTR_VALUE_MAX) {
            return catalog_invalid_reply(
                req, "attributes",
                "'attributes': '%s' wants a name of 1..50 characters and a "
                "string value of at most 200",
                key);
        }
    }
    size_t len;
    p->attributes = ag_json_dump(req->arena, v, &len);
    p->has |= PF_ATTRIBUTES;
    return 0;
}

static const char *const product_keys[] = {
    "slug",     "name",   "nameEn",   "description", "descriptionEn", "brand", "price", "salePrice",
    "currency", "status", "category", "images",      "attributes",    "stock", NULL};

/* Every field of a create (all=1: slug, name and price required) or an update. */
static int
product_parse_or_reply(struct ag_req *req, int create, struct product_in *p)
{
    json_t *body;
    unsigned *h = &p->has;

    memset(p, 0, sizeof(*p));
    int rc = ag_req_json_or_reply(req, &body);
    if (rc == 0) {
        rc = catalog_only_keys_or_reply(req, body, product_keys);
    }
    if (rc == 0 && !create && json_object_get(body, "stock") != NULL) {
        rc = catalog_invalid_reply(req, "stock", "'%s' is set with PUT /api/products/{ref}/stock",
                                   "stock");
    }
    rc = rc < 0 ? rc
                : catalog_text_field_or_reply(req, body, "slug", CATALOG_SLUG_MAX, 0,
                                              catalog_slug_check, PF_SLUG, h, &p->slug);
    rc = rc < 0 ? rc
                : catalog_text_field_or_reply(req, body, "name", CATALOG_NAME_MAX, 0,
                                              catalog_name_check, PF_NAME, h, &p->name);
    rc = rc < 0 ? rc
                : catalog_text_field_or_reply(req, body, "nameEn", CATALOG_NAME_MAX, 1, NULL,
                                              PF_NAME_EN, h, &p->name_en);
    rc = rc < 0 ? rc
                : catalog_text_field_or_reply(req, body, "description", CATALOG_DESC_MAX, 0, NULL,
                                              PF_DESC, h, &p->description);
    rc = rc < 0 ? rc
                : catalog_text_field_or_reply(req, body, "descriptionEn", CATALOG_DESC_MAX, 0, NULL,
                                              PF_DESC_EN, h, &p->description_en);
    rc = rc < 0 ? rc
                : catalog_text_field_or_reply(req, body, "brand", CATALOG_BRAND_MAX, 0, NULL,
                                              PF_BRAND, h, &p->brand);
    rc = rc < 0 ? rc
                : catalog_int_field_or_reply(req, body, "price", CATALOG_PRICE_MAX, 0, PF_PRICE, h,
                                             &p->price);
    rc = rc < 0 ? rc
                : catalog_int_field_or_reply(req, body, "salePrice", CATALOG_PRICE_MAX, 1, PF_SALE,
                                             h, &p->sale_price);
    rc = rc < 0 ? rc
                : catalog_text_field_or_reply(req, body, "currency", 3, 0, currency_check,
                                              PF_CURRENCY, h, &p->currency);
    rc = rc < 0 ? rc
                : catalog_text_field_or_reply(req, body, "status", 8, 0, status_check, PF_STATUS, h,
                                              &p->status);
    rc = rc < 0 ? rc
                : catalog_text_field_or_reply(req, body, "category", CATALOG_SLUG_MAX, 1,
                                              catalog_slug_check, PF_CATEGORY, h, &p->category);
    rc = rc < 0 ? rc
                : catalog_int_field_or_reply(req, body, "stock", CATALOG_STOCK_MAX, 0, PF_STOCK, h,
                                             &p->stock);
    rc = rc < 0 ? rc : images_or_reply(req, body, p);
    rc = rc < 0 ? rc : attributes_or_reply(req, body, p);
    if (rc < 0) {
        return rc;
    }
    static const struct {
        unsigned bit;
        const char *name;
    } required[] = {{PF_SLUG, "slug"}, {PF_NAME, "name"}, {PF_PRICE, "price"}};
    for (size_t i = 0; create && i < sizeof(required) / sizeof(required[0]); i++) {
        if ((p->has & required[i].bit) == 0) {
            return catalog_invalid_reply(req, required[i].name, "'%s' is required",
                                         required[i].name);
        }
    }
    if (p->price != NULL && p->sale_price != NULL &&
        strtoll(p->sale_price, NULL, 10) >= strtoll(p->price, NULL, 10)) {
        return catalog_invalid_reply(req, "salePrice", "'%s' must be below 'price'", "salePrice");
    }
    return 0;
}

struct product_write {
    struct ag_req *req;
    struct product_in in;
    const char *ref; /* NULL: a create */
    int archive;
};

/* The category's slug becomes its id; 400 when there is no such category. */
static int
category_resolve_or_reply(struct ag_req *req, PGconn *db, struct product_in *in)
{
    long long id;
    if (in->category == NULL) {
        return 0;
    }
    int rc = store_category_id(db, in->category, &id);
    if (rc == AG_ENOTFOUND) {
        catalog_invalid_reply(req, "category", "no category '%s'", in->category);
        return AG_EINVAL;
    }
    if (rc == 0) {
        in->category = ag_arena_printf(req->arena, "%lld", id);
    }
    return rc;
}

static int
product_write_tx(PGconn *db, void *arg)
{
    struct product_write *w = arg;
    struct ag_req *req = w->req;
    const char *text = NULL;
    size_t len = 0;
    int rc;

    if (w->archive) {
        rc = store_product_archive(req->arena, db, w->ref, &text, &len);
    } else {
        rc = category_resolve_or_reply(req, db, &w->in);
        if (rc < 0) {
            return rc;
        }
        rc = w->ref == NULL ? store_product_insert(req->arena, db, &w->in, &text, &len)
                            : store_product_update(req->arena, db, w->ref, &w->in, &text, &len);
    }
    if (rc == AG_ECONFLICT) {
        ag_reply_error_details(req, rc, json_pack("{s:s}", "field", "slug"),
                               "slug '%s' is already taken", w->in.slug ? w->in.slug : "");
        return rc;
    }
    if (rc == AG_EINVAL) {
        /* The one rule SQL checks across fields: a sale price below the (new) price. */
        catalog_invalid_reply(req, "salePrice", "'%s' must be below 'price'", "salePrice");
        return rc;
    }
    if (rc == AG_ENOTFOUND) {
        ag_reply_error(req, rc, "product not found");
        return rc;
    }
    if (rc < 0) {
        return rc;
    }
    ag_reply_json_text(req, w->ref == NULL ? 201 : 200, text, len);
    return ag_idem_save(req, db);
}

static int
product_create(struct ag_req *req)
{
    struct product_write w = {.req = req};
    int rc = product_parse_or_reply(req, 1, &w.in);
    if (rc < 0) {
        return rc;
    }
    return catalog_write_tx(req, product_write_tx, &w);
}

static int
product_update(struct ag_req *req)
{
    struct product_write w = {.req = req};
    int rc = catalog_ref_or_reply(req, "product", &w.ref);
    if (rc == 0) {
        rc = product_parse_or_reply(req, 0, &w.in);
    }
    if (rc < 0) {
        return rc;
    }
    return catalog_write_tx(req, product_write_tx, &w);
}

static int
product_archive(struct ag_req *req)
{
    struct product_write w = {.req = req, .archive = 1};
    int rc = catalog_ref_or_reply(req, "product", &w.ref);
    if (rc < 0) {
        return rc;
    }
    return catalog_write_tx(req, product_write_tx, &w);
}

/* GET and PUT /api/products/{ref}/stock (admin). */

static int
stock_get(struct ag_req *req)
{
    const char *ref, *text = NULL;
    size_t len = 0;
    PGconn *db;

    int rc = catalog_ref_or_reply(req, "product", &ref);
    if (rc == 0) {
        rc = ag_req_db(req, &db);
    }
    if (rc == 0) {
        rc = store_stock_get(req->arena, db, ref, &text, &len);
    }
    return catalog_text_reply(req, rc, 200, "product", text, len);
}

struct stock_write {
    struct ag_req *req;
    const char *ref;
    const char *on_hand;
};

static int
stock_set_tx(PGconn *db, void *arg)
{
    struct stock_write *w = arg;
    const char *text = NULL;
    size_t len = 0;

    int rc = store_stock_set(w->req->arena, db, w->ref, w->on_hand, &text, &len);
    if (rc == AG_ECONFLICT) {
        ag_reply_error_details(w->req, rc, json_pack("{s:s}", "field", "onHand"),
                               "'onHand' may not go below the units reserved");
        return rc;
    }
    rc = catalog_text_reply(w->req, rc, 200, "product", text, len);
    if (rc < 0) {
        return rc;
    }
    return ag_idem_save(w->req, db);
}

static const char *const stock_keys[] = {"onHand", NULL};

static int
stock_set(struct ag_req *req)
{
    struct stock_write w = {.req = req};
    struct ag_json_err err;
    json_t *body = NULL;
    long long n = 0;

    int rc = catalog_ref_or_reply(req, "product", &w.ref);
    if (rc == 0) {
        rc = ag_req_json_or_reply(req, &body);
    }
    if (rc == 0) {
        rc = catalog_only_keys_or_reply(req, body, stock_keys);
    }
    if (rc == 0 && ag_json_get_int(body, "onHand", AG_JSON_REQUIRED, 0, CATALOG_STOCK_MAX, &n, NULL,
                                   &err) < 0) {
        ag_reply_invalid(req, &err);
        rc = AG_EINVAL;
    }
    if (rc < 0) {
        return rc;
    }
    w.on_hand = ag_arena_printf(req->arena, "%lld", n);
    return catalog_write_tx(req, stock_set_tx, &w);
}

#define WRITE_MAX (64u << 10)

const struct ag_route catalog_routes[] = {
    {AG_GET, "/api/categories", catalog_category_list, AG_AUTH_NONE, 0, 0},
    {AG_POST, "/api/categories", catalog_category_create, AG_AUTH_ADMIN, 4096, 0},
    {AG_GET, "/api/categories/{ref}", catalog_category_get, AG_AUTH_NONE, 0, 0},
    {AG_PATCH, "/api/categories/{ref}", catalog_category_update, AG_AUTH_ADMIN, 4096, 0},
    {AG_DELETE, "/api/categories/{ref}", catalog_category_delete, AG_AUTH_ADMIN, 0, 0},
    {AG_GET, "/api/products", product_list, AG_AUTH_NONE, 0, 0},
    {AG_POST, "/api/products", product_create, AG_AUTH_ADMIN, WRITE_MAX, 0},
    {AG_GET, "/api/products/{ref}", product_get, AG_AUTH_NONE, 0, 0},
    {AG_PATCH, "/api/products/{ref}", product_update, AG_AUTH_ADMIN, WRITE_MAX, 0},
    {AG_DELETE, "/api/products/{ref}", product_archive, AG_AUTH_ADMIN, 0, 0},
    {AG_GET, "/api/products/{ref}/stock", stock_get, AG_AUTH_ADMIN, 0, 0},
    {AG_PUT, "/api/products/{ref}/stock", stock_set, AG_AUTH_ADMIN, 1024, 0},
    {AG_POST, "/internal/reservations", catalog_reserve, AG_AUTH_INTERNAL, 16384, 0},
    {AG_GET, "/internal/reservations/{orderId}", catalog_reservation_get, AG_AUTH_INTERNAL, 0, 0},
    {AG_POST, "/internal/reservations/{orderId}/commit", catalog_reservation_commit,
     AG_AUTH_INTERNAL, 256, 0},
    {AG_POST, "/internal/reservations/{orderId}/release", catalog_reservation_release,
     AG_AUTH_INTERNAL, 256, 0},
    {AG_POST, "/internal/reservations/{orderId}/return", catalog_reservation_return,
     AG_AUTH_INTERNAL, 256, 0},
};
const size_t catalog_nroutes = sizeof(catalog_routes) / sizeof(catalog_routes[0]);
