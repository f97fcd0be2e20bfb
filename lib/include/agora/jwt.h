/*
 * JWT with EdDSA (Ed25519, libsodium): signing for auth, verification for every service.
 * The algorithm is pinned: a token whose header is not {"alg":"EdDSA"} with a known "kid" is
 * refused, whatever else it says. Verified tokens are cached until they expire.
 */
#ifndef AGORA_JWT_H
#define AGORA_JWT_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#define AG_JWT_MAX_TOKEN 2048 /* longer tokens are refused unread */
#define AG_JWT_MAX_KEYS  4    /* keys active at once (rotation) */
#define AG_JWT_SKEW_S    30   /* clock skew tolerated on exp, nbf and iat */

enum ag_role {
    AG_ROLE_NONE = 0,
    AG_ROLE_GUEST = 1,
    AG_ROLE_USER = 2,
    AG_ROLE_ADMIN = 3,
};

/* "guest", "user", "admin"; NULL for AG_ROLE_NONE. */
const char *ag_role_name(enum ag_role role);
/* Parses a role name; returns AG_ROLE_NONE when unknown. */
enum ag_role ag_role_parse(const char *s, size_t n);

struct ag_jwt_claims {
    char sub[72]; /* subject: member login id, or "guest:<sid>" */
    char sid[72]; /* session id */
    enum ag_role role;
    int64_t iat;
    int64_t exp;
    int64_t nbf; /* 0 when absent */
};

struct ag_jwt_key {
    char kid[64];
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES]; /* zero when only the public key is known */
    int has_secret;
};

struct ag_jwt_cache;

/* A verifier/signer: the keys, the expected iss and aud, and the cache. Thread-safe. */
struct ag_jwt {
    struct ag_jwt_key keys[AG_JWT_MAX_KEYS];
    size_t nkeys;
    char iss[128];
    char aud[128];
    struct ag_jwt_cache *cache; /* owned */
};

/* Prepares 'jwt' with no keys; 'cache_entries' 0 disables the cache. Calls sodium_init. */
int ag_jwt_init(struct ag_jwt *jwt, const char *iss, const char *aud, size_t cache_entries);
/* Wipes the keys and frees the cache; accepts NULL. */
void ag_jwt_release(struct ag_jwt *jwt);

/*
 * Adds a key. 'kid' is copied; 'pk' is required, 'sk' (64 bytes, libsodium layout) may be NULL.
 * Errors: AG_EINVAL (kid empty or too long, too many keys).
 */
int ag_jwt_add_key(struct ag_jwt *jwt, const char *kid, const unsigned char *pk,
                   const unsigned char *sk);

/*
 * Reads an Ed25519 key file in PEM: a private key ("BEGIN PRIVATE KEY", PKCS#8, as
 * `openssl genpkey -algorithm ed25519` writes) gives both halves; a public key ("BEGIN PUBLIC
 * KEY", SPKI) gives 'pk' only. The kid is derived from the public key (RFC 7638 thumbprint,
 * base64url). Errors: AG_ENOTFOUND (no file), AG_EINVAL (not such a key).
 */
int ag_jwt_add_key_file(struct ag_jwt *jwt, const char *path);

/*
 * Adds every key file of the comma-separated 'list' (empty: none) with ag_jwt_add_key_file,
 * as during a key rotation, when tokens of the old key are still valid. Logs the file that
 * failed and returns its error.
 */
int ag_jwt_add_key_files(struct ag_jwt *jwt, const char *list);

/*
 * A service's keys: the file 'main' (the public key it verifies with, or auth's private key),
 * then the comma-separated 'extra' ones. Logs the file that failed and returns its error.
 */
int ag_jwt_add_keys(struct ag_jwt *jwt, const char *main, const char *extra);

/* Makes a new key pair and writes it as PEM files (private 0600); AG_EINTERNAL on I/O error. */
int ag_jwt_keygen_files(const char *private_path, const char *public_path);

/*
 * Signs 'claims' with the first key that has a secret: header {"alg":"EdDSA","typ":"JWT",
 * "kid":…}, payload with sub, role, sid, iat, exp (and iss, aud of 'jwt'). Writes a
 * NUL-terminated token into 'out'. Errors: AG_EINVAL (no signing key, 'outlen' too small).
 */
int ag_jwt_sign(const struct ag_jwt *jwt, const struct ag_jwt_claims *claims, char *out,
                size_t outlen);

/*
 * Verifies 'token' ('len' bytes) at time 'now' (unix seconds): structure, base64url, header
 * alg EdDSA and a known kid, signature, exp/nbf/iat with AG_JWT_SKEW_S, iss and aud, a known
 * role, sub and sid present. Fills 'claims'. Errors: AG_EUNAUTH for every bad token (the reason
 * is logged at debug level, never told to the client).
 */
int ag_jwt_verify(struct ag_jwt *jwt, const char *token, size_t len, int64_t now,
                  struct ag_jwt_claims *claims);

/* The public keys as a JWKS document (RFC 8037 OKP keys); release with ag_free. */
char *ag_jwt_jwks(const struct ag_jwt *jwt);

/* base64url without padding. ag_b64url_encode writes a NUL; returns the length written. */
size_t ag_b64url_encode(const unsigned char *in, size_t n, char *out, size_t outlen);
/* Returns 0 and '*outn', or AG_EINVAL on a bad character, padding or length. */
int ag_b64url_decode(const char *in, size_t n, unsigned char *out, size_t outlen, size_t *outn);

#endif
