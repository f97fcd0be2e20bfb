/* Card numbers: the Luhn check and the brand (agora/card.h). */
#include "agora/card.h"

#include "agora/err.h"

int
ag_card_check(struct ag_str n, const char **why)
{
    int sum = 0;

    *why = "want 12..19 digits that pass the Luhn check";
    if (n.len < 12 || n.len > 19) {
        return AG_EINVAL;
    }
    for (size_t i = 0; i < n.len; i++) {
        char c = n.ptr[n.len - 1 - i];
        if (c < '0' || c > '9') {
            return AG_EINVAL;
        }
        int d = c - '0';
        if (i % 2 == 1) {
            d = d * 2 > 9 ? d * 2 - 9 : d * 2;
        }
        sum += d;
    }
    return sum % 10 == 0 ? 0 : AG_EINVAL;
}

const char *
ag_card_brand(struct ag_str n)
{
    if (n.len > 0 && n.ptr[0] == '4') {
        return "visa";
    }
    if (n.len > 1 && n.ptr[0] == '5' && n.ptr[1] >= '1' && n.ptr[1] <= '5') {
        return "mastercard";
    }
    if (n.len > 1 && n.ptr[0] == '3' && (n.ptr[1] == '4' || n.ptr[1] == '7')) {
        return "amex";
    }
    return "other";
}
