/*
 * Unit tests of agora/mem.h: the allocators that never return NULL, ag_str, and the arena
 * (alignment, many small allocations crossing blocks, large ones, printf, release and reuse).
 */
#include <stdint.h>
#include <string.h>

#include "agora/mem.h"

#include "ag_test.h"

static int
aligned16(const void *p)
{
    return ((uintptr_t)p & 15) == 0;
}

TEST(xalloc)
{
    char *p = ag_xmalloc(0);
    CHECK_NOT_NULL(p);
    ag_free(p);

    unsigned char *z = ag_xcalloc(100, 3);
    for (size_t i = 0; i < 300; i++) {
        CHECK_EQ_INT(z[i], 0);
    }
    ag_free(z);
    CHECK_NOT_NULL(z = ag_xcalloc(0, 0));
    ag_free(z);

    char *r = ag_xmalloc(4);
    memcpy(r, "abc", 4);
    r = ag_xrealloc(r, 100000);
    CHECK_EQ_STR(r, "abc");
    ag_free(r);
    r = ag_xrealloc(NULL, 8); /* realloc(NULL) allocates */
    CHECK_NOT_NULL(r);
    ag_free(r);

    char *d = ag_xstrdup("hello");
    CHECK_EQ_STR(d, "hello");
    ag_free(d);
    d = ag_xstrndup("hello world", 5);
    CHECK_EQ_STR(d, "hello");
    ag_free(d);
    d = ag_xstrndup("a\0b", 3);
    CHECK_EQ_MEM(d, 3, "a\0b", 3);
    CHECK_EQ_INT(d[3], '\0');
    ag_free(d);

    ag_free(NULL);
}

TEST(str_eq)
{
    CHECK(ag_str_eq(AG_STR("abc"), "abc"));
    CHECK(!ag_str_eq(AG_STR("abc"), "ab"));
    CHECK(!ag_str_eq(AG_STR("ab"), "abc"));
    CHECK(!ag_str_eq(AG_STR("abd"), "abc"));
    CHECK(ag_str_eq(AG_STR(""), ""));
    CHECK(!ag_str_eq(AG_STR_NULL, ""));
    struct ag_str s = {"abcdef", 3};
    CHECK(ag_str_eq(s, "abc"));
    CHECK_EQ_INT(AG_STR("four").len, 4);
}

TEST(arena_alignment)
{
    struct ag_arena a;

    ag_arena_init(&a);
    CHECK_EQ_INT(a.total, 0);
    for (size_t n = 0; n < 200; n++) {
        void *p = ag_arena_alloc(&a, n);
        CHECK_NOT_NULL(p);
        CHECK(aligned16(p));
        memset(p, 0xab, n);
    }
    /* Odd sizes after a string copy stay aligned too. */
    char *s = ag_arena_strdup(&a, "x");
    CHECK(aligned16(s));
    CHECK(aligned16(ag_arena_alloc(&a, 1)));
    ag_arena_release(&a);
}

TEST(arena_many_small)
{
    struct ag_arena a;
    enum { COUNT = 20000, SIZE = 24 };
    static unsigned char *ptrs[COUNT];

    ag_arena_init(&a);
    for (size_t i = 0; i < COUNT; i++) {
        ptrs[i] = ag_arena_alloc(&a, SIZE);
        CHECK(aligned16(ptrs[i]));
        memset(ptrs[i], (int)(i & 0xff), SIZE);
    }
    /* Far past the inline block: heap blocks were chained. */
    CHECK_NOT_NULL(a.heap);
    CHECK(a.total >= (size_t)COUNT * SIZE);
    /* No allocation overwrote another. */
    for (size_t i = 0; i < COUNT; i++) {
        for (size_t k = 0; k < SIZE; k++) {
            if (ptrs[i][k] != (unsigned char)(i & 0xff)) {
                AG_TEST_FAIL_("allocation %zu byte %zu overwritten", i, k);
            }
        }
    }
    ag_arena_release(&a);
}

