/* test_render_feeds.c: the messages of tonight's feeds (feed.missing,
 * feed.failed, feed.recovered, feed.anomaly) from the fixtures of
 * tests/data/notify/payloads: every channel (Slack, Teams, e-mail,
 * webhook, PagerDuty) carries the campaign rule in words, the escalation
 * contact, the runbook and an absolute link to the rules card; PagerDuty
 * gets an Events API v2 alert: a trigger of severity error for a missing
 * or failed required table (warning for an optional one and for an
 * anomaly), keyed per instance, table and slot, and the recovery a
 * resolve with the same key. The inbox's words (notify_event_text) say
 * the rule too. */
#include "fixture.h"
#include "notify_int.h"
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
#define CARD     BASE_URL "/tables/acme-prod/loyalty_events"
#define KEY      "docket-feed-acme-prod-loyalty_events-1796688000"
#define RKEY     "0123456789abcdef0123456789abcdef"

typedef struct rendered {
    cJSON *payload;
    notify_event ev;
    notify_view v;
} rendered;

static void render(rendered *r, const char *name)
{
    char rel[200], *text;

    snprintf(rel, sizeof rel, "notify/payloads/%s.json", name);
    text = ufx_read_data(rel, NULL);
    r->payload = ufx_json_parse(text);
    free(text);
    memset(&r->ev, 0, sizeof r->ev);
    r->ev.uid = "0123456789abcdef0123456789abcdef";
    r->ev.event = name;
    r->ev.created_at = 1796709600;
    r->ev.payload = r->payload;
    notify_view_build(&r->v, &r->ev, BASE_URL);
}

static void dispose(rendered *r)
{
    notify_view_dispose(&r->v);
    cJSON_Delete(r->payload);
}

static void has(const char *text, const char *want)
{
    if (!strstr(text, want))
        fail_msg("no \"%s\" in:\n%s", want, text);
}

/* The Slack, Teams and e-mail message of name hold each string of the
 * NULL-ended list (e-mail: its text part, decoded); the webhook carries
 * the headline, the link and the payload's rule, contact and runbook. */
static void every_channel_says(const char *name, ...)
{
    static const char *const to[] = {"oz@platform.example"};
    rendered r;
    buf out[5] = {{0}};
    va_list ap;
    const char *want;

    render(&r, name);
    assert_int_equal(notify_render_slack(&out[0], &r.v), 0);
    assert_int_equal(notify_render_teams(&out[1], &r.v, NOTIFY_TEAMS_MAX), 0);
    assert_int_equal(notify_render_webhook(&out[2], &r.v, &r.ev), 0);
    assert_int_equal(notify_render_email(&out[3], &r.v, &r.ev,
                                         "docket <docket@platform.example>", to,
                                         1, 1796709600),
                     0);
    /* the e-mail's text part, decoded */
    {
        const char *p = strstr(buf_cstr(&out[3]), "text/plain");
        const char *start, *end;
        unsigned char bin[20000];
        size_t len = 0;
        assert_non_null(p);
        start = strstr(p, "\r\n\r\n") + 4;
        end = strstr(start, "\r\n--");
        assert_int_equal(sodium_base642bin(bin, sizeof bin - 1, start,
                                           (size_t)(end - start), "\r\n", &len,
                                           NULL,
                                           sodium_base64_VARIANT_ORIGINAL),
                         0);
        bin[len] = '\0';
        buf_puts(&out[4], (const char *)bin);
    }
    va_start(ap, name);
    while ((want = va_arg(ap, const char *)) != NULL) {
        has(buf_cstr(&out[0]), want);
        has(buf_cstr(&out[1]), want);
        has(buf_cstr(&out[4]), want);
    }
    va_end(ap);
    /* the webhook: the headline, the link and the whole payload as data */
    has(buf_cstr(&out[2]), "\"url\":\"" CARD "\"");
    has(buf_cstr(&out[2]), "\"campaign_rule\":");
    has(buf_cstr(&out[2]), "\"escalation\":");
    has(buf_cstr(&out[2]), "\"runbook\":");
    has(buf_cstr(&out[2]), r.v.headline);
    for (int i = 0; i < 5; i++)
        buf_dispose(&out[i]);
    dispose(&r);
}

