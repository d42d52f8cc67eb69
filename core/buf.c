/* buf.c: growable buffer and its escapers (see buf.h). */
#include "buf.h"
#include "err.h"
#include "mem.h"
#include "str.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UTF8_REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

static int buf_reserve(buf *b, size_t extra)
{
    size_t max = b->max ? b->max : BUF_DEFAULT_MAX;
    size_t need;

    if (b->err)
        return -1;
    if (extra > max || b->len > max - extra) {
        b->err = ERR_TOOBIG;
        return -1;
    }
    need = b->len + extra + 1;
    if (need > b->cap) {
        size_t ncap = b->cap ? b->cap : 64;
        while (ncap < need)
            ncap *= 2;
        b->data = xrealloc(b->data, ncap);
        b->cap = ncap;
    }
    return 0;
}

void buf_append(buf *b, const void *p, size_t n)
{
    if (buf_reserve(b, n) < 0)
        return;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_puts(buf *b, const char *s)
{
    if (s)
        buf_append(b, s, strlen(s));
}

void buf_append_lines(buf *b, const char *text, const char *prefix)
{
    for (const char *line = text; *line;) {
        size_t n = strcspn(line, "\n");
        buf_puts(b, prefix);
        buf_append(b, line, n);
        buf_putc(b, '\n');
        line += n;
        if (*line)
            line++;
    }
}

void buf_putc(buf *b, char c)
{
    buf_append(b, &c, 1);
}

void buf_appendf(buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (b->err)
        return;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || buf_reserve(b, (size_t)n) < 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void buf_append_html(buf *b, const char *s)
{
    const char *run = s; /* start of the pending run of safe bytes */

    if (!s)
        return;
    for (; *s; s++) {
        const char *ent;
        switch (*s) {
        case '&': ent = "&amp;"; break;
        case '<': ent = "&lt;"; break;
        case '>': ent = "&gt;"; break;
        case '"': ent = "&quot;"; break;
        case '\'': ent = "&#39;"; break;
        default: continue;
        }
        buf_append(b, run, (size_t)(s - run));
        buf_append(b, ent, strlen(ent));
        run = s + 1;
    }
    buf_append(b, run, (size_t)(s - run));
}

void buf_append_html_ident(buf *b, const char *s)
{
    if (!s)
        return;
    for (; *s; s++) {
        const char one[2] = {*s, '\0'};
        buf_append_html(b, one);
        if ((*s == '_' || *s == '.') && s[1])
            buf_puts(b, "<wbr>");
    }
}

void buf_append_url(buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    if (!s)
        return;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
            c == '~') {
            buf_putc(b, (char)c);
        } else {
            char enc[3] = {'%', hex[c >> 4], hex[c & 15]};
            buf_append(b, enc, 3);
        }
    }
}

/* Bytes buf_append_json_str must look at: 1 for those it escapes
 * (controls, the quote, the backslash, and < > & so JSON is safe inside
 * HTML too; NUL ends the string), 2 for bytes that start or continue a
 * multi-byte character, checked for well-formed UTF-8. */
#define J2 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2
static const unsigned char json_esc[256] = {
    1,         1,         1,         1,         1,          1,           1,
    1,         1,         1,         1,         1,          1,           1,
    1,         1, /* 0x00 */
    1,         1,         1,         1,         1,          1,           1,
    1,         1,         1,         1,         1,          1,           1,
    1,         1, /* 0x10 */
    ['"'] = 1, ['&'] = 1, ['<'] = 1, ['>'] = 1, ['\\'] = 1, [0x80] = J2, J2,
    J2,        J2,        J2,        J2,        J2,         J2};
#undef J2

/* Length of the well-formed UTF-8 character at s, or minus the length of
 * its maximal ill-formed subpart; the common two- and three-byte
 * characters are checked here, the rest by str_utf8_next. A byte is read
 * only after the one before it proved to be a lead or continuation byte,
 * so a NUL-terminated s is never read past its end. */
static inline int utf8_len(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    if (p[0] >= 0xC2 && p[0] <= 0xDF && (p[1] & 0xC0) == 0x80)
        return 2;
    if (p[0] >= 0xE1 && p[0] <= 0xEF && p[0] != 0xED && (p[1] & 0xC0) == 0x80 &&
        (p[2] & 0xC0) == 0x80)
        return 3;
    return str_utf8_next(s, 4);
}

