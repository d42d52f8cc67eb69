/* dbt.c: dbt sources out (domain_dbt_write) and in (domain_dbt_read), see
 * dbt.h. docket's fields that dbt has no place for travel under
 * meta.docket with their data-dictionary CSV names (registry_csv_columns),
 * so that export then import gives the same registry. The YAML is
 * libyaml's (core/yaml_io.c); the types are the migrations' tables
 * (migrate_type_name out, migrate_type_from_live in). */
#include "dbt.h"
#include "card.h"
#include "dialect.h"
#include "form.h"
#include "mem.h"
#include "migrate.h"
#include "str.h"
#include "vocab_int.h"
#include "yaml_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- freshness ---------------------------------------------------------- */

int domain_dbt_freshness(const registry_card_rules *r, int *warn_minutes,
                         int *error_minutes)
{
    static const struct {
        const char *cadence;
        int minutes;
    } periods[] = {{"hourly", 60},
                   {"daily", 1440},
                   {"weekly", 7 * 1440},
                   {"monthly", 31 * 1440}};
    int grace;

    if (!r || !r->cadence)
        return ERR_NOTFOUND;
    grace = r->late_after_minutes > 0 ? r->late_after_minutes : 0;
    for (size_t i = 0; i < sizeof periods / sizeof *periods; i++) {
        if (strcmp(r->cadence, periods[i].cadence))
            continue;
        if (warn_minutes)
            *warn_minutes = periods[i].minutes + grace;
        if (error_minutes)
            *error_minutes = 2 * periods[i].minutes + grace;
        return 0;
    }
    return ERR_NOTFOUND;
}

/* ---- out ---------------------------------------------------------------- */

/* {count: N, period: day|hour|minute} in the largest unit dividing m. */
static void out_after(yaml_out *y, const char *key, int m)
{
    yaml_out_str(y, key);
    yaml_out_map_begin(y);
    if (m % 1440 == 0) {
        yaml_out_kint(y, "count", m / 1440);
        yaml_out_kstr(y, "period", "day");
    } else if (m % 60 == 0) {
        yaml_out_kint(y, "count", m / 60);
        yaml_out_kstr(y, "period", "hour");
    } else {
        yaml_out_kint(y, "count", m);
        yaml_out_kstr(y, "period", "minute");
    }
    yaml_out_map_end(y);
}

/* key: s, unless s is empty (absent means "not set", as in the CSV). */
static void out_text(yaml_out *y, const char *key, const char *s)
{
    if (s && *s)
        yaml_out_kstr(y, key, s);
}

/* One field of the vocabulary as key: value; text only when set, unless
 * it is always there. */
static void put_meta(void *ctx, const char *name, vocab_kind kind,
                     const char *s, long long n)
{
    yaml_out *y = ctx;

    switch (kind) {
    case VOCAB_TEXT: out_text(y, name, s); break;
    case VOCAB_KEY: yaml_out_kstr(y, name, s); break;
    case VOCAB_INT: yaml_out_kint(y, name, n); break;
    case VOCAB_BOOL: yaml_out_kbool(y, name, (int)n); break;
    }
}

/* docket: {the table fields that are set, card_url} */
static void out_table_docket(yaml_out *y, const registry_card *t,
                             const domain_dbt_opts *o)
{
    yaml_out_str(y, "docket");
    yaml_out_map_begin(y);
    vocab_table_fields(t, 0, put_meta, y);
    if (o->base_url && *o->base_url) {
        buf url = {0};
        buf_puts(&url, o->base_url);
        buf_puts(&url, t->url);
        yaml_out_kstr(y, "card_url", buf_cstr(&url));
        buf_dispose(&url);
    }
    yaml_out_map_end(y);
}

/* docket: {the column fields} */
static void out_column_docket(yaml_out *y, const registry_card_column *k)
{
    yaml_out_str(y, "docket");
    yaml_out_map_begin(y);
    vocab_column_fields(k, 0, put_meta, y);
    yaml_out_map_end(y);
}

