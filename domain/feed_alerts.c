/* feed_alerts.c (domain): the alerts of tonight's feeds (feed_alerts.h):
 * the pure rules (median, anomaly, which alerts a slot raises, the
 * PagerDuty key) and the tick that applies them to every instance. The
 * store is registry/feed_alerts.c; the messages are notify/view.c's. */
#include "feed_alerts.h"
#include "mem.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names ------------------------------------------------------------- */

static const struct {
    feed_alert_kind kind;
    const char *name;
    const char *event;
} kinds[] = {
    {FEED_ALERT_MISSING, "missing", "feed.missing"},
    {FEED_ALERT_FAILED, "failed", "feed.failed"},
    {FEED_ALERT_RECOVERED, "recovered", "feed.recovered"},
    {FEED_ALERT_ANOMALY, "anomaly", "feed.anomaly"},
};

const char *domain_feed_alert_name(feed_alert_kind k)
{
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (kinds[i].kind == k)
            return kinds[i].name;
    return "";
}

const char *domain_feed_alert_event(feed_alert_kind k)
{
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (kinds[i].kind == k)
            return kinds[i].event;
    return NULL;
}

feed_alert_kind domain_feed_alert_parse(const char *name)
{
    for (size_t i = 0; name && i < sizeof kinds / sizeof *kinds; i++)
        if (!strcmp(kinds[i].name, name))
            return kinds[i].kind;
    return (feed_alert_kind)0;
}

/* ---- the pure rules ----------------------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

double domain_feed_median(const int64_t *v, size_t n)
{
    int64_t *s;
    double m;

    if (n == 0)
        return 0;
    s = xmalloc(n * sizeof *s);
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_i64);
    m = n % 2 ? (double)s[n / 2]
              : ((double)s[n / 2 - 1] + (double)s[n / 2]) / 2.0;
    free(s);
    return m;
}

int domain_feed_anomaly(int64_t rows, const int64_t *history, size_t n,
                        int64_t low_pct, int64_t high_pct, double *out_median)
{
    double m = n ? domain_feed_median(history, n) : 0;

    if (out_median)
        *out_median = m;
    if (rows < 0 || n < FEED_ANOMALY_MIN_HISTORY)
        return 0;
    /* rows < m * low / 100, in doubles: row counts stay far below 2^53 */
    if (low_pct > 0 && (double)rows * 100.0 < m * (double)low_pct)
        return -1;
    if (high_pct > 0 && (double)rows * 100.0 > m * (double)high_pct)
        return 1;
    return 0;
}

static int settled(feed_state s)
{
    return s == FEED_ARRIVED || s == FEED_ARRIVED_LATE;
}

unsigned domain_feed_alerts_due(const feed_alert_facts *f)
{
    unsigned due = 0;

    if (f->state == FEED_MISSING && f->history)
        due |= FEED_ALERT_MISSING;
    if (f->state == FEED_FAILED)
        due |= FEED_ALERT_FAILED;
    if (settled(f->state) &&
        (f->raised & (FEED_ALERT_MISSING | FEED_ALERT_FAILED)))
        due |= FEED_ALERT_RECOVERED;
    if (settled(f->state) && f->anomaly != 0)
        due |= FEED_ALERT_ANOMALY;
    return due & ~f->raised;
}

void domain_feed_dedup_key(char *out, size_t size, const char *instance,
                           const char *table, int64_t slot_start, int anomaly)
{
    buf b = {0};

    buf_appendf(&b, "docket-feed-%s-%s-%lld", instance, table,
                (long long)slot_start);
    /* PagerDuty takes at most 255 characters: a long name is hashed */
    if (b.len + 5 > 255) {
        char hex[65];
        registry_hash_token(hex, buf_cstr(&b));
        buf_reset(&b);
        buf_appendf(&b, "docket-feed-%s", hex);
    }
    if (anomaly)
        buf_puts(&b, "-rows");
    str_copy(out, size, buf_cstr(&b));
    buf_dispose(&b);
}

/* ---- the tick ----------------------------------------------------------- */

