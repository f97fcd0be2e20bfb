/*
 * "My account": the profile, the password, the addresses and the sessions of the signed-in
 * member, each a section of one page with its own form. Every form posts to web, which calls
 * member or auth through the gateway with the visitor's token, then sends the browser back
 * to the page (303) or shows the page again with the error next to its field. With htmx each
 * form swaps only its own section (hx-select), the same answer either way.
 */
#include "web.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agora/err.h"
#include "agora/log.h"

#define REVOKE_WAIT_TRIES 40 /* password change: wait for auth to end the old sessions */
#define REVOKE_WAIT_MS    50

static void
sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* "2026-12-01 21:10" (UTC) of unix milliseconds. */
static json_t *
when(json_int_t ms)
{
    char buf[32];
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    if (strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M UTC", &tm) == 0) {
        buf[0] = '\0';
    }
    return json_string(buf);
}

/* GET of 'path' through the gateway: the answer's data (a new reference), or NULL. */
static json_t *
fetch(struct ag_req *req, struct web_visit *v, const char *path, long *status)
{
    struct ag_httpc_resp resp;
    int rc = web_api_call(req, v, "GET", path, NULL, NULL, &resp);
    *status = rc == 0 ? resp.status : 503;
    json_t *data = rc == 0 && resp.status == 200 ? json_object_get(resp.json, "data") : NULL;
    json_incref(data);
    ag_httpc_resp_release(&resp);
    return data;
}

/* The member's id, quoted for a path: login ids are [a-z0-9_.-], safe as they are. */
static const char *
member_path(struct ag_req *req, const struct web_visit *v, const char *rest)
{
    return ag_arena_printf(req->arena, "/api/members/%s%s", v->claims.sub, rest);
}

/*
 * The page's data: the member, its addresses and its sessions. 0, or AG_EUNAUTH when the
 * session is over (the caller sends the visitor to log in), or AG_EUNAVAIL.
 */
static int
account_data(struct ag_req *req, struct web_visit *v, json_t *d)
{
    long st = 0;
    json_t *member = fetch(req, v, member_path(req, v, ""), &st);
    if (member == NULL) {
        return st == 401 || st == 403 || st == 404 ? AG_EUNAUTH : AG_EUNAVAIL;
    }
    json_object_set_new(d, "member", member);
    json_t *addresses = fetch(req, v, member_path(req, v, "/addresses"), &st);
    json_object_set_new(d, "addresses", json_is_array(addresses) ? addresses : json_array());
    if (!json_is_array(addresses)) {
        json_decref(addresses);
    }
    json_t *sessions = fetch(req, v, "/api/auth/sessions", &st);
    size_t i;
    json_t *s;
    json_array_foreach(sessions, i, s)
    {
        json_object_set_new(s, "created",
                            when(json_integer_value(json_object_get(s, "createdAt"))));
        json_object_set_new(s, "used", when(json_integer_value(json_object_get(s, "lastUsedAt"))));
    }
    json_object_set_new(d, "sessions", json_is_array(sessions) ? sessions : json_array());
    if (!json_is_array(sessions)) {
        json_decref(sessions);
    }
    return 0;
}

static int
to_login(struct ag_req *req)
{
    return web_redirect(req, "/login?next=/account");
}

/*
 * Renders the account page with 'status'; 'd' (stolen, may be NULL) carries a section's
 * errors and entered values, 'saved' names the section whose status message shows.
 */
static int
account_page(struct ag_req *req, struct web_visit *v, int status, json_t *d, const char *saved)
{
    if (d == NULL) {
        d = web_page_data(req, v, "account_title");
    }
    int rc = account_data(req, v, d);
    if (rc == AG_EUNAUTH) {
        json_decref(d);
        return to_login(req);
    }
    if (rc < 0) {
        json_object_set_new(d, "message", json_string(web_text(req, v, "error_unavailable")));
        return web_page_reply(req, 503, "error", d);
    }
    if (saved != NULL) {
        json_t *flags = json_object();
        json_object_set_new(flags, saved, json_true());
        json_object_set_new(d, "saved", flags);
    }
    return web_page_reply(req, status, "account", d);
}

/* GET /account[?saved=profile|password|address|session] */
int
web_account(struct ag_req *req)
{
    static const char *const sections[] = {"profile", "password", "address", "session"};
    struct web_visit v;
    const char *saved = ag_req_query(req, "saved"), *known = NULL;

    web_visit_begin(req, &v, WEB_VISIT_GUEST);
    if (!v.signed_in) {
        return to_login(req);
    }
    for (size_t i = 0; saved != NULL && i < sizeof(sections) / sizeof(sections[0]); i++) {
        if (strcmp(saved, sections[i]) == 0) {
            known = sections[i];
        }
    }
    return account_page(req, &v, 200, NULL, known);
}

