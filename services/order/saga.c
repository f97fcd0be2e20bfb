/*
 * The checkout saga and its compensations, one step at a time. An order's row says what is
 * still to be done with another service (orders.step); each step calls that service (every
 * call idempotent on the order id) and then moves the row on in one statement, guarded by
 * the step it was at, so two workers never both move it. A crash between the call and the
 * move leaves the step as it was, and whoever runs it again (the recovery worker, after the
 * lease) repeats a call that changes nothing the second time.
 *
 * A checkout's own run makes one move after its order row: the reservation, the charge and
 * then the commit (or the release) happen first, and the row moves once to where they led.
 * A run that stops half-way is finished from what the other services say:
 *
 *   reserve: reserved, charged ─CAPTURED→ committed → PAID, done
 *                               ├─FAILED→ released → CANCELLED, done
 *                               └─UNKNOWN→ pay (payment settles it; asked again soon)
 *            no stock → CANCELLED, done        (a reservation takes all or nothing)
 *            (recovery: payment is asked; no charge there → released → CANCELLED)
 *   pay:     as reserve, from payment's answer (recovery and unknown outcomes)
 *   commit:  the reservation committed → done; gone (expired) → refund (to CANCELLED)
 *   cancel or refund of a paid order: refund → CANCELLED|REFUNDED, restock → done
 */
#include "order.h"

#include <stdio.h>
#include <string.h>

#include "agora/err.h"
#include "agora/log.h"

#define WAIT        1 /* the step cannot go on now: leave the order for later */
#define RECHECK_S   1 /* how soon an order waiting on payment is looked at again */
#define SAGA_STEPS  8 /* steps one run takes at most (the longest path has 5) */
#define REASON_SIZE 120

struct saga {
    const struct order_app *app;
    PGconn *db;
    const char *request_id;
    struct order_row *o;
    const char *card; /* only on the checkout's own first run */
};

static int
move(struct saga *s, enum order_status status, enum order_step step, const char *reason,
     const struct peer_payment *pay, int committed, long long lease_s)
{
    struct order_move m = {
        .status = status,
        .step = step,
        .refund_to = s->o->refund_to,
        .reason = reason,
        .payment = pay,
        .stock_committed = committed,
        .clear_cart = status == ORDER_PAID && s->o->status == ORDER_PENDING,
        .lease_s = lease_s,
    };
    if (status != s->o->status && !order_transition_ok(s->o->status, status)) {
        ag_log(AG_LOG_ERROR, s->request_id, "order %s: %s → %s is not allowed", s->o->id,
               order_status_name(s->o->status), order_status_name(status));
        return AG_EINTERNAL;
    }
    return store_order_move(s->db, s->o, &m);
}

/* The order is off: its reserved units (if any) go back, then it is CANCELLED, in that order
 * (a crash between the two leaves it where it was, and the recovery releases again, which
 * changes nothing the second time). */
static int
unreserve(struct saga *s, const char *reason, const struct peer_payment *pay)
{
    int rc = peer_reservation(s->app, s->request_id, s->o->id, RESERVATION_RELEASE);
    enum order_step next = STEP_RELEASE; /* catalog away: the recovery releases */
    if (rc == 0 || rc == AG_ENOTFOUND) {
        next = STEP_DONE;
    } else if (rc == AG_ECONFLICT) {
        next = STEP_RESTOCK; /* committed after all: its units come back */
    }
    int mv = move(s, ORDER_CANCELLED, next, reason, pay, next == STEP_RESTOCK, 0);
    if (mv == 0) {
        ag_log(AG_LOG_INFO, s->request_id, "order %s: cancelled (%s)", s->o->id, reason);
    }
    return mv;
}

/* Paid: the reserved units leave stock, then the order is PAID, in that order (a crash
 * between the two leaves it at its step, and the recovery, finding the payment CAPTURED,
 * commits again, which changes nothing the second time). 'pay' NULL: the recovery of an
 * order PAID already whose commit did not go through. */
static int
paid(struct saga *s, const struct peer_payment *pay)
{
    if (pay != NULL) {
        ag_log(AG_LOG_INFO, s->request_id, "order %s: paid (%s)", s->o->id, pay->id);
    }
    int rc = peer_reservation(s->app, s->request_id, s->o->id, RESERVATION_COMMIT);
    if (rc == 0) {
        return move(s, ORDER_PAID, STEP_DONE, NULL, pay, 1, 0);
    }
    if (rc == AG_ENOTFOUND || rc == AG_ECONFLICT) {
        /* Paid, and its reservation expired meanwhile: the money goes back. */
        ag_log(AG_LOG_WARN, s->request_id, "order %s: paid but its reservation is gone; refunding",
               s->o->id);
        s->o->refund_to = ORDER_CANCELLED;
        return move(s, ORDER_PAID, STEP_REFUND, "reservation_expired", pay, 0, 0);
    }
    int mv = move(s, ORDER_PAID, STEP_COMMIT, NULL, pay, 0, 0); /* the recovery commits */
    return mv < 0 ? mv : rc;
}

/* What payment says of the order's charge, applied. */
static int
settle_payment(struct saga *s, const struct peer_payment *pay)
{
    char reason[REASON_SIZE];

    if (strcmp(pay->status, "CAPTURED") == 0) {
        return paid(s, pay);
    }
    if (strcmp(pay->status, "FAILED") == 0 || strcmp(pay->status, "VOIDED") == 0 ||
        strcmp(pay->status, "REFUNDED") == 0) {
        snprintf(reason, sizeof(reason), "payment_declined%s%s", pay->failure[0] ? ":" : "",
                 pay->failure);
        return unreserve(s, reason, pay);
    }
    /* UNKNOWN, PENDING, AUTHORIZED: payment's reconciler is on it; look again soon. */
    int rc = move(s, ORDER_PENDING, STEP_PAY, NULL, pay, 0, RECHECK_S);
    return rc < 0 ? rc : WAIT;
}

