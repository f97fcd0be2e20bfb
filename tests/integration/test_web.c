/*
 * The web service over HTTP against the real stack (web → auth, web → gateway → member):
 * cookie flags and the guest token of a first view, security headers, CSRF and Origin
 * refusals, sign-up sent twice with one key, the BFF's refresh-and-retry on a 401, logout
 * clearing the cookies with the old token refused at the gateway, and the small pages.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ag_test.h"
#include "itest.h"
#include "webtest.h"

#include "agora/mem.h"

/* A first view gets a guest token; every cookie has the flags ARCHITECTURE.md names. */
TEST(first_view_guest_cookies_and_headers)
{
    struct jar j;
    struct it_resp r;
    char line[1400], buf[600];

    memset(&j, 0, sizeof(j));
    CHECK_EQ_INT(browse(&j, &r, "GET", "/", NULL, NULL), 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK_NOT_NULL(set_cookie(&r, "access_token", line, sizeof(line)));
    CHECK(strstr(line, "HttpOnly") != NULL && strstr(line, "SameSite=Lax") != NULL);
    CHECK(strstr(line, "Max-Age=900") != NULL && strstr(line, "Path=/") != NULL);
    CHECK(strstr(line, "Secure") == NULL); /* AGORA_PUBLIC_URL is http here */
    CHECK_NOT_NULL(set_cookie(&r, "refresh_token", line, sizeof(line)));
    CHECK(strstr(line, "HttpOnly") != NULL && strstr(line, "SameSite=Strict") != NULL);
    CHECK(strstr(line, "Max-Age=1209600") != NULL && strstr(line, "Path=/") != NULL);
    CHECK_NOT_NULL(set_cookie(&r, "access_type", line, sizeof(line)));
    CHECK(strncmp(line + strlen("Set-Cookie: "), "access_type=guest;", 18) == 0);
    CHECK(strstr(line, "HttpOnly") == NULL); /* scripts may read the role */
    CHECK_NOT_NULL(set_cookie(&r, "csrf_token", line, sizeof(line)));
    CHECK(strstr(line, "HttpOnly") != NULL && strstr(line, "SameSite=Strict") != NULL);
    /* Security headers; Korean by default. */
    CHECK(strstr(it_header(&r, "Content-Security-Policy", buf, sizeof(buf)), "script-src 'self'") !=
          NULL);
    CHECK(strstr(buf, "frame-ancestors 'none'") != NULL);
    CHECK_EQ_STR(it_header(&r, "X-Frame-Options", buf, sizeof(buf)), "DENY");
    CHECK_EQ_STR(it_header(&r, "X-Content-Type-Options", buf, sizeof(buf)), "nosniff");
    CHECK_NOT_NULL(it_header(&r, "Referrer-Policy", buf, sizeof(buf)));
    CHECK(strstr(r.body, "<html lang=\"ko\">") != NULL);
    CHECK(strstr(r.body, "<script>") == NULL); /* no inline script */
    it_resp_free(&r);
    /* The next view keeps the guest: no new tokens; its session answers through the BFF. */
    CHECK_EQ_INT(browse(&j, &r, "GET", "/", NULL, NULL), 0);
    CHECK_NULL(set_cookie(&r, "access_token", line, sizeof(line)));
    it_resp_free(&r);
    CHECK_EQ_INT(browse(&j, &r, "GET", "/api/auth/session-info", NULL, NULL), 0);
    CHECK_EQ_INT(r.status, 200);
    json_t *data = json_object_get(r.json, "data");
    CHECK_EQ_STR(json_string_value(json_object_get(data, "role")), "guest");
    it_resp_free(&r);
}

/* Forms without the token, with another's token or from another origin are refused. */
TEST(csrf_and_origin_refused)
{
    struct jar j, other;
    struct it_resp r;
    char csrf[64], csrf2[64], form[256];

    CHECK_EQ_INT(first_view(&j, "/login", csrf, sizeof(csrf)), 0);
    CHECK_EQ_INT(first_view(&other, "/login", csrf2, sizeof(csrf2)), 0);
    CHECK(strcmp(csrf, csrf2) != 0);
    browse(&j, &r, "POST", "/login", "login=nobody&password=wrong-password", NULL);
    CHECK_EQ_INT(r.status, 403);
    it_resp_free(&r);
    snprintf(form, sizeof(form), "_csrf=%s&login=nobody&password=wrong-password", csrf2);
    browse(&j, &r, "POST", "/login", form, NULL);
    CHECK_EQ_INT(r.status, 403);
    it_resp_free(&r);
    snprintf(form, sizeof(form), "_csrf=%s&login=nobody&password=wrong-password", csrf);
    const char *const evil[] = {"Origin: http://evil.example", NULL};
    browse(&j, &r, "POST", "/login", form, evil);
    CHECK_EQ_INT(r.status, 403);
    it_resp_free(&r);
    /* The right token from our own origin reaches auth: wrong credentials, a 401 page. */
    char origin[96];
    snprintf(origin, sizeof(origin), "Origin: %s", it_url("WEB"));
    const char *const own[] = {origin, NULL};
    browse(&j, &r, "POST", "/login", form, own);
    CHECK_EQ_INT(r.status, 401);
    CHECK(strstr(r.body, "role=\"alert\"") != NULL);
    it_resp_free(&r);
    /* Not a form at all. */
    const char *const json_type[] = {"Content-Type: application/json", NULL};
    it_request(&r, "POST", web("/login"), NULL, NULL, "{}", json_type);
    CHECK_EQ_INT(r.status, 415);
    it_resp_free(&r);
    /* The BFF wants the token in X-CSRF-Token for anything but GET. */
    browse(&j, &r, "POST", "/api/auth/logout", NULL, NULL);
    CHECK_EQ_INT(r.status, 403);
    CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(r.json, "error"), "code")),
                 "AUTH_1003");
    it_resp_free(&r);
}

