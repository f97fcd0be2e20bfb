/*
 * The cart API (through the gateway, any valid token: a guest's cart is its subject's, a
 * member's their id's). Lines keep the product and quantity; prices, names and stock come
 * from the catalog each time the cart is shown.
 */
#include "order.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agora/err.h"
#include "agora/json.h"
#include "agora/jwt.h"
#include "agora/log.h"

static int
field_error(struct ag_req *req, const char *field, const char *msg)
{
    struct ag_json_err err;
    ag_json_err_set(&err, field, "%s", msg);
    ag_reply_invalid(req, &err);
    return AG_EINVAL;
}

/* The path's {productId}: a positive integer, or 404. */
static int
product_id_or_reply(struct ag_req *req, long long *out)
{
    struct ag_str s = ag_req_param(req, "productId");
    long long v = 0;

    if (s.len == 0 || s.len > 18 || s.ptr[0] == '0') {
        goto bad;
    }
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] < '0' || s.ptr[i] > '9') {
            goto bad;
        }
        v = v * 10 + (s.ptr[i] - '0');
    }
    *out = v;
    return 0;
bad:
    ag_reply_error(req, AG_ENOTFOUND, "no such product in the cart");
    return AG_ENOTFOUND;
}

/* The product, sellable now: 404 when the catalog has no such product, 409 when archived or
 * draft (replied). */
static int
sellable_or_reply(struct ag_req *req, long long id, struct order_product *p)
{
    int rc = order_product_get(req, id, p);
    if (rc == AG_ENOTFOUND) {
        ag_reply_error_details(req, rc, json_pack("{s:I}", "productId", (json_int_t)id),
                               "product %lld does not exist", id);
        return rc;
    }
    if (rc == 0 && !p->active) {
        json_decref(p->json);
        p->json = NULL;
        ag_reply_error_details(req, AG_ECONFLICT, json_pack("{s:I}", "productId", (json_int_t)id),
                               "product %lld is not for sale", id);
        return AG_ECONFLICT;
    }
    return rc;
}

/* The cart as JSON: each line with the catalog's product of the moment, and the totals. */
static int
cart_reply(struct ag_req *req, PGconn *db, int status)
{
    struct cart_line lines[ORDER_CART_LINES_MAX];
    long long subtotal = 0, count = 0;
    const char *currency = NULL;
    size_t n;

    int rc = store_cart_lines(db, req->auth.sub, lines, &n);
    if (rc < 0) {
        return rc;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        struct order_product p;
        rc = order_product_get(req, lines[i].product_id, &p);
        if (rc == AG_ENOTFOUND) {
            /* Gone from the catalog: shown as unavailable, never charged. */
            json_array_append_new(items, json_pack("{s:I,s:I,s:b}", "productId",
                                                   (json_int_t)lines[i].product_id, "qty",
                                                   (json_int_t)lines[i].qty, "available", 0));
            continue;
        }
        if (rc < 0) {
            json_decref(items);
            return rc;
        }
        int ok = p.active && p.available >= lines[i].qty;
        long long line = p.price * lines[i].qty;
        if (p.active) {
            subtotal += line;
            count += lines[i].qty;
            currency = currency != NULL ? currency : ag_arena_strdup(req->arena, p.currency);
        }
        json_array_append_new(items,
                              json_pack("{s:I,s:O?,s:O?,s:O?,s:I,s:I,s:I,s:s,s:b,s:I}", "productId",
                                        (json_int_t)p.id, "name", json_object_get(p.json, "name"),
                                        "nameEn", json_object_get(p.json, "nameEn"), "imageUrl",
                                        json_object_get(p.json, "imageUrl"), "unitPrice",
                                        (json_int_t)p.price, "qty", (json_int_t)lines[i].qty,
                                        "lineTotal", (json_int_t)line, "currency", p.currency,
                                        "available", ok, "stock", (json_int_t)p.available));
        json_decref(p.json);
    }
    const struct order_config *cfg = ((const struct order_app *)req->app)->cfg;
    long long fee =
        subtotal > 0 ? order_shipping_fee(subtotal, cfg->shipping_fee, cfg->free_shipping_over) : 0;
    return ag_reply_json(req, status,
                         json_pack("{s:o,s:I,s:I,s:I,s:I,s:I,s:s}", "items", items, "itemCount",
                                   (json_int_t)count, "subtotal", (json_int_t)subtotal,
                                   "shippingFee", (json_int_t)fee, "total",
                                   (json_int_t)(subtotal + fee), "freeShippingOver",
                                   (json_int_t)cfg->free_shipping_over, "currency",
                                   currency != NULL ? currency : "KRW"));
}

