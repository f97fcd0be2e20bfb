/*
 * Tests of agora/kv.h against a real Redis on 127.0.0.1, port AGORA_REDIS_PORT (26379). Every
 * key and ACL user a test makes carries the process id, so runs in parallel never meet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agora/err.h"
#include "agora/kv.h"

#include "ag_test.h"

static const char *
test_port(void)
{
    const char *port = getenv("AGORA_REDIS_PORT");
    return port != NULL && *port ? port : "26379";
}

/* "redis://127.0.0.1:<port><suffix>" in 'buf'. */
static const char *
test_url(char *buf, size_t size, const char *suffix)
{
    snprintf(buf, size, "redis://127.0.0.1:%s%s", test_port(), suffix);
    return buf;
}

/* "agora:test:<pid>:<name>" in 'buf'. */
static const char *
test_key(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "agora:test:%ld:%s", (long)getpid(), name);
    return buf;
}

/* Runs a command of up to 4 C strings (the first NULL ends it) and frees the reply. */
static int
test_cmd(redisContext *c, const char *a0, const char *a1, const char *a2, const char *a3)
{
    const char *argv[4] = {a0, a1, a2, a3};
    int argc = 0;
    while (argc < 4 && argv[argc] != NULL) {
        argc++;
    }
    return ag_kv_command(c, NULL, argc, argv, NULL);
}

TEST(set_get)
{
    char url[128], key[128];
    redisReply *r = NULL;
    redisContext *c;

    struct ag_kv_pool *pool = ag_kv_pool_new(test_url(url, sizeof(url), ""), 2, 1000);
    CHECK_NOT_NULL(pool);
    CHECK_EQ_INT(ag_kv_acquire(pool, &c), 0);
    test_key(key, sizeof(key), "set_get");

    const char *set[] = {"SET", key, "hello", "EX", "60"};
    CHECK_EQ_INT(ag_kv_command(c, &r, 5, set, NULL), 0);
    CHECK_EQ_INT(r->type, REDIS_REPLY_STATUS);
    CHECK_EQ_STR(r->str, "OK");
    freeReplyObject(r);

    const char *get[] = {"GET", key};
    CHECK_EQ_INT(ag_kv_command(c, &r, 2, get, NULL), 0);
    CHECK_EQ_INT(r->type, REDIS_REPLY_STRING);
    CHECK_EQ_MEM(r->str, r->len, "hello", 5);
    freeReplyObject(r);

    CHECK_EQ_INT(test_cmd(c, "DEL", key, NULL, NULL), 0);
    CHECK_EQ_INT(ag_kv_command(c, &r, 2, get, NULL), 0);
    CHECK_EQ_INT(r->type, REDIS_REPLY_NIL);
    freeReplyObject(r);

    ag_kv_release(pool, c);
    ag_kv_release(pool, NULL);
    ag_kv_pool_free(pool);
    ag_kv_pool_free(NULL);
}

TEST(binary_safe)
{
    char url[128], key[128];
    redisReply *r = NULL;
    redisContext *c;
    /* NUL bytes, CR LF and a fake RESP header must travel as data. */
    static const char value[] = "a\0b\r\n$3\r\nSET\r\n\xff\x00z";
    const size_t value_len = sizeof(value) - 1;

    struct ag_kv_pool *pool = ag_kv_pool_new(test_url(url, sizeof(url), ""), 1, 1000);
    CHECK_NOT_NULL(pool);
    CHECK_EQ_INT(ag_kv_acquire(pool, &c), 0);
    test_key(key, sizeof(key), "bin\r\n key");

    const char *set[] = {"SET", key, value};
    const size_t set_len[] = {3, strlen(key), value_len};
    CHECK_EQ_INT(ag_kv_command(c, NULL, 3, set, set_len), 0);
    const char *get[] = {"GET", key};
    CHECK_EQ_INT(ag_kv_command(c, &r, 2, get, NULL), 0);
    CHECK_EQ_INT(r->type, REDIS_REPLY_STRING);
    CHECK_EQ_MEM(r->str, r->len, value, value_len);
    freeReplyObject(r);
    CHECK_EQ_INT(test_cmd(c, "DEL", key, NULL, NULL), 0);

    ag_kv_release(pool, c);
    ag_kv_pool_free(pool);
}

