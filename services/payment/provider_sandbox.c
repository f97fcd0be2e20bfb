/*
 * The card provider sandbox (services/psp-sandbox) as a provider: its REST API over libcurl
 * with the API key and its own idempotency header, and its webhook signature
 * (Psp-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">).
 */
#include "provider.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "payment.h"

#include "agora/err.h"
#include "agora/httpc.h"
#include "agora/json.h"
#include "agora/log.h"

#define URL_MAX 1024

struct sandbox {
    struct ag_httpc *http;
    char base[URL_MAX];
    char auth[320]; /* "Authorization: Bearer <key>" */
    char *secret;   /* the webhook secret; owned */
    size_t secret_len;
};

static void *
sandbox_open(const struct payment_config *cfg)
{
    size_t n = strlen(cfg->sandbox_url);
    if (n + 64 >= URL_MAX || strncmp(cfg->sandbox_url, "http", 4) != 0) {
        ag_log(AG_LOG_ERROR, NULL, "AGORA_PSP_SANDBOX_URL '%s' is not an http(s) URL",
               cfg->sandbox_url);
        return NULL;
    }
    struct sandbox *s = ag_xcalloc(1, sizeof(*s));
    /* Calls wait on the provider, one connection each: as many as the threads that call. */
    s->http = ag_httpc_new(256, (int)cfg->provider_timeout_ms, (int)cfg->provider_retries);
    memcpy(s->base, cfg->sandbox_url, n + 1);
    while (n > 0 && s->base[n - 1] == '/') {
        s->base[--n] = '\0';
    }
    snprintf(s->auth, sizeof(s->auth), "Authorization: Bearer %s", cfg->sandbox_api_key);
    s->secret = ag_xstrdup(cfg->sandbox_webhook_secret);
    s->secret_len = strlen(s->secret);
    if (s->secret_len == 0) {
        ag_log(AG_LOG_WARN, NULL, "AGORA_PSP_WEBHOOK_SECRET is empty: every webhook is refused");
    }
    return s;
}

static void
sandbox_close(void *ctx)
{
    struct sandbox *s = ctx;
    if (s == NULL) {
        return;
    }
    ag_httpc_free(s->http);
    sodium_memzero(s->auth, sizeof(s->auth));
    sodium_memzero(s->secret, s->secret_len);
    ag_free(s->secret);
    ag_free(s);
}

static const char *const pstatus_names[] = {
    [PAY_P_PROCESSING] = "processing",
    [PAY_P_AUTHORIZED] = "authorized",
    [PAY_P_DECLINED] = "declined",
    [PAY_P_CAPTURED] = "captured",
    [PAY_P_PARTIALLY_REFUNDED] = "partially_refunded",
    [PAY_P_REFUNDED] = "refunded",
    [PAY_P_VOIDED] = "voided",
};

static void
copy_str(char *dst, size_t size, const json_t *obj, const char *name)
{
    const char *v = json_string_value(json_object_get(obj, name));
    snprintf(dst, size, "%s", v != NULL ? v : "");
}

/* The sandbox's payment object into 'out': 0, or AG_EINVAL when it is not one. */
static int
view_parse(const json_t *p, struct pay_view *out)
{
    memset(out, 0, sizeof(*out));
    const char *status = json_string_value(json_object_get(p, "status"));
    const char *id = json_string_value(json_object_get(p, "id"));
    size_t i;

    if (!json_is_object(p) || status == NULL || id == NULL || strlen(id) >= sizeof(out->id)) {
        return AG_EINVAL;
    }
    for (i = 0; i < sizeof(pstatus_names) / sizeof(pstatus_names[0]); i++) {
        if (strcmp(status, pstatus_names[i]) == 0) {
            break;
        }
    }
    if (i == sizeof(pstatus_names) / sizeof(pstatus_names[0])) {
        return AG_EINVAL;
    }
    out->status = (enum pay_pstatus)i;
    snprintf(out->id, sizeof(out->id), "%s", id);
    out->amount = (long long)json_integer_value(json_object_get(p, "amount"));
    out->captured = (long long)json_integer_value(json_object_get(p, "capturedAmount"));
    out->refunded = (long long)json_integer_value(json_object_get(p, "refundedAmount"));
    copy_str(out->currency, sizeof(out->currency), p, "currency");
    copy_str(out->brand, sizeof(out->brand), json_object_get(p, "card"), "brand");
    copy_str(out->last4, sizeof(out->last4), json_object_get(p, "card"), "last4");
    copy_str(out->decline_code, sizeof(out->decline_code), p, "declineCode");
    copy_str(out->reference, sizeof(out->reference), p, "reference");
    return 0;
}