static void
test_render_feeds__every_channel_carries_rule_contact_runbook(void **state)
{
    (void)state;
    every_channel_says("feed.missing", "REQUIRED: hold campaigns",
                       "oz@platform.example", "Check the SFTP drop", CARD,
                       "loyalty_events", "acme-prod", NULL);
    every_channel_says("feed.failed", "REQUIRED: hold campaigns",
                       "oz@platform.example", "checksum mismatch",
                       "once the checksum matches", CARD, NULL);
    every_channel_says("feed.recovered", "REQUIRED: hold campaigns",
                       "oz@platform.example", "Check the SFTP drop", CARD,
                       "1,204,331 rows", NULL);
    every_channel_says("feed.anomaly", "optional: campaigns may run",
                       "none on the rules card", "400 rows", "1,015 rows", CARD,
                       NULL);
}

static void test_render_feeds__words(void **state)
{
    rendered r;

    (void)state;
    render(&r, "feed.missing");
    assert_string_equal(r.v.headline, "Missing: loyalty_events on acme-prod");
    assert_string_equal(r.v.summary,
                        "The file of loyalty_events due 2026-12-08 04:00 UTC "
                        "has not arrived; its grace period ended at "
                        "2026-12-08 05:00 UTC. REQUIRED: hold campaigns.");
    assert_string_equal(r.v.fields[0].label, "Campaign rule");
    assert_string_equal(r.v.fields[0].value, "REQUIRED: hold campaigns");
    assert_string_equal(r.v.fields[1].label, "Escalation");
    assert_string_equal(r.v.note_label, "Runbook");
    assert_string_equal(r.v.url, CARD);
    assert_string_equal(r.v.link_text, "Open the rules card in docket");
    dispose(&r);
    render(&r, "feed.anomaly");
    assert_string_equal(r.v.headline,
                        "Row count anomaly: loyalty_events on acme-prod");
    has(r.v.summary, "arrived with 400 rows, below 50 % of the median of "
                     "the last 14 arrivals (1,015 rows)");
    dispose(&r);
    /* the inbox shows the same words */
    {
        char *h = NULL, *s = NULL,
             *text = ufx_read_data("notify/payloads/feed.failed.json", NULL);
        notify_event_text("feed.failed", text, &h, &s);
        assert_string_equal(h, "Load failed: loyalty_events on acme-prod");
        has(s, "failed at 2026-12-08 04:10 UTC: checksum mismatch");
        has(s, "REQUIRED: hold campaigns");
        free(h);
        free(s);
        free(text);
    }
}

/* The PagerDuty body of name as the channel sends it (an alert). */
static cJSON *pagerduty(const char *name)
{
    rendered r;
    buf out = {0};
    cJSON *j;

    render(&r, name);
    assert_non_null(r.v.pd_action);
    assert_int_equal(notify_render_pagerduty(&out, &r.v, &r.ev, RKEY, 1), 0);
    j = ufx_json_parse(buf_cstr(&out));
    buf_dispose(&out);
    dispose(&r);
    return j;
}

