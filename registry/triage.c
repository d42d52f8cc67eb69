/* triage.c: the life cycle of change requests after submission (rules of
 * transitions x roles, deploys per instance with registry_request_apply in
 * the same transaction), sprints, comments, edits with versions and diffs,
 * the queue, dashboard queries and the deploy-day digest. Contracts in
 * triage.h; the submission itself is in requests.c, the registry apply in
 * catalog.c, the outbox fan-out in events.c. */
#include "triage.h"
#include "catalog.h"
#include "config.h"
#include "buf.h"
#include "mem.h"
#include "parse.h"
#include "registry_int.h"
#include "requests.h"
#include "str.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *nz(const char *s)
{
    return s ? s : "";
}

static int step_done(registry *reg, sqlite3_stmt *st, errmsg *err)
{
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : reg_db_error(reg, err);

    reg_done(st);
    return rc;
}

static int is_staff_writer(const char *role)
{
    return !strcmp(nz(role), "pm") || !strcmp(nz(role), "admin");
}

static int64_t org_filter_of(const registry_actor *who)
{
    return !strcmp(nz(who->role), "client") ? who->org_id : 0;
}

/* ---- the rules -------------------------------------------------------- */

static const char *const statuses[] = {"submitted", "triaged",     "needs_info",
                                       "scheduled", "in_progress", "deployed",
                                       "rejected",  "withdrawn"};

int registry_status_valid(const char *s)
{
    for (size_t i = 0; s && i < sizeof statuses / sizeof *statuses; i++)
        if (!strcmp(s, statuses[i]))
            return 1;
    return 0;
}

typedef struct rule {
    const char *to;
    const char *from; /* space-separated */
    int roles;
} rule;

static const rule transition_rules[] = {
    {"triaged", "submitted", ROLE_PM | ROLE_ADMIN},
    {"needs_info", "submitted triaged scheduled", ROLE_PM | ROLE_ADMIN},
    {"answered", "needs_info", ROLE_CLIENT | ROLE_PM | ROLE_ADMIN},
    {"scheduled", "triaged scheduled", ROLE_PM | ROLE_ADMIN},
    {"in_progress", "scheduled", ROLE_PM | ROLE_ADMIN},
    {"deployed", "scheduled in_progress", ROLE_PM | ROLE_ADMIN},
    {"rejected", "submitted triaged needs_info scheduled",
     ROLE_PM | ROLE_ADMIN},
    {"withdrawn", "submitted triaged needs_info scheduled", ROLE_CLIENT},
};

static const rule *rule_find(const char *to)
{
    for (size_t i = 0; i < sizeof transition_rules / sizeof *transition_rules;
         i++)
        if (!strcmp(transition_rules[i].to, nz(to)))
            return &transition_rules[i];
    return NULL;
}

static int from_listed(const rule *r, const char *from)
{
    size_t n = strlen(from);
    const char *p = r->from;

    while (*p) {
        size_t len = strcspn(p, " ");
        if (len == n && !strncmp(p, from, n))
            return 1;
        p += len;
        while (*p == ' ')
            p++;
    }
    return 0;
}

int registry_transition_allowed(const char *from, const char *to,
                                const char *role)
{
    const rule *r = rule_find(to);

    return r && (r->roles & registry_role_bit(role)) &&
           from_listed(r, nz(from));
}

/* ---- small reads ------------------------------------------------------ */

typedef struct req_state {
    char status[16];
    int64_t org_id;
    int64_t pm_id;
    int64_t sprint_id;
    int version;
} req_state;

static int state_get(registry *reg, req_state *out, int64_t id,
                     int64_t org_filter, errmsg *err)
{
    static const char sql[] =
        "SELECT status, org_id, coalesce(pm_id, 0), coalesce(sprint_id, 0),"
        " version FROM requests WHERE id = :id AND (:org = 0 OR org_id = "
        ":org)";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":id", id);
    reg_bind_int(st, ":org", org_filter);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        reg_col_copy(out->status, sizeof out->status, st, 0);
        out->org_id = sqlite3_column_int64(st, 1);
        out->pm_id = sqlite3_column_int64(st, 2);
        out->sprint_id = sqlite3_column_int64(st, 3);
        out->version = sqlite3_column_int(st, 4);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = err_set(err, ERR_NOTFOUND, "no request CR-%lld", (long long)id);
    } else {
        rc = reg_db_error(reg, err);
    }
    reg_done(st);
    return rc;
}

/* The status before the last needs_info ("submitted" when unknown). */
static int prev_status(registry *reg, char *out, size_t size, int64_t id,
                       errmsg *err)
{
    static const char sql[] =
        "SELECT from_status FROM request_events WHERE request_id = :id"
        " AND to_status = 'needs_info' ORDER BY id DESC LIMIT 1";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":id", id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
        const char *s = rc == SQLITE_ROW ? reg_col_text(st, 0) : "";
        str_copy(out, size,
                 registry_status_valid(s) && strcmp(s, "needs_info")
                     ? s
                     : "submitted");
        rc = 0;
    } else {
        rc = reg_db_error(reg, err);
    }
    reg_done(st);
    return rc;
}

static int event_row(registry *reg, int64_t id, int64_t user, const char *from,
                     const char *to, int64_t inst_id, const char *note,
                     int64_t now, errmsg *err)
{
    static const char sql[] =
        "INSERT INTO request_events(request_id, user_id, from_status,"
        " to_status, instance_id, note, created_at) VALUES (:req, :user,"
        " :from, :to, :inst, :note, :now)";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":req", id);
    if (user)
        reg_bind_int(st, ":user", user);
    else
        reg_bind_null(st, ":user");
    reg_bind_text(st, ":from", from);
    reg_bind_text(st, ":to", to);
    if (inst_id)
        reg_bind_int(st, ":inst", inst_id);
    else
        reg_bind_null(st, ":inst");
    reg_bind_text(st, ":note", note);
    reg_bind_int(st, ":now", now);
    return step_done(reg, st, err);
}

static int text_check(const char *s, size_t max, const char *field, errmsg *err)
{
    size_t n = strlen(nz(s));

    if (n > max)
        return err_set_field(err, ERR_INVALID, field,
                             "is longer than %zu bytes", max);
    if (!str_utf8_valid(nz(s), n) || str_has_ctl(nz(s)))
        return err_set_field(err, ERR_INVALID, field,
                             "has control characters or invalid UTF-8");
    return 0;
}

static int blank(const char *s)
{
    for (s = nz(s); *s; s++)
        if (!strchr(" \t\r\n", *s))
            return 0;
    return 1;
}

/* ---- payloads --------------------------------------------------------- */

static void iso_add(cJSON *o, const char *key, int64_t t)
{
    char s[32];

    time_iso(s, sizeof s, t);
    cJSON_AddStringToObject(o, key, s);
}

static cJSON *sprint_json(const registry_sprint *s)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddNumberToObject(o, "id", (double)s->id);
    cJSON_AddStringToObject(o, "name", s->name);
    iso_add(o, "deploy_at", s->deploy_at);
    return o;
}

