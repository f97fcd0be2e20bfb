/*
 * The static module: loading a folder (what is skipped, what is refused), embedded files,
 * Content-Types, ETags, exact-length lookup and cache-busting URLs; then a real server on an
 * ephemeral port serving a set with ag_static_reply, spoken to with libcurl: bodies, headers,
 * Cache-Control, conditional GETs, 404s and concurrent readers.
 */
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "ag_test.h"

#include "agora/err.h"
#include "agora/http.h"
#include "agora/log.h"
#include "agora/mem.h"
#include "agora/static.h"

/* ---- helpers ---- */

#define TMP_TEMPLATE "/tmp/ag_static_XXXXXX"

static int
write_file(const char *dir, const char *name, const void *data, size_t len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    size_t n = len > 0 ? fwrite(data, 1, len, f) : 0;
    return fclose(f) == 0 && n == len ? 0 : -1;
}

/* A sparse file of 'size' bytes (zeros): large without writing them. */
static int
sparse_file(const char *dir, const char *name, off_t size)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        perror(path);
        return -1;
    }
    int rc = ftruncate(fd, size);
    close(fd);
    return rc;
}

static int
make_subdir(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return mkdir(path, 0700);
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    if (remove(path) != 0) {
        perror(path);
    }
    return 0;
}

/* Removes folder 'dir' and all it holds. */
static void
remove_tree(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int
is_lower_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
            return 0;
        }
    }
    return 1;
}

static const char css[] = "body{color:#333}\n";
static const char js[] = "htmx.config.defaultSwapStyle='outerHTML';\n";
static const char svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0x0d};

/* ---- loading ---- */

TEST(add_dir_loads_regular_files_and_skips_the_rest)
{
    char dir[] = TMP_TEMPLATE;
    char err[256];

    CHECK_NOT_NULL(mkdtemp(dir));
    CHECK_EQ_INT(write_file(dir, "app.css", css, sizeof(css) - 1), 0);
    CHECK_EQ_INT(write_file(dir, "htmx.min.js", js, sizeof(js) - 1), 0);
    CHECK_EQ_INT(write_file(dir, "logo.svg", svg, sizeof(svg) - 1), 0);
    CHECK_EQ_INT(write_file(dir, "hero.PNG", png, sizeof(png)), 0);
    CHECK_EQ_INT(write_file(dir, "data.bin", "xyz", 3), 0);
    CHECK_EQ_INT(write_file(dir, "empty.txt", "", 0), 0);
    CHECK_EQ_INT(write_file(dir, ".secret.css", "hidden", 6), 0);
    /* Subfolders are skipped, even one whose name would be refused for a file. */
    CHECK_EQ_INT(make_subdir(dir, "sub"), 0);
    CHECK_EQ_INT(make_subdir(dir, "my fonts"), 0);
    char sub[512];
    snprintf(sub, sizeof(sub), "%s/sub", dir);
    CHECK_EQ_INT(write_file(sub, "inner.css", css, sizeof(css) - 1), 0);

    struct ag_static *s = ag_static_new();
    CHECK_EQ_INT(ag_static_add_dir(s, dir, "/static/", err, sizeof(err)), 0);
    CHECK_EQ_STR(err, "");
    /* Served from memory: the folder may go away. */
    remove_tree(dir);

    const struct ag_static_file *f = ag_static_find(s, "/static/app.css", 15);
    CHECK_NOT_NULL(f);
    CHECK_EQ_MEM(f->data, f->len, css, sizeof(css) - 1);
    CHECK_EQ_STR(f->path, "/static/app.css");
    CHECK_EQ_INT(f->path_len, 15);
    CHECK_EQ_STR(f->content_type, "text/css; charset=utf-8");

    f = ag_static_find(s, "/static/htmx.min.js", 19);
    CHECK_NOT_NULL(f);
    CHECK_EQ_MEM(f->data, f->len, js, sizeof(js) - 1);
    CHECK_EQ_STR(f->content_type, "text/javascript; charset=utf-8");
    f = ag_static_find(s, "/static/logo.svg", 16);
    CHECK_NOT_NULL(f);
    CHECK_EQ_STR(f->content_type, "image/svg+xml");
    f = ag_static_find(s, "/static/hero.PNG", 16);
    CHECK_NOT_NULL(f);
    CHECK_EQ_MEM(f->data, f->len, png, sizeof(png)); /* binary, NULs included */
    CHECK_EQ_STR(f->content_type, "image/png");
    f = ag_static_find(s, "/static/data.bin", 16);
    CHECK_NOT_NULL(f);
    CHECK_EQ_STR(f->content_type, "application/octet-stream");
    f = ag_static_find(s, "/static/empty.txt", 17);
    CHECK_NOT_NULL(f);
    CHECK_EQ_INT(f->len, 0);
    CHECK_EQ_STR(f->content_type, "text/plain; charset=utf-8");

    CHECK_NULL(ag_static_find(s, "/static/.secret.css", 19));
    CHECK_NULL(ag_static_find(s, "/static/sub", 11));
    CHECK_NULL(ag_static_find(s, "/static/sub/inner.css", 21));
    CHECK_NULL(ag_static_find(s, "/static/my fonts", 16));
    CHECK_NULL(ag_static_find(s, "app.css", 7));
    ag_static_free(s);
}

