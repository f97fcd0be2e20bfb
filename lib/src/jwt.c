/*
 * JWT with EdDSA (Ed25519): PEM key files, signing, verification with a pinned algorithm, and a
 * sharded cache of verified tokens so that a hit costs a keyed hash and a memcmp instead of a
 * signature check.
 *
 * Keys are added at start (ag_jwt_add_key*) before any thread verifies; after that, the key set
 * is read-only and only the cache changes, under its own locks.
 */
#include "agora/jwt.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "agora/err.h"
#include "agora/log.h"
#include "agora/mem.h"

#define JWT_ALG           "EdDSA"
#define JWT_CLAIM_MAX     71        /* longest sub and sid, as struct ag_jwt_claims holds them */
#define PEM_MAX_FILE      16384     /* larger key files are refused */
#define CACHE_SHARDS      16        /* one mutex each; a power of two */
#define CACHE_WAYS        4         /* entries per bucket; the soonest to expire is evicted */
#define CACHE_MAX         (1 << 20) /* larger cache_entries are clamped to this */
#define B64URL            sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define PEM_PRIVATE_BEGIN "-----BEGIN PRIVATE KEY-----"
#define PEM_PRIVATE_END   "-----END PRIVATE KEY-----"
#define PEM_PUBLIC_BEGIN  "-----BEGIN PUBLIC KEY-----"
#define PEM_PUBLIC_END    "-----END PUBLIC KEY-----"

/* DER of an Ed25519 key up to its 32 key bytes: PKCS#8 v1 (RFC 8410) and SPKI. */
static const unsigned char pkcs8_prefix[16] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
                                               0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
static const unsigned char spki_prefix[12] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                              0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

/* ---- roles ---- */

static const char *const role_names[] = {NULL, "guest", "user", "admin"};

const char *
ag_role_name(enum ag_role role)
{
    if ((int)role < 0 || (size_t)role >= sizeof(role_names) / sizeof(role_names[0])) {
        return NULL;
    }
    return role_names[role];
}

enum ag_role
ag_role_parse(const char *s, size_t n)
{
    if (s == NULL) {
        return AG_ROLE_NONE;
    }
    for (size_t i = 1; i < sizeof(role_names) / sizeof(role_names[0]); i++) {
        if (strlen(role_names[i]) == n && memcmp(role_names[i], s, n) == 0) {
            return (enum ag_role)i;
        }
    }
    return AG_ROLE_NONE;
}

/* ---- base64url ---- */

size_t
ag_b64url_encode(const unsigned char *in, size_t n, char *out, size_t outlen)
{
    if (outlen == 0) {
        return 0;
    }
    /* sodium_bin2base64 aborts on a short buffer or an absurd length, so both are tested here. */
    size_t need = n <= SIZE_MAX / 8 ? sodium_base64_encoded_len(n, B64URL) : SIZE_MAX;
    if (need > outlen) {
        out[0] = '\0';
        return 0;
    }
    /* Told 'need', not 'outlen': libsodium zero-fills the whole buffer it is given. */
    sodium_bin2base64(out, need, in, n, B64URL);
    return need - 1;
}

/* The value of a base64url character, or -1. */
static int
b64url_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '-') {
        return 62;
    }
    return c == '_' ? 63 : -1;
}

/*
 * Our own decoder: libsodium 1.0.18's sodium_base642bin accepts bytes 0x80..0xff as letters,
 * which would give one token several spellings.
 */