/* freshness: {warn_after, error_after} or null. */
static void out_freshness(yaml_out *y, const registry_card *t)
{
    int warn, error;

    yaml_out_str(y, "freshness");
    if (domain_dbt_freshness(&t->rules, &warn, &error) == 0) {
        yaml_out_map_begin(y);
        out_after(y, "warn_after", warn);
        out_after(y, "error_after", error);
        yaml_out_map_end(y);
    } else {
        yaml_out_null(y);
    }
}

static void out_column(yaml_out *y, const registry_card_column *k,
                       sql_dialect d, int single_key, int config)
{
    form_type ft;
    char dt[64] = "";

    if (form_type_parse(&ft, k->type, NULL) == 0)
        migrate_type_name(dt, sizeof dt, d, &ft);
    yaml_out_map_begin(y);
    yaml_out_kstr(y, "name", k->name);
    yaml_out_kstr(y, "description", k->description);
    if (*dt)
        yaml_out_kstr(y, "data_type", dt);
    if (!k->nullable || (k->primary_key && single_key)) {
        yaml_out_str(y, "data_tests");
        yaml_out_seq_begin_flow(y);
        if (!k->nullable)
            yaml_out_str(y, "not_null");
        if (k->primary_key && single_key)
            yaml_out_str(y, "unique");
        yaml_out_seq_end(y);
    }
    if (config) {
        yaml_out_str(y, "config");
        yaml_out_map_begin(y);
    }
    yaml_out_str(y, "meta");
    yaml_out_map_begin(y);
    out_column_docket(y, k);
    yaml_out_map_end(y);
    if (config)
        yaml_out_map_end(y);
    yaml_out_map_end(y);
}

static void out_table(yaml_out *y, const registry_card *t, sql_dialect d,
                      const domain_dbt_opts *o)
{
    int nkey = 0;

    for (size_t i = 0; i < t->ncolumns; i++)
        if (t->columns[i].status != REGISTRY_ENTRY_RETIRED &&
            t->columns[i].primary_key)
            nkey++;
    yaml_out_map_begin(y);
    yaml_out_kstr(y, "name", t->table);
    yaml_out_kstr(y, "description", t->description);
    if (o->config) {
        yaml_out_str(y, "config");
        yaml_out_map_begin(y);
    }
    yaml_out_str(y, "meta");
    yaml_out_map_begin(y);
    out_table_docket(y, t, o);
    yaml_out_map_end(y);
    out_freshness(y, t);
    if (o->config)
        yaml_out_map_end(y);
    yaml_out_str(y, "columns");
    yaml_out_seq_begin(y);
    for (size_t i = 0; i < t->ncolumns; i++)
        if (t->columns[i].status != REGISTRY_ENTRY_RETIRED)
            out_column(y, &t->columns[i], d, nkey == 1, o->config);
    yaml_out_seq_end(y);
    yaml_out_map_end(y);
}

typedef struct names {
    char **v;
    size_t n, cap;
} names;

static void name_add(void *ctx, const registry_table_row *r)
{
    names *ns = ctx;

    xgrow(&ns->v, &ns->cap, ns->n + 1, sizeof *ns->v);
    ns->v[ns->n++] = xstrdup(r->name);
}

