/*
 * Unit tests of agora/jwt.h: round trips, every reason to refuse a token, the cache (also under
 * threads), key files (ours and OpenSSL's), JWKS and base64url.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "ag_test.h"
#include "agora/err.h"
#include "agora/jwt.h"
#include "agora/mem.h"

#define NOW INT64_C(1700000000)
#define ISS "agora-auth"
#define AUD "agora"

/* A key pair made for one test; 'kid' names it. */
struct test_key {
    char kid[64];
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
};

static struct test_key
key_make(const char *kid)
{
    struct test_key k;

    memset(&k, 0, sizeof(k));
    if (sodium_init() < 0) {
        abort();
    }
    snprintf(k.kid, sizeof(k.kid), "%s", kid);
    crypto_sign_keypair(k.pk, k.sk);
    return k;
}

/* A verifier with one signing key 'k'; 'cache' entries (0: none). */
static int
jwt_with_key(struct ag_jwt *jwt, const struct test_key *k, size_t cache)
{
    int rc = ag_jwt_init(jwt, ISS, AUD, cache);
    if (rc < 0) {
        return rc;
    }
    return ag_jwt_add_key(jwt, k->kid, k->pk, k->sk);
}

static struct ag_jwt_claims
claims_make(const char *sub, enum ag_role role)
{
    struct ag_jwt_claims c;
    memset(&c, 0, sizeof(c));
    snprintf(c.sub, sizeof(c.sub), "%s", sub);
    snprintf(c.sid, sizeof(c.sid), "sid-%s", sub);
    c.role = role;
    c.iat = NOW;
    c.exp = NOW + 900;
    return c;
}

/* Appends "<b64 header>.<b64 payload>" to 'out'; returns its length. */
static size_t
signing_input(const char *header, const char *payload, char *out, size_t outlen)
{
    size_t pos = ag_b64url_encode((const unsigned char *)header, strlen(header), out, outlen);
    out[pos++] = '.';
    pos +=
        ag_b64url_encode((const unsigned char *)payload, strlen(payload), out + pos, outlen - pos);
    return pos;
}

/*
 * Builds a token from raw header and payload JSON, signed by 'k'. Lets tests make tokens
 * ag_jwt_sign never would.
 */
static void
forge(const struct test_key *k, const char *header, const char *payload, char *out, size_t outlen)
{
    unsigned char sig[crypto_sign_BYTES];
    size_t pos = signing_input(header, payload, out, outlen);

    crypto_sign_detached(sig, NULL, (const unsigned char *)out, pos, k->sk);
    out[pos++] = '.';
    ag_b64url_encode(sig, sizeof(sig), out + pos, outlen - pos);
}

/* As forge, with 'sig' (base64url text, maybe empty) as the signature. */
static void
forge_unsigned(const char *header, const char *payload, const char *sig, char *out, size_t outlen)
{
    size_t pos = signing_input(header, payload, out, outlen);
    snprintf(out + pos, outlen - pos, ".%s", sig);
}

/* Field by field: the struct has padding. */
static int
claims_equal(const struct ag_jwt_claims *a, const struct ag_jwt_claims *b)
{
    return strcmp(a->sub, b->sub) == 0 && strcmp(a->sid, b->sid) == 0 && a->role == b->role &&
           a->iat == b->iat && a->exp == b->exp && a->nbf == b->nbf;
}

/* The header ag_jwt_sign writes for 'k'. */
static void
header_of(const struct test_key *k, char *out, size_t outlen)
{
    snprintf(out, outlen, "{\"alg\":\"EdDSA\",\"typ\":\"JWT\",\"kid\":\"%s\"}", k->kid);
}

/* A payload with our iss and aud and the given times; 'extra' is spliced in before them. */
static void
payload_of(const char *extra, int64_t iat, int64_t exp, char *out, size_t outlen)
{
    snprintf(out, outlen, "{%s\"iat\":%lld,\"exp\":%lld,\"iss\":\"" ISS "\",\"aud\":\"" AUD "\"}",
             extra, (long long)iat, (long long)exp);
}

#define GOOD_CLAIMS "\"sub\":\"bob\",\"sid\":\"s1\",\"role\":\"user\","

/* Verifies 'token' at NOW with a fresh cacheless verifier for 'k'; returns the code. */
static int
verify_with(const struct test_key *k, const char *token, struct ag_jwt_claims *c)
{
    struct ag_jwt jwt;
    struct ag_jwt_claims tmp;
    int rc = jwt_with_key(&jwt, k, 0);
    if (rc == 0) {
        rc = ag_jwt_verify(&jwt, token, strlen(token), NOW, c != NULL ? c : &tmp);
    }
    ag_jwt_release(&jwt);
    return rc;
}

TEST(roles)
{
    CHECK_EQ_STR(ag_role_name(AG_ROLE_GUEST), "guest");
    CHECK_EQ_STR(ag_role_name(AG_ROLE_USER), "user");
    CHECK_EQ_STR(ag_role_name(AG_ROLE_ADMIN), "admin");
    CHECK_NULL(ag_role_name(AG_ROLE_NONE));
    CHECK_NULL(ag_role_name((enum ag_role)7));
    CHECK_EQ_INT(ag_role_parse("admin", 5), AG_ROLE_ADMIN);
    CHECK_EQ_INT(ag_role_parse("user", 4), AG_ROLE_USER);
    CHECK_EQ_INT(ag_role_parse("guest", 5), AG_ROLE_GUEST);
    CHECK_EQ_INT(ag_role_parse("admin", 4), AG_ROLE_NONE);
    CHECK_EQ_INT(ag_role_parse("Admin", 5), AG_ROLE_NONE);
    CHECK_EQ_INT(ag_role_parse("", 0), AG_ROLE_NONE);
    CHECK_EQ_INT(ag_role_parse(NULL, 0), AG_ROLE_NONE);
}

TEST(sign_verify_round_trip)
{
    struct test_key k;
    struct ag_jwt jwt;
    struct ag_jwt_claims in = claims_make("alice", AG_ROLE_ADMIN);
    struct ag_jwt_claims out;
    char token[AG_JWT_MAX_TOKEN + 1];

    k = key_make("k1");
    CHECK_EQ_INT(jwt_with_key(&jwt, &k, 0), 0);
    in.nbf = NOW - 10;
    CHECK_EQ_INT(ag_jwt_sign(&jwt, &in, token, sizeof(token)), 0);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, token, strlen(token), NOW, &out), 0);
    ag_jwt_release(&jwt);
    CHECK_EQ_STR(out.sub, "alice");
    CHECK_EQ_STR(out.sid, "sid-alice");
    CHECK_EQ_INT(out.role, AG_ROLE_ADMIN);
    CHECK_EQ_INT(out.iat, NOW);
    CHECK_EQ_INT(out.exp, NOW + 900);
    CHECK_EQ_INT(out.nbf, NOW - 10);
    /* The header is exactly what the architecture pins. */
    char header[256];
    header_of(&k, header, sizeof(header));
    char expect[256];
    ag_b64url_encode((const unsigned char *)header, strlen(header), expect, sizeof(expect));
    CHECK(strncmp(token, expect, strlen(expect)) == 0 && token[strlen(expect)] == '.');
}

TEST(sign_refuses)
{
    struct test_key k;
    struct ag_jwt jwt;
    struct ag_jwt_claims c = claims_make("alice", AG_ROLE_USER);
    char token[AG_JWT_MAX_TOKEN + 1];

    k = key_make("k1");
    CHECK_EQ_INT(jwt_with_key(&jwt, &k, 0), 0);
    CHECK_EQ_INT(ag_jwt_sign(&jwt, &c, token, 40), AG_EINVAL);
    CHECK_EQ_STR(token, "");
    c.role = AG_ROLE_NONE;
    CHECK_EQ_INT(ag_jwt_sign(&jwt, &c, token, sizeof(token)), AG_EINVAL);
    c = claims_make("", AG_ROLE_USER);
    CHECK_EQ_INT(ag_jwt_sign(&jwt, &c, token, sizeof(token)), AG_EINVAL);
    c = claims_make("alice", AG_ROLE_USER);
    memset(c.sid, 'x', sizeof(c.sid)); /* not terminated */
    CHECK_EQ_INT(ag_jwt_sign(&jwt, &c, token, sizeof(token)), AG_EINVAL);
    c = claims_make("\xff\xfe", AG_ROLE_USER); /* not UTF-8 */
    CHECK_EQ_INT(ag_jwt_sign(&jwt, &c, token, sizeof(token)), AG_EINVAL);
    ag_jwt_release(&jwt);
}

