/*
 * The catalog's admin pages (admins only): the products (a list with a search box and a
 * status filter, a form to make one, a form to edit one with its stock and archiving) and the
 * category tree (make, rename, reorder, delete). Every form is a plain POST with the CSRF
 * token and an idempotency key made when the form was rendered, so that a double submit makes
 * one change. Success sends the browser back to the page with a notice (Post/Redirect/Get); a
 * refusal shows the form again with the catalog's reason next to its field and the values as
 * entered. A product written here is dropped from this process's product cache at once.
 */
#include "web.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agora/err.h"
#include "agora/log.h"

#define LIST_SIZE      20
#define LIST_MAX_PAGE  10000
#define MAX_DIGITS     12
#define MAX_IMAGES     20
#define MAX_ATTRIBUTES 30
#define INFLIGHT_TRIES 20 /* a double submit: wait for the first request's answer */
#define INFLIGHT_MS    150
#define ID_MAX         18

static const char *const statuses[] = {"active", "draft", "archived"};
#define NSTATUSES (sizeof(statuses) / sizeof(statuses[0]))

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

static void
sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* A write through the gateway as the admin; waits out a duplicate still in flight. */
static int
admin_write(struct ag_req *req, struct web_visit *v, const char *method, const char *path,
            const json_t *body, const char *idem, struct ag_httpc_resp *resp)
{
    int rc = 0;
    if (idem != NULL && ag_idem_key_valid(idem) < 0) {
        idem = NULL;
    }
    for (int i = 0; i < INFLIGHT_TRIES; i++) {
        rc = web_api_call(req, v, method, path, body, idem, resp);
        const char *code =
            json_string_value(json_object_get(json_object_get(resp->json, "error"), "code"));
        if (rc != 0 || resp->status != 409 || code == NULL || strcmp(code, "BIZ_3003") != 0) {
            break;
        }
        ag_httpc_resp_release(resp);
        sleep_ms(INFLIGHT_MS);
    }
    return rc;
}

/* GET of 'path' as the admin: the answer's data (a new reference), or NULL with '*status'. */
static json_t *
admin_fetch(struct ag_req *req, struct web_visit *v, const char *path, long *status)
{
    struct ag_httpc_resp resp;
    int rc = web_api_call(req, v, "GET", path, NULL, NULL, &resp);
    *status = rc == 0 ? resp.status : 503;
    json_t *data = *status == 200 ? json_incref(json_object_get(resp.json, "data")) : NULL;
    ag_httpc_resp_release(&resp);
    return data;
}

/* A new idempotency key for a form. */
static json_t *
idem_new(void)
{
    char idem[WEB_IDEM_HEX + 1];
    web_random_hex(idem, WEB_IDEM_HEX / 2);
    return json_string(idem);
}

/* The {id} of the path: 1..ID_MAX digits, else NULL. */
static const char *
id_param(struct ag_req *req)
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
static const char *
field(struct ag_req *req, const struct ag_uri *f, const char *name)
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
static int
number_of(const char *s, long long *out)
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
static void
errors_from(struct ag_req *req, const struct web_visit *v, int rc, const struct ag_httpc_resp *resp,
            json_t *errors)
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
static int
refused_status(int rc, const struct ag_httpc_resp *resp)
{
    return rc == 0 && resp->status >= 400 && resp->status < 500 ? (int)resp->status : 503;
}

/* The categories of the tree as select options (indented by depth), 'chosen' selected. */
static json_t *
category_options(struct ag_req *req, const json_t *tree, const char *chosen, int max_depth)
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

static json_t *
status_options(struct ag_req *req, const struct web_visit *v, const char *chosen, int with_all)
{
    json_t *out = json_array();
    if (with_all) {
        json_array_append_new(out, json_pack("{s:s,s:s,s:b}", "value", "all", "label",
                                             web_text(req, v, "admin_status_all"), "selected",
                                             strcmp(chosen, "all") == 0));
    }
    for (size_t i = 0; i < NSTATUSES; i++) {
        const char *key = ag_arena_printf(req->arena, "admin_status_%s", statuses[i]);
        json_array_append_new(out, json_pack("{s:s,s:s,s:b}", "value", statuses[i], "label",
                                             web_text(req, v, key), "selected",
                                             strcmp(chosen, statuses[i]) == 0));
    }
    return out;
}

/* ---- the product list ---- */

