/*
 * Static assets of the storefront (our CSS, the htmx script, images) served from memory: loaded
 * once at start from a folder or from embedded bytes, each with its Content-Type and a strong
 * ETag computed at load, answered with conditional GET (If-None-Match) and long-lived caching
 * for cache-busting links ("/static/app.css?v=<hash>", see ag_static_url).
 *
 * Lifetime: build a set at start (ag_static_new, then ag_static_add_dir or ag_static_add for
 * each source), serve from any number of threads at once (the set is read-only once loading
 * is done: no add may run while a find or reply does), free it at exit.
 */
#ifndef AGORA_STATIC_H
#define AGORA_STATIC_H

#include <stddef.h>

#define AG_STATIC_MAX_FILE  ((size_t)2 << 20)  /* bytes of one file */
#define AG_STATIC_MAX_TOTAL ((size_t)32 << 20) /* bytes of all files of a set together */
#define AG_STATIC_MAX_FILES 4096               /* files of a set */
#define AG_STATIC_MAX_NAME  128                /* bytes of a file name in a folder */
#define AG_STATIC_MAX_PATH  512                /* bytes of a URL path, prefix included */
#define AG_STATIC_HASH_HEX  32                 /* hex digits of the hash: 16 bytes of SHA-256 */
#define AG_STATIC_ETAG_SIZE (AG_STATIC_HASH_HEX + 3) /* '"', the hex, '"', NUL */

/* A set of files by URL path. Owns its files. */
struct ag_static;

/* One file of a set. Read-only; owned by the set, valid until ag_static_free. */
struct ag_static_file {
    const char *path; /* URL path, e.g. "/static/app.css"; NUL-terminated */
    size_t path_len;
    const char *data; /* the file's bytes (not NUL-terminated) */
    size_t len;
    const char *content_type;       /* from the extension, e.g. "text/css; charset=utf-8" */
    char etag[AG_STATIC_ETAG_SIZE]; /* "\"" + hex of 16 bytes of SHA-256 + "\"" */
};

/* An empty set; never NULL. Release with ag_static_free. */
struct ag_static *ag_static_new(void);

/* Frees the set and every file in it; accepts NULL. No find or reply may be running. */
void ag_static_free(struct ag_static *s);

/*
 * Adds 'len' bytes of 'data' as the file at URL path 'path' (an embedded asset). Both are
 * borrowed: the set keeps copies. The Content-Type comes from the path's extension.
 * Errors: AG_EINVAL when 'path' does not start with '/', is longer than AG_STATIC_MAX_PATH or
 * holds a byte outside [A-Za-z0-9._~/-]; AG_ECONFLICT when the set already has 'path';
 * AG_ETOOLARGE when 'len' exceeds AG_STATIC_MAX_FILE, or the set would exceed
 * AG_STATIC_MAX_TOTAL bytes or AG_STATIC_MAX_FILES files; AG_EINTERNAL when libsodium cannot
 * be initialized.
 */
int ag_static_add(struct ag_static *s, const char *path, const void *data, size_t len);

/*
 * Adds every regular file of folder 'dir' (symbolic links are followed; subfolders are not
 * entered; names starting with '.' are skipped) at the URL path 'prefix' + its name, e.g.
 * prefix "/static/" and "app.css" make "/static/app.css". Both arguments are borrowed. All or
 * nothing: on failure the set is as it was, and 'err' (may be NULL; 'errsize' bytes, always
 * NUL-terminated) names the folder or the file, e.g. "asset 'hero.png': 3145728 bytes, over
 * the limit of 2097152".
 * Errors: AG_EINVAL for a file name that is not 1..AG_STATIC_MAX_NAME of [A-Za-z0-9._-], or a
 * 'prefix' that makes an invalid path (see ag_static_add); AG_ECONFLICT when a path is already
 * in the set; AG_ETOOLARGE for a file over AG_STATIC_MAX_FILE, or when the set would exceed
 * AG_STATIC_MAX_TOTAL bytes or AG_STATIC_MAX_FILES files; AG_ENOTFOUND when 'dir' does not
 * exist or is not a folder; AG_EINTERNAL when the folder or a file cannot be read (or changed
 * while being read), or libsodium cannot be initialized.
 */
int ag_static_add_dir(struct ag_static *s, const char *dir, const char *prefix, char *err,
                      size_t errsize);

/*
 * The file at URL path 'path' ('len' bytes, no NUL needed: the raw request path fits), or NULL
 * when there is none. O(log n). Borrowed, valid until ag_static_free.
 */
const struct ag_static_file *ag_static_find(const struct ag_static *s, const char *path,
                                            size_t len);

/* The file's strong ETag, quotes included, e.g. "\"0123…cdef\""; borrowed, as the file. */
const char *ag_static_etag(const struct ag_static_file *f);

/*
 * Writes the cache-busting URL of the file at 'path' (a C string, borrowed) into 'out' ('size'
 * bytes, always NUL-terminated when 'size' > 0): the path, "?v=" and the hash's hex, e.g.
 * "/static/app.css?v=0123456789abcdef0123456789abcdef". For templates.
 * Errors: AG_ENOTFOUND when the set has no 'path'; AG_ETOOLARGE when 'out' is too small
 * ('out' is then "").
 */
int ag_static_url(const struct ag_static *s, const char *path, char *out, size_t size);

struct ag_req;

/*
 * A route handler's reply for the request's path (req->path, the whole percent-decoded path,
 * looked up as it is), e.g. from a route {AG_GET, "/static/{file}", handler, AG_AUTH_NONE, 0}.
 * 200 with the file's bytes, Content-Type, ETag and Cache-Control "public, max-age=31536000,
 * immutable" when the query's 'v' equals the file's hash (ag_static_url), "public,
 * max-age=300" otherwise; 304 with no body (same ETag and Cache-Control) when If-None-Match
 * names the file's ETag (weak W/ forms and lists match too, as does "*"); 404 in the envelope
 * ("no such file") when the set has no such path. The body is copied into the request's
 * arena (ag_reply_raw copies). Returns 0 with the reply set, or AG_EINTERNAL when the reply's
 * headers do not fit (the router then answers 500).
 */
int ag_static_reply(struct ag_req *req, const struct ag_static *s);

#endif
