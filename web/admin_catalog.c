/*
 * The catalog's product admin pages (admins only): a list with a search box and a status
 * filter, a form to make one, a form to edit one with its stock and archiving (the category
 * tree is admin_categories.c, the shared helpers admin_forms.c). Every form is a plain POST with
 * the CSRF token and an idempotency key made when the form was rendered, so that a double submit
 * makes one change. Success sends the browser back to the page with a notice (Post/Redirect/Get); a
 * refusal shows the form again with the catalog's reason next to its field and the values as
 * entered. A product written here is dropped from this process's product cache at once.
 */
#include "web.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agora/err.h"
#include "agora/log.h"

#define LIST_SIZE      20
#define LIST_MAX_PAGE  10000
#define MAX_IMAGES     20
#define MAX_ATTRIBUTES 30

static const char *const statuses[] = {"active", "draft", "archived"};
#define NSTATUSES (sizeof(statuses) / sizeof(statuses[0]))

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
    json_t *data = web_admin_fetch(
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
void
web_admin_saved_notice(struct ag_req *req, const struct web_visit *v, json_t *d,
                       const char *const *known, size_t n, const char *prefix)
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
    json_object_set_new(d, "stock_idem", web_admin_idem_new());
    json_object_set_new(d, "archive_idem", web_admin_idem_new());
    web_admin_saved_notice(req, v, d, known, sizeof(known) / sizeof(known[0]), "admin_saved_");
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
        product = web_admin_fetch(req, v, ag_arena_printf(req->arena, "/api/products/%s", id), &st);
        if (product == NULL) {
            json_decref(values);
            json_decref(errors);
            json_decref(stock_errors);
            return product_unread(req, v, st);
        }
    }
    json_t *tree = web_admin_fetch(req, v, "/api/categories", &st);
    json_t *d = web_page_data(req, v, id != NULL ? "admin_product_title" : "admin_new_title");
    if (values == NULL) {
        values = product != NULL ? values_of_product(req, product)
                                 : json_pack("{s:s}", "status", "draft");
    }
    const char *chosen_status = json_string_value(json_object_get(values, "status"));
    const char *chosen_cat = json_string_value(json_object_get(values, "category"));
    json_object_set_new(d, "statuses",
                        status_options(req, v, chosen_status ? chosen_status : "draft", 0));
    json_object_set_new(d, "categories", web_admin_category_options(req, tree, chosen_cat, 3));
    json_object_set_new(d, "values", values);
    json_object_set_new(d, "errors", errors != NULL ? errors : json_object());
    json_object_set_new(d, "idem", web_admin_idem_new());
    json_object_set_new(d, "product", json_null());
    if (product != NULL) {
        json_t *stock =
            web_admin_fetch(req, v, ag_arena_printf(req->arena, "/api/products/%s/stock", id), &st);
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
    const char *id = web_admin_id_param(req);
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
void
web_admin_optional_text(struct ag_req *req, const struct ag_uri *f, json_t *body, const char *name,
                        int create)
{
    const char *s = web_admin_field(req, f, name);
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

    if (web_admin_number_of(web_admin_field(req, f, "price"), &n) == 0) {
        json_object_set_new(body, "price", json_integer(n));
    } else {
        json_object_set_new(errors, "price", json_string(web_text(req, v, "admin_invalid_price")));
    }
    const char *sale = web_admin_field(req, f, "salePrice");
    if (sale[0] == '\0') {
        if (!create) {
            json_object_set_new(body, "salePrice", json_null());
        }
    } else if (web_admin_number_of(sale, &n) == 0) {
        json_object_set_new(body, "salePrice", json_integer(n));
    } else {
        json_object_set_new(errors, "salePrice",
                            json_string(web_text(req, v, "admin_invalid_saleprice")));
    }
    const char *stock = web_admin_field(req, f, "stock");
    if (create && stock[0] != '\0' && web_admin_number_of(stock, &n) == 0) {
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
        json_object_set_new(body, texts[i], json_string(web_admin_field(req, f, texts[i])));
    }
    web_admin_optional_text(req, f, body, "nameEn", create);
    web_admin_optional_text(req, f, body, "category", create);
    product_numbers(req, v, f, create, body, errors);
    json_t *images = images_of(web_admin_field(req, f, "images"));
    if (json_array_size(images) > MAX_IMAGES) {
        json_object_set_new(errors, "images",
                            json_string(web_text(req, v, "admin_invalid_images")));
    }
    json_object_set_new(body, "images", images);
    json_t *attrs = attributes_of(web_admin_field(req, f, "attributes"));
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
    web_admin_errors_from(req, v, rc, resp, errors);
    int code = web_admin_refused_status(rc, resp);
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
    rc = web_admin_write(req, &v, "POST", "/api/products", body, ag_form_get(&f, "idem"), &resp);
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

    const char *id = web_admin_id_param(req);
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
    rc = web_admin_write(req, &v, "PATCH", ag_arena_printf(req->arena, "/api/products/%s", id),
                         body, ag_form_get(&f, "idem"), &resp);
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

    const char *id = web_admin_id_param(req);
    if (id == NULL) {
        return web_not_found(req);
    }
    int rc = web_admin_or_reply(req, &v, &f);
    if (rc < 0) {
        return rc;
    }
    const char *entered = web_admin_field(req, &f, "onHand");
    if (web_admin_number_of(entered, &n) < 0) {
        return product_page(req, &v, 400, id, NULL, NULL,
                            json_pack("{s:s,s:s}", "onHand",
                                      web_text(req, &v, "admin_invalid_onhand"), "value", entered));
    }
    json_t *body = json_pack("{s:I}", "onHand", (json_int_t)n);
    rc = web_admin_write(req, &v, "PUT", ag_arena_printf(req->arena, "/api/products/%s/stock", id),
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
        web_admin_errors_from(req, &v, rc, &resp, errors);
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

    const char *id = web_admin_id_param(req);
    if (id == NULL) {
        return web_not_found(req);
    }
    int rc = web_admin_or_reply(req, &v, &f);
    if (rc < 0) {
        return rc;
    }
    rc = web_admin_write(req, &v, "DELETE", ag_arena_printf(req->arena, "/api/products/%s", id),
                         NULL, ag_form_get(&f, "idem"), &resp);
    return product_answer(req, &v, rc, &resp, id, "archived", NULL, 0);
}
