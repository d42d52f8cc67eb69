/* def.c: the form definition table (see def.h). The same table drives
 * parse.c (keys, value kinds, offsets), validate.c (requirements, lengths,
 * choices) and web/ (labels, help, controls). */
#include "def.h"
#include "form_int.h"
#include "validate.h"
#include "str.h"

#include <stddef.h>
#include <string.h>

#define NCH(a) (sizeof(a) / sizeof((a)[0]))
#define ALL    FORM_KINDS_ALL
#define FEED   FORM_KINDS_FEED
#define ATTR   FORM_KINDS_ATTRIBUTE
#define NEWT   FORM_KIND_BIT(FORM_ITEM_NEW_TABLE)
#define ADDC   FORM_KIND_BIT(FORM_ITEM_ADD_COLUMNS)

static const form_choice kind_choices[] = {
    {"new_table", "New table"},
    {"add_columns", "Add columns to an existing table"},
    {"customer_attributes", "Customer attributes"},
    {"activity_history", "Activity history"},
    {"purchase_history", "Purchase history"}};

static const char *const kind_help[FORM_ITEM_NKINDS] = {
    "A table that does not exist yet, usually fed by a daily file.",
    "New columns on a table that already exists.",
    "Add, change or retire attributes of the customer profile.",
    "Add, change or retire fields of the activity history (opens, clicks, "
    "visits).",
    "Add, change or retire fields of the purchase history (orders, "
    "returns)."};

static const form_choice source_choices[] = {
    {"snowflake_share", "Snowflake share"},
    {"flat_file_csv", "Flat file (CSV)"},
    {"json", "JSON"},
    {"parquet", "Parquet"},
    {"database", "Database"},
    {"api", "API"}};

static const form_choice cadence_choices[] = {{"daily", "Daily"},
                                              {"hourly", "Hourly"},
                                              {"weekly", "Weekly"},
                                              {"monthly", "Monthly"},
                                              {"ad_hoc", "Ad hoc"}};

static const form_choice dependency_choices[] = {
    {"required", "Required: hold campaigns if the file is missing"},
    {"optional", "Optional: campaigns may run without it"}};

static const form_choice channel_choices[] = {{"email", "E-mail"},
                                              {"sms", "SMS"},
                                              {"push", "Push"},
                                              {"direct_mail", "Direct mail"}};

static const form_choice action_choices[] = {
    {"add", "Add"}, {"change", "Change"}, {"retire", "Retire"}};

static const form_choice yesno_choices[] = {{"yes", "Yes"}, {"no", "No"}};

static const form_choice type_choices[] = {
    {"string(255)", "string(n): text of at most n characters"},
    {"text", "text: long text"},
    {"integer", "integer: whole number up to about 2 billion"},
    {"bigint", "bigint: large whole number"},
    {"decimal(12,2)", "decimal(p,s): exact number, p digits, s after the "
                      "point"},
    {"boolean", "boolean: true or false"},
    {"date", "date"},
    {"timestamp", "timestamp: date and time (UTC)"},
    {"timestamp with time zone", "timestamp with time zone"},
    {"json", "json"}};

#define REQ(f) offsetof(form_request, f)
#define ITM(f) offsetof(form_item, f)
#define COL(f) offsetof(form_column, f)

/* Order matters: request fields, then item fields, then column fields (the
 * sections point into this array). */
