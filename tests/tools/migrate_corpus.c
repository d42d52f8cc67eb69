/* migrate_corpus.c: writes the migrations of a corpus of change requests
 * for the real-database test (tests/integration/test_migrations_realdb.sh):
 *   migrate_corpus OUTDIR
 * For each engine (postgres, mysql, sqlite) OUTDIR/<engine>/ gets
 *   base.sql           the up migration of a request creating the tables
 *                      the other requests change (new_table items)
 *   up.sql, down.sql   the corpus requests' up files in order, their down
 *                      files in reverse order (plain format)
 *   files/             every generated file, for reading when a test fails
 *   expected_base.txt  the schema after base.sql (and again after down.sql)
 *   expected_up.txt    the schema after up.sql
 * Schema lines are "table|column|type|nullable|comment as hex" (and
 * "table|-|table|-|comment as hex" per table), in the spelling each engine
 * reports (information_schema, pg_catalog.format_type, PRAGMA table_info);
 * the script sorts both sides before comparing. The expected schema comes
 * from a small model of what each item does, written here independently of
 * migrations/ (only SQLite's declared type names are taken from it).
 * SQLite has no comments on objects: docket keeps a new table's
 * descriptions in its CREATE TABLE text, which the script reads back with
 *   migrate_corpus --sqlite-comments  < "table|hex of sqlite_schema.sql"
 * (one line per table; out: "table|column|comment as hex", column "-" for
 * the table's own description).
 *
 * For the drift property (tests/integration/test_drift_realdb.sh):
 *   migrate_corpus --deploy DB
 * creates, in the docket database DB, an instance corpus-<engine> per
 * engine (dialect postgres, mysql, sqlite; organisation corpus, made when
 * absent), and submits the base request and every corpus request that
 * engine takes (as up.sql holds them) for it, each taken by a project
 * manager through triage, a sprint and in progress to deployed on that
 * instance with the life cycle's own use case (triage_transition), so
 * the registry documents what docket says the up migrations made.
 *
 * Names: every reserved word of every dialect is a column of vocab_probe,
 * and tables named order and user hold the everyday columns action,
 * query, plan, order, select: docket quotes them all, and the form accepts
 * them. A name a dialect refuses even quoted (sql_unusable) is applied
 * only to the engines that take it; for the engine that refuses it,
 * OUTDIR/<engine>/refused/NN.sql holds its up migration, which the script
 * expects the server to refuse. Every name of the corpus is checked with
 * form_ident_check and sql_unusable before it is written. */
#include "migrate.h"
#include "registry.h"
#include "requests.h"
#include "triage_cases.h"
#include "validate.h"
#include "../unit/migrations/migrations_test.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

enum { PG, MY, SL, NENGINES };
static const char *engine_dir[NENGINES] = {"postgres", "mysql", "sqlite"};
static const sql_dialect engine_dialect[NENGINES] = {SQL_POSTGRES, SQL_MYSQL,
                                                     SQL_SQLITE};

/* ---- the corpus ------------------------------------------------------ */

/* Descriptions that try to leave their literal or comment. */
static const char *nasty =
    "It's \"quoted\"; back\\slash \\' \\\\ -- not a comment */ /* `tick`\n"
    "second line\r\nthird line\ttab; ${placeholder} caf\xc3\xa9";

static char long_text[1200 * 2 + 1];

static void base_request(form_request *r)
{
    form_item *it;
    form_column *c;

    fx_request_init(r, 100, "Base schema");
    it = fx_item(r, FORM_ITEM_NEW_TABLE, "customers");
    fx_set(&it->description, "Customers of the \"CRM\"");
    c = fx_col(it, "customer_id", "bigint", 0, "");
    c->primary_key = 1;
    fx_col(it, "email", "string(320)", 1, "Contact e-mail");
    fx_col(it, "segment", "string(100)", 1, "Marketing segment");
    fx_col(it, "fax", "string(30)", 1, "");

    it = fx_item(r, FORM_ITEM_NEW_TABLE, "purchases");
    c = fx_col(it, "purchase_id", "bigint", 0, "");
    c->primary_key = 1;
    fx_col(it, "amount", "decimal(10,2)", 0,
           "Amount in EUR, incl. VAT's "
           "\"share\"");
    fx_col(it, "qty", "integer", 0, "");
    fx_col(it, "placed_on", "date", 1, "");
    fx_col(it, "payload", "text", 1, "");

    it = fx_item(r, FORM_ITEM_NEW_TABLE, "web_events");
    c = fx_col(it, "event_id", "bigint", 0, "");
    c->primary_key = 1;
    fx_col(it, "Order_Total2", "decimal(12,2)", 1, "");
}

