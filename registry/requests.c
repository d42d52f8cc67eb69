/* requests.c: change requests: the one-transaction insert of a submission
 * (with its attachments, first event, first version and outbox rows),
 * loading, listing, attachments and the timeline. Contracts in requests.h;
 * the outbox fan-out is registry_event_add (events.c). Every query that a
 * client can reach takes an organisation filter and applies it in SQL. */
#include "requests.h"
#include "registry_int.h"
#include "buf.h"
#include "mem.h"
#include "parse.h"
#include "str.h"

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

/* Steps st, which selects at most one id: 0 with *out set, 1 when there
 * is no row, or ERR_DB. Resets st. */
static int step_one_id(registry *reg, sqlite3_stmt *st, int64_t *out,
                       errmsg *err)
{
    int rc = sqlite3_step(st);

    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = 1;
    } else {
        rc = reg_db_error(reg, err);
    }
    reg_done(st);
    return rc;
}

static int org_id_of(registry *reg, int64_t *out, const char *name, errmsg *err)
{
    static const char sql[] = "SELECT id FROM organisations WHERE name = :name";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":name", name);
    rc = step_one_id(reg, st, out, err);
    if (rc == 1)
        rc = err_set_field(err, ERR_INVALID, "organisation",
                           "no organisation named \"%.100s\"", name);
    return rc;
}

int reg_request_instance_id(registry *reg, int64_t *out, int64_t org_id,
                            const char *name, const char *field, errmsg *err)
{
    static const char sql[] =
        "SELECT id FROM instances WHERE name = :name AND org_id = :org";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":name", name);
    reg_bind_int(st, ":org", org_id);
    rc = step_one_id(reg, st, out, err);
    if (rc == 1)
        rc = err_set_field(err, ERR_INVALID, field,
                           "\"%.100s\" is not an instance of the "
                           "organisation",
                           name);
    return rc;
}

int reg_request_pm_id(registry *reg, int64_t *out, const char *email,
                      errmsg *err)
{
    static const char sql[] = "SELECT id FROM users WHERE email = :email"
                              " AND role = 'pm' AND active = 1";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":email", email);
    rc = step_one_id(reg, st, out, err);
    if (rc == 1)
        rc = err_set_field(err, ERR_INVALID, "project_manager",
                           "\"%.100s\" is not a project manager", email);
    return rc;
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

/* An earlier request of the requester with this key: 0 and *out_id, or
 * ERR_NOTFOUND; the version-1 body is compared with body. */
static int idem_lookup(registry *reg, int64_t *out_id, int *same,
                       int64_t requester, const char *key, const char *body,
                       errmsg *err)
{
    static const char sql[] =
        "SELECT r.id, v.body FROM requests r LEFT JOIN request_versions v"
        " ON v.request_id = r.id AND v.version = 1"
        " WHERE r.requester_id = :user AND r.idempotency_key = :key";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":user", requester);
    reg_bind_text(st, ":key", key);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out_id = sqlite3_column_int64(st, 0);
        *same = !strcmp(reg_col_text(st, 1), body);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = ERR_NOTFOUND;
    } else {
        rc = reg_db_error(reg, err);
    }
    reg_done(st);
    return rc;
}

/* ---- inserting -------------------------------------------------------- */

static int step_done(registry *reg, sqlite3_stmt *st, errmsg *err)
{
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : reg_db_error(reg, err);

    reg_done(st);
    return rc;
}