static const form_field fields[] = {
    /* About this request */
    {.name = "organisation",
     .key = "organisation",
     .level = FORM_LEVEL_REQUEST,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_TEXT,
     .label = "Organisation",
     .missing = "Choose whom the request is for.",
     .help = "Your organisation; filled in from your account.",
     .required = 1,
     .from_account = 1,
     .max_length = FORM_MAX_SHORT,
     .offset = REQ(organisation)},
    {.name = "instance",
     .key = "instance",
     .level = FORM_LEVEL_REQUEST,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_SELECT,
     .label = "Main instance",
     .missing = "Choose the instance this request is mainly about.",
     .help = "The instance this request is mainly about, usually "
             "production.",
     .required = 1,
     .max_length = FORM_MAX_SHORT,
     .choices_dynamic = 1,
     .offset = REQ(instance)},
    {.name = "instances",
     .key = "instances",
     .level = FORM_LEVEL_REQUEST,
     .value = FORM_VALUE_STRINGS,
     .input = FORM_INPUT_CHECKBOX,
     .label = "Instances",
     .help = "Every instance the change applies to, including the main "
             "one (QA first, then production).",
     .multiple = 1,
     .max_length = FORM_MAX_SHORT,
     .choices_dynamic = 1,
     .offset = REQ(instances)},
    {.name = "project_manager",
     .key = "project_manager",
     .level = FORM_LEVEL_REQUEST,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_SELECT,
     .label = "Project manager",
     .missing = "Choose who plans this request into a sprint.",
     .help = "The project manager who plans this request into a sprint.",
     .required = 1,
     .max_length = FORM_MAX_SHORT,
     .choices_dynamic = 1,
     .offset = REQ(project_manager)},
    {.name = "requester_name",
     .key = "requester_name",
     .level = FORM_LEVEL_REQUEST,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_TEXT,
     .label = "Your name",
     .missing = "Enter the name of the person asking.",
     .help = "Filled in from your account.",
     .required = 1,
     .from_account = 1,
     .max_length = FORM_MAX_SHORT,
     .offset = REQ(requester_name)},
    {.name = "requester_email",
     .key = "requester_email",
     .level = FORM_LEVEL_REQUEST,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_EMAIL,
     .label = "Your e-mail",
     .missing = "Enter an address we can write to.",
     .help = "We write to this address when the request changes.",
     .required = 1,
     .from_account = 1,
     .max_length = FORM_MAX_SHORT,
     .offset = REQ(requester_email)},
    {.name = "title",
     .key = "title",
     .level = FORM_LEVEL_REQUEST,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_TEXT,
     .label = "Title",
     .missing = "Give the request a short name.",
     .help = "A short name for the change.",
     .placeholder = "Loyalty tiers",
     .required = 1,
     .max_length = FORM_MAX_SHORT,
     .offset = REQ(title)},
    {.name = "summary",
     .key = "summary",
     .level = FORM_LEVEL_REQUEST,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_TEXTAREA,
     .label = "Summary",
     .missing = "Say what changes and why.",
     .help = "What changes and why, for whoever reads this in a year. "
             "Markdown is allowed.",
     .required = 1,
     .max_length = FORM_MAX_TEXT,
     .offset = REQ(summary)},
    {.name = "desired_date",
     .key = "desired_date",
     .level = FORM_LEVEL_REQUEST,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_TEXT, /* typed as the help says: a date input
                                  shows the browser's local format */
     .label = "Wanted by",
     .help = "The date you need this live, if any, as YYYY-MM-DD (year, "
             "month, day), such as 2026-12-08.",
     .placeholder = "2026-12-08",
     .max_length = 10,
     .offset = REQ(desired_date)},
    {.name = "consent_related",
     .key = "consent_related",
     .level = FORM_LEVEL_REQUEST,
     .value = FORM_VALUE_BOOL,
     .input = FORM_INPUT_RADIO,
     .label = "Does this touch consent?",
     .help = "Yes when the change adds or alters opt-in, opt-out or "
             "consent data.",
     .choices = yesno_choices,
     .nchoices = NCH(yesno_choices),
     .offset = REQ(consent_related)},
    {.name = "consent_note",
     .key = "consent_note",
     .level = FORM_LEVEL_REQUEST,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_TEXTAREA,
     .label = "Consent note",
     .missing = "Required when this request is consent-related.",
     .help = "How consent is collected and which campaigns must respect "
             "it.",
     .required_if = "consent_related",
     .max_length = FORM_MAX_TEXT,
     .offset = REQ(consent_note)},

    /* Changes: one item */
    {.name = "items[].kind",
     .key = "kind",
     .level = FORM_LEVEL_ITEM,
     .value = FORM_VALUE_KIND,
     .input = FORM_INPUT_SELECT,
     .label = "Kind of change",
     .missing = "Choose what this change does.",
     .help = "What this item does.",
     .kinds = ALL,
     .kinds_required = ALL,
     .choices = kind_choices,
     .nchoices = NCH(kind_choices),
     .offset = ITM(kind)},
    {.name = "items[].table",
     .key = "table",
     .level = FORM_LEVEL_ITEM,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_TEXT,
     .label = "Table",
     .missing = "Enter its name: letters, digits and underscores.",
     .help = "The table created or changed: letters, digits and _, not "
             "starting with a digit.",
     .placeholder = "loyalty_members",
     .kinds = ALL,
     .kinds_required = ALL,
     .max_length = FORM_MAX_IDENT,
     .offset = ITM(table)},
    {.name = "items[].description",
     .key = "description",
     .level = FORM_LEVEL_ITEM,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_TEXTAREA,
     .label = "Description",
     .missing = "Say what one row means.",
     .help = "What one row of the table means.",
     .placeholder = "One row per loyalty member.",
     .kinds = ALL,
     .kinds_required = NEWT,
     .max_length = FORM_MAX_TEXT,
     .offset = ITM(description)},
    {.name = "items[].primary_key",
     .key = "primary_key",
     .level = FORM_LEVEL_ITEM,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_TEXT,
     .label = "Primary key",
     .help = "The column or columns (comma-separated) that identify a "
             "row.",
     .placeholder = "member_id",
     .kinds = NEWT,
     .max_length = FORM_MAX_SHORT,
     .offset = ITM(primary_key)},
    {.name = "items[].source",
     .key = "source",
     .level = FORM_LEVEL_ITEM,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_SELECT,
     .label = "Source",
     .missing = "Choose how the data arrives.",
     .help = "How the data reaches the platform.",
     .kinds = FEED,
     .kinds_required = NEWT,
     .max_length = FORM_MAX_SHORT,
     .choices = source_choices,
     .nchoices = NCH(source_choices),
     .offset = ITM(source)},
    {.name = "items[].cadence",
     .key = "cadence",
     .level = FORM_LEVEL_ITEM,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_SELECT,
     .label = "Cadence",
     .missing = "Choose how often the data arrives.",
     .help = "How often new data arrives.",
     .kinds = FEED,
     .kinds_required = NEWT,
     .max_length = FORM_MAX_SHORT,
     .choices = cadence_choices,
     .nchoices = NCH(cadence_choices),
     .offset = ITM(cadence)},
    {.name = "items[].expected_arrival",
     .key = "expected_arrival",
     .level = FORM_LEVEL_ITEM,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_TEXT, /* typed as the help says: a time input
                                  shows a 12-hour clock in some locales */
     .label = "Expected arrival (UTC)",
     .help = "When the file or load normally arrives, as HH:MM on a "
             "24-hour clock in UTC, such as 05:00.",
     .placeholder = "05:00",
     .kinds = FEED,
     .max_length = 5,
     .offset = ITM(expected_arrival)},
    {.name = "items[].late_after_minutes",
     .key = "late_after_minutes",
     .level = FORM_LEVEL_ITEM,
     .value = FORM_VALUE_INT,
     .input = FORM_INPUT_NUMBER,
     .label = "Late after (minutes)",
     .help = "How many minutes after the expected arrival it counts as "
             "missing (0 to 10080).",
     .placeholder = "120",
     .kinds = FEED,
     .min = 0,
     .max = FORM_LATE_MAX,
     .offset = ITM(late_after_minutes)},
    {.name = "items[].expected_day",
     .key = "expected_day",
     .level = FORM_LEVEL_ITEM,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_TEXT,
     .label = "Expected day",
     .help = "Weekly data: the weekday it arrives (mon to sun). Monthly "
             "data: the day of the month (1 to 31; a shorter month uses "
             "its last day) or last. Leave it empty for other cadences.",
     .placeholder = "mon",
     .kinds = FEED,
     .max_length = 9,
     .offset = ITM(expected_day)},
    {.name = "items[].anomaly_low_pct",
     .key = "anomaly_low_pct",
     .level = FORM_LEVEL_ITEM,
     .value = FORM_VALUE_INT,
     .input = FORM_INPUT_NUMBER,
     .label = "Row anomaly below (% of usual)",
     .help = "A delivery with fewer rows than this percentage of the "
             "median of the last 14 is an anomaly (1 to 100; empty: 50, "
             "or the table's current setting).",
     .placeholder = "50",
     .kinds = FEED,
     .min = 0,
     .max = 100,
     .offset = ITM(anomaly_low_pct)},
    {.name = "items[].anomaly_high_pct",
     .key = "anomaly_high_pct",
     .level = FORM_LEVEL_ITEM,
     .value = FORM_VALUE_INT,
     .input = FORM_INPUT_NUMBER,
     .label = "Row anomaly above (% of usual)",
     .help = "A delivery with more rows than this percentage of the median "
             "of the last 14 is an anomaly (100 to 100000; empty: 200, or "
             "the table's current setting).",
     .placeholder = "200",
     .kinds = FEED,
     .min = 0,
     .max = FORM_ANOMALY_HIGH_MAX,
     .offset = ITM(anomaly_high_pct)},
    {.name = "items[].file_pattern",
     .key = "file_pattern",
     .level = FORM_LEVEL_ITEM,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_TEXT,
     .label = "File name pattern",
     .help = "The name of each delivery, with YYYYMMDD for the date.",
     .placeholder = "loyalty_members_YYYYMMDD.csv",
     .kinds = FEED,
     .max_length = FORM_MAX_SHORT,
     .offset = ITM(file_pattern)},
    {.name = "items[].campaign_dependency",
     .key = "campaign_dependency",
     .level = FORM_LEVEL_ITEM,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_RADIO,
     .label = "Campaigns and this data",
     .missing = "Choose whether campaigns may run without it.",
     .help = "May campaigns run when today's data is missing?",
     .kinds = FEED,
     .kinds_required = NEWT,
     .max_length = FORM_MAX_SHORT,
     .choices = dependency_choices,
     .nchoices = NCH(dependency_choices),
     .offset = ITM(campaign_dependency)},
    {.name = "items[].campaign_note",
     .key = "campaign_note",
     .level = FORM_LEVEL_ITEM,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_TEXTAREA,
     .label = "Campaign note",
     .help = "Which campaigns depend on it, and what ops should do when "
             "it is late.",
     .kinds = FEED,
     .max_length = FORM_MAX_TEXT,
     .offset = ITM(campaign_note)},
    {.name = "items[].owner",
     .key = "owner",
     .level = FORM_LEVEL_ITEM,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_TEXT,
     .label = "Owner",
     .help = "Who owns the data: a name or an e-mail.",
     .placeholder = "data-team@acme.example",
     .kinds = FEED,
     .max_length = FORM_MAX_SHORT,
     .offset = ITM(owner)},
    {.name = "items[].escalation",
     .key = "escalation",
     .level = FORM_LEVEL_ITEM,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_TEXT,
     .label = "Escalation",
     .help = "Whom ops call when the data is missing: a name, e-mail or "
             "phone number.",
     .kinds = FEED,
     .max_length = FORM_MAX_SHORT,
     .offset = ITM(escalation)},
    {.name = "items[].examples",
     .key = "examples",
     .level = FORM_LEVEL_ITEM,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_TEXTAREA,
     .label = "Example rows",
     .after_columns = 1,
     .help = "A few rows as they will arrive.",
     .kinds = ALL,
     .max_length = FORM_MAX_TEXT,
     .offset = ITM(examples)},
    {.name = "items[].notes",
     .key = "notes",
     .level = FORM_LEVEL_ITEM,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_TEXTAREA,
     .label = "Notes",
     .after_columns = 1,
     .help = "Anything else the team should know.",
     .kinds = ALL,
     .max_length = FORM_MAX_TEXT,
     .offset = ITM(notes)},

    /* Changes: one column row of an item */
    {.name = "items[].columns[].name",
     .key = "name",
     .level = FORM_LEVEL_COLUMN,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_TEXT,
     .label = "Column",
     .missing = "Enter its name: letters, digits and underscores.",
     .help = "Letters, digits and _, not starting with a digit. A reserved "
             "SQL word works (it is quoted), but every query must quote it.",
     .placeholder = "member_id",
     .kinds = ALL,
     .kinds_required = ALL,
     .max_length = FORM_MAX_IDENT,
     .offset = COL(name)},
    {.name = "items[].columns[].type",
     .key = "type",
     .level = FORM_LEVEL_COLUMN,
     .value = FORM_VALUE_TYPE,
     .input = FORM_INPUT_TEXT,
     .label = "Type",
     .missing = "Enter one, such as string(50).",
     .help = "string(n), text, integer, bigint, decimal(p,s), boolean, "
             "date, timestamp, timestamp with time zone or json.",
     .placeholder = "string(50)",
     .kinds = ALL,
     .kinds_required = NEWT | ADDC,
     .max_length = 64,
     .choices = type_choices,
     .nchoices = NCH(type_choices),
     .choices_open = 1,
     .offset = COL(type)},
    {.name = "items[].columns[].nullable",
     .key = "nullable",
     .level = FORM_LEVEL_COLUMN,
     .value = FORM_VALUE_BOOL,
     .input = FORM_INPUT_CHECKBOX,
     .label = "May be empty",
     .help = "Ticked when a row may come without a value.",
     .kinds = ALL,
     .default_value = "true",
     .offset = COL(nullable)},
    {.name = "items[].columns[].primary_key",
     .key = "primary_key",
     .level = FORM_LEVEL_COLUMN,
     .value = FORM_VALUE_BOOL,
     .input = FORM_INPUT_CHECKBOX,
     .label = "Primary key",
     .help = "Part of the key that identifies a row.",
     .kinds = NEWT,
     .offset = COL(primary_key)},
    {.name = "items[].columns[].description",
     .key = "description",
     .level = FORM_LEVEL_COLUMN,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_TEXTAREA,
     .label = "Description",
     .help = "What the value means.",
     .kinds = ALL,
     .max_length = FORM_MAX_TEXT,
     .offset = COL(description)},
    {.name = "items[].columns[].example",
     .key = "example",
     .level = FORM_LEVEL_COLUMN,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_TEXT,
     .label = "Example",
     .help = "A typical value.",
     .kinds = ALL,
     .max_length = FORM_MAX_SHORT,
     .offset = COL(example)},
    {.name = "items[].columns[].pii",
     .key = "pii",
     .level = FORM_LEVEL_COLUMN,
     .value = FORM_VALUE_BOOL,
     .input = FORM_INPUT_CHECKBOX,
     .label = "Personal data",
     .help = "Ticked when the value identifies or describes a person.",
     .kinds = ALL,
     .offset = COL(pii)},
    {.name = "items[].columns[].consent",
     .key = "consent",
     .level = FORM_LEVEL_COLUMN,
     .value = FORM_VALUE_BOOL,
     .input = FORM_INPUT_CHECKBOX,
     .label = "Consent",
     .help = "Ticked when the column holds consent, opt-in or opt-out "
             "state.",
     .kinds = ALL,
     .offset = COL(consent)},
    {.name = "items[].columns[].consent_channel",
     .key = "consent_channel",
     .level = FORM_LEVEL_COLUMN,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_SELECT,
     .label = "Consent channel",
     .missing = "Choose the channel the consent is for.",
     .help = "The channel the consent is for.",
     .kinds = ALL,
     .required_if = "consent",
     .max_length = FORM_MAX_SHORT,
     .choices = channel_choices,
     .nchoices = NCH(channel_choices),
     .offset = COL(consent_channel)},
    {.name = "items[].columns[].action",
     .key = "action",
     .level = FORM_LEVEL_COLUMN,
     .value = FORM_VALUE_ACTION,
     .input = FORM_INPUT_SELECT,
     .label = "Action",
     .help = "Add a new attribute, change an existing one, or retire it.",
     .kinds = ATTR,
     .default_value = "add",
     .choices = action_choices,
     .nchoices = NCH(action_choices),
     .offset = COL(action)},
    {.name = "items[].columns[].rule",
     .key = "rule",
     .level = FORM_LEVEL_COLUMN,
     .value = FORM_VALUE_STRING,
     .input = FORM_INPUT_TEXTAREA,
     .label = "Rule",
     .help = "How the attribute is defined or calculated.",
     .placeholder = "Sum of purchases over 5 years",
     .kinds = ATTR,
     .max_length = FORM_MAX_TEXT,
     .offset = COL(rule)},
};

