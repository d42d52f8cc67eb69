/* page_core.c: the start page, /healthz and static files. The role
 * dashboards of the start page are filled in by page_triage.c
 * (page_dashboard). */
#include "web_int.h"
#include "cache.h"
#include "search_index.h"
#include "storage.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void page_dashboard(web_req *req);

/* GET /healthz: "ok" (200) or "degraded" (503, so a load balancer can
 * act) with the reasons: the database does not answer, cannot be written,
 * its disk is nearly full (server.min_free_mb), the last write failed and
 * none succeeded since, or SQLite found it damaged. A read-only server
 * (--read-only) is ok and says "mode": "read-only". "cache" counts the
 * response cache's entries, hits, misses and evictions (cache.h) since
 * the start, with the bytes it holds and its budget (DOCKET_CACHE_MB),
 * "search" the searches answered by the in-memory index's snapshots
 * alone, by a snapshot and the rows changed since it (overlay), by FTS5,
 * and of the first two those whose requests FTS5 answered. */
void page_healthz(web_req *req)
{
    cJSON *root = cJSON_CreateObject();
    errmsg err = {0};
    registry_health h;
    search_index_stats ss;
    int answers = registry_ping(req->reg, &err) == 0;
    int ok;

    registry_health_get(req->reg, (int64_t)req->cfg->min_free_mb << 20, &h);
    ok = answers && h.ok;
    cJSON_AddStringToObject(root, "status", ok ? "ok" : "degraded");
    if (!ok) {
        char reason[440];
        snprintf(reason, sizeof reason, "%s%s%s",
                 answers ? "" : "the database does not answer",
                 !answers && h.reason[0] ? "; " : "", h.reason);
        cJSON_AddStringToObject(root, "reason", reason);
    }
    cJSON_AddStringToObject(root, "mode",
                            h.read_only ? "read-only" : "read-write");
    cJSON_AddStringToObject(root, "version", DOCKET_VERSION);
    cJSON_AddBoolToObject(root, "database", answers);
    cJSON_AddNumberToObject(root, "schema", registry_schema_version(req->reg));
    if (!h.read_only)
        cJSON_AddBoolToObject(root, "writable", h.writable);
    if (h.free_bytes >= 0)
        cJSON_AddNumberToObject(root, "free_bytes", (double)h.free_bytes);
    cJSON_AddNumberToObject(root, "wal_bytes", (double)h.wal_bytes);
    if (h.failed_at) {
        char when[32];
        time_t t = (time_t)h.failed_at;
        struct tm tm;
        cJSON *f = cJSON_AddObjectToObject(root, "last_write_failure");
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        cJSON_AddStringToObject(f, "at", when);
        cJSON_AddStringToObject(f, "error", h.failure);
    }
    if (req->cache) {
        web_cache_stats cs;
        cJSON *c = cJSON_AddObjectToObject(root, "cache");
        web_cache_stats_get(req->cache, &cs);
        cJSON_AddNumberToObject(c, "entries", (double)cs.entries);
        cJSON_AddNumberToObject(c, "hits", (double)cs.hits);
        cJSON_AddNumberToObject(c, "misses", (double)cs.misses);
        cJSON_AddNumberToObject(c, "evictions", (double)cs.evictions);
        cJSON_AddNumberToObject(c, "bytes", (double)cs.bytes);
        cJSON_AddNumberToObject(c, "budget", (double)cs.budget);
    }
    if (search_index_stats_of(req->reg, &ss) == 0) {
        cJSON *c = cJSON_AddObjectToObject(root, "search");
        cJSON_AddNumberToObject(c, "snapshot", (double)ss.served);
        cJSON_AddNumberToObject(c, "overlay", (double)ss.overlay);
        cJSON_AddNumberToObject(c, "fts5", (double)ss.fallbacks);
        cJSON_AddNumberToObject(c, "requests_fts5", (double)ss.req_fts);
        cJSON_AddNumberToObject(c, "builds", (double)ss.builds);
    }
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
