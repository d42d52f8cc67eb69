/* vocab_int.h: the fields of docket's data-dictionary vocabulary (the
 * CSV import's column names) of a table and of a column, in the CSV's
 * order, handed one by one to a writer: the dbt writer puts them under
 * meta.docket, the ODCS writer into customProperties (skipping those the
 * standard has a place of its own for). One list, so the formats cannot
 * drift apart. */
#ifndef DOCKET_DOMAIN_VOCAB_INT_H
#define DOCKET_DOMAIN_VOCAB_INT_H

#include "catalog.h"

/* A text field comes with s (never NULL, "" when not set), a whole
 * number or a yes/no with n. VOCAB_KEY is text that is always there
 * (a type, a status): dbt writes it even empty. */
typedef enum { VOCAB_TEXT, VOCAB_KEY, VOCAB_INT, VOCAB_BOOL } vocab_kind;

/* Fields ODCS writes as its own keys (owner: team, escalation: support,
 * table_status: status; primary_key and example: the property's own):
 * vocab_*_fields leave them out when asked. */
#define VOCAB_SKIP_ODCS_NATIVE 1u

typedef void (*vocab_put)(void *ctx, const char *name, vocab_kind kind,
                          const char *s, long long n);

/* The table fields of t (not its description, name or card URL). */
void vocab_table_fields(const registry_card *t, unsigned skip, vocab_put put,
                        void *ctx);
/* The column fields of k (not its description or name). */
void vocab_column_fields(const registry_card_column *k, unsigned skip,
                         vocab_put put, void *ctx);

#endif
