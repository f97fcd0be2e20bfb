/*
 * libFuzzer target for ag_jwt_verify: the input is the token. One verifier with a fixed key
 * (seed 01 02 … 20, kid "fuzz", iss "agora-auth", aud "agora") and the cache on is set up once,
 * so the seed corpus can hold tokens that verify and reach the cache. Each input is also signed
 * as "header.payload" with that key, so that mutations reach the claims parser past the
 * signature. Also checks that ag_b64url_decode accepts only canonical spellings.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "agora/jwt.h"

#define FUZZ_NOW INT64_C(1700000000)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ag_jwt fuzz_jwt;
static unsigned char fuzz_sk[crypto_sign_SECRETKEYBYTES];
static int fuzz_ready;

static void
fuzz_release(void)
{
    ag_jwt_release(&fuzz_jwt);
}

static void
fuzz_setup(void)
{
    unsigned char seed[crypto_sign_SEEDBYTES];
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    unsigned char other_pk[crypto_sign_PUBLICKEYBYTES];

    if (ag_jwt_init(&fuzz_jwt, "agora-auth", "agora", 64) < 0) {
        abort();
    }
    for (size_t i = 0; i < sizeof(seed); i++) {
        seed[i] = (unsigned char)(i + 1);
    }
    crypto_sign_seed_keypair(pk, sk, seed);
    memcpy(fuzz_sk, sk, sizeof(fuzz_sk));
    memset(other_pk, 0x42, sizeof(other_pk));
    /* A second, public-only key, so that kid lookup has a choice to get wrong. */
    if (ag_jwt_add_key(&fuzz_jwt, "fuzz-old", other_pk, NULL) < 0 ||
        ag_jwt_add_key(&fuzz_jwt, "fuzz", pk, sk) < 0) {
        abort();
    }
    atexit(fuzz_release);
    fuzz_ready = 1;
}

/* A token that verified must come back the same from the cache, and must still expire. */
static void
check_accepted(const char *token, size_t size, const struct ag_jwt_claims *claims)
{
    struct ag_jwt_claims again;

    if (claims->sub[0] == '\0' || strlen(claims->sub) > 71 || claims->sid[0] == '\0' ||
        strlen(claims->sid) > 71 || ag_role_name(claims->role) == NULL) {
        abort();
    }
    if (ag_jwt_verify(&fuzz_jwt, token, size, FUZZ_NOW, &again) != 0 ||
        strcmp(claims->sub, again.sub) != 0 || strcmp(claims->sid, again.sid) != 0 ||
        claims->role != again.role || claims->iat != again.iat || claims->exp != again.exp ||
        claims->nbf != again.nbf) {
        abort();
    }
    if (claims->exp < INT64_MAX - AG_JWT_SKEW_S &&
        ag_jwt_verify(&fuzz_jwt, token, size, claims->exp + AG_JWT_SKEW_S, &again) == 0) {
        abort();
    }
}

/* Whatever ag_b64url_decode accepts must encode back to the very same text. */
static void
check_b64url(const char *in, size_t size)
{
    unsigned char bin[1024];
    char text[1400];
    size_t n;

    if (size > 1360 || ag_b64url_decode(in, size, bin, sizeof(bin), &n) < 0) {
        return;
    }
    if (ag_b64url_encode(bin, n, text, sizeof(text)) != size || memcmp(text, in, size) != 0) {
        abort();
    }
}

/* Verifies "<input>.<signature of input>", when the input has a dot and room is left. */
static void
check_resigned(const char *in, size_t size)
{
    char token[AG_JWT_MAX_TOKEN + 1];
    unsigned char sig[crypto_sign_BYTES];
    struct ag_jwt_claims claims;

    if (size == 0 || size + 1 + 86 > AG_JWT_MAX_TOKEN || memchr(in, '.', size) == NULL) {
        return;
    }
    memcpy(token, in, size);
    crypto_sign_detached(sig, NULL, (const unsigned char *)in, size, fuzz_sk);
    token[size] = '.';
    size_t n = size + 1 + ag_b64url_encode(sig, sizeof(sig), token + size + 1, 87);
    if (ag_jwt_verify(&fuzz_jwt, token, n, FUZZ_NOW, &claims) == 0) {
        check_accepted(token, n, &claims);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *token = (const char *)data;
    struct ag_jwt_claims claims;

    if (!fuzz_ready) {
        fuzz_setup();
    }
    if (ag_jwt_verify(&fuzz_jwt, token, size, FUZZ_NOW, &claims) == 0) {
        check_accepted(token, size, &claims);
    }
    check_resigned(token, size);
    check_b64url(token, size);
    return 0;
}
