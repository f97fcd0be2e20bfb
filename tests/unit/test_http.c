/*
 * The HTTP module: target parsing, percent-decoding, route matching, and a real server on an
 * ephemeral port exercising auth levels, body limits, envelopes, request ids, duplicate
 * headers and handler errors, spoken to with libcurl.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "ag_test.h"

#include "agora/err.h"
#include "agora/http.h"
#include "agora/log.h"
#include "agora/mem.h"

TEST(uri_parse_paths_and_queries)
{
    struct ag_arena a;
    struct ag_uri u;
    ag_arena_init(&a);

    const char *t = "/api/members/h%C3%A9llo?skip=10&take=5&q=a+b%26c&flag&=x";
    CHECK_EQ_INT(ag_uri_parse(&a, t, strlen(t), &u), 0);
    CHECK_EQ_MEM(u.path.ptr, u.path.len, "/api/members/h\xc3\xa9llo", 19);
    CHECK_EQ_INT(u.nargs, 5);
    CHECK_EQ_STR(u.values[0].ptr, "10");
    CHECK_EQ_STR(u.values[2].ptr, "a b&c");
    CHECK_EQ_STR(u.keys[3].ptr, "flag");
    CHECK_EQ_STR(u.values[3].ptr, "");
    CHECK_EQ_STR(u.keys[4].ptr, "");
    ag_arena_release(&a);
}

TEST(uri_parse_rejects_hostile_targets)
{
    struct ag_arena a;
    struct ag_uri u;
    const char *bad[] = {
        "",       "api/members", "/a%",    "/a%4",     "/a%zz",   "/a%00b",
        "/a%2Fb", "/a%2fb",      "/a?x=%", "/a?x=%g0", "/a#frag", "*",
    };
    ag_arena_init(&a);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = ag_uri_parse(&a, bad[i], strlen(bad[i]), &u);
        if (rc != AG_EINVAL) {
            fprintf(stderr, "accepted '%s'\n", bad[i]);
        }
        CHECK_EQ_INT(rc, AG_EINVAL);
    }
    /* Too long, and too many arguments. */
    char *big = ag_xmalloc(AG_MAX_URI + 2);
    memset(big, 'a', AG_MAX_URI + 1);
    big[0] = '/';
    big[AG_MAX_URI + 1] = '\0';
    CHECK_EQ_INT(ag_uri_parse(&a, big, strlen(big), &u), AG_ETOOLARGE);
    char many[1024] = "/a?";
    for (int i = 0; i <= AG_MAX_QUERY_ARGS; i++) {
        strcat(many, "k=v&");
    }
    CHECK_EQ_INT(ag_uri_parse(&a, many, strlen(many), &u), AG_EINVAL);
    ag_free(big);
    ag_arena_release(&a);
}

TEST(percent_decode)
{
    char out[32];
    CHECK_EQ_INT(ag_percent_decode("a%20b+c", 7, out, 0), 5);
    CHECK_EQ_STR(out, "a b+c");
    CHECK_EQ_INT(ag_percent_decode("a%20b+c", 7, out, 1), 5);
    CHECK_EQ_STR(out, "a b c");
    CHECK_EQ_INT(ag_percent_decode("%", 1, out, 0), -1);
    CHECK_EQ_INT(ag_percent_decode("%a", 2, out, 0), -1);
    CHECK_EQ_INT(ag_percent_decode("%GG", 3, out, 0), -1);
    CHECK_EQ_INT(ag_percent_decode("%fF", 3, out, 0), 1);
    CHECK_EQ_INT((unsigned char)out[0], 0xff);
}

