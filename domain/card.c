/* card.c: the campaign-dependency wording, the escapers of each medium,
 * card_write's dispatch to the back ends (card_html.c, card_text.c) and
 * the card of a JSON document (a card read from a server). */
#include "card.h"
#include "card_int.h"
#include "mem.h"
#include "str.h"
#include "validate.h"

#include <assert.h>
#include <stddef.h>
#include <cmark.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the campaign dependency ------------------------------------------ */

static const card_dep_text deps[] = {
    {REGISTRY_DEP_UNSET, "", "NOT STATED", "not stated",
     "ask the owner before running campaigns without it", ""},
    {REGISTRY_DEP_REQUIRED, "required", "REQUIRED", "REQUIRED",
     "hold campaigns if the file is missing", "required"},
    {REGISTRY_DEP_OPTIONAL, "optional", "OPTIONAL", "OPTIONAL",
     "campaigns may run without it", "optional"},
};

const card_dep_text *card_dep(registry_dep d)
{
    for (size_t i = 0; i < sizeof deps / sizeof *deps; i++)
        if (deps[i].dep == d)
            return &deps[i];
    return &deps[0];
}

const card_dep_text *card_dep_named(const char *s)
{
    for (size_t i = 1; s && i < sizeof deps / sizeof *deps; i++)
        if (!strcmp(deps[i].name, s))
            return &deps[i];
    return &deps[0];
}

void card_dep_line(buf *o, registry_dep d)
{
    const card_dep_text *t = card_dep(d);

    buf_puts(o, t->word);
    buf_puts(o, ": ");
    buf_puts(o, t->advice);
}

int card_dep_message(buf *o, registry_dep d)
{
    const card_dep_text *t = card_dep(d);

    if (t->dep == REGISTRY_DEP_UNSET)
        return 0;
    buf_puts(o, t->name);
    buf_puts(o, " (");
    buf_puts(o, t->advice);
    buf_puts(o, ")");
    return 1;
}

/* ---- escapers ----------------------------------------------------------- */

/* Every user value lands in one of three Markdown contexts, each with its
 * own writer: plain text (card_md_text), a code span (card_md_code) and
 * the runbook (card_md_runbook), which is Markdown by design. Whatever a
 * value holds, the result rendered by a CommonMark or GFM renderer that
 * lets raw HTML through (as wikis do) has no HTML and no link but those
 * docket writes or safe ones from the runbook. */

static int md_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Plain text: on one line (line ends become spaces), outer whitespace
 * trimmed (it would start an indented code block), every character with
 * inline meaning backslash-escaped (CommonMark lets any ASCII punctuation
 * be escaped), and a leading - + = or "1." / "1)" escaped so no list or
 * heading starts. */
void card_md_text(buf *b, const char *s)
{
    const char *begin, *end;
    int digits = 1; /* only digits so far */

    while (md_space(*s))
        s++;
    begin = s;
    end = s + strlen(s);
    while (end > s && md_space(end[-1]))
        end--;
    for (; s < end; s++) {
        if (*s == '\n' || *s == '\r' || *s == '\t') {
            buf_putc(b, ' ');
            digits = 0;
            continue;
        }
        if (strchr("\\`*_[]<>|#&!~", *s) || (s == begin && strchr("-+=", *s)) ||
            (s > begin && digits && (*s == '.' || *s == ')')))
            buf_putc(b, '\\');
        if (*s < '0' || *s > '9')
            digits = 0;
        buf_putc(b, *s);
    }
}

/* A code span: fenced by one more backtick than the longest run inside,
 * padded with a space on each side when s starts or ends with a backtick
 * or a space (CommonMark strips one padding space from each side), line
 * ends as spaces. Nothing inside a code span is markup. */
void card_md_code(buf *b, const char *s)
{
    size_t run = 0, longest = 0, n = strlen(s);
    int pad, blank = 1;

    if (!n)
        return;
    for (const char *p = s; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
        if (*p != ' ')
            blank = 0;
    }
    pad = !blank &&
          (s[0] == '`' || s[0] == ' ' || s[n - 1] == '`' || s[n - 1] == ' ');
    for (size_t i = 0; i <= longest; i++)
        buf_putc(b, '`');
    if (pad)
        buf_putc(b, ' ');
    for (const char *p = s; *p; p++)
        buf_putc(b, (*p == '\n' || *p == '\r') ? ' ' : *p);
    if (pad)
        buf_putc(b, ' ');
    for (size_t i = 0; i <= longest; i++)
        buf_putc(b, '`');
}

