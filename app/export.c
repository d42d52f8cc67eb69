/* export.c: `docket export --format html|markdown|csv|dbt|odcs --out DIR
 * [--instance I]`: the registry for the night docket itself is down, and
 * for the data team's tools.
 *
 * - html: a static site openable from the file system (relative links
 *   only): index.html with client-side search (export-search.js over
 *   search-index.js, a plain script that sets a global, since fetch() of
 *   a file:// URL is refused by Chromium), one page per table under
 *   <instance>/<table>.html with the rules card, columns and history,
 *   changelog.html, and the app's own app.css;
 * - markdown: index.md, changelog.md and <instance>/<table>.md;
 * - csv: <instance>.csv per instance, a data dictionary with exactly the
 *   columns `docket import` accepts (export -> import round-trips);
 * - dbt: <instance>/sources.yml per instance, a dbt sources file
 *   (domain/dbt.h; [instance.NAME] dbt_schema and dbt_loaded_at_field);
 * - odcs: <instance>/<table>.odcs.yaml per table, an ODCS v3.1.0 data
 *   contract (domain/odcs.h).
 *
 * The data comes from registry_table_card, written by the card writer
 * (domain/card.h), and registry_change_list (the changelogs, one entry
 * per change as the card writer groups them). Progress goes to stderr
 * when it is a terminal. */
#include "app.h"
#include "assets.h"
#include "buf.h"
#include "card.h"
#include "catalog.h"
#include "dbt.h"
#include "mem.h"
#include "odcs.h"
#include "str.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One export in progress. */
typedef struct export_run {
    registry *reg;
    const char *out;      /* the directory */
    const char *instance; /* --instance, or NULL */
    int html, md, csv;    /* the format */
    int dbt, odcs;
    char stamp[32];  /* when: "2026-12-01 10:00 UTC" */
    buf index;       /* index.html or index.md */
    buf csvb;        /* the CSV of the current instance */
    buf search;      /* search-index.js */
    char *last_inst; /* the instance of the previous table */
} export_run;

typedef struct tref {
    char *instance, *table;
} tref;

typedef struct trefs {
    tref *v;
    size_t n, cap;
} trefs;

static void tref_add(void *ctx, const registry_table_row *r)
{
    trefs *t = ctx;

    xgrow(&t->v, &t->cap, t->n + 1, sizeof *t->v);
    t->v[t->n].instance = xstrdup(r->instance);
    t->v[t->n].table = xstrdup(r->name);
    t->n++;
}

static void trefs_dispose(trefs *ts)
{
    for (size_t i = 0; i < ts->n; i++) {
        free(ts->v[i].instance);
        free(ts->v[i].table);
    }
    free(ts->v);
}

/* A file or directory name for an instance: never "." or "..". */
static void safe_name(buf *b, const char *s)
{
    if (*s == '.')
        buf_putc(b, '_');
    for (; *s; s++)
        buf_putc(b, (*s == '/' || *s == '\\') ? '_' : *s);
}

static int mkdir_p(const char *path)
{
    char *p = xstrdup(path);
    int rc = 0;

    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0755) < 0 && errno != EEXIST)
            rc = -1;
        *s = '/';
    }
    if (mkdir(p, 0755) < 0 && errno != EEXIST)
        rc = -1;
    free(p);
    return rc;
}

static int write_file(const char *dir, const char *name, const buf *b)
{
    buf path = {0};
    FILE *f;
    int rc = 0;

    buf_puts(&path, dir);
    buf_putc(&path, '/');
    buf_puts(&path, name);
    f = fopen(buf_cstr(&path), "wb");
    if (!f || fwrite(buf_cstr(b), 1, b->len, f) != b->len)
        rc = app_fail(EXIT_RUNTIME, "cannot write %s: %s", buf_cstr(&path),
                      strerror(errno));
    if (f && fclose(f) != 0 && rc == 0)
        rc = app_fail(EXIT_RUNTIME, "cannot write %s", buf_cstr(&path));
    buf_dispose(&path);
    return rc;
}

static void progress(size_t i, size_t n)
{
    if (!isatty(STDERR_FILENO))
        return;
    if (i == n || i % 50 == 0)
        fprintf(stderr, "\rexporting %zu/%zu tables%s", i, n,
                i == n ? "\n" : "");
}

