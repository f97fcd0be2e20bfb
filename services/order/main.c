/*
 * The order service: configuration, pools, migrations, the clients of catalog, payment and
 * member, the background (recovery worker, outbox relay, notifications), ag_serve().
 */
#include "order.h"

#include <stddef.h>
#include <unistd.h>

#include "agora/config.h"
#include "agora/err.h"
#include "agora/kv.h"
#include "agora/log.h"
#include "agora/svc.h"

#define CFG(field) offsetof(struct order_config, field)

static const struct ag_config_var order_config_vars[] = {
    {"AGORA_ORDER_PORT", AG_CONFIG_INT, CFG(port), 1, 65535, "5200", "order API port", 0},
    {"AGORA_ORDER_BIND", AG_CONFIG_STR, CFG(bind), 7, 45, "127.0.0.1",
     "address to listen on (IPv4)", 0},
    {"AGORA_ORDER_THREADS", AG_CONFIG_INT, CFG(threads), 0, 256, "0",
     "HTTP worker threads (each waits on catalog and payment in turn); 0 = 8 per core", 0},
    {"AGORA_ORDER_DATABASE_URL", AG_CONFIG_STR, CFG(database_url), 1, 1024,
     "postgresql://agora@127.0.0.1:15432/order", "PostgreSQL connection URI of the order DB", 1},
    {"AGORA_ORDER_DB_POOL", AG_CONFIG_INT, CFG(db_pool), 0, 512, "0",
     "database connections at most; 0 = threads + 2", 0},
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
    {"AGORA_ORDER_MIGRATE", AG_CONFIG_BOOL, CFG(migrate), 0, 1, "true",
     "apply pending schema migrations at start", 0},
    {"AGORA_CATALOG_URL", AG_CONFIG_STR, CFG(catalog_url), 1, 900, "http://127.0.0.1:5100",
     "the catalog service's base URL (products, prices, stock)", 0},
    {"AGORA_ORDER_CATALOG_TIMEOUT_MS", AG_CONFIG_INT, CFG(catalog_timeout_ms), 100, 60000, "2000",
     "timeout of one call to the catalog (and to member)", 0},
    {"AGORA_PAYMENT_URL", AG_CONFIG_STR, CFG(payment_url), 1, 900, "http://127.0.0.1:5300",
     "the payment service's base URL (charges and refunds)", 0},
    {"AGORA_ORDER_PAYMENT_TIMEOUT_MS", AG_CONFIG_INT, CFG(payment_timeout_ms), 100, 120000, "10000",
     "timeout of a call to payment (longer than its own provider calls)", 0},
    {"AGORA_MEMBER_URL", AG_CONFIG_STR, CFG(member_url), 1, 900, "http://127.0.0.1:5000",
     "the member service's base URL (a shopper's saved addresses)", 0},
    {"AGORA_ORDER_SHIPPING_FEE", AG_CONFIG_INT, CFG(shipping_fee), 0, 100000000, "3000",
     "shipping fee of an order, in the currency's smallest unit", 0},
    {"AGORA_ORDER_FREE_SHIPPING_OVER", AG_CONFIG_INT, CFG(free_shipping_over), 0, 1000000000000LL,
     "50000", "subtotal from which shipping is free; 0 = never", 0},
    {"AGORA_ORDER_LEASE_S", AG_CONFIG_INT, CFG(lease_s), 2, 3600, "30",
     "how long a checkout owns its order before the recovery worker may take it over (at least"
     " 2 x catalog timeout + payment timeout + 1 s)",
     0},
    {"AGORA_ORDER_RECOVER_MS", AG_CONFIG_INT, CFG(recover_ms), 50, 600000, "1000",
     "how often the recovery worker looks for orders to finish", 0},
    {"AGORA_ORDER_OUTBOX_MS", AG_CONFIG_INT, CFG(outbox_ms), 10, 60000, "200",
     "how often order events go out to the Redis stream 'orders'", 0},
    {"AGORA_ORDER_CRASH_AT", AG_CONFIG_STR, CFG(crash_at), 0, 16, "",
     "fault tests only: die (SIGKILL) at this checkout step: created, reserved or paid", 0},
};
#define NVARS (sizeof(order_config_vars) / sizeof(order_config_vars[0]))

static int
serve(const struct order_config *cfg)
{
    struct order_app app = {.cfg = cfg};
    struct ag_jwt jwt;

    app.jwt = &jwt;
    struct ag_db_pool *db = NULL;
    struct ag_kv_pool *kv = NULL;

    /* The recovery worker may take an order over once its lease passed, and must never find
     * it before its charge reached payment (it would cancel an order being paid): the lease
     * outlasts the reservation's calls and the charge's. */
    long long need_ms = 2 * cfg->catalog_timeout_ms + cfg->payment_timeout_ms + 1000;
    if (cfg->lease_s * 1000 < need_ms) {
        ag_log(AG_LOG_ERROR, NULL,
               "AGORA_ORDER_LEASE_S=%lld is too short: at least %lld s for these timeouts",
               cfg->lease_s, (need_ms + 999) / 1000);
        return AG_EINVAL;
    }
    ag_jwt_init(&jwt, cfg->jwt_issuer, cfg->jwt_audience, 4096);
    int rc = ag_jwt_add_keys(&jwt, cfg->jwt_public_key_file, cfg->jwt_extra_public_keys);
    if (rc == 0 && cfg->migrate) {
        rc = ag_idem_migrate(cfg->database_url, order_schema, order_schema_count);
    }
    if (rc < 0) {
        goto out;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = cfg->threads > 0 ? (int)cfg->threads : 8 * (int)(cores > 0 ? cores : 1);
    size_t pool = cfg->db_pool > 0 ? (size_t)cfg->db_pool : (size_t)threads + 2;
    /* The background takes one connection of its own. */
    db = ag_db_pool_new(cfg->database_url, pool + 1, order_stmts, order_nstmts, 2000);
    kv = ag_kv_pool_new(cfg->redis_url, (size_t)threads + 2, 1000);
    app.catalog = ag_httpc_new((size_t)threads + 4, (int)cfg->catalog_timeout_ms, 1);
    /* No retry on payment: a timeout leaves the charge to be looked up, never sent twice
     * blind (it would be harmless, payment being idempotent on the order, but slow). */
    app.payment = ag_httpc_new((size_t)threads + 4, (int)cfg->payment_timeout_ms, 0);
    if (db == NULL || kv == NULL || app.catalog == NULL || app.payment == NULL) {
        rc = AG_EINVAL;
        goto out;
    }
    app.bg = order_background_start(&app, db, kv);
    if (app.bg == NULL) {
        rc = AG_EINTERNAL;
        goto out;
    }
    struct ag_service svc = {
        .name = "order",
        .version = "0.1.0",
        .routes = order_routes,
        .nroutes = order_nroutes,
        .openapi_yaml = order_openapi[0].text,
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
    order_background_stop(app.bg); /* after the server stopped: its last outbox rows go too */
    ag_httpc_free(app.payment);
    ag_httpc_free(app.catalog);
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
    struct order_config cfg;
    const struct ag_svc_main m = {
        .name = "order",
        .vars = order_config_vars,
        .nvars = NVARS,
        .cfg = &cfg,
        .cfg_size = sizeof(cfg),
        .log_level_field = CFG(log_level),
        .routes = order_routes,
        .nroutes = order_nroutes,
        .openapi_yaml = order_openapi[0].text,
        .serve = serve_main,
    };
    return ag_svc_main(argc, argv, &m);
}
