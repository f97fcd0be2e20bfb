/*
 * Unit tests of agora/httpc.h against a real libagora server in this process: JSON and other
 * bodies, retries of 5xx answers, timeouts and refused connections, the body limit, 4xx
 * answers returned at once, headers, request ids and bodies reaching the server, bad URLs,
 * and more threads than pooled handles.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "ag_test.h"

#include "agora/err.h"
#include "agora/http.h"
#include "agora/httpc.h"
#include "agora/log.h"
#include "agora/mem.h"

#define FLAKY_FAILS      2    /* /flaky answers 503 this many times, then 200 */
#define SLOW_MS          1500 /* how long /slow sleeps: far beyond SHORT_TIMEOUT_MS */
#define SHORT_TIMEOUT_MS 200
#define TIMEOUT_MS       5000 /* for every call that must not time out, however loaded the host */
#define WORKERS          6
#define WORKER_CALLS     20

/* Calls each counting route has had since its test reset it. */
static atomic_int flaky_calls;
static atomic_int down_calls;
static atomic_int slow_started;
static atomic_int slow_done;
static atomic_int big_calls;
static atomic_int missing_calls;
static atomic_int hello_calls;

static void
sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* GET /hello[?who=]: 200 {"hello": who or "world"}. */
static int
h_hello(struct ag_req *req)
{
    const char *who = ag_req_query(req, "who");
    atomic_fetch_add(&hello_calls, 1);
    ag_reply_header(req, "X-Greeting", "  polite ");
    return ag_reply_json(req, 200, json_pack("{s:s}", "hello", who != NULL ? who : "world"));
}

/* GET /flaky: 503 the first FLAKY_FAILS times, then 200 with the call number. */
static int
h_flaky(struct ag_req *req)
{
    int n = atomic_fetch_add(&flaky_calls, 1) + 1;
    if (n <= FLAKY_FAILS) {
        return ag_reply_error(req, AG_EUNAVAIL, "not ready yet");
    }
    return ag_reply_json(req, 200, json_pack("{s:i}", "call", n));
}

/* GET /down: always 503. */
static int
h_down(struct ag_req *req)
{
    atomic_fetch_add(&down_calls, 1);
    return ag_reply_error(req, AG_EUNAVAIL, "down for maintenance");
}

/* GET /slow: answers after SLOW_MS. */
static int
h_slow(struct ag_req *req)
{
    atomic_fetch_add(&slow_started, 1);
    sleep_ms(SLOW_MS);
    atomic_fetch_add(&slow_done, 1);
    return ag_reply_json(req, 200, json_pack("{s:b}", "slow", 1));
}

/* GET /big?n=: a text/plain body of n bytes of 'x'. */
static int
h_big(struct ag_req *req)
{
    const char *q = ag_req_query(req, "n");
    size_t n = q != NULL ? strtoul(q, NULL, 10) : 0;

    atomic_fetch_add(&big_calls, 1);
    if (n > 2 * (size_t)AG_HTTPC_MAX_BODY) {
        return ag_reply_error(req, AG_EINVAL, "'n' is too large");
    }
    char *body = ag_xmalloc(n + 1);
    memset(body, 'x', n);
    body[n] = '\0';
    int rc = ag_reply_raw(req, 200, "text/plain", body, n);
    ag_free(body);
    return rc;
}

/* GET /missing: 404. */
static int
h_missing(struct ag_req *req)
{
    atomic_fetch_add(&missing_calls, 1);
    return ag_reply_error(req, AG_ENOTFOUND, "no such thing");
}

/* GET /headers: the request headers the tests send, each a string or null. */
static int
h_headers(struct ag_req *req)
{
    static const char *const names[] = {"X-Request-Id", "X-Custom", "X-Other", "Accept",
                                        "Content-Type"};
    json_t *o = json_object();
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *v = ag_req_header(req, names[i]);
        json_object_set_new(o, names[i], v != NULL ? json_string(v) : json_null());
    }
    return ag_reply_json(req, 200, o);
}

