/*
 * The payment service over HTTP against the test stack's real sandbox provider, PostgreSQL
 * and Redis: every test card's path, a provider timeout left UNKNOWN and reconciled to the
 * provider's truth, one charge for 50 concurrent requests of one order, refunds within what
 * was captured (also concurrently), void, input checks, the payer-or-admin read through the
 * gateway, signed webhooks (bad signature, old timestamp, replayed id), the append-only event
 * table, the outbox reaching Redis, and card numbers kept out of the database and the logs.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "ag_test.h"
#include "itest.h"

#include "agora/mem.h"

#define APPROVE      "4242424242424242"
#define INSUFFICIENT "4000000000009995"
#define STOLEN       "4000000000009979"
#define SLOW         "4000000000000077"
#define FAIL_ONCE    "4000000000000119"

static char internal[320];
static char psp_auth[320];
static PGconn *pg;

static const char *url(const char *service, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static const char *
url(const char *service, const char *fmt, ...)
{
    static __thread char buf[512];
    char path[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    snprintf(buf, sizeof(buf), "%s%s", it_url(service), path);
    return buf;
}

/* POST /internal/payments for 'order'; 'method' is the JSON of the method object. */
static long
charge_with(struct it_resp *r, const char *order, long long amount, const char *method)
{
    char body[512];
    const char *h[] = {internal, NULL};
    snprintf(body, sizeof(body),
             "{\"orderId\":\"%s\",\"amount\":%lld,\"currency\":\"KRW\",\"method\":%s,"
             "\"payerId\":\"payer-%s\"}",
             order, amount, method, order);
    it_request(r, "POST", url("PAYMENT", "/internal/payments"), NULL, NULL, body, h);
    return r->status;
}

static long
charge(struct it_resp *r, const char *order, long long amount, const char *card)
{
    char method[96];
    snprintf(method, sizeof(method), "{\"cardNumber\":\"%s\"}", card);
    return charge_with(r, order, amount, method);
}

static long
get_payment(struct it_resp *r, const char *id)
{
    const char *h[] = {internal, NULL};
    it_request(r, "GET", url("PAYMENT", "/internal/payments/%s", id), NULL, NULL, NULL, h);
    return r->status;
}

static long
act(struct it_resp *r, const char *id, const char *what, const char *key, const char *body)
{
    const char *h[] = {internal, NULL};
    it_request(r, "POST", url("PAYMENT", "/internal/payments/%s/%s", id, what), NULL, key, body, h);
    return r->status;
}

static long long
num(const struct it_resp *r, const char *field)
{
    return (long long)json_integer_value(json_object_get(json_object_get(r->json, "data"), field));
}

/* A new payment's id and order for 'card', captured (or not: 'want' is its HTTP status). */
static int
new_payment(const char *card, long long amount, long want, char id[64], char order[40])
{
    struct it_resp r;
    it_unique(order, 40, "ord-");
    long st = charge(&r, order, amount, card);
    snprintf(id, 64, "%s", it_data_str(&r, "id") != NULL ? it_data_str(&r, "id") : "");
    it_resp_free(&r);
    return st == want && id[0] != '\0';
}

/* Polls the payment until its status is 'want' (up to 'seconds'); 1 when it got there. */
static int
wait_status(const char *id, const char *want, int seconds)
{
    for (int i = 0; i < seconds * 10; i++) {
        struct it_resp r;
        get_payment(&r, id);
        int ok = it_data_str(&r, "status") != NULL && strcmp(it_data_str(&r, "status"), want) == 0;
        it_resp_free(&r);
        if (ok) {
            return 1;
        }
        usleep(100 * 1000);
    }
    return 0;
}

/* The payment database, read by the test: a count with one text parameter. */
static long long
pg_count(const char *sql, const char *param)
{
    PGresult *res = PQexecParams(pg, sql, param != NULL ? 1 : 0, NULL, &param, NULL, NULL, 0);
    long long n = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1
                      ? strtoll(PQgetvalue(res, 0, 0), NULL, 10)
                      : -1;
    PQclear(res);
    return n;
}

