/*
 * The cart of the order service over HTTP against the test stack (its catalog, PostgreSQL):
 * adding (quantities add up, capped at the stock), setting and removing lines, prices from
 * the catalog of the moment, unknown and unsellable products refused, bad input, carts kept
 * apart per owner, a guest's cart through the gateway, and the guest's cart merged into the
 * member's at sign-in (at the service, and through the storefront's sign-up).
 */
#include <stdio.h>
#include <string.h>

#include "ag_test.h"
#include "itest.h"
#include "webtest.h"

#include "agora/mem.h"

static char *admin;

static long
add(struct it_resp *r, const char *token, long long id, long long qty)
{
    char body[96];
    snprintf(body, sizeof(body), "{\"productId\":%lld,\"qty\":%lld}", id, qty);
    it_request(r, "POST", it_urlf("ORDER", "/api/cart/items"), token, NULL, body, NULL);
    return r->status;
}

static long long
cart_num(const struct it_resp *r, const char *field)
{
    return (long long)json_integer_value(json_object_get(json_object_get(r->json, "data"), field));
}

/* Line 'i' of the cart's field 'field'. */
static long long
line_num(const struct it_resp *r, size_t i, const char *field)
{
    json_t *items = json_object_get(json_object_get(r->json, "data"), "items");
    return (long long)json_integer_value(json_object_get(json_array_get(items, i), field));
}

static size_t
lines(const struct it_resp *r)
{
    return json_array_size(json_object_get(json_object_get(r->json, "data"), "items"));
}

