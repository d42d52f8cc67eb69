/* catalog_change.c: changing the registry (catalog.h): a deployed
 * request's items applied to an instance, a manual edit of one field,
 * and what a request will change as a notification summary. The fields
 * themselves (checks, history rows) are catalog_field.c; the rules of who
 * may edit what are domain/catalog.c. */
#include "catalog_int.h"
#include "mem.h"
#include "str.h"
#include "validate.h"
#include "inbox.h"
#include "triage.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void col_vals_from(col_vals *v, const form_column *c, char *type,
                          size_t tsize)
{
    form_type_format(type, tsize, &c->type);
    v->name = c->name;
    v->type = c->type.kind == FORM_TYPE_NONE ? "" : type;
    v->description = cat_nz(c->description);
    v->example = cat_nz(c->example);
    v->channel = cat_nz(c->consent_channel);
    v->rule = cat_nz(c->rule);
    v->status = "active";
    v->nullable = c->nullable;
    v->primary_key = c->primary_key;
    v->pii = c->pii;
    v->consent = c->consent;
}

/* A (field, value) pair; value NULL leaves the field alone. */
typedef struct field_val {
    const char *field, *value;
} field_val;

#define ITEM_NRULES 12

/* The rules an item may carry; num holds the lateness and the anomaly
   thresholds as text (3 x 16 bytes). A threshold below 0 is not given. */
static void item_rules(const form_item *it, field_val v[ITEM_NRULES],
                       char num[3][16])
{
    const char *const given[ITEM_NRULES][2] = {
        {"source", it->source},
        {"cadence", it->cadence},
        {"expected_arrival", it->expected_arrival},
        {"late_after_minutes", num[0]},
        {"file_pattern", it->file_pattern},
        {"campaign_dependency", it->campaign_dependency},
        {"campaign_note", it->campaign_note},
        {"owner", it->owner},
        {"escalation", it->escalation},
        {"expected_day", it->expected_day},
        {"anomaly_low_pct", num[1]},
        {"anomaly_high_pct", num[2]}};

    snprintf(num[0], 16, "%d", it->late_after_minutes);
    snprintf(num[1], 16, "%d", it->anomaly_low_pct);
    snprintf(num[2], 16, "%d", it->anomaly_high_pct);
    for (size_t i = 0; i < ITEM_NRULES; i++) {
        v[i].field = given[i][0];
        v[i].value = *cat_nz(given[i][1]) ? given[i][1] : NULL;
    }
    if (it->late_after_minutes <= 0)
        v[3].value = NULL;
    if (it->anomaly_low_pct <= 0)
        v[10].value = NULL;
    if (it->anomaly_high_pct <= 0)
        v[11].value = NULL;
}

static int item_has_consent(const form_item *it)
{
    for (size_t c = 0; c < it->ncolumns; c++)
        if (it->columns[c].consent &&
            it->columns[c].action != FORM_ACTION_RETIRE)
            return 1;
    return 0;
}

/* Sets each given pair on a table (cid 0, checked) or column: 0 or < 0. */
static int set_all(hctx *h, int64_t tid, const char *tname, int64_t cid,
                   const char *cname, const field_val *v, size_t n)
{
    int rc = 0;

    for (size_t i = 0; i < n && rc >= 0; i++) {
        if (!v[i].value)
            continue;
        rc = cid ? cat_field_set(h, tid, tname, cid, cname, v[i].field,
                                 v[i].value)
                 : cat_field_set_checked(h, tid, tname, 0, NULL, v[i].field,
                                         v[i].value);
    }
    return rc < 0 ? rc : 0;
}

/* Is column c named in the key list of new-table item it ("member_id,
 * Day_", compared in any case as forms/validate.c checks it)? The list,
 * when given, is the key: the migration generator's CREATE TABLE makes
 * those columns the key, so the registry records them so. */
