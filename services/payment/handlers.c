/*
 * The payment API. Internal (the order service, X-Internal-Token; never routed by the
 * gateway): charge an order (authorize + capture, idempotent on the order id), refund, void,
 * read. Public: a payment for its payer or an admin, and the provider's signed webhooks.
 * Card numbers live only in the request: the provider gets them, the database and the logs
 * get the brand and the last four digits.
 */
#include "payment.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "provider.h"

#include "agora/card.h"
#include "agora/err.h"
#include "agora/json.h"
#include "agora/log.h"

static int
field_error(struct ag_req *req, const char *field, const char *msg)
{
    struct ag_json_err err;
    ag_json_err_set(&err, field, "%s", msg);
    ag_reply_invalid(req, &err);
    return AG_EINVAL;
}

/* The path's {id}: a payment id (a UUID), or 404. */
static int
id_or_reply(struct ag_req *req, char id[40])
{
    struct ag_str s = ag_req_param(req, "id");
    if (payment_uuid_check(s) < 0) {
        ag_reply_error(req, AG_ENOTFOUND, "payment not found");
        return AG_ENOTFOUND;
    }
    memcpy(id, s.ptr, s.len);
    id[s.len] = '\0';
    return 0;
}

/* An id-like string field, as 'check' wants it, into the arena (NULL when absent). */
static int
text_id_or_reply(struct ag_req *req, const json_t *body, const char *name, int flags,
                 int (*check)(struct ag_str, const char **), const char **out)
{
    struct ag_json_err err;
    struct ag_str s;
    const char *why;

    *out = NULL;
    if (ag_json_get_str(req->arena, body, name, flags, 1, 64, &s, &err) < 0) {
        ag_reply_invalid(req, &err);
        return AG_EINVAL;
    }
    if (s.ptr == NULL) {
        return 0;
    }
    if (check(s, &why) < 0) {
        return field_error(req, name, ag_arena_printf(req->arena, "'%s': %s", name, why));
    }
    *out = ag_arena_strndup(req->arena, s.ptr, s.len);
    return 0;
}

static int
amount_or_reply(struct ag_req *req, const json_t *body, long long *out)
{
    const struct payment_app *app = req->app;
    struct ag_json_err err;

    if (ag_json_get_int(body, "amount", AG_JSON_REQUIRED, 1, app->cfg->max_amount, out, NULL,
                        &err) < 0) {
        ag_json_err_set(&err, "amount", "'amount' must be an integer 1..%lld (minor units)",
                        app->cfg->max_amount);
        ag_reply_invalid(req, &err);
        return AG_EINVAL;
    }
    return 0;
}

struct charge_in {
    struct payment_new p;
    char *card; /* in the arena; wiped once the provider has it */
    size_t card_len;
    const char *token;
    char last4[5];
};

/* method: {cardNumber} or {token}, exactly one. */
static int
method_or_reply(struct ag_req *req, const json_t *body, struct charge_in *in)
{
    static const char *const keys[] = {"cardNumber", "token", NULL};
    const json_t *m = json_object_get(body, "method");
    struct ag_json_err err;
    struct ag_str card, token;
    const char *why;

    if (!json_is_object(m) || ag_json_only_keys(m, keys, &err) < 0 ||
        ag_json_get_str(req->arena, m, "cardNumber", 0, 1, 19, &card, &err) < 0 ||
        ag_json_get_str(req->arena, m, "token", 0, 1, PAYMENT_TOKEN_MAX, &token, &err) < 0 ||
        (card.ptr == NULL) == (token.ptr == NULL)) {
        return field_error(req, "method", "'method' must be {cardNumber} or {token}");
    }
    if (token.ptr != NULL) {
        if (payment_id_text_check(token, &why) < 0) {
            return field_error(req, "method.token",
                               ag_arena_printf(req->arena, "'method.token': %s", why));
        }
        in->token = ag_arena_strndup(req->arena, token.ptr, token.len);
        return 0;
    }
    if (ag_card_check(card, &why) < 0) {
        return field_error(req, "method.cardNumber",
                           ag_arena_printf(req->arena, "'method.cardNumber': %s", why));
    }
    in->card = ag_arena_strndup(req->arena, card.ptr, card.len);
    in->card_len = card.len;
    memcpy(in->last4, card.ptr + card.len - 4, 4);
    in->p.last4 = in->last4;
    in->p.brand = ag_card_brand(card);
    return 0;
}