TEST(add_update_remove)
{
    struct it_resp r;
    char sub[40], body[32];
    long long a = it_product(admin, "cart-", "active", 12000, 50, NULL, 0),
              b = it_product(admin, "cart-", "active", 3000, 50, NULL, 0);

    CHECK(a > 0 && b > 0);
    it_unique(sub, sizeof(sub), "m-");
    char *user = it_token(sub, "user", 300);
    it_request(&r, "GET", it_urlf("ORDER", "/api/cart"), user, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_INT(lines(&r), 0);
    CHECK_EQ_INT(cart_num(&r, "subtotal"), 0);
    it_resp_free(&r);
    CHECK_EQ_INT(add(&r, user, a, 2), 201);
    CHECK_EQ_INT(lines(&r), 1);
    CHECK_EQ_INT(line_num(&r, 0, "unitPrice"), 12000);
    CHECK_EQ_INT(line_num(&r, 0, "lineTotal"), 24000);
    it_resp_free(&r);
    /* The same product again adds to its line. */
    CHECK_EQ_INT(add(&r, user, a, 3), 201);
    CHECK_EQ_INT(lines(&r), 1);
    CHECK_EQ_INT(line_num(&r, 0, "qty"), 5);
    it_resp_free(&r);
    CHECK_EQ_INT(add(&r, user, b, 1), 201);
    CHECK_EQ_INT(lines(&r), 2);
    CHECK_EQ_INT(cart_num(&r, "subtotal"), 5 * 12000 + 3000);
    CHECK_EQ_INT(cart_num(&r, "itemCount"), 6);
    it_resp_free(&r);
    /* Set a quantity; out of range or not in the cart is refused. */
    it_request(&r, "PATCH", it_urlf("ORDER", "/api/cart/items/%lld", a), user, NULL, "{\"qty\":1}",
               NULL);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_INT(line_num(&r, 0, "qty"), 1);
    it_resp_free(&r);
    static const char *const bad_qty[] = {"{\"qty\":0}", "{\"qty\":100}", "{\"qty\":\"2\"}",
                                          "{\"qty\":1,\"x\":1}", "{}"};
    for (size_t i = 0; i < sizeof(bad_qty) / sizeof(bad_qty[0]); i++) {
        it_request(&r, "PATCH", it_urlf("ORDER", "/api/cart/items/%lld", a), user, NULL, bad_qty[i],
                   NULL);
        CHECK_EQ_INT(r.status, 400);
        it_resp_free(&r);
    }
    snprintf(body, sizeof(body), "{\"qty\":1}");
    it_request(&r, "PATCH", it_urlf("ORDER", "/api/cart/items/999999999"), user, NULL, body, NULL);
    CHECK_EQ_INT(r.status, 404);
    it_resp_free(&r);
    /* Remove. */
    it_request(&r, "DELETE", it_urlf("ORDER", "/api/cart/items/%lld", a), user, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_INT(lines(&r), 1);
    it_resp_free(&r);
    it_request(&r, "DELETE", it_urlf("ORDER", "/api/cart/items/%lld", a), user, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 404);
    it_resp_free(&r);
    it_request(&r, "DELETE", it_urlf("ORDER", "/api/cart/items/abc"), user, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 404);
    it_resp_free(&r);
    /* Another owner's cart is their own. */
    char *other = it_token("someone-else-cart", "user", 300);
    it_request(&r, "GET", it_urlf("ORDER", "/api/cart"), other, NULL, NULL, NULL);
    CHECK_EQ_INT(lines(&r), 0);
    it_resp_free(&r);
    it_request(&r, "GET", it_urlf("ORDER", "/api/cart"), NULL, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 401);
    it_resp_free(&r);
    ag_free(user);
    ag_free(other);
}

TEST(stock_and_unsellable_products)
{
    struct it_resp r;
    char *user = it_token("cart-stock-user", "user", 300);
    long long few = it_product(admin, "cart-", "active", 500, 3, NULL, 0),
              none = it_product(admin, "cart-", "active", 500, 0, NULL, 0);
    long long draft = it_product(admin, "cart-", "draft", 500, 10, NULL, 0);

    CHECK(few > 0 && none > 0 && draft > 0);
    /* More than the stock: capped at it. */
    CHECK_EQ_INT(add(&r, user, few, 5), 201);
    CHECK_EQ_INT(line_num(&r, 0, "qty"), 3);
    it_resp_free(&r);
    it_request(&r, "PATCH", it_urlf("ORDER", "/api/cart/items/%lld", few), user, NULL,
               "{\"qty\":4}", NULL);
    CHECK_EQ_INT(r.status, 409);
    CHECK_EQ_INT(json_integer_value(json_object_get(
                     json_object_get(json_object_get(r.json, "error"), "details"), "available")),
                 3);
    it_resp_free(&r);
    CHECK_EQ_INT(add(&r, user, none, 1), 409);
    it_resp_free(&r);
    /* Not in the shop (a draft) or no such product at all. */
    CHECK_EQ_INT(add(&r, user, draft, 1), 404);
    it_resp_free(&r);
    CHECK_EQ_INT(add(&r, user, 999999999, 1), 404);
    it_resp_free(&r);
    static const char *const bad[] = {"{\"productId\":0,\"qty\":1}",
                                      "{\"productId\":1,\"qty\":0}",
                                      "{\"productId\":1,\"qty\":100}",
                                      "{\"productId\":\"1\",\"qty\":1}",
                                      "{\"qty\":1}",
                                      "{\"productId\":1,\"qty\":1,\"price\":1}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        it_request(&r, "POST", it_urlf("ORDER", "/api/cart/items"), user, NULL, bad[i], NULL);
        CHECK_EQ_INT(r.status, 400);
        it_resp_free(&r);
    }
    ag_free(user);
}

TEST(a_guest_cart_through_the_gateway)
{
    struct it_resp r;
    const char *const h[] = {it_client_auth_header(), NULL};
    char access[2048];
    long long id = it_product(admin, "cart-", "active", 7000, 20, NULL, 0);

    it_request(&r, "POST", it_urlf("GATEWAY", "/api/auth/guest-token"), NULL, NULL, NULL, h);
    CHECK_EQ_INT(r.status, 200);
    snprintf(access, sizeof(access), "%s", it_data_str(&r, "access_token"));
    it_resp_free(&r);
    char body[96];
    snprintf(body, sizeof(body), "{\"productId\":%lld,\"qty\":2}", id);
    it_request(&r, "POST", it_urlf("GATEWAY", "/api/cart/items"), access, NULL, body, NULL);
    CHECK_EQ_INT(r.status, 201);
    it_resp_free(&r);
    it_request(&r, "GET", it_urlf("GATEWAY", "/api/cart"), access, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_INT(cart_num(&r, "subtotal"), 14000);
    it_resp_free(&r);
}

static long
merge(struct it_resp *r, const char *token, const char *guest_token)
{
    char body[2200];
    snprintf(body, sizeof(body), "{\"guestToken\":\"%s\"}", guest_token);
    it_request(r, "POST", it_urlf("ORDER", "/api/cart/merge"), token, NULL, body, NULL);
    return r->status;
}

TEST(guest_cart_merges_into_the_member_cart)
{
    struct it_resp r;
    char gsub[40], msub[40];
    long long a = it_product(admin, "cart-", "active", 1000, 10, NULL, 0),
              b = it_product(admin, "cart-", "active", 2000, 10, NULL, 0);

    CHECK(a > 0 && b > 0);
    it_unique(gsub, sizeof(gsub), "guest:");
    it_unique(msub, sizeof(msub), "m-");
    char *guest = it_token(gsub, "guest", 300);
    char *member = it_token(msub, "user", 300);
    CHECK_EQ_INT(add(&r, guest, a, 4), 201);
    it_resp_free(&r);
    CHECK_EQ_INT(add(&r, guest, b, 1), 201);
    it_resp_free(&r);
    CHECK_EQ_INT(add(&r, member, a, 8), 201); /* the member had some already */
    it_resp_free(&r);
    CHECK_EQ_INT(merge(&r, member, guest), 200);
    CHECK_EQ_INT(lines(&r), 2);
    CHECK_EQ_INT(line_num(&r, 0, "qty"), 10); /* 8 + 4, capped at the stock of 10 */
    CHECK_EQ_INT(line_num(&r, 1, "qty"), 1);
    it_resp_free(&r);
    it_request(&r, "GET", it_urlf("ORDER", "/api/cart"), guest, NULL, NULL, NULL);
    CHECK_EQ_INT(lines(&r), 0); /* the guest's cart is gone */
    it_resp_free(&r);
    CHECK_EQ_INT(merge(&r, member, guest), 200); /* again: nothing more */
    CHECK_EQ_INT(line_num(&r, 1, "qty"), 1);
    it_resp_free(&r);
    /* Only a guest's valid token is proof; only a member merges. */
    CHECK_EQ_INT(merge(&r, member, member), 400);
    it_resp_free(&r);
    CHECK_EQ_INT(merge(&r, member, "not-a-token"), 400);
    it_resp_free(&r);
    char *expired = it_token(gsub, "guest", -600);
    CHECK_EQ_INT(merge(&r, member, expired), 400);
    it_resp_free(&r);
    CHECK_EQ_INT(merge(&r, guest, guest), 403);
    it_resp_free(&r);
    ag_free(expired);
    ag_free(guest);
    ag_free(member);
}

TEST(storefront_sign_up_keeps_the_guest_cart)
{
    struct jar j = {0};
    struct it_resp r;
    char csrf[128], idem[64], id[40], body[96], form[512];
    long long p = it_product(admin, "cart-", "active", 4500, 10, NULL, 0);

    CHECK(p > 0);
    /* A guest on the sign-up page puts two in the cart… */
    browse(&j, &r, "GET", "/signup", NULL, NULL);
    CHECK(csrf_of(&r, csrf, sizeof(csrf)) != NULL);
    CHECK(field_of(&r, "idem", idem, sizeof(idem)) != NULL);
    it_resp_free(&r);
    const char *guest = jar_get(&j, "access_token");
    CHECK(guest != NULL);
    snprintf(body, sizeof(body), "{\"productId\":%lld,\"qty\":2}", p);
    it_request(&r, "POST", it_urlf("GATEWAY", "/api/cart/items"), guest, NULL, body, NULL);
    CHECK_EQ_INT(r.status, 201);
    it_resp_free(&r);
    /* …and signs up (which signs them in): the cart comes along. */
    it_unique(id, sizeof(id), "cart");
    snprintf(form, sizeof(form),
             "_csrf=%s&idem=%s&id=%s&email=%s%%40example.com&name=Kim&password=" PASSWORD
             "&passwordConfirm=" PASSWORD,
             csrf, idem, id, id);
    browse(&j, &r, "POST", "/signup", form, NULL);
    CHECK_EQ_INT(r.status, 303);
    it_resp_free(&r);
    browse(&j, &r, "GET", "/cart", NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    CHECK(strstr(r.body, " × 2") != NULL);
    it_resp_free(&r);
    it_request(&r, "GET", it_urlf("GATEWAY", "/api/cart"), jar_get(&j, "access_token"), NULL, NULL,
               NULL);
    CHECK_EQ_INT(cart_num(&r, "subtotal"), 9000);
    it_resp_free(&r);

    /* The cart page's forms, without JavaScript: change the quantity, remove, add again as
     * the product page's form does; bad input and a missing CSRF token are refused. */
    browse(&j, &r, "GET", "/cart", NULL, NULL);
    CHECK(csrf_of(&r, csrf, sizeof(csrf)) != NULL);
    it_resp_free(&r);
    char path[64];
    snprintf(path, sizeof(path), "/cart/items/%lld", p);
    snprintf(form, sizeof(form), "_csrf=%s&quantity=3", csrf);
    browse(&j, &r, "POST", path, form, NULL);
    CHECK_EQ_INT(r.status, 303);
    it_resp_free(&r);
    browse(&j, &r, "GET", "/cart", NULL, NULL);
    CHECK(strstr(r.body, " × 3") != NULL);
    CHECK(strstr(r.body, "13,500") != NULL); /* the subtotal, 3 × 4,500 */
    it_resp_free(&r);
    snprintf(form, sizeof(form), "_csrf=%s&quantity=0", csrf);
    browse(&j, &r, "POST", path, form, NULL);
    CHECK_EQ_INT(r.status, 400);
    CHECK(strstr(r.body, "cart-alert") != NULL);
    it_resp_free(&r);
    snprintf(form, sizeof(form), "_csrf=%s&quantity=11", csrf);
    browse(&j, &r, "POST", path, form, NULL);
    CHECK_EQ_INT(r.status, 409); /* 10 in stock */
    it_resp_free(&r);
    snprintf(path, sizeof(path), "/cart/items/%lld/remove", p);
    snprintf(form, sizeof(form), "_csrf=%s", csrf);
    browse(&j, &r, "POST", path, form, NULL);
    CHECK_EQ_INT(r.status, 303);
    it_resp_free(&r);
    browse(&j, &r, "GET", "/cart", NULL, NULL);
    CHECK(strstr(r.body, "cart-lines") == NULL);
    it_resp_free(&r);
    snprintf(form, sizeof(form), "_csrf=%s&productId=%lld&quantity=1", csrf, p);
    browse(&j, &r, "POST", "/cart/items", form, NULL);
    CHECK_EQ_INT(r.status, 303);
    it_resp_free(&r);
    snprintf(form, sizeof(form), "productId=%lld&quantity=1", p);
    browse(&j, &r, "POST", "/cart/items", form, NULL);
    CHECK_EQ_INT(r.status, 403);
    it_resp_free(&r);
    browse(&j, &r, "GET", "/cart", NULL, NULL);
    CHECK(strstr(r.body, " × 1") != NULL);
    it_resp_free(&r);
}

int
main(int argc, char **argv)
{
    static const struct ag_test tests[] = {
        TEST_ENTRY(add_update_remove),
        TEST_ENTRY(stock_and_unsellable_products),
        TEST_ENTRY(a_guest_cart_through_the_gateway),
        TEST_ENTRY(guest_cart_merges_into_the_member_cart),
        TEST_ENTRY(storefront_sign_up_keeps_the_guest_cart),
    };
    it_init();
    admin = it_token("root", "admin", 600);
    int rc = ag_test_main_(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
    ag_free(admin);
    it_cleanup();
    return rc;
}
