/*
 * The sandbox's API, shaped like a card provider's: an API key, its own idempotency header
 * (Psp-Idempotency-Key), authorize (optionally capturing at once), capture, void, refund and
 * read. Test cards choose the outcome (psp.c).
 */
#include "psp.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "agora/card.h"
#include "agora/err.h"
#include "agora/json.h"
#include "agora/log.h"

#define IDEM_HEADER "Psp-Idempotency-Key"

/* The fail-once card without an idempotency key fails the first time in the process. */
static atomic_int failed_without_key;

static int
api_key_or_reply(struct ag_req *req)
{
    const struct psp_app *app = req->app;
    const char *want = app->cfg->api_key;
    const char *h = ag_req_header(req, "Authorization");

    if (want[0] == '\0') {
        return 0;
    }
    size_t n = strlen(want);
    if (h == NULL || strncmp(h, "Bearer ", 7) != 0 || strlen(h + 7) != n ||
        sodium_memcmp(h + 7, want, n) != 0) {
        ag_reply_error(req, AG_EUNAUTH, "a valid API key is required (Authorization: Bearer)");
        return AG_EUNAUTH;
    }
    return 0;
}

/* The path's {id}; 404 when it cannot be one of ours. */
static int
id_or_reply(struct ag_req *req, char out[PSP_ID_LEN + 1])
{
    struct ag_str id = ag_req_param(req, "id");
    if (id.len != PSP_ID_LEN || strncmp(id.ptr, "pay_", 4) != 0) {
        ag_reply_error(req, AG_ENOTFOUND, "payment not found");
        return AG_ENOTFOUND;
    }
    memcpy(out, id.ptr, id.len);
    out[id.len] = '\0';
    return 0;
}

static int
reply_payment(struct ag_req *req, int status, const struct psp_payment *p, const char *key)
{
    const struct psp_app *app = req->app;
    size_t len;
    json_t *j = psp_payment_to_json(p);
    const char *text = ag_json_dump(req->arena, j, &len);
    json_decref(j);
    if (key != NULL) {
        psp_store_key_end(app->store, key, status, text, len);
    }
    return ag_reply_json_text(req, status, text, len);
}

/*
 * The caller's idempotency key: 1 when the request was answered from the stored answer (or
 * refused), 0 to go on ('*key' NULL when there is none).
 */
static int
idem_begin(struct ag_req *req, const char **key)
{
    const struct psp_app *app = req->app;
    const char *k = ag_req_header(req, IDEM_HEADER);
    unsigned char h[crypto_hash_sha256_BYTES];
    char fp[65];
    int status;
    const char *body;

    *key = NULL;
    if (k == NULL) {
        return 0;
    }
    if (k[0] == '\0' || strlen(k) > PSP_KEY_MAX) {
        ag_reply_error(req, AG_EINVAL, IDEM_HEADER " must be 1..255 characters");
        return 1;
    }
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)req->path.ptr, req->path.len);
    crypto_hash_sha256_update(&st, (const unsigned char *)"\n", 1);
    if (req->body != NULL) {
        crypto_hash_sha256_update(&st, (const unsigned char *)req->body, req->body_len);
    }
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(fp, sizeof(fp), h, sizeof(h));
    int rc = psp_store_key_begin(app->store, req->arena, k, fp, &status, &body);
    if (rc == AG_ENOTFOUND) {
        *key = k;
        return 0;
    }
    if (rc == 0) {
        ag_reply_header(req, "Psp-Idempotent-Replayed", "true");
        ag_reply_json_text(req, status, body, strlen(body));
        return 1;
    }
    ag_reply_error(req, rc, "%s",
                   rc == AG_EINFLIGHT       ? "a request with this key is still running"
                   : rc == AG_EIDEMMISMATCH ? "this key was used with another request"
                                            : "too many payments in the sandbox");
    return 1;
}

/* Forgets the key of a request that ended in an error, so that a retry runs again. */
static int
idem_fail(struct ag_req *req, const char *key, int rc)
{
    const struct psp_app *app = req->app;
    if (key != NULL) {
        psp_store_key_end(app->store, key, 0, NULL, 0);
    }
    return rc;
}

static const char *const create_keys[] = {"amount",    "currency", "cardNumber", "token",
                                          "reference", "capture",  NULL};

