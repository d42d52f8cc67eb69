/* page_request_form.c: the change-request form as HTML: its controls,
 * labels, help and errors, the choices the signed-in user has
 * (organisations, instances, project managers, tables), the raw text of
 * fields that failed to parse, the error summary and the page. The
 * sections are in page_request_sections.c, the handlers in
 * page_request_new.c (new requests) and page_triage.c (edits); the form
 * is rendered from forms/def.h, and web/static/form.js enhances it
 * (rows, kinds, sample inference); without it the page still works for
 * any number of items through "add" submit buttons. */
#include "request_form_int.h"
#include "mem.h"
#include "requests.h"
#include "str.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* ---- values of the structs, by field definition ------------------------ */

static const void *fptr(const void *obj, const form_field *f)
{
    return (const char *)obj + f->offset;
}

static const char *fstr(const void *obj, const form_field *f)
{
    return obj ? nz(*(char *const *)fptr(obj, f)) : "";
}

static int fbool(const void *obj, const form_field *f)
{
    if (!obj)
        return f->default_value && !strcmp(f->default_value, "true");
    return *(const int *)fptr(obj, f) != 0;
}

/* ---- what the form offers (organisations, instances, PMs, tables) ------ */

static void ch_org(void *ctx, const registry_org *o)
{
    rform_choices *c = ctx;

    c->orgs = xrealloc(c->orgs, (c->norgs + 1) * sizeof *c->orgs);
    str_copy(c->orgs[c->norgs++], sizeof *c->orgs, o->name);
}

static void ch_inst(void *ctx, const registry_instance *i)
{
    rform_choices *c = ctx;
    opt_inst *o;

    c->insts = xrealloc(c->insts, (c->ninsts + 1) * sizeof *c->insts);
    o = &c->insts[c->ninsts++];
    str_copy(o->name, sizeof o->name, i->name);
    str_copy(o->org, sizeof o->org, i->org_name);
    str_copy(o->env, sizeof o->env, i->environment);
}

static void ch_pm(void *ctx, const registry_user *u)
{
    rform_choices *c = ctx;
    opt_pm *p;

    if (!u->active)
        return;
    c->pms = xrealloc(c->pms, (c->npms + 1) * sizeof *c->pms);
    p = &c->pms[c->npms++];
    str_copy(p->email, sizeof p->email, u->email);
    str_copy(p->name, sizeof p->name, u->name);
}

static void ch_table(void *ctx, const char *instance, const char *table)
{
    rform_choices *c = ctx;

    (void)instance;
    for (size_t i = 0; i < c->ntables; i++)
        if (!strcmp(c->tables[i], table))
            return;
    c->tables = xrealloc(c->tables, (c->ntables + 1) * sizeof *c->tables);
    str_copy(c->tables[c->ntables++], sizeof *c->tables, table);
}

static int choices_load(web_req *req, rform_choices *c, errmsg *err)
{
    int64_t org = intake_org_filter(req);
    int rc = 0;

    memset(c, 0, sizeof *c);
    if (!org)
        rc = registry_org_list(req->reg, ch_org, c, err);
    if (rc == 0)
        rc = registry_instance_list(req->reg, org, ch_inst, c, err);
    if (rc == 0)
        rc = registry_user_list(req->reg, "pm", ch_pm, c, err);
    if (rc == 0)
        rc = registry_request_table_names(req->reg, org, TABLE_NAMES, ch_table,
                                          c, err);
    return rc;
}

static void choices_dispose(rform_choices *c)
{
    free(c->orgs);
    free(c->insts);
    free(c->pms);
    free(c->tables);
    memset(c, 0, sizeof *c);
}

/* ---- raw values of fields that failed to parse ------------------------- */

/* A number or type that did not parse is not in the request any more; the
 * user's text is found again among the posted fields so it can be shown
 * next to its error. The compaction of form_parse_fields is replayed:
 * a row is live when a non-boolean, non-select value is not blank. */

static int blank_text(const char *s)
{
    for (; *s; s++)
        if (!strchr(" \t\r\n", *s))
            return 0;
    return 1;
}

