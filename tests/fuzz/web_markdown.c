/* web_markdown.c: libFuzzer target for web_markdown (web/markdown.c), the
 * Markdown of summaries, notes and runbooks. Whatever the text, the HTML
 * must be inert: no <script, <iframe, <object, <embed, <style or raw HTML
 * element outside cmark's own set, no javascript:/vbscript:/data: URL in
 * href or src, and no on*= event attribute in any tag. */
#include "fuzz.h"
#include "web_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tags cmark writes; anything else would be raw HTML let through. */
static const char *const allowed[] = {
    "p",          "em", "strong", "a",  "img", "code", "pre",
    "blockquote", "ul", "ol",     "li", "h1",  "h2",   "h3",
    "h4",         "h5", "h6",     "hr", "br",  "del",  NULL};

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int starts_ci(const char *s, const char *end, const char *p)
{
    for (; *p; s++, p++)
        if (s >= end || lower((unsigned char)*s) != *p)
            return 0;
    return 1;
}

/* Checks one tag: text between '<' and '>'. */
static void check_tag(const char *s, const char *end)
{
    char name[16];
    size_t n = 0;
    const char *p = s;

    if (p < end && *p == '/')
        p++;
    if (p < end && *p == '!') {
        /* only cmark's own comment for omitted raw HTML */
        CHECK(starts_ci(p, end, "!-- raw html omitted --"));
        return;
    }
    while (p < end && n + 1 < sizeof name &&
           ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
        name[n++] = *p++;
    name[n] = '\0';
    {
        int ok = 0;
        for (size_t i = 0; allowed[i]; i++)
            if (!strcmp(name, allowed[i]))
                ok = 1;
        if (!ok)
            fprintf(stderr, "tag <%s>\n", name);
        CHECK(ok);
    }
    /* attributes: name="value" pairs; values are HTML-escaped by cmark,
       so a '"' inside them cannot occur */
    while (p < end) {
        const char *an;
        size_t alen;
        while (p < end && (*p == ' ' || *p == '/'))
            p++;
        an = p;
        while (p < end && *p != '=' && *p != ' ' && *p != '/')
            p++;
        alen = (size_t)(p - an);
        if (!alen)
            break;
        CHECK(!(alen >= 2 && lower((unsigned char)an[0]) == 'o' &&
                lower((unsigned char)an[1]) == 'n'));
        if (p < end && *p == '=') {
            const char *v = ++p, *ve;
            CHECK(p < end && *p == '"');
            v = ++p;
            ve = memchr(v, '"', (size_t)(end - v));
            CHECK(ve != NULL);
            if ((alen == 4 && starts_ci(an, end, "href")) ||
                (alen == 3 && starts_ci(an, end, "src"))) {
                const char *u = v;
                while (u < ve && (*u == ' ' || *u == '\t'))
                    u++;
                CHECK(!starts_ci(u, ve, "javascript:"));
                CHECK(!starts_ci(u, ve, "vbscript:"));
                CHECK(!starts_ci(u, ve, "file:"));
                CHECK(!starts_ci(u, ve, "data:") ||
                      starts_ci(u, ve, "data:image/png") ||
                      starts_ci(u, ve, "data:image/gif") ||
                      starts_ci(u, ve, "data:image/jpeg") ||
                      starts_ci(u, ve, "data:image/webp"));
            }
            p = ve + 1;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *md = malloc(size + 1);
    buf out = {0};
    const char *s, *end;

    memcpy(md, data, size);
    md[size] = '\0';
    web_markdown(&out, md);
    s = buf_cstr(&out);
    end = s + out.len;
    for (const char *p = s; p < end; p++) {
        const char *close;
        if (*p != '<')
            continue;
        close = memchr(p, '>', (size_t)(end - p));
        CHECK(close != NULL);
        check_tag(p + 1, close);
        p = close;
    }
    buf_dispose(&out);
    free(md);
    return 0;
}
