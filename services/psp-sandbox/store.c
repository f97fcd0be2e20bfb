/*
 * The sandbox's memory: payments by id (and by reference), idempotency records by key and
 * card tokens by id, each a chained hash table under one lock. All are bounded
 * (AGORA_PSP_MAX_PAYMENTS); past that, 503.
 */
#include "psp.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "agora/clock.h"
#include "agora/err.h"

#define BUCKETS 65536 /* a power of two */

struct pay_node {
    struct pay_node *next;
    struct pay_node *ref_next; /* the chain of payments.by_reference */
    struct psp_payment p;
};

struct token_node {
    struct token_node *next;
    char id[PSP_ID_LEN + 1];
    char number[20];
};

enum key_state { KEY_RUNNING, KEY_DONE, KEY_FORGOTTEN };

struct key_node {
    struct key_node *next;
    char *key;
    char fingerprint[65];
    enum key_state state;
    int failed_once;
    int status;
    char *body; /* owned; the stored answer */
};

struct psp_store {
    pthread_mutex_t lock;
    size_t max, npayments, nkeys, ntokens;
    struct pay_node *payments[BUCKETS];
    struct pay_node *by_reference[BUCKETS];
    struct key_node *keys[BUCKETS];
    struct token_node *tokens[BUCKETS];
};

static size_t
bucket(const char *s)
{
    unsigned long h = 2166136261u;
    for (; *s != '\0'; s++) {
        h = (h ^ (unsigned char)*s) * 16777619u;
    }
    return h & (BUCKETS - 1);
}

struct psp_store *
psp_store_new(size_t max_payments)
{
    struct psp_store *s = ag_xcalloc(1, sizeof(*s));
    pthread_mutex_init(&s->lock, NULL);
    s->max = max_payments;
    return s;
}

void
psp_store_free(struct psp_store *s)
{
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < BUCKETS; i++) {
        for (struct pay_node *n = s->payments[i], *next; n != NULL; n = next) {
            next = n->next;
            ag_free(n);
        }
        for (struct token_node *t = s->tokens[i], *next; t != NULL; t = next) {
            next = t->next;
            sodium_memzero(t->number, sizeof(t->number));
            ag_free(t);
        }
        for (struct key_node *k = s->keys[i], *next; k != NULL; k = next) {
            next = k->next;
            ag_free(k->key);
            ag_free(k->body);
            ag_free(k);
        }
    }
    pthread_mutex_destroy(&s->lock);
    ag_free(s);
}

static struct pay_node *
find_payment(struct psp_store *s, const char *id)
{
    for (struct pay_node *n = s->payments[bucket(id)]; n != NULL; n = n->next) {
        if (strcmp(n->p.id, id) == 0) {
            return n;
        }
    }
    return NULL;
}

static void
make_id(char id[PSP_ID_LEN + 1], const char *prefix)
{
    unsigned char raw[12];
    randombytes_buf(raw, sizeof(raw));
    memcpy(id, prefix, 4);
    sodium_bin2hex(id + 4, PSP_ID_LEN + 1 - 4, raw, sizeof(raw));
}

int
psp_store_add(struct psp_store *s, struct psp_payment *p)
{
    make_id(p->id, "pay_");
    p->created_ms = p->updated_ms = ag_clock_wall_ms();
    struct pay_node *n = ag_xmalloc(sizeof(*n));
    n->p = *p;
    pthread_mutex_lock(&s->lock);
    if (s->npayments >= s->max) {
        pthread_mutex_unlock(&s->lock);
        ag_free(n);
        return AG_EUNAVAIL;
    }
    size_t b = bucket(p->id);
    n->next = s->payments[b];
    s->payments[b] = n;
    if (p->reference[0] != '\0') {
        b = bucket(p->reference);
        n->ref_next = s->by_reference[b];
        s->by_reference[b] = n;
    }
    s->npayments++;
    pthread_mutex_unlock(&s->lock);
    return 0;
}

size_t
psp_store_by_reference(struct psp_store *s, const char *ref, struct psp_payment *out, size_t max)
{
    size_t n = 0;
    pthread_mutex_lock(&s->lock);
    for (struct pay_node *p = s->by_reference[bucket(ref)]; p != NULL && n < max; p = p->ref_next) {
        if (strcmp(p->p.reference, ref) == 0) {
            out[n++] = p->p;
        }
    }
    pthread_mutex_unlock(&s->lock);
    return n;
}