TEST(init_and_add_key_errors)
{
    struct test_key k;
    struct ag_jwt jwt;
    char long_name[200];

    k = key_make("k1");
    memset(long_name, 'a', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    CHECK_EQ_INT(ag_jwt_init(&jwt, long_name, AUD, 0), AG_EINVAL);
    ag_jwt_release(&jwt);
    CHECK_EQ_INT(ag_jwt_init(&jwt, NULL, AUD, 0), AG_EINVAL);
    ag_jwt_release(&jwt);
    ag_jwt_release(NULL);

    CHECK_EQ_INT(ag_jwt_init(&jwt, ISS, AUD, 0), 0);
    CHECK_EQ_INT(ag_jwt_add_key(&jwt, "", k.pk, NULL), AG_EINVAL);
    CHECK_EQ_INT(ag_jwt_add_key(&jwt, long_name, k.pk, NULL), AG_EINVAL);
    CHECK_EQ_INT(ag_jwt_add_key(&jwt, "a\nb", k.pk, NULL), AG_EINVAL);
    CHECK_EQ_INT(ag_jwt_add_key(&jwt, "k", NULL, NULL), AG_EINVAL);
    unsigned char bad_sk[crypto_sign_SECRETKEYBYTES];
    memcpy(bad_sk, k.sk, sizeof(bad_sk));
    bad_sk[40] ^= 1; /* its public half no longer matches pk */
    CHECK_EQ_INT(ag_jwt_add_key(&jwt, "k", k.pk, bad_sk), AG_EINVAL);
    for (int i = 0; i < AG_JWT_MAX_KEYS; i++) {
        char kid[8];
        snprintf(kid, sizeof(kid), "k%d", i);
        CHECK_EQ_INT(ag_jwt_add_key(&jwt, kid, k.pk, NULL), 0);
    }
    CHECK_EQ_INT(ag_jwt_add_key(&jwt, "one-more", k.pk, NULL), AG_EINVAL);
    ag_jwt_release(&jwt);

    CHECK_EQ_INT(ag_jwt_init(&jwt, ISS, AUD, 0), 0);
    CHECK_EQ_INT(ag_jwt_add_key(&jwt, "same", k.pk, NULL), 0);
    CHECK_EQ_INT(ag_jwt_add_key(&jwt, "same", k.pk, k.sk), AG_EINVAL);
    ag_jwt_release(&jwt);
}

TEST(reject_alg_none_and_hs256)
{
    struct test_key k;
    char payload[512];
    char token[AG_JWT_MAX_TOKEN + 1];

    k = key_make("k1");
    payload_of(GOOD_CLAIMS, NOW, NOW + 900, payload, sizeof(payload));
    forge_unsigned("{\"alg\":\"none\",\"typ\":\"JWT\"}", payload, "", token, sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, NULL), AG_EUNAUTH);
    forge_unsigned("{\"alg\":\"none\",\"kid\":\"k1\"}", payload, "", token, sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, NULL), AG_EUNAUTH);
    /* Even with a real Ed25519 signature, a header that does not say EdDSA is refused. */
    forge(&k, "{\"alg\":\"none\",\"kid\":\"k1\"}", payload, token, sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, NULL), AG_EUNAUTH);
    forge(&k, "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}", payload, token, sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, NULL), AG_EUNAUTH);
    forge(&k, "{\"alg\":\"eddsa\",\"kid\":\"k1\"}", payload, token, sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, NULL), AG_EUNAUTH);
    forge(&k, "{\"alg\":[\"EdDSA\"],\"kid\":\"k1\"}", payload, token, sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, NULL), AG_EUNAUTH);
    /* The same forge with the right header passes, so the refusals above are about alg. */
    forge(&k, "{\"alg\":\"EdDSA\",\"kid\":\"k1\"}", payload, token, sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, NULL), 0);
}

TEST(reject_header_fields)
{
    struct test_key k;
    char payload[512];
    char token[AG_JWT_MAX_TOKEN + 1];

    k = key_make("k1");
    payload_of(GOOD_CLAIMS, NOW, NOW + 900, payload, sizeof(payload));
    forge(&k, "{\"alg\":\"EdDSA\"}", payload, token, sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, NULL), AG_EUNAUTH); /* missing kid */
    forge(&k, "{\"alg\":\"EdDSA\",\"kid\":\"k2\"}", payload, token, sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, NULL), AG_EUNAUTH); /* unknown kid */
    forge(&k, "{\"alg\":\"EdDSA\",\"kid\":\"k1x\"}", payload, token, sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, NULL), AG_EUNAUTH); /* a prefix is not a match */
    forge(&k, "{\"alg\":\"EdDSA\",\"kid\":1}", payload, token, sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, NULL), AG_EUNAUTH);
    forge(&k, "{\"alg\":\"EdDSA\",\"typ\":\"JOSE\",\"kid\":\"k1\"}", payload, token, sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, NULL), AG_EUNAUTH);
    forge(&k, "{\"alg\":\"EdDSA\",\"kid\":\"k1\",\"crit\":[\"exp\"]}", payload, token,
          sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, NULL), AG_EUNAUTH);
    forge(&k, "{\"alg\":\"EdDSA\",\"kid\":\"k1\",\"alg\":\"EdDSA\"}", payload, token,
          sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, NULL), AG_EUNAUTH); /* duplicate key in header */
    forge(&k, "[\"EdDSA\"]", payload, token, sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, NULL), AG_EUNAUTH); /* header not an object */
    forge(&k, "\"EdDSA\"", payload, token, sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, NULL), AG_EUNAUTH);
    forge(&k, "{\"alg\":\"EdDSA\",\"kid\":\"k1\"} x", payload, token, sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, NULL), AG_EUNAUTH); /* trailing garbage */
}

TEST(reject_tampering)
{
    struct test_key k;
    struct test_key other;
    struct ag_jwt jwt;
    struct ag_jwt_claims c = claims_make("bob", AG_ROLE_USER);
    struct ag_jwt_claims out;
    char token[AG_JWT_MAX_TOKEN + 1];
    char evil[AG_JWT_MAX_TOKEN + 8];

    k = key_make("k1");
    other = key_make("k1"); /* same kid, other key */
    CHECK_EQ_INT(jwt_with_key(&jwt, &k, 0), 0);
    CHECK_EQ_INT(ag_jwt_sign(&jwt, &c, token, sizeof(token)), 0);
    ag_jwt_release(&jwt);
    CHECK_EQ_INT(verify_with(&k, token, NULL), 0);
    CHECK_EQ_INT(verify_with(&other, token, NULL), AG_EUNAUTH);

    /* Payload: swap in an admin role, keep the signature. */
    const char *dot1 = strchr(token, '.');
    const char *dot2 = strchr(dot1 + 1, '.');
    char header[256];
    char payload[512];
    header_of(&k, header, sizeof(header));
    payload_of("\"sub\":\"bob\",\"sid\":\"sid-bob\",\"role\":\"admin\",", NOW, NOW + 900, payload,
               sizeof(payload));
    forge_unsigned(header, payload, dot2 + 1, evil, sizeof(evil));
    CHECK_EQ_INT(verify_with(&k, evil, NULL), AG_EUNAUTH);

    /* Payload: one character changed in place. */
    snprintf(evil, sizeof(evil), "%s", token);
    evil[dot1 - token + 5] = evil[dot1 - token + 5] == 'A' ? 'B' : 'A';
    CHECK_EQ_INT(verify_with(&k, evil, NULL), AG_EUNAUTH);

    /* Signature: one bit of one character changed, then a shorter and a longer one. */
    size_t len = strlen(token);
    snprintf(evil, sizeof(evil), "%s", token);
    evil[dot2 - token + 10] = evil[dot2 - token + 10] == 'A' ? 'B' : 'A';
    CHECK_EQ_INT(verify_with(&k, evil, NULL), AG_EUNAUTH);
    snprintf(evil, sizeof(evil), "%.*s", (int)len - 4, token);
    CHECK_EQ_INT(verify_with(&k, evil, NULL), AG_EUNAUTH);
    snprintf(evil, sizeof(evil), "%sAAAA", token);
    CHECK_EQ_INT(verify_with(&k, evil, NULL), AG_EUNAUTH);

    /* The last signature character with its unused low bits set decodes the same: refused. */
    snprintf(evil, sizeof(evil), "%s", token);
    char *last = &evil[len - 1];
    const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t v = (size_t)(strchr(alphabet, *last) - alphabet);
    *last = alphabet[v | 1]; /* 64 bytes: 86 characters, the last carries 2 bits and 4 unused */
    CHECK_NE_INT(*last, token[len - 1]);
    CHECK_EQ_INT(verify_with(&k, evil, &out), AG_EUNAUTH);
}

