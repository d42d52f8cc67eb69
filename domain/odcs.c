/* odcs.c (domain): a registry table as an ODCS v3.1.0 data contract and
 * contracts back into import records (odcs.h). Every key written is one
 * of the JSON schema of ODCS v3.1.0 (bitol-io/open-data-contract-standard,
 * schema/odcs-json-schema-v3.1.0.json; the tests check the output
 * against the copy in tests/data/odcs/). */
#include "odcs.h"

#include "card.h"
#include "dbt.h"
#include "dialect.h"
#include "form.h"
#include "mem.h"
#include "migrate.h"
#include "str.h"
#include "validate.h"
#include "vocab_int.h"
#include "yaml_io.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- out ----------------------------------------------------------------- */

void domain_odcs_id(char *out, size_t size, const char *instance,
                    const char *table)
{
    crypto_generichash_state st;
    unsigned char h[16];
    char *lower = str_lower(xstrdup(table ? table : ""));

    crypto_generichash_init(&st, NULL, 0, sizeof h);
    /* Each part with its terminating NUL, so no two pairs run together. */
    crypto_generichash_update(&st, (const unsigned char *)"docket", 7);
    crypto_generichash_update(&st, (const unsigned char *)instance,
                              strlen(instance) + 1);
    crypto_generichash_update(&st, (const unsigned char *)lower,
                              strlen(lower) + 1);
    crypto_generichash_final(&st, h, sizeof h);
    free(lower);
    h[6] = (unsigned char)((h[6] & 0x0f) | 0x80); /* version 8 */
    h[8] = (unsigned char)((h[8] & 0x3f) | 0x80); /* variant 10 */
    snprintf(out, size,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x",
             h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10],
             h[11], h[12], h[13], h[14], h[15]);
}

/* The number of registry changes that wrote rows of the table: the
 * distinct changes of the card's history, or, when the card holds only
 * the newest REGISTRY_HISTORY_MAX rows, every change counted in the
 * registry. */
typedef struct change_count {
    int64_t n, last_id;
} change_count;

static void count_change(void *ctx, const registry_change *c)
{
    change_count *k = ctx;

    k->n++;
    k->last_id = c->id;
}

static int table_changes(int64_t *out, registry *reg, const registry_card *t,
                         errmsg *err)
{
    int64_t n = 0, prev = -1, prev_at = -1;

    if (t->nhistory < REGISTRY_HISTORY_MAX) {
        for (size_t i = 0; i < t->nhistory; i++) {
            const registry_card_change *h = &t->history[i];
            /* rows older than the changes table (change 0) count by time */
            if (h->change_id ? h->change_id != prev : h->at != prev_at)
                n++;
            prev = h->change_id;
            prev_at = h->at;
        }
        *out = n;
        return 0;
    }
    for (int64_t before = 0;;) {
        registry_history_filter f = {0};
        change_count k = {0, 0};
        int rc;
        f.instance = t->instance;
        f.table = t->table;
        f.before_id = before;
        f.limit = 200;
        rc = registry_change_list(reg, &f, count_change, &k, err);
        if (rc < 0)
            return rc;
        n += k.n;
        if (k.n < f.limit)
            break;
        before = k.last_id;
    }
    *out = n;
    return 0;
}

/* A custom property {property: name, value: s}; nothing for "". */
static void custom_str(yaml_out *y, const char *name, const char *s)
{
    if (!s || !*s)
        return;
    yaml_out_map_begin(y);
    yaml_out_kstr(y, "property", name);
    yaml_out_kstr(y, "value", s);
    yaml_out_map_end(y);
}

static void custom_int(yaml_out *y, const char *name, long long v)
{
    yaml_out_map_begin(y);
    yaml_out_kstr(y, "property", name);
    yaml_out_kint(y, "value", v);
    yaml_out_map_end(y);
}

static void custom_bool(yaml_out *y, const char *name, int v)
{
    yaml_out_map_begin(y);
    yaml_out_kstr(y, "property", name);
    yaml_out_kbool(y, "value", v);
    yaml_out_map_end(y);
}

/* One field of the vocabulary as a custom property; text only when set. */
static void put_custom(void *ctx, const char *name, vocab_kind kind,
                       const char *s, long long n)
{
    yaml_out *y = ctx;

    switch (kind) {
    case VOCAB_TEXT:
    case VOCAB_KEY: custom_str(y, name, s); break;
    case VOCAB_INT: custom_int(y, name, n); break;
    case VOCAB_BOOL: custom_bool(y, name, (int)n); break;
    }
}

/* logicalType and logicalTypeOptions of docket's type t. */
static void logical_type(yaml_out *y, const form_type *t)
{
    static const char *const names[FORM_TYPE_NKINDS] = {
        [FORM_TYPE_STRING] = "string",
        [FORM_TYPE_TEXT] = "string",
        [FORM_TYPE_INTEGER] = "integer",
        [FORM_TYPE_BIGINT] = "integer",
        [FORM_TYPE_DECIMAL] = "number",
        [FORM_TYPE_BOOLEAN] = "boolean",
        [FORM_TYPE_DATE] = "date",
        [FORM_TYPE_TIMESTAMP] = "timestamp",
        [FORM_TYPE_TIMESTAMPTZ] = "timestamp",
        [FORM_TYPE_JSON] = "object",
    };

    if (t->kind <= FORM_TYPE_NONE || t->kind >= FORM_TYPE_NKINDS)
        return;
    yaml_out_kstr(y, "logicalType", names[t->kind]);
    switch (t->kind) {
    case FORM_TYPE_STRING:
        yaml_out_str(y, "logicalTypeOptions");
        yaml_out_map_begin(y);
        yaml_out_kint(y, "maxLength", t->length);
        yaml_out_map_end(y);
        break;
    case FORM_TYPE_INTEGER:
    case FORM_TYPE_BIGINT:
        yaml_out_str(y, "logicalTypeOptions");
        yaml_out_map_begin(y);
        yaml_out_kstr(y, "format", t->kind == FORM_TYPE_BIGINT ? "i64" : "i32");
        yaml_out_map_end(y);
        break;
    case FORM_TYPE_TIMESTAMP:
    case FORM_TYPE_TIMESTAMPTZ:
        yaml_out_str(y, "logicalTypeOptions");
        yaml_out_map_begin(y);
        yaml_out_kbool(y, "timezone", t->kind == FORM_TYPE_TIMESTAMPTZ);
        yaml_out_map_end(y);
        break;
    default: break;
    }
}

