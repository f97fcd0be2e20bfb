/*
 * YAML to JSON with libyaml's event parser (for openapi.yaml), and the route/spec check.
 */
#include "agora/openapi.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "agora/err.h"
#include "agora/mem.h"

#define YAML_MAX_DEPTH 64

/* A plain scalar as its JSON type; quoted ones stay strings. */
static json_t *
scalar_to_json(const yaml_event_t *ev)
{
    const char *v = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;

    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
        return json_stringn(v, n);
    }
    if (strcmp(v, "true") == 0) {
        return json_true();
    }
    if (strcmp(v, "false") == 0) {
        return json_false();
    }
    if (strcmp(v, "null") == 0 || strcmp(v, "~") == 0 || n == 0) {
        return json_null();
    }
    char *end;
    errno = 0;
    long long i = strtoll(v, &end, 10);
    if (*end == '\0' && errno == 0 && (isdigit((unsigned char)v[0]) || v[0] == '-')) {
        return json_integer(i);
    }
    double d = strtod(v, &end);
    if (*end == '\0' && errno == 0 && (isdigit((unsigned char)v[0]) || v[0] == '-')) {
        return json_real(d);
    }
    return json_stringn(v, n);
}

/* Puts 'val' (stolen) into the container on top of the stack. */
static int
attach(json_t **stack, char **keys, size_t depth, json_t *val, json_t **root)
{
    if (depth == 0) {
        *root = val;
        return 0;
    }
    json_t *parent = stack[depth - 1];
    if (json_is_array(parent)) {
        return json_array_append_new(parent, val);
    }
    int rc = json_object_set_new(parent, keys[depth - 1], val);
    ag_free(keys[depth - 1]);
    keys[depth - 1] = NULL;
    return rc;
}

int
ag_openapi_from_yaml(const char *yaml, json_t **out, char *err, size_t errlen)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    json_t *stack[YAML_MAX_DEPTH] = {0};
    char *keys[YAML_MAX_DEPTH] = {0};
    size_t depth = 0;
    json_t *root = NULL;
    int rc = AG_EINVAL;
    int done = 0;

    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, strlen(yaml));
    snprintf(err, errlen, "empty document");
    while (!done) {
        if (!yaml_parser_parse(&parser, &ev)) {
            snprintf(err, errlen, "yaml: %s at line %zu", parser.problem ? parser.problem : "error",
                     parser.problem_mark.line + 1);
            goto out;
        }
        size_t line = ev.start_mark.line + 1;
        json_t *val = NULL;
        int opens = 0;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_ALIAS_EVENT:
            snprintf(err, errlen, "yaml: aliases are not supported (line %zu)", line);
            yaml_event_delete(&ev);
            goto out;
        case YAML_SCALAR_EVENT:
            if (depth > 0 && json_is_object(stack[depth - 1]) && keys[depth - 1] == NULL) {
                keys[depth - 1] = ag_xstrdup((const char *)ev.data.scalar.value);
                break;
            }
            val = scalar_to_json(&ev);
            break;
        case YAML_SEQUENCE_START_EVENT:
            val = json_array();
            opens = 1;
            break;
        case YAML_MAPPING_START_EVENT:
            val = json_object();
            opens = 1;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (val == NULL) {
            continue;
        }
        if (opens && depth == YAML_MAX_DEPTH) {
            json_decref(val);
            snprintf(err, errlen, "yaml: nested too deep at line %zu", line);
            goto out;
        }
        json_t *keep = opens ? json_incref(val) : NULL;
        if (attach(stack, keys, depth, val, &root) < 0) {
            json_decref(keep);
            snprintf(err, errlen, "yaml: bad value at line %zu", line);
            goto out;
        }
        if (opens) {
            stack[depth++] = keep;
            json_decref(keep); /* the parent (or root) holds it */
        }
    }
    if (root != NULL) {
        rc = 0;
    }
out:
    for (size_t i = 0; i < YAML_MAX_DEPTH; i++) {
        ag_free(keys[i]);
    }
    yaml_parser_delete(&parser);
    if (rc == 0) {
        *out = root;
    } else {
        json_decref(root);
    }
    return rc;
}

static const char *
method_lower(enum ag_method m)
{
    switch (m) {
    case AG_GET:
        return "get";
    case AG_POST:
        return "post";
    case AG_PUT:
        return "put";
    case AG_PATCH:
        return "patch";
    case AG_DELETE:
        return "delete";
    }
    return "?";
}

int
ag_openapi_check_routes(const json_t *spec, const struct ag_route *routes, size_t n)
{
    static const char *const methods[] = {"get", "post", "put", "patch", "delete"};
    const json_t *paths = json_object_get(spec, "paths");
    int diff = 0;

    if (!json_is_object(paths)) {
        fprintf(stderr, "openapi: the spec has no 'paths'\n");
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *item = json_object_get(paths, routes[i].path);
        if (json_object_get(item, method_lower(routes[i].method)) == NULL) {
            fprintf(stderr, "openapi: route %s %s is not in the spec\n",
                    method_lower(routes[i].method), routes[i].path);
            diff++;
        }
    }
    const char *path;
    const json_t *item;
    json_object_foreach((json_t *)(uintptr_t)paths, path, item)
    {
        for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
            if (json_object_get(item, methods[m]) == NULL) {
                continue;
            }
            int found = 0;
            for (size_t i = 0; i < n && !found; i++) {
                found = strcmp(routes[i].path, path) == 0 &&
                        strcmp(method_lower(routes[i].method), methods[m]) == 0;
            }
            if (!found) {
                fprintf(stderr, "openapi: spec operation %s %s has no route\n", methods[m], path);
                diff++;
            }
        }
    }
    return diff;
}
