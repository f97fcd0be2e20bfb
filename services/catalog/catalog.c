/*
 * The catalog's rules with no HTTP or SQL in them: what a slug, an order id and an image URL
 * may be, the sorts, a reservation's items, and the category tree.
 */
#include "catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "agora/err.h"

static int
is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int
catalog_slug_check(struct ag_str s, const char **why)
{
    int letter = 0;

    *why = "want 1..80 of a-z, 0-9 and single inner hyphens, with a letter";
    if (s.len == 0 || s.len > CATALOG_SLUG_MAX || s.ptr[0] == '-' || s.ptr[s.len - 1] == '-') {
        return AG_EINVAL;
    }
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (c == '-' && s.ptr[i + 1] == '-') {
            return AG_EINVAL;
        }
        if (c != '-' && !is_lower_alnum(c)) {
            return AG_EINVAL;
        }
        letter |= c >= 'a' && c <= 'z';
    }
    return letter ? 0 : AG_EINVAL;
}

/* 1..18 digits: an id (slugs always hold a letter, so the two never meet). */
int
catalog_ref_is_id(struct ag_str ref)
{
    if (ref.len == 0 || ref.len > 18) {
        return 0;
    }
    for (size_t i = 0; i < ref.len; i++) {
        if (ref.ptr[i] < '0' || ref.ptr[i] > '9') {
            return 0;
        }
    }
    return 1;
}

int
catalog_order_id_check(struct ag_str s, const char **why)
{
    *why = "want 1..64 of A-Z, a-z, 0-9, '_' and '-'";
    if (s.len == 0 || s.len > CATALOG_ORDER_ID_MAX) {
        return AG_EINVAL;
    }
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (!is_lower_alnum(c) && !(c >= 'A' && c <= 'Z') && c != '_' && c != '-') {
            return AG_EINVAL;
        }
    }
    return 0;
}

/*
 * A site path ("/static/img/p/x.svg") or an https URL, printable ASCII with no quotes, angle
 * brackets or back slashes: it ends up in src attributes, never as a javascript: or data: URL.
 */
int
catalog_image_url_check(struct ag_str s, const char **why)
{
    *why = "want a path starting with '/' or an https:// URL, up to 500 characters";
    if (s.len == 0 || s.len > CATALOG_IMAGE_URL_MAX) {
        return AG_EINVAL;
    }
    int path = s.ptr[0] == '/' && (s.len == 1 || s.ptr[1] != '/');
    int https = s.len > 8 && strncmp(s.ptr, "https://", 8) == 0;
    if (!path && !https) {
        return AG_EINVAL;
    }
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (c <= ' ' || c >= 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\') {
            return AG_EINVAL;
        }
    }
    return 0;
}

int
catalog_sort_parse(const char *s, enum catalog_sort *out)
{
    static const struct {
        const char *name;
        enum catalog_sort sort;
    } sorts[] = {
        {"relevance", CATALOG_SORT_RELEVANCE}, {"price", CATALOG_SORT_PRICE},
        {"-price", CATALOG_SORT_PRICE_DESC},   {"new", CATALOG_SORT_NEW},
        {"popular", CATALOG_SORT_POPULAR},
    };
    for (size_t i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++) {
        if (strcmp(s, sorts[i].name) == 0) {
            *out = sorts[i].sort;
            return 0;
        }
    }
    return AG_EINVAL;
}

static int
item_cmp(const void *a, const void *b)
{
    const struct reservation_item *x = a, *y = b;
    return (x->product_id > y->product_id) - (x->product_id < y->product_id);
}

/* Sorts the items by product (the order stock rows are locked in) and refuses duplicates. */
int
catalog_items_normalize(struct reservation_item *items, size_t n, const char **why)
{
    qsort(items, n, sizeof(*items), item_cmp);
    for (size_t i = 1; i < n; i++) {
        if (items[i].product_id == items[i - 1].product_id) {
            *why = "each productId may appear once";
            return AG_EINVAL;
        }
    }
    return 0;
}

/* SHA-256 of the sorted "id:qty," list: what a retry of the same reservation must match. */
void
catalog_items_fingerprint(const struct reservation_item *items, size_t n, char out[65])
{
    crypto_hash_sha256_state st;
    unsigned char h[crypto_hash_sha256_BYTES];
    char buf[48];

    crypto_hash_sha256_init(&st);
    for (size_t i = 0; i < n; i++) {
        int len = snprintf(buf, sizeof(buf), "%lld:%lld,", items[i].product_id, items[i].qty);
        crypto_hash_sha256_update(&st, (const unsigned char *)buf, (size_t)len);
    }
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

/*
 * The tree of 'rows' (an array of categories ordered by depth, each with 'id', 'parentId' and
 * its own 'productCount'; borrowed): top-level categories, each with 'children', and every
 * 'productCount' summed over its sub-categories. Returns a new array (the rows' objects are
 * shared, so the rows must not change afterwards).
 */
json_t *
catalog_tree_build(json_t *rows)
{
    size_t n = json_array_size(rows);
    json_t *top = json_array();

    for (size_t i = 0; i < n; i++) {
        json_object_set_new(json_array_get(rows, i), "children", json_array());
    }
    /* Deepest first, so that each count is complete before it is added to the parent's. */
    for (size_t i = n; i-- > 0;) {
        json_t *c = json_array_get(rows, i);
        json_int_t parent = json_integer_value(json_object_get(c, "parentId"));
        if (parent == 0) {
            continue;
        }
        for (size_t j = 0; j < n; j++) {
            json_t *p = json_array_get(rows, j);
            if (json_integer_value(json_object_get(p, "id")) != parent) {
                continue;
            }
            json_array_insert(json_object_get(p, "children"), 0, c);
            json_int_t sum = json_integer_value(json_object_get(p, "productCount")) +
                             json_integer_value(json_object_get(c, "productCount"));
            json_object_set_new(p, "productCount", json_integer(sum));
            break;
        }
    }
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_array_get(rows, i);
        if (json_is_null(json_object_get(c, "parentId"))) {
            json_array_append(top, c);
        }
    }
    return top;
}

/*
 * Copies the JSON text 'src' to 'dst' (room for 'n' bytes) without the white space outside
 * strings that PostgreSQL's json_build_object puts around ':' and ','. Returns the length.
 */
size_t
catalog_json_compact(char *dst, const char *src, size_t n)
{
    size_t out = 0;
    int in_string = 0;

    for (size_t i = 0; i < n; i++) {
        char c = src[i];
        if (in_string) {
            dst[out++] = c;
            if (c == '\\' && i + 1 < n) {
                dst[out++] = src[++i];
            } else if (c == '"') {
                in_string = 0;
            }
            continue;
        }
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            continue;
        }
        in_string = c == '"';
        dst[out++] = c;
    }
    return out;
}
