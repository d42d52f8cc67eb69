/* test_dbt.c: domain/dbt.c. The freshness rule (cadence period + grace,
 * two periods + grace, none for ad hoc); the file against the structure
 * of dbt's published sources properties (version: 2 as an integer,
 * sources a list of mappings with a name, tables with name, description,
 * columns with name, data_type, data_tests naming not_null / unique,
 * freshness null or warn_after/error_after {count: positive integer,
 * period: minute|hour|day}, loaded_at_field, meta mappings); every column
 * type and hostile text written and read back into an empty instance of
 * another dialect gives the same registry, also in the config: shape
 * of dbt 1.10 (dbt_config); a foreign file (data_type
 * only, tests:, meta.owner, unique on one column) and the problems of a
 * bad one, each at its line.
 *
 * Every file the tests write is validated against dbt-labs' published
 * JSON schemas (dbt-labs/dbt-jsonschema, copied into tests/data/dbt/ with
 * its licence) by the validator of tests/unit/json_schema.c: the
 * default layout against dbt Core's, the dbt_config layout against
 * Fusion's, each refused by the other's; and no plain scalar reads
 * differently under YAML 1.1 (PyYAML, which dbt Core uses) and 1.2. The
 * validator is shown to refuse broken files (a table without a name,
 * data_tests no list, a freshness period dbt does not have, ...). */
#include "fixture.h"
#include "catalog.h"
#include "dbt.h"
#include "json_schema.h"
#include "yaml_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* dbt-labs' published JSON schemas of dbt's YAML files
 * (tests/data/dbt/): dbt Core's and Fusion's. */
static cJSON *core_schema, *fusion_schema;

static cJSON *schema_load(const char *name)
{
    char *text = ufx_read_data(name, NULL);
    cJSON *s = ufx_json_parse(text);

    free(text);
    return s;
}

static int setup(void **state)
{
    ufx *f = ufx_open("dbt");

    ufx_people(f, "mysql"); /* globex-prod on MySQL */
    core_schema = schema_load("dbt/dbt_yml_files-latest.json");
    fusion_schema = schema_load("dbt/dbt_yml_files-latest-fusion.json");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    jsch_cleanup();
    cJSON_Delete(core_schema);
    cJSON_Delete(fusion_schema);
    core_schema = fusion_schema = NULL;
    return ufx_teardown(state);
}

/* The dbt file b is valid against schema, and no plain scalar of it
 * reads differently under YAML 1.1 (dbt's PyYAML) and 1.2. */
static void schema_valid(const buf *b, const cJSON *schema)
{
    jsch_errors e;
    int amb = 0;
    cJSON *doc = jsch_yaml_json(buf_cstr(b), &amb);

    if (*jsch_validate(schema, doc, &e))
        fail_msg("%s schema: %d errors:\n%s",
                 schema == core_schema ? "dbt Core's" : "Fusion's", e.n, e.msg);
    assert_int_equal(amb, 0);
    cJSON_Delete(doc);
}

/* The dbt file b is refused by schema (the other layout's): the two
 * layouts exist because each schema refuses the other's. */
static void schema_refuses(const buf *b, const cJSON *schema)
{
    jsch_errors e;
    cJSON *doc = jsch_yaml_json(buf_cstr(b), NULL);

    if (!*jsch_validate(schema, doc, &e))
        fail_msg("%s schema accepts the other layout",
                 schema == core_schema ? "dbt Core's" : "Fusion's");
    cJSON_Delete(doc);
}

/* ---- freshness ---- */

static int fresh(const char *cadence, int grace, int *warn, int *error)
{
    registry_card_rules r = {0};

    r.cadence = (char *)cadence;
    r.late_after_minutes = grace;
    return domain_dbt_freshness(&r, warn, error);
}

static void test_dbt__freshness_from_cadence_and_grace(void **state)
{
    int w = -1, e = -1;

    (void)state;
    assert_int_equal(fresh("daily", 0, &w, &e), 0);
    assert_int_equal(w, 1440);
    assert_int_equal(e, 2880);
    assert_int_equal(fresh("daily", 30, &w, &e), 0);
    assert_int_equal(w, 1470);
    assert_int_equal(e, 2910);
    assert_int_equal(fresh("hourly", 15, &w, &e), 0);
    assert_int_equal(w, 75);
    assert_int_equal(e, 135);
    assert_int_equal(fresh("weekly", 120, &w, &e), 0);
    assert_int_equal(w, 7 * 1440 + 120);
    assert_int_equal(e, 14 * 1440 + 120);
    assert_int_equal(fresh("monthly", 0, &w, &e), 0);
    assert_int_equal(w, 31 * 1440);
    w = e = -1;
    assert_int_equal(fresh("ad_hoc", 30, &w, &e), ERR_NOTFOUND);
    assert_int_equal(fresh("", 30, &w, &e), ERR_NOTFOUND);
    assert_int_equal(w, -1); /* untouched */
    assert_int_equal(domain_dbt_freshness(NULL, &w, &e), ERR_NOTFOUND);
}

