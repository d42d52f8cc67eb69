/* page_requests.c: the change-request form (GET /requests/new, POST
 * /requests), the request page (GET /requests/{id}), attachment downloads
 * and the route table of the whole requests area, JSON API included (its
 * handlers are in api_requests.c). The form is rendered from the
 * definition in forms/def.h; input names are the API's field paths, so
 * every validation error lands next to its input. web/static/form.js
 * enhances the page (rows, kinds, sample inference); without it the page
 * still works for any number of items through "add" submit buttons. */
#include "requests_int.h"
#include "def.h"
#include "mem.h"
#include "parse.h"
#include "requests.h"
#include "str.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLANK_ROWS  3    /* column rows of a fresh item */
#define TABLE_NAMES 2000 /* entries of the table autocomplete */
#define MAX_KEPT    FORM_MAX_ATTACHMENTS

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

typedef struct opt_inst {
    char name[101];
    char org[201];
    char env[33];
} opt_inst;

typedef struct opt_pm {
    char email[256];
    char name[201];
} opt_pm;

typedef struct choices {
    char (*orgs)[201];
    size_t norgs;
    opt_inst *insts;
    size_t ninsts;
    opt_pm *pms;
    size_t npms;
    char (*tables)[101];
    size_t ntables;
} choices;

static void ch_org(void *ctx, const registry_org *o)
{
    choices *c = ctx;

    c->orgs = xrealloc(c->orgs, (c->norgs + 1) * sizeof *c->orgs);
    str_copy(c->orgs[c->norgs++], sizeof *c->orgs, o->name);
}

static void ch_inst(void *ctx, const registry_instance *i)
{
    choices *c = ctx;
    opt_inst *o;

    c->insts = xrealloc(c->insts, (c->ninsts + 1) * sizeof *c->insts);
    o = &c->insts[c->ninsts++];
    str_copy(o->name, sizeof o->name, i->name);
    str_copy(o->org, sizeof o->org, i->org_name);
    str_copy(o->env, sizeof o->env, i->environment);
}

static void ch_pm(void *ctx, const registry_user *u)
{
    choices *c = ctx;
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
    choices *c = ctx;

    (void)instance;
    for (size_t i = 0; i < c->ntables; i++)
        if (!strcmp(c->tables[i], table))
            return;
    c->tables = xrealloc(c->tables, (c->ntables + 1) * sizeof *c->tables);
    str_copy(c->tables[c->ntables++], sizeof *c->tables, table);
}

static int choices_load(web_req *req, choices *c, errmsg *err)
{
    int64_t org = intake_org_filter(req);
    int rc;

    memset(c, 0, sizeof *c);
    if (!org && (rc = registry_org_list(req->reg, ch_org, c, err)) < 0)
        return rc;
    if ((rc = registry_instance_list(req->reg, org, ch_inst, c, err)) < 0 ||
        (rc = registry_user_list(req->reg, "pm", ch_pm, c, err)) < 0)
        return rc;
    return registry_request_table_names(req->reg, org, TABLE_NAMES, ch_table, c,
                                        err);
}

static void choices_dispose(choices *c)
{
    free(c->orgs);
    free(c->insts);
    free(c->pms);
    free(c->tables);
    memset(c, 0, sizeof *c);
}

/* ---- uploaded files ---------------------------------------------------- */

/* A file of the submission: new in this post or carried from the last
 * (hidden base64 fields). The bytes are owned. */
typedef struct kept_file {
    char *filename;
    char *content_type;
    unsigned char *data;
    size_t size;
} kept_file;

typedef struct file_kind {
    const char *ext;
    const char *type;
    int text; /* 1: must be UTF-8 text */
} file_kind;

static const file_kind file_kinds[] = {
    {"csv", "text/csv", 1},
    {"tsv", "text/tab-separated-values", 1},
    {"txt", "text/plain", 1},
    {"json", "application/json", 1},
    {"parquet", "application/vnd.apache.parquet", 0},
    {"xlsx",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 0},
    {"pdf", "application/pdf", 0}};

static int has_prefix(const unsigned char *d, size_t n, const char *p,
                      size_t pn)
{
    return n >= pn && !memcmp(d, p, pn);
}

/* Executables and scripts, whatever the name says. */
static int looks_executable(const unsigned char *d, size_t n)
{
    static const char *const magic[] = {"MZ",
                                        "\177ELF",
                                        "#!",
                                        "\xfe\xed\xfa\xce",
                                        "\xfe\xed\xfa\xcf",
                                        "\xce\xfa\xed\xfe",
                                        "\xcf\xfa\xed\xfe",
                                        "\xca\xfe\xba\xbe",
                                        "\0asm"};
    static const size_t len[] = {2, 4, 2, 4, 4, 4, 4, 4, 4};

    for (size_t i = 0; i < sizeof magic / sizeof *magic; i++)
        if (has_prefix(d, n, magic[i], len[i]))
            return 1;
    return 0;
}