int
ag_b64url_decode(const char *in, size_t n, unsigned char *out, size_t outlen, size_t *outn)
{
    uint32_t acc = 0;
    unsigned int bits = 0;
    size_t len = 0;

    *outn = 0;
    if (n % 4 == 1 || n / 4 * 3 + (n % 4 != 0 ? n % 4 - 1 : 0) > outlen) {
        return AG_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        int v = b64url_value((unsigned char)in[i]); /* '=' is refused here too */
        if (v < 0) {
            return AG_EINVAL;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[len++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    /* The unused low bits of the last character must be zero: one spelling per byte string. */
    if (acc != 0) {
        return AG_EINVAL;
    }
    *outn = len;
    return 0;
}

/* ---- cache ---- */

/* A verified token and its claims; 'token' is NULL in a free entry. */
struct cache_entry {
    uint64_t hash;
    char *token; /* owned; wiped before it is freed */
    size_t len;
    struct ag_jwt_claims claims;
};

/* Padded so that two shards' mutexes rarely share a cache line. */
struct cache_shard {
    pthread_mutex_t lock;
    struct cache_entry *entries; /* owned; nbuckets * CACHE_WAYS */
    char pad[64 - (sizeof(pthread_mutex_t) + sizeof(void *)) % 64];
};

struct ag_jwt_cache {
    unsigned char key[crypto_shorthash_KEYBYTES]; /* random: slots cannot be aimed at */
    size_t bucket_mask;                           /* nbuckets - 1, per shard */
    size_t nentries;                              /* nbuckets * CACHE_WAYS, per shard */
    size_t nshards_ready;                         /* shards whose mutex is initialized */
    struct cache_shard shards[CACHE_SHARDS];
};

static void
cache_free(struct ag_jwt_cache *cache)
{
    if (cache == NULL) {
        return;
    }
    for (size_t s = 0; s < cache->nshards_ready; s++) {
        struct cache_shard *sh = &cache->shards[s];
        for (size_t i = 0; sh->entries != NULL && i < cache->nentries; i++) {
            struct cache_entry *e = &sh->entries[i];
            if (e->token != NULL) {
                sodium_memzero(e->token, e->len);
                ag_free(e->token);
            }
        }
        ag_free(sh->entries);
        pthread_mutex_destroy(&sh->lock);
    }
    sodium_memzero(cache->key, sizeof(cache->key));
    ag_free(cache);
}

static int
cache_new(size_t entries, struct ag_jwt_cache **out)
{
    struct ag_jwt_cache *cache = ag_xcalloc(1, sizeof(*cache));
    size_t per_shard;
    size_t nbuckets = 1;
    int rc = 0;

    if (entries > CACHE_MAX) {
        entries = CACHE_MAX;
    }
    per_shard = (entries + CACHE_SHARDS - 1) / CACHE_SHARDS;
    while (nbuckets * CACHE_WAYS < per_shard) {
        nbuckets <<= 1;
    }
    cache->bucket_mask = nbuckets - 1;
    cache->nentries = nbuckets * CACHE_WAYS;
    crypto_shorthash_keygen(cache->key);
    for (size_t s = 0; s < CACHE_SHARDS; s++) {
        if (pthread_mutex_init(&cache->shards[s].lock, NULL) != 0) {
            ag_log(AG_LOG_ERROR, NULL, "jwt: cannot initialize a cache mutex");
            rc = AG_EINTERNAL;
            goto out;
        }
        cache->nshards_ready++;
        cache->shards[s].entries = ag_xcalloc(cache->nentries, sizeof(struct cache_entry));
    }
out:
    if (rc < 0) {
        cache_free(cache);
        cache = NULL;
    }
    *out = cache;
    return rc;
}

static uint64_t
cache_hash(const struct ag_jwt_cache *cache, const char *token, size_t len)
{
    unsigned char h[crypto_shorthash_BYTES];
    uint64_t v;

    crypto_shorthash(h, (const unsigned char *)token, len, cache->key);
    memcpy(&v, h, sizeof(v));
    return v;
}

static struct cache_shard *
cache_bucket(struct ag_jwt_cache *cache, uint64_t hash, struct cache_entry **bucket)
{
    struct cache_shard *sh = &cache->shards[hash % CACHE_SHARDS];
    *bucket = &sh->entries[((hash / CACHE_SHARDS) & cache->bucket_mask) * CACHE_WAYS];
    return sh;
}

/*
 * True when 'e' holds 'token'. A keyed 64-bit hash rarely collides, so memcmp almost only runs
 * on the very token, and its timing tells nothing about another one.
 */
static int
cache_match(const struct cache_entry *e, uint64_t hash, const char *token, size_t len)
{
    return e->token != NULL && e->hash == hash && e->len == len &&
           memcmp(e->token, token, len) == 0;
}

/* Copies the claims of a cached 'token' into 'claims'; AG_ENOTFOUND when it is not cached. */
static int
cache_get(struct ag_jwt_cache *cache, uint64_t hash, const char *token, size_t len,
          struct ag_jwt_claims *claims)
{
    struct cache_entry *bucket;
    struct cache_shard *sh = cache_bucket(cache, hash, &bucket);
    int rc = AG_ENOTFOUND;

    pthread_mutex_lock(&sh->lock);
    for (size_t i = 0; i < CACHE_WAYS; i++) {
        if (cache_match(&bucket[i], hash, token, len)) {
            *claims = bucket[i].claims;
            rc = 0;
            break;
        }
    }
    pthread_mutex_unlock(&sh->lock);
    return rc;
}

/* Caches a verified token; evicts the bucket's free entry, else the one that expires first. */
static void
cache_put(struct ag_jwt_cache *cache, uint64_t hash, const char *token, size_t len,
          const struct ag_jwt_claims *claims)
{
    struct cache_entry *bucket;
    struct cache_shard *sh = cache_bucket(cache, hash, &bucket);
    char *copy = ag_xmalloc(len); /* outside the lock */
    char *old = NULL;
    size_t oldlen = 0;

    memcpy(copy, token, len);
    pthread_mutex_lock(&sh->lock);
    struct cache_entry *victim = &bucket[0];
    for (size_t i = 0; i < CACHE_WAYS; i++) {
        if (cache_match(&bucket[i], hash, token, len)) {
            victim = NULL; /* another thread was first */
            break;
        }
        if (victim->token != NULL &&
            (bucket[i].token == NULL || bucket[i].claims.exp < victim->claims.exp)) {
            victim = &bucket[i];
        }
    }
    if (victim != NULL) {
        old = victim->token;
        oldlen = victim->len;
        victim->hash = hash;
        victim->token = copy;
        victim->len = len;
        victim->claims = *claims;
        copy = NULL;
    }
    pthread_mutex_unlock(&sh->lock);
    if (old != NULL) {
        sodium_memzero(old, oldlen);
        ag_free(old);
    }
    if (copy != NULL) {
        sodium_memzero(copy, len);
        ag_free(copy);
    }
}

/* ---- lifecycle and keys ---- */

int
ag_jwt_init(struct ag_jwt *jwt, const char *iss, const char *aud, size_t cache_entries)
{
    memset(jwt, 0, sizeof(*jwt));
    if (sodium_init() < 0) {
        ag_log(AG_LOG_ERROR, NULL, "jwt: cannot initialize libsodium");
        return AG_EINTERNAL;
    }
    if (iss == NULL || aud == NULL || strlen(iss) >= sizeof(jwt->iss) ||
        strlen(aud) >= sizeof(jwt->aud)) {
        return AG_EINVAL;
    }
    memcpy(jwt->iss, iss, strlen(iss) + 1);
    memcpy(jwt->aud, aud, strlen(aud) + 1);
    if (cache_entries == 0) {
        return 0;
    }
    return cache_new(cache_entries, &jwt->cache);
}

void
ag_jwt_release(struct ag_jwt *jwt)
{
    if (jwt == NULL) {
        return;
    }
    sodium_memzero(jwt->keys, sizeof(jwt->keys));
    jwt->nkeys = 0;
    cache_free(jwt->cache);
    jwt->cache = NULL;
}

static const struct ag_jwt_key *
key_find(const struct ag_jwt *jwt, const char *kid, size_t n)
{
    for (size_t i = 0; i < jwt->nkeys; i++) {
        if (strlen(jwt->keys[i].kid) == n && memcmp(jwt->keys[i].kid, kid, n) == 0) {
            return &jwt->keys[i];
        }
    }
    return NULL;
}

int
ag_jwt_add_key(struct ag_jwt *jwt, const char *kid, const unsigned char *pk,
               const unsigned char *sk)
{
    size_t n = kid != NULL ? strlen(kid) : 0;

    if (n == 0 || n >= sizeof(jwt->keys[0].kid) || pk == NULL || jwt->nkeys >= AG_JWT_MAX_KEYS ||
        key_find(jwt, kid, n) != NULL) {
        return AG_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        if (kid[i] < 0x20 || kid[i] > 0x7e) {
            return AG_EINVAL; /* printable ASCII keeps the JSON header and the logs simple */
        }
    }
    /* libsodium's secret key is the seed followed by the public key: they must agree. */
    if (sk != NULL && sodium_memcmp(sk + crypto_sign_SEEDBYTES, pk, crypto_sign_PUBLICKEYBYTES)) {
        return AG_EINVAL;
    }
    struct ag_jwt_key *key = &jwt->keys[jwt->nkeys];
    memset(key, 0, sizeof(*key));
    memcpy(key->kid, kid, n + 1);
    memcpy(key->pk, pk, sizeof(key->pk));
    if (sk != NULL) {
        memcpy(key->sk, sk, sizeof(key->sk));
        key->has_secret = 1;
    }
    jwt->nkeys++;
    return 0;
}

/* The RFC 7638 thumbprint of an Ed25519 public key, base64url: 43 characters. */
static void
key_thumbprint(const unsigned char *pk, char *kid, size_t kidlen)
{
    char x[sodium_base64_ENCODED_LEN(crypto_sign_PUBLICKEYBYTES, B64URL)];
    char jwk[128];
    unsigned char digest[crypto_hash_sha256_BYTES];

    ag_b64url_encode(pk, crypto_sign_PUBLICKEYBYTES, x, sizeof(x));
    /* The required members only, in lexicographic order, no whitespace. */
    int n = snprintf(jwk, sizeof(jwk), "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"%s\"}", x);
    crypto_hash_sha256(digest, (const unsigned char *)jwk, (size_t)n);
    ag_b64url_encode(digest, sizeof(digest), kid, kidlen);
}

/*
 * Decodes the base64 body between 'begin' and 'end' in 'text' into 'der'. AG_ENOTFOUND when
 * 'text' has no 'begin', AG_EINVAL when the block is broken or too long.
 */
static int
pem_decode(const char *text, const char *begin, const char *end, unsigned char *der, size_t dersize,
           size_t *dern)
{
    const char *b = strstr(text, begin);
    const char *b64_end;

    if (b == NULL) {
        return AG_ENOTFOUND;
    }
    b += strlen(begin);
    const char *e = strstr(b, end);
    if (e == NULL) {
        return AG_EINVAL;
    }
    /* libsodium would take bytes over 0x7f for letters: only the alphabet gets through. */
    for (const char *c = b; c < e; c++) {
        if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n", *c) ==
            NULL) {
            return AG_EINVAL;
        }
    }
    if (sodium_base642bin(der, dersize, b, (size_t)(e - b), "\r\n", dern, &b64_end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        b64_end != e) {
        return AG_EINVAL;
    }
    return 0;
}

/* Reads at most PEM_MAX_FILE bytes of 'path' into 'buf' (PEM_MAX_FILE + 1), NUL-terminated. */
static int
pem_read(const char *path, char *buf)
{
    size_t len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int rc = 0;

    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            return AG_ENOTFOUND;
        }
        ag_log(AG_LOG_ERROR, NULL, "jwt: cannot open key file '%s': %s", path, strerror(errno));
        return AG_EINTERNAL;
    }
    for (;;) {
        ssize_t n = read(fd, buf + len, PEM_MAX_FILE + 1 - len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            ag_log(AG_LOG_ERROR, NULL, "jwt: cannot read key file '%s': %s", path, strerror(errno));
            rc = AG_EINTERNAL;
            goto out;
        }
        if (n == 0) {
            break;
        }
        len += (size_t)n;
        if (len > PEM_MAX_FILE) {
            ag_log(AG_LOG_ERROR, NULL, "jwt: key file '%s' is over %d bytes", path, PEM_MAX_FILE);
            rc = AG_EINVAL;
            goto out;
        }
    }
    buf[len] = '\0';
out:
    close(fd);
    return rc;
}

int
ag_jwt_add_key_file(struct ag_jwt *jwt, const char *path)
{
    char text[PEM_MAX_FILE + 1];
    unsigned char der[64];
    size_t dern = 0;
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    char kid[64];
    int has_secret = 0;

    int rc = pem_read(path, text);
    if (rc < 0) {
        goto out;
    }
    rc = pem_decode(text, PEM_PRIVATE_BEGIN, PEM_PRIVATE_END, der, sizeof(der), &dern);
    if (rc == 0 && dern == sizeof(pkcs8_prefix) + crypto_sign_SEEDBYTES &&
        memcmp(der, pkcs8_prefix, sizeof(pkcs8_prefix)) == 0) {
        crypto_sign_seed_keypair(pk, sk, der + sizeof(pkcs8_prefix));
        has_secret = 1;
    } else if (rc == AG_ENOTFOUND) {
        rc = pem_decode(text, PEM_PUBLIC_BEGIN, PEM_PUBLIC_END, der, sizeof(der), &dern);
        if (rc == 0 && dern == sizeof(spki_prefix) + crypto_sign_PUBLICKEYBYTES &&
            memcmp(der, spki_prefix, sizeof(spki_prefix)) == 0) {
            memcpy(pk, der + sizeof(spki_prefix), sizeof(pk));
        } else {
            rc = AG_EINVAL;
        }
    } else {
        rc = AG_EINVAL;
    }
    if (rc < 0) {
        ag_log(AG_LOG_ERROR, NULL, "jwt: '%s' is not an Ed25519 PEM key", path);
        goto out;
    }
    key_thumbprint(pk, kid, sizeof(kid));
    rc = ag_jwt_add_key(jwt, kid, pk, has_secret ? sk : NULL);
    if (rc < 0) {
        ag_log(AG_LOG_ERROR, NULL, "jwt: cannot add key '%s': duplicate kid or too many keys",
               path);
    }
out:
    sodium_memzero(text, sizeof(text));
    sodium_memzero(der, sizeof(der));
    sodium_memzero(sk, sizeof(sk));
    return rc;
}

int
ag_jwt_add_key_files(struct ag_jwt *jwt, const char *list)
{
    char *copy = ag_xstrdup(list);
    char *save = NULL;
    int rc = 0;

    for (char *f = strtok_r(copy, ",", &save); f != NULL && rc == 0;
         f = strtok_r(NULL, ",", &save)) {
        rc = ag_jwt_add_key_file(jwt, f);
        if (rc < 0) {
            ag_log(AG_LOG_ERROR, NULL, "cannot load the JWT key '%s': %s", f, ag_err_name(rc));
        }
    }
    ag_free(copy);
    return rc;
}

int
ag_jwt_add_keys(struct ag_jwt *jwt, const char *main, const char *extra)
{
    int rc = ag_jwt_add_key_file(jwt, main);
    if (rc < 0) {
        ag_log(AG_LOG_ERROR, NULL, "cannot load the JWT key '%s': %s", main, ag_err_name(rc));
        return rc;
    }
    return ag_jwt_add_key_files(jwt, extra);
}

/* Writes 'n' bytes; returns 0 or -1 with errno. */
static int
write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w < 0) {
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Creates 'path' (it must not exist) with 'mode' and writes 'der' as a PEM block. */
static int
pem_write(const char *path, mode_t mode, const char *label, const unsigned char *der, size_t dern)
{
    char b64[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
    char text[256];
    int len;
    int rc = 0;

    sodium_bin2base64(b64, sizeof(b64), der, dern, sodium_base64_VARIANT_ORIGINAL);
    len = snprintf(text, sizeof(text), "-----BEGIN %s-----\n%s\n-----END %s-----\n", label, b64,
                   label);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        ag_log(AG_LOG_ERROR, NULL, "jwt: cannot create '%s': %s", path, strerror(errno));
        rc = AG_EINTERNAL;
        goto out;
    }
    /* The umask may only take bits away; a public key must stay readable by the services. */
    if (fchmod(fd, mode) != 0 || write_all(fd, text, (size_t)len) != 0 || fsync(fd) != 0) {
        ag_log(AG_LOG_ERROR, NULL, "jwt: cannot write '%s': %s", path, strerror(errno));
        rc = AG_EINTERNAL;
    }
    if (close(fd) != 0 && rc == 0) {
        ag_log(AG_LOG_ERROR, NULL, "jwt: cannot write '%s': %s", path, strerror(errno));
        rc = AG_EINTERNAL;
    }
    if (rc < 0) {
        unlink(path);
    }
out:
    sodium_memzero(b64, sizeof(b64));
    sodium_memzero(text, sizeof(text));
    return rc;
}

int
ag_jwt_keygen_files(const char *private_path, const char *public_path)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    unsigned char der[sizeof(pkcs8_prefix) + crypto_sign_SEEDBYTES];
    int rc;

    if (sodium_init() < 0) {
        return AG_EINTERNAL;
    }
    crypto_sign_keypair(pk, sk);
    memcpy(der, pkcs8_prefix, sizeof(pkcs8_prefix));
    memcpy(der + sizeof(pkcs8_prefix), sk, crypto_sign_SEEDBYTES);
    rc = pem_write(private_path, 0600, "PRIVATE KEY", der, sizeof(der));
    if (rc < 0) {
        goto out;
    }
    memcpy(der, spki_prefix, sizeof(spki_prefix));
    memcpy(der + sizeof(spki_prefix), pk, sizeof(pk));
    rc = pem_write(public_path, 0644, "PUBLIC KEY", der, sizeof(spki_prefix) + sizeof(pk));
    if (rc < 0) {
        unlink(private_path); /* half a pair is worse than none */
    }
out:
    sodium_memzero(sk, sizeof(sk));
    sodium_memzero(der, sizeof(der));
    return rc;
}

