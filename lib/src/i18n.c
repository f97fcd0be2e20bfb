/*
 * Message catalogs (agora/i18n.h): an array of (code, JSON object) pairs, read-only after
 * the start, and an Accept-Language reader that never allocates.
 */
#include "agora/i18n.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agora/err.h"
#include "agora/file.h"
#include "agora/mem.h"

struct catalog {
    char lang[AG_I18N_MAX_LANG + 1];
    json_t *texts; /* owned */
};

struct ag_i18n {
    char default_lang[AG_I18N_MAX_LANG + 1];
    struct catalog langs[AG_I18N_MAX_LANGS];
    size_t n;
};

static int
lang_valid(const char *s, size_t len)
{
    if (len < 2 || len > AG_I18N_MAX_LANG) {
        return 0;
    }
    for (size_t k = 0; k < len; k++) {
        if (!((s[k] >= 'a' && s[k] <= 'z') || (s[k] == '-' && k > 0 && k + 1 < len))) {
            return 0;
        }
    }
    return 1;
}

static int
key_valid(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > AG_I18N_MAX_KEY) {
        return 0;
    }
    for (size_t k = 0; k < len; k++) {
        char c = s[k];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) {
            return 0;
        }
    }
    return 1;
}

struct ag_i18n *
ag_i18n_new(const char *default_lang)
{
    struct ag_i18n *i = ag_xcalloc(1, sizeof(*i));
    snprintf(i->default_lang, sizeof(i->default_lang), "%s", default_lang);
    return i;
}

void
ag_i18n_free(struct ag_i18n *i)
{
    if (i == NULL) {
        return;
    }
    for (size_t k = 0; k < i->n; k++) {
        json_decref(i->langs[k].texts);
    }
    ag_free(i);
}

static const struct catalog *
find(const struct ag_i18n *i, const char *lang, size_t len)
{
    for (size_t k = 0; k < i->n; k++) {
        if (strlen(i->langs[k].lang) == len && memcmp(i->langs[k].lang, lang, len) == 0) {
            return &i->langs[k];
        }
    }
    return NULL;
}

int
ag_i18n_add(struct ag_i18n *i, const char *lang, const char *json, size_t len, char *err,
            size_t errsize)
{
    json_error_t jerr;
    const char *key;
    json_t *value;

    if (!lang_valid(lang, strlen(lang))) {
        snprintf(err, errsize, "bad language code '%.16s'", lang);
        return AG_EINVAL;
    }
    if (find(i, lang, strlen(lang)) != NULL) {
        snprintf(err, errsize, "language '%s' is there already", lang);
        return AG_ECONFLICT;
    }
    if (len > AG_I18N_MAX_FILE || i->n == AG_I18N_MAX_LANGS) {
        snprintf(err, errsize, "%s: catalog over %u bytes or more than %d languages", lang,
                 AG_I18N_MAX_FILE, AG_I18N_MAX_LANGS);
        return AG_ETOOLARGE;
    }
    json_t *texts = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (texts == NULL || !json_is_object(texts)) {
        snprintf(err, errsize, "%s: line %d: %s", lang, texts ? 1 : jerr.line,
                 texts ? "want an object of texts" : jerr.text);
        json_decref(texts);
        return AG_EINVAL;
    }
    json_object_foreach(texts, key, value)
    {
        if (!key_valid(key) || !json_is_string(value)) {
            snprintf(err, errsize, "%s: '%.40s' %s", lang, key,
                     key_valid(key) ? "is not a string" : "is not a key of [a-z0-9_.]{1,64}");
            json_decref(texts);
            return AG_EINVAL;
        }
    }
    snprintf(i->langs[i->n].lang, sizeof(i->langs[i->n].lang), "%s", lang);
    i->langs[i->n].texts = texts;
    i->n++;
    return 0;
}

static int
name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int
ag_i18n_add_dir(struct ag_i18n *i, const char *dir, char *err, size_t errsize)
{
    char *names[AG_I18N_MAX_LANGS + 1];
    size_t n = 0;
    int rc = 0;

    DIR *d = opendir(dir);
    if (d == NULL) {
        snprintf(err, errsize, "cannot open the folder '%s'", dir);
        return AG_ENOTFOUND;
    }
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".json") != 0) {
            continue;
        }
        if (n == AG_I18N_MAX_LANGS + 1) {
            break; /* one too many is enough for ag_i18n_add to refuse */
        }
        names[n++] = ag_xstrdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), name_cmp); /* the same order on every machine */
    for (size_t k = 0; k < n && rc == 0; k++) {
        char path[4096], lang[AG_I18N_MAX_LANG + 2], *text = NULL;
        size_t len = 0;
        snprintf(lang, sizeof(lang), "%.*s", (int)(strlen(names[k]) - 5), names[k]);
        snprintf(path, sizeof(path), "%s/%s", dir, names[k]);
        rc = ag_file_read(path, AG_I18N_MAX_FILE, &text, &len);
        if (rc < 0) {
            snprintf(err, errsize, "cannot read '%s': %s", path,
                     rc == AG_ETOOLARGE ? "too large" : "no such file or not readable");
        } else {
            rc = ag_i18n_add(i, lang, text, len, err, errsize);
        }
        ag_free(text);
    }
    for (size_t k = 0; k < n; k++) {
        ag_free(names[k]);
    }
    return rc;
}