/* items[I].key or items[I].columns[C].key -> I, C (C = -1 for items). */
static int raw_indices(const char *name, long *item, long *col,
                       const char **key)
{
    char *end;

    if (!str_startswith(name, "items["))
        return -1;
    *item = strtol(name + 6, &end, 10);
    if (end == name + 6 || *end != ']' || end[1] != '.' || *item < 0 ||
        *item >= FORM_MAX_ITEMS)
        return -1;
    *col = -1;
    *key = end + 2;
    if (str_startswith(*key, "columns[")) {
        const char *p = *key + 8;
        *col = strtol(p, &end, 10);
        if (end == p || *end != ']' || end[1] != '.' || *col < 0 ||
            *col >= FORM_MAX_COLUMNS)
            return -1;
        *key = end + 2;
    }
    return 0;
}

static int live_value(const char *key, int column, const char *value)
{
    const form_field *f = form_def_field_key(
        column ? FORM_LEVEL_COLUMN : FORM_LEVEL_ITEM, key, strlen(key));

    if (!f || f->value == FORM_VALUE_BOOL || f->value == FORM_VALUE_KIND ||
        f->value == FORM_VALUE_ACTION)
        return 0;
    return !blank_text(value);
}

size_t rform_raw_values_find(web_req *req, const form_errors *fe,
                             raw_value *out, size_t max)
{
    size_t n = 0;

    for (size_t e = 0; e < fe->n && n < max; e++) {
        const form_field *f = form_def_field(fe->errs[e].field);
        long want_item = -1, want_col = -1, live_items = 0;
        const char *key;
        long it, col;
        if (!f || (f->value != FORM_VALUE_INT && f->value != FORM_VALUE_TYPE))
            continue;
        if (raw_indices(fe->errs[e].field, &want_item, &want_col, &key) < 0)
            continue;
        /* Walk raw item indices in order, counting live ones. */
        for (long ri = 0; ri < FORM_MAX_ITEMS; ri++) {
            int item_live = 0;
            long live_cols = 0;
            for (size_t i = 0; i < req->nfields && !item_live; i++) {
                const char *k;
                if (req->fields[i].filename ||
                    raw_indices(req->fields[i].name, &it, &col, &k) < 0 ||
                    it != ri)
                    continue;
                item_live =
                    live_value(k, col >= 0, buf_cstr(&req->fields[i].value));
            }
            if (!item_live)
                continue;
            if (live_items++ != want_item)
                continue;
            for (long rc = 0; rc < FORM_MAX_COLUMNS; rc++) {
                const char *hit = NULL;
                int col_live = want_col < 0;
                for (size_t i = 0; i < req->nfields; i++) {
                    const char *k;
                    if (req->fields[i].filename ||
                        raw_indices(req->fields[i].name, &it, &col, &k) < 0 ||
                        it != ri || col != (want_col < 0 ? -1 : rc))
                        continue;
                    if (want_col >= 0 &&
                        live_value(k, 1, buf_cstr(&req->fields[i].value)))
                        col_live = 1;
                    if (!strcmp(k, f->key))
                        hit = buf_cstr(&req->fields[i].value);
                }
                if (!col_live)
                    continue;
                if (want_col < 0 || live_cols++ == want_col) {
                    if (hit) {
                        str_copy(out[n].path, sizeof out[n].path,
                                 fe->errs[e].field);
                        out[n++].value = hit;
                    }
                    break;
                }
            }
            break;
        }
    }
    return n;
}

/* ---- the form ---------------------------------------------------------- */

const char *rform_err_of(const rform_view *v, const char *path)
{
    return v->fe ? form_errors_get(v->fe, path) : NULL;
}

static const char *raw_of(const rform_view *v, const char *path)
{
    for (size_t i = 0; i < v->nraw; i++)
        if (!strcmp(v->raw[i].path, path))
            return v->raw[i].value;
    return NULL;
}

/* data-kinds="new_table add_columns" for fields of some kinds only. */
void rform_kinds_attr(buf *o, const char *attr, unsigned kinds)
{
    int first = 1;

    if (!kinds || kinds == FORM_KINDS_ALL)
        return;
    buf_puts(o, " ");
    buf_puts(o, attr);
    buf_puts(o, "=\"");
    for (int k = 0; k < FORM_ITEM_NKINDS; k++)
        if (kinds & FORM_KIND_BIT(k)) {
            if (!first)
                buf_putc(o, ' ');
            buf_puts(o, form_item_kind_name((form_item_kind)k));
            first = 0;
        }
    buf_puts(o, "\"");
}

