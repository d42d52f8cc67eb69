/* test_render_drift.c: the words of registry.drift: the headline names
 * the instance and the number of new findings, the summary the table (or
 * the tables the registry does not know), each finding is an item with
 * both sides, and the link goes to the instance's drift report. Text
 * from the live database is cleaned of control characters. */
#include "fixture.h"
#include "notify_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE_URL "https://docket.example"

static void build(notify_view *v, cJSON **p, const char *json)
{
    notify_event ev = {0};

    *p = ufx_json_parse(json);
    ev.uid = "0123456789abcdef0123456789abcdef";
    ev.event = "registry.drift";
    ev.created_at = 1796709600;
    ev.payload = *p;
    notify_view_build(v, &ev, BASE_URL);
}

static void test_drift_words(void **state)
{
    notify_view v;
    cJSON *p;

    (void)state;
    build(&v, &p,
          "{\"instance\":\"acme-prod\",\"organisation\":\"acme\","
          "\"table\":\"members\",\"new_findings\":2,\"findings\":["
          "{\"kind\":\"type\",\"table\":\"members\",\"column\":\"score\","
          "\"registry\":\"decimal(12,2)\",\"live\":\"decimal(10,2)\"},"
          "{\"kind\":\"undocumented_column\",\"table\":\"members\","
          "\"column\":\"vip\\n\\u001b[31m\",\"registry\":\"\","
          "\"live\":\"boolean, null\"}],"
          "\"url\":\"/drift/acme-prod\"}");
    assert_string_equal(v.headline, "Drift: 2 new findings on acme-prod");
    assert_non_null(strstr(v.summary, "on table members"));
    assert_string_equal(v.url, BASE_URL "/drift/acme-prod");
    assert_string_equal(v.link_text, "Open the drift report in docket");
    assert_int_equal(v.nitems, 2);
    assert_string_equal(v.items[0].title, "type: members.score");
    assert_string_equal(v.items[0].detail,
                        "registry: decimal(12,2); live: decimal(10,2)");
    assert_null(strchr(v.items[1].title, '\n'));
    assert_null(strchr(v.items[1].title, '\x1b'));
    assert_string_equal(v.items[1].detail,
                        "registry: none; live: boolean, null");
    notify_view_dispose(&v);
    cJSON_Delete(p);

    build(&v, &p,
          "{\"instance\":\"acme-prod\",\"table\":\"\",\"new_findings\":1,"
          "\"findings\":[{\"kind\":\"undocumented_table\",\"table\":"
          "\"scratch\",\"column\":\"\",\"registry\":\"\",\"live\":\"1 "
          "column\"}],\"url\":\"/drift/acme-prod\"}");
    assert_string_equal(v.headline, "Drift: 1 new finding on acme-prod");
    assert_non_null(strstr(v.summary, "tables the registry does not know"));
    assert_string_equal(v.items[0].title, "undocumented_table: scratch");
    notify_view_dispose(&v);
    cJSON_Delete(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_drift_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