/* ---- the registry under test ---- */

static const char *const hostile[] = {
    "plain",
    "key: value # not a comment",
    "- leading dash",
    "& amp * star ! bang % pct @ at `tick`",
    "---",
    "...",
    "'single' and \"double\" quotes",
    "line one\nline two: with colon\n  indented",
    "tab\tinside",
    "Zürich – 東京 🙂",
    "yes",
    "no",
    "null",
    "1e3",
    "07:00",
    "<script>alert(1)</script>",
};
#define NHOSTILE (sizeof hostile / sizeof *hostile)

static const char *const types[] = {
    "bigint", "integer",       "string(255)",
    "text",   "decimal(12,2)", "boolean",
    "date",   "timestamp",     "timestamp with time zone",
    "json",
};
#define NTYPES (sizeof types / sizeof *types)

/* A hostile text of one line (examples are one line). */
static const char *one_line(size_t k)
{
    const char *s = hostile[k % NHOSTILE];

    return strchr(s, '\n') ? "- 1" : s;
}

static size_t rec(registry_import_recs *rs, const char *table,
                  const char *column)
{
    size_t i = registry_import_recs_add(rs, NULL, (int)rs->n + 2);

    registry_import_recs_set(rs, i, "table", table);
    registry_import_recs_set(rs, i, "column", column);
    return i;
}

/* Into acme-prod: "orders" (every type, hostile descriptions, examples
 * and rules, a single key, daily at 07:00 + 30 min), "pairs" (a
 * composite key, hourly), "adhoc" (no columns, ad hoc). */
static void fill(ufx *f)
{
    registry_import_recs rs = {0};
    registry_import_report rep = {0};
    errmsg err = {0};
    size_t i;

    i = rec(&rs, "orders", NULL);
    registry_import_recs_set(&rs, i, "table_description", hostile[7]);
    registry_import_recs_set(&rs, i, "campaign_dependency", "required");
    registry_import_recs_set(&rs, i, "campaign_note", hostile[1]);
    registry_import_recs_set(&rs, i, "expected_arrival", "07:00");
    registry_import_recs_set(&rs, i, "late_after_minutes", "30");
    registry_import_recs_set(&rs, i, "cadence", "daily");
    registry_import_recs_set(&rs, i, "source", "sftp");
    registry_import_recs_set(&rs, i, "file_pattern", "orders_*.csv");
    registry_import_recs_set(&rs, i, "owner", hostile[3]);
    registry_import_recs_set(&rs, i, "escalation", "@oncall-data");
    registry_import_recs_set(&rs, i, "runbook", hostile[7]);
    registry_import_recs_set(&rs, i, "table_kind", "new_table");
    registry_import_recs_set(&rs, i, "consent_relevant", "yes");
    registry_import_recs_set(&rs, i, "anomaly_low_pct", "40");
    for (size_t k = 0; k < NTYPES; k++) {
        char name[32];
        snprintf(name, sizeof name, "c%zu", k);
        i = rec(&rs, "orders", name);
        registry_import_recs_set(&rs, i, "type", types[k]);
        registry_import_recs_set(&rs, i, "description", hostile[k % NHOSTILE]);
        registry_import_recs_set(&rs, i, "example", one_line(k + 5));
        registry_import_recs_set(&rs, i, "rule", hostile[(k + 9) % NHOSTILE]);
        registry_import_recs_set(&rs, i, "nullable", k < 3 ? "no" : "yes");
        registry_import_recs_set(&rs, i, "primary_key", k == 0 ? "yes" : "no");
        registry_import_recs_set(&rs, i, "pii", k == 2 ? "yes" : "no");
        registry_import_recs_set(&rs, i, "consent", k == 5 ? "yes" : "no");
        if (k == 5)
            registry_import_recs_set(&rs, i, "consent_channel", "email");
        if (k == 9)
            registry_import_recs_set(&rs, i, "column_status", "deprecated");
    }
    for (size_t k = 10; k < NHOSTILE; k++) { /* the rest of the text */
        char name[32];
        snprintf(name, sizeof name, "h%zu", k);
        i = rec(&rs, "orders", name);
        registry_import_recs_set(&rs, i, "type", "text");
        registry_import_recs_set(&rs, i, "description", hostile[k]);
    }
    i = rec(&rs, "pairs", "a");
    registry_import_recs_set(&rs, i, "type", "integer");
    registry_import_recs_set(&rs, i, "primary_key", "yes");
    registry_import_recs_set(&rs, i, "nullable", "no");
    registry_import_recs_set(&rs, i, "cadence", "hourly");
    registry_import_recs_set(&rs, i, "table_status", "deprecated");
    i = rec(&rs, "pairs", "b");
    registry_import_recs_set(&rs, i, "type", "string(20)");
    registry_import_recs_set(&rs, i, "primary_key", "yes");
    registry_import_recs_set(&rs, i, "nullable", "no");
    i = rec(&rs, "adhoc", NULL);
    registry_import_recs_set(&rs, i, "cadence", "ad_hoc");
    registry_import_recs_set(&rs, i, "table_description", "yes");
    if (registry_import_records(f->reg, &rep, "acme-prod", &rs, f->pm,
                                "fill.yml", &err) < 0)
        fail_msg("fill: %s (%s: %s)", err.msg,
                 rep.nproblems ? rep.problems[0].field : "",
                 rep.nproblems ? rep.problems[0].message : "");
    registry_import_report_dispose(&rep);
    registry_import_recs_dispose(&rs);
}

