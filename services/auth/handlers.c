/*
 * The auth API (/api/auth, the seed's contract): HTTP in and out.
 */
#include "auth.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "agora/clock.h"
#include "agora/err.h"
#include "agora/json.h"
#include "agora/log.h"

/* The registered client behind "Authorization: Basic"; 401 AUTH_1002 otherwise. */
static int
client_or_reply(struct ag_req *req, const char **client)
{
    const struct auth_app *app = req->app;
    if (auth_client_check(app->clients, app->nclients, ag_req_header(req, "Authorization"),
                          client) < 0) {
        ag_reply_header(req, "WWW-Authenticate", "Basic realm=\"agora\"");
        ag_reply_error(req, AG_EUNAUTH, "client authentication required");
        return AG_EUNAUTH;
    }
    return 0;
}

static int
kv_or_reply(struct ag_req *req, redisContext **kv)
{
    int rc = ag_req_kv(req, kv);
    if (rc < 0) {
        ag_reply_error(req, AG_EUNAVAIL, "session store unavailable");
    }
    return rc;
}

/*
 * The caller's address: X-Real-IP when the peer is a trusted proxy (the gateway or the web
 * BFF: AGORA_AUTH_TRUSTED_PROXIES), else the peer itself.
 */
static const char *
client_addr(struct ag_req *req)
{
    const struct auth_app *app = req->app;
    return ag_req_client_addr(req, &app->trusted);
}

/* Creates a session and sets the 200 answer with its tokens; 'extra' (stolen) adds fields. */
static int
session_start(struct ag_req *req, redisContext *kv, const char *sub, const char *role,
              const char *kind, json_t *extra)
{
    const struct auth_app *app = req->app;
    struct auth_session s;
    char refresh[AUTH_REFRESH_LEN + 1], hash[AUTH_HASH_HEX + 1];
    char access[AG_JWT_MAX_TOKEN];
    struct ag_jwt_claims c;

    memset(&s, 0, sizeof(s));
    auth_new_sid(s.sid);
    snprintf(s.sub, sizeof(s.sub), "%s", sub);
    snprintf(s.role, sizeof(s.role), "%s", role);
    snprintf(s.kind, sizeof(s.kind), "%s", kind);
    s.created_ms = ag_clock_wall_ms();
    const char *ua = ag_req_header(req, "User-Agent");
    snprintf(s.ua, sizeof(s.ua), "%s", ua != NULL ? ua : "");
    snprintf(s.ip, sizeof(s.ip), "%s", client_addr(req));
    auth_new_refresh(refresh, hash);
    int rc = store_session_create(kv, &s, hash, app->cfg->refresh_ttl_s);
    if (rc < 0) {
        json_decref(extra);
        return rc;
    }
    memset(&c, 0, sizeof(c));
    snprintf(c.sub, sizeof(c.sub), "%s", sub);
    snprintf(c.sid, sizeof(c.sid), "%s", s.sid);
    c.role = ag_role_parse(role, strlen(role));
    c.iat = s.created_ms / 1000;
    c.exp = c.iat + app->cfg->access_ttl_s;
    rc = ag_jwt_sign(app->jwt, &c, access, sizeof(access));
    if (rc < 0) {
        json_decref(extra);
        return AG_EINTERNAL;
    }
    json_t *data =
        json_pack("{s:s,s:s,s:s,s:I,s:I,s:s,s:s}", "access_token", access, "refresh_token", refresh,
                  "token_type", "Bearer", "expires_in", (json_int_t)app->cfg->access_ttl_s,
                  "refresh_expires_in", (json_int_t)app->cfg->refresh_ttl_s, "role", role,
                  "session_id", s.sid);
    if (extra != NULL) {
        json_object_update(data, extra);
        json_decref(extra);
    }
    sodium_memzero(refresh, sizeof(refresh));
    return ag_reply_json(req, 200, data);
}

