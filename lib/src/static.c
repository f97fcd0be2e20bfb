/*
 * Static assets from memory: a set is an array of files sorted by URL path (bytes, then
 * length), searched by bisection; each file is one allocation holding its struct, its path and
 * its bytes, so the pointers ag_static_find hands out stay valid while the array grows.
 */
#include "agora/static.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "agora/err.h"
#include "agora/http.h"
#include "agora/mem.h"

#define CACHE_IMMUTABLE "public, max-age=31536000, immutable"
#define CACHE_SHORT     "public, max-age=300"

struct ag_static {
    struct ag_static_file **files; /* owned, each file too; sorted by path_cmp */
    size_t nfiles;
    size_t cap;
    size_t total; /* bytes of all files */
};

/* Files of one ag_static_add_dir call, added to the set only when all of them loaded. */
struct batch {
    struct ag_static_file **files; /* owned, each file too */
    size_t nfiles;
    size_t cap;
    size_t total;
};

static const struct {
    const char *ext;
    const char *type;
} content_types[] = {
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"webp", "image/webp"},
    {"ico", "image/x-icon"},
    {"woff2", "font/woff2"},
    {"json", "application/json"},
    {"txt", "text/plain; charset=utf-8"},
    {"html", "text/html; charset=utf-8"},
    {"map", "application/json"},
};

/* The Content-Type for the extension of the last segment of 'path'; borrowed, static. */
static const char *
content_type_of(const char *path, size_t len)
{
    const char *ext = NULL;

    for (size_t i = len; i > 0 && path[i - 1] != '/'; i--) {
        if (path[i - 1] == '.') {
            ext = path + i;
            break;
        }
    }
    if (ext == NULL) {
        return "application/octet-stream";
    }
    size_t n = (size_t)(path + len - ext);
    for (size_t i = 0; i < sizeof(content_types) / sizeof(content_types[0]); i++) {
        if (strlen(content_types[i].ext) == n && strncasecmp(ext, content_types[i].ext, n) == 0) {
            return content_types[i].type;
        }
    }
    return "application/octet-stream";
}

static int
is_name_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

/* A file name of a folder: 1..AG_STATIC_MAX_NAME of [A-Za-z0-9._-]. */
static int
name_valid(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > AG_STATIC_MAX_NAME) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (!is_name_byte((unsigned char)name[i])) {
            return 0;
        }
    }
    return 1;
}

/* A URL path: '/' then [A-Za-z0-9._~/-], at most AG_STATIC_MAX_PATH bytes in all. */
static int
path_valid(const char *path, size_t len)
{
    if (len == 0 || len > AG_STATIC_MAX_PATH || path[0] != '/') {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)path[i];
        if (!is_name_byte(c) && c != '/' && c != '~') {
            return 0;
        }
    }
    return 1;
}

/* The set's order: bytes first, then the shorter path. */
static int
path_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);

    if (c != 0) {
        return c;
    }
    return alen < blen ? -1 : alen > blen;
}

