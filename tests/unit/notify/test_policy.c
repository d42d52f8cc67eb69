/* test_policy.c: the delivery rules of notify/policy.c: Standard Webhooks
 * signature (reference test vector), backoff schedule, Retry-After in both
 * forms, HTTP outcome classes, RFC 2047 headers, the address filter,
 * e-mail address checks, URL joining and redaction. */
#include "fixture.h"
#include "notify_int.h"
#include "str.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_policy__standard_webhooks_reference_vector(void **state)
{
    /* From standard-webhooks' own test suite. */
    static const char body[] = "{\"test\": 2432232314}";
    char sig[80];
    errmsg err = {0};

    (void)state;
    assert_int_equal(
        notify_webhook_sign(sig, sizeof sig,
                            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                            "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body,
                            strlen(body), &err),
        0);
    assert_string_equal(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

static void test_policy__bad_webhook_secret(void **state)
{
    char sig[80];
    errmsg err = {0};

    (void)state;
    assert_int_equal(notify_webhook_sign(sig, sizeof sig, "MfKQ9r8GKYqrTw",
                                         "id", 1, "", 0, &err),
                     ERR_INVALID);
    err_clear(&err);
    assert_int_equal(notify_webhook_sign(sig, sizeof sig, "whsec_!!notb64",
                                         "id", 1, "", 0, &err),
                     ERR_INVALID);
    err_clear(&err);
    assert_int_equal(notify_webhook_sign(sig, sizeof sig, "whsec_c2hvcnQ=",
                                         "id", 1, "", 0, &err),
                     ERR_INVALID); /* 5 bytes: too short */
}

/* Rotation: "whsec_A whsec_B" gives one signature per key, in order,
 * each the one a single key gives; a bad key anywhere is an error. */
static void test_policy__webhook_secret_list(void **state)
{
    static const char body[] = "{\"test\": 2432232314}";
    static const char a[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static const char b[] = "whsec_c2Vjb25kLXNlY3JldC1mb3Itcm90YXRpb24=";
    char sig_a[80], sig_b[80], want[200], secrets[200];
    buf out = {0};
    errmsg err = {0};

    (void)state;
    assert_int_equal(notify_webhook_sign(sig_a, sizeof sig_a, a, "msg_1", 7,
                                         body, strlen(body), &err),
                     0);
    assert_int_equal(notify_webhook_sign(sig_b, sizeof sig_b, b, "msg_1", 7,
                                         body, strlen(body), &err),
                     0);
    snprintf(want, sizeof want, "%s %s", sig_a, sig_b);
    snprintf(secrets, sizeof secrets, "  %s \t%s ", a, b);
    assert_int_equal(notify_webhook_sign_all(&out, secrets, "msg_1", 7, body,
                                             strlen(body), &err),
                     0);
    assert_string_equal(buf_cstr(&out), want);
    buf_dispose(&out);
    /* One key: exactly the single signature. */
    assert_int_equal(
        notify_webhook_sign_all(&out, a, "msg_1", 7, body, strlen(body), &err),
        0);
    assert_string_equal(buf_cstr(&out), sig_a);
    buf_dispose(&out);
    snprintf(secrets, sizeof secrets, "%s whsec_c2hvcnQ=", a);
    assert_int_equal(
        notify_webhook_sign_all(&out, secrets, "id", 1, "", 0, &err),
        ERR_INVALID);
    assert_non_null(strstr(err.msg, "key 2"));
    err_clear(&err);
    buf_dispose(&out);
    assert_int_equal(notify_webhook_sign_all(&out, "  ", "id", 1, "", 0, &err),
                     ERR_INVALID);
    buf_dispose(&out);
}

static void test_policy__backoff_full_jitter(void **state)
{
    (void)state;
    /* rnd = 0: always the 1 s floor. */
    for (int n = 0; n < 40; n++)
        assert_int_equal(notify_backoff_delay(n, 10000, 3600000, 0), 1);
    /* rnd = max: the ceiling min(cap, base * 2^n). */
    assert_int_equal(notify_backoff_delay(0, 10000, 3600000, UINT32_MAX), 10);
    assert_int_equal(notify_backoff_delay(1, 10000, 3600000, UINT32_MAX), 20);
    assert_int_equal(notify_backoff_delay(2, 10000, 3600000, UINT32_MAX), 40);
    assert_int_equal(notify_backoff_delay(8, 10000, 3600000, UINT32_MAX), 2560);
    assert_int_equal(notify_backoff_delay(9, 10000, 3600000, UINT32_MAX), 3600);
    assert_int_equal(notify_backoff_delay(60, 10000, 3600000, UINT32_MAX),
                     3600); /* no overflow */
    /* Half way. */
    assert_int_equal(notify_backoff_delay(3, 10000, 3600000, UINT32_MAX / 2),
                     40);
    /* Small bases for tests round up to whole seconds. */
    assert_int_equal(notify_backoff_delay(0, 50, 1000, UINT32_MAX), 1);
    /* Random draws stay within [1, ceiling]. */
    for (int i = 0; i < 1000; i++) {
        int64_t d =
            notify_backoff_delay(4, 10000, 3600000, randombytes_random());
        assert_true(d >= 1 && d <= 160);
    }
}

static void test_policy__retry_after_both_forms(void **state)
{
    int64_t s = -1;
    int64_t now = 1445412480; /* Wed, 21 Oct 2015 07:28:00 GMT */

    (void)state;
    assert_int_equal(notify_retry_after_parse(&s, "120", now, 3600), 0);
    assert_int_equal(s, 120);
    assert_int_equal(notify_retry_after_parse(&s, " 7\r\n", now, 3600), 0);
    assert_int_equal(s, 7);
    assert_int_equal(notify_retry_after_parse(&s, "999999", now, 3600), 0);
    assert_int_equal(s, 3600); /* capped */
    assert_int_equal(notify_retry_after_parse(
                         &s, "Wed, 21 Oct 2015 07:30:00 GMT", now, 3600),
                     0);
    assert_int_equal(s, 120);
    assert_int_equal(notify_retry_after_parse(
                         &s, "Wed, 21 Oct 2015 07:00:00 GMT", now, 3600),
                     0);
    assert_int_equal(s, 0); /* in the past: now */
    assert_int_equal(notify_retry_after_parse(&s, "soon", now, 3600),
                     ERR_INVALID);
    assert_int_equal(notify_retry_after_parse(&s, "", now, 3600), ERR_INVALID);
    assert_int_equal(notify_retry_after_parse(&s, "12abc", now, 3600),
                     ERR_INVALID);
}

static void test_policy__http_classes(void **state)
{
    (void)state;
    assert_int_equal(notify_http_classify(200), NOTIFY_SENT);
    assert_int_equal(notify_http_classify(202), NOTIFY_SENT);
    assert_int_equal(notify_http_classify(204), NOTIFY_SENT);
    assert_int_equal(notify_http_classify(301), NOTIFY_FAIL);
    assert_int_equal(notify_http_classify(302), NOTIFY_FAIL);
    assert_int_equal(notify_http_classify(400), NOTIFY_FAIL);
    assert_int_equal(notify_http_classify(401), NOTIFY_FAIL);
    assert_int_equal(notify_http_classify(404), NOTIFY_FAIL);
    assert_int_equal(notify_http_classify(413), NOTIFY_FAIL);
    assert_int_equal(notify_http_classify(408), NOTIFY_RETRY);
    assert_int_equal(notify_http_classify(429), NOTIFY_RETRY);
    assert_int_equal(notify_http_classify(500), NOTIFY_RETRY);
    assert_int_equal(notify_http_classify(503), NOTIFY_RETRY);
    assert_int_equal(notify_http_classify(410), NOTIFY_GONE);
}

static void test_policy__header_encoding(void **state)
{
    buf b = {0};

    (void)state;
    notify_header_append(&b, "Subject", "Plain subject");
    ufx_buf_is(&b, "Subject: Plain subject\r\n");
    /* CR/LF never reach the header. */
    notify_header_append(&b, "Subject", "Hi\r\nBcc: x@evil.example\nX: y");
    ufx_buf_is(&b, "Subject: Hi Bcc: x@evil.example X: y\r\n");
    /* Non-ASCII: RFC 2047 B words, each on a folded line, whole UTF-8
       characters per word. */
    notify_header_append(&b, "Subject", "Grüße");
    ufx_buf_is(&b, "Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n");
    notify_header_append(&b, "Subject",
                         "ééééééééééééééééééééééééééééééééééééééééé");
    {
        const char *s = buf_cstr(&b);
        const char *line = s;
        int words = 0;
        for (const char *w = strstr(s, "=?UTF-8?B?"); w;
             w = strstr(w + 1, "=?UTF-8?B?")) {
            const char *end = strstr(w, "?=");
            unsigned char bin[64];
            size_t len = 0;
            assert_non_null(end);
            assert_true(end + 2 - w <= 75);
            assert_int_equal(sodium_base642bin(bin, sizeof bin, w + 10,
                                               (size_t)(end - w - 10), NULL,
                                               &len, NULL,
                                               sodium_base64_VARIANT_ORIGINAL),
                             0);
            assert_true(str_utf8_valid((const char *)bin, len));
            words++;
        }
        assert_true(words >= 2);
        /* Lines are folded with CRLF SP and at most 78 characters. */
        while (*line) {
            const char *eol = strstr(line, "\r\n");
            assert_non_null(eol);
            assert_true(eol - line <= 78);
            line = eol + 2;
            if (*line)
                assert_int_equal(*line, ' ');
        }
    }
    buf_reset(&b);
    /* Encoded-word look-alikes in ASCII are encoded too. */
    notify_header_append(&b, "Subject", "=?UTF-8?B?SGk=?=");
    assert_true(str_startswith(buf_cstr(&b), "Subject: =?UTF-8?B?PT9"));
    buf_dispose(&b);
}

static void test_policy__rfc5322_date(void **state)
{
    char d[48];

    (void)state;
    notify_rfc5322_date(d, sizeof d, 1796724000);
    assert_string_equal(d, "Tue, 08 Dec 2026 10:00:00 +0000");
}

static int blocked4(const char *ip)
{
    struct sockaddr_in in = {0};

    in.sin_family = AF_INET;
    assert_int_equal(inet_pton(AF_INET, ip, &in.sin_addr), 1);
    return notify_addr_blocked((struct sockaddr *)&in) != 0;
}

static int blocked6(const char *ip)
{
    struct sockaddr_in6 in6 = {0};

    in6.sin6_family = AF_INET6;
    assert_int_equal(inet_pton(AF_INET6, ip, &in6.sin6_addr), 1);
    return notify_addr_blocked((struct sockaddr *)&in6) != 0;
}

static void test_policy__address_filter(void **state)
{
    /* 169.254.169.254: cloud metadata */
    static const char *const blocked_v4[] = {
        "127.0.0.1",       "127.255.0.9",    "10.1.2.3",
        "172.16.0.1",      "172.31.255.255", "192.168.1.1",
        "169.254.169.254", "0.0.0.0",        "100.64.0.1",
        "100.127.255.254", "224.0.0.1",      "255.255.255.255"};
    static const char *const open_v4[] = {
        "172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1",
        "8.8.8.8",        "52.1.2.3",   "192.169.0.1"};
    static const char *const blocked_v6[] = {
        "::1",     "::",      "fc00::1", "fd12:3456::1",
        "fe80::1", "febf::1", "ff02::1"};
    /* IPv4 inside IPv6 */
    static const char *const blocked_mapped[] = {
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
        "64:ff9b::10.0.0.1"};
    static const char *const open_v6[] = {
        "::ffff:8.8.8.8", "2001:4860:4860::8888", "2606:4700::1111",
        "64:ff9b::8.8.8.8"};

    (void)state;
    ufx_each_is(blocked4, blocked_v4, UFX_NELEM(blocked_v4), 1);
    ufx_each_is(blocked4, open_v4, UFX_NELEM(open_v4), 0);
    ufx_each_is(blocked6, blocked_v6, UFX_NELEM(blocked_v6), 1);
    ufx_each_is(blocked6, blocked_mapped, UFX_NELEM(blocked_mapped), 1);
    ufx_each_is(blocked6, open_v6, UFX_NELEM(open_v6), 0);
}

static int email_ok(const char *addr)
{
    return notify_email_valid(addr) != 0;
}

static void test_policy__email_addresses(void **state)
{
    static const char *const good[] = {"ann@acme.example",
                                       "a.b+tag@sub.acme.example"};
    static const char *const bad[] = {"ann@acme.example\r\nBcc: x@y.z",
                                      "Ann <ann@acme.example>",
                                      "ann@@acme.example",
                                      "@acme.example",
                                      "ann@localhost",
                                      "a,b@acme.example",
                                      "\"a\"@acme.example",
                                      "ann@acme.example.",
                                      ""};

    (void)state;
    ufx_each_is(email_ok, good, UFX_NELEM(good), 1);
    ufx_each_is(email_ok, bad, UFX_NELEM(bad), 0);
    assert_false(notify_email_valid(NULL));
}

static void test_policy__url_join(void **state)
{
    char *u;

    (void)state;
    u = notify_url_join("https://docket.example", "/requests/12");
    assert_string_equal(u, "https://docket.example/requests/12");
    free(u);
    u = notify_url_join("https://docket.example", "/a b|<c>\"d\"?x=1&y=é");
    assert_string_equal(u, "https://docket.example/a%20b%7C%3Cc%3E%22d%22"
                           "?x=1&y=%C3%A9");
    free(u);
    /* Not a path: never a link to elsewhere. */
    assert_null(notify_url_join("https://docket.example", "@evil.example/"));
    assert_null(notify_url_join("https://docket.example", "http://evil/"));
    assert_null(notify_url_join("", "/requests/12"));
    assert_null(notify_url_join("javascript:", "/x"));
    assert_null(notify_url_join("https://docket.example", NULL));
}

static void test_policy__text_clean(void **state)
{
    char *s;

    (void)state;
    s = notify_text_clean("a\r\nb\rc\nd\te\x01"
                          "f\xff",
                          100, 1);
    assert_string_equal(s, "a\nb\nc\nd e f\xEF\xBF\xBD");
    free(s);
    s = notify_text_clean("a\r\nb", 100, 0);
    assert_string_equal(s, "a b");
    free(s);
    /* Cut on a character boundary with an ellipsis. */
    s = notify_text_clean("ééééé", 6, 0);
    assert_string_equal(s, "\xC3\xA9\xE2\x80\xA6");
    free(s);
    s = notify_text_clean(NULL, 10, 0);
    assert_string_equal(s, "");
    free(s);
}

static void test_policy__redact(void **state)
{
    char out[512];

    (void)state;
    assert_string_equal(
        notify_redact(
            "https://hooks.slack.com/services/T0ABCDEF/B0123/XYZsecret", out,
            sizeof out),
        "https://hooks.slack.com/services/T0\xE2\x80\xA6/****");
    assert_string_equal(
        notify_redact(
            "https://prod-12.westeurope.logic.azure.com:443/workflows/"
            "abcdef0123/triggers/manual/paths/invoke?api-version="
            "2016-06-01&sp=%2Ftriggers&sv=1.0&sig=SECRETSIG",
            out, sizeof out),
        "https://prod-12.westeurope.logic.azure.com:443/workflows/"
        "ab\xE2\x80\xA6/****?api-version=2016-06-01&sp=****&sv=****&sig=****");
    assert_string_equal(
        notify_redact("smtp://user:pass@mail.example:587", out, sizeof out),
        "smtp://****@mail.example:587");
    assert_string_equal(notify_redact("https://events.pagerduty.com/v2/enqueue",
                                      out, sizeof out),
                        "https://events.pagerduty.com/v2/en\xE2\x80\xA6");
    assert_string_equal(notify_redact("not a url", out, sizeof out), "****");
    assert_null(strstr(
        notify_redact("https://x.example/a/bsecret?token=abc", out, sizeof out),
        "secret"));
}

UFX_MAIN(cmocka_unit_test(test_policy__standard_webhooks_reference_vector),
         cmocka_unit_test(test_policy__bad_webhook_secret),
         cmocka_unit_test(test_policy__webhook_secret_list),
         cmocka_unit_test(test_policy__backoff_full_jitter),
         cmocka_unit_test(test_policy__retry_after_both_forms),
         cmocka_unit_test(test_policy__http_classes),
         cmocka_unit_test(test_policy__header_encoding),
         cmocka_unit_test(test_policy__rfc5322_date),
         cmocka_unit_test(test_policy__address_filter),
         cmocka_unit_test(test_policy__email_addresses),
         cmocka_unit_test(test_policy__url_join),
         cmocka_unit_test(test_policy__text_clean),
         cmocka_unit_test(test_policy__redact))