static json_t *
product_row(struct ag_req *req, const struct web_visit *v, const json_t *p)
{
    json_int_t id = json_integer_value(json_object_get(p, "id"));
    const char *status = json_string_value(json_object_get(p, "status"));
    const char *currency = json_string_value(json_object_get(p, "currency"));
    const json_t *sale = json_object_get(p, "salePrice");
    json_t *row = json_pack(
        "{s:I,s:s,s:s,s:s,s:s,s:I}", "id", id, "href",
        ag_arena_printf(req->arena, "/admin/products/%lld", (long long)id), "name",
        web_name_of(v, p), "slug", json_string_value(json_object_get(p, "slug")), "price",
        web_price_text(req, v, json_integer_value(json_object_get(p, "price")), currency),
        "available", json_integer_value(json_object_get(json_object_get(p, "stock"), "available")));
    json_object_set_new(row, "sale",
                        json_is_integer(sale) ? json_string(web_price_text(
                                                    req, v, json_integer_value(sale), currency))
                                              : json_false());
    const char *key = ag_arena_printf(req->arena, "admin_status_%s", status ? status : "draft");
    json_object_set_new(row, "status", json_string(web_text(req, v, key)));
    json_object_set_new(row, "status_class", json_string(status ? status : "draft"));
    return row;
}

/* The rows of the listing 'data' and its pager (links 'base' + page number) into 'd'. */
static void
list_view(struct ag_req *req, const struct web_visit *v, const json_t *data, const char *base,
          long page, json_t *d)
{
    json_t *rows = json_array();
    size_t i;
    json_t *item;

    json_array_foreach(json_object_get(data, "items"), i, item)
    {
        json_array_append_new(rows, product_row(req, v, item));
    }
    json_int_t pages = json_integer_value(json_object_get(data, "pages"));
    json_object_set_new(d, "rows", rows);
    json_object_set_new(d, "total",
                        json_integer(json_integer_value(json_object_get(data, "total"))));
    json_object_set_new(d, "page", json_integer(page));
    json_object_set_new(d, "pages", json_integer(pages > 0 ? pages : 1));
    if (page > 1) {
        json_object_set_new(d, "prev",
                            json_string(ag_arena_printf(req->arena, "%s%ld", base, page - 1)));
    }
    if (page < pages) {
        json_object_set_new(d, "next",
                            json_string(ag_arena_printf(req->arena, "%s%ld", base, page + 1)));
    }
}

/* GET /admin/products[?q=&status=all|active|draft|archived&page=] */
int
web_admin_products(struct ag_req *req)
{
    struct web_visit v;
    long st = 0;

    int rc = web_admin_or_reply(req, &v, NULL);
    if (rc < 0) {
        return rc;
    }
    const char *q = ag_req_query(req, "q");
    const char *status = ag_req_query(req, "status");
    if (status == NULL || (strcmp(status, "active") != 0 && strcmp(status, "draft") != 0 &&
                           strcmp(status, "archived") != 0)) {
        status = "all";
    }
    q = q != NULL && q[0] != '\0' && strlen(q) <= 200 ? q : NULL;
    const char *p = ag_req_query(req, "page");
    long page = p != NULL ? strtol(p, NULL, 10) : 1;
    page = page >= 1 && page <= LIST_MAX_PAGE ? page : 1;
    const char *args = ag_arena_printf(req->arena, "status=%s%s%s", status, q != NULL ? "&q=" : "",
                                       q != NULL ? web_query_escape(req->arena, q) : "");
    json_t *data = admin_fetch(
        req, &v,
        ag_arena_printf(req->arena, "/api/products?%s&size=%d&page=%ld", args, LIST_SIZE, page),
        &st);
    json_t *d = web_page_data(req, &v, "admin_products_title");
    if (data == NULL) {
        json_object_set_new(d, "message", json_string(web_text(req, &v, "error_unavailable")));
        return web_page_reply(req, 503, "error", d);
    }
    json_object_set_new(d, "q", json_string(q != NULL ? q : ""));
    json_object_set_new(d, "statuses", status_options(req, &v, status, 1));
    list_view(req, &v, data, ag_arena_printf(req->arena, "/admin/products?%s&page=", args), page,
              d);
    json_decref(data);
    return web_page_reply(req, 200, "admin-products", d);
}

/* ---- one product: the form to make or edit it, its stock ---- */

