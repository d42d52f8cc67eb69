/* form.c: life cycle of the request structs, names of kinds, actions and
 * types, and the error list (see form.h). Parsing is in parse.c, the
 * definition in def.c, validation in validate.c, CSV inference in
 * infer.c. */
#include "form.h"
#include "mem.h"
#include "str.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void form_errors_add(form_errors *fe, const char *field, const char *fmt, ...)
{
    va_list ap;
    form_error *e;

    xgrow(&fe->errs, &fe->cap, fe->n + 1, sizeof *fe->errs);
    e = &fe->errs[fe->n++];
    str_copy(e->field, sizeof e->field, field);
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
}

void form_errors_dispose(form_errors *fe)
{
    free(fe->errs);
    memset(fe, 0, sizeof *fe);
}

const char *form_errors_get(const form_errors *fe, const char *field)
{
    for (size_t i = 0; i < fe->n; i++)
        if (!strcmp(fe->errs[i].field, field))
            return fe->errs[i].message;
    return NULL;
}

void form_column_dispose(form_column *c)
{
    if (!c)
        return;
    xfree_all(c->name, c->description, c->example, c->consent_channel, c->rule);
    memset(c, 0, sizeof *c);
}

void form_item_dispose(form_item *it)
{
    if (!it)
        return;
    for (size_t i = 0; i < it->ncolumns; i++)
        form_column_dispose(&it->columns[i]);
    xfree_all(it->table, it->description, it->primary_key, it->source,
              it->cadence, it->expected_arrival, it->expected_day,
              it->file_pattern, it->campaign_dependency, it->campaign_note,
              it->owner, it->escalation, it->columns, it->examples, it->notes);
    memset(it, 0, sizeof *it);
}

void form_request_dispose(form_request *r)
{
    if (!r)
        return;
    xfree_strv(r->instances, r->ninstances);
    for (size_t i = 0; i < r->nitems; i++)
        form_item_dispose(&r->items[i]);
    for (size_t i = 0; i < r->nattachments; i++)
        xfree_all(r->attachments[i].filename, r->attachments[i].content_type);
    xfree_all(r->organisation, r->instance, r->project_manager,
              r->requester_name, r->requester_email, r->title, r->summary,
              r->consent_note, r->desired_date, r->items, r->attachments,
              r->status);
    memset(r, 0, sizeof *r);
}

static const char *kind_names[FORM_ITEM_NKINDS] = {
    "new_table", "add_columns", "customer_attributes", "activity_history",
    "purchase_history"};

const char *form_item_kind_name(form_item_kind k)
{
    return (unsigned)k < FORM_ITEM_NKINDS ? kind_names[k] : "unknown";
}

int form_item_kind_parse(form_item_kind *out, const char *s)
{
    for (int i = 0; i < FORM_ITEM_NKINDS; i++)
        if (s && !strcmp(s, kind_names[i])) {
            *out = (form_item_kind)i;
            return 0;
        }
    return ERR_INVALID;
}

static const char *action_names[] = {"add", "change", "retire"};

const char *form_action_name(form_action a)
{
    return (unsigned)a < 3 ? action_names[a] : "unknown";
}

int form_action_parse(form_action *out, const char *s)
{
    for (int i = 0; i < 3; i++)
        if (s && !strcmp(s, action_names[i])) {
            *out = (form_action)i;
            return 0;
        }
    return ERR_INVALID;
}

void form_type_format(char *out, size_t size, const form_type *t)
{
    switch (t->kind) {
    case FORM_TYPE_STRING: snprintf(out, size, "string(%d)", t->length); break;
    case FORM_TYPE_TEXT: snprintf(out, size, "text"); break;
    case FORM_TYPE_INTEGER: snprintf(out, size, "integer"); break;
    case FORM_TYPE_BIGINT: snprintf(out, size, "bigint"); break;
    case FORM_TYPE_DECIMAL:
        snprintf(out, size, "decimal(%d,%d)", t->precision, t->scale);
        break;
    case FORM_TYPE_BOOLEAN: snprintf(out, size, "boolean"); break;
    case FORM_TYPE_DATE: snprintf(out, size, "date"); break;
    case FORM_TYPE_TIMESTAMP: snprintf(out, size, "timestamp"); break;
    case FORM_TYPE_TIMESTAMPTZ:
        snprintf(out, size, "timestamp with time zone");
        break;
    case FORM_TYPE_JSON: snprintf(out, size, "json"); break;
    default: snprintf(out, size, "%s", ""); break;
    }
}

