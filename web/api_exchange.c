/* api_exchange.c: the registry in the data team's formats over the API:
 * GET /api/v1/instances/{instance}/dbt-sources.yml (domain/dbt.h) and
 * GET /api/v1/instances/{instance}/tables/{table}/contract.odcs.yaml
 * (domain/odcs.h). Tenancy as for the table JSON (page_catalog.c): a
 * client sees only its organisation's instances, anything else is the
 * 404 of a missing one. Both answers are cached (web/cache.h): the dbt
 * file of an instance, which reads every table of it, for the registry
 * generation; a contract for the version of its table's content, like
 * the table JSON. */
#include "page_catalog_int.h"
#include "cache.h"
#include "dbt.h"
#include "odcs.h"

#include <string.h>

/* Cache kinds of this file, apart from cache.h's own. */
enum { CACHE_DBT_SOURCES = 101, CACHE_ODCS_CONTRACT = 102 };

/* RFC 9512. */
static const char yaml_type[] = "application/yaml";

/* The cached body of (kind, instance, table) into req->out, served
 * compressed when the client takes gzip; 1 when it was there. */
static int cached(web_req *req, int kind, const char *inst, const char *tbl,
                  int64_t gen)
{
    int64_t org = 0;

    buf_reset(&req->out);
    if (cat_accepts_gzip(req) &&
        web_cache_get_stored(req->cache, &req->out, &org, kind, inst, tbl, 0,
                             gen)) {
        web_header_add(req, "Content-Encoding", "gzip");
        return 1;
    }
    buf_reset(&req->out);
    return web_cache_get(req->cache, &req->out, &org, kind, inst, tbl, 0, gen);
}

/* GET /api/v1/instances/{instance}/dbt-sources.yml */
static void api_dbt_sources(web_req *req)
{
    const char *inst = req->args[0];
    int64_t gen, org = 0;
    const cfg_instance *ci;
    domain_dbt_opts o = {0};
    errmsg err = {0};

    if (cat_instance_or_404(req, inst, NULL, &org) < 0)
        return;
    gen = registry_generation(req->reg);
    web_header_add(req, "Vary", "Accept-Encoding");
    if (cached(req, CACHE_DBT_SOURCES, inst, "", gen)) {
        web_reply_type(req, 200, yaml_type);
        return;
    }
    ci = req->cfg ? cfg_instance_find(req->cfg, inst) : NULL;
    o.schema = ci ? ci->dbt_schema : NULL;
    o.loaded_at_field = ci ? ci->dbt_loaded_at_field : NULL;
    o.config = ci ? ci->dbt_config : 0;
    o.base_url = req->cfg ? req->cfg->base_url : NULL;
    if (domain_dbt_write(&req->out, req->reg, inst, &o, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    web_cache_put(req->cache, CACHE_DBT_SOURCES, inst, "", 0, gen, org,
                  buf_cstr(&req->out), req->out.len);
    web_reply_type(req, 200, yaml_type);
}

/* GET /api/v1/instances/{instance}/tables/{table}/contract.odcs.yaml */
static void api_odcs_contract(web_req *req)
{
    const char *inst = req->args[0], *tbl = req->args[1];
    int64_t gen, org = 0;
    errmsg err = {0};

    if (cat_instance_or_404(req, inst, tbl, &org) < 0)
        return;
    /* the table's own content and history (-1, no such table: no
       caching, the write answers 404) */
    gen = registry_table_version(req->reg, inst, tbl, 0);
    web_header_add(req, "Vary", "Accept-Encoding");
    if (cached(req, CACHE_ODCS_CONTRACT, inst, tbl, gen)) {
        web_reply_type(req, 200, yaml_type);
        return;
    }
    if (domain_odcs_write(&req->out, req->reg, inst, tbl,
                          req->cfg ? req->cfg->base_url : NULL, &err) < 0) {
        if (err.code == ERR_NOTFOUND)
            cat_not_found(req, inst, tbl);
        else
            web_reply_err(req, &err);
        return;
    }
    web_cache_put(req->cache, CACHE_ODCS_CONTRACT, inst, tbl, 0, gen, org,
                  buf_cstr(&req->out), req->out.len);
    web_reply_type(req, 200, yaml_type);
}

const web_route web_routes_exchange[] = {
    {"GET", "/api/v1/instances/{instance}/dbt-sources.yml", ROLE_USER, WEB_JSON,
     api_dbt_sources},
    {"GET", "/api/v1/instances/{instance}/tables/{table}/contract.odcs.yaml",
     ROLE_USER, WEB_JSON, api_odcs_contract},
    {NULL, NULL, 0, 0, NULL}};
