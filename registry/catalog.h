/* catalog.h: the registry of tables and columns per instance (living
 * documentation): a table as a typed card, lists, history, search,
 * lookup, applying requests, manual edits and the data-dictionary CSV
 * import. Implemented in catalog.c (existence, demo), catalog_card.c,
 * catalog_list.c, catalog_search.c, catalog_field.c, catalog_change.c and
 * catalog_import.c; who may edit or import is domain/catalog_cases.h.
 * Every change writes registry_history rows; the triggers of schema.c
 * keep search_fts and meta.generation current. */
#ifndef DOCKET_CATALOG_H
#define DOCKET_CATALOG_H

#include "registry.h"

#include <cjson/cJSON.h>

/* 1 when an active or deprecated table of that name exists in the
 * instance, 0 when not, < 0 on error. Case-insensitive. */
int registry_table_exists(registry *reg, const char *instance,
                          const char *table, errmsg *err);
/* 1 when the column exists (not retired) on that table of the instance,
 * 0 when not, < 0 on error. Case-insensitive. column NULL asks for the
 * table, as registry_table_exists. */
int registry_column_exists(registry *reg, const char *instance,
                           const char *table, const char *column, errmsg *err);

/* ---- reading ---- */

/* Whether campaigns may run without a table's daily file. One name table
 * (registry_dep_name) serves the store, the JSON and every writer. */
typedef enum registry_dep {
    REGISTRY_DEP_UNSET = 0, /* "": not stated; ask the owner */
    REGISTRY_DEP_REQUIRED,  /* "required": hold campaigns without the file */
    REGISTRY_DEP_OPTIONAL,  /* "optional": campaigns may run without it */
} registry_dep;
/* "required", "optional" or "" (also for a value out of range). */
const char *registry_dep_name(registry_dep d);
/* The dependency named s ("" or NULL: REGISTRY_DEP_UNSET) into *out; 0,
 * or ERR_INVALID (without a message) for any other text. */
int registry_dep_parse(registry_dep *out, const char *s);

/* The status of a registry table (active, deprecated) or column (also
 * retired), with its name table. */
typedef enum registry_entry_status {
    REGISTRY_ENTRY_ACTIVE = 0,
    REGISTRY_ENTRY_DEPRECATED,
    REGISTRY_ENTRY_RETIRED, /* columns only */
} registry_entry_status;
/* "active", "deprecated", "retired" ("" out of range). */
const char *registry_entry_status_name(registry_entry_status s);
/* 0, or ERR_INVALID (without a message) for other text. */
int registry_entry_status_parse(registry_entry_status *out, const char *s);

/* One column of a card. Strings are owned by the card, never NULL. */
typedef struct registry_card_column {
    int64_t id;
    char *name, *type, *description, *example;
    char *consent_channel; /* email, sms, push, direct_mail or "" */
    char *rule;
    registry_entry_status status;
    int nullable, primary_key, pii, consent; /* 0 or 1 */
    int64_t added_at;                        /* Unix seconds */
    int64_t added_by_request;                /* 0 when none */
} registry_card_column;

/* What caused a change of the registry: every history row belongs to
 * one change (registry_changes, schema step 6), the rows one transaction
 * wrote for one instance. One name table (registry_change_kind_name). */
typedef enum registry_change_kind {
    REGISTRY_CHANGE_EDIT = 0, /* "edit": a hand edit, with a reason */
    REGISTRY_CHANGE_REQUEST,  /* "request": a request deployed to an
                                 instance */
    REGISTRY_CHANGE_IMPORT,   /* "import": a data-dictionary import */
} registry_change_kind;
/* "edit", "request", "import" ("edit" out of range). */
const char *registry_change_kind_name(registry_change_kind k);
/* 0, or ERR_INVALID (without a message) for other text. */
int registry_change_kind_parse(registry_change_kind *out, const char *s);