/* POST /api/auth/guest-token */
static int
guest_token(struct ag_req *req)
{
    const char *client;
    redisContext *kv;
    char sub[72];

    int rc = client_or_reply(req, &client);
    if (rc == 0) {
        rc = kv_or_reply(req, &kv);
    }
    if (rc < 0) {
        return rc;
    }
    /* A guest is known by a random id of its own; the session id is made inside. */
    char gid[AUTH_SID_HEX + 1];
    auth_new_sid(gid);
    snprintf(sub, sizeof(sub), "guest:%.16s", gid);
    return session_start(req, kv, sub, "guest", "guest", NULL);
}

/* Revokes the guest session of an X-Previous-Token, if it is a valid guest token. */
static void
revoke_previous(struct ag_req *req, redisContext *kv)
{
    const struct auth_app *app = req->app;
    const char *prev = ag_req_header(req, "X-Previous-Token");
    struct ag_jwt_claims c;

    if (prev == NULL || ag_jwt_verify(app->jwt, prev, strlen(prev), (int64_t)time(NULL), &c) < 0 ||
        c.role != AG_ROLE_GUEST) {
        return;
    }
    if (store_session_revoke(kv, c.sid, NULL) == 0) {
        ag_log(AG_LOG_DEBUG, req->request_id, "guest session revoked at login");
    }
}

static const char *const login_keys[] = {"id", "email", "password", NULL};

struct login {
    struct ag_str id;
    struct ag_str email;
    struct ag_str password;
    char account[320];
};

static int
login_parse_or_reply(struct ag_req *req, struct login *l)
{
    json_t *body;
    struct ag_json_err err;

    memset(l, 0, sizeof(*l));
    int rc = ag_req_json_or_reply(req, &body);
    if (rc < 0) {
        return rc;
    }
    if (ag_json_only_keys(body, login_keys, &err) < 0 ||
        ag_json_get_str(req->arena, body, "id", AG_JSON_TRIM, 1, 30, &l->id, &err) < 0 ||
        ag_json_get_str(req->arena, body, "email", AG_JSON_TRIM, 1, 254, &l->email, &err) < 0 ||
        ag_json_get_str(req->arena, body, "password", AG_JSON_REQUIRED, 1, 128, &l->password,
                        &err) < 0) {
        ag_reply_invalid(req, &err);
        return AG_EINVAL;
    }
    if ((l->id.ptr == NULL) == (l->email.ptr == NULL)) {
        ag_reply_error(req, AG_EINVAL, "send exactly one of 'id' and 'email'");
        return AG_EINVAL;
    }
    if (l->id.ptr != NULL) {
        auth_account_key("id", l->id.ptr, l->id.len, l->account, sizeof(l->account));
    } else {
        auth_account_key("email", l->email.ptr, l->email.len, l->account, sizeof(l->account));
    }
    return 0;
}

/* 429 with Retry-After when the account or the address failed too often lately. */
static int
limit_or_reply(struct ag_req *req, redisContext *kv, const struct login *l, const char *addr)
{
    const struct auth_config *cfg = ((const struct auth_app *)req->app)->cfg;
    long long an = 0, in = 0, at = 0, it = 0;
    char retry[24];

    int rc = store_fails_get(kv, l->account, addr, &an, &in, &at, &it);
    if (rc < 0) {
        return rc;
    }
    if (an < cfg->max_fails && in < cfg->max_fails_per_addr) {
        return 0;
    }
    long long wait = an >= cfg->max_fails ? at : it;
    snprintf(retry, sizeof(retry), "%lld", wait > 0 ? wait : cfg->fail_window_s);
    ag_reply_header(req, "Retry-After", retry);
    ag_reply_error(req, AG_ERATELIMIT, "too many failed logins; try again in %s seconds", retry);
    return AG_ERATELIMIT;
}

