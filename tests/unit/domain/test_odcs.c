/* test_odcs.c: domain/odcs.c, a registry table as an ODCS v3.1.0 data
 * contract and back.
 *
 * - Every contract written validates against the published JSON schema of
 *   ODCS v3.1.0 (tests/data/odcs/odcs-json-schema-v3.1.0.json, copied
 *   from bitol-io/open-data-contract-standard with its licence): a small
 *   validator (tests/unit/json_schema.c, shared with test_dbt) reads the
 *   schema file itself and applies its keywords, so the checks are the
 *   standard's, not a copy of them.
 *   The validator is shown to refuse documents that break the schema.
 * - No plain scalar of the output reads differently under YAML 1.1 and
 *   1.2 (yes, no, 07:00, 2026-01-01 are quoted when they are text).
 * - Round trip: a CSV data dictionary with every column type, every
 *   cadence and hostile text (quotes, colons, #, leading -, &, *, !, %,
 *   @, backticks, ---, ..., multi-line with CRLF, tabs, unicode, yes, no,
 *   null, 1e3, 07:00 as text) -> registry -> ODCS files -> an empty
 *   instance gives the same registry (retired columns are left out of a
 *   contract, and so of the copy). Also through physicalType alone (no
 *   docket type in customProperties) in every dialect.
 * - Import: a contract of the standard's own examples, contracts written
 *   elsewhere (team, support, tags, logical types), and bad contracts
 *   answered with FILE:LINE problems and nothing written. */
#include "fixture.h"
#include "catalog.h"
#include "dialect.h"
#include "json_schema.h"
#include "odcs.h"
#include "yaml_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the schema ------------------------------------------------------- */

static cJSON *schema_root;

/* The errors of document doc against the ODCS v3.1.0 schema ("" when
 * valid). */
static const char *odcs_errors(const cJSON *doc, jsch_errors *e)
{
    return jsch_validate(schema_root, doc, e);
}

/* ---- fixtures ---------------------------------------------------------- */

static int setup(void **state)
{
    ufx *f = ufx_open("odcs");
    char *text = ufx_read_data("odcs/odcs-json-schema-v3.1.0.json", NULL);

    schema_root = ufx_json_parse(text);
    free(text);
    ufx_people(f, "mysql");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    jsch_cleanup();
    cJSON_Delete(schema_root);
    schema_root = NULL;
    return ufx_teardown(state);
}

/* A CSV cell, always quoted. */
static void cell(buf *b, const char *s)
{
    buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            buf_putc(b, '"');
        buf_putc(b, *s);
    }
    buf_putc(b, '"');
}

/* Hostile descriptions: YAML's special characters and words. */
static const char *const hostile[] = {
    "yes",
    "no",
    "null",
    "1e3",
    "~",
    "07:00",
    "2026-01-01",
    "0x1F",
    "- a leading dash",
    "key: value # not a comment",
    "'single' and \"double\" quotes",
    "&anchor *alias !tag %directive @at `backtick`",
    "---",
    "...",
    "multi\nline\r\nwith CRLF\n\nand a blank line",
    "\ttab\tinside\t",
    "unicode: \xc3\xbcn\xc3\xaf\xc3\xa7\xc3\xb8\xc3\xb0\xc3\xa9 \xe2\x80\x94 "
    "\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
    "  leading and trailing spaces  ",
    "ends with a newline\n",
    "<<",
    "[flow, list]",
    "{flow: map}",
    "| a pipe",
    "> a fold",
    "? a question",
    "\"",
    "#hash first",
    "100%",
    "true",
    "@",
    /* longer than a line: folded by the emitter, unfolded by a reader */
    "a long line of words,  with two spaces,  and a colon: here # and a "
    "hash, repeated: a long line of words,  with two spaces,  and a colon: "
    "here # and a hash, repeated: a long line of words,  with two spaces,  "
    "and a colon: here # and a hash ",
    "\"quoted\" 'long' text that runs past the emitter's width of one "
    "hundred columns\nand then a second line that is also long enough to "
    "be folded by a careless emitter, twice over, really",
};

/* Short (one-line) hostile texts: examples, owners, escalations. */
static const char *const hostile_short[] = {
    "1e3",        "yes",  "07:30", "-1",    "#hash",  "@me", "null", "no",
    "2026-12-06", "a: b", "*star", "!bang", "`tick`", "---", "...",  "&amp",
};

/* Every docket type once per table. */
static const char *const types[] = {
    "string(255)", "text",          "integer",
    "bigint",      "decimal(12,2)", "boolean",
    "date",        "timestamp",     "timestamp with time zone",
    "json",
};

/* The data dictionary of the round trip: tables of every cadence, every
 * type, a composite key, PII and consent, a deprecated table and column,
 * a retired column, a table without columns, hostile text everywhere. */
