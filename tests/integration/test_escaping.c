/* test_escaping.c: hostile bytes and markup against the real server and
 * CLI, checked where they come out:
 * - every JSON answer that echoes input (search, lookup, the table API's
 *   404s, an unknown API path) is valid UTF-8 JSON for ill-formed UTF-8
 *   input (0xFF 0xFE, overlongs, surrogates, above U+10FFFF, cut
 *   sequences), and search and lookup refuse it with 400;
 * - `docket export --format markdown` with markup in every field, rendered
 *   by cmark WITH raw HTML allowed, has no tag, attribute or link scheme
 *   docket did not write, and the values are still there as text;
 * - `docket export --format csv` neutralises formula cells (leading
 *   whitespace, | and ; included) and still round-trips through import;
 * - attachment names lose bidi and invisible format characters on upload;
 * - the flash cookie is signed: crafted or altered ones show nothing, a
 *   real one shows once. */
#include "harness.h"

#include "buf.h"
#include "str.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <cmark.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static h_server srv;
static h_session pm, ann;

/* A data dictionary with markup, links, formula starts and bidi controls
 * in every free-text field. */
static const char hostile_dict[] =
    "table,column,type,description,example,rule,campaign_dependency,"
    "campaign_note,source,cadence,file_pattern,owner,escalation,"
    "table_description,runbook,table_kind\n"
    "orders,order_id,bigint,"
    "\"<script>alert(1)</script> & <img src=x onerror=alert(1)> "
    "[x](javascript:alert(1)) | pipe\","
    "\"`a` <b>b</b>\","
    "\"line1\n<iframe src=javascript:alert(1)></iframe>\","
    "required,"
    "\"*bold* <svg onload=alert(1)>\n# heading\n- list\n1. one\","
    "\"<a href=\"\"javascript:alert(1)\"\">s</a>\","
    "daily<img src=x onerror=alert(1)>,"
    "a` <img src=x onerror=alert(1)> `b,"
    "[owner](javascript:alert(1)),"
    "<javascript:alert(1)>,"
    "\"![x](javascript:alert(1)) <details open ontoggle=alert(1)>\","
    "\"**Call** the owner.\n\n<img src=x onerror=alert(1)>\n\n"
    "[click](javascript:alert(1)) <javascript:alert(2)> "
    "![pic](javascript:alert(3)) [ok](https://ok.example/run) <b>bold</b> "
    "[rel](../other.md) [js](<JaVa\tScRiPt:alert(5)>) "
    "[ent](&#106;avascript:alert(6)) <a href=\"\"javascript:alert(7)\"\">a</a> "
    "[mail](mailto:ops@acme.example) [data](data:text/html;base64,PHNjcmlwdD4=)"
    "\n\n<script>alert(4)</script>\n\n`code <b>`\","
    "<b>k</b>\n"
    "orders,customer_id,bigint,\"``` fence ``` and `tick`\",``x``,,,,,,,,,,"
    ",\n"
    "sheet,id,bigint, =1+1,|calc,;x,optional,\"\t@SUM(1)\",+1 555,-daily,"
    "@file,=owner,\" -2\",\" \t+3\",'=quoted,kind\n";

static int up(void **state)
{
    *state = &srv;
    h_server_start(&srv, NULL);
    h_world(&srv, "acme acme-prod acme-qa");
    h_import(&srv, "acme-prod", hostile_dict);
    h_world(&srv, "pat+ ann+", &pm, &ann);
    return 0;
}

/* ---- A: JSON answers are valid UTF-8 ----------------------------------- */

static const char *const bad_bytes[] = {
    "%ff%fe",                   /* never valid */
    "%C0%AF",                   /* overlong '/' */
    "%E0%80%AF",                /* overlong, 3 bytes */
    "%ED%A0%80",                /* surrogate U+D800 */
    "%F4%90%80%80",             /* above U+10FFFF */
    "orders%E2%82",             /* cut at the end */
    "ord%F0%9F%98ers%80%BF%C3", /* cut, stray, cut */
};

