/* feeds.c (domain): the arrival report and the campaign gate
 * (feeds_cases.h); slots and states are feed_slots.c. */
#include "feeds_cases.h"
#include "mem.h"
#include "str.h"

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- use cases ---------------------------------------------------------- */

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
    rc = domain_instance_visible(reg, who, in->instance, &inst, err);
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

/* A gate table by its table id: what registry_arrival_latest reads
 * into. */
typedef struct by_id {
    int64_t table_id;
    domain_gate_table *t;
} by_id;

typedef struct by_id_index {
    by_id *v;
    size_t n;
} by_id_index;

static int by_id_cmp(const void *a, const void *b)
{
    const by_id *x = a, *y = b;

    return (x->table_id > y->table_id) - (x->table_id < y->table_id);
}

/* The arrival of gate table table_id, marked found (NULL: not tracked). */
static registry_arrival *latest_dest(void *ctx, int64_t table_id)
{
    by_id_index *ix = ctx;
    size_t lo = 0, hi = ix->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->v[mid].table_id < table_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == ix->n || ix->v[lo].table_id != table_id)
        return NULL;
    ix->v[lo].t->has_arrival = 1;
    return &ix->v[lo].t->arrival;
}

/* Clears every field of t but its arrival. */
static void gate_table_clear(domain_gate_table *t)
{
    size_t a = offsetof(domain_gate_table, arrival), b = a + sizeof t->arrival;

    memset(t, 0, a);
    memset((char *)t + b, 0, sizeof *t - b);
}

/* The instance whose gate who asks for, into *inst: 0, or ERR_FORBIDDEN
 * for who may read no gate, or domain_instance_visible's error. */
static int gate_instance(registry *reg, const domain_actor *who,
                         const char *instance, registry_instance *inst,
                         errmsg *err)
{
    if (!who || !domain_actor_is(who, ROLE_FEEDS | ROLE_CLIENT) ||
        (who->role == ROLE_CLIENT && !who->org_id))
        return err_set(err, ERR_FORBIDDEN,
                       "Reading the gate needs a signed-in user or a service "
                       "account.");
    return domain_instance_visible(reg, who, instance, inst, err);
}

int domain_gate_version(registry *reg, const domain_actor *who,
                        const char *instance, domain_gate_key *out, errmsg *err)
{
    registry_instance inst;
    int rc;

    memset(out, 0, sizeof *out);
    rc = gate_instance(reg, who, instance, &inst, err);
    if (rc < 0)
        return rc;
    out->instance_id = inst.id;
    return registry_feed_version(reg, inst.id, &out->ver, &out->arrivals, err);
}

