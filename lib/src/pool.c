/*
 * Slot accounting for connection pools (pool_int.h).
 */
#include "pool_int.h"

#include <errno.h>
#include <time.h>

#include "agora/err.h"
#include "agora/log.h"
#include "agora/mem.h"

void
ag__pool_init(struct ag__pool *p, size_t size, int timeout_ms)
{
    pthread_condattr_t attr;

    pthread_mutex_init(&p->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&p->freed, &attr);
    pthread_condattr_destroy(&attr);
    p->timeout_ms = timeout_ms < 0 ? 0 : timeout_ms;
    p->size = size;
    p->idle = ag_xcalloc(size, sizeof(void *));
    p->nidle = 0;
    p->open = 0;
    p->busy = 0;
    p->waits = 0;
    p->timeouts = 0;
}

void
ag__pool_release(struct ag__pool *p, void (*close_fn)(void *), const char *what)
{
    if (p->busy > 0) {
        ag_log(AG_LOG_ERROR, NULL, "%s pool freed with %zu connections still out", what, p->busy);
    }
    for (size_t i = 0; i < p->nidle; i++) {
        close_fn(p->idle[i]);
    }
    ag_free(p->idle);
    pthread_cond_destroy(&p->freed);
    pthread_mutex_destroy(&p->lock);
}

/* Sets 'deadline' to 'ms' milliseconds from now on CLOCK_MONOTONIC. */
static void
deadline_after(struct timespec *deadline, int ms)
{
    clock_gettime(CLOCK_MONOTONIC, deadline);
    deadline->tv_sec += ms / 1000;
    deadline->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (deadline->tv_nsec >= 1000000000L) {
        deadline->tv_sec++;
        deadline->tv_nsec -= 1000000000L;
    }
}

int
ag__pool_take(struct ag__pool *p, void **item)
{
    struct timespec deadline;
    int waited = 0;
    int timed_out = 0;
    int rc = 0;

    *item = NULL;
    deadline_after(&deadline, p->timeout_ms);
    pthread_mutex_lock(&p->lock);
    for (;;) {
        if (p->nidle > 0) {
            *item = p->idle[--p->nidle];
            p->busy++;
            break;
        }
        if (p->open < p->size) {
            p->open++; /* the slot is the caller's; it connects outside the lock */
            p->busy++;
            break;
        }
        if (timed_out) {
            p->timeouts++;
            rc = AG_ETIMEOUT;
            break;
        }
        if (!waited) {
            waited = 1;
            p->waits++;
        }
        if (pthread_cond_timedwait(&p->freed, &p->lock, &deadline) == ETIMEDOUT) {
            timed_out = 1; /* look once more, then give up */
        }
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

void
ag__pool_abandon(struct ag__pool *p)
{
    ag__pool_give(p, NULL);
}

void
ag__pool_give(struct ag__pool *p, void *item)
{
    pthread_mutex_lock(&p->lock);
    p->busy--;
    if (item != NULL) {
        p->idle[p->nidle++] = item;
    } else {
        p->open--;
    }
    pthread_cond_signal(&p->freed); /* a waiter may take it, or try the slot itself */
    pthread_mutex_unlock(&p->lock);
}
