/* submit.c: the submission of a change request (contracts in submit.h):
 * the organisation, instances and project managers for the acting user,
 * validation with the registry facts that user may see, and the prepared
 * insert (registry_job, registry/requests.c). The group-commit writer
 * that applies the job is registry/writer.c; web/page_request_form.c and
 * web/api_requests.c call domain_submit. */
#include "submit.h"
#include "catalog.h"
#include "dialect.h"
#include "mem.h"
#include "str.h"
#include "validate.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static const char *nz(const char *s)
{
    return s ? s : "";
}

void submit_org_dispose(submit_org *org)
{
    if (!org)
        return;
    for (size_t i = 0; i < org->ninstances; i++)
        free(org->instances[i]);
    free(org->instances);
    free(org->dialects);
    for (size_t i = 0; i < org->npms; i++)
        free(org->pms[i]);
    free(org->pms);
    memset(org, 0, sizeof *org);
}

static void add_instance(void *ctx, const registry_instance *i)
{
    submit_org *o = ctx;

    sql_dialect d;

    o->instances =
        xrealloc(o->instances, (o->ninstances + 1) * sizeof *o->instances);
    o->dialects =
        xrealloc(o->dialects, (o->ninstances + 1) * sizeof *o->dialects);
    o->dialects[o->ninstances] =
        sql_dialect_parse(&d, i->dialect) == 0 ? (int)d : -1;
    o->instances[o->ninstances++] = xstrdup(i->name);
}

/* The project manager r names, when an active one has that e-mail: the
 * only entry of org->pms that validation can match. Only that user is
 * looked up (by the unique index), never the list of all of them, so a
 * project manager added or deactivated a moment ago counts at once. */
static int find_pm(registry *reg, const form_request *r, submit_org *o,
                   errmsg *err)
{
    int rc;

    if (!*nz(r->project_manager))
        return 0;
    rc = registry_user_is_active(reg, r->project_manager, "pm", err);
    if (rc <= 0)
        return rc;
    o->pms = xcalloc(1, sizeof *o->pms);
    o->pms[0] = xstrdup(r->project_manager);
    o->npms = 1;
    return 0;
}

static void set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = xstrdup(v);
}

static void org_set(submit_org *org, form_request *r, int64_t id,
                    const char *name)
{
    org->id = id;
    str_copy(org->name, sizeof org->name, name);
    set_str(&r->organisation, name);
}

/* The organisation of r for staff: named, else that of the main
 * instance. */
static int staff_org(registry *reg, form_request *r, submit_org *org,
                     form_errors *fe, errmsg *err)
{
    errmsg e2 = {0};
    int rc;

    if (*nz(r->organisation)) {
        registry_org o;
        rc = registry_org_get(reg, &o, r->organisation, &e2);
        if (rc == ERR_NOTFOUND) {
            form_errors_add(fe, "organisation",
                            "there is no organisation of that name");
            return 0;
        }
        if (rc == 0)
            org_set(org, r, o.id, o.name);
    } else if (*nz(r->instance)) {
        registry_instance inst;
        rc = registry_instance_get(reg, &inst, r->instance, &e2);
        if (rc == ERR_NOTFOUND)
            return 0; /* validation names the instance */
        if (rc == 0)
            org_set(org, r, inst.org_id, inst.org_name);
    } else {
        return 0;
    }
    return rc < 0 ? err_set(err, rc, "%s", e2.msg) : 0;
}

int domain_submit_resolve(registry *reg, const domain_actor *a, form_request *r,
                          submit_org *org, form_errors *fe, errmsg *err)
{
    int rc;

    assert(reg && a && r && org && fe);
    memset(org, 0, sizeof *org);
    if (a->role == ROLE_CLIENT) {
        if (*nz(r->organisation) &&
            str_casecmp(r->organisation, nz(a->org_name)) != 0)
            form_errors_add(fe, "organisation",
                            "you can submit requests for your own "
                            "organisation (%.100s) only",
                            nz(a->org_name));
        org_set(org, r, a->org_id, nz(a->org_name));
    } else {
        rc = staff_org(reg, r, org, fe, err);
        if (rc < 0)
            return rc;
    }
    if (!*nz(r->requester_name))
        set_str(&r->requester_name, nz(a->name));
    if (!*nz(r->requester_email))
        set_str(&r->requester_email, nz(a->email));
    if (!r->ninstances && *nz(r->instance)) {
        r->instances = xcalloc(1, sizeof *r->instances);
        r->instances[0] = xstrdup(r->instance);
        r->ninstances = 1;
    }
    if (org->id) {
        rc = registry_instance_list(reg, org->id, add_instance, org, err);
        if (rc < 0)
            return rc;
    }
    return find_pm(reg, r, org, err);
}

