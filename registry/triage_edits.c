/* triage_edits.c: comments with their files, edits of a submitted
 * request with versions, the field-level differences between two
 * versions (registry_version_diff, pure), and the old column types a
 * migration needs. Contracts in triage.h. */
#include "triage_int.h"
#include "buf.h"
#include "mem.h"
#include "parse.h"
#include "requests.h"
#include "str.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- comments --------------------------------------------------------- */

typedef struct comment_in {
    int64_t id;
    const registry_actor *who;
    const char *text; /* trimmed */
    const registry_file *files;
    size_t nfiles;
    int64_t now;
    int64_t cid; /* out */
} comment_in;

static void comment_extra(cJSON *payload, void *ctx)
{
    comment_in *c = ctx;

    cJSON_AddNumberToObject(payload, "comment", (double)c->cid);
    cJSON_AddNumberToObject(payload, "files", (double)c->nfiles);
}

static int comment_tx(registry *reg, void *ctx, errmsg *err)
{
    static const char sql[] =
        "INSERT INTO comments(request_id, user_id, body, created_at)"
        " VALUES (:req, :user, :body, :now)";
    static const char touch[] =
        "UPDATE requests SET updated_at = :now WHERE id = :id";
    comment_in *c = ctx;
    tr_state s;
    sqlite3_stmt *st;
    int rc = tr_state_get(reg, &s, c->id, tr_org_filter(c->who), err);

    if (rc < 0)
        return rc;
    st = reg_stmt(reg, sql, err, REG_INT(":req", c->id),
                  REG_ID(":user", c->who->user_id), REG_TEXT(":body", c->text),
                  REG_INT(":now", c->now));
    rc = reg_insert(reg, st, &c->cid, err);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < c->nfiles && rc == 0; i++)
        rc = reg_attachment_insert(reg, c->id, c->cid, c->who->user_id,
                                   c->files[i].filename,
                                   c->files[i].content_type, c->files[i].data,
                                   c->files[i].size, c->now, err);
    if (rc < 0)
        return rc;
    st = reg_stmt(reg, touch, err, REG_INT(":now", c->now),
                  REG_INT(":id", c->id));
    rc = tr_exec(reg, st, err);
    if (rc == 0)
        rc = tr_event_write(reg, EV_REQUEST_COMMENTED, c->id, c->who, c->text,
                            comment_extra, c, err);
    return rc;
}

int registry_comment_add(registry *reg, int64_t *out_id, int64_t id,
                         const registry_actor *who, const char *body,
                         const registry_file *files, size_t nfiles, errmsg *err)
{
    char *text = str_trim_dup(tr_nz(body));
    comment_in c = {id, who, text, files, nfiles, time_now(), 0};
    int rc;

    assert(who && (files || !nfiles));
    if (!*text && !nfiles)
        rc = err_set_field(err, ERR_INVALID, "body", "write a comment");
    else if (nfiles > FORM_MAX_ATTACHMENTS)
        rc =
            err_set_field(err, ERR_INVALID, "attachments",
                          "at most %d files per comment", FORM_MAX_ATTACHMENTS);
    else
        rc = tr_text_check(text, REGISTRY_COMMENT_MAX, "body", err);
    if (rc == 0)
        rc = tr_in_tx(reg, comment_tx, &c, err);
    if (rc == 0 && out_id)
        *out_id = c.cid;
    free(text);
    return rc;
}

static void comment_read(registry_comment *c, sqlite3_stmt *st)
{
    reg_cols(st, "iittti", &c->id, &c->user_id, &c->user_name, &c->user_role,
             &c->body, &c->created_at);
}

REG_EACH_ADAPTER(comment, registry_comment, comment_read)

int registry_comment_list(registry *reg, int64_t id, int64_t org_filter,
                          void (*fn)(void *ctx, const registry_comment *c),
                          void *ctx, errmsg *err)
{
    static const char sql[] =
        "SELECT c.id, coalesce(c.user_id, 0), coalesce(u.name, ''),"
        " coalesce(u.role, ''), c.body, c.created_at FROM comments c"
        " JOIN requests r ON r.id = c.request_id"
        " LEFT JOIN users u ON u.id = c.user_id"
        " WHERE c.request_id = :id AND (:org = 0 OR r.org_id = :org)"
        " ORDER BY c.id";
    struct comment_each e = {fn, ctx};

    return reg_each(reg, tr_request_stmt(reg, sql, id, org_filter, err),
                    comment_each_row, &e, err);
}

