/* catalog_field.c: the fields of registry tables and columns, changed one
 * at a time with a history row each (catalog_int.h): which fields exist
 * and how their values are checked, finding a table or column, reading,
 * writing and setting a field, adding a table or a column. Used by the
 * request apply and manual edits (catalog_change.c) and by the CSV
 * import (catalog_import.c). */
#include "catalog_int.h"
#include "mem.h"
#include "str.h"
#include "validate.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hctx_init(hctx *h, registry *reg, const char *instance, int64_t request_id,
              int64_t user_id, const char *reason, errmsg *err)
{
    registry_instance inst;
    int rc;

    memset(h, 0, sizeof *h);
    rc = registry_instance_get(reg, &inst, instance, err);
    if (rc < 0)
        return rc;
    h->reg = reg;
    h->instance_id = inst.id;
    h->request_id = request_id;
    h->user_id = user_id;
    h->reason = reason;
    h->now = time_now();
    h->err = err;
    return 0;
}

/* The change the rows of h belong to: written with the first of them,
 * so an apply, edit or import that changes nothing leaves no change. */
static int change_ensure(hctx *h)
{
    static const char sql[] =
        "INSERT INTO registry_changes(instance_id, kind, request_id, user_id,"
        " reason, source, created_at) VALUES (:inst, :kind, :req, :user,"
        " :reason, :source, :now)";
    sqlite3_stmt *st;

    if (h->change_id)
        return 0;
    st = reg_stmt(h->reg, sql, h->err, REG_INT(":inst", h->instance_id),
                  REG_TEXT(":kind", registry_change_kind_name(h->kind)),
                  REG_ID(":req", h->request_id), REG_ID(":user", h->user_id),
                  REG_TEXT(":reason", cat_nz(h->reason)),
                  REG_TEXT(":source", cat_nz(h->source)),
                  REG_INT(":now", h->now));
    return reg_insert(h->reg, st, &h->change_id, h->err);
}

static int hist_add(hctx *h, int64_t table_id, int64_t column_id,
                    const char *table, const char *column, const char *field,
                    const char *old_value, const char *new_value)
{
    static const char sql[] =
        "INSERT INTO registry_history(instance_id, table_id, column_id,"
        " table_name, column_name, field, old_value, new_value, request_id,"
        " user_id, reason, created_at, change_id) VALUES (:inst, :tid, :cid,"
        " :tname, :cname, :field, :old, :new, :req, :user, :reason, :now,"
        " :change)";
    sqlite3_stmt *st;
    int rc = change_ensure(h);

    if (rc < 0)
        return rc;
    st = reg_stmt_get(h->reg, sql, h->err);
    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":change", h->change_id);
    reg_bind_int(st, ":inst", h->instance_id);
    cat_bind_id(st, ":tid", table_id);
    cat_bind_id(st, ":cid", column_id);
    reg_bind_all(st, REG_TEXT(":tname", table),
                 REG_TEXT(":cname", cat_nz(column)), REG_TEXT(":field", field));
    cat_bind_text_or_null(st, ":old", old_value);
    cat_bind_text_or_null(st, ":new", new_value);
    cat_bind_id(st, ":req", h->request_id);
    cat_bind_id(st, ":user", h->user_id);
    reg_bind_all(st, REG_TEXT(":reason", cat_nz(h->reason)),
                 REG_INT(":now", h->now));
    return cat_step_done(h->reg, st, h->err);
}

/* Where a found table or column goes: its id, and copies of columns 1
 * (status or name) and 2 (name) when the buffers are not NULL. */
typedef struct found {
    int64_t *id;
    char *s1, *s2;
    size_t n1, n2;
} found;

static int found_row(sqlite3_stmt *st, void *ctx)
{
    found *f = ctx;

    *f->id = sqlite3_column_int64(st, 0);
    if (f->s1)
        reg_col_copy(f->s1, f->n1, st, 1);
    if (f->s2)
        reg_col_copy(f->s2, f->n2, st, 2);
    return 0;
}

/* reg_one of st into f: 1 found, 0 not, < 0 error. */
static int find_one(hctx *h, sqlite3_stmt *st, found *f)
{
    int rc = reg_one(h->reg, st, found_row, f, h->err);

    return rc == 0 ? 1 : rc == ERR_NOTFOUND ? 0 : rc;
}

