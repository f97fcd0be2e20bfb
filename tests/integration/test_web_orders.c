/*
 * The storefront's checkout and order pages over HTTP against the real stack (web → gateway
 * → order → catalog, payment, the sandbox provider): the cart's shipping and total, a member
 * who checks out with a new address and the approving card (303 to the order, PAID in
 * Korean and English, the product, in the history, the same form twice one order), cancel;
 * a declined card (402 with the reason in words, the cart kept), a bad card and missing
 * address fields next to their fields; a slow payment shown as being confirmed until it is
 * paid; a saved address preselected; guests sent to log in, posts without the CSRF token
 * refused, someone else's order not found; and the admin's order list shipping, delivering
 * and refunding an order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ag_test.h"
#include "itest.h"
#include "webtest.h"

#include "agora/mem.h"

#define APPROVE      "4242424242424242"
#define APPROVE_FORM "4242+4242+4242+4242" /* as typed, with spaces */
#define DECLINE      "4000000000009995"
#define STOLEN       "4000000000009979"
#define SLOW         "4000000000000077"
#define NEW_ADDRESS                                                                                \
    "address=new&recipient=Kim+Haneul&phone=010-1234-5678&postalCode=06236"                        \
    "&line1=Teheran-ro+152&line2=12F"

static char *admin; /* a catalog admin's token, for the test's own products */

/* A product made for one test; its id (-1 on failure) and its Korean name in 'name'. */
static long long
product_make(long long price, long long stock, char *name, size_t size)
{
    struct it_resp r;
    char body[512], slug[40], url[200];

    it_unique(slug, sizeof(slug), "weborder-");
    snprintf(name, size, "웹주문 %s", slug);
    snprintf(body, sizeof(body),
             "{\"slug\":\"%s\",\"name\":\"%s\",\"nameEn\":\"Web order %s\",\"price\":%lld,"
             "\"status\":\"active\",\"category\":\"shoes\",\"stock\":%lld}",
             slug, name, slug, price, stock);
    snprintf(url, sizeof(url), "%s/api/products", it_url("CATALOG"));
    it_request(&r, "POST", url, admin, NULL, body, NULL);
    long long id =
        r.status == 201
            ? (long long)json_integer_value(json_object_get(json_object_get(r.json, "data"), "id"))
            : -1;
    it_resp_free(&r);
    return id;
}

/* The CSRF token of page 'path' as 'j' sees it (NULL when the page has none). */
static const char *
csrf_at(struct jar *j, const char *path, char *buf, size_t size)
{
    struct it_resp r;
    browse(j, &r, "GET", path, NULL, NULL);
    const char *t = csrf_of(&r, buf, size);
    it_resp_free(&r);
    return t;
}

/* The product page's form: 'qty' of product 'id' into the cart; the answer's status. */
static long
cart_add(struct jar *j, long long id, int qty)
{
    struct it_resp r;
    char csrf[64], form[160];

    if (csrf_at(j, "/cart", csrf, sizeof(csrf)) == NULL) {
        return -1;
    }
    snprintf(form, sizeof(form), "_csrf=%s&productId=%lld&quantity=%d", csrf, id, qty);
    browse(j, &r, "POST", "/cart/items", form, NULL);
    long status = r.status;
    it_resp_free(&r);
    return status;
}

/* GET /checkout: 200 with the form's CSRF token and key (else a failed check in the caller). */
static long
checkout_open(struct jar *j, struct it_resp *r, char *csrf, char *idem, size_t size)
{
    browse(j, r, "GET", "/checkout", NULL, NULL);
    if (csrf_of(r, csrf, size) == NULL || field_of(r, "idem", idem, size) == NULL) {
        csrf[0] = idem[0] = '\0';
    }
    return r->status;
}

/* POST /checkout with the page's token and key, 'fields' (address…) and 'card'. */
static long
checkout_post(struct jar *j, struct it_resp *r, const char *csrf, const char *idem,
              const char *fields, const char *card)
{
    char form[1024];
    snprintf(form, sizeof(form), "_csrf=%s&idem=%s&%s&cardNumber=%s", csrf, idem, fields, card);
    browse(j, r, "POST", "/checkout", form, NULL);
    return r->status;
}

