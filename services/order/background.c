/*
 * The order service's background: one thread relays the outbox to the Redis stream 'orders'
 * (every AGORA_ORDER_OUTBOX_MS) and runs the recovery worker (every AGORA_ORDER_RECOVER_MS:
 * orders not done whose lease passed are taken, FOR UPDATE SKIP LOCKED so replicas share the
 * work, and moved on by the saga: a checkout that died is finished or undone, a payment that
 * was unknown is settled from payment's final word). Another thread is the consumer group
 * 'notify' on 'orders', which logs a notification per event: the place where email would go.
 */
#include "order.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agora/clock.h"
#include "agora/err.h"
#include "agora/events.h"
#include "agora/log.h"

#define RECOVER_BATCH 50
#define OUTBOX_BATCH  500

struct order_background {
    struct order_app *app;
    struct ag_db_pool *db;
    struct ag_kv_pool *kv;
    struct ag_ticker *ticker;
    struct ag_consumer *notify;
    long long next_recover; /* ag_clock_ms */
};

int
order_recover_once(const struct order_app *app, PGconn *db, size_t *n)
{
    struct order_row rows[RECOVER_BATCH];
    char rid[48];

    int rc = store_orders_due(db, app->cfg->lease_s, rows, RECOVER_BATCH, n);
    for (size_t i = 0; rc == 0 && i < *n; i++) {
        snprintf(rid, sizeof(rid), "recover-%s", rows[i].id + 4);
        ag_log(AG_LOG_INFO, rid, "order %s: recovering from %s/%s", rows[i].id,
               order_status_name(rows[i].status), order_step_name(rows[i].step));
        int r = order_saga_run(app, db, rid, &rows[i], NULL, NULL, 0);
        if (r < 0) {
            ag_log(AG_LOG_WARN, rid, "order %s: recovery stopped at %s: %s", rows[i].id,
                   order_step_name(rows[i].step), ag_err_name(r));
        }
    }
    return rc;
}

static void
tick(void *arg)
{
    struct order_background *b = arg;
    PGconn *db;
    size_t n;

    ag_outbox_drain(b->db, b->kv, OUTBOX_BATCH);
    if (ag_clock_ms() < b->next_recover) {
        return;
    }
    if (ag_db_acquire(b->db, &db) == 0) {
        int rc = order_recover_once(b->app, db, &n);
        if (rc < 0) {
            ag_log(AG_LOG_WARN, NULL, "recovery pass failed: %s", ag_err_name(rc));
        }
        ag_db_release(b->db, db);
    }
    ag_outbox_drain(b->db, b->kv, OUTBOX_BATCH); /* what recovery changed */
    b->next_recover = ag_clock_ms() + b->app->cfg->recover_ms;
}

/* A notification per order event: logged here; a mailer would take it from this spot. */
static void
notify(void *arg, redisContext *kv, const char *id, const redisReply *fields)
{
    (void)arg;
    (void)kv;
    const char *type = ag_consumer_field(fields, "type");
    const char *data = ag_consumer_field(fields, "data");
    ag_log(AG_LOG_INFO, NULL, "notify: %s %s %s", type != NULL ? type : "?", id,
           data != NULL ? data : "{}");
}

struct order_background *
order_background_start(struct order_app *app, struct ag_db_pool *db, struct ag_kv_pool *kv)
{
    struct order_background *b = ag_xcalloc(1, sizeof(*b));
    char consumer[96], host[64] = "order";

    b->app = app;
    b->db = db;
    b->kv = kv;
    b->next_recover = ag_clock_ms() + app->cfg->recover_ms;
    gethostname(host, sizeof(host) - 1);
    snprintf(consumer, sizeof(consumer), "%s-%ld", host, (long)getpid());
    b->notify = ag_consumer_start(app->cfg->redis_url, "orders", "notify", consumer, notify, b);
    b->ticker = ag_ticker_start(app->cfg->outbox_ms, tick, b);
    if (b->ticker == NULL || b->notify == NULL) {
        order_background_stop(b);
        return NULL;
    }
    return b;
}

void
order_background_wake(struct order_background *b)
{
    if (b != NULL) {
        ag_ticker_wake(b->ticker);
    }
}

void
order_background_stop(struct order_background *b)
{
    if (b == NULL) {
        return;
    }
    ag_ticker_stop(b->ticker); /* its last call relays what the last requests wrote */
    ag_consumer_stop(b->notify);
    ag_free(b);
}