TEST(error_reply)
{
    char url[128], key[128];
    struct ag_kv_pool_stats st;
    redisReply *r = NULL;
    redisContext *c, *again;

    struct ag_kv_pool *pool = ag_kv_pool_new(test_url(url, sizeof(url), ""), 1, 1000);
    CHECK_NOT_NULL(pool);
    CHECK_EQ_INT(ag_kv_acquire(pool, &c), 0);
    test_key(key, sizeof(key), "not_a_number");
    CHECK_EQ_INT(test_cmd(c, "SET", key, "abc", NULL), 0);

    const char *incr[] = {"INCR", key};
    r = (redisReply *)1;
    CHECK_EQ_INT(ag_kv_command(c, &r, 2, incr, NULL), AG_EINTERNAL);
    CHECK_NULL(r);
    CHECK_EQ_INT(test_cmd(c, "NOSUCHCOMMAND", NULL, NULL, NULL), AG_EINTERNAL);
    CHECK_EQ_INT(ag_kv_command(c, NULL, 0, incr, NULL), AG_EINTERNAL);

    /* An error reply leaves the connection healthy: it is kept. */
    CHECK_EQ_INT(c->err, 0);
    CHECK_EQ_INT(test_cmd(c, "DEL", key, NULL, NULL), 0);
    ag_kv_release(pool, c);
    ag_kv_pool_stats(pool, &st);
    CHECK_EQ_INT(st.open, 1);
    CHECK_EQ_INT(ag_kv_acquire(pool, &again), 0);
    CHECK(again == c);
    ag_kv_release(pool, again);
    ag_kv_pool_free(pool);
}

TEST(pool_exhaustion)
{
    char url[128];
    struct ag_kv_pool_stats st;
    redisContext *a, *b;

    struct ag_kv_pool *pool = ag_kv_pool_new(test_url(url, sizeof(url), ""), 1, 100);
    CHECK_NOT_NULL(pool);
    CHECK_EQ_INT(ag_kv_acquire(pool, &a), 0);
    b = (redisContext *)1;
    CHECK_EQ_INT(ag_kv_acquire(pool, &b), AG_ETIMEOUT);
    CHECK_NULL(b);
    CHECK_EQ_INT(ag_kv_ping(pool), AG_ETIMEOUT);
    ag_kv_pool_stats(pool, &st);
    CHECK_EQ_INT(st.size, 1);
    CHECK_EQ_INT(st.open, 1);
    CHECK_EQ_INT(st.busy, 1);
    ag_kv_release(pool, a);
    CHECK_EQ_INT(ag_kv_acquire(pool, &b), 0);
    CHECK(a == b);
    ag_kv_release(pool, b);
    ag_kv_pool_stats(pool, &st);
    CHECK_EQ_INT(st.busy, 0);
    ag_kv_pool_free(pool);
}

TEST(command_timeout)
{
    char url[128], key[128];
    struct ag_kv_pool_stats st;
    redisContext *c;

    struct ag_kv_pool *pool = ag_kv_pool_new(test_url(url, sizeof(url), ""), 1, 200);
    CHECK_NOT_NULL(pool);
    CHECK_EQ_INT(ag_kv_acquire(pool, &c), 0);
    test_key(key, sizeof(key), "empty_list");

    /* The server holds BLPOP for 5 s; the client gives up after 200 ms. */
    const char *blpop[] = {"BLPOP", key, "5"};
    CHECK_EQ_INT(ag_kv_command(c, NULL, 3, blpop, NULL), AG_ETIMEOUT);
    CHECK_NE_INT(c->err, 0);
    CHECK_EQ_INT(test_cmd(c, "PING", NULL, NULL, NULL), AG_EUNAVAIL);

    /* The context may have a reply in flight: release closes it, the next one is fresh. */
    ag_kv_release(pool, c);
    ag_kv_pool_stats(pool, &st);
    CHECK_EQ_INT(st.open, 0);
    CHECK_EQ_INT(st.busy, 0);
    CHECK_EQ_INT(ag_kv_ping(pool), 0);
    ag_kv_pool_free(pool);
}

TEST(connection_lost)
{
    char url[128], id[32];
    struct ag_kv_pool_stats st;
    redisReply *r = NULL;
    redisContext *c, *admin;

    struct ag_kv_pool *pool = ag_kv_pool_new(test_url(url, sizeof(url), ""), 2, 1000);
    CHECK_NOT_NULL(pool);
    CHECK_EQ_INT(ag_kv_acquire(pool, &c), 0);
    CHECK_EQ_INT(ag_kv_acquire(pool, &admin), 0);
    const char *client_id[] = {"CLIENT", "ID"};
    CHECK_EQ_INT(ag_kv_command(c, &r, 2, client_id, NULL), 0);
    snprintf(id, sizeof(id), "%lld", r->integer);
    freeReplyObject(r);
    const char *kill[] = {"CLIENT", "KILL", "ID", id};
    CHECK_EQ_INT(ag_kv_command(admin, NULL, 4, kill, NULL), 0);

    CHECK_EQ_INT(test_cmd(c, "PING", NULL, NULL, NULL), AG_EUNAVAIL);
    CHECK_NE_INT(c->err, 0);
    ag_kv_release(pool, c); /* closed, not pooled */
    ag_kv_release(pool, admin);
    ag_kv_pool_stats(pool, &st);
    CHECK_EQ_INT(st.open, 1);
    CHECK_EQ_INT(st.busy, 0);
    ag_kv_pool_free(pool);
}

