/*
 * The member API over HTTP against the real member service, PostgreSQL and Redis of the test
 * stack: every endpoint's success and error paths, owner/admin checks, idempotency.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "ag_test.h"
#include "itest.h"

#include "agora/mem.h"

static char url[256];

static const char *member_url(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The member service's URL for a printf-formatted path; valid until the next call. */
static const char *
member_url(const char *fmt, ...)
{
    char path[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    snprintf(url, sizeof(url), "%s%s", it_url("MEMBER"), path);
    return url;
}

/* Signs up 'id' with a guest token; returns the HTTP status. */
static long
signup(const char *id, const char *email, const char *password, struct it_resp *r)
{
    char body[512], key[40];
    char *guest = it_token("guest:itest", "guest", 600);
    snprintf(body, sizeof(body),
             "{\"id\":\"%s\",\"email\":\"%s\",\"name\":\"Test %s\",\"password\":\"%s\"}", id, email,
             id, password);
    it_unique(key, sizeof(key), "signup-");
    it_request(r, "POST", member_url("/api/members"), guest, key, body, NULL);
    ag_free(guest);
    return r->status;
}

/* A fresh member; its id goes into 'id' and a user token for it into '*token'. */
static int
new_member(char id[40], char **token)
{
    struct it_resp r;
    char email[80];
    it_unique(id, 40, "m");
    snprintf(email, sizeof(email), "%s@example.com", id);
    long st = signup(id, email, "correct horse", &r);
    it_resp_free(&r);
    *token = it_token(id, "user", 600);
    return st == 201 ? 0 : -1;
}

TEST(signup_and_read_back)
{
    struct it_resp r;
    char id[40], email[80];

    it_unique(id, sizeof(id), "Alice");
    snprintf(email, sizeof(email), "%s@Example.com", id);
    CHECK_EQ_INT(signup(id, email, "s3cret-pass", &r), 201);
    CHECK(json_is_true(json_object_get(r.json, "success")));
    /* Login ids are case-insensitive and stored lowercase. */
    for (char *p = id; *p; p++) {
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    }
    CHECK_EQ_STR(it_data_str(&r, "id"), id);
    CHECK_EQ_STR(it_data_str(&r, "email"), email);
    CHECK_EQ_STR(it_data_str(&r, "role"), "user");
    CHECK_NOT_NULL(it_data_str(&r, "createdAt"));
    CHECK(strstr(r.body, "password") == NULL);
    CHECK(strstr(r.body, "argon2") == NULL);
    it_resp_free(&r);

    char *tok = it_token(id, "user", 600);
    it_request(&r, "GET", member_url("/api/members/%s", id), tok, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    CHECK(strncmp(it_data_str(&r, "name"), "Test alice", 10) == 0 ||
          strncmp(it_data_str(&r, "name"), "Test Alice", 10) == 0);
    CHECK_EQ_STR(it_data_str(&r, "email"), email);
    it_resp_free(&r);
    ag_free(tok);
}

TEST(signup_needs_token_and_key)
{
    struct it_resp r;
    const char *body = "{\"id\":\"nokey1\",\"email\":\"nokey1@example.com\",\"name\":\"N\","
                       "\"password\":\"12345678\"}";
    it_request(&r, "POST", member_url("/api/members"), NULL, "abcdefgh12", body, NULL);
    CHECK_EQ_INT(r.status, 401);
    CHECK_EQ_STR(it_error_code(&r), "AUTH_1001");
    CHECK_NOT_NULL(json_string_value(json_object_get(r.json, "timestamp")));
    it_resp_free(&r);

    char *guest = it_token("guest:x", "guest", 600);
    it_request(&r, "POST", member_url("/api/members"), guest, NULL, body, NULL);
    CHECK_EQ_INT(r.status, 400);
    CHECK(strstr(r.body, "X-Idempotency-Key") != NULL);
    it_resp_free(&r);

    it_request(&r, "POST", member_url("/api/members"), guest, "short", body, NULL);
    CHECK_EQ_INT(r.status, 400);
    it_resp_free(&r);
    it_request(&r, "POST", member_url("/api/members"), guest, "has space in it", body, NULL);
    CHECK_EQ_INT(r.status, 400);
    it_resp_free(&r);
    ag_free(guest);
}

struct bad_case {
    const char *body;
    const char *field; /* NULL when the body as a whole is bad */
    long status;
};

TEST(signup_validation)
{
    static const struct bad_case cases[] = {
        {"{\"id\":\"ab\",\"email\":\"a@b.co\",\"name\":\"N\",\"password\":\"12345678\"}", "id",
         400},
        {"{\"id\":\"bad id!\",\"email\":\"a@b.co\",\"name\":\"N\",\"password\":\"12345678\"}", "id",
         400},
        {"{\"id\":\"valid01\",\"email\":\"not-an-email\",\"name\":\"N\",\"password\":\"12345678\"}",
         "email", 400},
        {"{\"id\":\"valid01\",\"email\":\"a@b.co\",\"name\":\"\",\"password\":\"12345678\"}",
         "name", 400},
        {"{\"id\":\"valid01\",\"email\":\"a@b.co\",\"name\":\"N\",\"password\":\"short\"}",
         "password", 400},
        {"{\"id\":\"valid01\",\"email\":\"a@b.co\",\"name\":\"N\"}", "password", 400},
        {"{\"id\":12345,\"email\":\"a@b.co\",\"name\":\"N\",\"password\":\"12345678\"}", "id", 400},
        {"{\"id\":\"valid01\",\"email\":\"a@b.co\",\"name\":\"N\",\"password\":\"12345678\","
         "\"admin\":true}",
         "admin", 400},
        {"{\"id\":\"valid01\",\"email\":\"a@b.co\",\"name\":\"N\",\"password\":\"12345678\","
         "\"role\":\"admin\"}",
         NULL, 403},
        {"{\"id\":\"valid01\",\"email\":", NULL, 400},
        {"[1,2,3]", NULL, 400},
        {"{\"id\":\"valid01\",\"id\":\"valid02\"}", NULL, 400},
        {"{\"id\":\"valid01\",\"email\":\"a@b.co\",\"name\":\"\xff\xfe\",\"password\":"
         "\"12345678\"}",
         NULL, 400},
        {"{\"id\":\"valid01\",\"email\":\"a@b.co\",\"name\":\"N\",\"password\":\"12345678\","
         "\"n\":1e999999}",
         NULL, 400},
    };
    char *guest = it_token("guest:v", "guest", 600);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct it_resp r;
        char key[40];
        it_unique(key, sizeof(key), "val-");
        it_request(&r, "POST", member_url("/api/members"), guest, key, cases[i].body, NULL);
        if (r.status != cases[i].status) {
            fprintf(stderr, "case %zu: %s\n", i, r.body);
        }
        CHECK_EQ_INT(r.status, cases[i].status);
        CHECK(json_is_false(json_object_get(r.json, "success")));
        if (cases[i].field != NULL) {
            CHECK_EQ_STR(it_error_field(&r), cases[i].field);
            CHECK_EQ_STR(it_error_code(&r), "VAL_2001");
        }
        it_resp_free(&r);
    }
    ag_free(guest);
}

TEST(signup_wrong_media_type_and_size)
{
    struct it_resp r;
    char key[40];
    char *guest = it_token("guest:m", "guest", 600);
    const char *const form[] = {"Content-Type: text/plain", NULL};

    it_unique(key, sizeof(key), "media-");
    it_request(&r, "POST", member_url("/api/members"), guest, key, "{}", form);
    CHECK_EQ_INT(r.status, 415);
    CHECK_EQ_STR(it_error_code(&r), "VAL_2006");
    it_resp_free(&r);

    size_t big = 64 * 1024;
    char *body = ag_xmalloc(big + 1);
    memset(body, 'x', big);
    body[0] = '{';
    body[big] = '\0';
    it_unique(key, sizeof(key), "size-");
    it_request(&r, "POST", member_url("/api/members"), guest, key, body, NULL);
    CHECK_EQ_INT(r.status, 413);
    CHECK_EQ_STR(it_error_code(&r), "VAL_2002");
    it_resp_free(&r);
    ag_free(body);
    ag_free(guest);
}

TEST(signup_duplicates)
{
    struct it_resp r;
    char id[40], email[80], other[40], mail2[80];

    it_unique(id, sizeof(id), "dup");
    snprintf(email, sizeof(email), "%s@example.com", id);
    CHECK_EQ_INT(signup(id, email, "12345678", &r), 201);
    it_resp_free(&r);
    it_unique(other, sizeof(other), "dup");
    snprintf(mail2, sizeof(mail2), "%s@example.com", other);
    CHECK_EQ_INT(signup(id, mail2, "12345678", &r), 409);
    CHECK_EQ_STR(it_error_code(&r), "BIZ_3002");
    CHECK_EQ_STR(it_error_field(&r), "id");
    it_resp_free(&r);
    /* Email uniqueness ignores case. */
    for (char *p = email; *p; p++) {
        *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    }
    CHECK_EQ_INT(signup(other, email, "12345678", &r), 409);
    CHECK_EQ_STR(it_error_field(&r), "email");
    it_resp_free(&r);
}

TEST(idempotency_replay_and_mismatch)
{
    struct it_resp a, b, c;
    char id[40], key[40], body[256], body2[256], h[64];
    char *guest = it_token("guest:idem", "guest", 600);

    it_unique(id, sizeof(id), "idem");
    it_unique(key, sizeof(key), "key-");
    snprintf(
        body, sizeof(body),
        "{\"id\":\"%s\",\"email\":\"%s@example.com\",\"name\":\"I\",\"password\":\"12345678\"}", id,
        id);
    it_request(&a, "POST", member_url("/api/members"), guest, key, body, NULL);
    CHECK_EQ_INT(a.status, 201);
    CHECK_NULL(it_header(&a, "X-Idempotency-Replayed", h, sizeof(h)));
    it_request(&b, "POST", member_url("/api/members"), guest, key, body, NULL);
    CHECK_EQ_INT(b.status, 201);
    CHECK_EQ_STR(it_header(&b, "X-Idempotency-Replayed", h, sizeof(h)), "true");
    CHECK_EQ_STR(b.body, a.body);
    /* The same key with another body. */
    snprintf(
        body2, sizeof(body2),
        "{\"id\":\"%sx\",\"email\":\"%sx@example.com\",\"name\":\"I\",\"password\":\"12345678\"}",
        id, id);
    it_request(&c, "POST", member_url("/api/members"), guest, key, body2, NULL);
    CHECK_EQ_INT(c.status, 422);
    CHECK_EQ_STR(it_error_code(&c), "VAL_2007");
    it_resp_free(&a);
    it_resp_free(&b);
    it_resp_free(&c);
    /* Keys are scoped to the caller: another guest's same key is a new request. */
    char *other = it_token("guest:other", "guest", 600);
    it_request(&c, "POST", member_url("/api/members"), other, key, body2, NULL);
    CHECK_EQ_INT(c.status, 201);
    CHECK_NULL(it_header(&c, "X-Idempotency-Replayed", h, sizeof(h)));
    it_resp_free(&c);
    ag_free(other);
    ag_free(guest);
}

struct racer {
    const char *token;
    const char *key;
    const char *body;
    long status;
    int replayed;
    char *resp;
};

static void *
race(void *arg)
{
    struct racer *r = arg;
    struct it_resp resp;
    char h[16];
    it_request(&resp, "POST", member_url("/api/members"), r->token, r->key, r->body, NULL);
    r->status = resp.status;
    r->replayed = it_header(&resp, "X-Idempotency-Replayed", h, sizeof(h)) != NULL;
    r->resp = ag_xstrdup(resp.body);
    it_resp_free(&resp);
    return NULL;
}

TEST(idempotency_twenty_concurrent_signups)
{
    enum { N = 20 };
    struct racer racers[N];
    pthread_t th[N];
    char id[40], key[40], body[256];
    char *guest = it_token("guest:race", "guest", 600);

    it_unique(id, sizeof(id), "race");
    it_unique(key, sizeof(key), "race-");
    snprintf(
        body, sizeof(body),
        "{\"id\":\"%s\",\"email\":\"%s@example.com\",\"name\":\"R\",\"password\":\"12345678\"}", id,
        id);
    for (int i = 0; i < N; i++) {
        racers[i] = (struct racer){guest, key, body, 0, 0, NULL};
        pthread_create(&th[i], NULL, race, &racers[i]);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
    }
    int created = 0, replayed = 0, inflight = 0;
    const char *first = NULL;
    for (int i = 0; i < N; i++) {
        if (racers[i].status == 201 && !racers[i].replayed) {
            created++;
            first = racers[i].resp;
        } else if (racers[i].status == 201) {
            replayed++;
        } else if (racers[i].status == 409 && strstr(racers[i].resp, "BIZ_3003") != NULL) {
            inflight++;
        }
    }
    CHECK_EQ_INT(created, 1);
    CHECK_EQ_INT(created + replayed + inflight, N);
    for (int i = 0; i < N; i++) {
        if (racers[i].replayed) {
            CHECK_EQ_STR(racers[i].resp, first);
        }
    }
    /* After the dust settles the key replays, and exactly one member exists. */
    struct it_resp r;
    it_request(&r, "POST", member_url("/api/members"), guest, key, body, NULL);
    CHECK_EQ_INT(r.status, 201);
    CHECK_EQ_STR(r.body, first);
    it_resp_free(&r);
    char *admin = it_token("root", "admin", 600);
    it_request(&r, "GET", member_url("/api/members/%s", id), admin, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    it_resp_free(&r);
    ag_free(admin);
    for (int i = 0; i < N; i++) {
        ag_free(racers[i].resp);
    }
    ag_free(guest);
}

TEST(owner_checks)
{
    char a[40], b[40];
    char *ta, *tb;
    struct it_resp r;
    char key[40];

    CHECK_EQ_INT(new_member(a, &ta), 0);
    CHECK_EQ_INT(new_member(b, &tb), 0);
    it_request(&r, "GET", member_url("/api/members/%s", b), ta, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 403);
    CHECK_EQ_STR(it_error_code(&r), "AUTH_1003");
    it_resp_free(&r);
    it_request(&r, "PATCH", member_url("/api/members/%s", b), ta, NULL, "{\"name\":\"pwned\"}",
               NULL);
    CHECK_EQ_INT(r.status, 403);
    it_resp_free(&r);
    it_unique(key, sizeof(key), "del-");
    it_request(&r, "DELETE", member_url("/api/members/%s", b), ta, key, NULL, NULL);
    CHECK_EQ_INT(r.status, 403);
    it_resp_free(&r);
    it_request(&r, "POST", member_url("/api/members/%s/change-password", b), ta, NULL,
               "{\"currentPassword\":\"x\",\"newPassword\":\"12345678\"}", NULL);
    CHECK_EQ_INT(r.status, 403);
    it_resp_free(&r);
    it_request(&r, "GET", member_url("/api/members/%s/addresses", b), ta, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 403);
    it_resp_free(&r);
    /* B is untouched and an admin can read B. */
    char *admin = it_token("root", "admin", 600);
    it_request(&r, "GET", member_url("/api/members/%s", b), admin, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    CHECK(strcmp(it_data_str(&r, "name"), "pwned") != 0);
    it_resp_free(&r);
    /* A guest may not read anyone; a user may not list. */
    char *guest = it_token(b, "guest", 600);
    it_request(&r, "GET", member_url("/api/members/%s", b), guest, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 403);
    it_resp_free(&r);
    it_request(&r, "GET", member_url("/api/members"), ta, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 403);
    it_resp_free(&r);
    ag_free(guest);
    ag_free(admin);
    ag_free(ta);
    ag_free(tb);
}

TEST(bad_tokens)
{
    char a[40];
    char *ta;
    struct it_resp r;

    CHECK_EQ_INT(new_member(a, &ta), 0);
    char *expired = it_token(a, "user", -120);
    const char *tokens[] = {
        expired,
        "garbage",
        /* alg none, no signature */
        "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJhZG1pbiJ9.",
    };
    for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
        it_request(&r, "GET", member_url("/api/members/%s", a), tokens[i], NULL, NULL, NULL);
        CHECK_EQ_INT(r.status, 401);
        it_resp_free(&r);
    }
    /* A valid token with its payload swapped for an admin's. */
    char *admin = it_token("root", "admin", 600);
    char forged[4096];
    const char *dot1 = strchr(ta, '.'), *dot2 = strrchr(ta, '.');
    const char *adot1 = strchr(admin, '.'), *adot2 = strrchr(admin, '.');
    snprintf(forged, sizeof(forged), "%.*s%.*s%s", (int)(dot1 - ta), ta, (int)(adot2 - adot1),
             adot1, dot2);
    it_request(&r, "GET", member_url("/api/members"), forged, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 401);
    it_resp_free(&r);
    /* Two Authorization headers are refused outright. */
    char h[4096];
    snprintf(h, sizeof(h), "Authorization: Bearer %s", admin);
    const char *const dup[] = {h, NULL};
    it_request(&r, "GET", member_url("/api/members/%s", a), ta, NULL, NULL, dup);
    CHECK_EQ_INT(r.status, 400);
    it_resp_free(&r);
    ag_free(admin);
    ag_free(expired);
    ag_free(ta);
}

TEST(patch_member)
{
    char a[40], b[40];
    char *ta, *tb;
    struct it_resp r;
    char body[200];

    CHECK_EQ_INT(new_member(a, &ta), 0);
    CHECK_EQ_INT(new_member(b, &tb), 0);
    it_request(&r, "PATCH", member_url("/api/members/%s", a), ta, NULL,
               "{\"name\":\"  New Name  \"}", NULL);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_STR(it_data_str(&r, "name"), "New Name");
    it_resp_free(&r);
    snprintf(body, sizeof(body), "{\"email\":\"%s@EXAMPLE.com\"}", b);
    it_request(&r, "PATCH", member_url("/api/members/%s", a), ta, NULL, body, NULL);
    CHECK_EQ_INT(r.status, 409);
    CHECK_EQ_STR(it_error_field(&r), "email");
    it_resp_free(&r);
    it_request(&r, "PATCH", member_url("/api/members/%s", a), ta, NULL, "{}", NULL);
    CHECK_EQ_INT(r.status, 400);
    it_resp_free(&r);
    it_request(&r, "PATCH", member_url("/api/members/%s", a), ta, NULL, "{\"password\":\"x\"}",
               NULL);
    CHECK_EQ_INT(r.status, 400);
    CHECK_EQ_STR(it_error_field(&r), "password");
    it_resp_free(&r);
    it_request(&r, "PATCH", member_url("/api/members/%s", a), ta, NULL, "{\"name\":42}", NULL);
    CHECK_EQ_INT(r.status, 400);
    CHECK_EQ_STR(it_error_field(&r), "name");
    it_resp_free(&r);
    ag_free(ta);
    ag_free(tb);
}

TEST(list_members)
{
    char a[40];
    char *ta;
    struct it_resp r;
    char *admin = it_token("root", "admin", 600);

    CHECK_EQ_INT(new_member(a, &ta), 0);
    it_request(&r, "GET", member_url("/api/members?skip=0&take=2"), admin, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    json_t *data = json_object_get(r.json, "data");
    CHECK(json_array_size(json_object_get(data, "items")) == 2);
    CHECK(json_integer_value(json_object_get(data, "total")) >= 1);
    CHECK_EQ_INT(json_integer_value(json_object_get(data, "take")), 2);
    CHECK(strstr(r.body, "password") == NULL);
    it_resp_free(&r);
    const char *bad[] = {"?take=0", "?take=101", "?skip=-1", "?skip=abc", "?take=%zz"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        it_request(&r, "GET", member_url("/api/members%s", bad[i]), admin, NULL, NULL, NULL);
        CHECK_EQ_INT(r.status, 400);
        it_resp_free(&r);
    }
    ag_free(admin);
    ag_free(ta);
}

static long
verify(const char *field, const char *value, const char *password, const char *token)
{
    struct it_resp r;
    char body[300], h[400];
    snprintf(body, sizeof(body), "{\"%s\":\"%s\",\"password\":\"%s\"}", field, value, password);
    snprintf(h, sizeof(h), "X-Internal-Token: %s", token);
    const char *const headers[] = {h, NULL};
    it_request(&r, "POST", member_url("/internal/members/verify"), NULL, NULL, body, headers);
    long st = r.status;
    if (st == 200) {
        st = it_data_str(&r, "role") != NULL && it_data_str(&r, "uid") != NULL ? 200 : 500;
    }
    it_resp_free(&r);
    return st;
}

TEST(change_password_and_verify)
{
    char a[40], mail[80];
    char *ta;
    struct it_resp r;

    CHECK_EQ_INT(new_member(a, &ta), 0);
    snprintf(mail, sizeof(mail), "%s@EXAMPLE.COM", a);
    CHECK_EQ_INT(verify("id", a, "correct horse", it_internal_token()), 200);
    CHECK_EQ_INT(verify("email", mail, "correct horse", it_internal_token()), 200);
    CHECK_EQ_INT(verify("id", a, "wrong horse", it_internal_token()), 401);
    CHECK_EQ_INT(verify("id", "nobody-here", "correct horse", it_internal_token()), 401);
    CHECK_EQ_INT(verify("id", a, "correct horse", "not-the-token"), 401);
    it_request(&r, "POST", member_url("/api/members/%s/change-password", a), ta, NULL,
               "{\"currentPassword\":\"wrong horse\",\"newPassword\":\"battery staple\"}", NULL);
    CHECK_EQ_INT(r.status, 400);
    CHECK_EQ_STR(it_error_field(&r), "currentPassword");
    it_resp_free(&r);
    it_request(&r, "POST", member_url("/api/members/%s/change-password", a), ta, NULL,
               "{\"currentPassword\":\"correct horse\",\"newPassword\":\"battery staple\"}", NULL);
    CHECK_EQ_INT(r.status, 200);
    it_resp_free(&r);
    CHECK_EQ_INT(verify("id", a, "correct horse", it_internal_token()), 401);
    CHECK_EQ_INT(verify("id", a, "battery staple", it_internal_token()), 200);
    /* An admin resets it without the current one. */
    char *admin = it_token("root", "admin", 600);
    it_request(&r, "POST", member_url("/api/members/%s/change-password", a), admin, NULL,
               "{\"newPassword\":\"admin reset 1\"}", NULL);
    CHECK_EQ_INT(r.status, 200);
    it_resp_free(&r);
    CHECK_EQ_INT(verify("id", a, "admin reset 1", it_internal_token()), 200);
    /* No internal token at all, and both id and email. */
    it_request(&r, "POST", member_url("/internal/members/verify"), NULL, NULL,
               "{\"id\":\"x\",\"password\":\"y\"}", NULL);
    CHECK_EQ_INT(r.status, 401);
    it_resp_free(&r);
    CHECK_EQ_INT(verify("id\":\"x\",\"email", "x@y.z", "pw", it_internal_token()), 400);
    ag_free(admin);
    ag_free(ta);
}

static const char *
add_address(const char *id, const char *token, const char *extra, struct it_resp *r)
{
    char body[300];
    snprintf(body, sizeof(body),
             "{\"recipient\":\"홍길동\",\"phone\":\"010-1234-5678\",\"postalCode\":\"06236\","
             "\"line1\":\"서울특별시 강남구 테헤란로 1\"%s}",
             extra);
    it_request(r, "POST", member_url("/api/members/%s/addresses", id), token, NULL, body, NULL);
    return it_data_str(r, "id");
}

TEST(addresses)
{
    char a[40], first[40], second[40], path[200];
    char *ta;
    struct it_resp r;

    CHECK_EQ_INT(new_member(a, &ta), 0);
    CHECK_NOT_NULL(add_address(a, ta, "", &r));
    CHECK_EQ_INT(r.status, 201);
    snprintf(first, sizeof(first), "%s", it_data_str(&r, "id"));
    CHECK(json_is_true(json_object_get(json_object_get(r.json, "data"), "isDefault")));
    CHECK_EQ_STR(it_data_str(&r, "recipient"), "홍길동");
    it_resp_free(&r);
    CHECK_NOT_NULL(add_address(a, ta, ",\"isDefault\":true,\"line2\":\"101호\"", &r));
    CHECK_EQ_INT(r.status, 201);
    snprintf(second, sizeof(second), "%s", it_data_str(&r, "id"));
    it_resp_free(&r);
    it_request(&r, "GET", member_url("/api/members/%s/addresses", a), ta, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 200);
    json_t *items = json_object_get(r.json, "data");
    CHECK_EQ_INT(json_array_size(items), 2);
    CHECK(json_is_false(json_object_get(json_array_get(items, 0), "isDefault")));
    CHECK(json_is_true(json_object_get(json_array_get(items, 1), "isDefault")));
    it_resp_free(&r);
    /* Bad fields. */
    add_address(a, ta, ",\"phone\":\"12\"", &r);
    CHECK_EQ_INT(r.status, 400);
    it_resp_free(&r);
    /* Patch: the first becomes the default again. */
    snprintf(path, sizeof(path), "/api/members/%s/addresses/%s", a, first);
    it_request(&r, "PATCH", member_url("%s", path), ta, NULL,
               "{\"isDefault\":true,\"recipient\":\"김철수\"}", NULL);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_STR(it_data_str(&r, "recipient"), "김철수");
    it_resp_free(&r);
    /* Deleting the default promotes the other. */
    it_request(&r, "DELETE", member_url("%s", path), ta, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 204);
    it_resp_free(&r);
    it_request(&r, "GET", member_url("/api/members/%s/addresses", a), ta, NULL, NULL, NULL);
    items = json_object_get(r.json, "data");
    CHECK_EQ_INT(json_array_size(items), 1);
    CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(items, 0), "id")), second);
    CHECK(json_is_true(json_object_get(json_array_get(items, 0), "isDefault")));
    it_resp_free(&r);
    it_request(&r, "DELETE", member_url("%s", path), ta, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 404);
    it_resp_free(&r);
    snprintf(path, sizeof(path), "/api/members/%s/addresses/not-a-uuid", a);
    it_request(&r, "PATCH", member_url("%s", path), ta, NULL, "{\"line1\":\"x\"}", NULL);
    CHECK_EQ_INT(r.status, 404);
    it_resp_free(&r);
    /* At most 20. */
    for (int i = 1; i < 20; i++) {
        add_address(a, ta, "", &r);
        CHECK_EQ_INT(r.status, 201);
        it_resp_free(&r);
    }
    add_address(a, ta, "", &r);
    CHECK_EQ_INT(r.status, 409);
    it_resp_free(&r);
    ag_free(ta);
}