/* The slot of table t that holds `at` and the one before it: 1, or 0
 * when t is not tracked. */
static int slots_of(feed_slot *cur, feed_slot *prev,
                    const registry_feed_table *t, int64_t at)
{
    return domain_feed_slot(cur, t->cadence, t->expected_arrival,
                            t->expected_day, t->late_after_minutes, at) &&
           domain_feed_slot_prev(prev, t->cadence, t->expected_arrival,
                                 t->expected_day, t->late_after_minutes, cur);
}

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

/* What one alert says: the table and its rules (the campaign rule in
 * words, the escalation contact, the runbook, the rules card), the slot,
 * the deciding arrival, the anomaly's measure and the PagerDuty key. */
typedef struct alert_src {
    const registry_instance *inst;
    const registry_feed_table *t;
    const feed_slot *slot;
    feed_state state;
    const registry_arrival *arrival; /* the deciding one, or NULL */
    int anomaly;                     /* -1, 0, 1 */
    double median;
    size_t nhistory;
} alert_src;

static char *alert_payload(const alert_src *s, feed_alert_kind kind)
{
    const registry_feed_table *t = s->t;
    int required = !strcmp(t->campaign_dependency, "required");
    cJSON *root = cJSON_CreateObject(), *table, *o;
    char key[256], *json;
    buf url = {0};

    buf_puts(&url, "/tables/");
    buf_puts(&url, s->inst->name);
    buf_putc(&url, '/');
    buf_puts(&url, t->name);
    cJSON_AddStringToObject(root, "event", domain_feed_alert_event(kind));
    cJSON_AddStringToObject(root, "instance", s->inst->name);
    cJSON_AddStringToObject(root, "organisation", s->inst->org_name);
    table = cJSON_AddObjectToObject(root, "table");
    cJSON_AddStringToObject(table, "instance", s->inst->name);
    cJSON_AddStringToObject(table, "name", t->name);
    cJSON_AddStringToObject(table, "url", buf_cstr(&url));
    cJSON_AddStringToObject(root, "cadence", t->cadence);
    cJSON_AddStringToObject(root, "campaign_dependency",
                            required ? "required" : "optional");
    cJSON_AddStringToObject(root, "campaign_rule",
                            required ? "REQUIRED: hold campaigns"
                                     : "optional: campaigns may run");
    cJSON_AddStringToObject(root, "campaign_note", t->campaign_note);
    cJSON_AddStringToObject(root, "escalation", t->escalation);
    cJSON_AddStringToObject(root, "runbook", t->runbook);
    cJSON_AddStringToObject(root, "state", domain_feed_state_name(s->state));
    add_time(root, "slot_start", s->slot->start);
    add_time(root, "due_at", s->slot->due_at);
    add_time(root, "missing_at", s->slot->missing_at);
    if (s->arrival) {
        o = cJSON_AddObjectToObject(root, "arrival");
        cJSON_AddStringToObject(o, "file", s->arrival->file);
        add_count(o, "rows", s->arrival->rows);
        add_time(o, "arrived_at", s->arrival->arrived_at);
        cJSON_AddStringToObject(o, "status",
                                s->arrival->failed ? "failed" : "ok");
        cJSON_AddStringToObject(o, "message", s->arrival->message);
    }
    if (kind == FEED_ALERT_ANOMALY) {
        o = cJSON_AddObjectToObject(root, "anomaly");
        cJSON_AddStringToObject(o, "direction",
                                s->anomaly < 0 ? "below" : "above");
        cJSON_AddNumberToObject(o, "median_rows", s->median);
        cJSON_AddNumberToObject(o, "arrivals", (double)s->nhistory);
        cJSON_AddNumberToObject(o, "low_pct", (double)t->anomaly_low_pct);
        cJSON_AddNumberToObject(o, "high_pct", (double)t->anomaly_high_pct);
    }
    domain_feed_dedup_key(key, sizeof key, s->inst->name, t->name,
                          s->slot->start, kind == FEED_ALERT_ANOMALY);
    cJSON_AddStringToObject(root, "dedup_key", key);
    cJSON_AddStringToObject(root, "url", buf_cstr(&url));
    json = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    buf_dispose(&url);
    return json;
}

