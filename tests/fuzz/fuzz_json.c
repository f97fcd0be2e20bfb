/*
 * libFuzzer target of the JSON layer: ag_json_parse_object on arbitrary bytes, then on success
 * the field getters, ag_json_only_keys and ag_json_dump, whose results are checked for sanity.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agora/json.h"
#include "agora/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Field names the seed corpus uses, plus one that is never there. */
static const char *const names[] = {"a", "name", "email", "quantity", "ok", "", "missing"};
static const char *const allowed[] = {"a", "name", "email", "quantity", "ok", NULL};

static void
check(int cond)
{
    if (!cond) {
        abort();
    }
}

static void
exercise(struct ag_arena *arena, const json_t *obj)
{
    struct ag_json_err err;

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        struct ag_str s;
        long long v;
        int b;
        int present;

        for (int flags = 0; flags <= (AG_JSON_REQUIRED | AG_JSON_TRIM); flags++) {
            if (ag_json_get_str(arena, obj, names[i], flags, 1, 50, &s, &err) == 0 &&
                s.ptr != NULL) {
                size_t chars = ag_utf8_len(s.ptr, s.len);
                check(chars >= 1 && chars <= 50);
                check(memchr(s.ptr, '\0', s.len) == NULL);
            }
        }
        if (ag_json_get_int(obj, names[i], 0, 1, 999, &v, &present, &err) == 0 && present) {
            check(v >= 1 && v <= 999);
        }
        ag_json_get_bool(obj, names[i], AG_JSON_REQUIRED, &b, &present, &err);
        check(strlen(err.message) < sizeof(err.message));
    }
    ag_json_only_keys(obj, allowed, &err);

    /* What we dump parses back to an equal object. */
    size_t len;
    char *text = ag_json_dump(arena, obj, &len);
    check(text != NULL && strlen(text) == len);
    json_t *again = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    check(again != NULL && json_equal(again, obj));
    json_decref(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ag_arena arena;
    struct ag_json_err err;
    json_t *obj = NULL;

    ag_arena_init(&arena);
    if (ag_json_parse_object((const char *)data, size, &obj, &err) == 0) {
        exercise(&arena, obj);
        json_decref(obj);
    } else {
        check(obj == NULL && err.message[0] != '\0');
    }
    ag_arena_release(&arena);
    return 0;
}
