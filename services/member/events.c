/*
 * Member events on the Redis stream agora:events:member, for other services: the auth
 * service revokes a member's sessions when the password changes or the member is deleted.
 */
#include "member.h"

#include "agora/err.h"
#include "agora/kv.h"
#include "agora/log.h"

#define EVENTS_STREAM "agora:events:member"
#define EVENTS_MAXLEN "100000" /* roughly: old entries go, the stream stays bounded */

int
member_event_publish(struct ag_req *req, const char *type, const char *id)
{
    redisContext *kv;
    redisReply *r = NULL;

    int rc = ag_req_kv(req, &kv);
    if (rc == 0) {
        const char *argv[] = {"XADD", EVENTS_STREAM, "MAXLEN", "~",  EVENTS_MAXLEN,
                              "*",    "type",        type,     "id", id};
        rc = ag_kv_command(kv, &r, 10, argv, NULL);
        freeReplyObject(r);
    }
    if (rc < 0) {
        /* The change itself is committed; say loudly that sessions were not ended. */
        ag_log(AG_LOG_ERROR, req->request_id, "cannot publish '%s' of '%s': %s", type, id,
               ag_err_name(rc));
    }
    return rc;
}