/* The order id of a 303 to /orders/{id}?placed=1 into 'id'; 0, or -1 when it is not one. */
static int
placed_id(const struct it_resp *r, char *id, size_t size)
{
    char loc[200];
    if (r->status != 303 || it_header(r, "Location", loc, sizeof(loc)) == NULL ||
        strncmp(loc, "/orders/ord_", 12) != 0 || strstr(loc, "?placed=1") == NULL) {
        return -1;
    }
    snprintf(id, size, "%.*s", (int)(strchr(loc, '?') - loc - 8), loc + 8);
    return strlen(id) == 28 ? 0 : -1;
}

/* A paid order of a new member's through the pages; the order id in 'id', 0 or -1. */
static int
buy(struct jar *j, char *id, size_t size, char *name, size_t namesize)
{
    struct it_resp r = {0};
    char login[40], csrf[64], idem[64];

    long long p = product_make(21000, 5, name, namesize);
    if (p < 0 || sign_up(j, login, sizeof(login)) != 303 || cart_add(j, p, 1) != 303 ||
        checkout_open(j, &r, csrf, idem, sizeof(csrf)) != 200) {
        it_resp_free(&r);
        return -1;
    }
    it_resp_free(&r);
    checkout_post(j, &r, csrf, idem, NEW_ADDRESS, APPROVE);
    int rc = placed_id(&r, id, size);
    it_resp_free(&r);
    return rc;
}

/* GET 'path' and whether its body has 'text'. */
static int
page_has(struct jar *j, const char *path, const char *text)
{
    struct it_resp r;
    browse(j, &r, "GET", path, NULL, NULL);
    int ok = r.status == 200 && r.body != NULL && strstr(r.body, text) != NULL;
    it_resp_free(&r);
    return ok;
}

/* The cart page says the shipping fee, the total, how much more ships free, and links to
 * checkout. */