/* POST and PUT /body: the method, Content-Type, length and text of the body received. */
static int
h_body(struct ag_req *req)
{
    const char *ct = ag_req_header(req, "Content-Type");
    return ag_reply_json(req, 200,
                         json_pack("{s:s,s:s?,s:I,s:s%}", "method",
                                   req->method == AG_PUT ? "PUT" : "POST", "contentType", ct, "len",
                                   (json_int_t)req->body_len, "body",
                                   req->body != NULL ? req->body : "", req->body_len));
}

/* DELETE /items/{id}: 204, no body (and the route takes none). */
static int
h_delete(struct ag_req *req)
{
    return ag_reply_empty(req, 204);
}

static const struct ag_route test_routes[] = {
    {AG_GET, "/hello", h_hello, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/flaky", h_flaky, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/down", h_down, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/slow", h_slow, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/big", h_big, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/missing", h_missing, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/headers", h_headers, AG_AUTH_NONE, 0, 0},
    {AG_POST, "/body", h_body, AG_AUTH_NONE, 4096, 0},
    {AG_PUT, "/body", h_body, AG_AUTH_NONE, 4096, 0},
    {AG_DELETE, "/items/{id}", h_delete, AG_AUTH_NONE, 0, 0},
};

static struct ag_service svc;
static struct ag_server *srv;
static char base[64];

/*
 * Starts the server once. It takes a free port (0) rather than a fixed one so that two runs of
 * this test (two build folders, or make test beside a developer's ctest) never collide.
 */
static void
server_up(void)
{
    if (srv != NULL) {
        return;
    }
    ag_log_init("test", AG_LOG_ERROR); /* the client logs each failed attempt as a warning */
    svc = (struct ag_service){
        .name = "httpc-test",
        .routes = test_routes,
        .nroutes = sizeof(test_routes) / sizeof(test_routes[0]),
        .bind = "127.0.0.1",
        .port = 0,
        .threads = 4,
    };
    if (ag_server_start(&svc, &srv) != 0) {
        fprintf(stderr, "cannot start the test server\n");
        exit(1);
    }
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", ag_server_port(srv));
}

/* The test server's URL for 'path', in 'buf'. */
static const char *
url(char *buf, size_t size, const char *path)
{
    server_up();
    snprintf(buf, size, "%s%s", base, path);
    return buf;
}

static const char *
data_str(const struct ag_httpc_resp *r, const char *key)
{
    return json_string_value(json_object_get(json_object_get(r->json, "data"), key));
}

static const char *
err_code(const struct ag_httpc_resp *r)
{
    return json_string_value(json_object_get(json_object_get(r->json, "error"), "code"));
}

