/* card_html.c: the HTML back ends of the rules card: the web UI's card
 * page (CARD_HTML, with its edit form) and the offline export's
 * (CARD_HTML_EXPORT). Every registry value goes through buf_append_html
 * (or buf_append_url inside a link); the runbook through cmark with raw
 * HTML off. */
#include "card.h"
#include "card_int.h"
#include "def.h"
#include "str.h"
#include "triage.h"

#include <stdio.h>
#include <string.h>

/* ---- shared pieces ------------------------------------------------------ */

void card_html_href(buf *o, const char *instance, const char *table)
{
    buf_puts(o, "/tables/");
    buf_append_url(o, instance);
    buf_putc(o, '/');
    buf_append_url(o, table);
}

void card_html_link_open(buf *o, const char *instance, const char *table)
{
    buf_puts(o, "<a href=\"");
    card_html_href(o, instance, table);
    buf_puts(o, "\">");
}

void card_html_table_link(buf *o, const char *instance, const char *table)
{
    card_html_link_open(o, instance, table);
    buf_append_html(o, instance);
    buf_puts(o, " · ");
    buf_append_html(o, table);
    buf_puts(o, "</a>");
}

void card_html_request_link(buf *o, int64_t id)
{
    buf_appendf(o, "<a href=\"/requests/%lld\">CR-%lld</a>", (long long)id,
                (long long)id);
}

void card_html_dep_badge(buf *o, registry_dep d)
{
    const card_dep_text *t = card_dep(d);

    buf_puts(o, "<span class=\"badge ");
    buf_puts(o, *t->css ? t->css : "muted");
    buf_puts(o, "\">");
    buf_puts(o, t->badge);
    buf_puts(o, "</span>");
}

/* <div class="dependency required"><strong>REQUIRED</strong>: advice</div>:
 * a banner, not a paragraph (it is not followed by prose of its kind) */
static void dep_banner(buf *o, registry_dep d)
{
    const card_dep_text *t = card_dep(d);

    buf_puts(o, "<div class=\"dependency");
    if (*t->css) {
        buf_putc(o, ' ');
        buf_puts(o, t->css);
    }
    buf_appendf(o, "\"><strong>%s</strong>: %s</div>", t->word, t->advice);
}

void card_html_status_badge(buf *o, const char *s)
{
    request_status r = registry_status_parse(s);

    buf_puts(o, "<span class=\"badge status-");
    buf_append_html(o, s);
    buf_puts(o, "\">");
    if (r != REQ_NONE) {
        buf_append_html(o, registry_status_label(r));
    } else {
        for (const char *p = s; *p; p++) {
            char one[2] = {*p == '_' ? ' ' : *p, '\0'};
            buf_append_html(o, one);
        }
    }
    buf_puts(o, "</span>");
}

void card_html_wrapped(buf *o, const char *open, const char *s,
                       const char *close)
{
    card_wrapped(o, open, s, close, buf_append_html);
}

/* <h1>table status</h1><p class="muted">instance · environment (the
 * paragraph left open). */
static void title_and_place(buf *o, const registry_card *c)
{
    buf_puts(o, "<h1>");
    buf_append_html_ident(o, c->table);
    buf_putc(o, ' ');
    card_html_status_badge(o, registry_entry_status_name(c->status));
    buf_puts(o, "</h1><p class=\"muted\">");
    buf_append_html(o, c->instance);
    buf_puts(o, " · ");
    buf_append_html(o, c->environment);
}

/* The runbook (when there is one) and the end of the rules section. */
static void runbook_html(buf *o, const char *runbook)
{
    if (*runbook) {
        buf_puts(o, "<div class=\"runbook\" id=\"runbook\"><h2>Runbook</h2>");
        card_html_markdown(o, runbook);
        buf_puts(o, "</div>");
    }
    buf_puts(o, "</section>");
}

static void date_html(buf *o, int64_t t)
{
    char d[11];

    card_date(d, t);
    buf_append_html(o, d);
}

/* ---- the web card's edit form ------------------------------------------- */

/* <p><label for="e-NAME">LABEL</label>, then the control's opening up to
 * its name attribute's value. */
static void field_open(buf *o, const char *name, const char *label,
                       const char *control)
{
    buf_puts(o, "<p><label for=\"e-");
    buf_puts(o, name);
    buf_puts(o, "\">");
    buf_puts(o, label);
    buf_puts(o, "</label><");
    buf_puts(o, control);
    buf_puts(o, " id=\"e-");
    buf_puts(o, name);
    buf_puts(o, "\" name=\"");
    buf_puts(o, name);
}

