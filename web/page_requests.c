/* page_requests.c: the request page (GET /requests/{id}), attachment
 * downloads and the route table of the whole requests area: the form
 * (page_request_new.c, page_request_form.c, page_request_sections.c) and
 * the JSON API (api_requests.c) included. The sections triage adds to the
 * request page are in page_request_extra.c. */
#include "requests_int.h"
#include "def.h"
#include "mem.h"
#include "page_inbox_int.h"
#include "requests.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* ---- the request page -------------------------------------------------- */

static void fact(buf *o, const char *label, const char *value)
{
    buf_puts(o, "<dt>");
    buf_puts(o, label);
    buf_puts(o, "</dt><dd>");
    if (value && *value)
        buf_append_html(o, value);
    else
        buf_puts(o, "<span class=\"muted\">—</span>");
    buf_puts(o, "</dd>");
}

void page_status_badge(buf *o, const char *status)
{
    page_wrap(o, "<span class=\"badge status-", status, "\">");
    for (const char *p = status; *p; p++)
        buf_putc(o, *p == '_' ? ' ' : *p);
    buf_puts(o, "</span>");
}

static const char *label_of(const char *key, form_level level,
                            const char *value)
{
    const form_field *f = form_def_field_key(level, key, strlen(key));
    const char *l = f ? form_def_choice_label(f, value) : NULL;

    return l ? l : value;
}

static void dependency_badge(buf *o, const char *dep)
{
    if (!strcmp(dep, "required"))
        buf_puts(o, "<span class=\"badge required\">REQUIRED</span> "
                    "Hold campaigns if today's data is missing");
    else if (!strcmp(dep, "optional"))
        buf_puts(o, "<span class=\"badge optional\">OPTIONAL</span> "
                    "Campaigns may run without it");
    else
        buf_puts(o, "<span class=\"muted\">not stated</span>");
}

/* The rules card of a feed item: campaigns, source, cadence, arrival,
 * owner. */
static void feed_card(buf *o, const form_item *it)
{
    char n[32];

    buf_puts(o, "<div class=\"rules-card\"><dl class=\"facts\">"
                "<dt>Campaigns</dt><dd>");
    dependency_badge(o, nz(it->campaign_dependency));
    buf_puts(o, "</dd>");
    if (*nz(it->campaign_note)) {
        page_wrap(o, "<dt>Campaign note</dt><dd>", it->campaign_note, "</dd>");
    }
    fact(o, "Source", label_of("source", FORM_LEVEL_ITEM, nz(it->source)));
    fact(o, "Cadence", label_of("cadence", FORM_LEVEL_ITEM, nz(it->cadence)));
    fact(o, "Expected arrival (UTC)", it->expected_arrival);
    if (it->late_after_minutes)
        snprintf(n, sizeof n, "%d minutes", it->late_after_minutes);
    else
        n[0] = '\0';
    fact(o, "Late after", n);
    if (*nz(it->expected_day))
        fact(o, "Expected day", it->expected_day);
    if (it->anomaly_low_pct > 0 || it->anomaly_high_pct > 0) {
        char rows[64], low[24] = "", high[24] = ""; /* 0: not given */
        if (it->anomaly_low_pct > 0)
            snprintf(low, sizeof low, "below %d %%", it->anomaly_low_pct);
        if (it->anomaly_high_pct > 0)
            snprintf(high, sizeof high, "above %d %%", it->anomaly_high_pct);
        snprintf(rows, sizeof rows, "%s%s%s of the median", low,
                 *low && *high ? " or " : "", high);
        fact(o, "Row anomaly", rows);
    }
    fact(o, "File name pattern", it->file_pattern);
    fact(o, "Owner", it->owner);
    fact(o, "Escalation", it->escalation);
    buf_puts(o, "</dl></div>");
}

/* The columns of item it as a table; attrs: an attributes item (action
 * and rule columns). */
