/* triage_transition.c: status transitions inside one transaction (the
 * rules of triage_rules.c checked against the stored status), the deploy
 * of one instance (registry_request_apply in the same transaction), the
 * planning fields and the per-instance deploy state. Contracts in
 * triage.h. */
#include "triage_int.h"
#include "buf.h"
#include "catalog.h"
#include "requests.h"
#include "mem.h"
#include "str.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* ---- transitions ------------------------------------------------------ */

typedef struct inst_found {
    int64_t id, deployed_at;
} inst_found;

static int inst_found_row(sqlite3_stmt *st, void *ctx)
{
    inst_found *f = ctx;

    f->id = sqlite3_column_int64(st, 0);
    f->deployed_at = sqlite3_column_int64(st, 1);
    return 0;
}

/* The instance of request id named name: its id and deployed_at. */
static int request_instance_find(registry *reg, inst_found *out, int64_t id,
                                 const char *name, errmsg *err)
{
    static const char sql[] =
        "SELECT ri.instance_id, ri.deployed_at FROM request_instances ri"
        " JOIN instances i ON i.id = ri.instance_id"
        " WHERE ri.request_id = :id AND i.name = :name";
    sqlite3_stmt *st =
        reg_stmt(reg, sql, err, REG_INT(":id", id), REG_TEXT(":name", name));
    int rc;

    rc = reg_one(reg, st, inst_found_row, out, err);
    if (rc == ERR_NOTFOUND)
        rc = err_set_field(err, ERR_INVALID, "instance",
                           "CR-%lld does not apply to an instance named "
                           "\"%.100s\"",
                           (long long)id, name);
    return rc;
}

static const char sql_undeployed[] =
    "SELECT count(*) FROM request_instances WHERE request_id = :id"
    " AND deployed_at = 0";
static const char sql_sprint_exists[] =
    "SELECT count(*) FROM sprints WHERE id = :id";

/* What one transition decided, for the update and the event. */
typedef struct tx_plan {
    request_status to;         /* the target */
    request_status new_status; /* what requests.status becomes */
    int64_t inst_id;           /* deployed: the instance */
    int64_t pm;                /* triaged: the PM who becomes its PM */
    cJSON *tables;             /* deployed: what the deploy changes */
    const char *instance;
    const char *reason; /* deployed: as asked (may be NULL) */
    const char *note;   /* the note as asked, trimmed */
    char *ahead_note;   /* deployed ahead of QA: the event row's note */
    char *ahead_reason; /* ... and the reason given, trimmed */
    cJSON *ahead_of;    /* ... and the names it went ahead of */
} tx_plan;

/* The deploy of one instance: apply, mark, and the new status. */
static int deploy_one(registry *reg, int64_t id, const registry_actor *who,
                      tx_plan *p, int64_t now, errmsg *err)
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
    p->tables = registry_request_changes_json(reg, &r, p->instance, "", err);
    if (!p->tables) {
        form_request_dispose(&r);
        return ERR_DB;
    }
    rc = registry_request_apply(reg, &r, p->instance, who->user_id, err);
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
    st = reg_stmt(reg, mark, err, REG_INT(":now", now),
                  REG_ID(":user", who->user_id), REG_INT(":id", id),
                  REG_INT(":inst", p->inst_id));
    rc = tr_exec(reg, st, err);
    if (rc == 0)
        rc = tr_count(reg, sql_undeployed, id, &left, err);
    if (rc == 0)
        p->new_status = left ? REQ_IN_PROGRESS : REQ_DEPLOYED;
    return rc;
}

/* The checks that need no more than the stored state: the target, the
 * role, the status it comes from, the texts. */
