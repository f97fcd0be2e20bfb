/*
 * Unit tests of the payment service's rules (services/payment/payment.c): the state machine
 * (every allowed transition, the chains a settle goes through, what cannot be reached), the
 * SQL schema's copy of the transition table, ids, UUIDs and currencies.
 */
#include <stdio.h>
#include <string.h>

#include "ag_test.h"

#include "agora/err.h"
#include "agora/mem.h"

#include "payment.h"

static struct ag_str
S(const char *s) {
    return (struct ag_str){s, strlen(s)};
}

/* The chain from 'from' to 'to' as "A>B>C" ("" for none, "x" when unreachable). */
static const char *
chain(enum payment_status from, enum payment_status to)
{
    static char buf[160];
    enum payment_status steps[PAYMENT_STEPS_MAX];
    int n = payment_path(from, to, steps);
    size_t len = 0;

    buf[0] = '\0';
    if (n < 0) {
        return "x";
    }
    for (int i = 0; i < n; i++) {
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i > 0 ? ">" : "",
                                payment_status_name(steps[i]));
    }
    return buf;
}

TEST(transitions)
{
    CHECK(payment_transition_ok(PAYMENT_PENDING, PAYMENT_AUTHORIZED));
    CHECK(payment_transition_ok(PAYMENT_AUTHORIZED, PAYMENT_CAPTURED));
    CHECK(payment_transition_ok(PAYMENT_PARTIALLY_REFUNDED, PAYMENT_PARTIALLY_REFUNDED));
    CHECK(!payment_transition_ok(PAYMENT_PENDING, PAYMENT_CAPTURED)); /* authorize first */
    CHECK(!payment_transition_ok(PAYMENT_CAPTURED, PAYMENT_VOIDED));  /* refund instead */
    CHECK(!payment_transition_ok(PAYMENT_FAILED, PAYMENT_AUTHORIZED));
    CHECK(!payment_transition_ok(PAYMENT_REFUNDED, PAYMENT_CAPTURED));
    /* Terminal states go nowhere. */
    for (int to = 0; to < PAYMENT_NSTATUS; to++) {
        CHECK(!payment_transition_ok(PAYMENT_FAILED, (enum payment_status)to));
        CHECK(!payment_transition_ok(PAYMENT_VOIDED, (enum payment_status)to));
        CHECK(!payment_transition_ok(PAYMENT_REFUNDED, (enum payment_status)to));
    }
}

TEST(paths)
{
    CHECK_EQ_STR(chain(PAYMENT_PENDING, PAYMENT_PENDING), "");
    CHECK_EQ_STR(chain(PAYMENT_PENDING, PAYMENT_CAPTURED), "AUTHORIZED>CAPTURED");
    CHECK_EQ_STR(chain(PAYMENT_UNKNOWN, PAYMENT_REFUNDED), "AUTHORIZED>CAPTURED>REFUNDED");
    CHECK_EQ_STR(chain(PAYMENT_UNKNOWN, PAYMENT_VOIDED), "AUTHORIZED>VOIDED");
    CHECK_EQ_STR(chain(PAYMENT_PENDING, PAYMENT_FAILED), "FAILED");
    CHECK_EQ_STR(chain(PAYMENT_AUTHORIZED, PAYMENT_UNKNOWN), "UNKNOWN");
    CHECK_EQ_STR(chain(PAYMENT_CAPTURED, PAYMENT_PARTIALLY_REFUNDED), "PARTIALLY_REFUNDED");
    /* Old news cannot move a payment back. */
    CHECK_EQ_STR(chain(PAYMENT_CAPTURED, PAYMENT_AUTHORIZED), "x");
    CHECK_EQ_STR(chain(PAYMENT_REFUNDED, PAYMENT_CAPTURED), "x");
    CHECK_EQ_STR(chain(PAYMENT_FAILED, PAYMENT_CAPTURED), "x");
    CHECK_EQ_STR(chain(PAYMENT_VOIDED, PAYMENT_CAPTURED), "x");
    /* Every step of every chain is an allowed transition. */
    for (int f = 0; f < PAYMENT_NSTATUS; f++) {
        for (int t = 0; t < PAYMENT_NSTATUS; t++) {
            enum payment_status steps[PAYMENT_STEPS_MAX];
            int n = payment_path((enum payment_status)f, (enum payment_status)t, steps);
            enum payment_status prev = (enum payment_status)f;
            for (int i = 0; i < n; i++) {
                CHECK(payment_transition_ok(prev, steps[i]));
                prev = steps[i];
            }
        }
    }
}

