/* live.c: live_read's dispatch by source, the live_schema helpers shared
 * by the readers, source URLs and their redaction. */
#include "live.h"
#include "live_int.h"
#include "buf.h"
#include "mem.h"
#include "str.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

live_table *live_add_table(live_schema *s, const char *name,
                           const char *comment)
{
    live_table *t;

    for (size_t i = 0; i < s->ntables; i++)
        if (!strcmp(s->tables[i].name, name))
            return &s->tables[i];
    s->tables = xrealloc(s->tables, (s->ntables + 1) * sizeof *s->tables);
    t = &s->tables[s->ntables++];
    memset(t, 0, sizeof *t);
    t->name = xstrdup(name);
    t->comment = xstrdup(comment ? comment : "");
    return t;
}

live_column *live_add_column(live_table *t, const char *name)
{
    live_column *c;

    t->cols = xrealloc(t->cols, (t->ncols + 1) * sizeof *t->cols);
    c = &t->cols[t->ncols++];
    memset(c, 0, sizeof *c);
    c->name = xstrdup(name);
    c->ordinal = (int)t->ncols;
    c->data_type = xstrdup("");
    c->char_max = -1;
    c->num_precision = -1;
    c->num_scale = -1;
    c->nullable = 1;
    c->comment = xstrdup("");
    c->datetime_precision = -1;
    return c;
}

static int table_cmp(const void *a, const void *b)
{
    return strcmp(((const live_table *)a)->name, ((const live_table *)b)->name);
}

static int column_cmp(const void *a, const void *b)
{
    int x = ((const live_column *)a)->ordinal;
    int y = ((const live_column *)b)->ordinal;

    return (x > y) - (x < y);
}

void live_schema_sort(live_schema *s)
{
    if (s->ntables > 1)
        qsort(s->tables, s->ntables, sizeof *s->tables, table_cmp);
    for (size_t i = 0; i < s->ntables; i++)
        if (s->tables[i].ncols > 1)
            qsort(s->tables[i].cols, s->tables[i].ncols,
                  sizeof *s->tables[i].cols, column_cmp);
}

/* The numbers inside "(a[, b])" at p: how many were read (0..2). */
static int type_numbers(const char *p, long long *a, long long *b)
{
    char *end;
    int n = 0;

    while (*p == ' ')
        p++;
    if (!isdigit((unsigned char)*p))
        return 0;
    *a = strtoll(p, &end, 10);
    n = 1;
    p = end;
    while (*p == ' ')
        p++;
    if (*p == ',') {
        p++;
        while (*p == ' ')
            p++;
        if (isdigit((unsigned char)*p) || *p == '-') {
            *b = strtoll(p, &end, 10);
            n = 2;
            p = end;
        }
        while (*p == ' ')
            p++;
    }
    return *p == ')' ? n : 0;
}

char *live_parse_type(const char *decl, int64_t *char_max, int *precision,
                      int *scale, int *time_precision)
{
    buf b = {0};
    const char *paren = strchr(decl ? decl : "", '(');
    const char *p = decl ? decl : "";
    long long a = -1, s = -1;
    char *name;
    int n;

    /* The name: lower case, blanks folded, without the parentheses (any
     * words after them, "unsigned", "with time zone", stay). */
    while (*p == ' ' || *p == '\t')
        p++;
    for (; *p; p++) {
        if (*p == '(') {
            const char *close = strchr(p, ')');
            if (!close)
                break;
            p = close;
            continue;
        }
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            const char *q = p;
            while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
                q++;
            if (*q && *q != '(' && b.len)
                buf_putc(&b, ' ');
            p = q - 1;
            continue;
        }
        buf_putc(&b, (char)tolower((unsigned char)*p));
    }
    name = b.data ? buf_detach(&b) : xstrdup("");
    if (!paren)
        return name;
    n = type_numbers(paren + 1, &a, &s);
    if (n == 0)
        return name;
    if (strstr(name, "char") || strstr(name, "text") ||
        strstr(name, "binary") || strstr(name, "clob") ||
        strstr(name, "string")) {
        if (char_max && a >= 0)
            *char_max = a;
    } else if (strstr(name, "numeric") || strstr(name, "decimal") ||
               strstr(name, "number") || !strcmp(name, "dec") ||
               !strcmp(name, "fixed")) {
        if (precision && a >= 0 && a < 1000)
            *precision = (int)a;
        if (scale)
            *scale = n == 2 && s >= 0 && s < 1000 ? (int)s : 0;
    } else if (strstr(name, "time") || strstr(name, "interval")) {
        if (time_precision && n == 1 && a >= 0 && a < 100)
            *time_precision = (int)a;
    }
    return name;
}

