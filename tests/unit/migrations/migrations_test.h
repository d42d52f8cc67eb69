/* migrations_test.h: builders for the change requests the migrations tests use;
 * included by tests/unit/migrations/test_*.c (not a test itself). The
 * representative request (fixture_request) is what the golden files in
 * tests/data/migrations/golden/ pin. */
#ifndef DOCKET_TEST_MIGRATIONS_TEST_H
#define DOCKET_TEST_MIGRATIONS_TEST_H

#include "form.h"
#include "mem.h"
#include "str.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline void fx_set(char **field, const char *value)
{
    free(*field);
    *field = xstrdup(value);
}

/* Appends an item; strings are copied. */
static inline form_item *fx_item(form_request *r, form_item_kind kind,
                                 const char *table)
{
    form_item *it;

    r->items = xrealloc(r->items, (r->nitems + 1) * sizeof *r->items);
    it = &r->items[r->nitems++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->table = xstrdup(table);
    {
        char **empty[] = {&it->description, &it->primary_key,
                          &it->expected_arrival, &it->campaign_dependency,
                          &it->campaign_note};
        for (size_t i = 0; i < sizeof empty / sizeof *empty; i++)
            *empty[i] = xstrdup("");
    }
    return it;
}

/* Appends a column; type and old_type are form spellings ("" for none). */
static inline form_column *fx_col(form_item *it, const char *name,
                                  const char *type, int nullable,
                                  const char *description)
{
    form_column *c;

    it->columns =
        xrealloc(it->columns, (it->ncolumns + 1) * sizeof *it->columns);
    c = &it->columns[it->ncolumns++];
    memset(c, 0, sizeof *c);
    c->name = xstrdup(name);
    if (*type && form_type_parse(&c->type, type, NULL) < 0)
        abort();
    c->nullable = nullable;
    c->description = xstrdup(description);
    c->example = xstrdup("");
    c->consent_channel = xstrdup("");
    c->rule = xstrdup("");
    return c;
}

static inline void fx_old_type(form_column *c, const char *type)
{
    if (form_type_parse(&c->old_type, type, NULL) < 0)
        abort();
}

/* A request with the given id and title and nothing else but people. */
static inline void fx_request_init(form_request *r, int64_t id,
                                   const char *title)
{
    int64_t t = 0;

    memset(r, 0, sizeof *r);
    r->id = id;
    r->title = xstrdup(title);
    r->requester_name = xstrdup("Jane Doe");
    r->requester_email = xstrdup("jane.doe@acme.example");
    r->project_manager = xstrdup("pm@docket.example");
    r->instance = xstrdup("acme_prod");
    r->instances = xcalloc(2, sizeof *r->instances);
    r->instances[0] = xstrdup("acme_qa");
    r->instances[1] = xstrdup("acme_prod");
    r->ninstances = 2;
    r->consent_note = xstrdup("");
    time_parse_iso(&t, "2026-03-03T14:00:00Z");
    r->created_at = t;
}

/* The representative request: every item kind, every type, every action,
 * descriptions with quotes, backslashes and newlines. */
static inline void fixture_request(form_request *r)
{
    form_item *it;
    form_column *c;

    fx_request_init(r, 12, "Add loyalty tier");
    r->consent_related = 1;
    fx_set(&r->consent_note, "Members opted in at sign-up;\nsee the DPA, "
                             "section 4.");

    it = fx_item(r, FORM_ITEM_NEW_TABLE, "loyalty_members");
    fx_set(&it->description, "One row per loyalty member.\nLoaded daily "
                             "from the CRM's \"members\" export.");
    fx_set(&it->campaign_dependency, "required");
    fx_set(&it->expected_arrival, "06:00");
    it->late_after_minutes = 90;
    fx_set(&it->campaign_note, "Hold birthday campaigns when missing.");
    c = fx_col(it, "member_id", "bigint", 0, "Member number from the CRM");
    c->primary_key = 1;
    fx_col(it, "tier", "string(20)", 1, "Bronze, silver or gold");
    c = fx_col(it, "email", "string(320)", 1, "Contact e-mail");
    c->pii = 1;
    c = fx_col(it, "email_opt_in", "boolean", 0,
               "Opted in to e-mail (O'Brien's rule)");
    c->consent = 1;
    fx_set(&c->consent_channel, "email");
    fx_col(it, "points_balance", "decimal(12,2)", 0, "");
    fx_col(it, "joined_on", "date", 1, "");
    fx_col(it, "last_seen", "timestamp", 1, "");
    fx_col(it, "updated_at", "timestamp with time zone", 1, "");
    fx_col(it, "profile", "json", 1, "");
    fx_col(it, "notes", "text", 1, "Free text; path C:\\exports\\members");
    fx_col(it, "visits", "integer", 1, "");

    it = fx_item(r, FORM_ITEM_ADD_COLUMNS, "customers");
    fx_set(&it->campaign_dependency, "optional");
    fx_col(it, "loyalty_tier", "string(20)", 1, "Current tier");
    fx_col(it, "lifetime_value", "decimal(14,2)", 0, "");
    c = fx_col(it, "phone", "string(32)", 1, "");
    c->pii = 1;
    c = fx_col(it, "sms_opt_in", "boolean", 1, "SMS consent");
    c->consent = 1;
    fx_set(&c->consent_channel, "sms");

    it = fx_item(r, FORM_ITEM_CUSTOMER_ATTRIBUTES, "customers");
    c = fx_col(it, "churn_score", "decimal(5,4)", 1, "Churn risk, 0 to 1");
    fx_set(&c->rule, "1 - retention probability from the model;\n"
                     "refreshed weekly");
    fx_set(&c->example, "0.1234");
    c = fx_col(it, "segment", "string(50)", 1, "Marketing segment");
    c->action = FORM_ACTION_CHANGE;
    fx_old_type(c, "string(100)");
    c = fx_col(it, "birth_year", "integer", 1, "");
    c->action = FORM_ACTION_CHANGE;
    c = fx_col(it, "fax", "", 1, "");
    c->action = FORM_ACTION_RETIRE;
    c = fx_col(it, "vip", "", 1, "");
    fx_set(&c->rule, "lifetime_value > 10000");

    it = fx_item(r, FORM_ITEM_PURCHASE_HISTORY, "purchases");
    fx_set(&it->campaign_dependency, "required");
    c = fx_col(it, "amount", "decimal(12,2)", 0, "");
    c->action = FORM_ACTION_CHANGE;
    fx_old_type(c, "decimal(10,2)");

    it = fx_item(r, FORM_ITEM_ACTIVITY_HISTORY, "web_events");
    fx_col(it, "order", "text", 1, "Order reference, if any");
}

/* The descriptions docket keeps in SQLite's CREATE TABLE text (see
 * migrate.h): reads the DDL of one table as SQLite stores it in
 * sqlite_schema.sql and calls fn(ctx, column, text) for the table's
 * description (column "") and each described column, in order. The
 * layout read: comment lines "-- | text" ("-- |" for an empty line) right
 * after the opening line are the table's; a column line ends with
 * " -- text" for the first line of its description, and the comment lines
 * right after it hold the others. */
static inline void fx_sqlite_comments(const char *ddl,
                                      void (*fn)(void *ctx, const char *column,
                                                 const char *text),
                                      void *ctx)
{
    const char *line = strchr(ddl, '\n');
    char owner[256] = "";
    int have = 0, table_part = 1;
    size_t cap = strlen(ddl) + 1, len = 0;
    char *text = xmalloc(cap);

    text[0] = '\0';
    while (line && *line) {
        const char *s, *e, *c;
        line++; /* past the newline */
        e = line + strcspn(line, "\n");
        s = line;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        if (e - s >= 2 && s[0] == '-' && s[1] == '-') {
            /* "-- | text" or "-- |" */
            s += 2;
            if (s < e && *s == ' ')
                s++;
            if (s < e && *s == '|')
                s++;
            if (s < e && *s == ' ')
                s++;
            if (have || table_part) {
                if (have)
                    text[len++] = '\n';
                memcpy(text + len, s, (size_t)(e - s));
                len += (size_t)(e - s);
                text[len] = '\0';
                have = 1;
            }
        } else {
            if (have)
                fn(ctx, owner, text);
            have = 0;
            len = 0;
            text[0] = '\0';
            table_part = 0;
            owner[0] = '\0';
            if (s < e && *s == '"') {
                const char *q = memchr(s + 1, '"', (size_t)(e - s - 1));
                if (q && (size_t)(q - s - 1) < sizeof owner) {
                    memcpy(owner, s + 1, (size_t)(q - s - 1));
                    owner[q - s - 1] = '\0';
                    c = q;
                    while (c + 1 < e && !(c[0] == '-' && c[1] == '-'))
                        c++;
                    if (c + 1 < e) {
                        c += 2;
                        if (c < e && *c == ' ')
                            c++;
                        memcpy(text, c, (size_t)(e - c));
                        len = (size_t)(e - c);
                        text[len] = '\0';
                        have = 1;
                    }
                }
            }
        }
        line = *e ? e : NULL;
    }
    if (have)
        fn(ctx, owner, text);
    free(text);
}

#endif