static void result_add(domain_feeds_tick_result *r, feed_alert_kind kind,
                       const registry_instance *inst,
                       const registry_feed_table *t, int64_t slot_start)
{
    domain_feed_alert *a;

    r->raised = xrealloc(r->raised, (r->n + 1) * sizeof *r->raised);
    a = &r->raised[r->n++];
    memset(a, 0, sizeof *a);
    a->kind = kind;
    str_copy(a->instance, sizeof a->instance, inst->name);
    str_copy(a->table, sizeof a->table, t->name);
    a->slot_start = slot_start;
}

/* The alerts recorded for table_id's slot slot_start, as bits. */
static unsigned raised_of(const registry_feed_alert *al, size_t n,
                          int64_t table_id, int64_t slot_start)
{
    unsigned bits = 0;

    for (size_t i = 0; i < n; i++)
        if (al[i].table_id == table_id && al[i].slot_start == slot_start)
            bits |= (unsigned)domain_feed_alert_parse(al[i].kind);
    return bits;
}

/* One slot of one table: what it raises now, raised. */
static int tick_slot(registry *reg, const registry_instance *inst,
                     const registry_feed_table *t, const feed_slot *slot,
                     const registry_arrival *run, size_t nrun,
                     const registry_feed_alert *al, size_t nal, int64_t at,
                     domain_feeds_tick_result *out, errmsg *err)
{
    feed_alert_facts f = {0};
    alert_src s = {0};
    int latest = -1, rc;
    unsigned due;

    f.state = domain_feed_state(slot, run, nrun, at, &latest);
    f.raised = raised_of(al, nal, t->id, slot->start);
    s.inst = inst;
    s.t = t;
    s.slot = slot;
    s.state = f.state;
    s.arrival = latest >= 0 ? &run[latest] : NULL;
    if (f.state == FEED_MISSING && !(f.raised & FEED_ALERT_MISSING)) {
        rc = registry_feed_arrived_before(reg, t->id, slot->start, &f.history,
                                          err);
        if (rc < 0)
            return rc;
    }
    if (settled(f.state) && !(f.raised & FEED_ALERT_ANOMALY) && s.arrival &&
        s.arrival->rows >= 0 &&
        (t->anomaly_low_pct > 0 || t->anomaly_high_pct > 0)) {
        int64_t hist[FEED_ANOMALY_HISTORY];
        rc = registry_feed_rows_before(reg, t->id, s.arrival->arrived_at,
                                       s.arrival->id, hist,
                                       FEED_ANOMALY_HISTORY, &s.nhistory, err);
        if (rc < 0)
            return rc;
        f.anomaly = domain_feed_anomaly(s.arrival->rows, hist, s.nhistory,
                                        t->anomaly_low_pct, t->anomaly_high_pct,
                                        &s.median);
        s.anomaly = f.anomaly;
    }
    due = domain_feed_alerts_due(&f);
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        registry_feed_alert a = {0};
        char *payload;
        int raised = 0;
        if (!(due & kinds[i].kind))
            continue;
        a.instance_id = inst->id;
        a.table_id = t->id;
        a.slot_start = slot->start;
        str_copy(a.kind, sizeof a.kind, kinds[i].name);
        payload = alert_payload(&s, kinds[i].kind);
        rc = registry_feed_alert_raise(reg, &a, kinds[i].event, payload,
                                       &raised, err);
        cJSON_free(payload);
        if (rc < 0)
            return rc;
        if (raised)
            result_add(out, kinds[i].kind, inst, t, slot->start);
    }
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

/* How far back the arrivals of an instance's tables are read in one
 * list: the two slots of a daily table (with a grace period past
 * midnight) begin less than three days back. */
#define FEED_TICK_SHARED_WINDOW (3 * 86400)