int domain_dbt_write(buf *out, registry *reg, const char *instance,
                     const domain_dbt_opts *opts, errmsg *err)
{
    static const domain_dbt_opts none = {0};
    const domain_dbt_opts *o = opts ? opts : &none;
    registry_instance in;
    registry_table_filter f = {0};
    sql_dialect d = SQL_POSTGRES;
    names ns = {0};
    yaml_out y;
    buf desc = {0};
    int rc;

    rc = registry_instance_get(reg, &in, instance, err);
    if (rc < 0)
        return rc;
    sql_dialect_parse(&d, in.dialect);
    f.instance = in.name;
    f.sort = "name";
    rc = registry_table_list(reg, &f, name_add, &ns, NULL, err);
    if (rc < 0)
        goto done;
    yaml_out_begin(&y, out, 0);
    yaml_out_map_begin(&y);
    yaml_out_kint(&y, "version", 2);
    yaml_out_str(&y, "sources");
    yaml_out_seq_begin(&y);
    yaml_out_map_begin(&y);
    yaml_out_kstr(&y, "name", in.name);
    yaml_out_kstr(&y, "schema", o->schema && *o->schema ? o->schema : in.name);
    yaml_out_kstr(&y, "loader", "docket");
    buf_puts(&desc, "The registry of instance ");
    buf_puts(&desc, in.name);
    buf_puts(&desc, " (");
    buf_puts(&desc, in.org_name);
    buf_puts(&desc, ", ");
    buf_puts(&desc, in.environment);
    buf_puts(&desc, "), exported from docket.");
    yaml_out_kstr(&y, "description", buf_cstr(&desc));
    if (o->config) {
        yaml_out_str(&y, "config");
        yaml_out_map_begin(&y);
    }
    yaml_out_str(&y, "meta");
    yaml_out_map_begin(&y);
    yaml_out_str(&y, "docket");
    yaml_out_map_begin(&y);
    yaml_out_kstr(&y, "organisation", in.org_name);
    yaml_out_kstr(&y, "environment", in.environment);
    yaml_out_kstr(&y, "dialect", sql_dialect_name(d));
    yaml_out_map_end(&y);
    yaml_out_map_end(&y);
    yaml_out_kstr(&y, "loaded_at_field",
                  o->loaded_at_field && *o->loaded_at_field
                      ? o->loaded_at_field
                      : DOMAIN_DBT_LOADED_AT);
    if (o->config)
        yaml_out_map_end(&y);
    yaml_out_str(&y, "tables");
    yaml_out_seq_begin(&y);
    for (size_t i = 0; i < ns.n && rc == 0; i++) {
        registry_card t = {0};
        rc = registry_table_card(reg, &t, in.name, ns.v[i], 0, err);
        if (rc == 0)
            out_table(&y, &t, d, o);
        registry_card_free(&t);
    }
    yaml_out_seq_end(&y);
    yaml_out_map_end(&y);
    yaml_out_seq_end(&y);
    yaml_out_map_end(&y);
    if (yaml_out_end(&y) < 0 && rc == 0)
        rc = err_set(err, buf_error(out) ? ERR_TOOBIG : ERR_INTERNAL,
                     "the dbt sources of %.100s could not be written", in.name);
done:
    xfree_strv(ns.v, ns.n);
    buf_dispose(&desc);
    return rc;
}

/* ---- in ----------------------------------------------------------------- */

/* One file being read. */
typedef struct rd {
    yaml_doc doc;
    registry_import_recs *out;
    registry_import_report *rep;
    const char *file;
    sql_dialect dialect;
} rd;

static void problem(rd *r, const yaml_node_t *n, const char *field,
                    const char *msg)
{
    registry_import_problem_add(r->rep, r->file, yaml_doc_line(n), field, "%s",
                                msg);
}

/* The fields meta.docket may carry on a table and on a column: their CSV
 * names. */
static const char *const table_fields[] = {"campaign_dependency",
                                           "campaign_note",
                                           "expected_arrival",
                                           "expected_day",
                                           "late_after_minutes",
                                           "source",
                                           "cadence",
                                           "file_pattern",
                                           "owner",
                                           "escalation",
                                           "runbook",
                                           "table_kind",
                                           "table_status",
                                           "consent_relevant",
                                           "anomaly_low_pct",
                                           "anomaly_high_pct",
                                           NULL};
static const char *const column_fields[] = {
    "type",    "nullable",        "primary_key", "example",       "pii",
    "consent", "consent_channel", "rule",        "column_status", NULL};

static int listed(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (!strcmp(*list, s))
            return 1;
    return 0;
}

/* A scalar field into record i under CSV column name; a mapping or a list
 * is a problem at its line. */
static void set_text(rd *r, size_t i, const char *name, const yaml_node_t *v,
                     const char *field)
{
    const char *s = NULL;
    errmsg e = {0};

    if (yaml_doc_is_null(v))
        return;
    if (yaml_doc_text(&s, v, &e) < 0) {
        problem(r, v, field, e.msg);
        return;
    }
    registry_import_recs_set(r->out, i, name, s);
}

