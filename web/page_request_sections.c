/* page_request_sections.c: the sections of the change-request form:
 * "About this request" (organisation, instances, project manager and the
 * request's own fields), "Changes" (one block per item with its columns
 * table) and "Attachments" (new files and those kept from the last
 * attempt). The controls they use are in page_request_form.c. */
#include "request_form_int.h"
#include "mem.h"
#include "str.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* ---- the "About this request" section ---------------------------------- */

/* The opening of the select of request field f named name (its label,
 * badge, help and error references, and the empty choice). */
static void select_open(const rform_view *v, const char *name,
                        const form_field *f, const char *error)
{
    buf *o = &v->req->out;

    page_wrap(o, "<div class=\"field\"><label for=\"", name, "\">");
    buf_append_html(o, f->label);
    rform_required_badge(o, f, -1);
    page_wrap(o, "</label><select id=\"", name, "\"");
    page_wrap(o, " name=\"", name, "\"");
    rform_described(o, name, name, error);
    buf_puts(o, "><option value=\"\">—</option>");
}

static void org_field(const rform_view *v, const form_field *f)
{
    buf *o = &v->req->out;
    const char *error = rform_err_of(v, "organisation");
    const char *cur = nz(v->r ? v->r->organisation : NULL);

    if (v->req->role == ROLE_CLIENT) {
        page_wrap(o, "<div class=\"field\"><span class=\"label\">", f->label,
                  "</span><p class=\"value\" id=\"organisation\">");
        buf_append_html(o, v->req->user.org_name);
        buf_puts(o, "</p>");
        rform_help_line(o, "organisation", f, NULL);
        rform_error_line(o, "organisation", error);
        buf_puts(o, "</div>");
        return;
    }
    select_open(v, "organisation", f, error);
    for (size_t i = 0; i < v->ch->norgs; i++) {
        buf_puts(o, "<option");
        rform_attr(o, "value", v->ch->orgs[i]);
        if (!str_casecmp(cur, v->ch->orgs[i]))
            buf_puts(o, " selected");
        page_wrap(o, ">", v->ch->orgs[i], "</option>");
    }
    buf_puts(o, "</select><p class=\"help\" id=\"help-organisation\">The "
                "organisation the request is for (staff choose one; it "
                "is also derived from the main instance).</p>");
    rform_error_line(o, "organisation", error);
    buf_puts(o, "</div>");
}

static void instance_field(const rform_view *v, const form_field *f)
{
    buf *o = &v->req->out;
    const char *error = rform_err_of(v, "instance");
    const char *cur = nz(v->r ? v->r->instance : NULL);
    const char *group = NULL;

    select_open(v, "instance", f, error);
    for (size_t i = 0; i < v->ch->ninsts; i++) {
        const opt_inst *in = &v->ch->insts[i];
        if (v->req->role != ROLE_CLIENT &&
            (!group || strcmp(group, in->org) != 0)) {
            if (group)
                buf_puts(o, "</optgroup>");
            buf_puts(o, "<optgroup");
            rform_attr(o, "label", in->org);
            rform_attr(o, "data-org", in->org);
            buf_puts(o, ">");
            group = in->org;
        }
        buf_puts(o, "<option");
        rform_attr(o, "value", in->name);
        rform_attr(o, "data-org", in->org);
        if (!str_casecmp(cur, in->name))
            buf_puts(o, " selected");
        page_wrap(o, ">", in->name, " (");
        buf_append_html(o, in->env);
        buf_puts(o, ")</option>");
    }
    if (group)
        buf_puts(o, "</optgroup>");
    buf_puts(o, "</select>");
    rform_help_line(o, "instance", f, NULL);
    rform_error_line(o, "instance", error);
    buf_puts(o, "</div>");
}

static int instance_listed(const form_request *r, const char *name)
{
    for (size_t i = 0; r && i < r->ninstances; i++)
        if (!str_casecmp(nz(r->instances[i]), name))
            return 1;
    return 0;
}

