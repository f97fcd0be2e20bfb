/*
 * The storefront's catalog pages: a category with its products, the search results and a
 * product, each with its filters, pages and head for search engines; and what the home and
 * the admin pages share with them (names in the visitor's language, prices, product cards).
 *
 * Every listing is a plain GET form and plain links, so it works without JavaScript; the
 * catalog answers public reads without a token, so what web asks is the same for everyone.
 * The pages carry the visitor's CSRF token and header, so no shared cache may keep them:
 * they go out "private, no-cache" (the browser's back button may show its own copy).
 */
#include "web.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agora/err.h"
#include "agora/log.h"
#include "agora/static.h"

#define LIST_SIZE        24    /* products of a listing page */
#define LIST_MAX_PAGE    10000 /* the catalog's CATALOG_PAGE_MAX */
#define LIST_MAX_QUERY   200   /* bytes of a search query (CATALOG_QUERY_MAX) */
#define PRICE_MAX_DIGITS 12
#define PAGER_SPAN       2 /* page links each side of the current one */
#define META_CHARS       150
#define CART_MAX_QTY     999
#define PAGE_CACHE       "private, no-cache"

/* 'en_key' of 'obj' in English when it is there and not empty, else 'key'; "" when neither. */
static const char *
lang_field(const struct web_visit *v, const json_t *obj, const char *key, const char *en_key)
{
    const char *en = json_string_value(json_object_get(obj, en_key));
    if (strcmp(v->lang, "en") == 0 && en != NULL && en[0] != '\0') {
        return en;
    }
    const char *text = json_string_value(json_object_get(obj, key));
    return text != NULL ? text : "";
}

const char *
web_name_of(const struct web_visit *v, const json_t *obj)
{
    return lang_field(v, obj, "name", "nameEn");
}

const char *
web_text_fill(struct ag_req *req, const struct web_visit *v, const char *key,
              const char *const *pairs)
{
    const char *text = web_text(req, v, key);
    size_t len = 0;

    /* Two passes: the length, then the bytes. */
    for (int pass = 0; pass < 2; pass++) {
        char *out = pass == 1 ? ag_arena_alloc(req->arena, len + 1) : NULL;
        size_t o = 0;
        for (const char *p = text; *p != '\0';) {
            size_t k = 0;
            while (pairs[k] != NULL && strncmp(p, pairs[k], strlen(pairs[k])) != 0) {
                k += 2;
            }
            const char *piece = pairs[k] != NULL ? pairs[k + 1] : p;
            size_t n = pairs[k] != NULL ? strlen(piece) : 1;
            if (out != NULL) {
                memcpy(out + o, piece, n);
            }
            o += n;
            p += pairs[k] != NULL ? strlen(pairs[k]) : 1;
        }
        if (out != NULL) {
            out[o] = '\0';
            return out;
        }
        len = o;
    }
    return text;
}

const char *
web_price_text(struct ag_req *req, const struct web_visit *v, json_int_t amount,
               const char *currency)
{
    char digits[32], grouped[48];
    int n = snprintf(digits, sizeof(digits), "%lld", (long long)(amount > 0 ? amount : 0));
    size_t o = 0;

    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0) {
            grouped[o++] = ',';
        }
        grouped[o++] = digits[i];
    }
    grouped[o] = '\0';
    if (currency != NULL && strcmp(currency, "KRW") != 0) {
        return ag_arena_printf(req->arena, "%s %.3s", grouped, currency);
    }
    const char *const pairs[] = {"{n}", grouped, NULL};
    return web_text_fill(req, v, "price_krw", pairs);
}

const char *
web_image_url(struct ag_req *req, const char *url)
{
    const struct web_app *app = req->app;

    if (url == NULL) {
        return NULL;
    }
    if (strncmp(url, "https://", 8) == 0) {
        return url;
    }
    size_t n = strcspn(url, "?#");
    return url[0] == '/' && ag_static_find(app->assets, url, n) != NULL ? url : NULL;
}

