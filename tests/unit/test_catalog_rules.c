/*
 * Unit tests of the catalog service's rules (services/catalog/catalog.c and cache.c): slugs,
 * ids, order ids, image URLs, sorts, reservation items and their fingerprint, the category
 * tree, JSON compaction, and the micro-cache.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ag_test.h"

#include "agora/err.h"
#include "agora/mem.h"

#include "catalog.h"

static struct ag_str
S(const char *s) {
    return (struct ag_str){s, strlen(s)};
}

TEST(slugs)
{
    const char *why;
    static const char *const good[] = {"a", "shoes", "haneul-running-shoes", "tv-55", "4k-tv"};
    static const char *const bad[] = {"",    "-a",  "a-",    "a--b", "Shoes", "한글",
                                      "a_b", "a b", "12345", "a/b",  "a.b"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        CHECK_EQ_INT(catalog_slug_check(S(good[i]), &why), 0);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_EQ_INT(catalog_slug_check(S(bad[i]), &why), AG_EINVAL);
    }
    char long_slug[82];
    memset(long_slug, 'a', 81);
    long_slug[81] = '\0';
    CHECK_EQ_INT(catalog_slug_check(S(long_slug), &why), AG_EINVAL);
    long_slug[80] = '\0';
    CHECK_EQ_INT(catalog_slug_check(S(long_slug), &why), 0);
}

TEST(ids_and_order_ids)
{
    const char *why;
    CHECK(catalog_ref_is_id(S("1")));
    CHECK(catalog_ref_is_id(S("123456789012345678")));
    CHECK(!catalog_ref_is_id(S("1234567890123456789"))); /* past bigint's safe digits */
    CHECK(!catalog_ref_is_id(S("12a")));
    CHECK(!catalog_ref_is_id(S("")));
    CHECK_EQ_INT(catalog_order_id_check(S("ord_01-AB"), &why), 0);
    CHECK_EQ_INT(catalog_order_id_check(S("bad id"), &why), AG_EINVAL);
    CHECK_EQ_INT(catalog_order_id_check(S(""), &why), AG_EINVAL);
}

TEST(image_urls)
{
    const char *why;
    static const char *const good[] = {"/static/img/p/x-1.svg", "https://cdn.example.com/a.png"};
    static const char *const bad[] = {"javascript:alert(1)",
                                      "data:image/png;base64,AA",
                                      "//evil.example/x.png",
                                      "http://plain.example/x.png",
                                      "/a\"onerror=\"x",
                                      "/a b",
                                      "",
                                      "/a<script>"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        CHECK_EQ_INT(catalog_image_url_check(S(good[i]), &why), 0);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_EQ_INT(catalog_image_url_check(S(bad[i]), &why), AG_EINVAL);
    }
}

TEST(sorts)
{
    enum catalog_sort s;
    CHECK_EQ_INT(catalog_sort_parse("-price", &s), 0);
    CHECK_EQ_INT(s, CATALOG_SORT_PRICE_DESC);
    CHECK_EQ_INT(catalog_sort_parse("popular", &s), 0);
    CHECK_EQ_INT(s, CATALOG_SORT_POPULAR);
    CHECK_EQ_INT(catalog_sort_parse("newest", &s), AG_EINVAL);
    CHECK_EQ_INT(catalog_sort_parse("", &s), AG_EINVAL);
}

TEST(items_sorted_deduplicated_fingerprinted)
{
    const char *why;
    struct reservation_item a[] = {{30, 1}, {10, 2}, {20, 3}};
    struct reservation_item b[] = {{20, 3}, {30, 1}, {10, 2}};
    struct reservation_item c[] = {{10, 2}, {20, 3}, {30, 2}};
    char fa[65], fb[65], fc[65];

    CHECK_EQ_INT(catalog_items_normalize(a, 3, &why), 0);
    CHECK_EQ_INT(a[0].product_id, 10);
    CHECK_EQ_INT(a[2].product_id, 30);
    CHECK_EQ_INT(catalog_items_normalize(b, 3, &why), 0);
    CHECK_EQ_INT(catalog_items_normalize(c, 3, &why), 0);
    catalog_items_fingerprint(a, 3, fa);
    catalog_items_fingerprint(b, 3, fb);
    catalog_items_fingerprint(c, 3, fc);
    CHECK_EQ_STR(fa, fb); /* the order of the items does not matter */
    CHECK(strcmp(fa, fc) != 0);
    struct reservation_item d[] = {{5, 1}, {5, 2}};
    CHECK_EQ_INT(catalog_items_normalize(d, 2, &why), AG_EINVAL);
}