static int insert_instance(registry *reg, int64_t req_id, int64_t inst_id,
                           int pos, errmsg *err)
{
    static const char sql[] =
        "INSERT OR IGNORE INTO request_instances(request_id, instance_id,"
        " position) VALUES (:req, :inst, :pos)";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":req", req_id);
    reg_bind_int(st, ":inst", inst_id);
    reg_bind_int(st, ":pos", pos);
    return step_done(reg, st, err);
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

    if (!st)
        return ERR_DB;
    form_type_format(type, sizeof type, &c->type);
    reg_bind_int(st, ":item", item_id);
    reg_bind_int(st, ":pos", pos);
    reg_bind_text(st, ":name", c->name);
    reg_bind_text(st, ":type", c->type.kind == FORM_TYPE_NONE ? "" : type);
    reg_bind_int(st, ":nullable", c->nullable != 0);
    reg_bind_int(st, ":pk", c->primary_key != 0);
    reg_bind_text(st, ":descr", c->description);
    reg_bind_text(st, ":example", c->example);
    reg_bind_int(st, ":pii", c->pii != 0);
    reg_bind_int(st, ":consent", c->consent != 0);
    reg_bind_text(st, ":channel", c->consent_channel);
    reg_bind_text(st, ":action", form_action_name(c->action));
    reg_bind_text(st, ":rule", c->rule);
    return step_done(reg, st, err);
}

static int insert_item(registry *reg, int64_t req_id, int pos,
                       const form_item *it, errmsg *err)
{
    static const char sql[] =
        "INSERT INTO request_items(request_id, position, kind, table_name,"
        " description, primary_key, source, cadence, expected_arrival,"
        " late_after_minutes, file_pattern, campaign_dependency,"
        " campaign_note, owner, escalation, examples, notes) VALUES (:req,"
        " :pos, :kind, :table, :descr, :pk, :source, :cadence, :arrival,"
        " :late, :pattern, :dep, :depnote, :owner, :escalation, :examples,"
        " :notes)";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int64_t item_id;
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":req", req_id);
    reg_bind_int(st, ":pos", pos);
    reg_bind_text(st, ":kind", form_item_kind_name(it->kind));
    reg_bind_text(st, ":table", it->table);
    reg_bind_text(st, ":descr", it->description);
    reg_bind_text(st, ":pk", it->primary_key);
    reg_bind_text(st, ":source", it->source);
    reg_bind_text(st, ":cadence", it->cadence);
    reg_bind_text(st, ":arrival", it->expected_arrival);
    reg_bind_int(st, ":late", it->late_after_minutes);
    reg_bind_text(st, ":pattern", it->file_pattern);
    reg_bind_text(st, ":dep", it->campaign_dependency);
    reg_bind_text(st, ":depnote", it->campaign_note);
    reg_bind_text(st, ":owner", it->owner);
    reg_bind_text(st, ":escalation", it->escalation);
    reg_bind_text(st, ":examples", it->examples);
    reg_bind_text(st, ":notes", it->notes);
    rc = step_done(reg, st, err);
    if (rc < 0)
        return rc;
    item_id = sqlite3_last_insert_rowid(reg->db);
    for (size_t c = 0; c < it->ncolumns; c++) {
        rc = insert_column(reg, item_id, (int)c, &it->columns[c], err);
        if (rc < 0)
            return rc;
    }
    return 0;
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
    if (!listed &&
        (rc = insert_instance(reg, req_id, main_inst, pos++, err)) < 0)
        return rc;
    for (size_t i = 0; i < r->ninstances; i++) {
        int64_t other;
        char field[48];
        snprintf(field, sizeof field, "instances[%zu]", i);
        rc = reg_request_instance_id(reg, &other, org_id, nz(r->instances[i]),
                                     field, err);
        if (rc == 0)
            rc = insert_instance(reg, req_id, other, pos++, err);
        if (rc < 0)
            return rc;
    }
    for (size_t i = 0; i < r->nitems; i++)
        if ((rc = insert_item(reg, req_id, (int)i, &r->items[i], err)) < 0)
            return rc;
    return 0;
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

    if (!st)
        return ERR_DB;
    crypto_hash_sha256(h, data ? data : (const unsigned char *)"", size);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    reg_bind_int(st, ":req", req_id);
    if (comment_id)
        reg_bind_int(st, ":comment", comment_id);
    else
        reg_bind_null(st, ":comment");
    reg_bind_text(st, ":name", filename);
    reg_bind_text(st, ":type", content_type);
    reg_bind_int(st, ":size", (int64_t)size);
    reg_bind_text(st, ":sha", hex);
    /* zeroblob for an empty file: a NULL pointer would bind NULL. */
    if (size)
        sqlite3_bind_blob64(st, reg_param(st, ":data"), data,
                            (sqlite3_uint64)size, SQLITE_STATIC);
    else
        sqlite3_bind_zeroblob(st, reg_param(st, ":data"), 0);
    if (user)
        reg_bind_int(st, ":user", user);
    else
        reg_bind_null(st, ":user");
    reg_bind_int(st, ":now", now);
    return step_done(reg, st, err);
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

