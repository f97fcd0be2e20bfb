/*
 * Configuration from the environment and an optional .env file, driven by each service's const
 * table. The only file that calls getenv.
 */
#include "agora/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "agora/err.h"
#include "agora/mem.h"

/* Longest .env line, without its newline. */
#define CONFIG_LINE_MAX 4096

/* Index of 'name' (length 'len') in 'vars', or -1. */
static long
var_find(const struct ag_config_var *vars, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        if (strncmp(vars[i].name, name, len) == 0 && vars[i].name[len] == '\0') {
            return (long)i;
        }
    }
    return -1;
}

static int
is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int
is_name_char(char c, int first)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
           (!first && c >= '0' && c <= '9');
}

/*
 * Parses one .env line (NUL-terminated, no newline) in place. Returns 0 with '*name' NULL for
 * blank and comment lines, 0 with '*name' and '*value' set for NAME=value, or AG_EINVAL.
 */
static int
env_line_parse(char *line, char **name, size_t *name_len, char **value)
{
    char *p = line;

    *name = NULL;
    while (is_blank(*p)) {
        p++;
    }
    if (*p == '\0' || *p == '#') {
        return 0;
    }
    if (strncmp(p, "export", 6) == 0 && is_blank(p[6])) {
        p += 6;
        while (is_blank(*p)) {
            p++;
        }
    }
    char *n = p;
    if (!is_name_char(*p, 1)) {
        return AG_EINVAL;
    }
    while (is_name_char(*p, 0)) {
        p++;
    }
    size_t nlen = (size_t)(p - n);
    while (is_blank(*p)) {
        p++;
    }
    if (*p != '=') {
        return AG_EINVAL;
    }
    p++;
    while (is_blank(*p)) {
        p++;
    }
    char *v = p;
    if (*v == '"' || *v == '\'') {
        /* Quoted: taken verbatim up to the same quote; only a comment may follow. */
        char *close = strchr(v + 1, *v);
        if (close == NULL) {
            return AG_EINVAL;
        }
        char *rest = close + 1;
        while (is_blank(*rest)) {
            rest++;
        }
        if (*rest != '\0' && *rest != '#') {
            return AG_EINVAL;
        }
        *close = '\0';
        v++;
    } else {
        /* Unquoted: a '#' after white space starts a comment (as docker compose reads .env). */
        char *end = v;
        while (*end != '\0' && !(*end == '#' && end > v && is_blank(end[-1]))) {
            end++;
        }
        while (end > v && is_blank(end[-1])) {
            end--;
        }
        *end = '\0';
    }
    *name = n;
    *name_len = nlen;
    *value = v;
    return 0;
}

/*
 * Reads one line of 'f' into 'buf' (CONFIG_LINE_MAX + 1 bytes) without its newline or a
 * trailing CR. Returns 1 for a line, 0 at end of file, AG_ETOOLARGE for a line over the limit,
 * AG_EINVAL for a NUL byte.
 */
static int
env_line_read(FILE *f, char *buf)
{
    size_t len = 0;
    int c;

    while ((c = getc(f)) != EOF && c != '\n') {
        if (c == '\0') {
            return AG_EINVAL;
        }
        if (len == CONFIG_LINE_MAX) {
            return AG_ETOOLARGE;
        }
        buf[len++] = (char)c;
    }
    if (c == EOF && len == 0) {
        return 0;
    }
    if (len > 0 && buf[len - 1] == '\r') {
        len--;
    }
    buf[len] = '\0';
    return 1;
}

/*
 * Reads the .env file into 'vals' (one slot per var, heap strings, NULL when not in the file);
 * names not in 'vars' are skipped, since one file serves several services. A missing default
 * ".env" is not an error; a missing AGORA_ENV_FILE is.
 */
static int
env_file_load(const struct ag_config_var *vars, size_t n, char **vals, char *err, size_t errlen)
{
    const char *path = getenv("AGORA_ENV_FILE");
    int explicit_path = path != NULL && path[0] != '\0';
    char *line = NULL;
    FILE *f = NULL;
    int rc = 0;

    if (!explicit_path) {
        path = ".env";
        if (access(path, F_OK) != 0) {
            return 0;
        }
    }
    f = fopen(path, "r");
    if (f == NULL) {
        ag_err_printf(err, errlen, "config: cannot open '%s': %s", path, strerror(errno));
        rc = AG_EINVAL;
        goto out;
    }
    line = ag_xmalloc(CONFIG_LINE_MAX + 1);
    for (unsigned long lineno = 1;; lineno++) {
        char *name;
        size_t name_len;
        char *value;

        int r = env_line_read(f, line);
        if (r == 0) {
            break;
        }
        if (r == AG_ETOOLARGE) {
            ag_err_printf(err, errlen, "config: '%s' line %lu: longer than %d bytes", path, lineno,
                          CONFIG_LINE_MAX);
            rc = AG_EINVAL;
            goto out;
        }
        if (r < 0 || env_line_parse(line, &name, &name_len, &value) < 0) {
            ag_err_printf(err, errlen, "config: '%s' line %lu: expected NAME=value", path, lineno);
            rc = AG_EINVAL;
            goto out;
        }
        if (name == NULL) {
            continue;
        }
        long i = var_find(vars, n, name, name_len);
        if (i >= 0) {
            ag_free(vals[i]); /* a later line wins, as in a shell */
            vals[i] = ag_xstrdup(value);
        }
    }
    if (ferror(f)) {
        ag_err_printf(err, errlen, "config: cannot read '%s'", path);
        rc = AG_EINVAL;
    }
out:
    ag_free(line);
    if (f != NULL) {
        fclose(f);
    }
    return rc;
}

