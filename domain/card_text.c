/* card_text.c: the text back ends of the rules card: Markdown (the
 * export), the terminal (docket lookup) and chat messages. Every registry
 * value goes through the escaper of its medium (card.c). */
#include "card.h"
#include "card_int.h"
#include "mem.h"
#include "str.h"

#include <stdlib.h>
#include <string.h>

/* ---- Markdown ----------------------------------------------------------- */

static void md_facts(buf *b, const registry_card *c)
{
    const registry_card_rules *r = &c->rules;
    const char *const facts[] = {"\n- Owner: ",
                                 r->owner,
                                 "\n- Escalation: ",
                                 r->escalation,
                                 "\n- Consent: ",
                                 r->consent_relevant ? "consent-relevant"
                                                     : "not consent-relevant",
                                 "\n- Status: ",
                                 registry_entry_status_name(c->status)};
    char rows[120];

    buf_puts(b, "- Expected: ");
    card_expected(b, r, "not recorded", card_md_text);
    buf_puts(b, "\n- Source: ");
    card_md_text(b, card_choice_label(NULL, "source", r->source));
    if (*r->cadence) {
        buf_puts(b, ", ");
        card_md_text(b, card_choice_label(NULL, "cadence", r->cadence));
    }
    if (*r->file_pattern) {
        buf_putc(b, ' ');
        card_md_code(b, r->file_pattern);
    }
    card_anomaly_text(rows, sizeof rows, r);
    if (*rows) {
        buf_puts(b, "\n- Row anomaly: ");
        card_md_text(b, rows);
    }
    for (size_t i = 0; i < sizeof facts / sizeof *facts; i += 2) {
        buf_puts(b, facts[i]);
        card_md_text(b, facts[i + 1]);
    }
    buf_puts(b, "\n\n");
}

static void md_columns(buf *b, const registry_card *c)
{
    static const card_flag_words flags = {"PK ", "PII ", "consent ", "",
                                          card_md_text};

    buf_puts(b, "## Columns\n\n| Column | Type | Null | Description | Example "
                "| Flags |\n| --- | --- | --- | --- | --- | --- |\n");
    for (size_t i = 0; i < c->ncolumns; i++) {
        const registry_card_column *k = &c->columns[i];
        buf_puts(b, "| ");
        card_md_text(b, k->name);
        buf_puts(b, " | ");
        card_md_text(b, k->type);
        buf_puts(b, k->nullable ? " | nullable | " : " | not null | ");
        card_md_text(b, k->description);
        if (*k->rule) {
            buf_puts(b, *k->description ? " Rule: " : "Rule: ");
            card_md_text(b, k->rule);
        }
        buf_puts(b, " | ");
        card_md_text(b, k->example);
        buf_puts(b, " | ");
        card_column_flags(b, k, &flags);
        if (k->status != REGISTRY_ENTRY_ACTIVE) {
            buf_putc(b, ' ');
            card_md_text(b, registry_entry_status_name(k->status));
        }
        buf_puts(b, " |\n");
    }
}

static void md_history(buf *b, const registry_card *c)
{
    buf_puts(b, "\n## History\n\n");
    card_md_history(b, c); /* one item per change */
}

void card_write_markdown(buf *b, const registry_card *c, const card_opts *opt)
{
    const registry_card_rules *r = &c->rules;

    buf_puts(b, "# ");
    card_md_text(b, c->table);
    buf_puts(b, " (");
    card_md_text(b, c->instance);
    buf_puts(b, ")\n\n**");
    card_dep_line(b, r->campaign_dependency);
    buf_puts(b, "**\n\n");
    card_wrapped(b, "", r->campaign_note, "\n\n", card_md_text);
    md_facts(b, c);
    card_wrapped(b, "", c->description, "\n\n", card_md_text);
    if (*r->runbook) {
        buf_puts(b, "## Runbook\n\n");
        card_md_runbook(b, r->runbook);
        buf_puts(b, "\n");
    }
    md_columns(b, c);
    md_history(b, c);
    buf_puts(b, "\n_Exported ");
    buf_puts(b, opt->stamp ? opt->stamp : "");
    buf_puts(b, "_\n");
}

/* ---- terminal ----------------------------------------------------------- */

typedef struct term {
    buf *b;
    int color;
} term;

static void tput(const term *t, const char *s)
{
    card_term_text(t->b, s);
}

static void tstyle(const term *t, const char *sgr)
{
    card_term_style(t->b, t->color, sgr);
}

/* A label in bold, padded to the values' column when a value follows. */
static void label(const term *t, const char *l)
{
    tstyle(t, "1");
    buf_appendf(t->b, "%-12s", l);
    tstyle(t, "0");
}

/* A label alone on its line (what belongs to it on the lines after). */
static void label_line(const term *t, const char *l)
{
    tstyle(t, "1");
    buf_puts(t->b, l);
    tstyle(t, "0");
    buf_putc(t->b, '\n');
}

