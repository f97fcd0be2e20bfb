/*
 * The order service's own declarations, shared by main.c, handlers.c, cart.c, catalog.c and
 * store.c. This first part is the cart; checkout and orders follow (issue 7).
 */
#ifndef ORDER_H
#define ORDER_H

#include <stddef.h>

#include <jansson.h>

#include "agora/db.h"
#include "agora/embed.h"
#include "agora/http.h"
#include "agora/httpc.h"
#include "agora/mem.h"

#define ORDER_QTY_MAX        99
#define ORDER_CART_LINES_MAX 50
#define ORDER_OWNER_MAX      64

/* Configuration, parsed once at start (main.c). */
struct order_config {
    long long port;
    char *bind;
    long long threads;
    char *database_url;
    long long db_pool;
    char *redis_url;
    char *internal_token;
    char *jwt_public_key_file;
    char *jwt_extra_public_keys;
    char *jwt_issuer;
    char *jwt_audience;
    char *log_level;
    int access_log;
    int migrate;
    char *catalog_url;
    long long catalog_timeout_ms;
};

/* What handlers reach through req->app. */
struct order_app {
    const struct order_config *cfg;
    struct ag_httpc *catalog; /* owned by main */
    struct ag_jwt *jwt;       /* owned by main: verifies a guest's token handed over at login */
};

/* A product as the catalog shows it now (catalog.c). */
struct order_product {
    long long id;
    long long price; /* what the shopper pays: the sale price when there is one */
    long long available;
    char currency[4];
    int active;
    json_t *json; /* the catalog's product; owned, json_decref */
};

/* catalog.c: the catalog's public product read. 0, AG_ENOTFOUND, or AG_EUNAVAIL/ETIMEOUT. */
int order_product_get(struct ag_req *req, long long id, struct order_product *out);

/* cart.c: rules with no HTTP or SQL in them. */
/* The quantity after adding 'add' to 'have', within 1..ORDER_QTY_MAX and 'available'. */
long long order_cart_add_qty(long long have, long long add, long long available);

/* store.c: every SQL statement. Each returns 0 or an AG_E* code. */
extern const struct ag_db_stmt order_stmts[];
extern const size_t order_nstmts;
struct cart_line {
    long long product_id, qty;
};
/* The owner's lines, oldest first, at most ORDER_CART_LINES_MAX. */
int store_cart_lines(PGconn *db, const char *owner, struct cart_line *lines, size_t *n);
int store_cart_qty(PGconn *db, const char *owner, long long product_id, long long *qty);
/* Sets the line's quantity (inserting it); AG_ECONFLICT when the cart is full. */
int store_cart_set(PGconn *db, const char *owner, long long product_id, long long qty);
int store_cart_remove(PGconn *db, const char *owner, long long product_id);
/* Empties the owner's cart. */
int store_cart_clear(PGconn *db, const char *owner);

/* handlers.c */
extern const struct ag_route order_routes[];
extern const size_t order_nroutes;

/* Embedded at build (CMakeLists.txt). */
extern const struct ag_embed_file order_schema[];
extern const size_t order_schema_count;
extern const struct ag_embed_file order_openapi[];

#endif