static const char *const charge_keys[] = {"orderId", "amount",  "currency",
                                          "method",  "payerId", NULL};

static int
charge_parse_or_reply(struct ag_req *req, struct charge_in *in)
{
    const struct payment_app *app = req->app;
    struct ag_json_err err;
    struct ag_str currency;
    json_t *body;

    memset(in, 0, sizeof(*in));
    int rc = ag_req_json_or_reply(req, &body);
    if (rc < 0) {
        return rc;
    }
    if (ag_json_only_keys(body, charge_keys, &err) < 0) {
        ag_reply_invalid(req, &err);
        return AG_EINVAL;
    }
    if (text_id_or_reply(req, body, "orderId", AG_JSON_REQUIRED, payment_id_text_check,
                         &in->p.order_id) < 0 ||
        amount_or_reply(req, body, &in->p.amount) < 0 ||
        text_id_or_reply(req, body, "payerId", 0, payment_payer_check, &in->p.payer_id) < 0) {
        return AG_EINVAL;
    }
    if (ag_json_get_str(req->arena, body, "currency", AG_JSON_REQUIRED, 3, 3, &currency, &err) <
        0) {
        ag_reply_invalid(req, &err);
        return AG_EINVAL;
    }
    if (!payment_currency_ok(app, currency)) {
        return field_error(
            req, "currency",
            ag_arena_printf(req->arena, "'currency' must be one of %s", app->cfg->currencies));
    }
    in->p.currency = ag_arena_strndup(req->arena, currency.ptr, 3);
    in->p.provider = app->provider->name;
    return method_or_reply(req, body, in);
}

/* The payment's JSON with 'status'. */
static int
reply_payment(struct ag_req *req, PGconn *db, int status, const char *id)
{
    const char *text = NULL;
    size_t len = 0;
    int rc = store_payment_json(req->arena, db, id, &text, &len, NULL);
    if (rc < 0) {
        return rc;
    }
    return ag_reply_json_text(req, status, text, len);
}

/* An order that has its payment already: that payment, unless the request differs. */
static int
existing_reply(struct ag_req *req, PGconn *db, const struct payment_row *row,
               const struct charge_in *in)
{
    if (row->amount != in->p.amount || strcmp(row->currency, in->p.currency) != 0) {
        return ag_reply_error_details(
            req, AG_EIDEMMISMATCH, json_pack("{s:s}", "paymentId", row->id),
            "order '%s' already has a payment of another amount", row->order_id);
    }
    if (row->status == PAYMENT_PENDING) {
        return ag_reply_error_details(req, AG_EINFLIGHT, json_pack("{s:s}", "paymentId", row->id),
                                      "the payment of order '%s' is still being made",
                                      row->order_id);
    }
    return reply_payment(req, db, 200, row->id);
}

/* Authorized and not captured (a provider that did not capture in the same call): the
 * capture. */
