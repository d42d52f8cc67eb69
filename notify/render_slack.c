/* render_slack.c: a notify_view as a Slack incoming-webhook body: a plain
 * text fallback and Block Kit (header, summary, fields, one section per
 * table or request, and a context line linking to docket as the source of
 * truth). Text is escaped for mrkdwn (& < >), @here, @channel and
 * @everyone are broken with a WORD JOINER, mrkdwn objects are "verbatim",
 * and text is cut to Slack's limits, counted in UTF-16 units, never inside
 * a character, entity or link. */
#include "notify_int.h"
#include "mem.h"

#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define SLACK_HEADER_MAX 150
#define SLACK_TEXT_MAX   3000
#define SLACK_FIELD_MAX  2000
#define SLACK_FIELDS_MAX 10
#define SLACK_BLOCKS_MAX 50

/* UTF-16 units of the character starting with byte c (0 for a
 * continuation byte). */
static size_t units(unsigned char c)
{
    if ((c & 0xC0) == 0x80)
        return 0;
    return c >= 0xF0 ? 2 : 1;
}

/* Length of a channel-wide mention keyword ("here", "channel",
 * "everyone", any case) at s, or 0. */
static size_t mention_kw(const char *s)
{
    static const char *const kw[] = {"here", "channel", "everyone"};

    for (size_t k = 0; k < sizeof kw / sizeof *kw; k++) {
        size_t n = strlen(kw[k]), i = 0;
        while (i < n && s[i] && (s[i] | 0x20) == kw[k][i])
            i++;
        if (i == n)
            return n;
    }
    return 0;
}

/* User text for Slack: with markup (mrkdwn) & < > escaped, so Slack's own
 * <!here> and <@U…> syntax cannot be written; in any text a WORD JOINER
 * (U+2060, invisible) after the '@' of @here, @channel and @everyone at a
 * word start, so clients and workspaces that read the plain words as
 * mentions notify nobody (addresses like ops@channel.example are left
 * alone). */
static void esc(buf *b, const char *s, int markup)
{
    const char *start = s;

    for (; s && *s; s++) {
        if (*s == '@' && mention_kw(s + 1) &&
            (s == start || !isalnum((unsigned char)s[-1]))) {
            buf_puts(b, "@\xE2\x81\xA0");
            continue;
        }
        if (!markup) {
            buf_putc(b, *s);
            continue;
        }
        switch (*s) {
        case '&': buf_puts(b, "&amp;"); break;
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        default: buf_putc(b, *s);
        }
    }
}

static void md_esc(buf *b, const char *s)
{
    esc(b, s, 1);
}

/* Copy of text s cut to at most max UTF-16 units, ending in "…" when
 * cut. Cuts never split a character and, when markup is set (mrkdwn),
 * never an entity (&...;) or one of our links (<...>): user '<' and '&'
 * are escaped, so any left are ours. */
static char *fit(const char *s, size_t max, int markup)
{
    size_t total = 0, used = 0, safe = 0;
    int in_ent = 0, in_link = 0;
    char *out;

    for (const char *p = s; *p; p++)
        total += units((unsigned char)*p);
    if (total <= max)
        return xstrdup(s);
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (!in_ent && !in_link && units(c))
            safe = (size_t)(p - s); /* a cut here keeps [0, p) */
        used += units(c);
        if (used > max - 1)
            break;
        if (!markup)
            continue;
        if (c == '&')
            in_ent = 1;
        else if (c == ';')
            in_ent = 0;
        else if (c == '<')
            in_link = 1;
        else if (c == '>')
            in_link = 0;
    }
    out = xmalloc(safe + 4);
    memcpy(out, s, safe);
    memcpy(out + safe, "\xE2\x80\xA6", 4);
    return out;
}

static void add_text(cJSON *obj, const char *type, const buf *text, size_t max)
{
    cJSON *t = cJSON_AddObjectToObject(obj, "text");
    char *s = fit(buf_cstr(text), max, 1);

    cJSON_AddStringToObject(t, "type", type);
    cJSON_AddStringToObject(t, "text", *s ? s : " ");
    /* mrkdwn as written: no automatic links to names or channels */
    if (!strcmp(type, "mrkdwn"))
        cJSON_AddTrueToObject(t, "verbatim");
    free(s);
}

/* A text object {"type":"mrkdwn","text":...,"verbatim":true} of text cut
 * to max units, for a list of them (fields, context elements). */
static cJSON *mrkdwn_item(const buf *text, size_t max)
{
    cJSON *o = cJSON_CreateObject();
    char *s = fit(buf_cstr(text), max, 1);

    cJSON_AddStringToObject(o, "type", "mrkdwn");
    cJSON_AddStringToObject(o, "text", s);
    cJSON_AddTrueToObject(o, "verbatim");
    free(s);
    return o;
}

static cJSON *section(cJSON *blocks, const buf *mrkdwn)
{
    cJSON *b = cJSON_CreateObject();

    cJSON_AddStringToObject(b, "type", "section");
    add_text(b, "mrkdwn", mrkdwn, SLACK_TEXT_MAX);
    cJSON_AddItemToArray(blocks, b);
    return b;
}

