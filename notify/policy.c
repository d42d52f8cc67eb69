/* policy.c: the small rules of delivery, kept pure so unit tests can pin
 * them: backoff with full jitter, Retry-After, the address filter, e-mail
 * header encoding (RFC 2047), Standard Webhooks signatures, redaction of
 * secrets in URLs. The worker that applies them is worker.c. */
#include "notify_int.h"
#include "mem.h"
#include "str.h"

#include <curl/curl.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t notify_backoff_delay(int attempt, int64_t base_ms, int64_t cap_ms,
                             uint32_t rnd)
{
    int64_t ceiling = base_ms, ms, s;

    if (attempt < 0)
        attempt = 0;
    for (int i = 0; i < attempt && ceiling < cap_ms; i++)
        ceiling *= 2;
    if (ceiling > cap_ms)
        ceiling = cap_ms;
    /* Full jitter: uniform in [0, ceiling]. */
    ms = (int64_t)((double)rnd / 4294967295.0 * (double)ceiling);
    s = (ms + 999) / 1000;
    return s < 1 ? 1 : s;
}

int notify_http_classify(int status)
{
    if (status >= 200 && status < 300)
        return NOTIFY_SENT;
    if (status == 408 || status == 429 || status >= 500)
        return NOTIFY_RETRY;
    if (status == 410)
        return NOTIFY_GONE;
    if (status < 200)
        return NOTIFY_RETRY; /* no final status: treat as a network error */
    return NOTIFY_FAIL;      /* 3xx (never followed) and other 4xx */
}

int notify_retry_after_parse(int64_t *out, const char *value, int64_t now,
                             int64_t cap)
{
    char *v = str_trim_dup(value);
    int64_t secs = 0;
    int rc = 0;

    if (!*v) {
        rc = ERR_INVALID;
    } else if (*v >= '0' && *v <= '9') {
        if (str_to_i64(&secs, v) < 0)
            rc = ERR_INVALID;
    } else {
        /* An HTTP date (IMF-fixdate, or the obsolete forms curl knows). */
        time_t t = curl_getdate(v, NULL);
        if (t == (time_t)-1)
            rc = ERR_INVALID;
        else
            secs = (int64_t)t - now;
    }
    free(v);
    if (rc < 0)
        return rc;
    if (secs < 0)
        secs = 0;
    if (secs > cap)
        secs = cap;
    *out = secs;
    return 0;
}

static int v4_blocked(uint32_t a)
{
    return (a >> 24) == 0 ||                   /* 0.0.0.0/8 */
           (a >> 24) == 10 ||                  /* 10/8 */
           (a >> 24) == 127 ||                 /* loopback */
           (a >> 20) == ((172u << 4) | 1) ||   /* 172.16/12 */
           (a >> 16) == ((192u << 8) | 168) || /* 192.168/16 */
           (a >> 16) == ((169u << 8) | 254) || /* link-local */
           (a >> 22) == ((100u << 2) | 1) ||   /* 100.64/10 CGNAT */
           (a >> 8) == ((192u << 16) | 0) ||   /* 192.0.0/24 */
           (a >> 28) >= 14;                    /* multicast, reserved */
}

int notify_addr_blocked(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        return v4_blocked(ntohl(in->sin_addr.s_addr));
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        const unsigned char *b = in6->sin6_addr.s6_addr;
        static const unsigned char zero[10] = {0};
        if (!memcmp(b, zero, 10) && b[10] == 0xff && b[11] == 0xff) {
            /* ::ffff:a.b.c.d, IPv4-mapped */
            return v4_blocked((uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
                              (uint32_t)b[14] << 8 | b[15]);
        }
        if (!memcmp(b, zero, 10) && b[10] == 0 && b[11] == 0)
            return 1; /* ::, ::1 and the deprecated IPv4-compatible */
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b)
            /* 64:ff9b::/96 NAT64 carries an IPv4 address */
            return v4_blocked((uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
                              (uint32_t)b[14] << 8 | b[15]);
        return (b[0] & 0xfe) == 0xfc ||                   /* fc00::/7 ULA */
               (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) || /* fe80::/10 */
               (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) || /* fec0::/10 */
               b[0] == 0xff;                              /* multicast */
    }
    return 1; /* AF_UNIX and anything else */
}

