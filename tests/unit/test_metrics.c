/*
 * Unit tests of agora/metrics.h: exact counts under concurrent observers, cumulative histogram
 * buckets, label escaping, and the exposition format's HELP and TYPE lines.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "agora/metrics.h"
#include "agora/mem.h"

#include "ag_test.h"

static const char *const methods[] = {"GET", "POST"};
static const char *const paths[] = {"/api/members/{id}", "/api/members"};

/* Checks that 'text' holds 'line' as a whole line. */
#define CHECK_LINE(text, line)                                                                     \
    do {                                                                                           \
        if (!has_line((text), (line))) {                                                           \
            AG_TEST_FAIL_("missing line: %s\n--- in:\n%s", (line), (text));                        \
        }                                                                                          \
    } while (0)

static int
has_line(const char *text, const char *line)
{
    size_t n = strlen(line);

    for (const char *p = text; (p = strstr(p, line)) != NULL; p++) {
        if ((p == text || p[-1] == '\n') && p[n] == '\n') {
            return 1;
        }
    }
    return 0;
}

TEST(empty)
{
    struct ag_arena arena;
    size_t len = 0;

    ag_arena_init(&arena);
    struct ag_metrics *m = ag_metrics_new("member", 2, methods, paths);
    char *text = ag_metrics_render(m, &arena, NULL, &len);
    CHECK_EQ_INT(len, strlen(text));
    CHECK_LINE(text, "# TYPE agora_http_requests_total counter");
    CHECK_LINE(text, "# TYPE agora_http_request_duration_seconds histogram");
    CHECK(strstr(text, "# HELP agora_http_requests_total ") != NULL);
    CHECK(strstr(text, "# HELP agora_http_request_duration_seconds ") != NULL);
    /* No sample lines without requests. */
    CHECK(strstr(text, "{") == NULL);

    text = ag_metrics_render(m, &arena, "# TYPE agora_db_pool_idle gauge\nagora_db_pool_idle 3\n",
                             &len);
    size_t extra_len = strlen("agora_db_pool_idle 3\n");
    CHECK(len > extra_len);
    CHECK_EQ_STR(text + len - extra_len, "agora_db_pool_idle 3\n");
    ag_metrics_free(m);
    ag_metrics_free(NULL);
    ag_arena_release(&arena);
}

TEST(counts_and_buckets)
{
    struct ag_arena arena;

    ag_arena_init(&arena);
    struct ag_metrics *m = ag_metrics_new("member", 2, methods, paths);
    ag_metrics_observe(m, 0, 200, 0.0001); /* le 0.0005 */
    ag_metrics_observe(m, 0, 200, 0.0005); /* le 0.0005: bounds are inclusive */
    ag_metrics_observe(m, 0, 200, 0.003);  /* le 0.005 */
    ag_metrics_observe(m, 0, 404, 0.2);    /* le 0.25 */
    ag_metrics_observe(m, 0, 500, 3.0);    /* +Inf only */
    ag_metrics_observe(m, 2, 404, 0.001);  /* unmatched */
    ag_metrics_observe(m, 99, 404, 0.001); /* out of range: unmatched too */
    ag_metrics_observe(m, 1, 42, -1.0);    /* odd status, negative time */
    char *text = ag_metrics_render(m, &arena, NULL, NULL);

    const char *r0 = "service=\"member\",method=\"GET\",route=\"/api/members/{id}\"";
    char line[256];
    snprintf(line, sizeof(line), "agora_http_requests_total{%s,status=\"200\"} 3", r0);
    CHECK_LINE(text, line);
    snprintf(line, sizeof(line), "agora_http_requests_total{%s,status=\"404\"} 1", r0);
    CHECK_LINE(text, line);
    snprintf(line, sizeof(line), "agora_http_requests_total{%s,status=\"500\"} 1", r0);
    CHECK_LINE(text, line);
    CHECK(strstr(text, "status=\"201\"") == NULL);
    CHECK_LINE(text, "agora_http_requests_total{service=\"member\",method=\"\","
                     "route=\"unmatched\",status=\"404\"} 2");
    CHECK_LINE(text, "agora_http_requests_total{service=\"member\",method=\"POST\","
                     "route=\"/api/members\",status=\"other\"} 1");

    static const struct {
        const char *le;
        int count;
    } want[] = {
        {"0.0005", 2}, {"0.001", 2}, {"0.0025", 2}, {"0.005", 3}, {"0.01", 3},
        {"0.025", 3},  {"0.05", 3},  {"0.1", 3},    {"0.25", 4},  {"0.5", 4},
        {"1", 4},      {"2.5", 4},   {"+Inf", 5},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        snprintf(line, sizeof(line), "agora_http_request_duration_seconds_bucket{%s,le=\"%s\"} %d",
                 r0, want[i].le, want[i].count);
        CHECK_LINE(text, line);
    }
    snprintf(line, sizeof(line), "agora_http_request_duration_seconds_sum{%s} 3.203600", r0);
    CHECK_LINE(text, line);
    snprintf(line, sizeof(line), "agora_http_request_duration_seconds_count{%s} 5", r0);
    CHECK_LINE(text, line);
    CHECK_LINE(text, "agora_http_request_duration_seconds_count{service=\"member\",method=\"\","
                     "route=\"unmatched\"} 2");
    CHECK_LINE(text, "agora_http_request_duration_seconds_bucket{service=\"member\","
                     "method=\"POST\",route=\"/api/members\",le=\"0.0005\"} 1");
    CHECK_LINE(text, "agora_http_request_duration_seconds_sum{service=\"member\","
                     "method=\"POST\",route=\"/api/members\"} 0.000000");

    /* The text ends with a newline and every line is a comment or a sample. */
    CHECK(text[strlen(text) - 1] == '\n');
    ag_metrics_free(m);
    ag_arena_release(&arena);
}