TEST(delete_member)
{
    char a[40], mail[80], key[40];
    char *ta;
    struct it_resp r;

    CHECK_EQ_INT(new_member(a, &ta), 0);
    it_unique(key, sizeof(key), "delete-");
    it_request(&r, "DELETE", member_url("/api/members/%s", a), ta, key, NULL, NULL);
    CHECK_EQ_INT(r.status, 204);
    it_resp_free(&r);
    /* Replayed with the same key. */
    char h[16];
    it_request(&r, "DELETE", member_url("/api/members/%s", a), ta, key, NULL, NULL);
    CHECK_EQ_INT(r.status, 204);
    CHECK_EQ_STR(it_header(&r, "X-Idempotency-Replayed", h, sizeof(h)), "true");
    it_resp_free(&r);
    it_request(&r, "GET", member_url("/api/members/%s", a), ta, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 404);
    it_resp_free(&r);
    CHECK_EQ_INT(verify("id", a, "correct horse", it_internal_token()), 401);
    /* The login id is never reused; the email is free again. */
    snprintf(mail, sizeof(mail), "%s@example.com", a);
    CHECK_EQ_INT(signup(a, "fresh@example.com", "12345678", &r), 409);
    it_resp_free(&r);
    char b[40];
    it_unique(b, sizeof(b), "reuse");
    CHECK_EQ_INT(signup(b, mail, "12345678", &r), 201);
    it_resp_free(&r);
    ag_free(ta);
}