TEST(route_match)
{
    struct ag_str names[AG_MAX_PARAMS], values[AG_MAX_PARAMS];
    size_t n = 99;

    CHECK(ag_route_match("/api/members/{id}", AG_STR("/api/members/bob"), names, values, &n));
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_MEM(names[0].ptr, names[0].len, "id", 2);
    CHECK_EQ_MEM(values[0].ptr, values[0].len, "bob", 3);
    CHECK(ag_route_match("/api/members/{id}/addresses/{addressId}",
                         AG_STR("/api/members/bob/addresses/42"), names, values, &n));
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_MEM(values[1].ptr, values[1].len, "42", 2);
    CHECK(!ag_route_match("/api/members/{id}", AG_STR("/api/members/"), names, values, &n));
    CHECK(!ag_route_match("/api/members/{id}", AG_STR("/api/members/a/b"), names, values, &n));
    CHECK(!ag_route_match("/api/members", AG_STR("/api/members/"), names, values, &n));
    CHECK(!ag_route_match("/api/members", AG_STR("/api/member"), names, values, &n));
    CHECK(ag_route_match("/api/members", AG_STR("/api/members"), names, values, &n));
    CHECK_EQ_INT(n, 0);
    /* A last {name*} takes the rest, slashes too, but never nothing. */
    CHECK(ag_route_match("/api/{rest*}", AG_STR("/api/members/bob/addresses"), names, values, &n));
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_MEM(names[0].ptr, names[0].len, "rest", 4);
    CHECK_EQ_MEM(values[0].ptr, values[0].len, "members/bob/addresses", 21);
    CHECK(!ag_route_match("/api/{rest*}", AG_STR("/api/"), names, values, &n));
    CHECK(!ag_route_match("/api/{rest*}", AG_STR("/apix/a"), names, values, &n));
    /* Not last: a '*' name is an ordinary one-segment parameter. */
    CHECK(!ag_route_match("/a/{x*}/b", AG_STR("/a/1/2/b"), names, values, &n));
}

TEST(form_parse)
{
    struct ag_arena a;
    struct ag_uri f;
    ag_arena_init(&a);
    const char body[] = "id=bob&name=Kim+Min%2Dji&empty=&flag&email=a%40b.kr&id=second";
    CHECK_EQ_INT(ag_form_parse(&a, body, strlen(body), &f), 0);
    CHECK_EQ_STR(ag_form_get(&f, "id"), "bob");
    CHECK_EQ_STR(ag_form_get(&f, "name"), "Kim Min-ji");
    CHECK_EQ_STR(ag_form_get(&f, "empty"), "");
    CHECK_EQ_STR(ag_form_get(&f, "flag"), "");
    CHECK_EQ_STR(ag_form_get(&f, "email"), "a@b.kr");
    CHECK(ag_form_get(&f, "missing") == NULL);
    CHECK_EQ_INT(ag_form_parse(&a, "", 0, &f), 0);
    CHECK_EQ_INT(f.nargs, 0);
    CHECK_EQ_INT(ag_form_parse(&a, "a=%zz", 5, &f), AG_EINVAL);
    char *big = ag_xmalloc(AG_MAX_FORM + 2);
    memset(big, 'a', AG_MAX_FORM + 1);
    CHECK_EQ_INT(ag_form_parse(&a, big, AG_MAX_FORM + 1, &f), AG_ETOOLARGE);
    ag_free(big);
    ag_arena_release(&a);
}

TEST(idempotency_key_format)
{
    CHECK_EQ_INT(ag_idem_key_valid("abcdefgh"), 0);
    CHECK_EQ_INT(ag_idem_key_valid("A-b_c-1234567890"), 0);
    CHECK_EQ_INT(ag_idem_key_valid("abcdefg"), AG_EINVAL);
    CHECK_EQ_INT(ag_idem_key_valid("abcd efgh"), AG_EINVAL);
    CHECK_EQ_INT(ag_idem_key_valid("abcdefgh\xc3\xa9"), AG_EINVAL);
    char k[140];
    memset(k, 'k', 128);
    k[128] = '\0';
    CHECK_EQ_INT(ag_idem_key_valid(k), 0);
    k[128] = 'k';
    k[129] = '\0';
    CHECK_EQ_INT(ag_idem_key_valid(k), AG_EINVAL);
}

/* A small service for the server tests. */

static int
h_echo(struct ag_req *req)
{
    json_t *body;
    int rc = ag_req_json_or_reply(req, &body);
    if (rc < 0) {
        return rc;
    }
    return ag_reply_json(req, 201, json_deep_copy(body));
}

static int
h_whoami(struct ag_req *req)
{
    struct ag_str id = ag_req_param(req, "id");
    const char *q = ag_req_query(req, "q");
    ag_reply_header(req, "X-Test", "yes");
    return ag_reply_json(
        req, 200,
        json_pack("{s:s,s:s,s:s%,s:s?}", "sub", req->auth.sub, "role",
                  ag_role_name(req->auth.role) ? ag_role_name(req->auth.role) : "none", "id",
                  id.ptr ? id.ptr : "", id.len, "q", q));
}

