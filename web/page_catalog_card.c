/* page_catalog_card.c: the rules card of a table (GET
 * /tables/{instance}/{table}), its JSON (GET
 * /api/v1/instances/{instance}/tables/{table}), its edit form and the
 * column page. The card body and the table JSON are cached with the
 * version of what they are built from (cache.c, registry_table_version)
 * and the card kept compiled (tmpl.h). */
#include "page_catalog_int.h"
#include "mem.h"
#include "str.h"
#include "cache.h"
#include "card.h"
#include "catalog_cases.h"
#include "drift.h"
#include "feed_chart.h"
#include "feeds_cases.h"
#include "form.h"
#include "page_inbox_int.h"
#include "tmpl.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a role sees on a rules card: 0 client, 1 ops (runbook editable),
 * 2 pm/admin (every field editable). Part of the cache key. */
static int card_vis(const web_req *req)
{
    if (req->role == ROLE_PM || req->role == ROLE_ADMIN)
        return 2;
    if (req->role == ROLE_OPS)
        return 1;
    return 0;
}

static void open_request_row(void *ctx, const registry_open_request *r)
{
    buf *o = ctx;

    buf_puts(o, "<li>");
    card_html_request_link(o, r->id);
    buf_puts(o, " ");
    buf_append_html(o, r->title);
    buf_putc(o, ' ');
    card_html_status_badge(o, r->status);
    buf_puts(o, " <span class=\"muted\">");
    buf_append_html(o, card_choice_label(NULL, "kind", r->kind));
    buf_puts(o, " · not yet live</span></li>");
}

/* The drift badge of instance/table: the number of findings about the
 * table in the instance's last drift check, linking to the drift page
 * (nothing when there are none). The card's version includes the
 * instance's drift report (registry_table_version). */
static void drift_badge(web_req *req, buf *o, const char *instance,
                        const char *table)
{
    registry_instance in;
    registry_drift_report r = {0};
    size_t n = 0;

    if (registry_instance_get(req->reg, &in, instance, NULL) < 0 ||
        registry_drift_load(req->reg, &r, in.id, NULL) < 0)
        return;
    for (size_t i = 0; i < r.nfindings; i++)
        if (!str_casecmp(r.findings[i].table, table))
            n++;
    registry_drift_report_dispose(&r);
    if (!n)
        return;
    buf_puts(o, "<p class=\"drift-note\"><a href=\"/drift/");
    buf_append_url(o, instance);
    buf_puts(o, "\"><span class=\"badge drift-badge\">drift</span> ");
    buf_appendf(o, "%zu finding%s in the last drift check</a></p>", n,
                n == 1 ? "" : "s");
}

/* The content of the rules card page of instance/table as this request's
 * role and organisation see it (the card, then the requests that will
 * change the table), with CSRF holes, into body. *org gets the owning
 * organisation; a table of another organisation answers ERR_NOTFOUND
 * before anything of it is read. Returns 0, or ERR_* (err set). */
static int card_body(web_req *req, buf *body, int64_t *org,
                     const char *instance, const char *table, errmsg *err)
{
    card_opts opt = {.edit = card_vis(req),
                     .csrf = TMPL_MARK_CSRF,
                     .today = TMPL_MARK_TODAY,
                     .chart = TMPL_MARK_CHART};
    registry_card c = {0};
    buf open = {0};
    int rc;

    rc = registry_table_card(req->reg, &c, instance, table, cat_org_filter(req),
                             err);
    if (rc < 0)
        return rc;
    *org = c.org_id;
    /* The watch button is this user's, today's line and the arrival
       chart change with every arrival and by the clock: holes
       (page_table_show). */
    buf_puts(body, "<div class=\"watch-bar\">" TMPL_MARK_WATCH "</div>");
    drift_badge(req, body, c.instance, c.table);
    card_write(body, &c, CARD_HTML, &opt);
    rc = registry_table_open_requests(req->reg, c.instance, c.table,
                                      cat_org_filter(req), open_request_row,
                                      &open, err);
    registry_card_free(&c);
    if (rc < 0) {
        buf_dispose(&open);
        return rc;
    }
    buf_puts(body, "<section class=\"card\"><h2>Open requests</h2>");
    if (open.len) {
        buf_puts(body, "<p class=\"muted\">These requests will change "
                       "this table once deployed here.</p><ul>");
        buf_append(body, buf_cstr(&open), open.len);
        buf_puts(body, "</ul>");
    } else {
        buf_puts(body, "<p class=\"muted\">No open request changes "
                       "this table.</p>");
    }
    buf_puts(body, "</section>");
    buf_dispose(&open);
    return buf_error(body) ? err_set(err, ERR_INTERNAL, "page too large") : 0;
}

