/*
 * The catalog API against the real catalog service, PostgreSQL (full-text search, pg_trgm),
 * Redis and the gateway of the test stack, with the demo catalogue loaded by scripts/stack:
 * search relevance, filters, sorts, pagination, caching headers, admin-only writes, and stock
 * reservations (all or nothing, idempotent, expiring, never oversold).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ag_test.h"
#include "itest.h"

#include "agora/mem.h"

static char url_buf[1024];

static const char *at(const char *svc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The URL of a printf-formatted path on service 'svc' ("CATALOG", "GATEWAY"); valid until the
 * next call. */
static const char *
at(const char *svc, const char *fmt, ...)
{
    char path[800];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    snprintf(url_buf, sizeof(url_buf), "%s%s", it_url(svc), path);
    return url_buf;
}

static json_t *
data(const struct it_resp *r)
{
    return json_object_get(r->json, "data");
}

static json_int_t
int_at(const json_t *obj, const char *a, const char *b)
{
    const json_t *v = json_object_get(obj, a);
    return json_integer_value(b != NULL ? json_object_get(v, b) : v);
}

/* GET /api/products?<query> through the gateway (the public way in). */
static void
list(struct it_resp *r, const char *query)
{
    it_request(r, "GET", at("GATEWAY", "/api/products?%s", query), NULL, NULL, NULL, NULL);
}

static const char *
item_slug(const struct it_resp *r, size_t i)
{
    json_t *items = json_object_get(data(r), "items");
    return json_string_value(json_object_get(json_array_get(items, i), "slug"));
}

static int
items_have(const struct it_resp *r, const char *slug)
{
    json_t *items = json_object_get(data(r), "items");
    for (size_t i = 0; i < json_array_size(items); i++) {
        if (strcmp(json_string_value(json_object_get(json_array_get(items, i), "slug")), slug) ==
            0) {
            return 1;
        }
    }
    return 0;
}

/* What the shopper pays for item 'i'. */
static json_int_t
item_pays(const struct it_resp *r, size_t i)
{
    json_t *p = json_array_get(json_object_get(data(r), "items"), i);
    json_t *sale = json_object_get(p, "salePrice");
    return json_is_integer(sale) ? json_integer_value(sale)
                                 : json_integer_value(json_object_get(p, "price"));
}

/* An active product made for one test, with 'stock' units; its id. */
static long long
product_make(const char *admin, const char *prefix, long long price, long long stock, char *slug,
             size_t size)
{
    struct it_resp r;
    char body[512];

    it_unique(slug, size, prefix);
    snprintf(body, sizeof(body),
             "{\"slug\":\"%s\",\"name\":\"테스트 %s\",\"nameEn\":\"Test %s\",\"price\":%lld,"
             "\"status\":\"active\",\"category\":\"shoes\",\"stock\":%lld}",
             slug, slug, slug, price, stock);
    it_request(&r, "POST", at("CATALOG", "/api/products"), admin, NULL, body, NULL);
    long long id = r.status == 201 ? (long long)int_at(data(&r), "id", NULL) : -1;
    if (r.status != 201) {
        fprintf(stderr, "product_make: %ld %s\n", r.status, r.body);
    }
    it_resp_free(&r);
    return id;
}

static long long
available(long long id)
{
    struct it_resp r;
    char *admin = it_token("root", "admin", 600);
    it_request(&r, "GET", at("CATALOG", "/api/products/%lld/stock", id), admin, NULL, NULL, NULL);
    long long n = r.status == 200 ? (long long)int_at(data(&r), "available", NULL) : -1;
    it_resp_free(&r);
    ag_free(admin);
    return n;
}

static long
reserve(const char *order_id, const char *items, const char *extra, struct it_resp *r)
{
    char body[2048], auth[300];
    const char *headers[] = {auth, NULL};
    snprintf(auth, sizeof(auth), "X-Internal-Token: %s", it_internal_token());
    snprintf(body, sizeof(body), "{\"orderId\":\"%s\",\"items\":%s%s}", order_id, items,
             extra != NULL ? extra : "");
    it_request(r, "POST", at("CATALOG", "/internal/reservations"), NULL, NULL, body, headers);
    return r->status;
}

static long
internal_call(const char *method, const char *path, struct it_resp *r)
{
    char auth[300];
    const char *headers[] = {auth, NULL};
    snprintf(auth, sizeof(auth), "X-Internal-Token: %s", it_internal_token());
    it_request(r, method, at("CATALOG", "%s", path), NULL, NULL, NULL, headers);
    return r->status;
}

