/*
 * The storefront's public pages: home, log in, sign up, log out, the language switch, the
 * not-found page, and web's route table (the catalog's pages are in catalog.c and
 * admin_catalog.c, the cart's in cart.c, checkout in checkout.c, orders in orders.c and
 * admin_orders.c).
 */
#include "web.h"

#include <stdio.h>
#include <string.h>

#include "agora/err.h"
#include "agora/log.h"
#include "agora/static.h"

/* Adds {"errors": {field: message}} to a page's data. */
static void
field_error(json_t *d, const char *field, const char *message)
{
    json_t *errors = json_object_get(d, "errors");
    if (errors == NULL) {
        errors = json_object();
        json_object_set_new(d, "errors", errors);
    }
    json_object_set_new(errors, field, json_string(message));
}

/* The top-level categories of the tree, each with its icon when we have one. */
static json_t *
home_categories(struct ag_req *req, const struct web_visit *v, const json_t *tree)
{
    const struct web_app *app = req->app;
    json_t *out = json_array();
    size_t i;
    const json_t *c;

    json_array_foreach(tree, i, c)
    {
        const char *slug = json_string_value(json_object_get(c, "slug"));
        if (slug == NULL) {
            continue;
        }
        const char *icon = ag_arena_printf(req->arena, "/static/img/c/%s.svg", slug);
        if (ag_static_find(app->assets, icon, strlen(icon)) == NULL) {
            icon = NULL;
        }
        json_array_append_new(out,
                              json_pack("{s:s,s:s,s:o,s:I}", "name", web_name_of(v, c), "href",
                                        ag_arena_printf(req->arena, "/categories/%s", slug), "icon",
                                        icon != NULL ? json_string(icon) : json_null(), "count",
                                        json_integer_value(json_object_get(c, "productCount"))));
    }
    return out;
}

/* GET /: the top-level categories and the most popular products, both cached. */
static int
home(struct ag_req *req)
{
    struct web_visit v;
    web_visit_begin(req, &v, WEB_VISIT_GUEST);
    json_t *d = web_page_data(req, &v, "home_title");
    json_t *tree = web_catalog_get(req, &v, WEB_CATALOG_TREE);
    json_t *featured = web_catalog_get(req, &v, WEB_CATALOG_FEATURED);
    json_t *items = json_object_get(featured, "items");
    json_t *categories = home_categories(req, &v, tree);
    json_object_set_new(d, "has_categories", json_boolean(json_array_size(categories) > 0));
    json_object_set_new(d, "categories", categories);
    json_object_set_new(d, "products", web_product_cards(req, &v, items));
    json_object_set_new(d, "has_products", json_boolean(json_array_size(items) > 0));
    json_decref(tree);
    json_decref(featured);
    web_page_seo(req, d, "/", web_text(req, &v, "home_meta"));
    return web_page_reply_cached(req, 200, "home", d, "private, no-cache");
}

static int
login_page(struct ag_req *req, struct web_visit *v, int status, const char *login,
           const char *alert)
{
    json_t *d = web_page_data(req, v, "login_title");
    json_object_set_new(d, "next", json_string(web_next_path(ag_req_query(req, "next"))));
    json_object_set_new(d, "login", json_string(login != NULL ? login : ""));
    if (alert != NULL) {
        json_object_set_new(d, "alert", json_string(alert));
    }
    return web_page_reply(req, status, "login", d);
}

/* GET /login */
static int
login_form(struct ag_req *req)
{
    struct web_visit v;
    web_visit_begin(req, &v, WEB_VISIT_GUEST);
    return login_page(req, &v, 200, NULL, NULL);
}

static const char *
login_alert(struct ag_req *req, const struct web_visit *v, long status)
{
    switch (status) {
    case 401:
        return web_text(req, v, "login_wrong");
    case 429:
        return web_text(req, v, "login_too_many");
    case 400:
        return web_text(req, v, "login_invalid");
    default:
        return web_text(req, v, "error_unavailable");
    }
}