int domain_gate(registry *reg, const domain_actor *who, const char *instance,
                int64_t at, domain_gate_result *out, errmsg *err)
{
    registry_instance inst;
    registry_feed_table *tables = NULL;
    size_t nt = 0, n = 0;
    domain_gate_table *g;
    feed_state *states;
    by_id_index ix = {0};
    int *req;
    int rc;

    memset(out, 0, sizeof *out);
    rc = gate_instance(reg, who, instance, &inst, err);
    if (rc < 0)
        return rc;
    if (!at)
        at = time_now();
    rc = registry_feed_tables(reg, inst.id, &tables, &nt, err);
    if (rc < 0)
        return rc;
    /* not cleared: each arrival (3 KB, a table's file name and message)
       is either read whole by the store or cleared below */
    g = xmalloc((nt + 1) * sizeof *g);
    ix.v = xmalloc((nt + 1) * sizeof *ix.v);
    for (size_t i = 0; i < nt; i++) {
        feed_slot s;
        if (!domain_feed_slot(&s, tables[i].cadence, tables[i].expected_arrival,
                              tables[i].expected_day,
                              tables[i].late_after_minutes, at)) {
            registry_feed_table_dispose(&tables[i]);
            continue;
        }
        /* the current slot holds at: the latest arrival up to at is the
           one that decides when it is in the slot, and when it is not,
           none is */
        assert(s.start <= at && at < s.end);
        gate_table_clear(&g[n]);
        g[n].t = tables[i];
        g[n].required = !strcmp(tables[i].campaign_dependency, "required");
        g[n].slot = s;
        ix.v[n].table_id = tables[i].id;
        ix.v[n].t = &g[n];
        n++;
    }
    free(tables);
    ix.n = n;
    qsort(ix.v, n, sizeof *ix.v, by_id_cmp);
    /* one row per table: its latest arrival (tables arrive by name) */
    rc = registry_arrival_latest(reg, inst.id, at, latest_dest, &ix, err);
    free(ix.v);
    if (rc < 0) {
        out->tables = g;
        out->n = n;
        domain_gate_dispose(out);
        return rc;
    }
    states = xcalloc(n + 1, sizeof *states);
    req = xcalloc(n + 1, sizeof *req);
    for (size_t i = 0; i < n; i++) {
        int latest = -1;
        g[i].state = domain_feed_state(&g[i].slot, &g[i].arrival,
                                       g[i].has_arrival ? 1 : 0, at, &latest);
        if (latest < 0) { /* none, or an earlier slot's */
            g[i].has_arrival = 0;
            memset(&g[i].arrival, 0, sizeof g[i].arrival);
        }
        states[i] = g[i].state;
        req[i] = g[i].required;
    }
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

/* ---- the gate's JSON, written straight into a buffer ------------------ */

/* Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t era, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    yoe = z - era * 146097;
    yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;
    doy = z - era * 146097 - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static void put2(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
}

static void put_key(buf *o, const char *key)
{
    buf_putc(o, '"');
    buf_puts(o, key);
    buf_puts(o, "\":");
}

/* "key":"2026-03-03T04:10:00Z" as time_iso writes it (a gate writes
 * some 2,000 of them: strftime would be a tenth of the answer's time). */
static void put_time(buf *o, const char *key, int64_t t)
{
    char iso[32];
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400, y;
    unsigned m, d;

    civil_from_days(days, &y, &m, &d);
    if (y >= 1000 && y <= 9999) {
        put2(iso, (unsigned)(y / 100));
        put2(iso + 2, (unsigned)(y % 100));
        iso[4] = '-';
        put2(iso + 5, m);
        iso[7] = '-';
        put2(iso + 8, d);
        iso[10] = 'T';
        put2(iso + 11, (unsigned)(secs / 3600));
        iso[13] = ':';
        put2(iso + 14, (unsigned)(secs / 60 % 60));
        iso[16] = ':';
        put2(iso + 17, (unsigned)(secs % 60));
        iso[19] = 'Z';
        iso[20] = '\0';
    } else {
        time_iso(iso, sizeof iso, t);
    }
    put_key(o, key);
    buf_putc(o, '"');
    buf_puts(o, iso);
    buf_putc(o, '"');
}

static void put_str(buf *o, const char *key, const char *v)
{
    put_key(o, key);
    buf_append_json_str(o, v ? v : "");
}

static void put_count(buf *o, const char *key, int64_t v)
{
    char digits[24];
    size_t i = sizeof digits;
    uint64_t u = (uint64_t)v;

    put_key(o, key);
    if (v < 0) {
        buf_puts(o, "null");
        return;
    }
    do
        digits[--i] = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    buf_append(o, digits + i, sizeof digits - i);
}

/* A blocking table or a warning: what ops needs at 3 a.m. */
static void put_reason(buf *o, const domain_gate_table *t)
{
    buf_putc(o, '{');
    put_str(o, "table", t->t.name);
    buf_putc(o, ',');
    put_str(o, "state", domain_feed_state_name(t->state));
    buf_putc(o, ',');
    put_time(o, "due_at", t->slot.due_at);
    buf_putc(o, ',');
    if (t->state == FEED_MISSING)
        put_time(o, "missing_since", t->slot.missing_at);
    else
        buf_puts(o, "\"missing_since\":null");
    buf_putc(o, ',');
    put_str(o, "campaign_note", t->t.campaign_note);
    buf_putc(o, ',');
    put_str(o, "escalation", t->t.escalation);
    buf_putc(o, ',');
    put_str(o, "runbook", t->t.runbook);
    if (t->state == FEED_FAILED) {
        buf_putc(o, ',');
        put_str(o, "message", t->arrival.message);
    }
    buf_putc(o, '}');
}

static void put_table(buf *o, const domain_gate_table *t)
{
    buf_putc(o, '{');
    put_str(o, "table", t->t.name);
    buf_putc(o, ',');
    put_str(o, "campaign_dependency", t->required ? "required" : "optional");
    buf_putc(o, ',');
    put_str(o, "cadence", t->t.cadence);
    buf_putc(o, ',');
    put_str(o, "state", domain_feed_state_name(t->state));
    buf_putc(o, ',');
    put_time(o, "slot_start", t->slot.start);
    buf_putc(o, ',');
    put_time(o, "due_at", t->slot.due_at);
    buf_putc(o, ',');
    put_time(o, "missing_at", t->slot.missing_at);
    buf_putc(o, ',');
    if (t->has_arrival) {
        put_time(o, "arrived_at", t->arrival.arrived_at);
        buf_putc(o, ',');
        put_count(o, "rows", t->arrival.rows);
        buf_putc(o, ',');
        put_str(o, "file", t->arrival.file);
        buf_putc(o, ',');
        put_str(o, "message", t->arrival.message);
    } else {
        buf_puts(o, "\"arrived_at\":null,\"rows\":null,\"file\":null,"
                    "\"message\":null");
    }
    buf_putc(o, '}');
}

static int settled(feed_state s)
{
    return s == FEED_ARRIVED || s == FEED_ARRIVED_LATE;
}

static int blocks(const domain_gate_table *t)
{
    return t->required && !settled(t->state);
}

static int warns(const domain_gate_table *t)
{
    return !t->required &&
           (t->state == FEED_MISSING || t->state == FEED_FAILED);
}

/* The reasons of the tables of g that pick selects, comma-separated. */
static void put_reasons(buf *o, const domain_gate_result *g,
                        int (*pick)(const domain_gate_table *))
{
    int first = 1;

    for (size_t i = 0; i < g->n; i++) {
        if (!pick(&g->tables[i]))
            continue;
        if (!first)
            buf_putc(o, ',');
        put_reason(o, &g->tables[i]);
        first = 0;
    }
}

void domain_gate_json_write(buf *o, const domain_gate_result *g)
{

    buf_putc(o, '{');
    put_str(o, "instance", g->instance);
    buf_putc(o, ',');
    put_time(o, "at", g->at);
    buf_putc(o, ',');
    put_str(o, "decision", domain_feed_decision_name(g->decision));
    buf_puts(o, ",\"blocking\":[");
    put_reasons(o, g, blocks);
    buf_puts(o, "],\"warnings\":[");
    put_reasons(o, g, warns);
    buf_puts(o, "],\"tables\":[");
    for (size_t i = 0; i < g->n; i++) {
        if (i)
            buf_putc(o, ',');
        put_table(o, &g->tables[i]);
    }
    buf_puts(o, "]}");
}

cJSON *domain_gate_json(const domain_gate_result *g)
{
    buf b = {0};
    cJSON *o;

    domain_gate_json_write(&b, g);
    o = cJSON_Parse(buf_cstr(&b));
    buf_dispose(&b);
    assert(o); /* written above, valid UTF-8 and JSON */
    return o;
}