/* The registry callbacks of validation: the organisation they may ask
 * about, and where a failed read is recorded. */
typedef struct lookup_ctx {
    registry *reg;
    const submit_org *org;
    errmsg *err;
} lookup_ctx;

/* 1 when instance is one of the organisation's. form_validate asks the
 * registry only about those (it resolves the request's names against the
 * same list first); the callbacks below check again, so that no registry
 * fact of another organisation's instance can reach an answer. */
static int org_has_instance(const submit_org *o, const char *instance)
{
    for (size_t i = 0; i < o->ninstances; i++)
        if (!strcmp(o->instances[i], instance))
            return 1;
    return 0;
}

static int cb_table(void *ctx, const char *instance, const char *table)
{
    lookup_ctx *c = ctx;

    if (!org_has_instance(c->org, instance))
        return 0;
    return registry_table_exists(c->reg, instance, table, c->err);
}

static int cb_column(void *ctx, const char *instance, const char *table,
                     const char *column)
{
    lookup_ctx *c = ctx;

    if (!org_has_instance(c->org, instance))
        return 0;
    return registry_column_exists(c->reg, instance, table, column, c->err);
}

int domain_submit_validate(registry *reg, const form_request *r,
                           const submit_org *org, form_errors *fe, errmsg *err)
{
    static const char *const none[1] = {""};
    lookup_ctx lc = {reg, org, err};
    form_context c = {0};
    char today[16];
    int rc;

    assert(reg && r && org && fe);
    time_date(today, sizeof today, time_now());
    /* Without a known organisation no instance can be right; an empty
       list says so (and the organisation field already has its error). */
    c.instances = org->instances ? (const char *const *)org->instances
                                 : none; /* non-NULL with n 0: none */
    c.ninstances = org->ninstances;
    c.instance_dialects = org->dialects; /* names a dialect refuses */
    c.project_managers = org->pms ? (const char *const *)org->pms : none;
    c.nproject_managers = org->npms;
    c.require_requester = 1;
    c.today = today;
    c.table_exists = cb_table;
    c.column_exists = cb_column;
    c.cb_ctx = &lc;
    rc = form_validate(r, &c, fe);
    if (rc < 0 && rc != ERR_INVALID)
        return err_set(err, rc, "registry lookup failed during validation");
    return rc;
}

int domain_submit(registry *reg, const domain_actor *a, const submit_input *in,
                  submit_result *out, errmsg *err)
{
    registry_submit s = {0};
    submit_org org = {0};
    errmsg e2 = {0};
    int rc;

    assert(reg && a && in && in->r && out);
    rc = domain_submit_resolve(reg, a, in->r, &org, &out->fe, err);
    if (rc == 0)
        rc = domain_submit_validate(reg, in->r, &org, &out->fe, err);
    submit_org_dispose(&org);
    if (rc < 0 && rc != ERR_INVALID)
        return rc;
    if (out->fe.n)
        return ERR_INVALID;
    s.requester_id = a->user_id;
    s.actor = a->name;
    s.idempotency_key = in->idempotency_key;
    rc = registry_job_init(&out->job, in->r, &s, &e2);
    if (rc == ERR_INVALID && e2.field[0]) {
        form_errors_add(&out->fe, e2.field, "%s", e2.msg);
        return ERR_INVALID;
    }
    return rc < 0 ? err_set(err, rc, "%s", e2.msg) : 0;
}

int domain_submit_outcome(submit_result *out)
{
    const registry_job *job = &out->job;

    if (job->rc == ERR_INVALID && job->err.field[0]) {
        form_errors_add(&out->fe, job->err.field, "%s", job->err.msg);
        return ERR_INVALID;
    }
    return job->rc;
}

int domain_submit_run(registry *reg, const domain_actor *a,
                      const submit_input *in, submit_result *out,
                      int64_t *out_id, errmsg *err)
{
    int rc = domain_submit(reg, a, in, out, err);

    if (rc < 0)
        return rc;
    registry_job_run(reg, &out->job);
    rc = domain_submit_outcome(out);
    if (rc == 0)
        *out_id = out->job.id;
    else if (rc != ERR_INVALID)
        err_set(err, rc, "%s", out->job.err.msg);
    return rc;
}

void submit_result_dispose(submit_result *out)
{
    if (!out)
        return;
    form_errors_dispose(&out->fe);
    registry_job_dispose(&out->job);
}