/* HTML, SVG or XML that a browser could render as a page. */
static int looks_like_markup(const unsigned char *d, size_t n)
{
    static const char *const tags[] = {
        "<!doctype", "<html",   "<script", "<svg", "<?xml", "<head", "<body",
        "<iframe",   "<object", "<embed",  "<!--", "<img",  "<a "};
    size_t i = 0, lim = n < 4096 ? n : 4096;

    if (has_prefix(d, n, "\xef\xbb\xbf", 3))
        i = 3;
    while (i < n &&
           (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
        i++;
    if (i < n && d[i] == '<')
        return 1;
    for (size_t k = 0; k < lim; k++) {
        if (d[k] != '<')
            continue;
        for (size_t t = 0; t < sizeof tags / sizeof *tags; t++) {
            size_t tl = strlen(tags[t]);
            if (k + tl <= lim &&
                !str_ncasecmp((const char *)d + k, tags[t], tl))
                return 1;
        }
    }
    return 0;
}

/* The name without path parts, control characters refused, bidi controls
 * and invisible format characters removed (a right-to-left override makes
 * "\u202Eexe.csv" show as "vsc.exe"), at most FORM_MAX_SHORT code points
 * (the base is cut, the extension kept). NULL with msg set when unusable.
 * Caller frees. */
static char *clean_filename(const char *name, char *msg, size_t msgsize)
{
    const char *base = name, *ext;
    char *clean = NULL;
    size_t n, cps;
    buf b = {0};

    for (const char *p = name; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    if (!str_utf8_valid(base, strlen(base)) || str_has_ctl(base) ||
        strchr(base, '\t') || strchr(base, '\r') || strchr(base, '\n')) {
        snprintf(msg, msgsize,
                 "a file name has control characters or "
                 "invalid UTF-8");
        return NULL;
    }
    clean = str_strip_format_dup(base);
    n = strlen(clean);
    if (!n || !strcmp(clean, ".") || !strcmp(clean, "..")) {
        snprintf(msg, msgsize, "a file has no usable name");
        free(clean);
        return NULL;
    }
    cps = str_utf8_len(clean);
    if (cps <= FORM_MAX_SHORT)
        return clean;
    ext = strrchr(clean, '.');
    if (!ext || strlen(ext) > 16)
        ext = clean + n;
    /* Keep FORM_MAX_SHORT - len(ext) code points of the base. */
    {
        size_t keep = FORM_MAX_SHORT - str_utf8_len(ext), k = 0;
        const char *p = clean;
        while (p < ext && k < keep) {
            p++;
            while (p < ext && ((unsigned char)*p & 0xc0) == 0x80)
                p++;
            k++;
        }
        buf_append(&b, clean, (size_t)(p - clean));
        buf_puts(&b, ext);
    }
    free(clean);
    return buf_detach(&b);
}

/* Checks one file: name, extension, size and content. On success fills
 * *out (name and type heap copies; data borrowed by the caller's
 * choice). Returns 0 or -1 with msg set. */
static int file_check(kept_file *out, const char *name, const unsigned char *d,
                      size_t n, char *msg, size_t msgsize)
{
    char *clean = clean_filename(name, msg, msgsize);
    const char *dot;
    const file_kind *fk = NULL;
    char ext[16];

    if (!clean)
        return -1;
    dot = strrchr(clean, '.');
    if (dot && strlen(dot + 1) < sizeof ext) {
        str_copy(ext, sizeof ext, dot + 1);
        str_lower(ext);
        for (size_t i = 0; i < sizeof file_kinds / sizeof *file_kinds; i++)
            if (!strcmp(ext, file_kinds[i].ext))
                fk = &file_kinds[i];
    }
    if (!fk) {
        snprintf(msg, msgsize,
                 "%.100s: only CSV, TSV, JSON, Parquet, XLSX, PDF and TXT "
                 "files are accepted",
                 clean);
        goto fail;
    }
    if (n > FORM_MAX_ATTACHMENT) {
        snprintf(msg, msgsize, "%.100s is larger than 10 MiB", clean);
        goto fail;
    }
    if (looks_executable(d, n) || looks_like_markup(d, n)) {
        snprintf(msg, msgsize,
                 "%.100s looks like a program or a web page, not a .%s "
                 "file",
                 clean, fk->ext);
        goto fail;
    }
    if (fk->text) {
        size_t i = 0;
        if (memchr(d, '\0', n) || !str_utf8_valid((const char *)d, n)) {
            snprintf(msg, msgsize, "%.100s is not UTF-8 text", clean);
            goto fail;
        }
        if (!strcmp(fk->ext, "json")) {
            if (has_prefix(d, n, "\xef\xbb\xbf", 3))
                i = 3;
            while (i < n && strchr(" \t\r\n", d[i]))
                i++;
            if (i >= n || (d[i] != '{' && d[i] != '['))
                goto badcontent;
        }
    } else if (!strcmp(fk->ext, "pdf")) {
        if (!has_prefix(d, n, "%PDF-", 5))
            goto badcontent;
    } else if (!strcmp(fk->ext, "parquet")) {
        if (n < 8 || !has_prefix(d, n, "PAR1", 4) ||
            memcmp(d + n - 4, "PAR1", 4))
            goto badcontent;
    } else if (!strcmp(fk->ext, "xlsx")) {
        if (!has_prefix(d, n, "PK\x03\x04", 4))
            goto badcontent;
    }
    out->filename = clean;
    out->content_type = xstrdup(fk->type);
    return 0;
badcontent:
    snprintf(msg, msgsize, "%.100s does not look like a .%s file", clean,
             fk->ext);
fail:
    free(clean);
    return -1;
}

static void files_dispose(kept_file *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(f[i].filename);
        free(f[i].content_type);
        free(f[i].data);
    }
    free(f);
}

/* "kept[3].data" -> 3 and "data"; -1 when not a kept field. */
static int kept_index(const char *name, const char **suffix)
{
    int i = 0;
    const char *p = name + 5;

    if (!str_startswith(name, "kept[") || *p < '0' || *p > '9')
        return -1;
    while (*p >= '0' && *p <= '9' && i < 100)
        i = i * 10 + (*p++ - '0');
    if (*p != ']' || p[1] != '.' || i >= MAX_KEPT)
        return -1;
    *suffix = p + 2;
    return i;
}

static void add_file(kept_file **files, size_t *n, const char *name,
                     const unsigned char *d, size_t len, form_errors *fe)
{
    kept_file f = {0};
    char msg[256];

    if (*n >= FORM_MAX_ATTACHMENTS) {
        if (!form_errors_get(fe, "attachments") ||
            !strstr(form_errors_get(fe, "attachments"), "at most"))
            form_errors_add(fe, "attachments",
                            "at most %d files per request: %.100s was not "
                            "added",
                            FORM_MAX_ATTACHMENTS, name);
        return;
    }
    if (file_check(&f, name, d, len, msg, sizeof msg) < 0) {
        form_errors_add(fe, "attachments", "%s", msg);
        return;
    }
    f.data = xmalloc(len ? len : 1);
    if (len)
        memcpy(f.data, d, len);
    f.size = len;
    *files = xrealloc(*files, (*n + 1) * sizeof **files);
    (*files)[(*n)++] = f;
}

/* The files of this post: those carried from the last rendering (kept
 * and still ticked) first, then new uploads of the "attachments" input.
 * Problems go into fe under "attachments". */
static void files_collect(web_req *req, kept_file **files, size_t *n,
                          form_errors *fe)
{
    const char *names[MAX_KEPT] = {0}, *data[MAX_KEPT] = {0};
    size_t datalen[MAX_KEPT] = {0};
    int keep[MAX_KEPT] = {0};

    *files = NULL;
    *n = 0;
    for (size_t i = 0; i < req->nfields; i++) {
        const web_field *f = &req->fields[i];
        const char *suffix;
        int k = f->filename ? -1 : kept_index(f->name, &suffix);
        if (k < 0)
            continue;
        if (!strcmp(suffix, "name"))
            names[k] = buf_cstr(&f->value);
        else if (!strcmp(suffix, "data")) {
            data[k] = buf_cstr(&f->value);
            datalen[k] = f->value.len;
        } else if (!strcmp(suffix, "keep"))
            keep[k] = 1;
    }
    for (int k = 0; k < MAX_KEPT; k++) {
        unsigned char *bin;
        size_t binlen = 0, max;
        if (!keep[k] || !names[k] || !data[k])
            continue;
        max = datalen[k] / 4 * 3 + 3;
        if (max > FORM_MAX_ATTACHMENT + 3)
            continue;
        bin = xmalloc(max ? max : 1);
        if (sodium_base642bin(bin, max, data[k], datalen[k], NULL, &binlen,
                              NULL, sodium_base64_VARIANT_ORIGINAL) == 0)
            add_file(files, n, names[k], bin, binlen, fe);
        free(bin);
    }
    for (size_t i = 0; i < req->nfields; i++) {
        const web_field *f = &req->fields[i];
        if (strcmp(f->name, "attachments") != 0)
            continue;
        if (!f->filename) {
            /* A file part whose name MHD could not read (a NUL or a line
               break in filename="...") arrives without one: refuse it
               rather than drop the file silently. */
            if (f->value.len)
                form_errors_add(fe, "attachments",
                                "a file was sent without a readable name");
            continue;
        }
        if (!*f->filename && !f->value.len)
            continue; /* the empty file input */
        add_file(files, n, f->filename,
                 (const unsigned char *)buf_cstr(&f->value), f->value.len, fe);
    }
}

/* ---- raw values of fields that failed to parse ------------------------- */

/* A number or type that did not parse is not in the request any more; the
 * user's text is found again among the posted fields so it can be shown
 * next to its error. The compaction of form_parse_fields is replayed:
 * a row is live when a non-boolean, non-select value is not blank. */
typedef struct raw_value {
    char path[160];
    const char *value;
} raw_value;

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

static size_t raw_values_find(web_req *req, const form_errors *fe,
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

typedef struct view {
    web_req *req;
    const form_request *r;
    const form_errors *fe; /* NULL: none shown */
    const choices *ch;
    const kept_file *files;
    size_t nfiles;
    long more_rows_item; /* item that gets BLANK_ROWS more rows, or -1 */
    int add_item;
    const char *submission_id;
    raw_value raw[32];
    size_t nraw;
    const intake_form_mode *mode; /* NULL: the new-request form */
} view;

static const char *err_of(const view *v, const char *path)
{
    return v->fe ? form_errors_get(v->fe, path) : NULL;
}

static const char *raw_of(const view *v, const char *path)
{
    for (size_t i = 0; i < v->nraw; i++)
        if (!strcmp(v->raw[i].path, path))
            return v->raw[i].value;
    return NULL;
}

/* data-kinds="new_table add_columns" for fields of some kinds only. */
static void kinds_attr(buf *o, const char *attr, unsigned kinds)
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
static void kinds_note(buf *o, unsigned kinds)
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

static void attr(buf *o, const char *name, const char *value)
{
    buf_putc(o, ' ');
    buf_puts(o, name);
    buf_puts(o, "=\"");
    buf_append_html(o, value);
    buf_putc(o, '"');
}

/* aria-describedby / aria-invalid of an input with id path. */
static void described(buf *o, const char *path, const char *help,
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

static void error_line(buf *o, const char *path, const char *error)
{
    if (!error)
        return;
    buf_puts(o, "<p class=\"field-error\" id=\"err-");
    buf_append_html(o, path);
    buf_puts(o, "\"><span class=\"sr-only\">Error: </span>");
    buf_append_html(o, error);
    buf_puts(o, "</p>");
}

static void help_line(buf *o, const char *path, const form_field *f,
                      const char *extra)
{
    buf_puts(o, "<p class=\"help\" id=\"help-");
    buf_append_html(o, path);
    buf_puts(o, "\">");
    buf_append_html(o, nz(f->help));
    if (extra) {
        buf_putc(o, ' ');
        buf_append_html(o, extra);
    }
    if (f->level != FORM_LEVEL_REQUEST)
        kinds_note(o, f->kinds);
    buf_puts(o, "</p>");
}

static void required_badge(buf *o, const form_field *f, int kind)
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
    kinds_attr(o, "data-required-kinds", f->kinds_required);
    if (kind >= 0 && !(f->kinds_required & FORM_KIND_BIT(kind)))
        buf_puts(o, " hidden");
    buf_puts(o, ">required</span>");
}

/* The text shown in a text-like input for field f of obj. */
static void value_text(char *out, size_t size, const view *v, const char *path,
                       const void *obj, const form_field *f)
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
static void control(const view *v, const char *path, const void *obj,
                    const form_field *f, const char *error, int with_help)
{
    buf *o = &v->req->out;
    const char *help = with_help ? path : NULL;
    char tv[128];
    const char *sval;

    switch (f->input) {
    case FORM_INPUT_TEXTAREA:
        buf_puts(o, "<textarea");
        attr(o, "id", path);
        attr(o, "name", path);
        buf_appendf(o, " rows=\"%d\"", f->level == FORM_LEVEL_COLUMN ? 1 : 4);
        if (f->max_length)
            buf_appendf(o, " maxlength=\"%zu\"", f->max_length);
        if (f->placeholder)
            attr(o, "placeholder", f->placeholder);
        described(o, path, help, error);
        buf_puts(o, ">");
        buf_append_html(o, fstr(obj, f));
        buf_puts(o, "</textarea>");
        return;
    case FORM_INPUT_CHECKBOX:
        buf_puts(o, "<input type=\"checkbox\" value=\"on\"");
        attr(o, "id", path);
        attr(o, "name", path);
        if (fbool(obj, f))
            buf_puts(o, " checked");
        described(o, path, help, error);
        buf_puts(o, ">");
        return;
    case FORM_INPUT_SELECT:
        value_text(tv, sizeof tv, v, path, obj, f);
        sval = f->value == FORM_VALUE_STRING ? fstr(obj, f) : tv;
        if (!obj && f->default_value)
            sval = f->default_value;
        buf_puts(o, "<select");
        attr(o, "id", path);
        attr(o, "name", path);
        described(o, path, help, error);
        buf_puts(o, ">");
        if (f->value == FORM_VALUE_STRING)
            buf_puts(o, "<option value=\"\">—</option>");
        for (size_t i = 0; i < f->nchoices; i++) {
            buf_puts(o, "<option");
            attr(o, "value", f->choices[i].value);
            if (!strcmp(sval, f->choices[i].value))
                buf_puts(o, " selected");
            buf_puts(o, ">");
            buf_append_html(o, f->choices[i].label);
            buf_puts(o, "</option>");
        }
        buf_puts(o, "</select>");
        return;
    default: break;
    }
    value_text(tv, sizeof tv, v, path, obj, f);
    buf_puts(o, "<input");
    attr(o, "type", input_type(f->input));
    attr(o, "id", path);
    attr(o, "name", path);
    if (f->value == FORM_VALUE_STRING)
        attr(o, "value", fstr(obj, f));
    else
        attr(o, "value", tv);
    if (f->max_length)
        buf_appendf(o, " maxlength=\"%zu\"", f->max_length);
    if (f->value == FORM_VALUE_INT)
        buf_puts(o, " inputmode=\"numeric\" pattern=\"[0-9]*\"");
    if (f->placeholder)
        attr(o, "placeholder", f->placeholder);
    if (f->value == FORM_VALUE_TYPE)
        buf_puts(o, " list=\"types-list\" autocomplete=\"off\"");
    if (f->level == FORM_LEVEL_ITEM && !strcmp(f->key, "table"))
        buf_puts(o, " list=\"tables-list\" autocomplete=\"off\" "
                    "spellcheck=\"false\"");
    if (f->level == FORM_LEVEL_COLUMN && !strcmp(f->key, "name"))
        buf_puts(o, " autocomplete=\"off\" spellcheck=\"false\"");
    if (f->input == FORM_INPUT_EMAIL)
        buf_puts(o, " autocomplete=\"email\"");
    described(o, path, help, error);
    buf_puts(o, ">");
}

/* A labelled field with help and error (request and item levels). */
static void field_block(const view *v, const char *path, const void *obj,
                        const form_field *f, int kind)
{
    buf *o = &v->req->out;
    const char *error = err_of(v, path);

    if (f->input == FORM_INPUT_RADIO) {
        buf_puts(o, "<fieldset class=\"field\"");
        attr(o, "id", path);
        if (f->level != FORM_LEVEL_REQUEST)
            kinds_attr(o, "data-kinds", f->kinds);
        buf_puts(o, "><legend>");
        buf_append_html(o, f->label);
        required_badge(o, f, kind);
        buf_puts(o, "</legend>");
        help_line(o, path, f, NULL);
        error_line(o, path, error);
        for (size_t i = 0; i < f->nchoices; i++) {
            int on;
            if (f->value == FORM_VALUE_BOOL)
                on = fbool(obj, f) == !strcmp(f->choices[i].value, "yes");
            else
                on = !strcmp(fstr(obj, f), f->choices[i].value);
            buf_puts(o, "<label class=\"inline\"><input type=\"radio\"");
            attr(o, "name", path);
            attr(o, "value", f->choices[i].value);
            if (on)
                buf_puts(o, " checked");
            if (error)
                buf_puts(o, " aria-invalid=\"true\"");
            buf_puts(o, "> ");
            buf_append_html(o, f->choices[i].label);
            buf_puts(o, "</label> ");
        }
        buf_puts(o, "</fieldset>");
        return;
    }
    buf_puts(o, "<div class=\"field\"");
    if (f->level != FORM_LEVEL_REQUEST)
        kinds_attr(o, "data-kinds", f->kinds);
    buf_puts(o, ">");
    if (f->input == FORM_INPUT_CHECKBOX) {
        buf_puts(o, "<label class=\"inline\">");
        control(v, path, obj, f, error, 1);
        buf_putc(o, ' ');
        buf_append_html(o, f->label);
        buf_puts(o, "</label>");
    } else {
        buf_puts(o, "<label");
        attr(o, "for", path);
        buf_puts(o, ">");
        buf_append_html(o, f->label);
        required_badge(o, f, kind);
        buf_puts(o, "</label>");
        control(v, path, obj, f, error, 1);
    }
    help_line(o, path, f, NULL);
    error_line(o, path, error);
    buf_puts(o, "</div>");
}

/* ---- the "About this request" section ---------------------------------- */

static void org_field(const view *v, const form_field *f)
{
    buf *o = &v->req->out;
    const char *error = err_of(v, "organisation");
    const char *cur = nz(v->r ? v->r->organisation : NULL);

    if (v->req->role == ROLE_CLIENT) {
        buf_puts(o, "<div class=\"field\"><span class=\"label\">");
        buf_append_html(o, f->label);
        buf_puts(o, "</span><p class=\"value\" id=\"organisation\">");
        buf_append_html(o, v->req->user.org_name);
        buf_puts(o, "</p>");
        help_line(o, "organisation", f, NULL);
        error_line(o, "organisation", error);
        buf_puts(o, "</div>");
        return;
    }
    buf_puts(o, "<div class=\"field\"><label for=\"organisation\">");
    buf_append_html(o, f->label);
    required_badge(o, f, -1);
    buf_puts(o, "</label><select id=\"organisation\" name=\"organisation\"");
    described(o, "organisation", "organisation", error);
    buf_puts(o, "><option value=\"\">—</option>");
    for (size_t i = 0; i < v->ch->norgs; i++) {
        buf_puts(o, "<option");
        attr(o, "value", v->ch->orgs[i]);
        if (!str_casecmp(cur, v->ch->orgs[i]))
            buf_puts(o, " selected");
        buf_puts(o, ">");
        buf_append_html(o, v->ch->orgs[i]);
        buf_puts(o, "</option>");
    }
    buf_puts(o, "</select><p class=\"help\" id=\"help-organisation\">The "
                "organisation the request is for (staff choose one; it "
                "is also derived from the main instance).</p>");
    error_line(o, "organisation", error);
    buf_puts(o, "</div>");
}

static void instance_field(const view *v, const form_field *f)
{
    buf *o = &v->req->out;
    const char *error = err_of(v, "instance");
    const char *cur = nz(v->r ? v->r->instance : NULL);
    const char *group = NULL;

    buf_puts(o, "<div class=\"field\"><label for=\"instance\">");
    buf_append_html(o, f->label);
    required_badge(o, f, -1);
    buf_puts(o, "</label><select id=\"instance\" name=\"instance\"");
    described(o, "instance", "instance", error);
    buf_puts(o, "><option value=\"\">—</option>");
    for (size_t i = 0; i < v->ch->ninsts; i++) {
        const opt_inst *in = &v->ch->insts[i];
        if (v->req->role != ROLE_CLIENT &&
            (!group || strcmp(group, in->org) != 0)) {
            if (group)
                buf_puts(o, "</optgroup>");
            buf_puts(o, "<optgroup");
            attr(o, "label", in->org);
            attr(o, "data-org", in->org);
            buf_puts(o, ">");
            group = in->org;
        }
        buf_puts(o, "<option");
        attr(o, "value", in->name);
        attr(o, "data-org", in->org);
        if (!str_casecmp(cur, in->name))
            buf_puts(o, " selected");
        buf_puts(o, ">");
        buf_append_html(o, in->name);
        buf_puts(o, " (");
        buf_append_html(o, in->env);
        buf_puts(o, ")</option>");
    }
    if (group)
        buf_puts(o, "</optgroup>");
    buf_puts(o, "</select>");
    help_line(o, "instance", f, NULL);
    error_line(o, "instance", error);
    buf_puts(o, "</div>");
}

static int instance_listed(const form_request *r, const char *name)
{
    for (size_t i = 0; r && i < r->ninstances; i++)
        if (!str_casecmp(nz(r->instances[i]), name))
            return 1;
    return 0;
}

static void instances_field(const view *v, const form_field *f)
{
    buf *o = &v->req->out;
    const char *error = err_of(v, "instances");

    /* An error on one entry ("instances[1]") is shown on the group. */
    for (size_t i = 0; !error && v->fe && i < v->fe->n; i++)
        if (str_startswith(v->fe->errs[i].field, "instances["))
            error = v->fe->errs[i].message;
    buf_puts(o, "<fieldset class=\"field\" id=\"instances\"><legend>Applies "
                "to more than one instance?</legend>");
    help_line(o, "instances", f, NULL);
    error_line(o, "instances", error);
    if (!v->ch->ninsts)
        buf_puts(o, "<p class=\"muted\">No instances are set up yet.</p>");
    for (size_t i = 0; i < v->ch->ninsts; i++) {
        const opt_inst *in = &v->ch->insts[i];
        buf_puts(o, "<label class=\"inline\"");
        attr(o, "data-org", in->org);
        buf_puts(o, "><input type=\"checkbox\" name=\"instances\"");
        attr(o, "value", in->name);
        if (instance_listed(v->r, in->name))
            buf_puts(o, " checked");
        if (error)
            buf_puts(o, " aria-invalid=\"true\"");
        buf_puts(o, "> ");
        buf_append_html(o, in->name);
        buf_puts(o, " <span class=\"muted\">");
        buf_append_html(o, in->env);
        if (v->req->role != ROLE_CLIENT) {
            buf_puts(o, ", ");
            buf_append_html(o, in->org);
        }
        buf_puts(o, "</span></label> ");
    }
    buf_puts(o, "</fieldset>");
}

static void pm_field(const view *v, const form_field *f)
{
    buf *o = &v->req->out;
    const char *error = err_of(v, "project_manager");
    const char *cur = nz(v->r ? v->r->project_manager : NULL);

    buf_puts(o, "<div class=\"field\"><label for=\"project_manager\">");
    buf_append_html(o, f->label);
    required_badge(o, f, -1);
    buf_puts(o, "</label><select id=\"project_manager\" "
                "name=\"project_manager\"");
    described(o, "project_manager", "project_manager", error);
    buf_puts(o, "><option value=\"\">—</option>");
    for (size_t i = 0; i < v->ch->npms; i++) {
        buf_puts(o, "<option");
        attr(o, "value", v->ch->pms[i].email);
        if (!str_casecmp(cur, v->ch->pms[i].email))
            buf_puts(o, " selected");
        buf_puts(o, ">");
        buf_append_html(o, v->ch->pms[i].name);
        buf_puts(o, " (");
        buf_append_html(o, v->ch->pms[i].email);
        buf_puts(o, ")</option>");
    }
    buf_puts(o, "</select>");
    help_line(o, "project_manager", f, NULL);
    error_line(o, "project_manager", error);
    buf_puts(o, "</div>");
}

static void about_section(const view *v, const form_section *s)
{
    buf *o = &v->req->out;

    buf_puts(o, "<section class=\"card\" id=\"about\"><h2>");
    buf_append_html(o, s->title);
    buf_puts(o, "</h2><p class=\"help\">");
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
            field_block(v, f->name, v->r, f, -1);
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

static void column_row(const view *v, size_t i, size_t c,
                       const form_column *col, int kind)
{
    buf *o = &v->req->out;
    size_t nf;
    const form_field *fs = form_def_fields(&nf);

    buf_appendf(o, "<tr class=\"column-row\" data-column=\"%zu\">", c);
    for (size_t k = 0; k < nf; k++) {
        const form_field *f = &fs[k];
        char path[160];
        const char *error;
        if (f->level != FORM_LEVEL_COLUMN)
            continue;
        path_of(path, sizeof path, f, i, c);
        error = err_of(v, path);
        buf_puts(o, "<td");
        kinds_attr(o, "data-kinds", f->kinds);
        buf_puts(o, "><label class=\"sr-only\"");
        attr(o, "for", path);
        buf_puts(o, ">");
        buf_append_html(o, f->label);
        buf_appendf(o, ", row %zu</label>", c + 1);
        control(v, path, col, f, error, 0);
        error_line(o, path, error);
        buf_puts(o, "</td>");
    }
    (void)kind;
    buf_puts(o, "</tr>");
}

static void item_block(const view *v, size_t i, const form_item *it)
{
    buf *o = &v->req->out;
    size_t nf, nk;
    const form_field *fs = form_def_fields(&nf);
    const form_choice *kinds = form_def_kinds(&nk);
    int kind = it ? (int)it->kind : FORM_ITEM_NEW_TABLE;
    size_t ncols = it ? it->ncolumns : 0;
    size_t blanks = ncols >= BLANK_ROWS ? 1 : BLANK_ROWS - ncols;
    char path[160];
    const char *error;

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
    /* kind */
    snprintf(path, sizeof path, "items[%zu].kind", i);
    error = err_of(v, path);
    buf_puts(o, "<div class=\"grid-form\"><div class=\"field\"><label");
    attr(o, "for", path);
    buf_puts(o, ">Kind of change <span class=\"badge required\">required"
                "</span></label><select class=\"item-kind\"");
    attr(o, "id", path);
    attr(o, "name", path);
    described(o, path, path, error);
    buf_puts(o, ">");
    for (size_t k = 0; k < nk; k++) {
        buf_puts(o, "<option");
        attr(o, "value", kinds[k].value);
        if ((int)k == kind)
            buf_puts(o, " selected");
        buf_puts(o, ">");
        buf_append_html(o, kinds[k].label);
        buf_puts(o, "</option>");
    }
    buf_puts(o, "</select><p class=\"help\"");
    buf_puts(o, " id=\"help-");
    buf_append_html(o, path);
    buf_puts(o, "\">");
    for (size_t k = 0; k < nk; k++) {
        buf_puts(o, "<span");
        attr(o, "data-kinds", kinds[k].value);
        buf_puts(o, ">");
        buf_append_html(o, kinds[k].label);
        buf_puts(o, ": ");
        buf_append_html(o, form_def_kind_help((form_item_kind)k));
        buf_puts(o, "</span> ");
    }
    buf_puts(o, "</p>");
    error_line(o, path, error);
    buf_puts(o, "</div>");
    for (size_t k = 0; k < nf; k++) {
        const form_field *f = &fs[k];
        if (f->level != FORM_LEVEL_ITEM || f->value == FORM_VALUE_KIND ||
            !strcmp(f->key, "examples") || !strcmp(f->key, "notes"))
            continue;
        path_of(path, sizeof path, f, i, 0);
        field_block(v, path, it, f, kind);
    }
    buf_puts(o, "</div>");

    /* columns */
    snprintf(path, sizeof path, "items[%zu].columns", i);
    error = err_of(v, path);
    buf_puts(o, "<div class=\"columns\"");
    attr(o, "id", path);
    buf_puts(o, "><h3>Columns <span class=\"muted\" data-kinds=\""
                "customer_attributes activity_history purchase_history\">"
                "(attributes)</span></h3>");
    error_line(o, path, error);
    buf_puts(o, "<div class=\"infer\" hidden><label>Propose columns from a "
                "sample file (CSV or TSV) <input type=\"file\" "
                "class=\"infer-file\" accept=\".csv,.tsv,.txt,text/csv\">"
                "</label> <span class=\"infer-status\" role=\"status\" "
                "aria-live=\"polite\"></span></div>"
                "<div class=\"table-scroll\"><table class=\"table "
                "columns-table\"><thead><tr>");
    for (size_t k = 0; k < nf; k++) {
        const form_field *f = &fs[k];
        if (f->level != FORM_LEVEL_COLUMN)
            continue;
        buf_puts(o, "<th scope=\"col\"");
        kinds_attr(o, "data-kinds", f->kinds);
        attr(o, "title", nz(f->help));
        buf_puts(o, ">");
        buf_append_html(o, f->label);
        required_badge(o, f, kind);
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
        const form_field *f = &fs[k];
        if (f->level != FORM_LEVEL_COLUMN)
            continue;
        buf_puts(o, "<dt>");
        buf_append_html(o, f->label);
        buf_puts(o, "</dt><dd>");
        buf_append_html(o, nz(f->help));
        kinds_note(o, f->kinds);
        buf_puts(o, "</dd>");
    }
    buf_appendf(o,
                "</dl></details><div class=\"actions\"><button "
                "class=\"button small more-rows\" type=\"submit\" "
                "name=\"add_rows\" value=\"%zu\" formnovalidate>More "
                "column rows</button></div></div>",
                i);
    /* examples and notes */
    buf_puts(o, "<div class=\"grid-form\">");
    for (size_t k = 0; k < nf; k++) {
        const form_field *f = &fs[k];
        if (f->level != FORM_LEVEL_ITEM ||
            (strcmp(f->key, "examples") && strcmp(f->key, "notes")))
            continue;
        path_of(path, sizeof path, f, i, 0);
        field_block(v, path, it, f, kind);
    }
    buf_puts(o, "</div></div>");
}

static void changes_section(const view *v, const form_section *s)
{
    buf *o = &v->req->out;
    size_t n = v->r && v->r->nitems ? v->r->nitems : 1;
    size_t nf;
    const form_field *fs = form_def_fields(&nf);
    const char *error = err_of(v, "items");

    if (v->add_item && n < FORM_MAX_ITEMS)
        n++;
    buf_puts(o, "<section class=\"card\" id=\"changes\"><h2>");
    buf_append_html(o, s->title);
    buf_puts(o, "</h2><p class=\"help\">");
    buf_append_html(o, s->help);
    buf_puts(o, "</p>");
    error_line(o, "items", error);
    buf_puts(o, "<datalist id=\"types-list\">");
    for (size_t k = 0; k < nf; k++)
        if (fs[k].value == FORM_VALUE_TYPE)
            for (size_t c = 0; c < fs[k].nchoices; c++) {
                buf_puts(o, "<option");
                attr(o, "value", fs[k].choices[c].value);
                buf_puts(o, ">");
                buf_append_html(o, fs[k].choices[c].label);
                buf_puts(o, "</option>");
            }
    buf_puts(o, "</datalist><datalist id=\"tables-list\">");
    for (size_t t = 0; t < v->ch->ntables; t++) {
        buf_puts(o, "<option");
        attr(o, "value", v->ch->tables[t]);
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

static void files_section(const view *v)
{
    buf *o = &v->req->out;
    const char *error = err_of(v, "attachments");

    buf_puts(o, "<section class=\"card\" id=\"files\"><h2>Attachments</h2>");
    if (v->fe)
        for (size_t i = 0; i < v->fe->n; i++)
            if (!strcmp(v->fe->errs[i].field, "attachments") &&
                v->fe->errs[i].message != error)
                error_line(o, "attachments-more", v->fe->errs[i].message);
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
            attr(o, "value", f->filename);
            buf_appendf(o, "><input type=\"hidden\" name=\"kept[%zu].data\"",
                        i);
            attr(o, "value", b64);
            buf_puts(o, "></li>");
            free(b64);
        }
        buf_puts(o, "</ul>");
    }
    buf_puts(o, "<div class=\"field\"><label for=\"attachments\">Sample "
                "files or documents</label><input type=\"file\" "
                "id=\"attachments\" name=\"attachments\" multiple "
                "accept=\".csv,.tsv,.json,.parquet,.xlsx,.pdf,.txt\"");
    described(o, "attachments", "attachments", error);
    buf_appendf(o,
                "><p class=\"help\" id=\"help-attachments\">Up to %d "
                "files of at most 10 MiB each: CSV, TSV, JSON, Parquet, "
                "XLSX, PDF or TXT. Files are only ever downloaded, never "
                "opened in the browser.</p>",
                FORM_MAX_ATTACHMENTS);
    error_line(o, "attachments", error);
    buf_puts(o, "</div></section>");
}

/* "Change 2, column 3: Type" for the error summary. */
static void error_label(buf *o, const char *path)
{
    const form_field *f = form_def_field(path);
    long item, col;
    const char *key;

    if (!raw_indices(path, &item, &col, &key)) {
        buf_appendf(o, "Change %ld, ", item + 1);
        if (col >= 0)
            buf_appendf(o, "column row %ld, ", col + 1);
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
        buf_append_html(o, *path ? path : "Request");
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

static void error_summary(const view *v)
{
    buf *o = &v->req->out;

    if (!v->fe || !v->fe->n)
        return;
    buf_puts(o, "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\" "
                "id=\"error-summary\"><h2>Please correct ");
    if (v->fe->n == 1)
        buf_puts(o, "this problem");
    else
        buf_appendf(o, "these %zu problems", v->fe->n);
    buf_puts(o, "</h2><p>Nothing was saved yet.</p><ul>");
    for (size_t i = 0; i < v->fe->n; i++) {
        buf_puts(o, "<li><a href=\"#");
        error_anchor(o, v->fe->errs[i].field);
        buf_puts(o, "\">");
        error_label(o, v->fe->errs[i].field);
        buf_puts(o, ": ");
        buf_append_html(o, v->fe->errs[i].message);
        buf_puts(o, "</a></li>");
    }
    buf_puts(o, "</ul></div>");
}

static void form_page(view *v)
{
    web_req *req = v->req;
    buf *o = &req->out;
    size_t ns;
    const form_section *secs = form_def_sections(&ns);

    const intake_form_mode *m = v->mode;
    const char *heading = m && m->heading ? m->heading : "New change request";

    page_begin(req, heading);
    buf_puts(o, "<h1>");
    buf_append_html(o, heading);
    buf_puts(o, "</h1>");
    error_summary(v);
    buf_puts(o, "<form method=\"post\" enctype=\"multipart/form-data\" "
                "novalidate class=\"request-form stack\" "
                "id=\"request-form\"");
    attr(o, "action", m && m->action ? m->action : "/requests");
    buf_puts(o, ">");
    page_csrf_input(req);
    if (v->submission_id) {
        buf_puts(o, "<input type=\"hidden\" name=\"submission_id\"");
        attr(o, "value", v->submission_id);
        buf_puts(o, ">");
    }
    for (size_t s = 0; s < ns; s++) {
        if (!strcmp(secs[s].id, "about"))
            about_section(v, &secs[s]);
        else
            changes_section(v, &secs[s]);
    }
    if (!m || !m->no_files)
        files_section(v);
    if (m && m->extra)
        m->extra(req, m->ctx);
    buf_puts(o, "<div class=\"actions\"><button class=\"button primary\" "
                "type=\"submit\" name=\"submit\" value=\"1\">");
    buf_append_html(o, m && m->submit ? m->submit : "Submit request");
    buf_puts(o, "</button></div></form><script type=\"module\" src=\"");
    buf_append_html(o, web_asset_url("form.js"));
    buf_puts(o, "\"></script>");
    page_end(req);
}

/* Renders the form with the choices of the user; status 0 means 200. */
static void form_reply(view *v, int status)
{
    choices ch;
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

/* GET /requests/new */
static void page_request_new(web_req *req)
{
    form_request r;
    view v;
    char sid[33];

    memset(&r, 0, sizeof r);
    memset(&v, 0, sizeof v);
    r.requester_name = xstrdup(req->user.name);
    r.requester_email = xstrdup(req->user.email);
    if (req->role == ROLE_CLIENT)
        r.organisation = xstrdup(req->user.org_name);
    registry_random_hex(sid, 16);
    v.req = req;
    v.r = &r;
    v.more_rows_item = -1;
    v.submission_id = sid;
    form_reply(&v, 0);
    form_request_dispose(&r);
}

static int hex32(const char *s)
{
    if (!s || strlen(s) != 32)
        return 0;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return 0;
    return 1;
}

/* What a form submission keeps while the writer stores it: the request,
 * its files (the attachments' bytes) and the submission id, for the
 * redirect or, when the store rejects a field, the form again. */
typedef struct create_ctx {
    form_request r;
    kept_file *files;
    size_t nfiles;
    char sid[33];
    registry_job job;
} create_ctx;

/* The form view of a submission: the request, its kept files and id. */
static void create_view(view *v, web_req *req, create_ctx *c)
{
    memset(v, 0, sizeof *v);
    v->req = req;
    v->r = &c->r;
    v->files = c->files;
    v->nfiles = c->nfiles;
    v->submission_id = c->sid;
    v->more_rows_item = -1;
}

/* The form again with the problems of fe (422). */
static void create_reply_errors(view *v, form_errors *fe)
{
    v->fe = fe;
    v->nraw =
        raw_values_find(v->req, fe, v->raw, sizeof v->raw / sizeof *v->raw);
    form_reply(v, 422);
}

static void create_ctx_free(void *ctx)
{
    create_ctx *c = ctx;

    registry_job_dispose(&c->job);
    files_dispose(c->files, c->nfiles);
    form_request_dispose(&c->r);
    free(c);
}

/* The reply once the request is stored: a redirect to its page with a
 * flash message, or the form with the problem. */
static void create_finish(web_req *req, registry_job *job, void *ctx)
{
    create_ctx *c = ctx;
    form_errors fe = {0};
    char msg[96], loc[48];
    view v;

    intake_stored(job, &fe);
    if (job->rc < 0 && !(job->rc == ERR_INVALID && fe.n)) {
        web_reply_err(req, &job->err);
        goto done;
    }
    if (fe.n) {
        create_view(&v, req, c);
        create_reply_errors(&v, &fe);
        goto done;
    }
    snprintf(msg, sizeof msg, "Request CR-%lld was submitted.",
             (long long)job->id);
    snprintf(loc, sizeof loc, "/requests/%lld", (long long)job->id);
    page_flash_set(req, msg);
    web_redirect(req, loc);
done:
    form_errors_dispose(&fe);
}

/* POST /requests */
static void page_request_create(web_req *req)
{
    create_ctx *c = xcalloc(1, sizeof *c);
    form_request *rp = &c->r;
    form_errors fe = {0}, shown = {0};
    intake_org org = {0};
    errmsg err = {0};
    form_kv *kv = xcalloc(req->nfields ? req->nfields : 1, sizeof *kv);
    size_t nkv = 0;
    const char *add_rows = web_field_get(req, "add_rows");
    const char *sid = web_field_get(req, "submission_id");
    view v;
    int rc;

    for (size_t i = 0; i < req->nfields; i++) {
        const web_field *f = &req->fields[i];
        if (f->filename || str_startswith(f->name, "kept["))
            continue;
        kv[nkv].name = f->name;
        kv[nkv].value = buf_cstr(&f->value);
        kv[nkv].len = f->value.len;
        nkv++;
    }
    form_parse_fields(rp, kv, nkv, &fe);
    files_collect(req, &c->files, &c->nfiles, &fe);
    if (hex32(sid))
        memcpy(c->sid, sid, sizeof c->sid);
    else
        registry_random_hex(c->sid, 16);
    create_view(&v, req, c);

    /* "Add another change" / "More column rows": the same form, longer. */
    if (web_field_get(req, "add_item") || add_rows) {
        long item = -1;
        char *end;
        if (add_rows) {
            item = strtol(add_rows, &end, 10);
            if (*end || item < 0)
                item = -1;
            if (item >= (long)rp->nitems)
                item = rp->nitems ? (long)rp->nitems - 1 : 0;
        }
        v.more_rows_item = item;
        v.add_item = web_field_get(req, "add_item") != NULL;
        /* Only the problems of the files are shown: the rest is not
           finished yet. */
        for (size_t i = 0; i < fe.n; i++)
            if (!strcmp(fe.errs[i].field, "attachments"))
                form_errors_add(&shown, "attachments", "%s",
                                fe.errs[i].message);
        v.fe = &shown;
        form_reply(&v, 0);
        goto done;
    }
    if (intake_prepare(req, rp, &org, &fe, &err) < 0 ||
        ((rc = intake_validate(rp, &org, &fe, &err)) < 0 &&
         rc != ERR_INVALID)) {
        web_reply_err(req, &err);
        goto done;
    }
    if (!fe.n) {
        rp->attachments =
            xcalloc(c->nfiles ? c->nfiles : 1, sizeof *rp->attachments);
        for (size_t i = 0; i < c->nfiles; i++) {
            rp->attachments[i].filename = xstrdup(c->files[i].filename);
            rp->attachments[i].content_type = xstrdup(c->files[i].content_type);
            rp->attachments[i].data = c->files[i].data;
            rp->attachments[i].size = c->files[i].size;
        }
        rp->nattachments = c->nfiles;
        rc = intake_store_defer(req, &c->job, rp, c->sid, create_finish, c,
                                create_ctx_free, &err);
        if (rc == 0) {
            c = NULL; /* the writer's continuation owns it now */
            goto done;
        }
        if (rc == ERR_INVALID && err.field[0])
            form_errors_add(&fe, err.field, "%s", err.msg);
        else {
            web_reply_err(req, &err);
            goto done;
        }
    }
    create_reply_errors(&v, &fe);
done:
    free(kv);
    if (c)
        create_ctx_free(c);
    intake_org_dispose(&org);
    form_errors_dispose(&fe);
    form_errors_dispose(&shown);
}

/* ---- shared with page_triage.c (requests_int.h) ------------------------ */

int intake_file_check(char **out_name, char **out_type, const char *name,
                      const unsigned char *data, size_t len, char *msg,
                      size_t msgsize)
{
    kept_file f = {0};

    if (file_check(&f, name, data, len, msg, msgsize) < 0)
        return -1;
    *out_name = f.filename;
    *out_type = f.content_type;
    return 0;
}

void intake_form_show(web_req *req, const form_request *r,
                      const form_errors *fe, const intake_form_mode *mode,
                      int status)
{
    view v;

    memset(&v, 0, sizeof v);
    v.req = req;
    v.r = r;
    v.fe = fe;
    v.mode = mode;
    v.more_rows_item = mode ? mode->more_rows_item : -1;
    v.add_item = mode ? mode->add_item : 0;
    if (fe && fe->n)
        v.nraw = raw_values_find(req, fe, v.raw, sizeof v.raw / sizeof *v.raw);
    form_reply(&v, status);
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

static void status_badge(buf *o, const char *status)
{
    buf_puts(o, "<span class=\"badge status-");
    buf_append_html(o, status);
    buf_puts(o, "\">");
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

static void item_view(buf *o, const form_item *it, size_t i)
{
    size_t nk;
    const form_choice *kinds = form_def_kinds(&nk);
    int attrs = it->kind == FORM_ITEM_CUSTOMER_ATTRIBUTES ||
                it->kind == FORM_ITEM_ACTIVITY_HISTORY ||
                it->kind == FORM_ITEM_PURCHASE_HISTORY;
    int feed = attrs || it->kind == FORM_ITEM_NEW_TABLE;
    char n[32];

    buf_appendf(o,
                "<section class=\"card item\" id=\"item-%zu\"><h3>Change "
                "%zu: ",
                i + 1, i + 1);
    buf_append_html(o, (size_t)it->kind < nk ? kinds[it->kind].label : "");
    buf_puts(o, " <code>");
    buf_append_html(o, it->table);
    buf_puts(o, "</code></h3>");
    if (*nz(it->description)) {
        buf_puts(o, "<p>");
        buf_append_html(o, it->description);
        buf_puts(o, "</p>");
    }
    if (feed && (*nz(it->campaign_dependency) || *nz(it->source) ||
                 *nz(it->cadence) || *nz(it->owner))) {
        buf_puts(o, "<div class=\"rules-card\"><dl class=\"facts\">"
                    "<dt>Campaigns</dt><dd>");
        dependency_badge(o, nz(it->campaign_dependency));
        buf_puts(o, "</dd>");
        if (*nz(it->campaign_note)) {
            buf_puts(o, "<dt>Campaign note</dt><dd>");
            buf_append_html(o, it->campaign_note);
            buf_puts(o, "</dd>");
        }
        fact(o, "Source", label_of("source", FORM_LEVEL_ITEM, nz(it->source)));
        fact(o, "Cadence",
             label_of("cadence", FORM_LEVEL_ITEM, nz(it->cadence)));
        fact(o, "Expected arrival (UTC)", it->expected_arrival);
        if (it->late_after_minutes)
            snprintf(n, sizeof n, "%d minutes", it->late_after_minutes);
        else
            n[0] = '\0';
        fact(o, "Late after", n);
        fact(o, "File name pattern", it->file_pattern);
        fact(o, "Owner", it->owner);
        fact(o, "Escalation", it->escalation);
        buf_puts(o, "</dl></div>");
    }
    if (it->kind == FORM_ITEM_NEW_TABLE && *nz(it->primary_key)) {
        buf_puts(o, "<p>Primary key: <code>");
        buf_append_html(o, it->primary_key);
        buf_puts(o, "</code></p>");
    }
    buf_puts(o, "<div class=\"table-scroll\"><table class=\"table\"><thead>"
                "<tr>");
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
            buf_puts(o, "<td>");
            buf_append_html(o, form_action_name(col->action));
            buf_puts(o, "</td>");
        }
        buf_puts(o, "<td><code>");
        buf_append_html(o, col->name);
        buf_puts(o, "</code></td><td>");
        buf_append_html(o, type);
        buf_puts(o, "</td><td>");
        buf_puts(o, col->nullable ? "yes" : "no");
        buf_puts(o, "</td><td>");
        buf_append_html(o, col->description);
        buf_puts(o, "</td><td>");
        buf_append_html(o, col->example);
        buf_puts(o, "</td>");
        if (attrs) {
            buf_puts(o, "<td>");
            buf_append_html(o, col->rule);
            buf_puts(o, "</td>");
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
    if (*nz(it->examples)) {
        buf_puts(o, "<h4>Example rows</h4><pre class=\"examples\">");
        buf_append_html(o, it->examples);
        buf_puts(o, "</pre>");
    }
    if (*nz(it->notes)) {
        buf_puts(o, "<h4>Notes</h4><div class=\"markdown\">");
        web_markdown(o, it->notes);
        buf_puts(o, "</div>");
    }
    buf_puts(o, "</section>");
}

typedef struct page_ctx {
    web_req *req;
    int64_t id;
    int n;
} page_ctx;

static void attachment_li(void *ctx, const registry_attachment *a)
{
    page_ctx *pc = ctx;
    buf *o = &pc->req->out;

    pc->n++;
    buf_appendf(o,
                "<li><a href=\"/requests/%lld/attachments/%lld\" "
                "download>",
                (long long)pc->id, (long long)a->id);
    buf_append_html(o, a->filename);
    buf_appendf(o,
                "</a> <span class=\"muted\">%lld bytes, SHA-256 "
                "<code>%.12s</code>…</span></li>",
                (long long)a->size, a->sha256);
}

/* GET /requests/{id} */
static void page_request_show(web_req *req)
{
    int64_t id = web_arg_id(req, 0);
    int64_t orgf = intake_org_filter(req);
    registry_request_row row;
    form_request r;
    errmsg err = {0};
    buf *o = &req->out;
    page_ctx pc = {req, id, 0};
    char title[900], tbuf[32];

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
    buf_appendf(o,
                "<article class=\"request stack\"><header><p "
                "class=\"muted\">CR-%lld</p><h1>",
                (long long)id);
    buf_append_html(o, r.title);
    buf_puts(o, "</h1><p>");
    status_badge(o, nz(r.status));
    if (r.consent_related)
        buf_puts(o, " <span class=\"badge consent\">consent-related</span>");
    buf_puts(o, "</p></header>");
    if (r.consent_related) {
        buf_puts(o, "<div class=\"alert consent\" role=\"note\"><strong>"
                    "This request touches consent.</strong> ");
        buf_append_html(o, r.consent_note);
        buf_puts(o, "</div>");
    }
    buf_puts(o, "<section class=\"card\"><dl class=\"facts\">");
    fact(o, "Organisation", r.organisation);
    fact(o, "Main instance", r.instance);
    buf_puts(o, "<dt>Instances</dt><dd>");
    for (size_t i = 0; i < r.ninstances; i++) {
        if (i)
            buf_puts(o, ", ");
        buf_append_html(o, r.instances[i]);
    }
    buf_puts(o, "</dd><dt>Requester</dt><dd>");
    buf_append_html(o, r.requester_name);
    buf_puts(o, " &lt;<a href=\"mailto:");
    buf_append_html(o, r.requester_email);
    buf_puts(o, "\">");
    buf_append_html(o, r.requester_email);
    buf_puts(o, "</a>&gt;</dd><dt>Project manager</dt><dd>");
    if (*row.pm_email) {
        buf_append_html(o, row.pm_name);
        buf_puts(o, " &lt;");
        buf_append_html(o, row.pm_email);
        buf_puts(o, "&gt;");
    } else {
        buf_puts(o, "<span class=\"muted\">—</span>");
    }
    buf_puts(o, "</dd><dt>Submitted</dt><dd>");
    page_time(o, r.created_at);
    buf_puts(o, "</dd><dt>Updated</dt><dd>");
    page_time(o, r.updated_at);
    buf_puts(o, "</dd>");
    fact(o, "Wanted by", r.desired_date);
    buf_puts(o, "</dl></section><section class=\"card\"><h2>Summary</h2>"
                "<div class=\"markdown\">");
    web_markdown(o, r.summary);
    buf_puts(o, "</div></section><section class=\"stack\"><h2>Changes</h2>");
    for (size_t i = 0; i < r.nitems; i++)
        item_view(o, &r.items[i], i);
    buf_puts(o, "</section><section class=\"card\" id=\"attachments\"><h2>"
                "Attachments</h2><ul>");
    if (registry_attachment_list(req->reg, id, orgf, attachment_li, &pc, &err) <
        0) {
        web_reply_err(req, &err);
        form_request_dispose(&r);
        return;
    }
    buf_puts(o, "</ul>");
    if (!pc.n)
        buf_puts(o, "<p class=\"muted\">No files were attached.</p>");
    buf_puts(o, "</section>");
    /* The timeline (events, comments and edits in one list), the
       life-cycle actions and the conversation: page_request_extra.c. */
    if (page_request_extra(req, id, &err) < 0) {
        web_reply_err(req, &err);
        form_request_dispose(&r);
        return;
    }
    snprintf(tbuf, sizeof tbuf, "%lld", (long long)id);
    buf_puts(o, "<p><a href=\"/api/v1/requests/");
    buf_puts(o, tbuf);
    buf_puts(o, "\">This request as JSON</a></p></article>");
    page_end(req);
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
    {"GET", "/requests/new", ROLE_CLIENT | ROLE_PM | ROLE_ADMIN, 0,
     page_request_new},
    {"POST", "/requests", ROLE_CLIENT | ROLE_PM | ROLE_ADMIN, 0,
     page_request_create},
    {"GET", "/requests/{id}", ROLE_USER, 0, page_request_show},
    {"GET", "/requests/{id}/attachments/{aid}", ROLE_USER, 0,
     page_request_attachment},
    {"GET", "/api/v1/openapi.json", ROLE_ANY, WEB_JSON, api_openapi_get},
    {"GET", "/api/v1/form", ROLE_USER, WEB_JSON, api_form_get},
    {"POST", "/api/v1/infer-columns", ROLE_USER, WEB_JSON | WEB_RAWBODY,
     api_infer_columns},
    {"POST", "/api/v1/requests", ROLE_CLIENT | ROLE_PM | ROLE_ADMIN,
     WEB_JSON | WEB_RAWBODY, api_requests_create},
    {"GET", "/api/v1/requests", ROLE_USER, WEB_JSON, api_requests_list},
    {"GET", "/api/v1/requests/{id}", ROLE_USER, WEB_JSON, api_requests_get},
    {NULL, NULL, 0, 0, NULL}};
