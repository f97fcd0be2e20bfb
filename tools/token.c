/*
 * agora-token: prints an access token signed with a private key file, for benchmarks and
 * manual calls against a local stack. Usage: agora-token <private.pem> <sub> <role> [ttl_s]
 * [count]; with a count, that many tokens, one per line, for the subjects <sub>-1, <sub>-2…
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "agora/jwt.h"

int
main(int argc, char **argv)
{
    struct ag_jwt jwt;
    struct ag_jwt_claims c;
    char token[AG_JWT_MAX_TOKEN];
    unsigned char sid[8];

    if (argc < 4 || argc > 6) {
        fprintf(stderr, "usage: agora-token <private.pem> <sub> <role> [ttl_s] [count]\n");
        return 2;
    }
    long ttl = argc >= 5 ? strtol(argv[4], NULL, 10) : 900;
    long count = argc == 6 ? strtol(argv[5], NULL, 10) : 0;
    memset(&c, 0, sizeof(c));
    c.role = ag_role_parse(argv[3], strlen(argv[3]));
    if (c.role == AG_ROLE_NONE || ttl <= 0 || count < 0 || count > 10000000 ||
        strlen(argv[2]) + 12 >= sizeof(c.sub)) {
        fprintf(stderr, "agora-token: want a role guest|user|admin, a sub under 72 bytes and "
                        "a positive ttl\n");
        return 2;
    }
    ag_jwt_init(&jwt, getenv("AGORA_JWT_ISSUER") ? getenv("AGORA_JWT_ISSUER") : "agora-auth",
                getenv("AGORA_JWT_AUDIENCE") ? getenv("AGORA_JWT_AUDIENCE") : "agora", 0);
    int rc = ag_jwt_add_key_file(&jwt, argv[1]);
    for (long i = count > 0 ? 1 : 0; rc == 0 && i <= count; i++) {
        if (count > 0) {
            snprintf(c.sub, sizeof(c.sub), "%s-%ld", argv[2], i);
        } else {
            snprintf(c.sub, sizeof(c.sub), "%s", argv[2]);
        }
        randombytes_buf(sid, sizeof(sid));
        sodium_bin2hex(c.sid, sizeof(c.sid), sid, sizeof(sid));
        c.iat = (long long)time(NULL);
        c.exp = c.iat + ttl;
        rc = ag_jwt_sign(&jwt, &c, token, sizeof(token));
        if (rc == 0) {
            puts(token);
        }
    }
    ag_jwt_release(&jwt);
    if (rc < 0) {
        fprintf(stderr, "agora-token: cannot sign with '%s'\n", argv[1]);
        return 1;
    }
    return 0;
}