/* " Only for: New table, Activity history." */
void rform_kinds_note(buf *o, unsigned kinds)
{
    size_t nk;
    const form_choice *ks = form_def_kinds(&nk);
    int first = 1;

    if (!kinds || kinds == FORM_KINDS_ALL)
        return;
    buf_puts(o, " <span class=\"muted kinds-note\">Only for: ");
    for (size_t k = 0; k < nk; k++)
        if (kinds & FORM_KIND_BIT(k)) {
            if (!first)
                buf_puts(o, ", ");
            buf_append_html(o, ks[k].label);
            first = 0;
        }
    buf_puts(o, ".</span>");
}

void rform_attr(buf *o, const char *name, const char *value)
{
    buf_appendf(o, " %s=\"", name);
    buf_append_html(o, value);
    buf_putc(o, '"');
}

/* aria-describedby / aria-invalid of an input with id path. */
void rform_described(buf *o, const char *path, const char *help,
                     const char *error)
{
    buf_puts(o, " aria-describedby=\"");
    if (error) {
        buf_puts(o, "err-");
        buf_append_html(o, path);
        if (help)
            buf_putc(o, ' ');
    }
    if (help) {
        buf_puts(o, "help-");
        buf_append_html(o, path);
    }
    buf_puts(o, "\"");
    if (error)
        buf_puts(o, " aria-invalid=\"true\"");
}

void rform_error_line(buf *o, const char *path, const char *error)
{
    if (!error)
        return;
    page_wrap(o, "<p class=\"field-error\" id=\"err-", path,
              "\"><span class=\"sr-only\">Error: </span>");
    buf_append_html(o, error);
    buf_puts(o, "</p>");
}

void rform_help_line(buf *o, const char *path, const form_field *f,
                     const char *extra)
{
    page_wrap(o, "<p class=\"help\" id=\"help-", path, "\">");
    buf_append_html(o, nz(f->help));
    if (extra) {
        buf_putc(o, ' ');
        buf_append_html(o, extra);
    }
    if (f->level != FORM_LEVEL_REQUEST)
        rform_kinds_note(o, f->kinds);
    buf_puts(o, "</p>");
}

void rform_required_badge(buf *o, const form_field *f, int kind)
{
    if (f->level == FORM_LEVEL_REQUEST) {
        if (f->required)
            buf_puts(o, " <span class=\"badge required\">required</span>");
        else if (f->required_if)
            buf_puts(o, " <span class=\"badge optional\">required when "
                        "yes</span>");
        return;
    }
    if (!f->kinds_required)
        return;
    buf_puts(o, " <span class=\"badge required\"");
    rform_kinds_attr(o, "data-required-kinds", f->kinds_required);
    if (kind >= 0 && !(f->kinds_required & FORM_KIND_BIT(kind)))
        buf_puts(o, " hidden");
    buf_puts(o, ">required</span>");
}

/* The text shown in a text-like input for field f of obj. */
static void value_text(char *out, size_t size, const rform_view *v,
                       const char *path, const void *obj, const form_field *f)
{
    const char *raw = raw_of(v, path);

    out[0] = '\0';
    if (raw) {
        str_copy(out, size, raw);
        return;
    }
    if (!obj)
        return;
    switch (f->value) {
    case FORM_VALUE_INT: {
        int n = *(const int *)fptr(obj, f);
        if (n)
            snprintf(out, size, "%d", n);
        break;
    }
    case FORM_VALUE_TYPE: {
        const form_type *t = fptr(obj, f);
        if (t->kind != FORM_TYPE_NONE)
            form_type_format(out, size, t);
        break;
    }
    case FORM_VALUE_ACTION:
        str_copy(out, size,
                 form_action_name(*(const form_action *)fptr(obj, f)));
        break;
    case FORM_VALUE_KIND:
        str_copy(out, size,
                 form_item_kind_name(*(const form_item_kind *)fptr(obj, f)));
        break;
    default: break;
    }
}

static const char *input_type(form_input in)
{
    switch (in) {
    case FORM_INPUT_EMAIL: return "email";
    case FORM_INPUT_DATE: return "date";
    case FORM_INPUT_TIME: return "time";
    /* numbers as text (inputmode numeric) so a wrong entry stays visible
       next to its error */
    default: return "text";
    }
}

