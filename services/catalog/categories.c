/*
 * The catalog's categories over HTTP: the public tree and one category with its path, and the
 * admins' create, update and delete. Parse, validate, call the store, reply.
 */
#include "catalog.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agora/err.h"
#include "agora/json.h"

/* GET /api/categories and /api/categories/{ref}. */

static int
category_rows_or_reply(struct ag_req *req, json_t **rows)
{
    PGconn *db;
    int rc = ag_req_db(req, &db);
    if (rc == 0) {
        rc = store_category_rows(db, rows);
    }
    return rc;
}

int
catalog_category_list(struct ag_req *req)
{
    const struct catalog_app *app = req->app;
    json_t *rows = NULL;

    int rc = category_rows_or_reply(req, &rows);
    if (rc < 0) {
        return rc;
    }
    ag_reply_json(req, 200, catalog_tree_build(rows));
    json_decref(rows);
    return ag_reply_cacheable(req, (int)app->cfg->cache_s);
}

static json_t *
category_find(json_t *rows, const char *ref)
{
    int is_id = catalog_ref_is_id((struct ag_str){ref, strlen(ref)});
    json_int_t id = is_id ? strtoll(ref, NULL, 10) : 0;
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *c = json_array_get(rows, i);
        if (is_id ? json_integer_value(json_object_get(c, "id")) == id
                  : strcmp(json_string_value(json_object_get(c, "slug")), ref) == 0) {
            return c;
        }
    }
    return NULL;
}

/* The category with its sub-categories and 'path', its ancestors from the top to itself. */
int
catalog_category_get(struct ag_req *req)
{
    const struct catalog_app *app = req->app;
    const char *ref;
    json_t *rows = NULL;

    int rc = catalog_ref_or_reply(req, "category", &ref);
    if (rc == 0) {
        rc = category_rows_or_reply(req, &rows);
    }
    if (rc < 0) {
        return rc;
    }
    json_decref(catalog_tree_build(rows));
    json_t *c = category_find(rows, ref);
    if (c == NULL) {
        json_decref(rows);
        return ag_reply_error(req, AG_ENOTFOUND, "category not found");
    }
    json_t *path = json_array();
    for (json_t *at = c; at != NULL && json_array_size(path) < CATALOG_DEPTH_MAX;) {
        json_array_insert_new(path, 0,
                              json_pack("{s:O,s:O,s:O,s:O}", "id", json_object_get(at, "id"),
                                        "slug", json_object_get(at, "slug"), "name",
                                        json_object_get(at, "name"), "nameEn",
                                        json_object_get(at, "nameEn")));
        json_t *parent = json_object_get(at, "parentId");
        at = json_is_integer(parent)
                 ? category_find(rows, ag_arena_printf(req->arena, "%lld",
                                                       (long long)json_integer_value(parent)))
                 : NULL;
    }
    json_t *out = json_deep_copy(c);
    json_object_set_new(out, "path", path);
    json_decref(rows);
    ag_reply_json(req, 200, out);
    return ag_reply_cacheable(req, (int)app->cfg->cache_s);
}

/* Admin writes. */

static const char *const category_keys[] = {"slug", "name", "nameEn", "position", "parent", NULL};