/* Descriptions of several lines: a first line like a tool's directive,
 * an empty line, blanks at both ends, a trailing line break. */
static const char *lines =
    "rollback DROP TABLE customers;\n"
    "-- migrate:down\n"
    "\n"
    "  indented; 'quoted' \"twice\" back\\slash */ -- ;  \n"
    "last line\n";

/* Every word of every dialect's reserved-word table, once. */
static void vocab_columns(form_item *it)
{
    for (int d = 0; d < SQL_NDIALECTS; d++) {
        size_t n;
        const char *const *w = sql_reserved_list((sql_dialect)d, &n);
        for (size_t i = 0; i < n; i++) {
            size_t j = 0;
            while (j < it->ncolumns && strcmp(it->columns[j].name, w[i]))
                j++;
            if (j == it->ncolumns)
                fx_col(it, w[i], "integer", 1, "");
        }
    }
}

/* The corpus: n requests into rs[], each with the engines it applies to
 * (bit e for engine e) in engines[]. */
static size_t corpus(form_request *rs, unsigned *engines)
{
    form_request *r;
    form_item *it;
    form_column *c;
    size_t n = 0;

    /* New tables with every type, awkward names and texts. */
    r = &rs[n++];
    fx_request_init(r, 101, "New tables: every type");
    r->consent_related = 1;
    fx_set(&r->consent_note, nasty);
    it = fx_item(r, FORM_ITEM_NEW_TABLE, "Campaign_Events");
    fx_set(&it->description, nasty);
    fx_set(&it->campaign_dependency, "required");
    fx_set(&it->expected_arrival, "05:30");
    c = fx_col(it, "Event_ID", "bigint", 0, "Key");
    c->primary_key = 1;
    fx_col(it, "Order_Total2", "decimal(12,2)", 0, nasty);
    fx_col(it, "s40", "string(40)", 1, "");
    fx_col(it, "big_s", "string(20000)", 1, "");
    fx_col(it, "t", "text", 1, long_text);
    fx_col(it, "i", "integer", 0, "");
    fx_col(it, "b", "boolean", 1, "");
    fx_col(it, "d", "date", 1, "");
    fx_col(it, "ts", "timestamp", 1, "");
    fx_col(it, "tstz", "timestamp with time zone", 1, "");
    c = fx_col(it, "j", "json", 1, "consent \"flags\"");
    c->consent = 1;
    fx_set(&c->consent_channel, "email");
    it = fx_item(r, FORM_ITEM_NEW_TABLE, "daily_visits");
    fx_set(&it->primary_key, "member_id, Day_");
    fx_col(it, "member_id", "bigint", 1, "");
    fx_col(it, "Day_", "date", 1, "");
    fx_col(it, "visits", "integer", 1, "");

    /* Columns added to an existing table. */
    r = &rs[n++];
    fx_request_init(r, 102, "Add columns to customers");
    it = fx_item(r, FORM_ITEM_ADD_COLUMNS, "customers");
    fx_col(it, "loyalty_tier", "string(20)", 1, "Tier: \"gold\"\\\"silver\"");
    fx_col(it, "lifetime_value", "decimal(14,2)", 0, ""); /* NOT NULL */
    fx_col(it, "visits_90d", "integer", 1, "");
    fx_col(it, "last_login", "timestamp with time zone", 1, nasty);
    fx_col(it, "prefs", "json", 1, "");
    fx_col(it, "vip", "boolean", 1, "");

    /* Customer attributes: add with a rule, retire, add without a type,
     * a widening change whose description restates the current one. */
    r = &rs[n++];
    fx_request_init(r, 103, "Customer attributes");
    it = fx_item(r, FORM_ITEM_CUSTOMER_ATTRIBUTES, "customers");
    c = fx_col(it, "churn_score", "decimal(5,4)", 1, "Churn risk");
    fx_set(&c->rule, "1 - retention;\n--rollback DROP TABLE customers;\n"
                     "-- migrate:down");
    fx_set(&c->example, "0.12");
    c = fx_col(it, "fax", "", 1, "");
    c->action = FORM_ACTION_RETIRE;
    c = fx_col(it, "household", "", 1, "");
    fx_set(&c->rule, "count of members at the address");
    c = fx_col(it, "segment", "string(200)", 1, "Marketing segment");
    c->action = FORM_ACTION_CHANGE;
    fx_old_type(c, "string(100)");

    /* Purchase history: type changes that can be undone. */
    r = &rs[n++];
    fx_request_init(r, 104, "Purchase history types");
    it = fx_item(r, FORM_ITEM_PURCHASE_HISTORY, "purchases");
    fx_set(&it->campaign_dependency, "optional");
    c = fx_col(it, "amount", "decimal(14,4)", 0,
               "Amount in EUR, incl. VAT's \"share\"");
    c->action = FORM_ACTION_CHANGE;
    fx_old_type(c, "decimal(10,2)");
    c = fx_col(it, "qty", "bigint", 0, "");
    c->action = FORM_ACTION_CHANGE;
    fx_old_type(c, "integer");
    c = fx_col(it, "placed_on", "timestamp", 1, "");
    c->action = FORM_ACTION_CHANGE;
    fx_old_type(c, "date");
    c = fx_col(it, "payload", "json", 1, "");
    c->action = FORM_ACTION_CHANGE;
    fx_old_type(c, "text");

    /* Activity history: new attribute columns. */
    r = &rs[n++];
    fx_request_init(r, 105, "Activity history");
    it = fx_item(r, FORM_ITEM_ACTIVITY_HISTORY, "web_events");
    fx_col(it, "Event_Kind", "string(30)", 0, "Kind of event");
    fx_col(it, "Score1", "decimal(5,2)", 1, "");

    /* Reserved words as names, and descriptions of several lines. */
    r = &rs[n++];
    fx_request_init(r, 106, "Reserved words as names");
    it = fx_item(r, FORM_ITEM_NEW_TABLE, "order");
    fx_set(&it->description, lines);
    c = fx_col(it, "action", "bigint", 0, lines);
    c->primary_key = 1;
    fx_col(it, "query", "text", 1, nasty);
    fx_col(it, "plan", "string(40)", 1, "\nafter an empty first line");
    fx_col(it, "order", "integer", 1, "one line");
    fx_col(it, "select", "date", 1, "");
    it = fx_item(r, FORM_ITEM_NEW_TABLE, "user");
    fx_set(&it->description, "Every word any dialect reserves is a column "
                             "of vocab_probe.");
    fx_col(it, "table", "integer", 1, "");
    fx_col(it, "group", "text", 1, lines);
    it = fx_item(r, FORM_ITEM_NEW_TABLE, "vocab_probe");
    vocab_columns(it);
    it = fx_item(r, FORM_ITEM_ADD_COLUMNS, "customers");
    fx_col(it, "plan", "string(20)", 1, lines);
    fx_col(it, "action", "integer", 1, "");

    /* Names only PostgreSQL refuses (its system columns): MySQL and
     * SQLite take them. */
    r = &rs[n++];
    fx_request_init(r, 107, "System column names");
    it = fx_item(r, FORM_ITEM_NEW_TABLE, "row_versions");
    fx_col(it, "xmin", "bigint", 1, "");
    fx_col(it, "ctid", "text", 1, "");
    fx_col(it, "tableoid", "integer", 1, "");
    fx_col(it, "Xmax", "integer", 1, "PostgreSQL takes \"Xmax\" quoted");
    engines[n - 1] = 1u << MY | 1u << SL;

    /* A table name only SQLite refuses. */
    r = &rs[n++];
    fx_request_init(r, 108, "sqlite_ table");
    it = fx_item(r, FORM_ITEM_NEW_TABLE, "sqlite_stats");
    fx_col(it, "n", "integer", 1, "");
    engines[n - 1] = 1u << PG | 1u << MY;
    return n;
}