/* The index of the first file not ordered before 'path'; '*found' says whether it is 'path'. */
static size_t
lower_bound(const struct ag_static *s, const char *path, size_t len, int *found)
{
    size_t lo = 0;
    size_t hi = s->nfiles;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct ag_static_file *f = s->files[mid];
        if (path_cmp(f->path, f->path_len, path, len) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *found = lo < s->nfiles && path_cmp(s->files[lo]->path, s->files[lo]->path_len, path, len) == 0;
    return lo;
}

/*
 * A file at 'path' with room for 'len' bytes, which the caller writes through '*data' and then
 * seals with file_seal. Release with ag_free.
 */
static struct ag_static_file *
file_new(const char *path, size_t path_len, size_t len, char **data)
{
    /* Sizes are bounded by AG_STATIC_MAX_PATH and AG_STATIC_MAX_FILE: no overflow. */
    struct ag_static_file *f = ag_xmalloc(sizeof(*f) + path_len + 1 + len);
    char *p = (char *)(f + 1);

    memcpy(p, path, path_len);
    p[path_len] = '\0';
    *data = p + path_len + 1;
    f->path = p;
    f->path_len = path_len;
    f->data = *data;
    f->len = len;
    f->content_type = content_type_of(path, path_len);
    f->etag[0] = '\0';
    return f;
}

/* Computes the ETag of the bytes written. */
static void
file_seal(struct ag_static_file *f)
{
    unsigned char hash[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(hash, (const unsigned char *)f->data, f->len);
    sodium_bin2hex(f->etag + 1, AG_STATIC_HASH_HEX + 1, hash, AG_STATIC_HASH_HEX / 2);
    f->etag[0] = '"';
    f->etag[AG_STATIC_HASH_HEX + 1] = '"';
    f->etag[AG_STATIC_HASH_HEX + 2] = '\0';
}

/* Inserts 'f' (taken) at index 'at' of the set's order. */
static void
set_insert_take(struct ag_static *s, size_t at, struct ag_static_file *f)
{
    if (s->nfiles == s->cap) {
        s->cap = s->cap != 0 ? 2 * s->cap : 16;
        s->files = ag_xrealloc(s->files, s->cap * sizeof(struct ag_static_file *));
    }
    memmove(s->files + at + 1, s->files + at, (s->nfiles - at) * sizeof(struct ag_static_file *));
    s->files[at] = f;
    s->nfiles++;
    s->total += f->len;
}

/* Whether 'nfiles' more files of 'bytes' more bytes fit the set's limits. */
static int
set_has_room(const struct ag_static *s, size_t nfiles, size_t bytes)
{
    return s->nfiles + nfiles <= AG_STATIC_MAX_FILES && s->total <= AG_STATIC_MAX_TOTAL &&
           bytes <= AG_STATIC_MAX_TOTAL - s->total;
}

struct ag_static *
ag_static_new(void)
{
    return ag_xcalloc(1, sizeof(struct ag_static));
}

void
ag_static_free(struct ag_static *s)
{
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < s->nfiles; i++) {
        ag_free(s->files[i]);
    }
    ag_free(s->files);
    ag_free(s);
}

int
ag_static_add(struct ag_static *s, const char *path, const void *data, size_t len)
{
    size_t path_len = strlen(path);
    char *dst;
    int found;

    if (!path_valid(path, path_len)) {
        return AG_EINVAL;
    }
    if (len > AG_STATIC_MAX_FILE || !set_has_room(s, 1, len)) {
        return AG_ETOOLARGE;
    }
    size_t at = lower_bound(s, path, path_len, &found);
    if (found) {
        return AG_ECONFLICT;
    }
    if (sodium_init() < 0) {
        return AG_EINTERNAL;
    }
    struct ag_static_file *f = file_new(path, path_len, len, &dst);
    if (len > 0) {
        memcpy(dst, data, len);
    }
    file_seal(f);
    set_insert_take(s, at, f);
    return 0;
}

static void
batch_release(struct batch *b)
{
    for (size_t i = 0; i < b->nfiles; i++) {
        ag_free(b->files[i]);
    }
    ag_free(b->files);
}

static void
batch_add_take(struct batch *b, struct ag_static_file *f)
{
    if (b->nfiles == b->cap) {
        b->cap = b->cap != 0 ? 2 * b->cap : 16;
        b->files = ag_xrealloc(b->files, b->cap * sizeof(struct ag_static_file *));
    }
    b->files[b->nfiles++] = f;
    b->total += f->len;
}

static int
name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The names in folder 'd' that do not start with '.', sorted (so that errors do not depend on
 * the folder's order). Release each and the array with ag_free.
 */
static char **
dir_names(DIR *d, size_t *n)
{
    char **names = NULL;
    size_t cap = 0;
    const struct dirent *e;

    *n = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        if (*n == cap) {
            cap = cap != 0 ? 2 * cap : 16;
            names = ag_xrealloc(names, cap * sizeof(*names));
        }
        names[(*n)++] = ag_xstrdup(e->d_name);
    }
    if (*n > 1) {
        qsort(names, *n, sizeof(*names), name_cmp);
    }
    return names;
}

/* Reads exactly 'len' bytes of 'fd' into 'dst'. Returns 0, or -1 (errno set; 0 if short). */
static int
read_all(int fd, char *dst, size_t len)
{
    size_t got = 0;

    while (got < len) {
        ssize_t r = read(fd, dst + got, len - got);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            if (r == 0) {
                errno = 0;
            }
            return -1;
        }
        got += (size_t)r;
    }
    return 0;
}

