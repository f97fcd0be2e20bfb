/*
 * Integration test helpers (see itest.h).
 */
#include "itest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <hiredis/hiredis.h>
#include <sodium.h>

#include "agora/jwt.h"
#include "agora/mem.h"

static struct ag_jwt signer;
static char internal_token[256];
static char client_header[512];
static char urls[8][128];
static char url_names[8][32];
static size_t nurls;

static char *
read_small_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return NULL;
    }
    char buf[1024];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) {
        buf[--n] = '\0';
    }
    return ag_xstrdup(buf);
}

void
it_init(void)
{
    const char *src = getenv("AGORA_SOURCE_DIR");
    char path[4096];

    if (src == NULL) {
        fprintf(stderr, "itest: AGORA_SOURCE_DIR is not set (run through ctest)\n");
        exit(1);
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    ag_jwt_init(&signer, "agora-auth", "agora", 0);
    snprintf(path, sizeof(path), "%s/var/test/keys/jwt-ed25519.pem", src);
    if (ag_jwt_add_key_file(&signer, path) < 0) {
        fprintf(stderr, "itest: cannot read the test signing key '%s'\n", path);
        exit(1);
    }
    snprintf(path, sizeof(path), "%s/var/test/keys/internal-token", src);
    char *tok = read_small_file(path);
    if (tok == NULL) {
        fprintf(stderr, "itest: cannot read '%s'\n", path);
        exit(1);
    }
    snprintf(internal_token, sizeof(internal_token), "%s", tok);
    ag_free(tok);
    snprintf(path, sizeof(path), "%s/var/test/keys/client-web", src);
    char *key = read_small_file(path);
    if (key != NULL) {
        char cred[300], b64[420];
        snprintf(cred, sizeof(cred), "web:%s", key);
        sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)cred, strlen(cred),
                          sodium_base64_VARIANT_ORIGINAL);
        snprintf(client_header, sizeof(client_header), "Authorization: Basic %s", b64);
        ag_free(key);
    }
}

const char *
it_client_auth_header(void)
{
    return client_header;
}

long long
it_redis_int(const char *fmt, ...)
{
    const char *port = getenv("AGORA_REDIS_PORT");
    redisContext *c = redisConnect("127.0.0.1", port != NULL ? atoi(port) : 26379);
    long long v = -1;
    va_list ap;

    if (c == NULL || c->err) {
        redisFree(c);
        return -1;
    }
    va_start(ap, fmt);
    redisReply *r = redisvCommand(c, fmt, ap);
    va_end(ap);
    if (r != NULL && r->type == REDIS_REPLY_INTEGER) {
        v = r->integer;
    }
    freeReplyObject(r);
    redisFree(c);
    return v;
}

void
it_cleanup(void)
{
    ag_jwt_release(&signer);
    curl_global_cleanup();
}

const char *
it_url(const char *service)
{
    char var[64];

    for (size_t i = 0; i < nurls; i++) {
        if (strcmp(url_names[i], service) == 0) {
            return urls[i];
        }
    }
    snprintf(var, sizeof(var), "AGORA_%s_PORT", service);
    const char *port = getenv(var);
    if (port == NULL || nurls == sizeof(urls) / sizeof(urls[0])) {
        fprintf(stderr, "itest: %s is not set\n", var);
        exit(1);
    }
    snprintf(url_names[nurls], sizeof(url_names[0]), "%s", service);
    snprintf(urls[nurls], sizeof(urls[0]), "http://127.0.0.1:%s", port);
    return urls[nurls++];
}

const char *
it_internal_token(void)
{
    return internal_token;
}

char *
it_stack_key(const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/var/test/keys/%s", getenv("AGORA_SOURCE_DIR"), name);
    char *s = read_small_file(path);
    return s != NULL ? s : ag_xstrdup("");
}

char *
it_token(const char *sub, const char *role, long ttl_s)
{
    struct ag_jwt_claims c;
    char buf[AG_JWT_MAX_TOKEN];
    unsigned char sid[8];

    memset(&c, 0, sizeof(c));
    snprintf(c.sub, sizeof(c.sub), "%s", sub);
    randombytes_buf(sid, sizeof(sid));
    sodium_bin2hex(c.sid, sizeof(c.sid), sid, sizeof(sid));
    c.role = ag_role_parse(role, strlen(role));
    c.iat = (int64_t)time(NULL) - (ttl_s < 0 ? 3600 : 0);
    c.exp = (int64_t)time(NULL) + ttl_s;
    if (ag_jwt_sign(&signer, &c, buf, sizeof(buf)) < 0) {
        fprintf(stderr, "itest: cannot sign a token\n");
        exit(1);
    }
    return ag_xstrdup(buf);
}

