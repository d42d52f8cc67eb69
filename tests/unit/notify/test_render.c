/* test_render.c: message rendering for every channel and event, checked
 * against golden files in tests/data/notify/golden/ (regenerate with
 * UPDATE_GOLDEN=1), plus the channel limits (Slack blocks, Teams 28 KB,
 * PagerDuty summary) and hostile input in every output. */
#include "fixture.h"
#include "notify_int.h"
#include "mem.h"
#include "str.h"
#include "notify_test.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE_URL "https://docket.example"
#define UID      "0123456789abcdef0123456789abcdef"
#define CREATED  1796724000 /* 2026-12-08T10:00:00Z */

static const char *events[] = {
    "request.submitted",  "request.updated",  "request.commented",
    "request.needs_info", "request.answered", "request.scheduled",
    "request.deployed",   "request.rejected", "deploy.digest",
    "delivery.failed",    "hostile",
};

static cJSON *load_payload(const char *name)
{
    char path[1024];
    char *text;
    cJSON *p;

    snprintf(path, sizeof path, "%s/notify/payloads/%s.json", TEST_DATA_DIR,
             name);
    text = nt_read_file(path);
    assert_non_null(text);
    p = cJSON_Parse(text);
    free(text);
    assert_non_null(p);
    return p;
}

static void make_view(notify_view *v, notify_event *ev, cJSON *p)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(p, "event");

    ev->uid = UID;
    ev->event = cJSON_IsString(e) ? e->valuestring : "unknown";
    ev->created_at = CREATED;
    ev->payload = p;
    notify_view_build(v, ev, BASE_URL);
}

/* Re-prints JSON so golden files are readable. */
static char *pretty(const char *json)
{
    cJSON *j = cJSON_Parse(json);
    char *out, *with_nl;
    size_t n;

    assert_non_null(j);
    out = cJSON_Print(j);
    cJSON_Delete(j);
    n = strlen(out);
    with_nl = malloc(n + 2);
    memcpy(with_nl, out, n);
    with_nl[n] = '\n';
    with_nl[n + 1] = '\0';
    free(out);
    return with_nl;
}

static int golden_json(const char *channel, const char *event, const buf *out)
{
    char rel[256];
    char *p = pretty(buf_cstr(out));
    int rc;

    snprintf(rel, sizeof rel, "%s/%s.json", channel, event);
    rc = nt_golden(rel, p);
    free(p);
    return rc;
}

