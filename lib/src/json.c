/*
 * JSON on jansson: a bounded parse (depth checked before jansson sees the bytes, duplicate keys
 * and invalid UTF-8 refused) and typed field getters whose errors name the field.
 */
#include "agora/json.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "agora/err.h"
#include "agora/mem.h"

/* First try of ag_json_dump; most replies fit. */
#define JSON_DUMP_FIRST 1024

void
ag_json_err_set(struct ag_json_err *err, const char *field, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL) {
        return;
    }
    snprintf(err->field, sizeof(err->field), "%s", field != NULL ? field : "");
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
}

/*
 * Copies at most 'size' - 1 bytes of 's' into 'dst' for an error message: bytes outside
 * printable ASCII become '?', so that a message built from client input is always valid UTF-8
 * without control characters, whatever the cut.
 */
static void
copy_printable(char *dst, size_t size, const char *s)
{
    size_t i = 0;

    for (; s[i] != '\0' && i + 1 < size; i++) {
        unsigned char c = (unsigned char)s[i];
        dst[i] = (char)(c >= 0x20 && c < 0x7f ? c : '?');
    }
    dst[i] = '\0';
}

/*
 * Returns 0 when the brackets of 'buf' nest at most AG_JSON_MAX_DEPTH deep, AG_EINVAL otherwise.
 * Brackets inside strings do not count; the scan does not validate anything else (jansson does),
 * it only keeps deep input away from jansson's recursive parser.
 */
static int
json_depth_check(const char *buf, size_t len)
{
    size_t depth = 0;
    int in_string = 0;

    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (in_string) {
            if (c == '\\') {
                i++; /* the escaped byte cannot end the string */
            } else if (c == '"') {
                in_string = 0;
            }
            continue;
        }
        if (c == '"') {
            in_string = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > AG_JSON_MAX_DEPTH) {
                return AG_EINVAL;
            }
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return 0;
}

int
ag_json_parse_object(const char *buf, size_t len, json_t **out, struct ag_json_err *err)
{
    json_error_t jerr;
    char text[sizeof(jerr.text)];

    *out = NULL;
    if (len == 0 || buf == NULL) {
        ag_json_err_set(err, "", "cannot parse body: empty input");
        return AG_EINVAL;
    }
    if (json_depth_check(buf, len) < 0) {
        ag_json_err_set(err, "", "cannot parse body: nested deeper than %d levels",
                        AG_JSON_MAX_DEPTH);
        return AG_EINVAL;
    }
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        if (json_error_code(&jerr) == json_error_null_character) {
            snprintf(text, sizeof(text), "\\u0000 is not allowed in strings");
        } else {
            /* jansson quotes the bytes near the error, which may be anything. */
            copy_printable(text, sizeof(text), jerr.text);
        }
        ag_json_err_set(err, "", "cannot parse body: %s at line %d column %d", text, jerr.line,
                        jerr.column);
        return AG_EINVAL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        ag_json_err_set(err, "", "body must be a JSON object");
        return AG_EINVAL;
    }
    *out = root;
    return 0;
}

size_t
ag_utf8_len(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t count = 0;
    size_t i = 0;

    while (i < n) {
        unsigned char c = p[i];
        size_t extra;
        unsigned int cp;
        unsigned int lowest;

        if (c < 0x80) {
            i++;
            count++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            extra = 1;
            cp = c & 0x1f;
            lowest = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            extra = 2;
            cp = c & 0x0f;
            lowest = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            extra = 3;
            cp = c & 0x07;
            lowest = 0x10000;
        } else {
            return (size_t)-1; /* continuation byte, C0/C1 overlong lead, or F5..FF */
        }
        if (n - i <= extra) {
            return (size_t)-1; /* truncated sequence */
        }
        for (size_t k = 1; k <= extra; k++) {
            unsigned char cc = p[i + k];
            if ((cc & 0xc0) != 0x80) {
                return (size_t)-1;
            }
            cp = (cp << 6) | (cc & 0x3f);
        }
        if (cp < lowest || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return (size_t)-1; /* overlong, beyond Unicode, or a surrogate */
        }
        i += extra + 1;
        count++;
    }
    return count;
}

/*
 * Looks up 'name'; returns the value, or NULL when absent or null. Fails with AG_EINVAL when
 * absent and required ('*rc' set), else '*rc' is 0.
 */
static const json_t *
field_get(const json_t *obj, const char *name, int flags, int *rc, struct ag_json_err *err)
{
    /* json_object_get takes a non-const object, but only reads it. */
    const json_t *v = json_object_get(obj, name);

    *rc = 0;
    if (v == NULL || json_is_null(v)) {
        if (flags & AG_JSON_REQUIRED) {
            ag_json_err_set(err, name, "'%s' is required", name);
            *rc = AG_EINVAL;
        }
        return NULL;
    }
    return v;
}