/* "A>B>C" of a payment's events, oldest first, with their sources ("api:PENDING>…"). */
static char *
events_of(const char *id)
{
    static char buf[512];
    const char *v[] = {id};
    PGresult *res = PQexecParams(
        pg,
        "SELECT string_agg(source || ':' || to_status, '>' ORDER BY id) FROM payment_events"
        " WHERE payment_id = $1::uuid",
        1, NULL, v, NULL, NULL, 0);
    snprintf(buf, sizeof(buf), "%s",
             PQresultStatus(res) == PGRES_TUPLES_OK ? PQgetvalue(res, 0, 0) : "?");
    PQclear(res);
    return buf;
}

/* How many payments the provider has for our reference 'id' (with 'status', or any). */
static size_t
at_provider(const char *id, const char *status)
{
    struct it_resp r;
    const char *h[] = {psp_auth, NULL};
    size_t n = 0, i;
    json_t *p;
    it_request(&r, "GET", url("PSP_SANDBOX", "/v1/payments?reference=%s", id), NULL, NULL, NULL, h);
    json_array_foreach(json_object_get(r.json, "data"), i, p)
    {
        if (status == NULL ||
            strcmp(json_string_value(json_object_get(p, "status")), status) == 0) {
            n++;
        }
    }
    it_resp_free(&r);
    return n;
}

TEST(every_test_card)
{
    struct it_resp r;
    char order[40];

    it_unique(order, sizeof(order), "ord-");
    CHECK_EQ_INT(charge(&r, order, 12000, APPROVE), 201);
    CHECK_EQ_STR(it_data_str(&r, "status"), "CAPTURED");
    CHECK_EQ_INT(num(&r, "capturedAmount"), 12000);
    CHECK_EQ_STR(json_string_value(json_object_get(
                     json_object_get(json_object_get(r.json, "data"), "card"), "last4")),
                 "4242");
    CHECK(strstr(r.body, APPROVE) == NULL);
    char id[64];
    snprintf(id, sizeof(id), "%s", it_data_str(&r, "id"));
    it_resp_free(&r);
    CHECK_EQ_STR(events_of(id), "api:PENDING>api:AUTHORIZED>api:CAPTURED");
    CHECK_EQ_INT(at_provider(id, "captured"), 1);

    static const struct {
        const char *card, *code;
    } declined[] = {{INSUFFICIENT, "insufficient_funds"}, {STOLEN, "stolen_card"}};
    for (size_t i = 0; i < 2; i++) {
        it_unique(order, sizeof(order), "ord-");
        CHECK_EQ_INT(charge(&r, order, 5000, declined[i].card), 201);
        CHECK_EQ_STR(it_data_str(&r, "status"), "FAILED");
        CHECK_EQ_STR(it_data_str(&r, "failureCode"), declined[i].code);
        CHECK_EQ_INT(num(&r, "capturedAmount"), 0);
        snprintf(id, sizeof(id), "%s", it_data_str(&r, "id"));
        it_resp_free(&r);
        CHECK_EQ_STR(events_of(id), "api:PENDING>api:FAILED");
    }
    /* The fail-once card: the provider's 500 is retried with the same key, then approves. */
    it_unique(order, sizeof(order), "ord-");
    CHECK_EQ_INT(charge(&r, order, 700, FAIL_ONCE), 201);
    CHECK_EQ_STR(it_data_str(&r, "status"), "CAPTURED");
    snprintf(id, sizeof(id), "%s", it_data_str(&r, "id"));
    it_resp_free(&r);
    CHECK_EQ_INT(at_provider(id, NULL), 1);
}

TEST(timeout_unknown_then_reconciled)
{
    struct it_resp r;
    char order[40], id[64];

    it_unique(order, sizeof(order), "ord-");
    /* The slow card answers after 1.5 s, past payment's 0.8 s provider timeout. */
    CHECK_EQ_INT(charge(&r, order, 3000, SLOW), 202);
    CHECK_EQ_STR(it_data_str(&r, "status"), "UNKNOWN");
    snprintf(id, sizeof(id), "%s", it_data_str(&r, "id"));
    it_resp_free(&r);
    /* Asking again for the order answers the same payment, still not charged twice. */
    CHECK_EQ_INT(charge(&r, order, 3000, SLOW), 200);
    CHECK_EQ_STR(it_data_str(&r, "id"), id);
    it_resp_free(&r);
    /* The reconciler (every second in the test stack) learns the provider's truth. */
    CHECK(wait_status(id, "CAPTURED", 15));
    CHECK_EQ_STR(events_of(id),
                 "api:PENDING>api:UNKNOWN>reconciler:AUTHORIZED>reconciler:CAPTURED");
    CHECK_EQ_INT(at_provider(id, "captured"), 1);
    CHECK_EQ_INT(at_provider(id, NULL), 1);
}

