/*
 * The auth service and the gateway, against the real stack: the whole token life through the
 * gateway, hostile tokens and inputs, the failed-login limit, revocation that stops at the
 * gateway, and identity headers that a client cannot forge.
 */
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "ag_test.h"
#include "itest.h"

#include "agora/http.h"
#include "agora/jwt.h"
#include "agora/log.h"
#include "agora/mem.h"

static char url_buf[512];

static const char *gw(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The gateway's URL for a printf-formatted path; valid until the next call. */
static const char *
gw(const char *fmt, ...)
{
    char path[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    snprintf(url_buf, sizeof(url_buf), "%s%s", it_url("GATEWAY"), path);
    return url_buf;
}

static const char *auth_direct(const char *path);

/* The auth service's own URL (no gateway, so no verdict cache). */
static const char *
auth_direct(const char *path)
{
    snprintf(url_buf, sizeof(url_buf), "%s%s", it_url("AUTH"), path);
    return url_buf;
}

/* Waits out the gateway's verdict cache (AGORA_GATEWAY_AUTH_CACHE_S, default 2 s). */
static void
wait_cache_window(void)
{
    const char *s = getenv("AGORA_GATEWAY_AUTH_CACHE_S");
    long ms = (s != NULL ? atol(s) : 2) * 1000 + 500;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void
sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

struct tokens {
    char access[AG_JWT_MAX_TOKEN];
    char refresh[128];
    char sid[64];
};

static long
take_tokens(const struct it_resp *r, struct tokens *t)
{
    const char *a = it_data_str(r, "access_token"), *f = it_data_str(r, "refresh_token"),
               *s = it_data_str(r, "session_id");
    if (r->status == 200 && a != NULL && f != NULL && s != NULL) {
        snprintf(t->access, sizeof(t->access), "%s", a);
        snprintf(t->refresh, sizeof(t->refresh), "%s", f);
        snprintf(t->sid, sizeof(t->sid), "%s", s);
    }
    return r->status;
}

static long
guest(struct tokens *t)
{
    struct it_resp r;
    const char *const h[] = {it_client_auth_header(), NULL};
    it_request(&r, "POST", gw("/api/auth/guest-token"), NULL, NULL, NULL, h);
    long st = take_tokens(&r, t);
    it_resp_free(&r);
    return st;
}

static long
login(const char *id, const char *password, const char *previous, struct tokens *t,
      struct it_resp *out)
{
    struct it_resp r;
    char body[300], prev[AG_JWT_MAX_TOKEN + 32];
    snprintf(body, sizeof(body), "{\"id\":\"%s\",\"password\":\"%s\"}", id, password);
    snprintf(prev, sizeof(prev), "X-Previous-Token: %s", previous ? previous : "");
    const char *const h[] = {it_client_auth_header(), previous ? prev : NULL, NULL};
    it_request(&r, "POST", gw("/api/auth/login"), NULL, NULL, body, h);
    long st = take_tokens(&r, t);
    if (out != NULL) {
        *out = r;
    } else {
        it_resp_free(&r);
    }
    return st;
}

static long
refresh(const char *token, struct tokens *t)
{
    struct it_resp r;
    char body[300];
    snprintf(body, sizeof(body), "{\"refresh_token\":\"%s\"}", token);
    const char *const h[] = {it_client_auth_header(), NULL};
    it_request(&r, "POST", gw("/api/auth/refresh"), NULL, NULL, body, h);
    long st = t != NULL ? take_tokens(&r, t) : r.status;
    it_resp_free(&r);
    return st;
}

/* GET a path through the gateway with a token; returns the status. */
static long
get_with(const char *path, const char *token)
{
    struct it_resp r;
    it_request(&r, "GET", gw("%s", path), token, NULL, NULL, NULL);
    long st = r.status;
    it_resp_free(&r);
    return st;
}

/* A member signed up through the gateway with a guest token; 'guest_tokens' keeps the guest. */
static int
sign_up(char id[40], const char *password, struct tokens *guest_tokens)
{
    struct it_resp r;
    char body[300], key[40];

    if (guest(guest_tokens) != 200) {
        return -1;
    }
    it_unique(id, 40, "gw");
    it_unique(key, sizeof(key), "signup-");
    snprintf(body, sizeof(body),
             "{\"id\":\"%s\",\"email\":\"%s@example.com\",\"name\":\"G\",\"password\":\"%s\"}", id,
             id, password);
    it_request(&r, "POST", gw("/api/members"), guest_tokens->access, key, body, NULL);
    long st = r.status;
    it_resp_free(&r);
    return st == 201 ? 0 : -1;
}

TEST(token_life_through_the_gateway)
{
    struct tokens g, a, b, c, d;
    char id[40], path[120];

    CHECK_EQ_INT(sign_up(id, "correct horse", &g), 0);
    snprintf(path, sizeof(path), "/api/members/%s", id);
    /* Login ends the guest session it replaces. */
    CHECK_EQ_INT(login(id, "correct horse", g.access, &a, NULL), 200);
    CHECK_EQ_INT(get_with("/api/auth/session-info", g.access), 401);
    CHECK_EQ_INT(get_with(path, a.access), 200);
    /* Rotation: the new pair works; the old refresh token still works once within grace. */
    CHECK_EQ_INT(refresh(a.refresh, &b), 200);
    CHECK(strcmp(a.refresh, b.refresh) != 0);
    CHECK_EQ_INT(get_with(path, b.access), 200);
    CHECK_EQ_INT(refresh(a.refresh, &c), 200);
    /* After the grace window the old token is spent: presenting it ends the whole family. */
    const char *g_s = getenv("AGORA_AUTH_REFRESH_GRACE_S");
    sleep_ms((g_s != NULL ? atol(g_s) : 10) * 1000 + 1200);
    CHECK_EQ_INT(refresh(a.refresh, NULL), 401);
    CHECK_EQ_INT(refresh(b.refresh, NULL), 401);
    CHECK_EQ_INT(refresh(c.refresh, NULL), 401);
    wait_cache_window();
    CHECK_EQ_INT(get_with(path, c.access), 401);
    /* A new login; logout; the access token stops at the gateway within the cache window. */
    CHECK_EQ_INT(login(id, "correct horse", NULL, &d, NULL), 200);
    CHECK_EQ_INT(get_with(path, d.access), 200);
    struct it_resp r;
    it_request(&r, "POST", gw("/api/auth/logout"), d.access, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    it_resp_free(&r);
    wait_cache_window();
    it_request(&r, "GET", gw("%s", path), d.access, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 401);
    CHECK_EQ_STR(it_error_code(&r), "AUTH_1001");
    CHECK(json_is_false(json_object_get(r.json, "success")));
    it_resp_free(&r);
}

TEST(login_answer_and_failed_logins)
{
    struct tokens g, a;
    char id[40];
    struct it_resp r;

    CHECK_EQ_INT(sign_up(id, "correct horse", &g), 0);
    CHECK_EQ_INT(login(id, "correct horse", NULL, &a, &r), 200);
    CHECK_EQ_STR(it_data_str(&r, "id"), id);
    CHECK_EQ_STR(it_data_str(&r, "role"), "user");
    CHECK_EQ_STR(it_data_str(&r, "token_type"), "Bearer");
    CHECK_NOT_NULL(it_data_str(&r, "email"));
    CHECK_NOT_NULL(it_data_str(&r, "name"));
    CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(r.json, "data"), "expires_in")),
                 900);
    it_resp_free(&r);
    /* Five wrong passwords are 401; the sixth attempt is 429, even with the right one. */
    long long before = it_redis_int("SCARD auth:u:%s", id);
    for (int i = 0; i < 5; i++) {
        CHECK_EQ_INT(login(id, "wrong horse", NULL, &a, NULL), 401);
    }
    CHECK_EQ_INT(it_redis_int("SCARD auth:u:%s", id), before); /* no session for a failure */
    CHECK_EQ_INT(login(id, "wrong horse", NULL, &a, &r), 429);
    CHECK_EQ_STR(it_error_code(&r), "AUTH_1004");
    char h[32];
    CHECK_NOT_NULL(it_header(&r, "Retry-After", h, sizeof(h)));
    CHECK(atol(h) > 0);
    it_resp_free(&r);
    CHECK_EQ_INT(login(id, "correct horse", NULL, &a, NULL), 429);
    /* An unknown account gets the same 401 as a wrong password. */
    CHECK_EQ_INT(login("nobody-at-all", "wrong horse", NULL, &a, &r), 401);
    CHECK(strstr(r.body, "invalid credentials") != NULL);
    it_resp_free(&r);
    CHECK_EQ_INT(it_redis_int("EXISTS auth:u:nobody-at-all"), 0);
}

TEST(client_authentication)
{
    struct it_resp r;
    const char *const none[] = {NULL};
    const char *const wrong[] = {"Authorization: Basic d2ViOm5vdC10aGUta2V5LWF0LWFsbA==", NULL};
    const char *const garbage[] = {"Authorization: Basic ***", NULL};
    const char *const *cases[] = {none, wrong, garbage};
    for (size_t i = 0; i < 3; i++) {
        it_request(&r, "POST", gw("/api/auth/guest-token"), NULL, NULL, NULL, cases[i]);
        CHECK_EQ_INT(r.status, 401);
        CHECK_EQ_STR(it_error_code(&r), "AUTH_1001");
        it_resp_free(&r);
        it_request(&r, "POST", gw("/api/auth/refresh"), NULL, NULL, "{\"refresh_token\":\"x\"}",
                   cases[i]);
        CHECK_EQ_INT(r.status, 401);
        it_resp_free(&r);
        it_request(&r, "POST", gw("/api/auth/login"), NULL, NULL,
                   "{\"id\":\"x\",\"password\":\"y\"}", cases[i]);
        CHECK_EQ_INT(r.status, 401);
        it_resp_free(&r);
    }
}

/* A token signed with HMAC-SHA256 using the public key as the secret (the classic confusion). */
static char *
hs256_with_public_key(const char *kid)
{
    const char *src = getenv("AGORA_SOURCE_DIR");
    char path[4096], pem[1024] = "";
    snprintf(path, sizeof(path), "%s/var/test/keys/jwt-ed25519.pub.pem", src);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(pem, 1, sizeof(pem) - 1, f) : 0;
    if (f != NULL) {
        fclose(f);
    }
    pem[n] = '\0';
    char header[256], payload[512], h64[400], p64[700], sig64[100], signing[1200];
    snprintf(header, sizeof(header), "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}", kid);
    long long now = (long long)time(NULL);
    snprintf(payload, sizeof(payload),
             "{\"sub\":\"root\",\"role\":\"admin\",\"sid\":\"x\",\"iat\":%lld,\"exp\":%lld,"
             "\"iss\":\"agora-auth\",\"aud\":\"agora\"}",
             now, now + 600);
    ag_b64url_encode((const unsigned char *)header, strlen(header), h64, sizeof(h64));
    ag_b64url_encode((const unsigned char *)payload, strlen(payload), p64, sizeof(p64));
    snprintf(signing, sizeof(signing), "%s.%s", h64, p64);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)pem, strlen(pem));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)signing, strlen(signing));
    crypto_auth_hmacsha256_final(&st, mac);
    ag_b64url_encode(mac, sizeof(mac), sig64, sizeof(sig64));
    char *out = ag_xmalloc(strlen(signing) + strlen(sig64) + 2);
    sprintf(out, "%s.%s", signing, sig64);
    return out;
}

