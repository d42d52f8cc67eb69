/* test_card.c: the card writer (domain/card.h): every back end escapes
 * hostile registry text for its medium, the campaign-dependency wording
 * comes from one table, and a card read back from its JSON writes the
 * same terminal card. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "card.h"
#include "notify_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char t_org[] = "acme", t_inst[] = "acme-prod", t_env[] = "production";
static char t_table[] = "cust<script>alert(1)</script>";
static char t_desc[] = "Rows | *bold* `tick` <b>x</b> _u_ [l](javascript:x)\n"
                       "# not a heading";
static char t_kind[] = "new_table", t_url[] = "/tables/acme-prod/cust";
static char t_note[] = "<!here> hold <!channel> everything";
static char t_arr[] = "05:00", t_src[] = "sftp\x1b]0;owned\x07";
static char t_cad[] = "daily", t_pat[] = "a`b`c*.csv";
static char t_owner[] = "ops@example.test\x1b[2J\x1b[31m";
static char t_esc[] = "<img src=x onerror=alert(1)>";
static char t_runbook[] = "1. Check <script>alert(2)</script>\n"
                          "2. [click](javascript:alert(3)) or "
                          "[docs](https://example.test/)\n";
static char c_name[] = "email<i>", c_type[] = "string(255)";
static char c_desc[] = "a|b\x1b[1m", c_ex[] = "", c_chan[] = "email";
static char c_rule[] = "", h_col[] = "", h_field[] = "owner";
static char h_old[] = "<s>old</s>", h_new[] = "new|*", h_user[] = "Pat";
static char h_reason[] = "", empty[] = "";

static registry_card_column cols[1];
static registry_card_change hist[1];

static registry_card hostile(void)
{
    registry_card c = {
        .organisation = t_org,
        .instance = t_inst,
        .environment = t_env,
        .table = t_table,
        .description = t_desc,
        .kind = t_kind,
        .status = REGISTRY_ENTRY_ACTIVE,
        .url = t_url,
        .rules = {.campaign_dependency = REGISTRY_DEP_REQUIRED,
                  .campaign_note = t_note,
                  .expected_arrival = t_arr,
                  .late_after_minutes = 120,
                  .missing_after = "07:00",
                  .source = t_src,
                  .cadence = t_cad,
                  .file_pattern = t_pat,
                  .owner = t_owner,
                  .escalation = t_esc,
                  .consent_relevant = 1,
                  .runbook = t_runbook},
        .columns = cols,
        .ncolumns = 1,
        .history = hist,
        .nhistory = 1,
    };

    cols[0] = (registry_card_column){.name = c_name,
                                     .type = c_type,
                                     .description = c_desc,
                                     .example = c_ex,
                                     .consent_channel = c_chan,
                                     .rule = c_rule,
                                     .pii = 1,
                                     .consent = 1,
                                     .added_at = 1772000000};
    hist[0] = (registry_card_change){.at = 1772000000,
                                     .column = h_col,
                                     .field = h_field,
                                     .old_value = h_old,
                                     .new_value = h_new,
                                     .user = h_user,
                                     .reason = h_reason};
    (void)empty;
    return c;
}

static char *written(card_format fmt, const card_opts *o)
{
    registry_card c = hostile();
    buf b = {0};

    card_write(&b, &c, fmt, o);
    assert_false(buf_error(&b));
    return buf_detach(&b);
}

static void test_dependency_table(void **state)
{
    buf b = {0};

    (void)state;
    assert_string_equal(card_dep(REGISTRY_DEP_REQUIRED)->name, "required");
    assert_string_equal(card_dep_named("optional")->word, "OPTIONAL");
    assert_int_equal(card_dep_named("bogus")->dep, REGISTRY_DEP_UNSET);
    assert_int_equal(card_dep_named(NULL)->dep, REGISTRY_DEP_UNSET);
    assert_int_equal(card_dep((registry_dep)42)->dep, REGISTRY_DEP_UNSET);
    card_dep_line(&b, REGISTRY_DEP_OPTIONAL);
    assert_string_equal(buf_cstr(&b), "OPTIONAL: campaigns may run without it");
    buf_reset(&b);
    assert_int_equal(card_dep_message(&b, REGISTRY_DEP_UNSET), 0);
    assert_int_equal(b.len, 0);
    assert_int_equal(card_dep_message(&b, REGISTRY_DEP_REQUIRED), 1);
    assert_string_equal(buf_cstr(&b),
                        "required (hold campaigns if the file is missing)");
    buf_dispose(&b);
}

static void assert_no_markup(const char *s)
{
    assert_null(strstr(s, "<script"));
    assert_null(strstr(s, "<img"));
    assert_null(strstr(s, "<i>"));
    assert_null(strstr(s, "<s>"));
    assert_null(strstr(s, "<b>"));
    assert_null(strstr(s, "href=\"javascript"));
}

/* 1 when every '<' of s is backslash-escaped (Markdown). */
static int md_lt_escaped(const char *s)
{
    for (const char *p = strchr(s, '<'); p; p = strchr(p + 1, '<'))
        if (p == s || p[-1] != '\\')
            return 0;
    return 1;
}