static int in_item_key(const form_item *it, const form_column *c)
{
    const char *s = cat_nz(it->primary_key);
    char name[FORM_MAX_IDENT * 4 + 1];

    while (*s) {
        size_t a = strspn(s, ", \t"), len;
        s += a;
        len = strcspn(s, ",");
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        if (len > 0 && len < sizeof name) {
            memcpy(name, s, len);
            name[len] = '\0';
            if (!str_casecmp(name, cat_nz(c->name)))
                return 1;
        }
        s += strcspn(s, ",");
    }
    return 0;
}

/* One column of an item on table tid: added, retired or changed; key: a
 * column of the key a new table's item lists (never null). */
static int apply_column(hctx *h, int64_t tid, const char *tname,
                        const form_column *fc, int key)
{
    char type[64], status[16], cname[FORM_MAX_IDENT * 4 + 1];
    int64_t cid;
    col_vals v;
    int rc;

    col_vals_from(&v, fc, type, sizeof type);
    if (key) {
        v.primary_key = 1;
        v.nullable = 0;
    }
    if (fc->action == FORM_ACTION_ADD)
        return cat_column_add(h, tid, tname, &v);
    rc = cat_column_find(h, tid, fc->name, &cid, status, sizeof status, cname,
                         sizeof cname);
    if (rc < 0)
        return rc;
    if (rc == 0 || !strcmp(status, "retired"))
        return err_set(h->err, ERR_CONFLICT,
                       "attribute %s does not exist on table %s", fc->name,
                       tname);
    if (fc->action == FORM_ACTION_RETIRE) {
        rc = cat_field_set(h, tid, tname, cid, cname, "status", "retired");
        return rc < 0 ? rc : 0;
    }
    /* FORM_ACTION_CHANGE: what the item states replaces the stored. */
    {
        const field_val set[] = {
            {"type", *v.type ? v.type : NULL},
            {"description", *v.description ? v.description : NULL},
            {"rule", *v.rule ? v.rule : NULL},
            {"example", *v.example ? v.example : NULL},
            {"pii", fc->pii ? "1" : NULL},
            {"consent", fc->consent ? "1" : NULL},
            {"consent_channel", *v.channel ? v.channel : NULL}};
        return set_all(h, tid, tname, cid, cname, set,
                       sizeof set / sizeof *set);
    }
}

static int apply_item(hctx *h, const form_item *it)
{
    field_val rules[ITEM_NRULES];
    char num[3][16], tname[FORM_MAX_IDENT * 4 + 1];
    int64_t tid;
    int rc;

    item_rules(it, rules, num);
    rc = cat_table_find(h, it->table, &tid, tname, sizeof tname);
    if (rc < 0)
        return rc;
    if (it->kind == FORM_ITEM_NEW_TABLE) {
        cat_table_vals t = {it->table, it->description, "active", 0};
        if (rc == 1)
            return err_set(h->err, ERR_CONFLICT,
                           "table %s already exists in this instance",
                           it->table);
        str_copy(tname, sizeof tname, it->table);
        rc = cat_table_insert(h, &tid, &t);
        if (rc < 0)
            return rc;
    } else if (rc == 0) {
        return err_set(h->err, ERR_CONFLICT,
                       "table %s does not exist in this instance (a %s "
                       "item needs an existing table)",
                       it->table, form_item_kind_name(it->kind));
    }
    /* Rules given on the item replace the table's. */
    rc = set_all(h, tid, tname, 0, NULL, rules, ITEM_NRULES);
    /* The table's kind is not the item's: an update item leaves it. */
    for (size_t c = 0; c < it->ncolumns && rc >= 0; c++)
        rc = apply_column(h, tid, tname, &it->columns[c],
                          it->kind == FORM_ITEM_NEW_TABLE &&
                              in_item_key(it, &it->columns[c]));
    if (rc >= 0 && item_has_consent(it))
        rc = cat_field_set(h, tid, tname, 0, NULL, "consent_relevant", "1");
    return rc < 0 ? rc : 0;
}

