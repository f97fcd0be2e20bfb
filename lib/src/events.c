/*
 * Events between services (agora/events.h): the outbox relay, a consumer group reader and a
 * ticker thread.
 */
#include "agora/events.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agora/err.h"
#include "agora/log.h"
#include "agora/mem.h"

#define CONSUMER_BLOCK_MS "1000" /* how long a read waits; bounds the stop delay too */

struct relay_args {
    redisContext *kv;
    size_t max;
    size_t *n;
};

static int
relay_tx(PGconn *db, void *arg)
{
    struct relay_args *a = arg;
    char limit[24];
    PGresult *res;

    snprintf(limit, sizeof(limit), "%zu", a->max);
    const char *v[] = {limit};
    int rc = ag_db_exec(db, "outbox_take", 1, v, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    int rows = PQntuples(res);
    for (int i = 0; i < rows; i++) {
        const char *argv[] = {"XADD",   PQgetvalue(res, i, 0),
                              "MAXLEN", "~",
                              "100000", "*",
                              "type",   PQgetvalue(res, i, 1),
                              "data",   PQgetvalue(res, i, 2)};
        redisAppendCommandArgv(a->kv, 10, argv, NULL);
    }
    /* Every reply is read, so the connection goes back clean (or, on a transport error,
     * with its error set, and the pool closes it). */
    for (int i = 0; i < rows; i++) {
        redisReply *r = NULL;
        if (redisGetReply(a->kv, (void **)&r) != REDIS_OK) {
            rc = AG_EUNAVAIL;
            break;
        }
        if (r == NULL || r->type == REDIS_REPLY_ERROR) {
            ag_log(AG_LOG_ERROR, NULL, "cannot publish to '%s': %s", PQgetvalue(res, i, 0),
                   r != NULL ? r->str : "no reply");
            rc = AG_EINTERNAL;
        }
        freeReplyObject(r);
    }
    *a->n = rc == 0 ? (size_t)rows : 0;
    PQclear(res);
    return rc;
}

int
ag_outbox_relay(PGconn *db, redisContext *kv, size_t max, size_t *n)
{
    struct relay_args a = {kv, max, n};
    *n = 0;
    return ag_db_tx(db, "READ COMMITTED", 3, relay_tx, &a);
}

void
ag_outbox_drain(struct ag_db_pool *dbp, struct ag_kv_pool *kvp, size_t batch)
{
    PGconn *db;
    redisContext *kv;
    size_t n = 0;

    if (ag_db_acquire(dbp, &db) < 0) {
        return;
    }
    if (ag_kv_acquire(kvp, &kv) == 0) {
        int rc;
        do {
            rc = ag_outbox_relay(db, kv, batch, &n);
        } while (rc == 0 && n == batch);
        if (rc < 0) {
            ag_log(AG_LOG_WARN, NULL, "outbox relay failed: %s", ag_err_name(rc));
        }
        ag_kv_release(kvp, kv);
    }
    ag_db_release(dbp, db);
}

/* Ticker */

struct ag_ticker {
    long long interval_ms;
    ag_tick_fn fn;
    void *arg;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop, woken;
};

static void *
ticker_main(void *arg)
{
    struct ag_ticker *t = arg;

    pthread_mutex_lock(&t->lock);
    while (!t->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        long long ns = until.tv_nsec + t->interval_ms * 1000000LL;
        until.tv_sec += (time_t)(ns / 1000000000LL);
        until.tv_nsec = (long)(ns % 1000000000LL);
        while (!t->stop && !t->woken &&
               pthread_cond_timedwait(&t->wake, &t->lock, &until) != ETIMEDOUT) {
        }
        t->woken = 0;
        if (t->stop) {
            break;
        }
        pthread_mutex_unlock(&t->lock);
        t->fn(t->arg);
        pthread_mutex_lock(&t->lock);
    }
    pthread_mutex_unlock(&t->lock);
    t->fn(t->arg); /* what the last requests left */
    return NULL;
}

struct ag_ticker *
ag_ticker_start(long long interval_ms, ag_tick_fn fn, void *arg)
{
    struct ag_ticker *t = ag_xcalloc(1, sizeof(*t));
    t->interval_ms = interval_ms > 0 ? interval_ms : 1;
    t->fn = fn;
    t->arg = arg;
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->wake, NULL);
    if (pthread_create(&t->thread, NULL, ticker_main, t) != 0) {
        pthread_mutex_destroy(&t->lock);
        pthread_cond_destroy(&t->wake);
        ag_free(t);
        return NULL;
    }
    return t;
}

