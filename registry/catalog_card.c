/* catalog_card.c: a registry table as a typed card (catalog.h) with its
 * rules, columns, history and open requests, and the card as the API's
 * JSON document. The writers of the card for people (HTML, Markdown,
 * terminal, messages) live above registry/; lists, history and open
 * requests are read in catalog_list.c. */
#include "catalog_int.h"
#include "mem.h"
#include "str.h"
#include "validate.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const dep_names[] = {"", "required", "optional"};
static const char *const status_names[] = {"active", "deprecated", "retired"};
#define NDEP    (sizeof dep_names / sizeof *dep_names)
#define NSTATUS (sizeof status_names / sizeof *status_names)

const char *registry_dep_name(registry_dep d)
{
    return (size_t)d < NDEP ? dep_names[d] : "";
}

int registry_dep_parse(registry_dep *out, const char *s)
{
    for (size_t i = 0; i < NDEP; i++) {
        if (!strcmp(cat_nz(s), dep_names[i])) {
            *out = (registry_dep)i;
            return 0;
        }
    }
    return ERR_INVALID;
}

const char *registry_entry_status_name(registry_entry_status s)
{
    return (size_t)s < NSTATUS ? status_names[s] : "";
}

int registry_entry_status_parse(registry_entry_status *out, const char *s)
{
    for (size_t i = 0; i < NSTATUS; i++) {
        if (s && !strcmp(s, status_names[i])) {
            *out = (registry_entry_status)i;
            return 0;
        }
    }
    return ERR_INVALID;
}

int cat_step_done(registry *reg, sqlite3_stmt *st, errmsg *err)
{
    int rc = sqlite3_step(st);

    rc = rc == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    return rc;
}

void cat_table_url(buf *out, const char *base, const char *instance,
                   const char *table)
{
    buf_puts(out, cat_nz(base));
    buf_puts(out, "/tables/");
    buf_append_url(out, cat_nz(instance));
    buf_putc(out, '/');
    buf_append_url(out, cat_nz(table));
}

int registry_instance_org(registry *reg, int64_t *out, const char *instance,
                          errmsg *err)
{
    static const char sql[] = "SELECT org_id FROM instances WHERE name = :name";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int64_t org = 0;
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":name", instance);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        org = sqlite3_column_int64(st, 0);
    rc = rc == SQLITE_ROW ? 0
         : rc == SQLITE_DONE
             ? err_set(err, ERR_NOTFOUND, "no instance named %.100s",
                       cat_nz(instance))
             : reg_db_error(reg, err);
    reg_done(st);
    if (rc == 0)
        *out = org;
    return rc;
}

/* "HH:MM" plus minutes, modulo a day, into out; "" when the arrival time
 * is not set or not a time. */
static void missing_after(char *out, size_t size, const char *arrival, int late)
{
    int m;

    out[0] = '\0';
    if (!form_time_valid(arrival))
        return;
    m = ((arrival[0] - '0') * 10 + (arrival[1] - '0')) * 60 +
        (arrival[3] - '0') * 10 + (arrival[4] - '0');
    m = (m + (late > 0 ? late : 0)) % (24 * 60);
    snprintf(out, size, "%02d:%02d", m / 60, m % 60);
}

static char *col_dup(sqlite3_stmt *st, int col)
{
    return xstrdup(reg_col_text(st, col));
}

/* Text or NULL (SQL NULL), copied. */
static char *col_dup_or_null(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);

    return t ? xstrdup((const char *)t) : NULL;
}

static registry_entry_status col_status(sqlite3_stmt *st, int col)
{
    registry_entry_status s = REGISTRY_ENTRY_ACTIVE;

    /* The schema's CHECK allows only the names of the table. */
    (void)registry_entry_status_parse(&s, reg_col_text(st, col));
    return s;
}