static int
h_fail(struct ag_req *req)
{
    (void)req;
    return AG_EUNAVAIL;
}

static int
h_forget(struct ag_req *req)
{
    (void)req;
    return 0; /* sets no response: a bug the router must turn into a 500 */
}

static int
h_conflict(struct ag_req *req)
{
    return ag_reply_error_details(req, AG_ECONFLICT, json_pack("{s:s}", "field", "name"),
                                  "name '%s' is taken", "bob");
}

static int
h_slow(struct ag_req *req)
{
    struct timespec ts = {0, 400 * 1000 * 1000};
    nanosleep(&ts, NULL);
    return ag_reply_json(req, 200, json_pack("{s:b}", "slow", 1));
}

static int
h_cookie(struct ag_req *req)
{
    const char *v = ag_req_cookie(req, "sid");
    return ag_reply_json(req, 200, json_pack("{s:s?,s:s}", "sid", v, "peer", ag_req_peer(req)));
}

static int
h_rest(struct ag_req *req)
{
    struct ag_str rest = ag_req_param(req, "rest");
    return ag_reply_json(
        req, 200,
        json_pack("{s:s%,s:s}", "rest", rest.ptr, rest.len, "target", ag_req_target(req)));
}

static int
h_fallback(struct ag_req *req)
{
    static const char page[] = "<p>no such page</p>";
    return ag_reply_raw(req, 404, "text/html; charset=utf-8", page, sizeof(page) - 1);
}

static const struct ag_route fallback_route = {AG_GET, "/*", h_fallback, AG_AUTH_NONE, 0, 0};
static const char *const every_response[] = {"X-Frame-Options", "DENY", NULL};

static const struct ag_route test_routes[] = {
    {AG_GET, "/tail/{rest*}", h_rest, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/slow", h_slow, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/cookie", h_cookie, AG_AUTH_NONE, 0, 0},
    {AG_POST, "/echo", h_echo, AG_AUTH_NONE, 64, 0},
    {AG_GET, "/public", h_whoami, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/any", h_whoami, AG_AUTH_ANY, 0, 0},
    {AG_GET, "/user", h_whoami, AG_AUTH_USER, 0, 0},
    {AG_GET, "/admin", h_whoami, AG_AUTH_ADMIN, 0, 0},
    {AG_GET, "/owner/{id}", h_whoami, AG_AUTH_OWNER, 0, 0},
    {AG_GET, "/internal", h_whoami, AG_AUTH_INTERNAL, 0, 0},
    {AG_GET, "/fail", h_fail, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/forget", h_forget, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/conflict", h_conflict, AG_AUTH_NONE, 0, 0},
};

static struct ag_jwt jwt;
static struct ag_jwt signer;
static struct ag_server *srv;
static char base[64];

static const char spec[] = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n";

static struct ag_service svc;

static void
server_up(void)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];

    if (srv != NULL) {
        return;
    }
    ag_log_init("test", AG_LOG_ERROR);
    crypto_sign_keypair(pk, sk);
    ag_jwt_init(&jwt, "agora-auth", "agora", 64);
    ag_jwt_add_key(&jwt, "k1", pk, NULL);
    ag_jwt_init(&signer, "agora-auth", "agora", 0);
    ag_jwt_add_key(&signer, "k1", pk, sk);
    svc = (struct ag_service){
        .name = "test",
        .routes = test_routes,
        .nroutes = sizeof(test_routes) / sizeof(test_routes[0]),
        .openapi_yaml = spec,
        .jwt = &jwt,
        .internal_token = "s3cret",
        .bind = "127.0.0.1",
        .port = 0,
        .threads = 2,
    };
    if (ag_server_start(&svc, &srv) != 0) {
        fprintf(stderr, "cannot start the test server\n");
        exit(1);
    }
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", ag_server_port(srv));
}

static char *
token(const char *sub, enum ag_role role)
{
    struct ag_jwt_claims c;
    char buf[1024];
    memset(&c, 0, sizeof(c));
    snprintf(c.sub, sizeof(c.sub), "%s", sub);
    snprintf(c.sid, sizeof(c.sid), "sid-1");
    c.role = role;
    c.iat = time(NULL);
    c.exp = c.iat + 600;
    ag_jwt_sign(&signer, &c, buf, sizeof(buf));
    return ag_xstrdup(buf);
}