/* The mapping at key of node n (meta, config, meta.docket), NULL when
 * absent; a problem when it is something else. */
static yaml_node_t *get_map(rd *r, const yaml_node_t *n, const char *key)
{
    yaml_node_t *m = yaml_doc_get(&r->doc, n, key);

    if (yaml_doc_is_null(m))
        return NULL;
    if (!yaml_doc_is_map(m)) {
        registry_import_problem_add(r->rep, r->file, yaml_doc_line(m), key,
                                    "%s is not a mapping", key);
        return NULL;
    }
    return m;
}

/* The mapping at key of n without a word when it is none (what get_map
 * already said). */
static yaml_node_t *peek_map(rd *r, const yaml_node_t *n, const char *key)
{
    yaml_node_t *m = yaml_doc_get(&r->doc, n, key);

    return yaml_doc_is_map(m) ? m : NULL;
}

/* meta.docket of n (properties or config:), quietly. */
static yaml_node_t *peek_docket(rd *r, const yaml_node_t *n)
{
    yaml_node_t *m = peek_map(r, n, "meta");

    if (!m)
        m = peek_map(r, peek_map(r, n, "config"), "meta");
    return peek_map(r, m, "docket");
}

/* meta of n, from its properties or else from its config: (dbt 1.10). */
static yaml_node_t *get_meta(rd *r, const yaml_node_t *n)
{
    yaml_node_t *m = get_map(r, n, "meta");
    yaml_node_t *c;

    if (m)
        return m;
    c = get_map(r, n, "config");
    return c ? get_map(r, c, "meta") : NULL;
}

/* meta.docket.* of n into record i: the fields of allowed; others are
 * problems. */
static void read_docket(rd *r, size_t i, const yaml_node_t *meta,
                        const char *const *allowed, const char *skip)
{
    yaml_node_t *dk = meta ? get_map(r, meta, "docket") : NULL;
    size_t n = yaml_doc_map_size(dk);

    for (size_t k = 0; k < n; k++) {
        const yaml_node_t *key = yaml_doc_map_key(&r->doc, dk, k);
        const char *name = yaml_doc_str(key);
        char field[40];
        if (!name) {
            problem(r, key, "meta.docket", "a key is not a text");
            continue;
        }
        if (skip && !strcmp(name, skip))
            continue;
        snprintf(field, sizeof field, "%s", name);
        if (!listed(allowed, name)) {
            registry_import_problem_add(
                r->rep, r->file, yaml_doc_line(key), field,
                "unknown docket field \"%.60s\" in meta.docket", name);
            continue;
        }
        set_text(r, i, name, yaml_doc_map_value(&r->doc, dk, k), field);
    }
}

/* The names of a column's data_tests (or tests, before dbt 1.8): 1 when
 * name is among them. A test is a name or a mapping {name: {...}}. */
static int has_test(rd *r, const yaml_node_t *col, const char *name)
{
    static const char *const keys[] = {"data_tests", "tests"};

    for (size_t k = 0; k < 2; k++) {
        const yaml_node_t *ts = yaml_doc_get(&r->doc, col, keys[k]);
        size_t n = yaml_doc_seq_size(ts);
        for (size_t i = 0; i < n; i++) {
            const yaml_node_t *t = yaml_doc_seq_item(&r->doc, ts, i);
            const char *s = yaml_doc_str(t);
            if (!s && yaml_doc_map_size(t) >= 1)
                s = yaml_doc_str(yaml_doc_map_key(&r->doc, t, 0));
            if (s && !strcmp(s, name))
                return 1;
        }
    }
    return 0;
}

/* A required text key of n (name): the text, or NULL with a problem. */
static const char *need_text(rd *r, const yaml_node_t *n, const char *key,
                             const char *what)
{
    const yaml_node_t *v = yaml_doc_get(&r->doc, n, key);
    const char *s = NULL;
    errmsg e = {0};

    if (yaml_doc_is_null(v)) {
        registry_import_problem_add(r->rep, r->file, yaml_doc_line(n), key,
                                    "%s has no name", what);
        return NULL;
    }
    if (yaml_doc_text(&s, v, &e) < 0) {
        problem(r, v, key, e.msg);
        return NULL;
    }
    return s;
}