/* The start of every account form: signed in, a good form. */
static int
account_form_or_reply(struct ag_req *req, struct web_visit *v, struct ag_uri *f)
{
    web_visit_begin(req, v, 0);
    int rc = web_form_or_reply(req, v, f);
    if (rc < 0) {
        return rc;
    }
    if (!v->signed_in) {
        to_login(req);
        return AG_EUNAUTH;
    }
    return 0;
}

/*
 * After a call: 303 back to the page on 2xx; the page again with the error otherwise (next
 * to 'field' of the answer, or 'section''s alert).
 */
static int
account_answer(struct ag_req *req, struct web_visit *v, int rc, struct ag_httpc_resp *resp,
               const char *section, json_t *values)
{
    long status = rc == 0 ? resp->status : 503;
    if (status >= 200 && status < 300) {
        ag_httpc_resp_release(resp);
        json_decref(values);
        return web_redirect(req,
                            ag_arena_printf(req->arena, "/account?saved=%s#%s", section, section));
    }
    if (status == 401) {
        ag_httpc_resp_release(resp);
        json_decref(values);
        return to_login(req);
    }
    json_t *d = web_page_data(req, v, "account_title");
    json_t *err = json_object();
    const char *field = rc == 0 ? web_resp_field(resp) : NULL;
    if (field != NULL && status < 500) {
        const char *text = status == 409 ? web_text(req, v, "invalid_taken")
                                         : web_field_text(req, v, field, web_resp_message(resp));
        json_object_set_new(err, field, json_string(text));
    } else {
        const char *msg = status < 500 && web_resp_message(resp) != NULL
                              ? web_resp_message(resp)
                              : web_text(req, v, "error_unavailable");
        json_object_set_new(err, "alert", json_string(msg));
    }
    json_object_set_new(d, ag_arena_printf(req->arena, "%s_errors", section), err);
    if (values != NULL) {
        json_object_set_new(d, ag_arena_printf(req->arena, "%s_values", section), values);
    }
    ag_httpc_resp_release(resp);
    return account_page(req, v, status >= 400 && status < 500 ? (int)status : 503, d, NULL);
}

/* POST /account/profile: name, email */
int
web_account_profile(struct ag_req *req)
{
    struct web_visit v;
    struct ag_uri f;
    struct ag_httpc_resp resp;

    int rc = account_form_or_reply(req, &v, &f);
    if (rc < 0) {
        return rc;
    }
    const char *name = ag_form_get(&f, "name");
    const char *email = ag_form_get(&f, "email");
    json_t *body = json_pack("{s:s,s:s}", "name", name != NULL ? name : "", "email",
                             email != NULL ? email : "");
    rc = web_api_call(req, &v, "PATCH", member_path(req, &v, ""), body, NULL, &resp);
    return account_answer(req, &v, rc, &resp, "profile", body);
}

/*
 * A password change ends every session of the member, this one too, when auth reads the
 * event: wait for that (a few hundred milliseconds at most), then sign in again with the new
 * password, so that the visitor stays signed in and the other devices are signed out.
 */
static void
stay_signed_in(struct ag_req *req, struct web_visit *v, const char *password)
{
    struct ag_httpc_resp resp;
    const char *bearer = ag_arena_printf(req->arena, "Authorization: Bearer %s", v->access);
    const char *const extra[] = {bearer, NULL};

    for (int i = 0; i < REVOKE_WAIT_TRIES; i++) {
        int rc = web_auth_call(req, "GET", "/api/auth/verify", NULL, extra, &resp);
        long status = rc == 0 ? resp.status : 0;
        ag_httpc_resp_release(&resp);
        if (status != 200) {
            break; /* 401: the old sessions have ended (or auth cannot say: go on anyway) */
        }
        sleep_ms(REVOKE_WAIT_MS);
    }
    /* The same visitor: the CSRF token stays, as the page's other forms carry it. */
    long status = 0;
    if (web_sign_in(req, v, v->claims.sub, password, 0, &status) < 0) {
        ag_log(AG_LOG_WARN, req->request_id, "sign-in after password change: status %ld", status);
    }
}

