/* page_drift.c: is the documentation of an instance true? GET
 * /drift/{instance} shows the last drift check kept for the
 * instance (registry/drift.h, written by `docket drift` or the server's
 * background check of drift_every): when it ran, the source (redacted),
 * its status, the tables compared and the findings grouped by table with
 * links to the rules cards; GET /api/v1/instances/{instance}/drift is the
 * same report as JSON, in the shape of `docket drift --json`. Clients see
 * their own organisation's instances; another's answers as a missing one.
 * Every name and value comes from another database: all escaped.
 *
 * PMs and admins adopt from the page: the undocumented tables of the
 * last report get checkboxes; POST /drift/{instance}/adopt with
 * action=preview shows what domain_adopt_from would write (a dry run),
 * with action=adopt writes it, checks again (domain_drift_check, kept)
 * and redirects back with a flash and links to the new rules cards. The
 * source is always the instance's configured drift_source, never the
 * form's.
 *
 * The page was at /tables/{instance}/drift, where a registry table named
 * "drift" has its rules card: that address shows the card when the
 * instance has such a table and otherwise leads to /drift/{instance}
 * (links in notifications sent before keep working). */
#include "page_catalog_int.h"
#include "adopt_cases.h"
#include "card.h"
#include "drift.h"
#include "drift_cases.h"
#include "log.h"
#include "mem.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends the address of instance's drift page: /drift/{instance}. */
static void drift_path(buf *o, const char *inst)
{
    buf_puts(o, "/drift/");
    buf_append_url(o, inst);
}

static const char *kind_label(const char *kind)
{
    static const char *const k[][2] = {
        {"undocumented_table", "undocumented table"},
        {"undocumented_column", "undocumented column"},
        {"missing_table", "missing table"},
        {"missing_column", "missing column"},
        {"type", "type"},
        {"nullable", "nullable"},
        {"primary_key", "primary key"},
        {"comment", "comment"}};
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
        if (!strcmp(kind, k[i][0]))
            return k[i][1];
    return kind;
}

/* The instance's last report into *r: 1, 0 when it was never checked, or
 * -1 after replying (404 for an instance the user may not see). */
static int load_report(web_req *req, const char *inst, registry_drift_report *r)
{
    registry_instance in;
    errmsg err = {0};
    int rc;

    if (cat_instance_or_404(req, inst, NULL, NULL) < 0)
        return -1;
    if (registry_instance_get(req->reg, &in, inst, &err) < 0) {
        web_reply_err(req, &err);
        return -1;
    }
    rc = registry_drift_load(req->reg, r, in.id, &err);
    if (rc == ERR_NOTFOUND)
        return 0;
    if (rc < 0) {
        web_reply_err(req, &err);
        return -1;
    }
    return 1;
}

/* "t-" and the table name as an id (letters, digits, '-' and '_' kept,
 * every other byte as its hex). */
static void table_anchor(buf *o, const char *t)
{
    buf_puts(o, "t-");
    for (; *t; t++) {
        unsigned char c = (unsigned char)*t;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || c == '_' || c == '-')
            buf_putc(o, (char)c);
        else
            buf_appendf(o, ".%02x", c);
    }
}

static void value_cell(buf *o, const char *v)
{
    buf_puts(o, "<td>");
    if (*v)
        buf_append_html(o, v);
    else
        buf_puts(o, "<span class=\"muted\">(none)</span>");
    buf_puts(o, "</td>");
}

