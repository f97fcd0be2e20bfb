/*
 * The member API: HTTP in and out. Parse, validate, call the store, reply.
 */
#include "member.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agora/err.h"
#include "agora/json.h"
#include "agora/log.h"

/* Reads a string field and runs a domain check on it; 400 naming the field on failure. */
static int
field_or_reply(struct ag_req *req, const json_t *body, const char *name, int flags, size_t min,
               size_t max, int (*check)(struct ag_str, const char **), struct ag_str *out)
{
    struct ag_json_err err;
    const char *why;

    if (ag_json_get_str(req->arena, body, name, flags | AG_JSON_TRIM, min, max, out, &err) < 0) {
        ag_reply_invalid(req, &err);
        return AG_EINVAL;
    }
    if (out->ptr != NULL && check != NULL && check(*out, &why) < 0) {
        ag_json_err_set(&err, name, "%s", why);
        ag_reply_invalid(req, &err);
        return AG_EINVAL;
    }
    return 0;
}

static int
only_keys_or_reply(struct ag_req *req, const json_t *body, const char *const *keys)
{
    struct ag_json_err err;
    if (ag_json_only_keys(body, keys, &err) < 0) {
        ag_reply_invalid(req, &err);
        return AG_EINVAL;
    }
    return 0;
}

/* The path's {id}, normalized; 404 when it cannot be a login id (nothing has that id). */
static int
path_id_or_reply(struct ag_req *req, char out[MEMBER_ID_MAX + 1])
{
    const char *why;
    if (member_id_normalize(ag_req_param(req, "id"), out, &why) < 0) {
        ag_reply_error(req, AG_ENOTFOUND, "member not found");
        return AG_ENOTFOUND;
    }
    return 0;
}

static int
password_or_reply(struct ag_req *req, const json_t *body, const char *name, struct ag_str *out)
{
    struct ag_json_err err;
    /* Not trimmed: a password is taken exactly as typed. */
    if (ag_json_get_str(req->arena, body, name, AG_JSON_REQUIRED, MEMBER_PASSWORD_MIN,
                        MEMBER_PASSWORD_MAX, out, &err) < 0) {
        ag_reply_invalid(req, &err);
        return AG_EINVAL;
    }
    return 0;
}

/* POST /api/members: sign up. */

static const char *const signup_keys[] = {"id", "email", "name", "password", "role", NULL};

static int
signup_parse_or_reply(struct ag_req *req, struct member_new *m, struct ag_str *password)
{
    json_t *body;
    struct ag_str id = AG_STR_NULL, role = AG_STR_NULL;
    const char *why;

    int rc = ag_req_json_or_reply(req, &body);
    if (rc == 0) {
        rc = only_keys_or_reply(req, body, signup_keys);
    }
    if (rc == 0) {
        rc = field_or_reply(req, body, "id", AG_JSON_REQUIRED, 3, MEMBER_ID_MAX, NULL, &id);
    }
    if (rc == 0 && member_id_normalize(id, m->id, &why) < 0) {
        ag_reply_error_details(req, AG_EINVAL, json_pack("{s:s}", "field", "id"), "%s", why);
        rc = AG_EINVAL;
    }
    if (rc == 0) {
        rc = field_or_reply(req, body, "email", AG_JSON_REQUIRED, 3, MEMBER_EMAIL_MAX,
                            member_email_check, &m->email);
    }
    if (rc == 0) {
        rc =
            field_or_reply(req, body, "name", AG_JSON_REQUIRED, 1, MEMBER_NAME_MAX, NULL, &m->name);
    }
    if (rc == 0) {
        rc = password_or_reply(req, body, "password", password);
    }
    if (rc == 0) {
        rc = field_or_reply(req, body, "role", 0, 4, 5, NULL, &role);
    }
    if (rc < 0) {
        return rc;
    }
    m->role = "user";
    if (role.ptr != NULL) {
        if (req->auth.role != AG_ROLE_ADMIN) {
            ag_reply_error(req, AG_EFORBIDDEN, "only an admin may set 'role'");
            return AG_EFORBIDDEN;
        }
        if (!ag_str_eq(role, "user") && !ag_str_eq(role, "admin")) {
            struct ag_json_err err;
            ag_json_err_set(&err, "role", "'role' must be 'user' or 'admin'");
            ag_reply_invalid(req, &err);
            return AG_EINVAL;
        }
        m->role = ag_str_eq(role, "admin") ? "admin" : "user";
    }
    return 0;
}

