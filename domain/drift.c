/* drift.c: the drift check (drift_cases.h): one instance's registry
 * against its live schema. The comparison is pure; the check reads the
 * cards and the live schema and hands the report to registry/drift.c. */
#include "drift_cases.h"
#include "migrate.h"
#include "mem.h"
#include "str.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VALUE_MAX 500 /* bytes of a description or comment in a finding */

static const char *const kind_names[DRIFT_NKINDS] = {"undocumented_table",
                                                     "undocumented_column",
                                                     "missing_table",
                                                     "missing_column",
                                                     "type",
                                                     "nullable",
                                                     "primary_key",
                                                     "comment"};

const char *domain_drift_kind_name(drift_kind k)
{
    return (unsigned)k < DRIFT_NKINDS ? kind_names[k] : "";
}

int domain_drift_kind_parse(const char *s)
{
    for (int k = 0; s && k < DRIFT_NKINDS; k++)
        if (!strcmp(kind_names[k], s))
            return k;
    return -1;
}

typedef struct finding_vec {
    registry_drift_finding *v;
    size_t n, cap;
} finding_vec;

static void add(finding_vec *fv, drift_kind k, const char *table,
                const char *column, const char *reg, const char *live)
{
    registry_drift_finding *f;

    xgrow(&fv->v, &fv->cap, fv->n + 1, sizeof *fv->v);
    f = &fv->v[fv->n++];
    f->kind = xstrdup(kind_names[k]);
    f->table = xstrdup(table ? table : "");
    f->column = xstrdup(column ? column : "");
    f->registry = xstrdup(reg ? reg : "");
    f->live = xstrdup(live ? live : "");
}

/* Names as the dialect compares them: exactly, then (MySQL, SQLite) in
 * any case. Returns 2 for an exact match, 1 for one in another case. */
static int name_match(sql_dialect d, const char *a, const char *b)
{
    if (!strcmp(a, b))
        return 2;
    if ((d == SQL_MYSQL || d == SQL_SQLITE) && !str_casecmp(a, b))
        return 1;
    return 0;
}

/* The index of the live table named name, -1 when none. */
static long live_table_index(const live_schema *s, const char *name)
{
    long best = -1;

    for (size_t i = 0; i < s->ntables; i++) {
        int m = name_match(s->dialect, s->tables[i].name, name);
        if (m == 2)
            return (long)i;
        if (m == 1 && best < 0)
            best = (long)i;
    }
    return best;
}

static long live_column_index(sql_dialect d, const live_table *t,
                              const char *name)
{
    long best = -1;

    for (size_t i = 0; i < t->ncols; i++) {
        int m = name_match(d, t->cols[i].name, name);
        if (m == 2)
            return (long)i;
        if (m == 1 && best < 0)
            best = (long)i;
    }
    return best;
}

/* A card column as "string(255), not null, primary key". */
static void reg_column_text(char *out, size_t size,
                            const registry_card_column *c)
{
    snprintf(out, size, "%s%s%s%s", c->type && *c->type ? c->type : "no type",
             c->nullable ? ", null" : ", not null",
             c->primary_key ? ", primary key" : "",
             c->status == REGISTRY_ENTRY_ACTIVE       ? ""
             : c->status == REGISTRY_ENTRY_DEPRECATED ? ", deprecated"
                                                      : ", retired");
}

static void live_type_text(char *out, size_t size, const live_column *c)
{
    migrate_live_type_format(out, size, c->data_type, c->char_max,
                             c->num_precision, c->num_scale);
}

static void live_column_text(char *out, size_t size, const live_column *c)
{
    char type[96];

    live_type_text(type, sizeof type, c);
    snprintf(out, size, "%s%s%s", type, c->nullable ? ", null" : ", not null",
             c->pk_position > 0 ? ", primary key" : "");
}

/* s with every run of blanks and line breaks as one space, trimmed
 * (caller frees). */
static char *squeeze(const char *s)
{
    size_t n = strlen(s ? s : ""), j = 0;
    char *out = xmalloc(n + 1);
    int space = 0;

    for (size_t i = 0; i < n; i++) {
        if (isspace((unsigned char)s[i])) {
            space = j > 0;
            continue;
        }
        if (space)
            out[j++] = ' ';
        space = 0;
        out[j++] = s[i];
    }
    out[j] = '\0';
    return out;
}

/* Is the live comment the description? MySQL keeps at most 1024
 * characters of a column's comment and 2048 of a table's (the
 * generator's lint says so): a live comment that long counts when the
 * description begins with it. */
static int comment_equal(sql_dialect d, const char *desc, const char *comment)
{
    char *a = squeeze(desc), *b = squeeze(comment);
    size_t nb = strlen(b);
    int eq = !strcmp(a, b) ||
             (d == SQL_MYSQL && str_utf8_len(b) >= 1000 && !strncmp(a, b, nb));

    free(a);
    free(b);
    return eq;
}

