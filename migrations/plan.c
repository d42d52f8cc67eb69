/* plan.c: turns a change request into a plan: one unit per item (one per
 * attribute for attribute items) with its up and down statements, written
 * in the target dialect. Quoting and types come from dialect.c; the
 * request-wide lint rules are in lint.c; format.c writes the plan into the
 * files of a migration tool. */
#include "migrate.h"
#include "migrate_int.h"
#include "mem.h"
#include "str.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MYSQL_COLUMN_COMMENT_MAX 1024
#define MYSQL_TABLE_COMMENT_MAX  2048
#define SQLITE_REBUILD_URL                                                     \
    "https://www.sqlite.org/lang_altertable.html#otheralter"

/* Generation state. */
typedef struct gen {
    mig_plan *p;
    const form_request *r;
    sql_dialect d;
    int err; /* sticky ERR_TOOBIG from any buffer */
} gen;

static int is_set(const char *s)
{
    return s && *s;
}

void mig_warn(mig_plan *p, migrate_lint rule, int item, int column,
              const char *fmt, ...)
{
    migrate_warning w = {0};
    va_list ap;

    w.rule = rule;
    w.item = item;
    w.column = column;
    va_start(ap, fmt);
    vsnprintf(w.message, sizeof w.message, fmt, ap);
    va_end(ap);
    /* The same fact can come up twice (a comment restated in up and
     * down): say it once. */
    for (size_t i = 0; i < p->nwarnings; i++) {
        const migrate_warning *o = &p->warnings[i];
        if (o->rule == rule && o->item == item && o->column == column &&
            !strcmp(o->message, w.message))
            return;
    }
    xgrow(&p->warnings, &p->wcap, p->nwarnings + 1, sizeof *p->warnings);
    p->warnings[p->nwarnings++] = w;
}

void mig_comment_lines(buf *b, const char *prefix, const char *text)
{
    const char *line = text ? text : "";
    /* A blank prefix would let a later line of text start right after
     * "-- ", where tools look for their own directives (Liquibase's
     * "--rollback", dbmate's "-- migrate:down"): mark those lines. */
    int blank = strspn(prefix, " ") == strlen(prefix);
    int first = 1;

    for (;;) {
        size_t n = strcspn(line, "\r\n");
        char *one = xstrndup(line, n);
        size_t start = b->len;

        buf_puts(b, "-- ");
        buf_puts(b, prefix);
        if (!first && blank)
            buf_puts(b, "| ");
        migrate_quote_comment(b, one);
        free(one);
        /* No trailing blanks (an empty line after a prefix such as "| "). */
        while (b->len > start && b->data[b->len - 1] == ' ')
            buf_truncate(b, b->len - 1);
        buf_putc(b, '\n');
        line += n;
        if (!*line)
            break;
        line += (line[0] == '\r' && line[1] == '\n') ? 2 : 1;
        first = 0;
    }
}

void mig_comment_sql(buf *b, const char *sql)
{
    buf_append_lines(b, sql, "-- ");
}

/* Moves b into l as one statement (exec) or comment block. */
static void push(gen *g, mig_list *l, buf *b, int exec)
{
    if (buf_error(b) && !g->err)
        g->err = buf_error(b);
    while (b->len && b->data[b->len - 1] == '\n')
        buf_truncate(b, b->len - 1);
    xgrow(&l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n].text = buf_detach(b);
    l->v[l->n].exec = exec;
    l->n++;
}

static void push_comment(gen *g, mig_list *l, const char *prefix,
                         const char *text)
{
    buf b = {0};

    mig_comment_lines(&b, prefix, text);
    push(g, l, &b, 0);
}

static mig_unit *unit_new(gen *g, int item, int column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static mig_unit *unit_new(gen *g, int item, int column, const char *fmt, ...)
{
    mig_plan *p = g->p;
    mig_unit *u;
    char title[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(title, sizeof title, fmt, ap);
    va_end(ap);
    xgrow(&p->units, &p->cap, p->nunits + 1, sizeof *p->units);
    u = &p->units[p->nunits++];
    memset(u, 0, sizeof *u);
    u->item = item;
    u->column = column;
    u->title = xstrdup(title);
    return u;
}

int mig_unit_runs(const mig_unit *u)
{
    for (size_t i = 0; i < u->up.n; i++)
        if (u->up.v[i].exec)
            return 1;
    return 0;
}

int mig_unit_reverts(const mig_unit *u)
{
    for (size_t i = 0; i < u->down.n; i++)
        if (u->down.v[i].exec)
            return 1;
    return 0;
}

static void list_dispose(mig_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].text);
    free(l->v);
    memset(l, 0, sizeof *l);
}

void mig_plan_dispose(mig_plan *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nunits; i++) {
        free(p->units[i].title);
        list_dispose(&p->units[i].up);
        list_dispose(&p->units[i].down);
    }
    free(p->units);
    free(p->warnings);
    memset(p, 0, sizeof *p);
}

/* ---- pieces ---------------------------------------------------------- */

static void qi(buf *b, const gen *g, const char *name)
{
    int rc = migrate_quote_ident(b, g->d, name);

    assert(rc == 0); /* every name was checked by check_request() */
    (void)rc;
}

