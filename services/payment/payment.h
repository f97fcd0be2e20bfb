/*
 * The payment service's own declarations, shared by main.c, handlers.c, payment.c, store.c,
 * background.c and the provider adapters (provider.h).
 */
#ifndef PAYMENT_H
#define PAYMENT_H

#include <stddef.h>

#include <jansson.h>

#include "agora/db.h"
#include "agora/embed.h"
#include "agora/http.h"
#include "agora/kv.h"
#include "agora/mem.h"

#define PAYMENT_ORDER_ID_MAX   64
#define PAYMENT_PAYER_ID_MAX   64
#define PAYMENT_TOKEN_MAX      64
#define PAYMENT_REASON_MAX     200
#define PAYMENT_CURRENCIES_MAX 16
#define PAYMENT_STEPS_MAX      6 /* transitions one change may go through */

/* Configuration, parsed once at start (main.c). */
struct payment_config {
    long long port;
    char *bind;
    long long threads;
    char *database_url;
    long long db_pool;
    char *redis_url;
    char *internal_token;
    char *jwt_public_key_file;
    char *jwt_extra_public_keys;
    char *jwt_issuer;
    char *jwt_audience;
    char *log_level;
    int access_log;
    int migrate;
    char *provider;
    long long provider_timeout_ms;
    long long provider_retries;
    char *sandbox_url;
    char *sandbox_api_key;
    char *sandbox_webhook_secret;
    char *currencies;
    long long max_amount;
    long long webhook_tolerance_s;
    long long reconcile_s;
    long long stale_s;
    long long not_found_fail_s;
    long long outbox_ms;
};

/* A payment's states (payment.c has their names and the transitions between them). */
enum payment_status {
    PAYMENT_PENDING,
    PAYMENT_AUTHORIZED,
    PAYMENT_CAPTURED,
    PAYMENT_PARTIALLY_REFUNDED,
    PAYMENT_REFUNDED,
    PAYMENT_FAILED,
    PAYMENT_VOIDED,
    PAYMENT_UNKNOWN,
    PAYMENT_NSTATUS,
};

struct pay_provider;

/* What handlers and the background thread reach through req->app. */
struct payment_app {
    const struct payment_config *cfg;
    const struct pay_provider *provider; /* static */
    void *provider_ctx;                  /* the provider's own; owned by main */
    char currencies[PAYMENT_CURRENCIES_MAX][4];
    size_t ncurrencies;
};

/*
 * A change of one payment, as payment.c plans it and store.c applies it in one statement:
 * the row moves from 'from' (which it must still be in) through 'steps' to the last of them,
 * each step an event row and an outbox row.
 */
struct payment_change {
    const char *id;
    enum payment_status from;
    enum payment_status steps[PAYMENT_STEPS_MAX];
    long long amounts[PAYMENT_STEPS_MAX]; /* each event's amount */
    size_t nsteps;
    long long captured, refunded; /* the row's new figures */
    const char *provider_id;      /* NULL: unchanged */
    const char *brand, *last4;    /* NULL: unchanged */
    const char *failure_code;     /* NULL: unchanged */
    const char *source;           /* "api", "reconciler", "webhook" */
    long long recheck_s;          /* when UNKNOWN: seconds to the reconciler's next look */
};

/* A payment row as the service reasons about it (store.c fills it). */
struct payment_row {
    char id[40];
    char order_id[PAYMENT_ORDER_ID_MAX + 1];
    char provider_id[72];
    enum payment_status status;
    long long amount, captured, refunded, pending_refunds;
    char currency[4];
    int void_intent; /* a void was asked while the outcome was unknown */
    long long age_s; /* since the last change */
};

/* payment.c: rules with no HTTP or SQL in them. */
const char *payment_status_name(enum payment_status s);
int payment_status_parse(const char *s, enum payment_status *out);
/* Whether 'from' → 'to' is one allowed transition (the table the SQL schema also holds). */
int payment_transition_ok(enum payment_status from, enum payment_status to);
/* The shortest chain of transitions from 'from' to 'to' into 'steps' (at most
 * PAYMENT_STEPS_MAX): its length, 0 when equal, or AG_ECONFLICT when 'to' cannot be reached. */
int payment_path(enum payment_status from, enum payment_status to,
                 enum payment_status steps[PAYMENT_STEPS_MAX]);
/* 1..64 of [A-Za-z0-9_-]: 0, or AG_EINVAL with 'why'. */
int payment_id_text_check(struct ag_str s, const char **why);
/* A payer: a member's id or a guest's subject ("guest:…"), 1..64 of [A-Za-z0-9_:-]. */
int payment_payer_check(struct ag_str s, const char **why);
/* A UUID as PostgreSQL prints it (36 characters, lowercase hex and dashes): 0 or AG_EINVAL. */
int payment_uuid_check(struct ag_str s);
/* Parses AGORA_PAYMENT_CURRENCIES ("KRW,USD") into 'app'. 0 or AG_EINVAL. */
int payment_currencies_parse(struct payment_app *app, const char *list);
int payment_currency_ok(const struct payment_app *app, struct ag_str c);

/* store.c: every SQL statement. Each returns 0 or an AG_E* code. */
/* Joins concurrent charges' two statements into one each (agora/group.h), with at most
 * 'max_running' of each at once; until then (and after store_groups_free) each runs alone. */
