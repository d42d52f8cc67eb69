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
    int rc;

    if (!st)
        return ERR_DB; /* reg_stmt_get recorded why */
    rc = sqlite3_step(st);

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
             ? (instance && *instance
                    ? err_set(err, ERR_NOTFOUND, "no instance named %.100s",
                              instance)
                    : err_set(err, ERR_NOTFOUND,
                              "no instance was named (the name is empty)"))
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

/* The open requests being read: the array and its capacity. */
typedef struct open_load {
    registry_card_request *v;
    size_t n, cap;
} open_load;

/* A card being read, with the capacities of its arrays. */
typedef struct card_load {
    registry_card *c;
    size_t ccap, hcap;
} card_load;

/* The entry status named in text (the schema's CHECK allows only the
 * names of the table). */
static registry_entry_status status_of(const char *text)
{
    registry_entry_status s = REGISTRY_ENTRY_ACTIVE;

    (void)registry_entry_status_parse(&s, text);
    return s;
}

static int table_row(sqlite3_stmt *st, void *ctx)
{
    registry_card *c = ctx;
    registry_card_rules *r = &c->rules;
    const char *status, *dep;
    buf url = {0};

    reg_cols(st, "iiddddddttddnddddddniiidnn", &c->id, &c->org_id, &c->instance,
             &c->environment, &c->organisation, &c->table, &c->description,
             &c->kind, &status, &dep, &r->campaign_note, &r->expected_arrival,
             &r->late_after_minutes, &r->source, &r->cadence, &r->file_pattern,
             &r->owner, &r->escalation, &r->runbook, &r->consent_relevant,
             &c->created_at, &c->updated_at, &c->created_by_request,
             &r->expected_day, &r->anomaly_low_pct, &r->anomaly_high_pct);
    c->status = status_of(status);
    /* Only registry_dep names are ever stored (cat_field_normalise). */
    (void)registry_dep_parse(&r->campaign_dependency, dep);
    missing_after(r->missing_after, sizeof r->missing_after,
                  r->expected_arrival, r->late_after_minutes);
    cat_table_url(&url, NULL, c->instance, c->table);
    c->url = buf_detach(&url);
    return 0;
}

static int column_row(sqlite3_stmt *st, void *ctx)
{
    card_load *l = ctx;
    registry_card_column k;
    const char *status;

    reg_cols(st, "iddnnddnnddtii", &k.id, &k.name, &k.type, &k.nullable,
             &k.primary_key, &k.description, &k.example, &k.pii, &k.consent,
             &k.consent_channel, &k.rule, &status, &k.added_at,
             &k.added_by_request);
    k.status = status_of(status);
    xgrow(&l->c->columns, &l->ccap, l->c->ncolumns + 1, sizeof k);
    l->c->columns[l->c->ncolumns++] = k;
    return 0;
}

static int change_row(sqlite3_stmt *st, void *ctx)
{
    card_load *l = ctx;
    registry_card_change h;
    const char *kind;

    reg_cols(st, "iiddDDidditd", &h.id, &h.at, &h.column, &h.field,
             &h.old_value, &h.new_value, &h.request_id, &h.user, &h.reason,
             &h.change_id, &kind, &h.source);
    if (registry_change_kind_parse(&h.change_kind, kind) < 0)
        h.change_kind = REGISTRY_CHANGE_EDIT;
    xgrow(&l->c->history, &l->hcap, l->c->nhistory + 1, sizeof h);
    l->c->history[l->c->nhistory++] = h;
    return 0;
}

/* The columns (by position) and the history (newest first) of c->id. */
static int card_lists(registry *reg, registry_card *c, errmsg *err)
{
    card_load l = {c, 0, 0};
    static const char sql_c[] =
        "SELECT id, name, type, nullable, primary_key, description, example,"
        " pii, consent, consent_channel, rule, status, created_at,"
        " coalesce(created_by_request, 0)"
        " FROM reg_columns WHERE table_id = :id ORDER BY position, id";
    static const char sql_h[] =
        "SELECT h.id, h.created_at, h.column_name, h.field, h.old_value,"
        " h.new_value, coalesce(h.request_id, 0), coalesce(u.name, ''),"
        " h.reason, coalesce(h.change_id, 0), coalesce(g.kind, 'edit'),"
        " coalesce(g.source, '') FROM registry_history h"
        " LEFT JOIN users u ON u.id = h.user_id"
        " LEFT JOIN registry_changes g ON g.id = h.change_id"
        " WHERE h.table_id = :id ORDER BY h.id DESC LIMIT :lim";
    int rc;
    sqlite3_stmt *st = reg_stmt_get(reg, sql_c, err);

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":id", c->id);
    rc = reg_each(reg, st, column_row, &l, err);
    if (rc < 0)
        return rc;
    st = reg_stmt_get(reg, sql_h, err);
    if (!st)
        return ERR_DB;
    reg_bind_all(st, REG_INT(":id", c->id),
                 REG_INT(":lim", REGISTRY_HISTORY_MAX));
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
        " t.runbook, t.consent_relevant, t.created_at, t.updated_at,"
        " coalesce(t.created_by_request, 0), t.expected_day,"
        " t.anomaly_low_pct, t.anomaly_high_pct"
        " FROM instances i JOIN reg_tables t ON t.instance_id = i.id"
        " JOIN organisations o ON o.id = i.org_id"
        " WHERE i.name = :instance AND t.name = :table"
        " AND (:org = 0 OR i.org_id = :org)";
    registry_card c = {0};
    sqlite3_stmt *st;
    int rc;

    assert(reg && out);
    st = reg_stmt_get(reg, sql, err);
    if (st) {
        reg_bind_all(st, REG_TEXT(":instance", instance),
                     REG_TEXT(":table", table), REG_INT(":org", org_id));
    }
    rc = reg_one(reg, st, table_row, &c, err); /* ERR_DB for st NULL */
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "no table %.100s in instance %.100s",
                       cat_nz(table), cat_nz(instance));
    if (rc == 0)
        rc = card_lists(reg, &c, err);
    if (rc == 0)
        *out = c; /* the card's memory is the caller's now */
    else
        registry_card_free(&c);
    return rc;
}

