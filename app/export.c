/* export.c: `docket export --format html|markdown|csv --out DIR
 * [--instance I]`: the registry for the night docket itself is down.
 *
 * - html: a static site openable from the file system (relative links
 *   only): index.html with client-side search (export-search.js over
 *   search-index.js, a plain script that sets a global, since fetch() of
 *   a file:// URL is refused by Chromium), one page per table under
 *   <instance>/<table>.html with the rules card, columns and history,
 *   changelog.html, and the app's own app.css;
 * - markdown: index.md and <instance>/<table>.md;
 * - csv: <instance>.csv per instance, a data dictionary with exactly the
 *   columns `docket import` accepts (export -> import round-trips).
 *
 * The data comes from registry_table_json (the API's JSON) and
 * registry_history_list. Progress goes to stderr when it is a terminal. */
#include "app.h"
#include "assets.h"
#include "buf.h"
#include "catalog.h"
#include "mem.h"
#include "str.h"

#include <cjson/cJSON.h>
#include <cmark.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static const char *js(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) ? v->valuestring : "";
}

static int jb(const cJSON *o, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static long long ji(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
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

static void csv_row(buf *b, const cJSON *t, const cJSON *c)
{
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(t, "rules");
    char late[16];

    snprintf(late, sizeof late, "%lld", ji(r, "late_after_minutes"));
    /* The order of registry_csv_columns. */
    const char *cells[] = {js(t, "table"),
                           c ? js(c, "name") : "",
                           c ? js(c, "type") : "",
                           c ? (jb(c, "nullable") ? "yes" : "no") : "",
                           c ? (jb(c, "primary_key") ? "yes" : "no") : "",
                           c ? js(c, "description") : "",
                           c ? js(c, "example") : "",
                           c ? (jb(c, "pii") ? "yes" : "no") : "",
                           c ? (jb(c, "consent") ? "yes" : "no") : "",
                           c ? js(c, "consent_channel") : "",
                           c ? js(c, "rule") : "",
                           c ? js(c, "status") : "",
                           js(r, "campaign_dependency"),
                           js(r, "campaign_note"),
                           js(r, "expected_arrival"),
                           late,
                           js(r, "source"),
                           js(r, "cadence"),
                           js(r, "file_pattern"),
                           js(r, "owner"),
                           js(r, "escalation"),
                           js(t, "description"),
                           js(r, "runbook"),
                           js(t, "kind"),
                           js(t, "status"),
                           jb(r, "consent_relevant") ? "yes" : "no"};

    for (size_t i = 0; i < sizeof cells / sizeof *cells; i++) {
        if (i)
            buf_putc(b, ',');
        csv_cell(b, cells[i]);
    }
    buf_puts(b, "\r\n");
}

/* ---- Markdown ----------------------------------------------------------- */

/* Every user value lands in one of three Markdown contexts, each with its
 * own writer: plain text (md_text), a code span (md_code) and the runbook
 * (md_runbook), which is Markdown by design. Whatever a value holds, the
 * result rendered by a CommonMark or GFM renderer that lets raw HTML
 * through (as wikis do) has no HTML and no link but those docket writes or
 * safe ones from the runbook. */

/* Plain text inside a line, a table cell or a paragraph: on one line
 * (line ends become spaces), outer whitespace trimmed (it would start an
 * indented code block), every character with inline meaning
 * backslash-escaped (CommonMark lets any ASCII punctuation be escaped), and
 * a leading - + = or "1." / "1)" escaped so no list or heading starts. */
static void md_text(buf *b, const char *s)
{
    const char *begin, *end;
    int digits = 1; /* only digits so far */

    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    begin = s;
    end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' ||
                       end[-1] == '\r'))
        end--;
    for (; s < end; s++) {
        if (*s == '\n' || *s == '\r' || *s == '\t') {
            buf_putc(b, ' ');
            digits = 0;
            continue;
        }
        if (strchr("\\`*_[]<>|#&!~", *s) || (s == begin && strchr("-+=", *s)) ||
            (s > begin && digits && (*s == '.' || *s == ')')))
            buf_putc(b, '\\');
        if (*s < '0' || *s > '9')
            digits = 0;
        buf_putc(b, *s);
    }
}

