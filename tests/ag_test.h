/*
 * A tiny test harness: TEST(name) functions registered in a table, typed checks that print
 * both sides with file:line, and a main that runs all tests or those named on the command
 * line. A failed check ends its test; the program exits 1 when any test failed.
 *
 * Use: define the tests, then
 *     AG_TEST_LIST(TEST_ENTRY(parse_ok), TEST_ENTRY(parse_bad))
 */
#ifndef AG_TEST_H
#define AG_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ag_test {
    const char *name;
    void (*fn)(int *failed);
};

#define TEST(name) static void test_##name(int *ag_test_failed_)
#define TEST_ENTRY(name)                                                                           \
    {                                                                                              \
#name, test_##name                                                                         \
    }

#define AG_TEST_FAIL_(...)                                                                         \
    do {                                                                                           \
        fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                                            \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fputc('\n', stderr);                                                                       \
        *ag_test_failed_ = 1;                                                                      \
        return;                                                                                    \
    } while (0)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            AG_TEST_FAIL_("check failed: %s", #cond);                                              \
        }                                                                                          \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                         \
    do {                                                                                           \
        long long ag_a_ = (long long)(a), ag_b_ = (long long)(b);                                  \
        if (ag_a_ != ag_b_) {                                                                      \
            AG_TEST_FAIL_("%s == %s: %lld != %lld", #a, #b, ag_a_, ag_b_);                         \
        }                                                                                          \
    } while (0)

#define CHECK_NE_INT(a, b)                                                                         \
    do {                                                                                           \
        long long ag_a_ = (long long)(a), ag_b_ = (long long)(b);                                  \
        if (ag_a_ == ag_b_) {                                                                      \
            AG_TEST_FAIL_("%s != %s: both %lld", #a, #b, ag_a_);                                   \
        }                                                                                          \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                                         \
    do {                                                                                           \
        const char *ag_a_ = (a), *ag_b_ = (b);                                                     \
        if (ag_a_ == NULL || ag_b_ == NULL || strcmp(ag_a_, ag_b_) != 0) {                         \
            AG_TEST_FAIL_("%s == %s: \"%s\" != \"%s\"", #a, #b, ag_a_ ? ag_a_ : "(null)",          \
                          ag_b_ ? ag_b_ : "(null)");                                               \
        }                                                                                          \
    } while (0)

#define CHECK_EQ_MEM(a, alen, b, blen)                                                             \
    do {                                                                                           \
        size_t ag_al_ = (alen), ag_bl_ = (blen);                                                   \
        if (ag_al_ != ag_bl_ || memcmp((a), (b), ag_al_) != 0) {                                   \
            AG_TEST_FAIL_("%s == %s: \"%.*s\" != \"%.*s\"", #a, #b, (int)ag_al_,                   \
                          (const char *)(a), (int)ag_bl_, (const char *)(b));                      \
        }                                                                                          \
    } while (0)

#define CHECK_NULL(p)     CHECK((p) == NULL)
#define CHECK_NOT_NULL(p) CHECK((p) != NULL)

static inline int
ag_test_main_(const struct ag_test *tests, size_t n, int argc, char **argv)
{
    int failures = 0;
    int ran = 0;

    for (size_t i = 0; i < n; i++) {
        int wanted = argc < 2;
        for (int a = 1; a < argc; a++) {
            if (strcmp(argv[a], tests[i].name) == 0) {
                wanted = 1;
            }
        }
        if (!wanted) {
            continue;
        }
        int failed = 0;
        tests[i].fn(&failed);
        ran++;
        printf("%s %s\n", failed ? "FAIL" : "ok  ", tests[i].name);
        fflush(stdout);
        failures += failed;
    }
    printf("%d of %d tests passed\n", ran - failures, ran);
    if (ran == 0) {
        fprintf(stderr, "no test matched\n");
        return 1;
    }
    return failures ? 1 : 0;
}

#define AG_TEST_LIST(...)                                                                          \
    static const struct ag_test ag_tests_[] = {__VA_ARGS__};                                       \
    int main(int argc, char **argv)                                                                \
    {                                                                                              \
        return ag_test_main_(ag_tests_, sizeof(ag_tests_) / sizeof(ag_tests_[0]), argc, argv);     \
    }

#endif