typedef struct file_each {
    void (*fn)(void *ctx, int64_t comment_id, int64_t file_id,
               const char *filename, int64_t size);
    void *ctx;
} file_each;

static int file_row(sqlite3_stmt *st, void *ctx)
{
    file_each *e = ctx;

    e->fn(e->ctx, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
          reg_col_text(st, 2), sqlite3_column_int64(st, 3));
    return 0;
}

int registry_comment_files(registry *reg, int64_t id, int64_t org_filter,
                           void (*fn)(void *ctx, int64_t comment_id,
                                      int64_t file_id, const char *filename,
                                      int64_t size),
                           void *ctx, errmsg *err)
{
    static const char sql[] =
        "SELECT a.comment_id, a.id, a.filename, a.size FROM attachments a"
        " JOIN requests r ON r.id = a.request_id WHERE a.request_id = :id"
        " AND a.comment_id IS NOT NULL AND (:org = 0 OR r.org_id = :org)"
        " ORDER BY a.id";
    file_each e = {fn, ctx};

    return reg_each(reg, tr_request_stmt(reg, sql, id, org_filter, err),
                    file_row, &e, err);
}

/* ---- edits ------------------------------------------------------------ */

/* The version body of r as stored for id (organisation and requester from
 * the stored request). Caller frees. */
static char *version_body(const form_request *r, const form_request *stored)
{
    form_request copy = *r;
    cJSON *json;
    char *s;

    copy.id = 0;
    copy.status = NULL;
    copy.created_at = copy.updated_at = 0;
    copy.attachments = NULL;
    copy.nattachments = 0;
    copy.organisation = stored->organisation;
    copy.requester_name = stored->requester_name;
    copy.requester_email = stored->requester_email;
    json = form_request_to_json(&copy);
    s = cJSON_PrintUnformatted(json);
    cJSON_Delete(json);
    return s;
}

static int body_row(sqlite3_stmt *st, void *ctx)
{
    *(char **)ctx = xstrdup(reg_col_text(st, 0));
    return 0;
}

static int latest_body(registry *reg, int64_t id, char **out, errmsg *err)
{
    static const char sql[] =
        "SELECT body FROM request_versions WHERE request_id = :id"
        " ORDER BY version DESC LIMIT 1";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":id", id));
    int rc;

    rc = reg_one(reg, st, body_row, out, err);
    if (rc == ERR_NOTFOUND) {
        *out = xstrdup("{}");
        rc = 0;
    }
    return rc;
}

/* An edit in progress. */
typedef struct edit_in {
    int64_t id;
    const registry_actor *who;
    const form_request *r;
    int answers;
    int64_t now;
    tr_state s;
    int version; /* out */
} edit_in;

/* The edit's checks; *body gets the new version body (caller frees). */
static int edit_check(registry *reg, edit_in *e, int64_t *inst, int64_t *pm,
                      char **body, errmsg *err)
{
    form_request stored;
    char *old = NULL;
    int rc, ndiff;

    if (e->who->role == ROLE_OPS)
        return err_set(err, ERR_FORBIDDEN, "operations may not edit requests");
    if (e->s.status != REQ_SUBMITTED && e->s.status != REQ_NEEDS_INFO)
        return err_set(err, ERR_CONFLICT,
                       "CR-%lld is %s: it can be edited only while submitted "
                       "or waiting for information",
                       (long long)e->id,
                       tr_nz(registry_status_name(e->s.status)));
    memset(&stored, 0, sizeof stored);
    rc = registry_request_load(reg, &stored, e->id, 0, err);
    if (rc == 0)
        rc = reg_request_instance_id(reg, inst, e->s.org_id,
                                     tr_nz(e->r->instance), "instance", err);
    if (rc == 0 && *tr_nz(e->r->project_manager))
        rc = reg_request_pm_id(reg, pm, e->r->project_manager, err);
    if (rc == 0) {
        *body = version_body(e->r, &stored);
        rc = latest_body(reg, e->id, &old, err);
    }
    if (rc == 0) {
        ndiff = registry_version_diff(old, *body, NULL, NULL);
        if (ndiff <= 0)
            rc = err_set(err, ERR_CONFLICT, "nothing was changed");
    }
    form_request_dispose(&stored);
    free(old);
    return rc;
}

