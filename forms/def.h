/* def.h: the change-request form as data: sections, fields (path, label,
 * help, input type, requirement, limits, choices). web/ renders the HTML
 * form from it and serves form_def_to_json() at GET /api/v1/form; parse.c
 * and validate.c read the same table, so the three never disagree. */
#ifndef DOCKET_FORM_DEF_H
#define DOCKET_FORM_DEF_H

#include "form.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/* More limits of the form (the others are in form.h). */
#define FORM_MAX_INSTANCES 20    /* entries of "instances" */
#define FORM_MAX_DEPTH     32    /* JSON nesting accepted by form_parse_json */
#define FORM_LATE_MAX      10080 /* late_after_minutes: one week */

/* The HTML control a field is shown with. */
typedef enum form_input {
    FORM_INPUT_TEXT = 0,
    FORM_INPUT_TEXTAREA,
    FORM_INPUT_EMAIL,
    FORM_INPUT_SELECT,
    FORM_INPUT_CHECKBOX, /* one flag, or several values when multiple */
    FORM_INPUT_RADIO,
    FORM_INPUT_DATE,
    FORM_INPUT_TIME,
    FORM_INPUT_NUMBER
} form_input;

/* The value a field holds in the structs of form.h (and in the JSON). */
typedef enum form_value {
    FORM_VALUE_STRING = 0, /* char *; JSON string */
    FORM_VALUE_BOOL,       /* int 0/1; JSON true/false */
    FORM_VALUE_INT,        /* int within min..max; JSON integer */
    FORM_VALUE_STRINGS,    /* char ** + count; JSON array of strings */
    FORM_VALUE_KIND,       /* form_item_kind; JSON string */
    FORM_VALUE_TYPE,       /* form_type; JSON string such as "string(20)" */
    FORM_VALUE_ACTION      /* form_action; JSON string */
} form_value;

/* Which object a field belongs to. */
typedef enum form_level {
    FORM_LEVEL_REQUEST = 0, /* form_request: "title" */
    FORM_LEVEL_ITEM,        /* form_item: "items[].table" */
    FORM_LEVEL_COLUMN       /* form_column: "items[].columns[].name" */
} form_level;

/* Bit of an item kind in form_field.kinds and .kinds_required. */
#define FORM_KIND_BIT(k) (1u << (unsigned)(k))
#define FORM_KINDS_ALL   ((1u << FORM_ITEM_NKINDS) - 1u)
/* The kinds whose rows are attributes with an action (add/change/retire). */
#define FORM_KINDS_ATTRIBUTE                                                   \
    (FORM_KIND_BIT(FORM_ITEM_CUSTOMER_ATTRIBUTES) |                            \
     FORM_KIND_BIT(FORM_ITEM_ACTIVITY_HISTORY) |                               \
     FORM_KIND_BIT(FORM_ITEM_PURCHASE_HISTORY))
/* The kinds that describe a feed (source, cadence, arrival, owner...). */
#define FORM_KINDS_FEED                                                        \
    (FORM_KIND_BIT(FORM_ITEM_NEW_TABLE) |                                      \
     FORM_KIND_BIT(FORM_ITEM_ACTIVITY_HISTORY) |                               \
     FORM_KIND_BIT(FORM_ITEM_PURCHASE_HISTORY))

/* One allowed value of a select/radio field, and its label. */
typedef struct form_choice {
    const char *value;
    const char *label;
} form_choice;

/* One field of the form. Every pointer is static; nothing is freed. */
typedef struct form_field {
    const char *name; /* path template, also the HTML input name with the
                         indices filled in: "title", "items[].table",
                         "items[].columns[].name" */
    const char *key;  /* the JSON key inside its object: "table" */
    form_level level;
    form_value value;
    form_input input;
    const char *label;
    const char *help;           /* one or two sentences, plain text */
    const char *placeholder;    /* example shown in an empty input, or NULL */
    const char *missing;        /* the problem when it is required and empty:
                                   a sentence that does not repeat the label
                                   ("Choose how the data arrives."); NULL:
                                   "Choose one." or "Fill this in." */
    int after_columns;          /* item fields shown after the column rows
                                   (example rows, notes) */
    int required;               /* 1: must be given (request fields; item and
                                   column fields use kinds_required) */
    unsigned kinds;             /* item/column fields: FORM_KIND_BIT()s of the
                                   kinds it applies to (0 for request fields) */
    unsigned kinds_required;    /* item/column fields: kinds needing it */
    const char *required_if;    /* key of a boolean field of the same object
                                   whose truth makes this one required
                                   ("consent_related", "consent"), or NULL */
    int from_account;           /* 1: the server fills it from the signed-in
                                   account; required only when
                                   form_context.require_requester is set */
    int multiple;               /* 1: several values (instances) */
    size_t max_length;          /* strings: most characters (code points)
                                   allowed; 0 otherwise */
    int min, max;               /* FORM_VALUE_INT: allowed range */
    const char *default_value;  /* as JSON would spell it ("true", "add"), or
                                   NULL for ""/false/0 */
    const form_choice *choices; /* allowed values, or NULL */
    size_t nchoices;
    int choices_open;    /* 1: choices are only suggestions (a datalist) */
    int choices_dynamic; /* 1: web/ fills choices from the organisation
                            (instances, project managers) */
    size_t offset;       /* where the value lives in form_request,
                            form_item or form_column (for forms/ itself) */
} form_field;

/* A titled part of the form. Request fields are in "about"; item fields,
 * then column fields, in "changes". */
typedef struct form_section {
    const char *id;    /* "about", "changes" */
    const char *title; /* "About this request", "Changes" */
    const char *help;
    const form_field *fields; /* borrowed, static */
    size_t nfields;
} form_section;

/* The sections in display order; *n is set to their number. Static. */
const form_section *form_def_sections(size_t *n);
/* Every field, request fields first, then item, then column fields. */
const form_field *form_def_fields(size_t *n);
/* The field of a path, template or concrete: "title", "items[].table",
 * "items[3].columns[12].name". NULL when there is no such field. */
const form_field *form_def_field(const char *path);
/* The field with JSON key key at level, or NULL. key need not be
 * NUL-terminated: keylen bytes are compared. */
const form_field *form_def_field_key(form_level level, const char *key,
                                     size_t keylen);
/* 1 when value is one of f's choices (always 1 when f has none or its
 * choices are open or dynamic). */
int form_def_choice_valid(const form_field *f, const char *value);
/* The label of value among f's choices, or NULL. */
const char *form_def_choice_label(const form_field *f, const char *value);
/* Item kinds with labels and help, in form_item_kind order. */
const form_choice *form_def_kinds(size_t *n);
const char *form_def_kind_help(form_item_kind k);
/* Words of the input types: "text", "textarea", "email", ... */
const char *form_input_name(form_input in);
const char *form_value_name(form_value v);

/* The description served at GET /api/v1/form: {"version", "limits",
 * "kinds", "sections": [{"id", "title", "help", "fields": [{"name",
 * "key", "level", "label", "help", "input", "value", "required", ...}]}]}.
 * Caller owns the result (cJSON_Delete). */
cJSON *form_def_to_json(void);

#endif
