/* test_adopt.c: `docket adopt` against real sources. A SQLite file made
 * by docket's own generated up migration of a deployed request, plus
 * tables and a column made by hand: adopt documents what the registry
 * lacks (--dry-run first: nothing written), then `docket drift` on the
 * same file finds nothing, and the card of an adopted table shows its
 * columns and, in its history and on /changes, that they were adopted
 * from the live database. A CSV export with comments (quotes, line breaks,
 * <script>, unicode) round-trips: adopt, then drift finds no comment
 * difference, and the card shows the comment escaped. A type docket has no kind
 * for refuses the whole adopt (exit 3, nothing written); usage, an unknown
 * instance, a table not in the source and a role that may not adopt
 * exit 2; an unreadable source exits 3. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static h_server srv;
static h_session ann, pat;
static char ann_token[128], pat_token[128];
static char live[800], from[820], dir[600];

static int up(void **state)
{
    char mig[600], path[80], cr[32], *sql;
    h_resp r;
    int64_t id, sprint;

    *state = &srv;
    h_tmpdir(dir, sizeof dir, "adopt-live");
    snprintf(live, sizeof live, "%s/live.db", dir);
    snprintf(from, sizeof from, "sqlite:%s", live);
    h_server_start(&srv, H_CLOSED_HOOK_CONFIG);
    h_world(&srv, "acme acme-prod:sqlite globex globex-prod ann+ pat+ oz", &ann,
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
        "{\"name\":\"born\",\"type\":\"date\",\"description\":\"b\"},"
        "{\"name\":\"seen_at\",\"type\":\"timestamp\",\"description\":\"t\"}"
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
    h_tmpdir(mig, sizeof mig, "adopt-mig");
    h_cli(&srv, "migrate", cr, "--out", mig, "--dialect", "sqlite", NULL);
    sql = h_up_file(mig);
    h_sqlite_exec(live, sql);
    free(sql);
    /* made by hand, as a team's existing schema */
    h_sqlite_exec(live,
                  "ALTER TABLE members ADD COLUMN vip BOOLEAN;"
                  "CREATE TABLE shipments (id BIGINT NOT NULL, order_ref "
                  "VARCHAR(40) NOT NULL, weight DECIMAL(8,3), shipped_at "
                  "TIMESTAMP, note TEXT, PRIMARY KEY (id));"
                  "CREATE TABLE legs (ship BIGINT NOT NULL, leg INTEGER NOT "
                  "NULL, stop VARCHAR(80), PRIMARY KEY (leg, ship));");
    return 0;
}

static int64_t history_rows(void)
{
    return h_db_int(&srv, "SELECT count(*) FROM registry_history WHERE"
                          " reason = 'adopted from live schema'");
}

static void test_adopt__then_no_drift(void **state)
{
    char *out = NULL;

    (void)state;
    /* the hand-made tables are drift before */
    assert_int_equal(h_docket(&srv, NULL, NULL, "drift", "--instance",
                              "acme-prod", "--from", from, "--dry-run", NULL),
                     6);
    /* a dry run says what it would do and writes nothing */
    assert_int_equal(h_docket(&srv, NULL, &out, "adopt", "--instance",
                              "acme-prod", "--from", from, "--dry-run", NULL),
                     0);
    if (!strstr(out, "would adopt into acme-prod") ||
        !strstr(out, "shipments (new table)"))
        fail_msg("%s", out);
    free(out);
    assert_int_equal(history_rows(), 0);

    assert_int_equal(h_docket(&srv, NULL, &out, "adopt", "--instance",
                              "acme-prod", "--from", from, "--user",
                              "pat@platform.example", NULL),
                     0);
    if (!strstr(out, "2 tables created, 9 columns added") ||
        !strstr(out, "members (columns added)\n  vip boolean\n") ||
        !strstr(out, "shipments (new table)\n  id bigint\n  order_ref "
                     "string(40)\n  weight decimal(8,3)\n") ||
        !strstr(out, "note: the live key is (leg, ship)") ||
        !strstr(out, "to complete: campaign dependency, cadence, expected "
                     "arrival, owner, escalation") ||
        strstr(out, "Member id"))
        fail_msg("%s", out);
    free(out);
    assert_int_equal(history_rows(), 11);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM registry_history h"
                                    " JOIN users u ON u.id = h.user_id WHERE"
                                    " u.email = 'pat@platform.example' AND"
                                    " h.reason = 'adopted from live schema'"),
                     11);

    assert_int_equal(h_docket(&srv, NULL, &out, "drift", "--instance",
                              "acme-prod", "--from", from, NULL),
                     0);
    if (!strstr(out, "3 tables compared, no drift"))
        fail_msg("%s", out);
    free(out);
    /* again: nothing left */
    assert_int_equal(h_docket(&srv, NULL, &out, "adopt", "--instance",
                              "acme-prod", "--from", from, "--json", NULL),
                     0);
    if (!strstr(out, "\"tables_created\":0,\"columns_added\":0,\"tables\":[]"))
        fail_msg("%s", out);
    free(out);
    h_get_expect(&srv, &pat, "/tables/acme-prod/shipments", 200, "order_ref",
                 "shipped_at", "decimal(8,3)",
                 "Adopted from the live database into acme-prod",
                 "!Imported a data dictionary", NULL);
    /* the registry's changes say what happened, not an import */
    h_get_expect(&srv, &pat, "/changes?instance=acme-prod", 200,
                 "Adopted from the live database into acme-prod",
                 "!Imported a data dictionary", NULL);
    /* the index marks the adopted tables whose rules are to complete */
    h_get_expect(&srv, &pat, "/tables?instance=acme-prod", 200,
                 "<span class=\"badge todo\" title=\"To complete: campaign "
                 "dependency, cadence, owner\">to complete</span>",
                 NULL);
    {
        h_resp r;
        const char *p, *members, *shipments;
        h_get(&r, &srv, &pat, "/tables?instance=acme-prod");
        members = strstr(r.body, ">members</a>");
        shipments = strstr(r.body, ">shipments</a>");
        assert_non_null(members);
        assert_non_null(shipments);
        /* members has its cadence and dependency: no marker */
        p = strstr(members, "to complete</span>");
        assert_true(p == NULL || p > strstr(members, "</tr>"));
        h_resp_free(&r);
    }
}