static int
capture_step(struct ag_req *req, PGconn *db, const struct payment_row *row,
             const struct pay_view *auth, const char **text, size_t *len)
{
    const struct payment_app *app = req->app;
    struct pay_view cap;
    char key[64];

    snprintf(key, sizeof(key), "%s-capture", row->id);
    enum pay_outcome o = app->provider->capture(app->provider_ctx, auth->id, row->amount, key,
                                                req->request_id, &cap);
    if (o == PAY_OK) {
        return payment_settle(req->arena, db, row, &cap, "api", 0, text, len);
    }
    /* Authorized, and the capture's fate unknown: the reconciler finishes it. */
    ag_log(AG_LOG_WARN, req->request_id, "payment %s: capture at %s: %s", row->id, auth->id,
           cap.message);
    int rc = payment_settle(req->arena, db, row, auth, "api", 0, NULL, NULL);
    if (rc < 0) {
        return rc;
    }
    struct payment_row now = *row;
    now.status = PAYMENT_AUTHORIZED;
    return payment_mark_unknown(req->arena, db, &now, auth->id, "api", app->cfg->reconcile_s, text,
                                len);
}

/* Authorize and capture; '*text' the payment's JSON after. */
static int
charge(struct ag_req *req, PGconn *db, const struct payment_row *row, struct charge_in *in,
       const char **text, size_t *len)
{
    const struct payment_app *app = req->app;
    struct pay_authorize az = {
        .amount = in->p.amount,
        .currency = in->p.currency,
        .card_number = in->card,
        .token = in->token,
        .reference = row->id,
        .capture = 1, /* both in one call; a provider that only authorizes gets a capture */
    };
    struct pay_view view;
    char key[64];

    snprintf(key, sizeof(key), "%s-authorize", row->id);
    enum pay_outcome o =
        app->provider->authorize(app->provider_ctx, &az, key, req->request_id, &view);
    if (in->card != NULL) {
        sodium_memzero(in->card, in->card_len);
    }
    switch (o) {
    case PAY_OK:
        if (view.status == PAY_P_AUTHORIZED) {
            return capture_step(req, db, row, &view, text, len);
        }
        return payment_settle(req->arena, db, row, &view, "api", 0, text, len);
    case PAY_REJECTED:
        ag_log(AG_LOG_WARN, req->request_id, "payment %s: the provider refused it: %s", row->id,
               view.message);
        return payment_mark_failed(req->arena, db, row, "provider_rejected", "api", text, len);
    case PAY_NOT_FOUND:
    case PAY_UNKNOWN:
        break;
    }
    ag_log(AG_LOG_WARN, req->request_id, "payment %s is UNKNOWN: %s", row->id, view.message);
    return payment_mark_unknown(req->arena, db, row, NULL, "api", app->cfg->reconcile_s, text, len);
}

/* Whether a payment's JSON (as store.c's json_build_object writes it) is UNKNOWN. */
static int
is_unknown(const char *text)
{
    return strstr(text, "\"status\" : \"UNKNOWN\"") != NULL;
}

/* POST /internal/payments {orderId, amount, currency, method{cardNumber | token}, payerId?}:
 * 201 CAPTURED or FAILED, 202 UNKNOWN (the reconciler settles it), 200 the order's payment
 * made before, 409 while that one is still being made, 422 when it was of another amount. */
static int
payment_create(struct ag_req *req)
{
    const struct payment_app *app = req->app;
    struct payment_row row = {0};
    struct charge_in in;
    const char *text = NULL;
    size_t len = 0;
    int created;
    PGconn *db;

    int rc = charge_parse_or_reply(req, &in);
    if (rc == 0) {
        rc = ag_req_db(req, &db);
    }
    if (rc == 0) {
        rc = store_payment_begin(db, &in.p, app->cfg->stale_s, &row, &created);
    }
    if (rc == 0 && !created) {
        rc = existing_reply(req, db, &row, &in);
    } else if (rc == 0) {
        rc = charge(req, db, &row, &in, &text, &len);
        if (rc == 0) {
            rc = ag_reply_json_text(req, is_unknown(text) ? 202 : 201, text, len);
        }
    }
    if (in.card != NULL) {
        sodium_memzero(in.card, in.card_len);
    }
    return rc;
}