static int
category_parse_or_reply(struct ag_req *req, int create, struct category_in *c)
{
    json_t *body;
    unsigned *h = &c->has;

    memset(c, 0, sizeof(*c));
    int rc = ag_req_json_or_reply(req, &body);
    if (rc == 0) {
        rc = catalog_only_keys_or_reply(req, body, category_keys);
    }
    if (rc == 0 && !create && json_object_get(body, "parent") != NULL) {
        rc =
            catalog_invalid_reply(req, "parent", "'%s' is set when the category is made", "parent");
    }
    rc = rc < 0 ? rc
                : catalog_text_field_or_reply(req, body, "slug", CATALOG_SLUG_MAX, 0,
                                              catalog_slug_check, CF_SLUG, h, &c->slug);
    rc = rc < 0 ? rc
                : catalog_text_field_or_reply(req, body, "name", CATALOG_CAT_NAME_MAX, 0,
                                              catalog_name_check, CF_NAME, h, &c->name);
    rc = rc < 0 ? rc
                : catalog_text_field_or_reply(req, body, "nameEn", CATALOG_CAT_NAME_MAX, 1, NULL,
                                              CF_NAME_EN, h, &c->name_en);
    rc = rc < 0 ? rc
                : catalog_text_field_or_reply(req, body, "parent", CATALOG_SLUG_MAX, 1,
                                              catalog_slug_check, CF_PARENT, h, &c->parent);
    rc = rc < 0 ? rc
                : catalog_int_field_or_reply(req, body, "position", 1000000, 0, CF_POSITION, h,
                                             &c->position);
    if (rc < 0) {
        return rc;
    }
    if (create && (c->has & CF_SLUG) == 0) {
        return catalog_invalid_reply(req, "slug", "'%s' is required", "slug");
    }
    if (create && (c->has & CF_NAME) == 0) {
        return catalog_invalid_reply(req, "name", "'%s' is required", "name");
    }
    return 0;
}

struct category_write {
    struct ag_req *req;
    struct category_in in;
    const char *ref; /* NULL: a create */
};

static int
category_write_tx(PGconn *db, void *arg)
{
    struct category_write *w = arg;
    struct ag_req *req = w->req;
    const char *text = NULL;
    size_t len = 0;

    int rc = w->ref == NULL ? store_category_insert(req->arena, db, &w->in, &text, &len)
                            : store_category_update(req->arena, db, w->ref, &w->in, &text, &len);
    if (rc == AG_ECONFLICT) {
        ag_reply_error_details(req, rc, json_pack("{s:s}", "field", "slug"),
                               "slug '%s' is already taken", w->in.slug ? w->in.slug : "");
        return rc;
    }
    if (rc == AG_EINVAL) {
        catalog_invalid_reply(req, "parent", "categories nest at most %s levels deep", "3");
        return rc;
    }
    if (rc == AG_ENOTFOUND && w->ref == NULL) {
        catalog_invalid_reply(req, "parent", "no category '%s'", w->in.parent);
        return rc;
    }
    rc = catalog_text_reply(req, rc, w->ref == NULL ? 201 : 200, "category", text, len);
    if (rc < 0) {
        return rc;
    }
    return ag_idem_save(req, db);
}

int
catalog_category_create(struct ag_req *req)
{
    struct category_write w = {.req = req};
    int rc = category_parse_or_reply(req, 1, &w.in);
    if (rc < 0) {
        return rc;
    }
    return catalog_write_tx(req, category_write_tx, &w);
}

int
catalog_category_update(struct ag_req *req)
{
    struct category_write w = {.req = req};
    int rc = catalog_ref_or_reply(req, "category", &w.ref);
    if (rc == 0) {
        rc = category_parse_or_reply(req, 0, &w.in);
    }
    if (rc < 0) {
        return rc;
    }
    return catalog_write_tx(req, category_write_tx, &w);
}

struct category_delete {
    struct ag_req *req;
    const char *ref;
};

static int
category_delete_tx(PGconn *db, void *arg)
{
    struct category_delete *d = arg;
    int rc = store_category_delete(db, d->ref);
    if (rc == AG_ECONFLICT) {
        ag_reply_error(d->req, rc, "category has sub-categories or products; move them first");
        return rc;
    }
    if (rc == AG_ENOTFOUND) {
        ag_reply_error(d->req, rc, "category not found");
        return rc;
    }
    if (rc < 0) {
        return rc;
    }
    ag_reply_empty(d->req, 204);
    return ag_idem_save(d->req, db);
}

int
catalog_category_delete(struct ag_req *req)
{
    struct category_delete d = {.req = req};
    int rc = catalog_ref_or_reply(req, "category", &d.ref);
    if (rc < 0) {
        return rc;
    }
    return catalog_write_tx(req, category_delete_tx, &d);
}
