/*
 * The sandbox's rules with no HTTP in them: the test cards, payments as JSON, and webhook
 * signatures (card numbers themselves: agora/card.h).
 */
#include "psp.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "agora/err.h"
#include "agora/json.h"

/* The test cards (README, "The card provider sandbox"); any other valid number approves. */
enum psp_card_kind
psp_card_kind(struct ag_str n)
{
    static const struct {
        const char *number;
        enum psp_card_kind kind;
    } cards[] = {
        {"4000000000009995", PSP_CARD_INSUFFICIENT_FUNDS},
        {"4000000000009979", PSP_CARD_STOLEN},
        {"4000000000000077", PSP_CARD_SLOW},
        {"4000000000000119", PSP_CARD_FAIL_ONCE},
    };
    for (size_t i = 0; i < sizeof(cards) / sizeof(cards[0]); i++) {
        if (ag_str_eq(n, cards[i].number)) {
            return cards[i].kind;
        }
    }
    return PSP_CARD_APPROVE;
}

const char *
psp_status_name(enum psp_status s)
{
    static const char *const names[] = {
        [PSP_PROCESSING] = "processing",
        [PSP_AUTHORIZED] = "authorized",
        [PSP_DECLINED] = "declined",
        [PSP_CAPTURED] = "captured",
        [PSP_PARTIALLY_REFUNDED] = "partially_refunded",
        [PSP_REFUNDED] = "refunded",
        [PSP_VOIDED] = "voided",
    };
    return names[s];
}

static json_t *
iso_time(long long ms)
{
    char buf[40];
    struct tm tm;
    time_t s = (time_t)(ms / 1000);
    gmtime_r(&s, &tm);
    size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, sizeof(buf) - n, ".%03dZ", (int)(ms % 1000));
    return json_string(buf);
}

json_t *
psp_payment_to_json(const struct psp_payment *p)
{
    return json_pack("{s:s,s:s,s:I,s:s,s:I,s:I,s:{s:s,s:s},s:s?,s:s?,s:o,s:o}", "id", p->id,
                     "status", psp_status_name(p->status), "amount", (json_int_t)p->amount,
                     "currency", p->currency, "capturedAmount", (json_int_t)p->captured,
                     "refundedAmount", (json_int_t)p->refunded, "card", "brand", p->brand, "last4",
                     p->last4, "declineCode", p->decline_code, "reference",
                     p->reference[0] != '\0' ? p->reference : NULL, "createdAt",
                     iso_time(p->created_ms), "updatedAt", iso_time(p->updated_ms));
}

void
psp_sign(const char *secret, long long unix_s, const char *body, size_t len, char *out, size_t size)
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char ts[24], hex[2 * sizeof(mac) + 1];

    int n = snprintf(ts, sizeof(ts), "%lld.", unix_s);
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, (size_t)n);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
    snprintf(out, size, "t=%lld,v1=%s", unix_s, hex);
}
