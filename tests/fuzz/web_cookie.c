/* web_cookie.c: libFuzzer target for the flash cookie of web/layout.c,
 * the real web_flash_seal (what page_flash_set sets) and web_flash_open
 * (what flash_show reads). The cookie is "<expiry>.<mac>.<message>", the
 * message percent-encoded and the MAC an HMAC-SHA256 of
 * "<expiry>.<message>" (see also tests/integration/test_escaping.c).
 * Linked with all of web/ (source set web_cookie of run.sh). Asserts for
 * any bytes:
 * - sealing: the cookie value has only unreserved characters, '%' and the
 *   two dots (no ';', ',', space, quote or control byte can end or split
 *   the Set-Cookie header) and opens back to exactly the message (the
 *   message up to its first NUL);
 * - tampering: the value with any one byte changed, or cut short, opens
 *   to nothing;
 * - hostile values: the raw input as a cookie value never overruns and,
 *   holding no valid MAC, opens to nothing;
 * - what would be shown of an opened message (buf_append_html, as
 *   flash_show does for valid UTF-8) has no raw '<', '>', '"' or '\'' and
 *   every '&' starts one of the escaper's entities. */
#include "fuzz.h"

#include "buf.h"
#include "str.h"
#include "web_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int cookie_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
           c == '~' || c == '%';
}

static void check_shown(const char *msg)
{
    static const char *const ents[] = {"&amp;", "&lt;", "&gt;", "&quot;",
                                       "&#39;"};
    buf shown = {0};

    if (!str_utf8_valid(msg, strlen(msg)))
        return; /* flash_show shows nothing */
    buf_append_html(&shown, msg);
    for (const char *p = buf_cstr(&shown); *p; p++) {
        CHECK(*p != '<' && *p != '>' && *p != '"' && *p != '\'');
        if (*p == '&') {
            int ok = 0;
            for (size_t i = 0; i < sizeof ents / sizeof *ents; i++)
                if (!strncmp(p, ents[i], strlen(ents[i])))
                    ok = 1;
            CHECK(ok);
        }
    }
    buf_dispose(&shown);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *msg = malloc(size + 1), *value, *opened;
    size_t n, at;

    memcpy(msg, data, size);
    msg[size] = '\0'; /* messages are C strings: up to the first NUL */

    /* sealed, then opened */
    value = web_flash_seal(msg);
    n = strlen(value);
    for (size_t i = 0; i < n; i++)
        CHECK(cookie_char((unsigned char)value[i]));
    opened = web_flash_open(value);
    CHECK(opened && !strcmp(opened, msg));
    check_shown(opened);
    free(opened);

    /* one byte changed (where the input says, to a byte it picks) */
    at = size ? data[0] % n : 0;
    {
        char was = value[at];
        value[at] = (char)(size > 1 && data[1] != (unsigned char)was
                               ? data[1]
                               : (was == 'A' ? 'B' : 'A'));
        if (value[at] == '\0')
            value[at] = was == 'A' ? 'B' : 'A';
        opened = web_flash_open(value);
        CHECK(opened == NULL);
        value[at] = was;
    }
    /* cut short */
    value[at] = '\0';
    opened = web_flash_open(value);
    CHECK(opened == NULL);
    free(value);

    /* a hostile cookie value as it arrives */
    opened = web_flash_open(msg);
    CHECK(opened == NULL);
    free(msg);
    return 0;
}
