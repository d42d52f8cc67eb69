/* test_labels.c: no internal value on a screen a person reads. Every
 * medium of the rules card (the web card with its edit form, the offline
 * export in HTML and Markdown, the terminal, chat messages) is written
 * for a table with every choice field (source, cadence, kind, consent
 * channel) set to each of its values, with a history that changes them;
 * the text a person reads (HTML without its tags, Markdown rendered)
 * holds the form's labels ("Flat file (CSV)"), never a raw choice value
 * ("flat_file_csv") nor a field's key ("late_after_minutes"), and never
 * raw Markdown ("**"). Request statuses read as words ("in progress"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "card.h"
#include "def.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The choices of one field of the form. */
typedef struct choices {
    const form_choice *v;
    size_t n;
} choices;

static choices field_choices(form_level level, const char *key)
{
    const form_field *f = form_def_field_key(level, key, strlen(key));
    choices c = {0};

    assert_non_null(f);
    assert_non_null(f->choices);
    c.v = f->choices;
    c.n = f->nchoices;
    return c;
}

static choices kinds(void)
{
    choices c;

    c.v = form_def_kinds(&c.n);
    return c;
}

static char s_org[] = "acme", s_inst[] = "acme-prod", s_env[] = "production";
static char s_table[] = "orders", s_desc[] = "One row per order.";
static char s_url[] = "/tables/acme-prod/orders", s_arr[] = "05:00";
static char s_pat[] = "orders.csv", s_owner[] = "crm@acme.example";
static char s_esc[] = "+44 1 (on-call)", s_note[] = "Hold sends.";
static char s_runbook[] = "1. Check the drop folder.\n"
                          "2. **Do not** start campaigns on old data.\n";
static char c_name[] = "member_ref", c_type[] = "timestamp with time zone";
static char c_desc[] = "The member.", c_ex[] = "M-1", c_rule[] = "Keep it.";
static char h_empty[] = "", h_user[] = "Pat", h_reason[] = "tidy up";
static char f_source[] = "source", f_cadence[] = "cadence", f_kind[] = "kind";
static char f_runbook[] = "runbook", f_late[] = "late_after_minutes";
static char f_rel[] = "consent_relevant", f_pattern[] = "file_pattern";
static char f_channel[] = "consent_channel", f_null[] = "nullable";
static char f_pk[] = "primary_key", v0[] = "0", v1[] = "1", v90[] = "90";

/* Set per variant. */
static char v_source[40], v_cadence[40], v_kind[40], v_channel[40];
static char o_source[40], o_cadence[40], o_kind[40], o_channel[40];

static registry_card_column cols[1];
static registry_card_change hist[10];

static void pick(char *out, const choices *c, size_t i)
{
    snprintf(out, 40, "%s", c->v[i % c->n].value);
}

/* The card of variant i: every choice field at its i-th value, and a
 * change from the (i+1)-th value to it. */
static registry_card variant(size_t i)
{
    choices src = field_choices(FORM_LEVEL_ITEM, "source");
    choices cad = field_choices(FORM_LEVEL_ITEM, "cadence");
    choices chan = field_choices(FORM_LEVEL_COLUMN, "consent_channel");
    choices k = kinds();
    registry_card c = {
        .organisation = s_org,
        .instance = s_inst,
        .environment = s_env,
        .table = s_table,
        .description = s_desc,
        .kind = v_kind,
        .status = REGISTRY_ENTRY_ACTIVE,
        .url = s_url,
        .rules = {.campaign_dependency = REGISTRY_DEP_REQUIRED,
                  .campaign_note = s_note,
                  .expected_arrival = s_arr,
                  .late_after_minutes = 90,
                  .missing_after = "06:30",
                  .source = v_source,
                  .cadence = v_cadence,
                  .file_pattern = s_pat,
                  .owner = s_owner,
                  .escalation = s_esc,
                  .consent_relevant = 1,
                  .runbook = s_runbook},
        .columns = cols,
        .ncolumns = 1,
        .history = hist,
        .nhistory = 0,
    };
    struct {
        char *column, *field, *old_value, *new_value;
    } rows[] = {
        {h_empty, f_source, o_source, v_source},
        {h_empty, f_cadence, o_cadence, v_cadence},
        {h_empty, f_kind, o_kind, v_kind},
        {h_empty, f_runbook, h_empty, s_runbook},
        {h_empty, f_late, v0, v90},
        {h_empty, f_rel, v0, v1},
        {h_empty, f_pattern, h_empty, s_pat},
        {c_name, f_channel, o_channel, v_channel},
        {c_name, f_null, v1, v0},
        {c_name, f_pk, v0, v1},
    };

    pick(v_source, &src, i);
    pick(o_source, &src, i + 1);
    pick(v_cadence, &cad, i);
    pick(o_cadence, &cad, i + 1);
    pick(v_kind, &k, i);
    pick(o_kind, &k, i + 1);
    pick(v_channel, &chan, i);
    pick(o_channel, &chan, i + 1);
    cols[0] = (registry_card_column){.name = c_name,
                                     .type = c_type,
                                     .description = c_desc,
                                     .example = c_ex,
                                     .consent_channel = v_channel,
                                     .rule = c_rule,
                                     .pii = 1,
                                     .consent = 1,
                                     .primary_key = 1,
                                     .added_at = 1772000000};
    for (size_t r = 0; r < sizeof rows / sizeof *rows; r++) {
        hist[r] = (registry_card_change){.id = (int64_t)r + 1,
                                         .at = 1772000000,
                                         .column = rows[r].column,
                                         .field = rows[r].field,
                                         .old_value = rows[r].old_value,
                                         .new_value = rows[r].new_value,
                                         .user = h_user,
                                         .reason = h_reason,
                                         .change_id = 7,
                                         .change_kind = REGISTRY_CHANGE_EDIT};
        c.nhistory++;
    }
    return c;
}