static void type_of(char out[64], const gen *g, const form_type *t)
{
    migrate_type_name(out, 64, g->d, t);
}

/* A copy of s cut to max characters (UTF-8), for MySQL's comment limits;
 * warns when it cuts. Caller frees. */
static char *mysql_comment(gen *g, const char *s, size_t max, int item,
                           int column, const char *what)
{
    size_t chars = 0;
    const char *p = s;

    for (; *p; p++) {
        if (((unsigned char)*p & 0xC0) == 0x80)
            continue;
        if (chars == max)
            break;
        chars++;
    }
    if (*p)
        mig_warn(g->p, MIGRATE_LINT_COMMENT_TRUNCATED, item, column,
                 "the description of %s is cut to MySQL's limit of %zu "
                 "characters",
                 what, max);
    return xstrndup(s, (size_t)(p - s));
}

/* " COMMENT '...'" of a MySQL column, cut to the limit. */
static void mysql_column_comment(buf *b, gen *g, int item, int column,
                                 const form_column *c)
{
    char what[128];
    char *text;

    if (!is_set(c->description))
        return;
    snprintf(what, sizeof what, "column \"%s\"", c->name);
    text = mysql_comment(g, c->description, MYSQL_COLUMN_COMMENT_MAX, item,
                         column, what);
    buf_puts(b, " COMMENT ");
    migrate_quote_string(b, g->d, text);
    free(text);
}

/* name TYPE [NOT NULL | NULL] [COMMENT '...'] */
static void column_def(buf *b, gen *g, int item, int column,
                       const form_column *c, const form_type *t, int not_null)
{
    char type[64];

    type_of(type, g, t);
    qi(b, g, c->name);
    buf_putc(b, ' ');
    buf_puts(b, type);
    if (not_null)
        buf_puts(b, " NOT NULL");
    else if (g->d == SQL_MYSQL)
        buf_puts(b, " NULL");
    if (g->d == SQL_MYSQL)
        mysql_column_comment(b, g, item, column, c);
}

/* COMMENT ON COLUMN t.c IS '...'; (PostgreSQL, Snowflake) */
static void comment_on_column(gen *g, mig_list *l, const char *table,
                              const form_column *c)
{
    buf b = {0};

    buf_puts(&b, "COMMENT ON COLUMN ");
    qi(&b, g, table);
    buf_putc(&b, '.');
    qi(&b, g, c->name);
    buf_puts(&b, " IS ");
    migrate_quote_string(&b, g->d, c->description);
    buf_putc(&b, ';');
    push(g, l, &b, 1);
}

static int comments_on(const gen *g)
{
    return g->d == SQL_POSTGRES || g->d == SQL_SNOWFLAKE;
}

/* "ALTER TABLE t" */
static void alter_table(buf *b, const gen *g, const char *table)
{
    buf_puts(b, "ALTER TABLE ");
    qi(b, g, table);
}

/* The commented statement that makes column c NOT NULL later. */
static void set_not_null_stub(gen *g, mig_list *l, const char *table, int item,
                              int column, const form_column *c)
{
    buf sql = {0}, b = {0};
    char what[300];

    snprintf(what, sizeof what,
             "TODO(not-null): the request wants \"%s\" NOT NULL; backfill "
             "it, then:",
             c->name);
    mig_comment_lines(&b, "", what);
    switch (g->d) {
    case SQL_POSTGRES:
    case SQL_SNOWFLAKE:
        alter_table(&sql, g, table);
        buf_puts(&sql, " ALTER COLUMN ");
        qi(&sql, g, c->name);
        buf_puts(&sql, " SET NOT NULL;");
        break;
    case SQL_MYSQL:
        alter_table(&sql, g, table);
        buf_puts(&sql, " MODIFY COLUMN ");
        column_def(&sql, g, item, column, c, &c->type, 1);
        buf_putc(&sql, ';');
        break;
    default:
        buf_puts(&sql, "SQLite cannot make an existing column NOT NULL: "
                       "rebuild the table, see " SQLITE_REBUILD_URL);
        break;
    }
    mig_comment_sql(&b, buf_cstr(&sql));
    buf_dispose(&sql);
    push(g, l, &b, 0);
}

/* The commented backfill of an attribute's definition. */
static void backfill_stub(gen *g, mig_list *l, const char *table,
                          const form_column *c, int changed)
{
    buf b = {0}, sql = {0};
    char head[300];

    if (!is_set(c->rule) && !is_set(c->example))
        return;
    snprintf(head, sizeof head,
             changed ? "TODO(backfill): the definition of \"%s\".\"%s\" "
                       "changed; recompute existing rows. Definition:"
                     : "TODO(backfill): fill \"%s\".\"%s\" from its "
                       "definition. Definition:",
             table, c->name);
    mig_comment_lines(&b, "", head);
    mig_comment_lines(&b, "| ", is_set(c->rule) ? c->rule : "(not given)");
    if (is_set(c->example))
        mig_comment_lines(&b, "Example value: ", c->example);
    buf_puts(&sql, "UPDATE ");
    qi(&sql, g, table);
    buf_puts(&sql, " SET ");
    qi(&sql, g, c->name);
    buf_puts(&sql, " = <expression> WHERE <condition>;");
    mig_comment_sql(&b, buf_cstr(&sql));
    buf_dispose(&sql);
    push(g, l, &b, 0);
}