cJSON *registry_request_payload(registry *reg, int64_t id, const char *event,
                                const char *actor, const char *note,
                                errmsg *err)
{
    static const char sql[] =
        "SELECT r.title, r.status, o.name, i.name, r.requester_name,"
        " r.requester_email, coalesce(p.email, ''), r.consent_related,"
        " r.consent_note, coalesce(r.sprint_id, 0) FROM requests r"
        " JOIN organisations o ON o.id = r.org_id"
        " JOIN instances i ON i.id = r.instance_id"
        " LEFT JOIN users p ON p.id = r.pm_id WHERE r.id = :id";
    static const char sql_i[] =
        "SELECT i.name FROM request_instances ri JOIN instances i"
        " ON i.id = ri.instance_id WHERE ri.request_id = :id"
        " ORDER BY ri.position";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    cJSON *root, *req, *arr;
    int64_t sprint = 0;
    char num[32], url[48];
    int rc;

    if (!st)
        return NULL;
    reg_bind_int(st, ":id", id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        reg_db_error(reg, err);
        reg_done(st);
        return NULL;
    }
    snprintf(num, sizeof num, "CR-%lld", (long long)id);
    snprintf(url, sizeof url, "/requests/%lld", (long long)id);
    root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "event", nz(event));
    req = cJSON_AddObjectToObject(root, "request");
    cJSON_AddNumberToObject(req, "id", (double)id);
    cJSON_AddStringToObject(req, "number", num);
    cJSON_AddStringToObject(req, "title", reg_col_text(st, 0));
    cJSON_AddStringToObject(req, "status", reg_col_text(st, 1));
    cJSON_AddStringToObject(req, "organisation", reg_col_text(st, 2));
    cJSON_AddStringToObject(req, "instance", reg_col_text(st, 3));
    arr = cJSON_AddArrayToObject(req, "instances");
    cJSON_AddStringToObject(req, "requester_name", reg_col_text(st, 4));
    cJSON_AddStringToObject(req, "requester_email", reg_col_text(st, 5));
    cJSON_AddStringToObject(req, "project_manager", reg_col_text(st, 6));
    cJSON_AddBoolToObject(req, "consent_related",
                          sqlite3_column_int(st, 7) != 0);
    cJSON_AddStringToObject(req, "consent_note", reg_col_text(st, 8));
    cJSON_AddStringToObject(req, "url", url);
    sprint = sqlite3_column_int64(st, 9);
    reg_done(st);
    st = reg_stmt_get(reg, sql_i, err);
    if (!st)
        goto fail;
    reg_bind_int(st, ":id", id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        cJSON_AddItemToArray(arr, cJSON_CreateString(reg_col_text(st, 0)));
    reg_done(st);
    if (rc != SQLITE_DONE) {
        reg_db_error(reg, err);
        goto fail;
    }
    cJSON_AddStringToObject(root, "actor", nz(actor));
    cJSON_AddStringToObject(root, "note", nz(note));
    cJSON_AddStringToObject(root, "url", url);
    if (sprint) {
        registry_sprint s;
        if (registry_sprint_get(reg, &s, sprint, err) < 0)
            goto fail;
        cJSON_AddItemToObject(root, "sprint", sprint_json(&s));
    }
    return root;
fail:
    cJSON_Delete(root);
    return NULL;
}

static int event_add_json(registry *reg, const char *event, int64_t id,
                          cJSON *payload, errmsg *err)
{
    char *s = cJSON_PrintUnformatted(payload);
    int rc = registry_event_add(reg, NULL, event, id, s, err);

    cJSON_free(s);
    return rc;
}

/* ---- transitions ------------------------------------------------------ */

/* The instance of request id named name: its id and deployed_at. */
static int request_instance_find(registry *reg, int64_t id, const char *name,
                                 int64_t *inst_id, int64_t *deployed_at,
                                 errmsg *err)
{
    static const char sql[] =
        "SELECT ri.instance_id, ri.deployed_at FROM request_instances ri"
        " JOIN instances i ON i.id = ri.instance_id"
        " WHERE ri.request_id = :id AND i.name = :name";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":id", id);
    reg_bind_text(st, ":name", name);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *inst_id = sqlite3_column_int64(st, 0);
        *deployed_at = sqlite3_column_int64(st, 1);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = err_set_field(err, ERR_INVALID, "instance",
                           "CR-%lld does not apply to an instance named "
                           "\"%.100s\"",
                           (long long)id, name);
    } else {
        rc = reg_db_error(reg, err);
    }
    reg_done(st);
    return rc;
}

static int count_int(registry *reg, const char *sql, int64_t id, int64_t *out,
                     errmsg *err)
{
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":id", id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = 0;
    } else {
        rc = reg_db_error(reg, err);
    }
    reg_done(st);
    return rc;
}

static const char sql_undeployed[] =
    "SELECT count(*) FROM request_instances WHERE request_id = :id"
    " AND deployed_at = 0";
static const char sql_sprint_exists[] =
    "SELECT count(*) FROM sprints WHERE id = :id";

/* The deploy of one instance: apply, mark, and the new status. */
static int deploy_one(registry *reg, int64_t id, const registry_actor *who,
                      const char *instance, int64_t inst_id, int64_t now,
                      cJSON **tables, char *new_status, errmsg *err)
{
    static const char mark[] =
        "UPDATE request_instances SET deployed_at = :now, deployed_by ="
        " :user WHERE request_id = :id AND instance_id = :inst";
    form_request r;
    sqlite3_stmt *st;
    int64_t left = 0;
    int rc;

    rc = registry_request_load(reg, &r, id, 0, err);
    if (rc < 0)
        return rc;
    *tables = registry_request_changes_json(reg, &r, instance, "", err);
    if (!*tables) {
        form_request_dispose(&r);
        return ERR_DB;
    }
    rc = registry_request_apply(reg, &r, instance, who->user_id, err);
    form_request_dispose(&r);
    if (rc < 0) {
        /* A registry that does not take the request is a conflict the PM
           can act on, whatever the lower level called it. */
        if (rc != ERR_DB && rc != ERR_INTERNAL && err) {
            err->code = ERR_CONFLICT;
            rc = ERR_CONFLICT;
        }
        return rc;
    }
    st = reg_stmt_get(reg, mark, err);
    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":now", now);
    if (who->user_id)
        reg_bind_int(st, ":user", who->user_id);
    else
        reg_bind_null(st, ":user");
    reg_bind_int(st, ":id", id);
    reg_bind_int(st, ":inst", inst_id);
    if ((rc = step_done(reg, st, err)) < 0)
        return rc;
    if ((rc = count_int(reg, sql_undeployed, id, &left, err)) < 0)
        return rc;
    str_copy(new_status, 16, left ? "in_progress" : "deployed");
    return 0;
}