/* The charge (a checkout's own run, with the card), or what became of it (a recovery run:
 * payment is asked by the order id). */
static int
step_pay(struct saga *s)
{
    struct peer_payment pay;
    int rc;

    if (s->card != NULL) {
        rc = peer_pay(s->app, s->request_id, s->o, s->card, &pay);
        s->card = NULL; /* never twice, and never kept */
    } else {
        rc = peer_payment_find(s->app, s->request_id, s->o->id, &pay);
        if (rc == AG_ENOTFOUND) {
            /* The charge never reached payment (the lease is long past its timeout). */
            peer_payment_release(&pay);
            return unreserve(s, "checkout_interrupted", NULL);
        }
    }
    if (rc < 0) {
        peer_payment_release(&pay);
        return WAIT; /* its fate is payment's to tell: asked again after the lease */
    }
    order_crash_point(s->app, "paid", s->o->id);
    rc = settle_payment(s, &pay);
    peer_payment_release(&pay);
    return rc;
}

/* The reservation, then at once the charge: the order's step stays 'reserve' until payment
 * has answered (a recovery run at 'reserve' asks payment first, as at 'pay'). */
static int
step_reserve(struct saga *s, const struct order_item *items, size_t n)
{
    json_t *shortfall = NULL;

    if (s->card == NULL) {
        return step_pay(s); /* a checkout that died: whatever it got to, payment knows */
    }
    int rc = peer_reserve(s->app, s->request_id, s->o->id, items, n, &shortfall);
    json_decref(shortfall);
    if (rc == AG_ECONFLICT) {
        return move(s, ORDER_CANCELLED, STEP_DONE, "out_of_stock", NULL, 0, 0); /* none held */
    }
    if (rc < 0) {
        /* The catalog is away or refused: whatever it may have reserved is let go. */
        s->card = NULL;
        int mv = unreserve(s, "catalog_unavailable", NULL);
        return mv < 0 ? mv : rc;
    }
    order_crash_point(s->app, "reserved", s->o->id);
    return step_pay(s);
}

static int
step_refund(struct saga *s)
{
    struct peer_payment pay;
    enum order_step next = s->o->stock_committed ? STEP_RESTOCK : STEP_RELEASE;

    if (s->o->payment_id[0] == '\0') {
        return move(s, s->o->refund_to, next, NULL, NULL, 0, 0); /* nothing was charged */
    }
    int rc = peer_refund(s->app, s->request_id, s->o, &pay);
    if (rc == AG_ECONFLICT) {
        /* Nothing left to refund: fine when it is refunded already (by this key, say). */
        peer_payment_release(&pay);
        rc = peer_payment_find(s->app, s->request_id, s->o->id, &pay);
        if (rc == 0 && strcmp(pay.status, "REFUNDED") != 0) {
            ag_log(AG_LOG_ERROR, s->request_id, "order %s: payment %s is %s and refuses a refund",
                   s->o->id, pay.id, pay.status);
            rc = AG_ECONFLICT;
        }
        pay.http = 200;
    }
    if (rc == 0 && pay.http == 200) {
        rc = move(s, s->o->refund_to, next, NULL, NULL, 0, 0);
    } else if (rc == 0) {
        rc = move(s, s->o->status, STEP_REFUND, NULL, NULL, 0, RECHECK_S);
        rc = rc < 0 ? rc : WAIT; /* the refund's outcome is unknown: payment settles it */
    }
    peer_payment_release(&pay);
    return rc;
}

static int
step_stock(struct saga *s, enum reservation_op op)
{
    int rc = peer_reservation(s->app, s->request_id, s->o->id, op);
    if (rc == AG_ECONFLICT && op == RESERVATION_RELEASE) {
        return move(s, s->o->status, STEP_RESTOCK, NULL, NULL, 1, 0); /* it was committed */
    }
    if (rc == 0 || rc == AG_ENOTFOUND || rc == AG_ECONFLICT) {
        /* Done, never reserved, or (returning) not committed: nothing is held either way. */
        return move(s, s->o->status, STEP_DONE, NULL, NULL, 0, 0);
    }
    return rc;
}

int
order_saga_run(const struct order_app *app, PGconn *db, const char *request_id, struct order_row *o,
               const char *card, const struct order_item *items, size_t nitems)
{
    struct saga s = {app, db, request_id, o, card};
    int rc = 0;

    for (int i = 0; i < SAGA_STEPS && rc == 0 && o->step != STEP_DONE; i++) {
        switch (o->step) {
        case STEP_RESERVE:
            rc = step_reserve(&s, items, nitems);
            break;
        case STEP_PAY:
            rc = step_pay(&s);
            break;
        case STEP_COMMIT:
            rc = paid(&s, NULL);
            break;
        case STEP_REFUND:
            rc = step_refund(&s);
            break;
        case STEP_RESTOCK:
            rc = step_stock(&s, RESERVATION_RETURN);
            break;
        case STEP_RELEASE:
            rc = step_stock(&s, RESERVATION_RELEASE);
            break;
        case STEP_DONE:
        case STEP_N:
            break;
        }
    }
    if (rc == AG_ECONFLICT) {
        /* Another worker moved it: what it is now is theirs to finish. */
        int r = store_order_row(db, o->id, o);
        return r < 0 ? r : 0;
    }
    return rc == WAIT ? 0 : rc;
}