static void test_render_feeds__pagerduty_trigger_then_resolve(void **state)
{
    cJSON *j;

    (void)state;
    j = pagerduty("feed.missing");
    ufx_json_str(j, "event_action", "trigger");
    ufx_json_str(j, "dedup_key", KEY);
    ufx_json_str(j, "payload.severity", "error");
    ufx_json_str(j, "payload.source", "docket");
    has(ufx_json_at(j, "payload.summary")->valuestring,
        "Missing: loyalty_events on acme-prod (REQUIRED: hold campaigns)");
    ufx_json_str(j, "payload.custom_details.Escalation",
                 "oz@platform.example, +44 20 7946 0000");
    ufx_json_str(j, "links.0.href", CARD);
    cJSON_Delete(j);

    j = pagerduty("feed.failed");
    ufx_json_str(j, "event_action", "trigger");
    ufx_json_str(j, "dedup_key", KEY);
    ufx_json_str(j, "payload.severity", "error");
    cJSON_Delete(j);

    /* the recovery resolves the same incident, and says nothing else */
    j = pagerduty("feed.recovered");
    ufx_json_str(j, "event_action", "resolve");
    ufx_json_str(j, "dedup_key", KEY);
    ufx_json_str(j, "routing_key", RKEY);
    assert_int_equal(cJSON_GetArraySize(j), 3);
    cJSON_Delete(j);

    j = pagerduty("feed.anomaly");
    ufx_json_str(j, "event_action", "trigger");
    ufx_json_str(j, "dedup_key", KEY "-rows");
    ufx_json_str(j, "payload.severity", "warning");
    cJSON_Delete(j);

    /* an optional table's missing file is a warning */
    {
        rendered r;
        buf out = {0};
        char *text = ufx_read_data("notify/payloads/feed.missing.json", NULL);
        cJSON *p = ufx_json_parse(text);
        free(text);
        cJSON_ReplaceItemInObject(p, "campaign_dependency",
                                  cJSON_CreateString("optional"));
        cJSON_ReplaceItemInObject(
            p, "campaign_rule",
            cJSON_CreateString("optional: campaigns may run"));
        memset(&r.ev, 0, sizeof r.ev);
        r.ev.uid = "u";
        r.ev.event = "feed.missing";
        r.ev.payload = p;
        notify_view_build(&r.v, &r.ev, BASE_URL);
        assert_int_equal(notify_render_pagerduty(&out, &r.v, &r.ev, RKEY, 1),
                         0);
        j = ufx_json_parse(buf_cstr(&out));
        ufx_json_str(j, "payload.severity", "warning");
        has(ufx_json_at(j, "payload.summary")->valuestring,
            "optional: campaigns may run");
        cJSON_Delete(j);
        buf_dispose(&out);
        notify_view_dispose(&r.v);
        cJSON_Delete(p);
    }
    /* other events keep their change event or info alert */
    {
        rendered r;
        render(&r, "request.deployed");
        assert_null(r.v.pd_action);
        dispose(&r);
    }
}

/* [route] takes the feed events like the others, and refuses an event
 * docket never sends instead of routing nothing; [feeds] keep_days is a
 * number of days, 400 by default. */
static void test_render_feeds__routes_and_keep_days(void **state)
{
    config c;
    errmsg err = {0};

    (void)state;
    cfg_init(&c);
    assert_int_equal(c.feeds_keep_days, 400);
    assert_int_equal(cfg_set(&c, "channel.oncall", "type", "pagerduty", &err),
                     0);
    assert_int_equal(cfg_set(&c, "channel.oncall", "routing_key", RKEY, &err),
                     0);
    assert_int_equal(cfg_set(&c, "route", "feed.missing", "oncall", &err), 0);
    assert_int_equal(cfg_set(&c, "route", "feed.recovered", "oncall", &err), 0);
    assert_int_equal(cfg_set(&c, "route", "feed.failed", "oncall", &err), 0);
    assert_int_equal(cfg_set(&c, "route", "feed.anomaly", "oncall", &err), 0);
    assert_int_equal(cfg_finish(&c, &err), 0);
    assert_int_equal(notify_config_check(&c, &err), 0);
    assert_int_equal(cfg_set(&c, "route", "feed.mising", "oncall", &err), 0);
    assert_int_equal(notify_config_check(&c, &err), ERR_INVALID);
    has(err.msg, "feed.mising is not an event docket sends");
    err_clear(&err);
    assert_int_equal(cfg_set(&c, "feeds", "keep_days", "30", &err), 0);
    assert_int_equal(c.feeds_keep_days, 30);
    assert_int_equal(cfg_set(&c, "feeds", "keep_days", "0", &err), ERR_INVALID);
    has(err.msg, "feeds.keep_days");
    assert_int_equal(c.feeds_keep_days, 30);
    cfg_dispose(&c);
}

UFX_MAIN(cmocka_unit_test(
             test_render_feeds__every_channel_carries_rule_contact_runbook),
         cmocka_unit_test(test_render_feeds__routes_and_keep_days),
         cmocka_unit_test(test_render_feeds__words),
         cmocka_unit_test(test_render_feeds__pagerduty_trigger_then_resolve))