static int edit_update(registry *reg, const edit_in *e, int64_t inst,
                       int64_t pm, errmsg *err)
{
    static const char upd[] =
        "UPDATE requests SET instance_id = :inst, pm_id = :pm, title ="
        " :title, summary = :summary, consent_related = :consent,"
        " consent_note = :cnote, desired_date = :desired, version ="
        " :version, updated_at = :now WHERE id = :id";
    static const char del_items[] =
        "DELETE FROM request_items WHERE request_id = :id";
    static const char del_inst[] =
        "DELETE FROM request_instances WHERE request_id = :id";
    sqlite3_stmt *st = reg_stmt(
        reg, upd, err, REG_INT(":inst", inst), REG_ID(":pm", pm),
        REG_TEXT(":title", e->r->title), REG_TEXT(":summary", e->r->summary),
        REG_INT(":consent", e->r->consent_related != 0),
        REG_TEXT(":cnote", e->r->consent_note),
        REG_TEXT(":desired", e->r->desired_date),
        REG_INT(":version", e->version), REG_INT(":now", e->now),
        REG_INT(":id", e->id));
    int rc;

    rc = tr_exec(reg, st, err);
    for (int k = 0; k < 2 && rc == 0; k++) {
        st = reg_stmt_get(reg, k ? del_inst : del_items, err);
        if (st)
            reg_bind_int(st, ":id", e->id);
        rc = tr_exec(reg, st, err);
    }
    if (rc == 0)
        rc = reg_request_rows_insert(reg, e->id, e->s.org_id, inst, e->r, err);
    return rc;
}

static void edit_extra(cJSON *payload, void *ctx)
{
    cJSON_AddNumberToObject(payload, "version", *(int *)ctx);
}

static int edit_tx(registry *reg, void *ctx, errmsg *err)
{
    static const char ver[] =
        "INSERT INTO request_versions(request_id, version, body, user_id,"
        " created_at) VALUES (:req, :version, :body, :user, :now)";
    edit_in *e = ctx;
    int64_t inst = 0, pm = 0;
    char *body = NULL, note[64];
    sqlite3_stmt *st;
    int rc = tr_state_get(reg, &e->s, e->id, tr_org_filter(e->who), err);

    if (rc == 0)
        rc = edit_check(reg, e, &inst, &pm, &body, err);
    e->version = e->s.version + 1;
    if (rc == 0)
        rc = edit_update(reg, e, inst, pm, err);
    if (rc == 0) {
        st = reg_stmt_get(reg, ver, err);
        if (st) {
            reg_bind_all(
                st, REG_INT(":req", e->id), REG_INT(":version", e->version),
                REG_TEXT(":body", body), REG_ID(":user", e->who->user_id),
                REG_INT(":now", e->now));
        }
        rc = tr_exec(reg, st, err);
    }
    free(body);
    snprintf(note, sizeof note, "version %d", e->version);
    if (rc == 0)
        rc = tr_event_write(reg, EV_REQUEST_UPDATED, e->id, e->who, note,
                            edit_extra, &e->version, err);
    if (rc == 0 && e->answers && e->s.status == REQ_NEEDS_INFO) {
        registry_transition t = {0};
        char msg[96];
        snprintf(msg, sizeof msg,
                 "Answered by editing the request (version %d).", e->version);
        t.to = REQ_ANSWERED;
        t.note = msg;
        rc = tr_transition_tx(reg, NULL, e->id, e->who, &t, err);
    }
    return rc;
}

int registry_request_edit(registry *reg, int *out_version, int64_t id,
                          const registry_actor *who, const form_request *r,
                          int answers, errmsg *err)
{
    edit_in e = {id, who, r, answers, time_now(), {0}, 0};
    int rc;

    assert(who && r);
    rc = tr_in_tx(reg, edit_tx, &e, err);
    if (rc == 0 && out_version)
        *out_version = e.version;
    return rc;
}

