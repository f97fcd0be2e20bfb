/*
 * A service's main(): the command line every service shares (--check-openapi,
 * --config-help), its configuration from the environment, the log level, then its serve
 * function (or one of the service's own commands). Each service's main.c holds only its tables and
 * serve().
 */
#ifndef AGORA_SVC_H
#define AGORA_SVC_H

#include <stddef.h>

#include "agora/config.h"
#include "agora/http.h"

struct ag_svc_main {
    const char *name;                 /* "member": usage line and log lines */
    const struct ag_config_var *vars; /* the service's config table */
    size_t nvars;
    void *cfg; /* the struct the table fills; zeroed, loaded, released here */
    size_t cfg_size;
    size_t log_level_field;        /* offsetof the 'char *' that AGORA_LOG_LEVEL fills */
    const struct ag_route *routes; /* the route table, checked against the spec */
    size_t nroutes;
    const char *openapi_yaml;      /* the service's openapi.yaml text */
    int (*serve)(const void *cfg); /* runs the service; 0 or an AG_E* code */
    /* May be NULL. A service's own commands ('catalog seed FILE'): called with the command
     * line from the command's name on, after the configuration loaded; returns the exit code. */
    int (*command)(int argc, char **argv, const void *cfg);
    const char *command_usage; /* e.g. "seed [--reset] FILE", for the usage line */
};

/*
 * Runs the service described by 'm' (borrowed): with --check-openapi checks that the spec
 * and the route table list the same operations (exit 0 or 1), with --config-help prints the
 * README rows of the config table; otherwise loads the configuration (a bad value exits 2
 * with its message), sets up logging and calls m->serve, or m->command when the first
 * argument is not an option and the service has commands. Returns main()'s exit code: 0, 1
 * when serve failed, 2 for a bad command line or configuration.
 */
int ag_svc_main(int argc, char **argv, const struct ag_svc_main *m);

#endif