/* Everything of the insert after the requests row's dependencies were
 * resolved; runs inside the transaction. */
static int insert_all(registry *reg, int64_t *out_id, const form_request *r,
                      const registry_submit *s, int64_t org_id,
                      const char *body, errmsg *err)
{
    static const char ins[] =
        "INSERT INTO requests(org_id, instance_id, requester_id,"
        " requester_name, requester_email, pm_id, title, summary,"
        " consent_related, consent_note, desired_date, status, version,"
        " idempotency_key, created_at, updated_at) VALUES (:org, :inst,"
        " :user, :rname, :remail, :pm, :title, :summary, :consent,"
        " :cnote, :desired, 'submitted', 1, :key, :now, :now)";
    static const char ev[] =
        "INSERT INTO request_events(request_id, user_id, from_status,"
        " to_status, created_at) VALUES (:req, :user, '', 'submitted',"
        " :now)";
    static const char ver[] =
        "INSERT INTO request_versions(request_id, version, body, user_id,"
        " created_at) VALUES (:req, 1, :body, :user, :now)";
    int64_t inst_id, pm_id = 0, req_id, now = time_now();
    const char *key = s && s->requester_id ? nz(s->idempotency_key) : "";
    int64_t user = s ? s->requester_id : 0;
    const char *actor =
        s && s->actor && *s->actor ? s->actor : nz(r->requester_name);
    sqlite3_stmt *st;
    char *payload = NULL;
    int rc;

    rc = reg_request_instance_id(reg, &inst_id, org_id, nz(r->instance),
                                 "instance", err);
    if (rc < 0)
        return rc;
    if (*nz(r->project_manager) &&
        (rc = reg_request_pm_id(reg, &pm_id, r->project_manager, err)) < 0)
        return rc;
    st = reg_stmt_get(reg, ins, err);
    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":org", org_id);
    reg_bind_int(st, ":inst", inst_id);
    if (user)
        reg_bind_int(st, ":user", user);
    else
        reg_bind_null(st, ":user");
    reg_bind_text(st, ":rname", r->requester_name);
    reg_bind_text(st, ":remail", r->requester_email);
    if (pm_id)
        reg_bind_int(st, ":pm", pm_id);
    else
        reg_bind_null(st, ":pm");
    reg_bind_text(st, ":title", r->title);
    reg_bind_text(st, ":summary", r->summary);
    reg_bind_int(st, ":consent", r->consent_related != 0);
    reg_bind_text(st, ":cnote", r->consent_note);
    reg_bind_text(st, ":desired", r->desired_date);
    if (*key)
        reg_bind_text(st, ":key", key);
    else
        reg_bind_null(st, ":key");
    reg_bind_int(st, ":now", now);
    if ((rc = step_done(reg, st, err)) < 0)
        return rc;
    req_id = sqlite3_last_insert_rowid(reg->db);

    if ((rc = reg_request_rows_insert(reg, req_id, org_id, inst_id, r, err)) <
        0)
        return rc;
    for (size_t i = 0; i < r->nattachments; i++)
        if ((rc = reg_attachment_insert(
                 reg, req_id, 0, user, r->attachments[i].filename,
                 r->attachments[i].content_type, r->attachments[i].data,
                 r->attachments[i].size, now, err)) < 0)
            return rc;

    st = reg_stmt_get(reg, ev, err);
    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":req", req_id);
    if (user)
        reg_bind_int(st, ":user", user);
    else
        reg_bind_null(st, ":user");
    reg_bind_int(st, ":now", now);
    if ((rc = step_done(reg, st, err)) < 0)
        return rc;

    st = reg_stmt_get(reg, ver, err);
    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":req", req_id);
    reg_bind_text(st, ":body", body);
    if (user)
        reg_bind_int(st, ":user", user);
    else
        reg_bind_null(st, ":user");
    reg_bind_int(st, ":now", now);
    if ((rc = step_done(reg, st, err)) < 0)
        return rc;

    payload = payload_json(r, req_id, actor);
    rc = registry_event_add(reg, NULL, "request.submitted", req_id, payload,
                            err);
    cJSON_free(payload);
    if (rc < 0)
        return rc;
    *out_id = req_id;
    return 0;
}

