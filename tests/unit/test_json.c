/*
 * Unit tests of agora/json.h: the bounded parse on hostile input, the typed getters and their
 * messages, ag_utf8_len and ag_json_dump.
 */
#include <string.h>

#include <jansson.h>

#include "agora/err.h"
#include "agora/json.h"
#include "agora/mem.h"

#include "ag_test.h"

/* Parses a literal, embedded NULs and all; returns the code. */
#define PARSE(lit, out, err) ag_json_parse_object((lit), sizeof(lit) - 1, (out), (err))

/* Parses 'lit' and checks it fails with a message starting with 'prefix'. */
#define CHECK_PARSE_FAILS(lit, prefix)                                                             \
    do {                                                                                           \
        json_t *j_ = json_null();                                                                  \
        struct ag_json_err e_ = {{0}, {0}};                                                        \
        CHECK_EQ_INT(PARSE(lit, &j_, &e_), AG_EINVAL);                                             \
        CHECK_NULL(j_);                                                                            \
        CHECK_EQ_STR(e_.field, "");                                                                \
        if (strncmp(e_.message, (prefix), strlen(prefix)) != 0) {                                  \
            AG_TEST_FAIL_("message \"%s\" does not start with \"%s\"", e_.message, (prefix));      \
        }                                                                                          \
    } while (0)

/* A string of 'depth' nested arrays inside an object: {"a":[[…]]}. */
static char *
nested(size_t depth, size_t *len)
{
    char *s = ag_xmalloc(2 * depth + 16);
    size_t n = 0;

    memcpy(s, "{\"a\":", 5);
    n = 5;
    for (size_t i = 1; i < depth; i++) {
        s[n++] = '[';
    }
    for (size_t i = 1; i < depth; i++) {
        s[n++] = ']';
    }
    s[n++] = '}';
    s[n] = '\0';
    *len = n;
    return s;
}

TEST(parse_ok)
{
    json_t *j = NULL;
    struct ag_json_err err;

    CHECK_EQ_INT(PARSE("{\"name\":\"Ann\",\"n\":3,\"ok\":true,\"x\":null}", &j, &err), 0);
    CHECK_NOT_NULL(j);
    CHECK(json_is_object(j));
    CHECK_EQ_INT(json_object_size(j), 4);
    json_decref(j);

    CHECK_EQ_INT(PARSE(" \n{}\t ", &j, &err), 0);
    CHECK_EQ_INT(json_object_size(j), 0);
    json_decref(j);
}

TEST(parse_truncated)
{
    CHECK_PARSE_FAILS("{\"a\":1", "cannot parse body: '}' expected near end of file at line 1");
    CHECK_PARSE_FAILS("{\"a\":\"abc", "cannot parse body: ");
    CHECK_PARSE_FAILS("{", "cannot parse body: ");
    CHECK_PARSE_FAILS("{\"a\"", "cannot parse body: ");
}

TEST(parse_empty)
{
    json_t *j = json_null();
    struct ag_json_err err;

    CHECK_PARSE_FAILS("", "cannot parse body: empty input");
    CHECK_EQ_INT(ag_json_parse_object(NULL, 0, &j, &err), AG_EINVAL);
    CHECK_NULL(j);
    CHECK_PARSE_FAILS("   ", "cannot parse body: ");
}

TEST(parse_not_object)
{
    CHECK_PARSE_FAILS("[1,2,3]", "body must be a JSON object");
    CHECK_PARSE_FAILS("[]", "body must be a JSON object");
    CHECK_PARSE_FAILS("\"str\"", "cannot parse body: ");
    CHECK_PARSE_FAILS("42", "cannot parse body: ");
    CHECK_PARSE_FAILS("null", "cannot parse body: ");
}

TEST(parse_trailing_garbage)
{
    CHECK_PARSE_FAILS("{} x", "cannot parse body: end of file expected");
    CHECK_PARSE_FAILS("{}{}", "cannot parse body: ");
    CHECK_PARSE_FAILS("{\"a\":1}]", "cannot parse body: ");
}

