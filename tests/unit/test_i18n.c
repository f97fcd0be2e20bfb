/*
 * Message catalogs and the choice of a language (agora/i18n.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ag_test.h"

#include "agora/err.h"
#include "agora/i18n.h"
#include "agora/mem.h"

static const char ko[] = "{\"nav.login\":\"로그인\",\"nav.cart\":\"장바구니\"}";
static const char en[] = "{\"nav.login\":\"Log in\",\"nav.cart\":\"Cart\"}";

static struct ag_i18n *
two_languages(void)
{
    char err[256];
    struct ag_i18n *i = ag_i18n_new("ko");
    if (ag_i18n_add(i, "ko", ko, strlen(ko), err, sizeof(err)) != 0 ||
        ag_i18n_add(i, "en", en, strlen(en), err, sizeof(err)) != 0 ||
        ag_i18n_check(i, err, sizeof(err)) != 0) {
        fprintf(stderr, "setup: %s\n", err);
        abort();
    }
    return i;
}

TEST(texts_and_catalogs)
{
    struct ag_i18n *i = two_languages();
    CHECK_EQ_STR(ag_i18n_text(i, "ko", "nav.login"), "로그인");
    CHECK_EQ_STR(ag_i18n_text(i, "en", "nav.cart"), "Cart");
    CHECK_EQ_STR(ag_i18n_text(i, "fr", "nav.cart"), "장바구니"); /* the default's */
    CHECK_EQ_STR(ag_i18n_text(i, "en", "no.such"), "no.such");
    CHECK_EQ_STR(ag_i18n_text(i, NULL, "nav.login"), "로그인");
    CHECK(ag_i18n_catalog(i, "en") != ag_i18n_catalog(i, "ko"));
    CHECK_EQ_INT(ag_i18n_has(i, "en"), 1);
    CHECK_EQ_INT(ag_i18n_has(i, "EN"), 0);
    CHECK_EQ_INT(ag_i18n_has(i, NULL), 0);
    ag_i18n_free(i);
    ag_i18n_free(NULL);
}

TEST(pick_cookie_then_header_then_default)
{
    struct ag_i18n *i = two_languages();
    CHECK_EQ_STR(ag_i18n_pick(i, NULL, NULL), "ko");
    CHECK_EQ_STR(ag_i18n_pick(i, "en", "ko-KR"), "en"); /* the visitor's own choice wins */
    CHECK_EQ_STR(ag_i18n_pick(i, "fr", "en"), "en");    /* an unknown cookie is ignored */
    CHECK_EQ_STR(ag_i18n_pick(i, NULL, "en-US,en;q=0.9"), "en");
    CHECK_EQ_STR(ag_i18n_pick(i, NULL, "EN-us"), "en");
    CHECK_EQ_STR(ag_i18n_pick(i, NULL, "ko-KR,ko;q=0.9,en-US;q=0.8"), "ko");
    CHECK_EQ_STR(ag_i18n_pick(i, NULL, "fr-FR,fr;q=0.9,en;q=0.5,ko;q=0.4"), "en");
    CHECK_EQ_STR(ag_i18n_pick(i, NULL, "ko;q=0.2, en;q=0.8"), "en");
    CHECK_EQ_STR(ag_i18n_pick(i, NULL, "en;q=0"), "ko"); /* not acceptable */
    CHECK_EQ_STR(ag_i18n_pick(i, NULL, "fr, *;q=0.1"), "ko");
    CHECK_EQ_STR(ag_i18n_pick(i, NULL, "de"), "ko");
    CHECK_EQ_STR(ag_i18n_pick(i, NULL, "en;q=1.000"), "en");
    CHECK_EQ_STR(ag_i18n_pick(i, NULL, "ko;q=0.5,en;q=0.500"), "ko"); /* a tie: the first */
    ag_i18n_free(i);
}

