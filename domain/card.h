/* card.h: the one writer of a table's rules card (registry_card), with a
 * back end per place it is shown, and the one wording of a campaign
 * dependency.
 *
 * Back ends (card_format), each escaping every registry value for its
 * medium:
 * - CARD_HTML: the card page of the web UI (buf_append_html; the runbook
 *   through cmark with raw HTML off). Its edit form carries the token
 *   given in card_opts.csrf: the web passes the template hole
 *   TMPL_MARK_CSRF (web/tmpl.h), since the body is cached for every user.
 * - CARD_HTML_EXPORT: the page of the offline export (docket export
 *   --format html), relative links only.
 * - CARD_MARKDOWN: the page of docket export --format markdown
 *   (card_md_text, card_md_code, card_md_runbook).
 * - CARD_TERMINAL: docket lookup (card_term_text: control characters,
 *   escape sequences among them, become '?'; colours only when asked).
 * - CARD_MESSAGE: chat and e-mail messages: plain lines without control
 *   characters (card_message_text), which each channel renderer of
 *   notify/ escapes for its own format (Slack mrkdwn, Teams, e-mail).
 *
 * The pieces the registry pages share with the card (links, badges, the
 * history timeline) are here too, so a table, a badge or a change reads
 * the same on every page. */
#ifndef DOCKET_CARD_H
#define DOCKET_CARD_H

#include "buf.h"
#include "catalog.h"

#include <cjson/cJSON.h>

/* ---- the campaign dependency: one name and label table ---- */

typedef struct card_dep_text {
    registry_dep dep;
    const char *name;   /* stored and JSON name: "required", "optional", "" */
    const char *word;   /* "REQUIRED", "OPTIONAL", "NOT STATED" */
    const char *badge;  /* "REQUIRED", "OPTIONAL", "not stated" */
    const char *advice; /* "hold campaigns if the file is missing", ... */
    const char *css;    /* class beside "dependency"/"badge": "required",
                           "optional", "" */
} card_dep_text;

/* The texts of d (out of range: those of REGISTRY_DEP_UNSET). */
const card_dep_text *card_dep(registry_dep d);
/* The texts of the dependency named s; NULL, "" or any other text: those
 * of REGISTRY_DEP_UNSET. */
const card_dep_text *card_dep_named(const char *s);
/* "REQUIRED: hold campaigns if the file is missing" (word: advice). */
void card_dep_line(buf *o, registry_dep d);
/* For messages: "required (hold campaigns if the file is missing)";
 * nothing for a dependency not stated. Returns 1 when it wrote. */
int card_dep_message(buf *o, registry_dep d);

/* ---- escapers, one per medium ---- */

/* Markdown plain text inside a line, a table cell or a paragraph: on one
 * line, outer whitespace trimmed, every character with inline meaning
 * backslash-escaped, no list or heading can start. */
void card_md_text(buf *b, const char *s);
/* Markdown code span holding s literally (nothing for ""). */
void card_md_code(buf *b, const char *s);
/* The runbook note, Markdown by design, written back as CommonMark with
 * raw HTML made literal text and links and images to any scheme but
 * http, https and mailto replaced by their text. */
void card_md_runbook(buf *b, const char *md);
/* Markdown (the runbook note) as plain text: the words without the
 * markup ("**Do not**" reads "Do not"), list items numbered or
 * bulleted, a link's address in brackets after its text, blocks on
 * their own lines, no line end at the end. Escape it for its medium. */
void card_md_plain(buf *b, const char *md);
/* Text for a terminal: every control character but '\n' (and DEL)
 * becomes '?', so no value can drive the terminal. */
void card_term_text(buf *b, const char *s);
/* An SGR colour sequence ESC [ sgr m when color is set. */
void card_term_style(buf *b, int color, const char *sgr);
/* Text for a message: line ends, tabs and other control characters
 * become spaces. */
void card_message_text(buf *b, const char *s);
/* Markdown (CommonMark, raw HTML off) as HTML. */
void card_html_markdown(buf *b, const char *md);

/* ---- HTML pieces the registry pages share with the card ---- */

/* "/tables/<instance>/<table>", both URL-encoded. */
void card_html_href(buf *o, const char *instance, const char *table);
/* <a href="/tables/<instance>/<table>"> */
void card_html_link_open(buf *o, const char *instance, const char *table);
/* <a href="/tables/<instance>/<table>">instance · table</a> */
void card_html_table_link(buf *o, const char *instance, const char *table);
/* <a href="/requests/<id>">CR-<id></a> */
void card_html_request_link(buf *o, int64_t id);
/* open, s escaped, close; nothing when s is empty. */
void card_html_wrapped(buf *o, const char *open, const char *s,
                       const char *close);