struct signup_call {
    struct jar jar;
    char form[512];
    long status;
    char location[128];
};

static void *
signup_post(void *arg)
{
    struct signup_call *c = arg;
    struct it_resp r;
    browse(&c->jar, &r, "POST", "/signup", c->form, NULL);
    c->status = r.status;
    it_header(&r, "Location", c->location, sizeof(c->location));
    it_resp_free(&r);
    return NULL;
}

/* A double click: the same form twice at once makes one member, and both end signed in. */
TEST(signup_double_submit_makes_one_member)
{
    struct signup_call a, b;
    struct it_resp r;
    char csrf[64], idem[64], id[40], form[512];

    memset(&a, 0, sizeof(a));
    browse(&a.jar, &r, "GET", "/signup", NULL, NULL);
    CHECK_NOT_NULL(csrf_of(&r, csrf, sizeof(csrf)));
    CHECK_NOT_NULL(field_of(&r, "idem", idem, sizeof(idem)));
    it_resp_free(&r);
    it_unique(id, sizeof(id), "dbl");
    snprintf(a.form, sizeof(a.form),
             "_csrf=%s&idem=%s&id=%s&email=%s%%40example.com&name=Lee&password=" PASSWORD
             "&passwordConfirm=" PASSWORD,
             csrf, idem, id, id);
    b = a;
    pthread_t ta, tb;
    pthread_create(&ta, NULL, signup_post, &a);
    pthread_create(&tb, NULL, signup_post, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    CHECK_EQ_INT(a.status, 303);
    CHECK_EQ_INT(b.status, 303);
    CHECK_EQ_STR(a.location, "/account");
    CHECK_EQ_STR(b.location, "/account");
    CHECK_EQ_STR(jar_get(&a.jar, "access_type"), "user");
    CHECK_EQ_STR(jar_get(&b.jar, "access_type"), "user");
    /* A new form (a new key) for the same id: taken, said next to the field. */
    struct jar c;
    memset(&c, 0, sizeof(c));
    browse(&c, &r, "GET", "/signup", NULL, NULL);
    csrf_of(&r, csrf, sizeof(csrf));
    char idem2[64];
    field_of(&r, "idem", idem2, sizeof(idem2));
    CHECK(strcmp(idem, idem2) != 0);
    it_resp_free(&r);
    snprintf(form, sizeof(form),
             "_csrf=%s&idem=%s&id=%s&email=other-%s%%40example.com&name=Lee&password=" PASSWORD
             "&passwordConfirm=" PASSWORD,
             csrf, idem2, id, id);
    browse(&c, &r, "POST", "/signup", form, NULL);
    CHECK_EQ_INT(r.status, 409);
    CHECK(strstr(r.body, "id=\"signup-id-error\"") != NULL);
    CHECK(strstr(r.body, "aria-invalid=\"true\"") != NULL);
    it_resp_free(&r);
}

/* A too-short password never reaches member: the form again, the error tied to the field. */
TEST(signup_validation_errors_on_fields)
{
    struct jar j;
    struct it_resp r;
    char csrf[64], idem[64], form[512];

    memset(&j, 0, sizeof(j));
    browse(&j, &r, "GET", "/signup", NULL, NULL);
    csrf_of(&r, csrf, sizeof(csrf));
    field_of(&r, "idem", idem, sizeof(idem));
    it_resp_free(&r);
    snprintf(form, sizeof(form),
             "_csrf=%s&idem=%s&id=shortpw&email=shortpw%%40example.com&name=Park&password=abc"
             "&passwordConfirm=abc",
             csrf, idem);
    browse(&j, &r, "POST", "/signup", form, NULL);
    CHECK_EQ_INT(r.status, 400);
    CHECK(strstr(r.body, "id=\"signup-password-error\"") != NULL);
    CHECK(strstr(r.body, "value=\"shortpw\"") != NULL); /* what was typed stays */
    it_resp_free(&r);
    snprintf(form, sizeof(form),
             "_csrf=%s&idem=%s&id=mismatch&email=m%%40example.com&name=Park&password=" PASSWORD
             "&passwordConfirm=other-password",
             csrf, idem);
    browse(&j, &r, "POST", "/signup", form, NULL);
    CHECK_EQ_INT(r.status, 400);
    CHECK(strstr(r.body, "id=\"signup-password2-error\"") != NULL);
    it_resp_free(&r);
}

/*
 * The BFF: an access token that web accepts but the gateway refuses (its session is not
 * there) is refreshed once with the refresh cookie, and the call retried; with a bad refresh
 * cookie too, the 401 stands and the cookies are cleared.
 */
TEST(bff_refreshes_once_and_retries)
{
    struct jar j;
    struct it_resp r;
    char id[40], path[96], line[1400];

    CHECK_EQ_INT(sign_up(&j, id, sizeof(id)), 303);
    char *forged = it_token(id, "user", 600);
    jar_put(&j, "access_token", forged);
    snprintf(path, sizeof(path), "/api/members/%s", id);
    CHECK_EQ_INT(browse(&j, &r, "GET", path, NULL, NULL), 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(r.json, "data"), "id")), id);
    CHECK_NOT_NULL(set_cookie(&r, "access_token", line, sizeof(line)));
    CHECK_NOT_NULL(set_cookie(&r, "refresh_token", line, sizeof(line)));
    CHECK(strcmp(jar_get(&j, "access_token"), forged) != 0);
    it_resp_free(&r);
    /* Now a forged token and a refresh token auth does not know. */
    jar_put(&j, "access_token", forged);
    jar_put(&j, "refresh_token", "not-a-real-refresh-token-0123456789abcdef");
    CHECK_EQ_INT(browse(&j, &r, "GET", path, NULL, NULL), 0);
    CHECK_EQ_INT(r.status, 401);
    CHECK_NOT_NULL(set_cookie(&r, "access_token", line, sizeof(line)));
    CHECK(strstr(line, "Max-Age=0") != NULL);
    CHECK_NOT_NULL(set_cookie(&r, "refresh_token", line, sizeof(line)));
    CHECK(strstr(line, "Max-Age=0") != NULL);
    it_resp_free(&r);
    ag_free(forged);
}

