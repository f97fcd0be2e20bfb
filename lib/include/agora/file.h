/*
 * Whole small files read at start (templates, message catalogs), with a size limit.
 */
#ifndef AGORA_FILE_H
#define AGORA_FILE_H

#include <stddef.h>

/*
 * Reads file 'path' whole into '*out' (NUL-terminated; release with ag_free) and '*len'.
 * Errors: AG_ENOTFOUND (cannot open it), AG_ETOOLARGE (over 'max' bytes), AG_EINTERNAL (a
 * read error); '*out' is then NULL.
 */
int ag_file_read(const char *path, size_t max, char **out, size_t *len);

#endif