/* The registry of instance as one text (every field of tables and
 * columns but ids, times and the instance). */
static char *dump(ufx *f, const char *instance)
{
    char sql[2048];

    snprintf(sql, sizeof sql,
             "SELECT group_concat(x, char(30)) FROM (SELECT quote(t.name) ||"
             " quote(t.description) || quote(t.kind) || quote(t.status) ||"
             " quote(t.consent_relevant) || quote(t.owner) ||"
             " quote(t.escalation) || quote(t.runbook) ||"
             " quote(t.campaign_dependency) || quote(t.campaign_note) ||"
             " quote(t.expected_arrival) || quote(t.late_after_minutes) ||"
             " quote(t.cadence) || quote(t.source) || quote(t.file_pattern) ||"
             " quote(t.expected_day) || quote(t.anomaly_low_pct) ||"
             " quote(t.anomaly_high_pct) || coalesce(quote(c.position) ||"
             " quote(c.name) || quote(c.type) || quote(c.nullable) ||"
             " quote(c.primary_key) || quote(c.description) ||"
             " quote(c.example) || quote(c.pii) || quote(c.consent) ||"
             " quote(c.consent_channel) || quote(c.rule) || quote(c.status),"
             " '') AS x FROM reg_tables t JOIN instances i ON i.id ="
             " t.instance_id LEFT JOIN reg_columns c ON c.table_id = t.id"
             " WHERE i.name = '%s' ORDER BY t.name, c.position)",
             instance);
    return ufx_text(f, sql);
}

/* ---- structure ---- */

static const yaml_node_t *get(yaml_doc *d, const yaml_node_t *m,
                              const char *key)
{
    const yaml_node_t *v = yaml_doc_get(d, m, key);

    if (!v)
        fail_msg("no key %s at line %d", key, yaml_doc_line(m));
    return v;
}

static void is_text(yaml_doc *d, const yaml_node_t *m, const char *key)
{
    const yaml_node_t *v = get(d, m, key);

    if (!yaml_doc_is_scalar(v) ||
        (v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
         yaml_out_needs_quotes(yaml_doc_str(v))))
        fail_msg("%s at line %d is not a string", key, yaml_doc_line(v));
}

static void after_ok(yaml_doc *d, const yaml_node_t *a, int want_minutes)
{
    static const struct {
        const char *p;
        int m;
    } periods[] = {{"minute", 1}, {"hour", 60}, {"day", 1440}};
    errmsg e = {0};
    long long n = 0;
    int found = 0;

    assert_true(yaml_doc_is_map(a));
    assert_int_equal(yaml_doc_map_size(a), 2);
    assert_int_equal(yaml_doc_int(&n, get(d, a, "count"), &e), 0);
    assert_true(n > 0);
    for (size_t i = 0; i < 3; i++)
        if (!strcmp(yaml_doc_str(get(d, a, "period")), periods[i].p)) {
            found = 1;
            assert_int_equal(n * periods[i].m, want_minutes);
        }
    assert_true(found);
}

/* The keys dbt's published JSON schemas allow (dbt-labs/dbt-jsonschema:
 * schemas/latest/dbt_yml_files-latest.json for dbt Core, whose tables and
 * columns take no other key; schemas/latest_fusion for Fusion, whose
 * sources, tables, columns and configs take no other key). */
static const char *const core_source[] = {
    "config",      "data_tests", "database",
    "description", "freshness",  "loaded_at_field",
    "loader",      "meta",       "name",
    "overrides",   "quoting",    "schema",
    "tables",      "tags",       "tests",
    NULL};