/* ---- signing ---- */

/* Appends base64url of 'json' to 'out' at '*pos'; AG_EINVAL when it does not fit. */
static int
append_b64(const json_t *json, char *out, size_t outlen, size_t *pos)
{
    char buf[AG_JWT_MAX_TOKEN];
    size_t n = json_dumpb(json, buf, sizeof(buf), JSON_COMPACT);

    if (n == 0 || n > sizeof(buf)) {
        return AG_EINVAL;
    }
    size_t w = ag_b64url_encode((const unsigned char *)buf, n, out + *pos, outlen - *pos);
    if (w == 0) {
        return AG_EINVAL;
    }
    *pos += w;
    return 0;
}

static int
claim_ok(const char *s)
{
    size_t n = strnlen(s, JWT_CLAIM_MAX + 1);
    return n >= 1 && n <= JWT_CLAIM_MAX;
}

int
ag_jwt_sign(const struct ag_jwt *jwt, const struct ag_jwt_claims *claims, char *out, size_t outlen)
{
    const struct ag_jwt_key *key = NULL;
    json_t *header = NULL;
    json_t *payload = NULL;
    unsigned char sig[crypto_sign_BYTES];
    size_t pos = 0;
    int rc = AG_EINVAL;

    for (size_t i = 0; i < jwt->nkeys && key == NULL; i++) {
        key = jwt->keys[i].has_secret ? &jwt->keys[i] : NULL;
    }
    if (key == NULL || ag_role_name(claims->role) == NULL || !claim_ok(claims->sub) ||
        !claim_ok(claims->sid) || outlen == 0) {
        goto out;
    }
    header = json_pack("{s:s, s:s, s:s}", "alg", JWT_ALG, "typ", "JWT", "kid", key->kid);
    payload = json_pack("{s:s, s:s, s:s, s:I, s:I}", "sub", claims->sub, "role",
                        ag_role_name(claims->role), "sid", claims->sid, "iat",
                        (json_int_t)claims->iat, "exp", (json_int_t)claims->exp);
    if (header == NULL || payload == NULL ||
        (claims->nbf != 0 &&
         json_object_set_new(payload, "nbf", json_integer((json_int_t)claims->nbf)) != 0) ||
        json_object_set_new(payload, "iss", json_string(jwt->iss)) != 0 ||
        json_object_set_new(payload, "aud", json_string(jwt->aud)) != 0) {
        goto out; /* sub or sid is not UTF-8 */
    }
    if (append_b64(header, out, outlen, &pos) < 0 || pos + 1 >= outlen) {
        goto out;
    }
    out[pos++] = '.';
    if (append_b64(payload, out, outlen, &pos) < 0 || pos + 1 >= outlen) {
        goto out;
    }
    crypto_sign_detached(sig, NULL, (const unsigned char *)out, pos, key->sk);
    out[pos++] = '.';
    size_t w = ag_b64url_encode(sig, sizeof(sig), out + pos, outlen - pos);
    if (w == 0 || pos + w > AG_JWT_MAX_TOKEN) {
        goto out; /* verify would refuse it */
    }
    rc = 0;
out:
    if (rc < 0) {
        if (outlen > 0) {
            out[0] = '\0';
        }
        ag_log(AG_LOG_DEBUG, NULL, "jwt: cannot sign: no signing key, bad claims or short buffer");
    }
    json_decref(header);
    json_decref(payload);
    return rc;
}