struct sink {
    char *data;
    size_t len;
};

static size_t
sink_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct sink *s = userdata;
    size_t n = size * nmemb;
    s->data = ag_xrealloc(s->data, s->len + n + 1);
    memcpy(s->data + s->len, ptr, n);
    s->len += n;
    s->data[s->len] = '\0';
    return n;
}

int
it_request(struct it_resp *r, const char *method, const char *url, const char *token,
           const char *idem, const char *body, const char *const *headers)
{
    struct sink b = {ag_xstrdup(""), 0}, h = {ag_xstrdup(""), 0};
    struct curl_slist *list = NULL;
    char line[4096];
    CURL *c = curl_easy_init();

    memset(r, 0, sizeof(*r));
    if (token != NULL) {
        snprintf(line, sizeof(line), "Authorization: Bearer %s", token);
        list = curl_slist_append(list, line);
    }
    if (idem != NULL) {
        snprintf(line, sizeof(line), "X-Idempotency-Key: %s", idem);
        list = curl_slist_append(list, line);
    }
    int own_type = 0;
    for (size_t i = 0; headers != NULL && headers[i] != NULL; i++) {
        own_type |= strncasecmp(headers[i], "Content-Type:", 13) == 0;
    }
    if (body != NULL) {
        if (!own_type) {
            list = curl_slist_append(list, "Content-Type: application/json");
        }
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    list = curl_slist_append(list, "Expect:");
    for (size_t i = 0; headers != NULL && headers[i] != NULL; i++) {
        list = curl_slist_append(list, headers[i]);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, sink_write);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    CURLcode cc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    r->body = b.data;
    r->len = b.len;
    r->headers = h.data;
    r->headers_len = h.len;
    r->json = json_loadb(b.data, b.len, 0, NULL);
    if (cc != CURLE_OK) {
        fprintf(stderr, "itest: %s %s: %s\n", method, url, curl_easy_strerror(cc));
        return -1;
    }
    return 0;
}

const char *
it_header(const struct it_resp *r, const char *name, char *buf, size_t size)
{
    size_t n = strlen(name);
    const char *p = r->headers;

    while (p != NULL && *p != '\0') {
        const char *eol = strstr(p, "\r\n");
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > n + 1 && strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1;
            while (*v == ' ') {
                v++;
            }
            snprintf(buf, size, "%.*s", (int)(len - (size_t)(v - p)), v);
            return buf;
        }
        p = eol ? eol + 2 : NULL;
    }
    return NULL;
}

void
it_resp_free(struct it_resp *r)
{
    ag_free(r->body);
    ag_free(r->headers);
    json_decref(r->json);
    memset(r, 0, sizeof(*r));
}

void
it_unique(char *out, size_t size, const char *prefix)
{
    unsigned char rnd[5];
    char hex[11];
    randombytes_buf(rnd, sizeof(rnd));
    sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
    snprintf(out, size, "%s%s", prefix, hex);
}

const char *
it_data_str(const struct it_resp *r, const char *field)
{
    return json_string_value(json_object_get(json_object_get(r->json, "data"), field));
}

const char *
it_error_code(const struct it_resp *r)
{
    return json_string_value(json_object_get(json_object_get(r->json, "error"), "code"));
}

const char *
it_error_field(const struct it_resp *r)
{
    return json_string_value(
        json_object_get(json_object_get(json_object_get(r->json, "error"), "details"), "field"));
}