static void columns_table(buf *o, const form_item *it, size_t i, int attrs)
{
    /* a region of its own, reachable by keyboard, as it may scroll
       sideways on a phone */
    buf_appendf(o,
                "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" "
                "aria-labelledby=\"item-%zu-columns\"><table "
                "class=\"table\"><caption id=\"item-%zu-columns\" "
                "class=\"sr-only\">Columns of change %zu</caption><thead>"
                "<tr>",
                i + 1, i + 1, i + 1);
    if (attrs)
        buf_puts(o, "<th scope=\"col\">Action</th>");
    buf_puts(o, "<th scope=\"col\">Column</th><th scope=\"col\">Type</th>"
                "<th scope=\"col\">May be empty</th><th scope=\"col\">"
                "Description</th><th scope=\"col\">Example</th>");
    if (attrs)
        buf_puts(o, "<th scope=\"col\">Rule</th>");
    buf_puts(o, "<th scope=\"col\">Flags</th></tr></thead><tbody>");
    for (size_t c = 0; c < it->ncolumns; c++) {
        const form_column *col = &it->columns[c];
        char type[64] = "";
        if (col->type.kind != FORM_TYPE_NONE)
            form_type_format(type, sizeof type, &col->type);
        buf_puts(o, "<tr>");
        if (attrs) {
            page_wrap(o, "<td>",
                      label_of("action", FORM_LEVEL_COLUMN,
                               form_action_name(col->action)),
                      "</td>");
        }
        buf_puts(o, "<td><code>");
        buf_append_html_ident(o, col->name);
        buf_puts(o, "</code></td><td><code>");
        buf_append_html(o, type);
        buf_puts(o, "</code></td><td>");
        buf_puts(o, col->nullable ? "yes" : "no");
        page_wrap(o, "</td><td class=\"lines\">", col->description,
                  "</td><td>");
        buf_append_html(o, col->example);
        buf_puts(o, "</td>");
        if (attrs) {
            page_wrap(o, "<td class=\"lines\">", col->rule, "</td>");
        }
        buf_puts(o, "<td>");
        if (col->primary_key)
            buf_puts(o, "<span class=\"badge\">primary key</span> ");
        if (col->pii)
            buf_puts(o, "<span class=\"badge pii\">PII</span> ");
        if (col->consent) {
            buf_puts(o, "<span class=\"badge consent\">consent");
            if (*nz(col->consent_channel)) {
                buf_puts(o, ": ");
                buf_append_html(o,
                                label_of("consent_channel", FORM_LEVEL_COLUMN,
                                         col->consent_channel));
            }
            buf_puts(o, "</span>");
        }
        buf_puts(o, "</td></tr>");
    }
    buf_puts(o, "</tbody></table></div>");
}

static void item_view(buf *o, const form_item *it, size_t i)
{
    size_t nk;
    const form_choice *kinds = form_def_kinds(&nk);
    int attrs = it->kind == FORM_ITEM_CUSTOMER_ATTRIBUTES ||
                it->kind == FORM_ITEM_ACTIVITY_HISTORY ||
                it->kind == FORM_ITEM_PURCHASE_HISTORY;
    int feed = attrs || it->kind == FORM_ITEM_NEW_TABLE;

    buf_appendf(o,
                "<section class=\"card item\" id=\"item-%zu\"><h3>Change "
                "%zu: ",
                i + 1, i + 1);
    buf_append_html(o, (size_t)it->kind < nk ? kinds[it->kind].label : "");
    buf_puts(o, " <code>");
    buf_append_html_ident(o, it->table);
    buf_puts(o, "</code></h3>");
    if (*nz(it->description)) {
        page_wrap(o, "<p class=\"lines\">", it->description, "</p>");
    }
    if (feed && (*nz(it->campaign_dependency) || *nz(it->source) ||
                 *nz(it->cadence) || *nz(it->owner)))
        feed_card(o, it);
    if (it->kind == FORM_ITEM_NEW_TABLE && *nz(it->primary_key)) {
        buf_puts(o, "<p>Primary key: <code>");
        buf_append_html_ident(o, it->primary_key);
        buf_puts(o, "</code></p>");
    }
    columns_table(o, it, i, attrs);
    if (*nz(it->examples)) {
        page_wrap(o, "<h4>Example rows</h4><pre class=\"examples\">",
                  it->examples, "</pre>");
    }
    if (*nz(it->notes)) {
        buf_puts(o, "<h4>Notes</h4><div class=\"markdown\">");
        web_markdown(o, it->notes);
        buf_puts(o, "</div>");
    }
    buf_puts(o, "</section>");
}