/* ---- verification ---- */

/* The three segments of a token: header, payload, signature. */
struct token_parts {
    const char *seg[3];
    size_t len[3];
};

static int
token_split(const char *token, size_t len, struct token_parts *parts)
{
    const char *p = token;
    const char *end = token + len;

    for (int i = 0; i < 3; i++) {
        const char *dot = memchr(p, '.', (size_t)(end - p));
        if ((dot == NULL) != (i == 2)) {
            ag_log(AG_LOG_DEBUG, NULL, "jwt: not three segments");
            return AG_EUNAUTH;
        }
        parts->seg[i] = p;
        parts->len[i] = (size_t)((dot != NULL ? dot : end) - p);
        if (parts->len[i] == 0) {
            ag_log(AG_LOG_DEBUG, NULL, "jwt: empty segment %d", i + 1);
            return AG_EUNAUTH;
        }
        p = dot != NULL ? dot + 1 : end;
    }
    return 0;
}

/* Decodes one segment holding a JSON object; NULL when it is anything else. */
static json_t *
segment_json(const char *seg, size_t n, const char *what)
{
    unsigned char buf[AG_JWT_MAX_TOKEN];
    size_t len;

    if (ag_b64url_decode(seg, n, buf, sizeof(buf), &len) < 0) {
        ag_log(AG_LOG_DEBUG, NULL, "jwt: %s is not base64url", what);
        return NULL;
    }
    json_t *json = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(json)) {
        ag_log(AG_LOG_DEBUG, NULL, "jwt: %s is not a JSON object", what);
        json_decref(json);
        return NULL;
    }
    return json;
}