TEST(add_dir_refuses_a_bad_name_and_adds_nothing)
{
    char dir[] = TMP_TEMPLATE;
    char err[256];
    static const char *const bad[] = {"bad name.css", "caf\xc3\xa9.css", "a+b.js", "x?.css"};

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_NOT_NULL(mkdtemp(dir));
        CHECK_EQ_INT(write_file(dir, "a.css", css, sizeof(css) - 1), 0);
        CHECK_EQ_INT(write_file(dir, bad[i], css, sizeof(css) - 1), 0);
        struct ag_static *s = ag_static_new();
        CHECK_EQ_INT(ag_static_add_dir(s, dir, "/static/", err, sizeof(err)), AG_EINVAL);
        CHECK(strstr(err, bad[i]) != NULL);
        CHECK(strstr(err, "name must be 1..128 of [A-Za-z0-9._-]") != NULL);
        /* All or nothing: the good file did not get in either. */
        CHECK_NULL(ag_static_find(s, "/static/a.css", 13));
        ag_static_free(s);
        remove_tree(dir);
        strcpy(dir, TMP_TEMPLATE);
    }

    /* 128 bytes is the longest name, 129 is refused. */
    char name[140];
    memset(name, 'n', 129);
    name[129] = '\0';
    CHECK_NOT_NULL(mkdtemp(dir));
    CHECK_EQ_INT(write_file(dir, name, "x", 1), 0);
    struct ag_static *s = ag_static_new();
    CHECK_EQ_INT(ag_static_add_dir(s, dir, "/s/", err, sizeof(err)), AG_EINVAL);
    remove_tree(dir);
    strcpy(dir, TMP_TEMPLATE);
    name[128] = '\0';
    CHECK_NOT_NULL(mkdtemp(dir));
    CHECK_EQ_INT(write_file(dir, name, "x", 1), 0);
    CHECK_EQ_INT(ag_static_add_dir(s, dir, "/s/", err, sizeof(err)), 0);
    char path[160];
    int n = snprintf(path, sizeof(path), "/s/%s", name);
    CHECK_NOT_NULL(ag_static_find(s, path, (size_t)n));
    ag_static_free(s);
    remove_tree(dir);
}

