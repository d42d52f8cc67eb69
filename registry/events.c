/* events.c: the event log and the outbox rows it fans out to. Events are
 * written by the code that changes state, in its transaction; notify/
 * delivers the outbox rows (see outbox.c). Routing is the [route] table of
 * the configuration, handed over by app/ (registry_routes_set). */
#include "registry_int.h"
#include "config.h"
#include "str.h"

#include <string.h>

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
                       int64_t request_id, const char *payload_json,
                       errmsg *err)
{
    static const char ins[] =
        "INSERT INTO events(uid, event, request_id, payload, created_at)"
        " VALUES (:uid, :event, :req, :payload, :now)";
    static const char box[] =
        "INSERT INTO outbox(event_id, channel, next_attempt, created_at,"
        " updated_at) VALUES (:event, :channel, :now, :now, :now)";
    const cfg_route *route = route_find(event);
    sqlite3_stmt *st;
    char uid[33];
    int64_t id, now = time_now();
    int rc;

    registry_random_hex(uid, 16);
    st = reg_stmt_get(reg, ins, err);
    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":uid", uid);
    reg_bind_text(st, ":event", event);
    if (request_id)
        reg_bind_int(st, ":req", request_id);
    else
        reg_bind_null(st, ":req");
    reg_bind_text(st, ":payload", payload_json ? payload_json : "{}");
    reg_bind_int(st, ":now", now);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    if (rc < 0)
        return rc;
    id = sqlite3_last_insert_rowid(reg->db);
    for (size_t i = 0; route && i < route->nchannels; i++) {
        st = reg_stmt_get(reg, box, err);
        if (!st)
            return ERR_DB;
        reg_bind_int(st, ":event", id);
        reg_bind_text(st, ":channel", route->channels[i]);
        reg_bind_int(st, ":now", now);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : reg_db_error(reg, err);
        reg_done(st);
        if (rc < 0)
            return rc;
    }
    if (out_id)
        *out_id = id;
    return 0;
}