int registry_job_init(registry_job *job, const form_request *r,
                      const registry_submit *s, errmsg *err)
{
    const char *key = s && s->requester_id ? nz(s->idempotency_key) : "";
    cJSON *json;
    int rc;

    memset(job, 0, sizeof *job);
    if (*key && (rc = idem_key_check(key, err)) < 0)
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
    int64_t org_id = 0, id = 0;
    int rc, same = 0;

    job->id = 0;
    job->replayed = 0;
    memset(&job->err, 0, sizeof job->err);
    if (*key) {
        rc = idem_lookup(reg, &id, &same, s->requester_id, key, job->body,
                         &job->err);
        if (rc == 0) {
            if (!same)
                return job->rc = err_set_field(
                           &job->err, ERR_CONFLICT, "Idempotency-Key",
                           "this Idempotency-Key was used for CR-%lld with a "
                           "different body",
                           (long long)id);
            job->replayed = 1;
            job->id = id;
            return job->rc = 0;
        }
        if (rc != ERR_NOTFOUND)
            return job->rc = rc;
    }
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

/* ---- reading ---------------------------------------------------------- */

int registry_request_org(registry *reg, int64_t id, int64_t *org_id)
{
    static const char sql[] = "SELECT org_id FROM requests WHERE id = :id";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, NULL);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":id", id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *org_id = sqlite3_column_int64(st, 0);
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? ERR_NOTFOUND : ERR_DB;
    }
    reg_done(st);
    return rc;
}

/* The columns every row query selects, in this order (row_fill). */
#define ROW_COLUMNS                                                            \
    "r.id, r.org_id, o.name, i.name, r.status, r.title, r.requester_name,"     \
    " r.requester_email, r.requester_id, coalesce(p.email, ''),"               \
    " coalesce(p.name, ''), r.consent_related, r.sprint_id, r.created_at,"     \
    " r.updated_at"
#define ROW_FROM                                                               \
    " FROM requests r JOIN organisations o ON o.id = r.org_id"                 \
    " JOIN instances i ON i.id = r.instance_id"                                \
    " LEFT JOIN users p ON p.id = r.pm_id"

static void row_fill(registry_request_row *o, sqlite3_stmt *st)
{
    memset(o, 0, sizeof *o);
    o->id = sqlite3_column_int64(st, 0);
    o->org_id = sqlite3_column_int64(st, 1);
    reg_col_copy(o->organisation, sizeof o->organisation, st, 2);
    reg_col_copy(o->instance, sizeof o->instance, st, 3);
    reg_col_copy(o->status, sizeof o->status, st, 4);
    reg_col_copy(o->title, sizeof o->title, st, 5);
    reg_col_copy(o->requester_name, sizeof o->requester_name, st, 6);
    reg_col_copy(o->requester_email, sizeof o->requester_email, st, 7);
    o->requester_id = sqlite3_column_int64(st, 8);
    reg_col_copy(o->pm_email, sizeof o->pm_email, st, 9);
    reg_col_copy(o->pm_name, sizeof o->pm_name, st, 10);
    o->consent_related = sqlite3_column_int(st, 11);
    o->sprint_id = sqlite3_column_int64(st, 12);
    o->created_at = sqlite3_column_int64(st, 13);
    o->updated_at = sqlite3_column_int64(st, 14);
}

