/*
 * Every SQL statement of the member service, prepared once per connection, and the code that
 * turns their rows into structs. Parameters only: no SQL is ever built from input.
 */
#include "member.h"

#include <stdio.h>
#include <string.h>

#include "agora/err.h"

#define TS(col)     "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
#define MEMBER_COLS "uid::text, id, email, name, role, " TS("created_at") ", " TS("updated_at")
#define ADDRESS_COLS                                                                               \
    "a.id::text, a.recipient, a.phone, a.postal_code, a.line1, a.line2, a.is_default, " TS(        \
        "a.created_at") ", " TS("a.updated_at")
#define LIVE_MEMBER "SELECT uid FROM members WHERE id = $1 AND deleted_at IS NULL"

const struct ag_db_stmt member_stmts[] = {
    {"member_insert",
     "INSERT INTO members (id, email, name, password_hash, role) VALUES ($1, $2, $3, $4, $5)"
     " RETURNING " MEMBER_COLS,
     5},
    {"member_admin_ensure",
     "INSERT INTO members (id, email, name, password_hash, role) VALUES ($1, $2, $3, $4, $5)"
     " ON CONFLICT DO NOTHING",
     5},
    {"member_taken",
     "SELECT EXISTS (SELECT 1 FROM members WHERE id = $1),"
     " EXISTS (SELECT 1 FROM members WHERE lower(email) = lower($2) AND deleted_at IS NULL)",
     2},
    {"member_get", "SELECT " MEMBER_COLS " FROM members WHERE id = $1 AND deleted_at IS NULL", 1},
    /* The batched read (agora/batch.h): the key first, then the member. */
    {"member_get_many",
     "SELECT id, " MEMBER_COLS " FROM members WHERE id = ANY ($1::text[]) AND deleted_at IS NULL",
     1},
    {"member_list",
     "SELECT " MEMBER_COLS " FROM members WHERE deleted_at IS NULL"
     " ORDER BY created_at, uid OFFSET $1 LIMIT $2",
     2},
    {"member_count", "SELECT count(*) FROM members WHERE deleted_at IS NULL", 0},
    {"member_update",
     "UPDATE members SET email = COALESCE($2, email), name = COALESCE($3, name),"
     " updated_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING " MEMBER_COLS,
     3},
    /* Soft delete; the addresses (personal data) go at once, in the same statement. */
    {"member_delete",
     "WITH m AS (UPDATE members SET deleted_at = now(), updated_at = now()"
     " WHERE id = $1 AND deleted_at IS NULL RETURNING uid),"
     " a AS (DELETE FROM addresses WHERE member_uid IN (SELECT uid FROM m))"
     " SELECT uid::text FROM m",
     1},
    {"member_secret_by_id",
     "SELECT " MEMBER_COLS ", password_hash FROM members WHERE id = $1 AND deleted_at IS NULL", 1},
    {"member_secret_by_email",
     "SELECT " MEMBER_COLS ", password_hash FROM members"
     " WHERE lower(email) = lower($1) AND deleted_at IS NULL",
     1},
    {"member_password_set",
     "UPDATE members SET password_hash = $2, updated_at = now()"
     " WHERE id = $1 AND deleted_at IS NULL",
     2},
    {"member_lock",
     "SELECT m.uid::text, (SELECT count(*) FROM addresses WHERE member_uid = m.uid)"
     " FROM members m WHERE m.id = $1 AND m.deleted_at IS NULL FOR UPDATE",
     1},
    {"address_list",
     "SELECT " ADDRESS_COLS " FROM addresses a WHERE a.member_uid = (" LIVE_MEMBER ")"
     " ORDER BY a.created_at, a.id",
     1},
    {"address_clear_default",
     "UPDATE addresses SET is_default = false, updated_at = now()"
     " WHERE member_uid = $1::uuid AND is_default AND id IS DISTINCT FROM $2::uuid",
     2},
    {"address_insert",
     "INSERT INTO addresses AS a (member_uid, recipient, phone, postal_code, line1, line2,"
     " is_default) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7::boolean) RETURNING " ADDRESS_COLS,
     7},
    {"address_update",
     "UPDATE addresses AS a SET recipient = COALESCE($3, recipient), phone = COALESCE($4, phone),"
     " postal_code = COALESCE($5, postal_code), line1 = COALESCE($6, line1),"
     " line2 = COALESCE($7, line2), is_default = COALESCE($8::boolean, is_default),"
     " updated_at = now() WHERE a.member_uid = $1::uuid AND a.id = $2::uuid"
     " RETURNING " ADDRESS_COLS,
     8},
    {"address_delete",
     "DELETE FROM addresses WHERE member_uid = $1::uuid AND id = $2::uuid RETURNING is_default", 2},
    {"address_promote",
     "UPDATE addresses SET is_default = true, updated_at = now() WHERE id = (SELECT id FROM"
     " addresses WHERE member_uid = $1::uuid ORDER BY created_at, id LIMIT 1)"
     " AND NOT EXISTS (SELECT 1 FROM addresses WHERE member_uid = $1::uuid AND is_default)",
     1},
};
const size_t member_nstmts = sizeof(member_stmts) / sizeof(member_stmts[0]);