/* ---- CSV ---------------------------------------------------------------- */

/* A cell: buf_append_csv neutralises = + - @ TAB CR with a quoted leading
 * apostrophe; a value that itself starts with an apostrophe gets one more
 * (quoted) so that the importer's undo gives the value back exactly. */
static void csv_cell(buf *b, const char *s)
{
    if (s[0] == '\'') {
        buf_puts(b, "\"'");
        for (const char *p = s; *p; p++) {
            if (*p == '"')
                buf_putc(b, '"');
            buf_putc(b, *p);
        }
        buf_putc(b, '"');
    } else {
        buf_append_csv(b, s);
    }
}

static const char *yes_no(int flag)
{
    return flag ? "yes" : "no";
}

/* One CSV record of card t: column k, or the table alone (k NULL). */
static void csv_row(buf *b, const registry_card *t,
                    const registry_card_column *k)
{
    const registry_card_rules *r = &t->rules;
    char late[16], low[16], high[16];

    snprintf(late, sizeof late, "%d", r->late_after_minutes);
    snprintf(low, sizeof low, "%d", r->anomaly_low_pct);
    snprintf(high, sizeof high, "%d", r->anomaly_high_pct);
    /* The order of registry_csv_columns. */
    const char *cells[] = {t->table,
                           k ? k->name : "",
                           k ? k->type : "",
                           k ? yes_no(k->nullable) : "",
                           k ? yes_no(k->primary_key) : "",
                           k ? k->description : "",
                           k ? k->example : "",
                           k ? yes_no(k->pii) : "",
                           k ? yes_no(k->consent) : "",
                           k ? k->consent_channel : "",
                           k ? k->rule : "",
                           k ? registry_entry_status_name(k->status) : "",
                           card_dep(r->campaign_dependency)->name,
                           r->campaign_note,
                           r->expected_arrival,
                           late,
                           r->source,
                           r->cadence,
                           r->file_pattern,
                           r->owner,
                           r->escalation,
                           t->description,
                           r->runbook,
                           t->kind,
                           registry_entry_status_name(t->status),
                           yes_no(r->consent_relevant),
                           r->expected_day,
                           low,
                           high};

    for (size_t i = 0; i < sizeof cells / sizeof *cells; i++) {
        if (i)
            buf_putc(b, ',');
        csv_cell(b, cells[i]);
    }
    buf_puts(b, "\r\n");
}

/* Writes the CSV of the previous instance to <instance>.csv. */
static int csv_flush(export_run *x)
{
    buf fname = {0};
    int rc;

    safe_name(&fname, x->last_inst);
    buf_puts(&fname, ".csv");
    rc = write_file(x->out, buf_cstr(&fname), &x->csvb);
    buf_dispose(&fname);
    buf_reset(&x->csvb);
    return rc;
}

static int csv_table(export_run *x, const registry_card *t, int new_inst)
{
    if (new_inst && x->last_inst) {
        int rc = csv_flush(x);
        if (rc)
            return rc;
    }
    if (new_inst) {
        for (size_t k = 0; k < registry_csv_ncolumns; k++) {
            buf_puts(&x->csvb, k ? "," : "");
            buf_puts(&x->csvb, registry_csv_columns[k]);
        }
        buf_puts(&x->csvb, "\r\n");
    }
    for (size_t i = 0; i < t->ncolumns; i++)
        csv_row(&x->csvb, t, &t->columns[i]);
    if (!t->ncolumns)
        csv_row(&x->csvb, t, NULL);
    return 0;
}

/* ---- HTML --------------------------------------------------------------- */

static void html_head(buf *b, const char *title, const char *root)
{
    buf_puts(b, "<!doctype html>\n<html lang=\"en\"><head><meta "
                "charset=\"utf-8\"><meta name=\"viewport\" "
                "content=\"width=device-width, initial-scale=1\"><title>");
    buf_append_html(b, title);
    buf_puts(b, " · docket export</title><link rel=\"stylesheet\" href=\"");
    buf_puts(b, root);
    buf_puts(b, "app.css\"></head><body><header class=\"top\"><a "
                "class=\"brand\" href=\"");
    buf_puts(b, root);
    buf_puts(b, "index.html\">▤ docket</a><nav aria-label=\"Main\"><ul><li>"
                "<a href=\"");
    buf_puts(b, root);
    buf_puts(b, "index.html\">Tables</a></li><li><a href=\"");
    buf_puts(b, root);
    buf_puts(b, "changelog.html\">Changes</a></li></ul></nav></header>"
                "<main id=\"main\">");
}

