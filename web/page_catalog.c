/* page_catalog.c: registry pages (the table index, rules cards, column
 * history, search, the 3 a.m. lookup, the change log and its Atom feed)
 * and their JSON API. Data comes from registry/catalog.c; the rules card
 * body and the table JSON are cached per registry generation (cache.c);
 * the suggestions script is static/lookup.js.
 *
 * Tenant rule: a client only sees instances of its organisation, and any
 * other instance or table answers exactly like a missing one (404). */
#include "web_int.h"
#include "cache.h"
#include "catalog.h"
#include "mem.h"
#include "str.h"
#include "tmpl.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t org_filter(const web_req *req)
{
    return req->role == ROLE_CLIENT ? req->user.org_id : 0;
}

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

static void not_found(web_req *req, const char *instance, const char *table)
{
    buf m = {0};

    if (table) {
        buf_puts(&m, "There is no table ");
        buf_puts(&m, table);
        buf_puts(&m, " in instance ");
        buf_puts(&m, instance);
        buf_puts(&m, ".");
    } else {
        buf_puts(&m, "There is no instance ");
        buf_puts(&m, instance);
        buf_puts(&m, ".");
    }
    web_reply_error(req, 404, buf_cstr(&m));
    buf_dispose(&m);
}

/* 0 when the user may see instance (its organisation in *org); otherwise
 * replies 404 (also for another organisation's instance) and returns -1. */
static int instance_or_404(web_req *req, const char *instance,
                           const char *table, int64_t *org)
{
    errmsg err = {0};
    int64_t o = 0;

    if (registry_instance_org(req->reg, &o, instance, &err) < 0) {
        if (err.code == ERR_NOTFOUND)
            not_found(req, instance, table);
        else
            web_reply_err(req, &err);
        return -1;
    }
    if (org_filter(req) && o != org_filter(req)) {
        not_found(req, instance, table);
        return -1;
    }
    if (org)
        *org = o;
    return 0;
}

static const char *jstr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) ? v->valuestring : "";
}

