/*
 * Tests of agora/db.h against a real PostgreSQL: 127.0.0.1, port AGORA_PG_PORT (25432), user
 * agora with trust auth and CREATEDB, database agora_test. Every table and database a test
 * makes carries the process id, so runs in parallel never meet.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agora/db.h"
#include "agora/err.h"
#include "agora/log.h"

#include "ag_test.h"

/* The conninfo of agora_test; static, built once. */
static const char *
test_conninfo(void)
{
    static char buf[256];

    if (buf[0] == '\0') {
        const char *port = getenv("AGORA_PG_PORT");
        snprintf(buf, sizeof(buf), "host=127.0.0.1 port=%s user=agora dbname=agora_test",
                 port != NULL && *port ? port : "25432");
    }
    return buf;
}

/* The port as a string, for URIs. */
static const char *
test_port(void)
{
    const char *port = getenv("AGORA_PG_PORT");
    return port != NULL && *port ? port : "25432";
}

/* Drops server notices such as "database ... does not exist, skipping". */
static void
test_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Runs 'sql' on a connection of its own to agora_test: 0 or -1 (printed). */
static int
test_sql(const char *sql)
{
    PGconn *conn = PQconnectdb(test_conninfo());
    PQsetNoticeProcessor(conn, test_quiet, NULL);
    PGresult *r = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(r);
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : -1;
    if (rc < 0) {
        fprintf(stderr, "test_sql: %s: %s", sql, PQerrorMessage(conn));
    }
    PQclear(r);
    PQfinish(conn);
    return rc;
}

/* Writes "<prefix>_<pid>" into 'buf'. */
static const char *
test_name(char *buf, size_t size, const char *prefix)
{
    snprintf(buf, size, "%s_%ld", prefix, (long)getpid());
    return buf;
}

TEST(acquire_release)
{
    struct ag_db_pool_stats st;
    PGconn *a, *b;

    struct ag_db_pool *pool = ag_db_pool_new(test_conninfo(), 2, NULL, 0, 1000);
    CHECK_NOT_NULL(pool);
    ag_db_pool_stats(pool, &st);
    CHECK_EQ_INT(st.size, 2);
    CHECK_EQ_INT(st.open, 0);

    CHECK_EQ_INT(ag_db_acquire(pool, &a), 0);
    CHECK_EQ_INT(PQstatus(a), CONNECTION_OK);
    ag_db_pool_stats(pool, &st);
    CHECK_EQ_INT(st.open, 1);
    CHECK_EQ_INT(st.busy, 1);
    ag_db_release(pool, a);
    ag_db_pool_stats(pool, &st);
    CHECK_EQ_INT(st.open, 1);
    CHECK_EQ_INT(st.busy, 0);

    /* The idle connection is reused, not reopened. */
    CHECK_EQ_INT(ag_db_acquire(pool, &b), 0);
    CHECK(a == b);
    CHECK_EQ_INT(ag_db_command(b, "SELECT 1"), 0);
    ag_db_release(pool, b);
    ag_db_release(pool, NULL);

    CHECK_EQ_INT(ag_db_ping(pool), 0);
    ag_db_pool_stats(pool, &st);
    CHECK_EQ_INT(st.busy, 0);
    CHECK_EQ_INT(st.waits, 0);
    CHECK_EQ_INT(st.timeouts, 0);
    ag_db_pool_free(pool);
    ag_db_pool_free(NULL);
}

TEST(pool_new_bad)
{
    CHECK_NULL(ag_db_pool_new(test_conninfo(), 0, NULL, 0, 1000));
    CHECK_NULL(ag_db_pool_new(NULL, 1, NULL, 0, 1000));
    CHECK_NULL(ag_db_pool_new("host=127.0.0.1 nosuchoption=1", 1, NULL, 0, 1000));
    CHECK_NULL(ag_db_pool_new("postgresql://127.0.0.1/x?nosuchoption=1", 1, NULL, 0, 1000));

    /* A URI works as well as key=value. */
    char uri[256];
    snprintf(uri, sizeof(uri), "postgresql://agora@127.0.0.1:%s/agora_test", test_port());
    struct ag_db_pool *pool = ag_db_pool_new(uri, 1, NULL, 0, 1000);
    CHECK_NOT_NULL(pool);
    CHECK_EQ_INT(ag_db_ping(pool), 0);
    ag_db_pool_free(pool);
}