TEST(unreachable)
{
    struct ag_kv_pool_stats st;
    redisContext *c = (redisContext *)1;

    struct ag_kv_pool *pool = ag_kv_pool_new("redis://127.0.0.1:1", 2, 500);
    CHECK_NOT_NULL(pool);
    CHECK_EQ_INT(ag_kv_acquire(pool, &c), AG_EUNAVAIL);
    CHECK_NULL(c);
    CHECK_EQ_INT(ag_kv_acquire(pool, &c), AG_EUNAVAIL);
    CHECK_EQ_INT(ag_kv_ping(pool), AG_EUNAVAIL);
    ag_kv_pool_stats(pool, &st);
    CHECK_EQ_INT(st.open, 0);
    CHECK_EQ_INT(st.busy, 0);
    ag_kv_pool_free(pool);

    pool = ag_kv_pool_new("unix:/nonexistent/agora-test.sock", 1, 500);
    CHECK_NOT_NULL(pool);
    CHECK_EQ_INT(ag_kv_acquire(pool, &c), AG_EUNAVAIL);
    ag_kv_pool_free(pool);
}

TEST(url_parse)
{
    static const char *const good[] = {
        "redis://127.0.0.1",
        "redis://localhost:6379",
        "redis://localhost:6379/",
        "redis://cache.internal:6380/15",
        "redis://:secret@127.0.0.1:6379/2",
        "redis://:p%40ss%2Fword@host",
        "redis://:p@ss@host:1",
        "redis://app:secret@host",
        "redis://[::1]:6379/0",
        "unix:/var/run/redis.sock",
        "unix:/tmp/r.sock?db=3",
    };
    static const char *const bad[] = {
        "",
        "http://127.0.0.1:6379",
        "redis://",
        "redis://:6379",
        "redis://host:",
        "redis://host:0",
        "redis://host:65536",
        "redis://host:12ab",
        "redis://host:6379/abc",
        "redis://host:6379/-1",
        "redis://host:6379/1/2",
        "redis://host:6379?db=1",
        "redis://host name",
        "redis://secret@host",
        "redis://:@host",
        "redis://:bad%zzescape@host",
        "redis://:nul%00byte@host",
        "redis://[::1",
        "redis://host:99999999999999",
        "unix:",
        "unix:relative.sock",
        "unix:/tmp/r.sock?db=x",
        "unix:/tmp/r.sock?foo=1",
    };

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        struct ag_kv_pool *pool = ag_kv_pool_new(good[i], 1, 100);
        if (pool == NULL) {
            AG_TEST_FAIL_("good url refused: %s", good[i]);
        }
        ag_kv_pool_free(pool);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct ag_kv_pool *pool = ag_kv_pool_new(bad[i], 1, 100);
        if (pool != NULL) {
            ag_kv_pool_free(pool);
            AG_TEST_FAIL_("bad url accepted: %s", bad[i]);
        }
    }
    /* sun_path holds 108 bytes with the NUL. */
    char path[160] = "unix:/";
    memset(path + 6, 'x', 120);
    CHECK_NULL(ag_kv_pool_new(path, 1, 100));
    path[6 + 101] = '\0';
    struct ag_kv_pool *pool = ag_kv_pool_new(path, 1, 100);
    CHECK_NOT_NULL(pool);
    ag_kv_pool_free(pool);
    CHECK_NULL(ag_kv_pool_new(NULL, 1, 100));
    CHECK_NULL(ag_kv_pool_new("redis://127.0.0.1", 0, 100));
    CHECK_NULL(ag_kv_pool_new("redis://127.0.0.1", 1, 0));
}

