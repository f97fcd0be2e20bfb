/*
 * The visitor of a request, from its cookies: the language, the CSRF cookie and its form
 * token, the access token (verified here with the public key, so pages know who is signed
 * in), and the refresh token, used when the access token has run out. A first page view gets
 * a guest token, as the original storefront did, so that carts can belong to guests.
 *
 * Cookies (ARCHITECTURE.md): access_token (HttpOnly, SameSite=Lax, Max-Age = the token's
 * life), refresh_token (HttpOnly, SameSite=Strict, Path=/), access_type (the role, readable by
 * scripts), csrf_token (HttpOnly, SameSite=Strict, for this browser session); all Secure when
 * AGORA_PUBLIC_URL is https.
 */
#include "web.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "agora/err.h"
#include "agora/log.h"

void
web_random_hex(char *out, size_t bytes)
{
    unsigned char raw[64];
    if (bytes > sizeof(raw)) {
        bytes = sizeof(raw);
    }
    randombytes_buf(raw, bytes);
    sodium_bin2hex(out, bytes * 2 + 1, raw, bytes);
}

int
web_cookie_set(struct ag_req *req, const char *name, const char *value, long long max_age_s,
               const char *same_site, int http_only)
{
    const struct web_app *app = req->app;
    char line[WEB_MAX_TOKEN + 256], age[40] = "";

    if (max_age_s >= 0) {
        snprintf(age, sizeof(age), "; Max-Age=%lld", max_age_s);
    }
    int n = snprintf(line, sizeof(line), "%s=%s; Path=/%s; SameSite=%s%s%s", name, value, age,
                     same_site, http_only ? "; HttpOnly" : "", app->secure ? "; Secure" : "");
    if (n < 0 || (size_t)n >= sizeof(line)) {
        return AG_ETOOLARGE;
    }
    return ag_reply_header(req, "Set-Cookie", line);
}

/* The form token of CSRF cookie 'cookie': HMAC-SHA256 under the process's key, 16 bytes. */
static void
csrf_token_of(const struct web_app *app, const char *cookie, char out[WEB_CSRF_HEX + 1])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256(mac, (const unsigned char *)cookie, strlen(cookie), app->csrf_key);
    sodium_bin2hex(out, WEB_CSRF_HEX + 1, mac, WEB_CSRF_HEX / 2);
}

static int
is_hex(const char *s, size_t n)
{
    if (s == NULL || strlen(s) != n) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
            return 0;
        }
    }
    return 1;
}

void
web_csrf_rotate(struct ag_req *req, struct web_visit *v)
{
    char cookie[WEB_CSRF_HEX + 1];
    web_random_hex(cookie, WEB_CSRF_HEX / 2);
    web_cookie_set(req, WEB_COOKIE_CSRF, cookie, -1, "Strict", 1);
    csrf_token_of(req->app, cookie, v->csrf);
}

int
web_csrf_ok(struct ag_req *req, const struct web_visit *v, const char *token)
{
    (void)req;
    if (token == NULL || strlen(token) != WEB_CSRF_HEX) {
        return 0;
    }
    return sodium_memcmp(token, v->csrf, WEB_CSRF_HEX) == 0;
}

/* 'url' begins with 'origin' and then ends or goes on with '/'. */
static int
same_origin(const char *url, const char *origin)
{
    size_t n = strlen(origin);
    return n > 0 && strncmp(url, origin, n) == 0 && (url[n] == '\0' || url[n] == '/');
}

int
web_origin_ok(struct ag_req *req)
{
    const struct web_app *app = req->app;
    const char *from = ag_req_header(req, "Origin");
    const char *host = ag_req_header(req, "Host");
    char own[300];

    if (from == NULL) {
        from = ag_req_header(req, "Referer");
    }
    if (from == NULL) {
        return 1; /* old clients send neither; the CSRF token still guards the request */
    }
    if (same_origin(from, app->origin)) {
        return 1;
    }
    if (host == NULL || strlen(host) > 255) {
        return 0;
    }
    snprintf(own, sizeof(own), "%s://%s", app->secure ? "https" : "http", host);
    return same_origin(from, own);
}