static void html_foot(buf *b, const char *stamp)
{
    buf_puts(b, "</main><footer class=\"foot\">Offline export of the "
                "docket registry, made ");
    buf_append_html(b, stamp);
    buf_puts(b, ". Times in UTC.</footer></body></html>\n");
}

static const char export_search_js[] =
    "// export-search.js: client-side search of the offline export. The\n"
    "// index is a plain script (search-index.js) so that it loads from\n"
    "// file:// too.\n"
    "(function () {\n"
    "  var input = document.getElementById('q');\n"
    "  var out = document.getElementById('results');\n"
    "  var index = window.DOCKET_SEARCH_INDEX || [];\n"
    "  if (!input || !out) return;\n"
    "  function show() {\n"
    "    var q = input.value.trim().toLowerCase();\n"
    "    out.textContent = '';\n"
    "    if (!q) return;\n"
    "    var hits = index.filter(function (e) {\n"
    "      return e.text.indexOf(q) >= 0;\n"
    "    }).sort(function (a, b) {\n"
    "      var ax = a.table.toLowerCase() === q ? 0 :\n"
    "        a.table.toLowerCase().indexOf(q) === 0 ? 1 : 2;\n"
    "      var bx = b.table.toLowerCase() === q ? 0 :\n"
    "        b.table.toLowerCase().indexOf(q) === 0 ? 1 : 2;\n"
    "      return ax - bx || (a.table < b.table ? -1 : 1);\n"
    "    }).slice(0, 50);\n"
    "    hits.forEach(function (e) {\n"
    "      var li = document.createElement('li');\n"
    "      var a = document.createElement('a');\n"
    "      a.href = e.href;\n"
    "      a.textContent = e.table + ' (' + e.instance + ')';\n"
    "      var s = document.createElement('span');\n"
    "      s.className = e.dependency === 'required' ? 'badge required' :\n"
    "        e.dependency === 'optional' ? 'badge optional' : 'badge';\n"
    "      s.textContent = e.dependency === 'required' ? 'REQUIRED' :\n"
    "        e.dependency === 'optional' ? 'OPTIONAL' : 'not stated';\n"
    "      li.appendChild(a);\n"
    "      li.appendChild(document.createTextNode(' '));\n"
    "      li.appendChild(s);\n"
    "      out.appendChild(li);\n"
    "    });\n"
    "    if (!hits.length) {\n"
    "      var none = document.createElement('li');\n"
    "      none.textContent = 'No table matches.';\n"
    "      out.appendChild(none);\n"
    "    }\n"
    "  }\n"
    "  input.addEventListener('input', show);\n"
    "  input.addEventListener('keydown', function (ev) {\n"
    "    if (ev.key === 'Enter') {\n"
    "      var first = out.querySelector('a');\n"
    "      if (first) { ev.preventDefault(); window.location.href = "
    "first.href; }\n"
    "    }\n"
    "  });\n"
    "  show();\n"
    "})();\n";

/* The table's row in index.html (a new section per instance). */
static void html_index_row(export_run *x, const registry_card *t,
                           const char *href, int new_inst)
{
    const card_dep_text *dep = card_dep(t->rules.campaign_dependency);
    buf *b = &x->index;

    if (new_inst) {
        if (x->last_inst)
            buf_puts(b, "</tbody></table></section>");
        buf_puts(b, "<section class=\"card\"><h2>");
        buf_append_html(b, t->instance);
        buf_puts(b, "</h2><table class=\"table\"><thead><tr>"
                    "<th scope=\"col\">Table</th><th "
                    "scope=\"col\">Campaigns</th><th "
                    "scope=\"col\">Expected</th><th "
                    "scope=\"col\">Owner</th></tr></thead>"
                    "<tbody>");
    }
    buf_puts(b, "<tr><th scope=\"row\"><a href=\"");
    buf_append_html(b, href);
    buf_puts(b, "\">");
    buf_append_html(b, t->table);
    buf_puts(b, "</a></th><td>");
    if (dep->dep != REGISTRY_DEP_UNSET)
        card_html_dep_badge(b, dep->dep);
    buf_puts(b, "</td><td>");
    card_html_wrapped(b, "", t->rules.expected_arrival, " UTC");
    buf_puts(b, "</td><td>");
    buf_append_html(b, t->rules.owner);
    buf_puts(b, "</td></tr>");
}

