/*
 * Redis on hiredis: a fixed-size pool of blocking contexts, opened lazily with a connect
 * timeout, AUTH and SELECT, and used with a per-command timeout. A context that saw an I/O
 * error or a timeout may have a reply in flight, so it is closed rather than reused.
 */
#include "agora/kv.h"

#include "pool_int.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>

#include "agora/err.h"
#include "agora/log.h"
#include "agora/mem.h"

#define KV_DEFAULT_PORT 6379

/* Where to connect and as whom; parsed from the URL. */
struct kv_target {
    char *host; /* owned; NULL for a unix socket */
    int port;
    char *path;     /* owned; the unix socket, or NULL */
    char *user;     /* owned; the ACL user of AUTH, or NULL */
    char *password; /* owned, wiped when freed; NULL for no AUTH */
    int db;         /* SELECTed when not 0 */
};

struct ag_kv_pool {
    struct ag__pool slots;
    struct kv_target target;
    int timeout_ms;           /* connect and command timeout */
    atomic_int outage_logged; /* a failed connect was logged at warn since the last success */
};

static void
kv_target_clear(struct kv_target *t)
{
    if (t->password != NULL) {
        explicit_bzero(t->password, strlen(t->password));
    }
    ag_free(t->host);
    ag_free(t->path);
    ag_free(t->user);
    ag_free(t->password);
    memset(t, 0, sizeof(*t));
}

static int
kv_hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* A NUL-terminated, percent-decoded copy of 'n' bytes of 's' in '*out', or AG_EINVAL. */
static int
kv_unescape(const char *s, size_t n, char **out)
{
    char *buf = ag_xmalloc(n + 1);
    size_t len = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%') {
            buf[len++] = s[i];
            continue;
        }
        int hi = i + 2 < n ? kv_hexval(s[i + 1]) : -1;
        int lo = hi >= 0 ? kv_hexval(s[i + 2]) : -1;
        if (lo < 0 || hi * 16 + lo == 0) {
            explicit_bzero(buf, len);
            ag_free(buf);
            return AG_EINVAL;
        }
        buf[len++] = (char)(hi * 16 + lo);
        i += 2;
    }
    buf[len] = '\0';
    *out = buf;
    return 0;
}

/* Parses 'n' decimal digits of 's' into '*out' within min..max; AG_EINVAL otherwise. */
static int
kv_parse_int(const char *s, size_t n, int min, int max, int *out)
{
    long v = 0;

    if (n == 0 || n > 10) {
        return AG_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return AG_EINVAL;
        }
        v = v * 10 + (s[i] - '0');
    }
    if (v < min || v > max) {
        return AG_EINVAL;
    }
    *out = (int)v;
    return 0;
}

/* Parses "[[user]:password@]host[:port][/db]", the part after "redis://". */
static int
kv_parse_tcp(const char *s, struct kv_target *t, const char **why)
{
    const char *at = strrchr(s, '@');
    if (at != NULL) {
        const char *colon = memchr(s, ':', (size_t)(at - s));
        if (colon == NULL) {
            *why = "want ':password@' before the host";
            return AG_EINVAL;
        }
        if (colon > s && kv_unescape(s, (size_t)(colon - s), &t->user) < 0) {
            *why = "bad percent-encoding in the user";
            return AG_EINVAL;
        }
        if (kv_unescape(colon + 1, (size_t)(at - colon - 1), &t->password) < 0 ||
            t->password[0] == '\0') {
            *why = "empty password or bad percent-encoding in it";
            return AG_EINVAL;
        }
        s = at + 1;
    }

    const char *host = s;
    size_t hostlen;
    if (*s == '[') { /* an IPv6 address */
        const char *end = strchr(s, ']');
        if (end == NULL) {
            *why = "unclosed '[' in the host";
            return AG_EINVAL;
        }
        host = s + 1;
        hostlen = (size_t)(end - host);
        s = end + 1;
    } else {
        hostlen = strcspn(s, ":/");
        s += hostlen;
    }
    if (hostlen == 0 || hostlen > 253) {
        *why = "want a host";
        return AG_EINVAL;
    }
    for (size_t i = 0; i < hostlen; i++) {
        char c = host[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_' || c == ':' || c == '%')) {
            *why = "the host has a character that is not allowed";
            return AG_EINVAL;
        }
    }
    t->host = ag_xstrndup(host, hostlen);

    t->port = KV_DEFAULT_PORT;
    if (*s == ':') {
        size_t n = strcspn(s + 1, "/");
        if (kv_parse_int(s + 1, n, 1, 65535, &t->port) < 0) {
            *why = "the port is not a number in 1..65535";
            return AG_EINVAL;
        }
        s += 1 + n;
    }
    if (*s == '/' && s[1] != '\0') {
        if (kv_parse_int(s + 1, strlen(s + 1), 0, INT_MAX, &t->db) < 0) {
            *why = "the database is not a number";
            return AG_EINVAL;
        }
    } else if (*s != '\0' && strcmp(s, "/") != 0) {
        *why = "unexpected text after the host";
        return AG_EINVAL;
    }
    return 0;
}

