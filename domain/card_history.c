/* card_history.c: the registry history as changes. A change is what one
 * request deploy, import or hand edit wrote (registry_change, or a run of
 * a card's history rows with one change id); it is shown as one entry:
 * when, a one-line summary ("new table loyalty_members with 12 columns",
 * "3 fields of customers changed: Rule of tier, Campaign note, Owner"),
 * who and why, and the fields with the form's labels (forms/def.h) inside
 * a collapsed <details>. Used by the rules card's back ends (card_html.c,
 * card_text.c), /changes and its Atom feed (web/page_catalog_changes.c),
 * the column page and the export's changelogs (app/export.c). */
#include "card.h"
#include "adopt.h"
#include "card_int.h"
#include "def.h"
#include "mem.h"
#include "str.h"

#include <stdlib.h>
#include <string.h>

/* ---- labels and values -------------------------------------------------- */

/* Table fields the change-request form does not have. */
static const struct {
    const char *field, *label;
} own_labels[] = {{"kind", "Kind"},
                  {"status", "Status"},
                  {"runbook", "Runbook note"},
                  {"consent_relevant", "Consent-relevant"},
                  {"description", "Description"}};

static const char *const flag_fields[] = {"consent_relevant", "nullable",
                                          "primary_key", "pii", "consent"};

const char *card_field_label(const char *column, const char *field)
{
    int of_column = column && *column;
    const form_field *d;

    if (!of_column)
        for (size_t i = 0; i < sizeof own_labels / sizeof *own_labels; i++)
            if (!strcmp(field, own_labels[i].field))
                return own_labels[i].label;
    if (of_column && !strcmp(field, "status"))
        return "Status";
    d = form_def_field_key(of_column ? FORM_LEVEL_COLUMN : FORM_LEVEL_ITEM,
                           field, strlen(field));
    return d && d->label ? d->label : field;
}

static int is_flag(const char *field)
{
    for (size_t i = 0; i < sizeof flag_fields / sizeof *flag_fields; i++)
        if (!strcmp(field, flag_fields[i]))
            return 1;
    return 0;
}

const char *card_choice_label(const char *column, const char *field,
                              const char *value)
{
    int of_column = column && *column;
    const form_field *d;
    const char *label = NULL;

    if (!value || !*value || !field)
        return value ? value : "";
    if (!of_column && !strcmp(field, "kind")) {
        size_t n;
        const form_choice *k = form_def_kinds(&n);
        for (size_t i = 0; i < n; i++)
            if (!strcmp(k[i].value, value))
                label = k[i].label;
    } else if (strcmp(field, "type") != 0) {
        d = form_def_field_key(of_column ? FORM_LEVEL_COLUMN : FORM_LEVEL_ITEM,
                               field, strlen(field));
        if (d && d->choices)
            label = form_def_choice_label(d, value);
    }
    return label ? label : value;
}

void card_field_value(buf *o, const char *column, const char *field,
                      const char *value, void (*esc)(buf *o, const char *s))
{
    int of_column = column && *column;

    if (!value || !*value) {
        buf_puts(o, "(empty)");
        return;
    }
    if (is_flag(field) && (!strcmp(value, "1") || !strcmp(value, "0"))) {
        buf_puts(o, *value == '1' ? "yes" : "no");
        return;
    }
    if (!of_column && !strcmp(field, "campaign_dependency")) {
        buf_puts(o, card_dep_named(value)->badge);
        return;
    }
    esc(o, card_choice_label(column, field, value));
}

/* ---- what a change did, in one line ------------------------------------- */

/* The rows of one table of a change, sorted into what they did. */
typedef struct tstat {
    const char *table;
    int created;     /* the change created the table */
    size_t nnew;     /* columns added or brought back */
    size_t nretired; /* columns retired */
    size_t nchanged; /* other fields set */
    const card_change_view *added[5], *retired[5], *changed[5];
} tstat;

static const char *row_table(const card_group *g, const card_change_view *v)
{
    return v->link_table && *v->link_table ? v->link_table
           : g->table                      ? g->table
                                           : "";
}

/* The row brings a column in: added, or back from retired. */
static int row_new_column(const card_change_view *v)
{
    return (*v->column && !strcmp(v->field, "column") && !v->old_value) ||
           (*v->column && !strcmp(v->field, "status") && v->old_value &&
            !strcmp(v->old_value, "retired") && v->new_value &&
            strcmp(v->new_value, "retired") != 0);
}