/* A code span holding s literally: fenced by one more backtick than the
 * longest run inside, padded with a space on each side when s starts or
 * ends with a backtick or a space (CommonMark strips one padding space
 * from each side), line ends as spaces. Nothing inside a code span is
 * markup. */
static void md_code(buf *b, const char *s)
{
    size_t run = 0, longest = 0, n = strlen(s);
    int pad, blank = 1;

    if (!n)
        return;
    for (const char *p = s; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
        if (*p != ' ')
            blank = 0;
    }
    pad = !blank &&
          (s[0] == '`' || s[0] == ' ' || s[n - 1] == '`' || s[n - 1] == ' ');
    for (size_t i = 0; i <= longest; i++)
        buf_putc(b, '`');
    if (pad)
        buf_putc(b, ' ');
    for (const char *p = s; *p; p++)
        buf_putc(b, (*p == '\n' || *p == '\r') ? ' ' : *p);
    if (pad)
        buf_putc(b, ' ');
    for (size_t i = 0; i <= longest; i++)
        buf_putc(b, '`');
}

/* 1 when a link or image destination may stay: relative (no scheme), or
 * http, https or mailto. The scheme is read as browsers do, skipping
 * leading spaces and controls and tabs and line ends anywhere. */
static int md_url_safe(const char *url)
{
    char scheme[16];
    size_t n = 0;
    const char *p = url;

    while (*p && (unsigned char)*p <= 0x20)
        p++;
    for (; *p && *p != ':'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\t' || c == '\n' || c == '\r')
            continue;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
            return 1; /* '/', '?', '#' ... before any ':': relative */
        if (n + 1 >= sizeof scheme)
            return 0;
        scheme[n++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
    }
    if (!*p)
        return 1;
    scheme[n] = '\0';
    return !strcmp(scheme, "http") || !strcmp(scheme, "https") ||
           !strcmp(scheme, "mailto");
}

/* Text nodes (with soft breaks between lines) for literal s, inserted
 * before node at. */
static void md_literal_before(cmark_node *at, const char *s)
{
    const char *line = s;

    while (*line) {
        size_t n = strcspn(line, "\n");
        cmark_node *t = cmark_node_new(CMARK_NODE_TEXT);
        char *one = xstrndup(line, n);
        cmark_node_set_literal(t, one);
        free(one);
        cmark_node_insert_before(at, t);
        line += n;
        if (*line == '\n')
            line++;
        if (*line)
            cmark_node_insert_before(at, cmark_node_new(CMARK_NODE_SOFTBREAK));
    }
}

/* The runbook note, Markdown by design: parsed with cmark and written
 * back as CommonMark with its formatting, but raw HTML (blocks and
 * inline) turned into literal text and links and images to any scheme
 * but http, https and mailto replaced by their text. */
static void md_runbook(buf *b, const char *md)
{
    cmark_node *doc =
        cmark_parse_document(md, strlen(md), CMARK_OPT_VALIDATE_UTF8);
    cmark_iter *it = cmark_iter_new(doc);
    cmark_node **todo = NULL, *n;
    size_t ntodo = 0, cap = 0;
    cmark_event_type ev;
    char *out;

    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node_type t;
        n = cmark_iter_get_node(it);
        t = cmark_node_get_type(n);
        if (ev != CMARK_EVENT_ENTER)
            continue;
        if (t == CMARK_NODE_HTML_BLOCK || t == CMARK_NODE_HTML_INLINE ||
            ((t == CMARK_NODE_LINK || t == CMARK_NODE_IMAGE) &&
             !md_url_safe(cmark_node_get_url(n) ? cmark_node_get_url(n)
                                                : ""))) {
            xgrow(&todo, &cap, ntodo + 1, sizeof *todo);
            todo[ntodo++] = n;
        }
    }
    cmark_iter_free(it);
    /* Changed after the walk; none of these nodes holds another one when
       it is freed (links and images give their children away first). */
    for (size_t i = 0; i < ntodo; i++) {
        const char *lit;
        n = todo[i];
        switch (cmark_node_get_type(n)) {
        case CMARK_NODE_HTML_BLOCK: {
            cmark_node *para = cmark_node_new(CMARK_NODE_PARAGRAPH);
            cmark_node *end = cmark_node_new(CMARK_NODE_TEXT);
            char *text;
            size_t len;
            lit = cmark_node_get_literal(n);
            text = xstrdup(lit ? lit : "");
            len = strlen(text);
            while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
                text[--len] = '\0';
            cmark_node_append_child(para, end);
            md_literal_before(end, text);
            cmark_node_free(end);
            free(text);
            cmark_node_insert_before(n, para);
            break;
        }
        case CMARK_NODE_HTML_INLINE:
            lit = cmark_node_get_literal(n);
            md_literal_before(n, lit ? lit : "");
            break;
        default: { /* an unsafe link or image: keep its text */
            cmark_node *c;
            while ((c = cmark_node_first_child(n)) != NULL)
                cmark_node_insert_before(n, c);
        }
        }
        cmark_node_free(n); /* also unlinks it */
    }
    free(todo);
    out = cmark_render_commonmark(doc, CMARK_OPT_DEFAULT, 0);
    buf_puts(b, out);
    free(out);
    cmark_node_free(doc);
}

