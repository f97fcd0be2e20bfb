/*
 * Unit tests of the auth service's rules (services/auth/auth.c): the client list and Basic
 * client authentication, session ids, refresh tokens and their hashes, and the account key of
 * the failed-login counter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ag_test.h"

#include "agora/err.h"

#include "auth.h"

#define KEY16   "0123456789abcdef"
#define KEY_WEB "web-key-0123456789"
#define KEY_APP "app:key:with:colons"

/* 'n' copies of 'c' in 'buf', NUL-terminated. */
static char *
repeat(char *buf, char c, size_t n)
{
    memset(buf, c, n);
    buf[n] = '\0';
    return buf;
}

/* "Basic " and base64 of 'name:key' (or of 'raw' alone when 'key' is NULL) in 'out'. */
static const char *
basic(char *out, size_t size, const char *name, const char *key)
{
    char raw[512];
    if (key != NULL) {
        snprintf(raw, sizeof(raw), "%s:%s", name, key);
    } else {
        snprintf(raw, sizeof(raw), "%s", name);
    }
    size_t rlen = strlen(raw);
    char b64[sodium_base64_ENCODED_LEN(sizeof(raw), sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)raw, rlen,
                      sodium_base64_VARIANT_ORIGINAL);
    if ((size_t)snprintf(out, size, "Basic %s", b64) >= size) {
        abort(); /* a bug in the test */
    }
    return out;
}

static int
all_of(const char *s, size_t n, const char *charset)
{
    return strlen(s) == n && strspn(s, charset) == n;
}

#define HEX_LOWER "0123456789abcdef"
#define B64URL    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

TEST(clients_parse_good)
{
    struct auth_client cl[AUTH_MAX_CLIENTS];
    unsigned char h[crypto_hash_sha256_BYTES];
    size_t n = 99;
    const char *why = NULL;

    CHECK_EQ_INT(auth_clients_parse("web:" KEY_WEB ",app:" KEY_APP, cl, &n, &why), 0);
    CHECK_EQ_INT(n, 2);
    CHECK_NULL(why);
    CHECK_EQ_STR(cl[0].name, "web");
    CHECK_EQ_STR(cl[1].name, "app");
    /* The key is kept only as its SHA-256; everything after the first colon is the key. */
    crypto_hash_sha256(h, (const unsigned char *)KEY_WEB, strlen(KEY_WEB));
    CHECK(memcmp(cl[0].key_hash, h, sizeof(h)) == 0);
    crypto_hash_sha256(h, (const unsigned char *)KEY_APP, strlen(KEY_APP));
    CHECK(memcmp(cl[1].key_hash, h, sizeof(h)) == 0);
}

TEST(clients_parse_key_lengths)
{
    struct auth_client cl[AUTH_MAX_CLIENTS];
    char key[300], spec[400];
    size_t n;
    const char *why = NULL;

    snprintf(spec, sizeof(spec), "a:%s", repeat(key, 'k', 16));
    CHECK_EQ_INT(auth_clients_parse(spec, cl, &n, &why), 0);
    CHECK_EQ_INT(n, 1);
    snprintf(spec, sizeof(spec), "a:%s", repeat(key, 'k', 256));
    CHECK_EQ_INT(auth_clients_parse(spec, cl, &n, &why), 0);
    CHECK_EQ_INT(n, 1);
    snprintf(spec, sizeof(spec), "a:%s", repeat(key, 'k', 15));
    CHECK_EQ_INT(auth_clients_parse(spec, cl, &n, &why), AG_EINVAL);
    CHECK_NOT_NULL(why);
    CHECK(strstr(why, "16..256") != NULL);
    why = NULL;
    snprintf(spec, sizeof(spec), "a:%s", repeat(key, 'k', 257));
    CHECK_EQ_INT(auth_clients_parse(spec, cl, &n, &why), AG_EINVAL);
    CHECK_NOT_NULL(why);
    /* A short key after a good client spoils the whole list. */
    CHECK_EQ_INT(auth_clients_parse("web:" KEY_WEB ",app:short", cl, &n, &why), AG_EINVAL);
    CHECK_EQ_INT(auth_clients_parse("web:", cl, &n, &why), AG_EINVAL);
}

