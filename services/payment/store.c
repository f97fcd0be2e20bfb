/*
 * Every SQL statement of the payment service, prepared once per connection. A change of a
 * payment is one statement: the row (only if it is still in the state the change starts
 * from), its event rows and its outbox rows together, so no change is half recorded.
 * Parameters only: no SQL is ever built from input.
 */
#include "payment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agora/err.h"
#include "agora/events.h"
#include "agora/group.h"
#include "agora/log.h"

#include "provider.h"

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
#define STREAM  "'agora:events:payment'"

/* What the service reasons about (struct payment_row), from payments p. */
#define ROW_COLS                                                                                   \
    "p.id, p.order_id, COALESCE(p.provider_payment_id, ''), p.status, p.amount,"                   \
    " p.captured_amount, p.refunded_amount, p.currency, p.void_intent,"                            \
    " EXTRACT(EPOCH FROM now() - p.updated_at)::bigint"
/* A payment as the API shows it, from payments p. */
#define PAYMENT_JSON                                                                               \
    "json_build_object('id', p.id, 'orderId', p.order_id, 'payerId', p.payer_id,"                  \
    " 'status', p.status, 'amount', p.amount, 'currency', p.currency,"                             \
    " 'capturedAmount', p.captured_amount, 'refundedAmount', p.refunded_amount,"                   \
    " 'card', CASE WHEN p.card_last4 IS NULL THEN NULL ELSE json_build_object('brand',"            \
    " p.card_brand, 'last4', p.card_last4) END, 'failureCode', p.failure_code,"                    \
    " 'provider', p.provider, 'createdAt', " TS("p.created_at") ", 'updatedAt', " TS(              \
        "p.updated_at") ")"
/* The outbox row of a change of payment P: its stream, type and payload (the steps it went
 * through, and the amount of the last). */
#define OUTBOX_CHANGE(P, STEPS, AMOUNT)                                                            \
    STREAM ", 'payment.' || lower(" P ".status), json_build_object('paymentId', " P ".id,"         \
           " 'orderId', " P ".order_id, 'payerId', " P ".payer_id, 'status', " P                   \
           ".status, 'amount', " AMOUNT ", 'currency', " P ".currency, 'capturedAmount', " P       \
           ".captured_amount,"                                                                     \
           " 'refundedAmount', " P ".refunded_amount, 'steps', " STEPS ")"
/* The outbox row of a new payment. */
#define OUTBOX_OF(P, STATUS, AMOUNT)                                                               \
    STREAM ", 'payment.' || lower(" STATUS "), json_build_object('paymentId', " P ".id,"           \
           " 'orderId', " P ".order_id, 'payerId', " P ".payer_id, 'status', " STATUS              \
           ", 'amount', " AMOUNT ", 'currency', " P ".currency)"

