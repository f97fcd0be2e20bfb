/*
 * PostgreSQL on libpq: a fixed-size pool whose connections open lazily and prepare the
 * service's statements once, SQLSTATE mapping, transactions that retry on serialization
 * failure, and migrations applied under an advisory lock.
 */
#include "agora/db.h"

#include "pool_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "agora/err.h"
#include "agora/log.h"
#include "agora/mem.h"

/* Seconds libpq may take to connect when the conninfo does not say otherwise. */
#define DB_CONNECT_TIMEOUT_S "5"

/*
 * The advisory lock key that serialises migrations: "agora_mg" read as a big-endian 64-bit
 * integer. Advisory locks are per database, so services with their own databases never wait
 * for each other.
 */
#define DB_MIGRATE_LOCK_KEY "7018701081330806119"

struct ag_db_pool {
    struct ag__pool slots;
    char *conninfo;                 /* owned */
    const struct ag_db_stmt *stmts; /* borrowed for the pool's life */
    size_t nstmts;
    atomic_int outage_logged; /* a failed connect was logged at warn since the last success */
};

/* The isolation levels ag_db_tx accepts, and the only BEGIN commands it ever sends. */
static const struct {
    const char *name;
    const char *begin;
} db_isolations[] = {
    {"SERIALIZABLE", "BEGIN ISOLATION LEVEL SERIALIZABLE"},
    {"REPEATABLE READ", "BEGIN ISOLATION LEVEL REPEATABLE READ"},
    {"READ COMMITTED", "BEGIN ISOLATION LEVEL READ COMMITTED"},
    {"READ UNCOMMITTED", "BEGIN ISOLATION LEVEL READ UNCOMMITTED"},
};

/* Copies 'msg' into 'buf' without its trailing newlines; libpq ends most messages with one. */
static const char *
db_trim(const char *msg, char *buf, size_t size)
{
    if (msg == NULL || *msg == '\0') {
        msg = "unknown error";
    }
    snprintf(buf, size, "%s", msg);
    size_t n = strlen(buf);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ')) {
        buf[--n] = '\0';
    }
    return buf;
}

/* The primary error message of 'r', or of 'conn' when 'r' has none; for logs. */
static const char *
db_result_msg(const PGconn *conn, const PGresult *r, char *buf, size_t size)
{
    const char *msg = r != NULL ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (msg == NULL) {
        msg = PQerrorMessage(conn);
    }
    return db_trim(msg, buf, size);
}

/* Sends server notices (e.g. "relation already exists, skipping") to our log, not stderr. */
static void
db_notice(void *arg, const char *message)
{
    char buf[512];

    (void)arg;
    ag_log(AG_LOG_DEBUG, NULL, "postgresql: %s", db_trim(message, buf, sizeof(buf)));
}

/*
 * True when libpq can parse 'conninfo'. The parser's message is not logged: it may quote a
 * piece of the string, and the string may hold a password.
 */
static int
db_conninfo_ok(const char *conninfo)
{
    char *errmsg = NULL;

    if (conninfo == NULL) {
        return 0;
    }
    PQconninfoOption *opts = PQconninfoParse(conninfo, &errmsg);
    PQfreemem(errmsg);
    if (opts == NULL) {
        return 0;
    }
    PQconninfoFree(opts);
    return 1;
}

/*
 * Opens a connection to 'conninfo' (a URI or key=value string). connect_timeout comes before
 * the expanded conninfo so that the conninfo's own value, when it has one, wins. Returns NULL
 * only when libpq is out of memory; check PQstatus. Release with PQfinish.
 */
static PGconn *
db_connect(const char *conninfo)
{
    const char *const keywords[] = {"connect_timeout", "fallback_application_name", "dbname", NULL};
    const char *const values[] = {DB_CONNECT_TIMEOUT_S, program_invocation_short_name, conninfo,
                                  NULL};

    PGconn *conn = PQconnectdbParams(keywords, values, 1);
    if (conn != NULL && PQstatus(conn) == CONNECTION_OK) {
        PQsetNoticeProcessor(conn, db_notice, NULL);
    }
    return conn;
}