int cat_table_find(hctx *h, const char *name, int64_t *out_id, char *out_name,
                   size_t size)
{
    static const char sql[] =
        "SELECT id, name FROM reg_tables WHERE instance_id = :inst"
        " AND name = :name";
    sqlite3_stmt *st = reg_stmt_get(h->reg, sql, h->err);
    found f = {out_id, out_name, NULL, size, 0};

    if (!st)
        return ERR_DB;
    reg_bind_all(st, REG_INT(":inst", h->instance_id), REG_TEXT(":name", name));
    return find_one(h, st, &f);
}

int cat_column_find(hctx *h, int64_t table_id, const char *name,
                    int64_t *out_id, char *status, size_t ssize, char *out_name,
                    size_t nsize)
{
    static const char sql[] =
        "SELECT id, status, name FROM reg_columns WHERE table_id = :tid"
        " AND name = :name";
    sqlite3_stmt *st = reg_stmt_get(h->reg, sql, h->err);
    found f = {out_id, status, out_name, ssize, nsize};

    if (!st)
        return ERR_DB;
    reg_bind_all(st, REG_INT(":tid", table_id), REG_TEXT(":name", name));
    return find_one(h, st, &f);
}

static int dup_row(sqlite3_stmt *st, void *ctx)
{
    *(char **)ctx = xstrdup(reg_col_text(st, 0));
    return 0;
}

/* The statement sql with :f (the field) and :id (the column, else the
 * table) bound; NULL on error (in h->err). */
static sqlite3_stmt *field_stmt(hctx *h, const char *sql, int64_t table_id,
                                int64_t column_id, const char *field)
{
    sqlite3_stmt *st = reg_stmt_get(h->reg, sql, h->err);

    if (st) {
        reg_bind_all(st, REG_TEXT(":f", field),
                     REG_INT(":id", column_id ? column_id : table_id));
    }
    return st;
}

/* The value of one field of a table (column_id 0) or column as text into
 * *out (caller frees). Field names were checked by the caller; the row
 * exists (ERR_DB otherwise). */
static int field_get(hctx *h, char **out, int64_t table_id, int64_t column_id,
                     const char *field)
{
    static const char sql_t[] =
        "SELECT CASE :f WHEN 'description' THEN description"
        " WHEN 'kind' THEN kind WHEN 'source' THEN source"
        " WHEN 'cadence' THEN cadence"
        " WHEN 'expected_arrival' THEN expected_arrival"
        " WHEN 'late_after_minutes' THEN CAST(late_after_minutes AS TEXT)"
        " WHEN 'expected_day' THEN expected_day"
        " WHEN 'anomaly_low_pct' THEN CAST(anomaly_low_pct AS TEXT)"
        " WHEN 'anomaly_high_pct' THEN CAST(anomaly_high_pct AS TEXT)"
        " WHEN 'file_pattern' THEN file_pattern"
        " WHEN 'campaign_dependency' THEN campaign_dependency"
        " WHEN 'campaign_note' THEN campaign_note"
        " WHEN 'consent_relevant' THEN CAST(consent_relevant AS TEXT)"
        " WHEN 'owner' THEN owner WHEN 'escalation' THEN escalation"
        " WHEN 'runbook' THEN runbook WHEN 'status' THEN status END"
        " FROM reg_tables WHERE id = :id";
    static const char sql_c[] =
        "SELECT CASE :f WHEN 'type' THEN type"
        " WHEN 'nullable' THEN CAST(nullable AS TEXT)"
        " WHEN 'primary_key' THEN CAST(primary_key AS TEXT)"
        " WHEN 'description' THEN description WHEN 'example' THEN example"
        " WHEN 'pii' THEN CAST(pii AS TEXT)"
        " WHEN 'consent' THEN CAST(consent AS TEXT)"
        " WHEN 'consent_channel' THEN consent_channel"
        " WHEN 'rule' THEN rule WHEN 'status' THEN status END"
        " FROM reg_columns WHERE id = :id";
    sqlite3_stmt *st =
        field_stmt(h, column_id ? sql_c : sql_t, table_id, column_id, field);
    int rc = reg_one(h->reg, st, dup_row, out, h->err);

    if (rc == ERR_NOTFOUND)
        rc = err_set(h->err, ERR_DB, "registry row %lld vanished",
                     (long long)(column_id ? column_id : table_id));
    return rc;
}

