/*
 * Routes every service serves from the library: /health (the seed's), /healthz (alive),
 * /readyz (database and Redis reachable), /metrics (Prometheus), /docs and /openapi.json.
 */
#include "http_int.h"

#include <stdio.h>
#include <string.h>

#include "agora/db.h"
#include "agora/err.h"
#include "agora/kv.h"
#include "agora/openapi.h"

static int
health(struct ag_req *req)
{
    const struct ag_service *svc = req->server->svc;
    return ag_reply_json(req, 200,
                         json_pack("{s:s,s:s,s:s}", "status", "ok", "service", svc->name, "version",
                                   svc->version ? svc->version : "0"));
}

static int
healthz(struct ag_req *req)
{
    return ag_reply_json(req, 200, json_pack("{s:s}", "status", "alive"));
}

static int
readyz(struct ag_req *req)
{
    const struct ag_service *svc = req->server->svc;
    json_t *checks = json_object();
    int ready = 1;

    if (svc->db != NULL) {
        int rc = ag_db_ping(svc->db);
        json_object_set_new(checks, "database", json_string(rc == 0 ? "ok" : ag_err_name(rc)));
        ready &= rc == 0;
    }
    if (svc->kv != NULL) {
        int rc = ag_kv_ping(svc->kv);
        json_object_set_new(checks, "redis", json_string(rc == 0 ? "ok" : ag_err_name(rc)));
        ready &= rc == 0;
    }
    if (!ready) {
        return ag_reply_error_details(req, AG_EUNAVAIL, checks, "not ready");
    }
    return ag_reply_json(req, 200, json_pack("{s:s,s:o}", "status", "ready", "checks", checks));
}