static void test_adopt__csv_comments_round_trip(void **state)
{
    char csv[700], src[720], *out = NULL;

    (void)state;
    snprintf(csv, sizeof csv, "%s/columns.csv", dir);
    snprintf(src, sizeof src, "csv:%s", csv);
    h_write(csv, "TABLE_SCHEMA,TABLE_NAME,COLUMN_NAME,ORDINAL_POSITION,"
                 "DATA_TYPE,IS_NULLABLE,CHARACTER_MAXIMUM_LENGTH,"
                 "NUMERIC_PRECISION,NUMERIC_SCALE,COMMENT,TABLE_COMMENT,"
                 "PRIMARY_KEY\n"
                 "PUBLIC,EVENTS,ID,1,NUMBER,NO,,38,0,\"The \"\"id\"\", "
                 "never reused\",\"Events <b>table</b>\",1\n"
                 "PUBLIC,EVENTS,BODY,2,TEXT,YES,255,,,\"line one\nline two "
                 "<script>alert('x')</script>\",,\n"
                 "PUBLIC,EVENTS,PLACE,3,TEXT,YES,16777216,,,"
                 "\"Zürich – 東京 ✓\",,\n");
    assert_int_equal(h_docket(&srv, NULL, &out, "adopt", "--instance",
                              "globex-prod", "--from", src, NULL),
                     0);
    if (!strstr(out, "EVENTS (new table)"))
        fail_msg("%s", out);
    free(out);
    assert_int_equal(h_docket(&srv, NULL, &out, "drift", "--instance",
                              "globex-prod", "--from", src, NULL),
                     0);
    if (!strstr(out, "1 table compared, no drift"))
        fail_msg("%s", out);
    free(out);
    h_get_expect(&srv, &pat, "/tables/globex-prod/EVENTS", 200,
                 "&lt;script&gt;", "Zürich – 東京 ✓", "!<script>alert",
                 "!<b>table</b>", NULL);
}

static void test_adopt__refusals(void **state)
{
    char csv[700], src[720], *out = NULL;
    int64_t before = history_rows();

    (void)state;
    snprintf(csv, sizeof csv, "%s/uuid.csv", dir);
    snprintf(src, sizeof src, "csv:%s", csv);
    h_write(csv, "TABLE_NAME,COLUMN_NAME,DATA_TYPE,IS_NULLABLE\n"
                 "AAA,ID,NUMBER,NO\n"
                 "ZZZ,ID,NUMBER,NO\n"
                 "ZZZ,SHAPE,GEOGRAPHY,YES\n");
    assert_int_equal(h_docket(&srv, NULL, &out, "adopt", "--instance",
                              "globex-prod", "--from", src, NULL),
                     3);
    if (!strstr(out, "ZZZ.SHAPE") || !strstr(out, "geography") ||
        !strstr(out, "nothing was adopted"))
        fail_msg("%s", out);
    free(out);
    assert_int_equal(history_rows(), before);
    assert_int_equal(
        h_db_int(&srv, "SELECT count(*) FROM reg_tables WHERE name = 'AAA'"),
        0);

    assert_int_equal(h_docket(&srv, NULL, NULL, "adopt", "--from", src, NULL),
                     2);
    assert_int_equal(h_docket(&srv, NULL, &out, "adopt", "--instance", "nope",
                              "--from", src, NULL),
                     2);
    if (!strstr(out, "no instance named nope"))
        fail_msg("%s", out);
    free(out);
    assert_int_equal(h_docket(&srv, NULL, &out, "adopt", "--instance",
                              "globex-prod", "--from", src, "--table", "QQQ",
                              NULL),
                     2);
    if (!strstr(out, "no table QQQ in the source"))
        fail_msg("%s", out);
    free(out);
    assert_int_equal(h_docket(&srv, NULL, &out, "adopt", "--instance",
                              "globex-prod", "--from", src, "--user",
                              "oz@platform.example", NULL),
                     2);
    free(out);
    assert_int_equal(h_docket(&srv, NULL, &out, "adopt", "--instance",
                              "acme-prod", "--from",
                              "sqlite:/nonexistent/dir/x.db", NULL),
                     3);
    free(out);
    /* --table leaves the table docket cannot type out */
    assert_int_equal(h_docket(&srv, NULL, &out, "adopt", "--instance",
                              "globex-prod", "--from", src, "--table", "AAA",
                              NULL),
                     0);
    if (!strstr(out, "1 table created, 1 column added"))
        fail_msg("%s", out);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adopt__then_no_drift),
        cmocka_unit_test(test_adopt__csv_comments_round_trip),
        cmocka_unit_test(test_adopt__refusals),
    };
    return cmocka_run_group_tests(tests, up, h_group_down);
}
