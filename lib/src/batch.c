/*
 * Batched lookups: a queue of (request, key, reply function), and batcher threads that take
 * all that is queued (up to max_batch), run one query with the keys as a text[] parameter,
 * give each request its row and resume it.
 */
#include "agora/batch.h"

#include <pthread.h>
#include <string.h>

#include "agora/err.h"
#include "agora/log.h"
#include "agora/mem.h"

struct batch_item {
    struct ag_req *req;
    ag_batch_reply_fn fn;
    size_t keylen;
    char key[AG_BATCH_MAX_KEY];
};

struct ag_batch {
    struct ag_db_pool *pool; /* borrowed */
    char *stmt;              /* owned */
    size_t max_batch;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct batch_item *queue; /* ring buffer of 'cap' items; owned */
    size_t cap;
    size_t head;
    size_t len;
    int stopping;
    int nthreads;
    pthread_t *threads; /* owned */
};

/* Appends 'key' as a quoted element of a PostgreSQL array literal. */
static size_t
array_append(char *out, size_t o, const char *key, size_t n)
{
    out[o++] = '"';
    for (size_t i = 0; i < n; i++) {
        if (key[i] == '"' || key[i] == '\\') {
            out[o++] = '\\';
        }
        out[o++] = key[i];
    }
    out[o++] = '"';
    return o;
}

static void
batch_run(struct ag_batch *b, struct batch_item *items, size_t n, char *array)
{
    PGconn *db = NULL;
    PGresult *res = NULL;
    size_t o = 0;

    array[o++] = '{';
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            array[o++] = ',';
        }
        o = array_append(array, o, items[i].key, items[i].keylen);
    }
    array[o++] = '}';
    array[o] = '\0';

    const char *params[1] = {array};
    int rc = ag_db_acquire(b->pool, &db);
    if (rc == 0) {
        rc = ag_db_exec(db, b->stmt, 1, params, NULL, &res, NULL);
    }
    int rows = rc == 0 ? PQntuples(res) : 0;
    for (size_t i = 0; i < n; i++) {
        int row = -1;
        for (int r = 0; r < rows && row < 0; r++) {
            if ((size_t)PQgetlength(res, r, 0) == items[i].keylen &&
                memcmp(PQgetvalue(res, r, 0), items[i].key, items[i].keylen) == 0) {
                row = r;
            }
        }
        items[i].fn(items[i].req, res, row, rc < 0 ? rc : (row < 0 ? AG_ENOTFOUND : 0));
        ag_req_resume(items[i].req);
    }
    PQclear(res);
    ag_db_release(b->pool, db);
}

static void *
batch_thread(void *arg)
{
    struct ag_batch *b = arg;
    struct batch_item *items = ag_xcalloc(b->max_batch, sizeof(*items));
    /* Each key may double in quoting, plus quotes and commas. */
    char *array = ag_xmalloc(b->max_batch * (2 * AG_BATCH_MAX_KEY + 3) + 3);

    for (;;) {
        pthread_mutex_lock(&b->lock);
        while (b->len == 0 && !b->stopping) {
            pthread_cond_wait(&b->wake, &b->lock);
        }
        if (b->len == 0 && b->stopping) {
            pthread_mutex_unlock(&b->lock);
            break;
        }
        size_t n = b->len < b->max_batch ? b->len : b->max_batch;
        for (size_t i = 0; i < n; i++) {
            items[i] = b->queue[(b->head + i) % b->cap];
        }
        b->head = (b->head + n) % b->cap;
        b->len -= n;
        pthread_mutex_unlock(&b->lock);
        batch_run(b, items, n, array);
    }
    ag_free(array);
    ag_free(items);
    return NULL;
}

struct ag_batch *
ag_batch_new(struct ag_db_pool *pool, const char *stmt, size_t max_batch, int nthreads)
{
    struct ag_batch *b = ag_xcalloc(1, sizeof(*b));

    b->pool = pool;
    b->stmt = ag_xstrdup(stmt);
    b->max_batch = max_batch > 0 ? max_batch : 64;
    b->cap = 1024;
    b->queue = ag_xcalloc(b->cap, sizeof(*b->queue));
    pthread_mutex_init(&b->lock, NULL);
    pthread_cond_init(&b->wake, NULL);
    b->threads = ag_xcalloc((size_t)(nthreads > 0 ? nthreads : 1), sizeof(pthread_t));
    for (int i = 0; i < (nthreads > 0 ? nthreads : 1); i++) {
        if (pthread_create(&b->threads[i], NULL, batch_thread, b) != 0) {
            ag_log(AG_LOG_ERROR, NULL, "cannot start a batcher thread");
            ag_batch_free(b);
            return NULL;
        }
        b->nthreads++;
    }
    return b;
}

void
ag_batch_free(struct ag_batch *b)
{
    if (b == NULL) {
        return;
    }
    pthread_mutex_lock(&b->lock);
    b->stopping = 1;
    pthread_cond_broadcast(&b->wake);
    pthread_mutex_unlock(&b->lock);
    for (int i = 0; i < b->nthreads; i++) {
        pthread_join(b->threads[i], NULL);
    }
    pthread_cond_destroy(&b->wake);
    pthread_mutex_destroy(&b->lock);
    ag_free(b->threads);
    ag_free(b->queue);
    ag_free(b->stmt);
    ag_free(b);
}

int
ag_batch_get(struct ag_batch *b, struct ag_req *req, struct ag_str key, ag_batch_reply_fn fn)
{
    if (key.len > AG_BATCH_MAX_KEY) {
        return AG_EINVAL;
    }
    int rc = ag_req_defer(req);
    pthread_mutex_lock(&b->lock);
    if (b->len == b->cap) {
        /* Grow the ring; it holds at most one item per suspended connection. */
        struct batch_item *q = ag_xcalloc(b->cap * 2, sizeof(*q));
        for (size_t i = 0; i < b->len; i++) {
            q[i] = b->queue[(b->head + i) % b->cap];
        }
        ag_free(b->queue);
        b->queue = q;
        b->head = 0;
        b->cap *= 2;
    }
    size_t tail = b->head + b->len;
    struct batch_item *it = &b->queue[tail >= b->cap ? tail - b->cap : tail];
    it->req = req;
    it->fn = fn;
    it->keylen = key.len;
    memcpy(it->key, key.ptr, key.len);
    b->len++;
    pthread_cond_signal(&b->wake);
    pthread_mutex_unlock(&b->lock);
    return rc;
}
