/*
 * Helpers of the web integration tests (webtest.h).
 */
#include "webtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char web_url_buf[600];

const char *
jar_get(const struct jar *j, const char *name)
{
    for (size_t i = 0; i < j->n; i++) {
        if (strcmp(j->names[i], name) == 0) {
            return j->values[i];
        }
    }
    return NULL;
}

void
jar_put(struct jar *j, const char *name, const char *value)
{
    for (size_t i = 0; i < j->n; i++) {
        if (strcmp(j->names[i], name) == 0) {
            snprintf(j->values[i], sizeof(j->values[i]), "%s", value);
            return;
        }
    }
    if (j->n < JAR_MAX) {
        snprintf(j->names[j->n], sizeof(j->names[0]), "%s", name);
        snprintf(j->values[j->n], sizeof(j->values[0]), "%s", value);
        j->n++;
    }
}

/* The whole Set-Cookie line for 'name' of the answer, or NULL. */
const char *
set_cookie(const struct it_resp *r, const char *name, char *buf, size_t size)
{
    char want[64];
    snprintf(want, sizeof(want), "set-cookie: %s=", name);
    for (const char *p = r->headers; p != NULL && *p != '\0';) {
        const char *eol = strchr(p, '\n');
        size_t len = eol != NULL ? (size_t)(eol - p) : strlen(p);
        if (strncasecmp(p, want, strlen(want)) == 0) {
            size_t n = len < size - 1 ? len : size - 1;
            memcpy(buf, p, n);
            while (n > 0 && (buf[n - 1] == '\r' || buf[n - 1] == '\n')) {
                n--;
            }
            buf[n] = '\0';
            return buf;
        }
        p = eol != NULL ? eol + 1 : NULL;
    }
    return NULL;
}

/* Applies every Set-Cookie of 'r' to 'j' (Max-Age=0 empties a cookie). */
void
jar_update(struct jar *j, const struct it_resp *r)
{
    for (const char *p = r->headers; p != NULL && *p != '\0';) {
        const char *eol = strchr(p, '\n');
        if (strncasecmp(p, "set-cookie: ", 12) == 0) {
            const char *nv = p + 12, *eq = strchr(nv, '='), *semi = strchr(nv, ';');
            if (eq != NULL && semi != NULL && eq < semi) {
                char name[32], value[MAX_COOKIE];
                snprintf(name, sizeof(name), "%.*s", (int)(eq - nv), nv);
                snprintf(value, sizeof(value), "%.*s", (int)(semi - eq - 1), eq + 1);
                jar_put(j, name, value);
            }
        }
        p = eol != NULL ? eol + 1 : NULL;
    }
}

const char *
web(const char *path)
{
    snprintf(web_url_buf, sizeof(web_url_buf), "%s%s", it_url("WEB"), path);
    return web_url_buf;
}

/*
 * One browser request: the jar's cookies, a body (urlencoded, unless 'extra' names another
 * Content-Type) and the extra headers; the answer's cookies go back into the jar.
 */
int
browse(struct jar *j, struct it_resp *r, const char *method, const char *path, const char *form,
       const char *const *extra)
{
    char cookie[8 * MAX_COOKIE] = "Cookie: ";
    const char *h[8];
    size_t n = 0;

    for (size_t i = 0; i < j->n; i++) {
        if (j->values[i][0] != '\0') {
            size_t used = strlen(cookie);
            snprintf(cookie + used, sizeof(cookie) - used, "%s%s=%s", i > 0 ? "; " : "",
                     j->names[i], j->values[i]);
        }
    }
    if (j->n > 0) {
        h[n++] = cookie;
    }
    int own_type = 0;
    for (size_t i = 0; extra != NULL && extra[i] != NULL; i++) {
        own_type |= strncasecmp(extra[i], "Content-Type:", 13) == 0;
    }
    if (form != NULL && !own_type) {
        h[n++] = "Content-Type: application/x-www-form-urlencoded";
    }
    for (size_t i = 0; extra != NULL && extra[i] != NULL && n < 7; i++) {
        h[n++] = extra[i];
    }
    h[n] = NULL;
    int rc = it_request(r, method, web(path), NULL, NULL, form, h);
    jar_update(j, r);
    return rc;
}

/* The CSRF token of the page in 'r' (its first form's _csrf field). */
const char *
csrf_of(const struct it_resp *r, char *buf, size_t size)
{
    const char *p = r->body != NULL ? strstr(r->body, "name=\"_csrf\" value=\"") : NULL;
    if (p == NULL) {
        return NULL;
    }
    p += strlen("name=\"_csrf\" value=\"");
    const char *end = strchr(p, '"');
    snprintf(buf, size, "%.*s", (int)(end - p), p);
    return buf;
}

/* The value of the hidden field 'name' of the page in 'r'. */
const char *
field_of(const struct it_resp *r, const char *name, char *buf, size_t size)
{
    char want[64];
    snprintf(want, sizeof(want), "name=\"%s\" value=\"", name);
    const char *p = r->body != NULL ? strstr(r->body, want) : NULL;
    if (p == NULL) {
        return NULL;
    }
    p += strlen(want);
    const char *end = strchr(p, '"');
    snprintf(buf, size, "%.*s", (int)(end - p), p);
    return buf;
}

/* A first view (GET path) into a fresh jar; returns the page's CSRF token in 'csrf'. */
int
first_view(struct jar *j, const char *path, char *csrf, size_t size)
{
    struct it_resp r;
    memset(j, 0, sizeof(*j));
    int rc = browse(j, &r, "GET", path, NULL, NULL);
    int ok = rc == 0 && r.status == 200 && csrf_of(&r, csrf, size) != NULL;
    it_resp_free(&r);
    return ok ? 0 : -1;
}

/* Signs up a new member through the form and returns 303's status; 'id' gets its login id. */
long
sign_up(struct jar *j, char *id, size_t idsize)
{
    struct it_resp r;
    char csrf[64], idem[64], form[512];

    memset(j, 0, sizeof(*j));
    browse(j, &r, "GET", "/signup", NULL, NULL);
    csrf_of(&r, csrf, sizeof(csrf));
    field_of(&r, "idem", idem, sizeof(idem));
    it_resp_free(&r);
    it_unique(id, idsize, "web");
    snprintf(form, sizeof(form),
             "_csrf=%s&idem=%s&id=%s&email=%s%%40example.com&name=Kim&password=" PASSWORD
             "&passwordConfirm=" PASSWORD,
             csrf, idem, id, id);
    browse(j, &r, "POST", "/signup", form, NULL);
    long status = r.status;
    it_resp_free(&r);
    return status;
}

/* Logs 'j' in through the form with 'login' and 'password'; the answer's status. */
long
log_in(struct jar *j, const char *login, const char *password)
{
    struct it_resp r;
    char csrf[64], form[512];

    if (first_view(j, "/login", csrf, sizeof(csrf)) < 0) {
        return -1;
    }
    snprintf(form, sizeof(form), "_csrf=%s&login=%s&password=%s&next=/", csrf, login, password);
    browse(j, &r, "POST", "/login", form, NULL);
    long status = r.status;
    it_resp_free(&r);
    return status;
}

const char *
admin_password(void)
{
    static char password[128];
    char path[1024];

    snprintf(path, sizeof(path), "%s/var/test/keys/admin-password", getenv("AGORA_SOURCE_DIR"));
    FILE *f = fopen(path, "r");
    if (f == NULL || fgets(password, sizeof(password), f) == NULL) {
        password[0] = '\0';
    }
    if (f != NULL) {
        fclose(f);
    }
    password[strcspn(password, "\n")] = '\0';
    return password;
}