TEST(exec_params)
{
    char table[64], sql_ins[256], sql_get[256];
    struct ag_db_stmt stmts[2];
    PGresult *res = NULL;
    PGconn *conn;
    char state[6];

    test_name(table, sizeof(table), "t_exec");
    snprintf(sql_ins, sizeof(sql_ins),
             "DROP TABLE IF EXISTS %1$s; CREATE TABLE %1$s (k text PRIMARY KEY, v text)", table);
    CHECK_EQ_INT(test_sql(sql_ins), 0);
    snprintf(sql_ins, sizeof(sql_ins), "INSERT INTO %s (k, v) VALUES ($1, $2)", table);
    snprintf(sql_get, sizeof(sql_get), "SELECT v, v IS NULL FROM %s WHERE k = $1", table);
    stmts[0] = (struct ag_db_stmt){"t_ins", sql_ins, 2};
    stmts[1] = (struct ag_db_stmt){"t_get", sql_get, 1};

    struct ag_db_pool *pool = ag_db_pool_new(test_conninfo(), 1, stmts, 2, 1000);
    CHECK_NOT_NULL(pool);
    CHECK_EQ_INT(ag_db_acquire(pool, &conn), 0);

    /* Input that would break SQL built by concatenation is only ever data. */
    const char *evil = "o'brien\"; DROP TABLE x; --";
    const char *ins1[2] = {evil, NULL};
    CHECK_EQ_INT(ag_db_exec(conn, "t_ins", 2, ins1, NULL, &res, state), 0);
    CHECK_NOT_NULL(res);
    CHECK_EQ_STR(PQcmdTuples(res), "1");
    CHECK_EQ_STR(state, "");
    PQclear(res);

    const char *get1[1] = {evil};
    CHECK_EQ_INT(ag_db_exec(conn, "t_get", 1, get1, NULL, &res, NULL), 0);
    CHECK_EQ_INT(PQntuples(res), 1);
    CHECK(PQgetisnull(res, 0, 0));
    CHECK_EQ_STR(PQgetvalue(res, 0, 1), "t");
    PQclear(res);

    /* Explicit lengths: only the first 3 bytes of "keyXYZ" count. */
    const char *ins2[2] = {"keyXYZ", "it's \"quoted\"\\"};
    const int lens2[2] = {3, (int)strlen(ins2[1])};
    CHECK_EQ_INT(ag_db_exec(conn, "t_ins", 2, ins2, lens2, NULL, NULL), 0);
    const char *get2[1] = {"key"};
    CHECK_EQ_INT(ag_db_exec(conn, "t_get", 1, get2, NULL, &res, NULL), 0);
    CHECK_EQ_INT(PQntuples(res), 1);
    CHECK_EQ_STR(PQgetvalue(res, 0, 0), "it's \"quoted\"\\");
    PQclear(res);

    /* Text cannot hold a NUL byte: refused before anything is sent. */
    const char *ins3[2] = {"nul", "a\0b"};
    const int lens3[2] = {3, 3};
    res = (PGresult *)1;
    CHECK_EQ_INT(ag_db_exec(conn, "t_ins", 2, ins3, lens3, &res, state), AG_EINVAL);
    CHECK_NULL(res);
    CHECK_EQ_STR(state, "");

    /* Unprepared but parameterised. */
    char sql_cnt[256];
    snprintf(sql_cnt, sizeof(sql_cnt), "SELECT count(*) FROM %s WHERE k = $1 OR k = $2", table);
    const char *cnt[2] = {evil, "key"};
    CHECK_EQ_INT(ag_db_exec_params(conn, sql_cnt, 2, cnt, NULL, &res, state), 0);
    CHECK_EQ_STR(PQgetvalue(res, 0, 0), "2");
    PQclear(res);

    /* An unknown statement is a bug: AG_EINTERNAL, and the connection stays usable. */
    CHECK_EQ_INT(ag_db_exec(conn, "no_such_stmt", 0, NULL, NULL, &res, state), AG_EINTERNAL);
    CHECK_NULL(res);
    CHECK_EQ_STR(state, "26000");
    CHECK_EQ_INT(ag_db_command(conn, "SELECT 1"), 0);

    ag_db_release(pool, conn);
    ag_db_pool_free(pool);
    snprintf(sql_ins, sizeof(sql_ins), "DROP TABLE %s", table);
    CHECK_EQ_INT(test_sql(sql_ins), 0);
}