static void open_free(registry_card_request *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        xfree_all(v[i].title, v[i].status, v[i].kind);
    free(v);
}

static void open_row(void *ctx, const registry_open_request *r)
{
    open_load *o = ctx;
    registry_card_request q = {r->id, xstrdup(r->title), xstrdup(r->status),
                               xstrdup(r->kind), r->updated_at};

    xgrow(&o->v, &o->cap, o->n + 1, sizeof *o->v);
    o->v[o->n++] = q;
}

int registry_card_open_load(registry *reg, registry_card *card, errmsg *err)
{
    open_load o = {0};
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

void registry_card_free(registry_card *c)
{
    const registry_card_rules *r;

    if (!c)
        return;
    r = &c->rules;
    xfree_all(c->organisation, c->instance, c->environment, c->table,
              c->description, c->kind, c->url, r->campaign_note,
              r->expected_arrival, r->expected_day, r->source, r->cadence,
              r->file_pattern, r->owner, r->escalation, r->runbook);
    for (size_t i = 0; i < c->ncolumns; i++) {
        const registry_card_column *k = &c->columns[i];
        xfree_all(k->name, k->type, k->description, k->example,
                  k->consent_channel, k->rule);
    }
    for (size_t i = 0; i < c->nhistory; i++) {
        const registry_card_change *h = &c->history[i];
        xfree_all(h->column, h->field, h->old_value, h->new_value, h->user,
                  h->reason, h->source);
    }
    free(c->columns);
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
    cJSON_AddStringToObject(o, "expected_day", r->expected_day);
    cJSON_AddNumberToObject(o, "anomaly_low_pct", r->anomaly_low_pct);
    cJSON_AddNumberToObject(o, "anomaly_high_pct", r->anomaly_high_pct);
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
    add_id_or_null(o, "change", h->change_id);
    cJSON_AddStringToObject(o, "change_kind",
                            registry_change_kind_name(h->change_kind));
    cJSON_AddStringToObject(o, "source", h->source ? h->source : "");
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

static int card_version_row(sqlite3_stmt *st, void *ctx)
{
    int64_t *v = ctx;

    v[0] = sqlite3_column_type(st, 0) == SQLITE_NULL
               ? -1
               : sqlite3_column_int64(st, 0);
    v[1] = sqlite3_column_type(st, 1) == SQLITE_NULL
               ? -1
               : sqlite3_column_int64(st, 1);
    v[2] = sqlite3_column_int64(st, 2);
    return 0;
}

int registry_card_version(registry *reg, const char *instance,
                          const char *table, int64_t *out_ver,
                          int64_t *out_arrival, int64_t *out_pruned)
{
    /* registry_table_version's read (schema step 13: the table, its
       open requests, its instance's drift report; step 17: the names of
       users), the table's last
       arrival (its few entries of arrivals_table_time) and the version
       of pruning; a table that does not exist reads NULL */
    static const char sql[] =
        "SELECT CASE WHEN t.id IS NOT NULL THEN"
        " max(coalesce((SELECT v FROM cache_versions"
        "  WHERE scope = 't' || t.id), 0),"
        " coalesce((SELECT v FROM cache_versions"
        "  WHERE scope = 'd' || i.id), 0),"
        " coalesce((SELECT v FROM cache_versions"
        "  WHERE scope = 'o' || i.org_id || ':' || lower(t.name)), 0),"
        " coalesce((SELECT v FROM cache_versions WHERE scope = 'u'), 0)) END,"
        " CASE WHEN t.id IS NOT NULL THEN (SELECT coalesce(max(a.id), 0)"
        "  FROM arrivals a WHERE a.table_id = t.id) END,"
        " (SELECT coalesce(max(v), 0) FROM cache_versions WHERE scope = 'p')"
        " FROM (SELECT 1) LEFT JOIN instances i ON i.name = :inst"
        " LEFT JOIN reg_tables t ON t.instance_id = i.id AND t.name = :table";
    int64_t v[3] = {-1, -1, -1};

    *out_ver = *out_arrival = *out_pruned = -1;
    if (reg_one(reg,
                reg_stmt(reg, sql, NULL, REG_TEXT(":inst", instance),
                         REG_TEXT(":table", table)),
                card_version_row, v, NULL) < 0)
        return -1;
    if (v[0] < 0 || v[1] < 0)
        return 0;
    *out_ver = v[0];
    *out_arrival = v[1];
    *out_pruned = v[2];
    return 0;
}
