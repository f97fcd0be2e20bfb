/*
 * Checkout and orders against the test stack (catalog, payment, the sandbox provider,
 * PostgreSQL, Redis, the gateway): a member's full purchase through the gateway, the
 * shipping fee, a declined card, stock that ran out, twenty concurrent checkouts under one
 * key, a payment whose outcome is unknown settled by the recovery worker, cancel (refund and
 * restock), the admin's ship, deliver and refund, saved addresses, bad input, and the order
 * events out on the Redis stream 'orders'.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ag_test.h"
#include "itest.h"
#include "webtest.h"

#include "agora/mem.h"

#define APPROVE "4242424242424242"
#define DECLINE "4000000000009995"
#define SLOW    "4000000000000077"
#define ADDRESS                                                                                    \
    "{\"recipient\":\"김하늘\",\"phone\":\"010-1234-5678\",\"postalCode\":\"06236\","           \
    "\"line1\":\"서울 강남구 테헤란로 1\",\"line2\":\"3층\"}"

static char *admin;
static char internal[320];
static PGconn *catalog_db, *order_db;

/* A user's token with a fresh subject starting with 'prefix'. */
static char *
utoken(const char *prefix)
{
    char sub[48];
    it_unique(sub, sizeof(sub), prefix);
    return it_token(sub, "user", 300);
}

/* on_hand, reserved or sold of a product, from the catalog's database. */
static long long
stock_of(long long id, const char *what)
{
    char sql[200], p[24];
    snprintf(p, sizeof(p), "%lld", id);
    snprintf(
        sql, sizeof(sql),
        "SELECT %s FROM stock s JOIN products p ON p.id = s.product_id WHERE p.id = $1::bigint",
        what);
    return it_db_num(catalog_db, sql, p);
}

static long
add(const char *base, const char *token, long long id, long long qty)
{
    struct it_resp r;
    char body[96];
    snprintf(body, sizeof(body), "{\"productId\":%lld,\"qty\":%lld}", id, qty);
    it_request(&r, "POST", it_urlf(base, "/api/cart/items"), token, NULL, body, NULL);
    long st = r.status;
    it_resp_free(&r);
    return st;
}

static long
checkout(struct it_resp *r, const char *base, const char *token, const char *key, const char *card,
         const char *address)
{
    char body[1024];
    snprintf(body, sizeof(body), "{\"address\":%s,\"payment\":{\"cardNumber\":\"%s\"}}",
             address != NULL ? address : ADDRESS, card);
    it_request(r, "POST", it_urlf(base, "/api/orders"), token, key, body, NULL);
    return r->status;
}

static long long
num(const struct it_resp *r, const char *field)
{
    return (long long)json_integer_value(json_object_get(json_object_get(r->json, "data"), field));
}

static const char *
detail(const struct it_resp *r, const char *field)
{
    return json_string_value(
        json_object_get(json_object_get(json_object_get(r->json, "error"), "details"), field));
}

static long
get_order(struct it_resp *r, const char *token, const char *id)
{
    it_request(r, "GET", it_urlf("ORDER", "/api/orders/%s", id), token, NULL, NULL, NULL);
    return r->status;
}

/* Polls the order until it is 'status' with nothing left to settle (up to 'seconds'). */
static int
wait_order(const char *token, const char *id, const char *status, int seconds)
{
    for (int i = 0; i < seconds * 10; i++) {
        struct it_resp r;
        get_order(&r, token, id);
        int ok = r.status == 200 && strcmp(it_data_str(&r, "status"), status) == 0 &&
                 strcmp(it_data_str(&r, "step"), "done") == 0;
        it_resp_free(&r);
        if (ok) {
            return 1;
        }
        usleep(100 * 1000);
    }
    return 0;
}

/* The payment of an order as payment has it: its status (static buffer, "" when none). */
static const char *
payment_status(const char *order)
{
    static char buf[32];
    struct it_resp r;
    const char *h[] = {internal, NULL};
    it_request(&r, "GET", it_urlf("PAYMENT", "/internal/payments?orderId=%s", order), NULL, NULL,
               NULL, h);
    snprintf(buf, sizeof(buf), "%s", r.status == 200 ? it_data_str(&r, "status") : "");
    it_resp_free(&r);
    return buf;
}