static void keep(const card_change_view **list, size_t n,
                 const card_change_view *v)
{
    if (n < 5)
        list[n] = v;
}

/* 1 when column col of table t came in with this change (rows
 * [0, n) of g). */
static int column_is_new(const card_group *g, const char *t, const char *col)
{
    for (size_t i = 0; i < g->nrows; i++) {
        const card_change_view *v = &g->rows[i];
        if (row_new_column(v) && !str_casecmp(v->column, col) &&
            !str_casecmp(row_table(g, v), t))
            return 1;
    }
    return 0;
}

/* The per-table statistics of g into a new array (caller frees). */
static tstat *group_stats(const card_group *g, size_t *out_n)
{
    tstat *s = NULL;
    size_t n = 0, cap = 0;

    for (size_t i = 0; i < g->nrows; i++) {
        const card_change_view *v = &g->rows[i];
        const char *t = row_table(g, v);
        tstat *ts = NULL;
        for (size_t k = 0; k < n && !ts; k++)
            if (!str_casecmp(s[k].table, t))
                ts = &s[k];
        if (!ts) {
            xgrow(&s, &cap, n + 1, sizeof *s);
            ts = &s[n++];
            memset(ts, 0, sizeof *ts);
            ts->table = t;
        }
        if (!*v->column && !strcmp(v->field, "table") && !v->old_value) {
            ts->created = 1;
        } else if (row_new_column(v)) {
            keep(ts->added, ts->nnew++, v);
        } else if (*v->column && !strcmp(v->field, "status") && v->new_value &&
                   !strcmp(v->new_value, "retired")) {
            keep(ts->retired, ts->nretired++, v);
        } else if (!*v->column || !column_is_new(g, t, v->column)) {
            /* A field of a new column is part of adding it. */
            int dup = 0;
            for (size_t k = 0; k < ts->nchanged && k < 5; k++)
                dup |= !strcmp(ts->changed[k]->field, v->field) &&
                       !strcmp(ts->changed[k]->column, v->column);
            if (!dup)
                keep(ts->changed, ts->nchanged++, v);
        }
    }
    *out_n = n;
    return s;
}

/* How a medium writes the summary: text through esc, a table's name
 * through table (NULL: esc). */
typedef struct words {
    const card_group *g;
    void (*esc)(buf *o, const char *s);
    void (*table)(buf *o, const char *instance, const char *table, void *ctx);
    void *ctx;
} words;

static void w_table(const words *w, buf *o, const char *t)
{
    if (w->table)
        w->table(o, w->g->instance, t, w->ctx);
    else
        w->esc(o, t);
}

/* ", name, name and 3 more" after the first name. */
static void w_more(buf *o, size_t shown, size_t n)
{
    if (n > shown)
        buf_appendf(o, " and %zu more", n - shown);
}

/* The column names of list (n in all, at most 5 kept). */
static void w_columns(const words *w, buf *o,
                      const card_change_view *const *list, size_t n)
{
    size_t shown = n < 5 ? n : 5;

    for (size_t i = 0; i < shown; i++) {
        if (i)
            buf_puts(o, ", ");
        w->esc(o, list[i]->column);
    }
    w_more(o, shown, n);
}

/* "Rule of tier", "Owner". */
static void w_field(const words *w, buf *o, const card_change_view *v)
{
    w->esc(o, card_field_label(v->column, v->field));
    if (*v->column) {
        buf_puts(o, " of ");
        w->esc(o, v->column);
    }
}

static void part_sep(buf *o, int *first)
{
    if (!*first)
        buf_puts(o, "; ");
    *first = 0;
}

/* " to T" / " of T" the first time a table's sentences name it, nothing
 * after: "column x added to T; 2 fields changed: ...". */
static void w_of(const words *w, buf *o, const char *pre, const tstat *t,
                 int *named)
{
    if (*named)
        return;
    buf_puts(o, pre);
    w_table(w, o, t->table);
    *named = 1;
}

