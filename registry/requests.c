/* requests.c: storing a submitted change request: the names it uses
 * resolved, the one-transaction insert (with its attachments, first
 * event, first version and outbox rows) and the job the group-commit
 * writer (writer.c) applies. Contracts in requests.h; reading is
 * requests_read.c; the outbox fan-out is registry_event_add (events.c). */
#include "requests.h"
#include "registry_int.h"
#include "buf.h"
#include "mem.h"
#include "parse.h"
#include "str.h"

#include <assert.h>
#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* ---- resolving names -------------------------------------------------- */

/* The id st (bound) selects, or ERR_INVALID naming field when there is
 * no row ("<before>\"<name>\"<after>"). */
static int id_named(registry *reg, sqlite3_stmt *st, int64_t *out,
                    const char *field, const char *before, const char *name,
                    const char *after, errmsg *err)
{
    int rc = reg_count(reg, st, out, err);

    if (rc == ERR_NOTFOUND)
        rc = err_set_field(err, ERR_INVALID, field, "%s\"%.100s\"%s", before,
                           name, after);
    return rc;
}

static int org_id_of(registry *reg, int64_t *out, const char *name, errmsg *err)
{
    static const char sql[] = "SELECT id FROM organisations WHERE name = :name";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_TEXT(":name", name));

    return id_named(reg, st, out, "organisation", "no organisation named ",
                    name, "", err);
}

int reg_request_instance_id(registry *reg, int64_t *out, int64_t org_id,
                            const char *name, const char *field, errmsg *err)
{
    static const char sql[] =
        "SELECT id FROM instances WHERE name = :name AND org_id = :org";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_TEXT(":name", name),
                                REG_INT(":org", org_id));

    return id_named(reg, st, out, field, "", name,
                    " is not an instance of the organisation", err);
}

int reg_request_pm_id(registry *reg, int64_t *out, const char *email,
                      errmsg *err)
{
    static const char sql[] = "SELECT id FROM users WHERE email = :email"
                              " AND role = 'pm' AND active = 1";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_TEXT(":email", email));

    return id_named(reg, st, out, "project_manager", "", email,
                    " is not a project manager", err);
}

static int idem_key_check(const char *key, errmsg *err)
{
    size_t n = strlen(key);

    if (n > REGISTRY_IDEM_MAX)
        return err_set_field(err, ERR_INVALID, "Idempotency-Key",
                             "the Idempotency-Key is longer than %d bytes",
                             REGISTRY_IDEM_MAX);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)key[i] < 0x21 || (unsigned char)key[i] > 0x7e)
            return err_set_field(err, ERR_INVALID, "Idempotency-Key",
                                 "the Idempotency-Key may hold printable "
                                 "ASCII only");
    return 0;
}

/* What idem_lookup finds: the request's id and whether its version-1
 * body is body. */
typedef struct idem_hit {
    const char *body;
    int64_t id;
    int same;
} idem_hit;

static int idem_row(sqlite3_stmt *st, void *ctx)
{
    idem_hit *h = ctx;

    h->id = sqlite3_column_int64(st, 0);
    h->same = !strcmp(reg_col_text(st, 1), h->body);
    return 0;
}

/* An earlier request of the requester with this key: 0 and h->id, or
 * ERR_NOTFOUND; its version-1 body is compared with h->body. */
static int idem_lookup(registry *reg, idem_hit *h, int64_t requester,
                       const char *key, errmsg *err)
{
    static const char sql[] =
        "SELECT r.id, v.body FROM requests r LEFT JOIN request_versions v"
        " ON v.request_id = r.id AND v.version = 1"
        " WHERE r.requester_id = :user AND r.idempotency_key = :key";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":user", requester),
                                REG_TEXT(":key", key));

    return reg_one(reg, st, idem_row, h, err);
}

/* ---- inserting -------------------------------------------------------- */