static void link(buf *b, const char *url, const char *text)
{
    buf_putc(b, '<');
    md_esc(b, url);
    buf_putc(b, '|');
    md_esc(b, text);
    buf_putc(b, '>');
}

/* Header: plain_text is never parsed for markup, so it is only cut (and
 * its mentions broken). */
static void header_block(cJSON *blocks, buf *t, const notify_view *v)
{
    cJSON *b = cJSON_CreateObject(), *txt;
    char *s;

    cJSON_AddStringToObject(b, "type", "header");
    txt = cJSON_AddObjectToObject(b, "text");
    buf_reset(t);
    esc(t, v->headline, 0);
    s = fit(buf_cstr(t), SLACK_HEADER_MAX, 0);
    cJSON_AddStringToObject(txt, "type", "plain_text");
    cJSON_AddStringToObject(txt, "text", *s ? s : " ");
    cJSON_AddBoolToObject(txt, "emoji", 1);
    free(s);
    cJSON_AddItemToArray(blocks, b);
}

/* Summary and note (quoted line by line). */
static void summary_block(cJSON *blocks, buf *t, const notify_view *v)
{
    buf_reset(t);
    md_esc(t, v->summary);
    if (v->note && *v->note) {
        const char *line = v->note;
        buf_puts(t, "\n*");
        md_esc(t, v->note_label);
        buf_puts(t, ":*");
        while (*line) {
            size_t n = strcspn(line, "\n");
            char *one = xstrndup(line, n);
            buf_puts(t, "\n>");
            md_esc(t, one);
            free(one);
            line += n;
            if (*line == '\n')
                line++;
        }
    }
    section(blocks, t);
}

/* Fields: instance, tables, campaign dependency, consent, ... */
static void fields_block(cJSON *blocks, buf *t, const notify_view *v)
{
    cJSON *b = cJSON_CreateObject();
    cJSON *fields;

    cJSON_AddStringToObject(b, "type", "section");
    fields = cJSON_AddArrayToObject(b, "fields");
    for (size_t i = 0; i < v->nfields && i < SLACK_FIELDS_MAX; i++) {
        buf_reset(t);
        buf_putc(t, '*');
        md_esc(t, v->fields[i].label);
        buf_puts(t, "*\n");
        md_esc(t, v->fields[i].value);
        cJSON_AddItemToArray(fields, mrkdwn_item(t, SLACK_FIELD_MAX));
    }
    cJSON_AddItemToArray(blocks, b);
}

/* One section per item while room lasts (room blocks), then "and N
 * more"; returns the number of blocks written. */
static size_t item_blocks(cJSON *blocks, buf *t, const notify_view *v,
                          size_t room)
{
    size_t shown = v->nitems <= room ? v->nitems : room - 1;

    for (size_t i = 0; i < shown; i++) {
        const notify_item *it = &v->items[i];
        buf_reset(t);
        buf_putc(t, '*');
        if (it->url)
            link(t, it->url, it->title);
        else
            md_esc(t, it->title);
        buf_putc(t, '*');
        if (*it->detail) {
            buf_putc(t, '\n');
            md_esc(t, it->detail);
        }
        section(blocks, t);
    }
    if (shown == v->nitems)
        return shown;
    buf_reset(t);
    buf_appendf(t, "_…and %zu more: see docket._", v->nitems - shown);
    section(blocks, t);
    return shown + 1;
}

/* Context: the link to the source of truth. */
static void context_block(cJSON *blocks, buf *t, const notify_view *v)
{
    cJSON *b = cJSON_CreateObject();
    cJSON *ctx;

    cJSON_AddStringToObject(b, "type", "context");
    ctx = cJSON_AddArrayToObject(b, "elements");
    buf_reset(t);
    buf_puts(t, "Source of truth: ");
    if (v->url)
        link(t, v->url, v->link_text);
    else
        buf_puts(t, "docket");
    cJSON_AddItemToArray(ctx, mrkdwn_item(t, SLACK_TEXT_MAX));
    cJSON_AddItemToArray(blocks, b);
}

int notify_render_slack(buf *out, const notify_view *v)
{
    cJSON *root = cJSON_CreateObject(), *blocks;
    buf t = {0};
    size_t nblocks = 2; /* header and summary */
    char *json, *s;

    md_esc(&t, v->headline);
    s = fit(buf_cstr(&t), SLACK_TEXT_MAX, 1);
    cJSON_AddStringToObject(root, "text", s);
    free(s);
    blocks = cJSON_AddArrayToObject(root, "blocks");
    header_block(blocks, &t, v);
    summary_block(blocks, &t, v);
    if (v->nfields) {
        fields_block(blocks, &t, v);
        nblocks++;
    }
    /* Keep room for the context block. */
    nblocks += item_blocks(blocks, &t, v, SLACK_BLOCKS_MAX - nblocks - 1);
    context_block(blocks, &t, v);
    assert(nblocks + 1 <= SLACK_BLOCKS_MAX);

    json = cJSON_PrintUnformatted(root);
    buf_puts(out, json);
    free(json);
    cJSON_Delete(root);
    buf_dispose(&t);
    return buf_error(out);
}