/* The dependency in its colour, today's line (NULL: none), the note, and
 * the table's heading. */
static void term_heading(const term *t, const registry_card *c,
                         const char *today)
{
    static const char *const colours[] = {"1;33", "1;31", "1;32"};
    registry_dep d = c->rules.campaign_dependency;

    tstyle(t, colours[card_dep(d)->dep]);
    card_dep_line(t->b, d);
    tstyle(t, "0");
    buf_putc(t->b, '\n');
    if (today && *today) {
        tstyle(t, "1");
        tput(t, today);
        tstyle(t, "0");
        buf_putc(t->b, '\n');
    }
    card_wrapped(t->b, "  ", c->rules.campaign_note, "\n", card_term_text);
    buf_putc(t->b, '\n');
    tstyle(t, "1");
    tput(t, c->table);
    tstyle(t, "0");
    buf_puts(t->b, "  (");
    tput(t, c->instance);
    buf_puts(t->b, " · ");
    tput(t, c->environment);
    buf_puts(t->b, " · ");
    tput(t, c->organisation);
    buf_puts(t->b, ")");
    if (c->status != REGISTRY_ENTRY_ACTIVE) {
        buf_puts(t->b, " ");
        tstyle(t, "1;33");
        tput(t, registry_entry_status_name(c->status));
        tstyle(t, "0");
    }
    buf_putc(t->b, '\n');
    card_wrapped(t->b, "", c->description, "\n", card_term_text);
}

/* label, then s or "-" when empty, then a line end. */
static void term_fact(const term *t, const char *l, const char *s)
{
    label(t, l);
    tput(t, *s ? s : "-");
    buf_putc(t->b, '\n');
}

static void term_rules(const term *t, const registry_card *c)
{
    const registry_card_rules *r = &c->rules;
    char rows[120];

    label(t, "Expected");
    card_expected(t->b, r, "no arrival time recorded", card_term_text);
    card_wrapped(t->b, " (", card_choice_label(NULL, "cadence", r->cadence),
                 ")", card_term_text);
    buf_putc(t->b, '\n');
    label(t, "Source");
    tput(t, *r->source ? card_choice_label(NULL, "source", r->source) : "-");
    card_wrapped(t->b, "  ", r->file_pattern, "", card_term_text);
    buf_putc(t->b, '\n');
    card_anomaly_text(rows, sizeof rows, r);
    if (*rows)
        term_fact(t, "Row anomaly", rows);
    term_fact(t, "Owner", r->owner);
    term_fact(t, "Escalation", r->escalation);
}

static void term_consent_last(const term *t, const registry_card *c)
{
    card_counts n = card_count(c);

    label(t, "Consent");
    if (c->rules.consent_relevant || n.consent)
        buf_appendf(t->b, "consent-relevant (%d consent column%s)", n.consent,
                    n.consent == 1 ? "" : "s");
    else
        buf_puts(t->b, "not consent-relevant");
    if (n.pii)
        buf_appendf(t->b, " · PII in %d column%s", n.pii,
                    n.pii == 1 ? "" : "s");
    buf_putc(t->b, '\n');
    label(t, "Last change");
    if (c->nhistory) {
        const registry_card_change *h = &c->history[0];
        char d[11];
        card_date(d, h->at);
        buf_puts(t->b, d);
        if (h->request_id > 0) {
            buf_appendf(t->b, " CR-%lld", (long long)h->request_id);
        } else {
            buf_puts(t->b, " ");
            card_last_cause(t->b, h, card_term_text);
        }
        buf_puts(t->b, " (");
        card_last_summary(t->b, c, card_term_text); /* the whole change */
        buf_puts(t->b, ")");
    } else {
        buf_puts(t->b, "-");
    }
    buf_putc(t->b, '\n');
}

/* The runbook as plain text (its Markdown markup removed), each line
 * indented by two spaces. */
static void term_runbook(const term *t, const char *md)
{
    buf plain = {0};
    const char *p;

    if (!*md)
        return;
    label_line(t, "Runbook");
    card_md_plain(&plain, md);
    for (p = buf_cstr(&plain); *p;) {
        size_t n = strcspn(p, "\n");
        char *line = xstrndup(p, n);
        if (n)
            buf_puts(t->b, "  ");
        tput(t, line);
        buf_putc(t->b, '\n');
        free(line);
        p += n + (p[n] == '\n');
    }
    buf_dispose(&plain);
}

/* The width of s on a terminal: its characters (UTF-8 continuation bytes
 * take no column; a control character is shown as one '?'). */