/* One property: column k of t, the pk-th key column (0: not a key). */
static void property(yaml_out *y, sql_dialect d, const registry_card_column *k,
                     int pk)
{
    form_type ft = {0};
    char phys[64] = "";

    if (*k->type && form_type_parse(&ft, k->type, NULL) == 0)
        migrate_type_name(phys, sizeof phys, d, &ft);
    yaml_out_map_begin(y);
    yaml_out_kstr(y, "name", k->name);
    yaml_out_kstr(y, "physicalName", k->name);
    logical_type(y, &ft);
    if (*phys)
        yaml_out_kstr(y, "physicalType", phys);
    yaml_out_kbool(y, "required", !k->nullable);
    yaml_out_kbool(y, "primaryKey", k->primary_key);
    if (k->primary_key)
        yaml_out_kint(y, "primaryKeyPosition", pk);
    if (*k->description)
        yaml_out_kstr(y, "description", k->description);
    if (*k->example) {
        yaml_out_str(y, "examples");
        yaml_out_seq_begin(y);
        yaml_out_str(y, k->example);
        yaml_out_seq_end(y);
    }
    if (k->pii)
        yaml_out_kstr(y, "classification", "restricted");
    if (*k->rule) {
        /* the rule as the standard's human-readable quality check too */
        yaml_out_str(y, "quality");
        yaml_out_seq_begin(y);
        yaml_out_map_begin(y);
        yaml_out_kstr(y, "type", "text");
        yaml_out_kstr(y, "description", k->rule);
        yaml_out_map_end(y);
        yaml_out_seq_end(y);
    }
    if (k->pii || k->consent) {
        yaml_out_str(y, "tags");
        yaml_out_seq_begin_flow(y);
        if (k->pii)
            yaml_out_str(y, "pii");
        if (k->consent)
            yaml_out_str(y, "consent");
        yaml_out_seq_end(y);
    }
    yaml_out_str(y, "customProperties");
    yaml_out_seq_begin(y);
    vocab_column_fields(k, VOCAB_SKIP_ODCS_NATIVE, put_custom, y);
    yaml_out_seq_end(y);
    yaml_out_map_end(y);
}

/* A feed's cadence as an SLA frequency (value and unit); none for ad_hoc
 * or no cadence. */
typedef struct period {
    const char *cadence;
    int value;
    const char *unit;
} period;

static const period periods[] = {
    {"hourly", 1, "h"},
    {"daily", 1, "d"},
    {"weekly", 7, "d"},
    {"monthly", 1, "month"},
};

static const period *period_of(const char *cadence)
{
    for (size_t i = 0; i < sizeof periods / sizeof *periods; i++)
        if (!strcmp(periods[i].cadence, cadence))
            return &periods[i];
    return NULL;
}

/* A duration in minutes as a value and the largest unit it is whole in
 * (d, h, min). */
static void duration(yaml_out *y, int minutes)
{
    if (minutes % 1440 == 0) {
        yaml_out_kint(y, "value", minutes / 1440);
        yaml_out_kstr(y, "unit", "d");
    } else if (minutes % 60 == 0) {
        yaml_out_kint(y, "value", minutes / 60);
        yaml_out_kstr(y, "unit", "h");
    } else {
        yaml_out_kint(y, "value", minutes);
        yaml_out_kstr(y, "unit", "min");
    }
}

/* slaProperties from the arrival rules: frequency (the cadence),
 * timeOfAvailability (the expected arrival, UTC) and latency (how old the
 * newest data may be: the period plus the grace period, the dbt export's
 * freshness warn_after, domain_dbt_freshness). Nothing when the rules
 * give none. */
static void sla(yaml_out *y, const registry_card_rules *r)
{
    const period *p = period_of(r->cadence);
    int warn = 0;
    buf text = {0};

    if (!p && !*r->expected_arrival)
        return;
    yaml_out_str(y, "slaProperties");
    yaml_out_seq_begin(y);
    if (p) {
        yaml_out_map_begin(y);
        yaml_out_kstr(y, "property", "frequency");
        yaml_out_kint(y, "value", p->value);
        yaml_out_kstr(y, "unit", p->unit);
        yaml_out_kstr(y, "driver", "operational");
        buf_puts(&text, "A ");
        buf_puts(&text, p->cadence);
        buf_puts(&text, " feed");
        if (*r->expected_day) {
            buf_puts(&text, " (day: ");
            buf_puts(&text, r->expected_day);
            buf_puts(&text, ")");
        }
        buf_puts(&text, ".");
        yaml_out_kstr(y, "description", buf_cstr(&text));
        yaml_out_map_end(y);
    }
    if (*r->expected_arrival) {
        buf_reset(&text);
        yaml_out_map_begin(y);
        yaml_out_kstr(y, "property", "timeOfAvailability");
        buf_puts(&text, r->expected_arrival);
        buf_puts(&text, "+00:00");
        yaml_out_kstr(y, "value", buf_cstr(&text));
        yaml_out_kstr(y, "driver", "operational");
        buf_reset(&text);
        buf_puts(&text, "The file is expected by ");
        buf_puts(&text, r->expected_arrival);
        buf_puts(&text, " UTC");
        if (*r->missing_after) {
            buf_puts(&text, " and counts as missing after ");
            buf_puts(&text, r->missing_after);
            buf_puts(&text, " UTC");
        }
        buf_puts(&text, ".");
        yaml_out_kstr(y, "description", buf_cstr(&text));
        yaml_out_map_end(y);
    }
    if (domain_dbt_freshness(r, &warn, NULL) == 0) {
        yaml_out_map_begin(y);
        yaml_out_kstr(y, "property", "latency");
        duration(y, warn);
        yaml_out_kstr(y, "driver", "operational");
        buf_reset(&text);
        buf_appendf(&text,
                    "The newest data is at most one period old plus %d "
                    "minutes of grace.",
                    r->late_after_minutes);
        yaml_out_kstr(y, "description", buf_cstr(&text));
        yaml_out_map_end(y);
    }
    yaml_out_seq_end(y);
    buf_dispose(&text);
}