/* One registry_history row of a card. Strings owned by the card. */
typedef struct registry_card_change {
    int64_t id;
    int64_t at;                  /* Unix seconds */
    char *column;                /* "" for the table itself */
    char *field;                 /* "table", "column" or a field name */
    char *old_value, *new_value; /* NULL when absent */
    int64_t request_id;          /* 0 when none */
    char *user;                  /* name, "" when unknown */
    char *reason;
    int64_t change_id; /* the change it belongs to; 0 unknown */
    registry_change_kind change_kind;
    char *source; /* an import's file name, "" otherwise (may be NULL in
                     a card built by hand) */
} registry_card_change;

/* An open request that will change the table (registry_card_open_load).
 * Strings owned by the card. */
typedef struct registry_card_request {
    int64_t id;
    char *title, *status, *kind; /* kind of its item on the table */
    int64_t updated_at;
} registry_card_request;

/* The rules of a table: what ops need at 3 a.m. Strings owned by the
 * card, never NULL. */
typedef struct registry_card_rules {
    registry_dep campaign_dependency;
    char *campaign_note;
    char *expected_arrival; /* "HH:MM" (UTC) or "" */
    char *expected_day;     /* weekly "mon".."sun", monthly "1".."31" or
                               "last", "" otherwise */
    int late_after_minutes; /* 0..1440 */
    int anomaly_low_pct;    /* rows below this % of the median: an
                               anomaly (0: off; default 50) */
    int anomaly_high_pct;   /* rows above this %: an anomaly (0: off;
                               default 200) */
    char missing_after[8];  /* arrival + lateness "HH:MM", "" without one */
    char *source, *cadence, *file_pattern, *owner, *escalation;
    int consent_relevant; /* the table's own flag (0 or 1) */
    char *runbook;        /* Markdown */
} registry_card_rules;

/* A table's whole registry entry, typed. All-zero is empty; free with
 * registry_card_free. Strings are owned by the card and never NULL
 * unless said otherwise. */
typedef struct registry_card {
    int64_t id;     /* reg_tables id */
    int64_t org_id; /* organisation owning the instance */
    char *organisation, *instance, *environment;
    char *table; /* the stored spelling */
    char *description, *kind;
    registry_entry_status status;
    char *url; /* "/tables/<instance>/<table>", each part URL-escaped */
    registry_card_rules rules;
    int64_t created_at, updated_at; /* Unix seconds */
    int64_t created_by_request;     /* 0 when none */
    registry_card_column *columns;  /* every status, by position */
    size_t ncolumns;
    registry_card_change *history; /* newest first, at most
                                      REGISTRY_HISTORY_MAX; history[0] is
                                      the last change */
    size_t nhistory;
    registry_card_request *open; /* registry_card_open_load only */
    size_t nopen;
} registry_card;

#define REGISTRY_HISTORY_MAX 200

/* Reads the card of table (case-insensitive) in instance into *out, as
 * the organisation org_id sees it: org_id 0 (staff) sees every table, any
 * other only its own organisation's. Another organisation's table is
 * ERR_NOTFOUND with the very message of a missing one ("no table T in
 * instance I"), so a client learns nothing of it. *out is written only
 * on success; caller frees it with registry_card_free. ERR_DB on a failed
 * read (never reported as not found). */
int registry_table_card(registry *reg, registry_card *out, const char *instance,
                        const char *table, int64_t org_id, errmsg *err);

/* What a rules card page of table in instance is built from, in one
 * read: *out_ver registry_table_version(reg, instance, table, 1) (-1: no
 * such table), *out_arrival the id of the table's last arrival (0:
 * none) and *out_pruned the version of arrival pruning
 * (registry_arrival_prune): its "Today:" line and arrival chart. 0, or
 * -1 when the read failed (all -1 then: cache nothing). */
int registry_card_version(registry *reg, const char *instance,
                          const char *table, int64_t *out_ver,
                          int64_t *out_arrival, int64_t *out_pruned);

/* Adds to card the open requests that will change its table
 * (registry_table_open_requests, seen as card->org_id sees them), by id.
 * 0 or ERR_DB; the card is unchanged on error. */
int registry_card_open_load(registry *reg, registry_card *card, errmsg *err);

/* Frees what the card owns and leaves it all-zero. NULL does nothing. */
void registry_card_free(registry_card *card);

