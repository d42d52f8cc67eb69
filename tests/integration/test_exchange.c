/* test_exchange.c: the registry in dbt's and ODCS's formats, end to end
 * against the real binary and server. The command line: export --format
 * dbt and odcs, import of each into an empty instance (another dialect)
 * gives the same data dictionary as the original, with every column type
 * and hostile text; a bad file is refused with FILE:LINE and nothing is
 * written, and so is a client's import. The API: GET
 * /api/v1/instances/{i}/dbt-sources.yml and
 * .../tables/{t}/contract.odcs.yaml as YAML for the instance's own
 * organisation, 404 for another's (as a missing one), 401 without
 * credentials, and the very next answer after a registry change shows it
 * (cached per registry generation). */
#include "harness.h"
#include "yaml_io.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static h_server srv;
static char ann[128], bob[128], pat[128];

/* Every type, with hostile descriptions, examples and rules. One record
 * per line; cells quoted. */
static const char *const rows[][8] = {
    /* column, type, nullable, primary_key, description, example, pii,
       rule */
    {"id", "bigint", "no", "yes", "key: value # not a comment", "1", "no",
     "- leading dash"},
    {"n", "integer", "no", "no", "& amp * star ! bang % pct @ at `tick`", "yes",
     "no", "---"},
    {"email", "string(320)", "yes", "no", "'single' and \"double\" quotes",
     "a@b.example", "yes", "..."},
    {"notes", "text", "yes", "no", "line one\nline two: colon\n  indented",
     "null", "no", "tab\there"},
    {"amount", "decimal(12,2)", "yes", "no", "Zürich – 東京 🙂", "1e3",
     "no", "no"},
    {"flag", "boolean", "yes", "no", "yes", "true", "no", "~"},
    {"day", "date", "yes", "no", "null", "2026-12-06", "no", "07:00"},
    {"at", "timestamp", "yes", "no", "1e3", "07:00", "no", "%YAML"},
    {"at_tz", "timestamp with time zone", "yes", "no", "<script>x</script>",
     "2026-12-06T07:00:00Z", "no", "!tag"},
    {"doc", "json", "yes", "no", "{\"a\": [1, 2]}", "{}", "no", "*alias"},
};

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

static int setup(void **state)
{
    buf csv = {0};

    h_server_start(&srv, "[instance.acme-prod]\n"
                         "dbt_schema = raw_acme\n"
                         "dbt_loaded_at_field = _synced_at\n");
    h_world(&srv, "acme-prod globex-prod pat ann bob");
    h_token(&srv, "ann@acme.example", "exchange", ann, sizeof ann);
    h_token(&srv, "bob@globex.example", "exchange", bob, sizeof bob);
    h_token(&srv, "pat@platform.example", "exchange", pat, sizeof pat);
    buf_puts(&csv, "table,column,type,nullable,primary_key,description,"
                   "example,pii,rule,table_description,campaign_dependency,"
                   "campaign_note,expected_arrival,late_after_minutes,"
                   "cadence,owner,escalation,consent_relevant\n");
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        buf_puts(&csv, "orders,");
        for (size_t k = 0; k < 8; k++) {
            cell(&csv, rows[i][k]);
            buf_putc(&csv, ',');
        }
        buf_puts(&csv, i ? ",,,,,,,,\n"
                         : "\"Orders: one row # per order\n- second line\","
                           "required,\"No orders, no sends: wait.\",07:00,"
                           "30,daily,\"@data-team\",\"- pager\",yes\n");
    }
    buf_puts(&csv, "weekly_t,a,string(20),no,yes,,,,,,optional,,,,weekly,,,\n"
                   "adhoc,,,,,,,,,yes,,,,,ad_hoc,,,\n");
    h_import(&srv, "acme-prod", buf_cstr(&csv));
    h_import(&srv, "globex-prod",
             "table,column,type,description\nsecret_t,id,bigint,globex\n");
    h_cli(&srv, "instance", "add", "acme", "rt-dbt", "--env", "qa", "--dialect",
          "mysql", NULL);
    h_cli(&srv, "instance", "add", "acme", "rt-odcs", "--env", "qa",
          "--dialect", "snowflake", NULL);
    buf_dispose(&csv);
    *state = &srv;
    return 0;
}

