/* render_other.c: a notify_view as a PagerDuty Events API v2 body (change
 * event, or an opt-in alert), as the generic signed-webhook body, and as
 * an RFC 5322 e-mail (multipart/alternative, text and HTML). Slack and
 * Teams are in render_slack.c and render_teams.c. */
#include "notify_int.h"
#include "mem.h"
#include "str.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static void put_json(buf *out, cJSON *root)
{
    char *json = cJSON_PrintUnformatted(root);

    buf_puts(out, json);
    free(json);
    cJSON_Delete(root);
}

int notify_render_pagerduty(buf *out, const notify_view *v,
                            const notify_event *ev, const char *routing_key,
                            int alert)
{
    cJSON *root = cJSON_CreateObject(), *payload, *details;
    char ts[32];

    time_iso(ts, sizeof ts, ev->created_at);
    cJSON_AddStringToObject(root, "routing_key", routing_key);
    if (alert) {
        cJSON_AddStringToObject(root, "event_action",
                                v->pd_action ? v->pd_action : "trigger");
        /* One incident per event, however often it is retried; a feed's
           per slot of a table, so its recovery resolves it. */
        cJSON_AddStringToObject(root, "dedup_key",
                                v->pd_dedup_key ? v->pd_dedup_key : ev->uid);
        if (v->pd_action && !strcmp(v->pd_action, "resolve")) {
            /* PagerDuty reads only the key of a resolve */
            put_json(out, root);
            return buf_error(out);
        }
    }
    payload = cJSON_AddObjectToObject(root, "payload");
    cJSON_AddStringToObject(payload, "summary", v->pd_summary);
    cJSON_AddStringToObject(payload, "source", "docket");
    if (alert)
        cJSON_AddStringToObject(payload, "severity",
                                v->pd_severity ? v->pd_severity : "info");
    cJSON_AddStringToObject(payload, "timestamp", ts);
    details = cJSON_AddObjectToObject(payload, "custom_details");
    cJSON_AddStringToObject(details, "event", ev->event);
    cJSON_AddStringToObject(details, "event_id", ev->uid);
    for (size_t i = 0; i < v->nfields; i++)
        cJSON_AddStringToObject(details, v->fields[i].label,
                                v->fields[i].value);
    if (*v->note)
        cJSON_AddStringToObject(details, v->note_label, v->note);
    if (v->url) {
        cJSON *links = cJSON_AddArrayToObject(root, "links");
        cJSON *l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "href", v->url);
        cJSON_AddStringToObject(l, "text", v->link_text);
        cJSON_AddItemToArray(links, l);
    }
    put_json(out, root);
    return buf_error(out);
}

int notify_render_webhook(buf *out, const notify_view *v,
                          const notify_event *ev)
{
    cJSON *root = cJSON_CreateObject();
    char ts[32];

    time_iso(ts, sizeof ts, ev->created_at);
    cJSON_AddStringToObject(root, "id", ev->uid);
    cJSON_AddStringToObject(root, "type", ev->event);
    cJSON_AddStringToObject(root, "timestamp", ts);
    cJSON_AddStringToObject(root, "summary", v->headline);
    if (v->url)
        cJSON_AddStringToObject(root, "url", v->url);
    cJSON_AddItemToObject(root, "data", cJSON_Duplicate(ev->payload, 1));
    put_json(out, root);
    return buf_error(out);
}

/* ---- e-mail ---- */

static void text_body(buf *t, const notify_view *v)
{
    buf_appendf(t, "%s\n\n%s\n", v->headline, v->summary);
    if (*v->note) {
        buf_appendf(t, "\n%s:\n", v->note_label);
        buf_append_lines(t, v->note, "  ");
    }
    if (v->nfields)
        buf_puts(t, "\n");
    for (size_t i = 0; i < v->nfields; i++) {
        buf_appendf(t, "%s: ", v->fields[i].label);
        /* Continuation lines of a value are indented. */
        for (const char *val = v->fields[i].value; *val; val++) {
            buf_putc(t, *val);
            if (*val == '\n')
                buf_puts(t, "  ");
        }
        buf_puts(t, "\n");
    }
    if (v->nitems)
        buf_puts(t, "\n");
    for (size_t i = 0; i < v->nitems; i++) {
        const notify_item *it = &v->items[i];
        buf_appendf(t, "- %s", it->title);
        if (*it->detail)
            buf_appendf(t, " (%s)", it->detail);
        buf_puts(t, "\n");
        if (it->url)
            buf_appendf(t, "  %s\n", it->url);
    }
    if (v->url)
        buf_appendf(t, "\n%s (the source of truth):\n%s\n", v->link_text,
                    v->url);
}

/* open, then text HTML-escaped, then close */
static void html_el(buf *h, const char *open, const char *text,
                    const char *close)
{
    buf_puts(h, open);
    buf_append_html(h, text);
    buf_puts(h, close);
}

static void html_multiline(buf *h, const char *s)
{
    while (*s) {
        size_t n = strcspn(s, "\n");
        char *one = xstrndup(s, n);
        buf_append_html(h, one);
        free(one);
        s += n;
        if (*s) {
            buf_puts(h, "<br>\n");
            s++;
        }
    }
}

/* <a href="url">text</a> */
static void html_link(buf *h, const char *url, const char *text)
{
    html_el(h, "<a href=\"", url, "\">");
    html_el(h, "", text, "</a>");
}