void
ag_ticker_wake(struct ag_ticker *t)
{
    pthread_mutex_lock(&t->lock);
    t->woken = 1;
    pthread_cond_signal(&t->wake);
    pthread_mutex_unlock(&t->lock);
}

void
ag_ticker_stop(struct ag_ticker *t)
{
    if (t == NULL) {
        return;
    }
    pthread_mutex_lock(&t->lock);
    t->stop = 1;
    pthread_cond_signal(&t->wake);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thread, NULL);
    pthread_mutex_destroy(&t->lock);
    pthread_cond_destroy(&t->wake);
    ag_free(t);
}

/* Consumer groups */

struct ag_consumer {
    struct ag_kv_pool *pool; /* one connection, held by the thread; owned */
    pthread_t thread;
    atomic_int stop;
    ag_consume_fn fn;
    void *arg;
    struct ag_consumer_opts opts;
    char stream[128], group[64], consumer[96];
};

const char *
ag_consumer_field(const redisReply *fields, const char *name)
{
    for (size_t i = 0; i + 1 < fields->elements; i += 2) {
        if (fields->element[i]->type == REDIS_REPLY_STRING &&
            strcmp(fields->element[i]->str, name) == 0 &&
            fields->element[i + 1]->type == REDIS_REPLY_STRING) {
            return fields->element[i + 1]->str;
        }
    }
    return NULL;
}

/* Calls fn for each entry of 'entries' (a Redis array of [id, fields]) and acknowledges it. */
static size_t
handle_entries(struct ag_consumer *c, redisContext *kv, const redisReply *entries)
{
    for (size_t i = 0; i < entries->elements; i++) {
        const redisReply *e = entries->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
            e->element[0]->type != REDIS_REPLY_STRING) {
            continue;
        }
        if (e->element[1]->type == REDIS_REPLY_ARRAY) {
            c->fn(c->arg, kv, e->element[0]->str, e->element[1]);
        }
        redisReply *ack = NULL;
        const char *a[] = {"XACK", c->stream, c->group, e->element[0]->str};
        if (ag_kv_command(kv, &ack, 4, a, NULL) == 0) {
            freeReplyObject(ack);
        }
    }
    return entries->elements;
}

/* Reads one batch ('start' is "0" for our pending entries, ">" for new ones); 0 or AG_E*. */
static int
read_batch(struct ag_consumer *c, redisContext *kv, const char *start, size_t *count)
{
    redisReply *r = NULL;
    const char *argv[] = {"XREADGROUP", "GROUP",           c->group,  c->consumer, "COUNT", "100",
                          "BLOCK",      CONSUMER_BLOCK_MS, "STREAMS", c->stream,   start};
    *count = 0;
    int rc = ag_kv_command(kv, &r, 11, argv, NULL);
    if (rc < 0) {
        return rc;
    }
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
        r->element[0]->type == REDIS_REPLY_ARRAY && r->element[0]->elements == 2 &&
        r->element[0]->element[1]->type == REDIS_REPLY_ARRAY) {
        *count = handle_entries(c, kv, r->element[0]->element[1]);
    }
    freeReplyObject(r);
    return 0;
}

/*
 * Takes over the entries another consumer of the group read but never acknowledged for
 * opts.claim_idle_ms (a replica that died with them: its name never comes back, so no one
 * would read them again) and handles them as ours. 0 or AG_E*; '*count' the entries taken.
 */
static int
claim_idle(struct ag_consumer *c, redisContext *kv, size_t *count)
{
    char idle[24], cursor[64] = "0-0";
    snprintf(idle, sizeof(idle), "%lld", c->opts.claim_idle_ms);
    *count = 0;
    /* A bounded number of rounds: the rest waits for the next claim. */
    for (int round = 0; round < 10; round++) {
        redisReply *r = NULL;
        const char *argv[] = {"XAUTOCLAIM", c->stream, c->group, c->consumer,
                              idle,         cursor,    "COUNT",  "100"};
        int rc = ag_kv_command(kv, &r, 8, argv, NULL);
        if (rc < 0) {
            return rc;
        }
        int more = 0;
        if (r->type == REDIS_REPLY_ARRAY && r->elements >= 2 &&
            r->element[0]->type == REDIS_REPLY_STRING && r->element[1]->type == REDIS_REPLY_ARRAY) {
            size_t n = handle_entries(c, kv, r->element[1]);
            *count += n;
            if (n > 0) {
                ag_log(AG_LOG_INFO, NULL, "%s/%s: took over %zu entries idle for %s ms", c->stream,
                       c->group, n, idle);
            }
            snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
            more = strcmp(cursor, "0-0") != 0;
        }
        freeReplyObject(r);
        if (!more) {
            break;
        }
    }
    return 0;
}

