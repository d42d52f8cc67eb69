/* feeds_history.c (domain): a table's recent slots and today's state
 * (feeds_cases.h, "a table's recent slots"): what the rules card, the
 * lookup and the feeds page show beside the campaign banner, and the
 * slots their arrival charts draw (web/feed_chart.c). Slots and states
 * come from feed_slots.c, the gate from feeds.c, arrivals from
 * registry/feeds.h. */
#include "feeds_cases.h"
#include "mem.h"
#include "str.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- slots ---------------------------------------------------------------
 */

/* The slot before s of table t. */
static int prev_slot(feed_slot *out, const registry_feed_table *t,
                     const feed_slot *s)
{
    feed_slot cur = *s;

    return domain_feed_slot_prev(out, t->cadence, t->expected_arrival,
                                 t->expected_day, t->late_after_minutes, &cur);
}

/* The start of the oldest of n slots ending with cur. */
static int64_t first_start(const registry_feed_table *t, const feed_slot *cur,
                           size_t n)
{
    feed_slot s = *cur;

    for (size_t k = 1; k < n; k++) {
        feed_slot p;
        if (!prev_slot(&p, t, &s))
            break;
        s = p;
    }
    return s.start;
}

void domain_feed_past(feed_past *out, size_t n, const registry_feed_table *t,
                      const feed_slot *cur, const registry_arrival *a,
                      size_t na, int64_t at)
{
    int64_t first = 0; /* the earliest report at or before at, 0: none */
    feed_slot s = *cur;

    if (n == 0)
        return;
    for (size_t i = 0; i < na; i++)
        if (a[i].arrived_at <= at && (!first || a[i].arrived_at < first))
            first = a[i].arrived_at;
    for (size_t k = n; k-- > 0;) {
        feed_past *p = &out[k];
        int latest = -1;
        /* a past slot as it ended, the current one now */
        int64_t when = s.end - 1 < at ? s.end - 1 : at;
        memset(p, 0, sizeof *p);
        p->slot = s;
        p->state = domain_feed_state(&s, a, na, when, &latest);
        p->known = k == n - 1 || (first && s.end > first);
        p->rows = -1;
        if (latest >= 0) {
            p->arrived_at = a[latest].arrived_at;
            p->rows = a[latest].rows;
        }
        if (k > 0 && !prev_slot(&s, t, &s)) {
            /* cannot happen for a tracked table; leave the rest unknown */
            for (size_t j = 0; j < k; j++) {
                memset(&out[j], 0, sizeof out[j]);
                out[j].rows = -1;
            }
            break;
        }
    }
}

/* ---- use cases ---------------------------------------------------------- */

/* Who may read feeds: as domain_gate. */
static int may_read(const domain_actor *who, errmsg *err)
{
    if (!who || !domain_actor_is(who, ROLE_FEEDS | ROLE_CLIENT) ||
        (who->role == ROLE_CLIENT && !who->org_id))
        return err_set(err, ERR_FORBIDDEN,
                       "Reading feeds needs a signed-in user or a service "
                       "account.");
    return 0;
}

/* The first moment after at when the current slot s of a table reads
 * otherwise: its due or missing time, its end, or UTC midnight. */
static int64_t slot_until(const feed_slot *s, int64_t at)
{
    int64_t day = at >= 0 ? at / 86400 : -((-at + 86399) / 86400);
    int64_t u = (day + 1) * 86400;

    if (s->end > at && s->end < u)
        u = s->end;
    if (s->due_at > at && s->due_at < u)
        u = s->due_at;
    if (s->missing_at > at && s->missing_at < u)
        u = s->missing_at;
    return u;
}

int domain_feed_table_history(registry *reg, const domain_actor *who,
                              const char *instance, const char *table,
                              int64_t at, size_t nslots,
                              domain_feed_history *out, errmsg *err)
{
    registry_instance inst = {0};
    registry_arrival *arr = NULL;
    domain_gate_table *now = &out->now;
    errmsg inner = {0};
    size_t na = 0;
    int latest = -1, rc;

    memset(out, 0, sizeof *out);
    if (nslots < 1 || nslots > 400)
        return err_set(err, ERR_INVALID, "between 1 and 400 slots");
    rc = may_read(who, err);
    if (rc == 0)
        rc = domain_instance_visible(reg, who, instance, &inst, err);
    if (rc < 0)
        return rc;
    if (!at)
        at = time_now();
    rc = registry_feed_table_get(reg, &now->t, inst.id, table, &inner);
    out->until = INT64_MAX;
    if (rc == ERR_NOTFOUND) /* not an active table: nothing is tracked */
        return 0;
    if (rc < 0)
        return err_set(err, rc, "%s", inner.msg);
    if (!domain_feed_slot(&now->slot, now->t.cadence, now->t.expected_arrival,
                          now->t.expected_day, now->t.late_after_minutes, at))
        return 0;
    /* every arrival from the first slot on: those later than at (a
       report ahead of the clock, they come by time, at the end) are left
       out of the states, and the first of them ends what the history
       holds for */
    rc = registry_arrival_list(reg, inst.id, now->t.id,
                               first_start(&now->t, &now->slot, nslots),
                               INT64_MAX, &arr, &na, err);
    if (rc < 0) {
        domain_feed_history_dispose(out);
        return rc;
    }
    out->until = slot_until(&now->slot, at);
    {
        size_t upto = na;
        while (upto > 0 && arr[upto - 1].arrived_at > at)
            upto--;
        if (upto < na && arr[upto].arrived_at < out->until)
            out->until = arr[upto].arrived_at;
        na = upto;
    }
    out->tracked = 1;
    now->required = !strcmp(now->t.campaign_dependency, "required");
    now->state = domain_feed_state(&now->slot, arr, na, at, &latest);
    if (latest >= 0) {
        now->has_arrival = 1;
        now->arrival = arr[latest];
    }
    out->slots = xcalloc(nslots, sizeof *out->slots);
    out->n = nslots;
    domain_feed_past(out->slots, nslots, &now->t, &now->slot, arr, na, at);
    free(arr);
    return 0;
}

