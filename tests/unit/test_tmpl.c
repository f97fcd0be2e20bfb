/*
 * Unit tests of agora/tmpl.h: every tag, HTML escaping of hostile data, context lookup,
 * partials and layouts, standalone lines and their indentation, every syntax error with its
 * line, the check of partials, the limits (nesting, partial depth, section stack, output size,
 * steps), loading a folder, and concurrent renders of one set.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "agora/err.h"
#include "agora/mem.h"
#include "agora/tmpl.h"

#include "ag_test.h"

/* Output buffer of the helpers; larger outputs use the API directly. */
#define OUT_MAX 8192

/*
 * Adds the templates 'pairs' (name, text, …, NULL) to a new set, checks it, and renders
 * 'name' (inside the layout 'layout' when not NULL) with 'json' (a JSON text; NULL for no
 * data). Copies the output, NUL-terminated, into 'out' (OUT_MAX bytes) and the error of a
 * failed add or check into 'err' (256 bytes). Returns the first failing code, or 0.
 */
static int
render_set(const char *const *pairs, const char *layout, const char *name, const char *json,
           char *out, char *err)
{
    struct ag_tmpl_set *set = ag_tmpl_set_new();
    struct ag_arena arena;
    json_t *data = NULL;
    char *text = NULL;
    size_t len = 0;
    int rc = 0;

    ag_arena_init(&arena);
    out[0] = '\0';
    err[0] = '\0';
    for (size_t i = 0; pairs[i] != NULL && rc == 0; i += 2) {
        rc = ag_tmpl_set_add(set, pairs[i], pairs[i + 1], strlen(pairs[i + 1]), err, 256);
    }
    if (rc == 0) {
        rc = ag_tmpl_set_check(set, err, 256);
    }
    if (rc == 0 && json != NULL) {
        data = json_loads(json, JSON_DECODE_ANY, NULL);
        if (data == NULL) {
            snprintf(err, 256, "bad test JSON");
            rc = AG_EINTERNAL;
        }
    }
    if (rc == 0) {
        rc = layout != NULL ? ag_tmpl_render_layout(set, layout, name, data, &arena, &text, &len)
                            : ag_tmpl_render(set, name, data, &arena, &text, &len);
    }
    if (rc == 0) {
        snprintf(out, OUT_MAX, "%s", text);
        if (strlen(text) != len) {
            rc = AG_EINTERNAL; /* the length must match the text */
        }
    } else if (text != NULL || len != 0) {
        rc = AG_EINTERNAL; /* a failed render leaves no output */
    }
    json_decref(data);
    ag_arena_release(&arena);
    ag_tmpl_set_free(set);
    return rc;
}

/* Renders the one template 'tmpl' with 'json' and checks the output is 'want'. */
#define CHECK_RENDER(tmpl, json, want)                                                             \
    do {                                                                                           \
        const char *pairs_[] = {"t", (tmpl), NULL};                                                \
        char out_[OUT_MAX];                                                                        \
        char err_[256];                                                                            \
        int rc_ = render_set(pairs_, NULL, "t", (json), out_, err_);                               \
        if (rc_ != 0) {                                                                            \
            AG_TEST_FAIL_("rendering \"%s\" failed: %d %s", (tmpl), rc_, err_);                    \
        }                                                                                          \
        CHECK_EQ_STR(out_, (want));                                                                \
    } while (0)

/* Adds 'tmpl' to a new set and checks it fails with code 'code' and message 'want'. */
#define CHECK_SYNTAX(tmpl, code, want)                                                             \
    do {                                                                                           \
        const char *pairs_[] = {"t", (tmpl), NULL};                                                \
        char out_[OUT_MAX];                                                                        \
        char err_[256];                                                                            \
        CHECK_EQ_INT(render_set(pairs_, NULL, "t", NULL, out_, err_), (code));                     \
        CHECK_EQ_STR(err_, (want));                                                                \
    } while (0)

TEST(variables_escaped)
{
    CHECK_RENDER("Hello, {{name}}!", "{\"name\":\"Ann\"}", "Hello, Ann!");
    CHECK_RENDER("<p>{{x}}</p>", "{\"x\":\"<script>alert(\\\"1\\\")</script>\"}",
                 "<p>&lt;script&gt;alert(&quot;1&quot;)&lt;/script&gt;</p>");
    CHECK_RENDER("<a title='{{x}}'>", "{\"x\":\"' onmouseover='evil()\"}",
                 "<a title='&#39; onmouseover&#61;&#39;evil()'>");
    CHECK_RENDER("{{x}}", "{\"x\":\"a&b `c` d=e\"}", "a&amp;b &#96;c&#96; d&#61;e");
    CHECK_RENDER("{{x}}", "{\"x\":\"&&&\"}", "&amp;&amp;&amp;");
    CHECK_RENDER("{{x}}", "{\"x\":\"caf\\u00e9 \\u2603\"}", "caf\xc3\xa9 \xe2\x98\x83");
    CHECK_RENDER("{{x}}", "{\"x\":\"\"}", "");
    CHECK_RENDER("no tags at all { } }} {", NULL, "no tags at all { } }} {");
    CHECK_RENDER("", NULL, "");
}

TEST(variables_raw)
{
    CHECK_RENDER("{{{x}}}", "{\"x\":\"<b>&amp;</b>\"}", "<b>&amp;</b>");
    CHECK_RENDER("{{&x}}", "{\"x\":\"<b>'\\\"</b>\"}", "<b>'\"</b>");
    CHECK_RENDER("{{& x }}|{{{ x }}}|{{ x }}", "{\"x\":\"<\"}", "<|<|&lt;");
    CHECK_RENDER("{{{n}}} {{&t}}", "{\"n\":-7,\"t\":true}", "-7 true");
}

