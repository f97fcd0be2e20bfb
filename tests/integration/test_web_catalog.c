/*
 * The storefront's catalog pages and the catalog's admin pages over HTTP against the real
 * stack (web → gateway → catalog, with the demo catalogue loaded): a category page and an
 * unknown one, the search in Korean and English, a product page with its sale price and its
 * head for search engines, admin pages for admins only, and an admin's price change through
 * the web form showing at once on the product page (web's product cache dropped).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ag_test.h"
#include "itest.h"
#include "webtest.h"

#include "agora/mem.h"

/* GET 'path' of web as a fresh visitor (Korean, or the language 'lang' when not NULL). */
static int
view(struct it_resp *r, const char *path, const char *lang)
{
    char cookie[64];
    snprintf(cookie, sizeof(cookie), "Cookie: lang=%s", lang != NULL ? lang : "ko");
    const char *const h[] = {cookie, NULL};
    return it_request(r, "GET", web(path), NULL, NULL, NULL, h);
}

/* Whether the page has <link rel="canonical"> at AGORA_PUBLIC_URL + 'path'. */
static int
has_canonical(const struct it_resp *r, const char *path)
{
    char want[600];
    snprintf(want, sizeof(want), "<link rel=\"canonical\" href=\"http://localhost:%s%s\">",
             getenv("AGORA_WEB_PORT"), path);
    return r->body != NULL && strstr(r->body, want) != NULL;
}