TEST(reject_times)
{
    struct test_key k;
    char header[256];
    char payload[512];
    char token[AG_JWT_MAX_TOKEN + 1];
    struct ag_jwt_claims out;

    k = key_make("k1");
    header_of(&k, header, sizeof(header));
    /* exp: refused at exp + skew, accepted just before. */
    payload_of(GOOD_CLAIMS, NOW - 1000, NOW - AG_JWT_SKEW_S, payload, sizeof(payload));
    forge(&k, header, payload, token, sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, NULL), AG_EUNAUTH);
    payload_of(GOOD_CLAIMS, NOW - 1000, NOW - AG_JWT_SKEW_S + 1, payload, sizeof(payload));
    forge(&k, header, payload, token, sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, NULL), 0);
    /* nbf in the future beyond the skew. */
    payload_of(GOOD_CLAIMS "\"nbf\":1700000031,", NOW, NOW + 900, payload, sizeof(payload));
    forge(&k, header, payload, token, sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, NULL), AG_EUNAUTH);
    payload_of(GOOD_CLAIMS "\"nbf\":1700000030,", NOW, NOW + 900, payload, sizeof(payload));
    forge(&k, header, payload, token, sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, &out), 0);
    CHECK_EQ_INT(out.nbf, NOW + 30);
    /* iat in the future beyond the skew. */
    payload_of(GOOD_CLAIMS, NOW + AG_JWT_SKEW_S + 1, NOW + 900, payload, sizeof(payload));
    forge(&k, header, payload, token, sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, NULL), AG_EUNAUTH);
    /* Times must be integers; extremes do not overflow. */
    snprintf(payload, sizeof(payload),
             "{" GOOD_CLAIMS "\"iat\":1700000000.0,\"exp\":1800000000,\"iss\":\"" ISS
             "\",\"aud\":\"" AUD "\"}");
    forge(&k, header, payload, token, sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, NULL), AG_EUNAUTH);
    snprintf(payload, sizeof(payload),
             "{" GOOD_CLAIMS "\"iat\":1700000000,\"exp\":\"1800000000\",\"iss\":\"" ISS
             "\",\"aud\":\"" AUD "\"}");
    forge(&k, header, payload, token, sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, NULL), AG_EUNAUTH);
    payload_of(GOOD_CLAIMS, INT64_MIN, INT64_MAX, payload, sizeof(payload));
    forge(&k, header, payload, token, sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, NULL), 0);
    struct ag_jwt jwt;
    CHECK_EQ_INT(jwt_with_key(&jwt, &k, 0), 0);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, token, strlen(token), INT64_MIN, &out), 0);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, token, strlen(token), INT64_MAX, &out), 0);
    ag_jwt_release(&jwt);
}

TEST(reject_claims)
{
    static const char *const bad[] = {
        /* missing sub, empty sub, sub too long (72 bytes), sub not a string */
        "\"sid\":\"s1\",\"role\":\"user\",",
        "\"sub\":\"\",\"sid\":\"s1\",\"role\":\"user\",",
        ("\"sub\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\","
         "\"sid\":\"s1\",\"role\":\"user\","),
        "\"sub\":7,\"sid\":\"s1\",\"role\":\"user\",",
        /* NUL inside sub */
        "\"sub\":\"bo\\u0000b\",\"sid\":\"s1\",\"role\":\"user\",",
        /* missing sid, unknown role, missing role, role not a string */
        "\"sub\":\"bob\",\"role\":\"user\",",
        "\"sub\":\"bob\",\"sid\":\"s1\",\"role\":\"root\",",
        "\"sub\":\"bob\",\"sid\":\"s1\",",
        "\"sub\":\"bob\",\"sid\":\"s1\",\"role\":2,",
        /* duplicate keys in the payload */
        "\"sub\":\"bob\",\"sub\":\"admin\",\"sid\":\"s1\",\"role\":\"user\",",
        "\"sub\":\"bob\",\"sid\":\"s1\",\"role\":\"user\",\"role\":\"admin\",",
    };
    struct test_key k;
    char header[256];
    char payload[512];
    char token[AG_JWT_MAX_TOKEN + 1];
    struct ag_jwt_claims out;

    k = key_make("k1");
    header_of(&k, header, sizeof(header));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        payload_of(bad[i], NOW, NOW + 900, payload, sizeof(payload));
        forge(&k, header, payload, token, sizeof(token));
        if (verify_with(&k, token, NULL) != AG_EUNAUTH) {
            CHECK_EQ_STR(bad[i], "(refused)");
        }
    }
    /* 71 bytes of sub is the limit, and it fits. */
    payload_of(
        "\"sub\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\","
        "\"sid\":\"s1\",\"role\":\"guest\",",
        NOW, NOW + 900, payload, sizeof(payload));
    forge(&k, header, payload, token, sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, &out), 0);
    CHECK_EQ_INT(strlen(out.sub), 71);
    CHECK_EQ_INT(out.role, AG_ROLE_GUEST);
    /* Payload not an object. */
    forge(&k, header, "[1,2]", token, sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, NULL), AG_EUNAUTH);
    forge(&k, header, "", token, sizeof(token));
    CHECK_EQ_INT(verify_with(&k, token, NULL), AG_EUNAUTH);
}

