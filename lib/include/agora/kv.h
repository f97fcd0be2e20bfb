/*
 * Redis on hiredis: a pool of connections with connect and command timeouts.
 */
#ifndef AGORA_KV_H
#define AGORA_KV_H

#include <stddef.h>

#include <hiredis/hiredis.h>

struct ag_kv_pool;

/*
 * A pool of at most 'size' connections to 'url' ("redis://[:password@]host:port[/db]" or
 * "unix:/path/to/socket[?db=N]"), opened lazily, with 'timeout_ms' for connecting and for each
 * command. Returns NULL (and logs why) when 'url' cannot be parsed.
 */
struct ag_kv_pool *ag_kv_pool_new(const char *url, size_t size, int timeout_ms);
/* Closes every connection; accepts NULL. */
void ag_kv_pool_free(struct ag_kv_pool *pool);

/* A connected context: 0, AG_EUNAVAIL or AG_ETIMEOUT. Give it back with ag_kv_release. */
int ag_kv_acquire(struct ag_kv_pool *pool, redisContext **out);
/* Gives 'c' back; a context with an error is closed instead. Accepts NULL. */
void ag_kv_release(struct ag_kv_pool *pool, redisContext *c);

/*
 * Runs one command (argv form, binary-safe) on 'c'. '*reply' gets the reply on success
 * (release with freeReplyObject); a Redis error reply is returned as AG_EINTERNAL and logged.
 * Errors: AG_EUNAVAIL (connection lost), AG_ETIMEOUT.
 */
int ag_kv_command(redisContext *c, redisReply **reply, int argc, const char **argv,
                  const size_t *argvlen);

/* PING on a pooled connection: 0 or AG_EUNAVAIL/AG_ETIMEOUT. For /readyz. */
int ag_kv_ping(struct ag_kv_pool *pool);

struct ag_kv_pool_stats {
    size_t size;
    size_t open;
    size_t busy;
};
void ag_kv_pool_stats(struct ag_kv_pool *pool, struct ag_kv_pool_stats *out);

#endif