TEST(parse_huge_numbers)
{
    CHECK_PARSE_FAILS("{\"a\":1e999}", "cannot parse body: real number overflow");
    CHECK_PARSE_FAILS("{\"a\":-1e999}", "cannot parse body: ");
    CHECK_PARSE_FAILS("{\"a\":123456789012345678901234567890}",
                      "cannot parse body: too big integer");
    CHECK_PARSE_FAILS("{\"a\":9223372036854775808}", "cannot parse body: too big integer");
    CHECK_PARSE_FAILS("{\"a\":-9223372036854775809}", "cannot parse body: ");

    json_t *j = NULL;
    struct ag_json_err err;
    CHECK_EQ_INT(PARSE("{\"a\":9223372036854775807,\"b\":-9223372036854775808}", &j, &err), 0);
    long long v = 0;
    CHECK_EQ_INT(ag_json_get_int(j, "a", 0, 0, 9223372036854775807LL, &v, NULL, &err), 0);
    CHECK(v == 9223372036854775807LL);
    json_decref(j);
}

TEST(parse_invalid_utf8)
{
    CHECK_PARSE_FAILS("{\"a\":\"\xff\"}", "cannot parse body: unable to decode byte 0xff");
    CHECK_PARSE_FAILS("\xff", "cannot parse body: ");
    CHECK_PARSE_FAILS("{\"a\":\"\xc0\x80\"}", "cannot parse body: ");     /* overlong NUL */
    CHECK_PARSE_FAILS("{\"a\":\"\xed\xa0\x80\"}", "cannot parse body: "); /* surrogate */
    CHECK_PARSE_FAILS("{\"a\":\"\xf4\x90\x80\x80\"}", "cannot parse body: ");
    CHECK_PARSE_FAILS("{\"\xff\":1}", "cannot parse body: ");
    CHECK_PARSE_FAILS("{\"a\":\"\\ud800\"}", "cannot parse body: invalid Unicode");

    /* The message never carries the raw bytes of the input. */
    json_t *j = NULL;
    struct ag_json_err err;
    CHECK_EQ_INT(PARSE("{\"a\":1,\xc3\xa9\xff}", &j, &err), AG_EINVAL);
    for (const char *p = err.message; *p != '\0'; p++) {
        CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
    }
}

TEST(parse_nul_escape)
{
    CHECK_PARSE_FAILS("{\"a\":\"x\\u0000y\"}", "cannot parse body: \\u0000 is not allowed");
    CHECK_PARSE_FAILS("{\"a\\u0000\":1}", "cannot parse body: ");
}

TEST(parse_duplicate_keys)
{
    CHECK_PARSE_FAILS("{\"a\":1,\"a\":2}", "cannot parse body: duplicate object key");
    CHECK_PARSE_FAILS("{\"o\":{\"k\":1,\"k\":1}}", "cannot parse body: duplicate object key");
}

TEST(parse_depth)
{
    json_t *j = NULL;
    struct ag_json_err err;
    size_t len;

    char *ok = nested(AG_JSON_MAX_DEPTH, &len);
    CHECK_EQ_INT(ag_json_parse_object(ok, len, &j, &err), 0);
    json_decref(j);
    ag_free(ok);

    char *deep = nested(AG_JSON_MAX_DEPTH + 1, &len);
    int rc = ag_json_parse_object(deep, len, &j, &err);
    ag_free(deep);
    CHECK_EQ_INT(rc, AG_EINVAL);
    CHECK_NULL(j);
    CHECK_EQ_STR(err.message, "cannot parse body: nested deeper than 32 levels");

    /* Far deeper than jansson's own limit: refused before jansson recurses. */
    char *very = nested(100000, &len);
    rc = ag_json_parse_object(very, len, &j, &err);
    ag_free(very);
    CHECK_EQ_INT(rc, AG_EINVAL);

    /* Brackets inside strings, escaped quotes included, do not count. */
    static const char in_str[] = "{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[[[[[[[\","
                                 "\"b\":\"{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{\\\\\"}";
    CHECK_EQ_INT(PARSE(in_str, &j, &err), 0);
    json_decref(j);
}