static int down(void **state)
{
    return h_group_down(state);
}

/* The CSV data dictionary of instance, exported by the CLI. Caller
 * frees. */
static char *dictionary(const char *instance)
{
    char dir[700], file[800];

    snprintf(dir, sizeof dir, "%s/csv-%s", srv.dir, instance);
    h_cli(&srv, "export", "--format", "csv", "--out", dir, "--instance",
          instance, NULL);
    snprintf(file, sizeof file, "%s/%s.csv", dir, instance);
    return h_read(file, NULL);
}

static void same_dictionary(const char *a, const char *b)
{
    char *x = dictionary(a), *y = dictionary(b);

    if (strcmp(x, y))
        fail_msg("%s and %s differ:\n%s\n----\n%s", a, b, x, y);
    free(x);
    free(y);
}

static void test_exchange__cli_dbt_round_trip(void **state)
{
    char dir[700], file[800];
    char *text, *out = NULL;

    (void)state;
    snprintf(dir, sizeof dir, "%s/dbt", srv.dir);
    h_cli(&srv, "export", "--format", "dbt", "--out", dir, "--instance",
          "acme-prod", NULL);
    snprintf(file, sizeof file, "%s/acme-prod/sources.yml", dir);
    text = h_read(file, NULL);
    assert_non_null(strstr(text, "\nversion: 2\n") ||
                    !strncmp(text, "version: 2\n", 11));
    assert_non_null(strstr(text, "  schema: raw_acme\n"));
    assert_non_null(strstr(text, "  loaded_at_field: _synced_at\n"));
    assert_non_null(strstr(text, "data_tests: [not_null, unique]"));
    assert_null(strstr(text, "secret_t")); /* another instance's */
    free(text);
    assert_int_equal(h_docket(&srv, NULL, &out, "import", "--instance",
                              "rt-dbt", "--format", "dbt", file, NULL),
                     0);
    assert_non_null(strstr(out, "3 tables created"));
    free(out);
    same_dictionary("acme-prod", "rt-dbt");
    /* The change is named after the file. */
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM registry_changes c"
                                    " JOIN instances i ON i.id ="
                                    " c.instance_id WHERE i.name = 'rt-dbt'"
                                    " AND c.kind = 'import' AND c.source ="
                                    " 'sources.yml'"),
                     1);
}

static void test_exchange__cli_odcs_round_trip(void **state)
{
    char dir[700], sub[800];
    char *out = NULL;

    (void)state;
    snprintf(dir, sizeof dir, "%s/odcs", srv.dir);
    h_cli(&srv, "export", "--format", "odcs", "--out", dir, "--instance",
          "acme-prod", NULL);
    snprintf(sub, sizeof sub, "%s/acme-prod", dir);
    {
        char f[900];
        char *t;
        snprintf(f, sizeof f, "%s/orders.odcs.yaml", sub);
        t = h_read(f, NULL);
        assert_non_null(strstr(t, "apiVersion: v3.1.0"));
        free(t);
    }
    if (h_docket(&srv, NULL, &out, "import", "--instance", "rt-odcs",
                 "--format", "odcs", sub, NULL) != 0)
        fail_msg("odcs import: %s", out);
    free(out);
    same_dictionary("acme-prod", "rt-odcs");
}

