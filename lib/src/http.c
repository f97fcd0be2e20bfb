/*
 * The HTTP server: libmicrohttpd with its internal epoll thread pool, a route table per
 * service, per-request arena and state, auth levels, the envelopes, request ids, the access
 * log, metrics and graceful shutdown.
 *
 * A request's life: MHD's URI log callback allocates its state (so the raw target is kept for
 * our own strict parsing); the access handler's first call matches the route and checks the
 * declared body size; later calls collect the body; the last call (no more upload data) runs
 * auth, idempotency and the handler and queues the response. Queueing only then keeps
 * keep-alive working. The completion callback logs, counts and frees.
 */
#include "http_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sodium.h>

#include "agora/db.h"
#include "agora/err.h"
#include "agora/kv.h"
#include "agora/log.h"

const char *
ag_method_name(enum ag_method m)
{
    switch (m) {
    case AG_GET:
        return "GET";
    case AG_POST:
        return "POST";
    case AG_PUT:
        return "PUT";
    case AG_PATCH:
        return "PATCH";
    case AG_DELETE:
        return "DELETE";
    }
    return "?";
}

static enum ag_method
method_parse(const char *s)
{
    static const enum ag_method all[] = {AG_GET, AG_POST, AG_PUT, AG_PATCH, AG_DELETE};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if (strcmp(s, ag_method_name(all[i])) == 0) {
            return all[i];
        }
    }
    return 0;
}

/* URI parsing. */

static int
hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c |= 0x20;
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

long
ag_percent_decode(const char *s, size_t n, char *out, int plus_is_space)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= n) {
                return -1;
            }
            int hi = hexval((unsigned char)s[i + 1]);
            int lo = hexval((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0) {
                return -1;
            }
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out[o++] = ' ';
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
    return (long)o;
}

static int
decode_into(struct ag_arena *a, const char *s, size_t n, int plus, struct ag_str *out)
{
    char *buf = ag_arena_alloc(a, n + 1);
    long len = ag_percent_decode(s, n, buf, plus);
    if (len < 0) {
        return AG_EINVAL;
    }
    out->ptr = buf;
    out->len = (size_t)len;
    return 0;
}

static int
query_parse(struct ag_arena *a, const char *q, size_t n, struct ag_uri *out)
{
    size_t i = 0;
    while (i < n) {
        size_t end = i;
        while (end < n && q[end] != '&') {
            end++;
        }
        if (end > i) {
            if (out->nargs == AG_MAX_QUERY_ARGS) {
                return AG_EINVAL;
            }
            const char *eq = memchr(q + i, '=', end - i);
            size_t klen = eq ? (size_t)(eq - (q + i)) : end - i;
            const char *v = eq ? eq + 1 : q + end;
            size_t vlen = eq ? (size_t)(q + end - v) : 0;
            if (decode_into(a, q + i, klen, 1, &out->keys[out->nargs]) < 0 ||
                decode_into(a, v, vlen, 1, &out->values[out->nargs]) < 0) {
                return AG_EINVAL;
            }
            out->nargs++;
        }
        i = end + 1;
    }
    return 0;
}

int
ag_form_parse(struct ag_arena *arena, const char *body, size_t len, struct ag_uri *out)
{
    memset(out, 0, sizeof(*out));
    out->path = (struct ag_str){"", 0};
    if (len > AG_MAX_FORM) {
        return AG_ETOOLARGE;
    }
    return query_parse(arena, body, len, out);
}

const char *
ag_form_get(const struct ag_uri *form, const char *name)
{
    for (size_t i = 0; i < form->nargs; i++) {
        if (ag_str_eq(form->keys[i], name)) {
            return form->values[i].ptr;
        }
    }
    return NULL;
}

int
ag_uri_parse(struct ag_arena *arena, const char *target, size_t len, struct ag_uri *out)
{
    memset(out, 0, sizeof(*out));
    if (len > AG_MAX_URI) {
        return AG_ETOOLARGE;
    }
    if (len == 0 || target[0] != '/') {
        return AG_EINVAL;
    }
    const char *qm = memchr(target, '?', len);
    const char *hash = memchr(target, '#', len);
    if (hash != NULL) {
        return AG_EINVAL; /* a fragment is never sent by a conforming client */
    }
    size_t plen = qm ? (size_t)(qm - target) : len;
    if (decode_into(arena, target, plen, 0, &out->path) < 0) {
        return AG_EINVAL;
    }
    /* A decoded NUL would cut C strings short; a decoded '/' would change the route. */
    if (memchr(out->path.ptr, '\0', out->path.len) != NULL) {
        return AG_EINVAL;
    }
    for (size_t i = 0; i + 2 < plen; i++) {
        if (target[i] == '%' && target[i + 1] == '2' && (target[i + 2] | 0x20) == 'f') {
            return AG_EINVAL;
        }
    }
    if (qm != NULL) {
        return query_parse(arena, qm + 1, len - plen - 1, out);
    }
    return 0;
}

