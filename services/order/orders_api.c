/*
 * Orders after checkout: the caller's list and one order (its owner or an admin; anyone else
 * sees 404, as for no order), cancelling (a paid order is refunded and its units go back),
 * and the admin's list of every order and its actions: ship, deliver, refund.
 */
#include "order.h"

#include <stdio.h>
#include <string.h>

#include "agora/err.h"
#include "agora/log.h"

#define PAGE_SIZE_MAX 50

static int
is_admin(const struct ag_req *req)
{
    return req->auth.role == AG_ROLE_ADMIN;
}

/* The path's order, if the caller may see it (404, replied, otherwise), and the request's
 * database connection. */
static int
order_or_reply(struct ag_req *req, PGconn **out, struct order_row *o)
{
    struct ag_str id = ag_req_param(req, "id");
    PGconn *db = NULL;
    memset(o, 0, sizeof(*o));
    int rc = ag_req_db(req, &db);
    *out = db;
    if (rc < 0) {
        return rc;
    }
    rc = order_id_check(id);
    if (rc == 0) {
        rc = store_order_row(db, ag_arena_strndup(req->arena, id.ptr, id.len), o);
    }
    if (rc == 0 && !is_admin(req) && strcmp(o->owner, req->auth.sub) != 0) {
        rc = AG_ENOTFOUND;
    }
    if (rc == AG_EINVAL || rc == AG_ENOTFOUND) {
        ag_reply_error(req, AG_ENOTFOUND, "order not found");
        return AG_ENOTFOUND;
    }
    return rc;
}

static int
json_reply(struct ag_req *req, PGconn *db, const struct order_row *o, int status)
{
    const char *text = NULL;
    size_t len = 0;
    int rc = store_order_json(req->arena, db, o->id, NULL, &text, &len);
    return rc < 0 ? rc : ag_reply_json_text(req, status, text, len);
}

/* GET /api/orders?page=&size=&status=&scope=all (all: admins only) */
int
orders_list(struct ag_req *req)
{
    const char *scope = ag_req_query(req, "scope");
    const char *status = ag_req_query(req, "status");
    enum order_status st;
    long long page = 1, size = 10;
    const char *text = NULL;
    size_t len = 0;
    PGconn *db = NULL;

    int rc = ag_req_query_int_or_reply(req, "page", 1, 100000, 1, &page);
    if (rc == 0) {
        rc = ag_req_query_int_or_reply(req, "size", 1, PAGE_SIZE_MAX, 10, &size);
    }
    if (rc < 0) {
        return rc;
    }
    if (status != NULL && order_status_parse(status, &st) < 0) {
        struct ag_json_err err;
        ag_json_err_set(&err, "status",
                        "'status' must be one of PENDING, PAID, SHIPPED, "
                        "DELIVERED, CANCELLED, REFUNDED");
        ag_reply_invalid(req, &err);
        return AG_EINVAL;
    }
    int all = scope != NULL && strcmp(scope, "all") == 0;
    if (scope != NULL && !all) {
        struct ag_json_err err;
        ag_json_err_set(&err, "scope", "'scope' may only be 'all'");
        ag_reply_invalid(req, &err);
        return AG_EINVAL;
    }
    if (all && !is_admin(req)) {
        return ag_reply_error(req, AG_EFORBIDDEN, "only an admin sees every order");
    }
    rc = ag_req_db(req, &db);
    if (rc == 0) {
        rc = store_orders_page(req->arena, db, all ? NULL : req->auth.sub, status, page, size,
                               &text, &len);
    }
    return rc < 0 ? rc : ag_reply_json_text(req, 200, text, len);
}

/* GET /api/orders/{id}: with its history */
int
order_get(struct ag_req *req)
{
    struct order_row o = {.status = ORDER_PENDING};
    const char *text = NULL;
    size_t len = 0;
    PGconn *db = NULL;

    int rc = order_or_reply(req, &db, &o);
    if (rc == 0) {
        rc = store_order_json(req->arena, db, o.id, NULL, &text, &len);
    }
    return rc < 0 ? rc : ag_reply_json_text(req, 200, text, len);
}

