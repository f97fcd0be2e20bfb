/*
 * Bringing a payment to a new state: the plan (which transitions, which amounts) from what
 * the provider answered, applied in one statement (store_payment_apply). The API, the
 * reconciler and refunds all change payments through here.
 */
#include "payment.h"

#include <string.h>

#include "provider.h"

#include "agora/err.h"
#include "agora/log.h"

/* Our state for the provider's. */
static enum payment_status
target_of(enum pay_pstatus s)
{
    switch (s) {
    case PAY_P_AUTHORIZED:
        return PAYMENT_AUTHORIZED;
    case PAY_P_DECLINED:
        return PAYMENT_FAILED;
    case PAY_P_CAPTURED:
        return PAYMENT_CAPTURED;
    case PAY_P_PARTIALLY_REFUNDED:
        return PAYMENT_PARTIALLY_REFUNDED;
    case PAY_P_REFUNDED:
        return PAYMENT_REFUNDED;
    case PAY_P_VOIDED:
        return PAYMENT_VOIDED;
    case PAY_P_PROCESSING:
        break;
    }
    return PAYMENT_PENDING;
}

/* The amount an event into 'to' records. */
static long long
step_amount(enum payment_status to, long long amount, long long captured, long long refund)
{
    switch (to) {
    case PAYMENT_CAPTURED:
        return captured;
    case PAYMENT_PARTIALLY_REFUNDED:
    case PAYMENT_REFUNDED:
        return refund;
    default:
        return amount;
    }
}

static void
change_init(struct payment_change *c, const struct payment_row *row, const char *source,
            long long recheck_s)
{
    memset(c, 0, sizeof(*c));
    c->id = row->id;
    c->from = row->status;
    c->captured = row->captured;
    c->refunded = row->refunded;
    c->source = source;
    c->recheck_s = recheck_s;
}

/* Plans the way from row->status to 'to'; AG_ECONFLICT when there is none. */
static int
plan(struct payment_change *c, enum payment_status to, long long refund)
{
    int n = payment_path(c->from, to, c->steps);
    if (n < 0) {
        return n;
    }
    c->nsteps = (size_t)n;
    for (size_t i = 0; i < c->nsteps; i++) {
        c->amounts[i] = step_amount(c->steps[i], 0, c->captured, refund);
    }
    return 0;
}

static int
apply(struct ag_arena *a, PGconn *db, struct payment_change *c, long long amount, const char **out,
      size_t *len)
{
    for (size_t i = 0; i < c->nsteps; i++) {
        if (c->amounts[i] == 0) {
            c->amounts[i] = amount;
        }
    }
    int rc = store_payment_apply(a, db, c, out, len);
    if (rc == AG_ECONFLICT) {
        ag_log(AG_LOG_INFO, NULL, "payment %s changed meanwhile; left as it is", c->id);
    }
    return rc;
}

int
payment_settle(struct ag_arena *a, PGconn *db, const struct payment_row *row,
               const struct pay_view *view, const char *source, long long recheck_s,
               const char **out, size_t *len)
{
    struct payment_change c;
    enum payment_status to = target_of(view->status);

    if (view->status == PAY_P_PROCESSING) {
        return AG_EINFLIGHT;
    }
    if (view->amount != row->amount || strcmp(view->currency, row->currency) != 0 ||
        view->captured > row->amount || view->refunded > view->captured) {
        ag_log(AG_LOG_ERROR, NULL,
               "payment %s: the provider's %s has %lld %s (captured %lld, refunded %lld), ours "
               "%lld %s; left for a person to look at",
               row->id, view->id, view->amount, view->currency, view->captured, view->refunded,
               row->amount, row->currency);
        return AG_ECONFLICT;
    }
    change_init(&c, row, source, recheck_s);
    if (to >= PAYMENT_CAPTURED && to <= PAYMENT_REFUNDED) {
        c.captured = view->captured;
        c.refunded = view->refunded;
    }
    int rc = plan(&c, to, view->refunded - row->refunded);
    if (rc < 0 || (c.nsteps == 0 && row->provider_id[0] != '\0')) {
        /* Old news (a later state is already ours), or nothing new. */
        return out != NULL ? store_payment_json(a, db, row->id, out, len, NULL) : 0;
    }
    c.provider_id = view->id;
    c.brand = view->brand[0] != '\0' ? view->brand : NULL;
    c.last4 = strlen(view->last4) == 4 ? view->last4 : NULL;
    c.failure_code = to == PAYMENT_FAILED
                         ? (view->decline_code[0] != '\0' ? view->decline_code : "declined")
                         : NULL;
    return apply(a, db, &c, row->amount, out, len);
}

