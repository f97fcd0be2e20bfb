/*
 * Pages: the context every page shares (texts of the visitor's language, who is signed in,
 * the CSRF token, asset URLs), rendering a page into the layout, redirects, and the checks
 * every form post passes (form body, Origin, CSRF token).
 */
#include "web.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "agora/err.h"
#include "agora/log.h"

const char *
web_text(struct ag_req *req, const struct web_visit *v, const char *key)
{
    const struct web_app *app = req->app;
    return ag_i18n_text(app->i18n, v->lang, key);
}

const char *
web_field_text(struct ag_req *req, const struct web_visit *v, const char *field,
               const char *fallback)
{
    char key[AG_I18N_MAX_KEY + 1];
    size_t n = (size_t)snprintf(key, sizeof(key), "invalid_%s", field);
    for (size_t i = 0; i < n && i < sizeof(key); i++) {
        key[i] = (char)(key[i] >= 'A' && key[i] <= 'Z' ? key[i] + 32 : key[i]);
    }
    const char *text = web_text(req, v, key);
    if (text != NULL && strcmp(text, key) != 0) {
        return text;
    }
    return fallback != NULL ? fallback : web_text(req, v, "error_form");
}

const char *
web_query_escape(struct ag_arena *a, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *out = ag_arena_alloc(a, n * 3 + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~' || *p == '/') {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = '\0';
    return out;
}

json_t *
web_page_data(struct ag_req *req, const struct web_visit *v, const char *title_key)
{
    const struct web_app *app = req->app;
    json_t *d = json_object();
    /* The catalog is read-only and lives as long as the process; templates only read it. */
    json_object_set(d, "t", (json_t *)(uintptr_t)ag_i18n_catalog(app->i18n, v->lang));
    json_object_set_new(d, "lang", json_string(v->lang));
    json_object_set_new(d, "lang_ko", json_boolean(strcmp(v->lang, "ko") == 0));
    json_object_set_new(d, "csrf", json_string(v->csrf));
    json_object_set_new(d, "css", json_string(app->css_url));
    json_object_set_new(d, "htmx", json_string(app->htmx_url));
    const char *here = ag_req_target(req);
    json_object_set_new(d, "here", json_string(web_query_escape(req->arena, web_next_path(here))));
    json_object_set_new(d, "title", json_string(web_text(req, v, title_key)));
    json_object_set_new(d, "cart_count", json_integer(0));
    if (v->signed_in) {
        json_object_set_new(
            d, "user",
            json_pack("{s:s,s:b}", "id", v->claims.sub, "admin", v->claims.role == AG_ROLE_ADMIN));
    }
    return d;
}

const char *
web_public_url(struct ag_req *req, const char *path)
{
    const struct web_app *app = req->app;
    const char *base = app->cfg->public_url;
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/') {
        n--;
    }
    return ag_arena_printf(req->arena, "%.*s%s", (int)n, base, path);
}

void
web_page_seo(struct ag_req *req, json_t *d, const char *path, const char *description)
{
    json_object_set_new(d, "canonical", json_string(web_public_url(req, path)));
    if (description != NULL && description[0] != '\0') {
        json_object_set_new(d, "meta_description", json_string(description));
    }
}

int
web_page_reply(struct ag_req *req, int status, const char *page, json_t *data)
{
    return web_page_reply_cached(req, status, page, data, "no-store");
}

int
web_page_reply_cached(struct ag_req *req, int status, const char *page, json_t *data,
                      const char *cache_control)
{
    const struct web_app *app = req->app;
    char *html;
    size_t len;

    const char *lang = json_string_value(json_object_get(data, "lang"));
    if (lang != NULL) {
        ag_reply_header(req, "Content-Language", lang);
    }
    int rc = ag_tmpl_render_layout(app->tmpl, "layout", page, data, req->arena, &html, &len);
    json_decref(data);
    if (rc < 0) {
        ag_log(AG_LOG_ERROR, req->request_id, "cannot render page '%s': %s", page, ag_err_name(rc));
        return AG_EINTERNAL;
    }
    ag_reply_header(req, "Cache-Control", cache_control);
    return ag_reply_raw(req, status, "text/html; charset=utf-8", html, len);
}

#define PAGER_SPAN 2 /* page links either side of the current one */

