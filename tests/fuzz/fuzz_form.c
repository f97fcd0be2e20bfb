/*
 * Fuzz target for the storefront's form bodies and its route patterns: the input is an
 * application/x-www-form-urlencoded body (ag_form_parse, then every field read back the way
 * a handler does) and, from its first line, a path matched against tail and segment patterns.
 */
#include <stdint.h>
#include <string.h>

#include "agora/err.h"
#include "agora/http.h"
#include "agora/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const patterns[] = {
    "/api/{path*}",
    "/account/addresses/{aid}/delete",
    "/lang/{code}",
    "/static/{file}",
};

/* Reads every byte of 's', so that a bad length shows up under ASan. */
static void
touch(const char *s, size_t n)
{
    volatile unsigned char sum = 0;
    for (size_t k = 0; k < n; k++) {
        sum = (unsigned char)(sum + (unsigned char)s[k]);
    }
    (void)sum;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const fields[] = {"_csrf", "login", "password", "id", "email", "next"};
    struct ag_arena a;
    struct ag_uri form;

    ag_arena_init(&a);
    const char *body = (const char *)data;
    if (ag_form_parse(&a, body, size, &form) == 0) {
        for (size_t i = 0; i < form.nargs; i++) {
            touch(form.keys[i].ptr, form.keys[i].len + 1); /* the NUL too */
            touch(form.values[i].ptr, form.values[i].len + 1);
        }
        for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
            const char *v = ag_form_get(&form, fields[i]);
            if (v != NULL) {
                touch(v, strlen(v));
            }
        }
    }
    const char *nl = memchr(body, '\n', size);
    struct ag_str path = {body, nl != NULL ? (size_t)(nl - body) : size};
    for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
        struct ag_str names[AG_MAX_PARAMS], values[AG_MAX_PARAMS];
        size_t np = 0;
        if (ag_route_match(patterns[i], path, names, values, &np)) {
            for (size_t k = 0; k < np; k++) {
                touch(values[k].ptr, values[k].len);
            }
        }
    }
    ag_arena_release(&a);
    return 0;
}