int
psp_store_token_add(struct psp_store *s, const char *number, char id[PSP_ID_LEN + 1])
{
    struct token_node *t = ag_xcalloc(1, sizeof(*t));
    make_id(t->id, "tok_");
    snprintf(t->number, sizeof(t->number), "%s", number);
    pthread_mutex_lock(&s->lock);
    if (s->ntokens >= s->max) {
        pthread_mutex_unlock(&s->lock);
        ag_free(t);
        return AG_EUNAVAIL;
    }
    size_t b = bucket(t->id);
    t->next = s->tokens[b];
    s->tokens[b] = t;
    s->ntokens++;
    memcpy(id, t->id, PSP_ID_LEN + 1);
    pthread_mutex_unlock(&s->lock);
    return 0;
}

int
psp_store_token_get(struct psp_store *s, const char *id, char number[20])
{
    int rc = AG_ENOTFOUND;
    pthread_mutex_lock(&s->lock);
    for (struct token_node *t = s->tokens[bucket(id)]; t != NULL; t = t->next) {
        if (strcmp(t->id, id) == 0) {
            memcpy(number, t->number, 20);
            rc = 0;
            break;
        }
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int
psp_store_get(struct psp_store *s, const char *id, struct psp_payment *out)
{
    pthread_mutex_lock(&s->lock);
    struct pay_node *n = find_payment(s, id);
    if (n != NULL) {
        *out = n->p;
    }
    pthread_mutex_unlock(&s->lock);
    return n != NULL ? 0 : AG_ENOTFOUND;
}

int
psp_store_change(struct psp_store *s, const char *id, psp_change_fn fn, void *arg,
                 struct psp_payment *out)
{
    int rc = AG_ENOTFOUND;
    pthread_mutex_lock(&s->lock);
    struct pay_node *n = find_payment(s, id);
    if (n != NULL) {
        struct psp_payment p = n->p;
        rc = fn(&p, arg);
        if (rc == 0) {
            p.updated_ms = ag_clock_wall_ms();
            n->p = p;
        }
        *out = n->p;
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static struct key_node *
find_key(struct psp_store *s, const char *key)
{
    for (struct key_node *k = s->keys[bucket(key)]; k != NULL; k = k->next) {
        if (strcmp(k->key, key) == 0) {
            return k;
        }
    }
    return NULL;
}

int
psp_store_key_begin(struct psp_store *s, struct ag_arena *a, const char *key,
                    const char *fingerprint, int *status, const char **body)
{
    int rc;
    pthread_mutex_lock(&s->lock);
    struct key_node *k = find_key(s, key);
    if (k == NULL && s->nkeys >= s->max) {
        rc = AG_EUNAVAIL;
    } else if (k == NULL || k->state == KEY_FORGOTTEN) {
        if (k == NULL) {
            k = ag_xcalloc(1, sizeof(*k));
            k->key = ag_xstrdup(key);
            size_t b = bucket(key);
            k->next = s->keys[b];
            s->keys[b] = k;
            s->nkeys++;
        }
        snprintf(k->fingerprint, sizeof(k->fingerprint), "%s", fingerprint);
        k->state = KEY_RUNNING;
        rc = AG_ENOTFOUND;
    } else if (strcmp(k->fingerprint, fingerprint) != 0) {
        rc = AG_EIDEMMISMATCH;
    } else if (k->state == KEY_RUNNING) {
        rc = AG_EINFLIGHT;
    } else {
        *status = k->status;
        *body = ag_arena_strdup(a, k->body);
        rc = 0;
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

void
psp_store_key_end(struct psp_store *s, const char *key, int status, const char *body, size_t len)
{
    char *copy = NULL;
    if (status != 0 && body != NULL) {
        copy = ag_xstrndup(body, len);
    }
    pthread_mutex_lock(&s->lock);
    struct key_node *k = find_key(s, key);
    if (k != NULL) {
        ag_free(k->body);
        k->body = copy;
        k->status = status;
        k->state = status != 0 ? KEY_DONE : KEY_FORGOTTEN;
        copy = NULL;
    }
    pthread_mutex_unlock(&s->lock);
    ag_free(copy);
}

int
psp_store_key_failed_once(struct psp_store *s, const char *key)
{
    pthread_mutex_lock(&s->lock);
    struct key_node *k = find_key(s, key);
    int had = k != NULL && k->failed_once;
    if (k != NULL) {
        k->failed_once = 1;
    }
    pthread_mutex_unlock(&s->lock);
    return had;
}
