/*
 * In-process rate limits by key (a client address): a fixed window per key, kept in a table
 * of a fixed number of slots, so memory stays bounded whatever the number of clients. Two
 * keys that share a slot share its count (they can only be refused early, never let through
 * more than the limit). Thread-safe. For steps that no gateway guards, such as the guest
 * sessions web starts for first-time visitors.
 */
#ifndef AGORA_RATE_H
#define AGORA_RATE_H

#include <stddef.h>
#include <stdint.h>

struct ag_rate;

/* At most 'limit' takes per key in each window of 'window_s' seconds, in 'slots' slots. */
struct ag_rate *ag_rate_new(size_t slots, unsigned limit, unsigned window_s);
/* Accepts NULL. */
void ag_rate_free(struct ag_rate *r);

/*
 * Counts one take for 'key' ('len' bytes, borrowed) at 'now_s' (a monotonic second) and
 * returns 1 while the key's window is within the limit, 0 once it is over.
 */
int ag_rate_take(struct ag_rate *r, const char *key, size_t len, int64_t now_s);

#endif