TEST(get_json_200)
{
    struct ag_httpc *c = ag_httpc_new(2, TIMEOUT_MS, 0);
    struct ag_httpc_resp r;
    char u[128];
    static const char want[] = "{\"success\":true,\"data\":{\"hello\":\"world\"}}";

    CHECK_EQ_INT(ag_httpc_request(c, "GET", url(u, sizeof(u), "/hello"), NULL, NULL, 0, NULL, &r),
                 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK_NOT_NULL(r.json);
    CHECK(json_is_true(json_object_get(r.json, "success")));
    CHECK_EQ_STR(data_str(&r, "hello"), "world");
    CHECK_EQ_STR(r.body, want);
    CHECK_EQ_INT(r.len, strlen(want));
    /* Answer headers: by name in any case, trimmed, cut to the buffer; missing ones NULL. */
    char hb[16];
    CHECK_EQ_STR(ag_httpc_resp_header(&r, "x-greeting", hb, sizeof(hb)), "polite");
    CHECK_EQ_STR(ag_httpc_resp_header(&r, "Content-Type", hb, sizeof(hb)), "application/jso");
    CHECK_NULL(ag_httpc_resp_header(&r, "X-Greet", hb, sizeof(hb)));
    CHECK_NULL(ag_httpc_resp_header(&r, "X-Missing", hb, sizeof(hb)));
    ag_httpc_resp_release(&r);
    CHECK_NULL(r.body);
    CHECK_NULL(r.json);
    CHECK_EQ_INT(r.status, 0);
    /* A second call on the same (now warm) handle. */
    CHECK_EQ_INT(
        ag_httpc_request(c, "GET", url(u, sizeof(u), "/hello?who=again"), NULL, NULL, 0, NULL, &r),
        0);
    CHECK_EQ_STR(data_str(&r, "hello"), "again");
    ag_httpc_resp_release(&r);
    ag_httpc_resp_release(NULL);
    ag_httpc_free(c);
    ag_httpc_free(NULL);
}

TEST(non_json_and_empty_bodies)
{
    struct ag_httpc *c = ag_httpc_new(1, TIMEOUT_MS, 0);
    struct ag_httpc_resp r;
    char u[128];

    CHECK_EQ_INT(
        ag_httpc_request(c, "GET", url(u, sizeof(u), "/big?n=10"), NULL, NULL, 0, NULL, &r), 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_STR(r.body, "xxxxxxxxxx");
    CHECK_EQ_INT(r.len, 10);
    CHECK_NULL(r.json);
    ag_httpc_resp_release(&r);
    /* 204: the body is "" (never NULL), and a DELETE sends no body the route would refuse. */
    CHECK_EQ_INT(
        ag_httpc_request(c, "DELETE", url(u, sizeof(u), "/items/7"), NULL, NULL, 0, NULL, &r), 0);
    CHECK_EQ_INT(r.status, 204);
    CHECK_EQ_STR(r.body, "");
    CHECK_EQ_INT(r.len, 0);
    CHECK_NULL(r.json);
    ag_httpc_resp_release(&r);
    ag_httpc_free(c);
}

TEST(retries_5xx_until_200)
{
    struct ag_httpc *c = ag_httpc_new(1, TIMEOUT_MS, FLAKY_FAILS + 1);
    struct ag_httpc_resp r;
    char u[128];

    atomic_store(&flaky_calls, 0);
    CHECK_EQ_INT(ag_httpc_request(c, "GET", url(u, sizeof(u), "/flaky"), NULL, NULL, 0, NULL, &r),
                 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(r.json, "data"), "call")),
                 FLAKY_FAILS + 1);
    CHECK_EQ_INT(atomic_load(&flaky_calls), FLAKY_FAILS + 1);
    ag_httpc_resp_release(&r);
    ag_httpc_free(c);
}

TEST(too_few_retries_keep_last_5xx)
{
    struct ag_httpc *c = ag_httpc_new(1, TIMEOUT_MS, FLAKY_FAILS - 1);
    struct ag_httpc_resp r;
    char u[128];

    /* One attempt short of the 200: the caller gets the second 503. */
    atomic_store(&flaky_calls, 0);
    CHECK_EQ_INT(ag_httpc_request(c, "GET", url(u, sizeof(u), "/flaky"), NULL, NULL, 0, NULL, &r),
                 AG_EUNAVAIL);
    CHECK_EQ_INT(r.status, 503);
    CHECK_EQ_INT(atomic_load(&flaky_calls), FLAKY_FAILS);
    ag_httpc_resp_release(&r);
    ag_httpc_free(c);
}

TEST(always_503_is_unavailable)
{
    struct ag_httpc *c = ag_httpc_new(1, TIMEOUT_MS, 2);
    struct ag_httpc_resp r;
    char u[128];

    atomic_store(&down_calls, 0);
    CHECK_EQ_INT(ag_httpc_request(c, "GET", url(u, sizeof(u), "/down"), NULL, NULL, 0, NULL, &r),
                 AG_EUNAVAIL);
    CHECK_EQ_INT(r.status, 503);
    CHECK_EQ_STR(err_code(&r), "SYS_5002");
    CHECK(strstr(r.body, "down for maintenance") != NULL);
    CHECK_EQ_INT(r.len, strlen(r.body));
    CHECK_EQ_INT(atomic_load(&down_calls), 3);
    ag_httpc_resp_release(&r);
    ag_httpc_free(c);
}

