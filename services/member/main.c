/*
 * The member service: configuration, pools, migrations, route table, ag_serve().
 */
#include "member.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agora/config.h"
#include "agora/err.h"
#include "agora/kv.h"
#include "agora/log.h"
#include "agora/svc.h"

#define CFG(field) offsetof(struct member_config, field)

static const struct ag_config_var member_config_vars[] = {
    {"AGORA_MEMBER_PORT", AG_CONFIG_INT, CFG(port), 1, 65535, "5000", "member API port", 0},
    {"AGORA_MEMBER_BIND", AG_CONFIG_STR, CFG(bind), 7, 45, "127.0.0.1",
     "address to listen on (IPv4)", 0},
    {"AGORA_MEMBER_THREADS", AG_CONFIG_INT, CFG(threads), 0, 256, "0",
     "HTTP worker threads; 0 = one per core", 0},
    {"AGORA_MEMBER_DATABASE_URL", AG_CONFIG_STR, CFG(database_url), 1, 1024,
     "postgresql://agora@127.0.0.1:15432/member", "PostgreSQL connection URI of the member DB", 1},
    {"AGORA_MEMBER_BATCH_THREADS", AG_CONFIG_INT, CFG(batch_threads), 1, 16, "1",
     "threads that run batched member reads (one query answers many requests)", 0},
    {"AGORA_MEMBER_WORK_THREADS", AG_CONFIG_INT, CFG(work_threads), 0, 64, "0",
     "threads that hash and check passwords (argon2id) off the HTTP threads; 0 = one per core", 0},
    {"AGORA_MEMBER_DB_POOL", AG_CONFIG_INT, CFG(db_pool), 0, 512, "0",
     "database connections at most; 0 = threads + batch threads + work threads + 2", 0},
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
    {"AGORA_MEMBER_MIGRATE", AG_CONFIG_BOOL, CFG(migrate), 0, 1, "true",
     "apply pending schema migrations at start", 0},
    {"AGORA_MEMBER_ADMIN_ID", AG_CONFIG_STR, CFG(admin_id), 3, 30, "admin",
     "login id of the first admin, created at start when the password is set", 0},
    {"AGORA_MEMBER_ADMIN_EMAIL", AG_CONFIG_STR, CFG(admin_email), 3, 254, "admin@agora.local",
     "email of the first admin", 0},
    {"AGORA_MEMBER_ADMIN_PASSWORD", AG_CONFIG_STR, CFG(admin_password), 0, 128, "",
     "password of the first admin; empty = create none", 1},
};
#define NVARS (sizeof(member_config_vars) / sizeof(member_config_vars[0]))

static int
admin_ensure(struct ag_db_pool *pool, const struct member_config *cfg)
{
    struct member_new m;
    const char *why;
    PGconn *db;

    if (cfg->admin_password[0] == '\0') {
        return 0;
    }
    memset(&m, 0, sizeof(m));
    struct ag_str id = {cfg->admin_id, strlen(cfg->admin_id)};
    struct ag_str pw = {cfg->admin_password, strlen(cfg->admin_password)};
    if (member_id_normalize(id, m.id, &why) < 0 || pw.len < MEMBER_PASSWORD_MIN) {
        fprintf(stderr, "config: AGORA_MEMBER_ADMIN_ID or _PASSWORD is invalid\n");
        return AG_EINVAL;
    }
    m.email = (struct ag_str){cfg->admin_email, strlen(cfg->admin_email)};
    m.name = AG_STR("Administrator");
    m.role = "admin";
    int rc = member_password_hash(pw, m.hash);
    if (rc == 0) {
        rc = ag_db_acquire(pool, &db);
    }
    if (rc == 0) {
        rc = store_admin_ensure(db, &m);
        ag_db_release(pool, db);
    }
    sodium_memzero(m.hash, sizeof(m.hash));
    return rc;
}

static int
serve(const struct member_config *cfg)
{
    struct member_app app = {.cfg = cfg};
    struct ag_jwt jwt;
    struct ag_db_pool *db = NULL;
    struct ag_kv_pool *kv = NULL;
    unsigned char pw[32];
    int rc;

    ag_jwt_init(&jwt, cfg->jwt_issuer, cfg->jwt_audience, 4096);
    rc = ag_jwt_add_keys(&jwt, cfg->jwt_public_key_file, cfg->jwt_extra_public_keys);
    if (rc < 0) {
        goto out;
    }
    randombytes_buf(pw, sizeof(pw));
    rc = member_password_hash((struct ag_str){(const char *)pw, sizeof(pw)}, app.dummy_hash);
    if (rc < 0) {
        goto out;
    }
    if (cfg->migrate) {
        rc = ag_idem_migrate(cfg->database_url, member_schema, member_schema_count);
        if (rc < 0) {
            goto out; /* logged */
        }
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = cfg->threads > 0 ? (int)cfg->threads : (int)(cores > 0 ? cores : 1);
    int work = cfg->work_threads > 0 ? (int)cfg->work_threads : (int)(cores > 0 ? cores : 1);
    size_t pool = cfg->db_pool > 0
                      ? (size_t)cfg->db_pool
                      : (size_t)threads + (size_t)cfg->batch_threads + (size_t)work + 2;
    db = ag_db_pool_new(cfg->database_url, pool, member_stmts, member_nstmts, 2000);
    kv = ag_kv_pool_new(cfg->redis_url, (size_t)threads + (size_t)work + 2, 1000);
    if (db == NULL || kv == NULL) {
        rc = AG_EINVAL;
        goto out;
    }
    app.member_by_id = ag_batch_new(db, "member_get_many", 64, (int)cfg->batch_threads);
    app.work = ag_work_new(work);
    if (app.member_by_id == NULL || app.work == NULL) {
        rc = AG_EINTERNAL;
        goto out;
    }
    rc = admin_ensure(db, cfg);
    if (rc < 0) {
        ag_log(AG_LOG_ERROR, NULL, "cannot create the first admin: %s", ag_err_name(rc));
        goto out;
    }
    struct ag_service svc = {
        .name = "member",
        .version = "0.1.0",
        .routes = member_routes,
        .nroutes = member_nroutes,
        .openapi_yaml = member_openapi[0].text,
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
    ag_batch_free(app.member_by_id); /* after the server stopped: nothing is queued */
    ag_work_free(app.work);
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
    struct member_config cfg;
    const struct ag_svc_main m = {
        .name = "member",
        .vars = member_config_vars,
        .nvars = NVARS,
        .cfg = &cfg,
        .cfg_size = sizeof(cfg),
        .log_level_field = CFG(log_level),
        .routes = member_routes,
        .nroutes = member_nroutes,
        .openapi_yaml = member_openapi[0].text,
        .serve = serve_main,
    };
    return ag_svc_main(argc, argv, &m);
}
