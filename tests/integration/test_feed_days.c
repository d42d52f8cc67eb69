/* test_feed_days.c: the day of a weekly or monthly feed (expected_day)
 * and the row anomaly thresholds (anomaly_low_pct, anomaly_high_pct) of
 * a table, against the real server. The request form refuses a weekly
 * or monthly item without a day (422 naming items[0].expected_day), a
 * day that does not fit the cadence and thresholds out of range, and
 * accepts a weekly item with a weekday; the rules card and its JSON show
 * the day and thresholds (the card in words); a registry edit that makes
 * a table weekly without a day is refused with nothing written, one that
 * sets the day writes a history row for it; the CSV export imports into
 * another instance with the same three fields, an import of a day that
 * does not fit the cadence is refused, and one of a weekly table without
 * a day (an older export) is taken as it is. */
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
static char t_ann[128], t_pat[128];

static const char prod_dict[] =
    "table,column,type,cadence,expected_day,expected_arrival,"
    "late_after_minutes,campaign_dependency,anomaly_low_pct,"
    "anomaly_high_pct\n"
    "stock,sku,bigint,weekly,Monday,06:00,120,required,30,400\n"
    "bills,bill_id,bigint,monthly,31,05:00,60,required,,\n"
    "clicks,click_id,bigint,daily,,04:00,60,optional,0,0\n";

static int up(void **state)
{
    *state = &srv;
    h_server_start(&srv, NULL);
    h_world(&srv, "acme acme-qa acme-prod ann+ pat+", &ann, &pat);
    h_import(&srv, "acme-prod", prod_dict);
    h_token(&srv, "ann@acme.example", "t", t_ann, sizeof t_ann);
    h_token(&srv, "pat@platform.example", "t", t_pat, sizeof t_pat);
    return 0;
}

/* The minimal request with its item changed by the JSON members of
 * item_json (an object's text); POSTed by ann, status want; the body. */
static char *submit(const char *item_json, long want)
{
    buf b = {0};
    cJSON *j, *it, *extra, *m;
    char *text, *body;
    h_resp r;

    h_minimal_json(&b, "Weekly stock", "The stock file comes on Mondays.",
                   "weekly_stock", NULL);
    j = cJSON_Parse(buf_cstr(&b));
    buf_dispose(&b);
    assert_non_null(j);
    it = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "items"), 0);
    extra = cJSON_Parse(item_json);
    assert_non_null(extra);
    cJSON_ArrayForEach(m, extra)
    {
        cJSON_DeleteItemFromObjectCaseSensitive(it, m->string);
        cJSON_AddItemToObject(it, m->string, cJSON_Duplicate(m, 1));
    }
    cJSON_Delete(extra);
    text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    h_send_json(&r, &srv, NULL, t_ann, "POST", "/api/v1/requests", text);
    free(text);
    if (r.status != want)
        fail_msg("POST /api/v1/requests: %ld, wanted %ld: %s", r.status, want,
                 r.body);
    body = strdup(r.body);
    h_resp_free(&r);
    return body;
}

/* A 422 whose errors name field with a message holding words. */
static void refused(const char *item_json, const char *field, const char *words)
{
    int64_t before = h_db_int(&srv, "SELECT count(*) FROM requests");
    char *body = submit(item_json, 422);
    cJSON *j = cJSON_Parse(body), *e;
    int found = 0;

    assert_non_null(j);
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(j, "errors"))
    {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, "field");
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");
        if (cJSON_IsString(f) && !strcmp(f->valuestring, field) &&
            cJSON_IsString(m) && strstr(m->valuestring, words))
            found = 1;
    }
    if (!found)
        fail_msg("no error on %s saying \"%s\": %s", field, words, body);
    cJSON_Delete(j);
    free(body);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM requests"), before);
}

