/*
 * ag_rate: per-key fixed windows in a bounded table.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "ag_test.h"

#include "agora/rate.h"

TEST(limit_per_key_and_window)
{
    struct ag_rate *r = ag_rate_new(1024, 3, 60);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_INT(ag_rate_take(r, "10.0.0.1", 8, 120), 1);
    }
    CHECK_EQ_INT(ag_rate_take(r, "10.0.0.1", 8, 130), 0); /* same window (120..179) */
    CHECK_EQ_INT(ag_rate_take(r, "10.0.0.1", 8, 179), 0);
    CHECK_EQ_INT(ag_rate_take(r, "10.0.0.1", 8, 180), 1); /* the next window */
    ag_rate_free(r);
    ag_rate_free(NULL);
}

/* Distinct keys in distinct slots count apart; a single slot makes them share (never more). */
TEST(keys_apart_and_shared_slots)
{
    struct ag_rate *r = ag_rate_new(1 << 16, 2, 10);
    int refused_b = 0;
    for (int i = 0; i < 2; i++) {
        CHECK_EQ_INT(ag_rate_take(r, "a", 1, 0), 1);
    }
    CHECK_EQ_INT(ag_rate_take(r, "a", 1, 0), 0);
    refused_b = !ag_rate_take(r, "b", 1, 0); /* 'b' in 'a''s slot: 1 in 65536 */
    CHECK(!refused_b);
    ag_rate_free(r);
    struct ag_rate *one = ag_rate_new(1, 2, 10);
    int admitted = 0;
    for (int i = 0; i < 10; i++) {
        char key[16];
        int n = snprintf(key, sizeof(key), "client-%d", i);
        admitted += ag_rate_take(one, key, (size_t)n, 5);
    }
    CHECK_EQ_INT(admitted, 2);
    ag_rate_free(one);
}

struct taker {
    struct ag_rate *r;
    int admitted;
};

static void *
take_many(void *arg)
{
    struct taker *t = arg;
    for (int i = 0; i < 1000; i++) {
        t->admitted += ag_rate_take(t->r, "shared", 6, 42);
    }
    return NULL;
}

/* Many threads on one key: exactly the limit gets through. */
TEST(threads_never_exceed_the_limit)
{
    struct ag_rate *r = ag_rate_new(64, 100, 60);
    struct taker t[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        t[i] = (struct taker){r, 0};
        pthread_create(&th[i], NULL, take_many, &t[i]);
    }
    int total = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        total += t[i].admitted;
    }
    CHECK_EQ_INT(total, 100);
    ag_rate_free(r);
}

static const struct ag_test tests[] = {
    TEST_ENTRY(limit_per_key_and_window),
    TEST_ENTRY(keys_apart_and_shared_slots),
    TEST_ENTRY(threads_never_exceed_the_limit),
};

int
main(int argc, char **argv)
{
    return ag_test_main_(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
