/*
 * The catalog service's own declarations, shared by main.c, handlers.c, catalog.c, seed.c and
 * store.c.
 */
#ifndef CATALOG_H
#define CATALOG_H

#include <stddef.h>

#include <jansson.h>

#include "agora/batch.h"
#include "agora/db.h"
#include "agora/embed.h"
#include "agora/http.h"
#include "agora/mem.h"

#define CATALOG_SLUG_MAX        80
#define CATALOG_NAME_MAX        200
#define CATALOG_CAT_NAME_MAX    100
#define CATALOG_DESC_MAX        5000
#define CATALOG_BRAND_MAX       100
#define CATALOG_IMAGES_MAX      20
#define CATALOG_IMAGE_URL_MAX   500
#define CATALOG_ATTRS_MAX       30
#define CATALOG_ATTR_KEY_MAX    50
#define CATALOG_ATTR_VALUE_MAX  200
#define CATALOG_PRICE_MAX       1000000000000LL
#define CATALOG_STOCK_MAX       1000000000LL
#define CATALOG_QUERY_MAX       200 /* bytes of a search query */
#define CATALOG_PAGE_SIZE_MAX   100
#define CATALOG_PAGE_MAX        10000
#define CATALOG_DEPTH_MAX       3
#define CATALOG_CATEGORIES_MAX  1000
#define CATALOG_ORDER_ID_MAX    64
#define CATALOG_RESERVE_ITEMS   100
#define CATALOG_QTY_MAX         999
#define CATALOG_RESERVE_TTL_MAX 86400

/* Configuration, parsed once at start (main.c). */
struct catalog_config {
    long long port;
    char *bind;
    long long threads;
    char *database_url;
    long long db_pool;
    long long batch_threads;
    char *redis_url;
    char *internal_token;
    char *jwt_public_key_file;
    char *jwt_extra_public_keys;
    char *jwt_issuer;
    char *jwt_audience;
    char *log_level;
    int access_log;
    int migrate;
    long long cache_s;
    long long reservation_ttl_s;
    long long sweep_s;
    long long read_cache_ms;
};

/* What handlers reach through req->app. */
struct catalog_app {
    const struct catalog_config *cfg;
    struct ag_batch *product_by_ref; /* batched GET /api/products/{ref}; owned by main */
    struct catalog_cache *cache;     /* answers of that read; owned by main; NULL = none */
};

/*
 * cache.c: public product answers for a short time, dropped whole on any write. NULL (a TTL
 * of 0) is a cache that holds nothing; every function accepts it. A reader takes the
 * generation before it reads the database and puts with it: the put is dropped when a write
 * cleared the cache in between.
 */
struct catalog_cache;
struct catalog_cache *catalog_cache_new(long long ttl_ms);
void catalog_cache_free(struct catalog_cache *c);
/* 0 and a copy in 'a' of the answer for 'key', or AG_ENOTFOUND. */
int catalog_cache_get(struct catalog_cache *c, struct ag_arena *a, struct ag_str key,
                      const char **body, size_t *len);
unsigned long catalog_cache_generation(struct catalog_cache *c);
void catalog_cache_put(struct catalog_cache *c, unsigned long generation, struct ag_str key,
                       const char *body, size_t len);
void catalog_cache_clear(struct catalog_cache *c);

/* The sorts of a product listing; each is its own prepared statement. */
enum catalog_sort {
    CATALOG_SORT_RELEVANCE,
    CATALOG_SORT_PRICE,
    CATALOG_SORT_PRICE_DESC,
    CATALOG_SORT_NEW,
    CATALOG_SORT_POPULAR,
};

/* A product listing's query, checked (handlers.c); strings borrowed from the request. */
struct catalog_query {
    const char *q;        /* NULL: no text search */
    const char *category; /* slug, or NULL */
    long long min_price;  /* -1: none */
    long long max_price;  /* -1: none */
    enum catalog_sort sort;
    const char *status; /* "active", "draft", "archived" or NULL = all (admins) */
    long long page;
    long long size;
};

/*
 * A product as a write gives it (create, or update where 'has' says which fields came).
 * Strings borrowed from the request; 'images' and 'attributes' JSON text for SQL, or NULL.
 */
#define PF_SLUG       0x001
#define PF_NAME       0x002
#define PF_NAME_EN    0x004
#define PF_DESC       0x008
#define PF_DESC_EN    0x010
#define PF_BRAND      0x020
#define PF_PRICE      0x040
#define PF_SALE       0x080
#define PF_CURRENCY   0x100
#define PF_STATUS     0x200
#define PF_CATEGORY   0x400
#define PF_IMAGES     0x800
#define PF_ATTRIBUTES 0x1000
#define PF_STOCK      0x2000
struct product_in {
    unsigned has;
    const char *slug, *name, *name_en, *description, *description_en, *brand;
    const char *price, *sale_price; /* decimal text; sale_price NULL with PF_SALE clears it */
    const char *currency, *status;
    const char *category;            /* the category's id; its slug for the demo loader (seed.c) */
    const char *images, *attributes; /* JSON text */
    const char *stock;
};

/* A category as a write gives it. */
#define CF_SLUG     0x1
#define CF_NAME     0x2
#define CF_NAME_EN  0x4
#define CF_POSITION 0x8
#define CF_PARENT   0x10
struct category_in {
    unsigned has;
    const char *slug, *name, *name_en, *position, *parent;
};

/* A reservation request: items sorted by product id, no duplicates. */
struct reservation_item {
    long long product_id;
    long long qty;
};
struct reservation_in {
    const char *order_id;
    struct reservation_item *items; /* request arena */
    size_t nitems;
    long long ttl_s;
    char fingerprint[65];
};

