/*
 * Unit tests of agora/config.h: precedence (environment, .env file, default), the .env syntax,
 * every error message, bool spellings, secrets kept out of messages, and the Markdown table.
 * The tests run in a fresh temporary directory, so that no stray ./.env is read.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agora/config.h"
#include "agora/err.h"
#include "agora/mem.h"

#include "ag_test.h"

struct cfg {
    long long port;
    int debug;
    char *name;
    char *token;
    long long pin;
};

static const struct ag_config_var vars[] = {
    {"AGORA_T_PORT", AG_CONFIG_INT, offsetof(struct cfg, port), 1, 65535, "5000", "listen port", 0},
    {"AGORA_T_DEBUG", AG_CONFIG_BOOL, offsetof(struct cfg, debug), 0, 0, "false", "debug mode", 0},
    {"AGORA_T_NAME", AG_CONFIG_STR, offsetof(struct cfg, name), 1, 255, "agora", "display name", 0},
    {"AGORA_T_TOKEN", AG_CONFIG_STR, offsetof(struct cfg, token), 8, 64, NULL,
     "API token for the provider", 1},
    {"AGORA_T_PIN", AG_CONFIG_INT, offsetof(struct cfg, pin), -10, 9999, "0", "a secret number", 1},
};
#define NVARS (sizeof(vars) / sizeof(vars[0]))

static char tmpdir[64];
static pid_t setup_pid;
static char envpath[128];

/* Unsets every variable of the table and AGORA_ENV_FILE; sets the required token. */
static void
env_reset(void)
{
    for (size_t i = 0; i < NVARS; i++) {
        unsetenv(vars[i].name);
    }
    unsetenv("AGORA_ENV_FILE");
    unlink(".env");
    setenv("AGORA_T_TOKEN", "tok-123456", 1);
}

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        abort();
    }
    fputs(text, f);
    fclose(f);
}

/* Writes 'text' as the .env file named by AGORA_ENV_FILE. */
static void
env_file(const char *text)
{
    write_file(envpath, text);
    setenv("AGORA_ENV_FILE", envpath, 1);
}

/* Loads into a zeroed struct; 'err' gets the message. */
static int
load(struct cfg *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof(*c));
    return ag_config_load(vars, NVARS, c, err, errlen);
}

/* Expects the load to fail with exactly 'want'; the strings are left NULL. */
#define CHECK_LOAD_FAILS(want)                                                                     \
    do {                                                                                           \
        struct cfg c_;                                                                             \
        char e_[512];                                                                              \
        CHECK_EQ_INT(load(&c_, e_, sizeof(e_)), AG_EINVAL);                                        \
        CHECK_EQ_STR(e_, (want));                                                                  \
        CHECK_NULL(c_.name);                                                                       \
        CHECK_NULL(c_.token);                                                                      \
    } while (0)

TEST(defaults)
{
    struct cfg c;
    char err[256];

    env_reset();
    CHECK_EQ_INT(load(&c, err, sizeof(err)), 0);
    CHECK_EQ_STR(err, "");
    CHECK_EQ_INT(c.port, 5000);
    CHECK_EQ_INT(c.debug, 0);
    CHECK_EQ_STR(c.name, "agora");
    CHECK_EQ_STR(c.token, "tok-123456");
    CHECK_EQ_INT(c.pin, 0);
    ag_config_release(vars, NVARS, &c);
    CHECK_NULL(c.name);
    CHECK_NULL(c.token);
    ag_config_release(vars, NVARS, &c); /* twice is harmless */
    ag_config_release(vars, NVARS, NULL);
}