/* GET /internal/payments/{id} */
static int
payment_get_internal(struct ag_req *req)
{
    char id[40];
    PGconn *db;

    int rc = id_or_reply(req, id);
    if (rc == 0) {
        rc = ag_req_db(req, &db);
    }
    if (rc == 0) {
        rc = reply_payment(req, db, 200, id);
    }
    if (rc == AG_ENOTFOUND) {
        return ag_reply_error(req, rc, "payment not found");
    }
    return rc;
}

/* GET /internal/payments?orderId= : the order's payment */
static int
payment_find(struct ag_req *req)
{
    const char *order = ag_req_query(req, "orderId");
    struct payment_row row;
    const char *why;
    PGconn *db;

    if (order == NULL || payment_id_text_check((struct ag_str){order, strlen(order)}, &why) < 0) {
        return field_error(req, "orderId", "'orderId': want 1..64 characters of A-Z a-z 0-9 _ -");
    }
    int rc = ag_req_db(req, &db);
    if (rc == 0) {
        rc = store_payment_row(db, NULL, order, &row);
    }
    if (rc == 0) {
        rc = reply_payment(req, db, 200, row.id);
    }
    if (rc == AG_ENOTFOUND) {
        return ag_reply_error(req, rc, "order '%s' has no payment", order);
    }
    return rc;
}

/* GET /api/payments/{id}: its payer or an admin; anyone else sees 404, as for no payment. */
static int
payment_get_public(struct ag_req *req)
{
    char id[40], payer[PAYMENT_PAYER_ID_MAX + 1];
    const char *text = NULL;
    size_t len = 0;
    PGconn *db;

    int rc = id_or_reply(req, id);
    if (rc == 0) {
        rc = ag_req_db(req, &db);
    }
    if (rc == 0) {
        rc = store_payment_json(req->arena, db, id, &text, &len, payer);
    }
    if (rc == 0 && req->auth.role != AG_ROLE_ADMIN &&
        (payer[0] == '\0' || strcmp(payer, req->auth.sub) != 0)) {
        rc = AG_ENOTFOUND;
    }
    if (rc == AG_ENOTFOUND) {
        return ag_reply_error(req, rc, "payment not found");
    }
    return rc < 0 ? rc : ag_reply_json_text(req, 200, text, len);
}

/* Refunds */

struct refund_tx {
    const char *payment_id;
    long long amount;
    const char *reason;
    long long retry_s;
    char refund_id[40];
    struct payment_row row;
};

static int
refund_begin_tx(PGconn *db, void *arg)
{
    struct refund_tx *t = arg;
    return store_refund_begin(db, t->payment_id, t->amount, t->reason, t->retry_s, t->refund_id,
                              &t->row);
}

/* {"refund":{…},"payment":<text>} */
static int
refund_reply(struct ag_req *req, int status, const struct refund_tx *t, const char *state,
             PGconn *db, const char *text, size_t len)
{
    json_t *payment = NULL;
    if (text == NULL) {
        int rc = store_payment_json(req->arena, db, t->payment_id, &text, &len, NULL);
        if (rc < 0) {
            return rc;
        }
    }
    payment = json_loadb(text, len, 0, NULL);
    return ag_reply_json(req, status,
                         json_pack("{s:{s:s,s:I,s:s,s:s},s:o?}", "refund", "id", t->refund_id,
                                   "amount", (json_int_t)t->amount, "reason", t->reason, "status",
                                   state, "payment", payment));
}

/* POST /internal/payments/{id}/refund {amount, reason?} (X-Idempotency-Key required): 200
 * SUCCEEDED, 202 UNKNOWN (the reconciler retries it with the same provider key), 409 more
 * than is left to refund or not captured. */
