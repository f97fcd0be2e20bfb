/*
 * The card provider sandbox: configuration, its memory, the webhook sender, route table,
 * ag_serve().
 */
#include "psp.h"

#include <stddef.h>
#include <stdio.h>

#include "agora/config.h"
#include "agora/err.h"
#include "agora/log.h"
#include "agora/svc.h"

#define CFG(field) offsetof(struct psp_config, field)

static const struct ag_config_var psp_config_vars[] = {
    {"AGORA_PSP_SANDBOX_PORT", AG_CONFIG_INT, CFG(port), 1, 65535, "5900",
     "card provider sandbox port", 0},
    {"AGORA_PSP_SANDBOX_BIND", AG_CONFIG_STR, CFG(bind), 7, 45, "127.0.0.1",
     "address to listen on (IPv4)", 0},
    {"AGORA_PSP_SANDBOX_THREADS", AG_CONFIG_INT, CFG(threads), 1, 256, "8",
     "HTTP worker threads (the slow test card holds one for AGORA_PSP_SLOW_MS)", 0},
    {"AGORA_PSP_API_KEY", AG_CONFIG_STR, CFG(api_key), 0, 256, "",
     "the key callers send as Authorization: Bearer; empty = no key asked", 1},
    {"AGORA_PSP_WEBHOOK_URLS", AG_CONFIG_STR, CFG(webhook_urls), 0, 4096, "",
     "comma-separated URLs (at most 4) that get the signed events; empty = none", 0},
    {"AGORA_PSP_WEBHOOK_SECRET", AG_CONFIG_STR, CFG(webhook_secret), 0, 256, "",
     "key of the events' HMAC-SHA256 signature (Psp-Signature)", 1},
    {"AGORA_PSP_WEBHOOK_RETRIES", AG_CONFIG_INT, CFG(webhook_retries), 0, 20, "5",
     "deliveries retried this many times, after 0.5, 1, 2, 4… seconds", 0},
    {"AGORA_PSP_WEBHOOK_TIMEOUT_MS", AG_CONFIG_INT, CFG(webhook_timeout_ms), 100, 60000, "2000",
     "timeout of one delivery", 0},
    {"AGORA_PSP_SLOW_MS", AG_CONFIG_INT, CFG(slow_ms), 0, 60000, "5000",
     "how long the slow test card (4000000000000077) takes to answer", 0},
    {"AGORA_PSP_MAX_PAYMENTS", AG_CONFIG_INT, CFG(max_payments), 1, 10000000, "1000000",
     "payments (and idempotency keys) kept in memory at most; past it 503", 0},
    {"AGORA_LOG_LEVEL", AG_CONFIG_STR, CFG(log_level), 4, 5, "info", "debug, info, warn or error",
     0},
    {"AGORA_ACCESS_LOG", AG_CONFIG_BOOL, CFG(access_log), 0, 1, "true", "one log line per request",
     0},
};
#define NVARS (sizeof(psp_config_vars) / sizeof(psp_config_vars[0]))

static int
serve(const struct psp_config *cfg)
{
    struct psp_app app = {.cfg = cfg};
    int rc;

    if (cfg->webhook_urls[0] != '\0' && cfg->webhook_secret[0] == '\0') {
        fprintf(stderr, "config: AGORA_PSP_WEBHOOK_SECRET is required with webhook URLs\n");
        return AG_EINVAL;
    }
    app.store = psp_store_new((size_t)cfg->max_payments);
    app.webhooks = psp_webhooks_new(cfg);
    if (app.webhooks == NULL) {
        rc = AG_EINTERNAL;
        goto out;
    }
    struct ag_service svc = {
        .name = "psp-sandbox",
        .version = "0.1.0",
        .routes = psp_routes,
        .nroutes = psp_nroutes,
        .openapi_yaml = psp_openapi[0].text,
        .app = &app,
        .bind = cfg->bind,
        .port = (int)cfg->port,
        .threads = (int)cfg->threads,
        .access_log = cfg->access_log,
    };
    rc = ag_serve(&svc);
out:
    psp_webhooks_free(app.webhooks); /* after the server stopped: nothing is queued anew */
    psp_store_free(app.store);
    return rc;
}

static int
serve_main(const void *cfg)
{
    return serve(cfg);
}

int
main(int argc, char **argv)
{
    struct psp_config cfg;
    const struct ag_svc_main m = {
        .name = "psp-sandbox",
        .vars = psp_config_vars,
        .nvars = NVARS,
        .cfg = &cfg,
        .cfg_size = sizeof(cfg),
        .log_level_field = CFG(log_level),
        .routes = psp_routes,
        .nroutes = psp_nroutes,
        .openapi_yaml = psp_openapi[0].text,
        .serve = serve_main,
    };
    return ag_svc_main(argc, argv, &m);
}
