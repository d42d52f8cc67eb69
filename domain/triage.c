/* triage.c: the use cases of a request after its submission (contracts
 * in triage_cases.h): who may move, plan, comment on and edit which
 * request, the parsing of their inputs, and the one registry call that
 * runs each transaction (registry/triage.h). */
#include "triage_cases.h"
#include "buf.h"
#include "requests.h"
#include "str.h"
#include "mem.h"
#include "submit.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *nz(const char *s)
{
    return s ? s : "";
}

registry_actor triage_actor(const domain_actor *a)
{
    registry_actor r = {0};

    assert(a);
    r.user_id = a->user_id;
    r.role = a->role;
    r.org_id = a->role == ROLE_CLIENT ? a->org_id : 0;
    r.name = a->name;
    return r;
}

static int64_t org_filter(const domain_actor *a)
{
    return a->role == ROLE_CLIENT ? a->org_id : 0;
}

static int staff_writer(const domain_actor *a)
{
    return domain_actor_is(a, ROLE_PM | ROLE_ADMIN);
}

static int not_found(errmsg *err)
{
    err_clear(err);
    return err_set(err, ERR_NOTFOUND, "There is no such request.");
}

int triage_request_visible(registry *reg, const domain_actor *a, int64_t id,
                           errmsg *err)
{
    request_status s;
    int rc;

    assert(reg && a);
    if (id <= 0 || !domain_actor_is(a, ROLE_USER))
        return not_found(err);
    rc = registry_request_status(reg, id, org_filter(a), &s, err);
    return rc == ERR_NOTFOUND ? not_found(err) : rc;
}

/* ---- transitions -------------------------------------------------------- */

static int priority_parse(int *out, const char *s, errmsg *err)
{
    if (str_to_int(out, s, -1000, 1000) < 0)
        return err_set_field(err, ERR_INVALID, "priority",
                             "the priority is a whole number from -1000 to "
                             "1000");
    return 0;
}

int triage_transition_from_form(registry_transition *t, const domain_actor *a,
                                const triage_transition_form *f, errmsg *err)
{
    int64_t sprint = 0;

    memset(t, 0, sizeof *t);
    t->to = registry_target_parse(f->to);
    t->note = f->note;
    t->instance = f->instance;
    t->reason = f->reason;
    if (f->sprint && str_to_i64(&sprint, f->sprint) < 0)
        return err_set_field(err, ERR_INVALID, "sprint",
                             "choose a sprint from the list");
    t->sprint_id = sprint;
    if (!staff_writer(a))
        return 0;
    if (f->priority && *f->priority) {
        if (priority_parse(&t->priority, f->priority, err) < 0)
            return ERR_INVALID;
        t->set_priority = 1;
    }
    t->estimate = f->estimate;
    return 0;
}

/* A string member of o (NULL when absent or null); ERR_INVALID naming
 * key for another type. */
static int json_string(const char **out, const cJSON *o, const char *key,
                       errmsg *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v))
        return err_set_field(err, ERR_INVALID, key, "is a string");
    *out = v->valuestring;
    return 0;
}

/* A whole-number member of o in min..max (*set 0 when absent or null). */
static int json_whole(int64_t *out, int *set, const cJSON *o, const char *key,
                      double min, double max, const char *what, errmsg *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    *set = 0;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsNumber(v) || v->valuedouble < min || v->valuedouble > max ||
        v->valuedouble != (double)(int64_t)v->valuedouble)
        return err_set_field(err, ERR_INVALID, key, "%s", what);
    *out = (int64_t)v->valuedouble;
    *set = 1;
    return 0;
}

/* ERR_INVALID unless body is an object whose keys are all in known. */
static int json_keys(const cJSON *body, const char *const *known, size_t n,
                     const char *what, errmsg *err)
{
    const cJSON *v;

    if (!cJSON_IsObject(body))
        return err_set_field(err, ERR_INVALID, "", "send a JSON object");
    cJSON_ArrayForEach(v, body)
    {
        size_t i = 0;
        while (i < n && strcmp(v->string, known[i]) != 0)
            i++;
        if (i == n)
            return err_set_field(err, ERR_INVALID, v->string,
                                 "is not a field of %s", what);
    }
    return 0;
}