/* GET /api/cart */
static int
cart_get(struct ag_req *req)
{
    PGconn *db;
    int rc = ag_req_db(req, &db);
    return rc < 0 ? rc : cart_reply(req, db, 200);
}

static int
qty_or_reply(struct ag_req *req, const json_t *body, long long *qty)
{
    struct ag_json_err err;
    if (ag_json_get_int(body, "qty", AG_JSON_REQUIRED, 1, ORDER_QTY_MAX, qty, NULL, &err) < 0) {
        return field_error(req, "qty", "'qty' must be an integer 1..99");
    }
    return 0;
}

/* Sets the line to 'qty' when the product can be sold that many, and answers the cart. */
static int
cart_put(struct ag_req *req, long long id, long long qty, int status)
{
    struct order_product p;
    PGconn *db;

    int rc = sellable_or_reply(req, id, &p);
    if (rc < 0) {
        return rc;
    }
    json_decref(p.json);
    if (p.available < qty) {
        return ag_reply_error_details(
            req, AG_ECONFLICT,
            json_pack("{s:I,s:I}", "productId", (json_int_t)id, "available",
                      (json_int_t)(p.available > 0 ? p.available : 0)),
            "only %lld of product %lld in stock", p.available > 0 ? p.available : 0, id);
    }
    rc = ag_req_db(req, &db);
    if (rc == 0) {
        rc = store_cart_set(db, req->auth.sub, id, qty);
    }
    if (rc == AG_ECONFLICT) {
        return ag_reply_error(req, rc, "the cart holds %d products at most", ORDER_CART_LINES_MAX);
    }
    return rc < 0 ? rc : cart_reply(req, db, status);
}

/* POST /api/cart/items {productId, qty}: adds to what the cart has of it (capped at 99 and at
 * the stock); 201 and the cart. */
static int
cart_add(struct ag_req *req)
{
    static const char *const keys[] = {"productId", "qty", NULL};
    struct ag_json_err err;
    struct order_product p;
    long long id, qty, have = 0;
    json_t *body;
    PGconn *db;

    int rc = ag_req_json_or_reply(req, &body);
    if (rc < 0) {
        return rc;
    }
    if (ag_json_only_keys(body, keys, &err) < 0) {
        return ag_reply_invalid(req, &err);
    }
    if (ag_json_get_int(body, "productId", AG_JSON_REQUIRED, 1, INT64_MAX / 2, &id, NULL, &err) <
        0) {
        return field_error(req, "productId", "'productId' must be a product's id");
    }
    if (qty_or_reply(req, body, &qty) < 0) {
        return AG_EINVAL;
    }
    rc = ag_req_db(req, &db);
    if (rc == 0) {
        rc = store_cart_qty(db, req->auth.sub, id, &have);
    }
    if (rc < 0) {
        return rc;
    }
    rc = sellable_or_reply(req, id, &p);
    if (rc < 0) {
        return rc;
    }
    json_decref(p.json);
    long long want = order_cart_add_qty(have, qty, p.available);
    if (want < 1) {
        return ag_reply_error_details(
            req, AG_ECONFLICT,
            json_pack("{s:I,s:I}", "productId", (json_int_t)id, "available", (json_int_t)0),
            "product %lld is out of stock", id);
    }
    return cart_put(req, id, want, 201);
}

/* PATCH /api/cart/items/{productId} {qty} */
static int
cart_update(struct ag_req *req)
{
    static const char *const keys[] = {"qty", NULL};
    struct ag_json_err err;
    long long id = 0, qty, have = 0;
    json_t *body = NULL;
    PGconn *db = NULL;

    int rc = product_id_or_reply(req, &id);
    if (rc == 0) {
        rc = ag_req_json_or_reply(req, &body);
    }
    if (rc < 0) {
        return rc;
    }
    if (ag_json_only_keys(body, keys, &err) < 0) {
        return ag_reply_invalid(req, &err);
    }
    if (qty_or_reply(req, body, &qty) < 0) {
        return AG_EINVAL;
    }
    rc = ag_req_db(req, &db);
    if (rc == 0) {
        rc = store_cart_qty(db, req->auth.sub, id, &have);
    }
    if (rc == 0 && have == 0) {
        return ag_reply_error(req, AG_ENOTFOUND, "product %lld is not in the cart", id);
    }
    return rc < 0 ? rc : cart_put(req, id, qty, 200);
}