/* Asks member's /internal/members/verify; 0 with the member, AG_EUNAUTH, or another error. */
static int
member_verify(struct ag_req *req, const struct login *l, json_t **member)
{
    const struct auth_app *app = req->app;
    struct ag_httpc_resp resp;
    char url[512], token_header[300];

    json_t *body = json_pack(
        "{s:s%,s:s%}", l->id.ptr ? "id" : "email", l->id.ptr ? l->id.ptr : l->email.ptr,
        l->id.ptr ? l->id.len : l->email.len, "password", l->password.ptr, l->password.len);
    size_t len;
    char *text = ag_json_dump(req->arena, body, &len);
    json_decref(body);
    snprintf(url, sizeof(url), "%s/internal/members/verify", app->cfg->member_url);
    snprintf(token_header, sizeof(token_header), "X-Internal-Token: %s", app->cfg->internal_token);
    const char *const headers[] = {token_header, NULL};
    int rc = ag_httpc_request(app->member, "POST", url, headers, text, len, req->request_id, &resp);
    sodium_memzero(text, len);
    if (rc == 0 && resp.status == 200) {
        json_t *data = json_object_get(resp.json, "data");
        *member = data != NULL ? json_incref(data) : NULL;
        rc = *member != NULL ? 0 : AG_EINTERNAL;
    } else if (rc == 0 && resp.status == 401) {
        rc = AG_EUNAUTH;
    } else if (rc == 0) {
        ag_log(AG_LOG_ERROR, req->request_id, "member verify answered %ld", resp.status);
        rc = AG_EUNAVAIL;
    }
    ag_httpc_resp_release(&resp);
    return rc;
}

/* POST /api/auth/login {id | email, password} */
static int
login(struct ag_req *req)
{
    const struct auth_config *cfg = ((const struct auth_app *)req->app)->cfg;
    const char *client;
    redisContext *kv;
    struct login l;
    json_t *member = NULL;

    int rc = client_or_reply(req, &client);
    if (rc == 0) {
        rc = login_parse_or_reply(req, &l);
    }
    if (rc == 0) {
        rc = kv_or_reply(req, &kv);
    }
    const char *addr = client_addr(req);
    if (rc == 0) {
        rc = limit_or_reply(req, kv, &l, addr);
    }
    if (rc < 0) {
        return rc;
    }
    rc = member_verify(req, &l, &member);
    if (rc == AG_EUNAUTH) {
        /* Unknown account and wrong password: the same count, the same answer. */
        store_fails_add(kv, l.account, addr, cfg->fail_window_s);
        return ag_reply_error(req, AG_EUNAUTH, "invalid credentials");
    }
    if (rc < 0) {
        return ag_reply_error(req, AG_EUNAVAIL, "cannot check credentials now; try again");
    }
    store_fails_clear(kv, l.account);
    revoke_previous(req, kv);
    const char *id = json_string_value(json_object_get(member, "id"));
    const char *role = json_string_value(json_object_get(member, "role"));
    json_t *extra =
        json_pack("{s:O,s:O,s:O}", "id", json_object_get(member, "id"), "email",
                  json_object_get(member, "email"), "name", json_object_get(member, "name"));
    if (id == NULL || role == NULL || extra == NULL) {
        json_decref(extra);
        json_decref(member);
        return AG_EINTERNAL;
    }
    rc = session_start(req, kv, id, role, "user", extra);
    json_decref(member);
    return rc;
}

/* POST /api/auth/refresh {refresh_token}: rotation with reuse detection (RFC 9700). */
static const char *const refresh_keys[] = {"refresh_token", NULL};