struct resp {
    long status;
    char body[4096];
    size_t len;
    char headers[4096];
    size_t hlen;
    json_t *json;
};

static size_t
collect(char *p, size_t size, size_t n, void *userdata, int header)
{
    struct resp *r = userdata;
    size_t total = size * n;
    char *dst = header ? r->headers : r->body;
    size_t *len = header ? &r->hlen : &r->len;
    size_t room = 4095 - *len;
    size_t take = total < room ? total : room;
    memcpy(dst + *len, p, take);
    *len += take;
    dst[*len] = '\0';
    return total;
}

static size_t
collect_body(char *p, size_t size, size_t n, void *u)
{
    return collect(p, size, n, u, 0);
}

static size_t
collect_header(char *p, size_t size, size_t n, void *u)
{
    return collect(p, size, n, u, 1);
}

/* One request; 'headers' NULL-terminated. Returns the status. */
static long
call(struct resp *r, const char *method, const char *path, const char *body,
     const char *const *headers)
{
    char url[512];
    struct curl_slist *list = NULL;
    CURL *c = curl_easy_init();

    server_up();
    memset(r, 0, sizeof(*r));
    snprintf(url, sizeof(url), "%s%s", base, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    list = curl_slist_append(list, "Expect:");
    for (size_t i = 0; headers != NULL && headers[i] != NULL; i++) {
        list = curl_slist_append(list, headers[i]);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    json_decref(r->json);
    r->json = json_loadb(r->body, r->len, 0, NULL);
    return r->status;
}

static const char *
err_code(const struct resp *r)
{
    return json_string_value(json_object_get(json_object_get(r->json, "error"), "code"));
}

static int
has_header(const struct resp *r, const char *line)
{
    return strcasestr(r->headers, line) != NULL;
}

TEST(server_envelopes_and_request_ids)
{
    struct resp r;
    const char *const rid[] = {"X-Request-Id: my-id.42", NULL};
    const char *const badrid[] = {"X-Request-Id: bad id with spaces", NULL};

    CHECK_EQ_INT(call(&r, "GET", "/public?q=x%20y", NULL, rid), 200);
    CHECK(json_is_true(json_object_get(r.json, "success")));
    CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(r.json, "data"), "q")), "x y");
    CHECK(has_header(&r, "X-Request-Id: my-id.42\r\n"));
    CHECK(has_header(&r, "X-Test: yes\r\n"));
    CHECK(has_header(&r, "Content-Type: application/json"));
    json_decref(r.json);
    CHECK_EQ_INT(call(&r, "GET", "/public", NULL, badrid), 200);
    CHECK(!has_header(&r, "bad id"));
    CHECK(has_header(&r, "X-Request-Id: "));
    json_decref(r.json);
    CHECK_EQ_INT(call(&r, "GET", "/nope", NULL, NULL), 404);
    CHECK_EQ_STR(err_code(&r), "VAL_2005");
    CHECK(json_is_false(json_object_get(r.json, "success")));
    CHECK_NOT_NULL(json_string_value(json_object_get(r.json, "timestamp")));
    CHECK(json_object_get(json_object_get(r.json, "error"), "details") != NULL);
    json_decref(r.json);
    CHECK_EQ_INT(call(&r, "DELETE", "/public", NULL, NULL), 405);
    CHECK_EQ_STR(err_code(&r), "VAL_2004");
    CHECK(has_header(&r, "Allow: "));
    json_decref(r.json);
    CHECK_EQ_INT(call(&r, "GET", "/pub%zzlic", NULL, NULL), 400);
    json_decref(r.json);
}

