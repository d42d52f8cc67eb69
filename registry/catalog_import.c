/* catalog_import.c: the data-dictionary import engine (catalog.h): records
 * in the CSV vocabulary (registry_csv_columns), each checked (the field
 * checks of catalog_field.c) before anything is written, then all tables
 * and columns in one transaction. Its fronts: the CSV reader here (RFC 4180
 * through core/csv.c and the header map), and the YAML readers that fill
 * registry_import_recs (domain/dbt.c, domain/odcs.c). The export writes the
 * same columns (app/export.c). */
#include "catalog_int.h"
#include "csv.h"
#include "mem.h"
#include "str.h"
#include "validate.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    CSV_TABLE,
    CSV_COLUMN,
    CSV_TYPE,
    CSV_NULLABLE,
    CSV_PRIMARY_KEY,
    CSV_DESCRIPTION,
    CSV_EXAMPLE,
    CSV_PII,
    CSV_CONSENT,
    CSV_CONSENT_CHANNEL,
    CSV_RULE,
    CSV_COLUMN_STATUS,
    CSV_CAMPAIGN_DEPENDENCY,
    CSV_CAMPAIGN_NOTE,
    CSV_EXPECTED_ARRIVAL,
    CSV_LATE_AFTER,
    CSV_SOURCE,
    CSV_CADENCE,
    CSV_FILE_PATTERN,
    CSV_OWNER,
    CSV_ESCALATION,
    CSV_TABLE_DESCRIPTION,
    CSV_RUNBOOK,
    CSV_TABLE_KIND,
    CSV_TABLE_STATUS,
    CSV_CONSENT_RELEVANT,
    CSV_EXPECTED_DAY,
    CSV_ANOMALY_LOW,
    CSV_ANOMALY_HIGH,
    CSV_NCOLS
};

const char *const registry_csv_columns[] = {
    /* the record's table and column */
    "table", "column",
    /* the column's fields */
    "type", "nullable", "primary_key", "description", "example", "pii",
    "consent", "consent_channel", "rule", "column_status",
    /* the table's fields */
    "campaign_dependency", "campaign_note", "expected_arrival",
    "late_after_minutes", "source", "cadence", "file_pattern", "owner",
    "escalation", "table_description", "runbook", "table_kind", "table_status",
    "consent_relevant", "expected_day", "anomaly_low_pct", "anomaly_high_pct",
    NULL};
const size_t registry_csv_ncolumns = CSV_NCOLS;
_Static_assert(CSV_NCOLS == REGISTRY_IMPORT_NFIELDS,
               "registry_import_record holds one value per CSV column");

int registry_csv_column_index(const char *name)
{
    for (int c = 0; name && c < CSV_NCOLS; c++)
        if (!strcmp(name, registry_csv_columns[c]))
            return c;
    return -1;
}

/* CSV column -> (is column field, registry field name). */
static const struct {
    int csv;
    int column;
    const char *field;
} csv_fields[] = {
    {CSV_TYPE, 1, "type"},
    {CSV_NULLABLE, 1, "nullable"},
    {CSV_PRIMARY_KEY, 1, "primary_key"},
    {CSV_DESCRIPTION, 1, "description"},
    {CSV_EXAMPLE, 1, "example"},
    {CSV_PII, 1, "pii"},
    {CSV_CONSENT, 1, "consent"},
    {CSV_CONSENT_CHANNEL, 1, "consent_channel"},
    {CSV_RULE, 1, "rule"},
    {CSV_COLUMN_STATUS, 1, "status"},
    {CSV_TABLE_DESCRIPTION, 0, "description"},
    {CSV_TABLE_KIND, 0, "kind"},
    {CSV_SOURCE, 0, "source"},
    {CSV_CADENCE, 0, "cadence"},
    {CSV_EXPECTED_ARRIVAL, 0, "expected_arrival"},
    {CSV_LATE_AFTER, 0, "late_after_minutes"},
    {CSV_FILE_PATTERN, 0, "file_pattern"},
    {CSV_CAMPAIGN_DEPENDENCY, 0, "campaign_dependency"},
    {CSV_CAMPAIGN_NOTE, 0, "campaign_note"},
    {CSV_CONSENT_RELEVANT, 0, "consent_relevant"},
    {CSV_OWNER, 0, "owner"},
    {CSV_ESCALATION, 0, "escalation"},
    {CSV_RUNBOOK, 0, "runbook"},
    {CSV_TABLE_STATUS, 0, "status"},
    {CSV_EXPECTED_DAY, 0, "expected_day"},
    {CSV_ANOMALY_LOW, 0, "anomaly_low_pct"},
    {CSV_ANOMALY_HIGH, 0, "anomaly_high_pct"},
};
#define NCSV_FIELDS (sizeof csv_fields / sizeof *csv_fields)