static const char *dep_line(const char *dep)
{
    if (!strcmp(dep, "required"))
        return "REQUIRED: hold campaigns if the file is missing";
    if (!strcmp(dep, "optional"))
        return "OPTIONAL: campaigns may run without it";
    return "NOT STATED: ask the owner before running campaigns without it";
}

static void md_table(buf *b, const cJSON *t, const char *stamp)
{
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(t, "rules");
    const cJSON *c;

    buf_puts(b, "# ");
    md_text(b, js(t, "table"));
    buf_puts(b, " (");
    md_text(b, js(t, "instance"));
    buf_puts(b, ")\n\n**");
    buf_puts(b, dep_line(js(r, "campaign_dependency")));
    buf_puts(b, "**\n\n");
    if (*js(r, "campaign_note")) {
        md_text(b, js(r, "campaign_note"));
        buf_puts(b, "\n\n");
    }
    buf_puts(b, "- Expected: ");
    if (*js(r, "expected_arrival")) {
        md_text(b, js(r, "expected_arrival"));
        buf_puts(b, " UTC");
        if (ji(r, "late_after_minutes") > 0) {
            buf_puts(b, ", missing after ");
            md_text(b, js(r, "missing_after"));
        }
    } else {
        buf_puts(b, "not recorded");
    }
    buf_puts(b, "\n- Source: ");
    md_text(b, js(r, "source"));
    buf_puts(b, " ");
    md_text(b, js(r, "cadence"));
    if (*js(r, "file_pattern")) {
        buf_putc(b, ' ');
        md_code(b, js(r, "file_pattern"));
    }
    buf_puts(b, "\n- Owner: ");
    md_text(b, js(r, "owner"));
    buf_puts(b, "\n- Escalation: ");
    md_text(b, js(r, "escalation"));
    buf_puts(b, "\n- Consent: ");
    buf_puts(b, jb(r, "consent_relevant") ? "consent-relevant"
                                          : "not consent-relevant");
    buf_puts(b, "\n- Status: ");
    md_text(b, js(t, "status"));
    buf_puts(b, "\n\n");
    if (*js(t, "description")) {
        md_text(b, js(t, "description"));
        buf_puts(b, "\n\n");
    }
    if (*js(r, "runbook")) {
        buf_puts(b, "## Runbook\n\n");
        md_runbook(b, js(r, "runbook"));
        buf_puts(b, "\n");
    }
    buf_puts(b, "## Columns\n\n| Column | Type | Description | Flags |\n"
                "| --- | --- | --- | --- |\n");
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(t, "columns"))
    {
        buf_puts(b, "| ");
        md_text(b, js(c, "name"));
        buf_puts(b, " | ");
        md_text(b, js(c, "type"));
        buf_puts(b, " | ");
        md_text(b, js(c, "description"));
        buf_puts(b, " | ");
        if (jb(c, "primary_key"))
            buf_puts(b, "PK ");
        if (jb(c, "pii"))
            buf_puts(b, "PII ");
        if (jb(c, "consent")) {
            buf_puts(b, "consent ");
            md_text(b, js(c, "consent_channel"));
        }
        if (strcmp(js(c, "status"), "active")) {
            buf_putc(b, ' ');
            md_text(b, js(c, "status"));
        }
        buf_puts(b, " |\n");
    }
    buf_puts(b, "\n## History\n\n");
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(t, "history"))
    {
        const cJSON *ov = cJSON_GetObjectItemCaseSensitive(c, "old");
        const cJSON *nv = cJSON_GetObjectItemCaseSensitive(c, "new");
        buf_puts(b, "- ");
        md_text(b, js(c, "at"));
        buf_puts(b, " ");
        if (*js(c, "column")) {
            md_text(b, js(c, "column"));
            buf_puts(b, ": ");
        }
        md_text(b, js(c, "field"));
        buf_puts(b, " ");
        md_text(b, cJSON_IsString(ov) ? ov->valuestring : "-");
        buf_puts(b, " → ");
        md_text(b, cJSON_IsString(nv) ? nv->valuestring : "-");
        if (ji(c, "request") > 0)
            buf_appendf(b, " (CR-%lld)", ji(c, "request"));
        else {
            buf_puts(b, " (");
            md_text(b, js(c, "reason"));
            buf_puts(b, ")");
        }
        buf_puts(b, "\n");
    }
    buf_puts(b, "\n_Exported ");
    buf_puts(b, stamp);
    buf_puts(b, "_\n");
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