TEST(add_dir_refuses_oversize_files_and_totals)
{
    char dir[] = TMP_TEMPLATE;
    char err[256];

    /* One file just over the limit. */
    CHECK_NOT_NULL(mkdtemp(dir));
    CHECK_EQ_INT(write_file(dir, "a.css", css, sizeof(css) - 1), 0);
    CHECK_EQ_INT(sparse_file(dir, "huge.png", (off_t)AG_STATIC_MAX_FILE + 1), 0);
    struct ag_static *s = ag_static_new();
    CHECK_EQ_INT(ag_static_add_dir(s, dir, "/static/", err, sizeof(err)), AG_ETOOLARGE);
    CHECK_EQ_STR(err, "asset 'huge.png': 2097153 bytes, over the limit of 2097152");
    CHECK_NULL(ag_static_find(s, "/static/a.css", 13));
    /* Exactly the limit is fine. */
    CHECK_EQ_INT(sparse_file(dir, "huge.png", (off_t)AG_STATIC_MAX_FILE), 0);
    CHECK_EQ_INT(ag_static_add_dir(s, dir, "/static/", err, sizeof(err)), 0);
    const struct ag_static_file *f = ag_static_find(s, "/static/huge.png", 16);
    CHECK_NOT_NULL(f);
    CHECK_EQ_INT(f->len, AG_STATIC_MAX_FILE);
    CHECK_EQ_INT(f->data[0], 0);
    CHECK_EQ_INT(f->data[AG_STATIC_MAX_FILE - 1], 0);
    ag_static_free(s);
    remove_tree(dir);

    /* All files together: 16 of the largest size fill the set, one byte more does not fit. */
    strcpy(dir, TMP_TEMPLATE);
    CHECK_NOT_NULL(mkdtemp(dir));
    for (int i = 0; i < 16; i++) {
        char name[32];
        snprintf(name, sizeof(name), "f%02d.bin", i);
        CHECK_EQ_INT(sparse_file(dir, name, (off_t)AG_STATIC_MAX_FILE), 0);
    }
    CHECK_EQ_INT(write_file(dir, "z.txt", "z", 1), 0);
    s = ag_static_new();
    CHECK_EQ_INT(ag_static_add_dir(s, dir, "/static/", err, sizeof(err)), AG_ETOOLARGE);
    CHECK(strstr(err, "'z.txt'") != NULL);
    CHECK(strstr(err, "33554432 bytes") != NULL);
    CHECK_NULL(ag_static_find(s, "/static/f00.bin", 15));
    remove_tree(dir);
    /* The same limit through ag_static_add, which shares the set's total. */
    char *big = ag_xcalloc(1, AG_STATIC_MAX_FILE);
    for (int i = 0; i < 16; i++) {
        char path[32];
        snprintf(path, sizeof(path), "/big/%02d.bin", i);
        CHECK_EQ_INT(ag_static_add(s, path, big, AG_STATIC_MAX_FILE), 0);
    }
    CHECK_EQ_INT(ag_static_add(s, "/big/one-more.txt", "z", 1), AG_ETOOLARGE);
    CHECK_EQ_INT(ag_static_add(s, "/big/empty.txt", "", 0), 0);
    CHECK_EQ_INT(ag_static_add(s, "/big/too-big.bin", big, AG_STATIC_MAX_FILE + 1), AG_ETOOLARGE);
    ag_free(big);
    ag_static_free(s);
}

TEST(add_dir_conflicts_and_folder_errors)
{
    char dir[] = TMP_TEMPLATE;
    char err[256];
    char path[512];

    CHECK_NOT_NULL(mkdtemp(dir));
    CHECK_EQ_INT(write_file(dir, "app.css", css, sizeof(css) - 1), 0);
    CHECK_EQ_INT(write_file(dir, "b.js", js, sizeof(js) - 1), 0);
    struct ag_static *s = ag_static_new();
    CHECK_EQ_INT(ag_static_add(s, "/static/b.js", "old", 3), 0);
    CHECK_EQ_INT(ag_static_add_dir(s, dir, "/static/", err, sizeof(err)), AG_ECONFLICT);
    CHECK_EQ_STR(err, "asset 'b.js': path '/static/b.js' is already taken");
    CHECK_NULL(ag_static_find(s, "/static/app.css", 15));
    const struct ag_static_file *f = ag_static_find(s, "/static/b.js", 12);
    CHECK_NOT_NULL(f);
    CHECK_EQ_MEM(f->data, f->len, "old", 3); /* the first one stays */
    /* Another prefix is another path. */
    CHECK_EQ_INT(ag_static_add_dir(s, dir, "/assets/", err, sizeof(err)), 0);
    CHECK_NOT_NULL(ag_static_find(s, "/assets/b.js", 12));
    CHECK_EQ_INT(ag_static_add_dir(s, dir, "/assets/", err, sizeof(err)), AG_ECONFLICT);
    CHECK_EQ_INT(ag_static_add(s, "/assets/app.css", "x", 1), AG_ECONFLICT);

    /* A bad prefix fails even before the folder is read. */
    CHECK_EQ_INT(ag_static_add_dir(s, dir, "static/", err, sizeof(err)), AG_EINVAL);
    CHECK(strstr(err, "'static/'") != NULL);
    CHECK_EQ_INT(ag_static_add_dir(s, dir, "/st atic/", err, sizeof(err)), AG_EINVAL);
    CHECK_EQ_INT(ag_static_add_dir(s, dir, "", err, sizeof(err)), AG_EINVAL);

    /* No such folder, or a file instead of one. */
    snprintf(path, sizeof(path), "%s/nope", dir);
    CHECK_EQ_INT(ag_static_add_dir(s, path, "/x/", err, sizeof(err)), AG_ENOTFOUND);
    CHECK(strstr(err, "cannot open asset folder") != NULL);
    snprintf(path, sizeof(path), "%s/app.css", dir);
    CHECK_EQ_INT(ag_static_add_dir(s, path, "/x/", err, sizeof(err)), AG_ENOTFOUND);
    /* 'err' may be NULL. */
    CHECK_EQ_INT(ag_static_add_dir(s, path, "/x/", NULL, 0), AG_ENOTFOUND);
    ag_static_free(s);
    ag_static_free(NULL);
    remove_tree(dir);
}