TEST(server_auth_levels)
{
    struct resp r;
    char h[1200];
    char *user = token("alice", AG_ROLE_USER), *admin = token("root", AG_ROLE_ADMIN),
         *guest = token("guest:1", AG_ROLE_GUEST);
    const char *const none[] = {NULL};
    const char *const hu[] = {h, NULL};

    CHECK_EQ_INT(call(&r, "GET", "/any", NULL, none), 401);
    CHECK_EQ_STR(err_code(&r), "AUTH_1001");
    json_decref(r.json);
    snprintf(h, sizeof(h), "Authorization: Bearer %s", guest);
    CHECK_EQ_INT(call(&r, "GET", "/any", NULL, hu), 200);
    json_decref(r.json);
    CHECK_EQ_INT(call(&r, "GET", "/user", NULL, hu), 403);
    CHECK_EQ_STR(err_code(&r), "AUTH_1003");
    json_decref(r.json);
    snprintf(h, sizeof(h), "Authorization: bearer %s", user);
    CHECK_EQ_INT(call(&r, "GET", "/user", NULL, hu), 200);
    CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(r.json, "data"), "sub")),
                 "alice");
    json_decref(r.json);
    CHECK_EQ_INT(call(&r, "GET", "/admin", NULL, hu), 403);
    json_decref(r.json);
    CHECK_EQ_INT(call(&r, "GET", "/owner/alice", NULL, hu), 200);
    json_decref(r.json);
    CHECK_EQ_INT(call(&r, "GET", "/owner/bob", NULL, hu), 403);
    json_decref(r.json);
    snprintf(h, sizeof(h), "Authorization: Bearer %s", admin);
    CHECK_EQ_INT(call(&r, "GET", "/owner/bob", NULL, hu), 200);
    json_decref(r.json);
    CHECK_EQ_INT(call(&r, "GET", "/admin", NULL, hu), 200);
    json_decref(r.json);
    snprintf(h, sizeof(h), "Authorization: Basic %s", "YWxpY2U6cHc=");
    CHECK_EQ_INT(call(&r, "GET", "/user", NULL, hu), 401);
    json_decref(r.json);
    snprintf(h, sizeof(h), "Authorization: Bearer %s", "a.b.c");
    CHECK_EQ_INT(call(&r, "GET", "/user", NULL, hu), 401);
    json_decref(r.json);
    /* Internal token: right, wrong, absent; a Bearer token does not open it. */
    snprintf(h, sizeof(h), "X-Internal-Token: s3cret");
    CHECK_EQ_INT(call(&r, "GET", "/internal", NULL, hu), 200);
    json_decref(r.json);
    snprintf(h, sizeof(h), "X-Internal-Token: s3cre");
    CHECK_EQ_INT(call(&r, "GET", "/internal", NULL, hu), 401);
    json_decref(r.json);
    snprintf(h, sizeof(h), "Authorization: Bearer %s", admin);
    CHECK_EQ_INT(call(&r, "GET", "/internal", NULL, hu), 401);
    json_decref(r.json);
    ag_free(user);
    ag_free(admin);
    ag_free(guest);
}

TEST(server_duplicate_headers_refused)
{
    struct resp r;
    char a[1200], b[1200];
    char *user = token("alice", AG_ROLE_USER);
    snprintf(a, sizeof(a), "Authorization: Bearer %s", user);
    snprintf(b, sizeof(b), "authorization: Bearer %s", user);
    const char *const dup[] = {a, b, NULL};
    CHECK_EQ_INT(call(&r, "GET", "/user", NULL, dup), 400);
    CHECK(strstr(r.body, "Authorization") != NULL);
    json_decref(r.json);
    const char *const dup_rid[] = {"X-Request-Id: a", "X-Request-Id: b", NULL};
    CHECK_EQ_INT(call(&r, "GET", "/public", NULL, dup_rid), 400);
    json_decref(r.json);
    ag_free(user);
}

TEST(server_bodies)
{
    struct resp r;
    const char *const json_ct[] = {"Content-Type: application/json; charset=utf-8", NULL};
    const char *const text_ct[] = {"Content-Type: text/plain", NULL};

    CHECK_EQ_INT(call(&r, "POST", "/echo", "{\"a\":[1,2]}", json_ct), 201);
    CHECK_EQ_STR(r.body, "{\"success\":true,\"data\":{\"a\":[1,2]}}");
    json_decref(r.json);
    CHECK_EQ_INT(call(&r, "POST", "/echo", "{\"a\":1}", text_ct), 415);
    json_decref(r.json);
    CHECK_EQ_INT(call(&r, "POST", "/echo", "{\"a\":", json_ct), 400);
    CHECK_EQ_STR(err_code(&r), "VAL_2001");
    json_decref(r.json);
    CHECK_EQ_INT(call(&r, "POST", "/echo", "", json_ct), 400);
    json_decref(r.json);
    /* Over the route's 64-byte limit, declared by Content-Length. */
    CHECK_EQ_INT(call(&r, "POST", "/echo",
                      "{\"a\":\"0123456789012345678901234567890123456789012345678901234567890\"}",
                      json_ct),
                 413);
    CHECK_EQ_STR(err_code(&r), "VAL_2002");
    json_decref(r.json);
    /* A body on a route that takes none. */
    CHECK_EQ_INT(call(&r, "GET", "/public", "x", json_ct), 413);
    json_decref(r.json);
}