/* The body is valid UTF-8 and parses as JSON; returns the status. */
static long json_answer(h_session *s, const char *path)
{
    h_resp r;
    cJSON *j;
    long status;

    h_get(&r, &srv, s, path);
    if (!str_utf8_valid(r.body, r.len))
        fail_msg("%s: the answer is not valid UTF-8: %s", path, r.body);
    assert_int_equal(strlen(r.body), r.len);
    j = cJSON_Parse(r.body);
    if (!j)
        fail_msg("%s: the answer is not JSON: %s", path, r.body);
    cJSON_Delete(j);
    status = r.status;
    h_resp_free(&r);
    return status;
}

/* Where the bad bytes go, who asks (a client or the PM) and the answer:
 * 400 for a query, 404 for a name (errors that quote the input). */
static const struct {
    const char *fmt;
    int client;
    long want;
} probes[] = {
    {"/api/v1/search?q=%s", 0, 400},
    {"/api/v1/lookup?q=%s", 0, 400},
    {"/api/v1/lookup?q=ord&instance=%s", 0, 400},
    {"/api/v1/lookup?q=%s&similar=1", 1, 400},
    {"/api/v1/instances/%s/tables", 0, 404},
    {"/api/v1/instances/acme-prod/tables/%s", 0, 404},
    {"/api/v1/instances/%s/tables/orders", 1, 404},
    {"/api/v1/nothing/%s", 0, 404},
};