struct racer {
    const char *order;
    long status;
    char id[64];
};

static void *
race_charge(void *arg)
{
    struct racer *x = arg;
    struct it_resp r;
    x->status = charge(&r, x->order, 4200, APPROVE);
    const char *id = it_data_str(&r, "id");
    if (id == NULL) {
        id = json_string_value(json_object_get(
            json_object_get(json_object_get(r.json, "error"), "details"), "paymentId"));
    }
    snprintf(x->id, sizeof(x->id), "%s", id != NULL ? id : "");
    it_resp_free(&r);
    return NULL;
}

TEST(fifty_concurrent_requests_charge_once)
{
    struct racer x[50];
    pthread_t t[50];
    char order[40];
    int created = 0, again = 0, in_flight = 0;

    it_unique(order, sizeof(order), "ord-");
    for (int i = 0; i < 50; i++) {
        x[i].order = order;
        pthread_create(&t[i], NULL, race_charge, &x[i]);
    }
    for (int i = 0; i < 50; i++) {
        pthread_join(t[i], NULL);
    }
    for (int i = 0; i < 50; i++) {
        created += x[i].status == 201;
        again += x[i].status == 200;
        in_flight += x[i].status == 409;
        CHECK_EQ_STR(x[i].id, x[0].id); /* one payment, whoever answered */
    }
    CHECK_EQ_INT(created, 1);
    CHECK_EQ_INT(created + again + in_flight, 50);
    CHECK_EQ_INT(at_provider(x[0].id, NULL), 1); /* one charge at the provider */
    CHECK_EQ_INT(pg_count("SELECT count(*) FROM payments WHERE order_id = $1", order), 1);
    /* Another amount for the same order is refused. */
    struct it_resp r;
    CHECK_EQ_INT(charge(&r, order, 4300, APPROVE), 422);
    it_resp_free(&r);
}

TEST(refunds_within_what_was_captured)
{
    struct it_resp r;
    char id[64], order[40], h[16], key[40];

    CHECK(new_payment(APPROVE, 10000, 201, id, order));
    it_unique(key, sizeof(key), "refund-");
    CHECK_EQ_INT(act(&r, id, "refund", key, "{\"amount\":4000,\"reason\":\"one item back\"}"), 200);
    json_t *data = json_object_get(r.json, "data");
    CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(data, "payment"), "status")),
                 "PARTIALLY_REFUNDED");
    CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(data, "refund"), "status")),
                 "SUCCEEDED");
    char *first = ag_xstrdup(r.body);
    it_resp_free(&r);
    /* The same key again is the same refund: its answer, replayed, and nothing refunded. */
    CHECK_EQ_INT(act(&r, id, "refund", key, "{\"amount\":4000,\"reason\":\"one item back\"}"), 200);
    CHECK_EQ_STR(r.body, first);
    CHECK(it_header(&r, "X-Idempotency-Replayed", h, sizeof(h)) != NULL);
    it_resp_free(&r);
    ag_free(first);
    /* More than is left is refused, saying how much is. */
    it_unique(key, sizeof(key), "refund-");
    CHECK_EQ_INT(act(&r, id, "refund", key, "{\"amount\":6001}"), 409);
    CHECK_EQ_INT(json_integer_value(json_object_get(
                     json_object_get(json_object_get(r.json, "error"), "details"), "refundable")),
                 6000);
    it_resp_free(&r);
    it_unique(key, sizeof(key), "refund-");
    CHECK_EQ_INT(act(&r, id, "refund", key, "{\"amount\":6000}"), 200);
    it_resp_free(&r);
    CHECK_EQ_INT(get_payment(&r, id), 200);
    CHECK_EQ_STR(it_data_str(&r, "status"), "REFUNDED");
    CHECK_EQ_INT(num(&r, "refundedAmount"), 10000);
    it_resp_free(&r);
    CHECK_EQ_INT(at_provider(id, "refunded"), 1);
    CHECK_EQ_STR(events_of(id), "api:PENDING>api:AUTHORIZED>api:CAPTURED>api:PARTIALLY_REFUNDED"
                                ">api:REFUNDED");
    it_unique(key, sizeof(key), "refund-");
    CHECK_EQ_INT(act(&r, id, "refund", key, "{\"amount\":1}"), 409);
    it_resp_free(&r);
    /* A refund needs its idempotency key; a declined payment has nothing to refund. */
    CHECK_EQ_INT(act(&r, id, "refund", NULL, "{\"amount\":1}"), 400);
    it_resp_free(&r);
    CHECK(new_payment(INSUFFICIENT, 500, 201, id, order));
    it_unique(key, sizeof(key), "refund-");
    CHECK_EQ_INT(act(&r, id, "refund", key, "{\"amount\":1}"), 409);
    it_resp_free(&r);
    CHECK_EQ_INT(act(&r, "00000000-0000-4000-8000-000000000000", "refund", key, "{\"amount\":1}"),
                 404);
    it_resp_free(&r);
}