TEST(add_validates_paths)
{
    struct ag_static *s = ag_static_new();
    char longp[AG_STATIC_MAX_PATH + 2];

    CHECK_EQ_INT(ag_static_add(s, "", "x", 1), AG_EINVAL);
    CHECK_EQ_INT(ag_static_add(s, "app.css", "x", 1), AG_EINVAL);
    CHECK_EQ_INT(ag_static_add(s, "/a b.css", "x", 1), AG_EINVAL);
    CHECK_EQ_INT(ag_static_add(s, "/a.css?v=1", "x", 1), AG_EINVAL);
    CHECK_EQ_INT(ag_static_add(s, "/a%20.css", "x", 1), AG_EINVAL);
    memset(longp, 'a', sizeof(longp) - 1);
    longp[0] = '/';
    longp[sizeof(longp) - 1] = '\0';
    CHECK_EQ_INT(ag_static_add(s, longp, "x", 1), AG_EINVAL);
    longp[AG_STATIC_MAX_PATH] = '\0';
    CHECK_EQ_INT(ag_static_add(s, longp, "x", 1), 0);
    CHECK_EQ_INT(ag_static_add(s, "/fonts/~inter_v4-latin.woff2", "x", 1), 0);
    CHECK_EQ_INT(ag_static_add(s, "/fonts/~inter_v4-latin.woff2", "y", 1), AG_ECONFLICT);
    ag_static_free(s);
}

TEST(content_types_by_extension)
{
    static const struct {
        const char *path;
        const char *type;
    } cases[] = {
        {"/s/a.css", "text/css; charset=utf-8"},
        {"/s/a.js", "text/javascript; charset=utf-8"},
        {"/s/a.svg", "image/svg+xml"},
        {"/s/a.png", "image/png"},
        {"/s/a.jpg", "image/jpeg"},
        {"/s/a.jpeg", "image/jpeg"},
        {"/s/A.JPEG", "image/jpeg"},
        {"/s/a.webp", "image/webp"},
        {"/s/favicon.ico", "image/x-icon"},
        {"/s/a.woff2", "font/woff2"},
        {"/s/a.woff", "application/octet-stream"},
        {"/s/a.json", "application/json"},
        {"/s/a.txt", "text/plain; charset=utf-8"},
        {"/s/a.html", "text/html; charset=utf-8"},
        {"/s/a.js.map", "application/json"},
        {"/s/a.tar.gz", "application/octet-stream"},
        {"/s/README", "application/octet-stream"},
        {"/s/trailing.", "application/octet-stream"},
        {"/s.css/noext", "application/octet-stream"}, /* a dot in a folder is no extension */
        {"/s/.css", "text/css; charset=utf-8"},
        {"/s/a.cssx", "application/octet-stream"},
    };
    struct ag_static *s = ag_static_new();

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CHECK_EQ_INT(ag_static_add(s, cases[i].path, "x", 1), 0);
        const struct ag_static_file *f = ag_static_find(s, cases[i].path, strlen(cases[i].path));
        CHECK_NOT_NULL(f);
        CHECK_EQ_STR(f->content_type, cases[i].type);
    }
    ag_static_free(s);
}

