/*
 * Whole-file reads (agora/file.h).
 */
#include "agora/file.h"

#include <stdio.h>

#include "agora/err.h"
#include "agora/mem.h"

int
ag_file_read(const char *path, size_t max, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return AG_ENOTFOUND;
    }
    /* One byte more than the limit tells a file that is too large, whatever stat would say. */
    char *buf = ag_xmalloc(max + 2);
    size_t n = fread(buf, 1, max + 1, f);
    int rc = ferror(f) ? AG_EINTERNAL : (n > max ? AG_ETOOLARGE : 0);
    fclose(f);
    if (rc < 0) {
        ag_free(buf);
        return rc;
    }
    buf[n] = '\0';
    *out = ag_xrealloc(buf, n + 1);
    *len = n;
    return 0;
}