/* ---- new table ------------------------------------------------------- */

static int find_column(const form_item *it, const char *name)
{
    for (size_t j = 0; j < it->ncolumns; j++)
        if (!strcmp(it->columns[j].name, name))
            return (int)j;
    for (size_t j = 0; j < it->ncolumns; j++)
        if (!str_casecmp(it->columns[j].name, name))
            return (int)j;
    return -1;
}

/* Marks the key columns in pk[] (one flag per column): the columns flagged
 * primary_key, or else those named in item->primary_key. */
static void primary_key(gen *g, int i, char *pk)
{
    const form_item *it = &g->r->items[i];
    int any = 0;
    const char *s;

    for (size_t j = 0; j < it->ncolumns; j++)
        if (it->columns[j].primary_key)
            pk[j] = 1, any = 1;
    if (any || !is_set(it->primary_key))
        return;
    s = it->primary_key;
    while (*s) {
        size_t n;
        char *name;
        int j;

        s += strspn(s, ", \t\r\n");
        n = strcspn(s, ", \t\r\n");
        if (!n)
            break;
        name = xstrndup(s, n);
        s += n;
        j = find_column(it, name);
        if (j < 0)
            mig_warn(g->p, MIGRATE_LINT_PRIMARY_KEY, i, -1,
                     "primary key column \"%.60s\" is not one of the "
                     "columns of \"%.63s\": left out of the key",
                     name, it->table);
        else
            pk[j] = 1;
        free(name);
    }
}

/* MySQL's InnoDB keys hold at most 3072 bytes: 768 utf8mb4 characters. */
static void mysql_key_check(gen *g, int i, int j, const form_column *c)
{
    form_type_kind k = c->type.kind;

    if (g->d != SQL_MYSQL)
        return;
    if (k == FORM_TYPE_TEXT || k == FORM_TYPE_JSON ||
        (k == FORM_TYPE_STRING && c->type.length > 768))
        mig_warn(g->p, MIGRATE_LINT_PRIMARY_KEY, i, j,
                 "MySQL cannot use \"%s\" in a primary key: keys hold at "
                 "most 768 utf8mb4 characters and no TEXT or JSON; choose "
                 "a shorter string type",
                 c->name);
}

static void unit_new_table(gen *g, int i)
{
    const form_item *it = &g->r->items[i];
    mig_unit *u =
        unit_new(g, i, -1, "Item %d: new table \"%s\"", i + 1, it->table);
    char *pk = xcalloc(it->ncolumns ? it->ncolumns : 1, 1);
    int npk = 0;
    buf b = {0};

    primary_key(g, i, pk);
    for (size_t j = 0; j < it->ncolumns; j++)
        npk += pk[j];

    buf_puts(&b, "CREATE TABLE ");
    qi(&b, g, it->table);
    buf_puts(&b, " (\n");
    if (g->d == SQL_SQLITE && is_set(it->description)) {
        /* SQLite keeps comments inside CREATE TABLE in sqlite_schema. */
        buf_puts(&b, "    -- ");
        migrate_quote_comment(&b, it->description);
        buf_putc(&b, '\n');
    }
    for (size_t j = 0; j < it->ncolumns; j++) {
        const form_column *c = &it->columns[j];
        buf_puts(&b, "    ");
        column_def(&b, g, i, (int)j, c, &c->type, !c->nullable || pk[j]);
        if (j + 1 < it->ncolumns || npk)
            buf_putc(&b, ',');
        if (g->d == SQL_SQLITE && is_set(c->description)) {
            buf_puts(&b, " -- ");
            migrate_quote_comment(&b, c->description);
        }
        buf_putc(&b, '\n');
        if (pk[j])
            mysql_key_check(g, i, (int)j, c);
    }
    if (npk) {
        int first = 1;
        buf_puts(&b, "    PRIMARY KEY (");
        for (size_t j = 0; j < it->ncolumns; j++) {
            if (!pk[j])
                continue;
            if (!first)
                buf_puts(&b, ", ");
            qi(&b, g, it->columns[j].name);
            first = 0;
        }
        buf_puts(&b, ")\n");
    }
    buf_putc(&b, ')');
    if (g->d == SQL_MYSQL) {
        buf_puts(&b, " DEFAULT CHARSET=utf8mb4");
        if (is_set(it->description)) {
            char what[100];
            char *text;
            snprintf(what, sizeof what, "table \"%s\"", it->table);
            text = mysql_comment(g, it->description, MYSQL_TABLE_COMMENT_MAX, i,
                                 -1, what);
            buf_puts(&b, " COMMENT=");
            migrate_quote_string(&b, g->d, text);
            free(text);
        }
    }
    buf_putc(&b, ';');
    push(g, &u->up, &b, 1);

    if (comments_on(g)) {
        if (is_set(it->description)) {
            buf_puts(&b, "COMMENT ON TABLE ");
            qi(&b, g, it->table);
            buf_puts(&b, " IS ");
            migrate_quote_string(&b, g->d, it->description);
            buf_putc(&b, ';');
            push(g, &u->up, &b, 1);
        }
        for (size_t j = 0; j < it->ncolumns; j++)
            if (is_set(it->columns[j].description))
                comment_on_column(g, &u->up, it->table, &it->columns[j]);
    }

    buf_puts(&b, "DROP TABLE ");
    qi(&b, g, it->table);
    buf_putc(&b, ';');
    push(g, &u->down, &b, 1);
    free(pk);
}