TEST(values)
{
    CHECK_RENDER("{{a}} {{b}} {{c}}", "{\"a\":0,\"b\":-42,\"c\":9223372036854775807}",
                 "0 -42 9223372036854775807");
    CHECK_RENDER("{{a}} {{b}} {{c}} {{d}}", "{\"a\":3.0,\"b\":0.1,\"c\":-2.5,\"d\":1e300}",
                 "3 0.1 -2.5 1e+300");
    CHECK_RENDER("{{a}}", "{\"a\":0.30000000000000004}", "0.30000000000000004");
    CHECK_RENDER("[{{t}}][{{f}}][{{n}}][{{missing}}]", "{\"t\":true,\"f\":false,\"n\":null}",
                 "[true][][][]");
    CHECK_RENDER("[{{o}}][{{a}}]", "{\"o\":{\"k\":1},\"a\":[1,2]}", "[][]");
    CHECK_RENDER("[{{a}}][{{.}}]", NULL, "[][]");
    CHECK_RENDER("{{.}}", "\"top <level>\"", "top &lt;level&gt;");

    /* A string with a NUL byte comes out whole. */
    struct ag_tmpl_set *set = ag_tmpl_set_new();
    struct ag_arena arena;
    char *out = NULL;
    size_t len = 0;
    ag_arena_init(&arena);
    CHECK_EQ_INT(ag_tmpl_set_add(set, "t", "[{{x}}|{{{x}}}]", 15, NULL, 0), 0);
    CHECK_EQ_INT(ag_tmpl_set_check(set, NULL, 0), 0);
    json_t *data = json_pack("{s:s%}", "x", "a\0<", (size_t)3);
    CHECK_EQ_INT(ag_tmpl_render(set, "t", data, &arena, &out, &len), 0);
    CHECK_EQ_MEM(out, len, "[a\0&lt;|a\0<]", 12);
    CHECK_EQ_INT(out[len], '\0');
    json_decref(data);
    ag_arena_release(&arena);
    ag_tmpl_set_free(set);
}

TEST(dotted_names)
{
    CHECK_RENDER("{{a.b.c}}", "{\"a\":{\"b\":{\"c\":\"deep\"}}}", "deep");
    CHECK_RENDER("{{a.b.c}}", "{\"a\":{\"b\":{}}}", "");
    CHECK_RENDER("{{a.b.c}}", "{\"a\":{\"b\":\"str\"}}", "");
    CHECK_RENDER("{{a.x.c}}", "{\"a\":{}}", "");
    CHECK_RENDER("{{#a.b}}{{c}}{{/a.b}}", "{\"a\":{\"b\":{\"c\":\"in\"}}}", "in");
    /* The first part is looked up outward; the others only inside it. */
    CHECK_RENDER("{{#a}}{{b.c}}{{/a}}", "{\"a\":{\"b\":{}},\"b\":{\"c\":\"ERROR\"}}", "");
    CHECK_RENDER("{{#a}}{{x.y}}{{/a}}", "{\"a\":{},\"x\":{\"y\":\"outer\"}}", "outer");
}

TEST(section_list)
{
    CHECK_RENDER("<ul>{{#items}}<li>{{name}}: {{price}}</li>{{/items}}</ul>",
                 "{\"items\":[{\"name\":\"pen\",\"price\":3},{\"name\":\"ink\",\"price\":7}]}",
                 "<ul><li>pen: 3</li><li>ink: 7</li></ul>");
    CHECK_RENDER("{{#items}}x{{/items}}", "{\"items\":[]}", "");
    CHECK_RENDER("{{#items}}x{{/items}}", "{\"items\":[null,false,0]}", "xxx");
}

TEST(section_scalars_dot)
{
    CHECK_RENDER("{{#tags}}[{{.}}]{{/tags}}", "{\"tags\":[\"a\",\"<b>\",3,1.5,true,null]}",
                 "[a][&lt;b&gt;][3][1.5][true][]");
    CHECK_RENDER("{{#tags}}{{{.}}},{{/tags}}", "{\"tags\":[\"<i>\"]}", "<i>,");
    CHECK_RENDER("{{#m}}{{#.}}({{.}}){{/.}};{{/m}}", "{\"m\":[[1,2],[],[3]]}", "(1)(2);;(3);");
}

TEST(section_object)
{
    CHECK_RENDER("{{#user}}{{name}} <{{email}}>{{/user}}",
                 "{\"user\":{\"name\":\"Ann\",\"email\":\"a@x.org\"}}", "Ann <a@x.org>");
    CHECK_RENDER("{{#o}}yes{{/o}}", "{\"o\":{}}", "yes");
}

TEST(section_truthy_scalars)
{
    /* Rendered once, with the context unchanged. */
    CHECK_RENDER("{{#s}}[{{name}}]{{/s}}", "{\"s\":true,\"name\":\"n\"}", "[n]");
    CHECK_RENDER("{{#s}}[{{name}}]{{/s}}", "{\"s\":\"text\",\"name\":\"n\"}", "[n]");
    CHECK_RENDER("{{#s}}[{{name}}]{{/s}}", "{\"s\":5,\"name\":\"n\"}", "[n]");
    CHECK_RENDER("{{#s}}[{{name}}]{{/s}}", "{\"s\":-0.5,\"name\":\"n\"}", "[n]");
}

TEST(section_falsy)
{
    const char *falsy[] = {"false", "null", "[]", "\"\"", "0", "0.0"};

    for (size_t i = 0; i < sizeof(falsy) / sizeof(falsy[0]); i++) {
        char json[64];
        snprintf(json, sizeof(json), "{\"s\":%s}", falsy[i]);
        CHECK_RENDER("a{{#s}}X{{/s}}b", json, "ab");
        CHECK_RENDER("a{{^s}}none{{/s}}b", json, "anoneb");
    }
    CHECK_RENDER("a{{#s}}X{{/s}}b", "{}", "ab");
    CHECK_RENDER("a{{#s}}X{{/s}}b", NULL, "ab");
}

TEST(inverted)
{
    CHECK_RENDER("{{^items}}No items.{{/items}}", "{\"items\":[]}", "No items.");
    CHECK_RENDER("{{^items}}No items.{{/items}}", "{}", "No items.");
    CHECK_RENDER("{{^items}}No items.{{/items}}", "{\"items\":[1]}", "");
    CHECK_RENDER("{{^o}}none{{/o}}", "{\"o\":{}}", "");
    CHECK_RENDER("{{^t}}x{{/t}}{{^s}}y{{/s}}{{^n}}z{{/n}}", "{\"t\":true,\"s\":\"a\",\"n\":1}", "");
    CHECK_RENDER("{{#items}}{{.}}{{/items}}{{^items}}empty{{/items}}", "{\"items\":[1,2]}", "12");
    /* Inside a list, an inverted section sees the item first. */
    CHECK_RENDER("{{#l}}{{^ok}}-{{/ok}}{{#ok}}+{{/ok}}{{/l}}",
                 "{\"ok\":true,\"l\":[{\"ok\":false},{},{\"ok\":1}]}", "-++");
}

