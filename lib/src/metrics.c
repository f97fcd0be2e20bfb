/*
 * Request metrics: per route, a counter per HTTP status and a latency histogram, updated with
 * relaxed atomics on every request and rendered in the Prometheus text format 0.0.4.
 */
#include "agora/metrics.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "agora/mem.h"

/* Statuses 100..599 each have a counter; anything else lands in one more, "other". */
#define STATUS_MIN   100
#define STATUS_COUNT 500
#define STATUS_OTHER STATUS_COUNT

/* Longest observation kept in the sum, in seconds: keeps the microsecond count from wrapping. */
#define SECONDS_MAX 1e9

static const double bucket_bounds[AG_METRICS_NBUCKETS] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
};
static const char *const bucket_labels[AG_METRICS_NBUCKETS] = {
    "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5",
};

/* The counters of one route. */
struct route_stats {
    _Atomic unsigned long long status[STATUS_COUNT + 1];
    /* Observations per bucket, not cumulative; the last one is above every bound (+Inf). */
    _Atomic unsigned long long bucket[AG_METRICS_NBUCKETS + 1];
    _Atomic unsigned long long sum_us;
};

struct ag_metrics {
    char *service; /* owned */
    size_t nroutes;
    const char *const *methods; /* borrowed from the caller for the object's life */
    const char *const *paths;
    struct route_stats *routes; /* nroutes + 1, the last for unmatched requests; owned */
};

struct ag_metrics *
ag_metrics_new(const char *service, size_t nroutes, const char *const *methods,
               const char *const *paths)
{
    struct ag_metrics *m = ag_xcalloc(1, sizeof(*m));

    m->service = ag_xstrdup(service);
    m->nroutes = nroutes;
    m->methods = methods;
    m->paths = paths;
    m->routes = ag_xcalloc(nroutes + 1, sizeof(*m->routes));
    for (size_t r = 0; r <= nroutes; r++) {
        struct route_stats *st = &m->routes[r];
        for (size_t i = 0; i <= STATUS_COUNT; i++) {
            atomic_init(&st->status[i], 0);
        }
        for (size_t i = 0; i <= AG_METRICS_NBUCKETS; i++) {
            atomic_init(&st->bucket[i], 0);
        }
        atomic_init(&st->sum_us, 0);
    }
    return m;
}

void
ag_metrics_free(struct ag_metrics *m)
{
    if (m == NULL) {
        return;
    }
    ag_free(m->routes);
    ag_free(m->service);
    ag_free(m);
}

void
ag_metrics_observe(struct ag_metrics *m, size_t route, int status, double seconds)
{
    if (route > m->nroutes) {
        route = m->nroutes;
    }
    struct route_stats *st = &m->routes[route];

    size_t s = STATUS_OTHER;
    if (status >= STATUS_MIN && status < STATUS_MIN + STATUS_COUNT) {
        s = (size_t)(status - STATUS_MIN);
    }
    atomic_fetch_add_explicit(&st->status[s], 1, memory_order_relaxed);

    if (!(seconds > 0)) {
        seconds = 0; /* also NaN */
    } else if (seconds > SECONDS_MAX) {
        seconds = SECONDS_MAX;
    }
    size_t b = 0;
    while (b < AG_METRICS_NBUCKETS && seconds > bucket_bounds[b]) {
        b++;
    }
    atomic_fetch_add_explicit(&st->bucket[b], 1, memory_order_relaxed);
    unsigned long long us = (unsigned long long)(seconds * 1e6 + 0.5);
    atomic_fetch_add_explicit(&st->sum_us, us, memory_order_relaxed);
}

/* A growing heap buffer for the rendering; copied into the arena at the end. */
struct buf {
    char *ptr; /* owned */
    size_t len;
    size_t cap;
};

static void
buf_reserve(struct buf *b, size_t more)
{
    if (b->cap - b->len > more) {
        return;
    }
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->len <= more) {
        if (__builtin_mul_overflow(cap, 2, &cap)) {
            cap = b->len + more + 1;
            break;
        }
    }
    b->ptr = ag_xrealloc(b->ptr, cap);
    b->cap = cap;
}

static void
buf_add(struct buf *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    memcpy(b->ptr + b->len, s, n);
    b->len += n;
    b->ptr[b->len] = '\0';
}