/* The form's values of product 'p' as the catalog answered it. */
static json_t *
values_of_product(struct ag_req *req, const json_t *p)
{
    const char *text_keys[] = {"slug",          "name",  "nameEn", "description",
                               "descriptionEn", "brand", "status"};
    json_t *values = json_object();
    for (size_t i = 0; i < sizeof(text_keys) / sizeof(text_keys[0]); i++) {
        const char *s = json_string_value(json_object_get(p, text_keys[i]));
        json_object_set_new(values, text_keys[i], json_string(s != NULL ? s : ""));
    }
    json_object_set_new(
        values, "price",
        json_string(ag_arena_printf(req->arena, "%lld",
                                    (long long)json_integer_value(json_object_get(p, "price")))));
    const json_t *sale = json_object_get(p, "salePrice");
    json_object_set_new(
        values, "salePrice",
        json_string(json_is_integer(sale)
                        ? ag_arena_printf(req->arena, "%lld", (long long)json_integer_value(sale))
                        : ""));
    const char *cat = json_string_value(json_object_get(json_object_get(p, "category"), "slug"));
    json_object_set_new(values, "category", json_string(cat != NULL ? cat : ""));
    const char *images = "";
    size_t i;
    json_t *img;
    json_array_foreach(json_object_get(p, "images"), i, img)
    {
        images = ag_arena_printf(req->arena, "%s%s%s", images, i > 0 ? "\n" : "",
                                 json_string_value(img) ? json_string_value(img) : "");
    }
    json_object_set_new(values, "images", json_string(images));
    const char *attrs = "", *key;
    json_t *val;
    json_object_foreach((json_t *)(uintptr_t)json_object_get(p, "attributes"), key, val)
    {
        attrs = ag_arena_printf(req->arena, "%s%s%s=%s", attrs, attrs[0] != '\0' ? "\n" : "", key,
                                json_string_value(val) ? json_string_value(val) : "");
    }
    json_object_set_new(values, "attributes", json_string(attrs));
    json_object_set_new(values, "stock", json_string(""));
    return values;
}

/* The form's values as entered. */
static json_t *
values_of_form(const struct ag_uri *f)
{
    static const char *const keys[] = {
        "slug",      "name",   "nameEn",   "description", "descriptionEn", "brand", "price",
        "salePrice", "status", "category", "images",      "attributes",    "stock"};
    json_t *values = json_object();
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *s = ag_form_get(f, keys[i]);
        json_object_set_new(values, keys[i], json_string(s != NULL ? s : ""));
    }
    return values;
}

/* The notice of ?saved=<one of 'known'>: the text '<prefix><it>'. */
static void
saved_notice(struct ag_req *req, const struct web_visit *v, json_t *d, const char *const *known,
             size_t n, const char *prefix)
{
    const char *saved = ag_req_query(req, "saved");
    for (size_t i = 0; saved != NULL && i < n; i++) {
        if (strcmp(saved, known[i]) == 0) {
            const char *key = ag_arena_printf(req->arena, "%s%s", prefix, known[i]);
            json_object_set_new(d, "saved", json_string(web_text(req, v, key)));
        }
    }
}

/* What the edit page adds for product 'p' (borrowed): its links, stock and their forms. */
static void
edit_view(struct ag_req *req, const struct web_visit *v, const char *id, const json_t *p,
          json_t *stock, json_t *stock_errors, json_t *d)
{
    static const char *const known[] = {"created", "product", "stock", "archived"};
    const char *slug = json_string_value(json_object_get(p, "slug"));

    json_object_set_new(
        d, "product",
        json_pack("{s:O,s:s,s:s,s:s}", "id", json_object_get(p, "id"), "name", web_name_of(v, p),
                  "action", ag_arena_printf(req->arena, "/admin/products/%s", id), "href",
                  ag_arena_printf(req->arena, "/products/%s", slug != NULL ? slug : id)));
    json_object_set_new(d, "title", json_string(web_name_of(v, p)));
    json_object_set_new(d, "stock", stock != NULL ? stock : json_null());
    json_object_set_new(d, "stock_errors", stock_errors != NULL ? stock_errors : json_object());
    json_object_set_new(d, "stock_idem", idem_new());
    json_object_set_new(d, "archive_idem", idem_new());
    saved_notice(req, v, d, known, sizeof(known) / sizeof(known[0]), "admin_saved_");
}

/* The product 'id' could not be read: 404, or 503. */
static int
product_unread(struct ag_req *req, struct web_visit *v, long status)
{
    if (status == 404) {
        return web_missing_page(req, v, 404, "product_missing_heading", "admin_product_missing");
    }
    json_t *d = web_page_data(req, v, "error_title");
    json_object_set_new(d, "message", json_string(web_text(req, v, "error_unavailable")));
    return web_page_reply(req, 503, "error", d);
}

/*
 * Renders the product form: a new one ('id' NULL) or product 'id' with its stock. 'values'
 * and 'errors' (stolen, may be NULL) come from a refused post, 'stock_errors' (stolen, may be
 * NULL) from a refused stock form; otherwise the form shows the product as it is.
 */