/* One control (no wrapper) for field f at path of obj. */
void rform_control(const rform_view *v, const char *path, const void *obj,
                   const form_field *f, const char *error, int with_help)
{
    rform_control_labelled(v, path, obj, f, error, with_help, NULL);
}

/* ' aria-labelledby="id"' unless id is NULL. */
static void labelled_by(buf *o, const char *id)
{
    if (id)
        rform_attr(o, "aria-labelledby", id);
}

void rform_control_labelled(const rform_view *v, const char *path,
                            const void *obj, const form_field *f,
                            const char *error, int with_help,
                            const char *labelledby)
{
    buf *o = &v->req->out;
    const char *help = with_help ? path : NULL;
    char tv[128];
    const char *sval;

    switch (f->input) {
    case FORM_INPUT_TEXTAREA:
        buf_puts(o, "<textarea");
        rform_attr(o, "id", path);
        rform_attr(o, "name", path);
        /* a column's description or rule: two lines to start with, as it
           may have several (the editor grows with its text) */
        buf_appendf(o, " rows=\"%d\"", f->level == FORM_LEVEL_COLUMN ? 2 : 4);
        if (f->max_length)
            buf_appendf(o, " maxlength=\"%zu\"", f->max_length);
        if (f->placeholder)
            rform_attr(o, "placeholder", f->placeholder);
        rform_described(o, path, help, error);
        labelled_by(o, labelledby);
        page_wrap(o, ">", fstr(obj, f), "</textarea>");
        return;
    case FORM_INPUT_CHECKBOX:
        buf_puts(o, "<input type=\"checkbox\" value=\"on\"");
        rform_attr(o, "id", path);
        rform_attr(o, "name", path);
        if (fbool(obj, f))
            buf_puts(o, " checked");
        rform_described(o, path, help, error);
        labelled_by(o, labelledby);
        buf_puts(o, ">");
        return;
    case FORM_INPUT_SELECT:
        value_text(tv, sizeof tv, v, path, obj, f);
        sval = f->value == FORM_VALUE_STRING ? fstr(obj, f) : tv;
        if (!obj && f->default_value)
            sval = f->default_value;
        buf_puts(o, "<select");
        rform_attr(o, "id", path);
        rform_attr(o, "name", path);
        rform_described(o, path, help, error);
        labelled_by(o, labelledby);
        buf_puts(o, ">");
        if (f->value == FORM_VALUE_STRING)
            buf_puts(o, "<option value=\"\">—</option>");
        for (size_t i = 0; i < f->nchoices; i++) {
            buf_puts(o, "<option");
            rform_attr(o, "value", f->choices[i].value);
            if (!strcmp(sval, f->choices[i].value))
                buf_puts(o, " selected");
            page_wrap(o, ">", f->choices[i].label, "</option>");
        }
        buf_puts(o, "</select>");
        return;
    default: break;
    }
    value_text(tv, sizeof tv, v, path, obj, f);
    buf_puts(o, "<input");
    rform_attr(o, "type", input_type(f->input));
    rform_attr(o, "id", path);
    rform_attr(o, "name", path);
    if (f->value == FORM_VALUE_STRING)
        rform_attr(o, "value", fstr(obj, f));
    else
        rform_attr(o, "value", tv);
    if (f->max_length)
        buf_appendf(o, " maxlength=\"%zu\"", f->max_length);
    if (f->value == FORM_VALUE_INT)
        buf_puts(o, " inputmode=\"numeric\" pattern=\"[0-9]*\"");
    if (f->placeholder)
        rform_attr(o, "placeholder", f->placeholder);
    if (f->value == FORM_VALUE_TYPE)
        buf_puts(o, " list=\"types-list\" autocomplete=\"off\"");
    if (f->level == FORM_LEVEL_ITEM && !strcmp(f->key, "table"))
        buf_puts(o, " list=\"tables-list\" autocomplete=\"off\" "
                    "spellcheck=\"false\"");
    if (f->level == FORM_LEVEL_COLUMN && !strcmp(f->key, "name"))
        buf_puts(o, " autocomplete=\"off\" spellcheck=\"false\"");
    if (f->input == FORM_INPUT_EMAIL)
        buf_puts(o, " autocomplete=\"email\"");
    rform_described(o, path, help, error);
    labelled_by(o, labelledby);
    buf_puts(o, ">");
}