/* POST /login: login, password[, next] */
static int
login_submit(struct ag_req *req)
{
    struct web_visit v;
    struct ag_uri f;
    long status = 0;

    web_visit_begin(req, &v, WEB_VISIT_GUEST);
    int rc = web_form_or_reply(req, &v, &f);
    if (rc < 0) {
        return rc;
    }
    const char *login = ag_form_get(&f, "login");
    const char *password = ag_form_get(&f, "password");
    if (login == NULL || password == NULL || login[0] == '\0' || password[0] == '\0') {
        return login_page(req, &v, 400, login, web_text(req, &v, "login_invalid"));
    }
    rc = web_sign_in(req, &v, login, password, 1, &status);
    if (rc == 0) {
        return web_redirect(req, web_next_path(ag_form_get(&f, "next")));
    }
    int code = status == 401 || status == 429 || status == 400 ? (int)status : 503;
    return login_page(req, &v, code, login, login_alert(req, &v, status));
}

static int
signup_page(struct ag_req *req, struct web_visit *v, int status, const struct ag_uri *f, json_t *d)
{
    char idem[WEB_IDEM_HEX + 1];
    static const char *const keep[] = {"id", "email", "name"};

    if (d == NULL) {
        d = web_page_data(req, v, "signup_title");
    }
    /* A key per rendered form: a double click sends it twice, and member makes one member. */
    web_random_hex(idem, WEB_IDEM_HEX / 2);
    json_object_set_new(d, "idem", json_string(idem));
    json_t *values = json_object();
    for (size_t i = 0; f != NULL && i < sizeof(keep) / sizeof(keep[0]); i++) {
        const char *val = ag_form_get(f, keep[i]);
        json_object_set_new(values, keep[i], json_string(val != NULL ? val : ""));
    }
    json_object_set_new(d, "values", values);
    return web_page_reply(req, status, "signup", d);
}

/* GET /signup */
static int
signup_form(struct ag_req *req)
{
    struct web_visit v;
    web_visit_begin(req, &v, WEB_VISIT_GUEST);
    if (v.signed_in) {
        return web_redirect(req, "/account");
    }
    return signup_page(req, &v, 200, NULL, NULL);
}

/* POST /api/members through the gateway; waits out a duplicate still in flight. */
static int
member_create(struct ag_req *req, struct web_visit *v, const struct ag_uri *f,
              struct ag_httpc_resp *resp)
{
    json_t *body =
        json_pack("{s:s,s:s,s:s,s:s}", "id", ag_form_get(f, "id"), "email", ag_form_get(f, "email"),
                  "name", ag_form_get(f, "name"), "password", ag_form_get(f, "password"));
    int rc = web_api_write(req, v, "POST", "/api/members", body, ag_form_get(f, "idem"), resp);
    json_decref(body);
    return rc;
}

/* Checks the form before member does: every field there, the two passwords equal. */
static int
signup_check(struct ag_req *req, struct web_visit *v, const struct ag_uri *f, json_t *d)
{
    static const char *const need[] = {"id", "email", "name", "password", "passwordConfirm"};
    int bad = 0;

    for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
        const char *val = ag_form_get(f, need[i]);
        if (val == NULL || val[0] == '\0') {
            field_error(d, need[i], web_text(req, v, "invalid_required"));
            bad = 1;
        }
    }
    const char *pw = ag_form_get(f, "password");
    const char *pw2 = ag_form_get(f, "passwordConfirm");
    if (!bad && strcmp(pw, pw2) != 0) {
        field_error(d, "passwordConfirm", web_text(req, v, "invalid_password_confirm"));
        bad = 1;
    }
    const char *idem = ag_form_get(f, "idem");
    if (!bad && (idem == NULL || ag_idem_key_valid(idem) < 0)) {
        json_object_set_new(d, "alert", json_string(web_text(req, v, "error_form")));
        bad = 1;
    }
    return bad ? AG_EINVAL : 0;
}

