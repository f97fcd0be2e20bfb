/*
 * Milliseconds from the monotonic and the wall clock (agora/clock.h).
 */
#include "agora/clock.h"

#include <time.h>

static long long
ms_of(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long
ag_clock_ms(void)
{
    return ms_of(CLOCK_MONOTONIC);
}

long long
ag_clock_wall_ms(void)
{
    return ms_of(CLOCK_REALTIME);
}
