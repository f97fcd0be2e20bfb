/*
 * Unit tests of the order service's rules (services/order/orders.c and cart.c): the state
 * machine and the SQL schema's copy of it, the saga's step names, the shipping fee, order ids
 * and the cart's quantity rule.
 */
#include <stdio.h>
#include <string.h>

#include "ag_test.h"

#include "agora/err.h"
#include "agora/mem.h"

#include "order.h"

static struct ag_str
S(const char *s) {
    return (struct ag_str){s, strlen(s)};
}

TEST(transitions)
{
    CHECK(order_transition_ok(ORDER_PENDING, ORDER_PAID));
    CHECK(order_transition_ok(ORDER_PENDING, ORDER_CANCELLED));
    CHECK(order_transition_ok(ORDER_PAID, ORDER_SHIPPED));
    CHECK(order_transition_ok(ORDER_PAID, ORDER_CANCELLED));
    CHECK(order_transition_ok(ORDER_SHIPPED, ORDER_DELIVERED));
    CHECK(order_transition_ok(ORDER_DELIVERED, ORDER_REFUNDED));
    CHECK(!order_transition_ok(ORDER_PENDING, ORDER_SHIPPED));   /* pay first */
    CHECK(!order_transition_ok(ORDER_SHIPPED, ORDER_CANCELLED)); /* refund instead */
    CHECK(!order_transition_ok(ORDER_PENDING, ORDER_REFUNDED));  /* nothing was paid */
    CHECK(!order_transition_ok(ORDER_PAID, ORDER_PENDING));
    CHECK(!order_transition_ok(ORDER_PAID, ORDER_PAID));
    /* Terminal states go nowhere. */
    for (int to = 0; to < ORDER_NSTATUS; to++) {
        CHECK(!order_transition_ok(ORDER_CANCELLED, (enum order_status)to));
        CHECK(!order_transition_ok(ORDER_REFUNDED, (enum order_status)to));
    }
}

/* The schema's order_transitions CHECK pairs are the table in orders.c, no more, no less. */
TEST(schema_holds_the_same_table)
{
    const char *sql = NULL;
    for (size_t i = 0; i < order_schema_count; i++) {
        if (strstr(order_schema[i].text, "CONSTRAINT order_transitions CHECK") != NULL) {
            sql = order_schema[i].text;
        }
    }
    CHECK(sql != NULL);
    const char *values = strstr(sql, "CONSTRAINT order_transitions CHECK");
    const char *end = strstr(values, ")));");
    CHECK(end != NULL);
    char *pairs = ag_xstrndup(values, (size_t)(end - values) + 2);
    int rows = 0;
    for (int f = 0; f < ORDER_NSTATUS; f++) {
        for (int t = 0; t < ORDER_NSTATUS; t++) {
            char pair[64];
            snprintf(pair, sizeof(pair), "('%s', '%s')", order_status_name((enum order_status)f),
                     order_status_name((enum order_status)t));
            int in_sql = strstr(pairs, pair) != NULL;
            CHECK_EQ_INT(in_sql, order_transition_ok((enum order_status)f, (enum order_status)t));
            rows += in_sql;
        }
    }
    ag_free(pairs);
    CHECK_EQ_INT(rows, 8);
}

TEST(names_round_trip)
{
    for (int i = 0; i < ORDER_NSTATUS; i++) {
        enum order_status s;
        CHECK_EQ_INT(order_status_parse(order_status_name((enum order_status)i), &s), 0);
        CHECK_EQ_INT((int)s, i);
    }
    for (int i = 0; i < STEP_N; i++) {
        enum order_step s;
        CHECK_EQ_INT(order_step_parse(order_step_name((enum order_step)i), &s), 0);
        CHECK_EQ_INT((int)s, i);
    }
    enum order_status s;
    CHECK_EQ_INT(order_status_parse("paid", &s), AG_EINVAL); /* case matters */
    CHECK_EQ_INT(order_status_parse(NULL, &s), AG_EINVAL);
    CHECK_EQ_STR(order_status_name((enum order_status)99), "?");
}

TEST(shipping_fee)
{
    CHECK_EQ_INT(order_shipping_fee(12000, 3000, 50000), 3000);
    CHECK_EQ_INT(order_shipping_fee(49999, 3000, 50000), 3000);
    CHECK_EQ_INT(order_shipping_fee(50000, 3000, 50000), 0); /* free from the amount on */
    CHECK_EQ_INT(order_shipping_fee(900000, 3000, 0), 3000); /* 0: never free */
    CHECK_EQ_INT(order_shipping_fee(100, 0, 50000), 0);
}

TEST(order_ids)
{
    char a[ORDER_ID_LEN + 1], b[ORDER_ID_LEN + 1];
    order_id_new(a);
    order_id_new(b);
    CHECK_EQ_INT((long long)strlen(a), ORDER_ID_LEN);
    CHECK(strcmp(a, b) != 0);
    CHECK_EQ_INT(order_id_check(S(a)), 0);
    CHECK_EQ_INT(order_id_check(S("ord_0549481890948bedafec1eae")), 0);
    CHECK_EQ_INT(order_id_check(S("ord_0549481890948BEDAFEC1EAE")), AG_EINVAL);
    CHECK_EQ_INT(order_id_check(S("ord_0549481890948bedafec1ea")), AG_EINVAL);
    CHECK_EQ_INT(order_id_check(S("xyz_0549481890948bedafec1eae")), AG_EINVAL);
    CHECK_EQ_INT(order_id_check(S("ord_../../../etc/passwd/xxxx")), AG_EINVAL);
    CHECK_EQ_INT(order_id_check(S("")), AG_EINVAL);
}

TEST(cart_quantities)
{
    CHECK_EQ_INT(order_cart_add_qty(0, 2, 10), 2);
    CHECK_EQ_INT(order_cart_add_qty(3, 2, 4), 4);      /* capped at the stock */
    CHECK_EQ_INT(order_cart_add_qty(90, 20, 500), 99); /* and at 99 */
    CHECK_EQ_INT(order_cart_add_qty(0, 1, 0), 0);      /* none left */
}

int
main(int argc, char **argv)
{
    static const struct ag_test tests[] = {
        TEST_ENTRY(transitions),      TEST_ENTRY(schema_holds_the_same_table),
        TEST_ENTRY(names_round_trip), TEST_ENTRY(shipping_fee),
        TEST_ENTRY(order_ids),        TEST_ENTRY(cart_quantities),
    };
    return ag_test_main_(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