TEST(search_finds_demo_products_in_korean_and_english)
{
    struct it_resp r;

    /* Two Korean words: the product whose name holds both ranks first. */
    list(&r, "q=%EB%AC%B4%EC%84%A0%20%EC%9D%B4%EC%96%B4%ED%8F%B0"); /* 무선 이어폰 */
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_STR(item_slug(&r, 0), "sori-wireless-earbuds");
    it_resp_free(&r);
    list(&r, "q=running%20shoes");
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_STR(item_slug(&r, 0), "haneul-running-shoes");
    it_resp_free(&r);
    /* A word with a particle (러닝화를) still finds it, through trigram similarity. */
    list(&r, "q=%EB%9F%AC%EB%8B%9D%ED%99%94%EB%A5%BC");
    CHECK_EQ_INT(r.status, 200);
    CHECK(items_have(&r, "haneul-running-shoes"));
    it_resp_free(&r);
    /* Case does not matter, brand names count. */
    list(&r, "q=SORI");
    CHECK_EQ_STR(item_slug(&r, 0), "sori-wireless-earbuds");
    it_resp_free(&r);
    /* Nothing matches nonsense; drafts never show. */
    list(&r, "q=zzqxjv%20wqpz");
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_INT(int_at(data(&r), "total", NULL), 0);
    CHECK_EQ_INT(json_array_size(json_object_get(data(&r), "items")), 0);
    it_resp_free(&r);
    list(&r, "q=draft&size=100");
    json_t *items = json_object_get(data(&r), "items");
    for (size_t i = 0; i < json_array_size(items); i++) {
        CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(items, i), "status")),
                     "active");
    }
    it_resp_free(&r);
}

TEST(filters_category_and_price)
{
    struct it_resp r;

    /* A top-level category includes its sub-categories. */
    list(&r, "category=fashion&size=100");
    CHECK_EQ_INT(r.status, 200);
    CHECK(items_have(&r, "haneul-running-shoes"));
    CHECK(!items_have(&r, "sori-wireless-earbuds"));
    it_resp_free(&r);
    list(&r, "category=electronics&size=100");
    CHECK(items_have(&r, "sori-wireless-earbuds"));
    CHECK(!items_have(&r, "haneul-running-shoes"));
    it_resp_free(&r);
    /* Price bounds are inclusive and apply to what the shopper pays (99,000 on sale). */
    list(&r, "minPrice=99000&maxPrice=99000&size=100");
    CHECK(items_have(&r, "sori-wireless-earbuds"));
    for (size_t i = 0; i < json_array_size(json_object_get(data(&r), "items")); i++) {
        CHECK_EQ_INT(item_pays(&r, i), 99000);
    }
    it_resp_free(&r);
    list(&r, "minPrice=99001&q=sori");
    CHECK(!items_have(&r, "sori-wireless-earbuds"));
    it_resp_free(&r);
    list(&r, "minPrice=10000&maxPrice=50000&size=100");
    size_t n = json_array_size(json_object_get(data(&r), "items"));
    CHECK(n > 0);
    for (size_t i = 0; i < n; i++) {
        CHECK(item_pays(&r, i) >= 10000 && item_pays(&r, i) <= 50000);
    }
    it_resp_free(&r);
    /* An unknown category is no error: nothing is in it. */
    list(&r, "category=no-such-category");
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_INT(int_at(data(&r), "total", NULL), 0);
    it_resp_free(&r);
}

TEST(sorts_order_the_whole_listing)
{
    struct it_resp r;

    list(&r, "sort=price&size=100");
    CHECK_EQ_INT(r.status, 200);
    size_t n = json_array_size(json_object_get(data(&r), "items"));
    CHECK_EQ_INT(n, 100);
    for (size_t i = 1; i < n; i++) {
        CHECK(item_pays(&r, i - 1) <= item_pays(&r, i));
    }
    it_resp_free(&r);
    list(&r, "sort=-price&size=100");
    for (size_t i = 1; i < json_array_size(json_object_get(data(&r), "items")); i++) {
        CHECK(item_pays(&r, i - 1) >= item_pays(&r, i));
    }
    it_resp_free(&r);
    list(&r, "sort=new&size=100");
    json_t *items = json_object_get(data(&r), "items");
    for (size_t i = 1; i < json_array_size(items); i++) {
        const char *a =
            json_string_value(json_object_get(json_array_get(items, i - 1), "createdAt"));
        const char *b = json_string_value(json_object_get(json_array_get(items, i), "createdAt"));
        CHECK(strcmp(a, b) >= 0); /* ISO 8601 in UTC sorts as text */
    }
    it_resp_free(&r);
    list(&r, "sort=popular");
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_INT(json_array_size(json_object_get(data(&r), "items")), 20);
    it_resp_free(&r);
}