TEST(etag_format_and_stability)
{
    char dir[] = TMP_TEMPLATE;
    char err[256];
    struct ag_static *a = ag_static_new();
    struct ag_static *b = ag_static_new();

    CHECK_EQ_INT(ag_static_add(a, "/hello.txt", "hello", 5), 0);
    const struct ag_static_file *f = ag_static_find(a, "/hello.txt", 10);
    CHECK_NOT_NULL(f);
    const char *etag = ag_static_etag(f);
    CHECK_EQ_INT(strlen(etag), 34);
    CHECK_EQ_INT(etag[0], '"');
    CHECK_EQ_INT(etag[33], '"');
    CHECK(is_lower_hex(etag + 1, 32));
    /* SHA-256("hello") = 2cf24dba5fb0a30e26e83b2ac5b9e29e 1b161e5c1fa7425e73043362938b9824 */
    CHECK_EQ_STR(etag, "\"2cf24dba5fb0a30e26e83b2ac5b9e29e\"");
    CHECK(etag == f->etag);

    /* The same bytes give the same tag in another set, at another path, from a folder. */
    CHECK_NOT_NULL(mkdtemp(dir));
    CHECK_EQ_INT(write_file(dir, "greeting.txt", "hello", 5), 0);
    CHECK_EQ_INT(write_file(dir, "other.txt", "hellp", 5), 0);
    CHECK_EQ_INT(ag_static_add_dir(b, dir, "/x/", err, sizeof(err)), 0);
    remove_tree(dir);
    const struct ag_static_file *g = ag_static_find(b, "/x/greeting.txt", 15);
    CHECK_NOT_NULL(g);
    CHECK_EQ_STR(ag_static_etag(g), etag);
    const struct ag_static_file *h = ag_static_find(b, "/x/other.txt", 12);
    CHECK_NOT_NULL(h);
    CHECK(strcmp(ag_static_etag(h), etag) != 0);
    /* The empty file has a tag too: SHA-256("") = e3b0c44298fc1c149afbf4c8996fb924… */
    CHECK_EQ_INT(ag_static_add(a, "/empty", "", 0), 0);
    f = ag_static_find(a, "/empty", 6);
    CHECK_NOT_NULL(f);
    CHECK_EQ_STR(ag_static_etag(f), "\"e3b0c44298fc1c149afbf4c8996fb924\"");
    ag_static_free(a);
    ag_static_free(b);
}

TEST(find_takes_exact_lengths)
{
    struct ag_static *s = ag_static_new();

    CHECK_EQ_INT(ag_static_add(s, "/static/app.css", "css", 3), 0);
    CHECK_EQ_INT(ag_static_add(s, "/static/app.css.map", "map", 3), 0);
    CHECK_EQ_INT(ag_static_add(s, "/static/app", "bare", 4), 0);

    /* A buffer that goes on past the path: only 'len' bytes count, no NUL needed. */
    const char *buf = "/static/app.css.map?v=1";
    const struct ag_static_file *f = ag_static_find(s, buf, 15);
    CHECK_NOT_NULL(f);
    CHECK_EQ_MEM(f->data, f->len, "css", 3);
    f = ag_static_find(s, buf, 19);
    CHECK_NOT_NULL(f);
    CHECK_EQ_MEM(f->data, f->len, "map", 3);
    f = ag_static_find(s, buf, 11);
    CHECK_NOT_NULL(f);
    CHECK_EQ_MEM(f->data, f->len, "bare", 4);
    /* Prefixes of a name, or a name with more after it, are other paths. */
    CHECK_NULL(ag_static_find(s, buf, 14));
    CHECK_NULL(ag_static_find(s, buf, 16));
    CHECK_NULL(ag_static_find(s, buf, 8));
    CHECK_NULL(ag_static_find(s, buf, 0));
    CHECK_NULL(ag_static_find(s, "/static/app.csS", 15));
    ag_static_free(s);

    /* Many files, added out of order: each is found, its neighbours are not confused. */
    s = ag_static_new();
    for (int i = 0; i < 300; i++) {
        char path[32];
        int k = (i * 7919) % 300;
        snprintf(path, sizeof(path), "/f/%d.txt", k);
        CHECK_EQ_INT(ag_static_add(s, path, path, strlen(path)), 0);
    }
    for (int k = 0; k < 300; k++) {
        char path[32];
        int n = snprintf(path, sizeof(path), "/f/%d.txt", k);
        f = ag_static_find(s, path, (size_t)n);
        CHECK_NOT_NULL(f);
        CHECK_EQ_MEM(f->data, f->len, path, (size_t)n);
    }
    CHECK_NULL(ag_static_find(s, "/f/300.txt", 10));
    CHECK_NULL(ag_static_find(s, "/f/.txt", 7));
    ag_static_free(s);

    /* An empty set finds nothing. */
    s = ag_static_new();
    CHECK_NULL(ag_static_find(s, "/", 1));
    ag_static_free(s);
}

TEST(url_for_templates)
{
    struct ag_static *s = ag_static_new();
    char out[64];

    CHECK_EQ_INT(ag_static_add(s, "/static/app.css", "hello", 5), 0);
    CHECK_EQ_INT(ag_static_url(s, "/static/app.css", out, sizeof(out)), 0);
    CHECK_EQ_STR(out, "/static/app.css?v=2cf24dba5fb0a30e26e83b2ac5b9e29e");
    /* 15 + 3 + 32 = 50 characters: 51 bytes fit, 50 do not. */
    CHECK_EQ_INT(ag_static_url(s, "/static/app.css", out, 51), 0);
    CHECK_EQ_INT(strlen(out), 50);
    CHECK_EQ_INT(ag_static_url(s, "/static/app.css", out, 50), AG_ETOOLARGE);
    CHECK_EQ_STR(out, "");
    CHECK_EQ_INT(ag_static_url(s, "/static/app.css", out, 0), AG_ETOOLARGE);
    strcpy(out, "junk");
    CHECK_EQ_INT(ag_static_url(s, "/static/nope.css", out, sizeof(out)), AG_ENOTFOUND);
    CHECK_EQ_STR(out, "");
    ag_static_free(s);
}