int
ag_db_map_sqlstate(const char *sqlstate)
{
    if (sqlstate == NULL || strlen(sqlstate) != 5) {
        return AG_EINTERNAL;
    }
    if (strcmp(sqlstate, "23505") == 0 || strcmp(sqlstate, "23P01") == 0) {
        return AG_ECONFLICT; /* unique_violation, exclusion_violation */
    }
    if (strcmp(sqlstate, "23503") == 0) {
        return AG_ENOTFOUND; /* foreign_key_violation: the parent row is missing */
    }
    if (strncmp(sqlstate, "22", 2) == 0 || strcmp(sqlstate, "23502") == 0 ||
        strcmp(sqlstate, "23514") == 0) {
        return AG_EINVAL; /* data_exception, not_null_violation, check_violation */
    }
    if (strcmp(sqlstate, "40001") == 0 || strcmp(sqlstate, "40P01") == 0) {
        return AG_ERETRY; /* serialization_failure, deadlock_detected */
    }
    if (strncmp(sqlstate, "08", 2) == 0 || strcmp(sqlstate, "57P01") == 0 ||
        strcmp(sqlstate, "57P02") == 0 || strcmp(sqlstate, "57P03") == 0) {
        return AG_EUNAVAIL; /* connection_exception, the server shutting down or starting */
    }
    if (strcmp(sqlstate, "57014") == 0) {
        return AG_ETIMEOUT; /* query_canceled: statement_timeout or lock_timeout fired */
    }
    return AG_EINTERNAL;
}

/*
 * Turns 'r', the result of running 'kind' 'what' on 'conn', into 0 with '*res' set (or 'r'
 * cleared when 'res' is NULL), or into an AG_E* code with 'r' cleared and '*res' NULL.
 * Unexpected failures are logged at error level, expected ones at debug.
 */
static int
db_result(PGconn *conn, PGresult *r, const char *kind, const char *what, PGresult **res,
          char sqlstate[6])
{
    char msg[512];
    int rc;

    if (res != NULL) {
        *res = NULL;
    }
    if (sqlstate != NULL) {
        sqlstate[0] = '\0';
    }
    ExecStatusType status = PQresultStatus(r); /* PGRES_FATAL_ERROR when 'r' is NULL */
    if (r != NULL && (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)) {
        if (res != NULL) {
            *res = r;
        } else {
            PQclear(r);
        }
        return 0;
    }

    const char *state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (state == NULL) {
        state = "";
    }
    if (sqlstate != NULL) {
        snprintf(sqlstate, 6, "%.5s", state);
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        rc = AG_EUNAVAIL;
    } else if (r != NULL && status != PGRES_FATAL_ERROR) {
        rc = AG_EINTERNAL; /* e.g. PGRES_COPY_IN or PGRES_EMPTY_QUERY: not for this API */
    } else {
        rc = ag_db_map_sqlstate(state);
    }

    db_result_msg(conn, r, msg, sizeof(msg));
    if (rc == AG_EINTERNAL) {
        ag_log(AG_LOG_ERROR, NULL, "%s '%.60s' failed: sqlstate=%s status=%s: %s", kind, what,
               state[0] ? state : "none", PQresStatus(status), msg);
    } else if (rc == AG_EUNAVAIL) {
        ag_log(AG_LOG_WARN, NULL, "%s '%.60s' failed: connection lost: %s", kind, what, msg);
    } else {
        ag_log(AG_LOG_DEBUG, NULL, "%s '%.60s' failed: sqlstate=%s %s: %s", kind, what, state,
               ag_err_name(rc), msg);
    }
    PQclear(r);
    return rc;
}

/*
 * Points '*out' at NUL-terminated 'values': the values themselves when 'lengths' is NULL,
 * else copies in '*buf' (release with ag_free), because libpq ignores the lengths of text
 * parameters and reads each to its NUL. A value holding a NUL byte cannot be text:
 * AG_EINVAL.
 */
static int
db_params(int nparams, const char *const *values, const int *lengths, const char *const **out,
          char **buf)
{
    size_t total = 0;

    *out = values;
    *buf = NULL;
    if (lengths == NULL || nparams <= 0) {
        return 0;
    }
    for (int i = 0; i < nparams; i++) {
        if (values[i] == NULL) {
            continue;
        }
        if (lengths[i] < 0 || memchr(values[i], '\0', (size_t)lengths[i]) != NULL) {
            ag_log(AG_LOG_DEBUG, NULL, "parameter $%d is not text: negative length or NUL byte",
                   i + 1);
            return AG_EINVAL;
        }
        total += (size_t)lengths[i] + 1; /* at most nparams * INT_MAX: cannot overflow */
    }

    *buf = ag_xmalloc((size_t)nparams * sizeof(char *) + total);
    const char **ptrs = (const char **)(void *)*buf;
    char *p = *buf + (size_t)nparams * sizeof(char *);
    for (int i = 0; i < nparams; i++) {
        ptrs[i] = NULL;
        if (values[i] != NULL) {
            memcpy(p, values[i], (size_t)lengths[i]);
            p[lengths[i]] = '\0';
            ptrs[i] = p;
            p += (size_t)lengths[i] + 1;
        }
    }
    *out = ptrs;
    return 0;
}