/* The card as the JSON document of
 * GET /api/v1/instances/{instance}/tables/{table} and `docket lookup
 * --json` (both print cJSON_PrintUnformatted of it plus "\n"); open
 * requests are not part of it:
 *
 *   {"instance", "environment", "organisation", "table", "description",
 *    "kind", "status", "url": "/tables/<instance>/<table>",
 *    "rules": {"campaign_dependency": "required"|"optional"|"",
 *              "campaign_note", "expected_arrival": "HH:MM"|"",
 *              "late_after_minutes", "missing_after": "HH:MM"|"",
 *              "source", "cadence", "file_pattern", "owner", "escalation",
 *              "consent_relevant": bool, "runbook",
 *              "expected_day": "mon".."sun"|"1".."31"|"last"|"",
 *              "anomaly_low_pct", "anomaly_high_pct"},
 *    "created_at", "updated_at" (ISO 8601 UTC), "created_by_request"
 *    (id or null),
 *    "columns": [{"name", "type", "nullable", "primary_key",
 *                 "description", "example", "pii", "consent",
 *                 "consent_channel", "rule", "status", "added_at",
 *                 "added_by_request" (id or null)}] by position,
 *    "history": [{"id", "at", "column" ("" for the table), "field", "old",
 *                 "new" (null when absent), "request" (id or null),
 *                 "user" (name or ""), "reason", "change" (the id of the
 *                 change it belongs to, or null), "change_kind" ("request",
 *                 "import", "edit"), "source" (an import's file name or
 *                 "")}] newest first, at most REGISTRY_HISTORY_MAX,
 *    "last_change": the first history entry or null}
 *
 * Caller owns the result. */
cJSON *registry_card_json(const registry_card *card);

/* The card of table in instance as staff see it (registry_table_card
 * with org_id 0), written by registry_card_json. The organisation check
 * is the caller's (registry_instance_org), or use registry_table_card
 * with the viewer's organisation. Caller owns the result; NULL with err
 * set (ERR_NOTFOUND when there is no such table, ERR_DB). */
cJSON *registry_table_json(registry *reg, const char *instance,
                           const char *table, errmsg *err);

/* The organisation id owning instance into *out (for tenant checks).
 * ERR_NOTFOUND when the instance does not exist. */
int registry_instance_org(registry *reg, int64_t *out, const char *instance,
                          errmsg *err);

/* One table in a list. Strings are borrowed for the callback only. */
typedef struct registry_table_row {
    int64_t id;
    int64_t org_id;
    const char *instance, *environment, *name, *description, *kind;
    const char *source, *cadence, *expected_arrival, *file_pattern;
    const char *campaign_dependency, *campaign_note, *owner, *escalation;
    const char *status;
    int late_after_minutes;
    int consent_relevant; /* the table's flag, or a consent column */
    int has_pii;          /* some active column is PII */
    int ncolumns;         /* active and deprecated columns */
    int64_t updated_at;
} registry_table_row;

/* Which tables registry_table_list returns; all-zero means every table of
 * every instance, by instance then name, no limit. */
typedef struct registry_table_filter {
    const char *instance;   /* NULL or "": all instances */
    int64_t org_id;         /* 0: every organisation (staff) */
    const char *dependency; /* "required", "optional", "none" or NULL */
    int consent;            /* 1: consent-relevant tables only */
    int pii;                /* 1: tables with PII columns only */
    const char *source;     /* exact source or NULL */
    const char *status;     /* "active", "deprecated" or NULL */
    const char *sort;       /* name (default), instance, arrival,
                               dependency, columns, updated */
    int desc;               /* 1: descending */
    int limit;              /* 0: no limit */
    int offset;
} registry_table_filter;

/* Calls fn for each table matching f; *out_total (may be NULL) gets the
 * number of matches before limit/offset. */
int registry_table_list(registry *reg, const registry_table_filter *f,
                        void (*fn)(void *ctx, const registry_table_row *t),
                        void *ctx, int64_t *out_total, errmsg *err);

/* One registry_history row; strings borrowed for the callback only. */
typedef struct registry_history_row {
    int64_t id;
    const char *instance, *table, *column, *field;
    const char *old_value, *new_value; /* NULL when absent */
    int64_t request_id;                /* 0 when none */
    const char *user;                  /* name, "" when unknown */
    const char *reason;
    int64_t created_at;
    int64_t change_id; /* the change it belongs to */
} registry_history_row;