/* One call; the answer's outcome, the view filled on PAY_OK. 'list' takes the first element
 * of an array answer (a lookup by reference). */
static enum pay_outcome
call(struct sandbox *s, const char *method, const char *path, const char *key, const json_t *body,
     const char *request_id, int list, struct pay_view *out)
{
    char url[URL_MAX + 256], idem[320];
    const char *headers[3] = {s->auth, NULL, NULL};
    struct ag_httpc_resp resp;
    char text[2048];
    size_t len = 0;
    enum pay_outcome outcome;

    memset(out, 0, sizeof(*out));
    snprintf(url, sizeof(url), "%s%s", s->base, path);
    if (key != NULL) {
        snprintf(idem, sizeof(idem), "Psp-Idempotency-Key: %s", key);
        headers[1] = idem;
    }
    if (body != NULL) {
        len = json_dumpb(body, text, sizeof(text), JSON_COMPACT); /* our bodies are small */
        if (len >= sizeof(text)) {
            return PAY_REJECTED;
        }
    }
    int rc = ag_httpc_request(s->http, method, url, headers, len > 0 ? text : NULL, len, request_id,
                              &resp);
    sodium_memzero(text, len); /* it may hold a card number */
    const json_t *data = json_object_get(resp.json, "data");
    const json_t *err = json_object_get(resp.json, "error");
    const char *code = json_string_value(json_object_get(err, "code"));
    snprintf(out->message, sizeof(out->message), "%s",
             json_string_value(json_object_get(err, "message")) != NULL
                 ? json_string_value(json_object_get(err, "message"))
                 : "");
    /* 409 BIZ_3003: our earlier attempt with this key is still running there. */
    int in_flight = resp.status == 409 && code != NULL && strcmp(code, "BIZ_3003") == 0;
    if (rc < 0 || resp.status >= 500 || resp.status == 0 || in_flight) {
        outcome = PAY_UNKNOWN;
    } else if (resp.status == 404 ||
               (resp.status < 400 && list && json_is_array(data) && json_array_size(data) == 0)) {
        outcome = PAY_NOT_FOUND;
    } else if (resp.status >= 400) {
        outcome = PAY_REJECTED;
    } else if (view_parse(list ? json_array_get(data, 0) : data, out) < 0) {
        ag_log(AG_LOG_WARN, request_id, "the sandbox answered %s %s with no payment", method, path);
        outcome = PAY_UNKNOWN;
    } else {
        outcome = PAY_OK;
    }
    if (outcome == PAY_UNKNOWN && out->message[0] == '\0') {
        snprintf(out->message, sizeof(out->message), "the provider did not answer (%s, HTTP %ld)",
                 rc < 0 ? ag_err_name(rc) : "answered", resp.status);
    }
    ag_httpc_resp_release(&resp);
    return outcome;
}

static enum pay_outcome
sandbox_authorize(void *ctx, const struct pay_authorize *in, const char *key,
                  const char *request_id, struct pay_view *out)
{
    json_t *body = json_pack("{s:I,s:s,s:s,s:b}", "amount", (json_int_t)in->amount, "currency",
                             in->currency, "reference", in->reference, "capture", in->capture);
    if (in->card_number != NULL) {
        json_object_set_new(body, "cardNumber", json_string(in->card_number));
    } else {
        json_object_set_new(body, "token", json_string(in->token));
    }
    enum pay_outcome o = call(ctx, "POST", "/v1/payments", key, body, request_id, 0, out);
    json_decref(body);
    return o;
}

static enum pay_outcome
action(void *ctx, const char *provider_id, const char *what, long long amount, const char *key,
       const char *request_id, struct pay_view *out)
{
    char path[160];
    snprintf(path, sizeof(path), "/v1/payments/%s/%s", provider_id, what);
    json_t *body = amount > 0 ? json_pack("{s:I}", "amount", (json_int_t)amount) : NULL;
    enum pay_outcome o = call(ctx, "POST", path, key, body, request_id, 0, out);
    json_decref(body);
    return o;
}

