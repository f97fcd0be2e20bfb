/*
 * Unit tests of agora/err.h: every code has a status, an envelope code of the right family
 * (4xx: AUTH_1xxx, VAL_2xxx, BIZ_3xxx; 5xx: SYS_5xxx), a name and a message; unknown codes
 * map to 500.
 */
#include <limits.h>
#include <string.h>

#include "agora/err.h"

#include "ag_test.h"

/* True when 'code' is PREFIX followed by four digits, the first one 'digit'. */
static int
code_is(const char *code, const char *prefix, char digit)
{
    size_t n = strlen(prefix);

    if (strncmp(code, prefix, n) != 0 || strlen(code) != n + 4 || code[n] != digit) {
        return 0;
    }
    for (size_t i = n; i < n + 4; i++) {
        if (code[i] < '0' || code[i] > '9') {
            return 0;
        }
    }
    return 1;
}

TEST(ok)
{
    CHECK_EQ_INT(ag_err_status(AG_OK), 200);
    CHECK_EQ_STR(ag_err_name(AG_OK), "AG_OK");
}

TEST(every_code)
{
    for (int rc = -1; rc >= AG_ERR_MIN; rc--) {
        int status = ag_err_status(rc);
        const char *code = ag_err_code(rc);
        const char *name = ag_err_name(rc);
        const char *message = ag_err_message(rc);

        CHECK_NOT_NULL(code);
        CHECK_NOT_NULL(name);
        CHECK_NOT_NULL(message);
        CHECK(strncmp(name, "AG_E", 4) == 0);
        CHECK(message[0] != '\0');
        /* Messages follow the style: lowercase start, no full stop. */
        CHECK(message[0] >= 'a' && message[0] <= 'z');
        CHECK(message[strlen(message) - 1] != '.');
        if (status >= 400 && status < 500) {
            if (!code_is(code, "AUTH_", '1') && !code_is(code, "VAL_", '2') &&
                !code_is(code, "BIZ_", '3')) {
                AG_TEST_FAIL_("%s: status %d with code %s", name, status, code);
            }
        } else if (status >= 500 && status < 600) {
            if (!code_is(code, "SYS_", '5')) {
                AG_TEST_FAIL_("%s: status %d with code %s", name, status, code);
            }
        } else {
            AG_TEST_FAIL_("%s: status %d is not an error status", name, status);
        }
        /* Names and codes are unique. */
        for (int other = rc + 1; other < 0; other++) {
            CHECK(strcmp(name, ag_err_name(other)) != 0);
            CHECK(strcmp(code, ag_err_code(other)) != 0);
        }
    }
}

TEST(known_mappings)
{
    CHECK_EQ_INT(ag_err_status(AG_EINVAL), 400);
    CHECK_EQ_STR(ag_err_code(AG_EINVAL), "VAL_2001");
    CHECK_EQ_STR(ag_err_name(AG_EINVAL), "AG_EINVAL");
    CHECK_EQ_INT(ag_err_status(AG_ENOTFOUND), 404);
    CHECK_EQ_INT(ag_err_status(AG_ECONFLICT), 409);
    CHECK_EQ_INT(ag_err_status(AG_EUNAUTH), 401);
    CHECK(strncmp(ag_err_code(AG_EUNAUTH), "AUTH_", 5) == 0);
    CHECK_EQ_INT(ag_err_status(AG_EFORBIDDEN), 403);
    CHECK_EQ_INT(ag_err_status(AG_ETOOLARGE), 413);
    CHECK_EQ_INT(ag_err_status(AG_EMETHOD), 405);
    CHECK_EQ_INT(ag_err_status(AG_ENOROUTE), 404);
    CHECK_EQ_INT(ag_err_status(AG_EMEDIATYPE), 415);
    CHECK_EQ_INT(ag_err_status(AG_EIDEMMISMATCH), 422);
    CHECK_EQ_INT(ag_err_status(AG_EINFLIGHT), 409);
    CHECK_EQ_INT(ag_err_status(AG_ERATELIMIT), 429);
    CHECK_EQ_INT(ag_err_status(AG_EUNAVAIL), 503);
    CHECK_EQ_INT(ag_err_status(AG_ETIMEOUT), 504);
    CHECK_EQ_INT(ag_err_status(AG_EINTERNAL), 500);
    CHECK_EQ_STR(ag_err_code(AG_EINTERNAL), "SYS_5001");
    CHECK_EQ_INT(ag_err_status(AG_ERETRY), 503);
    CHECK_EQ_INT(ag_err_status(AG_EGONE), 410);
}

TEST(unknown_codes)
{
    static const int unknown[] = {AG_ERR_MIN - 1, -100, INT_MIN, 1, 42, INT_MAX};

    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        int rc = unknown[i];
        CHECK_EQ_INT(ag_err_status(rc), 500);
        CHECK_EQ_STR(ag_err_code(rc), "SYS_5001");
        CHECK_NOT_NULL(ag_err_name(rc));
        CHECK_NOT_NULL(ag_err_message(rc));
    }
}

/* The loaders' error buffers: formatted, cut to fit, NULL or empty left alone. */
TEST(err_printf_fills_cuts_and_ignores)
{
    char buf[8];
    memset(buf, 'x', sizeof(buf));
    ag_err_printf(buf, sizeof(buf), "line %d: %s", 12, "unclosed tag");
    CHECK_EQ_STR(buf, "line 12");
    ag_err_printf(buf, sizeof(buf), "%s", "ok");
    CHECK_EQ_STR(buf, "ok");
    ag_err_printf(NULL, 64, "%s", "nowhere");
    ag_err_printf(buf, 0, "%s", "nothing");
    CHECK_EQ_STR(buf, "ok");
}

AG_TEST_LIST(TEST_ENTRY(ok), TEST_ENTRY(every_code), TEST_ENTRY(known_mappings),
             TEST_ENTRY(unknown_codes), TEST_ENTRY(err_printf_fills_cuts_and_ignores))
