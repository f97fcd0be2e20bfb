/*
 * ag_svc_main: the command line, the configuration and the log level every service's main()
 * shares.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ag_test.h"

#include "agora/err.h"
#include "agora/svc.h"

struct t_config {
    long long port;
    char *log_level;
};

#define CFG(field) offsetof(struct t_config, field)

static const struct ag_config_var t_vars[] = {
    {"AGORA_T_PORT", AG_CONFIG_INT, CFG(port), 1, 65535, "4321", "test port", 0},
    {"AGORA_LOG_LEVEL", AG_CONFIG_STR, CFG(log_level), 4, 5, "info", "debug, info, warn or error",
     0},
};

static int
h_ok(struct ag_req *req)
{
    return ag_reply_empty(req, 204);
}

static const struct ag_route t_routes[] = {
    {AG_GET, "/things", h_ok, AG_AUTH_NONE, 0, 0},
};

static const char spec_ok[] = "openapi: 3.0.3\n"
                              "info: {title: t, version: '1'}\n"
                              "paths:\n"
                              "  /things:\n"
                              "    get: {responses: {'204': {description: none}}}\n";
static const char spec_other[] = "openapi: 3.0.3\n"
                                 "info: {title: t, version: '1'}\n"
                                 "paths:\n"
                                 "  /other:\n"
                                 "    get: {responses: {'204': {description: none}}}\n";

static long long seen_port;
static int serve_rc;
static int serve_calls;

static int
t_serve(const void *cfg)
{
    const struct t_config *c = cfg;
    seen_port = c->port;
    serve_calls++;
    return serve_rc;
}

static struct t_config cfg;

static int
run(const char *arg, const char *spec)
{
    char *argv[] = {"t", (char *)(uintptr_t)arg, NULL};
    const struct ag_svc_main m = {
        .name = "t",
        .vars = t_vars,
        .nvars = sizeof(t_vars) / sizeof(t_vars[0]),
        .cfg = &cfg,
        .cfg_size = sizeof(cfg),
        .log_level_field = CFG(log_level),
        .routes = t_routes,
        .nroutes = 1,
        .openapi_yaml = spec,
        .serve = t_serve,
    };
    return ag_svc_main(arg != NULL ? 2 : 1, argv, &m);
}

TEST(command_line)
{
    serve_calls = 0;
    CHECK_EQ_INT(run("--bogus", spec_ok), 2);
    CHECK_EQ_INT(run("--check-openapi", spec_ok), 0);
    CHECK_EQ_INT(run("--check-openapi", spec_other), 1);
    CHECK_EQ_INT(run("--check-openapi", "not: [yaml"), 1);
    CHECK_EQ_INT(run("--config-help", spec_ok), 0);
    CHECK_EQ_INT(serve_calls, 0); /* none of these serves */
}

TEST(config_reaches_serve)
{
    unsetenv("AGORA_LOG_LEVEL");
    setenv("AGORA_T_PORT", "8080", 1);
    serve_calls = 0;
    serve_rc = 0;
    CHECK_EQ_INT(run(NULL, spec_ok), 0);
    CHECK_EQ_INT(serve_calls, 1);
    CHECK_EQ_INT(seen_port, 8080);
    unsetenv("AGORA_T_PORT");
    CHECK_EQ_INT(run(NULL, spec_ok), 0);
    CHECK_EQ_INT(seen_port, 4321);
    serve_rc = AG_EUNAVAIL;
    CHECK_EQ_INT(run(NULL, spec_ok), 1);
    CHECK_EQ_INT(serve_calls, 3);
}

TEST(bad_log_level_exits_2)
{
    setenv("AGORA_LOG_LEVEL", "loud", 1);
    serve_calls = 0;
    CHECK_EQ_INT(run(NULL, spec_ok), 2);
    CHECK_EQ_INT(serve_calls, 0);
    unsetenv("AGORA_LOG_LEVEL");
}

static const struct ag_test tests[] = {
    TEST_ENTRY(command_line),
    TEST_ENTRY(config_reaches_serve),
    TEST_ENTRY(bad_log_level_exits_2),
};

int
main(int argc, char **argv)
{
    return ag_test_main_(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