/* One table's findings r->findings[i..j). */
static void table_section(buf *o, const char *inst,
                          const registry_drift_report *r, size_t i, size_t j)
{
    const char *t = r->findings[i].table;
    int documented = strcmp(r->findings[i].kind, "undocumented_table") != 0;

    buf_puts(o, "<section class=\"card drift-table\" id=\"");
    table_anchor(o, t);
    buf_puts(o, "\"><h2>");
    if (documented) {
        card_html_link_open(o, inst, t);
        buf_append_html(o, t);
        buf_puts(o, "</a>");
    } else {
        buf_append_html(o, t);
    }
    buf_appendf(o, " <span class=\"badge drift-badge\">%zu finding%s</span>",
                j - i, j - i == 1 ? "" : "s");
    buf_puts(o, "</h2>");
    if (!documented)
        buf_puts(o, "<p class=\"muted\">Not in the registry: this table has "
                    "no rules card yet.</p>");
    buf_puts(o, "<table class=\"drift-findings\"><thead><tr><th scope=\"col\">"
                "Finding</th><th scope=\"col\">Column</th><th scope=\"col\">"
                "Registry</th><th scope=\"col\">Live database</th></tr>"
                "</thead><tbody>");
    for (size_t k = i; k < j; k++) {
        const registry_drift_finding *f = &r->findings[k];
        buf_puts(o, "<tr><td>");
        buf_append_html(o, kind_label(f->kind));
        buf_puts(o, "</td><td>");
        if (*f->column)
            buf_append_html(o, f->column);
        else
            buf_puts(o, "<span class=\"muted\">(the table)</span>");
        buf_puts(o, "</td>");
        value_cell(o, f->registry);
        value_cell(o, f->live);
        buf_puts(o, "</tr>");
    }
    buf_puts(o, "</tbody></table></section>");
}

/* 1 when the user may adopt (PMs and admins). */
static int may_adopt(const web_req *req)
{
    return req->role == ROLE_PM || req->role == ROLE_ADMIN;
}

/* The instance's configured drift_source, or NULL. */
static const char *drift_source_of(const web_req *req, const char *inst)
{
    const cfg_instance *ci =
        req->cfg ? cfg_instance_find(req->cfg, inst) : NULL;
    return ci && ci->drift_source && *ci->drift_source ? ci->drift_source
                                                       : NULL;
}

/* After an adopt (?adopted=, names separated by newlines): links to the
 * rules cards of the named tables the registry has (a forged name links
 * nothing). */
static void adopted_links(web_req *req, const char *inst)
{
    const char *q = web_query(req, "adopted");
    buf *o = &req->out;
    int n = 0;

    if (!q || !*q)
        return;
    while (*q) {
        size_t len = strcspn(q, "\n");
        char name[256];
        if (len && len < sizeof name) {
            memcpy(name, q, len);
            name[len] = '\0';
            if (registry_table_exists(req->reg, inst, name, NULL) == 1) {
                buf_puts(o, n++ ? ", "
                                : "<section class=\"card drift-adopted"
                                  "\"><h2>Adopted</h2><p>Rules cards "
                                  "to complete: ");
                card_html_link_open(o, inst, name);
                buf_append_html(o, name);
                buf_puts(o, "</a>");
            }
        }
        q += len;
        if (*q)
            q++;
    }
    if (n)
        buf_puts(o, "</p></section>");
}

/* The form of a PM or admin: a checkbox per table with undocumented
 * findings of report r, posting to the preview. */