static void version_read(registry_version *v, sqlite3_stmt *st)
{
    reg_cols(st, "ntti", &v->version, &v->body, &v->user_name, &v->created_at);
}

REG_EACH_ADAPTER(version, registry_version, version_read)

int registry_version_list(registry *reg, int64_t id, int64_t org_filter,
                          void (*fn)(void *ctx, const registry_version *v),
                          void *ctx, errmsg *err)
{
    static const char sql[] =
        "SELECT v.version, v.body, coalesce(u.name, ''), v.created_at"
        " FROM request_versions v JOIN requests r ON r.id = v.request_id"
        " LEFT JOIN users u ON u.id = v.user_id WHERE v.request_id = :id"
        " AND (:org = 0 OR r.org_id = :org) ORDER BY v.version";
    struct version_each e = {fn, ctx};

    return reg_each(reg, tr_request_stmt(reg, sql, id, org_filter, err),
                    version_each_row, &e, err);
}

/* ---- migrations ------------------------------------------------------- */

static int old_type_row(sqlite3_stmt *st, void *ctx)
{
    form_column *col = ctx;
    const char *t = reg_col_text(st, 0);

    if (*t && form_type_parse(&col->old_type, t, NULL) < 0)
        memset(&col->old_type, 0, sizeof col->old_type);
    return 0;
}

int registry_request_old_types(registry *reg, form_request *r,
                               const char *instance, errmsg *err)
{
    static const char sql[] =
        "SELECT c.type FROM reg_columns c JOIN reg_tables t ON t.id ="
        " c.table_id JOIN instances i ON i.id = t.instance_id"
        " WHERE i.name = :inst AND t.name = :table AND c.name = :col";

    for (size_t i = 0; i < r->nitems; i++) {
        form_item *it = &r->items[i];
        for (size_t c = 0; c < it->ncolumns; c++) {
            form_column *col = &it->columns[c];
            sqlite3_stmt *st;
            int rc;
            if (col->action != FORM_ACTION_CHANGE)
                continue;
            st = reg_stmt_get(reg, sql, err);
            if (!st)
                return ERR_DB;
            reg_bind_all(st, REG_TEXT(":inst", instance),
                         REG_TEXT(":table", it->table),
                         REG_TEXT(":col", col->name));
            memset(&col->old_type, 0, sizeof col->old_type);
            rc = reg_one(reg, st, old_type_row, col, err);
            if (rc < 0 && rc != ERR_NOTFOUND)
                return rc;
        }
    }
    return 0;
}

/* ---- diffs ------------------------------------------------------------ */

typedef struct diff_ctx {
    void (*fn)(void *ctx, const char *path, const char *o, const char *n);
    void *ctx;
    int n;
} diff_ctx;

static int diff_skip(const char *key)
{
    static const char *const skip[] = {
        "attachments", "id",         "number", "status",
        "created_at",  "updated_at", "url",    "old_type"};

    for (size_t i = 0; i < sizeof skip / sizeof *skip; i++)
        if (!strcmp(key, skip[i]))
            return 1;
    return 0;
}

/* A leaf as text (caller frees); NULL for absent/null. */
static char *leaf_text(const cJSON *v)
{
    char num[48];

    if (!v || cJSON_IsNull(v))
        return NULL;
    if (cJSON_IsString(v))
        return xstrdup(v->valuestring);
    if (cJSON_IsBool(v))
        return xstrdup(cJSON_IsTrue(v) ? "yes" : "no");
    if (cJSON_IsNumber(v)) {
        snprintf(num, sizeof num, "%g", v->valuedouble);
        return xstrdup(num);
    }
    if (cJSON_IsArray(v)) {
        buf b = {0};
        const cJSON *e;
        cJSON_ArrayForEach(e, v)
        {
            char *t = leaf_text(e);
            if (b.len)
                buf_puts(&b, ", ");
            buf_puts(&b, t ? t : "");
            free(t);
        }
        return buf_detach(&b);
    }
    return xstrdup("…");
}

