/*
 * The payment service's background thread: the outbox relay (every AGORA_PAYMENT_OUTBOX_MS,
 * state changes out to the Redis stream agora:events:payment) and the reconciler (every
 * AGORA_PAYMENT_RECONCILE_S: payments whose outcome is UNKNOWN, or left PENDING by a caller
 * that died, are asked of the provider and settled to its truth; refunds likewise).
 */
#include "payment.h"

#include <stdio.h>
#include <string.h>

#include "provider.h"

#include "agora/clock.h"
#include "agora/err.h"
#include "agora/events.h"
#include "agora/log.h"

#define BATCH        50  /* payments or refunds one reconciler pass takes */
#define OUTBOX_BATCH 500 /* outbox rows one relay transaction publishes */

struct payment_background {
    struct payment_app *app;
    struct ag_db_pool *db;
    struct ag_kv_pool *kv;
    struct ag_ticker *ticker;
    long long next_reconcile; /* ag_clock_ms */
};

/* How long a payment taken by one pass stays away from the others: the provider calls it
 * may need, with their retries, and some room. */
static long long
lease_s(const struct payment_config *cfg)
{
    return 3 * cfg->provider_timeout_ms * (cfg->provider_retries + 1) / 1000 + 2;
}

/* The provider has payment 'row' as 'view': finish what we meant (capture, or undo after a
 * void was asked), then settle to the result. */
static int
finish(struct ag_arena *a, struct payment_app *app, PGconn *db, const struct payment_row *row,
       struct pay_view *view)
{
    const struct pay_provider *p = app->provider;
    struct pay_view next;
    char key[64];
    enum pay_outcome o = PAY_OK;

    if (view->status == PAY_P_AUTHORIZED && !row->void_intent) {
        snprintf(key, sizeof(key), "%s-capture", row->id);
        o = p->capture(app->provider_ctx, view->id, row->amount, key, NULL, &next);
    } else if (view->status == PAY_P_AUTHORIZED) {
        snprintf(key, sizeof(key), "%s-void", row->id);
        o = p->void_auth(app->provider_ctx, view->id, key, NULL, &next);
    } else if (row->void_intent &&
               (view->status == PAY_P_CAPTURED || view->status == PAY_P_PARTIALLY_REFUNDED)) {
        /* Asked to void, and it had been captured after all: give the money back. */
        snprintf(key, sizeof(key), "%s-undo", row->id);
        o = p->refund(app->provider_ctx, view->id, view->captured - view->refunded, key, NULL,
                      &next);
    } else {
        next = *view;
    }
    if (o != PAY_OK) {
        /* Known to exist, its next step not done: keep it UNKNOWN with the provider's id. */
        ag_log(AG_LOG_WARN, NULL, "payment %s: the provider's %s is %s; will retry: %s", row->id,
               view->id, view->status == PAY_P_AUTHORIZED ? "authorized" : "captured",
               next.message);
        return row->status == PAYMENT_UNKNOWN || row->status == PAYMENT_PENDING
                   ? payment_mark_unknown(a, db, row, view->id, "reconciler", app->cfg->reconcile_s,
                                          NULL, NULL)
                   : 0;
    }
    return payment_settle(a, db, row, &next, "reconciler", app->cfg->reconcile_s, NULL, NULL);
}

static int
reconcile_payment(struct ag_arena *a, struct payment_app *app, PGconn *db,
                  const struct payment_row *row)
{
    struct pay_view view;
    enum pay_outcome o = app->provider->fetch(app->provider_ctx,
                                              row->provider_id[0] != '\0' ? row->provider_id : NULL,
                                              row->id, NULL, &view);

    switch (o) {
    case PAY_OK:
        if (view.status == PAY_P_PROCESSING) {
            return 0; /* still deciding; the lease brings it back */
        }
        return finish(a, app, db, row, &view);
    case PAY_NOT_FOUND:
        if (row->age_s < app->cfg->not_found_fail_s) {
            return 0;
        }
        /* Never reached the provider: nothing was charged. */
        ag_log(AG_LOG_INFO, NULL, "payment %s: the provider has no record of it; FAILED", row->id);
        return payment_mark_failed(a, db, row, "not_at_provider", "reconciler", NULL, NULL);
    case PAY_REJECTED:
    case PAY_UNKNOWN:
        break;
    }
    ag_log(AG_LOG_WARN, NULL, "payment %s: cannot ask the provider: %s", row->id, view.message);
    return 0;
}