static void read_column(rd *r, const char *table, const yaml_node_t *col,
                        int key_by_test)
{
    const char *name = need_text(r, col, "name", "a column");
    const yaml_node_t *meta, *dt, *mtype = NULL;
    yaml_node_t *dk;
    size_t i;

    if (!name)
        return;
    i = registry_import_recs_add(r->out, r->file, yaml_doc_line(col));
    registry_import_recs_set(r->out, i, "table", table);
    registry_import_recs_set(r->out, i, "column", name);
    set_text(r, i, "description", yaml_doc_get(&r->doc, col, "description"),
             "description");
    registry_import_recs_set(r->out, i, "nullable",
                             has_test(r, col, "not_null") ? "no" : "yes");
    if (key_by_test)
        registry_import_recs_set(r->out, i, "primary_key",
                                 has_test(r, col, "unique") ? "yes" : "no");
    meta = get_meta(r, col);
    dk = peek_docket(r, col);
    if (dk)
        mtype = yaml_doc_get(&r->doc, dk, "type");
    dt = yaml_doc_get(&r->doc, col, "data_type");
    if (yaml_doc_is_null(mtype) && !yaml_doc_is_null(dt)) {
        const char *s = NULL;
        form_type ft;
        char t[64];
        errmsg e = {0};
        if (yaml_doc_text(&s, dt, &e) < 0) {
            problem(r, dt, "data_type", e.msg);
        } else if (migrate_type_from_live(&ft, r->dialect, s, -1, -1, -1) < 0) {
            registry_import_problem_add(
                r->rep, r->file, yaml_doc_line(dt), "data_type",
                "%.60s is no type docket knows in %s (give meta.docket.type, "
                "such as string(255))",
                s, sql_dialect_title(r->dialect));
        } else {
            form_type_format(t, sizeof t, &ft);
            registry_import_recs_set(r->out, i, "type", t);
        }
    }
    read_docket(r, i, meta, column_fields, NULL);
}

static void read_table(rd *r, const yaml_node_t *t)
{
    const char *name = need_text(r, t, "name", "a table");
    const yaml_node_t *cols, *meta, *owner;
    yaml_node_t *dk;
    size_t i, n;
    int nunique = 0, meta_key = 0;

    if (!name)
        return;
    i = registry_import_recs_add(r->out, r->file, yaml_doc_line(t));
    registry_import_recs_set(r->out, i, "table", name);
    set_text(r, i, "table_description", yaml_doc_get(&r->doc, t, "description"),
             "description");
    meta = get_meta(r, t);
    read_docket(r, i, meta, table_fields, "card_url");
    /* The owner a dbt project keeps in meta.owner, when docket's own is
       not there. */
    dk = peek_docket(r, t);
    owner = meta ? yaml_doc_get(&r->doc, meta, "owner") : NULL;
    if (!yaml_doc_is_null(owner) &&
        yaml_doc_is_null(yaml_doc_get(&r->doc, dk, "owner")))
        set_text(r, i, "owner", owner, "meta.owner");
    cols = yaml_doc_get(&r->doc, t, "columns");
    if (!yaml_doc_is_null(cols) && !yaml_doc_is_seq(cols)) {
        problem(r, cols, "columns", "columns is not a list");
        return;
    }
    n = yaml_doc_seq_size(cols);
    /* unique means the key only where docket's own flag is absent
       everywhere and one column alone has it. */
    for (size_t k = 0; k < n; k++) {
        const yaml_node_t *c = yaml_doc_seq_item(&r->doc, cols, k);
        if (!yaml_doc_is_map(c))
            continue;
        nunique += has_test(r, c, "unique");
        if (!yaml_doc_is_null(
                yaml_doc_get(&r->doc, peek_docket(r, c), "primary_key")))
            meta_key = 1;
    }
    for (size_t k = 0; k < n; k++) {
        const yaml_node_t *c = yaml_doc_seq_item(&r->doc, cols, k);
        if (!yaml_doc_is_map(c)) {
            problem(r, c, "columns", "a column is not a mapping");
            continue;
        }
        read_column(r, name, c, !meta_key && nunique == 1);
    }
}