/* ---- e-mail headers ---- */

static int needs_encoding(const char *s)
{
    if (strlen(s) > 60 || strstr(s, "=?"))
        return 1;
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 1;
    return 0;
}

void notify_header_append(buf *b, const char *name, const char *value)
{
    char *clean = notify_text_clean(value, 900, 0);
    size_t len = strlen(clean), pos = 0;

    buf_puts(b, name);
    buf_puts(b, ": ");
    if (!needs_encoding(clean)) {
        buf_puts(b, clean);
        buf_puts(b, "\r\n");
        free(clean);
        return;
    }
    /* Encoded words of at most 75 characters: "=?UTF-8?B?" + base64 of
       up to 45 bytes + "?=" = 72, each holding whole UTF-8 characters
       (RFC 2047 section 5), folded onto continuation lines. */
    while (pos < len) {
        /* The first word shares its line with "Name: " (lines <= 78). */
        size_t room = pos ? 45 : ((78 - 12 - strlen(name) - 2) / 4) * 3;
        size_t n = notify_utf8_fit(clean + pos, room > 45 ? 45 : room);
        char b64[sodium_base64_ENCODED_LEN(45, sodium_base64_VARIANT_ORIGINAL)];
        if (n == 0)
            n = 1; /* cannot happen with cleaned text; avoid a loop */
        sodium_bin2base64(b64, sizeof b64, (const unsigned char *)clean + pos,
                          n, sodium_base64_VARIANT_ORIGINAL);
        if (pos)
            buf_puts(b, "\r\n ");
        buf_puts(b, "=?UTF-8?B?");
        buf_puts(b, b64);
        buf_puts(b, "?=");
        pos += n;
    }
    buf_puts(b, "\r\n");
    free(clean);
}

int notify_email_valid(const char *addr)
{
    const char *at;
    size_t len;

    if (!addr)
        return 0;
    len = strlen(addr);
    at = strchr(addr, '@');
    if (len < 3 || len > 254 || !at || at == addr || !at[1] ||
        strchr(at + 1, '@'))
        return 0;
    for (const char *p = addr; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c >= 0x7F || strchr("<>()[]\\,;:\"", c))
            return 0;
    }
    if (!strchr(at + 1, '.') || at[1] == '.' || addr[len - 1] == '.')
        return 0;
    return 1;
}