int registry_request_apply(registry *reg, const form_request *r,
                           const char *instance, int64_t user_id, errmsg *err)
{
    char reason[40];
    hctx h;
    int rc;

    if (r->id > 0)
        snprintf(reason, sizeof reason, "CR-%lld", (long long)r->id);
    else
        str_copy(reason, sizeof reason, "request");
    rc = hctx_init(&h, reg, instance, r->id, user_id, reason, err);
    h.kind = REGISTRY_CHANGE_REQUEST;
    for (size_t i = 0; rc >= 0 && i < r->nitems; i++)
        rc = apply_item(&h, &r->items[i]);
    return rc < 0 ? rc : 0;
}

/* The reason of a manual edit, trimmed, into *out (caller frees):
 * required, within FORM_MAX_TEXT, valid UTF-8. */
static int edit_reason(char **out, const char *reason, errmsg *err)
{
    char *why = str_trim_dup(cat_nz(reason));

    if (!*why) {
        free(why);
        return err_set_field(err, ERR_INVALID, "reason",
                             "say why you change it (the reason is kept in "
                             "the history)");
    }
    if (strlen(why) > FORM_MAX_TEXT || !str_utf8_valid(why, strlen(why))) {
        free(why);
        return err_set_field(err, ERR_INVALID, "reason",
                             "the reason is too long or not valid UTF-8");
    }
    *out = why;
    return 0;
}

/* One field of a table (column NULL) or column of the instance of h
 * set by hand: 1 changed, 0 same value, < 0 error (ERR_NOTFOUND for no
 * such table or column). */
static int update_in(hctx *h, const char *instance, const char *table,
                     const char *column, const char *field, const char *value)
{
    char tname[FORM_MAX_IDENT * 4 + 1], cname[FORM_MAX_IDENT * 4 + 1];
    int64_t tid = 0, cid = 0;
    int rc = cat_table_find(h, table, &tid, tname, sizeof tname);

    if (rc == 0)
        rc = err_set(h->err, ERR_NOTFOUND, "no table %.100s in instance %.100s",
                     table, instance);
    if (rc < 0)
        return rc;
    if (column) {
        rc =
            cat_column_find(h, tid, column, &cid, NULL, 0, cname, sizeof cname);
        if (rc == 0)
            rc = err_set(h->err, ERR_NOTFOUND,
                         "no column %.100s on table %.100s", column, tname);
        if (rc < 0)
            return rc;
    }
    return cat_field_set_checked(h, tid, tname, cid, column ? cname : NULL,
                                 field, value);
}

/* 1 when an edit of field (of a table) needs cat_feed_day_check once it
   changed the value: an edit that leaves cadence and day as they are
   (the whole edit form of an older weekly table without a day) is not
   held up by them. */
static int touches_day(const char *column, const char *field)
{
    return !column && field &&
           (!strcmp(field, "cadence") || !strcmp(field, "expected_day"));
}

/* cat_feed_day_check of table in the instance of h. */
static int day_check_in(hctx *h, const char *table)
{
    int64_t tid = 0;
    int rc = cat_table_find(h, table, &tid, NULL, 0);

    return rc < 0 ? rc : rc == 0 ? 0 : cat_feed_day_check(h, tid);
}

int registry_table_update_field(registry *reg, const char *instance,
                                const char *table, const char *column,
                                const char *field, const char *value,
                                int64_t user_id, const char *reason,
                                errmsg *err)
{
    char *why = NULL;
    hctx h;
    int rc = edit_reason(&why, reason, err);

    if (rc < 0)
        return rc;
    rc = hctx_init(&h, reg, instance, 0, user_id, why, err);
    if (rc == 0)
        rc = update_in(&h, instance, table, column, field, value);
    if (rc > 0 && touches_day(column, field)) {
        int day = day_check_in(&h, table);
        rc = day < 0 ? day : rc;
    }
    free(why);
    return rc;
}