int triage_transition_from_json(registry_transition *t, const cJSON *body,
                                errmsg *err)
{
    static const char *const known[] = {
        "to", "note", "sprint", "instance", "priority", "estimate", "reason"};
    const char *to = NULL;
    int64_t v = 0;
    int set = 0, rc;

    memset(t, 0, sizeof *t);
    t->to = REQ_NONE;
    rc = json_keys(body, known, sizeof known / sizeof *known, "a transition",
                   err);
    if (rc == 0)
        rc = json_string(&to, body, "to", err);
    if (rc == 0)
        rc = json_string(&t->note, body, "note", err);
    if (rc == 0)
        rc = json_string(&t->instance, body, "instance", err);
    if (rc == 0)
        rc = json_string(&t->estimate, body, "estimate", err);
    if (rc == 0)
        rc = json_string(&t->reason, body, "reason", err);
    if (rc == 0 && !to)
        rc = err_set_field(err, ERR_INVALID, "to",
                           "say which status to move the request to");
    if (rc == 0)
        rc = json_whole(&v, &set, body, "sprint", 1, 1e15,
                        "is the id of a sprint", err);
    t->sprint_id = set ? v : 0;
    if (rc == 0)
        rc = json_whole(&v, &set, body, "priority", -1000, 1000,
                        "is a whole number from -1000 to 1000", err);
    t->priority = set ? (int)v : 0;
    t->set_priority = set;
    if (rc == 0) {
        t->to = registry_target_parse(to);
        if (t->to == REQ_NONE)
            rc = err_set_field(err, ERR_INVALID, "to",
                               "\"%.40s\" is not a status a request can be "
                               "moved to",
                               to);
    }
    return rc;
}

int triage_transition(registry *reg, const domain_actor *a, int64_t id,
                      const registry_transition *t, request_status *out_status,
                      errmsg *err)
{
    registry_actor who = triage_actor(a);
    int rc;

    assert(t);
    rc = triage_request_visible(reg, a, id, err);
    if (rc < 0)
        return rc;
    /* The rules (target, role, the status it comes from, the inputs) are
       the one table of registry/triage_rules.c, checked against the
       stored status inside the transaction. */
    return registry_transition_apply(reg, out_status, id, &who, t, err);
}

int triage_deploy(registry *reg, const domain_actor *a, int64_t id,
                  const char *instance, const char *note,
                  request_status *out_status, errmsg *err)
{
    registry_transition t = {0};

    t.to = REQ_DEPLOYED;
    t.instance = instance;
    t.note = note;
    return triage_transition(reg, a, id, &t, out_status, err);
}

/* ---- what the actor is told ---------------------------------------------- */

typedef enum msg_case {
    MSG_TRIAGED,
    MSG_ASKED,
    MSG_ANSWERED,
    MSG_SCHEDULED,
    MSG_STARTED,
    MSG_DEPLOYED_PART, /* instances still to deploy */
    MSG_DEPLOYED_ALL,  /* the last of several */
    MSG_DEPLOYED_ONLY, /* the only one */
    MSG_REJECTED,
    MSG_WITHDRAWN,
    MSG_NCASES
} msg_case;

/* The messages, transitions x readers. In them {cr} is the request's
 * number, {requester} its requester, {status} the status after (in
 * words), {instance} the instance deployed, {todo} the environments still
 * to deploy ("Staging and production") and {is} its verb, {sprint} and
 * {deploy} the sprint and its deploy day ("Tue 15 Dec"). NULL: the
 * reader's role never makes that transition (registry/triage_rules.c). */
static const char *const messages[MSG_NCASES][TRIAGE_NREADERS] = {
    [MSG_TRIAGED] = {NULL, "{cr} is triaged. Next: schedule it in a sprint, "
                           "or ask the client."},
    [MSG_ASKED] = {NULL,
                   "Question sent to {requester}. {cr} waits for the answer."},
    [MSG_ANSWERED] = {"Thanks — your answer was sent to the project manager.",
                      "The answer is recorded. {cr} is back to {status}."},
    [MSG_SCHEDULED] = {NULL,
                       "{cr} is scheduled for {sprint} (deploy {deploy})."},
    [MSG_STARTED] = {NULL, "{cr} is in progress: work has started."},
    [MSG_DEPLOYED_PART] = {NULL, "{cr} is deployed to {instance}. {todo} {is} "
                                 "still to do."},
    [MSG_DEPLOYED_ALL] = {NULL, "{cr} is deployed to every instance."},
    [MSG_DEPLOYED_ONLY] = {NULL, "{cr} is deployed to {instance}."},
    [MSG_REJECTED] = {NULL, "{cr} is rejected. {requester} is told why."},
    [MSG_WITHDRAWN] = {"{cr} is withdrawn. The project manager is told.", NULL},
};

