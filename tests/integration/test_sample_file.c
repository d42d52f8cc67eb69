/* test_sample_file.c: a sample file on the running server. POST
 * /api/v1/infer-columns proposes types with headroom (not the sample's
 * own sizes), says what the sample showed beside each ("longest in
 * sample: 21", "max in sample: 412.50"), keeps a reserved word such as
 * "order" as the name and gives the first rows for "Example rows"; the
 * form, posted as the browser posts it after a sample was chosen (the
 * example rows in items[0].examples, the sample as one of the
 * "attachments"), stores both, and the request page shows them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "buf.h"
#include "harness.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static h_server srv;
static h_session ann;

static const char visits[] = "Visit ID,Visitor Email,Basket Value,Store,order\n"
                             "1001,ann@acme.example,412.50,Leeds,1\n"
                             "1002,bob@acme.example,19.99,York,2\n"
                             "1003,eve.long@acme.example,7.5,Hull,3\n"
                             "1004,cy@acme.example,120,Leeds,1\n";

static int up(void **state)
{
    *state = &srv;
    h_server_start(&srv, NULL);
    h_world(&srv, "acme acme-qa pat ann+", &ann);
    return 0;
}

static const cJSON *column(const cJSON *j, int i)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItem(j, "columns"), i);
}

static const char *col_str(const cJSON *j, int i, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(column(j, i), key);

    if (!cJSON_IsString(v))
        fail_msg("column %d has no string %s", i, key);
    return v->valuestring;
}

/* Infers visits.csv through the API as the form's script does. */
static cJSON *infer(void)
{
    char csrf[160];
    const char *hdrs[2] = {csrf, NULL};
    buf b = {0};
    h_resp r;
    cJSON *j;

    snprintf(csrf, sizeof csrf, "X-CSRF-Token: %s", ann.csrf);
    h_mp_file(&b, "file", "visits.csv", 10, "text/csv", visits,
              sizeof visits - 1);
    h_post_multipart(&r, &srv, &ann, "/api/v1/infer-columns", &b, hdrs);
    if (r.status != 200)
        fail_msg("infer: %ld %s", r.status, r.body);
    j = cJSON_Parse(r.body);
    assert_non_null(j);
    h_resp_free(&r);
    return j;
}

static void test_sample__proposal_with_headroom(void **state)
{
    cJSON *j = infer();
    (void)state;

    assert_string_equal(col_str(j, 0, "name"), "visit_id");
    assert_string_equal(col_str(j, 0, "type"), "bigint");
    assert_string_equal(col_str(j, 1, "name"), "visitor_email");
    assert_string_equal(col_str(j, 1, "type"), "string(255)");
    assert_string_equal(col_str(j, 1, "sample_note"), "longest in sample: 21");
    assert_string_equal(col_str(j, 2, "type"), "decimal(12,2)");
    assert_string_equal(col_str(j, 2, "sample_note"), "max in sample: 412.50");
    assert_string_equal(col_str(j, 3, "type"), "string(20)");
    assert_string_equal(col_str(j, 4, "name"), "order");
    assert_string_equal(cJSON_GetObjectItem(j, "example_rows")->valuestring,
                        "Visit ID,Visitor Email,Basket Value,Store,order\n"
                        "1001,ann@acme.example,412.50,Leeds,1\n"
                        "1002,bob@acme.example,19.99,York,2\n"
                        "1003,eve.long@acme.example,7.5,Hull,3\n"
                        "1004,cy@acme.example,120,Leeds,1");
    cJSON_Delete(j);
}

static void test_sample__examples_and_attachment_stored(void **state)
{
    cJSON *j = infer();
    const char *examples = cJSON_GetObjectItem(j, "example_rows")->valuestring;
    buf b = {0};
    h_resp r;
    int64_t id;
    char sql[200], path[64];
    (void)state;

    h_mp_field(&b, "csrf", ann.csrf);
    h_minimal_fields(&b, h_mp_field, "Store visits", "Visits, daily.",
                     "store_visits", "visitor_email");
    h_mp_field(&b, "items[0].examples", examples);
    h_mp_file(&b, "attachments", "visits.csv", 10, "text/csv", visits,
              sizeof visits - 1);
    h_post_multipart(&r, &srv, &ann, "/requests", &b, NULL);
    id = h_created(&r);
    h_resp_free(&r);

    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM attachments WHERE request_id = %lld AND "
             "filename = 'visits.csv' AND size = %zu",
             (long long)id, sizeof visits - 1);
    assert_int_equal(h_db_int(&srv, sql), 1);
    snprintf(path, sizeof path, "/requests/%lld", (long long)id);
    h_get_expect(&srv, &ann, path, 200, "visits.csv",
                 "1001,ann@acme.example,412.50,Leeds,1", NULL);
    cJSON_Delete(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample__proposal_with_headroom),
        cmocka_unit_test(test_sample__examples_and_attachment_stored),
    };
    return cmocka_run_group_tests(tests, up, h_group_down);
}
