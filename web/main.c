/*
 * The web service: configuration, templates, texts and assets loaded and checked at start,
 * the clients of auth and the gateway, the route table (pages.c), ag_serve().
 */
#include "web.h"

#include <dirent.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "agora/config.h"
#include "agora/embed.h"
#include "agora/err.h"
#include "agora/file.h"
#include "agora/log.h"
#include "agora/mem.h"
#include "agora/svc.h"

extern const struct ag_embed_file web_openapi[];

#define CFG(field) offsetof(struct web_config, field)

#define WEB_ASSET_DIRS 64 /* folders of static/, itself included */

static const struct ag_config_var web_config_vars[] = {
    {"AGORA_WEB_PORT", AG_CONFIG_INT, CFG(port), 1, 65535, "3000", "storefront and BFF port", 0},
    {"AGORA_WEB_BIND", AG_CONFIG_STR, CFG(bind), 7, 45, "127.0.0.1", "address to listen on (IPv4)",
     0},
    {"AGORA_WEB_THREADS", AG_CONFIG_INT, CFG(threads), 0, 256, "0",
     "HTTP worker threads; 0 = four per core (pages wait on auth and the gateway)", 0},
    {"AGORA_PUBLIC_URL", AG_CONFIG_STR, CFG(public_url), 8, 255, "http://localhost:3000",
     "the shop's address as browsers see it; https makes every cookie Secure", 0},
    {"AGORA_AUTH_URL", AG_CONFIG_STR, CFG(auth_url), 8, 512, "http://127.0.0.1:4000",
     "base URL of auth, called directly for login, guest tokens and refresh", 0},
    {"AGORA_GATEWAY_URL", AG_CONFIG_STR, CFG(gateway_url), 8, 512, "http://127.0.0.1:8000",
     "base URL of the API gateway, for every other call", 0},
    {"AGORA_WEB_CLIENT_ID", AG_CONFIG_STR, CFG(client_id), 1, 64, "web",
     "the BFF's client name at auth (AGORA_AUTH_CLIENTS)", 0},
    {"AGORA_WEB_CLIENT_KEY", AG_CONFIG_STR, CFG(client_key), 16, 256, NULL,
     "the BFF's client key at auth (AGORA_AUTH_CLIENTS)", 1},
    {"AGORA_WEB_CSRF_SECRET", AG_CONFIG_STR, CFG(csrf_secret), 0, 256, "",
     "key of the CSRF form tokens (16+ bytes; same on every replica); empty = random per start", 1},
    {"AGORA_JWT_PUBLIC_KEY_FILE", AG_CONFIG_STR, CFG(jwt_public_key_file), 1, 4096,
     "var/keys/jwt-ed25519.pub.pem", "Ed25519 public key (PEM) that access tokens are checked with",
     0},
    {"AGORA_JWT_EXTRA_PUBLIC_KEYS", AG_CONFIG_STR, CFG(jwt_extra_public_keys), 0, 4096, "",
     "comma-separated public key files also accepted (key rotation)", 0},
    {"AGORA_JWT_ISSUER", AG_CONFIG_STR, CFG(jwt_issuer), 1, 127, "agora-auth",
     "expected 'iss' of access tokens", 0},
    {"AGORA_JWT_AUDIENCE", AG_CONFIG_STR, CFG(jwt_audience), 1, 127, "agora",
     "expected 'aud' of access tokens", 0},
    {"AGORA_WEB_DIR", AG_CONFIG_STR, CFG(dir), 1, 4096, "web",
     "folder with templates/, i18n/ and static/", 0},
    {"AGORA_WEB_HTMX_FILE", AG_CONFIG_STR, CFG(htmx_file), 1, 4096,
     "node_modules/htmx.org/dist/htmx.min.js",
     "the htmx script (npm htmx.org), served as /static/htmx.min.js", 0},
    {"AGORA_WEB_UPSTREAM_TIMEOUT_MS", AG_CONFIG_INT, CFG(upstream_timeout_ms), 50, 60000, "5000",
     "timeout of one call to auth or the gateway", 0},
    {"AGORA_WEB_GUEST_PER_MIN", AG_CONFIG_INT, CFG(guest_per_min), 0, 1000000, "600",
     "guest sessions one client address may start per minute; 0 = no limit", 0},
    {"AGORA_WEB_TRUSTED_PROXIES", AG_CONFIG_STR, CFG(trusted_proxies), 1, 1024, "none",
     "addresses or CIDRs (comma-separated) of proxies in front of web (an ingress controller) "
     "whose X-Real-IP names the visitor; none: the peer is the visitor",
     0},
    {"AGORA_WEB_CATALOG_CACHE_S", AG_CONFIG_INT, CFG(catalog_cache_s), 1, 3600, "30",
     "how long web keeps the catalog's category tree (home, breadcrumbs) and the home page's "
     "products",
     0},
    {"AGORA_WEB_PRODUCT_CACHE_S", AG_CONFIG_INT, CFG(product_cache_s), 0, 3600, "10",
     "how long product pages keep the catalog's answer for a product (at most 1024 products); "
     "0 = ask every time; an admin write through this web drops it at once",
     0},
    {"AGORA_LOG_LEVEL", AG_CONFIG_STR, CFG(log_level), 4, 5, "info", "debug, info, warn or error",
     0},
    {"AGORA_ACCESS_LOG", AG_CONFIG_BOOL, CFG(access_log), 0, 1, "true", "one log line per request",
     0},
};
#define NVARS (sizeof(web_config_vars) / sizeof(web_config_vars[0]))

