/*
 * The auth service: configuration, keys, clients, the member client, the event consumer,
 * the route table, ag_serve().
 */
#include "auth.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agora/config.h"
#include "agora/err.h"
#include "agora/events.h"
#include "agora/log.h"
#include "agora/mem.h"
#include "agora/svc.h"

#define CFG(field) offsetof(struct auth_config, field)

static const struct ag_config_var auth_config_vars[] = {
    {"AGORA_AUTH_PORT", AG_CONFIG_INT, CFG(port), 1, 65535, "4000", "auth API port", 0},
    {"AGORA_AUTH_BIND", AG_CONFIG_STR, CFG(bind), 7, 45, "127.0.0.1", "address to listen on (IPv4)",
     0},
    {"AGORA_AUTH_THREADS", AG_CONFIG_INT, CFG(threads), 0, 256, "0",
     "HTTP worker threads; 0 = one per core", 0},
    {"AGORA_REDIS_URL", AG_CONFIG_STR, CFG(redis_url), 1, 1024, "redis://127.0.0.1:16379/0",
     "Redis URL (sessions, counters, locks, event streams)", 1},
    {"AGORA_JWT_PRIVATE_KEY_FILE", AG_CONFIG_STR, CFG(jwt_private_key_file), 1, 4096,
     "var/keys/jwt-ed25519.pem", "Ed25519 private key (PEM) that auth signs access tokens with", 0},
    {"AGORA_JWT_EXTRA_PUBLIC_KEYS", AG_CONFIG_STR, CFG(jwt_extra_public_keys), 0, 4096, "",
     "comma-separated public key files still accepted and published (key rotation)", 0},
    {"AGORA_JWT_ISSUER", AG_CONFIG_STR, CFG(jwt_issuer), 1, 127, "agora-auth",
     "expected 'iss' of access tokens", 0},
    {"AGORA_JWT_AUDIENCE", AG_CONFIG_STR, CFG(jwt_audience), 1, 127, "agora",
     "expected 'aud' of access tokens", 0},
    {"AGORA_AUTH_CLIENTS", AG_CONFIG_STR, CFG(clients), 1, 8192, NULL,
     "registered clients as name:key pairs, comma-separated (the web BFF is one)", 1},
    {"AGORA_MEMBER_URL", AG_CONFIG_STR, CFG(member_url), 8, 512, "http://127.0.0.1:5000",
     "base URL of the member service (credential checks)", 0},
    {"AGORA_INTERNAL_TOKEN", AG_CONFIG_STR, CFG(internal_token), 0, 256, "",
     "shared secret for /internal/ calls between services; empty disables them", 1},
    {"AGORA_AUTH_ACCESS_TTL_S", AG_CONFIG_INT, CFG(access_ttl_s), 60, 3600, "900",
     "access token lifetime (seconds)", 0},
    {"AGORA_AUTH_REFRESH_TTL_S", AG_CONFIG_INT, CFG(refresh_ttl_s), 300, 7776000, "1209600",
     "refresh token and session lifetime, sliding (seconds; 14 days)", 0},
    {"AGORA_AUTH_REFRESH_GRACE_S", AG_CONFIG_INT, CFG(refresh_grace_s), 0, 120, "10",
     "how long a just-replaced refresh token still works (a lost answer)", 0},
    {"AGORA_AUTH_MAX_FAILS", AG_CONFIG_INT, CFG(max_fails), 1, 1000, "5",
     "failed logins per account within the window before 429", 0},
    {"AGORA_AUTH_MAX_FAILS_PER_ADDR", AG_CONFIG_INT, CFG(max_fails_per_addr), 1, 100000, "50",
     "failed logins per client address within the window before 429", 0},
    {"AGORA_AUTH_FAIL_WINDOW_S", AG_CONFIG_INT, CFG(fail_window_s), 1, 86400, "900",
     "the failed-login window (seconds)", 0},
    {"AGORA_AUTH_MEMBER_TIMEOUT_MS", AG_CONFIG_INT, CFG(member_timeout_ms), 50, 30000, "2000",
     "timeout of one call to the member service (retried twice on 5xx/timeouts)", 0},
    {"AGORA_AUTH_TRUSTED_PROXIES", AG_CONFIG_STR, CFG(trusted_proxies), 1, 1024, "127.0.0.0/8,::1",
     "addresses or CIDRs (comma-separated; none: no one) whose X-Real-IP names the client: the "
     "gateway and web",
     0},
    {"AGORA_LOG_LEVEL", AG_CONFIG_STR, CFG(log_level), 4, 5, "info", "debug, info, warn or error",
     0},
    {"AGORA_ACCESS_LOG", AG_CONFIG_BOOL, CFG(access_log), 0, 1, "true", "one log line per request",
     0},
};
#define NVARS (sizeof(auth_config_vars) / sizeof(auth_config_vars[0]))