/* POST /account/password: currentPassword, newPassword, newPasswordConfirm */
int
web_account_password(struct ag_req *req)
{
    struct web_visit v;
    struct ag_uri f;
    struct ag_httpc_resp resp;

    int rc = account_form_or_reply(req, &v, &f);
    if (rc < 0) {
        return rc;
    }
    const char *cur = ag_form_get(&f, "currentPassword");
    const char *pw = ag_form_get(&f, "newPassword");
    const char *pw2 = ag_form_get(&f, "newPasswordConfirm");
    if (cur == NULL || pw == NULL || pw2 == NULL || strcmp(pw, pw2) != 0) {
        json_t *d = web_page_data(req, &v, "account_title");
        json_object_set_new(d, "password_errors",
                            json_pack("{s:s}", "newPasswordConfirm",
                                      web_text(req, &v, "invalid_password_confirm")));
        return account_page(req, &v, 400, d, NULL);
    }
    json_t *body = json_pack("{s:s,s:s}", "currentPassword", cur, "newPassword", pw);
    rc = web_api_call(req, &v, "POST", member_path(req, &v, "/change-password"), body, NULL, &resp);
    json_decref(body);
    long status = rc == 0 ? resp.status : 0;
    if (status == 401 || status == 403) {
        /* Wrong current password: say so there, rather than sending the visitor away. */
        ag_httpc_resp_release(&resp);
        json_t *d = web_page_data(req, &v, "account_title");
        json_object_set_new(
            d, "password_errors",
            json_pack("{s:s}", "currentPassword", web_text(req, &v, "invalid_current_password")));
        return account_page(req, &v, 400, d, NULL);
    }
    if (status >= 200 && status < 300) {
        stay_signed_in(req, &v, pw);
    }
    return account_answer(req, &v, rc, &resp, "password", NULL);
}

/* POST /account/addresses: recipient, phone, postalCode, line1, line2 */
int
web_account_address_add(struct ag_req *req)
{
    struct web_visit v;
    struct ag_uri f;
    struct ag_httpc_resp resp;

    int rc = account_form_or_reply(req, &v, &f);
    if (rc < 0) {
        return rc;
    }
    const char *line2 = ag_form_get(&f, "line2");
    json_t *body = json_pack("{s:s?,s:s?,s:s?,s:s?}", "recipient", ag_form_get(&f, "recipient"),
                             "phone", ag_form_get(&f, "phone"), "postalCode",
                             ag_form_get(&f, "postalCode"), "line1", ag_form_get(&f, "line1"));
    if (line2 != NULL && line2[0] != '\0') {
        json_object_set_new(body, "line2", json_string(line2));
    }
    rc = web_api_call(req, &v, "POST", member_path(req, &v, "/addresses"), body, NULL, &resp);
    return account_answer(req, &v, rc, &resp, "address", body);
}

/* A path parameter that is an id: [A-Za-z0-9_-]{1,64}, else NULL. */
static const char *
id_param(struct ag_req *req, const char *name)
{
    struct ag_str p = ag_req_param(req, name);
    if (p.len == 0 || p.len > 64) {
        return NULL;
    }
    for (size_t i = 0; i < p.len; i++) {
        char c = p.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_')) {
            return NULL;
        }
    }
    return ag_arena_strndup(req->arena, p.ptr, p.len);
}

/*
 * The start of a delete form: a good form, then DELETE 'path' + the id of path parameter
 * 'param' through the gateway ('path' under the member's own when 'member_scoped'). 0 with the
 * answer in 'resp' (or the call's error in
 * '*call_rc') and the id in '*id'; a negative code when a reply has been set.
 */
static int
delete_or_reply(struct ag_req *req, struct web_visit *v, const char *param, const char *path,
                int member_scoped, const char **id, int *call_rc, struct ag_httpc_resp *resp)
{
    struct ag_uri f;

    int rc = account_form_or_reply(req, v, &f);
    if (rc < 0) {
        return rc;
    }
    *id = id_param(req, param);
    if (*id == NULL) {
        web_not_found(req);
        return AG_ENOTFOUND;
    }
    const char *target = ag_arena_printf(req->arena, "%s%s", path, *id);
    if (member_scoped) {
        target = member_path(req, v, target);
    }
    *call_rc = web_api_call(req, v, "DELETE", target, NULL, NULL, resp);
    return 0;
}

/* POST /account/addresses/{aid}/delete */
int
web_account_address_delete(struct ag_req *req)
{
    struct web_visit v;
    struct ag_httpc_resp resp;
    const char *aid;
    int call_rc = 0;

    int rc = delete_or_reply(req, &v, "aid", "/addresses/", 1, &aid, &call_rc, &resp);
    if (rc < 0) {
        return rc;
    }
    return account_answer(req, &v, call_rc, &resp, "address", NULL);
}

/* POST /account/sessions/{sid}/delete: "log out this device" (this one: log out). */
int
web_account_session_delete(struct ag_req *req)
{
    struct web_visit v;
    struct ag_httpc_resp resp;
    const char *sid;
    int call_rc = 0;

    int rc = delete_or_reply(req, &v, "sid", "/api/auth/sessions/", 0, &sid, &call_rc, &resp);
    if (rc < 0) {
        return rc;
    }
    if (call_rc == 0 && resp.status / 100 == 2 && strcmp(sid, v.claims.sid) == 0) {
        ag_httpc_resp_release(&resp);
        web_visit_clear(req, &v);
        web_csrf_rotate(req, &v);
        return web_redirect(req, "/login");
    }
    return account_answer(req, &v, call_rc, &resp, "session", NULL);
}