/* True when 'v' is the string 's' exactly. */
static int
json_str_is(const json_t *v, const char *s)
{
    return json_is_string(v) && json_string_length(v) == strlen(s) &&
           memcmp(json_string_value(v), s, strlen(s)) == 0;
}

/* Checks the header: alg EdDSA, typ JWT if present, no crit, a known kid; finds the key. */
static int
header_check(const struct ag_jwt *jwt, const char *seg, size_t n, const struct ag_jwt_key **key)
{
    json_t *h = segment_json(seg, n, "header");
    const json_t *kid;
    int rc = AG_EUNAUTH;

    if (h == NULL) {
        goto out;
    }
    if (!json_str_is(json_object_get(h, "alg"), JWT_ALG)) {
        ag_log(AG_LOG_DEBUG, NULL, "jwt: alg is not " JWT_ALG);
        goto out;
    }
    if (json_object_get(h, "typ") != NULL && !json_str_is(json_object_get(h, "typ"), "JWT")) {
        ag_log(AG_LOG_DEBUG, NULL, "jwt: typ is not JWT");
        goto out;
    }
    if (json_object_get(h, "crit") != NULL) {
        ag_log(AG_LOG_DEBUG, NULL, "jwt: crit extensions are not supported"); /* RFC 7515 4.1.11 */
        goto out;
    }
    kid = json_object_get(h, "kid");
    *key =
        json_is_string(kid) ? key_find(jwt, json_string_value(kid), json_string_length(kid)) : NULL;
    if (*key == NULL) {
        ag_log(AG_LOG_DEBUG, NULL, "jwt: kid missing or unknown");
        goto out;
    }
    rc = 0;
out:
    json_decref(h);
    return rc;
}