const char *
web_slug_param(struct ag_req *req, const char *name)
{
    struct ag_str p = ag_req_param(req, name);
    if (p.len == 0 || p.len > WEB_MAX_SLUG) {
        return NULL;
    }
    for (size_t i = 0; i < p.len; i++) {
        char c = p.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
            return NULL;
        }
    }
    return ag_arena_strndup(req->arena, p.ptr, p.len);
}

int
web_missing_page(struct ag_req *req, struct web_visit *v, int status, const char *heading_key,
                 const char *text_key)
{
    json_t *d = web_page_data(req, v, "notfound_title");
    json_object_set_new(d, "missing_heading", json_string(web_text(req, v, heading_key)));
    json_object_set_new(d, "missing_text", json_string(web_text(req, v, text_key)));
    json_object_set_new(d, "noindex", json_true());
    return web_page_reply(req, status, "notfound", d);
}

/* The catalog could not answer: a 503 page. */
static int
unavailable_page(struct ag_req *req, struct web_visit *v)
{
    json_t *d = web_page_data(req, v, "error_title");
    json_object_set_new(d, "message", json_string(web_text(req, v, "products_unavailable")));
    return web_page_reply(req, 503, "error", d);
}

json_t *
web_product_card(struct ag_req *req, const struct web_visit *v, const json_t *p)
{
    const char *slug = json_string_value(json_object_get(p, "slug"));
    const char *brand = json_string_value(json_object_get(p, "brand"));
    const char *currency = json_string_value(json_object_get(p, "currency"));
    const char *state = json_string_value(json_object_get(json_object_get(p, "stock"), "state"));
    json_int_t price = json_integer_value(json_object_get(p, "price"));
    const json_t *sale = json_object_get(p, "salePrice");
    const char *image = web_image_url(req, json_string_value(json_object_get(p, "imageUrl")));

    json_t *c = json_object();
    json_object_set_new(c, "id", json_integer(json_integer_value(json_object_get(p, "id"))));
    json_object_set_new(c, "slug", json_string(slug != NULL ? slug : ""));
    json_object_set_new(c, "href",
                        json_string(ag_arena_printf(req->arena, "/products/%s", slug ? slug : "")));
    json_object_set_new(c, "name", json_string(web_name_of(v, p)));
    json_object_set_new(c, "brand",
                        brand != NULL && brand[0] != '\0' ? json_string(brand) : json_null());
    json_object_set_new(c, "image", image != NULL ? json_string(image) : json_null());
    json_object_set_new(c, "price", json_string(web_price_text(req, v, price, currency)));
    json_int_t sale_price = json_integer_value(sale);
    if (json_is_integer(sale) && sale_price < price && price > 0) {
        json_object_set_new(c, "sale", json_string(web_price_text(req, v, sale_price, currency)));
        json_object_set_new(c, "discount", json_integer((price - sale_price) * 100 / price));
    } else {
        json_object_set_new(c, "sale", json_false());
    }
    json_object_set_new(c, "sold_out", json_boolean(state != NULL && strcmp(state, "out") == 0));
    return c;
}

json_t *
web_product_cards(struct ag_req *req, const struct web_visit *v, const json_t *items)
{
    json_t *cards = json_array();
    size_t i;
    const json_t *p;

    json_array_foreach(items, i, p)
    {
        json_array_append_new(cards, web_product_card(req, v, p));
    }
    return cards;
}

/* ---- listings: a category's products and the search results ---- */

/* A listing's query, from the page's own query string, checked so the catalog accepts it. */
struct list_query {
    const char *q;        /* trimmed; NULL: none */
    const char *category; /* a slug; NULL: every category */
    const char *min;      /* digits; NULL: none */
    const char *max;
    const char *sort; /* one the catalog knows; NULL: its default */
    long page;
};