void store_groups_init(struct ag_db_pool *pool, int max_running, long linger_us);
void store_groups_free(void);
extern const struct ag_db_stmt payment_stmts[];
extern const size_t payment_nstmts;
/* JSON text of a payment ('*out' in 'a'), as the API shows it. */
struct payment_new {
    const char *order_id, *payer_id;
    long long amount;
    const char *currency;
    const char *brand, *last4; /* NULL when paid by token */
    const char *provider;
};
/* Inserts a PENDING payment for an order (the reconciler takes it after 'stale_s' if it is
 * still PENDING then): '*created' 1 and the row, or 0 and the order's existing payment. */
int store_payment_begin(PGconn *db, const struct payment_new *p, long long stale_s,
                        struct payment_row *row, int *created);
/* The payment 'id' (or, id NULL, of 'order_id'): 0 or AG_ENOTFOUND. */
int store_payment_row(PGconn *db, const char *id, const char *order_id, struct payment_row *row);
/* The payment's JSON ('*out' in 'a') and its payer ("" when none). */
int store_payment_json(struct ag_arena *a, PGconn *db, const char *id, const char **out,
                       size_t *len, char payer[PAYMENT_PAYER_ID_MAX + 1]);
/* Applies 'c' (AG_ECONFLICT when the row is no longer in c->from); '*out' (may be NULL) the
 * payment's JSON. */
int store_payment_apply(struct ag_arena *a, PGconn *db, const struct payment_change *c,
                        const char **out, size_t *len);
/* A void asked of an UNKNOWN payment, for the reconciler: 0, or AG_ENOTFOUND (not UNKNOWN). */
int store_payment_void_intent(PGconn *db, const char *id);
/* The payment locked (FOR UPDATE, in the caller's transaction), with its refunds in flight. */
int store_payment_lock(PGconn *db, const char *id, struct payment_row *row);
/* Refunds, in the caller's transaction: the payment locked, then a PENDING refund of
 * 'amount' held against what is left (AG_ECONFLICT when the payment is not captured or not
 * that much is left; 'row' says what there is). The reconciler may retry it after 'retry_s'. */
int store_refund_begin(PGconn *db, const char *payment_id, long long amount, const char *reason,
                       long long retry_s, char refund_id[40], struct payment_row *row);
/* 'status' SUCCEEDED, FAILED or UNKNOWN: 0, or AG_ENOTFOUND when it already ended. */
int store_refund_finish(PGconn *db, const char *refund_id, const char *status);
/* Work for the reconciler: up to 'max' payments, each leased for 'lease_s'. */
int store_due_payments(PGconn *db, long long lease_s, struct payment_row *rows, size_t max,
                       size_t *n);
/* Refunds left PENDING or UNKNOWN, leased the same way (and marked UNKNOWN). */
struct refund_due {
    char id[40], payment_id[40], provider_id[72];
    long long amount;
};
int store_due_refunds(PGconn *db, long long lease_s, struct refund_due *rows, size_t max,
                      size_t *n);
/* A webhook event, recorded once by its id: '*fresh' 0 when it was already. A fresh one
 * about an UNKNOWN payment (by the provider's id or ours) makes the reconciler look now. */
struct pay_event;
int store_webhook_seen(PGconn *db, const char *provider, const struct pay_event *ev, int *fresh);
/* Publishes up to 'max' outbox rows to their Redis streams, oldest first: '*n' published. */

/* settle.c: bringing a payment to what the provider says it is (API, reconciler, webhook). */
struct pay_view;
/*
 * Plans and applies the change from 'row' to 'view' (the provider's record) with 'source';
 * 'unknown' makes a payment whose provider did not answer UNKNOWN. '*out' (may be NULL) the
 * payment's JSON. AG_ECONFLICT when the row changed meanwhile.
 */
int payment_settle(struct ag_arena *a, PGconn *db, const struct payment_row *row,
                   const struct pay_view *view, const char *source, long long recheck_s,
                   const char **out, size_t *len);
int payment_mark_unknown(struct ag_arena *a, PGconn *db, const struct payment_row *row,
                         const char *provider_id, const char *source, long long recheck_s,
                         const char **out, size_t *len);
int payment_mark_failed(struct ag_arena *a, PGconn *db, const struct payment_row *row,
                        const char *code, const char *source, const char **out, size_t *len);
/* A refund of 'amount' that the provider made, added to the payment. */
int payment_refunded(struct ag_arena *a, PGconn *db, const struct payment_row *row,
                     long long amount, const char *source, const char **out, size_t *len);
/* settle.c: a refund the provider made, in one transaction: the refund SUCCEEDED and the
 * payment's figures. AG_ENOTFOUND when another already finished it. */
int payment_refund_settle(struct ag_arena *a, PGconn *db, const char *refund_id,
                          const char *payment_id, long long amount, const char *source,
                          const char **text, size_t *len);

/* background.c: the reconciler and the outbox relay, on one thread. */
struct payment_background;
struct payment_background *payment_background_start(struct payment_app *app, struct ag_db_pool *db,
                                                    struct ag_kv_pool *kv);
void payment_background_stop(struct payment_background *b);
/* One reconciler pass now (tests and the thread): payments and refunds looked at. */
int payment_reconcile_once(struct payment_app *app, PGconn *db, size_t *n);

/* handlers.c */
extern const struct ag_route payment_routes[];
extern const size_t payment_nroutes;

/* Embedded at build (CMakeLists.txt). */
extern const struct ag_embed_file payment_schema[];
extern const size_t payment_schema_count;
extern const struct ag_embed_file payment_openapi[];

#endif
