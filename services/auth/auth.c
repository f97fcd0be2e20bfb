/*
 * Auth rules with no HTTP or Redis in them: registered clients and their keys, session ids,
 * refresh tokens and their hashes.
 */
#include "auth.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "agora/err.h"

#define CLIENT_KEY_MIN 16
#define CLIENT_KEY_MAX 256

int
auth_clients_parse(const char *spec, struct auth_client *out, size_t *n, const char **why)
{
    const char *p = spec;

    *n = 0;
    while (*p != '\0') {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *colon = memchr(p, ':', len);
        size_t name_len = colon ? (size_t)(colon - p) : 0;
        size_t key_len = colon ? len - name_len - 1 : 0;
        if (colon == NULL || name_len == 0 || name_len >= sizeof(out->name) ||
            key_len < CLIENT_KEY_MIN || key_len > CLIENT_KEY_MAX) {
            *why = "want name:key pairs separated by commas, keys of 16..256 characters";
            return AG_EINVAL;
        }
        if (*n == AUTH_MAX_CLIENTS) {
            *why = "at most 16 clients";
            return AG_EINVAL;
        }
        memcpy(out[*n].name, p, name_len);
        out[*n].name[name_len] = '\0';
        crypto_hash_sha256(out[*n].key_hash, (const unsigned char *)colon + 1, key_len);
        (*n)++;
        p += len + (end ? 1 : 0);
    }
    if (*n == 0) {
        *why = "no client is registered";
        return AG_EINVAL;
    }
    return 0;
}

int
auth_client_check(const struct auth_client *clients, size_t n, const char *header,
                  const char **name)
{
    unsigned char raw[400];
    size_t raw_len = 0;
    unsigned char key_hash[crypto_hash_sha256_BYTES];
    int found = -1;

    if (header == NULL || strncasecmp(header, "Basic ", 6) != 0) {
        return AG_EUNAUTH;
    }
    const char *b64 = header + 6;
    while (*b64 == ' ') {
        b64++;
    }
    /* From here 'raw' may hold the client's key, even decoded in part: wiped at 'out'. */
    if (sodium_base642bin(raw, sizeof(raw) - 1, b64, strlen(b64), NULL, &raw_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        goto out;
    }
    const unsigned char *colon = memchr(raw, ':', raw_len);
    if (colon == NULL) {
        goto out;
    }
    size_t name_len = (size_t)(colon - raw);
    crypto_hash_sha256(key_hash, colon + 1, raw_len - name_len - 1);
    for (size_t i = 0; i < n; i++) {
        /* Every client's digest is compared, so timing tells nothing of which names exist. */
        int same_key = sodium_memcmp(key_hash, clients[i].key_hash, sizeof(key_hash)) == 0;
        int same_name =
            strlen(clients[i].name) == name_len && memcmp(clients[i].name, raw, name_len) == 0;
        if (same_key && same_name) {
            found = (int)i;
        }
    }
out:
    sodium_memzero(raw, sizeof(raw));
    sodium_memzero(key_hash, sizeof(key_hash));
    if (found < 0) {
        return AG_EUNAUTH;
    }
    *name = clients[found].name;
    return 0;
}

void
auth_new_sid(char out[AUTH_SID_HEX + 1])
{
    unsigned char b[AUTH_SID_HEX / 2];
    randombytes_buf(b, sizeof(b));
    sodium_bin2hex(out, AUTH_SID_HEX + 1, b, sizeof(b));
}

static void
hash_hex(const char *token, size_t len, char hash[AUTH_HASH_HEX + 1])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)token, len);
    sodium_bin2hex(hash, AUTH_HASH_HEX + 1, h, sizeof(h));
}

void
auth_new_refresh(char token[AUTH_REFRESH_LEN + 1], char hash[AUTH_HASH_HEX + 1])
{
    unsigned char b[32];
    randombytes_buf(b, sizeof(b));
    ag_b64url_encode(b, sizeof(b), token, AUTH_REFRESH_LEN + 1);
    sodium_memzero(b, sizeof(b));
    hash_hex(token, AUTH_REFRESH_LEN, hash);
}

int
auth_refresh_hash(const char *token, size_t len, char hash[AUTH_HASH_HEX + 1])
{
    if (len != AUTH_REFRESH_LEN) {
        return AG_EINVAL;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)token[i];
        if (!(isalnum(c) || c == '-' || c == '_')) {
            return AG_EINVAL;
        }
    }
    hash_hex(token, len, hash);
    return 0;
}

void
auth_account_key(const char *kind, const char *value, size_t len, char *out, size_t size)
{
    if (size == 0) {
        return; /* no room even for the NUL; out[size - 1] below would be out[SIZE_MAX] */
    }
    int n = snprintf(out, size, "%s:", kind);
    size_t o = n > 0 ? (size_t)n : 0;
    for (size_t i = 0; i < len && o + 1 < size; i++) {
        out[o++] = (char)tolower((unsigned char)value[i]);
    }
    out[o < size ? o : size - 1] = '\0';
}