/* The table's entry in search-index.js: names, description, columns. */
static void html_search_entry(export_run *x, const registry_card *t,
                              const char *href)
{
    cJSON *e = cJSON_CreateObject();
    buf text = {0};
    char *s, *low;

    buf_puts(&text, t->table);
    buf_putc(&text, ' ');
    buf_puts(&text, t->description);
    for (size_t i = 0; i < t->ncolumns; i++) {
        buf_putc(&text, ' ');
        buf_puts(&text, t->columns[i].name);
    }
    cJSON_AddStringToObject(e, "instance", t->instance);
    cJSON_AddStringToObject(e, "table", t->table);
    cJSON_AddStringToObject(e, "dependency",
                            card_dep(t->rules.campaign_dependency)->name);
    cJSON_AddStringToObject(e, "href", href);
    low = str_lower(xstrdup(buf_cstr(&text)));
    cJSON_AddStringToObject(e, "text", low);
    free(low);
    s = cJSON_PrintUnformatted(e);
    /* cJSON leaves "<" alone: a "</script>" inside a name cannot end
       anything here, the file is a script of its own, not inline. */
    buf_puts(&x->search, s);
    buf_puts(&x->search, ",\n");
    cJSON_free(s);
    cJSON_Delete(e);
    buf_dispose(&text);
}

/* The relative href of a table's page from the export's top. */
static void export_href(buf *o, const char *instance, const char *table,
                        void *ctx)
{
    buf name = {0};

    (void)ctx;
    safe_name(&name, instance);
    buf_append_url(o, buf_cstr(&name));
    buf_putc(o, '/');
    buf_append_url(o, table);
    buf_puts(o, ".html");
    buf_dispose(&name);
}

static void change_html_group(void *ctx, const card_group *g)
{
    static const card_html_links links = {export_href, 0, NULL};

    card_html_group(ctx, g, &links);
    buf_putc(ctx, '\n');
}

static void change_html(void *ctx, const registry_change *c)
{
    card_group_of_change(c, change_html_group, ctx);
}

static void change_md_group(void *ctx, const card_group *g)
{
    card_md_group(ctx, g);
}

static void change_md(void *ctx, const registry_change *c)
{
    card_group_of_change(c, change_md_group, ctx);
}

/* The changes of the export's instances, newest first, into b as HTML
 * timeline items or Markdown list items. */
static int changelog(export_run *x, buf *b,
                     void (*fn)(void *ctx, const registry_change *c))
{
    registry_history_filter hf = {0};
    errmsg err = {0};

    hf.instance = x->instance;
    hf.limit = 2000;
    if (registry_change_list(x->reg, &hf, fn, b, &err) < 0)
        return app_fail(EXIT_RUNTIME, "%s", err.msg);
    return 0;
}

/* index.html, changelog.html, app.css and the search scripts. */
static int html_finish(export_run *x, size_t ntables)
{
    buf changes = {0}, css = {0}, js_file = {0};
    int rc = 0;

    if (x->last_inst)
        buf_puts(&x->index, "</tbody></table></section>");
    if (!ntables)
        buf_puts(&x->index, "<p class=\"muted\">The registry is empty.</p>");
    buf_puts(&x->index, "<script src=\"search-index.js\"></script>"
                        "<script src=\"export-search.js\"></script>");
    html_foot(&x->index, x->stamp);
    buf_puts(&x->search, "];\n");
    html_head(&changes, "Changes", "");
    buf_puts(&changes, "<h1>Registry changes</h1><section "
                       "class=\"card\"><ol class=\"timeline\">");
    rc = changelog(x, &changes, change_html);
    buf_puts(&changes, "</ol></section>");
    html_foot(&changes, x->stamp);
    for (size_t k = 0; web_assets[k].name; k++)
        if (!strcmp(web_assets[k].name, "app.css"))
            buf_append(&css, web_assets[k].data, web_assets[k].size);
    buf_puts(&js_file, export_search_js);
    if (!rc && !(rc = write_file(x->out, "index.html", &x->index)) &&
        !(rc = write_file(x->out, "changelog.html", &changes)) &&
        !(rc = write_file(x->out, "app.css", &css)) &&
        !(rc = write_file(x->out, "search-index.js", &x->search)))
        rc = write_file(x->out, "export-search.js", &js_file);
    buf_dispose(&changes);
    buf_dispose(&css);
    buf_dispose(&js_file);
    return rc;
}