/* %XX decoding of s[0..n) (heap). */
static char *url_decode(const char *s, size_t n)
{
    buf b = {0};

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && str_hexval(s[i + 1]) >= 0 &&
            str_hexval(s[i + 2]) >= 0) {
            buf_putc(&b,
                     (char)(str_hexval(s[i + 1]) * 16 + str_hexval(s[i + 2])));
            i += 2;
        } else
            buf_putc(&b, s[i]);
    }
    return b.data ? buf_detach(&b) : xstrdup("");
}

void live_url_dispose(live_url *u)
{
    if (!u)
        return;
    free(u->scheme);
    free(u->user);
    free(u->password);
    free(u->host);
    free(u->path);
    xfree_strv(u->keys, u->nparams);
    xfree_strv(u->values, u->nparams);
    memset(u, 0, sizeof *u);
}

const char *live_url_param(const live_url *u, const char *key)
{
    for (size_t i = 0; i < u->nparams; i++)
        if (!strcmp(u->keys[i], key))
            return u->values[i];
    return NULL;
}

int live_url_parse(live_url *u, const char *source, errmsg *err)
{
    const char *sep = strstr(source, "://");
    const char *auth, *auth_end, *at = NULL, *hp, *colon, *q;
    size_t cap = 0;

    memset(u, 0, sizeof *u);
    if (!sep)
        return err_set(err, ERR_INVALID, "not a URL (scheme://...)");
    u->scheme = str_lower(xstrndup(source, (size_t)(sep - source)));
    auth = sep + 3;
    auth_end = auth + strcspn(auth, "/?#");
    for (const char *p = auth; p < auth_end; p++)
        if (*p == '@')
            at = p;
    if (at) {
        const char *c = memchr(auth, ':', (size_t)(at - auth));
        u->user = url_decode(auth, (size_t)((c ? c : at) - auth));
        if (c) {
            u->password = url_decode(c + 1, (size_t)(at - c - 1));
            u->has_password = 1;
        }
        hp = at + 1;
    } else
        hp = auth;
    if (!u->user)
        u->user = xstrdup("");
    if (!u->password)
        u->password = xstrdup("");
    if (*hp == '[') {
        const char *close = memchr(hp, ']', (size_t)(auth_end - hp));
        if (!close) {
            live_url_dispose(u);
            return err_set(err, ERR_INVALID, "an IPv6 host without its ]");
        }
        u->host = xstrndup(hp + 1, (size_t)(close - hp - 1));
        colon = close + 1 < auth_end && close[1] == ':' ? close + 1 : NULL;
    } else {
        colon = memchr(hp, ':', (size_t)(auth_end - hp));
        u->host = url_decode(hp, (size_t)((colon ? colon : auth_end) - hp));
    }
    if (colon) {
        char num[16];
        size_t n = (size_t)(auth_end - colon - 1);
        if (n == 0 || n >= sizeof num) {
            live_url_dispose(u);
            return err_set(err, ERR_INVALID, "the port is not a number");
        }
        memcpy(num, colon + 1, n);
        num[n] = '\0';
        if (str_to_int(&u->port, num, 1, 65535) < 0) {
            live_url_dispose(u);
            return err_set(err, ERR_INVALID,
                           "the port is not a number from 1 to 65535");
        }
    }
    q = auth_end;
    if (*q == '/') {
        size_t n = strcspn(q + 1, "?#");
        u->path = url_decode(q + 1, n);
        q += 1 + n;
    } else
        u->path = xstrdup("");
    if (*q == '?') {
        q++;
        while (*q && *q != '#') {
            size_t n = strcspn(q, "&#");
            const char *eq = memchr(q, '=', n);
            if (n) {
                xgrow(&u->keys, &cap, u->nparams + 1, sizeof *u->keys);
                u->values = xrealloc(u->values, cap * sizeof *u->values);
                u->keys[u->nparams] =
                    url_decode(q, (size_t)((eq ? eq : q + n) - q));
                u->values[u->nparams] =
                    eq ? url_decode(eq + 1, (size_t)(q + n - eq - 1))
                       : xstrdup("");
                u->nparams++;
            }
            q += n;
            if (*q == '&')
                q++;
        }
    }
    return 0;
}

/* Whether query key k (length n) holds a secret. */
static int secret_key(const char *k, size_t n)
{
    static const char *const keys[] = {"password", "sslpassword", "pass",
                                       "pwd",      "token",       "secret"};

    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (strlen(keys[i]) == n && !str_ncasecmp(k, keys[i], n))
            return 1;
    return 0;
}

