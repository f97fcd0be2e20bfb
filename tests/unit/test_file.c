/*
 * ag_file_read: whole small files with a size limit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ag_test.h"

#include "agora/err.h"
#include "agora/file.h"
#include "agora/mem.h"

static void
write_bytes(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "wb");
    fwrite(text, 1, n, f);
    fclose(f);
}

TEST(reads_within_the_limit)
{
    char path[] = "/tmp/test_file.XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    char *out = NULL;
    size_t len = 99;

    CHECK_EQ_INT(ag_file_read(path, 10, &out, &len), 0); /* empty */
    CHECK_EQ_INT(len, 0);
    CHECK_EQ_STR(out, "");
    ag_free(out);
    write_bytes(path, "0123456789", 10);
    CHECK_EQ_INT(ag_file_read(path, 10, &out, &len), 0); /* exactly the limit */
    CHECK_EQ_INT(len, 10);
    CHECK_EQ_STR(out, "0123456789");
    ag_free(out);
    write_bytes(path, "a\0b", 3);
    CHECK_EQ_INT(ag_file_read(path, 10, &out, &len), 0); /* NUL bytes kept, length counts */
    CHECK_EQ_INT(len, 3);
    CHECK(memcmp(out, "a\0b", 4) == 0);
    ag_free(out);
    write_bytes(path, "0123456789x", 11);
    CHECK_EQ_INT(ag_file_read(path, 10, &out, &len), AG_ETOOLARGE);
    CHECK(out == NULL);
    unlink(path);
    CHECK_EQ_INT(ag_file_read(path, 10, &out, &len), AG_ENOTFOUND);
    CHECK(out == NULL);
    CHECK_EQ_INT(ag_file_read("/tmp", 10, &out, &len), AG_EINTERNAL); /* a folder */
    CHECK(out == NULL);
}

static const struct ag_test tests[] = {
    TEST_ENTRY(reads_within_the_limit),
};

int
main(int argc, char **argv)
{
    return ag_test_main_(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