static int insert_instance(registry *reg, int64_t req_id, int64_t inst_id,
                           int pos, errmsg *err)
{
    static const char sql[] =
        "INSERT OR IGNORE INTO request_instances(request_id, instance_id,"
        " position) VALUES (:req, :inst, :pos)";
    sqlite3_stmt *st =
        reg_stmt(reg, sql, err, REG_INT(":req", req_id),
                 REG_INT(":inst", inst_id), REG_INT(":pos", pos));

    return reg_insert(reg, st, NULL, err);
}

static int insert_column(registry *reg, int64_t item_id, int pos,
                         const form_column *c, errmsg *err)
{
    static const char sql[] =
        "INSERT INTO item_columns(item_id, position, name, type, nullable,"
        " primary_key, description, example, pii, consent, consent_channel,"
        " action, rule) VALUES (:item, :pos, :name, :type, :nullable, :pk,"
        " :descr, :example, :pii, :consent, :channel, :action, :rule)";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    char type[64];

    form_type_format(type, sizeof type, &c->type);
    reg_bind_all(st, REG_INT(":item", item_id), REG_INT(":pos", pos),
                 REG_TEXT(":name", c->name),
                 REG_TEXT(":type", c->type.kind == FORM_TYPE_NONE ? "" : type),
                 REG_INT(":nullable", c->nullable != 0),
                 REG_INT(":pk", c->primary_key != 0),
                 REG_TEXT(":descr", c->description),
                 REG_TEXT(":example", c->example), REG_INT(":pii", c->pii != 0),
                 REG_INT(":consent", c->consent != 0),
                 REG_TEXT(":channel", c->consent_channel),
                 REG_TEXT(":action", form_action_name(c->action)),
                 REG_TEXT(":rule", c->rule));
    return reg_insert(reg, st, NULL, err);
}

static int insert_item(registry *reg, int64_t req_id, int pos,
                       const form_item *it, errmsg *err)
{
    static const char sql[] =
        "INSERT INTO request_items(request_id, position, kind, table_name,"
        " description, primary_key, source, cadence, expected_arrival,"
        " late_after_minutes, file_pattern, campaign_dependency,"
        " campaign_note, owner, escalation, examples, notes, expected_day,"
        " anomaly_low_pct, anomaly_high_pct) VALUES (:req,"
        " :pos, :kind, :table, :descr, :pk, :source, :cadence, :arrival,"
        " :late, :pattern, :dep, :depnote, :owner, :escalation, :examples,"
        " :notes, :day, :low, :high)";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int64_t item_id;
    int rc;

    reg_bind_all(
        st, REG_INT(":req", req_id), REG_INT(":pos", pos),
        REG_TEXT(":kind", form_item_kind_name(it->kind)),
        REG_TEXT(":table", it->table), REG_TEXT(":descr", it->description),
        REG_TEXT(":pk", it->primary_key), REG_TEXT(":source", it->source),
        REG_TEXT(":cadence", it->cadence),
        REG_TEXT(":arrival", it->expected_arrival),
        REG_INT(":late", it->late_after_minutes),
        REG_TEXT(":pattern", it->file_pattern),
        REG_TEXT(":dep", it->campaign_dependency),
        REG_TEXT(":depnote", it->campaign_note), REG_TEXT(":owner", it->owner),
        REG_TEXT(":escalation", it->escalation),
        REG_TEXT(":examples", it->examples), REG_TEXT(":notes", it->notes),
        REG_TEXT(":day", it->expected_day),
        REG_INT(":low", it->anomaly_low_pct > 0 ? it->anomaly_low_pct : -1),
        REG_INT(":high", it->anomaly_high_pct > 0 ? it->anomaly_high_pct : -1));
    rc = reg_insert(reg, st, &item_id, err);
    for (size_t c = 0; rc == 0 && c < it->ncolumns; c++)
        rc = insert_column(reg, item_id, (int)c, &it->columns[c], err);
    return rc;
}