/* The sentences of one table that the change did not create. */
static void w_table_parts(const words *w, buf *o, const tstat *t, int *first)
{
    int named = 0;

    if (t->nnew) {
        part_sep(o, first);
        if (t->nnew == 1) {
            buf_puts(o, "column ");
            w->esc(o, t->added[0]->column);
            buf_puts(o, " added");
            w_of(w, o, " to ", t, &named);
        } else {
            buf_appendf(o, "%zu columns added", t->nnew);
            w_of(w, o, " to ", t, &named);
            buf_puts(o, ": ");
            w_columns(w, o, t->added, t->nnew);
        }
    }
    if (t->nretired) {
        part_sep(o, first);
        if (t->nretired == 1) {
            buf_puts(o, "column ");
            w->esc(o, t->retired[0]->column);
            w_of(w, o, " of ", t, &named);
            buf_puts(o, " retired");
        } else {
            buf_appendf(o, "%zu columns", t->nretired);
            w_of(w, o, " of ", t, &named);
            buf_puts(o, " retired: ");
            w_columns(w, o, t->retired, t->nretired);
        }
    }
    if (t->nchanged) {
        size_t shown = t->nchanged < 5 ? t->nchanged : 5;
        part_sep(o, first);
        buf_appendf(o, "%zu field%s", t->nchanged, t->nchanged == 1 ? "" : "s");
        w_of(w, o, " of ", t, &named);
        buf_puts(o, " changed: ");
        for (size_t i = 0; i < shown; i++) {
            if (i)
                buf_puts(o, ", ");
            w_field(w, o, t->changed[i]);
        }
        w_more(o, shown, t->nchanged);
    }
}

/* "new table T with 3 columns", or "2 new tables with 9 columns: a, b". */
static void w_created(const words *w, buf *o, const tstat *s, size_t n,
                      int *first)
{
    size_t ncreated = 0, ncols = 0, shown = 0;

    for (size_t i = 0; i < n; i++)
        if (s[i].created) {
            ncreated++;
            ncols += s[i].nnew;
        }
    if (!ncreated)
        return;
    part_sep(o, first);
    if (ncreated == 1) {
        for (size_t i = 0; i < n; i++)
            if (s[i].created) {
                buf_puts(o, "new table ");
                w_table(w, o, s[i].table);
            }
        if (ncols)
            buf_appendf(o, " with %zu column%s", ncols, ncols == 1 ? "" : "s");
        return;
    }
    buf_appendf(o, "%zu new tables with %zu column%s: ", ncreated, ncols,
                ncols == 1 ? "" : "s");
    for (size_t i = 0; i < n && shown < 5; i++)
        if (s[i].created) {
            if (shown++)
                buf_puts(o, ", ");
            w_table(w, o, s[i].table);
        }
    w_more(o, shown, ncreated);
}

static void summary(const words *w, buf *o)
{
    size_t n, nother = 0, shown = 0;
    tstat *s = group_stats(w->g, &n);
    int first = 1;

    w_created(w, o, s, n, &first);
    for (size_t i = 0; i < n; i++)
        if (!s[i].created && (s[i].nnew || s[i].nretired || s[i].nchanged))
            nother++;
    if (nother <= 2) {
        for (size_t i = 0; i < n; i++)
            if (!s[i].created)
                w_table_parts(w, o, &s[i], &first);
    } else {
        part_sep(o, &first);
        buf_appendf(o, "%zu tables changed: ", nother);
        for (size_t i = 0; i < n && shown < 5; i++)
            if (!s[i].created &&
                (s[i].nnew || s[i].nretired || s[i].nchanged)) {
                if (shown++)
                    buf_puts(o, ", ");
                w_table(w, o, s[i].table);
            }
        w_more(o, shown, nother);
    }
    if (first)
        buf_puts(o, w->g->nrows ? "no field changed" : "nothing recorded");
    free(s);
}

void card_group_summary(buf *o, const card_group *g,
                        void (*esc)(buf *o, const char *s),
                        void (*table)(buf *o, const char *instance,
                                      const char *table, void *ctx),
                        void *ctx)
{
    words w = {g, esc, table, ctx};

    summary(&w, o);
}

/* ---- who and why -------------------------------------------------------- */

/* An adopt (registry/adopt.h) is kept as a change of kind "import" with
 * its own reason: told as what it was, never as a dictionary import. */
static int is_adopt(registry_change_kind kind, const char *reason)
{
    return kind == REGISTRY_CHANGE_IMPORT && reason &&
           !strcmp(reason, REGISTRY_ADOPT_REASON);
}

