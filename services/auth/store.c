/*
 * Every Redis command of the auth service. What must change together runs as one Lua script,
 * so Redis applies it atomically: a refresh token can be rotated once, never twice.
 */
#include "auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agora/err.h"
#include "agora/log.h"

/* KEYS: session, refresh→sid, user's set. ARGV: ttl, sid, sub, role, kind, now, ua, ip, hash. */
static const char lua_create[] =
    "redis.call('HSET', KEYS[1], 'sub', ARGV[3], 'role', ARGV[4], 'kind', ARGV[5],"
    " 'created', ARGV[6], 'used', ARGV[6], 'ua', ARGV[7], 'ip', ARGV[8], 'cur', ARGV[9])\n"
    "redis.call('EXPIRE', KEYS[1], ARGV[1])\n"
    "redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[1])\n"
    "redis.call('SADD', KEYS[3], ARGV[2])\n"
    "redis.call('EXPIRE', KEYS[3], ARGV[1])\n"
    "return 1\n";

/*
 * KEYS: refresh→sid of the presented token. ARGV: old hash, new hash, now (ms), grace (ms),
 * ttl (s). The session holds its current token's hash ('cur') and the last few tokens it
 * replaced with the time of replacement ('old': "hash@ms,…", newest first, at most
 * AUTH_OLD_MAX). A replaced token stays good for the grace window, since a client whose
 * answer was lost retries with it; any other token of the session, or one past its grace, is
 * reuse: the session dies. The list is bounded, so a rotation costs the same however often
 * a client refreshes.
 */
#define AUTH_OLD_MAX "4"
static const char lua_rotate[] =
    "local sid = redis.call('GET', KEYS[1])\n"
    "if not sid then return {0} end\n"
    "local skey = 'auth:s:' .. sid\n"
    "local s = redis.call('HMGET', skey, 'sub', 'role', 'kind', 'cur', 'old')\n"
    "if not s[1] then return {0} end\n"
    "local now = tonumber(ARGV[3])\n"
    "local grace = tonumber(ARGV[4])\n"
    "local ok = s[4] == ARGV[1]\n"
    "local old = {s[4] .. '@' .. ARGV[3]}\n"
    "for h, t in string.gmatch(s[5] or '', '(%x+)@(%d+)') do\n"
    "  if tonumber(t) + grace >= now then\n"
    "    if h == ARGV[1] then ok = true end\n"
    "    if #old < " AUTH_OLD_MAX " then table.insert(old, h .. '@' .. t) end\n"
    "  end\n"
    "end\n"
    "if not ok then\n"
    "  redis.call('DEL', skey)\n"
    "  redis.call('SREM', 'auth:u:' .. s[1], sid)\n"
    "  return {-1, sid, s[1]}\n"
    "end\n"
    "redis.call('HSET', skey, 'cur', ARGV[2], 'old', table.concat(old, ','), 'used', ARGV[3])\n"
    "redis.call('EXPIRE', skey, ARGV[5])\n"
    "redis.call('SET', 'auth:r:' .. ARGV[2], sid, 'EX', ARGV[5])\n"
    "redis.call('EXPIRE', 'auth:u:' .. s[1], ARGV[5])\n"
    "return {1, sid, s[1], s[2], s[3]}\n";

/* KEYS: session. ARGV: sid, owner ('' = whoever). 1 revoked, 0 gone, -1 not the owner's. */
static const char lua_revoke[] = "local sub = redis.call('HGET', KEYS[1], 'sub')\n"
                                 "if not sub then return 0 end\n"
                                 "if ARGV[2] ~= '' and sub ~= ARGV[2] then return -1 end\n"
                                 "redis.call('DEL', KEYS[1])\n"
                                 "redis.call('SREM', 'auth:u:' .. sub, ARGV[1])\n"
                                 "return 1\n";

/* KEYS: the user's set. */
static const char lua_revoke_all[] =
    "local sids = redis.call('SMEMBERS', KEYS[1])\n"
    "for _, sid in ipairs(sids) do redis.call('DEL', 'auth:s:' .. sid) end\n"
    "redis.call('DEL', KEYS[1])\n"
    "return #sids\n";

/* KEYS: the user's set. Returns sid, created, used, ua, ip, kind for each live session. */
static const char lua_list[] =
    "local out = {}\n"
    "for _, sid in ipairs(redis.call('SMEMBERS', KEYS[1])) do\n"
    "  local v = redis.call('HMGET', 'auth:s:' .. sid, 'created', 'used', 'ua', 'ip', 'kind')\n"
    "  if v[1] then\n"
    "    table.insert(out, sid)\n"
    "    for i = 1, 5 do table.insert(out, v[i] or '') end\n"
    "  else redis.call('SREM', KEYS[1], sid) end\n"
    "end\n"
    "return out\n";

/* KEYS: account counter, address counter. */
static const char lua_fails_get[] =
    "return {redis.call('GET', KEYS[1]) or '0', redis.call('GET', KEYS[2]) or '0',"
    " redis.call('TTL', KEYS[1]), redis.call('TTL', KEYS[2])}\n";