static int table_row(sqlite3_stmt *st, void *ctx)
{
    registry_card *c = ctx;
    registry_card_rules *r = &c->rules;
    buf url = {0};

    c->id = sqlite3_column_int64(st, 0);
    c->org_id = sqlite3_column_int64(st, 1);
    c->instance = col_dup(st, 2);
    c->environment = col_dup(st, 3);
    c->organisation = col_dup(st, 4);
    c->table = col_dup(st, 5);
    c->description = col_dup(st, 6);
    c->kind = col_dup(st, 7);
    c->status = col_status(st, 8);
    /* Only registry_dep names are ever stored (cat_field_normalise). */
    (void)registry_dep_parse(&r->campaign_dependency, reg_col_text(st, 9));
    r->campaign_note = col_dup(st, 10);
    r->expected_arrival = col_dup(st, 11);
    r->late_after_minutes = sqlite3_column_int(st, 12);
    missing_after(r->missing_after, sizeof r->missing_after,
                  r->expected_arrival, r->late_after_minutes);
    r->source = col_dup(st, 13);
    r->cadence = col_dup(st, 14);
    r->file_pattern = col_dup(st, 15);
    r->owner = col_dup(st, 16);
    r->escalation = col_dup(st, 17);
    r->consent_relevant = sqlite3_column_int(st, 18) != 0;
    r->runbook = col_dup(st, 19);
    c->created_at = sqlite3_column_int64(st, 20);
    c->updated_at = sqlite3_column_int64(st, 21);
    c->created_by_request = sqlite3_column_int64(st, 22);
    cat_table_url(&url, NULL, c->instance, c->table);
    c->url = buf_detach(&url);
    return 0;
}

/* A card being read, with the capacities of its arrays. */
typedef struct card_load {
    registry_card *c;
    size_t ccap, hcap;
} card_load;

static int column_row(sqlite3_stmt *st, void *ctx)
{
    card_load *l = ctx;
    registry_card *c = l->c;
    registry_card_column *k;

    xgrow(&c->columns, &l->ccap, c->ncolumns + 1, sizeof *c->columns);
    k = &c->columns[c->ncolumns++];
    k->id = sqlite3_column_int64(st, 0);
    k->name = col_dup(st, 1);
    k->type = col_dup(st, 2);
    k->nullable = sqlite3_column_int(st, 3) != 0;
    k->primary_key = sqlite3_column_int(st, 4) != 0;
    k->description = col_dup(st, 5);
    k->example = col_dup(st, 6);
    k->pii = sqlite3_column_int(st, 7) != 0;
    k->consent = sqlite3_column_int(st, 8) != 0;
    k->consent_channel = col_dup(st, 9);
    k->rule = col_dup(st, 10);
    k->status = col_status(st, 11);
    k->added_at = sqlite3_column_int64(st, 12);
    k->added_by_request = sqlite3_column_int64(st, 13);
    return 0;
}

static int change_row(sqlite3_stmt *st, void *ctx)
{
    card_load *l = ctx;
    registry_card *c = l->c;
    registry_card_change *h;

    xgrow(&c->history, &l->hcap, c->nhistory + 1, sizeof *c->history);
    h = &c->history[c->nhistory++];
    h->id = sqlite3_column_int64(st, 0);
    h->at = sqlite3_column_int64(st, 1);
    h->column = col_dup(st, 2);
    h->field = col_dup(st, 3);
    h->old_value = col_dup_or_null(st, 4);
    h->new_value = col_dup_or_null(st, 5);
    h->request_id = sqlite3_column_int64(st, 6);
    h->user = col_dup(st, 7);
    h->reason = col_dup(st, 8);
    return 0;
}

/* The columns (by position) and the history (newest first) of c->id. */
static int card_lists(registry *reg, registry_card *c, errmsg *err)
{
    static const char sql_c[] =
        "SELECT id, name, type, nullable, primary_key, description, example,"
        " pii, consent, consent_channel, rule, status, created_at,"
        " coalesce(created_by_request, 0)"
        " FROM reg_columns WHERE table_id = :id ORDER BY position, id";
    static const char sql_h[] =
        "SELECT h.id, h.created_at, h.column_name, h.field, h.old_value,"
        " h.new_value, coalesce(h.request_id, 0), coalesce(u.name, ''),"
        " h.reason FROM registry_history h"
        " LEFT JOIN users u ON u.id = h.user_id"
        " WHERE h.table_id = :id ORDER BY h.id DESC LIMIT :lim";
    sqlite3_stmt *st = reg_stmt_get(reg, sql_c, err);
    card_load l = {c, 0, 0};
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":id", c->id);
    rc = reg_each(reg, st, column_row, &l, err);
    if (rc < 0)
        return rc;
    st = reg_stmt_get(reg, sql_h, err);
    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":id", c->id);
    reg_bind_int(st, ":lim", REGISTRY_HISTORY_MAX);
    return reg_each(reg, st, change_row, &l, err);
}

