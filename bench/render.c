/*
 * The time to render the storefront's home page alone (templates and texts from web/, the
 * data web builds for a guest), without HTTP: bench/run's "web" scenario prints it beside the
 * page's throughput. Two pages: the home page as it is now (no catalog yet) and one with 12
 * products and 8 categories, as it will be with the catalog.
 * Usage: agora-bench-render WEB_DIR [renders]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <jansson.h>

#include "agora/i18n.h"
#include "agora/mem.h"
#include "agora/tmpl.h"

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The context web_page_data builds for a guest's home page (web/render.c). */
static json_t *
guest_home(const struct ag_i18n *i18n, int full)
{
    json_t *d = json_object();
    json_object_set(d, "t", (json_t *)(uintptr_t)ag_i18n_catalog(i18n, "ko"));
    json_object_set_new(d, "lang", json_string("ko"));
    json_object_set_new(d, "lang_ko", json_true());
    json_object_set_new(d, "csrf", json_string("0123456789abcdef0123456789abcdef"));
    json_object_set_new(d, "css",
                        json_string("/static/app.css?v=0123456789abcdef0123456789abcdef"));
    json_object_set_new(d, "htmx",
                        json_string("/static/htmx.min.js?v=0123456789abcdef0123456789abcdef"));
    json_object_set_new(d, "here", json_string("/"));
    json_object_set_new(d, "title", json_string("홈"));
    json_object_set_new(d, "cart_count", json_integer(0));
    if (full) {
        json_t *cats = json_array(), *prods = json_array();
        for (int i = 0; i < 8; i++) {
            char slug[32], name[64];
            snprintf(slug, sizeof(slug), "category-%d", i);
            snprintf(name, sizeof(name), "카테고리 %d", i);
            json_array_append_new(cats, json_pack("{s:s,s:s}", "slug", slug, "name", name));
        }
        for (int i = 0; i < 12; i++) {
            char name[64], img[96];
            snprintf(name, sizeof(name), "상품 이름 %d <특가>", i);
            snprintf(img, sizeof(img), "https://img.example.com/p/%d.jpg", i);
            json_array_append_new(prods, json_pack("{s:i,s:s,s:s,s:s}", "id", i, "name", name,
                                                   "price", "12,900원", "imageUrl", img));
        }
        json_object_set_new(d, "categories", cats);
        json_object_set_new(d, "has_categories", json_true());
        json_object_set_new(d, "products", prods);
        json_object_set_new(d, "has_products", json_true());
    }
    return d;
}

static int
run(const struct ag_tmpl_set *set, const json_t *data, const char *what, long n)
{
    struct ag_arena a;
    char *out;
    size_t len = 0;
    double best = 1e9;

    /* Batches of n/10; the fastest batch is the figure (the machine is shared and noisy). */
    for (int b = 0; b < 10; b++) {
        double t0 = now_s();
        for (long i = 0; i < n / 10; i++) {
            ag_arena_init(&a);
            if (ag_tmpl_render_layout(set, "layout", "home", data, &a, &out, &len) < 0) {
                fprintf(stderr, "render failed\n");
                return 1;
            }
            ag_arena_release(&a);
        }
        double per = (now_s() - t0) / (double)(n / 10);
        best = per < best ? per : best;
    }
    printf("render %s: %zu bytes, %.1f us per render (%.0f renders/s on one core)\n", what, len,
           best * 1e6, 1.0 / best);
    return 0;
}

int
main(int argc, char **argv)
{
    char path[4096], err[512];

    if (argc < 2) {
        fprintf(stderr, "usage: agora-bench-render WEB_DIR [renders]\n");
        return 2;
    }
    long n = argc > 2 ? atol(argv[2]) : 20000;
    struct ag_tmpl_set *set = ag_tmpl_set_new();
    struct ag_i18n *i18n = ag_i18n_new("ko");
    snprintf(path, sizeof(path), "%s/templates", argv[1]);
    int rc = ag_tmpl_set_add_dir(set, path, err, sizeof(err));
    rc = rc == 0 ? ag_tmpl_set_check(set, err, sizeof(err)) : rc;
    snprintf(path, sizeof(path), "%s/i18n", argv[1]);
    rc = rc == 0 ? ag_i18n_add_dir(i18n, path, err, sizeof(err)) : rc;
    if (rc < 0) {
        fprintf(stderr, "agora-bench-render: %s\n", err);
        return 1;
    }
    json_t *now = guest_home(i18n, 0), *full = guest_home(i18n, 1);
    rc = run(set, now, "home (guest, no catalog yet)", n) ||
         run(set, full, "home (guest, 12 products, 8 categories)", n);
    json_decref(now);
    json_decref(full);
    ag_i18n_free(i18n);
    ag_tmpl_set_free(set);
    return rc;
}
