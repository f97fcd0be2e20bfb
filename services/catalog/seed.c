/*
 * 'catalog seed [--reset] FILE': loads a catalogue (services/catalog/demo/catalog.json, the
 * demo shop) into an empty catalog database in one transaction. With --reset it first empties
 * every catalog table (products, stock and reservations too); without it a database that
 * already holds a catalogue is left alone, so scripts may call it on every start.
 */
#include "catalog.h"

#include <stdio.h>
#include <string.h>

#include "agora/err.h"
#include "agora/json.h"

struct seed {
    struct ag_arena arena; /* the products' JSON fields */
    json_t *doc;
    int reset;
    int loaded; /* 0 when the database already had a catalogue */
    size_t ncategories, nproducts;
    char err[256];
};

static const char *
str_or_null(const json_t *obj, const char *name)
{
    return json_string_value(json_object_get(obj, name));
}

/* A category and its children; the depth is checked before going deeper (at most 3). */
static int
seed_categories(PGconn *db, struct seed *s, const json_t *list, const char *parent, int depth)
{
    size_t i;
    json_t *c;

    if (depth > CATALOG_DEPTH_MAX) {
        snprintf(s->err, sizeof(s->err), "categories nest deeper than %d levels",
                 CATALOG_DEPTH_MAX);
        return AG_EINVAL;
    }
    json_array_foreach(list, i, c)
    {
        char pos[24];
        snprintf(pos, sizeof(pos), "%lld",
                 (long long)json_integer_value(json_object_get(c, "position")));
        struct category_in in = {
            .slug = str_or_null(c, "slug"),
            .name = str_or_null(c, "name"),
            .name_en = str_or_null(c, "nameEn"),
            .position = pos,
            .parent = parent,
        };
        int rc =
            in.slug != NULL && in.name != NULL ? store_seed_category(db, &in, depth) : AG_EINVAL;
        if (rc < 0) {
            snprintf(s->err, sizeof(s->err), "category '%s': %s", in.slug ? in.slug : "?",
                     ag_err_message(rc));
            return rc;
        }
        s->ncategories++;
        const json_t *children = json_object_get(c, "children");
        if (json_array_size(children) > 0) {
            rc = seed_categories(db, s, children, in.slug, depth + 1);
            if (rc < 0) {
                return rc;
            }
        }
    }
    return 0;
}

/* The integer field 'name' of 'obj' as decimal text in 'buf', or NULL when absent or null. */
static const char *
int_text(const json_t *obj, const char *name, char *buf, size_t size)
{
    const json_t *v = json_object_get(obj, name);
    if (!json_is_integer(v)) {
        return NULL;
    }
    snprintf(buf, size, "%lld", (long long)json_integer_value(v));
    return buf;
}

static int
seed_product(PGconn *db, struct seed *s, const json_t *p)
{
    char price[24], sale[24], stock[24], sold[24], age[24];
    const json_t *img = json_object_get(p, "images"), *attrs = json_object_get(p, "attributes");
    size_t len;
    struct product_in in = {
        .slug = str_or_null(p, "slug"),
        .name = str_or_null(p, "name"),
        .name_en = str_or_null(p, "nameEn"),
        .description = str_or_null(p, "description"),
        .description_en = str_or_null(p, "descriptionEn"),
        .brand = str_or_null(p, "brand"),
        .price = int_text(p, "price", price, sizeof(price)),
        .sale_price = int_text(p, "salePrice", sale, sizeof(sale)),
        .currency = str_or_null(p, "currency"),
        .status = str_or_null(p, "status"),
        .category = str_or_null(p, "category"),
        .images = img != NULL ? ag_json_dump(&s->arena, img, &len) : NULL,
        .attributes = attrs != NULL ? ag_json_dump(&s->arena, attrs, &len) : NULL,
        .stock = int_text(p, "stock", stock, sizeof(stock)),
    };
    const char *popularity = int_text(p, "popularity", sold, sizeof(sold));
    const char *age_days = int_text(p, "ageDays", age, sizeof(age));
    int rc = AG_EINVAL;
    if (in.slug != NULL && in.name != NULL && in.price != NULL) {
        rc = store_seed_product(db, &in, popularity != NULL ? popularity : "0",
                                age_days != NULL ? age_days : "0");
    }
    if (rc < 0) {
        snprintf(s->err, sizeof(s->err), "product '%s': %s", in.slug ? in.slug : "?",
                 ag_err_message(rc));
    }
    return rc;
}

static int
seed_tx(PGconn *db, void *arg)
{
    struct seed *s = arg;
    int empty;
    size_t i;
    json_t *p;

    int rc = store_seed_begin(db, s->reset, &empty);
    if (rc < 0 || !empty) {
        return rc;
    }
    rc = seed_categories(db, s, json_object_get(s->doc, "categories"), NULL, 1);
    json_array_foreach(json_object_get(s->doc, "products"), i, p)
    {
        if (rc < 0) {
            break;
        }
        rc = seed_product(db, s, p);
        s->nproducts += rc == 0;
    }
    s->loaded = rc == 0;
    return rc;
}

int
catalog_seed_command(int argc, char **argv, const void *config)
{
    const struct catalog_config *cfg = config;
    struct seed s = {0};
    json_error_t jerr;
    PGconn *db = NULL;
    int rc;

    int at = argc > 1 && strcmp(argv[1], "--reset") == 0 ? 2 : 1;
    if (strcmp(argv[0], "seed") != 0 || argc != at + 1) {
        fprintf(stderr, "usage: catalog seed [--reset] FILE\n");
        return 2;
    }
    s.reset = at == 2;
    ag_arena_init(&s.arena);
    s.doc = json_load_file(argv[at], JSON_REJECT_DUPLICATES, &jerr);
    if (s.doc == NULL || !json_is_array(json_object_get(s.doc, "products"))) {
        fprintf(stderr, "catalog seed: cannot read '%s': %s\n", argv[at],
                s.doc == NULL ? jerr.text : "no 'products' array");
        json_decref(s.doc);
        ag_arena_release(&s.arena);
        return 1;
    }
    rc =
        cfg->migrate ? ag_idem_migrate(cfg->database_url, catalog_schema, catalog_schema_count) : 0;
    struct ag_db_pool *pool =
        rc == 0 ? ag_db_pool_new(cfg->database_url, 1, catalog_stmts, catalog_nstmts, 5000) : NULL;
    if (rc == 0 && pool == NULL) {
        rc = AG_EINVAL;
    }
    if (rc == 0) {
        rc = ag_db_acquire(pool, &db);
    }
    if (rc == 0) {
        rc = ag_db_tx(db, "READ COMMITTED", 1, seed_tx, &s);
        ag_db_release(pool, db);
    }
    ag_db_pool_free(pool);
    json_decref(s.doc);
    ag_arena_release(&s.arena);
    if (rc < 0) {
        fprintf(stderr, "catalog seed: %s\n", s.err[0] ? s.err : ag_err_message(rc));
        return 1;
    }
    if (!s.loaded) {
        printf("catalog seed: the catalog already has data; left alone (--reset replaces it)\n");
    } else {
        printf("catalog seed: loaded %zu categories and %zu products from %s\n", s.ncategories,
               s.nproducts, argv[at]);
    }
    return 0;
}
