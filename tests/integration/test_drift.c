/* test_drift.c: `docket drift` against a real SQLite file. A request with
 * a column of every type is deployed to a SQLite instance and its up
 * migration, as `docket migrate` writes it, is applied to the file: no
 * drift, exit 0 (the source from drift_source with ${VAR}). Then the file
 * is changed by hand (a column added, one dropped, a type changed, a
 * nullability changed, a table added): each finding, exit 6, the JSON
 * shape with the source; registry.drift is written once for the new
 * findings and not again on a second run; --dry-run keeps nothing; an
 * unreadable source exits 3 with one line; an unknown instance and
 * missing arguments exit 2. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static h_server srv;
static h_session ann, pat;
static char ann_token[128], pat_token[128];
static char live[800];

static int up(void **state)
{
    char dir[600], path[80], cr[32], *sql;
    h_resp r;
    int64_t id, sprint;

    *state = &srv;
    h_tmpdir(dir, sizeof dir, "drift-live");
    snprintf(live, sizeof live, "%s/live.db", dir);
    setenv("DRIFT_TEST_LIVE", live, 1);
    h_server_start(&srv, H_CLOSED_HOOK_CONFIG
                   "registry.drift = hook\n"
                   "[instance.acme-prod]\n"
                   "drift_source = sqlite:${DRIFT_TEST_LIVE}\n"
                   "drift_every = 6h\n");
    h_world(&srv, "acme acme-prod:sqlite globex globex-prod ann+ pat+", &ann,
            &pat);
    h_token(&srv, "ann@acme.example", "tests", ann_token, sizeof ann_token);
    h_token(&srv, "pat@platform.example", "tests", pat_token, sizeof pat_token);
    h_get_expect(&srv, &pat, "/requests", 200, NULL);
    sprint = h_db_int(&srv, "SELECT id FROM sprints ORDER BY starts_on "
                            "LIMIT 1 OFFSET 1");
    h_post_json_expect(
        &srv, ann_token, "/api/v1/requests",
        "{\"instance\":\"acme-prod\",\"project_manager\":"
        "\"pat@platform.example\",\"title\":\"Members\",\"summary\":\"New\","
        "\"items\":[{\"kind\":\"new_table\",\"table\":\"members\","
        "\"description\":\"Loyalty members\",\"source\":\"flat_file_csv\","
        "\"cadence\":\"daily\",\"campaign_dependency\":\"optional\","
        "\"columns\":["
        "{\"name\":\"id\",\"type\":\"bigint\",\"nullable\":false,"
        "\"primary_key\":true,\"description\":\"Member id\"},"
        "{\"name\":\"email\",\"type\":\"string(255)\",\"nullable\":false,"
        "\"description\":\"E-mail\"},"
        "{\"name\":\"score\",\"type\":\"decimal(12,2)\",\"description\":\"s\"},"
        "{\"name\":\"active\",\"type\":\"boolean\",\"description\":\"a\"},"
        "{\"name\":\"born\",\"type\":\"date\",\"description\":\"b\"},"
        "{\"name\":\"seen_at\",\"type\":\"timestamp\",\"description\":\"t\"},"
        "{\"name\":\"tz_at\",\"type\":\"timestamp with time zone\","
        "\"description\":\"z\"},"
        "{\"name\":\"visits\",\"type\":\"integer\",\"description\":\"v\"},"
        "{\"name\":\"note\",\"type\":\"text\",\"description\":\"n\"},"
        "{\"name\":\"extra\",\"type\":\"json\",\"description\":\"j\"}"
        "]}]}",
        201, &r);
    id = h_created(&r);
    h_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/requests/%lld/transitions",
             (long long)id);
    h_post_json_expect(&srv, pat_token, path, "{\"to\":\"triaged\"}", 200,
                       NULL);
    {
        char j[96];
        snprintf(j, sizeof j, "{\"to\":\"scheduled\",\"sprint\":%lld}",
                 (long long)sprint);
        h_post_json_expect(&srv, pat_token, path, j, 200, NULL);
    }
    h_post_json_expect(&srv, pat_token, path,
                       "{\"to\":\"deployed\",\"instance\":\"acme-prod\"}", 200,
                       NULL);
    snprintf(cr, sizeof cr, "CR-%lld", (long long)id);
    h_tmpdir(dir, sizeof dir, "drift-mig");
    h_cli(&srv, "migrate", cr, "--out", dir, "--dialect", "sqlite", NULL);
    sql = h_up_file(dir);
    h_sqlite_exec(live, sql);
    free(sql);
    return 0;
}

static int64_t drift_events(void)
{
    return h_db_int(
        &srv, "SELECT count(*) FROM events WHERE event = 'registry.drift'");
}

static void test_drift__own_migration_is_no_drift(void **state)
{
    char *out = NULL;

    (void)state;
    /* the source of [instance.acme-prod], never printed with a secret */
    assert_int_equal(
        h_docket(&srv, NULL, &out, "drift", "--instance", "acme-prod", NULL),
        0);
    if (!strstr(out, "1 table compared, no drift"))
        fail_msg("%s", out);
    free(out);
    assert_int_equal(drift_events(), 0);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM drift_reports"
                                    " WHERE status = 'ok'"),
                     1);
}