/* Parses "/path/to/socket[?db=N]", the part after "unix:". */
static int
kv_parse_unix(const char *s, struct kv_target *t, const char **why)
{
    size_t n = strcspn(s, "?");
    if (n == 0 || s[0] != '/') {
        *why = "want an absolute socket path";
        return AG_EINVAL;
    }
    if (n >= sizeof(((struct sockaddr_un *)NULL)->sun_path)) {
        *why = "the socket path is too long";
        return AG_EINVAL;
    }
    t->path = ag_xstrndup(s, n);
    s += n;
    if (*s == '\0') {
        return 0;
    }
    if (strncmp(s, "?db=", 4) != 0 || kv_parse_int(s + 4, strlen(s + 4), 0, INT_MAX, &t->db) < 0) {
        *why = "want '?db=N' after the socket path";
        return AG_EINVAL;
    }
    return 0;
}

/*
 * Parses 'url' into 't'. On failure 't' is cleared and '*why' says what is wrong, without
 * quoting the URL, which may hold a password.
 */
static int
kv_parse_url(const char *url, struct kv_target *t, const char **why)
{
    int rc;

    memset(t, 0, sizeof(*t));
    if (url == NULL) {
        *why = "no url";
        rc = AG_EINVAL;
    } else if (strncmp(url, "redis://", 8) == 0) {
        rc = kv_parse_tcp(url + 8, t, why);
    } else if (strncmp(url, "unix:", 5) == 0) {
        rc = kv_parse_unix(url + 5, t, why);
    } else {
        *why = "want redis:// or unix:";
        rc = AG_EINVAL;
    }
    if (rc < 0) {
        kv_target_clear(t);
    }
    return rc;
}

struct ag_kv_pool *
ag_kv_pool_new(const char *url, size_t size, int timeout_ms)
{
    struct kv_target target;
    const char *why = NULL;

    if (kv_parse_url(url, &target, &why) < 0) {
        ag_log(AG_LOG_ERROR, NULL, "cannot parse the redis url: %s", why);
        return NULL;
    }
    if (size == 0 || timeout_ms <= 0) {
        ag_log(AG_LOG_ERROR, NULL, "cannot create redis pool: want size and timeout above 0");
        kv_target_clear(&target);
        return NULL;
    }

    struct ag_kv_pool *pool = ag_xcalloc(1, sizeof(*pool));
    ag__pool_init(&pool->slots, size, timeout_ms);
    pool->target = target;
    pool->timeout_ms = timeout_ms;
    atomic_init(&pool->outage_logged, 0);
    return pool;
}

static void
kv_close(void *c)
{
    redisFree(c);
}

void
ag_kv_pool_free(struct ag_kv_pool *pool)
{
    if (pool == NULL) {
        return;
    }
    ag__pool_release(&pool->slots, kv_close, "redis");
    kv_target_clear(&pool->target);
    ag_free(pool);
}

/* Runs AUTH or SELECT while connecting; 0, or -1 with the reason in 'why'. */
static int
kv_setup(redisContext *c, int argc, const char **argv, char *why, size_t size)
{
    redisReply *r = redisCommandArgv(c, argc, argv, NULL);
    if (r == NULL) {
        snprintf(why, size, "%s: %s", argv[0], c->errstr);
        return -1;
    }
    int ok = r->type != REDIS_REPLY_ERROR;
    if (!ok) {
        snprintf(why, size, "%s: %.*s", argv[0], (int)r->len, r->str);
    }
    freeReplyObject(r);
    return ok ? 0 : -1;
}

/*
 * Opens a context for 'pool', outside the pool's lock: connect, command timeout, AUTH,
 * SELECT. A failure is AG_EUNAVAIL, logged at warn once per outage, then at debug until a
 * connect succeeds.
 */
static int
kv_connect(struct ag_kv_pool *pool, redisContext **out)
{
    const struct kv_target *t = &pool->target;
    struct timeval tv = {pool->timeout_ms / 1000, (long)(pool->timeout_ms % 1000) * 1000};
    char why[256];
    char db[16];
    int rc = 0;

    *out = NULL;
    redisContext *c = t->path != NULL ? redisConnectUnixWithTimeout(t->path, tv)
                                      : redisConnectWithTimeout(t->host, t->port, tv);
    if (c == NULL || c->err) {
        snprintf(why, sizeof(why), "%s", c != NULL ? c->errstr : "out of memory");
        rc = AG_EUNAVAIL;
        goto out;
    }
    if (redisSetTimeout(c, tv) != REDIS_OK) {
        snprintf(why, sizeof(why), "cannot set the command timeout: %s", c->errstr);
        rc = AG_EUNAVAIL;
        goto out;
    }
    if (t->path == NULL) {
        (void)redisEnableKeepAlive(c);
    }
    if (t->password != NULL) {
        const char *user_auth[] = {"AUTH", t->user, t->password};
        const char *auth[] = {"AUTH", t->password};
        int ret = t->user != NULL ? kv_setup(c, 3, user_auth, why, sizeof(why))
                                  : kv_setup(c, 2, auth, why, sizeof(why));
        if (ret < 0) {
            rc = AG_EUNAVAIL;
            goto out;
        }
    }
    if (t->db != 0) {
        snprintf(db, sizeof(db), "%d", t->db);
        const char *select_db[] = {"SELECT", db};
        if (kv_setup(c, 2, select_db, why, sizeof(why)) < 0) {
            rc = AG_EUNAVAIL;
            goto out;
        }
    }
    *out = c;
    c = NULL;
    if (atomic_exchange(&pool->outage_logged, 0) == 1) {
        ag_log(AG_LOG_INFO, NULL, "connected to redis again");
    }

out:
    if (rc < 0) {
        int first = atomic_exchange(&pool->outage_logged, 1) == 0;
        if (t->path != NULL) {
            ag_log(first ? AG_LOG_WARN : AG_LOG_DEBUG, NULL, "cannot connect to redis at %s: %s",
                   t->path, why);
        } else {
            ag_log(first ? AG_LOG_WARN : AG_LOG_DEBUG, NULL, "cannot connect to redis at %s:%d: %s",
                   t->host, t->port, why);
        }
    }
    redisFree(c);
    return rc;
}