int
ag_route_match(const char *pattern, struct ag_str path, struct ag_str *names, struct ag_str *values,
               size_t *nparams)
{
    const char *p = pattern;
    size_t i = 0;
    size_t np = 0;

    while (*p != '\0') {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (close == NULL || np == AG_MAX_PARAMS) {
                return 0;
            }
            /* {name*} at the end of the pattern takes the rest of the path, slashes too. */
            int tail = close > p + 1 && close[-1] == '*' && close[1] == '\0';
            size_t start = i;
            while (i < path.len && (tail || path.ptr[i] != '/')) {
                i++;
            }
            if (i == start) {
                return 0; /* an empty segment never matches a parameter */
            }
            names[np] = (struct ag_str){p + 1, (size_t)(close - p - 1 - tail)};
            values[np] = (struct ag_str){path.ptr + start, i - start};
            np++;
            p = close + 1;
            continue;
        }
        if (i >= path.len || path.ptr[i] != *p) {
            return 0;
        }
        i++;
        p++;
    }
    if (i != path.len) {
        return 0;
    }
    *nparams = np;
    return 1;
}

/* Request input. */

struct ag_str
ag_req_param(const struct ag_req *req, const char *name)
{
    const struct ag__req_state *st = req->st;
    for (size_t i = 0; i < st->nparams; i++) {
        if (ag_str_eq(st->pnames[i], name)) {
            return st->pvalues[i];
        }
    }
    return AG_STR_NULL;
}

const char *
ag_req_query(const struct ag_req *req, const char *name)
{
    const struct ag__req_state *st = req->st;
    for (size_t i = 0; i < st->uri.nargs; i++) {
        if (ag_str_eq(st->uri.keys[i], name)) {
            return st->uri.values[i].ptr;
        }
    }
    return NULL;
}

const char *
ag_req_target(const struct ag_req *req)
{
    return req->st->raw_target != NULL ? req->st->raw_target : "/";
}

const char *
ag_req_header(const struct ag_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->st->conn, MHD_HEADER_KIND, name);
}

const char *
ag_req_cookie(const struct ag_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->st->conn, MHD_COOKIE_KIND, name);
}

const char *
ag_req_peer(const struct ag_req *req)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->st->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci == NULL || ci->client_addr == NULL) {
        return "-";
    }
    char *buf = ag_arena_alloc(req->arena, INET6_ADDRSTRLEN);
    const struct sockaddr *sa = ci->client_addr;
    const void *addr =
        sa->sa_family == AF_INET6
            ? (const void *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr
            : (const void *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr;
    if (inet_ntop(sa->sa_family, addr, buf, INET6_ADDRSTRLEN) == NULL) {
        return "-";
    }
    return buf;
}

int
ag_req_json_or_reply(struct ag_req *req, json_t **out)
{
    struct ag__req_state *st = req->st;
    struct ag_json_err err;

    if (st->json != NULL) {
        *out = st->json;
        return 0;
    }
    const char *ct = ag_req_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0 ||
        (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' ')) {
        ag_reply_error(req, AG_EMEDIATYPE, "Content-Type must be application/json");
        return AG_EMEDIATYPE;
    }
    if (req->body_len == 0) {
        ag_reply_error(req, AG_EINVAL, "request body is required");
        return AG_EINVAL;
    }
    if (ag_json_parse_object(req->body, req->body_len, &st->json, &err) < 0) {
        ag_reply_invalid(req, &err);
        return AG_EINVAL;
    }
    *out = st->json;
    return 0;
}

int
ag_req_db(struct ag_req *req, PGconn **out)
{
    struct ag__req_state *st = req->st;
    if (st->db == NULL) {
        if (req->server->svc->db == NULL) {
            ag_log(AG_LOG_ERROR, req->request_id, "handler asked for a database the service lacks");
            return AG_EINTERNAL;
        }
        int rc = ag_db_acquire(req->server->svc->db, &st->db);
        if (rc < 0) {
            return rc;
        }
    }
    *out = st->db;
    return 0;
}

struct req_tx {
    struct ag_req *req;
    ag_db_tx_fn fn;
    void *arg;
};

static void
response_drop(struct ag__req_state *st)
{
    st->has_response = 0;
    st->nheaders = 0;
    st->idem_saved = 0;
}

/* One attempt: a retried transaction starts from no response and no saved record. */
static int
req_tx_attempt(PGconn *conn, void *arg)
{
    struct req_tx *t = arg;
    response_drop(t->req->st);
    return t->fn(conn, t->arg);
}

int
ag_req_tx(struct ag_req *req, const char *isolation, ag_db_tx_fn fn, void *arg)
{
    struct ag__req_state *st = req->st;
    struct req_tx t = {req, fn, arg};
    PGconn *db;

    int rc = ag_req_db(req, &db);
    if (rc < 0) {
        return rc;
    }
    rc = ag_db_tx(db, isolation, 3, req_tx_attempt, &t);
    if (rc < 0 && st->has_response && st->status < 400) {
        response_drop(st);
    }
    if (rc < 0) {
        st->idem_saved = 0;
    }
    return rc;
}

