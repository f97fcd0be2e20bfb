/*
 * Idempotency for POST/PUT/PATCH/DELETE (ARCHITECTURE.md): the key is scoped to (caller,
 * method, path), the body is fingerprinted, the first response is stored with status, headers
 * and body and replayed with X-Idempotency-Replayed: true; another body under the same key is
 * 422, a duplicate while the first is in flight is 409. Records live 24 hours in the service's
 * PostgreSQL table idempotency_keys (written in the handler's own transaction when it calls
 * ag_idem_save, so the record and the effect commit together); the in-flight lock lives in
 * Redis with a TTL, so a crashed process never blocks a key for long.
 */
#include "http_int.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "agora/db.h"
#include "agora/embed.h"
#include "agora/err.h"
#include "agora/kv.h"
#include "agora/log.h"

#define IDEM_KEY_MIN     8
#define IDEM_KEY_MAX     128
#define IDEM_LOCK_MS     "60000" /* longer than any handler may run */
#define IDEM_TTL         "24 hours"
#define IDEM_SWEEP_EVERY 1024

const char ag_idem_schema_sql[] =
    "CREATE TABLE IF NOT EXISTS idempotency_keys (\n"
    "    scope text PRIMARY KEY,        -- sha256 of caller, method, path and key\n"
    "    fingerprint text NOT NULL,     -- sha256 of the request body\n"
    "    status smallint NOT NULL,\n"
    "    headers jsonb NOT NULL,\n"
    "    body text NOT NULL,\n"
    "    created_at timestamptz NOT NULL DEFAULT now(),\n"
    "    expires_at timestamptz NOT NULL\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS idempotency_keys_expires_at ON idempotency_keys (expires_at);\n";

static const char sql_get[] =
    "SELECT fingerprint, status, headers::text, body FROM idempotency_keys"
    " WHERE scope = $1 AND expires_at > now()";

/* Inserts, or takes over an expired record; no row comes back when a live one exists. */
static const char sql_put[] =
    "INSERT INTO idempotency_keys (scope, fingerprint, status, headers, body, expires_at)"
    " VALUES ($1, $2, $3, $4::jsonb, $5, now() + interval '" IDEM_TTL "')"
    " ON CONFLICT (scope) DO UPDATE SET fingerprint = EXCLUDED.fingerprint,"
    " status = EXCLUDED.status, headers = EXCLUDED.headers, body = EXCLUDED.body,"
    " created_at = now(), expires_at = EXCLUDED.expires_at"
    " WHERE idempotency_keys.expires_at <= now() RETURNING 1";

static const char sql_sweep[] = "DELETE FROM idempotency_keys WHERE expires_at <= now()";

/* Compare-and-delete, so a lock that expired and was taken by another is left alone. */
static const char lua_unlock[] =
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end "
    "return 0";

static atomic_uint saves;

int
ag_idem_key_valid(const char *key)
{
    size_t n = 0;
    for (; key[n] != '\0'; n++) {
        unsigned char c = (unsigned char)key[n];
        int ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 c == '-' || c == '_';
        if (!ok || n >= IDEM_KEY_MAX) {
            return AG_EINVAL;
        }
    }
    return n >= IDEM_KEY_MIN ? 0 : AG_EINVAL;
}

static void
sha256_hex(char out[65], const void *data, size_t len)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

static void
scope_make(struct ag__req_state *st, const char *key)
{
    crypto_hash_sha256_state s;
    unsigned char h[crypto_hash_sha256_BYTES];
    const char *caller = st->req.auth.authenticated ? st->sub : "-";

    crypto_hash_sha256_init(&s);
    crypto_hash_sha256_update(&s, (const unsigned char *)caller, strlen(caller) + 1);
    crypto_hash_sha256_update(&s, (const unsigned char *)&st->req.method, sizeof(st->req.method));
    crypto_hash_sha256_update(&s, (const unsigned char *)st->req.path.ptr, st->req.path.len + 1);
    crypto_hash_sha256_update(&s, (const unsigned char *)key, strlen(key));
    crypto_hash_sha256_final(&s, h);
    sodium_bin2hex(st->idem_scope, sizeof(st->idem_scope), h, sizeof(h));
}