/* The text of HTML a person reads: the tags removed (a line end in their
 * place), the value of each visible <input> kept, the entities a writer
 * uses decoded. A <textarea> is left out: it holds the source a person
 * edits (the runbook's Markdown is typed as Markdown). */
static char *html_text(const char *h)
{
    buf b = {0};

    while (*h) {
        if (!strncmp(h, "<textarea", 9)) {
            h = strstr(h, "</textarea>");
            assert_non_null(h);
            h += 11;
            continue;
        }
        if (*h == '<') {
            const char *end = strchr(h, '>');
            assert_non_null(end);
            if (!strncmp(h, "<input", 6)) {
                char *tag = strndup(h, (size_t)(end - h));
                char *v = strstr(tag, " value=\"");
                if (v && !strstr(tag, "type=\"hidden\"")) {
                    v += 8;
                    buf_append(&b, v, strcspn(v, "\""));
                }
                free(tag);
            }
            buf_putc(&b, '\n');
            h = end + 1;
            continue;
        }
        if (*h == '&') {
            static const char *const ents[][2] = {
                {"&amp;", "&"},   {"&lt;", "<"},  {"&gt;", ">"},
                {"&quot;", "\""}, {"&#39;", "'"}, {"&#x27;", "'"}};
            int done = 0;
            for (size_t i = 0; i < sizeof ents / sizeof *ents && !done; i++)
                if (!strncmp(h, ents[i][0], strlen(ents[i][0]))) {
                    buf_puts(&b, ents[i][1]);
                    h += strlen(ents[i][0]);
                    done = 1;
                }
            if (done)
                continue;
        }
        buf_putc(&b, *h++);
    }
    return buf_detach(&b);
}

/* What a person reads of card c in fmt. */
static char *human(const registry_card *c, card_format fmt)
{
    card_opts o = {0};
    buf b = {0}, r = {0};
    char *s;

    o.edit = 2;
    o.csrf = "tok";
    o.stamp = "2026-12-01T10:00:00Z";
    card_write(&b, c, fmt, &o);
    assert_false(buf_error(&b));
    switch (fmt) {
    case CARD_HTML:
    case CARD_HTML_EXPORT: s = html_text(buf_cstr(&b)); break;
    case CARD_MARKDOWN:
        card_html_markdown(&r, buf_cstr(&b));
        s = html_text(buf_cstr(&r));
        break;
    default: s = buf_detach(&b); break;
    }
    buf_dispose(&b);
    buf_dispose(&r);
    return s;
}

static const char *const fmt_names[] = {"web card", "HTML export", "Markdown",
                                        "terminal", "message"};

static void assert_absent(const char *text, const char *what, card_format f)
{
    if (strstr(text, what)) {
        print_error("%s shows \"%s\":\n%s\n", fmt_names[f], what, text);
        fail();
    }
}

static void assert_present(const char *text, const char *what, card_format f)
{
    if (!strstr(text, what)) {
        print_error("%s lacks \"%s\":\n%s\n", fmt_names[f], what, text);
        fail();
    }
}

/* No raw value of cs in text, and (when shown is set) the label of the
 * variant's value. */
static void check_choices(const char *text, const choices *cs, const char *v,
                          card_format f, int shown)
{
    for (size_t i = 0; i < cs->n; i++) {
        if (strcmp(cs->v[i].value, cs->v[i].label) != 0)
            assert_absent(text, cs->v[i].value, f);
        if (shown && !strcmp(cs->v[i].value, v))
            assert_present(text, cs->v[i].label, f);
    }
}

