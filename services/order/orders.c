/*
 * The order rules with no HTTP or SQL in them: states and their transitions (the same table
 * as schema/002-orders.sql's order_transitions CHECK, which every change must pass), the
 * saga's steps, the shipping fee and order ids.
 */
#include "order.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "agora/err.h"
#include "agora/log.h"

static const char *const status_names[ORDER_NSTATUS] = {
    [ORDER_PENDING] = "PENDING",     [ORDER_PAID] = "PAID",           [ORDER_SHIPPED] = "SHIPPED",
    [ORDER_DELIVERED] = "DELIVERED", [ORDER_CANCELLED] = "CANCELLED", [ORDER_REFUNDED] = "REFUNDED",
};

/* PENDING → PAID → SHIPPED → DELIVERED, PENDING|PAID → CANCELLED,
 * PAID|SHIPPED|DELIVERED → REFUNDED. */
static const struct {
    enum order_status from, to;
} transitions[] = {
    {ORDER_PENDING, ORDER_PAID},     {ORDER_PENDING, ORDER_CANCELLED},
    {ORDER_PAID, ORDER_SHIPPED},     {ORDER_PAID, ORDER_CANCELLED},
    {ORDER_PAID, ORDER_REFUNDED},    {ORDER_SHIPPED, ORDER_DELIVERED},
    {ORDER_SHIPPED, ORDER_REFUNDED}, {ORDER_DELIVERED, ORDER_REFUNDED},
};
#define NTRANSITIONS (sizeof(transitions) / sizeof(transitions[0]))

static const char *const step_names[STEP_N] = {
    [STEP_RESERVE] = "reserve", [STEP_PAY] = "pay",         [STEP_COMMIT] = "commit",
    [STEP_REFUND] = "refund",   [STEP_RESTOCK] = "restock", [STEP_RELEASE] = "release",
    [STEP_DONE] = "done",
};

const char *
order_status_name(enum order_status s)
{
    return (unsigned)s < ORDER_NSTATUS ? status_names[s] : "?";
}

int
order_status_parse(const char *s, enum order_status *out)
{
    for (int i = 0; s != NULL && i < ORDER_NSTATUS; i++) {
        if (strcmp(s, status_names[i]) == 0) {
            *out = (enum order_status)i;
            return 0;
        }
    }
    return AG_EINVAL;
}

int
order_transition_ok(enum order_status from, enum order_status to)
{
    for (size_t i = 0; i < NTRANSITIONS; i++) {
        if (transitions[i].from == from && transitions[i].to == to) {
            return 1;
        }
    }
    return 0;
}

const char *
order_step_name(enum order_step s)
{
    return (unsigned)s < STEP_N ? step_names[s] : "?";
}

int
order_step_parse(const char *s, enum order_step *out)
{
    for (int i = 0; s != NULL && i < STEP_N; i++) {
        if (strcmp(s, step_names[i]) == 0) {
            *out = (enum order_step)i;
            return 0;
        }
    }
    return AG_EINVAL;
}

long long
order_shipping_fee(long long subtotal, long long fee, long long free_over)
{
    if (free_over > 0 && subtotal >= free_over) {
        return 0;
    }
    return fee;
}

void
order_id_new(char *out)
{
    unsigned char raw[12];
    char hex[sizeof(raw) * 2 + 1];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
    snprintf(out, ORDER_ID_LEN + 1, "ord_%s", hex);
}

int
order_id_check(struct ag_str id)
{
    if (id.len != ORDER_ID_LEN || memcmp(id.ptr, "ord_", 4) != 0) {
        return AG_EINVAL;
    }
    for (size_t i = 4; i < id.len; i++) {
        char c = id.ptr[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return AG_EINVAL;
        }
    }
    return 0;
}

void
order_crash_point(const struct order_app *app, const char *point, const char *order_id)
{
    if (app->cfg->crash_at != NULL && strcmp(app->cfg->crash_at, point) == 0) {
        ag_log(AG_LOG_WARN, NULL, "order %s: AGORA_ORDER_CRASH_AT=%s: dying here", order_id, point);
        (void)raise(SIGKILL);
    }
}