/* Fails unless the form accepts every name of r for engine e: docket's
 * own rules, not a test's, decide what is applied. */
static void names_accepted(const form_request *r, int e)
{
    for (size_t i = 0; i < r->nitems; i++) {
        const form_item *it = &r->items[i];
        char msg[256];
        if (form_ident_check(it->table, msg, sizeof msg) < 0 ||
            sql_unusable(engine_dialect[e], it->table, 0)) {
            fprintf(stderr, "CR-%lld: table %s is refused for %s\n",
                    (long long)r->id, it->table, engine_dir[e]);
            exit(2);
        }
        for (size_t j = 0; j < it->ncolumns; j++)
            if (form_ident_check(it->columns[j].name, msg, sizeof msg) < 0 ||
                sql_unusable(engine_dialect[e], it->columns[j].name, 1)) {
                fprintf(stderr, "CR-%lld: column %s is refused for %s\n",
                        (long long)r->id, it->columns[j].name, engine_dir[e]);
                exit(2);
            }
    }
}

/* 1 when engine e refuses some name of r even quoted. */
static int names_refused(const form_request *r, int e)
{
    for (size_t i = 0; i < r->nitems; i++) {
        const form_item *it = &r->items[i];
        if (sql_unusable(engine_dialect[e], it->table, 0))
            return 1;
        for (size_t j = 0; j < it->ncolumns; j++)
            if (sql_unusable(engine_dialect[e], it->columns[j].name, 1))
                return 1;
    }
    return 0;
}