/* The schema's payment_transitions CHECK pairs are the table in payment.c, no more, no less. */
TEST(schema_holds_the_same_table)
{
    const char *sql = payment_schema[0].text;
    const char *values = strstr(sql, "CONSTRAINT payment_transitions CHECK");
    CHECK(values != NULL);
    const char *end = strstr(values, ");");
    CHECK(end != NULL);
    char *insert = ag_xstrndup(values, (size_t)(end - values));
    int rows = 0;
    for (int f = 0; f < PAYMENT_NSTATUS; f++) {
        for (int t = 0; t < PAYMENT_NSTATUS; t++) {
            char pair[64];
            snprintf(pair, sizeof(pair), "('%s', '%s')",
                     payment_status_name((enum payment_status)f),
                     payment_status_name((enum payment_status)t));
            int in_sql = strstr(insert, pair) != NULL;
            CHECK_EQ_INT(in_sql,
                         payment_transition_ok((enum payment_status)f, (enum payment_status)t));
            rows += in_sql;
        }
    }
    ag_free(insert);
    CHECK_EQ_INT(rows, 12);
}

TEST(names_ids_and_currencies)
{
    enum payment_status s;
    const char *why;
    struct payment_app app;

    for (int i = 0; i < PAYMENT_NSTATUS; i++) {
        CHECK_EQ_INT(payment_status_parse(payment_status_name((enum payment_status)i), &s), 0);
        CHECK_EQ_INT((int)s, i);
    }
    CHECK_EQ_INT(payment_status_parse("captured", &s), AG_EINVAL);
    CHECK_EQ_INT(payment_uuid_check(S("0b5f3c0e-6d1a-4f7e-9a57-3d2c1b0a9f88")), 0);
    CHECK_EQ_INT(payment_uuid_check(S("0B5F3C0E-6D1A-4F7E-9A57-3D2C1B0A9F88")), AG_EINVAL);
    CHECK_EQ_INT(payment_uuid_check(S("0b5f3c0e6d1a4f7e9a573d2c1b0a9f88")), AG_EINVAL);
    CHECK_EQ_INT(payment_uuid_check(S("0b5f3c0e-6d1a-4f7e-9a57-3d2c1b0a9f8g")), AG_EINVAL);
    CHECK_EQ_INT(payment_id_text_check(S("ord_1-A"), &why), 0);
    CHECK_EQ_INT(payment_id_text_check(S(""), &why), AG_EINVAL);
    CHECK_EQ_INT(payment_id_text_check(S("ord 1"), &why), AG_EINVAL);
    CHECK_EQ_INT(payment_id_text_check(S("주문"), &why), AG_EINVAL);
    CHECK_EQ_INT(payment_currencies_parse(&app, "KRW,USD"), 0);
    CHECK_EQ_INT((int)app.ncurrencies, 2);
    CHECK(payment_currency_ok(&app, S("USD")));
    CHECK(!payment_currency_ok(&app, S("EUR")));
    CHECK_EQ_INT(payment_currencies_parse(&app, "KRW,usd"), AG_EINVAL);
    CHECK_EQ_INT(payment_currencies_parse(&app, "KRW,"), 0);
    CHECK_EQ_INT(payment_currencies_parse(&app, ""), AG_EINVAL);
    CHECK_EQ_INT(payment_currencies_parse(&app, "KRWX"), AG_EINVAL);
}

int
main(int argc, char **argv)
{
    static const struct ag_test tests[] = {
        TEST_ENTRY(transitions),
        TEST_ENTRY(paths),
        TEST_ENTRY(schema_holds_the_same_table),
        TEST_ENTRY(names_ids_and_currencies),
    };
    return ag_test_main_(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
