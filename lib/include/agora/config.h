/*
 * Configuration from the environment (AGORA_*) and an optional .env file: one const table per
 * service, parsed once at start into the service's config struct. A bad value exits 2.
 */
#ifndef AGORA_CONFIG_H
#define AGORA_CONFIG_H

#include <stddef.h>

enum ag_config_type {
    AG_CONFIG_INT,  /* long long at 'offset', bounded by min..max */
    AG_CONFIG_BOOL, /* int at 'offset': 1/0, true/false, yes/no, on/off */
    AG_CONFIG_STR, /* char * at 'offset' (malloc'd, release with ag_config_release); max = length */
};

struct ag_config_var {
    const char *name; /* full variable name, e.g. "AGORA_MEMBER_PORT" */
    enum ag_config_type type;
    size_t offset;    /* where in the config struct the value goes */
    long long min;    /* INT: smallest value; STR: shortest length */
    long long max;    /* INT: largest value; STR: longest length */
    const char *def;  /* default as text; NULL = required */
    const char *help; /* one line for --help and the README */
    int secret;       /* never print the value */
};

/*
 * Loads every variable of 'vars' into 'out': environment first, then the .env file named by
 * AGORA_ENV_FILE (default ".env" in the working directory, when it exists), then the default.
 * Returns 0, or AG_EINVAL with a message like
 * "config: AGORA_MEMBER_PORT: '70000' is outside 1..65535" written into 'err'.
 */
int ag_config_load(const struct ag_config_var *vars, size_t n, void *out, char *err, size_t errlen);

/* ag_config_load, or print the error and exit(2). */
void ag_config_load_or_exit(const struct ag_config_var *vars, size_t n, void *out);

/* Frees the strings ag_config_load put into 'out'. */
void ag_config_release(const struct ag_config_var *vars, size_t n, void *out);

/* Prints the table as Markdown rows (| name | default | help |) for the README. */
void ag_config_print_markdown(const struct ag_config_var *vars, size_t n);

#endif