/* ---- the model of the resulting schema ------------------------------- */

typedef struct mcol {
    const char *table, *name, *comment;
    form_type type;
    int nullable;
} mcol;

typedef struct mtab {
    const char *name, *comment;
} mtab;

typedef struct model {
    mcol cols[1000];
    size_t ncols;
    mtab tabs[20];
    size_t ntabs;
} model;

static mcol *find_col(model *m, const char *table, const char *name)
{
    for (size_t i = 0; i < m->ncols; i++)
        if (!strcmp(m->cols[i].table, table) && !strcmp(m->cols[i].name, name))
            return &m->cols[i];
    fprintf(stderr, "model: no column %s.%s\n", table, name);
    exit(2);
}

static void add_col(model *m, const char *table, const form_column *c,
                    int nullable)
{
    mcol *mc = &m->cols[m->ncols++];

    mc->table = table;
    mc->name = c->name;
    mc->type = c->type;
    mc->nullable = nullable;
    mc->comment = c->description;
}

static int in_key(const form_item *it, const form_column *c)
{
    const char *p = it->primary_key;
    size_t n = strlen(c->name);

    if (c->primary_key)
        return 1;
    while ((p = strstr(p, c->name)) != NULL) {
        int start = p == it->primary_key || p[-1] == ' ' || p[-1] == ',';
        int end = p[n] == '\0' || p[n] == ',' || p[n] == ' ';
        if (start && end)
            return 1;
        p += n;
    }
    return 0;
}

/* What request r does to the schema in engine e (see plan.c). */
static void model_apply(model *m, const form_request *r, int e)
{
    for (size_t i = 0; i < r->nitems; i++) {
        const form_item *it = &r->items[i];
        if (it->kind == FORM_ITEM_NEW_TABLE) {
            m->tabs[m->ntabs].name = it->table;
            m->tabs[m->ntabs++].comment = it->description;
            for (size_t j = 0; j < it->ncolumns; j++) {
                const form_column *c = &it->columns[j];
                add_col(m, it->table, c, c->nullable && !in_key(it, c));
            }
            continue;
        }
        for (size_t j = 0; j < it->ncolumns; j++) {
            const form_column *c = &it->columns[j];
            mcol *mc;
            if (it->kind == FORM_ITEM_ADD_COLUMNS ||
                c->action == FORM_ACTION_ADD) {
                /* NOT NULL without a default is added as nullable */
                if (c->type.kind != FORM_TYPE_NONE)
                    add_col(m, it->table, c, 1);
                /* SQLite's ALTER TABLE keeps no comment */
                if (c->type.kind != FORM_TYPE_NONE && e == SL)
                    m->cols[m->ncols - 1].comment = NULL;
                continue;
            }
            if (c->action != FORM_ACTION_CHANGE || e == SL)
                continue; /* retire: a stub; SQLite: a rebuild stub */
            mc = find_col(m, it->table, c->name);
            if (c->type.kind != FORM_TYPE_NONE)
                mc->type = c->type;
            if (*c->description)
                mc->comment = c->description;
            if (e == MY)
                mc->nullable = c->nullable; /* MODIFY restates it */
        }
    }
}