static void html_dep(buf *b, const char *dep)
{
    buf_puts(b, "<p class=\"dependency");
    if (!strcmp(dep, "required"))
        buf_puts(b, " required\"><strong>REQUIRED</strong>: hold campaigns "
                    "if the file is missing</p>");
    else if (!strcmp(dep, "optional"))
        buf_puts(b, " optional\"><strong>OPTIONAL</strong>: campaigns may "
                    "run without it</p>");
    else
        buf_puts(b, "\"><strong>NOT STATED</strong>: ask the owner before "
                    "running campaigns without it</p>");
}

static void html_markdown(buf *b, const char *md)
{
    char *html = cmark_markdown_to_html(
        md, strlen(md), CMARK_OPT_SAFE | CMARK_OPT_VALIDATE_UTF8);

    if (html)
        buf_puts(b, html);
    free(html);
}

static void html_table(buf *b, const cJSON *t, const char *stamp)
{
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(t, "rules");
    const cJSON *c;

    html_head(b, js(t, "table"), "../");
    buf_puts(b, "<h1>");
    buf_append_html(b, js(t, "table"));
    buf_puts(b, " <span class=\"badge status-");
    buf_append_html(b, js(t, "status"));
    buf_puts(b, "\">");
    buf_append_html(b, js(t, "status"));
    buf_puts(b, "</span></h1><p class=\"muted\">");
    buf_append_html(b, js(t, "instance"));
    buf_puts(b, " · ");
    buf_append_html(b, js(t, "environment"));
    buf_puts(b, "</p><section class=\"card rules-card\">");
    html_dep(b, js(r, "campaign_dependency"));
    if (*js(r, "campaign_note")) {
        buf_puts(b, "<p>");
        buf_append_html(b, js(r, "campaign_note"));
        buf_puts(b, "</p>");
    }
    buf_puts(b, "<dl class=\"facts\"><dt>Expected</dt><dd>");
    if (*js(r, "expected_arrival")) {
        buf_append_html(b, js(r, "expected_arrival"));
        buf_puts(b, " UTC");
        if (ji(r, "late_after_minutes") > 0) {
            buf_puts(b, ", missing after ");
            buf_append_html(b, js(r, "missing_after"));
        }
    } else {
        buf_puts(b, "not recorded");
    }
    buf_puts(b, "</dd><dt>Source</dt><dd>");
    buf_append_html(b, js(r, "source"));
    buf_puts(b, " ");
    buf_append_html(b, js(r, "cadence"));
    if (*js(r, "file_pattern")) {
        buf_puts(b, " <code>");
        buf_append_html(b, js(r, "file_pattern"));
        buf_puts(b, "</code>");
    }
    buf_puts(b, "</dd><dt>Owner</dt><dd>");
    buf_append_html(b, js(r, "owner"));
    buf_puts(b, "</dd><dt>Escalation</dt><dd>");
    buf_append_html(b, js(r, "escalation"));
    buf_puts(b, "</dd><dt>Consent</dt><dd>");
    buf_puts(b, jb(r, "consent_relevant")
                    ? "<span class=\"badge consent\">consent-relevant</span>"
                    : "not consent-relevant");
    buf_puts(b, "</dd></dl>");
    if (*js(t, "description")) {
        buf_puts(b, "<p>");
        buf_append_html(b, js(t, "description"));
        buf_puts(b, "</p>");
    }
    if (*js(r, "runbook")) {
        buf_puts(b, "<div class=\"runbook\"><h2>Runbook</h2>");
        html_markdown(b, js(r, "runbook"));
        buf_puts(b, "</div>");
    }
    buf_puts(b, "</section><section class=\"card\"><h2>Columns</h2><table "
                "class=\"table\"><thead><tr><th scope=\"col\">Column</th><th "
                "scope=\"col\">Type</th><th scope=\"col\">Description</th>"
                "<th scope=\"col\">Flags</th></tr></thead><tbody>");
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(t, "columns"))
    {
        buf_puts(b, "<tr><th scope=\"row\"><code>");
        buf_append_html(b, js(c, "name"));
        buf_puts(b, "</code></th><td><code>");
        buf_append_html(b, js(c, "type"));
        buf_puts(b, "</code></td><td>");
        buf_append_html(b, js(c, "description"));
        buf_puts(b, "</td><td>");
        if (jb(c, "primary_key"))
            buf_puts(b, "<span class=\"badge\">PK</span> ");
        if (jb(c, "pii"))
            buf_puts(b, "<span class=\"badge pii\">PII</span> ");
        if (jb(c, "consent")) {
            buf_puts(b, "<span class=\"badge consent\">consent ");
            buf_append_html(b, js(c, "consent_channel"));
            buf_puts(b, "</span> ");
        }
        if (strcmp(js(c, "status"), "active")) {
            buf_puts(b, "<span class=\"badge status-");
            buf_append_html(b, js(c, "status"));
            buf_puts(b, "\">");
            buf_append_html(b, js(c, "status"));
            buf_puts(b, "</span>");
        }
        buf_puts(b, "</td></tr>");
    }
    buf_puts(b, "</tbody></table></section><section class=\"card\"><h2>"
                "History</h2><ol class=\"timeline\">");
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(t, "history"))
    {
        const cJSON *ov = cJSON_GetObjectItemCaseSensitive(c, "old");
        const cJSON *nv = cJSON_GetObjectItemCaseSensitive(c, "new");
        buf_puts(b, "<li><time>");
        buf_append_html(b, js(c, "at"));
        buf_puts(b, "</time> ");
        if (*js(c, "column")) {
            buf_puts(b, "<code>");
            buf_append_html(b, js(c, "column"));
            buf_puts(b, "</code> ");
        }
        buf_append_html(b, js(c, "field"));
        buf_puts(b, ": ");
        buf_append_html(b, cJSON_IsString(ov) ? ov->valuestring : "—");
        buf_puts(b, " → ");
        buf_append_html(b, cJSON_IsString(nv) ? nv->valuestring : "—");
        buf_puts(b, " <span class=\"muted\">");
        if (ji(c, "request") > 0)
            buf_appendf(b, "CR-%lld", ji(c, "request"));
        else
            buf_append_html(b, js(c, "reason"));
        buf_puts(b, "</span></li>");
    }
    buf_puts(b, "</ol></section>");
    html_foot(b, stamp);
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