TEST(nested_lookup_outward)
{
    const char *json = "{\"shop\":\"Agora\",\"orders\":[{\"id\":1,\"items\":[{\"name\":\"pen\"},"
                       "{\"name\":\"ink\",\"id\":9}]},{\"id\":2,\"items\":[]}]}";

    CHECK_RENDER("{{#orders}}#{{id}}:{{#items}} {{name}}/{{id}}@{{shop}}{{/items}};{{/orders}}",
                 json, "#1: pen/1@Agora ink/9@Agora;#2:;");
    /* A null in an inner context hides the outer value. */
    CHECK_RENDER("{{#inner}}[{{x}}]{{/inner}}", "{\"x\":\"outer\",\"inner\":{\"x\":null}}", "[]");
    CHECK_RENDER("{{#inner}}[{{x}}]{{/inner}}", "{\"x\":\"outer\",\"inner\":{}}", "[outer]");
    /* Sections of the same name nest. */
    CHECK_RENDER("{{#a}}{{#a}}{{v}}{{/a}}{{/a}}", "{\"a\":{\"v\":1,\"a\":{\"v\":2}}}", "2");
}

TEST(comments)
{
    CHECK_RENDER("a{{! a comment }}b", NULL, "ab");
    CHECK_RENDER("a{{!}}b", NULL, "ab");
    CHECK_RENDER("a{{! {{x}} }}b", "{\"x\":1}", "a }}b");
    CHECK_RENDER("a{{!\nmulti\nline\n}}b", NULL, "ab");
}

TEST(partials)
{
    const char *pairs[] = {
        "page", "<h1>{{title}}</h1>{{> list}}",  "list", "<ul>{{#items}}{{>item}}{{/items}}</ul>",
        "item", "<li>{{name}} ({{title}})</li>", NULL};
    char out[OUT_MAX];
    char err[256];

    CHECK_EQ_INT(render_set(pairs, NULL, "page",
                            "{\"title\":\"T<\",\"items\":[{\"name\":\"a\"},{\"name\":\"b\"}]}", out,
                            err),
                 0);
    CHECK_EQ_STR(out, "<h1>T&lt;</h1><ul><li>a (T&lt;)</li><li>b (T&lt;)</li></ul>");

    /* A partial can be rendered on its own, and twice in one template. */
    CHECK_EQ_INT(render_set(pairs, NULL, "item", "{\"name\":\"x\"}", out, err), 0);
    CHECK_EQ_STR(out, "<li>x ()</li>");
    const char *twice[] = {"t", "{{>p}}-{{> p }}", "p", "[{{v}}]", NULL};
    CHECK_EQ_INT(render_set(twice, NULL, "t", "{\"v\":1}", out, err), 0);
    CHECK_EQ_STR(out, "[1]-[1]");
}

TEST(layout)
{
    const char *pairs[] = {
        "layout", "<html><title>{{title}}</title>\n<body>\n{{> @content}}\n</body>\n",
        "page",   "<h1>{{title}}</h1>\n{{>footer}}\n",
        "footer", "<footer>{{shop}}</footer>\n",
        NULL};
    char out[OUT_MAX];
    char err[256];

    CHECK_EQ_INT(
        render_set(pairs, "layout", "page", "{\"title\":\"Cart\",\"shop\":\"Agora\"}", out, err),
        0);
    CHECK_EQ_STR(out, "<html><title>Cart</title>\n<body>\n<h1>Cart</h1>\n"
                      "<footer>Agora</footer>\n</body>\n");

    /* The layout alone: the content is empty. */
    CHECK_EQ_INT(render_set(pairs, NULL, "layout", "{\"title\":\"T\"}", out, err), 0);
    CHECK_EQ_STR(out, "<html><title>T</title>\n<body>\n</body>\n");

    /* The page sees the context of the tag. */
    const char *ctx[] = {"l", "{{#user}}[{{> @content}}]{{/user}}", "p", "{{name}}", NULL};
    CHECK_EQ_INT(render_set(ctx, "l", "p", "{\"user\":{\"name\":\"Ann\"}}", out, err), 0);
    CHECK_EQ_STR(out, "[Ann]");

    CHECK_EQ_INT(render_set(pairs, "layout", "nopage", "{}", out, err), AG_ENOTFOUND);
    CHECK_EQ_INT(render_set(pairs, "nolayout", "page", "{}", out, err), AG_ENOTFOUND);

    /* A page that includes the content includes itself: bounded. */
    const char *loop[] = {"l", "{{> @content}}", "p", "x{{> @content}}", NULL};
    CHECK_EQ_INT(render_set(loop, "l", "p", "{}", out, err), AG_EINVAL);
}

TEST(layout_indent)
{
    const char *pairs[] = {"layout", "<body>\n  <main>\n    {{> @content}}\n  </main>\n</body>\n",
                           "page", "<h1>{{title}}</h1>\n<p>{{{body}}}</p>\n", NULL};
    char out[OUT_MAX];
    char err[256];

    CHECK_EQ_INT(
        render_set(pairs, "layout", "page", "{\"title\":\"T\",\"body\":\"a\\nb\"}", out, err), 0);
    CHECK_EQ_STR(out, "<body>\n  <main>\n    <h1>T</h1>\n    <p>a\nb</p>\n  </main>\n</body>\n");
}

/* A set of 'n' templates r0 … r(n-1), each including the next; the last prints "end". */
static struct ag_tmpl_set *
partial_chain(size_t n)
{
    struct ag_tmpl_set *set = ag_tmpl_set_new();

    for (size_t i = 0; i < n; i++) {
        char name[32];
        char text[64];
        snprintf(name, sizeof(name), "r%zu", i);
        if (i + 1 < n) {
            snprintf(text, sizeof(text), "{{>r%zu}}", i + 1);
        } else {
            snprintf(text, sizeof(text), "end");
        }
        if (ag_tmpl_set_add(set, name, text, strlen(text), NULL, 0) != 0) {
            abort();
        }
    }
    if (ag_tmpl_set_check(set, NULL, 0) != 0) {
        abort();
    }
    return set;
}

