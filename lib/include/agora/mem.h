/*
 * Memory: allocation that aborts on out-of-memory (no NULL checks at call sites), the
 * per-request arena and the length-counted string every request input is held in.
 */
#ifndef AGORA_MEM_H
#define AGORA_MEM_H

#include <stdarg.h>
#include <stddef.h>

/* Allocators that never return NULL: on failure they log and abort. */
void *ag_xmalloc(size_t n);
void *ag_xcalloc(size_t count, size_t size);
void *ag_xrealloc(void *p, size_t n);
char *ag_xstrdup(const char *s);
char *ag_xstrndup(const char *s, size_t n);
/* Releases memory of the allocators above; accepts NULL. */
void ag_free(void *p);

/* A length-counted string, not necessarily NUL-terminated. Borrowed. */
struct ag_str {
    const char *ptr;
    size_t len;
};

#define AG_STR(lit) ((struct ag_str){(lit), sizeof(lit) - 1})
#define AG_STR_NULL ((struct ag_str){NULL, 0})

/* True when 's' equals the C string 'c'. */
int ag_str_eq(struct ag_str s, const char *c);

/*
 * A bump allocator: many allocations, one release. The first block lives inside the struct,
 * so small requests never call malloc. Not thread-safe: one arena per request.
 */
#define AG_ARENA_INLINE 4096

struct ag_arena_block;

struct ag_arena {
    char *cur;                   /* next free byte in the current block */
    char *end;                   /* end of the current block */
    struct ag_arena_block *heap; /* malloc'd blocks, newest first; owned */
    size_t total;                /* bytes handed out, for limits and metrics */
    _Alignas(16) char inline_block[AG_ARENA_INLINE];
};

void ag_arena_init(struct ag_arena *a);
/* Frees every block but the inline one; the arena is empty and usable again. */
void ag_arena_release(struct ag_arena *a);

/* 'n' bytes aligned to 16; never NULL. Valid until ag_arena_release. */
void *ag_arena_alloc(struct ag_arena *a, size_t n);
void *ag_arena_calloc(struct ag_arena *a, size_t count, size_t size);
/* A NUL-terminated copy of 'n' bytes of 's'. */
char *ag_arena_strndup(struct ag_arena *a, const char *s, size_t n);
char *ag_arena_strdup(struct ag_arena *a, const char *s);
/* printf into the arena; the result is NUL-terminated. */
char *ag_arena_printf(struct ag_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *ag_arena_vprintf(struct ag_arena *a, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#endif