/* KEYS: account counter, address counter. ARGV: window (s). */
static const char lua_fails_add[] = "for i = 1, 2 do\n"
                                    "  redis.call('INCR', KEYS[i])\n"
                                    "  redis.call('EXPIRE', KEYS[i], ARGV[1], 'NX')\n"
                                    "end\n"
                                    "return 1\n";

/* Runs a script with 'nkeys' keys then the rest as arguments, all NUL-terminated strings. */
static int
eval(redisContext *kv, const char *script, int nkeys, int nargs, const char *const *args,
     redisReply **reply)
{
    const char *argv[16];
    char nk[8];

    if (nargs + 3 > (int)(sizeof(argv) / sizeof(argv[0]))) {
        return AG_EINTERNAL;
    }
    snprintf(nk, sizeof(nk), "%d", nkeys);
    argv[0] = "EVAL";
    argv[1] = script;
    argv[2] = nk;
    for (int i = 0; i < nargs; i++) {
        argv[3 + i] = args[i];
    }
    return ag_kv_command(kv, reply, nargs + 3, argv, NULL);
}

static long long
reply_int(const redisReply *r)
{
    if (r == NULL) {
        return 0;
    }
    if (r->type == REDIS_REPLY_INTEGER) {
        return r->integer;
    }
    if (r->type == REDIS_REPLY_STRING) {
        return strtoll(r->str, NULL, 10);
    }
    return 0;
}

static void
copy_str(char *dst, size_t size, const redisReply *r)
{
    snprintf(dst, size, "%s", r != NULL && r->type == REDIS_REPLY_STRING ? r->str : "");
}

int
store_session_create(redisContext *kv, const struct auth_session *s, const char *hash,
                     long long ttl_s)
{
    char skey[64], rkey[96], ukey[96], ttl[24], now[24];
    redisReply *r = NULL;

    snprintf(skey, sizeof(skey), "auth:s:%s", s->sid);
    snprintf(rkey, sizeof(rkey), "auth:r:%s", hash);
    snprintf(ukey, sizeof(ukey), "auth:u:%s", s->sub);
    snprintf(ttl, sizeof(ttl), "%lld", ttl_s);
    snprintf(now, sizeof(now), "%lld", s->created_ms);
    const char *args[] = {skey,    rkey,    ukey, ttl,   s->sid, s->sub,
                          s->role, s->kind, now,  s->ua, s->ip,  hash};
    int rc = eval(kv, lua_create, 3, 12, args, &r);
    freeReplyObject(r);
    return rc;
}

int
store_session_rotate(redisContext *kv, const char *old_hash, const char *new_hash, long long now_ms,
                     long long grace_ms, long long ttl_s, struct auth_session *s)
{
    char rkey[96], now[24], grace[24], ttl[24];
    redisReply *r = NULL;

    snprintf(rkey, sizeof(rkey), "auth:r:%s", old_hash);
    snprintf(now, sizeof(now), "%lld", now_ms);
    snprintf(grace, sizeof(grace), "%lld", grace_ms);
    snprintf(ttl, sizeof(ttl), "%lld", ttl_s);
    const char *args[] = {rkey, old_hash, new_hash, now, grace, ttl};
    int rc = eval(kv, lua_rotate, 1, 6, args, &r);
    if (rc < 0) {
        return rc;
    }
    if (r->type != REDIS_REPLY_ARRAY || r->elements < 1) {
        rc = AG_EINTERNAL;
        goto out;
    }
    long long verdict = reply_int(r->element[0]);
    if (verdict == 0) {
        rc = AG_ENOTFOUND;
        goto out;
    }
    copy_str(s->sid, sizeof(s->sid), r->elements > 1 ? r->element[1] : NULL);
    copy_str(s->sub, sizeof(s->sub), r->elements > 2 ? r->element[2] : NULL);
    if (verdict < 0) {
        rc = AG_EGONE;
        goto out;
    }
    copy_str(s->role, sizeof(s->role), r->elements > 3 ? r->element[3] : NULL);
    copy_str(s->kind, sizeof(s->kind), r->elements > 4 ? r->element[4] : NULL);
out:
    freeReplyObject(r);
    return rc;
}

int
store_session_alive(redisContext *kv, const char *sid)
{
    char skey[64];
    redisReply *r = NULL;

    snprintf(skey, sizeof(skey), "auth:s:%s", sid);
    const char *argv[] = {"EXISTS", skey};
    int rc = ag_kv_command(kv, &r, 2, argv, NULL);
    if (rc == 0) {
        rc = reply_int(r) == 1 ? 0 : AG_ENOTFOUND;
    }
    freeReplyObject(r);
    return rc;
}