static const char *const sorts[] = {"relevance", "new", "popular", "price", "-price"};
static const char *const sort_keys[] = {"sort_relevance", "sort_new", "sort_popular", "sort_price",
                                        "sort_price_desc"};
#define NSORTS (sizeof(sorts) / sizeof(sorts[0]))

/* A price filter: digits (commas and spaces dropped), at most PRICE_MAX_DIGITS; else NULL. */
static const char *
price_arg(struct ag_req *req, const char *name)
{
    const char *s = ag_req_query(req, name);
    char digits[PRICE_MAX_DIGITS + 1];
    size_t n = 0;

    for (const char *p = s; p != NULL && *p != '\0'; p++) {
        if (*p == ',' || *p == ' ') {
            continue;
        }
        if (*p < '0' || *p > '9' || n == PRICE_MAX_DIGITS) {
            return NULL;
        }
        digits[n++] = *p;
    }
    while (n > 1 && digits[0] == '0') {
        memmove(digits, digits + 1, --n);
    }
    return n > 0 ? ag_arena_strndup(req->arena, digits, n) : NULL;
}

/* The search text: trimmed, cut at LIST_MAX_QUERY bytes (on a character), NULL when empty. */
static const char *
query_arg(struct ag_req *req)
{
    const char *q = ag_req_query(req, "q");
    if (q == NULL) {
        return NULL;
    }
    while (*q == ' ' || *q == '\t') {
        q++;
    }
    size_t n = strlen(q);
    if (n > LIST_MAX_QUERY) {
        n = LIST_MAX_QUERY;
        while (n > 0 && ((unsigned char)q[n] & 0xc0) == 0x80) {
            n--; /* not inside a UTF-8 sequence */
        }
    }
    while (n > 0 && (q[n - 1] == ' ' || q[n - 1] == '\t')) {
        n--;
    }
    return n > 0 ? ag_arena_strndup(req->arena, q, n) : NULL;
}

static void
list_query_read(struct ag_req *req, struct list_query *lq)
{
    memset(lq, 0, sizeof(*lq));
    lq->q = query_arg(req);
    lq->min = price_arg(req, "minPrice");
    lq->max = price_arg(req, "maxPrice");
    const char *sort = ag_req_query(req, "sort");
    for (size_t i = 0; sort != NULL && i < NSORTS; i++) {
        if (strcmp(sort, sorts[i]) == 0 && (i > 0 || lq->q != NULL)) {
            lq->sort = sorts[i];
        }
    }
    const char *page = ag_req_query(req, "page");
    char *end = NULL;
    lq->page = page != NULL ? strtol(page, &end, 10) : 1;
    if (page != NULL && (end == page || *end != '\0')) {
        lq->page = 1;
    }
    if (lq->page < 1 || lq->page > LIST_MAX_PAGE) {
        lq->page = 1;
    }
}

/*
 * The query string of 'lq' for 'page' (0: without the page), each part after 'sep' ('?' or
 * '&' for the first one); "" when there is nothing to say.
 */
static const char *
list_args(struct ag_req *req, const struct list_query *lq, long page, int with_category, char first)
{
    struct ag_arena *a = req->arena;
    const char *s = "";
    const struct {
        const char *name;
        const char *value;
    } args[] = {
        {"q", lq->q},          {"category", with_category ? lq->category : NULL},
        {"minPrice", lq->min}, {"maxPrice", lq->max},
        {"sort", lq->sort},
    };
    for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
        if (args[i].value != NULL) {
            s = ag_arena_printf(a, "%s%c%s=%s", s, s[0] == '\0' ? first : '&', args[i].name,
                                web_query_escape(a, args[i].value));
        }
    }
    if (page > 1) {
        s = ag_arena_printf(a, "%s%cpage=%ld", s, s[0] == '\0' ? first : '&', page);
    }
    return s;
}