/* The page frame of the tables section for this request's role as a
 * compiled template (title, user, CSRF and body holes), from the cache or
 * rendered and cached. It holds nothing of the registry: version 0. 0, or
 * -1. */
static int tables_frame(web_req *req, buf *frame)
{
    const int64_t ver = 0;

    buf saved = req->out;
    int rc;

    if (web_cache_get_stored(req->cache, frame, NULL, CACHE_PAGE_FRAME, "",
                             "tables", req->role, ver))
        return 0;
    memset(&req->out, 0, sizeof req->out);
    req->page_template = 1;
    page_begin(req, NULL);
    buf_puts(&req->out, TMPL_MARK_BODY);
    page_end(req);
    req->page_template = 0;
    rc = buf_error(&req->out)
             ? -1
             : tmpl_compile(frame, req->out.data, req->out.len);
    buf_dispose(&req->out);
    req->out = saved;
    if (rc == 0)
        web_cache_put_stored(req->cache, CACHE_PAGE_FRAME, "", "tables",
                             req->role, ver, 0, frame->data, frame->len);
    return rc;
}

#define CARD_SLOTS 30 /* slots in the card's arrival chart */

/* Today's line and the arrival chart of instance/table at `at` for this
 * request's user, into today and chart (HTML for the holes TMPL_TODAY and
 * TMPL_CHART): one read of the table's arrivals; they read the same
 * from at up to *until (domain_feed_history). 0 or ERR_* (err set). */
static int card_feed_holes(web_req *req, buf *today, buf *chart,
                           const char *inst, const char *tbl, int64_t at,
                           int64_t *until, errmsg *err)
{
    domain_actor who = domain_actor_of(&req->user);
    domain_feed_history h;
    feed_today td;
    const char *state;
    int rc;

    rc = domain_feed_table_history(req->reg, &who, inst, tbl, at, CARD_SLOTS,
                                   &h, err);
    if (rc < 0)
        return rc;
    *until = h.until;
    memset(&td, 0, sizeof td);
    if (h.tracked)
        td = domain_feed_today_of(&h.now);
    state = h.tracked ? domain_feed_state_name(td.state) : "not-tracked";
    buf_puts(today, "<p class=\"today feed-");
    buf_puts(today, state);
    buf_puts(today, "\"><strong>");
    buf_puts(today, h.tracked ? domain_feed_period_label(td.period) : "Today");
    buf_puts(today, ":</strong> ");
    {
        buf words = {0};
        domain_feed_today_words(&words, &td, at);
        buf_append_html(today, buf_cstr(&words));
        buf_dispose(&words);
    }
    if (h.tracked) {
        buf_puts(today, " · <a href=\"/feeds?instance=");
        buf_append_url(today, inst);
        buf_puts(today, "\">Feeds of ");
        buf_append_html(today, inst);
        buf_puts(today, "</a>");
    } else {
        buf_puts(today, " <span class=\"muted\">(arrivals are tracked "
                        "for tables with a daily, hourly, weekly or monthly "
                        "cadence and an expected arrival time)</span>");
    }
    buf_puts(today, "</p>");
    if (h.tracked) {
        buf_puts(chart, "<section class=\"card feed-history\" "
                        "aria-labelledby=\"arrivals-heading\"><h2 "
                        "id=\"arrivals-heading\">Arrivals</h2>");
        feed_chart_svg(chart, tbl, h.slots, h.n);
        buf_puts(chart, "<p class=\"muted small\">A dot is a file on time, "
                        "a square a late one, a cross a missing or failed "
                        "one; the dashed line is the due time, the solid one "
                        "the end of the grace period; bars are rows.</p>"
                        "</section>");
    }
    domain_feed_history_dispose(&h);
    return 0;
}

/* What a card's feed parts are stored as (CACHE_CARD_FEED): the moments
 * they hold for, then the compiled "Today:" line of tlen bytes, then the
 * compiled chart. */
typedef struct feed_head {
    int64_t from, until;
    uint32_t tlen;
} feed_head;