/* The transition inside the caller's transaction. */
static int transition_tx(registry *reg, char *out_status, int64_t id,
                         const registry_actor *who,
                         const registry_transition *t, errmsg *err)
{
    static const char upd[] =
        "UPDATE requests SET status = :status, updated_at = :now,"
        " sprint_id = CASE WHEN :sprint > 0 THEN :sprint ELSE sprint_id END,"
        " pm_id = CASE WHEN pm_id IS NULL AND :pm > 0 THEN :pm ELSE pm_id"
        " END, priority = CASE WHEN :setp THEN :prio ELSE priority END,"
        " estimate = CASE WHEN :sete THEN :est ELSE estimate END"
        " WHERE id = :id";
    const rule *ru = rule_find(t->to);
    req_state s;
    char new_status[16], event[40];
    int64_t inst_id = 0, now = time_now(), pm = 0;
    cJSON *tables = NULL, *payload = NULL;
    char *note = NULL;
    sqlite3_stmt *st;
    int rc;

    if ((rc = state_get(reg, &s, id, org_filter_of(who), err)) < 0)
        goto done;
    if (!ru) {
        rc = err_set_field(err, ERR_INVALID, "to",
                           "\"%.40s\" is not a status a request can be "
                           "moved to",
                           nz(t->to));
        goto done;
    }
    if (!(ru->roles & registry_role_bit(who->role)) ||
        ((t->set_priority || t->estimate) && !is_staff_writer(who->role))) {
        rc = err_set(err, ERR_FORBIDDEN,
                     "your role (%s) may not move a request to %s",
                     nz(who->role), ru->to);
        goto done;
    }
    if (!from_listed(ru, s.status)) {
        rc = err_set(err, ERR_CONFLICT,
                     "CR-%lld is %s: it cannot be moved to %s from there",
                     (long long)id, s.status, ru->to);
        goto done;
    }
    note = str_trim_dup(nz(t->note));
    if ((rc = text_check(note, FORM_MAX_TEXT, "note", err)) < 0 ||
        (rc = text_check(t->estimate, FORM_MAX_SHORT, "estimate", err)) < 0)
        goto done;
    if ((!strcmp(ru->to, "needs_info") || !strcmp(ru->to, "rejected")) &&
        !*note) {
        rc = err_set_field(err, ERR_INVALID, "note",
                           !strcmp(ru->to, "rejected")
                               ? "give the reason for rejecting the request"
                               : "write the question for the client");
        goto done;
    }
    str_copy(new_status, sizeof new_status, ru->to);
    if (!strcmp(ru->to, "scheduled")) {
        int64_t n = 0;
        if (t->sprint_id <= 0) {
            rc = err_set_field(err, ERR_INVALID, "sprint",
                               "choose the sprint to schedule it in");
            goto done;
        }
        if ((rc = count_int(reg, sql_sprint_exists, t->sprint_id, &n, err)) < 0)
            goto done;
        if (!n) {
            rc = err_set_field(err, ERR_INVALID, "sprint",
                               "there is no sprint %lld",
                               (long long)t->sprint_id);
            goto done;
        }
        if (!strcmp(s.status, "scheduled") && s.sprint_id == t->sprint_id) {
            rc = err_set(err, ERR_CONFLICT,
                         "CR-%lld is already scheduled in that sprint",
                         (long long)id);
            goto done;
        }
    } else if (!strcmp(ru->to, "answered")) {
        if ((rc = prev_status(reg, new_status, sizeof new_status, id, err)) < 0)
            goto done;
    } else if (!strcmp(ru->to, "deployed")) {
        int64_t deployed_at = 0;
        if (blank(t->instance)) {
            rc = err_set_field(err, ERR_INVALID, "instance",
                               "name the instance that was deployed");
            goto done;
        }
        if ((rc = request_instance_find(reg, id, t->instance, &inst_id,
                                        &deployed_at, err)) < 0)
            goto done;
        if (deployed_at) {
            rc = err_set(err, ERR_CONFLICT,
                         "CR-%lld is already deployed to %.100s", (long long)id,
                         t->instance);
            goto done;
        }
        if ((rc = deploy_one(reg, id, who, t->instance, inst_id, now, &tables,
                             new_status, err)) < 0)
            goto done;
    }
    if (!strcmp(ru->to, "triaged") && !s.pm_id && !strcmp(nz(who->role), "pm"))
        pm = who->user_id;
    st = reg_stmt_get(reg, upd, err);
    if (!st) {
        rc = ERR_DB;
        goto done;
    }
    reg_bind_text(st, ":status", new_status);
    reg_bind_int(st, ":now", now);
    reg_bind_int(st, ":sprint",
                 !strcmp(ru->to, "scheduled") ? t->sprint_id : 0);
    reg_bind_int(st, ":pm", pm);
    reg_bind_int(st, ":setp", t->set_priority != 0);
    reg_bind_int(st, ":prio", t->priority);
    reg_bind_int(st, ":sete", t->estimate != NULL);
    reg_bind_text(st, ":est", t->estimate);
    reg_bind_int(st, ":id", id);
    if ((rc = step_done(reg, st, err)) < 0)
        goto done;
    rc = event_row(reg, id, who->user_id, s.status,
                   !strcmp(ru->to, "deployed") ? "deployed" : new_status,
                   inst_id, note, now, err);
    if (rc < 0)
        goto done;
    snprintf(event, sizeof event, "request.%s", ru->to);
    payload = registry_request_payload(reg, id, event, who->name, note, err);
    if (!payload) {
        rc = ERR_DB;
        goto done;
    }
    if (tables) {
        cJSON_AddStringToObject(payload, "instance", t->instance);
        cJSON_AddItemToObject(payload, "tables", tables);
        tables = NULL;
    }
    if ((rc = event_add_json(reg, event, id, payload, err)) < 0)
        goto done;
    if (out_status)
        str_copy(out_status, 16, new_status);
done:
    cJSON_Delete(tables);
    cJSON_Delete(payload);
    free(note);
    return rc;
}

int registry_transition_apply(registry *reg, char *out_status, int64_t id,
                              const registry_actor *who,
                              const registry_transition *t, errmsg *err)
{
    int rc = registry_begin(reg, err);

    if (rc < 0)
        return rc;
    rc = transition_tx(reg, out_status, id, who, t, err);
    if (rc == 0)
        rc = registry_commit(reg, err);
    if (rc < 0)
        registry_rollback(reg);
    return rc;
}

int registry_request_plan(registry *reg, int64_t id, const registry_actor *who,
                          int priority, const char *estimate, errmsg *err)
{
    static const char sql[] =
        "UPDATE requests SET priority = :prio, estimate = CASE WHEN :sete"
        " THEN :est ELSE estimate END, updated_at = :now WHERE id = :id";
    req_state s;
    sqlite3_stmt *st;
    int rc;

    if ((rc = text_check(estimate, FORM_MAX_SHORT, "estimate", err)) < 0)
        return rc;
    if ((rc = registry_begin(reg, err)) < 0)
        return rc;
    if ((rc = state_get(reg, &s, id, org_filter_of(who), err)) < 0)
        goto done;
    if (!is_staff_writer(who->role)) {
        rc = err_set(err, ERR_FORBIDDEN,
                     "only a project manager sets priorities");
        goto done;
    }
    st = reg_stmt_get(reg, sql, err);
    if (!st) {
        rc = ERR_DB;
        goto done;
    }
    reg_bind_int(st, ":prio", priority);
    reg_bind_int(st, ":sete", estimate != NULL);
    reg_bind_text(st, ":est", estimate);
    reg_bind_int(st, ":now", time_now());
    reg_bind_int(st, ":id", id);
    if ((rc = step_done(reg, st, err)) == 0)
        rc = registry_commit(reg, err);
done:
    if (rc < 0)
        registry_rollback(reg);
    return rc;
}

