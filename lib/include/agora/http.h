/*
 * The HTTP server on libmicrohttpd: a const route table per service, per-request arena, auth
 * levels, body limits, the envelopes, X-Request-Id, access log, metrics, health and docs
 * routes, idempotency, and graceful shutdown.
 *
 * Handler contract: parse, validate, call, reply. A reply function sets the response; the
 * router sends it when the handler returns. A handler that returns a negative AG_E* code with
 * no response set (an _or_reply function that failed has set one) gets the standard error body
 * for it, logged once when it is a 5xx.
 */
#ifndef AGORA_HTTP_H
#define AGORA_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>
#include <hiredis/hiredis.h>

#include "agora/db.h"
#include "agora/jwt.h"
#include "agora/json.h"
#include "agora/mem.h"

#define AG_MAX_URI          4096 /* request target, path and query together */
#define AG_MAX_PARAMS       8    /* {params} in one route */
#define AG_MAX_QUERY_ARGS   32
#define AG_MAX_REQUEST_ID   64
#define AG_MAX_RESP_HEADERS 16
#define AG_MAX_FORM         (64u << 10) /* bytes of a form body (ag_form_parse) */

enum ag_method {
    AG_GET = 1,
    AG_POST = 2,
    AG_PUT = 4,
    AG_PATCH = 8,
    AG_DELETE = 16,
};

/* Who may call a route; the router checks it before anything else. */
enum ag_auth_level {
    AG_AUTH_NONE = 0, /* public */
    AG_AUTH_ANY,      /* any valid access token, guests too */
    AG_AUTH_USER,     /* a signed-in member (user or admin) */
    AG_AUTH_OWNER,    /* user whose sub equals the path's {id}, or an admin */
    AG_AUTH_ADMIN,    /* role admin */
    AG_AUTH_INTERNAL, /* X-Internal-Token equal to the service's internal token */
};

/* Route flags. */
#define AG_ROUTE_IDEM_REQUIRED 0x1 /* X-Idempotency-Key must be present (400 otherwise) */

struct ag_req;
typedef int (*ag_handler_fn)(struct ag_req *req);

struct ag_route {
    enum ag_method method;
    const char *path; /* literal segments and {name} segments, e.g. "/api/members/{id}"; a
                         last {name*} takes the rest of the path, slashes too ("/api/{rest*}") */
    ag_handler_fn handler;
    enum ag_auth_level auth;
    size_t body_max; /* bytes; 0 = no body allowed */
    unsigned flags;
};

/* The caller, as the verified token says (or the internal token). */
struct ag_auth {
    int authenticated;
    enum ag_role role;
    const char *sub; /* borrowed from the request; "" when not authenticated */
    const char *sid;
    int internal; /* 1 when X-Internal-Token matched */
};

struct ag_server;
struct ag__req_state;

struct ag_req {
    struct ag_arena *arena; /* everything the request makes; freed after the response */
    void *app;              /* the service's context (struct ag_service.app) */
    struct ag_server *server;
    const struct ag_route *route;
    enum ag_method method;
    struct ag_str path;     /* percent-decoded path */
    const char *request_id; /* taken from X-Request-Id when valid, made otherwise */
    struct ag_auth auth;
    const char *body; /* raw body, NUL-terminated; NULL when none */
    size_t body_len;
    void *user;               /* the handler's own, for a deferred reply to find (NULL at first) */
    struct ag__req_state *st; /* router internals */
};

/* A service as ag_serve runs it. */
struct ag_service {
    const char *name; /* "member": logs, metrics, docs */
    const char *version;
    const struct ag_route *routes;
    size_t nroutes;
    const char *openapi_yaml; /* the service's openapi.yaml text, for /docs and /openapi.json */
    void *app;
    struct ag_db_pool *db;      /* may be NULL; /readyz pings it; idempotency records live here */
    struct ag_kv_pool *kv;      /* may be NULL; /readyz pings it; idempotency locks live here */
    struct ag_jwt *jwt;         /* may be NULL: then only AG_AUTH_NONE/INTERNAL routes work */
    const char *internal_token; /* AG_AUTH_INTERNAL; NULL or "" = internal routes answer 503 */
    const char *bind;           /* address, e.g. "127.0.0.1" */
    int port;                   /* 0 = any free port (tests); see ag_server_port */
    int threads;                /* MHD thread pool size; 0 = one per core */
    int access_log;             /* one line per request at info level */
    int conn_timeout_s;         /* idle keep-alive connections close after this; 0 = 30 */
    int shutdown_grace_s;       /* how long in-flight requests may finish at shutdown; 0 = 10 */
    /* May be NULL. The route of a request whose path no route matches, whatever its method
     * (its method and path only label logs and metrics), instead of the 404 envelope. */
    const struct ag_route *fallback;
    /* May be NULL. Name, value, name, value…, NULL: headers added to every response (a web
     * page's security headers). */
    const char *const *headers;
};