static void adopt_form(web_req *req, const char *inst,
                       const registry_drift_report *r)
{
    buf *o = &req->out;
    int n = 0;

    if (!may_adopt(req) || !drift_source_of(req, inst))
        return;
    for (size_t i = 0; i < r->nfindings; i++) {
        const registry_drift_finding *f = &r->findings[i];
        int table = !strcmp(f->kind, "undocumented_table");
        if (!table && strcmp(f->kind, "undocumented_column") != 0)
            continue;
        if (i > 0 && !strcmp(r->findings[i - 1].table, f->table) &&
            (!strcmp(r->findings[i - 1].kind, "undocumented_table") ||
             !strcmp(r->findings[i - 1].kind, "undocumented_column")))
            continue;
        if (!n++) {
            buf_puts(o, "<section class=\"card drift-adopt\"><h2>Adopt</h2>"
                        "<form method=\"post\" action=\"");
            drift_path(o, inst);
            buf_puts(o, "/adopt\">");
            page_csrf_input(req);
            buf_puts(o, "<fieldset><legend>Write what the live database has "
                        "into the registry</legend>");
        }
        buf_puts(o, "<label class=\"drift-adopt-choice\"><input "
                    "type=\"checkbox\" name=\"table\" value=\"");
        buf_append_html(o, f->table);
        buf_puts(o, "\"> ");
        buf_append_html(o, f->table);
        buf_puts(o, table ? " <span class=\"muted\">(new table)</span>"
                          : " <span class=\"muted\">(new columns)</span>");
        buf_puts(o, "</label>");
    }
    if (n)
        buf_puts(o, "</fieldset><p class=\"muted\">A preview shows what would "
                    "be written; nothing is written before you confirm."
                    "</p><div class=\"actions\"><button type=\"submit\" "
                    "name=\"action\" value=\"preview\">Adopt selected "
                    "tables</button></div></form></section>");
}

/* GET /drift/{instance} */
static void page_drift(web_req *req)
{
    const char *inst = req->args[0];
    registry_drift_report r = {0};
    buf title = {0};
    buf *o = &req->out;
    int have = load_report(req, inst, &r);

    if (have < 0)
        return;
    buf_puts(&title, "Drift of ");
    buf_puts(&title, inst);
    page_begin(req, buf_cstr(&title));
    buf_dispose(&title);
    buf_puts(o, "<h1>Drift of ");
    buf_append_html(o, inst);
    buf_puts(o, "</h1><p class=\"muted\">The registry compared with the live "
                "database: <a href=\"/tables?instance=");
    buf_append_url(o, inst);
    buf_puts(o, "\">tables of ");
    buf_append_html(o, inst);
    buf_puts(o, "</a></p>");
    if (!have) {
        buf_puts(o, "<section class=\"card drift-summary\"><p>Never checked: "
                    "set <code>drift_source</code> (and <code>drift_every"
                    "</code>) in <code>[instance.");
        buf_append_html(o, inst);
        buf_puts(o, "]</code> of the configuration, or run <code>docket drift "
                    "--instance ");
        buf_append_html(o, inst);
        buf_puts(o, "</code>.</p></section>");
        page_end(req);
        return;
    }
    buf_puts(o, "<section class=\"card drift-summary\"><dl><dt>Checked</dt>"
                "<dd>");
    page_time(o, r.checked_at);
    buf_puts(o, "</dd><dt>Source</dt><dd><code>");
    buf_append_html(o, r.source);
    buf_puts(o, "</code>");
    if (r.schema && *r.schema) {
        buf_puts(o, " (schema <code>");
        buf_append_html(o, r.schema);
        buf_puts(o, "</code>)");
    }
    buf_puts(o, "</dd><dt>Status</dt><dd>");
    if (r.failed) {
        buf_puts(o, "<span class=\"badge drift-failed\">failed</span> ");
        buf_append_html(o, r.error);
    } else {
        buf_puts(o, "<span class=\"badge drift-ok\">ok</span>");
    }
    buf_puts(o, "</dd>");
    if (!r.failed)
        buf_appendf(o,
                    "<dt>Tables compared</dt><dd>%d</dd><dt>Findings</dt>"
                    "<dd>%zu</dd>",
                    r.tables_compared, r.nfindings);
    buf_puts(o, "</dl>");
    if (!r.failed && !r.nfindings)
        buf_puts(o, "<p class=\"drift-none\">No drift: every documented "
                    "table matches the live database.</p>");
    buf_puts(o, "</section>");
    adopted_links(req, inst);
    if (!r.failed)
        adopt_form(req, inst, &r);
    for (size_t i = 0; i < r.nfindings;) {
        size_t j = i + 1;
        while (j < r.nfindings &&
               !strcmp(r.findings[j].table, r.findings[i].table))
            j++;
        table_section(o, inst, &r, i, j);
        i = j;
    }
    registry_drift_report_dispose(&r);
    page_end(req);
}