/* Today's line and the arrival chart of instance/table at `at` into
 * today and chart: as compiled templates (tmpl.h; *compiled 1) from the
 * cache when they were built from the same card version ver (the
 * table's rules), pruning version pruned and last arrival arr of the
 * table (registry_card_version) and hold at `at` (they change only at
 * the moments of domain_feed_history's until); else built
 * (card_feed_holes) and, when `at` is now (keep) and the cache has room
 * to spare, compiled and cached; else as HTML text (*compiled 0). The
 * card bodies come first: a body saves some 600 us a miss, today's line
 * 30 us and a few kilobytes a hit, so when the cache is full (a working
 * set larger than DOCKET_CACHE_MB) the lines are neither asked for nor
 * stored and leave the room to the bodies. 0 or ERR_* (err set). */
static int card_feed_parts(web_req *req, buf *today, buf *chart, int *compiled,
                           const char *inst, const char *tbl, int64_t at,
                           int keep, int64_t ver, int64_t pruned, int64_t arr,
                           errmsg *err)
{
    buf key = {0}, stored = {0}, t = {0}, c = {0};
    web_cache_stats st;
    feed_head h;
    int usable = ver >= 0 && pruned >= 0 && arr >= 0;
    int rc;

    *compiled = 0;
    /* a cache without room to spare holds bodies: not asked (nor
       counted as a miss) */
    web_cache_stats_get(req->cache, &st);
    if (st.bytes > st.budget - st.budget / 8)
        usable = 0;
    /* a new arrival of the table is a newer version: its entry is
       replaced, not left beside it */
    if (usable) {
        buf_puts(&key, tbl);
        buf_appendf(&key, "\x1f%lld\x1f%lld", (long long)ver,
                    (long long)pruned);
        usable = !buf_error(&key);
    }
    if (usable &&
        web_cache_get_stored(req->cache, &stored, NULL, CACHE_CARD_FEED, inst,
                             buf_cstr(&key), 0, arr) &&
        stored.len >= sizeof h) {
        memcpy(&h, stored.data, sizeof h);
        if (h.from <= at && at < h.until && h.tlen <= stored.len - sizeof h) {
            buf_append(today, stored.data + sizeof h, h.tlen);
            buf_append(chart, stored.data + sizeof h + h.tlen,
                       stored.len - sizeof h - h.tlen);
            *compiled = 1;
            rc = buf_error(today) || buf_error(chart) ? ERR_INTERNAL : 0;
            goto done;
        }
    }
    buf_reset(today);
    buf_reset(chart);
    memset(&h, 0, sizeof h);
    h.from = at;
    rc = card_feed_holes(req, &t, &c, inst, tbl, at, &h.until, err);
    if (rc < 0)
        goto done;
    if (buf_error(&t) || buf_error(&c)) {
        rc = err_set(err, ERR_INTERNAL, "the page could not be prepared");
        goto done;
    }
    if (!usable || !keep ||
        st.bytes + t.len + c.len > st.budget - st.budget / 8 ||
        tmpl_compile(today, t.data, t.len) < 0 ||
        tmpl_compile(chart, c.data, c.len) < 0 || today->len >= UINT32_MAX) {
        /* sent as text, stored blocks in the page */
        buf_reset(today);
        buf_reset(chart);
        buf_append(today, t.data, t.len);
        buf_append(chart, c.data, c.len);
        rc = buf_error(today) || buf_error(chart) ? ERR_INTERNAL : 0;
        goto done;
    }
    *compiled = 1;
    h.tlen = (uint32_t)today->len;
    buf_reset(&stored);
    buf_append(&stored, &h, sizeof h);
    buf_append(&stored, today->data, today->len);
    buf_append(&stored, chart->data, chart->len);
    if (!buf_error(&stored))
        web_cache_put_stored(req->cache, CACHE_CARD_FEED, inst, buf_cstr(&key),
                             0, arr, 0, stored.data, stored.len);
done:
    buf_dispose(&key);
    buf_dispose(&stored);
    buf_dispose(&t);
    buf_dispose(&c);
    return rc;
}

/* ?at= of a page (ISO 8601 UTC) into *at (now when absent): 0, or -1
 * after a 422 naming the field. */