/* catalog.c: rules with no HTTP or SQL. Each check returns 0 or AG_EINVAL with 'why' set. */
int catalog_slug_check(struct ag_str s, const char **why);
int catalog_ref_is_id(struct ag_str ref);
int catalog_order_id_check(struct ag_str s, const char **why);
int catalog_image_url_check(struct ag_str s, const char **why);
int catalog_sort_parse(const char *s, enum catalog_sort *out);
int catalog_items_normalize(struct reservation_item *items, size_t n, const char **why);
void catalog_items_fingerprint(const struct reservation_item *items, size_t n, char out[65]);
json_t *catalog_tree_build(json_t *rows);
size_t catalog_json_compact(char *dst, const char *src, size_t n);

/* store.c: every SQL statement. Each returns 0 or an AG_E* code. */
extern const struct ag_db_stmt catalog_stmts[];
extern const size_t catalog_nstmts;
/* JSON text answers ('*out' in 'a'): a product, a listing page, a stock figure. */
int store_product_get(struct ag_arena *a, PGconn *db, const char *ref, int any_status,
                      const char **out, size_t *len);
int store_product_list(struct ag_arena *a, PGconn *db, const struct catalog_query *q,
                       const char **out, size_t *len);
int store_product_insert(struct ag_arena *a, PGconn *db, const struct product_in *p,
                         const char **out, size_t *len);
int store_product_update(struct ag_arena *a, PGconn *db, const char *ref,
                         const struct product_in *p, const char **out, size_t *len);
int store_product_archive(struct ag_arena *a, PGconn *db, const char *ref, const char **out,
                          size_t *len);
int store_stock_get(struct ag_arena *a, PGconn *db, const char *ref, const char **out, size_t *len);
int store_stock_set(struct ag_arena *a, PGconn *db, const char *ref, const char *on_hand,
                    const char **out, size_t *len);
/* Every category as an array of rows (catalog_tree_build makes the tree); release with
 * json_decref. */
int store_category_rows(PGconn *db, json_t **out);
int store_category_insert(struct ag_arena *a, PGconn *db, const struct category_in *c,
                          const char **out, size_t *len);
int store_category_update(struct ag_arena *a, PGconn *db, const char *ref,
                          const struct category_in *c, const char **out, size_t *len);
int store_category_delete(PGconn *db, const char *ref);
int store_category_id(PGconn *db, const char *ref, long long *id);
/* Reservations: '*out' is the reservation's JSON text; '*created' 1 when this call made it. */
int store_reserve(struct ag_arena *a, PGconn *db, const struct reservation_in *r, const char **out,
                  size_t *len, int *created, json_t **shortfall);
int store_reservation_get(struct ag_arena *a, PGconn *db, const char *order_id, const char **out,
                          size_t *len);
/* How a held reservation ends (commit, release), or a committed one is undone (return). */
enum reservation_end { RESERVATION_COMMIT, RESERVATION_RELEASE, RESERVATION_RETURN };
int store_reservation_finish(struct ag_arena *a, PGconn *db, const char *order_id,
                             enum reservation_end end, const char **out, size_t *len);
int store_reservations_expire(PGconn *db, long long *n);
/* Folds the units sold since the last fold into products.sold; '*n' the products changed. */
int store_sold_fold(PGconn *db, long long *n);
/* The demo catalog (seed.c): empties every table when 'reset', then loads. */
int store_seed_begin(PGconn *db, int reset, int *empty);
int store_seed_category(PGconn *db, const struct category_in *c, int depth);
int store_seed_product(PGconn *db, const struct product_in *p, const char *popularity,
                       const char *age_days);

/* handlers.c */
extern const struct ag_route catalog_routes[];
extern const size_t catalog_nroutes;
void catalog_product_batch_reply(struct ag_req *req, const PGresult *res, int row, int rc);

/* handlers.c: helpers of every handler file. Each *_or_reply (and catalog_invalid_reply)
 * has replied when it returns an error. */
int catalog_invalid_reply(struct ag_req *req, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int catalog_only_keys_or_reply(struct ag_req *req, const json_t *body, const char *const *keys);
int catalog_ref_or_reply(struct ag_req *req, const char *what, const char **out);
int catalog_text_reply(struct ag_req *req, int rc, int status, const char *what, const char *text,
                       size_t len);
int catalog_text_field_or_reply(struct ag_req *req, const json_t *body, const char *name,
                                size_t max, int nullable,
                                int (*check)(struct ag_str, const char **), unsigned bit,
                                unsigned *has, const char **dst);
int catalog_int_field_or_reply(struct ag_req *req, const json_t *body, const char *name,
                               long long max, int nullable, unsigned bit, unsigned *has,
                               const char **dst);
int catalog_name_check(struct ag_str s, const char **why);
int catalog_write_tx(struct ag_req *req, ag_db_tx_fn fn, void *arg);

/* categories.c: the category routes' handlers */
int catalog_category_list(struct ag_req *req);
int catalog_category_get(struct ag_req *req);
int catalog_category_create(struct ag_req *req);
int catalog_category_update(struct ag_req *req);
int catalog_category_delete(struct ag_req *req);

/* reservations.c: the internal routes' handlers */
int catalog_reserve(struct ag_req *req);
int catalog_reservation_get(struct ag_req *req);
int catalog_reservation_commit(struct ag_req *req);
int catalog_reservation_release(struct ag_req *req);
int catalog_reservation_return(struct ag_req *req);

/* seed.c: 'catalog seed [--reset] FILE' */
int catalog_seed_command(int argc, char **argv, const void *cfg);

/* Embedded at build (CMakeLists.txt). */
extern const struct ag_embed_file catalog_schema[];
extern const size_t catalog_schema_count;
extern const struct ag_embed_file catalog_openapi[];

#endif
