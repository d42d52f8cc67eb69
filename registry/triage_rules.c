/* triage_rules.c: the vocabulary and the rules of the life cycle (the
 * status names, transitions x roles), and the pieces every part of the
 * triage store shares: the request state, event rows and payloads, text
 * checks. Contracts in triage.h and triage_int.h. */
#include "triage_int.h"
#include "str.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

/* ---- the vocabulary --------------------------------------------------- */

static const char *const status_names[REQ_NTARGETS] = {
    [REQ_SUBMITTED] = "submitted",     [REQ_TRIAGED] = "triaged",
    [REQ_NEEDS_INFO] = "needs_info",   [REQ_SCHEDULED] = "scheduled",
    [REQ_IN_PROGRESS] = "in_progress", [REQ_DEPLOYED] = "deployed",
    [REQ_REJECTED] = "rejected",       [REQ_WITHDRAWN] = "withdrawn",
    [REQ_ANSWERED] = "answered",
};

const char *registry_status_name(request_status s)
{
    return s >= 0 && s < REQ_NTARGETS ? status_names[s] : NULL;
}

static request_status name_find(const char *s, int n)
{
    for (int i = 0; s && i < n; i++)
        if (!strcmp(s, status_names[i]))
            return (request_status)i;
    return REQ_NONE;
}

request_status registry_status_parse(const char *s)
{
    return name_find(s, REQ_NSTATUSES);
}

request_status registry_target_parse(const char *s)
{
    return name_find(s, REQ_NTARGETS);
}

int registry_status_valid(const char *s)
{
    return registry_status_parse(s) != REQ_NONE;
}

static const char *const status_labels[REQ_NTARGETS] = {
    [REQ_SUBMITTED] = "submitted",
    [REQ_TRIAGED] = "triaged",
    [REQ_NEEDS_INFO] = "needs information",
    [REQ_SCHEDULED] = "scheduled",
    [REQ_IN_PROGRESS] = "in progress",
    [REQ_DEPLOYED] = "deployed",
    [REQ_REJECTED] = "rejected",
    [REQ_WITHDRAWN] = "withdrawn",
    [REQ_ANSWERED] = "answered",
};

const char *registry_status_label(request_status s)
{
    return s >= 0 && s < REQ_NTARGETS ? status_labels[s] : "";
}

/* ---- deploy order ----------------------------------------------------- */

/* The environments in deploy order; any other ranks after them. The SQL
 * of registry_request_instances orders by the same list. */
static const char *const env_order[] = {"qa", "staging", "production"};
#define ENV_PRODUCTION 2

int registry_environment_rank(const char *environment)
{
    int n = (int)(sizeof env_order / sizeof *env_order);

    for (int i = 0; environment && i < n; i++)
        if (!str_casecmp(environment, env_order[i]))
            return i;
    return n;
}

const char *registry_environment_label(const char *environment)
{
    return registry_environment_rank(environment) == 0 ? "QA"
                                                       : tr_nz(environment);
}

size_t registry_deploy_ahead(const registry_request_instance *list, size_t n,
                             size_t k, size_t *ahead)
{
    size_t m = 0;

    assert(k < n);
    if (list[k].deployed_at ||
        registry_environment_rank(list[k].environment) != ENV_PRODUCTION)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!list[i].deployed_at &&
            registry_environment_rank(list[i].environment) < ENV_PRODUCTION) {
            if (ahead)
                ahead[m] = i;
            m++;
        }
    return m;
}

/* ---- the rules -------------------------------------------------------- */

typedef struct rule {
    unsigned from; /* REQ_BIT set */
    unsigned roles;
} rule;

#define STAFF_WRITERS (ROLE_PM | ROLE_ADMIN)
#define OPEN_STATUSES                                                          \
    (REQ_BIT(REQ_SUBMITTED) | REQ_BIT(REQ_TRIAGED) | REQ_BIT(REQ_NEEDS_INFO) | \
     REQ_BIT(REQ_SCHEDULED))

