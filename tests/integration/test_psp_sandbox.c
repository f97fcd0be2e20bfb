/*
 * The card provider sandbox over HTTP (the test stack's psp-sandbox): every test card's path,
 * capture, void and refunds with their limits, its own idempotency key (replay, mismatch, in
 * flight, the fail-once card), the API key, input checks, and signed webhooks, received here
 * by a small server on port 25901 (AGORA_PSP_WEBHOOK_URLS of the test stack).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "ag_test.h"
#include "itest.h"

#include "agora/http.h"
#include "agora/log.h"
#include "agora/mem.h"

#define APPROVE      "4242424242424242"
#define INSUFFICIENT "4000000000009995"
#define STOLEN       "4000000000009979"
#define SLOW         "4000000000000077"
#define FAIL_ONCE    "4000000000000119"

static char *api_key;
static char auth_header[320];
static char url_buf[512];

static const char *psp(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static const char *
psp(const char *fmt, ...)
{
    char path[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    snprintf(url_buf, sizeof(url_buf), "%s%s", it_url("PSP_SANDBOX"), path);
    return url_buf;
}

/* A POST with the API key and, when 'key' is set, the sandbox's idempotency key. */
static long
post(struct it_resp *r, const char *path, const char *key, const char *body)
{
    char idem[300];
    const char *h[3] = {auth_header, NULL, NULL};
    if (key != NULL) {
        snprintf(idem, sizeof(idem), "Psp-Idempotency-Key: %s", key);
        h[1] = idem;
    }
    it_request(r, "POST", psp("%s", path), NULL, NULL, body, h);
    return r->status;
}

static long
pay(struct it_resp *r, const char *card, long long amount, const char *extra, const char *key)
{
    char body[256];
    snprintf(body, sizeof(body), "{\"amount\":%lld,\"currency\":\"KRW\",\"cardNumber\":\"%s\"%s}",
             amount, card, extra != NULL ? extra : "");
    return post(r, "/v1/payments", key, body);
}

static const char *
str(const struct it_resp *r, const char *field)
{
    return json_string_value(json_object_get(json_object_get(r->json, "data"), field));
}

static long long
num(const struct it_resp *r, const char *field)
{
    return (long long)json_integer_value(json_object_get(json_object_get(r->json, "data"), field));
}

/* POST path built from the payment id 'id' and 'action', with 'body'. */
static long
act(struct it_resp *r, const char *id, const char *action, const char *body)
{
    char path[128];
    snprintf(path, sizeof(path), "/v1/payments/%s/%s", id, action);
    return post(r, path, NULL, body);
}

TEST(approve_capture_refund)
{
    struct it_resp r;
    char id[64];

    CHECK_EQ_INT(pay(&r, APPROVE, 10000, ",\"reference\":\"ord-1\"", NULL), 201);
    CHECK_EQ_STR(str(&r, "status"), "authorized");
    CHECK_EQ_STR(json_string_value(json_object_get(
                     json_object_get(json_object_get(r.json, "data"), "card"), "last4")),
                 "4242");
    CHECK(strstr(r.body, APPROVE) == NULL); /* the number never comes back */
    snprintf(id, sizeof(id), "%s", str(&r, "id"));
    it_resp_free(&r);
    CHECK_EQ_INT(act(&r, id, "capture", NULL), 200);
    CHECK_EQ_STR(str(&r, "status"), "captured");
    CHECK_EQ_INT(num(&r, "capturedAmount"), 10000);
    it_resp_free(&r);
    CHECK_EQ_INT(act(&r, id, "capture", NULL), 409); /* once */
    it_resp_free(&r);
    CHECK_EQ_INT(act(&r, id, "refund", "{\"amount\":4000}"), 200);
    CHECK_EQ_STR(str(&r, "status"), "partially_refunded");
    it_resp_free(&r);
    CHECK_EQ_INT(act(&r, id, "refund", "{\"amount\":6001}"), 409); /* more than is left */
    it_resp_free(&r);
    CHECK_EQ_INT(act(&r, id, "refund", "{\"amount\":6000}"), 200);
    CHECK_EQ_STR(str(&r, "status"), "refunded");
    CHECK_EQ_INT(num(&r, "refundedAmount"), 10000);
    it_resp_free(&r);
    CHECK_EQ_INT(act(&r, id, "refund", "{\"amount\":1}"), 409);
    it_resp_free(&r);
    const char *h[] = {auth_header, NULL};
    it_request(&r, "GET", psp("/v1/payments/%s", id), NULL, NULL, NULL, h);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_STR(str(&r, "status"), "refunded");
    CHECK_EQ_STR(str(&r, "reference"), "ord-1");
    it_resp_free(&r);
    it_request(&r, "GET", psp("/v1/payments/pay_000000000000000000000000"), NULL, NULL, NULL, h);
    CHECK_EQ_INT(r.status, 404);
    it_resp_free(&r);
}