static enum pay_outcome
sandbox_capture(void *ctx, const char *provider_id, long long amount, const char *key,
                const char *request_id, struct pay_view *out)
{
    return action(ctx, provider_id, "capture", amount, key, request_id, out);
}

static enum pay_outcome
sandbox_void(void *ctx, const char *provider_id, const char *key, const char *request_id,
             struct pay_view *out)
{
    return action(ctx, provider_id, "void", 0, key, request_id, out);
}

static enum pay_outcome
sandbox_refund(void *ctx, const char *provider_id, long long amount, const char *key,
               const char *request_id, struct pay_view *out)
{
    return action(ctx, provider_id, "refund", amount, key, request_id, out);
}

static enum pay_outcome
sandbox_fetch(void *ctx, const char *provider_id, const char *reference, const char *request_id,
              struct pay_view *out)
{
    char path[200];
    if (provider_id != NULL) {
        snprintf(path, sizeof(path), "/v1/payments/%s", provider_id);
    } else {
        snprintf(path, sizeof(path), "/v1/payments?reference=%s", reference);
    }
    return call(ctx, "GET", path, NULL, NULL, request_id, provider_id == NULL, out);
}

/* "t=<unix>,v1=<64 hex>" */
static int
signature_parse(const char *h, long long *t, char v1[65])
{
    char *end;
    if (h == NULL || strncmp(h, "t=", 2) != 0) {
        return AG_EINVAL;
    }
    *t = strtoll(h + 2, &end, 10);
    if (end == h + 2 || strncmp(end, ",v1=", 4) != 0 || strlen(end + 4) != 64) {
        return AG_EINVAL;
    }
    memcpy(v1, end + 4, 65);
    return 0;
}

static int
sandbox_verify_webhook(void *ctx, struct ag_req *req, long long now_s, long long tolerance_s,
                       struct pay_event *out, const char **why)
{
    struct sandbox *s = ctx;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char want[65], ts[24], v1[65];
    struct ag_json_err err;
    long long t;
    json_t *ev;

    memset(out, 0, sizeof(*out));
    if (signature_parse(ag_req_header(req, "Psp-Signature"), &t, v1) < 0 || s->secret_len == 0) {
        *why = "a valid Psp-Signature header is required";
        return AG_EUNAUTH;
    }
    int n = snprintf(ts, sizeof(ts), "%lld.", t);
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)s->secret, s->secret_len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, (size_t)n);
    if (req->body != NULL) {
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)req->body, req->body_len);
    }
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(want, sizeof(want), mac, sizeof(mac));
    if (sodium_memcmp(want, v1, 64) != 0) {
        *why = "the signature does not match the body";
        return AG_EUNAUTH;
    }
    if (t < now_s - tolerance_s || t > now_s + tolerance_s) {
        *why = "the signature's timestamp is too old or in the future";
        return AG_EUNAUTH;
    }
    if (req->body == NULL || ag_json_parse_object(req->body, req->body_len, &ev, &err) < 0) {
        *why = "the body is not a JSON event";
        return AG_EINVAL;
    }
    const char *id = json_string_value(json_object_get(ev, "id"));
    const char *type = json_string_value(json_object_get(ev, "type"));
    int rc = 0;
    if (id == NULL || type == NULL || id[0] == '\0' || strlen(id) >= sizeof(out->id) ||
        strlen(type) >= sizeof(out->type)) {
        *why = "the event needs an id and a type";
        rc = AG_EINVAL;
    } else {
        snprintf(out->id, sizeof(out->id), "%s", id);
        snprintf(out->type, sizeof(out->type), "%s", type);
        out->has_view = view_parse(json_object_get(ev, "data"), &out->view) == 0;
    }
    json_decref(ev);
    return rc;
}

const struct pay_provider pay_sandbox_provider = {
    .name = "sandbox",
    .open = sandbox_open,
    .close = sandbox_close,
    .authorize = sandbox_authorize,
    .capture = sandbox_capture,
    .void_auth = sandbox_void,
    .refund = sandbox_refund,
    .fetch = sandbox_fetch,
    .verify_webhook = sandbox_verify_webhook,
};
