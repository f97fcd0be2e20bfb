/*
 * The OpenAPI contract of a service: its openapi.yaml (embedded at build) served as
 * /openapi.json and rendered by /docs, and checked against the route table.
 */
#ifndef AGORA_OPENAPI_H
#define AGORA_OPENAPI_H

#include <stddef.h>

#include <jansson.h>

#include "agora/http.h"

/*
 * Converts YAML text (block and flow mappings, sequences, scalars; no anchors) into JSON:
 * plain scalars that read as integers, reals, true/false or null become those types, quoted
 * scalars stay strings. Returns 0 and a new reference in '*out', or AG_EINVAL with a message
 * naming the line in 'err'.
 */
int ag_openapi_from_yaml(const char *yaml, json_t **out, char *err, size_t errlen);

/*
 * Compares the spec's paths and methods with 'routes': every route must be in the spec and
 * every spec operation must have a route. Prints each difference to stderr; returns how many.
 */
int ag_openapi_check_routes(const json_t *spec, const struct ag_route *routes, size_t n);

#endif