/* ---- over HTTP ---- */

static int
h_static(struct ag_req *req)
{
    return ag_static_reply(req, req->app);
}

static const struct ag_route static_routes[] = {
    {AG_GET, "/static/{file}", h_static, AG_AUTH_NONE, 0, 0},
};

static const char spec[] = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n";

static struct ag_static *assets;
static struct ag_service svc;
static struct ag_server *srv;
static char base[64];
static char css_hex[AG_STATIC_HASH_HEX + 1];

static void
server_up(void)
{
    char dir[] = TMP_TEMPLATE;
    char err[256];

    if (srv != NULL) {
        return;
    }
    ag_log_init("test", AG_LOG_ERROR);
    if (mkdtemp(dir) == NULL || write_file(dir, "app.css", css, sizeof(css) - 1) != 0 ||
        write_file(dir, "htmx.min.js", js, sizeof(js) - 1) != 0 ||
        write_file(dir, "logo.png", png, sizeof(png)) != 0) {
        fprintf(stderr, "cannot write the test assets\n");
        exit(1);
    }
    assets = ag_static_new();
    if (ag_static_add_dir(assets, dir, "/static/", err, sizeof(err)) != 0) {
        fprintf(stderr, "cannot load the test assets: %s\n", err);
        exit(1);
    }
    remove_tree(dir);
    const struct ag_static_file *f = ag_static_find(assets, "/static/app.css", 15);
    memcpy(css_hex, f->etag + 1, AG_STATIC_HASH_HEX);
    svc = (struct ag_service){
        .name = "test",
        .routes = static_routes,
        .nroutes = sizeof(static_routes) / sizeof(static_routes[0]),
        .openapi_yaml = spec,
        .app = assets,
        .bind = "127.0.0.1",
        .port = 0,
        .threads = 4,
    };
    if (ag_server_start(&svc, &srv) != 0) {
        fprintf(stderr, "cannot start the test server\n");
        exit(1);
    }
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", ag_server_port(srv));
}

struct resp {
    long status;
    char body[4096];
    size_t len;
    char headers[4096];
    size_t hlen;
};

static size_t
collect(const char *p, size_t total, struct resp *r, int header)
{
    char *dst = header ? r->headers : r->body;
    size_t *len = header ? &r->hlen : &r->len;
    size_t room = 4095 - *len;
    size_t take = total < room ? total : room;
    memcpy(dst + *len, p, take);
    *len += take;
    dst[*len] = '\0';
    return total;
}

static size_t
collect_body(char *p, size_t size, size_t n, void *u)
{
    return collect(p, size * n, u, 0);
}

static size_t
collect_header(char *p, size_t size, size_t n, void *u)
{
    return collect(p, size * n, u, 1);
}

