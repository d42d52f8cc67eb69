/* adopt.c: adopting an existing schema (adopt_cases.h): the undocumented
 * tables and columns the drift comparison finds, typed with the
 * generator's table, written by registry_adopt in one transaction. */
#include "adopt_cases.h"
#include "adopt.h"
#include "catalog.h"
#include "drift_cases.h"
#include "mem.h"
#include "migrate.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The roles that adopt (as those that import). */
#define ADOPTERS (ROLE_PM | ROLE_ADMIN)

void domain_adopt_report_dispose(domain_adopt_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->ntables; i++) {
        domain_adopt_table *t = &r->tables[i];
        for (size_t j = 0; j < t->ncolumns; j++) {
            free(t->columns[j]);
            free(t->types[j]);
        }
        free(t->columns);
        free(t->types);
        free(t->name);
        free(t->to_complete);
        free(t->key_note);
    }
    free(r->tables);
    free(r->instance);
    free(r->source);
    memset(r, 0, sizeof *r);
}

/* ---- what to adopt ------------------------------------------------------ */

/* One table to adopt: the live table and which of its columns. */
typedef struct plan_table {
    const live_table *lt;
    int created;
    unsigned char *take;       /* per live column */
    const registry_card *card; /* the documented table, or NULL */
} plan_table;

static long column_index(const live_table *lt, const char *name)
{
    for (size_t i = 0; i < lt->ncols; i++)
        if (!strcmp(lt->cols[i].name, name))
            return (long)i;
    return -1;
}

static const registry_card *card_of(const registry_card *cards, size_t n,
                                    const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(cards[i].table, name))
            return &cards[i];
    for (size_t i = 0; i < n; i++)
        if (!str_casecmp(cards[i].table, name))
            return &cards[i];
    return NULL;
}

/* Is lt one of the tables asked for (all when n is 0)? */
static int wanted(const live_schema *live, const live_table *lt,
                  const char *const *only, size_t n)
{
    if (n == 0)
        return 1;
    for (size_t i = 0; i < n; i++)
        if (live_table_find(live, only[i]) == lt)
            return 1;
    return 0;
}

/* The plan from the drift findings: one entry per live table with
 * something undocumented, in live order. */
static size_t make_plan(plan_table *plan, const live_schema *live,
                        const registry_drift_report *r,
                        const registry_card *cards, size_t ncards,
                        const char *const *only, size_t n)
{
    size_t np = 0;

    for (size_t k = 0; k < live->ntables; k++) {
        const live_table *lt = &live->tables[k];
        plan_table p = {lt, 0, NULL, NULL};
        int any = 0;
        if (!wanted(live, lt, only, n))
            continue;
        p.take = xcalloc(lt->ncols + 1, 1);
        for (size_t i = 0; i < r->nfindings; i++) {
            const registry_drift_finding *f = &r->findings[i];
            long c;
            if (strcmp(f->table, lt->name))
                continue;
            if (!strcmp(f->kind, "undocumented_table")) {
                p.created = 1;
                memset(p.take, 1, lt->ncols);
                any = 1;
            } else if (!strcmp(f->kind, "undocumented_column") &&
                       (c = column_index(lt, f->column)) >= 0) {
                p.take[c] = 1;
                any = 1;
            }
        }
        if (!any) {
            free(p.take);
            continue;
        }
        if (!p.created)
            p.card = card_of(cards, ncards, lt->name);
        plan[np++] = p;
    }
    return np;
}

/* The live key of lt in key order, when it differs from column order,
 * as a note into out ("" otherwise). */
static void key_note(char *out, size_t size, const live_table *lt)
{
    buf b = {0};
    int maxpos = 0, last = 0, ordered = 1;

    for (size_t i = 0; i < lt->ncols; i++) {
        int p = lt->cols[i].pk_position;
        if (p <= 0)
            continue;
        if (p < last)
            ordered = 0;
        last = p;
        if (p > maxpos)
            maxpos = p;
    }
    out[0] = '\0';
    if (ordered)
        return;
    buf_puts(&b, "the live key is (");
    for (int p = 1; p <= maxpos; p++)
        for (size_t i = 0; i < lt->ncols; i++)
            if (lt->cols[i].pk_position == p) {
                buf_puts(&b, p > 1 ? ", " : "");
                buf_puts(&b, lt->cols[i].name);
            }
    buf_puts(&b, "); the registry marks key columns in column order");
    snprintf(out, size, "%s", buf_cstr(&b));
    buf_dispose(&b);
}