static void test_escaping__json_answers_are_valid_utf8(void **state)
{
    char path[300];

    (void)state;
    for (size_t i = 0; i < sizeof bad_bytes / sizeof *bad_bytes; i++) {
        for (size_t k = 0; k < sizeof probes / sizeof *probes; k++) {
            snprintf(path, sizeof path, probes[k].fmt, bad_bytes[i]);
            if (json_answer(probes[k].client ? &ann : &pm, path) !=
                probes[k].want)
                fail_msg("%s: not %ld", path, probes[k].want);
        }
    }
    /* A valid name cut inside a character by an error message's limit. */
    snprintf(path, sizeof path,
             "/api/v1/instances/acme-prod/tables/%s%%C3%%A9%%C3%%A9",
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    assert_int_equal(json_answer(&pm, path), 404);
    /* Valid input still works, and the query comes back as it was. */
    {
        h_resp r;
        cJSON *j;
        h_get(&r, &srv, &pm, "/api/v1/search?q=%C3%A9orders");
        assert_int_equal(r.status, 200);
        j = cJSON_Parse(r.body);
        assert_non_null(j);
        assert_string_equal(cJSON_GetObjectItem(j, "query")->valuestring,
                            "\xC3\xA9orders");
        cJSON_Delete(j);
        h_resp_free(&r);
        h_get_expect(&srv, &pm, "/api/v1/lookup?q=ord", 200, "\"orders\"",
                     NULL);
    }
}

/* ---- B: Markdown export ------------------------------------------------- */

static int allowed_tag(const char *name)
{
    static const char *const ok[] = {
        "p",  "h1", "h2", "h3",         "h4",    "h5",    "h6",
        "ul", "ol", "li", "code",       "pre",   "em",    "strong",
        "a",  "br", "hr", "blockquote", "table", "thead", "tbody",
        "tr", "th", "td", NULL};

    for (size_t i = 0; ok[i]; i++)
        if (!strcmp(ok[i], name))
            return 1;
    return 0;
}

/* Every tag in html is one cmark writes for Markdown syntax, with no
 * event handler and no link to a script scheme: user text can only be
 * text. */
static void assert_html_inert(const char *html, const char *where)
{
    for (const char *p = strchr(html, '<'); p; p = strchr(p + 1, '<')) {
        const char *end = strchr(p, '>');
        char name[32], tag[2048];
        size_t n = 0, k;
        const char *q = p + 1;

        if (!end)
            fail_msg("%s: unterminated tag: %.80s", where, p);
        if (*q == '/')
            q++;
        while (isalnum((unsigned char)*q) && n + 1 < sizeof name)
            name[n++] = (char)tolower((unsigned char)*q++);
        name[n] = '\0';
        if (!allowed_tag(name))
            fail_msg("%s: a <%s> tag reached the HTML: %.120s", where, name, p);
        k = (size_t)(end - p) < sizeof tag - 1 ? (size_t)(end - p)
                                               : sizeof tag - 1;
        for (size_t i = 0; i < k; i++)
            tag[i] = (char)tolower((unsigned char)p[i]);
        tag[k] = '\0';
        if (strstr(tag, " on") || strstr(tag, "javascript") ||
            strstr(tag, "vbscript") || strstr(tag, "data:") ||
            strstr(tag, "src="))
            fail_msg("%s: a tag carries an attribute docket never writes: "
                     "%s>",
                     where, tag);
        if (strncmp(tag, "<a ", 3) == 0 && !strstr(tag, "href=\"https://") &&
            !strstr(tag, "href=\"http://") && !strstr(tag, "href=\"mailto:") &&
            !strstr(tag, "href=\"../") && !strstr(tag, "href=\"acme-") &&
            !strstr(tag, "href=\"changelog.md\""))
            fail_msg("%s: unexpected link: %s>", where, tag);
    }
}

static char *render_unsafe(const char *md)
{
    return cmark_markdown_to_html(md, strlen(md), CMARK_OPT_UNSAFE);
}

static void expect_in(const char *html, const char *want, const char *where)
{
    if (!strstr(html, want))
        fail_msg("%s: missing %s in:\n%s", where, want, html);
}

static void test_escaping__markdown_export_is_inert(void **state)
{
    char dir[700], path[800], *md, *html;
    static const char *const files[] = {"index.md", "acme-prod/orders.md",
                                        "acme-prod/sheet.md", "changelog.md"};

    (void)state;
    /* A second import changes the values, so history rows hold markup
       too. */
    h_import(&srv, "acme-prod",
             "table,column,type,description,owner\n"
             "orders,order_id,bigint,<img src=y onerror=alert(9)>,"
             "<script>alert(8)</script>\n");
    snprintf(dir, sizeof dir, "%s/md", srv.dir);
    h_cli(&srv, "export", "--format", "markdown", "--out", dir, NULL);
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        md = h_read(path, NULL);
        html = render_unsafe(md);
        assert_html_inert(html, files[i]);
        free(md);
        free(html);
    }

    snprintf(path, sizeof path, "%s/acme-prod/orders.md", dir);
    md = h_read(path, NULL);
    html = render_unsafe(md);
    /* The values are still there, as text. */
    expect_in(html, "<code>a` &lt;img src=x onerror=alert(1)&gt; `b</code>",
              "file pattern");
    expect_in(html, "&lt;script&gt;alert(8)&lt;/script&gt;", "owner");
    expect_in(html, "&lt;img src=y onerror=alert(9)&gt;", "description");
    expect_in(html, "``` fence ``` and `tick`", "description with backticks");
    expect_in(html, "[owner](javascript:alert(1))", "old owner in history");
    expect_in(html, "daily&lt;img src=x onerror=alert(1)&gt;", "cadence");
    expect_in(html, "&lt;javascript:alert(1)&gt;", "escalation");
    expect_in(html, "*bold* &lt;svg onload=alert(1)&gt; # heading - list",
              "campaign note");
    expect_in(html, "![x](javascript:alert(1)) &lt;details", "description");
    /* The runbook keeps its Markdown, not its HTML or script links. */
    expect_in(html, "<strong>Call</strong> the owner.", "runbook bold");
    expect_in(html, "<a href=\"https://ok.example/run\">ok</a>",
              "runbook https link");
    expect_in(html, "<a href=\"../other.md\">rel</a>", "runbook relative link");
    expect_in(html, "<a href=\"mailto:ops@acme.example\">mail</a>",
              "runbook mailto link");
    expect_in(html, "&lt;img src=x onerror=alert(1)&gt;", "runbook html");
    expect_in(html, "&lt;script&gt;alert(4)&lt;/script&gt;",
              "runbook script block");
    expect_in(html, "&lt;b&gt;bold&lt;/b&gt;", "runbook inline html");
    expect_in(html, "click", "runbook link text");
    expect_in(html, "<code>code &lt;b&gt;</code>", "runbook code");
    free(md);
    free(html);
}

/* ---- C2: CSV export ------------------------------------------------------ */