TEST(iss_and_aud)
{
    struct test_key k;
    char header[256];
    char payload[512];
    char token[AG_JWT_MAX_TOKEN + 1];
    const char *cases[][2] = {
        /* payload, expected result: "ok" or "no" */
        {"{" GOOD_CLAIMS "\"iat\":1700000000,\"exp\":1700000900,\"iss\":\"evil\",\"aud\":\"" AUD
         "\"}",
         "no"},
        {"{" GOOD_CLAIMS "\"iat\":1700000000,\"exp\":1700000900,\"aud\":\"" AUD "\"}", "no"},
        {"{" GOOD_CLAIMS "\"iat\":1700000000,\"exp\":1700000900,\"iss\":\"" ISS "x\",\"aud\":\"" AUD
         "\"}",
         "no"},
        {"{" GOOD_CLAIMS "\"iat\":1700000000,\"exp\":1700000900,\"iss\":\"" ISS
         "\",\"aud\":\"other\"}",
         "no"},
        {"{" GOOD_CLAIMS "\"iat\":1700000000,\"exp\":1700000900,\"iss\":\"" ISS "\"}", "no"},
        {"{" GOOD_CLAIMS "\"iat\":1700000000,\"exp\":1700000900,\"iss\":\"" ISS
         "\",\"aud\":[\"other\",\"agor\"]}",
         "no"},
        {"{" GOOD_CLAIMS "\"iat\":1700000000,\"exp\":1700000900,\"iss\":\"" ISS "\",\"aud\":[]}",
         "no"},
        {"{" GOOD_CLAIMS "\"iat\":1700000000,\"exp\":1700000900,\"iss\":\"" ISS
         "\",\"aud\":{\"aud\":\"" AUD "\"}}",
         "no"},
        {"{" GOOD_CLAIMS "\"iat\":1700000000,\"exp\":1700000900,\"iss\":\"" ISS
         "\",\"aud\":[\"other\",1,\"" AUD "\"]}",
         "ok"},
        {"{" GOOD_CLAIMS "\"iat\":1700000000,\"exp\":1700000900,\"iss\":\"" ISS "\",\"aud\":\"" AUD
         "\",\"jti\":\"extra claims are ignored\"}",
         "ok"},
    };

    k = key_make("k1");
    header_of(&k, header, sizeof(header));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(payload, sizeof(payload), "%s", cases[i][0]);
        forge(&k, header, payload, token, sizeof(token));
        int want = strcmp(cases[i][1], "ok") == 0 ? 0 : AG_EUNAUTH;
        if (verify_with(&k, token, NULL) != want) {
            CHECK_EQ_STR(cases[i][0], cases[i][1]);
        }
    }
}

TEST(reject_structure)
{
    struct test_key k;
    struct ag_jwt jwt;
    struct ag_jwt_claims c = claims_make("bob", AG_ROLE_USER);
    struct ag_jwt_claims out;
    char token[AG_JWT_MAX_TOKEN + 1];
    char evil[2 * AG_JWT_MAX_TOKEN + 16];

    k = key_make("k1");
    CHECK_EQ_INT(jwt_with_key(&jwt, &k, 64), 0);
    CHECK_EQ_INT(ag_jwt_sign(&jwt, &c, token, sizeof(token)), 0);
    size_t len = strlen(token);
    const char *dot1 = strchr(token, '.');
    const char *dot2 = strchr(dot1 + 1, '.');
    int h = (int)(dot1 - token);
    int hp = (int)(dot2 - token);

    CHECK_EQ_INT(ag_jwt_verify(&jwt, token, len, NOW, &out), 0);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, token, 0, NOW, &out), AG_EUNAUTH);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, NULL, 0, NOW, &out), AG_EUNAUTH);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, token, len - 1, NOW, &out), AG_EUNAUTH); /* truncated */
    /* Two segments, four segments, empty segments. */
    CHECK_EQ_INT(ag_jwt_verify(&jwt, token, (size_t)hp, NOW, &out), AG_EUNAUTH);
    snprintf(evil, sizeof(evil), "%s.%s", token, dot2 + 1);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, evil, strlen(evil), NOW, &out), AG_EUNAUTH);
    snprintf(evil, sizeof(evil), "%s.", token);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, evil, strlen(evil), NOW, &out), AG_EUNAUTH);
    snprintf(evil, sizeof(evil), "%.*s.", hp, token); /* signature stripped: alg none style */
    CHECK_EQ_INT(ag_jwt_verify(&jwt, evil, strlen(evil), NOW, &out), AG_EUNAUTH);
    snprintf(evil, sizeof(evil), ".%s", dot1 + 1);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, evil, strlen(evil), NOW, &out), AG_EUNAUTH);
    snprintf(evil, sizeof(evil), "%.*s.%s", h, token, dot2);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, evil, strlen(evil), NOW, &out), AG_EUNAUTH);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, "..", 2, NOW, &out), AG_EUNAUTH);
    /* '=' padding anywhere, a bad base64 character, whitespace, a NUL byte. */
    snprintf(evil, sizeof(evil), "%s=", token);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, evil, strlen(evil), NOW, &out), AG_EUNAUTH);
    snprintf(evil, sizeof(evil), "%.*s=%s", h, token, dot1);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, evil, strlen(evil), NOW, &out), AG_EUNAUTH);
    snprintf(evil, sizeof(evil), "%.*s==%s", hp, token, dot2);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, evil, strlen(evil), NOW, &out), AG_EUNAUTH);
    const char bad_chars[] = {'+', '/', '*', ' ', '\n', '\0', '\x80'};
    for (size_t i = 0; i < sizeof(bad_chars); i++) {
        memcpy(evil, token, len + 1);
        evil[3] = bad_chars[i]; /* header */
        CHECK_EQ_INT(ag_jwt_verify(&jwt, evil, len, NOW, &out), AG_EUNAUTH);
        memcpy(evil, token, len + 1);
        evil[h + 3] = bad_chars[i]; /* payload */
        CHECK_EQ_INT(ag_jwt_verify(&jwt, evil, len, NOW, &out), AG_EUNAUTH);
        memcpy(evil, token, len + 1);
        evil[hp + 3] = bad_chars[i]; /* signature */
        CHECK_EQ_INT(ag_jwt_verify(&jwt, evil, len, NOW, &out), AG_EUNAUTH);
    }
    /* Too long: refused unread, even though the first bytes are a valid token. */
    memset(evil, 'A', sizeof(evil));
    memcpy(evil, token, len + 1);
    evil[len] = 'A';
    CHECK_EQ_INT(ag_jwt_verify(&jwt, evil, AG_JWT_MAX_TOKEN + 1, NOW, &out), AG_EUNAUTH);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, evil, sizeof(evil), NOW, &out), AG_EUNAUTH);
    /* Still the same good token afterwards; failures left the claims zeroed. */
    CHECK_EQ_STR(out.sub, "");
    CHECK_EQ_INT(ag_jwt_verify(&jwt, token, len, NOW, &out), 0);
    CHECK_EQ_STR(out.sub, "bob");
    ag_jwt_release(&jwt);
}

TEST(cache_hits_and_expiry)
{
    struct test_key k;
    struct ag_jwt jwt;
    struct ag_jwt_claims c = claims_make("carol", AG_ROLE_USER);
    struct ag_jwt_claims a;
    struct ag_jwt_claims b;
    char token[AG_JWT_MAX_TOKEN + 1];

    k = key_make("k1");
    CHECK_EQ_INT(jwt_with_key(&jwt, &k, 1000), 0);
    c.nbf = NOW - 5;
    CHECK_EQ_INT(ag_jwt_sign(&jwt, &c, token, sizeof(token)), 0);
    size_t len = strlen(token);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, token, len, NOW, &a), 0);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, token, len, NOW, &b), 0);
    CHECK(claims_equal(&a, &b));
    CHECK_EQ_STR(b.sub, "carol");
    CHECK_EQ_INT(b.nbf, NOW - 5);
    /* A hit still checks the clock: an hour later it has expired, before nbf it is not valid. */
    CHECK_EQ_INT(ag_jwt_verify(&jwt, token, len, NOW + 3600, &b), AG_EUNAUTH);
    CHECK_EQ_STR(b.sub, "");
    CHECK_EQ_INT(ag_jwt_verify(&jwt, token, len, NOW - 3600, &b), AG_EUNAUTH);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, token, len, NOW + 60, &b), 0);
    /* A cached token does not make a longer or shorter neighbour pass. */
    char evil[AG_JWT_MAX_TOKEN + 8];
    snprintf(evil, sizeof(evil), "%sA", token);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, evil, len + 1, NOW, &b), AG_EUNAUTH);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, token, len - 1, NOW, &b), AG_EUNAUTH);
    /* A refused token is not cached: still refused the second time. */
    CHECK_EQ_INT(ag_jwt_verify(&jwt, evil, len + 1, NOW, &b), AG_EUNAUTH);
    ag_jwt_release(&jwt);
}

