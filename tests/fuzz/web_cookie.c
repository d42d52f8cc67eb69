/* web_cookie.c: libFuzzer target for the message part of the flash
 * cookie of web/layout.c (the cookie is "<expiry>.<mac>.<message>"; the
 * HMAC is checked before the message is decoded, see
 * tests/integration/test_escaping.c): page_flash_set writes the message
 * with buf_append_url, flash_show decodes it with MHD_http_unescape,
 * checks UTF-8 and escapes it with buf_append_html. Asserts for any bytes:
 * - encoding: the cookie value has only unreserved characters and '%'
 *   (no ';', ',', space, quote or control byte can end or split the
 *   Set-Cookie header) and decodes back to exactly the message;
 * - decoding a hostile cookie value never overruns, and what would be
 *   shown has no raw '<', '>', '"' or '\'' and every '&' starts one of the
 *   escaper's entities. */
#include "buf.h"
#include "str.h"

#include <microhttpd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "check failed: %s\n", #cond);                      \
            abort();                                                           \
        }                                                                      \
    } while (0)

static int unreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
           c == '~';
}

static void check_shown(const char *s)
{
    static const char *const ents[] = {"&amp;", "&lt;", "&gt;", "&quot;",
                                       "&#39;"};

    for (const char *p = s; *p; p++) {
        CHECK(*p != '<' && *p != '>' && *p != '"' && *p != '\'');
        if (*p == '&') {
            int ok = 0;
            for (size_t i = 0; i < sizeof ents / sizeof *ents; i++)
                if (!strncmp(p, ents[i], strlen(ents[i])))
                    ok = 1;
            CHECK(ok);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *msg = malloc(size + 1), *dec;
    buf cookie = {0}, shown = {0};
    size_t n;

    memcpy(msg, data, size);
    msg[size] = '\0'; /* messages are C strings: up to the first NUL */

    /* page_flash_set's encoding, then flash_show's decoding */
    buf_append_url(&cookie, msg);
    for (size_t i = 0; i < cookie.len; i++)
        CHECK(unreserved((unsigned char)cookie.data[i]) ||
              cookie.data[i] == '%');
    dec = strdup(buf_cstr(&cookie));
    n = MHD_http_unescape(dec);
    CHECK(n == strlen(msg) && !strcmp(dec, msg));
    free(dec);

    /* a hostile cookie value as it arrives */
    dec = strdup(msg);
    MHD_http_unescape(dec);
    if (str_utf8_valid(dec, strlen(dec))) {
        buf_append_html(&shown, dec);
        check_shown(buf_cstr(&shown));
    }
    free(dec);
    buf_dispose(&cookie);
    buf_dispose(&shown);
    free(msg);
    return 0;
}