/* Copies the string claim 'name' (1..JWT_CLAIM_MAX bytes) into 'out'. */
static int
claim_string(const json_t *payload, const char *name, char *out)
{
    const json_t *v = json_object_get(payload, name);

    /* Without JSON_ALLOW_NUL jansson refuses \u0000, so the length is the C string's. */
    if (!json_is_string(v) || json_string_length(v) < 1 || json_string_length(v) > JWT_CLAIM_MAX) {
        ag_log(AG_LOG_DEBUG, NULL, "jwt: claim '%s' missing or not a string of 1..%d bytes", name,
               JWT_CLAIM_MAX);
        return AG_EUNAUTH;
    }
    memcpy(out, json_string_value(v), json_string_length(v) + 1);
    return 0;
}

/* Reads the integer claim 'name'; when absent, 0 if 'required' is 0, else AG_EUNAUTH. */
static int
claim_int(const json_t *payload, const char *name, int required, int64_t *out)
{
    const json_t *v = json_object_get(payload, name);

    *out = 0;
    if (v == NULL && !required) {
        return 0;
    }
    if (!json_is_integer(v)) {
        ag_log(AG_LOG_DEBUG, NULL, "jwt: claim '%s' missing or not an integer", name);
        return AG_EUNAUTH;
    }
    *out = (int64_t)json_integer_value(v);
    return 0;
}

