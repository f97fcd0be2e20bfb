/*
 * The order service's calls to the others: catalog's reservations and payment's charges and
 * refunds (internal routes, X-Internal-Token), and one of the caller's addresses from member
 * (the caller's own token). Every call is idempotent on the order id (or its key), so a retry
 * or a recovery run may repeat it.
 */
#include "order.h"

#include <stdio.h>
#include <string.h>

#include "agora/err.h"
#include "agora/json.h"
#include "agora/log.h"

/* An internal call: 0 with 'resp' filled, or the transport's AG_E* code. */
static int
internal(const struct order_app *app, struct ag_httpc *c, const char *request_id,
         const char *method, const char *url, json_t *body, const char *idem_key,
         struct ag_httpc_resp *resp)
{
    char token[320], key[160];
    const char *headers[3] = {token, NULL, NULL};
    struct ag_arena arena;
    size_t len = 0;

    ag_arena_init(&arena);
    const char *text = body != NULL ? ag_json_dump(&arena, body, &len) : NULL;

    snprintf(token, sizeof(token), "X-Internal-Token: %s", app->cfg->internal_token);
    if (idem_key != NULL) {
        snprintf(key, sizeof(key), "X-Idempotency-Key: %s", idem_key);
        headers[1] = key;
    }
    int rc = ag_httpc_request(c, method, url, headers, text, len, request_id, resp);
    ag_arena_release(&arena);
    json_decref(body);
    return rc;
}

static const json_t *
data_of(const struct ag_httpc_resp *r)
{
    return json_object_get(r->json, "data");
}

static const json_t *
details_of(const struct ag_httpc_resp *r)
{
    return json_object_get(json_object_get(r->json, "error"), "details");
}

/* Any answer the caller did not expect: logged, and the service counts as away. */
static int
unexpected(const char *request_id, const char *what, const struct ag_httpc_resp *r, int rc)
{
    ag_log(AG_LOG_WARN, request_id, "%s: %s (HTTP %ld)", what, rc < 0 ? ag_err_name(rc) : "answer",
           r->status);
    return rc < 0 ? rc : AG_EUNAVAIL;
}

int
peer_reserve(const struct order_app *app, const char *request_id, const char *order_id,
             const struct order_item *items, size_t n, json_t **shortfall)
{
    struct ag_httpc_resp r;
    char url[1200];
    json_t *list = json_array();

    *shortfall = NULL;
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(list,
                              json_pack("{s:I,s:I}", "productId", (json_int_t)items[i].product_id,
                                        "qty", (json_int_t)items[i].qty));
    }
    snprintf(url, sizeof(url), "%s/internal/reservations", app->cfg->catalog_url);
    int rc = internal(app, app->catalog, request_id, "POST", url,
                      json_pack("{s:s,s:o}", "orderId", order_id, "items", list), NULL, &r);
    if (rc == 0 && (r.status == 200 || r.status == 201)) {
        rc = 0;
    } else if (rc == 0 && r.status == 409) {
        *shortfall = json_incref(json_object_get(details_of(&r), "items"));
        rc = AG_ECONFLICT;
    } else if (rc == 0 && r.status == 422) {
        rc = AG_EIDEMMISMATCH;
    } else {
        rc = unexpected(request_id, "catalog reservation", &r, rc);
    }
    ag_httpc_resp_release(&r);
    return rc;
}

int
peer_reservation(const struct order_app *app, const char *request_id, const char *order_id,
                 enum reservation_op op)
{
    static const char *const verbs[] = {
        [RESERVATION_COMMIT] = "commit",
        [RESERVATION_RELEASE] = "release",
        [RESERVATION_RETURN] = "return",
    };
    struct ag_httpc_resp r;
    char url[1200];

    snprintf(url, sizeof(url), "%s/internal/reservations/%s/%s", app->cfg->catalog_url, order_id,
             verbs[op]);
    int rc = internal(app, app->catalog, request_id, "POST", url, NULL, NULL, &r);
    if (rc == 0 && r.status == 200) {
        rc = 0;
    } else if (rc == 0 && r.status == 404) {
        rc = AG_ENOTFOUND;
    } else if (rc == 0 && r.status == 409) {
        rc = AG_ECONFLICT;
    } else {
        rc = unexpected(request_id, verbs[op], &r, rc);
    }
    ag_httpc_resp_release(&r);
    return rc;
}

void
peer_payment_release(struct peer_payment *p)
{
    json_decref(p->card);
    p->card = NULL;
}

/* A payment's JSON into 'out'. */
static void
payment_take(const json_t *pay, struct peer_payment *out)
{
    const char *id = json_string_value(json_object_get(pay, "id"));
    const char *status = json_string_value(json_object_get(pay, "status"));
    const char *failure = json_string_value(json_object_get(pay, "failureCode"));
    const json_t *card = json_object_get(pay, "card");

    snprintf(out->id, sizeof(out->id), "%s", id != NULL ? id : "");
    snprintf(out->status, sizeof(out->status), "%s", status != NULL ? status : "");
    snprintf(out->failure, sizeof(out->failure), "%s", failure != NULL ? failure : "");
    out->card = json_is_object(card) ? json_deep_copy(card) : NULL;
}

