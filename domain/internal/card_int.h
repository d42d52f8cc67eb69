/* card_int.h: the back ends of card_write (card.c), one per format. */
#ifndef DOCKET_CARD_INT_H
#define DOCKET_CARD_INT_H

#include "card.h"

/* card_history.c: c's history grouped by change, as timeline items
 * (export: links to nothing but the table itself) or Markdown items. */
void card_html_history(buf *o, const registry_card *c, int export);
void card_md_history(buf *b, const registry_card *c);
/* The one-line summary (card_group_summary) of c's newest change, text
 * through esc; nothing without history. */
void card_last_summary(buf *o, const registry_card *c,
                       void (*esc)(buf *o, const char *s));

/* What caused history row h when no request did: "imported FILE" (or
 * "imported a data dictionary") for an import, else the editor's
 * reason; text through esc. */
void card_last_cause(buf *o, const registry_card_change *h,
                     void (*esc)(buf *o, const char *s));

/* card_html.c */
void card_write_html(buf *o, const registry_card *c, const card_opts *opt);
void card_write_html_export(buf *o, const registry_card *c,
                            const card_opts *opt);
/* card_text.c */
void card_write_markdown(buf *o, const registry_card *c, const card_opts *opt);
void card_write_terminal(buf *o, const registry_card *c, const card_opts *opt);
void card_write_message(buf *o, const registry_card *c);

#endif