void registry_import_report_dispose(registry_import_report *rep)
{
    if (!rep)
        return;
    free(rep->problems);
    memset(rep, 0, sizeof *rep);
}

static void problem_vadd(registry_import_report *rep, const char *file,
                         int line, const char *field, const char *fmt,
                         va_list ap)
{
    registry_import_problem *p;

    if (rep->nproblems >= 1000)
        return; /* enough to act on */
    xgrow(&rep->problems, &rep->cap, rep->nproblems + 1, sizeof *rep->problems);
    p = &rep->problems[rep->nproblems++];
    p->line = line;
    str_copy(p->file, sizeof p->file, cat_nz(file));
    str_copy(p->field, sizeof p->field, cat_nz(field));
    vsnprintf(p->message, sizeof p->message, fmt, ap);
}

void registry_import_problem_add(registry_import_report *rep, const char *file,
                                 int line, const char *field, const char *fmt,
                                 ...)
{
    va_list ap;

    va_start(ap, fmt);
    problem_vadd(rep, file, line, field, fmt, ap);
    va_end(ap);
}

static void problem_add(registry_import_report *rep, int line,
                        const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void problem_add(registry_import_report *rep, int line,
                        const char *field, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    problem_vadd(rep, NULL, line, field, fmt, ap);
    va_end(ap);
}

/* ---- records ---- */

/* A copy of s kept by rs (NULL for NULL). */
static const char *recs_keep(registry_import_recs *rs, const char *s)
{
    if (!s)
        return NULL;
    xgrow(&rs->strs, &rs->capstrs, rs->nstrs + 1, sizeof *rs->strs);
    rs->strs[rs->nstrs] = xstrdup(s);
    return rs->strs[rs->nstrs++];
}

size_t registry_import_recs_add(registry_import_recs *rs, const char *file,
                                int line)
{
    registry_import_record *r;

    xgrow(&rs->v, &rs->cap, rs->n + 1, sizeof *rs->v);
    r = &rs->v[rs->n];
    memset(r, 0, sizeof *r);
    r->file = recs_keep(rs, file);
    r->line = line;
    return rs->n++;
}

int registry_import_recs_set(registry_import_recs *rs, size_t i,
                             const char *name, const char *value)
{
    int c = registry_csv_column_index(name);

    assert(i < rs->n);
    if (c < 0)
        return -1;
    rs->v[i].v[c] = recs_keep(rs, value);
    return 0;
}

void registry_import_recs_dispose(registry_import_recs *rs)
{
    if (!rs)
        return;
    xfree_strv(rs->strs, rs->nstrs);
    free(rs->v);
    memset(rs, 0, sizeof *rs);
}

/* The records of data through core/csv.c: 0, or ERR_INVALID with the
 * problem in rep at its line. */
static int imp_csv(csv_rec **out, size_t *nout, const char *data, size_t len,
                   registry_import_report *rep)
{
    errmsg e = {0};
    int line = 0;

    if (csv_read(out, nout, data, len, &line, &e) < 0) {
        problem_add(rep, line, "", "%s", e.msg);
        return ERR_INVALID;
    }
    return 0;
}

/* One checked data record. */
typedef struct imp_rec {
    const char *file; /* the record's file (borrowed), NULL: the import's */
    int line;
    char *table;
    char *column;       /* "" for a table-only record */
    char *v[CSV_NCOLS]; /* normalised values, NULL when empty/absent */
} imp_rec;

static int imp_cmp_name(const void *a, const void *b)
{
    const imp_rec *x = *(imp_rec *const *)a, *y = *(imp_rec *const *)b;
    int c = str_casecmp(x->table, y->table);

    if (c)
        return c;
    c = str_casecmp(x->column, y->column);
    return c ? c : x->line - y->line;
}

static int imp_cmp_line(const void *a, const void *b)
{
    const imp_rec *x = *(imp_rec *const *)a, *y = *(imp_rec *const *)b;
    int c = str_casecmp(x->table, y->table);

    return c ? c : x->line - y->line;
}

/* Checks one record, raw values per CSV column (cells[c] NULL: absent;
 * table and column are trimmed, an empty value of another column is
 * absent); fills *out, problems in rep at file:line. */
static void imp_check(imp_rec *out, const char *file, int line,
                      const char *const *cells, registry_import_report *rep)
{
    char msg[256];

    memset(out, 0, sizeof *out);
    out->file = file;
    out->line = line;
    for (int c = 0; c < CSV_NCOLS; c++) {
        const char *cell = cells[c];
        if (!cell)
            continue;
        if (c == CSV_TABLE || c == CSV_COLUMN) {
            out->v[c] = str_trim_dup(cell);
            continue;
        }
        if (*cell)
            out->v[c] = xstrdup(cell);
    }
    out->table = out->v[CSV_TABLE] ? out->v[CSV_TABLE] : xstrdup("");
    out->column = out->v[CSV_COLUMN] ? out->v[CSV_COLUMN] : xstrdup("");
    out->v[CSV_TABLE] = out->v[CSV_COLUMN] = NULL;
    if (form_ident_check(out->table, msg, sizeof msg) < 0)
        registry_import_problem_add(rep, file, line, "table", "%s",
                                    *out->table ? msg : "the table is empty");
    if (*out->column && form_ident_check(out->column, msg, sizeof msg) < 0)
        registry_import_problem_add(rep, file, line, "column", "%s", msg);
    if (*out->column && !out->v[CSV_TYPE])
        registry_import_problem_add(rep, file, line, "type",
                                    "a column needs a type");
    if (!*out->column) {
        for (size_t k = 0; k < NCSV_FIELDS; k++)
            if (csv_fields[k].column && out->v[csv_fields[k].csv])
                registry_import_problem_add(
                    rep, file, line, registry_csv_columns[csv_fields[k].csv],
                    "a record without a column may only describe the table");
    }
    for (size_t k = 0; k < NCSV_FIELDS; k++) {
        int c = csv_fields[k].csv;
        const cat_field_def *d;
        errmsg e = {0};
        buf v = {0};
        if (!out->v[c])
            continue;
        d = cat_field_def_get(csv_fields[k].column, csv_fields[k].field);
        if (cat_field_normalise(&v, d, out->v[c], &e) < 0) {
            registry_import_problem_add(rep, file, line,
                                        registry_csv_columns[c], "%s", e.msg);
        } else {
            free(out->v[c]);
            out->v[c] = buf_detach(&v);
        }
        buf_dispose(&v);
    }
    /* A day given with a cadence must fit it. An empty one is accepted
       (a file without the column, or a weekly or monthly table that is
       not tracked yet: older exports import as they are). */
    if (out->v[CSV_EXPECTED_DAY] && out->v[CSV_CADENCE] &&
        form_expected_day(NULL, 0, out->v[CSV_CADENCE],
                          out->v[CSV_EXPECTED_DAY], msg, sizeof msg) < 0)
        registry_import_problem_add(rep, file, line, "expected_day", "%s", msg);
}

/* Checks one CSV record against the header map; fills *out. */
static void imp_check_csv(imp_rec *out, const csv_rec *r, const int *map,
                          registry_import_report *rep)
{
    const char *cells[CSV_NCOLS] = {0};

    for (int c = 0; c < CSV_NCOLS; c++) {
        const char *cell;
        if (map[c] < 0 || (size_t)map[c] >= r->n)
            continue;
        cell = r->cells[map[c]];
        /* Undo the export's spreadsheet neutralisation (quoted cells). */
        if (r->quoted[map[c]] && cell[0] == '\'' &&
            (cell[1] == '\'' || buf_csv_is_risky(cell + 1)))
            cell++;
        cells[c] = cell;
    }
    imp_check(out, NULL, r->line, cells, rep);
}

static void imp_rec_dispose(imp_rec *r)
{
    free(r->table);
    free(r->column);
    for (int c = 0; c < CSV_NCOLS; c++)
        free(r->v[c]);
}

static const char *vv(const imp_rec *r, int c, const char *dflt)
{
    return r->v[c] ? r->v[c] : dflt;
}

/* The table-level fields of tv (one value per CSV column) on table tid:
 * 1 when one changed, 0, < 0. */
static int imp_table_fields(hctx *h, int64_t tid, const char *tname,
                            const char *const *tv)
{
    int rc, changed = 0;

    for (size_t k = 0; k < NCSV_FIELDS; k++) {
        int c = csv_fields[k].csv;
        if (csv_fields[k].column || !tv[c])
            continue;
        rc = cat_field_set(h, tid, tname, 0, NULL, csv_fields[k].field, tv[c]);
        if (rc < 0)
            return rc;
        changed |= rc;
    }
    return changed;
}

/* The column of record r on table tid, added or updated, counted in rep. */
static int imp_column(hctx *h, int64_t tid, const char *tname, const imp_rec *r,
                      registry_import_report *rep)
{
    char cname[FORM_MAX_IDENT * 4 + 1];
    int64_t cid;
    int rc, changed = 0;

    rc = cat_column_find(h, tid, r->column, &cid, NULL, 0, cname, sizeof cname);
    if (rc == 0) {
        col_vals v;
        v.name = r->column;
        v.type = vv(r, CSV_TYPE, "");
        v.description = vv(r, CSV_DESCRIPTION, "");
        v.example = vv(r, CSV_EXAMPLE, "");
        v.channel = vv(r, CSV_CONSENT_CHANNEL, "");
        v.rule = vv(r, CSV_RULE, "");
        v.status = vv(r, CSV_COLUMN_STATUS, "active");
        v.nullable = !strcmp(vv(r, CSV_NULLABLE, "1"), "1");
        v.primary_key = !strcmp(vv(r, CSV_PRIMARY_KEY, "0"), "1");
        v.pii = !strcmp(vv(r, CSV_PII, "0"), "1");
        v.consent = !strcmp(vv(r, CSV_CONSENT, "0"), "1");
        rc = cat_column_add(h, tid, tname, &v);
        if (rc == 0)
            rep->columns_added++;
        return rc;
    }
    for (size_t k = 0; rc > 0 && k < NCSV_FIELDS; k++) {
        int c = csv_fields[k].csv;
        int one;
        if (!csv_fields[k].column || !r->v[c])
            continue;
        one = cat_field_set(h, tid, tname, cid, cname, csv_fields[k].field,
                            r->v[c]);
        if (one < 0)
            return one;
        changed |= one;
    }
    if (rc < 0)
        return rc;
    rep->columns_updated += changed;
    return 0;
}

/* Writes one table's records (sorted by line). */
static int imp_table(hctx *h, imp_rec **g, size_t n, const char *const *tv,
                     registry_import_report *rep)
{
    char tname[FORM_MAX_IDENT * 4 + 1];
    int64_t tid;
    int rc, created = 0;

    rc = cat_table_find(h, g[0]->table, &tid, tname, sizeof tname);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        cat_table_vals t = {g[0]->table, "", "active", 0};
        for (size_t i = 0; i < n; i++)
            if (g[i]->v[CSV_CONSENT] && !strcmp(g[i]->v[CSV_CONSENT], "1"))
                t.consent_relevant = !tv[CSV_CONSENT_RELEVANT];
        str_copy(tname, sizeof tname, g[0]->table);
        rc = cat_table_insert(h, &tid, &t);
        if (rc < 0)
            return rc;
        created = 1;
        rep->tables_created++;
    }
    rc = imp_table_fields(h, tid, tname, tv);
    if (rc < 0)
        return rc;
    if (!created && rc)
        rep->tables_updated++;
    for (size_t i = 0; i < n && rc >= 0; i++)
        if (*g[i]->column)
            rc = imp_column(h, tid, tname, g[i], rep);
    return rc < 0 ? rc : 0;
}