/* GET 'path' with an optional extra header line; returns the status. */
static long
get(struct resp *r, const char *path, const char *header)
{
    char url[512];
    struct curl_slist *list = NULL;
    CURL *c = curl_easy_init();

    memset(r, 0, sizeof(*r));
    snprintf(url, sizeof(url), "%s%s", base, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    if (header != NULL) {
        list = curl_slist_append(list, header);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    return r->status;
}

static int
has_header(const struct resp *r, const char *line)
{
    return strcasestr(r->headers, line) != NULL;
}

TEST(http_serves_body_and_headers)
{
    struct resp r;
    char line[128];

    server_up();
    CHECK_EQ_INT(get(&r, "/static/app.css", NULL), 200);
    CHECK_EQ_MEM(r.body, r.len, css, sizeof(css) - 1);
    CHECK(has_header(&r, "Content-Type: text/css; charset=utf-8\r\n"));
    snprintf(line, sizeof(line), "ETag: \"%s\"\r\n", css_hex);
    CHECK(has_header(&r, line));
    CHECK(has_header(&r, "Cache-Control: public, max-age=300\r\n"));
    CHECK(has_header(&r, "Content-Length: 17\r\n"));

    CHECK_EQ_INT(get(&r, "/static/htmx.min.js", NULL), 200);
    CHECK_EQ_MEM(r.body, r.len, js, sizeof(js) - 1);
    CHECK(has_header(&r, "Content-Type: text/javascript; charset=utf-8\r\n"));

    /* Binary bytes come through whole. */
    CHECK_EQ_INT(get(&r, "/static/logo.png", NULL), 200);
    CHECK_EQ_MEM(r.body, r.len, png, sizeof(png));
    CHECK(has_header(&r, "Content-Type: image/png\r\n"));
}

TEST(http_cache_control_short_or_immutable)
{
    struct resp r;
    char path[128];

    server_up();
    snprintf(path, sizeof(path), "/static/app.css?v=%s", css_hex);
    CHECK_EQ_INT(get(&r, path, NULL), 200);
    CHECK_EQ_MEM(r.body, r.len, css, sizeof(css) - 1);
    CHECK(has_header(&r, "Cache-Control: public, max-age=31536000, immutable\r\n"));

    /* The URL ag_static_url makes is the immutable one. */
    CHECK_EQ_INT(ag_static_url(assets, "/static/app.css", path, sizeof(path)), 0);
    CHECK_EQ_INT(get(&r, path, NULL), 200);
    CHECK(has_header(&r, "immutable"));

    /* A stale, cut or differently cased hash is not: the content may have changed. */
    CHECK_EQ_INT(get(&r, "/static/app.css?v=0123456789abcdef0123456789abcdef", NULL), 200);
    CHECK(has_header(&r, "Cache-Control: public, max-age=300\r\n"));
    CHECK(!has_header(&r, "immutable"));
    snprintf(path, sizeof(path), "/static/app.css?v=%.31s", css_hex);
    CHECK_EQ_INT(get(&r, path, NULL), 200);
    CHECK(!has_header(&r, "immutable"));
    snprintf(path, sizeof(path), "/static/app.css?v=%sa", css_hex);
    CHECK_EQ_INT(get(&r, path, NULL), 200);
    CHECK(!has_header(&r, "immutable"));
    snprintf(path, sizeof(path), "/static/app.css?v=%s", css_hex);
    for (char *p = strchr(path, '=') + 1; *p != '\0'; p++) {
        if (*p >= 'a' && *p <= 'f') {
            *p = (char)(*p - 'a' + 'A');
        }
    }
    if (strpbrk(css_hex, "abcdef") != NULL) {
        CHECK_EQ_INT(get(&r, path, NULL), 200);
        CHECK(!has_header(&r, "immutable"));
    }
    /* The hash of another file does not make this one immutable. */
    const struct ag_static_file *js_file = ag_static_find(assets, "/static/htmx.min.js", 19);
    CHECK_NOT_NULL(js_file);
    snprintf(path, sizeof(path), "/static/app.css?v=%.32s", js_file->etag + 1);
    CHECK_EQ_INT(get(&r, path, NULL), 200);
    CHECK(!has_header(&r, "immutable"));
}

TEST(http_if_none_match)
{
    struct resp r;
    char h[256];
    char etag_line[128];

    server_up();
    snprintf(etag_line, sizeof(etag_line), "ETag: \"%s\"\r\n", css_hex);

    snprintf(h, sizeof(h), "If-None-Match: \"%s\"", css_hex);
    CHECK_EQ_INT(get(&r, "/static/app.css", h), 304);
    CHECK_EQ_INT(r.len, 0);
    CHECK(has_header(&r, etag_line));
    CHECK(has_header(&r, "Cache-Control: public, max-age=300\r\n"));

    snprintf(h, sizeof(h), "If-None-Match: \"0000\", W/\"1111\",\"%s\" , \"2222\"", css_hex);
    CHECK_EQ_INT(get(&r, "/static/app.css", h), 304);
    CHECK_EQ_INT(r.len, 0);

    snprintf(h, sizeof(h), "If-None-Match: W/\"%s\"", css_hex);
    CHECK_EQ_INT(get(&r, "/static/app.css", h), 304);

    CHECK_EQ_INT(get(&r, "/static/app.css", "If-None-Match: *"), 304);
    CHECK(has_header(&r, etag_line));

    /* With ?v= the 304 keeps the immutable Cache-Control. */
    char path[128];
    snprintf(path, sizeof(path), "/static/app.css?v=%s", css_hex);
    snprintf(h, sizeof(h), "If-None-Match: \"%s\"", css_hex);
    CHECK_EQ_INT(get(&r, path, h), 304);
    CHECK(has_header(&r, "immutable"));

    /* Other tags, a tag of another file, bad syntax: the full answer. */
    CHECK_EQ_INT(get(&r, "/static/app.css", "If-None-Match: \"deadbeef\", W/\"beef\""), 200);
    CHECK_EQ_MEM(r.body, r.len, css, sizeof(css) - 1);
    snprintf(h, sizeof(h), "If-None-Match: \"%s\"", css_hex);
    CHECK_EQ_INT(get(&r, "/static/htmx.min.js", h), 200);
    CHECK_EQ_MEM(r.body, r.len, js, sizeof(js) - 1);
    snprintf(h, sizeof(h), "If-None-Match: %s", css_hex); /* not quoted */
    CHECK_EQ_INT(get(&r, "/static/app.css", h), 200);
    snprintf(h, sizeof(h), "If-None-Match: \"%.31s\"", css_hex); /* cut */
    CHECK_EQ_INT(get(&r, "/static/app.css", h), 200);
    snprintf(h, sizeof(h), "If-None-Match: \"%s", css_hex); /* unclosed */
    CHECK_EQ_INT(get(&r, "/static/app.css", h), 200);
    CHECK_EQ_INT(r.len, sizeof(css) - 1);
}

TEST(http_unknown_file_is_404_envelope)
{
    struct resp r;

    server_up();
    static const char *const paths[] = {"/static/nope.css", "/static/app.cs", "/static/app.cssx",
                                        "/static/.app.css"};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        CHECK_EQ_INT(get(&r, paths[i], NULL), 404);
        json_t *j = json_loadb(r.body, r.len, 0, NULL);
        CHECK_NOT_NULL(j);
        json_t *e = json_object_get(j, "error");
        CHECK(json_is_false(json_object_get(j, "success")));
        CHECK_EQ_STR(json_string_value(json_object_get(e, "code")), "BIZ_3001");
        CHECK_EQ_STR(json_string_value(json_object_get(e, "message")), "no such file");
        json_decref(j);
        CHECK(has_header(&r, "Content-Type: application/json"));
        CHECK(!has_header(&r, "ETag:"));
    }
}

#define THREADS         4
#define GETS_PER_THREAD 50

struct reader {
    int failures;
};

static void *
reader_run(void *arg)
{
    struct reader *rd = arg;
    struct resp *r = ag_xmalloc(sizeof(*r));

    for (int i = 0; i < GETS_PER_THREAD; i++) {
        int png_turn = i % 2;
        long st = get(r, png_turn ? "/static/logo.png" : "/static/app.css", NULL);
        const void *want = png_turn ? (const void *)png : (const void *)css;
        size_t want_len = png_turn ? sizeof(png) : sizeof(css) - 1;
        if (st != 200 || r->len != want_len || memcmp(r->body, want, want_len) != 0) {
            rd->failures++;
        }
    }
    ag_free(r);
    return NULL;
}

TEST(http_concurrent_readers)
{
    pthread_t th[THREADS];
    struct reader rd[THREADS];

    server_up();
    memset(rd, 0, sizeof(rd));
    for (int i = 0; i < THREADS; i++) {
        CHECK_EQ_INT(pthread_create(&th[i], NULL, reader_run, &rd[i]), 0);
    }
    int failures = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        failures += rd[i].failures;
    }
    CHECK_EQ_INT(failures, 0);
}

static const struct ag_test tests[] = {
    TEST_ENTRY(add_dir_loads_regular_files_and_skips_the_rest),
    TEST_ENTRY(add_dir_refuses_a_bad_name_and_adds_nothing),
    TEST_ENTRY(add_dir_refuses_oversize_files_and_totals),
    TEST_ENTRY(add_dir_conflicts_and_folder_errors),
    TEST_ENTRY(add_validates_paths),
    TEST_ENTRY(content_types_by_extension),
    TEST_ENTRY(etag_format_and_stability),
    TEST_ENTRY(find_takes_exact_lengths),
    TEST_ENTRY(url_for_templates),
    TEST_ENTRY(http_serves_body_and_headers),
    TEST_ENTRY(http_cache_control_short_or_immutable),
    TEST_ENTRY(http_if_none_match),
    TEST_ENTRY(http_unknown_file_is_404_envelope),
    TEST_ENTRY(http_concurrent_readers),
};

int
main(int argc, char **argv)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = ag_test_main_(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
    ag_server_stop(srv);
    ag_static_free(assets);
    curl_global_cleanup();
    return rc;
}