struct refunder {
    const char *id;
    long status;
};

static void *
race_refund(void *arg)
{
    struct refunder *x = arg;
    struct it_resp r;
    char key[40];
    it_unique(key, sizeof(key), "race-");
    x->status = act(&r, x->id, "refund", key, "{\"amount\":2000}");
    it_resp_free(&r);
    return NULL;
}

TEST(concurrent_refunds_never_add_up_to_more)
{
    struct refunder x[10];
    pthread_t t[10];
    char id[64], order[40];
    int ok = 0, refused = 0;

    CHECK(new_payment(APPROVE, 10000, 201, id, order));
    for (int i = 0; i < 10; i++) {
        x[i].id = id;
        pthread_create(&t[i], NULL, race_refund, &x[i]);
    }
    for (int i = 0; i < 10; i++) {
        pthread_join(t[i], NULL);
        ok += x[i].status == 200;
        refused += x[i].status == 409;
    }
    CHECK_EQ_INT(ok, 5);
    CHECK_EQ_INT(refused, 5);
    struct it_resp r;
    CHECK_EQ_INT(get_payment(&r, id), 200);
    CHECK_EQ_INT(num(&r, "refundedAmount"), 10000);
    CHECK_EQ_STR(it_data_str(&r, "status"), "REFUNDED");
    it_resp_free(&r);
}

TEST(void_failed_unknown_and_captured)
{
    struct it_resp r;
    char id[64], order[40];

    /* Captured: refund it, not void. Failed: nothing to void, answered as it is. */
    CHECK(new_payment(APPROVE, 900, 201, id, order));
    CHECK_EQ_INT(act(&r, id, "void", NULL, NULL), 409);
    it_resp_free(&r);
    CHECK(new_payment(STOLEN, 900, 201, id, order));
    CHECK_EQ_INT(act(&r, id, "void", NULL, NULL), 200);
    CHECK_EQ_STR(it_data_str(&r, "status"), "FAILED");
    it_resp_free(&r);
    /* Unknown: the void is remembered, and once the provider's record is known the
     * reconciler undoes the charge: it was captured in the same call, so it is refunded. */
    CHECK(new_payment(SLOW, 900, 202, id, order));
    CHECK_EQ_INT(act(&r, id, "void", NULL, NULL), 202);
    it_resp_free(&r);
    CHECK(wait_status(id, "REFUNDED", 15));
    CHECK_EQ_INT(at_provider(id, "refunded"), 1);
    CHECK_EQ_STR(events_of(id), "api:PENDING>api:UNKNOWN>reconciler:AUTHORIZED>"
                                "reconciler:CAPTURED>reconciler:REFUNDED");
    CHECK_EQ_INT(get_payment(&r, id), 200);
    CHECK_EQ_INT(num(&r, "refundedAmount"), 900);
    it_resp_free(&r);
}