/* The header record's columns into map (CSV_* -> cell index, -1 when
 * absent); problems in rep. */
static void imp_header(int *map, const csv_rec *hdr,
                       registry_import_report *rep)
{
    for (int c = 0; c < CSV_NCOLS; c++)
        map[c] = -1;
    for (size_t k = 0; k < hdr->n; k++) {
        char *name = str_lower(str_trim_dup(hdr->cells[k]));
        int found = -1;
        for (int c = 0; c < CSV_NCOLS; c++)
            if (!strcmp(name, registry_csv_columns[c]))
                found = c;
        if (found < 0)
            problem_add(rep, 1, name,
                        "unknown column \"%.60s\" in the header (known: "
                        "table, column, type, nullable, primary_key, ...; "
                        "see docket import --help)",
                        name);
        else if (map[found] >= 0)
            problem_add(rep, 1, name, "the header names %s twice", name);
        else
            map[found] = (int)k;
        free(name);
    }
    if (map[CSV_TABLE] < 0)
        problem_add(rep, 1, "table", "the header has no \"table\" column");
    if (map[CSV_COLUMN] < 0)
        problem_add(rep, 1, "column", "the header has no \"column\" column");
}

/* The end of the run of records of idx[i]'s table (idx sorted by table). */
static size_t imp_group_end(imp_rec **idx, size_t n, size_t i)
{
    size_t j = i;

    while (j < n && !str_casecmp(idx[j]->table, idx[i]->table))
        j++;
    return j;
}

