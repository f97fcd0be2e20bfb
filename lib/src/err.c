/*
 * The one error table: each AG_E* code with its HTTP status, envelope code and default message.
 */
#include "agora/err.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

struct err_info {
    int status;
    const char *code;
    const char *name;
    const char *message;
};

/* Indexed by -rc. */
static const struct err_info err_table[] = {
    [0] = {200, "OK", "AG_OK", "ok"},
    [1] = {400, "VAL_2001", "AG_EINVAL", "invalid request"},
    [2] = {404, "BIZ_3001", "AG_ENOTFOUND", "resource not found"},
    [3] = {409, "BIZ_3002", "AG_ECONFLICT", "conflict with the current state"},
    [4] = {401, "AUTH_1001", "AG_EUNAUTH", "authentication required"},
    [5] = {403, "AUTH_1003", "AG_EFORBIDDEN", "not allowed"},
    [6] = {413, "VAL_2002", "AG_ETOOLARGE", "request too large"},
    [7] = {405, "VAL_2004", "AG_EMETHOD", "method not allowed"},
    [8] = {404, "VAL_2005", "AG_ENOROUTE", "no such endpoint"},
    [9] = {415, "VAL_2006", "AG_EMEDIATYPE", "body must be application/json"},
    [10] = {422, "VAL_2007", "AG_EIDEMMISMATCH",
            "idempotency key was already used with a different request body"},
    [11] = {409, "BIZ_3003", "AG_EINFLIGHT",
            "a request with this idempotency key is still being processed"},
    [12] = {429, "AUTH_1004", "AG_ERATELIMIT", "too many requests"},
    [13] = {503, "SYS_5002", "AG_EUNAVAIL", "service temporarily unavailable"},
    [14] = {504, "SYS_5003", "AG_ETIMEOUT", "a dependency timed out"},
    [15] = {500, "SYS_5001", "AG_EINTERNAL", "internal error"},
    [16] = {503, "SYS_5004", "AG_ERETRY", "temporary conflict, retry the request"},
    [17] = {410, "BIZ_3004", "AG_EGONE", "resource was deleted"},
    [18] = {402, "BIZ_3005", "AG_EDECLINED", "payment declined"},
};

static const struct err_info *
err_lookup(int rc)
{
    if (rc > 0 || rc < AG_ERR_MIN) {
        return &err_table[-AG_EINTERNAL];
    }
    return &err_table[-rc];
}

int
ag_err_status(int rc)
{
    return err_lookup(rc)->status;
}

const char *
ag_err_code(int rc)
{
    return err_lookup(rc)->code;
}

const char *
ag_err_name(int rc)
{
    return err_lookup(rc)->name;
}

const char *
ag_err_message(int rc)
{
    return err_lookup(rc)->message;
}

void
ag_err_printf(char *err, size_t size, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || size == 0) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(err, size, fmt, ap);
    va_end(ap);
}