/* 1 when a link or image destination may stay: relative (no scheme), or
 * http, https or mailto. The scheme is read as browsers do, skipping
 * leading spaces and controls and tabs and line ends anywhere. */
static int md_url_safe(const char *url)
{
    char scheme[16];
    size_t n = 0;
    const char *p = url;

    while (*p && (unsigned char)*p <= 0x20)
        p++;
    for (; *p && *p != ':'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\t' || c == '\n' || c == '\r')
            continue;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
            return 1; /* '/', '?', '#' ... before any ':': relative */
        if (n + 1 >= sizeof scheme)
            return 0;
        scheme[n++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
    }
    if (!*p)
        return 1;
    scheme[n] = '\0';
    return !strcmp(scheme, "http") || !strcmp(scheme, "https") ||
           !strcmp(scheme, "mailto");
}

/* Text nodes (with soft breaks between lines) for literal s, inserted
 * before node at. */
static void md_literal_before(cmark_node *at, const char *s)
{
    const char *line = s;

    while (*line) {
        size_t n = strcspn(line, "\n");
        cmark_node *t = cmark_node_new(CMARK_NODE_TEXT);
        char *one = xstrndup(line, n);
        cmark_node_set_literal(t, one);
        free(one);
        cmark_node_insert_before(at, t);
        line += n;
        if (*line == '\n')
            line++;
        if (*line)
            cmark_node_insert_before(at, cmark_node_new(CMARK_NODE_SOFTBREAK));
    }
}

/* 1 for a node the runbook may not keep: raw HTML, or a link or image to
 * an unsafe scheme. */
static int md_unsafe(cmark_node *n)
{
    cmark_node_type t = cmark_node_get_type(n);
    const char *url;

    if (t == CMARK_NODE_HTML_BLOCK || t == CMARK_NODE_HTML_INLINE)
        return 1;
    if (t != CMARK_NODE_LINK && t != CMARK_NODE_IMAGE)
        return 0;
    url = cmark_node_get_url(n);
    return !md_url_safe(url ? url : "");
}

/* Replaces unsafe node n by what it may keep: raw HTML as literal text,
 * an unsafe link or image by its text. Frees n (also unlinks it). */
static void md_defuse(cmark_node *n)
{
    const char *lit = cmark_node_get_literal(n);

    switch (cmark_node_get_type(n)) {
    case CMARK_NODE_HTML_BLOCK: {
        cmark_node *para = cmark_node_new(CMARK_NODE_PARAGRAPH);
        cmark_node *end = cmark_node_new(CMARK_NODE_TEXT);
        char *text = xstrdup(lit ? lit : "");
        size_t len = strlen(text);
        while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
            text[--len] = '\0';
        cmark_node_append_child(para, end);
        md_literal_before(end, text);
        cmark_node_free(end);
        free(text);
        cmark_node_insert_before(n, para);
        break;
    }
    case CMARK_NODE_HTML_INLINE: md_literal_before(n, lit ? lit : ""); break;
    default: { /* an unsafe link or image: keep its text */
        cmark_node *c;
        while ((c = cmark_node_first_child(n)) != NULL)
            cmark_node_insert_before(n, c);
    }
    }
    cmark_node_free(n);
}

void card_md_runbook(buf *b, const char *md)
{
    cmark_node *doc =
        cmark_parse_document(md, strlen(md), CMARK_OPT_VALIDATE_UTF8);
    cmark_iter *it = cmark_iter_new(doc);
    cmark_node **todo = NULL;
    size_t ntodo = 0, cap = 0;
    cmark_event_type ev;
    char *out;

    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        if (ev == CMARK_EVENT_ENTER && md_unsafe(n)) {
            xgrow(&todo, &cap, ntodo + 1, sizeof *todo);
            todo[ntodo++] = n;
        }
    }
    cmark_iter_free(it);
    /* Changed after the walk; none of these nodes holds another one when
       it is freed (links and images give their children away first). */
    for (size_t i = 0; i < ntodo; i++)
        md_defuse(todo[i]);
    free(todo);
    out = cmark_render_commonmark(doc, CMARK_OPT_DEFAULT, 0);
    buf_puts(b, out);
    free(out);
    cmark_node_free(doc);
}

