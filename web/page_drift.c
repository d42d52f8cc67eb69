/* page_drift.c: is the documentation of an instance true? GET
 * /tables/{instance}/drift shows the last drift check kept for the
 * instance (registry/drift.h, written by `docket drift` or the server's
 * background check of drift_every): when it ran, the source (redacted),
 * its status, the tables compared and the findings grouped by table with
 * links to the rules cards; GET /api/v1/instances/{instance}/drift is the
 * same report as JSON, in the shape of `docket drift --json`. Clients see
 * their own organisation's instances; another's answers as a missing one.
 * Every name and value comes from another database: all escaped. */
#include "page_catalog_int.h"
#include "card.h"
#include "drift.h"
#include "str.h"

#include <stdio.h>
#include <string.h>

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

/* GET /tables/{instance}/drift */
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

/* Before the catalog's routes: /tables/{instance}/{table} would take
 * "drift" as a table name. */
const web_route web_routes_drift[] = {
    {"GET", "/tables/{instance}/drift", ROLE_USER, 0, page_drift},
    {"GET", "/api/v1/instances/{instance}/drift", ROLE_USER, WEB_JSON,
     api_drift},
    {NULL, NULL, 0, 0, NULL}};
