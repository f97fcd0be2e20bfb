/*
 * Helpers of the web integration tests: a browser's cookie jar, requests to the test stack's
 * web service that keep it, the CSRF token and hidden fields of a page, and sign-up and login
 * through the forms.
 */
#ifndef WEBTEST_H
#define WEBTEST_H

#include <stddef.h>

#include "itest.h"

#define JAR_MAX    8
#define PASSWORD   "correct-horse-9"
#define MAX_COOKIE 1100

/* A browser's cookies, as web sets them. */
struct jar {
    char names[JAR_MAX][32];
    char values[JAR_MAX][MAX_COOKIE];
    size_t n;
};

const char *jar_get(const struct jar *j, const char *name);
void jar_put(struct jar *j, const char *name, const char *value);
/* The whole Set-Cookie line for 'name' of the answer in 'buf', or NULL. */
const char *set_cookie(const struct it_resp *r, const char *name, char *buf, size_t size);
void jar_update(struct jar *j, const struct it_resp *r);
/* The URL of 'path' on the test stack's web; valid until the next call. */
const char *web(const char *path);
int browse(struct jar *j, struct it_resp *r, const char *method, const char *path, const char *form,
           const char *const *extra);
const char *csrf_of(const struct it_resp *r, char *buf, size_t size);
const char *field_of(const struct it_resp *r, const char *name, char *buf, size_t size);
int first_view(struct jar *j, const char *path, char *csrf, size_t size);
long sign_up(struct jar *j, char *id, size_t idsize);
long log_in(struct jar *j, const char *login, const char *password);
/* The test stack's admin password (scripts/stack writes it under var/test/keys/); "" when
 * missing. Static storage. */
const char *admin_password(void);

#endif