static void field_input(buf *o, const char *name, const char *label,
                        const char *value, const char *extra)
{
    field_open(o, name, label, "input");
    buf_puts(o, "\" value=\"");
    buf_append_html(o, value);
    buf_puts(o, "\"");
    if (extra)
        buf_puts(o, extra);
    buf_puts(o, "></p>");
}

static void field_textarea(buf *o, const char *name, const char *label,
                           const char *value)
{
    field_open(o, name, label, "textarea");
    buf_puts(o, "\" rows=\"5\">");
    buf_append_html(o, value);
    buf_puts(o, "</textarea></p>");
}

static void field_select(buf *o, const char *name, const char *label,
                         const char *value, const char *const *choices,
                         const char *const *labels, size_t n)
{
    field_open(o, name, label, "select");
    buf_puts(o, "\">");
    for (size_t i = 0; i < n; i++) {
        buf_puts(o, "<option value=\"");
        buf_puts(o, choices[i]);
        buf_puts(o, "\"");
        if (!strcmp(value, choices[i]))
            buf_puts(o, " selected");
        buf_puts(o, ">");
        buf_puts(o, labels[i]);
        buf_puts(o, "</option>");
    }
    buf_puts(o, "</select></p>");
}

/* The choices of the campaign dependency: "not stated", then
 * "REQUIRED: advice" and "OPTIONAL: advice". */
static void field_dependency(buf *o, registry_dep value)
{
    static const registry_dep order[] = {
        REGISTRY_DEP_UNSET, REGISTRY_DEP_REQUIRED, REGISTRY_DEP_OPTIONAL};
    buf labels[3] = {{0}};
    const char *names[3], *texts[3];

    for (size_t i = 0; i < 3; i++) {
        const card_dep_text *t = card_dep(order[i]);
        names[i] = t->name;
        if (order[i] == REGISTRY_DEP_UNSET)
            buf_puts(&labels[i], t->badge);
        else
            card_dep_line(&labels[i], order[i]);
        texts[i] = buf_cstr(&labels[i]);
    }
    field_select(o, "campaign_dependency", "Campaign dependency",
                 card_dep(value)->name, names, texts, 3);
    for (size_t i = 0; i < 3; i++)
        buf_dispose(&labels[i]);
}

/* A select of the form's choices of table field key, labelled; the
 * stored value kept as its own option when it is none of them. */
static void field_choice(buf *o, const char *key, const char *label,
                         const char *value)
{
    const form_field *f = form_def_field_key(FORM_LEVEL_ITEM, key, strlen(key));
    int found = !*value;

    field_open(o, key, label, "select");
    buf_puts(o, "\"><option value=\"\">not stated</option>");
    for (size_t i = 0; f && i < f->nchoices; i++) {
        int sel = !strcmp(value, f->choices[i].value);
        found |= sel;
        buf_puts(o, "<option value=\"");
        buf_append_html(o, f->choices[i].value);
        buf_puts(o, sel ? "\" selected>" : "\">");
        buf_append_html(o, f->choices[i].label);
        buf_puts(o, "</option>");
    }
    if (!found) {
        buf_puts(o, "<option value=\"");
        buf_append_html(o, value);
        buf_puts(o, "\" selected>");
        buf_append_html(o, value);
        buf_puts(o, "</option>");
    }
    buf_puts(o, "</select></p>");
}

/* The fields only pm and admin may edit. */
static void edit_fields_all(buf *o, const registry_card *c)
{
    static const char *const states[] = {"active", "deprecated"};
    const registry_card_rules *r = &c->rules;
    char late[16];

    field_dependency(o, r->campaign_dependency);
    field_textarea(o, "campaign_note", "Campaign note", r->campaign_note);
    field_input(o, "expected_arrival", "Expected arrival (HH:MM UTC)",
                r->expected_arrival,
                " pattern=\"[0-2][0-9]:[0-5][0-9]\" placeholder=\"05:00\"");
    snprintf(late, sizeof late, "%d", r->late_after_minutes);
    field_input(o, "late_after_minutes", "Missing after (minutes late)", late,
                " type=\"number\" min=\"0\" max=\"1440\"");
    field_choice(o, "source", "Source", r->source);
    field_choice(o, "cadence", "Cadence", r->cadence);
    field_input(o, "expected_day",
                "Expected day (mon to sun, or day of the month 1 to 31 or "
                "last)",
                r->expected_day ? r->expected_day : "",
                " maxlength=\"9\" placeholder=\"mon\"");
    snprintf(late, sizeof late, "%d", r->anomaly_low_pct);
    field_input(o, "anomaly_low_pct",
                "Row anomaly below (% of the median, 0: off)", late,
                " type=\"number\" min=\"0\" max=\"100\"");
    snprintf(late, sizeof late, "%d", r->anomaly_high_pct);
    field_input(o, "anomaly_high_pct",
                "Row anomaly above (% of the median, 0: off)", late,
                " type=\"number\" min=\"0\" max=\"100000\"");
    field_input(o, "file_pattern", "File pattern", r->file_pattern, NULL);
    field_input(o, "owner", "Owner", r->owner, NULL);
    field_input(o, "escalation", "Escalation contact", r->escalation, NULL);
    field_select(
        o, "consent_relevant", "Consent relevance",
        r->consent_relevant ? "1" : "0", (const char *const[]){"0", "1"},
        (const char *const[]){"not consent-relevant", "consent-relevant"}, 2);
    field_select(o, "status", "Status", registry_entry_status_name(c->status),
                 states, states, 2);
    field_textarea(o, "description", "Description", c->description);
}