/* The card of a payment: 'cardNumber', or the number behind 'token' (copied into the arena). */
static int
card_or_reply(struct ag_req *req, const json_t *body, struct ag_str *card)
{
    const struct psp_app *app = req->app;
    struct ag_json_err err;
    struct ag_str token;
    char number[20];

    if (ag_json_get_str(req->arena, body, "cardNumber", 0, 12, 19, card, &err) < 0 ||
        ag_json_get_str(req->arena, body, "token", 0, PSP_ID_LEN, PSP_ID_LEN, &token, &err) < 0) {
        ag_reply_invalid(req, &err);
        return AG_EINVAL;
    }
    if ((card->ptr == NULL) == (token.ptr == NULL)) {
        ag_json_err_set(&err, "cardNumber", "send one of 'cardNumber' and 'token'");
        ag_reply_invalid(req, &err);
        return AG_EINVAL;
    }
    if (token.ptr == NULL) {
        return 0;
    }
    if (psp_store_token_get(app->store, token.ptr, number) < 0) {
        ag_json_err_set(&err, "token", "no such token");
        ag_reply_invalid(req, &err);
        return AG_EINVAL;
    }
    card->ptr = ag_arena_strdup(req->arena, number);
    card->len = strlen(number);
    sodium_memzero(number, sizeof(number));
    return 0;
}

static int
create_parse_or_reply(struct ag_req *req, struct psp_payment *p, struct ag_str *card, int *capture)
{
    struct ag_json_err err;
    struct ag_str currency, reference;
    const char *why;
    json_t *body;

    memset(p, 0, sizeof(*p));
    int rc = ag_req_json_or_reply(req, &body);
    if (rc < 0) {
        return rc;
    }
    if (ag_json_only_keys(body, create_keys, &err) < 0 ||
        ag_json_get_int(body, "amount", AG_JSON_REQUIRED, 1, PSP_AMOUNT_MAX, &p->amount, NULL,
                        &err) < 0 ||
        ag_json_get_str(req->arena, body, "currency", AG_JSON_REQUIRED, 3, 3, &currency, &err) <
            0 ||
        ag_json_get_str(req->arena, body, "reference", 0, 1, PSP_REFERENCE_MAX, &reference, &err) <
            0 ||
        ag_json_get_bool(body, "capture", 0, capture, NULL, &err) < 0) {
        ag_reply_invalid(req, &err);
        return AG_EINVAL;
    }
    if (card_or_reply(req, body, card) < 0) {
        return AG_EINVAL;
    }
    for (size_t i = 0; i < 3; i++) {
        if (currency.ptr[i] < 'A' || currency.ptr[i] > 'Z') {
            ag_json_err_set(&err, "currency", "'currency' must be three capital letters");
            ag_reply_invalid(req, &err);
            return AG_EINVAL;
        }
    }
    if (ag_card_check(*card, &why) < 0) {
        ag_json_err_set(&err, "cardNumber", "'cardNumber': %s", why);
        ag_reply_invalid(req, &err);
        return AG_EINVAL;
    }
    memcpy(p->currency, currency.ptr, 3);
    snprintf(p->brand, sizeof(p->brand), "%s", ag_card_brand(*card));
    memcpy(p->last4, card->ptr + card->len - 4, 4);
    if (reference.ptr != NULL) {
        memcpy(p->reference, reference.ptr, reference.len);
    }
    return 0;
}

/* The slow card's outcome, once its sleep is over. */
static int
decide(struct psp_payment *p, void *arg)
{
    const struct psp_payment *d = arg;
    p->status = d->status;
    p->captured = d->captured;
    p->decline_code = d->decline_code;
    return 0;
}