static json_t *
pager_link(struct ag_req *req, const char *base, long n, long page)
{
    return json_pack("{s:I,s:s,s:b,s:b}", "n", (json_int_t)n, "href",
                     ag_arena_printf(req->arena, "%s%ld", base, n), "current", n == page, "gap", 0);
}

json_t *
web_pager(struct ag_req *req, const char *base, long page, long pages)
{
    if (pages <= 1) {
        return NULL;
    }
    long from = page - PAGER_SPAN > 1 ? page - PAGER_SPAN : 1;
    long to = page + PAGER_SPAN < pages ? page + PAGER_SPAN : pages;
    json_t *links = json_array();
    if (from > 1) {
        json_array_append_new(links, pager_link(req, base, 1, page));
    }
    if (from > 2) {
        json_array_append_new(links, json_pack("{s:b}", "gap", 1));
    }
    for (long n = from; n <= to; n++) {
        json_array_append_new(links, pager_link(req, base, n, page));
    }
    if (to < pages - 1) {
        json_array_append_new(links, json_pack("{s:b}", "gap", 1));
    }
    if (to < pages) {
        json_array_append_new(links, pager_link(req, base, pages, page));
    }
    json_t *p = json_pack("{s:o}", "links", links);
    if (page > 1) {
        json_object_set_new(p, "prev",
                            json_string(ag_arena_printf(req->arena, "%s%ld", base, page - 1)));
    }
    if (page < pages) {
        json_object_set_new(p, "next",
                            json_string(ag_arena_printf(req->arena, "%s%ld", base, page + 1)));
    }
    return p;
}

const char *
web_time_text(struct ag_req *req, const char *iso)
{
    /* The order service writes UTC as YYYY-MM-DDTHH:MM:SS.mmmZ; anything else as it is. */
    if (iso == NULL) {
        return "";
    }
    if (strlen(iso) < 16 || iso[10] != 'T') {
        return ag_arena_strdup(req->arena, iso);
    }
    return ag_arena_printf(req->arena, "%.10s %.5s UTC", iso, iso + 11);
}

int
web_redirect(struct ag_req *req, const char *location)
{
    ag_reply_header(req, "Location", location);
    ag_reply_header(req, "Cache-Control", "no-store");
    return ag_reply_raw(req, 303, "text/plain; charset=utf-8", "", 0);
}

/* A local path to go back to ("/account?x=1"), never another site ("//evil", "/\\evil"). */
const char *
web_next_path(const char *next)
{
    if (next == NULL || next[0] != '/' || next[1] == '/' || next[1] == '\\' ||
        strlen(next) > WEB_MAX_NEXT) {
        return "/";
    }
    for (const char *p = next; *p != '\0'; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            return "/";
        }
    }
    return next;
}

/* A small page for a request refused before any work (bad form, forged or stale CSRF). */
static int
refuse_page(struct ag_req *req, struct web_visit *v, int status, const char *key)
{
    json_t *d = web_page_data(req, v, "error_title");
    json_object_set_new(d, "message", json_string(web_text(req, v, key)));
    return web_page_reply(req, status, "error", d);
}

int
web_form_or_reply(struct ag_req *req, struct web_visit *v, struct ag_uri *form)
{
    const char *ct = ag_req_header(req, "Content-Type");
    static const char urlenc[] = "application/x-www-form-urlencoded";

    if (ct == NULL || strncasecmp(ct, urlenc, sizeof(urlenc) - 1) != 0) {
        refuse_page(req, v, 415, "error_form");
        return AG_EMEDIATYPE;
    }
    if (ag_form_parse(req->arena, req->body != NULL ? req->body : "", req->body_len, form) < 0) {
        refuse_page(req, v, 400, "error_form");
        return AG_EINVAL;
    }
    if (!web_origin_ok(req)) {
        ag_log(AG_LOG_WARN, req->request_id, "form post from another origin refused");
        refuse_page(req, v, 403, "error_csrf");
        return AG_EFORBIDDEN;
    }
    if (!web_csrf_ok(req, v, ag_form_get(form, WEB_FIELD_CSRF))) {
        refuse_page(req, v, 403, "error_csrf");
        return AG_EFORBIDDEN;
    }
    return 0;
}