/* The filter form: its action, the values entered, the sorts with the chosen one. */
static json_t *
filters_view(struct ag_req *req, const struct web_visit *v, const char *action,
             const struct list_query *lq, int with_category)
{
    json_t *f = json_pack("{s:s,s:s,s:s,s:s}", "action", action, "q", lq->q ? lq->q : "", "min",
                          lq->min ? lq->min : "", "max", lq->max ? lq->max : "");
    const char *chosen = lq->sort != NULL ? lq->sort : lq->q != NULL ? "relevance" : "new";
    json_t *options = json_array();
    for (size_t i = lq->q != NULL ? 0 : 1; i < NSORTS; i++) {
        json_array_append_new(options, json_pack("{s:s,s:s,s:b}", "value", sorts[i], "label",
                                                 web_text(req, v, sort_keys[i]), "selected",
                                                 strcmp(sorts[i], chosen) == 0));
    }
    json_object_set_new(f, "sorts", options);
    json_object_set_new(f, "has_q", json_boolean(lq->q != NULL));
    json_object_set_new(f, "category",
                        with_category && lq->category ? json_string(lq->category) : json_null());
    return f;
}

static json_t *
pager_link(struct ag_req *req, const char *path, const struct list_query *lq, long n, long page,
           int with_category)
{
    const char *href =
        ag_arena_printf(req->arena, "%s%s", path, list_args(req, lq, n, with_category, '?'));
    return json_pack("{s:I,s:s,s:b,s:b}", "n", (json_int_t)n, "href", href, "current", n == page,
                     "gap", 0);
}

/* Previous and next links and the page numbers around this one (with the first and last). */
static json_t *
pager_view(struct ag_req *req, const char *path, const struct list_query *lq, long pages,
           int with_category)
{
    long page = lq->page;
    long from = page - PAGER_SPAN > 1 ? page - PAGER_SPAN : 1;
    long to = page + PAGER_SPAN < pages ? page + PAGER_SPAN : pages;
    json_t *p = json_object();
    json_t *links = json_array();

    if (from > 1) {
        json_array_append_new(links, pager_link(req, path, lq, 1, page, with_category));
    }
    if (from > 2) {
        json_array_append_new(links, json_pack("{s:b}", "gap", 1));
    }
    for (long n = from; n <= to; n++) {
        json_array_append_new(links, pager_link(req, path, lq, n, page, with_category));
    }
    if (to < pages - 1) {
        json_array_append_new(links, json_pack("{s:b}", "gap", 1));
    }
    if (to < pages) {
        json_array_append_new(links, pager_link(req, path, lq, pages, page, with_category));
    }
    json_object_set_new(p, "links", links);
    json_object_set_new(
        p, "prev",
        page > 1 ? json_string(ag_arena_printf(req->arena, "%s%s", path,
                                               list_args(req, lq, page - 1, with_category, '?')))
                 : json_null());
    json_object_set_new(p, "next",
                        page < pages ? json_string(ag_arena_printf(
                                           req->arena, "%s%s", path,
                                           list_args(req, lq, page + 1, with_category, '?')))
                                     : json_null());
    return p;
}

/*
 * Asks the catalog for the products of 'lq' and fills the page data 'd': the cards, the
 * count, the pager and the filters of the page at 'path'. Returns the page's status: 200, 400
 * (the catalog refused a filter) or 503.
 */