typedef struct registry_history_filter {
    const char *instance; /* NULL: all */
    const char *table;    /* NULL: all (needs instance) */
    const char *column;   /* NULL: all (needs table) */
    int64_t org_id;       /* 0: every organisation */
    int64_t from, to;     /* created_at in [from, to); 0: open */
    int64_t before_id;    /* paging: rows (registry_change_list: changes)
                             with id < before_id; 0: newest */
    int limit;            /* 0: 200 (registry_change_list: changes, 0: 50) */
} registry_history_filter;

/* History rows newest first. */
int registry_history_list(registry *reg, const registry_history_filter *f,
                          void (*fn)(void *ctx, const registry_history_row *h),
                          void *ctx, errmsg *err);

/* The most rows registry_change_list hands over per change. */
#define REGISTRY_CHANGE_ROWS_MAX 1000

/* One change of the registry: what one request deploy (to one
 * instance), import or hand edit wrote. Strings and rows are borrowed for
 * the callback only. */
typedef struct registry_change {
    int64_t id;
    registry_change_kind kind;
    const char *instance;
    int64_t request_id;        /* 0 when none */
    const char *request_title; /* "" when none */
    const char *user;          /* name, "" when unknown */
    const char *reason;        /* "CR-12", "import" or the editor's words */
    const char *source;        /* an import's file name, "" when unknown */
    int64_t created_at;
    const registry_history_row *rows; /* oldest first: those of the
                                         filter's table (and column) when
                                         it names one, at most
                                         REGISTRY_CHANGE_ROWS_MAX */
    size_t nrows;
    int64_t nrows_total; /* rows of the change the filter selects */
} registry_change;

/* The changes that wrote history rows matching f, newest first, each
 * with its rows; f->before_id and f->limit count changes. With f->table
 * (and f->column) only changes touching that table (column), and only
 * its rows. 0 or ERR_DB (a failed read is never a shorter list). */
int registry_change_list(registry *reg, const registry_history_filter *f,
                         void (*fn)(void *ctx, const registry_change *c),
                         void *ctx, errmsg *err);

/* An open (not yet deployed) request that will change a table. */
typedef struct registry_open_request {
    int64_t id;
    const char *title, *status, *kind; /* kind of its item */
    int64_t updated_at;
} registry_open_request;

/* Requests whose status is not deployed/rejected/withdrawn, that apply to
 * the instance (main instance or request_instances, not yet deployed
 * there) and have an item on the table. org_id 0: all. */
int registry_table_open_requests(registry *reg, const char *instance,
                                 const char *table, int64_t org_id,
                                 void (*fn)(void *ctx,
                                            const registry_open_request *r),
                                 void *ctx, errmsg *err);

/* ---- search and lookup ---- */

/* One search hit. name_hl and snippet carry highlight markers \x01 (start)
 * and \x02 (end) around matched terms: escape the text first, then turn
 * the markers into tags. Strings borrowed for the callback only. */
typedef struct registry_search_hit {
    const char *kind; /* "table", "column", "request" */
    int64_t ref;      /* table, column or request id */
    const char *instance;
    const char *name;    /* table/column name, or "CR-12 title" */
    const char *table;   /* the column's table; "" otherwise */
    const char *name_hl; /* name with markers */
    const char *snippet; /* body excerpt with markers */
    int exact;           /* the name equals the query */
} registry_search_hit;

/* Builds the FTS5 MATCH expression for user text q into out: each
 * whitespace-separated word becomes a quoted phrase with prefix matching
 * ("word"*), quotes doubled, words without a letter or digit dropped.
 * Returns the number of words (0: nothing to search for). */
int registry_search_expr(char *out, size_t size, const char *q);

/* Full-text search over tables, columns and requests with prefix
 * matching; exact name matches first, then by rank. org_id 0 sees
 * everything, otherwise only that organisation's rows. limit 0: 50. */
int registry_search(registry *reg, const char *q, int64_t org_id, int limit,
                    void (*fn)(void *ctx, const registry_search_hit *h),
                    void *ctx, errmsg *err);

