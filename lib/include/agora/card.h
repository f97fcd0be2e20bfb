/*
 * Card numbers, as both sides of a card payment check them: the provider sandbox and the
 * payment service (which keeps only the brand and the last four digits).
 */
#ifndef AGORA_CARD_H
#define AGORA_CARD_H

#include "agora/mem.h"

/* 12..19 digits that pass the Luhn check: 0, or AG_EINVAL with 'why' (static) set. */
int ag_card_check(struct ag_str number, const char **why);
/* "visa", "mastercard", "amex" or "other", from the number's first digits. Static. */
const char *ag_card_brand(struct ag_str number);

#endif