static const char *const core_table[] = {
    "columns",  "config",    "data_tests", "description",
    "external", "freshness", "identifier", "loaded_at_field",
    "loader",   "meta",      "name",       "quoting",
    "tags",     "tests",     NULL};
static const char *const core_column[] = {
    "constraints", "data_tests", "data_type", "description",
    "granularity", "meta",       "name",      "policy_tags",
    "quote",       "tags",       "tests",     NULL};
static const char *const fusion_source[] = {
    "catalog", "config",  "database", "description", "loader",
    "name",    "quoting", "schema",   "tables",      NULL};
static const char *const fusion_table[] = {
    "columns", "config", "data_tests", "description", "external", "identifier",
    "loader",  "name",   "quoting",    "tests",       NULL};
static const char *const fusion_column[] = {
    "column_mask", "config",          "constraints", "data_tests",
    "data_type",   "databricks_tags", "description", "dimension",
    "entity",      "granularity",     "name",        "policy_tags",
    "quote",       "tests",           NULL};
static const char *const fusion_source_config[] = {
    "freshness", "loaded_at_field", "meta", "tags", "enabled", NULL};
static const char *const fusion_table_config[] = {
    "enabled",         "event_time", "freshness", "loaded_at_field",
    "loaded_at_query", "meta",       "tags",      NULL};
static const char *const fusion_column_config[] = {"meta", "tags", NULL};

/* Every key of mapping m is in allowed. */
static void keys_in(yaml_doc *d, const yaml_node_t *m,
                    const char *const *allowed)
{
    for (size_t i = 0; i < yaml_doc_map_size(m); i++) {
        const char *k = yaml_doc_str(yaml_doc_map_key(d, m, i));
        size_t j = 0;
        while (allowed[j] && strcmp(allowed[j], k))
            j++;
        if (!allowed[j])
            fail_msg("key %s at line %d is not in the schema", k,
                     yaml_doc_line(m));
    }
}

/* The sources file b against the key sets of core (in_config 0) or
 * Fusion (in_config 1). */
static void schema_keys(const buf *b, int in_config)
{
    yaml_doc d;
    errmsg err = {0};
    const yaml_node_t *root, *src, *tables;

    assert_int_equal(yaml_doc_load(&d, b->data, b->len, NULL, &err), 0);
    root = yaml_doc_root(&d);
    keys_in(&d, root, (const char *const[]){"version", "sources", NULL});
    src = yaml_doc_seq_item(&d, yaml_doc_get(&d, root, "sources"), 0);
    keys_in(&d, src, in_config ? fusion_source : core_source);
    if (in_config)
        keys_in(&d, yaml_doc_get(&d, src, "config"), fusion_source_config);
    tables = yaml_doc_get(&d, src, "tables");
    for (size_t t = 0; t < yaml_doc_seq_size(tables); t++) {
        const yaml_node_t *tb = yaml_doc_seq_item(&d, tables, t);
        const yaml_node_t *cols = yaml_doc_get(&d, tb, "columns");
        keys_in(&d, tb, in_config ? fusion_table : core_table);
        if (in_config)
            keys_in(&d, yaml_doc_get(&d, tb, "config"), fusion_table_config);
        for (size_t c = 0; c < yaml_doc_seq_size(cols); c++) {
            const yaml_node_t *col = yaml_doc_seq_item(&d, cols, c);
            keys_in(&d, col, in_config ? fusion_column : core_column);
            if (in_config)
                keys_in(&d, yaml_doc_get(&d, col, "config"),
                        fusion_column_config);
        }
    }
    yaml_doc_dispose(&d);
}