static void
group_create(struct ag_consumer *c, redisContext *kv)
{
    const char *argv[] = {"XGROUP", "CREATE", c->stream, c->group, "0", "MKSTREAM"};
    /* BUSYGROUP (it exists) comes back as an error reply: expected after the first start, so
     * not through ag_kv_command, which would log it as a failure. */
    redisReply *r = redisCommandArgv(kv, 6, argv, NULL);
    if (r != NULL && r->type == REDIS_REPLY_ERROR && strncmp(r->str, "BUSYGROUP", 9) != 0) {
        ag_log(AG_LOG_WARN, NULL, "cannot make consumer group '%s' of '%s': %s", c->group,
               c->stream, r->str);
    }
    freeReplyObject(r);
}

static void *
consumer_main(void *arg)
{
    struct ag_consumer *c = arg;
    int pending = 1; /* first our own unacknowledged entries, then new ones */

    while (!atomic_load(&c->stop)) {
        redisContext *kv;
        if (ag_kv_acquire(c->pool, &kv) < 0) {
            struct timespec ts = {1, 0};
            nanosleep(&ts, NULL);
            continue;
        }
        group_create(c, kv);
        struct timespec last = {0, 0};
        while (!atomic_load(&c->stop)) {
            size_t n = 0;
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            long long since_ms = (long long)(now.tv_sec - last.tv_sec) * 1000 +
                                 (now.tv_nsec - last.tv_nsec) / 1000000;
            if (!pending && c->opts.claim_every_ms > 0 && since_ms >= c->opts.claim_every_ms) {
                last = now;
                if (claim_idle(c, kv, &n) < 0) {
                    break; /* reconnect */
                }
            }
            if (read_batch(c, kv, pending ? "0" : ">", &n) < 0) {
                break; /* reconnect */
            }
            if (pending && n == 0) {
                pending = 0;
            }
        }
        ag_kv_release(c->pool, kv);
    }
    return NULL;
}

struct ag_consumer *
ag_consumer_start(const char *redis_url, const char *stream, const char *group,
                  const char *consumer, ag_consume_fn fn, void *arg)
{
    const struct ag_consumer_opts opts = {.claim_idle_ms = AG_CONSUMER_CLAIM_IDLE_MS,
                                          .claim_every_ms = AG_CONSUMER_CLAIM_EVERY_MS};
    return ag_consumer_start_opts(redis_url, stream, group, consumer, fn, arg, &opts);
}

struct ag_consumer *
ag_consumer_start_opts(const char *redis_url, const char *stream, const char *group,
                       const char *consumer, ag_consume_fn fn, void *arg,
                       const struct ag_consumer_opts *opts)
{
    struct ag_consumer *c = ag_xcalloc(1, sizeof(*c));
    c->opts = *opts;

    /* Reads block up to a second; the command timeout must be longer than that. */
    c->pool = ag_kv_pool_new(redis_url, 1, 3000);
    if (c->pool == NULL) {
        ag_free(c);
        return NULL;
    }
    snprintf(c->stream, sizeof(c->stream), "%s", stream);
    snprintf(c->group, sizeof(c->group), "%s", group);
    snprintf(c->consumer, sizeof(c->consumer), "%s", consumer);
    c->fn = fn;
    c->arg = arg;
    atomic_init(&c->stop, 0);
    if (pthread_create(&c->thread, NULL, consumer_main, c) != 0) {
        ag_kv_pool_free(c->pool);
        ag_free(c);
        return NULL;
    }
    return c;
}

void
ag_consumer_stop(struct ag_consumer *c)
{
    if (c == NULL) {
        return;
    }
    atomic_store(&c->stop, 1);
    pthread_join(c->thread, NULL);
    ag_kv_pool_free(c->pool);
    ag_free(c);
}