int registry_table_card(registry *reg, registry_card *out, const char *instance,
                        const char *table, int64_t org_id, errmsg *err)
{
    /* The organisation is part of the match: another tenant's table is
       not found by the same path as a missing one. */
    static const char sql[] =
        "SELECT t.id, i.org_id, i.name, i.environment, o.name, t.name,"
        " t.description, t.kind, t.status, t.campaign_dependency,"
        " t.campaign_note, t.expected_arrival, t.late_after_minutes,"
        " t.source, t.cadence, t.file_pattern, t.owner, t.escalation,"
        " t.consent_relevant, t.runbook, t.created_at, t.updated_at,"
        " coalesce(t.created_by_request, 0)"
        " FROM instances i JOIN reg_tables t ON t.instance_id = i.id"
        " JOIN organisations o ON o.id = i.org_id"
        " WHERE i.name = :instance AND t.name = :table"
        " AND (:org = 0 OR i.org_id = :org)";
    registry_card c = {0};
    sqlite3_stmt *st;
    int rc;

    assert(reg && out);
    st = reg_stmt_get(reg, sql, err);
    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":instance", instance);
    reg_bind_text(st, ":table", table);
    reg_bind_int(st, ":org", org_id);
    rc = reg_one(reg, st, table_row, &c, err);
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "no table %.100s in instance %.100s",
                       cat_nz(table), cat_nz(instance));
    if (rc == 0)
        rc = card_lists(reg, &c, err);
    if (rc < 0) {
        registry_card_free(&c);
        return rc;
    }
    *out = c;
    return 0;
}

typedef struct open_ctx {
    registry_card_request *v;
    size_t n, cap;
} open_ctx;

static void open_row(void *ctx, const registry_open_request *r)
{
    open_ctx *o = ctx;
    registry_card_request *q;

    xgrow(&o->v, &o->cap, o->n + 1, sizeof *o->v);
    q = &o->v[o->n++];
    q->id = r->id;
    q->title = xstrdup(r->title);
    q->status = xstrdup(r->status);
    q->kind = xstrdup(r->kind);
    q->updated_at = r->updated_at;
}

static void open_free(registry_card_request *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].title);
        free(v[i].status);
        free(v[i].kind);
    }
    free(v);
}

int registry_card_open_load(registry *reg, registry_card *card, errmsg *err)
{
    open_ctx o = {0};
    int rc;

    assert(card && card->instance && card->table);
    rc = registry_table_open_requests(reg, card->instance, card->table,
                                      card->org_id, open_row, &o, err);
    if (rc < 0) {
        open_free(o.v, o.n);
        return rc;
    }
    open_free(card->open, card->nopen);
    card->open = o.v;
    card->nopen = o.n;
    return 0;
}

static void rules_free(registry_card_rules *r)
{
    free(r->campaign_note);
    free(r->expected_arrival);
    free(r->source);
    free(r->cadence);
    free(r->file_pattern);
    free(r->owner);
    free(r->escalation);
    free(r->runbook);
}

void registry_card_free(registry_card *c)
{
    if (!c)
        return;
    free(c->organisation);
    free(c->instance);
    free(c->environment);
    free(c->table);
    free(c->description);
    free(c->kind);
    free(c->url);
    rules_free(&c->rules);
    for (size_t i = 0; i < c->ncolumns; i++) {
        registry_card_column *k = &c->columns[i];
        free(k->name);
        free(k->type);
        free(k->description);
        free(k->example);
        free(k->consent_channel);
        free(k->rule);
    }
    free(c->columns);
    for (size_t i = 0; i < c->nhistory; i++) {
        registry_card_change *h = &c->history[i];
        free(h->column);
        free(h->field);
        free(h->old_value);
        free(h->new_value);
        free(h->user);
        free(h->reason);
    }
    free(c->history);
    open_free(c->open, c->nopen);
    memset(c, 0, sizeof *c);
}

/* ---- the card as JSON --------------------------------------------------- */

static void add_time(cJSON *o, const char *key, int64_t t)
{
    char s[32];

    time_iso(s, sizeof s, t);
    cJSON_AddStringToObject(o, key, s);
}

static void add_id_or_null(cJSON *o, const char *key, int64_t id)
{
    if (id > 0)
        cJSON_AddNumberToObject(o, key, (double)id);
    else
        cJSON_AddNullToObject(o, key);
}

static void add_text_or_null(cJSON *o, const char *key, const char *s)
{
    if (s)
        cJSON_AddStringToObject(o, key, s);
    else
        cJSON_AddNullToObject(o, key);
}