/* DELETE /api/cart/items/{productId} */
static int
cart_remove(struct ag_req *req)
{
    long long id = 0;
    PGconn *db = NULL;

    int rc = product_id_or_reply(req, &id);
    if (rc < 0) {
        return rc; /* replied */
    }
    rc = ag_req_db(req, &db);
    if (rc == 0) {
        rc = store_cart_remove(db, req->auth.sub, id);
    }
    if (rc == AG_ENOTFOUND) {
        return ag_reply_error(req, rc, "product %lld is not in the cart", id);
    }
    return rc < 0 ? rc : cart_reply(req, db, 200);
}

/*
 * POST /api/cart/merge {guestToken}: a member who just signed in brings the cart they had as
 * a guest (the guest's access token, still valid, is the proof): each line adds to the
 * member's (capped at 99 and at the stock; lines no longer sellable stay behind), and the
 * guest's cart is emptied. Doing it again is harmless: the guest's cart is empty then.
 */
static int
cart_merge(struct ag_req *req)
{
    const struct order_app *app = req->app;
    static const char *const keys[] = {"guestToken", NULL};
    struct cart_line lines[ORDER_CART_LINES_MAX];
    struct ag_jwt_claims guest;
    struct ag_json_err err;
    struct ag_str token;
    json_t *body;
    PGconn *db;
    size_t n;

    int rc = ag_req_json_or_reply(req, &body);
    if (rc < 0) {
        return rc;
    }
    if (ag_json_only_keys(body, keys, &err) < 0 ||
        ag_json_get_str(req->arena, body, "guestToken", AG_JSON_REQUIRED, 1, 4096, &token, &err) <
            0) {
        return ag_reply_invalid(req, &err);
    }
    if (ag_jwt_verify(app->jwt, token.ptr, token.len, (int64_t)time(NULL), &guest) < 0 ||
        guest.role != AG_ROLE_GUEST) {
        return field_error(req, "guestToken", "'guestToken' must be a valid guest access token");
    }
    rc = ag_req_db(req, &db);
    if (rc == 0) {
        rc = store_cart_lines(db, guest.sub, lines, &n);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct order_product p;
        long long have = 0;
        rc = store_cart_qty(db, req->auth.sub, lines[i].product_id, &have);
        if (rc < 0) {
            break;
        }
        int got = order_product_get(req, lines[i].product_id, &p);
        if (got == AG_ENOTFOUND) {
            continue;
        }
        if (got < 0) {
            rc = got;
            break;
        }
        long long want = order_cart_add_qty(have, lines[i].qty, p.available);
        json_decref(p.json);
        if (p.active && want > have) {
            rc = store_cart_set(db, req->auth.sub, lines[i].product_id, want);
            if (rc == AG_ECONFLICT) {
                rc = 0; /* the member's cart is full: the rest stays behind */
                break;
            }
        }
    }
    if (rc == 0) {
        rc = store_cart_clear(db, guest.sub);
    }
    return rc < 0 ? rc : cart_reply(req, db, 200);
}

const struct ag_route order_routes[] = {
    {AG_GET, "/api/cart", cart_get, AG_AUTH_ANY, 0, 0},
    {AG_POST, "/api/cart/items", cart_add, AG_AUTH_ANY, 1024, 0},
    {AG_PATCH, "/api/cart/items/{productId}", cart_update, AG_AUTH_ANY, 1024, 0},
    {AG_DELETE, "/api/cart/items/{productId}", cart_remove, AG_AUTH_ANY, 0, 0},
    {AG_POST, "/api/cart/merge", cart_merge, AG_AUTH_USER, 8192, 0},
    {AG_POST, "/api/orders", order_checkout, AG_AUTH_USER, 8192, AG_ROUTE_IDEM_REQUIRED},
    {AG_GET, "/api/orders", orders_list, AG_AUTH_USER, 0, 0},
    {AG_GET, "/api/orders/{id}", order_get, AG_AUTH_USER, 0, 0},
    {AG_POST, "/api/orders/{id}/cancel", order_cancel, AG_AUTH_USER, 1024, 0},
    {AG_POST, "/api/orders/{id}/ship", order_ship, AG_AUTH_ADMIN, 1024, 0},
    {AG_POST, "/api/orders/{id}/deliver", order_deliver, AG_AUTH_ADMIN, 1024, 0},
    {AG_POST, "/api/orders/{id}/refund", order_refund, AG_AUTH_ADMIN, 1024, 0},
};
const size_t order_nroutes = sizeof(order_routes) / sizeof(order_routes[0]);