TEST(partial_depth_limit)
{
    struct ag_arena arena;
    char *out = NULL;
    size_t len = 0;

    ag_arena_init(&arena);
    /* r0 includes 16 partials deep: allowed. */
    struct ag_tmpl_set *set = partial_chain(AG_TMPL_MAX_PARTIALS + 1);
    CHECK_EQ_INT(ag_tmpl_render(set, "r0", NULL, &arena, &out, &len), 0);
    CHECK_EQ_STR(out, "end");
    ag_tmpl_set_free(set);

    /* 17 deep: refused at render. */
    set = partial_chain(AG_TMPL_MAX_PARTIALS + 2);
    CHECK_EQ_INT(ag_tmpl_render(set, "r0", NULL, &arena, &out, &len), AG_EINVAL);
    CHECK_NULL(out);
    CHECK_EQ_INT(len, 0);
    CHECK_EQ_INT(ag_tmpl_render(set, "r1", NULL, &arena, &out, &len), 0);
    ag_tmpl_set_free(set);
    ag_arena_release(&arena);

    /* A template that includes itself ends with AG_EINVAL, not a stack overflow. */
    const char *self[] = {"r", "x{{>r}}{{>r}}", NULL};
    char buf[OUT_MAX];
    char err[256];
    CHECK_EQ_INT(render_set(self, NULL, "r", NULL, buf, err), AG_EINVAL);

    /*
     * Recursion that data ends is fine: a tree rendered by one partial. Leaves need their
     * empty "kids", or the lookup finds their parent's.
     */
    const char *tree[] = {"node", "({{name}}{{#kids}}{{>node}}{{/kids}})", NULL};
    CHECK_EQ_INT(render_set(tree, NULL, "node",
                            "{\"name\":\"a\",\"kids\":[{\"name\":\"b\",\"kids\":[{\"name\":\"c\","
                            "\"kids\":[]}]},{\"name\":\"d\",\"kids\":[]}]}",
                            buf, err),
                 0);
    CHECK_EQ_STR(buf, "(a(b(c))(d))");
}

/* A template of 'depth' sections s nested, one tag a line, "x" innermost. */
static char *
nested_sections(size_t depth)
{
    char *s = ag_xmalloc(depth * 14 + 8);
    size_t n = 0;

    for (size_t i = 0; i < depth; i++) {
        n += (size_t)sprintf(s + n, "{{#s}}\n");
    }
    n += (size_t)sprintf(s + n, "x\n");
    for (size_t i = 0; i < depth; i++) {
        n += (size_t)sprintf(s + n, "{{/s}}\n");
    }
    return s;
}

TEST(nesting_limit)
{
    char out[OUT_MAX];
    char err[256];
    char *ok = nested_sections(AG_TMPL_MAX_NESTING);
    char *deep = nested_sections(AG_TMPL_MAX_NESTING + 1);
    const char *pairs_ok[] = {"t", ok, NULL};
    const char *pairs_deep[] = {"t", deep, NULL};

    int rc_ok = render_set(pairs_ok, NULL, "t", "{\"s\":true}", out, err);
    int rc_deep = render_set(pairs_deep, NULL, "t", "{\"s\":true}", out, err);
    ag_free(ok);
    ag_free(deep);
    CHECK_EQ_INT(rc_ok, 0);
    CHECK_EQ_INT(rc_deep, AG_EINVAL);
    CHECK_EQ_STR(err, "line 33: sections nest deeper than 32");
}

TEST(section_stack_limit)
{
    /*
     * 16 templates of 4 sections each, each including the next inside its sections: 64 open
     * sections at the deepest point, the most allowed; one more section there is refused.
     */
    struct ag_arena arena;
    char *out = NULL;
    size_t len = 0;
    json_t *data = json_pack("{s:b,s:b}", "t", 1, "more", 1);

    ag_arena_init(&arena);
    for (int extra = 0; extra <= 1; extra++) {
        struct ag_tmpl_set *set = ag_tmpl_set_new();
        for (int i = 0; i < 16; i++) {
            char name[16];
            char text[128];
            snprintf(name, sizeof(name), "p%d", i);
            if (i < 15) {
                snprintf(text, sizeof(text),
                         "{{#t}}{{#t}}{{#t}}{{#t}}{{>p%d}}{{/t}}{{/t}}{{/t}}{{/t}}", i + 1);
            } else {
                snprintf(text, sizeof(text), "{{#t}}{{#t}}{{#t}}{{#t}}x%s{{/t}}{{/t}}{{/t}}{{/t}}",
                         extra ? "{{#more}}y{{/more}}" : "");
            }
            CHECK_EQ_INT(ag_tmpl_set_add(set, name, text, strlen(text), NULL, 0), 0);
        }
        CHECK_EQ_INT(ag_tmpl_set_check(set, NULL, 0), 0);
        int rc = ag_tmpl_render(set, "p0", data, &arena, &out, &len);
        ag_tmpl_set_free(set);
        if (extra) {
            CHECK_EQ_INT(rc, AG_EINVAL);
        } else {
            CHECK_EQ_INT(rc, 0);
            CHECK_EQ_STR(out, "x");
        }
    }
    json_decref(data);
    ag_arena_release(&arena);
}

