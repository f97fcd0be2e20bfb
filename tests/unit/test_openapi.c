/*
 * YAML to JSON for openapi.yaml, and the route/spec comparison.
 */
#include <string.h>

#include "ag_test.h"

#include "agora/err.h"
#include "agora/openapi.h"

static int
noop(struct ag_req *req)
{
    (void)req;
    return 0;
}

TEST(yaml_types_and_nesting)
{
    const char *y = "a: 1\nb: -2.5\nc: true\nd: null\ne: '42'\nf: [x, 2, {g: h}]\n"
                    "i:\n  - j: k\n  - l\n'200': {description: ok}\nm: >-\n  folded\n  text\n";
    json_t *j = NULL;
    char err[128];
    CHECK_EQ_INT(ag_openapi_from_yaml(y, &j, err, sizeof(err)), 0);
    CHECK_EQ_INT(json_integer_value(json_object_get(j, "a")), 1);
    CHECK(json_is_real(json_object_get(j, "b")));
    CHECK(json_is_true(json_object_get(j, "c")));
    CHECK(json_is_null(json_object_get(j, "d")));
    CHECK_EQ_STR(json_string_value(json_object_get(j, "e")), "42");
    CHECK_EQ_INT(json_array_size(json_object_get(j, "f")), 3);
    CHECK_EQ_STR(
        json_string_value(json_object_get(json_array_get(json_object_get(j, "f"), 2), "g")), "h");
    CHECK_EQ_STR(
        json_string_value(json_object_get(json_array_get(json_object_get(j, "i"), 0), "j")), "k");
    CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(j, "200"), "description")),
                 "ok");
    CHECK_EQ_STR(json_string_value(json_object_get(j, "m")), "folded text");
    json_decref(j);
}

TEST(yaml_errors)
{
    json_t *j = NULL;
    char err[128];
    CHECK_EQ_INT(ag_openapi_from_yaml("a: [1, 2\n", &j, err, sizeof(err)), AG_EINVAL);
    CHECK(strstr(err, "line") != NULL);
    CHECK_EQ_INT(ag_openapi_from_yaml("", &j, err, sizeof(err)), AG_EINVAL);
    CHECK_EQ_INT(ag_openapi_from_yaml("a: &x 1\nb: *x\n", &j, err, sizeof(err)), AG_EINVAL);
    CHECK(strstr(err, "alias") != NULL);
    /* Deep nesting is refused, not recursed into. */
    char deep[400];
    size_t n = 0;
    for (int i = 0; i < 100; i++) {
        deep[n++] = '[';
    }
    deep[n] = '\0';
    CHECK_EQ_INT(ag_openapi_from_yaml(deep, &j, err, sizeof(err)), AG_EINVAL);
}

TEST(routes_against_spec)
{
    static const struct ag_route routes[] = {
        {AG_GET, "/api/x", noop, AG_AUTH_NONE, 0, 0},
        {AG_POST, "/api/x", noop, AG_AUTH_NONE, 0, 0},
        {AG_GET, "/api/x/{id}", noop, AG_AUTH_NONE, 0, 0},
    };
    const char *same = "paths:\n  /api/x:\n    get: {}\n    post: {}\n  /api/x/{id}:\n"
                       "    get: {}\n    parameters: []\n";
    const char *diff = "paths:\n  /api/x:\n    get: {}\n    delete: {}\n";
    json_t *j;
    char err[128];
    CHECK_EQ_INT(ag_openapi_from_yaml(same, &j, err, sizeof(err)), 0);
    CHECK_EQ_INT(ag_openapi_check_routes(j, routes, 3), 0);
    json_decref(j);
    CHECK_EQ_INT(ag_openapi_from_yaml(diff, &j, err, sizeof(err)), 0);
    /* post and get {id} are missing from the spec; delete has no route. */
    CHECK_EQ_INT(ag_openapi_check_routes(j, routes, 3), 3);
    json_decref(j);
}

AG_TEST_LIST(TEST_ENTRY(yaml_types_and_nesting), TEST_ENTRY(yaml_errors),
             TEST_ENTRY(routes_against_spec))