/* A labelled field with help and error (request and item levels). */
void rform_field_block(const rform_view *v, const char *path, const void *obj,
                       const form_field *f, int kind)
{
    buf *o = &v->req->out;
    const char *error = rform_err_of(v, path);

    if (f->input == FORM_INPUT_RADIO) {
        buf_puts(o, "<fieldset class=\"field\"");
        rform_attr(o, "id", path);
        if (f->level != FORM_LEVEL_REQUEST)
            rform_kinds_attr(o, "data-kinds", f->kinds);
        buf_puts(o, "><legend>");
        buf_append_html(o, f->label);
        rform_required_badge(o, f, kind);
        buf_puts(o, "</legend>");
        rform_help_line(o, path, f, NULL);
        rform_error_line(o, path, error);
        for (size_t i = 0; i < f->nchoices; i++) {
            int on;
            if (f->value == FORM_VALUE_BOOL)
                on = fbool(obj, f) == !strcmp(f->choices[i].value, "yes");
            else
                on = !strcmp(fstr(obj, f), f->choices[i].value);
            buf_puts(o, "<label class=\"inline\"><input type=\"radio\"");
            rform_attr(o, "name", path);
            rform_attr(o, "value", f->choices[i].value);
            if (on)
                buf_puts(o, " checked");
            if (error)
                buf_puts(o, " aria-invalid=\"true\"");
            page_wrap(o, "> ", f->choices[i].label, "</label> ");
        }
        buf_puts(o, "</fieldset>");
        return;
    }
    buf_puts(o, "<div class=\"field\"");
    if (f->level != FORM_LEVEL_REQUEST)
        rform_kinds_attr(o, "data-kinds", f->kinds);
    buf_puts(o, ">");
    if (f->input == FORM_INPUT_CHECKBOX) {
        buf_puts(o, "<label class=\"inline\">");
        rform_control(v, path, obj, f, error, 1);
        buf_putc(o, ' ');
        buf_append_html(o, f->label);
        buf_puts(o, "</label>");
    } else {
        buf_puts(o, "<label");
        rform_attr(o, "for", path);
        buf_puts(o, ">");
        buf_append_html(o, f->label);
        rform_required_badge(o, f, kind);
        buf_puts(o, "</label>");
        rform_control(v, path, obj, f, error, 1);
    }
    rform_help_line(o, path, f, NULL);
    rform_error_line(o, path, error);
    buf_puts(o, "</div>");
}

/* "Change 2, row 3: Type" for the error summary: where, then the
 * field's label (the message never repeats it). */
static void error_label(buf *o, const char *path)
{
    const form_field *f = form_def_field(path);
    long item, col;
    const char *key;

    if (!raw_indices(path, &item, &col, &key)) {
        buf_appendf(o, "Change %ld", item + 1);
        if (col >= 0)
            buf_appendf(o, ", row %ld", col + 1);
        buf_puts(o, ": ");
    }
    if (f)
        buf_append_html(o, f->label);
    else if (!strcmp(path, "attachments"))
        buf_puts(o, "Attachments");
    else if (str_startswith(path, "instances"))
        buf_puts(o, "Instances");
    else if (!strcmp(path, "items") || strstr(path, ".columns"))
        buf_puts(o, strstr(path, ".columns") ? "Columns" : "Changes");
    else
        buf_puts(o, "Request");
}

/* " — choose one." after the label: the message as the field shows it,
 * its first word in lower case unless it is a name ("PostgreSQL") or a
 * quoted value. */
static void error_message_after_label(buf *o, const char *m)
{
    size_t w = strcspn(m, " :,.");
    int lower = m[0] >= 'A' && m[0] <= 'Z' && w > 1;

    for (size_t i = 1; lower && i < w; i++)
        if (!(m[i] >= 'a' && m[i] <= 'z') && m[i] != '-')
            lower = 0;
    buf_puts(o, " — ");
    if (lower) {
        buf_putc(o, (char)(m[0] + 32));
        m++;
    }
    buf_append_html(o, m);
}

/* The id the summary links to for an error path. */
static void error_anchor(buf *o, const char *path)
{
    if (!strcmp(path, "items"))
        buf_puts(o, "changes");
    else if (str_startswith(path, "instances"))
        buf_puts(o, "instances");
    else if (!*path)
        buf_puts(o, "about");
    else
        buf_append_html(o, path);
}