static int transition_check(const tr_state *s, int64_t id,
                            const registry_actor *who,
                            const registry_transition *t, const char *note,
                            errmsg *err)
{
    const char *to = registry_status_name(t->to);
    int rc;

    if (!to)
        return err_set_field(err, ERR_INVALID, "to",
                             "that is not a status a request can be moved "
                             "to");
    if (!registry_transition_role_may(t->to, who->role) ||
        ((t->set_priority || t->estimate) && !tr_staff_writer(who)))
        return err_set(err, ERR_FORBIDDEN,
                       "your role (%s) may not move a request to %s",
                       tr_nz(registry_role_name(who->role)), to);
    if (!registry_transition_from_ok(s->status, t->to))
        return err_set(err, ERR_CONFLICT,
                       "CR-%lld is %s: it cannot be moved to %s from there",
                       (long long)id, tr_nz(registry_status_name(s->status)),
                       to);
    rc = tr_text_check(note, FORM_MAX_TEXT, "note", err);
    if (rc == 0)
        rc = tr_text_check(t->estimate, FORM_MAX_SHORT, "estimate", err);
    if (rc == 0 && !*note && t->to == REQ_REJECTED)
        rc = err_set_field(err, ERR_INVALID, "note",
                           "give the reason for rejecting the request");
    if (rc == 0 && !*note && t->to == REQ_NEEDS_INFO)
        rc = err_set_field(err, ERR_INVALID, "note",
                           "write the question for the client");
    if (rc == 0 && !*note && t->to == REQ_ANSWERED)
        rc = err_set_field(err, ERR_INVALID, "note", "Write your answer.");
    if (rc == 0 && t->nfiles && t->to != REQ_ANSWERED)
        rc = err_set_field(err, ERR_INVALID, "attachments",
                           "Only an answer takes files: add them to a "
                           "comment.");
    if (rc == 0 && t->nfiles > FORM_MAX_ATTACHMENTS)
        rc = err_set_field(err, ERR_INVALID, "attachments",
                           "Send at most %d files with an answer.",
                           FORM_MAX_ATTACHMENTS);
    return rc;
}

/* The answer's note with the names of its files on a line of its own
 * ("Files: `sample.csv`"), so the timeline, the inbox and the messages
 * say what came with it. Takes note; returns the new one. */
static char *answer_note(char *note, const registry_transition *t)
{
    buf b = {0};

    buf_puts(&b, note);
    buf_puts(&b, t->nfiles == 1 ? "\n\nFile: " : "\n\nFiles: ");
    for (size_t i = 0; i < t->nfiles; i++) {
        const char *name = t->files[i].filename;
        /* a code span as long as the longest run of backticks inside
           needs one more */
        size_t run = 0, most = 0;
        for (const char *c = name; *c; c++) {
            run = *c == '`' ? run + 1 : 0;
            most = run > most ? run : most;
        }
        if (i)
            buf_puts(&b, ", ");
        for (size_t k = 0; k <= most; k++)
            buf_putc(&b, '`');
        buf_puts(&b, most ? " " : "");
        buf_puts(&b, name);
        buf_puts(&b, most ? " " : "");
        for (size_t k = 0; k <= most; k++)
            buf_putc(&b, '`');
    }
    free(note);
    return buf_detach(&b);
}

static int schedule_check(registry *reg, const tr_state *s, int64_t id,
                          const registry_transition *t, errmsg *err)
{
    int64_t n = 0;
    int rc;

    if (t->sprint_id <= 0)
        return err_set_field(err, ERR_INVALID, "sprint",
                             "choose the sprint to schedule it in");
    rc = tr_count(reg, sql_sprint_exists, t->sprint_id, &n, err);
    if (rc < 0)
        return rc;
    if (!n)
        return err_set_field(err, ERR_INVALID, "sprint",
                             "there is no sprint %lld",
                             (long long)t->sprint_id);
    if (s->status == REQ_SCHEDULED && s->sprint_id == t->sprint_id)
        return err_set(err, ERR_CONFLICT,
                       "CR-%lld is already scheduled in that sprint",
                       (long long)id);
    return 0;
}

typedef struct inst_list {
    registry_request_instance *list;
    size_t n, cap;
} inst_list;

static void inst_list_add(void *ctx, const registry_request_instance *i)
{
    inst_list *l = ctx;

    xgrow(&l->list, &l->cap, l->n + 1, sizeof *l->list);
    l->list[l->n++] = *i;
}