static int
state_conflict(struct ag_req *req, const struct order_row *o, const char *what)
{
    return ag_reply_error_details(req, AG_ECONFLICT,
                                  json_pack("{s:s,s:s}", "status", order_status_name(o->status),
                                            "step", order_step_name(o->step)),
                                  "order %s is %s%s and cannot be %s", o->id,
                                  order_status_name(o->status),
                                  o->step != STEP_DONE ? " (still settling)" : "", what);
}

/* Starts giving a paid order's money back (refund_to CANCELLED or REFUNDED), then lets the
 * saga finish it: 200 when done, 202 while the refund is still unknown. */
static int
refund_start(struct ag_req *req, PGconn *db, struct order_row *o, enum order_status to,
             const char *reason)
{
    const struct order_app *app = req->app;
    struct order_move m = {
        .status = o->status,
        .step = STEP_REFUND,
        .refund_to = to,
        .reason = reason,
        .lease_s = app->cfg->lease_s,
    };
    int rc = store_order_move(db, o, &m);
    if (rc == AG_ECONFLICT) {
        return ag_reply_error(req, AG_EINFLIGHT, "order %s is changing; try again", o->id);
    }
    if (rc < 0) {
        return rc;
    }
    ag_log(AG_LOG_INFO, req->request_id, "order %s: %s, refunding %lld %s", o->id, reason, o->total,
           o->currency);
    rc = order_saga_run(app, db, req->request_id, o, NULL, NULL, 0);
    order_background_wake(app->bg);
    if (rc < 0) {
        return rc; /* the recovery worker goes on from here */
    }
    return json_reply(req, db, o, o->step == STEP_DONE ? 200 : 202);
}

/* POST /api/orders/{id}/cancel: a paid order is refunded and its units go back; one that is
 * cancelled already answers as it is. */
int
order_cancel(struct ag_req *req)
{
    struct order_row o = {.status = ORDER_PENDING};
    PGconn *db = NULL;

    int rc = order_or_reply(req, &db, &o);
    if (rc < 0) {
        return rc;
    }
    if (o.status == ORDER_CANCELLED) {
        return json_reply(req, db, &o, 200);
    }
    if (o.status != ORDER_PAID || (o.step != STEP_DONE && o.step != STEP_COMMIT)) {
        return state_conflict(req, &o, "cancelled");
    }
    return refund_start(req, db, &o, ORDER_CANCELLED,
                        is_admin(req) && strcmp(o.owner, req->auth.sub) != 0
                            ? "cancelled_by_admin"
                            : "cancelled_by_customer");
}

/* POST /api/orders/{id}/refund (admin): money back for a paid, shipped or delivered order. */
int
order_refund(struct ag_req *req)
{
    struct order_row o = {.status = ORDER_PENDING};
    PGconn *db = NULL;

    int rc = order_or_reply(req, &db, &o);
    if (rc < 0) {
        return rc;
    }
    if (o.status == ORDER_REFUNDED) {
        return json_reply(req, db, &o, 200);
    }
    if (!order_transition_ok(o.status, ORDER_REFUNDED) || o.step != STEP_DONE) {
        return state_conflict(req, &o, "refunded");
    }
    return refund_start(req, db, &o, ORDER_REFUNDED, "refunded_by_admin");
}

/* Ship and deliver (admin): PAID → SHIPPED → DELIVERED, once nothing is left to settle. */
static int
order_advance(struct ag_req *req, enum order_status from, enum order_status to, const char *what)
{
    struct order_row o = {.status = ORDER_PENDING};
    PGconn *db = NULL;

    int rc = order_or_reply(req, &db, &o);
    if (rc < 0) {
        return rc;
    }
    if (o.status == to) {
        return json_reply(req, db, &o, 200);
    }
    if (o.status != from || o.step != STEP_DONE) {
        return state_conflict(req, &o, what);
    }
    struct order_move m = {.status = to, .step = STEP_DONE};
    rc = store_order_move(db, &o, &m);
    if (rc == AG_ECONFLICT) {
        return ag_reply_error(req, AG_EINFLIGHT, "order %s is changing; try again", o.id);
    }
    order_background_wake(((const struct order_app *)req->app)->bg);
    return rc < 0 ? rc : json_reply(req, db, &o, 200);
}

int
order_ship(struct ag_req *req)
{
    return order_advance(req, ORDER_PAID, ORDER_SHIPPED, "shipped");
}

int
order_deliver(struct ag_req *req)
{
    return order_advance(req, ORDER_SHIPPED, ORDER_DELIVERED, "delivered");
}
