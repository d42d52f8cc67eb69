/* markdown.c: Markdown (CommonMark, via cmark) to HTML for summaries,
 * notes and runbooks. Safe mode: raw HTML and dangerous link schemes are
 * dropped by cmark itself, so the result may be inserted as it is. The
 * writer is the card writer's (card_html_markdown, domain/card.c), so the
 * runbook of a rules card and every other note render alike. */
#include "web_int.h"
#include "card.h"

void web_markdown(buf *out, const char *md)
{
    card_html_markdown(out, md);
}
