/*
 * The cart pages: the cart (lines priced by the order service from the catalog of the
 * moment, with a quantity form and a remove button each, the shipping fee, the total and how
 * much more ships free, and the way to checkout) and the forms that change it, which work
 * without JavaScript (a post, then 303 back to the cart). The checkout page shows the same
 * lines and totals (web_cart_view).
 */
#include "web.h"

#include <stdio.h>
#include <string.h>

#include "agora/err.h"
#include "agora/log.h"

/* 'amount' of the cart's currency as the visitor reads it. */
static json_t *
price_of(struct ag_req *req, const struct web_visit *v, const json_t *obj, const char *field,
         const char *currency)
{
    return json_string(
        web_price_text(req, v, json_integer_value(json_object_get(obj, field)), currency));
}

/* One line of the cart as the page shows it. */
static json_t *
cart_line(struct ag_req *req, const struct web_visit *v, const json_t *it)
{
    const char *currency = json_string_value(json_object_get(it, "currency"));
    const char *name = web_name_of(v, it);
    json_t *line = json_pack(
        "{s:I,s:s,s:I,s:b}", "productId", json_integer_value(json_object_get(it, "productId")),
        "name", name != NULL ? name : "?", "qty", json_integer_value(json_object_get(it, "qty")),
        "available", json_is_true(json_object_get(it, "available")));
    json_object_set_new(line, "unit_price", price_of(req, v, it, "unitPrice", currency));
    json_object_set_new(line, "line_total", price_of(req, v, it, "lineTotal", currency));
    return line;
}

/* The cart's totals: subtotal, shipping (or free_shipping), total, free_hint. */
static void
cart_totals(struct ag_req *req, const struct web_visit *v, const json_t *cart, json_t *d)
{
    const char *currency = json_string_value(json_object_get(cart, "currency"));
    json_int_t subtotal = json_integer_value(json_object_get(cart, "subtotal"));
    json_int_t fee = json_integer_value(json_object_get(cart, "shippingFee"));
    json_int_t free_over = json_integer_value(json_object_get(cart, "freeShippingOver"));

    json_object_set_new(d, "subtotal", price_of(req, v, cart, "subtotal", currency));
    json_object_set_new(d, "total", price_of(req, v, cart, "total", currency));
    if (fee <= 0) {
        json_object_set_new(d, "free_shipping", json_true());
        return;
    }
    json_object_set_new(d, "shipping", price_of(req, v, cart, "shippingFee", currency));
    if (free_over > subtotal) {
        const char *const pairs[] = {"{n}", web_price_text(req, v, free_over - subtotal, currency),
                                     "{over}", web_price_text(req, v, free_over, currency), NULL};
        json_object_set_new(d, "free_hint",
                            json_string(web_text_fill(req, v, "cart_free_hint", pairs)));
    }
}

int
web_cart_view(struct ag_req *req, struct web_visit *v, json_t *d, size_t *lines)
{
    struct ag_httpc_resp resp;

    *lines = 0;
    int rc = web_api_call(req, v, "GET", "/api/cart", NULL, NULL, &resp);
    if (rc != 0 || resp.status >= 500) {
        ag_httpc_resp_release(&resp);
        return AG_EUNAVAIL;
    }
    /* A 4xx: a visitor without a session has no cart yet. */
    const json_t *cart = resp.status == 200 ? json_object_get(resp.json, "data") : NULL;
    const json_t *items = json_object_get(cart, "items");
    json_t *out = json_array();
    size_t i;
    const json_t *it;
    json_array_foreach(items, i, it)
    {
        json_array_append_new(out, cart_line(req, v, it));
    }
    *lines = json_array_size(out);
    json_object_set_new(d, "items", out);
    json_object_set_new(d, "has_items", json_boolean(*lines > 0));
    if (*lines > 0) {
        cart_totals(req, v, cart, d);
    }
    ag_httpc_resp_release(&resp);
    return 0;
}

/* The cart page, with 'alert' (may be NULL) and 'status'. */
static int
cart_page(struct ag_req *req, struct web_visit *v, int status, const char *alert)
{
    size_t lines;
    json_t *d = web_page_data(req, v, "cart_title");

    if (web_cart_view(req, v, d, &lines) < 0) {
        alert = web_text(req, v, "cart_unavailable");
    }
    if (alert != NULL) {
        json_object_set_new(d, "alert", json_string(alert));
    }
    return web_page_reply(req, status, "cart", d);
}

