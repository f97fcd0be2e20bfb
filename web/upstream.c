/*
 * web's calls out: to auth directly (login, guest tokens, refresh: they need the BFF's client
 * key) and to everything else through the gateway with the visitor's access token, refreshed
 * once and retried when the gateway says it is no longer good. Also the small caches of public
 * catalog answers: the home page's lists and the product pages' products.
 */
#include "web.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "agora/clock.h"
#include "agora/err.h"
#include "agora/json.h"
#include "agora/log.h"
#include "agora/mem.h"

#define WEB_CACHE_FAIL_S 5 /* how long a failed catalog answer is remembered */
#define WEB_MAX_HEADERS  8
#define INFLIGHT_TRIES   20 /* a double submit: wait for the first request's answer */
#define INFLIGHT_MS      150

/*
 * Header lines every call carries: the browser's address (behind a trusted proxy, the one it
 * names) and its User-Agent (sessions list).
 */
static size_t
common_headers(struct ag_req *req, const char **h, size_t n)
{
    const struct web_app *app = req->app;
    const char *ua = ag_req_header(req, "User-Agent");
    h[n++] = ag_arena_printf(req->arena, "X-Real-IP: %s", ag_req_client_addr(req, &app->trusted));
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

int
web_api_write(struct ag_req *req, struct web_visit *v, const char *method, const char *path,
              const json_t *body, const char *idem, struct ag_httpc_resp *resp)
{
    int rc = 0;
    for (int i = 0; i < INFLIGHT_TRIES; i++) {
        rc = web_api_call(req, v, method, path, body, idem, resp);
        const char *code = rc == 0 ? web_resp_code(resp) : NULL;
        if (rc != 0 || resp->status != 409 || code == NULL || strcmp(code, "BIZ_3003") != 0 ||
            i + 1 == INFLIGHT_TRIES) {
            break; /* the last 409 stands, for the caller to say so */
        }
        ag_httpc_resp_release(resp);
        struct timespec ts = {0, INFLIGHT_MS * 1000000L};
        nanosleep(&ts, NULL);
    }
    return rc;
}

const char *
web_resp_code(const struct ag_httpc_resp *resp)
{
    return json_string_value(json_object_get(json_object_get(resp->json, "error"), "code"));
}

const json_t *
web_resp_details(const struct ag_httpc_resp *resp)
{
    return json_object_get(json_object_get(resp->json, "error"), "details");
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

/*
 * The product cache: the catalog's public answer per product, for AGORA_WEB_PRODUCT_CACHE_S
 * seconds, at most WEB_PRODUCT_SLOTS of them (the least recently used goes first). Slots are
 * one array; a bucket array chains them by hash of the key (the slug of the page's path),
 * and a list orders them by use. 'gen' grows at every forget: an answer fetched while an
 * admin write went through is not kept, as it may be from before the write.
 */
#define PRODUCT_BUCKETS (2 * WEB_PRODUCT_SLOTS)
#define NIL             UINT32_MAX

struct product_slot {
    char ref[WEB_MAX_SLUG + 1];
    json_int_t id;
    json_t *data; /* owned; NULL: the slot is free */
    long long until_ms;
    uint32_t prev, next; /* the use list, most recent first; 'next' links the free slots */
    uint32_t chain;      /* the next slot of the same bucket */
};

/* The caches of public catalog answers, shared by every thread under one lock. */
struct web_cache {
    pthread_mutex_t lock;
    json_t *data[WEB_CATALOG_KEYS]; /* owned; NULL after a failure */
    long long until_ms[WEB_CATALOG_KEYS];
    int busy[WEB_CATALOG_KEYS]; /* a thread is fetching it: the others use what is there */
    struct product_slot slots[WEB_PRODUCT_SLOTS];
    uint32_t buckets[PRODUCT_BUCKETS];
    uint32_t head, tail, free;
    unsigned long long gen;
};

static const char *const catalog_paths[WEB_CATALOG_KEYS] = {
    "/api/categories",
    "/api/products?sort=popular&size=8",
};

struct web_cache *
web_cache_new(void)
{
    struct web_cache *c = ag_xcalloc(1, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    for (uint32_t i = 0; i < PRODUCT_BUCKETS; i++) {
        c->buckets[i] = NIL;
    }
    for (uint32_t i = 0; i < WEB_PRODUCT_SLOTS; i++) {
        c->slots[i].next = i + 1 < WEB_PRODUCT_SLOTS ? i + 1 : NIL;
    }
    c->head = c->tail = NIL;
    c->free = 0;
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
    for (size_t i = 0; i < WEB_PRODUCT_SLOTS; i++) {
        json_decref(c->slots[i].data);
    }
    pthread_mutex_destroy(&c->lock);
    ag_free(c);
}

json_t *
web_catalog_get(struct ag_req *req, struct web_visit *v, int which)
{
    struct web_app *app = req->app;
    struct web_cache *c = app->cache;
    struct ag_httpc_resp resp;

    pthread_mutex_lock(&c->lock);
    json_t *have = json_incref(c->data[which]);
    int fetch = !c->busy[which] && ag_clock_ms() >= c->until_ms[which];
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
        ag_clock_ms() + (got != NULL ? app->cfg->catalog_cache_s : WEB_CACHE_FAIL_S) * 1000;
    c->busy[which] = 0;
    pthread_mutex_unlock(&c->lock);
    json_decref(have);
    return got;
}

void
web_catalog_forget(struct web_app *app, int which)
{
    struct web_cache *c = app->cache;
    pthread_mutex_lock(&c->lock);
    c->until_ms[which] = 0;
    pthread_mutex_unlock(&c->lock);
}

/* FNV-1a of the key, for its bucket. */
static uint32_t
bucket_of(const char *ref)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)ref; *p != '\0'; p++) {
        h = (h ^ *p) * 16777619u;
    }
    return h % PRODUCT_BUCKETS;
}