static char *dictionary(void)
{
    static const char *const head[] = {"table",
                                       "column",
                                       "type",
                                       "nullable",
                                       "primary_key",
                                       "description",
                                       "example",
                                       "pii",
                                       "consent",
                                       "consent_channel",
                                       "rule",
                                       "column_status",
                                       "campaign_dependency",
                                       "campaign_note",
                                       "expected_arrival",
                                       "late_after_minutes",
                                       "source",
                                       "cadence",
                                       "file_pattern",
                                       "owner",
                                       "escalation",
                                       "table_description",
                                       "runbook",
                                       "table_kind",
                                       "table_status",
                                       "consent_relevant",
                                       "expected_day",
                                       "anomaly_low_pct",
                                       "anomaly_high_pct"};
    static const struct {
        const char *name, *cadence, *day, *arrival, *late, *dep, *status;
    } tables[] = {
        {"orders_daily", "daily", "", "07:00", "30", "required", "active"},
        {"clicks_hourly", "hourly", "", "00:15", "10", "optional", "active"},
        {"stock_weekly", "weekly", "mon", "05:00", "90", "", "active"},
        {"invoices_monthly", "monthly", "last", "23:59", "0", "required",
         "deprecated"},
        {"survey_ad_hoc", "ad_hoc", "", "", "0", "optional", "active"},
        {"plain_table", "", "", "", "0", "", "active"},
    };
    buf b = {0};
    size_t h = 0, s = 0;

    for (size_t i = 0; i < UFX_NELEM(head); i++) {
        buf_puts(&b, i ? "," : "");
        buf_puts(&b, head[i]);
    }
    buf_puts(&b, "\r\n");
    for (size_t t = 0; t < UFX_NELEM(tables); t++) {
        size_t ncols = t == 0 ? UFX_NELEM(types) + 2 : t == 5 ? 0 : 5;
        char late[8], low[8], high[8];
        /* the table's own cells: the same on each of its records */
        const char *note = hostile[(7 * t + 1) % UFX_NELEM(hostile)];
        const char *tdesc = hostile[(7 * t + 4) % UFX_NELEM(hostile)];
        const char *source = hostile_short[(3 * t) % UFX_NELEM(hostile_short)];
        const char *owner =
            t == 5 ? "" : hostile_short[(3 * t + 1) % UFX_NELEM(hostile_short)];
        const char *esc =
            t == 0   ? "https://pager.example/crm?x=1&y=2"
            : t == 5 ? ""
                     : hostile_short[(3 * t + 2) % UFX_NELEM(hostile_short)];
        snprintf(late, sizeof late, "%s", tables[t].late);
        snprintf(low, sizeof low, "%zu", 10 + t);
        snprintf(high, sizeof high, "%zu", 200 + 50 * t);
        for (size_t c = 0; c == 0 || c < ncols; c++) {
            char colname[32];
            const char *v[UFX_NELEM(head)];
            int has = c < ncols;
            snprintf(colname, sizeof colname, "col_%zu", c);
            memset(v, 0, sizeof v);
            v[0] = tables[t].name;
            v[1] = has ? colname : "";
            if (has) {
                v[2] = types[(c + t) % UFX_NELEM(types)];
                v[3] = c % 3 == 0 ? "no" : "yes";
                v[4] = (t == 0 && c < 2) ? "yes" : "no";
                v[5] = hostile[h++ % UFX_NELEM(hostile)];
                v[6] =
                    c % 2 ? hostile_short[s++ % UFX_NELEM(hostile_short)] : "";
                v[7] = c % 4 == 1 ? "yes" : "no";
                v[8] = c % 4 == 2 ? "yes" : "no";
                v[9] = c % 4 == 2 ? "email" : "";
                v[10] = c == 3 ? hostile[h++ % UFX_NELEM(hostile)] : "";
                v[11] = t == 3 && c == 1    ? "deprecated"
                        : t == 0 && c == 11 ? "retired"
                                            : "active";
            }
            v[12] = tables[t].dep;
            v[13] = note;
            v[14] = tables[t].arrival;
            v[15] = late;
            v[16] = source;
            v[17] = tables[t].cadence;
            v[18] = "orders_*.csv #1";
            v[19] = owner;
            v[20] = esc;
            v[21] = tdesc;
            v[22] = "# Runbook\n\n- call: Kim\n- then `retry`\n\n> quoted";
            v[23] = t % 2 ? "customer_attributes" : "";
            v[24] = tables[t].status;
            v[25] = t % 2 ? "yes" : "no";
            v[26] = tables[t].day;
            v[27] = low;
            v[28] = high;
            for (size_t i = 0; i < UFX_NELEM(head); i++) {
                buf_puts(&b, i ? "," : "");
                cell(&b, v[i] ? v[i] : "");
            }
            buf_puts(&b, "\r\n");
        }
    }
    /* every hostile description is used at least once */
    assert_true(h >= UFX_NELEM(hostile));
    return buf_detach(&b);
}

/* The card of table in inst as JSON without what differs between two
 * instances (ids, times, history, the instance's name and URL) and
 * without retired columns. */
static cJSON *card_of(ufx *f, const char *inst, const char *table)
{
    static const char *const drop[] = {
        "instance",           "url",     "created_at", "updated_at",
        "created_by_request", "history", "last_change"};
    errmsg err = {0};
    cJSON *j = registry_table_json(f->reg, inst, table, &err), *cols, *c;

    if (!j)
        fail_msg("%s.%s: %s", inst, table, err.msg);
    for (size_t i = 0; i < UFX_NELEM(drop); i++)
        cJSON_DeleteItemFromObjectCaseSensitive(j, drop[i]);
    cols = cJSON_GetObjectItemCaseSensitive(j, "columns");
    for (int i = cJSON_GetArraySize(cols) - 1; i >= 0; i--) {
        c = cJSON_GetArrayItem(cols, i);
        if (!strcmp(cJSON_GetObjectItemCaseSensitive(c, "status")->valuestring,
                    "retired")) {
            cJSON_DeleteItemFromArray(cols, i);
            continue;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(c, "added_at");
        cJSON_DeleteItemFromObjectCaseSensitive(c, "added_by_request");
    }
    return j;
}

typedef struct names {
    char *v[64];
    size_t n;
} names;

static void name_add(void *ctx, const registry_table_row *r)
{
    names *ns = ctx;

    if (ns->n < 64)
        ns->v[ns->n++] = strdup(r->name);
}

static void names_free(names *ns)
{
    for (size_t i = 0; i < ns->n; i++)
        free(ns->v[i]);
}

static names tables_of(ufx *f, const char *inst)
{
    registry_table_filter flt = {0};
    errmsg err = {0};
    names ns = {{0}, 0};

    flt.instance = inst;
    if (registry_table_list(f->reg, &flt, name_add, &ns, NULL, &err) < 0)
        fail_msg("%s", err.msg);
    return ns;
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];

    snprintf(path, sizeof path, "%s/%s", dir, name);
    ufx_write_file(path, text);
}

