/*
 * Message catalogs for pages in several languages (the storefront speaks Korean by default,
 * and English): one flat JSON object of "key": "text" per language, loaded at start and
 * checked to hold the same keys in every language, and the choice of a language for a
 * request from a cookie and the Accept-Language header.
 */
#ifndef AGORA_I18N_H
#define AGORA_I18N_H

#include <stddef.h>

#include <jansson.h>

#define AG_I18N_MAX_LANGS  8
#define AG_I18N_MAX_LANG   8          /* bytes of a language code: "ko", "en", "pt-br" */
#define AG_I18N_MAX_KEY    64         /* bytes of a message key: [a-z0-9_.] */
#define AG_I18N_MAX_FILE   (1u << 20) /* bytes of one catalog */
#define AG_I18N_MAX_HEADER 512        /* Accept-Language is read up to this many bytes */

struct ag_i18n;

/* Catalogs whose fallback language is 'default_lang' (copied; a valid code, e.g. "ko"). */
struct ag_i18n *ag_i18n_new(const char *default_lang);
/* Accepts NULL. */
void ag_i18n_free(struct ag_i18n *i);

/*
 * Adds the catalog of 'lang' (lower-case letters and '-', 2..8 bytes) from 'len' bytes of
 * JSON: an object whose keys are [a-z0-9_.]{1,64} and whose values are strings. Errors, with
 * a message in 'err': AG_EINVAL (bad JSON, code, key or value), AG_ECONFLICT (the language
 * is there already), AG_ETOOLARGE (over AG_I18N_MAX_FILE or AG_I18N_MAX_LANGS languages).
 */
int ag_i18n_add(struct ag_i18n *i, const char *lang, const char *json, size_t len, char *err,
                size_t errsize);
/* Adds every <lang>.json of folder 'dir' (errors as ag_i18n_add, AG_ENOTFOUND: no folder). */
int ag_i18n_add_dir(struct ag_i18n *i, const char *dir, char *err, size_t errsize);
/*
 * After the adds: the default language must be there, and every catalog must hold exactly
 * its keys, so that no page shows a key instead of a text. AG_EINVAL with the first
 * difference in 'err'.
 */
int ag_i18n_check(const struct ag_i18n *i, char *err, size_t errsize);

/*
 * The language for a request: 'cookie' (the visitor's own choice) when it names a catalog,
 * else the best of 'accept_language' (q-values; "en-US" matches "en"; "*" the default;
 * malformed parts are skipped), else the default. Either may be NULL. Borrowed, valid for the
 * life of 'i'.
 */
const char *ag_i18n_pick(const struct ag_i18n *i, const char *cookie, const char *accept_language);
/* Whether 'lang' names a catalog. */
int ag_i18n_has(const struct ag_i18n *i, const char *lang);
/* The catalog of 'lang' (the default's when there is none); borrowed, for templates. */
const json_t *ag_i18n_catalog(const struct ag_i18n *i, const char *lang);
/* One text of 'lang', or 'key' itself when there is none; borrowed. */
const char *ag_i18n_text(const struct ag_i18n *i, const char *lang, const char *key);

#endif
