/*
 * The slot accounting shared by the database and Redis pools: at most 'size' connections,
 * idle ones kept for reuse, new ones opened lazily by the caller outside the lock, and a
 * bounded wait when all are out. The connections themselves are the caller's business.
 */
#ifndef AGORA_POOL_INT_H
#define AGORA_POOL_INT_H

#include <pthread.h>
#include <stddef.h>

struct ag__pool {
    pthread_mutex_t lock;
    pthread_cond_t freed; /* signalled when a connection or a free slot comes back */
    int timeout_ms;       /* how long ag__pool_take waits */
    size_t size;
    void **idle; /* owned, 'size' entries: 'nidle' open connections ready for use */
    size_t nidle;
    size_t open; /* idle + busy + being opened; never above 'size' */
    size_t busy;
    unsigned long long waits;    /* takes that had to wait */
    unsigned long long timeouts; /* takes that gave up */
};

void ag__pool_init(struct ag__pool *p, size_t size, int timeout_ms);
/* Closes the idle connections with 'close_fn'; 'what' names the pool in the log line when
 * some are still out. */
void ag__pool_release(struct ag__pool *p, void (*close_fn)(void *), const char *what);

/*
 * Takes an idle connection ('*item' set), or reserves a slot for a new one ('*item' NULL: the
 * caller opens it, and calls ag__pool_abandon when that fails). AG_ETIMEOUT when none frees
 * up within the pool's timeout.
 */
int ag__pool_take(struct ag__pool *p, void **item);
/* Gives back a reserved slot whose connection could not be opened. */
void ag__pool_abandon(struct ag__pool *p);
/* Gives 'item' back for reuse, or its slot when 'item' is NULL (the caller closed it). */
void ag__pool_give(struct ag__pool *p, void *item);

#endif