static void instances_field(const rform_view *v, const form_field *f)
{
    buf *o = &v->req->out;
    const char *error = rform_err_of(v, "instances");

    /* An error on one entry ("instances[1]") is shown on the group. */
    for (size_t i = 0; !error && v->fe && i < v->fe->n; i++)
        if (str_startswith(v->fe->errs[i].field, "instances["))
            error = v->fe->errs[i].message;
    buf_puts(o, "<fieldset class=\"field\" id=\"instances\"><legend>Applies "
                "to more than one instance?</legend>");
    rform_help_line(o, "instances", f, NULL);
    rform_error_line(o, "instances", error);
    if (!v->ch->ninsts)
        buf_puts(o, "<p class=\"muted\">No instances are set up yet.</p>");
    for (size_t i = 0; i < v->ch->ninsts; i++) {
        const opt_inst *in = &v->ch->insts[i];
        buf_puts(o, "<label class=\"inline\"");
        rform_attr(o, "data-org", in->org);
        buf_puts(o, "><input type=\"checkbox\" name=\"instances\"");
        rform_attr(o, "value", in->name);
        if (instance_listed(v->r, in->name))
            buf_puts(o, " checked");
        if (error)
            buf_puts(o, " aria-invalid=\"true\"");
        page_wrap(o, "> ", in->name, " <span class=\"muted\">");
        buf_append_html(o, in->env);
        if (v->req->role != ROLE_CLIENT) {
            buf_puts(o, ", ");
            buf_append_html(o, in->org);
        }
        buf_puts(o, "</span></label> ");
    }
    buf_puts(o, "</fieldset>");
}

static void pm_field(const rform_view *v, const form_field *f)
{
    buf *o = &v->req->out;
    const char *error = rform_err_of(v, "project_manager");
    const char *cur = nz(v->r ? v->r->project_manager : NULL);

    select_open(v, "project_manager", f, error);
    for (size_t i = 0; i < v->ch->npms; i++) {
        buf_puts(o, "<option");
        rform_attr(o, "value", v->ch->pms[i].email);
        if (!str_casecmp(cur, v->ch->pms[i].email))
            buf_puts(o, " selected");
        page_wrap(o, ">", v->ch->pms[i].name, " (");
        buf_append_html(o, v->ch->pms[i].email);
        buf_puts(o, ")</option>");
    }
    buf_puts(o, "</select>");
    rform_help_line(o, "project_manager", f, NULL);
    rform_error_line(o, "project_manager", error);
    buf_puts(o, "</div>");
}

void rform_about_section(const rform_view *v, const form_section *s)
{
    buf *o = &v->req->out;

    page_wrap(o, "<section class=\"card\" id=\"about\"><h2>", s->title,
              "</h2><p class=\"help\">");
    buf_append_html(o, s->help);
    buf_puts(o, "</p><div class=\"grid-form\">");
    for (size_t i = 0; i < s->nfields; i++) {
        const form_field *f = &s->fields[i];
        if (!strcmp(f->name, "organisation"))
            org_field(v, f);
        else if (!strcmp(f->name, "instance"))
            instance_field(v, f);
        else if (!strcmp(f->name, "instances"))
            instances_field(v, f);
        else if (!strcmp(f->name, "project_manager"))
            pm_field(v, f);
        else
            rform_field_block(v, f->name, v->r, f, -1);
    }
    buf_puts(o, "</div></section>");
}

/* ---- the "Changes" section --------------------------------------------- */

static void path_of(char *out, size_t size, const form_field *f, size_t item,
                    size_t col)
{
    if (f->level == FORM_LEVEL_ITEM)
        snprintf(out, size, "items[%zu].%s", item, f->key);
    else
        snprintf(out, size, "items[%zu].columns[%zu].%s", item, col, f->key);
}

/* The column fields in the order of the editor: the short ones on the
 * first line of a column's block (action, name, type and the ticks), the
 * long ones on the second (description, example, rule, consent channel);
 * a field the list does not name comes last. Returns how many, at most
 * max; *nfirst is the number on the first line. */
static size_t column_fields(const form_field **out, size_t max, size_t *nfirst)
{
    static const char *const first[] = {"action",      "name",     "type",
                                        "primary_key", "nullable", "pii",
                                        "consent",     NULL};
    size_t nf, n = 0;
    const form_field *fs = form_def_fields(&nf);

    for (size_t w = 0; first[w]; w++)
        for (size_t k = 0; k < nf && n < max; k++)
            if (fs[k].level == FORM_LEVEL_COLUMN &&
                !strcmp(fs[k].key, first[w]))
                out[n++] = &fs[k];
    *nfirst = n;
    for (size_t k = 0; k < nf && n < max; k++) {
        int listed = 0;
        if (fs[k].level != FORM_LEVEL_COLUMN)
            continue;
        for (size_t w = 0; first[w]; w++)
            listed |= !strcmp(fs[k].key, first[w]);
        if (!listed)
            out[n++] = &fs[k];
    }
    return n;
}

