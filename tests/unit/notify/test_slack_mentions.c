/* test_slack_mentions.c: user text in a Slack message can never notify a
 * channel: @here, @channel and @everyone in any field come out with a
 * WORD JOINER (U+2060) after the '@' (still readable, no longer the
 * keyword), Slack's own <!here> syntax stays escaped, every mrkdwn text
 * object is "verbatim" (no automatic linking of names or channels), and
 * e-mail addresses are left alone. */
#include "fixture.h"
#include "notify_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define WJ "\xE2\x81\xA0"

static char *dup(const char *s)
{
    return strcpy(malloc(strlen(s) + 1), s);
}

static void view_with_mentions(notify_view *v, const char *m)
{
    char text[256];

    memset(v, 0, sizeof *v);
    snprintf(text, sizeof text, "%s deploy of orders", m);
    v->headline = dup(text);
    snprintf(text, sizeof text, "Please look, %s. Owner ops@channel.example.",
             m);
    v->summary = dup(text);
    v->note_label = "Reason";
    snprintf(text, sizeof text, "(%s)\n%s: now", m, m);
    v->note = dup(text);
    v->fields[0].label = "Owner";
    v->fields[0].value = dup(m);
    v->nfields = 1;
    v->items = calloc(1, sizeof *v->items);
    v->items_cap = v->nitems = 1;
    snprintf(text, sizeof text, "acme-prod / %s", m);
    v->items[0].title = dup(text);
    v->items[0].detail = dup(m);
    v->items[0].url = dup("https://docket.example/tables/acme-prod/orders");
    v->url = dup("https://docket.example/requests/1");
    v->link_text = dup(m);
    v->pd_summary = dup("");
}

/* 1 when s holds '@' + keyword at a word start (what Slack would turn into
 * a channel-wide notification), or, in mrkdwn, Slack's "<!" syntax (plain
 * text is shown as it is). */
static int has_mention(const char *s, int mrkdwn)
{
    static const char *const kw[] = {"here", "channel", "everyone"};

    for (const char *p = s; *p; p++) {
        if (*p != '@' || (p > s && isalnum((unsigned char)p[-1])))
            continue;
        for (size_t k = 0; k < 3; k++)
            if (!strncasecmp(p + 1, kw[k], strlen(kw[k])))
                return 1;
    }
    return mrkdwn && strstr(s, "<!") != NULL;
}

/* Checks every text of the message (the top-level fallback "text" is
 * mrkdwn too); returns how many texts it saw. */
static int check_texts(const cJSON *j, int *mrkdwn)
{
    const cJSON *c;
    int n = 0;

    if (cJSON_IsObject(j)) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "type");
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(j, "text");
        int md =
            !cJSON_IsString(type) || strcmp(type->valuestring, "plain_text");
        if (cJSON_IsString(type) && !strcmp(type->valuestring, "mrkdwn")) {
            (*mrkdwn)++;
            assert_true(
                cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "verbatim")));
        }
        if (cJSON_IsString(text)) {
            n++;
            if (has_mention(text->valuestring, md))
                fail_msg("a mention survived: %s", text->valuestring);
        }
    }
    cJSON_ArrayForEach(c, j) n += check_texts(c, mrkdwn);
    return n;
}

static void test_slack_mentions__never_notify(void **state)
{
    static const char *const mentions[] = {
        "@here",     "@channel",     "@everyone",          "@HERE",
        "@Channel!", "<!here>",      "<!channel|channel>", "<!everyone>",
        "x @here",   "@here@channel"};

    (void)state;
    for (size_t i = 0; i < sizeof mentions / sizeof *mentions; i++) {
        notify_view v;
        buf out = {0};
        cJSON *j;
        int mrkdwn = 0;

        view_with_mentions(&v, mentions[i]);
        assert_int_equal(notify_render_slack(&out, &v), 0);
        j = cJSON_Parse(buf_cstr(&out));
        assert_non_null(j);
        assert_true(check_texts(j, &mrkdwn) >= 6);
        assert_true(mrkdwn >= 4); /* summary, fields, item, context */
        /* still readable, and addresses untouched */
        if (mentions[i][0] == '@')
            assert_non_null(strstr(buf_cstr(&out), "@" WJ));
        assert_non_null(strstr(buf_cstr(&out), "ops@channel.example"));
        cJSON_Delete(j);
        buf_dispose(&out);
        notify_view_dispose(&v);
    }
}

UFX_MAIN(cmocka_unit_test(test_slack_mentions__never_notify))