int
payment_mark_unknown(struct ag_arena *a, PGconn *db, const struct payment_row *row,
                     const char *provider_id, const char *source, long long recheck_s,
                     const char **out, size_t *len)
{
    struct payment_change c;

    change_init(&c, row, source, recheck_s);
    c.provider_id = provider_id != NULL && provider_id[0] != '\0' ? provider_id : NULL;
    if (row->status != PAYMENT_UNKNOWN) {
        int rc = plan(&c, PAYMENT_UNKNOWN, 0);
        if (rc < 0) {
            return rc;
        }
    }
    return apply(a, db, &c, row->amount, out, len);
}

int
payment_mark_failed(struct ag_arena *a, PGconn *db, const struct payment_row *row, const char *code,
                    const char *source, const char **out, size_t *len)
{
    struct payment_change c;

    change_init(&c, row, source, 0);
    c.failure_code = code;
    int rc = plan(&c, PAYMENT_FAILED, 0);
    if (rc < 0) {
        return rc;
    }
    return apply(a, db, &c, row->amount, out, len);
}

int
payment_refunded(struct ag_arena *a, PGconn *db, const struct payment_row *row, long long amount,
                 const char *source, const char **out, size_t *len)
{
    struct payment_change c;

    change_init(&c, row, source, 0);
    c.refunded = row->refunded + amount;
    if (c.refunded > row->captured) {
        return AG_ECONFLICT;
    }
    enum payment_status to =
        c.refunded == row->captured ? PAYMENT_REFUNDED : PAYMENT_PARTIALLY_REFUNDED;
    if (row->status == PAYMENT_PARTIALLY_REFUNDED && to == PAYMENT_PARTIALLY_REFUNDED) {
        c.steps[0] = to; /* another part: the self-transition */
        c.amounts[0] = amount;
        c.nsteps = 1;
    } else {
        int rc = plan(&c, to, amount);
        if (rc < 0) {
            return rc;
        }
    }
    return apply(a, db, &c, row->amount, out, len);
}

/* A refund the provider made: the refund SUCCEEDED and the payment's figures, together. */
struct refund_done {
    struct ag_arena *arena;
    const char *refund_id, *payment_id, *source;
    long long amount;
    const char *text;
    size_t len;
};

static int
refund_done_tx(PGconn *db, void *arg)
{
    struct refund_done *d = arg;
    struct payment_row row;

    /* The payment locked, so that no other refund's figures interleave with this one's. */
    int rc = store_payment_lock(db, d->payment_id, &row);
    if (rc < 0) {
        return rc;
    }
    rc = store_refund_finish(db, d->refund_id, "SUCCEEDED");
    if (rc < 0) {
        return rc; /* AG_ENOTFOUND: another finished it */
    }
    return payment_refunded(d->arena, db, &row, d->amount, d->source, &d->text, &d->len);
}

int
payment_refund_settle(struct ag_arena *a, PGconn *db, const char *refund_id, const char *payment_id,
                      long long amount, const char *source, const char **text, size_t *len)
{
    struct refund_done d = {a, refund_id, payment_id, source, amount, NULL, 0};
    int rc = ag_db_tx(db, "READ COMMITTED", 3, refund_done_tx, &d);
    if (rc == 0 && text != NULL) {
        *text = d.text;
        *len = d.len;
    }
    return rc;
}