/* ---- per-instance state and planning fields --------------------------- */

int registry_request_instances(registry *reg, int64_t id, int64_t org_filter,
                               void (*fn)(void *ctx,
                                          const registry_request_instance *i),
                               void *ctx, errmsg *err)
{
    static const char sql[] =
        "SELECT i.name, i.environment, i.dialect, ri.deployed_at,"
        " coalesce(u.name, '') FROM request_instances ri"
        " JOIN requests r ON r.id = ri.request_id"
        " JOIN instances i ON i.id = ri.instance_id"
        " LEFT JOIN users u ON u.id = ri.deployed_by"
        " WHERE ri.request_id = :id AND (:org = 0 OR r.org_id = :org)"
        " ORDER BY ri.position";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":id", id);
    reg_bind_int(st, ":org", org_filter);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        registry_request_instance ri;
        memset(&ri, 0, sizeof ri);
        reg_col_copy(ri.name, sizeof ri.name, st, 0);
        reg_col_copy(ri.environment, sizeof ri.environment, st, 1);
        reg_col_copy(ri.dialect, sizeof ri.dialect, st, 2);
        ri.deployed_at = sqlite3_column_int64(st, 3);
        reg_col_copy(ri.deployed_by, sizeof ri.deployed_by, st, 4);
        fn(ctx, &ri);
    }
    rc = rc == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    return rc;
}

int registry_request_plan_get(registry *reg, registry_request_plan_info *out,
                              int64_t id, int64_t org_filter, errmsg *err)
{
    static const char sql[] =
        "SELECT r.priority, r.estimate, coalesce(r.sprint_id, 0),"
        " coalesce(s.name, ''), coalesce(s.deploy_at, 0), r.version,"
        " r.status FROM requests r LEFT JOIN sprints s ON s.id = r.sprint_id"
        " WHERE r.id = :id AND (:org = 0 OR r.org_id = :org)";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc, needs = 0;

    if (!st)
        return ERR_DB;
    memset(out, 0, sizeof *out);
    reg_bind_int(st, ":id", id);
    reg_bind_int(st, ":org", org_filter);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->priority = sqlite3_column_int(st, 0);
        reg_col_copy(out->estimate, sizeof out->estimate, st, 1);
        out->sprint_id = sqlite3_column_int64(st, 2);
        reg_col_copy(out->sprint_name, sizeof out->sprint_name, st, 3);
        out->sprint_deploy_at = sqlite3_column_int64(st, 4);
        out->version = sqlite3_column_int(st, 5);
        needs = !strcmp(reg_col_text(st, 6), "needs_info");
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = err_set(err, ERR_NOTFOUND, "no request CR-%lld", (long long)id);
    } else {
        rc = reg_db_error(reg, err);
    }
    reg_done(st);
    if (rc == 0 && needs)
        rc = prev_status(reg, out->prev_status, sizeof out->prev_status, id,
                         err);
    return rc;
}

/* ---- sprints ---------------------------------------------------------- */

void registry_sprint_rules_from_config(registry_sprint_rules *out,
                                       const config *cfg)
{
    out->length_days = cfg ? cfg->sprint_days : 14;
    out->weekday = cfg ? cfg->deploy_weekday : 2;
    if (!cfg || time_parse_hhmm(&out->deploy_minutes, cfg->deploy_time) < 0)
        out->deploy_minutes = 600;
    if (out->length_days < 1 || out->length_days > 90)
        out->length_days = 14;
    if (out->weekday < 0 || out->weekday > 6)
        out->weekday = 2;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    if ((a % b) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

void registry_sprint_compute(registry_sprint *out,
                             const registry_sprint_rules *r, int64_t t,
                             int offset)
{
    int64_t len = ((r->length_days + 6) / 7) * 7;
    int64_t d0 = ((r->weekday - 4) % 7 + 7) % 7; /* 1970-01-01: Thursday */
    int64_t day = floor_div(t, 86400);
    int64_t k = floor_div(day - d0 + len - 1, len) + offset;
    int64_t end = d0 + k * len, start = end - len + 1;

    memset(out, 0, sizeof *out);
    time_date(out->starts_on, sizeof out->starts_on, start * 86400);
    time_date(out->ends_on, sizeof out->ends_on, end * 86400);
    out->deploy_at = end * 86400 + (int64_t)r->deploy_minutes * 60;
    snprintf(out->name, sizeof out->name, "Sprint %s", out->ends_on);
}

int registry_sprints_ensure(registry *reg, const registry_sprint_rules *rules,
                            int64_t now, int ahead, errmsg *err)
{
    static const char sql[] =
        "INSERT OR IGNORE INTO sprints(name, starts_on, ends_on, deploy_at)"
        " VALUES (:name, :start, :end, :at)";
    static const char have[] =
        "SELECT count(*) FROM sprints WHERE starts_on = :start";
    int rc = 0, missing = 0;

    /* Look first: most calls find everything there and need no lock. */
    for (int k = 0; k <= ahead && !missing; k++) {
        registry_sprint s;
        sqlite3_stmt *st = reg_stmt_get(reg, have, err);
        if (!st)
            return ERR_DB;
        registry_sprint_compute(&s, rules, now, k);
        reg_bind_text(st, ":start", s.starts_on);
        if (sqlite3_step(st) == SQLITE_ROW)
            missing = sqlite3_column_int64(st, 0) == 0;
        reg_done(st);
    }
    if (!missing)
        return 0;
    if ((rc = registry_begin(reg, err)) < 0)
        return rc;
    for (int k = 0; k <= ahead && rc == 0; k++) {
        registry_sprint s;
        sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
        if (!st) {
            rc = ERR_DB;
            break;
        }
        registry_sprint_compute(&s, rules, now, k);
        reg_bind_text(st, ":name", s.name);
        reg_bind_text(st, ":start", s.starts_on);
        reg_bind_text(st, ":end", s.ends_on);
        reg_bind_int(st, ":at", s.deploy_at);
        rc = step_done(reg, st, err);
    }
    if (rc == 0)
        rc = registry_commit(reg, err);
    if (rc < 0)
        registry_rollback(reg);
    return rc;
}

static void sprint_fill(registry_sprint *s, sqlite3_stmt *st)
{
    memset(s, 0, sizeof *s);
    s->id = sqlite3_column_int64(st, 0);
    reg_col_copy(s->name, sizeof s->name, st, 1);
    reg_col_copy(s->starts_on, sizeof s->starts_on, st, 2);
    reg_col_copy(s->ends_on, sizeof s->ends_on, st, 3);
    s->deploy_at = sqlite3_column_int64(st, 4);
}

int registry_sprint_list(registry *reg, const char *from_day,
                         void (*fn)(void *ctx, const registry_sprint *s,
                                    int nrequests),
                         void *ctx, errmsg *err)
{
    static const char sql[] =
        "SELECT s.id, s.name, s.starts_on, s.ends_on, s.deploy_at,"
        " (SELECT count(*) FROM requests r WHERE r.sprint_id = s.id AND"
        " r.status NOT IN ('rejected', 'withdrawn')) FROM sprints s"
        " WHERE s.ends_on >= :from ORDER BY s.starts_on";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":from", from_day ? from_day : "");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        registry_sprint s;
        sprint_fill(&s, st);
        fn(ctx, &s, sqlite3_column_int(st, 5));
    }
    rc = rc == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    return rc;
}

