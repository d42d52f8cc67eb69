/* adopt_cases.h (domain): adopting an existing schema. What the drift
 * check (drift_cases.h) finds undocumented in a live schema, tables and
 * columns, is written into the instance's registry with its types
 * (migrate_type_from_live, the generator's table per dialect),
 * nullability, primary key and comments as descriptions, through
 * registry_adopt (registry/adopt.h): all or nothing, each change a
 * history row with reason "adopted from live schema".
 *
 * A live type docket has no kind for (uuid, geometry, json, ...) refuses
 * the whole adopt with ERR_INVALID naming table.column and the type:
 * guessing a kind would write documentation that the next drift check
 * reports as a type finding, and a wrong type is worse than none. Such a
 * table is documented by hand or left out (only_tables).
 *
 * The registry marks key columns; it keeps no key order of its own (the
 * generator writes a key in column order). A live key whose order
 * differs from the column order is adopted and said in the table's note.
 *
 * Rules a database cannot know (campaign dependency, cadence, expected
 * arrival, owner, escalation) are left empty; each adopted table lists
 * the ones still empty as "to complete". */
#ifndef DOCKET_ADOPT_CASES_H
#define DOCKET_ADOPT_CASES_H

#include "domain.h"
#include "live.h"

#include <stddef.h>

/* One table adopt wrote (or would write). Strings owned. */
typedef struct domain_adopt_table {
    char *name;     /* the live spelling */
    int created;    /* 1: a new table; 0: columns added to a documented
                       one */
    char **columns; /* the columns added, in live order */
    char **types;   /* their docket types ("string(255)") */
    size_t ncolumns;
    char *to_complete; /* "campaign dependency, cadence, expected arrival,
                          owner, escalation": the rules still empty ("" when
                          none) */
    char *key_note;    /* "" or "the live key is (b, a); the registry keeps
                          key columns in column order" */
} domain_adopt_table;

typedef struct domain_adopt_report {
    char *instance;
    char *source; /* redacted */
    int dry_run;
    domain_adopt_table *tables; /* by name */
    size_t ntables;
    int tables_created, columns_added;
} domain_adopt_report;

void domain_adopt_report_dispose(domain_adopt_report *r);

/* Adopts the undocumented tables and columns of live into instance as
 * who: PMs, admins and the console (user_id 0, role 0), as the import;
 * ops, clients and the anonymous get ERR_FORBIDDEN; an instance of
 * another organisation is ERR_NOTFOUND "no instance I" as a missing one.
 * only_tables[0..n) (n 0: every table) names the live tables to adopt
 * (any case): one the source does not have is ERR_NOTFOUND "no table T
 * in the source"; one already fully documented adds nothing. With
 * dry_run the report says what would be written and nothing is. *out is
 * filled on success (dispose it); on error it is empty and nothing was
 * written: ERR_INVALID (a type without a kind, a name or comment docket
 * refuses: the message names table.column), ERR_FORBIDDEN, ERR_NOTFOUND,
 * ERR_CONFLICT, ERR_DB. A "registry.adopt" audit row is written when
 * something was adopted. */
int domain_adopt(registry *reg, const domain_actor *who, const char *instance,
                 const live_schema *live, const char *const *only_tables,
                 size_t n, int dry_run, domain_adopt_report *out, errmsg *err);

/* What domain_adopt_from is asked (a web handler or the command line). */
typedef struct domain_adopt_request {
    const char *instance;
    const char *source; /* a live_read source (printed only redacted) */
    const char *schema; /* NULL: the source's default */
    const char *const *only_tables;
    size_t nonly;
    int dry_run;
} domain_adopt_request;

/* Reads the live schema of rq->source (the instance's dialect for a CSV
 * source) and adopts it (domain_adopt). The instance and the actor's
 * rights are checked before the source is read. A source that cannot be
 * read is live_read's code (ERR_INVALID: cannot parse it, ERR_IO:
 * unreachable or unreadable) with its message. */
int domain_adopt_from(registry *reg, const domain_actor *who,
                      const domain_adopt_request *rq, domain_adopt_report *out,
                      errmsg *err);

#endif