/* <span class="badge status-S">words</span>, S escaped: a request
 * status in words ("in progress"), any other with its underscores as
 * spaces. */
void card_html_status_badge(buf *o, const char *status);
/* The REQUIRED / OPTIONAL / not stated badge. */
void card_html_dep_badge(buf *o, registry_dep d);

/* One history row of a change (card_group). */
typedef struct card_change_view {
    const char *at; /* ISO 8601 UTC */
    const char *column, *field;
    const char *old_value, *new_value; /* NULL when absent */
    int64_t request_id;                /* 0 when none */
    const char *user, *reason;
    const char *link_instance; /* set: the item starts with a link to */
    const char *link_table;    /* this table */
} card_change_view;

/* ---- the history by change (card_history.c) ---- */

/* One change as the writers show it: the history rows one request
 * deploy, import or hand edit wrote. Strings borrowed. */
typedef struct card_group {
    int64_t id; /* the change's id; 0 when unknown (then one row) */
    registry_change_kind kind;
    const char *at;                     /* ISO 8601 UTC */
    const char *instance;               /* the change's instance ("" unknown) */
    const char *table;                  /* the table of rows that name none */
    int64_t request_id;                 /* 0 when none */
    const char *request_title;          /* "" when unknown */
    const char *user, *reason, *source; /* source: an import's file */
    const card_change_view *rows;       /* oldest first; link_table names
                                           a row's table when set */
    size_t nrows;
    int64_t nrows_total; /* rows of the change shown here (> nrows: cut) */
} card_group;

/* The label of a field as the change-request form names it (forms/def.h:
 * "Late after (minutes)"), or docket's own for the fields the form lacks
 * ("Runbook note"); column "" or NULL: a table field. Static. */
const char *card_field_label(const char *column, const char *field);
/* The label of a choice field's value as the form names it ("Flat
 * file (CSV)" for source flat_file_csv, "New table" for kind new_table,
 * "E-mail" for a column's consent_channel email); value itself for a
 * field without choices or a value that is none of them. column "" or
 * NULL: a table field. Static or value. */
const char *card_choice_label(const char *column, const char *field,
                              const char *value);
/* A field's value in words: "(empty)", yes/no for flags, REQUIRED /
 * OPTIONAL for the dependency, a choice's label ("Flat file (CSV)"),
 * else the value, through esc. */
void card_field_value(buf *o, const char *column, const char *field,
                      const char *value, void (*esc)(buf *o, const char *s));
/* What g did in one line: "new table T with 12 columns", "3 fields of T
 * changed: Rule of tier, Campaign note, Owner", "column x added to T",
 * "2 new tables with 9 columns: a, b", ...; text through esc, each
 * table's name through table (NULL: esc). */
void card_group_summary(buf *o, const card_group *g,
                        void (*esc)(buf *o, const char *s),
                        void (*table)(buf *o, const char *instance,
                                      const char *table, void *ctx),
                        void *ctx);
/* Who and why: "Deployed CR-12 “title” to acme-prod by Pat", "Imported
 * dictionary.csv into acme-prod by Pat", "Edited in acme-prod by Pat ·
 * reason: why"; text through esc, the request through request (NULL:
 * "CR-12"). */
void card_group_why(buf *o, const card_group *g,
                    void (*esc)(buf *o, const char *s),
                    void (*request)(buf *o, int64_t id));
/* Calls fn for each change of c's history (newest first; a run of rows
 * with one change id is one change). */
void card_history_each(const registry_card *c,
                       void (*fn)(void *ctx, const card_group *g), void *ctx);
/* Calls fn once with change c as a group (rows name their tables). */
void card_group_of_change(const registry_change *c,
                          void (*fn)(void *ctx, const card_group *g),
                          void *ctx);
/* The number of tables g's rows name, 2 standing for "more than one". */
int card_group_tables(const card_group *g);

/* Where an HTML change links to: a table's page (table_href writes its
 * href, unescaped; NULL: names are not links) and requests (request_links
 * 1: "/requests/<id>"). */
typedef struct card_html_links {
    void (*table_href)(buf *o, const char *instance, const char *table,
                       void *ctx);
    int request_links;
    void *ctx;
} card_html_links;
/* One change as a timeline item: <li class="change" id="change-ID">
 * with the time, the summary, who and why, then the fields in a
 * collapsed <details>. l may be NULL (no links). */