int
ag_req_kv(struct ag_req *req, redisContext **out)
{
    struct ag__req_state *st = req->st;
    if (st->kv == NULL) {
        if (req->server->svc->kv == NULL) {
            ag_log(AG_LOG_ERROR, req->request_id, "handler asked for a redis the service lacks");
            return AG_EINTERNAL;
        }
        int rc = ag_kv_acquire(req->server->svc->kv, &st->kv);
        if (rc < 0) {
            return rc;
        }
    }
    *out = st->kv;
    return 0;
}

/* Replies. */

static void
set_response(struct ag__req_state *st, int status, const char *ctype, const char *body, size_t len)
{
    st->has_response = 1;
    st->status = status;
    st->content_type = ctype;
    st->resp_body = body;
    st->resp_len = len;
}

int
ag_reply_json_msg(struct ag_req *req, int status, json_t *data, const char *message)
{
    json_t *env = json_object();
    json_object_set_new(env, "success", json_true());
    json_object_set_new(env, "data", data != NULL ? data : json_null());
    if (message != NULL) {
        json_object_set_new(env, "message", json_string(message));
    }
    size_t len;
    char *body = ag_json_dump(req->arena, env, &len);
    json_decref(env);
    set_response(req->st, status, "application/json; charset=utf-8", body, len);
    return 0;
}

int
ag_reply_json(struct ag_req *req, int status, json_t *data)
{
    return ag_reply_json_msg(req, status, data, NULL);
}

/* "2026-11-24T10:37:00.123Z" */
static void
iso_now(char *buf, size_t size)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, size - n, ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
}

void
ag__reply_error_msg(struct ag__req_state *st, int rc, json_t *details, const char *message)
{
    char ts[64];
    iso_now(ts, sizeof(ts));
    json_t *err = json_object();
    json_object_set_new(err, "code", json_string(ag_err_code(rc)));
    json_object_set_new(err, "message", json_string(message ? message : ag_err_message(rc)));
    json_object_set_new(err, "details", details != NULL ? details : json_null());
    json_t *env = json_object();
    json_object_set_new(env, "success", json_false());
    json_object_set_new(env, "error", err);
    json_object_set_new(env, "timestamp", json_string(ts));
    size_t len;
    char *body = ag_json_dump(&st->arena, env, &len);
    json_decref(env);
    st->error_code = ag_err_code(rc);
    set_response(st, ag_err_status(rc), "application/json; charset=utf-8", body, len);
}

int
ag_reply_error_details(struct ag_req *req, int rc, json_t *details, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *msg = ag_arena_vprintf(req->arena, fmt, ap);
    va_end(ap);
    /* A message that is not valid UTF-8 (echoed input) would make jansson drop it. */
    if (ag_utf8_len(msg, strlen(msg)) == (size_t)-1) {
        msg = ag_err_message(rc);
    }
    ag__reply_error_msg(req->st, rc, details, msg);
    return 0;
}

int
ag_reply_invalid(struct ag_req *req, const struct ag_json_err *err)
{
    json_t *details = NULL;
    if (err->field[0] != '\0') {
        details = json_pack("{s:s}", "field", err->field);
    }
    return ag_reply_error_details(req, AG_EINVAL, details, "%s", err->message);
}

int
ag_reply_raw(struct ag_req *req, int status, const char *content_type, const char *body, size_t len)
{
    char *copy = ag_arena_strndup(req->arena, body, len);
    set_response(req->st, status, ag_arena_strdup(req->arena, content_type), copy, len);
    return 0;
}

int
ag_reply_empty(struct ag_req *req, int status)
{
    set_response(req->st, status, NULL, "", 0);
    return 0;
}

int
ag_reply_json_text(struct ag_req *req, int status, const char *data, size_t len)
{
    static const char head[] = "{\"success\":true,\"data\":";
    size_t total;
    if (__builtin_add_overflow(len, sizeof(head), &total)) {
        return AG_ETOOLARGE;
    }
    char *body = ag_arena_alloc(req->arena, total + 1);
    memcpy(body, head, sizeof(head) - 1);
    memcpy(body + sizeof(head) - 1, data, len);
    body[total - 1] = '}';
    body[total] = '\0';
    set_response(req->st, status, "application/json; charset=utf-8", body, total);
    return 0;
}

/* Does If-None-Match (a list of entity tags, or '*') name 'etag'? */
static int
etag_listed(const char *inm, const char *etag)
{
    size_t n = strlen(etag);
    const char *p = inm;

    while (*p != '\0') {
        while (*p == ' ' || *p == ',') {
            p++;
        }
        if (*p == '*') {
            return 1;
        }
        if (strncmp(p, "W/", 2) == 0) {
            p += 2; /* weak comparison, as RFC 9110 asks of If-None-Match */
        }
        if (strncmp(p, etag, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' ')) {
            return 1;
        }
        while (*p != '\0' && *p != ',') {
            p++;
        }
    }
    return 0;
}

