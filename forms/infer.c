/* infer.c: proposes columns from a CSV/TSV sample (see infer.h). One pass
 * over the bytes: a small scanner yields each cell as a pointer into the
 * data (quoted cells with "" escapes are unescaped into one reused
 * buffer), and per-column statistics narrow the candidate types. */
#include "infer.h"
#include "buf.h"
#include "dialect.h"
#include "mem.h"
#include "str.h"
#include "validate.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Candidate types of a column (bits); a value keeps only the ones it
 * fits, so what is left at the end fits every value. */
enum {
    T_INT32 = 1,
    T_INT64 = 2,
    T_DEC = 4,
    T_BOOL = 8,
    T_DATE = 16,
    T_TS = 32,
    T_TSTZ = 64,
    T_ALL = 127
};

typedef struct colstat {
    unsigned flags;
    size_t nonempty;
    int nullable;
    int int_digits, frac_digits; /* widest parts of the numeric values */
    size_t maxlen;               /* characters */
    char *example;
    int all_email;     /* every value so far looks like an e-mail */
    int have_num;      /* numeric values seen (min/max are set) */
    double min, max;   /* smallest and largest numeric value */
    char min_text[48]; /* ... as written (cut at 47 bytes) */
    char max_text[48];
} colstat;

typedef struct scan {
    const char *p, *end;
    char delim;
    size_t line; /* line of p, from 1 */
    int quoted;  /* the last cell was quoted */
    buf scratch; /* unescaped quoted cells */
} scan;

static int isdig(char c)
{
    return c >= '0' && c <= '9';
}