static size_t
cart_lines(const char *base, const char *token)
{
    struct it_resp r;
    it_request(&r, "GET", it_urlf(base, "/api/cart"), token, NULL, NULL, NULL);
    size_t n = json_array_size(json_object_get(json_object_get(r.json, "data"), "items"));
    it_resp_free(&r);
    return n;
}

/* How many entries of the Redis stream 'orders' are of 'type' about order 'id'. */
static long long
stream_count(const char *type, const char *id)
{
    return it_redis_int(
        "EVAL %s 0 %s %s",
        "local n = 0 for _, e in ipairs(redis.call('XRANGE', 'orders', '-', '+')) do "
        "local f = e[2] if f[2] == ARGV[1] and string.find(f[4], ARGV[2], 1, true) then "
        "n = n + 1 end end return n",
        type, id);
}

TEST(a_member_buys_through_the_gateway)
{
    struct it_resp r;
    struct jar j;
    char login[40], key[40], id[40];

    long long shoes = it_product(admin, "buy-", "active", 12000, 5, NULL, 0),
              bag = it_product(admin, "buy-", "active", 45000, 3, NULL, 0);
    CHECK(shoes > 0 && bag > 0);
    CHECK_EQ_INT(sign_up(&j, login, sizeof(login)), 303);
    const char *token = jar_get(&j, "access_token");
    CHECK(token != NULL);
    CHECK_EQ_INT(add("GATEWAY", token, bag, 1), 201);
    CHECK_EQ_INT(add("GATEWAY", token, shoes, 2), 201);
    it_unique(key, sizeof(key), "checkout-");
    CHECK_EQ_INT(checkout(&r, "GATEWAY", token, key, APPROVE, NULL), 201);
    CHECK_EQ_STR(it_data_str(&r, "status"), "PAID");
    CHECK_EQ_INT(num(&r, "subtotal"), 69000);
    CHECK_EQ_INT(num(&r, "shippingFee"), 0); /* free from 50,000 */
    CHECK_EQ_INT(num(&r, "total"), 69000);
    CHECK_EQ_INT(num(&r, "itemCount"), 3);
    CHECK_EQ_STR(json_string_value(json_object_get(
                     json_object_get(json_object_get(r.json, "data"), "card"), "last4")),
                 "4242");
    CHECK(strstr(r.body, APPROVE) == NULL);
    /* The lines in the cart's order (the bag went in first, though its id is higher). */
    json_t *lines = json_object_get(json_object_get(r.json, "data"), "items");
    CHECK_EQ_INT(json_integer_value(json_object_get(json_array_get(lines, 0), "productId")), bag);
    CHECK_EQ_INT(json_integer_value(json_object_get(json_array_get(lines, 1), "unitPrice")), 12000);
    snprintf(id, sizeof(id), "%s", it_data_str(&r, "id"));
    it_resp_free(&r);
    CHECK_EQ_INT(cart_lines("GATEWAY", token), 0); /* the cart is emptied */
    CHECK_EQ_STR(payment_status(id), "CAPTURED");
    CHECK(wait_order(admin, id, "PAID", 10));
    /* The units left the stock. */
    CHECK_EQ_INT(stock_of(shoes, "s.on_hand"), 3);
    CHECK_EQ_INT(stock_of(shoes, "s.reserved"), 0);
    CHECK_EQ_INT(stock_of(shoes, "p.sold + s.sold_pending"), 2);
    CHECK_EQ_INT(stock_of(bag, "s.on_hand"), 2);
    /* The same key again: the same order, and no second charge. */
    CHECK_EQ_INT(checkout(&r, "GATEWAY", token, key, APPROVE, NULL), 201);
    CHECK_EQ_STR(it_data_str(&r, "id"), id);
    it_resp_free(&r);
    CHECK_EQ_INT(it_db_num(order_db, "SELECT count(*) FROM orders WHERE owner = $1", login), 1);
    /* The member's orders and the order, with its history. */
    it_request(&r, "GET", it_urlf("GATEWAY", "/api/orders"), token, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_INT(num(&r, "total"), 1);
    json_t *first = json_array_get(json_object_get(json_object_get(r.json, "data"), "items"), 0);
    CHECK_EQ_STR(json_string_value(json_object_get(first, "id")), id);
    it_resp_free(&r);
    it_request(&r, "GET", it_urlf("GATEWAY", "/api/orders/%s", id), token, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    json_t *history = json_object_get(json_object_get(r.json, "data"), "history");
    CHECK_EQ_INT(json_array_size(history), 2);
    CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(history, 1), "to")), "PAID");
    it_resp_free(&r);
    /* Someone else sees no such order. */
    char *other = utoken("someone-else-orders");
    CHECK_EQ_INT(get_order(&r, other, id), 404);
    it_resp_free(&r);
    ag_free(other);
    /* The events went out. */
    for (int i = 0; i < 30 && stream_count("order.paid", id) == 0; i++) {
        usleep(100 * 1000);
    }
    CHECK_EQ_INT(stream_count("order.created", id), 1);
    CHECK_EQ_INT(stream_count("order.paid", id), 1);
}

