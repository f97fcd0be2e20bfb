/*
 * Checkout, POST /api/orders (a signed-in member; X-Idempotency-Key required): the cart's
 * lines at the catalog's prices of the moment, a shipping address (one of the member's, or
 * given inline) and a card become an order, PENDING, which the saga (saga.c) takes through
 * the reservation and the charge. The answer is the order as the saga left it: 201 PAID,
 * 402 when the card was declined, 409 when the stock ran out, 202 while payment is still
 * finding out (the recovery worker settles it); a repeat of the key answers the same.
 */
#include "order.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "agora/card.h"
#include "agora/err.h"
#include "agora/json.h"
#include "agora/log.h"

#define CARD_MAX 64

struct checkout {
    struct order_new n;
    char id[ORDER_ID_LEN + 1];
    char card[CARD_MAX + 1];
    const char *address_id;
    json_t *address; /* owned */
    struct order_item items[ORDER_CART_LINES_MAX];
    json_t *products[ORDER_CART_LINES_MAX]; /* the catalog's, owning the items' strings */
    size_t nproducts;
};

static int
invalid(struct ag_req *req, const char *field, const char *msg)
{
    struct ag_json_err err;
    ag_json_err_set(&err, field, "%s", msg);
    ag_reply_invalid(req, &err);
    return AG_EINVAL;
}

static int
phone_ok(struct ag_str s)
{
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == ' ')) {
            return 0;
        }
    }
    return 1;
}

/* address: {addressId} or {recipient, phone, postalCode, line1, line2?}. */
static int
address_or_reply(struct ag_req *req, const json_t *body, struct checkout *c)
{
    static const char *const keys[] = {"addressId", "recipient", "phone", "postalCode",
                                       "line1",     "line2",     NULL};
    static const struct {
        const char *name;
        size_t min, max;
    } fields[] = {{"recipient", 1, 50},
                  {"phone", 7, 20},
                  {"postalCode", 3, 10},
                  {"line1", 1, 200},
                  {"line2", 0, 200}};
    const json_t *a = json_object_get(body, "address");
    struct ag_json_err err;
    struct ag_str v;

    if (!json_is_object(a) || ag_json_only_keys(a, keys, &err) < 0) {
        return invalid(req, "address",
                       "'address' must be {addressId} or {recipient, phone, postalCode, line1, "
                       "line2}");
    }
    if (json_object_get(a, "addressId") != NULL) {
        if (json_object_size(a) != 1 ||
            ag_json_get_str(req->arena, a, "addressId", AG_JSON_REQUIRED, 1, 64, &v, &err) < 0) {
            return invalid(req, "address.addressId", "'addressId' must be one of your addresses");
        }
        c->address_id = v.ptr;
        return 0;
    }
    c->address = json_object();
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        char name[40];
        snprintf(name, sizeof(name), "address.%s", fields[i].name);
        if (ag_json_get_str(req->arena, a, fields[i].name, fields[i].min > 0 ? AG_JSON_REQUIRED : 0,
                            fields[i].min, fields[i].max, &v, &err) < 0 ||
            (strcmp(fields[i].name, "phone") == 0 && !phone_ok(v))) {
            char msg[96];
            snprintf(msg, sizeof(msg), "'%s' must be text of %zu..%zu characters%s", fields[i].name,
                     fields[i].min, fields[i].max,
                     strcmp(fields[i].name, "phone") == 0 ? " (digits, +, - and spaces)" : "");
            return invalid(req, name, msg);
        }
        json_object_set_new(c->address, fields[i].name, json_string(v.ptr != NULL ? v.ptr : ""));
    }
    return 0;
}

/* payment: {cardNumber} or {token}. */
static int
card_or_reply(struct ag_req *req, const json_t *body, struct checkout *c)
{
    static const char *const keys[] = {"cardNumber", "token", NULL};
    const json_t *p = json_object_get(body, "payment");
    struct ag_json_err err;
    struct ag_str v = AG_STR_NULL;
    const char *why = NULL;

    if (!json_is_object(p) || json_object_size(p) != 1 || ag_json_only_keys(p, keys, &err) < 0) {
        return invalid(req, "payment", "'payment' must be {cardNumber} or {token}");
    }
    if (json_object_get(p, "token") != NULL) {
        if (ag_json_get_str(req->arena, p, "token", AG_JSON_REQUIRED, 5, CARD_MAX, &v, &err) < 0 ||
            strncmp(v.ptr, "tok_", 4) != 0) {
            return invalid(req, "payment.token", "'token' must be a card token (tok_…)");
        }
    } else if (ag_json_get_str(req->arena, p, "cardNumber", AG_JSON_REQUIRED, 12, 19, &v, &err) <
                   0 ||
               ag_card_check(v, &why) < 0) {
        return invalid(req, "payment.cardNumber",
                       why != NULL ? why : "'cardNumber' must be 12..19 digits");
    }
    memcpy(c->card, v.ptr, v.len);
    c->card[v.len] = '\0';
    return 0;
}