/* Copies a stored response into the request's response. */
static void
replay(struct ag__req_state *st, PGresult *res)
{
    int status = (int)strtol(PQgetvalue(res, 0, 1), NULL, 10);
    const char *body = PQgetvalue(res, 0, 3);
    size_t len = (size_t)PQgetlength(res, 0, 3);
    json_t *headers = json_loads(PQgetvalue(res, 0, 2), 0, NULL);
    const char *ctype = NULL;

    st->nheaders = 0;
    const char *name;
    json_t *value;
    json_object_foreach(headers, name, value)
    {
        if (!json_is_string(value)) {
            continue;
        }
        if (strcasecmp(name, "Content-Type") == 0) {
            ctype = ag_arena_strdup(&st->arena, json_string_value(value));
        } else if (st->nheaders < AG_MAX_RESP_HEADERS) {
            st->headers[st->nheaders].name = ag_arena_strdup(&st->arena, name);
            st->headers[st->nheaders].value = ag_arena_strdup(&st->arena, json_string_value(value));
            st->nheaders++;
        }
    }
    json_decref(headers);
    st->has_response = 1;
    st->status = status;
    st->content_type = ctype;
    st->resp_body = ag_arena_strndup(&st->arena, body, len);
    st->resp_len = len;
    st->idem_replayed = 1;
}

/*
 * Looks the scope up: 1 when a response was set (replay, or 422 for another body), 0 when
 * there is no record, or a negative code.
 */