/* POST /v1/payments {amount, currency, cardNumber | token, reference?, capture?} */
static int
payment_create(struct ag_req *req)
{
    const struct psp_app *app = req->app;
    struct psp_payment p;
    struct ag_str card;
    const char *key;
    int capture = 0;

    int rc = api_key_or_reply(req);
    if (rc < 0 || idem_begin(req, &key)) {
        return rc;
    }
    rc = create_parse_or_reply(req, &p, &card, &capture);
    if (rc < 0) {
        return idem_fail(req, key, rc);
    }
    enum psp_card_kind kind = psp_card_kind(card);
    if (kind == PSP_CARD_FAIL_ONCE &&
        (key != NULL ? !psp_store_key_failed_once(app->store, key)
                     : atomic_exchange(&failed_without_key, 1) == 0)) {
        ag_reply_error(req, AG_EINTERNAL, "the provider failed; try again");
        return idem_fail(req, key, AG_EINTERNAL);
    }
    struct psp_payment decided = p;
    decided.status = PSP_AUTHORIZED;
    if (kind == PSP_CARD_INSUFFICIENT_FUNDS || kind == PSP_CARD_STOLEN) {
        decided.status = PSP_DECLINED;
        decided.decline_code = kind == PSP_CARD_STOLEN ? "stolen_card" : "insufficient_funds";
    } else if (capture) {
        decided.status = PSP_CAPTURED;
        decided.captured = p.amount;
    }
    /* The slow card is on record (processing) while it sleeps, as a provider's would be. */
    p = kind == PSP_CARD_SLOW ? p : decided;
    rc = psp_store_add(app->store, &p);
    if (rc < 0) {
        ag_reply_error(req, rc, "too many payments in the sandbox");
        return idem_fail(req, key, rc);
    }
    if (kind == PSP_CARD_SLOW) {
        usleep((useconds_t)app->cfg->slow_ms * 1000);
        memcpy(decided.id, p.id, sizeof(p.id));
        psp_store_change(app->store, p.id, decide, &decided, &p);
    }
    psp_webhooks_send(app->webhooks,
                      p.status == PSP_DECLINED   ? "payment.declined"
                      : p.status == PSP_CAPTURED ? "payment.captured"
                                                 : "payment.authorized",
                      &p);
    return reply_payment(req, 201, &p, key);
}

#define BY_REFERENCE_MAX 20

/* GET /v1/payments?reference= : the payments made for one merchant reference, newest first */
static int
payment_list(struct ag_req *req)
{
    const struct psp_app *app = req->app;
    struct psp_payment found[BY_REFERENCE_MAX];

    int rc = api_key_or_reply(req);
    if (rc < 0) {
        return rc;
    }
    const char *ref = ag_req_query(req, "reference");
    if (ref == NULL || ref[0] == '\0' || strlen(ref) > PSP_REFERENCE_MAX) {
        struct ag_json_err err;
        ag_json_err_set(&err, "reference", "'reference' must be 1..64 characters");
        return ag_reply_invalid(req, &err);
    }
    size_t n = psp_store_by_reference(app->store, ref, found, BY_REFERENCE_MAX);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(list, psp_payment_to_json(&found[i]));
    }
    return ag_reply_json(req, 200, list);
}

/* POST /v1/tokens {cardNumber}: a token that later payments may use instead of the number */
static int
token_create(struct ag_req *req)
{
    const struct psp_app *app = req->app;
    static const char *const keys[] = {"cardNumber", NULL};
    char id[PSP_ID_LEN + 1];
    struct ag_json_err err;
    struct ag_str card;
    const char *why;
    json_t *body;

    int rc = api_key_or_reply(req);
    if (rc == 0) {
        rc = ag_req_json_or_reply(req, &body);
    }
    if (rc < 0) {
        return rc;
    }
    if (ag_json_only_keys(body, keys, &err) < 0 ||
        ag_json_get_str(req->arena, body, "cardNumber", AG_JSON_REQUIRED, 12, 19, &card, &err) <
            0) {
        return ag_reply_invalid(req, &err);
    }
    if (ag_card_check(card, &why) < 0) {
        ag_json_err_set(&err, "cardNumber", "'cardNumber': %s", why);
        return ag_reply_invalid(req, &err);
    }
    if (psp_store_token_add(app->store, card.ptr, id) < 0) {
        return ag_reply_error(req, AG_EUNAVAIL, "too many tokens in the sandbox");
    }
    return ag_reply_json(req, 201,
                         json_pack("{s:s,s:{s:s,s:s#}}", "id", id, "card", "brand",
                                   ag_card_brand(card), "last4", card.ptr + card.len - 4, 4));
}

/* GET /v1/payments/{id} */
static int
payment_get(struct ag_req *req)
{
    const struct psp_app *app = req->app;
    char id[PSP_ID_LEN + 1];
    struct psp_payment p;

    int rc = api_key_or_reply(req);
    if (rc == 0) {
        rc = id_or_reply(req, id);
    }
    if (rc < 0) {
        return rc;
    }
    if (psp_store_get(app->store, id, &p) < 0) {
        return ag_reply_error(req, AG_ENOTFOUND, "payment not found");
    }
    return reply_payment(req, 200, &p, NULL);
}

/* Capture, void and refund: one change of state each, checked under the store's lock. */
struct change {
    const char *action;
    long long amount; /* capture: 0 = all; refund: required */
    const char *why;
};