TEST(precedence)
{
    struct cfg c;
    char err[256];

    env_reset();
    env_file("AGORA_T_PORT=6000\nAGORA_T_NAME=from-file\n");
    setenv("AGORA_T_PORT", "7000", 1);
    CHECK_EQ_INT(load(&c, err, sizeof(err)), 0);
    CHECK_EQ_INT(c.port, 7000);          /* environment beats .env */
    CHECK_EQ_STR(c.name, "from-file");   /* .env beats the default */
    CHECK_EQ_STR(c.token, "tok-123456"); /* environment only */
    CHECK_EQ_INT(c.debug, 0);            /* default */
    ag_config_release(vars, NVARS, &c);

    /* Without AGORA_ENV_FILE, ./.env is read when present. */
    unsetenv("AGORA_ENV_FILE");
    unsetenv("AGORA_T_PORT");
    write_file(".env", "AGORA_T_PORT=6100\n");
    CHECK_EQ_INT(load(&c, err, sizeof(err)), 0);
    CHECK_EQ_INT(c.port, 6100);
    ag_config_release(vars, NVARS, &c);

    /* AGORA_ENV_FILE wins over ./.env. */
    env_file("AGORA_T_PORT=6200\n");
    CHECK_EQ_INT(load(&c, err, sizeof(err)), 0);
    CHECK_EQ_INT(c.port, 6200);
    ag_config_release(vars, NVARS, &c);

    /* An empty value in the environment is set, not absent. */
    setenv("AGORA_T_NAME", "", 1);
    CHECK_LOAD_FAILS("config: AGORA_T_NAME: must be 1..255 characters");
    env_reset();
}

TEST(env_file_syntax)
{
    struct cfg c;
    char err[256];

    env_reset();
    unsetenv("AGORA_T_TOKEN");
    env_file("# a comment\n"
             "\n"
             "   \t\n"
             "  # indented comment\n"
             "OTHER_SERVICE_VAR=ignored entirely, even if it is 'odd\n"
             "export AGORA_T_PORT=6001\r\n"
             "AGORA_T_DEBUG = yes # inline comment\n"
             "AGORA_T_NAME=\"quoted # not a comment\"  # a comment\n"
             "AGORA_T_TOKEN='single quoted \"token\"'\n"
             "AGORA_T_PIN=-7");
    CHECK_EQ_INT(load(&c, err, sizeof(err)), 0);
    CHECK_EQ_STR(err, "");
    CHECK_EQ_INT(c.port, 6001);
    CHECK_EQ_INT(c.debug, 1);
    CHECK_EQ_STR(c.name, "quoted # not a comment");
    CHECK_EQ_STR(c.token, "single quoted \"token\"");
    CHECK_EQ_INT(c.pin, -7);
    ag_config_release(vars, NVARS, &c);

    /* A later line wins; unquoted values keep inner '#' and '='. */
    env_file("AGORA_T_NAME=first\nAGORA_T_NAME=a=b#c\nAGORA_T_TOKEN=abcdefgh\n");
    CHECK_EQ_INT(load(&c, err, sizeof(err)), 0);
    CHECK_EQ_STR(c.name, "a=b#c");
    CHECK_EQ_STR(c.token, "abcdefgh");
    ag_config_release(vars, NVARS, &c);

    /* A line of exactly 4096 bytes is fine. */
    char *line = ag_xmalloc(4096 + 2);
    memset(line, 'x', 4096);
    memcpy(line, "AGORA_T_X=", 10);
    line[4096] = '\n';
    line[4097] = '\0';
    env_file(line);
    setenv("AGORA_T_TOKEN", "abcdefgh", 1);
    CHECK_EQ_INT(load(&c, err, sizeof(err)), 0);
    ag_config_release(vars, NVARS, &c);

    /* One more byte is not. */
    line = ag_xrealloc(line, 4096 + 3);
    memset(line, 'x', 4097);
    memcpy(line, "AGORA_T_X=", 10);
    line[4097] = '\n';
    line[4098] = '\0';
    char *text = ag_xmalloc(4096 + 64);
    snprintf(text, 4096 + 64, "# first\n%s", line);
    env_file(text);
    ag_free(text);
    ag_free(line);
    char want[256];
    snprintf(want, sizeof(want), "config: '%s' line 2: longer than 4096 bytes", envpath);
    CHECK_LOAD_FAILS(want);
    env_reset();
}

