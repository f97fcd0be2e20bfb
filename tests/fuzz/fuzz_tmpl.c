/*
 * libFuzzer target of the template renderer. The input is a template, optionally followed by
 * a JSON object for the data after the first NUL byte or the first "\n---\n". The template is
 * added as "a" and as "b" (so {{>a}} and {{>b}} resolve, recursion included) next to a fixed
 * layout and a recursive "item" partial; when the set parses and checks, "a" is rendered alone
 * and inside the layout. Results are checked for sanity: error messages are printable ASCII,
 * codes are the documented ones, and a render gives an output in bounds or none at all.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agora/err.h"
#include "agora/json.h"
#include "agora/mem.h"
#include "agora/tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char layout[] = "<main>\n  {{> @content}}\n</main>\n";
static const char item[] = "<li>{{name}}\n  {{#kids}}\n  {{>item}}\n  {{/kids}}\n</li>\n";

static void
check(int cond)
{
    if (!cond) {
        abort();
    }
}

/* A message is set, NUL-terminated in its buffer, and printable ASCII. */
static void
check_message(const char *err, size_t size)
{
    size_t n = strnlen(err, size);

    check(n > 0 && n < size);
    for (size_t i = 0; i < n; i++) {
        check(err[i] >= 0x20 && err[i] < 0x7f);
    }
}

static void
check_render(int rc, const char *out, size_t len)
{
    if (rc == 0) {
        check(out != NULL && out[len] == '\0' && len <= AG_TMPL_MAX_OUTPUT);
    } else {
        check(rc == AG_EINVAL || rc == AG_ETOOLARGE);
        check(out == NULL && len == 0);
    }
}

/* Length of the template part of the input: up to the first NUL or "\n---\n". */
static size_t
template_len(const char *text, size_t size, size_t *data_at)
{
    const char *nul = memchr(text, '\0', size);
    size_t n = nul != NULL ? (size_t)(nul - text) : size;
    const char *sep = memmem(text, n, "\n---\n", 5);

    if (sep != NULL) {
        n = (size_t)(sep - text);
        *data_at = n + 5;
    } else {
        *data_at = n < size ? n + 1 : size;
    }
    return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    size_t data_at = 0;
    size_t len = template_len(text, size, &data_at);
    struct ag_tmpl_set *set = ag_tmpl_set_new();
    struct ag_arena arena;
    struct ag_json_err jerr;
    json_t *json = NULL;
    char err[256];
    char *out = NULL;
    size_t out_len = 0;

    ag_arena_init(&arena);
    check(ag_tmpl_set_add(set, "layout", layout, sizeof(layout) - 1, err, sizeof(err)) == 0);
    check(ag_tmpl_set_add(set, "item", item, sizeof(item) - 1, err, sizeof(err)) == 0);
    int rc = ag_tmpl_set_add(set, "a", text, len, err, sizeof(err));
    if (rc < 0) {
        check(rc == AG_EINVAL || rc == AG_ETOOLARGE);
        check_message(err, sizeof(err));
        goto out;
    }
    check(err[0] == '\0');
    check(ag_tmpl_set_add(set, "b", text, len, err, sizeof(err)) == 0);
    rc = ag_tmpl_set_check(set, err, sizeof(err));
    if (rc < 0) {
        check(rc == AG_ENOTFOUND);
        check_message(err, sizeof(err));
        check(ag_tmpl_render(set, "a", NULL, &arena, &out, &out_len) == AG_EINVAL);
        goto out;
    }

    if (data_at < size && ag_json_parse_object(text + data_at, size - data_at, &json, &jerr) != 0) {
        json = NULL;
    }
    rc = ag_tmpl_render(set, "a", json, &arena, &out, &out_len);
    check_render(rc, out, out_len);
    if (rc == 0 && memmem(text, len, "{{", 2) == NULL) {
        /* Plain text comes out as it went in. */
        check(out_len == len && memcmp(out, text, len) == 0);
    }
    rc = ag_tmpl_render_layout(set, "layout", "a", json, &arena, &out, &out_len);
    check_render(rc, out, out_len);
    check(ag_tmpl_render(set, "missing", json, &arena, &out, &out_len) == AG_ENOTFOUND);
out:
    json_decref(json);
    ag_arena_release(&arena);
    ag_tmpl_set_free(set);
    return 0;
}