/* ---- Markdown as plain text ------------------------------------------ */

static void plain_blocks(buf *b, cmark_node *parent, int tight);

/* The text of inline node n's children: literals as they are, emphasis
 * without its markers, a link's text with its address after it. */
static void plain_inlines(buf *b, cmark_node *n)
{
    for (cmark_node *c = cmark_node_first_child(n); c; c = cmark_node_next(c)) {
        const char *lit = cmark_node_get_literal(c);
        switch (cmark_node_get_type(c)) {
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
        case CMARK_NODE_HTML_INLINE: buf_puts(b, lit ? lit : ""); break;
        case CMARK_NODE_SOFTBREAK:
        case CMARK_NODE_LINEBREAK: buf_putc(b, '\n'); break;
        case CMARK_NODE_LINK: {
            const char *url = cmark_node_get_url(c);
            size_t start = b->len;
            plain_inlines(b, c);
            if (url && *url && strcmp(buf_cstr(b) + start, url) != 0) {
                buf_puts(b, " (");
                buf_puts(b, url);
                buf_puts(b, ")");
            }
            break;
        }
        default: plain_inlines(b, c); break;
        }
    }
}

/* The lines of text into b, each after prefix (first after first, when
 * given); empty lines stay empty (no trailing blanks). */
static void plain_indent(buf *b, const char *text, const char *first,
                         const char *prefix)
{
    int line = 0;

    while (*text) {
        size_t n = strcspn(text, "\n");
        if (n)
            buf_puts(b, line == 0 && first ? first : prefix);
        buf_append(b, text, n);
        buf_putc(b, '\n');
        text += n + (text[n] == '\n');
        line++;
    }
}

static void plain_list(buf *b, cmark_node *list)
{
    int ordered = cmark_node_get_list_type(list) == CMARK_ORDERED_LIST;
    int number = cmark_node_get_list_start(list);
    int tight = cmark_node_get_list_tight(list);
    char delim =
        cmark_node_get_list_delim(list) == CMARK_PAREN_DELIM ? ')' : '.';

    for (cmark_node *it = cmark_node_first_child(list); it;
         it = cmark_node_next(it)) {
        buf item = {0};
        char marker[24], pad[24];
        if (it != cmark_node_first_child(list) && !tight)
            buf_putc(b, '\n');
        if (ordered)
            snprintf(marker, sizeof marker, "%d%c ", number++, delim);
        else
            snprintf(marker, sizeof marker, "- ");
        memset(pad, ' ', strlen(marker));
        pad[strlen(marker)] = '\0';
        plain_blocks(&item, it, tight);
        plain_indent(b, buf_cstr(&item), marker, pad);
        buf_dispose(&item);
    }
}

/* The blocks of parent as lines, a blank line between them unless
 * tight. */
static void plain_blocks(buf *b, cmark_node *parent, int tight)
{
    for (cmark_node *c = cmark_node_first_child(parent); c;
         c = cmark_node_next(c)) {
        const char *lit = cmark_node_get_literal(c);
        if (c != cmark_node_first_child(parent) && !tight)
            buf_putc(b, '\n');
        switch (cmark_node_get_type(c)) {
        case CMARK_NODE_PARAGRAPH:
        case CMARK_NODE_HEADING:
            plain_inlines(b, c);
            buf_putc(b, '\n');
            break;
        case CMARK_NODE_CODE_BLOCK:
        case CMARK_NODE_HTML_BLOCK:
            buf_puts(b, lit ? lit : "");
            if (b->len && buf_cstr(b)[b->len - 1] != '\n')
                buf_putc(b, '\n');
            break;
        case CMARK_NODE_THEMATIC_BREAK: buf_puts(b, "----\n"); break;
        case CMARK_NODE_LIST: plain_list(b, c); break;
        case CMARK_NODE_BLOCK_QUOTE: {
            buf q = {0};
            plain_blocks(&q, c, 0);
            plain_indent(b, buf_cstr(&q), NULL, "  ");
            buf_dispose(&q);
            break;
        }
        default: plain_blocks(b, c, tight); break;
        }
    }
}