static const char *
col(struct ag_arena *a, const PGresult *res, int row, int c)
{
    return ag_arena_strndup(a, PQgetvalue(res, row, c), (size_t)PQgetlength(res, row, c));
}

/* The member's columns start at column 'c' of the row. */
static void
member_from_cols(struct ag_arena *a, const PGresult *res, int row, int c, struct member *m)
{
    m->uid = col(a, res, row, c);
    m->id = col(a, res, row, c + 1);
    m->email = col(a, res, row, c + 2);
    m->name = col(a, res, row, c + 3);
    m->role = col(a, res, row, c + 4);
    m->created_at = col(a, res, row, c + 5);
    m->updated_at = col(a, res, row, c + 6);
}

static void
member_from_row(struct ag_arena *a, const PGresult *res, int row, struct member *m)
{
    member_from_cols(a, res, row, 0, m);
}

void
store_member_from_batch(struct ag_arena *a, const PGresult *res, int row, struct member *m)
{
    member_from_cols(a, res, row, 1, m);
}

static void
address_from_row(struct ag_arena *a, const PGresult *res, int row, struct address *ad)
{
    ad->id = col(a, res, row, 0);
    ad->recipient = col(a, res, row, 1);
    ad->phone = col(a, res, row, 2);
    ad->postal_code = col(a, res, row, 3);
    ad->line1 = col(a, res, row, 4);
    ad->line2 = col(a, res, row, 5);
    ad->is_default = PQgetvalue(res, row, 6)[0] == 't';
    ad->created_at = col(a, res, row, 7);
    ad->updated_at = col(a, res, row, 8);
}

/* A NUL-terminated copy of an optional string, or NULL (SQL NULL) when absent. */
static const char *
opt(struct ag_arena *a, struct ag_str s)
{
    return s.ptr != NULL ? ag_arena_strndup(a, s.ptr, s.len) : NULL;
}

/* Runs a statement expected to return at most one row: AG_ENOTFOUND when none. */
static int
exec_one(PGconn *db, const char *name, int n, const char *const *params, PGresult **res)
{
    int rc = ag_db_exec(db, name, n, params, NULL, res, NULL);
    if (rc < 0) {
        return rc;
    }
    if (PQntuples(*res) == 0) {
        PQclear(*res);
        *res = NULL;
        return AG_ENOTFOUND;
    }
    return 0;
}

int
store_member_insert(struct ag_arena *a, PGconn *db, const struct member_new *m, struct member *out)
{
    PGresult *res;
    const char *p[5] = {m->id, opt(a, m->email), opt(a, m->name), m->hash, m->role};
    int rc = exec_one(db, "member_insert", 5, p, &res);
    if (rc == 0) {
        member_from_row(a, res, 0, out);
        PQclear(res);
    }
    return rc;
}

int
store_admin_ensure(PGconn *db, const struct member_new *m)
{
    PGresult *res;
    char email[MEMBER_EMAIL_MAX + 1], name[256];
    snprintf(email, sizeof(email), "%.*s", (int)m->email.len, m->email.ptr);
    snprintf(name, sizeof(name), "%.*s", (int)m->name.len, m->name.ptr);
    const char *p[5] = {m->id, email, name, m->hash, m->role};
    int rc = ag_db_exec(db, "member_admin_ensure", 5, p, NULL, &res, NULL);
    PQclear(res);
    return rc;
}

int
store_member_taken(PGconn *db, const char *id, struct ag_str email, int *id_taken, int *email_taken)
{
    PGresult *res;
    char mail[MEMBER_EMAIL_MAX + 1];
    snprintf(mail, sizeof(mail), "%.*s", (int)email.len, email.ptr);
    const char *p[2] = {id, mail};
    int rc = exec_one(db, "member_taken", 2, p, &res);
    if (rc == 0) {
        *id_taken = PQgetvalue(res, 0, 0)[0] == 't';
        *email_taken = PQgetvalue(res, 0, 1)[0] == 't';
        PQclear(res);
    }
    return rc;
}

int
store_member_get(struct ag_arena *a, PGconn *db, const char *id, struct member *out)
{
    PGresult *res;
    const char *p[1] = {id};
    int rc = exec_one(db, "member_get", 1, p, &res);
    if (rc == 0) {
        member_from_row(a, res, 0, out);
        PQclear(res);
    }
    return rc;
}