static void test_html_escapes(void **state)
{
    card_opts o = {.edit = 2, .csrf = "<!--csrf-->"};
    char *s = written(CARD_HTML, &o);

    (void)state;
    assert_no_markup(s);
    assert_non_null(strstr(s, "cust&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(s, "&lt;img src=x onerror=alert(1)&gt;"));
    assert_non_null(strstr(s, "<strong>REQUIRED</strong>: hold campaigns"));
    /* the form's token hole is written as given */
    assert_non_null(strstr(s, "name=\"csrf\" value=\"<!--csrf-->\""));
    free(s);
    s = written(CARD_HTML_EXPORT, NULL);
    assert_no_markup(s);
    assert_non_null(strstr(s, "&lt;s&gt;old&lt;/s&gt;"));
    free(s);
}

static void test_markdown_escapes(void **state)
{
    card_opts o = {.stamp = "2026-03-03T00:00:00Z"};
    char *s = written(CARD_MARKDOWN, &o);

    (void)state;
    /* table syntax, emphasis, code and HTML of the values are inert */
    assert_non_null(strstr(s, "Rows \\| \\*bold\\* \\`tick\\` \\<b\\>x\\<"));
    assert_non_null(strstr(s, "\\# not a heading"));
    assert_non_null(strstr(s, "| email\\<i\\> |"));
    assert_non_null(strstr(s, "a\\|b"));
    /* a code span one backtick longer than the longest run inside */
    assert_non_null(strstr(s, "``a`b`c*.csv``"));
    /* no raw HTML anywhere; the runbook keeps its Markdown but no
       javascript: link */
    assert_true(md_lt_escaped(s));
    assert_non_null(strstr(s, "Check \\<script\\>alert(2)"));
    assert_null(strstr(s, "[click]"));
    assert_non_null(strstr(s, "click or [docs](https://example.test/)"));
    assert_non_null(strstr(s, "[docs](https://example.test/)"));
    assert_non_null(strstr(s, "_Exported 2026-03-03T00:00:00Z_"));
    free(s);
}

static void test_terminal_strips_escapes(void **state)
{
    card_opts o = {0};
    char *s;

    (void)state;
    s = written(CARD_TERMINAL, &o);
    assert_null(strchr(s, '\x1b'));
    assert_null(strchr(s, '\x07'));
    assert_non_null(strstr(s, "ops@example.test?[2J?[31m"));
    assert_non_null(strstr(s, "REQUIRED: hold campaigns if the file is "
                              "missing\n"));
    free(s);
    o.color = 1;
    s = written(CARD_TERMINAL, &o);
    /* colours are docket's own SGR sequences, never the registry's */
    assert_null(strstr(s, "\x1b[2J"));
    assert_null(strstr(s, "\x1b]0;"));
    assert_non_null(strstr(s, "\x1b[1;31mREQUIRED"));
    free(s);
}

static void test_message_through_slack(void **state)
{
    char *s = written(CARD_MESSAGE, NULL);
    notify_view v;
    buf out = {0};

    (void)state;
    assert_null(strchr(s, '\x1b'));
    assert_non_null(strstr(s, "Campaigns: REQUIRED: hold campaigns"));
    memset(&v, 0, sizeof v);
    v.headline = empty;
    v.summary = s;
    v.note = empty;
    v.note_label = "Note";
    assert_int_equal(notify_render_slack(&out, &v), 0);
    /* Slack's mentions and markup stay text */
    assert_null(strstr(buf_cstr(&out), "<!here>"));
    assert_null(strstr(buf_cstr(&out), "<!channel>"));
    buf_dispose(&out);
    free(s);
}

static void test_json_round_trip(void **state)
{
    registry_card c = hostile(), back;
    cJSON *doc = registry_card_json(&c);
    card_opts o = {0};
    buf a = {0}, b = {0};

    (void)state;
    assert_non_null(doc);
    assert_int_equal(card_from_json(&back, doc), 0);
    card_write(&a, &c, CARD_TERMINAL, &o);
    card_write(&b, &back, CARD_TERMINAL, &o);
    assert_string_equal(buf_cstr(&a), buf_cstr(&b));
    registry_card_free(&back);
    assert_true(card_from_json(&back, NULL) < 0);
    cJSON_Delete(doc);
    buf_dispose(&a);
    buf_dispose(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dependency_table),
        cmocka_unit_test(test_html_escapes),
        cmocka_unit_test(test_markdown_escapes),
        cmocka_unit_test(test_terminal_strips_escapes),
        cmocka_unit_test(test_message_through_slack),
        cmocka_unit_test(test_json_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
