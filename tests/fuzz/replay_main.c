/*
 * Replays a fuzz target's seed corpus without libFuzzer: every file in the folders (or files)
 * named on the command line goes through LLVMFuzzerTestOneInput once. Used by make test, so
 * the corpus stays a regression suite under the sanitizers.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "agora/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open '%s'\n", path);
        return -1;
    }
    size_t cap = 1 << 16;
    size_t len = 0;
    uint8_t *buf = ag_xmalloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            cap *= 2;
            buf = ag_xrealloc(buf, cap);
        }
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, len);
    ag_free(buf);
    return 0;
}

int
main(int argc, char **argv)
{
    int count = 0;

    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "cannot stat '%s'\n", argv[i]);
            return 1;
        }
        if (!S_ISDIR(st.st_mode)) {
            count += replay_file(argv[i]) == 0;
            continue;
        }
        DIR *d = opendir(argv[i]);
        struct dirent *e;
        while (d != NULL && (e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.') {
                continue;
            }
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
            count += replay_file(path) == 0;
        }
        if (d != NULL) {
            closedir(d);
        }
    }
    printf("replayed %d inputs\n", count);
    return count > 0 ? 0 : 1;
}