TEST(env_file_errors)
{
    char want[256];
    static const char *const bad[] = {
        "AGORA_T_PORT\n",
        "AGORA_T_PORT 5000\n",
        "=5000\n",
        "1AGORA=5\n",
        "AGORA-T=5\n",
        "AGORA_T_NAME=\"unterminated\n",
        "AGORA_T_NAME='mixed\"\n",
        "AGORA_T_NAME=\"a\" b\n",
        "export\n",
    };

    env_reset();
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char text[128];
        snprintf(text, sizeof(text), "# ok\n\nAGORA_T_PORT=1\n%s", bad[i]);
        env_file(text);
        snprintf(want, sizeof(want), "config: '%s' line 4: expected NAME=value", envpath);
        CHECK_LOAD_FAILS(want);
    }

    /* A NUL byte is malformed too. */
    FILE *f = fopen(envpath, "w");
    CHECK_NOT_NULL(f);
    fwrite("A=1\nB=\0\n", 1, 8, f);
    fclose(f);
    snprintf(want, sizeof(want), "config: '%s' line 2: expected NAME=value", envpath);
    CHECK_LOAD_FAILS(want);

    /* A named file that does not exist is an error; a missing ./.env is not. */
    setenv("AGORA_ENV_FILE", "/nonexistent/agora.env", 1);
    CHECK_LOAD_FAILS("config: cannot open '/nonexistent/agora.env': No such file or directory");
    env_reset();
}

TEST(int_values)
{
    struct cfg c;
    char err[256];

    env_reset();
    setenv("AGORA_T_PORT", "70000", 1);
    CHECK_LOAD_FAILS("config: AGORA_T_PORT: '70000' is outside 1..65535");
    setenv("AGORA_T_PORT", "0", 1);
    CHECK_LOAD_FAILS("config: AGORA_T_PORT: '0' is outside 1..65535");
    setenv("AGORA_T_PORT", "-1", 1);
    CHECK_LOAD_FAILS("config: AGORA_T_PORT: '-1' is outside 1..65535");
    setenv("AGORA_T_PORT", "99999999999999999999999", 1);
    CHECK_LOAD_FAILS("config: AGORA_T_PORT: '99999999999999999999999' is outside 1..65535");
    setenv("AGORA_T_PORT", "abc", 1);
    CHECK_LOAD_FAILS("config: AGORA_T_PORT: 'abc' is not an integer");
    setenv("AGORA_T_PORT", "", 1);
    CHECK_LOAD_FAILS("config: AGORA_T_PORT: '' is not an integer");
    setenv("AGORA_T_PORT", "0x10", 1);
    CHECK_LOAD_FAILS("config: AGORA_T_PORT: '0x10' is not an integer");
    setenv("AGORA_T_PORT", " 80", 1);
    CHECK_LOAD_FAILS("config: AGORA_T_PORT: ' 80' is not an integer");
    setenv("AGORA_T_PORT", "80 ", 1);
    CHECK_LOAD_FAILS("config: AGORA_T_PORT: '80 ' is not an integer");
    setenv("AGORA_T_PORT", "8.0", 1);
    CHECK_LOAD_FAILS("config: AGORA_T_PORT: '8.0' is not an integer");
    setenv("AGORA_T_PORT", "-", 1);
    CHECK_LOAD_FAILS("config: AGORA_T_PORT: '-' is not an integer");

    setenv("AGORA_T_PORT", "65535", 1);
    CHECK_EQ_INT(load(&c, err, sizeof(err)), 0);
    CHECK_EQ_INT(c.port, 65535);
    ag_config_release(vars, NVARS, &c);
    setenv("AGORA_T_PORT", "1", 1);
    CHECK_EQ_INT(load(&c, err, sizeof(err)), 0);
    CHECK_EQ_INT(c.port, 1);
    ag_config_release(vars, NVARS, &c);
    setenv("AGORA_T_PORT", "+0080", 1);
    CHECK_EQ_INT(load(&c, err, sizeof(err)), 0);
    CHECK_EQ_INT(c.port, 80);
    ag_config_release(vars, NVARS, &c);

    /* A long bad value is cut in the message. */
    char big[300];
    memset(big, '7', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    big[0] = 'z';
    setenv("AGORA_T_PORT", big, 1);
    CHECK_EQ_INT(load(&c, err, sizeof(err)), AG_EINVAL);
    CHECK(strlen(err) < 120);
    env_reset();
}

TEST(bool_values)
{
    static const char *const yes[] = {"1", "true", "TRUE", "True", "yes", "YES", "on", "On"};
    static const char *const no[] = {"0", "false", "FALSE", "no", "No", "off", "OFF"};
    struct cfg c;
    char err[256];

    env_reset();
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        setenv("AGORA_T_DEBUG", yes[i], 1);
        CHECK_EQ_INT(load(&c, err, sizeof(err)), 0);
        CHECK_EQ_INT(c.debug, 1);
        ag_config_release(vars, NVARS, &c);
    }
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        setenv("AGORA_T_DEBUG", no[i], 1);
        c.debug = 7;
        CHECK_EQ_INT(ag_config_load(vars, NVARS, &c, err, sizeof(err)), 0);
        CHECK_EQ_INT(c.debug, 0);
        ag_config_release(vars, NVARS, &c);
    }
    setenv("AGORA_T_DEBUG", "maybe", 1);
    CHECK_LOAD_FAILS("config: AGORA_T_DEBUG: 'maybe' is not a boolean "
                     "(true/false, yes/no, on/off, 1/0)");
    setenv("AGORA_T_DEBUG", "", 1);
    CHECK_LOAD_FAILS("config: AGORA_T_DEBUG: '' is not a boolean "
                     "(true/false, yes/no, on/off, 1/0)");
    setenv("AGORA_T_DEBUG", "2", 1);
    CHECK_LOAD_FAILS("config: AGORA_T_DEBUG: '2' is not a boolean "
                     "(true/false, yes/no, on/off, 1/0)");
    env_reset();
}

