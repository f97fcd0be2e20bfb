/*
 * Allocation that aborts on out-of-memory, and the per-request arena. The only file that calls
 * malloc and free directly.
 */
#include "agora/mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
oom(size_t n)
{
    fprintf(stderr, "level=error msg=\"out of memory allocating %zu bytes\"\n", n);
    abort();
}

void *
ag_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        oom(n);
    }
    return p;
}

void *
ag_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (p == NULL) {
        oom(count * size);
    }
    return p;
}

void *
ag_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (q == NULL) {
        oom(n);
    }
    return q;
}

char *
ag_xstrdup(const char *s)
{
    return ag_xstrndup(s, strlen(s));
}

char *
ag_xstrndup(const char *s, size_t n)
{
    char *p = ag_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void
ag_free(void *p)
{
    free(p);
}

int
ag_str_eq(struct ag_str s, const char *c)
{
    size_t n = strlen(c);
    return s.ptr != NULL && s.len == n && memcmp(s.ptr, c, n) == 0;
}

/* A heap block of the arena; the data follows the header. */
struct ag_arena_block {
    struct ag_arena_block *next;
    size_t size;
    _Alignas(16) char data[];
};

#define ARENA_BLOCK_MIN 16384

void
ag_arena_init(struct ag_arena *a)
{
    a->cur = a->inline_block;
    a->end = a->inline_block + sizeof(a->inline_block);
    a->heap = NULL;
    a->total = 0;
}

void
ag_arena_release(struct ag_arena *a)
{
    struct ag_arena_block *b = a->heap;
    while (b != NULL) {
        struct ag_arena_block *next = b->next;
        free(b);
        b = next;
    }
    ag_arena_init(a);
}

void *
ag_arena_alloc(struct ag_arena *a, size_t n)
{
    size_t need;
    if (__builtin_add_overflow(n, 15, &need)) {
        oom(n);
    }
    need &= ~(size_t)15;
    if (need == 0) {
        need = 16;
    }
    uintptr_t cur = ((uintptr_t)a->cur + 15) & ~(uintptr_t)15;
    if (cur <= (uintptr_t)a->end && need <= (uintptr_t)a->end - cur) {
        a->cur = (char *)cur + need;
        a->total += need;
        return (void *)cur;
    }
    size_t size = need > ARENA_BLOCK_MIN ? need : ARENA_BLOCK_MIN;
    size_t bytes;
    if (__builtin_add_overflow(size, sizeof(struct ag_arena_block), &bytes)) {
        oom(size);
    }
    struct ag_arena_block *b = ag_xmalloc(bytes);
    b->size = size;
    b->next = a->heap;
    a->heap = b;
    a->total += need;
    if (size - need >= 256) {
        /* The rest of a fresh block serves later allocations. */
        a->cur = b->data + need;
        a->end = b->data + size;
    }
    return b->data;
}

void *
ag_arena_calloc(struct ag_arena *a, size_t count, size_t size)
{
    size_t n;
    if (__builtin_mul_overflow(count, size, &n)) {
        oom(SIZE_MAX);
    }
    void *p = ag_arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

char *
ag_arena_strndup(struct ag_arena *a, const char *s, size_t n)
{
    char *p = ag_arena_alloc(a, n + 1);
    if (n > 0) {
        memcpy(p, s, n);
    }
    p[n] = '\0';
    return p;
}

char *
ag_arena_strdup(struct ag_arena *a, const char *s)
{
    return ag_arena_strndup(a, s, strlen(s));
}

char *
ag_arena_vprintf(struct ag_arena *a, const char *fmt, va_list ap)
{
    char small[256];
    va_list cp;

    va_copy(cp, ap);
    int n = vsnprintf(small, sizeof(small), fmt, cp);
    va_end(cp);
    if (n < 0) {
        return ag_arena_strdup(a, "");
    }
    if ((size_t)n < sizeof(small)) {
        return ag_arena_strndup(a, small, (size_t)n);
    }
    char *p = ag_arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *
ag_arena_printf(struct ag_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = ag_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}