typedef struct change_ctx {
    buf *b;
} change_ctx;

static void change_html(void *ctx, const registry_history_row *h)
{
    buf *b = ((change_ctx *)ctx)->b;
    char at[32];
    buf dir = {0};

    time_iso(at, sizeof at, h->created_at);
    safe_name(&dir, h->instance);
    buf_puts(b, "<li><time>");
    buf_puts(b, at);
    buf_puts(b, "</time> <a href=\"");
    buf_append_html(b, buf_cstr(&dir));
    buf_putc(b, '/');
    buf_append_html(b, h->table);
    buf_puts(b, ".html\">");
    buf_append_html(b, h->instance);
    buf_puts(b, " · ");
    buf_append_html(b, h->table);
    buf_puts(b, "</a> ");
    if (*h->column) {
        buf_puts(b, "<code>");
        buf_append_html(b, h->column);
        buf_puts(b, "</code> ");
    }
    buf_append_html(b, h->field);
    buf_puts(b, ": ");
    buf_append_html(b, h->old_value ? h->old_value : "—");
    buf_puts(b, " → ");
    buf_append_html(b, h->new_value ? h->new_value : "—");
    buf_puts(b, " <span class=\"muted\">");
    if (h->request_id > 0)
        buf_appendf(b, "CR-%lld", (long long)h->request_id);
    else
        buf_append_html(b, h->reason);
    buf_puts(b, "</span></li>\n");
    buf_dispose(&dir);
}