TEST(only_routes_with_requests)
{
    struct ag_arena arena;

    ag_arena_init(&arena);
    struct ag_metrics *m = ag_metrics_new("member", 2, methods, paths);
    ag_metrics_observe(m, 1, 201, 0.01);
    char *text = ag_metrics_render(m, &arena, NULL, NULL);
    CHECK(strstr(text, "/api/members/{id}") == NULL);
    CHECK(strstr(text, "unmatched") == NULL);
    CHECK(strstr(text, "route=\"/api/members\"") != NULL);
    ag_metrics_free(m);
    ag_arena_release(&arena);
}

TEST(label_escaping)
{
    static const char *const odd_methods[] = {"GET"};
    static const char *const odd_paths[] = {"/a\"b\\c\nd"};
    struct ag_arena arena;

    ag_arena_init(&arena);
    struct ag_metrics *m = ag_metrics_new("svc\"x", 1, odd_methods, odd_paths);
    ag_metrics_observe(m, 0, 200, 0.01);
    char *text = ag_metrics_render(m, &arena, NULL, NULL);
    CHECK_LINE(text, "agora_http_requests_total{service=\"svc\\\"x\",method=\"GET\","
                     "route=\"/a\\\"b\\\\c\\nd\",status=\"200\"} 1");
    ag_metrics_free(m);
    ag_arena_release(&arena);
}

#define THREADS    4
#define PER_THREAD 100000

struct worker {
    struct ag_metrics *m;
    int id;
};

static void *
worker_run(void *arg)
{
    const struct worker *w = arg;

    for (int i = 0; i < PER_THREAD; i++) {
        /* Each thread spreads over every route, two statuses and a few buckets. */
        size_t route = (size_t)(i % 3);
        int status = i % 2 ? 200 : 503;
        double seconds = (i % 4) * 0.002; /* 0, 0.002, 0.004, 0.006 */
        ag_metrics_observe(w->m, route, status, seconds);
    }
    return NULL;
}

/* Reads the number at the end of the sample line that starts with 'prefix'. */
static long long
sample(const char *text, const char *prefix)
{
    size_t n = strlen(prefix);

    for (const char *p = text; (p = strstr(p, prefix)) != NULL; p++) {
        if ((p == text || p[-1] == '\n') && p[n] == ' ') {
            return strtoll(p + n + 1, NULL, 10);
        }
    }
    return -1;
}