TEST(str_values)
{
    struct cfg c;
    char err[256];
    char s[300];

    env_reset();
    memset(s, 'n', 255);
    s[255] = '\0';
    setenv("AGORA_T_NAME", s, 1);
    CHECK_EQ_INT(load(&c, err, sizeof(err)), 0);
    CHECK_EQ_INT(strlen(c.name), 255);
    ag_config_release(vars, NVARS, &c);

    s[255] = 'n';
    s[256] = '\0';
    setenv("AGORA_T_NAME", s, 1);
    CHECK_LOAD_FAILS("config: AGORA_T_NAME: must be 1..255 characters");
    env_reset();
}

TEST(required)
{
    env_reset();
    unsetenv("AGORA_T_TOKEN");
    CHECK_LOAD_FAILS("config: AGORA_T_TOKEN is required (API token for the provider)");

    /* Set in .env is enough. */
    struct cfg c;
    char err[256];
    env_file("AGORA_T_TOKEN=from-file-1\n");
    CHECK_EQ_INT(load(&c, err, sizeof(err)), 0);
    CHECK_EQ_STR(c.token, "from-file-1");
    ag_config_release(vars, NVARS, &c);
    env_reset();
}

TEST(secrets_hidden)
{
    char err[256];
    struct cfg c;

    env_reset();
    setenv("AGORA_T_TOKEN", "short", 1);
    CHECK_LOAD_FAILS("config: AGORA_T_TOKEN: must be 8..64 characters");
    setenv("AGORA_T_TOKEN", "tok-123456", 1);
    setenv("AGORA_T_PIN", "12345", 1);
    CHECK_LOAD_FAILS("config: AGORA_T_PIN: (hidden) is outside -10..9999");
    setenv("AGORA_T_PIN", "s3cr3t", 1);
    CHECK_EQ_INT(load(&c, err, sizeof(err)), AG_EINVAL);
    CHECK_EQ_STR(err, "config: AGORA_T_PIN: (hidden) is not an integer");
    CHECK(strstr(err, "s3cr3t") == NULL);
    env_reset();
}