static int field_put(hctx *h, int64_t table_id, int64_t column_id,
                     const char *field, const char *value)
{
    static const char sql_t[] =
        "UPDATE reg_tables SET"
        " description = CASE :f WHEN 'description' THEN :v"
        "  ELSE description END,"
        " kind = CASE :f WHEN 'kind' THEN :v ELSE kind END,"
        " source = CASE :f WHEN 'source' THEN :v ELSE source END,"
        " cadence = CASE :f WHEN 'cadence' THEN :v ELSE cadence END,"
        " expected_arrival = CASE :f WHEN 'expected_arrival' THEN :v"
        "  ELSE expected_arrival END,"
        " late_after_minutes = CASE :f WHEN 'late_after_minutes'"
        "  THEN CAST(:v AS INTEGER) ELSE late_after_minutes END,"
        " expected_day = CASE :f WHEN 'expected_day' THEN :v"
        "  ELSE expected_day END,"
        " anomaly_low_pct = CASE :f WHEN 'anomaly_low_pct'"
        "  THEN CAST(:v AS INTEGER) ELSE anomaly_low_pct END,"
        " anomaly_high_pct = CASE :f WHEN 'anomaly_high_pct'"
        "  THEN CAST(:v AS INTEGER) ELSE anomaly_high_pct END,"
        " file_pattern = CASE :f WHEN 'file_pattern' THEN :v"
        "  ELSE file_pattern END,"
        " campaign_dependency = CASE :f WHEN 'campaign_dependency' THEN :v"
        "  ELSE campaign_dependency END,"
        " campaign_note = CASE :f WHEN 'campaign_note' THEN :v"
        "  ELSE campaign_note END,"
        " consent_relevant = CASE :f WHEN 'consent_relevant'"
        "  THEN CAST(:v AS INTEGER) ELSE consent_relevant END,"
        " owner = CASE :f WHEN 'owner' THEN :v ELSE owner END,"
        " escalation = CASE :f WHEN 'escalation' THEN :v"
        "  ELSE escalation END,"
        " runbook = CASE :f WHEN 'runbook' THEN :v ELSE runbook END,"
        " status = CASE :f WHEN 'status' THEN :v ELSE status END,"
        " updated_at = :now WHERE id = :id";
    static const char sql_c[] =
        "UPDATE reg_columns SET"
        " type = CASE :f WHEN 'type' THEN :v ELSE type END,"
        " nullable = CASE :f WHEN 'nullable' THEN CAST(:v AS INTEGER)"
        "  ELSE nullable END,"
        " primary_key = CASE :f WHEN 'primary_key' THEN CAST(:v AS INTEGER)"
        "  ELSE primary_key END,"
        " description = CASE :f WHEN 'description' THEN :v"
        "  ELSE description END,"
        " example = CASE :f WHEN 'example' THEN :v ELSE example END,"
        " pii = CASE :f WHEN 'pii' THEN CAST(:v AS INTEGER) ELSE pii END,"
        " consent = CASE :f WHEN 'consent' THEN CAST(:v AS INTEGER)"
        "  ELSE consent END,"
        " consent_channel = CASE :f WHEN 'consent_channel' THEN :v"
        "  ELSE consent_channel END,"
        " rule = CASE :f WHEN 'rule' THEN :v ELSE rule END,"
        " status = CASE :f WHEN 'status' THEN :v ELSE status END,"
        " updated_at = :now WHERE id = :id";
    static const char sql_touch[] =
        "UPDATE reg_tables SET updated_at = :now WHERE id = :id";
    sqlite3_stmt *st =
        field_stmt(h, column_id ? sql_c : sql_t, table_id, column_id, field);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_all(st, REG_TEXT(":v", value), REG_INT(":now", h->now));
    rc = cat_step_done(h->reg, st, h->err);
    if (rc < 0 || !column_id)
        return rc;
    /* The table's "last updated" covers its columns. */
    st = reg_stmt_get(h->reg, sql_touch, h->err);
    if (!st)
        return ERR_DB;
    reg_bind_all(st, REG_INT(":now", h->now), REG_INT(":id", table_id));
    return cat_step_done(h->reg, st, h->err);
}

