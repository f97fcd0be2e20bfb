/*
 * The web service: the storefront's pages rendered on the server, its static assets, and the
 * BFF (/api/…) that turns the visitor's HttpOnly cookies into a Bearer token for the gateway.
 * Shared between its files; nothing here is for other services.
 */
#ifndef WEB_H
#define WEB_H

#include <stddef.h>

#include <jansson.h>

#include "agora/http.h"
#include "agora/httpc.h"
#include "agora/i18n.h"
#include "agora/jwt.h"
#include "agora/netaddr.h"
#include "agora/rate.h"
#include "agora/static.h"
#include "agora/tmpl.h"

#define WEB_CSRF_HEX         32 /* hex digits of the CSRF cookie and of the form token */
#define WEB_MAX_NEXT         512
#define WEB_MAX_TOKEN        1024 /* bytes of a token cookie we accept */
#define WEB_IDEM_HEX         32
#define WEB_COOKIE_LANG      "lang"
#define WEB_COOKIE_CSRF      "csrf_token"
#define WEB_FIELD_CSRF       "_csrf"
#define WEB_HEADER_CSRF      "X-CSRF-Token"
#define WEB_CATALOG_KEYS     2 /* the home page's cached lists: categories, featured products */
#define WEB_CATALOG_TREE     0
#define WEB_CATALOG_FEATURED 1
#define WEB_MAX_SLUG         80 /* bytes of a catalog slug (the catalog's CATALOG_SLUG_MAX) */
#define WEB_PRODUCT_SLOTS                                                                          \
    1024                      /* products the page cache keeps at most (least recently used go)    \
                               */
#define WEB_GUEST_SLOTS 16384 /* client addresses the guest limit tells apart */

struct web_config {
    long long port;
    char *bind;
    long long threads;
    char *public_url;
    char *auth_url;
    char *gateway_url;
    char *client_id;
    char *client_key;
    char *csrf_secret;
    char *jwt_public_key_file;
    char *jwt_extra_public_keys;
    char *jwt_issuer;
    char *jwt_audience;
    char *dir;
    char *htmx_file;
    long long upstream_timeout_ms;
    long long guest_per_min;
    char *trusted_proxies;
    long long catalog_cache_s;
    long long product_cache_s;
    char *log_level;
    int access_log;
};

struct web_cache;

/* The process's state; built in main, read-only while serving but for the cache. */
struct web_app {
    const struct web_config *cfg;
    struct ag_jwt *jwt;
    struct ag_tmpl_set *tmpl;
    struct ag_i18n *i18n;
    struct ag_static *assets;
    struct ag_httpc *auth;    /* auth, directly: login, guest tokens, refresh */
    struct ag_httpc *gateway; /* everything else, through the gateway; never retried */
    struct web_cache *cache;
    struct ag_rate *guest_rate; /* guest sessions per client address; NULL: no limit */
    struct ag_netlist trusted;  /* proxies in front of web whose X-Real-IP names the visitor */
    char client_header[640];    /* "Authorization: Basic …" of the BFF at auth */
    unsigned char csrf_key[32];
    int secure;        /* AGORA_PUBLIC_URL is https: cookies get Secure */
    char origin[256];  /* scheme://host[:port] of AGORA_PUBLIC_URL */
    char css_url[160]; /* cache-busting asset URLs for the layout */
    char htmx_url[160];
};

/* The visitor of one request, from its cookies (visit.c). Borrowed strings live in the arena. */
struct web_visit {
    const char *lang;   /* the page's language */
    const char *access; /* a valid access token, or NULL */
    struct ag_jwt_claims claims;
    const char *refresh;         /* the refresh cookie, or NULL */
    char csrf[WEB_CSRF_HEX + 1]; /* the form token for this visitor's CSRF cookie */
    int signed_in;               /* role user or admin */
};

/* visit.c */
#define WEB_VISIT_GUEST 0x1 /* no token at all: get a guest token (a page view) */
/*
 * Reads the visitor from the request's cookies into 'v': the language, the CSRF cookie (a new
 * one set when missing), the access token when it verifies, else a refresh with the refresh
 * cookie, else (WEB_VISIT_GUEST) a guest token. Sets the cookies that changed. Never fails: a
 * visitor auth cannot serve is shown the page signed out. Returns 0.
 */
int web_visit_begin(struct ag_req *req, struct web_visit *v, unsigned flags);
/* Sets the token cookies from auth's token answer 'tokens' (borrowed). AG_EINTERNAL when the
 * answer is not a usable one. */
int web_visit_tokens_set(struct ag_req *req, struct web_visit *v, const json_t *tokens);
/* After a sign-in that replaced the guest session 'guest_token' (NULL: none): the guest's
 * cart merged into the member's (POST /api/cart/merge). A failure is logged, never fatal. */