static void add_comment(finding_vec *fv, sql_dialect d, const char *table,
                        const char *column, const char *desc,
                        const char *comment)
{
    char reg[VALUE_MAX + 4], live[VALUE_MAX + 4];

    if (comment_equal(d, desc, comment))
        return;
    snprintf(reg, sizeof reg, "%s", desc ? desc : "");
    snprintf(live, sizeof live, "%s", comment ? comment : "");
    add(fv, DRIFT_COMMENT, table, column, reg, live);
}

static int source_has_comments(const live_schema *s)
{
    for (size_t i = 0; i < s->ntables; i++) {
        if (s->tables[i].comment && *s->tables[i].comment)
            return 1;
        for (size_t j = 0; j < s->tables[i].ncols; j++)
            if (s->tables[i].cols[j].comment && *s->tables[i].cols[j].comment)
                return 1;
    }
    return 0;
}

static void compare_columns(finding_vec *fv, sql_dialect d,
                            const registry_card *card, const live_table *lt,
                            int comments)
{
    unsigned char *seen = xcalloc(lt->ncols + 1, 1);
    char reg[160], live[160];

    for (size_t i = 0; i < card->ncolumns; i++) {
        const registry_card_column *c = &card->columns[i];
        const live_column *lc;
        form_type t;
        long k;

        if (c->status == REGISTRY_ENTRY_RETIRED)
            continue;
        k = live_column_index(d, lt, c->name);
        if (k < 0 || seen[k]) {
            /* A column documented without a type (a request's attribute
             * given a rule but no type) is one no migration creates: the
             * generator writes nothing for it, so its absence is no
             * drift; when it is live it is compared as any other. */
            if (c->status == REGISTRY_ENTRY_ACTIVE && c->type && *c->type) {
                reg_column_text(reg, sizeof reg, c);
                add(fv, DRIFT_MISSING_COLUMN, lt->name, c->name, reg, "");
            }
            continue;
        }
        seen[k] = 1;
        lc = &lt->cols[k];
        if (c->type && *c->type && form_type_parse(&t, c->type, NULL) == 0 &&
            !migrate_type_equal(d, &t, lc->data_type, lc->char_max,
                                lc->num_precision, lc->num_scale)) {
            live_type_text(live, sizeof live, lc);
            add(fv, DRIFT_TYPE, lt->name, lc->name, c->type, live);
        }
        if (!c->nullable != !lc->nullable)
            add(fv, DRIFT_NULLABLE, lt->name, lc->name,
                c->nullable ? "null" : "not null",
                lc->nullable ? "null" : "not null");
        if (!c->primary_key != !(lc->pk_position > 0))
            add(fv, DRIFT_PRIMARY_KEY, lt->name, lc->name,
                c->primary_key ? "primary key" : "not in the primary key",
                lc->pk_position > 0 ? "primary key" : "not in the primary key");
        /* SQLite keeps a description only inside CREATE TABLE
         * (migrations/plan.c): a column added by ALTER TABLE ADD COLUMN
         * has none live, which says nothing about the registry. */
        if (comments && !(d == SQL_SQLITE && !*lc->comment))
            add_comment(fv, d, lt->name, lc->name, c->description, lc->comment);
    }
    for (size_t k = 0; k < lt->ncols; k++) {
        int retired = 0;
        if (seen[k])
            continue;
        /* A retirement is documentation ("do not use"); the drop is a
         * manual step (the generator writes a stub), so a retired
         * column still live is documented, not drift. */
        for (size_t i = 0; i < card->ncolumns; i++)
            if (card->columns[i].status == REGISTRY_ENTRY_RETIRED &&
                name_match(d, lt->cols[k].name, card->columns[i].name))
                retired = 1;
        if (retired)
            continue;
        live_column_text(live, sizeof live, &lt->cols[k]);
        add(fv, DRIFT_UNDOCUMENTED_COLUMN, lt->name, lt->cols[k].name, "",
            live);
    }
    free(seen);
}

static int finding_cmp(const void *a, const void *b)
{
    const registry_drift_finding *x = a, *y = b;
    int c = strcmp(x->table, y->table);

    if (c)
        return c;
    c = strcmp(x->column, y->column);
    if (c)
        return c;
    return domain_drift_kind_parse(x->kind) - domain_drift_kind_parse(y->kind);
}