static int
product_page(struct ag_req *req, struct web_visit *v, int status, const char *id, json_t *values,
             json_t *errors, json_t *stock_errors)
{
    long st = 0;
    json_t *product = NULL;

    if (id != NULL) {
        product = admin_fetch(req, v, ag_arena_printf(req->arena, "/api/products/%s", id), &st);
        if (product == NULL) {
            json_decref(values);
            json_decref(errors);
            json_decref(stock_errors);
            return product_unread(req, v, st);
        }
    }
    json_t *tree = admin_fetch(req, v, "/api/categories", &st);
    json_t *d = web_page_data(req, v, id != NULL ? "admin_product_title" : "admin_new_title");
    if (values == NULL) {
        values = product != NULL ? values_of_product(req, product)
                                 : json_pack("{s:s}", "status", "draft");
    }
    const char *chosen_status = json_string_value(json_object_get(values, "status"));
    const char *chosen_cat = json_string_value(json_object_get(values, "category"));
    json_object_set_new(d, "statuses",
                        status_options(req, v, chosen_status ? chosen_status : "draft", 0));
    json_object_set_new(d, "categories", category_options(req, tree, chosen_cat, 3));
    json_object_set_new(d, "values", values);
    json_object_set_new(d, "errors", errors != NULL ? errors : json_object());
    json_object_set_new(d, "idem", idem_new());
    json_object_set_new(d, "product", json_null());
    if (product != NULL) {
        json_t *stock =
            admin_fetch(req, v, ag_arena_printf(req->arena, "/api/products/%s/stock", id), &st);
        edit_view(req, v, id, product, stock, stock_errors, d);
    } else {
        json_decref(stock_errors);
    }
    json_decref(product);
    json_decref(tree);
    return web_page_reply(req, status, "admin-product", d);
}

/* GET /admin/products/new */
int
web_admin_product_new(struct ag_req *req)
{
    struct web_visit v;
    int rc = web_admin_or_reply(req, &v, NULL);
    if (rc < 0) {
        return rc;
    }
    return product_page(req, &v, 200, NULL, NULL, NULL, NULL);
}

/* GET /admin/products/{id}[?saved=created|product|stock|archived] */
int
web_admin_product(struct ag_req *req)
{
    struct web_visit v;
    const char *id = id_param(req);
    if (id == NULL) {
        return web_not_found(req);
    }
    int rc = web_admin_or_reply(req, &v, NULL);
    if (rc < 0) {
        return rc;
    }
    return product_page(req, &v, 200, id, NULL, NULL, NULL);
}

/* Lines of the images field as an array of URLs. */
static json_t *
images_of(const char *text)
{
    json_t *out = json_array();
    for (const char *p = text; *p != '\0';) {
        size_t n = strcspn(p, "\r\n");
        size_t a = 0, b = n;
        while (a < b && (p[a] == ' ' || p[a] == '\t')) {
            a++;
        }
        while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\t')) {
            b--;
        }
        if (b > a) {
            json_array_append_new(out, json_stringn(p + a, b - a));
        }
        p += n;
        p += strspn(p, "\r\n");
    }
    return out;
}

/* Lines of name=value of the attributes field as an object; NULL when a line has no '='. */
static json_t *
attributes_of(const char *text)
{
    json_t *out = json_object();
    for (const char *p = text; *p != '\0';) {
        size_t n = strcspn(p, "\r\n");
        const char *eq = memchr(p, '=', n);
        size_t a = 0, b = n;
        while (a < b && (p[a] == ' ' || p[a] == '\t')) {
            a++;
        }
        if (a < b && (eq == NULL || eq == p + a)) {
            json_decref(out);
            return NULL;
        }
        if (a < b) {
            size_t k = (size_t)(eq - p), v = k + 1;
            while (k > a && (p[k - 1] == ' ' || p[k - 1] == '\t')) {
                k--;
            }
            while (v < b && (p[v] == ' ' || p[v] == '\t')) {
                v++;
            }
            while (b > v && (p[b - 1] == ' ' || p[b - 1] == '\t')) {
                b--;
            }
            char key[256];
            snprintf(key, sizeof(key), "%.*s", (int)(k - a), p + a);
            json_object_set_new(out, key, json_stringn(p + v, b - v));
        }
        p += n;
        p += strspn(p, "\r\n");
    }
    return out;
}

/* Adds the optional text 'name' of the form: "" is null on an edit and left out on a create. */
static void
optional_text(struct ag_req *req, const struct ag_uri *f, json_t *body, const char *name,
              int create)
{
    const char *s = field(req, f, name);
    if (s[0] != '\0') {
        json_object_set_new(body, name, json_string(s));
    } else if (!create) {
        json_object_set_new(body, name, json_null());
    }
}