/* Reads regular file 'name' of folder 'dfd' (size 'size') as 'path' into '*out'. */
static int
file_load(int dfd, const char *name, const char *path, size_t size, struct ag_static_file **out,
          char *err, size_t errsize)
{
    struct ag_static_file *f = NULL;
    struct stat st;
    char *dst;
    int rc = 0;
    /* O_NONBLOCK: a file swapped for a FIFO since the stat must not hang the start. */
    int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

    if (fd < 0) {
        ag_err_printf(err, errsize, "cannot open asset '%s': %s", name, strerror(errno));
        return AG_EINTERNAL;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uintmax_t)st.st_size != size) {
        ag_err_printf(err, errsize, "asset '%s' changed while being loaded", name);
        rc = AG_EINTERNAL;
        goto out;
    }
    f = file_new(path, strlen(path), size, &dst);
    if (read_all(fd, dst, size) != 0) {
        ag_err_printf(err, errsize, "cannot read asset '%s': %s", name,
                      errno != 0 ? strerror(errno) : "it shrank while being read");
        rc = AG_EINTERNAL;
        goto out;
    }
    file_seal(f);
    *out = f;
    f = NULL;
out:
    ag_free(f);
    close(fd);
    return rc;
}

/* Loads entry 'name' of folder 'dfd' into 'b' when it is a regular file, checking limits. */
static int
entry_load(const struct ag_static *s, struct batch *b, int dfd, const char *name,
           const char *prefix, char *err, size_t errsize)
{
    char path[AG_STATIC_MAX_PATH + 1];
    struct stat st;
    int found;

    if (fstatat(dfd, name, &st, 0) != 0) {
        ag_err_printf(err, errsize, "cannot stat asset '%s': %s", name, strerror(errno));
        return AG_EINTERNAL;
    }
    if (!S_ISREG(st.st_mode)) {
        return 0; /* subfolders and devices are not assets */
    }
    if (!name_valid(name)) {
        ag_err_printf(err, errsize, "asset '%s': name must be 1..%d of [A-Za-z0-9._-]", name,
                      AG_STATIC_MAX_NAME);
        return AG_EINVAL;
    }
    int n = snprintf(path, sizeof(path), "%s%s", prefix, name);
    if (n < 0 || (size_t)n >= sizeof(path) || !path_valid(path, (size_t)n)) {
        ag_err_printf(err, errsize, "asset '%s': path '%s%s' is not a valid URL path", name, prefix,
                      name);
        return AG_EINVAL;
    }
    if ((uintmax_t)st.st_size > AG_STATIC_MAX_FILE) {
        ag_err_printf(err, errsize, "asset '%s': %jd bytes, over the limit of %zu", name,
                      (intmax_t)st.st_size, AG_STATIC_MAX_FILE);
        return AG_ETOOLARGE;
    }
    size_t size = (size_t)st.st_size;
    if (!set_has_room(s, b->nfiles + 1, b->total + size)) {
        ag_err_printf(err, errsize, "asset '%s': the assets exceed %zu bytes or %d files", name,
                      AG_STATIC_MAX_TOTAL, AG_STATIC_MAX_FILES);
        return AG_ETOOLARGE;
    }
    lower_bound(s, path, (size_t)n, &found);
    if (found) {
        ag_err_printf(err, errsize, "asset '%s': path '%s' is already taken", name, path);
        return AG_ECONFLICT;
    }
    struct ag_static_file *f = NULL;
    int rc = file_load(dfd, name, path, size, &f, err, errsize);
    if (rc < 0) {
        return rc;
    }
    batch_add_take(b, f);
    return 0;
}