static const rule transition_rules[REQ_NTARGETS] = {
    [REQ_TRIAGED] = {REQ_BIT(REQ_SUBMITTED), STAFF_WRITERS},
    [REQ_NEEDS_INFO] = {REQ_BIT(REQ_SUBMITTED) | REQ_BIT(REQ_TRIAGED) |
                            REQ_BIT(REQ_SCHEDULED),
                        STAFF_WRITERS},
    [REQ_ANSWERED] = {REQ_BIT(REQ_NEEDS_INFO), ROLE_CLIENT | STAFF_WRITERS},
    [REQ_SCHEDULED] = {REQ_BIT(REQ_TRIAGED) | REQ_BIT(REQ_SCHEDULED),
                       STAFF_WRITERS},
    [REQ_IN_PROGRESS] = {REQ_BIT(REQ_SCHEDULED), STAFF_WRITERS},
    [REQ_DEPLOYED] = {REQ_BIT(REQ_SCHEDULED) | REQ_BIT(REQ_IN_PROGRESS),
                      STAFF_WRITERS},
    [REQ_REJECTED] = {OPEN_STATUSES, STAFF_WRITERS},
    [REQ_WITHDRAWN] = {OPEN_STATUSES, ROLE_CLIENT},
};

int registry_transition_role_may(request_status to, docket_role role)
{
    return to >= 0 && to < REQ_NTARGETS &&
           (transition_rules[to].roles & (unsigned)role) != 0;
}

int registry_transition_from_ok(request_status from, request_status to)
{
    return to >= 0 && to < REQ_NTARGETS && from >= 0 && from < REQ_NSTATUSES &&
           (transition_rules[to].from & REQ_BIT(from)) != 0;
}

int registry_transition_may(request_status from, request_status to,
                            docket_role role)
{
    return registry_transition_role_may(to, role) &&
           registry_transition_from_ok(from, to);
}

int registry_transition_allowed(const char *from, const char *to,
                                const char *role)
{
    return registry_transition_may(registry_status_parse(from),
                                   registry_target_parse(to),
                                   registry_role_bit(role));
}

/* ---- shared pieces ---------------------------------------------------- */

int64_t tr_org_filter(const registry_actor *who)
{
    assert(who);
    return who->role == ROLE_CLIENT ? who->org_id : 0;
}

int tr_staff_writer(const registry_actor *who)
{
    return (who->role & STAFF_WRITERS) != 0;
}

sqlite3_stmt *tr_request_stmt(registry *reg, const char *sql, int64_t id,
                              int64_t org_filter, errmsg *err)
{
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":id", id),
                                REG_INT(":org", org_filter));

    return st;
}

static int state_row(sqlite3_stmt *st, void *ctx)
{
    tr_state *out = ctx;

    out->status = registry_status_parse(reg_col_text(st, 0));
    out->org_id = sqlite3_column_int64(st, 1);
    out->pm_id = sqlite3_column_int64(st, 2);
    out->sprint_id = sqlite3_column_int64(st, 3);
    out->version = sqlite3_column_int(st, 4);
    return 0;
}

int tr_state_get(registry *reg, tr_state *out, int64_t id, int64_t org_filter,
                 errmsg *err)
{
    static const char sql[] =
        "SELECT status, org_id, coalesce(pm_id, 0), coalesce(sprint_id, 0),"
        " version FROM requests WHERE id = :id AND (:org = 0 OR org_id = "
        ":org)";
    int rc = reg_one(reg, tr_request_stmt(reg, sql, id, org_filter, err),
                     state_row, out, err);

    if (rc == ERR_NOTFOUND)
        rc = err_set(err, ERR_NOTFOUND, "no request CR-%lld", (long long)id);
    return rc;
}

int registry_request_status(registry *reg, int64_t id, int64_t org_filter,
                            request_status *out, errmsg *err)
{
    tr_state s;
    int rc = tr_state_get(reg, &s, id, org_filter, err);

    if (rc == 0)
        *out = s.status;
    return rc;
}

static int prev_row(sqlite3_stmt *st, void *ctx)
{
    request_status *out = ctx;
    request_status s = registry_status_parse(reg_col_text(st, 0));

    if (s != REQ_NONE && s != REQ_NEEDS_INFO)
        *out = s;
    return 0;
}

