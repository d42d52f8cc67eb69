/* str.c: string and time helpers (see str.h). */
#include "str.h"
#include "err.h"
#include "mem.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int str_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *end = p + n;

    while (p < end) {
        unsigned c = *p;
        size_t len;
        unsigned cp;
        if (c < 0x80) {
            p++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if ((size_t)(end - p) < len)
            return 0;
        for (size_t i = 1; i < len; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
            (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        p += len;
    }
    return 1;
}

int str_utf8_next(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
    int len;

    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xC2 && p[0] <= 0xDF)
        len = 2;
    else if (p[0] >= 0xE0 && p[0] <= 0xEF)
        len = 3;
    else if (p[0] >= 0xF0 && p[0] <= 0xF4)
        len = 4;
    else
        return -1; /* 80-C1 (continuation, overlong lead), F5-FF */
    /* Table 3-7 of the Unicode standard: the second byte's range rules
       out overlongs, surrogates and code points above U+10FFFF. */
    if (p[0] == 0xE0)
        lo = 0xA0;
    else if (p[0] == 0xED)
        hi = 0x9F;
    else if (p[0] == 0xF0)
        lo = 0x90;
    else if (p[0] == 0xF4)
        hi = 0x8F;
    for (int i = 1; i < len; i++) {
        if ((size_t)i >= n)
            return -i;
        if (p[i] < (i == 1 ? lo : 0x80) || p[i] > (i == 1 ? hi : 0xBF))
            return -i;
    }
    return len;
}

size_t str_format_char_len(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned cp;

    if (p[0] == 0xD8 && p[1] == 0x9C)
        return 2; /* U+061C */
    if (p[0] != 0xE1 && p[0] != 0xE2 && p[0] != 0xEF)
        return 0;
    if (str_utf8_next(s, 3) != 3)
        return 0;
    cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    if (cp == 0x180E || (cp >= 0x200B && cp <= 0x200F) ||
        (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2064) ||
        (cp >= 0x2066 && cp <= 0x206F) || cp == 0xFEFF ||
        (cp >= 0xFFF9 && cp <= 0xFFFB))
        return 3;
    return 0;
}

char *str_strip_format_dup(const char *s)
{
    char *out = xmalloc(strlen(s) + 1), *o = out;

    while (*s) {
        size_t k = str_format_char_len(s);
        if (k)
            s += k;
        else
            *o++ = *s++;
    }
    *o = '\0';
    return out;
}

size_t str_utf8_len(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

int str_has_ctl(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            return 1;
        if (c == 0x7F)
            return 1;
    }
    return 0;
}

static int lc(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

int str_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int d = lc((unsigned char)*a) - lc((unsigned char)*b);
        if (d || !*a)
            return d;
    }
}

int str_ncasecmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        int d = lc((unsigned char)*a) - lc((unsigned char)*b);
        if (d || !*a)
            return d;
    }
    return 0;
}