static int sprint_one(registry *reg, const char *sql, const char *pname,
                      int64_t v, registry_sprint *out, errmsg *err)
{
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, pname, v);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        sprint_fill(out, st);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = err_set(err, ERR_NOTFOUND, "no such sprint");
    } else {
        rc = reg_db_error(reg, err);
    }
    reg_done(st);
    return rc;
}

int registry_sprint_get(registry *reg, registry_sprint *out, int64_t id,
                        errmsg *err)
{
    static const char sql[] = "SELECT id, name, starts_on, ends_on,"
                              " deploy_at FROM sprints WHERE id = :id";

    return sprint_one(reg, sql, ":id", id, out, err);
}

int registry_sprint_next(registry *reg, registry_sprint *out, int64_t now,
                         errmsg *err)
{
    static const char sql[] =
        "SELECT id, name, starts_on, ends_on, deploy_at FROM sprints"
        " WHERE deploy_at >= :now ORDER BY deploy_at, id LIMIT 1";

    return sprint_one(reg, sql, ":now", now, out, err);
}

int registry_sprint_last(registry *reg, registry_sprint *out, int64_t now,
                         errmsg *err)
{
    static const char sql[] =
        "SELECT id, name, starts_on, ends_on, deploy_at FROM sprints"
        " WHERE deploy_at < :now ORDER BY deploy_at DESC, id DESC LIMIT 1";

    return sprint_one(reg, sql, ":now", now, out, err);
}

/* ---- the queue -------------------------------------------------------- */

#define Q_FROM                                                                 \
    " FROM requests r JOIN organisations o ON o.id = r.org_id"                 \
    " JOIN instances i ON i.id = r.instance_id"                                \
    " LEFT JOIN users p ON p.id = r.pm_id"                                     \
    " LEFT JOIN sprints s ON s.id = r.sprint_id"                               \
    " LEFT JOIN request_events le ON le.id = (SELECT max(e.id) FROM"           \
    " request_events e WHERE e.request_id = r.id)"
#define Q_WHERE                                                                \
    " WHERE (:org = 0 OR r.org_id = :org)"                                     \
    " AND (:orgname = '' OR o.name = :orgname)"                                \
    " AND (:status = '' OR r.status = :status)"                                \
    " AND (:waiting = 0 OR r.status = 'needs_info')"                           \
    " AND (:inst = '' OR i.name = :inst OR EXISTS (SELECT 1 FROM"              \
    " request_instances ri JOIN instances i2 ON i2.id = ri.instance_id"        \
    " WHERE ri.request_id = r.id AND i2.name = :inst))"                        \
    " AND (:pm = '' OR (:pm = 'none' AND r.pm_id IS NULL) OR p.email = :pm)"   \
    " AND (:consent = 0 OR (:consent = 1 AND r.consent_related = 1)"           \
    " OR (:consent = -1 AND r.consent_related = 0))"                           \
    " AND (:age = 0 OR r.created_at <= :now - :age * 86400)"                   \
    " AND (:since = 0 OR coalesce(le.created_at, r.created_at) <="             \
    " :now - :since * 86400)"                                                  \
    " AND (:sprint = 0 OR r.sprint_id = :sprint)"                              \
    " AND (:q = '' OR r.title LIKE :like ESCAPE '\\'"                          \
    " OR r.summary LIKE :like ESCAPE '\\')"

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

static void q_bind(sqlite3_stmt *st, const registry_queue_filter *f,
                   const char *like, int with_status)
{
    reg_bind_int(st, ":org", f->org_id);
    reg_bind_text(st, ":orgname", nz(f->organisation));
    reg_bind_text(st, ":status", with_status ? nz(f->status) : "");
    reg_bind_int(st, ":waiting", with_status ? f->waiting != 0 : 0);
    reg_bind_text(st, ":inst", nz(f->instance));
    reg_bind_text(st, ":pm", nz(f->pm));
    reg_bind_int(st, ":consent", f->consent);
    reg_bind_int(st, ":age", f->age_days);
    reg_bind_int(st, ":since", f->since_days);
    reg_bind_int(st, ":now", f->now ? f->now : time_now());
    reg_bind_int(st, ":sprint", f->sprint_id);
    reg_bind_text(st, ":q", nz(f->q));
    reg_bind_text(st, ":like", like);
}

int registry_queue_list(registry *reg, const registry_queue_filter *f,
                        void (*fn)(void *ctx, const registry_queue_row *r),
                        void *ctx, int64_t *out_total, errmsg *err)
{
    static const char count_sql[] = "SELECT count(*)" Q_FROM Q_WHERE;
    static const char sql[] =
        "SELECT r.id, o.name, i.name, r.status, r.title, r.requester_name,"
        " r.requester_email, coalesce(p.email, ''), coalesce(p.name, ''),"
        " r.consent_related, r.priority, r.estimate, coalesce(r.sprint_id,"
        " 0), coalesce(s.name, ''), r.created_at, r.updated_at,"
        " coalesce(le.created_at, r.created_at), coalesce(le.note, ''),"
        " (SELECT group_concat(n, ', ') FROM (SELECT i3.name AS n FROM"
        " request_instances ri3 JOIN instances i3 ON i3.id = ri3.instance_id"
        " WHERE ri3.request_id = r.id ORDER BY ri3.position))" Q_FROM Q_WHERE
        " ORDER BY CASE :sort WHEN 'priority' THEN -r.priority"
        " WHEN 'updated' THEN -r.updated_at ELSE r.created_at END, r.id"
        " LIMIT :limit OFFSET :offset";
    registry_queue_filter zero = {0};
    char *like;
    sqlite3_stmt *st;
    int rc;

    if (!f)
        f = &zero;
    like = like_pattern(nz(f->q));
    if (out_total) {
        st = reg_stmt_get(reg, count_sql, err);
        if (!st) {
            free(like);
            return ERR_DB;
        }
        q_bind(st, f, like, 1);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            *out_total = sqlite3_column_int64(st, 0);
        rc = rc == SQLITE_ROW ? 0 : reg_db_error(reg, err);
        reg_done(st);
        if (rc < 0) {
            free(like);
            return rc;
        }
    }
    st = reg_stmt_get(reg, sql, err);
    if (!st) {
        free(like);
        return ERR_DB;
    }
    q_bind(st, f, like, 1);
    reg_bind_text(st, ":sort", nz(f->sort));
    reg_bind_int(st, ":limit", f->limit > 0 ? f->limit : -1);
    reg_bind_int(st, ":offset", f->offset > 0 ? f->offset : 0);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        registry_queue_row r;
        r.id = sqlite3_column_int64(st, 0);
        r.organisation = reg_col_text(st, 1);
        r.instance = reg_col_text(st, 2);
        r.status = reg_col_text(st, 3);
        r.title = reg_col_text(st, 4);
        r.requester_name = reg_col_text(st, 5);
        r.requester_email = reg_col_text(st, 6);
        r.pm_email = reg_col_text(st, 7);
        r.pm_name = reg_col_text(st, 8);
        r.consent_related = sqlite3_column_int(st, 9);
        r.priority = sqlite3_column_int(st, 10);
        r.estimate = reg_col_text(st, 11);
        r.sprint_id = sqlite3_column_int64(st, 12);
        r.sprint_name = reg_col_text(st, 13);
        r.created_at = sqlite3_column_int64(st, 14);
        r.updated_at = sqlite3_column_int64(st, 15);
        r.status_since = sqlite3_column_int64(st, 16);
        r.last_note = reg_col_text(st, 17);
        r.instances = reg_col_text(st, 18);
        fn(ctx, &r);
    }
    rc = rc == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    free(like);
    return rc;
}