TEST(clients_parse_malformed)
{
    struct auth_client cl[AUTH_MAX_CLIENTS];
    size_t n;
    const char *why;
    static const char *const bad[] = {
        "web" KEY16,                /* no colon */
        ":" KEY16,                  /* no name */
        "web:" KEY16 ",," KEY16,    /* an empty entry */
        "web:" KEY16 ",app",        /* the second has no colon */
        ",web:" KEY16,              /* leading comma */
        "web;" KEY16 "," KEY16 ":", /* no name:key shape at all */
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        why = NULL;
        int rc = auth_clients_parse(bad[i], cl, &n, &why);
        if (rc != AG_EINVAL) {
            fprintf(stderr, "accepted '%s'\n", bad[i]);
        }
        CHECK_EQ_INT(rc, AG_EINVAL);
        CHECK_NOT_NULL(why);
    }
}

TEST(clients_parse_empty)
{
    struct auth_client cl[AUTH_MAX_CLIENTS];
    size_t n = 99;
    const char *why = NULL;

    CHECK_EQ_INT(auth_clients_parse("", cl, &n, &why), AG_EINVAL);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_STR(why, "no client is registered");
}

TEST(clients_parse_names)
{
    struct auth_client cl[AUTH_MAX_CLIENTS];
    char name[80], spec[200];
    size_t n;
    const char *why = NULL;

    /* Names of up to 63 bytes fit struct auth_client's name; 64 do not. */
    snprintf(spec, sizeof(spec), "%s:" KEY16, repeat(name, 'n', 63));
    CHECK_EQ_INT(auth_clients_parse(spec, cl, &n, &why), 0);
    CHECK_EQ_INT(strlen(cl[0].name), 63);
    CHECK_EQ_STR(cl[0].name, name);
    snprintf(spec, sizeof(spec), "%s:" KEY16, repeat(name, 'n', 64));
    CHECK_EQ_INT(auth_clients_parse(spec, cl, &n, &why), AG_EINVAL);
    /* Names are taken as written. */
    CHECK_EQ_INT(auth_clients_parse("web-bff_2.0:" KEY16, cl, &n, &why), 0);
    CHECK_EQ_STR(cl[0].name, "web-bff_2.0");
}

TEST(clients_parse_at_most_16)
{
    struct auth_client cl[AUTH_MAX_CLIENTS];
    char spec[1024];
    size_t len = 0, n;
    const char *why = NULL;

    for (int i = 0; i < AUTH_MAX_CLIENTS; i++) {
        len +=
            (size_t)snprintf(spec + len, sizeof(spec) - len, "%sc%d:" KEY16, i > 0 ? "," : "", i);
    }
    CHECK_EQ_INT(auth_clients_parse(spec, cl, &n, &why), 0);
    CHECK_EQ_INT(n, AUTH_MAX_CLIENTS);
    CHECK_EQ_STR(cl[0].name, "c0");
    CHECK_EQ_STR(cl[AUTH_MAX_CLIENTS - 1].name, "c15");
    snprintf(spec + len, sizeof(spec) - len, ",c16:" KEY16);
    CHECK_EQ_INT(auth_clients_parse(spec, cl, &n, &why), AG_EINVAL);
    CHECK_EQ_STR(why, "at most 16 clients");
    CHECK(n <= AUTH_MAX_CLIENTS);
}

/* Two registered clients for the auth_client_check tests. */
static size_t
two_clients(struct auth_client *cl)
{
    size_t n = 0;
    const char *why;
    if (auth_clients_parse("web:" KEY_WEB ",app:" KEY_APP, cl, &n, &why) != 0) {
        abort();
    }
    return n;
}

TEST(client_check_right_key)
{
    struct auth_client cl[AUTH_MAX_CLIENTS];
    size_t n = two_clients(cl);
    char h[512];
    const char *name = NULL;

    CHECK_EQ_INT(auth_client_check(cl, n, basic(h, sizeof(h), "web", KEY_WEB), &name), 0);
    CHECK(name == cl[0].name); /* borrowed from the client table */
    CHECK_EQ_STR(name, "web");
    name = NULL;
    CHECK_EQ_INT(auth_client_check(cl, n, basic(h, sizeof(h), "app", KEY_APP), &name), 0);
    CHECK_EQ_STR(name, "app");
    /* The scheme is case-insensitive and spaces before the credentials are skipped. */
    char lower[600];
    snprintf(lower, sizeof(lower), "basic   %s", basic(h, sizeof(h), "web", KEY_WEB) + 6);
    name = NULL;
    CHECK_EQ_INT(auth_client_check(cl, n, lower, &name), 0);
    CHECK_EQ_STR(name, "web");
}