int tr_prev_status(registry *reg, request_status *out, int64_t id, errmsg *err)
{
    static const char sql[] =
        "SELECT from_status FROM request_events WHERE request_id = :id"
        " AND to_status = 'needs_info' ORDER BY id DESC LIMIT 1";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":id", id));
    request_status s = REQ_SUBMITTED;
    int rc;

    rc = reg_one(reg, st, prev_row, &s, err);
    if (rc < 0 && rc != ERR_NOTFOUND)
        return rc;
    *out = s;
    return 0;
}

int tr_event_row(registry *reg, int64_t id, int64_t user, request_status from,
                 request_status to, int64_t inst_id, const char *note,
                 int64_t now, errmsg *err)
{
    static const char sql[] =
        "INSERT INTO request_events(request_id, user_id, from_status,"
        " to_status, instance_id, note, created_at) VALUES (:req, :user,"
        " :from, :to, :inst, :note, :now)";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);

    assert(registry_status_name(from) && registry_status_name(to));
    reg_bind_all(st, REG_INT(":req", id), REG_ID(":user", user),
                 REG_TEXT(":from", registry_status_name(from)),
                 REG_TEXT(":to", registry_status_name(to)),
                 REG_ID(":inst", inst_id), REG_TEXT(":note", note),
                 REG_INT(":now", now));
    return tr_exec(reg, st, err);
}

int tr_text_check(const char *s, size_t max, const char *field, errmsg *err)
{
    size_t n = strlen(tr_nz(s));

    if (n > max)
        return err_set_field(err, ERR_INVALID, field,
                             "is longer than %zu bytes", max);
    if (!str_utf8_valid(tr_nz(s), n) || str_has_ctl(tr_nz(s)))
        return err_set_field(err, ERR_INVALID, field,
                             "has control characters or invalid UTF-8");
    return 0;
}

int tr_blank(const char *s)
{
    for (s = tr_nz(s); *s; s++)
        if (!strchr(" \t\r\n", *s))
            return 0;
    return 1;
}

int tr_count(registry *reg, const char *sql, int64_t id, int64_t *out,
             errmsg *err)
{
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":id", id));

    return reg_count(reg, st, out, err);
}

int tr_in_tx(registry *reg, int (*fn)(registry *reg, void *ctx, errmsg *err),
             void *ctx, errmsg *err)
{
    int rc = registry_begin(reg, err);

    if (rc < 0)
        return rc;
    rc = fn(reg, ctx, err);
    if (rc == 0)
        rc = registry_commit(reg, err);
    if (rc < 0)
        registry_rollback(reg);
    return rc;
}

