/*
 * Batched lookups (the DataLoader pattern): requests that want a row by key are queued, and a
 * batcher thread answers everything queued with one prepared query over all their keys. Under
 * load one PostgreSQL round trip serves tens of requests; every answer still comes from the
 * database at the time of its query (nothing is cached).
 */
#ifndef AGORA_BATCH_H
#define AGORA_BATCH_H

#include <stddef.h>

#include <libpq-fe.h>

#include "agora/db.h"
#include "agora/http.h"

#define AG_BATCH_MAX_KEY 256

/*
 * Sets the reply of 'req' from row 'row' of 'res' (the row whose first column equals the
 * request's key), or from 'rc' when the lookup failed: row is -1 with rc AG_ENOTFOUND (no such
 * row) or another AG_E* code. Runs on the batcher thread; must set a response.
 */
typedef void (*ag_batch_reply_fn)(struct ag_req *req, const PGresult *res, int row, int rc);

struct ag_batch;

/*
 * A batcher over prepared statement 'stmt' of 'pool' (borrowed; the statement takes one
 * text[] parameter and returns rows whose first column is the key), answering at most
 * 'max_batch' requests per query, with 'nthreads' batcher threads. NULL when a thread cannot
 * start. Free it after the server stopped (no request may be queued).
 */
struct ag_batch *ag_batch_new(struct ag_db_pool *pool, const char *stmt, size_t max_batch,
                              int nthreads);
void ag_batch_free(struct ag_batch *b);

/*
 * Queues a lookup of 'key' for 'req' and defers the request; 'fn' sets its reply later.
 * Returns AG_DEFERRED (the handler returns it as is), or AG_EINVAL for a key longer than
 * AG_BATCH_MAX_KEY (nothing queued, the handler answers).
 */
int ag_batch_get(struct ag_batch *b, struct ag_req *req, struct ag_str key, ag_batch_reply_fn fn);

#endif