/* ag_db_exec and ag_db_exec_params: 'prepared' says whether 'what' is a name or SQL. */
static int
db_exec(PGconn *conn, int prepared, const char *what, int nparams, const char *const *values,
        const int *lengths, PGresult **res, char sqlstate[6])
{
    const char *const *params;
    char *buf;

    if (res != NULL) {
        *res = NULL;
    }
    if (sqlstate != NULL) {
        sqlstate[0] = '\0';
    }
    int rc = db_params(nparams, values, lengths, &params, &buf);
    if (rc < 0) {
        return rc;
    }
    /* NULL formats: every parameter is text; result format 0: text. */
    PGresult *r = prepared ? PQexecPrepared(conn, what, nparams, params, NULL, NULL, 0)
                           : PQexecParams(conn, what, nparams, NULL, params, NULL, NULL, 0);
    ag_free(buf);
    return db_result(conn, r, prepared ? "statement" : "query", what, res, sqlstate);
}

int
ag_db_exec(PGconn *conn, const char *name, int nparams, const char *const *values,
           const int *lengths, PGresult **res, char sqlstate[6])
{
    return db_exec(conn, 1, name, nparams, values, lengths, res, sqlstate);
}

int
ag_db_exec_params(PGconn *conn, const char *sql, int nparams, const char *const *values,
                  const int *lengths, PGresult **res, char sqlstate[6])
{
    return db_exec(conn, 0, sql, nparams, values, lengths, res, sqlstate);
}

int
ag_db_command(PGconn *conn, const char *sql)
{
    PGresult *r = PQexec(conn, sql);
    return db_result(conn, r, "command", sql, NULL, NULL);
}

struct ag_db_pool *
ag_db_pool_new(const char *conninfo, size_t size, const struct ag_db_stmt *stmts, size_t nstmts,
               int acquire_timeout_ms)
{
    if (size == 0) {
        ag_log(AG_LOG_ERROR, NULL, "cannot create database pool: size must be at least 1");
        return NULL;
    }
    if (!db_conninfo_ok(conninfo)) {
        ag_log(AG_LOG_ERROR, NULL,
               "cannot create database pool: the conninfo is not a libpq URI or key=value string");
        return NULL;
    }

    struct ag_db_pool *pool = ag_xcalloc(1, sizeof(*pool));
    ag__pool_init(&pool->slots, size, acquire_timeout_ms);
    pool->conninfo = ag_xstrdup(conninfo);
    pool->stmts = stmts;
    pool->nstmts = nstmts;
    atomic_init(&pool->outage_logged, 0);
    return pool;
}

static void
db_close(void *conn)
{
    PQfinish(conn);
}

void
ag_db_pool_free(struct ag_db_pool *pool)
{
    if (pool == NULL) {
        return;
    }
    ag__pool_release(&pool->slots, db_close, "database");
    ag_free(pool->conninfo);
    ag_free(pool);
}

/*
 * Opens and prepares a new connection for 'pool', outside the pool's lock. A failure to
 * connect is logged at warn once per outage, then at debug until a connect succeeds.
 */