/* One integer of a type's parameters at *p (spaces around it, an optional
 * sign); values beyond +-999999 are clamped to +-1000000, which every range
 * check refuses (sscanf's %d had undefined behaviour on overflow). */
static int param_int(const char **p, int *out)
{
    const char *s = *p;
    int neg = 0, v = 0, digits = 0;

    while (*s == ' ')
        s++;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    for (; *s >= '0' && *s <= '9'; s++, digits++)
        if (v < 1000000)
            v = v * 10 + (*s - '0');
    if (!digits)
        return -1;
    if (v > 1000000)
        v = 1000000;
    while (*s == ' ')
        s++;
    *out = neg ? -v : v;
    *p = s;
    return 0;
}

/* Parses "(a)" or "(a,b)" after a type name; returns the count read. */
static int parse_params(const char *p, int *a, int *b)
{
    while (*p == ' ')
        p++;
    if (*p != '(')
        return 0;
    p++;
    if (param_int(&p, a) < 0)
        return -1;
    if (*p == ')')
        return p[1] ? -1 : 1;
    if (*p++ != ',' || param_int(&p, b) < 0 || *p != ')' || p[1])
        return -1;
    return 2;
}

int form_type_parse(form_type *out, const char *s, errmsg *err)
{
    char low[64];
    form_type t = {0};
    int a = 0, b = 0, n;
    size_t len;

    if (!s || !*s)
        return err_set(err, ERR_INVALID, "choose a type");
    str_copy(low, sizeof low, s);
    str_lower(low);
    len = strlen(low);
    while (len && low[len - 1] == ' ')
        low[--len] = '\0';
    if (!strcmp(low, "text"))
        t.kind = FORM_TYPE_TEXT;
    else if (!strcmp(low, "integer"))
        t.kind = FORM_TYPE_INTEGER;
    else if (!strcmp(low, "bigint"))
        t.kind = FORM_TYPE_BIGINT;
    else if (!strcmp(low, "boolean"))
        t.kind = FORM_TYPE_BOOLEAN;
    else if (!strcmp(low, "date"))
        t.kind = FORM_TYPE_DATE;
    else if (!strcmp(low, "timestamp"))
        t.kind = FORM_TYPE_TIMESTAMP;
    else if (!strcmp(low, "timestamp with time zone") ||
             !strcmp(low, "timestamptz"))
        t.kind = FORM_TYPE_TIMESTAMPTZ;
    else if (!strcmp(low, "json"))
        t.kind = FORM_TYPE_JSON;
    else if (str_startswith(low, "string")) {
        n = parse_params(low + 6, &a, &b);
        if (n != 1)
            return err_set(err, ERR_INVALID,
                           "string needs a length, such as string(50)");
        if (a < 1 || a > 65535)
            return err_set(err, ERR_INVALID,
                           "string length must be from 1 to 65535");
        t.kind = FORM_TYPE_STRING;
        t.length = a;
    } else if (str_startswith(low, "decimal")) {
        n = parse_params(low + 7, &a, &b);
        if (n == 1)
            b = 0;
        if (n < 1)
            return err_set(err, ERR_INVALID,
                           "decimal needs a precision and scale, such as "
                           "decimal(12,2)");
        if (a < 1 || a > 38)
            return err_set(err, ERR_INVALID,
                           "decimal precision must be from 1 to 38");
        if (b < 0 || b > a)
            return err_set(err, ERR_INVALID,
                           "decimal scale must be from 0 to the precision");
        t.kind = FORM_TYPE_DECIMAL;
        t.precision = a;
        t.scale = b;
    } else {
        return err_set(err, ERR_INVALID,
                       "unknown type \"%.40s\"; use string(n), text, integer, "
                       "bigint, decimal(p,s), boolean, date, timestamp, "
                       "timestamp with time zone or json",
                       s);
    }
    *out = t;
    return 0;
}