TEST(envelope_request_id_and_routes)
{
    struct it_resp r;
    char h[128];
    const char *const rid[] = {"X-Request-Id: itest-req-123", NULL};

    it_request(&r, "GET", member_url("/api/nothing-here"), NULL, NULL, NULL, rid);
    CHECK_EQ_INT(r.status, 404);
    CHECK_EQ_STR(it_header(&r, "X-Request-Id", h, sizeof(h)), "itest-req-123");
    CHECK(json_is_false(json_object_get(r.json, "success")));
    CHECK_NOT_NULL(it_error_code(&r));
    it_resp_free(&r);
    it_request(&r, "PUT", member_url("/api/members"), NULL, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 405);
    CHECK(strlen(it_header(&r, "X-Request-Id", h, sizeof(h)) ? h : "") >= 16);
    it_resp_free(&r);
    it_request(&r, "GET", member_url("/api/members/%s", "a%zz"), NULL, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 400);
    it_resp_free(&r);
}

TEST(service_endpoints)
{
    struct it_resp r;
    const char *paths[] = {"/health", "/healthz", "/readyz", "/metrics", "/docs", "/openapi.json"};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        it_request(&r, "GET", member_url("%s", paths[i]), NULL, NULL, NULL, NULL);
        CHECK_EQ_INT(r.status, 200);
        it_resp_free(&r);
    }
    it_request(&r, "GET", member_url("/metrics"), NULL, NULL, NULL, NULL);
    CHECK(strstr(r.body, "agora_http_requests_total{service=\"member\"") != NULL);
    CHECK(strstr(r.body, "agora_db_pool_connections") != NULL);
    it_resp_free(&r);
    it_request(&r, "GET", member_url("/openapi.json"), NULL, NULL, NULL, NULL);
    CHECK_NOT_NULL(json_object_get(json_object_get(r.json, "paths"), "/api/members/{id}"));
    it_resp_free(&r);
    it_request(&r, "GET", member_url("/readyz"), NULL, NULL, NULL, NULL);
    CHECK_EQ_STR(json_string_value(json_object_get(
                     json_object_get(json_object_get(r.json, "data"), "checks"), "database")),
                 "ok");
    it_resp_free(&r);
}

