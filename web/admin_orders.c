/*
 * The orders' admin page (admins only): every order, newest first, with a status filter, and
 * per order the buttons its state allows: ship (PAID), deliver (SHIPPED), refund (PAID,
 * SHIPPED or DELIVERED) and cancel (PAID). Each button is a plain POST with the CSRF token to
 * /admin/orders/{id}/{action}, which calls the order service and sends the browser back to
 * the same list (303) with a notice; a refusal shows the list again with the reason.
 */
#include "web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agora/err.h"
#include "agora/log.h"

#define LIST_SIZE     20
#define LIST_MAX_PAGE 100000

static const char *const statuses[] = {"PENDING",   "PAID",      "SHIPPED",
                                       "DELIVERED", "CANCELLED", "REFUNDED"};
#define NSTATUSES (sizeof(statuses) / sizeof(statuses[0]))

static const char *const actions[] = {"ship", "deliver", "refund", "cancel"};
#define NACTIONS (sizeof(actions) / sizeof(actions[0]))

/* 'status' when it is one of the order statuses, else "all". Borrowed. */
static const char *
status_filter(const char *status)
{
    for (size_t i = 0; status != NULL && i < NSTATUSES; i++) {
        if (strcmp(status, statuses[i]) == 0) {
            return statuses[i];
        }
    }
    return "all";
}

static long
page_of(const char *p)
{
    long page = p != NULL ? strtol(p, NULL, 10) : 1;
    return page >= 1 && page <= LIST_MAX_PAGE ? page : 1;
}

static json_t *
status_options(struct ag_req *req, const struct web_visit *v, const char *chosen)
{
    json_t *out = json_array();
    json_array_append_new(out, json_pack("{s:s,s:s,s:b}", "value", "all", "label",
                                         web_text(req, v, "admin_status_all"), "selected",
                                         strcmp(chosen, "all") == 0));
    for (size_t i = 0; i < NSTATUSES; i++) {
        json_array_append_new(out, json_pack("{s:s,s:s,s:b}", "value", statuses[i], "label",
                                             web_order_status_text(req, v, statuses[i]), "selected",
                                             strcmp(chosen, statuses[i]) == 0));
    }
    return out;
}

/*
 * The list page of orders of 'status' ("all" or one) at 'page', with 'code' and an 'alert'
 * (may be NULL) or the notice of 'done' (an action, may be NULL).
 */
static int
list_page(struct ag_req *req, struct web_visit *v, const char *status, long page, int code,
          const char *alert, const char *done)
{
    long st = 0;
    const char *filter =
        strcmp(status, "all") != 0 ? ag_arena_printf(req->arena, "&status=%s", status) : "";
    json_t *data =
        web_admin_fetch(req, v,
                        ag_arena_printf(req->arena, "/api/orders?scope=all&size=%d&page=%ld%s",
                                        LIST_SIZE, page, filter),
                        &st);
    json_t *d = web_page_data(req, v, "admin_orders_title");
    if (!json_is_array(json_object_get(data, "items"))) {
        json_decref(data);
        json_object_set_new(d, "message", json_string(web_text(req, v, "error_unavailable")));
        return web_page_reply(req, 503, "error", d);
    }
    json_t *rows = json_array();
    size_t i;
    const json_t *o;
    json_array_foreach(json_object_get(data, "items"), i, o)
    {
        json_array_append_new(rows, web_order_view(req, v, o));
    }
    json_object_set_new(d, "orders", rows);
    json_object_set_new(d, "total",
                        json_integer(json_integer_value(json_object_get(data, "total"))));
    json_object_set_new(d, "statuses", status_options(req, v, status));
    json_object_set_new(d, "filter", json_string(status)); /* not "status": each row has its own */
    json_object_set_new(d, "page", json_integer(page));
    json_t *pager =
        web_pager(req, ag_arena_printf(req->arena, "/admin/orders?status=%s&page=", status), page,
                  (long)json_integer_value(json_object_get(data, "pages")));
    if (pager != NULL) {
        json_object_set_new(d, "pager", pager);
    }
    json_decref(data);
    if (alert != NULL) {
        json_object_set_new(d, "alert", json_string(alert));
    }
    if (done != NULL) {
        const char *key = ag_arena_printf(req->arena, "admin_orders_done_%s", done);
        json_object_set_new(d, "notice", json_string(web_text(req, v, key)));
    }
    return web_page_reply(req, code, "admin-orders", d);
}

/* The action 'a' when it is one of ours, else NULL. Borrowed. */
static const char *
action_of(const char *a)
{
    for (size_t i = 0; a != NULL && i < NACTIONS; i++) {
        if (strcmp(a, actions[i]) == 0) {
            return actions[i];
        }
    }
    return NULL;
}

/* GET /admin/orders[?status=all|PENDING|…&page=N&done=<action>] */
int
web_admin_orders(struct ag_req *req)
{
    struct web_visit v;

    int rc = web_admin_or_reply(req, &v, NULL);
    if (rc < 0) {
        return rc;
    }
    return list_page(req, &v, status_filter(ag_req_query(req, "status")),
                     page_of(ag_req_query(req, "page")), 200, NULL,
                     action_of(ag_req_query(req, "done")));
}

/* POST /admin/orders/{id}/{action}: _csrf, status and page (the list to go back to) */
int
web_admin_order_action(struct ag_req *req)
{
    struct web_visit v;
    struct ag_uri f;
    struct ag_httpc_resp resp;

    int rc = web_admin_or_reply(req, &v, &f);
    if (rc < 0) {
        return rc;
    }
    struct ag_str a = ag_req_param(req, "action");
    const char *action = action_of(ag_arena_strndup(req->arena, a.ptr, a.len));
    const char *id = web_order_id_param(req, "id");
    if (action == NULL || id == NULL) {
        return web_not_found(req);
    }
    const char *status = status_filter(ag_form_get(&f, "status"));
    long page = page_of(ag_form_get(&f, "page"));
    json_t *body = json_object();
    rc =
        web_api_write(req, &v, "POST", ag_arena_printf(req->arena, "/api/orders/%s/%s", id, action),
                      body, NULL, &resp);
    json_decref(body);
    long got = rc == 0 ? resp.status : 503;
    const char *why = rc == 0 && got < 500 ? web_resp_message(&resp) : NULL;
    why = why != NULL ? ag_arena_strdup(req->arena, why) : NULL;
    ag_httpc_resp_release(&resp);
    if (got == 200 || got == 202) {
        ag_log(AG_LOG_INFO, req->request_id, "admin %s: order %s: %s", v.claims.sub, id, action);
        return web_redirect(req,
                            ag_arena_printf(req->arena, "/admin/orders?status=%s&page=%ld&done=%s",
                                            status, page, action));
    }
    if (got >= 500) {
        why = web_text(req, &v, "error_unavailable");
    }
    const char *key = ag_arena_printf(req->arena, "admin_orders_refused_%s", action);
    const char *const pairs[] = {"{why}", why != NULL ? why : "", NULL};
    return list_page(req, &v, status, page, got >= 400 && got < 500 ? (int)got : 503,
                     web_text_fill(req, &v, key, pairs), NULL);
}