TEST(input_checks)
{
    struct it_resp r;
    const char *h[] = {internal, NULL};
    const char *wrong[] = {"X-Internal-Token: not-the-token", NULL};
    static const char *const bad[] = {
        "{\"orderId\":\"o-1\",\"amount\":0,\"currency\":\"KRW\",\"method\":{\"cardNumber\":"
        "\"" APPROVE "\"}}",
        "{\"orderId\":\"o-1\",\"amount\":-5,\"currency\":\"KRW\",\"method\":{\"cardNumber\":"
        "\"" APPROVE "\"}}",
        "{\"orderId\":\"o-1\",\"amount\":1.5,\"currency\":\"KRW\",\"method\":{\"cardNumber\":"
        "\"" APPROVE "\"}}",
        "{\"orderId\":\"o-1\",\"amount\":\"100\",\"currency\":\"KRW\",\"method\":{\"cardNumber\":"
        "\"" APPROVE "\"}}",
        "{\"orderId\":\"o-1\",\"amount\":100000001,\"currency\":\"KRW\",\"method\":{\"cardNumber\":"
        "\"" APPROVE "\"}}",
        "{\"orderId\":\"o-1\",\"amount\":100,\"currency\":\"EUR\",\"method\":{\"cardNumber\":"
        "\"" APPROVE "\"}}",
        "{\"orderId\":\"o-1\",\"amount\":100,\"currency\":\"krw\",\"method\":{\"cardNumber\":"
        "\"" APPROVE "\"}}",
        "{\"orderId\":\"o "
        "1\",\"amount\":100,\"currency\":\"KRW\",\"method\":{\"cardNumber\":\"" APPROVE "\"}}",
        "{\"orderId\":\"\",\"amount\":100,\"currency\":\"KRW\",\"method\":{\"cardNumber\":"
        "\"" APPROVE "\"}}",
        "{\"amount\":100,\"currency\":\"KRW\",\"method\":{\"cardNumber\":\"" APPROVE "\"}}",
        "{\"orderId\":\"o-1\",\"amount\":100,\"currency\":\"KRW\"}",
        "{\"orderId\":\"o-1\",\"amount\":100,\"currency\":\"KRW\",\"method\":{}}",
        "{\"orderId\":\"o-1\",\"amount\":100,\"currency\":\"KRW\",\"method\":{\"cardNumber\":"
        "\"4242424242424241\"}}",
        "{\"orderId\":\"o-1\",\"amount\":100,\"currency\":\"KRW\",\"method\":{\"cardNumber\":"
        "\"" APPROVE "\",\"token\":\"tok_1\"}}",
        "{\"orderId\":\"o-1\",\"amount\":100,\"currency\":\"KRW\",\"method\":{\"cardNumber\":"
        "\"" APPROVE "\",\"cvc\":\"1\"}}",
        "{\"orderId\":\"o-1\",\"amount\":100,\"currency\":\"KRW\",\"method\":{\"cardNumber\":"
        "\"" APPROVE "\"},\"x\":1}",
        "[1]",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        it_request(&r, "POST", url("PAYMENT", "/internal/payments"), NULL, NULL, bad[i], h);
        if (r.status != 400) {
            fprintf(stderr, "bad[%zu] got %ld\n", i, r.status);
        }
        CHECK_EQ_INT(r.status, 400);
        CHECK(strstr(r.body, APPROVE) == NULL);
        it_resp_free(&r);
    }
    CHECK_EQ_INT(pg_count("SELECT count(*) FROM payments WHERE order_id = $1", "o-1"), 0);
    it_request(&r, "POST", url("PAYMENT", "/internal/payments"), NULL, NULL, bad[0], NULL);
    CHECK_EQ_INT(r.status, 401);
    it_resp_free(&r);
    it_request(&r, "POST", url("PAYMENT", "/internal/payments"), NULL, NULL, bad[0], wrong);
    CHECK_EQ_INT(r.status, 401);
    it_resp_free(&r);
    CHECK_EQ_INT(get_payment(&r, "not-a-uuid"), 404);
    it_resp_free(&r);
    /* The gateway never routes /internal/. */
    it_request(&r, "POST", url("GATEWAY", "/internal/payments"), NULL, NULL, bad[0], h);
    CHECK_EQ_INT(r.status, 404);
    it_resp_free(&r);
}