int
ag_reply_cacheable(struct ag_req *req, int max_age_s)
{
    struct ag__req_state *st = req->st;
    unsigned char h[12];
    char etag[2 * sizeof(h) + 3], cc[64];

    if (!st->has_response || st->status != 200) {
        return 0;
    }
    crypto_generichash(h, sizeof(h), (const unsigned char *)st->resp_body, st->resp_len, NULL, 0);
    etag[0] = '"';
    sodium_bin2hex(etag + 1, sizeof(etag) - 2, h, sizeof(h));
    etag[sizeof(etag) - 2] = '"';
    etag[sizeof(etag) - 1] = '\0';
    snprintf(cc, sizeof(cc), "public, max-age=%d", max_age_s);
    int rc = ag_reply_header(req, "ETag", etag);
    if (rc == 0) {
        rc = ag_reply_header(req, "Cache-Control", cc);
    }
    const char *inm = ag_req_header(req, "If-None-Match");
    if (rc == 0 && inm != NULL && etag_listed(inm, etag)) {
        set_response(st, 304, NULL, "", 0);
    }
    return rc;
}

int
ag_req_query_int_or_reply(struct ag_req *req, const char *name, long long min, long long max,
                          long long def, long long *out)
{
    const char *v = ag_req_query(req, name);
    char *end;

    *out = def;
    if (v == NULL) {
        return 0;
    }
    long long n = strtoll(v, &end, 10);
    if (*v == '\0' || *end != '\0' || n < min || n > max || (v[0] == '0' && v[1] != '\0')) {
        ag_reply_error_details(req, AG_EINVAL, json_pack("{s:s}", "field", name),
                               "'%s' must be an integer %lld..%lld", name, min, max);
        return AG_EINVAL;
    }
    *out = n;
    return 0;
}

static int auth_bearer(struct ag__req_state *st);

int
ag_req_authenticate(struct ag_req *req)
{
    if (req->auth.authenticated) {
        return 0;
    }
    return auth_bearer(req->st);
}

int
ag_reply_header(struct ag_req *req, const char *name, const char *value)
{
    struct ag__req_state *st = req->st;
    if (st->nheaders == AG_MAX_RESP_HEADERS) {
        ag_log(AG_LOG_ERROR, req->request_id, "too many response headers, '%s' dropped", name);
        return AG_EINTERNAL;
    }
    st->headers[st->nheaders].name = ag_arena_strdup(req->arena, name);
    st->headers[st->nheaders].value = ag_arena_strdup(req->arena, value);
    st->nheaders++;
    return 0;
}

/* Request ids. */

static uint64_t
splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static int
request_id_valid(const char *s)
{
    size_t n = 0;
    for (; s[n] != '\0'; n++) {
        unsigned char c = (unsigned char)s[n];
        if (n == AG_MAX_REQUEST_ID ||
            !((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '-' ||
              c == '_' || c == '.')) {
            return 0;
        }
    }
    return n > 0;
}

static void
request_id_set(struct ag__req_state *st, struct ag_server *srv)
{
    const char *given = MHD_lookup_connection_value(st->conn, MHD_HEADER_KIND, "X-Request-Id");
    if (given != NULL && request_id_valid(given)) {
        snprintf(st->request_id, sizeof(st->request_id), "%s", given);
    } else {
        uint64_t n = atomic_fetch_add_explicit(&srv->next_id, 1, memory_order_relaxed);
        snprintf(st->request_id, sizeof(st->request_id), "%016llx%08llx",
                 (unsigned long long)splitmix64(n ^ srv->id_salt),
                 (unsigned long long)(srv->id_salt >> 32));
    }
    st->req.request_id = st->request_id;
}

/* Headers that must not appear twice: two Authorization headers are an attack or a bug. */
static const char *const singleton_headers[] = {
    "Authorization", "X-Idempotency-Key", "Idempotency-Key", "X-Internal-Token",
    "Content-Type",  "X-Request-Id",      "Content-Length",
};

struct header_count {
    unsigned counts[sizeof(singleton_headers) / sizeof(singleton_headers[0])];
};

static enum MHD_Result
count_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    struct header_count *hc = cls;
    (void)kind;
    (void)value;
    for (size_t i = 0; i < sizeof(singleton_headers) / sizeof(singleton_headers[0]); i++) {
        if (strcasecmp(key, singleton_headers[i]) == 0) {
            hc->counts[i]++;
        }
    }
    return MHD_YES;
}

static const char *
duplicate_header(struct MHD_Connection *conn)
{
    struct header_count hc;
    memset(&hc, 0, sizeof(hc));
    MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &hc);
    for (size_t i = 0; i < sizeof(singleton_headers) / sizeof(singleton_headers[0]); i++) {
        if (hc.counts[i] > 1) {
            return singleton_headers[i];
        }
    }
    return NULL;
}

/* Auth. */