/* ---- Markdown ----------------------------------------------------------- */

/* The table's line in index.md (a new heading per instance). */
static void md_index_row(export_run *x, const registry_card *t,
                         const char *href_dir, const char *file, int new_inst)
{
    const card_dep_text *dep = card_dep(t->rules.campaign_dependency);
    buf *b = &x->index;

    if (new_inst) {
        buf_puts(b, "\n## ");
        card_md_text(b, t->instance);
        buf_puts(b, "\n\n");
    }
    buf_puts(b, "- [");
    card_md_text(b, t->table);
    buf_puts(b, "](");
    buf_append_url(b, href_dir);
    buf_putc(b, '/');
    buf_append_url(b, file);
    buf_puts(b, "): ");
    if (dep->dep == REGISTRY_DEP_REQUIRED)
        buf_puts(b, "**");
    buf_puts(b, dep->badge);
    if (dep->dep == REGISTRY_DEP_REQUIRED)
        buf_puts(b, "**");
    if (*t->rules.expected_arrival) {
        buf_puts(b, ", expected ");
        card_md_text(b, t->rules.expected_arrival);
        buf_puts(b, " UTC");
    }
    buf_puts(b, "\n");
}

/* ---- the export --------------------------------------------------------- */

/* The page of one table (<instance>/<table>.html or .md) and its line in
 * the index. */
static int page_table(export_run *x, const registry_card *t, int new_inst)
{
    card_opts opt = {0};
    buf name = {0}, dir = {0}, file = {0}, page = {0}, href = {0};
    int rc = 0;

    opt.stamp = x->stamp;
    safe_name(&name, t->instance);
    buf_puts(&dir, x->out);
    buf_putc(&dir, '/');
    buf_append(&dir, buf_cstr(&name), name.len);
    buf_puts(&file, t->table);
    buf_puts(&file, x->html ? ".html" : ".md");
    if (mkdir_p(buf_cstr(&dir)) < 0) {
        rc = app_fail(EXIT_RUNTIME, "cannot create %s", buf_cstr(&dir));
        goto done;
    }
    if (x->html) {
        html_head(&page, t->table, "../");
        card_write(&page, t, CARD_HTML_EXPORT, &opt);
        html_foot(&page, x->stamp);
    } else {
        card_write(&page, t, CARD_MARKDOWN, &opt);
    }
    rc = write_file(buf_cstr(&dir), buf_cstr(&file), &page);
    if (rc)
        goto done;
    if (x->html) {
        buf_append(&href, buf_cstr(&name), name.len);
        buf_putc(&href, '/');
        buf_puts(&href, buf_cstr(&file));
        html_index_row(x, t, buf_cstr(&href), new_inst);
        html_search_entry(x, t, buf_cstr(&href));
    } else {
        md_index_row(x, t, buf_cstr(&name), buf_cstr(&file), new_inst);
    }
done:
    buf_dispose(&name);
    buf_dispose(&dir);
    buf_dispose(&file);
    buf_dispose(&page);
    buf_dispose(&href);
    return rc;
}

/* Reads and writes one table. */
static int export_table(export_run *x, const tref *r)
{
    registry_card t = {0};
    errmsg err = {0};
    int new_inst = !x->last_inst || strcmp(x->last_inst, r->instance);
    int rc;

    if (registry_table_card(x->reg, &t, r->instance, r->table, 0, &err) < 0)
        return app_fail(EXIT_RUNTIME, "%s", err.msg);
    rc = x->csv ? csv_table(x, &t, new_inst) : page_table(x, &t, new_inst);
    free(x->last_inst);
    x->last_inst = xstrdup(r->instance);
    registry_card_free(&t);
    return rc;
}