int reg_request_rows_insert(registry *reg, int64_t req_id, int64_t org_id,
                            int64_t main_inst, const form_request *r,
                            errmsg *err)
{
    int rc, pos = 0, listed = 0;

    /* The instances in the order given; the main one first when the list
       does not name it. */
    for (size_t i = 0; i < r->ninstances && !listed; i++)
        listed = !str_casecmp(nz(r->instances[i]), nz(r->instance));
    rc = listed ? 0 : insert_instance(reg, req_id, main_inst, pos++, err);
    for (size_t i = 0; rc == 0 && i < r->ninstances; i++) {
        int64_t other;
        char field[48];
        snprintf(field, sizeof field, "instances[%zu]", i);
        rc = reg_request_instance_id(reg, &other, org_id, nz(r->instances[i]),
                                     field, err);
        if (rc == 0)
            rc = insert_instance(reg, req_id, other, pos++, err);
    }
    for (size_t i = 0; rc == 0 && i < r->nitems; i++)
        rc = insert_item(reg, req_id, (int)i, &r->items[i], err);
    return rc;
}

int reg_attachment_insert(registry *reg, int64_t req_id, int64_t comment_id,
                          int64_t user, const char *filename,
                          const char *content_type, const unsigned char *data,
                          size_t size, int64_t now, errmsg *err)
{
    static const char sql[] =
        "INSERT INTO attachments(request_id, comment_id, filename,"
        " content_type, size, sha256, data, uploaded_by, created_at)"
        " VALUES (:req, :comment, :name, :type, :size, :sha, :data, :user,"
        " :now)";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[2 * crypto_hash_sha256_BYTES + 1];

    crypto_hash_sha256(h, data ? data : (const unsigned char *)"", size);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    reg_bind_all(st, REG_INT(":req", req_id), REG_ID(":comment", comment_id),
                 REG_TEXT(":name", filename), REG_TEXT(":type", content_type),
                 REG_INT(":size", (int64_t)size), REG_TEXT(":sha", hex));
    /* zeroblob for an empty file: a NULL pointer would bind NULL. */
    if (st && size)
        sqlite3_bind_blob64(st, reg_param(st, ":data"), data,
                            (sqlite3_uint64)size, SQLITE_STATIC);
    else if (st)
        sqlite3_bind_zeroblob(st, reg_param(st, ":data"), 0);
    reg_bind_all(st, REG_ID(":user", user), REG_INT(":now", now));
    return reg_insert(reg, st, NULL, err);
}

/* "2 columns added", "1 attribute retired", ... */
static void add_count(cJSON *changes, size_t n, const char *what,
                      const char *verb)
{
    char s[96];

    if (!n)
        return;
    snprintf(s, sizeof s, "%zu %s%s %s", n, what, n == 1 ? "" : "s", verb);
    cJSON_AddItemToArray(changes, cJSON_CreateString(s));
}

/* The "tables" array of the request.submitted payload: one entry per
 * table of the main instance, the changes of every item on it merged. */