TEST(capture_at_once_and_void)
{
    struct it_resp r;
    char id[64];

    CHECK_EQ_INT(pay(&r, "5555555555554444", 500, ",\"capture\":true", NULL), 201);
    CHECK_EQ_STR(str(&r, "status"), "captured");
    CHECK_EQ_INT(num(&r, "capturedAmount"), 500);
    it_resp_free(&r);
    CHECK_EQ_INT(pay(&r, APPROVE, 700, NULL, NULL), 201);
    snprintf(id, sizeof(id), "%s", str(&r, "id"));
    it_resp_free(&r);
    CHECK_EQ_INT(act(&r, id, "capture", "{\"amount\":701}"), 409); /* more than authorized */
    it_resp_free(&r);
    CHECK_EQ_INT(act(&r, id, "void", NULL), 200);
    CHECK_EQ_STR(str(&r, "status"), "voided");
    it_resp_free(&r);
    CHECK_EQ_INT(act(&r, id, "void", NULL), 409);
    it_resp_free(&r);
    CHECK_EQ_INT(act(&r, id, "capture", NULL), 409);
    it_resp_free(&r);
    CHECK_EQ_INT(act(&r, id, "refund", "{\"amount\":1}"), 409);
    it_resp_free(&r);
}

TEST(declines)
{
    struct it_resp r;
    char id[64];

    CHECK_EQ_INT(pay(&r, INSUFFICIENT, 1000, NULL, NULL), 201);
    CHECK_EQ_STR(str(&r, "status"), "declined");
    CHECK_EQ_STR(str(&r, "declineCode"), "insufficient_funds");
    snprintf(id, sizeof(id), "%s", str(&r, "id"));
    it_resp_free(&r);
    CHECK_EQ_INT(act(&r, id, "capture", NULL), 409);
    it_resp_free(&r);
    CHECK_EQ_INT(pay(&r, STOLEN, 1000, ",\"capture\":true", NULL), 201);
    CHECK_EQ_STR(str(&r, "status"), "declined");
    CHECK_EQ_STR(str(&r, "declineCode"), "stolen_card");
    CHECK_EQ_INT(num(&r, "capturedAmount"), 0);
    it_resp_free(&r);
}

/* The payments of one reference, as GET /v1/payments?reference= lists them. */
static size_t
by_reference(const char *ref, const char *want_status)
{
    struct it_resp r;
    const char *h[] = {auth_header, NULL};
    size_t n = 0, i;
    json_t *p;

    it_request(&r, "GET", psp("/v1/payments?reference=%s", ref), NULL, NULL, NULL, h);
    json_array_foreach(json_object_get(r.json, "data"), i, p)
    {
        if (want_status == NULL ||
            strcmp(json_string_value(json_object_get(p, "status")), want_status) == 0) {
            n++;
        }
    }
    it_resp_free(&r);
    return n;
}

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct racer {
    const char *key;
    long status;
};

static void *
race_slow(void *arg)
{
    struct racer *x = arg;
    struct it_resp r;
    char ref[80];
    snprintf(ref, sizeof(ref), ",\"reference\":\"%s\"", x->key);
    x->status = pay(&r, SLOW, 100, ref, x->key);
    it_resp_free(&r);
    return NULL;
}

TEST(slow_card_and_a_duplicate_in_flight)
{
    struct racer a = {NULL, 0}, b = {NULL, 0};
    char key[40];
    pthread_t ta, tb;

    it_unique(key, sizeof(key), "slow-");
    a.key = b.key = key;
    double t0 = now_s();
    pthread_create(&ta, NULL, race_slow, &a);
    usleep(300 * 1000); /* the first is inside the sandbox's delay now */
    pthread_create(&tb, NULL, race_slow, &b);
    /* While it waits, the provider has it on record as processing. */
    CHECK_EQ_INT(by_reference(key, "processing"), 1);
    pthread_join(tb, NULL);
    pthread_join(ta, NULL);
    CHECK_EQ_INT(a.status, 201);
    CHECK_EQ_INT(b.status, 409); /* the same key while the first still runs */
    /* The slow card does answer, after AGORA_PSP_SLOW_MS (1.5 s in the test stack). */
    CHECK(now_s() - t0 >= 1.4);
    CHECK_EQ_INT(by_reference(key, "authorized"), 1);
}