void domain_feed_history_dispose(domain_feed_history *h)
{
    if (!h)
        return;
    registry_feed_table_dispose(&h->now.t);
    free(h->slots);
    memset(h, 0, sizeof *h);
}

/* The index of the first arrival of table_id in a (sorted by table id),
 * or n (as feeds.c). */
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

/* Slots of at most a day: read in one list for all such tables; longer
 * ones (weekly, monthly: months of history) each on its own, so one
 * monthly table does not make every table's months be read. */
#define VIEW_SHORT_PERIOD 86400

int domain_feeds_view_get(registry *reg, const domain_actor *who,
                          const char *instance, int64_t at, size_t nslots,
                          domain_feeds_view *out, errmsg *err)
{
    domain_gate_result *g = &out->gate;
    registry_arrival *arr = NULL;
    size_t na = 0;
    int64_t from = 0, *starts = NULL;
    int rc, any_short = 0;

    memset(out, 0, sizeof *out);
    if (nslots < 1 || nslots > 400)
        return err_set(err, ERR_INVALID, "between 1 and 400 slots");
    rc = domain_gate(reg, who, instance, at, g, err);
    if (rc < 0)
        return rc;
    out->nslots = nslots;
    if (g->n == 0)
        return 0;
    starts = xcalloc(g->n, sizeof *starts);
    for (size_t i = 0; i < g->n; i++) {
        const domain_gate_table *t = &g->tables[i];
        starts[i] = first_start(&t->t, &t->slot, nslots);
        if (t->slot.end - t->slot.start > VIEW_SHORT_PERIOD)
            continue;
        if (!any_short || starts[i] < from)
            from = starts[i];
        any_short = 1;
    }
    /* one list for the short-period tables (by table id, then time) */
    if (any_short)
        rc = registry_arrival_list(reg, g->tables[0].t.instance_id, 0, from,
                                   g->at, &arr, &na, err);
    out->slots = xcalloc(g->n * nslots, sizeof *out->slots);
    for (size_t i = 0; i < g->n && rc == 0; i++) {
        const domain_gate_table *t = &g->tables[i];
        feed_past *p = out->slots + i * nslots;
        if (t->slot.end - t->slot.start > VIEW_SHORT_PERIOD) {
            registry_arrival *own = NULL;
            size_t nown = 0;
            rc = registry_arrival_list(reg, t->t.instance_id, t->t.id,
                                       starts[i], g->at, &own, &nown, err);
            if (rc == 0)
                domain_feed_past(p, nslots, &t->t, &t->slot, own, nown, g->at);
            free(own);
        } else {
            size_t lo = first_of(arr, na, t->t.id), hi = lo;
            while (hi < na && arr[hi].table_id == t->t.id)
                hi++;
            domain_feed_past(p, nslots, &t->t, &t->slot, arr + lo, hi - lo,
                             g->at);
        }
    }
    free(arr);
    free(starts);
    if (rc < 0)
        domain_feeds_view_dispose(out);
    return rc;
}

void domain_feeds_view_dispose(domain_feeds_view *v)
{
    if (!v)
        return;
    domain_gate_dispose(&v->gate);
    free(v->slots);
    memset(v, 0, sizeof *v);
}

/* ---- today in words ----------------------------------------------------- */

feed_today domain_feed_today_of(const domain_gate_table *t)
{
    feed_today d;

    memset(&d, 0, sizeof d);
    d.tracked = 1;
    d.required = t->required;
    d.state = t->state;
    d.period = t->slot.end - t->slot.start;
    d.due_at = t->slot.due_at;
    d.missing_at = t->slot.missing_at;
    d.rows = -1;
    d.message = "";
    if (t->has_arrival) {
        d.arrived_at = t->arrival.arrived_at;
        d.rows = t->arrival.rows;
        if (t->arrival.failed)
            d.message = t->arrival.message;
    }
    return d;
}