static void type_text(char *out, size_t size, int e, const form_type *t)
{
    static const char *pg[FORM_TYPE_NKINDS] = {"",
                                               "",
                                               "text",
                                               "integer",
                                               "bigint",
                                               "",
                                               "boolean",
                                               "date",
                                               "timestamp without time zone",
                                               "timestamp with time zone",
                                               "jsonb"};
    static const char *my[FORM_TYPE_NKINDS] = {
        "",           "",     "longtext",    "int(11)",     "bigint(20)", "",
        "tinyint(1)", "date", "datetime(6)", "datetime(6)", "longtext"};

    if (e == SL) {
        migrate_type_name(out, size, SQL_SQLITE, t);
        return;
    }
    if (t->kind == FORM_TYPE_STRING) {
        if (e == MY && t->length > 16383)
            snprintf(out, size, "mediumtext");
        else
            snprintf(out, size, "%s(%d)",
                     e == PG ? "character varying" : "varchar", t->length);
    } else if (t->kind == FORM_TYPE_DECIMAL) {
        snprintf(out, size, "%s(%d,%d)", e == PG ? "numeric" : "decimal",
                 t->precision, t->scale);
    } else {
        snprintf(out, size, "%s", (e == PG ? pg : my)[t->kind]);
    }
}

/* The comment as the engine keeps it, in upper-case hex. */
static void put_comment(FILE *f, int e, const char *s, size_t max)
{
    size_t chars = 0;

    if (!s)
        return;
    for (; *s; s++) {
        if (e == SL && *s == '\r') { /* a line end, as in a form */
            fprintf(f, "0A");
            if (s[1] == '\n')
                s++;
            continue;
        }
        if (((unsigned char)*s & 0xC0) != 0x80 && e == MY && chars++ == max)
            break;
        fprintf(f, "%02X", (unsigned char)*s);
    }
}

static void write_model(const char *path, const model *m, int e)
{
    FILE *f = fopen(path, "w");
    char type[64];

    if (!f) {
        perror(path);
        exit(2);
    }
    for (size_t i = 0; i < m->ncols; i++) {
        const mcol *c = &m->cols[i];
        type_text(type, sizeof type, e, &c->type);
        fprintf(f, "%s|%s|%s|%s|", c->table, c->name, type,
                c->nullable ? "YES" : "NO");
        put_comment(f, e, c->comment, 1024);
        fputc('\n', f);
    }
    for (size_t i = 0; i < m->ntabs; i++) {
        fprintf(f, "%s|-|table|-|", m->tabs[i].name);
        put_comment(f, e, m->tabs[i].comment, 2048);
        fputc('\n', f);
    }
    fclose(f);
}

/* ---- files ----------------------------------------------------------- */

static void mkdir_or_die(const char *path)
{
    if (mkdir(path, 0755) < 0 && errno != EEXIST) {
        perror(path);
        exit(2);
    }
}

static void write_text(const char *path, const char *text, const char *mode)
{
    FILE *f = fopen(path, mode);

    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
}

/* Generates r for engine e in the plain format; appends the up file to
 * up_path and returns the down text (caller frees). */
static char *emit(const char *dir, const form_request *r, int e,
                  const char *up_path)
{
    migrate_options opt = {"https://docket.example.com", 0, NULL};
    migrate_result res = {0};
    errmsg err = {0};
    char path[1024];
    char *down;

    if (migrate_generate(&res, r, engine_dialect[e], MIGRATE_PLAIN, &opt,
                         &err) < 0) {
        fprintf(stderr, "CR-%lld: %s\n", (long long)r->id, err.msg);
        exit(1);
    }
    for (size_t i = 0; i < res.nfiles; i++) {
        snprintf(path, sizeof path, "%s/files/%s", dir, res.files[i].name);
        write_text(path, res.files[i].content, "w");
    }
    write_text(up_path, res.files[0].content, "a");
    down = xstrdup(res.files[1].content);
    migrate_result_dispose(&res);
    return down;
}

