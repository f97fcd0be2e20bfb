/*
 * The card provider interface: what the payment service needs of any provider (authorize,
 * capture, void, refund, fetch, verify a webhook). Each provider is one file that fills a
 * struct pay_provider (provider_sandbox.c); providers.c lists them, and
 * AGORA_PAYMENT_PROVIDER picks one by name.
 *
 * Every call answers one of the outcomes below and, when the provider answered with a
 * payment, fills a struct pay_view: the payment as the provider has it, which the service
 * then settles its own record to (settle.c).
 */
#ifndef PAYMENT_PROVIDER_H
#define PAYMENT_PROVIDER_H

#include <stddef.h>

#include "agora/http.h"

struct payment_config;

enum pay_outcome {
    PAY_OK,        /* the provider answered with the payment: see the view */
    PAY_REJECTED,  /* the provider refused the request (bad card, wrong state): see message */
    PAY_NOT_FOUND, /* the provider has no such payment */
    PAY_UNKNOWN,   /* no answer in time, a server error or still in flight: outcome unknown */
};

/* The payment's state at the provider. */
enum pay_pstatus {
    PAY_P_PROCESSING,
    PAY_P_AUTHORIZED,
    PAY_P_DECLINED,
    PAY_P_CAPTURED,
    PAY_P_PARTIALLY_REFUNDED,
    PAY_P_REFUNDED,
    PAY_P_VOIDED,
};

struct pay_view {
    char id[72]; /* the provider's payment id */
    enum pay_pstatus status;
    long long amount, captured, refunded;
    char currency[4];
    char brand[16], last4[5];
    char decline_code[40];
    char reference[72]; /* ours (the payment's id), as the authorize call gave it */
    char message[160];  /* PAY_REJECTED: why, for logs and the caller */
};

/* What to authorize. Exactly one of card_number and token is set. */
struct pay_authorize {
    long long amount;
    const char *currency;
    const char *card_number;
    const char *token;
    const char *reference; /* our payment id: the provider can find the payment by it */
    int capture;           /* capture at once, in the same call (one round trip, one event) */
};

/* A verified webhook event. */
struct pay_event {
    char id[72];
    char type[48];
    int has_view; /* the event carries the payment */
    struct pay_view view;
};

struct pay_provider {
    const char *name; /* "sandbox": AGORA_PAYMENT_PROVIDER and /api/payments/webhooks/{name} */
    /* Its context from the configuration; NULL (logged) when it cannot run. */
    void *(*open)(const struct payment_config *cfg);
    void (*close)(void *ctx);
    /* Each takes the caller's idempotency key for the provider ('key'), so that a retry is
     * the same request, and the request id for the provider's logs (may be NULL). */
    enum pay_outcome (*authorize)(void *ctx, const struct pay_authorize *in, const char *key,
                                  const char *request_id, struct pay_view *out);
    enum pay_outcome (*capture)(void *ctx, const char *provider_id, long long amount,
                                const char *key, const char *request_id, struct pay_view *out);
    enum pay_outcome (*void_auth)(void *ctx, const char *provider_id, const char *key,
                                  const char *request_id, struct pay_view *out);
    enum pay_outcome (*refund)(void *ctx, const char *provider_id, long long amount,
                               const char *key, const char *request_id, struct pay_view *out);
    /* By the provider's id, or (provider_id NULL) by our reference: the newest payment. */
    enum pay_outcome (*fetch)(void *ctx, const char *provider_id, const char *reference,
                              const char *request_id, struct pay_view *out);
    /*
     * Checks a webhook delivery: its signature over the body and a timestamp no further than
     * 'tolerance_s' from 'now_s'. 0 and the event, or AG_EUNAUTH (bad or missing signature,
     * timestamp out of range) / AG_EINVAL (not an event), with 'why' set.
     */
    int (*verify_webhook)(void *ctx, struct ag_req *req, long long now_s, long long tolerance_s,
                          struct pay_event *out, const char **why);
};

/* providers.c: the provider named 'name', or NULL. */
const struct pay_provider *pay_provider_find(const char *name);
/* "sandbox" and the rest, comma-separated, for messages. Static. */
const char *pay_provider_names(void);

extern const struct pay_provider pay_sandbox_provider;

#endif
