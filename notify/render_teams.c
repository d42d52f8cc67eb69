/* render_teams.c: a notify_view as the body a Teams Workflows webhook
 * expects: {"type":"message","attachments":[one Adaptive Card 1.4]}.
 * TextBlock text is Markdown, so every piece of user text goes into a
 * RichTextBlock TextRun instead, which Adaptive Cards never parse as
 * Markdown: "[x](http://evil)" or "**" show as typed. Only our own fixed
 * labels use TextBlock. The message must stay under 28 KB: items and the
 * note are shortened until it does. */
#include "notify_int.h"
#include "mem.h"

#include <stdlib.h>
#include <string.h>

static cJSON *run(const char *text, const char *weight)
{
    cJSON *r = cJSON_CreateObject();

    cJSON_AddStringToObject(r, "type", "TextRun");
    cJSON_AddStringToObject(r, "text", text);
    if (weight)
        cJSON_AddStringToObject(r, "weight", weight);
    return r;
}

static cJSON *rich(cJSON *body)
{
    cJSON *b = cJSON_CreateObject();

    cJSON_AddStringToObject(b, "type", "RichTextBlock");
    cJSON_AddItemToArray(body, b);
    return cJSON_AddArrayToObject(b, "inlines");
}

static cJSON *open_url(const char *title, const char *url)
{
    cJSON *a = cJSON_CreateObject();

    cJSON_AddStringToObject(a, "type", "Action.OpenUrl");
    cJSON_AddStringToObject(a, "title", title);
    cJSON_AddStringToObject(a, "url", url);
    return a;
}

/* Copy of s cut to max bytes on a character boundary, with "…". */
static char *cut(const char *s, size_t max)
{
    size_t n;
    char *out;

    if (strlen(s) <= max)
        return xstrdup(s);
    n = notify_utf8_fit(s, max);
    out = xmalloc(n + 4);
    memcpy(out, s, n);
    memcpy(out + n, "\xE2\x80\xA6", 4);
    return out;
}

/* The limits a rendering keeps to (notify_render_teams shrinks them until
 * the message fits). */
typedef struct teams_limits {
    size_t max_items, note_max, text_max;
} teams_limits;

/* A run of text cut to max, appended to the rich text block in. */
static cJSON *add_cut_run(cJSON *in, const char *text, size_t max,
                          const char *weight)
{
    char *s = cut(text, max);
    cJSON *r = run(s, weight);

    free(s);
    cJSON_AddItemToArray(in, r);
    return r;
}

static void add_text_block(cJSON *body, const char *text, int subtle)
{
    cJSON *tb = cJSON_CreateObject();

    cJSON_AddStringToObject(tb, "type", "TextBlock");
    cJSON_AddStringToObject(tb, "text", text);
    if (subtle) {
        cJSON_AddStringToObject(tb, "size", "Small");
        cJSON_AddBoolToObject(tb, "isSubtle", 1);
    }
    cJSON_AddBoolToObject(tb, "wrap", 1);
    cJSON_AddItemToArray(body, tb);
}

/* The envelope of an Adaptive Card message; returns the card. */
static cJSON *card_envelope(cJSON *root)
{
    cJSON *atts, *att, *card;

    cJSON_AddStringToObject(root, "type", "message");
    atts = cJSON_AddArrayToObject(root, "attachments");
    att = cJSON_CreateObject();
    cJSON_AddItemToArray(atts, att);
    cJSON_AddStringToObject(att, "contentType",
                            "application/vnd.microsoft.card.adaptive");
    cJSON_AddNullToObject(att, "contentUrl");
    card = cJSON_AddObjectToObject(att, "content");
    cJSON_AddStringToObject(
        card, "$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
    cJSON_AddStringToObject(card, "type", "AdaptiveCard");
    cJSON_AddStringToObject(card, "version", "1.4");
    return card;
}

/* Headline, summary, note and fields. */
static void card_text(cJSON *body, const notify_view *v, const teams_limits *l)
{
    cJSON *in = rich(body);

    cJSON_AddStringToObject(add_cut_run(in, v->headline, l->text_max, "Bolder"),
                            "size", "Large");
    add_cut_run(rich(body), v->summary, l->text_max, NULL);
    if (*v->note && l->note_max) {
        in = rich(body);
        cJSON_AddItemToArray(in, run(v->note_label, "Bolder"));
        cJSON_AddItemToArray(in, run(": ", "Bolder"));
        cJSON_AddBoolToObject(add_cut_run(in, v->note, l->note_max, NULL),
                              "italic", 1);
    }
    for (size_t i = 0; i < v->nfields; i++) {
        in = rich(body);
        cJSON_AddItemToArray(in, run(v->fields[i].label, "Bolder"));
        cJSON_AddItemToArray(in, run(": ", "Bolder"));
        add_cut_run(in, v->fields[i].value, l->text_max, NULL);
    }
}

/* Items: tables changed or requests of a digest, then "and N more". */
static void card_items(cJSON *body, const notify_view *v, const teams_limits *l)
{
    for (size_t i = 0; i < v->nitems && i < l->max_items; i++) {
        const notify_item *it = &v->items[i];
        cJSON *in = rich(body);
        cJSON *r = add_cut_run(in, it->title, l->text_max, "Bolder");
        if (it->url)
            cJSON_AddItemToObject(r, "selectAction",
                                  open_url(it->title, it->url));
        if (*it->detail) {
            cJSON_AddItemToArray(in, run(" · ", NULL));
            add_cut_run(in, it->detail, l->text_max, NULL);
        }
    }
    if (v->nitems > l->max_items) {
        buf t = {0};
        buf_appendf(&t, "…and %zu more: see docket.", v->nitems - l->max_items);
        add_text_block(body, buf_cstr(&t), 0);
        buf_dispose(&t);
    }
}

static char *card_json(const notify_view *v, size_t max_items, size_t note_max,
                       size_t text_max)
{
    teams_limits l = {max_items, note_max, text_max};
    cJSON *root = cJSON_CreateObject();
    cJSON *card = card_envelope(root);
    cJSON *body = cJSON_AddArrayToObject(card, "body");
    char *json;

    card_text(body, v, &l);
    card_items(body, v, &l);
    add_text_block(body, "Source of truth: docket", 1);
    if (v->url) {
        cJSON *actions = cJSON_AddArrayToObject(card, "actions");
        cJSON_AddItemToArray(actions, open_url(v->link_text, v->url));
    }
    cJSON_AddStringToObject(cJSON_AddObjectToObject(card, "msteams"), "width",
                            "Full");
    json = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return json;
}

int notify_render_teams(buf *out, const notify_view *v, size_t max_bytes)
{
    size_t max_items = v->nitems, note_max = 4000, text_max = 1000;
    char *json = NULL;

    /* Shrink step by step: fewer items, a shorter note, shorter texts. */
    for (int round = 0; round < 40; round++) {
        json = card_json(v, max_items, note_max, text_max);
        if (strlen(json) <= max_bytes)
            break;
        free(json);
        json = NULL;
        if (max_items > 0)
            max_items /= 2;
        else if (note_max > 0)
            note_max /= 4;
        else if (text_max > 40)
            text_max /= 2;
        else
            break;
    }
    if (!json)
        return ERR_TOOBIG;
    buf_puts(out, json);
    free(json);
    return buf_error(out);
}
