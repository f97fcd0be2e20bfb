/*
 * Files embedded in a binary at build time by cmake/embed.cmake (migrations, OpenAPI specs).
 */
#ifndef AGORA_EMBED_H
#define AGORA_EMBED_H

#include <stddef.h>

struct ag_embed_file {
    const char *name; /* the file's base name, e.g. "001-members.sql" */
    const char *text; /* its bytes, NUL-terminated */
};

#endif
