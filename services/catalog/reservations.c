/*
 * Stock reservations, for the order service only (AG_AUTH_INTERNAL; the gateway never routes
 * /internal/). A reservation takes all of its items or none, is idempotent on its order id,
 * and ends committed (the order is paid), released, or expired (main.c's sweeper).
 */
#include "catalog.h"

#include <stdint.h>
#include <string.h>

#include "agora/err.h"
#include "agora/json.h"

static int
field_error(struct ag_req *req, const char *field, const char *msg)
{
    struct ag_json_err err;
    ag_json_err_set(&err, field, "%s", msg);
    ag_reply_invalid(req, &err);
    return AG_EINVAL;
}

static int
items_or_reply(struct ag_req *req, const json_t *body, struct reservation_in *r)
{
    const json_t *items = json_object_get(body, "items");
    struct ag_json_err err;
    const char *why;
    size_t i;
    json_t *it;

    if (!json_is_array(items) || json_array_size(items) == 0 ||
        json_array_size(items) > CATALOG_RESERVE_ITEMS) {
        return field_error(req, "items", "'items' must be an array of 1..100 {productId, qty}");
    }
    r->nitems = json_array_size(items);
    r->items = ag_arena_alloc(req->arena, r->nitems * sizeof(*r->items));
    json_array_foreach(items, i, it)
    {
        static const char *const keys[] = {"productId", "qty", NULL};
        if (!json_is_object(it) || ag_json_only_keys(it, keys, &err) < 0 ||
            ag_json_get_int(it, "productId", AG_JSON_REQUIRED, 1, INT64_MAX / 2,
                            &r->items[i].product_id, NULL, &err) < 0 ||
            ag_json_get_int(it, "qty", AG_JSON_REQUIRED, 1, CATALOG_QTY_MAX, &r->items[i].qty, NULL,
                            &err) < 0) {
            return field_error(req, "items", "each item must be {productId: integer, qty: 1..999}");
        }
    }
    if (catalog_items_normalize(r->items, r->nitems, &why) < 0) {
        return field_error(req, "items", why);
    }
    catalog_items_fingerprint(r->items, r->nitems, r->fingerprint);
    return 0;
}

static const char *const reserve_keys[] = {"orderId", "items", "ttlSeconds", NULL};

static int
reserve_parse_or_reply(struct ag_req *req, struct reservation_in *r)
{
    const struct catalog_app *app = req->app;
    struct ag_json_err err;
    struct ag_str id;
    const char *why;
    json_t *body;

    memset(r, 0, sizeof(*r));
    int rc = ag_req_json_or_reply(req, &body);
    if (rc < 0) {
        return rc;
    }
    if (ag_json_only_keys(body, reserve_keys, &err) < 0 ||
        ag_json_get_str(req->arena, body, "orderId", AG_JSON_REQUIRED, 1, CATALOG_ORDER_ID_MAX, &id,
                        &err) < 0 ||
        ag_json_get_int(body, "ttlSeconds", 0, 1, CATALOG_RESERVE_TTL_MAX, &r->ttl_s, NULL, &err) <
            0) {
        ag_reply_invalid(req, &err);
        return AG_EINVAL;
    }
    if (catalog_order_id_check(id, &why) < 0) {
        return field_error(req, "orderId", why);
    }
    r->order_id = ag_arena_strndup(req->arena, id.ptr, id.len);
    if (r->ttl_s == 0) {
        r->ttl_s = app->cfg->reservation_ttl_s;
    }
    return items_or_reply(req, body, r);
}

struct reserve {
    struct ag_req *req;
    const struct reservation_in *in;
};

static int
reserve_tx(PGconn *db, void *arg)
{
    struct reserve *t = arg;
    struct ag_req *req = t->req;
    json_t *shortfall = NULL;
    const char *text = NULL;
    size_t len = 0;
    int created;

    int rc = store_reserve(req->arena, db, t->in, &text, &len, &created, &shortfall);
    if (rc == AG_ECONFLICT) {
        ag_reply_error_details(req, rc, json_pack("{s:o}", "items", shortfall),
                               "not enough stock for every item; nothing was reserved");
        return rc;
    }
    if (rc == AG_EIDEMMISMATCH) {
        ag_reply_error(req, rc, "order '%s' already holds a reservation of other items",
                       t->in->order_id);
        return rc;
    }
    if (rc < 0) {
        return rc;
    }
    return ag_reply_json_text(req, created ? 201 : 200, text, len);
}