static void test_dbt__file_has_dbt_structure(void **state)
{
    ufx *f = *state;
    domain_dbt_opts o = {"raw_acme", "_synced_at", "https://docket.example", 0};
    buf b = {0};
    yaml_doc d;
    errmsg err = {0};
    const yaml_node_t *root, *srcs, *src, *tables;
    long long v = 0;
    int line = 0, saw_unique = 0, saw_not_null = 0;

    (void)state;
    fill(f);
    assert_int_equal(domain_dbt_write(&b, f->reg, "acme-prod", &o, &err), 0);
    if (yaml_doc_load(&d, b.data, b.len, &line, &err) < 0)
        fail_msg("line %d: %s\n%s", line, err.msg, buf_cstr(&b));
    root = yaml_doc_root(&d);
    assert_true(yaml_doc_is_map(root));
    assert_int_equal(yaml_doc_int(&v, get(&d, root, "version"), &err), 0);
    assert_int_equal(v, 2);
    srcs = get(&d, root, "sources");
    assert_int_equal(yaml_doc_seq_size(srcs), 1);
    src = yaml_doc_seq_item(&d, srcs, 0);
    assert_true(yaml_doc_is_map(src));
    is_text(&d, src, "name");
    assert_string_equal(yaml_doc_str(get(&d, src, "name")), "acme-prod");
    assert_string_equal(yaml_doc_str(get(&d, src, "schema")), "raw_acme");
    assert_string_equal(yaml_doc_str(get(&d, src, "loader")), "docket");
    assert_string_equal(yaml_doc_str(get(&d, src, "loaded_at_field")),
                        "_synced_at");
    is_text(&d, src, "description");
    assert_true(yaml_doc_is_map(get(&d, src, "meta")));
    tables = get(&d, src, "tables");
    assert_int_equal(yaml_doc_seq_size(tables), 3);
    for (size_t t = 0; t < yaml_doc_seq_size(tables); t++) {
        const yaml_node_t *tb = yaml_doc_seq_item(&d, tables, t);
        const yaml_node_t *cols, *fr;
        const char *name;
        assert_true(yaml_doc_is_map(tb));
        is_text(&d, tb, "name");
        is_text(&d, tb, "description");
        assert_true(yaml_doc_is_map(get(&d, tb, "meta")));
        assert_true(yaml_doc_is_map(get(&d, get(&d, tb, "meta"), "docket")));
        name = yaml_doc_str(get(&d, tb, "name"));
        fr = get(&d, tb, "freshness");
        if (!strcmp(name, "orders")) {
            after_ok(&d, get(&d, fr, "warn_after"), 1470);
            after_ok(&d, get(&d, fr, "error_after"), 2910);
            assert_string_equal(
                yaml_doc_str(get(&d, get(&d, get(&d, tb, "meta"), "docket"),
                                 "card_url")),
                "https://docket.example/tables/acme-prod/orders");
        } else if (!strcmp(name, "pairs")) {
            after_ok(&d, get(&d, fr, "warn_after"), 60);
            after_ok(&d, get(&d, fr, "error_after"), 120);
        } else {
            assert_string_equal(name, "adhoc");
            assert_true(yaml_doc_is_null(fr));
            /* a description "yes" stays a string */
            is_text(&d, tb, "description");
            assert_string_equal(yaml_doc_str(get(&d, tb, "description")),
                                "yes");
        }
        cols = get(&d, tb, "columns");
        assert_true(yaml_doc_is_seq(cols));
        for (size_t c = 0; c < yaml_doc_seq_size(cols); c++) {
            const yaml_node_t *col = yaml_doc_seq_item(&d, cols, c);
            const yaml_node_t *dt = yaml_doc_get(&d, col, "data_tests");
            assert_true(yaml_doc_is_map(col));
            is_text(&d, col, "name");
            is_text(&d, col, "description");
            is_text(&d, col, "data_type");
            assert_true(yaml_doc_is_map(get(&d, col, "meta")));
            for (size_t k = 0; k < yaml_doc_seq_size(dt); k++) {
                const char *tn = yaml_doc_str(yaml_doc_seq_item(&d, dt, k));
                assert_non_null(tn);
                assert_true(!strcmp(tn, "not_null") || !strcmp(tn, "unique"));
                saw_not_null |= !strcmp(tn, "not_null");
                /* unique only for orders.c0, the single-column key */
                if (!strcmp(tn, "unique")) {
                    assert_string_equal(name, "orders");
                    assert_string_equal(yaml_doc_str(get(&d, col, "name")),
                                        "c0");
                    saw_unique = 1;
                }
            }
            assert_true(dt == NULL || yaml_doc_is_seq(dt));
        }
    }
    assert_true(saw_unique && saw_not_null);
    schema_keys(&b, 0);
    schema_valid(&b, core_schema);
    schema_refuses(&b, fusion_schema); /* freshness, meta as properties */
    /* The dialect's types: postgres. */
    assert_non_null(strstr(b.data, "data_type: NUMERIC(12,2)"));
    assert_non_null(strstr(b.data, "data_type: VARCHAR(255)"));
    yaml_doc_dispose(&d);
    buf_dispose(&b);
}

