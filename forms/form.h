/* form.h: the change request as plain data, shared by every module.
 * forms/ owns these structs and the form definition (fields, labels, help,
 * limits, choices); registry/ stores and loads them, migrations/ and
 * notify/ render them. Parsing and validation live in forms/ too and do no
 * I/O: checks that need the registry take a lookup callback. */
#ifndef DOCKET_FORM_H
#define DOCKET_FORM_H

#include "err.h"

#include <stddef.h>
#include <stdint.h>

/* Limits of the form (also published in GET /api/v1/form). */
#define FORM_MAX_ITEMS       50
#define FORM_MAX_COLUMNS     500
#define FORM_MAX_IDENT       63
#define FORM_MAX_ATTACHMENTS 5
#define FORM_MAX_ATTACHMENT  (10 * 1024 * 1024)
#define FORM_MAX_SHORT       200   /* titles, names, contacts */
#define FORM_MAX_TEXT        20000 /* summaries, notes, rules */

typedef enum form_item_kind {
    FORM_ITEM_NEW_TABLE = 0,
    FORM_ITEM_ADD_COLUMNS,
    FORM_ITEM_CUSTOMER_ATTRIBUTES,
    FORM_ITEM_ACTIVITY_HISTORY,
    FORM_ITEM_PURCHASE_HISTORY,
    FORM_ITEM_NKINDS
} form_item_kind;

typedef enum form_type_kind {
    FORM_TYPE_NONE = 0, /* not given (attribute retire, say) */
    FORM_TYPE_STRING,   /* string(n): length */
    FORM_TYPE_TEXT,
    FORM_TYPE_INTEGER,
    FORM_TYPE_BIGINT,
    FORM_TYPE_DECIMAL, /* decimal(p,s): precision, scale */
    FORM_TYPE_BOOLEAN,
    FORM_TYPE_DATE,
    FORM_TYPE_TIMESTAMP,
    FORM_TYPE_TIMESTAMPTZ, /* "timestamp with time zone" */
    FORM_TYPE_JSON,
    FORM_TYPE_NKINDS
} form_type_kind;

/* A column type as the form states it. */
typedef struct form_type {
    form_type_kind kind;
    int length;    /* FORM_TYPE_STRING: 1..65535 */
    int precision; /* FORM_TYPE_DECIMAL: 1..38 */
    int scale;     /* FORM_TYPE_DECIMAL: 0..precision */
} form_type;

/* What an attribute-update item does to one attribute. New-table and
 * add-columns items always use FORM_ACTION_ADD. */
typedef enum form_action {
    FORM_ACTION_ADD = 0,
    FORM_ACTION_CHANGE, /* new type and/or definition of an existing one */
    FORM_ACTION_RETIRE
} form_action;

/* One column row (or attribute). Strings are heap copies, never NULL
 * after parsing (empty string when not given). */
typedef struct form_column {
    char *name;
    form_type type;
    form_type old_type; /* CHANGE: the type before, filled from the
                           registry when known (kind NONE otherwise) */
    int nullable;       /* 1 = may be empty */
    int primary_key;
    char *description;
    char *example;
    int pii;
    int consent;           /* holds consent / opt-in / opt-out state */
    char *consent_channel; /* email, sms, push, direct_mail, "" */
    form_action action;
    char *rule; /* attribute definition or calculation rule */
} form_column;

/* One item of the "Changes" section. */
typedef struct form_item {
    form_item_kind kind;
    char *table; /* the table created or changed */
    char *description;
    char *primary_key;      /* new table: column list, e.g. "member_id" */
    char *source;           /* snowflake_share, flat_file_csv, json, ... */
    char *cadence;          /* daily, hourly, weekly, monthly, ad_hoc */
    char *expected_arrival; /* HH:MM UTC, "" when not given */
    char *expected_day;     /* weekly: mon..sun, monthly: 1..31 or last,
                               "" when not given */
    int late_after_minutes; /* how late is "missing"; 0 when not given */
    int anomaly_low_pct;    /* rows below this % of the median are an
                               anomaly; 0 when not given (the table keeps
                               its own, 50 for a new one) */
    int anomaly_high_pct;   /* rows above this %; 0 when not given (200) */
    char *file_pattern;
    char *campaign_dependency; /* "required", "optional" or "" */
    char *campaign_note;
    char *owner;      /* owner contact */
    char *escalation; /* escalation contact */
    form_column *columns;
    size_t ncolumns;
    char *examples; /* example rows */
    char *notes;
} form_item;

/* An attachment's metadata (the bytes stay where the caller keeps them). */
typedef struct form_attachment {
    char *filename;
    char *content_type;
    const unsigned char *data; /* borrowed */
    size_t size;
} form_attachment;

/* A change request. */
typedef struct form_request {
    int64_t id;         /* 0 until stored; shown as CR-<id> */
    char *organisation; /* organisation name */
    char *instance;     /* main instance name */
    char **instances;   /* every instance it applies to (incl. main) */
    size_t ninstances;
    char *project_manager; /* PM e-mail */
    char *requester_name;
    char *requester_email;
    char *title;
    char *summary; /* Markdown */
    int consent_related;
    char *consent_note;
    char *desired_date; /* YYYY-MM-DD or "" */
    form_item *items;
    size_t nitems;
    form_attachment *attachments;
    size_t nattachments;
    /* Filled by registry when loading a stored request: */
    char *status;
    int64_t created_at;
    int64_t updated_at;
} form_request;

/* One validation problem, with the field path in the API's notation, e.g.
 * "items[0].columns[3].name". */
typedef struct form_error {
    char field[128];
    char message[256];
} form_error;

/* A list of validation problems (empty: valid). */
typedef struct form_errors {
    form_error *errs;
    size_t n;
    size_t cap;
} form_errors;

void form_errors_add(form_errors *fe, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void form_errors_dispose(form_errors *fe);
/* The first message recorded for field, or NULL. */
const char *form_errors_get(const form_errors *fe, const char *field);

/* Frees everything the request owns (not the attachment bytes); r is left
 * zeroed. NULL-safe. */
void form_request_dispose(form_request *r);
void form_item_dispose(form_item *it);
void form_column_dispose(form_column *c);

/* Names: the API's words for kinds, types and actions. */
const char *form_item_kind_name(form_item_kind k); /* "new_table", ... */
int form_item_kind_parse(form_item_kind *out, const char *s);
const char *form_action_name(form_action a); /* "add", "change", "retire" */
int form_action_parse(form_action *out, const char *s);
/* Writes the canonical spelling ("string(20)", "decimal(12,2)",
 * "timestamp with time zone") into out. */
void form_type_format(char *out, size_t size, const form_type *t);
/* Parses a type as written in the form or the API (case-insensitive;
 * "varchar(20)" is not accepted: the form's own names only). 0 or
 * ERR_INVALID with a message. */
int form_type_parse(form_type *out, const char *s, errmsg *err);

#endif