/* Every page's security headers (no inline script or style anywhere, no framing). */
static const char web_csp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'";
static const char *const web_headers[] = {
    "Content-Security-Policy",
    web_csp,
    "X-Frame-Options",
    "DENY",
    "X-Content-Type-Options",
    "nosniff",
    "Referrer-Policy",
    "strict-origin-when-cross-origin",
    NULL,
};

/* scheme://host[:port] of the public URL. */
static int
origin_of(const char *url, char *out, size_t size)
{
    const char *p = strstr(url, "://");
    if (p == NULL || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)) {
        return AG_EINVAL;
    }
    const char *end = strchr(p + 3, '/');
    size_t n = end != NULL ? (size_t)(end - url) : strlen(url);
    if (n >= size || n == (size_t)(p + 3 - url)) {
        return AG_EINVAL;
    }
    memcpy(out, url, n);
    out[n] = '\0';
    return 0;
}

/*
 * The assets of folder 'dir' and of its sub-folders (images: static/img/p/…), at URL 'prefix'
 * and below. ag_static_add_dir reads one folder, so the sub-folders are walked here, breadth
 * first from a bounded list, WEB_ASSET_DIRS folders at most.
 */
static int
assets_add_tree(struct ag_static *assets, const char *dir, const char *prefix, char *err,
                size_t errsize, char *path, size_t pathsize)
{
    char *dirs[WEB_ASSET_DIRS], *prefixes[WEB_ASSET_DIRS];
    size_t n = 1, next = 0;
    int rc = 0;

    dirs[0] = ag_xstrdup(dir);
    prefixes[0] = ag_xstrdup(prefix);
    for (; next < n && rc == 0; next++) {
        snprintf(path, pathsize, "%s", dirs[next]);
        rc = ag_static_add_dir(assets, dirs[next], prefixes[next], err, errsize);
        DIR *d = rc == 0 ? opendir(dirs[next]) : NULL;
        const struct dirent *e;
        while (d != NULL && (e = readdir(d)) != NULL) {
            struct stat st;
            char sub[4200];
            if (e->d_name[0] == '.') {
                continue;
            }
            snprintf(sub, sizeof(sub), "%s/%s", dirs[next], e->d_name);
            if (stat(sub, &st) != 0 || !S_ISDIR(st.st_mode)) {
                continue;
            }
            if (n == WEB_ASSET_DIRS) {
                snprintf(err, errsize, "more than %d asset folders", WEB_ASSET_DIRS);
                rc = AG_ETOOLARGE;
                break;
            }
            char pre[AG_STATIC_MAX_PATH + 1];
            snprintf(pre, sizeof(pre), "%s%s/", prefixes[next], e->d_name);
            dirs[n] = ag_xstrdup(sub);
            prefixes[n] = ag_xstrdup(pre);
            n++;
        }
        if (d != NULL) {
            closedir(d);
        }
    }
    for (size_t i = 0; i < n; i++) {
        ag_free(dirs[i]);
        ag_free(prefixes[i]);
    }
    return rc;
}

/* Templates, texts and assets from AGORA_WEB_DIR; every error names its file. */
static int
load_files(struct web_app *app, const struct web_config *cfg)
{
    char path[4200], err[512] = "";
    char *htmx = NULL;
    size_t len = 0;
    int rc;

    snprintf(path, sizeof(path), "%s/templates", cfg->dir);
    rc = ag_tmpl_set_add_dir(app->tmpl, path, err, sizeof(err));
    if (rc == 0) {
        rc = ag_tmpl_set_check(app->tmpl, err, sizeof(err));
    }
    if (rc == 0) {
        snprintf(path, sizeof(path), "%s/i18n", cfg->dir);
        rc = ag_i18n_add_dir(app->i18n, path, err, sizeof(err));
    }
    if (rc == 0) {
        rc = ag_i18n_check(app->i18n, err, sizeof(err));
    }
    if (rc == 0) {
        snprintf(path, sizeof(path), "%s/static", cfg->dir);
        rc = assets_add_tree(app->assets, path, "/static/", err, sizeof(err), path, sizeof(path));
    }
    if (rc == 0) {
        snprintf(path, sizeof(path), "%s", cfg->htmx_file);
        rc = ag_file_read(cfg->htmx_file, AG_STATIC_MAX_FILE, &htmx, &len);
        snprintf(err, sizeof(err), "cannot read the htmx script (npm ci installs it)");
    }
    if (rc == 0) {
        rc = ag_static_add(app->assets, "/static/htmx.min.js", htmx, len);
    }
    ag_free(htmx);
    if (rc == 0) {
        ag_static_url(app->assets, "/static/app.css", app->css_url, sizeof(app->css_url));
        rc =
            ag_static_url(app->assets, "/static/htmx.min.js", app->htmx_url, sizeof(app->htmx_url));
    }
    if (rc < 0) {
        ag_log(AG_LOG_ERROR, NULL, "web files: %s (%s): %s", err, path, ag_err_name(rc));
    }
    return rc;
}