/* ---- add columns ----------------------------------------------------- */

/* Adds columns cols[0..n) of item i to its (existing) table: one ALTER
 * TABLE where the dialect allows several columns, else one per column. */
static void add_columns(gen *g, mig_unit *u, int i, const int *cols, size_t n)
{
    const form_item *it = &g->r->items[i];
    buf b = {0};

    for (size_t k = 0; k < n; k++) {
        const form_column *c = &it->columns[cols[k]];
        if (!c->nullable)
            mig_warn(g->p, MIGRATE_LINT_NOT_NULL_NO_DEFAULT, i, cols[k],
                     "\"%s\" is NOT NULL without a default and \"%s\" "
                     "already exists: it is added as nullable; backfill "
                     "it, then run the commented SET NOT NULL",
                     c->name, it->table);
        if (c->primary_key)
            mig_warn(g->p, MIGRATE_LINT_PRIMARY_KEY, i, cols[k],
                     "adding \"%s\" to the primary key of the existing "
                     "table \"%s\" is left to the engineer",
                     c->name, it->table);
    }

    switch (g->d) {
    case SQL_POSTGRES:
    case SQL_MYSQL:
    case SQL_SNOWFLAKE: {
        /* Snowflake says ADD COLUMN once for the list, the others once a
           column. */
        int once = g->d == SQL_SNOWFLAKE;
        alter_table(&b, g, it->table);
        if (once)
            buf_puts(&b, " ADD COLUMN");
        for (size_t k = 0; k < n; k++) {
            const form_column *c = &it->columns[cols[k]];
            buf_puts(&b, once ? "\n    " : "\n    ADD COLUMN ");
            column_def(&b, g, i, cols[k], c, &c->type, 0);
            buf_putc(&b, k + 1 < n ? ',' : ';');
        }
        push(g, &u->up, &b, 1);
        break;
    }
    default:
        for (size_t k = 0; k < n; k++) {
            const form_column *c = &it->columns[cols[k]];
            if (is_set(c->description)) {
                buf desc = {0};
                buf_putc(&desc, '"');
                buf_puts(&desc, c->name);
                buf_puts(&desc, "\": ");
                buf_puts(&desc, c->description);
                push_comment(g, &u->up, "", buf_cstr(&desc));
                buf_dispose(&desc);
            }
            alter_table(&b, g, it->table);
            buf_puts(&b, " ADD COLUMN ");
            column_def(&b, g, i, cols[k], c, &c->type, 0);
            buf_putc(&b, ';');
            push(g, &u->up, &b, 1);
        }
        break;
    }
    if (comments_on(g))
        for (size_t k = 0; k < n; k++)
            if (is_set(it->columns[cols[k]].description))
                comment_on_column(g, &u->up, it->table, &it->columns[cols[k]]);
    for (size_t k = 0; k < n; k++)
        if (!it->columns[cols[k]].nullable)
            set_not_null_stub(g, &u->up, it->table, i, cols[k],
                              &it->columns[cols[k]]);

    /* Down: drop them, last first. */
    switch (g->d) {
    case SQL_POSTGRES:
    case SQL_MYSQL:
        alter_table(&b, g, it->table);
        for (size_t k = n; k-- > 0;) {
            buf_puts(&b, "\n    DROP COLUMN ");
            qi(&b, g, it->columns[cols[k]].name);
            buf_putc(&b, k ? ',' : ';');
        }
        push(g, &u->down, &b, 1);
        break;
    case SQL_SNOWFLAKE:
        alter_table(&b, g, it->table);
        buf_puts(&b, " DROP COLUMN ");
        for (size_t k = n; k-- > 0;) {
            qi(&b, g, it->columns[cols[k]].name);
            buf_puts(&b, k ? ", " : ";");
        }
        push(g, &u->down, &b, 1);
        break;
    default:
        for (size_t k = n; k-- > 0;) {
            alter_table(&b, g, it->table);
            buf_puts(&b, " DROP COLUMN ");
            qi(&b, g, it->columns[cols[k]].name);
            buf_putc(&b, ';');
            push(g, &u->down, &b, 1);
        }
        break;
    }
}

static void unit_add_columns(gen *g, int i)
{
    const form_item *it = &g->r->items[i];
    mig_unit *u =
        unit_new(g, i, -1, "Item %d: add columns to \"%s\"", i + 1, it->table);
    int *cols = xcalloc(it->ncolumns ? it->ncolumns : 1, sizeof *cols);

    for (size_t j = 0; j < it->ncolumns; j++)
        cols[j] = (int)j;
    if (it->ncolumns)
        add_columns(g, u, i, cols, it->ncolumns);
    else {
        push_comment(g, &u->up, "",
                     "Nothing to add: the item lists no "
                     "columns.");
        push_comment(g, &u->down, "", "Nothing to undo.");
    }
    free(cols);
}