TEST(client_check_wrong_key_or_name)
{
    struct auth_client cl[AUTH_MAX_CLIENTS];
    size_t n = two_clients(cl);
    char h[512];
    const char *name = "untouched";

    CHECK_EQ_INT(auth_client_check(cl, n, basic(h, sizeof(h), "web", KEY_WEB "x"), &name),
                 AG_EUNAUTH);
    CHECK_EQ_INT(auth_client_check(cl, n, basic(h, sizeof(h), "web", "web-key-012345678"), &name),
                 AG_EUNAUTH);
    CHECK_EQ_INT(auth_client_check(cl, n, basic(h, sizeof(h), "web", ""), &name), AG_EUNAUTH);
    /* Another client's key, or the right key under another name, is no good. */
    CHECK_EQ_INT(auth_client_check(cl, n, basic(h, sizeof(h), "web", KEY_APP), &name), AG_EUNAUTH);
    CHECK_EQ_INT(auth_client_check(cl, n, basic(h, sizeof(h), "app", KEY_WEB), &name), AG_EUNAUTH);
    CHECK_EQ_INT(auth_client_check(cl, n, basic(h, sizeof(h), "we", KEY_WEB), &name), AG_EUNAUTH);
    CHECK_EQ_INT(auth_client_check(cl, n, basic(h, sizeof(h), "webx", KEY_WEB), &name), AG_EUNAUTH);
    CHECK_EQ_INT(auth_client_check(cl, n, basic(h, sizeof(h), "WEB", KEY_WEB), &name), AG_EUNAUTH);
    CHECK_EQ_INT(auth_client_check(cl, n, basic(h, sizeof(h), "", KEY_WEB), &name), AG_EUNAUTH);
    /* No clients at all. */
    CHECK_EQ_INT(auth_client_check(cl, 0, basic(h, sizeof(h), "web", KEY_WEB), &name), AG_EUNAUTH);
    CHECK_EQ_STR(name, "untouched");
}

TEST(client_check_malformed_header)
{
    struct auth_client cl[AUTH_MAX_CLIENTS];
    size_t n = two_clients(cl);
    char h[600], good[512];
    const char *name = "untouched";

    basic(good, sizeof(good), "web", KEY_WEB);
    CHECK_EQ_INT(auth_client_check(cl, n, NULL, &name), AG_EUNAUTH);
    CHECK_EQ_INT(auth_client_check(cl, n, "", &name), AG_EUNAUTH);
    CHECK_EQ_INT(auth_client_check(cl, n, "Basic", &name), AG_EUNAUTH);
    CHECK_EQ_INT(auth_client_check(cl, n, "Basic ", &name), AG_EUNAUTH);
    snprintf(h, sizeof(h), "Bearer %s", good + 6);
    CHECK_EQ_INT(auth_client_check(cl, n, h, &name), AG_EUNAUTH);
    snprintf(h, sizeof(h), "Basic%s", good + 6); /* no space after the scheme */
    CHECK_EQ_INT(auth_client_check(cl, n, h, &name), AG_EUNAUTH);
    /* No colon between name and key. */
    CHECK_EQ_INT(auth_client_check(cl, n, basic(h, sizeof(h), "web" KEY_WEB, NULL), &name),
                 AG_EUNAUTH);
    CHECK_EQ_STR(name, "untouched");
}

TEST(client_check_not_base64)
{
    struct auth_client cl[AUTH_MAX_CLIENTS];
    size_t n = two_clients(cl);
    char h[600], good[512];
    const char *name = "untouched";

    basic(good, sizeof(good), "web", KEY_WEB);
    CHECK_EQ_INT(auth_client_check(cl, n, "Basic !!!!", &name), AG_EUNAUTH);
    CHECK_EQ_INT(auth_client_check(cl, n, "Basic d2Vi\xc3\xa9", &name), AG_EUNAUTH);
    snprintf(h, sizeof(h), "%s!", good); /* trailing garbage */
    CHECK_EQ_INT(auth_client_check(cl, n, h, &name), AG_EUNAUTH);
    snprintf(h, sizeof(h), "%s trailing", good);
    CHECK_EQ_INT(auth_client_check(cl, n, h, &name), AG_EUNAUTH);
    /* base64url is not the alphabet of Basic. */
    CHECK_EQ_INT(auth_client_check(cl, n, "Basic d2Vi-_-_", &name), AG_EUNAUTH);
    /* A long wrong key, and credentials too long to decode: a refusal, no overflow. */
    char key[420];
    CHECK_EQ_INT(auth_client_check(cl, n, basic(h, sizeof(h), "web", repeat(key, 'k', 390)), &name),
                 AG_EUNAUTH);
    CHECK_EQ_INT(auth_client_check(cl, n, basic(h, sizeof(h), "web", repeat(key, 'k', 410)), &name),
                 AG_EUNAUTH);
    CHECK_EQ_STR(name, "untouched");
}