/* The edit form of a rules card (edit 1: runbook only; 2: every field). */
static void edit_form(buf *o, const registry_card *c, const card_opts *opt)
{
    buf_puts(o, "<details class=\"card edit\"><summary>");
    buf_puts(o, opt->edit == 2 ? "Edit rules and description"
                               : "Edit the runbook note");
    buf_puts(o, "</summary><form method=\"post\" action=\"");
    card_html_href(o, c->instance, c->table);
    buf_puts(o, "/edit\" class=\"stack\"><input type=\"hidden\" "
                "name=\"csrf\" value=\"");
    buf_puts(o, opt->csrf ? opt->csrf : "");
    buf_puts(o, "\">");
    if (opt->edit == 2)
        edit_fields_all(o, c);
    field_textarea(o, "runbook", "Runbook note (Markdown)", c->rules.runbook);
    buf_puts(o, "<p><label for=\"e-reason\">Reason (kept in the history)"
                "</label><input id=\"e-reason\" name=\"reason\" required "
                "maxlength=\"2000\"></p><p><button type=\"submit\">Save"
                "</button></p></form></details>");
}

/* ---- the web card ------------------------------------------------------- */

static void web_heading(buf *o, const registry_card *c)
{
    buf_puts(o, "<nav class=\"crumbs\" aria-label=\"Breadcrumb\"><a "
                "href=\"/tables\">Tables</a> › <a href=\"/tables?instance=");
    buf_append_url(o, c->instance);
    buf_puts(o, "\">");
    buf_append_html(o, c->instance);
    buf_puts(o, "</a></nav>");
    title_and_place(o, c);
    buf_puts(o, " · ");
    buf_append_html(o, c->organisation);
    card_html_wrapped(o, " · ", card_choice_label(NULL, "kind", c->kind), "");
    buf_puts(o, "</p>");
}

/* The rules section up to the expected arrival: the section (with attrs),
 * the campaign dependency, today's line (HTML as is, NULL: none), its
 * note in note_open ... </p>, and the expected time (none when not
 * recorded). */
static void rules_open(buf *o, const registry_card_rules *r, const char *attrs,
                       const char *note_open, const char *none,
                       const char *today)
{
    buf_puts(o, "<section class=\"card rules-card\"");
    buf_puts(o, attrs);
    buf_putc(o, '>');
    dep_banner(o, r->campaign_dependency);
    if (today)
        buf_puts(o, today); /* HTML: the template hole of the web card */
    card_html_wrapped(o, note_open, r->campaign_note, "</p>");
    buf_puts(o, "<dl class=\"facts\"><dt>Expected</dt><dd>");
    card_expected(o, r, none, buf_append_html);
}

static void dd_or_dash(buf *o, const char *s)
{
    buf_append_html(o, *s ? s : "—");
}

/* The Owner and Escalation facts, each value through write. */
static void owner_escalation(buf *o, const registry_card_rules *r,
                             void (*write)(buf *o, const char *s))
{
    const char *const facts[] = {"Owner", r->owner, "Escalation",
                                 r->escalation};
    char rows[120];

    card_anomaly_text(rows, sizeof rows, r);
    if (*rows) {
        buf_puts(o, "</dd><dt>Row anomaly</dt><dd>");
        write(o, rows);
    }
    for (size_t i = 0; i < 4; i += 2) {
        buf_puts(o, "</dd><dt>");
        buf_puts(o, facts[i]);
        buf_puts(o, "</dt><dd>");
        write(o, facts[i + 1]);
    }
}