TEST(parse_oversized)
{
    /* A 1 MiB string value parses (the HTTP layer limits bodies), the getter bounds it. */
    size_t n = 1 << 20;
    char *xs = ag_xmalloc(n + 1);
    memset(xs, 'x', n);
    xs[n] = '\0';
    char *big = ag_xmalloc(n + 16);
    int blen = snprintf(big, n + 16, "{\"a\":\"%s\"}", xs);
    ag_free(xs);
    json_t *j = NULL;
    struct ag_json_err err;
    int rc = ag_json_parse_object(big, (size_t)blen, &j, &err);
    ag_free(big);
    CHECK_EQ_INT(blen, n + 8);
    CHECK_EQ_INT(rc, 0);
    struct ag_str s;
    CHECK_EQ_INT(ag_json_get_str(NULL, j, "a", 0, 1, 100, &s, &err), AG_EINVAL);
    CHECK_EQ_STR(err.message, "'a' must be 1..100 characters");
    CHECK_EQ_INT(ag_json_get_str(NULL, j, "a", 0, 1, n, &s, &err), 0);
    CHECK_EQ_INT(s.len, n);
    json_decref(j);
}

TEST(get_str)
{
    struct ag_arena arena;
    json_t *j = NULL;
    struct ag_json_err err;
    struct ag_str s;

    ag_arena_init(&arena);
    CHECK_EQ_INT(PARSE("{\"name\":\"J\xc3\xbcrgen\",\"n\":5,\"nul\":null,\"e\":\"\","
                       "\"pad\":\" \\t Ann \\t\",\"tab\":\"a\\tb\",\"del\":\"a\\u007fb\","
                       "\"nl\":\"a\\nb\",\"emoji\":\"\xf0\x9f\x98\x80\"}",
                       &j, &err),
                 0);

    CHECK_EQ_INT(ag_json_get_str(&arena, j, "name", AG_JSON_REQUIRED, 1, 6, &s, &err), 0);
    CHECK_EQ_MEM(s.ptr, s.len, "J\xc3\xbcrgen", 7);
    /* 6 code points, 7 bytes. */
    CHECK_EQ_INT(ag_json_get_str(&arena, j, "name", 0, 1, 5, &s, &err), AG_EINVAL);
    CHECK_EQ_STR(err.field, "name");
    CHECK_EQ_STR(err.message, "'name' must be 1..5 characters");
    CHECK_EQ_INT(ag_json_get_str(&arena, j, "emoji", 0, 1, 1, &s, &err), 0);
    CHECK_EQ_INT(s.len, 4);

    CHECK_EQ_INT(ag_json_get_str(&arena, j, "n", 0, 0, 10, &s, &err), AG_EINVAL);
    CHECK_EQ_STR(err.message, "'n' must be a string");

    CHECK_EQ_INT(ag_json_get_str(&arena, j, "missing", AG_JSON_REQUIRED, 0, 10, &s, &err),
                 AG_EINVAL);
    CHECK_EQ_STR(err.field, "missing");
    CHECK_EQ_STR(err.message, "'missing' is required");
    CHECK_EQ_INT(ag_json_get_str(&arena, j, "nul", AG_JSON_REQUIRED, 0, 10, &s, &err), AG_EINVAL);
    CHECK_EQ_STR(err.message, "'nul' is required");

    s = AG_STR("junk");
    CHECK_EQ_INT(ag_json_get_str(&arena, j, "missing", 0, 1, 10, &s, &err), 0);
    CHECK_NULL(s.ptr);
    CHECK_EQ_INT(s.len, 0);
    CHECK_EQ_INT(ag_json_get_str(&arena, j, "nul", 0, 1, 10, &s, &err), 0);
    CHECK_NULL(s.ptr);

    CHECK_EQ_INT(ag_json_get_str(&arena, j, "e", 0, 0, 10, &s, &err), 0);
    CHECK_NOT_NULL(s.ptr);
    CHECK_EQ_INT(s.len, 0);
    CHECK_EQ_INT(ag_json_get_str(&arena, j, "e", 0, 1, 10, &s, &err), AG_EINVAL);

    /* Trimming: spaces and tabs at both ends go, the copy is NUL-terminated in the arena. */
    CHECK_EQ_INT(ag_json_get_str(&arena, j, "pad", AG_JSON_TRIM, 1, 3, &s, &err), 0);
    CHECK_EQ_MEM(s.ptr, s.len, "Ann", 3);
    CHECK_EQ_INT(s.ptr[3], '\0');
    CHECK(arena.total > 0);
    /* Untrimmed, the tabs are control characters. */
    CHECK_EQ_INT(ag_json_get_str(&arena, j, "pad", 0, 0, 100, &s, &err), AG_EINVAL);
    CHECK_EQ_STR(err.message, "'pad' must not contain control characters");
    /* Nothing to trim: borrowed, no copy. */
    size_t before = arena.total;
    CHECK_EQ_INT(ag_json_get_str(&arena, j, "name", AG_JSON_TRIM, 1, 10, &s, &err), 0);
    CHECK_EQ_INT(arena.total, before);
    CHECK(s.ptr == json_string_value(json_object_get(j, "name")));
    /* Trimming to empty respects min. */
    json_object_set_new(j, "blank", json_string("  \t "));
    CHECK_EQ_INT(ag_json_get_str(&arena, j, "blank", AG_JSON_TRIM, 1, 10, &s, &err), AG_EINVAL);
    CHECK_EQ_STR(err.message, "'blank' must be 1..10 characters");

    CHECK_EQ_INT(ag_json_get_str(&arena, j, "tab", 0, 0, 10, &s, &err), AG_EINVAL);
    CHECK_EQ_INT(ag_json_get_str(&arena, j, "del", 0, 0, 10, &s, &err), AG_EINVAL);
    CHECK_EQ_INT(ag_json_get_str(&arena, j, "nl", AG_JSON_TRIM, 0, 10, &s, &err), AG_EINVAL);
    CHECK_EQ_STR(err.message, "'nl' must not contain control characters");

    /* A NUL inside a string jansson holds (built, not parsed) is refused, not cut short. */
    json_object_set_new(j, "zero", json_stringn("ab\0cd", 5));
    CHECK_EQ_INT(ag_json_get_str(&arena, j, "zero", 0, 0, 10, &s, &err), AG_EINVAL);
    CHECK_EQ_STR(err.message, "'zero' must not contain control characters");

    /* A non-object does not crash the getters. */
    json_t *arr = json_array();
    CHECK_EQ_INT(ag_json_get_str(&arena, arr, "x", AG_JSON_REQUIRED, 0, 1, &s, &err), AG_EINVAL);
    json_decref(arr);

    json_decref(j);
    ag_arena_release(&arena);
}