static cJSON *payload_tables(const form_request *r)
{
    cJSON *arr = cJSON_CreateArray();

    for (size_t i = 0; i < r->nitems; i++) {
        const form_item *it = &r->items[i];
        cJSON *t = NULL, *changes;
        size_t added = 0, changed = 0, retired = 0;
        int consent = 0;
        buf url = {0};
        cJSON *e;

        cJSON_ArrayForEach(e, arr)
        {
            const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "table");
            if (!t && cJSON_IsString(n) &&
                !str_casecmp(n->valuestring, nz(it->table)))
                t = e;
        }
        for (size_t c = 0; c < it->ncolumns; c++) {
            const form_column *col = &it->columns[c];
            consent |= col->consent != 0;
            if (col->action == FORM_ACTION_CHANGE)
                changed++;
            else if (col->action == FORM_ACTION_RETIRE)
                retired++;
            else
                added++;
        }
        if (!t) {
            t = cJSON_CreateObject();
            cJSON_AddStringToObject(t, "instance", nz(r->instance));
            cJSON_AddStringToObject(t, "table", nz(it->table));
            cJSON_AddStringToObject(t, "campaign_dependency",
                                    nz(it->campaign_dependency));
            cJSON_AddBoolToObject(t, "consent", consent);
            cJSON_AddArrayToObject(t, "changes");
            buf_puts(&url, "/tables/");
            buf_append_url(&url, nz(r->instance));
            buf_putc(&url, '/');
            buf_append_url(&url, nz(it->table));
            cJSON_AddStringToObject(t, "url", buf_cstr(&url));
            buf_dispose(&url);
            cJSON_AddItemToArray(arr, t);
        } else {
            cJSON *dep =
                cJSON_GetObjectItemCaseSensitive(t, "campaign_dependency");
            if (consent)
                cJSON_ReplaceItemInObjectCaseSensitive(t, "consent",
                                                       cJSON_CreateBool(1));
            if (cJSON_IsString(dep) && !*dep->valuestring &&
                *nz(it->campaign_dependency))
                cJSON_ReplaceItemInObjectCaseSensitive(
                    t, "campaign_dependency",
                    cJSON_CreateString(it->campaign_dependency));
        }
        changes = cJSON_GetObjectItemCaseSensitive(t, "changes");
        switch (it->kind) {
        case FORM_ITEM_NEW_TABLE:
            cJSON_AddItemToArray(changes, cJSON_CreateString("new table"));
            add_count(changes, it->ncolumns, "column", "defined");
            break;
        case FORM_ITEM_ADD_COLUMNS:
            add_count(changes, it->ncolumns, "column", "added");
            break;
        default:
            add_count(changes, added, "attribute", "added");
            add_count(changes, changed, "attribute", "changed");
            add_count(changes, retired, "attribute", "retired");
            break;
        }
    }
    return arr;
}

static char *payload_json(const form_request *r, int64_t id, const char *actor)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *req = cJSON_AddObjectToObject(root, "request");
    cJSON *inst;
    char num[32], url[48];
    char *s;

    snprintf(num, sizeof num, "CR-%lld", (long long)id);
    snprintf(url, sizeof url, "/requests/%lld", (long long)id);
    cJSON_AddStringToObject(root, "event", "request.submitted");
    cJSON_AddNumberToObject(req, "id", (double)id);
    cJSON_AddStringToObject(req, "number", num);
    cJSON_AddStringToObject(req, "title", nz(r->title));
    cJSON_AddStringToObject(req, "status", "submitted");
    cJSON_AddStringToObject(req, "organisation", nz(r->organisation));
    cJSON_AddStringToObject(req, "instance", nz(r->instance));
    inst = cJSON_AddArrayToObject(req, "instances");
    cJSON_AddItemToArray(inst, cJSON_CreateString(nz(r->instance)));
    for (size_t i = 0; i < r->ninstances; i++)
        if (strcmp(nz(r->instances[i]), nz(r->instance)) != 0)
            cJSON_AddItemToArray(inst, cJSON_CreateString(r->instances[i]));
    cJSON_AddStringToObject(req, "requester_name", nz(r->requester_name));
    cJSON_AddStringToObject(req, "requester_email", nz(r->requester_email));
    cJSON_AddStringToObject(req, "project_manager", nz(r->project_manager));
    cJSON_AddBoolToObject(req, "consent_related", r->consent_related);
    cJSON_AddStringToObject(req, "consent_note", nz(r->consent_note));
    cJSON_AddItemToObject(root, "tables", payload_tables(r));
    cJSON_AddStringToObject(root, "actor", actor);
    cJSON_AddStringToObject(root, "url", url);
    s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return s;
}

/* The requests row of r (status "submitted", version 1): its id in
 * *out_id. Inside the caller's transaction. */