TEST(cache_not_yet_valid_not_cached)
{
    struct test_key k;
    struct ag_jwt jwt;
    struct ag_jwt_claims c = claims_make("dave", AG_ROLE_USER);
    struct ag_jwt_claims out;
    char token[AG_JWT_MAX_TOKEN + 1];

    k = key_make("k1");
    CHECK_EQ_INT(jwt_with_key(&jwt, &k, 16), 0);
    c.nbf = NOW + 600;
    CHECK_EQ_INT(ag_jwt_sign(&jwt, &c, token, sizeof(token)), 0);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, token, strlen(token), NOW, &out), AG_EUNAUTH);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, token, strlen(token), NOW + 600, &out), 0);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, token, strlen(token), NOW, &out), AG_EUNAUTH);
    ag_jwt_release(&jwt);
}

TEST(cache_eviction)
{
    enum { NTOKENS = 500 };
    struct test_key k;
    struct ag_jwt jwt;
    struct ag_jwt_claims out;
    char(*tokens)[AG_JWT_MAX_TOKEN + 1] = ag_xmalloc((size_t)NTOKENS * sizeof(*tokens));

    k = key_make("k1");
    CHECK_EQ_INT(jwt_with_key(&jwt, &k, 10), 0); /* far fewer slots than tokens */
    for (int i = 0; i < NTOKENS; i++) {
        char sub[32];
        snprintf(sub, sizeof(sub), "user-%d", i);
        struct ag_jwt_claims c = claims_make(sub, AG_ROLE_USER);
        c.exp = NOW + 100 + i;
        CHECK_EQ_INT(ag_jwt_sign(&jwt, &c, tokens[i], sizeof(tokens[i])), 0);
    }
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < NTOKENS; i++) {
            char sub[32];
            snprintf(sub, sizeof(sub), "user-%d", i);
            CHECK_EQ_INT(ag_jwt_verify(&jwt, tokens[i], strlen(tokens[i]), NOW, &out), 0);
            CHECK_EQ_STR(out.sub, sub);
            CHECK_EQ_INT(out.exp, NOW + 100 + i);
        }
    }
    ag_jwt_release(&jwt);
    ag_free(tokens);
}

TEST(two_keys)
{
    struct test_key k1;
    struct test_key k2;
    struct ag_jwt jwt;
    struct ag_jwt jwt2;
    struct ag_jwt pub;
    struct ag_jwt_claims c = claims_make("erin", AG_ROLE_USER);
    struct ag_jwt_claims out;
    char t1[AG_JWT_MAX_TOKEN + 1];
    char t2[AG_JWT_MAX_TOKEN + 1];

    k1 = key_make("k1");
    k2 = key_make("k2");
    CHECK_EQ_INT(jwt_with_key(&jwt, &k1, 32), 0);
    CHECK_EQ_INT(ag_jwt_sign(&jwt, &c, t1, sizeof(t1)), 0);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, t1, strlen(t1), NOW, &out), 0);
    CHECK_EQ_INT(ag_jwt_add_key(&jwt, k2.kid, k2.pk, k2.sk), 0);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, t1, strlen(t1), NOW, &out), 0);
    /* A token of key 2 (signed elsewhere) verifies here too. */
    CHECK_EQ_INT(jwt_with_key(&jwt2, &k2, 0), 0);
    CHECK_EQ_INT(ag_jwt_sign(&jwt2, &c, t2, sizeof(t2)), 0);
    ag_jwt_release(&jwt2);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, t2, strlen(t2), NOW, &out), 0);
    CHECK(strcmp(t1, t2) != 0);
    /* Signing still uses the first key with a secret. */
    char t3[AG_JWT_MAX_TOKEN + 1];
    CHECK_EQ_INT(ag_jwt_sign(&jwt, &c, t3, sizeof(t3)), 0);
    CHECK_EQ_STR(t3, t1);
    ag_jwt_release(&jwt);

    /* Public keys only: verifies, cannot sign. */
    CHECK_EQ_INT(ag_jwt_init(&pub, ISS, AUD, 0), 0);
    CHECK_EQ_INT(ag_jwt_add_key(&pub, k1.kid, k1.pk, NULL), 0);
    CHECK_EQ_INT(ag_jwt_add_key(&pub, k2.kid, k2.pk, NULL), 0);
    CHECK_EQ_INT(ag_jwt_verify(&pub, t1, strlen(t1), NOW, &out), 0);
    CHECK_EQ_INT(ag_jwt_verify(&pub, t2, strlen(t2), NOW, &out), 0);
    CHECK_EQ_INT(ag_jwt_sign(&pub, &c, t3, sizeof(t3)), AG_EINVAL);
    /* A public key first and a secret second: the second signs. */
    struct ag_jwt mixed;
    CHECK_EQ_INT(ag_jwt_init(&mixed, ISS, AUD, 0), 0);
    CHECK_EQ_INT(ag_jwt_add_key(&mixed, k1.kid, k1.pk, NULL), 0);
    CHECK_EQ_INT(ag_jwt_add_key(&mixed, k2.kid, k2.pk, k2.sk), 0);
    CHECK_EQ_INT(ag_jwt_sign(&mixed, &c, t3, sizeof(t3)), 0);
    CHECK_EQ_STR(t3, t2);
    ag_jwt_release(&mixed);
    /* No keys at all. */
    ag_jwt_release(&pub);
    CHECK_EQ_INT(ag_jwt_init(&pub, ISS, AUD, 8), 0);
    CHECK_EQ_INT(ag_jwt_verify(&pub, t1, strlen(t1), NOW, &out), AG_EUNAUTH);
    ag_jwt_release(&pub);
}

/* A fresh folder under /tmp; the caller removes it with dir_remove. */
static void
dir_make(char *path, size_t n)
{
    snprintf(path, n, "/tmp/test_jwt.XXXXXX");
    if (mkdtemp(path) == NULL) {
        perror("mkdtemp");
        abort();
    }
}

static void
dir_remove(const char *dir, const char *const *names, size_t n)
{
    char path[512];
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

static int
file_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        return -1;
    }
    fputs(text, f);
    return fclose(f);
}

TEST(keygen_files)
{
    static const char *const names[] = {"priv.pem", "pub.pem", "x.pem"};
    char dir[64];
    char priv[128];
    char pub[128];
    struct stat st;
    struct ag_jwt signer;
    struct ag_jwt verifier;
    struct ag_jwt_claims c = claims_make("frank", AG_ROLE_ADMIN);
    struct ag_jwt_claims out;
    char token[AG_JWT_MAX_TOKEN + 1];

    dir_make(dir, sizeof(dir));
    snprintf(priv, sizeof(priv), "%s/priv.pem", dir);
    snprintf(pub, sizeof(pub), "%s/pub.pem", dir);
    CHECK_EQ_INT(ag_jwt_keygen_files(priv, pub), 0);
    CHECK_EQ_INT(stat(priv, &st), 0);
    CHECK_EQ_INT(st.st_mode & 0777, 0600);
    CHECK_EQ_INT(stat(pub, &st), 0);
    CHECK_EQ_INT(st.st_mode & 0777, 0644);
    /* Never overwrites. */
    CHECK_EQ_INT(ag_jwt_keygen_files(priv, pub), AG_EINTERNAL);

    CHECK_EQ_INT(ag_jwt_init(&signer, ISS, AUD, 0), 0);
    CHECK_EQ_INT(ag_jwt_add_key_file(&signer, priv), 0);
    CHECK_EQ_INT(signer.keys[0].has_secret, 1);
    CHECK_EQ_INT(strlen(signer.keys[0].kid), 43);
    CHECK_EQ_INT(ag_jwt_add_key_file(&signer, priv), AG_EINVAL); /* same kid twice */
    CHECK_EQ_INT(ag_jwt_init(&verifier, ISS, AUD, 0), 0);
    CHECK_EQ_INT(ag_jwt_add_key_file(&verifier, pub), 0);
    CHECK_EQ_INT(verifier.keys[0].has_secret, 0);
    CHECK_EQ_STR(verifier.keys[0].kid, signer.keys[0].kid);
    CHECK(memcmp(verifier.keys[0].pk, signer.keys[0].pk, crypto_sign_PUBLICKEYBYTES) == 0);
    CHECK_EQ_INT(ag_jwt_sign(&signer, &c, token, sizeof(token)), 0);
    CHECK_EQ_INT(ag_jwt_verify(&verifier, token, strlen(token), NOW, &out), 0);
    CHECK_EQ_STR(out.sub, "frank");
    CHECK_EQ_INT(ag_jwt_sign(&verifier, &c, token, sizeof(token)), AG_EINVAL);
    ag_jwt_release(&signer);
    ag_jwt_release(&verifier);

    /* Missing file, a folder, and half a pair on a failed keygen. */
    char missing[128];
    snprintf(missing, sizeof(missing), "%s/none.pem", dir);
    CHECK_EQ_INT(ag_jwt_init(&verifier, ISS, AUD, 0), 0);
    CHECK_EQ_INT(ag_jwt_add_key_file(&verifier, missing), AG_ENOTFOUND);
    CHECK_NE_INT(ag_jwt_add_key_file(&verifier, dir), 0);
    ag_jwt_release(&verifier);
    char x[128];
    snprintf(x, sizeof(x), "%s/x.pem", dir);
    CHECK_EQ_INT(ag_jwt_keygen_files(x, pub), AG_EINTERNAL);
    CHECK_NE_INT(stat(x, &st), 0); /* the private half was removed again */
    dir_remove(dir, names, sizeof(names) / sizeof(names[0]));
}