#define NFIELDS  NCH(fields)
#define NREQUEST 11

static const form_section sections[] = {
    {"about", "About this request",
     "Who asks, for which instances, and whether consent is involved.", fields,
     NREQUEST},
    {"changes", "Changes",
     "One item per table created or changed, each with its columns.",
     fields + NREQUEST, NFIELDS - NREQUEST},
};

const form_section *form_def_sections(size_t *n)
{
    *n = NCH(sections);
    return sections;
}

const form_field *form_def_fields(size_t *n)
{
    *n = NFIELDS;
    return fields;
}

size_t form_def_index(const form_field *f)
{
    return (size_t)(f - fields);
}

const form_field *form_def_field_key(form_level level, const char *key,
                                     size_t keylen)
{
    for (size_t i = 0; i < NFIELDS; i++)
        if (fields[i].level == level && strlen(fields[i].key) == keylen &&
            !memcmp(fields[i].key, key, keylen))
            return &fields[i];
    return NULL;
}

const form_field *form_def_field(const char *path)
{
    form_path p;

    if (form_path_parse(&p, path, strlen(path), SIZE_MAX, SIZE_MAX) < 0)
        return NULL;
    return p.field;
}

int form_def_choice_valid(const form_field *f, const char *value)
{
    if (!f->choices || f->choices_open || f->choices_dynamic)
        return 1;
    return form_def_choice_label(f, value) != NULL;
}