TEST(pagination_edges)
{
    struct it_resp r;

    list(&r, "category=fashion&size=1");
    CHECK_EQ_INT(r.status, 200);
    json_int_t total = int_at(data(&r), "total", NULL);
    CHECK(total >= 3);
    CHECK_EQ_INT(int_at(data(&r), "pages", NULL), total);
    CHECK_EQ_INT(int_at(data(&r), "page", NULL), 1);
    CHECK_EQ_INT(int_at(data(&r), "size", NULL), 1);
    it_resp_free(&r);
    /* The last page holds one; past the end is empty, with the total still told. */
    char q[128];
    snprintf(q, sizeof(q), "category=fashion&size=1&page=%lld", (long long)total);
    list(&r, q);
    CHECK_EQ_INT(json_array_size(json_object_get(data(&r), "items")), 1);
    it_resp_free(&r);
    snprintf(q, sizeof(q), "category=fashion&size=1&page=%lld", (long long)total + 1);
    list(&r, q);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_INT(json_array_size(json_object_get(data(&r), "items")), 0);
    CHECK_EQ_INT(int_at(data(&r), "total", NULL), total);
    it_resp_free(&r);
    /* Pages of 7 tile the listing: no product twice, none left out. */
    list(&r, "category=fashion&size=100&sort=price");
    json_t *all = json_incref(json_object_get(data(&r), "items"));
    it_resp_free(&r);
    size_t seen = 0;
    for (int page = 1; page <= 100 && seen < json_array_size(all); page++) {
        snprintf(q, sizeof(q), "category=fashion&size=7&sort=price&page=%d", page);
        list(&r, q);
        json_t *items = json_object_get(data(&r), "items");
        for (size_t i = 0; i < json_array_size(items); i++, seen++) {
            CHECK_EQ_INT(int_at(json_array_get(items, i), "id", NULL),
                         int_at(json_array_get(all, seen), "id", NULL));
        }
        it_resp_free(&r);
    }
    CHECK_EQ_INT(seen, json_array_size(all));
    json_decref(all);
}

TEST(bad_query_values_get_400)
{
    static const struct {
        const char *query, *field;
    } bad[] = {
        {"sort=cheapest", "sort"},
        {"size=0", "size"},
        {"size=101", "size"},
        {"page=0", "page"},
        {"page=abc", "page"},
        {"minPrice=-1", "minPrice"},
        {"maxPrice=1e5", "maxPrice"},
        {"minPrice=9&maxPrice=8", "minPrice"},
        {"category=Bad%20Slug", "category"},
        {"q=%FF%FE", "q"},
    };
    struct it_resp r;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        list(&r, bad[i].query);
        CHECK_EQ_INT(r.status, 400);
        CHECK_EQ_STR(it_error_code(&r), "VAL_2001");
        CHECK_EQ_STR(it_error_field(&r), bad[i].field);
        it_resp_free(&r);
    }
    char q[400];
    memset(q, 'a', sizeof(q));
    memcpy(q, "q=", 2);
    q[2 + 201] = '\0'; /* 201 bytes: one past the limit */
    list(&r, q);
    CHECK_EQ_INT(r.status, 400);
    CHECK_EQ_STR(it_error_field(&r), "q");
    it_resp_free(&r);
    /* Listing by status is for admins. */
    list(&r, "status=draft");
    CHECK_EQ_INT(r.status, 403);
    it_resp_free(&r);
    char *admin = it_token("root", "admin", 600);
    it_request(&r, "GET", at("CATALOG", "/api/products?status=draft&size=100"), admin, NULL, NULL,
               NULL);
    CHECK_EQ_INT(r.status, 200);
    CHECK(int_at(data(&r), "total", NULL) >= 3); /* the demo's drafts */
    it_resp_free(&r);
    ag_free(admin);
}

