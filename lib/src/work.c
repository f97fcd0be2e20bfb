/*
 * The work pool: a FIFO of deferred requests (items live in each request's arena, so
 * queueing allocates nothing else) and threads that run them and resume the request with
 * the result.
 */
#include "agora/work.h"

#include <pthread.h>

#include "agora/err.h"
#include "agora/log.h"
#include "agora/mem.h"

struct work_item {
    struct work_item *next;
    struct ag_req *req;
    ag_work_fn fn;
    void *arg;
};

struct ag_work {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct work_item *head; /* oldest first; items borrowed from their requests' arenas */
    struct work_item *tail;
    int stopping;
    int nthreads;
    pthread_t *threads; /* owned */
};

static void *
work_thread(void *arg)
{
    struct ag_work *w = arg;

    for (;;) {
        pthread_mutex_lock(&w->lock);
        while (w->head == NULL && !w->stopping) {
            pthread_cond_wait(&w->wake, &w->lock);
        }
        struct work_item *it = w->head;
        if (it == NULL) {
            pthread_mutex_unlock(&w->lock); /* stopping, and nothing left */
            break;
        }
        w->head = it->next;
        if (w->head == NULL) {
            w->tail = NULL;
        }
        pthread_mutex_unlock(&w->lock);
        int rc = it->fn(it->req, it->arg);
        ag_req_resume_rc(it->req, rc);
    }
    return NULL;
}

struct ag_work *
ag_work_new(int nthreads)
{
    struct ag_work *w = ag_xcalloc(1, sizeof(*w));
    int n = nthreads > 0 ? nthreads : 1;

    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    w->threads = ag_xcalloc((size_t)n, sizeof(pthread_t));
    for (int i = 0; i < n; i++) {
        if (pthread_create(&w->threads[i], NULL, work_thread, w) != 0) {
            ag_log(AG_LOG_ERROR, NULL, "cannot start a work thread");
            ag_work_free(w);
            return NULL;
        }
        w->nthreads++;
    }
    return w;
}

void
ag_work_free(struct ag_work *w)
{
    if (w == NULL) {
        return;
    }
    pthread_mutex_lock(&w->lock);
    w->stopping = 1;
    pthread_cond_broadcast(&w->wake);
    pthread_mutex_unlock(&w->lock);
    for (int i = 0; i < w->nthreads; i++) {
        pthread_join(w->threads[i], NULL);
    }
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    ag_free(w->threads);
    ag_free(w);
}

int
ag_work_offload(struct ag_work *w, struct ag_req *req, ag_work_fn fn, void *arg)
{
    struct work_item *it = ag_arena_alloc(req->arena, sizeof(*it));

    it->next = NULL;
    it->req = req;
    it->fn = fn;
    it->arg = arg;
    int rc = ag_req_defer(req);
    pthread_mutex_lock(&w->lock);
    if (w->tail != NULL) {
        w->tail->next = it;
    } else {
        w->head = it;
    }
    w->tail = it;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    return rc;
}