/* Fills 'v' from a token answer of auth ({access_token, refresh_token, expires_in, …}). */
int
web_visit_tokens_set(struct ag_req *req, struct web_visit *v, const json_t *tokens)
{
    struct web_app *app = req->app;
    const char *access = json_string_value(json_object_get(tokens, "access_token"));
    const char *refresh = json_string_value(json_object_get(tokens, "refresh_token"));
    const char *role = json_string_value(json_object_get(tokens, "role"));
    json_int_t ttl = json_integer_value(json_object_get(tokens, "expires_in"));
    json_int_t rttl = json_integer_value(json_object_get(tokens, "refresh_expires_in"));

    if (access == NULL || refresh == NULL || role == NULL || ttl <= 0 ||
        strlen(access) > WEB_MAX_TOKEN || strlen(refresh) > WEB_MAX_TOKEN ||
        ag_jwt_verify(app->jwt, access, strlen(access), (int64_t)time(NULL), &v->claims) < 0) {
        ag_log(AG_LOG_ERROR, req->request_id, "auth answered tokens web cannot use");
        return AG_EINTERNAL;
    }
    if (rttl <= 0) {
        rttl = ttl;
    }
    web_cookie_set(req, "access_token", access, ttl, "Lax", 1);
    web_cookie_set(req, "refresh_token", refresh, rttl, "Strict", 1);
    web_cookie_set(req, "access_type", role, rttl, "Lax", 0);
    v->access = ag_arena_strdup(req->arena, access);
    v->refresh = ag_arena_strdup(req->arena, refresh);
    v->signed_in = v->claims.role == AG_ROLE_USER || v->claims.role == AG_ROLE_ADMIN;
    return 0;
}

void
web_visit_clear(struct ag_req *req, struct web_visit *v)
{
    web_cookie_set(req, "access_token", "", 0, "Lax", 1);
    web_cookie_set(req, "refresh_token", "", 0, "Strict", 1);
    web_cookie_set(req, "access_type", "", 0, "Lax", 0);
    v->access = NULL;
    v->refresh = NULL;
    v->signed_in = 0;
    memset(&v->claims, 0, sizeof(v->claims));
}

/*
 * Trades the refresh cookie for new tokens. 0 with new cookies set; AG_EUNAUTH when auth
 * refused it (the cookies are cleared: the session is over); another code when auth could
 * not be asked (the cookies stay).
 */
int
web_visit_refresh(struct ag_req *req, struct web_visit *v)
{
    struct ag_httpc_resp resp;

    if (v->refresh == NULL) {
        return AG_EUNAUTH;
    }
    json_t *body = json_pack("{s:s}", "refresh_token", v->refresh);
    int rc = web_auth_call(req, "POST", "/api/auth/refresh", body, NULL, &resp);
    json_decref(body);
    if (rc == 0 && resp.status == 200) {
        rc = web_visit_tokens_set(req, v, json_object_get(resp.json, "data"));
    } else if (rc == 0 && resp.status == 401) {
        web_visit_clear(req, v);
        rc = AG_EUNAUTH;
    } else if (rc == 0) {
        rc = AG_EUNAVAIL;
    }
    ag_httpc_resp_release(&resp);
    return rc;
}

/*
 * A first view: a guest token from auth. Failing that, the page is shown all the same. No
 * gateway limits these calls, so web does, per client address: a script that never keeps
 * its cookies would otherwise fill Redis with guest sessions.
 */
static void
guest_start(struct ag_req *req, struct web_visit *v)
{
    const struct web_app *app = req->app;
    struct ag_httpc_resp resp;
    struct timespec now;

    const char *peer = ag_req_client_addr(req, &app->trusted);
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (app->guest_rate != NULL &&
        !ag_rate_take(app->guest_rate, peer, strlen(peer), (int64_t)now.tv_sec)) {
        ag_log(AG_LOG_DEBUG, req->request_id, "no guest session: '%s' started too many", peer);
        return;
    }
    json_t *body = json_object();
    int rc = web_auth_call(req, "POST", "/api/auth/guest-token", body, NULL, &resp);
    json_decref(body);
    if (rc == 0 && resp.status == 200) {
        web_visit_tokens_set(req, v, json_object_get(resp.json, "data"));
    } else {
        ag_log(AG_LOG_WARN, req->request_id, "no guest token: %s, status %ld", ag_err_name(rc),
               resp.status);
    }
    ag_httpc_resp_release(&resp);
}