TEST(no_retry_on_4xx)
{
    struct ag_httpc *c = ag_httpc_new(1, TIMEOUT_MS, 3);
    struct ag_httpc_resp r;
    char u[128];

    atomic_store(&missing_calls, 0);
    CHECK_EQ_INT(ag_httpc_request(c, "GET", url(u, sizeof(u), "/missing"), NULL, NULL, 0, NULL, &r),
                 0);
    CHECK_EQ_INT(r.status, 404);
    CHECK_EQ_STR(err_code(&r), "BIZ_3001");
    CHECK_EQ_INT(atomic_load(&missing_calls), 1);
    ag_httpc_resp_release(&r);
    /* The router's own 4xx (no such path, wrong method) are answers too. */
    CHECK_EQ_INT(
        ag_httpc_request(c, "GET", url(u, sizeof(u), "/no-such-path"), NULL, NULL, 0, NULL, &r), 0);
    CHECK_EQ_INT(r.status, 404);
    CHECK_EQ_STR(err_code(&r), "VAL_2005");
    ag_httpc_resp_release(&r);
    CHECK_EQ_INT(ag_httpc_request(c, "PATCH", url(u, sizeof(u), "/hello"), NULL, "{}", 2, NULL, &r),
                 0);
    CHECK_EQ_INT(r.status, 405);
    ag_httpc_resp_release(&r);
    ag_httpc_free(c);
}

/* Waits (10 s at most) until every /slow handler that started has finished. */
static int
slow_handlers_finish(void)
{
    for (int i = 0; i < 1000; i++) {
        if (atomic_load(&slow_done) == atomic_load(&slow_started)) {
            return 1;
        }
        sleep_ms(10);
    }
    return 0;
}

TEST(slow_answer_times_out)
{
    struct ag_httpc *c = ag_httpc_new(1, SHORT_TIMEOUT_MS, 1);
    struct ag_httpc_resp r;
    char u[128];

    atomic_store(&slow_started, 0);
    atomic_store(&slow_done, 0);
    int rc = ag_httpc_request(c, "GET", url(u, sizeof(u), "/slow"), NULL, NULL, 0, NULL, &r);
    /*
     * Let the sleeping handlers end before anything is checked: each holds a server thread,
     * and the next tests should find them all free.
     */
    int finished = slow_handlers_finish();
    CHECK_EQ_INT(rc, AG_ETIMEOUT);
    CHECK_EQ_INT(r.status, 0);
    CHECK_NULL(r.body);
    CHECK_NULL(r.json);
    CHECK(finished);
    CHECK_EQ_INT(atomic_load(&slow_started), 2); /* the timeout was retried once */
    ag_httpc_resp_release(&r);
    ag_httpc_free(c);
}