/* One attachment of the list in the buf ctx. */
static void attachment_li(void *ctx, const registry_attachment *a)
{
    buf *o = ctx;

    buf_appendf(o,
                "<li><a href=\"/requests/%lld/attachments/%lld\" "
                "download>",
                (long long)a->request_id, (long long)a->id);
    buf_append_html(o, a->filename);
    buf_appendf(o,
                "</a> <span class=\"muted\">%lld bytes, SHA-256 "
                "<code>%.12s</code>…</span></li>",
                (long long)a->size, a->sha256);
}

/* GET /requests/{id} */
/* The facts card of a request: organisation, instances, people, dates. */
static void facts_card(buf *o, const form_request *r,
                       const registry_request_row *row)
{
    buf_puts(o, "<section class=\"card\"><dl class=\"facts\">");
    fact(o, "Organisation", r->organisation);
    fact(o, "Main instance", r->instance);
    buf_puts(o, "<dt>Instances</dt><dd>");
    for (size_t i = 0; i < r->ninstances; i++) {
        if (i)
            buf_puts(o, ", ");
        buf_append_html(o, r->instances[i]);
    }
    page_wrap(o, "</dd><dt>Requester</dt><dd>", r->requester_name,
              " &lt;<a href=\"mailto:");
    buf_append_html(o, r->requester_email);
    page_wrap(o, "\">", r->requester_email,
              "</a>&gt;</dd><dt>Project manager</dt><dd>");
    if (*row->pm_email) {
        buf_append_html(o, row->pm_name);
        page_wrap(o, " &lt;", row->pm_email, "&gt;");
    } else {
        buf_puts(o, "<span class=\"muted\">—</span>");
    }
    buf_puts(o, "</dd><dt>Submitted</dt><dd>");
    page_time(o, r->created_at);
    buf_puts(o, "</dd><dt>Updated</dt><dd>");
    page_time(o, r->updated_at);
    buf_puts(o, "</dd>");
    fact(o, "Wanted by", r->desired_date);
    buf_puts(o, "</dl></section>");
}

static void page_request_show(web_req *req)
{
    int64_t id = web_arg_id(req, 0);
    int64_t orgf = intake_org_filter(req);
    registry_request_row row;
    form_request r;
    errmsg err = {0};
    buf *o = &req->out;
    char title[900], tbuf[32];
    size_t before;
    int rc;

    if (!id || registry_request_row_get(req->reg, &row, id, orgf, &err) < 0 ||
        registry_request_load(req->reg, &r, id, orgf, &err) < 0) {
        if (!id || err.code == ERR_NOTFOUND)
            web_reply_error(req, 404, "There is no such request.");
        else
            web_reply_err(req, &err);
        return;
    }
    snprintf(title, sizeof title, "CR-%lld %s", (long long)id, r.title);
    page_begin(req, title);
    snprintf(tbuf, sizeof tbuf, "CR-%lld", (long long)id);
    buf_puts(o, "<article class=\"request stack\"><header><div "
                "class=\"watch-bar\">");
    rc = page_watch_form(req, o, WATCH_REQUEST, tbuf + 3, tbuf, &err);
    if (rc < 0)
        goto done;
    buf_appendf(o, "</div><p class=\"muted\">%s</p><h1>", tbuf);
    buf_append_html(o, r.title);
    buf_puts(o, "</h1><p>");
    page_status_badge(o, nz(r.status));
    if (r.consent_related)
        buf_puts(o, " <span class=\"badge consent\">consent-related</span>");
    buf_puts(o, "</p></header>");
    if (r.consent_related) {
        page_wrap(o,
                  "<div class=\"alert consent\" role=\"note\"><strong>"
                  "This request touches consent.</strong> ",
                  r.consent_note, "</div>");
    }
    facts_card(o, &r, &row);
    buf_puts(o, "<section class=\"card\"><h2>Summary</h2>"
                "<div class=\"markdown\">");
    web_markdown(o, r.summary);
    buf_puts(o, "</div></section><section class=\"stack\"><h2>Changes</h2>");
    for (size_t i = 0; i < r.nitems; i++)
        item_view(o, &r.items[i], i);
    buf_puts(o, "</section><section class=\"card\" id=\"attachments\"><h2>"
                "Attachments</h2><ul>");
    before = o->len;
    rc = registry_attachment_list(req->reg, id, orgf, attachment_li, o, &err);
    if (rc < 0)
        goto done;
    buf_puts(o, "</ul>");
    if (o->len == before)
        buf_puts(o, "<p class=\"muted\">No files were attached.</p>");
    buf_puts(o, "</section>");
    /* The timeline (events, comments and edits in one list), the
       life-cycle actions and the conversation: page_request_extra.c. */
    rc = page_request_extra(req, id, &err);
    if (rc < 0)
        goto done;
    snprintf(tbuf, sizeof tbuf, "%lld", (long long)id);
    buf_puts(o, "<p><a href=\"/api/v1/requests/");
    buf_puts(o, tbuf);
    buf_puts(o, "\">This request as JSON</a></p></article>");
    page_end(req);
done:
    if (rc < 0)
        web_reply_err(req, &err);
    form_request_dispose(&r);
}