static void test_exchange__bad_file_says_where(void **state)
{
    char file[700];
    char *before, *out = NULL;

    (void)state;
    snprintf(file, sizeof file, "%s/bad.yml", srv.dir);
    h_write(file, "version: 2\n"
                  "sources:\n"
                  "  - name: acme-prod\n"
                  "    tables:\n"
                  "      - name: fresh_t\n"
                  "        meta: {docket: {colour: red}}\n"
                  "        columns:\n"
                  "          - name: id\n"
                  "            data_type: uuid\n");
    before = h_db_digest(&srv);
    assert_int_equal(h_docket(&srv, NULL, &out, "import", "--instance",
                              "acme-prod", "--format", "dbt", file, NULL),
                     2);
    if (!strstr(out, "bad.yml:6: colour: unknown docket field") ||
        !strstr(out, "bad.yml:9: data_type: uuid is no type docket knows"))
        fail_msg("%s", out);
    h_unchanged(&srv, before, "bad dbt file");
    free(out);
    out = NULL;
    /* A client may not import (the CSV import's rule), whatever the
       format. */
    assert_int_equal(h_docket(&srv, NULL, &out, "import", "--instance",
                              "acme-prod", "--format", "dbt", file, "--user",
                              "ann@acme.example", NULL),
                     2);
    assert_non_null(strstr(out, "Only project managers and admins"));
    h_unchanged(&srv, before, "a client's dbt import");
    free(out);
    free(before);
    /* A bad contract: each problem at FILE:LINE, nothing written; a
       client's contract import is refused. */
    snprintf(file, sizeof file, "%s/bad.odcs.yaml", srv.dir);
    h_write(file, "apiVersion: v3.1.0\n"
                  "kind: DataContract\n"
                  "status: draft\n"
                  "schema:\n"
                  "  - name: fresh_t\n"
                  "    properties:\n"
                  "      - name: n\n"
                  "        logicalType: number\n");
    before = h_db_digest(&srv);
    assert_int_equal(h_docket(&srv, NULL, &out, "import", "--instance",
                              "acme-prod", "--format", "odcs", file, NULL),
                     2);
    if (!strstr(out, "bad.odcs.yaml:3: status: ") ||
        !strstr(out, "bad.odcs.yaml:8: type: "))
        fail_msg("%s", out);
    free(out);
    {
        char dir[700];
        snprintf(dir, sizeof dir, "%s/odcs/acme-prod", srv.dir);
        assert_int_equal(h_docket(&srv, NULL, &out, "import", "--instance",
                                  "acme-prod", "--format", "odcs", "--user",
                                  "ann@acme.example", dir, NULL),
                         2);
        free(out);
    }
    h_unchanged(&srv, before, "bad or refused ODCS import");
    free(before);
    /* An unknown format is a usage error. */
    assert_int_equal(h_docket(&srv, NULL, NULL, "import", "--instance",
                              "acme-prod", "--format", "xml", file, NULL),
                     2);
}

/* GET path with a bearer token; the response into r. */
static void get(h_resp *r, const char *token, const char *path)
{
    char auth[200];
    const char *hdrs[] = {auth, NULL};

    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    h_request(r, &srv, NULL, "GET", path, NULL, NULL, 0, token ? hdrs : NULL);
}

static void expect(const char *token, const char *path, long want)
{
    h_resp r;

    get(&r, token, path);
    if (r.status != want)
        fail_msg("GET %s: %ld, wanted %ld: %s", path, r.status, want, r.body);
    h_resp_free(&r);
}

/* The body must be YAML that loads. */
static void loads(const h_resp *r)
{
    yaml_doc d;
    errmsg err = {0};
    int line = 0;
    char type[100] = "";

    assert_true(h_resp_header(r, "Content-Type", type, sizeof type));
    assert_string_equal(type, "application/yaml");
    if (yaml_doc_load(&d, r->body, r->len, &line, &err) < 0)
        fail_msg("line %d: %s", line, err.msg);
    yaml_doc_dispose(&d);
}