struct signup {
    struct ag_req *req;
    const struct member_new *m;
};

static int
signup_tx(PGconn *db, void *arg)
{
    struct signup *s = arg;
    struct member out;

    int rc = store_member_insert(s->req->arena, db, s->m, &out);
    if (rc < 0) {
        return rc;
    }
    ag_reply_json(s->req, 201, member_to_json(&out));
    return ag_idem_save(s->req, db);
}

static int
conflict_reply(struct ag_req *req, const char *id, struct ag_str email)
{
    PGconn *db;
    int id_taken = 0, email_taken = 0;

    int rc = ag_req_db(req, &db);
    if (rc == 0) {
        rc = store_member_taken(db, id != NULL ? id : "", email, &id_taken, &email_taken);
    }
    if (rc < 0) {
        return rc;
    }
    if (id_taken) {
        return ag_reply_error_details(req, AG_ECONFLICT, json_pack("{s:s}", "field", "id"),
                                      "id '%s' is already taken", id);
    }
    return ag_reply_error_details(req, AG_ECONFLICT, json_pack("{s:s}", "field", "email"),
                                  "email is already registered");
}

static int
member_create_run(struct ag_req *req)
{
    struct member_new m;
    struct ag_str password = AG_STR_NULL;

    memset(&m, 0, sizeof(m));
    int rc = signup_parse_or_reply(req, &m, &password);
    if (rc < 0) {
        return rc;
    }
    rc = member_password_hash(password, m.hash);
    if (rc < 0) {
        return rc;
    }
    struct signup s = {req, &m};
    rc = ag_req_tx(req, "READ COMMITTED", signup_tx, &s);
    sodium_memzero(m.hash, sizeof(m.hash));
    if (rc == AG_ECONFLICT) {
        return conflict_reply(req, m.id, m.email);
    }
    return rc;
}

/* GET /api/members?skip=&take= (admin). */

static int
member_list(struct ag_req *req)
{
    long long skip = 0, take = 0, total = 0;
    json_t *items = NULL;
    PGconn *db;

    int rc = ag_req_query_int_or_reply(req, "skip", 0, 1000000000, 0, &skip);
    if (rc == 0) {
        rc = ag_req_query_int_or_reply(req, "take", 1, MEMBER_LIST_MAX, 20, &take);
    }
    if (rc < 0) {
        return rc;
    }
    rc = ag_req_db(req, &db);
    if (rc == 0) {
        rc = store_member_list(req->arena, db, skip, take, &items, &total);
    }
    if (rc < 0) {
        return rc;
    }
    return ag_reply_json(req, 200,
                         json_pack("{s:o,s:I,s:I,s:I}", "items", items, "total", (json_int_t)total,
                                   "skip", (json_int_t)skip, "take", (json_int_t)take));
}

/* GET /api/members/{id} (owner or admin): a batched read, see agora/batch.h. */

static void
member_get_reply(struct ag_req *req, const PGresult *res, int row, int rc)
{
    struct member m;

    if (rc == AG_ENOTFOUND) {
        ag_reply_error(req, rc, "member not found");
        return;
    }
    if (rc < 0) {
        ag_log(AG_LOG_ERROR, req->request_id, "member read failed: %s", ag_err_name(rc));
        ag_reply_error(req, rc, "%s", ag_err_message(rc));
        return;
    }
    store_member_from_batch(req->arena, res, row, &m);
    ag_reply_json(req, 200, member_to_json(&m));
}

static int
member_get(struct ag_req *req)
{
    const struct member_app *app = req->app;
    char id[MEMBER_ID_MAX + 1];

    int rc = path_id_or_reply(req, id);
    if (rc < 0) {
        return rc;
    }
    return ag_batch_get(app->member_by_id, req, (struct ag_str){id, strlen(id)}, member_get_reply);
}

/* PATCH /api/members/{id}: email and/or name. */

static const char *const patch_keys[] = {"email", "name", NULL};

struct patch {
    struct ag_req *req;
    const char *id;
    struct member_patch p;
};