/* Every table of inst as contracts <table>.odcs.yaml in dir. */
static void export_all(ufx *f, const char *inst, const char *dir,
                       const char *base)
{
    names ns = tables_of(f, inst);

    for (size_t i = 0; i < ns.n; i++) {
        buf out = {0};
        errmsg err = {0};
        char name[128];
        if (domain_odcs_write(&out, f->reg, inst, ns.v[i], base, &err) < 0)
            fail_msg("%s: %s", ns.v[i], err.msg);
        snprintf(name, sizeof name, "%s.odcs.yaml", ns.v[i]);
        write_file(dir, name, buf_cstr(&out));
        buf_dispose(&out);
    }
    names_free(&ns);
}

/* Imports the contracts at path into inst: 0 or the error, problems
 * joined as "FILE:LINE: field: message\n" into probs (may be NULL). */
static int import_path(ufx *f, const char *inst, const char *path, buf *probs)
{
    registry_import_recs recs = {0};
    registry_import_report rep = {0};
    errmsg err = {0};
    int rc = domain_odcs_read(&recs, &rep, f->reg, inst, path, &err);

    if (rc == 0 || rc == ERR_INVALID) {
        int rc2 = registry_import_records(f->reg, &rep, inst, &recs, f->pm,
                                          path, &err);
        if (rc == 0)
            rc = rc2;
    }
    for (size_t i = 0; probs && i < rep.nproblems; i++)
        buf_appendf(probs, "%s:%d: %s: %s\n", rep.problems[i].file,
                    rep.problems[i].line, rep.problems[i].field,
                    rep.problems[i].message);
    if (probs && rc < 0 && rep.nproblems == 0)
        buf_appendf(probs, "%s\n", err.msg);
    registry_import_recs_dispose(&recs);
    registry_import_report_dispose(&rep);
    return rc;
}

static void add_instance(ufx *f, const char *name, const char *dialect)
{
    errmsg err = {0};
    int64_t id;

    if (registry_instance_add(f->reg, &id, "acme", name, "production", dialect,
                              &err) < 0)
        fail_msg("%s", err.msg);
}

/* Every table of a and b is the same. */
static void same_registry(ufx *f, const char *a, const char *b)
{
    names na = tables_of(f, a), nb = tables_of(f, b);

    assert_int_equal(na.n, nb.n);
    for (size_t i = 0; i < na.n; i++) {
        cJSON *x = card_of(f, a, na.v[i]), *y = card_of(f, b, na.v[i]);
        if (!cJSON_Compare(x, y, 1)) {
            char *sx = cJSON_Print(x), *sy = cJSON_Print(y);
            fail_msg("%s differs:\n%s\n---- copy:\n%s", na.v[i], sx, sy);
        }
        cJSON_Delete(x);
        cJSON_Delete(y);
    }
    names_free(&na);
    names_free(&nb);
}

/* ---- tests --------------------------------------------------------------- */

/* The dictionary in acme-prod (postgres) once for all tests. */
static void load_dictionary(ufx *f)
{
    static int done;
    char *csv;

    if (done)
        return;
    csv = dictionary();
    ufx_import(f, "acme-prod", csv);
    free(csv);
    done = 1;
}

static void test_odcs__every_contract_valid(void **state)
{
    ufx *f = *state;
    names ns;

    load_dictionary(f);
    ns = tables_of(f, "acme-prod");
    assert_int_equal(ns.n, 6);
    for (size_t i = 0; i < ns.n; i++) {
        for (int with_base = 0; with_base < 2; with_base++) {
            buf out = {0};
            errmsg err = {0};
            jsch_errors e;
            int amb = -1;
            cJSON *doc;
            assert_int_equal(
                domain_odcs_write(&out, f->reg, "acme-prod", ns.v[i],
                                  with_base ? "https://docket.example" : NULL,
                                  &err),
                0);
            doc = jsch_yaml_json(buf_cstr(&out), &amb);
            if (*odcs_errors(doc, &e))
                fail_msg("%s is not valid ODCS v3.1.0:\n%s\n%s", ns.v[i], e.msg,
                         buf_cstr(&out));
            assert_int_equal(amb, 0);
            ufx_json_str(doc, "apiVersion", "v3.1.0");
            ufx_json_str(doc, "kind", "DataContract");
            ufx_json_str(doc, "name", ns.v[i]);
            ufx_json_str(doc, "schema.0.physicalName", ns.v[i]);
            ufx_json_str(doc, "schema.0.physicalType", "table");
            assert_true(jsch_re_match("^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-"
                                      "[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
                                      ufx_json_at(doc, "id")->valuestring));
            assert_true(jsch_re_match(
                "^1\\.[0-9]+\\.0$", ufx_json_at(doc, "version")->valuestring));
            cJSON_Delete(doc);
            buf_dispose(&out);
        }
    }
    names_free(&ns);
}