static int page_at_or_reply(web_req *req, int64_t *at)
{
    const char *s = web_query(req, "at");
    form_errors fe = {0};

    *at = time_now();
    if (!s || !*s)
        return 0;
    if (time_parse_iso(at, s) == 0 && *at > 0)
        return 0;
    form_errors_add(&fe, "at",
                    "is a UTC time in ISO 8601 (2026-03-03T04:52:00Z)");
    web_reply_errors(req, &fe);
    form_errors_dispose(&fe);
    return -1;
}

/* GET /tables/{instance}/{table}: the page content is kept compiled
 * (tmpl.h) per role and organisation with the version of the table, its
 * open requests and its instance's drift report, the frame per role; a hit
 * sends them as one gzip member with this user's name, CSRF token, inbox link
 * (unread count) and watch button and the title filled in, compressing nothing.
 */
void page_table_show(web_req *req)
{
    const char *inst = req->args[0], *tbl = req->args[1];
    const char *flash = web_cookie(req, "docket_flash");
    const char *at_s = web_query(req, "at");
    int64_t ver, arr, pruned, org = 0;
    int vis = card_vis(req) | (int)(cat_org_filter(req) << 2);
    buf body = {0}, text = {0}, frame = {0}, title = {0}, user = {0},
        csrf = {0}, inbox = {0}, watch = {0}, ref = {0}, what = {0},
        today = {0}, chart = {0};
    const char *vals[TMPL_NHOLES] = {0};
    const buf *parts[TMPL_NHOLES] = {0};
    errmsg err = {0};
    int64_t at;
    int rc = 0, gzip, compiled = 0;

    if (page_at_or_reply(req, &at) < 0)
        return;
    /* one read: the version of what the card is built from, and of its
       "Today:" line and chart (the table's last arrival, pruning) */
    registry_card_version(req->reg, inst, tbl, &ver, &arr, &pruned);
    if (!web_cache_get_stored(req->cache, &body, &org, CACHE_TABLE_PAGE, inst,
                              tbl, vis, ver)) {
        rc = card_body(req, &text, &org, inst, tbl, &err);
        if (rc == 0 && tmpl_compile(&body, text.data, text.len) == 0)
            web_cache_put_stored(req->cache, CACHE_TABLE_PAGE, inst, tbl, vis,
                                 ver, org, body.data, body.len);
    }
    if (rc == ERR_NOTFOUND ||
        (cat_org_filter(req) && org != cat_org_filter(req))) {
        cat_not_found(req, inst, tbl);
        goto done;
    }
    if (rc < 0 || !body.len) {
        if (rc == 0)
            err_set(&err, ERR_INTERNAL, "the page could not be prepared");
        web_reply_err(req, &err);
        goto done;
    }
    buf_append_html(&title, tbl);
    buf_append_html(&user, req->user.name);
    buf_append_html(&csrf, req->csrf);
    page_inbox_link(req, &inbox);
    buf_appendf(&ref, "%s/%s", inst, tbl);
    buf_appendf(&what, "%s / %s", inst, tbl);
    if (page_watch_form(req, &watch, WATCH_TABLE, buf_cstr(&ref),
                        buf_cstr(&what), &err) < 0) {
        web_reply_err(req, &err);
        goto done;
    }
    if (card_feed_parts(req, &today, &chart, &compiled, inst, tbl, at,
                        !at_s || !*at_s, ver, pruned, arr, &err) < 0) {
        if (err.code == ERR_NOTFOUND)
            cat_not_found(req, inst, tbl);
        else
            web_reply_err(req, &err);
        goto done;
    }
    vals[TMPL_TITLE] = buf_cstr(&title);
    vals[TMPL_USER] = buf_cstr(&user);
    vals[TMPL_CSRF] = buf_cstr(&csrf);
    vals[TMPL_INBOX] = buf_cstr(&inbox);
    vals[TMPL_WATCH] = buf_cstr(&watch);
    if (compiled) {
        parts[TMPL_TODAY] = &today;
        parts[TMPL_CHART] = &chart;
    } else {
        vals[TMPL_TODAY] = buf_cstr(&today);
        vals[TMPL_CHART] = buf_cstr(&chart);
    }
    /* A flash message belongs to one response: such a page is built in
       full, frame included (page_begin shows and clears the message). */
    if (flash && *flash) {
        page_begin(req, tbl);
        tmpl_plain_parts(&req->out, &body, NULL, vals, parts);
        page_end(req);
        goto done;
    }
    web_header_add(req, "Vary", "Accept-Encoding");
    gzip = cat_accepts_gzip(req);
    if (tables_frame(req, &frame) < 0 ||
        (gzip ? tmpl_gzip_parts(&req->out, &frame, &body, vals, parts)
              : tmpl_plain_parts(&req->out, &frame, &body, vals, parts)) < 0) {
        err_set(&err, ERR_INTERNAL, "the page could not be prepared");
        web_reply_err(req, &err);
        goto done;
    }
    if (gzip)
        web_header_add(req, "Content-Encoding", "gzip");
    web_reply_type(req, 200, "text/html; charset=utf-8");
done:
    buf_dispose(&body);
    buf_dispose(&text);
    buf_dispose(&frame);
    buf_dispose(&title);
    buf_dispose(&user);
    buf_dispose(&csrf);
    buf_dispose(&inbox);
    buf_dispose(&watch);
    buf_dispose(&ref);
    buf_dispose(&what);
    buf_dispose(&today);
    buf_dispose(&chart);
}

