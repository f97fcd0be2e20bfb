/*
 * The order service's own declarations: the cart (handlers.c, cart.c), checkout and its saga
 * (checkout.c, saga.c), the calls to catalog, payment and member (catalog.c, peers.c),
 * orders (orders_api.c), their rules (orders.c), the recovery worker, outbox relay and
 * notifications (background.c) and every SQL statement (store.c).
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
#define ORDER_ID_LEN         28 /* "ord_" and 24 hex digits */

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
    char *payment_url;
    long long payment_timeout_ms;
    char *member_url;
    long long shipping_fee;
    long long free_shipping_over;
    long long lease_s;
    long long recover_ms;
    long long outbox_ms;
    char *crash_at;
};

/* What handlers reach through req->app. */
struct order_app {
    const struct order_config *cfg;
    struct ag_httpc *catalog; /* owned by main; member's calls share it */
    struct ag_httpc *payment; /* owned by main: its timeout is the payment's own, and more */
    struct ag_jwt *jwt;       /* owned by main: verifies a guest's token handed over at login */
    struct order_background *bg;
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

/* orders.c: the rules with no HTTP or SQL in them. */
enum order_status {
    ORDER_PENDING,
    ORDER_PAID,
    ORDER_SHIPPED,
    ORDER_DELIVERED,
    ORDER_CANCELLED,
    ORDER_REFUNDED,
    ORDER_NSTATUS
};
/* What is still to be done with another service (orders.step). */
enum order_step {
    STEP_RESERVE, /* catalog: reserve the stock (PENDING) */
    STEP_PAY,     /* payment: charge, or learn what became of the charge (PENDING) */
    STEP_COMMIT,  /* catalog: the reserved units leave stock (PAID) */
    STEP_REFUND,  /* payment: give the money back, then refund_to */
    STEP_RESTOCK, /* catalog: a committed reservation's units come back */
    STEP_RELEASE, /* catalog: a held reservation is let go */
    STEP_DONE,
    STEP_N
};
const char *order_status_name(enum order_status s);
int order_status_parse(const char *s, enum order_status *out); /* 0 or AG_EINVAL */
int order_transition_ok(enum order_status from, enum order_status to);
const char *order_step_name(enum order_step s);
int order_step_parse(const char *s, enum order_step *out);
/* The fee for a subtotal: free at 'free_over' and above (0 = never free). */
long long order_shipping_fee(long long subtotal, long long fee, long long free_over);
/* A new order id, "ord_" and 24 random hex digits, into 'out' (ORDER_ID_LEN + 1 bytes). */
void order_id_new(char *out);
int order_id_check(struct ag_str id); /* 0 or AG_EINVAL */

/* Fault tests: the process kills itself (SIGKILL) when 'point' is AGORA_ORDER_CRASH_AT. */
void order_crash_point(const struct order_app *app, const char *point, const char *order_id);

/* An order as the saga sees it (store.c reads it, saga.c moves it). */
struct order_row {
    char id[ORDER_ID_LEN + 1];
    char owner[ORDER_OWNER_MAX + 1];
    enum order_status status, refund_to;
    enum order_step step;
    int stock_committed;
    long long total;
    char currency[4];
    char payment_id[65];
    char reason[201];
};
/* A line of a new order. */
struct order_item {
    long long product_id, qty, unit_price;
    const char *name, *name_en, *image_url; /* borrowed */
};

/* peers.c: catalog reservations, payment and member addresses. Each returns 0 on the
 * answer it names, or an AG_E* code. */
enum reservation_op { RESERVATION_COMMIT, RESERVATION_RELEASE, RESERVATION_RETURN };
/* AG_ECONFLICT: not enough stock ('*shortfall' the catalog's details, owned). */
int peer_reserve(const struct order_app *app, const char *request_id, const char *order_id,
                 const struct order_item *items, size_t n, json_t **shortfall);
/* AG_ENOTFOUND: no such reservation; AG_ECONFLICT: its state does not allow it. */
int peer_reservation(const struct order_app *app, const char *request_id, const char *order_id,
                     enum reservation_op op);
/* A payment as payment answers it. */
struct peer_payment {
    int http; /* 200/201 final, 202 unknown, 409 in flight, 404 none */
    char id[65];
    char status[24]; /* CAPTURED, FAILED, UNKNOWN, … */
    char failure[41];
    json_t *card; /* {brand, last4} or NULL; owned */
};
void peer_payment_release(struct peer_payment *p);
/* POST /internal/payments for 'o' with 'card' (a card number or a tok_ token). */
int peer_pay(const struct order_app *app, const char *request_id, const struct order_row *o,
             const char *card, struct peer_payment *out);
/* GET /internal/payments?orderId=: AG_ENOTFOUND when payment has none. */
int peer_payment_find(const struct order_app *app, const char *request_id, const char *order_id,
                      struct peer_payment *out);
/* POST /internal/payments/{id}/refund of the order's total, key "<order>-refund": 0 with
 * out->http 200 (done) or 202 (unknown: ask again), AG_ECONFLICT when nothing is left. */
int peer_refund(const struct order_app *app, const char *request_id, const struct order_row *o,
                struct peer_payment *out);
/* One of the caller's addresses (member's API, with the caller's own token): '*out' owned. */
int peer_address(struct ag_req *req, const char *address_id, json_t **out);

/* saga.c: moves an order through its steps until it is done or must wait (an unknown
 * payment, a service away: 0 then, the order left for the recovery worker). 'card' and
 * 'items' only for a checkout's own first run (NULL after: an order found at its first step
 * is then cancelled). Returns 0, or the AG_E* code of a service that is away. */
int order_saga_run(const struct order_app *app, PGconn *db, const char *request_id,
                   struct order_row *o, const char *card, const struct order_item *items,
                   size_t nitems);

/* background.c: the recovery worker, the outbox relay and the notification consumer. */
struct order_background;
struct order_background *order_background_start(struct order_app *app, struct ag_db_pool *db,
                                                struct ag_kv_pool *kv);
void order_background_stop(struct order_background *b);
void order_background_wake(struct order_background *b);
/* One recovery pass: orders whose lease passed, moved on; '*n' how many. */
int order_recover_once(const struct order_app *app, PGconn *db, size_t *n);

/* store.c: orders. */
/* A new order and its lines (PENDING, step reserve, leased for lease_s), unless the owner
 * has one under 'idem_key': then '*created' 0 and 'o' is that one ('*same_body' whether its
 * fingerprint matches). */
struct order_new {
    const char *id, *owner, *idem_key, *fingerprint, *address_json, *currency;
    long long subtotal, shipping_fee, lease_s;
    const struct order_item *items;
    size_t nitems;
};
int store_order_create(PGconn *db, const struct order_new *in, struct order_row *o, int *created,
                       int *same_body);
int store_order_row(PGconn *db, const char *id, struct order_row *o);
/* The owner's order under 'key' (AG_ENOTFOUND: none); '*same_body' whether its fingerprint
 * is 'fingerprint'. */
int store_order_by_key(PGconn *db, const char *owner, const char *key, const char *fingerprint,
                       struct order_row *o, int *same_body);
/* Moves 'o' to 'status' (unchanged when the same) and 'step' if it still is at o->step and
 * o->status (AG_ECONFLICT otherwise: another worker moved it), with 'reason' (NULL keeps),
 * 'payment' fields (may be NULL) and, when 'clear_cart', the bought lines out of the cart.
 * Updates 'o'. */
struct order_move {
    enum order_status status;
    enum order_step step;
    enum order_status refund_to; /* for STEP_REFUND */
    const char *reason;
    const struct peer_payment *payment;
    int stock_committed;
    int clear_cart;
    long long lease_s; /* the lease from now; 0 = leave it */
};
int store_order_move(PGconn *db, struct order_row *o, const struct order_move *m);
/* Orders not done whose lease passed, leased again for 'lease_s': at most 'max'. */
int store_orders_due(PGconn *db, long long lease_s, struct order_row *rows, size_t max, size_t *n);
/* The order's JSON (with items and, when 'history', its events); AG_ENOTFOUND. 'owner'
 * NULL: any owner (an admin). */
int store_order_json(struct ag_arena *a, PGconn *db, const char *id, const char *owner,
                     const char **out, size_t *len);
/* A page of orders as JSON {items,total,page,size,pages}; 'owner' NULL for every order,
 * 'status' NULL for any. */
int store_orders_page(struct ag_arena *a, PGconn *db, const char *owner, const char *status,
                      long long page, long long size, const char **out, size_t *len);

/* checkout.c and orders_api.c: the order routes. */
int order_checkout(struct ag_req *req);
int orders_list(struct ag_req *req);
int order_get(struct ag_req *req);
int order_cancel(struct ag_req *req);
int order_refund(struct ag_req *req);
int order_ship(struct ag_req *req);
int order_deliver(struct ag_req *req);

/* handlers.c */
extern const struct ag_route order_routes[];
extern const size_t order_nroutes;

/* Embedded at build (CMakeLists.txt). */
extern const struct ag_embed_file order_schema[];
extern const size_t order_schema_count;
extern const struct ag_embed_file order_openapi[];

#endif