static int
auth_internal(struct ag__req_state *st)
{
    const char *want = st->req.server->svc->internal_token;
    if (want == NULL || want[0] == '\0') {
        return AG_EUNAVAIL;
    }
    const char *got = MHD_lookup_connection_value(st->conn, MHD_HEADER_KIND, "X-Internal-Token");
    if (got == NULL) {
        return AG_EUNAUTH;
    }
    /* Compare fixed-size digests so neither content nor length leaks through timing. */
    unsigned char a[32], b[32];
    crypto_generichash(a, sizeof(a), (const unsigned char *)want, strlen(want), NULL, 0);
    crypto_generichash(b, sizeof(b), (const unsigned char *)got, strlen(got), NULL, 0);
    if (sodium_memcmp(a, b, sizeof(a)) != 0) {
        return AG_EUNAUTH;
    }
    st->req.auth.internal = 1;
    return 0;
}

static int
auth_bearer(struct ag__req_state *st)
{
    struct ag_jwt *jwt = st->req.server->svc->jwt;
    const char *h = MHD_lookup_connection_value(st->conn, MHD_HEADER_KIND, "Authorization");
    if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0 || jwt == NULL) {
        return AG_EUNAUTH;
    }
    const char *tok = h + 7;
    while (*tok == ' ') {
        tok++;
    }
    struct ag_jwt_claims claims;
    if (ag_jwt_verify(jwt, tok, strlen(tok), (int64_t)time(NULL), &claims) < 0) {
        return AG_EUNAUTH;
    }
    memcpy(st->sub, claims.sub, sizeof(st->sub));
    memcpy(st->sid, claims.sid, sizeof(st->sid));
    st->req.auth.authenticated = 1;
    st->req.auth.role = claims.role;
    st->req.auth.sub = st->sub;
    st->req.auth.sid = st->sid;
    return 0;
}

/* Returns 0 when the caller may call the route, else the error to answer. */
static int
auth_check(struct ag__req_state *st, const struct ag_route *route)
{
    int rc;

    if (route->auth == AG_AUTH_NONE) {
        return 0;
    }
    if (route->auth == AG_AUTH_INTERNAL) {
        return auth_internal(st);
    }
    rc = auth_bearer(st);
    if (rc < 0) {
        return rc;
    }
    enum ag_role role = st->req.auth.role;
    switch (route->auth) {
    case AG_AUTH_USER:
        return role >= AG_ROLE_USER ? 0 : AG_EFORBIDDEN;
    case AG_AUTH_ADMIN:
        return role == AG_ROLE_ADMIN ? 0 : AG_EFORBIDDEN;
    case AG_AUTH_OWNER:
        if (role == AG_ROLE_ADMIN) {
            return 0;
        }
        return role == AG_ROLE_USER && ag_str_eq(ag_req_param(&st->req, "id"), st->sub)
                   ? 0
                   : AG_EFORBIDDEN;
    default:
        return 0;
    }
}

static const char *
auth_message(int rc)
{
    switch (rc) {
    case AG_EUNAUTH:
        return "a valid access token is required";
    case AG_EFORBIDDEN:
        return "you may not access this resource";
    default:
        return NULL;
    }
}

/* The request's course. */

static void
route_find(struct ag__req_state *st, struct ag_server *srv, enum ag_method method, int *path_found)
{
    *path_found = 0;
    st->route_idx = srv->nroutes;
    for (size_t i = 0; i < srv->nmatch; i++) {
        size_t np = 0;
        struct ag_str names[AG_MAX_PARAMS], values[AG_MAX_PARAMS];
        if (!ag_route_match(srv->routes[i]->path, st->uri.path, names, values, &np)) {
            continue;
        }
        *path_found = 1;
        if (srv->routes[i]->method != method) {
            continue;
        }
        st->route_idx = i;
        st->nparams = np;
        memcpy(st->pnames, names, np * sizeof(names[0]));
        memcpy(st->pvalues, values, np * sizeof(values[0]));
        return;
    }
    if (!*path_found && srv->nmatch < srv->nroutes) {
        st->route_idx = srv->nmatch; /* the service's fallback, whatever the method */
    }
}

/* The first call: parse the target, find the route, check the declared size. */
static void
request_begin(struct ag__req_state *st, struct ag_server *srv, const char *method)
{
    request_id_set(st, srv);
    st->req.method = method_parse(method);
    const char *target = st->raw_target != NULL ? st->raw_target : "";
    int rc = ag_uri_parse(&st->arena, target, strlen(target), &st->uri);
    if (rc < 0) {
        st->early_rc = rc;
        return;
    }
    st->req.path = st->uri.path;
    const char *dup = duplicate_header(st->conn);
    if (dup != NULL) {
        st->early_rc = AG_EINVAL;
        st->error_code = dup; /* remembered for the message */
        return;
    }
    int path_found;
    route_find(st, srv, st->req.method, &path_found);
    if (st->route_idx == srv->nroutes) {
        st->early_rc = path_found ? AG_EMETHOD : AG_ENOROUTE;
        return;
    }
    st->req.route = srv->routes[st->route_idx];
    st->body_max = st->req.route->body_max;
    const char *cl = MHD_lookup_connection_value(st->conn, MHD_HEADER_KIND, "Content-Length");
    if (cl != NULL && strtoull(cl, NULL, 10) > st->body_max) {
        st->early_rc = AG_ETOOLARGE;
    }
}

