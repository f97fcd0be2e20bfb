/*
 * Fixed-window counters in a table of slots, chosen by a keyed hash of the key; keys that
 * land in one slot share its count for the window (a collision may refuse early, never admit
 * more than the limit per slot).
 */
#include "agora/rate.h"

#include <pthread.h>
#include <string.h>

#include <sodium.h>

#include "agora/mem.h"

struct rate_slot {
    int64_t window; /* the window's number: now_s / window_s */
    unsigned count;
};

struct ag_rate {
    pthread_mutex_t lock;
    struct rate_slot *slots; /* owned */
    size_t nslots;
    unsigned limit;
    unsigned window_s;
    unsigned char hash_key[crypto_shorthash_KEYBYTES]; /* random: clients cannot aim at a slot */
};

struct ag_rate *
ag_rate_new(size_t slots, unsigned limit, unsigned window_s)
{
    struct ag_rate *r = ag_xcalloc(1, sizeof(*r));
    pthread_mutex_init(&r->lock, NULL);
    r->nslots = slots > 0 ? slots : 1;
    r->slots = ag_xcalloc(r->nslots, sizeof(r->slots[0]));
    r->limit = limit;
    r->window_s = window_s > 0 ? window_s : 1;
    if (sodium_init() < 0) {
        return r; /* the key stays zero: slots are still bounded, only predictable */
    }
    randombytes_buf(r->hash_key, sizeof(r->hash_key));
    return r;
}

void
ag_rate_free(struct ag_rate *r)
{
    if (r == NULL) {
        return;
    }
    pthread_mutex_destroy(&r->lock);
    ag_free(r->slots);
    ag_free(r);
}

int
ag_rate_take(struct ag_rate *r, const char *key, size_t len, int64_t now_s)
{
    unsigned char h[crypto_shorthash_BYTES];
    uint64_t hash;

    crypto_shorthash(h, (const unsigned char *)key, len, r->hash_key);
    memcpy(&hash, h, sizeof(hash));
    int64_t window = now_s / (int64_t)r->window_s;
    pthread_mutex_lock(&r->lock);
    struct rate_slot *s = &r->slots[hash % r->nslots];
    if (s->window != window) {
        s->window = window; /* a new window: the slot starts over */
        s->count = 0;
    }
    int ok = s->count < r->limit;
    if (ok) {
        s->count++;
    }
    pthread_mutex_unlock(&r->lock);
    return ok;
}