TEST(unique_violation)
{
    char table[64], sql[256];
    PGresult *res = NULL;
    PGconn *conn;
    char state[6];

    test_name(table, sizeof(table), "t_uniq");
    snprintf(sql, sizeof(sql), "DROP TABLE IF EXISTS %1$s; CREATE TABLE %1$s (k text PRIMARY KEY)",
             table);
    CHECK_EQ_INT(test_sql(sql), 0);
    snprintf(sql, sizeof(sql), "INSERT INTO %s (k) VALUES ($1)", table);
    const struct ag_db_stmt stmts[] = {{"t_ins", sql, 1}};

    struct ag_db_pool *pool = ag_db_pool_new(test_conninfo(), 1, stmts, 1, 1000);
    CHECK_NOT_NULL(pool);
    CHECK_EQ_INT(ag_db_acquire(pool, &conn), 0);
    const char *v[1] = {"alice"};
    CHECK_EQ_INT(ag_db_exec(conn, "t_ins", 1, v, NULL, NULL, NULL), 0);
    res = (PGresult *)1; /* must come back NULL */
    CHECK_EQ_INT(ag_db_exec(conn, "t_ins", 1, v, NULL, &res, state), AG_ECONFLICT);
    CHECK_NULL(res);
    CHECK_EQ_STR(state, "23505");
    ag_db_release(pool, conn);
    ag_db_pool_free(pool);

    snprintf(sql, sizeof(sql), "DROP TABLE %s", table);
    CHECK_EQ_INT(test_sql(sql), 0);
}

TEST(bad_input)
{
    const struct ag_db_stmt stmts[] = {{"t_int", "SELECT $1::int + 1", 1}};
    PGresult *res = NULL;
    PGconn *conn;
    char state[6];

    struct ag_db_pool *pool = ag_db_pool_new(test_conninfo(), 1, stmts, 1, 1000);
    CHECK_NOT_NULL(pool);
    CHECK_EQ_INT(ag_db_acquire(pool, &conn), 0);

    const char *ok[1] = {"41"};
    CHECK_EQ_INT(ag_db_exec(conn, "t_int", 1, ok, NULL, &res, state), 0);
    CHECK_EQ_STR(PQgetvalue(res, 0, 0), "42");
    PQclear(res);

    const char *bad[1] = {"abc"};
    CHECK_EQ_INT(ag_db_exec(conn, "t_int", 1, bad, NULL, &res, state), AG_EINVAL);
    CHECK_NULL(res);
    CHECK_EQ_STR(state, "22P02");

    const char *big[1] = {"99999999999"};
    CHECK_EQ_INT(ag_db_exec(conn, "t_int", 1, big, NULL, &res, state), AG_EINVAL);
    CHECK_EQ_STR(state, "22003");
    CHECK_EQ_INT(PQtransactionStatus(conn), PQTRANS_IDLE);
    ag_db_release(pool, conn);
    ag_db_pool_free(pool);
}

TEST(map_sqlstate)
{
    CHECK_EQ_INT(ag_db_map_sqlstate("23505"), AG_ECONFLICT);
    CHECK_EQ_INT(ag_db_map_sqlstate("23P01"), AG_ECONFLICT);
    CHECK_EQ_INT(ag_db_map_sqlstate("23503"), AG_ENOTFOUND);
    CHECK_EQ_INT(ag_db_map_sqlstate("22001"), AG_EINVAL);
    CHECK_EQ_INT(ag_db_map_sqlstate("22P02"), AG_EINVAL);
    CHECK_EQ_INT(ag_db_map_sqlstate("23502"), AG_EINVAL);
    CHECK_EQ_INT(ag_db_map_sqlstate("23514"), AG_EINVAL);
    CHECK_EQ_INT(ag_db_map_sqlstate("40001"), AG_ERETRY);
    CHECK_EQ_INT(ag_db_map_sqlstate("40P01"), AG_ERETRY);
    CHECK_EQ_INT(ag_db_map_sqlstate("08006"), AG_EUNAVAIL);
    CHECK_EQ_INT(ag_db_map_sqlstate("57P01"), AG_EUNAVAIL);
    CHECK_EQ_INT(ag_db_map_sqlstate("57014"), AG_ETIMEOUT);
    CHECK_EQ_INT(ag_db_map_sqlstate("42P01"), AG_EINTERNAL);
    CHECK_EQ_INT(ag_db_map_sqlstate("23"), AG_EINTERNAL);
    CHECK_EQ_INT(ag_db_map_sqlstate(""), AG_EINTERNAL);
    CHECK_EQ_INT(ag_db_map_sqlstate(NULL), AG_EINTERNAL);
}

