/*
 * The member service's own declarations, shared by main.c, handlers.c, member.c and store.c.
 */
#ifndef MEMBER_H
#define MEMBER_H

#include <stddef.h>

#include <sodium.h>

#include "agora/batch.h"
#include "agora/db.h"
#include "agora/embed.h"
#include "agora/http.h"
#include "agora/work.h"

#define MEMBER_ID_MAX        30
#define MEMBER_EMAIL_MAX     254
#define MEMBER_NAME_MAX      50
#define MEMBER_PASSWORD_MIN  8
#define MEMBER_PASSWORD_MAX  128
#define MEMBER_ADDRESSES_MAX 20
#define MEMBER_LIST_MAX      100

/* Configuration, parsed once at start (main.c). */
struct member_config {
    long long port;
    char *bind;
    long long threads;
    char *database_url;
    long long db_pool;
    long long batch_threads;
    long long work_threads;
    char *redis_url;
    char *internal_token;
    char *jwt_public_key_file;
    char *jwt_extra_public_keys;
    char *jwt_issuer;
    char *jwt_audience;
    char *log_level;
    int access_log;
    int migrate;
    char *admin_id;
    char *admin_email;
    char *admin_password;
};

/* What handlers reach through req->app. */
struct member_app {
    const struct member_config *cfg;
    /* A hash of a random password: unknown ids are verified against it, so they take as long. */
    char dummy_hash[crypto_pwhash_STRBYTES];
    struct ag_batch *member_by_id; /* batched GET /api/members/{id}; owned by main */
    struct ag_work *work;          /* argon2id off the HTTP threads; owned by main */
};

/* A member as stored; strings borrowed from the request arena. */
struct member {
    const char *uid;
    const char *id;
    const char *email;
    const char *name;
    const char *role;
    const char *created_at;
    const char *updated_at;
};

struct address {
    const char *id;
    const char *recipient;
    const char *phone;
    const char *postal_code;
    const char *line1;
    const char *line2;
    int is_default;
    const char *created_at;
    const char *updated_at;
};

/* member.c: rules with no HTTP or SQL. Each check returns 0 or AG_EINVAL with 'why' set. */
int member_id_normalize(struct ag_str in, char out[MEMBER_ID_MAX + 1], const char **why);
int member_email_check(struct ag_str email, const char **why);
int member_phone_check(struct ag_str phone, const char **why);
int member_postal_check(struct ag_str postal, const char **why);
int member_uuid_check(struct ag_str s);
/* argon2id (OWASP: 19 MiB, 2 passes) into 'out'; AG_EINTERNAL when out of memory. */
int member_password_hash(struct ag_str password, char out[crypto_pwhash_STRBYTES]);
/* 0 when 'password' matches 'hash', AG_EUNAUTH otherwise. */
int member_password_verify(const char *hash, struct ag_str password);
json_t *member_to_json(const struct member *m);
json_t *address_to_json(const struct address *a);

/* store.c: every SQL statement of the service. */
extern const struct ag_db_stmt member_stmts[];
extern const size_t member_nstmts;

struct member_new {
    char id[MEMBER_ID_MAX + 1];
    struct ag_str email;
    struct ag_str name;
    const char *role; /* "user" or "admin" */
    char hash[crypto_pwhash_STRBYTES];
};

struct member_patch {
    struct ag_str email; /* AG_STR_NULL = unchanged */
    struct ag_str name;
};

struct address_patch {
    struct ag_str recipient;
    struct ag_str phone;
    struct ag_str postal_code;
    struct ag_str line1;
    struct ag_str line2;
    int is_default; /* -1 = unchanged */
};

int store_member_insert(struct ag_arena *a, PGconn *db, const struct member_new *m,
                        struct member *out);
/* After AG_ECONFLICT: which of id and email is taken. */
int store_member_taken(PGconn *db, const char *id, struct ag_str email, int *id_taken,
                       int *email_taken);
int store_member_get(struct ag_arena *a, PGconn *db, const char *id, struct member *out);
/* A row of the batched read "member_get_many" (its first column is the key). */
void store_member_from_batch(struct ag_arena *a, const PGresult *res, int row, struct member *m);
int store_member_list(struct ag_arena *a, PGconn *db, long long skip, long long take,
                      json_t **items, long long *total);
int store_member_update(struct ag_arena *a, PGconn *db, const char *id,
                        const struct member_patch *p, struct member *out);
int store_member_delete(PGconn *db, const char *id);
/* The member with its password hash, by login id or by email (one of them NULL). */
int store_member_secret(struct ag_arena *a, PGconn *db, const char *id, const char *email,
                        struct member *out, const char **hash);
int store_member_password_set(PGconn *db, const char *id, const char *hash);
/* Creates the configured first admin unless its id or email exists. */
int store_admin_ensure(PGconn *db, const struct member_new *m);
/* Locks the member row for the transaction; gives its uid and address count. */
int store_member_lock(struct ag_arena *a, PGconn *db, const char *id, const char **uid,
                      long long *naddresses);
int store_address_list(struct ag_arena *a, PGconn *db, const char *id, json_t **items);
int store_address_clear_default(PGconn *db, const char *member_uid, const char *except_id);
int store_address_insert(struct ag_arena *a, PGconn *db, const char *member_uid,
                         const struct address_patch *p, struct address *out);
int store_address_update(struct ag_arena *a, PGconn *db, const char *member_uid,
                         const char *address_id, const struct address_patch *p,
                         struct address *out);
int store_address_delete(PGconn *db, const char *member_uid, const char *address_id,
                         int *was_default);
/* Makes the oldest remaining address the default when none is. */
int store_address_promote(PGconn *db, const char *member_uid);

/*
 * events.c: publishes {type, id} to the stream agora:events:member ("password_changed",
 * "deleted"); the auth service ends that member's sessions. Logs and returns the error when
 * Redis cannot take it.
 */
int member_event_publish(struct ag_req *req, const char *type, const char *id);

/* handlers.c */
extern const struct ag_route member_routes[];
extern const size_t member_nroutes;

/* Embedded at build (cmake/embed.cmake). */
extern const struct ag_embed_file member_schema[];
extern const size_t member_schema_count;
extern const struct ag_embed_file member_openapi[];

#endif
