/* notify_message.c: libFuzzer target for the notification path: an event
 * payload (any bytes, parsed as JSON) is turned into a view and rendered
 * for every channel, and the rest of the input is used as a Retry-After
 * header. Asserts what must hold for hostile input: the e-mail header
 * block has no bare CR or LF (no header injection), every JSON body parses
 * back, and Slack/Teams bodies stay within their limits. */
#include "notify_int.h"
#include "buf.h"

#include <assert.h>
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_json(const buf *b)
{
    cJSON *j;

    if (buf_error(b))
        return;
    j = cJSON_Parse(buf_cstr(b));
    assert(j != NULL);
    cJSON_Delete(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    const char *split;
    cJSON *payload;
    notify_event ev = {0};
    notify_view v;
    buf b = {0};
    const char *to[] = {"ops@example.com"};
    int64_t after = 0;
    const char *hdr_end;

    memcpy(text, data, size);
    text[size] = '\0';
    /* "payload\n--\nretry-after" */
    split = strstr(text, "\n--\n");
    notify_retry_after_parse(&after, split ? split + 4 : text, 1700000000,
                             3600);
    payload = cJSON_Parse(text);
    if (!cJSON_IsObject(payload)) {
        cJSON_Delete(payload);
        payload = cJSON_CreateObject();
    }
    ev.uid = "0123456789abcdef0123456789abcdef";
    ev.event = "request.deployed";
    ev.created_at = 1700000000;
    ev.payload = payload;
    notify_view_build(&v, &ev, "https://docket.example.com");

    notify_render_slack(&b, &v);
    check_json(&b);
    buf_reset(&b);
    if (notify_render_teams(&b, &v, NOTIFY_TEAMS_MAX) == 0) {
        assert(b.len <= NOTIFY_TEAMS_MAX);
        check_json(&b);
    }
    buf_reset(&b);
    notify_render_pagerduty(&b, &v, &ev, "0123456789abcdef0123456789abcdef", 0);
    check_json(&b);
    buf_reset(&b);
    notify_render_webhook(&b, &v, &ev);
    check_json(&b);
    buf_reset(&b);
    if (notify_render_email(&b, &v, &ev, "docket <docket@example.com>", to, 1,
                            1700000000) == 0) {
        /* Every line of the header block ends with CRLF, and no CR or LF
           stands alone in it. */
        const char *s = buf_cstr(&b);
        hdr_end = strstr(s, "\r\n\r\n");
        assert(hdr_end != NULL);
        for (const char *p = s; p < hdr_end; p++) {
            if (*p == '\r')
                assert(p[1] == '\n');
            if (*p == '\n')
                assert(p > s && p[-1] == '\r');
        }
    }
    buf_dispose(&b);
    notify_view_dispose(&v);
    cJSON_Delete(payload);
    free(text);
    return 0;
}