/* The decoded body of the MIME part with the given content type. */
static char *mime_part(const char *msg, const char *type)
{
    char hdr[128];
    const char *p, *start, *end;
    unsigned char *bin;
    size_t len = 0;

    snprintf(hdr, sizeof hdr, "Content-Type: %s", type);
    p = strstr(msg, hdr);
    if (!p)
        return NULL;
    start = strstr(p, "\r\n\r\n");
    if (!start)
        return NULL;
    start += 4;
    end = strstr(start, "\r\n--");
    if (!end)
        return NULL;
    bin = malloc((size_t)(end - start) + 1);
    if (sodium_base642bin(bin, (size_t)(end - start), start,
                          (size_t)(end - start), "\r\n", &len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        free(bin);
        return NULL;
    }
    bin[len] = '\0';
    return (char *)bin;
}

/* The PagerDuty message of v (an alert when alert), rendered without an
 * error. */
static void pagerduty(buf *out, const notify_view *v, const notify_event *ev,
                      int alert)
{
    assert_int_equal(notify_render_pagerduty(
                         out, v, ev, "0123456789abcdef0123456789abcdef", alert),
                     0);
}

static void test_render__golden_every_channel_and_event(void **state)
{
    int failures = 0;

    (void)state;
    for (size_t i = 0; i < sizeof events / sizeof *events; i++) {
        cJSON *p = load_payload(events[i]);
        notify_event ev;
        notify_view v;
        buf out = {0};
        const char *to[] = {"ann@acme.example", "pm@platform.example"};
        char rel[256], *part;

        make_view(&v, &ev, p);

        assert_int_equal(notify_render_slack(&out, &v), 0);
        failures += golden_json("slack", events[i], &out) != 0;
        buf_reset(&out);
        assert_int_equal(notify_render_teams(&out, &v, NOTIFY_TEAMS_MAX), 0);
        failures += golden_json("teams", events[i], &out) != 0;
        buf_reset(&out);
        pagerduty(&out, &v, &ev, 0);
        failures += golden_json("pagerduty", events[i], &out) != 0;
        buf_reset(&out);
        if (!strcmp(events[i], "delivery.failed")) {
            pagerduty(&out, &v, &ev, 1);
            failures += golden_json("pagerduty-alert", events[i], &out) != 0;
            buf_reset(&out);
        }
        assert_int_equal(notify_render_webhook(&out, &v, &ev), 0);
        failures += golden_json("webhook", events[i], &out) != 0;
        buf_reset(&out);

        assert_int_equal(notify_render_email(&out, &v, &ev,
                                             "Docket <docket@platform.example>",
                                             to, 2, CREATED),
                         0);
        snprintf(rel, sizeof rel, "email/%s.eml", events[i]);
        failures += nt_golden(rel, buf_cstr(&out)) != 0;
        part = mime_part(buf_cstr(&out), "text/plain");
        assert_non_null(part);
        snprintf(rel, sizeof rel, "email/%s.txt", events[i]);
        failures += nt_golden(rel, part) != 0;
        free(part);
        part = mime_part(buf_cstr(&out), "text/html");
        assert_non_null(part);
        snprintf(rel, sizeof rel, "email/%s.html", events[i]);
        failures += nt_golden(rel, part) != 0;
        free(part);

        buf_dispose(&out);
        notify_view_dispose(&v);
        cJSON_Delete(p);
    }
    assert_int_equal(failures, 0);
}

/* Every string value in a JSON tree. */
static void collect_strings(const cJSON *j, buf *all)
{
    const cJSON *c;

    if (cJSON_IsString(j)) {
        buf_puts(all, j->valuestring);
        buf_putc(all, '\n');
    }
    cJSON_ArrayForEach(c, j) collect_strings(c, all);
}

static void test_render__hostile_text_is_neutralised(void **state)
{
    cJSON *p = load_payload("hostile"), *j;
    notify_event ev;
    notify_view v;
    buf out = {0}, all = {0};
    const char *to[] = {"pm@platform.example"};
    char *text, *html;

    (void)state;
    make_view(&v, &ev, p);

    /* Slack: no user '<' survives in mrkdwn, so no <!channel>, no
       <url|text>. The header is plain_text, which Slack never parses. */
    notify_render_slack(&out, &v);
    j = cJSON_Parse(buf_cstr(&out));
    assert_non_null(j);
    {
        cJSON *blocks = cJSON_GetObjectItem(j, "blocks");
        cJSON *header = cJSON_GetArrayItem(blocks, 0);
        assert_string_equal(cJSON_GetObjectItem(header, "type")->valuestring,
                            "header");
        assert_string_equal(
            cJSON_GetObjectItem(cJSON_GetObjectItem(header, "text"), "type")
                ->valuestring,
            "plain_text");
        cJSON_DeleteItemFromArray(blocks, 0);
    }
    collect_strings(j, &all);
    assert_null(strstr(buf_cstr(&all), "<!"));
    assert_null(strstr(buf_cstr(&all), "<http://evil"));
    assert_null(strstr(buf_cstr(&all), "<@U123>"));
    assert_non_null(strstr(buf_cstr(&all), "&lt;!channel&gt;"));
    /* The only links are ours, to docket. */
    for (const char *s = strchr(buf_cstr(&all), '<'); s; s = strchr(s + 1, '<'))
        assert_true(str_startswith(s, "<https://docket.example/"));
    /* The hostile table URL had no leading '/', so it is no link. */
    assert_null(strstr(buf_cstr(&all), "evil.example/x"));
    cJSON_Delete(j);
    buf_reset(&all);
    buf_reset(&out);

    /* Teams: user text only in TextRuns (never Markdown). */
    notify_render_teams(&out, &v, NOTIFY_TEAMS_MAX);
    assert_non_null(strstr(buf_cstr(&out), "[x](http://evil.example)"));
    j = cJSON_Parse(buf_cstr(&out));
    {
        const cJSON *body = cJSON_GetObjectItem(
            cJSON_GetObjectItem(
                cJSON_GetArrayItem(cJSON_GetObjectItem(j, "attachments"), 0),
                "content"),
            "body");
        const cJSON *b;
        cJSON_ArrayForEach(b, body)
        {
            const char *type = cJSON_GetObjectItem(b, "type")->valuestring;
            if (!strcmp(type, "TextBlock")) {
                const char *t = cJSON_GetObjectItem(b, "text")->valuestring;
                assert_null(strstr(t, "evil"));
                assert_null(strstr(t, "**"));
            }
        }
    }
    cJSON_Delete(j);
    buf_reset(&out);

    /* E-mail: one header per line, no injected Bcc/X-Injected, the HTML
       escaped. */
    notify_render_email(&out, &v, &ev, "Docket <docket@platform.example>", to,
                        1, CREATED);
    {
        const char *end = strstr(buf_cstr(&out), "\r\n\r\n");
        char *headers;
        assert_non_null(end);
        headers = strndup(buf_cstr(&out), (size_t)(end - buf_cstr(&out)));
        assert_null(strstr(headers, "\r\nBcc:"));
        assert_null(strstr(headers, "\r\nX-Injected"));
        /* Bare CR or LF never appear in headers. */
        for (const char *s = headers; *s; s++) {
            if (*s == '\r')
                assert_int_equal(s[1], '\n');
            if (*s == '\n')
                assert_true(s > headers && s[-1] == '\r');
        }
        /* The subject is encoded (non-ASCII). */
        assert_non_null(strstr(headers, "Subject: =?UTF-8?B?"));
        free(headers);
    }
    html = mime_part(buf_cstr(&out), "text/html");
    assert_non_null(html);
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "<img"));
    assert_non_null(strstr(html, "&lt;img src=x onerror=alert(1)&gt;"));
    assert_null(strstr(html, "href=\"@"));
    /* The link's quote and brackets were percent-encoded. */
    assert_non_null(
        strstr(html, "href=\"https://docket.example/requests/13%7C%3Cevil%3E"
                     "%22%20onclick=%22x\""));
    text = mime_part(buf_cstr(&out), "text/plain");
    assert_non_null(text);
    assert_null(strchr(text, '\a'));
    free(text);
    free(html);

    buf_dispose(&out);
    buf_dispose(&all);
    notify_view_dispose(&v);
    cJSON_Delete(p);
}