const struct ag_db_stmt payment_stmts[] = {
    /*
     * A payment's first statement, its PENDING row with the event and outbox row, for one
     * caller or many at once (agora/group.h): each parameter a text[] of $1 order, $2 payer,
     * $3 amount, $4 currency, $5 brand, $6 last4, $7 provider, $8 the seconds after which
     * the reconciler takes a payment still PENDING (its caller died).
     */
    {"payment_begin_many",
     "WITH i AS (SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[],"
     " $5::text[], $6::text[], $7::text[], $8::float8[])"
     " AS i (order_id, payer_id, amount, currency, brand, last4, provider, stale)),"
     " ins AS (INSERT INTO payments (order_id, payer_id, amount, currency, card_brand,"
     " card_last4, provider, next_check_at) SELECT order_id, payer_id, amount, currency, brand,"
     " last4, provider, now() + make_interval(secs => stale) FROM i ORDER BY order_id"
     " ON CONFLICT (order_id) DO NOTHING RETURNING *),"
     " ev AS (INSERT INTO payment_events (payment_id, to_status, amount, source)"
     " SELECT id, 'PENDING', amount, 'api' FROM ins),"
     " ob AS (INSERT INTO outbox (stream, type, payload) SELECT " OUTBOX_OF(
         "ins", "ins.status", "ins.amount") " FROM ins)"
                                            " SELECT p.order_id, " ROW_COLS " FROM ins p",
     8},
    /*
     * A change of payments, for one caller or many at once: each parameter a text[] of the
     * payment's id, the state it must still be in, the new state, captured, refunded, the
     * provider's id, brand, last4, failure code (NULL: each unchanged), source, the seconds
     * to the reconciler's next look when UNKNOWN, and the steps as "FROM>TO:amount,…".
     */
    {"payment_apply_many",
     "WITH i AS (SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[],"
     " $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],"
     " $11::float8[], $12::text[]) AS i (id, from_s, to_s, captured, refunded, pid, brand,"
     " last4, fcode, src, recheck, steps)),"
     " upd AS (UPDATE payments p SET status = i.to_s, captured_amount = i.captured,"
     " refunded_amount = i.refunded, provider_payment_id = COALESCE(i.pid,"
     " p.provider_payment_id), card_brand = COALESCE(i.brand, p.card_brand),"
     " card_last4 = COALESCE(i.last4, p.card_last4), failure_code = COALESCE(i.fcode,"
     " p.failure_code), updated_at = now(), next_check_at = CASE WHEN i.to_s = 'UNKNOWN'"
     " THEN now() + make_interval(secs => i.recheck) END FROM i"
     " WHERE p.id = i.id AND p.status = i.from_s RETURNING p.*, i.steps, i.src),"
     " st AS (SELECT u.id, u.order_id, u.payer_id, u.currency, u.src,"
     " split_part(x.s, '>', 1) AS f, split_part(split_part(x.s, '>', 2), ':', 1) AS t,"
     " split_part(x.s, ':', 2)::bigint AS a, x.n FROM upd u,"
     " unnest(string_to_array(u.steps, ',')) WITH ORDINALITY AS x (s, n)),"
     " ev AS (INSERT INTO payment_events (payment_id, from_status, to_status, amount, source)"
     " SELECT id, f, t, a, src FROM st ORDER BY id, n),"
     " ob AS (INSERT INTO outbox (stream, type, payload) SELECT " OUTBOX_CHANGE(
         "u", "(SELECT json_agg(st.t ORDER BY st.n) FROM st WHERE st.id = u.id)",
         "(SELECT st.a FROM st WHERE st.id = u.id ORDER BY st.n DESC LIMIT 1)") " FROM upd u WHERE "
                                                                                "u.steps <> '')"
                                                                                " SELECT "
                                                                                "p.id::text,"
                                                                                " " PAYMENT_JSON
                                                                                " FROM upd p",
     12},
    /* $1 id or NULL, $2 order id or NULL */
    {"payment_row", "SELECT " ROW_COLS " FROM payments p WHERE p.id = $1::uuid OR p.order_id = $2",
     2},
    {"payment_json",
     "SELECT " PAYMENT_JSON ", COALESCE(p.payer_id, '') FROM payments p"
     " WHERE p.id = $1::uuid",
     1},
    {"payment_void_intent",
     "UPDATE payments SET void_intent = true, next_check_at = now()"
     " WHERE id = $1::uuid AND status = 'UNKNOWN' RETURNING id",
     1},
    /* Refunds: the payment locked first, then (a new snapshot, which sees every refund
     * committed while this one waited for the lock) what is left to refund. */
    {"payment_lock",
     "SELECT " ROW_COLS ", (SELECT COALESCE(sum(r.amount), 0) FROM refunds r"
     " WHERE r.payment_id = p.id AND r.status IN ('PENDING', 'UNKNOWN'))::bigint"
     " FROM payments p WHERE p.id = $1::uuid FOR UPDATE",
     1},
    /* $1 payment, $2 amount, $3 reason, $4 seconds before the reconciler may retry it */
    {"refund_insert",
     "INSERT INTO refunds (payment_id, amount, reason, next_check_at)"
     " SELECT p.id, $2::bigint, $3, now() + make_interval(secs => $4::float8) FROM payments p"
     " WHERE p.id = $1::uuid AND p.status IN ('CAPTURED', 'PARTIALLY_REFUNDED')"
     " AND p.captured_amount - p.refunded_amount - (SELECT COALESCE(sum(r.amount), 0)"
     " FROM refunds r WHERE r.payment_id = p.id AND r.status IN ('PENDING', 'UNKNOWN')) >= "
     "$2::bigint"
     " RETURNING id",
     4},
    {"refund_finish",
     "UPDATE refunds SET status = $2, updated_at = now() WHERE id = $1::uuid"
     " AND status IN ('PENDING', 'UNKNOWN') RETURNING id",
     2},
    /* The reconciler's work, each row leased for $1 seconds (FOR UPDATE SKIP LOCKED: replicas
     * share the work and never take the same row). */
    {"payments_due",
     "UPDATE payments p SET next_check_at = now() + make_interval(secs => $1::float8)"
     " FROM (SELECT id FROM payments WHERE status IN ('UNKNOWN', 'PENDING')"
     " AND next_check_at <= now() ORDER BY next_check_at LIMIT $2::int FOR UPDATE SKIP LOCKED) d"
     " WHERE p.id = d.id RETURNING " ROW_COLS,
     2},
    {"refunds_due",
     "UPDATE refunds r SET next_check_at = now() + make_interval(secs => $1::float8),"
     " status = 'UNKNOWN' FROM (SELECT id FROM refunds WHERE status IN ('PENDING', 'UNKNOWN')"
     " AND next_check_at <= now() ORDER BY next_check_at LIMIT $2::int FOR UPDATE SKIP LOCKED) d,"
     " payments p WHERE r.id = d.id AND p.id = r.payment_id"
     " RETURNING r.id, r.payment_id, COALESCE(p.provider_payment_id, ''), r.amount",
     2},
    /* A webhook event, once: $1 provider, $2 event id, $3 type; a fresh one about an UNKNOWN
     * payment ($4 the provider's id, $5 ours, either NULL) makes the reconciler look now. */
    {"webhook_seen",
     "WITH seen AS (INSERT INTO webhook_events (provider, event_id, type) VALUES ($1, $2, $3)"
     " ON CONFLICT DO NOTHING RETURNING 1),"
     " poke AS (UPDATE payments p SET next_check_at = now() WHERE EXISTS (SELECT 1 FROM seen)"
     " AND p.status = 'UNKNOWN' AND p.provider = $1"
     " AND (p.provider_payment_id = $4 OR p.id = $5::uuid) RETURNING 1)"
     " SELECT (SELECT count(*) FROM seen), (SELECT count(*) FROM poke)",
     5},
    {"outbox_take", AG_OUTBOX_TAKE_SQL, 1},
};
const size_t payment_nstmts = sizeof(payment_stmts) / sizeof(payment_stmts[0]);