int
store_session_get(redisContext *kv, const char *sid, struct auth_session *s)
{
    char skey[64];
    redisReply *r = NULL;

    snprintf(skey, sizeof(skey), "auth:s:%s", sid);
    const char *argv[] = {"HMGET", skey, "sub", "role", "kind", "created", "used", "ua", "ip"};
    int rc = ag_kv_command(kv, &r, 9, argv, NULL);
    if (rc < 0) {
        return rc;
    }
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 7 ||
        r->element[0]->type != REDIS_REPLY_STRING) {
        rc = AG_ENOTFOUND;
        goto out;
    }
    snprintf(s->sid, sizeof(s->sid), "%s", sid);
    copy_str(s->sub, sizeof(s->sub), r->element[0]);
    copy_str(s->role, sizeof(s->role), r->element[1]);
    copy_str(s->kind, sizeof(s->kind), r->element[2]);
    s->created_ms = reply_int(r->element[3]);
    s->used_ms = reply_int(r->element[4]);
    copy_str(s->ua, sizeof(s->ua), r->element[5]);
    copy_str(s->ip, sizeof(s->ip), r->element[6]);
out:
    freeReplyObject(r);
    return rc;
}

int
store_session_revoke(redisContext *kv, const char *sid, const char *owner)
{
    char skey[64];
    redisReply *r = NULL;

    snprintf(skey, sizeof(skey), "auth:s:%s", sid);
    const char *args[] = {skey, sid, owner != NULL ? owner : ""};
    int rc = eval(kv, lua_revoke, 1, 3, args, &r);
    if (rc == 0 && owner != NULL && reply_int(r) != 1) {
        rc = AG_ENOTFOUND;
    }
    freeReplyObject(r);
    return rc;
}

int
store_sessions_revoke_all(redisContext *kv, const char *sub, long long *count)
{
    char ukey[96];
    redisReply *r = NULL;

    snprintf(ukey, sizeof(ukey), "auth:u:%s", sub);
    const char *args[] = {ukey};
    int rc = eval(kv, lua_revoke_all, 1, 1, args, &r);
    if (rc == 0) {
        *count = reply_int(r);
    }
    freeReplyObject(r);
    return rc;
}

int
store_sessions_list(redisContext *kv, const char *sub, const char *current_sid, json_t **out)
{
    char ukey[96];
    redisReply *r = NULL;

    snprintf(ukey, sizeof(ukey), "auth:u:%s", sub);
    const char *args[] = {ukey};
    int rc = eval(kv, lua_list, 1, 1, args, &r);
    if (rc < 0) {
        return rc;
    }
    *out = json_array();
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i + 6 <= r->elements; i += 6) {
        char sid[AUTH_SID_HEX + 1], ua[256], ip[64], kind[8];
        copy_str(sid, sizeof(sid), r->element[i]);
        copy_str(ua, sizeof(ua), r->element[i + 3]);
        copy_str(ip, sizeof(ip), r->element[i + 4]);
        copy_str(kind, sizeof(kind), r->element[i + 5]);
        json_array_append_new(
            *out, json_pack("{s:s,s:I,s:I,s:s,s:s,s:s,s:b}", "id", sid, "createdAt",
                            (json_int_t)reply_int(r->element[i + 1]), "lastUsedAt",
                            (json_int_t)reply_int(r->element[i + 2]), "userAgent", ua, "address",
                            ip, "kind", kind, "current", strcmp(sid, current_sid) == 0));
    }
    freeReplyObject(r);
    return 0;
}

static void
fail_keys(const char *account, const char *addr, char akey[320], char ikey[96])
{
    snprintf(akey, 320, "auth:f:a:%s", account);
    snprintf(ikey, 96, "auth:f:i:%s", addr);
}

int
store_fails_get(redisContext *kv, const char *account, const char *addr, long long *acct_n,
                long long *addr_n, long long *acct_ttl_s, long long *addr_ttl_s)
{
    char akey[320], ikey[96];
    redisReply *r = NULL;

    fail_keys(account, addr, akey, ikey);
    const char *args[] = {akey, ikey};
    int rc = eval(kv, lua_fails_get, 2, 2, args, &r);
    if (rc < 0) {
        return rc;
    }
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 4) {
        *acct_n = reply_int(r->element[0]);
        *addr_n = reply_int(r->element[1]);
        *acct_ttl_s = reply_int(r->element[2]);
        *addr_ttl_s = reply_int(r->element[3]);
    } else {
        rc = AG_EINTERNAL;
    }
    freeReplyObject(r);
    return rc;
}

int
store_fails_add(redisContext *kv, const char *account, const char *addr, long long window_s)
{
    char akey[320], ikey[96], window[24];
    redisReply *r = NULL;

    fail_keys(account, addr, akey, ikey);
    snprintf(window, sizeof(window), "%lld", window_s);
    const char *args[] = {akey, ikey, window};
    int rc = eval(kv, lua_fails_add, 2, 3, args, &r);
    freeReplyObject(r);
    return rc;
}

int
store_fails_clear(redisContext *kv, const char *account)
{
    char akey[320];
    redisReply *r = NULL;

    snprintf(akey, sizeof(akey), "auth:f:a:%s", account);
    const char *argv[] = {"DEL", akey};
    int rc = ag_kv_command(kv, &r, 2, argv, NULL);
    freeReplyObject(r);
    return rc;
}