static int
patch_tx(PGconn *db, void *arg)
{
    struct patch *t = arg;
    struct member m;

    int rc = store_member_update(t->req->arena, db, t->id, &t->p, &m);
    if (rc == AG_ENOTFOUND) {
        ag_reply_error(t->req, rc, "member not found");
    }
    if (rc < 0) {
        return rc;
    }
    ag_reply_json(t->req, 200, member_to_json(&m));
    return ag_idem_save(t->req, db);
}

static int
member_patch(struct ag_req *req)
{
    char id[MEMBER_ID_MAX + 1];
    json_t *body;
    struct patch t = {req, id, {AG_STR_NULL, AG_STR_NULL}};

    int rc = path_id_or_reply(req, id);
    if (rc == 0) {
        rc = ag_req_json_or_reply(req, &body);
    }
    if (rc == 0) {
        rc = only_keys_or_reply(req, body, patch_keys);
    }
    if (rc == 0) {
        rc = field_or_reply(req, body, "email", 0, 3, MEMBER_EMAIL_MAX, member_email_check,
                            &t.p.email);
    }
    if (rc == 0) {
        rc = field_or_reply(req, body, "name", 0, 1, MEMBER_NAME_MAX, NULL, &t.p.name);
    }
    if (rc < 0) {
        return rc;
    }
    if (t.p.email.ptr == NULL && t.p.name.ptr == NULL) {
        return ag_reply_error(req, AG_EINVAL, "nothing to change: send 'email' and/or 'name'");
    }
    rc = ag_req_tx(req, "READ COMMITTED", patch_tx, &t);
    if (rc == AG_ECONFLICT) {
        return ag_reply_error_details(req, AG_ECONFLICT, json_pack("{s:s}", "field", "email"),
                                      "email is already registered");
    }
    return rc;
}

/* DELETE /api/members/{id}: soft delete; the addresses are removed. */

struct del {
    struct ag_req *req;
    const char *id;
};

static int
delete_tx(PGconn *db, void *arg)
{
    struct del *t = arg;
    int rc = store_member_delete(db, t->id);
    if (rc == AG_ENOTFOUND) {
        ag_reply_error(t->req, rc, "member not found");
    }
    if (rc < 0) {
        return rc;
    }
    ag_reply_empty(t->req, 204);
    return ag_idem_save(t->req, db);
}

static int
member_delete(struct ag_req *req)
{
    char id[MEMBER_ID_MAX + 1];
    int rc = path_id_or_reply(req, id);
    if (rc < 0) {
        return rc;
    }
    struct del t = {req, id};
    rc = ag_req_tx(req, "READ COMMITTED", delete_tx, &t);
    if (rc == 0) {
        member_event_publish(req, "deleted", id); /* auth ends the sessions */
    }
    return rc;
}

/* POST /api/members/{id}/change-password. */

static const char *const password_keys[] = {"currentPassword", "newPassword", NULL};

static int
member_change_password_run(struct ag_req *req)
{
    char id[MEMBER_ID_MAX + 1];
    char hash[crypto_pwhash_STRBYTES];
    json_t *body;
    struct ag_str current = AG_STR_NULL, next = AG_STR_NULL;
    struct member m;
    const char *old_hash = NULL;
    PGconn *db;
    /* An admin may reset another member's password without knowing it. */
    int need_current =
        req->auth.role != AG_ROLE_ADMIN || ag_str_eq(ag_req_param(req, "id"), req->auth.sub);

    int rc = path_id_or_reply(req, id);
    if (rc == 0) {
        rc = ag_req_json_or_reply(req, &body);
    }
    if (rc == 0) {
        rc = only_keys_or_reply(req, body, password_keys);
    }
    if (rc == 0 && (need_current || json_object_get(body, "currentPassword") != NULL)) {
        rc = password_or_reply(req, body, "currentPassword", &current);
    }
    if (rc == 0) {
        rc = password_or_reply(req, body, "newPassword", &next);
    }
    if (rc < 0) {
        return rc;
    }
    rc = ag_req_db(req, &db);
    if (rc == 0) {
        rc = store_member_secret(req->arena, db, id, NULL, &m, &old_hash);
    }
    if (rc == AG_ENOTFOUND) {
        return ag_reply_error(req, rc, "member not found");
    }
    if (rc < 0) {
        return rc;
    }
    if (current.ptr != NULL && member_password_verify(old_hash, current) < 0) {
        return ag_reply_error_details(req, AG_EINVAL,
                                      json_pack("{s:s}", "field", "currentPassword"),
                                      "current password is wrong");
    }
    rc = member_password_hash(next, hash);
    if (rc == 0) {
        rc = store_member_password_set(db, id, hash);
    }
    sodium_memzero(hash, sizeof(hash));
    if (rc < 0) {
        return rc;
    }
    member_event_publish(req, "password_changed", id); /* auth ends the sessions */
    return ag_reply_json_msg(req, 200, NULL, "password changed");
}