void web_cart_merge(struct ag_req *req, struct web_visit *v, const char *guest_token);
/* Clears the token cookies (Max-Age=0) and forgets the tokens in 'v'. */
void web_visit_clear(struct ag_req *req, struct web_visit *v);
/* New tokens for v->refresh: 0; AG_EUNAUTH when refused (cookies cleared); else AG_EUNAVAIL. */
int web_visit_refresh(struct ag_req *req, struct web_visit *v);
/*
 * Signs in at auth with 'login' (an id, or an email when it has '@') and 'password', ending
 * the visitor's guest session; sets the token cookies, and a new CSRF cookie when 'new_csrf'.
 * 0; else AG_EUNAUTH with auth's status in '*status' (401, 429, 400…), or a transport error.
 */
int web_sign_in(struct ag_req *req, struct web_visit *v, const char *login, const char *password,
                int new_csrf, long *status);
/* A new CSRF cookie and form token (at login and logout). */
void web_csrf_rotate(struct ag_req *req, struct web_visit *v);
/* Whether 'token' (may be NULL) is this visitor's form token; constant time. */
int web_csrf_ok(struct ag_req *req, const struct web_visit *v, const char *token);
/* Whether Origin (else Referer) is ours: AGORA_PUBLIC_URL's origin or the Host's; 1 with neither.
 */
int web_origin_ok(struct ag_req *req);
/* Adds a Set-Cookie (Path=/, Secure when https); max_age_s -1 = a session cookie, 0 = delete. */
int web_cookie_set(struct ag_req *req, const char *name, const char *value, long long max_age_s,
                   const char *same_site, int http_only);
/* 'bytes' random bytes as hex into 'out' (2 * bytes + 1). */
void web_random_hex(char *out, size_t bytes);

/* upstream.c */
/*
 * Calls auth directly: 'method' 'path' with 'body' (borrowed, may be NULL) as JSON, the BFF's
 * client key (unless 'extra' carries its own Authorization), the visitor's address and
 * User-Agent, and the NULL-terminated 'extra' header lines. As ag_httpc_request: release 'resp'.
 */
int web_auth_call(struct ag_req *req, const char *method, const char *path, const json_t *body,
                  const char *const *extra, struct ag_httpc_resp *resp);
/*
 * Calls the gateway: 'target' (path and query) with 'len' bytes of JSON 'body', the visitor's
 * token as Bearer and 'extra' headers; on a 401 refreshes once and calls again. As
 * ag_httpc_request.
 */
int web_api_send(struct ag_req *req, struct web_visit *v, const char *method, const char *target,
                 const char *body, size_t len, const char *const *extra,
                 struct ag_httpc_resp *resp);
/* web_api_send with a JSON value (borrowed, may be NULL) and an idempotency key (may be NULL). */
int web_api_call(struct ag_req *req, struct web_visit *v, const char *method, const char *path,
                 const json_t *body, const char *idem, struct ag_httpc_resp *resp);
/*
 * web_api_call for a write that a double click may send twice: while the gateway answers 409
 * BIZ_3003 (the same idempotency key, or the same order, still being worked on), waits a
 * little and asks again, up to about three seconds; then the last answer stands.
 */
int web_api_write(struct ag_req *req, struct web_visit *v, const char *method, const char *path,
                  const json_t *body, const char *idem, struct ag_httpc_resp *resp);
/* The error envelope's code ("BIZ_3003"), and its details; NULL when absent. Borrowed. */
const char *web_resp_code(const struct ag_httpc_resp *resp);
const json_t *web_resp_details(const struct ag_httpc_resp *resp);
/* The error envelope's message, and its details.field; NULL when absent. Borrowed. */
const char *web_resp_message(const struct ag_httpc_resp *resp);
const char *web_resp_field(const struct ag_httpc_resp *resp);
struct web_cache *web_cache_new(void);
void web_cache_free(struct web_cache *c);
/*
 * The catalog's category tree (WEB_CATALOG_TREE) or its most popular products
 * (WEB_CATALOG_FEATURED, a page {items, total…}), cached AGORA_WEB_CATALOG_CACHE_S seconds. A
 * new reference to data the cache shares (read it, never change it), or NULL.
 */
json_t *web_catalog_get(struct ag_req *req, struct web_visit *v, int which);
/* The next web_catalog_get of 'which' asks the catalog again (after an admin write). */
void web_catalog_forget(struct web_app *app, int which);
/*
 * The product 'ref' (its slug, or its id) as the catalog answers a public read (active
 * products only), kept AGORA_WEB_PRODUCT_CACHE_S seconds. A new reference to data the cache
 * shares: read it, never change it. NULL with '*status' 404 (no such product for the public)
 * or 503 (the catalog could not say).
 */
