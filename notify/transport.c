/* transport.c: the only code that calls curl_*: HTTP POSTs for the webhook
 * channels and SMTP for e-mail. Every transfer has a timeout, never
 * follows redirects, ignores proxy variables, speaks only the allowed
 * protocols and checks each resolved address at connect time (so DNS
 * tricks cannot reach private networks). The rules that classify outcomes
 * are in policy.c. */
#include "notify_int.h"
#include "mem.h"
#include "str.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define BODY_KEEP 512 /* response bytes kept for the error message */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void notify_curl_init(void)
{
    pthread_once(&curl_once, curl_init_once);
}

typedef struct xfer {
    const atomic_int *stop; /* NULL: never stop */
    int allow_private;
    int refused; /* the open-socket check refused an address */
    char refused_addr[64];
    int64_t retry_after; /* -1 none */
    buf body;            /* first BODY_KEEP bytes of the response */
    const char *up;      /* upload (SMTP) */
    size_t up_len, up_pos;
} xfer;

static curl_socket_t open_socket(void *clientp, curlsocktype purpose,
                                 struct curl_sockaddr *a)
{
    xfer *x = clientp;

    (void)purpose;
    if (!x->allow_private && notify_addr_blocked(&a->addr)) {
        const void *ip =
            a->family == AF_INET6
                ? (const void *)&((struct sockaddr_in6 *)&a->addr)->sin6_addr
                : (const void *)&((struct sockaddr_in *)&a->addr)->sin_addr;
        x->refused = 1;
        if (!inet_ntop(a->family, ip, x->refused_addr, sizeof x->refused_addr))
            str_copy(x->refused_addr, sizeof x->refused_addr, "?");
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
    xfer *x = ctx;
    size_t len = size * n;
    static const char name[] = "retry-after:";

    if (len >= 5 && !strncmp(data, "HTTP/", 5)) {
        x->retry_after = -1; /* a new response (after 100 Continue) */
    } else if (len > sizeof name - 1 &&
               !str_ncasecmp(data, name, sizeof name - 1)) {
        char *v = xstrndup(data + sizeof name - 1, len - (sizeof name - 1));
        int64_t secs;
        if (notify_retry_after_parse(&secs, v, time_now(),
                                     NOTIFY_RETRY_AFTER_CAP) == 0)
            x->retry_after = secs;
        free(v);
    }
    return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    xfer *x = ctx;
    size_t len = size * n;

    if (x->body.len < BODY_KEEP)
        buf_append(&x->body, data,
                   len < BODY_KEEP - x->body.len ? len
                                                 : BODY_KEEP - x->body.len);
    return len;
}

static size_t on_read(char *dst, size_t size, size_t n, void *ctx)
{
    xfer *x = ctx;
    size_t room = size * n, left = x->up_len - x->up_pos;
    size_t k = left < room ? left : room;

    memcpy(dst, x->up + x->up_pos, k);
    x->up_pos += k;
    return k;
}

static int on_progress(void *ctx, curl_off_t dlt, curl_off_t dln,
                       curl_off_t ult, curl_off_t uln)
{
    xfer *x = ctx;

    (void)dlt;
    (void)dln;
    (void)ult;
    (void)uln;
    return x->stop && atomic_load(x->stop) ? 1 : 0;
}

static void common_opts(CURL *c, xfer *x, long timeout_ms, char *errbuf)
{
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     timeout_ms < 10000 ? timeout_ms : 10000L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_PROXY, ""); /* no proxy from the env */
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, x);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
}

/* Outcome of a failed curl transfer. */
static int curl_failure(notify_result *res, const xfer *x, CURLcode cc,
                        const char *errbuf)
{
    if (cc == CURLE_ABORTED_BY_CALLBACK) {
        res->outcome = NOTIFY_ABORT;
        str_copy(res->error, sizeof res->error, "stopped during delivery");
    } else if (x->refused) {
        res->outcome = NOTIFY_FAIL;
        snprintf(res->error, sizeof res->error,
                 "refused to connect to %s: private, loopback or link-local "
                 "address (notify.allow_private is off)",
                 x->refused_addr);
    } else {
        res->outcome =
            (cc == CURLE_UNSUPPORTED_PROTOCOL || cc == CURLE_URL_MALFORMAT ||
             cc == CURLE_LOGIN_DENIED || cc == CURLE_USE_SSL_FAILED)
                ? NOTIFY_FAIL
                : NOTIFY_RETRY;
        snprintf(res->error, sizeof res->error, "%s (curl %d)",
                 *errbuf ? errbuf : curl_easy_strerror(cc), (int)cc);
    }
    return res->outcome;
}

/* Starts a transfer: res cleared, x's shared fields set. NULL with res
 * filled when it cannot start: NOTIFY_FAIL with why_not when the URL's
 * scheme is not allowed (scheme_ok 0), NOTIFY_RETRY when curl cannot. */