/* "`acme-qa` (QA) and `acme-stage` (staging)": the instances of ahead. */
static void ahead_names(buf *b, const inst_list *l, const size_t *ahead,
                        size_t m, int code)
{
    for (size_t i = 0; i < m; i++) {
        const registry_request_instance *ri = &l->list[ahead[i]];
        if (i)
            buf_puts(b, i + 1 == m ? " and " : ", ");
        buf_puts(b, code ? "`" : "");
        buf_puts(b, ri->name);
        buf_puts(b, code ? "`" : "");
        buf_appendf(b, " (%s)", registry_environment_label(ri->environment));
    }
}

/* Production ahead of QA or staging: the reason is required, and the
 * note of the event row says what the deploy went ahead of and why. */
static int ahead_check(registry *reg, int64_t id, tx_plan *p, errmsg *err)
{
    inst_list l = {0};
    size_t k, m = 0, *ahead = NULL;
    const char *why;
    buf b = {0};
    int rc = registry_request_instances(reg, id, 0, inst_list_add, &l, err);

    for (k = 0; rc == 0 && k < l.n; k++)
        if (!strcmp(l.list[k].name, p->instance))
            break;
    if (rc < 0 || k == l.n)
        goto done;
    ahead = xcalloc(l.n, sizeof *ahead);
    m = registry_deploy_ahead(l.list, l.n, k, ahead);
    if (!m)
        goto done;
    rc = tr_text_check(p->reason, FORM_MAX_TEXT, "reason", err);
    if (rc < 0)
        goto done;
    p->ahead_reason = str_trim_dup(tr_nz(p->reason));
    why = *p->ahead_reason ? p->ahead_reason : p->note;
    if (tr_blank(why)) {
        ahead_names(&b, &l, ahead, m, 0);
        rc = err_set_field(err, ERR_INVALID, "reason",
                           "%s %s not deployed yet: give the reason to "
                           "deploy %.100s before %s",
                           buf_cstr(&b), m == 1 ? "is" : "are", p->instance,
                           m == 1 ? "it" : "them");
        goto done;
    }
    buf_puts(&b, "Deployed ahead of ");
    ahead_names(&b, &l, ahead, m, 1);
    buf_puts(&b, ". Reason: ");
    buf_puts(&b, why);
    if (*p->ahead_reason && *p->note) {
        buf_puts(&b, "\n\n");
        buf_puts(&b, p->note);
    }
    if (!*p->ahead_reason) {
        free(p->ahead_reason);
        p->ahead_reason = xstrdup(why);
    }
    p->ahead_note = buf_detach(&b);
    p->ahead_of = cJSON_CreateArray();
    for (size_t i = 0; i < m; i++)
        cJSON_AddItemToArray(p->ahead_of,
                             cJSON_CreateString(l.list[ahead[i]].name));
done:
    buf_dispose(&b);
    free(ahead);
    free(l.list);
    return rc;
}

static int deploy_check(registry *reg, int64_t id, const registry_actor *who,
                        tx_plan *p, int64_t now, errmsg *err)
{
    inst_found f = {0};
    int rc;

    if (tr_blank(p->instance))
        return err_set_field(err, ERR_INVALID, "instance",
                             "name the instance that was deployed");
    rc = request_instance_find(reg, &f, id, p->instance, err);
    if (rc < 0)
        return rc;
    if (f.deployed_at)
        return err_set(err, ERR_CONFLICT,
                       "CR-%lld is already deployed to %.100s", (long long)id,
                       p->instance);
    rc = ahead_check(reg, id, p, err);
    if (rc < 0)
        return rc;
    p->inst_id = f.id;
    return deploy_one(reg, id, who, p, now, err);
}

