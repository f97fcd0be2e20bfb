/*
 * The BFF: /api/… for the storefront's own scripts. The visitor's HttpOnly access cookie
 * becomes "Authorization: Bearer" on a call through the gateway, with X-Request-Id and the
 * idempotency key passed on; a 401 is refreshed once and retried (upstream.c). Login,
 * logout, refresh and guest-token are answered here, since they set or clear the cookies:
 * tokens never reach a script. State-changing calls need the CSRF token in X-CSRF-Token
 * and an Origin of our own.
 */
#include "web.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "agora/err.h"
#include "agora/log.h"

static int
is_json(struct ag_req *req)
{
    const char *ct = ag_req_header(req, "Content-Type");
    return ct != NULL && strncasecmp(ct, "application/json", 16) == 0;
}

/* POST /api/auth/login {id|email, password}: auth's answer, the tokens kept in cookies. */
static int
bff_login(struct ag_req *req, struct web_visit *v)
{
    struct ag_httpc_resp resp;
    json_t *body;
    const char *extra[2] = {NULL, NULL};
    const char *guest = NULL;

    int rc = ag_req_json_or_reply(req, &body);
    if (rc < 0) {
        return rc;
    }
    if (v->access != NULL && v->claims.role == AG_ROLE_GUEST) {
        guest = v->access;
        extra[0] = ag_arena_printf(req->arena, "X-Previous-Token: %s", v->access);
    }
    rc = web_auth_call(req, "POST", "/api/auth/login", body, extra, &resp);
    if (rc < 0) {
        return ag_reply_error(req, AG_EUNAVAIL, "cannot sign in now; try again");
    }
    json_t *data = json_object_get(resp.json, "data");
    if (resp.status == 200 && web_visit_tokens_set(req, v, data) == 0) {
        web_csrf_rotate(req, v);
        web_cart_merge(req, v, guest);
        json_t *out = json_pack(
            "{s:O?,s:O?,s:O?,s:O?,s:O?}", "id", json_object_get(data, "id"), "email",
            json_object_get(data, "email"), "name", json_object_get(data, "name"), "role",
            json_object_get(data, "role"), "expires_in", json_object_get(data, "expires_in"));
        json_object_set_new(out, "csrfToken", json_string(v->csrf));
        ag_httpc_resp_release(&resp);
        return ag_reply_json(req, 200, out);
    }
    char retry[32];
    if (ag_httpc_resp_header(&resp, "Retry-After", retry, sizeof(retry)) != NULL) {
        ag_reply_header(req, "Retry-After", retry);
    }
    rc = ag_reply_raw(req, resp.status >= 400 ? (int)resp.status : 502, "application/json",
                      resp.body, resp.len);
    ag_httpc_resp_release(&resp);
    return rc;
}

/* POST /api/auth/logout: ends the session at auth and clears the cookies, whatever happens. */
static int
bff_logout(struct ag_req *req, struct web_visit *v)
{
    struct ag_httpc_resp resp;
    if (v->access != NULL) {
        web_api_call(req, v, "POST", "/api/auth/logout", NULL, NULL, &resp);
        ag_httpc_resp_release(&resp);
    }
    web_visit_clear(req, v);
    web_csrf_rotate(req, v);
    return ag_reply_json_msg(req, 200, json_pack("{s:s}", "csrfToken", v->csrf), "signed out");
}

/* POST /api/auth/refresh: new tokens for the refresh cookie. */
static int
bff_refresh(struct ag_req *req, struct web_visit *v)
{
    int rc = web_visit_refresh(req, v);
    if (rc == AG_EUNAUTH) {
        return ag_reply_error(req, AG_EUNAUTH, "no session to refresh; sign in again");
    }
    if (rc < 0) {
        return ag_reply_error(req, AG_EUNAVAIL, "cannot refresh now; try again");
    }
    return ag_reply_json(req, 200, json_pack("{s:s}", "role", ag_role_name(v->claims.role)));
}

