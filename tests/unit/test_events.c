/*
 * The consumer groups of agora/events.h against the test stack's Redis (AGORA_REDIS_PORT):
 * replicas split a stream's entries, and the entries a replica read but never acknowledged
 * (it died) are taken over by a live one. Streams carry the process id, so runs never meet.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agora/events.h"
#include "agora/kv.h"

#include "ag_test.h"

#define ENTRIES 40

struct seen {
    pthread_mutex_t lock;
    int count[ENTRIES]; /* times each entry "n" was handled */
    atomic_int total;
};

static void
record(void *arg, redisContext *kv, const char *id, const redisReply *fields)
{
    struct seen *s = arg;
    (void)kv;
    (void)id;
    const char *n = ag_consumer_field(fields, "n");
    int i = n != NULL ? atoi(n) : -1;
    if (i >= 0 && i < ENTRIES) {
        pthread_mutex_lock(&s->lock);
        s->count[i]++;
        pthread_mutex_unlock(&s->lock);
    }
    atomic_fetch_add(&s->total, 1);
}

static void
url_of(char *buf, size_t size)
{
    const char *port = getenv("AGORA_REDIS_PORT");
    snprintf(buf, size, "redis://127.0.0.1:%s/0", port != NULL && *port ? port : "26379");
}

/* A command of C strings (NULL ends them); 0 when Redis did not answer with an error. */
static int
cmd(redisContext *c, const char **argv)
{
    int argc = 0;
    while (argv[argc] != NULL) {
        argc++;
    }
    redisReply *r = redisCommandArgv(c, argc, argv, NULL);
    int ok = r != NULL && r->type != REDIS_REPLY_ERROR;
    freeReplyObject(r);
    return ok ? 0 : -1;
}

static void
add_entries(redisContext *c, const char *stream, int from, int to)
{
    for (int i = from; i < to; i++) {
        char n[16];
        snprintf(n, sizeof(n), "%d", i);
        const char *argv[] = {"XADD", stream, "*", "n", n, NULL};
        cmd(c, argv);
    }
}

static int
wait_total(struct seen *s, int want, int seconds)
{
    for (int i = 0; i < seconds * 20 && atomic_load(&s->total) < want; i++) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return atomic_load(&s->total);
}

static redisContext *
connect_redis(void)
{
    const char *port = getenv("AGORA_REDIS_PORT");
    return redisConnect("127.0.0.1", atoi(port != NULL && *port ? port : "26379"));
}

/* Two replicas of one group: every entry handled once, by one or the other. */
TEST(replicas_split_the_entries)
{
    char url[128], stream[96];
    struct seen s = {.lock = PTHREAD_MUTEX_INITIALIZER};
    url_of(url, sizeof(url));
    snprintf(stream, sizeof(stream), "agora:test:%ld:split", (long)getpid());
    redisContext *c = connect_redis();
    CHECK(c != NULL && c->err == 0);

    const struct ag_consumer_opts opts = {.claim_idle_ms = 60000, .claim_every_ms = 0};
    struct ag_consumer *a = ag_consumer_start_opts(url, stream, "g", "a", record, &s, &opts);
    struct ag_consumer *b = ag_consumer_start_opts(url, stream, "g", "b", record, &s, &opts);
    CHECK(a != NULL && b != NULL);
    struct timespec ts = {0, 300 * 1000 * 1000}; /* the group is made */
    nanosleep(&ts, NULL);
    add_entries(c, stream, 0, ENTRIES);
    CHECK_EQ_INT(wait_total(&s, ENTRIES, 10), ENTRIES);
    ag_consumer_stop(a);
    ag_consumer_stop(b);
    for (int i = 0; i < ENTRIES; i++) {
        CHECK_EQ_INT(s.count[i], 1);
    }
    const char *del[] = {"DEL", stream, NULL};
    cmd(c, del);
    redisFree(c);
}

/*
 * A replica that read entries and died (here: a consumer "dead" that reads and never
 * acknowledges) leaves them pending under its name; a live replica takes them over once they
 * are idle for claim_idle_ms, and never before.
 */
TEST(a_dead_replicas_entries_are_taken_over)
{
    char url[128], stream[96];
    struct seen s = {.lock = PTHREAD_MUTEX_INITIALIZER};
    url_of(url, sizeof(url));
    snprintf(stream, sizeof(stream), "agora:test:%ld:claim", (long)getpid());
    redisContext *c = connect_redis();
    CHECK(c != NULL && c->err == 0);
    const char *mk[] = {"XGROUP", "CREATE", stream, "g", "0", "MKSTREAM", NULL};
    CHECK_EQ_INT(cmd(c, mk), 0);
    add_entries(c, stream, 0, 10);
    const char *dead[] = {"XREADGROUP", "GROUP",   "g",    "dead", "COUNT",
                          "10",         "STREAMS", stream, ">",    NULL};
    CHECK_EQ_INT(cmd(c, dead), 0);
    add_entries(c, stream, 10, 15); /* new ones, for the live replica at once */

    const struct ag_consumer_opts opts = {.claim_idle_ms = 1500, .claim_every_ms = 200};
    struct ag_consumer *live = ag_consumer_start_opts(url, stream, "g", "live", record, &s, &opts);
    CHECK(live != NULL);
    /* The new five come at once; the dead one's ten only after they are idle 1.5 s. */
    CHECK_EQ_INT(wait_total(&s, 5, 5), 5);
    CHECK_EQ_INT(atomic_load(&s.total), 5);
    CHECK_EQ_INT(wait_total(&s, 15, 10), 15);
    ag_consumer_stop(live);
    for (int i = 0; i < 15; i++) {
        CHECK_EQ_INT(s.count[i], 1);
    }
    /* Nothing is left pending in the group. */
    redisReply *r = redisCommand(c, "XPENDING %s g", stream);
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
          r->element[0]->type == REDIS_REPLY_INTEGER && r->element[0]->integer == 0);
    freeReplyObject(r);
    const char *del[] = {"DEL", stream, NULL};
    cmd(c, del);
    redisFree(c);
}

static const struct ag_test tests[] = {
    TEST_ENTRY(replicas_split_the_entries),
    TEST_ENTRY(a_dead_replicas_entries_are_taken_over),
};

int
main(int argc, char **argv)
{
    return ag_test_main_(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
