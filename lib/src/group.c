/*
 * Group writes (agora/group.h). Callers queue; when fewer than max_running executions are
 * under way, a waiting caller becomes the leader of the next one: it takes up to max_batch
 * queued callers (its own turn may come in a later one), builds one text[] per parameter,
 * runs the statement, hands each caller its row and wakes them. No thread of its own: with no
 * one else waiting, a caller runs its statement at once, alone.
 */
#include "agora/group.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "agora/err.h"
#include "agora/mem.h"

struct item {
    struct item *next;
    const char *const *values;
    ag_group_row_fn fn;
    void *arg;
    int done;
    int rc;
};

struct ag_group {
    struct ag_db_pool *pool;
    const char *stmt;
    int nparams;
    size_t max_batch;
    int max_running;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct item *head, *tail;
    size_t queued;
    int running;
    long linger_us;
};

struct ag_group *
ag_group_new(struct ag_db_pool *pool, const char *stmt, int nparams, size_t max_batch,
             int max_running, long linger_us)
{
    struct ag_group *g = ag_xcalloc(1, sizeof(*g));
    g->pool = pool;
    g->stmt = stmt;
    g->nparams = nparams;
    g->max_batch = max_batch == 0                   ? 1
                   : max_batch > AG_GROUP_MAX_BATCH ? AG_GROUP_MAX_BATCH
                                                    : max_batch;
    g->max_running = max_running > 0 ? max_running : 1;
    g->linger_us = linger_us;
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->wake, NULL);
    return g;
}

void
ag_group_free(struct ag_group *g)
{
    if (g == NULL) {
        return;
    }
    pthread_mutex_destroy(&g->lock);
    pthread_cond_destroy(&g->wake);
    ag_free(g);
}

/* A growing buffer for one array literal. */
struct buf {
    char *p;
    size_t len, cap;
};

static void
buf_put(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = ag_xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* Appends 'v' as an element of a PostgreSQL array literal: NULL, or "…" with " and \ escaped. */
static void
buf_element(struct buf *b, const char *v)
{
    if (v == NULL) {
        buf_put(b, "NULL", 4);
        return;
    }
    buf_put(b, "\"", 1);
    for (const char *s = v; *s != '\0'; s++) {
        if (*s == '"' || *s == '\\') {
            buf_put(b, "\\", 1);
        }
        buf_put(b, s, 1);
    }
    buf_put(b, "\"", 1);
}

/* Runs 'batch' ('n' callers) on 'conn' (NULL: a pooled one) and fills each one's result; no
 * lock held. */
static void
run(struct ag_group *g, struct item **batch, size_t n, PGconn *conn)
{
    struct buf *arrays = ag_xcalloc((size_t)g->nparams, sizeof(*arrays));
    const char **params = ag_xcalloc((size_t)g->nparams, sizeof(*params));
    PGresult *res = NULL;
    PGconn *db;

    for (int p = 0; p < g->nparams; p++) {
        buf_put(&arrays[p], "{", 1);
        for (size_t i = 0; i < n; i++) {
            if (i > 0) {
                buf_put(&arrays[p], ",", 1);
            }
            buf_element(&arrays[p], batch[i]->values[p]);
        }
        buf_put(&arrays[p], "}", 1);
        params[p] = arrays[p].p;
    }
    int rc = conn != NULL ? 0 : ag_db_acquire(g->pool, &db);
    if (rc == 0) {
        rc = ag_db_exec(conn != NULL ? conn : db, g->stmt, g->nparams, params, NULL, &res, NULL);
        if (conn == NULL) {
            ag_db_release(g->pool, db);
        }
    }
    int rows = rc == 0 ? PQntuples(res) : 0;
    char *taken = ag_xcalloc((size_t)rows + 1, 1);
    for (size_t i = 0; i < n; i++) {
        struct item *it = batch[i];
        it->rc = rc;
        if (rc < 0) {
            continue;
        }
        int row = -1;
        for (int r = 0; r < rows && row < 0; r++) {
            if (!taken[r] && !PQgetisnull(res, r, 0) &&
                strcmp(PQgetvalue(res, r, 0), it->values[0]) == 0) {
                row = r;
                taken[r] = 1;
            }
        }
        it->fn(it->arg, res, row);
    }
    ag_free(taken);
    PQclear(res);
    for (int p = 0; p < g->nparams; p++) {
        ag_free(arrays[p].p);
    }
    ag_free(arrays);
    ag_free(params);
}

int
ag_group_exec(struct ag_group *g, const char *const *values, ag_group_row_fn fn, void *arg)
{
    struct item me = {.values = values, .fn = fn, .arg = arg};
    struct item *batch[AG_GROUP_MAX_BATCH];
    int lingered = 0;

    pthread_mutex_lock(&g->lock);
    /* 'me' is queued only while this call waits: every batch that takes it marks it done
     * before this returns. */
    if (g->tail != NULL) {
        g->tail->next = &me;
    } else {
        g->head = &me; // cppcheck-suppress autoVariables
    }
    g->tail = &me; // cppcheck-suppress autoVariables
    g->queued++;
    while (!me.done) {
        if (g->running >= g->max_running || g->head == NULL) {
            pthread_cond_wait(&g->wake, &g->lock);
            continue;
        }
        if (g->linger_us > 0 && g->queued < g->max_batch && !lingered) {
            /* A moment for more callers to join: fewer, larger executions. */
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            long ns = until.tv_nsec + g->linger_us * 1000L;
            until.tv_sec += ns / 1000000000L;
            until.tv_nsec = ns % 1000000000L;
            g->running++;
            pthread_cond_timedwait(&g->wake, &g->lock, &until);
            g->running--;
            lingered = 1;
            continue;
        }
        lingered = 0;
        size_t n = 0;
        while (g->head != NULL && n < g->max_batch) {
            batch[n++] = g->head;
            g->head = g->head->next;
            g->queued--;
        }
        if (g->head == NULL) {
            g->tail = NULL;
        }
        g->running++;
        pthread_mutex_unlock(&g->lock);
        run(g, batch, n, NULL);
        pthread_mutex_lock(&g->lock);
        for (size_t i = 0; i < n; i++) {
            batch[i]->done = 1;
        }
        g->running--;
        pthread_cond_broadcast(&g->wake);
    }
    pthread_mutex_unlock(&g->lock);
    return me.rc;
}

int
ag_group_exec_on(struct ag_group *g, PGconn *conn, const char *const *values, ag_group_row_fn fn,
                 void *arg)
{
    struct item me = {.values = values, .fn = fn, .arg = arg};
    struct item *batch[1] = {&me};
    run(g, batch, 1, conn);
    return me.rc;
}