static int
list_fill(struct ag_req *req, struct web_visit *v, const char *path, const struct list_query *lq,
          int with_category, json_t *d)
{
    struct ag_httpc_resp resp;
    struct web_visit anon = {.lang = v->lang};

    json_object_set_new(d, "filters", filters_view(req, v, path, lq, with_category));
    const char *target = ag_arena_printf(req->arena, "/api/products?size=%d%s", LIST_SIZE,
                                         list_args(req, lq, lq->page, 1, '&'));
    int rc = web_api_send(req, &anon, "GET", target, NULL, 0, NULL, &resp);
    long status = rc == 0 ? resp.status : 503;
    json_t *data = status == 200 ? json_object_get(resp.json, "data") : NULL;
    json_t *items = json_object_get(data, "items");
    if (!json_is_array(items)) {
        const char *key = status == 400 ? "list_bad_filter" : "products_unavailable";
        json_object_set_new(d, "alert", json_string(web_text(req, v, key)));
        ag_httpc_resp_release(&resp);
        return status == 400 ? 400 : 503;
    }
    json_int_t total = json_integer_value(json_object_get(data, "total"));
    json_int_t pages = json_integer_value(json_object_get(data, "pages"));
    json_object_set_new(d, "products", web_product_cards(req, v, items));
    json_object_set_new(d, "has_products", json_boolean(json_array_size(items) > 0));
    char count[32];
    snprintf(count, sizeof(count), "%lld", (long long)total);
    const char *const pairs[] = {"{n}", count, NULL};
    json_object_set_new(d, "total_text", json_string(web_text_fill(req, v, "list_total", pairs)));
    json_object_set_new(d, "total", json_integer(total));
    if (pages > 1) {
        json_object_set_new(d, "pager", pager_view(req, path, lq, (long)pages, with_category));
    }
    ag_httpc_resp_release(&resp);
    return 200;
}

/* A crumb of the breadcrumbs: a category (a link unless 'current'). */
static json_t *
crumb(struct ag_req *req, const struct web_visit *v, const json_t *cat, int current)
{
    const char *slug = json_string_value(json_object_get(cat, "slug"));
    return json_pack("{s:s,s:s,s:b}", "name", web_name_of(v, cat), "href",
                     ag_arena_printf(req->arena, "/categories/%s", slug != NULL ? slug : ""),
                     "current", current);
}

static int
slug_is(const json_t *obj, const char *slug)
{
    const char *own = json_string_value(json_object_get(obj, "slug"));
    return own != NULL && slug != NULL && strcmp(own, slug) == 0;
}

/* The first crumb: home. */
static json_t *
crumbs_new(struct ag_req *req, const struct web_visit *v)
{
    json_t *crumbs = json_array();
    json_array_append_new(crumbs, json_pack("{s:s,s:s,s:b}", "name", web_text(req, v, "crumb_home"),
                                            "href", "/", "current", 0));
    return crumbs;
}

/* The category's heading, breadcrumbs (from its 'path') and sub-categories into 'd'. */
static void
category_view(struct ag_req *req, const struct web_visit *v, const json_t *cat, json_t *d)
{
    const char *name = web_name_of(v, cat);
    json_object_set_new(d, "title", json_string(name));
    json_object_set_new(d, "heading", json_string(name));
    json_t *crumbs = crumbs_new(req, v);
    json_t *path = json_object_get(cat, "path");
    for (size_t i = 0; i < json_array_size(path); i++) {
        json_array_append_new(
            crumbs, crumb(req, v, json_array_get(path, i), i + 1 == json_array_size(path)));
    }
    json_object_set_new(d, "has_crumbs", json_true());
    json_object_set_new(d, "crumbs", crumbs);
    json_t *subs = json_array();
    size_t i;
    json_t *child;
    json_array_foreach(json_object_get(cat, "children"), i, child)
    {
        json_t *s = crumb(req, v, child, 0);
        json_object_set_new(
            s, "count", json_integer(json_integer_value(json_object_get(child, "productCount"))));
        json_array_append_new(subs, s);
    }
    json_object_set_new(d, "has_subcategories", json_boolean(json_array_size(subs) > 0));
    json_object_set_new(d, "subcategories", subs);
}