const char *
it_urlf(const char *service, const char *fmt, ...)
{
    static __thread char buf[1024];
    char path[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    snprintf(buf, sizeof(buf), "%s%s", it_url(service), path);
    return buf;
}

PGconn *
it_db(const char *name)
{
    char conninfo[256];
    const char *port = getenv("AGORA_PG_PORT");
    snprintf(conninfo, sizeof(conninfo), "postgresql://agora@127.0.0.1:%s/%s",
             port != NULL ? port : "25432", name);
    PGconn *db = PQconnectdb(conninfo);
    if (PQstatus(db) != CONNECTION_OK) {
        fprintf(stderr, "itest: cannot reach the %s database: %s", name, PQerrorMessage(db));
        exit(1);
    }
    return db;
}

const char *
it_db_text(PGconn *db, const char *sql, const char *param)
{
    static __thread char buf[512];
    PGresult *res = PQexecParams(db, sql, param != NULL ? 1 : 0, NULL, &param, NULL, NULL, 0);
    snprintf(buf, sizeof(buf), "%s",
             PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
                     !PQgetisnull(res, 0, 0)
                 ? PQgetvalue(res, 0, 0)
                 : "?");
    PQclear(res);
    return buf;
}

long long
it_db_num(PGconn *db, const char *sql, const char *param)
{
    const char *t = it_db_text(db, sql, param);
    return strcmp(t, "?") == 0 ? -1 : strtoll(t, NULL, 10);
}

long long
it_product(const char *admin, const char *prefix, const char *status, long long price,
           long long stock, char *slug, size_t size)
{
    struct it_resp r;
    char body[512], name[48];

    it_unique(name, sizeof(name), prefix);
    snprintf(body, sizeof(body),
             "{\"slug\":\"%s\",\"name\":\"상품 %s\",\"nameEn\":\"Product %s\",\"price\":%lld,"
             "\"status\":\"%s\",\"category\":\"shoes\",\"stock\":%lld}",
             name, name, name, price, status, stock);
    it_request(&r, "POST", it_urlf("CATALOG", "/api/products"), admin, NULL, body, NULL);
    long long id =
        r.status == 201
            ? (long long)json_integer_value(json_object_get(json_object_get(r.json, "data"), "id"))
            : -1;
    if (id < 0) {
        fprintf(stderr, "itest: product %s: HTTP %ld %s\n", name, r.status, r.body);
    }
    it_resp_free(&r);
    if (slug != NULL) {
        snprintf(slug, size, "%s", name);
    }
    return id;
}

/* In the child: the stack's settings, the given ones, then the service. */
static void
service_exec(const char *binary, const char *port, const char *const *env)
{
    char path[1024], line[2048], var[160];
    snprintf(path, sizeof(path), "%s/var/test/stack.env", getenv("AGORA_SOURCE_DIR"));
    FILE *f = fopen(path, "r");
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        char *eq = strchr(line, '=');
        if (strncmp(line, "export ", 7) == 0 && eq != NULL) {
            *eq = '\0';
            eq[strcspn(eq + 1, "\n") + 1] = '\0';
            setenv(line + 7, eq + 1, 1);
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    /* AGORA_<BINARY>_PORT, with '-' as '_'. */
    size_t n = (size_t)snprintf(var, sizeof(var), "AGORA_");
    for (const char *p = binary; *p != '\0' && n + 6 < sizeof(var); p++) {
        var[n++] = *p == '-' ? '_' : (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
    }
    snprintf(var + n, sizeof(var) - n, "_PORT");
    setenv(var, port, 1);
    for (size_t i = 0; env != NULL && env[i] != NULL; i++) {
        const char *eq = strchr(env[i], '=');
        if (eq != NULL && (size_t)(eq - env[i]) < sizeof(var)) {
            snprintf(var, sizeof(var), "%.*s", (int)(eq - env[i]), env[i]);
            setenv(var, eq + 1, 1);
        }
    }
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, STDOUT_FILENO);
    snprintf(path, sizeof(path), "%s/%s", getenv("AGORA_BIN_DIR"), binary);
    execl(path, binary, (char *)NULL);
    _exit(127);
}

pid_t
it_service_start(const char *binary, const char *port, const char *const *env)
{
    char url[128];
    pid_t pid = fork();
    if (pid == 0) {
        service_exec(binary, port, env);
    }
    snprintf(url, sizeof(url), "http://127.0.0.1:%s/healthz", port);
    for (int i = 0; pid > 0 && i < 100; i++) {
        struct it_resp r;
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
        it_request(&r, "GET", url, NULL, NULL, NULL, NULL);
        long status = r.status;
        it_resp_free(&r);
        if (status == 200) {
            return pid;
        }
    }
    if (pid > 0) {
        it_service_stop(pid);
    }
    return -1;
}

int
it_service_stop(pid_t pid)
{
    int ws = 0;
    kill(pid, SIGTERM);
    waitpid(pid, &ws, 0);
    return WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
}