/* The source to import: named like instance, or the only one. */
static const yaml_node_t *pick_source(rd *r, const yaml_node_t *srcs,
                                      const char *instance)
{
    size_t n = yaml_doc_seq_size(srcs);
    const yaml_node_t *only = NULL;
    buf all = {0};

    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *s = yaml_doc_seq_item(&r->doc, srcs, i);
        const char *name = yaml_doc_str(yaml_doc_get(&r->doc, s, "name"));
        if (!yaml_doc_is_map(s)) {
            problem(r, s, "sources", "a source is not a mapping");
            continue;
        }
        if (name && !str_casecmp(name, instance)) {
            buf_dispose(&all);
            return s;
        }
        only = s;
        buf_puts(&all, all.len ? ", " : "");
        buf_puts(&all, name ? name : "(no name)");
    }
    if (n == 1) {
        buf_dispose(&all); /* not a mapping: said above */
        return only;
    }
    if (n == 0)
        problem(r, srcs, "sources", "the file has no source");
    else
        registry_import_problem_add(
            r->rep, r->file, yaml_doc_line(srcs), "sources",
            "no source is named %.60s and there are several (%.100s)", instance,
            buf_cstr(&all));
    buf_dispose(&all);
    return NULL;
}

int domain_dbt_read(registry_import_recs *out, registry_import_report *rep,
                    registry *reg, const char *instance, const char *file,
                    const char *data, size_t len, errmsg *err)
{
    registry_instance in;
    const yaml_node_t *root, *ver, *srcs, *src, *tables;
    size_t before = rep->nproblems;
    errmsg e = {0};
    long long v = 0;
    int line = 0, rc;
    rd r = {0};

    rc = registry_instance_get(reg, &in, instance, err);
    if (rc < 0)
        return rc;
    r.out = out;
    r.rep = rep;
    r.file = file;
    if (sql_dialect_parse(&r.dialect, in.dialect) < 0)
        r.dialect = SQL_POSTGRES;
    if (yaml_doc_load(&r.doc, data, len, &line, &e) < 0) {
        registry_import_problem_add(rep, file, line, "", "%s", e.msg);
        yaml_doc_dispose(&r.doc);
        return err_set(err, e.code == ERR_TOOBIG ? ERR_TOOBIG : ERR_INVALID,
                       "%s", e.msg);
    }
    root = yaml_doc_root(&r.doc);
    if (!yaml_doc_is_map(root)) {
        problem(&r, root, "",
                "the file is not a dbt properties file (a mapping with "
                "version: 2 and sources:)");
        goto done;
    }
    ver = yaml_doc_get(&r.doc, root, "version");
    if (yaml_doc_int(&v, ver, &e) < 0 || v != 2)
        problem(&r, ver ? ver : root, "version", "version must be 2");
    srcs = yaml_doc_get(&r.doc, root, "sources");
    if (!yaml_doc_is_seq(srcs)) {
        problem(&r, srcs ? srcs : root, "sources",
                "sources must be a list of sources");
        goto done;
    }
    src = pick_source(&r, srcs, in.name);
    if (!src)
        goto done;
    tables = yaml_doc_get(&r.doc, src, "tables");
    if (!yaml_doc_is_null(tables) && !yaml_doc_is_seq(tables)) {
        problem(&r, tables, "tables", "tables is not a list");
        goto done;
    }
    for (size_t i = 0; i < yaml_doc_seq_size(tables); i++) {
        const yaml_node_t *t = yaml_doc_seq_item(&r.doc, tables, i);
        if (!yaml_doc_is_map(t))
            problem(&r, t, "tables", "a table is not a mapping");
        else
            read_table(&r, t);
    }
done:
    yaml_doc_dispose(&r.doc);
    if (rep->nproblems > before)
        return err_set(err, ERR_INVALID,
                       "%zu problem%s found: nothing was "
                       "imported",
                       rep->nproblems, rep->nproblems == 1 ? "" : "s");
    return 0;
}