/* The page of a refused adopt or preview (422): why, and nothing was
 * written. */
static void adopt_refused(web_req *req, const char *inst, const char *why)
{
    buf msg = {0};
    buf *o = &req->out;

    buf_puts(&msg, "Nothing was adopted: ");
    buf_puts(&msg, why);
    buf_reset(o);
    page_begin(req, "Adopt refused");
    buf_puts(o, "<h1>Adopt into ");
    buf_append_html(o, inst);
    buf_puts(o, "</h1>");
    page_alert(req, "error", buf_cstr(&msg));
    buf_puts(o, "<p><a href=\"");
    drift_path(o, inst);
    buf_puts(o, "\">Back to the drift of ");
    buf_append_html(o, inst);
    buf_puts(o, "</a></p>");
    req->status = 422;
    page_end(req);
    buf_dispose(&msg);
}

/* The preview of rp (a dry run): each table with its columns and types,
 * what is left to complete, and the form that adopts the same tables. */
static void adopt_preview(web_req *req, const char *inst,
                          const domain_adopt_report *rp)
{
    buf *o = &req->out;

    page_begin(req, "Adopt preview");
    buf_puts(o, "<h1>Preview: adopt into ");
    buf_append_html(o, inst);
    buf_appendf(o,
                "</h1><p>Would adopt %d new table%s and %d column%s from "
                "<code class=\"drift-source\">",
                rp->tables_created, rp->tables_created == 1 ? "" : "s",
                rp->columns_added, rp->columns_added == 1 ? "" : "s");
    buf_append_html(o, rp->source);
    buf_puts(o, "</code>. Nothing is written yet.</p>");
    for (size_t i = 0; i < rp->ntables; i++) {
        const domain_adopt_table *t = &rp->tables[i];
        buf_puts(o, "<section class=\"card drift-adopt-table\"><h2>");
        buf_append_html(o, t->name);
        buf_puts(o, t->created ? " <span class=\"muted\">(new table)</span>"
                               : " <span class=\"muted\">(columns added)"
                                 "</span>");
        buf_puts(o, "</h2>");
        if (t->ncolumns) {
            buf_puts(o, "<table class=\"drift-findings\"><thead><tr><th "
                        "scope=\"col\">Column</th><th scope=\"col\">Type"
                        "</th></tr></thead><tbody>");
            for (size_t k = 0; k < t->ncolumns; k++) {
                buf_puts(o, "<tr><td>");
                buf_append_html(o, t->columns[k]);
                buf_puts(o, "</td><td><code>");
                buf_append_html(o, t->types[k]);
                buf_puts(o, "</code></td></tr>");
            }
            buf_puts(o, "</tbody></table>");
        } else {
            buf_puts(o, "<p class=\"muted\">Already documented: nothing to "
                        "add.</p>");
        }
        if (t->to_complete && *t->to_complete) {
            buf_puts(o, "<p>Left to complete on the rules card: ");
            buf_append_html(o, t->to_complete);
            buf_puts(o, "</p>");
        }
        if (t->key_note && *t->key_note) {
            buf_puts(o, "<p class=\"muted\">");
            buf_append_html(o, t->key_note);
            buf_puts(o, "</p>");
        }
        buf_puts(o, "</section>");
    }
    buf_puts(o, "<form method=\"post\" action=\"");
    drift_path(o, inst);
    buf_puts(o, "/adopt\">");
    page_csrf_input(req);
    for (size_t i = 0; i < rp->ntables; i++) {
        buf_puts(o, "<input type=\"hidden\" name=\"table\" value=\"");
        buf_append_html(o, rp->tables[i].name);
        buf_puts(o, "\">");
    }
    buf_puts(o, "<div class=\"actions\"><button type=\"submit\" "
                "class=\"primary\" name=\"action\" value=\"adopt\">Adopt"
                "</button><a class=\"button\" href=\"");
    drift_path(o, inst);
    buf_puts(o, "\">Cancel</a></div></form>");
    page_end(req);
}