static int insert_request_row(registry *reg, int64_t *out_id,
                              const form_request *r, int64_t org_id,
                              int64_t inst_id, int64_t pm_id, int64_t user,
                              const char *key, int64_t now, errmsg *err)
{
    static const char sql[] =
        "INSERT INTO requests(org_id, instance_id, requester_id,"
        " requester_name, requester_email, pm_id, title, summary,"
        " consent_related, consent_note, desired_date, status, version,"
        " idempotency_key, created_at, updated_at) VALUES (:org, :inst,"
        " :user, :rname, :remail, :pm, :title, :summary, :consent,"
        " :cnote, :desired, 'submitted', 1, :key, :now, :now)";
    sqlite3_stmt *st = reg_stmt(
        reg, sql, err, REG_INT(":org", org_id), REG_INT(":inst", inst_id),
        REG_ID(":user", user), REG_TEXT(":rname", r->requester_name),
        REG_TEXT(":remail", r->requester_email), REG_ID(":pm", pm_id),
        REG_TEXT(":title", r->title), REG_TEXT(":summary", r->summary),
        REG_INT(":consent", r->consent_related != 0),
        REG_TEXT(":cnote", r->consent_note),
        REG_TEXT(":desired", r->desired_date));

    if (*key)
        reg_bind_text(st, ":key", key);
    else
        reg_bind_null(st, ":key");
    reg_bind_int(st, ":now", now);
    return reg_insert(reg, st, out_id, err);
}

/* The first event ('' -> 'submitted') and version (body) of request
 * req_id. */
static int insert_first_event(registry *reg, int64_t req_id, int64_t user,
                              const char *body, int64_t now, errmsg *err)
{
    static const char ev[] =
        "INSERT INTO request_events(request_id, user_id, from_status,"
        " to_status, created_at) VALUES (:req, :user, '', 'submitted',"
        " :now)";
    static const char ver[] =
        "INSERT INTO request_versions(request_id, version, body, user_id,"
        " created_at) VALUES (:req, 1, :body, :user, :now)";
    sqlite3_stmt *st = reg_stmt(reg, ev, err, REG_INT(":req", req_id),
                                REG_ID(":user", user), REG_INT(":now", now));
    int rc;

    rc = reg_insert(reg, st, NULL, err);
    if (rc < 0)
        return rc;
    st = reg_stmt(reg, ver, err, REG_INT(":req", req_id),
                  REG_TEXT(":body", body), REG_ID(":user", user),
                  REG_INT(":now", now));
    return reg_insert(reg, st, NULL, err);
}

/* Everything of the insert once the organisation is known; runs inside
 * the transaction. */
static int insert_all(registry *reg, int64_t *out_id, const form_request *r,
                      const registry_submit *s, int64_t org_id,
                      const char *body, errmsg *err)
{
    int64_t inst_id, pm_id = 0, req_id = 0, now = time_now();
    const char *key = s && s->requester_id ? nz(s->idempotency_key) : "";
    int64_t user = s ? s->requester_id : 0;
    const char *actor =
        s && s->actor && *s->actor ? s->actor : nz(r->requester_name);
    char *payload;
    int rc;

    rc = reg_request_instance_id(reg, &inst_id, org_id, nz(r->instance),
                                 "instance", err);
    if (rc == 0 && *nz(r->project_manager))
        rc = reg_request_pm_id(reg, &pm_id, r->project_manager, err);
    if (rc == 0)
        rc = insert_request_row(reg, &req_id, r, org_id, inst_id, pm_id, user,
                                key, now, err);
    if (rc == 0)
        rc = reg_request_rows_insert(reg, req_id, org_id, inst_id, r, err);
    for (size_t i = 0; rc == 0 && i < r->nattachments; i++)
        rc = reg_attachment_insert(
            reg, req_id, 0, user, r->attachments[i].filename,
            r->attachments[i].content_type, r->attachments[i].data,
            r->attachments[i].size, now, err);
    if (rc == 0)
        rc = insert_first_event(reg, req_id, user, body, now, err);
    if (rc < 0)
        return rc;
    payload = payload_json(r, req_id, actor);
    {
        registry_event_about about = {.request_id = req_id, .actor_id = user};
        rc = registry_event_add(reg, NULL, "request.submitted", &about, payload,
                                err);
    }
    cJSON_free(payload);
    if (rc == 0)
        *out_id = req_id;
    return rc;
}