int registry_queue_counts(registry *reg, const registry_queue_filter *f,
                          void (*fn)(void *ctx, const char *status, int64_t n),
                          void *ctx, errmsg *err)
{
    static const char sql[] =
        "SELECT r.status, count(*)" Q_FROM Q_WHERE " GROUP BY r.status";
    registry_queue_filter zero = {0};
    char *like;
    sqlite3_stmt *st;
    int rc;

    if (!f)
        f = &zero;
    like = like_pattern(nz(f->q));
    st = reg_stmt_get(reg, sql, err);
    if (!st) {
        free(like);
        return ERR_DB;
    }
    q_bind(st, f, like, 0);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(ctx, reg_col_text(st, 0), sqlite3_column_int64(st, 1));
    rc = rc == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    free(like);
    return rc;
}

static void
table_row_emit(sqlite3_stmt *st,
               void (*fn)(void *ctx, const registry_sprint_table *t), void *ctx)
{
    registry_sprint_table t;

    t.instance = reg_col_text(st, 0);
    t.table = reg_col_text(st, 1);
    t.kind = reg_col_text(st, 2);
    t.campaign_dependency = reg_col_text(st, 3);
    t.request_id = sqlite3_column_int64(st, 4);
    t.deployed_at = sqlite3_column_int64(st, 5);
    fn(ctx, &t);
}

int registry_sprint_tables(registry *reg, int64_t sprint_id, int64_t org_filter,
                           void (*fn)(void *ctx,
                                      const registry_sprint_table *t),
                           void *ctx, errmsg *err)
{
    static const char sql[] =
        "SELECT i.name, it.table_name, it.kind, it.campaign_dependency,"
        " r.id, ri.deployed_at FROM requests r"
        " JOIN request_instances ri ON ri.request_id = r.id"
        " JOIN instances i ON i.id = ri.instance_id"
        " JOIN request_items it ON it.request_id = r.id"
        " WHERE r.sprint_id = :sprint AND (:org = 0 OR r.org_id = :org)"
        " AND r.status NOT IN ('rejected', 'withdrawn')"
        " ORDER BY i.name, it.table_name, r.id";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":sprint", sprint_id);
    reg_bind_int(st, ":org", org_filter);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        table_row_emit(st, fn, ctx);
    rc = rc == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    return rc;
}

int registry_last_deploy_tables(registry *reg, int64_t org_filter,
                                void (*fn)(void *ctx,
                                           const registry_sprint_table *t),
                                void *ctx, errmsg *err)
{
    static const char sql[] =
        "SELECT i.name, it.table_name, it.kind, it.campaign_dependency,"
        " r.id, ri.deployed_at FROM request_instances ri"
        " JOIN requests r ON r.id = ri.request_id"
        " JOIN instances i ON i.id = ri.instance_id"
        " JOIN request_items it ON it.request_id = r.id"
        " WHERE (:org = 0 OR r.org_id = :org) AND ri.deployed_at > 0"
        " AND ri.deployed_at / 86400 = (SELECT max(ri2.deployed_at) / 86400"
        " FROM request_instances ri2 JOIN requests r2 ON r2.id ="
        " ri2.request_id WHERE ri2.deployed_at > 0 AND (:org = 0 OR"
        " r2.org_id = :org))"
        " ORDER BY i.name, it.table_name, r.id";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":org", org_filter);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        table_row_emit(st, fn, ctx);
    rc = rc == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    return rc;
}

/* ---- comments --------------------------------------------------------- */

int registry_comment_add(registry *reg, int64_t *out_id, int64_t id,
                         const registry_actor *who, const char *body,
                         const registry_file *files, size_t nfiles, errmsg *err)
{
    static const char sql[] =
        "INSERT INTO comments(request_id, user_id, body, created_at)"
        " VALUES (:req, :user, :body, :now)";
    static const char touch[] =
        "UPDATE requests SET updated_at = :now WHERE id = :id";
    char *text = str_trim_dup(nz(body));
    int64_t now = time_now(), cid = 0;
    req_state s;
    cJSON *payload = NULL;
    sqlite3_stmt *st;
    int rc;

    if (!*text && !nfiles) {
        rc = err_set_field(err, ERR_INVALID, "body", "write a comment");
        goto out;
    }
    if ((rc = text_check(text, REGISTRY_COMMENT_MAX, "body", err)) < 0)
        goto out;
    if (nfiles > FORM_MAX_ATTACHMENTS) {
        rc =
            err_set_field(err, ERR_INVALID, "attachments",
                          "at most %d files per comment", FORM_MAX_ATTACHMENTS);
        goto out;
    }
    if ((rc = registry_begin(reg, err)) < 0)
        goto out;
    if ((rc = state_get(reg, &s, id, org_filter_of(who), err)) < 0)
        goto done;
    st = reg_stmt_get(reg, sql, err);
    if (!st) {
        rc = ERR_DB;
        goto done;
    }
    reg_bind_int(st, ":req", id);
    if (who->user_id)
        reg_bind_int(st, ":user", who->user_id);
    else
        reg_bind_null(st, ":user");
    reg_bind_text(st, ":body", text);
    reg_bind_int(st, ":now", now);
    if ((rc = step_done(reg, st, err)) < 0)
        goto done;
    cid = sqlite3_last_insert_rowid(reg->db);
    for (size_t i = 0; i < nfiles && rc == 0; i++)
        rc = reg_attachment_insert(reg, id, cid, who->user_id,
                                   files[i].filename, files[i].content_type,
                                   files[i].data, files[i].size, now, err);
    if (rc < 0)
        goto done;
    st = reg_stmt_get(reg, touch, err);
    if (!st) {
        rc = ERR_DB;
        goto done;
    }
    reg_bind_int(st, ":now", now);
    reg_bind_int(st, ":id", id);
    if ((rc = step_done(reg, st, err)) < 0)
        goto done;
    payload = registry_request_payload(reg, id, "request.commented", who->name,
                                       text, err);
    if (!payload) {
        rc = ERR_DB;
        goto done;
    }
    cJSON_AddNumberToObject(payload, "comment", (double)cid);
    cJSON_AddNumberToObject(payload, "files", (double)nfiles);
    if ((rc = event_add_json(reg, "request.commented", id, payload, err)) < 0)
        goto done;
    rc = registry_commit(reg, err);
done:
    if (rc < 0)
        registry_rollback(reg);
    else if (out_id)
        *out_id = cid;
out:
    cJSON_Delete(payload);
    free(text);
    return rc;
}

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
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":id", id);
    reg_bind_int(st, ":org", org_filter);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        registry_comment c;
        c.id = sqlite3_column_int64(st, 0);
        c.user_id = sqlite3_column_int64(st, 1);
        c.user_name = reg_col_text(st, 2);
        c.user_role = reg_col_text(st, 3);
        c.body = reg_col_text(st, 4);
        c.created_at = sqlite3_column_int64(st, 5);
        fn(ctx, &c);
    }
    rc = rc == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    return rc;
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
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":id", id);
    reg_bind_int(st, ":org", org_filter);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(ctx, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
           reg_col_text(st, 2), sqlite3_column_int64(st, 3));
    rc = rc == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    return rc;
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