int
peer_pay(const struct order_app *app, const char *request_id, const struct order_row *o,
         const char *card, struct peer_payment *out)
{
    struct ag_httpc_resp r;
    char url[1200];

    memset(out, 0, sizeof(*out));
    snprintf(url, sizeof(url), "%s/internal/payments", app->cfg->payment_url);
    json_t *method = strncmp(card, "tok_", 4) == 0 ? json_pack("{s:s}", "token", card)
                                                   : json_pack("{s:s}", "cardNumber", card);
    int rc = internal(app, app->payment, request_id, "POST", url,
                      json_pack("{s:s,s:I,s:s,s:o,s:s}", "orderId", o->id, "amount",
                                (json_int_t)o->total, "currency", o->currency, "method", method,
                                "payerId", o->owner),
                      NULL, &r);
    out->http = (int)r.status;
    if (rc == 0 && (r.status == 200 || r.status == 201 || r.status == 202)) {
        payment_take(data_of(&r), out);
    } else if (rc == 0 && r.status == 409) {
        const char *id = json_string_value(json_object_get(details_of(&r), "paymentId"));
        snprintf(out->id, sizeof(out->id), "%s", id != NULL ? id : "");
        snprintf(out->status, sizeof(out->status), "PENDING");
    } else if (rc == 0 && r.status == 400) {
        /* The card itself is refused (not a card number, say): nothing was charged. */
        snprintf(out->status, sizeof(out->status), "FAILED");
        snprintf(out->failure, sizeof(out->failure), "invalid_card");
    } else {
        rc = unexpected(request_id, "payment", &r, rc);
    }
    ag_httpc_resp_release(&r);
    return rc;
}

int
peer_payment_find(const struct order_app *app, const char *request_id, const char *order_id,
                  struct peer_payment *out)
{
    struct ag_httpc_resp r;
    char url[1200];

    memset(out, 0, sizeof(*out));
    snprintf(url, sizeof(url), "%s/internal/payments?orderId=%s", app->cfg->payment_url, order_id);
    int rc = internal(app, app->payment, request_id, "GET", url, NULL, NULL, &r);
    out->http = (int)r.status;
    if (rc == 0 && r.status == 200) {
        payment_take(data_of(&r), out);
    } else if (rc == 0 && r.status == 404) {
        rc = AG_ENOTFOUND;
    } else {
        rc = unexpected(request_id, "payment lookup", &r, rc);
    }
    ag_httpc_resp_release(&r);
    return rc;
}

int
peer_refund(const struct order_app *app, const char *request_id, const struct order_row *o,
            struct peer_payment *out)
{
    struct ag_httpc_resp r;
    char url[1200], key[64];

    memset(out, 0, sizeof(*out));
    snprintf(url, sizeof(url), "%s/internal/payments/%s/refund", app->cfg->payment_url,
             o->payment_id);
    snprintf(key, sizeof(key), "%s-refund", o->id);
    int rc =
        internal(app, app->payment, request_id, "POST", url,
                 json_pack("{s:I,s:s}", "amount", (json_int_t)o->total, "reason",
                           o->refund_to == ORDER_REFUNDED ? "order refunded" : "order cancelled"),
                 key, &r);
    out->http = (int)r.status;
    if (rc == 0 && (r.status == 200 || r.status == 202)) {
        payment_take(json_object_get(data_of(&r), "payment"), out);
    } else if (rc == 0 && r.status == 409) {
        rc = AG_ECONFLICT;
    } else {
        rc = unexpected(request_id, "refund", &r, rc);
    }
    ag_httpc_resp_release(&r);
    return rc;
}

int
peer_address(struct ag_req *req, const char *address_id, json_t **out)
{
    const struct order_app *app = req->app;
    const char *auth = ag_req_header(req, "Authorization");
    struct ag_httpc_resp r;
    char url[1200], header[4200];
    const char *headers[] = {header, NULL};

    *out = NULL;
    if (auth == NULL || strlen(auth) > 4096) {
        return AG_EUNAUTH;
    }
    snprintf(header, sizeof(header), "Authorization: %s", auth);
    snprintf(url, sizeof(url), "%s/api/members/%s/addresses", app->cfg->member_url, req->auth.sub);
    int rc = ag_httpc_request(app->catalog, "GET", url, headers, NULL, 0, req->request_id, &r);
    if (rc == 0 && r.status == 200) {
        size_t i;
        const json_t *a;
        rc = AG_ENOTFOUND;
        json_array_foreach(data_of(&r), i, a)
        {
            const char *id = json_string_value(json_object_get(a, "id"));
            if (id != NULL && strcmp(id, address_id) == 0) {
                *out = json_pack(
                    "{s:O,s:O,s:O,s:O,s:O}", "recipient", json_object_get(a, "recipient"), "phone",
                    json_object_get(a, "phone"), "postalCode", json_object_get(a, "postalCode"),
                    "line1", json_object_get(a, "line1"), "line2", json_object_get(a, "line2"));
                rc = *out != NULL ? 0 : AG_EUNAVAIL;
                break;
            }
        }
    } else if (rc == 0 && (r.status == 401 || r.status == 403 || r.status == 404)) {
        rc = AG_ENOTFOUND;
    } else {
        rc = unexpected(req->request_id, "member addresses", &r, rc);
    }
    ag_httpc_resp_release(&r);
    return rc;
}
