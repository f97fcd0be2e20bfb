/*
 * The payment service: configuration, the provider, pools, migrations, the background
 * thread (outbox relay and reconciler), route table, ag_serve().
 */
#include "payment.h"

#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

#include "provider.h"

#include "agora/config.h"
#include "agora/err.h"
#include "agora/log.h"
#include "agora/svc.h"

#define CFG(field) offsetof(struct payment_config, field)

static const struct ag_config_var payment_config_vars[] = {
    {"AGORA_PAYMENT_PORT", AG_CONFIG_INT, CFG(port), 1, 65535, "5300", "payment API port", 0},
    {"AGORA_PAYMENT_BIND", AG_CONFIG_STR, CFG(bind), 7, 45, "127.0.0.1",
     "address to listen on (IPv4)", 0},
    {"AGORA_PAYMENT_THREADS", AG_CONFIG_INT, CFG(threads), 0, 256, "0",
     "HTTP worker threads (each waits on the provider in turn); 0 = 24 per core", 0},
    {"AGORA_PAYMENT_DATABASE_URL", AG_CONFIG_STR, CFG(database_url), 1, 1024,
     "postgresql://agora@127.0.0.1:15432/payment", "PostgreSQL connection URI of the payment DB",
     1},
    {"AGORA_PAYMENT_DB_POOL", AG_CONFIG_INT, CFG(db_pool), 0, 512, "0",
     "database connections at most; 0 = threads + 6", 0},
    {"AGORA_REDIS_URL", AG_CONFIG_STR, CFG(redis_url), 1, 1024, "redis://127.0.0.1:16379/0",
     "Redis URL (sessions, counters, locks, event streams)", 1},
    {"AGORA_INTERNAL_TOKEN", AG_CONFIG_STR, CFG(internal_token), 0, 256, "",
     "shared secret for /internal/ calls between services; empty disables them", 1},
    {"AGORA_JWT_PUBLIC_KEY_FILE", AG_CONFIG_STR, CFG(jwt_public_key_file), 1, 4096,
     "var/keys/jwt-ed25519.pub.pem", "Ed25519 public key (PEM) that access tokens verify with", 0},
    {"AGORA_JWT_EXTRA_PUBLIC_KEYS", AG_CONFIG_STR, CFG(jwt_extra_public_keys), 0, 4096, "",
     "comma-separated public key files also accepted (key rotation)", 0},
    {"AGORA_JWT_ISSUER", AG_CONFIG_STR, CFG(jwt_issuer), 1, 127, "agora-auth",
     "expected 'iss' of access tokens", 0},
    {"AGORA_JWT_AUDIENCE", AG_CONFIG_STR, CFG(jwt_audience), 1, 127, "agora",
     "expected 'aud' of access tokens", 0},
    {"AGORA_LOG_LEVEL", AG_CONFIG_STR, CFG(log_level), 4, 5, "info", "debug, info, warn or error",
     0},
    {"AGORA_ACCESS_LOG", AG_CONFIG_BOOL, CFG(access_log), 0, 1, "true", "one log line per request",
     0},
    {"AGORA_PAYMENT_MIGRATE", AG_CONFIG_BOOL, CFG(migrate), 0, 1, "true",
     "apply pending schema migrations at start", 0},
    {"AGORA_PAYMENT_PROVIDER", AG_CONFIG_STR, CFG(provider), 1, 32, "sandbox",
     "the card provider: sandbox", 0},
    {"AGORA_PAYMENT_PROVIDER_TIMEOUT_MS", AG_CONFIG_INT, CFG(provider_timeout_ms), 100, 60000,
     "3000", "how long one call to the provider may take; past it the payment is UNKNOWN", 0},
    {"AGORA_PAYMENT_PROVIDER_RETRIES", AG_CONFIG_INT, CFG(provider_retries), 0, 5, "1",
     "more attempts (same idempotency key) after a provider error or timeout", 0},
    {"AGORA_PSP_SANDBOX_URL", AG_CONFIG_STR, CFG(sandbox_url), 1, 900, "http://127.0.0.1:5900",
     "the sandbox provider's base URL", 0},
    {"AGORA_PSP_API_KEY", AG_CONFIG_STR, CFG(sandbox_api_key), 0, 256, "",
     "the sandbox provider's API key", 1},
    {"AGORA_PSP_WEBHOOK_SECRET", AG_CONFIG_STR, CFG(sandbox_webhook_secret), 0, 256, "",
     "the key the sandbox signs its webhooks with; empty refuses them all", 1},
    {"AGORA_PAYMENT_CURRENCIES", AG_CONFIG_STR, CFG(currencies), 3, 63, "KRW,USD",
     "currencies accepted (comma-separated ISO 4217 codes)", 0},
    {"AGORA_PAYMENT_MAX_AMOUNT", AG_CONFIG_INT, CFG(max_amount), 1, 1000000000000LL, "100000000",
     "the largest payment or refund, in minor units", 0},
    {"AGORA_PAYMENT_WEBHOOK_TOLERANCE_S", AG_CONFIG_INT, CFG(webhook_tolerance_s), 1, 3600, "300",
     "how far a webhook's signed timestamp may be from now", 0},
    {"AGORA_PAYMENT_RECONCILE_S", AG_CONFIG_INT, CFG(reconcile_s), 1, 3600, "5",
     "how often UNKNOWN payments and refunds are asked of the provider", 0},
    {"AGORA_PAYMENT_STALE_S", AG_CONFIG_INT, CFG(stale_s), 1, 86400, "60",
     "a payment or refund still PENDING after this is the reconciler's (its caller died)", 0},
    {"AGORA_PAYMENT_NOT_FOUND_FAIL_S", AG_CONFIG_INT, CFG(not_found_fail_s), 1, 86400, "60",
     "an UNKNOWN payment the provider has no record of this long after is FAILED", 0},
    {"AGORA_PAYMENT_OUTBOX_MS", AG_CONFIG_INT, CFG(outbox_ms), 10, 60000, "200",
     "how often the outbox is published to Redis", 0},
};
#define NVARS (sizeof(payment_config_vars) / sizeof(payment_config_vars[0]))

