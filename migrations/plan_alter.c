/* plan_alter.c: the parts of a plan that change what exists: type
 * changes of columns (in place where the dialect can, else a commented
 * manual procedure) and the attribute items (customer attributes,
 * activity and purchase history: add, change, retire one attribute at a
 * time). The generation state and the pieces it shares with plan.c are
 * in migrate_int.h. */
#include "migrate.h"
#include "migrate_int.h"
#include "mem.h"
#include "str.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* head as comment lines, then "ALTER TABLE table<verb>column<tail>"
 * commented out: a statement for a person to run when it is time. */
static void commented_alter(mig_gen *g, buf *b, const char *head,
                            const char *table, const char *verb,
                            const char *column, const char *tail)
{
    buf sql = {0};

    mig_comment_lines(b, "", head);
    mig_alter_table(&sql, g, table);
    buf_puts(&sql, verb);
    mig_qi(&sql, g, column);
    buf_puts(&sql, tail);
    mig_comment_sql(b, buf_cstr(&sql));
    buf_dispose(&sql);
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
static int same_type(const mig_gen *g, const form_type *x, const form_type *y)
{
    char a[64], b[64];
    int xa, xb, ya, yb, cx, cy;

    if (g->d == SQL_SNOWFLAKE) {
        cx = sf_class(x, &xa, &xb);
        cy = sf_class(y, &ya, &yb);
        if (cx && cx == cy)
            return xa == ya && xb == yb;
    }
    mig_type_of(a, g, x);
    mig_type_of(b, g, y);
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

/* "ALTER TABLE t ALTER COLUMN c<how><type>"; the statement goes on. */
static void alter_column_type(buf *b, const mig_gen *g, const char *table,
                              const char *column, const char *how,
                              const char *type)
{
    mig_alter_table(b, g, table);
    buf_puts(b, " ALTER COLUMN ");
    mig_qi(b, g, column);
    buf_puts(b, how);
    buf_puts(b, type);
}

/* Writes the manual procedure for a change the dialect cannot do in place
 * (SQLite always, Snowflake outside widening) as a commented stub. */
static void manual_change_stub(mig_gen *g, mig_list *l, const char *table,
                               const form_column *c, const form_type *to)
{
    buf b = {0}, sql = {0};
    char type[64], head[400], *qt, *qtn, *qc, *qcn;

    mig_type_of(type, g, to);
    qt = mig_qi_dup(g, table, "");
    qtn = mig_qi_dup(g, table, "__docket_new");
    qc = mig_qi_dup(g, c->name, "");
    qcn = mig_qi_dup(g, c->name, "__docket_new");
    if (g->d == SQL_SQLITE) {
        snprintf(head, sizeof head,
                 "TODO(rebuild): SQLite cannot change the type of \"%s\" in "
                 "place (to %s). Rebuild \"%s\" as in " SQLITE_REBUILD_URL ":",
                 c->name, type, table);
        mig_comment_lines(&b, "", head);
        buf_appendf(&sql,
                    "PRAGMA foreign_keys = OFF;\nBEGIN;\n"
                    "CREATE TABLE %s (<the columns of %s, with %s as %s>);\n"
                    "INSERT INTO %s SELECT * FROM %s;\n"
                    "DROP TABLE %s;\n"
                    "ALTER TABLE %s RENAME TO %s;\n"
                    "(re-create the indexes, triggers and views of the "
                    "table)\nPRAGMA foreign_key_check;\nCOMMIT;\n"
                    "PRAGMA foreign_keys = ON;",
                    qtn, qt, qc, type, qtn, qt, qt, qtn, qt);
    } else {
        snprintf(head, sizeof head,
                 "TODO(manual-change): Snowflake changes a type in place "
                 "only to widen VARCHAR or NUMBER precision; \"%s\" becomes "
                 "%s. One way (check the cast on a copy first):",
                 c->name, type);
        mig_comment_lines(&b, "", head);
        buf_appendf(&sql,
                    "ALTER TABLE %s ADD COLUMN %s %s;\n"
                    "UPDATE %s SET %s = CAST(%s AS %s);\n"
                    "ALTER TABLE %s DROP COLUMN %s;\n"
                    "ALTER TABLE %s RENAME COLUMN %s TO %s;",
                    qt, qcn, type, qt, qcn, qc, type, qt, qc, qt, qcn, qc);
    }
    xfree_all(qt, qtn, qc, qcn);
    mig_comment_sql(&b, buf_cstr(&sql));
    buf_dispose(&sql);
    mig_push(g, l, &b, 0);
}

/* MySQL: ALTER TABLE t MODIFY COLUMN c TYPE [NOT] NULL [COMMENT '...']; */
static void mysql_modify(mig_gen *g, mig_list *l, int i, int j,
                         const char *table, const form_column *c,
                         const form_type *t)
{
    buf b = {0};

    mig_alter_table(&b, g, table);
    buf_puts(&b, " MODIFY COLUMN ");
    mig_column_def(&b, g, i, j, c, t, !c->nullable);
    buf_putc(&b, ';');
    mig_push(g, l, &b, 1);
    mig_warn(g->p, MIGRATE_LINT_MODIFY_RESTATES, i, j,
             "MySQL's MODIFY COLUMN restates the whole column \"%s\": "
             "compare NULL/NOT NULL, DEFAULT and COMMENT with the current "
             "definition before running it",
             c->name);
}

/* Changes the type of column c from `from` to `to` (both known, or from
 * unknown in the up direction) and appends the statements to l. Returns 1
 * when they run, 0 when only a stub or note was written. */
static int change_type(mig_gen *g, mig_list *l, int i, int j, const char *table,
                       const form_column *c, const form_type *from,
                       const form_type *to)
{
    char type[64];
    buf b = {0};

    if (from->kind != FORM_TYPE_NONE && same_type(g, from, to)) {
        char note[200];
        mig_type_of(type, g, to);
        snprintf(note, sizeof note,
                 "\"%s\" already has type %s in %s: no type change.", c->name,
                 type, sql_dialect_title(g->d));
        mig_push_comment(g, l, "", note);
        return 0;
    }
    mig_type_of(type, g, to);
    switch (g->d) {
    case SQL_POSTGRES:
        alter_column_type(&b, g, table, c->name, " TYPE ", type);
        buf_puts(&b, " USING ");
        mig_qi(&b, g, c->name);
        buf_puts(&b, "::");
        buf_puts(&b, type);
        buf_putc(&b, ';');
        mig_push(g, l, &b, 1);
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
        mig_push(g, l, &b, 1);
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

static void attribute_add(mig_gen *g, mig_unit *u, int i, int j)
{
    const form_item *it = &g->r->items[i];
    const form_column *c = &it->columns[j];

    if (c->type.kind == FORM_TYPE_NONE) {
        buf b = {0};
        char head[200];
        mig_warn(g->p, MIGRATE_LINT_NO_TYPE, i, j,
                 "attribute \"%s\" has no type: its column is a commented "
                 "stub",
                 c->name);
        snprintf(head, sizeof head,
                 "TODO(type): no type was given for \"%s\"; choose one, "
                 "then:",
                 c->name);
        commented_alter(g, &b, head, it->table, " ADD COLUMN ", c->name,
                        " <type>;");
        mig_push(g, &u->up, &b, 0);
        mig_backfill_stub(g, &u->up, it->table, c, 0);
        mig_push_comment(g, &u->down, "",
                         "Nothing to undo: the up migration only has a stub "
                         "for this attribute.");
        return;
    }
    mig_add_columns(g, u, i, &j, 1);
    mig_backfill_stub(g, &u->up, it->table, c, 0);
}

/* Lint for a type change of column j of item i: an unknown old type, or
 * a change that may lose data. */
static void change_lint(mig_gen *g, int i, int j)
{
    const form_column *c = &g->r->items[i].columns[j];
    int has_type = c->type.kind != FORM_TYPE_NONE;
    char why[160], to[64], from[64];

    form_type_format(to, sizeof to, &c->type);
    form_type_format(from, sizeof from, &c->old_type);
    if (has_type && c->old_type.kind == FORM_TYPE_NONE)
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
}

/* MySQL up: one MODIFY carries both the type and the comment. 1 when it
 * runs a statement, 0 for a stub only. */
static int change_up_mysql(mig_gen *g, mig_unit *u, int i, int j)
{
    const form_item *it = &g->r->items[i];
    const form_column *c = &it->columns[j];
    int has_type = c->type.kind != FORM_TYPE_NONE;
    int old_known = c->old_type.kind != FORM_TYPE_NONE;
    buf b = {0}, sql = {0};

    if (has_type && old_known && same_type(g, &c->old_type, &c->type) &&
        !mig_is_set(c->description))
        return change_type(g, &u->up, i, j, it->table, c, &c->old_type,
                           &c->type);
    if (has_type || old_known) {
        mysql_modify(g, &u->up, i, j, it->table, c,
                     has_type ? &c->type : &c->old_type);
        return 1;
    }
    mig_comment_lines(&b, "",
                      "TODO(comment): MySQL needs the column's "
                      "current type to change its comment:");
    mig_alter_table(&sql, g, it->table);
    buf_puts(&sql, " MODIFY COLUMN ");
    mig_qi(&sql, g, c->name);
    buf_puts(&sql, " <current type>");
    if (!c->nullable)
        buf_puts(&sql, " NOT NULL");
    mig_mysql_column_comment(&sql, g, i, j, c);
    buf_putc(&sql, ';');
    mig_comment_sql(&b, buf_cstr(&sql));
    buf_dispose(&sql);
    mig_push(g, &u->up, &b, 0);
    return 0;
}

/* Up for the other dialects: the type change, then the description as a
 * COMMENT or as a note. 1 when it runs a statement. */
static int change_up_other(mig_gen *g, mig_unit *u, int i, int j)
{
    const form_item *it = &g->r->items[i];
    const form_column *c = &it->columns[j];
    const form_type none = {0};
    int ran = 0;

    if (c->type.kind != FORM_TYPE_NONE)
        ran = change_type(g, &u->up, i, j, it->table, c,
                          c->old_type.kind != FORM_TYPE_NONE ? &c->old_type
                                                             : &none,
                          &c->type);
    if (mig_is_set(c->description) && mig_comments_on(g)) {
        mig_comment_on_column(g, &u->up, it->table, c);
        ran = 1;
    } else if (mig_is_set(c->description)) {
        mig_push_described(g, &u->up, "New description of \"", c->name,
                           "\" (SQLite keeps descriptions only as "
                           "comments): ",
                           c->description);
    }
    return ran;
}

/* Down for a change whose up ran: the old type back where it is known,
 * notes for what cannot be restored. */
static void change_down(mig_gen *g, mig_unit *u, int i, int j)
{
    const form_item *it = &g->r->items[i];
    const form_column *c = &it->columns[j];
    int has_type = c->type.kind != FORM_TYPE_NONE;

    if (has_type && c->old_type.kind == FORM_TYPE_NONE) {
        char note[200];
        snprintf(note, sizeof note,
                 "Cannot undo the type change of \"%s\": its type before "
                 "the change is not known to docket. Restore it by hand.",
                 c->name);
        mig_push_comment(g, &u->down, "", note);
    } else if (has_type && !same_type(g, &c->old_type, &c->type)) {
        if (g->d == SQL_MYSQL)
            mysql_modify(g, &u->down, i, j, it->table, c, &c->old_type);
        else
            change_type(g, &u->down, i, j, it->table, c, &c->type,
                        &c->old_type);
    }
    if (mig_is_set(c->description)) {
        char note[200];
        snprintf(note, sizeof note,
                 "The previous description of \"%s\" is not known to "
                 "docket: it is not restored.",
                 c->name);
        mig_push_comment(g, &u->down, "", note);
    }
    if (!u->down.n)
        mig_push_comment(g, &u->down, "", "Nothing to undo.");
}

static void attribute_change(mig_gen *g, mig_unit *u, int i, int j)
{
    const form_item *it = &g->r->items[i];
    const form_column *c = &it->columns[j];
    int ran = 0;

    change_lint(g, i, j);
    if (g->d == SQL_MYSQL &&
        (c->type.kind != FORM_TYPE_NONE || mig_is_set(c->description)))
        ran = change_up_mysql(g, u, i, j);
    else
        ran = change_up_other(g, u, i, j);
    mig_backfill_stub(g, &u->up, it->table, c, 1);
    if (!u->up.n)
        mig_push_comment(g, &u->up, "",
                         "Nothing to generate: the change states no type, "
                         "description or definition.");
    if (!ran) {
        mig_push_comment(g, &u->down, "",
                         "Nothing to undo: the up migration runs nothing for "
                         "this attribute (stubs and notes only).");
        return;
    }
    change_down(g, u, i, j);
}

static void attribute_retire(mig_gen *g, mig_unit *u, int i, int j)
{
    const form_item *it = &g->r->items[i];
    const form_column *c = &it->columns[j];
    buf b = {0};
    char head[300];

    snprintf(head, sizeof head,
             "TODO(retire): \"%s\".\"%s\" is retired. Dropping data is a "
             "human decision: when nothing reads it any more, run:",
             it->table, c->name);
    commented_alter(g, &b, head, it->table, " DROP COLUMN ", c->name, ";");
    mig_push(g, &u->up, &b, 0);
    mig_push_comment(g, &u->down, "",
                     "Nothing to undo: retiring runs nothing (a dropped column "
                     "comes back only from a backup).");
}

void mig_unit_attributes(mig_gen *g, int i)
{
    const form_item *it = &g->r->items[i];

    if (!it->ncolumns) {
        mig_unit *u = mig_unit_new(g, i, -1, "Item %d (%s of \"%s\")", i + 1,
                                   mig_kind_words(it->kind), it->table);
        mig_push_comment(g, &u->up, "",
                         "Nothing to do: the item lists no "
                         "attributes.");
        mig_push_comment(g, &u->down, "", "Nothing to undo.");
        return;
    }
    for (size_t j = 0; j < it->ncolumns; j++) {
        const form_column *c = &it->columns[j];
        mig_unit *u = mig_unit_new(
            g, i, (int)j, "Item %d (%s of \"%s\"), attribute \"%s\": %s", i + 1,
            mig_kind_words(it->kind), it->table, c->name,
            form_action_name(c->action));
        switch (c->action) {
        case FORM_ACTION_CHANGE: attribute_change(g, u, i, (int)j); break;
        case FORM_ACTION_RETIRE: attribute_retire(g, u, i, (int)j); break;
        default: attribute_add(g, u, i, (int)j); break;
        }
    }
}