static int
is_blank(char c)
{
    return c == ' ' || c == '\t';
}

int
ag_json_get_str(struct ag_arena *arena, const json_t *obj, const char *name, int flags, size_t min,
                size_t max, struct ag_str *out, struct ag_json_err *err)
{
    int rc;

    *out = AG_STR_NULL;
    const json_t *v = field_get(obj, name, flags, &rc, err);
    if (v == NULL) {
        return rc;
    }
    if (!json_is_string(v)) {
        ag_json_err_set(err, name, "'%s' must be a string", name);
        return AG_EINVAL;
    }
    const char *s = json_string_value(v);
    size_t len = json_string_length(v); /* "\u0000" may be inside: never strlen */
    size_t start = 0;
    size_t end = len;
    if (flags & AG_JSON_TRIM) {
        while (start < end && is_blank(s[start])) {
            start++;
        }
        while (end > start && is_blank(s[end - 1])) {
            end--;
        }
    }
    for (size_t i = start; i < end; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) {
            ag_json_err_set(err, name, "'%s' must not contain control characters", name);
            return AG_EINVAL;
        }
    }
    size_t chars = ag_utf8_len(s + start, end - start);
    if (chars == (size_t)-1) {
        ag_json_err_set(err, name, "'%s' must be valid UTF-8", name);
        return AG_EINVAL;
    }
    if (chars < min || chars > max) {
        ag_json_err_set(err, name, "'%s' must be %zu..%zu characters", name, min, max);
        return AG_EINVAL;
    }
    if ((start == 0 && end == len) || arena == NULL) {
        out->ptr = s + start;
    } else {
        out->ptr = ag_arena_strndup(arena, s + start, end - start);
    }
    out->len = end - start;
    return 0;
}

int
ag_json_get_int(const json_t *obj, const char *name, int flags, long long min, long long max,
                long long *out, int *present, struct ag_json_err *err)
{
    int rc;

    if (present != NULL) {
        *present = 0;
    }
    const json_t *v = field_get(obj, name, flags, &rc, err);
    if (v == NULL) {
        return rc;
    }
    /* A real (1.5, 1e3) is refused even when integral: the client sent the wrong type. */
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        ag_json_err_set(err, name, "'%s' must be an integer %lld..%lld", name, min, max);
        return AG_EINVAL;
    }
    *out = json_integer_value(v);
    if (present != NULL) {
        *present = 1;
    }
    return 0;
}

int
ag_json_get_bool(const json_t *obj, const char *name, int flags, int *out, int *present,
                 struct ag_json_err *err)
{
    int rc;

    if (present != NULL) {
        *present = 0;
    }
    const json_t *v = field_get(obj, name, flags, &rc, err);
    if (v == NULL) {
        return rc;
    }
    if (!json_is_boolean(v)) {
        ag_json_err_set(err, name, "'%s' must be true or false", name);
        return AG_EINVAL;
    }
    *out = json_is_true(v);
    if (present != NULL) {
        *present = 1;
    }
    return 0;
}

int
ag_json_only_keys(const json_t *obj, const char *const *allowed, struct ag_json_err *err)
{
    const char *key;
    const json_t *value;
    char shown[48];

    /* json_object_foreach wants a non-const object; iteration only reads it. */
    union {
        const json_t *c;
        json_t *o;
    } unconst = {obj};
    json_t *o = unconst.o;
    json_object_foreach(o, key, value)
    {
        size_t i = 0;
        while (allowed[i] != NULL && strcmp(allowed[i], key) != 0) {
            i++;
        }
        if (allowed[i] == NULL) {
            /* The key is client input: cut it short and keep it printable. */
            copy_printable(shown, sizeof(shown), key);
            ag_json_err_set(err, shown, "unknown field '%s'", shown);
            return AG_EINVAL;
        }
    }
    (void)value;
    return 0;
}

char *
ag_json_dump(struct ag_arena *arena, const json_t *json, size_t *len)
{
    const size_t flags = JSON_COMPACT | JSON_ENCODE_ANY;
    char *buf = ag_arena_alloc(arena, JSON_DUMP_FIRST);

    size_t n = json != NULL ? json_dumpb(json, buf, JSON_DUMP_FIRST, flags) : 0;
    if (n >= JSON_DUMP_FIRST) {
        /* json_dumpb told the size it needs; one more byte for the NUL. */
        buf = ag_arena_alloc(arena, n + 1);
        n = json_dumpb(json, buf, n + 1, flags);
    }
    buf[n] = '\0'; /* n is 0 when jansson failed: an empty string, never NULL */
    if (len != NULL) {
        *len = n;
    }
    return buf;
}

json_t *
ag_json_strn(const char *s, size_t n)
{
    return json_stringn(s != NULL ? s : "", s != NULL ? n : 0);
}