/* The words for the "transition x reader" cell of o. */
static const char *message_of(triage_reader reader, const triage_outcome *o)
{
    msg_case c;

    switch (o->to) {
    case REQ_TRIAGED: c = MSG_TRIAGED; break;
    case REQ_NEEDS_INFO: c = MSG_ASKED; break;
    case REQ_ANSWERED: c = MSG_ANSWERED; break;
    case REQ_SCHEDULED: c = MSG_SCHEDULED; break;
    case REQ_IN_PROGRESS: c = MSG_STARTED; break;
    case REQ_DEPLOYED:
        c = o->ntodo            ? MSG_DEPLOYED_PART
            : o->ninstances > 1 ? MSG_DEPLOYED_ALL
                                : MSG_DEPLOYED_ONLY;
        break;
    case REQ_REJECTED: c = MSG_REJECTED; break;
    case REQ_WITHDRAWN: c = MSG_WITHDRAWN; break;
    default: return NULL;
    }
    return reader >= 0 && reader < TRIAGE_NREADERS ? messages[c][reader] : NULL;
}

/* "Staging and production" of the environments still to deploy. */
static void todo_words(buf *b, const triage_outcome *o)
{
    size_t start = b->len;

    for (size_t i = 0; i < o->ntodo; i++) {
        if (i)
            buf_puts(b, i + 1 == o->ntodo ? " and " : ", ");
        buf_puts(b, registry_environment_label(o->todo[i]));
    }
    if (b->len > start && b->data[start] >= 'a' && b->data[start] <= 'z')
        b->data[start] = (char)(b->data[start] - 'a' + 'A');
}

/* "Tue 15 Dec" (UTC). */
static void day_words(buf *b, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char s[32];

    if (!gmtime_r(&tt, &tm) || !strftime(s, sizeof s, "%a %d %b", &tm))
        return;
    if (s[4] == '0')
        memmove(s + 4, s + 5, strlen(s + 5) + 1);
    buf_puts(b, s);
}

/* 1 when the n bytes at name are the token t. */
static int is_token(const char *name, size_t n, const char *t)
{
    return n == strlen(t) && !memcmp(name, t, n);
}

/* Appends the value of the token name (n bytes) of o. */
static void token_value(buf *b, const char *name, size_t n,
                        const triage_outcome *o)
{
    if (is_token(name, n, "cr"))
        buf_appendf(b, "CR-%lld", (long long)o->id);
    else if (is_token(name, n, "requester"))
        buf_puts(b, *nz(o->requester) ? o->requester : "the client");
    else if (is_token(name, n, "status"))
        buf_puts(b, registry_status_label(o->status));
    else if (is_token(name, n, "instance"))
        buf_puts(b, nz(o->instance));
    else if (is_token(name, n, "todo"))
        todo_words(b, o);
    else if (is_token(name, n, "is"))
        buf_puts(b, o->ntodo > 1 ? "are" : "is");
    else if (is_token(name, n, "sprint"))
        buf_puts(b, *nz(o->sprint) ? o->sprint : "a sprint");
    else if (is_token(name, n, "deploy"))
        day_words(b, o->deploy_at);
}

char *triage_message(triage_reader reader, const triage_outcome *o)
{
    const char *m = message_of(reader, o);
    buf b = {0};

    assert(o);
    if (!m)
        m = "{cr}: {status}.";
    while (*m) {
        const char *end = *m == '{' ? strchr(m, '}') : NULL;
        if (!end) {
            buf_putc(&b, *m++);
            continue;
        }
        token_value(&b, m + 1, (size_t)(end - m - 1), o);
        m = end + 1;
    }
    return buf_detach(&b);
}

void triage_moved_dispose(triage_moved *out)
{
    free(out->message);
    memset(out, 0, sizeof *out);
}

/* The instances of a request, for the message. */
typedef struct moved_insts {
    const char *todo[16]; /* environments still to deploy, one each */
    char envs[16][33];
    size_t ntodo;
    int n;
} moved_insts;