/* How deep a search may be paged: offset + limit at most this. */
#define REGISTRY_SEARCH_DEPTH 1000

/* One page of a search: the hits [offset, offset + limit) of the ranked
 * list, and how many hits there are in all. */
typedef struct registry_search_page {
    int offset;       /* in: 0 .. REGISTRY_SEARCH_DEPTH - limit */
    int limit;        /* in: 1 .. 200 */
    int64_t total;    /* out: every hit org_id may see */
    int64_t kinds[3]; /* out: of which tables, columns, requests */
} registry_search_page;

/* registry_search for one page, counting every hit (the organisation's
 * only when org_id is not 0) into pg->total and pg->kinds. */
int registry_search_paged(registry *reg, const char *q, int64_t org_id,
                          registry_search_page *pg,
                          void (*fn)(void *ctx, const registry_search_hit *h),
                          void *ctx, errmsg *err);

/* Starts building the in-memory search index of the database in the
 * background (server start-up), so the first searches need not fall back
 * to FTS5. Returns at once. */
void registry_search_warm(registry *reg);

/* One lookup candidate; strings borrowed for the callback only. */
typedef struct registry_lookup_hit {
    const char *instance;
    const char *environment;
    const char *table;
    const char *campaign_dependency;
    const char *status;
    int exact; /* the name equals the query (case-insensitive) */
} registry_lookup_hit;

enum {
    REGISTRY_LOOKUP_PREFIX = 0,    /* names starting with q (index range) */
    REGISTRY_LOOKUP_SUBSTRING = 1, /* names containing q (scan) */
};

/* Table names matching q in mode, exact matches first, then by name and
 * instance. instance NULL or "": all (visible) instances. org_id 0: all.
 * limit 0: 20. Returns the number of hits or < 0. */
int registry_lookup(registry *reg, const char *q, int mode,
                    const char *instance, int64_t org_id, int limit,
                    void (*fn)(void *ctx, const registry_lookup_hit *h),
                    void *ctx, errmsg *err);

/* Table names within max_dist edits of q (str_edit_distance), closest
 * first, at most limit (0: 5). A short query allows fewer edits: one per
 * three characters of q. From four characters on, a name also counts as
 * close when its start is (a half-typed name with a typo): its edits
 * from q plus one.
 * Returns the number found or < 0. */
int registry_lookup_similar(registry *reg, const char *q, const char *instance,
                            int64_t org_id, int max_dist, int limit,
                            void (*fn)(void *ctx, const registry_lookup_hit *h),
                            void *ctx, errmsg *err);

/* ---- changing the registry ---- */

/* Applies request r's items to the registry of instance. MUST run inside
 * the caller's transaction (the deploy changes the request's status and
 * applies it in one transaction).
 *
 * - new_table creates the table with its rules and columns
 *   (ERR_CONFLICT when it already exists in that instance);
 * - add_columns adds columns (ERR_CONFLICT when the table does not exist
 *   or a column is already there; a retired column of that name comes
 *   back active);
 * - customer_attributes / activity_history / purchase_history add, change
 *   (type, description, rule, example) or retire attributes of an
 *   existing table (ERR_CONFLICT when the table or attribute is missing);
 * - rules given on any item (description, source, cadence, arrival,
 *   lateness, file pattern, campaign dependency and note, owner,
 *   escalation) replace the table's; a consent column makes the table
 *   consent-relevant.
 *
 * Every changed value writes a registry_history row (instance, table,
 * column, field, old, new, request r->id when > 0, user_id when > 0,
 * reason "CR-<id>"), all of one call in one change (kind "request"). On
 * error nothing is rolled back here: the caller rolls its transaction
 * back. */
int registry_request_apply(registry *reg, const form_request *r,
                           const char *instance, int64_t user_id, errmsg *err);

/* What r changes per table, for notification payloads: an array of
 * {"instance", "table", "campaign_dependency" (the item's, else the
 * registry's current, else ""), "consent" (bool: consent columns or a
 * consent-related request), "changes": ["new table", "add column x
 * string(20)", "change column y type", "retire column z",
 * "campaign_dependency: required", ...], "url": base_url +
 * "/tables/<instance>/<table>"}. base_url may be "" or NULL. Caller owns
 * the result; NULL only on a database error. */