/* The slot of 'ref', or NIL; under the lock. */
static uint32_t
slot_find(const struct web_cache *c, const char *ref)
{
    for (uint32_t i = c->buckets[bucket_of(ref)]; i != NIL; i = c->slots[i].chain) {
        if (strcmp(c->slots[i].ref, ref) == 0) {
            return i;
        }
    }
    return NIL;
}

static void
use_unlink(struct web_cache *c, uint32_t i)
{
    struct product_slot *s = &c->slots[i];
    if (s->prev != NIL) {
        c->slots[s->prev].next = s->next;
    } else {
        c->head = s->next;
    }
    if (s->next != NIL) {
        c->slots[s->next].prev = s->prev;
    } else {
        c->tail = s->prev;
    }
}

static void
use_push(struct web_cache *c, uint32_t i)
{
    struct product_slot *s = &c->slots[i];
    s->prev = NIL;
    s->next = c->head;
    if (c->head != NIL) {
        c->slots[c->head].prev = i;
    }
    c->head = i;
    if (c->tail == NIL) {
        c->tail = i;
    }
}

/* Empties slot 'i' (in use) and puts it on the free list; under the lock. */
static void
slot_drop(struct web_cache *c, uint32_t i)
{
    struct product_slot *s = &c->slots[i];
    uint32_t *at = &c->buckets[bucket_of(s->ref)];
    while (*at != i) {
        at = &c->slots[*at].chain;
    }
    *at = s->chain;
    use_unlink(c, i);
    json_decref(s->data);
    s->data = NULL;
    s->next = c->free;
    c->free = i;
}

/* Keeps 'data' (a new reference is taken) as the answer for 'ref'; under the lock. */
static void
slot_put(struct web_cache *c, const char *ref, json_t *data, long long until_ms)
{
    uint32_t i = slot_find(c, ref);
    if (i != NIL) {
        slot_drop(c, i);
    }
    if (c->free == NIL) {
        slot_drop(c, c->tail); /* full: the least recently used goes */
    }
    i = c->free;
    struct product_slot *s = &c->slots[i];
    c->free = s->next;
    snprintf(s->ref, sizeof(s->ref), "%s", ref);
    s->id = json_integer_value(json_object_get(data, "id"));
    s->data = json_incref(data);
    s->until_ms = until_ms;
    uint32_t b = bucket_of(ref);
    s->chain = c->buckets[b];
    c->buckets[b] = i;
    use_push(c, i);
}

json_t *
web_product_get(struct ag_req *req, const char *ref, long *status)
{
    struct web_app *app = req->app;
    struct web_cache *c = app->cache;
    struct ag_httpc_resp resp;
    long long ttl_ms = app->cfg->product_cache_s * 1000;

    if (strlen(ref) > WEB_MAX_SLUG) {
        *status = 404;
        return NULL;
    }
    pthread_mutex_lock(&c->lock);
    uint32_t i = ttl_ms > 0 ? slot_find(c, ref) : NIL;
    json_t *have = NULL;
    if (i != NIL && ag_clock_ms() < c->slots[i].until_ms) {
        have = json_incref(c->slots[i].data);
        use_unlink(c, i);
        use_push(c, i);
    }
    unsigned long long gen = c->gen;
    pthread_mutex_unlock(&c->lock);
    if (have != NULL) {
        *status = 200;
        return have;
    }
    /* A public read (no token): what every visitor sees, drafts never. */
    struct web_visit anon = {.lang = "ko"};
    const char *path = ag_arena_printf(req->arena, "/api/products/%s", ref);
    int rc = web_api_send(req, &anon, "GET", path, NULL, 0, NULL, &resp);
    *status = rc == 0 && resp.status < 500 ? resp.status : 503;
    json_t *got = *status == 200 ? json_incref(json_object_get(resp.json, "data")) : NULL;
    ag_httpc_resp_release(&resp);
    if (!json_is_object(got)) {
        json_decref(got);
        *status = *status == 200 ? 503 : *status;
        return NULL;
    }
    pthread_mutex_lock(&c->lock);
    if (ttl_ms > 0 && gen == c->gen) {
        slot_put(c, ref, got, ag_clock_ms() + ttl_ms);
    }
    pthread_mutex_unlock(&c->lock);
    return got;
}

void
web_product_forget(struct web_app *app, json_int_t id, const char *ref)
{
    struct web_cache *c = app->cache;

    pthread_mutex_lock(&c->lock);
    c->gen++;
    for (uint32_t i = 0; i < WEB_PRODUCT_SLOTS; i++) {
        if (c->slots[i].data != NULL && c->slots[i].id == id) {
            slot_drop(c, i);
        }
    }
    uint32_t i = ref != NULL ? slot_find(c, ref) : NIL;
    if (i != NIL) {
        slot_drop(c, i);
    }
    c->until_ms[WEB_CATALOG_FEATURED] = 0; /* the home page's products may show it */
    pthread_mutex_unlock(&c->lock);
}