TEST(syntax_errors)
{
    CHECK_SYNTAX("a\n\n{{name", AG_EINVAL, "line 3: unclosed tag");
    CHECK_SYNTAX("a\n{{", AG_EINVAL, "line 2: unclosed tag");
    CHECK_SYNTAX("{{! never closed\n", AG_EINVAL, "line 1: unclosed tag");
    CHECK_SYNTAX("<ul>\n\n\n\n\n\n\n\n\n\n\n{{#items}}\n<li>{{name}}</li>\n</ul>\n", AG_EINVAL,
                 "line 12: section 'items' is not closed");
    CHECK_SYNTAX("{{#a}}{{^b}}\n", AG_EINVAL, "line 1: section 'b' is not closed");
    CHECK_SYNTAX("{{#items}}\n\n{{/cart}}", AG_EINVAL,
                 "line 3: '{{/cart}}' does not close section 'items' of line 1");
    CHECK_SYNTAX("{{#a}}{{#b}}\n{{/a}}{{/b}}", AG_EINVAL,
                 "line 2: '{{/a}}' does not close section 'b' of line 1");
    CHECK_SYNTAX("x\n{{/a}}", AG_EINVAL, "line 2: '{{/a}}' closes no open section");
    CHECK_SYNTAX("{{}}", AG_EINVAL, "line 1: tag has no name");
    CHECK_SYNTAX("\n{{# }}", AG_EINVAL, "line 2: tag has no name");
    CHECK_SYNTAX("{{{}}}", AG_EINVAL, "line 1: tag has no name");
    CHECK_SYNTAX("{{a b}}", AG_EINVAL, "line 1: bad name 'a b' in a tag");
    CHECK_SYNTAX("{{a..b}}", AG_EINVAL, "line 1: bad name 'a..b' in a tag");
    CHECK_SYNTAX("{{.a}}", AG_EINVAL, "line 1: bad name '.a' in a tag");
    CHECK_SYNTAX("{{a.}}", AG_EINVAL, "line 1: bad name 'a.' in a tag");
    CHECK_SYNTAX("{{a{{b}}", AG_EINVAL, "line 1: bad name 'a{{b' in a tag");
    CHECK_SYNTAX("{{> bad name}}", AG_EINVAL, "line 1: bad name 'bad name' in a tag");
    CHECK_SYNTAX("{{> @other}}", AG_EINVAL, "line 1: bad name '@other' in a tag");
    CHECK_SYNTAX("{{a\x01\xff}}", AG_EINVAL, "line 1: bad name 'a?\?' in a tag");
    CHECK_SYNTAX("{{xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx!}}", AG_EINVAL,
                 "line 1: bad name 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' in a tag");
    CHECK_SYNTAX("\n\n{{{a}}", AG_EINVAL, "line 3: '{{{' is closed by '}}', want '}}}'");
    CHECK_SYNTAX("{{{a}} }", AG_EINVAL, "line 1: '{{{' is closed by '}}', want '}}}'");
    CHECK_SYNTAX("{{=<% %>=}}", AG_EINVAL, "line 1: set delimiter tags '{{=' are not supported");
    CHECK_SYNTAX("{{$content}}{{/content}}", AG_EINVAL,
                 "line 1: '{{$' (template inheritance) is not supported; a layout includes its "
                 "page with '{{> @content}}'");
    CHECK_SYNTAX("{{<base}}{{/base}}", AG_EINVAL,
                 "line 1: '{{<' (template inheritance) is not supported; a layout includes its "
                 "page with '{{> @content}}'");

    /* A name at the length limit is fine, one byte more is not. */
    char text[AG_TMPL_MAX_TAG + 8];
    memset(text, 'n', sizeof(text));
    memcpy(text, "{{", 2);
    memcpy(text + 2 + AG_TMPL_MAX_TAG, "}}", 3);
    CHECK_RENDER(text, "{}", "");
    memset(text, 'n', sizeof(text));
    memcpy(text, "{{", 2);
    memcpy(text + 3 + AG_TMPL_MAX_TAG, "}}", 3);
    const char *pairs[] = {"t", text, NULL};
    char out[OUT_MAX];
    char err[256];
    CHECK_EQ_INT(render_set(pairs, NULL, "t", NULL, out, err), AG_EINVAL);

    /* Line numbers count lines inside multi-line comments and standalone lines. */
    CHECK_SYNTAX("{{!\n\n}}\n{{#a}}\n\n{{b c}}", AG_EINVAL, "line 6: bad name 'b c' in a tag");

    /* A failed add adds nothing; 'err' may be NULL. */
    struct ag_tmpl_set *set = ag_tmpl_set_new();
    struct ag_arena arena;
    char *o = NULL;
    size_t len = 0;
    ag_arena_init(&arena);
    CHECK_EQ_INT(ag_tmpl_set_add(set, "t", "{{#a}}", 6, NULL, 0), AG_EINVAL);
    CHECK_EQ_INT(ag_tmpl_set_add(set, "t", "{{#a}}", 6, err, 1), AG_EINVAL);
    CHECK_EQ_STR(err, "");
    CHECK_EQ_INT(ag_tmpl_set_check(set, NULL, 0), 0);
    CHECK_EQ_INT(ag_tmpl_render(set, "t", NULL, &arena, &o, &len), AG_ENOTFOUND);
    CHECK_EQ_INT(ag_tmpl_set_add(set, "t", "ok", 2, NULL, 0), 0);
    ag_arena_release(&arena);
    ag_tmpl_set_free(set);
}

TEST(set_errors)
{
    struct ag_tmpl_set *set = ag_tmpl_set_new();
    struct ag_arena arena;
    char err[256];
    char *out = NULL;
    size_t len = 0;

    ag_arena_init(&arena);
    CHECK_EQ_INT(ag_tmpl_set_add(set, "", "x", 1, err, sizeof(err)), AG_EINVAL);
    CHECK_EQ_STR(err, "bad template name '': want 1..64 of A-Z a-z 0-9 _ . -");
    CHECK_EQ_INT(ag_tmpl_set_add(set, "a/b", "x", 1, err, sizeof(err)), AG_EINVAL);
    CHECK_EQ_INT(ag_tmpl_set_add(set, "@content", "x", 1, err, sizeof(err)), AG_EINVAL);
    CHECK_EQ_INT(ag_tmpl_set_add(set, "product-card_2.v1", "x", 1, err, sizeof(err)), 0);
    CHECK_EQ_STR(err, "");
    CHECK_EQ_INT(ag_tmpl_set_add(set, "product-card_2.v1", "y", 1, err, sizeof(err)), AG_ECONFLICT);
    CHECK_EQ_STR(err, "template 'product-card_2.v1' already exists");

    char *big = ag_xcalloc(1, AG_TMPL_MAX_FILE + 1);
    memset(big, 'x', AG_TMPL_MAX_FILE + 1);
    CHECK_EQ_INT(ag_tmpl_set_add(set, "big", big, AG_TMPL_MAX_FILE + 1, err, sizeof(err)),
                 AG_ETOOLARGE);
    CHECK_EQ_STR(err, "template 'big' has 262145 bytes, more than 262144");
    CHECK_EQ_INT(ag_tmpl_set_add(set, "big", big, AG_TMPL_MAX_FILE, err, sizeof(err)), 0);
    ag_free(big);

    /* Not checked since the last add: refused. */
    CHECK_EQ_INT(ag_tmpl_render(set, "big", NULL, &arena, &out, &len), AG_EINVAL);
    CHECK_EQ_INT(ag_tmpl_set_check(set, err, sizeof(err)), 0);
    CHECK_EQ_INT(ag_tmpl_render(set, "big", NULL, &arena, &out, &len), 0);
    CHECK_EQ_INT(len, AG_TMPL_MAX_FILE);
    CHECK_EQ_INT(ag_tmpl_render(set, "nosuch", NULL, &arena, &out, &len), AG_ENOTFOUND);
    CHECK_NULL(out);
    CHECK_EQ_INT(len, 0);
    CHECK_EQ_INT(ag_tmpl_set_add(set, "empty", NULL, 0, err, sizeof(err)), 0);
    CHECK_EQ_INT(ag_tmpl_render(set, "empty", NULL, &arena, &out, &len), AG_EINVAL);
    CHECK_EQ_INT(ag_tmpl_set_check(set, err, sizeof(err)), 0);
    CHECK_EQ_INT(ag_tmpl_render(set, "empty", NULL, &arena, &out, &len), 0);
    CHECK_EQ_STR(out, "");

    ag_arena_release(&arena);
    ag_tmpl_set_free(set);
    ag_tmpl_set_free(NULL);
}