static void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0) {
        return;
    }
    buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* A label value, escaped as the exposition format wants: backslash, quote, newline. */
static void
buf_label(struct buf *b, const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s == '\\') {
            buf_add(b, "\\\\", 2);
        } else if (*s == '"') {
            buf_add(b, "\\\"", 2);
        } else if (*s == '\n') {
            buf_add(b, "\\n", 2);
        } else {
            buf_add(b, s, 1);
        }
    }
}

/* service="…",method="…",route="…" of route 'r'. */
static void
buf_route_labels(struct buf *b, const struct ag_metrics *m, size_t r)
{
    int unmatched = r == m->nroutes;

    buf_add(b, "service=\"", 9);
    buf_label(b, m->service);
    buf_add(b, "\",method=\"", 10);
    buf_label(b, unmatched || m->methods[r] == NULL ? "" : m->methods[r]);
    buf_add(b, "\",route=\"", 9);
    buf_label(b, unmatched || m->paths[r] == NULL ? "unmatched" : m->paths[r]);
    buf_add(b, "\"", 1);
}

static void
render_requests(struct buf *b, struct ag_metrics *m)
{
    buf_printf(b, "# HELP agora_http_requests_total HTTP requests served, by route and status.\n"
                  "# TYPE agora_http_requests_total counter\n");
    for (size_t r = 0; r <= m->nroutes; r++) {
        for (size_t s = 0; s <= STATUS_COUNT; s++) {
            unsigned long long n =
                atomic_load_explicit(&m->routes[r].status[s], memory_order_relaxed);
            if (n == 0) {
                continue;
            }
            buf_printf(b, "agora_http_requests_total{");
            buf_route_labels(b, m, r);
            if (s == STATUS_OTHER) {
                buf_printf(b, ",status=\"other\"} %llu\n", n);
            } else {
                buf_printf(b, ",status=\"%zu\"} %llu\n", s + STATUS_MIN, n);
            }
        }
    }
}

static void
render_durations(struct buf *b, struct ag_metrics *m)
{
    static const char name[] = "agora_http_request_duration_seconds";
    unsigned long long counts[AG_METRICS_NBUCKETS + 1];

    buf_printf(b,
               "# HELP %s HTTP request latency in seconds, by route.\n"
               "# TYPE %s histogram\n",
               name, name);
    for (size_t r = 0; r <= m->nroutes; r++) {
        const struct route_stats *st = &m->routes[r];
        unsigned long long total = 0;
        for (size_t i = 0; i <= AG_METRICS_NBUCKETS; i++) {
            counts[i] = atomic_load_explicit(&st->bucket[i], memory_order_relaxed);
            total += counts[i];
        }
        if (total == 0) {
            continue;
        }
        /* +Inf and _count come from the same loads, so they always agree. */
        unsigned long long cumulative = 0;
        for (size_t i = 0; i <= AG_METRICS_NBUCKETS; i++) {
            cumulative += counts[i];
            buf_printf(b, "%s_bucket{", name);
            buf_route_labels(b, m, r);
            buf_printf(b, ",le=\"%s\"} %llu\n", i < AG_METRICS_NBUCKETS ? bucket_labels[i] : "+Inf",
                       cumulative);
        }
        unsigned long long sum_us = atomic_load_explicit(&st->sum_us, memory_order_relaxed);
        buf_printf(b, "%s_sum{", name);
        buf_route_labels(b, m, r);
        buf_printf(b, "} %llu.%06llu\n", sum_us / 1000000, sum_us % 1000000);
        buf_printf(b, "%s_count{", name);
        buf_route_labels(b, m, r);
        buf_printf(b, "} %llu\n", total);
    }
}

char *
ag_metrics_render(struct ag_metrics *m, struct ag_arena *arena, const char *extra, size_t *len)
{
    struct buf b = {NULL, 0, 0};

    render_requests(&b, m);
    render_durations(&b, m);
    if (extra != NULL) {
        buf_add(&b, extra, strlen(extra));
    }
    char *out = ag_arena_strndup(arena, b.ptr, b.len);
    if (len != NULL) {
        *len = b.len;
    }
    ag_free(b.ptr);
    return out;
}
