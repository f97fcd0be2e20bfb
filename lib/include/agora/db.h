/*
 * PostgreSQL on libpq: a connection pool whose connections prepare the service's statements
 * once, transactions that retry on serialization failure, SQLSTATE mapping, and migrations.
 */
#ifndef AGORA_DB_H
#define AGORA_DB_H

#include <stddef.h>

#include <libpq-fe.h>

/* A statement the service prepares on every connection, by name. */
struct ag_db_stmt {
    const char *name; /* e.g. "member_by_id" */
    const char *sql;  /* $1…$n parameters only: never build SQL from input */
    int nparams;
};

/* A migration: an append-only file services/<svc>/schema/NNN-<what>.sql embedded at build. */
struct ag_db_migration {
    const char *version; /* the file name, e.g. "001-members.sql" */
    const char *sql;
};

struct ag_db_pool;

/*
 * A pool of at most 'size' connections to 'conninfo' (a libpq URI or key=value string),
 * opened lazily. Every new connection prepares 'stmts' (borrowed for the pool's life).
 * 'acquire_timeout_ms' bounds how long ag_db_acquire waits for a free connection.
 */
struct ag_db_pool *ag_db_pool_new(const char *conninfo, size_t size, const struct ag_db_stmt *stmts,
                                  size_t nstmts, int acquire_timeout_ms);
/* Closes every connection; accepts NULL. No connection may be out. */
void ag_db_pool_free(struct ag_db_pool *pool);

/*
 * A healthy connection from the pool, connected and prepared if new. Errors: AG_EUNAVAIL
 * (cannot connect), AG_ETIMEOUT (none free in time). Release with ag_db_release.
 */
int ag_db_acquire(struct ag_db_pool *pool, PGconn **out);
/*
 * Gives 'conn' back. A connection in a bad state, or inside a transaction (a bug), is reset
 * or closed rather than reused. Accepts NULL.
 */
void ag_db_release(struct ag_db_pool *pool, PGconn *conn);

/* Pool figures for /metrics. */
struct ag_db_pool_stats {
    size_t size;                 /* maximum */
    size_t open;                 /* connections open */
    size_t busy;                 /* acquired now */
    unsigned long long waits;    /* acquires that had to wait */
    unsigned long long timeouts; /* acquires that gave up */
};
void ag_db_pool_stats(struct ag_db_pool *pool, struct ag_db_pool_stats *out);

/* Runs 'SELECT 1' on a pooled connection: 0 or AG_EUNAVAIL/AG_ETIMEOUT. For /readyz. */
int ag_db_ping(struct ag_db_pool *pool);

/*
 * Executes prepared statement 'name' with text parameters ('values[i]' NULL = SQL NULL,
 * 'lengths' may be NULL for C strings). '*res' gets the result (release with PQclear) on
 * success. Errors are mapped from SQLSTATE: 23505 unique and 23P01 → AG_ECONFLICT, 23503 →
 * AG_ENOTFOUND (missing parent), 22xxx/23502/23514 → AG_EINVAL, 40001/40P01 → AG_ERETRY,
 * connection loss → AG_EUNAVAIL, others → AG_EINTERNAL (logged once with the SQLSTATE).
 * When 'sqlstate' is not NULL it receives the 5-character SQLSTATE ("" when none).
 */
int ag_db_exec(PGconn *conn, const char *name, int nparams, const char *const *values,
               const int *lengths, PGresult **res, char sqlstate[6]);

/*
 * Executes 'sql' ($1…$n parameters, not prepared) with text parameters as ag_db_exec does, for
 * statements a module runs rarely or on a connection whose statements it does not own. Never
 * build 'sql' from input. Results and errors as ag_db_exec.
 */
int ag_db_exec_params(PGconn *conn, const char *sql, int nparams, const char *const *values,
                      const int *lengths, PGresult **res, char sqlstate[6]);

/* Runs a plain SQL command with no parameters (BEGIN, COMMIT, …). Errors as ag_db_exec. */
int ag_db_command(PGconn *conn, const char *sql);

/* Maps a SQLSTATE to an AG_E* code as ag_db_exec does. */
int ag_db_map_sqlstate(const char *sqlstate);

/*
 * Runs 'fn(conn, arg)' inside BEGIN ISOLATION LEVEL 'isolation' … COMMIT, retrying the whole
 * transaction up to 'max_tries' times when it fails with AG_ERETRY (serialization failure or
 * deadlock), with a short random back-off. 'fn' returns 0 to commit or a negative code to
 * roll back; that code is returned. 'isolation' is e.g. "SERIALIZABLE" or "READ COMMITTED".
 */
typedef int (*ag_db_tx_fn)(PGconn *conn, void *arg);
int ag_db_tx(PGconn *conn, const char *isolation, int max_tries, ag_db_tx_fn fn, void *arg);

/*
 * Applies 'migrations' in order, each once, each in its own transaction together with its
 * row in schema_migrations(version, applied_at), all under a PostgreSQL advisory lock so that
 * replicas starting together apply each file exactly once. Returns 0 or an AG_E* code (the
 * failing version and SQL error are logged).
 */
int ag_db_migrate(const char *conninfo, const struct ag_db_migration *migrations, size_t n);

#endif