json_t *web_product_get(struct ag_req *req, const char *ref, long *status);
/*
 * Forgets product 'id' and whatever is kept under 'ref' (may be NULL), and the home page's
 * products: after this process wrote the product as an admin. Other replicas of web see the
 * change when their copy runs out.
 */
void web_product_forget(struct web_app *app, json_int_t id, const char *ref);

/* render.c */
/* The context every page shares (texts, language, user, CSRF token, asset URLs); owned. */
json_t *web_page_data(struct ag_req *req, const struct web_visit *v, const char *title_key);
/* Renders 'page' in the layout with 'data' (stolen) and sets the HTML reply (no-store). */
int web_page_reply(struct ag_req *req, int status, const char *page, json_t *data);
/* The same with the Cache-Control 'cache_control' (copied). */
int web_page_reply_cached(struct ag_req *req, int status, const char *page, json_t *data,
                          const char *cache_control);
/*
 * The page's head for search engines: <link rel="canonical"> at AGORA_PUBLIC_URL + 'path' (a
 * local path and query, already escaped for a URL) and <meta name="description"> of
 * 'description' (may be NULL: none).
 */
void web_page_seo(struct ag_req *req, json_t *d, const char *path, const char *description);
/* AGORA_PUBLIC_URL + 'path' (a local path), in the arena. */
const char *web_public_url(struct ag_req *req, const char *path);
/* Percent-encodes 's' for a query value, into the arena. */
const char *web_query_escape(struct ag_arena *a, const char *s);
/*
 * The pager of a list (the pager template's data): links to pages around 'page' of 'pages',
 * each 'base' followed by the page number ("/orders?page="); NULL (no pager) for one page.
 * Owned.
 */
json_t *web_pager(struct ag_req *req, const char *base, long page, long pages);
/* "2026-12-01 21:10 UTC" of an API time ("2026-12-01T21:10:05.123Z"), in the arena; "" for
 * NULL. */
const char *web_time_text(struct ag_req *req, const char *iso);
/* 303 to 'location' (copied). */
int web_redirect(struct ag_req *req, const char *location);
/* 'next' when it is a local path, else "/". */
const char *web_next_path(const char *next);
/* A form post's body into 'form', after its type, Origin and CSRF token; on failure the
 * refusal page is set and a negative code returns. */
int web_form_or_reply(struct ag_req *req, struct web_visit *v, struct ag_uri *form);
/* The text 'key' in the visitor's language; borrowed. */
const char *web_text(struct ag_req *req, const struct web_visit *v, const char *key);
/* The text for an invalid form field (key invalid_<field in lower case>), else 'fallback'. */
const char *web_field_text(struct ag_req *req, const struct web_visit *v, const char *field,
                           const char *fallback);

/* catalog.c: the storefront's catalog pages and what the admin pages share with them. */
/* The name of a catalog object in the visitor's language: nameEn in English, else name. */
const char *web_name_of(const struct web_visit *v, const json_t *obj);
/* 'amount' of 'currency' (NULL: KRW) for the visitor: "129,000원", "₩129,000"; arena. */
const char *web_price_text(struct ag_req *req, const struct web_visit *v, json_int_t amount,
                           const char *currency);
/*
 * The text 'key' with each placeholder of 'pairs' ("{n}", value, …, NULL) replaced by its
 * value; in the arena.
 */
const char *web_text_fill(struct ag_req *req, const struct web_visit *v, const char *key,
                          const char *const *pairs);
/* 'url' when a page may show it: one of our assets, or https; else NULL. Borrowed. */
const char *web_image_url(struct ag_req *req, const char *url);
/* A path parameter that is a slug ([a-z0-9-], 1..WEB_MAX_SLUG), copied into the arena; else
 * NULL. */
const char *web_slug_param(struct ag_req *req, const char *name);
/* A page that says 'heading_key' and 'text_key' with 'status' (a missing product: 404). */
int web_missing_page(struct ag_req *req, struct web_visit *v, int status, const char *heading_key,
                     const char *text_key);
/* The catalog's product summary 'p' (borrowed) as a card of the product grid; owned. */
json_t *web_product_card(struct ag_req *req, const struct web_visit *v, const json_t *p);
/* The cards of an array of summaries; owned. */
json_t *web_product_cards(struct ag_req *req, const struct web_visit *v, const json_t *items);
int web_category(struct ag_req *req);
int web_search(struct ag_req *req);
int web_product(struct ag_req *req);