void
web_cart_merge(struct ag_req *req, struct web_visit *v, const char *guest_token)
{
    struct ag_httpc_resp resp;

    if (guest_token == NULL || !v->signed_in) {
        return;
    }
    json_t *body = json_pack("{s:s}", "guestToken", guest_token);
    int rc = web_api_call(req, v, "POST", "/api/cart/merge", body, NULL, &resp);
    json_decref(body);
    if (rc < 0 || resp.status != 200) {
        /* The sign-in stands; the guest's cart stays where it was. */
        ag_log(AG_LOG_WARN, req->request_id, "cannot merge the guest cart: %s, HTTP %ld",
               rc < 0 ? ag_err_name(rc) : "answered", resp.status);
    }
    ag_httpc_resp_release(&resp);
}

/*
 * Signs in with auth (directly, with the BFF's client key), handing over the guest token so
 * auth ends that session; 'new_csrf' renews the CSRF cookie too. 0 with the cookies set; else the
 * HTTP status auth answered (401, 429…) or a negative code when it could not be asked.
 */
int
web_sign_in(struct ag_req *req, struct web_visit *v, const char *login, const char *password,
            int new_csrf, long *status)
{
    struct ag_httpc_resp resp;
    const char *extra[2] = {NULL, NULL};
    const char *guest = NULL;

    if (v->access != NULL && v->claims.role == AG_ROLE_GUEST) {
        guest = v->access;
        extra[0] = ag_arena_printf(req->arena, "X-Previous-Token: %s", v->access);
    }
    json_t *body = json_pack("{s:s,s:s}", strchr(login, '@') != NULL ? "email" : "id", login,
                             "password", password);
    int rc = web_auth_call(req, "POST", "/api/auth/login", body, extra, &resp);
    json_decref(body);
    *status = resp.status;
    if (rc == 0 && resp.status == 200) {
        rc = web_visit_tokens_set(req, v, json_object_get(resp.json, "data"));
        if (rc == 0 && new_csrf) {
            web_csrf_rotate(req, v); /* a new visitor's session gets a new CSRF token */
        }
        if (rc == 0) {
            web_cart_merge(req, v, guest); /* the guest's cart comes along */
        }
    } else if (rc == 0) {
        rc = AG_EUNAUTH;
    }
    ag_httpc_resp_release(&resp);
    return rc;
}

int
web_visit_begin(struct ag_req *req, struct web_visit *v, unsigned flags)
{
    struct web_app *app = req->app;

    memset(v, 0, sizeof(*v));
    v->lang = ag_i18n_pick(app->i18n, ag_req_cookie(req, WEB_COOKIE_LANG),
                           ag_req_header(req, "Accept-Language"));
    const char *csrf = ag_req_cookie(req, WEB_COOKIE_CSRF);
    if (is_hex(csrf, WEB_CSRF_HEX)) {
        csrf_token_of(app, csrf, v->csrf);
    } else {
        web_csrf_rotate(req, v);
    }
    const char *access = ag_req_cookie(req, "access_token");
    if (access != NULL && strlen(access) <= WEB_MAX_TOKEN &&
        ag_jwt_verify(app->jwt, access, strlen(access), (int64_t)time(NULL), &v->claims) == 0) {
        v->access = access;
        v->signed_in = v->claims.role == AG_ROLE_USER || v->claims.role == AG_ROLE_ADMIN;
    }
    const char *refresh = ag_req_cookie(req, "refresh_token");
    if (refresh != NULL && strlen(refresh) <= WEB_MAX_TOKEN) {
        v->refresh = refresh;
    }
    if (v->access != NULL) {
        return 0;
    }
    int refused = 0;
    if (v->refresh != NULL) {
        int rc = web_visit_refresh(req, v);
        if (rc == 0) {
            return 0;
        }
        refused = rc == AG_EUNAUTH;
    }
    /*
     * A guest token only for a visitor that has none, or whose session auth just refused: a
     * signed-in visitor whose refresh cookie stayed behind (SameSite=Strict, on a link from
     * another site) keeps its session for the next view instead of losing it to a guest's.
     */
    if ((flags & WEB_VISIT_GUEST) && (refused || ag_req_cookie(req, "access_type") == NULL)) {
        guest_start(req, v);
    }
    return 0;
}