/* The content of the daily table's contract: keys, types, SLA. */
static void test_odcs__daily_contract(void **state)
{
    ufx *f = *state;
    buf out = {0}, again = {0};
    errmsg err = {0};
    char id[40];
    cJSON *doc, *props, *p, *cp;
    int keys = 0;

    load_dictionary(f);
    assert_int_equal(domain_odcs_write(&out, f->reg, "acme-prod",
                                       "ORDERS_DAILY", "https://d.example",
                                       &err),
                     0);
    assert_int_equal(domain_odcs_write(&again, f->reg, "acme-prod",
                                       "orders_daily", "https://d.example",
                                       &err),
                     0);
    assert_string_equal(buf_cstr(&out), buf_cstr(&again)); /* stable */
    doc = jsch_yaml_json(buf_cstr(&out), NULL);
    domain_odcs_id(id, sizeof id, "acme-prod", "orders_daily");
    ufx_json_str(doc, "id", id);
    domain_odcs_id(id, sizeof id, "acme-qa", "orders_daily");
    assert_string_not_equal(ufx_json_at(doc, "id")->valuestring, id);
    ufx_json_str(doc, "status", "active");
    ufx_json_str(doc, "tenant", "acme");
    ufx_json_str(doc, "version", "1.0.0"); /* created by one import */
    ufx_json_str(doc, "support.0.url", "https://pager.example/crm?x=1&y=2");
    ufx_json_str(doc, "authoritativeDefinitions.0.url",
                 "https://d.example/tables/acme-prod/orders_daily");
    ufx_json_str(doc, "slaProperties.0.property", "frequency");
    ufx_json_int(doc, "slaProperties.0.value", 1);
    ufx_json_str(doc, "slaProperties.0.unit", "d");
    ufx_json_str(doc, "slaProperties.1.property", "timeOfAvailability");
    ufx_json_str(doc, "slaProperties.1.value", "07:00+00:00");
    ufx_json_str(doc, "slaProperties.2.property", "latency");
    ufx_json_int(doc, "slaProperties.2.value", 1470);
    ufx_json_str(doc, "slaProperties.2.unit", "min");
    /* the campaign rule among the custom properties */
    cp = (cJSON *)ufx_json_at(doc, "customProperties");
    ufx_json_str(cp, "0.property", "campaign_dependency");
    ufx_json_str(cp, "0.value", "required");
    props = (cJSON *)ufx_json_at(doc, "schema.0.properties");
    /* ten types + one more, the retired column left out */
    assert_int_equal(cJSON_GetArraySize(props), UFX_NELEM(types) + 1);
    cJSON_ArrayForEach(p, props)
    {
        const cJSON *pk = cJSON_GetObjectItemCaseSensitive(p, "primaryKey");
        if (cJSON_IsTrue(pk))
            ufx_json_int(p, "primaryKeyPosition", ++keys);
        else
            assert_null(
                cJSON_GetObjectItemCaseSensitive(p, "primaryKeyPosition"));
    }
    assert_int_equal(keys, 2);
    /* col_0 string(255) in postgres */
    ufx_json_str(props, "0.logicalType", "string");
    ufx_json_int(props, "0.logicalTypeOptions.maxLength", 255);
    ufx_json_str(props, "0.physicalType", "VARCHAR(255)");
    ufx_json_true(props, "0.required");
    ufx_json_str(props, "0.customProperties.0.property", "type");
    ufx_json_str(props, "0.customProperties.0.value", "string(255)");
    ufx_json_str(props, "3.logicalType", "integer");
    ufx_json_str(props, "3.logicalTypeOptions.format", "i64");
    ufx_json_str(props, "4.logicalType", "number");
    ufx_json_str(props, "4.physicalType", "NUMERIC(12,2)");
    ufx_json_str(props, "8.logicalType", "timestamp");
    ufx_json_true(props, "8.logicalTypeOptions.timezone");
    ufx_json_str(props, "9.logicalType", "object");
    /* col_3 has a rule: also a quality check of type text */
    ufx_json_str(props, "3.quality.0.type", "text");
    assert_string_equal(
        ufx_json_at(props, "3.quality.0.description")->valuestring,
        ufx_json_at(props, "3.customProperties.3.value")->valuestring);
    /* col_1: PII */
    ufx_json_str(props, "1.classification", "restricted");
    ufx_json_str(props, "1.tags.0", "pii");
    ufx_json_str(props, "2.tags.0", "consent");
    cJSON_Delete(doc);
    buf_dispose(&out);
    buf_dispose(&again);
}

/* The version of a contract: 1.N.0, N the changes after the table's
 * creation; also for a table whose history is longer than a card holds. */
static void test_odcs__version_counts_changes(void **state)
{
    ufx *f = *state;
    const char *const tables[] = {"small_t", "wide_t"};
    buf csv = {0};

    add_instance(f, "acme-ver", "postgres");
    buf_puts(&csv, "table,column,type\nsmall_t,a,integer\n");
    /* one import of 250 columns: more history rows than a card keeps */
    for (int i = 0; i < 250; i++)
        buf_appendf(&csv, "wide_t,c%d,text\n", i);
    ufx_import(f, "acme-ver", buf_cstr(&csv));
    buf_dispose(&csv);
    for (size_t t = 0; t < 2; t++) {
        for (int k = 0; k < 3; k++) {
            buf out = {0};
            errmsg err = {0};
            char want[32];
            cJSON *doc;
            assert_int_equal(domain_odcs_write(&out, f->reg, "acme-ver",
                                               tables[t], NULL, &err),
                             0);
            doc = jsch_yaml_json(buf_cstr(&out), NULL);
            snprintf(want, sizeof want, "1.%d.0", k);
            ufx_json_str(doc, "version", want);
            cJSON_Delete(doc);
            buf_dispose(&out);
            /* a hand edit: one more change */
            {
                char note[32];
                registry_field_value set[] = {{"campaign_note", note}};
                snprintf(note, sizeof note, "note %d", k);
                if (registry_table_edit(f->reg, "acme-ver", tables[t], NULL,
                                        set, 1, f->pm, "why", NULL, &err) < 0)
                    fail_msg("%s", err.msg);
            }
        }
    }
}

