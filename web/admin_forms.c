/*
 * What the admin pages share: the admin check, writes and reads through the gateway with the
 * admin's token (a double submit waits for the first answer), idempotency keys for forms,
 * form fields, the catalog's refusals as messages next to their fields, and the category
 * choices of a form.
 */
#include "web.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agora/err.h"
#include "agora/log.h"

#define MAX_DIGITS 12
#define ID_MAX     18

int
web_admin_or_reply(struct ag_req *req, struct web_visit *v, struct ag_uri *form)
{
    web_visit_begin(req, v, form != NULL ? 0 : WEB_VISIT_GUEST);
    if (form != NULL) {
        int rc = web_form_or_reply(req, v, form);
        if (rc < 0) {
            return rc;
        }
    }
    if (!v->signed_in) {
        const char *back = form != NULL ? "/admin" : web_next_path(ag_req_target(req));
        web_redirect(
            req, ag_arena_printf(req->arena, "/login?next=%s", web_query_escape(req->arena, back)));
        return AG_EUNAUTH;
    }
    if (v->claims.role != AG_ROLE_ADMIN) {
        json_t *d = web_page_data(req, v, "error_title");
        json_object_set_new(d, "message", json_string(web_text(req, v, "admin_only")));
        web_page_reply(req, 403, "error", d);
        return AG_EFORBIDDEN;
    }
    return 0;
}

/* A write through the gateway as the admin; waits out a duplicate still in flight. */
int
web_admin_write(struct ag_req *req, struct web_visit *v, const char *method, const char *path,
                const json_t *body, const char *idem, struct ag_httpc_resp *resp)
{
    if (idem != NULL && ag_idem_key_valid(idem) < 0) {
        idem = NULL;
    }
    return web_api_write(req, v, method, path, body, idem, resp);
}

/* GET of 'path' as the admin: the answer's data (a new reference), or NULL with '*status'. */
json_t *
web_admin_fetch(struct ag_req *req, struct web_visit *v, const char *path, long *status)
{
    struct ag_httpc_resp resp;
    int rc = web_api_call(req, v, "GET", path, NULL, NULL, &resp);
    *status = rc == 0 ? resp.status : 503;
    json_t *data = *status == 200 ? json_incref(json_object_get(resp.json, "data")) : NULL;
    ag_httpc_resp_release(&resp);
    return data;
}

/* A new idempotency key for a form. */
json_t *
web_admin_idem_new(void)
{
    char idem[WEB_IDEM_HEX + 1];
    web_random_hex(idem, WEB_IDEM_HEX / 2);
    return json_string(idem);
}

/* The {id} of the path: 1..ID_MAX digits, else NULL. */
const char *
web_admin_id_param(struct ag_req *req)
{
    struct ag_str p = ag_req_param(req, "id");
    if (p.len == 0 || p.len > ID_MAX) {
        return NULL;
    }
    for (size_t i = 0; i < p.len; i++) {
        if (p.ptr[i] < '0' || p.ptr[i] > '9') {
            return NULL;
        }
    }
    return ag_arena_strndup(req->arena, p.ptr, p.len);
}

/* A form field trimmed of spaces around it; "" when absent. Arena. */
const char *
web_admin_field(struct ag_req *req, const struct ag_uri *f, const char *name)
{
    const char *s = ag_form_get(f, name);
    if (s == NULL) {
        return "";
    }
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n')) {
        n--;
    }
    return ag_arena_strndup(req->arena, s, n);
}

/* A whole number of a form ("129,000" too): 0 with '*out', else AG_EINVAL. */
int
web_admin_number_of(const char *s, long long *out)
{
    long long n = 0;
    int digits = 0;

    for (const char *p = s; *p != '\0'; p++) {
        if (*p == ',' || *p == ' ') {
            continue;
        }
        if (*p < '0' || *p > '9' || digits == MAX_DIGITS) {
            return AG_EINVAL;
        }
        n = n * 10 + (*p - '0');
        digits++;
    }
    *out = n;
    return digits > 0 ? 0 : AG_EINVAL;
}

/* The text for a refused field: ours for the fields we know, else the catalog's message. */
static const char *
field_text(struct ag_req *req, const struct web_visit *v, long status, const char *name,
           const char *message)
{
    char key[AG_I18N_MAX_KEY + 1];

    if (status == 409 && strcmp(name, "slug") == 0) {
        return web_text(req, v, "admin_slug_taken");
    }
    if (status == 409 && strcmp(name, "onHand") == 0) {
        return web_text(req, v, "admin_stock_below_reserved");
    }
    int n = snprintf(key, sizeof(key), "admin_invalid_%s", name);
    for (int i = 0; i < n && (size_t)i < sizeof(key); i++) {
        key[i] = (char)(key[i] >= 'A' && key[i] <= 'Z' ? key[i] + 32 : key[i]);
    }
    const char *text = web_text(req, v, key);
    if (strcmp(text, key) != 0) {
        return text;
    }
    return message != NULL ? message : web_text(req, v, "error_form");
}

/* Adds the refusal 'resp' to 'errors': next to its field, else as the alert. */
void
web_admin_errors_from(struct ag_req *req, const struct web_visit *v, int rc,
                      const struct ag_httpc_resp *resp, json_t *errors)
{
    long status = rc == 0 ? resp->status : 503;
    const char *name = rc == 0 ? web_resp_field(resp) : NULL;
    const char *message = rc == 0 ? web_resp_message(resp) : NULL;

    if (status >= 500) {
        json_object_set_new(errors, "alert", json_string(web_text(req, v, "error_unavailable")));
    } else if (name != NULL) {
        json_object_set_new(errors, name, json_string(field_text(req, v, status, name, message)));
        json_object_set_new(errors, "alert", json_string(web_text(req, v, "error_form")));
    } else {
        json_object_set_new(
            errors, "alert",
            json_string(message != NULL ? message : web_text(req, v, "error_form")));
    }
}

/* The page's status after a refused write: the catalog's 4xx, else 503. */
int
web_admin_refused_status(int rc, const struct ag_httpc_resp *resp)
{
    return rc == 0 && resp->status >= 400 && resp->status < 500 ? (int)resp->status : 503;
}

/* The categories of the tree as select options (indented by depth), 'chosen' selected. */
json_t *
web_admin_category_options(struct ag_req *req, const json_t *tree, const char *chosen,
                           int max_depth)
{
    json_t *out = json_array();
    const json_t *levels[3] = {tree, NULL, NULL};
    size_t at[3] = {0, 0, 0};
    int depth = 0;

    /* A walk with an explicit stack of the three levels: the tree is never deeper. */
    while (depth >= 0) {
        const json_t *c = json_array_get(levels[depth], at[depth]);
        if (c == NULL) {
            depth--;
            continue;
        }
        at[depth]++;
        const char *slug = json_string_value(json_object_get(c, "slug"));
        const char *name = json_string_value(json_object_get(c, "name"));
        if (slug == NULL || depth + 1 > max_depth) {
            continue;
        }
        const char *indent = depth == 0 ? "" : depth == 1 ? "— " : "— — ";
        json_array_append_new(
            out, json_pack("{s:s,s:s,s:b}", "slug", slug, "label",
                           ag_arena_printf(req->arena, "%s%s", indent, name != NULL ? name : slug),
                           "selected", chosen != NULL && strcmp(chosen, slug) == 0));
        const json_t *kids = json_object_get(c, "children");
        if (depth < 2 && json_array_size(kids) > 0) {
            depth++;
            levels[depth] = kids;
            at[depth] = 0;
        }
    }
    return out;
}