static int
run(PGconn *db, const char *name, int n, const char *const *v, PGresult **res)
{
    int rc = ag_db_exec(db, name, n, v, NULL, res, NULL);
    if (rc < 0) {
        return rc;
    }
    return 0;
}

/* ROW_COLS of row 'i', from column 'c' on. */
static void
row_read_at(const PGresult *res, int i, int c, struct payment_row *row)
{
    memset(row, 0, sizeof(*row));
    snprintf(row->id, sizeof(row->id), "%s", PQgetvalue(res, i, c));
    snprintf(row->order_id, sizeof(row->order_id), "%s", PQgetvalue(res, i, c + 1));
    snprintf(row->provider_id, sizeof(row->provider_id), "%s", PQgetvalue(res, i, c + 2));
    if (payment_status_parse(PQgetvalue(res, i, c + 3), &row->status) < 0) {
        row->status = PAYMENT_UNKNOWN;
    }
    row->amount = strtoll(PQgetvalue(res, i, c + 4), NULL, 10);
    row->captured = strtoll(PQgetvalue(res, i, c + 5), NULL, 10);
    row->refunded = strtoll(PQgetvalue(res, i, c + 6), NULL, 10);
    snprintf(row->currency, sizeof(row->currency), "%s", PQgetvalue(res, i, c + 7));
    row->void_intent = PQgetvalue(res, i, c + 8)[0] == 't';
    row->age_s = strtoll(PQgetvalue(res, i, c + 9), NULL, 10);
    if (PQnfields(res) > c + 10) {
        row->pending_refunds = strtoll(PQgetvalue(res, i, c + 10), NULL, 10);
    }
}