/* Addresses: GET|POST /api/members/{id}/addresses, PATCH|DELETE …/{addressId}. */

static const char *const address_keys[] = {"recipient", "postalCode", "line1", "line2",
                                           "phone",     "isDefault",  NULL};

static int
address_parse_or_reply(struct ag_req *req, int create, struct address_patch *p)
{
    json_t *body;
    struct ag_json_err err;
    int req_flag = create ? AG_JSON_REQUIRED : 0;
    int present = 0, value = 0;

    memset(p, 0, sizeof(*p));
    int rc = ag_req_json_or_reply(req, &body);
    if (rc == 0) {
        rc = only_keys_or_reply(req, body, address_keys);
    }
    if (rc == 0) {
        rc = field_or_reply(req, body, "recipient", req_flag, 1, 50, NULL, &p->recipient);
    }
    if (rc == 0) {
        rc = field_or_reply(req, body, "phone", req_flag, 7, 20, member_phone_check, &p->phone);
    }
    if (rc == 0) {
        rc = field_or_reply(req, body, "postalCode", req_flag, 3, 10, member_postal_check,
                            &p->postal_code);
    }
    if (rc == 0) {
        rc = field_or_reply(req, body, "line1", req_flag, 1, 200, NULL, &p->line1);
    }
    if (rc == 0) {
        rc = field_or_reply(req, body, "line2", 0, 0, 200, NULL, &p->line2);
    }
    if (rc == 0 && ag_json_get_bool(body, "isDefault", 0, &value, &present, &err) < 0) {
        ag_reply_invalid(req, &err);
        rc = AG_EINVAL;
    }
    p->is_default = present ? value : -1;
    if (rc == 0 && !create && json_object_size(body) == 0) {
        ag_reply_error(req, AG_EINVAL, "nothing to change");
        rc = AG_EINVAL;
    }
    return rc;
}

static int
address_list(struct ag_req *req)
{
    char id[MEMBER_ID_MAX + 1];
    json_t *items = NULL;
    PGconn *db;
    const char *uid;
    long long n;

    int rc = path_id_or_reply(req, id);
    if (rc == 0) {
        rc = ag_req_db(req, &db);
    }
    if (rc == 0) {
        rc = store_member_lock(req->arena, db, id, &uid, &n); /* 404 for unknown members */
    }
    if (rc == AG_ENOTFOUND) {
        return ag_reply_error(req, rc, "member not found");
    }
    if (rc == 0) {
        rc = store_address_list(req->arena, db, id, &items);
    }
    if (rc < 0) {
        return rc;
    }
    return ag_reply_json(req, 200, items);
}

struct addr_tx {
    struct ag_req *req;
    const char *id;
    const char *address_id;
    struct address_patch p;
};

static int
address_create_tx(PGconn *db, void *arg)
{
    struct addr_tx *t = arg;
    const char *uid;
    long long n;
    struct address out;

    int rc = store_member_lock(t->req->arena, db, t->id, &uid, &n);
    if (rc == AG_ENOTFOUND) {
        ag_reply_error(t->req, rc, "member not found");
    }
    if (rc < 0) {
        return rc;
    }
    if (n >= MEMBER_ADDRESSES_MAX) {
        ag_reply_error(t->req, AG_ECONFLICT, "a member may keep at most %d addresses",
                       MEMBER_ADDRESSES_MAX);
        return AG_ECONFLICT;
    }
    struct address_patch p = t->p;
    p.is_default = n == 0 || p.is_default > 0; /* the first address is the default */
    if (p.is_default) {
        rc = store_address_clear_default(db, uid, NULL);
    }
    if (rc == 0) {
        rc = store_address_insert(t->req->arena, db, uid, &p, &out);
    }
    if (rc < 0) {
        return rc;
    }
    ag_reply_json(t->req, 201, address_to_json(&out));
    return ag_idem_save(t->req, db);
}

