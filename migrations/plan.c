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

int mig_is_set(const char *s)
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
void mig_push(mig_gen *g, mig_list *l, buf *b, int exec)
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

void mig_push_comment(mig_gen *g, mig_list *l, const char *prefix,
                      const char *text)
{
    buf b = {0};

    mig_comment_lines(&b, prefix, text);
    mig_push(g, l, &b, 0);
}

void mig_push_described(mig_gen *g, mig_list *l, const char *lead,
                        const char *name, const char *tail, const char *text)
{
    buf b = {0};

    buf_puts(&b, lead);
    buf_puts(&b, name);
    buf_puts(&b, tail);
    buf_puts(&b, text);
    mig_push_comment(g, l, "", buf_cstr(&b));
    buf_dispose(&b);
}

mig_unit *mig_unit_new(mig_gen *g, int item, int column, const char *fmt, ...)
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

void mig_qi(buf *b, const mig_gen *g, const char *name)
{
    int rc = migrate_quote_ident(b, g->d, name);

    assert(rc == 0); /* every name was checked by check_request() */
    (void)rc;
}

char *mig_qi_dup(const mig_gen *g, const char *name, const char *suffix)
{
    buf n = {0}, q = {0};

    buf_puts(&n, name);
    buf_puts(&n, suffix);
    mig_qi(&q, g, buf_cstr(&n));
    buf_dispose(&n);
    return buf_detach(&q);
}

void mig_type_of(char out[64], const mig_gen *g, const form_type *t)
{
    migrate_type_name(out, 64, g->d, t);
}

/* A copy of s cut to max characters (UTF-8), for MySQL's comment limits;
 * warns when it cuts. Caller frees. */
static char *mysql_comment(mig_gen *g, const char *s, size_t max, int item,
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
void mig_mysql_column_comment(buf *b, mig_gen *g, int item, int column,
                              const form_column *c)
{
    char what[128];
    char *text;

    if (!mig_is_set(c->description))
        return;
    snprintf(what, sizeof what, "column \"%s\"", c->name);
    text = mysql_comment(g, c->description, MYSQL_COLUMN_COMMENT_MAX, item,
                         column, what);
    buf_puts(b, " COMMENT ");
    migrate_quote_string(b, g->d, text);
    free(text);
}

/* name TYPE [NOT NULL | NULL] [COMMENT '...'] */
void mig_column_def(buf *b, mig_gen *g, int item, int column,
                    const form_column *c, const form_type *t, int not_null)
{
    char type[64];

    mig_type_of(type, g, t);
    mig_qi(b, g, c->name);
    buf_putc(b, ' ');
    buf_puts(b, type);
    if (not_null)
        buf_puts(b, " NOT NULL");
    else if (g->d == SQL_MYSQL)
        buf_puts(b, " NULL");
    if (g->d == SQL_MYSQL)
        mig_mysql_column_comment(b, g, item, column, c);
}

/* COMMENT ON COLUMN t.c IS '...'; (PostgreSQL, Snowflake) */
void mig_comment_on_column(mig_gen *g, mig_list *l, const char *table,
                           const form_column *c)
{
    buf b = {0};

    buf_puts(&b, "COMMENT ON COLUMN ");
    mig_qi(&b, g, table);
    buf_putc(&b, '.');
    mig_qi(&b, g, c->name);
    buf_puts(&b, " IS ");
    migrate_quote_string(&b, g->d, c->description);
    buf_putc(&b, ';');
    mig_push(g, l, &b, 1);
}

int mig_comments_on(const mig_gen *g)
{
    return g->d == SQL_POSTGRES || g->d == SQL_SNOWFLAKE;
}

/* "ALTER TABLE t" */
void mig_alter_table(buf *b, const mig_gen *g, const char *table)
{
    buf_puts(b, "ALTER TABLE ");
    mig_qi(b, g, table);
}

/* The commented statement that makes column c NOT NULL later. */
static void set_not_null_stub(mig_gen *g, mig_list *l, const char *table,
                              int item, int column, const form_column *c)
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
        mig_alter_table(&sql, g, table);
        buf_puts(&sql, " ALTER COLUMN ");
        mig_qi(&sql, g, c->name);
        buf_puts(&sql, " SET NOT NULL;");
        break;
    case SQL_MYSQL:
        mig_alter_table(&sql, g, table);
        buf_puts(&sql, " MODIFY COLUMN ");
        mig_column_def(&sql, g, item, column, c, &c->type, 1);
        buf_putc(&sql, ';');
        break;
    default:
        buf_puts(&sql, "SQLite cannot make an existing column NOT NULL: "
                       "rebuild the table, see " SQLITE_REBUILD_URL);
        break;
    }
    mig_comment_sql(&b, buf_cstr(&sql));
    buf_dispose(&sql);
    mig_push(g, l, &b, 0);
}