static void
row_read(const PGresult *res, int i, struct payment_row *row)
{
    row_read_at(res, i, 0, row);
}

/* The groups of the two statements every charge runs (main.c sets them up). */
static struct ag_group *begin_group, *apply_group;

void
store_groups_init(struct ag_db_pool *pool, int max_running, long linger_us)
{
    begin_group = ag_group_new(pool, "payment_begin_many", 8, 64, max_running, linger_us);
    apply_group = ag_group_new(pool, "payment_apply_many", 12, 64, max_running, linger_us);
}

void
store_groups_free(void)
{
    ag_group_free(begin_group);
    ag_group_free(apply_group);
    begin_group = apply_group = NULL;
}

/* The text of row 0, column 0 into 'a'. */
static void
text_out(struct ag_arena *a, const PGresult *res, const char **out, size_t *len)
{
    *len = (size_t)PQgetlength(res, 0, 0);
    *out = ag_arena_strndup(a, PQgetvalue(res, 0, 0), *len);
}

int
store_payment_row(PGconn *db, const char *id, const char *order_id, struct payment_row *row)
{
    const char *v[] = {id, order_id};
    PGresult *res;
    int rc = run(db, "payment_row", 2, v, &res);
    if (rc < 0) {
        return rc;
    }
    rc = PQntuples(res) == 1 ? 0 : AG_ENOTFOUND;
    if (rc == 0) {
        row_read(res, 0, row);
    }
    PQclear(res);
    return rc;
}

struct begun {
    struct payment_row *row;
    int created;
};

static void
begun_row(void *arg, const PGresult *res, int row)
{
    struct begun *b = arg;
    b->created = row >= 0;
    if (row >= 0) {
        row_read_at(res, row, 1, b->row);
    }
}

/* Runs 'g' for one caller: joined with the concurrent ones when 'db' is outside any
 * transaction, else (or when the joined statement failed: a deadlock between groups, say)
 * alone on 'db'. */
static int
group_run(struct ag_group *g, PGconn *db, const char *const *v, ag_group_row_fn fn, void *arg)
{
    if (g == NULL) {
        return AG_EINTERNAL; /* store_groups_init was not called */
    }
    if (PQtransactionStatus(db) == PQTRANS_IDLE && ag_group_exec(g, v, fn, arg) == 0) {
        return 0;
    }
    return ag_group_exec_on(g, db, v, fn, arg);
}

int
store_payment_begin(PGconn *db, const struct payment_new *p, long long stale_s,
                    struct payment_row *row, int *created)
{
    char amount[24], stale[24];
    struct begun b = {row, 0};

    snprintf(amount, sizeof(amount), "%lld", p->amount);
    snprintf(stale, sizeof(stale), "%lld", stale_s);
    const char *v[] = {p->order_id, p->payer_id, amount,      p->currency,
                       p->brand,    p->last4,    p->provider, stale};
    int rc = group_run(begin_group, db, v, begun_row, &b);
    if (rc < 0) {
        return rc;
    }
    *created = b.created;
    /* Taken: the order's payment, as a new snapshot sees it (the statement's may predate the
     * insert that won). */
    return b.created ? 0 : store_payment_row(db, NULL, p->order_id, row);
}