static void rules_json(cJSON *root, const registry_card_rules *r)
{
    cJSON *o = cJSON_AddObjectToObject(root, "rules");

    cJSON_AddStringToObject(o, "campaign_dependency",
                            registry_dep_name(r->campaign_dependency));
    cJSON_AddStringToObject(o, "campaign_note", r->campaign_note);
    cJSON_AddStringToObject(o, "expected_arrival", r->expected_arrival);
    cJSON_AddNumberToObject(o, "late_after_minutes", r->late_after_minutes);
    cJSON_AddStringToObject(o, "missing_after", r->missing_after);
    cJSON_AddStringToObject(o, "source", r->source);
    cJSON_AddStringToObject(o, "cadence", r->cadence);
    cJSON_AddStringToObject(o, "file_pattern", r->file_pattern);
    cJSON_AddStringToObject(o, "owner", r->owner);
    cJSON_AddStringToObject(o, "escalation", r->escalation);
    cJSON_AddBoolToObject(o, "consent_relevant", r->consent_relevant);
    cJSON_AddStringToObject(o, "runbook", r->runbook);
}

static cJSON *column_json(const registry_card_column *k)
{
    cJSON *c = cJSON_CreateObject();

    cJSON_AddStringToObject(c, "name", k->name);
    cJSON_AddStringToObject(c, "type", k->type);
    cJSON_AddBoolToObject(c, "nullable", k->nullable);
    cJSON_AddBoolToObject(c, "primary_key", k->primary_key);
    cJSON_AddStringToObject(c, "description", k->description);
    cJSON_AddStringToObject(c, "example", k->example);
    cJSON_AddBoolToObject(c, "pii", k->pii);
    cJSON_AddBoolToObject(c, "consent", k->consent);
    cJSON_AddStringToObject(c, "consent_channel", k->consent_channel);
    cJSON_AddStringToObject(c, "rule", k->rule);
    cJSON_AddStringToObject(c, "status", registry_entry_status_name(k->status));
    add_time(c, "added_at", k->added_at);
    add_id_or_null(c, "added_by_request", k->added_by_request);
    return c;
}

static cJSON *change_json(const registry_card_change *h)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddNumberToObject(o, "id", (double)h->id);
    add_time(o, "at", h->at);
    cJSON_AddStringToObject(o, "column", h->column);
    cJSON_AddStringToObject(o, "field", h->field);
    add_text_or_null(o, "old", h->old_value);
    add_text_or_null(o, "new", h->new_value);
    add_id_or_null(o, "request", h->request_id);
    cJSON_AddStringToObject(o, "user", h->user);
    cJSON_AddStringToObject(o, "reason", h->reason);
    return o;
}

cJSON *registry_card_json(const registry_card *c)
{
    cJSON *root = cJSON_CreateObject(), *cols, *hist;

    assert(c && c->instance);
    cJSON_AddStringToObject(root, "instance", c->instance);
    cJSON_AddStringToObject(root, "environment", c->environment);
    cJSON_AddStringToObject(root, "organisation", c->organisation);
    cJSON_AddStringToObject(root, "table", c->table);
    cJSON_AddStringToObject(root, "description", c->description);
    cJSON_AddStringToObject(root, "kind", c->kind);
    cJSON_AddStringToObject(root, "status",
                            registry_entry_status_name(c->status));
    cJSON_AddStringToObject(root, "url", c->url);
    rules_json(root, &c->rules);
    add_time(root, "created_at", c->created_at);
    add_time(root, "updated_at", c->updated_at);
    add_id_or_null(root, "created_by_request", c->created_by_request);
    cols = cJSON_AddArrayToObject(root, "columns");
    for (size_t i = 0; i < c->ncolumns; i++)
        cJSON_AddItemToArray(cols, column_json(&c->columns[i]));
    hist = cJSON_AddArrayToObject(root, "history");
    for (size_t i = 0; i < c->nhistory; i++)
        cJSON_AddItemToArray(hist, change_json(&c->history[i]));
    if (c->nhistory)
        cJSON_AddItemToObject(root, "last_change", change_json(&c->history[0]));
    else
        cJSON_AddNullToObject(root, "last_change");
    return root;
}

cJSON *registry_table_json(registry *reg, const char *instance,
                           const char *table, errmsg *err)
{
    registry_card c = {0};
    cJSON *root;

    if (registry_table_card(reg, &c, instance, table, 0, err) < 0)
        return NULL;
    root = registry_card_json(&c);
    registry_card_free(&c);
    return root;
}
