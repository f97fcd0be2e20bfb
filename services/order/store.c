/*
 * Every SQL statement of the order service, prepared once per connection. Parameters only:
 * no SQL is ever built from input.
 */
#include "order.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agora/err.h"

const struct ag_db_stmt order_stmts[] = {
    {"cart_lines",
     "SELECT product_id, qty FROM cart_items WHERE owner = $1 ORDER BY added_at, product_id"
     " LIMIT $2::int",
     2},
    {"cart_qty", "SELECT qty FROM cart_items WHERE owner = $1 AND product_id = $2::bigint", 2},
    {"cart_update",
     "UPDATE cart_items SET qty = $3::int, updated_at = now()"
     " WHERE owner = $1 AND product_id = $2::bigint RETURNING 1",
     3},
    /* A new line only while the cart has fewer than $4 lines (a soft limit under races). */
    {"cart_insert",
     "INSERT INTO cart_items (owner, product_id, qty) SELECT $1, $2::bigint, $3::int"
     " WHERE (SELECT count(*) FROM cart_items WHERE owner = $1) < $4::int"
     " ON CONFLICT (owner, product_id) DO UPDATE SET qty = EXCLUDED.qty, updated_at = now()"
     " RETURNING 1",
     4},
    {"cart_remove", "DELETE FROM cart_items WHERE owner = $1 AND product_id = $2::bigint", 2},
    {"cart_clear", "DELETE FROM cart_items WHERE owner = $1", 1},
};
const size_t order_nstmts = sizeof(order_stmts) / sizeof(order_stmts[0]);

int
store_cart_lines(PGconn *db, const char *owner, struct cart_line *lines, size_t *n)
{
    char limit[16];
    PGresult *res;

    snprintf(limit, sizeof(limit), "%d", ORDER_CART_LINES_MAX);
    const char *v[] = {owner, limit};
    int rc = ag_db_exec(db, "cart_lines", 2, v, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    *n = 0;
    for (int i = 0; i < PQntuples(res) && *n < ORDER_CART_LINES_MAX; i++) {
        lines[*n].product_id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
        lines[*n].qty = strtoll(PQgetvalue(res, i, 1), NULL, 10);
        (*n)++;
    }
    PQclear(res);
    return 0;
}

int
store_cart_qty(PGconn *db, const char *owner, long long product_id, long long *qty)
{
    char id[24];
    PGresult *res;

    snprintf(id, sizeof(id), "%lld", product_id);
    const char *v[] = {owner, id};
    int rc = ag_db_exec(db, "cart_qty", 2, v, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    *qty = PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);
    return 0;
}

int
store_cart_set(PGconn *db, const char *owner, long long product_id, long long qty)
{
    char id[24], q[24], max[16];
    PGresult *res;

    snprintf(id, sizeof(id), "%lld", product_id);
    snprintf(q, sizeof(q), "%lld", qty);
    snprintf(max, sizeof(max), "%d", ORDER_CART_LINES_MAX);
    const char *v[] = {owner, id, q, max};
    int rc = ag_db_exec(db, "cart_update", 3, v, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    int done = PQntuples(res) == 1;
    PQclear(res);
    if (done) {
        return 0;
    }
    rc = ag_db_exec(db, "cart_insert", 4, v, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    done = PQntuples(res) == 1;
    PQclear(res);
    return done ? 0 : AG_ECONFLICT; /* the cart is full */
}

int
store_cart_remove(PGconn *db, const char *owner, long long product_id)
{
    char id[24];
    PGresult *res;

    snprintf(id, sizeof(id), "%lld", product_id);
    const char *v[] = {owner, id};
    int rc = ag_db_exec(db, "cart_remove", 2, v, NULL, &res, NULL);
    if (rc < 0) {
        return rc;
    }
    rc = PQcmdTuples(res)[0] == '1' ? 0 : AG_ENOTFOUND;
    PQclear(res);
    return rc;
}

int
store_cart_clear(PGconn *db, const char *owner)
{
    PGresult *res;
    int rc = ag_db_exec(db, "cart_clear", 1, &owner, NULL, &res, NULL);
    if (rc == 0) {
        PQclear(res);
    }
    return rc;
}