const char *form_def_choice_label(const form_field *f, const char *value)
{
    for (size_t i = 0; i < f->nchoices; i++)
        if (value && !strcmp(f->choices[i].value, value))
            return f->choices[i].label;
    return NULL;
}

const form_choice *form_def_kinds(size_t *n)
{
    *n = NCH(kind_choices);
    return kind_choices;
}

const char *form_def_kind_help(form_item_kind k)
{
    return (unsigned)k < FORM_ITEM_NKINDS ? kind_help[k] : "";
}

const char *form_input_name(form_input in)
{
    static const char *const names[] = {"text",   "textarea", "email",
                                        "select", "checkbox", "radio",
                                        "date",   "time",     "number"};
    return (unsigned)in < NCH(names) ? names[in] : "text";
}

const char *form_value_name(form_value v)
{
    static const char *const names[] = {
        "string", "boolean", "integer", "strings", "kind", "type", "action"};
    return (unsigned)v < NCH(names) ? names[v] : "string";
}

static cJSON *kinds_json(unsigned mask)
{
    cJSON *a = cJSON_CreateArray();

    for (int k = 0; k < FORM_ITEM_NKINDS; k++)
        if (mask & FORM_KIND_BIT(k))
            cJSON_AddItemToArray(
                a, cJSON_CreateString(form_item_kind_name((form_item_kind)k)));
    return a;
}