/* docket export --format html|markdown|csv --out DIR [--instance I] */
int cmd_export(app_args *a)
{
    static const char u[] =
        "docket export --format html|markdown|csv --out DIR [--instance I]";
    const char *format = app_opt(a, "--format");
    const char *out = app_opt(a, "--out");
    const char *instance = app_opt(a, "--instance");
    registry_table_filter f = {0};
    trefs ts = {0};
    registry *reg = NULL;
    errmsg err = {0};
    char stamp[32];
    buf index = {0}, csv = {0}, search = {0};
    char *last_inst = NULL;
    int rc = 0, html, md, csvf;

    if (app_positionals(a, u) != 0 || !format || !out)
        return app_fail(EXIT_USAGE, "usage: %s", u);
    html = !strcmp(format, "html");
    md = !strcmp(format, "markdown") || !strcmp(format, "md");
    csvf = !strcmp(format, "csv");
    if (!html && !md && !csvf)
        return app_fail(EXIT_USAGE, "--format must be html, markdown or csv");
    if (!(reg = app_open_db(REGISTRY_READONLY)))
        return EXIT_USAGE;
    if (instance) {
        int64_t org;
        if (registry_instance_org(reg, &org, instance, &err) < 0) {
            rc = app_fail(EXIT_USAGE, "%s", err.msg);
            goto done;
        }
    }
    if (mkdir_p(out) < 0) {
        rc = app_fail(EXIT_RUNTIME, "cannot create %s: %s", out,
                      strerror(errno));
        goto done;
    }
    time_iso(stamp, sizeof stamp, time_now());
    f.instance = instance;
    f.sort = "instance";
    if (registry_table_list(reg, &f, tref_add, &ts, NULL, &err) < 0) {
        rc = app_fail(EXIT_RUNTIME, "%s", err.msg);
        goto done;
    }
    if (html) {
        html_head(&index, "Tables", "");
        buf_puts(&index, "<h1>Tables</h1><form class=\"lookup-box\" "
                         "role=\"search\" onsubmit=\"return false\"><label "
                         "for=\"q\">Which table?</label><input id=\"q\" "
                         "type=\"search\" autofocus autocomplete=\"off\" "
                         "placeholder=\"Start typing a table name\"></form>"
                         "<ul id=\"results\" class=\"stack results\"></ul>");
        buf_puts(&search, "window.DOCKET_SEARCH_INDEX = [\n");
    } else if (md) {
        buf_puts(&index, "# Registry\n\n_Exported ");
        buf_puts(&index, stamp);
        buf_puts(&index, "_\n\n");
    }
    for (size_t i = 0; i < ts.n; i++) {
        const char *inst = ts.v[i].instance, *tbl = ts.v[i].table;
        cJSON *t = registry_table_json(reg, inst, tbl, &err);
        const cJSON *r;
        buf dir = {0}, page = {0}, path = {0}, name = {0};
        int new_inst = !last_inst || strcmp(last_inst, inst);

        progress(i, ts.n);
        if (!t) {
            rc = app_fail(EXIT_RUNTIME, "%s", err.msg);
            goto done;
        }
        r = cJSON_GetObjectItemCaseSensitive(t, "rules");
        safe_name(&name, inst);
        if (csvf) {
            const cJSON *c;
            int ncol = 0;
            if (new_inst && last_inst) {
                buf fname = {0};
                safe_name(&fname, last_inst);
                buf_puts(&fname, ".csv");
                rc = write_file(out, buf_cstr(&fname), &csv);
                buf_dispose(&fname);
                buf_reset(&csv);
                if (rc)
                    goto table_done;
            }
            if (new_inst)
                for (size_t k = 0; k < registry_csv_ncolumns; k++) {
                    buf_puts(&csv, k ? "," : "");
                    buf_puts(&csv, registry_csv_columns[k]);
                }
            if (new_inst)
                buf_puts(&csv, "\r\n");
            cJSON_ArrayForEach(c,
                               cJSON_GetObjectItemCaseSensitive(t, "columns"))
            {
                csv_row(&csv, t, c);
                ncol++;
            }
            if (!ncol)
                csv_row(&csv, t, NULL);
        } else {
            buf_puts(&dir, out);
            buf_putc(&dir, '/');
            buf_append(&dir, buf_cstr(&name), name.len);
            if (mkdir_p(buf_cstr(&dir)) < 0) {
                rc = app_fail(EXIT_RUNTIME, "cannot create %s", buf_cstr(&dir));
                goto table_done;
            }
            buf_puts(&path, tbl);
            buf_puts(&path, html ? ".html" : ".md");
            if (html)
                html_table(&page, t, stamp);
            else
                md_table(&page, t, stamp);
            if ((rc = write_file(buf_cstr(&dir), buf_cstr(&path), &page)))
                goto table_done;
            if (html) {
                cJSON *e = cJSON_CreateObject();
                buf href = {0}, text = {0};
                char *s;
                const cJSON *c;
                if (new_inst) {
                    if (last_inst)
                        buf_puts(&index, "</tbody></table></section>");
                    buf_puts(&index, "<section class=\"card\"><h2>");
                    buf_append_html(&index, inst);
                    buf_puts(&index, "</h2><table class=\"table\"><thead><tr>"
                                     "<th scope=\"col\">Table</th><th "
                                     "scope=\"col\">Campaigns</th><th "
                                     "scope=\"col\">Expected</th><th "
                                     "scope=\"col\">Owner</th></tr></thead>"
                                     "<tbody>");
                }
                buf_append(&href, buf_cstr(&name), name.len);
                buf_putc(&href, '/');
                buf_puts(&href, buf_cstr(&path));
                buf_puts(&index, "<tr><th scope=\"row\"><a href=\"");
                buf_append_html(&index, buf_cstr(&href));
                buf_puts(&index, "\">");
                buf_append_html(&index, tbl);
                buf_puts(&index, "</a></th><td>");
                if (!strcmp(js(r, "campaign_dependency"), "required"))
                    buf_puts(&index, "<span class=\"badge required\">"
                                     "REQUIRED</span>");
                else if (!strcmp(js(r, "campaign_dependency"), "optional"))
                    buf_puts(&index, "<span class=\"badge optional\">"
                                     "OPTIONAL</span>");
                buf_puts(&index, "</td><td>");
                buf_append_html(&index, js(r, "expected_arrival"));
                buf_puts(&index, "</td><td>");
                buf_append_html(&index, js(r, "owner"));
                buf_puts(&index, "</td></tr>");
                /* The search index: names, descriptions, columns. */
                buf_puts(&text, tbl);
                buf_putc(&text, ' ');
                buf_puts(&text, js(t, "description"));
                cJSON_ArrayForEach(
                    c, cJSON_GetObjectItemCaseSensitive(t, "columns"))
                {
                    buf_putc(&text, ' ');
                    buf_puts(&text, js(c, "name"));
                }
                cJSON_AddStringToObject(e, "instance", inst);
                cJSON_AddStringToObject(e, "table", tbl);
                cJSON_AddStringToObject(e, "dependency",
                                        js(r, "campaign_dependency"));
                cJSON_AddStringToObject(e, "href", buf_cstr(&href));
                {
                    char *low = str_lower(xstrdup(buf_cstr(&text)));
                    cJSON_AddStringToObject(e, "text", low);
                    free(low);
                }
                s = cJSON_PrintUnformatted(e);
                /* cJSON leaves "<" alone: a "</script>" inside a name
                   cannot end anything here, the file is a script of its
                   own, not inline. */
                buf_puts(&search, s);
                buf_puts(&search, ",\n");
                cJSON_free(s);
                cJSON_Delete(e);
                buf_dispose(&href);
                buf_dispose(&text);
            } else {
                if (new_inst) {
                    buf_puts(&index, "\n## ");
                    md_text(&index, inst);
                    buf_puts(&index, "\n\n");
                }
                buf_puts(&index, "- [");
                md_text(&index, tbl);
                buf_puts(&index, "](");
                buf_append_url(&index, buf_cstr(&name));
                buf_putc(&index, '/');
                buf_append_url(&index, buf_cstr(&path));
                buf_puts(&index, "): ");
                buf_puts(&index,
                         !strcmp(js(r, "campaign_dependency"), "required")
                             ? "**REQUIRED**"
                         : !strcmp(js(r, "campaign_dependency"), "optional")
                             ? "OPTIONAL"
                             : "not stated");
                if (*js(r, "expected_arrival")) {
                    buf_puts(&index, ", expected ");
                    md_text(&index, js(r, "expected_arrival"));
                    buf_puts(&index, " UTC");
                }
                buf_puts(&index, "\n");
            }
        }
    table_done:
        free(last_inst);
        last_inst = xstrdup(inst);
        cJSON_Delete(t);
        buf_dispose(&dir);
        buf_dispose(&page);
        buf_dispose(&path);
        buf_dispose(&name);
        if (rc)
            goto done;
    }
    progress(ts.n, ts.n);
    if (csvf) {
        buf fname = {0};
        if (last_inst) {
            safe_name(&fname, last_inst);
            buf_puts(&fname, ".csv");
            rc = write_file(out, buf_cstr(&fname), &csv);
        }
        buf_dispose(&fname);
    } else if (md) {
        rc = write_file(out, "index.md", &index);
    } else {
        buf changes = {0}, css = {0}, js_file = {0};
        registry_history_filter hf = {0};
        change_ctx cc = {&changes};
        if (last_inst)
            buf_puts(&index, "</tbody></table></section>");
        if (!ts.n)
            buf_puts(&index, "<p class=\"muted\">The registry is empty.</p>");
        buf_puts(&index, "<script src=\"search-index.js\"></script>"
                         "<script src=\"export-search.js\"></script>");
        html_foot(&index, stamp);
        buf_puts(&search, "];\n");
        html_head(&changes, "Changes", "");
        buf_puts(&changes, "<h1>Registry changes</h1><section "
                           "class=\"card\"><ol class=\"timeline\">");
        hf.instance = instance;
        hf.limit = 5000;
        if (registry_history_list(reg, &hf, change_html, &cc, &err) < 0)
            rc = app_fail(EXIT_RUNTIME, "%s", err.msg);
        buf_puts(&changes, "</ol></section>");
        html_foot(&changes, stamp);
        for (size_t k = 0; web_assets[k].name; k++)
            if (!strcmp(web_assets[k].name, "app.css"))
                buf_append(&css, web_assets[k].data, web_assets[k].size);
        buf_puts(&js_file, export_search_js);
        if (!rc && !(rc = write_file(out, "index.html", &index)) &&
            !(rc = write_file(out, "changelog.html", &changes)) &&
            !(rc = write_file(out, "app.css", &css)) &&
            !(rc = write_file(out, "search-index.js", &search)))
            rc = write_file(out, "export-search.js", &js_file);
        buf_dispose(&changes);
        buf_dispose(&css);
        buf_dispose(&js_file);
    }
    if (rc == 0)
        printf("exported %zu table%s as %s into %s\n", ts.n,
               ts.n == 1 ? "" : "s", format, out);
done:
    for (size_t i = 0; i < ts.n; i++) {
        free(ts.v[i].instance);
        free(ts.v[i].table);
    }
    free(ts.v);
    free(last_inst);
    buf_dispose(&index);
    buf_dispose(&csv);
    buf_dispose(&search);
    registry_close(reg);
    return rc;
}