int registry_request_row_get(registry *reg, registry_request_row *out,
                             int64_t id, int64_t org_filter, errmsg *err)
{
    static const char sql[] =
        "SELECT " ROW_COLUMNS ROW_FROM
        " WHERE r.id = :id AND (:org = 0 OR r.org_id = :org)";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":id", id);
    reg_bind_int(st, ":org", org_filter);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        row_fill(out, st);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = err_set(err, ERR_NOTFOUND, "no request CR-%lld", (long long)id);
    } else {
        rc = reg_db_error(reg, err);
    }
    reg_done(st);
    return rc;
}

static int load_request(registry *reg, form_request *out, int64_t id,
                        int64_t org_filter, errmsg *err)
{
    static const char sql[] =
        "SELECT o.name, i.name, coalesce(p.email, ''), r.requester_name,"
        " r.requester_email, r.title, r.summary, r.consent_related,"
        " r.consent_note, r.desired_date, r.status, r.created_at,"
        " r.updated_at FROM requests r"
        " JOIN organisations o ON o.id = r.org_id"
        " JOIN instances i ON i.id = r.instance_id"
        " LEFT JOIN users p ON p.id = r.pm_id"
        " WHERE r.id = :id AND (:org = 0 OR r.org_id = :org)";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":id", id);
    reg_bind_int(st, ":org", org_filter);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->id = id;
        out->organisation = xstrdup(reg_col_text(st, 0));
        out->instance = xstrdup(reg_col_text(st, 1));
        out->project_manager = xstrdup(reg_col_text(st, 2));
        out->requester_name = xstrdup(reg_col_text(st, 3));
        out->requester_email = xstrdup(reg_col_text(st, 4));
        out->title = xstrdup(reg_col_text(st, 5));
        out->summary = xstrdup(reg_col_text(st, 6));
        out->consent_related = sqlite3_column_int(st, 7) != 0;
        out->consent_note = xstrdup(reg_col_text(st, 8));
        out->desired_date = xstrdup(reg_col_text(st, 9));
        out->status = xstrdup(reg_col_text(st, 10));
        out->created_at = sqlite3_column_int64(st, 11);
        out->updated_at = sqlite3_column_int64(st, 12);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = err_set(err, ERR_NOTFOUND, "no request CR-%lld", (long long)id);
    } else {
        rc = reg_db_error(reg, err);
    }
    reg_done(st);
    return rc;
}

static int load_instances(registry *reg, form_request *out, errmsg *err)
{
    static const char sql[] = "SELECT i.name FROM request_instances ri"
                              " JOIN instances i ON i.id = ri.instance_id"
                              " WHERE ri.request_id = :id ORDER BY ri.position";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    size_t cap = 0;
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":id", out->id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        xgrow(&out->instances, &cap, out->ninstances + 1,
              sizeof *out->instances);
        out->instances[out->ninstances++] = xstrdup(reg_col_text(st, 0));
    }
    rc = rc == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    return rc;
}

static void type_load(form_type *t, const char *s)
{
    memset(t, 0, sizeof *t);
    if (*s && form_type_parse(t, s, NULL) < 0)
        memset(t, 0, sizeof *t);
}