TEST(server_chunked_body_over_limit)
{
    struct resp r;
    const char *const chunked[] = {"Content-Type: application/json", "Transfer-Encoding: chunked",
                                   NULL};
    char body[200];
    memset(body, ' ', sizeof(body) - 1);
    body[0] = '{';
    body[sizeof(body) - 2] = '}';
    body[sizeof(body) - 1] = '\0';
    CHECK_EQ_INT(call(&r, "POST", "/echo", body, chunked), 413);
    json_decref(r.json);
}

TEST(server_handler_errors)
{
    struct resp r;
    CHECK_EQ_INT(call(&r, "GET", "/fail", NULL, NULL), 503);
    CHECK_EQ_STR(err_code(&r), "SYS_5002");
    json_decref(r.json);
    CHECK_EQ_INT(call(&r, "GET", "/forget", NULL, NULL), 500);
    CHECK_EQ_STR(err_code(&r), "SYS_5001");
    json_decref(r.json);
    CHECK_EQ_INT(call(&r, "GET", "/conflict", NULL, NULL), 409);
    CHECK_EQ_STR(err_code(&r), "BIZ_3002");
    CHECK(strstr(r.body, "name 'bob' is taken") != NULL);
    CHECK_EQ_STR(json_string_value(json_object_get(
                     json_object_get(json_object_get(r.json, "error"), "details"), "field")),
                 "name");
    json_decref(r.json);
}

TEST(server_builtin_routes)
{
    struct resp r;
    CHECK_EQ_INT(call(&r, "GET", "/no-such-path", NULL, NULL), 404);
    json_decref(r.json);
    CHECK_EQ_INT(call(&r, "GET", "/healthz", NULL, NULL), 200);
    json_decref(r.json);
    CHECK_EQ_INT(call(&r, "GET", "/readyz", NULL, NULL), 200); /* no db or redis to check */
    json_decref(r.json);
    CHECK_EQ_INT(call(&r, "GET", "/openapi.json", NULL, NULL), 200);
    CHECK_EQ_STR(json_string_value(json_object_get(r.json, "openapi")), "3.0.3");
    json_decref(r.json);
    CHECK_EQ_INT(call(&r, "GET", "/docs", NULL, NULL), 200);
    CHECK(strstr(r.body, "<!doctype html>") != NULL);
    json_decref(r.json);
    CHECK_EQ_INT(call(&r, "GET", "/metrics", NULL, NULL), 200);
    CHECK(strstr(r.body, "agora_http_requests_total{service=\"test\",method=\"GET\","
                         "route=\"/healthz\",status=\"200\"}") != NULL);
    CHECK(strstr(r.body, "route=\"unmatched\"") != NULL);
    json_decref(r.json);
}

TEST(server_cookies_and_peer)
{
    struct resp r;
    const char *const cookie[] = {"Cookie: theme=dark; sid=abc123; x=1", NULL};
    CHECK_EQ_INT(call(&r, "GET", "/cookie", NULL, cookie), 200);
    json_t *d = json_object_get(r.json, "data");
    CHECK_EQ_STR(json_string_value(json_object_get(d, "sid")), "abc123");
    CHECK_EQ_STR(json_string_value(json_object_get(d, "peer")), "127.0.0.1");
    json_decref(r.json);
    CHECK_EQ_INT(call(&r, "GET", "/cookie", NULL, NULL), 200);
    CHECK(json_is_null(json_object_get(json_object_get(r.json, "data"), "sid")) ||
          json_object_get(json_object_get(r.json, "data"), "sid") == NULL);
    json_decref(r.json);
}