/* UTF-16 length, as Slack counts. */
static size_t u16len(const char *s)
{
    size_t n = 0;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c & 0xC0) != 0x80)
            n += c >= 0xF0 ? 2 : 1;
    }
    return n;
}

static cJSON *huge_payload(void)
{
    cJSON *p = cJSON_CreateObject(), *r, *tables;
    buf t = {0};

    cJSON_AddStringToObject(p, "event", "request.deployed");
    r = cJSON_AddObjectToObject(p, "request");
    cJSON_AddNumberToObject(r, "id", 7);
    cJSON_AddStringToObject(r, "number", "CR-7");
    for (int i = 0; i < 100; i++)
        buf_puts(&t, "Tïtle😀&<> ");
    cJSON_AddStringToObject(r, "title", buf_cstr(&t));
    buf_reset(&t);
    for (int i = 0; i < 3000; i++)
        buf_puts(&t, "a&<é ");
    cJSON_AddStringToObject(p, "note", buf_cstr(&t));
    cJSON_AddStringToObject(p, "instance", "acme-prod");
    tables = cJSON_AddArrayToObject(p, "tables");
    for (int i = 0; i < 120; i++) {
        cJSON *tb = cJSON_CreateObject();
        char name[64], url[96];
        snprintf(name, sizeof name, "table_%03d_with_a_rather_long_name", i);
        snprintf(url, sizeof url, "/tables/acme-prod/%s", name);
        cJSON_AddStringToObject(tb, "instance", "acme-prod");
        cJSON_AddStringToObject(tb, "table", name);
        cJSON_AddStringToObject(tb, "campaign_dependency",
                                i % 2 ? "required" : "optional");
        cJSON_AddBoolToObject(tb, "consent", i % 3 == 0);
        cJSON_AddStringToObject(tb, "url", url);
        cJSON_AddItemToArray(tables, tb);
    }
    buf_dispose(&t);
    return p;
}

/* The view of the huge payload, for the size limits (the state of the
 * tests that use it). */
typedef struct huge {
    cJSON *p;
    notify_event ev;
    notify_view v;
    buf out;
} huge;

static int huge_setup(void **state)
{
    huge *h = calloc(1, sizeof *h);

    assert_non_null(h);
    h->p = huge_payload();
    make_view(&h->v, &h->ev, h->p);
    *state = h;
    return 0;
}

static int huge_teardown(void **state)
{
    huge *h = *state;

    buf_dispose(&h->out);
    notify_view_dispose(&h->v);
    cJSON_Delete(h->p);
    free(h);
    return 0;
}