/* Key rotation: the old and the new public key from one comma-separated list. */
TEST(key_file_list)
{
    static const char *const names[] = {"a.pem", "a.pub", "b.pem", "b.pub"};
    char dir[64], a[128], a_pub[128], b[128], b_pub[128], list[300];
    struct ag_jwt old_signer, new_signer, verifier;
    struct ag_jwt_claims c = claims_make("grace", AG_ROLE_USER);
    struct ag_jwt_claims out;
    char t_old[AG_JWT_MAX_TOKEN + 1], t_new[AG_JWT_MAX_TOKEN + 1];

    dir_make(dir, sizeof(dir));
    snprintf(a, sizeof(a), "%s/a.pem", dir);
    snprintf(a_pub, sizeof(a_pub), "%s/a.pub", dir);
    snprintf(b, sizeof(b), "%s/b.pem", dir);
    snprintf(b_pub, sizeof(b_pub), "%s/b.pub", dir);
    CHECK_EQ_INT(ag_jwt_keygen_files(a, a_pub), 0);
    CHECK_EQ_INT(ag_jwt_keygen_files(b, b_pub), 0);
    CHECK_EQ_INT(ag_jwt_init(&old_signer, ISS, AUD, 0), 0);
    CHECK_EQ_INT(ag_jwt_add_key_file(&old_signer, a), 0);
    CHECK_EQ_INT(ag_jwt_init(&new_signer, ISS, AUD, 0), 0);
    CHECK_EQ_INT(ag_jwt_add_key_file(&new_signer, b), 0);
    CHECK_EQ_INT(ag_jwt_sign(&old_signer, &c, t_old, sizeof(t_old)), 0);
    CHECK_EQ_INT(ag_jwt_sign(&new_signer, &c, t_new, sizeof(t_new)), 0);

    CHECK_EQ_INT(ag_jwt_init(&verifier, ISS, AUD, 0), 0);
    CHECK_EQ_INT(ag_jwt_add_key_files(&verifier, ""), 0);
    CHECK_EQ_INT(verifier.nkeys, 0);
    snprintf(list, sizeof(list), "%s,%s", b_pub, a_pub);
    CHECK_EQ_INT(ag_jwt_add_key_files(&verifier, list), 0);
    CHECK_EQ_INT(verifier.nkeys, 2);
    CHECK_EQ_INT(ag_jwt_verify(&verifier, t_old, strlen(t_old), NOW, &out), 0);
    CHECK_EQ_INT(ag_jwt_verify(&verifier, t_new, strlen(t_new), NOW, &out), 0);
    ag_jwt_release(&verifier);

    /* A missing file in the list is an error, named in the log. */
    CHECK_EQ_INT(ag_jwt_init(&verifier, ISS, AUD, 0), 0);
    snprintf(list, sizeof(list), "%s,%s/none.pub", a_pub, dir);
    CHECK_EQ_INT(ag_jwt_add_key_files(&verifier, list), AG_ENOTFOUND);
    CHECK_NE_INT(ag_jwt_verify(&verifier, t_new, strlen(t_new), NOW, &out), 0);
    ag_jwt_release(&verifier);
    ag_jwt_release(&old_signer);
    ag_jwt_release(&new_signer);
    dir_remove(dir, names, sizeof(names) / sizeof(names[0]));
}

/* Made with `openssl genpkey -algorithm ed25519` (OpenSSL 3.0) for this test only. */
static const char openssl_private_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIMOlc7OZZImRfEd48bBrugeS60AodnxYXKftpbK7SYHK\n"
    "-----END PRIVATE KEY-----\n";
/* `openssl pkey -pubout` of the key above. */
static const char openssl_public_pem[] =
    "-----BEGIN PUBLIC KEY-----\r\n"
    "MCowBQYDK2VwAyEAnW2bt2ZLZx5wkrp8NODrP33dlHoqBc+DuQKVT7Mm/U8=\r\n"
    "-----END PUBLIC KEY-----\r\n";
static const unsigned char openssl_pk[32] = {
    0x9d, 0x6d, 0x9b, 0xb7, 0x66, 0x4b, 0x67, 0x1e, 0x70, 0x92, 0xba, 0x7c, 0x34, 0xe0, 0xeb, 0x3f,
    0x7d, 0xdd, 0x94, 0x7a, 0x2a, 0x05, 0xcf, 0x83, 0xb9, 0x02, 0x95, 0x4f, 0xb3, 0x26, 0xfd, 0x4f};
/* sha256 of {"crv":"Ed25519","kty":"OKP","x":"nW2bt2ZLZx5wkrp8NODrP33dlHoqBc-DuQKVT7Mm_U8"}. */
static const char openssl_kid[] = "rusKAxvM2tad8SFZjkneTVs233p4ElbVzESsU1ZaNks";
/* A token signed by `openssl pkeyutl -sign -rawin` with that key (exp in 2100). */
static const char openssl_token[] =
    "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCIsImtpZCI6InJ1c0tBeHZNMnRhZDhTRlpqa25lVFZzMjMzcDRFbGJWekVTc1"
    "UxWmFOa3MifQ."
    "eyJzdWIiOiJhbGljZSIsInJvbGUiOiJhZG1pbiIsInNpZCI6InMtb3BlbnNzbCIsImlhdCI6MTcwMDAwMD"
    "AwMCwiZXhwIjo0MTAyNDQ0ODAwLCJpc3MiOiJhZ29yYS1hdXRoIiwiYXVkIjoiYWdvcmEifQ.8n5YY4FAXaJgHllJl-"
    "HB66"
    "tY0abJ3SO_Le0KHAiGRpceyf05mD0nZM52Yc3RjqFPIFB5wSuIdKO8KjZ6WUd2Bw";