/* ---- type changes ---------------------------------------------------- */

/* Snowflake's storage class of a type: VARCHAR(len) or NUMBER(p,s). */
static int sf_class(const form_type *t, int *a, int *b)
{
    switch (t->kind) {
    case FORM_TYPE_STRING: *a = t->length, *b = 0; return 1;
    case FORM_TYPE_TEXT: *a = 16777216, *b = 0; return 1;
    case FORM_TYPE_INTEGER:
    case FORM_TYPE_BIGINT: *a = 38, *b = 0; return 2;
    case FORM_TYPE_DECIMAL: *a = t->precision, *b = t->scale; return 2;
    default: *a = *b = 0; return 0;
    }
}

/* 1 when the two types are the same column type in dialect d. */
static int same_type(const gen *g, const form_type *x, const form_type *y)
{
    char a[64], b[64];
    int xa, xb, ya, yb, cx, cy;

    if (g->d == SQL_SNOWFLAKE) {
        cx = sf_class(x, &xa, &xb);
        cy = sf_class(y, &ya, &yb);
        if (cx && cx == cy)
            return xa == ya && xb == yb;
    }
    type_of(a, g, x);
    type_of(b, g, y);
    return !strcmp(a, b);
}

/* Snowflake's ALTER COLUMN ... SET DATA TYPE only widens VARCHAR or raises
 * NUMBER precision at the same scale. */
static int sf_in_place(const form_type *from, const form_type *to)
{
    int fa, fb, ta, tb;
    int cf = sf_class(from, &fa, &fb), ct = sf_class(to, &ta, &tb);

    if (!cf || cf != ct)
        return 0;
    if (cf == 1)
        return ta >= fa;
    return tb == fb && ta >= fa;
}

/* A column name with a suffix, quoted. */
/* "ALTER TABLE t ALTER COLUMN c<how><type>"; the statement goes on. */
static void alter_column_type(buf *b, const gen *g, const char *table,
                              const char *column, const char *how,
                              const char *type)
{
    alter_table(b, g, table);
    buf_puts(b, " ALTER COLUMN ");
    qi(b, g, column);
    buf_puts(b, how);
    buf_puts(b, type);
}

static void qi_suffix(buf *b, const gen *g, const char *name,
                      const char *suffix)
{
    buf n = {0};

    buf_puts(&n, name);
    buf_puts(&n, suffix);
    qi(b, g, buf_cstr(&n));
    buf_dispose(&n);
}

/* Writes the manual procedure for a change the dialect cannot do in place
 * (SQLite always, Snowflake outside widening) as a commented stub. */
static void manual_change_stub(gen *g, mig_list *l, const char *table,
                               const form_column *c, const form_type *to)
{
    buf b = {0}, sql = {0};
    char type[64], head[400];

    type_of(type, g, to);
    if (g->d == SQL_SQLITE) {
        snprintf(head, sizeof head,
                 "TODO(rebuild): SQLite cannot change the type of \"%s\" in "
                 "place (to %s). Rebuild \"%s\" as in " SQLITE_REBUILD_URL ":",
                 c->name, type, table);
        mig_comment_lines(&b, "", head);
        buf_puts(&sql, "PRAGMA foreign_keys = OFF;\nBEGIN;\nCREATE TABLE ");
        qi_suffix(&sql, g, table, "__docket_new");
        buf_puts(&sql, " (<the columns of ");
        qi(&sql, g, table);
        buf_puts(&sql, ", with ");
        qi(&sql, g, c->name);
        buf_puts(&sql, " as ");
        buf_puts(&sql, type);
        buf_puts(&sql, ">);\nINSERT INTO ");
        qi_suffix(&sql, g, table, "__docket_new");
        buf_puts(&sql, " SELECT * FROM ");
        qi(&sql, g, table);
        buf_puts(&sql, ";\nDROP TABLE ");
        qi(&sql, g, table);
        buf_puts(&sql, ";\nALTER TABLE ");
        qi_suffix(&sql, g, table, "__docket_new");
        buf_puts(&sql, " RENAME TO ");
        qi(&sql, g, table);
        buf_puts(&sql, ";\n(re-create the indexes, triggers and views of the "
                       "table)\nPRAGMA foreign_key_check;\nCOMMIT;\n"
                       "PRAGMA foreign_keys = ON;");
    } else {
        snprintf(head, sizeof head,
                 "TODO(manual-change): Snowflake changes a type in place "
                 "only to widen VARCHAR or NUMBER precision; \"%s\" becomes "
                 "%s. One way (check the cast on a copy first):",
                 c->name, type);
        mig_comment_lines(&b, "", head);
        alter_table(&sql, g, table);
        buf_puts(&sql, " ADD COLUMN ");
        qi_suffix(&sql, g, c->name, "__docket_new");
        buf_putc(&sql, ' ');
        buf_puts(&sql, type);
        buf_puts(&sql, ";\nUPDATE ");
        qi(&sql, g, table);
        buf_puts(&sql, " SET ");
        qi_suffix(&sql, g, c->name, "__docket_new");
        buf_puts(&sql, " = CAST(");
        qi(&sql, g, c->name);
        buf_puts(&sql, " AS ");
        buf_puts(&sql, type);
        buf_puts(&sql, ");\n");
        alter_table(&sql, g, table);
        buf_puts(&sql, " DROP COLUMN ");
        qi(&sql, g, c->name);
        buf_puts(&sql, ";\n");
        alter_table(&sql, g, table);
        buf_puts(&sql, " RENAME COLUMN ");
        qi_suffix(&sql, g, c->name, "__docket_new");
        buf_puts(&sql, " TO ");
        qi(&sql, g, c->name);
        buf_putc(&sql, ';');
    }
    mig_comment_sql(&b, buf_cstr(&sql));
    buf_dispose(&sql);
    push(g, l, &b, 0);
}