/*
 * Starts serving 'svc' (borrowed for the server's life) in MHD's threads and returns.
 * Errors: AG_EINVAL (bad route table or address), AG_EUNAVAIL (cannot listen).
 */
int ag_server_start(const struct ag_service *svc, struct ag_server **out);
/* The port actually bound (useful when svc->port is 0). */
int ag_server_port(const struct ag_server *srv);
/*
 * Graceful stop: stops accepting, lets in-flight requests finish (up to the grace period),
 * closes the listener and frees the server. Accepts NULL.
 */
void ag_server_stop(struct ag_server *srv);

/*
 * Runs 'svc' until SIGTERM or SIGINT, then stops gracefully. Blocks those signals in every
 * thread it starts. Returns 0, or the ag_server_start error.
 */
int ag_serve(const struct ag_service *svc);

/* "GET", "POST", "PUT", "PATCH", "DELETE"; "?" for anything else. Static. */
const char *ag_method_name(enum ag_method m);

/* Request input; all borrowed, valid until the response is sent. */

/* The path parameter 'name' ({name} in the route), or AG_STR_NULL. */
struct ag_str ag_req_param(const struct ag_req *req, const char *name);
/* The percent-decoded query argument 'name' (first one), NUL-terminated, or NULL. */
const char *ag_req_query(const struct ag_req *req, const char *name);
/* The request header 'name' (case-insensitive), or NULL. */
const char *ag_req_header(const struct ag_req *req, const char *name);
/* The request target as received (path and query, not decoded), e.g. "/api/x?q=1". */
const char *ag_req_target(const struct ag_req *req);
/* The cookie 'name', or NULL. */
const char *ag_req_cookie(const struct ag_req *req, const char *name);
/* The client's address as text ("127.0.0.1"), or "-". */
const char *ag_req_peer(const struct ag_req *req);

/*
 * Parses the body as a JSON object: 415 unless the Content-Type is application/json, 400 on
 * bad JSON. On success '*out' borrows the object (released with the request) and 0 returns;
 * on failure the error has been replied and a negative code returns.
 */
int ag_req_json_or_reply(struct ag_req *req, json_t **out);

/* A pooled database connection for this request, released after it. AG_EUNAVAIL/ETIMEOUT. */
int ag_req_db(struct ag_req *req, PGconn **out);
/*
 * Runs 'fn(conn, arg)' in a transaction on the request's connection (ag_db_tx, retried on
 * serialization failure). 'fn' sets the reply and calls ag_idem_save before it returns 0.
 * When the transaction fails, a success response 'fn' set is dropped (an error response it
 * set is kept), so the router answers the error instead. Returns 0 or the failure's code.
 */
int ag_req_tx(struct ag_req *req, const char *isolation, ag_db_tx_fn fn, void *arg);
/* A pooled Redis connection for this request, released after it. */
int ag_req_kv(struct ag_req *req, redisContext **out);

/*
 * Deferred answers: a handler that waits for another thread (a batched query) calls
 * ag_req_defer and returns its result, AG_DEFERRED; that thread later sets the response with
 * the reply functions and calls ag_req_resume. Nothing may touch 'req' between the two but
 * that thread.
 */
#define AG_DEFERRED 1
int ag_req_defer(struct ag_req *req);
/* Hands the request back to the server, which sends the response set meanwhile. */
void ag_req_resume(struct ag_req *req);
/*
 * The same, with the deferred work's result: a negative 'rc' with no response set is
 * answered as the handler's own return would be (its error, logged once when 5xx).
 */
void ag_req_resume_rc(struct ag_req *req, int rc);

/* Replies. Each sets the response and returns 0; the router sends it. */

