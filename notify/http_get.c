/* http_get.c: the GET and POST helpers of http.h for the command line's
 * --url forms (`docket lookup`, `docket gate`, `docket arrived`). The
 * outbox transports (transport.c) have their own, stricter options. */
#include "http.h"
#include "notify_int.h"
#include "str.h"

#include <curl/curl.h>
#include <string.h>

#define HTTP_GET_MAX ((size_t)64 * 1024 * 1024)

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    buf *b = ctx;

    buf_append(b, p, size * n);
    return buf_error(b) ? 0 : size * n;
}

/* One request: GET when body is NULL, else POST of body as JSON. */
static int http_call(buf *out, long *status, const char *url, const char *token,
                     const char *body, errmsg *err)
{
    CURL *c = NULL;
    struct curl_slist *hl = NULL;
    char errbuf[CURL_ERROR_SIZE] = "";
    CURLcode cc;
    int rc = 0;

    if (!url ||
        !(str_startswith(url, "http://") || str_startswith(url, "https://")))
        return err_set(err, ERR_INVALID,
                       "the URL must start with http:// or https://");
    notify_curl_init();
    c = curl_easy_init();
    if (!c)
        return err_set(err, ERR_NET, "curl_easy_init failed");
    if (token && *token) {
        buf auth = {0};
        buf_puts(&auth, "Authorization: Bearer ");
        buf_puts(&auth, token);
        hl = curl_slist_append(hl, buf_cstr(&auth)); /* copies the text */
        buf_dispose(&auth);
    }
    hl = curl_slist_append(hl, "Accept: application/json");
    if (body) {
        hl = curl_slist_append(hl, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)strlen(body));
    }
    out->max = HTTP_GET_MAX;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 15000L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "docket/" DOCKET_VERSION);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    cc = curl_easy_perform(c);
    if (cc != CURLE_OK) {
        rc = err_set(err, ERR_NET, "%s: %s", url,
                     *errbuf ? errbuf : curl_easy_strerror(cc));
        goto done;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
done:
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    return rc;
}

int notify_http_get(buf *out, long *status, const char *url, const char *token,
                    errmsg *err)
{
    return http_call(out, status, url, token, NULL, err);
}

int notify_http_post_json(buf *out, long *status, const char *url,
                          const char *token, const char *json, errmsg *err)
{
    return http_call(out, status, url, token, json ? json : "", err);
}