TEST(url_database)
{
    char url[128], key[128];
    redisReply *r = NULL;
    redisContext *c3, *c0;

    struct ag_kv_pool *db3 = ag_kv_pool_new(test_url(url, sizeof(url), "/3"), 1, 1000);
    struct ag_kv_pool *db0 = ag_kv_pool_new(test_url(url, sizeof(url), "/"), 1, 1000);
    CHECK_NOT_NULL(db3);
    CHECK_NOT_NULL(db0);
    test_key(key, sizeof(key), "in_db3");
    CHECK_EQ_INT(ag_kv_acquire(db3, &c3), 0);
    CHECK_EQ_INT(ag_kv_acquire(db0, &c0), 0);
    CHECK_EQ_INT(test_cmd(c3, "SET", key, "3", NULL), 0);

    const char *exists[] = {"EXISTS", key};
    CHECK_EQ_INT(ag_kv_command(c0, &r, 2, exists, NULL), 0);
    CHECK_EQ_INT(r->integer, 0);
    freeReplyObject(r);
    CHECK_EQ_INT(ag_kv_command(c3, &r, 2, exists, NULL), 0);
    CHECK_EQ_INT(r->integer, 1);
    freeReplyObject(r);

    CHECK_EQ_INT(test_cmd(c3, "DEL", key, NULL, NULL), 0);
    ag_kv_release(db3, c3);
    ag_kv_release(db0, c0);
    ag_kv_pool_free(db3);
    ag_kv_pool_free(db0);
}

TEST(url_auth)
{
    char url[256], user[64], admin_url[128];
    redisReply *r = NULL;
    redisContext *admin, *c;

    struct ag_kv_pool *pool = ag_kv_pool_new(test_url(admin_url, sizeof(admin_url), ""), 1, 1000);
    CHECK_NOT_NULL(pool);
    CHECK_EQ_INT(ag_kv_acquire(pool, &admin), 0);

    /* A user of our own, whose password needs percent-encoding in a URL. */
    snprintf(user, sizeof(user), "agora_test_%ld", (long)getpid());
    const char *setuser[] = {"ACL", "SETUSER",    user,    "reset",
                             "on",  ">p@ss/w:rd", "+ping", "+acl|whoami"};
    CHECK_EQ_INT(ag_kv_command(admin, NULL, 8, setuser, NULL), 0);

    snprintf(url, sizeof(url), "redis://%s:p%%40ss%%2Fw%%3Ard@127.0.0.1:%s", user, test_port());
    struct ag_kv_pool *authed = ag_kv_pool_new(url, 1, 1000);
    CHECK_NOT_NULL(authed);
    CHECK_EQ_INT(ag_kv_acquire(authed, &c), 0);
    const char *whoami[] = {"ACL", "WHOAMI"};
    CHECK_EQ_INT(ag_kv_command(c, &r, 2, whoami, NULL), 0);
    CHECK_EQ_MEM(r->str, r->len, user, strlen(user));
    freeReplyObject(r);
    ag_kv_release(authed, c);
    ag_kv_pool_free(authed);

    /* A wrong password: the server is there but unusable. */
    snprintf(url, sizeof(url), "redis://%s:wrong@127.0.0.1:%s", user, test_port());
    authed = ag_kv_pool_new(url, 1, 1000);
    CHECK_NOT_NULL(authed);
    CHECK_EQ_INT(ag_kv_acquire(authed, &c), AG_EUNAVAIL);
    CHECK_EQ_INT(ag_kv_ping(authed), AG_EUNAVAIL);
    ag_kv_pool_free(authed);

    CHECK_EQ_INT(test_cmd(admin, "ACL", "DELUSER", user, NULL), 0);
    ag_kv_release(pool, admin);
    ag_kv_pool_free(pool);
}

TEST(ping)
{
    char url[128];
    struct ag_kv_pool_stats st;

    struct ag_kv_pool *pool = ag_kv_pool_new(test_url(url, sizeof(url), "/0"), 4, 1000);
    CHECK_NOT_NULL(pool);
    CHECK_EQ_INT(ag_kv_ping(pool), 0);
    CHECK_EQ_INT(ag_kv_ping(pool), 0);
    ag_kv_pool_stats(pool, &st);
    CHECK_EQ_INT(st.size, 4);
    CHECK_EQ_INT(st.open, 1);
    CHECK_EQ_INT(st.busy, 0);
    ag_kv_pool_free(pool);
}

AG_TEST_LIST(TEST_ENTRY(set_get), TEST_ENTRY(binary_safe), TEST_ENTRY(error_reply),
             TEST_ENTRY(pool_exhaustion), TEST_ENTRY(command_timeout), TEST_ENTRY(connection_lost),
             TEST_ENTRY(unreachable), TEST_ENTRY(url_parse), TEST_ENTRY(url_database),
             TEST_ENTRY(url_auth), TEST_ENTRY(ping))