static int
parse_int(const struct ag_config_var *var, const char *s, const char *shown, long long *out,
          char *err, size_t errlen)
{
    const char *p = s + (*s == '-' || *s == '+');
    char *end;

    /* Decimal only: no white space, no 0x, no trailing junk. */
    if (*p < '0' || *p > '9') {
        goto not_int;
    }
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end != '\0') {
        goto not_int;
    }
    if (errno == ERANGE || v < var->min || v > var->max) {
        ag_err_printf(err, errlen, "config: %s: %s is outside %lld..%lld", var->name, shown,
                      var->min, var->max);
        return AG_EINVAL;
    }
    *out = v;
    return 0;
not_int:
    ag_err_printf(err, errlen, "config: %s: %s is not an integer", var->name, shown);
    return AG_EINVAL;
}

static int
parse_bool(const struct ag_config_var *var, const char *s, const char *shown, int *out, char *err,
           size_t errlen)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off"};

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    ag_err_printf(err, errlen, "config: %s: %s is not a boolean (true/false, yes/no, on/off, 1/0)",
                  var->name, shown);
    return AG_EINVAL;
}

/* Stores the text 's' of 'var' into 'out' at the var's offset. */
static int
var_set(const struct ag_config_var *var, const char *s, void *out, char *err, size_t errlen)
{
    char *field = (char *)out + var->offset;
    char shown[80];

    /* Values are quoted in messages, cut short; a secret's never appears. */
    if (var->secret) {
        snprintf(shown, sizeof(shown), "(hidden)");
    } else {
        snprintf(shown, sizeof(shown), "'%.64s'", s);
    }
    switch (var->type) {
    case AG_CONFIG_INT: {
        long long v;
        int rc = parse_int(var, s, shown, &v, err, errlen);
        if (rc == 0) {
            memcpy(field, &v, sizeof(v));
        }
        return rc;
    }
    case AG_CONFIG_BOOL: {
        int v;
        int rc = parse_bool(var, s, shown, &v, err, errlen);
        if (rc == 0) {
            memcpy(field, &v, sizeof(v));
        }
        return rc;
    }
    case AG_CONFIG_STR: {
        size_t len = strlen(s);
        if ((long long)len < var->min || (long long)len > var->max) {
            ag_err_printf(err, errlen, "config: %s: must be %lld..%lld characters", var->name,
                          var->min, var->max);
            return AG_EINVAL;
        }
        char *v = ag_xstrdup(s);
        memcpy(field, &v, sizeof(v));
        return 0;
    }
    }
    ag_err_printf(err, errlen, "config: %s: unknown type %d", var->name, (int)var->type);
    return AG_EINVAL;
}

int
ag_config_load(const struct ag_config_var *vars, size_t n, void *out, char *err, size_t errlen)
{
    char **file_vals = ag_xcalloc(n, sizeof(*file_vals));
    int rc;

    ag_err_printf(err, errlen, "%s", "");
    /* Every string slot starts NULL, so a failure can release whatever was stored. */
    for (size_t i = 0; i < n; i++) {
        if (vars[i].type == AG_CONFIG_STR) {
            char *none = NULL;
            memcpy((char *)out + vars[i].offset, &none, sizeof(none));
        }
    }
    rc = env_file_load(vars, n, file_vals, err, errlen);
    if (rc < 0) {
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = getenv(vars[i].name);
        if (s == NULL) {
            s = file_vals[i];
        }
        if (s == NULL) {
            s = vars[i].def;
        }
        if (s == NULL) {
            ag_err_printf(err, errlen, "config: %s is required (%s)", vars[i].name,
                          vars[i].help != NULL ? vars[i].help : "no help");
            rc = AG_EINVAL;
            goto out;
        }
        rc = var_set(&vars[i], s, out, err, errlen);
        if (rc < 0) {
            goto out;
        }
    }
out:
    for (size_t i = 0; i < n; i++) {
        if (file_vals[i] != NULL) {
            explicit_bzero(file_vals[i], strlen(file_vals[i])); /* may be a secret */
        }
        ag_free(file_vals[i]);
    }
    ag_free(file_vals);
    if (rc < 0) {
        ag_config_release(vars, n, out);
    }
    return rc;
}

void
ag_config_load_or_exit(const struct ag_config_var *vars, size_t n, void *out)
{
    char err[512];

    if (ag_config_load(vars, n, out, err, sizeof(err)) < 0) {
        fprintf(stderr, "%s\n", err);
        exit(2);
    }
}

void
ag_config_release(const struct ag_config_var *vars, size_t n, void *out)
{
    if (vars == NULL || out == NULL) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (vars[i].type != AG_CONFIG_STR) {
            continue;
        }
        char *field = (char *)out + vars[i].offset;
        char *s;
        memcpy(&s, field, sizeof(s));
        if (s != NULL && vars[i].secret) {
            explicit_bzero(s, strlen(s));
        }
        ag_free(s);
        s = NULL;
        memcpy(field, &s, sizeof(s));
    }
}

/* Writes 's' for a Markdown table cell: '|' would end the cell. */
static void
md_cell(const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s == '|') {
            fputc('\\', stdout);
        }
        fputc(*s, stdout);
    }
}

void
ag_config_print_markdown(const struct ag_config_var *vars, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        printf("| `%s` | ", vars[i].name);
        if (vars[i].def == NULL) {
            fputs("(required)", stdout);
        } else if (vars[i].def[0] == '\0') {
            fputs("(empty)", stdout);
        } else {
            fputc('`', stdout);
            md_cell(vars[i].def);
            fputc('`', stdout);
        }
        fputs(" | ", stdout);
        md_cell(vars[i].help != NULL ? vars[i].help : "");
        fputs(" |\n", stdout);
    }
}