void card_md_plain(buf *b, const char *md)
{
    cmark_node *doc;
    buf t = {0};
    size_t n;

    if (!md || !*md)
        return;
    doc = cmark_parse_document(md, strlen(md), CMARK_OPT_VALIDATE_UTF8);
    plain_blocks(&t, doc, 0);
    cmark_node_free(doc);
    n = t.len;
    while (n && buf_cstr(&t)[n - 1] == '\n')
        n--;
    buf_append(b, buf_cstr(&t), n);
    buf_dispose(&t);
}

void card_term_text(buf *b, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && c != '\n') || c == 0x7f)
            buf_putc(b, '?');
        else
            buf_putc(b, (char)c);
    }
}

void card_term_style(buf *b, int color, const char *sgr)
{
    if (color)
        buf_appendf(b, "\033[%sm", sgr);
}

void card_message_text(buf *b, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        buf_putc(b, (c < 0x20 || c == 0x7f) ? ' ' : (char)c);
    }
}

void card_html_markdown(buf *b, const char *md)
{
    char *html;

    if (!md || !*md)
        return;
    html = cmark_markdown_to_html(md, strlen(md),
                                  CMARK_OPT_SAFE | CMARK_OPT_VALIDATE_UTF8);
    if (html)
        buf_puts(b, html);
    free(html);
}

/* ---- the card ------------------------------------------------------------ */

void card_write(buf *out, const registry_card *c, card_format fmt,
                const card_opts *o)
{
    static const card_opts none = {0};

    assert(out && c);
    if (!o)
        o = &none;
    switch (fmt) {
    case CARD_HTML: card_write_html(out, c, o); break;
    case CARD_HTML_EXPORT: card_write_html_export(out, c, o); break;
    case CARD_MARKDOWN: card_write_markdown(out, c, o); break;
    case CARD_TERMINAL: card_write_terminal(out, c, o); break;
    case CARD_MESSAGE: card_write_message(out, c); break;
    }
}

card_counts card_count(const registry_card *c)
{
    card_counts n = {0};

    for (size_t i = 0; i < c->ncolumns; i++) {
        if (c->columns[i].status == REGISTRY_ENTRY_RETIRED)
            continue;
        n.columns++;
        n.consent += c->columns[i].consent != 0;
        n.pii += c->columns[i].pii != 0;
    }
    return n;
}

void card_missing_after(char out[8], const char *arrival, int late)
{
    int m;

    out[0] = '\0';
    if (late <= 0 || !arrival || !form_time_valid(arrival))
        return;
    m = ((arrival[0] - '0') * 10 + (arrival[1] - '0')) * 60 +
        (arrival[3] - '0') * 10 + (arrival[4] - '0') + late;
    m %= 24 * 60;
    snprintf(out, 8, "%02d:%02d", m / 60, m % 60);
}

void card_column_flags(buf *o, const registry_card_column *k,
                       const card_flag_words *w)
{
    if (k->primary_key)
        buf_puts(o, w->pk);
    if (k->pii)
        buf_puts(o, w->pii);
    if (k->consent) {
        buf_puts(o, w->consent_open);
        w->esc(o, card_choice_label("column", "consent_channel",
                                    k->consent_channel));
        buf_puts(o, w->consent_close);
    }
}

void card_wrapped(buf *o, const char *pre, const char *s, const char *post,
                  void (*esc)(buf *o, const char *s))
{
    assert(o && pre && s && post && esc);
    if (!*s)
        return;
    buf_puts(o, pre);
    esc(o, s);
    buf_puts(o, post);
}

/* "Mondays, " for a weekly table, "on day 15 of the month, " or "on the
   last day of the month, " for a monthly one, into day (empty otherwise). */