/* The flash of an adopt: counts and what is left to complete (cut to fit
 * a cookie). */
static void adopt_flash(web_req *req, const domain_adopt_report *rp)
{
    buf m = {0};
    int first = 1;

    buf_appendf(&m, "Adopted %d table%s, %d column%s", rp->tables_created,
                rp->tables_created == 1 ? "" : "s", rp->columns_added,
                rp->columns_added == 1 ? "" : "s");
    for (size_t i = 0; i < rp->ntables; i++) {
        const domain_adopt_table *t = &rp->tables[i];
        if (!t->to_complete || !*t->to_complete)
            continue;
        buf_puts(&m, first ? "; to complete: " : "; ");
        first = 0;
        buf_appendf(&m, "%s (%s)", t->name, t->to_complete);
        if (m.len > 1200)
            break;
    }
    buf_putc(&m, '.');
    page_flash_set(req, buf_cstr(&m));
    buf_dispose(&m);
}

/* POST /drift/{instance}/adopt (table..., action=preview|adopt); also at
 * its earlier address /tables/{instance}/drift/adopt (a page loaded
 * before still posts there; no table has an "adopt" page). */
static void page_drift_adopt(web_req *req)
{
    const char *inst = req->args[0];
    domain_actor who = domain_actor_of(&req->user);
    domain_adopt_request rq = {0};
    domain_adopt_report rp = {0};
    const char **tables = NULL;
    const char *action = web_field_get(req, "action");
    size_t n = 0;
    errmsg err = {0};
    buf loc = {0};
    int adopt;

    if (cat_instance_or_404(req, inst, NULL, NULL) < 0)
        return;
    if (!may_adopt(req)) {
        web_reply_error(req, 403,
                        "Only project managers and admins adopt tables.");
        return;
    }
    adopt = action && !strcmp(action, "adopt");
    rq.source = drift_source_of(req, inst);
    if (!rq.source) {
        adopt_refused(req, inst,
                      "this instance has no drift_source in the "
                      "configuration.");
        return;
    }
    tables = calloc(req->nfields ? req->nfields : 1, sizeof *tables);
    if (!tables) {
        web_reply_error(req, 500, "Out of memory.");
        return;
    }
    for (size_t i = 0; i < req->nfields; i++)
        if (!strcmp(req->fields[i].name, "table") && !req->fields[i].filename &&
            req->fields[i].value.len)
            tables[n++] = buf_cstr(&req->fields[i].value);
    if (!n) {
        adopt_refused(req, inst, "Select at least one table.");
        goto done;
    }
    rq.instance = inst;
    rq.only_tables = tables;
    rq.nonly = n;
    rq.dry_run = !adopt;
    if (domain_adopt_from(req->reg, &who, &rq, &rp, &err) < 0) {
        /* the instance was found above: another not found is a table
           the source does not have, said on the page as a refusal */
        if (err.code == ERR_FORBIDDEN || err.code == ERR_DB)
            web_reply_err(req, &err);
        else
            adopt_refused(req, inst, err.msg);
        goto done;
    }
    if (!adopt) {
        adopt_preview(req, inst, &rp);
        goto done;
    }
    {
        domain_drift_request dq = {0};
        registry_drift_report dr = {0};
        errmsg derr = {0};
        dq.instance = inst;
        dq.source = rq.source;
        dq.store = 1;
        if (domain_drift_check(req->reg, &who, &dq, &dr, NULL, &derr) < 0)
            log_warn("drift of %s after adopt: %s", inst, derr.msg);
        registry_drift_report_dispose(&dr);
    }
    adopt_flash(req, &rp);
    drift_path(&loc, inst);
    for (size_t i = 0, k = 0; i < rp.ntables && k < 20; i++) {
        if (!rp.tables[i].ncolumns)
            continue;
        buf_puts(&loc, k++ ? "%0A" : "?adopted=");
        buf_append_url(&loc, rp.tables[i].name);
    }
    web_redirect(req, buf_cstr(&loc));
done:
    buf_dispose(&loc);
    domain_adopt_report_dispose(&rp);
    free(tables);
}

