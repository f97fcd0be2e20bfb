/*
 * libFuzzer target of the language choice: arbitrary bytes as an Accept-Language header and
 * as a cookie value, and as a catalog to add. The pick must always be one of the catalogs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agora/i18n.h"
#include "agora/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ag_i18n *langs;

static void
check(int cond)
{
    if (!cond) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];

    if (langs == NULL) {
        static const char ko[] = "{\"hi\":\"안녕\"}", en[] = "{\"hi\":\"hello\"}",
                          pt[] = "{\"hi\":\"olá\"}";
        langs = ag_i18n_new("ko");
        check(ag_i18n_add(langs, "ko", ko, strlen(ko), err, sizeof(err)) == 0);
        check(ag_i18n_add(langs, "en", en, strlen(en), err, sizeof(err)) == 0);
        check(ag_i18n_add(langs, "pt-br", pt, strlen(pt), err, sizeof(err)) == 0);
        check(ag_i18n_check(langs, err, sizeof(err)) == 0);
    }
    char *text = ag_xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    const char *got = ag_i18n_pick(langs, NULL, text);
    check(ag_i18n_has(langs, got));
    got = ag_i18n_pick(langs, text, NULL);
    check(ag_i18n_has(langs, got));
    check(ag_i18n_text(langs, got, "hi") != NULL);
    /* The same bytes as a catalog of a language of its own. */
    struct ag_i18n *one = ag_i18n_new("xx");
    int rc = ag_i18n_add(one, "xx", (const char *)data, size, err, sizeof(err));
    check(rc <= 0);
    check(memchr(err, '\0', sizeof(err)) != NULL);
    if (rc == 0) {
        check(ag_i18n_check(one, err, sizeof(err)) == 0);
    }
    ag_i18n_free(one);
    ag_free(text);
    return 0;
}