static int
serve(const struct payment_config *cfg)
{
    struct payment_app app = {.cfg = cfg};
    struct payment_background *bg = NULL;
    struct ag_jwt jwt;
    struct ag_db_pool *db = NULL;
    struct ag_kv_pool *kv = NULL;
    int rc;

    ag_jwt_init(&jwt, cfg->jwt_issuer, cfg->jwt_audience, 4096);
    app.provider = pay_provider_find(cfg->provider);
    if (app.provider == NULL || payment_currencies_parse(&app, cfg->currencies) < 0) {
        ag_log(AG_LOG_ERROR, NULL, "%s",
               app.provider == NULL ? "AGORA_PAYMENT_PROVIDER names no provider of this build"
                                    : "AGORA_PAYMENT_CURRENCIES: want codes such as KRW,USD");
        rc = AG_EINVAL;
        goto out;
    }
    app.provider_ctx = app.provider->open(cfg);
    rc = app.provider_ctx != NULL
             ? ag_jwt_add_keys(&jwt, cfg->jwt_public_key_file, cfg->jwt_extra_public_keys)
             : AG_EINVAL;
    if (rc == 0 && cfg->migrate) {
        rc = ag_idem_migrate(cfg->database_url, payment_schema, payment_schema_count);
    }
    if (rc < 0) {
        goto out;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    /* Requests wait on the provider: many threads keep the CPU busy, and the more of them
     * reach the database together, the larger its group writes (measured: 24 per core
     * 1,000-1,440 payments/s, 8 per core 560-750, on 2 cores). */
    int threads = cfg->threads > 0 ? (int)cfg->threads : 24 * (int)(cores > 0 ? cores : 1);
    /* Each request holds one connection; the group writes (two of each at once) use more. */
    size_t pool = cfg->db_pool > 0 ? (size_t)cfg->db_pool : (size_t)threads + 6;
    db = ag_db_pool_new(cfg->database_url, pool, payment_stmts, payment_nstmts, 2000);
    kv = ag_kv_pool_new(cfg->redis_url, (size_t)threads + 2, 1000);
    if (db == NULL || kv == NULL) {
        rc = AG_EINVAL;
        goto out;
    }
    store_groups_init(db, 1, 0);
    bg = payment_background_start(&app, db, kv);
    if (bg == NULL) {
        rc = AG_EINTERNAL;
        goto out;
    }
    struct ag_service svc = {
        .name = "payment",
        .version = "0.1.0",
        .routes = payment_routes,
        .nroutes = payment_nroutes,
        .openapi_yaml = payment_openapi[0].text,
        .app = &app,
        .db = db,
        .kv = kv,
        .jwt = &jwt,
        .internal_token = cfg->internal_token,
        .bind = cfg->bind,
        .port = (int)cfg->port,
        .threads = threads,
        .access_log = cfg->access_log,
    };
    rc = ag_serve(&svc);
out:
    payment_background_stop(bg); /* after the server stopped: its last outbox rows go too */
    store_groups_free();
    if (app.provider != NULL && app.provider_ctx != NULL) {
        app.provider->close(app.provider_ctx);
    }
    ag_kv_pool_free(kv);
    ag_db_pool_free(db);
    ag_jwt_release(&jwt);
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
    struct payment_config cfg;
    const struct ag_svc_main m = {
        .name = "payment",
        .vars = payment_config_vars,
        .nvars = NVARS,
        .cfg = &cfg,
        .cfg_size = sizeof(cfg),
        .log_level_field = CFG(log_level),
        .routes = payment_routes,
        .nroutes = payment_nroutes,
        .openapi_yaml = payment_openapi[0].text,
        .serve = serve_main,
    };
    return ag_svc_main(argc, argv, &m);
}