/* The commented backfill of an attribute's definition. */
void mig_backfill_stub(mig_gen *g, mig_list *l, const char *table,
                       const form_column *c, int changed)
{
    buf b = {0}, sql = {0};
    char head[300], *qt, *qc;

    if (!mig_is_set(c->rule) && !mig_is_set(c->example))
        return;
    snprintf(head, sizeof head,
             changed ? "TODO(backfill): the definition of \"%s\".\"%s\" "
                       "changed; recompute existing rows. Definition:"
                     : "TODO(backfill): fill \"%s\".\"%s\" from its "
                       "definition. Definition:",
             table, c->name);
    mig_comment_lines(&b, "", head);
    mig_comment_lines(&b, "| ", mig_is_set(c->rule) ? c->rule : "(not given)");
    if (mig_is_set(c->example))
        mig_comment_lines(&b, "Example value: ", c->example);
    qt = mig_qi_dup(g, table, "");
    qc = mig_qi_dup(g, c->name, "");
    buf_appendf(&sql, "UPDATE %s SET %s = <expression> WHERE <condition>;", qt,
                qc);
    xfree_all(qt, qc);
    mig_comment_sql(&b, buf_cstr(&sql));
    buf_dispose(&sql);
    mig_push(g, l, &b, 0);
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
static void primary_key(mig_gen *g, int i, char *pk)
{
    const form_item *it = &g->r->items[i];
    int any = 0;
    const char *s;

    for (size_t j = 0; j < it->ncolumns; j++)
        if (it->columns[j].primary_key)
            pk[j] = 1, any = 1;
    if (any || !mig_is_set(it->primary_key))
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
static void mysql_key_check(mig_gen *g, int i, int j, const form_column *c)
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

/* SQLite keeps comments inside CREATE TABLE in sqlite_schema, so that is
 * where a description goes (see migrate.h): every line of text on a line
 * of its own (CR LF, CR and LF all end a line), so a line break can never
 * end the comment and start SQL. first (" --" after a column definition)
 * takes the first line on the current line; NULL puts it on its own line
 * like the others: lead ("    --") then " | " and the text ("|" alone for
 * an empty line). The "| " keeps a line such as "rollback DROP TABLE x;"
 * from reading as a migration tool's directive: Liquibase takes
 * "--rollback" and "--changeset" even after leading blanks. Tabs stay,
 * other control characters become spaces. Ends with a newline. */
static void sqlite_ddl_comment(buf *b, const char *first, const char *lead,
                               const char *text)
{
    const char *line = text;

    for (;;) {
        size_t n = strcspn(line, "\r\n");
        if (first) {
            buf_puts(b, first);
            if (n)
                buf_putc(b, ' ');
            first = NULL;
        } else {
            buf_puts(b, lead);
            buf_puts(b, n ? " | " : " |");
        }
        for (size_t k = 0; k < n; k++) {
            unsigned char c = (unsigned char)line[k];
            buf_putc(b, (c < 0x20 && c != '\t') || c == 0x7F ? ' ' : (char)c);
        }
        buf_putc(b, '\n');
        line += n;
        if (!*line)
            break;
        line += (line[0] == '\r' && line[1] == '\n') ? 2 : 1;
    }
}

/* The column lines of CREATE TABLE for item i, with the PRIMARY KEY line
 * when pk marks any of its columns. */
static void create_table_columns(buf *b, mig_gen *g, int i, const char *pk)
{
    const form_item *it = &g->r->items[i];
    int npk = 0;

    for (size_t j = 0; j < it->ncolumns; j++)
        npk += pk[j];
    for (size_t j = 0; j < it->ncolumns; j++) {
        const form_column *c = &it->columns[j];
        buf_puts(b, "    ");
        mig_column_def(b, g, i, (int)j, c, &c->type, !c->nullable || pk[j]);
        if (j + 1 < it->ncolumns || npk)
            buf_putc(b, ',');
        if (g->d == SQL_SQLITE && mig_is_set(c->description))
            sqlite_ddl_comment(b, " --", "        --", c->description);
        else
            buf_putc(b, '\n');
        if (pk[j])
            mysql_key_check(g, i, (int)j, c);
    }
    if (npk) {
        int first = 1;
        buf_puts(b, "    PRIMARY KEY (");
        for (size_t j = 0; j < it->ncolumns; j++) {
            if (!pk[j])
                continue;
            if (!first)
                buf_puts(b, ", ");
            mig_qi(b, g, it->columns[j].name);
            first = 0;
        }
        buf_puts(b, ")\n");
    }
}

/* The CREATE TABLE statement of item i, pushed onto up. */
static void create_table(mig_gen *g, mig_unit *u, int i, const char *pk)
{
    const form_item *it = &g->r->items[i];
    buf b = {0};

    buf_puts(&b, "CREATE TABLE ");
    mig_qi(&b, g, it->table);
    buf_puts(&b, " (\n");
    if (g->d == SQL_SQLITE && mig_is_set(it->description))
        sqlite_ddl_comment(&b, NULL, "    --", it->description);
    create_table_columns(&b, g, i, pk);
    buf_putc(&b, ')');
    if (g->d == SQL_MYSQL) {
        buf_puts(&b, " DEFAULT CHARSET=utf8mb4");
        if (mig_is_set(it->description)) {
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
    mig_push(g, &u->up, &b, 1);
}

static void unit_new_table(mig_gen *g, int i)
{
    const form_item *it = &g->r->items[i];
    mig_unit *u =
        mig_unit_new(g, i, -1, "Item %d: new table \"%s\"", i + 1, it->table);
    char *pk = xcalloc(it->ncolumns ? it->ncolumns : 1, 1);
    buf b = {0};

    primary_key(g, i, pk);
    create_table(g, u, i, pk);
    if (mig_comments_on(g)) {
        if (mig_is_set(it->description)) {
            buf_puts(&b, "COMMENT ON TABLE ");
            mig_qi(&b, g, it->table);
            buf_puts(&b, " IS ");
            migrate_quote_string(&b, g->d, it->description);
            buf_putc(&b, ';');
            mig_push(g, &u->up, &b, 1);
        }
        for (size_t j = 0; j < it->ncolumns; j++)
            if (mig_is_set(it->columns[j].description))
                mig_comment_on_column(g, &u->up, it->table, &it->columns[j]);
    }

    buf_puts(&b, "DROP TABLE ");
    mig_qi(&b, g, it->table);
    buf_putc(&b, ';');
    mig_push(g, &u->down, &b, 1);
    free(pk);
}

/* ---- add columns ----------------------------------------------------- */

/* Lint for adding columns cols[0..n) of item i to an existing table. */
static void add_columns_lint(mig_gen *g, int i, const int *cols, size_t n)
{
    const form_item *it = &g->r->items[i];

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
}

/* Up: the ADD COLUMN statements for cols[0..n) of item i. */
static void add_columns_up(mig_gen *g, mig_unit *u, int i, const int *cols,
                           size_t n)
{
    const form_item *it = &g->r->items[i];
    buf b = {0};

    switch (g->d) {
    case SQL_POSTGRES:
    case SQL_MYSQL:
    case SQL_SNOWFLAKE: {
        /* Snowflake says ADD COLUMN once for the list, the others once a
           column. */
        int once = g->d == SQL_SNOWFLAKE;
        mig_alter_table(&b, g, it->table);
        if (once)
            buf_puts(&b, " ADD COLUMN");
        for (size_t k = 0; k < n; k++) {
            const form_column *c = &it->columns[cols[k]];
            buf_puts(&b, once ? "\n    " : "\n    ADD COLUMN ");
            mig_column_def(&b, g, i, cols[k], c, &c->type, 0);
            buf_putc(&b, k + 1 < n ? ',' : ';');
        }
        mig_push(g, &u->up, &b, 1);
        break;
    }
    default:
        for (size_t k = 0; k < n; k++) {
            const form_column *c = &it->columns[cols[k]];
            if (mig_is_set(c->description))
                mig_push_described(g, &u->up, "\"", c->name,
                                   "\": ", c->description);
            mig_alter_table(&b, g, it->table);
            buf_puts(&b, " ADD COLUMN ");
            mig_column_def(&b, g, i, cols[k], c, &c->type, 0);
            buf_putc(&b, ';');
            mig_push(g, &u->up, &b, 1);
        }
        break;
    }
}

/* Down: onto down, drop columns cols[0..n) of it, last first. */
static void add_columns_down(mig_gen *g, mig_list *down, const form_item *it,
                             const int *cols, size_t n)
{
    buf b = {0};

    switch (g->d) {
    case SQL_POSTGRES:
    case SQL_MYSQL:
        mig_alter_table(&b, g, it->table);
        for (size_t k = n; k-- > 0;) {
            buf_puts(&b, "\n    DROP COLUMN ");
            mig_qi(&b, g, it->columns[cols[k]].name);
            buf_putc(&b, k ? ',' : ';');
        }
        mig_push(g, down, &b, 1);
        break;
    case SQL_SNOWFLAKE:
        mig_alter_table(&b, g, it->table);
        buf_puts(&b, " DROP COLUMN ");
        for (size_t k = n; k-- > 0;) {
            mig_qi(&b, g, it->columns[cols[k]].name);
            buf_puts(&b, k ? ", " : ";");
        }
        mig_push(g, down, &b, 1);
        break;
    default:
        for (size_t k = n; k-- > 0;) {
            mig_alter_table(&b, g, it->table);
            buf_puts(&b, " DROP COLUMN ");
            mig_qi(&b, g, it->columns[cols[k]].name);
            buf_putc(&b, ';');
            mig_push(g, down, &b, 1);
        }
        break;
    }
}

/* Adds columns cols[0..n) of item i to its (existing) table: one ALTER
 * TABLE where the dialect allows several columns, else one per column. */
void mig_add_columns(mig_gen *g, mig_unit *u, int i, const int *cols, size_t n)
{
    const form_item *it = &g->r->items[i];

    add_columns_lint(g, i, cols, n);
    add_columns_up(g, u, i, cols, n);
    if (mig_comments_on(g))
        for (size_t k = 0; k < n; k++)
            if (mig_is_set(it->columns[cols[k]].description))
                mig_comment_on_column(g, &u->up, it->table,
                                      &it->columns[cols[k]]);
    for (size_t k = 0; k < n; k++)
        if (!it->columns[cols[k]].nullable)
            set_not_null_stub(g, &u->up, it->table, i, cols[k],
                              &it->columns[cols[k]]);
    add_columns_down(g, &u->down, it, cols, n);
}

static void unit_add_columns(mig_gen *g, int i)
{
    const form_item *it = &g->r->items[i];
    mig_unit *u = mig_unit_new(g, i, -1, "Item %d: add columns to \"%s\"",
                               i + 1, it->table);
    int *cols = xcalloc(it->ncolumns ? it->ncolumns : 1, sizeof *cols);

    for (size_t j = 0; j < it->ncolumns; j++)
        cols[j] = (int)j;
    if (it->ncolumns)
        mig_add_columns(g, u, i, cols, it->ncolumns);
    else {
        mig_push_comment(g, &u->up, "",
                         "Nothing to add: the item lists no "
                         "columns.");
        mig_push_comment(g, &u->down, "", "Nothing to undo.");
    }
    free(cols);
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
    mig_gen g = {0};
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
        default: mig_unit_attributes(&g, (int)i); break;
        }
    }
    sort_warnings(p);
    if (g.err) {
        mig_plan_dispose(p);
        return err_set(err, g.err, "the migration text is too large");
    }
    return 0;
}