TEST(get_int)
{
    json_t *j = NULL;
    struct ag_json_err err;
    long long v = -7;
    int present = -1;

    CHECK_EQ_INT(PARSE("{\"quantity\":5,\"real\":1.5,\"exp\":1e3,\"whole\":2.0,\"s\":\"5\","
                       "\"neg\":-3,\"nul\":null,\"b\":true}",
                       &j, &err),
                 0);
    CHECK_EQ_INT(ag_json_get_int(j, "quantity", AG_JSON_REQUIRED, 1, 999, &v, &present, &err), 0);
    CHECK_EQ_INT(v, 5);
    CHECK_EQ_INT(present, 1);
    /* Bounds are inclusive. */
    CHECK_EQ_INT(ag_json_get_int(j, "quantity", 0, 5, 5, &v, NULL, &err), 0);
    CHECK_EQ_INT(ag_json_get_int(j, "quantity", 0, 6, 999, &v, NULL, &err), AG_EINVAL);
    CHECK_EQ_STR(err.field, "quantity");
    CHECK_EQ_STR(err.message, "'quantity' must be an integer 6..999");
    CHECK_EQ_INT(ag_json_get_int(j, "quantity", 0, 1, 4, &v, NULL, &err), AG_EINVAL);
    CHECK_EQ_INT(ag_json_get_int(j, "neg", 0, -3, -3, &v, NULL, &err), 0);
    CHECK_EQ_INT(v, -3);

    CHECK_EQ_INT(ag_json_get_int(j, "real", 0, 1, 999, &v, NULL, &err), AG_EINVAL);
    CHECK_EQ_STR(err.message, "'real' must be an integer 1..999");
    CHECK_EQ_INT(ag_json_get_int(j, "exp", 0, 1, 9999, &v, NULL, &err), AG_EINVAL);
    CHECK_EQ_INT(ag_json_get_int(j, "whole", 0, 1, 9999, &v, NULL, &err), AG_EINVAL);
    CHECK_EQ_INT(ag_json_get_int(j, "s", 0, 1, 9999, &v, NULL, &err), AG_EINVAL);
    CHECK_EQ_INT(ag_json_get_int(j, "b", 0, 0, 1, &v, NULL, &err), AG_EINVAL);

    v = 42;
    CHECK_EQ_INT(ag_json_get_int(j, "absent", 0, 1, 9, &v, &present, &err), 0);
    CHECK_EQ_INT(present, 0);
    CHECK_EQ_INT(v, 42);
    CHECK_EQ_INT(ag_json_get_int(j, "nul", 0, 1, 9, &v, &present, &err), 0);
    CHECK_EQ_INT(present, 0);
    CHECK_EQ_INT(ag_json_get_int(j, "nul", AG_JSON_REQUIRED, 1, 9, &v, &present, &err), AG_EINVAL);
    CHECK_EQ_STR(err.message, "'nul' is required");
    json_decref(j);
}