TEST(new_sid_format_and_uniqueness)
{
    enum { COUNT = 64 };
    char sids[COUNT][AUTH_SID_HEX + 1];

    for (int i = 0; i < COUNT; i++) {
        memset(sids[i], '#', sizeof(sids[i]));
        auth_new_sid(sids[i]);
        CHECK(all_of(sids[i], AUTH_SID_HEX, HEX_LOWER));
        for (int j = 0; j < i; j++) {
            CHECK(strcmp(sids[i], sids[j]) != 0);
        }
    }
}

TEST(new_refresh_format_uniqueness_and_hash)
{
    enum { COUNT = 64 };
    char tokens[COUNT][AUTH_REFRESH_LEN + 1];
    char hashes[COUNT][AUTH_HASH_HEX + 1];
    char again[AUTH_HASH_HEX + 1];
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[AUTH_HASH_HEX + 1];

    for (int i = 0; i < COUNT; i++) {
        memset(tokens[i], '#', sizeof(tokens[i]));
        memset(hashes[i], '#', sizeof(hashes[i]));
        auth_new_refresh(tokens[i], hashes[i]);
        CHECK(all_of(tokens[i], AUTH_REFRESH_LEN, B64URL));
        CHECK(all_of(hashes[i], AUTH_HASH_HEX, HEX_LOWER));
        /* The hash stored at issue is the one a presented token is looked up by. */
        CHECK_EQ_INT(auth_refresh_hash(tokens[i], strlen(tokens[i]), again), 0);
        CHECK_EQ_STR(again, hashes[i]);
        /* And it is the hex SHA-256 of the token's text. */
        crypto_hash_sha256(h, (const unsigned char *)tokens[i], AUTH_REFRESH_LEN);
        sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
        CHECK_EQ_STR(hashes[i], hex);
        for (int j = 0; j < i; j++) {
            CHECK(strcmp(tokens[i], tokens[j]) != 0);
            CHECK(strcmp(hashes[i], hashes[j]) != 0);
        }
    }
}