static void moved_inst(void *ctx, const registry_request_instance *i)
{
    moved_insts *m = ctx;
    size_t k;

    m->n++;
    if (i->deployed_at)
        return;
    for (k = 0; k < m->ntodo; k++)
        if (!str_casecmp(m->todo[k], i->environment))
            return;
    if (m->ntodo == sizeof m->todo / sizeof *m->todo)
        return;
    str_copy(m->envs[m->ntodo], sizeof m->envs[m->ntodo], i->environment);
    m->todo[m->ntodo] = m->envs[m->ntodo];
    m->ntodo++;
}

/* The message for a after moving request id as t asked. */
static char *moved_message(registry *reg, const domain_actor *a, int64_t id,
                           const registry_transition *t, request_status st)
{
    triage_reader reader =
        a->role == ROLE_CLIENT ? TRIAGE_FOR_CLIENT : TRIAGE_FOR_STAFF;
    triage_outcome o = {0};
    registry_request_plan_info plan;
    moved_insts mi;
    errmsg err = {0};
    cJSON *p = registry_request_payload(reg, id, "", "", "", &err);
    char *msg;

    memset(&mi, 0, sizeof mi);
    o.id = id;
    o.to = t->to;
    o.status = st;
    if (!p || registry_request_plan_get(reg, &plan, id, 0, &err) < 0 ||
        registry_request_instances(reg, id, 0, moved_inst, &mi, &err) < 0) {
        /* The move is done; the facts for its words could not be read. */
        o.to = REQ_NONE;
        msg = triage_message(reader, &o);
        cJSON_Delete(p);
        return msg;
    }
    o.requester = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(p, "request"), "requester_name"));
    o.instance = t->instance;
    o.ninstances = mi.n;
    o.todo = mi.todo;
    o.ntodo = mi.ntodo;
    o.sprint = plan.sprint_name;
    o.deploy_at = plan.sprint_deploy_at;
    msg = triage_message(reader, &o);
    cJSON_Delete(p);
    return msg;
}

int triage_move(registry *reg, const domain_actor *a, int64_t id,
                const registry_transition *t, triage_moved *out, errmsg *err)
{
    request_status st = REQ_NONE;
    int rc = triage_transition(reg, a, id, t, &st, err);

    assert(out);
    if (rc < 0)
        return rc;
    out->status = st;
    out->message = moved_message(reg, a, id, t, st);
    return 0;
}

int triage_plan(registry *reg, const domain_actor *a, int64_t id,
                const char *priority, const char *estimate, errmsg *err)
{
    registry_actor who = triage_actor(a);
    int p = 0;
    int rc = triage_request_visible(reg, a, id, err);

    if (rc < 0)
        return rc;
    if (priority && *priority && priority_parse(&p, priority, err) < 0)
        return ERR_INVALID;
    if (!staff_writer(a))
        return err_set(err, ERR_FORBIDDEN,
                       "only a project manager sets priorities");
    return registry_request_plan(reg, id, &who, p, estimate, err);
}

static void deploy_json(void *ctx, const registry_request_instance *i)
{
    cJSON *arr = ctx, *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "instance", i->name);
    cJSON_AddStringToObject(o, "environment", i->environment);
    if (i->deployed_at) {
        char t[32];
        time_iso(t, sizeof t, i->deployed_at);
        cJSON_AddStringToObject(o, "deployed_at", t);
        cJSON_AddStringToObject(o, "deployed_by", i->deployed_by);
    } else {
        cJSON_AddNullToObject(o, "deployed_at");
        cJSON_AddNullToObject(o, "deployed_by");
    }
    cJSON_AddItemToArray(arr, o);
}

