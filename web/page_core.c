/* page_core.c: the start page, /healthz and static files. The role
 * dashboards of the start page are filled in by page_triage.c
 * (page_dashboard). */
#include "web_int.h"

#include <string.h>

void page_dashboard(web_req *req);

/* GET /healthz: status, version and whether the database answers. */
void page_healthz(web_req *req)
{
    cJSON *root = cJSON_CreateObject();
    errmsg err = {0};
    int ok = registry_ping(req->reg, &err) == 0;

    cJSON_AddStringToObject(root, "status", ok ? "ok" : "degraded");
    cJSON_AddStringToObject(root, "version", DOCKET_VERSION);
    cJSON_AddBoolToObject(root, "database", ok);
    cJSON_AddNumberToObject(root, "schema", registry_schema_version(req->reg));
    web_reply_json(req, ok ? 200 : 503, root);
}

/* GET / */
void page_home(web_req *req)
{
    if (!req->user.id) {
        web_redirect(req, "/signin");
        return;
    }
    page_dashboard(req);
}

/* GET /api/v1/me */
void api_me(web_req *req)
{
    cJSON *root = cJSON_CreateObject();

    cJSON_AddNumberToObject(root, "id", (double)req->user.id);
    cJSON_AddStringToObject(root, "email", req->user.email);
    cJSON_AddStringToObject(root, "name", req->user.name);
    cJSON_AddStringToObject(root, "role", req->user.role);
    if (req->user.org_id)
        cJSON_AddStringToObject(root, "organisation", req->user.org_name);
    else
        cJSON_AddNullToObject(root, "organisation");
    web_reply_json(req, 200, root);
}

const web_route web_routes_core[] = {
    {"GET", "/", ROLE_ANY, 0, page_home},
    {"GET", "/healthz", ROLE_ANY, WEB_JSON, page_healthz},
    {"GET", "/static/{*}", ROLE_ANY, 0, page_static},
    {"GET", "/api/v1/me", ROLE_USER, WEB_JSON, api_me},
    {NULL, NULL, 0, 0, NULL}};