int cat_field_set(hctx *h, int64_t table_id, const char *table,
                  int64_t column_id, const char *column, const char *field,
                  const char *value)
{
    char *old = NULL;
    int rc = field_get(h, &old, table_id, column_id, field);

    if (rc < 0)
        return rc;
    if (!strcmp(old, value)) {
        free(old);
        return 0;
    }
    rc = field_put(h, table_id, column_id, field, value);
    if (rc == 0)
        rc = hist_add(h, table_id, column_id, table, column, field, old, value);
    free(old);
    return rc < 0 ? rc : 1;
}

/* ---- which fields, and their values ------------------------------------- */

enum {
    FV_TEXT,
    FV_SHORT,
    FV_FLAG,
    FV_TIME,
    FV_MINUTES,
    FV_DEP,
    FV_TYPE,
    FV_TSTATUS,
    FV_CSTATUS,
    FV_CHANNEL,
    FV_DAY,
    FV_PCT_LOW,
    FV_PCT_HIGH
};

struct cat_field_def {
    const char *name;
    int column; /* 0 table field, 1 column field */
    int kind;   /* FV_* */
};

static const cat_field_def field_defs[] = {
    {"description", 0, FV_TEXT},
    {"kind", 0, FV_SHORT},
    {"source", 0, FV_SHORT},
    {"cadence", 0, FV_SHORT},
    {"expected_arrival", 0, FV_TIME},
    {"late_after_minutes", 0, FV_MINUTES},
    {"file_pattern", 0, FV_SHORT},
    {"campaign_dependency", 0, FV_DEP},
    {"campaign_note", 0, FV_TEXT},
    {"consent_relevant", 0, FV_FLAG},
    {"owner", 0, FV_SHORT},
    {"escalation", 0, FV_SHORT},
    {"runbook", 0, FV_TEXT},
    {"status", 0, FV_TSTATUS},
    {"expected_day", 0, FV_DAY},
    {"anomaly_low_pct", 0, FV_PCT_LOW},
    {"anomaly_high_pct", 0, FV_PCT_HIGH},
    {"type", 1, FV_TYPE},
    {"nullable", 1, FV_FLAG},
    {"primary_key", 1, FV_FLAG},
    {"description", 1, FV_TEXT},
    {"example", 1, FV_SHORT},
    {"pii", 1, FV_FLAG},
    {"consent", 1, FV_FLAG},
    {"consent_channel", 1, FV_CHANNEL},
    {"rule", 1, FV_TEXT},
    {"status", 1, FV_CSTATUS},
    {NULL, 0, 0}};

const cat_field_def *cat_field_def_get(int column, const char *name)
{
    for (const cat_field_def *d = field_defs; d->name; d++)
        if (d->column == column && !strcmp(d->name, name))
            return d;
    return NULL;
}

/* Parses a yes/no value; -1 when it is none. */
static int flag_parse(const char *s)
{
    static const char *const yes[] = {"1", "true", "yes", "y", "on"};
    static const char *const no[] = {"0", "false", "no", "n", "off"};

    for (size_t i = 0; i < 5; i++) {
        if (!str_casecmp(s, yes[i]))
            return 1;
        if (!str_casecmp(s, no[i]))
            return 0;
    }
    return -1;
}

/* The checks of every value: valid UTF-8; one line without control
 * characters, or for free text (FV_TEXT) at most FORM_MAX_TEXT characters
 * where only tab and line ends are allowed. */