/* The start of the index, before the tables. */
static void index_begin(export_run *x)
{
    if (x->html) {
        html_head(&x->index, "Tables", "");
        buf_puts(&x->index, "<h1>Tables</h1><form class=\"lookup-box\" "
                            "role=\"search\" onsubmit=\"return false\"><label "
                            "for=\"q\">Which table?</label><input id=\"q\" "
                            "type=\"search\" autofocus autocomplete=\"off\" "
                            "placeholder=\"Start typing a table name\"></form>"
                            "<ul id=\"results\" class=\"stack results\"></ul>");
        buf_puts(&x->search, "window.DOCKET_SEARCH_INDEX = [\n");
    } else if (x->md) {
        buf_puts(&x->index, "# Registry\n\n_Exported ");
        buf_puts(&x->index, x->stamp);
        buf_puts(&x->index, "_\n\nWhat changed, newest first: "
                            "[changes](changelog.md).\n\n");
    }
}

/* index.md and changelog.md. */
static int md_finish(export_run *x)
{
    buf changes = {0};
    int rc;

    buf_puts(&changes, "# Registry changes\n\n_Exported ");
    buf_puts(&changes, x->stamp);
    buf_puts(&changes, "_\n\n");
    rc = changelog(x, &changes, change_md);
    if (!rc)
        rc = write_file(x->out, "index.md", &x->index);
    if (!rc)
        rc = write_file(x->out, "changelog.md", &changes);
    buf_dispose(&changes);
    return rc;
}

/* DIR/<instance>/ made, its path into dir. */
static int instance_dir(export_run *x, buf *dir, const char *instance)
{
    buf_puts(dir, x->out);
    buf_putc(dir, '/');
    safe_name(dir, instance);
    if (mkdir_p(buf_cstr(dir)) < 0)
        return app_fail(EXIT_RUNTIME, "cannot create %s: %s", buf_cstr(dir),
                        strerror(errno));
    return 0;
}

/* <instance>/<table>.odcs.yaml: the table's contract. */
static int odcs_table(export_run *x, const tref *r)
{
    buf dir = {0}, file = {0}, doc = {0};
    errmsg err = {0};
    int rc = instance_dir(x, &dir, r->instance);

    if (rc == 0 && domain_odcs_write(&doc, x->reg, r->instance, r->table,
                                     app_config.base_url, &err) < 0)
        rc = app_fail(EXIT_RUNTIME, "%s", err.msg);
    buf_puts(&file, r->table);
    buf_puts(&file, ".odcs.yaml");
    if (rc == 0)
        rc = write_file(buf_cstr(&dir), buf_cstr(&file), &doc);
    buf_dispose(&dir);
    buf_dispose(&file);
    buf_dispose(&doc);
    return rc;
}

static void inst_name_add(void *ctx, const registry_instance *i)
{
    trefs *t = ctx;

    xgrow(&t->v, &t->cap, t->n + 1, sizeof *t->v);
    t->v[t->n].instance = xstrdup(i->name);
    t->v[t->n].table = NULL;
    t->n++;
}

/* <instance>/sources.yml for each instance (the one of --instance, or
 * every one, also those without tables yet). */
static int dbt_all(export_run *x)
{
    trefs is = {0};
    errmsg err = {0};
    int rc = 0;

    if (x->instance) {
        xgrow(&is.v, &is.cap, 1, sizeof *is.v);
        is.v[0].instance = xstrdup(x->instance);
        is.v[0].table = NULL;
        is.n = 1;
    } else if (registry_instance_list(x->reg, 0, inst_name_add, &is, &err) <
               0) {
        rc = app_fail(EXIT_RUNTIME, "%s", err.msg);
    }
    for (size_t i = 0; rc == 0 && i < is.n; i++) {
        const cfg_instance *ci =
            cfg_instance_find(&app_config, is.v[i].instance);
        domain_dbt_opts o = {0};
        buf dir = {0}, doc = {0};
        o.schema = ci ? ci->dbt_schema : NULL;
        o.loaded_at_field = ci ? ci->dbt_loaded_at_field : NULL;
        o.config = ci ? ci->dbt_config : 0;
        o.base_url = app_config.base_url;
        rc = instance_dir(x, &dir, is.v[i].instance);
        if (rc == 0 &&
            domain_dbt_write(&doc, x->reg, is.v[i].instance, &o, &err) < 0)
            rc = app_fail(EXIT_RUNTIME, "%s", err.msg);
        if (rc == 0)
            rc = write_file(buf_cstr(&dir), "sources.yml", &doc);
        buf_dispose(&dir);
        buf_dispose(&doc);
    }
    trefs_dispose(&is);
    return rc;
}