#define MAX_COLUMN_FIELDS 24

/* One column row: a block per column (app.css), each control with a
 * visible label; the control is named by a hidden one that also says
 * the row ("Type, row 2", renumbered by form.js). */
static void column_row(const rform_view *v, size_t i, size_t c,
                       const form_column *col, int kind)
{
    buf *o = &v->req->out;
    const form_field *fs[MAX_COLUMN_FIELDS];
    size_t nfirst, nf = column_fields(fs, MAX_COLUMN_FIELDS, &nfirst);

    buf_appendf(o, "<tr class=\"column-row\" data-column=\"%zu\">", c);
    for (size_t k = 0; k < nf; k++) {
        const form_field *f = fs[k];
        int check = f->input == FORM_INPUT_CHECKBOX;
        char path[160], lid[170];
        const char *error;
        path_of(path, sizeof path, f, i, c);
        snprintf(lid, sizeof lid, "lbl-%s", path);
        error = rform_err_of(v, path);
        page_wrap(o, "<td class=\"cell cell-", f->key, "");
        buf_puts(o, k < nfirst ? " first" : " second");
        if (check)
            buf_puts(o, " tick");
        buf_puts(o, "\"");
        rform_kinds_attr(o, "data-kinds", f->kinds);
        buf_puts(o, "><label class=\"sr-only\"");
        rform_attr(o, "id", lid);
        rform_attr(o, "for", path);
        buf_puts(o, ">");
        buf_append_html(o, f->label);
        buf_appendf(o, ", row %zu</label>", c + 1);
        if (check)
            rform_control_labelled(v, path, col, f, error, 0, lid);
        buf_puts(o, "<label class=\"cell-label\"");
        rform_attr(o, "for", path);
        buf_puts(o, ">");
        buf_append_html(o, f->label);
        if (!check)
            rform_required_badge(o, f, kind);
        buf_puts(o, "</label>");
        if (!check)
            rform_control_labelled(v, path, col, f, error, 0, lid);
        rform_error_line(o, path, error);
        buf_puts(o, "</td>");
    }
    buf_puts(o, "</tr>");
}

/* path = "items[i].key"; the error shown for it, or NULL. */
static const char *item_path(const rform_view *v, char *path, size_t size,
                             size_t i, const char *key)
{
    snprintf(path, size, "items[%zu].%s", i, key);
    return rform_err_of(v, path);
}

/* The "Kind of change" select of item i, with the help of each kind. */
static void kind_field(const rform_view *v, size_t i, int kind)
{
    buf *o = &v->req->out;
    size_t nk;
    const form_choice *kinds = form_def_kinds(&nk);
    char path[160];
    const char *error = item_path(v, path, sizeof path, i, "kind");

    buf_puts(o, "<div class=\"grid-form\"><div class=\"field\"><label");
    rform_attr(o, "for", path);
    buf_puts(o, ">Kind of change <span class=\"badge required\">required"
                "</span></label><select class=\"item-kind\"");
    rform_attr(o, "id", path);
    rform_attr(o, "name", path);
    rform_described(o, path, path, error);
    buf_puts(o, ">");
    for (size_t k = 0; k < nk; k++) {
        buf_puts(o, "<option");
        rform_attr(o, "value", kinds[k].value);
        if ((int)k == kind)
            buf_puts(o, " selected");
        page_wrap(o, ">", kinds[k].label, "</option>");
    }
    buf_puts(o, "</select><p class=\"help\"");
    page_wrap(o, " id=\"help-", path, "\">");
    for (size_t k = 0; k < nk; k++) {
        buf_puts(o, "<span");
        rform_attr(o, "data-kinds", kinds[k].value);
        page_wrap(o, ">", kinds[k].label, ": ");
        buf_append_html(o, form_def_kind_help((form_item_kind)k));
        buf_puts(o, "</span> ");
    }
    buf_puts(o, "</p>");
    rform_error_line(o, path, error);
    buf_puts(o, "</div>");
}

/* The columns table of item i (it may be NULL): its rows, blanks more
 * blank rows, the help of the column fields and "More column rows". */
