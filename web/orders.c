/*
 * The member's orders: the history (newest first, paginated), one order with its lines,
 * totals, address, card, the timeline of its states and a cancel button while it may be
 * cancelled, and the cancel form (a post, then 303 back to the order). An order whose payment
 * is still being confirmed shows so and reloads itself every two seconds (a meta refresh, and
 * an htmx poll of its section when scripts run) until it has settled; a link reloads it too.
 * The view of one order is shared with the admin's list (admin_orders.c).
 */
#include "web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agora/err.h"
#include "agora/log.h"

#define ORDERS_PAGE_SIZE 10
#define ORDERS_MAX_PAGE  100000
#define ORDER_ID_LEN     28 /* "ord_" and 24 hex digits */
#define ORDER_SHORT_LEN  12 /* "ord_" and the first 8 hex digits */
#define PENDING_REFRESH  "2"

const char *
web_order_status_text(struct ag_req *req, const struct web_visit *v, const char *status)
{
    char key[AG_I18N_MAX_KEY + 1];
    size_t n = (size_t)snprintf(key, sizeof(key), "order_status_%s", status != NULL ? status : "");
    for (size_t i = 0; i < n && i < sizeof(key); i++) {
        key[i] = (char)(key[i] >= 'A' && key[i] <= 'Z' ? key[i] + 32 : key[i]);
    }
    const char *text = web_text(req, v, key);
    return strcmp(text, key) != 0 || status == NULL ? text : status;
}