static int num2(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* ---- the scanner -------------------------------------------------------- */

/* Reads one cell. Returns 0 when a delimiter follows, 1 when the record
 * ended (line break or end of data), or ERR_INVALID. */
static int next_cell(scan *s, const char **val, size_t *vlen, errmsg *err)
{
    const char *p = s->p, *end = s->end;

    s->quoted = 0;
    if (p < end && *p == '"') {
        const char *start = ++p;
        size_t qline = s->line;
        int esc = 0;
        s->quoted = 1;
        for (;;) {
            const char *q = memchr(p, '"', (size_t)(end - p));
            const char *nl = p;
            if (!q)
                return err_set(err, ERR_INVALID,
                               "the quote opened on line %zu is never closed",
                               qline);
            while ((nl = memchr(nl, '\n', (size_t)(q - nl))) != NULL) {
                s->line++;
                nl++;
            }
            if (q + 1 < end && q[1] == '"') {
                esc = 1;
                p = q + 2;
                continue;
            }
            if (esc) {
                buf_reset(&s->scratch);
                for (const char *t = start; t < q; t++) {
                    buf_putc(&s->scratch, *t);
                    if (*t == '"')
                        t++; /* "" -> " */
                }
                *val = buf_cstr(&s->scratch);
                *vlen = s->scratch.len;
            } else {
                *val = start;
                *vlen = (size_t)(q - start);
            }
            p = q + 1;
            break;
        }
        if (p == end) {
            s->p = p;
            return 1;
        }
        if (*p == s->delim) {
            s->p = p + 1;
            return 0;
        }
        if (*p == '\n' || (*p == '\r' && (p + 1 == end || p[1] == '\n'))) {
            s->p = p + (*p == '\r' && p + 1 < end ? 2 : 1);
            s->line++;
            return 1;
        }
        return err_set(err, ERR_INVALID,
                       "line %zu: unexpected text after a closing quote",
                       s->line);
    }
    {
        const char *start = p;
        char d = s->delim;
        while (p < end && *p != d && *p != '\n')
            p++;
        *val = start;
        *vlen = (size_t)(p - start);
        if (*vlen && start[*vlen - 1] == '\r' && (p == end || *p == '\n'))
            (*vlen)--;
        if (p == end) {
            s->p = p;
            return 1;
        }
        s->p = p + 1;
        if (*p == d)
            return 0;
        s->line++;
        return 1;
    }
}

static char detect_delimiter(const char *p, const char *end)
{
    size_t comma = 0, tab = 0, semi = 0;
    int in_q = 0;

    for (; p < end; p++) {
        char c = *p;
        if (c == '"')
            in_q = !in_q;
        else if (in_q)
            continue;
        else if (c == '\n')
            break;
        else if (c == ',')
            comma++;
        else if (c == '\t')
            tab++;
        else if (c == ';')
            semi++;
    }
    if (tab > comma && tab >= semi)
        return '\t';
    if (semi > comma && semi > tab)
        return ';';
    return ',';
}

/* ---- values ------------------------------------------------------------- */

/* "HH:MM[:SS[.f]]" then an optional zone; *tz tells whether one was
 * there. Returns the bytes read or 0. */
static size_t parse_time(const char *s, size_t n, int *tz)
{
    size_t i = 5;

    *tz = 0;
    if (n < 5 || !isdig(s[0]) || !isdig(s[1]) || s[2] != ':' || !isdig(s[3]) ||
        !isdig(s[4]) || num2(s) > 23 || num2(s + 3) > 59)
        return 0;
    if (i < n && s[i] == ':') {
        if (i + 3 > n || !isdig(s[i + 1]) || !isdig(s[i + 2]) ||
            num2(s + i + 1) > 60)
            return 0;
        i += 3;
        if (i < n && s[i] == '.') {
            size_t f = ++i;
            while (i < n && isdig(s[i]))
                i++;
            if (i == f)
                return 0;
        }
    }
    if (i == n)
        return i;
    if (s[i] == 'Z' && i + 1 == n) {
        *tz = 1;
        return n;
    }
    if (s[i] == '+' || s[i] == '-') {
        const char *z = s + i + 1;
        size_t zl = n - i - 1;
        if ((zl == 2 && isdig(z[0]) && isdig(z[1])) ||
            (zl == 4 && isdig(z[0]) && isdig(z[1]) && isdig(z[2]) &&
             isdig(z[3])) ||
            (zl == 5 && isdig(z[0]) && isdig(z[1]) && z[2] == ':' &&
             isdig(z[3]) && isdig(z[4]))) {
            if (num2(z) > 14)
                return 0;
            *tz = 1;
            return n;
        }
    }
    return 0;
}

static int date_ok(const char *s)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d;

    if (!isdig(s[0]) || !isdig(s[1]) || !isdig(s[2]) || !isdig(s[3]) ||
        s[4] != '-' || !isdig(s[5]) || !isdig(s[6]) || s[7] != '-' ||
        !isdig(s[8]) || !isdig(s[9]))
        return 0;
    y = num2(s) * 100 + num2(s + 2);
    m = num2(s + 5);
    d = num2(s + 8);
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return 0;
    return !(m == 2 && d == 29 &&
             !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

static int word_is(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && !str_ncasecmp(s, w, n);
}

/* The candidate types value s[0..n) fits; integer/fraction widths of a
 * number in *id and *fd. */
static unsigned classify(const char *s, size_t n, int *id, int *fd)
{
    size_t i = 0, d0;

    if (isdig(s[0]) || (s[0] == '-' && n > 1)) {
        if (n >= 10 && isdig(s[0]) && s[4] == '-') {
            int tz;
            if (!date_ok(s))
                return 0;
            if (n == 10)
                return T_DATE | T_TS;
            if ((s[10] != 'T' && s[10] != ' ') ||
                parse_time(s + 11, n - 11, &tz) != n - 11)
                return 0;
            return tz ? T_TSTZ : T_TS;
        }
        if (s[0] == '-')
            i++;
        d0 = i;
        while (i < n && isdig(s[i]))
            i++;
        if (i == d0 || (s[d0] == '0' && i - d0 > 1))
            return 0; /* no digits, or leading zeros: keep as text */
        *id = (int)(i - d0);
        *fd = 0;
        if (i == n) {
            size_t nd = i - d0;
            const char *ds = s + d0;
            int neg = s[0] == '-';
            if (nd < 10 ||
                (nd == 10 &&
                 memcmp(ds, neg ? "2147483648" : "2147483647", 10) <= 0))
                return T_INT32 | T_INT64 | T_DEC;
            if (nd < 19 ||
                (nd == 19 &&
                 memcmp(ds, neg ? "9223372036854775808" : "9223372036854775807",
                        19) <= 0))
                return T_INT64 | T_DEC;
            return nd <= 38 ? T_DEC : 0;
        }
        if (s[i] != '.')
            return 0;
        d0 = ++i;
        while (i < n && isdig(s[i]))
            i++;
        if (i != n || i == d0)
            return 0;
        *fd = (int)(i - d0);
        return T_DEC;
    }
    switch (s[0] | 0x20) {
    case 't':
    case 'f':
    case 'y':
    case 'n':
        if (word_is(s, n, "true") || word_is(s, n, "false") ||
            word_is(s, n, "yes") || word_is(s, n, "no"))
            return T_BOOL;
        break;
    default: break;
    }
    return 0;
}

/* 1 when s[0..n) looks like an e-mail address: one "@" with text before
 * it, a dot after it, no blanks. Only a hint for sizing. */
static int email_like(const char *s, size_t n)
{
    const char *at = memchr(s, '@', n);
    size_t dom;

    if (!at || at == s || memchr(at + 1, '@', n - (size_t)(at - s) - 1))
        return 0;
    dom = n - (size_t)(at - s) - 1;
    if (dom < 3 || !memchr(at + 1, '.', dom) || at[dom] == '.')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == ' ' || s[i] == '\t')
            return 0;
    return 1;
}

/* The smallest and largest numeric value of a column, kept as written
 * for "max in sample: 412.50". */
static void note_number(colstat *st, const char *v, size_t n)
{
    char tmp[96];
    double d;

    if (n >= sizeof tmp)
        return; /* more digits than any decimal takes */
    memcpy(tmp, v, n);
    tmp[n] = '\0';
    d = strtod(tmp, NULL);
    if (!st->have_num || d > st->max) {
        st->max = d;
        str_copy(st->max_text, sizeof st->max_text, tmp);
    }
    if (!st->have_num || d < st->min) {
        st->min = d;
        str_copy(st->min_text, sizeof st->min_text, tmp);
    }
    st->have_num = 1;
}

static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;

    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

static void cell(colstat *st, const char *v, size_t n)
{
    size_t chars;

    while (n && (*v == ' ' || *v == '\t')) {
        v++;
        n--;
    }
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    if (!n) {
        st->nullable = 1;
        return;
    }
    st->nonempty++;
    if (st->all_email && !email_like(v, n))
        st->all_email = 0;
    chars = utf8_chars(v, n);
    if (chars > st->maxlen)
        st->maxlen = chars;
    if (!st->example) {
        size_t cut = n;
        if (cut > FORM_MAX_SHORT) {
            cut = FORM_MAX_SHORT;
            while (cut && ((unsigned char)v[cut] & 0xC0) == 0x80)
                cut--;
        }
        st->example = xstrndup(v, cut);
    }
    if (st->flags) {
        int id = 0, fd = 0;
        unsigned m = classify(v, n, &id, &fd);
        st->flags &= m;
        if (m & T_DEC) {
            if (id > st->int_digits)
                st->int_digits = id;
            if (fd > st->frac_digits)
                st->frac_digits = fd;
            note_number(st, v, n);
        }
    }
}

/* 1 when one of the "_"-separated words of name is in words (NULL
 * ended). name is a proposed identifier: lower case. */
static int has_word(const char *name, const char *const *words)
{
    for (const char *p = name; *p;) {
        size_t n = strcspn(p, "_");
        for (const char *const *w = words; *w; w++)
            if (strlen(*w) == n && !strncmp(p, *w, n))
                return 1;
        p += n;
        p += *p == '_';
    }
    return 0;
}

static int last_word_is(const char *name, const char *const *words)
{
    const char *u = strrchr(name, '_');

    return has_word(u ? u + 1 : name, words);
}

static int money_like(const char *name)
{
    static const char *const words[] = {
        "amount",  "amt",    "price",    "value",  "total",    "subtotal",
        "revenue", "cost",   "balance",  "spend",  "spent",    "basket",
        "fee",     "fees",   "tax",      "vat",    "discount", "paid",
        "payment", "sales",  "turnover", "margin", "gross",    "net",
        "eur",     "usd",    "gbp",      "chf",    "money",    "credit",
        "debit",   "refund", "charge",   "income", "profit",   NULL};
    return has_word(name, words);
}

static int id_like(const char *name)
{
    static const char *const words[] = {"id", "key", "number", "no",
                                        "nr", "ref", NULL};
    return last_word_is(name, words);
}

static int email_name(const char *name)
{
    static const char *const words[] = {"email", "mail", NULL};
    return has_word(name, words) || strstr(name, "e_mail") != NULL;
}

/* The proposed type of a column named name, with headroom over the
 * sample (see infer.h for the rules and why). */
static form_type final_type(const colstat *st, const char *name)
{
    static const int steps[] = {20, 50, 100, 255, 500, 1000, 4000};
    form_type t = {0};
    unsigned f = st->nonempty ? st->flags : 0;

    if (f & T_BOOL)
        t.kind = FORM_TYPE_BOOLEAN;
    else if (f & T_INT32)
        t.kind = id_like(name) || st->int_digits > INFER_INT_DIGITS
                     ? FORM_TYPE_BIGINT
                     : FORM_TYPE_INTEGER;
    else if (f & T_INT64)
        t.kind = FORM_TYPE_BIGINT;
    else if ((f & T_DEC) && st->int_digits + st->frac_digits <= 38) {
        int money = money_like(name);
        int scale = st->frac_digits, whole = st->int_digits + INFER_DEC_GROWTH;
        if (money && scale < 2)
            scale = 2;
        if (money && whole < INFER_MONEY_DIGITS)
            whole = INFER_MONEY_DIGITS;
        if (whole + scale > 38)
            whole = 38 - scale;
        t.kind = FORM_TYPE_DECIMAL;
        t.scale = scale;
        t.precision = whole + scale;
    } else if (f & T_DATE)
        t.kind = FORM_TYPE_DATE;
    else if (f & T_TS)
        t.kind = FORM_TYPE_TIMESTAMP;
    else if (f & T_TSTZ)
        t.kind = FORM_TYPE_TIMESTAMPTZ;
    else if (!st->nonempty) {
        t.kind = FORM_TYPE_STRING;
        t.length = 255;
    } else {
        size_t want = st->maxlen * 2;
        if ((st->all_email || email_name(name)) && want < INFER_EMAIL_LENGTH)
            want = INFER_EMAIL_LENGTH;
        t.kind = FORM_TYPE_TEXT;
        for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
            if ((size_t)steps[i] >= want) {
                t.kind = FORM_TYPE_STRING;
                t.length = steps[i];
                break;
            }
    }
    return t;
}

/* "longest in sample: 18", "max in sample: 412.50", "" (see infer.h). */
static void sample_note(char *out, size_t size, const colstat *st,
                        const form_type *t)
{
    out[0] = '\0';
    if (!st->nonempty) {
        str_copy(out, size, "no values in sample");
        return;
    }
    switch (t->kind) {
    case FORM_TYPE_STRING:
    case FORM_TYPE_TEXT:
        snprintf(out, size, "longest in sample: %zu", st->maxlen);
        break;
    case FORM_TYPE_INTEGER:
    case FORM_TYPE_BIGINT:
    case FORM_TYPE_DECIMAL:
        if (!st->have_num)
            break;
        if (st->min < 0)
            snprintf(out, size, "in sample: %s to %s", st->min_text,
                     st->max_text);
        else
            snprintf(out, size, "max in sample: %s", st->max_text);
        break;
    default: break;
    }
}

/* ---- names -------------------------------------------------------------- */

/* 1 when some dialect refuses name for a column even quoted (a
 * PostgreSQL system column such as xmin). Reserved words are no such
 * names: docket quotes every identifier, so a header "order" stays
 * "order". */
static int refused_quoted(const char *name)
{
    for (int d = 0; d < SQL_NDIALECTS; d++)
        if (sql_unusable((sql_dialect)d, name, 1))
            return 1;
    return 0;
}

static void base_name(char *out, const char *orig, size_t pos)
{
    size_t o = 0;
    int pend = 0;

    for (const char *p = orig; *p && o < FORM_MAX_IDENT; p++) {
        char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || isdig(c)) {
            if (pend && o)
                out[o++] = '_';
            pend = 0;
            if (o < FORM_MAX_IDENT)
                out[o++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
        } else if (((unsigned char)c & 0xC0) != 0x80) {
            pend = 1; /* one "_" per run, however many bytes */
        }
    }
    out[o] = '\0';
    if (!o) {
        snprintf(out, FORM_MAX_IDENT + 1, "column_%zu", pos + 1);
    } else if (isdig(out[0])) {
        char tmp[FORM_MAX_IDENT + 1];
        str_copy(tmp, sizeof tmp, out);
        snprintf(out, FORM_MAX_IDENT + 1, "c_%.*s", FORM_MAX_IDENT - 2, tmp);
    }
    if (refused_quoted(out)) {
        char tmp[FORM_MAX_IDENT + 1];
        str_copy(tmp, sizeof tmp, out);
        snprintf(out, FORM_MAX_IDENT + 1, "%.*s_col", FORM_MAX_IDENT - 4, tmp);
    }
}

static int name_taken(const form_inferred_column *cols, size_t n,
                      const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!str_casecmp(cols[i].name, name))
            return 1;
    return 0;
}