/* The registry.changed event of an edit that changed something: who,
 * which table (and column), the fields and the reason, for the table's
 * watchers and any channel it is routed to. */
static int changed_event(registry *reg, const char *instance, const char *table,
                         const char *column, const registry_field_value *set,
                         const unsigned char *hit, size_t n, int64_t user_id,
                         const char *reason, errmsg *err)
{
    static const char sql_name[] =
        "SELECT coalesce((SELECT name FROM users WHERE id = :id), 'docket')";
    registry_event_about about = {.actor_id = user_id};
    sqlite3_stmt *st;
    cJSON *root, *fields, *t;
    buf url = {0};
    int rc;

    rc =
        registry_table_locate(reg, &about.table_id, NULL, instance, table, err);
    if (rc < 0)
        return rc;
    root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "event", "registry.changed");
    st = reg_stmt(reg, sql_name, err, REG_INT(":id", user_id));
    if (st && sqlite3_step(st) == SQLITE_ROW)
        cJSON_AddStringToObject(root, "actor", reg_col_text(st, 0));
    reg_done(st);
    buf_puts(&url, "/tables/");
    buf_puts(&url, instance);
    buf_putc(&url, '/');
    buf_puts(&url, table);
    t = cJSON_AddObjectToObject(root, "table");
    cJSON_AddStringToObject(t, "instance", instance);
    cJSON_AddStringToObject(t, "name", table);
    cJSON_AddStringToObject(t, "url", buf_cstr(&url));
    if (column && *column)
        cJSON_AddStringToObject(root, "column", column);
    fields = cJSON_AddArrayToObject(root, "fields");
    for (size_t i = 0; i < n; i++)
        if (hit[i])
            cJSON_AddItemToArray(fields, cJSON_CreateString(set[i].field));
    cJSON_AddStringToObject(root, "note", cat_nz(reason));
    cJSON_AddStringToObject(root, "url", buf_cstr(&url));
    rc = registry_event_emit(reg, NULL, EV_REGISTRY_CHANGED, &about, root, err);
    cJSON_Delete(root);
    buf_dispose(&url);
    return rc;
}

int registry_table_edit(registry *reg, const char *instance, const char *table,
                        const char *column, const registry_field_value *set,
                        size_t n, int64_t user_id, const char *reason,
                        int *out_changed, errmsg *err)
{
    char *why = NULL;
    unsigned char *hit;
    hctx h;
    int rc, changed = 0;

    assert(n == 0 || set);
    if (n == 0) {
        if (out_changed)
            *out_changed = 0;
        return 0;
    }
    rc = edit_reason(&why, reason, err);
    if (rc < 0)
        return rc;
    rc = registry_begin(reg, err);
    if (rc < 0) {
        free(why);
        return rc;
    }
    /* One hctx for every field: one change in the history. The event
       names the fields whose value changed. */
    hit = xcalloc(n, 1);
    rc = hctx_init(&h, reg, instance, 0, user_id, why, err);
    for (size_t i = 0; rc >= 0 && i < n; i++) {
        rc = update_in(&h, instance, table, column, set[i].field, set[i].value);
        if (rc > 0) {
            changed += rc;
            hit[i] = 1;
        }
    }
    for (size_t i = 0; rc >= 0 && i < n; i++)
        if (hit[i] && touches_day(column, set[i].field)) {
            rc = day_check_in(&h, table);
            break;
        }
    if (rc >= 0 && changed)
        rc = changed_event(reg, instance, table, column, set, hit, n, user_id,
                           reason, err);
    if (rc >= 0)
        rc = registry_commit(reg, err);
    free(hit);
    free(why);
    if (rc < 0) {
        registry_rollback(reg);
        return rc;
    }
    if (out_changed)
        *out_changed = changed;
    return 0;
}

/* The entry of it->table in arr, made (with the table's current campaign
 * dependency when the item does not state one) when there is none yet.
 * NULL on a database error. */