/* GET /cart */
int
web_cart(struct ag_req *req)
{
    struct web_visit v;
    web_visit_begin(req, &v, WEB_VISIT_GUEST);
    return cart_page(req, &v, 200, NULL);
}

/* The answer to a cart change: 303 to the cart, or the cart with the order service's reason. */
static int
changed(struct ag_req *req, struct web_visit *v, int rc, struct ag_httpc_resp *resp)
{
    int status = rc == 0 ? (int)resp->status : 503;
    const char *why = rc == 0 ? web_resp_message(resp) : NULL;
    why = why != NULL ? ag_arena_strdup(req->arena, why) : NULL;
    ag_httpc_resp_release(resp);
    if (status >= 200 && status < 300) {
        return web_redirect(req, "/cart");
    }
    return cart_page(req, v, status >= 400 && status < 500 ? status : 503,
                     why != NULL && status < 500 ? why : web_text(req, v, "cart_unavailable"));
}

/* A form's positive integer field 'name' (at most 18 digits), or -1. */
static long long
number_of(const struct ag_uri *f, const char *name)
{
    long long n;
    const char *s = ag_form_get(f, name);
    return s != NULL && web_admin_number_of(s, &n) == 0 && n > 0 ? n : -1;
}

/* The path's {pid}, or -1. */
static long long
pid_param(struct ag_req *req)
{
    struct ag_str s = ag_req_param(req, "pid");
    char buf[24];
    long long n;
    if (s.len == 0 || s.len >= sizeof(buf)) {
        return -1;
    }
    memcpy(buf, s.ptr, s.len);
    buf[s.len] = '\0';
    return web_admin_number_of(buf, &n) == 0 && n > 0 ? n : -1;
}

/* POST /cart/items: productId, quantity (the product page's form) */
int
web_cart_add(struct ag_req *req)
{
    struct web_visit v;
    struct ag_httpc_resp resp;
    struct ag_uri f;

    web_visit_begin(req, &v, WEB_VISIT_GUEST);
    int rc = web_form_or_reply(req, &v, &f);
    if (rc < 0) {
        return rc;
    }
    long long id = number_of(&f, "productId"), qty = number_of(&f, "quantity");
    if (id < 0 || qty < 0 || qty > 99) {
        return cart_page(req, &v, 400, web_text(req, &v, "cart_bad_quantity"));
    }
    json_t *body = json_pack("{s:I,s:I}", "productId", (json_int_t)id, "qty", (json_int_t)qty);
    rc = web_api_call(req, &v, "POST", "/api/cart/items", body, NULL, &resp);
    json_decref(body);
    return changed(req, &v, rc, &resp);
}

/* POST /cart/items/{pid}: quantity */
int
web_cart_update(struct ag_req *req)
{
    struct web_visit v;
    struct ag_httpc_resp resp;
    struct ag_uri f;
    char path[64];

    web_visit_begin(req, &v, WEB_VISIT_GUEST);
    int rc = web_form_or_reply(req, &v, &f);
    if (rc < 0) {
        return rc;
    }
    long long id = pid_param(req), qty = number_of(&f, "quantity");
    if (id < 0 || qty < 0 || qty > 99) {
        return cart_page(req, &v, 400, web_text(req, &v, "cart_bad_quantity"));
    }
    snprintf(path, sizeof(path), "/api/cart/items/%lld", id);
    json_t *body = json_pack("{s:I}", "qty", (json_int_t)qty);
    rc = web_api_call(req, &v, "PATCH", path, body, NULL, &resp);
    json_decref(body);
    return changed(req, &v, rc, &resp);
}

/* POST /cart/items/{pid}/remove */
int
web_cart_remove(struct ag_req *req)
{
    struct web_visit v;
    struct ag_httpc_resp resp;
    struct ag_uri f;
    char path[64];

    web_visit_begin(req, &v, WEB_VISIT_GUEST);
    int rc = web_form_or_reply(req, &v, &f);
    if (rc < 0) {
        return rc;
    }
    long long id = pid_param(req);
    if (id < 0) {
        return web_redirect(req, "/cart");
    }
    snprintf(path, sizeof(path), "/api/cart/items/%lld", id);
    rc = web_api_call(req, &v, "DELETE", path, NULL, NULL, &resp);
    return changed(req, &v, rc, &resp);
}