int str_startswith(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

char *str_trim_dup(const char *s)
{
    const char *e;

    if (!s)
        return xstrdup("");
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    e = s + strlen(s);
    while (e > s &&
           (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        e--;
    return xstrndup(s, (size_t)(e - s));
}

int str_to_i64(int64_t *out, const char *s)
{
    char *end = NULL;
    long long v;

    if (!s || !*s || (*s != '-' && (*s < '0' || *s > '9')))
        return ERR_INVALID;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || !end || *end)
        return ERR_INVALID;
    *out = (int64_t)v;
    return 0;
}

int str_to_int(int *out, const char *s, int min, int max)
{
    int64_t v;

    if (str_to_i64(&v, s) < 0 || v < min || v > max)
        return ERR_INVALID;
    *out = (int)v;
    return 0;
}

char *str_lower(char *s)
{
    for (char *p = s; *p; p++)
        *p = (char)lc((unsigned char)*p);
    return s;
}

int str_copy(char *dst, size_t size, const char *src)
{
    /* memcpy, not snprintf: the registry copies every text column with
       it, and snprintf's format machinery was a tenth of a gate */
    size_t n = src ? strlen(src) : 0;

    if (size == 0)
        return 1;
    if (n >= size) {
        memcpy(dst, src, size - 1);
        dst[size - 1] = '\0';
        return 1;
    }
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
    return 0;
}

int str_edit_distance(const char *a, const char *b, int max)
{
    size_t la = strlen(a), lb = strlen(b);
    int *row, best, result;

    if (la > 256 || lb > 256)
        return max + 1;
    row = xmalloc((lb + 1) * sizeof *row);
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int prev = row[0];
        row[0] = (int)i;
        best = row[0];
        for (size_t j = 1; j <= lb; j++) {
            int cur = row[j];
            int cost =
                lc((unsigned char)a[i - 1]) != lc((unsigned char)b[j - 1]);
            int v = prev + cost;
            if (row[j] + 1 < v)
                v = row[j] + 1;
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            row[j] = v;
            prev = cur;
            if (v < best)
                best = v;
        }
        if (best > max) {
            free(row);
            return max + 1;
        }
    }
    result = row[lb] > max ? max + 1 : row[lb];
    free(row);
    return result;
}

int64_t time_now(void)
{
    return (int64_t)time(NULL);
}

int64_t time_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t time_mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void time_iso(char *out, size_t size, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void time_date(char *out, size_t size, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(out, size, "%Y-%m-%d", &tm);
}

/* Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* The number in s[0..n-1] when every one of those bytes is a digit, else
 * -1 (sscanf's %d would also take a sign or leading spaces). */
static int fixed_digits(const char *s, int n)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int time_parse_iso(int64_t *out, const char *s)
{
    int y, mo, d, h = 0, mi = 0, se = 0;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (!s || strnlen(s, 11) < 10 || s[4] != '-' || s[7] != '-')
        return ERR_INVALID;
    y = fixed_digits(s, 4);
    mo = fixed_digits(s + 5, 2);
    d = fixed_digits(s + 8, 2);
    if (y < 0 || mo < 0 || d < 0)
        return ERR_INVALID;
    if (s[10]) {
        if ((s[10] != 'T' && s[10] != ' ') || strnlen(s + 11, 9) < 8 ||
            s[13] != ':' || s[16] != ':' || (s[19] && strcmp(s + 19, "Z") != 0))
            return ERR_INVALID;
        h = fixed_digits(s + 11, 2);
        mi = fixed_digits(s + 14, 2);
        se = fixed_digits(s + 17, 2);
        if (h < 0 || mi < 0 || se < 0)
            return ERR_INVALID;
    }
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
        d > mdays[mo - 1] || h > 23 || mi > 59 || se > 60)
        return ERR_INVALID;
    if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return ERR_INVALID;
    *out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 +
           mi * 60 + se;
    return 0;
}

int time_parse_hhmm(int *out, const char *s)
{
    int h, m;

    if (!s || strnlen(s, 6) != 5 || s[2] != ':')
        return ERR_INVALID;
    h = fixed_digits(s, 2);
    m = fixed_digits(s + 3, 2);
    if (h < 0 || m < 0 || h > 23 || m > 59)
        return ERR_INVALID;
    *out = h * 60 + m;
    return 0;
}

int str_hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* One round of percent-decoding of s[0..n) into out (n+1 bytes). Sets
 * *more when a valid escape is left in the result. Returns 0 when an
 * escape decodes to a byte that bad() refuses. Invalid escapes stay as
 * they are (browsers keep them literally too). */
static int decode_round(char *out, size_t *out_n, const char *s, size_t n,
                        int (*bad)(unsigned char c), int *more)
{
    size_t j = 0;

    *more = 0;
    for (size_t i = 0; i < n; i++) {
        int hi = s[i] == '%' && i + 2 < n ? str_hexval(s[i + 1]) : -1;
        int lo = hi >= 0 ? str_hexval(s[i + 2]) : -1;
        if (lo >= 0) {
            unsigned char c = (unsigned char)(hi * 16 + lo);
            if (bad(c))
                return 0;
            out[j++] = (char)c;
            i += 2;
            continue;
        }
        out[j++] = s[i];
    }
    out[j] = '\0';
    for (size_t i = 0; i + 2 < j; i++)
        if (out[i] == '%' && str_hexval(out[i + 1]) >= 0 &&
            str_hexval(out[i + 2]) >= 0)
            *more = 1;
    *out_n = j;
    return 1;
}

static int bad_in_path(unsigned char c)
{
    return c == '/' || c == '\\' || c <= 0x20 || c == 0x7F;
}

static int bad_in_query(unsigned char c)
{
    return c < 0x20 || c == 0x7F;
}

/* Decodes s[0..n) up to four rounds; 0 when bad() refuses an escape or
 * one is still left at the end. */
static int decoded_ok(const char *s, size_t n, int (*bad)(unsigned char c))
{
    char a[4096], b[4096];
    const char *cur = s;
    size_t len = n;
    int more = 1;

    for (int round = 0; round < 4 && more; round++) {
        char *out = round % 2 ? b : a;
        if (!decode_round(out, &len, cur, len, bad, &more))
            return 0;
        cur = out;
    }
    return !more;
}

int str_local_path_ok(const char *s)
{
    size_t n, path_n;

    if (!s || s[0] != '/' || s[1] == '/' || s[1] == '\\')
        return 0;
    n = strlen(s);
    if (n >= 4096)
        return 0;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c >= 0x7F || c == '\\')
            return 0;
    }
    path_n = strcspn(s, "?#");
    return decoded_ok(s, path_n, bad_in_path) &&
           decoded_ok(s + path_n, n - path_n, bad_in_query);
}