static void columns_block(const rform_view *v, size_t i, const form_item *it,
                          int kind, size_t blanks)
{
    buf *o = &v->req->out;
    const form_field *fs[MAX_COLUMN_FIELDS];
    size_t nfirst, nf = column_fields(fs, MAX_COLUMN_FIELDS, &nfirst);
    size_t ncols = it ? it->ncolumns : 0;
    char path[160];
    const char *error = item_path(v, path, sizeof path, i, "columns");

    buf_puts(o, "<div class=\"columns\"");
    rform_attr(o, "id", path);
    buf_puts(o, "><h3>Columns <span class=\"muted\" data-kinds=\""
                "customer_attributes activity_history purchase_history\">"
                "(attributes)</span></h3>");
    rform_error_line(o, path, error);
    buf_puts(o, "<div class=\"infer\" hidden><label>Propose columns from a "
                "sample file (CSV or TSV) <input type=\"file\" "
                "class=\"infer-file\" accept=\".csv,.tsv,.txt,text/csv\">"
                "</label> <span class=\"infer-status\" role=\"status\" "
                "aria-live=\"polite\"></span></div>"
                "<div class=\"column-editor\"><table class=\"table "
                "columns-table\"><thead><tr>");
    for (size_t k = 0; k < nf; k++) {
        const form_field *f = fs[k];
        buf_puts(o, "<th scope=\"col\"");
        rform_kinds_attr(o, "data-kinds", f->kinds);
        rform_attr(o, "title", nz(f->help));
        buf_puts(o, ">");
        buf_append_html(o, f->label);
        rform_required_badge(o, f, kind);
        buf_puts(o, "</th>");
    }
    buf_puts(o, "</tr></thead><tbody>");
    for (size_t c = 0; c < ncols; c++)
        column_row(v, i, c, &it->columns[c], kind);
    for (size_t c = 0; c < blanks; c++)
        column_row(v, i, ncols + c, NULL, kind);
    buf_puts(o, "</tbody></table></div><details class=\"help\"><summary>"
                "About the column fields</summary><dl class=\"facts\">");
    for (size_t k = 0; k < nf; k++) {
        const form_field *f = fs[k];
        page_wrap(o, "<dt>", f->label, "</dt><dd>");
        buf_append_html(o, nz(f->help));
        rform_kinds_note(o, f->kinds);
        buf_puts(o, "</dd>");
    }
    buf_appendf(o,
                "</dl></details><div class=\"actions\"><button "
                "class=\"button small more-rows\" type=\"submit\" "
                "name=\"add_rows\" value=\"%zu\" formnovalidate>More "
                "column rows</button></div></div>",
                i);
}

static void item_block(const rform_view *v, size_t i, const form_item *it)
{
    buf *o = &v->req->out;
    size_t nf;
    const form_field *fs = form_def_fields(&nf);
    int kind = it ? (int)it->kind : FORM_ITEM_NEW_TABLE;
    size_t ncols = it ? it->ncolumns : 0;
    size_t blanks = ncols >= BLANK_ROWS ? 1 : BLANK_ROWS - ncols;
    char path[160];

    if (v->more_rows_item == (long)i)
        blanks += BLANK_ROWS;
    /* A group with a heading rather than a fieldset: a fieldset grows to
       the width of the wide columns table instead of letting it scroll. */
    buf_appendf(o,
                "<div class=\"card item\" role=\"group\" "
                "id=\"items[%zu]\" data-item=\"%zu\" "
                "aria-labelledby=\"items[%zu]-title\"><h3 "
                "class=\"item-title\" id=\"items[%zu]-title\">Change "
                "%zu</h3>",
                i, i, i, i, i + 1);
    kind_field(v, i, kind);
    for (size_t k = 0; k < nf; k++) {
        const form_field *f = &fs[k];
        if (f->level != FORM_LEVEL_ITEM || f->value == FORM_VALUE_KIND ||
            !strcmp(f->key, "examples") || !strcmp(f->key, "notes"))
            continue;
        path_of(path, sizeof path, f, i, 0);
        rform_field_block(v, path, it, f, kind);
    }
    buf_puts(o, "</div>");

    columns_block(v, i, it, kind, blanks);
    /* examples and notes */
    buf_puts(o, "<div class=\"grid-form\">");
    for (size_t k = 0; k < nf; k++) {
        const form_field *f = &fs[k];
        if (f->level != FORM_LEVEL_ITEM ||
            (strcmp(f->key, "examples") && strcmp(f->key, "notes")))
            continue;
        path_of(path, sizeof path, f, i, 0);
        rform_field_block(v, path, it, f, kind);
    }
    buf_puts(o, "</div></div>");
}

