/*
 * Group writes: callers that run the same statement at the same time are joined into one
 * execution of it (application-level group commit). Each caller gives its own parameter
 * values; the statement gets, for each parameter, a text[] of every joined caller's value,
 * and answers rows whose first column is a caller's key (its first value). Under load one
 * statement and one commit serve tens of callers: PostgreSQL's cost per statement (executor
 * start, constraint set-up, the commit's WAL flush, the round trip) is paid once per group
 * instead of once per caller. Measured here: 20 rows in one INSERT … SELECT FROM unnest are
 * 4.3 times the rows per second of one-row INSERTs.
 *
 * A group's statement runs on its own pooled connection and commits on its own: use it only
 * where the caller is not inside a transaction. When the joined statement fails, every caller
 * gets the error (so that it can run its own statement alone).
 */
#ifndef AGORA_GROUP_H
#define AGORA_GROUP_H

#include <stddef.h>

#include <libpq-fe.h>

#include "agora/db.h"

/*
 * Called for each caller with the first row of 'res' (not given to another caller) whose
 * first column equals its key, or with row -1 when there is none. Runs on whichever caller's
 * thread ran the group, while the owner waits.
 */
#define AG_GROUP_MAX_BATCH 256 /* callers one execution takes at most */

typedef void (*ag_group_row_fn)(void *arg, const PGresult *res, int row);

struct ag_group;

/*
 * A group over prepared statement 'stmt' of 'pool' (borrowed) with 'nparams' text[]
 * parameters, at most 'max_batch' callers per execution (up to AG_GROUP_MAX_BATCH) and at most
 * 'max_running' executions at once (their connections come from 'pool'). A caller about to run a
 * group of fewer than 'max_batch' waits up to 'linger_us' microseconds for more to join it (0:
 * never waits).
 */
struct ag_group *ag_group_new(struct ag_db_pool *pool, const char *stmt, int nparams,
                              size_t max_batch, int max_running, long linger_us);
/* No caller may be waiting. Accepts NULL. */
void ag_group_free(struct ag_group *g);

/*
 * Runs the statement for one caller: 'values' has 'nparams' entries (NULL = SQL NULL), the
 * first the key. Blocks until the execution that took it is over, and 'fn(arg, …)' was
 * called. Returns 0, or the execution's error (AG_E* as ag_db_exec, or ag_db_acquire's).
 */
int ag_group_exec(struct ag_group *g, const char *const *values, ag_group_row_fn fn, void *arg);

/*
 * The same statement for this caller alone, on 'conn' (inside the caller's transaction, say),
 * with the same parameters and answer as ag_group_exec. Returns 0 or ag_db_exec's error.
 */
int ag_group_exec_on(struct ag_group *g, PGconn *conn, const char *const *values,
                     ag_group_row_fn fn, void *arg);

#endif
