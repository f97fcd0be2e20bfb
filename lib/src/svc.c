/*
 * The shared main() of every service (agora/svc.h).
 */
#include "agora/svc.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "agora/log.h"
#include "agora/openapi.h"

static int
check_openapi(const struct ag_svc_main *m)
{
    json_t *spec;
    char err[256];

    if (ag_openapi_from_yaml(m->openapi_yaml, &spec, err, sizeof(err)) < 0) {
        fprintf(stderr, "openapi.yaml: %s\n", err);
        return 1;
    }
    int diff = ag_openapi_check_routes(spec, m->routes, m->nroutes);
    json_decref(spec);
    if (diff == 0) {
        printf("openapi.yaml and the route table agree (%zu routes)\n", m->nroutes);
    }
    return diff == 0 ? 0 : 1;
}

int
ag_svc_main(int argc, char **argv, const struct ag_svc_main *m)
{
    enum ag_log_level level;

    if (argc > 1 && strcmp(argv[1], "--check-openapi") == 0) {
        return check_openapi(m);
    }
    if (argc > 1 && strcmp(argv[1], "--config-help") == 0) {
        ag_config_print_markdown(m->vars, m->nvars);
        return 0;
    }
    int command = argc > 1 && argv[1][0] != '-' && m->command != NULL;
    if (argc > 1 && !command) {
        fprintf(stderr, "usage: %s [--check-openapi | --config-help%s%s]\n", m->name,
                m->command_usage != NULL ? " | " : "",
                m->command_usage != NULL ? m->command_usage : "");
        return 2;
    }
    memset(m->cfg, 0, m->cfg_size);
    ag_config_load_or_exit(m->vars, m->nvars, m->cfg);
    const char *lv = *(char *const *)((const char *)m->cfg + m->log_level_field);
    if (ag_log_level_parse(lv, &level) < 0) {
        fprintf(stderr, "config: AGORA_LOG_LEVEL: '%s' is not debug, info, warn or error\n", lv);
        ag_config_release(m->vars, m->nvars, m->cfg);
        return 2;
    }
    ag_log_init(m->name, level);
    int rc;
    if (command) {
        rc = m->command(argc - 1, argv + 1, m->cfg);
    } else {
        rc = m->serve(m->cfg) < 0 ? 1 : 0;
    }
    ag_config_release(m->vars, m->nvars, m->cfg);
    return rc;
}