TEST(pay_by_provider_token)
{
    struct it_resp r;
    const char *h[] = {psp_auth, NULL};
    char order[40], method[96];

    it_request(&r, "POST", url("PSP_SANDBOX", "/v1/tokens"), NULL, NULL,
               "{\"cardNumber\":\"5555555555554444\"}", h);
    CHECK_EQ_INT(r.status, 201);
    snprintf(method, sizeof(method), "{\"token\":\"%s\"}", it_data_str(&r, "id"));
    it_resp_free(&r);
    it_unique(order, sizeof(order), "ord-");
    CHECK_EQ_INT(charge_with(&r, order, 800, method), 201);
    CHECK_EQ_STR(it_data_str(&r, "status"), "CAPTURED");
    CHECK_EQ_STR(json_string_value(json_object_get(
                     json_object_get(json_object_get(r.json, "data"), "card"), "brand")),
                 "mastercard");
    it_resp_free(&r);
    /* A token the provider does not know: the provider refuses, the payment FAILED. */
    it_unique(order, sizeof(order), "ord-");
    CHECK_EQ_INT(charge_with(&r, order, 800, "{\"token\":\"tok_000000000000000000000000\"}"), 201);
    CHECK_EQ_STR(it_data_str(&r, "status"), "FAILED");
    CHECK_EQ_STR(it_data_str(&r, "failureCode"), "provider_rejected");
    it_resp_free(&r);
}

/* A guest session of the test stack's auth, through the gateway: its access token and sub. */
static int
guest(char *access, size_t size, char sub[80])
{
    struct it_resp r;
    const char *const h[] = {it_client_auth_header(), NULL};
    it_request(&r, "POST", url("GATEWAY", "/api/auth/guest-token"), NULL, NULL, NULL, h);
    snprintf(access, size, "%s",
             it_data_str(&r, "access_token") != NULL ? it_data_str(&r, "access_token") : "");
    it_resp_free(&r);
    it_request(&r, "GET", url("GATEWAY", "/api/auth/session-info"), access, NULL, NULL, NULL);
    snprintf(sub, 80, "%s", it_data_str(&r, "id") != NULL ? it_data_str(&r, "id") : "");
    it_resp_free(&r);
    return access[0] != '\0' && sub[0] != '\0';
}

TEST(payer_or_admin_reads_it)
{
    struct it_resp r;
    char order[40], id[64], body[256], sub[80], other_sub[80];
    char access[2048], other[2048];
    const char *h[] = {internal, NULL};

    /* A guest pays (the order service passes the payer's subject) and reads it through the
     * gateway; another guest does not see it. */
    CHECK(guest(access, sizeof(access), sub));
    CHECK(guest(other, sizeof(other), other_sub));
    it_unique(order, sizeof(order), "ord-");
    snprintf(body, sizeof(body),
             "{\"orderId\":\"%s\",\"amount\":1500,\"currency\":\"KRW\","
             "\"method\":{\"cardNumber\":\"" APPROVE "\"},\"payerId\":\"%s\"}",
             order, sub);
    it_request(&r, "POST", url("PAYMENT", "/internal/payments"), NULL, NULL, body, h);
    CHECK_EQ_INT(r.status, 201);
    snprintf(id, sizeof(id), "%s", it_data_str(&r, "id"));
    it_resp_free(&r);
    it_request(&r, "GET", url("GATEWAY", "/api/payments/%s", id), access, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_STR(it_data_str(&r, "orderId"), order);
    CHECK_EQ_STR(it_data_str(&r, "payerId"), sub);
    it_resp_free(&r);
    it_request(&r, "GET", url("GATEWAY", "/api/payments/%s", id), other, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 404);
    it_resp_free(&r);
    it_request(&r, "GET", url("GATEWAY", "/api/payments/%s", id), NULL, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 401);
    it_resp_free(&r);
    /* An admin reads anyone's; the service checks the token itself too. */
    char *admin = it_token("admin-1", "admin", 300);
    char *user = it_token("someone-else", "user", 300);
    it_request(&r, "GET", url("PAYMENT", "/api/payments/%s", id), admin, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    it_resp_free(&r);
    it_request(&r, "GET", url("PAYMENT", "/api/payments/%s", id), user, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 404);
    it_resp_free(&r);
    it_request(&r, "GET", url("PAYMENT", "/api/payments/%s", id), NULL, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 401);
    it_resp_free(&r);
    it_request(&r, "GET", url("PAYMENT", "/api/payments/not-a-payment"), admin, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 404);
    it_resp_free(&r);
    ag_free(admin);
    ag_free(user);
}

/* A webhook as the sandbox signs it, at unix time 't', through the gateway. */
static long
webhook(struct it_resp *r, const char *body, long long t, const char *secret)
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char ts[24], hex[65], sig[160];
    int n = snprintf(ts, sizeof(ts), "%lld.", t);
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, (size_t)n);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
    snprintf(sig, sizeof(sig), "Psp-Signature: t=%lld,v1=%s", t, hex);
    const char *h[] = {sig, NULL};
    it_request(r, "POST", url("GATEWAY", "/api/payments/webhooks/sandbox"), NULL, NULL, body, h);
    return r->status;
}