TEST(category_tree_sums_counts)
{
    json_t *rows = json_loads("[{\"id\":1,\"parentId\":null,\"productCount\":1},"
                              "{\"id\":2,\"parentId\":null,\"productCount\":0},"
                              "{\"id\":3,\"parentId\":1,\"productCount\":2},"
                              "{\"id\":4,\"parentId\":1,\"productCount\":0},"
                              "{\"id\":5,\"parentId\":3,\"productCount\":4}]",
                              0, NULL);
    json_t *top = catalog_tree_build(rows);
    CHECK_EQ_INT(json_array_size(top), 2);
    json_t *one = json_array_get(top, 0);
    CHECK_EQ_INT(json_integer_value(json_object_get(one, "productCount")), 7);
    json_t *kids = json_object_get(one, "children");
    CHECK_EQ_INT(json_array_size(kids), 2);
    CHECK_EQ_INT(json_integer_value(json_object_get(json_array_get(kids, 0), "id")), 3);
    CHECK_EQ_INT(json_integer_value(json_object_get(json_array_get(kids, 0), "productCount")), 6);
    CHECK_EQ_INT(json_integer_value(json_object_get(json_array_get(top, 1), "productCount")), 0);
    json_decref(top);
    json_decref(rows);
}

TEST(json_compact_keeps_strings)
{
    const char *in = "{\"a\" : 1, \"b\" : \"x : y, \\\" z\", \"c\" : [1, 2]}";
    char out[128];
    size_t n = catalog_json_compact(out, in, strlen(in));
    out[n] = '\0';
    CHECK_EQ_STR(out, "{\"a\":1,\"b\":\"x : y, \\\" z\",\"c\":[1,2]}");
}

TEST(micro_cache)
{
    struct ag_arena a;
    const char *body;
    size_t len;

    ag_arena_init(&a);
    CHECK(catalog_cache_new(0) == NULL); /* a TTL of 0: no cache, and NULL works everywhere */
    CHECK_EQ_INT(catalog_cache_get(NULL, &a, S("x"), &body, &len), AG_ENOTFOUND);
    struct catalog_cache *c = catalog_cache_new(200);
    CHECK_EQ_INT(catalog_cache_get(c, &a, S("mug"), &body, &len), AG_ENOTFOUND);
    catalog_cache_put(c, catalog_cache_generation(c), S("mug"), "{\"id\":1}", 8);
    CHECK_EQ_INT(catalog_cache_get(c, &a, S("mug"), &body, &len), 0);
    CHECK_EQ_INT(len, 8);
    CHECK_EQ_STR(body, "{\"id\":1}");
    CHECK_EQ_INT(catalog_cache_get(c, &a, S("mu"), &body, &len), AG_ENOTFOUND);
    catalog_cache_clear(c); /* a write: everything goes */
    CHECK_EQ_INT(catalog_cache_get(c, &a, S("mug"), &body, &len), AG_ENOTFOUND);
    /* A read that began before a write does not put its (older) answer. */
    unsigned long before = catalog_cache_generation(c);
    catalog_cache_clear(c);
    catalog_cache_put(c, before, S("mug"), "{\"id\":0}", 8);
    CHECK_EQ_INT(catalog_cache_get(c, &a, S("mug"), &body, &len), AG_ENOTFOUND);
    catalog_cache_put(c, catalog_cache_generation(c), S("mug"), "{\"id\":2}", 8);
    CHECK_EQ_INT(catalog_cache_get(c, &a, S("mug"), &body, &len), 0);
    usleep(250 * 1000); /* past the TTL */
    CHECK_EQ_INT(catalog_cache_get(c, &a, S("mug"), &body, &len), AG_ENOTFOUND);
    catalog_cache_free(c);
    catalog_cache_free(NULL);
    ag_arena_release(&a);
}

int
main(int argc, char **argv)
{
    static const struct ag_test tests[] = {
        TEST_ENTRY(slugs),
        TEST_ENTRY(ids_and_order_ids),
        TEST_ENTRY(image_urls),
        TEST_ENTRY(sorts),
        TEST_ENTRY(items_sorted_deduplicated_fingerprinted),
        TEST_ENTRY(category_tree_sums_counts),
        TEST_ENTRY(json_compact_keeps_strings),
        TEST_ENTRY(micro_cache),
    };
    return ag_test_main_(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
