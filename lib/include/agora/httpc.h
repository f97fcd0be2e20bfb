/*
 * The HTTP client for calls between services (libcurl): a pool of easy handles that keep
 * their connections alive, a timeout per attempt, and retries on connection errors, timeouts
 * and 5xx answers. Thread-safe.
 */
#ifndef AGORA_HTTPC_H
#define AGORA_HTTPC_H

#include <stddef.h>

#include <jansson.h>

#define AG_HTTPC_MAX_BODY    ((size_t)1024 * 1024) /* larger answers are refused (AG_ETOOLARGE) */
#define AG_HTTPC_MAX_HEADERS ((size_t)16 * 1024)   /* header bytes kept of an answer */

struct ag_httpc;

struct ag_httpc_resp {
    long status; /* HTTP status of the last attempt; 0 when none answered */
    char *body;  /* NUL-terminated; owned, release with ag_httpc_resp_release */
    size_t len;
    json_t *json;  /* the body parsed when it is JSON, else NULL; owned */
    char *headers; /* the answer's raw header lines (up to AG_HTTPC_MAX_HEADERS); owned */
};

/*
 * A client with at most 'max_handles' connections in use at once, 'timeout_ms' per attempt
 * (connecting included) and up to 'retries' more attempts after the first, with a short
 * growing back-off. Calls curl_global_init once per process.
 */
struct ag_httpc *ag_httpc_new(size_t max_handles, int timeout_ms, int retries);
/* Accepts NULL. No request may be in flight. */
void ag_httpc_free(struct ag_httpc *c);

/*
 * Sends 'method' to 'url' with 'body' ('len' bytes, may be NULL) as application/json, the
 * NULL-terminated "Name: value" lines in 'headers' (may be NULL) and X-Request-Id
 * 'request_id' (may be NULL). A 5xx answer, a timeout or a connection error is retried; a
 * 2xx-4xx answer is returned at once. Returns 0 with 'resp' filled (whatever the status), or
 * AG_ETIMEOUT / AG_EUNAVAIL when the last attempt failed that way ('resp' then holds the last
 * 5xx, if any), AG_ETOOLARGE for an answer over AG_HTTPC_MAX_BODY, AG_EINVAL for a bad URL.
 * Release 'resp' with ag_httpc_resp_release in every case.
 */
int ag_httpc_request(struct ag_httpc *c, const char *method, const char *url,
                     const char *const *headers, const char *body, size_t len,
                     const char *request_id, struct ag_httpc_resp *resp);

void ag_httpc_resp_release(struct ag_httpc_resp *r);

/*
 * The value of the answer's header 'name' (case-insensitive; the first one; white space
 * trimmed) copied into 'buf' ('size' bytes, cut to fit, NUL-terminated), or NULL when the
 * answer has no such header. Returns 'buf'.
 */
const char *ag_httpc_resp_header(const struct ag_httpc_resp *r, const char *name, char *buf,
                                 size_t size);

#endif
