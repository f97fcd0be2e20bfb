/*
 * The payment service's rules with no HTTP or SQL in them: states and their transitions (the
 * same table as schema/001-payment.sql's payment_transitions CHECK, which every event row must
 * pass), ids and currencies.
 */
#include "payment.h"

#include <string.h>

#include "agora/err.h"

static const char *const status_names[PAYMENT_NSTATUS] = {
    [PAYMENT_PENDING] = "PENDING",   [PAYMENT_AUTHORIZED] = "AUTHORIZED",
    [PAYMENT_CAPTURED] = "CAPTURED", [PAYMENT_PARTIALLY_REFUNDED] = "PARTIALLY_REFUNDED",
    [PAYMENT_REFUNDED] = "REFUNDED", [PAYMENT_FAILED] = "FAILED",
    [PAYMENT_VOIDED] = "VOIDED",     [PAYMENT_UNKNOWN] = "UNKNOWN",
};

/* The transitions: PENDING → AUTHORIZED → CAPTURED → (PARTIALLY_)REFUNDED, → FAILED,
 * → VOIDED, and UNKNOWN while the provider's answer is missing. */
static const struct {
    enum payment_status from, to;
} transitions[] = {
    {PAYMENT_PENDING, PAYMENT_AUTHORIZED},
    {PAYMENT_PENDING, PAYMENT_FAILED},
    {PAYMENT_PENDING, PAYMENT_UNKNOWN},
    {PAYMENT_UNKNOWN, PAYMENT_AUTHORIZED},
    {PAYMENT_UNKNOWN, PAYMENT_FAILED},
    {PAYMENT_AUTHORIZED, PAYMENT_CAPTURED},
    {PAYMENT_AUTHORIZED, PAYMENT_VOIDED},
    {PAYMENT_AUTHORIZED, PAYMENT_UNKNOWN},
    {PAYMENT_CAPTURED, PAYMENT_PARTIALLY_REFUNDED},
    {PAYMENT_CAPTURED, PAYMENT_REFUNDED},
    {PAYMENT_PARTIALLY_REFUNDED, PAYMENT_PARTIALLY_REFUNDED},
    {PAYMENT_PARTIALLY_REFUNDED, PAYMENT_REFUNDED},
};
#define NTRANSITIONS (sizeof(transitions) / sizeof(transitions[0]))

const char *
payment_status_name(enum payment_status s)
{
    return (unsigned)s < PAYMENT_NSTATUS ? status_names[s] : "?";
}

int
payment_status_parse(const char *s, enum payment_status *out)
{
    for (int i = 0; i < PAYMENT_NSTATUS; i++) {
        if (strcmp(s, status_names[i]) == 0) {
            *out = (enum payment_status)i;
            return 0;
        }
    }
    return AG_EINVAL;
}

int
payment_transition_ok(enum payment_status from, enum payment_status to)
{
    for (size_t i = 0; i < NTRANSITIONS; i++) {
        if (transitions[i].from == from && transitions[i].to == to) {
            return 1;
        }
    }
    return 0;
}

int
payment_path(enum payment_status from, enum payment_status to,
             enum payment_status steps[PAYMENT_STEPS_MAX])
{
    int prev[PAYMENT_NSTATUS], queue[PAYMENT_NSTATUS];
    size_t head = 0, tail = 0;

    if (from == to) {
        return 0;
    }
    for (int i = 0; i < PAYMENT_NSTATUS; i++) {
        prev[i] = -1;
    }
    prev[from] = (int)from;
    queue[tail++] = (int)from;
    while (head < tail && prev[to] < 0) {
        int s = queue[head++];
        for (size_t i = 0; i < NTRANSITIONS; i++) {
            int t = (int)transitions[i].to;
            if ((int)transitions[i].from == s && prev[t] < 0) {
                prev[t] = s;
                queue[tail++] = t;
            }
        }
    }
    if (prev[to] < 0) {
        return AG_ECONFLICT;
    }
    int n = 0;
    for (int s = (int)to; s != (int)from; s = prev[s]) {
        n++;
    }
    if (n > PAYMENT_STEPS_MAX) {
        return AG_ECONFLICT;
    }
    int i = n;
    for (int s = (int)to; s != (int)from; s = prev[s]) {
        steps[--i] = (enum payment_status)s;
    }
    return n;
}

/* 1..64 of [A-Za-z0-9_-], and ':' too when 'colon' (a guest's subject, "guest:…"). */
static int
id_chars_check(struct ag_str s, int colon)
{
    if (s.len == 0 || s.len > 64) {
        return AG_EINVAL;
    }
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || (colon && c == ':'))) {
            return AG_EINVAL;
        }
    }
    return 0;
}

int
payment_id_text_check(struct ag_str s, const char **why)
{
    *why = "want 1..64 characters of A-Z a-z 0-9 _ -";
    return id_chars_check(s, 0);
}

int
payment_payer_check(struct ag_str s, const char **why)
{
    *why = "want 1..64 characters of A-Z a-z 0-9 _ - : (a member's id or a guest's subject)";
    return id_chars_check(s, 1);
}

int
payment_uuid_check(struct ag_str s)
{
    if (s.len != 36) {
        return AG_EINVAL;
    }
    for (size_t i = 0; i < 36; i++) {
        char c = s.ptr[i];
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return AG_EINVAL;
        }
    }
    return 0;
}

int
payment_currencies_parse(struct payment_app *app, const char *list)
{
    const char *p = list;

    app->ncurrencies = 0;
    while (*p != '\0') {
        const char *end = strchr(p, ',');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
        if (n != 3 || app->ncurrencies == PAYMENT_CURRENCIES_MAX) {
            return AG_EINVAL;
        }
        for (size_t i = 0; i < 3; i++) {
            if (p[i] < 'A' || p[i] > 'Z') {
                return AG_EINVAL;
            }
        }
        memcpy(app->currencies[app->ncurrencies], p, 3);
        app->currencies[app->ncurrencies++][3] = '\0';
        p += n;
        if (*p == ',') {
            p++;
        }
    }
    return app->ncurrencies > 0 ? 0 : AG_EINVAL;
}

int
payment_currency_ok(const struct payment_app *app, struct ag_str c)
{
    for (size_t i = 0; i < app->ncurrencies; i++) {
        if (ag_str_eq(c, app->currencies[i])) {
            return 1;
        }
    }
    return 0;
}
