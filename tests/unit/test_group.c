/*
 * Unit tests of group writes (lib/src/group.c) against the test stack's PostgreSQL (database
 * agora_test): many threads joined into few executions, each caller getting its own row,
 * a key given by two callers answered once, values quoted into the arrays exactly (NULL,
 * quotes, backslashes, commas, braces, non-ASCII), and a failed statement failing every
 * caller of its execution.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "ag_test.h"

#include "agora/db.h"
#include "agora/err.h"
#include "agora/group.h"
#include "agora/log.h"

static char conninfo[256];

static int
sql(const char *q)
{
    PGconn *c = PQconnectdb(conninfo);
    PGresult *r = PQexec(c, q);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok) {
        fprintf(stderr, "%s: %s", q, PQerrorMessage(c));
    }
    PQclear(r);
    PQfinish(c);
    return ok ? 0 : -1;
}

/* Inserts (k, v) pairs, each key once; answers the rows inserted with their value. */
static const struct ag_db_stmt stmts[] = {
    {"group_put",
     "INSERT INTO group_test (k, v) SELECT k, v FROM unnest($1::text[], $2::text[]) AS i (k, v)"
     " ORDER BY k ON CONFLICT (k) DO NOTHING RETURNING k, v, v IS NULL",
     2},
};

struct got {
    int row;
    char v[128];
    int is_null;
};

static void
take(void *arg, const PGresult *res, int row)
{
    struct got *g = arg;
    g->row = row;
    if (row >= 0) {
        snprintf(g->v, sizeof(g->v), "%s", PQgetvalue(res, row, 1));
        g->is_null = PQgetvalue(res, row, 2)[0] == 't';
    }
}

struct caller {
    struct ag_group *g;
    char key[32];
    const char *value;
    struct got got;
    int rc;
};

static void *
call(void *arg)
{
    struct caller *c = arg;
    const char *v[] = {c->key, c->value};
    c->rc = ag_group_exec(c->g, v, take, &c->got);
    return NULL;
}

TEST(many_callers_each_get_their_row)
{
    struct ag_db_pool *pool = ag_db_pool_new(conninfo, 4, stmts, 1, 2000);
    struct ag_group *g = ag_group_new(pool, "group_put", 2, 16, 1, 0);
    struct caller c[40];
    pthread_t t[40];
    static const char *const odd[] = {"plain", "a\"quote", "back\\slash", "com,ma", "{brace}",
                                      "한글",  "",         NULL};

    CHECK_EQ_INT(sql("DROP TABLE IF EXISTS group_test; CREATE TABLE group_test (k text PRIMARY "
                     "KEY, v text)"),
                 0);
    for (int i = 0; i < 40; i++) {
        c[i].g = g;
        /* Callers 38 and 39 give the key of 0 and 1 again: each key is inserted once. */
        snprintf(c[i].key, sizeof(c[i].key), "key-%d", i < 38 ? i : i - 38);
        c[i].value = odd[i % 8];
        c[i].got.row = -2;
        pthread_create(&t[i], NULL, call, &c[i]);
    }
    for (int i = 0; i < 40; i++) {
        pthread_join(t[i], NULL);
    }
    int inserted = 0;
    for (int i = 0; i < 40; i++) {
        CHECK_EQ_INT(c[i].rc, 0);
        CHECK(c[i].got.row >= -1); /* the callback ran */
        if (c[i].got.row < 0) {
            continue;
        }
        inserted++;
        if (c[i].value == NULL) {
            CHECK(c[i].got.is_null);
        } else {
            CHECK_EQ_STR(c[i].got.v, c[i].value);
        }
    }
    CHECK_EQ_INT(inserted, 38);
    /* A key already there is no row: the callback says so with -1. */
    struct caller again = {.g = g, .key = "key-5", .value = "x"};
    call(&again);
    CHECK_EQ_INT(again.rc, 0);
    CHECK_EQ_INT(again.got.row, -1);
    ag_group_free(g);
    ag_db_pool_free(pool);
}

TEST(a_failed_statement_fails_its_callers)
{
    struct ag_db_pool *pool = ag_db_pool_new(conninfo, 2, stmts, 1, 2000);
    struct ag_group *g = ag_group_new(pool, "group_put", 2, 16, 1, 0);

    CHECK_EQ_INT(sql("DROP TABLE IF EXISTS group_test; CREATE TABLE group_test (k text PRIMARY "
                     "KEY, v text CHECK (v <> 'bad'))"),
                 0);
    struct caller bad = {.g = g, .key = "k1", .value = "bad"};
    call(&bad);
    CHECK_EQ_INT(bad.rc, AG_EINVAL);
    struct caller good = {.g = g, .key = "k2", .value = "good"};
    call(&good);
    CHECK_EQ_INT(good.rc, 0);
    CHECK_EQ_INT(good.got.row, 0);
    ag_group_free(g);
    ag_group_free(NULL);
    ag_db_pool_free(pool);
    CHECK_EQ_INT(sql("DROP TABLE group_test"), 0);
}

int
main(int argc, char **argv)
{
    static const struct ag_test tests[] = {
        TEST_ENTRY(many_callers_each_get_their_row),
        TEST_ENTRY(a_failed_statement_fails_its_callers),
    };
    const char *port = getenv("AGORA_PG_PORT");
    snprintf(conninfo, sizeof(conninfo), "host=127.0.0.1 port=%s user=agora dbname=agora_test",
             port != NULL ? port : "25432");
    ag_log_init("test_group", AG_LOG_ERROR);
    return ag_test_main_(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