int
ag_i18n_check(const struct ag_i18n *i, char *err, size_t errsize)
{
    const struct catalog *def = find(i, i->default_lang, strlen(i->default_lang));
    const char *key;
    json_t *value;

    if (def == NULL) {
        snprintf(err, errsize, "no catalog for the default language '%s'", i->default_lang);
        return AG_EINVAL;
    }
    for (size_t k = 0; k < i->n; k++) {
        const struct catalog *c = &i->langs[k];
        json_object_foreach(def->texts, key, value)
        {
            if (json_object_get(c->texts, key) == NULL) {
                snprintf(err, errsize, "%s: no text for '%s' (%s has one)", c->lang, key,
                         def->lang);
                return AG_EINVAL;
            }
        }
        json_object_foreach(c->texts, key, value)
        {
            if (json_object_get(def->texts, key) == NULL) {
                snprintf(err, errsize, "%s: '%s' is not a key of %s", c->lang, key, def->lang);
                return AG_EINVAL;
            }
        }
    }
    return 0;
}

int
ag_i18n_has(const struct ag_i18n *i, const char *lang)
{
    return lang != NULL && find(i, lang, strlen(lang)) != NULL;
}

/* The catalog matching language range 's' ('len' bytes, any case): exact, then primary tag. */
static const struct catalog *
match_range(const struct ag_i18n *i, const char *s, size_t len)
{
    char low[AG_I18N_MAX_LANG + 1];

    if (len == 1 && s[0] == '*') {
        return find(i, i->default_lang, strlen(i->default_lang));
    }
    if (len == 0 || len > AG_I18N_MAX_LANG) {
        return NULL;
    }
    for (size_t k = 0; k < len; k++) {
        low[k] = (char)tolower((unsigned char)s[k]);
    }
    if (!lang_valid(low, len)) {
        return NULL;
    }
    const struct catalog *c = find(i, low, len);
    const char *dash = memchr(low, '-', len);
    if (c == NULL && dash != NULL) {
        c = find(i, low, (size_t)(dash - low));
    }
    return c;
}

/*
 * The q-value of an element's parameters ("q=0.5", RFC 9110's qvalue: 0, 0.xxx, 1, 1.000) in
 * thousandths; -1 when malformed.
 */
static int
q_value(const char *p, size_t len)
{
    while (len > 0 && (*p == ' ' || *p == '\t')) {
        p++;
        len--;
    }
    while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t')) {
        len--;
    }
    if (len < 3 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=') {
        return -1;
    }
    p += 2;
    len -= 2;
    if (p[0] != '0' && p[0] != '1') {
        return -1;
    }
    int q = (p[0] - '0') * 1000;
    if (len == 1) {
        return q;
    }
    if (p[1] != '.' || len > 5) {
        return -1;
    }
    int scale = 100;
    for (size_t k = 2; k < len; k++, scale /= 10) {
        if (p[k] < '0' || p[k] > '9') {
            return -1;
        }
        q += (p[k] - '0') * scale;
    }
    return q > 1000 ? -1 : q;
}

const char *
ag_i18n_pick(const struct ag_i18n *i, const char *cookie, const char *accept_language)
{
    if (cookie != NULL && ag_i18n_has(i, cookie)) {
        return find(i, cookie, strlen(cookie))->lang;
    }
    const struct catalog *best = NULL;
    int best_q = 0;
    size_t total = accept_language != NULL ? strnlen(accept_language, AG_I18N_MAX_HEADER) : 0;
    size_t pos = 0;
    while (pos < total) {
        const char *el = accept_language + pos;
        const char *end = memchr(el, ',', total - pos);
        size_t el_len = end != NULL ? (size_t)(end - el) : total - pos;
        pos += el_len + 1;
        while (el_len > 0 && (*el == ' ' || *el == '\t')) {
            el++;
            el_len--;
        }
        const char *semi = memchr(el, ';', el_len);
        size_t range_len = semi != NULL ? (size_t)(semi - el) : el_len;
        int q = semi != NULL ? q_value(semi + 1, el_len - range_len - 1) : 1000;
        while (range_len > 0 && (el[range_len - 1] == ' ' || el[range_len - 1] == '\t')) {
            range_len--;
        }
        const struct catalog *c = q > 0 ? match_range(i, el, range_len) : NULL;
        if (c != NULL && q > best_q) {
            best = c;
            best_q = q;
        }
    }
    if (best != NULL) {
        return best->lang;
    }
    const struct catalog *def = find(i, i->default_lang, strlen(i->default_lang));
    return def != NULL ? def->lang : i->default_lang;
}

const json_t *
ag_i18n_catalog(const struct ag_i18n *i, const char *lang)
{
    const struct catalog *c = lang != NULL ? find(i, lang, strlen(lang)) : NULL;
    if (c == NULL) {
        c = find(i, i->default_lang, strlen(i->default_lang));
    }
    return c != NULL ? c->texts : NULL;
}

const char *
ag_i18n_text(const struct ag_i18n *i, const char *lang, const char *key)
{
    const char *t = json_string_value(json_object_get(ag_i18n_catalog(i, lang), key));
    return t != NULL ? t : key;
}