TEST(pick_survives_hostile_headers)
{
    struct ag_i18n *i = two_languages();
    const char *junk[] = {
        "",
        ",,,,",
        ";q=1",
        "en;q=",
        "en;q=2",
        "en;q=1.5",
        "en;q=0.1234",
        "en;q=abc",
        "en;;;",
        "-en",
        "en-",
        "e",
        "ennnnnnnnnnnn",
        "en\x01",
        "*;q=0",
        "\xff\xfe",
        " ; ; , ;q=0.5",
        "en;Q=0.5junk",
        "q=0.5",
        "en ;q=0.3 junk",
    };
    for (size_t k = 0; k < sizeof(junk) / sizeof(junk[0]); k++) {
        const char *got = ag_i18n_pick(i, NULL, junk[k]);
        CHECK(strcmp(got, "ko") == 0 || strcmp(got, "en") == 0);
    }
    /* Found by fuzz_i18n: white space before the ';' of the last element read past it. */
    CHECK_EQ_STR(ag_i18n_pick(i, NULL, "fr, en  ;q=0.5"), "en");
    char *tail = ag_xmalloc(8);
    memcpy(tail, "en  ;.1", 8); /* exactly as long as its text, so ASan sees an overread */
    CHECK_EQ_STR(ag_i18n_pick(i, NULL, tail), "ko");
    ag_free(tail);
    /* Only malformed q-values: none of these may pick English. */
    CHECK_EQ_STR(ag_i18n_pick(i, NULL, "en;q=2"), "ko");
    CHECK_EQ_STR(ag_i18n_pick(i, NULL, "en;q=0.1234"), "ko");
    CHECK_EQ_STR(ag_i18n_pick(i, NULL, "en;q=abc"), "ko");
    /* A huge header is read up to its limit, and a match past it does not count. */
    size_t n = AG_I18N_MAX_HEADER + 100;
    char *big = ag_xcalloc(1, n + 8);
    memset(big, ',', n);
    memcpy(big + n, "en", 3);
    CHECK_EQ_STR(ag_i18n_pick(i, NULL, big), "ko");
    memcpy(big, "en,", 3);
    CHECK_EQ_STR(ag_i18n_pick(i, NULL, big), "en");
    ag_free(big);
    ag_i18n_free(i);
}

TEST(add_refuses_bad_catalogs)
{
    struct ag_i18n *i = ag_i18n_new("ko");
    char err[256];
    CHECK_EQ_INT(ag_i18n_add(i, "KO", ko, strlen(ko), err, sizeof(err)), AG_EINVAL);
    CHECK_EQ_INT(ag_i18n_add(i, "k", ko, strlen(ko), err, sizeof(err)), AG_EINVAL);
    CHECK_EQ_INT(ag_i18n_add(i, "ko-", ko, strlen(ko), err, sizeof(err)), AG_EINVAL);
    CHECK_EQ_INT(ag_i18n_add(i, "ko", "{\"a\":", 5, err, sizeof(err)), AG_EINVAL);
    CHECK(strstr(err, "ko: line 1") != NULL);
    CHECK_EQ_INT(ag_i18n_add(i, "ko", "[1]", 3, err, sizeof(err)), AG_EINVAL);
    CHECK_EQ_INT(ag_i18n_add(i, "ko", "{\"a\":1}", 7, err, sizeof(err)), AG_EINVAL);
    CHECK_EQ_STR(err, "ko: 'a' is not a string");
    CHECK_EQ_INT(ag_i18n_add(i, "ko", "{\"A b\":\"x\"}", 11, err, sizeof(err)), AG_EINVAL);
    CHECK(strstr(err, "is not a key") != NULL);
    CHECK_EQ_INT(ag_i18n_add(i, "ko", "{\"a\":\"x\",\"a\":\"y\"}", 17, err, sizeof(err)),
                 AG_EINVAL);
    CHECK_EQ_INT(ag_i18n_add(i, "ko", ko, strlen(ko), err, sizeof(err)), 0);
    CHECK_EQ_INT(ag_i18n_add(i, "ko", ko, strlen(ko), err, sizeof(err)), AG_ECONFLICT);
    CHECK_EQ_INT(ag_i18n_add(i, "en", en, AG_I18N_MAX_FILE + 1, err, sizeof(err)), AG_ETOOLARGE);
    ag_i18n_free(i);
}