/* GET /categories/{slug}[?minPrice=&maxPrice=&sort=&page=] */
int
web_category(struct ag_req *req)
{
    struct web_visit v;
    struct ag_httpc_resp resp;
    struct list_query lq;

    const char *slug = web_slug_param(req, "slug");
    if (slug == NULL) {
        return web_not_found(req);
    }
    web_visit_begin(req, &v, WEB_VISIT_GUEST);
    struct web_visit anon = {.lang = v.lang};
    const char *api = ag_arena_printf(req->arena, "/api/categories/%s", slug);
    int rc = web_api_send(req, &anon, "GET", api, NULL, 0, NULL, &resp);
    json_t *cat = rc == 0 && resp.status == 200 ? json_object_get(resp.json, "data") : NULL;
    if (!json_is_object(cat)) {
        long status = rc == 0 ? resp.status : 503;
        ag_httpc_resp_release(&resp);
        return status == 404 ? web_missing_page(req, &v, 404, "category_missing_heading",
                                                "category_missing_text")
                             : unavailable_page(req, &v);
    }
    json_t *d = web_page_data(req, &v, "category_title");
    category_view(req, &v, cat, d);
    ag_httpc_resp_release(&resp); /* 'cat' goes with it */

    list_query_read(req, &lq);
    lq.q = NULL; /* a category page lists; the search page searches */
    if (lq.sort != NULL && strcmp(lq.sort, "relevance") == 0) {
        lq.sort = NULL;
    }
    lq.category = slug;
    const char *here = ag_arena_printf(req->arena, "/categories/%s", slug);
    int status = list_fill(req, &v, here, &lq, 0, d);
    /* The canonical page keeps its number; filters and sorts show the same products. */
    char count[32];
    snprintf(count, sizeof(count), "%lld",
             (long long)json_integer_value(json_object_get(d, "total")));
    const char *const pairs[] = {"{name}", json_string_value(json_object_get(d, "heading")), "{n}",
                                 count, NULL};
    const char *page = lq.page > 1 ? ag_arena_printf(req->arena, "?page=%ld", lq.page) : "";
    web_page_seo(req, d, ag_arena_printf(req->arena, "%s%s", here, page),
                 web_text_fill(req, &v, "category_meta", pairs));
    if (status == 200 && json_integer_value(json_object_get(d, "total")) == 0) {
        json_object_set_new(d, "no_results", json_string(web_text(req, &v, "list_empty")));
    }
    return web_page_reply_cached(req, status, "category", d, PAGE_CACHE);
}

/* GET /products?q=&category=&minPrice=&maxPrice=&sort=&page= */
int
web_search(struct ag_req *req)
{
    struct web_visit v;
    struct list_query lq;

    web_visit_begin(req, &v, WEB_VISIT_GUEST);
    list_query_read(req, &lq);
    const char *category = ag_req_query(req, "category");
    struct ag_str cs = {category, category != NULL ? strlen(category) : 0};
    for (size_t i = 0; i < cs.len && cs.len <= WEB_MAX_SLUG; i++) {
        char c = cs.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
            cs.len = 0;
        }
    }
    lq.category = cs.len > 0 && cs.len <= WEB_MAX_SLUG ? category : NULL;
    json_t *d = web_page_data(req, &v, "products_title");
    json_object_set_new(d, "q", json_string(lq.q != NULL ? lq.q : ""));
    if (lq.q != NULL) {
        const char *const pairs[] = {"{q}", lq.q, NULL};
        json_object_set_new(d, "title",
                            json_string(web_text_fill(req, &v, "search_title_for", pairs)));
        json_object_set_new(d, "heading_q", json_string(lq.q));
    }
    /* Results are not pages of their own for search engines; the canonical keeps the query. */
    json_object_set_new(d, "noindex", json_true());
    struct list_query canon = {.q = lq.q, .page = lq.page};
    web_page_seo(
        req, d,
        ag_arena_printf(req->arena, "/products%s", list_args(req, &canon, canon.page, 0, '?')),
        web_text(req, &v, "search_meta"));
    int status = list_fill(req, &v, "/products", &lq, 1, d);
    if (status == 200 && json_integer_value(json_object_get(d, "total")) == 0) {
        const char *const pairs[] = {"{q}", lq.q != NULL ? lq.q : "", NULL};
        const char *text = lq.q != NULL ? web_text_fill(req, &v, "search_none", pairs)
                                        : web_text(req, &v, "list_empty");
        json_object_set_new(d, "no_results", json_string(text));
    }
    return web_page_reply_cached(req, status, "products", d, PAGE_CACHE);
}