static int load_columns(registry *reg, form_item *it, int64_t item_id,
                        errmsg *err)
{
    static const char sql[] =
        "SELECT name, type, nullable, primary_key, description, example,"
        " pii, consent, consent_channel, action, rule FROM item_columns"
        " WHERE item_id = :item ORDER BY position";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    size_t cap = 0;
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":item", item_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        form_column *c;
        xgrow(&it->columns, &cap, it->ncolumns + 1, sizeof *it->columns);
        c = &it->columns[it->ncolumns++];
        memset(c, 0, sizeof *c);
        c->name = xstrdup(reg_col_text(st, 0));
        type_load(&c->type, reg_col_text(st, 1));
        c->nullable = sqlite3_column_int(st, 2) != 0;
        c->primary_key = sqlite3_column_int(st, 3) != 0;
        c->description = xstrdup(reg_col_text(st, 4));
        c->example = xstrdup(reg_col_text(st, 5));
        c->pii = sqlite3_column_int(st, 6) != 0;
        c->consent = sqlite3_column_int(st, 7) != 0;
        c->consent_channel = xstrdup(reg_col_text(st, 8));
        if (form_action_parse(&c->action, reg_col_text(st, 9)) < 0)
            c->action = FORM_ACTION_ADD;
        c->rule = xstrdup(reg_col_text(st, 10));
    }
    rc = rc == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    return rc;
}

static int load_items(registry *reg, form_request *out, errmsg *err)
{
    static const char sql[] =
        "SELECT id, kind, table_name, description, primary_key, source,"
        " cadence, expected_arrival, late_after_minutes, file_pattern,"
        " campaign_dependency, campaign_note, owner, escalation, examples,"
        " notes FROM request_items WHERE request_id = :id ORDER BY position";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int64_t *ids = NULL;
    size_t cap = 0, idcap = 0;
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":id", out->id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        form_item *it;
        xgrow(&out->items, &cap, out->nitems + 1, sizeof *out->items);
        xgrow(&ids, &idcap, out->nitems + 1, sizeof *ids);
        ids[out->nitems] = sqlite3_column_int64(st, 0);
        it = &out->items[out->nitems++];
        memset(it, 0, sizeof *it);
        if (form_item_kind_parse(&it->kind, reg_col_text(st, 1)) < 0)
            it->kind = FORM_ITEM_NEW_TABLE;
        it->table = xstrdup(reg_col_text(st, 2));
        it->description = xstrdup(reg_col_text(st, 3));
        it->primary_key = xstrdup(reg_col_text(st, 4));
        it->source = xstrdup(reg_col_text(st, 5));
        it->cadence = xstrdup(reg_col_text(st, 6));
        it->expected_arrival = xstrdup(reg_col_text(st, 7));
        it->late_after_minutes = sqlite3_column_int(st, 8);
        it->file_pattern = xstrdup(reg_col_text(st, 9));
        it->campaign_dependency = xstrdup(reg_col_text(st, 10));
        it->campaign_note = xstrdup(reg_col_text(st, 11));
        it->owner = xstrdup(reg_col_text(st, 12));
        it->escalation = xstrdup(reg_col_text(st, 13));
        it->examples = xstrdup(reg_col_text(st, 14));
        it->notes = xstrdup(reg_col_text(st, 15));
    }
    rc = rc == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    /* Columns once the item query is finished (ids were kept). */
    for (size_t i = 0; rc == 0 && i < out->nitems; i++)
        rc = load_columns(reg, &out->items[i], ids[i], err);
    free(ids);
    return rc;
}

static int load_attachments(registry *reg, form_request *out, errmsg *err)
{
    static const char sql[] =
        "SELECT filename, content_type, size FROM attachments"
        " WHERE request_id = :id AND comment_id IS NULL ORDER BY id";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    size_t cap = 0;
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":id", out->id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        form_attachment *a;
        xgrow(&out->attachments, &cap, out->nattachments + 1,
              sizeof *out->attachments);
        a = &out->attachments[out->nattachments++];
        memset(a, 0, sizeof *a);
        a->filename = xstrdup(reg_col_text(st, 0));
        a->content_type = xstrdup(reg_col_text(st, 1));
        a->size = (size_t)sqlite3_column_int64(st, 2);
    }
    rc = rc == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    return rc;
}