TEST(unknown_partial)
{
    struct ag_tmpl_set *set = ag_tmpl_set_new();
    struct ag_arena arena;
    char err[256];
    char *out = NULL;
    size_t len = 0;

    ag_arena_init(&arena);
    CHECK_EQ_INT(ag_tmpl_set_add(set, "header", "<header>", 8, err, sizeof(err)), 0);
    const char *page = "<html>\n{{#a}}\n{{> hedaer}}\n{{/a}}\n";
    CHECK_EQ_INT(ag_tmpl_set_add(set, "page", page, strlen(page), err, sizeof(err)), 0);
    CHECK_EQ_INT(ag_tmpl_set_check(set, err, sizeof(err)), AG_ENOTFOUND);
    CHECK_EQ_STR(err, "template 'page': line 3: no template 'hedaer' for the partial");
    CHECK_EQ_INT(ag_tmpl_render(set, "header", NULL, &arena, &out, &len), AG_EINVAL);

    /* Once the partial exists, the check passes. */
    CHECK_EQ_INT(ag_tmpl_set_add(set, "hedaer", "[h]", 3, err, sizeof(err)), 0);
    CHECK_EQ_INT(ag_tmpl_set_check(set, err, sizeof(err)), 0);
    CHECK_EQ_STR(err, "");
    json_t *data = json_pack("{s:b}", "a", 1);
    CHECK_EQ_INT(ag_tmpl_render(set, "page", data, &arena, &out, &len), 0);
    CHECK_EQ_STR(out, "<html>\n[h]");
    json_decref(data);
    ag_arena_release(&arena);
    ag_tmpl_set_free(set);
}

TEST(output_limit)
{
    struct ag_tmpl_set *set = ag_tmpl_set_new();
    struct ag_arena arena;
    char *out = NULL;
    size_t len = 0;
    size_t mib = 1024 * 1024;
    char *s = ag_xmalloc(mib);

    ag_arena_init(&arena);
    memset(s, 'a', mib);
    json_t *str = json_stringn(s, mib);
    json_t *eight = json_array();
    json_t *nine = json_array();
    for (int i = 0; i < 8; i++) {
        json_array_append(eight, str);
        json_array_append(nine, str);
    }
    json_array_append(nine, str);
    json_t *data = json_pack("{s:o,s:o,s:O}", "eight", eight, "nine", nine, "s", str);

    const char *t8 = "{{#eight}}{{.}}{{/eight}}";
    const char *t9 = "{{#nine}}{{{.}}}{{/nine}}";
    const char *amp = "{{amp}}{{amp}}";
    CHECK_EQ_INT(ag_tmpl_set_add(set, "eight", t8, strlen(t8), NULL, 0), 0);
    CHECK_EQ_INT(ag_tmpl_set_add(set, "nine", t9, strlen(t9), NULL, 0), 0);
    /* Escaping grows "&" fivefold: two MiB of it is 10 MiB out. */
    CHECK_EQ_INT(ag_tmpl_set_add(set, "amp", amp, strlen(amp), NULL, 0), 0);
    CHECK_EQ_INT(ag_tmpl_set_check(set, NULL, 0), 0);

    CHECK_EQ_INT(ag_tmpl_render(set, "eight", data, &arena, &out, &len), 0);
    CHECK_EQ_INT(len, AG_TMPL_MAX_OUTPUT);
    CHECK(out[0] == 'a' && out[len - 1] == 'a' && out[len] == '\0');
    CHECK_EQ_INT(ag_tmpl_render(set, "nine", data, &arena, &out, &len), AG_ETOOLARGE);
    CHECK_NULL(out);
    CHECK_EQ_INT(len, 0);

    memset(s, '&', mib);
    json_object_set_new(data, "amp", json_stringn(s, mib));
    CHECK_EQ_INT(ag_tmpl_render(set, "amp", data, &arena, &out, &len), AG_ETOOLARGE);

    ag_free(s);
    json_decref(str);
    json_decref(data);
    ag_arena_release(&arena);
    ag_tmpl_set_free(set);
}

TEST(step_limit)
{
    /* Empty sections nested over a list make work without output: bounded too. */
    struct ag_tmpl_set *set = ag_tmpl_set_new();
    struct ag_arena arena;
    char *out = NULL;
    size_t len = 0;
    json_t *list = json_array();
    const char *text = "{{#a}}{{#a}}{{#a}}{{/a}}{{/a}}{{/a}}done";

    ag_arena_init(&arena);
    for (int i = 0; i < 200; i++) {
        json_array_append_new(list, json_integer(i));
    }
    json_t *data = json_pack("{s:o}", "a", list);
    CHECK_EQ_INT(ag_tmpl_set_add(set, "t", text, strlen(text), NULL, 0), 0);
    CHECK_EQ_INT(ag_tmpl_set_check(set, NULL, 0), 0);
    CHECK_EQ_INT(ag_tmpl_render(set, "t", data, &arena, &out, &len), AG_ETOOLARGE);

    /* 100 elements: about a million ops, within the limit. */
    json_array_clear(list);
    for (int i = 0; i < 100; i++) {
        json_array_append_new(list, json_integer(i));
    }
    CHECK_EQ_INT(ag_tmpl_render(set, "t", data, &arena, &out, &len), 0);
    CHECK_EQ_STR(out, "done");
    json_decref(data);
    ag_arena_release(&arena);
    ag_tmpl_set_free(set);
}