static int
change_apply(struct psp_payment *p, void *arg)
{
    struct change *c = arg;

    if (strcmp(c->action, "capture") == 0) {
        long long amount = c->amount > 0 ? c->amount : p->amount;
        if (p->status != PSP_AUTHORIZED || amount > p->amount) {
            c->why = p->status != PSP_AUTHORIZED ? "only an authorized payment can be captured"
                                                 : "cannot capture more than was authorized";
            return AG_ECONFLICT;
        }
        p->status = PSP_CAPTURED;
        p->captured = amount;
        return 0;
    }
    if (strcmp(c->action, "void") == 0) {
        if (p->status != PSP_AUTHORIZED) {
            c->why = "only an authorized payment can be voided";
            return AG_ECONFLICT;
        }
        p->status = PSP_VOIDED;
        return 0;
    }
    if (p->status != PSP_CAPTURED && p->status != PSP_PARTIALLY_REFUNDED) {
        c->why = "only a captured payment can be refunded";
        return AG_ECONFLICT;
    }
    if (c->amount > p->captured - p->refunded) {
        c->why = "cannot refund more than was captured and not yet refunded";
        return AG_ECONFLICT;
    }
    p->refunded += c->amount;
    p->status = p->refunded == p->captured ? PSP_REFUNDED : PSP_PARTIALLY_REFUNDED;
    return 0;
}

static int
payment_change(struct ag_req *req, const char *action)
{
    const struct psp_app *app = req->app;
    struct change c = {.action = action};
    char id[PSP_ID_LEN + 1];
    struct ag_json_err err;
    struct psp_payment p;
    const char *key;
    int refund = strcmp(action, "refund") == 0;

    int rc = api_key_or_reply(req);
    if (rc == 0) {
        rc = id_or_reply(req, id);
    }
    if (rc < 0 || idem_begin(req, &key)) {
        return rc;
    }
    if (req->body_len > 0 || refund) {
        json_t *body;
        static const char *const keys[] = {"amount", NULL};
        rc = ag_req_json_or_reply(req, &body);
        if (rc == 0 && (ag_json_only_keys(body, keys, &err) < 0 ||
                        ag_json_get_int(body, "amount", refund ? AG_JSON_REQUIRED : 0, 1,
                                        PSP_AMOUNT_MAX, &c.amount, NULL, &err) < 0)) {
            ag_reply_invalid(req, &err);
            rc = AG_EINVAL;
        }
        if (rc < 0) {
            return idem_fail(req, key, rc);
        }
    }
    rc = psp_store_change(app->store, id, change_apply, &c, &p);
    if (rc == AG_ENOTFOUND) {
        ag_reply_error(req, rc, "payment not found");
        return idem_fail(req, key, rc);
    }
    if (rc < 0) {
        ag_reply_error_details(req, rc, json_pack("{s:s}", "status", psp_status_name(p.status)),
                               "%s", c.why);
        return idem_fail(req, key, rc);
    }
    const char *type = refund                        ? "payment.refunded"
                       : strcmp(action, "void") == 0 ? "payment.voided"
                                                     : "payment.captured";
    psp_webhooks_send(app->webhooks, type, &p);
    return reply_payment(req, 200, &p, key);
}

static int
payment_capture(struct ag_req *req)
{
    return payment_change(req, "capture");
}

static int
payment_void(struct ag_req *req)
{
    return payment_change(req, "void");
}

static int
payment_refund(struct ag_req *req)
{
    return payment_change(req, "refund");
}

const struct ag_route psp_routes[] = {
    {AG_POST, "/v1/payments", payment_create, AG_AUTH_NONE, 4096, 0},
    {AG_GET, "/v1/payments", payment_list, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/v1/payments/{id}", payment_get, AG_AUTH_NONE, 0, 0},
    {AG_POST, "/v1/tokens", token_create, AG_AUTH_NONE, 1024, 0},
    {AG_POST, "/v1/payments/{id}/capture", payment_capture, AG_AUTH_NONE, 1024, 0},
    {AG_POST, "/v1/payments/{id}/void", payment_void, AG_AUTH_NONE, 1024, 0},
    {AG_POST, "/v1/payments/{id}/refund", payment_refund, AG_AUTH_NONE, 1024, 0},
};
const size_t psp_nroutes = sizeof(psp_routes) / sizeof(psp_routes[0]);