TEST(arena_large)
{
    struct ag_arena a;

    ag_arena_init(&a);
    char *small = ag_arena_strdup(&a, "before");
    size_t n = 3u << 20;
    unsigned char *big = ag_arena_alloc(&a, n);
    CHECK(aligned16(big));
    memset(big, 0x5a, n);
    CHECK_EQ_INT(big[0], 0x5a);
    CHECK_EQ_INT(big[n - 1], 0x5a);
    /* Small allocations still work after a large one, and old ones are intact. */
    char *after = ag_arena_strdup(&a, "after");
    CHECK_EQ_STR(small, "before");
    CHECK_EQ_STR(after, "after");
    CHECK(a.total >= n);

    unsigned char *zeros = ag_arena_calloc(&a, 1000, 100);
    for (size_t i = 0; i < 100000; i++) {
        if (zeros[i] != 0) {
            AG_TEST_FAIL_("calloc byte %zu is %d", i, zeros[i]);
        }
    }
    ag_arena_release(&a);
}

TEST(arena_strings)
{
    struct ag_arena a;

    ag_arena_init(&a);
    char *s = ag_arena_strndup(&a, "hello world", 5);
    CHECK_EQ_STR(s, "hello");
    CHECK_EQ_STR(ag_arena_strndup(&a, NULL, 0), "");
    CHECK_EQ_STR(ag_arena_strdup(&a, ""), "");
    CHECK_EQ_STR(ag_arena_printf(&a, "%d-%s", 42, "x"), "42-x");
    CHECK_EQ_STR(ag_arena_printf(&a, "%s", ""), "");
    ag_arena_release(&a);
}

TEST(arena_printf_long)
{
    struct ag_arena a;
    char *want = ag_xmalloc(100001);

    ag_arena_init(&a);
    /* Around the 256-byte first try, then far beyond the inline block. */
    for (size_t n = 250; n < 262; n++) {
        memset(want, 'a' + (int)(n % 26), n);
        want[n] = '\0';
        char *got = ag_arena_printf(&a, "%s", want);
        if (strcmp(got, want) != 0) {
            ag_free(want);
            AG_TEST_FAIL_("printf of %zu bytes differs", n);
        }
    }
    memset(want, 'q', 100000);
    want[100000] = '\0';
    char *got = ag_arena_printf(&a, "[%s]", want);
    size_t len = strlen(got);
    int ok = len == 100002 && got[0] == '[' && got[100001] == ']' && got[50000] == 'q';
    ag_free(want);
    CHECK(ok);
    CHECK_EQ_STR(ag_arena_printf(&a, "%05d|%-3s|%x", 7, "a", 255), "00007|a  |ff");
    ag_arena_release(&a);
}

TEST(arena_release_reuse)
{
    struct ag_arena a;

    ag_arena_init(&a);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 1000; i++) {
            char *p = ag_arena_printf(&a, "round %d item %d", round, i);
            CHECK_NOT_NULL(p);
        }
        ag_arena_alloc(&a, 1 << 20);
        CHECK_NOT_NULL(a.heap);
        ag_arena_release(&a);
        /* Empty again: back to the inline block, nothing on the heap. */
        CHECK_NULL(a.heap);
        CHECK_EQ_INT(a.total, 0);
        CHECK(a.cur == a.inline_block);
        char *p = ag_arena_strdup(&a, "reused");
        CHECK(p >= a.inline_block && p < a.inline_block + AG_ARENA_INLINE);
        CHECK_EQ_STR(p, "reused");
    }
    ag_arena_release(&a);
    ag_arena_release(&a); /* twice is fine */
}

AG_TEST_LIST(TEST_ENTRY(xalloc), TEST_ENTRY(str_eq), TEST_ENTRY(arena_alignment),
             TEST_ENTRY(arena_many_small), TEST_ENTRY(arena_large), TEST_ENTRY(arena_strings),
             TEST_ENTRY(arena_printf_long), TEST_ENTRY(arena_release_reuse))