/* MySQL: ALTER TABLE t MODIFY COLUMN c TYPE [NOT] NULL [COMMENT '...']; */
static void mysql_modify(gen *g, mig_list *l, int i, int j, const char *table,
                         const form_column *c, const form_type *t)
{
    buf b = {0};

    alter_table(&b, g, table);
    buf_puts(&b, " MODIFY COLUMN ");
    column_def(&b, g, i, j, c, t, !c->nullable);
    buf_putc(&b, ';');
    push(g, l, &b, 1);
    mig_warn(g->p, MIGRATE_LINT_MODIFY_RESTATES, i, j,
             "MySQL's MODIFY COLUMN restates the whole column \"%s\": "
             "compare NULL/NOT NULL, DEFAULT and COMMENT with the current "
             "definition before running it",
             c->name);
}

/* Changes the type of column c from `from` to `to` (both known, or from
 * unknown in the up direction) and appends the statements to l. Returns 1
 * when they run, 0 when only a stub or note was written. */
static int change_type(gen *g, mig_list *l, int i, int j, const char *table,
                       const form_column *c, const form_type *from,
                       const form_type *to)
{
    char type[64];
    buf b = {0};

    if (from->kind != FORM_TYPE_NONE && same_type(g, from, to)) {
        char note[200];
        type_of(type, g, to);
        snprintf(note, sizeof note,
                 "\"%s\" already has type %s in %s: no type change.", c->name,
                 type, sql_dialect_title(g->d));
        push_comment(g, l, "", note);
        return 0;
    }
    type_of(type, g, to);
    switch (g->d) {
    case SQL_POSTGRES:
        alter_column_type(&b, g, table, c->name, " TYPE ", type);
        buf_puts(&b, " USING ");
        qi(&b, g, c->name);
        buf_puts(&b, "::");
        buf_puts(&b, type);
        buf_putc(&b, ';');
        push(g, l, &b, 1);
        return 1;
    case SQL_MYSQL: mysql_modify(g, l, i, j, table, c, to); return 1;
    case SQL_SNOWFLAKE:
        if (from->kind != FORM_TYPE_NONE && !sf_in_place(from, to)) {
            mig_warn(g->p, MIGRATE_LINT_MANUAL_CHANGE, i, j,
                     "Snowflake cannot change \"%s\" to %s in place: the "
                     "file has a commented manual procedure",
                     c->name, type);
            manual_change_stub(g, l, table, c, to);
            return 0;
        }
        alter_column_type(&b, g, table, c->name, " SET DATA TYPE ", type);
        buf_putc(&b, ';');
        push(g, l, &b, 1);
        return 1;
    default:
        mig_warn(g->p, MIGRATE_LINT_MANUAL_CHANGE, i, j,
                 "SQLite cannot change the type of \"%s\" in place: the "
                 "file has a commented table-rebuild stub",
                 c->name);
        manual_change_stub(g, l, table, c, to);
        return 0;
    }
}

/* ---- attribute items ------------------------------------------------- */

static void attribute_add(gen *g, mig_unit *u, int i, int j)
{
    const form_item *it = &g->r->items[i];
    const form_column *c = &it->columns[j];

    if (c->type.kind == FORM_TYPE_NONE) {
        buf sql = {0}, b = {0};
        char head[200];
        mig_warn(g->p, MIGRATE_LINT_NO_TYPE, i, j,
                 "attribute \"%s\" has no type: its column is a commented "
                 "stub",
                 c->name);
        snprintf(head, sizeof head,
                 "TODO(type): no type was given for \"%s\"; choose one, "
                 "then:",
                 c->name);
        mig_comment_lines(&b, "", head);
        alter_table(&sql, g, it->table);
        buf_puts(&sql, " ADD COLUMN ");
        qi(&sql, g, c->name);
        buf_puts(&sql, " <type>;");
        mig_comment_sql(&b, buf_cstr(&sql));
        buf_dispose(&sql);
        push(g, &u->up, &b, 0);
        backfill_stub(g, &u->up, it->table, c, 0);
        push_comment(g, &u->down, "",
                     "Nothing to undo: the up migration only has a stub "
                     "for this attribute.");
        return;
    }
    add_columns(g, u, i, &j, 1);
    backfill_stub(g, &u->up, it->table, c, 0);
}