/* The numbers of the product form into 'body': price, sale price, initial stock. */
static void
product_numbers(struct ag_req *req, const struct web_visit *v, const struct ag_uri *f, int create,
                json_t *body, json_t *errors)
{
    long long n;

    if (number_of(field(req, f, "price"), &n) == 0) {
        json_object_set_new(body, "price", json_integer(n));
    } else {
        json_object_set_new(errors, "price", json_string(web_text(req, v, "admin_invalid_price")));
    }
    const char *sale = field(req, f, "salePrice");
    if (sale[0] == '\0') {
        if (!create) {
            json_object_set_new(body, "salePrice", json_null());
        }
    } else if (number_of(sale, &n) == 0) {
        json_object_set_new(body, "salePrice", json_integer(n));
    } else {
        json_object_set_new(errors, "salePrice",
                            json_string(web_text(req, v, "admin_invalid_saleprice")));
    }
    const char *stock = field(req, f, "stock");
    if (create && stock[0] != '\0' && number_of(stock, &n) == 0) {
        json_object_set_new(body, "stock", json_integer(n));
    } else if (create && stock[0] != '\0') {
        json_object_set_new(errors, "stock", json_string(web_text(req, v, "admin_invalid_onhand")));
    }
}

/*
 * The catalog's JSON of the product form; checks what the catalog cannot (numbers, lines):
 * NULL with the field's error in 'errors'.
 */
static json_t *
product_body(struct ag_req *req, const struct web_visit *v, const struct ag_uri *f, int create,
             json_t *errors)
{
    static const char *const texts[] = {"slug",          "name",  "description",
                                        "descriptionEn", "brand", "status"};
    json_t *body = json_object();

    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        json_object_set_new(body, texts[i], json_string(field(req, f, texts[i])));
    }
    optional_text(req, f, body, "nameEn", create);
    optional_text(req, f, body, "category", create);
    product_numbers(req, v, f, create, body, errors);
    json_t *images = images_of(field(req, f, "images"));
    if (json_array_size(images) > MAX_IMAGES) {
        json_object_set_new(errors, "images",
                            json_string(web_text(req, v, "admin_invalid_images")));
    }
    json_object_set_new(body, "images", images);
    json_t *attrs = attributes_of(field(req, f, "attributes"));
    if (attrs == NULL || json_object_size(attrs) > MAX_ATTRIBUTES) {
        json_object_set_new(errors, "attributes",
                            json_string(web_text(req, v, "admin_invalid_attributes")));
    }
    json_object_set_new(body, "attributes", attrs != NULL ? attrs : json_object());
    if (json_object_size(errors) > 0) {
        json_object_set_new(errors, "alert", json_string(web_text(req, v, "error_form")));
        json_decref(body);
        return NULL;
    }
    return body;
}

/*
 * After a product write: the product leaves the cache and the browser goes to its page with
 * 'saved'; a refusal shows the page again, with the values of the product form 'f' (NULL for
 * the stock and archive forms; 'stock' puts the error in the stock form). 'id' is NULL for a
 * create.
 */
static int
product_answer(struct ag_req *req, struct web_visit *v, int rc, struct ag_httpc_resp *resp,
               const char *id, const char *saved, const struct ag_uri *f, int stock)
{
    struct web_app *app = req->app;
    long status = rc == 0 ? resp->status : 503;
    json_t *p = status / 100 == 2 ? json_object_get(resp->json, "data") : NULL;

    if (p != NULL) {
        json_int_t pid = json_integer_value(json_object_get(p, "id"));
        web_product_forget(app, pid, json_string_value(json_object_get(p, "slug")));
        ag_httpc_resp_release(resp);
        return web_redirect(req, ag_arena_printf(req->arena, "/admin/products/%lld?saved=%s",
                                                 (long long)pid, saved));
    }
    if (status == 401) {
        ag_httpc_resp_release(resp);
        return web_redirect(req, "/login?next=/admin/products"); /* the session has ended */
    }
    if (status == 403) {
        ag_httpc_resp_release(resp);
        json_t *d = web_page_data(req, v, "error_title");
        json_object_set_new(d, "message", json_string(web_text(req, v, "admin_only")));
        return web_page_reply(req, 403, "error", d);
    }
    if (status == 404 && id != NULL) {
        ag_httpc_resp_release(resp);
        return web_missing_page(req, v, 404, "product_missing_heading", "admin_product_missing");
    }
    json_t *errors = json_object();
    errors_from(req, v, rc, resp, errors);
    int code = refused_status(rc, resp);
    ag_httpc_resp_release(resp);
    return product_page(req, v, code, id, f != NULL ? values_of_form(f) : NULL,
                        stock ? NULL : errors, stock ? errors : NULL);
}