/* The rules a database cannot know that are still empty. */
static char *to_complete(const registry_card *card)
{
    buf b = {0};
    const struct {
        const char *name;
        int empty;
    } rules[] = {
        {"campaign dependency",
         !card || card->rules.campaign_dependency == REGISTRY_DEP_UNSET},
        {"cadence", !card || !*card->rules.cadence},
        {"expected arrival", !card || !*card->rules.expected_arrival},
        {"owner", !card || !*card->rules.owner},
        {"escalation", !card || !*card->rules.escalation},
    };

    buf_puts(&b, "");
    for (size_t i = 0; i < sizeof rules / sizeof *rules; i++)
        if (rules[i].empty) {
            buf_puts(&b, b.len ? ", " : "");
            buf_puts(&b, rules[i].name);
        }
    return buf_detach(&b);
}

/* Types each taken column (docket's kind of its live type) into types
 * (per live column, caller frees): 0, or ERR_INVALID naming the first
 * column docket has no kind for. */
static int type_plan(char ***types, const plan_table *p, sql_dialect d,
                     errmsg *err)
{
    const live_table *lt = p->lt;
    char **tv = xcalloc(lt->ncols + 1, sizeof *tv);

    *types = tv;
    for (size_t i = 0; i < lt->ncols; i++) {
        const live_column *c = &lt->cols[i];
        form_type t;
        char text[96];
        if (!p->take[i])
            continue;
        if (migrate_type_from_live(&t, d, c->data_type, c->char_max,
                                   c->num_precision, c->num_scale) < 0) {
            migrate_live_type_format(text, sizeof text, c->data_type,
                                     c->char_max, c->num_precision,
                                     c->num_scale);
            return err_set_field(
                err, ERR_INVALID, "type",
                "cannot adopt %.60s.%.60s: the live type %.60s (%s) has no "
                "docket type; nothing was adopted (document the column by "
                "hand, or leave its table out with --table)",
                lt->name, c->name, text, sql_dialect_name(d));
        }
        form_type_format(text, sizeof text, &t);
        tv[i] = xstrdup(text);
    }
    return 0;
}

static void free_types(char **tv, size_t n)
{
    for (size_t i = 0; tv && i < n; i++)
        free(tv[i]);
    free(tv);
}

/* The report's entry of p (types per live column). */
static void report_table(domain_adopt_table *out, const plan_table *p,
                         char **types)
{
    char note[512];

    memset(out, 0, sizeof *out);
    out->name = xstrdup(p->lt->name);
    out->created = p->created;
    out->columns = xcalloc(p->lt->ncols + 1, sizeof *out->columns);
    out->types = xcalloc(p->lt->ncols + 1, sizeof *out->types);
    for (size_t i = 0; i < p->lt->ncols; i++)
        if (p->take[i]) {
            out->columns[out->ncolumns] = xstrdup(p->lt->cols[i].name);
            out->types[out->ncolumns++] = xstrdup(types[i]);
        }
    out->to_complete = to_complete(p->created ? NULL : p->card);
    key_note(note, sizeof note, p->lt);
    out->key_note = xstrdup(note);
}

static int check_only(const live_schema *live, const char *const *only,
                      size_t n, errmsg *err)
{
    for (size_t i = 0; i < n; i++)
        if (!live_table_find(live, only[i]))
            return err_set(err, ERR_NOTFOUND, "no table %.100s in the source",
                           only[i]);
    return 0;
}

/* The instance as who may see it (domain_instance_visible), once who may
 * adopt at all. */
static int instance_for(registry *reg, const domain_actor *who,
                        const char *instance, registry_instance *inst,
                        errmsg *err)
{
    int console = who->user_id == 0 && who->role == 0;

    if (!console && !domain_actor_is(who, ADOPTERS))
        return err_set(err, ERR_FORBIDDEN,
                       "Only project managers and admins may adopt a "
                       "schema.");
    return domain_instance_visible(reg, console ? NULL : who, instance, inst,
                                   err);
}