static void unique_name(form_inferred_column *cols, size_t i)
{
    char base[FORM_MAX_IDENT + 1];

    if (!name_taken(cols, i, cols[i].name))
        return;
    str_copy(base, sizeof base, cols[i].name);
    for (size_t k = 2;; k++) {
        char suf[24];
        int sl = snprintf(suf, sizeof suf, "_%zu", k);
        snprintf(cols[i].name, sizeof cols[i].name, "%.*s%s",
                 FORM_MAX_IDENT - sl, base, suf);
        if (!name_taken(cols, i, cols[i].name))
            return;
    }
}

/* ---- the whole sample --------------------------------------------------- */

static size_t line_of(const char *data, size_t off)
{
    size_t line = 1;

    for (size_t i = 0; i < off; i++)
        line += data[i] == '\n';
    return line;
}

static int check_bytes(const char *data, size_t len, errmsg *err)
{
    const char *nul = memchr(data, '\0', len);
    size_t start = 0;

    if (nul)
        return err_set(err, ERR_INVALID, "line %zu contains a NUL byte",
                       line_of(data, (size_t)(nul - data)));
    if (str_utf8_valid(data, len))
        return 0;
    for (size_t line = 1; start < len; line++) {
        const char *nl = memchr(data + start, '\n', len - start);
        size_t stop = nl ? (size_t)(nl - data) : len;
        if (!str_utf8_valid(data + start, stop - start))
            return err_set(err, ERR_INVALID,
                           "line %zu is not valid UTF-8 (save the file as "
                           "UTF-8)",
                           line);
        start = stop + 1;
    }
    return err_set(err, ERR_INVALID, "the sample is not valid UTF-8");
}