/* {"value": ..., "label": ...} */
static cJSON *choice_json(const form_choice *c)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "value", c->value);
    cJSON_AddStringToObject(o, "label", c->label);
    return o;
}

static cJSON *field_json(const form_field *f)
{
    static const char *const levels[] = {"request", "item", "column"};
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "name", f->name);
    cJSON_AddStringToObject(o, "key", f->key);
    cJSON_AddStringToObject(o, "level", levels[f->level]);
    cJSON_AddStringToObject(o, "label", f->label);
    cJSON_AddStringToObject(o, "help", f->help ? f->help : "");
    cJSON_AddStringToObject(o, "input", form_input_name(f->input));
    cJSON_AddStringToObject(o, "value", form_value_name(f->value));
    if (f->placeholder)
        cJSON_AddStringToObject(o, "placeholder", f->placeholder);
    cJSON_AddBoolToObject(o, "required",
                          f->level == FORM_LEVEL_REQUEST
                              ? f->required != 0
                              : f->kinds_required == f->kinds);
    if (f->level != FORM_LEVEL_REQUEST) {
        cJSON_AddItemToObject(o, "kinds", kinds_json(f->kinds));
        cJSON_AddItemToObject(o, "required_for_kinds",
                              kinds_json(f->kinds_required));
    }
    if (f->required_if)
        cJSON_AddStringToObject(o, "required_if", f->required_if);
    if (f->from_account)
        cJSON_AddBoolToObject(o, "from_account", 1);
    if (f->multiple)
        cJSON_AddBoolToObject(o, "multiple", 1);
    if (f->max_length)
        cJSON_AddNumberToObject(o, "max_length", (double)f->max_length);
    if (f->value == FORM_VALUE_INT) {
        cJSON_AddNumberToObject(o, "min", f->min);
        cJSON_AddNumberToObject(o, "max", f->max);
    }
    if (f->default_value)
        cJSON_AddStringToObject(o, "default", f->default_value);
    if (f->choices) {
        cJSON *a = cJSON_AddArrayToObject(o, "choices");
        for (size_t i = 0; i < f->nchoices; i++)
            cJSON_AddItemToArray(a, choice_json(&f->choices[i]));
        if (f->choices_open)
            cJSON_AddBoolToObject(o, "choices_open", 1);
    }
    if (f->choices_dynamic)
        cJSON_AddBoolToObject(o, "choices_dynamic", 1);
    return o;
}