/* Logout clears the cookies, and the old access token stops at the gateway. */
TEST(logout_clears_cookies_and_the_token_is_refused)
{
    struct jar j;
    struct it_resp r;
    char id[40], csrf[64], form[128], line[1400], old[MAX_COOKIE];

    CHECK_EQ_INT(sign_up(&j, id, sizeof(id)), 303);
    snprintf(old, sizeof(old), "%s", jar_get(&j, "access_token"));
    CHECK_EQ_INT(browse(&j, &r, "GET", "/account", NULL, NULL), 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK(strstr(r.body, id) != NULL);
    CHECK_NOT_NULL(csrf_of(&r, csrf, sizeof(csrf)));
    it_resp_free(&r);
    snprintf(form, sizeof(form), "_csrf=%s", csrf);
    CHECK_EQ_INT(browse(&j, &r, "POST", "/logout", form, NULL), 0);
    CHECK_EQ_INT(r.status, 303);
    CHECK_EQ_STR(it_header(&r, "Location", line, sizeof(line)), "/");
    CHECK_NOT_NULL(set_cookie(&r, "access_token", line, sizeof(line)));
    CHECK(strstr(line, "Max-Age=0") != NULL);
    CHECK_NOT_NULL(set_cookie(&r, "refresh_token", line, sizeof(line)));
    CHECK(strstr(line, "Max-Age=0") != NULL);
    CHECK_NOT_NULL(set_cookie(&r, "access_type", line, sizeof(line)));
    CHECK(strstr(line, "Max-Age=0") != NULL);
    it_resp_free(&r);
    /* The gateway's verdict cache (AGORA_GATEWAY_AUTH_CACHE_S) is the logout delay. */
    struct timespec ts = {2, 600 * 1000 * 1000};
    nanosleep(&ts, NULL);
    char url[600];
    snprintf(url, sizeof(url), "%s/api/members/%s", it_url("GATEWAY"), id);
    CHECK_EQ_INT(it_request(&r, "GET", url, old, NULL, NULL, NULL), 0);
    CHECK_EQ_INT(r.status, 401);
    it_resp_free(&r);
    /* Signed out: my account sends the visitor to log in. */
    CHECK_EQ_INT(browse(&j, &r, "GET", "/account", NULL, NULL), 0);
    CHECK_EQ_INT(r.status, 303);
    CHECK_EQ_STR(it_header(&r, "Location", line, sizeof(line)), "/login?next=/account");
    it_resp_free(&r);
}

/* The BFF's login answers the member and sets the cookies; no token reaches the script. */
TEST(bff_login_keeps_tokens_in_cookies)
{
    struct jar j, k;
    struct it_resp r;
    char id[40], csrf[64], hdr[96], body[256];

    CHECK_EQ_INT(sign_up(&j, id, sizeof(id)), 303);
    CHECK_EQ_INT(first_view(&k, "/login", csrf, sizeof(csrf)), 0);
    snprintf(hdr, sizeof(hdr), "X-CSRF-Token: %s", csrf);
    const char *const h[] = {hdr, "Content-Type: application/json", NULL};
    snprintf(body, sizeof(body), "{\"id\":\"%s\",\"password\":\"" PASSWORD "\"}", id);
    CHECK_EQ_INT(browse(&k, &r, "POST", "/api/auth/login", body, h), 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK(strstr(r.body, "access_token") == NULL && strstr(r.body, "refresh_token") == NULL);
    CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(r.json, "data"), "id")), id);
    CHECK_EQ_STR(jar_get(&k, "access_type"), "user");
    it_resp_free(&r);
    /* Wrong password: auth's own 401 envelope comes back. */
    snprintf(body, sizeof(body), "{\"id\":\"%s\",\"password\":\"wrong-password\"}", id);
    struct jar g;
    CHECK_EQ_INT(first_view(&g, "/login", csrf, sizeof(csrf)), 0);
    snprintf(hdr, sizeof(hdr), "X-CSRF-Token: %s", csrf);
    CHECK_EQ_INT(browse(&g, &r, "POST", "/api/auth/login", body, h), 0);
    CHECK_EQ_INT(r.status, 401);
    CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(r.json, "error"), "code")),
                 "AUTH_1001");
    it_resp_free(&r);
}