cJSON *registry_request_changes_json(registry *reg, const form_request *r,
                                     const char *instance, const char *base_url,
                                     errmsg *err);

/* Table fields registry_table_update_field accepts (column NULL). */
#define REGISTRY_TABLE_FIELDS                                                  \
    "description, kind, source, cadence, expected_arrival, "                   \
    "late_after_minutes, file_pattern, campaign_dependency, campaign_note, "   \
    "consent_relevant, owner, escalation, runbook, status, expected_day, "     \
    "anomaly_low_pct, anomaly_high_pct"
/* Column fields (column given). */
#define REGISTRY_COLUMN_FIELDS                                                 \
    "type, nullable, primary_key, description, example, pii, consent, "        \
    "consent_channel, rule, status"

/* A manual edit of one field of a table (column NULL) or of one of its
 * columns, by user_id, for reason (required, it is shown in the history).
 * Values are checked: expected_arrival "HH:MM" or "", late_after_minutes
 * 0..1440, expected_day a weekday ("mon".."sun", also the full name, any
 * case; stored as the three letters) or a day of the month ("1".."31",
 * "last"), and after an edit that changed cadence or expected_day the pair
 * must fit
 * (form_expected_day: a weekly table has a weekday, a monthly one a day
 * of the month, any other none; else ERR_INVALID on expected_day),
 * anomaly_low_pct 0..100, anomaly_high_pct 0 or 100..100000,
 * campaign_dependency required/optional/"", flags 0/1 (also
 * true/false/yes/no/on/off), type as form_type_parse (stored canonical),
 * status active/deprecated (columns also retired), text within the form's
 * limits. MUST run inside the caller's transaction.
 *
 * Returns 1 when the value changed (a history row was written), 0 when it
 * already had that value, ERR_NOTFOUND (no such table/column),
 * ERR_INVALID (unknown field, bad value, no reason) or ERR_DB. */
int registry_table_update_field(registry *reg, const char *instance,
                                const char *table, const char *column,
                                const char *field, const char *value,
                                int64_t user_id, const char *reason,
                                errmsg *err);

/* One field and its new value, for registry_table_edit. */
typedef struct registry_field_value {
    const char *field; /* a name of REGISTRY_TABLE_FIELDS (column NULL) or
                          REGISTRY_COLUMN_FIELDS */
    const char *value;
} registry_field_value;

/* registry_table_update_field for each of set[0..n) in order, in one
 * transaction of its own: all of them or none, and one change (kind
 * "edit") in the history. *out_changed (may be NULL)
 * gets the number of fields whose value changed. Returns 0 or the first
 * error of registry_table_update_field (nothing written then); n == 0
 * writes nothing and returns 0. Who may edit what is domain/catalog.h's
 * question, not this function's. */
int registry_table_edit(registry *reg, const char *instance, const char *table,
                        const char *column, const registry_field_value *set,
                        size_t n, int64_t user_id, const char *reason,
                        int *out_changed, errmsg *err);

/* ---- data-dictionary CSV import ---- */

/* The CSV columns the import accepts (header names, any order; "table"
 * and "column" required, the others optional) and the export writes, in
 * this order. */
extern const char *const registry_csv_columns[];
extern const size_t registry_csv_ncolumns;

typedef struct registry_import_problem {
    char file[128]; /* the file of a many-file import, "" for the import's
                       own (the one file named) */
    int line;       /* line where the record starts (header: 1) */
    char field[40]; /* CSV column, "" for the whole record */
    char message[200];
} registry_import_problem;

/* What an import did or found. All-zero is empty; dispose with
 * registry_import_report_dispose. */
typedef struct registry_import_report {
    registry_import_problem *problems;
    size_t nproblems;
    size_t cap;
    int records; /* data records read */
    int tables_created;
    int tables_updated; /* existing tables with a changed field */
    int columns_added;
    int columns_updated;
} registry_import_report;

void registry_import_report_dispose(registry_import_report *rep);