int
store_payment_json(struct ag_arena *a, PGconn *db, const char *id, const char **out, size_t *len,
                   char payer[PAYMENT_PAYER_ID_MAX + 1])
{
    PGresult *res;
    int rc = run(db, "payment_json", 1, &id, &res);
    if (rc < 0) {
        return rc;
    }
    rc = PQntuples(res) == 1 ? 0 : AG_ENOTFOUND;
    if (rc == 0) {
        text_out(a, res, out, len);
        if (payer != NULL) {
            snprintf(payer, PAYMENT_PAYER_ID_MAX + 1, "%s", PQgetvalue(res, 0, 1));
        }
    }
    PQclear(res);
    return rc;
}

/* The steps of 'c' as payment_apply_many reads them: "FROM>TO:amount,…". */
static const char *
steps_text(struct ag_arena *a, const struct payment_change *c)
{
    size_t size = 8 + c->nsteps * 64, n = 0;
    char *t = ag_arena_alloc(a, size);
    enum payment_status prev = c->from;

    t[0] = '\0';
    for (size_t i = 0; i < c->nsteps; i++) {
        n += (size_t)snprintf(t + n, size - n, "%s%s>%s:%lld", i > 0 ? "," : "",
                              payment_status_name(prev), payment_status_name(c->steps[i]),
                              c->amounts[i]);
        prev = c->steps[i];
    }
    return t;
}

struct applied {
    struct ag_arena *arena;
    const char **out;
    size_t *len;
    int found;
};

static void
applied_row(void *arg, const PGresult *res, int row)
{
    struct applied *ap = arg;
    ap->found = row >= 0;
    if (row >= 0 && ap->out != NULL) {
        *ap->len = (size_t)PQgetlength(res, row, 1);
        *ap->out = ag_arena_strndup(ap->arena, PQgetvalue(res, row, 1), *ap->len);
    }
}

int
store_payment_apply(struct ag_arena *a, PGconn *db, const struct payment_change *c,
                    const char **out, size_t *len)
{
    char captured[24], refunded[24], recheck[24];
    struct applied ap = {a, out, len, 0};

    snprintf(captured, sizeof(captured), "%lld", c->captured);
    snprintf(refunded, sizeof(refunded), "%lld", c->refunded);
    snprintf(recheck, sizeof(recheck), "%lld", c->recheck_s > 0 ? c->recheck_s : 1);
    enum payment_status last = c->nsteps > 0 ? c->steps[c->nsteps - 1] : c->from;
    const char *v[] = {c->id,
                       payment_status_name(c->from),
                       payment_status_name(last),
                       captured,
                       refunded,
                       c->provider_id,
                       c->brand,
                       c->last4,
                       c->failure_code,
                       c->source,
                       recheck,
                       steps_text(a, c)};
    int rc = group_run(apply_group, db, v, applied_row, &ap);
    if (rc < 0) {
        return rc;
    }
    return ap.found ? 0 : AG_ECONFLICT; /* it changed meanwhile */
}

/* A statement whose answer is whether it touched a row: 0, or AG_ENOTFOUND. */
static int
exec_one(PGconn *db, const char *name, int n, const char *const *v)
{
    PGresult *res;
    int rc = run(db, name, n, v, &res);
    if (rc < 0) {
        return rc;
    }
    rc = PQntuples(res) == 1 || PQcmdTuples(res)[0] == '1' ? 0 : AG_ENOTFOUND;
    PQclear(res);
    return rc;
}

int
store_payment_void_intent(PGconn *db, const char *id)
{
    return exec_one(db, "payment_void_intent", 1, &id);
}