static void test_dbt__round_trip_into_an_empty_instance(void **state)
{
    ufx *f = *state;
    registry_import_recs rs = {0};
    registry_import_report rep = {0};
    domain_dbt_opts o = {0};
    buf b = {0}, b2 = {0};
    errmsg err = {0};
    char *a, *z;

    fill(f);
    assert_int_equal(domain_dbt_write(&b, f->reg, "acme-prod", &o, &err), 0);
    /* globex-prod is MySQL: types come from meta.docket.type. */
    assert_int_equal(domain_dbt_read(&rs, &rep, f->reg, "globex-prod",
                                     "sources.yml", b.data, b.len, &err),
                     0);
    if (registry_import_records(f->reg, &rep, "globex-prod", &rs, f->pm,
                                "sources.yml", &err) < 0)
        fail_msg("%s: %s:%d %s %s", err.msg, rep.problems[0].file,
                 rep.problems[0].line, rep.problems[0].field,
                 rep.problems[0].message);
    a = dump(f, "acme-prod");
    z = dump(f, "globex-prod");
    assert_non_null(a);
    assert_string_equal(a, z);
    free(a);
    free(z);
    registry_import_report_dispose(&rep);
    registry_import_recs_dispose(&rs);
    /* And the same file out again (but the instance's own words). */
    assert_int_equal(domain_dbt_write(&b2, f->reg, "globex-prod", &o, &err), 0);
    assert_non_null(strstr(b2.data, "data_type: DECIMAL(12,2)")); /* MySQL */
    schema_valid(&b, core_schema);
    schema_valid(&b2, core_schema);
    buf_dispose(&b);
    buf_dispose(&b2);
}

/* dbt_config: freshness, loaded_at_field and meta inside config: (the
 * shape of dbt 1.10 and Fusion), nothing of them as properties; read
 * back to the same registry. */
static void test_dbt__config_block(void **state)
{
    ufx *f = *state;
    domain_dbt_opts o = {0};
    registry_import_recs rs = {0};
    registry_import_report rep = {0};
    buf b = {0};
    yaml_doc d;
    errmsg err = {0};
    const yaml_node_t *src, *tables, *cfg;
    char *a, *z;

    fill(f);
    o.config = 1;
    assert_int_equal(domain_dbt_write(&b, f->reg, "acme-prod", &o, &err), 0);
    assert_int_equal(yaml_doc_load(&d, b.data, b.len, NULL, &err), 0);
    src = yaml_doc_seq_item(&d, get(&d, yaml_doc_root(&d), "sources"), 0);
    assert_null(yaml_doc_get(&d, src, "loaded_at_field"));
    assert_null(yaml_doc_get(&d, src, "meta"));
    cfg = get(&d, src, "config");
    assert_string_equal(yaml_doc_str(get(&d, cfg, "loaded_at_field")),
                        DOMAIN_DBT_LOADED_AT);
    assert_true(yaml_doc_is_map(get(&d, cfg, "meta")));
    tables = get(&d, src, "tables");
    for (size_t t = 0; t < yaml_doc_seq_size(tables); t++) {
        const yaml_node_t *tb = yaml_doc_seq_item(&d, tables, t);
        const yaml_node_t *cols = get(&d, tb, "columns");
        assert_null(yaml_doc_get(&d, tb, "freshness"));
        assert_null(yaml_doc_get(&d, tb, "meta"));
        cfg = get(&d, tb, "config");
        (void)get(&d, cfg, "freshness");
        assert_true(yaml_doc_is_map(get(&d, get(&d, cfg, "meta"), "docket")));
        for (size_t c = 0; c < yaml_doc_seq_size(cols); c++) {
            const yaml_node_t *col = yaml_doc_seq_item(&d, cols, c);
            assert_null(yaml_doc_get(&d, col, "meta"));
            assert_true(yaml_doc_is_map(
                get(&d, get(&d, get(&d, col, "config"), "meta"), "docket")));
        }
    }
    yaml_doc_dispose(&d);
    schema_keys(&b, 1);
    schema_valid(&b, fusion_schema);
    schema_refuses(&b, core_schema); /* config: of a column */
    assert_int_equal(domain_dbt_read(&rs, &rep, f->reg, "globex-prod", NULL,
                                     b.data, b.len, &err),
                     0);
    assert_int_equal(registry_import_records(f->reg, &rep, "globex-prod", &rs,
                                             f->pm, "sources.yml", &err),
                     0);
    a = dump(f, "acme-prod");
    z = dump(f, "globex-prod");
    assert_string_equal(a, z);
    free(a);
    free(z);
    registry_import_report_dispose(&rep);
    registry_import_recs_dispose(&rs);
    buf_dispose(&b);
}

/* The validator refuses what dbt's schemas refuse: a table without a
 * name, data_tests that are no list, freshness with a period dbt does
 * not have or a count that is no number, a key dbt does not know. */