/* True when 'aud' is our audience or an array that contains it. */
static int
aud_ok(const json_t *aud, const char *ours)
{
    size_t i;
    const json_t *v;

    if (json_is_string(aud)) {
        return json_str_is(aud, ours);
    }
    json_array_foreach(aud, i, v)
    {
        if (json_str_is(v, ours)) {
            return 1;
        }
    }
    return 0;
}

static int
payload_claims(const struct ag_jwt *jwt, const char *seg, size_t n, struct ag_jwt_claims *c)
{
    json_t *p = segment_json(seg, n, "payload");
    const json_t *role;
    int rc = AG_EUNAUTH;

    if (p == NULL) {
        goto out;
    }
    if (claim_string(p, "sub", c->sub) < 0 || claim_string(p, "sid", c->sid) < 0 ||
        claim_int(p, "iat", 1, &c->iat) < 0 || claim_int(p, "exp", 1, &c->exp) < 0 ||
        claim_int(p, "nbf", 0, &c->nbf) < 0) {
        goto out;
    }
    role = json_object_get(p, "role");
    c->role = json_is_string(role)
                  ? ag_role_parse(json_string_value(role), json_string_length(role))
                  : AG_ROLE_NONE;
    if (c->role == AG_ROLE_NONE) {
        ag_log(AG_LOG_DEBUG, NULL, "jwt: role missing or unknown");
        goto out;
    }
    if (!json_str_is(json_object_get(p, "iss"), jwt->iss)) {
        ag_log(AG_LOG_DEBUG, NULL, "jwt: iss missing or not ours");
        goto out;
    }
    if (!aud_ok(json_object_get(p, "aud"), jwt->aud)) {
        ag_log(AG_LOG_DEBUG, NULL, "jwt: aud missing or not ours");
        goto out;
    }
    rc = 0;
out:
    json_decref(p);
    return rc;
}

static int64_t
add_sat(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) {
        return b > 0 ? INT64_MAX : INT64_MIN;
    }
    return r;
}