static int
payment_refund(struct ag_req *req)
{
    const struct payment_app *app = req->app;
    static const char *const keys[] = {"amount", "reason", NULL};
    struct refund_tx t = {0};
    struct ag_json_err err;
    struct ag_str reason;
    struct pay_view view;
    char id[40];
    json_t *body;
    PGconn *db;

    int rc = id_or_reply(req, id);
    if (rc == 0) {
        rc = ag_req_json_or_reply(req, &body);
    }
    if (rc < 0) {
        return rc;
    }
    if (ag_json_only_keys(body, keys, &err) < 0 ||
        ag_json_get_str(req->arena, body, "reason", AG_JSON_TRIM, 0, PAYMENT_REASON_MAX, &reason,
                        &err) < 0) {
        return ag_reply_invalid(req, &err);
    }
    if (amount_or_reply(req, body, &t.amount) < 0) {
        return AG_EINVAL;
    }
    t.payment_id = id;
    t.reason = reason.ptr != NULL ? ag_arena_strndup(req->arena, reason.ptr, reason.len) : "";
    t.retry_s = app->cfg->stale_s;
    rc = ag_req_db(req, &db);
    if (rc == 0) {
        rc = ag_db_tx(db, "READ COMMITTED", 3, refund_begin_tx, &t);
    }
    if (rc == AG_ENOTFOUND) {
        return ag_reply_error(req, rc, "payment not found");
    }
    if (rc == AG_ECONFLICT) {
        long long left = t.row.captured - t.row.refunded - t.row.pending_refunds;
        return ag_reply_error_details(
            req, rc,
            json_pack("{s:s,s:I}", "status", payment_status_name(t.row.status), "refundable",
                      (json_int_t)(left > 0 ? left : 0)),
            "cannot refund %lld: %s", t.amount,
            t.row.status == PAYMENT_CAPTURED || t.row.status == PAYMENT_PARTIALLY_REFUNDED
                ? "more than is left to refund"
                : "the payment is not captured");
    }
    if (rc < 0) {
        return rc;
    }
    enum pay_outcome o = app->provider->refund(app->provider_ctx, t.row.provider_id, t.amount,
                                               t.refund_id, req->request_id, &view);
    if (o == PAY_OK) {
        const char *text = NULL;
        size_t len = 0;
        rc = payment_refund_settle(req->arena, db, t.refund_id, id, t.amount, "api", &text, &len);
        return rc < 0 ? rc : refund_reply(req, 200, &t, "SUCCEEDED", db, text, len);
    }
    if (o == PAY_REJECTED || o == PAY_NOT_FOUND) {
        ag_log(AG_LOG_WARN, req->request_id, "refund %s of payment %s refused: %s", t.refund_id, id,
               view.message);
        rc = store_refund_finish(db, t.refund_id, "FAILED");
        return rc < 0 ? rc
                      : ag_reply_error(req, AG_ECONFLICT, "the provider refused the refund: %s",
                                       view.message);
    }
    ag_log(AG_LOG_WARN, req->request_id, "refund %s of payment %s is UNKNOWN: %s", t.refund_id, id,
           view.message);
    rc = store_refund_finish(db, t.refund_id, "UNKNOWN");
    return rc < 0 ? rc : refund_reply(req, 202, &t, "UNKNOWN", db, NULL, 0);
}

/* POST /internal/payments/{id}/void: 200 VOIDED (or FAILED: nothing to void), 202 when the
 * outcome is unknown (the reconciler voids it once known), 409 captured or still being made. */