static size_t term_width(const char *s)
{
    size_t w = 0;

    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

/* s, then spaces up to width display columns. */
static void term_padded(const term *t, const char *s, size_t width)
{
    tput(t, s);
    for (size_t k = term_width(s); k < width; k++)
        buf_putc(t->b, ' ');
}

/* The flags of column k after its type (" PK not-null PII ..."). */
static void term_flags(const term *t, const registry_card_column *k)
{
    if (k->primary_key)
        buf_puts(t->b, " PK");
    if (!k->nullable)
        buf_puts(t->b, " not-null");
    if (k->pii) {
        buf_puts(t->b, " ");
        tstyle(t, "35");
        buf_puts(t->b, "PII");
        tstyle(t, "0");
    }
    if (k->consent) {
        buf_puts(t->b, " ");
        tstyle(t, "36");
        buf_puts(t->b, "consent");
        card_wrapped(
            t->b, " (",
            card_choice_label("column", "consent_channel", k->consent_channel),
            ")", card_term_text);
        tstyle(t, "0");
    }
    if (k->status != REGISTRY_ENTRY_ACTIVE) {
        buf_puts(t->b, " [");
        tput(t, registry_entry_status_name(k->status));
        buf_puts(t->b, "]");
    }
    if (k->added_by_request > 0)
        buf_appendf(t->b, " (CR-%lld)", (long long)k->added_by_request);
}

/* One line of the columns table: the name and the type padded to the
 * widest of them (display width), then the flags; no trailing blanks. */
static void term_column(const term *t, const registry_card_column *k,
                        size_t wname, size_t wtype)
{
    buf flags = {0};
    term ft = {&flags, t->color};

    term_flags(&ft, k);
    buf_puts(t->b, "  ");
    if (!*k->type && !flags.len) {
        tput(t, k->name);
    } else {
        term_padded(t, k->name, wname);
        buf_putc(t->b, ' ');
        if (flags.len)
            term_padded(t, k->type, wtype);
        else
            tput(t, k->type);
        buf_append(t->b, buf_cstr(&flags), flags.len);
    }
    buf_putc(t->b, '\n');
    buf_dispose(&flags);
}

static void term_columns(const term *t, const registry_card *c)
{
    size_t wname = 0, wtype = 0;

    tstyle(t, "1");
    buf_appendf(t->b, "Columns (%d)", card_count(c).columns);
    tstyle(t, "0");
    buf_putc(t->b, '\n');
    for (size_t i = 0; i < c->ncolumns; i++) {
        const registry_card_column *k = &c->columns[i];
        if (k->status == REGISTRY_ENTRY_RETIRED)
            continue;
        if (term_width(k->name) > wname)
            wname = term_width(k->name);
        if (term_width(k->type) > wtype)
            wtype = term_width(k->type);
    }
    for (size_t i = 0; i < c->ncolumns; i++)
        if (c->columns[i].status != REGISTRY_ENTRY_RETIRED)
            term_column(t, &c->columns[i], wname, wtype);
}

/* The rules card: campaign dependency first, then arrival, source, owner,
 * consent, runbook, last change and the columns. */
void card_write_terminal(buf *b, const registry_card *c, const card_opts *opt)
{
    term t = {b, opt->color};

    term_heading(&t, c, opt->today);
    term_rules(&t, c);
    term_consent_last(&t, c);
    term_runbook(&t, c->rules.runbook);
    buf_puts(b, "\n");
    term_columns(&t, c);
    buf_puts(b, "\nDetails: ");
    if (opt->base_url && *opt->base_url)
        tput(&t, opt->base_url);
    tput(&t, c->url);
    buf_putc(b, '\n');
}

/* ---- messages ----------------------------------------------------------- */

/* Plain lines for a chat message: the table, its campaign dependency and
 * the facts ops need ("Label: value", only those with a value); the
 * channel renderer escapes them. */
void card_write_message(buf *b, const registry_card *c)
{
    const registry_card_rules *r = &c->rules;
    buf title = {0}, dep = {0}, expected = {0};
    const char *lines[][2] = {
        {NULL, NULL},
        {"Campaigns", NULL},
        {"Campaign note", r->campaign_note},
        {"Expected", NULL},
        {"Owner", r->owner},
        {"Escalation", r->escalation},
        {"Consent", r->consent_relevant || card_count(c).consent
                        ? "consent-relevant"
                        : "not consent-relevant"}};

    buf_puts(&title, c->instance);
    buf_puts(&title, " / ");
    buf_puts(&title, c->table);
    lines[0][1] = buf_cstr(&title);
    card_dep_line(&dep, r->campaign_dependency);
    lines[1][1] = buf_cstr(&dep);
    card_expected(&expected, r, "", buf_puts);
    lines[3][1] = buf_cstr(&expected);
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
        if (!*lines[i][1])
            continue;
        if (lines[i][0]) {
            buf_puts(b, lines[i][0]);
            buf_puts(b, ": ");
        }
        card_message_text(b, lines[i][1]);
        buf_putc(b, '\n');
    }
    buf_dispose(&title);
    buf_dispose(&dep);
    buf_dispose(&expected);
}