/* 1 when s is a link a support channel's url may hold. */
static int is_url(const char *s)
{
    return (str_startswith(s, "https://") || str_startswith(s, "http://") ||
            str_startswith(s, "mailto:")) &&
           !strpbrk(s, " \t\r\n");
}

static void contract(yaml_out *y, const registry_card *t,
                     const registry_instance *inst, sql_dialect d,
                     int64_t changes, const char *base_url)
{
    const registry_card_rules *r = &t->rules;
    char id[40], when[40], version[32];
    buf card = {0};
    int pk = 0;

    domain_odcs_id(id, sizeof id, t->instance, t->table);
    time_iso(when, sizeof when, t->created_at);
    snprintf(version, sizeof version, "1.%lld.0",
             (long long)(changes > 1 ? changes - 1 : 0));
    buf_puts(&card, base_url ? base_url : "");
    buf_puts(&card, t->url);

    yaml_out_map_begin(y);
    yaml_out_kstr(y, "apiVersion", DOMAIN_ODCS_API_VERSION);
    yaml_out_kstr(y, "kind", "DataContract");
    yaml_out_kstr(y, "id", id);
    yaml_out_kstr(y, "name", t->table);
    yaml_out_kstr(y, "version", version);
    yaml_out_kstr(y, "status", registry_entry_status_name(t->status));
    if (*t->organisation)
        yaml_out_kstr(y, "tenant", t->organisation);
    if (*t->description) {
        yaml_out_str(y, "description");
        yaml_out_map_begin(y);
        yaml_out_kstr(y, "purpose", t->description);
        yaml_out_map_end(y);
    }
    yaml_out_kstr(y, "contractCreatedTs", when);

    yaml_out_str(y, "schema");
    yaml_out_seq_begin(y);
    yaml_out_map_begin(y);
    yaml_out_kstr(y, "name", t->table);
    yaml_out_kstr(y, "physicalName", t->table);
    yaml_out_kstr(y, "physicalType", "table");
    yaml_out_kstr(y, "logicalType", "object");
    if (*t->description)
        yaml_out_kstr(y, "description", t->description);
    if (r->consent_relevant) {
        yaml_out_str(y, "tags");
        yaml_out_seq_begin_flow(y);
        yaml_out_str(y, "consent");
        yaml_out_seq_end(y);
    }
    yaml_out_str(y, "properties");
    yaml_out_seq_begin(y);
    for (size_t i = 0; i < t->ncolumns; i++) {
        const registry_card_column *k = &t->columns[i];
        if (k->status == REGISTRY_ENTRY_RETIRED)
            continue;
        property(y, d, k, k->primary_key ? ++pk : 0);
    }
    yaml_out_seq_end(y);
    yaml_out_map_end(y);
    yaml_out_seq_end(y);

    if (*r->escalation) {
        yaml_out_str(y, "support");
        yaml_out_seq_begin(y);
        yaml_out_map_begin(y);
        yaml_out_kstr(y, "channel", r->escalation);
        if (is_url(r->escalation))
            yaml_out_kstr(y, "url", r->escalation);
        yaml_out_kstr(y, "scope", "issues");
        yaml_out_kstr(y, "description",
                      "Escalation contact of docket's rules card.");
        yaml_out_map_end(y);
        yaml_out_seq_end(y);
    }
    if (*r->owner) {
        yaml_out_str(y, "team");
        yaml_out_map_begin(y);
        yaml_out_kstr(y, "name", r->owner);
        yaml_out_kstr(y, "description", "Owner of the table in docket.");
        yaml_out_map_end(y);
    }
    sla(y, r);
    if (base_url && *base_url) {
        yaml_out_str(y, "authoritativeDefinitions");
        yaml_out_seq_begin(y);
        yaml_out_map_begin(y);
        yaml_out_kstr(y, "url", buf_cstr(&card));
        yaml_out_kstr(y, "type", "businessDefinition");
        yaml_out_kstr(y, "description",
                      "docket's rules card: campaign dependency, arrival, "
                      "owner, consent and history.");
        yaml_out_map_end(y);
        yaml_out_seq_end(y);
    }

    yaml_out_str(y, "customProperties");
    yaml_out_seq_begin(y);
    vocab_table_fields(t, VOCAB_SKIP_ODCS_NATIVE, put_custom, y);
    custom_str(y, "card_url", buf_cstr(&card));
    custom_str(y, "instance", t->instance);
    custom_str(y, "environment", inst->environment);
    custom_str(y, "dialect", sql_dialect_name(d));
    yaml_out_seq_end(y);
    yaml_out_map_end(y);
    buf_dispose(&card);
}