/* The validator refuses what the schema refuses. */
static void test_odcs__validator_refuses(void **state)
{
    static const char *const bad[] = {
        /* required keys */
        "apiVersion: v3.1.0\nkind: DataContract\nid: x\nversion: 1.0.0\n",
        /* enum of kind and apiVersion */
        "apiVersion: v3.1.0\nkind: Contract\nid: x\nversion: 1.0.0\n"
        "status: active\n",
        "apiVersion: v4.0.0\nkind: DataContract\nid: x\nversion: 1.0.0\n"
        "status: active\n",
        /* a key the standard does not have */
        "apiVersion: v3.1.0\nkind: DataContract\nid: x\nversion: 1.0.0\n"
        "status: active\nowner: me\n",
        /* types: a description is an object, a version a string */
        "apiVersion: v3.1.0\nkind: DataContract\nid: x\nversion: 1.0.0\n"
        "status: active\ndescription: text\n",
        "apiVersion: v3.1.0\nkind: DataContract\nid: x\nversion: 1\n"
        "status: active\n",
        /* logicalType enum, a property without a name, unknown keys */
        "apiVersion: v3.1.0\nkind: DataContract\nid: x\nversion: 1.0.0\n"
        "status: active\nschema:\n- name: t\n  properties:\n  - name: c\n"
        "    logicalType: varchar\n",
        "apiVersion: v3.1.0\nkind: DataContract\nid: x\nversion: 1.0.0\n"
        "status: active\nschema:\n- name: t\n  properties:\n"
        "  - logicalType: string\n",
        "apiVersion: v3.1.0\nkind: DataContract\nid: x\nversion: 1.0.0\n"
        "status: active\nschema:\n- name: t\n  columns: []\n",
        "apiVersion: v3.1.0\nkind: DataContract\nid: x\nversion: 1.0.0\n"
        "status: active\nschema:\n- name: t\n  properties:\n  - name: c\n"
        "    logicalType: string\n    logicalTypeOptions:\n"
        "      format: i64\n      maxLen: 3\n",
        "apiVersion: v3.1.0\nkind: DataContract\nid: x\nversion: 1.0.0\n"
        "status: active\nschema:\n- name: t\n  properties:\n  - name: c\n"
        "    logicalType: integer\n    logicalTypeOptions:\n"
        "      format: int64\n",
        "apiVersion: v3.1.0\nkind: DataContract\nid: x\nversion: 1.0.0\n"
        "status: active\nschema:\n- name: t\n  properties:\n  - name: c\n"
        "    required: \"yes\"\n",
        /* SLA, support, custom property without their required keys */
        "apiVersion: v3.1.0\nkind: DataContract\nid: x\nversion: 1.0.0\n"
        "status: active\nslaProperties:\n- property: latency\n",
        "apiVersion: v3.1.0\nkind: DataContract\nid: x\nversion: 1.0.0\n"
        "status: active\nsupport:\n- url: https://x\n",
        "apiVersion: v3.1.0\nkind: DataContract\nid: x\nversion: 1.0.0\n"
        "status: active\ncustomProperties:\n- value: 1\n",
        /* deprecated: dataProduct, and the team as a list */
        "apiVersion: v3.1.0\nkind: DataContract\nid: x\nversion: 1.0.0\n"
        "status: active\ndataProduct: p\n",
        "apiVersion: v3.1.0\nkind: DataContract\nid: x\nversion: 1.0.0\n"
        "status: active\nteam:\n- username: kim\n",
        "apiVersion: v3.1.0\nkind: DataContract\nid: x\nversion: 1.0.0\n"
        "status: active\ncontractCreatedTs: yesterday\n",
    };
    const char *good = "apiVersion: v3.1.0\nkind: DataContract\nid: x\n"
                       "version: 1.0.0\nstatus: active\nschema:\n- name: t\n"
                       "  logicalType: object\n  properties:\n  - name: c\n"
                       "    logicalType: integer\n    logicalTypeOptions:\n"
                       "      format: i64\n    required: true\n"
                       "team:\n  name: crm\n";
    jsch_errors e;

    (void)state;
    for (size_t i = 0; i < UFX_NELEM(bad); i++) {
        cJSON *doc = jsch_yaml_json(bad[i], NULL);
        if (!*odcs_errors(doc, &e))
            fail_msg("the validator accepts:\n%s", bad[i]);
        cJSON_Delete(doc);
    }
    {
        cJSON *doc = jsch_yaml_json(good, NULL);
        if (*odcs_errors(doc, &e))
            fail_msg("the validator refuses a valid contract:\n%s", e.msg);
        cJSON_Delete(doc);
    }
}

/* CSV -> registry -> ODCS -> an empty instance: the same registry. */
static void test_odcs__round_trip(void **state)
{
    ufx *f = *state;
    char dir[256];
    buf probs = {0};

    load_dictionary(f);
    ufx_tmpdir(dir, sizeof dir, "odcs-rt");
    export_all(f, "acme-prod", dir, "https://docket.example");
    add_instance(f, "acme-copy", "postgres");
    if (import_path(f, "acme-copy", dir, &probs) < 0)
        fail_msg("import: %s", buf_cstr(&probs));
    same_registry(f, "acme-prod", "acme-copy");
    /* again: nothing changes the second time */
    {
        int64_t before = ufx_int(f, "SELECT count(*) FROM registry_history");
        assert_int_equal(import_path(f, "acme-copy", dir, &probs), 0);
        assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_history"),
                         before);
    }
    /* one history change named after the directory, reason import */
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_changes c"
                                " JOIN instances i ON i.id = c.instance_id"
                                " WHERE i.name = 'acme-copy'"
                                " AND c.kind = 'import'"),
                     1);
    buf_dispose(&probs);
    ufx_rmtree(dir);
}