void form_inferred_dispose(form_inferred *inf)
{
    if (!inf)
        return;
    for (size_t i = 0; i < inf->ncolumns; i++)
        xfree_all(inf->columns[i].original, inf->columns[i].example);
    free(inf->columns);
    free(inf->example_rows);
    memset(inf, 0, sizeof *inf);
}

/* Sets s up over data (a UTF-8 byte order mark and leading blank lines
 * skipped), checking its bytes. 0, or an error when it is bad or empty. */
static int scan_start(scan *s, const char *data, size_t len, errmsg *err)
{
    int rc;

    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) {
        data += 3;
        len -= 3;
    }
    rc = check_bytes(data, len, err);
    if (rc < 0)
        return rc;
    s->p = data;
    s->end = data + len;
    s->line = 1;
    /* Leading blank lines. */
    while (s->p < s->end && (*s->p == '\n' || *s->p == '\r')) {
        s->line += *s->p == '\n';
        s->p++;
    }
    if (s->p == s->end)
        return err_set(err, ERR_INVALID, "the sample is empty");
    s->delim = detect_delimiter(s->p, s->end);
    return 0;
}

/* The header and the first INFER_EXAMPLE_ROWS records of the sample,
 * data[0..len), as text for "Example rows": line ends LF, no trailing
 * line break, at most INFER_EXAMPLE_BYTES bytes, cut at a line end (or,
 * for one very long line, at a character). */