/* The limits the definition publishes, by their JSON key. */
static const struct {
    const char *key;
    double value;
} limits[] = {
    {"max_items", FORM_MAX_ITEMS},
    {"max_columns", FORM_MAX_COLUMNS},
    {"max_ident", FORM_MAX_IDENT},
    {"max_attachments", FORM_MAX_ATTACHMENTS},
    {"max_attachment_bytes", FORM_MAX_ATTACHMENT},
    {"max_short", FORM_MAX_SHORT},
    {"max_text", FORM_MAX_TEXT},
    {"max_instances", FORM_MAX_INSTANCES},
    {"late_after_minutes_max", FORM_LATE_MAX},
};

cJSON *form_def_to_json(void)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *lim = cJSON_AddObjectToObject(root, "limits");
    cJSON *kinds = cJSON_AddArrayToObject(root, "kinds");
    cJSON *secs = cJSON_AddArrayToObject(root, "sections");

    cJSON_AddNumberToObject(root, "version", 1);
    for (size_t i = 0; i < NCH(limits); i++)
        cJSON_AddNumberToObject(lim, limits[i].key, limits[i].value);
    for (int k = 0; k < FORM_ITEM_NKINDS; k++) {
        cJSON *c = choice_json(&kind_choices[k]);
        cJSON_AddStringToObject(c, "help", kind_help[k]);
        cJSON_AddItemToArray(kinds, c);
    }
    for (size_t s = 0; s < NCH(sections); s++) {
        cJSON *o = cJSON_CreateObject();
        cJSON *fa;
        cJSON_AddStringToObject(o, "id", sections[s].id);
        cJSON_AddStringToObject(o, "title", sections[s].title);
        cJSON_AddStringToObject(o, "help", sections[s].help);
        fa = cJSON_AddArrayToObject(o, "fields");
        for (size_t i = 0; i < sections[s].nfields; i++)
            cJSON_AddItemToArray(fa, field_json(&sections[s].fields[i]));
        cJSON_AddItemToArray(secs, o);
    }
    return root;
}
