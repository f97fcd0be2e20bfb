/*
 * Member events → session revocation. The member service appends to the Redis stream
 * agora:events:member ({type: password_changed | deleted, id: <login id>}); a consumer in
 * group "auth" (agora/events.h) revokes every session of that member, then acknowledges.
 * Events wait in the stream while auth is down, and entries left unacknowledged by a crash
 * are read again when the consumer starts.
 */
#include "auth.h"

#include <string.h>

#include "agora/events.h"
#include "agora/log.h"

#define EVENTS_STREAM "agora:events:member"
#define EVENTS_GROUP  "auth"

static void
handle_entry(void *arg, redisContext *kv, const char *entry, const redisReply *fields)
{
    (void)arg;
    const char *type = ag_consumer_field(fields, "type");
    const char *id = ag_consumer_field(fields, "id");

    if (type == NULL || id == NULL) {
        ag_log(AG_LOG_WARN, NULL, "events: entry %s lacks type or id", entry);
        return;
    }
    if (strcmp(type, "password_changed") == 0 || strcmp(type, "deleted") == 0) {
        long long n = 0;
        if (store_sessions_revoke_all(kv, id, &n) == 0) {
            ag_log(AG_LOG_INFO, NULL, "events: %s of '%s': %lld sessions revoked", type, id, n);
        }
    }
}

struct ag_consumer *
auth_events_start(const char *redis_url, const char *consumer)
{
    return ag_consumer_start(redis_url, EVENTS_STREAM, EVENTS_GROUP, consumer, handle_entry, NULL);
}