static void attribute_change(gen *g, mig_unit *u, int i, int j)
{
    const form_item *it = &g->r->items[i];
    const form_column *c = &it->columns[j];
    const form_type none = {0};
    int has_type = c->type.kind != FORM_TYPE_NONE;
    int old_known = c->old_type.kind != FORM_TYPE_NONE;
    int desc = is_set(c->description);
    int ran = 0;
    char why[160], to[64], from[64];
    buf b = {0};

    form_type_format(to, sizeof to, &c->type);
    form_type_format(from, sizeof from, &c->old_type);
    if (has_type && !old_known)
        mig_warn(g->p, MIGRATE_LINT_OLD_TYPE_UNKNOWN, i, j,
                 "the type of \"%s\" before this change is not known: docket "
                 "cannot tell whether changing it to %s loses data, and the "
                 "down migration cannot restore it",
                 c->name, to);
    else if (has_type &&
             mig_type_lossy(why, sizeof why, &c->old_type, &c->type))
        mig_warn(g->p, MIGRATE_LINT_LOSSY_CHANGE, i, j,
                 "changing \"%s\" from %s to %s may lose data: %s", c->name,
                 from, to, why);

    /* Up. */
    if (g->d == SQL_MYSQL && (has_type || desc)) {
        /* One MODIFY carries both the type and the comment. */
        if (has_type && old_known && same_type(g, &c->old_type, &c->type) &&
            !desc)
            ran = change_type(g, &u->up, i, j, it->table, c, &c->old_type,
                              &c->type);
        else if (has_type || old_known) {
            mysql_modify(g, &u->up, i, j, it->table, c,
                         has_type ? &c->type : &c->old_type);
            ran = 1;
        } else {
            buf sql = {0};
            mig_comment_lines(&b, "",
                              "TODO(comment): MySQL needs the column's "
                              "current type to change its comment:");
            alter_table(&sql, g, it->table);
            buf_puts(&sql, " MODIFY COLUMN ");
            qi(&sql, g, c->name);
            buf_puts(&sql, " <current type>");
            if (!c->nullable)
                buf_puts(&sql, " NOT NULL");
            mysql_column_comment(&sql, g, i, j, c);
            buf_putc(&sql, ';');
            mig_comment_sql(&b, buf_cstr(&sql));
            buf_dispose(&sql);
            push(g, &u->up, &b, 0);
        }
    } else {
        if (has_type)
            ran = change_type(g, &u->up, i, j, it->table, c,
                              old_known ? &c->old_type : &none, &c->type);
        if (desc && comments_on(g)) {
            comment_on_column(g, &u->up, it->table, c);
            ran = 1;
        } else if (desc) {
            buf d = {0};
            buf_puts(&d, "New description of \"");
            buf_puts(&d, c->name);
            buf_puts(&d, "\" (SQLite keeps descriptions only as comments): ");
            buf_puts(&d, c->description);
            push_comment(g, &u->up, "", buf_cstr(&d));
            buf_dispose(&d);
        }
    }
    backfill_stub(g, &u->up, it->table, c, 1);
    if (!u->up.n)
        push_comment(g, &u->up, "",
                     "Nothing to generate: the change states no type, "
                     "description or definition.");

    /* Down. */
    if (!ran) {
        push_comment(g, &u->down, "",
                     "Nothing to undo: the up migration runs nothing for "
                     "this attribute (stubs and notes only).");
        return;
    }
    if (has_type && !old_known) {
        char note[200];
        snprintf(note, sizeof note,
                 "Cannot undo the type change of \"%s\": its type before "
                 "the change is not known to docket. Restore it by hand.",
                 c->name);
        push_comment(g, &u->down, "", note);
    } else if (has_type && !same_type(g, &c->old_type, &c->type)) {
        if (g->d == SQL_MYSQL)
            mysql_modify(g, &u->down, i, j, it->table, c, &c->old_type);
        else
            change_type(g, &u->down, i, j, it->table, c, &c->type,
                        &c->old_type);
    }
    if (desc) {
        char note[200];
        snprintf(note, sizeof note,
                 "The previous description of \"%s\" is not known to "
                 "docket: it is not restored.",
                 c->name);
        push_comment(g, &u->down, "", note);
    }
    if (!u->down.n)
        push_comment(g, &u->down, "", "Nothing to undo.");
}

static void attribute_retire(gen *g, mig_unit *u, int i, int j)
{
    const form_item *it = &g->r->items[i];
    const form_column *c = &it->columns[j];
    buf b = {0}, sql = {0};
    char head[300];

    snprintf(head, sizeof head,
             "TODO(retire): \"%s\".\"%s\" is retired. Dropping data is a "
             "human decision: when nothing reads it any more, run:",
             it->table, c->name);
    mig_comment_lines(&b, "", head);
    alter_table(&sql, g, it->table);
    buf_puts(&sql, " DROP COLUMN ");
    qi(&sql, g, c->name);
    buf_putc(&sql, ';');
    mig_comment_sql(&b, buf_cstr(&sql));
    buf_dispose(&sql);
    push(g, &u->up, &b, 0);
    push_comment(g, &u->down, "",
                 "Nothing to undo: retiring runs nothing (a dropped column "
                 "comes back only from a backup).");
}