void live_source_redact(char *out, size_t size, const char *source)
{
    buf b = {0};
    const char *sep, *p, *q;

    if (!size)
        return;
    if (!source)
        source = "";
    p = source;
    sep = strstr(source, "://");
    q = strchr(source, '?');
    if (sep && (!q || sep < q)) {
        const char *auth = sep + 3, *auth_end, *at = NULL, *c;
        auth_end = auth + strcspn(auth, "/?#");
        for (const char *s = auth; s < auth_end; s++)
            if (*s == '@')
                at = s;
        if (at && (c = memchr(auth, ':', (size_t)(at - auth)))) {
            buf_append(&b, source, (size_t)(c + 1 - source));
            buf_puts(&b, "***");
            p = at;
        }
    }
    q = strchr(p, '?');
    if (q) {
        buf_append(&b, p, (size_t)(q + 1 - p));
        p = q + 1;
        while (*p) {
            size_t n = strcspn(p, "&#");
            const char *eq = memchr(p, '=', n);
            if (eq && secret_key(p, (size_t)(eq - p))) {
                buf_append(&b, p, (size_t)(eq + 1 - p));
                buf_puts(&b, "***");
            } else
                buf_append(&b, p, n);
            p += n;
            if (*p == '#') {
                buf_puts(&b, p);
                break;
            }
            if (*p == '&') {
                buf_putc(&b, '&');
                p++;
            }
        }
    } else
        buf_puts(&b, p);
    str_copy(out, size, buf_cstr(&b));
    buf_dispose(&b);
}

void live_short_error(char *out, size_t size, const char *text,
                      const char *secret)
{
    buf b = {0};
    const char *p = text ? text : "";
    size_t n, slen = secret ? strlen(secret) : 0;

    while (*p == ' ' || *p == '\n')
        p++;
    n = strcspn(p, "\r\n");
    while (n && (p[n - 1] == ' ' || p[n - 1] == '.'))
        n--;
    for (size_t i = 0; i < n;) {
        if (slen >= 4 && i + slen <= n && !memcmp(p + i, secret, slen)) {
            buf_puts(&b, "***");
            i += slen;
        } else
            buf_putc(&b, p[i++]);
    }
    str_copy(out, size, b.data ? buf_cstr(&b) : "");
    buf_dispose(&b);
}

void live_schema_dispose(live_schema *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->ntables; i++) {
        live_table *t = &s->tables[i];
        for (size_t k = 0; k < t->ncols; k++) {
            free(t->cols[k].name);
            free(t->cols[k].data_type);
            free(t->cols[k].comment);
        }
        free(t->cols);
        free(t->name);
        free(t->comment);
    }
    free(s->tables);
    free(s->source);
    free(s->schema);
    memset(s, 0, sizeof *s);
}

const live_table *live_table_find(const live_schema *s, const char *name)
{
    if (!s || !name)
        return NULL;
    for (size_t i = 0; i < s->ntables; i++)
        if (!strcmp(s->tables[i].name, name))
            return &s->tables[i];
    for (size_t i = 0; i < s->ntables; i++)
        if (!str_casecmp(s->tables[i].name, name))
            return &s->tables[i];
    return NULL;
}

int live_read(live_schema *out, const char *source, const live_options *opt,
              errmsg *err)
{
    static const live_options none = {0};
    char red[512];
    int rc;

    memset(out, 0, sizeof *out);
    if (!opt)
        opt = &none;
    if (!source || !*source)
        return err_set(err, ERR_INVALID,
                       "no source given (postgres://..., mysql://..., "
                       "sqlite:PATH or csv:FILE)");
    live_source_redact(red, sizeof red, source);
    if (!str_ncasecmp(source, "postgres://", 11) ||
        !str_ncasecmp(source, "postgresql://", 13))
        rc = live_read_pg(out, source, red, opt, err);
    else if (!str_ncasecmp(source, "mysql://", 8) ||
             !str_ncasecmp(source, "mariadb://", 10))
        rc = live_read_my(out, source, red, opt, err);
    else if (!str_ncasecmp(source, "sqlite:", 7))
        rc = live_read_sqlite(out, source + 7, red, opt, err);
    else if (!str_ncasecmp(source, "csv:", 4))
        rc = live_read_csv(out, source + 4, red, opt, err);
    else
        rc = err_set(err, ERR_INVALID,
                     "unknown source \"%.200s\" (postgres://..., "
                     "mysql://..., mariadb://..., sqlite:PATH or csv:FILE)",
                     red);
    if (rc < 0) {
        live_schema_dispose(out);
        return rc;
    }
    free(out->source);
    out->source = xstrdup(red);
    if (!out->schema)
        out->schema = xstrdup("");
    live_schema_sort(out);
    return 0;
}

int live_try_sql(const char *source, const live_options *opt, const char *sql,
                 errmsg *err)
{
    static const live_options none = {0};
    char red[512];

    if (!opt)
        opt = &none;
    live_source_redact(red, sizeof red, source ? source : "");
    if (source && (!str_ncasecmp(source, "postgres://", 11) ||
                   !str_ncasecmp(source, "postgresql://", 13)))
        return live_try_pg(source, red, opt, sql, err);
    if (source && (!str_ncasecmp(source, "mysql://", 8) ||
                   !str_ncasecmp(source, "mariadb://", 10)))
        return live_try_my(source, red, opt, sql, err);
    return err_set(err, ERR_INVALID, "not a database server URL: %.200s", red);
}
