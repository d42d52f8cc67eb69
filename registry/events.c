/* events.c: the event log and the outbox rows it fans out to. Events are
 * written by the code that changes state, in its transaction; notify/
 * delivers the outbox rows (see outbox.c). Routing is the [route] table of
 * the configuration, handed over by app/ (registry_routes_set). The names
 * of the events the registry writes are one table (docket_event). */
#include "registry_int.h"
#include "config.h"
#include "str.h"
#include "triage.h"

#include <assert.h>
#include <string.h>

static const char *const event_names[EV_COUNT] = {
    [EV_REQUEST_SUBMITTED] = "request.submitted",
    [EV_REQUEST_TRIAGED] = "request.triaged",
    [EV_REQUEST_NEEDS_INFO] = "request.needs_info",
    [EV_REQUEST_SCHEDULED] = "request.scheduled",
    [EV_REQUEST_IN_PROGRESS] = "request.in_progress",
    [EV_REQUEST_DEPLOYED] = "request.deployed",
    [EV_REQUEST_REJECTED] = "request.rejected",
    [EV_REQUEST_WITHDRAWN] = "request.withdrawn",
    [EV_REQUEST_ANSWERED] = "request.answered",
    [EV_REQUEST_COMMENTED] = "request.commented",
    [EV_REQUEST_UPDATED] = "request.updated",
    [EV_DEPLOY_DIGEST] = "deploy.digest",
    [EV_ACCOUNT_RESET] = "account.reset",
    [EV_DELIVERY_FAILED] = "delivery.failed",
    [EV_REGISTRY_CHANGED] = "registry.changed",
    [EV_INBOX_DIGEST] = "inbox.digest",
    [EV_FEED_MISSING] = "feed.missing",
    [EV_FEED_RECOVERED] = "feed.recovered",
    [EV_FEED_FAILED] = "feed.failed",
    [EV_FEED_ANOMALY] = "feed.anomaly",
    [EV_REGISTRY_DRIFT] = "registry.drift",
};

const char *registry_event_name(docket_event e)
{
    return e >= 0 && e < EV_COUNT ? event_names[e] : NULL;
}

docket_event registry_event_parse(const char *name)
{
    for (int e = 0; name && e < EV_COUNT; e++)
        if (!strcmp(event_names[e], name))
            return (docket_event)e;
    return EV_NONE;
}

docket_event registry_event_of_target(request_status to)
{
    assert(to >= REQ_SUBMITTED && to < REQ_NTARGETS);
    return (docket_event)(EV_REQUEST_SUBMITTED + to);
}

static const cfg_route *routes;
static size_t nroutes;

void registry_routes_set(const cfg_route *r, size_t n)
{
    routes = r;
    nroutes = r ? n : 0;
}

static const cfg_route *route_find(const char *event)
{
    for (size_t i = 0; i < nroutes; i++)
        if (!strcmp(routes[i].event, event))
            return &routes[i];
    return NULL;
}

int registry_event_add(registry *reg, int64_t *out_id, const char *event,
                       const registry_event_about *about,
                       const char *payload_json, errmsg *err)
{
    static const char ins[] =
        "INSERT INTO events(uid, event, request_id, table_id, payload,"
        " created_at) VALUES (:uid, :event, :req, :table, :payload, :now)";
    static const char box[] =
        "INSERT INTO outbox(event_id, channel, next_attempt, created_at,"
        " updated_at) VALUES (:event, :channel, :now, :now, :now)";
    static const registry_event_about none = {0};
    const cfg_route *route;
    sqlite3_stmt *st;
    char uid[33];
    int64_t id, now = time_now();
    int rc;

    assert(event);
    if (!about)
        about = &none;
    route = route_find(event);
    registry_random_hex(uid, 16);
    st = reg_stmt(reg, ins, err, REG_TEXT(":uid", uid),
                  REG_TEXT(":event", event), REG_ID(":req", about->request_id),
                  REG_ID(":table", about->table_id),
                  REG_TEXT(":payload", payload_json ? payload_json : "{}"),
                  REG_INT(":now", now));
    rc = reg_insert(reg, st, &id, err);
    if (rc < 0)
        return rc;
    for (size_t i = 0; route && i < route->nchannels; i++) {
        st = reg_stmt(reg, box, err, REG_INT(":event", id),
                      REG_TEXT(":channel", route->channels[i]),
                      REG_INT(":now", now));
        rc = reg_exec_bound(reg, st, err);
        if (rc < 0)
            return rc;
    }
    rc =
        reg_inbox_fanout(reg, id, registry_event_parse(event), about, now, err);
    if (rc < 0)
        return rc;
    if (out_id)
        *out_id = id;
    return 0;
}

int registry_event_emit(registry *reg, int64_t *out_id, docket_event e,
                        const registry_event_about *about, const cJSON *payload,
                        errmsg *err)
{
    const char *name = registry_event_name(e);
    char *s;
    int rc;

    assert(name);
    s = payload ? cJSON_PrintUnformatted(payload) : NULL;
    rc = registry_event_add(reg, out_id, name, about, s, err);
    cJSON_free(s);
    return rc;
}