cJSON *triage_request_state(registry *reg, const domain_actor *a, int64_t id,
                            errmsg *err)
{
    registry_request_plan_info plan;
    cJSON *p, *root, *arr;

    if (triage_request_visible(reg, a, id, err) < 0)
        return NULL;
    p = registry_request_payload(reg, id, "", "", "", err);
    if (!p)
        return NULL;
    root = cJSON_DetachItemFromObjectCaseSensitive(p, "request");
    if (cJSON_GetObjectItemCaseSensitive(p, "sprint"))
        cJSON_AddItemToObject(
            root, "sprint",
            cJSON_DetachItemFromObjectCaseSensitive(p, "sprint"));
    else
        cJSON_AddNullToObject(root, "sprint");
    cJSON_Delete(p);
    if (registry_request_plan_get(reg, &plan, id, 0, err) < 0) {
        cJSON_Delete(root);
        return NULL;
    }
    cJSON_AddNumberToObject(root, "priority", plan.priority);
    cJSON_AddStringToObject(root, "estimate", plan.estimate);
    cJSON_AddNumberToObject(root, "version", plan.version);
    arr = cJSON_AddArrayToObject(root, "deploys");
    if (registry_request_instances(reg, id, 0, deploy_json, arr, err) < 0) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

/* ---- comments ----------------------------------------------------------- */

int triage_comment_from_json(const char **out_text, const cJSON *body,
                             errmsg *err)
{
    static const char *const known[] = {"body"};
    int rc = json_keys(body, known, 1, "a comment", err);

    *out_text = NULL;
    return rc < 0 ? rc : json_string(out_text, body, "body", err);
}

int triage_comment(registry *reg, const domain_actor *a, int64_t id,
                   const char *body, const registry_file *files, size_t nfiles,
                   int64_t *out_id, errmsg *err)
{
    registry_actor who = triage_actor(a);
    int rc = triage_request_visible(reg, a, id, err);

    if (rc < 0)
        return rc;
    return registry_comment_add(reg, out_id, id, &who, body, files, nfiles,
                                err);
}

/* ---- edits -------------------------------------------------------------- */

int triage_may_edit(const domain_actor *a, request_status s)
{
    return domain_actor_is(a, ROLE_AUTHOR) &&
           (s == REQ_SUBMITTED || s == REQ_NEEDS_INFO);
}

int triage_edit_open(registry *reg, const domain_actor *a, int64_t id,
                     form_request *stored, errmsg *err)
{
    int rc = triage_request_visible(reg, a, id, err);

    memset(stored, 0, sizeof *stored);
    if (rc == 0)
        rc = registry_request_load(reg, stored, id, org_filter(a), err);
    if (rc == ERR_NOTFOUND)
        rc = not_found(err);
    if (rc == 0 && !triage_may_edit(a, registry_status_parse(stored->status)))
        rc = err_set(err, ERR_CONFLICT,
                     "This request can be edited only while it is submitted "
                     "or waiting for information.");
    if (rc < 0)
        form_request_dispose(stored);
    return rc;
}

void triage_edit_dispose(triage_edit_result *out)
{
    form_errors_dispose(&out->fe);
    free(out->answered);
    out->answered = NULL;
}

static void keep_text(char **dst, const char *src)
{
    free(*dst);
    *dst = xstrdup(nz(src));
}

void triage_edit_keep(form_request *r, const form_request *stored)
{
    keep_text(&r->organisation, stored->organisation);
    keep_text(&r->requester_name, stored->requester_name);
    keep_text(&r->requester_email, stored->requester_email);
}

/* Resolves, validates and stores r; problems a user can fix into fe. */
static int edit_store(registry *reg, const domain_actor *a, int64_t id,
                      form_request *r, int answers, triage_edit_result *out,
                      errmsg *err)
{
    registry_actor who = triage_actor(a);
    submit_org org = {0};
    int rc = domain_submit_resolve(reg, a, r, &org, &out->fe, err);

    if (rc == 0)
        rc = domain_submit_validate(reg, r, &org, &out->fe, err);
    submit_org_dispose(&org);
    if (rc < 0 && rc != ERR_INVALID)
        return rc;
    if (out->fe.n)
        return ERR_INVALID;
    rc = registry_request_edit(reg, &out->version, id, &who, r, answers, err);
    if (rc == ERR_INVALID && err && err->field[0]) {
        form_errors_add(&out->fe, err->field, "%s", err->msg);
    } else if (rc == ERR_CONFLICT && err &&
               !strcmp(err->msg, "nothing was changed")) {
        form_errors_add(&out->fe, "title",
                        "Nothing was changed: edit a field, then save.");
        rc = ERR_INVALID;
    }
    return rc;
}

int triage_edit(registry *reg, const domain_actor *a, int64_t id,
                form_request *r, int answers, triage_edit_result *out,
                errmsg *err)
{
    form_request stored;
    int rc = triage_edit_open(reg, a, id, &stored, err);

    assert(r && out);
    out->status = REQ_NONE;
    if (rc < 0)
        return rc;
    out->status = registry_status_parse(stored.status);
    triage_edit_keep(r, &stored);
    form_request_dispose(&stored);
    /* Problems found while parsing (in out->fe) are shown with those of
       the validation. */
    rc = edit_store(reg, a, id, r, answers, out, err);
    if (rc == 0 && answers && out->status == REQ_NEEDS_INFO) {
        registry_transition t = {0};
        request_status now = REQ_NONE;
        errmsg e = {0};
        t.to = REQ_ANSWERED;
        if (registry_request_status(reg, id, 0, &now, &e) == 0)
            out->answered = moved_message(reg, a, id, &t, now);
    }
    return rc;
}

/* ---- migrations ---------------------------------------------------------- */

void triage_migration_dispose(triage_migration *m)
{
    form_request_dispose(&m->r);
    free(m->insts);
    migrate_result_dispose(&m->res);
    memset(m, 0, sizeof *m);
}

static void inst_add(void *ctx, const registry_request_instance *i)
{
    triage_migration *m = ctx;

    m->insts = xrealloc(m->insts, (m->ninsts + 1) * sizeof *m->insts);
    m->insts[m->ninsts++] = *i;
}

/* The instance of q (the main one, else the first, by default). */
static int migration_instance(triage_migration *m, const char *want,
                              errmsg *err)
{
    size_t k;
    const char *name = want && *want ? want : nz(m->r.instance);

    for (k = 0; k < m->ninsts; k++)
        if (!strcmp(m->insts[k].name, name))
            break;
    if (k == m->ninsts && want && *want)
        return err_set_field(err, ERR_INVALID, "instance",
                             "the request does not apply to that instance");
    if (!m->ninsts)
        return err_set(err, ERR_CONFLICT, "the request applies to no instance");
    m->instance = m->insts[k == m->ninsts ? 0 : k].name;
    return 0;
}

static int migration_choose(triage_migration *m,
                            const triage_migration_query *q, errmsg *err)
{
    const registry_request_instance *inst = NULL;
    int rc = migration_instance(m, q->instance, err);

    if (rc < 0)
        return rc;
    for (size_t k = 0; k < m->ninsts; k++)
        if (m->insts[k].name == m->instance)
            inst = &m->insts[k];
    assert(inst);
    if (sql_dialect_parse(&m->dialect, q->dialect && *q->dialect
                                           ? q->dialect
                                           : inst->dialect) < 0) {
        if (q->dialect && *q->dialect)
            return err_set_field(err, ERR_INVALID, "dialect",
                                 "unknown dialect: use postgres, mysql, "
                                 "snowflake or sqlite");
        m->dialect = SQL_POSTGRES;
    }
    m->format = MIGRATE_PLAIN;
    if (q->format && *q->format &&
        migrate_format_parse(&m->format, q->format) < 0)
        return err_set_field(err, ERR_INVALID, "format",
                             "unknown format: use plain, flyway, liquibase, "
                             "dbmate, atlas or goose");
    return 0;
}

int triage_migration_load(registry *reg, const domain_actor *a, int64_t id,
                          const triage_migration_query *q, triage_migration *m,
                          errmsg *err)
{
    migrate_options opt = {0};
    int rc = triage_request_visible(reg, a, id, err);

    memset(m, 0, sizeof *m);
    if (rc == 0)
        rc = registry_request_load(reg, &m->r, id, org_filter(a), err);
    if (rc == 0)
        rc = registry_request_instances(reg, id, org_filter(a), inst_add, m,
                                        err);
    if (rc == ERR_NOTFOUND)
        rc = not_found(err);
    if (rc == 0)
        rc = migration_choose(m, q, err);
    if (rc == 0)
        rc = registry_request_old_types(reg, &m->r, m->instance, err);
    if (rc < 0)
        return rc;
    opt.base_url = q->base_url;
    opt.instance = m->instance;
    rc = migrate_generate(&m->res, &m->r, m->dialect, m->format, &opt, err);
    if (rc == ERR_INVALID) {
        rc = ERR_CONFLICT; /* the request, not the query */
        if (err)
            err->code = ERR_CONFLICT;
    }
    return rc;
}
