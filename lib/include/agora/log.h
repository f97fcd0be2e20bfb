/*
 * Logging: one logfmt line per event on stderr, with level, service and request id. The level
 * is tested before the arguments are evaluated. Never log passwords, tokens, cookies or bodies.
 */
#ifndef AGORA_LOG_H
#define AGORA_LOG_H

enum ag_log_level {
    AG_LOG_DEBUG = 0,
    AG_LOG_INFO = 1,
    AG_LOG_WARN = 2,
    AG_LOG_ERROR = 3,
};

extern enum ag_log_level ag_log_min_level;

/* Sets the service name written as svc= on every line; the string is copied. */
void ag_log_init(const char *service, enum ag_log_level min_level);

/* Parses "debug", "info", "warn", "error"; returns 0 or AG_EINVAL. */
int ag_log_level_parse(const char *s, enum ag_log_level *out);

/*
 * Writes one line: ts=… level=… svc=… req=<request_id> msg="…". 'request_id' may be NULL.
 * The message is quoted and escaped as logfmt wants.
 */
void ag_log_write(enum ag_log_level level, const char *request_id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes a line of ready key=value pairs (the access log); 'kv' must already be logfmt. */
void ag_log_raw(enum ag_log_level level, const char *request_id, const char *kv);

#define ag_log(level, request_id, ...)                                                             \
    do {                                                                                           \
        if ((level) >= ag_log_min_level) {                                                         \
            ag_log_write((level), (request_id), __VA_ARGS__);                                      \
        }                                                                                          \
    } while (0)

#endif
