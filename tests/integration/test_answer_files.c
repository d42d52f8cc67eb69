/* test_answer_files.c: the answer to a project manager's question, on
 * the real server. The answer form of the request page is multipart and
 * takes files like the comment form (same limits and content sniffing);
 * the files are stored with the answer, downloadable by staff and the
 * client and a 404 for another organisation; an answer needs text (the
 * form and the API alike): an empty one is 422 and writes nothing. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static h_server srv;
static h_session ann, bob, pat, oz;
static char ann_token[128], pat_token[128];

static int up(void **state)
{
    *state = &srv;
    h_server_start(&srv, NULL);
    h_world(&srv, "acme globex acme-qa acme-prod globex-prod");
    h_world(&srv, "ann+ bob+ pat+ oz+", &ann, &bob, &pat, &oz);
    h_token(&srv, "ann@acme.example", "tests", ann_token, sizeof ann_token);
    h_token(&srv, "pat@platform.example", "tests", pat_token, sizeof pat_token);
    return 0;
}

static void move(const char *token, int64_t id, const char *json, long want)
{
    char path[96];
    h_resp r;

    snprintf(path, sizeof path, "/api/v1/requests/%lld/transitions",
             (long long)id);
    h_send_json(&r, &srv, NULL, token, "POST", path, json);
    if (r.status != want)
        fail_msg("%s: %ld (expected %ld) %s", json, r.status, want, r.body);
    h_resp_free(&r);
}

/* A request of acme that waits for the client's answer. */
static int64_t waiting(void)
{
    static int n;
    buf b = {0};
    char table[32];
    h_resp r;
    int64_t id;

    snprintf(table, sizeof table, "answers_%d", ++n);
    h_minimal_json(&b, "Answers", "Please.", table, "tier");
    h_send_json(&r, &srv, NULL, ann_token, "POST", "/api/v1/requests",
                buf_cstr(&b));
    buf_dispose(&b);
    id = h_created(&r);
    h_resp_free(&r);
    move(pat_token, id, "{\"to\":\"triaged\"}", 200);
    move(pat_token, id,
         "{\"to\":\"needs_info\",\"note\":\"Can you send a sample file?\"}",
         200);
    return id;
}

/* The answer form as the browser sends it: note and, when filename is
 * set, one file. */
static void answer_post(h_resp *r, h_session *s, int64_t id, const char *note,
                        const char *filename, const char *data)
{
    buf b = {0};
    char path[96];

    h_mp_field(&b, "csrf", s->csrf);
    h_mp_field(&b, "to", "answered");
    h_mp_field(&b, "note", note);
    if (filename)
        h_mp_file(&b, "attachments", filename, strlen(filename), "text/csv",
                  data, strlen(data));
    snprintf(path, sizeof path, "/requests/%lld/transitions", (long long)id);
    h_post_multipart(r, &srv, s, path, &b, NULL);
}

static void
test_answer_files__the_form_is_multipart_with_a_file_field(void **state)
{
    int64_t id = waiting();
    char path[64];
    h_resp r;
    const char *form;

    (void)state;
    snprintf(path, sizeof path, "/requests/%lld", (long long)id);
    h_get(&r, &srv, &ann, path);
    assert_int_equal(r.status, 200);
    form = strstr(r.body, "name=\"to\" value=\"answered\"");
    assert_non_null(form);
    /* the form that holds it: multipart, a file field, a required text */
    {
        const char *open = form;
        while (open > r.body && strncmp(open, "<form", 5) != 0)
            open--;
        assert_non_null(strstr(open, "enctype=\"multipart/form-data\""));
        assert_true(strstr(open, "enctype=\"multipart/form-data\"") < form);
    }
    assert_non_null(strstr(form, "type=\"file\""));
    assert_true(strstr(form, "type=\"file\"") < strstr(form, "</form>"));
    assert_non_null(strstr(form, "id=\"note-answered\""));
    {
        const char *ta = strstr(form, "id=\"note-answered\"");
        const char *end = strchr(ta, '>');
        char tag[256];
        snprintf(tag, sizeof tag, "%.*s", (int)(end - ta), ta);
        assert_non_null(strstr(tag, "required"));
    }
    /* the label no longer says "(optional)" */
    {
        const char *label = strstr(r.body, "for=\"note-answered\"");
        const char *end = label ? strstr(label, "</label>") : NULL;
        assert_non_null(end);
        assert_null(memmem(label, (size_t)(end - label), "optional", 8));
    }
    h_resp_free(&r);
}