TEST(get_bool)
{
    json_t *j = NULL;
    struct ag_json_err err;
    int v = -1;
    int present = -1;

    CHECK_EQ_INT(PARSE("{\"t\":true,\"f\":false,\"one\":1,\"s\":\"true\"}", &j, &err), 0);
    CHECK_EQ_INT(ag_json_get_bool(j, "t", AG_JSON_REQUIRED, &v, &present, &err), 0);
    CHECK_EQ_INT(v, 1);
    CHECK_EQ_INT(present, 1);
    CHECK_EQ_INT(ag_json_get_bool(j, "f", 0, &v, NULL, &err), 0);
    CHECK_EQ_INT(v, 0);
    CHECK_EQ_INT(ag_json_get_bool(j, "one", 0, &v, NULL, &err), AG_EINVAL);
    CHECK_EQ_STR(err.message, "'one' must be true or false");
    CHECK_EQ_INT(ag_json_get_bool(j, "s", 0, &v, NULL, &err), AG_EINVAL);
    CHECK_EQ_INT(ag_json_get_bool(j, "absent", 0, &v, &present, &err), 0);
    CHECK_EQ_INT(present, 0);
    CHECK_EQ_INT(ag_json_get_bool(j, "absent", AG_JSON_REQUIRED, &v, &present, &err), AG_EINVAL);
    CHECK_EQ_STR(err.message, "'absent' is required");
    json_decref(j);
}

