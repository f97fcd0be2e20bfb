/*
 * The admin pages: for now the members list (GET /api/members, admins only), paginated; the
 * catalog's and the orders' admin pages come with those services.
 */
#include "web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agora/err.h"

#define ADMIN_PAGE_SIZE 20
#define ADMIN_MAX_PAGE  100000

/* GET /admin[?page=N]: the members, ADMIN_PAGE_SIZE a page, newest first as member lists. */
int
web_admin(struct ag_req *req)
{
    struct web_visit v;
    struct ag_httpc_resp resp;

    web_visit_begin(req, &v, WEB_VISIT_GUEST);
    if (!v.signed_in) {
        return web_redirect(req, "/login?next=/admin");
    }
    if (v.claims.role != AG_ROLE_ADMIN) {
        json_t *d = web_page_data(req, &v, "error_title");
        json_object_set_new(d, "message", json_string(web_text(req, &v, "admin_only")));
        return web_page_reply(req, 403, "error", d);
    }
    const char *p = ag_req_query(req, "page");
    long page = p != NULL ? strtol(p, NULL, 10) : 1;
    if (page < 1 || page > ADMIN_MAX_PAGE) {
        page = 1;
    }
    const char *path = ag_arena_printf(req->arena, "/api/members?skip=%ld&take=%d",
                                       (page - 1) * ADMIN_PAGE_SIZE, ADMIN_PAGE_SIZE);
    int rc = web_api_call(req, &v, "GET", path, NULL, NULL, &resp);
    json_t *data = rc == 0 && resp.status == 200 ? json_object_get(resp.json, "data") : NULL;
    json_t *d = web_page_data(req, &v, "admin_title");
    if (data == NULL) {
        ag_httpc_resp_release(&resp);
        json_object_set_new(d, "message", json_string(web_text(req, &v, "error_unavailable")));
        return web_page_reply(req, 503, "error", d);
    }
    json_int_t total = json_integer_value(json_object_get(data, "total"));
    json_object_set(d, "members", json_object_get(data, "items"));
    json_object_set_new(d, "total", json_integer(total));
    json_object_set_new(d, "page", json_integer(page));
    if (page > 1) {
        json_object_set_new(d, "prev", json_integer(page - 1));
    }
    if ((json_int_t)page * ADMIN_PAGE_SIZE < total) {
        json_object_set_new(d, "next", json_integer(page + 1));
    }
    ag_httpc_resp_release(&resp);
    return web_page_reply(req, 200, "admin", d);
}