static int
pool_connect(struct ag_db_pool *pool, PGconn **out)
{
    char msg[512];
    int rc = 0;

    *out = NULL;
    PGconn *conn = db_connect(pool->conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        int first = atomic_exchange(&pool->outage_logged, 1) == 0;
        ag_log(first ? AG_LOG_WARN : AG_LOG_DEBUG, NULL, "cannot connect to postgresql: %s",
               db_trim(conn != NULL ? PQerrorMessage(conn) : "out of memory", msg, sizeof(msg)));
        rc = AG_EUNAVAIL;
        goto out;
    }
    if (atomic_exchange(&pool->outage_logged, 0) == 1) {
        ag_log(AG_LOG_INFO, NULL, "connected to postgresql again");
    }

    for (size_t i = 0; i < pool->nstmts; i++) {
        const struct ag_db_stmt *s = &pool->stmts[i];
        PGresult *r = PQprepare(conn, s->name, s->sql, s->nparams, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            const char *state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
            rc = PQstatus(conn) == CONNECTION_OK ? AG_EINTERNAL : AG_EUNAVAIL;
            ag_log(rc == AG_EINTERNAL ? AG_LOG_ERROR : AG_LOG_WARN, NULL,
                   "cannot prepare statement '%s': sqlstate=%s: %s", s->name,
                   state != NULL ? state : "none", db_result_msg(conn, r, msg, sizeof(msg)));
            PQclear(r);
            goto out;
        }
        PQclear(r);
    }
    *out = conn;
    conn = NULL;

out:
    PQfinish(conn);
    return rc;
}

int
ag_db_acquire(struct ag_db_pool *pool, PGconn **out)
{
    void *item;

    *out = NULL;
    int rc = ag__pool_take(&pool->slots, &item);
    if (rc < 0) {
        ag_log(AG_LOG_DEBUG, NULL, "no database connection free after %d ms",
               pool->slots.timeout_ms);
        return rc;
    }
    if (item == NULL) {
        PGconn *conn;
        rc = pool_connect(pool, &conn);
        if (rc < 0) {
            ag__pool_abandon(&pool->slots);
            return rc;
        }
        item = conn;
    }
    *out = item;
    return 0;
}

/*
 * True when 'conn' may go back to the pool. A connection left inside a transaction is a bug
 * in its user: it is logged and rolled back so the next user starts clean.
 */
static int
db_conn_reusable(PGconn *conn)
{
    if (PQstatus(conn) != CONNECTION_OK) {
        return 0;
    }
    switch (PQtransactionStatus(conn)) {
    case PQTRANS_IDLE:
        return 1;
    case PQTRANS_INTRANS:
    case PQTRANS_INERROR: {
        ag_log(AG_LOG_ERROR, NULL,
               "database connection released inside a transaction: rolling it back");
        PGresult *r = PQexec(conn, "ROLLBACK");
        int ok = PQresultStatus(r) == PGRES_COMMAND_OK && PQtransactionStatus(conn) == PQTRANS_IDLE;
        PQclear(r);
        return ok;
    }
    case PQTRANS_ACTIVE:
        ag_log(AG_LOG_ERROR, NULL, "database connection released with a command in progress");
        return 0;
    default:
        return 0;
    }
}

void
ag_db_release(struct ag_db_pool *pool, PGconn *conn)
{
    if (conn == NULL) {
        return;
    }
    if (!db_conn_reusable(conn)) {
        PQfinish(conn);
        conn = NULL;
    }
    ag__pool_give(&pool->slots, conn);
}

void
ag_db_pool_stats(struct ag_db_pool *pool, struct ag_db_pool_stats *out)
{
    pthread_mutex_lock(&pool->slots.lock);
    out->size = pool->slots.size;
    out->open = pool->slots.open;
    out->busy = pool->slots.busy;
    out->waits = pool->slots.waits;
    out->timeouts = pool->slots.timeouts;
    pthread_mutex_unlock(&pool->slots.lock);
}

int
ag_db_ping(struct ag_db_pool *pool)
{
    PGconn *conn;

    int rc = ag_db_acquire(pool, &conn);
    if (rc == 0) {
        rc = ag_db_command(conn, "SELECT 1");
        ag_db_release(pool, conn);
    }
    if (rc < 0 && rc != AG_ETIMEOUT) {
        rc = AG_EUNAVAIL; /* for /readyz every other failure means "not ready" */
    }
    return rc;
}

/* Sleeps 1..10 ms times 'attempt' (at most 10), so that retrying transactions spread out. */
static void
db_backoff(int attempt)
{
    static _Thread_local unsigned seed;

    if (seed == 0) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        seed = (unsigned)now.tv_nsec ^ (unsigned)(uintptr_t)&seed ^ 1u;
    }
    long ms = (long)(1 + rand_r(&seed) % 10) * (attempt < 10 ? attempt : 10);
    struct timespec delay = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&delay, &delay) != 0 && errno == EINTR) {
    }
}

