/*
 * The order service killed (SIGKILL) at each step of checkout, in a loop of runs: after the
 * order row, after the stock reservation, and after the payment answered. The test stack's
 * order service is replaced by instances started with AGORA_ORDER_CRASH_AT, which die at
 * that point of the first checkout they take; then a normal instance is started again (into
 * the stack's pid file, so the stack stops it), and once its recovery worker has run, every
 * run must hold: no order unpaid and holding stock, exactly one capture per paid order and
 * none for an order that never reached payment, and the product's stock on hand plus sold
 * equal to where it started.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ag_test.h"
#include "itest.h"

#include "agora/mem.h"

#define APPROVE "4242424242424242"
#define STOCK   5
#define QTY     2
#define RUNS    3 /* per crash point */
#define ADDRESS                                                                                    \
    "{\"recipient\":\"Lee\",\"phone\":\"010-0000-0000\",\"postalCode\":\"04524\","                 \
    "\"line1\":\"Seoul\"}"

static char *admin;
static char internal[320], psp_auth[320];
static PGconn *catalog_db, *order_db;

static const char *
path_of(const char *rel)
{
    static char buf[1024];
    snprintf(buf, sizeof(buf), "%s/%s", getenv("AGORA_SOURCE_DIR"), rel);
    return buf;
}

static int
ready(void)
{
    struct it_resp r;
    it_request(&r, "GET", it_urlf("ORDER", "/readyz"), NULL, NULL, NULL, NULL);
    long st = r.status;
    it_resp_free(&r);
    return st == 200;
}

/* Starts an order service (in its own session, its output appended to the stack's order
 * log) with AGORA_ORDER_CRASH_AT 'crash_at' (NULL: none); its pid once it is ready, or -1. */
