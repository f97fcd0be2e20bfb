/*
 * logfmt lines on stderr: ts, level, svc, req, msg. Each line goes out in one write(2), so lines
 * of concurrent threads never interleave.
 */
#include "agora/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "agora/err.h"

enum ag_log_level ag_log_min_level = AG_LOG_INFO;
static char log_service[32] = "agora";

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void
ag_log_init(const char *service, enum ag_log_level min_level)
{
    snprintf(log_service, sizeof(log_service), "%s", service);
    ag_log_min_level = min_level;
}

int
ag_log_level_parse(const char *s, enum ag_log_level *out)
{
    for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
        if (strcasecmp(s, level_names[i]) == 0) {
            *out = (enum ag_log_level)i;
            return 0;
        }
    }
    return AG_EINVAL;
}

/* Writes "ts=… level=… svc=… req=…" into 'buf'; returns the length. */
static size_t
log_prefix(char *buf, size_t size, enum ag_log_level level, const char *request_id)
{
    struct timespec ts;
    struct tm tm;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(buf, size, "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s svc=%s",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     ts.tv_nsec / 1000000, level_names[level & 3], log_service);
    if (request_id != NULL && n > 0 && (size_t)n < size) {
        n += snprintf(buf + n, size - (size_t)n, " req=%s", request_id);
    }
    return n < 0 ? 0 : ((size_t)n < size ? (size_t)n : size - 1);
}

static void
log_emit(char *line, size_t len, size_t size)
{
    if (len >= size - 1) {
        len = size - 2;
    }
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}

void
ag_log_write(enum ag_log_level level, const char *request_id, const char *fmt, ...)
{
    char line[2048];
    char msg[1536];
    va_list ap;

    size_t n = log_prefix(line, sizeof(line), level, request_id);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    /* msg="…" with quotes, backslashes and control characters escaped. */
    const char *lead = " msg=\"";
    size_t room = sizeof(line) - 2;
    for (const char *p = lead; *p && n < room; p++) {
        line[n++] = *p;
    }
    for (const unsigned char *p = (const unsigned char *)msg; *p && n + 2 < room; p++) {
        if (*p == '"' || *p == '\\') {
            line[n++] = '\\';
            line[n++] = (char)*p;
        } else if (*p < 0x20 || *p == 0x7f) {
            line[n++] = ' ';
        } else {
            line[n++] = (char)*p;
        }
    }
    if (n < room) {
        line[n++] = '"';
    }
    log_emit(line, n, sizeof(line));
}

void
ag_log_raw(enum ag_log_level level, const char *request_id, const char *kv)
{
    char line[2048];

    if (level < ag_log_min_level) {
        return;
    }
    size_t n = log_prefix(line, sizeof(line), level, request_id);
    int m = snprintf(line + n, sizeof(line) - n, " %s", kv);
    if (m > 0) {
        n += (size_t)m < sizeof(line) - n ? (size_t)m : sizeof(line) - n - 1;
    }
    log_emit(line, n, sizeof(line));
}