TEST(webhooks_signed_fresh_and_once)
{
    struct it_resp r;
    char *secret = it_stack_key("psp-webhook-secret");
    char body[256], evt[40];
    long long now = (long long)time(NULL);

    it_unique(evt, sizeof(evt), "evt-test-");
    snprintf(body, sizeof(body),
             "{\"id\":\"%s\",\"type\":\"payment.captured\",\"created\":%lld,\"data\":{}}", evt,
             now);
    CHECK_EQ_INT(webhook(&r, body, now, secret), 200);
    CHECK(json_is_false(json_object_get(json_object_get(r.json, "data"), "duplicate")));
    it_resp_free(&r);
    /* The same event again (a replay, or the provider's retry) changes nothing. */
    CHECK_EQ_INT(webhook(&r, body, now, secret), 200);
    CHECK(json_is_true(json_object_get(json_object_get(r.json, "data"), "duplicate")));
    it_resp_free(&r);
    CHECK_EQ_INT(pg_count("SELECT count(*) FROM webhook_events WHERE event_id = $1", evt), 1);
    /* Signed with another secret, too old, from the future, unsigned, not an event. */
    it_unique(evt, sizeof(evt), "evt-test-");
    snprintf(body, sizeof(body), "{\"id\":\"%s\",\"type\":\"payment.captured\"}", evt);
    CHECK_EQ_INT(webhook(&r, body, now, "not-the-secret"), 401);
    it_resp_free(&r);
    CHECK_EQ_INT(webhook(&r, body, now - 3600, secret), 401);
    it_resp_free(&r);
    CHECK_EQ_INT(webhook(&r, body, now + 3600, secret), 401);
    it_resp_free(&r);
    it_request(&r, "POST", url("GATEWAY", "/api/payments/webhooks/sandbox"), NULL, NULL, body,
               NULL);
    CHECK_EQ_INT(r.status, 401);
    it_resp_free(&r);
    CHECK_EQ_INT(pg_count("SELECT count(*) FROM webhook_events WHERE event_id = $1", evt), 0);
    CHECK_EQ_INT(webhook(&r, "{\"type\":\"payment.captured\"}", now, secret), 400);
    it_resp_free(&r);
    it_request(&r, "POST", url("GATEWAY", "/api/payments/webhooks/other"), NULL, NULL, body, NULL);
    CHECK_EQ_INT(r.status, 404);
    it_resp_free(&r);
    /* The sandbox's own deliveries arrive and verify: the charges above left theirs. */
    CHECK(pg_count("SELECT count(*) FROM webhook_events WHERE event_id ~ '^evt_[0-9a-f]{24}$'"
                   " AND type = 'payment.captured'",
                   NULL) > 0);
    ag_free(secret);
}