/* Without docket's own type: physicalType read back in each dialect. */
static void test_odcs__physical_types(void **state)
{
    ufx *f = *state;

    load_dictionary(f);
    for (int d = 0; d < SQL_NDIALECTS; d++) {
        char src[32], dst[32], dir[256];
        buf probs = {0};
        names ns;
        snprintf(src, sizeof src, "types-%s", sql_dialect_name(d));
        snprintf(dst, sizeof dst, "types-%s-copy", sql_dialect_name(d));
        add_instance(f, src, sql_dialect_name(d));
        add_instance(f, dst, sql_dialect_name(d));
        {
            buf csv = {0};
            buf_puts(&csv, "table,column,type\n");
            for (size_t i = 0; i < UFX_NELEM(types); i++)
                buf_appendf(&csv, "t,c%zu,\"%s\"\n", i, types[i]);
            ufx_import(f, src, buf_cstr(&csv));
            buf_dispose(&csv);
        }
        ufx_tmpdir(dir, sizeof dir, "odcs-phys");
        ns = tables_of(f, src);
        for (size_t i = 0; i < ns.n; i++) {
            buf out = {0}, cut = {0};
            errmsg err = {0};
            const char *p;
            assert_int_equal(
                domain_odcs_write(&out, f->reg, src, ns.v[i], NULL, &err), 0);
            /* drop docket's type: the line "- property: type" and the
               value on the next line */
            for (p = buf_cstr(&out); *p;) {
                const char *nl = strchr(p, '\n');
                size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);
                const char *q = p;
                while (*q == ' ')
                    q++;
                if (!strncmp(q, "- property: type\n", 17)) {
                    p += n;
                    nl = strchr(p, '\n');
                    p += nl ? (size_t)(nl - p + 1) : strlen(p);
                    continue;
                }
                buf_append(&cut, p, n);
                p += n;
            }
            assert_null(strstr(buf_cstr(&cut), "property: type\n"));
            write_file(dir, "t.odcs.yaml", buf_cstr(&cut));
            buf_dispose(&out);
            buf_dispose(&cut);
        }
        names_free(&ns);
        if (import_path(f, dst, dir, &probs) < 0)
            fail_msg("%s: %s", src, buf_cstr(&probs));
        {
            cJSON *a = card_of(f, src, "t"), *b = card_of(f, dst, "t"), *c;
            int i = 0;
            cJSON_ArrayForEach(c, ufx_json_at(a, "columns"))
            {
                const char *want = cJSON_GetObjectItem(c, "type")->valuestring;
                char path[32];
                snprintf(path, sizeof path, "columns.%d.type", i++);
                ufx_json_str(b, path, want);
            }
            cJSON_Delete(a);
            cJSON_Delete(b);
        }
        buf_dispose(&probs);
        ufx_rmtree(dir);
    }
}

/* A contract of the standard's examples (v3.0.2, written elsewhere). */
static void test_odcs__standard_example(void **state)
{
    ufx *f = *state;
    char dir[256], path[300];
    char *text = ufx_read_data("odcs/table-column-description.odcs.yaml", NULL);
    buf probs = {0};
    cJSON *j;

    ufx_tmpdir(dir, sizeof dir, "odcs-ex");
    snprintf(path, sizeof path, "%s/example.odcs.yaml", dir);
    ufx_write_file(path, text);
    free(text);
    add_instance(f, "acme-example", "postgres");
    if (import_path(f, "acme-example", path, &probs) < 0)
        fail_msg("%s", buf_cstr(&probs));
    /* the same from standard input ("-") into another instance */
    add_instance(f, "acme-stdin", "mysql");
    if (!freopen(path, "r", stdin))
        fail_msg("cannot read %s", path);
    if (import_path(f, "acme-stdin", "-", &probs) < 0)
        fail_msg("%s", buf_cstr(&probs));
    j = card_of(f, "acme-stdin", "tbl");
    ufx_json_str(j, "columns.0.type", "date");
    cJSON_Delete(j);
    j = card_of(f, "acme-example", "tbl");
    ufx_json_str(j, "description", "Provides core payment metrics");
    ufx_json_str(j, "status", "active");
    ufx_json_str(j, "columns.0.name", "txn_ref_dt");
    ufx_json_str(j, "columns.0.type", "date");
    ufx_json_str(j, "columns.0.example", "2022-10-03");
    assert_non_null(strstr(ufx_json_at(j, "columns.0.description")->valuestring,
                           "mystical"));
    cJSON_Delete(j);
    buf_dispose(&probs);
    ufx_rmtree(dir);
}

/* A contract from another tool: team, support, tags, logical types only,
 * camelCase custom properties, several objects. */