static void test_request_form(void **state)
{
    char *body;

    (void)state;
    refused("{\"cadence\":\"weekly\"}", "items[0].expected_day",
            "required for a weekly table");
    refused("{\"cadence\":\"monthly\"}", "items[0].expected_day",
            "required for a monthly table");
    refused("{\"cadence\":\"weekly\",\"expected_day\":\"funday\"}",
            "items[0].expected_day", "mon to sun");
    refused("{\"cadence\":\"monthly\",\"expected_day\":\"32\"}",
            "items[0].expected_day", "1 to 31");
    refused("{\"cadence\":\"daily\",\"expected_day\":\"mon\"}",
            "items[0].expected_day", "only weekly and monthly");
    refused("{\"anomaly_high_pct\":50}", "items[0].anomaly_high_pct", "100");
    refused("{\"anomaly_low_pct\":150}", "items[0].anomaly_low_pct", "100");
    /* accepted, and kept with the request */
    body = submit("{\"cadence\":\"weekly\",\"expected_day\":\"Monday\","
                  "\"expected_arrival\":\"06:00\",\"anomaly_low_pct\":25,"
                  "\"anomaly_high_pct\":300}",
                  201);
    {
        cJSON *j = cJSON_Parse(body);
        char path[64];
        assert_non_null(j);
        snprintf(path, sizeof path, "/requests/%d",
                 cJSON_GetObjectItemCaseSensitive(j, "id")->valueint);
        cJSON_Delete(j);
        /* the request page shows them */
        h_get_expect(&srv, &pat, path, 200,
                     "<dt>Expected day</dt><dd>Monday</dd>",
                     "<dt>Row anomaly</dt><dd>below 25 % or above 300 % of "
                     "the median</dd>",
                     NULL);
    }
    free(body);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM request_items"
                                    " WHERE expected_day = 'Monday' AND"
                                    " anomaly_low_pct = 25 AND"
                                    " anomaly_high_pct = 300"),
                     1);
    body = submit("{\"cadence\":\"monthly\",\"expected_day\":\"last\"}", 201);
    free(body);
    /* the web form and the form definition offer the fields */
    h_get_expect(&srv, &ann, "/requests/new", 200,
                 "name=\"items[0].expected_day\"",
                 "name=\"items[0].anomaly_low_pct\"",
                 "name=\"items[0].anomaly_high_pct\"", NULL);
    h_get_expect(&srv, &pat, "/api/v1/form", 200, "items[].expected_day",
                 "items[].anomaly_low_pct", "items[].anomaly_high_pct", NULL);
}

/* The rules of a table of instance as the JSON API has them. */
static cJSON *rules_of(const char *instance, const char *table)
{
    char path[200];
    h_resp r;
    cJSON *j, *rules;

    snprintf(path, sizeof path, "/api/v1/instances/%s/tables/%s", instance,
             table);
    h_get(&r, &srv, &pat, path);
    if (r.status != 200)
        fail_msg("GET %s: %ld %s", path, r.status, r.body);
    j = cJSON_Parse(r.body);
    h_resp_free(&r);
    rules = cJSON_DetachItemFromObjectCaseSensitive(j, "rules");
    cJSON_Delete(j);
    assert_non_null(rules);
    return rules;
}

static void expect_rules(const char *instance, const char *table,
                         const char *day, int low, int high)
{
    cJSON *r = rules_of(instance, table);

    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(r, "expected_day")->valuestring, day);
    assert_int_equal(
        cJSON_GetObjectItemCaseSensitive(r, "anomaly_low_pct")->valueint, low);
    assert_int_equal(
        cJSON_GetObjectItemCaseSensitive(r, "anomaly_high_pct")->valueint,
        high);
    cJSON_Delete(r);
}