/* POST /internal/reservations {orderId, items[{productId, qty}], ttlSeconds?} */
int
catalog_reserve(struct ag_req *req)
{
    struct reservation_in in;
    int rc = reserve_parse_or_reply(req, &in);
    if (rc < 0) {
        return rc;
    }
    struct reserve t = {req, &in};
    rc = ag_req_tx(req, "READ COMMITTED", reserve_tx, &t);
    if (rc == 0) {
        catalog_cache_clear(((const struct catalog_app *)req->app)->cache); /* stock moved */
    }
    return rc;
}

static int
order_id_or_reply(struct ag_req *req, const char **out)
{
    const char *why;
    struct ag_str id = ag_req_param(req, "orderId");
    if (catalog_order_id_check(id, &why) < 0) {
        ag_reply_error(req, AG_ENOTFOUND, "reservation not found");
        return AG_ENOTFOUND;
    }
    *out = ag_arena_strndup(req->arena, id.ptr, id.len);
    return 0;
}

/* GET /internal/reservations/{orderId} */
int
catalog_reservation_get(struct ag_req *req)
{
    const char *id, *text = NULL;
    size_t len = 0;
    PGconn *db;

    int rc = order_id_or_reply(req, &id);
    if (rc == 0) {
        rc = ag_req_db(req, &db);
    }
    if (rc == 0) {
        rc = store_reservation_get(req->arena, db, id, &text, &len);
    }
    if (rc == AG_ENOTFOUND) {
        return ag_reply_error(req, rc, "reservation not found");
    }
    if (rc < 0) {
        return rc;
    }
    return ag_reply_json_text(req, 200, text, len);
}

struct finish {
    struct ag_req *req;
    const char *order_id;
    enum reservation_end end;
};

static int
finish_tx(PGconn *db, void *arg)
{
    struct finish *f = arg;
    const char *text = NULL;
    size_t len = 0;

    static const char *const verbs[] = {
        [RESERVATION_COMMIT] = "committed",
        [RESERVATION_RELEASE] = "released",
        [RESERVATION_RETURN] = "returned",
    };
    int rc = store_reservation_finish(f->req->arena, db, f->order_id, f->end, &text, &len);
    if (rc == AG_ENOTFOUND) {
        ag_reply_error(f->req, rc, "reservation not found");
        return rc;
    }
    if (rc == AG_ECONFLICT) {
        /* Committed cannot be released, nor released or expired committed, and only a
         * committed one can be returned. */
        ag_reply_error(f->req, rc, "reservation '%s' cannot be %s now", f->order_id, verbs[f->end]);
        return rc;
    }
    if (rc < 0) {
        return rc;
    }
    return ag_reply_json_text(f->req, 200, text, len);
}

static int
finish(struct ag_req *req, enum reservation_end end)
{
    struct finish f = {.req = req, .end = end};
    int rc = order_id_or_reply(req, &f.order_id);
    if (rc < 0) {
        return rc;
    }
    rc = ag_req_tx(req, "READ COMMITTED", finish_tx, &f);
    if (rc == 0) {
        catalog_cache_clear(((const struct catalog_app *)req->app)->cache); /* stock moved */
    }
    return rc;
}

/* POST /internal/reservations/{orderId}/commit: the order is paid; the units leave stock. */
int
catalog_reservation_commit(struct ag_req *req)
{
    return finish(req, RESERVATION_COMMIT);
}

/* POST /internal/reservations/{orderId}/release: the order is off; the units are free. */
int
catalog_reservation_release(struct ag_req *req)
{
    return finish(req, RESERVATION_RELEASE);
}

/* POST /internal/reservations/{orderId}/return: a paid order was cancelled or refunded; its
 * units go back on hand. */
int
catalog_reservation_return(struct ag_req *req)
{
    return finish(req, RESERVATION_RETURN);
}