static int value_check_text(const cat_field_def *d, const char *v, errmsg *err)
{
    size_t len = strlen(v);

    if (!str_utf8_valid(v, len))
        return err_set_field(err, ERR_INVALID, d->name, "%s is not valid UTF-8",
                             d->name);
    if (d->kind != FV_TEXT && str_has_ctl(v))
        return err_set_field(err, ERR_INVALID, d->name,
                             "%s may not contain control characters", d->name);
    if (d->kind != FV_TEXT && strchr(v, '\n'))
        return err_set_field(err, ERR_INVALID, d->name,
                             "%s must be a single line", d->name);
    if (d->kind != FV_TEXT)
        return 0;
    if (str_utf8_len(v) > FORM_MAX_TEXT)
        return err_set_field(err, ERR_INVALID, d->name,
                             "%s is longer than %d characters", d->name,
                             FORM_MAX_TEXT);
    for (const char *p = v; *p; p++)
        if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t')
            return err_set_field(err, ERR_INVALID, d->name,
                                 "%s may not contain control characters",
                                 d->name);
    return 0;
}

/* A short text, and a consent channel. */
static int value_short(buf *out, const cat_field_def *d, const char *v,
                       errmsg *err)
{
    if (str_utf8_len(v) > FORM_MAX_SHORT)
        return err_set_field(err, ERR_INVALID, d->name,
                             "%s is longer than %d characters", d->name,
                             FORM_MAX_SHORT);
    if (d->kind == FV_CHANNEL && *v && strcmp(v, "email") && strcmp(v, "sms") &&
        strcmp(v, "push") && strcmp(v, "direct_mail"))
        return err_set_field(err, ERR_INVALID, d->name,
                             "consent_channel must be email, sms, push "
                             "or direct_mail");
    buf_puts(out, v);
    return 0;
}

/* A column type, stored as form_type_format writes it. */
static int value_type(buf *out, const cat_field_def *d, const char *v,
                      errmsg *err)
{
    form_type t;
    char tmp[64];

    if (form_type_parse(&t, v, err) < 0) {
        str_copy(err->field, sizeof err->field, d->name);
        return ERR_INVALID;
    }
    if (t.kind == FORM_TYPE_NONE)
        return err_set_field(err, ERR_INVALID, d->name, "type is required");
    form_type_format(tmp, sizeof tmp, &t);
    buf_puts(out, tmp);
    return 0;
}

/* A value that must be one of a list of words (status, dependency). */
static int value_enum(buf *out, const cat_field_def *d, const char *v,
                      errmsg *err)
{
    registry_dep dep;
    registry_entry_status s;

    if (d->kind == FV_DEP && registry_dep_parse(&dep, v) < 0)
        return err_set_field(err, ERR_INVALID, d->name,
                             "campaign_dependency must be required or "
                             "optional");
    if (d->kind == FV_TSTATUS &&
        (registry_entry_status_parse(&s, v) < 0 || s == REGISTRY_ENTRY_RETIRED))
        return err_set_field(err, ERR_INVALID, d->name,
                             "a table's status is active or deprecated");
    if (d->kind == FV_CSTATUS && registry_entry_status_parse(&s, v) < 0)
        return err_set_field(err, ERR_INVALID, d->name,
                             "a column's status is active, deprecated "
                             "or retired");
    buf_puts(out, v);
    return 0;
}

/* A feed's day, stored as form_expected_day writes it: a weekday as its
   three letters, a day of the month without a leading zero, "last". Which
   of the two a table needs is cat_feed_day_check's. */
static int value_day(buf *out, const cat_field_def *d, const char *v,
                     errmsg *err)
{
    char day[8];

    if (!*v)
        return 0;
    if (form_expected_day(day, sizeof day,
                          form_weekday(v) >= 0 ? "weekly" : "monthly", v, NULL,
                          0) < 0)
        return err_set_field(err, ERR_INVALID, d->name,
                             "expected_day must be a weekday (mon to sun) "
                             "for a weekly table or a day of the month (1 "
                             "to 31, or last) for a monthly one");
    buf_puts(out, day);
    return 0;
}

/* An anomaly threshold in percent (form_anomaly_*_check). */
static int value_pct(buf *out, const cat_field_def *d, const char *v,
                     errmsg *err)
{
    char msg[200];
    int n;

    if (str_to_int(&n, *v ? v : (d->kind == FV_PCT_LOW ? "50" : "200"), 0,
                   FORM_ANOMALY_HIGH_MAX) < 0)
        n = -1;
    if (d->kind == FV_PCT_LOW ? form_anomaly_low_check(n, msg, sizeof msg) < 0
                              : form_anomaly_high_check(n, msg, sizeof msg) < 0)
        return err_set_field(err, ERR_INVALID, d->name, "%s", msg);
    buf_appendf(out, "%d", n);
    return 0;
}