TEST(pool_exhaustion)
{
    struct ag_db_pool_stats st;
    PGconn *a, *b;

    struct ag_db_pool *pool = ag_db_pool_new(test_conninfo(), 1, NULL, 0, 100);
    CHECK_NOT_NULL(pool);
    CHECK_EQ_INT(ag_db_acquire(pool, &a), 0);
    b = (PGconn *)1;
    CHECK_EQ_INT(ag_db_acquire(pool, &b), AG_ETIMEOUT);
    CHECK_NULL(b);
    CHECK_EQ_INT(ag_db_ping(pool), AG_ETIMEOUT);
    ag_db_pool_stats(pool, &st);
    CHECK_EQ_INT(st.open, 1);
    CHECK_EQ_INT(st.busy, 1);
    CHECK_EQ_INT(st.waits, 2);
    CHECK_EQ_INT(st.timeouts, 2);
    ag_db_release(pool, a);
    CHECK_EQ_INT(ag_db_acquire(pool, &b), 0);
    CHECK(a == b);
    ag_db_release(pool, b);
    ag_db_pool_free(pool);
}

struct hold_arg {
    struct ag_db_pool *pool;
    PGconn *conn;
};

static void *
hold_then_release(void *p)
{
    struct hold_arg *arg = p;
    usleep(100 * 1000);
    ag_db_release(arg->pool, arg->conn);
    return NULL;
}

TEST(acquire_waits)
{
    struct ag_db_pool_stats st;
    struct hold_arg arg;
    pthread_t th;
    PGconn *b;

    struct ag_db_pool *pool = ag_db_pool_new(test_conninfo(), 1, NULL, 0, 5000);
    CHECK_NOT_NULL(pool);
    arg.pool = pool;
    CHECK_EQ_INT(ag_db_acquire(pool, &arg.conn), 0);
    CHECK_EQ_INT(pthread_create(&th, NULL, hold_then_release, &arg), 0);
    int rc = ag_db_acquire(pool, &b);
    pthread_join(th, NULL);
    CHECK_EQ_INT(rc, 0);
    CHECK(b == arg.conn);
    ag_db_pool_stats(pool, &st);
    CHECK_EQ_INT(st.waits, 1);
    CHECK_EQ_INT(st.timeouts, 0);
    ag_db_release(pool, b);
    ag_db_pool_free(pool);
}

TEST(release_in_transaction)
{
    char table[64], sql[256];
    PGresult *res;
    PGconn *conn, *again;

    test_name(table, sizeof(table), "t_reltx");
    snprintf(sql, sizeof(sql), "DROP TABLE IF EXISTS %1$s; CREATE TABLE %1$s (k text PRIMARY KEY)",
             table);
    CHECK_EQ_INT(test_sql(sql), 0);

    struct ag_db_pool *pool = ag_db_pool_new(test_conninfo(), 1, NULL, 0, 1000);
    CHECK_NOT_NULL(pool);

    /* A handler that forgot to commit: its write must not survive. */
    CHECK_EQ_INT(ag_db_acquire(pool, &conn), 0);
    CHECK_EQ_INT(ag_db_command(conn, "BEGIN"), 0);
    snprintf(sql, sizeof(sql), "INSERT INTO %s (k) VALUES ('lost')", table);
    CHECK_EQ_INT(ag_db_command(conn, sql), 0);
    CHECK_EQ_INT(PQtransactionStatus(conn), PQTRANS_INTRANS);
    ag_db_release(pool, conn);

    CHECK_EQ_INT(ag_db_acquire(pool, &again), 0);
    CHECK(again == conn);
    CHECK_EQ_INT(PQtransactionStatus(again), PQTRANS_IDLE);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
    CHECK_EQ_INT(ag_db_exec_params(again, sql, 0, NULL, NULL, &res, NULL), 0);
    CHECK_EQ_STR(PQgetvalue(res, 0, 0), "0");
    PQclear(res);

    /* A transaction left failed is rolled back as well. */
    CHECK_EQ_INT(ag_db_command(again, "BEGIN"), 0);
    CHECK_EQ_INT(ag_db_command(again, "SELECT 1/0"), AG_EINVAL);
    CHECK_EQ_INT(PQtransactionStatus(again), PQTRANS_INERROR);
    ag_db_release(pool, again);
    CHECK_EQ_INT(ag_db_acquire(pool, &conn), 0);
    CHECK_EQ_INT(PQtransactionStatus(conn), PQTRANS_IDLE);
    CHECK_EQ_INT(ag_db_command(conn, "SELECT 1"), 0);
    ag_db_release(pool, conn);
    ag_db_pool_free(pool);

    snprintf(sql, sizeof(sql), "DROP TABLE %s", table);
    CHECK_EQ_INT(test_sql(sql), 0);
}

