/* page_feeds.c: tonight's feeds of an instance (GET /feeds?instance=I
 * &at=ISO): the campaign gate in large type with its reasons, then every
 * tracked table with its state, times, rows and the chart of its last 14
 * slots (feed_chart.h), a hundred to a page, or only those that need
 * attention, worst first (?show=attention). One use case call
 * (domain_feeds_view_get, domain/feeds_cases.h); the JSON twin is the gate API
 * (api_feeds.c). Clients see their own organisation's instances; another's
 * answers as a missing one. */
#include "page_catalog_int.h"
#include "card.h"
#include "feed_chart.h"
#include "feeds_cases.h"
#include "form.h"
#include "mem.h"
#include "str.h"

#include <stdlib.h>
#include <string.h>

#define FEEDS_SLOTS 14

/* "HH:MM UTC" of t, with the date when it is not at's UTC day. */
static void hhmm(buf *o, int64_t t, int64_t at)
{
    domain_feed_time_text(o, t, at);
}

/* <a href="/tables/I/T[?at=AT][#frag]">: a page looked at a moment
 * (?at=) links to the cards as they read at that moment. */
static void card_link_open(buf *o, const char *inst, const char *table,
                           const char *at_s, const char *frag)
{
    buf_puts(o, "<a href=\"");
    card_html_href(o, inst, table);
    if (at_s && *at_s) {
        buf_puts(o, "?at=");
        buf_append_url(o, at_s);
    }
    buf_puts(o, frag);
    buf_puts(o, "\">");
}

/* The instance shown: the one asked for, else the first production
 * instance the user may see, else the first. NULL when there is none. */
static const char *default_instance(const cat_inst_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i].environment, "production"))
            return l->v[i].name;
    return l->n ? l->v[0].name : NULL;
}

/* What the tables section lists: every tracked table, or those that need
 * someone (missing, failed, due, late), worst first; a page at a time. */
typedef struct feeds_list {
    const char *show; /* "" (all) or "attention" */
    int page;         /* from 1 */
} feeds_list;

enum { FEEDS_PER_PAGE = 100 };

/* The instance selector and what to show (a GET form; keeps ?at=). */
static void selector(buf *o, const cat_inst_list *l, const char *inst,
                     const char *at_s, const feeds_list *fl)
{
    buf_puts(o, "<form class=\"toolbar\" method=\"get\" action=\"/feeds\">"
                "<label for=\"feeds-instance\">Instance</label> <select "
                "id=\"feeds-instance\" name=\"instance\">");
    for (size_t i = 0; i < l->n; i++) {
        buf label = {0};
        buf_puts(&label, l->v[i].name);
        buf_puts(&label, " (");
        buf_puts(&label, l->v[i].org_name);
        buf_puts(&label, " · ");
        buf_puts(&label, l->v[i].environment);
        buf_puts(&label, ")");
        web_option(o, l->v[i].name, buf_cstr(&label), inst);
        buf_dispose(&label);
    }
    buf_puts(o, "</select> <label for=\"feeds-show\">List</label> <select "
                "id=\"feeds-show\" name=\"show\">");
    web_option(o, "", "every tracked table", fl->show);
    web_option(o, "attention", "tables that need attention", fl->show);
    buf_puts(o, "</select>");
    if (at_s && *at_s) {
        buf_puts(o, "<input type=\"hidden\" name=\"at\" value=\"");
        buf_append_html(o, at_s);
        buf_puts(o, "\">");
    }
    buf_puts(o, " <button class=\"button\" type=\"submit\">Show</button>"
                "</form>");
}

/* How urgently a table in state s needs someone: 0 not at all, higher
 * first. */
static int urgency(feed_state s)
{
    switch (s) {
    case FEED_FAILED: return 4;
    case FEED_MISSING: return 3;
    case FEED_DUE: return 2;
    case FEED_ARRIVED_LATE: return 1;
    default: return 0;
    }
}

/* A listed table: its index in the gate's list and its sort key. */
typedef struct feeds_pick {
    size_t i;
    int urgency, required;
} feeds_pick;

/* Worst state first, then required before optional, then the gate's
 * order (by name). */