/* The signing key first, then the extra public keys (comma-separated files). */
static int
keys_load(struct ag_jwt *jwt, const struct auth_config *cfg)
{
    return ag_jwt_add_keys(jwt, cfg->jwt_private_key_file, cfg->jwt_extra_public_keys);
}

static int
serve(const struct auth_config *cfg)
{
    struct auth_app app = {.cfg = cfg};
    struct ag_jwt jwt;
    struct ag_kv_pool *kv = NULL;
    struct ag_consumer *events = NULL;
    const char *why = NULL;
    char consumer[96], host[64] = "host";
    int rc;

    ag_jwt_init(&jwt, cfg->jwt_issuer, cfg->jwt_audience, 4096);
    app.jwt = &jwt;
    rc = keys_load(&jwt, cfg);
    if (rc < 0) {
        goto out;
    }
    char err[160];
    if (ag_netlist_parse(cfg->trusted_proxies, &app.trusted, err, sizeof(err)) < 0) {
        fprintf(stderr, "config: AGORA_AUTH_TRUSTED_PROXIES: %s\n", err);
        rc = AG_EINVAL;
        goto out;
    }
    if (auth_clients_parse(cfg->clients, app.clients, &app.nclients, &why) < 0) {
        fprintf(stderr, "config: AGORA_AUTH_CLIENTS: %s\n", why);
        rc = AG_EINVAL;
        goto out;
    }
    app.jwks = ag_jwt_jwks(&jwt);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = cfg->threads > 0 ? (int)cfg->threads : (int)(cores > 0 ? cores : 1);
    kv = ag_kv_pool_new(cfg->redis_url, (size_t)threads + 2, 1000);
    app.member = ag_httpc_new((size_t)threads + 2, (int)cfg->member_timeout_ms, 2);
    gethostname(host, sizeof(host) - 1);
    snprintf(consumer, sizeof(consumer), "%s-%d", host, (int)getpid());
    events = auth_events_start(cfg->redis_url, consumer);
    if (kv == NULL || app.member == NULL || events == NULL) {
        rc = AG_EINVAL;
        goto out;
    }
    struct ag_service svc = {
        .name = "auth",
        .version = "0.1.0",
        .routes = auth_routes,
        .nroutes = auth_nroutes,
        .openapi_yaml = auth_openapi[0].text,
        .app = &app,
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
    ag_consumer_stop(events);
    ag_httpc_free(app.member);
    ag_kv_pool_free(kv);
    ag_free(app.jwks);
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
    struct auth_config cfg;
    const struct ag_svc_main m = {
        .name = "auth",
        .vars = auth_config_vars,
        .nvars = NVARS,
        .cfg = &cfg,
        .cfg_size = sizeof(cfg),
        .log_level_field = CFG(log_level),
        .routes = auth_routes,
        .nroutes = auth_nroutes,
        .openapi_yaml = auth_openapi[0].text,
        .serve = serve_main,
    };
    return ag_svc_main(argc, argv, &m);
}
