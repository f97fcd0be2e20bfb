/*
 * Unit tests of agora/log.h: level names, the logfmt line (captured by pointing stderr at a
 * temporary file), escaping, and that a call below the level does not evaluate its arguments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agora/err.h"
#include "agora/log.h"

#include "ag_test.h"

/* Where stderr goes while captured. */
static int capture_fd = -1;
static int saved_stderr = -1;

static void
capture_begin(void)
{
    char path[] = "/tmp/agora-test-log-XXXXXX";

    fflush(stderr);
    capture_fd = mkstemp(path);
    if (capture_fd < 0) {
        perror("mkstemp");
        abort();
    }
    unlink(path);
    saved_stderr = dup(STDERR_FILENO);
    dup2(capture_fd, STDERR_FILENO);
}

/* Restores stderr and returns what was written meanwhile (NUL-terminated, static). */
static const char *
capture_end(void)
{
    static char buf[8192];

    fflush(stderr);
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    ssize_t n = pread(capture_fd, buf, sizeof(buf) - 1, 0);
    close(capture_fd);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

static int side_effects;

static int
side_effect(void)
{
    side_effects++;
    return 7;
}

TEST(level_parse)
{
    enum ag_log_level l = AG_LOG_ERROR;

    CHECK_EQ_INT(ag_log_level_parse("debug", &l), 0);
    CHECK_EQ_INT(l, AG_LOG_DEBUG);
    CHECK_EQ_INT(ag_log_level_parse("info", &l), 0);
    CHECK_EQ_INT(l, AG_LOG_INFO);
    CHECK_EQ_INT(ag_log_level_parse("WARN", &l), 0);
    CHECK_EQ_INT(l, AG_LOG_WARN);
    CHECK_EQ_INT(ag_log_level_parse("Error", &l), 0);
    CHECK_EQ_INT(l, AG_LOG_ERROR);

    l = AG_LOG_WARN;
    CHECK_EQ_INT(ag_log_level_parse("", &l), AG_EINVAL);
    CHECK_EQ_INT(ag_log_level_parse("verbose", &l), AG_EINVAL);
    CHECK_EQ_INT(ag_log_level_parse("warning", &l), AG_EINVAL);
    CHECK_EQ_INT(ag_log_level_parse("info ", &l), AG_EINVAL);
    CHECK_EQ_INT(l, AG_LOG_WARN); /* untouched on error */
}

TEST(line_format)
{
    ag_log_init("member", AG_LOG_INFO);
    capture_begin();
    ag_log(AG_LOG_WARN, "req-42", "cannot reach '%s' after %d tries", "db", 3);
    const char *out = capture_end();

    /* ts=YYYY-MM-DDTHH:MM:SS.mmmZ first. */
    CHECK(strncmp(out, "ts=", 3) == 0);
    CHECK(strlen(out) > 27);
    CHECK(out[7] == '-' && out[10] == '-' && out[13] == 'T' && out[16] == ':' && out[19] == ':' &&
          out[22] == '.' && out[26] == 'Z' && out[27] == ' ');
    CHECK_EQ_STR(out + 28, "level=warn svc=member req=req-42 "
                           "msg=\"cannot reach 'db' after 3 tries\"\n");
}

TEST(no_request_id)
{
    ag_log_init("auth", AG_LOG_DEBUG);
    capture_begin();
    ag_log(AG_LOG_DEBUG, NULL, "plain");
    ag_log(AG_LOG_ERROR, NULL, "second");
    const char *out = capture_end();

    const char *nl = strchr(out, '\n');
    CHECK_NOT_NULL(nl);
    CHECK(strstr(out, " level=debug svc=auth msg=\"plain\"\n") != NULL);
    CHECK(strstr(nl + 1, " level=error svc=auth msg=\"second\"\n") != NULL);
    CHECK(strstr(out, "req=") == NULL);
    ag_log_init("agora", AG_LOG_INFO);
}

TEST(escaping)
{
    ag_log_init("member", AG_LOG_INFO);
    capture_begin();
    ag_log(AG_LOG_INFO, "r1", "say \"hi\"\nback\\slash\tend\r%s", "\x7f.");
    const char *out = capture_end();

    /* One line only: the newline, CR, tab and DEL in the message do not break it. */
    size_t len = strlen(out);
    CHECK(len > 0);
    CHECK(strchr(out, '\n') == out + len - 1);
    CHECK(strchr(out, '\r') == NULL);
    CHECK(strchr(out, '\t') == NULL);
    CHECK(strchr(out, '\x7f') == NULL);
    CHECK(strstr(out, " msg=\"say \\\"hi\\\" back\\\\slash end  .\"\n") != NULL);
}

TEST(below_level_not_evaluated)
{
    ag_log_init("member", AG_LOG_WARN);
    side_effects = 0;
    capture_begin();
    ag_log(AG_LOG_INFO, "r1", "value %d", side_effect());
    ag_log(AG_LOG_DEBUG, "r1", "value %d", side_effect());
    const char *out = capture_end();
    CHECK_EQ_INT(side_effects, 0);
    CHECK_EQ_STR(out, "");

    capture_begin();
    ag_log(AG_LOG_WARN, "r1", "value %d", side_effect());
    out = capture_end();
    CHECK_EQ_INT(side_effects, 1);
    CHECK(strstr(out, "msg=\"value 7\"") != NULL);
    ag_log_init("agora", AG_LOG_INFO);
}

TEST(raw)
{
    ag_log_init("order", AG_LOG_INFO);
    capture_begin();
    ag_log_raw(AG_LOG_DEBUG, "r9", "hidden=1");
    ag_log_raw(AG_LOG_INFO, "r9", "method=GET path=/api/cart status=200");
    const char *out = capture_end();

    CHECK(strstr(out, "hidden") == NULL);
    CHECK(strncmp(out, "ts=", 3) == 0);
    CHECK(strstr(out, " level=info svc=order req=r9 method=GET path=/api/cart status=200\n") !=
          NULL);
    ag_log_init("agora", AG_LOG_INFO);
}

TEST(long_message)
{
    static char big[5000];

    memset(big, 'x', sizeof(big) - 1);
    ag_log_init("a-service-name-much-longer-than-the-thirty-one-bytes-kept", AG_LOG_INFO);
    capture_begin();
    ag_log(AG_LOG_INFO, "r", "%s", big);
    const char *out = capture_end();

    size_t len = strlen(out);
    CHECK(len > 1000);
    CHECK(len <= 2048);
    CHECK(out[len - 1] == '\n');
    CHECK(strchr(out, '\n') == out + len - 1);
    CHECK(strstr(out, " svc=a-service-name-much-longer-than ") != NULL);
    ag_log_init("agora", AG_LOG_INFO);
}

AG_TEST_LIST(TEST_ENTRY(level_parse), TEST_ENTRY(line_format), TEST_ENTRY(no_request_id),
             TEST_ENTRY(escaping), TEST_ENTRY(below_level_not_evaluated), TEST_ENTRY(raw),
             TEST_ENTRY(long_message))