const char *
web_order_reason_text(struct ag_req *req, const struct web_visit *v, const char *reason)
{
    char key[AG_I18N_MAX_KEY + 1];

    if (reason == NULL) {
        return NULL;
    }
    /* "payment_declined:stolen_card" is the key order_reason_payment_declined_stolen_card. */
    size_t n = (size_t)snprintf(key, sizeof(key), "order_reason_%s", reason);
    for (size_t i = 0; i < n && i < sizeof(key); i++) {
        char c = key[i];
        key[i] = (char)(c >= 'A' && c <= 'Z'                               ? c + 32
                        : (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c
                                                                           : '_');
    }
    if (n >= sizeof(key)) {
        return reason; /* no key that long */
    }
    const char *text = web_text(req, v, key); /* 'key' itself when there is no such text */
    return text == key || strcmp(text, key) == 0 ? reason : text;
}

const char *
web_order_id_param(struct ag_req *req, const char *name)
{
    struct ag_str p = ag_req_param(req, name);
    if (p.len != ORDER_ID_LEN || memcmp(p.ptr, "ord_", 4) != 0) {
        return NULL;
    }
    for (size_t i = 4; i < p.len; i++) {
        char c = p.ptr[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return NULL;
        }
    }
    return ag_arena_strndup(req->arena, p.ptr, p.len);
}

/* A string field of 'obj', "" when absent (templates look a missing name up outside). */
static const char *
str_of(const json_t *obj, const char *field)
{
    const char *s = json_string_value(json_object_get(obj, field));
    return s != NULL ? s : "";
}

static json_t *
money(struct ag_req *req, const struct web_visit *v, const json_t *o, const char *field)
{
    return json_string(web_price_text(req, v, json_integer_value(json_object_get(o, field)),
                                      json_string_value(json_object_get(o, "currency"))));
}

static json_t *
order_lines(struct ag_req *req, const struct web_visit *v, const json_t *o)
{
    const char *currency = json_string_value(json_object_get(o, "currency"));
    json_t *lines = json_array();
    size_t i;
    const json_t *it;

    json_array_foreach(json_object_get(o, "items"), i, it)
    {
        const char *name = web_name_of(v, it);
        const char *image = web_image_url(req, json_string_value(json_object_get(it, "imageUrl")));
        json_t *line = json_pack(
            "{s:I,s:s,s:I,s:s,s:s,s:s}", "productId",
            json_integer_value(json_object_get(it, "productId")), "name", name != NULL ? name : "?",
            "qty", json_integer_value(json_object_get(it, "qty")), "unit_price",
            web_price_text(req, v, json_integer_value(json_object_get(it, "unitPrice")), currency),
            "line_total",
            web_price_text(req, v, json_integer_value(json_object_get(it, "lineTotal")), currency),
            "image", image != NULL ? image : "");
        json_array_append_new(lines, line);
    }
    return lines;
}

/* The first line's name, and "외 N건" / "and N more" for the other lines. */
static const char *
order_summary(struct ag_req *req, const struct web_visit *v, const json_t *lines)
{
    size_t n = json_array_size(lines);
    const char *first = n > 0 ? str_of(json_array_get(lines, 0), "name") : "";
    if (n <= 1) {
        return first;
    }
    char more[24];
    snprintf(more, sizeof(more), "%zu", n - 1);
    const char *const pairs[] = {"{name}", first, "{n}", more, NULL};
    return web_text_fill(req, v, "orders_summary_more", pairs);
}

static const char *
lower(struct ag_req *req, const char *s)
{
    char *out = ag_arena_strdup(req->arena, s);
    for (char *p = out; *p != '\0'; p++) {
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    }
    return out;
}

static json_t *
order_history(struct ag_req *req, const struct web_visit *v, const json_t *o)
{
    json_t *out = json_array();
    size_t i;
    const json_t *e;

    json_array_foreach(json_object_get(o, "history"), i, e)
    {
        const char *reason = json_string_value(json_object_get(e, "reason"));
        /* The first event comes from no state: the order was placed. */
        const char *to_text = json_is_string(json_object_get(e, "from"))
                                  ? web_order_status_text(req, v, str_of(e, "to"))
                                  : web_text(req, v, "order_history_placed");
        json_array_append_new(
            out, json_pack(
                     "{s:s,s:s,s:s,s:s}", "to_class", lower(req, str_of(e, "to")), "to_text",
                     to_text, "at", web_time_text(req, json_string_value(json_object_get(e, "at"))),
                     "reason_text", reason != NULL ? web_order_reason_text(req, v, reason) : ""));
    }
    return out;
}

/* What the state allows: the same rules as the order service's (orders_api.c). */
static void
order_actions(const json_t *o, json_t *view)
{
    const char *status = str_of(o, "status");
    const char *step = str_of(o, "step");
    int done = strcmp(step, "done") == 0;
    int paid = strcmp(status, "PAID") == 0;
    int shipped = strcmp(status, "SHIPPED") == 0;

    json_object_set_new(view, "can_cancel",
                        json_boolean(paid && (done || strcmp(step, "commit") == 0)));
    json_object_set_new(view, "can_ship", json_boolean(paid && done));
    json_object_set_new(view, "can_deliver", json_boolean(shipped && done));
    json_object_set_new(
        view, "can_refund",
        json_boolean(done && (paid || shipped || strcmp(status, "DELIVERED") == 0)));
}

json_t *
web_order_view(struct ag_req *req, const struct web_visit *v, const json_t *o)
{
    const char *id = str_of(o, "id");
    const char *status = str_of(o, "status");
    const char *reason = json_string_value(json_object_get(o, "reason"));
    const json_t *a = json_object_get(o, "address");
    const json_t *card = json_object_get(o, "card");
    json_t *lines = order_lines(req, v, o);

    json_t *view =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I}", "id", id, "short",
                  ag_arena_strndup(req->arena, id, ORDER_SHORT_LEN), "href",
                  ag_arena_printf(req->arena, "/orders/%s", id), "owner", str_of(o, "owner"),
                  "status", status, "status_text", web_order_status_text(req, v, status),
                  "status_class", lower(req, status), "date",
                  web_time_text(req, json_string_value(json_object_get(o, "createdAt"))),
                  "item_count", json_integer_value(json_object_get(o, "itemCount")));
    json_object_set_new(view, "summary", json_string(order_summary(req, v, lines)));
    json_object_set_new(view, "lines", lines);
    json_object_set_new(view, "subtotal", money(req, v, o, "subtotal"));
    json_object_set_new(view, "total", money(req, v, o, "total"));
    if (json_integer_value(json_object_get(o, "shippingFee")) > 0) {
        json_object_set_new(view, "shipping", money(req, v, o, "shippingFee"));
    } else {
        json_object_set_new(view, "free_shipping", json_true());
    }
    json_object_set_new(view, "reason_text",
                        json_string(reason != NULL ? web_order_reason_text(req, v, reason) : ""));
    json_object_set_new(view, "pending", json_boolean(strcmp(status, "PENDING") == 0));
    json_object_set_new(view, "address",
                        json_pack("{s:s,s:s,s:s,s:s,s:s}", "recipient", str_of(a, "recipient"),
                                  "phone", str_of(a, "phone"), "postalCode",
                                  str_of(a, "postalCode"), "line1", str_of(a, "line1"), "line2",
                                  str_of(a, "line2")));
    if (json_is_object(card)) {
        json_object_set_new(
            view, "card",
            json_pack("{s:s,s:s}", "brand", str_of(card, "brand"), "last4", str_of(card, "last4")));
    }
    json_object_set_new(view, "history", order_history(req, v, o));
    order_actions(o, view);
    return view;
}