/* POST /signup: id, email, name, password, password_confirm, idem */
static int
signup_submit(struct ag_req *req)
{
    struct web_visit v;
    struct ag_uri f;
    struct ag_httpc_resp resp;
    long status = 0;

    web_visit_begin(req, &v, WEB_VISIT_GUEST);
    int rc = web_form_or_reply(req, &v, &f);
    if (rc < 0) {
        return rc;
    }
    json_t *d = web_page_data(req, &v, "signup_title");
    if (signup_check(req, &v, &f, d) < 0) {
        return signup_page(req, &v, 400, &f, d);
    }
    rc = member_create(req, &v, &f, &resp);
    if (rc == 0 && resp.status == 201) {
        ag_httpc_resp_release(&resp);
        json_decref(d);
        rc = web_sign_in(req, &v, ag_form_get(&f, "id"), ag_form_get(&f, "password"), 1, &status);
        return web_redirect(req, rc == 0 ? "/account" : "/login?next=/account");
    }
    const char *field = web_resp_field(&resp);
    if (rc == 0 && resp.status < 500 && field != NULL) {
        const char *why = resp.status == 409
                              ? web_text(req, &v, "invalid_taken")
                              : web_field_text(req, &v, field, web_resp_message(&resp));
        field_error(d, field, why);
    } else {
        json_object_set_new(d, "alert", json_string(web_text(req, &v, "error_unavailable")));
    }
    int code = rc == 0 && resp.status >= 400 && resp.status < 500 ? (int)resp.status : 503;
    ag_httpc_resp_release(&resp);
    return signup_page(req, &v, code, &f, d);
}

/* POST /logout: ends the session at auth, clears the cookies, home again. */
static int
logout(struct ag_req *req)
{
    struct web_visit v;
    struct ag_uri f;
    struct ag_httpc_resp resp;

    web_visit_begin(req, &v, 0);
    int rc = web_form_or_reply(req, &v, &f);
    if (rc < 0) {
        return rc;
    }
    if (v.access != NULL) {
        rc = web_api_call(req, &v, "POST", "/api/auth/logout", NULL, NULL, &resp);
        if (rc != 0 || resp.status != 200) {
            ag_log(AG_LOG_WARN, req->request_id, "logout at auth: %s, status %ld", ag_err_name(rc),
                   resp.status);
        }
        ag_httpc_resp_release(&resp);
    }
    web_visit_clear(req, &v);
    web_csrf_rotate(req, &v);
    return web_redirect(req, "/");
}

/* GET /lang/{code}?next=: the visitor's own choice of language, kept a year. */
static int
lang_switch(struct ag_req *req)
{
    const struct web_app *app = req->app;
    struct ag_str code = ag_req_param(req, "code");
    char lang[AG_I18N_MAX_LANG + 1];

    if (code.len > AG_I18N_MAX_LANG) {
        return web_not_found(req);
    }
    memcpy(lang, code.ptr, code.len);
    lang[code.len] = '\0';
    if (!ag_i18n_has(app->i18n, lang)) {
        return web_not_found(req);
    }
    web_cookie_set(req, WEB_COOKIE_LANG, lang, 365LL * 24 * 3600, "Lax", 0);
    return web_redirect(req, web_next_path(ag_req_query(req, "next")));
}

/* Any other path: the not-found page (whatever the method). */
int
web_not_found(struct ag_req *req)
{
    struct web_visit v;
    web_visit_begin(req, &v, 0);
    json_t *d = web_page_data(req, &v, "notfound_title");
    return web_page_reply(req, 404, "notfound", d);
}

/* GET /static/{file*}: our CSS, the htmx script and the images (sub-folders too), from memory. */
static int
asset(struct ag_req *req)
{
    const struct web_app *app = req->app;
    return ag_static_reply(req, app->assets);
}

#define FORM_MAX       8192
#define ADMIN_FORM_MAX AG_MAX_FORM /* a product's two descriptions */