TEST(tokens_and_lookup_by_reference)
{
    struct it_resp r;
    char tok[64], ref[40], body[160];

    CHECK_EQ_INT(post(&r, "/v1/tokens", NULL, "{\"cardNumber\":\"" INSUFFICIENT "\"}"), 201);
    snprintf(tok, sizeof(tok), "%s", str(&r, "id"));
    CHECK(strncmp(tok, "tok_", 4) == 0);
    CHECK(strstr(r.body, INSUFFICIENT) == NULL);
    it_resp_free(&r);
    /* A payment by token behaves as the card behind it. */
    it_unique(ref, sizeof(ref), "tok-");
    snprintf(body, sizeof(body),
             "{\"amount\":10,\"currency\":\"KRW\",\"token\":\"%s\",\"reference\":\"%s\"}", tok,
             ref);
    CHECK_EQ_INT(post(&r, "/v1/payments", NULL, body), 201);
    CHECK_EQ_STR(str(&r, "declineCode"), "insufficient_funds");
    it_resp_free(&r);
    CHECK_EQ_INT(by_reference(ref, "declined"), 1);
    CHECK_EQ_INT(by_reference("no-such-reference", NULL), 0);
    /* Neither both nor an unknown token. */
    snprintf(body, sizeof(body),
             "{\"amount\":10,\"currency\":\"KRW\",\"token\":\"%s\",\"cardNumber\":\"" APPROVE "\"}",
             tok);
    CHECK_EQ_INT(post(&r, "/v1/payments", NULL, body), 400);
    it_resp_free(&r);
    CHECK_EQ_INT(post(&r, "/v1/payments", NULL,
                      "{\"amount\":10,\"currency\":\"KRW\",\"token\":"
                      "\"tok_000000000000000000000000\"}"),
                 400);
    CHECK_EQ_STR(it_error_field(&r), "token");
    it_resp_free(&r);
}

TEST(fail_once_then_approve_and_replays)
{
    struct it_resp r;
    char key[40], h[16];

    it_unique(key, sizeof(key), "once-");
    CHECK_EQ_INT(pay(&r, FAIL_ONCE, 900, ",\"capture\":true", key), 500);
    it_resp_free(&r);
    CHECK_EQ_INT(pay(&r, FAIL_ONCE, 900, ",\"capture\":true", key), 201);
    CHECK_EQ_STR(str(&r, "status"), "captured");
    char *first = ag_xstrdup(r.body);
    it_resp_free(&r);
    /* A retry answers the stored answer; the same key with another body is refused. */
    CHECK_EQ_INT(pay(&r, FAIL_ONCE, 900, ",\"capture\":true", key), 201);
    CHECK_EQ_STR(r.body, first);
    CHECK(it_header(&r, "Psp-Idempotent-Replayed", h, sizeof(h)) != NULL);
    it_resp_free(&r);
    CHECK_EQ_INT(pay(&r, FAIL_ONCE, 901, ",\"capture\":true", key), 422);
    it_resp_free(&r);
    ag_free(first);
}

TEST(api_key_and_input_checks)
{
    struct it_resp r;
    const char *wrong[] = {"Authorization: Bearer not-the-key", NULL};

    it_request(&r, "POST", psp("/v1/payments"), NULL, NULL,
               "{\"amount\":1,\"currency\":\"KRW\",\"cardNumber\":\"" APPROVE "\"}", NULL);
    CHECK_EQ_INT(r.status, 401);
    it_resp_free(&r);
    it_request(&r, "POST", psp("/v1/payments"), NULL, NULL,
               "{\"amount\":1,\"currency\":\"KRW\",\"cardNumber\":\"" APPROVE "\"}", wrong);
    CHECK_EQ_INT(r.status, 401);
    it_resp_free(&r);
    static const char *const bad[] = {
        "{\"amount\":0,\"currency\":\"KRW\",\"cardNumber\":\"" APPROVE "\"}",
        "{\"amount\":-5,\"currency\":\"KRW\",\"cardNumber\":\"" APPROVE "\"}",
        "{\"amount\":1000000000001,\"currency\":\"KRW\",\"cardNumber\":\"" APPROVE "\"}",
        "{\"amount\":1.5,\"currency\":\"KRW\",\"cardNumber\":\"" APPROVE "\"}",
        "{\"amount\":1,\"currency\":\"krw\",\"cardNumber\":\"" APPROVE "\"}",
        "{\"amount\":1,\"currency\":\"KRWX\",\"cardNumber\":\"" APPROVE "\"}",
        "{\"amount\":1,\"currency\":\"KRW\",\"cardNumber\":\"4242424242424241\"}",
        "{\"amount\":1,\"currency\":\"KRW\",\"cardNumber\":\"4242-4242-4242-4242\"}",
        "{\"amount\":1,\"currency\":\"KRW\",\"cardNumber\":\"" APPROVE "\",\"cvc\":\"123\"}",
        "{\"amount\":1,\"currency\":\"KRW\"}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_EQ_INT(post(&r, "/v1/payments", NULL, bad[i]), 400);
        it_resp_free(&r);
    }
}

