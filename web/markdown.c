/* markdown.c: Markdown (CommonMark, via cmark) to HTML for summaries,
 * notes and runbooks. Safe mode: raw HTML and dangerous link schemes are
 * dropped by cmark itself, so the result may be inserted as it is. */
#include "web_int.h"

#include <cmark.h>
#include <stdlib.h>
#include <string.h>

void web_markdown(buf *out, const char *md)
{
    char *html;

    if (!md || !*md)
        return;
    html = cmark_markdown_to_html(md, strlen(md),
                                  CMARK_OPT_SAFE | CMARK_OPT_VALIDATE_UTF8);
    if (html)
        buf_puts(out, html);
    free(html);
}