/* ---- reading SQLite's CREATE TABLE texts ------------------------------ */

static const char *comments_table;

static void print_comment(void *ctx, const char *column, const char *text)
{
    (void)ctx;
    printf("%s|%s|", comments_table, *column ? column : "-");
    for (const char *p = text; *p; p++)
        printf("%02X", (unsigned char)*p);
    putchar('\n');
}

/* stdin: "table|hex of its CREATE TABLE text" per line. */
static int sqlite_comments(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;

    while ((len = getline(&line, &cap, stdin)) > 0) {
        char *bar = strchr(line, '|'), *sql;
        size_t k = 0;
        if (!bar)
            continue;
        *bar = '\0';
        sql = xmalloc(strlen(bar + 1) / 2 + 1);
        for (const char *h = bar + 1;
             str_hexval(h[0]) >= 0 && str_hexval(h[1]) >= 0; h += 2)
            sql[k++] = (char)(str_hexval(h[0]) * 16 + str_hexval(h[1]));
        sql[k] = '\0';
        comments_table = line;
        fx_sqlite_comments(sql, print_comment, NULL);
        free(sql);
    }
    free(line);
    return 0;
}

/* ---- deploying the corpus in a docket database ------------------------ */

static void die_err(const char *what, const errmsg *err)
{
    fprintf(stderr, "migrate_corpus --deploy: %s: %s\n", what, err->msg);
    exit(1);
}

static void move(registry *reg, const domain_actor *pm, int64_t rid,
                 request_status to, int64_t sprint, const char *instance)
{
    registry_transition t = {0};
    errmsg err = {0};
    char what[64];

    t.to = to;
    t.sprint_id = sprint;
    t.instance = instance;
    if (triage_transition(reg, pm, rid, &t, NULL, &err) < 0) {
        snprintf(what, sizeof what, "CR-%lld to %s", (long long)rid,
                 registry_status_name(to));
        die_err(what, &err);
    }
}

/* r for instance alone, stored, and taken to deployed there. */
static void deploy_one(registry *reg, const domain_actor *pm, int64_t sprint,
                       form_request *r, const char *instance)
{
    registry_submit sub = {0, NULL, NULL};
    errmsg err = {0};
    int64_t rid = 0;

    for (size_t i = 0; i < r->ninstances; i++)
        free(r->instances[i]);
    r->instances[0] = xstrdup(instance);
    r->ninstances = 1;
    free(r->instance);
    r->instance = xstrdup(instance);
    free(r->organisation);
    r->organisation = xstrdup("corpus");
    if (registry_request_insert(reg, &rid, NULL, r, &sub, &err) < 0)
        die_err(r->title, &err);
    move(reg, pm, rid, REQ_TRIAGED, 0, NULL);
    move(reg, pm, rid, REQ_SCHEDULED, sprint, NULL);
    move(reg, pm, rid, REQ_IN_PROGRESS, 0, NULL);
    move(reg, pm, rid, REQ_DEPLOYED, 0, instance);
}

static int deploy(const char *path, form_request *base, form_request *rs,
                  const unsigned *engines, size_t n)
{
    static const char *dialect_name[NENGINES] = {"postgres", "mysql", "sqlite"};
    registry *reg = NULL;
    registry_sprint_rules rules;
    registry_sprint cur;
    registry_user pm_user;
    registry_org org;
    domain_actor pm;
    errmsg err = {0};
    int64_t pm_id = 0, now = time_now();
    char password[33];

    if (registry_open(&reg, path, 0, &err) < 0)
        die_err(path, &err);
    if (registry_org_get(reg, &org, "corpus", &err) < 0 &&
        registry_org_add(reg, NULL, "corpus", &err) < 0)
        die_err("organisation corpus", &err);
    registry_random_hex(password, 10);
    if (registry_user_add(reg, &pm_id, "pm@docket.example", "Corpus PM", "pm",
                          NULL, password, &err) < 0 ||
        registry_user_get(reg, &pm_user, pm_id, &err) < 0)
        die_err("the project manager", &err);
    pm = domain_actor_of(&pm_user);
    registry_sprint_rules_from_config(&rules, NULL);
    if (registry_sprints_ensure(reg, &rules, now, 2, &err) < 0 ||
        registry_sprint_next(reg, &cur, now, &err) < 0)
        die_err("sprints", &err);
    for (int e = 0; e < NENGINES; e++) {
        char inst[64];
        snprintf(inst, sizeof inst, "corpus-%s", engine_dir[e]);
        if (registry_instance_add(reg, NULL, "corpus", inst, "production",
                                  dialect_name[e], &err) < 0)
            die_err(inst, &err);
        size_t k = 1;
        deploy_one(reg, &pm, cur.id, base, inst);
        for (size_t i = 0; i < n; i++)
            if (engines[i] & (1u << e)) {
                deploy_one(reg, &pm, cur.id, &rs[i], inst);
                k++;
            }
        printf("%s: %zu requests deployed\n", inst, k);
    }
    registry_close(reg);
    return 0;
}