static CURL *xfer_begin(notify_result *res, xfer *x, int allow_private,
                        const atomic_int *stop, int scheme_ok,
                        const char *why_not)
{
    CURL *c = NULL;

    memset(res, 0, sizeof *res);
    res->retry_after = -1;
    x->allow_private = allow_private;
    x->stop = stop;
    x->retry_after = -1;
    if (!scheme_ok) {
        res->outcome = NOTIFY_FAIL;
        str_copy(res->error, sizeof res->error, why_not);
        return NULL;
    }
    notify_curl_init();
    c = curl_easy_init();
    if (!c) {
        res->outcome = NOTIFY_RETRY;
        str_copy(res->error, sizeof res->error, "curl_easy_init failed");
    }
    return c;
}

int notify_http_post(notify_result *res, const char *url, const char *body,
                     size_t len, const char *const *headers, size_t nheaders,
                     const notify_http_opts *o)
{
    xfer x = {0};
    CURL *c = NULL;
    struct curl_slist *hl = NULL;
    char errbuf[CURL_ERROR_SIZE] = "";
    CURLcode cc;
    long status = 0;

    c = xfer_begin(res, &x, o->allow_private, o->stop,
                   str_startswith(url, "https://") ||
                       (o->allow_http && str_startswith(url, "http://")),
                   o->allow_http ? "the URL must start with https:// or http://"
                                 : "the URL must start with https:// "
                                   "(notify.allow_http is off)");
    if (!c)
        goto done;
    for (size_t i = 0; i < nheaders; i++)
        hl = curl_slist_append(hl, headers[i]);
    hl = curl_slist_append(hl, "Expect:");
    common_opts(c, &x, o->timeout_ms, errbuf);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR,
                     o->allow_http ? "http,https" : "https");
    curl_easy_setopt(c, CURLOPT_USERAGENT, "docket/" DOCKET_VERSION);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
    cc = curl_easy_perform(c);
    if (cc != CURLE_OK) {
        curl_failure(res, &x, cc, errbuf);
        goto done;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    res->status = (int)status;
    res->outcome = notify_http_classify((int)status);
    res->retry_after = x.retry_after;
    if (res->outcome != NOTIFY_SENT) {
        char *excerpt = notify_text_clean(buf_cstr(&x.body), 200, 0);
        if (status >= 300 && status < 400)
            snprintf(res->error, sizeof res->error,
                     "HTTP %ld: redirect not followed", status);
        else
            snprintf(res->error, sizeof res->error, "HTTP %ld%s%s", status,
                     *excerpt ? ": " : "", excerpt);
        free(excerpt);
    }
done:
    curl_slist_free_all(hl);
    if (c)
        curl_easy_cleanup(c);
    buf_dispose(&x.body);
    return res->outcome;
}

int notify_smtp_send(notify_result *res, const char *smtp_url,
                     const char *mail_from, const char *const *rcpts,
                     size_t nrcpts, const char *msg, size_t len,
                     const notify_smtp_opts *o)
{
    xfer x = {0};
    CURL *c = NULL;
    struct curl_slist *rl = NULL;
    char errbuf[CURL_ERROR_SIZE] = "";
    buf from = {0};
    CURLcode cc;
    long code = 0;

    x.up = msg;
    x.up_len = len;
    /* allow_private: the relay is trusted configuration */
    c = xfer_begin(res, &x, 1, o->stop,
                   str_startswith(smtp_url, "smtp://") ||
                       str_startswith(smtp_url, "smtps://"),
                   "smtp_url must start with smtp:// or smtps://");
    if (!c)
        goto done;
    for (size_t i = 0; i < nrcpts; i++) {
        buf r = {0};
        buf_putc(&r, '<');
        buf_puts(&r, rcpts[i]);
        buf_putc(&r, '>');
        rl = curl_slist_append(rl, buf_cstr(&r));
        buf_dispose(&r);
    }
    buf_putc(&from, '<');
    buf_puts(&from, mail_from);
    buf_putc(&from, '>');
    common_opts(c, &x, o->timeout_ms, errbuf);
    curl_easy_setopt(c, CURLOPT_URL, smtp_url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, buf_cstr(&from));
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rl);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(c, CURLOPT_READDATA, &x);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    if (o->starttls)
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (o->username && *o->username)
        curl_easy_setopt(c, CURLOPT_USERNAME, o->username);
    if (o->password && *o->password)
        curl_easy_setopt(c, CURLOPT_PASSWORD, o->password);
    if (o->ca_file && *o->ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
    cc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    res->status = (int)code;
    if (cc == CURLE_OK) {
        res->outcome = NOTIFY_SENT;
        goto done;
    }
    curl_failure(res, &x, cc, errbuf);
    /* The server's reply decides when there is one: 5xx is permanent
       (bad recipient, too big, TLS or auth required), 4xx temporary. */
    if (res->outcome != NOTIFY_ABORT && code >= 500 && code < 600)
        res->outcome = NOTIFY_FAIL;
    else if (res->outcome != NOTIFY_ABORT && code >= 400 && code < 500)
        res->outcome = NOTIFY_RETRY;
    if (code) {
        buf tmp = {0};
        buf_appendf(&tmp, "SMTP %ld: ", code);
        buf_puts(&tmp, res->error);
        str_copy(res->error, sizeof res->error, buf_cstr(&tmp));
        buf_dispose(&tmp);
    }
done:
    curl_slist_free_all(rl);
    if (c)
        curl_easy_cleanup(c);
    buf_dispose(&from);
    return res->outcome;
}