void card_html_group(buf *o, const card_group *g, const card_html_links *l);
/* The <details> of the fields of g alone (the Atom feed's content). */
void card_html_group_fields(buf *o, const card_group *g);
/* A registry_change_list callback writing each change with
 * card_html_group into o (web links; tables linked when with_table). */
typedef struct card_html_list {
    buf *o;
    int n;           /* changes written */
    int64_t last_id; /* the last change's id (paging) */
    int with_table;  /* table names link to their cards */
} card_html_list;
void card_html_change_item(void *ctx, const registry_change *c);
/* One change as a Markdown list item, its fields as a nested list. */
void card_md_group(buf *b, const card_group *g);

/* ---- the card ---- */

typedef enum card_format {
    CARD_HTML = 0,
    CARD_HTML_EXPORT,
    CARD_MARKDOWN,
    CARD_TERMINAL,
    CARD_MESSAGE,
} card_format;

typedef struct card_opts {
    int edit;             /* CARD_HTML: 0 no form, 1 the runbook note, 2 every
                             field (pm, admin) */
    const char *csrf;     /* CARD_HTML with a form: the CSRF token (or the
                             template hole that stands for it), unescaped */
    const char *stamp;    /* CARD_HTML_EXPORT, CARD_MARKDOWN: "Exported" time */
    int color;            /* CARD_TERMINAL: SGR colours */
    const char *base_url; /* CARD_TERMINAL: "Details:" is base_url + the
                             card's path when set ("https://docket.example.
                             com", no trailing '/'), else the path */
    const char *today;    /* today's state of the table's file, beside the
                             campaign banner (NULL: none). CARD_HTML: HTML
                             written as is (the web passes the template
                             hole TMPL_MARK_TODAY: arrivals do not change
                             the cached card); CARD_TERMINAL: a line of
                             text ("Today: arrived 04:52 UTC, ...") */
    const char *chart;    /* CARD_HTML: HTML written as is after the rules
                             (the hole TMPL_MARK_CHART), NULL: none */
} card_opts;

/* Writes card c in format fmt into out (o may be NULL: no form, no
 * colour, no stamp). */
void card_write(buf *out, const registry_card *c, card_format fmt,
                const card_opts *o);

/* Active (not retired) columns of c, and those of them flagged consent
 * and PII. */
typedef struct card_counts {
    int columns, consent, pii;
} card_counts;
card_counts card_count(const registry_card *c);

/* The time a file expected at arrival ("HH:MM" UTC) counts as missing,
 * late minutes after it, as "HH:MM" into out; "" when arrival is not a
 * valid time or late is not positive. */
void card_missing_after(char out[8], const char *arrival, int late);

/* How a back end writes the flags of a column: PK, PII, and consent as
 * consent_open, the channel through esc, consent_close. */
typedef struct card_flag_words {
    const char *pk, *pii, *consent_open, *consent_close;
    void (*esc)(buf *o, const char *channel);
} card_flag_words;
/* The flags of column k (only those set) in the words of w. */
void card_column_flags(buf *o, const registry_card_column *k,
                       const card_flag_words *w);
/* The HTML badges of a column with the channel as "consent email" and
 * close after the consent badge ("</span> " or "</span>"). */
void card_html_column_flags(buf *o, const registry_card_column *k,
                            const char *close);

/* pre, s through esc, post (pre and post as they are); nothing when s is
 * empty. The one "field with its surrounding text only when it is set" of
 * every back end. */
void card_wrapped(buf *o, const char *pre, const char *s, const char *post,
                  void (*esc)(buf *o, const char *s));

/* The row anomaly rule of a tracked feed in words into out ("below 50 %
 * or above 200 % of the median of the last 14 arrivals", "above 300 % of
 * ...", "off"); "" for a table without a tracked cadence (none, ad_hoc). */
void card_anomaly_text(char *out, size_t size, const registry_card_rules *r);

/* "05:00 UTC, missing after 07:00" (values through esc), "Mondays, 05:00
 * UTC, ..." for a weekly table, "on day 15 of the month, 05:00 UTC" or "on
 * the last day of the month, ..." for a monthly one, or none when no
 * arrival time is recorded. */
void card_expected(buf *o, const registry_card_rules *r, const char *none,
                   void (*esc)(buf *o, const char *s));

/* The date part (YYYY-MM-DD) of Unix time t. */
void card_date(char out[11], int64_t t);

/* The card of a JSON document as registry_card_json writes it (the
 * table API's answer), for a card read from a server. Missing members
 * are empty. 0, or ERR_INVALID when doc is not an object. Caller frees
 * with registry_card_free. */
int card_from_json(registry_card *out, const cJSON *doc);

#endif