static void test_every_choice_reads_as_its_label(void **state)
{
    choices src = field_choices(FORM_LEVEL_ITEM, "source");
    choices cad = field_choices(FORM_LEVEL_ITEM, "cadence");
    choices chan = field_choices(FORM_LEVEL_COLUMN, "consent_channel");
    choices k = kinds();
    static const char *const keys[] = {
        "late_after_minutes", "consent_relevant",   "file_pattern",
        "consent_channel",    "primary_key",        "expected_arrival",
        "campaign_note",      "campaign_dependency"};
    size_t most = src.n;

    (void)state;
    if (cad.n > most)
        most = cad.n;
    if (chan.n > most)
        most = chan.n;
    if (k.n > most)
        most = k.n;
    for (size_t i = 0; i < most; i++) {
        registry_card c = variant(i);
        for (card_format f = CARD_HTML; f <= CARD_MESSAGE; f++) {
            char *text = human(&c, f);
            /* The message carries no source, cadence or channel. */
            int shown = f != CARD_MESSAGE;
            check_choices(text, &src, v_source, f, shown);
            check_choices(text, &cad, v_cadence, f, shown);
            check_choices(text, &chan, v_channel, f, shown);
            check_choices(text, &k, v_kind, f, 0);
            for (size_t n = 0; n < sizeof keys / sizeof *keys; n++)
                assert_absent(text, keys[n], f);
            assert_absent(text, "**", f);
            /* Identifiers of tables and columns keep their underscores. */
            if (f != CARD_MESSAGE)
                assert_present(text, "member_ref", f);
            free(text);
        }
    }
}

/* The runbook on the terminal: its words without the markup. */
static void test_terminal_runbook_is_plain_text(void **state)
{
    registry_card c = variant(0);
    char *text = human(&c, CARD_TERMINAL);

    (void)state;
    assert_non_null(strstr(text, "  1. Check the drop folder.\n"
                                 "  2. Do not start campaigns on old data.\n"));
    free(text);
}

/* The columns of the terminal card line up by display width, a type
 * longer than the type column included, and no line ends in a space. */
static void test_terminal_columns_aligned(void **state)
{
    static char n1[] = "id", t1[] = "bigint", n2[] = "café_über_straße";
    static char t2[] = "string(20)";
    registry_card c = variant(0);
    registry_card_column three[3];
    card_opts o = {0};
    buf b = {0};
    const char *p;
    long at[3];
    int k = 0;

    (void)state;
    three[0] = cols[0]; /* timestamp with time zone, PK */
    three[1] = cols[0];
    three[1].name = n1;
    three[1].type = t1;
    three[2] = cols[0];
    three[2].name = n2;
    three[2].type = t2;
    c.columns = three;
    c.ncolumns = 3;
    card_write(&b, &c, CARD_TERMINAL, &o);
    p = strstr(buf_cstr(&b), "Columns (3)\n");
    assert_non_null(p);
    p = strchr(p, '\n') + 1;
    for (; k < 3; k++) {
        const char *nl = strchr(p, '\n'), *pk = strstr(p, " PK");
        long width = 0;
        assert_non_null(nl);
        assert_true(pk && pk < nl);
        /* Display columns up to " PK": UTF-8 continuation bytes take
           none. */
        for (const char *q = p; q < pk; q++)
            width += ((unsigned char)*q & 0xC0) != 0x80;
        at[k] = width;
        p = nl + 1;
    }
    assert_int_equal(at[0], at[1]);
    assert_int_equal(at[1], at[2]);
    for (p = buf_cstr(&b); (p = strchr(p, '\n')) != NULL; p++)
        assert_true(p == buf_cstr(&b) || p[-1] != ' ');
    buf_dispose(&b);
}

/* "Details:" is the full address when a base URL is given. */
static void test_terminal_details_url(void **state)
{
    registry_card c = variant(0);
    card_opts o = {0};
    buf b = {0};

    (void)state;
    card_write(&b, &c, CARD_TERMINAL, &o);
    assert_non_null(
        strstr(buf_cstr(&b), "\nDetails: /tables/acme-prod/orders\n"));
    buf_reset(&b);
    o.base_url = "https://docket.example.com";
    card_write(&b, &c, CARD_TERMINAL, &o);
    assert_non_null(strstr(
        buf_cstr(&b), "\nDetails: "
                      "https://docket.example.com/tables/acme-prod/orders\n"));
    buf_dispose(&b);
}

/* The offline export (HTML and Markdown) shows nullability, examples and
 * rules of columns, and its stamp as it was given. */
static void test_export_shows_columns_fully(void **state)
{
    registry_card c = variant(0);

    (void)state;
    for (card_format f = CARD_HTML_EXPORT; f <= CARD_MARKDOWN; f++) {
        char *text = human(&c, f);
        assert_present(text, "not null", f);
        assert_present(text, "M-1", f);
        assert_present(text, "Keep it.", f);
        free(text);
    }
}

static void test_request_status_badge_in_words(void **state)
{
    buf b = {0};

    (void)state;
    card_html_status_badge(&b, "in_progress");
    assert_string_equal(buf_cstr(&b),
                        "<span class=\"badge status-in_progress\">"
                        "in progress</span>");
    buf_reset(&b);
    card_html_status_badge(&b, "needs_info");
    assert_non_null(strstr(buf_cstr(&b), ">needs information</span>"));
    buf_reset(&b);
    card_html_status_badge(&b, "deprecated");
    assert_non_null(strstr(buf_cstr(&b), ">deprecated</span>"));
    buf_dispose(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_choice_reads_as_its_label),
        cmocka_unit_test(test_terminal_runbook_is_plain_text),
        cmocka_unit_test(test_terminal_columns_aligned),
        cmocka_unit_test(test_terminal_details_url),
        cmocka_unit_test(test_export_shows_columns_fully),
        cmocka_unit_test(test_request_status_badge_in_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