TEST(product_read_is_cacheable)
{
    struct it_resp r;
    char etag[128], cc[128], inm[160];

    it_request(&r, "GET", at("GATEWAY", "/api/products/sori-wireless-earbuds"), NULL, NULL, NULL,
               NULL);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_INT(int_at(data(&r), "price", NULL), 129000);
    CHECK_EQ_INT(int_at(data(&r), "salePrice", NULL), 99000);
    CHECK(json_is_string(json_object_get(data(&r), "description")));
    CHECK(it_header(&r, "ETag", etag, sizeof(etag)) != NULL);
    CHECK(it_header(&r, "Cache-Control", cc, sizeof(cc)) != NULL);
    CHECK(strstr(cc, "public, max-age=") != NULL);
    json_int_t id = int_at(data(&r), "id", NULL);
    it_resp_free(&r);
    /* The same product by id, and a 304 for the ETag just seen. */
    snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
    const char *h[] = {inm, NULL};
    it_request(&r, "GET", at("GATEWAY", "/api/products/%lld", (long long)id), NULL, NULL, NULL, h);
    CHECK_EQ_INT(r.status, 304);
    CHECK_EQ_INT(r.len, 0);
    it_resp_free(&r);
    it_request(&r, "GET", at("GATEWAY", "/api/products/no-such-product"), NULL, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 404);
    CHECK_EQ_STR(it_error_code(&r), "BIZ_3001");
    it_resp_free(&r);
    it_request(&r, "GET", at("GATEWAY", "/api/products/Not_A_Slug"), NULL, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 404);
    it_resp_free(&r);
}

TEST(categories_tree_and_path)
{
    struct it_resp r;

    it_request(&r, "GET", at("GATEWAY", "/api/categories"), NULL, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    CHECK(json_array_size(data(&r)) >= 8);
    json_t *top = json_array_get(data(&r), 0);
    CHECK_EQ_INT(int_at(top, "depth", NULL), 1);
    CHECK(json_array_size(json_object_get(top, "children")) >= 2);
    CHECK(int_at(top, "productCount", NULL) > 0);
    it_resp_free(&r);
    it_request(&r, "GET", at("GATEWAY", "/api/categories/shoes"), NULL, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    json_t *path = json_object_get(data(&r), "path");
    CHECK_EQ_INT(json_array_size(path), 2);
    CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(path, 0), "slug")), "fashion");
    CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(path, 1), "slug")), "shoes");
    it_resp_free(&r);
    it_request(&r, "GET", at("GATEWAY", "/api/categories/no-such-one"), NULL, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 404);
    it_resp_free(&r);
}