int registry_search_flush(registry *reg, errmsg *err)
{
    static const char queued[] = "SELECT EXISTS (SELECT 1 FROM search_pending)";
    static const char write[] = REGISTRY_SEARCH_FLUSH_SQL;
    static const char clear[] = REGISTRY_SEARCH_CLEAR_SQL;
    int64_t any = 0;
    int rc = reg_count(reg, reg_stmt_get(reg, queued, err), &any, err);

    if (rc < 0 || !any)
        return rc;
    rc = reg_exec_bound(reg, reg_stmt_get(reg, write, err), err);
    if (rc >= 0)
        rc = reg_exec_bound(reg, reg_stmt_get(reg, clear, err), err);
    return rc < 0 ? rc : 0;
}

int registry_job_init(registry_job *job, const form_request *r,
                      const registry_submit *s, errmsg *err)
{
    const char *key = s && s->requester_id ? nz(s->idempotency_key) : "";
    cJSON *json;
    int rc;

    memset(job, 0, sizeof *job);
    rc = *key ? idem_key_check(key, err) : 0;
    if (rc < 0)
        return rc;
    job->r = r;
    if (s)
        job->sub = *s;
    /* The body is built here, on the caller's thread, so a writer that
       applies a batch of jobs spends its time on the inserts alone. */
    json = form_request_to_json(r);
    job->body = cJSON_PrintUnformatted(json);
    cJSON_Delete(json);
    return 0;
}

void registry_job_dispose(registry_job *job)
{
    if (!job)
        return;
    cJSON_free(job->body);
    job->body = NULL;
}

int reg_job_apply(registry *reg, registry_job *job)
{
    const registry_submit *s = &job->sub;
    const char *key = s->requester_id ? nz(s->idempotency_key) : "";
    idem_hit hit = {job->body, 0, 0};
    int64_t org_id = 0, id = 0;
    int rc = ERR_NOTFOUND;

    assert(job->r && job->body);
    job->id = 0;
    job->replayed = 0;
    memset(&job->err, 0, sizeof job->err);
    if (*key)
        rc = idem_lookup(reg, &hit, s->requester_id, key, &job->err);
    if (rc == 0 && !hit.same)
        return job->rc = err_set_field(
                   &job->err, ERR_CONFLICT, "Idempotency-Key",
                   "this Idempotency-Key was used for CR-%lld with a "
                   "different body",
                   (long long)hit.id);
    if (rc == 0) {
        job->replayed = 1;
        job->id = hit.id;
        return job->rc = 0;
    }
    if (rc != ERR_NOTFOUND)
        return job->rc = rc;
    rc = org_id_of(reg, &org_id, nz(job->r->organisation), &job->err);
    if (rc == 0)
        rc = insert_all(reg, &id, job->r, s, org_id, job->body, &job->err);
    if (rc == 0)
        job->id = id;
    return job->rc = rc;
}

int registry_job_run(registry *reg, registry_job *job)
{
    int rc = registry_begin(reg, &job->err);

    if (rc < 0)
        return job->rc = rc;
    rc = reg_job_apply(reg, job);
    /* A replay or a rejected job wrote nothing: nothing to commit. */
    if (rc == 0 && !job->replayed)
        rc = registry_commit(reg, &job->err);
    else
        registry_rollback(reg);
    if (rc < 0) {
        job->id = 0;
        job->replayed = 0;
    }
    return job->rc = rc;
}

int registry_request_insert(registry *reg, int64_t *out_id, int *out_replayed,
                            const form_request *r, const registry_submit *s,
                            errmsg *err)
{
    registry_job job;
    int rc;

    if (out_replayed)
        *out_replayed = 0;
    rc = registry_job_init(&job, r, s, err);
    if (rc < 0)
        return rc;
    rc = registry_job_run(reg, &job);
    if (rc < 0) {
        if (err && !err->code)
            *err = job.err;
    } else {
        *out_id = job.id;
        if (out_replayed)
            *out_replayed = job.replayed;
    }
    registry_job_dispose(&job);
    return rc;
}