/* admin_catalog.c: the catalog's admin pages. */
int web_admin_products(struct ag_req *req);
int web_admin_product_new(struct ag_req *req);
int web_admin_product_create(struct ag_req *req);
int web_admin_product(struct ag_req *req);
int web_admin_product_update(struct ag_req *req);
int web_admin_product_stock(struct ag_req *req);
int web_admin_product_archive(struct ag_req *req);
int web_admin_categories(struct ag_req *req);
int web_admin_category_create(struct ag_req *req);
int web_admin_category_update(struct ag_req *req);
int web_admin_category_delete(struct ag_req *req);
/*
 * The start of every admin page: the visitor, and 0 when an admin; otherwise the reply has
 * been set (303 to log in for a guest, 403 for a member) and a negative code returns. 'form'
 * (may be NULL) gets a POST's checked form first.
 */
int web_admin_or_reply(struct ag_req *req, struct web_visit *v, struct ag_uri *form);
/* admin_catalog.c: helpers the catalog's admin pages share (admin_categories.c too). */
const char *web_admin_field(struct ag_req *req, const struct ag_uri *f, const char *name);
json_t *web_admin_idem_new(void);
int web_admin_write(struct ag_req *req, struct web_visit *v, const char *method, const char *path,
                    const json_t *body, const char *idem, struct ag_httpc_resp *resp);
int web_admin_refused_status(int rc, const struct ag_httpc_resp *resp);
void web_admin_optional_text(struct ag_req *req, const struct ag_uri *f, json_t *body,
                             const char *name, int create);
const char *web_admin_id_param(struct ag_req *req);
void web_admin_errors_from(struct ag_req *req, const struct web_visit *v, int rc,
                           const struct ag_httpc_resp *resp, json_t *errors);
void web_admin_saved_notice(struct ag_req *req, const struct web_visit *v, json_t *d,
                            const char *const *known, size_t n, const char *prefix);
int web_admin_number_of(const char *s, long long *out);
json_t *web_admin_category_options(struct ag_req *req, const json_t *tree, const char *chosen,
                                   int max_depth);
json_t *web_admin_fetch(struct ag_req *req, struct web_visit *v, const char *path, long *status);

/* pages.c, account.c, admin.c, bff.c */
extern const struct ag_route web_routes[];
extern const size_t web_nroutes;
extern const struct ag_route web_fallback;
int web_not_found(struct ag_req *req);
/* cart.c: the cart page and its forms */
int web_cart(struct ag_req *req);
int web_cart_add(struct ag_req *req);
int web_cart_update(struct ag_req *req);
int web_cart_remove(struct ag_req *req);
/*
 * The visitor's cart (GET /api/cart) as page data into 'd': items (the lines, priced),
 * has_items, subtotal, shipping (or free_shipping), total and free_hint (how much more for
 * free shipping). 0 with the number of lines in '*lines'; AG_EUNAVAIL when the order service
 * could not say.
 */
int web_cart_view(struct ag_req *req, struct web_visit *v, json_t *d, size_t *lines);
/* checkout.c */
int web_checkout(struct ag_req *req);
int web_checkout_submit(struct ag_req *req);
/* orders.c: the member's orders */
int web_orders(struct ag_req *req);
int web_order(struct ag_req *req);
int web_order_cancel(struct ag_req *req);
/* An order id of the order service ("ord_" and 24 hex digits) in path parameter 'name',
 * copied into the arena; else NULL. */
const char *web_order_id_param(struct ag_req *req, const char *name);
/*
 * The order 'o' (the order service's JSON, borrowed) as page data: its id and link, the
 * status in words, the date, a one-line summary, the lines, the totals, the address, the
 * card, the history and which actions its state allows. Owned.
 */
json_t *web_order_view(struct ag_req *req, const struct web_visit *v, const json_t *o);
/* The words for an order's status ("PAID": "결제 완료") and for a reason code
 * ("payment_declined:insufficient_funds": "잔액 부족"; an unknown code as it is). Borrowed. */
const char *web_order_status_text(struct ag_req *req, const struct web_visit *v,
                                  const char *status);
const char *web_order_reason_text(struct ag_req *req, const struct web_visit *v,
                                  const char *reason);
/* admin_orders.c: every order, for admins */
int web_admin_orders(struct ag_req *req);
int web_admin_order_action(struct ag_req *req);
int web_account(struct ag_req *req);
int web_account_profile(struct ag_req *req);
int web_account_password(struct ag_req *req);
int web_account_address_add(struct ag_req *req);
int web_account_address_delete(struct ag_req *req);
int web_account_session_delete(struct ag_req *req);
int web_bff(struct ag_req *req);
int web_admin(struct ag_req *req);

#endif