struct reader {
    char id[40];
    char *token;
    int wrong;
    int ok;
};

static size_t
discard(char *p, size_t size, size_t n, void *userdata)
{
    struct it_resp *r = userdata;
    size_t total = size * n;
    r->body = ag_xrealloc(r->body, r->len + total + 1);
    memcpy(r->body + r->len, p, total);
    r->len += total;
    r->body[r->len] = '\0';
    return total;
}

/* 300 reads of its own member over one keep-alive connection. */
static void *
read_own(void *arg)
{
    struct reader *rd = arg;
    char u[256], h[1200], want[80];
    CURL *c = curl_easy_init();
    struct curl_slist *list = NULL;

    snprintf(u, sizeof(u), "%s/api/members/%s", it_url("MEMBER"), rd->id);
    snprintf(h, sizeof(h), "Authorization: Bearer %s", rd->token);
    snprintf(want, sizeof(want), "\"id\":\"%s\"", rd->id);
    list = curl_slist_append(list, h);
    curl_easy_setopt(c, CURLOPT_URL, u);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    for (int i = 0; i < 300; i++) {
        struct it_resp r = {0};
        long status = 0;
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
        curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (status == 200 && r.body != NULL && strstr(r.body, want) != NULL) {
            rd->ok++;
        } else {
            rd->wrong++;
        }
        ag_free(r.body);
    }
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    return NULL;
}