/* GET /requests/{id}/attachments/{aid}: always a download. */
static void page_request_attachment(web_req *req)
{
    int64_t id = web_arg_id(req, 0), aid = web_arg_id(req, 1);
    registry_attachment a;
    unsigned char *data = NULL;
    errmsg err = {0};
    buf cd = {0};

    if (!id || !aid ||
        registry_attachment_get(req->reg, &a, &data, id, aid,
                                intake_org_filter(req), &err) < 0) {
        if (!id || !aid || err.code == ERR_NOTFOUND)
            web_reply_error(req, 404, "There is no such file.");
        else
            web_reply_err(req, &err);
        return;
    }
    /* A plain ASCII fallback name, then the exact one (RFC 6266). */
    buf_puts(&cd, "attachment; filename=\"");
    for (const char *p = a.filename; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == ';' ||
            c == '%') {
            buf_putc(&cd, '_');
        } else {
            buf_putc(&cd, (char)c);
        }
    }
    buf_puts(&cd, "\"; filename*=UTF-8''");
    buf_append_url(&cd, a.filename);
    web_header_add(req, "Content-Disposition", buf_cstr(&cd));
    web_header_add(req, "Content-Security-Policy", "sandbox");
    buf_dispose(&cd);
    buf_reset(&req->out);
    buf_append(&req->out, data, (size_t)a.size);
    free(data);
    web_reply_type(req, 200, "application/octet-stream");
}

const web_route web_routes_requests[] = {
    {"GET", "/requests/new", ROLE_AUTHOR, 0, page_request_new},
    {"POST", "/requests", ROLE_AUTHOR, 0, page_request_create},
    {"GET", "/requests/{id}", ROLE_USER, 0, page_request_show},
    {"GET", "/requests/{id}/attachments/{aid}", ROLE_USER, 0,
     page_request_attachment},
    {"GET", "/api/v1/openapi.json", ROLE_ANY, WEB_JSON, api_openapi_get},
    {"GET", "/api/v1/form", ROLE_USER, WEB_JSON, api_form_get},
    {"POST", "/api/v1/infer-columns", ROLE_USER, WEB_JSON | WEB_RAWBODY,
     api_infer_columns},
    {"POST", "/api/v1/requests", ROLE_AUTHOR, WEB_JSON | WEB_RAWBODY,
     api_requests_create},
    {"GET", "/api/v1/requests", ROLE_USER, WEB_JSON, api_requests_list},
    {"GET", "/api/v1/requests/{id}", ROLE_USER, WEB_JSON, api_requests_get},
    {NULL, NULL, 0, 0, NULL}};