/* POST /admin/products: the new product's fields, _csrf, idem */
int
web_admin_product_create(struct ag_req *req)
{
    struct web_visit v;
    struct ag_uri f;
    struct ag_httpc_resp resp;

    int rc = web_admin_or_reply(req, &v, &f);
    if (rc < 0) {
        return rc;
    }
    json_t *errors = json_object();
    json_t *body = product_body(req, &v, &f, 1, errors);
    if (body == NULL) {
        return product_page(req, &v, 400, NULL, values_of_form(&f), errors, NULL);
    }
    json_decref(errors);
    rc = admin_write(req, &v, "POST", "/api/products", body, ag_form_get(&f, "idem"), &resp);
    json_decref(body);
    return product_answer(req, &v, rc, &resp, NULL, "created", &f, 0);
}

/* POST /admin/products/{id}: the product's fields, _csrf, idem */
int
web_admin_product_update(struct ag_req *req)
{
    struct web_visit v;
    struct ag_uri f;
    struct ag_httpc_resp resp;

    const char *id = id_param(req);
    if (id == NULL) {
        return web_not_found(req);
    }
    int rc = web_admin_or_reply(req, &v, &f);
    if (rc < 0) {
        return rc;
    }
    json_t *errors = json_object();
    json_t *body = product_body(req, &v, &f, 0, errors);
    if (body == NULL) {
        return product_page(req, &v, 400, id, values_of_form(&f), errors, NULL);
    }
    json_decref(errors);
    rc = admin_write(req, &v, "PATCH", ag_arena_printf(req->arena, "/api/products/%s", id), body,
                     ag_form_get(&f, "idem"), &resp);
    json_decref(body);
    return product_answer(req, &v, rc, &resp, id, "product", &f, 0);
}

/* POST /admin/products/{id}/stock: onHand, _csrf, idem */
int
web_admin_product_stock(struct ag_req *req)
{
    struct web_app *app = req->app;
    struct web_visit v;
    struct ag_uri f;
    struct ag_httpc_resp resp;
    long long n;

    const char *id = id_param(req);
    if (id == NULL) {
        return web_not_found(req);
    }
    int rc = web_admin_or_reply(req, &v, &f);
    if (rc < 0) {
        return rc;
    }
    const char *entered = field(req, &f, "onHand");
    if (number_of(entered, &n) < 0) {
        return product_page(req, &v, 400, id, NULL, NULL,
                            json_pack("{s:s,s:s}", "onHand",
                                      web_text(req, &v, "admin_invalid_onhand"), "value", entered));
    }
    json_t *body = json_pack("{s:I}", "onHand", (json_int_t)n);
    rc = admin_write(req, &v, "PUT", ag_arena_printf(req->arena, "/api/products/%s/stock", id),
                     body, ag_form_get(&f, "idem"), &resp);
    json_decref(body);
    if (rc == 0 && resp.status == 200) {
        ag_httpc_resp_release(&resp);
        web_product_forget(app, strtoll(id, NULL, 10), NULL);
        return web_redirect(
            req, ag_arena_printf(req->arena, "/admin/products/%s?saved=stock#stock", id));
    }
    if (rc == 0 && (resp.status == 400 || resp.status == 409 || resp.status == 422)) {
        json_t *errors = json_pack("{s:s}", "value", entered);
        errors_from(req, &v, rc, &resp, errors);
        int code = (int)resp.status;
        ag_httpc_resp_release(&resp);
        return product_page(req, &v, code, id, NULL, NULL, errors);
    }
    return product_answer(req, &v, rc, &resp, id, "stock", NULL, 1);
}

/* POST /admin/products/{id}/archive: _csrf, idem */
int
web_admin_product_archive(struct ag_req *req)
{
    struct web_visit v;
    struct ag_uri f;
    struct ag_httpc_resp resp;

    const char *id = id_param(req);
    if (id == NULL) {
        return web_not_found(req);
    }
    int rc = web_admin_or_reply(req, &v, &f);
    if (rc < 0) {
        return rc;
    }
    rc = admin_write(req, &v, "DELETE", ag_arena_printf(req->arena, "/api/products/%s", id), NULL,
                     ag_form_get(&f, "idem"), &resp);
    return product_answer(req, &v, rc, &resp, id, "archived", NULL, 0);
}

/* ---- the category tree ---- */