TEST(openssl_interop)
{
    static const char *const names[] = {"priv.pem", "pub.pem"};
    char dir[64];
    char priv[128];
    char pub[128];
    struct ag_jwt jwt;
    struct ag_jwt_claims out;

    dir_make(dir, sizeof(dir));
    snprintf(priv, sizeof(priv), "%s/priv.pem", dir);
    snprintf(pub, sizeof(pub), "%s/pub.pem", dir);
    CHECK_EQ_INT(file_write(priv, openssl_private_pem), 0);
    CHECK_EQ_INT(file_write(pub, openssl_public_pem), 0);
    CHECK_EQ_INT(ag_jwt_init(&jwt, ISS, AUD, 0), 0);
    CHECK_EQ_INT(ag_jwt_add_key_file(&jwt, priv), 0);
    CHECK(memcmp(jwt.keys[0].pk, openssl_pk, sizeof(openssl_pk)) == 0);
    CHECK_EQ_STR(jwt.keys[0].kid, openssl_kid);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, openssl_token, strlen(openssl_token), NOW, &out), 0);
    CHECK_EQ_STR(out.sub, "alice");
    CHECK_EQ_STR(out.sid, "s-openssl");
    CHECK_EQ_INT(out.role, AG_ROLE_ADMIN);
    ag_jwt_release(&jwt);
    CHECK_EQ_INT(ag_jwt_init(&jwt, ISS, AUD, 0), 0);
    CHECK_EQ_INT(ag_jwt_add_key_file(&jwt, pub), 0);
    CHECK_EQ_INT(jwt.keys[0].has_secret, 0);
    CHECK(memcmp(jwt.keys[0].pk, openssl_pk, sizeof(openssl_pk)) == 0);
    CHECK_EQ_STR(jwt.keys[0].kid, openssl_kid);
    CHECK_EQ_INT(ag_jwt_verify(&jwt, openssl_token, strlen(openssl_token), NOW, &out), 0);
    ag_jwt_release(&jwt);
    dir_remove(dir, names, sizeof(names) / sizeof(names[0]));
}