TEST(shipping_fee_under_the_free_amount)
{
    struct it_resp r;
    char key[40];
    long long p = it_product(admin, "buy-", "active", 12000, 5, NULL, 0);
    char *user = utoken("orders-fee-user");

    CHECK_EQ_INT(add("ORDER", user, p, 1), 201);
    it_unique(key, sizeof(key), "fee-");
    CHECK_EQ_INT(checkout(&r, "ORDER", user, key, APPROVE, NULL), 201);
    CHECK_EQ_INT(num(&r, "shippingFee"), 3000);
    CHECK_EQ_INT(num(&r, "total"), 15000);
    it_resp_free(&r);
    ag_free(user);
}

TEST(a_declined_card_keeps_the_cart_and_the_stock)
{
    struct it_resp r;
    char key[40], sub[40], id[40];
    long long p = it_product(admin, "buy-", "active", 20000, 4, NULL, 0);

    it_unique(sub, sizeof(sub), "decline-");
    char *user = it_token(sub, "user", 300);
    CHECK_EQ_INT(add("ORDER", user, p, 2), 201);
    it_unique(key, sizeof(key), "decline-");
    CHECK_EQ_INT(checkout(&r, "ORDER", user, key, DECLINE, NULL), 402);
    CHECK_EQ_STR(it_error_code(&r), "BIZ_3005");
    snprintf(id, sizeof(id), "%s", detail(&r, "orderId") != NULL ? detail(&r, "orderId") : "");
    CHECK_EQ_STR(detail(&r, "reason"), "payment_declined:insufficient_funds");
    it_resp_free(&r);
    CHECK(wait_order(user, id, "CANCELLED", 5));
    CHECK_EQ_INT(cart_lines("ORDER", user), 1);
    CHECK_EQ_INT(stock_of(p, "s.reserved"), 0);
    CHECK_EQ_INT(stock_of(p, "s.on_hand"), 4);
    CHECK_EQ_STR(payment_status(id), "FAILED");
    /* The key's answer is kept; a new key with a good card buys it. */
    CHECK_EQ_INT(checkout(&r, "ORDER", user, key, DECLINE, NULL), 402);
    it_resp_free(&r);
    it_unique(key, sizeof(key), "retry-");
    CHECK_EQ_INT(checkout(&r, "ORDER", user, key, APPROVE, NULL), 201);
    it_resp_free(&r);
    ag_free(user);
}