int
ag_kv_acquire(struct ag_kv_pool *pool, redisContext **out)
{
    void *item;

    *out = NULL;
    int rc = ag__pool_take(&pool->slots, &item);
    if (rc < 0) {
        ag_log(AG_LOG_DEBUG, NULL, "no redis connection free after %d ms", pool->timeout_ms);
        return rc;
    }
    if (item == NULL) {
        redisContext *c;
        rc = kv_connect(pool, &c);
        if (rc < 0) {
            ag__pool_abandon(&pool->slots);
            return rc;
        }
        item = c;
    }
    *out = item;
    return 0;
}

void
ag_kv_release(struct ag_kv_pool *pool, redisContext *c)
{
    if (c == NULL) {
        return;
    }
    if (c->err) {
        redisFree(c);
        c = NULL;
    }
    ag__pool_give(&pool->slots, c);
}

int
ag_kv_command(redisContext *c, redisReply **reply, int argc, const char **argv,
              const size_t *argvlen)
{
    int rc;

    if (reply != NULL) {
        *reply = NULL;
    }
    if (argc < 1) {
        ag_log(AG_LOG_ERROR, NULL, "redis command with no arguments");
        return AG_EINTERNAL;
    }
    /* The command name only: the arguments may be secrets or user data. */
    int namelen = (int)(argvlen != NULL ? argvlen[0] : strlen(argv[0]));
    if (namelen > 32) {
        namelen = 32;
    }
    if (c->err) {
        return AG_EUNAVAIL; /* broken by an earlier command; release closes it */
    }

    errno = 0;
    redisReply *r = redisCommandArgv(c, argc, argv, argvlen);
    int saved_errno = errno;
    if (r == NULL) {
        /* A blocking socket with SO_RCVTIMEO fails with EAGAIN when the timeout passes. */
        int timeout =
            c->err == REDIS_ERR_IO &&
            (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK || saved_errno == ETIMEDOUT);
#ifdef REDIS_ERR_TIMEOUT
        timeout = timeout || c->err == REDIS_ERR_TIMEOUT; /* hiredis 1.x */
#endif
        rc = timeout ? AG_ETIMEOUT : AG_EUNAVAIL;
        if (c->err == 0) {
            /* Whatever happened, the stream may be out of step: never reuse the context. */
            c->err = REDIS_ERR_OTHER;
            snprintf(c->errstr, sizeof(c->errstr), "no reply");
        }
        ag_log(AG_LOG_WARN, NULL, "redis command '%.*s' failed: %s: %s", namelen, argv[0],
               timeout ? "timed out" : "connection lost", c->errstr);
        return rc;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        ag_log(AG_LOG_ERROR, NULL, "redis command '%.*s' failed: %.*s", namelen, argv[0],
               (int)r->len, r->str);
        freeReplyObject(r);
        return AG_EINTERNAL;
    }
    if (reply != NULL) {
        *reply = r;
    } else {
        freeReplyObject(r);
    }
    return 0;
}

int
ag_kv_ping(struct ag_kv_pool *pool)
{
    const char *argv[] = {"PING"};
    redisReply *r = NULL;
    redisContext *c;

    int rc = ag_kv_acquire(pool, &c);
    if (rc == 0) {
        rc = ag_kv_command(c, &r, 1, argv, NULL);
        if (rc == 0 && (r->type != REDIS_REPLY_STATUS || strcmp(r->str, "PONG") != 0)) {
            rc = AG_EUNAVAIL;
        }
        freeReplyObject(r);
        ag_kv_release(pool, c);
    }
    if (rc < 0 && rc != AG_ETIMEOUT) {
        rc = AG_EUNAVAIL; /* for /readyz every other failure means "not ready" */
    }
    return rc;
}

void
ag_kv_pool_stats(struct ag_kv_pool *pool, struct ag_kv_pool_stats *out)
{
    pthread_mutex_lock(&pool->slots.lock);
    out->size = pool->slots.size;
    out->open = pool->slots.open;
    out->busy = pool->slots.busy;
    pthread_mutex_unlock(&pool->slots.lock);
}