/* One category of the tree with its forms; 'error' the message for it (may be NULL). */
static json_t *
category_node(struct ag_req *req, const json_t *c, json_int_t error_id, const char *error)
{
    json_int_t id = json_integer_value(json_object_get(c, "id"));
    const char *name_en = json_string_value(json_object_get(c, "nameEn"));
    json_t *node = json_pack(
        "{s:I,s:s?,s:s?,s:s,s:I,s:I,s:o}", "id", id, "slug",
        json_string_value(json_object_get(c, "slug")), "name",
        json_string_value(json_object_get(c, "name")), "nameEn", name_en != NULL ? name_en : "",
        "position", json_integer_value(json_object_get(c, "position")), "count",
        json_integer_value(json_object_get(c, "productCount")), "idem", idem_new());
    json_object_set_new(
        node, "action",
        json_string(ag_arena_printf(req->arena, "/admin/categories/%lld", (long long)id)));
    json_object_set_new(node, "error",
                        error != NULL && id == error_id ? json_string(error) : json_null());
    json_object_set_new(node, "delete_idem", idem_new());
    json_object_set_new(node, "children", json_array());
    json_object_set_new(node, "has_children", json_false());
    return node;
}

/* The tree as the page shows it: three levels of nodes, each with its forms. */
static json_t *
tree_view(struct ag_req *req, const json_t *tree, json_int_t error_id, const char *error)
{
    json_t *out = json_array();
    size_t i, j, k;
    json_t *a, *b, *c;

    json_array_foreach(tree, i, a)
    {
        json_t *na = category_node(req, a, error_id, error);
        json_array_foreach(json_object_get(a, "children"), j, b)
        {
            json_t *nb = category_node(req, b, error_id, error);
            json_array_foreach(json_object_get(b, "children"), k, c)
            {
                json_array_append_new(json_object_get(nb, "children"),
                                      category_node(req, c, error_id, error));
                json_object_set_new(nb, "has_children", json_true());
            }
            json_array_append_new(json_object_get(na, "children"), nb);
            json_object_set_new(na, "has_children", json_true());
        }
        json_array_append_new(out, na);
    }
    return out;
}

/*
 * Renders the category page with 'status'; 'values' and 'errors' (stolen, may be NULL) are a
 * refused create's, 'error' a refused change of category 'error_id'.
 */
static int
categories_page(struct ag_req *req, struct web_visit *v, int status, json_t *values, json_t *errors,
                json_int_t error_id, const char *error)
{
    long st = 0;
    json_t *tree = admin_fetch(req, v, "/api/categories", &st);
    json_t *d = web_page_data(req, v, "admin_categories_title");
    if (tree == NULL) {
        json_decref(values);
        json_decref(errors);
        json_object_set_new(d, "message", json_string(web_text(req, v, "error_unavailable")));
        return web_page_reply(req, 503, "error", d);
    }
    const char *parent = json_string_value(json_object_get(values, "parent"));
    json_object_set_new(d, "categories", tree_view(req, tree, error_id, error));
    json_object_set_new(d, "parents", category_options(req, tree, parent, 2));
    json_object_set_new(d, "values", values != NULL ? values : json_object());
    json_object_set_new(d, "errors", errors != NULL ? errors : json_object());
    json_object_set_new(d, "idem", idem_new());
    if (error != NULL && error_id == 0) {
        json_object_set_new(d, "alert", json_string(error));
    }
    static const char *const known[] = {"created", "updated", "deleted"};
    saved_notice(req, v, d, known, sizeof(known) / sizeof(known[0]), "admin_category_");
    json_decref(tree);
    return web_page_reply(req, status, "admin-categories", d);
}

/* GET /admin/categories[?saved=created|updated|deleted] */
int
web_admin_categories(struct ag_req *req)
{
    struct web_visit v;
    int rc = web_admin_or_reply(req, &v, NULL);
    if (rc < 0) {
        return rc;
    }
    return categories_page(req, &v, 200, NULL, NULL, 0, NULL);
}

/* The body of a category form: slug, name, nameEn, position (and parent for a create). */
static json_t *
category_body(struct ag_req *req, const struct web_visit *v, const struct ag_uri *f, int create,
              json_t *errors)
{
    long long n;
    json_t *body =
        json_pack("{s:s,s:s}", "slug", field(req, f, "slug"), "name", field(req, f, "name"));
    optional_text(req, f, body, "nameEn", create);
    if (create) {
        optional_text(req, f, body, "parent", 1);
    }
    const char *position = field(req, f, "position");
    if (position[0] != '\0' && number_of(position, &n) == 0) {
        json_object_set_new(body, "position", json_integer(n));
    } else if (position[0] != '\0') {
        json_object_set_new(errors, "position",
                            json_string(web_text(req, v, "admin_invalid_position")));
        json_decref(body);
        return NULL;
    }
    return body;
}