static void test_dbt__validator_refuses(void **state)
{
    static const char *const bad_core[] = {
        "version: 2\nsources:\n  - name: s\n    tables:\n"
        "      - description: no name\n",
        "version: 2\nsources:\n  - name: s\n    tables:\n      - name: t\n"
        "        columns:\n          - name: c\n"
        "            data_tests: not_null\n",
        "version: 2\nsources:\n  - name: s\n    tables:\n      - name: t\n"
        "        data_tests: {not_null: {}}\n",
        "version: 2\nsources:\n  - name: s\n    tables:\n      - name: t\n"
        "        freshness:\n          warn_after: {count: 1, period: week}\n",
        "version: 2\nsources:\n  - name: s\n    freshness:\n"
        "      error_after: {count: [1], period: day}\n",
        "version: 2\nsources:\n  - name: s\n    tables:\n      - name: t\n"
        "        freshness:\n          warn_after: {count: 1}\n",
        "version: 2\nsources:\n  - name: s\n    tables:\n      - name: t\n"
        "        columns:\n          - name: c\n            type: int\n",
        "version: 2\nsources:\n  - tables: []\n",
        "version: 2\nsources:\n  name: s\n",
    };
    static const char *const bad_fusion[] = {
        "version: 2\nsources:\n  - name: s\n    tables:\n"
        "      - description: no name\n",
        "version: 2\nsources:\n  - name: s\n    tables:\n      - name: t\n"
        "        columns:\n          - name: c\n"
        "            data_tests: not_null\n",
        "version: 2\nsources:\n  - name: s\n    tables:\n      - name: t\n"
        "        config:\n          freshness:\n"
        "            warn_after: {count: 1, period: week}\n",
        /* Fusion takes freshness in config: only */
        "version: 2\nsources:\n  - name: s\n    tables:\n      - name: t\n"
        "        freshness:\n          warn_after: {count: 1, period: day}\n",
    };
    const char *good =
        "version: 2\nsources:\n  - name: s\n    tables:\n      - name: t\n"
        "        columns:\n          - name: c\n"
        "            data_tests: [not_null, unique]\n";
    const char *good_core =
        "version: 2\nsources:\n  - name: s\n    freshness:\n"
        "      warn_after: {count: 12, period: hour}\n"
        "    tables:\n      - name: t\n        freshness: null\n";
    const char *good_fusion =
        "version: 2\nsources:\n  - name: s\n    tables:\n      - name: t\n"
        "        config:\n          freshness:\n"
        "            warn_after: {count: 12, period: hour}\n";
    jsch_errors e;
    cJSON *doc;

    (void)state;
    for (size_t i = 0; i < UFX_NELEM(bad_core); i++) {
        doc = jsch_yaml_json(bad_core[i], NULL);
        if (!*jsch_validate(core_schema, doc, &e))
            fail_msg("dbt Core's schema accepts:\n%s", bad_core[i]);
        cJSON_Delete(doc);
    }
    for (size_t i = 0; i < UFX_NELEM(bad_fusion); i++) {
        doc = jsch_yaml_json(bad_fusion[i], NULL);
        if (!*jsch_validate(fusion_schema, doc, &e))
            fail_msg("Fusion's schema accepts:\n%s", bad_fusion[i]);
        cJSON_Delete(doc);
    }
    doc = jsch_yaml_json(good, NULL);
    if (*jsch_validate(core_schema, doc, &e))
        fail_msg("dbt Core's schema refuses a valid file:\n%s", e.msg);
    if (*jsch_validate(fusion_schema, doc, &e))
        fail_msg("Fusion's schema refuses a valid file:\n%s", e.msg);
    cJSON_Delete(doc);
    doc = jsch_yaml_json(good_core, NULL);
    if (*jsch_validate(core_schema, doc, &e))
        fail_msg("dbt Core's schema refuses a valid file:\n%s", e.msg);
    cJSON_Delete(doc);
    doc = jsch_yaml_json(good_fusion, NULL);
    if (*jsch_validate(fusion_schema, doc, &e))
        fail_msg("Fusion's schema refuses a valid file:\n%s", e.msg);
    cJSON_Delete(doc);
}

/* ---- foreign and bad files ---- */