void rform_changes_section(const rform_view *v, const form_section *s)
{
    buf *o = &v->req->out;
    size_t n = v->r && v->r->nitems ? v->r->nitems : 1;
    size_t nf;
    const form_field *fs = form_def_fields(&nf);
    const char *error = rform_err_of(v, "items");

    if (v->add_item && n < FORM_MAX_ITEMS)
        n++;
    page_wrap(o, "<section class=\"card\" id=\"changes\"><h2>", s->title,
              "</h2><p class=\"help\">");
    buf_append_html(o, s->help);
    buf_puts(o, "</p>");
    rform_error_line(o, "items", error);
    buf_puts(o, "<datalist id=\"types-list\">");
    for (size_t k = 0; k < nf; k++)
        if (fs[k].value == FORM_VALUE_TYPE)
            for (size_t c = 0; c < fs[k].nchoices; c++) {
                buf_puts(o, "<option");
                rform_attr(o, "value", fs[k].choices[c].value);
                page_wrap(o, ">", fs[k].choices[c].label, "</option>");
            }
    buf_puts(o, "</datalist><datalist id=\"tables-list\">");
    for (size_t t = 0; t < v->ch->ntables; t++) {
        buf_puts(o, "<option");
        rform_attr(o, "value", v->ch->tables[t]);
        buf_puts(o, "></option>");
    }
    buf_puts(o, "</datalist><div class=\"items stack\">");
    for (size_t i = 0; i < n; i++)
        item_block(v, i, v->r && i < v->r->nitems ? &v->r->items[i] : NULL);
    buf_puts(o, "</div><div class=\"actions\"><button class=\"button "
                "add-item\" type=\"submit\" name=\"add_item\" value=\"1\" "
                "formnovalidate>Add another change</button></div>"
                "</section>");
}

void rform_files_section(const rform_view *v)
{
    buf *o = &v->req->out;
    const char *error = rform_err_of(v, "attachments");

    buf_puts(o, "<section class=\"card\" id=\"files\"><h2>Attachments</h2>");
    if (v->fe)
        for (size_t i = 0; i < v->fe->n; i++)
            if (!strcmp(v->fe->errs[i].field, "attachments") &&
                v->fe->errs[i].message != error)
                rform_error_line(o, "attachments-more", v->fe->errs[i].message);
    if (v->nfiles) {
        buf_puts(o, "<ul class=\"kept-files\">");
        for (size_t i = 0; i < v->nfiles; i++) {
            const kept_file *f = &v->files[i];
            size_t blen = sodium_base64_ENCODED_LEN(
                f->size, sodium_base64_VARIANT_ORIGINAL);
            char *b64 = xmalloc(blen);
            sodium_bin2base64(b64, blen, f->data, f->size,
                              sodium_base64_VARIANT_ORIGINAL);
            buf_appendf(o,
                        "<li><label class=\"inline\"><input "
                        "type=\"checkbox\" name=\"kept[%zu].keep\" "
                        "value=\"on\" checked> ",
                        i);
            buf_append_html(o, f->filename);
            buf_appendf(o,
                        " <span class=\"muted\">(%zu bytes, kept from "
                        "your last attempt: untick to remove)</span>"
                        "</label><input type=\"hidden\" "
                        "name=\"kept[%zu].name\"",
                        f->size, i);
            rform_attr(o, "value", f->filename);
            buf_appendf(o, "><input type=\"hidden\" name=\"kept[%zu].data\"",
                        i);
            rform_attr(o, "value", b64);
            buf_puts(o, "></li>");
            free(b64);
        }
        buf_puts(o, "</ul>");
    }
    buf_puts(o, "<div class=\"field\"><label for=\"attachments\">Sample "
                "files or documents</label><input type=\"file\" "
                "id=\"attachments\" name=\"attachments\" multiple "
                "accept=\".csv,.tsv,.json,.parquet,.xlsx,.pdf,.txt\"");
    rform_described(o, "attachments", "attachments", error);
    buf_appendf(o,
                "><p class=\"help\" id=\"help-attachments\">Up to %d "
                "files of at most 10 MiB each: CSV, TSV, JSON, Parquet, "
                "XLSX, PDF or TXT. Files are only ever downloaded, never "
                "opened in the browser.</p>",
                FORM_MAX_ATTACHMENTS);
    rform_error_line(o, "attachments", error);
    buf_puts(o, "</div></section>");
}