/* A well-formed EdDSA token from a key the stack does not know, under kid 'kid'. */
static char *
foreign_token(const char *kid)
{
    struct ag_jwt j;
    struct ag_jwt_claims c;
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    char buf[AG_JWT_MAX_TOKEN];

    crypto_sign_keypair(pk, sk);
    ag_jwt_init(&j, "agora-auth", "agora", 0);
    ag_jwt_add_key(&j, kid, pk, sk);
    memset(&c, 0, sizeof(c));
    snprintf(c.sub, sizeof(c.sub), "root");
    snprintf(c.sid, sizeof(c.sid), "x");
    c.role = AG_ROLE_ADMIN;
    c.iat = (int64_t)time(NULL);
    c.exp = c.iat + 600;
    ag_jwt_sign(&j, &c, buf, sizeof(buf));
    ag_jwt_release(&j);
    return ag_xstrdup(buf);
}

TEST(hostile_tokens_stop_at_the_gateway)
{
    struct it_resp r;
    struct tokens g;

    CHECK_EQ_INT(guest(&g), 200);
    /* The real kid, from the JWKS the gateway publishes. */
    it_request(&r, "GET", gw("/.well-known/jwks.json"), NULL, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    const char *kid = json_string_value(
        json_object_get(json_array_get(json_object_get(r.json, "keys"), 0), "kid"));
    CHECK_NOT_NULL(kid);
    char kid_copy[80];
    snprintf(kid_copy, sizeof(kid_copy), "%s", kid);
    it_resp_free(&r);

    char *expired = it_token("root", "admin", -120);
    char *hs256 = hs256_with_public_key(kid_copy);
    char *wrong_kid = foreign_token("no-such-kid");
    char *same_kid = foreign_token(kid_copy);
    char tampered[AG_JWT_MAX_TOKEN];
    snprintf(tampered, sizeof(tampered), "%s", g.access);
    char *dot = strchr(tampered, '.');
    dot[3] = dot[3] == 'A' ? 'B' : 'A';
    const char *tokens[] = {
        "",        "not-a-jwt",
        "a.b.c",   "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJyb290Iiwicm9sZSI6ImFkbWluIn0.",
        expired,   hs256,
        wrong_kid, same_kid,
        tampered,
    };
    for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
        it_request(&r, "GET", gw("/api/members?take=1"), tokens[i], NULL, NULL, NULL);
        if (r.status != 401) {
            fprintf(stderr, "token %zu: %ld %s\n", i, r.status, r.body);
        }
        CHECK_EQ_INT(r.status, 401);
        CHECK_EQ_STR(it_error_code(&r), "AUTH_1001");
        it_resp_free(&r);
    }
    /* And no token at all. */
    it_request(&r, "GET", gw("/api/auth/sessions"), NULL, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 401);
    it_resp_free(&r);
    ag_free(expired);
    ag_free(hs256);
    ag_free(wrong_kid);
    ag_free(same_kid);
}