static int jbool(const cJSON *o, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static int64_t jint(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

static void table_href(buf *o, const char *instance, const char *table)
{
    buf_puts(o, "/tables/");
    buf_append_url(o, instance);
    buf_putc(o, '/');
    buf_append_url(o, table);
}

/* Text with \x01 / \x02 highlight markers: escaped, markers as <mark>. */
static void append_marked(buf *o, const char *s)
{
    int open = 0;
    const char *run = s;

    for (;; s++) {
        if (*s == '\x01' || *s == '\x02' || !*s) {
            char *part = xstrndup(run, (size_t)(s - run));
            buf_append_html(o, part);
            free(part);
            if (!*s)
                break;
            if (*s == '\x01' && !open) {
                buf_puts(o, "<mark>");
                open = 1;
            } else if (*s == '\x02' && open) {
                buf_puts(o, "</mark>");
                open = 0;
            }
            run = s + 1;
        }
    }
    if (open)
        buf_puts(o, "</mark>");
}

/* The same text without markers (JSON). */
static char *unmarked(const char *s)
{
    char *out = xmalloc(strlen(s) + 1), *p = out;

    for (; *s; s++)
        if (*s != '\x01' && *s != '\x02')
            *p++ = *s;
    *p = '\0';
    return out;
}

static void dependency_line(buf *o, const char *dep, const char *note)
{
    if (!strcmp(dep, "required"))
        buf_puts(o, "<p class=\"dependency required\"><strong>REQUIRED"
                    "</strong>: hold campaigns if the file is missing</p>");
    else if (!strcmp(dep, "optional"))
        buf_puts(o, "<p class=\"dependency optional\"><strong>OPTIONAL"
                    "</strong>: campaigns may run without it</p>");
    else
        buf_puts(o, "<p class=\"dependency\"><strong>NOT STATED</strong>: "
                    "ask the owner before running campaigns without it</p>");
    if (*note) {
        buf_puts(o, "<p class=\"dependency-note\">");
        buf_append_html(o, note);
        buf_puts(o, "</p>");
    }
}

static void dependency_badge(buf *o, const char *dep)
{
    if (!strcmp(dep, "required"))
        buf_puts(o, "<span class=\"badge required\">REQUIRED</span>");
    else if (!strcmp(dep, "optional"))
        buf_puts(o, "<span class=\"badge optional\">OPTIONAL</span>");
    else
        buf_puts(o, "<span class=\"badge muted\">not stated</span>");
}

static void date_of(buf *o, const char *iso)
{
    char d[11];

    str_copy(d, sizeof d, iso);
    buf_append_html(o, d);
}

static void cr_link(buf *o, int64_t id)
{
    buf_appendf(o, "<a href=\"/requests/%lld\">CR-%lld</a>", (long long)id,
                (long long)id);
}

/* One history entry as a timeline item. */
static void history_item(buf *o, const char *at, const char *column,
                         const char *field, const char *old_v,
                         const char *new_v, int64_t request, const char *user,
                         const char *reason, const char *table_link_instance,
                         const char *table_link_table)
{
    buf_puts(o, "<li><time datetime=\"");
    buf_append_html(o, at);
    buf_puts(o, "\">");
    {
        char s[17];
        str_copy(s, sizeof s, at);
        if (strlen(s) == 16)
            s[10] = ' ';
        buf_append_html(o, s);
    }
    buf_puts(o, "</time> ");
    if (table_link_instance) {
        buf_puts(o, "<a href=\"");
        table_href(o, table_link_instance, table_link_table);
        buf_puts(o, "\">");
        buf_append_html(o, table_link_instance);
        buf_puts(o, " · ");
        buf_append_html(o, table_link_table);
        buf_puts(o, "</a> ");
    }
    if (*column) {
        buf_puts(o, "<code>");
        buf_append_html(o, column);
        buf_puts(o, "</code> ");
    }
    if (!strcmp(field, "table") && !old_v) {
        buf_puts(o, "table created");
    } else if (!strcmp(field, "column") && !old_v) {
        buf_puts(o, "column added (");
        buf_append_html(o, new_v ? new_v : "");
        buf_puts(o, ")");
    } else {
        buf_append_html(o, field);
        buf_puts(o, ": <del>");
        buf_append_html(o, old_v && *old_v ? old_v : "(empty)");
        buf_puts(o, "</del> → <ins>");
        buf_append_html(o, new_v && *new_v ? new_v : "(empty)");
        buf_puts(o, "</ins>");
    }
    buf_puts(o, " <span class=\"muted\">");
    if (request > 0) {
        buf_puts(o, "by ");
        cr_link(o, request);
    } else if (*reason) {
        buf_puts(o, "reason: ");
        buf_append_html(o, reason);
    }
    if (*user) {
        buf_puts(o, ", ");
        buf_append_html(o, user);
    }
    buf_puts(o, "</span></li>");
}

static void field_input(buf *o, const char *name, const char *label,
                        const char *value, const char *extra)
{
    buf_puts(o, "<p><label for=\"e-");
    buf_puts(o, name);
    buf_puts(o, "\">");
    buf_puts(o, label);
    buf_puts(o, "</label><input id=\"e-");
    buf_puts(o, name);
    buf_puts(o, "\" name=\"");
    buf_puts(o, name);
    buf_puts(o, "\" value=\"");
    buf_append_html(o, value);
    buf_puts(o, "\"");
    if (extra)
        buf_puts(o, extra);
    buf_puts(o, "></p>");
}

static void field_textarea(buf *o, const char *name, const char *label,
                           const char *value)
{
    buf_puts(o, "<p><label for=\"e-");
    buf_puts(o, name);
    buf_puts(o, "\">");
    buf_puts(o, label);
    buf_puts(o, "</label><textarea id=\"e-");
    buf_puts(o, name);
    buf_puts(o, "\" name=\"");
    buf_puts(o, name);
    buf_puts(o, "\" rows=\"5\">");
    buf_append_html(o, value);
    buf_puts(o, "</textarea></p>");
}

static void field_select(buf *o, const char *name, const char *label,
                         const char *value, const char *const *choices,
                         const char *const *labels, size_t n)
{
    buf_puts(o, "<p><label for=\"e-");
    buf_puts(o, name);
    buf_puts(o, "\">");
    buf_puts(o, label);
    buf_puts(o, "</label><select id=\"e-");
    buf_puts(o, name);
    buf_puts(o, "\" name=\"");
    buf_puts(o, name);
    buf_puts(o, "\">");
    for (size_t i = 0; i < n; i++) {
        buf_puts(o, "<option value=\"");
        buf_puts(o, choices[i]);
        buf_puts(o, "\"");
        if (!strcmp(value, choices[i]))
            buf_puts(o, " selected");
        buf_puts(o, ">");
        buf_puts(o, labels[i]);
        buf_puts(o, "</option>");
    }
    buf_puts(o, "</select></p>");
}

/* The edit form of a rules card (vis 1: runbook only; 2: every field). */
static void edit_form(buf *o, const cJSON *t, int vis)
{
    static const char *const deps[] = {"", "required", "optional"};
    static const char *const dep_labels[] = {
        "not stated", "REQUIRED: hold campaigns if the file is missing",
        "OPTIONAL: campaigns may run without it"};
    static const char *const states[] = {"active", "deprecated"};
    const cJSON *rules = cJSON_GetObjectItemCaseSensitive(t, "rules");
    char late[16];

    buf_puts(o, "<details class=\"card edit\"><summary>");
    buf_puts(o,
             vis == 2 ? "Edit rules and description" : "Edit the runbook note");
    buf_puts(o, "</summary><form method=\"post\" action=\"");
    table_href(o, jstr(t, "instance"), jstr(t, "table"));
    buf_puts(o, "/edit\" class=\"stack\"><input type=\"hidden\" "
                "name=\"csrf\" value=\"" TMPL_MARK_CSRF "\">");
    if (vis == 2) {
        field_select(o, "campaign_dependency", "Campaign dependency",
                     jstr(rules, "campaign_dependency"), deps, dep_labels, 3);
        field_textarea(o, "campaign_note", "Campaign note",
                       jstr(rules, "campaign_note"));
        field_input(o, "expected_arrival", "Expected arrival (HH:MM UTC)",
                    jstr(rules, "expected_arrival"),
                    " pattern=\"[0-2][0-9]:[0-5][0-9]\" placeholder=\"05:00\"");
        snprintf(late, sizeof late, "%lld",
                 (long long)jint(rules, "late_after_minutes"));
        field_input(o, "late_after_minutes", "Missing after (minutes late)",
                    late, " type=\"number\" min=\"0\" max=\"1440\"");
        field_input(o, "source", "Source", jstr(rules, "source"), NULL);
        field_input(o, "cadence", "Cadence", jstr(rules, "cadence"), NULL);
        field_input(o, "file_pattern", "File pattern",
                    jstr(rules, "file_pattern"), NULL);
        field_input(o, "owner", "Owner", jstr(rules, "owner"), NULL);
        field_input(o, "escalation", "Escalation contact",
                    jstr(rules, "escalation"), NULL);
        field_select(
            o, "consent_relevant", "Consent relevance",
            jbool(rules, "consent_relevant") ? "1" : "0",
            (const char *const[]){"0", "1"},
            (const char *const[]){"not consent-relevant", "consent-relevant"},
            2);
        field_select(o, "status", "Status", jstr(t, "status"), states, states,
                     2);
        field_textarea(o, "description", "Description", jstr(t, "description"));
    }
    field_textarea(o, "runbook", "Runbook note (Markdown)",
                   jstr(rules, "runbook"));
    buf_puts(o, "<p><label for=\"e-reason\">Reason (kept in the history)"
                "</label><input id=\"e-reason\" name=\"reason\" required "
                "maxlength=\"2000\"></p><p><button type=\"submit\">Save"
                "</button></p></form></details>");
}

/* The cached body of a rules card page: heading, rules card, edit form,
 * columns, history. Independent of the user except for vis. */
static void render_card(buf *o, const cJSON *t, int vis)
{
    const cJSON *rules = cJSON_GetObjectItemCaseSensitive(t, "rules");
    const cJSON *cols = cJSON_GetObjectItemCaseSensitive(t, "columns");
    const cJSON *hist = cJSON_GetObjectItemCaseSensitive(t, "history");
    const cJSON *last = cJSON_GetObjectItemCaseSensitive(t, "last_change");
    const char *inst = jstr(t, "instance"), *name = jstr(t, "table");
    const cJSON *c;
    int consent_cols = 0, pii_cols = 0;

    cJSON_ArrayForEach(c, cols)
    {
        if (!strcmp(jstr(c, "status"), "retired"))
            continue;
        consent_cols += jbool(c, "consent");
        pii_cols += jbool(c, "pii");
    }
    buf_puts(o, "<nav class=\"crumbs\" aria-label=\"Breadcrumb\"><a "
                "href=\"/tables\">Tables</a> › <a href=\"/tables?instance=");
    buf_append_url(o, inst);
    buf_puts(o, "\">");
    buf_append_html(o, inst);
    buf_puts(o, "</a></nav><h1>");
    buf_append_html(o, name);
    buf_puts(o, " <span class=\"badge status-");
    buf_append_html(o, jstr(t, "status"));
    buf_puts(o, "\">");
    buf_append_html(o, jstr(t, "status"));
    buf_puts(o, "</span></h1><p class=\"muted\">");
    buf_append_html(o, inst);
    buf_puts(o, " · ");
    buf_append_html(o, jstr(t, "environment"));
    buf_puts(o, " · ");
    buf_append_html(o, jstr(t, "organisation"));
    if (*jstr(t, "kind")) {
        buf_puts(o, " · ");
        buf_append_html(o, jstr(t, "kind"));
    }
    buf_puts(o, "</p>");

    buf_puts(o, "<section class=\"card rules-card\" aria-label=\"Rules\">");
    dependency_line(o, jstr(rules, "campaign_dependency"),
                    jstr(rules, "campaign_note"));
    buf_puts(o, "<dl class=\"facts\"><dt>Expected</dt><dd>");
    if (*jstr(rules, "expected_arrival")) {
        buf_append_html(o, jstr(rules, "expected_arrival"));
        buf_puts(o, " UTC");
        if (jint(rules, "late_after_minutes") > 0) {
            buf_puts(o, ", missing after ");
            buf_append_html(o, jstr(rules, "missing_after"));
        }
    } else {
        buf_puts(o, "<span class=\"muted\">no arrival time recorded</span>");
    }
    if (*jstr(rules, "cadence")) {
        buf_puts(o, " · ");
        buf_append_html(o, jstr(rules, "cadence"));
    }
    buf_puts(o, "</dd><dt>Source</dt><dd>");
    buf_append_html(o, *jstr(rules, "source") ? jstr(rules, "source") : "—");
    if (*jstr(rules, "file_pattern")) {
        buf_puts(o, " · <code>");
        buf_append_html(o, jstr(rules, "file_pattern"));
        buf_puts(o, "</code>");
    }
    buf_puts(o, "</dd><dt>Owner</dt><dd>");
    buf_append_html(o, *jstr(rules, "owner") ? jstr(rules, "owner") : "—");
    buf_puts(o, "</dd><dt>Escalation</dt><dd>");
    buf_append_html(o, *jstr(rules, "escalation") ? jstr(rules, "escalation")
                                                  : "—");
    buf_puts(o, "</dd><dt>Consent</dt><dd>");
    if (jbool(rules, "consent_relevant") || consent_cols) {
        buf_puts(o, "<span class=\"badge consent\">consent-relevant</span> ");
        buf_appendf(o, "%d consent column%s", consent_cols,
                    consent_cols == 1 ? "" : "s");
    } else {
        buf_puts(o, "not consent-relevant");
    }
    if (pii_cols)
        buf_appendf(o, " · <span class=\"badge pii\">PII</span> %d column%s",
                    pii_cols, pii_cols == 1 ? "" : "s");
    buf_puts(o, "</dd><dt>Last change</dt><dd>");
    if (cJSON_IsObject(last)) {
        date_of(o, jstr(last, "at"));
        buf_puts(o, " ");
        if (jint(last, "request") > 0) {
            buf_puts(o, "by ");
            cr_link(o, jint(last, "request"));
        } else {
            buf_append_html(o, jstr(last, "reason"));
        }
    } else {
        buf_puts(o, "—");
    }
    buf_puts(o, "</dd></dl>");
    if (*jstr(t, "description")) {
        buf_puts(o, "<p class=\"description\">");
        buf_append_html(o, jstr(t, "description"));
        buf_puts(o, "</p>");
    }
    if (*jstr(rules, "runbook")) {
        buf_puts(o, "<div class=\"runbook\"><h2>Runbook</h2>");
        web_markdown(o, jstr(rules, "runbook"));
        buf_puts(o, "</div>");
    }
    buf_puts(o, "</section>");
    if (vis > 0)
        edit_form(o, t, vis);

    buf_appendf(o,
                "<section class=\"card\"><h2>Columns <span "
                "class=\"muted\">(%d)</span></h2>",
                cJSON_GetArraySize(cols));
    buf_puts(o, "<div class=\"table-wrap\"><table class=\"table\"><thead><tr>"
                "<th scope=\"col\">Column</th><th scope=\"col\">Type</th>"
                "<th scope=\"col\">Description</th><th scope=\"col\">Flags"
                "</th><th scope=\"col\">Added</th></tr></thead><tbody>");
    cJSON_ArrayForEach(c, cols)
    {
        const char *st = jstr(c, "status");
        buf_puts(o, "<tr");
        if (strcmp(st, "active"))
            buf_puts(o, " class=\"muted\"");
        buf_puts(o, "><th scope=\"row\"><a href=\"");
        table_href(o, inst, name);
        buf_puts(o, "/columns/");
        buf_append_url(o, jstr(c, "name"));
        buf_puts(o, "\"><code>");
        buf_append_html(o, jstr(c, "name"));
        buf_puts(o, "</code></a></th><td><code>");
        buf_append_html(o, jstr(c, "type"));
        buf_puts(o, "</code>");
        if (!jbool(c, "nullable"))
            buf_puts(o, " <span class=\"muted\">not null</span>");
        buf_puts(o, "</td><td>");
        buf_append_html(o, jstr(c, "description"));
        if (*jstr(c, "example")) {
            buf_puts(o, " <span class=\"muted\">e.g. ");
            buf_append_html(o, jstr(c, "example"));
            buf_puts(o, "</span>");
        }
        if (*jstr(c, "rule")) {
            buf_puts(o, "<br><span class=\"muted\">Rule: ");
            buf_append_html(o, jstr(c, "rule"));
            buf_puts(o, "</span>");
        }
        buf_puts(o, "</td><td>");
        if (jbool(c, "primary_key"))
            buf_puts(o, "<span class=\"badge\">PK</span> ");
        if (jbool(c, "pii"))
            buf_puts(o, "<span class=\"badge pii\">PII</span> ");
        if (jbool(c, "consent")) {
            buf_puts(o, "<span class=\"badge consent\">consent");
            if (*jstr(c, "consent_channel")) {
                buf_puts(o, ": ");
                buf_append_html(o, jstr(c, "consent_channel"));
            }
            buf_puts(o, "</span> ");
        }
        if (strcmp(st, "active")) {
            buf_puts(o, "<span class=\"badge status-");
            buf_append_html(o, st);
            buf_puts(o, "\">");
            buf_append_html(o, st);
            buf_puts(o, "</span>");
        }
        buf_puts(o, "</td><td>");
        if (jint(c, "added_by_request") > 0) {
            buf_puts(o, "added by ");
            cr_link(o, jint(c, "added_by_request"));
            buf_puts(o, " on ");
        }
        date_of(o, jstr(c, "added_at"));
        buf_puts(o, "</td></tr>");
    }
    buf_puts(o, "</tbody></table></div></section>");

    buf_puts(o, "<section class=\"card\"><h2>History</h2>");
    if (cJSON_GetArraySize(hist) == 0)
        buf_puts(o, "<p class=\"muted\">No changes recorded.</p>");
    else
        buf_puts(o, "<ol class=\"timeline\">");
    cJSON_ArrayForEach(c, hist)
    {
        const cJSON *ov = cJSON_GetObjectItemCaseSensitive(c, "old");
        const cJSON *nv = cJSON_GetObjectItemCaseSensitive(c, "new");
        history_item(o, jstr(c, "at"), jstr(c, "column"), jstr(c, "field"),
                     cJSON_IsString(ov) ? ov->valuestring : NULL,
                     cJSON_IsString(nv) ? nv->valuestring : NULL,
                     jint(c, "request"), jstr(c, "user"), jstr(c, "reason"),
                     NULL, NULL);
    }
    if (cJSON_GetArraySize(hist))
        buf_puts(o, "</ol>");
    buf_puts(o, "</section>");
}

/* 1 when the client accepts a gzip body (Accept-Encoding lists gzip or *
 * without q=0). */
static int accepts_gzip(web_req *req)
{
    const char *ae = web_header(req, "Accept-Encoding");
    const char *p;

    if (!ae)
        return 0;
    for (p = ae; *p;) {
        size_t n;
        const char *q;
        while (*p == ' ' || *p == ',')
            p++;
        n = strcspn(p, ",;");
        if ((n == 4 && !str_ncasecmp(p, "gzip", 4)) || (n == 1 && *p == '*')) {
            q = p + n;
            while (*q == ' ')
                q++;
            if (*q != ';')
                return 1;
            q++;
            while (*q == ' ')
                q++;
            /* q=0, q=0.0, q=0.00...: refused; anything else accepted. */
            if (str_ncasecmp(q, "q=0", 3) != 0)
                return 1;
            q += 3;
            if (*q == '.')
                q++;
            while (*q == '0')
                q++;
            if (*q != '\0' && *q != ',' && *q != ' ')
                return 1;
        }
        p += n;
        while (*p && *p != ',')
            p++;
    }
    return 0;
}

static void open_request_row(void *ctx, const registry_open_request *r)
{
    buf *o = ctx;

    buf_puts(o, "<li>");
    cr_link(o, r->id);
    buf_puts(o, " ");
    buf_append_html(o, r->title);
    buf_puts(o, " <span class=\"badge status-");
    buf_append_html(o, r->status);
    buf_puts(o, "\">");
    buf_append_html(o, r->status);
    buf_puts(o, "</span> <span class=\"muted\">");
    buf_append_html(o, r->kind);
    buf_puts(o, " · not yet live</span></li>");
}

/* The content of the rules card page of instance/table as this request's
 * role and organisation see it (the card, then the requests that will
 * change the table), with CSRF holes, into body. *org gets the owning
 * organisation; a table of another organisation answers ERR_NOTFOUND
 * before anything of it is read. Returns 0, or ERR_* (err set). */
static int card_body(web_req *req, buf *body, int64_t *org,
                     const char *instance, const char *table, errmsg *err)
{
    buf open = {0};
    cJSON *t;
    int rc;

    t = registry_table_json(req->reg, instance, table, err);
    if (!t)
        return err->code;
    rc = registry_instance_org(req->reg, org, jstr(t, "instance"), err);
    if (rc == 0 && org_filter(req) && *org != org_filter(req))
        rc = err_set(err, ERR_NOTFOUND, "no such table");
    if (rc < 0) {
        cJSON_Delete(t);
        return rc;
    }
    render_card(body, t, card_vis(req));
    rc = registry_table_open_requests(req->reg, jstr(t, "instance"),
                                      jstr(t, "table"), org_filter(req),
                                      open_request_row, &open, err);
    cJSON_Delete(t);
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
 * rendered and cached. 0, or -1. */
static int tables_frame(web_req *req, buf *frame, int64_t gen)
{
    buf saved = req->out;
    int rc;

    if (web_cache_get_stored(frame, NULL, CACHE_PAGE_FRAME, "", "tables",
                             req->role, gen))
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
        web_cache_put_stored(CACHE_PAGE_FRAME, "", "tables", req->role, gen, 0,
                             frame->data, frame->len);
    return rc;
}

/* GET /tables/{instance}/{table}: the page content is kept compiled
 * (tmpl.h) per registry generation, role and organisation, the frame per
 * role; a hit sends them as one gzip member with this user's name, CSRF
 * token and the title filled in, compressing nothing. */
static void page_table_show(web_req *req)
{
    const char *inst = req->args[0], *tbl = req->args[1];
    const char *flash = web_cookie(req, "docket_flash");
    int64_t gen = registry_generation(req->reg), org = 0;
    int vis = card_vis(req) | (int)(org_filter(req) << 2);
    buf body = {0}, text = {0}, frame = {0}, title = {0}, user = {0},
        csrf = {0};
    const char *vals[TMPL_NHOLES] = {0};
    errmsg err = {0};
    int rc = 0, gzip;

    if (!web_cache_get_stored(&body, &org, CACHE_TABLE_PAGE, inst, tbl, vis,
                              gen)) {
        rc = card_body(req, &text, &org, inst, tbl, &err);
        if (rc == 0 && tmpl_compile(&body, text.data, text.len) == 0)
            web_cache_put_stored(CACHE_TABLE_PAGE, inst, tbl, vis, gen, org,
                                 body.data, body.len);
    }
    if (rc == ERR_NOTFOUND || (org_filter(req) && org != org_filter(req))) {
        not_found(req, inst, tbl);
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
    vals[TMPL_TITLE] = buf_cstr(&title);
    vals[TMPL_USER] = buf_cstr(&user);
    vals[TMPL_CSRF] = buf_cstr(&csrf);
    /* A flash message belongs to one response: such a page is built in
       full, frame included (page_begin shows and clears the message). */
    if (flash && *flash) {
        page_begin(req, tbl);
        tmpl_plain(&req->out, &body, NULL, vals);
        page_end(req);
        goto done;
    }
    web_header_add(req, "Vary", "Accept-Encoding");
    gzip = accepts_gzip(req);
    if (tables_frame(req, &frame, gen) < 0 ||
        (gzip ? tmpl_gzip(&req->out, &frame, &body, vals)
              : tmpl_plain(&req->out, &frame, &body, vals)) < 0) {
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
}

/* GET /api/v1/instances/{instance}/tables/{table}: from the cache (as
 * stored, gzip, when the client accepts it) or rendered and cached. */
static void api_table(web_req *req)
{
    const char *inst = req->args[0], *tbl = req->args[1];
    int64_t gen = registry_generation(req->reg), org = 0;
    int gzip = accepts_gzip(req);
    errmsg err = {0};
    cJSON *t;
    char *s;

    web_header_add(req, "Vary", "Accept-Encoding");
    buf_reset(&req->out);
    if (gzip && web_cache_get_stored(&req->out, &org, CACHE_TABLE_JSON, inst,
                                     tbl, 0, gen)) {
        if (org_filter(req) && org != org_filter(req)) {
            not_found(req, inst, tbl);
            return;
        }
        web_header_add(req, "Content-Encoding", "gzip");
        web_reply_type(req, 200, "application/json");
        return;
    }
    if (!web_cache_get(&req->out, &org, CACHE_TABLE_JSON, inst, tbl, 0, gen)) {
        t = registry_table_json(req->reg, inst, tbl, &err);
        if (!t) {
            if (err.code == ERR_NOTFOUND)
                not_found(req, inst, tbl);
            else
                web_reply_err(req, &err);
            return;
        }
        if (registry_instance_org(req->reg, &org, jstr(t, "instance"), &err) <
            0) {
            cJSON_Delete(t);
            web_reply_err(req, &err);
            return;
        }
        s = cJSON_PrintUnformatted(t);
        cJSON_Delete(t);
        buf_puts(&req->out, s);
        buf_putc(&req->out, '\n');
        cJSON_free(s);
        if (!buf_error(&req->out))
            web_cache_put(CACHE_TABLE_JSON, inst, tbl, 0, gen, org,
                          buf_cstr(&req->out), req->out.len);
    }
    if (org_filter(req) && org != org_filter(req)) {
        not_found(req, inst, tbl);
        return;
    }
    web_reply_type(req, 200, "application/json");
}

/* ---- edits -------------------------------------------------------------- */

/* POST /tables/{instance}/{table}/edit: pm/admin any field, ops the
 * runbook note only; a reason is required; one transaction. */
static void page_table_edit(web_req *req)
{
    static const char *const fields[] = {"campaign_dependency",
                                         "campaign_note",
                                         "expected_arrival",
                                         "late_after_minutes",
                                         "source",
                                         "cadence",
                                         "file_pattern",
                                         "owner",
                                         "escalation",
                                         "consent_relevant",
                                         "status",
                                         "description",
                                         "runbook"};
    const char *inst = req->args[0], *tbl = req->args[1];
    const char *reason = web_field_get(req, "reason");
    errmsg err = {0};
    buf loc = {0};
    int changed = 0, rc = 0;

    if (instance_or_404(req, inst, tbl, NULL) < 0)
        return;
    if ((rc = registry_table_exists(req->reg, inst, tbl, &err)) <= 0) {
        if (rc == 0)
            not_found(req, inst, tbl);
        else
            web_reply_err(req, &err);
        return;
    }
    if (registry_begin(req->reg, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        const char *v = web_field_get(req, fields[i]);
        if (!v)
            continue;
        if (req->role == ROLE_OPS && strcmp(fields[i], "runbook")) {
            registry_rollback(req->reg);
            web_reply_error(req, 403, "Ops may edit the runbook note only.");
            return;
        }
        rc = registry_table_update_field(req->reg, inst, tbl, NULL, fields[i],
                                         v, req->user.id, reason, &err);
        if (rc < 0)
            break;
        changed += rc;
    }
    if (rc >= 0)
        rc = registry_commit(req->reg, &err);
    if (rc < 0) {
        registry_rollback(req->reg);
        web_reply_err(req, &err);
        return;
    }
    registry_audit(req->reg, req->user.id, req->user.email, "registry.edit",
                   tbl, inst, req->address);
    page_flash_set(req, changed ? "Saved: the change is in the history."
                                : "Nothing changed.");
    table_href(&loc, inst, tbl);
    web_redirect(req, buf_cstr(&loc));
    buf_dispose(&loc);
}

/* ---- column history ----------------------------------------------------- */

typedef struct hist_ctx {
    buf *o;
    int n;
    int with_table;
    int64_t last_id;
} hist_ctx;

static void history_row(void *ctx, const registry_history_row *h)
{
    hist_ctx *c = ctx;
    char at[32];

    time_iso(at, sizeof at, h->created_at);
    history_item(c->o, at, h->column, h->field, h->old_value, h->new_value,
                 h->request_id, h->user, h->reason,
                 c->with_table ? h->instance : NULL,
                 c->with_table ? h->table : NULL);
    c->n++;
    c->last_id = h->id;
}

/* GET /tables/{instance}/{table}/columns/{column} */
static void page_column_show(web_req *req)
{
    const char *inst = req->args[0], *tbl = req->args[1];
    const char *col = req->args[2];
    errmsg err = {0};
    registry_history_filter f = {0};
    hist_ctx hc = {0};
    cJSON *t, *c, *found = NULL;
    buf *o = &req->out;

    if (instance_or_404(req, inst, tbl, NULL) < 0)
        return;
    t = registry_table_json(req->reg, inst, tbl, &err);
    if (!t) {
        if (err.code == ERR_NOTFOUND)
            not_found(req, inst, tbl);
        else
            web_reply_err(req, &err);
        return;
    }
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(t, "columns"))
    {
        if (!str_casecmp(jstr(c, "name"), col))
            found = c;
    }
    if (!found) {
        cJSON_Delete(t);
        web_reply_error(req, 404, "There is no such column on this table.");
        return;
    }
    page_begin(req, col);
    buf_puts(o, "<nav class=\"crumbs\" aria-label=\"Breadcrumb\"><a "
                "href=\"/tables\">Tables</a> › <a href=\"");
    table_href(o, jstr(t, "instance"), jstr(t, "table"));
    buf_puts(o, "\">");
    buf_append_html(o, jstr(t, "instance"));
    buf_puts(o, " · ");
    buf_append_html(o, jstr(t, "table"));
    buf_puts(o, "</a></nav><h1><code>");
    buf_append_html(o, jstr(found, "name"));
    buf_puts(o, "</code> <span class=\"badge status-");
    buf_append_html(o, jstr(found, "status"));
    buf_puts(o, "\">");
    buf_append_html(o, jstr(found, "status"));
    buf_puts(o, "</span></h1><section class=\"card\"><dl class=\"facts\">"
                "<dt>Type</dt><dd><code>");
    buf_append_html(o, jstr(found, "type"));
    buf_puts(o, "</code>");
    buf_puts(o, jbool(found, "nullable") ? " (may be empty)" : " (not null)");
    buf_puts(o, "</dd><dt>Description</dt><dd>");
    buf_append_html(o, jstr(found, "description"));
    buf_puts(o, "</dd><dt>Example</dt><dd>");
    buf_append_html(o, jstr(found, "example"));
    buf_puts(o, "</dd><dt>Rule</dt><dd>");
    buf_append_html(o, jstr(found, "rule"));
    buf_puts(o, "</dd><dt>Flags</dt><dd>");
    if (jbool(found, "primary_key"))
        buf_puts(o, "<span class=\"badge\">PK</span> ");
    if (jbool(found, "pii"))
        buf_puts(o, "<span class=\"badge pii\">PII</span> ");
    if (jbool(found, "consent")) {
        buf_puts(o, "<span class=\"badge consent\">consent ");
        buf_append_html(o, jstr(found, "consent_channel"));
        buf_puts(o, "</span>");
    }
    buf_puts(o, "</dd><dt>Added</dt><dd>");
    date_of(o, jstr(found, "added_at"));
    if (jint(found, "added_by_request") > 0) {
        buf_puts(o, " by ");
        cr_link(o, jint(found, "added_by_request"));
    }
    buf_puts(o, "</dd></dl></section><section class=\"card\"><h2>History"
                "</h2><ol class=\"timeline\">");
    f.instance = jstr(t, "instance");
    f.table = jstr(t, "table");
    f.column = jstr(found, "name");
    f.limit = 500;
    hc.o = o;
    if (registry_history_list(req->reg, &f, history_row, &hc, &err) < 0) {
        cJSON_Delete(t);
        web_reply_err(req, &err);
        return;
    }
    buf_puts(o, "</ol>");
    if (!hc.n)
        buf_puts(o, "<p class=\"muted\">No changes recorded.</p>");
    buf_puts(o, "</section>");
    cJSON_Delete(t);
    page_end(req);
}

/* ---- the registry index ------------------------------------------------- */

typedef struct list_ctx {
    web_req *req;
    int n;
} list_ctx;

static void table_row_html(void *ctx, const registry_table_row *t)
{
    list_ctx *c = ctx;
    buf *o = &c->req->out;

    buf_puts(o, "<tr><th scope=\"row\"><a href=\"");
    table_href(o, t->instance, t->name);
    buf_puts(o, "\">");
    buf_append_html(o, t->name);
    buf_puts(o, "</a>");
    if (strcmp(t->status, "active")) {
        buf_puts(o, " <span class=\"badge status-");
        buf_append_html(o, t->status);
        buf_puts(o, "\">");
        buf_append_html(o, t->status);
        buf_puts(o, "</span>");
    }
    buf_puts(o, "<br><span class=\"muted\">");
    buf_append_html(o, t->description);
    buf_puts(o, "</span></td><td>");
    dependency_badge(o, t->campaign_dependency);
    buf_puts(o, "</td><td>");
    if (*t->expected_arrival) {
        char miss[8] = "";
        buf_append_html(o, t->expected_arrival);
        if (t->late_after_minutes > 0 && form_time_valid(t->expected_arrival)) {
            int m = ((t->expected_arrival[0] - '0') * 10 +
                     (t->expected_arrival[1] - '0')) *
                        60 +
                    (t->expected_arrival[3] - '0') * 10 +
                    (t->expected_arrival[4] - '0') + t->late_after_minutes;
            m %= 24 * 60;
            snprintf(miss, sizeof miss, "%02d:%02d", m / 60, m % 60);
            buf_puts(o, " <span class=\"muted\">(missing after ");
            buf_puts(o, miss);
            buf_puts(o, ")</span>");
        }
    }
    buf_puts(o, "</td><td>");
    buf_append_html(o, t->source);
    buf_puts(o, "</td><td>");
    if (t->consent_relevant)
        buf_puts(o, "<span class=\"badge consent\">consent</span> ");
    if (t->has_pii)
        buf_puts(o, "<span class=\"badge pii\">PII</span>");
    buf_appendf(o, "</td><td>%d</td><td>", t->ncolumns);
    buf_append_html(o, t->owner);
    buf_puts(o, "</td></tr>");
    c->n++;
}

typedef struct inst_list {
    registry_instance *v;
    size_t n, cap;
} inst_list;

static void inst_collect(void *ctx, const registry_instance *i)
{
    inst_list *l = ctx;

    xgrow(&l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = *i;
}

static void option(buf *o, const char *value, const char *label,
                   const char *current)
{
    buf_puts(o, "<option value=\"");
    buf_append_html(o, value);
    buf_puts(o, "\"");
    if (current && !strcmp(value, current))
        buf_puts(o, " selected");
    buf_puts(o, ">");
    buf_append_html(o, label);
    buf_puts(o, "</option>");
}

/* A link to the index with the current filters and another sort. */
static void sort_link(buf *o, const registry_table_filter *f, const char *sort,
                      const char *label)
{
    int cur = !strcmp(f->sort ? f->sort : "name", sort);

    buf_puts(o, "<a href=\"/tables?sort=");
    buf_puts(o, sort);
    if (cur && !f->desc)
        buf_puts(o, "&amp;desc=1");
    if (f->instance && *f->instance) {
        buf_puts(o, "&amp;instance=");
        buf_append_url(o, f->instance);
    }
    if (f->dependency && *f->dependency) {
        buf_puts(o, "&amp;dependency=");
        buf_append_url(o, f->dependency);
    }
    if (f->consent)
        buf_puts(o, "&amp;consent=1");
    if (f->pii)
        buf_puts(o, "&amp;pii=1");
    if (f->source && *f->source) {
        buf_puts(o, "&amp;source=");
        buf_append_url(o, f->source);
    }
    if (f->status && *f->status) {
        buf_puts(o, "&amp;status=");
        buf_append_url(o, f->status);
    }
    buf_puts(o, "\"");
    if (cur)
        buf_puts(o, f->desc ? " aria-sort=\"descending\""
                            : " aria-sort=\"ascending\"");
    buf_puts(o, ">");
    buf_puts(o, label);
    buf_puts(o, "</a>");
}

static const char *query_or_empty(web_req *req, const char *name)
{
    const char *v = web_query(req, name);

    return v ? v : "";
}

/* GET /tables: every visible instance with its tables; filters, sorting,
 * counts. */
static void page_tables_index(web_req *req)
{
    static const char *const sorts[] = {"name",       "instance", "arrival",
                                        "dependency", "columns",  "updated"};
    registry_table_filter f = {0};
    inst_list il = {0};
    const char *inst = query_or_empty(req, "instance");
    const char *sort = query_or_empty(req, "sort");
    int page = 1, per = 200;
    buf *o = &req->out;
    int64_t grand = 0;
    errmsg err = {0};

    f.dependency = query_or_empty(req, "dependency");
    if (*f.dependency && strcmp(f.dependency, "required") &&
        strcmp(f.dependency, "optional") && strcmp(f.dependency, "none"))
        f.dependency = "";
    f.consent = *query_or_empty(req, "consent") != '\0';
    f.pii = *query_or_empty(req, "pii") != '\0';
    f.source = query_or_empty(req, "source");
    f.status = query_or_empty(req, "status");
    if (*f.status && strcmp(f.status, "active") &&
        strcmp(f.status, "deprecated"))
        f.status = "";
    f.sort = "name";
    for (size_t i = 0; i < sizeof sorts / sizeof *sorts; i++)
        if (!strcmp(sort, sorts[i]))
            f.sort = sorts[i];
    f.desc = !strcmp(query_or_empty(req, "desc"), "1");
    f.org_id = org_filter(req);
    if (web_query(req, "page"))
        str_to_int(&page, web_query(req, "page"), 1, 100000);
    if (*inst && instance_or_404(req, inst, NULL, NULL) < 0)
        return;
    if (registry_instance_list(req->reg, org_filter(req), inst_collect, &il,
                               &err) < 0) {
        free(il.v);
        web_reply_err(req, &err);
        return;
    }

    page_begin(req, "Tables");
    buf_puts(o, "<h1>Tables</h1><form class=\"card filters inline\" "
                "method=\"get\" action=\"/tables\" role=\"search\">"
                "<label>Instance <select name=\"instance\">");
    option(o, "", "all", inst);
    for (size_t i = 0; i < il.n; i++)
        option(o, il.v[i].name, il.v[i].name, inst);
    buf_puts(o, "</select></label><label>Campaign dependency <select "
                "name=\"dependency\">");
    option(o, "", "any", f.dependency);
    option(o, "required", "REQUIRED", f.dependency);
    option(o, "optional", "OPTIONAL", f.dependency);
    option(o, "none", "not stated", f.dependency);
    buf_puts(o, "</select></label><label>Status <select name=\"status\">");
    option(o, "", "any", f.status);
    option(o, "active", "active", f.status);
    option(o, "deprecated", "deprecated", f.status);
    buf_puts(o, "</select></label><label>Source <input name=\"source\" "
                "size=\"14\" value=\"");
    buf_append_html(o, f.source);
    buf_puts(o, "\"></label><label><input type=\"checkbox\" name=\"consent\" "
                "value=\"1\"");
    if (f.consent)
        buf_puts(o, " checked");
    buf_puts(o, "> consent-relevant</label><label><input type=\"checkbox\" "
                "name=\"pii\" value=\"1\"");
    if (f.pii)
        buf_puts(o, " checked");
    buf_puts(o, "> has PII</label><input type=\"hidden\" name=\"sort\" "
                "value=\"");
    buf_puts(o, f.sort);
    buf_puts(o, "\"><button type=\"submit\">Filter</button></form>");

    for (size_t i = 0; i < il.n; i++) {
        list_ctx lc = {req, 0};
        int64_t total = 0;
        if (*inst && str_casecmp(inst, il.v[i].name))
            continue;
        f.instance = il.v[i].name;
        f.limit = *inst ? per : 50;
        f.offset = *inst ? (page - 1) * per : 0;
        buf_puts(o, "<section class=\"card\"><h2><a href=\"/tables?instance=");
        buf_append_url(o, il.v[i].name);
        buf_puts(o, "\">");
        buf_append_html(o, il.v[i].name);
        buf_puts(o, "</a> <span class=\"muted\">");
        buf_append_html(o, il.v[i].environment);
        buf_puts(o, " · ");
        buf_append_html(o, il.v[i].org_name);
        buf_puts(o, "</span></h2>");
        {
            size_t mark = o->len;
            buf_puts(o, "<div class=\"table-wrap\"><table class=\"table\">"
                        "<thead><tr><th scope=\"col\">");
            sort_link(o, &f, "name", "Table");
            buf_puts(o, "</th><th scope=\"col\">");
            sort_link(o, &f, "dependency", "Campaigns");
            buf_puts(o, "</th><th scope=\"col\">");
            sort_link(o, &f, "arrival", "Expected (UTC)");
            buf_puts(o, "</th><th scope=\"col\">Source</th><th scope=\"col\">"
                        "Consent / PII</th><th scope=\"col\">");
            sort_link(o, &f, "columns", "Columns");
            buf_puts(o, "</th><th scope=\"col\">Owner</th></tr></thead>"
                        "<tbody>");
            if (registry_table_list(req->reg, &f, table_row_html, &lc, &total,
                                    &err) < 0) {
                free(il.v);
                web_reply_err(req, &err);
                return;
            }
            buf_puts(o, "</tbody></table></div>");
            if (lc.n == 0) {
                buf_truncate(o, mark);
                buf_puts(o, "<p class=\"muted\">No table matches.</p>");
            }
        }
        grand += total;
        buf_appendf(o, "<p class=\"muted\">%lld table%s", (long long)total,
                    total == 1 ? "" : "s");
        if (!*inst && total > lc.n) {
            buf_appendf(o, ", %d shown: <a href=\"/tables?instance=", lc.n);
            buf_append_url(o, il.v[i].name);
            buf_puts(o, "\">show all</a>");
        }
        if (*inst && total > (int64_t)page * per) {
            buf_appendf(o, " · <a href=\"/tables?instance=");
            buf_append_url(o, il.v[i].name);
            buf_appendf(o, "&amp;sort=%s%s&amp;page=%d\">next page</a>", f.sort,
                        f.desc ? "&amp;desc=1" : "", page + 1);
        }
        buf_puts(o, "</p></section>");
    }
    if (il.n == 0)
        buf_puts(o, "<p class=\"muted\">No instance yet.</p>");
    buf_appendf(o, "<p class=\"muted\">%lld table%s in total.</p>",
                (long long)grand, grand == 1 ? "" : "s");
    free(il.v);
    page_end(req);
}

/* GET /api/v1/instances/{instance}/tables?limit=&offset= */
typedef struct api_list_ctx {
    cJSON *arr;
} api_list_ctx;

static void table_row_json(void *ctx, const registry_table_row *t)
{
    api_list_ctx *c = ctx;
    cJSON *o = cJSON_CreateObject();
    buf url = {0};
    char s[32];

    cJSON_AddItemToArray(c->arr, o);
    cJSON_AddStringToObject(o, "table", t->name);
    cJSON_AddStringToObject(o, "description", t->description);
    cJSON_AddStringToObject(o, "kind", t->kind);
    cJSON_AddStringToObject(o, "status", t->status);
    cJSON_AddStringToObject(o, "campaign_dependency", t->campaign_dependency);
    cJSON_AddStringToObject(o, "expected_arrival", t->expected_arrival);
    cJSON_AddNumberToObject(o, "late_after_minutes", t->late_after_minutes);
    cJSON_AddStringToObject(o, "source", t->source);
    cJSON_AddStringToObject(o, "cadence", t->cadence);
    cJSON_AddStringToObject(o, "file_pattern", t->file_pattern);
    cJSON_AddStringToObject(o, "owner", t->owner);
    cJSON_AddStringToObject(o, "escalation", t->escalation);
    cJSON_AddBoolToObject(o, "consent_relevant", t->consent_relevant);
    cJSON_AddBoolToObject(o, "pii", t->has_pii);
    cJSON_AddNumberToObject(o, "columns", t->ncolumns);
    time_iso(s, sizeof s, t->updated_at);
    cJSON_AddStringToObject(o, "updated_at", s);
    table_href(&url, t->instance, t->name);
    cJSON_AddStringToObject(o, "url", buf_cstr(&url));
    buf_dispose(&url);
}

static void api_tables(web_req *req)
{
    const char *inst = req->args[0];
    registry_table_filter f = {0};
    api_list_ctx c;
    cJSON *root;
    errmsg err = {0};
    int64_t total = 0;
    int limit = 500, offset = 0;

    if (instance_or_404(req, inst, NULL, NULL) < 0)
        return;
    if (web_query(req, "limit") &&
        str_to_int(&limit, web_query(req, "limit"), 1, 5000) < 0) {
        web_reply_error(req, 422, "limit must be a number from 1 to 5000");
        return;
    }
    if (web_query(req, "offset") &&
        str_to_int(&offset, web_query(req, "offset"), 0, 100000000) < 0) {
        web_reply_error(req, 422, "offset must be a whole number");
        return;
    }
    f.instance = inst;
    f.org_id = org_filter(req);
    f.dependency = web_query(req, "dependency");
    f.consent = web_query(req, "consent") != NULL;
    f.pii = web_query(req, "pii") != NULL;
    f.limit = limit;
    f.offset = offset;
    root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "instance", inst);
    c.arr = cJSON_CreateArray();
    if (registry_table_list(req->reg, &f, table_row_json, &c, &total, &err) <
        0) {
        cJSON_Delete(c.arr);
        cJSON_Delete(root);
        web_reply_err(req, &err);
        return;
    }
    cJSON_AddNumberToObject(root, "total", (double)total);
    cJSON_AddNumberToObject(root, "limit", limit);
    cJSON_AddNumberToObject(root, "offset", offset);
    cJSON_AddItemToObject(root, "tables", c.arr);
    web_reply_json(req, 200, root);
}

/* ---- search ------------------------------------------------------------- */

typedef struct search_ctx {
    buf groups[3]; /* tables, columns, requests */
    int counts[3];
    buf *json; /* API: the reply */
    int njson; /* API: hits written */
} search_ctx;

static void hit_href(buf *o, const registry_search_hit *h)
{
    if (!strcmp(h->kind, "table")) {
        table_href(o, h->instance, h->name);
    } else if (!strcmp(h->kind, "column")) {
        table_href(o, h->instance, h->table);
        buf_puts(o, "/columns/");
        buf_append_url(o, h->name);
    } else {
        buf_appendf(o, "/requests/%lld", (long long)h->ref);
    }
}

static void search_hit_html(void *ctx, const registry_search_hit *h)
{
    search_ctx *c = ctx;
    int g = !strcmp(h->kind, "table") ? 0 : !strcmp(h->kind, "column") ? 1 : 2;
    buf *o = &c->groups[g];

    buf_puts(o, "<li><a href=\"");
    hit_href(o, h);
    buf_puts(o, "\">");
    if (g == 1) {
        buf_append_html(o, h->table);
        buf_putc(o, '.');
    }
    append_marked(o, h->name_hl);
    buf_puts(o, "</a> <span class=\"muted\">");
    buf_append_html(o, h->instance);
    buf_puts(o, "</span>");
    if (h->exact)
        buf_puts(o, " <span class=\"badge\">exact</span>");
    if (*h->snippet) {
        buf_puts(o, "<br><span class=\"snippet\">");
        append_marked(o, h->snippet);
        buf_puts(o, "</span>");
    }
    buf_puts(o, "</li>");
    c->counts[g]++;
}

/* GET /search?q= */
static void page_search(web_req *req)
{
    static const char *const titles[] = {"Tables", "Columns", "Requests"};
    const char *q = query_or_empty(req, "q");
    search_ctx c;
    errmsg err = {0};
    buf *o = &req->out;
    int total = 0;

    memset(&c, 0, sizeof c);
    if (*q && registry_search(req->reg, q, org_filter(req), 100,
                              search_hit_html, &c, &err) < 0) {
        for (int g = 0; g < 3; g++)
            buf_dispose(&c.groups[g]);
        web_reply_err(req, &err);
        return;
    }
    page_begin(req, "Search");
    buf_puts(o, "<h1>Search</h1><form class=\"card\" role=\"search\" "
                "action=\"/search\"><label for=\"q-search\">Tables, columns "
                "and requests</label><input id=\"q-search\" name=\"q\" "
                "type=\"search\" value=\"");
    buf_append_html(o, q);
    buf_puts(o, "\"> <button type=\"submit\">Search</button></form>");
    for (int g = 0; g < 3; g++) {
        total += c.counts[g];
        if (!c.counts[g])
            continue;
        buf_appendf(o,
                    "<section class=\"card\"><h2>%s <span "
                    "class=\"muted\">(%d)</span></h2><ul class=\"stack "
                    "results\">",
                    titles[g], c.counts[g]);
        buf_append(o, buf_cstr(&c.groups[g]), c.groups[g].len);
        buf_puts(o, "</ul></section>");
    }
    if (*q && !total)
        buf_puts(o, "<p class=\"muted\">Nothing found. Try the start of a "
                    "name, or fewer words.</p>");
    for (int g = 0; g < 3; g++)
        buf_dispose(&c.groups[g]);
    page_end(req);
}

/* The API's answer is written straight into the reply: 50 hits of 8
 * fields as cJSON nodes cost more than the search itself. */
static void search_hit_json(void *ctx, const registry_search_hit *h)
{
    search_ctx *c = ctx;
    buf *o = c->json, b = {0};
    char *plain;

    buf_puts(o, c->njson++ ? ",{\"kind\":" : "{\"kind\":");
    buf_append_json_str(o, h->kind);
    buf_puts(o, ",\"instance\":");
    buf_append_json_str(o, h->instance);
    buf_puts(o, ",\"name\":");
    buf_append_json_str(o, h->name);
    if (!strcmp(h->kind, "column")) {
        buf_puts(o, ",\"table\":");
        buf_append_json_str(o, h->table);
    }
    if (!strcmp(h->kind, "request"))
        buf_appendf(o, ",\"request\":%lld", (long long)h->ref);
    buf_puts(o, h->exact ? ",\"exact\":true" : ",\"exact\":false");
    plain = unmarked(h->snippet);
    buf_puts(o, ",\"snippet\":");
    buf_append_json_str(o, plain);
    free(plain);
    append_marked(&b, h->snippet);
    buf_puts(o, ",\"snippet_html\":");
    buf_append_json_str(o, buf_cstr(&b));
    buf_reset(&b);
    hit_href(&b, h);
    buf_puts(o, ",\"url\":");
    buf_append_json_str(o, buf_cstr(&b));
    buf_putc(o, '}');
    buf_dispose(&b);
}

/* 0 when every named query parameter is valid UTF-8; otherwise replies
 * 400 naming the first bad one and returns -1. The JSON answers echo
 * these values (search) or key a cache with them (lookup). */
static int utf8_query_or_400(web_req *req, const char *const *names)
{
    for (; *names; names++) {
        const char *v = web_query(req, *names);
        if (v && !str_utf8_valid(v, strlen(v))) {
            buf m = {0};
            buf_puts(&m, "the query parameter ");
            buf_puts(&m, *names);
            buf_puts(&m, " is not valid UTF-8");
            web_reply_error(req, 400, buf_cstr(&m));
            buf_dispose(&m);
            return -1;
        }
    }
    return 0;
}

/* GET /api/v1/search?q= */
static void api_search(web_req *req)
{
    static const char *const params[] = {"q", NULL};
    const char *q = query_or_empty(req, "q");
    search_ctx c;
    errmsg err = {0};

    if (utf8_query_or_400(req, params) < 0)
        return;
    memset(&c, 0, sizeof c);
    c.json = &req->out;
    buf_reset(&req->out);
    buf_puts(&req->out, "{\"query\":");
    buf_append_json_str(&req->out, q);
    buf_puts(&req->out, ",\"results\":[");
    if (*q && registry_search(req->reg, q, org_filter(req), 50, search_hit_json,
                              &c, &err) < 0) {
        buf_reset(&req->out);
        web_reply_err(req, &err);
        return;
    }
    buf_puts(&req->out, "]}\n");
    if (buf_error(&req->out)) {
        buf_reset(&req->out);
        err_set(&err, ERR_INTERNAL, "the answer is too large");
        web_reply_err(req, &err);
        return;
    }
    web_reply_type(req, 200, "application/json");
}

/* ---- lookup ------------------------------------------------------------- */

typedef struct lookup_ctx {
    cJSON *arr;
    buf *o;
    int n;
    int similar; /* hits are spelling suggestions */
    char first_inst[101], first_table[FORM_MAX_IDENT * 4 + 1];
} lookup_ctx;

static void lookup_hit_json(void *ctx, const registry_lookup_hit *h)
{
    lookup_ctx *c = ctx;
    cJSON *o = cJSON_CreateObject();
    buf url = {0};

    cJSON_AddItemToArray(c->arr, o);
    cJSON_AddStringToObject(o, "instance", h->instance);
    cJSON_AddStringToObject(o, "environment", h->environment);
    cJSON_AddStringToObject(o, "table", h->table);
    cJSON_AddStringToObject(o, "campaign_dependency", h->campaign_dependency);
    cJSON_AddStringToObject(o, "status", h->status);
    cJSON_AddBoolToObject(o, "exact", h->exact);
    if (c->similar)
        cJSON_AddTrueToObject(o, "similar");
    table_href(&url, h->instance, h->table);
    cJSON_AddStringToObject(o, "url", buf_cstr(&url));
    buf_dispose(&url);
    c->n++;
}

/* GET /api/v1/lookup?q=&instance=&limit=&similar=1: table-name
 * suggestions, prefix first, then substring when no name starts with q,
 * then (with similar=1) names within 3 edits, marked "similar": true. */
static void api_lookup(web_req *req)
{
    static const char *const params[] = {"q", "instance", NULL};
    const char *q = query_or_empty(req, "q");
    const char *inst = query_or_empty(req, "instance");
    lookup_ctx c;
    errmsg err = {0};
    int limit = 10;

    int64_t gen = registry_generation(req->reg), org = 0;
    buf key = {0};
    char *s;

    if (utf8_query_or_400(req, params) < 0)
        return;
    memset(&c, 0, sizeof c);
    if (web_query(req, "limit"))
        str_to_int(&limit, web_query(req, "limit"), 1, 50);
    /* The answer depends only on the registry tables (and the caller's
       organisation), so it is cached per registry generation like the
       cards; the key holds every input. */
    buf_appendf(&key, "%lld\x1f%d\x1f%d\x1f", (long long)org_filter(req), limit,
                web_query(req, "similar") != NULL);
    buf_puts(&key, inst);
    buf_putc(&key, '\x1f');
    buf_puts(&key, q);
    web_header_add(req, "Vary", "Accept-Encoding");
    buf_reset(&req->out);
    if (!buf_error(&key) && accepts_gzip(req) &&
        web_cache_get_stored(&req->out, &org, CACHE_LOOKUP, "", buf_cstr(&key),
                             0, gen)) {
        web_header_add(req, "Content-Encoding", "gzip");
        web_reply_type(req, 200, "application/json");
        buf_dispose(&key);
        return;
    }
    if (!buf_error(&key) && web_cache_get(&req->out, &org, CACHE_LOOKUP, "",
                                          buf_cstr(&key), 0, gen)) {
        web_reply_type(req, 200, "application/json");
        buf_dispose(&key);
        return;
    }
    c.arr = cJSON_CreateArray();
    if (*q && registry_lookup(req->reg, q, REGISTRY_LOOKUP_PREFIX, inst,
                              org_filter(req), limit, lookup_hit_json, &c,
                              &err) < 0) {
        cJSON_Delete(c.arr);
        web_reply_err(req, &err);
        buf_dispose(&key);
        return;
    }
    if (*q && c.n == 0 &&
        registry_lookup(req->reg, q, REGISTRY_LOOKUP_SUBSTRING, inst,
                        org_filter(req), limit, lookup_hit_json, &c,
                        &err) < 0) {
        cJSON_Delete(c.arr);
        web_reply_err(req, &err);
        buf_dispose(&key);
        return;
    }
    if (*q && c.n == 0 && web_query(req, "similar")) {
        c.similar = 1;
        if (registry_lookup_similar(req->reg, q, inst, org_filter(req), 3,
                                    limit, lookup_hit_json, &c, &err) < 0) {
            cJSON_Delete(c.arr);
            web_reply_err(req, &err);
            buf_dispose(&key);
            return;
        }
    }
    s = cJSON_PrintUnformatted(c.arr);
    cJSON_Delete(c.arr);
    buf_reset(&req->out);
    /* cJSON copies string bytes unchecked: the answer is valid UTF-8
       whatever the registry holds. */
    buf_append_utf8(&req->out, s, strlen(s));
    buf_putc(&req->out, '\n');
    cJSON_free(s);
    if (!buf_error(&key) && !buf_error(&req->out))
        web_cache_put(CACHE_LOOKUP, "", buf_cstr(&key), 0, gen, 0,
                      buf_cstr(&req->out), req->out.len);
    buf_dispose(&key);
    web_reply_type(req, 200, "application/json");
}

static void lookup_hit_html(void *ctx, const registry_lookup_hit *h)
{
    lookup_ctx *c = ctx;
    buf *o = c->o;

    if (c->n == 0) {
        str_copy(c->first_inst, sizeof c->first_inst, h->instance);
        str_copy(c->first_table, sizeof c->first_table, h->table);
    }
    buf_puts(o, "<li><a href=\"");
    table_href(o, h->instance, h->table);
    buf_puts(o, "\"><strong>");
    buf_append_html(o, h->table);
    buf_puts(o, "</strong> <span class=\"muted\">");
    buf_append_html(o, h->instance);
    buf_puts(o, " · ");
    buf_append_html(o, h->environment);
    buf_puts(o, "</span></a> ");
    dependency_badge(o, h->campaign_dependency);
    buf_puts(o, "</li>");
    c->n++;
}

/* GET /lookup[?q=]: one big box; without JavaScript the form lands here
 * and a single match goes straight to its rules card. */
static void page_lookup(web_req *req)
{
    const char *q = query_or_empty(req, "q");
    buf list = {0};
    lookup_ctx c;
    errmsg err = {0};
    buf *o = &req->out;
    int similar = 0;

    memset(&c, 0, sizeof c);
    c.o = &list;
    if (*q) {
        int rc =
            registry_lookup(req->reg, q, REGISTRY_LOOKUP_PREFIX, NULL,
                            org_filter(req), 30, lookup_hit_html, &c, &err);
        if (rc == 0)
            rc =
                registry_lookup(req->reg, q, REGISTRY_LOOKUP_SUBSTRING, NULL,
                                org_filter(req), 30, lookup_hit_html, &c, &err);
        if (rc == 0) {
            rc = registry_lookup_similar(req->reg, q, NULL, org_filter(req), 3,
                                         5, lookup_hit_html, &c, &err);
            similar = rc > 0;
        }
        if (rc < 0) {
            buf_dispose(&list);
            web_reply_err(req, &err);
            return;
        }
        if (c.n == 1 && !similar) {
            buf loc = {0};
            table_href(&loc, c.first_inst, c.first_table);
            web_redirect(req, buf_cstr(&loc));
            buf_dispose(&loc);
            buf_dispose(&list);
            return;
        }
    }
    page_begin(req, "Lookup");
    buf_puts(o, "<h1 class=\"sr-only\">Lookup</h1><form class=\"lookup-box\" "
                "method=\"get\" action=\"/lookup\" role=\"search\" "
                "data-lookup><label for=\"lookup-q\">Which table?</label>"
                "<input id=\"lookup-q\" name=\"q\" type=\"search\" "
                "autofocus autocomplete=\"off\" autocapitalize=\"none\" "
                "spellcheck=\"false\" role=\"combobox\" "
                "aria-autocomplete=\"list\" aria-expanded=\"false\" "
                "aria-controls=\"lookup-suggestions\" "
                "placeholder=\"Start typing a table name\" value=\"");
    buf_append_html(o, q);
    buf_puts(o, "\"><ul id=\"lookup-suggestions\" class=\"suggestions\" "
                "role=\"listbox\" aria-label=\"Matching tables\" hidden>"
                "</ul><p class=\"muted\" id=\"lookup-help\">Type part of a "
                "name, use ↑ ↓ to choose, Enter to open its rules.</p>"
                "<noscript><button type=\"submit\">Look up</button>"
                "</noscript></form>");
    if (*q) {
        if (c.n == 0) {
            buf_puts(o, "<section class=\"card\"><p>No table is called "
                        "anything like <strong>");
            buf_append_html(o, q);
            buf_puts(o, "</strong>. <a href=\"/search?q=");
            buf_append_url(o, q);
            buf_puts(o, "\">Search descriptions and columns</a> instead."
                        "</p></section>");
        } else {
            buf_puts(o, "<section class=\"card\"><h2>");
            buf_puts(o, similar ? "Did you mean" : "Matching tables");
            buf_puts(o, "</h2><ul class=\"stack results\">");
            buf_append(o, buf_cstr(&list), list.len);
            buf_puts(o, "</ul></section>");
        }
    }
    buf_puts(o, "<script type=\"module\" src=\"");
    buf_append_html(o, web_asset_url("lookup.js"));
    buf_puts(o, "\"></script>");
    buf_dispose(&list);
    page_end(req);
}

/* ---- changes ------------------------------------------------------------ */

/* Reads from/to (YYYY-MM-DD, "to" inclusive) into f; -1 after replying. */
static int changes_filter(web_req *req, registry_history_filter *f)
{
    const char *from = query_or_empty(req, "from");
    const char *to = query_or_empty(req, "to");
    const char *inst = query_or_empty(req, "instance");

    memset(f, 0, sizeof *f);
    f->org_id = org_filter(req);
    if (*inst) {
        if (instance_or_404(req, inst, NULL, NULL) < 0)
            return -1;
        f->instance = inst;
    }
    if (*from && time_parse_iso(&f->from, from) < 0) {
        web_reply_error(req, 422, "from must be a date YYYY-MM-DD");
        return -1;
    }
    if (*to) {
        if (time_parse_iso(&f->to, to) < 0) {
            web_reply_error(req, 422, "to must be a date YYYY-MM-DD");
            return -1;
        }
        if (strlen(to) == 10)
            f->to += 24 * 3600; /* the whole day */
    }
    if (web_query(req, "before"))
        str_to_i64(&f->before_id, web_query(req, "before"));
    return 0;
}

/* GET /changes?instance=&from=&to=&before= */
static void page_changes(web_req *req)
{
    registry_history_filter f;
    hist_ctx hc = {0};
    inst_list il = {0};
    buf list = {0}, *o = &req->out;
    errmsg err = {0};

    if (changes_filter(req, &f) < 0)
        return;
    f.limit = 100;
    hc.o = &list;
    hc.with_table = 1;
    if (registry_history_list(req->reg, &f, history_row, &hc, &err) < 0) {
        buf_dispose(&list);
        web_reply_err(req, &err);
        return;
    }
    if (registry_instance_list(req->reg, org_filter(req), inst_collect, &il,
                               &err) < 0) {
        free(il.v);
        buf_dispose(&list);
        web_reply_err(req, &err);
        return;
    }
    page_begin(req, "Changes");
    buf_puts(o, "<h1>Registry changes</h1><form class=\"card filters "
                "inline\" method=\"get\" action=\"/changes\"><label>Instance "
                "<select name=\"instance\">");
    option(o, "", "all", f.instance);
    for (size_t i = 0; i < il.n; i++)
        option(o, il.v[i].name, il.v[i].name, f.instance);
    buf_puts(o, "</select></label><label>From <input type=\"date\" "
                "name=\"from\" value=\"");
    buf_append_html(o, query_or_empty(req, "from"));
    buf_puts(o, "\"></label><label>To <input type=\"date\" name=\"to\" "
                "value=\"");
    buf_append_html(o, query_or_empty(req, "to"));
    buf_puts(o, "\"></label><button type=\"submit\">Show</button> "
                "<a href=\"/changes.atom");
    {
        buf qs = {0};
        if (f.instance) {
            buf_puts(&qs, "instance=");
            buf_append_url(&qs, f.instance);
        }
        if (qs.len) {
            buf_puts(o, "?");
            buf_append_html(o, buf_cstr(&qs));
        }
        buf_dispose(&qs);
    }
    buf_puts(o, "\">Atom feed</a></form><section class=\"card\">");
    if (hc.n) {
        buf_puts(o, "<ol class=\"timeline\">");
        buf_append(o, buf_cstr(&list), list.len);
        buf_puts(o, "</ol>");
    } else {
        buf_puts(o, "<p class=\"muted\">No change in this period.</p>");
    }
    if (hc.n == f.limit) {
        buf_appendf(o, "<p><a href=\"/changes?before=%lld",
                    (long long)hc.last_id);
        if (f.instance) {
            buf_puts(o, "&amp;instance=");
            buf_append_url(o, f.instance);
        }
        if (*query_or_empty(req, "from")) {
            buf_puts(o, "&amp;from=");
            buf_append_url(o, query_or_empty(req, "from"));
        }
        if (*query_or_empty(req, "to")) {
            buf_puts(o, "&amp;to=");
            buf_append_url(o, query_or_empty(req, "to"));
        }
        buf_puts(o, "\">Older changes</a></p>");
    }
    buf_puts(o, "</section>");
    buf_dispose(&list);
    free(il.v);
    page_end(req);
}

typedef struct atom_ctx {
    buf *o;
    const char *base;
    int n;
} atom_ctx;

static void atom_entry(void *ctx, const registry_history_row *h)
{
    atom_ctx *c = ctx;
    buf *o = c->o;
    char at[32];

    time_iso(at, sizeof at, h->created_at);
    buf_puts(o, "<entry><id>");
    buf_append_html(o, c->base);
    buf_appendf(o, "/changes#change-%lld</id><title>", (long long)h->id);
    buf_append_html(o, h->instance);
    buf_puts(o, " ");
    buf_append_html(o, h->table);
    if (*h->column) {
        buf_puts(o, ".");
        buf_append_html(o, h->column);
    }
    buf_puts(o, ": ");
    if (!strcmp(h->field, "table") && !h->old_value)
        buf_puts(o, "table created");
    else if (!strcmp(h->field, "column") && !h->old_value)
        buf_puts(o, "column added");
    else
        buf_append_html(o, h->field);
    buf_puts(o, "</title><updated>");
    buf_puts(o, at);
    buf_puts(o, "</updated><link rel=\"alternate\" type=\"text/html\" href=\"");
    buf_append_html(o, c->base);
    {
        buf p = {0};
        table_href(&p, h->instance, h->table);
        buf_append_html(o, buf_cstr(&p));
        buf_dispose(&p);
    }
    buf_puts(o, "\"/><content type=\"text\">");
    buf_append_html(o, h->field);
    buf_puts(o, ": ");
    buf_append_html(o, h->old_value ? h->old_value : "(none)");
    buf_puts(o, " → ");
    buf_append_html(o, h->new_value ? h->new_value : "(none)");
    if (h->request_id > 0)
        buf_appendf(o, " (CR-%lld)", (long long)h->request_id);
    else if (*h->reason) {
        buf_puts(o, " (");
        buf_append_html(o, h->reason);
        buf_puts(o, ")");
    }
    if (*h->user) {
        buf_puts(o, " by ");
        buf_append_html(o, h->user);
    }
    buf_puts(o, "</content>");
    if (h->request_id > 0) {
        buf_puts(o, "<link rel=\"related\" href=\"");
        buf_append_html(o, c->base);
        buf_appendf(o, "/requests/%lld\"/>", (long long)h->request_id);
    }
    buf_puts(o, "</entry>\n");
    c->n++;
}

/* GET /changes.atom: the same list as Atom 1.0 (RFC 4287). */
static void page_changes_atom(web_req *req)
{
    registry_history_filter f;
    buf entries = {0}, *o = &req->out;
    atom_ctx ac = {0};
    errmsg err = {0};
    const char *base = req->cfg && req->cfg->base_url ? req->cfg->base_url : "";
    char updated[32];
    int64_t newest = 0;
    size_t blen = strlen(base);
    char *b = xstrdup(base);

    if (blen && b[blen - 1] == '/')
        b[blen - 1] = '\0';
    if (changes_filter(req, &f) < 0) {
        free(b);
        return;
    }
    f.limit = 50;
    ac.o = &entries;
    ac.base = b;
    if (registry_history_list(req->reg, &f, atom_entry, &ac, &err) < 0) {
        free(b);
        buf_dispose(&entries);
        web_reply_err(req, &err);
        return;
    }
    /* The newest entry comes first: its time is the feed's. */
    if (entries.len) {
        const char *u = strstr(buf_cstr(&entries), "<updated>");
        if (u) {
            str_copy(updated, sizeof updated, u + 9);
            updated[20] = '\0';
            newest = 1;
        }
    }
    if (!newest)
        time_iso(updated, sizeof updated, time_now());
    buf_reset(o);
    buf_puts(o, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                "<feed xmlns=\"http://www.w3.org/2005/Atom\">"
                "<title>docket: registry changes");
    if (f.instance) {
        buf_puts(o, " in ");
        buf_append_html(o, f.instance);
    }
    buf_puts(o, "</title><id>");
    buf_append_html(o, b);
    buf_puts(o, "/changes.atom");
    if (f.instance) {
        buf_puts(o, "?instance=");
        buf_append_html(o, f.instance);
    }
    buf_puts(o, "</id><updated>");
    buf_puts(o, updated);
    buf_puts(o, "</updated><author><name>docket</name></author>"
                "<link rel=\"self\" type=\"application/atom+xml\" href=\"");
    buf_append_html(o, b);
    buf_puts(o, "/changes.atom\"/><link rel=\"alternate\" "
                "type=\"text/html\" href=\"");
    buf_append_html(o, b);
    buf_puts(o, "/changes\"/>\n");
    buf_append(o, buf_cstr(&entries), entries.len);
    buf_puts(o, "</feed>\n");
    buf_dispose(&entries);
    free(b);
    web_reply_type(req, 200, "application/atom+xml; charset=utf-8");
}

const web_route web_routes_catalog[] = {
    {"GET", "/tables", ROLE_USER, 0, page_tables_index},
    {"GET", "/tables/{instance}/{table}", ROLE_USER, 0, page_table_show},
    {"POST", "/tables/{instance}/{table}/edit", ROLE_STAFF, 0, page_table_edit},
    {"GET", "/tables/{instance}/{table}/columns/{column}", ROLE_USER, 0,
     page_column_show},
    {"GET", "/search", ROLE_USER, 0, page_search},
    {"GET", "/lookup", ROLE_USER, 0, page_lookup},
    {"GET", "/changes", ROLE_USER, 0, page_changes},
    {"GET", "/changes.atom", ROLE_USER, 0, page_changes_atom},
    {"GET", "/api/v1/instances/{instance}/tables", ROLE_USER, WEB_JSON,
     api_tables},
    {"GET", "/api/v1/instances/{instance}/tables/{table}", ROLE_USER, WEB_JSON,
     api_table},
    {"GET", "/api/v1/search", ROLE_USER, WEB_JSON, api_search},
    {"GET", "/api/v1/lookup", ROLE_USER, WEB_JSON, api_lookup},
    {NULL, NULL, 0, 0, NULL}};