const char *domain_feed_period_label(int64_t period)
{
    if (period > 0 && period <= 3600)
        return "This hour";
    if (period >= 28 * 86400)
        return "This month";
    if (period >= 7 * 86400)
        return "This week";
    return "Today";
}

void domain_feed_time_text(buf *o, int64_t t, int64_t at)
{
    char s[32], d[32];

    time_iso(s, sizeof s, t);
    time_iso(d, sizeof d, at);
    if (strncmp(s, d, 10) != 0) {
        buf_append(o, s, 10);
        buf_putc(o, ' ');
    }
    buf_append(o, s + 11, 5);
    buf_puts(o, " UTC");
}

/* Digits of v with thousands separated by commas. */
static void grouped(buf *o, int64_t v)
{
    char d[24];
    int n = snprintf(d, sizeof d, "%lld", (long long)v);

    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf_putc(o, ',');
        buf_putc(o, d[i]);
    }
}

void domain_feed_rows_text(buf *o, int64_t rows)
{
    static const struct {
        double unit;
        const char *name;
    } units[] = {{1e9, "G"}, {1e6, "M"}};

    if (rows < 0)
        return;
    for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
        double v = (double)rows / units[i].unit;
        if (v < 1)
            continue;
        buf_appendf(o, v < 99.95 ? "%.1f %s rows" : "%.0f %s rows", v,
                    units[i].name);
        return;
    }
    grouped(o, rows);
    buf_puts(o, rows == 1 ? " row" : " rows");
}

/* At most max bytes of s, cut on a character boundary, "…" when cut. */
static void clipped(buf *o, const char *s, size_t max)
{
    size_t n = strlen(s);

    if (n <= max) {
        buf_puts(o, s);
        return;
    }
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    buf_append(o, s, max);
    buf_puts(o, "…");
}

static void campaigns(buf *o, const feed_today *t)
{
    buf_puts(o, t->required ? " — REQUIRED: hold campaigns"
                            : " — campaigns may run");
}

void domain_feed_today_words(buf *o, const feed_today *t, int64_t at)
{
    if (!t->tracked) {
        buf_puts(o, "not tracked");
        return;
    }
    switch (t->state) {
    case FEED_WAITING:
        buf_puts(o, "due at ");
        domain_feed_time_text(o, t->due_at, at);
        break;
    case FEED_DUE:
        buf_puts(o, "due at ");
        domain_feed_time_text(o, t->due_at, at);
        buf_puts(o, ", not arrived yet (missing after ");
        domain_feed_time_text(o, t->missing_at, at);
        buf_putc(o, ')');
        break;
    case FEED_ARRIVED:
    case FEED_ARRIVED_LATE:
        buf_puts(o, t->state == FEED_ARRIVED ? "arrived " : "arrived late ");
        domain_feed_time_text(o, t->arrived_at, at);
        if (t->rows >= 0) {
            buf_puts(o, ", ");
            domain_feed_rows_text(o, t->rows);
        }
        break;
    case FEED_MISSING:
        buf_puts(o, "missing since ");
        domain_feed_time_text(o, t->missing_at, at);
        campaigns(o, t);
        break;
    case FEED_FAILED:
        buf_puts(o, "load failed ");
        domain_feed_time_text(o, t->arrived_at, at);
        if (t->message && *t->message) {
            buf_puts(o, " (");
            clipped(o, t->message, 120);
            buf_putc(o, ')');
        }
        campaigns(o, t);
        break;
    }
}

void domain_feed_today_text(buf *o, const feed_today *t, int64_t at)
{
    buf_puts(o, t->tracked ? domain_feed_period_label(t->period) : "Today");
    buf_puts(o, ": ");
    domain_feed_today_words(o, t, at);
}

static void add_time_or_null(cJSON *o, const char *key, int64_t t)
{
    char iso[32];

    if (t <= 0) {
        cJSON_AddNullToObject(o, key);
        return;
    }
    time_iso(iso, sizeof iso, t);
    cJSON_AddStringToObject(o, key, iso);
}

cJSON *domain_feed_today_json(const feed_today *t, int64_t at)
{
    cJSON *o = cJSON_CreateObject();
    buf text = {0};

    cJSON_AddStringToObject(o, "state",
                            t->tracked ? domain_feed_state_name(t->state)
                                       : "not_tracked");
    add_time_or_null(o, "due_at", t->tracked ? t->due_at : 0);
    add_time_or_null(o, "missing_at", t->tracked ? t->missing_at : 0);
    add_time_or_null(o, "arrived_at", t->tracked ? t->arrived_at : 0);
    if (t->tracked && t->rows >= 0)
        cJSON_AddNumberToObject(o, "rows", (double)t->rows);
    else
        cJSON_AddNullToObject(o, "rows");
    domain_feed_today_text(&text, t, at);
    cJSON_AddStringToObject(o, "text", buf_cstr(&text));
    buf_dispose(&text);
    return o;
}