TEST(routes_limits_and_errors)
{
    struct it_resp r;
    struct tokens g;

    CHECK_EQ_INT(guest(&g), 200);
    it_request(&r, "POST", gw("/internal/members/verify"), NULL, NULL,
               "{\"id\":\"admin\",\"password\":\"x\"}", NULL);
    CHECK_EQ_INT(r.status, 404);
    CHECK(json_is_false(json_object_get(r.json, "success")));
    it_resp_free(&r);
    it_request(&r, "GET", gw("/no/such/route"), NULL, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 404);
    CHECK_NOT_NULL(it_error_code(&r));
    it_resp_free(&r);
    /* Oversized bodies: over the gateway's limit, and over the auth route's own limit. */
    size_t big = 2 * 1024 * 1024;
    char *body = ag_xmalloc(big + 1);
    memset(body, ' ', big);
    body[0] = '{';
    body[big - 1] = '}';
    body[big] = '\0';
    const char *const h[] = {it_client_auth_header(), NULL};
    it_request(&r, "POST", gw("/api/auth/login"), NULL, NULL, body, h);
    CHECK_EQ_INT(r.status, 413);
    CHECK_EQ_STR(it_error_code(&r), "VAL_2002");
    it_resp_free(&r);
    body[8192] = '\0';
    body[8191] = '}';
    it_request(&r, "POST", gw("/api/auth/login"), NULL, NULL, body, h);
    CHECK_EQ_INT(r.status, 413);
    CHECK_EQ_STR(it_error_code(&r), "VAL_2002");
    it_resp_free(&r);
    ag_free(body);
    /* Malformed login bodies get 400 naming the problem. */
    it_request(&r, "POST", gw("/api/auth/login"), NULL, NULL,
               "{\"id\":\"a\",\"email\":\"b\","
               "\"password\":\"c\"}",
               h);
    CHECK_EQ_INT(r.status, 400);
    it_resp_free(&r);
    it_request(&r, "POST", gw("/api/auth/login"), NULL, NULL, "{\"id\":", h);
    CHECK_EQ_INT(r.status, 400);
    it_resp_free(&r);
    /* The guest's token reaches the services behind the gateway: its (empty) cart. */
    it_request(&r, "GET", gw("/api/cart"), g.access, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    CHECK(json_is_true(json_object_get(r.json, "success")));
    it_resp_free(&r);
}

/* The echo service: what headers reach an upstream behind the gateway. */
static int
echo(struct ag_req *req)
{
    const char *names[] = {"X-User-Id", "X-User-Role", "X-Session-Id", "X-Request-Id"};
    json_t *o = json_object();
    for (size_t i = 0; i < 4; i++) {
        const char *v = ag_req_header(req, names[i]);
        json_object_set_new(o, names[i], v ? json_string(v) : json_null());
    }
    return ag_reply_json(req, 200, o);
}

static const struct ag_route echo_routes[] = {
    {AG_GET, "/api/_echo", echo, AG_AUTH_NONE, 0, 0},
};

TEST(identity_headers_cannot_be_forged)
{
    struct ag_service svc = {
        .name = "echo",
        .routes = echo_routes,
        .nroutes = 1,
        .bind = "127.0.0.1",
        .port = atoi(getenv("AGORA_ECHO_PORT") ? getenv("AGORA_ECHO_PORT") : "28999"),
        .threads = 1,
    };
    struct ag_server *srv;
    struct tokens g, a;
    struct it_resp r;
    char id[40];

    ag_log_init("echo", AG_LOG_ERROR);
    CHECK_EQ_INT(ag_server_start(&svc, &srv), 0);
    CHECK_EQ_INT(sign_up(id, "correct horse", &g), 0);
    CHECK_EQ_INT(login(id, "correct horse", NULL, &a, NULL), 200);
    const char *const forged[] = {"X-User-Id: root", "X-User-Role: admin", "X-Session-Id: evil",
                                  "X-Request-Id: itest-gw-1", NULL};
    it_request(&r, "GET", gw("/api/_echo"), a.access, NULL, NULL, forged);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_STR(it_data_str(&r, "X-User-Id"), id);
    CHECK_EQ_STR(it_data_str(&r, "X-User-Role"), "user");
    CHECK_EQ_STR(it_data_str(&r, "X-Session-Id"), a.sid);
    CHECK_EQ_STR(it_data_str(&r, "X-Request-Id"), "itest-gw-1");
    char h[80];
    CHECK_EQ_STR(it_header(&r, "X-Request-Id", h, sizeof(h)), "itest-gw-1");
    it_resp_free(&r);
    /* Without a valid token the request never reaches the service. */
    it_request(&r, "GET", gw("/api/_echo"), "forged.token.here", NULL, NULL, forged);
    CHECK_EQ_INT(r.status, 401);
    CHECK(strstr(r.body, "root") == NULL);
    it_resp_free(&r);
    /* A request id that is not a plain token is replaced, not passed on. */
    const char *const bad_rid[] = {"X-Request-Id: a b<script>", NULL};
    it_request(&r, "GET", gw("/api/_echo"), a.access, NULL, NULL, bad_rid);
    CHECK_EQ_INT(r.status, 200);
    CHECK(it_data_str(&r, "X-Request-Id") != NULL &&
          strstr(it_data_str(&r, "X-Request-Id"), "script") == NULL);
    it_resp_free(&r);
    ag_server_stop(srv);
}

TEST(sessions_and_devices)
{
    struct tokens g, a, b;
    char id[40], path[120];
    struct it_resp r;

    CHECK_EQ_INT(sign_up(id, "correct horse", &g), 0);
    CHECK_EQ_INT(login(id, "correct horse", NULL, &a, NULL), 200);
    CHECK_EQ_INT(login(id, "correct horse", NULL, &b, NULL), 200);
    it_request(&r, "GET", gw("/api/auth/sessions"), a.access, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    json_t *list = json_object_get(r.json, "data");
    CHECK_EQ_INT(json_array_size(list), 2);
    int current = 0;
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *s = json_array_get(list, i);
        current += json_is_true(json_object_get(s, "current"));
        CHECK_NOT_NULL(json_string_value(json_object_get(s, "userAgent")));
        CHECK(json_integer_value(json_object_get(s, "createdAt")) > 0);
    }
    CHECK_EQ_INT(current, 1);
    it_resp_free(&r);
    /* Log out the other device; its token stops working at the auth service at once. */
    snprintf(path, sizeof(path), "/api/auth/sessions/%s", b.sid);
    it_request(&r, "DELETE", gw("%s", path), a.access, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 204);
    it_resp_free(&r);
    it_request(&r, "GET", auth_direct("/api/auth/verify"), b.access, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 401);
    it_resp_free(&r);
    /* Someone else's session id is not found. */
    char other[40];
    struct tokens g2, c;
    CHECK_EQ_INT(sign_up(other, "correct horse", &g2), 0);
    CHECK_EQ_INT(login(other, "correct horse", NULL, &c, NULL), 200);
    snprintf(path, sizeof(path), "/api/auth/sessions/%s", c.sid);
    it_request(&r, "DELETE", gw("%s", path), a.access, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 404);
    it_resp_free(&r);
    CHECK_EQ_INT(get_with("/api/auth/session-info", c.access), 200);
    /* Log out everywhere. */
    it_request(&r, "POST", gw("/api/auth/logout-all"), a.access, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    it_resp_free(&r);
    it_request(&r, "GET", auth_direct("/api/auth/verify"), a.access, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 401);
    it_resp_free(&r);
}

/* Polls the auth service (no gateway cache) until the token's session is gone. */
static long
wait_revoked(const char *token)
{
    long st = 0;
    for (int i = 0; i < 50; i++) {
        struct it_resp r;
        it_request(&r, "GET", auth_direct("/api/auth/verify"), token, NULL, NULL, NULL);
        st = r.status;
        it_resp_free(&r);
        if (st == 401) {
            break;
        }
        sleep_ms(100);
    }
    return st;
}

TEST(password_change_and_deletion_end_sessions)
{
    struct tokens g, a, b;
    char id[40], path[160], key[40];
    struct it_resp r;

    CHECK_EQ_INT(sign_up(id, "correct horse", &g), 0);
    CHECK_EQ_INT(login(id, "correct horse", NULL, &a, NULL), 200);
    snprintf(path, sizeof(path), "/api/members/%s/change-password", id);
    it_request(&r, "POST", gw("%s", path), a.access, NULL,
               "{\"currentPassword\":\"correct horse\",\"newPassword\":\"battery staple\"}", NULL);
    CHECK_EQ_INT(r.status, 200);
    it_resp_free(&r);
    CHECK_EQ_INT(wait_revoked(a.access), 401);
    CHECK_EQ_INT(refresh(a.refresh, NULL), 401);
    CHECK_EQ_INT(login(id, "battery staple", NULL, &b, NULL), 200);
    snprintf(path, sizeof(path), "/api/members/%s", id);
    it_unique(key, sizeof(key), "del-");
    it_request(&r, "DELETE", gw("%s", path), b.access, key, NULL, NULL);
    CHECK_EQ_INT(r.status, 204);
    it_resp_free(&r);
    CHECK_EQ_INT(wait_revoked(b.access), 401);
}

/* One of the threads that press on the strict login limit until the gateway refuses. */
struct press {
    const char *url; /* borrowed; gw()'s buffer is not for threads */
    int tries;
    int refused;       /* answers 429 */
    int enveloped;     /* of which in the envelope with AUTH_1004 */
    int other_failure; /* answers other than the 401 of a missing client key, or 429 */
};

static void *
press_login(void *arg)
{
    struct press *p = arg;
    for (int i = 0; i < p->tries && p->refused < 3; i++) {
        struct it_resp r;
        /* No client key: auth answers 401 at once, so no session, no failure counter. */
        it_request(&r, "POST", p->url, NULL, NULL, NULL, NULL);
        if (r.status == 429) {
            p->refused++;
            p->enveloped += it_error_code(&r) != NULL &&
                            strcmp(it_error_code(&r), "AUTH_1004") == 0 &&
                            json_is_false(json_object_get(r.json, "success"));
        } else if (r.status != 401) {
            p->other_failure++;
        }
        it_resp_free(&r);
    }
    return NULL;
}

TEST(gateway_rate_limits_login)
{
    /* AGORA_GATEWAY_LOGIN_RATE (100r/s in the test env) with its burst (200): four threads
     * asking as fast as they can pass the burst within a second or two. */
    struct press p[4];
    pthread_t t[4];
    const char *burst = getenv("AGORA_GATEWAY_LOGIN_BURST");
    int tries = (burst != NULL ? atoi(burst) : 200) + 600;

    char url[512];
    snprintf(url, sizeof(url), "%s", gw("/api/auth/guest-token"));
    memset(p, 0, sizeof(p));
    for (int i = 0; i < 4; i++) {
        p[i].url = url;
        p[i].tries = tries / 4;
        CHECK_EQ_INT(pthread_create(&t[i], NULL, press_login, &p[i]), 0);
    }
    int refused = 0, enveloped = 0, other = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        refused += p[i].refused;
        enveloped += p[i].enveloped;
        other += p[i].other_failure;
    }
    CHECK(refused > 0);
    CHECK_EQ_INT(enveloped, refused);
    CHECK_EQ_INT(other, 0);
    /* The general limit is far higher: other routes still answer. */
    struct it_resp r;
    it_request(&r, "GET", gw("/.well-known/jwks.json"), NULL, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    it_resp_free(&r);
    /* Let the login bucket fill again for whatever runs next. */
    sleep_ms(2500);
}

/* The auth service's pid, from the test stack's pid file; 0 when unknown. */
static pid_t
auth_pid(void)
{
    char path[4096];
    long pid = 0;
    snprintf(path, sizeof(path), "%s/var/test/run/auth.pid", getenv("AGORA_SOURCE_DIR"));
    FILE *f = fopen(path, "r");
    if (f != NULL) {
        if (fscanf(f, "%ld", &pid) != 1) {
            pid = 0;
        }
        fclose(f);
    }
    return (pid_t)pid;
}

TEST(auth_down_means_503_never_a_pass)
{
    struct tokens g;
    struct it_resp r;

    /* A token the gateway has not seen, so no cached verdict can answer for it. */
    CHECK_EQ_INT(guest(&g), 200);
    pid_t pid = auth_pid();
    CHECK(pid > 0);
    /* A stopped auth accepts connections but never answers: the gateway's verify times out
     * (AGORA_GATEWAY_TIMEOUT, 3 s in the test env). */
    CHECK_EQ_INT(kill(pid, SIGSTOP), 0);
    it_request(&r, "GET", gw("/api/_echo"), g.access, NULL, NULL, NULL);
    kill(pid, SIGCONT);
    CHECK_EQ_INT(r.status, 503);
    CHECK_EQ_STR(it_error_code(&r), "SYS_5002");
    it_resp_free(&r);
    /* Back up: the same token is checked again, not served from a cached failure. */
    it_request(&r, "GET", gw("/api/auth/session-info"), g.access, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_STR(it_data_str(&r, "role"), "guest");
    it_resp_free(&r);
}

/* The address of the one session 'access' lists, into 'out'; NULL when there is not one. */
static const char *
session_address(const char *base, const char *access, char *out, size_t size)
{
    struct it_resp r;
    char url[200];
    snprintf(url, sizeof(url), "%s/api/auth/sessions", base);
    it_request(&r, "GET", url, access, NULL, NULL, NULL);
    json_t *list = json_object_get(r.json, "data");
    const char *addr = json_array_size(list) == 1
                           ? json_string_value(json_object_get(json_array_get(list, 0), "address"))
                           : NULL;
    if (addr != NULL) {
        snprintf(out, size, "%s", addr);
    }
    it_resp_free(&r);
    return addr != NULL ? out : NULL;
}

/*
 * auth takes the client's address from X-Real-IP only when the peer is a trusted proxy
 * (AGORA_AUTH_TRUSTED_PROXIES): the gateway here, other hosts in containers. From anyone else
 * the header is ignored, so no caller can pick the address its failed logins count against.
 */
TEST(client_address_from_trusted_proxies_only)
{
    struct tokens g, a, b;
    char id[40], addr[64], body[200];
    struct it_resp r;

    CHECK_EQ_INT(sign_up(id, "correct horse", &g), 0);
    /* Through the gateway, which names the client it trusts (X-Real-IP from 127.0.0.1). */
    snprintf(body, sizeof(body), "{\"id\":\"%s\",\"password\":\"correct horse\"}", id);
    const char *const h[] = {it_client_auth_header(), "X-Real-IP: 198.51.100.41", NULL};
    it_request(&r, "POST", gw("/api/auth/login"), NULL, NULL, body, h);
    CHECK_EQ_INT(take_tokens(&r, &a), 200);
    it_resp_free(&r);
    CHECK_EQ_STR(session_address(it_url("AUTH"), a.access, addr, sizeof(addr)), "198.51.100.41");
    /* An auth that trusts no one takes the peer's address, whatever the header says. */
    const char *const env[] = {"AGORA_AUTH_TRUSTED_PROXIES=none", "AGORA_ACCESS_LOG=false", NULL};
    pid_t pid = it_service_start("auth", "24001", env);
    CHECK(pid > 0);
    it_request(&r, "POST", "http://127.0.0.1:24001/api/auth/logout-all", a.access, NULL, NULL,
               NULL);
    CHECK_EQ_INT(r.status, 200);
    it_resp_free(&r);
    it_request(&r, "POST", "http://127.0.0.1:24001/api/auth/login", NULL, NULL, body, h);
    CHECK_EQ_INT(take_tokens(&r, &b), 200);
    it_resp_free(&r);
    CHECK_EQ_STR(session_address("http://127.0.0.1:24001", b.access, addr, sizeof(addr)),
                 "127.0.0.1");
    CHECK(it_service_stop(pid));
}

static const struct ag_test tests[] = {
    TEST_ENTRY(client_address_from_trusted_proxies_only),
    TEST_ENTRY(login_answer_and_failed_logins),
    TEST_ENTRY(client_authentication),
    TEST_ENTRY(hostile_tokens_stop_at_the_gateway),
    TEST_ENTRY(routes_limits_and_errors),
    TEST_ENTRY(identity_headers_cannot_be_forged),
    TEST_ENTRY(sessions_and_devices),
    TEST_ENTRY(password_change_and_deletion_end_sessions),
    TEST_ENTRY(token_life_through_the_gateway),
    TEST_ENTRY(auth_down_means_503_never_a_pass),
    TEST_ENTRY(gateway_rate_limits_login),
};

int
main(int argc, char **argv)
{
    it_init();
    int rc = ag_test_main_(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
    it_cleanup();
    return rc;
}