TEST(stock_that_ran_out_is_refused)
{
    struct it_resp r;
    char key[40];
    long long p = it_product(admin, "buy-", "active", 10000, 2, NULL, 0);
    char *a = utoken("orders-race-a");
    char *b = utoken("orders-race-b");

    CHECK_EQ_INT(add("ORDER", a, p, 2), 201);
    CHECK_EQ_INT(add("ORDER", b, p, 2), 201);
    it_unique(key, sizeof(key), "first-");
    CHECK_EQ_INT(checkout(&r, "ORDER", a, key, APPROVE, NULL), 201);
    it_resp_free(&r);
    it_unique(key, sizeof(key), "second-");
    CHECK_EQ_INT(checkout(&r, "ORDER", b, key, APPROVE, NULL), 409);
    CHECK(strstr(r.body, "\"available\":0") != NULL);
    it_resp_free(&r);
    CHECK_EQ_INT(stock_of(p, "s.on_hand"), 0);
    CHECK_EQ_INT(stock_of(p, "s.reserved"), 0);
    ag_free(a);
    ag_free(b);
}

struct racer {
    const char *token, *key;
    long status;
    char id[40];
};

static void *
race(void *arg)
{
    struct racer *x = arg;
    struct it_resp r;
    x->status = checkout(&r, "ORDER", x->token, x->key, APPROVE, NULL);
    const char *id = it_data_str(&r, "id");
    snprintf(x->id, sizeof(x->id), "%s", id != NULL ? id : "");
    it_resp_free(&r);
    return NULL;
}

TEST(twenty_concurrent_checkouts_under_one_key)
{
    struct racer x[20];
    pthread_t t[20];
    char key[40], sub[40], id[40] = "";
    int created = 0, busy = 0;
    long long p = it_product(admin, "buy-", "active", 30000, 10, NULL, 0);

    it_unique(sub, sizeof(sub), "race-");
    char *user = it_token(sub, "user", 300);
    CHECK_EQ_INT(add("ORDER", user, p, 3), 201);
    it_unique(key, sizeof(key), "race-");
    for (int i = 0; i < 20; i++) {
        x[i] = (struct racer){.token = user, .key = key};
        pthread_create(&t[i], NULL, race, &x[i]);
    }
    for (int i = 0; i < 20; i++) {
        pthread_join(t[i], NULL);
    }
    for (int i = 0; i < 20; i++) {
        created += x[i].status == 201;
        busy += x[i].status == 409;
        if (x[i].status != 201 && x[i].status != 409) {
            fprintf(stderr, "checkout %d of 20: HTTP %ld\n", i, x[i].status);
        }
        if (x[i].id[0] != '\0') {
            if (id[0] == '\0') {
                snprintf(id, sizeof(id), "%s", x[i].id);
            }
            CHECK_EQ_STR(x[i].id, id); /* whoever answered, one order */
        }
    }
    CHECK(created >= 1);
    CHECK_EQ_INT(created + busy, 20);
    CHECK_EQ_INT(it_db_num(order_db, "SELECT count(*) FROM orders WHERE owner = $1", sub), 1);
    CHECK_EQ_STR(payment_status(id), "CAPTURED");
    CHECK(wait_order(user, id, "PAID", 10));
    CHECK_EQ_INT(stock_of(p, "s.on_hand"), 7); /* one order's units, once */
    CHECK_EQ_INT(stock_of(p, "p.sold + s.sold_pending"), 3);
    ag_free(user);
}