static void test_escaping__csv_export_neutralises_and_round_trips(void **state)
{
    char dir[700], dir2[700], path[800], path2[800], *a, *b;
    static const char *const cells[] = {
        "\"' =1+1\"",  "\"'|calc\"",  "\"';x\"",      "\"'\t@SUM(1)\"",
        "\"'+1 555\"", "\"'-daily\"", "\"'@file\"",   "\"'=owner\"",
        "\"' -2\"",    "\"' \t+3\"",  "\"''=quoted\""};

    (void)state;
    snprintf(dir, sizeof dir, "%s/csv", srv.dir);
    h_cli(&srv, "export", "--format", "csv", "--out", dir, NULL);
    snprintf(path, sizeof path, "%s/acme-prod.csv", dir);
    a = h_read(path, NULL);
    for (size_t i = 0; i < sizeof cells / sizeof *cells; i++)
        if (!strstr(a, cells[i]))
            fail_msg("cell %s is not neutralised in:\n%s", cells[i], a);
    /* export -> import -> export gives the same file */
    h_cli(&srv, "import", "--instance", "acme-qa", path, NULL);
    snprintf(dir2, sizeof dir2, "%s/csv2", srv.dir);
    h_cli(&srv, "export", "--format", "csv", "--out", dir2, "--instance",
          "acme-qa", NULL);
    snprintf(path2, sizeof path2, "%s/acme-qa.csv", dir2);
    b = h_read(path2, NULL);
    assert_string_equal(a, b);
    free(a);
    free(b);
}

/* ---- C1: attachment names ------------------------------------------------ */

/* Submits a minimal request with one attachment named filename; returns
 * the response (caller frees). */
static void submit_with_file(h_resp *r, const char *filename)
{
    static const char *const fields[][2] = {
        {"instance", "acme-prod"},
        {"instances", "acme-prod"},
        {"project_manager", "pat@platform.example"},
        {"requester_name", "Ann"},
        {"requester_email", "ann@acme.example"},
        {"title", "Escaping"},
        {"summary", "Names."},
        {"consent_related", "no"},
        {"items[0].kind", "new_table"},
        {"items[0].table", "escaping_names"},
        {"items[0].description", "One row."},
        {"items[0].source", "flat_file_csv"},
        {"items[0].cadence", "daily"},
        {"items[0].expected_arrival", "05:00"},
        {"items[0].late_after_minutes", "120"},
        {"items[0].file_pattern", "x.csv"},
        {"items[0].campaign_dependency", "optional"},
        {"items[0].owner", "data@acme.example"},
        {"items[0].columns[0].name", "id"},
        {"items[0].columns[0].type", "bigint"},
        {"items[0].columns[0].description", "Id"},
    };
    buf b = {0};

    h_mp_field(&b, "csrf", ann.csrf);
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        h_mp_field(&b, fields[i][0], fields[i][1]);
    h_mp_file(&b, "attachments", filename, strlen(filename), "text/csv",
              "id\n1\n", 5);
    h_post_multipart(r, &srv, &ann, "/requests", &b, NULL);
}

static void test_escaping__attachment_names_lose_bidi_controls(void **state)
{
    static const struct {
        const char *sent, *stored;
    } cases[] = {
        {"\xE2\x80\xAE"
         "exe.csv",
         "exe.csv"}, /* shows as "vsc.exe" */
        {"invoice\xE2\x81\xA6\xE2\x80\xAE"
         "vsc.txt\xE2\x81\xA9",
         "invoicevsc.txt"},
        {"a\xE2\x80\x8B"
         "b\xEF\xBB\xBF"
         "c\xE2\x80\x8F"
         "d\xD8\x9C.csv",
         "abcd.csv"},
        {"r\xC3\xA9sum\xC3\xA9 \xE6\x9D\xB1.csv",
         "r\xC3\xA9sum\xC3\xA9 \xE6\x9D\xB1.csv"},
    };
    h_resp r;
    char sql[300];

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int64_t before = h_db_int(&srv, "SELECT count(*) FROM attachments");
        submit_with_file(&r, cases[i].sent);
        if (r.status != 303)
            fail_msg("case %zu: status %ld: %.2000s", i, r.status, r.body);
        h_resp_free(&r);
        assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM attachments"),
                         before + 1);
        snprintf(sql, sizeof sql,
                 "SELECT filename = '%s' FROM attachments ORDER BY id DESC "
                 "LIMIT 1",
                 cases[i].stored);
        if (h_db_int(&srv, sql) != 1)
            fail_msg("case %zu: the stored name is not %s", i, cases[i].stored);
    }
    assert_int_equal(h_db_int(&srv,
                              "SELECT count(*) FROM attachments WHERE "
                              "instr(filename, char(8238)) OR instr(filename, "
                              "char(8294)) OR instr(filename, char(8203)) OR "
                              "instr(filename, char(65279))"),
                     0);
    /* A name of nothing but format characters is refused, nothing
       stored. */
    {
        int64_t before = h_db_int(&srv, "SELECT count(*) FROM requests");
        submit_with_file(&r, "\xE2\x80\xAE\xE2\x80\x8B");
        assert_int_equal(r.status, 422);
        h_resp_free(&r);
        assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM requests"),
                         before);
    }
}