/* The fallback answers unknown paths, any method; the service's headers go on every answer. */
TEST(server_fallback_tail_and_headers)
{
    static struct ag_service svc3;
    struct ag_server *s3 = NULL;
    char saved[sizeof(base)];
    struct resp r;

    server_up();
    svc3 = svc;
    svc3.fallback = &fallback_route;
    svc3.headers = every_response;
    CHECK_EQ_INT(ag_server_start(&svc3, &s3), 0);
    memcpy(saved, base, sizeof(base));
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", ag_server_port(s3));
    CHECK_EQ_INT(call(&r, "GET", "/tail/a/b%20c?x=1&y", NULL, NULL), 200);
    json_t *d = json_object_get(r.json, "data");
    CHECK_EQ_STR(json_string_value(json_object_get(d, "rest")), "a/b c");
    CHECK_EQ_STR(json_string_value(json_object_get(d, "target")), "/tail/a/b%20c?x=1&y");
    CHECK(has_header(&r, "X-Frame-Options: DENY"));
    json_decref(r.json);
    CHECK_EQ_INT(call(&r, "DELETE", "/no/such/page", NULL, NULL), 404);
    CHECK_EQ_STR(r.body, "<p>no such page</p>");
    CHECK(has_header(&r, "Content-Type: text/html"));
    CHECK(has_header(&r, "X-Frame-Options: DENY"));
    json_decref(r.json);
    /* A known path with another method is still 405, not the fallback. */
    CHECK_EQ_INT(call(&r, "DELETE", "/public", NULL, NULL), 405);
    CHECK(has_header(&r, "X-Frame-Options: DENY"));
    json_decref(r.json);
    memcpy(base, saved, sizeof(base));
    ag_server_stop(s3);
}

struct slow_call {
    struct resp r;
    char url[96];
};

static void *
slow_request(void *arg)
{
    struct slow_call *sc = arg;
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, sc->url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sc->r);
    curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &sc->r.status);
    curl_easy_cleanup(c);
    return NULL;
}

/* Stopping lets an in-flight request finish, then refuses new connections. */
TEST(server_graceful_stop)
{
    static struct ag_service svc2;
    struct ag_server *s2;
    struct slow_call sc;
    pthread_t th;

    server_up();
    svc2 = svc;
    svc2.port = 0;
    CHECK_EQ_INT(ag_server_start(&svc2, &s2), 0);
    memset(&sc, 0, sizeof(sc));
    snprintf(sc.url, sizeof(sc.url), "http://127.0.0.1:%d/slow", ag_server_port(s2));
    pthread_create(&th, NULL, slow_request, &sc);
    struct timespec ts = {0, 150 * 1000 * 1000};
    nanosleep(&ts, NULL); /* the request is inside its handler now */
    ag_server_stop(s2);
    pthread_join(th, NULL);
    CHECK_EQ_INT(sc.r.status, 200);
    CHECK(strstr(sc.r.body, "\"slow\":true") != NULL);
    /* Nothing listens any more. */
    memset(&sc.r, 0, sizeof(sc.r));
    slow_request(&sc);
    CHECK_EQ_INT(sc.r.status, 0);
}

static const struct ag_test tests[] = {
    TEST_ENTRY(uri_parse_paths_and_queries),
    TEST_ENTRY(uri_parse_rejects_hostile_targets),
    TEST_ENTRY(percent_decode),
    TEST_ENTRY(route_match),
    TEST_ENTRY(form_parse),
    TEST_ENTRY(idempotency_key_format),
    TEST_ENTRY(server_envelopes_and_request_ids),
    TEST_ENTRY(server_auth_levels),
    TEST_ENTRY(server_duplicate_headers_refused),
    TEST_ENTRY(server_bodies),
    TEST_ENTRY(server_chunked_body_over_limit),
    TEST_ENTRY(server_handler_errors),
    TEST_ENTRY(server_builtin_routes),
    TEST_ENTRY(server_cookies_and_peer),
    TEST_ENTRY(server_fallback_tail_and_headers),
    TEST_ENTRY(server_graceful_stop),
};

int
main(int argc, char **argv)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = ag_test_main_(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
    ag_server_stop(srv);
    ag_jwt_release(&jwt);
    ag_jwt_release(&signer);
    curl_global_cleanup();
    return rc;
}