TEST(cart_shows_shipping_and_total)
{
    struct jar j;
    struct it_resp r;
    char login[40], name[80];

    long long p = product_make(12000, 5, name, sizeof(name));
    CHECK(p > 0);
    CHECK_EQ_INT(sign_up(&j, login, sizeof(login)), 303);
    CHECK_EQ_INT(cart_add(&j, p, 1), 303);
    browse(&j, &r, "GET", "/cart", NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    CHECK(strstr(r.body, "<dd id=\"cart-shipping\">3,000원</dd>") != NULL);
    CHECK(strstr(r.body, "<strong>15,000원</strong>") != NULL); /* 12,000 + 3,000 */
    CHECK(strstr(r.body, "38,000원 더 담으면 무료 배송") != NULL);
    CHECK(strstr(r.body, "href=\"/checkout\"") != NULL);
    it_resp_free(&r);
    /* Three more: 48,000, still under 50,000; four more (60,000) ships free. */
    CHECK_EQ_INT(cart_add(&j, p, 4), 303);
    browse(&j, &r, "GET", "/cart", NULL, NULL);
    CHECK(strstr(r.body, "<dd id=\"cart-shipping\">무료 배송</dd>") != NULL);
    CHECK(strstr(r.body, "<strong>60,000원</strong>") != NULL);
    CHECK(strstr(r.body, "cart-free-hint") == NULL);
    it_resp_free(&r);
}

/*
 * A member checks out with a new address and the approving card: 303 to the order, which is
 * PAID (in words) with the product; the history lists it; the same form again is the same
 * order; cancel makes it CANCELLED. The card number never shows.
 */
TEST(checkout_pays_and_the_order_shows)
{
    struct jar j, other;
    struct it_resp r;
    char login[40], name[80], csrf[64], idem[64], id[40], path[80], form[160];

    long long p = product_make(27000, 5, name, sizeof(name));
    CHECK(p > 0);
    CHECK_EQ_INT(sign_up(&j, login, sizeof(login)), 303);
    CHECK_EQ_INT(cart_add(&j, p, 2), 303);
    CHECK_EQ_INT(checkout_open(&j, &r, csrf, idem, sizeof(csrf)), 200);
    CHECK(csrf[0] != '\0' && strlen(idem) == 32);
    CHECK(strstr(r.body, name) != NULL);
    CHECK(strstr(r.body, "<strong>54,000원</strong>") != NULL); /* free shipping from 50,000 */
    CHECK(strstr(r.body, "id=\"checkout-address-new\" checked") != NULL); /* no saved ones */
    CHECK(strstr(r.body, "4000 0000 0000 9995") != NULL);                 /* the test cards */
    CHECK(strstr(r.body, "잔액 부족") != NULL);
    it_resp_free(&r);
    /* A new key per rendered form. */
    char idem2[64], csrf2[64];
    CHECK_EQ_INT(checkout_open(&j, &r, csrf2, idem2, sizeof(csrf2)), 200);
    CHECK(strcmp(idem, idem2) != 0);
    it_resp_free(&r);

    CHECK_EQ_INT(checkout_post(&j, &r, csrf, idem, NEW_ADDRESS, APPROVE_FORM), 303);
    CHECK_EQ_INT(placed_id(&r, id, sizeof(id)), 0);
    it_resp_free(&r);
    snprintf(path, sizeof(path), "/orders/%s?placed=1", id);
    browse(&j, &r, "GET", path, NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    CHECK(strstr(r.body, "id=\"order-status\">결제 완료</span>") != NULL);
    CHECK(strstr(r.body, "주문해 주셔서 감사합니다") != NULL);
    CHECK(strstr(r.body, "주문 접수") != NULL); /* the history's first event */
    CHECK(strstr(r.body, name) != NULL);
    CHECK(strstr(r.body, "Kim Haneul") != NULL && strstr(r.body, "Teheran-ro 152") != NULL);
    CHECK(strstr(r.body, "•••• 4242") != NULL);
    CHECK(strstr(r.body, APPROVE) == NULL);
    CHECK(strstr(r.body, "http-equiv=\"refresh\"") == NULL); /* nothing left to wait for */
    snprintf(path, sizeof(path), "action=\"/orders/%s/cancel\"", id);
    CHECK(strstr(r.body, path) != NULL);
    it_resp_free(&r);
    /* The cart is empty now; the history lists the order. */
    CHECK(page_has(&j, "/cart", "cart-lines") == 0);
    snprintf(path, sizeof(path), "href=\"/orders/%s\"", id);
    CHECK(page_has(&j, "/orders", path));
    CHECK(page_has(&j, "/orders", "결제 완료"));
    /* The same form again (a double click): the same order, nothing more. */
    char again[40];
    CHECK_EQ_INT(checkout_post(&j, &r, csrf, idem, NEW_ADDRESS, APPROVE_FORM), 303);
    CHECK_EQ_INT(placed_id(&r, again, sizeof(again)), 0);
    CHECK_EQ_STR(again, id);
    it_resp_free(&r);
    /* Someone else sees no such order. */
    char login2[40];
    CHECK_EQ_INT(sign_up(&other, login2, sizeof(login2)), 303);
    snprintf(path, sizeof(path), "/orders/%s", id);
    browse(&other, &r, "GET", path, NULL, NULL);
    CHECK_EQ_INT(r.status, 404);
    CHECK(strstr(r.body, name) == NULL);
    it_resp_free(&r);

    /* Cancel: without the token refused, with it 303 back, then CANCELLED (and in English). */
    snprintf(path, sizeof(path), "/orders/%s/cancel", id);
    browse(&j, &r, "POST", path, "x=1", NULL);
    CHECK_EQ_INT(r.status, 403);
    it_resp_free(&r);
    snprintf(form, sizeof(form), "_csrf=%s", csrf);
    browse(&j, &r, "POST", path, form, NULL);
    CHECK_EQ_INT(r.status, 303);
    char loc[120], want[120];
    snprintf(want, sizeof(want), "/orders/%s?cancelled=1", id);
    CHECK_EQ_STR(it_header(&r, "Location", loc, sizeof(loc)), want);
    it_resp_free(&r);
    browse(&j, &r, "GET", want, NULL, NULL);
    CHECK(strstr(r.body, "id=\"order-status\">취소됨</span>") != NULL);
    CHECK(strstr(r.body, "고객이 취소함") != NULL);
    CHECK(strstr(r.body, "/cancel\"") == NULL); /* no cancel button any more */
    it_resp_free(&r);
    jar_put(&j, "lang", "en");
    snprintf(path, sizeof(path), "/orders/%s", id);
    CHECK(page_has(&j, path, "id=\"order-status\">Cancelled</span>"));
    CHECK(page_has(&j, "/orders", "Cancelled"));
    /* No such order to cancel. */
    browse(&j, &r, "POST", "/orders/ord_000000000000000000000000/cancel", form, NULL);
    CHECK_EQ_INT(r.status, 404);
    it_resp_free(&r);
}

/* A declined card: 402, the reason in words, the cart kept; bad fields next to the fields. */
TEST(a_declined_card_keeps_the_cart)
{
    struct jar j;
    struct it_resp r;
    char login[40], name[80], csrf[64], idem[64], next[64];

    long long p = product_make(9000, 3, name, sizeof(name));
    CHECK(p > 0);
    CHECK_EQ_INT(sign_up(&j, login, sizeof(login)), 303);
    CHECK_EQ_INT(cart_add(&j, p, 1), 303);
    CHECK_EQ_INT(checkout_open(&j, &r, csrf, idem, sizeof(csrf)), 200);
    it_resp_free(&r);
    CHECK_EQ_INT(checkout_post(&j, &r, csrf, idem, NEW_ADDRESS, DECLINE), 402);
    CHECK(strstr(r.body, "카드가 거절되었습니다 (잔액 부족)") != NULL);
    CHECK(strstr(r.body, "id=\"checkout-alert\"") != NULL);
    CHECK(strstr(r.body, DECLINE) == NULL);                /* never echoed */
    CHECK(strstr(r.body, "value=\"Kim Haneul\"") != NULL); /* the address as entered */
    CHECK(strstr(r.body, name) != NULL);                   /* the cart, still there */
    CHECK_NOT_NULL(field_of(&r, "idem", next, sizeof(next)));
    CHECK(strcmp(next, idem) != 0); /* a declined key stays declined: a new one */
    it_resp_free(&r);
    CHECK(page_has(&j, "/cart", " × 1"));
    /* Another card that is declined for another reason, in English. */
    jar_put(&j, "lang", "en");
    CHECK_EQ_INT(checkout_post(&j, &r, csrf, next, NEW_ADDRESS, STOLEN), 402);
    CHECK(strstr(r.body, "Your card was declined (stolen card)") != NULL);
    it_resp_free(&r);
    jar_put(&j, "lang", "ko");
    /* A number that is not a card, and a new address without its fields. */
    CHECK_EQ_INT(checkout_open(&j, &r, csrf, idem, sizeof(csrf)), 200);
    it_resp_free(&r);
    CHECK_EQ_INT(checkout_post(&j, &r, csrf, idem, NEW_ADDRESS, "4242424242424241"), 400);
    CHECK(strstr(r.body, "id=\"checkout-card-error\"") != NULL);
    it_resp_free(&r);
    CHECK_EQ_INT(checkout_open(&j, &r, csrf, idem, sizeof(csrf)), 200);
    it_resp_free(&r);
    CHECK_EQ_INT(checkout_post(&j, &r, csrf, idem, "address=new&recipient=Kim&line2=x", APPROVE),
                 400);
    CHECK(strstr(r.body, "id=\"checkout-phone-error\"") != NULL);
    CHECK(strstr(r.body, "id=\"checkout-postal-error\"") != NULL);
    CHECK(strstr(r.body, "id=\"checkout-line1-error\"") != NULL);
    CHECK(strstr(r.body, "id=\"checkout-recipient-error\"") == NULL);
    it_resp_free(&r);
    /* A bad key is refused before the order service. */
    CHECK_EQ_INT(checkout_post(&j, &r, csrf, "short", NEW_ADDRESS, APPROVE), 400);
    it_resp_free(&r);
    CHECK(page_has(&j, "/cart", " × 1"));
    CHECK(page_has(&j, "/orders", "orders-none") == 0); /* the declined orders are listed */
}

/* A payment that answers late: the order page says it is being confirmed, then PAID. */
TEST(a_slow_payment_shows_pending_then_paid)
{
    struct jar j;
    struct it_resp r;
    char login[40], name[80], csrf[64], idem[64], id[40], path[80];

    long long p = product_make(30000, 3, name, sizeof(name));
    CHECK(p > 0);
    CHECK_EQ_INT(sign_up(&j, login, sizeof(login)), 303);
    CHECK_EQ_INT(cart_add(&j, p, 1), 303);
    CHECK_EQ_INT(checkout_open(&j, &r, csrf, idem, sizeof(csrf)), 200);
    it_resp_free(&r);
    CHECK_EQ_INT(checkout_post(&j, &r, csrf, idem, NEW_ADDRESS, SLOW), 303);
    CHECK_EQ_INT(placed_id(&r, id, sizeof(id)), 0);
    it_resp_free(&r);
    snprintf(path, sizeof(path), "/orders/%s?placed=1", id);
    browse(&j, &r, "GET", path, NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    CHECK(strstr(r.body, "id=\"order-status\">결제 확인 중</span>") != NULL);
    CHECK(strstr(r.body, "<meta http-equiv=\"refresh\" content=\"2\">") != NULL);
    CHECK(strstr(r.body, "hx-trigger=\"every 2s\"") != NULL);
    /* The reload link (the template escapes '=' in attributes, as it does everywhere). */
    snprintf(path, sizeof(path), "<a href=\"/orders/%s?placed&#61;1\">", id);
    CHECK(strstr(r.body, path) != NULL);
    CHECK(strstr(r.body, "/cancel\"") == NULL);
    it_resp_free(&r);
    snprintf(path, sizeof(path), "/orders/%s", id);
    int paid = 0;
    for (int i = 0; i < 200 && !paid; i++) {
        paid = page_has(&j, path, "id=\"order-status\">결제 완료</span>");
        usleep(100 * 1000);
    }
    CHECK(paid);
    CHECK(page_has(&j, path, "http-equiv=\"refresh\"") == 0);
}

/* A saved address is preselected, and an order to it carries it. */
TEST(a_saved_address_is_preselected)
{
    struct jar j;
    struct it_resp r;
    char login[40], name[80], csrf[64], idem[64], aid[64], id[40], fields[120], path[80];

    long long p = product_make(15000, 3, name, sizeof(name));
    CHECK(p > 0);
    CHECK_EQ_INT(sign_up(&j, login, sizeof(login)), 303);
    CHECK_NOT_NULL(csrf_at(&j, "/account", csrf, sizeof(csrf)));
    char form[300];
    snprintf(form, sizeof(form),
             "_csrf=%s&recipient=Park+Saved&phone=02-123-4567&postalCode=04524"
             "&line1=Sejong-daero+110",
             csrf);
    browse(&j, &r, "POST", "/account/addresses", form, NULL);
    CHECK_EQ_INT(r.status, 303);
    it_resp_free(&r);
    CHECK_EQ_INT(cart_add(&j, p, 1), 303);
    CHECK_EQ_INT(checkout_open(&j, &r, csrf, idem, sizeof(csrf)), 200);
    CHECK_NOT_NULL(field_of(&r, "address", aid, sizeof(aid))); /* the first choice: the saved */
    CHECK(strcmp(aid, "new") != 0);
    char want[120];
    snprintf(want, sizeof(want), "value=\"%s\" checked", aid);
    CHECK(strstr(r.body, want) != NULL);
    CHECK(strstr(r.body, "id=\"checkout-address-new\" checked") == NULL);
    it_resp_free(&r);
    snprintf(fields, sizeof(fields), "address=%s", aid);
    CHECK_EQ_INT(checkout_post(&j, &r, csrf, idem, fields, APPROVE), 303);
    CHECK_EQ_INT(placed_id(&r, id, sizeof(id)), 0);
    it_resp_free(&r);
    snprintf(path, sizeof(path), "/orders/%s", id);
    CHECK(page_has(&j, path, "Park Saved"));
    CHECK(page_has(&j, path, "Sejong-daero 110"));
}

/* Guests are sent to log in; posts without the CSRF token are refused; an empty cart says so. */
TEST(checkout_needs_a_member_and_the_csrf_token)
{
    struct jar guest, j;
    struct it_resp r;
    char csrf[64], login[40], loc[120], form[400];

    CHECK_EQ_INT(first_view(&guest, "/login", csrf, sizeof(csrf)), 0);
    static const char *const pages[][2] = {{"/checkout", "/login?next=/checkout"},
                                           {"/orders", "/login?next=/orders"}};
    for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
        browse(&guest, &r, "GET", pages[i][0], NULL, NULL);
        CHECK_EQ_INT(r.status, 303);
        CHECK_EQ_STR(it_header(&r, "Location", loc, sizeof(loc)), pages[i][1]);
        it_resp_free(&r);
    }
    snprintf(form, sizeof(form),
             "_csrf=%s&idem=abcdefgh12345678&" NEW_ADDRESS "&cardNumber=" APPROVE, csrf);
    browse(&guest, &r, "POST", "/checkout", form, NULL);
    CHECK_EQ_INT(r.status, 303);
    CHECK_EQ_STR(it_header(&r, "Location", loc, sizeof(loc)), "/login?next=/checkout");
    it_resp_free(&r);
    /* The login page takes the member back to checkout. */
    browse(&guest, &r, "GET", "/login?next=/checkout", NULL, NULL);
    CHECK(strstr(r.body, "name=\"next\" value=\"/checkout\"") != NULL);
    it_resp_free(&r);

    CHECK_EQ_INT(sign_up(&j, login, sizeof(login)), 303);
    browse(&j, &r, "GET", "/checkout", NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    CHECK(strstr(r.body, "id=\"checkout-empty\"") != NULL);
    CHECK(strstr(r.body, "href=\"/products\"") != NULL);
    CHECK(strstr(r.body, "name=\"cardNumber\"") == NULL);
    it_resp_free(&r);
    browse(&j, &r, "POST", "/checkout", "idem=abcdefgh12345678&" NEW_ADDRESS "&cardNumber=" APPROVE,
           NULL);
    CHECK_EQ_INT(r.status, 403);
    it_resp_free(&r);
    /* An empty cart at the order service too. */
    CHECK_NOT_NULL(csrf_at(&j, "/checkout", csrf, sizeof(csrf)));
    snprintf(form, sizeof(form),
             "_csrf=%s&idem=abcdefgh12345678&" NEW_ADDRESS "&cardNumber=" APPROVE, csrf);
    browse(&j, &r, "POST", "/checkout", form, NULL);
    CHECK_EQ_INT(r.status, 409);
    CHECK(strstr(r.body, "id=\"checkout-empty\"") != NULL);
    it_resp_free(&r);
    /* Orders that are not there; the header links the history for members only. */
    browse(&j, &r, "GET", "/orders/ord_000000000000000000000000", NULL, NULL);
    CHECK_EQ_INT(r.status, 404);
    it_resp_free(&r);
    browse(&j, &r, "GET", "/orders/nope", NULL, NULL);
    CHECK_EQ_INT(r.status, 404);
    it_resp_free(&r);
    CHECK(page_has(&j, "/orders", "id=\"orders-none\""));
    CHECK(page_has(&j, "/", "href=\"/orders\""));
    CHECK(page_has(&guest, "/", "href=\"/orders\"") == 0);
}

/* The admin's order list: ship, then deliver, then refund; members and guests kept out. */
TEST(admin_ships_and_delivers_an_order)
{
    struct jar member, adm, guest;
    struct it_resp r;
    char id[40], name[80], csrf[64], form[160], path[120], want[160], loc[160];

    CHECK_EQ_INT(buy(&member, id, sizeof(id), name, sizeof(name)), 0);
    CHECK_EQ_INT(log_in(&adm, "admin", admin_password()), 303);
    CHECK(page_has(&adm, "/admin", "href=\"/admin/orders\""));
    browse(&adm, &r, "GET", "/admin/orders?status=PAID", NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    snprintf(want, sizeof(want), "action=\"/admin/orders/%s/ship\"", id);
    CHECK(strstr(r.body, want) != NULL);
    snprintf(want, sizeof(want), "action=\"/admin/orders/%s/deliver\"", id);
    CHECK(strstr(r.body, want) == NULL);
    CHECK(strstr(r.body, "<option value=\"PAID\" selected>") != NULL);
    CHECK_NOT_NULL(csrf_of(&r, csrf, sizeof(csrf)));
    it_resp_free(&r);

    snprintf(path, sizeof(path), "/admin/orders/%s/ship", id);
    snprintf(form, sizeof(form), "_csrf=%s&status=PAID&page=1", csrf);
    browse(&adm, &r, "POST", path, form, NULL);
    CHECK_EQ_INT(r.status, 303);
    CHECK_EQ_STR(it_header(&r, "Location", loc, sizeof(loc)),
                 "/admin/orders?status=PAID&page=1&done=ship");
    it_resp_free(&r);
    CHECK(page_has(&adm, "/admin/orders?status=PAID&page=1&done=ship", "발송 처리했습니다."));
    snprintf(want, sizeof(want), "action=\"/admin/orders/%s/deliver\"", id);
    CHECK(page_has(&adm, "/admin/orders?status=SHIPPED", want));
    snprintf(path, sizeof(path), "/orders/%s", id);
    CHECK(page_has(&member, path, "id=\"order-status\">배송 중</span>"));
    CHECK(page_has(&member, path, "/cancel\"") == 0); /* shipped: too late to cancel */

    snprintf(path, sizeof(path), "/admin/orders/%s/deliver", id);
    snprintf(form, sizeof(form), "_csrf=%s&status=SHIPPED&page=1", csrf);
    browse(&adm, &r, "POST", path, form, NULL);
    CHECK_EQ_INT(r.status, 303);
    it_resp_free(&r);
    snprintf(path, sizeof(path), "/orders/%s", id);
    CHECK(page_has(&member, path, "id=\"order-status\">배송 완료</span>"));
    CHECK(page_has(&adm, path, "id=\"order-status\">배송 완료</span>")); /* admins see any */
    /* Shipping it again is refused, with the reason on the list. */
    snprintf(path, sizeof(path), "/admin/orders/%s/ship", id);
    browse(&adm, &r, "POST", path, form, NULL);
    CHECK_EQ_INT(r.status, 409);
    CHECK(strstr(r.body, "id=\"admin-orders-alert\"") != NULL);
    it_resp_free(&r);
    snprintf(path, sizeof(path), "/admin/orders/%s/refund", id);
    browse(&adm, &r, "POST", path, form, NULL);
    CHECK_EQ_INT(r.status, 303);
    it_resp_free(&r);
    snprintf(path, sizeof(path), "/orders/%s", id);
    CHECK(page_has(&member, path, "id=\"order-status\">환불됨</span>"));
    /* Not an action, not for members, not for guests, not without the token. */
    snprintf(path, sizeof(path), "/admin/orders/%s/explode", id);
    browse(&adm, &r, "POST", path, form, NULL);
    CHECK_EQ_INT(r.status, 404);
    it_resp_free(&r);
    browse(&member, &r, "GET", "/admin/orders", NULL, NULL);
    CHECK_EQ_INT(r.status, 403);
    it_resp_free(&r);
    snprintf(path, sizeof(path), "/admin/orders/%s/ship", id);
    CHECK_NOT_NULL(csrf_at(&member, "/orders", csrf, sizeof(csrf)));
    snprintf(form, sizeof(form), "_csrf=%s", csrf);
    browse(&member, &r, "POST", path, form, NULL);
    CHECK_EQ_INT(r.status, 403);
    it_resp_free(&r);
    browse(&adm, &r, "POST", path, "status=PAID", NULL);
    CHECK_EQ_INT(r.status, 403);
    it_resp_free(&r);
    CHECK_EQ_INT(first_view(&guest, "/login", csrf, sizeof(csrf)), 0);
    browse(&guest, &r, "GET", "/admin/orders", NULL, NULL);
    CHECK_EQ_INT(r.status, 303);
    CHECK_EQ_STR(it_header(&r, "Location", loc, sizeof(loc)), "/login?next=/admin/orders");
    it_resp_free(&r);
}

int
main(int argc, char **argv)
{
    static const struct ag_test tests[] = {
        TEST_ENTRY(cart_shows_shipping_and_total),
        TEST_ENTRY(checkout_pays_and_the_order_shows),
        TEST_ENTRY(a_declined_card_keeps_the_cart),
        TEST_ENTRY(a_slow_payment_shows_pending_then_paid),
        TEST_ENTRY(a_saved_address_is_preselected),
        TEST_ENTRY(checkout_needs_a_member_and_the_csrf_token),
        TEST_ENTRY(admin_ships_and_delivers_an_order),
    };
    it_init();
    admin = it_token("root", "admin", 600);
    int rc = ag_test_main_(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
    ag_free(admin);
    it_cleanup();
    return rc;
}
