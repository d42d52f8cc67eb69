/* feeds.c (domain): the arrival report and the campaign gate
 * (feeds_cases.h); slots and states are feed_slots.c. */
#include "feeds_cases.h"
#include "mem.h"
#include "str.h"

#include <stdlib.h>
#include <string.h>

/* ---- use cases ---------------------------------------------------------- */

/* The instance name as who may see it: ERR_NOTFOUND as for a missing one
 * when it is another organisation's. */
static int instance_for(registry *reg, const domain_actor *who,
                        const char *name, registry_instance *out, errmsg *err)
{
    errmsg inner = {0};
    int rc;

    if (!name || !*name) {
        return err_set_field(err, ERR_INVALID, "instance",
                             "Name the instance.");
    }
    rc = registry_instance_get(reg, out, name, &inner);
    if ((rc == 0 && !domain_actor_sees_org(who, out->org_id)) ||
        rc == ERR_NOTFOUND)
        return err_set_field(err, ERR_NOTFOUND, "instance",
                             "no instance named %s", name);
    if (rc < 0)
        return err_set(err, rc, "%s", inner.msg);
    return 0;
}

/* ok when text has at most max bytes and no control characters. */
static int text_ok(const char *s, size_t max)
{
    if (strlen(s) > max)
        return 0;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 0;
    return 1;
}

int domain_arrival_report(registry *reg, const domain_actor *who,
                          const domain_arrival_input *in, registry_arrival *out,
                          int *out_created, errmsg *err)
{
    registry_instance inst;
    registry_feed_table t = {0};
    registry_arrival a;
    const char *file = in->file, *msg = in->message ? in->message : "";
    char iso[32];
    int rc;

    if (!who || !domain_actor_is(who, ROLE_FEEDS))
        return err_set(err, ERR_FORBIDDEN,
                       "Reporting arrivals needs the pm, ops, admin or "
                       "service role.");
    if (!in->table || !*in->table)
        return err_set_field(err, ERR_INVALID, "table", "Name the table.");
    if (in->rows < -1)
        return err_set_field(err, ERR_INVALID, "rows",
                             "is a whole number, 0 or more");
    if (in->bytes < -1)
        return err_set_field(err, ERR_INVALID, "bytes",
                             "is a whole number, 0 or more");
    if (in->arrived_at < 0)
        return err_set_field(err, ERR_INVALID, "arrived_at",
                             "is a moment after 1970");
    if (file && !text_ok(file, REGISTRY_ARRIVAL_FILE_MAX))
        return err_set_field(err, ERR_INVALID, "file",
                             "is at most %d characters, without control "
                             "characters",
                             REGISTRY_ARRIVAL_FILE_MAX);
    if (strlen(msg) > REGISTRY_ARRIVAL_MESSAGE_MAX)
        return err_set_field(err, ERR_INVALID, "message",
                             "is at most %d characters",
                             REGISTRY_ARRIVAL_MESSAGE_MAX);
    rc = instance_for(reg, who, in->instance, &inst, err);
    if (rc < 0)
        return rc;
    rc = registry_feed_table_get(reg, &t, inst.id, in->table, err);
    if (rc == ERR_NOTFOUND)
        return err_set_field(err, ERR_NOTFOUND, "table",
                             "no table %s in instance %s", in->table,
                             inst.name);
    if (rc < 0)
        return rc;
    memset(&a, 0, sizeof a);
    a.instance_id = inst.id;
    a.table_id = t.id;
    a.arrived_at = in->arrived_at ? in->arrived_at : time_now();
    if (!file || !*file) {
        time_iso(iso, sizeof iso, a.arrived_at);
        file = iso;
    }
    str_copy(a.file, sizeof a.file, file);
    a.rows = in->rows;
    a.bytes = in->bytes;
    a.failed = in->failed != 0;
    str_copy(a.message, sizeof a.message, msg);
    a.reported_by = who->user_id;
    registry_feed_table_dispose(&t);
    rc = registry_arrival_insert(reg, &a, out_created, err);
    if (rc < 0)
        return rc;
    *out = a;
    return 0;
}

/* The index of the first arrival of table_id in a (sorted by table id),
 * or n. */
static size_t first_of(const registry_arrival *a, size_t n, int64_t table_id)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid].table_id < table_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int domain_gate(registry *reg, const domain_actor *who, const char *instance,
                int64_t at, domain_gate_result *out, errmsg *err)
{
    registry_instance inst;
    registry_feed_table *tables = NULL;
    registry_arrival *arr = NULL;
    size_t nt = 0, na = 0, n = 0;
    domain_gate_table *g;
    feed_state *states;
    int *req;
    int rc;

    memset(out, 0, sizeof *out);
    if (!who || !domain_actor_is(who, ROLE_FEEDS | ROLE_CLIENT) ||
        (who->role == ROLE_CLIENT && !who->org_id))
        return err_set(err, ERR_FORBIDDEN,
                       "Reading the gate needs a signed-in user or a service "
                       "account.");
    rc = instance_for(reg, who, instance, &inst, err);
    if (rc < 0)
        return rc;
    if (!at)
        at = time_now();
    rc = registry_feed_tables(reg, inst.id, &tables, &nt, err);
    if (rc < 0)
        return rc;
    /* every current slot holds at and is one period (at most a day) long,
       so it began less than a day before at */
    rc = registry_arrival_list(reg, inst.id, 0, at - 86400, at, &arr, &na, err);
    if (rc < 0) {
        registry_feed_tables_free(tables, nt);
        return rc;
    }
    g = xcalloc(nt + 1, sizeof *g);
    states = xcalloc(nt + 1, sizeof *states);
    req = xcalloc(nt + 1, sizeof *req);
    /* tables come by name, arrivals by table id: each table's run of
       arrivals is found by binary search */
    for (size_t i = 0; i < nt; i++) {
        feed_slot s;
        size_t lo, hi;
        int latest;
        if (!domain_feed_slot(&s, tables[i].cadence, tables[i].expected_arrival,
                              tables[i].expected_day,
                              tables[i].late_after_minutes, at)) {
            registry_feed_table_dispose(&tables[i]);
            continue;
        }
        lo = first_of(arr, na, tables[i].id);
        for (hi = lo; hi < na && arr[hi].table_id == tables[i].id; hi++)
            ;
        g[n].t = tables[i];
        g[n].required = !strcmp(tables[i].campaign_dependency, "required");
        g[n].slot = s;
        g[n].state = domain_feed_state(&s, arr + lo, hi - lo, at, &latest);
        if (latest >= 0) {
            g[n].has_arrival = 1;
            g[n].arrival = arr[lo + (size_t)latest];
        }
        states[n] = g[n].state;
        req[n] = g[n].required;
        n++;
    }
    free(tables);
    free(arr);
    str_copy(out->instance, sizeof out->instance, inst.name);
    out->at = at;
    out->decision = domain_feed_decide(states, req, n);
    out->tables = g;
    out->n = n;
    free(states);
    free(req);
    return 0;
}