/* POST /admin/categories: slug, name, nameEn, parent, position, _csrf, idem */
int
web_admin_category_create(struct ag_req *req)
{
    struct web_app *app = req->app;
    struct web_visit v;
    struct ag_uri f;
    struct ag_httpc_resp resp;

    int rc = web_admin_or_reply(req, &v, &f);
    if (rc < 0) {
        return rc;
    }
    json_t *values = json_pack("{s:s,s:s,s:s,s:s,s:s}", "slug", field(req, &f, "slug"), "name",
                               field(req, &f, "name"), "nameEn", field(req, &f, "nameEn"), "parent",
                               field(req, &f, "parent"), "position", field(req, &f, "position"));
    json_t *errors = json_object();
    json_t *body = category_body(req, &v, &f, 1, errors);
    if (body == NULL) {
        return categories_page(req, &v, 400, values, errors, 0, NULL);
    }
    rc = admin_write(req, &v, "POST", "/api/categories", body, ag_form_get(&f, "idem"), &resp);
    json_decref(body);
    if (rc == 0 && resp.status == 201) {
        ag_httpc_resp_release(&resp);
        json_decref(values);
        json_decref(errors);
        web_catalog_forget(app, WEB_CATALOG_TREE);
        return web_redirect(req, "/admin/categories?saved=created");
    }
    errors_from(req, &v, rc, &resp, errors);
    int code = refused_status(rc, &resp);
    ag_httpc_resp_release(&resp);
    return categories_page(req, &v, code, values, errors, 0, NULL);
}

/* After a change or a delete of category 'id': back to the tree, or the refusal next to it. */
static int
category_answer(struct ag_req *req, struct web_visit *v, int rc, struct ag_httpc_resp *resp,
                const char *id, const char *saved)
{
    struct web_app *app = req->app;
    long status = rc == 0 ? resp->status : 503;

    if (status / 100 == 2) {
        ag_httpc_resp_release(resp);
        web_catalog_forget(app, WEB_CATALOG_TREE);
        return web_redirect(req, ag_arena_printf(req->arena, "/admin/categories?saved=%s", saved));
    }
    json_t *errors = json_object();
    errors_from(req, v, rc, resp, errors);
    const char *why = json_string_value(json_object_get(errors, "alert"));
    const char *field_name = rc == 0 ? web_resp_field(resp) : NULL;
    if (field_name != NULL) {
        why = json_string_value(json_object_get(errors, field_name));
    }
    if (status == 409 && field_name == NULL) {
        why = web_text(req, v, "admin_category_not_empty");
    }
    why = ag_arena_strdup(req->arena, why != NULL ? why : web_text(req, v, "error_form"));
    json_decref(errors);
    int code = refused_status(rc, resp);
    ag_httpc_resp_release(resp);
    return categories_page(req, v, code, NULL, NULL, strtoll(id, NULL, 10), why);
}

/* POST /admin/categories/{id}: slug, name, nameEn, position, _csrf, idem */
int
web_admin_category_update(struct ag_req *req)
{
    struct web_visit v;
    struct ag_uri f;
    struct ag_httpc_resp resp;

    const char *id = id_param(req);
    if (id == NULL) {
        return web_not_found(req);
    }
    int rc = web_admin_or_reply(req, &v, &f);
    if (rc < 0) {
        return rc;
    }
    json_t *errors = json_object();
    json_t *body = category_body(req, &v, &f, 0, errors);
    if (body == NULL) {
        const char *why =
            ag_arena_strdup(req->arena, json_string_value(json_object_get(errors, "position")));
        json_decref(errors);
        return categories_page(req, &v, 400, NULL, NULL, strtoll(id, NULL, 10), why);
    }
    json_decref(errors);
    rc = admin_write(req, &v, "PATCH", ag_arena_printf(req->arena, "/api/categories/%s", id), body,
                     ag_form_get(&f, "idem"), &resp);
    json_decref(body);
    return category_answer(req, &v, rc, &resp, id, "updated");
}

/* POST /admin/categories/{id}/delete: _csrf, idem */
int
web_admin_category_delete(struct ag_req *req)
{
    struct web_visit v;
    struct ag_uri f;
    struct ag_httpc_resp resp;

    const char *id = id_param(req);
    if (id == NULL) {
        return web_not_found(req);
    }
    int rc = web_admin_or_reply(req, &v, &f);
    if (rc < 0) {
        return rc;
    }
    rc = admin_write(req, &v, "DELETE", ag_arena_printf(req->arena, "/api/categories/%s", id), NULL,
                     ag_form_get(&f, "idem"), &resp);
    return category_answer(req, &v, rc, &resp, id, "deleted");
}