TEST(concurrent)
{
    pthread_t threads[THREADS];
    struct worker workers[THREADS];
    struct ag_arena arena;

    ag_arena_init(&arena);
    struct ag_metrics *m = ag_metrics_new("member", 2, methods, paths);
    for (int t = 0; t < THREADS; t++) {
        workers[t] = (struct worker){m, t};
        CHECK_EQ_INT(pthread_create(&threads[t], NULL, worker_run, &workers[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(threads[t], NULL);
    }
    char *text = ag_metrics_render(m, &arena, NULL, NULL);

    /* The expected counts per route, computed the way the workers spread them. */
    long long total = 0;
    long long count_sum = 0;
    static const char *const labels[] = {
        "service=\"member\",method=\"GET\",route=\"/api/members/{id}\"",
        "service=\"member\",method=\"POST\",route=\"/api/members\"",
        "service=\"member\",method=\"\",route=\"unmatched\"",
    };
    for (size_t r = 0; r < 3; r++) {
        long long want_route = 0;
        long long want_200 = 0;
        long long want_le_001 = 0; /* seconds 0 and 0.002 fall at or under 0.0025 */
        for (int i = 0; i < PER_THREAD; i++) {
            if ((size_t)(i % 3) == r) {
                want_route++;
                want_200 += i % 2;
                want_le_001 += i % 4 < 2;
            }
        }
        char prefix[256];
        snprintf(prefix, sizeof(prefix), "agora_http_requests_total{%s,status=\"200\"}", labels[r]);
        long long n200 = sample(text, prefix);
        snprintf(prefix, sizeof(prefix), "agora_http_requests_total{%s,status=\"503\"}", labels[r]);
        long long n503 = sample(text, prefix);
        CHECK_EQ_INT(n200, THREADS * want_200);
        CHECK_EQ_INT(n200 + n503, THREADS * want_route);
        total += n200 + n503;

        snprintf(prefix, sizeof(prefix), "agora_http_request_duration_seconds_count{%s}",
                 labels[r]);
        long long count = sample(text, prefix);
        CHECK_EQ_INT(count, THREADS * want_route);
        count_sum += count;
        snprintf(prefix, sizeof(prefix),
                 "agora_http_request_duration_seconds_bucket{%s,le=\"0.0025\"}", labels[r]);
        CHECK_EQ_INT(sample(text, prefix), THREADS * want_le_001);
        snprintf(prefix, sizeof(prefix),
                 "agora_http_request_duration_seconds_bucket{%s,le=\"0.01\"}", labels[r]);
        CHECK_EQ_INT(sample(text, prefix), THREADS * want_route);
        snprintf(prefix, sizeof(prefix),
                 "agora_http_request_duration_seconds_bucket{%s,le=\"+Inf\"}", labels[r]);
        CHECK_EQ_INT(sample(text, prefix), THREADS * want_route);
    }
    CHECK_EQ_INT(total, THREADS * PER_THREAD);
    CHECK_EQ_INT(count_sum, THREADS * PER_THREAD);
    ag_metrics_free(m);
    ag_arena_release(&arena);
}

TEST(many_routes)
{
    enum { N = 200 };
    static char names[N][32];
    static const char *pathv[N];
    static const char *methv[N];
    struct ag_arena arena;

    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof(names[i]), "/r/%d", i);
        pathv[i] = names[i];
        methv[i] = "GET";
    }
    ag_arena_init(&arena);
    struct ag_metrics *m = ag_metrics_new("catalog", N, methv, pathv);
    for (int i = 0; i <= N; i++) {
        for (int s = 100; s < 600; s += 50) {
            ag_metrics_observe(m, (size_t)i, s, 0.01 * s);
        }
    }
    size_t len = 0;
    char *text = ag_metrics_render(m, &arena, "x 1\n", &len);
    CHECK(len > 100000); /* far more than one arena block */
    CHECK_EQ_INT(strlen(text), len);
    CHECK_LINE(text, "agora_http_requests_total{service=\"catalog\",method=\"GET\","
                     "route=\"/r/199\",status=\"550\"} 1");
    CHECK_LINE(text, "x 1");
    ag_metrics_free(m);
    ag_arena_release(&arena);
}

AG_TEST_LIST(TEST_ENTRY(empty), TEST_ENTRY(counts_and_buckets),
             TEST_ENTRY(only_routes_with_requests), TEST_ENTRY(label_escaping),
             TEST_ENTRY(concurrent), TEST_ENTRY(many_routes))