static int
setup(struct web_app *app, const struct web_config *cfg)
{
    char pair[400], b64[600];

    if (origin_of(cfg->public_url, app->origin, sizeof(app->origin)) < 0) {
        fprintf(stderr, "config: AGORA_PUBLIC_URL: '%s' is not an http(s) URL\n", cfg->public_url);
        return AG_EINVAL;
    }
    app->secure = strncmp(cfg->public_url, "https://", 8) == 0;
    char err[160];
    if (ag_netlist_parse(cfg->trusted_proxies, &app->trusted, err, sizeof(err)) < 0) {
        fprintf(stderr, "config: AGORA_WEB_TRUSTED_PROXIES: %s\n", err);
        return AG_EINVAL;
    }
    if (cfg->csrf_secret[0] == '\0') {
        ag_log(AG_LOG_WARN, NULL, "AGORA_WEB_CSRF_SECRET is empty: a random key for this process");
        randombytes_buf(app->csrf_key, sizeof(app->csrf_key));
    } else if (strlen(cfg->csrf_secret) < 16) {
        fprintf(stderr, "config: AGORA_WEB_CSRF_SECRET: want 16 or more bytes\n");
        return AG_EINVAL;
    } else {
        crypto_generichash(app->csrf_key, sizeof(app->csrf_key),
                           (const unsigned char *)cfg->csrf_secret, strlen(cfg->csrf_secret), NULL,
                           0);
    }
    snprintf(pair, sizeof(pair), "%s:%s", cfg->client_id, cfg->client_key);
    sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)pair, strlen(pair),
                      sodium_base64_VARIANT_ORIGINAL);
    snprintf(app->client_header, sizeof(app->client_header), "Authorization: Basic %s", b64);
    sodium_memzero(pair, sizeof(pair));
    sodium_memzero(b64, sizeof(b64));
    int rc = ag_jwt_add_keys(app->jwt, cfg->jwt_public_key_file, cfg->jwt_extra_public_keys);
    return rc < 0 ? rc : load_files(app, cfg);
}

static int
serve(const struct web_config *cfg)
{
    struct web_app app = {.cfg = cfg};
    struct ag_jwt jwt;

    ag_jwt_init(&jwt, cfg->jwt_issuer, cfg->jwt_audience, 4096);
    app.jwt = &jwt;
    app.tmpl = ag_tmpl_set_new();
    app.i18n = ag_i18n_new("ko");
    app.assets = ag_static_new();
    app.cache = web_cache_new();
    if (cfg->guest_per_min > 0) {
        app.guest_rate = ag_rate_new(WEB_GUEST_SLOTS, (unsigned)cfg->guest_per_min, 60);
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = cfg->threads > 0 ? (int)cfg->threads : 4 * (int)(cores > 0 ? cores : 1);
    app.auth = ag_httpc_new((size_t)threads + 2, (int)cfg->upstream_timeout_ms, 0);
    app.gateway = ag_httpc_new((size_t)threads + 2, (int)cfg->upstream_timeout_ms, 0);
    int rc = setup(&app, cfg);
    if (rc == 0) {
        struct ag_service svc = {
            .name = "web",
            .version = "0.1.0",
            .routes = web_routes,
            .nroutes = web_nroutes,
            .openapi_yaml = web_openapi[0].text,
            .app = &app,
            .jwt = &jwt,
            .bind = cfg->bind,
            .port = (int)cfg->port,
            .threads = threads,
            .access_log = cfg->access_log,
            .fallback = &web_fallback,
            .headers = web_headers,
        };
        rc = ag_serve(&svc);
    }
    ag_httpc_free(app.gateway);
    ag_httpc_free(app.auth);
    web_cache_free(app.cache);
    ag_rate_free(app.guest_rate);
    ag_static_free(app.assets);
    ag_i18n_free(app.i18n);
    ag_tmpl_set_free(app.tmpl);
    sodium_memzero(app.csrf_key, sizeof(app.csrf_key));
    sodium_memzero(app.client_header, sizeof(app.client_header));
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
    struct web_config cfg;
    const struct ag_svc_main m = {
        .name = "web",
        .vars = web_config_vars,
        .nvars = NVARS,
        .cfg = &cfg,
        .cfg_size = sizeof(cfg),
        .log_level_field = CFG(log_level),
        .routes = web_routes,
        .nroutes = web_nroutes,
        .openapi_yaml = web_openapi[0].text,
        .serve = serve_main,
    };
    return ag_svc_main(argc, argv, &m);
}
