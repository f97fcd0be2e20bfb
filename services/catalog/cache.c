/*
 * A micro-cache of public product answers: for AGORA_CATALOG_READ_CACHE_MS (a second by
 * default) the same product is answered from memory, not from PostgreSQL. Any write this
 * process makes to products or stock (admin writes, reservations, the sweeper) drops every
 * entry at once by moving to a new generation; other replicas' writes show within the TTL,
 * well inside the Cache-Control max-age the answers carry anyway. A read notes the
 * generation before it asks PostgreSQL and its answer is kept only if no write dropped the
 * cache meanwhile, so an answer from before a write never outlives it.
 */
#include "catalog.h"

#include <pthread.h>
#include <string.h>

#include "agora/clock.h"
#include "agora/err.h"
#include "agora/mem.h"

#define SLOTS 1024 /* a power of two */

struct entry {
    char key[CATALOG_SLUG_MAX + 1];
    char *body; /* owned */
    size_t len;
    long long until_ms;
    unsigned long generation;
};

struct catalog_cache {
    pthread_mutex_t lock;
    long long ttl_ms;
    unsigned long generation;
    struct entry slots[SLOTS];
};

/* FNV-1a: keys are short slugs and ids. */
static size_t
slot_of(const char *key, size_t n)
{
    unsigned long h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ (unsigned char)key[i]) * 16777619u;
    }
    return h & (SLOTS - 1);
}

struct catalog_cache *
catalog_cache_new(long long ttl_ms)
{
    if (ttl_ms <= 0) {
        return NULL;
    }
    struct catalog_cache *c = ag_xcalloc(1, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    c->ttl_ms = ttl_ms;
    c->generation = 1;
    return c;
}

void
catalog_cache_free(struct catalog_cache *c)
{
    if (c == NULL) {
        return;
    }
    for (size_t i = 0; i < SLOTS; i++) {
        ag_free(c->slots[i].body);
    }
    pthread_mutex_destroy(&c->lock);
    ag_free(c);
}

int
catalog_cache_get(struct catalog_cache *c, struct ag_arena *a, struct ag_str key, const char **body,
                  size_t *len)
{
    if (c == NULL || key.len > CATALOG_SLUG_MAX) {
        return AG_ENOTFOUND;
    }
    struct entry *e = &c->slots[slot_of(key.ptr, key.len)];
    int rc = AG_ENOTFOUND;
    pthread_mutex_lock(&c->lock);
    if (e->body != NULL && e->generation == c->generation && e->until_ms > ag_clock_ms() &&
        strlen(e->key) == key.len && memcmp(e->key, key.ptr, key.len) == 0) {
        *body = ag_arena_strndup(a, e->body, e->len);
        *len = e->len;
        rc = 0;
    }
    pthread_mutex_unlock(&c->lock);
    return rc;
}

unsigned long
catalog_cache_generation(struct catalog_cache *c)
{
    if (c == NULL) {
        return 0;
    }
    pthread_mutex_lock(&c->lock);
    unsigned long g = c->generation;
    pthread_mutex_unlock(&c->lock);
    return g;
}

void
catalog_cache_put(struct catalog_cache *c, unsigned long generation, struct ag_str key,
                  const char *body, size_t len)
{
    if (c == NULL || key.len > CATALOG_SLUG_MAX) {
        return;
    }
    char *copy = ag_xstrndup(body, len);
    struct entry *e = &c->slots[slot_of(key.ptr, key.len)];
    pthread_mutex_lock(&c->lock);
    if (generation != c->generation) {
        pthread_mutex_unlock(&c->lock); /* a write came after the read began */
        ag_free(copy);
        return;
    }
    char *old = e->body;
    memcpy(e->key, key.ptr, key.len);
    e->key[key.len] = '\0';
    e->body = copy;
    e->len = len;
    e->until_ms = ag_clock_ms() + c->ttl_ms;
    e->generation = c->generation;
    pthread_mutex_unlock(&c->lock);
    ag_free(old);
}

void
catalog_cache_clear(struct catalog_cache *c)
{
    if (c == NULL) {
        return;
    }
    pthread_mutex_lock(&c->lock);
    c->generation++;
    pthread_mutex_unlock(&c->lock);
}