struct tx_insert {
    const char *table;
    const char *key;
    int result;       /* what the function returns after its insert */
    int fail_quietly; /* run a failing statement, ignore its error and return 0 */
};

static int
tx_insert_fn(PGconn *conn, void *p)
{
    struct tx_insert *arg = p;
    char sql[256];
    const char *values[1] = {arg->key};

    snprintf(sql, sizeof(sql), "INSERT INTO %s (k) VALUES ($1)", arg->table);
    int rc = ag_db_exec_params(conn, sql, 1, values, NULL, NULL, NULL);
    if (rc < 0) {
        return rc;
    }
    if (arg->fail_quietly) {
        (void)ag_db_command(conn, "SELECT 1/0");
    }
    return arg->result;
}

/* Number of rows of 'table' with key 'key', or -1. */
static int
test_count(const char *table, const char *key)
{
    char sql[256];
    PGresult *res;
    const char *values[1] = {key};

    PGconn *conn = PQconnectdb(test_conninfo());
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE k = $1", table);
    int n = ag_db_exec_params(conn, sql, 1, values, NULL, &res, NULL) == 0
                ? atoi(PQgetvalue(res, 0, 0))
                : -1;
    if (n >= 0) {
        PQclear(res);
    }
    PQfinish(conn);
    return n;
}

TEST(tx_commit_rollback)
{
    char table[64], sql[256];
    PGconn *conn;

    test_name(table, sizeof(table), "t_tx");
    snprintf(sql, sizeof(sql), "DROP TABLE IF EXISTS %1$s; CREATE TABLE %1$s (k text PRIMARY KEY)",
             table);
    CHECK_EQ_INT(test_sql(sql), 0);
    struct ag_db_pool *pool = ag_db_pool_new(test_conninfo(), 1, NULL, 0, 1000);
    CHECK_NOT_NULL(pool);
    CHECK_EQ_INT(ag_db_acquire(pool, &conn), 0);

    struct tx_insert commit = {table, "committed", 0, 0};
    CHECK_EQ_INT(ag_db_tx(conn, "READ COMMITTED", 3, tx_insert_fn, &commit), 0);
    CHECK_EQ_INT(PQtransactionStatus(conn), PQTRANS_IDLE);
    CHECK_EQ_INT(test_count(table, "committed"), 1);

    struct tx_insert rollback = {table, "rolled-back", AG_ECONFLICT, 0};
    CHECK_EQ_INT(ag_db_tx(conn, "serializable", 3, tx_insert_fn, &rollback), AG_ECONFLICT);
    CHECK_EQ_INT(PQtransactionStatus(conn), PQTRANS_IDLE);
    CHECK_EQ_INT(test_count(table, "rolled-back"), 0);

    /* An error inside fn comes back unchanged: the key exists. */
    CHECK_EQ_INT(ag_db_tx(conn, "REPEATABLE READ", 3, tx_insert_fn, &commit), AG_ECONFLICT);
    CHECK_EQ_INT(PQtransactionStatus(conn), PQTRANS_IDLE);

    /* fn ignored a failed statement and returned 0: nothing is committed. */
    struct tx_insert sloppy = {table, "sloppy", 0, 1};
    CHECK_EQ_INT(ag_db_tx(conn, "READ COMMITTED", 3, tx_insert_fn, &sloppy), AG_EINTERNAL);
    CHECK_EQ_INT(PQtransactionStatus(conn), PQTRANS_IDLE);
    CHECK_EQ_INT(test_count(table, "sloppy"), 0);

    /* The isolation level is spliced into SQL, so only the four names pass. */
    struct tx_insert never = {table, "never", 0, 0};
    CHECK_EQ_INT(ag_db_tx(conn, "SERIALIZABLE; DROP TABLE x", 3, tx_insert_fn, &never), AG_EINVAL);
    CHECK_EQ_INT(ag_db_tx(conn, "CHAOS", 3, tx_insert_fn, &never), AG_EINVAL);
    CHECK_EQ_INT(ag_db_tx(conn, NULL, 3, tx_insert_fn, &never), AG_EINVAL);
    CHECK_EQ_INT(ag_db_tx(conn, "SERIALIZABLE", 0, tx_insert_fn, &never), AG_EINVAL);
    CHECK_EQ_INT(test_count(table, "never"), 0);

    ag_db_release(pool, conn);
    ag_db_pool_free(pool);
    snprintf(sql, sizeof(sql), "DROP TABLE %s", table);
    CHECK_EQ_INT(test_sql(sql), 0);
}

