/*
 * Work threads for the slow parts of a request: a handler hands 'fn' to the pool and returns
 * AG_DEFERRED; a work thread runs it and gives the request back to the server, which sends
 * the reply 'fn' set. CPU-heavy steps (an argon2id hash takes tens of milliseconds) then never
 * hold an HTTP thread, so the requests that thread serves meanwhile are not kept waiting.
 */
#ifndef AGORA_WORK_H
#define AGORA_WORK_H

#include "agora/http.h"

/*
 * Runs on a work thread with the request (its arena, its database connection and Redis
 * connection are the work thread's until it returns). Sets the reply and returns 0, or
 * returns an AG_E* code: without a reply set, the router answers that code's error.
 */
typedef int (*ag_work_fn)(struct ag_req *req, void *arg);

struct ag_work;

/* A pool of 'nthreads' (at least 1) work threads; NULL when a thread cannot start. */
struct ag_work *ag_work_new(int nthreads);
/* Stops the threads; free it after the server stopped (no request may be queued). NULL ok. */
void ag_work_free(struct ag_work *w);

/*
 * Defers 'req' and queues 'fn(req, arg)' ('arg' borrowed: keep it in the request's arena).
 * Returns AG_DEFERRED, which the handler returns as it is.
 */
int ag_work_offload(struct ag_work *w, struct ag_req *req, ag_work_fn fn, void *arg);

#endif
