/* migrate_int.h: helpers shared inside migrations/ only. A request becomes
 * a plan (plan.c): a list of units, each with its up and down statements;
 * plan_alter.c the type changes and attribute items; lint.c adds warnings
 * to the plan; format.c writes the plan as files. */
#ifndef DOCKET_MIGRATE_INT_H
#define DOCKET_MIGRATE_INT_H

#include "migrate.h"

/* One statement, or one block of comment lines. text has no trailing
 * newline; a statement ends with ";". */
typedef struct mig_stmt {
    char *text;
    int exec; /* 1: SQL that runs; 0: comment lines only */
} mig_stmt;

typedef struct mig_list {
    mig_stmt *v;
    size_t n;
    size_t cap;
} mig_list;

/* What one item (or one attribute of an attribute item) does. */
typedef struct mig_unit {
    int item;    /* index into r->items */
    int column;  /* index into the item's columns, -1 for the whole item */
    char *title; /* comment text naming the unit ("Item 1: new table ...") */
    mig_list up;
    mig_list down; /* never empty: at least a comment saying why */
} mig_unit;

typedef struct mig_plan {
    sql_dialect d;
    migrate_format f;
    mig_unit *units;
    size_t nunits;
    size_t cap;
    migrate_warning *warnings;
    size_t nwarnings;
    size_t wcap;
} mig_plan;

/* plan.c */
int mig_plan_build(mig_plan *p, const form_request *r, sql_dialect d,
                   migrate_format f, errmsg *err);
void mig_plan_dispose(mig_plan *p);
/* Adds a warning (message cut at 255 bytes). */
void mig_warn(mig_plan *p, migrate_lint rule, int item, int column,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* 1 when the unit runs something (an exec statement in up). */
int mig_unit_runs(const mig_unit *u);
/* 1 when the down list has a statement that runs. */
int mig_unit_reverts(const mig_unit *u);

/* ---- plan.c and plan_alter.c: the generation of a plan ---- */

#define SQLITE_REBUILD_URL                                                     \
    "https://www.sqlite.org/lang_altertable.html#otheralter"

/* Generation state of mig_plan_build. */
typedef struct mig_gen {
    mig_plan *p;
    const form_request *r;
    sql_dialect d;
    int err; /* sticky ERR_TOOBIG from any buffer */
} mig_gen;

/* s is neither NULL nor "". */
int mig_is_set(const char *s);
/* Moves b into l as one statement (exec) or comment block. */
void mig_push(mig_gen *g, mig_list *l, buf *b, int exec);
/* Adds text to l as one block of comment lines, each after prefix. */
void mig_push_comment(mig_gen *g, mig_list *l, const char *prefix,
                      const char *text);
/* Adds lead, name, tail and text, joined, as one comment block (a
 * column's description where the dialect keeps none). */
void mig_push_described(mig_gen *g, mig_list *l, const char *lead,
                        const char *name, const char *tail, const char *text);
/* A new unit of item (column -1: the whole item) titled by fmt. */
mig_unit *mig_unit_new(mig_gen *g, int item, int column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A quoted identifier of the dialect (a name it cannot take: sticky
 * error). */
void mig_qi(buf *b, const mig_gen *g, const char *name);
/* mig_qi of name followed by suffix ("" for none), as a string that the
 * caller frees: for SQL written as one format string. */
char *mig_qi_dup(const mig_gen *g, const char *name, const char *suffix);
/* The column type of t in the dialect. */
void mig_type_of(char out[64], const mig_gen *g, const form_type *t);
/* " COMMENT '...'" of a MySQL column, cut to the limit. */
void mig_mysql_column_comment(buf *b, mig_gen *g, int item, int column,
                              const form_column *c);
/* name TYPE [NOT NULL | NULL] [COMMENT '...'] */
void mig_column_def(buf *b, mig_gen *g, int item, int column,
                    const form_column *c, const form_type *t, int not_null);
/* COMMENT ON COLUMN t.c IS '...'; (PostgreSQL, Snowflake) */
void mig_comment_on_column(mig_gen *g, mig_list *l, const char *table,
                           const form_column *c);
/* The dialect has COMMENT ON COLUMN (PostgreSQL, Snowflake). */
int mig_comments_on(const mig_gen *g);
/* "ALTER TABLE t" */
void mig_alter_table(buf *b, const mig_gen *g, const char *table);
/* The commented backfill of an attribute's definition. */
void mig_backfill_stub(mig_gen *g, mig_list *l, const char *table,
                       const form_column *c, int changed);
/* Adds columns cols[0..n) of item i to its (existing) table: one ALTER
 * TABLE where the dialect allows several columns, else one per column. */
void mig_add_columns(mig_gen *g, mig_unit *u, int i, const int *cols, size_t n);
/* plan_alter.c: the units of attribute item i (one per attribute). */
void mig_unit_attributes(mig_gen *g, int i);

/* lint.c */
/* Request-wide rules: names, PII, consent, campaign, placeholders. */
void mig_lint_request(mig_plan *p, const form_request *r);
/* 1 when changing from -> to may lose data; why gets a short reason. */
int mig_type_lossy(char *why, size_t size, const form_type *from,
                   const form_type *to);

/* format.c */
/* An item kind in words for comments ("new table", "customer
 * attributes"); "unknown" when k is out of range. */
const char *mig_kind_words(form_item_kind k);

/* dialect.c */
size_t mig_name_length(sql_dialect d, const char *name);

/* Writes text as "-- " comment lines, each starting with prefix, one per
 * line of text (CR/LF split; nothing can leave the comment). */
void mig_comment_lines(buf *b, const char *prefix, const char *text);
/* Writes generated SQL as "-- " comment lines, one per line of sql. Only
 * for text docket wrote itself: quoted names never hold a line break and
 * string literals never span lines (migrate_quote_string), so every line
 * starts with docket's own words. */
void mig_comment_sql(buf *b, const char *sql);

#endif