/* One try of ag_db_tx: BEGIN, fn, COMMIT; on failure the transaction is rolled back. */
static int
db_tx_once(PGconn *conn, const char *begin, ag_db_tx_fn fn, void *arg)
{
    int rc = ag_db_command(conn, begin);
    if (rc < 0) {
        return rc;
    }
    rc = fn(conn, arg);
    if (rc == 0 && PQtransactionStatus(conn) == PQTRANS_INERROR) {
        /* COMMIT would answer "ROLLBACK" and look like success. */
        ag_log(AG_LOG_ERROR, NULL, "transaction function returned 0 after a failed statement");
        rc = AG_EINTERNAL;
    }
    if (rc == 0) {
        rc = ag_db_command(conn, "COMMIT"); /* under SERIALIZABLE it may fail with 40001 */
    }
    if (rc != 0 && PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) != PQTRANS_IDLE) {
        (void)ag_db_command(conn, "ROLLBACK");
    }
    return rc;
}

int
ag_db_tx(PGconn *conn, const char *isolation, int max_tries, ag_db_tx_fn fn, void *arg)
{
    const char *begin = NULL;

    for (size_t i = 0; isolation != NULL && i < sizeof(db_isolations) / sizeof(db_isolations[0]);
         i++) {
        if (strcasecmp(isolation, db_isolations[i].name) == 0) {
            begin = db_isolations[i].begin;
        }
    }
    if (begin == NULL) {
        ag_log(AG_LOG_ERROR, NULL, "cannot start transaction: unknown isolation level '%.40s'",
               isolation != NULL ? isolation : "(null)");
        return AG_EINVAL;
    }
    if (max_tries < 1) {
        ag_log(AG_LOG_ERROR, NULL, "cannot start transaction: max_tries %d is below 1", max_tries);
        return AG_EINVAL;
    }
    if (PQtransactionStatus(conn) != PQTRANS_IDLE) {
        ag_log(AG_LOG_ERROR, NULL, "cannot start transaction: connection busy or inside one");
        return PQstatus(conn) == CONNECTION_OK ? AG_EINTERNAL : AG_EUNAVAIL;
    }

    for (int attempt = 1;; attempt++) {
        int rc = db_tx_once(conn, begin, fn, arg);
        if (rc != AG_ERETRY) {
            return rc;
        }
        if (attempt >= max_tries) {
            ag_log(AG_LOG_WARN, NULL, "transaction failed %d times on serialization: giving up",
                   attempt);
            return rc;
        }
        ag_log(AG_LOG_DEBUG, NULL, "transaction serialization failure, retry %d of %d", attempt + 1,
               max_tries);
        db_backoff(attempt);
    }
}

/*
 * Runs 'sql' for migration 'version' (with one parameter when 'param' is not NULL).
 * Returns 0, AG_EUNAVAIL when the connection is lost or AG_EINTERNAL, logged with the
 * version and the server's error.
 */
static int
migrate_exec(PGconn *conn, const char *version, const char *sql, const char *param)
{
    char msg[512];
    PGresult *r;

    if (param != NULL) {
        const char *const values[1] = {param};
        r = PQexecParams(conn, sql, 1, NULL, values, NULL, NULL, 0);
    } else {
        r = PQexec(conn, sql);
    }
    ExecStatusType status = PQresultStatus(r);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
        PQclear(r);
        return 0;
    }
    int rc = PQstatus(conn) == CONNECTION_OK ? AG_EINTERNAL : AG_EUNAVAIL;
    const char *state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    ag_log(AG_LOG_ERROR, NULL, "migration '%s' failed: sqlstate=%s: %s", version,
           state != NULL ? state : "none", db_result_msg(conn, r, msg, sizeof(msg)));
    PQclear(r);
    return rc;
}

/* Applies 'm' and records it in one transaction. */
static int
migrate_one(PGconn *conn, const struct ag_db_migration *m)
{
    int rc = migrate_exec(conn, m->version, "BEGIN", NULL);
    if (rc == 0) {
        rc = migrate_exec(conn, m->version, m->sql, NULL);
    }
    if (rc == 0 && PQtransactionStatus(conn) != PQTRANS_INTRANS) {
        ag_log(AG_LOG_ERROR, NULL, "migration '%s' failed: it must not end its transaction",
               m->version);
        rc = AG_EINTERNAL;
    }
    if (rc == 0) {
        rc = migrate_exec(conn, m->version, "INSERT INTO schema_migrations (version) VALUES ($1)",
                          m->version);
    }
    if (rc == 0) {
        rc = migrate_exec(conn, m->version, "COMMIT", NULL);
    }
    if (rc < 0) {
        if (PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) != PQTRANS_IDLE) {
            PQclear(PQexec(conn, "ROLLBACK"));
        }
        return rc;
    }
    ag_log(AG_LOG_INFO, NULL, "applied migration %s", m->version);
    return 0;
}