int registry_request_load(registry *reg, form_request *out, int64_t id,
                          int64_t org_filter, errmsg *err)
{
    form_request r;
    int rc;

    memset(&r, 0, sizeof r);
    memset(out, 0, sizeof *out);
    rc = load_request(reg, &r, id, org_filter, err);
    if (rc == 0)
        rc = load_instances(reg, &r, err);
    if (rc == 0)
        rc = load_items(reg, &r, err);
    if (rc == 0)
        rc = load_attachments(reg, &r, err);
    if (rc < 0) {
        form_request_dispose(&r);
        return rc;
    }
    *out = r;
    return 0;
}

/* LIKE pattern of a substring: %, _ and \ escaped with \. */
static char *like_pattern(const char *q)
{
    buf b = {0};

    buf_putc(&b, '%');
    for (const char *p = q; *p; p++) {
        if (*p == '%' || *p == '_' || *p == '\\')
            buf_putc(&b, '\\');
        buf_putc(&b, *p);
    }
    buf_putc(&b, '%');
    return buf_detach(&b);
}

#define LIST_WHERE                                                             \
    " WHERE (:org = 0 OR r.org_id = :org)"                                     \
    " AND (:status = '' OR r.status = :status)"                                \
    " AND (:inst = '' OR i.name = :inst OR EXISTS (SELECT 1 FROM"              \
    " request_instances ri JOIN instances i2 ON i2.id = ri.instance_id"        \
    " WHERE ri.request_id = r.id AND i2.name = :inst))"                        \
    " AND (:q = '' OR r.title LIKE :like ESCAPE '\\'"                          \
    " OR r.summary LIKE :like ESCAPE '\\')"

static void list_bind(sqlite3_stmt *st, const registry_request_query *q,
                      const char *like)
{
    reg_bind_int(st, ":org", q->org_id);
    reg_bind_text(st, ":status", nz(q->status));
    reg_bind_text(st, ":inst", nz(q->instance));
    reg_bind_text(st, ":q", nz(q->q));
    reg_bind_text(st, ":like", like);
}

int registry_request_list(registry *reg, const registry_request_query *q,
                          void (*fn)(void *ctx,
                                     const registry_request_row *row),
                          void *ctx, int64_t *total, errmsg *err)
{
    static const char count_sql[] = "SELECT count(*)" ROW_FROM LIST_WHERE;
    static const char page_sql[] =
        "SELECT " ROW_COLUMNS ROW_FROM LIST_WHERE
        " ORDER BY r.id DESC LIMIT :limit OFFSET :offset";
    registry_request_query zero = {0};
    sqlite3_stmt *st;
    char *like;
    int page, per_page, rc;

    if (!q)
        q = &zero;
    page = q->page < 1 ? 1 : q->page;
    per_page = q->per_page < 1 || q->per_page > REGISTRY_MAX_PER_PAGE
                   ? REGISTRY_PER_PAGE
                   : q->per_page;
    like = like_pattern(nz(q->q));
    if (total) {
        st = reg_stmt_get(reg, count_sql, err);
        if (!st) {
            free(like);
            return ERR_DB;
        }
        list_bind(st, q, like);
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
            rc = reg_db_error(reg, err);
            reg_done(st);
            free(like);
            return rc;
        }
        *total = sqlite3_column_int64(st, 0);
        reg_done(st);
    }
    st = reg_stmt_get(reg, page_sql, err);
    if (!st) {
        free(like);
        return ERR_DB;
    }
    list_bind(st, q, like);
    reg_bind_int(st, ":limit", per_page);
    reg_bind_int(st, ":offset", (int64_t)(page - 1) * per_page);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        registry_request_row row;
        row_fill(&row, st);
        fn(ctx, &row);
    }
    rc = rc == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    free(like);
    return rc;
}

/* ---- attachments ------------------------------------------------------ */

static void attachment_fill(registry_attachment *a, sqlite3_stmt *st)
{
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(st, 0);
    a->request_id = sqlite3_column_int64(st, 1);
    reg_col_copy(a->filename, sizeof a->filename, st, 2);
    reg_col_copy(a->content_type, sizeof a->content_type, st, 3);
    a->size = sqlite3_column_int64(st, 4);
    reg_col_copy(a->sha256, sizeof a->sha256, st, 5);
    a->created_at = sqlite3_column_int64(st, 6);
}