static int
address_create(struct ag_req *req)
{
    char id[MEMBER_ID_MAX + 1];
    struct addr_tx t = {.req = req, .id = id};

    int rc = path_id_or_reply(req, id);
    if (rc == 0) {
        rc = address_parse_or_reply(req, 1, &t.p);
    }
    if (rc < 0) {
        return rc;
    }
    return ag_req_tx(req, "READ COMMITTED", address_create_tx, &t);
}

/* The path's {addressId}; 404 when it is not a UUID (no address has that id). */
static int
address_id_or_reply(struct ag_req *req, const char **out)
{
    struct ag_str s = ag_req_param(req, "addressId");
    if (member_uuid_check(s) < 0) {
        ag_reply_error(req, AG_ENOTFOUND, "address not found");
        return AG_ENOTFOUND;
    }
    *out = ag_arena_strndup(req->arena, s.ptr, s.len);
    return 0;
}

static int
address_update_tx(PGconn *db, void *arg)
{
    struct addr_tx *t = arg;
    const char *uid;
    long long n;
    struct address out;

    int rc = store_member_lock(t->req->arena, db, t->id, &uid, &n);
    if (rc == 0 && t->p.is_default == 1) {
        rc = store_address_clear_default(db, uid, t->address_id);
    }
    if (rc == 0) {
        rc = store_address_update(t->req->arena, db, uid, t->address_id, &t->p, &out);
    }
    if (rc == 0 && t->p.is_default == 0) {
        rc = store_address_promote(db, uid); /* never leave a member without a default */
    }
    if (rc == AG_ENOTFOUND) {
        ag_reply_error(t->req, rc, "address not found");
    }
    if (rc < 0) {
        return rc;
    }
    ag_reply_json(t->req, 200, address_to_json(&out));
    return ag_idem_save(t->req, db);
}

static int
address_update(struct ag_req *req)
{
    char id[MEMBER_ID_MAX + 1];
    struct addr_tx t = {.req = req, .id = id};

    int rc = path_id_or_reply(req, id);
    if (rc == 0) {
        rc = address_id_or_reply(req, &t.address_id);
    }
    if (rc == 0) {
        rc = address_parse_or_reply(req, 0, &t.p);
    }
    if (rc < 0) {
        return rc;
    }
    return ag_req_tx(req, "READ COMMITTED", address_update_tx, &t);
}

static int
address_delete_tx(PGconn *db, void *arg)
{
    struct addr_tx *t = arg;
    const char *uid;
    long long n;
    int was_default = 0;

    int rc = store_member_lock(t->req->arena, db, t->id, &uid, &n);
    if (rc == 0) {
        rc = store_address_delete(db, uid, t->address_id, &was_default);
    }
    if (rc == 0 && was_default) {
        rc = store_address_promote(db, uid);
    }
    if (rc == AG_ENOTFOUND) {
        ag_reply_error(t->req, rc, "address not found");
    }
    if (rc < 0) {
        return rc;
    }
    ag_reply_empty(t->req, 204);
    return ag_idem_save(t->req, db);
}

static int
address_delete(struct ag_req *req)
{
    char id[MEMBER_ID_MAX + 1];
    struct addr_tx t = {.req = req, .id = id};

    int rc = path_id_or_reply(req, id);
    if (rc == 0) {
        rc = address_id_or_reply(req, &t.address_id);
    }
    if (rc < 0) {
        return rc;
    }
    return ag_req_tx(req, "READ COMMITTED", address_delete_tx, &t);
}

/*
 * POST /internal/members/verify {id | email, password}: the auth service's credential check.
 * Unknown members are checked against a dummy hash, so that they take as long as a wrong
 * password and answer the same 401.
 */

static const char *const verify_keys[] = {"id", "email", "password", NULL};