static void test_exchange__api_dbt_sources(void **state)
{
    static const char path[] = "/api/v1/instances/acme-prod/dbt-sources.yml";
    h_resp r;

    (void)state;
    get(&r, ann, path);
    assert_int_equal(r.status, 200);
    loads(&r);
    assert_non_null(strstr(r.body, "- name: acme-prod\n"));
    assert_non_null(strstr(r.body, "schema: raw_acme"));
    assert_non_null(strstr(r.body, "card_url: http"));
    assert_null(strstr(r.body, "Orders changed"));
    h_resp_free(&r);
    /* another organisation's instance is a missing one */
    expect(bob, path, 404);
    expect(ann, "/api/v1/instances/globex-prod/dbt-sources.yml", 404);
    expect(ann, "/api/v1/instances/nowhere/dbt-sources.yml", 404);
    expect(NULL, path, 401);
    expect(pat, "/api/v1/instances/globex-prod/dbt-sources.yml", 200);
    /* A change shows on the very next answer. */
    h_import(&srv, "acme-prod",
             "table,column,table_description\norders,,Orders changed\n");
    get(&r, ann, path);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "description: Orders changed\n"));
    h_resp_free(&r);
}

static void test_exchange__api_odcs_contract(void **state)
{
    static const char path[] =
        "/api/v1/instances/acme-prod/tables/orders/contract.odcs.yaml";
    h_resp r, again;

    (void)state;
    get(&r, ann, path);
    assert_int_equal(r.status, 200);
    loads(&r);
    assert_non_null(strstr(r.body, "apiVersion: v3.1.0"));
    assert_non_null(strstr(r.body, "kind: DataContract"));
    get(&again, ann, path); /* from the cache: the same bytes */
    assert_int_equal(again.status, 200);
    assert_string_equal(again.body, r.body);
    h_resp_free(&r);
    h_resp_free(&again);
    {
        /* and gzip as stored, to a client that takes it */
        char auth[200], enc[32] = "";
        const char *hdrs[] = {auth, "Accept-Encoding: gzip", NULL};
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", ann);
        h_request(&r, &srv, NULL, "GET", path, NULL, NULL, 0, hdrs);
        assert_int_equal(r.status, 200);
        assert_true(h_resp_header(&r, "Content-Encoding", enc, sizeof enc));
        assert_string_equal(enc, "gzip");
        assert_true(r.len > 2 && (unsigned char)r.body[0] == 0x1f &&
                    (unsigned char)r.body[1] == 0x8b);
        h_resp_free(&r);
    }
    /* A change of the table shows on the very next answer. */
    h_import(&srv, "acme-prod",
             "table,column,table_description\norders,,Orders again\n");
    get(&r, ann, path);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "Orders again"));
    h_resp_free(&r);
    expect(bob, path, 404);
    expect(ann,
           "/api/v1/instances/globex-prod/tables/secret_t/contract.odcs.yaml",
           404);
    expect(ann, "/api/v1/instances/acme-prod/tables/nope/contract.odcs.yaml",
           404);
    expect(NULL, path, 401);
    expect(pat,
           "/api/v1/instances/globex-prod/tables/secret_t/contract.odcs.yaml",
           200);
    /* A change shows on the very next answer, with a new version. */
    get(&r, ann, path);
    assert_int_equal(r.status, 200);
    h_import(&srv, "acme-prod", "table,column,owner\norders,,Owner changed\n");
    get(&again, ann, path);
    assert_int_equal(again.status, 200);
    assert_non_null(strstr(again.body, "name: Owner changed\n"));
    {
        const char *v1 = strstr(r.body, "\nversion: ");
        const char *v2 = strstr(again.body, "\nversion: ");
        assert_non_null(v1);
        assert_non_null(v2);
        assert_true(strcspn(v1 + 1, "\n") != strcspn(v2 + 1, "\n") ||
                    strncmp(v1, v2, strcspn(v1 + 1, "\n") + 1) != 0);
    }
    h_resp_free(&r);
    h_resp_free(&again);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exchange__cli_dbt_round_trip),
        cmocka_unit_test(test_exchange__cli_odcs_round_trip),
        cmocka_unit_test(test_exchange__bad_file_says_where),
        cmocka_unit_test(test_exchange__api_dbt_sources),
        cmocka_unit_test(test_exchange__api_odcs_contract),
    };
    return cmocka_run_group_tests(tests, setup, down);
}
