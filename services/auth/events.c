/*
 * Member events → session revocation. The member service appends to the Redis stream
 * agora:events:member ({type: password_changed | deleted, id: <login id>}); this thread reads
 * it as consumer group "auth" and revokes every session of that member, then acknowledges.
 * Events wait in the stream while auth is down, and entries left unacknowledged by a crash
 * are read again (ID 0) when the consumer starts.
 */
#include "auth.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "agora/err.h"
#include "agora/log.h"
#include "agora/mem.h"

#define EVENTS_STREAM   "agora:events:member"
#define EVENTS_GROUP    "auth"
#define EVENTS_BLOCK_MS "1000" /* how long a read waits; bounds the stop delay too */

struct auth_events {
    struct ag_kv_pool *pool; /* one connection, held by the thread; owned */
    pthread_t thread;
    atomic_int stop;
    char consumer[96];
};

static void
handle_entry(redisContext *kv, const redisReply *entry)
{
    const char *type = NULL, *id = NULL;

    if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2 ||
        entry->element[1]->type != REDIS_REPLY_ARRAY) {
        return;
    }
    const redisReply *fields = entry->element[1];
    for (size_t i = 0; i + 1 < fields->elements; i += 2) {
        if (strcmp(fields->element[i]->str, "type") == 0) {
            type = fields->element[i + 1]->str;
        } else if (strcmp(fields->element[i]->str, "id") == 0) {
            id = fields->element[i + 1]->str;
        }
    }
    if (type == NULL || id == NULL) {
        ag_log(AG_LOG_WARN, NULL, "events: entry %s lacks type or id", entry->element[0]->str);
        return;
    }
    if (strcmp(type, "password_changed") == 0 || strcmp(type, "deleted") == 0) {
        long long n = 0;
        if (store_sessions_revoke_all(kv, id, &n) == 0) {
            ag_log(AG_LOG_INFO, NULL, "events: %s of '%s': %lld sessions revoked", type, id, n);
        }
    }
}

/* Reads one batch ('start' is "0" for our pending entries, ">" for new ones); 0 or AG_E*. */
static int
read_batch(struct auth_events *ev, redisContext *kv, const char *start, size_t *count)
{
    redisReply *r = NULL;
    const char *argv[] = {"XREADGROUP", "GROUP",       EVENTS_GROUP, ev->consumer,
                          "COUNT",      "100",         "BLOCK",      EVENTS_BLOCK_MS,
                          "STREAMS",    EVENTS_STREAM, start};
    *count = 0;
    int rc = ag_kv_command(kv, &r, 11, argv, NULL);
    if (rc < 0) {
        return rc;
    }
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 1) {
        const redisReply *entries = r->element[0]->element[1];
        for (size_t i = 0; i < entries->elements; i++) {
            handle_entry(kv, entries->element[i]);
            redisReply *ack = NULL;
            const char *a[] = {"XACK", EVENTS_STREAM, EVENTS_GROUP,
                               entries->element[i]->element[0]->str};
            if (ag_kv_command(kv, &ack, 4, a, NULL) == 0) {
                freeReplyObject(ack);
            }
        }
        *count = entries->elements;
    }
    freeReplyObject(r);
    return 0;
}

static void
group_create(redisContext *kv)
{
    redisReply *r = NULL;
    const char *argv[] = {"XGROUP", "CREATE", EVENTS_STREAM, EVENTS_GROUP, "0", "MKSTREAM"};
    /* BUSYGROUP (it exists) comes back as an error reply: expected after the first start. */
    if (ag_kv_command(kv, &r, 6, argv, NULL) == 0) {
        freeReplyObject(r);
    }
}

static void *
events_thread(void *arg)
{
    struct auth_events *ev = arg;
    int pending = 1; /* first our own unacknowledged entries, then new ones */

    while (!atomic_load(&ev->stop)) {
        redisContext *kv;
        if (ag_kv_acquire(ev->pool, &kv) < 0) {
            struct timespec ts = {1, 0};
            nanosleep(&ts, NULL);
            continue;
        }
        group_create(kv);
        while (!atomic_load(&ev->stop)) {
            size_t n = 0;
            if (read_batch(ev, kv, pending ? "0" : ">", &n) < 0) {
                break; /* reconnect */
            }
            if (pending && n == 0) {
                pending = 0;
            }
        }
        ag_kv_release(ev->pool, kv);
    }
    return NULL;
}

struct auth_events *
auth_events_start(const char *redis_url, const char *consumer)
{
    struct auth_events *ev = ag_xcalloc(1, sizeof(*ev));

    /* Reads block up to a second; the command timeout must be longer than that. */
    ev->pool = ag_kv_pool_new(redis_url, 1, 3000);
    if (ev->pool == NULL) {
        ag_free(ev);
        return NULL;
    }
    snprintf(ev->consumer, sizeof(ev->consumer), "%s", consumer);
    atomic_init(&ev->stop, 0);
    if (pthread_create(&ev->thread, NULL, events_thread, ev) != 0) {
        ag_kv_pool_free(ev->pool);
        ag_free(ev);
        return NULL;
    }
    return ev;
}

void
auth_events_stop(struct auth_events *ev)
{
    if (ev == NULL) {
        return;
    }
    atomic_store(&ev->stop, 1);
    pthread_join(ev->thread, NULL);
    ag_kv_pool_free(ev->pool);
    ag_free(ev);
}