TEST(small_err_buffer)
{
    struct cfg c;
    char err[8];

    env_reset();
    setenv("AGORA_T_PORT", "abc", 1);
    CHECK_EQ_INT(load(&c, err, sizeof(err)), AG_EINVAL);
    CHECK_EQ_STR(err, "config:");
    CHECK_EQ_INT(load(&c, NULL, 0), AG_EINVAL);
    env_reset();
}

TEST(load_or_exit)
{
    int fds[2];

    env_reset();
    setenv("AGORA_T_PORT", "70000", 1);
    CHECK_EQ_INT(pipe(fds), 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        struct cfg c;
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        ag_config_load_or_exit(vars, NVARS, &c);
        _exit(0);
    }
    close(fds[1]);
    char buf[256];
    ssize_t n = read(fds[0], buf, sizeof(buf) - 1);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK_EQ_INT(WEXITSTATUS(status), 2);
    CHECK(n > 0);
    buf[n] = '\0';
    CHECK_EQ_STR(buf, "config: AGORA_T_PORT: '70000' is outside 1..65535\n");

    /* Success returns normally. */
    struct cfg c;
    setenv("AGORA_T_PORT", "81", 1);
    ag_config_load_or_exit(vars, NVARS, &c);
    CHECK_EQ_INT(c.port, 81);
    ag_config_release(vars, NVARS, &c);
    env_reset();
}

TEST(markdown)
{
    static const struct ag_config_var md_vars[] = {
        {"AGORA_A", AG_CONFIG_INT, 0, 1, 2, "1", "first", 0},
        {"AGORA_B", AG_CONFIG_STR, 0, 0, 9, NULL, "needed | really", 1},
        {"AGORA_C", AG_CONFIG_STR, 0, 0, 9, "", "may be empty", 0},
    };
    char path[128];
    snprintf(path, sizeof(path), "%s/md.out", tmpdir);

    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(saved >= 0 && fd >= 0);
    dup2(fd, STDOUT_FILENO);
    close(fd);
    ag_config_print_markdown(md_vars, 3);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);

    char buf[512];
    FILE *f = fopen(path, "r");
    CHECK_NOT_NULL(f);
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    CHECK_EQ_STR(buf, "| `AGORA_A` | `1` | first |\n"
                      "| `AGORA_B` | (required) | needed \\| really |\n"
                      "| `AGORA_C` | (empty) | may be empty |\n");
}

/* Removes the temporary directory at exit (of this process, not of a forked child). */
static void
cleanup(void)
{
    char path[128];

    if (getpid() != setup_pid) {
        return;
    }
    unlink(envpath);
    unlink(".env");
    snprintf(path, sizeof(path), "%s/md.out", tmpdir);
    unlink(path);
    if (chdir("/") == 0) {
        rmdir(tmpdir);
    }
}

/* Runs before the tests: a fresh working directory (see the top of the file). */
__attribute__((constructor)) static void
setup(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/agora-test-config-XXXXXX");
    if (mkdtemp(tmpdir) == NULL || chdir(tmpdir) != 0) {
        perror("test_config setup");
        exit(1);
    }
    snprintf(envpath, sizeof(envpath), "%s/test.env", tmpdir);
    setup_pid = getpid();
    atexit(cleanup);
}

AG_TEST_LIST(TEST_ENTRY(defaults), TEST_ENTRY(precedence), TEST_ENTRY(env_file_syntax),
             TEST_ENTRY(env_file_errors), TEST_ENTRY(int_values), TEST_ENTRY(bool_values),
             TEST_ENTRY(str_values), TEST_ENTRY(required), TEST_ENTRY(secrets_hidden),
             TEST_ENTRY(small_err_buffer), TEST_ENTRY(load_or_exit), TEST_ENTRY(markdown))