/* GET /api/v1/instances/{instance}/tables/{table}: from the cache (as
 * stored, gzip, when the client accepts it) or rendered and cached. */
void api_table(web_req *req)
{
    const char *inst = req->args[0], *tbl = req->args[1];
    int64_t ver = registry_table_version(req->reg, inst, tbl, 0), org = 0;
    int gzip = cat_accepts_gzip(req);
    errmsg err = {0};

    web_header_add(req, "Vary", "Accept-Encoding");
    buf_reset(&req->out);
    if (gzip && web_cache_get_stored(req->cache, &req->out, &org,
                                     CACHE_TABLE_JSON, inst, tbl, 0, ver)) {
        if (cat_org_filter(req) && org != cat_org_filter(req)) {
            cat_not_found(req, inst, tbl);
            return;
        }
        web_header_add(req, "Content-Encoding", "gzip");
        web_reply_type(req, 200, "application/json");
        return;
    }
    if (!web_cache_get(req->cache, &req->out, &org, CACHE_TABLE_JSON, inst, tbl,
                       0, ver)) {
        registry_card c = {0};
        cJSON *t;
        char *s;
        if (registry_table_card(req->reg, &c, inst, tbl, 0, &err) < 0) {
            if (err.code == ERR_NOTFOUND)
                cat_not_found(req, inst, tbl);
            else
                web_reply_err(req, &err);
            return;
        }
        org = c.org_id;
        t = registry_card_json(&c);
        registry_card_free(&c);
        s = cJSON_PrintUnformatted(t);
        cJSON_Delete(t);
        buf_puts(&req->out, s);
        buf_putc(&req->out, '\n');
        cJSON_free(s);
        if (!buf_error(&req->out))
            web_cache_put(req->cache, CACHE_TABLE_JSON, inst, tbl, 0, ver, org,
                          buf_cstr(&req->out), req->out.len);
    }
    if (cat_org_filter(req) && org != cat_org_filter(req)) {
        cat_not_found(req, inst, tbl);
        return;
    }
    web_reply_type(req, 200, "application/json");
}

/* ---- edits -------------------------------------------------------------- */

/* POST /tables/{instance}/{table}/edit: the form's fields, in the form's
 * order, into one registry edit (domain_catalog_edit: who may set what,
 * the reason, one transaction, the audit row); then back to the card. */
void page_table_edit(web_req *req)
{
    static const char *const fields[] = {"campaign_dependency",
                                         "campaign_note",
                                         "expected_arrival",
                                         "late_after_minutes",
                                         "source",
                                         "cadence",
                                         "expected_day",
                                         "anomaly_low_pct",
                                         "anomaly_high_pct",
                                         "file_pattern",
                                         "owner",
                                         "escalation",
                                         "consent_relevant",
                                         "status",
                                         "description",
                                         "runbook"};
    registry_field_value set[sizeof fields / sizeof *fields];
    domain_actor who = domain_actor_of(&req->user);
    domain_catalog_edit_in in = {0};
    errmsg err = {0};
    buf loc = {0};
    int changed = 0;

    in.instance = req->args[0];
    in.table = req->args[1];
    in.set = set;
    in.reason = web_field_get(req, "reason");
    in.address = req->address;
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        const char *v = web_field_get(req, fields[i]);
        if (!v)
            continue;
        set[in.nset].field = fields[i];
        set[in.nset++].value = v;
    }
    if (domain_catalog_edit(req->reg, &who, &in, &changed, &err) < 0) {
        if (err.code == ERR_NOTFOUND)
            cat_not_found(req, in.instance, in.table);
        else
            web_reply_err(req, &err);
        return;
    }
    page_flash_set(req, changed ? "Saved: the change is in the history."
                                : "Nothing changed.");
    card_html_href(&loc, in.instance, in.table);
    web_redirect(req, buf_cstr(&loc));
    buf_dispose(&loc);
}