static int request_update(registry *reg, int64_t id,
                          const registry_transition *t, const tx_plan *p,
                          int64_t now, errmsg *err)
{
    static const char upd[] =
        "UPDATE requests SET status = :status, updated_at = :now,"
        " sprint_id = CASE WHEN :sprint > 0 THEN :sprint ELSE sprint_id END,"
        " pm_id = CASE WHEN pm_id IS NULL AND :pm > 0 THEN :pm ELSE pm_id"
        " END, priority = CASE WHEN :setp THEN :prio ELSE priority END,"
        " estimate = CASE WHEN :sete THEN :est ELSE estimate END"
        " WHERE id = :id";
    sqlite3_stmt *st = reg_stmt(
        reg, upd, err, REG_TEXT(":status", registry_status_name(p->new_status)),
        REG_INT(":now", now),
        REG_INT(":sprint", p->to == REQ_SCHEDULED ? t->sprint_id : 0),
        REG_INT(":pm", p->pm), REG_INT(":setp", t->set_priority != 0),
        REG_INT(":prio", t->priority), REG_INT(":sete", t->estimate != NULL),
        REG_TEXT(":est", t->estimate), REG_INT(":id", id));

    return tr_exec(reg, st, err);
}

static void deploy_extra(cJSON *payload, void *ctx)
{
    tx_plan *p = ctx;

    if (!p->tables)
        return;
    cJSON_AddStringToObject(payload, "instance", p->instance);
    cJSON_AddItemToObject(payload, "tables", p->tables);
    p->tables = NULL;
    if (p->ahead_of) {
        cJSON_AddStringToObject(payload, "reason", p->ahead_reason);
        cJSON_AddItemToObject(payload, "ahead_of", p->ahead_of);
        p->ahead_of = NULL;
    }
}

int tr_transition_tx(registry *reg, request_status *out_status, int64_t id,
                     const registry_actor *who, const registry_transition *t,
                     errmsg *err)
{
    tx_plan p = {0};
    tr_state s;
    int64_t now = time_now();
    char *note = NULL;
    int rc;

    assert(who && t);
    rc = tr_state_get(reg, &s, id, tr_org_filter(who), err);
    if (rc < 0)
        return rc;
    note = str_trim_dup(tr_nz(t->note));
    rc = transition_check(&s, id, who, t, note, err);
    if (rc < 0)
        goto done;
    p.to = p.new_status = t->to;
    p.instance = t->instance;
    p.reason = t->reason;
    p.note = note;
    if (t->to == REQ_SCHEDULED)
        rc = schedule_check(reg, &s, id, t, err);
    else if (t->to == REQ_ANSWERED)
        rc = tr_prev_status(reg, &p.new_status, id, err);
    else if (t->to == REQ_DEPLOYED)
        rc = deploy_check(reg, id, who, &p, now, err);
    if (rc < 0)
        goto done;
    if (t->to == REQ_TRIAGED && !s.pm_id && who->role == ROLE_PM)
        p.pm = who->user_id;
    rc = request_update(reg, id, t, &p, now, err);
    for (size_t i = 0; rc == 0 && i < t->nfiles; i++)
        rc = reg_attachment_insert(reg, id, 0, who->user_id,
                                   t->files[i].filename,
                                   t->files[i].content_type, t->files[i].data,
                                   t->files[i].size, now, err);
    if (rc == 0 && t->nfiles)
        note = answer_note(note, t);
    if (p.ahead_note) {
        free(note);
        note = p.ahead_note;
        p.ahead_note = NULL;
    }
    if (rc == 0)
        rc = tr_event_row(reg, id, who->user_id, s.status,
                          t->to == REQ_DEPLOYED ? REQ_DEPLOYED : p.new_status,
                          p.inst_id, note, now, err);
    if (rc == 0)
        rc = tr_event_write(reg, registry_event_of_target(t->to), id, who, note,
                            deploy_extra, &p, err);
    if (rc == 0 && out_status)
        *out_status = p.new_status;
done:
    cJSON_Delete(p.tables);
    cJSON_Delete(p.ahead_of);
    free(p.ahead_note);
    free(p.ahead_reason);
    free(note);
    return rc;
}

typedef struct apply_ctx {
    request_status *out;
    int64_t id;
    const registry_actor *who;
    const registry_transition *t;
} apply_ctx;

static int apply_tx(registry *reg, void *ctx, errmsg *err)
{
    apply_ctx *a = ctx;

    return tr_transition_tx(reg, a->out, a->id, a->who, a->t, err);
}

int registry_transition_apply(registry *reg, request_status *out_status,
                              int64_t id, const registry_actor *who,
                              const registry_transition *t, errmsg *err)
{
    apply_ctx a = {out_status, id, who, t};

    return tr_in_tx(reg, apply_tx, &a, err);
}