/* Checks that every migration has a version and SQL, in strictly ascending version order. */
static int
migrate_check_list(const struct ag_db_migration *migrations, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (migrations[i].version == NULL || migrations[i].sql == NULL) {
            ag_log(AG_LOG_ERROR, NULL, "migration %zu has no version or no SQL", i);
            return AG_EINVAL;
        }
        if (i > 0 && strcmp(migrations[i - 1].version, migrations[i].version) >= 0) {
            ag_log(AG_LOG_ERROR, NULL, "migration '%s' comes after '%s': want ascending order",
                   migrations[i].version, migrations[i - 1].version);
            return AG_EINVAL;
        }
    }
    return 0;
}

/* True when 'version' is a row of 'applied' (one text column). */
static int
migrate_recorded(const PGresult *applied, const char *version)
{
    for (int row = 0; row < PQntuples(applied); row++) {
        if (strcmp(PQgetvalue(applied, row, 0), version) == 0) {
            return 1;
        }
    }
    return 0;
}

int
ag_db_migrate(const char *conninfo, const struct ag_db_migration *migrations, size_t n)
{
    char msg[512];
    PGconn *conn = NULL;
    PGresult *applied = NULL;
    int locked = 0;
    size_t count = 0;
    int rc;

    if (!db_conninfo_ok(conninfo)) {
        ag_log(AG_LOG_ERROR, NULL,
               "cannot migrate: the conninfo is not a libpq URI or key=value string");
        return AG_EINVAL;
    }
    rc = migrate_check_list(migrations, n);
    if (rc < 0) {
        return rc;
    }

    conn = db_connect(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        ag_log(AG_LOG_WARN, NULL, "cannot connect to postgresql to migrate: %s",
               db_trim(conn != NULL ? PQerrorMessage(conn) : "out of memory", msg, sizeof(msg)));
        rc = AG_EUNAVAIL;
        goto out;
    }
    rc = migrate_exec(conn, "(lock)", "SELECT pg_advisory_lock(" DB_MIGRATE_LOCK_KEY ")", NULL);
    if (rc < 0) {
        goto out;
    }
    locked = 1;
    rc = migrate_exec(conn, "(setup)",
                      "CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, "
                      "applied_at timestamptz NOT NULL DEFAULT now())",
                      NULL);
    if (rc < 0) {
        goto out;
    }

    applied = PQexec(conn, "SELECT version FROM schema_migrations ORDER BY version");
    if (PQresultStatus(applied) != PGRES_TUPLES_OK) {
        rc = PQstatus(conn) == CONNECTION_OK ? AG_EINTERNAL : AG_EUNAVAIL;
        ag_log(AG_LOG_ERROR, NULL, "cannot read schema_migrations: %s",
               db_result_msg(conn, applied, msg, sizeof(msg)));
        goto out;
    }
    for (int row = 0; row < PQntuples(applied); row++) {
        const char *version = PQgetvalue(applied, row, 0);
        size_t i = 0;
        while (i < n && strcmp(migrations[i].version, version) != 0) {
            i++;
        }
        if (i == n) {
            ag_log(AG_LOG_WARN, NULL,
                   "database has migration '%s' that this binary does not know (a newer "
                   "binary ran?)",
                   version);
        }
    }

    for (size_t i = 0; i < n; i++) {
        if (migrate_recorded(applied, migrations[i].version)) {
            continue;
        }
        rc = migrate_one(conn, &migrations[i]);
        if (rc < 0) {
            goto out;
        }
        count++;
    }
    ag_log(AG_LOG_DEBUG, NULL, "migrations: %zu applied, %zu known", count, n);

out:
    PQclear(applied);
    if (locked && PQstatus(conn) == CONNECTION_OK) {
        /* Closing the session would release the lock too; say it explicitly. */
        PQclear(PQexec(conn, "SELECT pg_advisory_unlock(" DB_MIGRATE_LOCK_KEY ")"));
    }
    PQfinish(conn);
    return rc;
}
