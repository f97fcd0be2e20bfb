/*
 * Events between services: the outbox relay (rows a service wrote in the same transaction as
 * their change, published to Redis Streams), a consumer group reader, and a ticker (a thread
 * that runs a function every so often, for relays, reconcilers and sweepers).
 */
#ifndef AGORA_EVENTS_H
#define AGORA_EVENTS_H

#include <stddef.h>

#include <hiredis/hiredis.h>
#include <libpq-fe.h>

#include "agora/db.h"
#include "agora/kv.h"

/*
 * The statement the relay needs, which a service lists among its prepared statements as
 * "outbox_take". Its table, in one of the service's migrations: outbox (id bigint identity
 * primary key, stream text, type text, payload jsonb, created_at timestamptz).
 */
#define AG_OUTBOX_TAKE_SQL                                                                         \
    "WITH d AS (DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT $1::int"   \
    " FOR UPDATE SKIP LOCKED) RETURNING id, stream, type, payload)"                                \
    " SELECT stream, type, payload::text, id FROM d ORDER BY id"

/*
 * Publishes at most 'max' outbox rows, oldest first, in one transaction on 'db': each as an
 * XADD of {type, data} to its stream (capped near 100,000 entries), the rows deleted only
 * when every XADD went, so a consumer may see an event twice but never misses one. '*n' the
 * rows published. Returns 0 or an AG_E* code.
 */
int ag_outbox_relay(PGconn *db, redisContext *kv, size_t max, size_t *n);
/* Relays until the outbox is empty (batches of 'batch'), on connections from the pools.
 * Failures are logged. */
void ag_outbox_drain(struct ag_db_pool *db, struct ag_kv_pool *kv, size_t batch);

/* A thread that calls fn(arg) every 'interval_ms' (and at once after ag_ticker_wake), and a
 * last time when it stops. */
typedef void (*ag_tick_fn)(void *arg);
struct ag_ticker;
struct ag_ticker *ag_ticker_start(long long interval_ms, ag_tick_fn fn, void *arg);
void ag_ticker_wake(struct ag_ticker *t);
/* Stops after the call in progress; accepts NULL. */
void ag_ticker_stop(struct ag_ticker *t);

/*
 * A consumer in group 'group' of 'stream' (the group made when missing, from the stream's
 * start): a thread reads entries (first its own left unacknowledged by a crash, then new
 * ones), calls fn(arg, kv, entry id, field/value pairs) and acknowledges each after fn.
 * 'fields' is a Redis array reply of alternating names and values. Replicas share the work:
 * each is a consumer of the group (name it per process), and every claim_every_ms one takes
 * over the entries another left unacknowledged for claim_idle_ms (XAUTOCLAIM: a replica that
 * died, whose name never comes back). So fn may see an entry twice: it must be idempotent.
 */
typedef void (*ag_consume_fn)(void *arg, redisContext *kv, const char *id,
                              const redisReply *fields);
#define AG_CONSUMER_CLAIM_IDLE_MS  60000
#define AG_CONSUMER_CLAIM_EVERY_MS 10000
struct ag_consumer_opts {
    long long claim_idle_ms;  /* unacknowledged this long: taken over */
    long long claim_every_ms; /* how often to look; 0: never */
};
struct ag_consumer;
/* With the default claim settings above. */
struct ag_consumer *ag_consumer_start(const char *redis_url, const char *stream, const char *group,
                                      const char *consumer, ag_consume_fn fn, void *arg);
struct ag_consumer *ag_consumer_start_opts(const char *redis_url, const char *stream,
                                           const char *group, const char *consumer,
                                           ag_consume_fn fn, void *arg,
                                           const struct ag_consumer_opts *opts);
void ag_consumer_stop(struct ag_consumer *c);
/* The value of field 'name' in a consumer's 'fields', or NULL. */
const char *ag_consumer_field(const redisReply *fields, const char *name);

#endif