static void card_day(char *day, size_t size, const registry_card_rules *r)
{
    static const char *const names[] = {"Mondays",   "Tuesdays", "Wednesdays",
                                        "Thursdays", "Fridays",  "Saturdays",
                                        "Sundays"};
    const char *cadence = r->cadence ? r->cadence : "";
    int n;

    day[0] = '\0';
    if (!strcmp(cadence, "weekly") && (n = form_weekday(r->expected_day)) >= 0)
        snprintf(day, size, "%s, ", names[n]);
    else if (!strcmp(cadence, "monthly") &&
             (n = form_month_day(r->expected_day)) > 0) {
        if (n == FORM_MONTH_LAST)
            snprintf(day, size, "on the last day of the month, ");
        else
            snprintf(day, size, "on day %d of the month%s, ", n,
                     n > 28 ? " (or its last day)" : "");
    }
}

void card_anomaly_text(char *out, size_t size, const registry_card_rules *r)
{
    const char *cadence = r->cadence ? r->cadence : "";
    int low = r->anomaly_low_pct, high = r->anomaly_high_pct;

    if (!*cadence || !strcmp(cadence, "ad_hoc"))
        snprintf(out, size, "%s", "");
    else if (low > 0 && high > 0)
        snprintf(out, size,
                 "below %d %% or above %d %% of the median of the last 14 "
                 "arrivals",
                 low, high);
    else if (low > 0 || high > 0)
        snprintf(out, size, "%s %d %% of the median of the last 14 arrivals",
                 low > 0 ? "below" : "above", low > 0 ? low : high);
    else
        snprintf(out, size, "%s", "off");
}

void card_expected(buf *o, const registry_card_rules *r, const char *none,
                   void (*esc)(buf *o, const char *s))
{
    char day[64];

    if (!*r->expected_arrival) {
        buf_puts(o, none);
        return;
    }
    card_day(day, sizeof day, r);
    esc(o, day);
    esc(o, r->expected_arrival);
    buf_puts(o, " UTC");
    if (r->late_after_minutes > 0) {
        buf_puts(o, ", missing after ");
        esc(o, r->missing_after);
    }
}

void card_date(char out[11], int64_t t)
{
    time_date(out, 11, t);
}

/* ---- the card of a JSON document ---------------------------------------- */

static char *json_text(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return xstrdup(cJSON_IsString(v) ? v->valuestring : "");
}

/* NULL for null or a missing member. */
static char *json_text_or_null(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) ? xstrdup(v->valuestring) : NULL;
}

static int json_flag(const cJSON *o, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static int64_t json_int(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

static int64_t json_time(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    int64_t t = 0;

    if (cJSON_IsString(v) && time_parse_iso(&t, v->valuestring) < 0)
        t = 0;
    return t;
}

static registry_entry_status json_status(const cJSON *o)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "status");
    registry_entry_status s = REGISTRY_ENTRY_ACTIVE;

    if (cJSON_IsString(v) &&
        registry_entry_status_parse(&s, v->valuestring) < 0)
        s = REGISTRY_ENTRY_ACTIVE;
    return s;
}

/* A string member of a card struct and its JSON key. */
typedef struct json_member {
    const char *key;
    size_t offset; /* of a char * in the struct */
} json_member;

#define MEMBER(type, name)                                                     \
    {                                                                          \
#name, offsetof(type, name)                                            \
    }

/* Copies of the string members m[0..n) of o into the struct at base. */
static void json_texts(void *base, const cJSON *o, const json_member *m,
                       size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *v = json_text(o, m[i].key);
        memcpy((char *)base + m[i].offset, &v, sizeof v);
    }
}

#define RULE(name)   MEMBER(registry_card_rules, name)
#define COLUMN(name) MEMBER(registry_card_column, name)