int domain_odcs_write(buf *out, registry *reg, const char *instance,
                      const char *table, const char *base_url, errmsg *err)
{
    registry_instance inst;
    registry_card t = {0};
    sql_dialect d = SQL_POSTGRES;
    int64_t changes = 0;
    buf doc = {0};
    yaml_out y;
    int rc;

    rc = registry_instance_get(reg, &inst, instance, err);
    if (rc == 0)
        rc = registry_table_card(reg, &t, instance, table, 0, err);
    if (rc == 0)
        rc = table_changes(&changes, reg, &t, err);
    if (rc < 0)
        goto done;
    if (sql_dialect_parse(&d, inst.dialect) < 0)
        d = SQL_POSTGRES;
    doc.max = out->max;
    yaml_out_begin(&y, &doc, 0);
    contract(&y, &t, &inst, d, changes, base_url);
    rc = yaml_out_end(&y);
    if (rc == 0 && buf_error(&doc))
        rc = buf_error(&doc);
    if (rc < 0) {
        rc = err_set(err, rc, "cannot write the contract of %s", t.table);
        goto done;
    }
    buf_append(out, doc.data, doc.len);
    rc = buf_error(out);
    if (rc < 0)
        err_set(err, rc, "the contract of %s is too large", t.table);
done:
    buf_dispose(&doc);
    registry_card_free(&t);
    return rc;
}

/* ---- in ------------------------------------------------------------------ */

/* One file being read. */
typedef struct rd {
    yaml_doc *d;
    registry_import_recs *out;
    registry_import_report *rep;
    const char *file; /* the name shown in problems */
    sql_dialect dialect;
} rd;