TEST(only_keys)
{
    static const char *const allowed[] = {"email", "name", "password", NULL};
    static const char *const none[] = {NULL};
    json_t *j = NULL;
    struct ag_json_err err;

    CHECK_EQ_INT(PARSE("{\"email\":\"a@b.c\",\"name\":\"A\"}", &j, &err), 0);
    CHECK_EQ_INT(ag_json_only_keys(j, allowed, &err), 0);
    CHECK_EQ_INT(ag_json_only_keys(j, none, &err), AG_EINVAL);
    json_decref(j);

    CHECK_EQ_INT(PARSE("{\"name\":\"A\",\"emial\":\"a@b.c\",\"zzz\":1}", &j, &err), 0);
    CHECK_EQ_INT(ag_json_only_keys(j, allowed, &err), AG_EINVAL);
    CHECK_EQ_STR(err.field, "emial");
    CHECK_EQ_STR(err.message, "unknown field 'emial'");
    json_decref(j);

    /* An empty object passes any list. */
    CHECK_EQ_INT(PARSE("{}", &j, &err), 0);
    CHECK_EQ_INT(ag_json_only_keys(j, none, &err), 0);
    json_decref(j);

    /* A hostile key is cut short and kept printable in the message. */
    CHECK_EQ_INT(
        PARSE("{\"a\\n\\\"b\xc3\xa9xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\":1}",
              &j, &err),
        0);
    CHECK_EQ_INT(ag_json_only_keys(j, allowed, &err), AG_EINVAL);
    CHECK(strncmp(err.message, "unknown field 'a?\"b??xxx", 24) == 0);
    CHECK(strlen(err.field) < sizeof(err.field));
    json_decref(j);
}