TEST(admin_only_writes)
{
    struct it_resp r;
    char *user = it_token("shopper", "user", 600);
    char *admin = it_token("root", "admin", 600);
    char slug[64], key[40], body[512];

    it_unique(slug, sizeof(slug), "adm-");
    snprintf(body, sizeof(body), "{\"slug\":\"%s\",\"name\":\"관리 상품\",\"price\":5000}", slug);
    static const struct {
        const char *method, *path;
    } writes[] = {
        {"POST", "/api/products"},        {"PATCH", "/api/products/1"},
        {"DELETE", "/api/products/1"},    {"PUT", "/api/products/1/stock"},
        {"GET", "/api/products/1/stock"}, {"POST", "/api/categories"},
        {"PATCH", "/api/categories/1"},   {"DELETE", "/api/categories/1"},
    };
    for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
        const char *b =
            strcmp(writes[i].method, "GET") == 0 || strcmp(writes[i].method, "DELETE") == 0 ? NULL
                                                                                            : body;
        it_request(&r, writes[i].method, at("CATALOG", "%s", writes[i].path), user, NULL, b, NULL);
        CHECK_EQ_INT(r.status, 403);
        it_resp_free(&r);
        it_request(&r, writes[i].method, at("CATALOG", "%s", writes[i].path), NULL, NULL, b, NULL);
        CHECK_EQ_INT(r.status, 401);
        it_resp_free(&r);
    }
    /* The gateway lets no anonymous write through either. */
    it_request(&r, "POST", at("GATEWAY", "/api/products"), NULL, NULL, body, NULL);
    CHECK_EQ_INT(r.status, 401);
    it_resp_free(&r);

    /* An admin creates it (a draft by default, unseen by the public), idempotently. */
    it_unique(key, sizeof(key), "key-");
    it_request(&r, "POST", at("CATALOG", "/api/products"), admin, key, body, NULL);
    CHECK_EQ_INT(r.status, 201);
    CHECK_EQ_STR(json_string_value(json_object_get(data(&r), "status")), "draft");
    char *first = ag_xstrdup(r.body);
    it_resp_free(&r);
    it_request(&r, "POST", at("CATALOG", "/api/products"), admin, key, body, NULL);
    CHECK_EQ_INT(r.status, 201);
    CHECK_EQ_STR(r.body, first);
    it_resp_free(&r);
    ag_free(first);
    it_request(&r, "GET", at("GATEWAY", "/api/products/%s", slug), NULL, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 404);
    it_resp_free(&r);
    /* Published with a new price: the public sees it; the same slug again is a conflict. */
    it_request(&r, "PATCH", at("CATALOG", "/api/products/%s", slug), admin, NULL,
               "{\"status\":\"active\",\"price\":7000,\"salePrice\":6500}", NULL);
    CHECK_EQ_INT(r.status, 200);
    it_resp_free(&r);
    it_request(&r, "GET", at("GATEWAY", "/api/products/%s", slug), NULL, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_INT(int_at(data(&r), "price", NULL), 7000);
    CHECK_EQ_INT(int_at(data(&r), "salePrice", NULL), 6500);
    it_resp_free(&r);
    it_request(&r, "POST", at("CATALOG", "/api/products"), admin, NULL, body, NULL);
    CHECK_EQ_INT(r.status, 409);
    CHECK_EQ_STR(it_error_field(&r), "slug");
    it_resp_free(&r);
    /* Bad writes name their field. */
    it_request(&r, "PATCH", at("CATALOG", "/api/products/%s", slug), admin, NULL,
               "{\"salePrice\":9000}", NULL);
    CHECK_EQ_INT(r.status, 400);
    CHECK_EQ_STR(it_error_field(&r), "salePrice");
    it_resp_free(&r);
    it_request(&r, "PATCH", at("CATALOG", "/api/products/%s", slug), admin, NULL,
               "{\"images\":[\"javascript:alert(1)\"]}", NULL);
    CHECK_EQ_INT(r.status, 400);
    CHECK_EQ_STR(it_error_field(&r), "images");
    it_resp_free(&r);
    it_request(&r, "PATCH", at("CATALOG", "/api/products/%s", slug), admin, NULL,
               "{\"category\":\"no-such-category\"}", NULL);
    CHECK_EQ_INT(r.status, 400);
    CHECK_EQ_STR(it_error_field(&r), "category");
    it_resp_free(&r);
    /* Archived: gone from the shop, still there for an admin. */
    it_request(&r, "DELETE", at("CATALOG", "/api/products/%s", slug), admin, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_STR(json_string_value(json_object_get(data(&r), "status")), "archived");
    it_resp_free(&r);
    it_request(&r, "GET", at("GATEWAY", "/api/products/%s", slug), NULL, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 404);
    it_resp_free(&r);
    it_request(&r, "GET", at("CATALOG", "/api/products/%s", slug), admin, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    it_resp_free(&r);
    ag_free(user);
    ag_free(admin);
}

TEST(admin_manages_categories)
{
    struct it_resp r;
    char *admin = it_token("root", "admin", 600);
    char slug[64], body[256];

    it_unique(slug, sizeof(slug), "cat-");
    snprintf(body, sizeof(body), "{\"slug\":\"%s\",\"name\":\"가방\",\"parent\":\"fashion\"}",
             slug);
    it_request(&r, "POST", at("CATALOG", "/api/categories"), admin, NULL, body, NULL);
    CHECK_EQ_INT(r.status, 201);
    CHECK_EQ_INT(int_at(data(&r), "depth", NULL), 2);
    it_resp_free(&r);
    it_request(&r, "PATCH", at("CATALOG", "/api/categories/%s", slug), admin, NULL,
               "{\"nameEn\":\"Bags\",\"position\":9}", NULL);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_STR(json_string_value(json_object_get(data(&r), "nameEn")), "Bags");
    it_resp_free(&r);
    /* A fourth level is refused; so is a parent that does not exist. */
    char deeper[64];
    it_unique(deeper, sizeof(deeper), "deep-");
    it_request(&r, "POST", at("CATALOG", "/api/categories"), admin, NULL,
               "{\"slug\":\"level-three-x\",\"name\":\"셋\",\"parent\":\"shoes\"}", NULL);
    CHECK_EQ_INT(r.status, 201);
    it_resp_free(&r);
    snprintf(body, sizeof(body), "{\"slug\":\"%s\",\"name\":\"넷\",\"parent\":\"level-three-x\"}",
             deeper);
    it_request(&r, "POST", at("CATALOG", "/api/categories"), admin, NULL, body, NULL);
    CHECK_EQ_INT(r.status, 400);
    CHECK_EQ_STR(it_error_field(&r), "parent");
    it_resp_free(&r);
    it_request(&r, "DELETE", at("CATALOG", "/api/categories/level-three-x"), admin, NULL, NULL,
               NULL);
    CHECK_EQ_INT(r.status, 204);
    it_resp_free(&r);
    /* A category with products stays. */
    it_request(&r, "DELETE", at("CATALOG", "/api/categories/shoes"), admin, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 409);
    it_resp_free(&r);
    it_request(&r, "DELETE", at("CATALOG", "/api/categories/%s", slug), admin, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 204);
    it_resp_free(&r);
    it_request(&r, "GET", at("CATALOG", "/api/categories/%s", slug), NULL, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 404);
    it_resp_free(&r);
    ag_free(admin);
}

TEST(stock_set_and_bounds)
{
    struct it_resp r;
    char *admin = it_token("root", "admin", 600);
    char slug[64], order[64], items[128];

    long long id = product_make(admin, "stk-", 1000, 5, slug, sizeof(slug));
    CHECK(id > 0);
    it_unique(order, sizeof(order), "ord-");
    snprintf(items, sizeof(items), "[{\"productId\":%lld,\"qty\":3}]", id);
    CHECK_EQ_INT(reserve(order, items, NULL, &r), 201);
    it_resp_free(&r);
    /* On hand may not go below what is reserved. */
    it_request(&r, "PUT", at("CATALOG", "/api/products/%lld/stock", id), admin, NULL,
               "{\"onHand\":2}", NULL);
    CHECK_EQ_INT(r.status, 409);
    it_resp_free(&r);
    it_request(&r, "PUT", at("CATALOG", "/api/products/%lld/stock", id), admin, NULL,
               "{\"onHand\":8}", NULL);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_INT(int_at(data(&r), "onHand", NULL), 8);
    CHECK_EQ_INT(int_at(data(&r), "reserved", NULL), 3);
    CHECK_EQ_INT(int_at(data(&r), "available", NULL), 5);
    it_resp_free(&r);
    it_request(&r, "PUT", at("CATALOG", "/api/products/%lld/stock", id), admin, NULL,
               "{\"onHand\":-1}", NULL);
    CHECK_EQ_INT(r.status, 400);
    CHECK_EQ_STR(it_error_field(&r), "onHand");
    it_resp_free(&r);
    ag_free(admin);
}

TEST(reservation_is_all_or_nothing)
{
    struct it_resp r;
    char *admin = it_token("root", "admin", 600);
    char a[64], b[64], order[64], items[256];

    long long ida = product_make(admin, "aon-a-", 1000, 5, a, sizeof(a));
    long long idb = product_make(admin, "aon-b-", 2000, 5, b, sizeof(b));
    it_unique(order, sizeof(order), "ord-");
    /* B is one short: nothing is taken, A included; the answer names what is missing. */
    snprintf(items, sizeof(items),
             "[{\"productId\":%lld,\"qty\":3},{\"productId\":%lld,\"qty\":6}]", ida, idb);
    CHECK_EQ_INT(reserve(order, items, NULL, &r), 409);
    CHECK_EQ_STR(it_error_code(&r), "BIZ_3002");
    json_t *missing =
        json_object_get(json_object_get(json_object_get(r.json, "error"), "details"), "items");
    CHECK_EQ_INT(json_array_size(missing), 1);
    CHECK_EQ_INT(int_at(json_array_get(missing, 0), "productId", NULL), idb);
    CHECK_EQ_INT(int_at(json_array_get(missing, 0), "available", NULL), 5);
    it_resp_free(&r);
    CHECK_EQ_INT(available(ida), 5);
    CHECK_EQ_INT(available(idb), 5);
    /* The failed order id is not used up: the same id with what there is succeeds. */
    snprintf(items, sizeof(items),
             "[{\"productId\":%lld,\"qty\":3},{\"productId\":%lld,\"qty\":5}]", ida, idb);
    CHECK_EQ_INT(reserve(order, items, NULL, &r), 201);
    CHECK_EQ_STR(json_string_value(json_object_get(data(&r), "status")), "held");
    it_resp_free(&r);
    CHECK_EQ_INT(available(ida), 2);
    CHECK_EQ_INT(available(idb), 0);
    /* An unknown product and bad bodies. */
    CHECK_EQ_INT(reserve("ord-unknown-product", "[{\"productId\":999999999,\"qty\":1}]", NULL, &r),
                 409);
    it_resp_free(&r);
    CHECK_EQ_INT(reserve("ord-bad", "[]", NULL, &r), 400);
    CHECK_EQ_STR(it_error_field(&r), "items");
    it_resp_free(&r);
    snprintf(items, sizeof(items),
             "[{\"productId\":%lld,\"qty\":1},{\"productId\":%lld,\"qty\":1}]", ida, ida);
    CHECK_EQ_INT(reserve("ord-dup", items, NULL, &r), 400);
    it_resp_free(&r);
    CHECK_EQ_INT(reserve("bad id!", "[{\"productId\":1,\"qty\":1}]", NULL, &r), 400);
    CHECK_EQ_STR(it_error_field(&r), "orderId");
    it_resp_free(&r);
    ag_free(admin);
}

TEST(reservation_retries_are_idempotent)
{
    struct it_resp r;
    char *admin = it_token("root", "admin", 600);
    char slug[64], order[64], items[128], path[128];

    long long id = product_make(admin, "idem-", 1000, 10, slug, sizeof(slug));
    it_unique(order, sizeof(order), "ord-");
    snprintf(items, sizeof(items), "[{\"productId\":%lld,\"qty\":4}]", id);
    CHECK_EQ_INT(reserve(order, items, NULL, &r), 201);
    it_resp_free(&r);
    /* A retry answers the same reservation and takes nothing more. */
    CHECK_EQ_INT(reserve(order, items, NULL, &r), 200);
    CHECK_EQ_STR(json_string_value(json_object_get(data(&r), "orderId")), order);
    it_resp_free(&r);
    CHECK_EQ_INT(available(id), 6);
    /* The same order id with other items is refused. */
    snprintf(items, sizeof(items), "[{\"productId\":%lld,\"qty\":5}]", id);
    CHECK_EQ_INT(reserve(order, items, NULL, &r), 422);
    it_resp_free(&r);
    /* Commit twice: the units leave stock once. */
    snprintf(path, sizeof(path), "/internal/reservations/%s/commit", order);
    CHECK_EQ_INT(internal_call("POST", path, &r), 200);
    CHECK_EQ_STR(json_string_value(json_object_get(data(&r), "status")), "committed");
    it_resp_free(&r);
    CHECK_EQ_INT(internal_call("POST", path, &r), 200);
    it_resp_free(&r);
    it_request(&r, "GET", at("CATALOG", "/api/products/%lld/stock", id), admin, NULL, NULL, NULL);
    CHECK_EQ_INT(int_at(data(&r), "onHand", NULL), 6);
    CHECK_EQ_INT(int_at(data(&r), "reserved", NULL), 0);
    it_resp_free(&r);
    /* A committed reservation cannot be released; a released one cannot be committed. */
    snprintf(path, sizeof(path), "/internal/reservations/%s/release", order);
    CHECK_EQ_INT(internal_call("POST", path, &r), 409);
    it_resp_free(&r);
    char other[64];
    it_unique(other, sizeof(other), "ord-");
    snprintf(items, sizeof(items), "[{\"productId\":%lld,\"qty\":2}]", id);
    CHECK_EQ_INT(reserve(other, items, NULL, &r), 201);
    it_resp_free(&r);
    snprintf(path, sizeof(path), "/internal/reservations/%s/release", other);
    CHECK_EQ_INT(internal_call("POST", path, &r), 200);
    it_resp_free(&r);
    CHECK_EQ_INT(internal_call("POST", path, &r), 200);
    CHECK_EQ_STR(json_string_value(json_object_get(data(&r), "status")), "released");
    it_resp_free(&r);
    CHECK_EQ_INT(available(id), 6);
    snprintf(path, sizeof(path), "/internal/reservations/%s/commit", other);
    CHECK_EQ_INT(internal_call("POST", path, &r), 409);
    it_resp_free(&r);
    CHECK_EQ_INT(internal_call("POST", "/internal/reservations/never-made/commit", &r), 404);
    it_resp_free(&r);
    ag_free(admin);
}

TEST(abandoned_reservations_expire)
{
    struct it_resp r;
    char *admin = it_token("root", "admin", 600);
    char slug[64], order[64], items[128], path[128];

    long long id = product_make(admin, "exp-", 1000, 3, slug, sizeof(slug));
    it_unique(order, sizeof(order), "ord-");
    snprintf(items, sizeof(items), "[{\"productId\":%lld,\"qty\":3}]", id);
    CHECK_EQ_INT(reserve(order, items, ",\"ttlSeconds\":1", &r), 201);
    it_resp_free(&r);
    CHECK_EQ_INT(available(id), 0);
    /* The sweeper (every second in the test stack) gives the units back. */
    snprintf(path, sizeof(path), "/internal/reservations/%s", order);
    const char *status = NULL;
    for (int i = 0; i < 100; i++) {
        internal_call("GET", path, &r);
        status = json_string_value(json_object_get(data(&r), "status"));
        int expired = status != NULL && strcmp(status, "expired") == 0;
        it_resp_free(&r);
        if (expired) {
            status = "expired";
            break;
        }
        usleep(100 * 1000);
    }
    CHECK_EQ_STR(status, "expired");
    CHECK_EQ_INT(available(id), 3);
    /* Too late to commit; releasing it is a harmless no-op. */
    snprintf(path, sizeof(path), "/internal/reservations/%s/commit", order);
    CHECK_EQ_INT(internal_call("POST", path, &r), 409);
    it_resp_free(&r);
    snprintf(path, sizeof(path), "/internal/reservations/%s/release", order);
    CHECK_EQ_INT(internal_call("POST", path, &r), 200);
    it_resp_free(&r);
    ag_free(admin);
}

struct racer {
    char order[64];
    const char *items;
    long status;
};

static void *
race(void *arg)
{
    struct racer *x = arg;
    struct it_resp r;
    x->status = reserve(x->order, x->items, NULL, &r);
    it_resp_free(&r);
    return NULL;
}

TEST(two_hundred_buyers_for_the_last_ten_never_oversell)
{
    enum { N = 200 };
    static struct racer racers[N];
    pthread_t th[N];
    char *admin = it_token("root", "admin", 600);
    char slug[64], items[128];

    long long id = product_make(admin, "last-", 15000, 10, slug, sizeof(slug));
    CHECK(id > 0);
    snprintf(items, sizeof(items), "[{\"productId\":%lld,\"qty\":1}]", id);
    for (int i = 0; i < N; i++) {
        it_unique(racers[i].order, sizeof(racers[i].order), "buy-");
        racers[i].items = items;
        racers[i].status = 0;
    }
    for (int i = 0; i < N; i++) {
        pthread_create(&th[i], NULL, race, &racers[i]);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
    }
    int won = 0, lost = 0;
    for (int i = 0; i < N; i++) {
        won += racers[i].status == 201;
        lost += racers[i].status == 409;
    }
    CHECK_EQ_INT(won, 10);
    CHECK_EQ_INT(lost, N - 10);
    struct it_resp r;
    it_request(&r, "GET", at("CATALOG", "/api/products/%lld/stock", id), admin, NULL, NULL, NULL);
    CHECK_EQ_INT(int_at(data(&r), "onHand", NULL), 10);
    CHECK_EQ_INT(int_at(data(&r), "reserved", NULL), 10);
    CHECK_EQ_INT(int_at(data(&r), "available", NULL), 0);
    it_resp_free(&r);
    ag_free(admin);
}

TEST(internal_routes_stay_inside)
{
    struct it_resp r;

    /* The gateway never routes /internal/. */
    it_request(&r, "POST", at("GATEWAY", "/internal/reservations"), NULL, NULL,
               "{\"orderId\":\"x\",\"items\":[{\"productId\":1,\"qty\":1}]}", NULL);
    CHECK_EQ_INT(r.status, 404);
    it_resp_free(&r);
    /* Straight to the service, the internal token is required. */
    it_request(&r, "POST", at("CATALOG", "/internal/reservations"), NULL, NULL,
               "{\"orderId\":\"x\",\"items\":[{\"productId\":1,\"qty\":1}]}", NULL);
    CHECK_EQ_INT(r.status, 401);
    it_resp_free(&r);
    const char *wrong[] = {"X-Internal-Token: not-the-token", NULL};
    it_request(&r, "GET", at("CATALOG", "/internal/reservations/x"), NULL, NULL, NULL, wrong);
    CHECK_EQ_INT(r.status, 401);
    it_resp_free(&r);
}

static const struct ag_test tests[] = {
    TEST_ENTRY(search_finds_demo_products_in_korean_and_english),
    TEST_ENTRY(filters_category_and_price),
    TEST_ENTRY(sorts_order_the_whole_listing),
    TEST_ENTRY(pagination_edges),
    TEST_ENTRY(bad_query_values_get_400),
    TEST_ENTRY(product_read_is_cacheable),
    TEST_ENTRY(categories_tree_and_path),
    TEST_ENTRY(admin_only_writes),
    TEST_ENTRY(admin_manages_categories),
    TEST_ENTRY(stock_set_and_bounds),
    TEST_ENTRY(reservation_is_all_or_nothing),
    TEST_ENTRY(reservation_retries_are_idempotent),
    TEST_ENTRY(abandoned_reservations_expire),
    TEST_ENTRY(two_hundred_buyers_for_the_last_ten_never_oversell),
    TEST_ENTRY(internal_routes_stay_inside),
};

int
main(int argc, char **argv)
{
    it_init();
    int rc = ag_test_main_(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
    it_cleanup();
    return rc;
}