static void error_summary(const rform_view *v)
{
    buf *o = &v->req->out;
    form_errors sorted = {0};

    if (!v->fe || !v->fe->n)
        return;
    /* in the order of the form, whoever added them */
    for (size_t i = 0; i < v->fe->n; i++)
        form_errors_add(&sorted, v->fe->errs[i].field, "%s",
                        v->fe->errs[i].message);
    form_errors_sort(&sorted);
    buf_puts(o, "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\" "
                "id=\"error-summary\"><h2>Please correct ");
    if (sorted.n == 1)
        buf_puts(o, "this problem");
    else
        buf_appendf(o, "these %zu problems", sorted.n);
    buf_puts(o, "</h2><p>Nothing was saved yet.</p><ul>");
    for (size_t i = 0; i < sorted.n; i++) {
        buf_puts(o, "<li><a href=\"#");
        error_anchor(o, sorted.errs[i].field);
        buf_puts(o, "\">");
        error_label(o, sorted.errs[i].field);
        error_message_after_label(o, sorted.errs[i].message);
        buf_puts(o, "</a></li>");
    }
    buf_puts(o, "</ul></div>");
    form_errors_dispose(&sorted);
}

static void form_page(rform_view *v)
{
    web_req *req = v->req;
    buf *o = &req->out;
    size_t ns;
    const form_section *secs = form_def_sections(&ns);

    const intake_form_mode *m = v->mode;
    const char *heading = m && m->heading ? m->heading : "New change request";

    page_begin(req, heading);
    page_wrap(o, "<h1>", heading, "</h1>");
    error_summary(v);
    buf_puts(o, "<form method=\"post\" enctype=\"multipart/form-data\" "
                "novalidate class=\"request-form stack\" "
                "id=\"request-form\"");
    rform_attr(o, "action", m && m->action ? m->action : "/requests");
    buf_puts(o, ">");
    page_csrf_input(req);
    /* The form's default button (Enter in a one-line field) is the first
       submit button in tree order: this one submits the request, where
       "More column rows" would otherwise add rows. Invisible and out of
       the tab order; the visible one is at the end. */
    buf_puts(o, "<button type=\"submit\" class=\"sr-only\" tabindex=\"-1\" "
                "aria-hidden=\"true\" data-default-submit>Submit</button>");
    if (v->submission_id) {
        buf_puts(o, "<input type=\"hidden\" name=\"submission_id\"");
        rform_attr(o, "value", v->submission_id);
        buf_puts(o, ">");
    }
    for (size_t s = 0; s < ns; s++) {
        if (!strcmp(secs[s].id, "about"))
            rform_about_section(v, &secs[s]);
        else
            rform_changes_section(v, &secs[s]);
    }
    if (!m || !m->no_files)
        rform_files_section(v);
    if (m && m->extra)
        m->extra(req, m->ctx);
    page_wrap(o,
              "<div class=\"actions\"><button class=\"button primary\" "
              "type=\"submit\" name=\"submit\" value=\"1\">",
              m && m->submit ? m->submit : "Submit request",
              "</button></div></form><script type=\"module\" src=\"");
    buf_append_html(o, web_asset_url("form.js"));
    buf_puts(o, "\"></script>");
    page_end(req);
}

/* Renders the form with the choices of the user; status 0 means 200. */
void rform_reply(rform_view *v, int status)
{
    rform_choices ch;
    errmsg err = {0};

    if (choices_load(v->req, &ch, &err) < 0) {
        choices_dispose(&ch);
        web_reply_err(v->req, &err);
        return;
    }
    v->ch = &ch;
    if (status)
        v->req->status = status;
    form_page(v);
    v->ch = NULL; /* ch ends here */
    choices_dispose(&ch);
}

/* ---- shared with page_triage.c (requests_int.h) ------------------------ */

void intake_form_show(web_req *req, const form_request *r,
                      const form_errors *fe, const intake_form_mode *mode,
                      int status)
{
    rform_view v;

    memset(&v, 0, sizeof v);
    v.req = req;
    v.r = r;
    v.fe = fe;
    v.mode = mode;
    v.more_rows_item = mode ? mode->more_rows_item : -1;
    v.add_item = mode ? mode->add_item : 0;
    if (fe && fe->n)
        v.nraw =
            rform_raw_values_find(req, fe, v.raw, sizeof v.raw / sizeof *v.raw);
    rform_reply(&v, status);
}