/* Two read-then-write increments of one counter whose first tries are forced to overlap. */
struct tx_counter {
    pthread_barrier_t *barrier;
    struct ag_db_pool *pool;
    int attempts;
    int max_tries;
    int rc;
};

static int
tx_counter_fn(PGconn *conn, void *p)
{
    struct tx_counter *arg = p;
    PGresult *res;
    char next[32];

    arg->attempts++;
    int rc = ag_db_exec(conn, "t_read", 0, NULL, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    snprintf(next, sizeof(next), "%d", atoi(PQgetvalue(res, 0, 0)) + 1);
    PQclear(res);
    if (arg->attempts == 1) {
        pthread_barrier_wait(arg->barrier); /* both have read the same value */
    }
    const char *values[1] = {next};
    return ag_db_exec(conn, "t_write", 1, values, NULL, NULL, NULL);
}

static void *
tx_counter_thread(void *p)
{
    struct tx_counter *arg = p;
    PGconn *conn;

    arg->rc = ag_db_acquire(arg->pool, &conn);
    if (arg->rc == 0) {
        arg->rc = ag_db_tx(conn, "SERIALIZABLE", arg->max_tries, tx_counter_fn, arg);
        ag_db_release(arg->pool, conn);
    }
    return NULL;
}

/* Runs two conflicting increments with 'max_tries'; returns the final counter or -1. */
static int
tx_counter_race(const char *table, int max_tries, struct tx_counter out[2])
{
    char read_sql[256], write_sql[256], sql[256];
    pthread_barrier_t barrier;
    pthread_t th[2];
    PGresult *res;
    PGconn *conn;

    snprintf(read_sql, sizeof(read_sql), "SELECT n FROM %s WHERE id = 1", table);
    snprintf(write_sql, sizeof(write_sql), "UPDATE %s SET n = $1 WHERE id = 1", table);
    const struct ag_db_stmt stmts[] = {{"t_read", read_sql, 0}, {"t_write", write_sql, 1}};
    struct ag_db_pool *pool = ag_db_pool_new(test_conninfo(), 2, stmts, 2, 5000);
    if (pool == NULL) {
        return -1;
    }
    pthread_barrier_init(&barrier, NULL, 2);
    for (int i = 0; i < 2; i++) {
        out[i] = (struct tx_counter){&barrier, pool, 0, max_tries, 0};
        pthread_create(&th[i], NULL, tx_counter_thread, &out[i]);
    }
    for (int i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
    }
    pthread_barrier_destroy(&barrier);

    int n = -1;
    snprintf(sql, sizeof(sql), "SELECT n FROM %s WHERE id = 1", table);
    if (ag_db_acquire(pool, &conn) == 0) {
        if (ag_db_exec_params(conn, sql, 0, NULL, NULL, &res, NULL) == 0) {
            n = atoi(PQgetvalue(res, 0, 0));
            PQclear(res);
        }
        ag_db_release(pool, conn);
    }
    ag_db_pool_free(pool);
    return n;
}

TEST(tx_retry)
{
    char table[64], sql[256];
    struct tx_counter runs[2];

    test_name(table, sizeof(table), "t_retry");
    snprintf(sql, sizeof(sql),
             "DROP TABLE IF EXISTS %1$s; CREATE TABLE %1$s (id int PRIMARY KEY, n int NOT NULL)",
             table);
    CHECK_EQ_INT(test_sql(sql), 0);
    snprintf(sql, sizeof(sql), "INSERT INTO %s VALUES (1, 0)", table);
    CHECK_EQ_INT(test_sql(sql), 0);

    /* Both succeed, one of them after a retry, and no increment is lost. */
    CHECK_EQ_INT(tx_counter_race(table, 10, runs), 2);
    CHECK_EQ_INT(runs[0].rc, 0);
    CHECK_EQ_INT(runs[1].rc, 0);
    CHECK(runs[0].attempts + runs[1].attempts >= 3);

    /* With a single try the loser gets AG_ERETRY and its increment is not applied. */
    CHECK_EQ_INT(tx_counter_race(table, 1, runs), 3);
    CHECK_EQ_INT(runs[0].attempts + runs[1].attempts, 2);
    CHECK((runs[0].rc == 0 && runs[1].rc == AG_ERETRY) ||
          (runs[0].rc == AG_ERETRY && runs[1].rc == 0));

    snprintf(sql, sizeof(sql), "DROP TABLE %s", table);
    CHECK_EQ_INT(test_sql(sql), 0);
}

TEST(connection_lost)
{
    struct ag_db_pool_stats st;
    char sql[128], state[6];
    PGresult *res = (PGresult *)1;
    PGconn *conn;

    struct ag_db_pool *pool = ag_db_pool_new(test_conninfo(), 1, NULL, 0, 1000);
    CHECK_NOT_NULL(pool);
    CHECK_EQ_INT(ag_db_acquire(pool, &conn), 0);
    snprintf(sql, sizeof(sql),
             "SELECT pg_terminate_backend(%d, 5000)", /* waits until the backend is gone */
             PQbackendPID(conn));
    CHECK_EQ_INT(test_sql(sql), 0);

    CHECK_EQ_INT(ag_db_exec_params(conn, "SELECT 1", 0, NULL, NULL, &res, state), AG_EUNAVAIL);
    CHECK_NULL(res);
    CHECK_EQ_INT(ag_db_command(conn, "SELECT 1"), AG_EUNAVAIL);
    ag_db_release(pool, conn); /* closed, not pooled */
    ag_db_pool_stats(pool, &st);
    CHECK_EQ_INT(st.open, 0);
    CHECK_EQ_INT(st.busy, 0);

    CHECK_EQ_INT(ag_db_acquire(pool, &conn), 0);
    CHECK_EQ_INT(ag_db_command(conn, "SELECT 1"), 0);
    ag_db_release(pool, conn);
    ag_db_pool_free(pool);
}

TEST(prepare_failure)
{
    const struct ag_db_stmt stmts[] = {{"t_ok", "SELECT 1", 0},
                                       {"t_broken", "SELECT * FROM no_such_table_at_all", 0}};
    struct ag_db_pool_stats st;
    PGconn *conn = (PGconn *)1;

    struct ag_db_pool *pool = ag_db_pool_new(test_conninfo(), 1, stmts, 2, 1000);
    CHECK_NOT_NULL(pool);
    CHECK_EQ_INT(ag_db_acquire(pool, &conn), AG_EINTERNAL);
    CHECK_NULL(conn);
    ag_db_pool_stats(pool, &st);
    CHECK_EQ_INT(st.open, 0);
    CHECK_EQ_INT(st.busy, 0);
    ag_db_pool_free(pool);
}

TEST(unreachable)
{
    struct ag_db_pool_stats st;
    PGconn *conn = (PGconn *)1;
    const struct ag_db_migration m[] = {{"001-x.sql", "SELECT 1"}};

    const char *info = "host=127.0.0.1 port=1 user=agora dbname=agora_test";
    struct ag_db_pool *pool = ag_db_pool_new(info, 2, NULL, 0, 1000);
    CHECK_NOT_NULL(pool);
    CHECK_EQ_INT(ag_db_acquire(pool, &conn), AG_EUNAVAIL);
    CHECK_NULL(conn);
    CHECK_EQ_INT(ag_db_acquire(pool, &conn), AG_EUNAVAIL);
    CHECK_EQ_INT(ag_db_ping(pool), AG_EUNAVAIL);
    ag_db_pool_stats(pool, &st);
    CHECK_EQ_INT(st.open, 0);
    CHECK_EQ_INT(st.busy, 0);
    ag_db_pool_free(pool);

    CHECK_EQ_INT(ag_db_migrate(info, m, 1), AG_EUNAVAIL);
}

struct migrate_run {
    const char *conninfo;
    const struct ag_db_migration *m;
    size_t n;
    int rc;
};

static void *
migrate_thread(void *p)
{
    struct migrate_run *run = p;
    run->rc = ag_db_migrate(run->conninfo, run->m, run->n);
    return NULL;
}

/* Result of 'sql' (one value) on 'conninfo', into 'buf'; "" on error. */
static const char *
test_value(const char *conninfo, const char *sql, char *buf, size_t size)
{
    PGconn *conn = PQconnectdb(conninfo);
    PGresult *r = PQexec(conn, sql);
    buf[0] = '\0';
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
        snprintf(buf, size, "%s", PQgetvalue(r, 0, 0));
    } else {
        fprintf(stderr, "test_value: %s: %s", sql, PQerrorMessage(conn));
    }
    PQclear(r);
    PQfinish(conn);
    return buf;
}

