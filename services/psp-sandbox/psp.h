/*
 * The card provider sandbox: a stand-in for an external payment provider, so that the payment
 * service's adapter meets real HTTP, declines, timeouts, server errors and signed webhooks.
 * Its state lives in memory (a sandbox forgets at restart, as a provider's test mode may).
 */
#ifndef PSP_H
#define PSP_H

#include <pthread.h>
#include <stddef.h>

#include <jansson.h>

#include "agora/embed.h"
#include "agora/http.h"
#include "agora/mem.h"

#define PSP_ID_LEN        28 /* "pay_" + 24 hex; a token is "tok_" + 24 hex */
#define PSP_KEY_MAX       255
#define PSP_AMOUNT_MAX    1000000000000LL
#define PSP_REFERENCE_MAX 64
#define PSP_WEBHOOK_URLS  4

struct psp_config {
    long long port;
    char *bind;
    long long threads;
    char *api_key;
    char *webhook_urls;
    char *webhook_secret;
    long long webhook_retries;
    long long webhook_timeout_ms;
    long long slow_ms;
    long long max_payments;
    char *log_level;
    int access_log;
};

enum psp_status {
    PSP_PROCESSING, /* the slow card while it sleeps: visible to reads, not yet decided */
    PSP_AUTHORIZED,
    PSP_DECLINED,
    PSP_CAPTURED,
    PSP_PARTIALLY_REFUNDED,
    PSP_REFUNDED,
    PSP_VOIDED,
};

/* What a test card does (psp.c). */
enum psp_card_kind {
    PSP_CARD_APPROVE,
    PSP_CARD_INSUFFICIENT_FUNDS,
    PSP_CARD_STOLEN,
    PSP_CARD_SLOW,      /* approves, after AGORA_PSP_SLOW_MS */
    PSP_CARD_FAIL_ONCE, /* 500 on the first attempt of an idempotency key, then approves */
};

struct psp_payment {
    char id[PSP_ID_LEN + 1];
    enum psp_status status;
    long long amount, captured, refunded;
    char currency[4];
    char brand[12];
    char last4[5];
    const char *decline_code; /* static string or NULL */
    char reference[PSP_REFERENCE_MAX + 1];
    long long created_ms, updated_ms;
};

/* psp.c: rules with no HTTP in them. */
enum psp_card_kind psp_card_kind(struct ag_str number);
const char *psp_status_name(enum psp_status s);
json_t *psp_payment_to_json(const struct psp_payment *p);
/* "t=<unix>,v1=<hex HMAC-SHA256 of '<unix>.<body>'>" into 'out' (at least 96 bytes). */
void psp_sign(const char *secret, long long unix_s, const char *body, size_t len, char *out,
              size_t size);

/* store.c: payments and idempotency records in memory. All calls are thread-safe. */
struct psp_store;
struct psp_store *psp_store_new(size_t max_payments);
void psp_store_free(struct psp_store *s);
/* Adds 'p' (copied; its id is made here). AG_EUNAVAIL when the store is full. */
int psp_store_add(struct psp_store *s, struct psp_payment *p);
/* A copy of payment 'id', or AG_ENOTFOUND. */
int psp_store_get(struct psp_store *s, const char *id, struct psp_payment *out);
/* Copies of up to 'max' payments whose reference is 'ref', newest first; the count. */
size_t psp_store_by_reference(struct psp_store *s, const char *ref, struct psp_payment *out,
                              size_t max);
/* A card token: 'id' made here for 'number' (digits, copied). AG_EUNAVAIL when full. */
int psp_store_token_add(struct psp_store *s, const char *number, char id[PSP_ID_LEN + 1]);
/* The card number of token 'id' into 'number' (20 bytes), or AG_ENOTFOUND. */
int psp_store_token_get(struct psp_store *s, const char *id, char number[20]);
/* Runs 'fn' on payment 'id' under the store's lock; 'fn' returns 0 (kept) or an AG_E* code. */
typedef int (*psp_change_fn)(struct psp_payment *p, void *arg);
int psp_store_change(struct psp_store *s, const char *id, psp_change_fn fn, void *arg,
                     struct psp_payment *out);
/*
 * Idempotency of POST requests by the caller's key: psp_store_key_begin answers 0 and the
 * stored status and body (in 'a') for a replay, AG_ENOTFOUND when the key is new (now taken
 * by this request), AG_EINFLIGHT while the first is running, AG_EIDEMMISMATCH for another
 * fingerprint. psp_store_key_end stores the answer (status 0: forgets the key, so a retry
 * runs again). psp_store_key_failed_once tells (and records) whether this key already had
 * its one failure.
 */
int psp_store_key_begin(struct psp_store *s, struct ag_arena *a, const char *key,
                        const char *fingerprint, int *status, const char **body);
void psp_store_key_end(struct psp_store *s, const char *key, int status, const char *body,
                       size_t len);
int psp_store_key_failed_once(struct psp_store *s, const char *key);

/* webhook.c: signed event deliveries with retries, on their own thread. */
struct psp_webhooks;
struct psp_webhooks *psp_webhooks_new(const struct psp_config *cfg);
void psp_webhooks_free(struct psp_webhooks *w);
/* Queues event 'type' ("payment.captured") about 'p' for every configured URL. */
void psp_webhooks_send(struct psp_webhooks *w, const char *type, const struct psp_payment *p);

/* What handlers reach through req->app. */
struct psp_app {
    const struct psp_config *cfg;
    struct psp_store *store;
    struct psp_webhooks *webhooks;
};

extern const struct ag_route psp_routes[];
extern const size_t psp_nroutes;
extern const struct ag_embed_file psp_openapi[];

#endif