int
ag_static_add_dir(struct ag_static *s, const char *dir, const char *prefix, char *err,
                  size_t errsize)
{
    struct batch b = {0};
    char **names = NULL;
    size_t nnames = 0;
    int rc = 0;

    ag_err_printf(err, errsize, "%s", "");
    if (prefix == NULL || !path_valid(prefix, strlen(prefix))) {
        ag_err_printf(err, errsize, "asset prefix '%s' must be a URL path starting with '/'",
                      prefix != NULL ? prefix : "(null)");
        return AG_EINVAL;
    }
    if (sodium_init() < 0) {
        ag_err_printf(err, errsize, "cannot initialize libsodium");
        return AG_EINTERNAL;
    }
    DIR *d = opendir(dir);
    if (d == NULL) {
        int e = errno;
        ag_err_printf(err, errsize, "cannot open asset folder '%s': %s", dir, strerror(e));
        return e == ENOENT || e == ENOTDIR ? AG_ENOTFOUND : AG_EINTERNAL;
    }
    names = dir_names(d, &nnames);
    for (size_t i = 0; i < nnames && rc == 0; i++) {
        rc = entry_load(s, &b, dirfd(d), names[i], prefix, err, errsize);
    }
    if (rc < 0) {
        goto out;
    }
    /* All loaded: now the set takes them, each at its place. */
    for (size_t i = 0; i < b.nfiles; i++) {
        int found;
        size_t at = lower_bound(s, b.files[i]->path, b.files[i]->path_len, &found);
        set_insert_take(s, at, b.files[i]);
    }
    b.nfiles = 0;
out:
    batch_release(&b);
    for (size_t i = 0; i < nnames; i++) {
        ag_free(names[i]);
    }
    ag_free(names);
    closedir(d);
    return rc;
}

const struct ag_static_file *
ag_static_find(const struct ag_static *s, const char *path, size_t len)
{
    int found;
    size_t at = lower_bound(s, path, len, &found);

    return found ? s->files[at] : NULL;
}

const char *
ag_static_etag(const struct ag_static_file *f)
{
    return f->etag;
}

int
ag_static_url(const struct ag_static *s, const char *path, char *out, size_t size)
{
    const struct ag_static_file *f = ag_static_find(s, path, strlen(path));

    if (size > 0) {
        out[0] = '\0';
    }
    if (f == NULL) {
        return AG_ENOTFOUND;
    }
    int n = snprintf(out, size, "%s?v=%.*s", f->path, AG_STATIC_HASH_HEX, f->etag + 1);
    if (n < 0 || (size_t)n >= size) {
        if (size > 0) {
            out[0] = '\0';
        }
        return AG_ETOOLARGE;
    }
    return 0;
}

/*
 * Whether If-None-Match value 'h' names 'f': "*", or a list of entity tags, each maybe weak
 * (W/"…"), compared weakly as RFC 9110 13.1.2 says. A malformed list matches nothing from the
 * bad element on, so the client gets the full answer.
 */
static int
etag_listed(const char *h, const struct ag_static_file *f)
{
    const char *p = h;
    const size_t etag_len = AG_STATIC_HASH_HEX + 2;

    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',') {
            p++;
        }
        if (*p == '\0') {
            return 0;
        }
        if (*p == '*') {
            return 1;
        }
        if (p[0] == 'W' && p[1] == '/') {
            p += 2;
        }
        if (*p != '"') {
            return 0;
        }
        const char *close = strchr(p + 1, '"');
        if (close == NULL) {
            return 0;
        }
        if ((size_t)(close - p + 1) == etag_len && memcmp(p, f->etag, etag_len) == 0) {
            return 1;
        }
        p = close + 1;
    }
}

int
ag_static_reply(struct ag_req *req, const struct ag_static *s)
{
    const struct ag_static_file *f = ag_static_find(s, req->path.ptr, req->path.len);

    if (f == NULL) {
        return ag_reply_error(req, AG_ENOTFOUND, "no such file");
    }
    const char *v = ag_req_query(req, "v");
    int busted = v != NULL && strlen(v) == AG_STATIC_HASH_HEX &&
                 memcmp(v, f->etag + 1, AG_STATIC_HASH_HEX) == 0;
    int rc = ag_reply_header(req, "ETag", f->etag);
    if (rc < 0) {
        return rc;
    }
    rc = ag_reply_header(req, "Cache-Control", busted ? CACHE_IMMUTABLE : CACHE_SHORT);
    if (rc < 0) {
        return rc;
    }
    const char *inm = ag_req_header(req, "If-None-Match");
    if (inm != NULL && etag_listed(inm, f)) {
        return ag_reply_empty(req, 304);
    }
    return ag_reply_raw(req, 200, f->content_type, f->data, f->len);
}