/* The home page: the top-level categories (linked to their pages) and popular products. */
TEST(home_shows_categories_and_products)
{
    struct it_resp r;

    CHECK_EQ_INT(view(&r, "/", NULL), 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK(strstr(r.body, "href=\"/categories/electronics\"") != NULL);
    CHECK(strstr(r.body, "href=\"/categories/fashion\"") != NULL);
    CHECK(strstr(r.body, "id=\"product-grid\"") != NULL);
    CHECK(strstr(r.body, "<meta name=\"description\"") != NULL);
    CHECK(has_canonical(&r, "/"));
    it_resp_free(&r);
}

/* A category: breadcrumbs, products of its sub-categories too, filters; unknown ones 404. */
TEST(category_page_and_unknown_category)
{
    struct it_resp r;
    char buf[128];

    CHECK_EQ_INT(view(&r, "/categories/fashion?minPrice=89000&maxPrice=89000&sort=price", NULL), 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK(strstr(r.body, "aria-current=\"page\"") != NULL); /* the crumb of the category */
    CHECK(strstr(r.body, "href=\"/categories/shoes\"") != NULL);
    CHECK(strstr(r.body, "href=\"/products/haneul-running-shoes\"") != NULL);
    CHECK(strstr(r.body, "<option value=\"price\" selected>") != NULL);
    CHECK(strstr(r.body, "id=\"result-count\"") != NULL);
    CHECK(has_canonical(&r, "/categories/fashion")); /* no sort in the canonical */
    CHECK(strstr(it_header(&r, "Cache-Control", buf, sizeof(buf)), "private") != NULL);
    it_resp_free(&r);
    /* Min above max: the catalog says no, the page says why. */
    CHECK_EQ_INT(view(&r, "/categories/fashion?minPrice=9000&maxPrice=10", NULL), 0);
    CHECK_EQ_INT(r.status, 400);
    CHECK(strstr(r.body, "role=\"alert\"") != NULL);
    it_resp_free(&r);
    CHECK_EQ_INT(view(&r, "/categories/no-such-category-here", NULL), 0);
    CHECK_EQ_INT(r.status, 404);
    CHECK(strstr(it_header(&r, "Content-Type", buf, sizeof(buf)), "text/html") != NULL);
    CHECK(strstr(r.body, "<h1>") != NULL);
    it_resp_free(&r);
}

/* The search finds by English and by Korean words; the query comes back escaped. */
TEST(search_finds_products)
{
    struct it_resp r;

    CHECK_EQ_INT(view(&r, "/products?q=Sori", "en"), 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK(strstr(r.body, "href=\"/products/sori-wireless-earbuds\"") != NULL);
    CHECK(strstr(r.body, "Sori Wireless Earbuds") != NULL); /* the English name in English */
    CHECK(strstr(r.body, "<meta name=\"robots\" content=\"noindex\">") != NULL);
    it_resp_free(&r);
    /* 러닝화 */
    CHECK_EQ_INT(view(&r, "/products?q=%EB%9F%AC%EB%8B%9D%ED%99%94", NULL), 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK(strstr(r.body, "href=\"/products/haneul-running-shoes\"") != NULL);
    CHECK(strstr(r.body, "하늘 러닝화") != NULL);
    it_resp_free(&r);
    CHECK_EQ_INT(view(&r, "/products?q=%3Cb%3Enothing-like-this-zzqx", NULL), 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK(strstr(r.body, "&lt;b&gt;nothing-like-this-zzqx") != NULL);
    CHECK(strstr(r.body, "<b>nothing") == NULL);
    CHECK(strstr(r.body, "id=\"no-results\"") != NULL);
    it_resp_free(&r);
}

/* A product: the sale price with the list price struck through, the head, the cart form. */
TEST(product_page_price_and_head)
{
    struct it_resp r;

    CHECK_EQ_INT(view(&r, "/products/sori-wireless-earbuds", NULL), 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK(strstr(r.body, "<strong id=\"sale-price\">99,000원</strong>") != NULL);
    CHECK(strstr(r.body, "129,000원</s>") != NULL);
    CHECK(strstr(r.body, "<title>소리 무선 이어폰 · Agora</title>") != NULL);
    CHECK(strstr(r.body, "<meta name=\"description\" content=\"") != NULL);
    CHECK(has_canonical(&r, "/products/sori-wireless-earbuds"));
    CHECK(strstr(r.body, "action=\"/cart/items\"") != NULL);
    CHECK(strstr(r.body, "name=\"productId\"") != NULL);
    CHECK(strstr(r.body, "id=\"product-stock\"") != NULL);
    it_resp_free(&r);
    CHECK_EQ_INT(view(&r, "/products/sori-wireless-earbuds", "en"), 0);
    CHECK(strstr(r.body, "<strong id=\"sale-price\">₩99,000</strong>") != NULL);
    CHECK(strstr(r.body, "Sori Wireless Earbuds") != NULL);
    it_resp_free(&r);
    CHECK_EQ_INT(view(&r, "/products/no-such-product-here", NULL), 0);
    CHECK_EQ_INT(r.status, 404);
    it_resp_free(&r);
    CHECK_EQ_INT(view(&r, "/products/Not_A_Slug", NULL), 0);
    CHECK_EQ_INT(r.status, 404);
    it_resp_free(&r);
}

/* Admin pages: 200 for an admin, 403 for a member, the login page for a guest. */
TEST(admin_catalog_pages_for_admins_only)
{
    struct jar admin, user, guest;
    struct it_resp r;
    char id[40], buf[128];

    CHECK_EQ_INT(log_in(&admin, "admin", admin_password()), 303);
    CHECK_EQ_INT(browse(&admin, &r, "GET", "/admin", NULL, NULL), 0);
    CHECK(strstr(r.body, "href=\"/admin/products\"") != NULL);
    CHECK(strstr(r.body, "href=\"/admin/categories\"") != NULL);
    it_resp_free(&r);
    CHECK_EQ_INT(browse(&admin, &r, "GET", "/admin/products?status=all&q=Sori", NULL, NULL), 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK(strstr(r.body, "id=\"admin-product-table\"") != NULL);
    CHECK(strstr(r.body, "sori-wireless-earbuds") != NULL);
    it_resp_free(&r);
    CHECK_EQ_INT(browse(&admin, &r, "GET", "/admin/categories", NULL, NULL), 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK(strstr(r.body, "id=\"category-tree\"") != NULL);
    it_resp_free(&r);
    CHECK_EQ_INT(sign_up(&user, id, sizeof(id)), 303);
    static const char *const pages[] = {"/admin/products", "/admin/products/new",
                                        "/admin/categories"};
    for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
        CHECK_EQ_INT(browse(&user, &r, "GET", pages[i], NULL, NULL), 0);
        CHECK_EQ_INT(r.status, 403);
        it_resp_free(&r);
    }
    memset(&guest, 0, sizeof(guest));
    CHECK_EQ_INT(browse(&guest, &r, "GET", "/admin/products", NULL, NULL), 0);
    CHECK_EQ_INT(r.status, 303);
    CHECK_EQ_STR(it_header(&r, "Location", buf, sizeof(buf)), "/login?next=/admin/products");
    it_resp_free(&r);
}

/* An admin's access token from auth directly (for a write that bypasses web). */
static char *
admin_token(void)
{
    struct it_resp r;
    char url[256], body[256];
    const char *const h[] = {it_client_auth_header(), NULL};

    snprintf(url, sizeof(url), "%s/api/auth/login", it_url("AUTH"));
    snprintf(body, sizeof(body), "{\"id\":\"admin\",\"password\":\"%s\"}", admin_password());
    if (it_request(&r, "POST", url, NULL, NULL, body, h) < 0) {
        return NULL;
    }
    const char *t =
        json_string_value(json_object_get(json_object_get(r.json, "data"), "access_token"));
    char *out = t != NULL ? ag_xstrdup(t) : NULL;
    it_resp_free(&r);
    return out;
}

/* Whether product page 'path' shows 'price' as its price. */
static int
shows_price(const char *path, const char *price)
{
    struct it_resp r;
    char want[96];
    snprintf(want, sizeof(want), "<strong>%s</strong>", price);
    int ok = view(&r, path, NULL) == 0 && r.status == 200 && strstr(r.body, want) != NULL;
    it_resp_free(&r);
    return ok;
}

/*
 * An admin makes a product and changes its price through web's forms: the product page shows
 * the new price at once, though web keeps product answers for AGORA_WEB_PRODUCT_CACHE_S
 * seconds (a change that bypasses web shows only when that copy runs out).
 */
TEST(admin_price_edit_shows_at_once)
{
    struct jar admin;
    struct it_resp r;
    char slug[48], page[96], csrf[64], idem[64], form[1024], loc[128], url[256], path[96];

    CHECK_EQ_INT(log_in(&admin, "admin", admin_password()), 303);
    CHECK_EQ_INT(browse(&admin, &r, "GET", "/admin/products/new", NULL, NULL), 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK_NOT_NULL(csrf_of(&r, csrf, sizeof(csrf)));
    CHECK_NOT_NULL(field_of(&r, "idem", idem, sizeof(idem)));
    it_resp_free(&r);
    it_unique(slug, sizeof(slug), "webcat");
    snprintf(form, sizeof(form),
             "_csrf=%s&idem=%s&slug=%s&name=%%ED%%85%%8C%%EC%%8A%%A4%%ED%%8A%%B8&nameEn=Test+item"
             "&price=50%%2C000&status=active&category=electronics&stock=7"
             "&attributes=color%%3Dblue&images=&description=A+test+product.",
             csrf, idem, slug);
    CHECK_EQ_INT(browse(&admin, &r, "POST", "/admin/products", form, NULL), 0);
    CHECK_EQ_INT(r.status, 303);
    CHECK_NOT_NULL(it_header(&r, "Location", loc, sizeof(loc)));
    CHECK(strncmp(loc, "/admin/products/", 16) == 0 && strstr(loc, "?saved=created") != NULL);
    it_resp_free(&r);
    /* The same form again (a double submit): the same product, not a second one. */
    CHECK_EQ_INT(browse(&admin, &r, "POST", "/admin/products", form, NULL), 0);
    CHECK_EQ_INT(r.status, 303);
    char loc2[128];
    CHECK_EQ_STR(it_header(&r, "Location", loc2, sizeof(loc2)), loc);
    it_resp_free(&r);
    snprintf(page, sizeof(page), "/products/%s", slug);
    CHECK(shows_price(page, "50,000원"));
    /* A change straight at the catalog: web's copy still says 50,000 for a while. */
    char *token = admin_token();
    CHECK_NOT_NULL(token);
    snprintf(path, sizeof(path), "%.*s", (int)strcspn(loc + 16, "?"), loc + 16);
    snprintf(url, sizeof(url), "%s/api/products/%s", it_url("GATEWAY"), path);
    CHECK_EQ_INT(it_request(&r, "PATCH", url, token, NULL, "{\"price\":51000}", NULL), 0);
    CHECK_EQ_INT(r.status, 200);
    it_resp_free(&r);
    ag_free(token);
    CHECK(shows_price(page, "50,000원"));
    /* The edit form: the new price shows at once. */
    char edit[128];
    snprintf(edit, sizeof(edit), "/admin/products/%s", path);
    CHECK_EQ_INT(browse(&admin, &r, "GET", edit, NULL, NULL), 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK(strstr(r.body, "value=\"51000\"") != NULL);
    csrf_of(&r, csrf, sizeof(csrf));
    field_of(&r, "idem", idem, sizeof(idem));
    it_resp_free(&r);
    snprintf(form, sizeof(form),
             "_csrf=%s&idem=%s&slug=%s&name=%%ED%%85%%8C%%EC%%8A%%A4%%ED%%8A%%B8&nameEn=Test+item"
             "&price=45000&salePrice=&status=active&category=electronics&images="
             "&attributes=color%%3Dblue&description=A+test+product.&descriptionEn=",
             csrf, idem, slug);
    CHECK_EQ_INT(browse(&admin, &r, "POST", edit, form, NULL), 0);
    CHECK_EQ_INT(r.status, 303);
    it_resp_free(&r);
    CHECK(shows_price(page, "45,000원"));
    /* A sale price above the price: the form again, the error next to its field. */
    snprintf(form, sizeof(form),
             "_csrf=%s&idem=%s0&slug=%s&name=x&price=45000&salePrice=46000&status=active", csrf,
             idem, slug);
    CHECK_EQ_INT(browse(&admin, &r, "POST", edit, form, NULL), 0);
    CHECK_EQ_INT(r.status, 400);
    CHECK(strstr(r.body, "id=\"p-sale-error\"") != NULL);
    CHECK(strstr(r.body, "value=\"46000\"") != NULL);
    it_resp_free(&r);
    /* Archived: gone from the shop at once. */
    CHECK_EQ_INT(browse(&admin, &r, "GET", edit, NULL, NULL), 0);
    field_of(&r, "idem", idem, sizeof(idem));
    it_resp_free(&r);
    char archive[160];
    snprintf(archive, sizeof(archive), "%s/archive", edit);
    snprintf(form, sizeof(form), "_csrf=%s&idem=%sa", csrf, idem);
    CHECK_EQ_INT(browse(&admin, &r, "POST", archive, form, NULL), 0);
    CHECK_EQ_INT(r.status, 303);
    it_resp_free(&r);
    CHECK_EQ_INT(view(&r, page, NULL), 0);
    CHECK_EQ_INT(r.status, 404);
    it_resp_free(&r);
}

static const struct ag_test tests[] = {
    TEST_ENTRY(home_shows_categories_and_products),
    TEST_ENTRY(category_page_and_unknown_category),
    TEST_ENTRY(search_finds_products),
    TEST_ENTRY(product_page_price_and_head),
    TEST_ENTRY(admin_catalog_pages_for_admins_only),
    TEST_ENTRY(admin_price_edit_shows_at_once),
};

int
main(int argc, char **argv)
{
    it_init();
    int rc = ag_test_main_(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
    it_cleanup();
    return rc;
}