static void
body_append(struct ag__req_state *st, const char *data, size_t n)
{
    size_t need;
    if (__builtin_add_overflow(st->body_len, n, &need) || need > st->body_max) {
        st->early_rc = AG_ETOOLARGE;
        return;
    }
    if (need + 1 > st->body_cap) {
        size_t cap = st->body_cap ? st->body_cap : 1024;
        while (cap < need + 1) {
            cap *= 2;
        }
        char *nb = ag_arena_alloc(&st->arena, cap);
        if (st->body_len > 0) {
            memcpy(nb, st->body, st->body_len);
        }
        st->body = nb;
        st->body_cap = cap;
    }
    memcpy(st->body + st->body_len, data, n);
    st->body_len = need;
    st->body[need] = '\0';
}

static void
early_error(struct ag__req_state *st)
{
    int rc = st->early_rc;
    char msg[160];

    switch (rc) {
    case AG_ETOOLARGE:
        snprintf(msg, sizeof(msg), "request body exceeds %zu bytes", st->body_max);
        break;
    case AG_EMETHOD:
        snprintf(msg, sizeof(msg), "method not allowed on this path");
        break;
    case AG_ENOROUTE:
        snprintf(msg, sizeof(msg), "no endpoint at this path");
        break;
    default:
        if (st->error_code != NULL) {
            snprintf(msg, sizeof(msg), "header '%s' must not appear twice", st->error_code);
        } else {
            snprintf(msg, sizeof(msg), "malformed request target");
        }
        break;
    }
    ag__reply_error_msg(st, rc, NULL, msg);
}

/* After the handler (or the thread it deferred to): make sure there is one response. */
static void
complete(struct ag__req_state *st, int rc)
{
    const struct ag_route *route = st->req.route;

    if (rc < 0 && !st->has_response) {
        if (ag_err_status(rc) >= 500) {
            ag_log(AG_LOG_ERROR, st->request_id, "%s %s failed: %s", ag_method_name(route->method),
                   route->path, ag_err_name(rc));
        }
        ag__reply_error_msg(st, rc, NULL, NULL);
    } else if (!st->has_response) {
        ag_log(AG_LOG_ERROR, st->request_id, "handler of %s %s set no response",
               ag_method_name(route->method), route->path);
        ag__reply_error_msg(st, AG_EINTERNAL, NULL, NULL);
    }
    ag__idem_finish(st);
}

/* Returns 1 when the handler deferred its answer, 0 when the response is ready. */
static int
dispatch(struct ag__req_state *st)
{
    struct ag_req *req = &st->req;

    if (st->early_rc < 0) {
        early_error(st);
        return 0;
    }
    req->body = st->body;
    req->body_len = st->body_len;
    int rc = auth_check(st, req->route);
    if (rc < 0) {
        ag__reply_error_msg(st, rc, NULL, auth_message(rc));
        return 0;
    }
    if (ag__idem_begin(st) != 0) {
        return 0;
    }
    rc = req->route->handler(req);
    if (rc == AG_DEFERRED && st->deferred) {
        return 1; /* another thread owns the request now */
    }
    complete(st, rc);
    return 0;
}

int
ag_req_defer(struct ag_req *req)
{
    struct ag__req_state *st = req->st;
    st->deferred = 1;
    MHD_suspend_connection(st->conn);
    return AG_DEFERRED;
}

void
ag_req_resume(struct ag_req *req)
{
    ag_req_resume_rc(req, 0);
}

void
ag_req_resume_rc(struct ag_req *req, int rc)
{
    req->st->deferred_rc = rc;
    MHD_resume_connection(req->st->conn);
}

static enum MHD_Result
queue_response(struct ag__req_state *st)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        st->resp_len, (void *)(uintptr_t)st->resp_body, MHD_RESPMEM_PERSISTENT);
    if (resp == NULL) {
        return MHD_NO;
    }
    if (st->content_type != NULL) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, st->content_type);
    }
    MHD_add_response_header(resp, "X-Request-Id", st->request_id);
    if (st->status == 405) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, POST, PUT, PATCH, DELETE");
    }
    for (size_t i = 0; i < st->nheaders; i++) {
        MHD_add_response_header(resp, st->headers[i].name, st->headers[i].value);
    }
    const char *const *h = st->req.server->svc->headers;
    for (size_t i = 0; h != NULL && h[i] != NULL && h[i + 1] != NULL; i += 2) {
        MHD_add_response_header(resp, h[i], h[i + 1]);
    }
    if (st->idem_replayed) {
        MHD_add_response_header(resp, "X-Idempotency-Replayed", "true");
    }
    enum MHD_Result r = MHD_queue_response(st->conn, (unsigned)st->status, resp);
    MHD_destroy_response(resp);
    st->queued = 1;
    return r;
}