int
store_payment_lock(PGconn *db, const char *id, struct payment_row *row)
{
    PGresult *res;
    int rc = run(db, "payment_lock", 1, &id, &res);
    if (rc < 0) {
        return rc;
    }
    rc = PQntuples(res) == 1 ? 0 : AG_ENOTFOUND;
    if (rc == 0) {
        row_read(res, 0, row);
    }
    PQclear(res);
    return rc;
}

int
store_refund_begin(PGconn *db, const char *payment_id, long long amount, const char *reason,
                   long long retry_s, char refund_id[40], struct payment_row *row)
{
    char amt[24], retry[24];
    PGresult *res;

    int rc = store_payment_lock(db, payment_id, row);
    if (rc < 0) {
        return rc;
    }
    snprintf(amt, sizeof(amt), "%lld", amount);
    snprintf(retry, sizeof(retry), "%lld", retry_s);
    const char *v[] = {payment_id, amt, reason, retry};
    rc = run(db, "refund_insert", 4, v, &res);
    if (rc < 0) {
        return rc;
    }
    rc = PQntuples(res) == 1 ? 0 : AG_ECONFLICT; /* not captured, or not that much left */
    if (rc == 0) {
        snprintf(refund_id, 40, "%s", PQgetvalue(res, 0, 0));
    }
    PQclear(res);
    return rc;
}

int
store_refund_finish(PGconn *db, const char *refund_id, const char *status)
{
    const char *v[] = {refund_id, status};
    return exec_one(db, "refund_finish", 2, v);
}

int
store_due_payments(PGconn *db, long long lease_s, struct payment_row *rows, size_t max, size_t *n)
{
    char lease[24], limit[24];
    PGresult *res;

    snprintf(lease, sizeof(lease), "%lld", lease_s);
    snprintf(limit, sizeof(limit), "%zu", max);
    const char *v[] = {lease, limit};
    int rc = run(db, "payments_due", 2, v, &res);
    if (rc < 0) {
        return rc;
    }
    *n = 0;
    for (int i = 0; i < PQntuples(res) && *n < max; i++) {
        row_read(res, i, &rows[(*n)++]);
    }
    PQclear(res);
    return 0;
}

int
store_due_refunds(PGconn *db, long long lease_s, struct refund_due *rows, size_t max, size_t *n)
{
    char lease[24], limit[24];
    PGresult *res;

    snprintf(lease, sizeof(lease), "%lld", lease_s);
    snprintf(limit, sizeof(limit), "%zu", max);
    const char *v[] = {lease, limit};
    int rc = run(db, "refunds_due", 2, v, &res);
    if (rc < 0) {
        return rc;
    }
    *n = 0;
    for (int i = 0; i < PQntuples(res) && *n < max; i++) {
        struct refund_due *r = &rows[(*n)++];
        snprintf(r->id, sizeof(r->id), "%s", PQgetvalue(res, i, 0));
        snprintf(r->payment_id, sizeof(r->payment_id), "%s", PQgetvalue(res, i, 1));
        snprintf(r->provider_id, sizeof(r->provider_id), "%s", PQgetvalue(res, i, 2));
        r->amount = strtoll(PQgetvalue(res, i, 3), NULL, 10);
    }
    PQclear(res);
    return 0;
}

int
store_webhook_seen(PGconn *db, const char *provider, const struct pay_event *ev, int *fresh)
{
    const char *ref = ev->has_view ? ev->view.reference : NULL;
    int ours = ref != NULL && payment_uuid_check((struct ag_str){ref, strlen(ref)}) == 0;
    const char *v[] = {provider, ev->id, ev->type, ev->has_view ? ev->view.id : NULL,
                       ours ? ref : NULL};
    PGresult *res;
    int rc = run(db, "webhook_seen", 5, v, &res);
    if (rc < 0) {
        return rc;
    }
    *fresh = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "1") == 0;
    PQclear(res);
    return 0;
}
