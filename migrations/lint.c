/* lint.c: the request-wide lint rules (names, PII, consent, campaign
 * dependency, tool placeholders) and the judgement whether a type change
 * may lose data. Warnings found while writing statements (NOT NULL, MySQL
 * limits, manual changes) are raised in plan.c where the facts are. */
#include "migrate.h"
#include "migrate_int.h"
#include "str.h"
#include "validate.h"

#include <stdio.h>
#include <string.h>

static const char *lint_names[MIGRATE_NLINTS] = {
    "not-null-without-default",
    "lossy-type-change",
    "old-type-unknown",
    "name-too-long",
    "reserved-word",
    "pii-without-description",
    "consent-not-flagged",
    "campaign-required-without-arrival",
    "comment-truncated",
    "manual-type-change",
    "mysql-modify-restates-column",
    "placeholder-syntax",
    "primary-key",
    "attribute-without-type",
    "name-refused-by-dialect",
};

const char *migrate_lint_name(migrate_lint rule)
{
    return (unsigned)rule < MIGRATE_NLINTS ? lint_names[rule] : "unknown";
}

static int is_text(form_type_kind k)
{
    return k == FORM_TYPE_STRING || k == FORM_TYPE_TEXT || k == FORM_TYPE_JSON;
}

static int is_number(form_type_kind k)
{
    return k == FORM_TYPE_INTEGER || k == FORM_TYPE_BIGINT ||
           k == FORM_TYPE_DECIMAL;
}

static int is_time(form_type_kind k)
{
    return k == FORM_TYPE_DATE || k == FORM_TYPE_TIMESTAMP ||
           k == FORM_TYPE_TIMESTAMPTZ;
}

/* Digits before the point a number type holds. */
static int int_digits(const form_type *t)
{
    switch (t->kind) {
    case FORM_TYPE_INTEGER: return 10;
    case FORM_TYPE_BIGINT: return 19;
    case FORM_TYPE_DECIMAL: return t->precision - t->scale;
    default: return 0;
    }
}

static int scale_of(const form_type *t)
{
    return t->kind == FORM_TYPE_DECIMAL ? t->scale : 0;
}

/* Characters needed to write any value of t as text; 0 when unbounded. */
static int text_width(const form_type *t)
{
    switch (t->kind) {
    case FORM_TYPE_STRING: return t->length;
    case FORM_TYPE_INTEGER: return 11;
    case FORM_TYPE_BIGINT: return 20;
    case FORM_TYPE_DECIMAL: return t->precision + (t->scale ? 2 : 1);
    case FORM_TYPE_BOOLEAN: return 5;
    case FORM_TYPE_DATE: return 10;
    case FORM_TYPE_TIMESTAMP: return 26;
    case FORM_TYPE_TIMESTAMPTZ: return 32;
    default: return 0;
    }
}

/* The lossy changes to a string(n) column. */
static int lossy_to_string(char *why, size_t size, const form_type *from,
                           const form_type *to)
{
    form_type_kind f = from->kind;
    int w = text_width(from);

    if (f == FORM_TYPE_STRING && w > to->length) {
        snprintf(why, size, "the length shrinks from %d to %d", w, to->length);
        return 1;
    }
    if (f == FORM_TYPE_TEXT || f == FORM_TYPE_JSON) {
        snprintf(why, size, "text longer than %d characters is cut or rejected",
                 to->length);
        return 1;
    }
    if (w > to->length) {
        snprintf(why, size, "values need up to %d characters", w);
        return 1;
    }
    return 0;
}

/* The lossy changes to a number column. */
static int lossy_to_number(char *why, size_t size, const form_type *from,
                           const form_type *to)
{
    form_type_kind f = from->kind;

    if (is_text(f)) {
        snprintf(why, size, "text that is not a number is rejected");
        return 1;
    }
    if (is_time(f)) {
        snprintf(why, size, "dates and times are not numbers");
        return 1;
    }
    if (!is_number(f))
        return 0; /* boolean -> number keeps 0 and 1 */
    if (scale_of(to) < scale_of(from)) {
        snprintf(why, size, "digits after the point go from %d to %d (rounded)",
                 scale_of(from), scale_of(to));
        return 1;
    }
    if (int_digits(to) < int_digits(from)) {
        snprintf(why, size,
                 "digits before the point go from %d to %d (overflow)",
                 int_digits(from), int_digits(to));
        return 1;
    }
    return 0;
}

/* The lossy changes to a date or time column. */
static int lossy_to_time(char *why, size_t size, form_type_kind f,
                         form_type_kind t)
{
    if (is_text(f)) {
        snprintf(why, size, "text that is not a date or time is rejected");
        return 1;
    }
    if (!is_time(f)) {
        snprintf(why, size, "%s values are not dates or times",
                 f == FORM_TYPE_BOOLEAN ? "boolean" : "number");
        return 1;
    }
    if (t == FORM_TYPE_DATE && f != FORM_TYPE_DATE) {
        snprintf(why, size, "the time of day is lost");
        return 1;
    }
    if (t == FORM_TYPE_TIMESTAMP && f == FORM_TYPE_TIMESTAMPTZ) {
        snprintf(why, size, "the time zone is lost");
        return 1;
    }
    if (t == FORM_TYPE_TIMESTAMPTZ && f == FORM_TYPE_TIMESTAMP) {
        snprintf(why, size,
                 "values without a zone are read in the session's time zone");
        return 1;
    }
    return 0;
}

