/*
 * The inter-service HTTP client on libcurl: a pool of easy handles (each keeps its own
 * connections alive, so a warm call costs no connect), a timeout per attempt, and retries
 * with a short growing back-off on connection errors, timeouts and 5xx answers.
 */
#include "agora/httpc.h"

#include "pool_int.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "agora/err.h"
#include "agora/log.h"
#include "agora/mem.h"

#define HTTPC_BACKOFF_MS 25 /* the wait before retry n is n times this */

struct ag_httpc {
    struct ag__pool slots; /* idle CURL easy handles */
    int timeout_ms;
    int retries;
};

/* Where an answer's body grows; 'overflow' is set when it passed AG_HTTPC_MAX_BODY. */
struct sink {
    char *buf;
    size_t len;
    size_t cap;
    int overflow;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_start(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void
handle_close(void *h)
{
    curl_easy_cleanup(h);
}

struct ag_httpc *
ag_httpc_new(size_t max_handles, int timeout_ms, int retries)
{
    pthread_once(&curl_once, curl_start);
    struct ag_httpc *c = ag_xcalloc(1, sizeof(*c));
    ag__pool_init(&c->slots, max_handles > 0 ? max_handles : 1, timeout_ms);
    c->timeout_ms = timeout_ms;
    c->retries = retries < 0 ? 0 : retries;
    return c;
}

void
ag_httpc_free(struct ag_httpc *c)
{
    if (c == NULL) {
        return;
    }
    ag__pool_release(&c->slots, handle_close, "http client");
    ag_free(c);
}

void
ag_httpc_resp_release(struct ag_httpc_resp *r)
{
    if (r == NULL) {
        return;
    }
    ag_free(r->body);
    ag_free(r->headers);
    json_decref(r->json);
    memset(r, 0, sizeof(*r));
}

/* Appends 'n' bytes to 's', growing it by doubling from 'first' bytes; always NUL-terminated. */
static void
sink_append(struct sink *s, const char *data, size_t n, size_t first)
{
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap > 0 ? s->cap : first;
        while (cap < s->len + n + 1) {
            cap *= 2;
        }
        s->buf = ag_xrealloc(s->buf, cap);
        s->cap = cap;
    }
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    s->buf[s->len] = '\0';
}

static size_t
sink_write(char *data, size_t size, size_t nmemb, void *arg)
{
    struct sink *s = arg;
    size_t n = size * nmemb;

    if (s->len + n > AG_HTTPC_MAX_BODY) {
        s->overflow = 1;
        return 0; /* curl stops the transfer with CURLE_WRITE_ERROR */
    }
    sink_append(s, data, n, 1024);
    return n;
}

/* The answer's header lines, kept up to AG_HTTPC_MAX_HEADERS bytes (the rest is dropped). */
static size_t
sink_header(char *data, size_t size, size_t nmemb, void *arg)
{
    struct sink *s = arg;
    size_t n = size * nmemb;

    if (s->len + n <= AG_HTTPC_MAX_HEADERS) {
        sink_append(s, data, n, 512);
    }
    return n;
}

const char *
ag_httpc_resp_header(const struct ag_httpc_resp *r, const char *name, char *buf, size_t size)
{
    size_t nlen = strlen(name);
    const char *p = r->headers;

    while (p != NULL && *p != '\0' && size > 0) {
        const char *eol = strchr(p, '\n');
        size_t llen = eol != NULL ? (size_t)(eol - p) : strlen(p);
        if (llen > nlen && p[nlen] == ':' && strncasecmp(p, name, nlen) == 0) {
            const char *v = p + nlen + 1;
            const char *end = p + llen;
            while (v < end && (*v == ' ' || *v == '\t')) {
                v++;
            }
            while (end > v && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t')) {
                end--;
            }
            size_t vlen = (size_t)(end - v) < size - 1 ? (size_t)(end - v) : size - 1;
            memcpy(buf, v, vlen);
            buf[vlen] = '\0';
            return buf;
        }
        p = eol != NULL ? eol + 1 : NULL;
    }
    return NULL;
}

/* A transport failure worth another attempt, as the error code the caller gets. */
static int
curl_rc_map(CURLcode cc)
{
    switch (cc) {
    case CURLE_OPERATION_TIMEDOUT:
        return AG_ETIMEOUT;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return AG_EINVAL;
    default:
        return AG_EUNAVAIL;
    }
}

static void
sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* One attempt on handle 'h'; fills 'resp' on an answer. 0 or AG_E* for a transport error. */
static int
attempt(struct ag_httpc *c, CURL *h, const char *method, const char *url, struct curl_slist *hdrs,
        const char *body, size_t len, struct ag_httpc_resp *resp)
{
    struct sink s = {0}, hs = {0};

    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, sink_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &hs);
    if (strcmp(method, "GET") != 0) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    }
    if (body != NULL) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    CURLcode cc = curl_easy_perform(h);
    if (cc != CURLE_OK) {
        ag_free(s.buf);
        ag_free(hs.buf);
        return s.overflow ? AG_ETOOLARGE : curl_rc_map(cc);
    }
    ag_httpc_resp_release(resp);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
    resp->body = s.buf != NULL ? s.buf : ag_xstrdup("");
    resp->len = s.len;
    resp->headers = hs.buf != NULL ? hs.buf : ag_xstrdup("");
    resp->json = s.len > 0 ? json_loadb(resp->body, s.len, JSON_REJECT_DUPLICATES, NULL) : NULL;
    return 0;
}

int
ag_httpc_request(struct ag_httpc *c, const char *method, const char *url,
                 const char *const *headers, const char *body, size_t len, const char *request_id,
                 struct ag_httpc_resp *resp)
{
    struct curl_slist *hdrs = NULL;
    char rid[128];
    void *item = NULL;
    int rc;

    memset(resp, 0, sizeof(*resp));
    rc = ag__pool_take(&c->slots, &item);
    if (rc < 0) {
        return rc;
    }
    CURL *h = item != NULL ? item : curl_easy_init();
    if (h == NULL) {
        ag__pool_abandon(&c->slots);
        return AG_EINTERNAL;
    }
    hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    hdrs = curl_slist_append(hdrs, "Accept: application/json");
    hdrs = curl_slist_append(hdrs, "Expect:"); /* no 100-continue round trip */
    if (request_id != NULL) {
        snprintf(rid, sizeof(rid), "X-Request-Id: %.64s", request_id);
        hdrs = curl_slist_append(hdrs, rid);
    }
    for (size_t i = 0; headers != NULL && headers[i] != NULL; i++) {
        hdrs = curl_slist_append(hdrs, headers[i]);
    }
    for (int n = 0; n <= c->retries; n++) {
        if (n > 0) {
            sleep_ms(HTTPC_BACKOFF_MS * n);
        }
        rc = attempt(c, h, method, url, hdrs, body, len, resp);
        if (rc == 0 && resp->status < 500) {
            break;
        }
        if (rc == AG_EINVAL || rc == AG_ETOOLARGE) {
            break;
        }
        if (rc == 0) {
            ag_log(AG_LOG_WARN, request_id, "%s %s: attempt %d of %d answered %ld", method, url,
                   n + 1, c->retries + 1, resp->status);
            rc = AG_EUNAVAIL; /* a 5xx, kept in 'resp' */
        } else {
            ag_log(AG_LOG_WARN, request_id, "%s %s: attempt %d of %d failed: %s", method, url,
                   n + 1, c->retries + 1, ag_err_name(rc));
        }
    }
    curl_slist_free_all(hdrs);
    ag__pool_give(&c->slots, h);
    return rc;
}