static void web_facts_consent(buf *o, const registry_card *c)
{
    card_counts n = card_count(c);

    buf_puts(o, "</dd><dt>Consent</dt><dd>");
    if (c->rules.consent_relevant || n.consent) {
        buf_puts(o, "<span class=\"badge consent\">consent-relevant</span> ");
        buf_appendf(o, "%d consent column%s", n.consent,
                    n.consent == 1 ? "" : "s");
    } else {
        buf_puts(o, "not consent-relevant");
    }
    if (n.pii)
        buf_appendf(o, " · <span class=\"badge pii\">PII</span> %d column%s",
                    n.pii, n.pii == 1 ? "" : "s");
    buf_puts(o, "</dd><dt>Last change</dt><dd>");
    if (c->nhistory) {
        const registry_card_change *h = &c->history[0];
        date_html(o, h->at);
        buf_puts(o, " ");
        if (h->request_id > 0) {
            buf_puts(o, "by ");
            card_html_request_link(o, h->request_id);
        } else {
            card_last_cause(o, h, buf_append_html);
        }
        buf_puts(o, ": ");
        card_last_summary(o, c, buf_append_html); /* the whole change */
    } else {
        buf_puts(o, "—");
    }
    buf_puts(o, "</dd></dl>");
}

static void web_rules(buf *o, const registry_card *c, const char *today)
{
    const registry_card_rules *r = &c->rules;

    rules_open(o, r, " aria-label=\"Rules\"", "<p class=\"dependency-note\">",
               "<span class=\"muted\">no arrival time recorded</span>", today);
    card_html_wrapped(o, " · ", card_choice_label(NULL, "cadence", r->cadence),
                      "");
    buf_puts(o, "</dd><dt>Source</dt><dd>");
    dd_or_dash(o, card_choice_label(NULL, "source", r->source));
    card_wrapped(o, " · <code>", r->file_pattern, "</code>",
                 buf_append_html_ident);
    owner_escalation(o, r, dd_or_dash);
    web_facts_consent(o, c);
    card_html_wrapped(o, "<p class=\"description lines\">", c->description,
                      "</p>");
    runbook_html(o, r->runbook);
}

/* ": channel", escaped, or nothing for no channel. */
static void colon_channel(buf *o, const char *channel)
{
    card_html_wrapped(o, ": ", channel, "");
}

void card_html_column_flags(buf *o, const registry_card_column *k,
                            const char *close)
{
    card_flag_words w = {"<span class=\"badge\">PK</span> ",
                         "<span class=\"badge pii\">PII</span> ",
                         "<span class=\"badge consent\">consent ", close,
                         buf_append_html};

    card_column_flags(o, k, &w);
}

/* PK, PII and consent badges of a column; with channel_colon the consent
 * badge reads "consent: email" (web), else "consent email" (export). */
static void column_badges(buf *o, const registry_card_column *k,
                          int channel_colon)
{
    if (channel_colon) {
        card_flag_words w = {"<span class=\"badge\">PK</span> ",
                             "<span class=\"badge pii\">PII</span> ",
                             "<span class=\"badge consent\">consent",
                             "</span> ", colon_channel};
        card_column_flags(o, k, &w);
    } else {
        card_html_column_flags(o, k, "</span> ");
    }
    if (k->status != REGISTRY_ENTRY_ACTIVE)
        card_html_status_badge(o, registry_entry_status_name(k->status));
}

/* The type (and "not null") and description (with the example and the
 * rule) cells of column k. */
static void type_description_cells(buf *o, const registry_card_column *k)
{
    buf_puts(o, "<td><code>");
    buf_append_html_ident(o, k->type);
    buf_puts(o, "</code>");
    if (!k->nullable)
        buf_puts(o, " <span class=\"muted\">not null</span>");
    buf_puts(o, "</td><td class=\"lines\">");
    buf_append_html(o, k->description);
    card_html_wrapped(o, " <span class=\"muted\">e.g. ", k->example, "</span>");
    card_html_wrapped(o, "<br><span class=\"muted\">Rule: ", k->rule,
                      "</span>");
    buf_puts(o, "</td>");
}

static void web_column(buf *o, const registry_card *c,
                       const registry_card_column *k)
{
    buf_puts(o, "<tr");
    if (k->status != REGISTRY_ENTRY_ACTIVE)
        buf_puts(o, " class=\"muted\"");
    buf_puts(o, "><th scope=\"row\"><a href=\"");
    card_html_href(o, c->instance, c->table);
    buf_puts(o, "/columns/");
    buf_append_url(o, k->name);
    buf_puts(o, "\"><code>");
    buf_append_html_ident(o, k->name);
    buf_puts(o, "</code></a></th>");
    type_description_cells(o, k);
    buf_puts(o, "<td>");
    column_badges(o, k, 1);
    buf_puts(o, "</td><td>");
    if (k->added_by_request > 0) {
        buf_puts(o, "added by ");
        card_html_request_link(o, k->added_by_request);
        buf_puts(o, " on ");
    }
    date_html(o, k->added_at);
    buf_puts(o, "</td></tr>");
}