static char *example_text(const char *data, size_t len)
{
    char *t;
    size_t n;

    if (len > INFER_EXAMPLE_BYTES + 2) {
        size_t cut = INFER_EXAMPLE_BYTES;
        while (cut && data[cut - 1] != '\n')
            cut--;
        if (!cut) {
            cut = INFER_EXAMPLE_BYTES;
            while (cut && ((unsigned char)data[cut] & 0xC0) == 0x80)
                cut--;
        }
        len = cut;
    }
    t = form_text_lf(xstrndup(data, len));
    n = strlen(t);
    while (n && t[n - 1] == '\n')
        t[--n] = '\0';
    return t;
}

/* The header line: one column of r per cell, named uniquely. */
static int read_header(scan *s, form_inferred *r, errmsg *err)
{
    size_t cap = 0;
    const char *v;
    size_t vlen;
    int end;

    do {
        end = next_cell(s, &v, &vlen, err);
        if (end < 0)
            return end;
        if (r->ncolumns == FORM_MAX_COLUMNS)
            return err_set(err, ERR_TOOBIG,
                           "the header has more than %d columns; a table may "
                           "have at most %d",
                           FORM_MAX_COLUMNS, FORM_MAX_COLUMNS);
        xgrow(&r->columns, &cap, r->ncolumns + 1, sizeof *r->columns);
        memset(&r->columns[r->ncolumns], 0, sizeof *r->columns);
        r->columns[r->ncolumns++].original = xstrndup(v, vlen);
    } while (end == 0);
    for (size_t i = 0; i < r->ncolumns; i++) {
        base_name(r->columns[i].name, r->columns[i].original, i);
        unique_name(r->columns, i);
    }
    return 0;
}

