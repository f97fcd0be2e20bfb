/*
 * web's calls out: to auth directly (login, guest tokens, refresh: they need the BFF's client
 * key) and to everything else through the gateway with the visitor's access token, refreshed
 * once and retried when the gateway says it is no longer good. Also the small cache of public
 * catalog answers that the home page shows.
 */
#include "web.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "agora/err.h"
#include "agora/json.h"
#include "agora/log.h"
#include "agora/mem.h"

#define WEB_CACHE_FAIL_S 5 /* how long a failed catalog answer is remembered */
#define WEB_MAX_HEADERS  8

/* Header lines every call carries: the browser's address and its User-Agent (sessions list). */
static size_t
common_headers(struct ag_req *req, const char **h, size_t n)
{
    const char *ua = ag_req_header(req, "User-Agent");
    h[n++] = ag_arena_printf(req->arena, "X-Real-IP: %s", ag_req_peer(req));
    if (ua != NULL) {
        h[n++] = ag_arena_printf(req->arena, "User-Agent: %.200s", ua);
    }
    return n;
}

int
web_auth_call(struct ag_req *req, const char *method, const char *path, const json_t *body,
              const char *const *extra, struct ag_httpc_resp *resp)
{
    const struct web_app *app = req->app;
    const char *h[WEB_MAX_HEADERS + 1];
    size_t n = 0, len = 0;

    int own_auth = 0;
    for (size_t i = 0; extra != NULL && extra[i] != NULL; i++) {
        own_auth |= strncasecmp(extra[i], "Authorization:", 14) == 0;
    }
    if (!own_auth) {
        h[n++] = app->client_header; /* the BFF's client key, unless the call is a Bearer's */
    }
    n = common_headers(req, h, n);
    for (size_t i = 0; extra != NULL && extra[i] != NULL && n < WEB_MAX_HEADERS; i++) {
        h[n++] = extra[i];
    }
    h[n] = NULL;
    char *text = body != NULL ? ag_json_dump(req->arena, body, &len) : NULL;
    const char *url = ag_arena_printf(req->arena, "%s%s", app->cfg->auth_url, path);
    int rc = ag_httpc_request(app->auth, method, url, h, text, len, req->request_id, resp);
    if (text != NULL) {
        sodium_memzero(text, len); /* passwords and refresh tokens */
    }
    return rc;
}

/* One call through the gateway with the visitor's token as it is now. */
static int
api_send(struct ag_req *req, const struct web_visit *v, const char *method, const char *target,
         const char *body, size_t len, const char *const *extra, struct ag_httpc_resp *resp)
{
    const struct web_app *app = req->app;
    const char *h[WEB_MAX_HEADERS + 1];
    size_t n = 0;

    if (v->access != NULL) {
        h[n++] = ag_arena_printf(req->arena, "Authorization: Bearer %s", v->access);
    }
    n = common_headers(req, h, n);
    for (size_t i = 0; extra != NULL && extra[i] != NULL && n < WEB_MAX_HEADERS; i++) {
        h[n++] = extra[i];
    }
    h[n] = NULL;
    const char *url = ag_arena_printf(req->arena, "%s%s", app->cfg->gateway_url, target);
    return ag_httpc_request(app->gateway, method, url, h, body, len, req->request_id, resp);
}

int
web_api_send(struct ag_req *req, struct web_visit *v, const char *method, const char *target,
             const char *body, size_t len, const char *const *extra, struct ag_httpc_resp *resp)
{
    int rc = api_send(req, v, method, target, body, len, extra, resp);
    /*
     * A 401 means the request had no effect: when a refresh cookie is there, the access token
     * has probably run out (or its session ended), so refresh once and try again. A refused
     * refresh clears the cookies, and the 401 stands.
     */
    if (rc == 0 && resp->status == 401 && v->refresh != NULL) {
        if (web_visit_refresh(req, v) == 0) {
            ag_httpc_resp_release(resp);
            rc = api_send(req, v, method, target, body, len, extra, resp);
        }
    }
    return rc;
}

int
web_api_call(struct ag_req *req, struct web_visit *v, const char *method, const char *path,
             const json_t *body, const char *idem, struct ag_httpc_resp *resp)
{
    const char *extra[2] = {NULL, NULL};
    size_t len = 0;

    if (idem != NULL) {
        extra[0] = ag_arena_printf(req->arena, "X-Idempotency-Key: %s", idem);
    }
    char *text = body != NULL ? ag_json_dump(req->arena, body, &len) : NULL;
    int rc = web_api_send(req, v, method, path, text, len, extra, resp);
    if (text != NULL) {
        sodium_memzero(text, len);
    }
    return rc;
}

const char *
web_resp_message(const struct ag_httpc_resp *resp)
{
    json_t *err = json_object_get(resp->json, "error");
    return json_string_value(json_object_get(err, "message"));
}

const char *
web_resp_field(const struct ag_httpc_resp *resp)
{
    json_t *details = json_object_get(json_object_get(resp->json, "error"), "details");
    return json_string_value(json_object_get(details, "field"));
}

/* The cache of public catalog answers: one entry per kind, shared by every thread. */
struct web_cache {
    pthread_mutex_t lock;
    json_t *data[WEB_CATALOG_KEYS]; /* owned; NULL after a failure */
    long long until_ms[WEB_CATALOG_KEYS];
    int busy[WEB_CATALOG_KEYS]; /* a thread is fetching it: the others use what is there */
};

static const char *const catalog_paths[WEB_CATALOG_KEYS] = {
    "/api/categories",
    "/api/products?sort=newest&page=1",
};

struct web_cache *
web_cache_new(void)
{
    struct web_cache *c = ag_xcalloc(1, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

void
web_cache_free(struct web_cache *c)
{
    if (c == NULL) {
        return;
    }
    for (size_t i = 0; i < WEB_CATALOG_KEYS; i++) {
        json_decref(c->data[i]);
    }
    pthread_mutex_destroy(&c->lock);
    ag_free(c);
}

static long long
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

json_t *
web_catalog_get(struct ag_req *req, struct web_visit *v, int which)
{
    struct web_app *app = req->app;
    struct web_cache *c = app->cache;
    struct ag_httpc_resp resp;

    pthread_mutex_lock(&c->lock);
    json_t *have = json_incref(c->data[which]);
    int fetch = !c->busy[which] && now_ms() >= c->until_ms[which];
    c->busy[which] |= fetch;
    pthread_mutex_unlock(&c->lock);
    if (!fetch) {
        return have;
    }
    /* Public reads: no token, so the answer is the same for every visitor. */
    struct web_visit anon = {.lang = v->lang};
    int rc = web_api_send(req, &anon, "GET", catalog_paths[which], NULL, 0, NULL, &resp);
    json_t *got = rc == 0 && resp.status == 200 ? json_object_get(resp.json, "data") : NULL;
    json_incref(got);
    ag_httpc_resp_release(&resp);
    pthread_mutex_lock(&c->lock);
    json_decref(c->data[which]);
    c->data[which] = json_incref(got);
    c->until_ms[which] =
        now_ms() + (got != NULL ? app->cfg->catalog_cache_s : WEB_CACHE_FAIL_S) * 1000;
    c->busy[which] = 0;
    pthread_mutex_unlock(&c->lock);
    json_decref(have);
    return got;
}
