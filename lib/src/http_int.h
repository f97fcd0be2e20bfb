/*
 * Internals shared by http.c, idem.c and builtin.c: the per-request state behind struct ag_req
 * and the server.
 */
#ifndef AGORA_HTTP_INT_H
#define AGORA_HTTP_INT_H

#include <stdatomic.h>
#include <time.h>

#include <microhttpd.h>

#include "agora/http.h"
#include "agora/metrics.h"

/* An over-limit chunked body is read and dropped up to this much, then the connection is cut. */
#define AG_MAX_DISCARD ((size_t)1024 * 1024)

struct ag_server {
    const struct ag_service *svc; /* borrowed */
    struct MHD_Daemon *daemon;
    struct ag_metrics *metrics; /* owned */
    char *openapi_json;         /* the spec as JSON text; owned; NULL when none */
    size_t openapi_json_len;
    atomic_int inflight;          /* requests between begin and completion */
    atomic_uint_fast64_t next_id; /* request id counter */
    uint64_t id_salt;             /* per-process random, mixed into request ids */
    int port;
    size_t nroutes;                 /* service routes + built-in routes (+ the fallback) */
    size_t nmatch;                  /* the routes matched by path: all but the fallback */
    const struct ag_route **routes; /* service routes, then built-ins; owned array */
    const char **route_methods;     /* labels for metrics; owned arrays of borrowed strings */
    const char **route_paths;
};

struct ag_resp_header {
    const char *name;
    const char *value;
};

struct ag__req_state {
    struct ag_req req;
    struct MHD_Connection *conn;
    struct timespec t0;
    int started;            /* the access handler's first call happened */
    int queued;             /* a response went to MHD */
    int deferred;           /* the handler suspended the connection (ag_req_defer) */
    int deferred_rc;        /* the deferred work's result (ag_req_resume_rc) */
    int early_rc;           /* an error found before the body was read */
    const char *raw_target; /* request target as received */
    struct ag_uri uri;
    size_t route_idx; /* index into server routes, or nroutes when none */
    struct ag_str pnames[AG_MAX_PARAMS];
    struct ag_str pvalues[AG_MAX_PARAMS];
    size_t nparams;
    size_t body_max;
    char *body; /* arena; grows by doubling */
    size_t body_len;
    size_t body_cap;
    size_t discarded; /* bytes of an over-limit body read and dropped */
    json_t *json;     /* parsed body; owned */
    PGconn *db;       /* pooled; released at completion */
    redisContext *kv; /* pooled; released at completion */
    /* The response set by the handler. */
    int has_response;
    int status;
    const char *content_type;
    const char *resp_body; /* arena */
    size_t resp_len;
    struct ag_resp_header headers[AG_MAX_RESP_HEADERS];
    size_t nheaders;
    const char *error_code; /* for the access log */
    /* Idempotency. */
    int idem_active; /* a key was given and the lock is held */
    int idem_saved;  /* the record was written (in the handler's transaction) */
    int idem_replayed;
    char idem_scope[65];
    char idem_fp[65];
    char idem_lock[65];
    char request_id[AG_MAX_REQUEST_ID + 1];
    char sub[72];
    char sid[72];
    struct ag_arena arena; /* last: on_uri zeroes only what precedes it */
};

/* Sets the standard error response for 'rc' with 'message' (NULL = the table's). */
void ag__reply_error_msg(struct ag__req_state *st, int rc, json_t *details, const char *message);

/*
 * Before the handler: checks the key, replays a stored response, or takes the lock.
 * Returns 0 to run the handler, 1 when a response was set (replay or error).
 */
int ag__idem_begin(struct ag__req_state *st);
/* After the handler: stores the response when it was not stored in a transaction, unlocks. */
void ag__idem_finish(struct ag__req_state *st);
/* At startup: deletes expired records. */
void ag__idem_sweep(struct ag_server *srv);

/* Built-in routes: /health, /healthz, /readyz, /metrics, /docs, /openapi.json. */
extern const struct ag_route ag__builtin_routes[];
extern const size_t ag__builtin_nroutes;

/* Converts the service's openapi.yaml into compact JSON (malloc'd, release with ag_free). */
int ag__openapi_json(const char *yaml, char **out, size_t *len);

#endif