void notify_rfc5322_date(char *out, size_t size, int64_t t)
{
    static const char *days[] = {"Sun", "Mon", "Tue", "Wed",
                                 "Thu", "Fri", "Sat"};
    static const char *months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    snprintf(out, size, "%s, %02d %s %04d %02d:%02d:%02d +0000",
             days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
             tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* ---- Standard Webhooks ---- */

int notify_webhook_sign(char *out, size_t size, const char *secret,
                        const char *id, int64_t ts, const char *body,
                        size_t len, errmsg *err)
{
    unsigned char key[64], mac[crypto_auth_hmacsha256_BYTES];
    char b64[sodium_base64_ENCODED_LEN(crypto_auth_hmacsha256_BYTES,
                                       sodium_base64_VARIANT_ORIGINAL)];
    char tsbuf[24];
    size_t keylen = 0;
    const char *end = NULL;
    crypto_auth_hmacsha256_state st;

    if (!secret || !str_startswith(secret, "whsec_") ||
        sodium_base642bin(key, sizeof key, secret + 6, strlen(secret + 6), NULL,
                          &keylen, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        *end || keylen < 16)
        return err_set(err, ERR_INVALID,
                       "webhook secret must be whsec_ followed by the "
                       "base64 of 16 to 64 bytes");
    snprintf(tsbuf, sizeof tsbuf, "%lld", (long long)ts);
    crypto_auth_hmacsha256_init(&st, key, keylen);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)tsbuf,
                                  strlen(tsbuf));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(key, sizeof key);
    sodium_bin2base64(b64, sizeof b64, mac, sizeof mac,
                      sodium_base64_VARIANT_ORIGINAL);
    if (str_copy(out, size, "v1,") || strlen(b64) + 4 > size)
        return err_set(err, ERR_INTERNAL, "signature buffer too small");
    memcpy(out + 3, b64, strlen(b64) + 1);
    return 0;
}

int notify_webhook_sign_all(buf *out, const char *secrets, const char *id,
                            int64_t ts, const char *body, size_t len,
                            errmsg *err)
{
    const char *p = secrets ? secrets : "";
    int n = 0;

    for (;;) {
        char sig[80], *one;
        size_t k;
        errmsg e = {0};
        int rc;

        p += strspn(p, " \t");
        if (!*p)
            break;
        k = strcspn(p, " \t");
        one = xstrndup(p, k);
        rc = notify_webhook_sign(sig, sizeof sig, one, id, ts, body, len, &e);
        free(one);
        if (rc < 0)
            return err_set(err, rc, "key %d: %s", n + 1, e.msg);
        if (n++)
            buf_putc(out, ' ');
        buf_puts(out, sig);
        p += k;
    }
    if (!n)
        return err_set(err, ERR_INVALID, "no webhook secret");
    return 0;
}

/* ---- redaction ---- */

const char *notify_redact(const char *url, char *out, size_t size)
{
    buf b = {0};
    const char *p = url ? url : "", *scheme_end, *host, *host_end, *at;
    int seg = 0;

    scheme_end = strstr(p, "://");
    if (!scheme_end) {
        str_copy(out, size, *p ? "****" : "");
        return out;
    }
    buf_append(&b, p, (size_t)(scheme_end + 3 - p));
    host = scheme_end + 3;
    host_end = host + strcspn(host, "/?#");
    at = memchr(host, '@', (size_t)(host_end - host));
    if (at) {
        buf_puts(&b, "****@");
        host = at + 1;
    }
    buf_append(&b, host, (size_t)(host_end - host));
    p = host_end;
    /* Path: the first segment stays, the second keeps two characters,
       the rest is hidden. */
    while (*p == '/') {
        size_t n = strcspn(p + 1, "/?#");
        seg++;
        if (seg == 1) {
            buf_append(&b, p, n + 1);
        } else if (seg == 2) {
            size_t keep = notify_utf8_fit(p + 1, n < 2 ? n : 2);
            buf_putc(&b, '/');
            buf_append(&b, p + 1, keep);
            if (n > keep)
                buf_puts(&b, "\xE2\x80\xA6");
        } else if (seg == 3) {
            buf_puts(&b, "/****");
        }
        p += n + 1;
    }
    /* Query: names stay, values (sig, sp, tokens) are hidden except the
       harmless api-version. */
    if (*p == '?') {
        p++;
        buf_putc(&b, '?');
        while (*p && *p != '#') {
            size_t n = strcspn(p, "&#");
            const char *eq = memchr(p, '=', n);
            if (eq) {
                buf_append(&b, p, (size_t)(eq - p + 1));
                if ((size_t)(eq - p) == 11 && !strncmp(p, "api-version", 11))
                    buf_append(&b, eq + 1, n - (size_t)(eq - p) - 1);
                else
                    buf_puts(&b, "****");
            } else {
                buf_append(&b, p, n);
            }
            p += n;
            if (*p == '&') {
                buf_putc(&b, '&');
                p++;
            }
        }
    }
    str_copy(out, size, buf_cstr(&b));
    buf_dispose(&b);
    return out;
}