static pid_t
start_order(const char *crash_at)
{
    char bin[1024];
    snprintf(bin, sizeof(bin), "%s/order", getenv("AGORA_BIN_DIR"));
    pid_t pid = fork();
    if (pid == 0) {
        setsid();
        int fd = open(path_of("var/test/log/order.log"), O_WRONLY | O_APPEND | O_CREAT, 0600);
        int null = open("/dev/null", O_RDONLY);
        if (fd < 0 || null < 0) {
            _exit(127);
        }
        dup2(null, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (crash_at != NULL) {
            setenv("AGORA_ORDER_CRASH_AT", crash_at, 1);
        } else {
            unsetenv("AGORA_ORDER_CRASH_AT");
        }
        /* The stack's environment, as scripts/stack gives it to the services. */
        execl("/bin/bash", "bash", "-c", ". \"$1\" && exec \"$2\"", "order",
              path_of("var/test/stack.env"), bin, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; pid > 0 && i < 200; i++) {
        if (ready()) {
            return pid;
        }
        if (waitpid(pid, NULL, WNOHANG) == pid) {
            return -1;
        }
        usleep(50 * 1000);
    }
    return -1;
}

/* The stack's own order service, killed; 1 when it is gone. */
static int
kill_stack_order(void)
{
    FILE *f = fopen(path_of("var/test/run/order.pid"), "r");
    long pid = 0;
    if (f == NULL || fscanf(f, "%ld", &pid) != 1 || pid <= 0) {
        if (f != NULL) {
            fclose(f);
        }
        return 0;
    }
    fclose(f);
    kill((pid_t)pid, SIGKILL);
    for (int i = 0; i < 100 && ready(); i++) {
        usleep(50 * 1000);
    }
    usleep(100 * 1000);
    return !ready();
}

struct run {
    const char *point;
    char sub[48], order[40], payment[64];
    long long product;
    long status; /* the crashed checkout's answer: none */
};

static int
one_run(struct run *x)
{
    struct it_resp r;
    char body[512], key[40];

    it_unique(x->sub, sizeof(x->sub), "fault-");
    x->product = it_product(admin, "fault-", "active", 21000, STOCK, NULL, 0);
    char *token = it_token(x->sub, "user", 600);
    pid_t pid = start_order(x->point);
    snprintf(body, sizeof(body), "{\"productId\":%lld,\"qty\":%d}", x->product, QTY);
    it_request(&r, "POST", it_urlf("ORDER", "/api/cart/items"), token, NULL, body, NULL);
    long added = r.status;
    it_resp_free(&r);
    if (added != 201 || pid < 0) {
        fprintf(stderr, "test_order_faults: order started: %d, cart: %ld\n", pid > 0, added);
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
        }
        ag_free(token);
        return 0;
    }
    it_unique(key, sizeof(key), "fault-");
    snprintf(body, sizeof(body), "{\"address\":" ADDRESS ",\"payment\":{\"cardNumber\":\"%s\"}}",
             APPROVE);
    it_request(&r, "POST", it_urlf("ORDER", "/api/orders"), token, key, body, NULL);
    x->status = r.status;
    it_resp_free(&r);
    int st = 0;
    waitpid(pid, &st, 0);
    ag_free(token);
    return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
}

/* Captures of payment 'id' at the provider. */
static size_t
captures(const char *id)
{
    struct it_resp r;
    const char *h[] = {psp_auth, NULL};
    size_t n = 0, i;
    json_t *p;
    it_request(&r, "GET", it_urlf("PSP_SANDBOX", "/v1/payments?reference=%s", id), NULL, NULL, NULL,
               h);
    json_array_foreach(json_object_get(r.json, "data"), i, p)
    {
        n += strcmp(json_string_value(json_object_get(p, "status")), "captured") == 0;
    }
    it_resp_free(&r);
    return n;
}

static const char *
payment_of(const char *order, char *id, size_t size)
{
    struct it_resp r;
    const char *h[] = {internal, NULL};
    it_request(&r, "GET", it_urlf("PAYMENT", "/internal/payments?orderId=%s", order), NULL, NULL,
               NULL, h);
    snprintf(id, size, "%s", r.status == 200 ? it_data_str(&r, "id") : "");
    const char *status = r.status == 200 ? it_data_str(&r, "status") : "";
    static char buf[32];
    snprintf(buf, sizeof(buf), "%s", status);
    it_resp_free(&r);
    return buf;
}

static long long
stock(long long product, const char *col)
{
    char p[24], sql[160];
    snprintf(p, sizeof(p), "%lld", product);
    snprintf(
        sql, sizeof(sql),
        "SELECT %s FROM stock s JOIN products p ON p.id = s.product_id WHERE p.id = $1::bigint",
        col);
    return it_db_num(catalog_db, sql, p);
}

TEST(kill_at_every_step_then_recover)
{
    static const char *const points[] = {"created", "reserved", "paid"};
    struct run runs[3 * RUNS];
    size_t n = 0;

    CHECK(kill_stack_order());
    for (size_t p = 0; p < 3; p++) {
        for (int i = 0; i < RUNS; i++) {
            struct run *x = &runs[n++];
            memset(x, 0, sizeof(*x));
            x->point = points[p];
            CHECK(one_run(x));          /* it died where it was told to */
            CHECK_EQ_INT(x->status, 0); /* and the shopper got no answer */
        }
    }
    /* Back to a normal service, which the stack will stop. */
    pid_t pid = start_order(NULL);
    CHECK(pid > 0);
    FILE *f = fopen(path_of("var/test/run/order.pid"), "w");
    CHECK(f != NULL);
    fprintf(f, "%ld\n", (long)pid);
    fclose(f);
    /* The recovery worker takes each order after its lease. */
    for (int t = 0; t < 300; t++) {
        long long open = it_db_num(order_db,
                                   "SELECT count(*) FROM orders WHERE step <> 'done'"
                                   " AND owner LIKE $1",
                                   "fault-%");
        if (open == 0) {
            break;
        }
        usleep(100 * 1000);
    }
    for (size_t i = 0; i < n; i++) {
        struct run *x = &runs[i];
        CHECK_EQ_INT(it_db_num(order_db, "SELECT count(*) FROM orders WHERE owner = $1", x->sub),
                     1);
        snprintf(x->order, sizeof(x->order), "%s",
                 it_db_text(order_db, "SELECT id FROM orders WHERE owner = $1", x->sub));
        const char *state = it_db_text(
            order_db, "SELECT status || '/' || step FROM orders WHERE id = $1", x->order);
        const char *pay = payment_of(x->order, x->payment, sizeof(x->payment));
        if (strcmp(x->point, "paid") == 0) {
            CHECK_EQ_STR(state, "PAID/done");
            CHECK_EQ_STR(pay, "CAPTURED");
            CHECK_EQ_INT(captures(x->payment), 1);
            CHECK_EQ_INT(stock(x->product, "s.on_hand"), STOCK - QTY);
            CHECK_EQ_INT(stock(x->product, "p.sold + s.sold_pending"), QTY);
            CHECK_EQ_INT(
                it_db_num(order_db, "SELECT count(*) FROM cart_items WHERE owner = $1", x->sub), 0);
        } else {
            /* It never reached payment: undone, nothing charged, nothing held. */
            CHECK_EQ_STR(state, "CANCELLED/done");
            CHECK_EQ_STR(it_db_text(order_db, "SELECT reason FROM orders WHERE id = $1", x->order),
                         "checkout_interrupted");
            CHECK_EQ_STR(pay, "");
            CHECK_EQ_INT(stock(x->product, "p.sold + s.sold_pending"), 0);
        }
        /* Whatever happened: nothing left reserved, and no unit made or lost. */
        CHECK_EQ_INT(stock(x->product, "s.reserved"), 0);
        CHECK_EQ_INT(stock(x->product, "s.on_hand") + stock(x->product, "p.sold + s.sold_pending"),
                     STOCK);
    }
}

int
main(int argc, char **argv)
{
    static const struct ag_test tests[] = {
        TEST_ENTRY(kill_at_every_step_then_recover),
    };

    it_init();
    admin = it_token("faults-admin", "admin", 600);
    snprintf(internal, sizeof(internal), "X-Internal-Token: %s", it_internal_token());
    char *key = it_stack_key("psp-api-key");
    snprintf(psp_auth, sizeof(psp_auth), "Authorization: Bearer %s", key);
    ag_free(key);
    catalog_db = it_db("catalog");
    order_db = it_db("order");
    int rc = ag_test_main_(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
    PQfinish(catalog_db);
    PQfinish(order_db);
    ag_free(admin);
    it_cleanup();
    return rc;
}