int main(int argc, char **argv)
{
    form_request base, rs[16];
    unsigned engines[16];
    size_t n;

    if (argc == 2 && !strcmp(argv[1], "--sqlite-comments"))
        return sqlite_comments();
    if (argc != 2 && !(argc == 3 && !strcmp(argv[1], "--deploy"))) {
        fprintf(stderr, "usage: migrate_corpus OUTDIR\n"
                        "       migrate_corpus --sqlite-comments\n"
                        "       migrate_corpus --deploy DB\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof long_text - 1; i += 2)
        memcpy(long_text + i, i % 7 ? "\xc3\xa9" : "a'", 2);
    for (size_t i = 0; i < 16; i++)
        engines[i] = (1u << NENGINES) - 1;
    base_request(&base);
    n = corpus(rs, engines);
    if (argc == 3) {
        int rc = deploy(argv[2], &base, rs, engines, n);
        form_request_dispose(&base);
        for (size_t i = 0; i < n; i++)
            form_request_dispose(&rs[i]);
        return rc;
    }
    mkdir_or_die(argv[1]);
    for (int e = 0; e < NENGINES; e++) {
        char dir[900], path[1024], *downs[16];
        model m = {0};

        snprintf(dir, sizeof dir, "%s/%s", argv[1], engine_dir[e]);
        mkdir_or_die(dir);
        snprintf(path, sizeof path, "%s/files", dir);
        mkdir_or_die(path);
        snprintf(path, sizeof path, "%s/refused", dir);
        mkdir_or_die(path);
        snprintf(path, sizeof path, "%s/base.sql", dir);
        write_text(path, "", "w");
        free(emit(dir, &base, e, path));
        model_apply(&m, &base, e);
        snprintf(path, sizeof path, "%s/expected_base.txt", dir);
        write_model(path, &m, e);

        snprintf(path, sizeof path, "%s/up.sql", dir);
        write_text(path, "", "w");
        for (size_t i = 0; i < n; i++) {
            downs[i] = NULL;
            if (!(engines[i] & (1u << e))) {
                /* the engine refuses a name of it: its own file */
                char refused[1024];
                if (!names_refused(&rs[i], e)) {
                    fprintf(stderr,
                            "CR-%lld: left out of %s, but no name "
                            "of it is refused there\n",
                            (long long)rs[i].id, engine_dir[e]);
                    return 2;
                }
                snprintf(refused, sizeof refused, "%s/refused/%lld.sql", dir,
                         (long long)rs[i].id);
                write_text(refused, "", "w");
                free(emit(dir, &rs[i], e, refused));
                continue;
            }
            names_accepted(&rs[i], e);
            downs[i] = emit(dir, &rs[i], e, path);
            model_apply(&m, &rs[i], e);
        }
        snprintf(path, sizeof path, "%s/expected_up.txt", dir);
        write_model(path, &m, e);
        snprintf(path, sizeof path, "%s/down.sql", dir);
        write_text(path, "", "w");
        for (size_t i = n; i-- > 0;) {
            if (!downs[i])
                continue;
            write_text(path, downs[i], "a");
            free(downs[i]);
        }
    }
    form_request_dispose(&base);
    for (size_t i = 0; i < n; i++)
        form_request_dispose(&rs[i]);
    return 0;
}