static int
lookup(struct ag__req_state *st, PGconn *db)
{
    const char *params[1] = {st->idem_scope};
    PGresult *res = NULL;
    int rc = ag_db_exec_params(db, sql_get, 1, params, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    if (PQntuples(res) == 0) {
        PQclear(res);
        return 0;
    }
    if (strcmp(PQgetvalue(res, 0, 0), st->idem_fp) != 0) {
        PQclear(res);
        ag__reply_error_msg(st, AG_EIDEMMISMATCH, NULL, NULL);
        return 1;
    }
    replay(st, res);
    PQclear(res);
    return 1;
}

static int
lock_take(struct ag__req_state *st, redisContext *kv, int *taken)
{
    char key[128];
    unsigned char tok[16];
    redisReply *reply = NULL;

    randombytes_buf(tok, sizeof(tok));
    sodium_bin2hex(st->idem_lock, sizeof(st->idem_lock), tok, sizeof(tok));
    snprintf(key, sizeof(key), "agora:%s:idem:%s", st->req.server->svc->name, st->idem_scope);
    const char *argv[] = {"SET", key, st->idem_lock, "NX", "PX", IDEM_LOCK_MS};
    int rc = ag_kv_command(kv, &reply, 6, argv, NULL);
    if (rc < 0) {
        return rc;
    }
    *taken = reply->type == REDIS_REPLY_STATUS;
    freeReplyObject(reply);
    return 0;
}

static void
lock_release(struct ag__req_state *st)
{
    redisContext *kv;
    redisReply *reply = NULL;
    char key[128];

    if (ag_req_kv(&st->req, &kv) < 0) {
        return; /* the lock expires on its own */
    }
    snprintf(key, sizeof(key), "agora:%s:idem:%s", st->req.server->svc->name, st->idem_scope);
    const char *argv[] = {"EVAL", lua_unlock, "1", key, st->idem_lock};
    if (ag_kv_command(kv, &reply, 5, argv, NULL) == 0) {
        freeReplyObject(reply);
    }
}

static int
key_header(struct ag__req_state *st, const char **out)
{
    const char *a = MHD_lookup_connection_value(st->conn, MHD_HEADER_KIND, "X-Idempotency-Key");
    const char *b = MHD_lookup_connection_value(st->conn, MHD_HEADER_KIND, "Idempotency-Key");
    if (a != NULL && b != NULL && strcmp(a, b) != 0) {
        ag__reply_error_msg(st, AG_EINVAL, NULL,
                            "X-Idempotency-Key and Idempotency-Key disagree; send one");
        return AG_EINVAL;
    }
    *out = a != NULL ? a : b;
    if (*out == NULL && (st->req.route->flags & AG_ROUTE_IDEM_REQUIRED)) {
        ag__reply_error_msg(st, AG_EINVAL, NULL, "X-Idempotency-Key header is required");
        return AG_EINVAL;
    }
    if (*out != NULL && ag_idem_key_valid(*out) < 0) {
        ag__reply_error_msg(st, AG_EINVAL, NULL,
                            "X-Idempotency-Key must be 8..128 characters of A-Z a-z 0-9 _ -");
        return AG_EINVAL;
    }
    return 0;
}

int
ag__idem_begin(struct ag__req_state *st)
{
    const char *key = NULL;
    PGconn *db;
    redisContext *kv;
    int taken = 0;

    if (st->req.method == AG_GET) {
        return 0;
    }
    if (key_header(st, &key) < 0) {
        return 1;
    }
    if (key == NULL) {
        return 0;
    }
    if (st->req.server->svc->db == NULL) {
        /* A service without a database (auth) has no idempotent writes: the key is moot. */
        return 0;
    }
    scope_make(st, key);
    sha256_hex(st->idem_fp, st->body != NULL ? st->body : "", st->body_len);
    int rc = ag_req_db(&st->req, &db);
    if (rc == 0) {
        rc = lookup(st, db);
    }
    if (rc != 0) {
        goto out;
    }
    rc = ag_req_kv(&st->req, &kv);
    if (rc == 0) {
        rc = lock_take(st, kv, &taken);
    }
    if (rc < 0) {
        goto out;
    }
    if (!taken) {
        /* Either the first just finished (its record is there now) or it is still running. */
        rc = lookup(st, db);
        if (rc == 0) {
            ag__reply_error_msg(st, AG_EINFLIGHT, NULL, NULL);
            rc = 1;
        }
        goto out;
    }
    st->idem_active = 1;
out:
    if (rc < 0) {
        ag_log(AG_LOG_WARN, st->request_id, "idempotency check failed: %s", ag_err_name(rc));
        ag__reply_error_msg(st, rc, NULL, NULL);
        return 1;
    }
    return rc;
}

/* The response as the record stores it: headers as a JSON object. */
static char *
headers_json(struct ag__req_state *st)
{
    json_t *h = json_object();
    if (st->content_type != NULL) {
        json_object_set_new(h, "Content-Type", json_string(st->content_type));
    }
    for (size_t i = 0; i < st->nheaders; i++) {
        json_object_set_new(h, st->headers[i].name, json_string(st->headers[i].value));
    }
    size_t len;
    char *out = ag_json_dump(&st->arena, h, &len);
    json_decref(h);
    return out;
}

static int
record_put(struct ag__req_state *st, PGconn *db)
{
    char status[8];
    PGresult *res = NULL;

    snprintf(status, sizeof(status), "%d", st->status);
    const char *params[5] = {st->idem_scope, st->idem_fp, status, headers_json(st),
                             st->resp_body != NULL ? st->resp_body : ""};
    int rc = ag_db_exec_params(db, sql_put, 5, params, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    int inserted = PQntuples(res) == 1;
    PQclear(res);
    if (!inserted) {
        return AG_ECONFLICT; /* a live record exists: a duplicate committed first */
    }
    if (atomic_fetch_add_explicit(&saves, 1, memory_order_relaxed) % IDEM_SWEEP_EVERY == 0) {
        ag__idem_sweep(st->req.server);
    }
    return 0;
}

int
ag_idem_save(struct ag_req *req, PGconn *conn)
{
    struct ag__req_state *st = req->st;
    if (!st->idem_active || st->idem_saved) {
        return 0;
    }
    if (!st->has_response) {
        ag_log(AG_LOG_ERROR, req->request_id, "ag_idem_save called before a reply was set");
        return AG_EINTERNAL;
    }
    int rc = record_put(st, conn);
    if (rc == 0) {
        st->idem_saved = 1;
    }
    return rc;
}

void
ag__idem_finish(struct ag__req_state *st)
{
    PGconn *db;

    if (!st->idem_active) {
        return;
    }
    /*
     * A 5xx is not stored: the effect did not happen (or is unknown), and the client should be
     * able to retry with the same key.
     */
    if (!st->idem_saved && st->has_response && st->status < 500 && ag_req_db(&st->req, &db) == 0) {
        int rc = record_put(st, db);
        if (rc < 0 && rc != AG_ECONFLICT) {
            ag_log(AG_LOG_WARN, st->request_id, "cannot store idempotency record: %s",
                   ag_err_name(rc));
        }
        st->idem_saved = 1;
    }
    lock_release(st);
    st->idem_active = 0;
}

void
ag__idem_sweep(struct ag_server *srv)
{
    PGconn *db;

    if (srv->svc->db == NULL || ag_db_acquire(srv->svc->db, &db) < 0) {
        return;
    }
    if (ag_db_command(db, sql_sweep) < 0) {
        ag_log(AG_LOG_DEBUG, NULL, "idempotency sweep skipped (table missing?)");
    }
    ag_db_release(srv->svc->db, db);
}

int
ag_idem_migrate(const char *conninfo, const struct ag_embed_file *schema, size_t n)
{
    struct ag_db_migration m[64];

    if (n >= sizeof(m) / sizeof(m[0])) {
        ag_log(AG_LOG_ERROR, NULL, "%zu migrations: at most 63 are applied", n);
        return AG_EINVAL;
    }
    m[0] = (struct ag_db_migration){"000-idempotency-keys.sql", ag_idem_schema_sql};
    for (size_t i = 0; i < n; i++) {
        m[i + 1] = (struct ag_db_migration){schema[i].name, schema[i].text};
    }
    int rc = ag_db_migrate(conninfo, m, n + 1);
    if (rc < 0) {
        ag_log(AG_LOG_ERROR, NULL, "migrations failed: %s", ag_err_name(rc));
    }
    return rc;
}