static void test_answer_files__a_file_with_the_answer(void **state)
{
    int64_t id = waiting(), fid;
    char path[128], sql[200];
    h_resp r;

    (void)state;
    answer_post(&r, &ann, id, "Here is the sample.", "sample.csv",
                "member_id,tier\n1,gold\n");
    if (r.status != 303)
        fail_msg("answer: %ld %s", r.status, r.body);
    h_resp_free(&r);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM requests WHERE id = %lld AND status = "
             "'triaged'",
             (long long)id);
    assert_int_equal(h_db_int(&srv, sql), 1);
    snprintf(sql, sizeof sql,
             "SELECT max(id) FROM attachments WHERE request_id = %lld AND "
             "filename = 'sample.csv'",
             (long long)id);
    fid = h_db_int(&srv, sql);
    assert_true(fid > 0);
    /* the request page shows the answer with its file */
    snprintf(path, sizeof path, "/requests/%lld", (long long)id);
    h_get_expect(&srv, &pat, path, 200, "Here is the sample.", "sample.csv",
                 NULL);
    /* downloadable by the PM, ops and the client; another organisation
       gets a 404 */
    snprintf(path, sizeof path, "/requests/%lld/attachments/%lld",
             (long long)id, (long long)fid);
    h_get_expect(&srv, &pat, path, 200, "1,gold", NULL);
    h_get_expect(&srv, &oz, path, 200, "1,gold", NULL);
    h_get_expect(&srv, &ann, path, 200, "1,gold", NULL);
    h_get_expect(&srv, &bob, path, 404, "!1,gold", NULL);
}

static void test_answer_files__refused_answers_write_nothing(void **state)
{
    int64_t id = waiting();
    char path[96], *before;
    h_resp r;

    (void)state;
    before = h_db_digest(&srv);
    /* no text, with or without a file */
    answer_post(&r, &ann, id, "   ", NULL, NULL);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "Write your answer."));
    h_resp_free(&r);
    answer_post(&r, &ann, id, "", "sample.csv", "a,b\n1,2\n");
    assert_int_equal(r.status, 422);
    h_resp_free(&r);
    /* a program in disguise: the sniffing of comment files */
    answer_post(&r, &ann, id, "Here.", "tool.csv", "MZ\x90\x01rest");
    assert_int_equal(r.status, 422);
    h_resp_free(&r);
    /* the API: the note is required too */
    snprintf(path, sizeof path, "/api/v1/requests/%lld/transitions",
             (long long)id);
    h_send_json(&r, &srv, NULL, ann_token, "POST", path,
                "{\"to\":\"answered\"}");
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "\"field\":\"note\""));
    assert_non_null(strstr(r.body, "Write your answer."));
    h_resp_free(&r);
    h_send_json(&r, &srv, NULL, ann_token, "POST", path,
                "{\"to\":\"answered\",\"note\":\" \\n \"}");
    assert_int_equal(r.status, 422);
    h_resp_free(&r);
    h_unchanged(&srv, before, "refused answers");
    free(before);
    /* another organisation cannot answer, file or not */
    answer_post(&r, &bob, id, "Mine.", "x.csv", "a\n1\n");
    assert_int_equal(r.status, 404);
    h_resp_free(&r);
    /* files go with an answer only */
    {
        int64_t other = waiting();
        buf b = {0};
        before = h_db_digest(&srv);
        h_mp_field(&b, "csrf", pat.csrf);
        h_mp_field(&b, "to", "rejected");
        h_mp_field(&b, "note", "No.");
        h_mp_file(&b, "attachments", "x.csv", 5, "text/csv", "a\n1\n", 4);
        snprintf(path, sizeof path, "/requests/%lld/transitions",
                 (long long)other);
        h_post_multipart(&r, &srv, &pat, path, &b, NULL);
        assert_int_equal(r.status, 422);
        h_resp_free(&r);
        h_unchanged(&srv, before, "a file with a rejection");
        free(before);
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(
        test_answer_files__the_form_is_multipart_with_a_file_field),
    cmocka_unit_test(test_answer_files__a_file_with_the_answer),
    cmocka_unit_test(test_answer_files__refused_answers_write_nothing),
};

int main(void)
{
    return cmocka_run_group_tests(tests, up, h_group_down);
}