/* ---- the product page ---- */

/*
 * The breadcrumbs to category 'cat' ({id, slug, name, nameEn}) from the cached tree (three
 * levels at most), ending with the product itself; just the category when the tree does not
 * have it (yet).
 */
static json_t *
product_crumbs(struct ag_req *req, struct web_visit *v, const json_t *cat, const char *name)
{
    json_t *crumbs = crumbs_new(req, v);
    const char *slug = json_string_value(json_object_get(cat, "slug"));
    json_t *tree = slug != NULL ? web_catalog_get(req, v, WEB_CATALOG_TREE) : NULL;
    const json_t *found[3] = {NULL, NULL, NULL};
    size_t i, j, k;
    json_t *a, *b, *c;

    json_array_foreach(tree, i, a)
    {
        json_array_foreach(json_object_get(a, "children"), j, b)
        {
            json_array_foreach(json_object_get(b, "children"), k, c)
            {
                if (slug_is(c, slug)) {
                    found[0] = a, found[1] = b, found[2] = c;
                }
            }
            if (slug_is(b, slug)) {
                found[0] = a, found[1] = b;
            }
        }
        if (slug_is(a, slug)) {
            found[0] = a;
        }
    }
    if (found[0] == NULL && slug != NULL) {
        found[0] = cat;
    }
    for (i = 0; i < 3 && found[i] != NULL; i++) {
        json_array_append_new(crumbs, crumb(req, v, found[i], 0));
    }
    json_decref(tree);
    json_array_append_new(crumbs,
                          json_pack("{s:s,s:s,s:b}", "name", name, "href", "", "current", 1));
    return crumbs;
}

/* The first META_CHARS characters of 'text' on one line, "…" when cut; arena. */
static const char *
meta_of(struct ag_req *req, const char *text)
{
    size_t n = strlen(text), chars = 0, o = 0;
    char *out = ag_arena_alloc(req->arena, n + 4);
    int space = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t') {
            space = o > 0;
            continue;
        }
        if ((ch & 0xc0) != 0x80 && chars == META_CHARS) {
            memcpy(out + o, "\xe2\x80\xa6", 3); /* … */
            o += 3;
            break;
        }
        if (space) {
            out[o++] = ' ';
            chars++;
            space = 0;
        }
        chars += (ch & 0xc0) != 0x80;
        out[o++] = (char)ch;
    }
    out[o] = '\0';
    return out;
}

/* The gallery: the chosen image (?image=N, from 1) big, every image as a link to choose it. */
static void
gallery_view(struct ag_req *req, const json_t *p, json_t *view)
{
    const char *pick = ag_req_query(req, "image");
    long chosen = pick != NULL ? strtol(pick, NULL, 10) : 1;
    json_t *thumbs = json_array();
    const char *main_image = NULL;
    size_t i;
    json_t *img;

    json_array_foreach(json_object_get(p, "images"), i, img)
    {
        const char *url = web_image_url(req, json_string_value(img));
        if (url == NULL) {
            continue;
        }
        long n = (long)json_array_size(thumbs) + 1;
        if (n == chosen || main_image == NULL) {
            main_image = url;
        }
        json_array_append_new(thumbs, json_pack("{s:s,s:s,s:I,s:b}", "src", url, "href",
                                                ag_arena_printf(req->arena, "?image=%ld", n), "n",
                                                (json_int_t)n, "current", n == chosen));
    }
    json_object_set_new(view, "image", main_image != NULL ? json_string(main_image) : json_null());
    json_object_set_new(view, "has_thumbs", json_boolean(json_array_size(thumbs) > 1));
    json_object_set_new(view, "thumbs", thumbs);
}