static int latest_body(registry *reg, int64_t id, char **out, errmsg *err)
{
    static const char sql[] =
        "SELECT body FROM request_versions WHERE request_id = :id"
        " ORDER BY version DESC LIMIT 1";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":id", id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
        *out = xstrdup(rc == SQLITE_ROW ? reg_col_text(st, 0) : "{}");
        rc = 0;
    } else {
        rc = reg_db_error(reg, err);
    }
    reg_done(st);
    return rc;
}

static void count_diff(void *ctx, const char *path, const char *o,
                       const char *n)
{
    (void)path;
    (void)o;
    (void)n;
    (*(int *)ctx)++;
}

static int edit_tx(registry *reg, int *out_version, int64_t id,
                   const registry_actor *who, const form_request *r,
                   int answers, errmsg *err)
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
    static const char ver[] =
        "INSERT INTO request_versions(request_id, version, body, user_id,"
        " created_at) VALUES (:req, :version, :body, :user, :now)";
    form_request stored;
    req_state s;
    int64_t inst = 0, pm = 0, now = time_now();
    char *body = NULL, *old = NULL, note[64];
    cJSON *payload = NULL;
    sqlite3_stmt *st;
    int rc, ndiff = 0, version;

    memset(&stored, 0, sizeof stored);
    if ((rc = state_get(reg, &s, id, org_filter_of(who), err)) < 0)
        goto done;
    if (!strcmp(nz(who->role), "ops")) {
        rc = err_set(err, ERR_FORBIDDEN, "operations may not edit requests");
        goto done;
    }
    if (strcmp(s.status, "submitted") && strcmp(s.status, "needs_info")) {
        rc = err_set(err, ERR_CONFLICT,
                     "CR-%lld is %s: it can be edited only while submitted "
                     "or waiting for information",
                     (long long)id, s.status);
        goto done;
    }
    if ((rc = registry_request_load(reg, &stored, id, 0, err)) < 0)
        goto done;
    if ((rc = reg_request_instance_id(reg, &inst, s.org_id, nz(r->instance),
                                      "instance", err)) < 0)
        goto done;
    if (*nz(r->project_manager) &&
        (rc = reg_request_pm_id(reg, &pm, r->project_manager, err)) < 0)
        goto done;
    body = version_body(r, &stored);
    if ((rc = latest_body(reg, id, &old, err)) < 0)
        goto done;
    if (registry_version_diff(old, body, count_diff, &ndiff) == 0 ||
        ndiff == 0) {
        rc = err_set(err, ERR_CONFLICT, "nothing was changed");
        goto done;
    }
    version = s.version + 1;
    st = reg_stmt_get(reg, upd, err);
    if (!st) {
        rc = ERR_DB;
        goto done;
    }
    reg_bind_int(st, ":inst", inst);
    if (pm)
        reg_bind_int(st, ":pm", pm);
    else
        reg_bind_null(st, ":pm");
    reg_bind_text(st, ":title", r->title);
    reg_bind_text(st, ":summary", r->summary);
    reg_bind_int(st, ":consent", r->consent_related != 0);
    reg_bind_text(st, ":cnote", r->consent_note);
    reg_bind_text(st, ":desired", r->desired_date);
    reg_bind_int(st, ":version", version);
    reg_bind_int(st, ":now", now);
    reg_bind_int(st, ":id", id);
    if ((rc = step_done(reg, st, err)) < 0)
        goto done;
    if ((st = reg_stmt_get(reg, del_items, err)) == NULL) {
        rc = ERR_DB;
        goto done;
    }
    reg_bind_int(st, ":id", id);
    if ((rc = step_done(reg, st, err)) < 0)
        goto done;
    if ((st = reg_stmt_get(reg, del_inst, err)) == NULL) {
        rc = ERR_DB;
        goto done;
    }
    reg_bind_int(st, ":id", id);
    if ((rc = step_done(reg, st, err)) < 0)
        goto done;
    if ((rc = reg_request_rows_insert(reg, id, s.org_id, inst, r, err)) < 0)
        goto done;
    if ((st = reg_stmt_get(reg, ver, err)) == NULL) {
        rc = ERR_DB;
        goto done;
    }
    reg_bind_int(st, ":req", id);
    reg_bind_int(st, ":version", version);
    reg_bind_text(st, ":body", body);
    if (who->user_id)
        reg_bind_int(st, ":user", who->user_id);
    else
        reg_bind_null(st, ":user");
    reg_bind_int(st, ":now", now);
    if ((rc = step_done(reg, st, err)) < 0)
        goto done;
    snprintf(note, sizeof note, "version %d", version);
    payload = registry_request_payload(reg, id, "request.updated", who->name,
                                       note, err);
    if (!payload) {
        rc = ERR_DB;
        goto done;
    }
    cJSON_AddNumberToObject(payload, "version", version);
    if ((rc = event_add_json(reg, "request.updated", id, payload, err)) < 0)
        goto done;
    if (answers && !strcmp(s.status, "needs_info")) {
        registry_transition t = {0};
        char msg[96];
        snprintf(msg, sizeof msg,
                 "Answered by editing the request (version %d).", version);
        t.to = "answered";
        t.note = msg;
        if ((rc = transition_tx(reg, NULL, id, who, &t, err)) < 0)
            goto done;
    }
    if (out_version)
        *out_version = version;
done:
    cJSON_Delete(payload);
    form_request_dispose(&stored);
    free(body);
    free(old);
    return rc;
}

int registry_request_edit(registry *reg, int *out_version, int64_t id,
                          const registry_actor *who, const form_request *r,
                          int answers, errmsg *err)
{
    int rc = registry_begin(reg, err);

    if (rc < 0)
        return rc;
    rc = edit_tx(reg, out_version, id, who, r, answers, err);
    if (rc == 0)
        rc = registry_commit(reg, err);
    if (rc < 0)
        registry_rollback(reg);
    return rc;
}

int registry_version_list(registry *reg, int64_t id, int64_t org_filter,
                          void (*fn)(void *ctx, const registry_version *v),
                          void *ctx, errmsg *err)
{
    static const char sql[] =
        "SELECT v.version, v.body, coalesce(u.name, ''), v.created_at"
        " FROM request_versions v JOIN requests r ON r.id = v.request_id"
        " LEFT JOIN users u ON u.id = v.user_id WHERE v.request_id = :id"
        " AND (:org = 0 OR r.org_id = :org) ORDER BY v.version";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":id", id);
    reg_bind_int(st, ":org", org_filter);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        registry_version v;
        v.version = sqlite3_column_int(st, 0);
        v.body = reg_col_text(st, 1);
        v.user_name = reg_col_text(st, 2);
        v.created_at = sqlite3_column_int64(st, 3);
        fn(ctx, &v);
    }
    rc = rc == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    return rc;
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