/* The idempotency key header, passed on when well-formed (a bad one is the caller's 400). */
static int
idem_header_or_reply(struct ag_req *req, const char **line)
{
    static const char *const names[] = {"X-Idempotency-Key", "Idempotency-Key"};
    *line = NULL;
    for (size_t i = 0; i < 2; i++) {
        const char *key = ag_req_header(req, names[i]);
        if (key == NULL) {
            continue;
        }
        if (ag_idem_key_valid(key) < 0) {
            ag_reply_error(req, AG_EINVAL, "'%s' must be 8..128 of [A-Za-z0-9_-]", names[i]);
            return AG_EINVAL;
        }
        *line = ag_arena_printf(req->arena, "X-Idempotency-Key: %s", key);
        return 0;
    }
    return 0;
}

/* Anything else: through the gateway, the answer passed back as it came. */
static int
bff_forward(struct ag_req *req, struct web_visit *v, const char *method)
{
    static const char *const passed[] = {"X-Idempotency-Replayed", "Retry-After", "Location"};
    struct ag_httpc_resp resp;
    const char *extra[2] = {NULL, NULL};
    char value[256];

    if (req->body_len > 0 && !is_json(req)) {
        return ag_reply_error(req, AG_EMEDIATYPE, "body must be application/json");
    }
    int rc = idem_header_or_reply(req, &extra[0]);
    if (rc < 0) {
        return rc;
    }
    rc = web_api_send(req, v, method, ag_req_target(req), req->body, req->body_len, extra, &resp);
    if (rc < 0 && resp.status == 0) {
        ag_httpc_resp_release(&resp);
        return ag_reply_error(req, rc == AG_ETIMEOUT ? AG_ETIMEOUT : AG_EUNAVAIL,
                              "the API gateway did not answer");
    }
    for (size_t i = 0; i < sizeof(passed) / sizeof(passed[0]); i++) {
        if (ag_httpc_resp_header(&resp, passed[i], value, sizeof(value)) != NULL) {
            ag_reply_header(req, passed[i], value);
        }
    }
    const char *ct = ag_httpc_resp_header(&resp, "Content-Type", value, sizeof(value));
    if (resp.status == 204 || resp.len == 0) {
        rc = ag_reply_empty(req, (int)resp.status);
    } else {
        rc = ag_reply_raw(req, (int)resp.status, ct != NULL ? ct : "application/json", resp.body,
                          resp.len);
    }
    ag_httpc_resp_release(&resp);
    return rc;
}

/* GET|POST|PUT|PATCH|DELETE /api/{path*} */
int
web_bff(struct ag_req *req)
{
    struct web_visit v;
    const char *method = ag_method_name(req->method);

    web_visit_begin(req, &v, WEB_VISIT_GUEST);
    if (req->method != AG_GET) {
        if (!web_origin_ok(req)) {
            return ag_reply_error(req, AG_EFORBIDDEN, "request from another origin");
        }
        if (!web_csrf_ok(req, &v, ag_req_header(req, WEB_HEADER_CSRF))) {
            return ag_reply_error(req, AG_EFORBIDDEN, "missing or stale '%s' header",
                                  WEB_HEADER_CSRF);
        }
    }
    if (req->method == AG_POST) {
        struct ag_str path = ag_req_param(req, "path");
        if (ag_str_eq(path, "auth/login")) {
            return bff_login(req, &v);
        }
        if (ag_str_eq(path, "auth/logout")) {
            return bff_logout(req, &v);
        }
        if (ag_str_eq(path, "auth/refresh")) {
            return bff_refresh(req, &v);
        }
        if (ag_str_eq(path, "auth/guest-token")) {
            if (v.access == NULL) {
                return ag_reply_error(req, AG_EUNAVAIL, "cannot start a guest session now");
            }
            return ag_reply_json(req, 200, json_pack("{s:s}", "role", ag_role_name(v.claims.role)));
        }
    }
    return bff_forward(req, &v, method);
}