static void prob(rd *r, const yaml_node_t *n, const char *field,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void prob(rd *r, const yaml_node_t *n, const char *field,
                 const char *fmt, ...)
{
    char msg[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    registry_import_problem_add(r->rep, r->file, n ? yaml_doc_line(n) : 0,
                                field, "%s", msg);
}

/* The CSV column a custom property names: its CSV name, or the same in
 * camelCase (campaignDependency), any case; -1 for another name. */
static int csv_index(const char *name)
{
    for (size_t c = 0; c < registry_csv_ncolumns; c++) {
        const char *a = registry_csv_columns[c], *b = name;
        for (;; a++, b++) {
            if (*a == '_')
                a++;
            if (*b == '_')
                b++;
            if (!*a || !*b || (*a | 0x20) != (*b | 0x20))
                break;
        }
        if (!*a && !*b)
            return (int)c;
    }
    return -1;
}

/* Is CSV column c a field of a column (1) or of the table (0)? -1 for
 * table and column themselves. */
static int csv_is_column_field(int c)
{
    static const char *const col[] = {
        "type", "nullable", "primary_key",     "description", "example",
        "pii",  "consent",  "consent_channel", "rule",        "column_status"};
    const char *name = registry_csv_columns[c];

    if (!strcmp(name, "table") || !strcmp(name, "column"))
        return -1;
    for (size_t i = 0; i < sizeof col / sizeof *col; i++)
        if (!strcmp(col[i], name))
            return 1;
    return 0;
}

/* The values of one record, borrowed (from the document or static), with
 * the line each came from. */
#define NF 64
typedef struct vals {
    const char *v[NF];
    int line[NF];
    char arrival[8]; /* an expected arrival converted to UTC */
} vals;

static void vals_set(vals *s, const char *field, const char *v,
                     const yaml_node_t *n)
{
    int c = registry_csv_column_index(field);

    assert(c >= 0 && c < NF);
    s->v[c] = v;
    s->line[c] = yaml_doc_line(n);
}

/* A scalar's text into *out; a null leaves *out alone. 1 when set, 0 when
 * null or absent, -1 after a problem. */
static int text_of(rd *r, const char **out, const yaml_node_t *n,
                   const char *field)
{
    errmsg e = {0};

    if (!n || yaml_doc_is_null(n))
        return 0;
    if (yaml_doc_text(out, n, &e) < 0) {
        prob(r, n, field, "%s", e.msg);
        return -1;
    }
    return 1;
}

static int bool_of(rd *r, int *out, const yaml_node_t *n, const char *field)
{
    errmsg e = {0};

    if (!n || yaml_doc_is_null(n))
        return 0;
    if (yaml_doc_bool(out, n, &e) < 0) {
        prob(r, n, field, "%s", e.msg);
        return -1;
    }
    return 1;
}

/* The sequence at n (NULL when absent or null); a problem when n is
 * something else. */
static yaml_node_t *seq_of(rd *r, yaml_node_t *n, const char *field)
{
    if (!n || yaml_doc_is_null(n))
        return NULL;
    if (!yaml_doc_is_seq(n)) {
        prob(r, n, field, "is not a list");
        return NULL;
    }
    return n;
}

/* customProperties at n into s: the fields of a column (column 1) or of
 * the table (0); other names are someone else's and are left alone. */
static void customs(rd *r, vals *s, yaml_node_t *n, int column)
{
    yaml_node_t *seq = seq_of(r, n, "customProperties");

    for (size_t i = 0; seq && i < yaml_doc_seq_size(seq); i++) {
        yaml_node_t *item = yaml_doc_seq_item(r->d, seq, i);
        yaml_node_t *pn, *vn;
        const char *name = NULL, *v = NULL;
        int c;
        if (!yaml_doc_is_map(item)) {
            prob(r, item, "customProperties",
                 "an entry is a mapping with property and value");
            continue;
        }
        pn = yaml_doc_get(r->d, item, "property");
        vn = yaml_doc_get(r->d, item, "value");
        if (text_of(r, &name, pn, "customProperties") <= 0) {
            if (!pn || yaml_doc_is_null(pn))
                prob(r, item, "customProperties",
                     "an entry has no property name");
            continue;
        }
        c = csv_index(name);
        if (c < 0 || csv_is_column_field(c) != column)
            continue;
        if (text_of(r, &v, vn, registry_csv_columns[c]) > 0) {
            s->v[c] = v;
            s->line[c] = yaml_doc_line(vn);
        }
    }
}

/* 1 when the sequence of tags at n holds tag (any case). */
static int has_tag(rd *r, yaml_node_t *n, const char *tag)
{
    yaml_node_t *seq = seq_of(r, n, "tags");

    for (size_t i = 0; seq && i < yaml_doc_seq_size(seq); i++) {
        const char *s = yaml_doc_str(yaml_doc_seq_item(r->d, seq, i));
        if (s && !str_casecmp(s, tag))
            return 1;
    }
    return 0;
}

/* 1 when an integer format of ODCS (Rust's names) fits in 32 bits. */
static int small_int(const char *fmt)
{
    static const char *const small[] = {"i8", "i16", "i32", "u8", "u16"};

    for (size_t i = 0; fmt && i < sizeof small / sizeof *small; i++)
        if (!strcmp(fmt, small[i]))
            return 1;
    return 0;
}

/* docket's type of a property, into out: its physicalType read with the
 * instance's dialect (where a dialect writes one type for two of
 * docket's, the logical type tells them apart: DATETIME with a time zone,
 * Snowflake's NUMBER(38,0) as i32, SQLite's TEXT as an object), else its
 * logicalType. 0, or -1 after a problem. */
static int type_of(rd *r, char *out, size_t size, yaml_node_t *prop,
                   const char *column)
{
    yaml_node_t *pn = yaml_doc_get(r->d, prop, "physicalType");
    yaml_node_t *ln = yaml_doc_get(r->d, prop, "logicalType");
    yaml_node_t *on = yaml_doc_get(r->d, prop, "logicalTypeOptions");
    yaml_node_t *mn = NULL, *fn = NULL, *zn = NULL;
    const char *phys = NULL, *logical = NULL, *fmt = NULL;
    long long maxlen = 0;
    int tz = 0, have_phys;
    form_type t = {0};
    errmsg e = {0};

    if (text_of(r, &phys, pn, "physicalType") < 0 ||
        text_of(r, &logical, ln, "logicalType") < 0)
        return -1;
    if (on && !yaml_doc_is_null(on) && !yaml_doc_is_map(on)) {
        prob(r, on, "logicalTypeOptions", "is not a mapping");
        return -1;
    }
    if (yaml_doc_is_map(on)) {
        mn = yaml_doc_get(r->d, on, "maxLength");
        fn = yaml_doc_get(r->d, on, "format");
        zn = yaml_doc_get(r->d, on, "timezone");
    }
    if (mn && yaml_doc_int(&maxlen, mn, &e) < 0) {
        prob(r, mn, "maxLength", "%s", e.msg);
        return -1;
    }
    if (bool_of(r, &tz, zn, "timezone") < 0 ||
        text_of(r, &fmt, fn, "format") < 0)
        return -1;
    have_phys =
        phys && migrate_type_from_live(&t, r->dialect, phys, -1, -1, -1) == 0;
    if (have_phys && logical) {
        if (t.kind == FORM_TYPE_TIMESTAMP && !strcmp(logical, "timestamp") &&
            tz)
            t.kind = FORM_TYPE_TIMESTAMPTZ;
        else if (t.kind == FORM_TYPE_BIGINT && !strcmp(logical, "integer") &&
                 small_int(fmt))
            t.kind = FORM_TYPE_INTEGER;
        else if (t.kind == FORM_TYPE_TEXT &&
                 (!strcmp(logical, "object") || !strcmp(logical, "array")))
            t.kind = FORM_TYPE_JSON;
    }
    if (have_phys) {
        form_type_format(out, size, &t);
        return 0;
    }
    if (!logical) {
        prob(r, prop, "type",
             "column %s has no type docket can read: give a logicalType, a "
             "%s physicalType or a customProperties entry \"type\"",
             column, sql_dialect_title(r->dialect));
        return -1;
    }
    if (!strcmp(logical, "string")) {
        if (mn && maxlen >= 1 && maxlen <= 65535)
            snprintf(out, size, "string(%lld)", maxlen);
        else
            snprintf(out, size, "text");
    } else if (!strcmp(logical, "integer")) {
        snprintf(out, size, "%s",
                 !fmt || small_int(fmt) ? "integer" : "bigint");
    } else if (!strcmp(logical, "boolean") || !strcmp(logical, "date")) {
        snprintf(out, size, "%s", logical);
    } else if (!strcmp(logical, "timestamp")) {
        snprintf(out, size, "%s",
                 tz ? "timestamp with time zone" : "timestamp");
    } else if (!strcmp(logical, "object") || !strcmp(logical, "array")) {
        snprintf(out, size, "json");
    } else if (!strcmp(logical, "number") || !strcmp(logical, "time")) {
        prob(r, ln, "type",
             "column %s: logicalType %s needs a %s physicalType (such as "
             "DECIMAL(12,2)) or a customProperties entry \"type\" to "
             "become a docket type",
             column, logical, sql_dialect_title(r->dialect));
        return -1;
    } else {
        prob(r, ln, "logicalType",
             "\"%.40s\" is not an ODCS logical type (string, date, "
             "timestamp, time, number, integer, object, array, boolean)",
             logical);
        return -1;
    }
    return 0;
}

/* Appends the record of s (table, column "" for the table alone). */
static void record(rd *r, const char *table, const char *column, int line,
                   const vals *s)
{
    size_t i = registry_import_recs_add(r->out, r->file, line);

    registry_import_recs_set(r->out, i, "table", table);
    if (column)
        registry_import_recs_set(r->out, i, "column", column);
    for (size_t c = 0; c < registry_csv_ncolumns && c < NF; c++)
        if (s->v[c] && c > 1)
            registry_import_recs_set(r->out, i, registry_csv_columns[c],
                                     s->v[c]);
}

/* The name of a schema element: physicalName, else name. */
static const char *element_name(rd *r, yaml_node_t *n, const char *field)
{
    const char *s = NULL;

    if (text_of(r, &s, yaml_doc_get(r->d, n, "physicalName"), field) > 0 && *s)
        return s;
    s = NULL;
    if (text_of(r, &s, yaml_doc_get(r->d, n, "name"), field) > 0 && *s)
        return s;
    return NULL;
}

static void read_property(rd *r, const char *table, yaml_node_t *p)
{
    vals s;
    char type[64];
    const char *column, *ex = NULL, *desc = NULL;
    buf rule = {0};
    yaml_node_t *n;
    int b;

    memset(&s, 0, sizeof s);
    if (!yaml_doc_is_map(p)) {
        prob(r, p, "properties",
             "a property is a mapping (name, logicalType, physicalType, "
             "...)");
        return;
    }
    column = element_name(r, p, "column");
    if (!column) {
        prob(r, p, "column", "a property of table %s has no name", table);
        return;
    }
    n = yaml_doc_get(r->d, p, "description");
    if (text_of(r, &desc, n, "description") > 0)
        vals_set(&s, "description", desc, n);
    n = yaml_doc_get(r->d, p, "required");
    if (bool_of(r, &b, n, "required") > 0)
        vals_set(&s, "nullable", b ? "no" : "yes", n);
    n = yaml_doc_get(r->d, p, "primaryKey");
    if (bool_of(r, &b, n, "primaryKey") > 0)
        vals_set(&s, "primary_key", b ? "yes" : "no", n);
    n = seq_of(r, yaml_doc_get(r->d, p, "examples"), "examples");
    if (n && yaml_doc_seq_size(n) > 0 &&
        text_of(r, &ex, yaml_doc_seq_item(r->d, n, 0), "examples") > 0)
        vals_set(&s, "example", ex, n);
    n = yaml_doc_get(r->d, p, "tags");
    if (has_tag(r, n, "pii"))
        vals_set(&s, "pii", "yes", n);
    if (has_tag(r, n, "consent"))
        vals_set(&s, "consent", "yes", n);
    n = seq_of(r, yaml_doc_get(r->d, p, "quality"), "quality");
    for (size_t i = 0; n && i < yaml_doc_seq_size(n); i++) {
        /* the human-readable checks (type text) are docket's rule */
        yaml_node_t *q = yaml_doc_seq_item(r->d, n, i);
        const char *qtype = yaml_doc_str(yaml_doc_get(r->d, q, "type"));
        yaml_node_t *dn = yaml_doc_get(r->d, q, "description");
        const char *d = NULL;
        if (qtype && !strcmp(qtype, "text") &&
            text_of(r, &d, dn, "quality") > 0 && *d) {
            if (rule.len)
                buf_putc(&rule, '\n');
            buf_puts(&rule, d);
        }
    }
    if (rule.len)
        vals_set(&s, "rule", buf_cstr(&rule), n);
    customs(r, &s, yaml_doc_get(r->d, p, "customProperties"), 1);
    if (!s.v[registry_csv_column_index("type")]) {
        if (type_of(r, type, sizeof type, p, column) < 0)
            goto done;
        vals_set(&s, "type", type, p);
    }
    record(r, table, column, yaml_doc_line(p), &s);
done:
    buf_dispose(&rule);
}

/* The cadence of an SLA frequency (value, unit), NULL for another. */
static const char *cadence_of(const char *value, const char *unit)
{
    static const struct {
        const char *value, *units, *cadence;
    } f[] = {
        {"1", " h hr hour hours ", "hourly"},
        {"1", " d day days ", "daily"},
        {"7", " d day days ", "weekly"},
        {"1", " w wk week weeks ", "weekly"},
        {"1", " mo mon month months ", "monthly"},
    };
    char word[16];

    if (strlen(unit) > 10)
        return NULL;
    snprintf(word, sizeof word, " %s ", unit);
    str_lower(word);
    for (size_t i = 0; i < sizeof f / sizeof *f; i++)
        if (!strcmp(value, f[i].value) && strstr(f[i].units, word))
            return f[i].cadence;
    return NULL;
}

/* The "HH:MM", "HHMM" or "HH" of a UTC offset after its sign: 1 and the
 * hours and minutes, else 0. */
static int utc_offset(const char *v, int *h, int *m)
{
    int d[4], n = 0, colon = 0;

    for (const char *p = v; *p; p++) {
        if (*p == ':' && n == 2 && p == v + 2) {
            colon = 1;
            continue;
        }
        if (*p < '0' || *p > '9' || n == 4)
            return 0;
        d[n++] = *p - '0';
    }
    if (n != 4 && (n != 2 || colon))
        return 0;
    *h = d[0] * 10 + d[1];
    *m = n == 4 ? d[2] * 10 + d[3] : 0;
    return 1;
}

/* A time of availability ("09:00", "09:00Z", "09:00:00+02:00",
 * "09:00-08:00") as "HH:MM" UTC into out (6+ bytes); 0, or -1 when it is
 * none of these. */
static int arrival_utc(char *out, size_t size, const char *v)
{
    int hm, off = 0, oh, om;
    char hhmm[6];

    if (strlen(v) < 5)
        return -1;
    memcpy(hhmm, v, 5);
    hhmm[5] = '\0';
    if (time_parse_hhmm(&hm, hhmm) < 0)
        return -1;
    v += 5;
    if (v[0] == ':' && v[1] >= '0' && v[1] <= '5' && v[2] >= '0' && v[2] <= '9')
        v += 3;
    if (!strcmp(v, "Z") || !*v) {
        off = 0;
    } else if ((v[0] == '+' || v[0] == '-') && utc_offset(v + 1, &oh, &om) &&
               oh <= 14 && om < 60) {
        off = (oh * 60 + om) * (v[0] == '-' ? -1 : 1);
    } else {
        return -1;
    }
    hm = ((hm - off) % 1440 + 1440) % 1440;
    snprintf(out, size, "%02d:%02d", hm / 60, hm % 60);
    return 0;
}

/* The cadence and expected arrival from slaProperties (frequency,
 * timeOfAvailability) when no custom property gave them: a contract
 * written elsewhere. */
static void sla_fields(rd *r, vals *s, yaml_node_t *root)
{
    yaml_node_t *seq =
        seq_of(r, yaml_doc_get(r->d, root, "slaProperties"), "slaProperties");
    int ci = registry_csv_column_index("cadence");
    int ai = registry_csv_column_index("expected_arrival");

    for (size_t i = 0; seq && i < yaml_doc_seq_size(seq); i++) {
        yaml_node_t *item = yaml_doc_seq_item(r->d, seq, i);
        yaml_node_t *vn = yaml_doc_get(r->d, item, "value");
        const char *prop = yaml_doc_str(yaml_doc_get(r->d, item, "property"));
        const char *unit = yaml_doc_str(yaml_doc_get(r->d, item, "unit"));
        const char *v = yaml_doc_str(vn);
        if (!prop || !v)
            continue;
        if (!s->v[ci] && unit &&
            (!str_casecmp(prop, "frequency") || !str_casecmp(prop, "fy")) &&
            cadence_of(v, unit))
            vals_set(s, "cadence", cadence_of(v, unit), vn);
        else if (!s->v[ai] && !str_casecmp(prop, "timeOfAvailability")) {
            if (arrival_utc(s->arrival, sizeof s->arrival, v) == 0)
                vals_set(s, "expected_arrival", s->arrival, vn);
            else
                prob(r, vn, "expected_arrival",
                     "timeOfAvailability \"%.40s\" is not a time of day "
                     "such as 07:00, 07:00Z or 09:00-08:00",
                     v);
        }
    }
}

/* The contract's own fields for every table it describes: status, team,
 * support and customProperties. */
static void contract_fields(rd *r, vals *s, yaml_node_t *root)
{
    yaml_node_t *n = yaml_doc_get(r->d, root, "status");
    const char *v = NULL;

    if (text_of(r, &v, n, "status") > 0) {
        if (!str_casecmp(v, "active"))
            vals_set(s, "table_status", "active", n);
        else if (!str_casecmp(v, "deprecated"))
            vals_set(s, "table_status", "deprecated", n);
        else
            prob(r, n, "status",
                 "\"%.40s\": docket imports contracts whose status is "
                 "active or deprecated",
                 v);
    }
    n = yaml_doc_get(r->d, root, "team");
    if (yaml_doc_is_map(n)) {
        yaml_node_t *name = yaml_doc_get(r->d, n, "name");
        if (text_of(r, &v, name, "team") > 0)
            vals_set(s, "owner", v, name);
        else
            n = yaml_doc_get(r->d, n, "members");
    }
    if (n && yaml_doc_is_seq(n) && yaml_doc_seq_size(n) > 0) {
        /* the members of a team (v3.0's array, or v3.1's members) */
        yaml_node_t *m = yaml_doc_seq_item(r->d, n, 0);
        yaml_node_t *who = yaml_doc_get(r->d, m, "name");
        if (!who || yaml_doc_is_null(who))
            who = yaml_doc_get(r->d, m, "username");
        if (text_of(r, &v, who, "team") > 0)
            vals_set(s, "owner", v, who);
    } else if (n && !yaml_doc_is_null(n) && !yaml_doc_is_map(n)) {
        prob(r, n, "team", "is neither a mapping nor a list");
    }
    n = seq_of(r, yaml_doc_get(r->d, root, "support"), "support");
    if (n && yaml_doc_seq_size(n) > 0) {
        yaml_node_t *item = yaml_doc_seq_item(r->d, n, 0);
        yaml_node_t *url = yaml_doc_get(r->d, item, "url");
        yaml_node_t *channel = yaml_doc_get(r->d, item, "channel");
        if (text_of(r, &v, url, "support") > 0 ||
            text_of(r, &v, channel, "support") > 0)
            vals_set(s, "escalation", v,
                     url && !yaml_doc_is_null(url) ? url : channel);
    }
    customs(r, s, yaml_doc_get(r->d, root, "customProperties"), 0);
    sla_fields(r, s, root);
}

static const char *const api_versions[] = {"v3.1.0", "v3.0.2", "v3.0.1",
                                           "v3.0.0"};

static void read_contract(rd *r, yaml_node_t *root)
{
    yaml_node_t *n, *schema;
    const char *v = NULL;
    char msg[256];
    vals common;
    int ok = 0;

    if (!yaml_doc_is_map(root)) {
        prob(r, root, "",
             "the file is not an ODCS contract (a mapping with "
             "apiVersion, kind, schema...)");
        return;
    }
    n = yaml_doc_get(r->d, root, "apiVersion");
    if (text_of(r, &v, n, "apiVersion") > 0) {
        for (size_t i = 0; i < sizeof api_versions / sizeof *api_versions; i++)
            ok |= !strcmp(v, api_versions[i]);
        if (!ok)
            prob(r, n, "apiVersion",
                 "\"%.20s\": docket reads ODCS v3 contracts (v3.0.0 to "
                 "v3.1.0)",
                 v);
    } else if (!n) {
        prob(r, root, "apiVersion", "the contract has no apiVersion");
    }
    n = yaml_doc_get(r->d, root, "kind");
    v = NULL;
    if (text_of(r, &v, n, "kind") > 0 && strcmp(v, "DataContract"))
        prob(r, n, "kind", "\"%.40s\" is not DataContract", v);
    else if (!n)
        prob(r, root, "kind", "the contract has no kind (DataContract)");
    memset(&common, 0, sizeof common);
    contract_fields(r, &common, root);
    n = yaml_doc_get(r->d, root, "schema");
    schema = seq_of(r, n, "schema");
    if (!schema) {
        if (!n || yaml_doc_is_null(n))
            prob(r, root, "schema",
                 "the contract describes no table (it has no schema)");
        return;
    }
    if (yaml_doc_seq_size(schema) == 0) {
        prob(r, schema, "schema",
             "the contract describes no table (schema is empty)");
        return;
    }
    for (size_t i = 0; i < yaml_doc_seq_size(schema); i++) {
        yaml_node_t *obj = yaml_doc_seq_item(r->d, schema, i), *props;
        const char *table;
        vals t = common;
        if (!yaml_doc_is_map(obj)) {
            prob(r, obj, "schema",
                 "a schema object is a mapping (name, properties, ...)");
            continue;
        }
        table = element_name(r, obj, "table");
        if (!table) {
            prob(r, obj, "table", "a schema object has no name");
            continue;
        }
        /* once here rather than on every record of the table */
        if (form_ident_check(table, msg, sizeof msg) < 0) {
            prob(r, obj, "table", "%s", msg);
            continue;
        }
        n = yaml_doc_get(r->d, obj, "description");
        v = NULL;
        /* the contract's purpose describes its one table when the table
           has no description of its own */
        if ((!n || yaml_doc_is_null(n)) && yaml_doc_seq_size(schema) == 1)
            n = yaml_doc_get(r->d, yaml_doc_get(r->d, root, "description"),
                             "purpose");
        if (text_of(r, &v, n, "description") > 0 &&
            !t.v[registry_csv_column_index("table_description")])
            vals_set(&t, "table_description", v, n);
        customs(r, &t, yaml_doc_get(r->d, obj, "customProperties"), 0);
        n = yaml_doc_get(r->d, obj, "tags");
        if (!t.v[registry_csv_column_index("consent_relevant")] &&
            has_tag(r, n, "consent"))
            vals_set(&t, "consent_relevant", "yes", n);
        /* The table alone, then each table field on a record of its own
           at its line, so that a problem names the line of the value. */
        {
            vals none;
            memset(&none, 0, sizeof none);
            record(r, table, NULL, yaml_doc_line(obj), &none);
        }
        for (size_t c = 2; c < registry_csv_ncolumns && c < NF; c++) {
            vals one;
            if (!t.v[c])
                continue;
            memset(&one, 0, sizeof one);
            one.v[c] = t.v[c];
            record(r, table, NULL, t.line[c], &one);
        }
        props = seq_of(r, yaml_doc_get(r->d, obj, "properties"), "properties");
        for (size_t k = 0; props && k < yaml_doc_seq_size(props); k++)
            read_property(r, table, yaml_doc_seq_item(r->d, props, k));
    }
}

/* Reads one file (its name as shown: shown). */
static void read_file(rd *r, const char *path, const char *shown)
{
    struct stat st;
    yaml_doc d = {0};
    errmsg e = {0};
    char *data = NULL;
    size_t len = 0;
    int line = 0;

    r->file = shown;
    r->d = &d;
    if (strcmp(path, "-") && stat(path, &st) == 0 &&
        (size_t)st.st_size > YAML_IO_MAX_SIZE) {
        registry_import_problem_add(r->rep, shown, 0, "",
                                    "the file is larger than %zu MiB",
                                    YAML_IO_MAX_SIZE >> 20);
        return;
    }
    /* "-": one contract on standard input */
    data = strcmp(path, "-") ? buf_read_file(path, &len)
                             : buf_read_stream(stdin, &len);
    if (!data) {
        registry_import_problem_add(r->rep, shown, 0, "", "cannot read it: %s",
                                    strerror(errno));
        return;
    }
    if (yaml_doc_load(&d, data, len, &line, &e) < 0) {
        const char *m = e.msg;
        if (str_startswith(m, "yaml: "))
            m += 6;
        registry_import_problem_add(r->rep, shown, line, "yaml", "%s", m);
    } else {
        read_contract(r, yaml_doc_root(&d));
    }
    yaml_doc_dispose(&d);
    free(data);
    r->d = NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n > m && !strcmp(s + n - m, suffix);
}

int domain_odcs_read(registry_import_recs *out, registry_import_report *rep,
                     registry *reg, const char *instance, const char *path,
                     errmsg *err)
{
    registry_instance inst;
    struct stat st;
    size_t before = rep->nproblems;
    int from_stdin = !strcmp(path, "-");
    rd r;
    int rc;

    memset(&r, 0, sizeof r);
    r.out = out;
    r.rep = rep;
    rc = registry_instance_get(reg, &inst, instance, err);
    if (rc < 0)
        return rc;
    if (sql_dialect_parse(&r.dialect, inst.dialect) < 0)
        r.dialect = SQL_POSTGRES;
    memset(&st, 0, sizeof st);
    if (!from_stdin && stat(path, &st) < 0)
        return err_set(err, ERR_NOTFOUND, "cannot read %s: %s", path,
                       strerror(errno));
    if (!from_stdin && S_ISDIR(st.st_mode)) {
        DIR *dir = opendir(path);
        struct dirent *de;
        char **names = NULL;
        size_t n = 0, cap = 0;
        if (!dir)
            return err_set(err, ERR_NOTFOUND, "cannot read %s: %s", path,
                           strerror(errno));
        while ((de = readdir(dir)) != NULL) {
            if (de->d_name[0] == '.' || !ends_with(de->d_name, ".yaml"))
                continue;
            xgrow(&names, &cap, n + 1, sizeof *names);
            names[n++] = xstrdup(de->d_name);
        }
        closedir(dir);
        if (n)
            qsort(names, n, sizeof *names, cmp_str);
        for (size_t i = 0; i < n; i++) {
            buf p = {0};
            struct stat fs;
            buf_puts(&p, path);
            buf_putc(&p, '/');
            buf_puts(&p, names[i]);
            /* problems name the path as the user can open it (the
               name alone when that path is too long to keep) */
            if (stat(buf_cstr(&p), &fs) == 0 && S_ISREG(fs.st_mode))
                read_file(&r, buf_cstr(&p),
                          p.len < sizeof rep->problems[0].file ? buf_cstr(&p)
                                                               : names[i]);
            buf_dispose(&p);
            free(names[i]);
        }
        free(names);
        if (n == 0)
            registry_import_problem_add(rep, NULL, 0, "",
                                        "no *.yaml contract in %s", path);
    } else {
        const char *slash = strrchr(path, '/');
        read_file(&r, path,
                  strlen(path) < sizeof rep->problems[0].file || !slash
                      ? path
                      : slash + 1);
    }
    if (rep->nproblems > before)
        return err_set(
            err, ERR_INVALID, "%zu problem%s found: nothing was imported",
            rep->nproblems - before, rep->nproblems - before == 1 ? "" : "s");
    return 0;
}
