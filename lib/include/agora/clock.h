/*
 * Milliseconds from the two clocks the services read: monotonic for deadlines and cache
 * lifetimes (never jumps), wall time for what is stored or shown.
 */
#ifndef AGORA_CLOCK_H
#define AGORA_CLOCK_H

/* CLOCK_MONOTONIC in milliseconds: for intervals and deadlines within this process. */
long long ag_clock_ms(void);
/* CLOCK_REALTIME in milliseconds since the epoch: for timestamps kept or sent. */
long long ag_clock_wall_ms(void);

#endif
