/* test_changes_grouped.c: the registry history grouped by the change that
 * caused it, against the real server: an import, a request deployed to an
 * instance and a hand edit are one entry each on /changes, in the Atom
 * feed (stable ids), on the rules card, on the column page and in the
 * HTML and Markdown exports; the fields are inside a collapsed <details>
 * with the form's labels ("Late after (minutes)"), while the table JSON
 * keeps its raw field names and gains the change id. A client sees only
 * its own organisation's changes. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char dict[] =
    "table,column,type,nullable,primary_key,description,campaign_dependency,"
    "campaign_note,expected_arrival,late_after_minutes,source,owner\n"
    "customers,customer_id,bigint,no,yes,Customer number,required,"
    "Hold all sends.,05:00,120,flat_file_csv,crm@acme.example\n"
    "customers,email,string(255),yes,,E-mail,,,,,,\n"
    "purchases,purchase_id,bigint,no,yes,Purchase,optional,,06:00,60,,\n";

static const char request_json[] =
    "{\"instance\":\"acme-prod\",\"instances\":[\"acme-prod\"],"
    "\"project_manager\":\"pat@platform.example\",\"title\":\"Loyalty "
    "members\",\"summary\":\"Tier campaigns.\",\"items\":[{\"kind\":"
    "\"new_table\",\"table\":\"loyalty_members\",\"description\":\"One row "
    "per member.\",\"source\":\"flat_file_csv\",\"cadence\":\"daily\","
    "\"expected_arrival\":\"05:30\",\"late_after_minutes\":90,"
    "\"campaign_dependency\":\"required\",\"campaign_note\":\"Tier "
    "campaigns wait.\",\"owner\":\"loyalty@acme.example\",\"columns\":[{"
    "\"name\":\"member_id\",\"type\":\"bigint\",\"nullable\":false,"
    "\"primary_key\":true,\"description\":\"Member\"},{\"name\":\"tier\","
    "\"type\":\"string(20)\",\"description\":\"Tier\"},{\"name\":"
    "\"joined_on\",\"type\":\"date\",\"description\":\"Joined\"}]}]}";

typedef struct world {
    h_server s;
    h_session pat, ann, bob;
    char pat_token[128], ann_token[128];
    int64_t request;
} world;

static void move(world *w, const char *json)
{
    char path[96];
    h_resp r;

    snprintf(path, sizeof path, "/api/v1/requests/%lld/transitions",
             (long long)w->request);
    h_send_json(&r, &w->s, NULL, w->pat_token, "POST", path, json);
    if (r.status != 200)
        fail_msg("%s: %ld %s", json, r.status, r.body);
    h_resp_free(&r);
}

static int setup(void **state)
{
    world *w = calloc(1, sizeof *w);
    char json[128];
    h_resp r;

    assert_non_null(w);
    h_server_start(&w->s, NULL);
    h_world(&w->s, "acme globex acme-prod globex-prod");
    h_world(&w->s, "pat+ ann+ bob+", &w->pat, &w->ann, &w->bob);
    h_token(&w->s, "pat@platform.example", "t", w->pat_token,
            sizeof w->pat_token);
    h_token(&w->s, "ann@acme.example", "t", w->ann_token, sizeof w->ann_token);
    /* Change 1: an import (the file is acme-prod.csv). */
    h_import(&w->s, "acme-prod", dict);
    h_import(&w->s, "globex-prod", dict);
    /* Change 2: a request with a new table deployed to acme-prod. */
    h_send_json(&r, &w->s, NULL, w->ann_token, "POST", "/api/v1/requests",
                request_json);
    w->request = h_created(&r);
    h_resp_free(&r);
    h_get_expect(&w->s, &w->pat, "/requests", 200, NULL); /* sprints */
    move(w, "{\"to\":\"triaged\"}");
    snprintf(json, sizeof json, "{\"to\":\"scheduled\",\"sprint\":%lld}",
             (long long)h_db_int(&w->s, "SELECT max(id) FROM sprints"));
    move(w, json);
    move(w, "{\"to\":\"in_progress\"}");
    move(w, "{\"to\":\"deployed\",\"instance\":\"acme-prod\"}");
    /* Change 3: a hand edit of three fields, with a reason. */
    h_post_form(&r, &w->s, &w->pat, "/tables/acme-prod/customers/edit",
                "campaign_note=Hold+every+send.&owner=crm-team%40acme.example"
                "&late_after_minutes=150&reason=CRM+team+took+it+over");
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    *state = w;
    return 0;
}