/* ---- C4: the flash cookie ------------------------------------------------ */

/* The docket_flash value a response sets ("" when none, "-" when it
 * clears the cookie). */
static void flash_cookie(const h_resp *r, char *out, size_t size)
{
    const char *p = r->headers;

    snprintf(out, size, "%s", "");
    while ((p = strstr(p, "\nSet-Cookie: docket_flash=")) != NULL) {
        p += strlen("\nSet-Cookie: docket_flash=");
        if (*p == ';')
            snprintf(out, size, "-");
        else
            snprintf(out, size, "%.*s", (int)strcspn(p, ";\r\n"), p);
    }
}

/* GET path with the session and docket_flash=value; returns the body
 * (caller frees) and the flash the response sets. */
static char *get_with_flash(const char *path, const char *value, char *set,
                            size_t setsize)
{
    h_resp r;
    char cookie[1200];
    const char *hdrs[] = {cookie, NULL};
    char *body;

    snprintf(cookie, sizeof cookie, "Cookie: %s; docket_flash=%s", ann.cookie,
             value);
    h_request(&r, &srv, NULL, "GET", path, NULL, NULL, 0, hdrs);
    assert_int_equal(r.status, 200);
    flash_cookie(&r, set, setsize);
    body = strdup(r.body);
    h_resp_free(&r);
    return body;
}

static void test_escaping__flash_cookie_is_signed(void **state)
{
    static const char *const crafted[] = {
        "Your%20account%20is%20locked.%20Call%20%2B1%20555%200100",
        "9999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA."
        "Your%20account%20is%20locked",
        "9999999999..Your%20account%20is%20locked",
        "x.y.Your%20account%20is%20locked",
        "..Your%20account%20is%20locked",
    };
    h_resp r;
    char real[1000], set[1000], forged[1200], loc[200];
    char *body, *dot;

    (void)state;
    for (size_t i = 0; i < sizeof crafted / sizeof *crafted; i++) {
        body = get_with_flash("/requests", crafted[i], set, sizeof set);
        if (strstr(body, "class=\"flash\"") || strstr(body, "locked"))
            fail_msg("crafted cookie %zu was shown", i);
        assert_string_equal(set, "-"); /* and cleared */
        free(body);
    }

    /* A real flash: set by a submission, shown on the next page once. */
    submit_with_file(&r, "flash.csv");
    assert_int_equal(r.status, 303);
    flash_cookie(&r, real, sizeof real);
    assert_true(h_resp_header(&r, "Location", loc, sizeof loc));
    h_resp_free(&r);
    assert_true(strlen(real) > 1);
    body = get_with_flash(loc, real, set, sizeof set);
    assert_non_null(strstr(body, "class=\"flash\""));
    assert_string_equal(set, "-");
    free(body);
    h_get(&r, &srv, &ann, loc); /* the browser dropped the cookie */
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, "class=\"flash\""));
    h_resp_free(&r);

    /* The real MAC with another message shows nothing. */
    dot = strrchr(real, '.');
    assert_non_null(dot);
    snprintf(forged, sizeof forged, "%.*sYour%%20account%%20is%%20locked",
             (int)(dot - real + 1), real);
    body = get_with_flash(loc, forged, set, sizeof set);
    assert_null(strstr(body, "class=\"flash\""));
    assert_null(strstr(body, "locked"));
    free(body);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_escaping__json_answers_are_valid_utf8),
    cmocka_unit_test(test_escaping__markdown_export_is_inert),
    cmocka_unit_test(test_escaping__csv_export_neutralises_and_round_trips),
    cmocka_unit_test(test_escaping__attachment_names_lose_bidi_controls),
    cmocka_unit_test(test_escaping__flash_cookie_is_signed),
};

int main(void)
{
    return cmocka_run_group_tests(tests, up, h_group_down);
}