/* Writes the plan (and fills out) once every type is known. */
static int adopt_plan(registry *reg, const domain_actor *who,
                      const registry_instance *inst, const live_schema *live,
                      plan_table *plan, size_t np, int dry_run,
                      domain_adopt_report *out, errmsg *err)
{
    registry_adopt_table *at = xcalloc(np + 1, sizeof *at);
    registry_adopt_column **ac = xcalloc(np + 1, sizeof *ac);
    char ***types = xcalloc(np + 1, sizeof *types);
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < np; i++)
        rc = type_plan(&types[i], &plan[i], live->dialect, err);
    for (size_t i = 0; rc == 0 && i < np; i++) {
        const live_table *lt = plan[i].lt;
        ac[i] = xcalloc(lt->ncols + 1, sizeof *ac[i]);
        at[i].name = lt->name;
        at[i].description = lt->comment;
        at[i].cols = ac[i];
        for (size_t j = 0; j < lt->ncols; j++) {
            registry_adopt_column *c = &ac[i][at[i].ncols];
            if (!plan[i].take[j])
                continue;
            c->name = lt->cols[j].name;
            c->type = types[i][j];
            c->description = lt->cols[j].comment;
            c->nullable = lt->cols[j].nullable;
            c->primary_key = lt->cols[j].pk_position > 0;
            at[i].ncols++;
        }
    }
    if (rc == 0)
        rc = registry_adopt(reg, inst->name, who->user_id, at, np, dry_run,
                            &out->tables_created, &out->columns_added, err);
    if (rc == 0) {
        out->tables = xcalloc(np + 1, sizeof *out->tables);
        for (size_t i = 0; i < np; i++)
            report_table(&out->tables[out->ntables++], &plan[i], types[i]);
    }
    for (size_t i = 0; i < np; i++) {
        free_types(types[i], plan[i].lt->ncols);
        free(ac[i]);
    }
    free(types);
    free(ac);
    free(at);
    return rc;
}

int domain_adopt(registry *reg, const domain_actor *who, const char *instance,
                 const live_schema *live, const char *const *only_tables,
                 size_t n, int dry_run, domain_adopt_report *out, errmsg *err)
{
    registry_instance inst;
    registry_drift_report r = {0};
    registry_card *cards = NULL;
    plan_table *plan = NULL;
    size_t ncards = 0, np = 0;
    int rc;

    memset(out, 0, sizeof *out);
    rc = instance_for(reg, who, instance, &inst, err);
    if (rc == 0)
        rc = check_only(live, only_tables, n, err);
    if (rc == 0)
        rc = domain_drift_load_cards(reg, inst.name, &cards, &ncards, err);
    if (rc == 0) {
        domain_drift_compare(&r, cards, ncards, live);
        plan = xcalloc(live->ntables + 1, sizeof *plan);
        np = make_plan(plan, live, &r, cards, ncards, only_tables, n);
        out->instance = xstrdup(inst.name);
        out->source = xstrdup(live->source ? live->source : "");
        out->dry_run = dry_run;
        rc = adopt_plan(reg, who, &inst, live, plan, np, dry_run, out, err);
    }
    if (rc == 0 && !dry_run && out->columns_added + out->tables_created > 0)
        registry_audit(reg, who->user_id,
                       who->email && *who->email ? who->email : "cli",
                       "registry.adopt", inst.name, out->source, "");
    for (size_t i = 0; i < np; i++)
        free(plan[i].take);
    free(plan);
    domain_drift_free_cards(cards, ncards);
    registry_drift_report_dispose(&r);
    if (rc < 0)
        domain_adopt_report_dispose(out);
    return rc;
}

int domain_adopt_from(registry *reg, const domain_actor *who,
                      const domain_adopt_request *rq, domain_adopt_report *out,
                      errmsg *err)
{
    registry_instance inst;
    live_schema live = {0};
    live_options opt = {0};
    sql_dialect d = SQL_POSTGRES;
    int rc;

    memset(out, 0, sizeof *out);
    rc = instance_for(reg, who, rq->instance, &inst, err);
    if (rc < 0)
        return rc;
    if (!rq->source || !*rq->source)
        return err_set(err, ERR_INVALID,
                       "no source given for instance %.100s (--from, or "
                       "drift_source in [instance.%.100s])",
                       inst.name, inst.name);
    sql_dialect_parse(&d, inst.dialect);
    opt.schema = rq->schema;
    opt.dialect = d;
    rc = live_read(&live, rq->source, &opt, err);
    if (rc == 0)
        rc = domain_adopt(reg, who, inst.name, &live, rq->only_tables,
                          rq->nonly, rq->dry_run, out, err);
    live_schema_dispose(&live);
    return rc;
}
