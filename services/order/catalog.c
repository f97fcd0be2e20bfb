/*
 * The catalog as the order service reads it: a product's public answer (GET
 * /api/products/{id} at AGORA_CATALOG_URL), for its price, status and stock of the moment.
 */
#include "order.h"

#include <stdio.h>
#include <string.h>

#include "agora/err.h"
#include "agora/log.h"

int
order_product_get(struct ag_req *req, long long id, struct order_product *out)
{
    const struct order_app *app = req->app;
    struct ag_httpc_resp resp;
    char url[1200];

    memset(out, 0, sizeof(*out));
    snprintf(url, sizeof(url), "%s/api/products/%lld", app->cfg->catalog_url, id);
    int rc = ag_httpc_request(app->catalog, "GET", url, NULL, NULL, 0, req->request_id, &resp);
    if (rc == 0 && resp.status == 404) {
        rc = AG_ENOTFOUND;
    } else if (rc == 0 && resp.status != 200) {
        ag_log(AG_LOG_WARN, req->request_id, "catalog answered %ld for product %lld", resp.status,
               id);
        rc = AG_EUNAVAIL;
    }
    json_t *p = json_object_get(resp.json, "data");
    if (rc == 0 && !json_is_object(p)) {
        rc = AG_EUNAVAIL;
    }
    if (rc == 0) {
        const json_t *sale = json_object_get(p, "salePrice");
        out->id = id;
        out->price = (long long)json_integer_value(
            json_is_integer(sale) ? sale : json_object_get(p, "price"));
        out->available = (long long)json_integer_value(
            json_object_get(json_object_get(p, "stock"), "available"));
        const char *cur = json_string_value(json_object_get(p, "currency"));
        snprintf(out->currency, sizeof(out->currency), "%s", cur != NULL ? cur : "");
        const char *status = json_string_value(json_object_get(p, "status"));
        out->active = status != NULL && strcmp(status, "active") == 0;
        out->json = json_incref(p);
    }
    ag_httpc_resp_release(&resp);
    return rc;
}
