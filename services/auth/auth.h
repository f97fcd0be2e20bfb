/*
 * The auth service's own declarations, shared by main.c, handlers.c, auth.c, store.c and
 * events.c.
 */
#ifndef AUTH_H
#define AUTH_H

#include <pthread.h>
#include <stdint.h>

#include <sodium.h>

#include "agora/embed.h"
#include "agora/http.h"
#include "agora/httpc.h"
#include "agora/jwt.h"
#include "agora/kv.h"
#include "agora/netaddr.h"

#define AUTH_MAX_CLIENTS 16
#define AUTH_SID_HEX     32 /* 128-bit session ids */
#define AUTH_HASH_HEX    64 /* SHA-256 of a refresh token */
#define AUTH_REFRESH_LEN 43 /* base64url of 32 random bytes */

struct auth_config {
    long long port;
    char *bind;
    long long threads;
    char *redis_url;
    char *jwt_private_key_file;
    char *jwt_extra_public_keys;
    char *jwt_issuer;
    char *jwt_audience;
    char *clients;
    char *member_url;
    char *internal_token;
    long long access_ttl_s;
    long long refresh_ttl_s;
    long long refresh_grace_s;
    long long max_fails;
    long long max_fails_per_addr;
    long long fail_window_s;
    long long member_timeout_ms;
    char *trusted_proxies;
    char *log_level;
    int access_log;
};

/* A registered client (the web BFF, an app): its name and the SHA-256 of its key. */
struct auth_client {
    char name[64];
    unsigned char key_hash[crypto_hash_sha256_BYTES];
};

struct auth_app {
    const struct auth_config *cfg;
    struct ag_jwt *jwt;      /* signs and verifies; owned by main */
    struct ag_httpc *member; /* calls member's /internal/ API; owned by main */
    struct auth_client clients[AUTH_MAX_CLIENTS];
    size_t nclients;
    char *jwks;                /* the JWKS document; owned by main */
    struct ag_netlist trusted; /* proxies whose X-Real-IP names the client */
};

/* auth.c: rules with no HTTP or Redis in them. */

/* Parses "name:key,name:key" (keys 16..256 characters); 0 or AG_EINVAL with 'why'. */
int auth_clients_parse(const char *spec, struct auth_client *out, size_t *n, const char **why);
/* Checks an "Authorization: Basic …" value against the clients, in constant time per client. */
int auth_client_check(const struct auth_client *clients, size_t n, const char *header,
                      const char **name);
/* A new session id (hex) and refresh token (base64url) with its hash (hex). */
void auth_new_sid(char out[AUTH_SID_HEX + 1]);
void auth_new_refresh(char token[AUTH_REFRESH_LEN + 1], char hash[AUTH_HASH_HEX + 1]);
/* The hash of a presented refresh token; AG_EINVAL when it cannot be one of ours. */
int auth_refresh_hash(const char *token, size_t len, char hash[AUTH_HASH_HEX + 1]);
/* Lower-cased account name for the failure counter ("id:alice", "email:a@b.c"). */
void auth_account_key(const char *kind, const char *value, size_t len, char *out, size_t size);

/* store.c: every Redis command of the service. Keys: auth:s:<sid> (session hash),
 * auth:r:<refresh hash> (→ sid), auth:u:<sub> (set of sids), auth:f:a:<account> and
 * auth:f:i:<address> (failed-login counters). */

struct auth_session {
    char sid[AUTH_SID_HEX + 1];
    char sub[72];
    char role[8];
    char kind[8]; /* "user" or "guest" */
    long long created_ms;
    long long used_ms;
    char ua[256];
    char ip[64];
};

/* Creates session 'sid' for 'sub' with its first refresh token hash; TTL 'ttl_s'. */
int store_session_create(redisContext *kv, const struct auth_session *s, const char *hash,
                         long long ttl_s);
/*
 * Rotates refresh token 'old_hash' to 'new_hash'. Returns 0 and fills 's' (sid, sub, role,
 * kind); AG_ENOTFOUND for an unknown token or a dead session; AG_EGONE when the token was
 * already spent (outside the grace window): the whole session was revoked.
 */
int store_session_rotate(redisContext *kv, const char *old_hash, const char *new_hash,
                         long long now_ms, long long grace_ms, long long ttl_s,
                         struct auth_session *s);
/* 0 when session 'sid' is alive, AG_ENOTFOUND otherwise. */
int store_session_alive(redisContext *kv, const char *sid);
/* The session; AG_ENOTFOUND when gone. */
int store_session_get(redisContext *kv, const char *sid, struct auth_session *s);
/* Revokes one session (a no-op when gone). When 'owner' is not NULL, only if it is theirs:
 * AG_ENOTFOUND otherwise. */
int store_session_revoke(redisContext *kv, const char *sid, const char *owner);
/* Revokes every session of 'sub'; '*count' gets how many. */
int store_sessions_revoke_all(redisContext *kv, const char *sub, long long *count);
/* The live sessions of 'sub' as a JSON array (new reference). */
int store_sessions_list(redisContext *kv, const char *sub, const char *current_sid, json_t **out);
/* Failed logins: the counters for 'account' and 'addr', and the seconds until they reset. */
int store_fails_get(redisContext *kv, const char *account, const char *addr, long long *acct_n,
                    long long *addr_n, long long *acct_ttl_s, long long *addr_ttl_s);
int store_fails_add(redisContext *kv, const char *account, const char *addr, long long window_s);
int store_fails_clear(redisContext *kv, const char *account);

/* events.c: revokes sessions on member events (password changed, member deleted). */
struct ag_consumer;
struct ag_consumer *auth_events_start(const char *redis_url, const char *consumer);

/* handlers.c */
extern const struct ag_route auth_routes[];
extern const size_t auth_nroutes;
extern const struct ag_embed_file auth_openapi[];

#endif