static void unit_attributes(gen *g, int i)
{
    const form_item *it = &g->r->items[i];

    if (!it->ncolumns) {
        mig_unit *u = unit_new(g, i, -1, "Item %d (%s of \"%s\")", i + 1,
                               mig_kind_words(it->kind), it->table);
        push_comment(g, &u->up, "",
                     "Nothing to do: the item lists no "
                     "attributes.");
        push_comment(g, &u->down, "", "Nothing to undo.");
        return;
    }
    for (size_t j = 0; j < it->ncolumns; j++) {
        const form_column *c = &it->columns[j];
        mig_unit *u = unit_new(g, i, (int)j,
                               "Item %d (%s of \"%s\"), attribute \"%s\": %s",
                               i + 1, mig_kind_words(it->kind), it->table,
                               c->name, form_action_name(c->action));
        switch (c->action) {
        case FORM_ACTION_CHANGE: attribute_change(g, u, i, (int)j); break;
        case FORM_ACTION_RETIRE: attribute_retire(g, u, i, (int)j); break;
        default: attribute_add(g, u, i, (int)j); break;
        }
    }
}

/* ---- the plan -------------------------------------------------------- */

static int type_ok(const form_type *t)
{
    switch (t->kind) {
    case FORM_TYPE_NONE: return 1;
    case FORM_TYPE_STRING: return t->length >= 1 && t->length <= 65535;
    case FORM_TYPE_DECIMAL:
        return t->precision >= 1 && t->precision <= 38 && t->scale >= 0 &&
               t->scale <= t->precision;
    default: return (unsigned)t->kind < FORM_TYPE_NKINDS;
    }
}

static int quotable(const char *name)
{
    buf b = {0};
    int rc = migrate_quote_ident(&b, SQL_POSTGRES, name);

    buf_dispose(&b);
    return rc == 0;
}

/* What statements cannot do without; see migrate_generate(). */
static int check_request(const form_request *r, errmsg *err)
{
    char field[128];

    for (size_t i = 0; i < r->nitems; i++) {
        const form_item *it = &r->items[i];
        int needs_type = it->kind == FORM_ITEM_NEW_TABLE ||
                         it->kind == FORM_ITEM_ADD_COLUMNS;
        if ((unsigned)it->kind >= FORM_ITEM_NKINDS) {
            snprintf(field, sizeof field, "items[%zu].kind", i);
            return err_set_field(err, ERR_INVALID, field,
                                 "item %zu has an unknown kind", i + 1);
        }
        if (!quotable(it->table)) {
            snprintf(field, sizeof field, "items[%zu].table", i);
            return err_set_field(err, ERR_INVALID, field,
                                 "item %zu needs a table name", i + 1);
        }
        if (it->kind == FORM_ITEM_NEW_TABLE && !it->ncolumns) {
            snprintf(field, sizeof field, "items[%zu].columns", i);
            return err_set_field(err, ERR_INVALID, field,
                                 "new table \"%.63s\" has no columns",
                                 it->table);
        }
        for (size_t j = 0; j < it->ncolumns; j++) {
            const form_column *c = &it->columns[j];
            if (!quotable(c->name)) {
                snprintf(field, sizeof field, "items[%zu].columns[%zu].name", i,
                         j);
                return err_set_field(err, ERR_INVALID, field,
                                     "column %zu of item %zu needs a name",
                                     j + 1, i + 1);
            }
            if (!type_ok(&c->type) || !type_ok(&c->old_type) ||
                (needs_type && c->type.kind == FORM_TYPE_NONE)) {
                snprintf(field, sizeof field, "items[%zu].columns[%zu].type", i,
                         j);
                return err_set_field(err, ERR_INVALID, field,
                                     "column \"%.63s\" needs a valid type",
                                     c->name);
            }
        }
    }
    return 0;
}

/* Stable order for the warnings: request-wide first, then by item and
 * column, each in the order found. */
static void sort_warnings(mig_plan *p)
{
    for (size_t i = 1; i < p->nwarnings; i++) {
        migrate_warning w = p->warnings[i];
        size_t k = i;
        while (k > 0 && (p->warnings[k - 1].item > w.item ||
                         (p->warnings[k - 1].item == w.item &&
                          p->warnings[k - 1].column > w.column))) {
            p->warnings[k] = p->warnings[k - 1];
            k--;
        }
        p->warnings[k] = w;
    }
}

int mig_plan_build(mig_plan *p, const form_request *r, sql_dialect d,
                   migrate_format f, errmsg *err)
{
    gen g = {0};
    int rc;

    memset(p, 0, sizeof *p);
    p->d = d;
    p->f = f;
    rc = check_request(r, err);
    if (rc < 0)
        return rc;
    g.p = p;
    g.r = r;
    g.d = d;
    mig_lint_request(p, r);
    for (size_t i = 0; i < r->nitems; i++) {
        switch (r->items[i].kind) {
        case FORM_ITEM_NEW_TABLE: unit_new_table(&g, (int)i); break;
        case FORM_ITEM_ADD_COLUMNS: unit_add_columns(&g, (int)i); break;
        default: unit_attributes(&g, (int)i); break;
        }
    }
    sort_warnings(p);
    if (g.err) {
        mig_plan_dispose(p);
        return err_set(err, g.err, "the migration text is too large");
    }
    return 0;
}