/* Languages, redirects that stay on the site, not-found and static pages. */
TEST(pages_languages_and_assets)
{
    struct it_resp r;
    char buf[256];

    const char *const en[] = {"Accept-Language: en-US,en;q=0.9", NULL};
    CHECK_EQ_INT(it_request(&r, "GET", web("/login"), NULL, NULL, NULL, en), 0);
    CHECK(strstr(r.body, "<html lang=\"en\">") != NULL);
    it_resp_free(&r);
    CHECK_EQ_INT(it_request(&r, "GET", web("/lang/en?next=/signup"), NULL, NULL, NULL, NULL), 0);
    CHECK_EQ_INT(r.status, 303);
    CHECK_EQ_STR(it_header(&r, "Location", buf, sizeof(buf)), "/signup");
    CHECK(strstr(r.headers, "Set-Cookie: lang=en;") != NULL);
    it_resp_free(&r);
    const char *const cookie_en[] = {"Cookie: lang=en", NULL};
    CHECK_EQ_INT(it_request(&r, "GET", web("/"), NULL, NULL, NULL, cookie_en), 0);
    CHECK(strstr(r.body, "<html lang=\"en\">") != NULL);
    it_resp_free(&r);
    CHECK_EQ_INT(
        it_request(&r, "GET", web("/lang/en?next=//evil.example/x"), NULL, NULL, NULL, NULL), 0);
    CHECK_EQ_STR(it_header(&r, "Location", buf, sizeof(buf)), "/");
    it_resp_free(&r);
    CHECK_EQ_INT(it_request(&r, "GET", web("/lang/xx"), NULL, NULL, NULL, NULL), 0);
    CHECK_EQ_INT(r.status, 404);
    it_resp_free(&r);
    CHECK_EQ_INT(it_request(&r, "GET", web("/no/such/page"), NULL, NULL, NULL, NULL), 0);
    CHECK_EQ_INT(r.status, 404);
    CHECK(strstr(it_header(&r, "Content-Type", buf, sizeof(buf)), "text/html") != NULL);
    CHECK_EQ_STR(it_header(&r, "X-Frame-Options", buf, sizeof(buf)), "DENY");
    it_resp_free(&r);
    /* The layout links the assets with their hash: served for a year, immutable. */
    CHECK_EQ_INT(it_request(&r, "GET", web("/login"), NULL, NULL, NULL, NULL), 0);
    const char *css = strstr(r.body, "/static/app.css?v=");
    CHECK_NOT_NULL(css);
    char path[128];
    snprintf(path, sizeof(path), "%.*s", (int)strcspn(css, "\""), css);
    CHECK_NOT_NULL(strstr(r.body, "/static/htmx.min.js?v="));
    it_resp_free(&r);
    CHECK_EQ_INT(it_request(&r, "GET", web(path), NULL, NULL, NULL, NULL), 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK(strstr(it_header(&r, "Cache-Control", buf, sizeof(buf)), "immutable") != NULL);
    it_resp_free(&r);
    CHECK_EQ_INT(it_request(&r, "GET", web("/static/htmx.min.js"), NULL, NULL, NULL, NULL), 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK(r.len > 10000);
    it_resp_free(&r);
}

/* The admin page lists members for an admin; a member gets 403, a guest the login page. */
TEST(admin_page_for_admins_only)
{
    struct jar admin, user, guest;
    struct it_resp r;
    char path[1024], password[128] = "", id[40], buf[128];

    snprintf(path, sizeof(path), "%s/var/test/keys/admin-password", getenv("AGORA_SOURCE_DIR"));
    FILE *f = fopen(path, "r");
    CHECK_NOT_NULL(f);
    CHECK_NOT_NULL(fgets(password, sizeof(password), f));
    fclose(f);
    password[strcspn(password, "\n")] = '\0';
    CHECK_EQ_INT(log_in(&admin, "admin", password), 303);
    CHECK_EQ_INT(browse(&admin, &r, "GET", "/admin", NULL, NULL), 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK(strstr(r.body, "id=\"member-table\"") != NULL);
    CHECK(strstr(r.body, "<td>admin</td>") != NULL);
    CHECK(strstr(r.body, "href=\"/admin\"") != NULL); /* the header links it for admins */
    it_resp_free(&r);
    CHECK_EQ_INT(sign_up(&user, id, sizeof(id)), 303);
    CHECK_EQ_INT(browse(&user, &r, "GET", "/admin", NULL, NULL), 0);
    CHECK_EQ_INT(r.status, 403);
    CHECK(strstr(r.body, "href=\"/admin\"") == NULL);
    it_resp_free(&r);
    memset(&guest, 0, sizeof(guest));
    CHECK_EQ_INT(browse(&guest, &r, "GET", "/admin", NULL, NULL), 0);
    CHECK_EQ_INT(r.status, 303);
    CHECK_EQ_STR(it_header(&r, "Location", buf, sizeof(buf)), "/login?next=/admin");
    it_resp_free(&r);
}

/*
 * The gateway takes the client's address from X-Real-IP when web (a trusted proxy, here
 * 127.0.0.1) sends it, so visitors do not share web's address and its rate limit.
 */
TEST(gateway_takes_the_visitors_address_from_web)
{
    struct it_resp r;
    char url[128], rid[40], want[80], path[1024], line[4096];

    it_unique(rid, sizeof(rid), "realip");
    char h_rid[64];
    snprintf(h_rid, sizeof(h_rid), "X-Request-Id: %s", rid);
    const char *const h[] = {"X-Real-IP: 198.51.100.23", h_rid, NULL};
    snprintf(url, sizeof(url), "%s/api/members/nobody", it_url("GATEWAY"));
    CHECK_EQ_INT(it_request(&r, "GET", url, NULL, NULL, NULL, h), 0);
    CHECK_EQ_INT(r.status, 401);
    it_resp_free(&r);
    /* The access log is flushed every second. */
    snprintf(path, sizeof(path), "%s/var/test/log/gateway-access.log", getenv("AGORA_SOURCE_DIR"));
    snprintf(want, sizeof(want), "\"request_id\":\"%s\"", rid);
    int found = 0;
    for (int i = 0; i < 30 && !found; i++) {
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
        FILE *f = fopen(path, "r");
        while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
            if (strstr(line, want) != NULL) {
                found = 1;
                CHECK(strstr(line, "\"remote_addr\":\"198.51.100.23\"") != NULL);
            }
        }
        if (f != NULL) {
            fclose(f);
        }
    }
    CHECK(found);
}

/* A second web on port 23001 with its own settings; its pid once it answers, else -1. */
static pid_t
web_start(const char *public_url, const char *guest_per_min, const char *trusted)
{
    char url[300], guests[64], proxies[300];
    snprintf(url, sizeof(url), "AGORA_PUBLIC_URL=%s", public_url);
    snprintf(guests, sizeof(guests), "AGORA_WEB_GUEST_PER_MIN=%s", guest_per_min);
    snprintf(proxies, sizeof(proxies), "AGORA_WEB_TRUSTED_PROXIES=%s", trusted);
    const char *const env[] = {url, guests, proxies, "AGORA_ACCESS_LOG=false", NULL};
    return it_service_start("web", "23001", env);
}

/* With an https AGORA_PUBLIC_URL every cookie is Secure. */
TEST(https_public_url_makes_cookies_secure)
{
    struct it_resp r;
    char line[1400];

    pid_t pid = web_start("https://shop.example", "600", "none");
    CHECK(pid > 0);
    CHECK_EQ_INT(it_request(&r, "GET", "http://127.0.0.1:23001/", NULL, NULL, NULL, NULL), 0);
    CHECK_EQ_INT(r.status, 200);
    static const char *const names[] = {"access_token", "refresh_token", "access_type",
                                        "csrf_token"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        CHECK_NOT_NULL(set_cookie(&r, names[i], line, sizeof(line)));
        CHECK(strstr(line, "; Secure") != NULL);
    }
    it_resp_free(&r);
    CHECK(it_service_stop(pid));
}

/* First views past AGORA_WEB_GUEST_PER_MIN from one address get the page, not a session. */
TEST(guest_sessions_limited_per_address)
{
    struct it_resp r;
    char line[1400];
    int sessions = 0;

    pid_t pid = web_start("http://localhost:23001", "3", "none");
    CHECK(pid > 0);
    for (int i = 0; i < 7; i++) {
        CHECK_EQ_INT(it_request(&r, "GET", "http://127.0.0.1:23001/", NULL, NULL, NULL, NULL), 0);
        CHECK_EQ_INT(r.status, 200);
        sessions += set_cookie(&r, "access_token", line, sizeof(line)) != NULL;
        it_resp_free(&r);
    }
    CHECK(it_service_stop(pid));
    /* Three within the minute; a minute boundary in between allows three more, never seven. */
    CHECK(sessions >= 3 && sessions < 7);
}

/* Guest sessions counted per address: views from 'n' addresses named in X-Real-IP. */
static int
guest_sessions_from(int n)
{
    struct it_resp r;
    char line[1400], real[64];
    int sessions = 0;
    for (int i = 0; i < n; i++) {
        snprintf(real, sizeof(real), "X-Real-IP: 198.51.100.%d", 60 + i);
        const char *const h[] = {real, NULL};
        it_request(&r, "GET", "http://127.0.0.1:23001/", NULL, NULL, NULL, h);
        sessions += r.status == 200 && set_cookie(&r, "access_token", line, sizeof(line)) != NULL;
        it_resp_free(&r);
    }
    return sessions;
}

/*
 * Behind a proxy that web trusts (AGORA_WEB_TRUSTED_PROXIES: an ingress controller), each
 * visitor counts at the address the proxy names; from anyone else X-Real-IP is ignored.
 */
TEST(guest_limit_counts_the_address_a_trusted_proxy_names)
{
    pid_t pid = web_start("http://localhost:23001", "1", "127.0.0.1");
    CHECK(pid > 0);
    CHECK_EQ_INT(guest_sessions_from(5), 5);
    CHECK(it_service_stop(pid));
    /* The default trusts no one: the five views share the peer's one session a minute. */
    pid = web_start("http://localhost:23001", "1", "none");
    CHECK(pid > 0);
    int shared = guest_sessions_from(5);
    CHECK(shared >= 1 && shared <= 2); /* a minute boundary in between allows one more */
    CHECK(it_service_stop(pid));
}

static const struct ag_test tests[] = {
    TEST_ENTRY(first_view_guest_cookies_and_headers),
    TEST_ENTRY(csrf_and_origin_refused),
    TEST_ENTRY(signup_double_submit_makes_one_member),
    TEST_ENTRY(signup_validation_errors_on_fields),
    TEST_ENTRY(bff_refreshes_once_and_retries),
    TEST_ENTRY(logout_clears_cookies_and_the_token_is_refused),
    TEST_ENTRY(bff_login_keeps_tokens_in_cookies),
    TEST_ENTRY(pages_languages_and_assets),
    TEST_ENTRY(admin_page_for_admins_only),
    TEST_ENTRY(https_public_url_makes_cookies_secure),
    TEST_ENTRY(guest_sessions_limited_per_address),
    TEST_ENTRY(gateway_takes_the_visitors_address_from_web),
    TEST_ENTRY(guest_limit_counts_the_address_a_trusted_proxy_names),
};

int
main(int argc, char **argv)
{
    it_init();
    int rc = ag_test_main_(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
    it_cleanup();
    return rc;
}