TEST(standalone_lines)
{
    /* Section, inverted, closing and comment tags alone on a line leave no line. */
    CHECK_RENDER("<ul>\n  {{#items}}\n  <li>{{.}}</li>\n  {{/items}}\n</ul>\n", "{\"items\":[1,2]}",
                 "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>\n");
    CHECK_RENDER("a\n{{^none}}\nb\n{{/none}}\nc\n", "{}", "a\nb\nc\n");
    CHECK_RENDER("a\n  {{! note }}  \nb\n", NULL, "a\nb\n");
    CHECK_RENDER("a\n{{!\nmulti\n}}\nb\n", NULL, "a\nb\n");
    /* Windows line endings, the first and the last line, a tab. */
    CHECK_RENDER("|\r\n{{#t}}\r\n|\r\n{{/t}}\r\n", "{\"t\":true}", "|\r\n|\r\n");
    CHECK_RENDER("{{#t}}\nx\n{{/t}}", "{\"t\":true}", "x\n");
    CHECK_RENDER("\t{{#t}}\t\nx\n{{/t}}", "{\"t\":true}", "x\n");
    /* Not standalone: other text, another tag or a variable on the line. */
    CHECK_RENDER(" {{#t}}YES{{/t}}\n", "{\"t\":true}", " YES\n");
    CHECK_RENDER("{{#t}}{{/t}}\nx", "{\"t\":true}", "\nx");
    CHECK_RENDER("a {{#t}}\nx\n{{/t}}", "{\"t\":true}", "a \nx\n");
    CHECK_RENDER("  {{v}}\nx", "{\"v\":1}", "  1\nx");
    CHECK_RENDER("{{#t}} x\n{{/t}}", "{\"t\":true}", " x\n");
    CHECK_RENDER("x\r{{#t}}\ry{{/t}}", "{\"t\":true}", "x\r\ry");
}

TEST(standalone_partials)
{
    char out[OUT_MAX];
    char err[256];

    /* The mustache spec's cases. */
    const char *endings[] = {"t", "|\r\n{{>p}}\r\n|", "p", ">", NULL};
    CHECK_EQ_INT(render_set(endings, NULL, "t", "{}", out, err), 0);
    CHECK_EQ_STR(out, "|\r\n>|");
    const char *no_prev[] = {"t", "  {{>p}}\n>", "p", ">\n>", NULL};
    CHECK_EQ_INT(render_set(no_prev, NULL, "t", "{}", out, err), 0);
    CHECK_EQ_STR(out, "  >\n  >>");
    const char *no_next[] = {"t", ">\n  {{>p}}", "p", ">\n>", NULL};
    CHECK_EQ_INT(render_set(no_next, NULL, "t", "{}", out, err), 0);
    CHECK_EQ_STR(out, ">\n  >\n  >");
    const char *indent[] = {"t", "\\\n {{>p}}\n/\n", "p", "|\n{{{content}}}\n|\n", NULL};
    CHECK_EQ_INT(render_set(indent, NULL, "t", "{\"content\":\"<\\n->\"}", out, err), 0);
    CHECK_EQ_STR(out, "\\\n |\n <\n->\n |\n/\n");
    const char *inline_p[] = {"t", "  {{>p}} x\n", "p", "a\nb\n", NULL};
    CHECK_EQ_INT(render_set(inline_p, NULL, "t", "{}", out, err), 0);
    CHECK_EQ_STR(out, "  a\nb\n x\n");

    /* Indents add up through nested standalone partials; sections inside keep theirs. */
    const char *nest[] = {"t",    "<div>\n  {{>list}}\n</div>\n",
                          "list", "<ul>\n  {{#items}}\n  {{>item}}\n  {{/items}}\n</ul>\n",
                          "item", "<li>\n  {{.}}\n</li>\n",
                          NULL};
    CHECK_EQ_INT(render_set(nest, NULL, "t", "{\"items\":[1,2]}", out, err), 0);
    CHECK_EQ_STR(out, "<div>\n  <ul>\n    <li>\n      1\n    </li>\n    <li>\n      2\n"
                      "    </li>\n  </ul>\n</div>\n");
}

/* Writes 'text' to 'dir'/'name'; returns 0 or -1. */
static int
write_file(const char *dir, const char *name, const char *text, size_t len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return -1;
    }
    size_t n = fwrite(text, 1, len, f);
    return fclose(f) == 0 && n == len ? 0 : -1;
}

static void
remove_file(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (remove(path) != 0) {
        perror(path);
    }
}