/* The webhook receiver: the events that arrived, with their signature headers. */
static pthread_mutex_t hooks_lock = PTHREAD_MUTEX_INITIALIZER;
static char hooks[64][2048];
static char hook_sigs[64][160];
static size_t nhooks;

static int
hook(struct ag_req *req)
{
    const char *sig = ag_req_header(req, "Psp-Signature");
    pthread_mutex_lock(&hooks_lock);
    if (nhooks < 64) {
        snprintf(hooks[nhooks], sizeof(hooks[0]), "%.*s", (int)req->body_len, req->body);
        snprintf(hook_sigs[nhooks], sizeof(hook_sigs[0]), "%s", sig != NULL ? sig : "");
        nhooks++;
    }
    pthread_mutex_unlock(&hooks_lock);
    return ag_reply_empty(req, 204);
}

static const struct ag_route hook_routes[] = {
    {AG_POST, "/hook", hook, AG_AUTH_NONE, 65536, 0},
};

/* Does 'sig' ("t=…,v1=…") sign 'body' with the stack's webhook secret? */
static int
signature_ok(const char *sig, const char *body, const char *secret)
{
    long long t;
    char v1[65];
    if (sscanf(sig, "t=%lld,v1=%64s", &t, v1) != 2) {
        return 0;
    }
    char ts[24];
    int n = snprintf(ts, sizeof(ts), "%lld.", t);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char hex[65];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, (size_t)n);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
    return strcmp(hex, v1) == 0 && llabs(t - (long long)time(NULL)) < 60;
}

TEST(signed_webhooks_on_every_change)
{
    struct ag_service svc = {
        .name = "hook",
        .routes = hook_routes,
        .nroutes = 1,
        .bind = "127.0.0.1",
        .port = 25901,
        .threads = 1,
    };
    struct ag_server *srv;
    struct it_resp r;
    char id[64], ref[40], body[64];
    char *secret = it_stack_key("psp-webhook-secret");

    ag_log_init("hook", AG_LOG_ERROR);
    CHECK_EQ_INT(ag_server_start(&svc, &srv), 0);
    it_unique(ref, sizeof(ref), "hook-");
    snprintf(body, sizeof(body), ",\"reference\":\"%s\"", ref);
    CHECK_EQ_INT(pay(&r, APPROVE, 300, body, NULL), 201);
    snprintf(id, sizeof(id), "%s", str(&r, "id"));
    it_resp_free(&r);
    CHECK_EQ_INT(act(&r, id, "capture", NULL), 200);
    it_resp_free(&r);
    /* Both events arrive (authorized, then captured), each signed. */
    int authorized = 0, captured = 0, signed_ok = 1;
    for (int i = 0; i < 50 && !(authorized && captured); i++) {
        usleep(100 * 1000);
        pthread_mutex_lock(&hooks_lock);
        authorized = captured = 0;
        for (size_t k = 0; k < nhooks; k++) {
            if (strstr(hooks[k], id) == NULL) {
                continue;
            }
            signed_ok &= signature_ok(hook_sigs[k], hooks[k], secret);
            authorized |= strstr(hooks[k], "\"type\":\"payment.authorized\"") != NULL;
            captured |= strstr(hooks[k], "\"type\":\"payment.captured\"") != NULL;
        }
        pthread_mutex_unlock(&hooks_lock);
    }
    CHECK(authorized);
    CHECK(captured);
    CHECK(signed_ok);
    CHECK(!signature_ok(hook_sigs[0], "{\"tampered\":true}", secret));
    ag_server_stop(srv);
    ag_free(secret);
}

int
main(int argc, char **argv)
{
    static const struct ag_test tests[] = {
        TEST_ENTRY(approve_capture_refund),
        TEST_ENTRY(capture_at_once_and_void),
        TEST_ENTRY(declines),
        TEST_ENTRY(slow_card_and_a_duplicate_in_flight),
        TEST_ENTRY(tokens_and_lookup_by_reference),
        TEST_ENTRY(fail_once_then_approve_and_replays),
        TEST_ENTRY(api_key_and_input_checks),
        TEST_ENTRY(signed_webhooks_on_every_change),
    };
    it_init();
    api_key = it_stack_key("psp-api-key");
    snprintf(auth_header, sizeof(auth_header), "Authorization: Bearer %s", api_key);
    int rc = ag_test_main_(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
    ag_free(api_key);
    it_cleanup();
    return rc;
}