/* Imports a data dictionary (RFC 4180 CSV, UTF-8, optional BOM, LF or
 * CRLF) into the registry of instance, as user_id (0: none), all or
 * nothing in its own transaction. One record per column; a record with an
 * empty "column" describes only the table. Table-level cells may repeat on
 * every record of the table or stand on one; different non-empty values
 * for one table are an error. Existing tables and columns are updated
 * (only changed fields, each with a history row, reason "import");
 * importing the same file twice changes nothing the second time. A quoted
 * cell starting with an apostrophe followed by another apostrophe or by
 * what buf_csv_is_risky finds loses that apostrophe (undoing the export's
 * spreadsheet neutralisation).
 *
 * Every row it writes belongs to one change (kind "import").
 *
 * Returns 0, or ERR_INVALID with every problem in rep (nothing written),
 * ERR_NOTFOUND (no such instance) or ERR_DB. */
int registry_import_csv(registry *reg, registry_import_report *rep,
                        const char *instance, const char *data, size_t len,
                        int64_t user_id, errmsg *err);
/* registry_import_csv naming the file in the change it writes: file's
 * last path component ("-" or NULL: none), shown with the history. */
int registry_import_csv_file(registry *reg, registry_import_report *rep,
                             const char *instance, const char *data, size_t len,
                             int64_t user_id, const char *file, errmsg *err);

/* ---- the import engine: records in the CSV vocabulary ----
 * The YAML readers (domain/dbt.c, domain/odcs.c) turn a document into
 * records with the values the CSV would carry (booleans "yes"/"no",
 * numbers as decimal text, a table-only record without a column) and hand
 * them to registry_import_records, so that their imports check, write and
 * name the change exactly as the CSV import does. */

#define REGISTRY_IMPORT_NFIELDS 29 /* == registry_csv_ncolumns */

/* The index of a registry_csv_columns name ("table", "owner", ...), -1
 * when it is none. */
int registry_csv_column_index(const char *name);

/* One record: the value per registry_csv_columns index (NULL or "":
 * absent), where it comes from for the problems. */
typedef struct registry_import_record {
    const char *file; /* shown in problems; NULL: the import's own file */
    int line;         /* 1-based line of the record in file */
    const char *v[REGISTRY_IMPORT_NFIELDS];
} registry_import_record;

/* A growing list of records owning every string it holds. All-zero is
 * empty; dispose with registry_import_recs_dispose. */
typedef struct registry_import_recs {
    registry_import_record *v;
    size_t n, cap;
    char **strs; /* the copies v points to */
    size_t nstrs, capstrs;
} registry_import_recs;

/* Appends an empty record at file:line (file copied; NULL: the import's
 * own file) and returns its index. Indexes stay valid, pointers into v do
 * not. */
size_t registry_import_recs_add(registry_import_recs *rs, const char *file,
                                int line);
/* Sets CSV column name of record i to a copy of value (NULL: absent). 0,
 * or -1 when name is no CSV column (nothing set). */
int registry_import_recs_set(registry_import_recs *rs, size_t i,
                             const char *name, const char *value);
void registry_import_recs_dispose(registry_import_recs *rs);

/* Adds a problem at file:line (file NULL: the import's own file) about
 * field ("" or NULL: the whole record), as the import's own are. */
void registry_import_problem_add(registry_import_report *rep, const char *file,
                                 int line, const char *field, const char *fmt,
                                 ...) __attribute__((format(printf, 5, 6)));

/* Imports the records of rs into instance as registry_import_csv_file
 * does a CSV's: every record checked (the same messages), the problems
 * in rep, nothing written when there is one, else one transaction and one
 * change of kind "import" named after source's last path component.
 * Problems a reader put into rep before the call also make it
 * ERR_INVALID (after the records' own checks, so all are listed).
 * Returns 0, ERR_INVALID, ERR_NOTFOUND (no such instance) or ERR_DB. */
int registry_import_records(registry *reg, registry_import_report *rep,
                            const char *instance,
                            const registry_import_recs *rs, int64_t user_id,
                            const char *source, errmsg *err);

/* 1 when the database holds no organisation, user or request yet. */
int registry_is_empty(registry *reg);

#endif