static void test_odcs__foreign_contract(void **state)
{
    ufx *f = *state;
    char dir[256], path[300];
    buf probs = {0};
    cJSON *j;

    ufx_tmpdir(dir, sizeof dir, "odcs-foreign");
    snprintf(path, sizeof path, "%s/crm.yaml", dir);
    ufx_write_file(
        path,
        "apiVersion: v3.0.2\nkind: DataContract\nid: abc\nversion: 2.0.0\n"
        "status: Deprecated\n"
        "team:\n  - username: kim@crm.example\n    role: owner\n"
        "support:\n  - channel: '#crm-help'\n    url: "
        "https://chat.example/crm\n"
        "slaProperties:\n  - property: frequency\n    value: 1\n"
        "    unit: day\n  - property: timeOfAvailability\n"
        "    value: 09:00-08:00\n"
        "customProperties:\n  - property: campaignDependency\n"
        "    value: optional\n  - property: something_else\n    value: [1, 2]\n"
        "schema:\n"
        "  - name: Members\n    physicalName: members\n    tags: [consent]\n"
        "    description: Members of the club.\n"
        "    properties:\n"
        "      - name: Member id\n        physicalName: member_id\n"
        "        logicalType: integer\n        logicalTypeOptions: {format: "
        "i64}\n"
        "        required: true\n        primaryKey: true\n"
        "        primaryKeyPosition: 1\n"
        "      - name: email\n        logicalType: string\n"
        "        logicalTypeOptions: {maxLength: 320}\n        tags: [PII]\n"
        "      - name: seen\n        logicalType: timestamp\n"
        "        logicalTypeOptions: {timezone: true}\n"
        "      - name: opt_in\n        physicalType: boolean\n"
        "        tags: [consent]\n"
        "        customProperties:\n          - property: consentChannel\n"
        "            value: sms\n"
        "      - name: prefs\n        logicalType: array\n"
        "      - name: bio\n        logicalType: string\n"
        "        quality:\n          - type: text\n"
        "            description: No HTML.\n"
        "          - type: library\n            metric: nullValues\n"
        "            mustBeLessThan: 10\n"
        "          - type: text\n            description: Under 2 KB.\n"
        "  - name: visits\n    properties:\n"
        "      - name: at\n        logicalType: date\n");
    snprintf(path, sizeof path, "%s/one.yaml", dir);
    ufx_write_file(path, "apiVersion: v3.1.0\nkind: DataContract\n"
                         "description:\n  purpose: Shop visits, one a row.\n"
                         "schema:\n  - name: shop_visits\n");
    add_instance(f, "acme-foreign", "postgres");
    if (import_path(f, "acme-foreign", dir, &probs) < 0)
        fail_msg("%s", buf_cstr(&probs));
    j = card_of(f, "acme-foreign", "members");
    ufx_json_str(j, "status", "deprecated");
    ufx_json_str(j, "rules.owner", "kim@crm.example");
    ufx_json_str(j, "rules.escalation", "https://chat.example/crm");
    ufx_json_str(j, "rules.campaign_dependency", "optional");
    ufx_json_true(j, "rules.consent_relevant");
    ufx_json_str(j, "rules.cadence", "daily");
    ufx_json_str(j, "rules.expected_arrival", "17:00");
    ufx_json_str(j, "columns.0.name", "member_id");
    ufx_json_str(j, "columns.0.type", "bigint");
    assert_false(cJSON_IsTrue(ufx_json_at(j, "columns.0.nullable")));
    ufx_json_true(j, "columns.0.primary_key");
    ufx_json_str(j, "columns.1.type", "string(320)");
    ufx_json_true(j, "columns.1.pii");
    ufx_json_str(j, "columns.2.type", "timestamp with time zone");
    ufx_json_str(j, "columns.3.type", "boolean");
    ufx_json_true(j, "columns.3.consent");
    ufx_json_str(j, "columns.3.consent_channel", "sms");
    ufx_json_str(j, "columns.4.type", "json");
    ufx_json_str(j, "columns.5.type", "text");
    ufx_json_str(j, "columns.5.rule", "No HTML.\nUnder 2 KB.");
    ufx_json_str(j, "description", "Members of the club.");
    cJSON_Delete(j);
    j = card_of(f, "acme-foreign", "visits");
    ufx_json_str(j, "description", "");
    ufx_json_str(j, "columns.0.type", "date");
    ufx_json_str(j, "rules.owner", "kim@crm.example");
    cJSON_Delete(j);
    j = card_of(f, "acme-foreign", "shop_visits");
    ufx_json_str(j, "description", "Shop visits, one a row.");
    cJSON_Delete(j);
    buf_dispose(&probs);
    ufx_rmtree(dir);
}

/* Bad contracts: every problem at FILE:LINE, nothing written. */
static void test_odcs__problems(void **state)
{
    ufx *f = *state;
    char dir[256];
    buf probs = {0};
    int64_t before;
    const char *p;

    ufx_tmpdir(dir, sizeof dir, "odcs-bad");
    write_file(dir, "a.odcs.yaml",
               "apiVersion: v2.2.2\n"                /* 1 */
               "kind: DataContract\n"                /* 2 */
               "status: draft\n"                     /* 3 */
               "customProperties:\n"                 /* 4 */
               "  - property: late_after_minutes\n"  /* 5 */
               "    value: soon\n"                   /* 6 */
               "  - property: campaign_dependency\n" /* 7 */
               "    value: {a: 1}\n"                 /* 8 */
               "schema:\n"                           /* 9 */
               "  - name: t\n"                       /* 10 */
               "    properties:\n"                   /* 11 */
               "      - name: amount\n"              /* 12 */
               "        logicalType: number\n"       /* 13 */
               "      - name: at\n"                  /* 14 */
               "        logicalType: time\n"         /* 15 */
               "      - name: x\n"                   /* 16 */
               "        physicalType: geometry\n"    /* 17 */
               "      - name: ok\n"                  /* 18 */
               "        logicalType: string\n"       /* 19 */
               "        required: maybe\n"           /* 20 */
               "      - name: 'bad name!'\n"         /* 21 */
               "        logicalType: date\n"         /* 22 */
               "      - name: p\n"                   /* 23 */
               "        logicalType: string\n"       /* 24 */
               "        customProperties:\n"         /* 25 */
               "          - property: pii\n"         /* 26 */
               "            value: perhaps\n");      /* 27 */
    write_file(dir, "b.yaml", "kind: DataContract\nschema: [\n");
    write_file(dir, "c.yaml",
               "apiVersion: v3.1.0\nkind: DataContract\n"
               "base: &b\n  name: t\nschema:\n  - *b\n");
    write_file(dir, "d.yaml", "- just\n- a list\n");
    write_file(dir, "f.yaml",
               "apiVersion: v3.1.0\nkind: DataContract\nstatus: active\n"
               "schema:\n- name: 'no good'\n  properties:\n  - name: a\n"
               "    logicalType: date\n  - name: b\n"
               "    logicalType: date\n");
    write_file(dir, "e.yaml",
               "apiVersion: v3.1.0\nkind: Table\nschema: table\n"
               "slaProperties:\n- property: timeOfAvailability\n"
               "  value: after lunch\n");
    write_file(dir, "notes.txt", "not read\n");
    add_instance(f, "acme-bad", "postgres");
    before = ufx_int(f, "SELECT count(*) FROM registry_history");
    assert_int_equal(import_path(f, "acme-bad", dir, &probs), ERR_INVALID);
    p = buf_cstr(&probs);
    {
        static const char *const want[] = {
            "a.odcs.yaml:1: apiVersion: ",
            "a.odcs.yaml:3: status: ",
            "a.odcs.yaml:8: campaign_dependency: ",
            "a.odcs.yaml:13: type: ",
            "a.odcs.yaml:15: type: ",
            "a.odcs.yaml:20: required: ",
            "b.yaml:",
            "c.yaml:",
            "d.yaml:1: ",
            "e.yaml:2: kind: ",
            "e.yaml:3: schema: ",
            "e.yaml:6: expected_arrival: ",
            /* the engine's checks, at the line of the value or record */
            "a.odcs.yaml:6: late_after_minutes: ",
            "a.odcs.yaml:21: column: ",
            "a.odcs.yaml:23: pii: ",
        };
        for (size_t i = 0; i < UFX_NELEM(want); i++)
            if (!strstr(p, want[i]))
                fail_msg("no problem \"%s\" in:\n%s", want[i], p);
        /* a geometry: no type docket has */
        assert_non_null(strstr(p, "a.odcs.yaml:16: type: "));
        assert_null(strstr(p, "notes.txt"));
        /* a bad table name once, not once per record */
        assert_non_null(strstr(p, "f.yaml:5: table: "));
        assert_null(strstr(strstr(p, "f.yaml:5: table: ") + 1, "f.yaml:"));
    }
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM registry_history"),
                     before);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM reg_tables t JOIN"
                                " instances i ON i.id = t.instance_id"
                                " WHERE i.name = 'acme-bad'"),
                     0);
    /* a missing path, an empty directory */
    buf_reset(&probs);
    {
        char missing[300];
        snprintf(missing, sizeof missing, "%s/none.yaml", dir);
        assert_int_equal(import_path(f, "acme-bad", missing, &probs),
                         ERR_NOTFOUND);
    }
    buf_dispose(&probs);
    ufx_rmtree(dir);
}