TEST(err_set)
{
    struct ag_json_err err;

    ag_json_err_set(&err, "f", "'%s' must be %d..%d", "f", 1, 2);
    CHECK_EQ_STR(err.field, "f");
    CHECK_EQ_STR(err.message, "'f' must be 1..2");
    ag_json_err_set(&err, NULL, "body");
    CHECK_EQ_STR(err.field, "");
    ag_json_err_set(NULL, "f", "no crash");

    /* Long text is cut, never overflows. */
    char longname[200];
    memset(longname, 'n', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    ag_json_err_set(&err, longname, "%s %s", longname, longname);
    CHECK_EQ_INT(strlen(err.field), sizeof(err.field) - 1);
    CHECK_EQ_INT(strlen(err.message), sizeof(err.message) - 1);
}

TEST(utf8_len)
{
#define U8(lit) ag_utf8_len((lit), sizeof(lit) - 1)
    CHECK_EQ_INT(U8(""), 0);
    CHECK_EQ_INT(U8("abc"), 3);
    CHECK_EQ_INT(U8("\xc3\xa9"), 1);          /* é */
    CHECK_EQ_INT(U8("\xe2\x82\xac"), 1);      /* € */
    CHECK_EQ_INT(U8("\xf0\x9f\x98\x80!"), 2); /* 😀! */
    CHECK_EQ_INT(U8("\xf4\x8f\xbf\xbf"), 1);  /* U+10FFFF */
    CHECK_EQ_INT(U8("\xef\xbf\xbf"), 1);      /* U+FFFF */
    CHECK_EQ_INT(U8("\xed\x9f\xbf"), 1);      /* U+D7FF */
    CHECK_EQ_INT(U8("\xee\x80\x80"), 1);      /* U+E000 */
    CHECK_EQ_INT(U8("a\0b"), 3);              /* NUL is valid UTF-8; getters refuse it */
    CHECK(U8("\xff") == (size_t)-1);          /* never valid */
    CHECK(U8("\xfe") == (size_t)-1);
    CHECK(U8("\x80") == (size_t)-1);             /* lone continuation */
    CHECK(U8("\xc0\x80") == (size_t)-1);         /* overlong NUL */
    CHECK(U8("\xc1\xbf") == (size_t)-1);         /* overlong */
    CHECK(U8("\xe0\x80\xaf") == (size_t)-1);     /* overlong '/' */
    CHECK(U8("\xe0\x9f\xbf") == (size_t)-1);     /* overlong U+07FF */
    CHECK(U8("\xf0\x8f\xbf\xbf") == (size_t)-1); /* overlong U+FFFF */
    CHECK(U8("\xed\xa0\x80") == (size_t)-1);     /* U+D800 */
    CHECK(U8("\xed\xbf\xbf") == (size_t)-1);     /* U+DFFF */
    CHECK(U8("\xf4\x90\x80\x80") == (size_t)-1); /* U+110000 */
    CHECK(U8("\xf5\x80\x80\x80") == (size_t)-1);
    CHECK(U8("\xc3") == (size_t)-1); /* truncated */
    CHECK(U8("\xe2\x82") == (size_t)-1);
    CHECK(U8("\xf0\x9f\x98") == (size_t)-1);
    CHECK(U8("a\xc3(") == (size_t)-1); /* bad continuation */
    CHECK(U8("\xe2\x28\xa1") == (size_t)-1);
    /* Only 'n' bytes are read: a sequence cut by 'n' is truncated. */
    CHECK(ag_utf8_len("\xc3\xa9", 1) == (size_t)-1);
    CHECK_EQ_INT(ag_utf8_len("abc", 2), 2);
#undef U8
}

TEST(dump)
{
    struct ag_arena arena;
    size_t len = 0;

    ag_arena_init(&arena);
    json_t *j = json_pack("{s:s, s:i, s:b, s:n}", "a", "x\"y", "n", 5, "t", 1, "z");
    char *s = ag_json_dump(&arena, j, &len);
    CHECK_EQ_STR(s, "{\"a\":\"x\\\"y\",\"n\":5,\"t\":true,\"z\":null}");
    CHECK_EQ_INT(len, strlen(s));
    json_decref(j);

    /* Larger than the first 1 KiB try. */
    json_t *arr = json_array();
    for (int i = 0; i < 2000; i++) {
        json_array_append_new(arr, json_integer(i));
    }
    s = ag_json_dump(&arena, arr, &len);
    CHECK_EQ_INT(len, strlen(s));
    CHECK(len > 1024);
    CHECK(strncmp(s, "[0,1,2,", 7) == 0);
    CHECK(strcmp(s + len - 10, "1998,1999]") == 0);
    json_decref(arr);

    /* Exactly at the edge: 1023 and 1024 bytes of output. */
    for (size_t want = 1020; want <= 1030; want++) {
        char *text = ag_xmalloc(want);
        memset(text, 'q', want - 2);
        json_t *str = json_stringn(text, want - 2); /* output is the string plus two quotes */
        ag_free(text);
        s = ag_json_dump(&arena, str, &len);
        json_decref(str);
        CHECK_EQ_INT(len, want);
        CHECK_EQ_INT(strlen(s), want);
    }

    /* Scalars and NULL: never NULL back. */
    json_t *num = json_integer(7);
    CHECK_EQ_STR(ag_json_dump(&arena, num, NULL), "7");
    json_decref(num);
    s = ag_json_dump(&arena, NULL, &len);
    CHECK_NOT_NULL(s);
    CHECK_EQ_INT(len, 0);
    ag_arena_release(&arena);
}

TEST(strn)
{
    json_t *s = ag_json_strn("abcdef", 3);
    CHECK_NOT_NULL(s);
    CHECK_EQ_STR(json_string_value(s), "abc");
    CHECK_EQ_INT(json_string_length(s), 3);
    json_decref(s);

    s = ag_json_strn("a\0b", 3);
    CHECK_NOT_NULL(s);
    CHECK_EQ_INT(json_string_length(s), 3);
    json_decref(s);

    s = ag_json_strn(NULL, 0);
    CHECK_NOT_NULL(s);
    CHECK_EQ_STR(json_string_value(s), "");
    json_decref(s);

    CHECK_NULL(ag_json_strn("\xff", 1));
}

AG_TEST_LIST(TEST_ENTRY(parse_ok), TEST_ENTRY(parse_truncated), TEST_ENTRY(parse_empty),
             TEST_ENTRY(parse_not_object), TEST_ENTRY(parse_trailing_garbage),
             TEST_ENTRY(parse_huge_numbers), TEST_ENTRY(parse_invalid_utf8),
             TEST_ENTRY(parse_nul_escape), TEST_ENTRY(parse_duplicate_keys),
             TEST_ENTRY(parse_depth), TEST_ENTRY(parse_oversized), TEST_ENTRY(get_str),
             TEST_ENTRY(get_int), TEST_ENTRY(get_bool), TEST_ENTRY(only_keys), TEST_ENTRY(err_set),
             TEST_ENTRY(utf8_len), TEST_ENTRY(dump), TEST_ENTRY(strn))