TEST(connection_refused_is_unavailable)
{
    struct ag_httpc *c = ag_httpc_new(1, TIMEOUT_MS, 1);
    struct ag_httpc_resp r;
    struct sockaddr_in addr;
    socklen_t alen = sizeof(addr);
    char u[128];

    /* A port bound but not listening: connecting is refused, and no one else can take it. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(fd >= 0);
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK_EQ_INT(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    CHECK_EQ_INT(getsockname(fd, (struct sockaddr *)&addr, &alen), 0);
    snprintf(u, sizeof(u), "http://127.0.0.1:%d/hello", ntohs(addr.sin_port));
    int rc = ag_httpc_request(c, "GET", u, NULL, NULL, 0, NULL, &r);
    close(fd);
    CHECK_EQ_INT(rc, AG_EUNAVAIL);
    CHECK_EQ_INT(r.status, 0);
    CHECK_NULL(r.body);
    CHECK_EQ_INT(r.len, 0);
    CHECK_NULL(r.json);
    ag_httpc_resp_release(&r);
    ag_httpc_free(c);
}

TEST(body_limit)
{
    struct ag_httpc *c = ag_httpc_new(1, TIMEOUT_MS, 2);
    struct ag_httpc_resp r;
    char u[128], path[64];

    /* Exactly the limit is accepted. */
    snprintf(path, sizeof(path), "/big?n=%zu", AG_HTTPC_MAX_BODY);
    CHECK_EQ_INT(ag_httpc_request(c, "GET", url(u, sizeof(u), path), NULL, NULL, 0, NULL, &r), 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_INT(r.len, AG_HTTPC_MAX_BODY);
    CHECK_EQ_INT(strlen(r.body), AG_HTTPC_MAX_BODY);
    ag_httpc_resp_release(&r);
    /* One byte more is refused, and not asked for again. */
    atomic_store(&big_calls, 0);
    snprintf(path, sizeof(path), "/big?n=%zu", AG_HTTPC_MAX_BODY + 1);
    CHECK_EQ_INT(ag_httpc_request(c, "GET", url(u, sizeof(u), path), NULL, NULL, 0, NULL, &r),
                 AG_ETOOLARGE);
    CHECK_NULL(r.body);
    CHECK_EQ_INT(atomic_load(&big_calls), 1);
    ag_httpc_resp_release(&r);
    /* The handle is still good after the aborted transfer. */
    CHECK_EQ_INT(ag_httpc_request(c, "GET", url(u, sizeof(u), "/hello"), NULL, NULL, 0, NULL, &r),
                 0);
    CHECK_EQ_INT(r.status, 200);
    ag_httpc_resp_release(&r);
    ag_httpc_free(c);
}

TEST(headers_and_request_id_reach_server)
{
    struct ag_httpc *c = ag_httpc_new(1, TIMEOUT_MS, 0);
    struct ag_httpc_resp r;
    char u[128];
    const char *const headers[] = {"X-Custom: one two", "X-Other: 3", NULL};

    CHECK_EQ_INT(ag_httpc_request(c, "GET", url(u, sizeof(u), "/headers"), headers, NULL, 0,
                                  "httpc-test.1", &r),
                 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_STR(data_str(&r, "X-Request-Id"), "httpc-test.1");
    CHECK_EQ_STR(data_str(&r, "X-Custom"), "one two");
    CHECK_EQ_STR(data_str(&r, "X-Other"), "3");
    CHECK_EQ_STR(data_str(&r, "Accept"), "application/json");
    CHECK_EQ_STR(data_str(&r, "Content-Type"), "application/json");
    ag_httpc_resp_release(&r);
    /* No request id and no extra headers: none is sent. */
    CHECK_EQ_INT(ag_httpc_request(c, "GET", url(u, sizeof(u), "/headers"), NULL, NULL, 0, NULL, &r),
                 0);
    json_t *d = json_object_get(r.json, "data");
    CHECK(json_is_null(json_object_get(d, "X-Request-Id")));
    CHECK(json_is_null(json_object_get(d, "X-Custom")));
    CHECK_EQ_STR(data_str(&r, "Accept"), "application/json");
    ag_httpc_resp_release(&r);
    ag_httpc_free(c);
}

TEST(request_body_reaches_server)
{
    struct ag_httpc *c = ag_httpc_new(1, TIMEOUT_MS, 0);
    struct ag_httpc_resp r;
    char u[128];
    static const char body[] =
        "{\"name\":\"h\xc3\xa9llo \\\"w\\\"\",\"n\":[1,2,3],\"s\":\"a,b:c\"}";

    CHECK_EQ_INT(ag_httpc_request(c, "POST", url(u, sizeof(u), "/body"), NULL, body, strlen(body),
                                  "post-1", &r),
                 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_STR(data_str(&r, "method"), "POST");
    CHECK_EQ_STR(data_str(&r, "contentType"), "application/json");
    CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(r.json, "data"), "len")),
                 strlen(body));
    CHECK_EQ_STR(data_str(&r, "body"), body);
    ag_httpc_resp_release(&r);
    /* Only 'len' bytes are sent, whatever follows them. */
    static const char padded[] = "{\"a\":1}TRAILING GARBAGE";
    CHECK_EQ_INT(ag_httpc_request(c, "PUT", url(u, sizeof(u), "/body"), NULL, padded, 7, NULL, &r),
                 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_STR(data_str(&r, "method"), "PUT");
    CHECK_EQ_STR(data_str(&r, "body"), "{\"a\":1}");
    ag_httpc_resp_release(&r);
    ag_httpc_free(c);
}

TEST(bad_urls_are_invalid)
{
    struct ag_httpc *c = ag_httpc_new(1, TIMEOUT_MS, 2);
    struct ag_httpc_resp r;
    static const char *const bad[] = {
        "",
        "http://",
        "http://127.0.0.1:99999/hello",
        "ftp://127.0.0.1/hello",
        "file:///etc/passwd",
        "gopher://127.0.0.1/x",
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = ag_httpc_request(c, "GET", bad[i], NULL, NULL, 0, NULL, &r);
        if (rc != AG_EINVAL) {
            fprintf(stderr, "url '%s': %s\n", bad[i], ag_err_name(rc));
        }
        CHECK_EQ_INT(rc, AG_EINVAL);
        CHECK_EQ_INT(r.status, 0);
        CHECK_NULL(r.body);
        ag_httpc_resp_release(&r);
    }
    ag_httpc_free(c);
}

struct worker {
    pthread_t th;
    struct ag_httpc *c;
    int id;
    int ok; /* calls answered 200 with this worker's own greeting */
};

static void *
worker_run(void *arg)
{
    struct worker *w = arg;
    char u[128], path[64], who[32];
    struct ag_httpc_resp r;

    for (int i = 0; i < WORKER_CALLS; i++) {
        snprintf(who, sizeof(who), "w%d-%d", w->id, i);
        snprintf(path, sizeof(path), "/hello?who=%s", who);
        snprintf(u, sizeof(u), "%s%s", base, path);
        int rc = ag_httpc_request(w->c, "GET", u, NULL, NULL, 0, who, &r);
        const char *got = data_str(&r, "hello");
        if (rc == 0 && r.status == 200 && got != NULL && strcmp(got, who) == 0) {
            w->ok++;
        } else {
            fprintf(stderr, "worker %d call %d: %s, status %ld\n", w->id, i, ag_err_name(rc),
                    r.status);
        }
        ag_httpc_resp_release(&r);
    }
    return NULL;
}

TEST(more_threads_than_handles)
{
    struct ag_httpc *c = ag_httpc_new(2, TIMEOUT_MS, 1);
    struct worker w[WORKERS];

    server_up();
    atomic_store(&hello_calls, 0);
    for (int i = 0; i < WORKERS; i++) {
        w[i] = (struct worker){.c = c, .id = i};
        CHECK_EQ_INT(pthread_create(&w[i].th, NULL, worker_run, &w[i]), 0);
    }
    int ok = 0;
    for (int i = 0; i < WORKERS; i++) {
        pthread_join(w[i].th, NULL);
        ok += w[i].ok;
    }
    CHECK_EQ_INT(ok, WORKERS * WORKER_CALLS);
    CHECK_EQ_INT(atomic_load(&hello_calls), WORKERS * WORKER_CALLS);
    ag_httpc_free(c);
}

static const struct ag_test tests[] = {
    TEST_ENTRY(get_json_200),
    TEST_ENTRY(non_json_and_empty_bodies),
    TEST_ENTRY(retries_5xx_until_200),
    TEST_ENTRY(too_few_retries_keep_last_5xx),
    TEST_ENTRY(always_503_is_unavailable),
    TEST_ENTRY(no_retry_on_4xx),
    TEST_ENTRY(slow_answer_times_out),
    TEST_ENTRY(connection_refused_is_unavailable),
    TEST_ENTRY(body_limit),
    TEST_ENTRY(headers_and_request_id_reach_server),
    TEST_ENTRY(request_body_reaches_server),
    TEST_ENTRY(bad_urls_are_invalid),
    TEST_ENTRY(more_threads_than_handles),
};

int
main(int argc, char **argv)
{
    int rc = ag_test_main_(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
    ag_server_stop(srv);
    curl_global_cleanup(); /* balances the client's curl_global_init */
    return rc;
}