int
store_member_list(struct ag_arena *a, PGconn *db, long long skip, long long take, json_t **items,
                  long long *total)
{
    PGresult *res;
    char s[24], t[24];
    snprintf(s, sizeof(s), "%lld", skip);
    snprintf(t, sizeof(t), "%lld", take);
    const char *p[2] = {s, t};
    int rc = exec_one(db, "member_count", 0, NULL, &res);
    if (rc < 0) {
        return rc;
    }
    *total = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    rc = ag_db_exec(db, "member_list", 2, p, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    *items = json_array();
    for (int i = 0; i < PQntuples(res); i++) {
        struct member m;
        member_from_row(a, res, i, &m);
        json_array_append_new(*items, member_to_json(&m));
    }
    PQclear(res);
    return 0;
}

int
store_member_update(struct ag_arena *a, PGconn *db, const char *id, const struct member_patch *pa,
                    struct member *out)
{
    PGresult *res;
    const char *p[3] = {id, opt(a, pa->email), opt(a, pa->name)};
    int rc = exec_one(db, "member_update", 3, p, &res);
    if (rc == 0) {
        member_from_row(a, res, 0, out);
        PQclear(res);
    }
    return rc;
}

int
store_member_delete(PGconn *db, const char *id)
{
    PGresult *res;
    const char *p[1] = {id};
    int rc = exec_one(db, "member_delete", 1, p, &res);
    PQclear(res);
    return rc;
}

int
store_member_secret(struct ag_arena *a, PGconn *db, const char *id, const char *email,
                    struct member *out, const char **hash)
{
    PGresult *res;
    const char *p[1] = {id != NULL ? id : email};
    int rc =
        exec_one(db, id != NULL ? "member_secret_by_id" : "member_secret_by_email", 1, p, &res);
    if (rc == 0) {
        member_from_row(a, res, 0, out);
        *hash = col(a, res, 0, 7);
        PQclear(res);
    }
    return rc;
}

int
store_member_password_set(PGconn *db, const char *id, const char *hash)
{
    PGresult *res;
    const char *p[2] = {id, hash};
    int rc = ag_db_exec(db, "member_password_set", 2, p, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    int changed = PQcmdTuples(res)[0] == '1';
    PQclear(res);
    return changed ? 0 : AG_ENOTFOUND;
}

int
store_member_lock(struct ag_arena *a, PGconn *db, const char *id, const char **uid,
                  long long *naddresses)
{
    PGresult *res;
    const char *p[1] = {id};
    int rc = exec_one(db, "member_lock", 1, p, &res);
    if (rc == 0) {
        *uid = col(a, res, 0, 0);
        *naddresses = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
        PQclear(res);
    }
    return rc;
}

int
store_address_list(struct ag_arena *a, PGconn *db, const char *id, json_t **items)
{
    PGresult *res;
    const char *p[1] = {id};
    int rc = ag_db_exec(db, "address_list", 1, p, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    *items = json_array();
    for (int i = 0; i < PQntuples(res); i++) {
        struct address ad;
        address_from_row(a, res, i, &ad);
        json_array_append_new(*items, address_to_json(&ad));
    }
    PQclear(res);
    return 0;
}

int
store_address_clear_default(PGconn *db, const char *member_uid, const char *except_id)
{
    PGresult *res;
    const char *p[2] = {member_uid, except_id};
    int rc = ag_db_exec(db, "address_clear_default", 2, p, NULL, &res, NULL);
    PQclear(res);
    return rc;
}

static const char *
bool_param(int v)
{
    return v < 0 ? NULL : (v ? "true" : "false");
}

int
store_address_insert(struct ag_arena *a, PGconn *db, const char *member_uid,
                     const struct address_patch *pa, struct address *out)
{
    PGresult *res;
    const char *line2 = pa->line2.ptr != NULL ? opt(a, pa->line2) : "";
    const char *p[7] = {member_uid,
                        opt(a, pa->recipient),
                        opt(a, pa->phone),
                        opt(a, pa->postal_code),
                        opt(a, pa->line1),
                        line2,
                        bool_param(pa->is_default > 0)};
    int rc = exec_one(db, "address_insert", 7, p, &res);
    if (rc == 0) {
        address_from_row(a, res, 0, out);
        PQclear(res);
    }
    return rc;
}

int
store_address_update(struct ag_arena *a, PGconn *db, const char *member_uid, const char *address_id,
                     const struct address_patch *pa, struct address *out)
{
    PGresult *res;
    const char *p[8] = {member_uid,
                        address_id,
                        opt(a, pa->recipient),
                        opt(a, pa->phone),
                        opt(a, pa->postal_code),
                        opt(a, pa->line1),
                        opt(a, pa->line2),
                        bool_param(pa->is_default)};
    int rc = exec_one(db, "address_update", 8, p, &res);
    if (rc == 0) {
        address_from_row(a, res, 0, out);
        PQclear(res);
    }
    return rc;
}

int
store_address_delete(PGconn *db, const char *member_uid, const char *address_id, int *was_default)
{
    PGresult *res;
    const char *p[2] = {member_uid, address_id};
    int rc = exec_one(db, "address_delete", 2, p, &res);
    if (rc == 0) {
        *was_default = PQgetvalue(res, 0, 0)[0] == 't';
        PQclear(res);
    }
    return rc;
}

int
store_address_promote(PGconn *db, const char *member_uid)
{
    PGresult *res;
    const char *p[1] = {member_uid};
    int rc = ag_db_exec(db, "address_promote", 1, p, NULL, &res, NULL);
    PQclear(res);
    return rc;
}