int64_t tr_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    assert(b != 0);
    if ((a % b) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

int tr_sprint_row(sqlite3_stmt *st, void *ctx)
{
    registry_sprint *s = ctx;

    memset(s, 0, sizeof *s);
    reg_cols(st, "iccci", &s->id, s->name, sizeof s->name, s->starts_on,
             sizeof s->starts_on, s->ends_on, sizeof s->ends_on, &s->deploy_at);
    return 0;
}

/* ---- payloads --------------------------------------------------------- */

cJSON *tr_sprint_json(const registry_sprint *s)
{
    cJSON *o = cJSON_CreateObject();
    char t[32];

    cJSON_AddNumberToObject(o, "id", (double)s->id);
    cJSON_AddStringToObject(o, "name", s->name);
    time_iso(t, sizeof t, s->deploy_at);
    cJSON_AddStringToObject(o, "deploy_at", t);
    return o;
}

static int payload_row(sqlite3_stmt *st, void *ctx)
{
    cJSON *req = ctx;

    cJSON_AddStringToObject(req, "title", reg_col_text(st, 0));
    cJSON_AddStringToObject(req, "status", reg_col_text(st, 1));
    cJSON_AddStringToObject(req, "organisation", reg_col_text(st, 2));
    cJSON_AddStringToObject(req, "instance", reg_col_text(st, 3));
    cJSON_AddArrayToObject(req, "instances");
    cJSON_AddStringToObject(req, "requester_name", reg_col_text(st, 4));
    cJSON_AddStringToObject(req, "requester_email", reg_col_text(st, 5));
    cJSON_AddStringToObject(req, "project_manager", reg_col_text(st, 6));
    cJSON_AddBoolToObject(req, "consent_related",
                          sqlite3_column_int(st, 7) != 0);
    cJSON_AddStringToObject(req, "consent_note", reg_col_text(st, 8));
    /* Read back (and removed) by registry_request_payload. */
    cJSON_AddNumberToObject(req, "sprint_id",
                            (double)sqlite3_column_int64(st, 9));
    return 0;
}

static int instance_name_row(sqlite3_stmt *st, void *ctx)
{
    cJSON_AddItemToArray(ctx, cJSON_CreateString(reg_col_text(st, 0)));
    return 0;
}

/* The "request" object of the payload; NULL on error. */
static cJSON *payload_request(registry *reg, int64_t id, int64_t *sprint,
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
    cJSON *req = cJSON_CreateObject(), *v;
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    char num[32], url[48];
    int rc;

    snprintf(num, sizeof num, "CR-%lld", (long long)id);
    snprintf(url, sizeof url, "/requests/%lld", (long long)id);
    cJSON_AddNumberToObject(req, "id", (double)id);
    cJSON_AddStringToObject(req, "number", num);
    if (st)
        reg_bind_int(st, ":id", id);
    rc = reg_one(reg, st, payload_row, req, err);
    if (rc == ERR_NOTFOUND)
        rc = err_set(err, ERR_NOTFOUND, "no request CR-%lld", (long long)id);
    if (rc == 0) {
        cJSON_AddStringToObject(req, "url", url);
        v = cJSON_DetachItemFromObjectCaseSensitive(req, "sprint_id");
        *sprint = (int64_t)v->valuedouble;
        cJSON_Delete(v);
        st = reg_stmt_get(reg, sql_i, err);
        if (st)
            reg_bind_int(st, ":id", id);
        rc = reg_each(reg, st, instance_name_row,
                      cJSON_GetObjectItemCaseSensitive(req, "instances"), err);
    }
    if (rc < 0) {
        cJSON_Delete(req);
        return NULL;
    }
    return req;
}

cJSON *registry_request_payload(registry *reg, int64_t id, const char *event,
                                const char *actor, const char *note,
                                errmsg *err)
{
    cJSON *root, *req;
    int64_t sprint = 0;
    char url[48];

    req = payload_request(reg, id, &sprint, err);
    if (!req)
        return NULL;
    snprintf(url, sizeof url, "/requests/%lld", (long long)id);
    root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "event", tr_nz(event));
    cJSON_AddItemToObject(root, "request", req);
    cJSON_AddStringToObject(root, "actor", tr_nz(actor));
    cJSON_AddStringToObject(root, "note", tr_nz(note));
    cJSON_AddStringToObject(root, "url", url);
    if (sprint) {
        registry_sprint s;
        if (registry_sprint_get(reg, &s, sprint, err) < 0) {
            cJSON_Delete(root);
            return NULL;
        }
        cJSON_AddItemToObject(root, "sprint", tr_sprint_json(&s));
    }
    return root;
}

int tr_event_write(registry *reg, docket_event ev, int64_t id,
                   const registry_actor *who, const char *note,
                   void (*extra)(cJSON *payload, void *ctx), void *ctx,
                   errmsg *err)
{
    cJSON *payload = registry_request_payload(reg, id, registry_event_name(ev),
                                              who ? who->name : "", note, err);
    int rc;

    if (!payload)
        return err && err->code ? err->code : ERR_DB;
    if (extra)
        extra(payload, ctx);
    {
        registry_event_about about = {.request_id = id,
                                      .actor_id = who ? who->user_id : 0};
        rc = registry_event_emit(reg, NULL, ev, &about, payload, err);
    }
    cJSON_Delete(payload);
    return rc;
}