static int day_row(sqlite3_stmt *st, void *ctx)
{
    char **v = ctx;

    v[0] = xstrdup(reg_col_text(st, 0));
    v[1] = xstrdup(reg_col_text(st, 1));
    return 0;
}

int cat_feed_day_check(hctx *h, int64_t table_id)
{
    static const char sql[] =
        "SELECT cadence, expected_day FROM reg_tables WHERE id = :id";
    char *v[2] = {NULL, NULL}, msg[200];
    sqlite3_stmt *st = reg_stmt_get(h->reg, sql, h->err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_all(st, REG_INT(":id", table_id));
    rc = reg_one(h->reg, st, day_row, v, h->err);
    if (rc == 0 && form_expected_day(NULL, 0, v[0], v[1], msg, sizeof msg) < 0)
        rc = err_set_field(h->err, ERR_INVALID, "expected_day", "%s", msg);
    free(v[0]);
    free(v[1]);
    return rc;
}

int cat_field_normalise(buf *out, const cat_field_def *d, const char *value,
                        errmsg *err)
{
    const char *v = cat_nz(value);
    int n, rc;

    assert(d);
    rc = value_check_text(d, v, err);
    if (rc < 0)
        return rc;
    switch (d->kind) {
    case FV_TEXT: /* line ends as the form keeps them (form_text_lf) */
        buf_puts(out, v);
        if (out->data)
            buf_truncate(out, strlen(form_text_lf(out->data)));
        return 0;
    case FV_SHORT:
    case FV_CHANNEL: return value_short(out, d, v, err);
    case FV_FLAG:
        n = flag_parse(v);
        if (n < 0)
            return err_set_field(err, ERR_INVALID, d->name,
                                 "%s must be yes or no (1/0, true/false)",
                                 d->name);
        buf_puts(out, n ? "1" : "0");
        return 0;
    case FV_TIME:
        if (*v && !form_time_valid(v))
            return err_set_field(err, ERR_INVALID, d->name,
                                 "expected_arrival must be a time of day "
                                 "HH:MM (UTC), such as 05:00");
        buf_puts(out, v);
        return 0;
    case FV_MINUTES:
        if (str_to_int(&n, *v ? v : "0", 0, 1440) < 0)
            return err_set_field(err, ERR_INVALID, d->name,
                                 "late_after_minutes must be a whole "
                                 "number of minutes from 0 to 1440");
        buf_appendf(out, "%d", n);
        return 0;
    case FV_DAY: return value_day(out, d, v, err);
    case FV_PCT_LOW:
    case FV_PCT_HIGH: return value_pct(out, d, v, err);
    case FV_TYPE: return value_type(out, d, v, err);
    case FV_DEP:
    case FV_TSTATUS:
    case FV_CSTATUS: return value_enum(out, d, v, err);
    default: return err_set(err, ERR_INTERNAL, "unknown field kind");
    }
}

int cat_field_set_checked(hctx *h, int64_t table_id, const char *table,
                          int64_t column_id, const char *column,
                          const char *field, const char *value)
{
    const cat_field_def *d = cat_field_def_get(column_id != 0, field);
    buf v = {0};
    int rc;

    if (!d)
        return err_set_field(
            h->err, ERR_INVALID, "field", "unknown %s field %.60s (one of %s)",
            column_id ? "column" : "table", field,
            column_id ? REGISTRY_COLUMN_FIELDS : REGISTRY_TABLE_FIELDS);
    rc = cat_field_normalise(&v, d, value, h->err);
    if (rc == 0)
        rc = cat_field_set(h, table_id, table, column_id, column, field,
                           buf_cstr(&v));
    buf_dispose(&v);
    return rc;
}

/* ---- new tables and columns --------------------------------------------- */

int cat_table_insert(hctx *h, int64_t *out_id, const cat_table_vals *t)
{
    static const char sql[] =
        "INSERT INTO reg_tables(instance_id, name, description,"
        " consent_relevant, status, created_by_request, created_at,"
        " updated_at) VALUES (:inst, :name, :description, :consent,"
        " :status, :req, :now, :now)";
    int rc;
    sqlite3_stmt *st = reg_stmt_get(h->reg, sql, h->err);

    if (!st)
        return ERR_DB;
    reg_bind_all(
        st, REG_INT(":now", h->now), REG_INT(":inst", h->instance_id),
        REG_TEXT(":name", t->name),
        REG_TEXT(":description", cat_nz(t->description)),
        REG_INT(":consent", t->consent_relevant != 0),
        REG_TEXT(":status", *cat_nz(t->status) ? t->status : "active"));
    cat_bind_id(st, ":req", h->request_id);
    rc = cat_step_done(h->reg, st, h->err);
    if (rc < 0)
        return rc;
    *out_id = sqlite3_last_insert_rowid(h->reg->db);
    return hist_add(h, *out_id, 0, t->name, "", "table", NULL, "created");
}

/* A retired column comes back with the new definition, field by field. */
static int column_revive(hctx *h, int64_t table_id, const char *table,
                         int64_t cid, const char *stored, const col_vals *c)
{
    const char *const set[][2] = {
        {"type", c->type},
        {"description", c->description},
        {"example", c->example},
        {"consent_channel", c->channel},
        {"rule", c->rule},
        {"nullable", c->nullable ? "1" : "0"},
        {"primary_key", c->primary_key ? "1" : "0"},
        {"pii", c->pii ? "1" : "0"},
        {"consent", c->consent ? "1" : "0"},
        {"status", *cat_nz(c->status) ? c->status : "active"}};
    int rc = 0;

    for (size_t i = 0; i < sizeof set / sizeof *set && rc >= 0; i++)
        rc = cat_field_set(h, table_id, table, cid, stored, set[i][0],
                           set[i][1]);
    return rc < 0 ? rc : 0;
}

int cat_column_add(hctx *h, int64_t table_id, const char *table,
                   const col_vals *c)
{
    static const char sql[] =
        "INSERT INTO reg_columns(table_id, position, name, type, nullable,"
        " primary_key, description, example, pii, consent, consent_channel,"
        " rule, status, created_by_request, created_at, updated_at)"
        " VALUES (:tid, (SELECT coalesce(max(position), 0) + 1 FROM"
        " reg_columns WHERE table_id = :tid), :name, :type, :nullable, :pk,"
        " :description, :example, :pii, :consent, :channel, :rule, :status,"
        " :req, :now, :now)";
    sqlite3_stmt *st;
    int64_t cid;
    char status[16], stored[FORM_MAX_IDENT * 4 + 1];
    int rc = cat_column_find(h, table_id, c->name, &cid, status, sizeof status,
                             stored, sizeof stored);

    if (rc < 0)
        return rc;
    if (rc == 1 && strcmp(status, "retired") != 0)
        return err_set(h->err, ERR_CONFLICT,
                       "column %s already exists on table %s", c->name, table);
    if (rc == 1)
        return column_revive(h, table_id, table, cid, stored, c);
    st = reg_stmt_get(h->reg, sql, h->err);
    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":tid", table_id);
    /* Each text with a flag (flags are stored 0 or 1). */
    reg_bind_all(
        st, REG_TEXT(":name", c->name), REG_INT(":nullable", c->nullable != 0),
        REG_TEXT(":type", c->type), REG_INT(":pk", c->primary_key != 0),
        REG_TEXT(":description", c->description), REG_INT(":pii", c->pii != 0),
        REG_TEXT(":example", c->example), REG_INT(":consent", c->consent != 0),
        REG_TEXT(":channel", c->channel), REG_TEXT(":rule", c->rule),
        REG_TEXT(":status", *cat_nz(c->status) ? c->status : "active"));
    cat_bind_id(st, ":req", h->request_id);
    reg_bind_int(st, ":now", h->now);
    rc = cat_step_done(h->reg, st, h->err);
    if (rc < 0)
        return rc;
    cid = sqlite3_last_insert_rowid(h->reg->db);
    return hist_add(h, table_id, cid, table, c->name, "column", NULL, c->type);
}
