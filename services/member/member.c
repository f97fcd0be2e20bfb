/*
 * Member rules with no HTTP or SQL in them: what a login id, email, phone and postal code may
 * look like, password hashing, and the JSON shapes of the outside contract.
 */
#include "member.h"

#include <string.h>

#include "agora/err.h"

/* OWASP's minimum for argon2id: 19 MiB of memory, 2 passes, 1 lane. */
#define PWHASH_OPSLIMIT 2
#define PWHASH_MEMLIMIT ((size_t)19 * 1024 * 1024)

int
member_id_normalize(struct ag_str in, char out[MEMBER_ID_MAX + 1], const char **why)
{
    if (in.len < 3 || in.len > MEMBER_ID_MAX) {
        *why = "'id' must be 3..30 characters";
        return AG_EINVAL;
    }
    for (size_t i = 0; i < in.len; i++) {
        unsigned char c = (unsigned char)in.ptr[i];
        if (c >= 'A' && c <= 'Z') {
            c = (unsigned char)(c + ('a' - 'A'));
        }
        int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 (i > 0 && (c == '_' || c == '.' || c == '-'));
        if (!ok) {
            *why = "'id' may hold letters, digits, '_', '.' and '-', starting with a letter or "
                   "digit";
            return AG_EINVAL;
        }
        out[i] = (char)c;
    }
    out[in.len] = '\0';
    return 0;
}

int
member_email_check(struct ag_str email, const char **why)
{
    const char *at = email.ptr ? memchr(email.ptr, '@', email.len) : NULL;
    *why = "'email' must be an address like name@example.com";
    if (at == NULL || email.len > MEMBER_EMAIL_MAX) {
        return AG_EINVAL;
    }
    size_t local = (size_t)(at - email.ptr);
    size_t domain = email.len - local - 1;
    if (local == 0 || local > 64 || domain < 3 || memchr(at + 1, '@', domain) != NULL) {
        return AG_EINVAL;
    }
    const char *dot = memchr(at + 1, '.', domain);
    if (dot == NULL || dot == at + 1 || at[domain] == '.') {
        return AG_EINVAL;
    }
    for (size_t i = 0; i < email.len; i++) {
        unsigned char c = (unsigned char)email.ptr[i];
        if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == ',' || c == ';' || c == '"') {
            return AG_EINVAL;
        }
    }
    return 0;
}

int
member_phone_check(struct ag_str phone, const char **why)
{
    size_t digits = 0;
    *why = "'phone' must be 7..20 characters of digits, spaces, '+', '-' and '(' ')'";
    if (phone.len < 7 || phone.len > 20) {
        return AG_EINVAL;
    }
    for (size_t i = 0; i < phone.len; i++) {
        unsigned char c = (unsigned char)phone.ptr[i];
        if (c >= '0' && c <= '9') {
            digits++;
        } else if (!(c == ' ' || c == '-' || c == '(' || c == ')' || (c == '+' && i == 0))) {
            return AG_EINVAL;
        }
    }
    return digits >= 7 ? 0 : AG_EINVAL;
}

int
member_postal_check(struct ag_str postal, const char **why)
{
    *why = "'postalCode' must be 3..10 letters, digits, spaces or '-'";
    if (postal.len < 3 || postal.len > 10) {
        return AG_EINVAL;
    }
    for (size_t i = 0; i < postal.len; i++) {
        unsigned char c = (unsigned char)postal.ptr[i];
        int ok = (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == ' ' ||
                 c == '-';
        if (!ok) {
            return AG_EINVAL;
        }
    }
    return 0;
}

int
member_uuid_check(struct ag_str s)
{
    if (s.len != 36) {
        return AG_EINVAL;
    }
    for (size_t i = 0; i < 36; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        int hex = (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
        if (dash ? c != '-' : !hex) {
            return AG_EINVAL;
        }
    }
    return 0;
}

int
member_password_hash(struct ag_str password, char out[crypto_pwhash_STRBYTES])
{
    if (crypto_pwhash_str_alg(out, password.ptr, password.len, PWHASH_OPSLIMIT, PWHASH_MEMLIMIT,
                              crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return AG_EINTERNAL;
    }
    return 0;
}

int
member_password_verify(const char *hash, struct ag_str password)
{
    return crypto_pwhash_str_verify(hash, password.ptr, password.len) == 0 ? 0 : AG_EUNAUTH;
}

json_t *
member_to_json(const struct member *m)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "id", m->id, "email", m->email, "name", m->name,
                     "role", m->role, "createdAt", m->created_at, "updatedAt", m->updated_at);
}

json_t *
address_to_json(const struct address *a)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:s,s:s}", "id", a->id, "recipient",
                     a->recipient, "phone", a->phone, "postalCode", a->postal_code, "line1",
                     a->line1, "line2", a->line2, "isDefault", a->is_default, "createdAt",
                     a->created_at, "updatedAt", a->updated_at);
}