TEST(migrate)
{
    const struct ag_db_migration good[] = {
        {"001-accounts.sql", "CREATE TABLE account (id bigserial PRIMARY KEY, email text);\n"
                             "INSERT INTO account (email) VALUES ('a@example.org');\n"},
        {"002-orders.sql", "CREATE TABLE orders (id bigserial PRIMARY KEY,\n"
                           "  account_id bigint NOT NULL REFERENCES account (id));\n"
                           "CREATE INDEX orders_account ON orders (account_id);"},
        {"003-account-name.sql", "ALTER TABLE account ADD COLUMN name text NOT NULL DEFAULT '';"},
    };
    const struct ag_db_migration with_bad[] = {
        good[0],
        good[1],
        good[2],
        {"004-broken.sql", "CREATE TABLE half (x int);\nSELECT * FROM no_such_table;"},
    };
    const struct ag_db_migration unordered[] = {good[1], good[0]};
    char db[64], sql[256], conninfo[256], buf[64];
    struct migrate_run runs[4];
    pthread_t th[4];

    test_name(db, sizeof(db), "agora_migr");
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", db);
    CHECK_EQ_INT(test_sql(sql), 0);
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db);
    CHECK_EQ_INT(test_sql(sql), 0);
    snprintf(conninfo, sizeof(conninfo), "postgresql://agora@127.0.0.1:%s/%s", test_port(), db);

    /* Four replicas start together: each file is applied exactly once. */
    for (int i = 0; i < 4; i++) {
        runs[i] = (struct migrate_run){conninfo, good, 3, -99};
        CHECK_EQ_INT(pthread_create(&th[i], NULL, migrate_thread, &runs[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
    }
    for (int i = 0; i < 4; i++) {
        CHECK_EQ_INT(runs[i].rc, 0);
    }
    CHECK_EQ_STR(test_value(conninfo, "SELECT count(*) FROM schema_migrations", buf, sizeof(buf)),
                 "3");
    CHECK_EQ_STR(test_value(conninfo,
                            "SELECT count(DISTINCT version) FROM schema_migrations WHERE version "
                            "IN ('001-accounts.sql', '002-orders.sql', '003-account-name.sql')",
                            buf, sizeof(buf)),
                 "3");
    CHECK_EQ_STR(test_value(conninfo, "SELECT count(*) FROM account", buf, sizeof(buf)), "1");
    CHECK_EQ_STR(test_value(conninfo, "SELECT to_regclass('orders') IS NOT NULL", buf, sizeof(buf)),
                 "t");
    CHECK_EQ_STR(test_value(conninfo, "SELECT count(name) FROM account", buf, sizeof(buf)), "1");

    /* Again: nothing to do. */
    CHECK_EQ_INT(ag_db_migrate(conninfo, good, 3), 0);
    CHECK_EQ_STR(test_value(conninfo, "SELECT count(*) FROM schema_migrations", buf, sizeof(buf)),
                 "3");
    CHECK_EQ_STR(test_value(conninfo, "SELECT count(*) FROM account", buf, sizeof(buf)), "1");

    /* A failing file: an error, and neither its table nor its row. */
    CHECK_EQ_INT(ag_db_migrate(conninfo, with_bad, 4), AG_EINTERNAL);
    CHECK_EQ_STR(test_value(conninfo, "SELECT count(*) FROM schema_migrations", buf, sizeof(buf)),
                 "3");
    CHECK_EQ_STR(test_value(conninfo,
                            "SELECT count(*) FROM schema_migrations WHERE version = "
                            "'004-broken.sql'",
                            buf, sizeof(buf)),
                 "0");
    CHECK_EQ_STR(test_value(conninfo, "SELECT to_regclass('half') IS NULL", buf, sizeof(buf)), "t");

    /* An older binary that knows fewer files still starts; a list out of order does not. */
    CHECK_EQ_INT(ag_db_migrate(conninfo, good, 2), 0);
    CHECK_EQ_INT(ag_db_migrate(conninfo, unordered, 2), AG_EINVAL);
    CHECK_EQ_INT(ag_db_migrate("not a conninfo", good, 3), AG_EINVAL);

    snprintf(sql, sizeof(sql), "DROP DATABASE %s", db);
    CHECK_EQ_INT(test_sql(sql), 0);
}

AG_TEST_LIST(TEST_ENTRY(acquire_release), TEST_ENTRY(pool_new_bad), TEST_ENTRY(exec_params),
             TEST_ENTRY(unique_violation), TEST_ENTRY(bad_input), TEST_ENTRY(map_sqlstate),
             TEST_ENTRY(pool_exhaustion), TEST_ENTRY(acquire_waits),
             TEST_ENTRY(release_in_transaction), TEST_ENTRY(tx_commit_rollback),
             TEST_ENTRY(tx_retry), TEST_ENTRY(connection_lost), TEST_ENTRY(prepare_failure),
             TEST_ENTRY(unreachable), TEST_ENTRY(migrate))
