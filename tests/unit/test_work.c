/*
 * The work pool (agora/work.h) behind a real server: offloaded handlers answer from a work
 * thread, their errors become envelopes, and the HTTP thread serves other requests while a
 * slow one runs.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ag_test.h"

#include "agora/err.h"
#include "agora/http.h"
#include "agora/httpc.h"
#include "agora/log.h"
#include "agora/work.h"

static struct ag_work *pool;
static struct ag_server *srv;
static struct ag_httpc *client;
static pthread_t http_thread; /* the thread that ran the last handler */
static atomic_int fast_served;

static int
w_ok(struct ag_req *req, void *arg)
{
    const char *tag = arg;
    int other_thread = !pthread_equal(pthread_self(), http_thread);
    return ag_reply_json(req, 200, json_pack("{s:s,s:b}", "tag", tag, "work_thread", other_thread));
}

static int
w_fail(struct ag_req *req, void *arg)
{
    (void)req;
    (void)arg;
    return AG_EUNAVAIL; /* no reply: the router answers the error */
}

static int
w_conflict(struct ag_req *req, void *arg)
{
    (void)arg;
    return ag_reply_error(req, AG_ECONFLICT, "name '%s' is taken", "bob");
}

/* Waits (up to 5 s) for /fast to be served meanwhile; says whether it was. */
static int
w_slow(struct ag_req *req, void *arg)
{
    (void)arg;
    for (int i = 0; i < 500 && !atomic_load(&fast_served); i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return ag_reply_json(req, 200, json_pack("{s:b}", "overlapped", atomic_load(&fast_served)));
}

static int
h_ok(struct ag_req *req)
{
    http_thread = pthread_self();
    char *tag =
        ag_arena_strdup(req->arena, ag_req_query(req, "tag") ? ag_req_query(req, "tag") : "");
    return ag_work_offload(pool, req, w_ok, tag);
}

static int
h_fail(struct ag_req *req)
{
    return ag_work_offload(pool, req, w_fail, NULL);
}

static int
h_conflict(struct ag_req *req)
{
    return ag_work_offload(pool, req, w_conflict, NULL);
}

static int
h_slow(struct ag_req *req)
{
    return ag_work_offload(pool, req, w_slow, NULL);
}

static int
h_fast(struct ag_req *req)
{
    atomic_store(&fast_served, 1);
    return ag_reply_json(req, 200, json_pack("{s:b}", "fast", 1));
}

static const struct ag_route routes[] = {
    {AG_GET, "/ok", h_ok, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/fail", h_fail, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/conflict", h_conflict, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/slow", h_slow, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/fast", h_fast, AG_AUTH_NONE, 0, 0},
};

static struct ag_service svc;

static char *
url(char *buf, size_t size, const char *path)
{
    snprintf(buf, size, "http://127.0.0.1:%d%s", ag_server_port(srv), path);
    return buf;
}

static const char *
error_code(const struct ag_httpc_resp *r)
{
    return json_string_value(json_object_get(json_object_get(r->json, "error"), "code"));
}

TEST(offloaded_answer_comes_from_a_work_thread)
{
    struct ag_httpc_resp r;
    char u[128];

    CHECK_EQ_INT(
        ag_httpc_request(client, "GET", url(u, sizeof(u), "/ok?tag=abc"), NULL, NULL, 0, NULL, &r),
        0);
    CHECK_EQ_INT(r.status, 200);
    json_t *data = json_object_get(r.json, "data");
    CHECK_EQ_STR(json_string_value(json_object_get(data, "tag")), "abc");
    CHECK(json_is_true(json_object_get(data, "work_thread")));
    ag_httpc_resp_release(&r);
}

TEST(offloaded_errors_are_envelopes)
{
    struct ag_httpc_resp r;
    char u[128];

    CHECK_EQ_INT(
        ag_httpc_request(client, "GET", url(u, sizeof(u), "/fail"), NULL, NULL, 0, NULL, &r),
        AG_EUNAVAIL); /* 503, retried by the client, still 503 */
    CHECK_EQ_INT(r.status, 503);
    CHECK_EQ_STR(error_code(&r), "SYS_5002");
    ag_httpc_resp_release(&r);
    CHECK_EQ_INT(
        ag_httpc_request(client, "GET", url(u, sizeof(u), "/conflict"), NULL, NULL, 0, NULL, &r),
        0);
    CHECK_EQ_INT(r.status, 409);
    CHECK_EQ_STR(error_code(&r), "BIZ_3002");
    CHECK(strstr(r.body, "name 'bob' is taken") != NULL);
    ag_httpc_resp_release(&r);
}

static void *
slow_call(void *arg)
{
    struct ag_httpc_resp *r = arg;
    char u[128];
    ag_httpc_request(client, "GET", url(u, sizeof(u), "/slow"), NULL, NULL, 0, NULL, r);
    return NULL;
}

TEST(http_thread_serves_others_meanwhile)
{
    struct ag_httpc_resp slow, fast;
    pthread_t t;
    char u[128];

    /* The server has one HTTP thread; /slow holds a work thread until /fast was served. */
    atomic_store(&fast_served, 0);
    CHECK_EQ_INT(pthread_create(&t, NULL, slow_call, &slow), 0);
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
    CHECK_EQ_INT(
        ag_httpc_request(client, "GET", url(u, sizeof(u), "/fast"), NULL, NULL, 0, NULL, &fast), 0);
    CHECK_EQ_INT(fast.status, 200);
    ag_httpc_resp_release(&fast);
    pthread_join(t, NULL);
    CHECK_EQ_INT(slow.status, 200);
    CHECK(json_is_true(json_object_get(json_object_get(slow.json, "data"), "overlapped")));
    ag_httpc_resp_release(&slow);
}

static atomic_int wrong;

static void *
many_calls(void *arg)
{
    long n = (long)(intptr_t)arg;
    char u[128], path[64], tag[32];
    for (int i = 0; i < 25; i++) {
        struct ag_httpc_resp r;
        snprintf(tag, sizeof(tag), "t%ld-%d", n, i);
        snprintf(path, sizeof(path), "/ok?tag=%s", tag);
        int rc = ag_httpc_request(client, "GET", url(u, sizeof(u), path), NULL, NULL, 0, NULL, &r);
        const char *got =
            json_string_value(json_object_get(json_object_get(r.json, "data"), "tag"));
        if (rc != 0 || r.status != 200 || got == NULL || strcmp(got, tag) != 0) {
            atomic_fetch_add(&wrong, 1);
        }
        ag_httpc_resp_release(&r);
    }
    return NULL;
}

TEST(many_concurrent_offloads)
{
    pthread_t t[8];
    atomic_store(&wrong, 0);
    for (long i = 0; i < 8; i++) {
        CHECK_EQ_INT(pthread_create(&t[i], NULL, many_calls, (void *)(intptr_t)i), 0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
    }
    CHECK_EQ_INT(atomic_load(&wrong), 0);
}

static const struct ag_test tests[] = {
    TEST_ENTRY(offloaded_answer_comes_from_a_work_thread),
    TEST_ENTRY(offloaded_errors_are_envelopes),
    TEST_ENTRY(http_thread_serves_others_meanwhile),
    TEST_ENTRY(many_concurrent_offloads),
};

int
main(int argc, char **argv)
{
    ag_log_init("test", AG_LOG_ERROR);
    pool = ag_work_new(2);
    client = ag_httpc_new(16, 10000, 0);
    svc = (struct ag_service){
        .name = "work-test",
        .routes = routes,
        .nroutes = sizeof(routes) / sizeof(routes[0]),
        .bind = "127.0.0.1",
        .port = 0,
        .threads = 1,
    };
    if (pool == NULL || client == NULL || ag_server_start(&svc, &srv) != 0) {
        fprintf(stderr, "cannot start the test server\n");
        return 1;
    }
    int rc = ag_test_main_(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
    ag_server_stop(srv);
    ag_work_free(pool); /* after the server: nothing is queued */
    ag_httpc_free(client);
    return rc;
}