typedef struct plan_ctx {
    int64_t id;
    const registry_actor *who;
    int priority;
    const char *estimate;
} plan_ctx;

static int plan_tx(registry *reg, void *ctx, errmsg *err)
{
    static const char sql[] =
        "UPDATE requests SET priority = :prio, estimate = CASE WHEN :sete"
        " THEN :est ELSE estimate END, updated_at = :now WHERE id = :id";
    plan_ctx *p = ctx;
    tr_state s;
    sqlite3_stmt *st;
    int rc = tr_state_get(reg, &s, p->id, tr_org_filter(p->who), err);

    if (rc < 0)
        return rc;
    if (!tr_staff_writer(p->who))
        return err_set(err, ERR_FORBIDDEN,
                       "only a project manager sets priorities");
    st = reg_stmt(reg, sql, err, REG_INT(":prio", p->priority),
                  REG_INT(":sete", p->estimate != NULL),
                  REG_TEXT(":est", p->estimate), REG_INT(":now", time_now()),
                  REG_INT(":id", p->id));
    return tr_exec(reg, st, err);
}

int registry_request_plan(registry *reg, int64_t id, const registry_actor *who,
                          int priority, const char *estimate, errmsg *err)
{
    plan_ctx p = {id, who, priority, estimate};
    int rc = tr_text_check(estimate, FORM_MAX_SHORT, "estimate", err);

    if (rc < 0)
        return rc;
    return tr_in_tx(reg, plan_tx, &p, err);
}

/* ---- per-instance state and planning fields --------------------------- */

static void instance_read(registry_request_instance *ri, sqlite3_stmt *st)
{
    memset(ri, 0, sizeof *ri);
    reg_cols(st, "cccic", ri->name, sizeof ri->name, ri->environment,
             sizeof ri->environment, ri->dialect, sizeof ri->dialect,
             &ri->deployed_at, ri->deployed_by, sizeof ri->deployed_by);
}

REG_EACH_ADAPTER(instance, registry_request_instance, instance_read)

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
        /* registry_environment_rank */
        " ORDER BY CASE lower(i.environment) WHEN 'qa' THEN 0"
        " WHEN 'staging' THEN 1 WHEN 'production' THEN 2 ELSE 3 END,"
        " i.name";
    struct instance_each e = {fn, ctx};

    return reg_each(reg, tr_request_stmt(reg, sql, id, org_filter, err),
                    instance_each_row, &e, err);
}

static int plan_row(sqlite3_stmt *st, void *ctx)
{
    registry_request_plan_info *out = ctx;

    reg_cols(st, "ncicin", &out->priority, out->estimate, sizeof out->estimate,
             &out->sprint_id, out->sprint_name, sizeof out->sprint_name,
             &out->sprint_deploy_at, &out->version);
    /* Marks needs_info until the status before it is read. */
    if (registry_status_parse(reg_col_text(st, 6)) == REQ_NEEDS_INFO)
        out->prev_status[0] = '?';
    return 0;
}

int registry_request_plan_get(registry *reg, registry_request_plan_info *out,
                              int64_t id, int64_t org_filter, errmsg *err)
{
    static const char sql[] =
        "SELECT r.priority, r.estimate, coalesce(r.sprint_id, 0),"
        " coalesce(s.name, ''), coalesce(s.deploy_at, 0), r.version,"
        " r.status FROM requests r LEFT JOIN sprints s ON s.id = r.sprint_id"
        " WHERE r.id = :id AND (:org = 0 OR r.org_id = :org)";
    request_status prev = REQ_SUBMITTED;
    int rc;

    memset(out, 0, sizeof *out);
    rc = reg_one(reg, tr_request_stmt(reg, sql, id, org_filter, err), plan_row,
                 out, err);
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "no request CR-%lld", (long long)id);
    if (rc < 0 || !out->prev_status[0])
        return rc;
    rc = tr_prev_status(reg, &prev, id, err);
    str_copy(out->prev_status, sizeof out->prev_status,
             rc == 0 ? registry_status_name(prev) : "");
    return rc;
}