static void test_dbt__foreign_file(void **state)
{
    ufx *f = *state;
    static const char yml[] =
        "version: 2\n"
        "sources:\n"
        "  - name: raw\n"
        "    tables:\n"
        "      - name: customers\n"
        "        description: Customers\n"
        "        meta: {owner: crm-team}\n"
        "        columns:\n"
        "          - name: id\n"
        "            data_type: bigint\n"
        "            tests: [unique, not_null]\n"
        "          - name: email\n"
        "            data_type: character varying(320)\n"
        "            data_tests:\n"
        "              - not_null\n"
        "              - relationships: {to: ref('x'), field: id}\n"
        "          - name: total\n"
        "            data_type: numeric(10,2)\n"
        "            config:\n"
        "              meta: {docket: {pii: true}}\n";
    registry_import_recs rs = {0};
    registry_import_report rep = {0};
    errmsg err = {0};

    (void)state;
    assert_int_equal(domain_dbt_read(&rs, &rep, f->reg, "acme-qa", NULL, yml,
                                     sizeof yml - 1, &err),
                     0);
    assert_int_equal(registry_import_records(f->reg, &rep, "acme-qa", &rs,
                                             f->pm, "raw.yml", &err),
                     0);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM reg_columns c JOIN"
                                " reg_tables t ON t.id = c.table_id WHERE"
                                " t.name = 'customers' AND t.owner ="
                                " 'crm-team' AND ((c.name = 'id' AND type ="
                                " 'bigint' AND primary_key = 1 AND nullable"
                                " = 0) OR (c.name = 'email' AND type ="
                                " 'string(320)' AND primary_key = 0 AND"
                                " nullable = 0) OR (c.name = 'total' AND"
                                " type = 'decimal(10,2)' AND nullable = 1"
                                " AND pii = 1))"),
                     3);
    registry_import_report_dispose(&rep);
    registry_import_recs_dispose(&rs);
}

/* data must be refused with a problem at want_line naming want_field
 * whose message contains want. */
static void bad(ufx *f, const char *data, int want_line, const char *want_field,
                const char *want)
{
    registry_import_recs rs = {0};
    registry_import_report rep = {0};
    errmsg err = {0};
    int found = 0;

    (void)domain_dbt_read(&rs, &rep, f->reg, "acme-qa", NULL, data,
                          strlen(data), &err);
    err_clear(&err);
    assert_int_equal(registry_import_records(f->reg, &rep, "acme-qa", &rs,
                                             f->pm, "bad.yml", &err),
                     ERR_INVALID);
    for (size_t i = 0; i < rep.nproblems; i++)
        if (rep.problems[i].line == want_line &&
            !strcmp(rep.problems[i].field, want_field) &&
            strstr(rep.problems[i].message, want))
            found++;
    if (found > 1)
        fail_msg("the problem %d: %s is listed %d times", want_line, want_field,
                 found);
    if (!found)
        fail_msg("no problem %d: %s: %s among %zu (first %d: %s: %s)",
                 want_line, want_field, want, rep.nproblems,
                 rep.nproblems ? rep.problems[0].line : 0,
                 rep.nproblems ? rep.problems[0].field : "",
                 rep.nproblems ? rep.problems[0].message : "");
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM reg_tables"), 0);
    registry_import_report_dispose(&rep);
    registry_import_recs_dispose(&rs);
}

static void test_dbt__bad_files_say_where(void **state)
{
    ufx *f = *state;

    bad(f, "version: 2\nsources:\n  - name: x\n    tables: [\n", 5, "",
        "yaml: ");
    bad(f, "version: 3\nsources: []\n", 1, "version", "must be 2");
    bad(f, "- a\n- b\n", 1, "", "not a dbt properties file");
    bad(f, "version: 2\nsources:\n  - name: a\n  - name: b\n", 3, "sources",
        "no source is named acme-qa and there are several (a, b)");
    bad(f,
        "version: 2\nsources:\n  - name: acme-qa\n    tables:\n"
        "      - name: t\n        meta:\n          docket:\n"
        "            colour: red\n",
        8, "colour", "unknown docket field");
    bad(f,
        "version: 2\nsources:\n  - name: acme-qa\n    tables:\n"
        "      - name: t\n        columns:\n          - name: id\n"
        "            data_type: uuid\n",
        8, "data_type", "no type docket knows in PostgreSQL");
    bad(f,
        "version: 2\nsources:\n  - name: acme-qa\n    tables:\n"
        "      - name: t\n        columns:\n          - name: id\n"
        "            meta: {docket: {type: bigint, pii: maybe}}\n",
        7, "pii", "");
    bad(f,
        "version: 2\nsources:\n  - name: acme-qa\n    tables:\n"
        "      - name: t\n        columns:\n          - name: id\n"
        "            description: [a, list]\n",
        8, "description", "is a list, not a text");
    bad(f, "a: &x 1\nb: *x\n", 1, "", "anchors and aliases");
    bad(f,
        "version: 2\nsources:\n  - name: acme-qa\n    tables:\n"
        "      - name: t\n        columns:\n          - name: id\n"
        "            data_type: bigint\n"
        "            meta: {docket: [type, bigint]}\n",
        9, "docket", "docket is not a mapping");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dbt__freshness_from_cadence_and_grace),
        cmocka_unit_test_setup_teardown(test_dbt__file_has_dbt_structure, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_dbt__round_trip_into_an_empty_instance, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dbt__config_block, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_dbt__validator_refuses, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_dbt__foreign_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_dbt__bad_files_say_where, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