static int
payment_void(struct ag_req *req)
{
    const struct payment_app *app = req->app;
    struct payment_row row;
    struct pay_view view;
    const char *text = NULL;
    size_t len = 0;
    char id[40], key[64];
    PGconn *db;

    int rc = id_or_reply(req, id);
    if (rc == 0) {
        rc = ag_req_db(req, &db);
    }
    if (rc == 0) {
        rc = store_payment_row(db, id, NULL, &row);
    }
    if (rc == AG_ENOTFOUND) {
        return ag_reply_error(req, rc, "payment not found");
    }
    if (rc < 0) {
        return rc;
    }
    switch (row.status) {
    case PAYMENT_VOIDED:
    case PAYMENT_FAILED:
        return reply_payment(req, db, 200, id);
    case PAYMENT_PENDING:
        return ag_reply_error(req, AG_EINFLIGHT, "the payment is still being made; try again");
    case PAYMENT_UNKNOWN:
        rc = store_payment_void_intent(db, id);
        return rc < 0 && rc != AG_ENOTFOUND ? rc : reply_payment(req, db, 202, id);
    case PAYMENT_AUTHORIZED:
        break;
    default:
        return ag_reply_error_details(
            req, AG_ECONFLICT, json_pack("{s:s}", "status", payment_status_name(row.status)),
            "a %s payment cannot be voided; refund it", payment_status_name(row.status));
    }
    snprintf(key, sizeof(key), "%s-void", id);
    enum pay_outcome o =
        app->provider->void_auth(app->provider_ctx, row.provider_id, key, req->request_id, &view);
    if (o == PAY_OK) {
        rc = payment_settle(req->arena, db, &row, &view, "api", 0, &text, &len);
        return rc < 0 ? rc : ag_reply_json_text(req, 200, text, len);
    }
    ag_log(AG_LOG_WARN, req->request_id, "void of payment %s: %s", id, view.message);
    rc = payment_mark_unknown(req->arena, db, &row, NULL, "api", app->cfg->reconcile_s, NULL, NULL);
    if (rc == 0) {
        rc = store_payment_void_intent(db, id);
    }
    return rc < 0 ? rc : reply_payment(req, db, 202, id);
}

/* POST /api/payments/webhooks/{provider}: a signed event. A fresh one about a payment whose
 * outcome is unknown makes the reconciler look at once; every event is recorded by its id,
 * so a replay is answered 200 {duplicate: true} and changes nothing. */
static int
payment_webhook(struct ag_req *req)
{
    const struct payment_app *app = req->app;
    struct ag_str name = ag_req_param(req, "provider");
    struct pay_event ev;
    const char *why = "";
    int fresh = 0;
    PGconn *db;

    if (!ag_str_eq(name, app->provider->name)) {
        return ag_reply_error(req, AG_ENOTFOUND, "no such payment provider");
    }
    int rc = app->provider->verify_webhook(app->provider_ctx, req, (long long)time(NULL),
                                           app->cfg->webhook_tolerance_s, &ev, &why);
    if (rc < 0) {
        ag_log(AG_LOG_WARN, req->request_id, "webhook refused: %s", why);
        return ag_reply_error(req, rc, "%s", why);
    }
    rc = ag_req_db(req, &db);
    if (rc == 0) {
        rc = store_webhook_seen(db, app->provider->name, &ev, &fresh);
    }
    if (rc < 0) {
        return rc;
    }
    return ag_reply_json(req, 200, json_pack("{s:s,s:b}", "eventId", ev.id, "duplicate", !fresh));
}

const struct ag_route payment_routes[] = {
    {AG_POST, "/internal/payments", payment_create, AG_AUTH_INTERNAL, 4096, 0},
    {AG_GET, "/internal/payments", payment_find, AG_AUTH_INTERNAL, 0, 0},
    {AG_GET, "/internal/payments/{id}", payment_get_internal, AG_AUTH_INTERNAL, 0, 0},
    {AG_POST, "/internal/payments/{id}/refund", payment_refund, AG_AUTH_INTERNAL, 4096,
     AG_ROUTE_IDEM_REQUIRED},
    {AG_POST, "/internal/payments/{id}/void", payment_void, AG_AUTH_INTERNAL, 1024, 0},
    {AG_GET, "/api/payments/{id}", payment_get_public, AG_AUTH_ANY, 0, 0},
    {AG_POST, "/api/payments/webhooks/{provider}", payment_webhook, AG_AUTH_NONE, 65536, 0},
};
const size_t payment_nroutes = sizeof(payment_routes) / sizeof(payment_routes[0]);