static int
reconcile_refund(struct ag_arena *a, struct payment_app *app, PGconn *db,
                 const struct refund_due *r)
{
    struct pay_view view;
    enum pay_outcome o =
        app->provider->refund(app->provider_ctx, r->provider_id, r->amount, r->id, NULL, &view);
    if (o == PAY_OK) {
        int rc =
            payment_refund_settle(a, db, r->id, r->payment_id, r->amount, "reconciler", NULL, NULL);
        return rc == AG_ENOTFOUND ? 0 : rc;
    }
    if (o == PAY_REJECTED || o == PAY_NOT_FOUND) {
        ag_log(AG_LOG_WARN, NULL, "refund %s refused by the provider: %s", r->id, view.message);
        int rc = store_refund_finish(db, r->id, "FAILED");
        return rc == AG_ENOTFOUND ? 0 : rc;
    }
    return 0;
}

int
payment_reconcile_once(struct payment_app *app, PGconn *db, size_t *n)
{
    struct payment_row rows[BATCH];
    struct refund_due refunds[BATCH];
    struct ag_arena arena;
    size_t np = 0, nr = 0;

    *n = 0;
    int rc = store_due_payments(db, lease_s(app->cfg), rows, BATCH, &np);
    if (rc == 0) {
        rc = store_due_refunds(db, lease_s(app->cfg), refunds, BATCH, &nr);
    }
    if (rc < 0) {
        return rc;
    }
    ag_arena_init(&arena);
    for (size_t i = 0; i < np; i++) {
        int r = reconcile_payment(&arena, app, db, &rows[i]);
        if (r < 0 && r != AG_ECONFLICT) {
            ag_log(AG_LOG_WARN, NULL, "payment %s: reconciling failed: %s", rows[i].id,
                   ag_err_name(r));
        }
    }
    for (size_t i = 0; i < nr; i++) {
        int r = reconcile_refund(&arena, app, db, &refunds[i]);
        if (r < 0) {
            ag_log(AG_LOG_WARN, NULL, "refund %s: reconciling failed: %s", refunds[i].id,
                   ag_err_name(r));
        }
    }
    ag_arena_release(&arena);
    *n = np + nr;
    return 0;
}

static void
tick(void *arg)
{
    struct payment_background *b = arg;
    const struct payment_config *cfg = b->app->cfg;

    ag_outbox_drain(b->db, b->kv, OUTBOX_BATCH);
    if (ag_clock_ms() < b->next_reconcile) {
        return;
    }
    PGconn *db;
    size_t n;
    if (ag_db_acquire(b->db, &db) == 0) {
        int rc = payment_reconcile_once(b->app, db, &n);
        if (rc < 0) {
            ag_log(AG_LOG_WARN, NULL, "reconciler pass failed: %s", ag_err_name(rc));
        }
        ag_db_release(b->db, db);
    }
    b->next_reconcile = ag_clock_ms() + cfg->reconcile_s * 1000;
}

struct payment_background *
payment_background_start(struct payment_app *app, struct ag_db_pool *db, struct ag_kv_pool *kv)
{
    struct payment_background *b = ag_xcalloc(1, sizeof(*b));
    b->app = app;
    b->db = db;
    b->kv = kv;
    b->next_reconcile = ag_clock_ms() + app->cfg->reconcile_s * 1000;
    b->ticker = ag_ticker_start(app->cfg->outbox_ms, tick, b);
    if (b->ticker == NULL) {
        ag_free(b);
        return NULL;
    }
    return b;
}

void
payment_background_stop(struct payment_background *b)
{
    if (b == NULL) {
        return;
    }
    ag_ticker_stop(b->ticker); /* its last call relays what the last requests wrote */
    ag_free(b);
}
