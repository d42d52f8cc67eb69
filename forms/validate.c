/* validate.c: the rules of the change-request form (see validate.h).
 * Generic rules (required, length, choices, text) come from the field
 * table of def.c; the rest is written out per field below. Reserved words
 * are in reserved.c. */
#include "validate.h"
#include "def.h"
#include "dialect.h"
#include "buf.h"
#include "form_int.h"
#include "mem.h"
#include "str.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct vctx {
    const form_request *r;
    const form_context *ctx;
    form_errors *fe;
    int rc; /* first failed registry lookup */
} vctx;

static void add(vctx *v, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends a problem unless the field already has one. */
static void add(vctx *v, const char *path, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    if (form_errors_get(v->fe, path))
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    form_errors_add(v->fe, path, "%s", msg);
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

static size_t target_instances(const form_request *r, const form_context *ctx,
                               const char **out, size_t max);

/* ---- small syntax checks ----------------------------------------------- */

int form_email_valid(const char *s)
{
    const char *at, *d;
    size_t labels = 0, lablen = 0;

    if (!s || !*s || strlen(s) > 254)
        return 0;
    at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@') || at - s > 64)
        return 0;
    for (const char *p = s; p < at; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c >= 0x7F || strchr("()<>,;:\\\"[]", c))
            return 0;
    }
    if (*s == '.' || at[-1] == '.' || strstr(s, ".."))
        return 0;
    for (d = at + 1;; d++) {
        char c = *d;
        if (c == '.' || c == '\0') {
            if (!lablen || d[-1] == '-')
                return 0;
            labels++;
            lablen = 0;
            if (!c)
                break;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-'))
            return 0;
        if (c == '-' && lablen == 0)
            return 0;
        lablen++;
    }
    return labels >= 2;
}

static int digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int form_date_valid(const char *s)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d;

    if (!s || strlen(s) != 10 || !digits(s, 4) || s[4] != '-' ||
        !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
        return 0;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
        (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return 0;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 0;
    return 1;
}

int form_time_valid(const char *s)
{
    if (!s || strlen(s) != 5 || !digits(s, 2) || s[2] != ':' ||
        !digits(s + 3, 2))
        return 0;
    return (s[0] - '0') * 10 + (s[1] - '0') < 24 && s[3] < '6';
}

static const char *const weekdays[7][2] = {
    {"mon", "monday"},   {"tue", "tuesday"}, {"wed", "wednesday"},
    {"thu", "thursday"}, {"fri", "friday"},  {"sat", "saturday"},
    {"sun", "sunday"}};

int form_weekday(const char *s)
{
    for (int i = 0; s && i < 7; i++)
        if (!str_casecmp(s, weekdays[i][0]) || !str_casecmp(s, weekdays[i][1]))
            return i;
    return -1;
}

int form_month_day(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    int d;

    if (n && !str_casecmp(s, "last"))
        return FORM_MONTH_LAST;
    if (n < 1 || n > 2 || !digits(s, n))
        return -1;
    d = n == 1 ? s[0] - '0' : (s[0] - '0') * 10 + (s[1] - '0');
    return d >= 1 && d <= 31 ? d : -1;
}

static int say(char *msg, size_t msgsize, const char *text)
{
    if (msg && msgsize)
        snprintf(msg, msgsize, "%s", text);
    return ERR_INVALID;
}

int form_expected_day(char *out, size_t outsize, const char *cadence,
                      const char *day, char *msg, size_t msgsize)
{
    const char *d = day ? day : "";
    char tmp[12] = "";
    int n;

    if (cadence && !strcmp(cadence, "weekly")) {
        if (!*d)
            return say(msg, msgsize,
                       "expected_day is required for a weekly table: the "
                       "weekday its file arrives, mon to sun.");
        n = form_weekday(d);
        if (n < 0)
            return say(msg, msgsize,
                       "expected_day of a weekly table must be a weekday, "
                       "mon to sun (or the full name, such as Monday).");
        snprintf(tmp, sizeof tmp, "%s", weekdays[n][0]);
    } else if (cadence && !strcmp(cadence, "monthly")) {
        if (!*d)
            return say(msg, msgsize,
                       "expected_day is required for a monthly table: the "
                       "day of the month its file arrives, 1 to 31 or "
                       "last.");
        n = form_month_day(d);
        if (n < 0)
            return say(msg, msgsize,
                       "expected_day of a monthly table must be a day of "
                       "the month, 1 to 31 (a shorter month uses its last "
                       "day), or last.");
        if (n == FORM_MONTH_LAST)
            snprintf(tmp, sizeof tmp, "last");
        else
            snprintf(tmp, sizeof tmp, "%d", n);
    } else if (*d) {
        return say(msg, msgsize,
                   "Leave expected_day empty: only weekly and monthly "
                   "tables have a day.");
    }
    if (out && outsize)
        snprintf(out, outsize, "%s", tmp);
    return 0;
}

int form_anomaly_low_check(long long pct, char *msg, size_t msgsize)
{
    if (pct < 0 || pct > 100)
        return say(msg, msgsize,
                   "anomaly_low_pct must be a whole percentage from 0 to "
                   "100 (0 turns the low check off).");
    return 0;
}

int form_anomaly_high_check(long long pct, char *msg, size_t msgsize)
{
    if (pct != 0 && (pct < 100 || pct > FORM_ANOMALY_HIGH_MAX))
        return say(msg, msgsize,
                   "anomaly_high_pct must be 0 (off) or a whole percentage "
                   "from 100 to 100000.");
    return 0;
}

char *form_text_lf(char *s)
{
    char *o = s;

    if (!s)
        return s;
    for (const char *p = s; *p; p++) {
        if (*p != '\r') {
            *o++ = *p;
            continue;
        }
        *o++ = '\n';
        if (p[1] == '\n')
            p++;
    }
    *o = '\0';
    return s;
}

/* ---- identifiers -------------------------------------------------------- */

static int ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_';
}

/* The code point starting at s (which is >= 0x80), or 0xFFFD. */
static unsigned code_point(const unsigned char *s)
{
    if ((s[0] & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80)
        return ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
    if ((s[0] & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80)
        return ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
    if ((s[0] & 0xF8) == 0xF0 && (s[1] & 0xC0) == 0x80 &&
        (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80)
        return ((s[0] & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) |
               ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu);
    return 0xFFFD;
}

/* name with every run of other characters made one "_", lower-cased, cut
 * to FORM_MAX_IDENT. */
static void ident_suggest(char *out, size_t size, const char *name)
{
    size_t o = 0;
    int pend = 0;

    for (const char *p = name; *p && o + 2 < size && o < FORM_MAX_IDENT; p++) {
        char c = *p;
        if (ident_char(c)) {
            if (pend && o)
                out[o++] = '_';
            pend = 0;
            out[o++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
        } else if (((unsigned char)c & 0xC0) != 0x80) {
            pend = 1;
        }
    }
    out[o] = '\0';
}

/* 1 when some dialect refuses name, quoted or not, as a table or a
 * column: no suggestion may be such a name. */
static int name_doubtful(const char *name)
{
    if (form_reserved_in(name))
        return 1;
    for (int d = 0; d < SQL_NDIALECTS; d++)
        if (sql_unusable((sql_dialect)d, name, 0) ||
            sql_unusable((sql_dialect)d, name, 1))
            return 1;
    return 0;
}

void form_ident_suggest(char *out, size_t size, const char *word)
{
    /* Suffixes, not plurals: "query" -> "query_value", never "querys". */
    static const char *const forms[] = {"%.*s_value", "%.*s_name", "%.*s_code",
                                        "%.*s_text", "c_%.*s"};
    char low[FORM_MAX_IDENT + 1], cand[FORM_MAX_IDENT + 8];
    char got[2][FORM_MAX_IDENT + 8];
    int found = 0;

    str_copy(low, sizeof low, word ? word : "");
    str_lower(low);
    for (size_t i = 0; i < sizeof forms / sizeof *forms && found < 2; i++) {
        /* cut the word so that the suffix fits */
        int keep = FORM_MAX_IDENT - 6;
        snprintf(cand, sizeof cand, forms[i], keep, low);
        if (!*low || strlen(cand) > FORM_MAX_IDENT || name_doubtful(cand))
            continue;
        str_copy(got[found++], sizeof got[0], cand);
    }
    if (found == 2)
        snprintf(out, size, "%s or %s", got[0], got[1]);
    else
        str_copy(out, size, found ? got[0] : "");
}

int form_ident_check(const char *name, char *msg, size_t msgsize)
{
    char tmp[256];
    size_t len;

    if (!msg) {
        msg = tmp;
        msgsize = sizeof tmp;
    }
    if (!name || !*name) {
        snprintf(msg, msgsize, "Enter a name.");
        return ERR_INVALID;
    }
    for (const char *p = name; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x80) {
            snprintf(msg, msgsize,
                     "It contains the non-ASCII character U+%04X: use only "
                     "ASCII letters, digits and underscores (letters that "
                     "merely look Latin are refused too).",
                     code_point((const unsigned char *)p));
            return ERR_INVALID;
        }
        if (!ident_char((char)c)) {
            char sug[FORM_MAX_IDENT + 2];
            ident_suggest(sug, sizeof sug, name);
            if (c == ' ')
                snprintf(msg, msgsize,
                         "It contains a space: use only letters, digits and "
                         "underscores%s%s%s.",
                         *sug ? " (try \"" : "", sug, *sug ? "\")" : "");
            else if (c < 0x20 || c == 0x7F)
                snprintf(msg, msgsize,
                         "It contains a control character: use only "
                         "letters, digits and underscores.");
            else
                snprintf(msg, msgsize,
                         "It contains \"%c\": use only letters, digits and "
                         "underscores%s%s%s.",
                         c, *sug ? " (try \"" : "", sug, *sug ? "\")" : "");
            return ERR_INVALID;
        }
    }
    len = strlen(name);
    if (len > FORM_MAX_IDENT) {
        snprintf(msg, msgsize, "It is %zu characters long: at most %d.", len,
                 FORM_MAX_IDENT);
        return ERR_INVALID;
    }
    if (name[0] >= '0' && name[0] <= '9') {
        snprintf(msg, msgsize,
                 "It must not start with a digit (try \"c_%.60s\").", name);
        return ERR_INVALID;
    }
    return 0;
}

/* ---- generic rules from the definition -------------------------------- */

/* "New table": the label a person reads, never the API's value. */
static const char *kind_label(int kind)
{
    size_t n;
    const form_choice *k = form_def_kinds(&n);

    return (unsigned)kind < n ? k[kind].label : "";
}

/* The problem of a required field left empty. */
static const char *missing_message(const form_field *f)
{
    if (f->missing)
        return f->missing;
    return f->input == FORM_INPUT_SELECT || f->input == FORM_INPUT_RADIO
               ? "Choose one."
               : "Fill this in.";
}

/* form_ident_suggest of word with each name in quotes: "\"query_value\"
 * or \"query_name\"" (a name a person should type is always quoted). */
static void suggest_quoted(char *out, size_t size, const char *word)
{
    char sug[160];
    const char *sep;
    buf b = {0};

    form_ident_suggest(sug, sizeof sug, word);
    sep = strstr(sug, " or ");
    if (!*sug) {
        str_copy(out, size, "another name");
        return;
    }
    buf_putc(&b, '"');
    if (sep) {
        buf_append(&b, sug, (size_t)(sep - sug));
        buf_puts(&b, "\" or \"");
        buf_puts(&b, sep + 4);
    } else {
        buf_puts(&b, sug);
    }
    buf_putc(&b, '"');
    str_copy(out, size, buf_cstr(&b));
    buf_dispose(&b);
}

/* Text checks every string gets: encoding, control characters, length. */
static int check_text(vctx *v, const char *path, const form_field *f,
                      const char *s)
{
    size_t n;

    if (!str_utf8_valid(s, strlen(s))) {
        add(v, path, "Send valid UTF-8 text.");
        return 0;
    }
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        int ctl = c < 0x20 || c == 0x7F;
        if (ctl && f->input == FORM_INPUT_TEXTAREA &&
            (c == '\n' || c == '\r' || c == '\t'))
            continue;
        if (ctl) {
            add(v, path,
                c == '\n' || c == '\r' ? "Keep it to one line."
                                       : "Remove the control characters.");
            return 0;
        }
    }
    n = str_utf8_len(s);
    if (f->max_length && n > f->max_length) {
        add(v, path, "Shorten it to at most %zu characters (it has %zu).",
            f->max_length, n);
        return 0;
    }
    return 1;
}

/* The value of the boolean field key of the same object, or 0. */
static int bool_of(const void *obj, form_level level, const char *key)
{
    const form_field *f = form_def_field_key(level, key, strlen(key));

    if (!f || f->value != FORM_VALUE_BOOL)
        return 0;
    return *(const int *)form_field_cptr(obj, f);
}

static void choices_list(char *out, size_t size, const form_field *f)
{
    size_t o = 0;

    out[0] = '\0';
    for (size_t i = 0; i < f->nchoices && o < size; i++) {
        int n = snprintf(out + o, size - o, "%s%s",
                         i == 0 ? "" : (i + 1 == f->nchoices ? " or " : ", "),
                         f->choices[i].label);
        if (n < 0)
            break;
        o += (size_t)n;
    }
}

/* Required, length, choices and "does not apply" for every field of obj
 * at level (kind: the item's kind, -1 for the request). */
static void check_generic(vctx *v, const void *obj, form_level level, int kind,
                          size_t item, size_t col)
{
    size_t nf;
    const form_field *fs = form_def_fields(&nf);
    char path[160];

    for (size_t k = 0; k < nf; k++) {
        const form_field *f = &fs[k];
        int applies, required;
        if (f->level != level)
            continue;
        form_path_format(path, sizeof path, f, item, col);
        applies = kind < 0 || (f->kinds & FORM_KIND_BIT(kind));
        if (!applies) {
            if (form_obj_field_set(obj, f))
                add(v, path, "Leave it empty for a change of kind %s.",
                    kind_label(kind));
            continue;
        }
        if (level == FORM_LEVEL_REQUEST)
            required = f->required && (!f->from_account ||
                                       (v->ctx && v->ctx->require_requester));
        else
            required = (f->kinds_required & FORM_KIND_BIT(kind)) != 0;
        if (f->required_if && bool_of(obj, level, f->required_if))
            required = 2;
        if (f->value == FORM_VALUE_STRING) {
            const char *s = nz(*(char *const *)form_field_cptr(obj, f));
            if (!*s) {
                if (required)
                    add(v, path, "%s", missing_message(f));
                continue;
            }
            if (!check_text(v, path, f, s))
                continue;
            if (!form_def_choice_valid(f, s)) {
                char list[200];
                choices_list(list, sizeof list, f);
                if (strlen(list) > 80)
                    add(v, path, "Choose one of the options offered.");
                else
                    add(v, path, "Choose one of %s.", list);
            }
        } else if (f->value == FORM_VALUE_TYPE) {
            const form_type *t = form_field_cptr(obj, f);
            if (t->kind == FORM_TYPE_NONE && required)
                add(v, path, "%s", missing_message(f));
        } else if (f->value == FORM_VALUE_INT) {
            int n = *(const int *)form_field_cptr(obj, f);
            if (n < f->min || n > f->max)
                add(v, path, "Enter a whole number from %d to %d.", f->min,
                    f->max);
        }
    }
}

/* ---- request-level rules ---------------------------------------------- */

static int in_list(const char *s, const char *const *list, size_t n, int nocase)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] &&
            (nocase ? !str_casecmp(s, list[i]) : !strcmp(s, list[i])))
            return 1;
    return 0;
}

static void check_request(vctx *v)
{
    const form_request *r = v->r;
    const form_context *ctx = v->ctx;
    const char *main_inst = nz(r->instance);

    check_generic(v, r, FORM_LEVEL_REQUEST, -1, 0, 0);
    if (*nz(r->requester_email) && !form_email_valid(r->requester_email))
        add(v, "requester_email",
            "Enter an e-mail address such as ann@example.com.");
    if (*nz(r->project_manager)) {
        if (!form_email_valid(r->project_manager))
            add(v, "project_manager",
                "Enter an e-mail address, or choose one of those offered.");
        else if (ctx && ctx->project_managers &&
                 !in_list(r->project_manager, ctx->project_managers,
                          ctx->nproject_managers, 1))
            add(v, "project_manager",
                "Enter an e-mail address, or choose one of those offered.");
    }
    if (*nz(r->desired_date)) {
        if (!form_date_valid(r->desired_date))
            add(v, "desired_date",
                "Enter a real date as YYYY-MM-DD, such as 2026-12-08.");
        else if (ctx && ctx->today && strcmp(r->desired_date, ctx->today) < 0)
            add(v, "desired_date",
                "It is in the past: choose today or a later date.");
    }
    if (*main_inst && ctx && ctx->instances &&
        !in_list(main_inst, ctx->instances, ctx->ninstances, 0))
        add(v, "instance", "\"%.60s\" is not an instance of your organisation.",
            main_inst);
    if (r->ninstances > FORM_MAX_INSTANCES)
        add(v, "instances", "Choose at most %d.", FORM_MAX_INSTANCES);
    for (size_t i = 0; i < r->ninstances && i < FORM_MAX_INSTANCES; i++) {
        const char *s = nz(r->instances[i]);
        char path[48];
        snprintf(path, sizeof path, "instances[%zu]", i);
        if (!*s)
            add(v, path, "One entry is empty: remove it.");
        else if (!str_utf8_valid(s, strlen(s)) || str_has_ctl(s))
            add(v, path, "One entry is not the name of an instance.");
        else if (ctx && ctx->instances &&
                 !in_list(s, ctx->instances, ctx->ninstances, 0))
            add(v, path, "\"%.60s\" is not an instance of your organisation.",
                s);
        else if (in_list(s, (const char *const *)r->instances, i, 0))
            add(v, path, "\"%.60s\" is listed twice.", s);
    }
    if (r->ninstances && *main_inst &&
        !in_list(main_inst, (const char *const *)r->instances, r->ninstances,
                 0))
        add(v, "instances", "Include the main instance \"%.60s\" too.",
            main_inst);
}

/* ---- items and columns ------------------------------------------------ */

static int is_attr(int kind)
{
    return (FORM_KINDS_ATTRIBUTE & FORM_KIND_BIT(kind)) != 0;
}

/* Splits the comma-separated primary_key of it and checks each name
 * against its columns; marks the key columns in pk[]. */
static void check_primary_key(vctx *v, const form_item *it, size_t i,
                              unsigned char *pk)
{
    const char *s = nz(it->primary_key);
    char path[48], name[FORM_MAX_SHORT + 1];

    snprintf(path, sizeof path, "items[%zu].primary_key", i);
    while (*s) {
        const char *e = strchr(s, ',');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        size_t c, a = 0;
        while (a < len && (s[a] == ' ' || s[a] == '\t'))
            a++;
        while (len > a && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        if (len - a >= sizeof name)
            len = a + sizeof name - 1;
        memcpy(name, s + a, len - a);
        name[len - a] = '\0';
        if (!*name) {
            add(v, path,
                "One name is empty: separate the columns with commas.");
            return;
        }
        for (c = 0; c < it->ncolumns; c++)
            if (!str_casecmp(nz(it->columns[c].name), name))
                break;
        if (c == it->ncolumns) {
            add(v, path, "\"%.60s\" is not a column of this table.", name);
            return;
        }
        if (pk[c]) {
            add(v, path, "\"%.60s\" is named twice.", name);
            return;
        }
        pk[c] = 1;
        s += e ? (size_t)(e - s) + 1 : strlen(s);
    }
}

/* The dialect of instance name according to the context, or -1. */
static int instance_dialect(const form_context *ctx, const char *name)
{
    for (size_t i = 0; i < ctx->ninstances; i++)
        if (ctx->instances[i] && !strcmp(ctx->instances[i], name))
            return ctx->instance_dialects[i];
    return -1;
}

/* Adds the problem of a table (is_column 0) or column name that a dialect
 * of the request's instances refuses even quoted (sql_unusable), naming
 * the first such instance. Reserved words are no such names: they are
 * quoted, and the migration lint warns. With the instances' dialects not
 * known, every dialect counts. */
static void check_name_usable(vctx *v, const char *path, const char *name,
                              int is_column)
{
    const form_context *ctx = v->ctx;
    const char *inst[FORM_MAX_INSTANCES + 1];
    char sug[160];
    size_t n = 0;

    if (!*nz(name) || form_errors_get(v->fe, path))
        return;
    suggest_quoted(sug, sizeof sug, name);
    if (ctx && ctx->instances && ctx->instance_dialects)
        n = target_instances(v->r, ctx, inst, FORM_MAX_INSTANCES + 1);
    for (size_t k = 0; k < n; k++) {
        int dk = instance_dialect(ctx, inst[k]);
        /* an instance of an unknown dialect: every dialect counts */
        for (int d = dk < 0 ? 0 : dk; d < (dk < 0 ? SQL_NDIALECTS : dk + 1);
             d++) {
            const char *why = sql_unusable((sql_dialect)d, name, is_column);
            if (!why)
                continue;
            add(v, path,
                "\"%.60s\" %s: \"%.60s\" (a %s instance) refuses it even "
                "quoted; try %s.",
                name, why, inst[k], sql_dialect_title((sql_dialect)d), sug);
            return;
        }
    }
    if (n)
        return;
    for (int d = 0; d < SQL_NDIALECTS; d++) {
        const char *why = sql_unusable((sql_dialect)d, name, is_column);
        if (why) {
            add(v, path, "\"%.60s\" %s: %s refuses it even quoted; try %s.",
                name, why, sql_dialect_title((sql_dialect)d), sug);
            return;
        }
    }
}

static void check_column(vctx *v, const form_item *it, size_t i, size_t c,
                         int in_pk)
{
    const form_column *col = &it->columns[c];
    int kind = (int)it->kind;
    char path[160], msg[256];

    check_generic(v, col, FORM_LEVEL_COLUMN, kind, i, c);
    snprintf(path, sizeof path, "items[%zu].columns[%zu].name", i, c);
    if (*nz(col->name) && form_ident_check(col->name, msg, sizeof msg) < 0)
        add(v, path, "%s", msg);
    check_name_usable(v, path, col->name, 1);
    snprintf(path, sizeof path, "items[%zu].columns[%zu].type", i, c);
    if (col->type.kind == FORM_TYPE_NONE && is_attr(kind) &&
        col->action == FORM_ACTION_ADD)
        add(v, path,
            "Required for a new attribute: enter one, such as "
            "string(50).");
    if (is_attr(kind) && col->action != FORM_ACTION_RETIRE && !*nz(col->rule) &&
        !*nz(col->description)) {
        snprintf(path, sizeof path, "items[%zu].columns[%zu].rule", i, c);
        add(v, path,
            "Say how the attribute is defined, here or in its "
            "description.");
    }
    if (!col->consent && *nz(col->consent_channel)) {
        snprintf(path, sizeof path, "items[%zu].columns[%zu].consent_channel",
                 i, c);
        add(v, path, "Leave it empty unless the column holds consent.");
    }
    if (kind == FORM_ITEM_NEW_TABLE && in_pk && col->nullable) {
        snprintf(path, sizeof path, "items[%zu].columns[%zu].nullable", i, c);
        add(v, path, "Untick it: a key column always has a value.");
    }
    if (kind == FORM_ITEM_NEW_TABLE && col->primary_key && !in_pk) {
        snprintf(path, sizeof path, "items[%zu].columns[%zu].primary_key", i,
                 c);
        add(v, path,
            "Untick it, or add the column to the key of the table "
            "(\"%.60s\").",
            nz(it->primary_key));
    }
}

/* expected_day against the item's cadence (form_expected_day); without a
   cadence (an update of an existing table) the day alone must be a
   weekday or a day of the month. A high anomaly threshold is 100 or
   more. */
static void check_feed_day(vctx *v, const form_item *it, size_t i)
{
    const char *day = nz(it->expected_day);
    char path[160], msg[256];

    snprintf(path, sizeof path, "items[%zu].expected_day", i);
    if (*nz(it->cadence)) {
        if (form_expected_day(NULL, 0, it->cadence, day, msg, sizeof msg) < 0)
            add(v, path, "%s", msg);
    } else if (*day && form_weekday(day) < 0 && form_month_day(day) < 0) {
        add(v, path,
            "Enter a weekday (mon to sun) for weekly data or a day of the "
            "month (1 to 31, or last) for monthly data.");
    }
    snprintf(path, sizeof path, "items[%zu].anomaly_high_pct", i);
    if (it->anomaly_high_pct > 0 && it->anomaly_high_pct < 100)
        add(v, path,
            "Enter 100 or more: it is a percentage above the usual row "
            "count.");
}

static void check_item(vctx *v, size_t i)
{
    const form_item *it = &v->r->items[i];
    int kind = (int)it->kind;
    char path[160], msg[256];
    unsigned char *pk;

    if ((unsigned)kind >= FORM_ITEM_NKINDS) {
        snprintf(path, sizeof path, "items[%zu].kind", i);
        add(v, path, "Choose what this change does.");
        return;
    }
    check_generic(v, it, FORM_LEVEL_ITEM, kind, i, 0);
    snprintf(path, sizeof path, "items[%zu].table", i);
    if (*nz(it->table) && form_ident_check(it->table, msg, sizeof msg) < 0)
        add(v, path, "%s", msg);
    check_name_usable(v, path, it->table, 0);
    snprintf(path, sizeof path, "items[%zu].expected_arrival", i);
    if (*nz(it->expected_arrival) && !form_time_valid(it->expected_arrival))
        add(v, path, "Enter a time of day as HH:MM in UTC, such as 05:00.");
    check_feed_day(v, it, i);
    snprintf(path, sizeof path, "items[%zu].owner", i);
    if (strchr(nz(it->owner), '@') && !form_email_valid(it->owner))
        add(v, path,
            "This looks like an e-mail address but is not a valid "
            "one.");
    snprintf(path, sizeof path, "items[%zu].escalation", i);
    if (strchr(nz(it->escalation), '@') && !form_email_valid(it->escalation))
        add(v, path,
            "This looks like an e-mail address but is not a valid "
            "one.");
    snprintf(path, sizeof path, "items[%zu].columns", i);
    if (it->ncolumns > FORM_MAX_COLUMNS) {
        add(v, path, "Use at most %d rows per change.", FORM_MAX_COLUMNS);
        return;
    }
    if (!it->ncolumns)
        add(v, path,
            is_attr(kind) ? "Add at least one attribute."
                          : "Add at least one column.");
    pk = xcalloc(it->ncolumns ? it->ncolumns : 1, 1);
    if (kind == FORM_ITEM_NEW_TABLE) {
        check_primary_key(v, it, i, pk);
        if (!*nz(it->primary_key)) /* flags alone define the key */
            for (size_t c = 0; c < it->ncolumns; c++)
                pk[c] = (unsigned char)(it->columns[c].primary_key != 0);
    }
    for (size_t c = 0; c < it->ncolumns; c++)
        check_column(v, it, i, c, pk[c]);
    free(pk);
}

/* One column name of the request, for the uniqueness check. */
typedef struct colref {
    const char *table, *name;
    size_t item, col;
} colref;

static int cmp_colref(const void *a, const void *b)
{
    const colref *x = a, *y = b;
    int d = str_casecmp(x->table, y->table);

    if (!d)
        d = str_casecmp(x->name, y->name);
    if (!d)
        d = x->item != y->item ? (x->item < y->item ? -1 : 1)
                               : (x->col < y->col ? -1 : x->col > y->col);
    return d;
}

/* Column names must be unique per table, case-insensitively, across every
 * item of the request that touches the table; a table may be created only
 * once. */
static void check_unique(vctx *v)
{
    const form_request *r = v->r;
    size_t n = 0, total = 0;
    colref *refs;
    char path[160];

    for (size_t i = 0; i < r->nitems; i++) {
        total += r->items[i].ncolumns;
        if (r->items[i].kind != FORM_ITEM_NEW_TABLE || !*nz(r->items[i].table))
            continue;
        for (size_t j = 0; j < i; j++)
            if (r->items[j].kind == FORM_ITEM_NEW_TABLE &&
                !str_casecmp(nz(r->items[j].table), r->items[i].table)) {
                snprintf(path, sizeof path, "items[%zu].table", i);
                add(v, path, "Change %zu already creates \"%.60s\".", j + 1,
                    r->items[i].table);
                break;
            }
    }
    refs = xcalloc(total ? total : 1, sizeof *refs);
    for (size_t i = 0; i < r->nitems; i++)
        for (size_t c = 0; c < r->items[i].ncolumns; c++)
            if (*nz(r->items[i].columns[c].name) && *nz(r->items[i].table))
                refs[n++] = (colref){r->items[i].table,
                                     r->items[i].columns[c].name, i, c};
    qsort(refs, n, sizeof *refs, cmp_colref);
    for (size_t k = 1; k < n; k++) {
        const colref *a = &refs[k - 1], *b = &refs[k];
        if (str_casecmp(a->table, b->table) || str_casecmp(a->name, b->name))
            continue;
        snprintf(path, sizeof path, "items[%zu].columns[%zu].name", b->item,
                 b->col);
        if (a->item == b->item)
            add(v, path, "\"%.60s\" is listed twice (also row %zu).", b->name,
                a->col + 1);
        else
            add(v, path, "\"%.60s\" of \"%.60s\" is also in change %zu.",
                b->name, b->table, a->item + 1);
    }
    free(refs);
}

/* ---- against the registry --------------------------------------------- */

/* The instance of the context named name, as the context spells it; NULL
 * when the context lists no such instance (another organisation's and a
 * made-up name alike). Without a list every non-empty name is taken. */
static const char *instance_resolve(const form_context *ctx, const char *name)
{
    if (!*nz(name))
        return NULL;
    if (!ctx->instances)
        return name;
    for (size_t i = 0; i < ctx->ninstances; i++)
        if (ctx->instances[i] && !strcmp(name, ctx->instances[i]))
            return ctx->instances[i];
    return NULL;
}

/* The instances the registry is asked about: the main one, then the
 * others, each only once it resolves against the context. A name that
 * does not already has its error on "instance" / "instances[i]", and no
 * registry fact of it may reach the answer. */
static size_t target_instances(const form_request *r, const form_context *ctx,
                               const char **out, size_t max)
{
    const char *name = instance_resolve(ctx, r->instance);
    size_t n = 0;

    if (name)
        out[n++] = name;
    for (size_t i = 0; i < r->ninstances && n < max; i++) {
        name = instance_resolve(ctx, r->instances[i]);
        if (name && !in_list(name, out, n, 0))
            out[n++] = name;
    }
    return n;
}

static int created_here(const form_request *r, const char *table)
{
    for (size_t i = 0; i < r->nitems; i++)
        if (r->items[i].kind == FORM_ITEM_NEW_TABLE &&
            !str_casecmp(nz(r->items[i].table), table))
            return 1;
    return 0;
}

static void check_registry(vctx *v)
{
    const form_request *r = v->r;
    const form_context *ctx = v->ctx;
    const char *inst[FORM_MAX_INSTANCES + 1];
    size_t ninst;
    char path[160];

    if (!ctx || !ctx->table_exists)
        return;
    ninst = target_instances(r, ctx, inst, FORM_MAX_INSTANCES + 1);
    for (size_t i = 0; i < r->nitems && !v->rc; i++) {
        const form_item *it = &r->items[i];
        int table_ok = 1;
        snprintf(path, sizeof path, "items[%zu].table", i);
        if (form_errors_get(v->fe, path) || !*nz(it->table) ||
            (unsigned)it->kind >= FORM_ITEM_NKINDS)
            continue;
        for (size_t k = 0; k < ninst && !v->rc; k++) {
            int ex = ctx->table_exists(ctx->cb_ctx, inst[k], it->table);
            if (ex < 0) {
                v->rc = ex;
                break;
            }
            if (it->kind == FORM_ITEM_NEW_TABLE && ex) {
                add(v, path, "\"%.60s\" already exists in \"%.60s\".",
                    it->table, inst[k]);
                table_ok = 0;
            } else if (it->kind != FORM_ITEM_NEW_TABLE && !ex &&
                       !created_here(r, it->table)) {
                add(v, path, "\"%.60s\" does not exist in \"%.60s\".",
                    it->table, inst[k]);
                table_ok = 0;
            }
        }
        if (!table_ok || it->kind == FORM_ITEM_NEW_TABLE ||
            !ctx->column_exists || created_here(r, it->table))
            continue;
        for (size_t c = 0; c < it->ncolumns && !v->rc; c++) {
            const form_column *col = &it->columns[c];
            int want_new = it->kind == FORM_ITEM_ADD_COLUMNS ||
                           col->action == FORM_ACTION_ADD;
            snprintf(path, sizeof path, "items[%zu].columns[%zu].name", i, c);
            if (!*nz(col->name) || form_errors_get(v->fe, path))
                continue;
            for (size_t k = 0; k < ninst; k++) {
                int ex = ctx->column_exists(ctx->cb_ctx, inst[k], it->table,
                                            col->name);
                if (ex < 0) {
                    v->rc = ex;
                    break;
                }
                if (want_new && ex) {
                    add(v, path,
                        "\"%.60s\" already exists in \"%.60s\" of "
                        "\"%.60s\".",
                        col->name, it->table, inst[k]);
                    break;
                }
                if (!want_new && !ex) {
                    add(v, path,
                        "\"%.60s\" does not exist in \"%.60s\" of "
                        "\"%.60s\".",
                        col->name, it->table, inst[k]);
                    break;
                }
            }
        }
    }
}

int form_validate(const form_request *r, const form_context *ctx,
                  form_errors *fe)
{
    vctx v = {r, ctx, fe, 0};
    int consent_cols = 0;
    char where[160] = "";

    check_request(&v);
    if (!r->nitems)
        add(&v, "items", "Add at least one change.");
    else if (r->nitems > FORM_MAX_ITEMS)
        add(&v, "items", "Split the request: at most %d per request.",
            FORM_MAX_ITEMS);
    for (size_t i = 0; i < r->nitems && i < FORM_MAX_ITEMS; i++) {
        check_item(&v, i);
        for (size_t c = 0; c < r->items[i].ncolumns; c++)
            if (r->items[i].columns[c].consent && !consent_cols++) {
                const char *name = nz(r->items[i].columns[c].name);
                if (*name)
                    snprintf(where, sizeof where,
                             "Change %zu, column \"%.60s\"", i + 1, name);
                else
                    snprintf(where, sizeof where, "Change %zu, row %zu", i + 1,
                             c + 1);
            }
    }
    if (consent_cols && !r->consent_related)
        add(&v, "consent_related",
            "%s holds consent: answer Yes and explain in the consent note.",
            where);
    if (r->nitems <= FORM_MAX_ITEMS) {
        check_unique(&v);
        check_registry(&v);
    }
    if (v.rc < 0)
        return v.rc;
    form_errors_sort(fe);
    return fe->n ? ERR_INVALID : 0;
}

/* ---- the order of the form -------------------------------------------- */

/* Where path sits on the form, as numbers compared in turn. */
typedef struct form_pos {
    long k[6];
} form_pos;

/* "[n]" at *p: n, with *p after it; -1 when *p is no index. */
static long index_at(const char **p)
{
    char *end;
    long n;

    if (**p != '[')
        return -1;
    n = strtol(*p + 1, &end, 10);
    if (end == *p + 1 || *end != ']' || n < 0)
        return -1;
    *p = end + 1;
    return n;
}

/* The definition's index of the field with key (up to a '.', '[' or the
 * end) at level, or -1. */
static long field_index(form_level level, const char *key)
{
    size_t len = strcspn(key, ".[");
    const form_field *f = form_def_field_key(level, key, len);

    return f ? (long)form_def_index(f) : -1;
}

static form_pos position(const char *path)
{
    form_pos p = {{0}};
    const char *s = path;
    long item, col, fi;
    size_t nf;
    const form_field *fs = form_def_fields(&nf);

    if (!*path) /* the whole request */
        return p;
    if (!strcmp(path, "attachments") || str_startswith(path, "attachments")) {
        p.k[0] = 4;
        return p;
    }
    if (!str_startswith(path, "items")) {
        fi = field_index(FORM_LEVEL_REQUEST, path);
        p.k[0] = fi < 0 ? 1 : 2; /* unknown fields stay in front */
        p.k[1] = fi;
        s = path + strcspn(path, "[");
        p.k[2] = *s ? index_at(&s) + 1 : 0;
        return p;
    }
    p.k[0] = 3;
    s = path + 5;
    item = index_at(&s);
    if (item < 0) { /* "items": the top of the changes */
        p.k[1] = -1;
        return p;
    }
    p.k[1] = item;
    if (*s != '.')
        return p; /* the change itself: before its fields */
    s++;
    if (!str_startswith(s, "columns")) {
        fi = field_index(FORM_LEVEL_ITEM, s);
        /* fields shown after the column rows come after them */
        p.k[2] = fi >= 0 && fs[fi].after_columns ? 3 : 1;
        p.k[3] = fi;
        return p;
    }
    p.k[2] = 2;
    s += 7;
    col = index_at(&s);
    p.k[3] = col; /* -1: the list itself, before its rows */
    if (col >= 0 && *s == '.')
        p.k[4] = field_index(FORM_LEVEL_COLUMN, s + 1);
    return p;
}

typedef struct sort_entry {
    form_pos pos;
    size_t at;
    form_error e;
} sort_entry;

static int cmp_entry(const void *a, const void *b)
{
    const sort_entry *x = a, *y = b;

    for (size_t i = 0; i < 6; i++)
        if (x->pos.k[i] != y->pos.k[i])
            return x->pos.k[i] < y->pos.k[i] ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at; /* stable */
}

void form_errors_sort(form_errors *fe)
{
    sort_entry *v;

    if (!fe || fe->n < 2)
        return;
    v = xcalloc(fe->n, sizeof *v);
    for (size_t i = 0; i < fe->n; i++) {
        v[i].pos = position(fe->errs[i].field);
        v[i].at = i;
        v[i].e = fe->errs[i];
    }
    qsort(v, fe->n, sizeof *v, cmp_entry);
    for (size_t i = 0; i < fe->n; i++)
        fe->errs[i] = v[i].e;
    free(v);
}