int mig_type_lossy(char *why, size_t size, const form_type *from,
                   const form_type *to)
{
    form_type_kind f = from->kind, t = to->kind;

    if (f == FORM_TYPE_NONE || t == FORM_TYPE_NONE || t == FORM_TYPE_TEXT)
        return 0;
    if (t == FORM_TYPE_BOOLEAN) {
        if (f == FORM_TYPE_BOOLEAN)
            return 0;
        snprintf(why, size,
                 "values other than true and false are lost or "
                 "rejected");
        return 1;
    }
    if (t == FORM_TYPE_STRING)
        return lossy_to_string(why, size, from, to);
    if (is_number(t))
        return lossy_to_number(why, size, from, to);
    if (is_time(t))
        return lossy_to_time(why, size, f, t);
    if (t == FORM_TYPE_JSON && (f == FORM_TYPE_STRING || f == FORM_TYPE_TEXT)) {
        snprintf(why, size, "text that is not valid JSON is rejected");
        return 1;
    }
    return 0;
}

static void lint_name(mig_plan *p, int item, int column, const char *what,
                      const char *name)
{
    size_t limit = migrate_name_limit(p->d);
    size_t len = mig_name_length(p->d, name);
    const char *word = sql_reserved(p->d, name);
    const char *why = sql_unusable(p->d, name, column >= 0);
    char sug[160];

    if (limit && len > limit)
        mig_warn(p, MIGRATE_LINT_NAME_TOO_LONG, item, column,
                 "%s name \"%.80s%s\" has %zu %s; %s allows %zu", what, name,
                 strlen(name) > 80 ? "..." : "", len,
                 p->d == SQL_POSTGRES ? "bytes" : "characters",
                 sql_dialect_title(p->d), limit);
    if (!word && !why)
        return;
    form_ident_suggest(sug, sizeof sug, name);
    if (why)
        mig_warn(p, MIGRATE_LINT_UNUSABLE_NAME, item, column,
                 "%s name \"%.60s\" %s: %s refuses it even quoted, so this "
                 "migration fails there; rename it (e.g. %s)",
                 what, name, why, sql_dialect_title(p->d), sug);
    else
        mig_warn(p, MIGRATE_LINT_RESERVED_WORD, item, column,
                 "%s name \"%s\" is a reserved word in %s: it is quoted "
                 "here, and every query must quote it too (or name it %s)",
                 what, name, sql_dialect_title(p->d), sug);
}

/* Flyway replaces ${name} in scripts (and fails on unknown names);
 * Liquibase substitutes changelog properties the same way. */
static int placeholder_in(const char *s)
{
    return s && strstr(s, "${") != NULL;
}

static void lint_placeholders(mig_plan *p, const form_request *r)
{
    const char *tool = p->f == MIGRATE_FLYWAY ? "Flyway" : "Liquibase";
    const char *hint = p->f == MIGRATE_FLYWAY
                           ? "set placeholderReplacement=false or edit the "
                             "text"
                           : "edit the text or make sure no such property "
                             "exists";

    if (p->f != MIGRATE_FLYWAY && p->f != MIGRATE_LIQUIBASE)
        return;
    if (placeholder_in(r->title) || placeholder_in(r->requester_name) ||
        placeholder_in(r->requester_email) ||
        placeholder_in(r->project_manager) || placeholder_in(r->consent_note) ||
        placeholder_in(r->instance)) {
        mig_warn(p, MIGRATE_LINT_PLACEHOLDER, -1, -1,
                 "the request's text contains \"${\", which %s reads as a "
                 "placeholder: %s",
                 tool, hint);
    }
    for (size_t i = 0; i < r->nitems; i++) {
        const form_item *it = &r->items[i];
        if (placeholder_in(it->description) ||
            placeholder_in(it->campaign_note))
            mig_warn(p, MIGRATE_LINT_PLACEHOLDER, (int)i, -1,
                     "the item's text contains \"${\", which %s reads as a "
                     "placeholder: %s",
                     tool, hint);
        for (size_t j = 0; j < it->ncolumns; j++) {
            const form_column *c = &it->columns[j];
            if (placeholder_in(c->description) || placeholder_in(c->rule) ||
                placeholder_in(c->example) ||
                placeholder_in(c->consent_channel))
                mig_warn(p, MIGRATE_LINT_PLACEHOLDER, (int)i, (int)j,
                         "the text of \"%s\" contains \"${\", which %s "
                         "reads as a placeholder: %s",
                         c->name, tool, hint);
        }
    }
}

void mig_lint_request(mig_plan *p, const form_request *r)
{
    lint_placeholders(p, r);
    for (size_t i = 0; i < r->nitems; i++) {
        const form_item *it = &r->items[i];
        int item = (int)i;

        lint_name(p, item, -1, "table", it->table);
        if (it->campaign_dependency &&
            !strcmp(it->campaign_dependency, "required") &&
            !(it->expected_arrival && *it->expected_arrival))
            mig_warn(p, MIGRATE_LINT_CAMPAIGN_NO_ARRIVAL, item, -1,
                     "campaigns wait for \"%s\" (required), but no expected "
                     "arrival time is given: ops cannot tell when it is "
                     "late",
                     it->table);
        for (size_t j = 0; j < it->ncolumns; j++) {
            const form_column *c = &it->columns[j];
            int col = (int)j;

            lint_name(p, item, col, "column", c->name);
            if (c->action == FORM_ACTION_RETIRE)
                continue;
            if (c->pii && !(c->description && *c->description))
                mig_warn(p, MIGRATE_LINT_PII_NO_DESCRIPTION, item, col,
                         "\"%s\" holds personal data (PII) but has no "
                         "description",
                         c->name);
            if (c->consent && !r->consent_related)
                mig_warn(p, MIGRATE_LINT_CONSENT_NOT_FLAGGED, item, col,
                         "\"%s\" holds consent state, but the request is "
                         "not marked consent-related",
                         c->name);
        }
    }
}