static int
refresh(struct ag_req *req)
{
    const struct auth_app *app = req->app;
    const char *client;
    redisContext *kv;
    json_t *body;
    struct ag_json_err err;
    struct ag_str token;
    char old_hash[AUTH_HASH_HEX + 1], new_hash[AUTH_HASH_HEX + 1];
    char next[AUTH_REFRESH_LEN + 1], access[AG_JWT_MAX_TOKEN];
    struct auth_session s;

    int rc = client_or_reply(req, &client);
    if (rc == 0) {
        rc = ag_req_json_or_reply(req, &body);
    }
    if (rc < 0) {
        return rc;
    }
    if (ag_json_only_keys(body, refresh_keys, &err) < 0 ||
        ag_json_get_str(req->arena, body, "refresh_token", AG_JSON_REQUIRED, 1, 256, &token, &err) <
            0) {
        return ag_reply_invalid(req, &err);
    }
    if (auth_refresh_hash(token.ptr, token.len, old_hash) < 0) {
        return ag_reply_error(req, AG_EUNAUTH, "invalid refresh token");
    }
    rc = kv_or_reply(req, &kv);
    if (rc < 0) {
        return rc;
    }
    auth_new_refresh(next, new_hash);
    memset(&s, 0, sizeof(s));
    rc = store_session_rotate(kv, old_hash, new_hash, ag_clock_wall_ms(),
                              app->cfg->refresh_grace_s * 1000, app->cfg->refresh_ttl_s, &s);
    if (rc == AG_EGONE) {
        ag_log(AG_LOG_WARN, req->request_id, "refresh token reuse: session %s of '%s' revoked",
               s.sid, s.sub);
        return ag_reply_error(req, AG_EUNAUTH, "refresh token was already used; signed out");
    }
    if (rc == AG_ENOTFOUND) {
        return ag_reply_error(req, AG_EUNAUTH, "invalid refresh token");
    }
    if (rc < 0) {
        return rc;
    }
    struct ag_jwt_claims c;
    memset(&c, 0, sizeof(c));
    snprintf(c.sub, sizeof(c.sub), "%s", s.sub);
    snprintf(c.sid, sizeof(c.sid), "%s", s.sid);
    c.role = ag_role_parse(s.role, strlen(s.role));
    c.iat = (int64_t)time(NULL);
    c.exp = c.iat + app->cfg->access_ttl_s;
    if (ag_jwt_sign(app->jwt, &c, access, sizeof(access)) < 0) {
        return AG_EINTERNAL;
    }
    rc = ag_reply_json(req, 200,
                       json_pack("{s:s,s:s,s:s,s:I,s:I,s:s,s:s}", "access_token", access,
                                 "refresh_token", next, "token_type", "Bearer", "expires_in",
                                 (json_int_t)app->cfg->access_ttl_s, "refresh_expires_in",
                                 (json_int_t)app->cfg->refresh_ttl_s, "role", s.role, "session_id",
                                 s.sid));
    sodium_memzero(next, sizeof(next));
    return rc;
}

/* The caller's session must still be alive (logout revokes before the token expires). */
static int
alive_or_reply(struct ag_req *req, redisContext **kv)
{
    int rc = kv_or_reply(req, kv);
    if (rc < 0) {
        return rc;
    }
    rc = store_session_alive(*kv, req->auth.sid);
    if (rc == AG_ENOTFOUND) {
        ag_reply_error(req, AG_EUNAUTH, "session has ended; sign in again");
        return AG_EUNAUTH;
    }
    return rc;
}

/* GET /api/auth/verify: the gateway's check, for every protected request. */
static int
verify(struct ag_req *req)
{
    redisContext *kv;
    int rc = alive_or_reply(req, &kv);
    if (rc < 0) {
        return rc;
    }
    ag_reply_header(req, "X-User-Id", req->auth.sub);
    ag_reply_header(req, "X-User-Role", ag_role_name(req->auth.role));
    ag_reply_header(req, "X-Session-Id", req->auth.sid);
    return ag_reply_empty(req, 200);
}

/* GET /api/auth/session-info */
static int
session_info(struct ag_req *req)
{
    redisContext *kv;
    struct auth_session s;

    memset(&s, 0, sizeof(s));
    int rc = kv_or_reply(req, &kv);
    if (rc == 0) {
        rc = store_session_get(kv, req->auth.sid, &s);
    }
    if (rc == AG_ENOTFOUND) {
        return ag_reply_error(req, AG_EUNAUTH, "session has ended; sign in again");
    }
    if (rc < 0) {
        return rc;
    }
    return ag_reply_json(req, 200,
                         json_pack("{s:s,s:s,s:s,s:I,s:I,s:s,s:s}", "id", req->auth.sub, "role",
                                   ag_role_name(req->auth.role), "sessionId", req->auth.sid,
                                   "createdAt", (json_int_t)s.created_ms, "lastUsedAt",
                                   (json_int_t)s.used_ms, "userAgent", s.ua, "address", s.ip));
}