/* Every value of a real contract replaced by a value of each other YAML
 * kind (mapping, list, null, empty text, a number): the reader answers 0 or
 * ERR_INVALID with every problem at a line of the file, never crashes
 * (ASan), and nothing reaches the registry unless the import is clean. */
static void test_odcs__every_value_mutated(void **state)
{
    static const char *const repl[] = {"{x: 1}", "[1, 2]", "null"};
    buf seen = {0}; /* the keys done, with their indentation */
    ufx *f = *state;
    char dir[256], path[300];
    buf out = {0};
    errmsg err = {0};
    const char *line;
    int variants = 0, refused = 0;

    load_dictionary(f);
    add_instance(f, "acme-mut", "snowflake");
    assert_int_equal(domain_odcs_write(&out, f->reg, "acme-prod",
                                       "stock_weekly", NULL, &err),
                     0);
    ufx_tmpdir(dir, sizeof dir, "odcs-mut");
    snprintf(path, sizeof path, "%s/c.odcs.yaml", dir);
    for (line = buf_cstr(&out); *line;) {
        const char *nl = strchr(line, '\n'), *colon;
        size_t n = nl ? (size_t)(nl - line + 1) : strlen(line);
        colon = memchr(line, ':', n);
        /* "key: value" on one line (not a block's key, not a literal) */
        char key[128];
        snprintf(key, sizeof key, "\n%.*s\n", colon ? (int)(colon - line) : 0,
                 line);
        /* once per key (the same key at the same depth reads alike) */
        if (colon && colon[1] == ' ' && line + n > colon + 2 &&
            colon[2] != '|' && colon[2] != '>' && colon[2] != '\n' &&
            !strstr(buf_cstr(&seen), key)) {
            buf_puts(&seen, key);
            for (size_t k = 0; k < UFX_NELEM(repl); k++) {
                registry_import_recs recs = {0};
                registry_import_report rep = {0};
                buf doc = {0};
                int rc;
                buf_append(&doc, buf_cstr(&out),
                           (size_t)(colon + 2 - buf_cstr(&out)));
                buf_puts(&doc, repl[k]);
                buf_puts(&doc, "\n");
                buf_puts(&doc, line + n);
                ufx_write_file(path, buf_cstr(&doc));
                err_clear(&err);
                rc = domain_odcs_read(&recs, &rep, f->reg, "acme-mut", path,
                                      &err);
                if (rc != 0 && rc != ERR_INVALID)
                    fail_msg("%d %s for:\n%s", rc, err.msg, buf_cstr(&doc));
                for (size_t i = 0; i < rep.nproblems; i++)
                    assert_true(rep.problems[i].line > 0);
                refused += rc == ERR_INVALID;
                variants++;
                registry_import_recs_dispose(&recs);
                registry_import_report_dispose(&rep);
                buf_dispose(&doc);
            }
        }
        line += n;
    }
    assert_true(variants > 50);
    assert_true(refused > 0);
    buf_dispose(&seen);
    buf_dispose(&out);
    ufx_rmtree(dir);
}

/* A table that does not exist, an instance that does not exist. */
static void test_odcs__not_found(void **state)
{
    ufx *f = *state;
    buf out = {0};
    errmsg err = {0};

    assert_int_equal(
        domain_odcs_write(&out, f->reg, "acme-prod", "nope", NULL, &err),
        ERR_NOTFOUND);
    assert_int_equal(out.len, 0);
    err_clear(&err);
    assert_int_equal(
        domain_odcs_write(&out, f->reg, "nowhere", "nope", NULL, &err),
        ERR_NOTFOUND);
    assert_int_equal(out.len, 0);
}

UFX_MAIN_GROUP(setup, teardown, cmocka_unit_test(test_odcs__validator_refuses),
               cmocka_unit_test(test_odcs__every_contract_valid),
               cmocka_unit_test(test_odcs__daily_contract),
               cmocka_unit_test(test_odcs__version_counts_changes),
               cmocka_unit_test(test_odcs__round_trip),
               cmocka_unit_test(test_odcs__physical_types),
               cmocka_unit_test(test_odcs__standard_example),
               cmocka_unit_test(test_odcs__foreign_contract),
               cmocka_unit_test(test_odcs__problems),
               cmocka_unit_test(test_odcs__every_value_mutated),
               cmocka_unit_test(test_odcs__not_found))
