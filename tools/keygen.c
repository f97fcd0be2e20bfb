/*
 * agora-keygen <private.pem> <public.pem>: makes the Ed25519 key pair auth signs tokens with.
 * Idempotent: when both files exist it says so and succeeds, so scripts may run it on every
 * start; when only one exists it fails rather than guess which half is right.
 *
 * Exit: 0 written or already there, 1 error, 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "agora/err.h"
#include "agora/jwt.h"

/* 1 when 'path' exists, 0 when it does not, -1 (after a message) when it cannot be told. */
static int
file_exists(const char *path)
{
    struct stat st;

    if (stat(path, &st) == 0) {
        return 1;
    }
    if (errno == ENOENT) {
        return 0;
    }
    fprintf(stderr, "agora-keygen: cannot stat '%s': %s\n", path, strerror(errno));
    return -1;
}

/* Prints the kid of the new pair, read back from the private file as the services will. */
static int
print_kid(const char *private_path)
{
    struct ag_jwt jwt;

    int rc = ag_jwt_init(&jwt, "agora-keygen", "agora-keygen", 0);
    if (rc == 0) {
        rc = ag_jwt_add_key_file(&jwt, private_path);
    }
    if (rc == 0) {
        printf("kid %s\n", jwt.keys[0].kid);
    }
    ag_jwt_release(&jwt);
    return rc;
}

int
main(int argc, char **argv)
{
    if (argc != 3 || argv[1][0] == '\0' || argv[2][0] == '\0' || strcmp(argv[1], argv[2]) == 0) {
        fprintf(stderr, "usage: agora-keygen <private.pem> <public.pem>\n");
        return 2;
    }
    const char *private_path = argv[1];
    const char *public_path = argv[2];
    int have_private = file_exists(private_path);
    int have_public = file_exists(public_path);
    if (have_private < 0 || have_public < 0) {
        return 1;
    }
    if (have_private && have_public) {
        printf("keys exist\n");
        return 0;
    }
    if (have_private || have_public) {
        fprintf(stderr,
                "agora-keygen: '%s' exists but '%s' does not; restore the missing half or remove "
                "both to make a new pair\n",
                have_private ? private_path : public_path,
                have_private ? public_path : private_path);
        return 1;
    }
    int rc = ag_jwt_keygen_files(private_path, public_path);
    if (rc < 0) {
        fprintf(stderr, "agora-keygen: cannot write the key pair: %s\n", ag_err_name(rc));
        return 1;
    }
    printf("wrote '%s' (0600) and '%s' (0644)\n", private_path, public_path);
    if (print_kid(private_path) < 0) {
        fprintf(stderr, "agora-keygen: cannot read back '%s'\n", private_path);
        return 1;
    }
    return 0;
}
