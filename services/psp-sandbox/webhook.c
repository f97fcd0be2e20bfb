/*
 * Webhooks: every status change becomes an event, signed with AGORA_PSP_WEBHOOK_SECRET
 * (header Psp-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">), delivered to
 * every URL of AGORA_PSP_WEBHOOK_URLS by one thread, and retried on failure (any answer but
 * 2xx) after 0.5, 1, 2, 4… seconds, AGORA_PSP_WEBHOOK_RETRIES times. Pending deliveries are
 * bounded; past the bound an event is dropped with a warning (a provider's dashboard would
 * show it; the payment service's reconciler does not depend on webhooks).
 */
#include "psp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "agora/clock.h"
#include "agora/err.h"
#include "agora/httpc.h"
#include "agora/json.h"
#include "agora/log.h"

#define PENDING_MAX 10000

struct delivery {
    struct delivery *next;
    const char *url; /* borrowed from the config */
    char *body;      /* owned */
    size_t len;
    long long due_ms;
    int attempts;
};

struct psp_webhooks {
    const struct psp_config *cfg;
    char *urls[PSP_WEBHOOK_URLS]; /* owned */
    size_t nurls;
    struct ag_httpc *http;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct delivery *queue; /* unordered; short */
    size_t pending;
    int stop;
};

/* Takes one due delivery off the queue, or says how long until the next (-1: none). */
static struct delivery *
take_due(struct psp_webhooks *w, long long *wait_ms)
{
    long long now = ag_clock_ms(), soonest = -1;
    for (struct delivery **at = &w->queue; *at != NULL; at = &(*at)->next) {
        if ((*at)->due_ms <= now) {
            struct delivery *d = *at;
            *at = d->next;
            return d;
        }
        if (soonest < 0 || (*at)->due_ms - now < soonest) {
            soonest = (*at)->due_ms - now;
        }
    }
    *wait_ms = soonest;
    return NULL;
}

static int
deliver(struct psp_webhooks *w, const struct delivery *d)
{
    char sig[128], header[160];
    struct ag_httpc_resp resp;

    psp_sign(w->cfg->webhook_secret, (long long)time(NULL), d->body, d->len, sig, sizeof(sig));
    snprintf(header, sizeof(header), "Psp-Signature: %s", sig);
    const char *headers[] = {header, NULL};
    int rc = ag_httpc_request(w->http, "POST", d->url, headers, d->body, d->len, NULL, &resp);
    int ok = rc == 0 && resp.status >= 200 && resp.status < 300;
    ag_httpc_resp_release(&resp);
    return ok;
}

static void *
webhooks_main(void *arg)
{
    struct psp_webhooks *w = arg;

    pthread_mutex_lock(&w->lock);
    while (!w->stop) {
        long long wait_ms;
        struct delivery *d = take_due(w, &wait_ms);
        if (d == NULL) {
            if (wait_ms < 0) {
                pthread_cond_wait(&w->wake, &w->lock);
            } else {
                struct timespec until;
                clock_gettime(CLOCK_REALTIME, &until);
                long long ns = until.tv_nsec + (wait_ms % 1000) * 1000000LL;
                until.tv_sec += (time_t)(wait_ms / 1000 + ns / 1000000000LL);
                until.tv_nsec = (long)(ns % 1000000000LL);
                pthread_cond_timedwait(&w->wake, &w->lock, &until);
            }
            continue;
        }
        pthread_mutex_unlock(&w->lock);
        int ok = deliver(w, d);
        pthread_mutex_lock(&w->lock);
        d->attempts++;
        if (ok || d->attempts > w->cfg->webhook_retries) {
            if (!ok) {
                ag_log(AG_LOG_WARN, NULL, "webhook to '%s' given up after %d attempts", d->url,
                       d->attempts);
            }
            w->pending--;
            ag_free(d->body);
            ag_free(d);
            continue;
        }
        int step = d->attempts > 1 ? d->attempts - 1 : 0;
        d->due_ms = ag_clock_ms() + (500LL << (step < 10 ? step : 10));
        d->next = w->queue;
        w->queue = d;
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

struct psp_webhooks *
psp_webhooks_new(const struct psp_config *cfg)
{
    struct psp_webhooks *w = ag_xcalloc(1, sizeof(*w));
    w->cfg = cfg;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    for (const char *p = cfg->webhook_urls; *p != '\0' && w->nurls < PSP_WEBHOOK_URLS;) {
        const char *end = strchr(p, ',');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
        if (n > 0) {
            w->urls[w->nurls++] = ag_xstrndup(p, n);
        }
        p += n + (end != NULL);
    }
    w->http = ag_httpc_new(4, (int)cfg->webhook_timeout_ms, 0);
    if (w->http == NULL || pthread_create(&w->thread, NULL, webhooks_main, w) != 0) {
        ag_httpc_free(w->http);
        for (size_t i = 0; i < w->nurls; i++) {
            ag_free(w->urls[i]);
        }
        ag_free(w);
        return NULL;
    }
    return w;
}

void
psp_webhooks_free(struct psp_webhooks *w)
{
    if (w == NULL) {
        return;
    }
    pthread_mutex_lock(&w->lock);
    w->stop = 1;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    for (struct delivery *d = w->queue, *next; d != NULL; d = next) {
        next = d->next;
        ag_free(d->body);
        ag_free(d);
    }
    ag_httpc_free(w->http);
    for (size_t i = 0; i < w->nurls; i++) {
        ag_free(w->urls[i]);
    }
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    ag_free(w);
}

void
psp_webhooks_send(struct psp_webhooks *w, const char *type, const struct psp_payment *p)
{
    unsigned char raw[12];
    char id[4 + 2 * sizeof(raw) + 1] = "evt_";

    if (w == NULL || w->nurls == 0) {
        return;
    }
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(id + 4, sizeof(id) - 4, raw, sizeof(raw));
    json_t *event = json_pack("{s:s,s:s,s:I,s:o}", "id", id, "type", type, "created",
                              (json_int_t)time(NULL), "data", psp_payment_to_json(p));
    struct ag_arena a;
    size_t len;
    ag_arena_init(&a);
    const char *text = ag_json_dump(&a, event, &len);
    json_decref(event);
    pthread_mutex_lock(&w->lock);
    for (size_t i = 0; i < w->nurls; i++) {
        if (w->pending >= PENDING_MAX) {
            ag_log(AG_LOG_WARN, NULL, "webhook queue full: event %s dropped", id);
            break;
        }
        struct delivery *d = ag_xcalloc(1, sizeof(*d));
        d->url = w->urls[i];
        d->len = len;
        d->body = ag_xstrndup(text, len);
        d->due_ms = ag_clock_ms();
        d->next = w->queue;
        w->queue = d;
        w->pending++;
    }
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    ag_arena_release(&a);
}