int registry_attachment_list(
    registry *reg, int64_t request_id, int64_t org_filter,
    void (*fn)(void *ctx, const registry_attachment *a), void *ctx, errmsg *err)
{
    static const char sql[] =
        "SELECT a.id, a.request_id, a.filename, a.content_type, a.size,"
        " a.sha256, a.created_at FROM attachments a"
        " JOIN requests r ON r.id = a.request_id"
        " WHERE a.request_id = :req AND a.comment_id IS NULL"
        " AND (:org = 0 OR r.org_id = :org) ORDER BY a.id";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":req", request_id);
    reg_bind_int(st, ":org", org_filter);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        registry_attachment a;
        attachment_fill(&a, st);
        fn(ctx, &a);
    }
    rc = rc == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    return rc;
}

int registry_attachment_get(registry *reg, registry_attachment *meta,
                            unsigned char **data, int64_t request_id,
                            int64_t id, int64_t org_filter, errmsg *err)
{
    static const char sql[] =
        "SELECT a.id, a.request_id, a.filename, a.content_type, a.size,"
        " a.sha256, a.created_at, a.data FROM attachments a"
        " JOIN requests r ON r.id = a.request_id"
        " WHERE a.id = :id AND a.request_id = :req"
        " AND (:org = 0 OR r.org_id = :org)";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":id", id);
    reg_bind_int(st, ":req", request_id);
    reg_bind_int(st, ":org", org_filter);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        attachment_fill(meta, st);
        if (data) {
            const void *p = sqlite3_column_blob(st, 7);
            size_t n = (size_t)sqlite3_column_bytes(st, 7);
            *data = xmalloc(n ? n : 1);
            if (n)
                memcpy(*data, p, n);
            meta->size = (int64_t)n;
        }
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = err_set(err, ERR_NOTFOUND, "no such attachment");
    } else {
        rc = reg_db_error(reg, err);
    }
    reg_done(st);
    return rc;
}

/* ---- timeline and autocomplete ---------------------------------------- */

int registry_request_events(registry *reg, int64_t request_id,
                            void (*fn)(void *ctx,
                                       const registry_request_event *e),
                            void *ctx, errmsg *err)
{
    static const char sql[] =
        "SELECT e.id, e.from_status, e.to_status, coalesce(u.name, ''),"
        " coalesce(i.name, ''), e.note, e.created_at FROM request_events e"
        " LEFT JOIN users u ON u.id = e.user_id"
        " LEFT JOIN instances i ON i.id = e.instance_id"
        " WHERE e.request_id = :req ORDER BY e.id";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":req", request_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        registry_request_event e;
        memset(&e, 0, sizeof e);
        e.id = sqlite3_column_int64(st, 0);
        reg_col_copy(e.from_status, sizeof e.from_status, st, 1);
        reg_col_copy(e.to_status, sizeof e.to_status, st, 2);
        reg_col_copy(e.user_name, sizeof e.user_name, st, 3);
        reg_col_copy(e.instance, sizeof e.instance, st, 4);
        e.note = reg_col_text(st, 5);
        e.created_at = sqlite3_column_int64(st, 6);
        fn(ctx, &e);
    }
    rc = rc == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    return rc;
}

int registry_request_table_names(registry *reg, int64_t org_id, int limit,
                                 void (*fn)(void *ctx, const char *instance,
                                            const char *table),
                                 void *ctx, errmsg *err)
{
    static const char sql[] = "SELECT i.name, t.name FROM reg_tables t"
                              " JOIN instances i ON i.id = t.instance_id"
                              " WHERE (:org = 0 OR i.org_id = :org)"
                              " ORDER BY i.name, t.name LIMIT :limit";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":org", org_id);
    reg_bind_int(st, ":limit", limit);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(ctx, reg_col_text(st, 0), reg_col_text(st, 1));
    rc = rc == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    return rc;
}