TEST(add_dir)
{
    char dir[] = "/tmp/ag_tmpl_XXXXXX";
    char sub[64];
    char err[256];
    struct ag_arena arena;
    char *out = NULL;
    size_t len = 0;

    CHECK_NOT_NULL(mkdtemp(dir));
    CHECK_EQ_INT(write_file(dir, "layout.html", "<main>{{> @content}}</main>", 27), 0);
    CHECK_EQ_INT(write_file(dir, "page.mustache", "{{>card}}", 9), 0);
    CHECK_EQ_INT(write_file(dir, "card.html", "[{{name}}]", 10), 0);
    CHECK_EQ_INT(write_file(dir, "notes.txt", "{{#broken", 9), 0);
    CHECK_EQ_INT(write_file(dir, ".hidden.html", "{{#broken", 9), 0);
    snprintf(sub, sizeof(sub), "%s/folder.html", dir);
    CHECK_EQ_INT(mkdir(sub, 0700), 0);

    struct ag_tmpl_set *set = ag_tmpl_set_new();
    ag_arena_init(&arena);
    CHECK_EQ_INT(ag_tmpl_set_add_dir(set, dir, err, sizeof(err)), 0);
    CHECK_EQ_INT(ag_tmpl_set_check(set, err, sizeof(err)), 0);
    json_t *data = json_pack("{s:s}", "name", "Ann");
    CHECK_EQ_INT(ag_tmpl_render_layout(set, "layout", "page", data, &arena, &out, &len), 0);
    CHECK_EQ_STR(out, "<main>[Ann]</main>");
    CHECK_EQ_INT(ag_tmpl_render(set, "notes", data, &arena, &out, &len), AG_ENOTFOUND);
    CHECK_EQ_INT(ag_tmpl_render(set, "folder", data, &arena, &out, &len), AG_ENOTFOUND);

    /* Loading again: every name is taken; the first in name order is reported. */
    CHECK_EQ_INT(ag_tmpl_set_add_dir(set, dir, err, sizeof(err)), AG_ECONFLICT);
    CHECK_EQ_STR(err, "card.html: template 'card' already exists");
    ag_tmpl_set_free(set);

    /* A syntax error names the file; a file over the limit is refused. */
    CHECK_EQ_INT(write_file(dir, "bad.html", "ok\n{{x", 6), 0);
    set = ag_tmpl_set_new();
    CHECK_EQ_INT(ag_tmpl_set_add_dir(set, dir, err, sizeof(err)), AG_EINVAL);
    CHECK_EQ_STR(err, "bad.html: line 2: unclosed tag");
    ag_tmpl_set_free(set);
    remove_file(dir, "bad.html");

    char *big = ag_xmalloc(AG_TMPL_MAX_FILE + 1);
    memset(big, 'x', AG_TMPL_MAX_FILE + 1);
    CHECK_EQ_INT(write_file(dir, "big.html", big, AG_TMPL_MAX_FILE + 1), 0);
    ag_free(big);
    set = ag_tmpl_set_new();
    CHECK_EQ_INT(ag_tmpl_set_add_dir(set, dir, err, sizeof(err)), AG_ETOOLARGE);
    CHECK_EQ_STR(err, "'big.html' is larger than 262144 bytes");
    ag_tmpl_set_free(set);
    remove_file(dir, "big.html");

    set = ag_tmpl_set_new();
    CHECK_EQ_INT(ag_tmpl_set_add_dir(set, "/nonexistent/ag_tmpl", err, sizeof(err)), AG_ENOTFOUND);
    CHECK_EQ_STR(err,
                 "cannot open template folder '/nonexistent/ag_tmpl': No such file or directory");
    ag_tmpl_set_free(set);

    json_decref(data);
    ag_arena_release(&arena);
    remove_file(dir, "layout.html");
    remove_file(dir, "page.mustache");
    remove_file(dir, "card.html");
    remove_file(dir, "notes.txt");
    remove_file(dir, ".hidden.html");
    CHECK_EQ_INT(rmdir(sub), 0);
    CHECK_EQ_INT(rmdir(dir), 0);
}

/* What each thread of the concurrency test renders, and what it got. */
struct worker {
    const struct ag_tmpl_set *set;
    const json_t *data;
    const char *want;
    int mismatches;
};

static void *
worker_run(void *arg)
{
    struct worker *w = arg;
    struct ag_arena arena;

    ag_arena_init(&arena);
    for (int i = 0; i < 300; i++) {
        char *out = NULL;
        size_t len = 0;
        int rc = ag_tmpl_render_layout(w->set, "layout", "page", w->data, &arena, &out, &len);
        if (rc != 0 || strcmp(out, w->want) != 0) {
            w->mismatches++;
        }
        ag_arena_release(&arena);
    }
    return NULL;
}

TEST(concurrent_render)
{
    const char *layout = "<html>\n  <body>\n    {{> @content}}\n  </body>\n</html>\n";
    const char *page = "<h1>{{title}}</h1>\n<ul>\n  {{#items}}\n  {{>item}}\n  {{/items}}\n</ul>\n"
                       "{{^items}}empty{{/items}}\n";
    const char *item = "<li>{{name}} {{price}} {{{html}}}</li>\n";
    struct ag_tmpl_set *set = ag_tmpl_set_new();
    struct ag_arena arena;
    char *want = NULL;
    size_t len = 0;

    CHECK_EQ_INT(ag_tmpl_set_add(set, "layout", layout, strlen(layout), NULL, 0), 0);
    CHECK_EQ_INT(ag_tmpl_set_add(set, "page", page, strlen(page), NULL, 0), 0);
    CHECK_EQ_INT(ag_tmpl_set_add(set, "item", item, strlen(item), NULL, 0), 0);
    CHECK_EQ_INT(ag_tmpl_set_check(set, NULL, 0), 0);
    json_t *items = json_array();
    for (int i = 0; i < 50; i++) {
        json_array_append_new(items, json_pack("{s:s,s:i,s:s}", "name", "<pen & ink>", "price",
                                               i * 100, "html", "<b>x</b>"));
    }
    json_t *data = json_pack("{s:s,s:o}", "title", "Cart \"1\"", "items", items);
    ag_arena_init(&arena);
    CHECK_EQ_INT(ag_tmpl_render_layout(set, "layout", "page", data, &arena, &want, &len), 0);
    CHECK(strstr(want, "    <h1>Cart &quot;1&quot;</h1>\n") != NULL);
    CHECK(strstr(want, "      <li>&lt;pen &amp; ink&gt; 4900 <b>x</b></li>\n    </ul>\n") != NULL);

    struct worker workers[4];
    pthread_t threads[4];
    for (int i = 0; i < 4; i++) {
        workers[i] = (struct worker){set, data, want, 0};
        CHECK_EQ_INT(pthread_create(&threads[i], NULL, worker_run, &workers[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        CHECK_EQ_INT(pthread_join(threads[i], NULL), 0);
    }
    for (int i = 0; i < 4; i++) {
        CHECK_EQ_INT(workers[i].mismatches, 0);
    }
    json_decref(data);
    ag_arena_release(&arena);
    ag_tmpl_set_free(set);
}

AG_TEST_LIST(TEST_ENTRY(variables_escaped), TEST_ENTRY(variables_raw), TEST_ENTRY(values),
             TEST_ENTRY(dotted_names), TEST_ENTRY(section_list), TEST_ENTRY(section_scalars_dot),
             TEST_ENTRY(section_object), TEST_ENTRY(section_truthy_scalars),
             TEST_ENTRY(section_falsy), TEST_ENTRY(inverted), TEST_ENTRY(nested_lookup_outward),
             TEST_ENTRY(comments), TEST_ENTRY(partials), TEST_ENTRY(layout),
             TEST_ENTRY(layout_indent), TEST_ENTRY(partial_depth_limit), TEST_ENTRY(nesting_limit),
             TEST_ENTRY(section_stack_limit), TEST_ENTRY(syntax_errors), TEST_ENTRY(set_errors),
             TEST_ENTRY(unknown_partial), TEST_ENTRY(output_limit), TEST_ENTRY(step_limit),
             TEST_ENTRY(standalone_lines), TEST_ENTRY(standalone_partials), TEST_ENTRY(add_dir),
             TEST_ENTRY(concurrent_render))