/* "new_table orders" for an item, "email string(255)" for a column. */
static char *object_summary(const cJSON *o)
{
    static const char *const keys[] = {"kind", "table", "name", "type"};
    buf b = {0};

    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, keys[i]);
        if (cJSON_IsString(v) && *v->valuestring) {
            if (b.len)
                buf_putc(&b, ' ');
            buf_puts(&b, v->valuestring);
        }
    }
    return buf_detach(&b);
}

static void diff_emit(diff_ctx *d, const char *path, const char *o,
                      const char *n)
{
    d->n++;
    if (d->fn)
        d->fn(d->ctx, path, o, n);
}

static void diff_value(diff_ctx *d, const char *path, const cJSON *a,
                       const cJSON *b);

static int is_object_array(const cJSON *v)
{
    return cJSON_IsArray(v) &&
           (cJSON_GetArraySize(v) == 0 || cJSON_IsObject(v->child));
}

/* path.key into p (key alone at the top). */
static const char *key_path(buf *p, const char *path, const char *key)
{
    buf_reset(p);
    if (*path) {
        buf_puts(p, path);
        buf_putc(p, '.');
    }
    buf_puts(p, key);
    return buf_cstr(p);
}

static void diff_object(diff_ctx *d, const char *path, const cJSON *a,
                        const cJSON *b)
{
    const cJSON *e;
    buf p = {0};

    cJSON_ArrayForEach(e, a)
    {
        if (!e->string || diff_skip(e->string))
            continue;
        diff_value(d, key_path(&p, path, e->string), e,
                   cJSON_GetObjectItemCaseSensitive(b, e->string));
    }
    cJSON_ArrayForEach(e, b)
    {
        if (!e->string || diff_skip(e->string) ||
            cJSON_GetObjectItemCaseSensitive(a, e->string))
            continue;
        diff_value(d, key_path(&p, path, e->string), NULL, e);
    }
    buf_dispose(&p);
}

static void diff_value(diff_ctx *d, const char *path, const cJSON *a,
                       const cJSON *b)
{
    if ((a && cJSON_IsObject(a)) || (b && cJSON_IsObject(b))) {
        if (a && b && cJSON_IsObject(a) && cJSON_IsObject(b)) {
            diff_object(d, path, a, b);
        } else {
            char *o = a ? object_summary(a) : NULL;
            char *n = b ? object_summary(b) : NULL;
            diff_emit(d, path, o, n);
            free(o);
            free(n);
        }
        return;
    }
    if ((a && is_object_array(a) && cJSON_GetArraySize(a)) ||
        (b && is_object_array(b) && cJSON_GetArraySize(b))) {
        int na = a && cJSON_IsArray(a) ? cJSON_GetArraySize(a) : 0;
        int nb = b && cJSON_IsArray(b) ? cJSON_GetArraySize(b) : 0;
        int n = na > nb ? na : nb;
        char p[200];
        for (int i = 0; i < n; i++) {
            snprintf(p, sizeof p, "%s[%d]", path, i);
            diff_value(d, p, i < na ? cJSON_GetArrayItem(a, i) : NULL,
                       i < nb ? cJSON_GetArrayItem(b, i) : NULL);
        }
        return;
    }
    {
        char *o = leaf_text(a), *n = leaf_text(b);
        /* Absent, null and "" read the same in a form. */
        const char *os = o ? o : "", *ns = n ? n : "";
        if (strcmp(os, ns) != 0)
            diff_emit(d, path, o, n);
        free(o);
        free(n);
    }
}

int registry_version_diff(const char *old_json, const char *new_json,
                          void (*fn)(void *ctx, const char *path,
                                     const char *old_value,
                                     const char *new_value),
                          void *ctx)
{
    cJSON *a = cJSON_Parse(tr_nz(old_json)), *b = cJSON_Parse(tr_nz(new_json));
    diff_ctx d = {fn, ctx, 0};
    int rc;

    if (!a || !b) {
        rc = ERR_INVALID;
        goto done;
    }
    diff_value(&d, "", a, b);
    rc = d.n;
done:
    cJSON_Delete(a);
    cJSON_Delete(b);
    return rc;
}