void card_group_why(buf *o, const card_group *g,
                    void (*esc)(buf *o, const char *s),
                    void (*request)(buf *o, int64_t id))
{
    switch (g->kind) {
    case REGISTRY_CHANGE_REQUEST:
        buf_puts(o, "Deployed ");
        if (g->request_id > 0 && request)
            request(o, g->request_id);
        else if (g->request_id > 0)
            buf_appendf(o, "CR-%lld", (long long)g->request_id);
        else
            buf_puts(o, "a request");
        card_wrapped(o, " “", g->request_title, "”", esc);
        card_wrapped(o, " to ", g->instance, "", esc);
        break;
    case REGISTRY_CHANGE_IMPORT:
        if (is_adopt(g->kind, g->reason)) {
            buf_puts(o, "Adopted from the live database");
            card_wrapped(o, " into ", g->instance, "", esc);
            break;
        }
        buf_puts(o, "Imported ");
        if (g->source && *g->source)
            esc(o, g->source);
        else
            buf_puts(o, "a data dictionary");
        card_wrapped(o, " into ", g->instance, "", esc);
        break;
    default:
        buf_puts(o, "Edited");
        card_wrapped(o, " in ", g->instance, "", esc);
        break;
    }
    card_wrapped(o, " by ", g->user, "", esc);
    if (g->kind == REGISTRY_CHANGE_EDIT)
        card_wrapped(o, " · reason: ", g->reason, "", esc);
}

/* ---- grouping ----------------------------------------------------------- */

void card_history_each(const registry_card *c,
                       void (*fn)(void *ctx, const card_group *g), void *ctx)
{
    card_change_view *rows = NULL;
    size_t cap = 0;

    for (size_t i = 0; i < c->nhistory;) {
        const registry_card_change *h = &c->history[i];
        size_t end = i + 1, n;
        char at[32];
        card_group g = {0};

        /* History is newest first; one change's rows are a run. */
        while (h->change_id && end < c->nhistory &&
               c->history[end].change_id == h->change_id)
            end++;
        n = end - i;
        xgrow(&rows, &cap, n, sizeof *rows);
        time_iso(at, sizeof at, h->at);
        for (size_t k = 0; k < n; k++) {
            const registry_card_change *r = &c->history[end - 1 - k];
            card_change_view v = {at,           r->column,    r->field,
                                  r->old_value, r->new_value, r->request_id,
                                  r->user,      r->reason,    NULL,
                                  NULL};
            rows[k] = v;
        }
        g.id = h->change_id;
        g.kind = h->change_kind;
        g.at = at;
        g.instance = c->instance;
        g.table = c->table;
        g.request_id = h->request_id;
        g.request_title = "";
        g.user = h->user;
        g.reason = h->reason;
        g.source = h->source ? h->source : "";
        g.rows = rows;
        g.nrows = n;
        g.nrows_total = (int64_t)n;
        fn(ctx, &g);
        i = end;
    }
    free(rows);
}

void card_group_of_change(const registry_change *c,
                          void (*fn)(void *ctx, const card_group *g), void *ctx)
{
    card_change_view *rows = xcalloc(c->nrows + 1, sizeof *rows);
    char at[32];
    card_group g = {0};

    time_iso(at, sizeof at, c->created_at);
    for (size_t k = 0; k < c->nrows; k++) {
        const registry_history_row *r = &c->rows[k];
        card_change_view v = {at,           r->column,    r->field,
                              r->old_value, r->new_value, r->request_id,
                              r->user,      r->reason,    r->instance,
                              r->table};
        rows[k] = v;
    }
    g.id = c->id;
    g.kind = c->kind;
    g.at = at;
    g.instance = c->instance;
    g.table = c->nrows ? c->rows[0].table : "";
    g.request_id = c->request_id;
    g.request_title = c->request_title;
    g.user = c->user;
    g.reason = c->reason;
    g.source = c->source;
    g.rows = rows;
    g.nrows = c->nrows;
    g.nrows_total =
        c->nrows_total > (int64_t)c->nrows ? c->nrows_total : (int64_t)c->nrows;
    fn(ctx, &g);
    free(rows);
}

/* 1 when the rows of g name more than one table. */
int card_group_tables(const card_group *g)
{
    for (size_t i = 1; i < g->nrows; i++)
        if (str_casecmp(row_table(g, &g->rows[i]), row_table(g, &g->rows[0])))
            return 2;
    return g->nrows ? 1 : 0;
}

const char *card_group_row_table(const card_group *g, const card_change_view *v)
{
    return row_table(g, v);
}