static void html_body(buf *h, const notify_view *v)
{
    html_el(h, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>",
            v->headline,
            "</title></head>\n<body style=\"font-family:sans-serif\">\n");
    html_el(h, "<h2>", v->headline, "</h2>\n");
    html_el(h, "<p>", v->summary, "</p>\n");
    if (*v->note) {
        html_el(h, "<p><strong>", v->note_label,
                ":</strong></p>\n<blockquote>");
        html_multiline(h, v->note);
        buf_puts(h, "</blockquote>\n");
    }
    if (v->nfields) {
        buf_puts(h, "<table>\n");
        for (size_t i = 0; i < v->nfields; i++) {
            html_el(h, "<tr><th align=\"left\" valign=\"top\">",
                    v->fields[i].label, "</th><td>");
            html_multiline(h, v->fields[i].value);
            buf_puts(h, "</td></tr>\n");
        }
        buf_puts(h, "</table>\n");
    }
    if (v->nitems) {
        buf_puts(h, "<ul>\n");
        for (size_t i = 0; i < v->nitems; i++) {
            const notify_item *it = &v->items[i];
            buf_puts(h, "<li>");
            if (it->url)
                html_link(h, it->url, it->title);
            else
                buf_append_html(h, it->title);
            if (*it->detail)
                html_el(h, " (", it->detail, ")");
            buf_puts(h, "</li>\n");
        }
        buf_puts(h, "</ul>\n");
    }
    if (v->url) {
        buf_puts(h, "<p>");
        html_link(h, v->url, v->link_text);
        buf_puts(h, " (the source of truth)</p>\n");
    }
    buf_puts(h, "</body></html>\n");
}

/* Base64 in lines of 76 characters, CRLF-terminated. */
static void put_base64(buf *out, const buf *in)
{
    const unsigned char *p = (const unsigned char *)buf_cstr(in);
    size_t left = in->len;

    while (left) {
        size_t n = left < 57 ? left : 57; /* 57 bytes -> 76 characters */
        char
            line[sodium_base64_ENCODED_LEN(57, sodium_base64_VARIANT_ORIGINAL)];
        sodium_bin2base64(line, sizeof line, p, n,
                          sodium_base64_VARIANT_ORIGINAL);
        buf_puts(out, line);
        buf_puts(out, "\r\n");
        p += n;
        left -= n;
    }
}

/* Splits from ("Name <addr>" or "addr") into a display name and an
 * address; NULL display name when none. */
static void split_from(char **name, char **addr, const char *from)
{
    const char *lt = strrchr(from, '<'), *gt = strrchr(from, '>');

    if (lt && gt && gt > lt) {
        char *n = xstrndup(from, (size_t)(lt - from));
        *name = str_trim_dup(n);
        free(n);
        *addr = xstrndup(lt + 1, (size_t)(gt - lt - 1));
        if (!**name) {
            free(*name);
            *name = NULL;
        }
    } else {
        *name = NULL;
        *addr = str_trim_dup(from);
    }
}

int notify_render_email(buf *out, const notify_view *v, const notify_event *ev,
                        const char *from, const char *const *to, size_t nto,
                        int64_t date)
{
    buf t = {0}, h = {0}, line = {0};
    char datebuf[48], *name, *addr;

    split_from(&name, &addr, from ? from : "");
    if (name) {
        /* The display name may need encoding; the address never does. */
        notify_header_append(&line, "From", name);
        buf_truncate(&line, line.len - 2);
        buf_puts(out, buf_cstr(&line));
        buf_puts(out, " <");
        buf_puts(out, notify_email_valid(addr) ? addr : "invalid@invalid");
        buf_puts(out, ">\r\n");
    } else {
        buf_puts(out, "From: ");
        buf_puts(out, notify_email_valid(addr) ? addr : "invalid@invalid");
        buf_puts(out, "\r\n");
    }
    buf_puts(out, "To: ");
    for (size_t i = 0, n = 0; i < nto; i++) {
        if (!notify_email_valid(to[i]))
            continue;
        if (n++)
            buf_puts(out, ",\r\n ");
        buf_puts(out, to[i]);
    }
    buf_puts(out, "\r\n");
    buf_reset(&line);
    buf_puts(&line, "[docket] ");
    buf_puts(&line, v->headline);
    notify_header_append(out, "Subject", buf_cstr(&line));
    notify_rfc5322_date(datebuf, sizeof datebuf, date);
    buf_puts(out, "Date: ");
    buf_puts(out, datebuf);
    buf_puts(out, "\r\n");
    /* Stable per event, so a retried message is recognisably the same. */
    buf_puts(out, "Message-ID: <");
    buf_puts(out, ev->uid);
    buf_puts(out, "@docket>\r\n");
    buf_puts(out, "MIME-Version: 1.0\r\n");
    buf_puts(out, "Auto-Submitted: auto-generated\r\n");
    buf_puts(out, "Content-Type: multipart/alternative;"
                  " boundary=\"=_docket_");
    buf_puts(out, ev->uid);
    buf_puts(out, "\"\r\n\r\n");
    buf_puts(out, "This is a MIME message.\r\n");

    text_body(&t, v);
    html_body(&h, v);
    buf_puts(out, "\r\n--=_docket_");
    buf_puts(out, ev->uid);
    buf_puts(out, "\r\nContent-Type: text/plain; charset=utf-8\r\n"
                  "Content-Transfer-Encoding: base64\r\n\r\n");
    put_base64(out, &t);
    buf_puts(out, "\r\n--=_docket_");
    buf_puts(out, ev->uid);
    buf_puts(out, "\r\nContent-Type: text/html; charset=utf-8\r\n"
                  "Content-Transfer-Encoding: base64\r\n\r\n");
    put_base64(out, &h);
    buf_puts(out, "\r\n--=_docket_");
    buf_puts(out, ev->uid);
    buf_puts(out, "--\r\n");

    buf_dispose(&t);
    buf_dispose(&h);
    buf_dispose(&line);
    free(name);
    free(addr);
    return buf_error(out);
}