/* The stock line: in stock, only N left, sold out. */
static void
stock_view(struct ag_req *req, const struct web_visit *v, const json_t *p, json_t *view)
{
    const json_t *stock = json_object_get(p, "stock");
    const char *state = json_string_value(json_object_get(stock, "state"));
    json_int_t available = json_integer_value(json_object_get(stock, "available"));
    char n[32];

    snprintf(n, sizeof(n), "%lld", (long long)available);
    const char *const pairs[] = {"{n}", n, NULL};
    const char *text = state == NULL || strcmp(state, "out") == 0 ? web_text(req, v, "stock_out")
                       : strcmp(state, "low") == 0 ? web_text_fill(req, v, "stock_low", pairs)
                                                   : web_text(req, v, "stock_in");
    json_object_set_new(view, "stock_text", json_string(text));
    json_object_set_new(view, "stock_state", json_string(state != NULL ? state : "out"));
    json_int_t max = available < CART_MAX_QTY ? available : CART_MAX_QTY;
    json_object_set_new(view, "max_qty", json_integer(max > 0 ? max : 1));
}

/* What the product page shows of product 'p'. */
static json_t *
product_view(struct ag_req *req, const struct web_visit *v, const json_t *p)
{
    json_t *view = web_product_card(req, v, p);
    const char *description = lang_field(v, p, "description", "descriptionEn");
    json_object_set_new(view, "description",
                        description[0] != '\0' ? json_string(description) : json_null());
    json_t *attrs = json_array();
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)(uintptr_t)json_object_get(p, "attributes"), key, val)
    {
        if (json_is_string(val)) {
            json_array_append_new(
                attrs, json_pack("{s:s,s:s}", "name", key, "value", json_string_value(val)));
        }
    }
    json_object_set_new(view, "has_attributes", json_boolean(json_array_size(attrs) > 0));
    json_object_set_new(view, "attributes", attrs);
    gallery_view(req, p, view);
    stock_view(req, v, p, view);
    return view;
}

/* GET /products/{slug}[?image=N] */
int
web_product(struct ag_req *req)
{
    struct web_visit v;
    long status = 0;

    const char *slug = web_slug_param(req, "slug");
    if (slug == NULL) {
        return web_not_found(req);
    }
    web_visit_begin(req, &v, WEB_VISIT_GUEST);
    json_t *p = web_product_get(req, slug, &status);
    if (p == NULL) {
        return status == 404 ? web_missing_page(req, &v, 404, "product_missing_heading",
                                                "product_missing_text")
                             : unavailable_page(req, &v);
    }
    json_t *d = web_page_data(req, &v, "product_title");
    json_t *view = product_view(req, &v, p);
    const char *name = web_name_of(&v, p);
    json_object_set_new(d, "title", json_string(name));
    json_object_set_new(d, "has_crumbs", json_true());
    json_object_set_new(d, "crumbs", product_crumbs(req, &v, json_object_get(p, "category"), name));
    const char *own = json_string_value(json_object_get(p, "slug"));
    const char *description = lang_field(&v, p, "description", "descriptionEn");
    web_page_seo(req, d, ag_arena_printf(req->arena, "/products/%s", own != NULL ? own : slug),
                 description[0] != '\0' ? meta_of(req, description) : name);
    const char *image = json_string_value(json_object_get(view, "image"));
    json_t *og_image = image == NULL     ? json_null()
                       : image[0] == '/' ? json_string(web_public_url(req, image))
                                         : json_string(image);
    json_object_set_new(d, "og", json_pack("{s:s,s:o}", "type", "product", "image", og_image));
    json_object_set_new(d, "product", view);
    json_decref(p);
    return web_page_reply_cached(req, 200, "product", d, PAGE_CACHE);
}