/* 'status' with {"success":true,"data":data}; 'data' is stolen (json_decref'd for you). */
int ag_reply_json(struct ag_req *req, int status, json_t *data);
/* As ag_reply_json, with "message". */
int ag_reply_json_msg(struct ag_req *req, int status, json_t *data, const char *message);
/* The error envelope for 'rc' with a printf message; 'details' (stolen) may be NULL. */
int ag_reply_error_details(struct ag_req *req, int rc, json_t *details, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define ag_reply_error(req, rc, ...) ag_reply_error_details((req), (rc), NULL, __VA_ARGS__)
/* 400 naming the bad field of a JSON body: details {"field": …}. */
int ag_reply_invalid(struct ag_req *req, const struct ag_json_err *err);
/* Any body; 'body' is copied. */
int ag_reply_raw(struct ag_req *req, int status, const char *content_type, const char *body,
                 size_t len);
/* 204 with no body. */
int ag_reply_empty(struct ag_req *req, int status);
/* 200-style success whose data is 'data' (borrowed), JSON text already serialized (say by
 * PostgreSQL's json_build_object); the caller vouches that it is valid JSON. */
int ag_reply_json_text(struct ag_req *req, int status, const char *data, size_t len);
/*
 * Makes the 200 response set so far cacheable: an ETag (a hash of the body) and
 * Cache-Control: public, max-age='max_age_s'; when the request's If-None-Match names that
 * ETag the response becomes 304 with no body. Other statuses are left alone. Returns 0, or
 * AG_EINTERNAL when the response has no room for the headers.
 */
int ag_reply_cacheable(struct ag_req *req, int max_age_s);
/*
 * On a route whose auth is AG_AUTH_NONE: verifies the request's Bearer token, if any, and
 * fills req->auth as a protected route would. Returns 0, or AG_EUNAUTH (no or bad token;
 * req->auth stays unauthenticated). Nothing is replied.
 */
int ag_req_authenticate(struct ag_req *req);
/*
 * Query parameter 'name' as a decimal integer within min..max (no sign, no leading zeros);
 * 'def' when absent. Errors: AG_EINVAL, replied (400 with details {field}).
 */
int ag_req_query_int_or_reply(struct ag_req *req, const char *name, long long min, long long max,
                              long long def, long long *out);
/* Adds a response header (name and value copied); at most AG_MAX_RESP_HEADERS. */
int ag_reply_header(struct ag_req *req, const char *name, const char *value);

/*
 * Stores the response set so far as this request's idempotency record, on 'conn', inside the
 * caller's transaction, so that the record commits or rolls back with the effect. A no-op
 * (returns 0) when the request carries no idempotency key. Errors: as ag_db_exec
 * (AG_ECONFLICT when a concurrent duplicate committed first).
 */
int ag_idem_save(struct ag_req *req, PGconn *conn);

/* Validates an idempotency key: 8..128 of [A-Za-z0-9_-]. Returns 0 or AG_EINVAL. */
int ag_idem_key_valid(const char *key);

/* SQL for the idempotency table, migration "000-idempotency-keys.sql". */
extern const char ag_idem_schema_sql[];

/*
 * A service's migrations: the idempotency table first, then 'schema' (the service's embedded
 * schema/NNN-*.sql files, in order; at most 63), as ag_db_migrate applies them. Errors as
 * ag_db_migrate, logged once here; AG_EINVAL for more than 63 files.
 */
struct ag_embed_file;
int ag_idem_migrate(const char *conninfo, const struct ag_embed_file *schema, size_t n);

/* Parses a request target into path and query; exported for the fuzz target and tests. */
struct ag_uri {
    struct ag_str path; /* percent-decoded, NUL-terminated */
    size_t nargs;
    struct ag_str keys[AG_MAX_QUERY_ARGS];
    struct ag_str values[AG_MAX_QUERY_ARGS]; /* decoded, NUL-terminated */
};
/*
 * Splits 'target' at '?', percent-decodes the path (a decoded NUL or '/' is refused) and the
 * query ('+' is a space), into 'arena'. Errors: AG_EINVAL (bad %-escape, too many args,
 * not starting with '/'), AG_ETOOLARGE (longer than AG_MAX_URI).
 */
int ag_uri_parse(struct ag_arena *arena, const char *target, size_t len, struct ag_uri *out);

/*
 * Parses an application/x-www-form-urlencoded body ('len' bytes) into 'out' (keys and
 * values percent-decoded, '+' a space, NUL-terminated, in 'arena'; 'out->path' is "").
 * Errors: AG_EINVAL (bad %-escape, more than AG_MAX_QUERY_ARGS fields), AG_ETOOLARGE (over
 * AG_MAX_FORM bytes).
 */
int ag_form_parse(struct ag_arena *arena, const char *body, size_t len, struct ag_uri *out);
/* The value of the first field 'name' of 'form' (borrowed, as 'form'), or NULL. */
const char *ag_form_get(const struct ag_uri *form, const char *name);

/* Matches 'path' against route pattern 'pattern'; fills up to AG_MAX_PARAMS name/values. */
int ag_route_match(const char *pattern, struct ag_str path, struct ag_str *names,
                   struct ag_str *values, size_t *nparams);

/* Percent-decodes 'n' bytes of 's' into 'out' (room for n+1); returns the length or -1. */
long ag_percent_decode(const char *s, size_t n, char *out, int plus_is_space);

#endif