static int same_file(const imp_rec *a, const imp_rec *b)
{
    return !strcmp(cat_nz(a->file), cat_nz(b->file));
}

/* Problems across records: a column twice, table cells that disagree.
 * Leaves idx sorted by table, then line. */
static void imp_cross_check(imp_rec **idx, size_t n,
                            registry_import_report *rep)
{
    qsort(idx, n, sizeof *idx, imp_cmp_name);
    for (size_t i = 1; i < n; i++)
        if (*idx[i]->column && !str_casecmp(idx[i]->table, idx[i - 1]->table) &&
            !str_casecmp(idx[i]->column, idx[i - 1]->column))
            registry_import_problem_add(
                rep, idx[i]->file, idx[i]->line, "column",
                "column %s of table %s is also on line %d%s%s", idx[i]->column,
                idx[i]->table, idx[i - 1]->line,
                same_file(idx[i], idx[i - 1]) ? "" : " of ",
                same_file(idx[i], idx[i - 1]) ? "" : cat_nz(idx[i - 1]->file));
    qsort(idx, n, sizeof *idx, imp_cmp_line);
    for (size_t i = 0, j; i < n; i = j) {
        j = imp_group_end(idx, n, i);
        for (size_t k = 0; k < NCSV_FIELDS; k++) {
            int c = csv_fields[k].csv;
            const imp_rec *first = NULL;
            if (csv_fields[k].column)
                continue;
            for (size_t m = i; m < j; m++) {
                if (!idx[m]->v[c])
                    continue;
                if (!first)
                    first = idx[m];
                else if (strcmp(first->v[c], idx[m]->v[c]))
                    registry_import_problem_add(
                        rep, idx[m]->file, idx[m]->line,
                        registry_csv_columns[c],
                        "differs from line %d%s%s for table %s", first->line,
                        same_file(first, idx[m]) ? "" : " of ",
                        same_file(first, idx[m]) ? "" : cat_nz(first->file),
                        idx[m]->table);
            }
        }
    }
}