/* The visitor must be signed in: 303 to log in and come back to 'back' otherwise. */
static int
member_or_reply(struct ag_req *req, const struct web_visit *v, const char *back)
{
    if (v->signed_in) {
        return 0;
    }
    web_redirect(req,
                 ag_arena_printf(req->arena, "/login?next=%s", web_query_escape(req->arena, back)));
    return AG_EUNAUTH;
}

static int
unavailable_page(struct ag_req *req, const struct web_visit *v)
{
    json_t *d = web_page_data(req, v, "error_title");
    json_object_set_new(d, "message", json_string(web_text(req, v, "error_unavailable")));
    return web_page_reply(req, 503, "error", d);
}

/* GET /orders[?page=N]: the member's orders, newest first. */
int
web_orders(struct ag_req *req)
{
    struct web_visit v;
    struct ag_httpc_resp resp;

    web_visit_begin(req, &v, WEB_VISIT_GUEST);
    int rc = member_or_reply(req, &v, "/orders");
    if (rc < 0) {
        return rc;
    }
    const char *p = ag_req_query(req, "page");
    long page = p != NULL ? strtol(p, NULL, 10) : 1;
    page = page >= 1 && page <= ORDERS_MAX_PAGE ? page : 1;
    const char *path =
        ag_arena_printf(req->arena, "/api/orders?page=%ld&size=%d", page, ORDERS_PAGE_SIZE);
    rc = web_api_call(req, &v, "GET", path, NULL, NULL, &resp);
    const json_t *data = rc == 0 && resp.status == 200 ? json_object_get(resp.json, "data") : NULL;
    if (!json_is_array(json_object_get(data, "items"))) {
        long status = rc == 0 ? resp.status : 503;
        ag_httpc_resp_release(&resp);
        return status == 401 ? web_redirect(req, "/login?next=/orders") : unavailable_page(req, &v);
    }
    json_t *d = web_page_data(req, &v, "orders_title");
    json_t *rows = json_array();
    size_t i;
    const json_t *o;
    json_array_foreach(json_object_get(data, "items"), i, o)
    {
        json_array_append_new(rows, web_order_view(req, &v, o));
    }
    json_object_set_new(d, "orders", rows);
    json_object_set_new(d, "total",
                        json_integer(json_integer_value(json_object_get(data, "total"))));
    json_t *pager = web_pager(req, "/orders?page=", page,
                              (long)json_integer_value(json_object_get(data, "pages")));
    if (pager != NULL) {
        json_object_set_new(d, "pager", pager);
    }
    ag_httpc_resp_release(&resp);
    return web_page_reply(req, 200, "orders", d);
}

/*
 * The order page of 'id' with 'status'; 'alert' (may be NULL) says why an action failed.
 * 404 for no order of this visitor's, 303 to log in when the session is over.
 */
