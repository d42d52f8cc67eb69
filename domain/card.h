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
/* <span class="badge status-S">S</span>, S escaped. */
void card_html_status_badge(buf *o, const char *status);
/* The REQUIRED / OPTIONAL / not stated badge. */
void card_html_dep_badge(buf *o, registry_dep d);

/* One history entry as a timeline item (<li>). */
typedef struct card_change_view {
    const char *at; /* ISO 8601 UTC */
    const char *column, *field;
    const char *old_value, *new_value; /* NULL when absent */
    int64_t request_id;                /* 0 when none */
    const char *user, *reason;
    const char *link_instance; /* set: the item starts with a link to */
    const char *link_table;    /* this table */
} card_change_view;
void card_html_change(buf *o, const card_change_view *h);
/* One history entry of the offline export's pages; with href set it
 * starts with a link (href, relative) to link_instance · link_table. */
void card_html_export_change(buf *o, const card_change_view *h,
                             const char *href);

/* ---- the card ---- */

typedef enum card_format {
    CARD_HTML = 0,
    CARD_HTML_EXPORT,
    CARD_MARKDOWN,
    CARD_TERMINAL,
    CARD_MESSAGE,
} card_format;

typedef struct card_opts {
    int edit;          /* CARD_HTML: 0 no form, 1 the runbook note, 2 every
                          field (pm, admin) */
    const char *csrf;  /* CARD_HTML with a form: the CSRF token (or the
                          template hole that stands for it), unescaped */
    const char *stamp; /* CARD_HTML_EXPORT, CARD_MARKDOWN: "Exported" time */
    int color;         /* CARD_TERMINAL: SGR colours */
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

/* "field<sep>old → new" of a history entry, each value through esc, a
 * missing old or new value written as missing. */
void card_change_values(buf *o, const char *field, const char *old_value,
                        const char *new_value, const char *sep,
                        const char *missing,
                        void (*esc)(buf *o, const char *s));

/* pre, s through esc, post (pre and post as they are); nothing when s is
 * empty. The one "field with its surrounding text only when it is set" of
 * every back end. */
void card_wrapped(buf *o, const char *pre, const char *s, const char *post,
                  void (*esc)(buf *o, const char *s));

/* "05:00 UTC, missing after 07:00" (values through esc), or none when
 * no arrival time is recorded. */
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