static int
metrics(struct ag_req *req)
{
    struct ag_server *srv = req->server;
    const struct ag_service *svc = srv->svc;
    char extra[1024];
    size_t n = 0;

    n += (size_t)snprintf(extra + n, sizeof(extra) - n,
                          "# HELP agora_http_inflight_requests Requests being served now.\n"
                          "# TYPE agora_http_inflight_requests gauge\n"
                          "agora_http_inflight_requests{service=\"%s\"} %d\n",
                          svc->name, atomic_load(&srv->inflight) - 1);
    if (svc->db != NULL && n < sizeof(extra)) {
        struct ag_db_pool_stats s;
        ag_db_pool_stats(svc->db, &s);
        n += (size_t)snprintf(extra + n, sizeof(extra) - n,
                              "# HELP agora_db_pool_connections Database pool connections.\n"
                              "# TYPE agora_db_pool_connections gauge\n"
                              "agora_db_pool_connections{service=\"%s\",state=\"open\"} %zu\n"
                              "agora_db_pool_connections{service=\"%s\",state=\"busy\"} %zu\n"
                              "agora_db_pool_connections{service=\"%s\",state=\"max\"} %zu\n"
                              "# TYPE agora_db_pool_wait_timeouts_total counter\n"
                              "agora_db_pool_wait_timeouts_total{service=\"%s\"} %llu\n",
                              svc->name, s.open, svc->name, s.busy, svc->name, s.size, svc->name,
                              s.timeouts);
    }
    if (svc->kv != NULL && n < sizeof(extra)) {
        struct ag_kv_pool_stats s;
        ag_kv_pool_stats(svc->kv, &s);
        snprintf(extra + n, sizeof(extra) - n,
                 "# HELP agora_redis_pool_connections Redis pool connections.\n"
                 "# TYPE agora_redis_pool_connections gauge\n"
                 "agora_redis_pool_connections{service=\"%s\",state=\"open\"} %zu\n"
                 "agora_redis_pool_connections{service=\"%s\",state=\"busy\"} %zu\n",
                 svc->name, s.open, svc->name, s.busy);
    }
    size_t len;
    char *text = ag_metrics_render(srv->metrics, req->arena, extra, &len);
    return ag_reply_raw(req, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}

static int
openapi_json(struct ag_req *req)
{
    struct ag_server *srv = req->server;
    if (srv->openapi_json == NULL) {
        return AG_ENOTFOUND;
    }
    return ag_reply_raw(req, 200, "application/json; charset=utf-8", srv->openapi_json,
                        srv->openapi_json_len);
}

/* The API reference page: renders /openapi.json in the browser; no external assets. */
static const char docs_html[] =
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
    "<title>API reference</title><style>"
    "body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}"
    "main{max-width:960px;margin:0 auto;padding:24px}h1{margin:0 0 4px}"
    ".op{background:#fff;border:1px solid #dde1e7;border-radius:8px;margin:12px 0;padding:12px "
    "16px}"
    ".m{display:inline-block;min-width:64px;font-weight:700;text-transform:uppercase}"
    ".get{color:#1769aa}.post{color:#1b7f3b}.patch{color:#a35c00}.put{color:#6a3ab2}"
    ".delete{color:#b3261e}code,pre{font:13px ui-monospace,monospace}"
    "pre{background:#f0f2f5;padding:8px;border-radius:6px;overflow:auto}"
    "table{border-collapse:collapse}td,th{padding:2px 10px 2px 0;text-align:left;"
    "vertical-align:top}.muted{color:#5b6472}</style></head><body><main>"
    "<h1 id=\"t\">API reference</h1><p class=\"muted\" id=\"d\"></p><div id=\"ops\">"
    "Loading <a href=\"openapi.json\">openapi.json</a>…</div></main><script>"
    "const esc=s=>String(s==null?'':s).replace(/[&<>\"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;',"
    "'\"':'&quot;'}[c]));"
    "fetch('openapi.json').then(r=>r.json()).then(s=>{"
    "document.getElementById('t').textContent=s.info.title+' '+s.info.version;"
    "document.getElementById('d').textContent=s.info.description||'';"
    "let h='';for(const [p,item] of Object.entries(s.paths)){"
    "for(const [m,op] of Object.entries(item)){if(!['get','post','put','patch','delete']"
    ".includes(m))continue;"
    "h+=`<section class=op><div><span class=\"m ${m}\">${m}</span> <code>${esc(p)}</code>"
    "</div><p>${esc(op.summary)}</p>`;"
    "if(op.description)h+=`<p class=muted>${esc(op.description)}</p>`;"
    "const ps=(op.parameters||[]).map(x=>x.$ref?s.components.parameters[x.$ref.split('/')"
    ".pop()]:x);"
    "if(ps.length){h+='<table><tr><th>parameter</th><th>in</th><th>description</th></tr>';"
    "for(const x of ps)h+=`<tr><td><code>${esc(x.name)}</code>${x.required?' *':''}</td>"
    "<td>${esc(x.in)}</td><td>${esc(x.description)}</td></tr>`;h+='</table>'}"
    "if(op.requestBody)h+=`<p>Body:</p><pre>${esc(JSON.stringify(op.requestBody.content["
    "'application/json'].schema,null,1))}</pre>`;"
    "h+='<p>Responses: '+Object.entries(op.responses||{}).map(([c,r])=>`<code>${esc(c)}</code>"
    " ${esc(r.description)}`).join('; ')+'</p></section>'}}"
    "document.getElementById('ops').innerHTML=h})"
    ".catch(e=>{document.getElementById('ops').textContent='cannot load the spec: '+e});"
    "</script></body></html>";

static int
docs(struct ag_req *req)
{
    return ag_reply_raw(req, 200, "text/html; charset=utf-8", docs_html, sizeof(docs_html) - 1);
}

const struct ag_route ag__builtin_routes[] = {
    {AG_GET, "/health", health, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/healthz", healthz, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/readyz", readyz, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/metrics", metrics, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/docs", docs, AG_AUTH_NONE, 0, 0},
    {AG_GET, "/openapi.json", openapi_json, AG_AUTH_NONE, 0, 0},
};
const size_t ag__builtin_nroutes = sizeof(ag__builtin_routes) / sizeof(ag__builtin_routes[0]);

int
ag__openapi_json(const char *yaml, char **out, size_t *len)
{
    json_t *spec;
    char err[256];

    if (ag_openapi_from_yaml(yaml, &spec, err, sizeof(err)) < 0) {
        fprintf(stderr, "openapi: %s\n", err);
        return AG_EINVAL;
    }
    size_t n = json_dumpb(spec, NULL, 0, JSON_COMPACT);
    *out = ag_xmalloc(n + 1);
    json_dumpb(spec, *out, n, JSON_COMPACT);
    (*out)[n] = '\0';
    *len = n;
    json_decref(spec);
    return 0;
}