static void test_drift__hand_changes_are_found_once(void **state)
{
    char from[820], *out = NULL;
    cJSON *doc, *f;
    int n = 0;
    const char *want[][3] = {
        {"members", "", ""},
        {"members", "active", "missing_column"},
        {"members", "email", "nullable"},
        {"members", "score", "type"},
        {"members", "vip", "undocumented_column"},
        {"scratch", "", "undocumented_table"},
    };

    (void)state;
    /* SQLite cannot change a column: the table is rebuilt by hand */
    h_sqlite_exec(live,
                  "CREATE TABLE m2 (\"id\" BIGINT NOT NULL, \"email\" "
                  "VARCHAR(255), \"score\" DECIMAL(10,2), \"born\" DATE, "
                  "\"seen_at\" TIMESTAMP, \"tz_at\" TIMESTAMPTZ, \"visits\" "
                  "INTEGER, \"note\" TEXT, \"extra\" TEXT, vip BOOLEAN, "
                  "PRIMARY KEY (\"id\"));"
                  "DROP TABLE members; ALTER TABLE m2 RENAME TO members;"
                  "CREATE TABLE scratch (x INTEGER);");
    snprintf(from, sizeof from, "sqlite:%s", live);
    assert_int_equal(h_docket(&srv, NULL, &out, "drift", "--instance",
                              "acme-prod", "--from", from, "--json", NULL),
                     6);
    doc = cJSON_Parse(out);
    if (!doc)
        fail_msg("not JSON: %s", out);
    assert_string_equal(cJSON_GetObjectItem(doc, "instance")->valuestring,
                        "acme-prod");
    assert_string_equal(cJSON_GetObjectItem(doc, "source")->valuestring, from);
    assert_non_null(cJSON_GetObjectItem(doc, "checked_at")->valuestring);
    assert_int_equal(cJSON_GetObjectItem(doc, "tables_compared")->valueint, 1);
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(doc, "findings"))
    {
        const char *k = cJSON_GetObjectItem(f, "kind")->valuestring;
        const char *t = cJSON_GetObjectItem(f, "table")->valuestring;
        const char *c = cJSON_GetObjectItem(f, "column")->valuestring;
        assert_non_null(cJSON_GetObjectItem(f, "registry"));
        assert_non_null(cJSON_GetObjectItem(f, "live"));
        n++;
        assert_true((size_t)n < sizeof want / sizeof *want);
        assert_string_equal(t, want[n][0]);
        assert_string_equal(c, want[n][1]);
        assert_string_equal(k, want[n][2]);
        if (!strcmp(k, "type")) {
            assert_string_equal(cJSON_GetObjectItem(f, "registry")->valuestring,
                                "decimal(12,2)");
            assert_string_equal(cJSON_GetObjectItem(f, "live")->valuestring,
                                "decimal(10,2)");
        }
    }
    assert_int_equal(n, 5);
    cJSON_Delete(doc);
    free(out);
    /* one event for members, one for the unknown table, each to the hook */
    assert_int_equal(drift_events(), 2);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM outbox o JOIN events"
                                    " e ON e.id = o.event_id WHERE e.event ="
                                    " 'registry.drift' AND o.channel = 'hook'"),
                     2);

    /* again: the same findings, nothing announced */
    assert_int_equal(
        h_docket(&srv, NULL, &out, "drift", "--instance", "acme-prod", NULL),
        6);
    if (!strstr(out, "members\n  missing_column active: registry boolean, "
                     "null; live (none)\n"))
        fail_msg("%s", out);
    free(out);
    assert_int_equal(drift_events(), 2);

    /* a new finding: announced alone */
    h_sqlite_exec(live, "ALTER TABLE scratch ADD COLUMN y TEXT;"
                        "CREATE TABLE more (z INTEGER);");
    assert_int_equal(
        h_docket(&srv, NULL, NULL, "drift", "--instance", "acme-prod", NULL),
        6);
    assert_int_equal(drift_events(), 3);
    /* --dry-run keeps no report */
    h_sqlite_exec(live, "CREATE TABLE dry (z INTEGER);");
    assert_int_equal(h_docket(&srv, NULL, NULL, "drift", "--instance",
                              "acme-prod", "--dry-run", NULL),
                     6);
    assert_int_equal(drift_events(), 3);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM drift_findings"
                                    " WHERE table_name = 'dry'"),
                     0);
}

static void test_drift__failures_and_usage(void **state)
{
    char *out = NULL;

    (void)state;
    assert_int_equal(h_docket(&srv, NULL, &out, "drift", "--instance",
                              "acme-prod", "--from",
                              "sqlite:/nonexistent/dir/live.db", NULL),
                     3);
    assert_non_null(strstr(out, "docket: drift: "));
    assert_null(strchr(strchr(out, '\n') + 1, '\n'));
    free(out);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM drift_reports"
                                    " WHERE status = 'failed'"),
                     1);
    assert_int_equal(h_docket(&srv, NULL, &out, "drift", "--instance", "nope",
                              "--from", "sqlite:/x.db", NULL),
                     2);
    assert_non_null(strstr(out, "no instance named nope"));
    free(out);
    /* globex-prod has no drift_source */
    assert_int_equal(
        h_docket(&srv, NULL, &out, "drift", "--instance", "globex-prod", NULL),
        2);
    assert_non_null(strstr(out, "drift_source in [instance.globex-prod]"));
    free(out);
    assert_int_equal(h_docket(&srv, NULL, NULL, "drift", NULL), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_drift__own_migration_is_no_drift),
        cmocka_unit_test(test_drift__hand_changes_are_found_once),
        cmocka_unit_test(test_drift__failures_and_usage),
    };
    return cmocka_run_group_tests(tests, up, h_group_down);
}