/* Every table of the list, then what ends the export. */
static int export_all(export_run *x, const trefs *ts)
{
    int rc = 0;

    if (x->dbt)
        return dbt_all(x);
    if (x->odcs) {
        for (size_t i = 0; i < ts->n && rc == 0; i++) {
            progress(i, ts->n);
            rc = odcs_table(x, &ts->v[i]);
        }
        if (rc == 0)
            progress(ts->n, ts->n);
        return rc;
    }

    index_begin(x);
    for (size_t i = 0; i < ts->n && rc == 0; i++) {
        progress(i, ts->n);
        rc = export_table(x, &ts->v[i]);
    }
    if (rc)
        return rc;
    progress(ts->n, ts->n);
    if (x->csv)
        return x->last_inst ? csv_flush(x) : 0;
    if (x->md)
        return md_finish(x);
    return html_finish(x, ts->n);
}

/* Time t as people read it: "2026-12-01 10:00 UTC". */
static void export_stamp(char *out, size_t size, int64_t t)
{
    char iso[32];

    time_iso(iso, sizeof iso, t); /* 2026-12-01T10:00:00Z */
    iso[10] = ' ';
    memcpy(iso + 16, " UTC", 5); /* "2026-12-01 10:00 UTC" */
    str_copy(out, size, iso);
}

/* The format named f into x; -1 when it is none of them. */
static int export_format(export_run *x, const char *f)
{
    x->html = !strcmp(f, "html");
    x->md = !strcmp(f, "markdown") || !strcmp(f, "md");
    x->csv = !strcmp(f, "csv");
    x->dbt = !strcmp(f, "dbt");
    x->odcs = !strcmp(f, "odcs");
    return x->html || x->md || x->csv || x->dbt || x->odcs ? 0 : -1;
}

/* docket export --format html|markdown|csv|dbt|odcs --out DIR
 * [--instance I] */
int cmd_export(app_args *a)
{
    static const char u[] = "docket export --format html|markdown|csv|dbt|odcs "
                            "--out DIR [--instance I]";
    const char *format = app_opt(a, "--format");
    export_run x = {0};
    registry_table_filter f = {0};
    trefs ts = {0};
    errmsg err = {0};
    int64_t org;
    int rc = 0;

    x.out = app_opt(a, "--out");
    x.instance = app_opt(a, "--instance");
    if (app_positionals(a, u) != 0 || !format || !x.out)
        return app_fail(EXIT_USAGE, "usage: %s", u);
    if (export_format(&x, format) < 0)
        return app_fail(EXIT_USAGE,
                        "--format must be html, markdown, csv, dbt or odcs");
    x.reg = app_open_db(REGISTRY_READONLY);
    if (!x.reg)
        return EXIT_USAGE;
    if (x.instance && registry_instance_org(x.reg, &org, x.instance, &err) < 0)
        rc = app_fail(EXIT_USAGE, "%s", err.msg);
    else if (mkdir_p(x.out) < 0)
        rc = app_fail(EXIT_RUNTIME, "cannot create %s: %s", x.out,
                      strerror(errno));
    export_stamp(x.stamp, sizeof x.stamp, time_now());
    f.instance = x.instance;
    f.sort = "instance";
    if (!rc && registry_table_list(x.reg, &f, tref_add, &ts, NULL, &err) < 0)
        rc = app_fail(EXIT_RUNTIME, "%s", err.msg);
    if (!rc)
        rc = export_all(&x, &ts);
    if (rc == 0)
        printf("exported %zu table%s as %s into %s\n", ts.n,
               ts.n == 1 ? "" : "s", format, x.out);
    trefs_dispose(&ts);
    free(x.last_inst);
    buf_dispose(&x.index);
    buf_dispose(&x.csvb);
    buf_dispose(&x.search);
    registry_close(x.reg);
    return rc;
}