TEST(an_unknown_payment_is_settled_by_recovery)
{
    struct it_resp r;
    char key[40], id[40], sub[48];
    long long p = it_product(admin, "buy-", "active", 15000, 3, NULL, 0);
    it_unique(sub, sizeof(sub), "orders-slow-");
    char *user = it_token(sub, "user", 300);

    CHECK_EQ_INT(add("ORDER", user, p, 1), 201);
    it_unique(key, sizeof(key), "slow-");
    /* The sandbox answers this card after 1.5 s, past payment's 0.8 s: UNKNOWN. */
    CHECK_EQ_INT(checkout(&r, "ORDER", user, key, SLOW, NULL), 202);
    CHECK_EQ_STR(it_data_str(&r, "status"), "PENDING");
    snprintf(id, sizeof(id), "%s", it_data_str(&r, "id"));
    it_resp_free(&r);
    CHECK_EQ_INT(stock_of(p, "s.reserved"), 1); /* held meanwhile */
    /* One more put in the cart meanwhile stays there once the first is bought. */
    CHECK_EQ_INT(add("ORDER", user, p, 1), 201);
    CHECK(wait_order(user, id, "PAID", 20));
    CHECK_EQ_STR(payment_status(id), "CAPTURED");
    CHECK_EQ_INT(stock_of(p, "s.reserved"), 0);
    CHECK_EQ_INT(stock_of(p, "s.on_hand"), 2);
    CHECK_EQ_INT(cart_lines("ORDER", user), 1);
    CHECK_EQ_INT(it_db_num(order_db, "SELECT qty FROM cart_items WHERE owner = $1", sub), 1);
    /* A repeat of the key answers as the first time (the record of the key), and the order
     * itself says how it ended. */
    char h[16];
    CHECK_EQ_INT(checkout(&r, "ORDER", user, key, SLOW, NULL), 202);
    CHECK_EQ_STR(it_header(&r, "X-Idempotency-Replayed", h, sizeof(h)), "true");
    CHECK_EQ_STR(it_data_str(&r, "id"), id);
    it_resp_free(&r);
    ag_free(user);
}

/* A paid order of 'qty' units of a new product of 'stock'; its id in 'id'. */
static long long
paid_order(const char *token, long long stock, long long qty, char *id, size_t size)
{
    struct it_resp r;
    char key[40];
    long long p = it_product(admin, "buy-", "active", 25000, stock, NULL, 0);
    if (p < 0 || add("ORDER", token, p, qty) != 201) {
        return -1;
    }
    it_unique(key, sizeof(key), "paid-");
    long st = checkout(&r, "ORDER", token, key, APPROVE, NULL);
    snprintf(id, size, "%s", st == 201 ? it_data_str(&r, "id") : "");
    it_resp_free(&r);
    return st == 201 && wait_order(token, id, "PAID", 10) ? p : -1;
}

static long
act(struct it_resp *r, const char *token, const char *id, const char *what)
{
    it_request(r, "POST", it_urlf("ORDER", "/api/orders/%s/%s", id, what), token, NULL, "{}", NULL);
    return r->status;
}

TEST(cancel_refunds_and_restocks)
{
    struct it_resp r;
    char id[40];
    char *user = utoken("orders-cancel-user");

    long long p = paid_order(user, 6, 2, id, sizeof(id));
    CHECK(p > 0);
    CHECK_EQ_INT(stock_of(p, "s.on_hand"), 4);
    CHECK_EQ_INT(act(&r, user, id, "cancel"), 200);
    CHECK_EQ_STR(it_data_str(&r, "status"), "CANCELLED");
    CHECK_EQ_STR(it_data_str(&r, "reason"), "cancelled_by_customer");
    it_resp_free(&r);
    CHECK(wait_order(user, id, "CANCELLED", 10));
    CHECK_EQ_STR(payment_status(id), "REFUNDED");
    CHECK_EQ_INT(stock_of(p, "s.on_hand"), 6); /* back on the shelf */
    CHECK_EQ_INT(stock_of(p, "p.sold + s.sold_pending"), 0);
    /* Again: as it is. Shipping it now is refused. */
    CHECK_EQ_INT(act(&r, user, id, "cancel"), 200);
    it_resp_free(&r);
    CHECK_EQ_INT(act(&r, admin, id, "ship"), 409);
    it_resp_free(&r);
    CHECK_EQ_INT(it_db_num(order_db,
                           "SELECT count(*) FROM order_events WHERE order_id = $1"
                           " AND to_status = 'CANCELLED'",
                           id),
                 1);
    ag_free(user);
}