static void web_columns(buf *o, const registry_card *c)
{
    buf_appendf(o,
                "<section class=\"card\"><h2>Columns <span "
                "class=\"muted\">(%zu)</span></h2>",
                c->ncolumns);
    buf_puts(o, "<div class=\"table-wrap\"><table class=\"table\"><thead><tr>"
                "<th scope=\"col\">Column</th><th scope=\"col\">Type</th>"
                "<th scope=\"col\">Description</th><th scope=\"col\">Flags"
                "</th><th scope=\"col\">Added</th></tr></thead><tbody>");
    for (size_t i = 0; i < c->ncolumns; i++)
        web_column(o, c, &c->columns[i]);
    buf_puts(o, "</tbody></table></div></section>");
}

static void web_history(buf *o, const registry_card *c)
{
    buf_puts(o, "<section class=\"card\"><h2>History</h2>");
    if (c->nhistory == 0)
        buf_puts(o, "<p class=\"muted\">No changes recorded.</p>");
    else
        buf_puts(o, "<ol class=\"timeline\">");
    card_html_history(o, c, 0); /* one item per change */
    if (c->nhistory)
        buf_puts(o, "</ol>");
    buf_puts(o, "</section>");
}

/* The body of a rules card page: heading, rules card, edit form, columns,
 * history. Independent of the user except for opt->edit. */
void card_write_html(buf *o, const registry_card *c, const card_opts *opt)
{
    web_heading(o, c);
    web_rules(o, c, opt->today);
    if (opt->chart)
        buf_puts(o, opt->chart); /* HTML: the template hole */
    if (opt->edit > 0)
        edit_form(o, c, opt);
    web_columns(o, c);
    web_history(o, c);
}

/* ---- the export's card -------------------------------------------------- */

static void export_rules(buf *o, const registry_card *c)
{
    const registry_card_rules *r = &c->rules;

    rules_open(o, r, "", "<p>", "not recorded", NULL);
    buf_puts(o, "</dd><dt>Source</dt><dd>");
    buf_append_html(o, card_choice_label(NULL, "source", r->source));
    card_html_wrapped(o, " · ", card_choice_label(NULL, "cadence", r->cadence),
                      "");
    card_html_wrapped(o, " <code>", r->file_pattern, "</code>");
    owner_escalation(o, r, buf_append_html);
    buf_puts(o, "</dd><dt>Consent</dt><dd>");
    buf_puts(o, r->consent_relevant
                    ? "<span class=\"badge consent\">consent-relevant</span>"
                    : "not consent-relevant");
    buf_puts(o, "</dd></dl>");
    card_html_wrapped(o, "<p>", c->description, "</p>");
    runbook_html(o, r->runbook);
}

static void export_columns(buf *o, const registry_card *c)
{
    buf_puts(o, "<section class=\"card\"><h2>Columns</h2><table "
                "class=\"table\"><thead><tr><th scope=\"col\">Column</th><th "
                "scope=\"col\">Type</th><th scope=\"col\">Description</th>"
                "<th scope=\"col\">Flags</th></tr></thead><tbody>");
    for (size_t i = 0; i < c->ncolumns; i++) {
        const registry_card_column *k = &c->columns[i];
        buf_puts(o, "<tr><th scope=\"row\"><code>");
        buf_append_html(o, k->name);
        buf_puts(o, "</code></th>");
        type_description_cells(o, k);
        buf_puts(o, "<td>");
        column_badges(o, k, 0);
        buf_puts(o, "</td></tr>");
    }
    buf_puts(o, "</tbody></table></section>");
}

static void export_history(buf *o, const registry_card *c)
{
    buf_puts(o, "<section class=\"card\"><h2>History</h2><ol "
                "class=\"timeline\">");
    card_html_history(o, c, 1); /* one item per change */
    buf_puts(o, "</ol></section>");
}

/* The card part of an export page (between the export's head and foot). */
void card_write_html_export(buf *o, const registry_card *c,
                            const card_opts *opt)
{
    (void)opt;
    title_and_place(o, c);
    buf_puts(o, "</p>");
    export_rules(o, c);
    export_columns(o, c);
    export_history(o, c);
}