/* Checks exp, nbf and iat against 'now', AG_JWT_SKEW_S either way; on every hit too. */
static int
claims_check_time(const struct ag_jwt_claims *c, int64_t now)
{
    if (c->exp <= add_sat(now, -AG_JWT_SKEW_S)) {
        ag_log(AG_LOG_DEBUG, NULL, "jwt: expired");
        return AG_EUNAUTH;
    }
    if (c->nbf != 0 && c->nbf > add_sat(now, AG_JWT_SKEW_S)) {
        ag_log(AG_LOG_DEBUG, NULL, "jwt: not valid before nbf");
        return AG_EUNAUTH;
    }
    if (c->iat > add_sat(now, AG_JWT_SKEW_S)) {
        ag_log(AG_LOG_DEBUG, NULL, "jwt: issued in the future");
        return AG_EUNAUTH;
    }
    return 0;
}

/* Everything but the cache: structure, header, signature, claims, times. */
static int
verify_uncached(const struct ag_jwt *jwt, const char *token, size_t len, int64_t now,
                struct ag_jwt_claims *c)
{
    struct token_parts parts;
    const struct ag_jwt_key *key = NULL;
    unsigned char sig[crypto_sign_BYTES];
    size_t siglen;

    int rc = token_split(token, len, &parts);
    if (rc < 0) {
        return rc;
    }
    rc = header_check(jwt, parts.seg[0], parts.len[0], &key);
    if (rc < 0) {
        return rc;
    }
    if (ag_b64url_decode(parts.seg[2], parts.len[2], sig, sizeof(sig), &siglen) < 0 ||
        siglen != sizeof(sig)) {
        ag_log(AG_LOG_DEBUG, NULL, "jwt: signature is not 64 bytes of base64url");
        return AG_EUNAUTH;
    }
    /* The signed input is the token up to the second dot. */
    if (crypto_sign_verify_detached(sig, (const unsigned char *)token,
                                    parts.len[0] + 1 + parts.len[1], key->pk) != 0) {
        ag_log(AG_LOG_DEBUG, NULL, "jwt: bad signature");
        return AG_EUNAUTH;
    }
    rc = payload_claims(jwt, parts.seg[1], parts.len[1], c);
    if (rc < 0) {
        return rc;
    }
    return claims_check_time(c, now);
}

int
ag_jwt_verify(struct ag_jwt *jwt, const char *token, size_t len, int64_t now,
              struct ag_jwt_claims *claims)
{
    struct ag_jwt_claims c;
    uint64_t hash = 0;
    int rc;

    memset(claims, 0, sizeof(*claims));
    memset(&c, 0, sizeof(c));
    if (token == NULL || len == 0 || len > AG_JWT_MAX_TOKEN) {
        ag_log(AG_LOG_DEBUG, NULL, "jwt: token empty or over %d bytes", AG_JWT_MAX_TOKEN);
        return AG_EUNAUTH;
    }
    if (jwt->cache != NULL) {
        hash = cache_hash(jwt->cache, token, len);
        if (cache_get(jwt->cache, hash, token, len, &c) == 0) {
            rc = claims_check_time(&c, now);
            goto out;
        }
    }
    rc = verify_uncached(jwt, token, len, now, &c);
    if (rc == 0 && jwt->cache != NULL) {
        cache_put(jwt->cache, hash, token, len, &c);
    }
out:
    if (rc == 0) {
        *claims = c;
    }
    return rc;
}

/* ---- JWKS ---- */

char *
ag_jwt_jwks(const struct ag_jwt *jwt)
{
    json_t *keys = json_array();
    json_t *root = json_pack("{s:o}", "keys", keys);
    char x[sodium_base64_ENCODED_LEN(crypto_sign_PUBLICKEYBYTES, B64URL)];
    char *out = NULL;

    if (root == NULL) {
        goto out;
    }
    for (size_t i = 0; i < jwt->nkeys; i++) {
        ag_b64url_encode(jwt->keys[i].pk, sizeof(jwt->keys[i].pk), x, sizeof(x));
        json_t *k = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "OKP", "crv", "Ed25519", "x",
                              x, "kid", jwt->keys[i].kid, "use", "sig", "alg", JWT_ALG);
        if (json_array_append_new(keys, k) != 0) {
            goto out;
        }
    }
    size_t n = json_dumpb(root, NULL, 0, JSON_COMPACT);
    if (n == 0) {
        goto out;
    }
    out = ag_xmalloc(n + 1);
    json_dumpb(root, out, n, JSON_COMPACT);
    out[n] = '\0';
out:
    json_decref(root);
    return out;
}
