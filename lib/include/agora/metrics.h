/*
 * Metrics in Prometheus text format: request counts by route and status, latency histograms
 * by route, and gauges the service adds when rendering. Lock-free counters (relaxed atomics).
 */
#ifndef AGORA_METRICS_H
#define AGORA_METRICS_H

#include <stddef.h>

#include "agora/mem.h"

#define AG_METRICS_NBUCKETS 12

struct ag_metrics;

/*
 * Counters for 'nroutes' routes labelled by 'methods[i]' and 'paths[i]' (borrowed for the
 * object's life), plus one more slot (index 'nroutes') for requests that matched no route.
 */
struct ag_metrics *ag_metrics_new(const char *service, size_t nroutes, const char *const *methods,
                                  const char *const *paths);
void ag_metrics_free(struct ag_metrics *m);

/* Counts one request of route 'route' (nroutes = unmatched) with 'status' taking 'seconds'. */
void ag_metrics_observe(struct ag_metrics *m, size_t route, int status, double seconds);

/* Renders every counter and histogram into the arena; 'extra' (may be NULL) is appended. */
char *ag_metrics_render(struct ag_metrics *m, struct ag_arena *arena, const char *extra,
                        size_t *len);

#endif