TEST(check_wants_the_same_keys)
{
    char err[256];
    struct ag_i18n *i = ag_i18n_new("ko");
    CHECK_EQ_INT(ag_i18n_check(i, err, sizeof(err)), AG_EINVAL);
    CHECK_EQ_STR(err, "no catalog for the default language 'ko'");
    CHECK_EQ_INT(ag_i18n_add(i, "ko", ko, strlen(ko), err, sizeof(err)), 0);
    const char en_short[] = "{\"nav.login\":\"Log in\"}";
    CHECK_EQ_INT(ag_i18n_add(i, "en", en_short, strlen(en_short), err, sizeof(err)), 0);
    CHECK_EQ_INT(ag_i18n_check(i, err, sizeof(err)), AG_EINVAL);
    CHECK_EQ_STR(err, "en: no text for 'nav.cart' (ko has one)");
    ag_i18n_free(i);

    i = ag_i18n_new("ko");
    const char en_more[] = "{\"nav.login\":\"Log in\",\"nav.cart\":\"Cart\",\"extra\":\"x\"}";
    CHECK_EQ_INT(ag_i18n_add(i, "ko", ko, strlen(ko), err, sizeof(err)), 0);
    CHECK_EQ_INT(ag_i18n_add(i, "en", en_more, strlen(en_more), err, sizeof(err)), 0);
    CHECK_EQ_INT(ag_i18n_check(i, err, sizeof(err)), AG_EINVAL);
    CHECK_EQ_STR(err, "en: 'extra' is not a key of ko");
    ag_i18n_free(i);
}

static void
write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

TEST(add_dir)
{
    char dir[] = "/tmp/test_i18n.XXXXXX";
    char err[256], path[512];
    CHECK_NOT_NULL(mkdtemp(dir));
    write_file(dir, "ko.json", ko);
    write_file(dir, "en.json", en);
    write_file(dir, "README.txt", "not a catalog");
    write_file(dir, ".hidden.json", "{");
    struct ag_i18n *i = ag_i18n_new("ko");
    CHECK_EQ_INT(ag_i18n_add_dir(i, dir, err, sizeof(err)), 0);
    CHECK_EQ_INT(ag_i18n_check(i, err, sizeof(err)), 0);
    CHECK_EQ_STR(ag_i18n_text(i, "en", "nav.login"), "Log in");
    ag_i18n_free(i);
    write_file(dir, "Fr.json", "{}");
    i = ag_i18n_new("ko");
    CHECK_EQ_INT(ag_i18n_add_dir(i, dir, err, sizeof(err)), AG_EINVAL);
    CHECK(strstr(err, "bad language code 'Fr'") != NULL);
    ag_i18n_free(i);
    i = ag_i18n_new("ko");
    CHECK_EQ_INT(ag_i18n_add_dir(i, "/nonexistent/i18n", err, sizeof(err)), AG_ENOTFOUND);
    ag_i18n_free(i);
    const char *names[] = {"ko.json", "en.json", "README.txt", ".hidden.json", "Fr.json"};
    for (size_t k = 0; k < 5; k++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[k]);
        unlink(path);
    }
    rmdir(dir);
}

static const struct ag_test tests[] = {
    TEST_ENTRY(texts_and_catalogs),
    TEST_ENTRY(pick_cookie_then_header_then_default),
    TEST_ENTRY(pick_survives_hostile_headers),
    TEST_ENTRY(add_refuses_bad_catalogs),
    TEST_ENTRY(check_wants_the_same_keys),
    TEST_ENTRY(add_dir),
};

int
main(int argc, char **argv)
{
    return ag_test_main_(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