/* The first group card_history_each hands over: the newest change. */
typedef struct last_ctx {
    buf *o;
    void (*esc)(buf *o, const char *s);
    int done;
} last_ctx;

static void last_group(void *ctx, const card_group *g)
{
    last_ctx *l = ctx;

    if (!l->done)
        card_group_summary(l->o, g, l->esc, NULL, NULL);
    l->done = 1;
}

void card_last_summary(buf *o, const registry_card *c,
                       void (*esc)(buf *o, const char *s))
{
    last_ctx l = {o, esc, 0};

    card_history_each(c, last_group, &l);
}

void card_last_cause(buf *o, const registry_card_change *h,
                     void (*esc)(buf *o, const char *s))
{
    if (is_adopt(h->change_kind, h->reason)) {
        buf_puts(o, "adopted from the live database");
    } else if (h->change_kind == REGISTRY_CHANGE_IMPORT) {
        buf_puts(o, "imported ");
        if (h->source && *h->source)
            esc(o, h->source);
        else
            buf_puts(o, "a data dictionary");
    } else {
        esc(o, h->reason);
    }
}

/* "2026-12-01 10:00" of an ISO 8601 time, through esc. */
static void short_time(buf *o, const char *iso,
                       void (*esc)(buf *o, const char *s))
{
    char s[17];

    str_copy(s, sizeof s, iso);
    if (strlen(s) == 16)
        s[10] = ' ';
    esc(o, s);
}

/* ---- HTML --------------------------------------------------------------- */

static void html_table(buf *o, const char *instance, const char *table,
                       void *ctx)
{
    const card_html_links *l = ctx;

    buf_puts(o, "<a href=\"");
    l->table_href(o, instance, table, l->ctx);
    buf_puts(o, "\">");
    buf_append_html(o, table);
    buf_puts(o, "</a>");
}

/* A value of row v: the runbook note is Markdown (rendered as the card
 * renders it: cmark, raw HTML off), the others words. */
static void html_value(buf *o, const card_change_view *v, const char *value)
{
    if (!*v->column && !strcmp(v->field, "runbook") && value && *value)
        card_html_markdown(o, value);
    else
        card_field_value(o, v->column, v->field, value, buf_append_html);
}

/* One field row: "<code>tier</code> Rule: <del>a</del> → <ins>b</ins>". */
static void html_field_row(buf *o, const card_group *g,
                           const card_change_view *v, int tables)
{
    buf_puts(o, "<li>");
    if (tables > 1) {
        buf_append_html(o, row_table(g, v));
        buf_puts(o, " · ");
    }
    card_html_wrapped(o, "<code>", v->column, "</code> ");
    if (!*v->column && !strcmp(v->field, "table") && !v->old_value) {
        buf_puts(o, "table created");
    } else if (!strcmp(v->field, "column") && !v->old_value) {
        buf_puts(o, "column added");
        card_html_wrapped(o, " (<code>", v->new_value ? v->new_value : "",
                          "</code>)");
    } else {
        buf_append_html(o, card_field_label(v->column, v->field));
        buf_puts(o, ": <del>");
        html_value(o, v, v->old_value);
        buf_puts(o, "</del> → <ins>");
        html_value(o, v, v->new_value);
        buf_puts(o, "</ins>");
    }
    buf_puts(o, "</li>");
}

void card_html_group_fields(buf *o, const card_group *g)
{
    int tables = card_group_tables(g);

    buf_appendf(o, "<details><summary>%lld field change%s</summary>",
                (long long)g->nrows_total, g->nrows_total == 1 ? "" : "s");
    buf_puts(o, "<ul class=\"change-fields\">");
    for (size_t i = 0; i < g->nrows; i++)
        html_field_row(o, g, &g->rows[i], tables);
    buf_puts(o, "</ul>");
    if (g->nrows_total > (int64_t)g->nrows)
        buf_appendf(o, "<p class=\"muted\">%lld more not shown.</p>",
                    (long long)(g->nrows_total - (int64_t)g->nrows));
    buf_puts(o, "</details>");
}

