/*
 * Server-side templates: a logic-less subset of mustache, parsed once at start into a compact
 * list of ops and rendered per request into the request's arena, HTML-escaped by default.
 *
 * Tags:
 *   {{name}}           the value of 'name', HTML-escaped (& < > " ' ` =)
 *   {{{name}}} {{& name}}  the value unescaped (raw)
 *   {{a.b.c}}          dotted names: 'a' is looked up from the innermost context outward, then
 *                      'b' and 'c' strictly inside it
 *   {{.}}              the current context itself (an item of a list of strings or numbers)
 *   {{#name}}…{{/name}} a section: an array renders its body once per element, with the
 *                      element pushed on the context stack; an object renders it once with
 *                      the object pushed; true, a non-empty string or a non-zero number render
 *                      it once without pushing; false, null, missing, "", 0 and [] skip it
 *   {{^name}}…{{/name}} an inverted section: rendered exactly when the section would be skipped
 *   {{! comment }}     nothing; may span lines
 *   {{> name}}         partial: the template 'name' of the same set, with the same context
 *   {{> @content}}     in a layout: the page of ag_tmpl_render_layout (nothing otherwise)
 *
 * Layouts are a partial with a reserved name rather than {{$content}}, because {{$…}} is
 * mustache's block tag (template inheritance) with another meaning and a closing tag. A name
 * missing from an item is looked up in the outer contexts (mustache's rule): a tree item
 * without "kids" sees its parent's, so leaves of recursive data need their empty list.
 *
 * Values: strings as they are, integers as %lld, reals in the shortest form that reads back
 * (3.0 as "3", 0.1 as "0.1"), true as "true"; false, null, missing names, objects and arrays
 * render nothing. Names are [A-Za-z0-9_-] parts joined by dots; partial names are template
 * names. Set delimiters ({{=…=}}), lambdas and template inheritance ({{$block}}, {{<parent}})
 * are not supported and are syntax errors.
 *
 * Standalone lines follow the mustache spec: a line holding only white space and one section,
 * inverted, closing, comment or partial tag is removed from the output, its line ending too;
 * a standalone partial is indented by the white space before its tag, every line of it.
 *
 * Lifetime: build a set at start (ag_tmpl_set_new, ag_tmpl_set_add or ag_tmpl_set_add_dir for
 * each template, then ag_tmpl_set_check once), render from any number of threads at once
 * (the set is read-only after the check), free it at exit.
 */
#ifndef AGORA_TMPL_H
#define AGORA_TMPL_H

#include <stddef.h>

#include <jansson.h>

#include "agora/mem.h"

#define AG_TMPL_MAX_NAME     64           /* bytes of a template name */
#define AG_TMPL_MAX_TAG      128          /* bytes of a name inside a tag */
#define AG_TMPL_MAX_NESTING  32           /* sections open at once in one template */
#define AG_TMPL_MAX_PARTIALS 16           /* partials inside partials at render */
#define AG_TMPL_MAX_STACK    64           /* sections open at once at render, all partials */
#define AG_TMPL_MAX_FILE     (256u << 10) /* bytes of one template */
#define AG_TMPL_MAX_OUTPUT   (8u << 20)   /* bytes of one rendered page */
#define AG_TMPL_MAX_STEPS    (1u << 22)   /* ops one render may execute */

/* The name a layout uses to include the page: {{> @content}}. */
#define AG_TMPL_CONTENT "@content"

/* A set of named templates that may include each other. Owns its templates. */
struct ag_tmpl_set;

/* An empty set; never NULL. Release with ag_tmpl_set_free. */
struct ag_tmpl_set *ag_tmpl_set_new(void);

/* Frees the set and every template in it; accepts NULL. No render may be running. */
void ag_tmpl_set_free(struct ag_tmpl_set *set);

/*
 * Parses 'len' bytes of 'text' as the template 'name' and adds it to 'set'. Both arguments are
 * borrowed (the set keeps copies). The set must be checked again (ag_tmpl_set_check) before
 * it renders. On failure nothing is added, and 'err' (may be NULL; 'errsize' bytes, always
 * NUL-terminated) says why, e.g. "line 12: section 'items' is not closed".
 * Errors: AG_EINVAL for a syntax error or a name that is not 1..AG_TMPL_MAX_NAME of
 * [A-Za-z0-9_.-]; AG_ECONFLICT when the set already has a template 'name'; AG_ETOOLARGE when
 * 'len' exceeds AG_TMPL_MAX_FILE.
 */
int ag_tmpl_set_add(struct ag_tmpl_set *set, const char *name, const char *text, size_t len,
                    char *err, size_t errsize);

/*
 * Adds every regular file of folder 'dir' whose name ends in ".html" or ".mustache", in name
 * order, each as the template named by the file name without its extension ("cart.html" is
 * "cart"). 'dir' is borrowed. 'err' as for ag_tmpl_set_add, prefixed with the file name, e.g.
 * "cart.html: line 3: unclosed tag". Templates added before a failure stay in the set.
 * Errors: those of ag_tmpl_set_add; AG_ENOTFOUND when 'dir' cannot be opened; AG_ETOOLARGE
 * for a file larger than AG_TMPL_MAX_FILE; AG_EINTERNAL when a file cannot be read.
 */
int ag_tmpl_set_add_dir(struct ag_tmpl_set *set, const char *dir, char *err, size_t errsize);

/*
 * Resolves every partial tag of every template of 'set' to its template, so that a typo fails
 * at start rather than at the first render; call it once after adding all templates. 'err' as
 * for ag_tmpl_set_add, e.g. "template 'page': line 4: no template 'hedaer' for the partial".
 * Errors: AG_ENOTFOUND for a partial naming no template of the set (the set stays unchecked).
 */
int ag_tmpl_set_check(struct ag_tmpl_set *set, char *err, size_t errsize);

/*
 * Renders template 'name' of 'set' with 'data' (borrowed; the outermost context; NULL renders
 * every name empty). On success '*out' is the NUL-terminated output, allocated in 'arena'
 * (valid until ag_arena_release), '*len' its length without the NUL, and the function returns
 * 0. On failure '*out' is NULL and '*len' 0. Safe to call from many threads on one set at once
 * ('data' must not change meanwhile).
 * Errors: AG_ENOTFOUND when 'set' has no template 'name'; AG_EINVAL when partials nest deeper
 * than AG_TMPL_MAX_PARTIALS, sections deeper than AG_TMPL_MAX_STACK, or the set is not checked;
 * AG_ETOOLARGE when the output exceeds AG_TMPL_MAX_OUTPUT bytes or the render would execute
 * more than AG_TMPL_MAX_STEPS ops.
 */
int ag_tmpl_render(const struct ag_tmpl_set *set, const char *name, const json_t *data,
                   struct ag_arena *arena, char **out, size_t *len);

/*
 * Renders template 'layout' with 'data', where {{> @content}} renders template 'page' with
 * the same context stack (the page's own partials work as usual). Ownership, output and errors
 * as for ag_tmpl_render; AG_ENOTFOUND when either template is missing.
 */
int ag_tmpl_render_layout(const struct ag_tmpl_set *set, const char *layout, const char *page,
                          const json_t *data, struct ag_arena *arena, char **out, size_t *len);

#endif