const struct ag_route web_routes[] = {
    {AG_GET, "/", home, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/login", login_form, AG_AUTH_NONE, 0, 0},
    {AG_POST, "/login", login_submit, AG_AUTH_NONE, FORM_MAX, 0},
    {AG_GET, "/signup", signup_form, AG_AUTH_NONE, 0, 0},
    {AG_POST, "/signup", signup_submit, AG_AUTH_NONE, FORM_MAX, 0},
    {AG_POST, "/logout", logout, AG_AUTH_NONE, FORM_MAX, 0},
    {AG_GET, "/lang/{code}", lang_switch, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/products", web_search, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/products/{slug}", web_product, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/categories/{slug}", web_category, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/cart", web_cart, AG_AUTH_NONE, 0, 0},
    {AG_POST, "/cart/items", web_cart_add, AG_AUTH_NONE, FORM_MAX, 0},
    {AG_POST, "/cart/items/{pid}", web_cart_update, AG_AUTH_NONE, FORM_MAX, 0},
    {AG_POST, "/cart/items/{pid}/remove", web_cart_remove, AG_AUTH_NONE, FORM_MAX, 0},
    {AG_GET, "/checkout", web_checkout, AG_AUTH_NONE, 0, 0},
    {AG_POST, "/checkout", web_checkout_submit, AG_AUTH_NONE, FORM_MAX, 0},
    {AG_GET, "/orders", web_orders, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/orders/{id}", web_order, AG_AUTH_NONE, 0, 0},
    {AG_POST, "/orders/{id}/cancel", web_order_cancel, AG_AUTH_NONE, FORM_MAX, 0},
    {AG_GET, "/account", web_account, AG_AUTH_NONE, 0, 0},
    {AG_POST, "/account/profile", web_account_profile, AG_AUTH_NONE, FORM_MAX, 0},
    {AG_POST, "/account/password", web_account_password, AG_AUTH_NONE, FORM_MAX, 0},
    {AG_POST, "/account/addresses", web_account_address_add, AG_AUTH_NONE, FORM_MAX, 0},
    {AG_POST, "/account/addresses/{aid}/delete", web_account_address_delete, AG_AUTH_NONE, FORM_MAX,
     0},
    {AG_POST, "/account/sessions/{sid}/delete", web_account_session_delete, AG_AUTH_NONE, FORM_MAX,
     0},
    {AG_GET, "/admin", web_admin, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/admin/products", web_admin_products, AG_AUTH_NONE, 0, 0},
    {AG_POST, "/admin/products", web_admin_product_create, AG_AUTH_NONE, ADMIN_FORM_MAX, 0},
    {AG_GET, "/admin/products/new", web_admin_product_new, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/admin/products/{id}", web_admin_product, AG_AUTH_NONE, 0, 0},
    {AG_POST, "/admin/products/{id}", web_admin_product_update, AG_AUTH_NONE, ADMIN_FORM_MAX, 0},
    {AG_POST, "/admin/products/{id}/stock", web_admin_product_stock, AG_AUTH_NONE, FORM_MAX, 0},
    {AG_POST, "/admin/products/{id}/archive", web_admin_product_archive, AG_AUTH_NONE, FORM_MAX, 0},
    {AG_GET, "/admin/categories", web_admin_categories, AG_AUTH_NONE, 0, 0},
    {AG_POST, "/admin/categories", web_admin_category_create, AG_AUTH_NONE, FORM_MAX, 0},
    {AG_POST, "/admin/categories/{id}", web_admin_category_update, AG_AUTH_NONE, FORM_MAX, 0},
    {AG_POST, "/admin/categories/{id}/delete", web_admin_category_delete, AG_AUTH_NONE, FORM_MAX,
     0},
    {AG_GET, "/admin/orders", web_admin_orders, AG_AUTH_NONE, 0, 0},
    {AG_POST, "/admin/orders/{id}/{action}", web_admin_order_action, AG_AUTH_NONE, FORM_MAX, 0},
    {AG_GET, "/static/{file*}", asset, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/api/{path*}", web_bff, AG_AUTH_NONE, 0, 0},
    {AG_POST, "/api/{path*}", web_bff, AG_AUTH_NONE, 65536, 0},
    {AG_PUT, "/api/{path*}", web_bff, AG_AUTH_NONE, 65536, 0},
    {AG_PATCH, "/api/{path*}", web_bff, AG_AUTH_NONE, 65536, 0},
    {AG_DELETE, "/api/{path*}", web_bff, AG_AUTH_NONE, 65536, 0},
};
const size_t web_nroutes = sizeof(web_routes) / sizeof(web_routes[0]);

const struct ag_route web_fallback = {AG_GET, "/*", web_not_found, AG_AUTH_NONE, 0, 0};