static int
parse_or_reply(struct ag_req *req, struct checkout *c)
{
    static const char *const keys[] = {"address", "payment", NULL};
    struct ag_json_err err;
    json_t *body;

    int rc = ag_req_json_or_reply(req, &body);
    if (rc < 0) {
        return rc;
    }
    if (ag_json_only_keys(body, keys, &err) < 0) {
        ag_reply_invalid(req, &err);
        return AG_EINVAL;
    }
    rc = address_or_reply(req, body, c);
    if (rc == 0) {
        rc = card_or_reply(req, body, c);
    }
    return rc;
}

/* The cart's lines at the catalog's prices; 409 (replied) when one cannot be bought now. */
static int
lines_or_reply(struct ag_req *req, PGconn *db, struct checkout *c)
{
    struct cart_line lines[ORDER_CART_LINES_MAX];
    size_t n;

    int rc = store_cart_lines(db, req->auth.sub, lines, &n);
    if (rc < 0) {
        return rc;
    }
    if (n == 0) {
        ag_reply_error(req, AG_ECONFLICT, "the cart is empty");
        return AG_ECONFLICT;
    }
    json_t *problems = json_array();
    for (size_t i = 0; i < n; i++) {
        struct order_product p;
        rc = order_product_get(req, lines[i].product_id, &p);
        if (rc == AG_ENOTFOUND || (rc == 0 && (!p.active || p.available < lines[i].qty))) {
            json_array_append_new(
                problems, json_pack("{s:I,s:I,s:I}", "productId", (json_int_t)lines[i].product_id,
                                    "requested", (json_int_t)lines[i].qty, "available",
                                    (json_int_t)(rc == 0 && p.active ? p.available : 0)));
        }
        if (rc == AG_ENOTFOUND) {
            rc = 0;
            continue;
        }
        if (rc < 0) {
            break;
        }
        struct order_item *it = &c->items[c->nproducts];
        c->products[c->nproducts++] = p.json;
        it->product_id = p.id;
        it->qty = lines[i].qty;
        it->unit_price = p.price;
        it->name = json_string_value(json_object_get(p.json, "name"));
        it->name_en = json_string_value(json_object_get(p.json, "nameEn"));
        it->image_url = json_string_value(json_object_get(p.json, "imageUrl"));
        it->name = it->name != NULL ? it->name : "";
        if (c->n.currency == NULL) {
            c->n.currency = ag_arena_strdup(req->arena, p.currency);
        } else if (strcmp(c->n.currency, p.currency) != 0) {
            json_array_append_new(problems, json_pack("{s:I,s:s}", "productId", (json_int_t)p.id,
                                                      "currency", p.currency));
        }
        c->n.subtotal += p.price * lines[i].qty;
    }
    if (rc == 0 && json_array_size(problems) > 0) {
        ag_reply_error_details(req, AG_ECONFLICT, json_pack("{s:o}", "items", problems),
                               "some products in the cart cannot be bought as they are");
        return AG_ECONFLICT;
    }
    json_decref(problems);
    if (rc == 0 && c->n.subtotal <= 0) {
        ag_reply_error(req, AG_ECONFLICT, "the cart has nothing to pay for");
        return AG_ECONFLICT;
    }
    return rc;
}

/* The answer for an order as it stands (the first time, or a repeat of its key after the
 * router's record of it was not kept, a 5xx say): see the file's comment. */