TEST(events_append_only_and_out_to_redis)
{
    char id[64], order[40];
    long long before = it_redis_int("XLEN agora:events:payment");

    CHECK(new_payment(APPROVE, 2500, 201, id, order));
    PGresult *res = PQexec(pg, "UPDATE payment_events SET amount = 0");
    CHECK(PQresultStatus(res) == PGRES_FATAL_ERROR);
    PQclear(res);
    res = PQexec(pg, "DELETE FROM payment_events");
    CHECK(PQresultStatus(res) == PGRES_FATAL_ERROR);
    PQclear(res);
    /* A transition the table does not hold cannot be recorded. */
    const char *v[] = {id};
    res = PQexecParams(pg,
                       "INSERT INTO payment_events (payment_id, from_status, to_status, amount,"
                       " source) VALUES ($1::uuid, 'CAPTURED', 'PENDING', 1, 'api')",
                       1, NULL, v, NULL, NULL, 0);
    CHECK(PQresultStatus(res) == PGRES_FATAL_ERROR);
    PQclear(res);
    /* Its events leave the outbox for the stream within moments. */
    int gone = 0;
    for (int i = 0; i < 50 && !gone; i++) {
        gone = pg_count("SELECT count(*) FROM outbox WHERE payload->>'paymentId' = $1", id) == 0;
        usleep(100 * 1000);
    }
    CHECK(gone);
    /* One event per change: payment.pending, then payment.captured (steps AUTHORIZED,
     * CAPTURED). */
    CHECK(it_redis_int("XLEN agora:events:payment") >= before + 2);
}

TEST(card_numbers_never_kept)
{
    char id[64], order[40], path[4096];

    CHECK(new_payment(APPROVE, 100, 201, id, order));
    CHECK_EQ_INT(pg_count("SELECT count(*) FROM payments p WHERE row_to_json(p)::text LIKE $1",
                          "%" APPROVE "%"),
                 0);
    CHECK_EQ_INT(pg_count("SELECT count(*) FROM outbox o WHERE row_to_json(o)::text LIKE $1",
                          "%" APPROVE "%"),
                 0);
    CHECK_EQ_INT(
        pg_count("SELECT count(*) FROM idempotency_keys k WHERE row_to_json(k)::text LIKE $1",
                 "%" APPROVE "%"),
        0);
    snprintf(path, sizeof(path), "%s/var/test/log/payment.log", getenv("AGORA_SOURCE_DIR"));
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    char line[8192];
    int found = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        found |= strstr(line, APPROVE) != NULL;
    }
    fclose(f);
    CHECK(!found);
}

int
main(int argc, char **argv)
{
    static const struct ag_test tests[] = {
        TEST_ENTRY(every_test_card),
        TEST_ENTRY(timeout_unknown_then_reconciled),
        TEST_ENTRY(fifty_concurrent_requests_charge_once),
        TEST_ENTRY(refunds_within_what_was_captured),
        TEST_ENTRY(concurrent_refunds_never_add_up_to_more),
        TEST_ENTRY(void_failed_unknown_and_captured),
        TEST_ENTRY(input_checks),
        TEST_ENTRY(pay_by_provider_token),
        TEST_ENTRY(payer_or_admin_reads_it),
        TEST_ENTRY(webhooks_signed_fresh_and_once),
        TEST_ENTRY(events_append_only_and_out_to_redis),
        TEST_ENTRY(card_numbers_never_kept),
    };
    char conninfo[256];

    it_init();
    char *key = it_stack_key("psp-api-key");
    snprintf(psp_auth, sizeof(psp_auth), "Authorization: Bearer %s", key);
    ag_free(key);
    snprintf(internal, sizeof(internal), "X-Internal-Token: %s", it_internal_token());
    snprintf(conninfo, sizeof(conninfo), "postgresql://agora@127.0.0.1:%s/payment",
             getenv("AGORA_PG_PORT"));
    pg = PQconnectdb(conninfo);
    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(stderr, "test_payment: cannot reach the payment database: %s", PQerrorMessage(pg));
        return 1;
    }
    int rc = ag_test_main_(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
    PQfinish(pg);
    it_cleanup();
    return rc;
}