static void diff_object(diff_ctx *d, const char *path, const cJSON *a,
                        const cJSON *b)
{
    const cJSON *e;
    buf p = {0};

    cJSON_ArrayForEach(e, a)
    {
        if (!e->string || diff_skip(e->string))
            continue;
        buf_reset(&p);
        if (*path) {
            buf_puts(&p, path);
            buf_putc(&p, '.');
        }
        buf_puts(&p, e->string);
        diff_value(d, buf_cstr(&p), e,
                   cJSON_GetObjectItemCaseSensitive(b, e->string));
    }
    cJSON_ArrayForEach(e, b)
    {
        if (!e->string || diff_skip(e->string) ||
            cJSON_GetObjectItemCaseSensitive(a, e->string))
            continue;
        buf_reset(&p);
        if (*path) {
            buf_puts(&p, path);
            buf_putc(&p, '.');
        }
        buf_puts(&p, e->string);
        diff_value(d, buf_cstr(&p), NULL, e);
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
    cJSON *a = cJSON_Parse(nz(old_json)), *b = cJSON_Parse(nz(new_json));
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

/* ---- migrations ------------------------------------------------------- */

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
            reg_bind_text(st, ":inst", instance);
            reg_bind_text(st, ":table", it->table);
            reg_bind_text(st, ":col", col->name);
            rc = sqlite3_step(st);
            memset(&col->old_type, 0, sizeof col->old_type);
            if (rc == SQLITE_ROW && *reg_col_text(st, 0) &&
                form_type_parse(&col->old_type, reg_col_text(st, 0), NULL) < 0)
                memset(&col->old_type, 0, sizeof col->old_type);
            if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
                rc = reg_db_error(reg, err);
                reg_done(st);
                return rc;
            }
            reg_done(st);
        }
    }
    return 0;
}

/* ---- the clock: digest and tick --------------------------------------- */

static int digest_done(registry *reg, int64_t sprint_id, int *out, errmsg *err)
{
    static const char sql[] =
        "SELECT count(*) FROM events WHERE event = 'deploy.digest' AND"
        " json_extract(payload, '$.sprint.id') = :id";
    int64_t n = 0;
    int rc = count_int(reg, sql, sprint_id, &n, err);

    *out = n > 0;
    return rc;
}

static int digest_ids(registry *reg, int64_t sprint_id, int64_t **ids,
                      size_t *n, errmsg *err)
{
    static const char sql[] =
        "SELECT id FROM requests WHERE sprint_id = :id AND status IN"
        " ('scheduled', 'in_progress') ORDER BY priority DESC, id";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    size_t cap = 0;
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":id", sprint_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        xgrow(ids, &cap, *n + 1, sizeof **ids);
        (*ids)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    rc = rc == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    return rc;
}

typedef struct inst_names {
    char (*names)[101];
    size_t n;
} inst_names;

static void collect_undeployed(void *ctx, const registry_request_instance *i)
{
    inst_names *in = ctx;

    if (i->deployed_at)
        return;
    in->names = xrealloc(in->names, (in->n + 1) * sizeof *in->names);
    str_copy(in->names[in->n++], sizeof *in->names, i->name);
}

int registry_deploy_digest(registry *reg, const registry_sprint_rules *rules,
                           int64_t now, int *out_written, errmsg *err)
{
    static const char sql[] =
        "SELECT id, name, starts_on, ends_on, deploy_at FROM sprints"
        " WHERE ends_on = :day ORDER BY id LIMIT 1";
    registry_sprint s;
    char day[16];
    int64_t *ids = NULL, day_start = floor_div(now, 86400) * 86400;
    int64_t from;
    size_t nids = 0;
    cJSON *root = NULL, *digest, *tables;
    int rc, done = 0, minutes;

    if (out_written)
        *out_written = 0;
    minutes = rules->deploy_minutes < 360 ? rules->deploy_minutes : 360;
    from = day_start + (int64_t)minutes * 60;
    if (now < from)
        return 0;
    time_date(day, sizeof day, now);
    if ((rc = registry_begin(reg, err)) < 0)
        return rc;
    {
        sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
        if (!st) {
            rc = ERR_DB;
            goto done;
        }
        reg_bind_text(st, ":day", day);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            sprint_fill(&s, st);
        reg_done(st);
        if (rc == SQLITE_DONE) {
            rc = 0;
            goto done; /* not a deploy day */
        }
        if (rc != SQLITE_ROW) {
            rc = reg_db_error(reg, err);
            goto done;
        }
    }
    if ((rc = digest_done(reg, s.id, &done, err)) < 0 || done)
        goto done;
    if ((rc = digest_ids(reg, s.id, &ids, &nids, err)) < 0 || !nids)
        goto done;
    root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "event", "deploy.digest");
    cJSON_AddItemToObject(root, "sprint", sprint_json(&s));
    digest = cJSON_AddArrayToObject(root, "digest");
    tables = cJSON_AddArrayToObject(root, "tables");
    cJSON_AddStringToObject(root, "actor", "docket");
    cJSON_AddStringToObject(root, "url", "/sprints");
    for (size_t i = 0; i < nids; i++) {
        cJSON *p =
            registry_request_payload(reg, ids[i], "deploy.digest", "", "", err);
        form_request r;
        inst_names in = {0};
        if (!p) {
            rc = ERR_DB;
            goto done;
        }
        cJSON_AddItemToArray(
            digest, cJSON_DetachItemFromObjectCaseSensitive(p, "request"));
        cJSON_Delete(p);
        if ((rc = registry_request_load(reg, &r, ids[i], 0, err)) < 0)
            goto done;
        rc = registry_request_instances(reg, ids[i], 0, collect_undeployed, &in,
                                        err);
        for (size_t k = 0; rc == 0 && k < in.n; k++) {
            cJSON *arr =
                registry_request_changes_json(reg, &r, in.names[k], "", err);
            cJSON *e;
            if (!arr) {
                rc = ERR_DB;
                break;
            }
            while ((e = cJSON_DetachItemFromArray(arr, 0)) != NULL)
                cJSON_AddItemToArray(tables, e);
            cJSON_Delete(arr);
        }
        free(in.names);
        form_request_dispose(&r);
        if (rc < 0)
            goto done;
    }
    if ((rc = event_add_json(reg, "deploy.digest", 0, root, err)) < 0)
        goto done;
    if (out_written)
        *out_written = 1;
done:
    if (rc == 0)
        rc = registry_commit(reg, err);
    if (rc < 0) {
        registry_rollback(reg);
        if (out_written)
            *out_written = 0;
    }
    cJSON_Delete(root);
    free(ids);
    return rc;
}

int registry_triage_tick(registry *reg, const registry_sprint_rules *rules,
                         int64_t now, int *out_notify, errmsg *err)
{
    int rc = registry_sprints_ensure(reg, rules, now, 2, err);

    if (out_notify)
        *out_notify = 0;
    if (rc == 0)
        rc = registry_deploy_digest(reg, rules, now, out_notify, err);
    return rc;
}