static int
member_verify_run(struct ag_req *req)
{
    const struct member_app *app = req->app;
    json_t *body;
    struct ag_str id = AG_STR_NULL, email = AG_STR_NULL, password;
    char norm[MEMBER_ID_MAX + 1];
    const char *why, *hash = NULL;
    struct member m;
    PGconn *db;

    int rc = ag_req_json_or_reply(req, &body);
    if (rc == 0) {
        rc = only_keys_or_reply(req, body, verify_keys);
    }
    if (rc == 0) {
        rc = field_or_reply(req, body, "id", 0, 1, MEMBER_ID_MAX, NULL, &id);
    }
    if (rc == 0) {
        rc = field_or_reply(req, body, "email", 0, 1, MEMBER_EMAIL_MAX, NULL, &email);
    }
    if (rc == 0) {
        /* Any length is checked against the hash: no early answer that says "too short". */
        struct ag_json_err err;
        rc = ag_json_get_str(req->arena, body, "password", AG_JSON_REQUIRED, 1, MEMBER_PASSWORD_MAX,
                             &password, &err);
        if (rc < 0) {
            ag_reply_invalid(req, &err);
        }
    }
    if (rc < 0) {
        return rc;
    }
    if ((id.ptr == NULL) == (email.ptr == NULL)) {
        return ag_reply_error(req, AG_EINVAL, "send exactly one of 'id' and 'email'");
    }
    rc = ag_req_db(req, &db);
    if (rc < 0) {
        return rc;
    }
    if (id.ptr == NULL || member_id_normalize(id, norm, &why) == 0) {
        rc = store_member_secret(
            req->arena, db, id.ptr ? norm : NULL,
            email.ptr ? ag_arena_strndup(req->arena, email.ptr, email.len) : NULL, &m, &hash);
    } else {
        rc = AG_ENOTFOUND;
    }
    if (rc < 0 && rc != AG_ENOTFOUND) {
        return rc;
    }
    int ok = member_password_verify(hash != NULL ? hash : app->dummy_hash, password) == 0;
    if (!ok || hash == NULL) {
        return ag_reply_error(req, AG_EUNAUTH, "invalid credentials");
    }
    json_t *data = member_to_json(&m);
    json_object_set_new(data, "uid", json_string(m.uid));
    return ag_reply_json(req, 200, data);
}

/*
 * Sign-up, password change and the credential check spend tens of milliseconds in argon2id:
 * they run whole on a work thread, so the HTTP thread goes on serving the reads meanwhile.
 */
static int
on_work_thread(struct ag_req *req, void *arg)
{
    const ag_handler_fn *fn = (const ag_handler_fn *)(uintptr_t)arg;
    return (*fn)(req);
}

static int
offload(struct ag_req *req, const ag_handler_fn *fn)
{
    const struct member_app *app = req->app;
    return ag_work_offload(app->work, req, on_work_thread, (void *)(uintptr_t)fn);
}

static const ag_handler_fn member_create_fn = member_create_run;
static const ag_handler_fn member_change_password_fn = member_change_password_run;
static const ag_handler_fn member_verify_fn = member_verify_run;

static int
member_create(struct ag_req *req)
{
    return offload(req, &member_create_fn);
}

static int
member_change_password(struct ag_req *req)
{
    return offload(req, &member_change_password_fn);
}

static int
member_verify(struct ag_req *req)
{
    return offload(req, &member_verify_fn);
}

const struct ag_route member_routes[] = {
    {AG_POST, "/api/members", member_create, AG_AUTH_ANY, 4096, AG_ROUTE_IDEM_REQUIRED},
    {AG_GET, "/api/members", member_list, AG_AUTH_ADMIN, 0, 0},
    {AG_GET, "/api/members/{id}", member_get, AG_AUTH_OWNER, 0, 0},
    {AG_PATCH, "/api/members/{id}", member_patch, AG_AUTH_OWNER, 4096, 0},
    {AG_DELETE, "/api/members/{id}", member_delete, AG_AUTH_OWNER, 0, 0},
    {AG_POST, "/api/members/{id}/change-password", member_change_password, AG_AUTH_OWNER, 1024, 0},
    {AG_GET, "/api/members/{id}/addresses", address_list, AG_AUTH_OWNER, 0, 0},
    {AG_POST, "/api/members/{id}/addresses", address_create, AG_AUTH_OWNER, 4096, 0},
    {AG_PATCH, "/api/members/{id}/addresses/{addressId}", address_update, AG_AUTH_OWNER, 4096, 0},
    {AG_DELETE, "/api/members/{id}/addresses/{addressId}", address_delete, AG_AUTH_OWNER, 0, 0},
    {AG_POST, "/internal/members/verify", member_verify, AG_AUTH_INTERNAL, 1024, 0},
};
const size_t member_nroutes = sizeof(member_routes) / sizeof(member_routes[0]);