void card_html_group(buf *o, const card_group *g, const card_html_links *l)
{
    buf_puts(o, "<li class=\"change\"");
    if (g->id > 0)
        buf_appendf(o, " id=\"change-%lld\"", (long long)g->id);
    buf_puts(o, "><time datetime=\"");
    buf_append_html(o, g->at);
    buf_puts(o, "\">");
    short_time(o, g->at, buf_append_html);
    buf_puts(o, "</time> <strong>");
    card_group_summary(o, g, buf_append_html,
                       l && l->table_href ? html_table : NULL, (void *)l);
    buf_puts(o, "</strong><br><span class=\"muted\">");
    card_group_why(o, g, buf_append_html,
                   l && l->request_links ? card_html_request_link : NULL);
    buf_puts(o, "</span>");
    card_html_group_fields(o, g);
    buf_puts(o, "</li>");
}

static void web_href(buf *o, const char *instance, const char *table, void *ctx)
{
    (void)ctx;
    card_html_href(o, instance, table);
}

static void list_group(void *ctx, const card_group *g)
{
    card_html_list *l = ctx;
    card_html_links links = {l->with_table ? web_href : NULL, 1, NULL};

    card_html_group(l->o, g, &links);
}

void card_html_change_item(void *ctx, const registry_change *c)
{
    card_html_list *l = ctx;

    card_group_of_change(c, list_group, l);
    l->n++;
    l->last_id = c->id;
}

/* The card page's history (card_html.c): its own table, no links but to
 * requests. */
static void card_web_group(void *ctx, const card_group *g)
{
    static const card_html_links links = {NULL, 1, NULL};

    card_html_group(ctx, g, &links);
}

static void card_export_group(void *ctx, const card_group *g)
{
    static const card_html_links links = {NULL, 0, NULL};

    card_html_group(ctx, g, &links);
}

void card_html_history(buf *o, const registry_card *c, int export)
{
    card_history_each(c, export ? card_export_group : card_web_group, o);
}

/* ---- Markdown ----------------------------------------------------------- */

static void md_request(buf *o, int64_t id)
{
    buf_appendf(o, "CR-%lld", (long long)id);
}

/* A value of row v in Markdown: the runbook note as its plain text
 * (its markup would otherwise show escaped), the others in words. */
static void md_value(buf *b, const card_change_view *v, const char *value)
{
    if (!*v->column && !strcmp(v->field, "runbook") && value && *value) {
        buf t = {0};
        card_md_plain(&t, value);
        card_md_text(b, buf_cstr(&t));
        buf_dispose(&t);
    } else {
        card_field_value(b, v->column, v->field, value, card_md_text);
    }
}

/* "Label: old → new" of one row, for Markdown. */
static void md_field_row(buf *b, const card_group *g, const card_change_view *v,
                         int tables)
{
    buf_puts(b, "  - ");
    if (tables > 1) {
        card_md_text(b, row_table(g, v));
        buf_puts(b, " · ");
    }
    if (*v->column) {
        card_md_code(b, v->column);
        buf_puts(b, " ");
    }
    if (!*v->column && !strcmp(v->field, "table") && !v->old_value) {
        buf_puts(b, "table created");
    } else if (!strcmp(v->field, "column") && !v->old_value) {
        buf_puts(b, "column added");
        if (v->new_value && *v->new_value) {
            buf_puts(b, " (");
            card_md_code(b, v->new_value);
            buf_puts(b, ")");
        }
    } else {
        card_md_text(b, card_field_label(v->column, v->field));
        buf_puts(b, ": ");
        md_value(b, v, v->old_value);
        buf_puts(b, " → ");
        md_value(b, v, v->new_value);
    }
    buf_puts(b, "\n");
}

void card_md_group(buf *b, const card_group *g)
{
    int tables = card_group_tables(g);

    buf_puts(b, "- ");
    short_time(b, g->at, card_md_text);
    buf_puts(b, " UTC **");
    card_group_summary(b, g, card_md_text, NULL, NULL);
    buf_puts(b, "**. ");
    card_group_why(b, g, card_md_text, md_request);
    buf_puts(b, "\n");
    for (size_t i = 0; i < g->nrows; i++)
        md_field_row(b, g, &g->rows[i], tables);
    if (g->nrows_total > (int64_t)g->nrows)
        buf_appendf(b, "  - %lld more not shown\n",
                    (long long)(g->nrows_total - (int64_t)g->nrows));
}

static void md_group_cb(void *ctx, const card_group *g)
{
    card_md_group(ctx, g);
}

void card_md_history(buf *b, const registry_card *c)
{
    card_history_each(c, md_group_cb, b);
}