/* POST /api/auth/logout: ends this session (idempotent). */
static int
logout(struct ag_req *req)
{
    redisContext *kv;
    int rc = kv_or_reply(req, &kv);
    if (rc == 0) {
        rc = store_session_revoke(kv, req->auth.sid, NULL);
    }
    if (rc < 0) {
        return rc;
    }
    return ag_reply_json_msg(req, 200, NULL, "signed out");
}

/* POST /api/auth/logout-all: ends every session of the caller. */
static int
logout_all(struct ag_req *req)
{
    redisContext *kv;
    long long n = 0;
    int rc = alive_or_reply(req, &kv);
    if (rc == 0) {
        rc = store_sessions_revoke_all(kv, req->auth.sub, &n);
    }
    if (rc < 0) {
        return rc;
    }
    return ag_reply_json_msg(req, 200, json_pack("{s:I}", "revoked", (json_int_t)n),
                             "signed out everywhere");
}

/* GET /api/auth/sessions */
static int
sessions_list(struct ag_req *req)
{
    redisContext *kv;
    json_t *list = NULL;
    int rc = alive_or_reply(req, &kv);
    if (rc == 0) {
        rc = store_sessions_list(kv, req->auth.sub, req->auth.sid, &list);
    }
    if (rc < 0) {
        return rc;
    }
    return ag_reply_json(req, 200, list);
}

/* DELETE /api/auth/sessions/{sid}: "log out this device". */
static int
session_delete(struct ag_req *req)
{
    redisContext *kv;
    struct ag_str sid = ag_req_param(req, "sid");
    char id[AUTH_SID_HEX + 1];

    int rc = alive_or_reply(req, &kv);
    if (rc < 0) {
        return rc;
    }
    if (sid.len != AUTH_SID_HEX) {
        return ag_reply_error(req, AG_ENOTFOUND, "session not found");
    }
    memcpy(id, sid.ptr, sid.len);
    id[sid.len] = '\0';
    rc = store_session_revoke(kv, id, req->auth.sub);
    if (rc == AG_ENOTFOUND) {
        return ag_reply_error(req, rc, "session not found");
    }
    if (rc < 0) {
        return rc;
    }
    return ag_reply_empty(req, 204);
}

/* GET /.well-known/jwks.json */
static int
jwks(struct ag_req *req)
{
    const struct auth_app *app = req->app;
    ag_reply_header(req, "Cache-Control", "public, max-age=300");
    return ag_reply_raw(req, 200, "application/json", app->jwks, strlen(app->jwks));
}

const struct ag_route auth_routes[] = {
    {AG_POST, "/api/auth/login", login, AG_AUTH_NONE, 2048, 0},
    {AG_POST, "/api/auth/guest-token", guest_token, AG_AUTH_NONE, 256, 0},
    {AG_POST, "/api/auth/refresh", refresh, AG_AUTH_NONE, 1024, 0},
    {AG_POST, "/api/auth/logout", logout, AG_AUTH_ANY, 256, 0},
    {AG_POST, "/api/auth/logout-all", logout_all, AG_AUTH_USER, 256, 0},
    {AG_GET, "/api/auth/verify", verify, AG_AUTH_ANY, 0, 0},
    {AG_GET, "/api/auth/session-info", session_info, AG_AUTH_ANY, 0, 0},
    {AG_GET, "/api/auth/sessions", sessions_list, AG_AUTH_USER, 0, 0},
    {AG_DELETE, "/api/auth/sessions/{sid}", session_delete, AG_AUTH_USER, 0, 0},
    {AG_GET, "/.well-known/jwks.json", jwks, AG_AUTH_NONE, 0, 0},
};
const size_t auth_nroutes = sizeof(auth_routes) / sizeof(auth_routes[0]);
