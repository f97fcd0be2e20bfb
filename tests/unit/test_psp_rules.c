/*
 * Unit tests of the card provider sandbox's rules (services/psp-sandbox/psp.c, agora/card.h) and
 * its memory (store.c): card numbers, test cards, brands, the webhook signature against a value
 * computed elsewhere (Python's hmac), and idempotency records.
 */
#include <stdio.h>
#include <string.h>

#include "ag_test.h"

#include "agora/card.h"
#include "agora/err.h"
#include "agora/mem.h"

#include "psp.h"

static struct ag_str
S(const char *s) {
    return (struct ag_str){s, strlen(s)};
}

TEST(card_numbers)
{
    const char *why;
    CHECK_EQ_INT(ag_card_check(S("4242424242424242"), &why), 0);
    CHECK_EQ_INT(ag_card_check(S("5555555555554444"), &why), 0);
    CHECK_EQ_INT(ag_card_check(S("4242424242424241"), &why), AG_EINVAL); /* Luhn */
    CHECK_EQ_INT(ag_card_check(S("42424242424"), &why), AG_EINVAL);      /* too short */
    CHECK_EQ_INT(ag_card_check(S("4242 4242 4242 4242"), &why), AG_EINVAL);
    CHECK_EQ_INT(ag_card_check(S("42424242424242424242"), &why), AG_EINVAL); /* 20 digits */
}

TEST(test_cards_and_brands)
{
    CHECK_EQ_INT(psp_card_kind(S("4242424242424242")), PSP_CARD_APPROVE);
    CHECK_EQ_INT(psp_card_kind(S("4000000000009995")), PSP_CARD_INSUFFICIENT_FUNDS);
    CHECK_EQ_INT(psp_card_kind(S("4000000000009979")), PSP_CARD_STOLEN);
    CHECK_EQ_INT(psp_card_kind(S("4000000000000077")), PSP_CARD_SLOW);
    CHECK_EQ_INT(psp_card_kind(S("4000000000000119")), PSP_CARD_FAIL_ONCE);
    CHECK_EQ_STR(ag_card_brand(S("4242424242424242")), "visa");
    CHECK_EQ_STR(ag_card_brand(S("5555555555554444")), "mastercard");
    CHECK_EQ_STR(ag_card_brand(S("378282246310005")), "amex");
    CHECK_EQ_STR(ag_card_brand(S("6011111111111117")), "other");
}

TEST(webhook_signature)
{
    char sig[128];
    psp_sign("whsec", 1700000000, "{\"a\":1}", 7, sig, sizeof(sig));
    CHECK_EQ_STR(
        sig, "t=1700000000,v1=8ad37ba156048ae0e0a5533c75cdf26fee88b07f93cb57ee4c80adb053012032");
}

TEST(idempotency_records)
{
    struct psp_store *s = psp_store_new(2);
    struct ag_arena a;
    int status;
    const char *body;

    ag_arena_init(&a);
    CHECK_EQ_INT(psp_store_key_begin(s, &a, "k1", "fp1", &status, &body), AG_ENOTFOUND);
    CHECK_EQ_INT(psp_store_key_begin(s, &a, "k1", "fp1", &status, &body), AG_EINFLIGHT);
    CHECK_EQ_INT(psp_store_key_begin(s, &a, "k1", "fp2", &status, &body), AG_EIDEMMISMATCH);
    psp_store_key_end(s, "k1", 201, "{\"id\":1}", 8);
    CHECK_EQ_INT(psp_store_key_begin(s, &a, "k1", "fp1", &status, &body), 0);
    CHECK_EQ_INT(status, 201);
    CHECK_EQ_STR(body, "{\"id\":1}");
    /* A failed request forgets its key: the retry runs again. */
    CHECK_EQ_INT(psp_store_key_begin(s, &a, "k2", "fp", &status, &body), AG_ENOTFOUND);
    CHECK_EQ_INT(psp_store_key_failed_once(s, "k2"), 0);
    CHECK_EQ_INT(psp_store_key_failed_once(s, "k2"), 1);
    psp_store_key_end(s, "k2", 0, NULL, 0);
    CHECK_EQ_INT(psp_store_key_begin(s, &a, "k2", "fp", &status, &body), AG_ENOTFOUND);
    /* Bounded: a third key does not fit in a store of two. */
    CHECK_EQ_INT(psp_store_key_begin(s, &a, "k3", "fp", &status, &body), AG_EUNAVAIL);
    struct psp_payment p = {.amount = 1}, q;
    CHECK_EQ_INT(psp_store_add(s, &p), 0);
    CHECK_EQ_INT(strncmp(p.id, "pay_", 4), 0);
    CHECK_EQ_INT(psp_store_get(s, p.id, &q), 0);
    CHECK_EQ_INT(q.amount, 1);
    CHECK_EQ_INT(psp_store_add(s, &p), 0);
    CHECK_EQ_INT(psp_store_add(s, &p), AG_EUNAVAIL);
    ag_arena_release(&a);
    psp_store_free(s);
}

int
main(int argc, char **argv)
{
    static const struct ag_test tests[] = {
        TEST_ENTRY(card_numbers),
        TEST_ENTRY(test_cards_and_brands),
        TEST_ENTRY(webhook_signature),
        TEST_ENTRY(idempotency_records),
    };
    return ag_test_main_(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
