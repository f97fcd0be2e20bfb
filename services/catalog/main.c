/*
 * The catalog service: configuration, pools, migrations, the reservation sweeper, route
 * table, ag_serve(); and the 'seed' command (seed.c).
 */
#include "catalog.h"

#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "agora/config.h"
#include "agora/err.h"
#include "agora/events.h"
#include "agora/kv.h"
#include "agora/log.h"
#include "agora/svc.h"

#define CFG(field) offsetof(struct catalog_config, field)

static const struct ag_config_var catalog_config_vars[] = {
    {"AGORA_CATALOG_PORT", AG_CONFIG_INT, CFG(port), 1, 65535, "5100", "catalog API port", 0},
    {"AGORA_CATALOG_BIND", AG_CONFIG_STR, CFG(bind), 7, 45, "127.0.0.1",
     "address to listen on (IPv4)", 0},
    {"AGORA_CATALOG_THREADS", AG_CONFIG_INT, CFG(threads), 0, 256, "0",
     "HTTP worker threads; 0 = one per core", 0},
    {"AGORA_CATALOG_DATABASE_URL", AG_CONFIG_STR, CFG(database_url), 1, 1024,
     "postgresql://agora@127.0.0.1:15432/catalog", "PostgreSQL connection URI of the catalog DB",
     1},
    {"AGORA_CATALOG_BATCH_THREADS", AG_CONFIG_INT, CFG(batch_threads), 1, 16, "1",
     "threads that run batched product reads (one query answers many requests)", 0},
    {"AGORA_CATALOG_DB_POOL", AG_CONFIG_INT, CFG(db_pool), 0, 512, "0",
     "database connections at most; 0 = threads + batch threads + 2", 0},
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
    {"AGORA_CATALOG_MIGRATE", AG_CONFIG_BOOL, CFG(migrate), 0, 1, "true",
     "apply pending schema migrations at start (and before 'catalog seed')", 0},
    {"AGORA_CATALOG_CACHE_S", AG_CONFIG_INT, CFG(cache_s), 0, 86400, "10",
     "max-age of public catalog answers (Cache-Control; each carries an ETag)", 0},
    {"AGORA_CATALOG_RESERVATION_TTL_S", AG_CONFIG_INT, CFG(reservation_ttl_s), 1,
     CATALOG_RESERVE_TTL_MAX, "900",
     "how long a stock reservation holds when neither committed nor released", 0},
    {"AGORA_CATALOG_READ_CACHE_MS", AG_CONFIG_INT, CFG(read_cache_ms), 0, 60000, "1000",
     "how long one product's answer is served from memory; writes here drop it; 0 = never", 0},
    {"AGORA_CATALOG_SWEEP_S", AG_CONFIG_INT, CFG(sweep_s), 1, 3600, "5",
     "how often expired reservations are released (and units sold are counted into products)", 0},
};
#define NVARS (sizeof(catalog_config_vars) / sizeof(catalog_config_vars[0]))

/* The sweeper (every sweep_s seconds): reservations held past their time are released, and
 * the units sold lately are folded into products.sold. */
struct sweeper {
    struct ag_db_pool *db;
    struct catalog_cache *cache;
};

static void
sweep_once(void *arg)
{
    struct sweeper *s = arg;
    PGconn *db;
    long long n = 0, folded = 0;

    if (ag_db_acquire(s->db, &db) < 0) {
        return; /* the database is away; the next round tries again */
    }
    int rc = store_reservations_expire(db, &n);
    if (rc == 0) {
        rc = store_sold_fold(db, &folded);
    }
    ag_db_release(s->db, db);
    if (rc < 0) {
        ag_log(AG_LOG_WARN, NULL, "reservation sweep failed: %s", ag_err_name(rc));
    } else if (n > 0) {
        ag_log(AG_LOG_INFO, NULL, "released %lld expired reservation(s)", n);
    }
    if (n > 0 || folded > 0) {
        catalog_cache_clear(s->cache);
    }
}

static int
serve(const struct catalog_config *cfg)
{
    struct catalog_app app = {.cfg = cfg};
    struct sweeper sw = {0};
    struct ag_ticker *sweeper = NULL;
    struct ag_jwt jwt;
    struct ag_db_pool *db = NULL;
    struct ag_kv_pool *kv = NULL;
    int rc;

    ag_jwt_init(&jwt, cfg->jwt_issuer, cfg->jwt_audience, 4096);
    rc = ag_jwt_add_keys(&jwt, cfg->jwt_public_key_file, cfg->jwt_extra_public_keys);
    if (rc == 0 && cfg->migrate) {
        rc = ag_idem_migrate(cfg->database_url, catalog_schema, catalog_schema_count);
    }
    if (rc < 0) {
        goto out;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = cfg->threads > 0 ? (int)cfg->threads : (int)(cores > 0 ? cores : 1);
    size_t pool =
        cfg->db_pool > 0 ? (size_t)cfg->db_pool : (size_t)threads + (size_t)cfg->batch_threads + 2;
    db = ag_db_pool_new(cfg->database_url, pool, catalog_stmts, catalog_nstmts, 2000);
    kv = ag_kv_pool_new(cfg->redis_url, (size_t)threads + 2, 1000);
    if (db == NULL || kv == NULL) {
        rc = AG_EINVAL;
        goto out;
    }
    app.product_by_ref = ag_batch_new(db, "product_get_many", 64, (int)cfg->batch_threads);
    if (app.product_by_ref == NULL) {
        rc = AG_EINTERNAL;
        goto out;
    }
    app.cache = catalog_cache_new(cfg->read_cache_ms);
    sw.db = db;
    sw.cache = app.cache;
    sweeper = ag_ticker_start(cfg->sweep_s * 1000, sweep_once, &sw);
    if (sweeper == NULL) {
        rc = AG_EINTERNAL;
        goto out;
    }
    struct ag_service svc = {
        .name = "catalog",
        .version = "0.1.0",
        .routes = catalog_routes,
        .nroutes = catalog_nroutes,
        .openapi_yaml = catalog_openapi[0].text,
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
    ag_ticker_stop(sweeper);
    ag_batch_free(app.product_by_ref); /* after the server stopped: nothing is queued */
    catalog_cache_free(app.cache);
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
    struct catalog_config cfg;
    const struct ag_svc_main m = {
        .name = "catalog",
        .vars = catalog_config_vars,
        .nvars = NVARS,
        .cfg = &cfg,
        .cfg_size = sizeof(cfg),
        .log_level_field = CFG(log_level),
        .routes = catalog_routes,
        .nroutes = catalog_nroutes,
        .openapi_yaml = catalog_openapi[0].text,
        .serve = serve_main,
        .command = catalog_seed_command,
        .command_usage = "seed [--reset] FILE",
    };
    return ag_svc_main(argc, argv, &m);
}