void domain_gate_dispose(domain_gate_result *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n; i++)
        registry_feed_table_dispose(&g->tables[i].t);
    free(g->tables);
    memset(g, 0, sizeof *g);
}

/* ---- JSON --------------------------------------------------------------- */

static void add_time(cJSON *o, const char *key, int64_t t)
{
    char iso[32];

    time_iso(iso, sizeof iso, t);
    cJSON_AddStringToObject(o, key, iso);
}

static void add_count(cJSON *o, const char *key, int64_t v)
{
    if (v < 0)
        cJSON_AddNullToObject(o, key);
    else
        cJSON_AddNumberToObject(o, key, (double)v);
}

cJSON *domain_arrival_json(const registry_arrival *a)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddNumberToObject(o, "id", (double)a->id);
    cJSON_AddStringToObject(o, "instance", a->instance);
    cJSON_AddStringToObject(o, "table", a->table);
    cJSON_AddStringToObject(o, "file", a->file);
    add_count(o, "rows", a->rows);
    add_count(o, "bytes", a->bytes);
    add_time(o, "arrived_at", a->arrived_at);
    cJSON_AddStringToObject(o, "status", a->failed ? "failed" : "ok");
    cJSON_AddStringToObject(o, "message", a->message);
    add_time(o, "created_at", a->created_at);
    return o;
}

/* A blocking table or a warning: what ops needs at 3 a.m. */
static cJSON *reason_json(const domain_gate_table *t)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "table", t->t.name);
    cJSON_AddStringToObject(o, "state", domain_feed_state_name(t->state));
    add_time(o, "due_at", t->slot.due_at);
    if (t->state == FEED_MISSING)
        add_time(o, "missing_since", t->slot.missing_at);
    else
        cJSON_AddNullToObject(o, "missing_since");
    cJSON_AddStringToObject(o, "campaign_note", t->t.campaign_note);
    cJSON_AddStringToObject(o, "escalation", t->t.escalation);
    cJSON_AddStringToObject(o, "runbook", t->t.runbook);
    if (t->state == FEED_FAILED)
        cJSON_AddStringToObject(o, "message", t->arrival.message);
    return o;
}

static cJSON *table_json(const domain_gate_table *t)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "table", t->t.name);
    cJSON_AddStringToObject(o, "campaign_dependency",
                            t->required ? "required" : "optional");
    cJSON_AddStringToObject(o, "cadence", t->t.cadence);
    cJSON_AddStringToObject(o, "state", domain_feed_state_name(t->state));
    add_time(o, "slot_start", t->slot.start);
    add_time(o, "due_at", t->slot.due_at);
    add_time(o, "missing_at", t->slot.missing_at);
    if (t->has_arrival) {
        add_time(o, "arrived_at", t->arrival.arrived_at);
        add_count(o, "rows", t->arrival.rows);
        cJSON_AddStringToObject(o, "file", t->arrival.file);
        cJSON_AddStringToObject(o, "message", t->arrival.message);
    } else {
        cJSON_AddNullToObject(o, "arrived_at");
        cJSON_AddNullToObject(o, "rows");
        cJSON_AddNullToObject(o, "file");
        cJSON_AddNullToObject(o, "message");
    }
    return o;
}

static int settled(feed_state s)
{
    return s == FEED_ARRIVED || s == FEED_ARRIVED_LATE;
}

cJSON *domain_gate_json(const domain_gate_result *g)
{
    cJSON *o = cJSON_CreateObject(), *blocking, *warnings, *tables;

    cJSON_AddStringToObject(o, "instance", g->instance);
    add_time(o, "at", g->at);
    cJSON_AddStringToObject(o, "decision",
                            domain_feed_decision_name(g->decision));
    blocking = cJSON_AddArrayToObject(o, "blocking");
    warnings = cJSON_AddArrayToObject(o, "warnings");
    tables = cJSON_AddArrayToObject(o, "tables");
    for (size_t i = 0; i < g->n; i++) {
        const domain_gate_table *t = &g->tables[i];
        if (t->required && !settled(t->state))
            cJSON_AddItemToArray(blocking, reason_json(t));
        else if (!t->required &&
                 (t->state == FEED_MISSING || t->state == FEED_FAILED))
            cJSON_AddItemToArray(warnings, reason_json(t));
        cJSON_AddItemToArray(tables, table_json(t));
    }
    return o;
}