static void json_rules(registry_card_rules *r, const cJSON *o)
{
    static const json_member texts[] = {
        RULE(campaign_note), RULE(expected_arrival), RULE(source),
        RULE(cadence),       RULE(file_pattern),     RULE(owner),
        RULE(escalation),    RULE(runbook),          RULE(expected_day)};
    const cJSON *low = cJSON_GetObjectItemCaseSensitive(o, "anomaly_low_pct");
    const cJSON *high = cJSON_GetObjectItemCaseSensitive(o, "anomaly_high_pct");
    const cJSON *dep =
        cJSON_GetObjectItemCaseSensitive(o, "campaign_dependency");
    char *miss = json_text(o, "missing_after");

    json_texts(r, o, texts, sizeof texts / sizeof *texts);
    r->campaign_dependency =
        card_dep_named(cJSON_IsString(dep) ? dep->valuestring : NULL)->dep;
    r->late_after_minutes = (int)json_int(o, "late_after_minutes");
    /* a document of an older docket has no thresholds: the defaults */
    r->anomaly_low_pct = cJSON_IsNumber(low)
                             ? (int)json_int(o, "anomaly_low_pct")
                             : FORM_ANOMALY_LOW_DEFAULT;
    r->anomaly_high_pct = cJSON_IsNumber(high)
                              ? (int)json_int(o, "anomaly_high_pct")
                              : FORM_ANOMALY_HIGH_DEFAULT;
    str_copy(r->missing_after, sizeof r->missing_after, miss);
    free(miss);
    r->consent_relevant = json_flag(o, "consent_relevant");
}

static void json_column(registry_card_column *c, const cJSON *o)
{
    static const json_member texts[] = {COLUMN(name),
                                        COLUMN(type),
                                        COLUMN(description),
                                        COLUMN(example),
                                        COLUMN(consent_channel),
                                        COLUMN(rule)};

    json_texts(c, o, texts, sizeof texts / sizeof *texts);
    c->status = json_status(o);
    c->nullable = json_flag(o, "nullable");
    c->primary_key = json_flag(o, "primary_key");
    c->pii = json_flag(o, "pii");
    c->consent = json_flag(o, "consent");
    c->added_at = json_time(o, "added_at");
    c->added_by_request = json_int(o, "added_by_request");
}

static void json_change(registry_card_change *h, const cJSON *o)
{
    static const json_member texts[] = {MEMBER(registry_card_change, column),
                                        MEMBER(registry_card_change, field),
                                        MEMBER(registry_card_change, user),
                                        MEMBER(registry_card_change, reason),
                                        MEMBER(registry_card_change, source)};
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(o, "change_kind");

    json_texts(h, o, texts, sizeof texts / sizeof *texts);
    h->change_id = json_int(o, "change");
    if (!cJSON_IsString(kind) ||
        registry_change_kind_parse(&h->change_kind, kind->valuestring) < 0)
        h->change_kind = REGISTRY_CHANGE_EDIT;
    h->id = json_int(o, "id");
    h->at = json_time(o, "at");
    h->old_value = json_text_or_null(o, "old");
    h->new_value = json_text_or_null(o, "new");
    h->request_id = json_int(o, "request");
}

int card_from_json(registry_card *out, const cJSON *doc)
{
    static const json_member card_texts[] = {
        MEMBER(registry_card, organisation), MEMBER(registry_card, instance),
        MEMBER(registry_card, environment),  MEMBER(registry_card, table),
        MEMBER(registry_card, description),  MEMBER(registry_card, kind),
        MEMBER(registry_card, url)};
    const cJSON *cols = cJSON_GetObjectItemCaseSensitive(doc, "columns");
    const cJSON *hist = cJSON_GetObjectItemCaseSensitive(doc, "history");
    const cJSON *v;
    size_t i = 0;

    memset(out, 0, sizeof *out);
    if (!cJSON_IsObject(doc))
        return ERR_INVALID;
    json_texts(out, doc, card_texts, sizeof card_texts / sizeof *card_texts);
    out->status = json_status(doc);
    json_rules(&out->rules, cJSON_GetObjectItemCaseSensitive(doc, "rules"));
    out->created_at = json_time(doc, "created_at");
    out->updated_at = json_time(doc, "updated_at");
    out->created_by_request = json_int(doc, "created_by_request");
    out->ncolumns = cJSON_IsArray(cols) ? (size_t)cJSON_GetArraySize(cols) : 0;
    out->columns = xcalloc(out->ncolumns + 1, sizeof *out->columns);
    cJSON_ArrayForEach(v, cols) json_column(&out->columns[i++], v);
    i = 0;
    out->nhistory = cJSON_IsArray(hist) ? (size_t)cJSON_GetArraySize(hist) : 0;
    out->history = xcalloc(out->nhistory + 1, sizeof *out->history);
    cJSON_ArrayForEach(v, hist) json_change(&out->history[i++], v);
    return 0;
}
