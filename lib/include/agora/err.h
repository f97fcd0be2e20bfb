/*
 * Error codes of libagora and every service: 0 or a negative code, one table that gives each
 * its HTTP status and the envelope's JSON code (ARCHITECTURE.md: AUTH_1xxx, VAL_2xxx, BIZ_3xxx,
 * SYS_5xxx).
 */
#ifndef AGORA_ERR_H
#define AGORA_ERR_H

#include <stddef.h>

enum ag_err {
    AG_OK = 0,
    AG_EINVAL = -1,         /* 400 VAL_2001: the input is malformed or out of bounds */
    AG_ENOTFOUND = -2,      /* 404 BIZ_3001: no such resource */
    AG_ECONFLICT = -3,      /* 409 BIZ_3002: unique key taken, state does not allow it */
    AG_EUNAUTH = -4,        /* 401 AUTH_1001: no or bad credentials */
    AG_EFORBIDDEN = -5,     /* 403 AUTH_1003: authenticated, but not allowed */
    AG_ETOOLARGE = -6,      /* 413 VAL_2002: body or field over its limit */
    AG_EMETHOD = -7,        /* 405 VAL_2004: path exists, method does not */
    AG_ENOROUTE = -8,       /* 404 VAL_2005: no such path */
    AG_EMEDIATYPE = -9,     /* 415 VAL_2006: body is not application/json */
    AG_EIDEMMISMATCH = -10, /* 422 VAL_2007: idempotency key reused with another body */
    AG_EINFLIGHT = -11,     /* 409 BIZ_3003: same idempotency key still being processed */
    AG_ERATELIMIT = -12,    /* 429 AUTH_1004: too many attempts */
    AG_EUNAVAIL = -13,      /* 503 SYS_5002: a dependency (database, redis) is unreachable */
    AG_ETIMEOUT = -14,      /* 504 SYS_5003: a dependency did not answer in time */
    AG_EINTERNAL = -15,     /* 500 SYS_5001: a bug or an unexpected failure */
    AG_ERETRY = -16,    /* 503 SYS_5004: serialization failure; the transaction may be retried */
    AG_EGONE = -17,     /* 410 BIZ_3004: the resource existed and was deleted */
    AG_EDECLINED = -18, /* 402 BIZ_3005: the payment was declined */
    AG_ERR_MIN = -18,
};

/* HTTP status of 'rc' (500 for codes outside the table, 200 for AG_OK). */
int ag_err_status(int rc);

/* Envelope code of 'rc', e.g. "VAL_2001"; borrowed, static. */
const char *ag_err_code(int rc);

/* Symbolic name of 'rc', e.g. "AG_EINVAL", for logs; borrowed, static. */
const char *ag_err_name(int rc);

/* A default client message for 'rc', e.g. "resource not found"; borrowed, static. */
const char *ag_err_message(int rc);

/*
 * Writes a printf message into the caller's error buffer 'err' ('size' bytes, cut to fit,
 * NUL-terminated); does nothing when 'err' is NULL or 'size' 0. For the "err, errsize"
 * out-parameters of loaders (config, templates, catalogs, assets).
 */
void ag_err_printf(char *err, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