void domain_drift_compare(registry_drift_report *out,
                          const registry_card *cards, size_t ncards,
                          const live_schema *live)
{
    sql_dialect d = live->dialect;
    unsigned char *seen = xcalloc(live->ntables + 1, 1);
    int comments = source_has_comments(live);
    finding_vec fv = {0};
    char text[64];
    int compared = 0;

    for (size_t i = 0; i < ncards; i++) {
        const registry_card *card = &cards[i];
        long k = live_table_index(live, card->table);
        if (k < 0 || seen[k]) {
            if (card->status == REGISTRY_ENTRY_ACTIVE) {
                snprintf(text, sizeof text, "active table, %zu column%s",
                         card->ncolumns, card->ncolumns == 1 ? "" : "s");
                add(&fv, DRIFT_MISSING_TABLE, card->table, "", text, "");
            }
            continue;
        }
        seen[k] = 1;
        compared++;
        if (comments && !live->no_table_comments)
            add_comment(&fv, d, live->tables[k].name, "", card->description,
                        live->tables[k].comment);
        compare_columns(&fv, d, card, &live->tables[k], comments);
    }
    for (size_t k = 0; k < live->ntables; k++) {
        if (seen[k])
            continue;
        snprintf(text, sizeof text, "%zu column%s", live->tables[k].ncols,
                 live->tables[k].ncols == 1 ? "" : "s");
        add(&fv, DRIFT_UNDOCUMENTED_TABLE, live->tables[k].name, "", "", text);
    }
    free(seen);
    if (fv.n > 1)
        qsort(fv.v, fv.n, sizeof *fv.v, finding_cmp);
    memset(out, 0, sizeof *out);
    out->source = xstrdup(live->source ? live->source : "");
    out->schema = xstrdup(live->schema ? live->schema : "");
    out->error = xstrdup("");
    out->tables_compared = compared;
    out->findings = fv.v;
    out->nfindings = fv.n;
}

/* ---- the check ---------------------------------------------------------- */

typedef struct name_vec {
    char **v;
    size_t n, cap;
} name_vec;

static void name_push(void *ctx, const registry_table_row *t)
{
    name_vec *nv = ctx;

    xgrow(&nv->v, &nv->cap, nv->n + 1, sizeof *nv->v);
    nv->v[nv->n++] = xstrdup(t->name);
}

int domain_drift_load_cards(registry *reg, const char *instance,
                            registry_card **out, size_t *out_n, errmsg *err)
{
    registry_table_filter f = {0};
    name_vec nv = {0};
    registry_card *cards;
    size_t n = 0;
    int rc;

    f.instance = instance;
    rc = registry_table_list(reg, &f, name_push, &nv, NULL, err);
    cards = xcalloc(nv.n + 1, sizeof *cards);
    for (size_t i = 0; rc == 0 && i < nv.n; i++) {
        rc = registry_table_card(reg, &cards[n], instance, nv.v[i], 0, err);
        if (rc == 0)
            n++;
    }
    for (size_t i = 0; i < nv.n; i++)
        free(nv.v[i]);
    free(nv.v);
    if (rc < 0) {
        for (size_t i = 0; i < n; i++)
            registry_card_free(&cards[i]);
        free(cards);
        return rc;
    }
    *out = cards;
    *out_n = n;
    return 0;
}

void domain_drift_free_cards(registry_card *cards, size_t n)
{
    for (size_t i = 0; i < n; i++)
        registry_card_free(&cards[i]);
    free(cards);
}

int domain_drift_check(registry *reg, const domain_actor *actor,
                       const domain_drift_request *rq,
                       registry_drift_report *out, int *out_new, errmsg *err)
{
    registry_instance inst;
    registry_drift_report r = {0};
    registry_card *cards = NULL;
    live_schema live = {0};
    live_options opt = {0};
    size_t ncards = 0;
    errmsg lerr = {0};
    sql_dialect d = SQL_POSTGRES;
    char redacted[512];
    int rc;

    if (!rq->instance || !*rq->instance)
        return err_set(err, ERR_INVALID, "no instance given");
    if (!rq->source || !*rq->source)
        return err_set(err, ERR_INVALID,
                       "no source given for instance %.100s (--from, or "
                       "drift_source in [instance.%.100s])",
                       rq->instance, rq->instance);
    rc = domain_instance_visible(reg, actor, rq->instance, &inst, err);
    if (rc < 0)
        return rc;
    sql_dialect_parse(&d, inst.dialect);
    rc = domain_drift_load_cards(reg, inst.name, &cards, &ncards, err);
    if (rc < 0)
        return rc;
    opt.schema = rq->schema;
    opt.dialect = d;
    rc = live_read(&live, rq->source, &opt, &lerr);
    if (rc < 0) {
        live_source_redact(redacted, sizeof redacted, rq->source);
        r.source = xstrdup(redacted);
        r.schema = xstrdup(rq->schema ? rq->schema : "");
        r.error = xstrdup(lerr.msg[0] ? lerr.msg : "cannot read the source");
        r.failed = 1;
        err_set(err, rc, "%s", r.error);
    } else {
        domain_drift_compare(&r, cards, ncards, &live);
    }
    r.instance_id = inst.id;
    r.checked_at = rq->now ? rq->now : time_now();
    for (size_t i = 0; i < ncards; i++)
        registry_card_free(&cards[i]);
    free(cards);
    live_schema_dispose(&live);
    if (rq->store) {
        int rc2 = registry_drift_store(reg, &r, out_new, err);
        if (rc2 < 0) {
            registry_drift_report_dispose(&r);
            return rc2;
        }
    } else if (out_new) {
        *out_new = 0;
    }
    *out = r;
    return rc < 0 ? rc : 0;
}