/* The data lines: each cell into its column's st; a short line makes
 * the missing columns nullable, blank lines are skipped. */
static int read_rows(scan *s, form_inferred *r, colstat *st,
                     const char **examples_end, errmsg *err)
{
    const char *v;
    size_t vlen;
    int end;

    *examples_end = s->end;
    while (s->p < s->end) {
        size_t j = 0, line = s->line;
        for (;;) {
            end = next_cell(s, &v, &vlen, err);
            if (end < 0)
                return end;
            if (j == 0 && end == 1 && vlen == 0 && !s->quoted)
                break; /* blank line */
            if (j == r->ncolumns)
                return err_set(err, ERR_INVALID,
                               "line %zu has more fields than the header "
                               "(%zu)",
                               line, r->ncolumns);
            cell(&st[j++], v, vlen);
            if (end == 1)
                break;
        }
        if (j == 0)
            continue;
        for (; j < r->ncolumns; j++)
            st[j].nullable = 1;
        if (++r->rows_read == INFER_EXAMPLE_ROWS)
            *examples_end = s->p;
    }
    return 0;
}

int form_infer_columns(form_inferred *out, const char *data, size_t len,
                       errmsg *err)
{
    scan s = {0};
    form_inferred r = {0};
    colstat *st = NULL;
    const char *first, *examples_end;
    int rc = 0;

    rc = scan_start(&s, data, len, err);
    if (rc < 0)
        goto done;
    r.delimiter = s.delim;
    first = s.p;
    rc = read_header(&s, &r, err);
    if (rc < 0)
        goto done;
    st = xcalloc(r.ncolumns, sizeof *st);
    for (size_t i = 0; i < r.ncolumns; i++) {
        st[i].flags = T_ALL;
        st[i].all_email = 1;
    }
    rc = read_rows(&s, &r, st, &examples_end, err);
    if (rc < 0)
        goto done;

    r.example_rows = example_text(first, (size_t)(examples_end - first));
    for (size_t i = 0; i < r.ncolumns; i++) {
        form_inferred_column *c = &r.columns[i];
        c->type = final_type(&st[i], c->name);
        sample_note(c->sample_note, sizeof c->sample_note, &st[i], &c->type);
        c->nullable = st[i].nullable || !r.rows_read;
        c->max_length = st[i].maxlen;
        c->example = st[i].example ? st[i].example : xstrdup("");
        st[i].example = NULL;
    }
    *out = r;
    memset(&r, 0, sizeof r);
done:
    if (st)
        for (size_t i = 0; i < r.ncolumns; i++)
            free(st[i].example);
    free(st);
    form_inferred_dispose(&r);
    buf_dispose(&s.scratch);
    return rc;
}

cJSON *form_inferred_to_json(const form_inferred *inf)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *cols;
    char d[2] = {inf->delimiter ? inf->delimiter : ',', '\0'};

    cJSON_AddStringToObject(root, "delimiter", d);
    cJSON_AddNumberToObject(root, "rows_read", (double)inf->rows_read);
    cJSON_AddStringToObject(root, "example_rows",
                            inf->example_rows ? inf->example_rows : "");
    cols = cJSON_AddArrayToObject(root, "columns");
    for (size_t i = 0; i < inf->ncolumns; i++) {
        const form_inferred_column *c = &inf->columns[i];
        cJSON *o = cJSON_CreateObject();
        char t[64];
        form_type_format(t, sizeof t, &c->type);
        cJSON_AddStringToObject(o, "name", c->name);
        cJSON_AddStringToObject(o, "original", c->original ? c->original : "");
        cJSON_AddStringToObject(o, "type", t);
        cJSON_AddBoolToObject(o, "nullable", c->nullable);
        cJSON_AddStringToObject(o, "example", c->example ? c->example : "");
        cJSON_AddNumberToObject(o, "max_length", (double)c->max_length);
        cJSON_AddStringToObject(o, "sample_note", c->sample_note);
        cJSON_AddItemToArray(cols, o);
    }
    return root;
}