/* Writes every table of idx (sorted by table) in one transaction. */
static int imp_write(hctx *h, imp_rec **idx, size_t n,
                     registry_import_report *rep)
{
    int rc = registry_begin(h->reg, h->err);

    if (rc < 0)
        return rc;
    for (size_t i = 0, j; rc >= 0 && i < n; i = j) {
        const char *tv[CSV_NCOLS] = {0};
        j = imp_group_end(idx, n, i);
        for (size_t m = i; m < j; m++)
            for (int c = 0; c < CSV_NCOLS; c++)
                if (!tv[c] && idx[m]->v[c])
                    tv[c] = idx[m]->v[c];
        rc = imp_table(h, &idx[i], j - i, tv, rep);
    }
    if (rc >= 0)
        rc = registry_commit(h->reg, h->err);
    if (rc < 0) {
        registry_rollback(h->reg);
        rep->tables_created = rep->tables_updated = 0;
        rep->columns_added = rep->columns_updated = 0;
    }
    return rc < 0 ? rc : 0;
}

/* The records read: CSV records, then the checked data records. */
typedef struct imp_file {
    csv_rec *recs;
    size_t nrecs;
    imp_rec *imp;
    imp_rec **idx; /* into imp, sorted */
    size_t nimp;
} imp_file;

static void imp_file_dispose(imp_file *f)
{
    for (size_t i = 0; i < f->nimp; i++)
        imp_rec_dispose(&f->imp[i]);
    free(f->imp);
    free(f->idx);
    csv_recs_free(f->recs, f->nrecs);
}

/* Reads and checks the whole file into f: 0, or ERR_INVALID with every
 * problem in rep. */