static void test_render__slack_limits(void **state)
{
    huge *h = *state;
    cJSON *j, *blocks, *b;

    assert_int_equal(notify_render_slack(&h->out, &h->v), 0);
    j = cJSON_Parse(buf_cstr(&h->out));
    assert_non_null(j);
    assert_true(str_utf8_valid(buf_cstr(&h->out), h->out.len));
    blocks = cJSON_GetObjectItem(j, "blocks");
    assert_true(cJSON_GetArraySize(blocks) <= 50);
    assert_true(cJSON_GetArraySize(blocks) >= 45); /* not dropped wholesale */
    cJSON_ArrayForEach(b, blocks)
    {
        const char *type = cJSON_GetObjectItem(b, "type")->valuestring;
        const cJSON *text = cJSON_GetObjectItem(b, "text");
        const cJSON *fields = cJSON_GetObjectItem(b, "fields");
        const cJSON *f;
        if (!strcmp(type, "header")) {
            const char *s = cJSON_GetObjectItem(text, "text")->valuestring;
            assert_true(u16len(s) <= 150);
            assert_true(u16len(s) >= 140);
        }
        if (!strcmp(type, "section") && text) {
            const char *s = cJSON_GetObjectItem(text, "text")->valuestring;
            size_t n = u16len(s);
            assert_true(n >= 1 && n <= 3000);
            /* Never cut inside an entity. */
            const char *amp = strrchr(s, '&');
            if (amp)
                assert_non_null(strchr(amp, ';'));
        }
        if (fields) {
            assert_true(cJSON_GetArraySize(fields) <= 10);
            cJSON_ArrayForEach(f, fields)
            {
                const char *s = cJSON_GetObjectItem(f, "text")->valuestring;
                assert_true(u16len(s) <= 2000);
            }
        }
    }
    assert_non_null(strstr(buf_cstr(&h->out), "more: see docket"));
    cJSON_Delete(j);
}

static void test_render__teams_fits_28k(void **state)
{
    huge *h = *state;

    assert_int_equal(notify_render_teams(&h->out, &h->v, NOTIFY_TEAMS_MAX), 0);
    assert_true(h->out.len <= NOTIFY_TEAMS_MAX);
    assert_true(h->out.len > NOTIFY_TEAMS_MAX / 4); /* shrunk, not emptied */
    assert_true(str_utf8_valid(buf_cstr(&h->out), h->out.len));
    assert_non_null(strstr(buf_cstr(&h->out), "more: see docket"));
    assert_non_null(
        strstr(buf_cstr(&h->out), "application/vnd.microsoft.card.adaptive"));
}

static void test_render__pagerduty_summary_limit(void **state)
{
    huge *h = *state;
    cJSON *j;
    const char *summary;

    notify_render_pagerduty(&h->out, &h->v, &h->ev,
                            "0123456789abcdef0123456789abcdef", 0);
    j = cJSON_Parse(buf_cstr(&h->out));
    summary = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "payload"), "summary")
                  ->valuestring;
    assert_true(strlen(summary) >= 1 && strlen(summary) <= 1024);
    assert_true(str_utf8_valid(summary, strlen(summary)));
    assert_true(str_startswith(summary, "Rules of tables table_000"));
    cJSON_Delete(j);
}

static void test_render__empty_payload_still_renders(void **state)
{
    cJSON *p = cJSON_CreateObject();
    notify_event ev = {UID, "request.deployed", CREATED, p, NULL};
    notify_view v;
    buf out = {0};

    (void)state;
    notify_view_build(&v, &ev, "");
    assert_string_equal(v.headline, "Request deployed");
    assert_null(v.url); /* no base_url: no links */
    assert_int_equal(notify_render_slack(&out, &v), 0);
    {
        cJSON *j = cJSON_Parse(buf_cstr(&out));
        assert_non_null(j);
        cJSON_Delete(j);
    }
    buf_dispose(&out);
    notify_view_dispose(&v);
    cJSON_Delete(p);
}

/* The inbox's wording: a registry edit names the table, the instance and
 * the fields by their labels; the digest counts the items. */
static void test_render__inbox_text(void **state)
{
    cJSON *p = load_payload("registry.changed");
    char *json = cJSON_PrintUnformatted(p), *head, *sum;

    (void)state;
    notify_event_text("registry.changed", json, &head, &sum);
    assert_string_equal(head,
                        "Rules of loyalty_events.tier on acme-prod changed");
    assert_non_null(strstr(sum, "Pat Quinn edited the registry: "));
    assert_null(strstr(sum, "_")); /* labels, not field names */
    xfree_all(head, sum, json);
    cJSON_Delete(p);
    p = load_payload("inbox.digest");
    json = cJSON_PrintUnformatted(p);
    notify_event_text("inbox.digest", json, &head, &sum);
    assert_string_equal(head, "3 unread items in your docket inbox");
    xfree_all(head, sum, json);
    cJSON_Delete(p);
}

UFX_MAIN(cmocka_unit_test(test_render__golden_every_channel_and_event),
         cmocka_unit_test(test_render__inbox_text),
         cmocka_unit_test(test_render__hostile_text_is_neutralised),
         cmocka_unit_test_setup_teardown(test_render__slack_limits, huge_setup,
                                         huge_teardown),
         cmocka_unit_test_setup_teardown(test_render__teams_fits_28k,
                                         huge_setup, huge_teardown),
         cmocka_unit_test_setup_teardown(test_render__pagerduty_summary_limit,
                                         huge_setup, huge_teardown),
         cmocka_unit_test(test_render__empty_payload_still_renders))