TEST(admin_ships_delivers_and_refunds)
{
    struct it_resp r;
    char id[40];
    char *user = utoken("orders-admin-user");

    long long p = paid_order(user, 3, 1, id, sizeof(id));
    CHECK(p > 0);
    CHECK_EQ_INT(act(&r, user, id, "ship"), 403);
    it_resp_free(&r);
    CHECK_EQ_INT(act(&r, admin, id, "deliver"), 409); /* not shipped yet */
    it_resp_free(&r);
    CHECK_EQ_INT(act(&r, admin, id, "ship"), 200);
    CHECK_EQ_STR(it_data_str(&r, "status"), "SHIPPED");
    it_resp_free(&r);
    CHECK_EQ_INT(act(&r, user, id, "cancel"), 409); /* on its way: too late */
    it_resp_free(&r);
    CHECK_EQ_INT(act(&r, admin, id, "deliver"), 200);
    CHECK_EQ_STR(it_data_str(&r, "status"), "DELIVERED");
    it_resp_free(&r);
    CHECK_EQ_INT(act(&r, admin, id, "refund"), 200);
    CHECK_EQ_STR(it_data_str(&r, "status"), "REFUNDED");
    it_resp_free(&r);
    CHECK_EQ_STR(payment_status(id), "REFUNDED");
    CHECK_EQ_INT(stock_of(p, "s.on_hand"), 3);
    /* The admin's list has it; a member may not ask for everyone's. */
    it_request(&r, "GET", it_urlf("ORDER", "/api/orders?scope=all&status=REFUNDED&size=50"), admin,
               NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    CHECK(strstr(r.body, id) != NULL);
    it_resp_free(&r);
    it_request(&r, "GET", it_urlf("ORDER", "/api/orders?scope=all"), user, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 403);
    it_resp_free(&r);
    for (int i = 0; i < 30 && stream_count("order.refunded", id) == 0; i++) {
        usleep(100 * 1000);
    }
    CHECK_EQ_INT(stream_count("order.shipped", id), 1);
    CHECK_EQ_INT(stream_count("order.refunded", id), 1);
    /* The history is append-only, and no change outside the table can be written. */
    const char *v[] = {id};
    PGresult *res = PQexecParams(order_db, "DELETE FROM order_events WHERE order_id = $1", 1, NULL,
                                 v, NULL, NULL, 0);
    CHECK(PQresultStatus(res) == PGRES_FATAL_ERROR);
    PQclear(res);
    res = PQexecParams(order_db, "UPDATE orders SET status = 'PAID' WHERE id = $1", 1, NULL, v,
                       NULL, NULL, 0);
    CHECK(PQresultStatus(res) == PGRES_FATAL_ERROR); /* REFUNDED → PAID is not a transition */
    PQclear(res);
    ag_free(user);
}

TEST(a_saved_address)
{
    struct it_resp r;
    struct jar j;
    char login[40], key[40], path[120], addr[64], body[160];

    long long p = it_product(admin, "buy-", "active", 9000, 5, NULL, 0);
    CHECK_EQ_INT(sign_up(&j, login, sizeof(login)), 303);
    const char *token = jar_get(&j, "access_token");
    snprintf(path, sizeof(path), "/api/members/%s/addresses", login);
    it_request(&r, "POST", it_urlf("GATEWAY", "%s", path), token, NULL, ADDRESS, NULL);
    CHECK_EQ_INT(r.status, 201);
    snprintf(addr, sizeof(addr), "%s", it_data_str(&r, "id"));
    it_resp_free(&r);
    CHECK_EQ_INT(add("GATEWAY", token, p, 1), 201);
    it_unique(key, sizeof(key), "saved-");
    snprintf(body, sizeof(body), "{\"addressId\":\"00000000-0000-0000-0000-000000000000\"}");
    CHECK_EQ_INT(checkout(&r, "GATEWAY", token, key, APPROVE, body), 400);
    CHECK_EQ_STR(it_error_field(&r), "address.addressId");
    it_resp_free(&r);
    snprintf(body, sizeof(body), "{\"addressId\":\"%s\"}", addr);
    it_unique(key, sizeof(key), "saved-");
    CHECK_EQ_INT(checkout(&r, "GATEWAY", token, key, APPROVE, body), 201);
    json_t *a = json_object_get(json_object_get(r.json, "data"), "address");
    CHECK_EQ_STR(json_string_value(json_object_get(a, "recipient")), "김하늘");
    CHECK_EQ_STR(json_string_value(json_object_get(a, "postalCode")), "06236");
    it_resp_free(&r);
}

TEST(bad_input)
{
    struct it_resp r;
    char key[40];
    long long p = it_product(admin, "buy-", "active", 5000, 1, NULL, 0);
    char *user = utoken("orders-bad-input");
    char *guest = it_token("guest:orders-bad", "guest", 300);

    it_unique(key, sizeof(key), "bad-");
    CHECK_EQ_INT(checkout(&r, "ORDER", user, key, APPROVE, NULL), 409); /* empty cart */
    it_resp_free(&r);
    CHECK_EQ_INT(add("ORDER", user, p, 1), 201);
    CHECK_EQ_INT(checkout(&r, "ORDER", user, NULL, APPROVE, NULL), 400); /* no key */
    it_resp_free(&r);
    it_unique(key, sizeof(key), "bad-");
    CHECK_EQ_INT(checkout(&r, "ORDER", user, key, "4242424242424241", NULL), 400);
    CHECK_EQ_STR(it_error_field(&r), "payment.cardNumber");
    it_resp_free(&r);
    it_unique(key, sizeof(key), "bad-");
    CHECK_EQ_INT(checkout(&r, "ORDER", user, key, APPROVE, "{\"recipient\":\"x\"}"), 400);
    CHECK_EQ_STR(it_error_field(&r), "address.phone");
    it_resp_free(&r);
    it_unique(key, sizeof(key), "bad-");
    it_request(&r, "POST", it_urlf("ORDER", "/api/orders"), user, key, "{\"address\":1}", NULL);
    CHECK_EQ_INT(r.status, 400);
    it_resp_free(&r);
    it_unique(key, sizeof(key), "bad-");
    CHECK_EQ_INT(checkout(&r, "ORDER", guest, key, APPROVE, NULL), 403); /* sign in to buy */
    it_resp_free(&r);
    CHECK_EQ_INT(get_order(&r, user, "ord_nope"), 404);
    it_resp_free(&r);
    it_request(&r, "GET", it_urlf("ORDER", "/api/orders?status=LOST"), user, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 400);
    it_resp_free(&r);
    /* Sold out between the cart and the checkout. */
    char *other = utoken("orders-bad-other");
    CHECK_EQ_INT(add("ORDER", other, p, 1), 201);
    it_unique(key, sizeof(key), "bad-other-");
    CHECK_EQ_INT(checkout(&r, "ORDER", other, key, APPROVE, NULL), 201);
    it_resp_free(&r);
    it_unique(key, sizeof(key), "bad-late-");
    CHECK_EQ_INT(checkout(&r, "ORDER", user, key, APPROVE, NULL), 409);
    CHECK(strstr(r.body, "\"available\":0") != NULL);
    it_resp_free(&r);
    ag_free(other);
    ag_free(user);
    ag_free(guest);
}

int
main(int argc, char **argv)
{
    static const struct ag_test tests[] = {
        TEST_ENTRY(a_member_buys_through_the_gateway),
        TEST_ENTRY(shipping_fee_under_the_free_amount),
        TEST_ENTRY(a_declined_card_keeps_the_cart_and_the_stock),
        TEST_ENTRY(stock_that_ran_out_is_refused),
        TEST_ENTRY(twenty_concurrent_checkouts_under_one_key),
        TEST_ENTRY(an_unknown_payment_is_settled_by_recovery),
        TEST_ENTRY(cancel_refunds_and_restocks),
        TEST_ENTRY(admin_ships_delivers_and_refunds),
        TEST_ENTRY(a_saved_address),
        TEST_ENTRY(bad_input),
    };

    it_init();
    admin = it_token("orders-admin", "admin", 600);
    snprintf(internal, sizeof(internal), "X-Internal-Token: %s", it_internal_token());
    catalog_db = it_db("catalog");
    order_db = it_db("order");
    int rc = ag_test_main_(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
    PQfinish(catalog_db);
    PQfinish(order_db);
    ag_free(admin);
    it_cleanup();
    return rc;
}