static cJSON *changes_entry(registry *reg, cJSON *arr, const form_item *it,
                            const char *instance, const char *base_url,
                            errmsg *err)
{
    const char *dep = cat_nz(it->campaign_dependency);
    registry_card card = {0};
    cJSON *o;
    buf url = {0};
    int rc;

    /* One entry per table: items on the same table share it. */
    o = NULL;
    for (cJSON *e = arr->child; e; e = e->next)
        if (!str_casecmp(cJSON_GetObjectItem(e, "table")->valuestring,
                         it->table))
            o = e;
    if (o)
        return o;
    if (!*dep && it->kind != FORM_ITEM_NEW_TABLE) {
        rc = registry_table_card(reg, &card, instance, it->table, 0, err);
        if (rc < 0 && rc != ERR_NOTFOUND)
            return NULL;
        if (rc == 0)
            dep = registry_dep_name(card.rules.campaign_dependency);
    }
    o = cJSON_CreateObject();
    cJSON_AddItemToArray(arr, o);
    cJSON_AddStringToObject(o, "instance", cat_nz(instance));
    cJSON_AddStringToObject(o, "table", it->table);
    cJSON_AddStringToObject(o, "campaign_dependency", dep);
    cJSON_AddFalseToObject(o, "consent");
    cJSON_AddArrayToObject(o, "changes");
    cat_table_url(&url, base_url, instance, it->table);
    cJSON_AddStringToObject(o, "url", buf_cstr(&url));
    buf_dispose(&url);
    registry_card_free(&card);
    return o;
}

/* The lines of one item: new table, rules, columns. */
static void changes_lines(cJSON *changes, const form_item *it)
{
    field_val rules[ITEM_NRULES];
    char num[3][16], type[64], line[512];

    if (it->kind == FORM_ITEM_NEW_TABLE)
        cJSON_AddItemToArray(changes, cJSON_CreateString("new table"));
    item_rules(it, rules, num);
    for (size_t k = 0; k < ITEM_NRULES; k++) {
        if (!rules[k].value)
            continue;
        snprintf(line, sizeof line, "%s: %.400s", rules[k].field,
                 rules[k].value);
        cJSON_AddItemToArray(changes, cJSON_CreateString(line));
    }
    for (size_t c = 0; c < it->ncolumns; c++) {
        const form_column *fc = &it->columns[c];
        form_type_format(type, sizeof type, &fc->type);
        if (fc->action == FORM_ACTION_ADD)
            snprintf(line, sizeof line, "add column %s %s%s%s", fc->name, type,
                     fc->pii ? " (PII)" : "", fc->consent ? " (consent)" : "");
        else if (fc->action == FORM_ACTION_RETIRE)
            snprintf(line, sizeof line, "retire column %s", fc->name);
        else if (fc->type.kind != FORM_TYPE_NONE)
            snprintf(line, sizeof line, "change column %s type to %s", fc->name,
                     type);
        else
            snprintf(line, sizeof line, "change column %s", fc->name);
        cJSON_AddItemToArray(changes, cJSON_CreateString(line));
    }
}

cJSON *registry_request_changes_json(registry *reg, const form_request *r,
                                     const char *instance, const char *base_url,
                                     errmsg *err)
{
    cJSON *arr = cJSON_CreateArray();

    for (size_t i = 0; i < r->nitems; i++) {
        const form_item *it = &r->items[i];
        cJSON *o = changes_entry(reg, arr, it, instance, base_url, err);
        if (!o) {
            cJSON_Delete(arr);
            return NULL;
        }
        /* A later item's dependency and consent win over the entry's. */
        if (*cat_nz(it->campaign_dependency))
            cJSON_ReplaceItemInObject(
                o, "campaign_dependency",
                cJSON_CreateString(it->campaign_dependency));
        if (r->consent_related || item_has_consent(it))
            cJSON_ReplaceItemInObject(o, "consent", cJSON_CreateTrue());
        changes_lines(cJSON_GetObjectItem(o, "changes"), it);
    }
    return arr;
}