static enum MHD_Result
on_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
          const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
    struct ag_server *srv = cls;
    struct ag__req_state *st = *req_cls;
    (void)url;
    (void)version;

    if (st == NULL) {
        return MHD_NO; /* the URI callback always runs first; be safe anyway */
    }
    if (!st->started) {
        st->started = 1;
        st->conn = conn;
        request_begin(st, srv, method);
        if (st->early_rc == AG_ETOOLARGE) {
            /* Refuse before reading a body we would throw away; MHD then closes. */
            early_error(st);
            return queue_response(st);
        }
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (st->early_rc == 0) {
            body_append(st, upload_data, *upload_data_size);
        } else {
            /*
             * MHD takes no response while the upload goes on, so a chunked body over the
             * limit is read and dropped, and answered 413 at its end; one that keeps coming
             * long after is cut off.
             */
            st->discarded += *upload_data_size;
            if (st->discarded > AG_MAX_DISCARD) {
                *upload_data_size = 0;
                return MHD_NO;
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (st->queued) {
        return MHD_YES;
    }
    if (st->deferred) {
        /* Resumed: the deferred work set the response, or left its error. */
        complete(st, st->deferred_rc);
        return queue_response(st);
    }
    if (dispatch(st)) {
        return MHD_YES;
    }
    return queue_response(st);
}

static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct ag_server *srv = cls;
    (void)conn;

    /* The arena is the last member: zero what comes before it, not its 4 KiB block. */
    struct ag__req_state *st = ag_xmalloc(sizeof(*st));
    memset(st, 0, offsetof(struct ag__req_state, arena));
    ag_arena_init(&st->arena);
    clock_gettime(CLOCK_MONOTONIC, &st->t0);
    st->req.arena = &st->arena;
    st->req.app = srv->svc->app;
    st->req.server = srv;
    st->req.st = st;
    st->req.auth.sub = "";
    st->req.auth.sid = "";
    st->raw_target = ag_arena_strdup(&st->arena, uri);
    atomic_fetch_add_explicit(&srv->inflight, 1, memory_order_relaxed);
    return st;
}

static void
access_log(struct ag__req_state *st, struct ag_server *srv, double secs)
{
    if (!srv->svc->access_log || AG_LOG_INFO < ag_log_min_level) {
        return;
    }
    char kv[512];
    const char *path = st->req.route ? st->req.route->path : "-";
    snprintf(kv, sizeof(kv),
             "msg=access method=%s route=\"%s\" status=%d dur_ms=%.3f bytes=%zu%s%s%s%s",
             st->req.method ? ag_method_name(st->req.method) : "?", path, st->status, secs * 1e3,
             st->resp_len, st->sub[0] ? " user=" : "", st->sub,
             st->idem_replayed ? " replayed=1" : "", st->queued ? "" : " aborted=1");
    ag_log_raw(AG_LOG_INFO, st->request_id, kv);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
             enum MHD_RequestTerminationCode toe)
{
    struct ag_server *srv = cls;
    struct ag__req_state *st = *req_cls;
    (void)conn;
    (void)toe;

    if (st == NULL) {
        return;
    }
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - st->t0.tv_sec) + (double)(t1.tv_nsec - st->t0.tv_nsec) / 1e9;
    if (st->started) {
        ag_metrics_observe(srv->metrics, st->route_idx, st->queued ? st->status : 499, secs);
        access_log(st, srv, secs);
    }
    if (st->idem_active) {
        ag__idem_finish(st); /* the connection died mid-handler: still unlock */
    }
    ag_db_release(srv->svc->db, st->db);
    ag_kv_release(srv->svc->kv, st->kv);
    json_decref(st->json);
    ag_arena_release(&st->arena);
    ag_free(st);
    *req_cls = NULL;
    atomic_fetch_sub_explicit(&srv->inflight, 1, memory_order_release);
}

/* Server life. */

static int
routes_build(struct ag_server *srv)
{
    const struct ag_service *svc = srv->svc;
    size_t n = svc->nroutes + ag__builtin_nroutes;
    size_t nall = n + (svc->fallback != NULL);

    srv->routes = ag_xcalloc(nall, sizeof(const struct ag_route *));
    srv->route_methods = ag_xcalloc(nall, sizeof(char *));
    srv->route_paths = ag_xcalloc(nall, sizeof(char *));
    for (size_t i = 0; i < nall; i++) {
        const struct ag_route *r = i < svc->nroutes ? &svc->routes[i]
                                   : i < n          ? &ag__builtin_routes[i - svc->nroutes]
                                                    : svc->fallback;
        if (r->path == NULL || r->path[0] != '/' || r->handler == NULL ||
            ag_method_name(r->method)[0] == '?') {
            ag_log(AG_LOG_ERROR, NULL, "route %zu is malformed", i);
            return AG_EINVAL;
        }
        srv->routes[i] = r;
        srv->route_methods[i] = ag_method_name(r->method);
        srv->route_paths[i] = r->path;
    }
    srv->nmatch = n;
    srv->nroutes = nall;
    return 0;
}