void buf_append_json_str(buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    char enc[6] = {'\\', 'u', '0', '0', '0', '0'};

    buf_putc(b, '"');
    while (s && *s) {
        const char *run = s, *e;
        unsigned char c;
        size_t n = 2;
        for (;;) {
            int k;
            while (!json_esc[(unsigned char)*s])
                s++;
            if (json_esc[(unsigned char)*s] != 2)
                break;
            k = utf8_len(s);
            if (k < 0) {
                buf_append(b, run, (size_t)(s - run));
                buf_append(b, UTF8_REPLACEMENT, 3);
                s += -k;
                run = s;
                continue;
            }
            s += k;
        }
        buf_append(b, run, (size_t)(s - run));
        if (!*s)
            break;
        c = (unsigned char)*s++;
        switch (c) {
        case '"': e = "\\\""; break;
        case '\\': e = "\\\\"; break;
        case '\n': e = "\\n"; break;
        case '\r': e = "\\r"; break;
        case '\t': e = "\\t"; break;
        default:
            enc[4] = hex[c >> 4];
            enc[5] = hex[c & 15];
            e = enc;
            n = 6;
        }
        buf_append(b, e, n);
    }
    buf_putc(b, '"');
}

void buf_append_utf8(buf *b, const char *s, size_t n)
{
    const char *end = s + n, *run = s;

    while (s < end) {
        int k;
        if (!((unsigned char)*s & 0x80)) {
            s++;
            continue;
        }
        k = str_utf8_next(s, (size_t)(end - s));
        if (k > 0) {
            s += k;
            continue;
        }
        buf_append(b, run, (size_t)(s - run));
        buf_append(b, UTF8_REPLACEMENT, 3);
        s += -k;
        run = s;
    }
    buf_append(b, run, (size_t)(s - run));
}

int buf_csv_is_risky(const char *s)
{
    const char *p = s;

    if (!s || !*s)
        return 0;
    if (strchr("=+-@|;\t\r", *s))
        return 1;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    return p != s && *p && strchr("=+-@", *p) != NULL;
}

void buf_append_csv(buf *b, const char *s)
{
    int quote = 0;
    const char *p;

    if (!s)
        s = "";
    for (p = s; *p; p++)
        if (*p == '"' || *p == ',' || *p == '\n' || *p == '\r')
            quote = 1;
    if (buf_csv_is_risky(s))
        quote = 2;
    if (quote)
        buf_putc(b, '"');
    if (quote == 2)
        buf_putc(b, '\'');
    for (p = s; *p; p++) {
        if (*p == '"')
            buf_putc(b, '"');
        buf_putc(b, *p);
    }
    if (quote)
        buf_putc(b, '"');
}

const char *buf_cstr(const buf *b)
{
    return b->data ? b->data : "";
}

int buf_error(const buf *b)
{
    return b->err;
}

void buf_reset(buf *b)
{
    b->len = 0;
    b->err = 0;
    if (b->data)
        b->data[0] = '\0';
}

void buf_truncate(buf *b, size_t n)
{
    if (n < b->len) {
        b->len = n;
        b->data[n] = '\0';
    }
}

void buf_dispose(buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->err = 0;
}

char *buf_detach(buf *b)
{
    char *p = b->data ? b->data : xstrdup("");

    b->data = NULL;
    b->len = b->cap = 0;
    b->err = 0;
    return p;
}

char *buf_read_stream(FILE *f, size_t *len)
{
    buf b = {0};
    char chunk[65536];
    size_t n;

    assert(f);
    n = fread(chunk, 1, sizeof chunk, f);
    while (n > 0) {
        buf_append(&b, chunk, n);
        n = fread(chunk, 1, sizeof chunk, f);
    }
    if (ferror(f)) {
        buf_dispose(&b);
        return NULL;
    }
    if (len)
        *len = b.len;
    return buf_detach(&b);
}

char *buf_read_file(const char *path, size_t *len)
{
    FILE *f;
    char *data;

    assert(path);
    f = fopen(path, "rb");
    if (!f)
        return NULL;
    data = buf_read_stream(f, len);
    fclose(f);
    return data;
}