/* The facts of column k (type, description, example, rule, flags,
 * added) on the column page. */
static void column_facts(buf *o, const registry_card_column *k)
{
    const char *const facts[] = {"Description", k->description, "Example",
                                 k->example,    "Rule",         k->rule};

    buf_puts(o, "<section class=\"card\"><dl class=\"facts\">"
                "<dt>Type</dt><dd><code>");
    buf_append_html_ident(o, k->type);
    buf_puts(o, "</code>");
    buf_puts(o, k->nullable ? " (may be empty)" : " (not null)");
    for (size_t i = 0; i < sizeof facts / sizeof *facts; i += 2) {
        buf_puts(o, "</dd><dt>");
        buf_puts(o, facts[i]);
        buf_puts(o, "</dt><dd class=\"lines\">");
        buf_append_html(o, facts[i + 1]);
    }
    buf_puts(o, "</dd><dt>Flags</dt><dd>");
    card_html_column_flags(o, k, "</span>");
    buf_puts(o, "</dd><dt>Added</dt><dd>");
    {
        char d[11];
        card_date(d, k->added_at);
        buf_append_html(o, d);
    }
    if (k->added_by_request > 0) {
        buf_puts(o, " by ");
        card_html_request_link(o, k->added_by_request);
    }
    buf_puts(o, "</dd></dl></section>");
}

/* The column page of k on card c: heading, facts, then its history. */
static int column_page(web_req *req, const registry_card *c,
                       const registry_card_column *k, errmsg *err)
{
    const char *status = registry_entry_status_name(k->status);
    registry_history_filter f = {0};
    buf *o = &req->out;
    card_html_list hc = {o, 0, 0, 0}; /* one item per change */

    buf_puts(o, "<nav class=\"crumbs\" aria-label=\"Breadcrumb\"><a "
                "href=\"/tables\">Tables</a> › ");
    card_html_table_link(o, c->instance, c->table);
    buf_puts(o, "</nav><h1><code>");
    buf_append_html_ident(o, k->name);
    buf_puts(o, "</code> ");
    card_html_status_badge(o, status);
    buf_puts(o, "</h1>");
    column_facts(o, k);
    buf_puts(o, "<section class=\"card\"><h2>History</h2><ol "
                "class=\"timeline\">");
    f.instance = c->instance;
    f.table = c->table;
    f.column = k->name;
    f.limit = 200;
    if (registry_change_list(req->reg, &f, card_html_change_item, &hc, err) < 0)
        return err->code;
    buf_puts(o, "</ol>");
    if (!hc.n)
        buf_puts(o, "<p class=\"muted\">No changes recorded.</p>");
    buf_puts(o, "</section>");
    return 0;
}

/* GET /tables/{instance}/{table}/columns/{column} */
void page_column_show(web_req *req)
{
    const char *inst = req->args[0], *tbl = req->args[1];
    const char *col = req->args[2];
    const registry_card_column *found = NULL;
    registry_card c = {0};
    errmsg err = {0};

    if (cat_instance_or_404(req, inst, tbl, NULL) < 0)
        return;
    if (registry_table_card(req->reg, &c, inst, tbl, cat_org_filter(req),
                            &err) < 0) {
        if (err.code == ERR_NOTFOUND)
            cat_not_found(req, inst, tbl);
        else
            web_reply_err(req, &err);
        return;
    }
    for (size_t i = 0; i < c.ncolumns; i++)
        if (!str_casecmp(c.columns[i].name, col))
            found = &c.columns[i];
    if (!found) {
        registry_card_free(&c);
        web_reply_error(req, 404, "There is no such column on this table.");
        return;
    }
    page_begin(req, col);
    if (column_page(req, &c, found, &err) < 0) {
        registry_card_free(&c);
        web_reply_err(req, &err);
        return;
    }
    registry_card_free(&c);
    page_end(req);
}
