/*
 * Fuzz target for the request parsing path: the input's first line is a request target
 * (path and query, percent-decoded and matched against the member routes' patterns); the rest
 * is a JSON body, parsed and read the way a handler reads a sign-up or an address.
 */
#include <stdint.h>
#include <string.h>

#include "agora/err.h"
#include "agora/http.h"
#include "agora/json.h"
#include "agora/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const patterns[] = {
    "/api/members",
    "/api/members/{id}",
    "/api/members/{id}/addresses/{addressId}",
    "/internal/members/verify",
};

static void
read_fields(struct ag_arena *a, const json_t *obj)
{
    static const char *const keys[] = {"id", "email", "name", "password", "role", NULL};
    struct ag_json_err err;
    struct ag_str s;
    long long n;
    int b, present;

    ag_json_only_keys(obj, keys, &err);
    for (size_t i = 0; keys[i] != NULL; i++) {
        if (ag_json_get_str(a, obj, keys[i], AG_JSON_TRIM, 1, 50, &s, &err) == 0 && s.ptr) {
            /* Touch every byte, so a bad length shows up under ASan. */
            volatile unsigned char sum = 0;
            for (size_t k = 0; k < s.len; k++) {
                sum = (unsigned char)(sum + (unsigned char)s.ptr[k]);
            }
            (void)sum;
        }
    }
    ag_json_get_int(obj, "take", 0, 1, 100, &n, &present, &err);
    ag_json_get_bool(obj, "isDefault", 0, &b, &present, &err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ag_arena a;
    struct ag_uri uri;
    const char *nl = memchr(data, '\n', size);
    size_t tlen = nl ? (size_t)(nl - (const char *)data) : size;

    ag_arena_init(&a);
    if (ag_uri_parse(&a, (const char *)data, tlen, &uri) == 0) {
        for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
            struct ag_str names[AG_MAX_PARAMS], values[AG_MAX_PARAMS];
            size_t np;
            ag_route_match(patterns[i], uri.path, names, values, &np);
        }
    }
    if (nl != NULL) {
        json_t *obj = NULL;
        struct ag_json_err err;
        const char *body = nl + 1;
        size_t blen = size - tlen - 1;
        if (ag_json_parse_object(body, blen, &obj, &err) == 0) {
            read_fields(&a, obj);
            json_decref(obj);
        }
    }
    ag_arena_release(&a);
    return 0;
}
