/*
 * JSON on jansson: bounded parsing and typed field validation that names the bad field.
 */
#ifndef AGORA_JSON_H
#define AGORA_JSON_H

#include <stddef.h>

#include <jansson.h>

#include "agora/mem.h"

#define AG_JSON_MAX_DEPTH 32

/* What was wrong with the input, for a 400 that names the field. */
struct ag_json_err {
    char field[64]; /* "" when the body as a whole is bad */
    char message[192];
};

/*
 * Parses 'len' bytes as one JSON object (duplicate keys, nesting past AG_JSON_MAX_DEPTH and
 * invalid UTF-8 are errors). Returns 0 and a new reference in '*out' (release with json_decref),
 * or AG_EINVAL with 'err' filled.
 */
int ag_json_parse_object(const char *buf, size_t len, json_t **out, struct ag_json_err *err);

/* Flags of the field getters. */
#define AG_JSON_REQUIRED 0x1 /* absent is an error (null counts as absent) */
#define AG_JSON_TRIM     0x2 /* strings: leading/trailing ASCII white space removed first */

/*
 * Reads string field 'name' of 'obj' with min..max characters (Unicode code points, not bytes);
 * control characters are refused. On success '*out' borrows the string (valid while 'obj'
 * lives; trimmed copies go into 'arena') and the function returns 0; when absent and optional,
 * '*out' is AG_STR_NULL. Errors: AG_EINVAL with 'err' naming the field.
 */
int ag_json_get_str(struct ag_arena *arena, const json_t *obj, const char *name, int flags,
                    size_t min, size_t max, struct ag_str *out, struct ag_json_err *err);

/* Integer field within min..max; '*present' (may be NULL) tells whether it was there. */
int ag_json_get_int(const json_t *obj, const char *name, int flags, long long min, long long max,
                    long long *out, int *present, struct ag_json_err *err);

/* Boolean field; '*present' as above. */
int ag_json_get_bool(const json_t *obj, const char *name, int flags, int *out, int *present,
                     struct ag_json_err *err);

/*
 * Refuses keys of 'obj' that are not in the NULL-terminated list 'allowed' (a typo in a field
 * name is an error, not a silent no-op). Returns 0 or AG_EINVAL naming the first unknown key.
 */
int ag_json_only_keys(const json_t *obj, const char *const *allowed, struct ag_json_err *err);

/* Fills 'err' printf-style. */
void ag_json_err_set(struct ag_json_err *err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Serializes 'json' compactly into the arena; '*len' gets the length. Never NULL.
 */
char *ag_json_dump(struct ag_arena *arena, const json_t *json, size_t *len);

/* A JSON string from 'n' bytes (must be valid UTF-8, as all our stored text is). */
json_t *ag_json_strn(const char *s, size_t n);

/* Counts the code points of valid UTF-8; returns (size_t)-1 when 's' is not valid UTF-8. */
size_t ag_utf8_len(const char *s, size_t n);

#endif