TEST(rfc8037_thumbprint)
{
    /* RFC 8037 A.1 and A.3: the private key "d", its "x", and the JWK thumbprint. */
    static const char d[] = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
    static const char x[] = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    static const char *const names[] = {"rfc.pem"};
    static const unsigned char prefix[16] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
                                             0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
    unsigned char der[48];
    size_t n;
    char b64[128];
    char pem[256];
    char dir[64];
    char path[128];
    char got_x[64];
    struct ag_jwt jwt;

    memcpy(der, prefix, sizeof(prefix));
    CHECK_EQ_INT(ag_b64url_decode(d, strlen(d), der + 16, 32, &n), 0);
    CHECK_EQ_INT(n, 32);
    sodium_bin2base64(b64, sizeof(b64), der, sizeof(der), sodium_base64_VARIANT_ORIGINAL);
    /* Wrapped as some tools do, with text before the block. */
    snprintf(pem, sizeof(pem),
             "Key made from RFC 8037\n-----BEGIN PRIVATE KEY-----\n%.32s\n%s\n"
             "-----END PRIVATE KEY-----\n",
             b64, b64 + 32);
    dir_make(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/rfc.pem", dir);
    CHECK_EQ_INT(file_write(path, pem), 0);
    CHECK_EQ_INT(ag_jwt_init(&jwt, ISS, AUD, 0), 0);
    CHECK_EQ_INT(ag_jwt_add_key_file(&jwt, path), 0);
    CHECK_EQ_STR(jwt.keys[0].kid, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    ag_b64url_encode(jwt.keys[0].pk, 32, got_x, sizeof(got_x));
    CHECK_EQ_STR(got_x, x);
    ag_jwt_release(&jwt);
    dir_remove(dir, names, 1);
}

TEST(bad_key_files)
{
    static const char *const names[] = {"k.pem"};
    static const char *const bad[] = {
        "",
        "hello",
        "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n",
        /* no END line */
        "-----BEGIN PRIVATE KEY-----\n"
        "MC4CAQAwBQYDK2VwBCIEIMOlc7OZZImRfEd48bBrugeS60AodnxYXKftpbK7SYHK\n",
        /* a bad character in the body */
        "-----BEGIN PRIVATE KEY-----\n"
        "MC4CAQAwBQYDK2VwBCIEIMOlc7OZZImRfEd48bBrugeS60Aod*xYXKftpbK7SYHK\n"
        "-----END PRIVATE KEY-----\n",
        /* one byte short */
        "-----BEGIN PRIVATE KEY-----\n"
        "MC0CAQAwBQYDK2VwBCIEIMOlc7OZZImRfEd48bBrugeS60AodnxYXKftpbK7SYE=\n"
        "-----END PRIVATE KEY-----\n",
        /* an X25519 key: OID 1.3.101.110 */
        "-----BEGIN PRIVATE KEY-----\n"
        "MC4CAQAwBQYDK2VuBCIEIMOlc7OZZImRfEd48bBrugeS60AodnxYXKftpbK7SYHK\n"
        "-----END PRIVATE KEY-----\n",
        /* a public key body under a private label */
        "-----BEGIN PRIVATE KEY-----\n"
        "MCowBQYDK2VwAyEAnW2bt2ZLZx5wkrp8NODrP33dlHoqBc+DuQKVT7Mm/U8=\n"
        "-----END PRIVATE KEY-----\n",
        /* a byte over 0x7f in the body */
        "-----BEGIN PRIVATE KEY-----\n"
        "MC4CAQAwBQYDK2VwBCIEIMOlc7OZZImRfEd48bBrugeS60Aod\x80xYXKftpbK7SYHK\n"
        "-----END PRIVATE KEY-----\n",
        /* an encrypted key */
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
        "MC4CAQAwBQYDK2VwBCIEIMOlc7OZZImRfEd48bBrugeS60AodnxYXKftpbK7SYHK\n"
        "-----END ENCRYPTED PRIVATE KEY-----\n",
        /* a private key body under a public label */
        "-----BEGIN PUBLIC KEY-----\n"
        "MC4CAQAwBQYDK2VwBCIEIMOlc7OZZImRfEd48bBrugeS60AodnxYXKftpbK7SYHK\n"
        "-----END PUBLIC KEY-----\n",
    };
    char dir[64];
    char path[128];
    struct ag_jwt jwt;

    dir_make(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/k.pem", dir);
    CHECK_EQ_INT(ag_jwt_init(&jwt, ISS, AUD, 0), 0);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_EQ_INT(file_write(path, bad[i]), 0);
        if (ag_jwt_add_key_file(&jwt, path) != AG_EINVAL) {
            CHECK_EQ_STR(bad[i], "(refused)");
        }
    }
    /* Over 16 KiB, even if a good key is inside. */
    size_t big = (size_t)17 * 1024;
    char *text = ag_xmalloc(big + sizeof(openssl_private_pem));
    memset(text, '#', big);
    memcpy(text + big, openssl_private_pem, sizeof(openssl_private_pem));
    CHECK_EQ_INT(file_write(path, text), 0);
    ag_free(text);
    CHECK_EQ_INT(ag_jwt_add_key_file(&jwt, path), AG_EINVAL);
    CHECK_EQ_INT(jwt.nkeys, 0);
    ag_jwt_release(&jwt);
    dir_remove(dir, names, 1);
}

TEST(jwks)
{
    struct test_key k1;
    struct test_key k2;
    struct ag_jwt jwt;
    char x[64];
    char want[256];

    k1 = key_make("kid-one");
    k2 = key_make("kid-two");
    CHECK_EQ_INT(ag_jwt_init(&jwt, ISS, AUD, 0), 0);
    char *doc = ag_jwt_jwks(&jwt);
    CHECK_EQ_STR(doc, "{\"keys\":[]}");
    ag_free(doc);
    CHECK_EQ_INT(ag_jwt_add_key(&jwt, k1.kid, k1.pk, k1.sk), 0);
    CHECK_EQ_INT(ag_jwt_add_key(&jwt, k2.kid, k2.pk, NULL), 0);
    doc = ag_jwt_jwks(&jwt);
    CHECK_NOT_NULL(doc);
    ag_b64url_encode(k1.pk, sizeof(k1.pk), x, sizeof(x));
    snprintf(
        want, sizeof(want),
        "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"%s\",\"kid\":\"kid-one\",\"use\":\"sig\","
        "\"alg\":\"EdDSA\"}",
        x);
    CHECK(strstr(doc, want) != NULL);
    ag_b64url_encode(k2.pk, sizeof(k2.pk), x, sizeof(x));
    CHECK(strstr(doc, x) != NULL);
    CHECK(strstr(doc, "\"kid\":\"kid-two\"") != NULL);
    CHECK(strncmp(doc, "{\"keys\":[{", 10) == 0);
    CHECK(strstr(doc, "\"d\"") == NULL); /* never a private part */
    ag_free(doc);
    ag_jwt_release(&jwt);
}

TEST(b64url)
{
    unsigned char buf[64];
    unsigned char bin[256];
    char enc[512];
    size_t n;

    /* RFC 4648 test vectors, URL-safe and unpadded. */
    static const char *const vec[][2] = {
        {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},         {"foo", "Zm9v"},
        {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
    for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
        size_t len = strlen(vec[i][0]);
        CHECK_EQ_INT(ag_b64url_encode((const unsigned char *)vec[i][0], len, enc, sizeof(enc)),
                     strlen(vec[i][1]));
        CHECK_EQ_STR(enc, vec[i][1]);
        CHECK_EQ_INT(ag_b64url_decode(vec[i][1], strlen(vec[i][1]), buf, sizeof(buf), &n), 0);
        CHECK_EQ_MEM(buf, n, vec[i][0], len);
    }
    /* The URL-safe characters, and every length up to 256 bytes round trips. */
    static const unsigned char ff[] = {0xfb, 0xff, 0xbf};
    CHECK_EQ_INT(ag_b64url_encode(ff, sizeof(ff), enc, sizeof(enc)), 4);
    CHECK_EQ_STR(enc, "-_-_");
    for (size_t len = 0; len <= sizeof(bin); len++) {
        randombytes_buf(bin, len);
        size_t w = ag_b64url_encode(bin, len, enc, sizeof(enc));
        CHECK_EQ_INT(w, (len * 4 + 2) / 3);
        CHECK(strchr(enc, '=') == NULL && strchr(enc, '+') == NULL && strchr(enc, '/') == NULL);
        unsigned char back[256];
        CHECK_EQ_INT(ag_b64url_decode(enc, w, back, sizeof(back), &n), 0);
        CHECK_EQ_MEM(back, n, bin, len);
    }
    /* Encode writes the text and its NUL, nothing after. */
    memset(enc, 'Z', sizeof(enc));
    CHECK_EQ_INT(ag_b64url_encode((const unsigned char *)"f", 1, enc, sizeof(enc)), 2);
    CHECK_EQ_INT(enc[2], '\0');
    CHECK_EQ_INT(enc[3], 'Z');
    CHECK_EQ_INT(enc[sizeof(enc) - 1], 'Z');
    /* Output that does not fit: encode writes an empty string, decode refuses. */
    CHECK_EQ_INT(ag_b64url_encode((const unsigned char *)"foobar", 6, enc, 8), 0);
    CHECK_EQ_STR(enc, "");
    CHECK_EQ_INT(ag_b64url_encode((const unsigned char *)"foobar", 6, enc, 9), 8);
    CHECK_EQ_INT(ag_b64url_encode((const unsigned char *)"f", 1, enc, 0), 0);
    CHECK_EQ_INT(ag_b64url_decode("Zm9vYmFy", 8, buf, 5, &n), AG_EINVAL);
    CHECK_EQ_INT(ag_b64url_decode("Zm9vYmFy", 8, buf, 6, &n), 0);
    /* Hostile inputs. */
    static const char *const bad[] = {
        "Zg==", "Zg=",   "Zm8=", "Z",     "Zm9vY", "Zh",   "Zm9",     "Zm+v",   "Zm/v",
        "Zm v", "Zm\nv", "Zm.v", "Zm9v=", "=",     "====", "Zm\x80v", "Zg\x01",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (ag_b64url_decode(bad[i], strlen(bad[i]), buf, sizeof(buf), &n) != AG_EINVAL) {
            CHECK_EQ_STR(bad[i], "(refused)");
        }
        CHECK_EQ_INT(n, 0);
    }
    CHECK_EQ_INT(ag_b64url_decode("Zm\0v", 4, buf, sizeof(buf), &n), AG_EINVAL);
    CHECK_EQ_INT(ag_b64url_decode(NULL, 0, NULL, 0, &n), 0);
    CHECK_EQ_INT(n, 0);
}

/* ---- threads ---- */

#define THREADS     4
#define THREAD_RUNS 2000
#define THREAD_TOKS 6

struct thread_ctx {
    struct ag_jwt *jwt;
    char (*tokens)[AG_JWT_MAX_TOKEN + 1];
    int id;
    int failures;
};

static void *
thread_main(void *arg)
{
    struct thread_ctx *ctx = arg;
    struct ag_jwt_claims out;
    char sub[32];

    for (int i = 0; i < THREAD_RUNS; i++) {
        int t = (i + ctx->id) % (THREAD_TOKS + 1);
        if (t == THREAD_TOKS) {
            /* A bad token now and then: the last good one with its payload cut short. */
            const char *tok = ctx->tokens[THREAD_TOKS - 1];
            if (ag_jwt_verify(ctx->jwt, tok, strlen(tok) - 1, NOW, &out) != AG_EUNAUTH) {
                ctx->failures++;
            }
            continue;
        }
        const char *tok = ctx->tokens[t];
        snprintf(sub, sizeof(sub), "user-%d", t);
        int64_t now = NOW + (i % 3 == 0 ? 7200 : 0); /* some hits must be refused as expired */
        int rc = ag_jwt_verify(ctx->jwt, tok, strlen(tok), now, &out);
        int want = now == NOW ? 0 : AG_EUNAUTH;
        if (rc != want || (rc == 0 && strcmp(out.sub, sub) != 0)) {
            ctx->failures++;
        }
    }
    return NULL;
}

TEST(threads)
{
    struct test_key k;
    struct ag_jwt jwt;
    char(*tokens)[AG_JWT_MAX_TOKEN + 1] = ag_xmalloc((size_t)THREAD_TOKS * sizeof(*tokens));
    pthread_t th[THREADS];
    struct thread_ctx ctx[THREADS];

    k = key_make("k1");
    CHECK_EQ_INT(jwt_with_key(&jwt, &k, 16), 0);
    for (int i = 0; i < THREAD_TOKS; i++) {
        char sub[32];
        snprintf(sub, sizeof(sub), "user-%d", i);
        struct ag_jwt_claims c = claims_make(sub, AG_ROLE_USER);
        CHECK_EQ_INT(ag_jwt_sign(&jwt, &c, tokens[i], sizeof(tokens[i])), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        ctx[i] = (struct thread_ctx){&jwt, tokens, i, 0};
        CHECK_EQ_INT(pthread_create(&th[i], NULL, thread_main, &ctx[i]), 0);
    }
    int failures = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        failures += ctx[i].failures;
    }
    ag_jwt_release(&jwt);
    ag_free(tokens);
    CHECK_EQ_INT(failures, 0);
}

AG_TEST_LIST(TEST_ENTRY(roles), TEST_ENTRY(sign_verify_round_trip), TEST_ENTRY(sign_refuses),
             TEST_ENTRY(init_and_add_key_errors), TEST_ENTRY(reject_alg_none_and_hs256),
             TEST_ENTRY(reject_header_fields), TEST_ENTRY(reject_tampering),
             TEST_ENTRY(reject_times), TEST_ENTRY(reject_claims), TEST_ENTRY(iss_and_aud),
             TEST_ENTRY(reject_structure), TEST_ENTRY(cache_hits_and_expiry),
             TEST_ENTRY(cache_not_yet_valid_not_cached), TEST_ENTRY(cache_eviction),
             TEST_ENTRY(two_keys), TEST_ENTRY(keygen_files), TEST_ENTRY(key_file_list),
             TEST_ENTRY(openssl_interop), TEST_ENTRY(rfc8037_thumbprint), TEST_ENTRY(bad_key_files),
             TEST_ENTRY(jwks), TEST_ENTRY(b64url), TEST_ENTRY(threads))