static int by_urgency(const void *a, const void *b)
{
    const feeds_pick *x = a, *y = b;

    if (x->urgency != y->urgency)
        return y->urgency - x->urgency;
    if (x->required != y->required)
        return y->required - x->required;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* The tables of g that keep() accepts, worst first when sorted, else in
 * the gate's order; *out is xcalloc'd (the caller frees it). */
static size_t pick_tables(const domain_gate_result *g,
                          int (*keep)(const domain_gate_table *), int sorted,
                          feeds_pick **out)
{
    feeds_pick *pick = xcalloc(g->n ? g->n : 1, sizeof *pick);
    size_t n = 0;

    for (size_t i = 0; i < g->n; i++) {
        feeds_pick p = {i, urgency(g->tables[i].state), g->tables[i].required};
        if (keep(&g->tables[i]))
            pick[n++] = p;
    }
    if (sorted)
        qsort(pick, n, sizeof *pick, by_urgency);
    *out = pick;
    return n;
}

static int settled(feed_state s)
{
    return s == FEED_ARRIVED || s == FEED_ARRIVED_LATE;
}

/* A required table that holds or delays campaigns. */
static int blocking(const domain_gate_table *t)
{
    return t->required && !settled(t->state);
}

/* An optional table missing or failed: a warning. */
static int warning(const domain_gate_table *t)
{
    return !t->required &&
           (t->state == FEED_MISSING || t->state == FEED_FAILED);
}

static int needs_attention(const domain_gate_table *t)
{
    return urgency(t->state) > 0;
}

static int any_table(const domain_gate_table *t)
{
    (void)t;
    return 1;
}

/* The banner and the warnings name this many tables, worst first, then
 * link to the list of every table that needs attention. */
enum { FEEDS_REASONS = 10 };

/* The href of the feeds page with the current instance, at and show, on
 * page p. */
static void feeds_href(buf *o, const char *inst, const char *at_s,
                       const char *show, int p)
{
    buf_puts(o, "/feeds?instance=");
    buf_append_url(o, inst);
    if (at_s && *at_s) {
        buf_puts(o, "&amp;at=");
        buf_append_url(o, at_s);
    }
    if (*show) {
        buf_puts(o, "&amp;show=");
        buf_append_url(o, show);
    }
    if (p > 1)
        buf_appendf(o, "&amp;page=%d", p);
}

/* One blocking table or warning of the gate: name, state, times, note,
 * escalation, runbook link. */
static void reason(buf *o, const domain_gate_table *t, const char *inst,
                   int64_t at, const char *at_s)
{
    buf_puts(o, "<li><strong>");
    card_link_open(o, inst, t->t.name, at_s, "");
    buf_append_html(o, t->t.name);
    buf_puts(o, "</a></strong> ");
    feed_state_badge(o, t->state);
    buf_puts(o, " <span class=\"gate-times\">due ");
    hhmm(o, t->slot.due_at, at);
    if (t->state == FEED_MISSING) {
        buf_puts(o, ", missing since ");
        hhmm(o, t->slot.missing_at, at);
    } else if (t->state == FEED_FAILED) {
        buf_puts(o, ", load failed ");
        hhmm(o, t->arrival.arrived_at, at);
    } else {
        buf_puts(o, ", missing after ");
        hhmm(o, t->slot.missing_at, at);
    }
    buf_puts(o, "</span>");
    if (t->state == FEED_FAILED)
        card_html_wrapped(o, "<span class=\"gate-line\">Failed: ",
                          t->arrival.message, "</span>");
    card_html_wrapped(o, "<span class=\"gate-line\">Campaign note: ",
                      t->t.campaign_note, "</span>");
    card_html_wrapped(o,
                      "<span class=\"gate-line\">Escalation: ", t->t.escalation,
                      "</span>");
    if (*t->t.runbook) {
        buf_puts(o, "<span class=\"gate-line\">");
        card_link_open(o, inst, t->t.name, at_s, "#runbook");
        buf_puts(o, "Runbook of ");
        buf_append_html(o, t->t.name);
        buf_puts(o, "</a></span>");
    }
    buf_puts(o, "</li>");
}

/* "and 117 more: every table that needs attention" after a capped list. */
static void more_reasons(buf *o, size_t more, const char *what,
                         const char *inst, const char *at_s)
{
    if (!more)
        return;
    buf_appendf(o, "<p class=\"gate-more\">and %zu more %s: <a href=\"", more,
                what);
    feeds_href(o, inst, at_s, "attention", 1);
    buf_puts(o, "#feeds-tables\">every table that needs attention</a></p>");
}

/* The gate banner: RUN / WAIT / HOLD and why. */
static void banner(buf *o, const domain_gate_result *g, const char *at_s)
{
    static const char *const why[] = {
        [GATE_RUN] = "Campaigns may run: every required file of this slot "
                     "arrived.",
        [GATE_WAIT] = "Wait: a required file is not due yet or still "
                      "within its grace period.",
        [GATE_HOLD] = "Hold campaigns: a required file is missing or its "
                      "load failed."};
    const char *d = domain_feed_decision_name(g->decision);
    feeds_pick *pick;
    size_t nblock;

    buf_puts(o, "<section class=\"gate gate-");
    buf_puts(o, d);
    buf_puts(o, "\" aria-labelledby=\"gate-decision\"><p class=\"gate-at\">"
                "Campaign gate of <strong>");
    buf_append_html(o, g->instance);
    buf_puts(o, "</strong> at ");
    page_time(o, g->at);
    buf_puts(o, "</p><h2 id=\"gate-decision\" class=\"gate-decision\">");
    buf_puts(o, g->decision == GATE_HOLD   ? "HOLD"
                : g->decision == GATE_WAIT ? "WAIT"
                                           : "RUN");
    buf_puts(o, "</h2><p class=\"gate-why\">");
    buf_puts(o, why[g->decision]);
    if (g->n == 0)
        buf_puts(o, " No table of this instance is tracked, so nothing "
                    "holds them.");
    buf_puts(o, "</p>");
    nblock = pick_tables(g, blocking, 1, &pick);
    if (nblock) {
        buf_puts(o, "<h3 class=\"gate-sub\">Waiting for</h3>"
                    "<ul class=\"gate-reasons\">");
        for (size_t k = 0; k < nblock && k < FEEDS_REASONS; k++)
            reason(o, &g->tables[pick[k].i], g->instance, g->at, at_s);
        buf_puts(o, "</ul>");
        more_reasons(o, nblock > FEEDS_REASONS ? nblock - FEEDS_REASONS : 0,
                     "required tables", g->instance, at_s);
    }
    free(pick);
    buf_puts(o, "</section>");
}

/* Optional tables missing or failed: listed, never blocking. */
static void warnings(buf *o, const domain_gate_result *g, const char *at_s)
{
    feeds_pick *pick;
    size_t n = pick_tables(g, warning, 1, &pick);

    if (n) {
        buf_puts(o, "<section class=\"card alert warning feeds-warnings\" "
                    "aria-labelledby=\"feeds-warnings\"><h2 "
                    "id=\"feeds-warnings\">Optional files missing</h2>"
                    "<p>These do not hold campaigns.</p>"
                    "<ul class=\"gate-reasons\">");
        for (size_t k = 0; k < n && k < FEEDS_REASONS; k++)
            reason(o, &g->tables[pick[k].i], g->instance, g->at, at_s);
        buf_puts(o, "</ul>");
        more_reasons(o, n > FEEDS_REASONS ? n - FEEDS_REASONS : 0,
                     "optional tables", g->instance, at_s);
        buf_puts(o, "</section>");
    }
    free(pick);
}

/* One tracked table: heading with badges, facts, failure, chart. */
static void table_item(buf *o, const domain_gate_table *t, const char *inst,
                       const feed_past *slots, size_t nslots, int64_t at,
                       const char *at_s)
{
    feed_today td = domain_feed_today_of(t);

    buf_puts(o, "<li class=\"feed\"><div class=\"feed-text\"><h3 "
                "class=\"feed-name\">");
    card_link_open(o, inst, t->t.name, at_s, "");
    buf_append_html(o, t->t.name);
    buf_puts(o, "</a></h3><p class=\"feed-badges\">");
    feed_state_badge(o, t->state);
    buf_putc(o, ' ');
    card_html_dep_badge(o, card_dep_named(t->t.campaign_dependency)->dep);
    buf_puts(o, " <span class=\"muted\">");
    buf_append_html(o, card_choice_label(NULL, "cadence", t->t.cadence));
    buf_puts(o, "</span></p><p class=\"feed-today\">");
    {
        buf words = {0};
        domain_feed_today_text(&words, &td, at);
        buf_append_html(o, buf_cstr(&words));
        buf_dispose(&words);
    }
    buf_puts(o, "</p><dl class=\"kv feed-facts\"><dt>Due</dt><dd>");
    hhmm(o, t->slot.due_at, at);
    buf_puts(o, "</dd><dt>Missing after</dt><dd>");
    hhmm(o, t->slot.missing_at, at);
    buf_puts(o, "</dd><dt>Arrived</dt><dd>");
    if (t->has_arrival && !t->arrival.failed)
        hhmm(o, t->arrival.arrived_at, at);
    else
        buf_puts(o, "—");
    buf_puts(o, "</dd><dt>Rows</dt><dd>");
    if (t->has_arrival && !t->arrival.failed && t->arrival.rows >= 0)
        domain_feed_rows_text(o, t->arrival.rows);
    else
        buf_puts(o, "—");
    buf_puts(o, "</dd></dl>");
    if (t->state == FEED_FAILED)
        card_html_wrapped(
            o, "<p class=\"feed-failed\">Load failed: ",
            *t->arrival.message ? t->arrival.message : "(no message)", "</p>");
    buf_puts(o, "</div>");
    feed_chart_svg(o, t->t.name, slots, nslots);
    buf_puts(o, "</li>");
}

/* How the loading job reports files, for an empty page. */
static void how_to_report(buf *o, const char *inst)
{
    buf_puts(o, "<p>The loading job reports each file it loads: "
                "<code>docket arrived --instance ");
    buf_append_html(o, inst);
    buf_puts(o, " TABLE --rows N</code> on the docket host, or "
                "<code>POST /api/v1/arrivals</code> with a service "
                "account's token. Each report shows here at once.</p>");
}

/* "Tables 101–200 of 480", previous and next, above and below a list
 * longer than a page. */
static void pager(buf *o, const char *inst, const char *at_s,
                  const feeds_list *fl, size_t shown_from, size_t shown_to,
                  size_t total)
{
    int pages = (int)((total + FEEDS_PER_PAGE - 1) / FEEDS_PER_PAGE);

    if (pages <= 1)
        return;
    buf_appendf(o,
                "<nav class=\"pagination\" aria-label=\"Pages of tables\">"
                "<ul><li><span aria-current=\"page\">Tables %zu–%zu of "
                "%zu</span></li>",
                shown_from, shown_to, total);
    if (fl->page > 1) {
        buf_puts(o, "<li><a rel=\"prev\" href=\"");
        feeds_href(o, inst, at_s, fl->show, fl->page - 1);
        buf_puts(o, "\">Previous page</a></li>");
    }
    if (fl->page < pages) {
        buf_puts(o, "<li><a rel=\"next\" href=\"");
        feeds_href(o, inst, at_s, fl->show, fl->page + 1);
        buf_puts(o, "\">Next page</a></li>");
    }
    buf_puts(o, "</ul></nav>");
}

/* The tables section. */
static void tables(buf *o, const domain_feeds_view *v, const char *at_s,
                   feeds_list *fl)
{
    const domain_gate_result *g = &v->gate;
    feeds_pick *pick;
    size_t n, from, to;
    int any = 0, pages;

    buf_puts(o, "<section class=\"card\" aria-labelledby=\"feeds-tables\">"
                "<h2 id=\"feeds-tables\">Tracked tables <span "
                "class=\"muted\">(");
    buf_appendf(o, "%zu", g->n);
    buf_puts(o, ")</span></h2>");
    if (g->n == 0) {
        buf_puts(o, "<div class=\"empty\"><p>No table of ");
        buf_append_html(o, g->instance);
        buf_puts(o, " is tracked yet. A table is tracked when its rules "
                    "give a daily or hourly cadence and an expected arrival "
                    "time: set them on its rules card.</p>");
        how_to_report(o, g->instance);
        buf_puts(o, "</div></section>");
        return;
    }
    for (size_t i = 0; i < g->n * v->nslots && !any; i++)
        any = v->slots[i].arrived_at != 0;
    if (!any) {
        buf_puts(o, "<div class=\"empty\"><p>No file has been reported for "
                    "these tables yet.</p>");
        how_to_report(o, g->instance);
        buf_puts(o, "</div>");
    }
    n = pick_tables(g, *fl->show ? needs_attention : any_table, *fl->show != 0,
                    &pick);
    pages = n ? (int)((n + FEEDS_PER_PAGE - 1) / FEEDS_PER_PAGE) : 1;
    if (fl->page > pages)
        fl->page = pages;
    from = (size_t)(fl->page - 1) * FEEDS_PER_PAGE;
    to = from + FEEDS_PER_PAGE < n ? from + FEEDS_PER_PAGE : n;
    if (*fl->show && !n) {
        buf_puts(o, "<div class=\"empty\"><p>No tracked table needs "
                    "attention: every file due has arrived on time. <a "
                    "href=\"");
        feeds_href(o, g->instance, at_s, "", 1);
        buf_puts(o, "\">Show every tracked table</a>.</p></div>");
    }
    if (n)
        buf_appendf(o,
                    "<p class=\"muted small\">Each chart shows the last %zu "
                    "slots: a dot for a file on time, a square for a late "
                    "one, a cross for a missing or failed one; the dashed "
                    "line is the due time, the solid one the end of the "
                    "grace period; bars are rows.</p>",
                    v->nslots);
    pager(o, g->instance, at_s, fl, from + 1, to, n);
    if (n) {
        buf_puts(o, "<ul class=\"feed-list\">");
        for (size_t k = from; k < to; k++)
            table_item(o, &g->tables[pick[k].i], g->instance,
                       v->slots + pick[k].i * v->nslots, v->nslots, g->at,
                       at_s);
        buf_puts(o, "</ul>");
    }
    pager(o, g->instance, at_s, fl, from + 1, to, n);
    buf_puts(o, "</section>");
    free(pick);
}

/* GET /feeds[?instance=I][&at=ISO][&show=attention][&page=N] */
void page_feeds(web_req *req)
{
    const char *inst = cat_query(req, "instance");
    const char *at_s = cat_query(req, "at");
    const char *page_s = cat_query(req, "page");
    feeds_list fl = {cat_query(req, "show"), 1};
    domain_actor who = domain_actor_of(&req->user);
    cat_inst_list l = {0};
    domain_feeds_view v;
    errmsg err = {0};
    int64_t at = 0;
    buf *o = &req->out;

    {
        form_errors fe = {0};
        if (*at_s && (time_parse_iso(&at, at_s) < 0 || at <= 0))
            form_errors_add(&fe, "at",
                            "is a UTC time in ISO 8601 (2026-03-03T04:52:00Z)");
        if (*fl.show && strcmp(fl.show, "attention"))
            form_errors_add(&fe, "show",
                            "is empty (every tracked table) or attention");
        if (*page_s && str_to_int(&fl.page, page_s, 1, 1000000) < 0)
            form_errors_add(&fe, "page", "must be a whole number from 1");
        if (fe.n) {
            web_reply_errors(req, &fe);
            form_errors_dispose(&fe);
            return;
        }
    }
    if (*inst && cat_instance_or_404(req, inst, NULL, NULL) < 0)
        return;
    if (registry_instance_list(req->reg, cat_org_filter(req), cat_inst_collect,
                               &l, &err) < 0) {
        web_reply_err(req, &err);
        goto done;
    }
    if (!*inst)
        inst = default_instance(&l);
    if (!inst) {
        page_begin(req, "Feeds");
        buf_puts(o, "<h1>Feeds</h1><div class=\"empty\"><p>No instance "
                    "yet: an administrator adds instances, then each "
                    "instance's feeds show here.</p></div>");
        page_end(req);
        goto done;
    }
    if (domain_feeds_view_get(req->reg, &who, inst, at, FEEDS_SLOTS, &v, &err) <
        0) {
        if (err.code == ERR_NOTFOUND)
            cat_not_found(req, inst, NULL);
        else
            web_reply_err(req, &err);
        goto done;
    }
    page_begin(req, "Feeds");
    buf_puts(o, "<h1>Feeds</h1>");
    selector(o, &l, inst, at_s, &fl);
    banner(o, &v.gate, at_s);
    warnings(o, &v.gate, at_s);
    tables(o, &v, at_s, &fl);
    page_end(req);
    domain_feeds_view_dispose(&v);
done:
    free(l.v);
}

const web_route web_routes_feeds_pages[] = {
    {"GET", "/feeds", ROLE_USER, 0, page_feeds}, {NULL, NULL, 0, 0, NULL}};