/* The number of times needle occurs in hay. */
static int count(const char *hay, const char *needle)
{
    int n = 0;

    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_changes_grouped__one_entry_per_change(void **state)
{
    world *w = *state;
    char link[64];
    h_resp r;

    /* 3 changes of acme-prod, 1 of globex-prod; many more field rows. */
    assert_true(h_db_int(&w->s, "SELECT count(*) FROM registry_history") > 20);
    h_get(&r, &w->s, &w->pat, "/changes?instance=acme-prod");
    assert_int_equal(r.status, 200);
    assert_int_equal(count(r.body, "<li class=\"change\""), 3);
    assert_int_equal(count(r.body, "<details"), 3);
    /* The fields are inside, collapsed: no <details open>. */
    assert_null(strstr(r.body, "<details open"));
    /* One line says what the change did, with the form's labels. */
    assert_non_null(strstr(r.body, "new table <a href=\"/tables/acme-prod/"
                                   "loyalty_members\">loyalty_members</a> "
                                   "with 3 columns"));
    assert_non_null(strstr(r.body, "3 fields of <a href=\"/tables/acme-prod/"
                                   "customers\">customers</a> changed"));
    assert_non_null(strstr(r.body, "Late after (minutes)"));
    assert_null(strstr(r.body, "late_after_minutes"));
    /* Why: the request (linked), the file, the reason; and who. */
    snprintf(link, sizeof link, "<a href=\"/requests/%lld\">CR-%lld</a>",
             (long long)w->request, (long long)w->request);
    assert_non_null(strstr(r.body, link));
    assert_non_null(strstr(r.body, "acme-prod.csv"));
    assert_non_null(strstr(r.body, "CRM team took it over"));
    assert_non_null(strstr(r.body, "Pat"));
    h_resp_free(&r);
    /* Every instance: 4 changes. */
    h_get(&r, &w->s, &w->pat, "/changes");
    assert_int_equal(count(r.body, "<li class=\"change\""), 4);
    h_resp_free(&r);
    /* A client sees only its organisation's. */
    h_get(&r, &w->s, &w->bob, "/changes");
    assert_int_equal(r.status, 200);
    assert_int_equal(count(r.body, "<li class=\"change\""), 1);
    assert_null(strstr(r.body, "acme-prod"));
    h_resp_free(&r);
}

static void test_changes_grouped__paging_by_change(void **state)
{
    world *w = *state;
    char path[128];
    int64_t newest = h_db_int(&w->s, "SELECT max(change_id) FROM "
                                     "registry_history");
    h_resp r;

    /* Older than the newest change: the import and the deploy of
       acme-prod, and the import of globex-prod. */
    snprintf(path, sizeof path, "/changes?before=%lld", (long long)newest);
    h_get(&r, &w->s, &w->pat, path);
    assert_int_equal(r.status, 200);
    assert_int_equal(count(r.body, "<li class=\"change\""), 3);
    assert_null(strstr(r.body, "CRM team took it over"));
    h_resp_free(&r);
}

static void test_changes_grouped__atom_one_entry_per_change(void **state)
{
    world *w = *state;
    h_resp r, again;
    const char *id;

    h_get(&r, &w->s, &w->pat, "/changes.atom?instance=acme-prod");
    assert_int_equal(r.status, 200);
    assert_int_equal(count(r.body, "<entry>"), 3);
    assert_non_null(strstr(r.body, "new table loyalty_members with 3 columns"));
    assert_null(strstr(r.body, "late_after_minutes"));
    /* The ids are those of the changes, the same on every fetch. */
    h_get(&again, &w->s, &w->pat, "/changes.atom?instance=acme-prod");
    id = strstr(r.body, "<entry><id>");
    assert_non_null(id);
    assert_non_null(strstr(again.body, "<entry><id>"));
    assert_int_equal(
        strncmp(id, strstr(again.body, "<entry><id>"), strcspn(id, "\n")), 0);
    assert_int_equal(count(r.body, "/changes#change-"), 3);
    h_resp_free(&r);
    h_resp_free(&again);
}

static void test_changes_grouped__card_and_column_page(void **state)
{
    world *w = *state;
    h_resp r;
    int64_t rows;

    h_get(&r, &w->s, &w->pat, "/tables/acme-prod/loyalty_members");
    assert_int_equal(r.status, 200);
    assert_int_equal(count(r.body, "<li class=\"change\""), 1);
    assert_non_null(strstr(r.body, "Late after (minutes)"));
    h_resp_free(&r);
    h_get(&r, &w->s, &w->pat, "/tables/acme-prod/customers");
    /* The import and the edit. */
    assert_int_equal(count(r.body, "<li class=\"change\""), 2);
    h_resp_free(&r);
    h_get(&r, &w->s, &w->pat, "/tables/acme-prod/loyalty_members/columns/tier");
    assert_int_equal(r.status, 200);
    assert_int_equal(count(r.body, "<li class=\"change\""), 1);
    h_resp_free(&r);
    /* The JSON keeps every field row, raw, and names its change. */
    rows = h_db_int(&w->s, "SELECT count(*) FROM registry_history WHERE "
                           "table_name = 'loyalty_members'");
    h_get(&r, &w->s, &w->pat,
          "/api/v1/instances/acme-prod/tables/loyalty_members");
    assert_int_equal(r.status, 200);
    assert_int_equal(count(r.body, "\"field\":"), (int)rows + 1); /* last */
    assert_non_null(strstr(r.body, "\"field\":\"late_after_minutes\""));
    assert_int_equal(count(r.body, "\"change\":"), (int)rows + 1);
    h_resp_free(&r);
}

static void test_changes_grouped__exports(void **state)
{
    world *w = *state;
    char dir[600], path[700];
    char *text;

    snprintf(dir, sizeof dir, "%s/export-html", w->s.dir);
    h_cli(&w->s, "export", "--format", "html", "--out", dir, "--instance",
          "acme-prod", NULL);
    snprintf(path, sizeof path, "%s/changelog.html", dir);
    text = h_read(path, NULL);
    assert_int_equal(count(text, "<li class=\"change\""), 3);
    assert_int_equal(count(text, "<details"), 3);
    assert_non_null(strstr(text, "Late after (minutes)"));
    assert_null(strstr(text, "late_after_minutes"));
    free(text);
    snprintf(path, sizeof path, "%s/acme-prod/loyalty_members.html", dir);
    text = h_read(path, NULL);
    assert_int_equal(count(text, "<li class=\"change\""), 1);
    free(text);

    snprintf(dir, sizeof dir, "%s/export-md", w->s.dir);
    h_cli(&w->s, "export", "--format", "markdown", "--out", dir, NULL);
    snprintf(path, sizeof path, "%s/acme-prod/loyalty_members.md", dir);
    text = h_read(path, NULL);
    assert_non_null(strstr(text, "new table loyalty\\_members with 3 columns"));
    assert_non_null(strstr(text, "Late after (minutes)"));
    assert_null(strstr(text, "late\\_after\\_minutes"));
    free(text);
    snprintf(path, sizeof path, "%s/changelog.md", dir);
    text = h_read(path, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, "3 fields of customers changed"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_changes_grouped__one_entry_per_change),
        cmocka_unit_test(test_changes_grouped__paging_by_change),
        cmocka_unit_test(test_changes_grouped__atom_one_entry_per_change),
        cmocka_unit_test(test_changes_grouped__card_and_column_page),
        cmocka_unit_test(test_changes_grouped__exports),
    };

    return cmocka_run_group_tests(tests, setup, h_test_down);
}