/* Reads are batched (one query answers many requests): each caller must get its own row. */
TEST(batched_reads_answer_each_caller)
{
    enum { N = 8 };
    struct reader rd[N];
    pthread_t th[N];

    for (int i = 0; i < N; i++) {
        memset(&rd[i], 0, sizeof(rd[i]));
        CHECK_EQ_INT(new_member(rd[i].id, &rd[i].token), 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_create(&th[i], NULL, read_own, &rd[i]);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
    }
    for (int i = 0; i < N; i++) {
        CHECK_EQ_INT(rd[i].wrong, 0);
        CHECK_EQ_INT(rd[i].ok, 300);
        ag_free(rd[i].token);
    }
    /* A member that does not exist, read by an admin in the same way. */
    struct it_resp r;
    char *admin = it_token("root", "admin", 600);
    it_request(&r, "GET", member_url("/api/members/%s", "no-such-member"), admin, NULL, NULL, NULL);
    CHECK_EQ_INT(r.status, 404);
    CHECK_EQ_STR(it_error_code(&r), "BIZ_3001");
    it_resp_free(&r);
    ag_free(admin);
}

static const struct ag_test tests[] = {
    TEST_ENTRY(signup_and_read_back),
    TEST_ENTRY(signup_needs_token_and_key),
    TEST_ENTRY(signup_validation),
    TEST_ENTRY(signup_wrong_media_type_and_size),
    TEST_ENTRY(signup_duplicates),
    TEST_ENTRY(idempotency_replay_and_mismatch),
    TEST_ENTRY(idempotency_twenty_concurrent_signups),
    TEST_ENTRY(owner_checks),
    TEST_ENTRY(bad_tokens),
    TEST_ENTRY(patch_member),
    TEST_ENTRY(list_members),
    TEST_ENTRY(change_password_and_verify),
    TEST_ENTRY(addresses),
    TEST_ENTRY(delete_member),
    TEST_ENTRY(envelope_request_id_and_routes),
    TEST_ENTRY(service_endpoints),
    TEST_ENTRY(batched_reads_answer_each_caller),
};

int
main(int argc, char **argv)
{
    it_init();
    int rc = ag_test_main_(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
    it_cleanup();
    return rc;
}