TEST(refresh_hash_known_values)
{
    char hash[AUTH_HASH_HEX + 1];
    char tok[AUTH_REFRESH_LEN + 1];

    /* sha256sum of the 43 bytes, computed outside the code under test. */
    CHECK_EQ_INT(auth_refresh_hash(repeat(tok, 'A', AUTH_REFRESH_LEN), AUTH_REFRESH_LEN, hash), 0);
    CHECK_EQ_STR(hash, "0f007385b6f9d4b7eeb2748605afe1a984a0a3bfa3f014d09e2a784ce9e5cd1a");
    static const char every_kind[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ-_01234";
    CHECK_EQ_INT(auth_refresh_hash(every_kind, strlen(every_kind), hash), 0);
    CHECK_EQ_STR(hash, "3a3f89df6a8ee992e20ba461e1531b4224f060509a2ca6f3a52f2b979b466ca4");
    /* Only 'len' bytes count: what follows them is not read. */
    static const char longer[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ-_01234+/= tail";
    CHECK_EQ_INT(auth_refresh_hash(longer, AUTH_REFRESH_LEN, hash), 0);
    CHECK_EQ_STR(hash, "3a3f89df6a8ee992e20ba461e1531b4224f060509a2ca6f3a52f2b979b466ca4");
}

TEST(refresh_hash_rejects)
{
    char hash[AUTH_HASH_HEX + 1];
    char tok[AUTH_REFRESH_LEN + 8];
    static const char bad_chars[] = {'+', '/', '=', ' ', '.', '~', '\0', '\n', '\x80', '\xc3'};

    repeat(tok, 'A', AUTH_REFRESH_LEN + 1);
    CHECK_EQ_INT(auth_refresh_hash(tok, AUTH_REFRESH_LEN - 1, hash), AG_EINVAL);
    CHECK_EQ_INT(auth_refresh_hash(tok, AUTH_REFRESH_LEN + 1, hash), AG_EINVAL);
    CHECK_EQ_INT(auth_refresh_hash(tok, 0, hash), AG_EINVAL);
    CHECK_EQ_INT(auth_refresh_hash("", 0, hash), AG_EINVAL);
    for (size_t i = 0; i < sizeof(bad_chars); i++) {
        /* The bad character first, in the middle and last. */
        size_t at[] = {0, AUTH_REFRESH_LEN / 2, AUTH_REFRESH_LEN - 1};
        for (size_t k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
            repeat(tok, 'A', AUTH_REFRESH_LEN);
            tok[at[k]] = bad_chars[i];
            int rc = auth_refresh_hash(tok, AUTH_REFRESH_LEN, hash);
            if (rc != AG_EINVAL) {
                fprintf(stderr, "accepted byte 0x%02x at %zu\n", (unsigned char)bad_chars[i],
                        at[k]);
            }
            CHECK_EQ_INT(rc, AG_EINVAL);
        }
    }
}

TEST(account_key)
{
    char out[128];

    auth_account_key("id", "Alice", 5, out, sizeof(out));
    CHECK_EQ_STR(out, "id:alice");
    auth_account_key("email", "Bob.Smith@Example.COM", 21, out, sizeof(out));
    CHECK_EQ_STR(out, "email:bob.smith@example.com");
    /* 'len' bytes of the value, not up to its NUL. */
    auth_account_key("id", "CAROLxyz", 5, out, sizeof(out));
    CHECK_EQ_STR(out, "id:carol");
    auth_account_key("id", "", 0, out, sizeof(out));
    CHECK_EQ_STR(out, "id:");
    /* Bytes that are not ASCII letters are kept as they are. */
    auth_account_key("email", "\xc3\x89mile@x.fr", 11, out, sizeof(out));
    CHECK_EQ_STR(out, "email:\xc3\x89mile@x.fr");
}

TEST(account_key_truncates_to_size)
{
    char out[16];

    memset(out, '#', sizeof(out));
    auth_account_key("email", "ABCDEFGHIJ", 10, out, 9);
    CHECK_EQ_STR(out, "email:ab");
    CHECK_EQ_INT(out[9], '#'); /* nothing written past 'size' */
    memset(out, '#', sizeof(out));
    auth_account_key("email", "ABC", 3, out, 4);
    CHECK_EQ_STR(out, "ema");
    CHECK_EQ_INT(out[4], '#');
    memset(out, '#', sizeof(out));
    auth_account_key("id", "A", 1, out, 1);
    CHECK_EQ_STR(out, "");
    CHECK_EQ_INT(out[1], '#');
}

TEST(account_key_size_zero_writes_nothing)
{
    char out[4] = {'#', '#', '#', '#'};

    /* Room for nothing: not even the NUL may be written, before or at 'out'. */
    auth_account_key("id", "Alice", 5, out + 2, 0);
    CHECK_EQ_MEM(out, 4, "####", 4);
}

int
main(int argc, char **argv)
{
    static const struct ag_test tests[] = {
        TEST_ENTRY(clients_parse_good),
        TEST_ENTRY(clients_parse_key_lengths),
        TEST_ENTRY(clients_parse_malformed),
        TEST_ENTRY(clients_parse_empty),
        TEST_ENTRY(clients_parse_names),
        TEST_ENTRY(clients_parse_at_most_16),
        TEST_ENTRY(client_check_right_key),
        TEST_ENTRY(client_check_wrong_key_or_name),
        TEST_ENTRY(client_check_malformed_header),
        TEST_ENTRY(client_check_not_base64),
        TEST_ENTRY(new_sid_format_and_uniqueness),
        TEST_ENTRY(new_refresh_format_uniqueness_and_hash),
        TEST_ENTRY(refresh_hash_known_values),
        TEST_ENTRY(refresh_hash_rejects),
        TEST_ENTRY(account_key),
        TEST_ENTRY(account_key_truncates_to_size),
        TEST_ENTRY(account_key_size_zero_writes_nothing),
    };

    if (sodium_init() < 0) {
        fprintf(stderr, "sodium_init failed\n");
        return 1;
    }
    return ag_test_main_(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
