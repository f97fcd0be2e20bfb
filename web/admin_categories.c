/*
 * The catalog's category admin page: the tree with a form per category, create, rename,
 * re-position and delete, through the gateway with the admin's token.
 */
#include "web.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "agora/err.h"
#include "agora/log.h"

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
        json_integer_value(json_object_get(c, "productCount")), "idem", web_admin_idem_new());
    json_object_set_new(
        node, "action",
        json_string(ag_arena_printf(req->arena, "/admin/categories/%lld", (long long)id)));
    json_object_set_new(node, "error",
                        error != NULL && id == error_id ? json_string(error) : json_null());
    json_object_set_new(node, "delete_idem", web_admin_idem_new());
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
    json_t *tree = web_admin_fetch(req, v, "/api/categories", &st);
    json_t *d = web_page_data(req, v, "admin_categories_title");
    if (tree == NULL) {
        json_decref(values);
        json_decref(errors);
        json_object_set_new(d, "message", json_string(web_text(req, v, "error_unavailable")));
        return web_page_reply(req, 503, "error", d);
    }
    const char *parent = json_string_value(json_object_get(values, "parent"));
    json_object_set_new(d, "categories", tree_view(req, tree, error_id, error));
    json_object_set_new(d, "parents", web_admin_category_options(req, tree, parent, 2));
    json_object_set_new(d, "values", values != NULL ? values : json_object());
    json_object_set_new(d, "errors", errors != NULL ? errors : json_object());
    json_object_set_new(d, "idem", web_admin_idem_new());
    if (error != NULL && error_id == 0) {
        json_object_set_new(d, "alert", json_string(error));
    }
    static const char *const known[] = {"created", "updated", "deleted"};
    web_admin_saved_notice(req, v, d, known, sizeof(known) / sizeof(known[0]), "admin_category_");
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
    json_t *body = json_pack("{s:s,s:s}", "slug", web_admin_field(req, f, "slug"), "name",
                             web_admin_field(req, f, "name"));
    web_admin_optional_text(req, f, body, "nameEn", create);
    if (create) {
        web_admin_optional_text(req, f, body, "parent", 1);
    }
    const char *position = web_admin_field(req, f, "position");
    if (position[0] != '\0' && web_admin_number_of(position, &n) == 0) {
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
    json_t *values = json_pack(
        "{s:s,s:s,s:s,s:s,s:s}", "slug", web_admin_field(req, &f, "slug"), "name",
        web_admin_field(req, &f, "name"), "nameEn", web_admin_field(req, &f, "nameEn"), "parent",
        web_admin_field(req, &f, "parent"), "position", web_admin_field(req, &f, "position"));
    json_t *errors = json_object();
    json_t *body = category_body(req, &v, &f, 1, errors);
    if (body == NULL) {
        return categories_page(req, &v, 400, values, errors, 0, NULL);
    }
    rc = web_admin_write(req, &v, "POST", "/api/categories", body, ag_form_get(&f, "idem"), &resp);
    json_decref(body);
    if (rc == 0 && resp.status == 201) {
        ag_httpc_resp_release(&resp);
        json_decref(values);
        json_decref(errors);
        web_catalog_forget(app, WEB_CATALOG_TREE);
        return web_redirect(req, "/admin/categories?saved=created");
    }
    web_admin_errors_from(req, &v, rc, &resp, errors);
    int code = web_admin_refused_status(rc, &resp);
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
    web_admin_errors_from(req, v, rc, resp, errors);
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
    int code = web_admin_refused_status(rc, resp);
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

    const char *id = web_admin_id_param(req);
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
    rc = web_admin_write(req, &v, "PATCH", ag_arena_printf(req->arena, "/api/categories/%s", id),
                         body, ag_form_get(&f, "idem"), &resp);
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

    const char *id = web_admin_id_param(req);
    if (id == NULL) {
        return web_not_found(req);
    }
    int rc = web_admin_or_reply(req, &v, &f);
    if (rc < 0) {
        return rc;
    }
    rc = web_admin_write(req, &v, "DELETE", ag_arena_printf(req->arena, "/api/categories/%s", id),
                         NULL, ag_form_get(&f, "idem"), &resp);
    return category_answer(req, &v, rc, &resp, id, "deleted");
}