static void
server_free(struct ag_server *srv)
{
    if (srv == NULL) {
        return;
    }
    ag_metrics_free(srv->metrics);
    ag_free(srv->routes);
    ag_free(srv->route_methods);
    ag_free(srv->route_paths);
    ag_free(srv->openapi_json);
    ag_free(srv);
}

static void log_mhd(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void
log_mhd(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    (void)cls;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && msg[n - 1] == '\n') {
        msg[--n] = '\0';
    }
    ag_log(AG_LOG_WARN, NULL, "http: %s", msg);
}

int
ag_server_start(const struct ag_service *svc, struct ag_server **out)
{
    struct ag_server *srv = ag_xcalloc(1, sizeof(*srv));
    struct sockaddr_in addr;
    int rc;

    if (sodium_init() < 0) {
        rc = AG_EINTERNAL;
        goto fail;
    }
    srv->svc = svc;
    randombytes_buf(&srv->id_salt, sizeof(srv->id_salt));
    rc = routes_build(srv);
    if (rc < 0) {
        goto fail;
    }
    srv->metrics = ag_metrics_new(svc->name, srv->nroutes, srv->route_methods, srv->route_paths);
    if (svc->openapi_yaml != NULL &&
        ag__openapi_json(svc->openapi_yaml, &srv->openapi_json, &srv->openapi_json_len) < 0) {
        ag_log(AG_LOG_ERROR, NULL, "the service's openapi.yaml does not parse");
        rc = AG_EINVAL;
        goto fail;
    }
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)svc->port);
    if (inet_pton(AF_INET, svc->bind ? svc->bind : "127.0.0.1", &addr.sin_addr) != 1) {
        ag_log(AG_LOG_ERROR, NULL, "cannot use bind address '%s'", svc->bind);
        rc = AG_EINVAL;
        goto fail;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads =
        svc->threads > 0 ? (unsigned)svc->threads : (unsigned)(cores > 0 ? cores : 1);
    unsigned timeout = svc->conn_timeout_s > 0 ? (unsigned)svc->conn_timeout_s : 30;
    srv->daemon = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME |
            MHD_USE_ERROR_LOG,
        0, NULL, NULL, on_access, srv, MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_CONNECTION_TIMEOUT, timeout, MHD_OPTION_CONNECTION_LIMIT, (unsigned)10000,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_LISTEN_BACKLOG_SIZE,
        (unsigned)1024, MHD_OPTION_END);
    if (srv->daemon == NULL) {
        ag_log(AG_LOG_ERROR, NULL, "cannot listen on %s:%d", svc->bind ? svc->bind : "127.0.0.1",
               svc->port);
        rc = AG_EUNAVAIL;
        goto fail;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di != NULL ? di->port : svc->port;
    ag__idem_sweep(srv);
    *out = srv;
    return 0;
fail:
    server_free(srv);
    return rc;
}

int
ag_server_port(const struct ag_server *srv)
{
    return srv->port;
}

void
ag_server_stop(struct ag_server *srv)
{
    if (srv == NULL) {
        return;
    }
    int grace = srv->svc->shutdown_grace_s > 0 ? srv->svc->shutdown_grace_s : 10;
    /*
     * Quiescing tells each pool thread to drop the listen socket from its epoll set, and they
     * do it on their own time: closing the socket now races with that (MHD then aborts with
     * "Failed to remove listen FD from epoll set"), so it is closed after the stop. Meanwhile
     * new connections wait in the backlog and are reset then.
     */
    MHD_socket fd = MHD_quiesce_daemon(srv->daemon);
    /* In-flight requests finish; idle keep-alive connections are closed by the stop. */
    for (int i = 0; i < grace * 100; i++) {
        if (atomic_load_explicit(&srv->inflight, memory_order_acquire) == 0) {
            break;
        }
        usleep(10000);
    }
    int left = atomic_load(&srv->inflight);
    if (left > 0) {
        ag_log(AG_LOG_WARN, NULL, "stopping with %d requests still in flight", left);
    }
    MHD_stop_daemon(srv->daemon);
    if (fd != MHD_INVALID_SOCKET) {
        close(fd);
    }
    server_free(srv);
}

int
ag_serve(const struct ag_service *svc)
{
    sigset_t set;
    struct ag_server *srv;
    int sig = 0;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    (void)signal(SIGPIPE, SIG_IGN);
    int rc = ag_server_start(svc, &srv);
    if (rc < 0) {
        return rc;
    }
    ag_log(AG_LOG_INFO, NULL, "listening on %s:%d", svc->bind ? svc->bind : "127.0.0.1",
           ag_server_port(srv));
    while (sigwait(&set, &sig) != 0) {
    }
    ag_log(AG_LOG_INFO, NULL, "signal %d: finishing in-flight requests", sig);
    ag_server_stop(srv);
    ag_log(AG_LOG_INFO, NULL, "stopped");
    return 0;
}