/* The current and the previous slot of every tracked table of inst. */
static int tick_instance(registry *reg, const registry_instance *inst,
                         int64_t at, domain_feeds_tick_result *out, errmsg *err)
{
    registry_feed_table *tables = NULL;
    registry_arrival *arr = NULL;
    registry_feed_alert *al = NULL;
    feed_slot *slots = NULL; /* [2 i] previous, [2 i + 1] current */
    size_t nt = 0, na = 0, nal = 0;
    int64_t from = at, alerts_from = at;
    int rc, any = 0;

    rc = registry_feed_tables(reg, inst->id, &tables, &nt, err);
    if (rc < 0)
        return rc;
    slots = xcalloc(2 * nt + 1, sizeof *slots);
    for (size_t i = 0; i < nt; i++) {
        feed_slot *prev = &slots[2 * i], *cur = &slots[2 * i + 1];
        if (!slots_of(cur, prev, &tables[i], at)) {
            cur->end = 0; /* not tracked */
            continue;
        }
        any = 1;
        if (prev->start < alerts_from)
            alerts_from = prev->start;
        /* the daily and hourly tables' arrivals come in one list; a
           weekly or monthly table's two slots reach back weeks, and a
           list that far back would hold every daily table's weeks too:
           each of those reads its own */
        if (at - prev->start <= FEED_TICK_SHARED_WINDOW && prev->start < from)
            from = prev->start;
    }
    if (!any)
        goto done;
    rc = registry_arrival_list(reg, inst->id, 0, from, at, &arr, &na, err);
    if (rc == 0)
        rc = registry_feed_alerts_list(reg, inst->id, alerts_from, &al, &nal,
                                       err);
    for (size_t i = 0; rc == 0 && i < nt; i++) {
        const feed_slot *prev = &slots[2 * i];
        registry_arrival *own = NULL, *run;
        size_t lo, hi, nrun;
        if (!slots[2 * i + 1].end)
            continue;
        if (prev->start < from) {
            rc = registry_arrival_list(reg, inst->id, tables[i].id, prev->start,
                                       at, &own, &nrun, err);
            run = own;
        } else {
            lo = first_of(arr, na, tables[i].id);
            for (hi = lo; hi < na && arr[hi].table_id == tables[i].id; hi++)
                ;
            run = arr + lo;
            nrun = hi - lo;
        }
        /* the previous slot first: a tick that did not run for a while
           still raises what the last one missed, once */
        for (int k = 0; rc == 0 && k < 2; k++)
            rc = tick_slot(reg, inst, &tables[i], &slots[2 * i + k], run, nrun,
                           al, nal, at, out, err);
        free(own);
    }
done:
    registry_feed_tables_free(tables, nt);
    free(slots);
    free(arr);
    free(al);
    return rc;
}

typedef struct inst_vec {
    registry_instance *v;
    size_t n, cap;
} inst_vec;

static void inst_push(void *ctx, const registry_instance *i)
{
    inst_vec *iv = ctx;

    xgrow(&iv->v, &iv->cap, iv->n + 1, sizeof *iv->v);
    iv->v[iv->n++] = *i;
}

int domain_feeds_tick(registry *reg, int64_t at, int keep_days,
                      domain_feeds_tick_result *out, errmsg *err)
{
    inst_vec iv = {0};
    int64_t now = time_now(), cutoff;
    int rc;

    memset(out, 0, sizeof *out);
    if (keep_days < 1)
        return err_set(err, ERR_INVALID, "keep_days is at least 1");
    if (!at)
        at = now;
    rc = registry_instance_list(reg, 0, inst_push, &iv, err);
    for (size_t i = 0; rc == 0 && i < iv.n; i++)
        rc = tick_instance(reg, &iv.v[i], at, out, err);
    free(iv.v);
    if (rc < 0)
        return rc;
    cutoff = (at < now ? at : now) - (int64_t)keep_days * 86400;
    return registry_feed_prune(reg, cutoff, &out->pruned_arrivals,
                               &out->pruned_alerts, err);
}

void domain_feeds_tick_dispose(domain_feeds_tick_result *r)
{
    if (!r)
        return;
    free(r->raised);
    memset(r, 0, sizeof *r);
}