static int
order_page(struct ag_req *req, struct web_visit *v, const char *id, int status, const char *alert)
{
    struct ag_httpc_resp resp;

    int rc = web_api_call(req, v, "GET", ag_arena_printf(req->arena, "/api/orders/%s", id), NULL,
                          NULL, &resp);
    long got = rc == 0 ? resp.status : 503;
    if (got != 200 || !json_is_object(json_object_get(resp.json, "data"))) {
        ag_httpc_resp_release(&resp);
        if (got == 404 || got == 403) {
            return web_missing_page(req, v, 404, "order_missing_heading", "order_missing_text");
        }
        if (got == 401) {
            return web_redirect(req, ag_arena_printf(req->arena, "/login?next=/orders/%s", id));
        }
        return unavailable_page(req, v);
    }
    json_t *d = web_page_data(req, v, "order_title");
    json_t *view = web_order_view(req, v, json_object_get(resp.json, "data"));
    ag_httpc_resp_release(&resp);
    int pending = json_is_true(json_object_get(view, "pending"));
    const char *placed = ag_req_query(req, "placed");
    const char *cancelled = ag_req_query(req, "cancelled");
    int thanks = placed != NULL && strcmp(placed, "1") == 0;
    if (thanks && strcmp(json_string_value(json_object_get(view, "status")), "CANCELLED") != 0) {
        json_object_set_new(d, "placed", json_true());
    }
    if (cancelled != NULL && strcmp(cancelled, "1") == 0) {
        json_object_set_new(d, "cancelled", json_true());
    }
    if (pending) {
        /* The poll asks for this page as it is, the thank-you banner too. */
        json_object_set_new(d, "refresh", json_string(PENDING_REFRESH));
        json_object_set_new(d, "poll_url",
                            json_string(ag_arena_printf(req->arena, "/orders/%s%s", id,
                                                        thanks ? "?placed=1" : "")));
    }
    if (alert != NULL) {
        json_object_set_new(d, "alert", json_string(alert));
    }
    json_object_set_new(d, "order", view);
    return web_page_reply(req, status, "order", d);
}

/* GET /orders/{id}[?placed=1|cancelled=1] */
int
web_order(struct ag_req *req)
{
    struct web_visit v;

    web_visit_begin(req, &v, WEB_VISIT_GUEST);
    const char *id = web_order_id_param(req, "id");
    int rc = member_or_reply(
        req, &v, id != NULL ? ag_arena_printf(req->arena, "/orders/%s", id) : "/orders");
    if (rc < 0) {
        return rc;
    }
    if (id == NULL) {
        return web_missing_page(req, &v, 404, "order_missing_heading", "order_missing_text");
    }
    return order_page(req, &v, id, 200, NULL);
}

/* POST /orders/{id}/cancel: a paid order is refunded; 303 back to it. */
int
web_order_cancel(struct ag_req *req)
{
    struct web_visit v;
    struct ag_uri f;
    struct ag_httpc_resp resp;

    web_visit_begin(req, &v, 0);
    int rc = web_form_or_reply(req, &v, &f);
    if (rc < 0) {
        return rc;
    }
    const char *id = web_order_id_param(req, "id");
    rc = member_or_reply(req, &v,
                         id != NULL ? ag_arena_printf(req->arena, "/orders/%s", id) : "/orders");
    if (rc < 0) {
        return rc;
    }
    if (id == NULL) {
        return web_missing_page(req, &v, 404, "order_missing_heading", "order_missing_text");
    }
    json_t *body = json_object();
    rc = web_api_write(req, &v, "POST", ag_arena_printf(req->arena, "/api/orders/%s/cancel", id),
                       body, NULL, &resp);
    json_decref(body);
    long status = rc == 0 ? resp.status : 503;
    ag_httpc_resp_release(&resp);
    if (status == 200 || status == 202) {
        return web_redirect(req, ag_arena_printf(req->arena, "/orders/%s?cancelled=1", id));
    }
    if (status == 404 || status == 401) {
        return order_page(req, &v, id, (int)status, NULL); /* says so, or sends to log in */
    }
    if (status == 409) {
        return order_page(req, &v, id, 409, web_text(req, &v, "order_cannot_cancel"));
    }
    ag_log(AG_LOG_WARN, req->request_id, "cancel of order %s: HTTP %ld", id, status);
    return order_page(req, &v, id, 503, web_text(req, &v, "error_unavailable"));
}