/* GET /api/v1/instances/{instance}/drift: the last report as `docket
 * drift --json` prints it, with "status" ("ok" or "failed") and "error";
 * 404 when the instance was never checked. */
static void api_drift(web_req *req)
{
    const char *inst = req->args[0];
    registry_drift_report r = {0};
    char at[32];
    cJSON *root, *arr;
    int have = load_report(req, inst, &r);

    if (have < 0)
        return;
    if (!have) {
        web_reply_error(req, 404,
                        "This instance was never checked for drift: set "
                        "drift_source or run docket drift.");
        return;
    }
    time_iso(at, sizeof at, r.checked_at);
    root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "instance", inst);
    cJSON_AddStringToObject(root, "source", r.source);
    cJSON_AddStringToObject(root, "schema", r.schema ? r.schema : "");
    cJSON_AddStringToObject(root, "checked_at", at);
    cJSON_AddStringToObject(root, "status", r.failed ? "failed" : "ok");
    cJSON_AddStringToObject(root, "error", r.error ? r.error : "");
    cJSON_AddNumberToObject(root, "tables_compared", r.tables_compared);
    arr = cJSON_AddArrayToObject(root, "findings");
    for (size_t i = 0; i < r.nfindings; i++) {
        const registry_drift_finding *f = &r.findings[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "kind", f->kind);
        cJSON_AddStringToObject(o, "table", f->table);
        cJSON_AddStringToObject(o, "column", f->column);
        cJSON_AddStringToObject(o, "registry", f->registry);
        cJSON_AddStringToObject(o, "live", f->live);
        cJSON_AddItemToArray(arr, o);
    }
    registry_drift_report_dispose(&r);
    web_reply_json(req, 200, root);
}

/* GET /tables/{instance}/drift: the rules card of the instance's table
 * named "drift" when it has one (page_table_show), else the drift page's
 * earlier address: 303 to /drift/{instance}, with its "adopted" note. An
 * instance the user may not see is 404 either way. */
static void page_drift_moved(web_req *req)
{
    const char *inst = req->args[0];
    const char *adopted = web_query(req, "adopted");
    errmsg err = {0};
    buf loc = {0};
    int rc;

    if (cat_instance_or_404(req, inst, NULL, NULL) < 0)
        return;
    rc = registry_table_exists(req->reg, inst, "drift", &err);
    if (rc < 0) {
        web_reply_err(req, &err);
        return;
    }
    if (rc > 0 && req->nargs == 1) {
        req->args[req->nargs++] = xstrdup("drift");
        page_table_show(req);
        return;
    }
    drift_path(&loc, inst);
    if (adopted) {
        buf_puts(&loc, "?adopted=");
        buf_append_url(&loc, adopted);
    }
    web_redirect(req, buf_cstr(&loc));
    buf_dispose(&loc);
}

/* Before the catalog's routes: /tables/{instance}/{table} would take
 * "drift" as a table name (page_drift_moved decides). */
const web_route web_routes_drift[] = {
    {"GET", "/drift/{instance}", ROLE_USER, 0, page_drift},
    {"POST", "/drift/{instance}/adopt", ROLE_USER, 0, page_drift_adopt},
    {"GET", "/tables/{instance}/drift", ROLE_USER, 0, page_drift_moved},
    {"POST", "/tables/{instance}/drift/adopt", ROLE_USER, 0, page_drift_adopt},
    {"GET", "/api/v1/instances/{instance}/drift", ROLE_USER, WEB_JSON,
     api_drift},
    {NULL, NULL, 0, 0, NULL}};