static void test_card_and_edit(void **state)
{
    h_resp r;
    char *before;
    int64_t hist;

    (void)state;
    /* the import stored the day in its short form, the thresholds as
       given, the defaults where none was given */
    expect_rules("acme-prod", "stock", "mon", 30, 400);
    expect_rules("acme-prod", "bills", "31", 50, 200);
    expect_rules("acme-prod", "clicks", "", 0, 0);
    h_get_expect(&srv, &pat, "/tables/acme-prod/stock", 200,
                 "Mondays, 06:00 UTC", "name=\"expected_day\"",
                 "name=\"anomaly_low_pct\"",
                 "<dt>Row anomaly</dt><dd>below 30 % or above 400 % of the "
                 "median of the last 14 arrivals",
                 NULL);
    h_get_expect(&srv, &pat, "/tables/acme-prod/clicks", 200,
                 "<dt>Row anomaly</dt><dd>off", NULL);
    {
        char *out = NULL;
        int rc = h_docket(&srv, NULL, &out, "lookup", "--instance", "acme-prod",
                          "stock", NULL);
        assert_int_equal(rc, 0);
        assert_non_null(strstr(out, "Mondays, 06:00 UTC"));
        assert_non_null(strstr(out, "below 30 % or above 400 % of the median"));
        free(out);
    }
    h_get_expect(&srv, &ann, "/tables/acme-prod/bills", 200,
                 "on day 31 of the month (or its last day), 05:00 UTC", NULL);

    /* a daily table made weekly without a day: refused, nothing written */
    before = h_db_digest(&srv);
    h_post_form(&r, &srv, &pat, "/tables/acme-prod/clicks/edit",
                "cadence=weekly&reason=now+weekly");
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "expected_day"));
    h_resp_free(&r);
    h_post_form(&r, &srv, &pat, "/tables/acme-prod/clicks/edit",
                "anomaly_high_pct=50&reason=tighter");
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "anomaly_high_pct"));
    h_resp_free(&r);
    h_post_form(&r, &srv, &pat, "/tables/acme-prod/clicks/edit",
                "anomaly_low_pct=101&reason=tighter");
    assert_int_equal(r.status, 422);
    h_resp_free(&r);
    h_unchanged(&srv, before, "refused edits");
    free(before);

    /* with the day: stored in its short form, one history row each */
    hist = h_db_int(&srv, "SELECT count(*) FROM registry_history WHERE"
                          " field = 'expected_day'");
    h_post_form(&r, &srv, &pat, "/tables/acme-prod/clicks/edit",
                "cadence=monthly&expected_day=LAST&anomaly_low_pct=40&"
                "reason=now+monthly");
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    expect_rules("acme-prod", "clicks", "last", 40, 0);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM registry_history"
                                    " WHERE field = 'expected_day'"),
                     hist + 1);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM registry_history"
                                    " WHERE field = 'expected_day' AND"
                                    " old_value = '' AND new_value = 'last'"),
                     1);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM registry_history"
                                    " WHERE field = 'anomaly_low_pct' AND"
                                    " old_value = '0' AND new_value = '40'"),
                     1);
    h_get_expect(&srv, &pat, "/tables/acme-prod/clicks", 200,
                 "on the last day of the month, 04:00 UTC", NULL);
    /* back to daily: the day must go too */
    h_post_form(&r, &srv, &pat, "/tables/acme-prod/clicks/edit",
                "cadence=daily&reason=daily+again");
    assert_int_equal(r.status, 422);
    h_resp_free(&r);
    h_post_form(&r, &srv, &pat, "/tables/acme-prod/clicks/edit",
                "cadence=daily&expected_day=&reason=daily+again");
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    expect_rules("acme-prod", "clicks", "", 40, 0);
}

static void test_csv_round_trip(void **state)
{
    char dir[700], file[800], *out = NULL, *csv;
    size_t len;
    int rc;

    (void)state;
    snprintf(dir, sizeof dir, "%s/export-days", srv.dir);
    rc = h_docket(&srv, NULL, &out, "export", "--format", "csv", "--out", dir,
                  "--instance", "acme-prod", NULL);
    assert_int_equal(rc, 0);
    free(out);
    snprintf(file, sizeof file, "%s/acme-prod.csv", dir);
    csv = h_read(file, &len);
    assert_non_null(csv);
    assert_non_null(strstr(csv, "expected_day,anomaly_low_pct,"
                                "anomaly_high_pct"));
    h_import(&srv, "acme-qa", csv);
    free(csv);
    expect_rules("acme-qa", "stock", "mon", 30, 400);
    expect_rules("acme-qa", "bills", "31", 50, 200);
    expect_rules("acme-qa", "clicks", "", 40, 0);

    /* a day that does not fit the cadence is refused, nothing written */
    {
        char *before = h_db_digest(&srv);
        snprintf(file, sizeof file, "%s/badday.csv", srv.dir);
        FILE *f = fopen(file, "w");
        assert_non_null(f);
        fputs("table,column,type,cadence,expected_day,expected_arrival\n"
              "drops,id,bigint,weekly,15,06:00\n"
              "slips,id,bigint,daily,mon,06:00\n",
              f);
        fclose(f);
        rc = h_docket(&srv, NULL, &out, "import", "--instance", "acme-qa", file,
                      NULL);
        assert_int_not_equal(rc, 0);
        assert_non_null(strstr(out, "expected_day"));
        free(out);
        h_unchanged(&srv, before, "refused import");
        free(before);
    }
    /* an older export's weekly table without a day imports (it is not
       tracked until it has one) */
    h_import(&srv, "acme-qa",
             "table,column,type,cadence,expected_day,expected_arrival\n"
             "drops,id,bigint,weekly,,06:00\n");
    expect_rules("acme-qa", "drops", "", 50, 200);
    /* its whole edit form (cadence and day unchanged) still saves */
    {
        h_resp r;
        h_post_form(&r, &srv, &pat, "/tables/acme-qa/drops/edit",
                    "cadence=weekly&expected_day=&description=Drop+files&"
                    "reason=describe+it");
        assert_int_equal(r.status, 303);
        h_resp_free(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_form),
        cmocka_unit_test(test_card_and_edit),
        cmocka_unit_test(test_csv_round_trip),
    };
    return cmocka_run_group_tests(tests, up, h_group_down);
}
