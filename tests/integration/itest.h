/*
 * Integration test helpers: HTTP requests with libcurl to the services of the test stack
 * (scripts/stack, started by CTest's "stack" fixture), and access tokens signed with the test
 * stack's private key through libagora's own signing function.
 */
#ifndef ITEST_H
#define ITEST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>
#include <libpq-fe.h>

struct it_resp {
    long status;
    char *body; /* NUL-terminated; owned */
    size_t len;
    json_t *json;  /* parsed body, or NULL; owned */
    char *headers; /* raw response headers; owned */
    size_t headers_len;
};

/* Reads the environment (ports, keys, internal token); exits 1 when the stack is missing. */
void it_init(void);
void it_cleanup(void);

/* "http://127.0.0.1:<port>" of a service of the test stack, e.g. it_url("MEMBER"). */
const char *it_url(const char *service);
/* it_url(service) followed by the printf-formatted path; a per-thread buffer, valid until the
 * thread's next call. */
const char *it_urlf(const char *service, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *it_internal_token(void);
/* A connection to the test stack's database 'name'; exits 1 when it cannot connect. */
PGconn *it_db(const char *name);
/* The first column of the one row of 'sql' with one text parameter (may be NULL: none) as a
 * number, or -1 when it fails or has no such row. */
long long it_db_num(PGconn *db, const char *sql, const char *param);
/* As it_db_num, as text (a per-thread buffer; "?" when it fails). */
const char *it_db_text(PGconn *db, const char *sql, const char *param);
/* "Authorization: Basic …" of the web client registered with auth (var/test/keys/client-web). */
const char *it_client_auth_header(void);
/* Runs a Redis command (printf-style, hiredis) on the test stack's Redis; returns the integer
 * reply, or -1 on error. For checks such as "no session was stored". */
long long it_redis_int(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The test stack's secret 'name' (a file of var/test/keys/, e.g. "psp-api-key"); "" when
 * missing. Release with ag_free. */
char *it_stack_key(const char *name);

/* An access token for 'sub' with 'role', valid for 'ttl_s' seconds (negative = expired). */
char *it_token(const char *sub, const char *role, long ttl_s);

/*
 * One request. 'token' (may be NULL) goes as Bearer; 'idem' (may be NULL) as
 * X-Idempotency-Key; 'body' (may be NULL) as application/json; 'headers' is a NULL-terminated
 * list of extra "Name: value" lines (may be NULL). Returns 0, or -1 when the transfer failed.
 */
int it_request(struct it_resp *r, const char *method, const char *url, const char *token,
               const char *idem, const char *body, const char *const *headers);

/* The value of response header 'name' (case-insensitive) copied into 'buf', or NULL. */
const char *it_header(const struct it_resp *r, const char *name, char *buf, size_t size);

void it_resp_free(struct it_resp *r);

/* Borrowed from 'r': the string field 'field' of its data, the error's code, and the field
 * its details name (NULL when absent). */
const char *it_data_str(const struct it_resp *r, const char *field);
const char *it_error_code(const struct it_resp *r);
const char *it_error_field(const struct it_resp *r);

/* A product made at the catalog by 'admin' (a token) for one test, in category "shoes", with
 * 'status', 'price' and 'stock', named "<prefix><unique>" (into 'slug' when not NULL); its id,
 * or -1. */
long long it_product(const char *admin, const char *prefix, const char *status, long long price,
                     long long stock, char *slug, size_t size);

/* A random lowercase name with 'prefix', unique per call, for test data. */
void it_unique(char *out, size_t size, const char *prefix);

/*
 * A second instance of a service ('binary' in AGORA_BIN_DIR) on 'port', with the test stack's
 * settings (var/test/stack.env), then the "NAME=value" strings of 'env' (NULL-ended), its
 * output to /dev/null. Its pid once GET /healthz answers 200 (within 10 s), else -1.
 */
pid_t it_service_start(const char *binary, const char *port, const char *const *env);
/* Stops it with SIGTERM; 1 when it exited cleanly (the sanitizers abort on a leak). */
int it_service_stop(pid_t pid);

#endif