static int imp_read(imp_file *f, const char *data, size_t len,
                    registry_import_report *rep, errmsg *err)
{
    int map[CSV_NCOLS];

    if (memchr(data, '\0', len) || !str_utf8_valid(data, len)) {
        problem_add(rep, 0, "", "the file is not UTF-8 text");
        return err_set(err, ERR_INVALID, "the file is not UTF-8 text");
    }
    if (imp_csv(&f->recs, &f->nrecs, data, len, rep) < 0)
        return err_set(err, ERR_INVALID, "the file is not valid CSV");
    if (f->nrecs == 0) {
        problem_add(rep, 1, "", "the file is empty (no header)");
        return err_set(err, ERR_INVALID, "the file is empty");
    }
    imp_header(map, &f->recs[0], rep);
    if (rep->nproblems)
        return err_set(err, ERR_INVALID, "the header is not valid");
    f->imp = xcalloc(f->nrecs, sizeof *f->imp);
    f->idx = xcalloc(f->nrecs, sizeof *f->idx);
    for (size_t r = 1; r < f->nrecs; r++) {
        if (f->recs[r].n > f->recs[0].n)
            problem_add(rep, f->recs[r].line, "",
                        "the record has %zu cells, the header %zu",
                        f->recs[r].n, f->recs[0].n);
        imp_check_csv(&f->imp[f->nimp], &f->recs[r], map, rep);
        f->idx[f->nimp] = &f->imp[f->nimp];
        f->nimp++;
    }
    rep->records = (int)f->nimp;
    imp_cross_check(f->idx, f->nimp, rep);
    if (rep->nproblems)
        return err_set(err, ERR_INVALID,
                       "%zu problem%s found: nothing was "
                       "imported",
                       rep->nproblems, rep->nproblems == 1 ? "" : "s");
    return 0;
}

/* The name the history shows for an import of file: its last path
 * component (a local directory says nothing to the reader), NULL for
 * none or standard input. */
static const char *file_name(const char *file)
{
    const char *slash;

    if (!file || !*file || !strcmp(file, "-"))
        return NULL;
    slash = strrchr(file, '/');
    return slash && slash[1] ? slash + 1 : file;
}

int registry_import_csv(registry *reg, registry_import_report *rep,
                        const char *instance, const char *data, size_t len,
                        int64_t user_id, errmsg *err)
{
    return registry_import_csv_file(reg, rep, instance, data, len, user_id,
                                    NULL, err);
}

int registry_import_csv_file(registry *reg, registry_import_report *rep,
                             const char *instance, const char *data, size_t len,
                             int64_t user_id, const char *file, errmsg *err)
{
    imp_file f = {0};
    hctx h;
    int rc = hctx_init(&h, reg, instance, 0, user_id, "import", err);

    if (rc < 0)
        return rc;
    h.kind = REGISTRY_CHANGE_IMPORT;
    h.source = file_name(file);
    rc = imp_read(&f, data, len, rep, err);
    if (rc == 0)
        rc = imp_write(&h, f.idx, f.nimp, rep);
    imp_file_dispose(&f);
    return rc;
}

int registry_import_records(registry *reg, registry_import_report *rep,
                            const char *instance,
                            const registry_import_recs *rs, int64_t user_id,
                            const char *source, errmsg *err)
{
    imp_file f = {0};
    hctx h;
    int rc = hctx_init(&h, reg, instance, 0, user_id, "import", err);

    if (rc < 0)
        return rc;
    h.kind = REGISTRY_CHANGE_IMPORT;
    h.source = file_name(source);
    f.imp = xcalloc(rs->n ? rs->n : 1, sizeof *f.imp);
    f.idx = xcalloc(rs->n ? rs->n : 1, sizeof *f.idx);
    for (size_t i = 0; i < rs->n; i++) {
        imp_check(&f.imp[i], rs->v[i].file, rs->v[i].line, rs->v[i].v, rep);
        f.idx[i] = &f.imp[i];
        f.nimp++;
    }
    rep->records = (int)f.nimp;
    imp_cross_check(f.idx, f.nimp, rep);
    if (rep->nproblems)
        rc = err_set(err, ERR_INVALID,
                     "%zu problem%s found: nothing was "
                     "imported",
                     rep->nproblems, rep->nproblems == 1 ? "" : "s");
    if (rc == 0)
        rc = imp_write(&h, f.idx, f.nimp, rep);
    imp_file_dispose(&f);
    return rc;
}