static int
order_reply(struct ag_req *req, PGconn *db, const struct order_row *o)
{
    const char *text = NULL;
    size_t len = 0;

    if (o->status == ORDER_CANCELLED) {
        json_t *details = json_pack("{s:s,s:s}", "orderId", o->id, "reason", o->reason);
        if (strncmp(o->reason, "payment_declined", 16) == 0) {
            return ag_reply_error_details(req, AG_EDECLINED, details, "the card was declined");
        }
        if (strcmp(o->reason, "out_of_stock") == 0) {
            return ag_reply_error_details(req, AG_ECONFLICT, details,
                                          "some products sold out meanwhile; nothing was charged");
        }
        return ag_reply_error_details(req, AG_EUNAVAIL, details,
                                      "the order could not be completed; nothing was charged");
    }
    int rc = store_order_json(req->arena, db, o->id, NULL, &text, &len);
    if (rc < 0) {
        return rc;
    }
    return ag_reply_json_text(req, o->status == ORDER_PENDING ? 202 : 201, text, len);
}

/* An order made under the request's key before: its answer, if the body is the same. */
static int
repeat_reply(struct ag_req *req, PGconn *db, const struct order_row *o, int same)
{
    if (!same) {
        return ag_reply_error(req, AG_EIDEMMISMATCH,
                              "this idempotency key was used for another checkout");
    }
    return order_reply(req, db, o);
}

static void
checkout_release(struct checkout *c)
{
    sodium_memzero(c->card, sizeof(c->card));
    json_decref(c->address);
    for (size_t i = 0; i < c->nproducts; i++) {
        json_decref(c->products[i]);
    }
}

/* The fingerprint of the request: its body's hash (the card in it too, so another card
 * under the same key is another request). */
static const char *
fingerprint(struct ag_req *req)
{
    unsigned char h[16];
    char *hex = ag_arena_alloc(req->arena, sizeof(h) * 2 + 1);
    crypto_generichash(h, sizeof(h), (const unsigned char *)req->body, req->body_len, NULL, 0);
    return sodium_bin2hex(hex, sizeof(h) * 2 + 1, h, sizeof(h));
}

static const char *
idem_key(const struct ag_req *req)
{
    const char *k = ag_req_header(req, "X-Idempotency-Key");
    return k != NULL ? k : ag_req_header(req, "Idempotency-Key");
}

static int
checkout_run(struct ag_req *req, struct checkout *c)
{
    const struct order_app *app = req->app;
    struct order_row o;
    int created = 0, same = 0;
    PGconn *db = NULL;

    int rc = parse_or_reply(req, c);
    if (rc == 0) {
        rc = ag_req_db(req, &db);
    }
    if (rc < 0) {
        return rc;
    }
    c->n.owner = req->auth.sub;
    c->n.idem_key = idem_key(req);
    c->n.fingerprint = fingerprint(req);
    /* A repeat of a checkout that went through (or died) answers that order. */
    rc = store_order_by_key(db, c->n.owner, c->n.idem_key, c->n.fingerprint, &o, &same);
    if (rc != AG_ENOTFOUND) {
        return rc < 0 ? rc : repeat_reply(req, db, &o, same);
    }
    rc = lines_or_reply(req, db, c);
    if (rc == 0 && c->address_id != NULL) {
        rc = peer_address(req, c->address_id, &c->address);
        if (rc == AG_ENOTFOUND) {
            return invalid(req, "address.addressId", "no such address of yours");
        }
    }
    if (rc < 0) {
        return rc;
    }
    c->n.shipping_fee =
        order_shipping_fee(c->n.subtotal, app->cfg->shipping_fee, app->cfg->free_shipping_over);
    c->n.address_json = ag_json_dump(req->arena, c->address, NULL);
    order_id_new(c->id);
    c->n.id = c->id;
    c->n.items = c->items;
    c->n.nitems = c->nproducts;
    c->n.lease_s = app->cfg->lease_s;
    rc = store_order_create(db, &c->n, &o, &created, &same);
    if (rc < 0) {
        return rc;
    }
    if (!created) {
        return repeat_reply(req, db, &o, same); /* a concurrent twin got there first */
    }
    ag_log(AG_LOG_INFO, req->request_id, "order %s: created for %s, total %lld %s", o.id, o.owner,
           o.total, o.currency);
    order_crash_point(app, "created", o.id);
    rc = order_saga_run(app, db, req->request_id, &o, c->card, c->items, c->nproducts);
    sodium_memzero(c->card, sizeof(c->card));
    order_background_wake(app->bg); /* the outbox, now */
    if (rc < 0 && o.status == ORDER_PENDING) {
        return rc;
    }
    return order_reply(req, db, &o);
}

/* POST /api/orders {address, payment} */
int
order_checkout(struct ag_req *req)
{
    struct checkout c;
    memset(&c, 0, sizeof(c));
    int rc = checkout_run(req, &c);
    checkout_release(&c);
    return rc;
}
