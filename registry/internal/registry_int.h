/* registry_int.h: helpers shared by the files of registry/ only. */
#ifndef DOCKET_REGISTRY_INT_H
#define DOCKET_REGISTRY_INT_H

#include "registry.h"

#include <sqlite3.h>

typedef struct reg_stmt {
    const char *sql; /* identity: the address of a static SQL string */
    sqlite3_stmt *st;
} reg_stmt;

struct registry {
    sqlite3 *db;
    int readonly;
    reg_stmt *stmts;
    size_t nstmts;
    size_t cap;
    int64_t busy_since_us; /* busy handler: start of the current wait */
    int holds_write_mu;    /* registry_begin took the process write lock */
    registry_index *index; /* search snapshots shared with other
                              connections (search_index.c), or NULL */
};

/* A cached prepared statement for the static string sql, reset and with
 * bindings cleared. NULL on error (recorded in err). Never finalize it;
 * call reg_done(st) when finished stepping so locks are released. */
sqlite3_stmt *reg_stmt_get(registry *reg, const char *sql, errmsg *err);
void reg_done(sqlite3_stmt *st);
/* Index of the named parameter; asserts that it exists. */
int reg_param(sqlite3_stmt *st, const char *name);
/* Binding shorthands by parameter name (text is copied; NULL text binds
 * ""). A NULL st (reg_stmt_get failed, the error is recorded) is passed
 * over, so a statement is fetched, bound and handed to reg_each,
 * reg_one, reg_exec_bound, reg_insert or reg_count, which answer ERR_DB
 * for it, without a test in between. */
void reg_bind_text(sqlite3_stmt *st, const char *name, const char *v);
void reg_bind_int(sqlite3_stmt *st, const char *name, int64_t v);
void reg_bind_null(sqlite3_stmt *st, const char *name);
/* Binds v, or NULL when v is 0 (an optional reference: no user, no
 * organisation). */
void reg_bind_id(sqlite3_stmt *st, const char *name, int64_t v);
/* One binding of a statement, by parameter name, for reg_bind_all: build
 * it with REG_INT, REG_TEXT (NULL binds ""), REG_TEXT_OR_NULL, REG_ID (0
 * binds NULL) or REG_NULL, which check the value's type. */
typedef struct reg_arg {
    const char *name; /* NULL ends the list */
    char kind;        /* 'i' int, 't' text, 'z' text or NULL, 'd' id, '0' */
    int64_t i;
    const char *t;
} reg_arg;
#define REG_INT(n, v)          ((reg_arg){(n), 'i', (v), NULL})
#define REG_TEXT(n, v)         ((reg_arg){(n), 't', 0, (v)})
#define REG_TEXT_OR_NULL(n, v) ((reg_arg){(n), 'z', 0, (v)})
#define REG_ID(n, v)           ((reg_arg){(n), 'd', (v), NULL})
#define REG_NULL(n)            ((reg_arg){(n), '0', 0, NULL})
/* Binds every reg_arg of the NULL-named-terminated array args to st (as
 * the binders above: a NULL st is passed over). */
void reg_bind_args(sqlite3_stmt *st, const reg_arg *args);
/* All the bindings of a statement in one call:
 * reg_bind_all(st, REG_INT(":id", id), REG_TEXT(":state", state)). */
#define reg_bind_all(st, ...)                                                  \
    reg_bind_args((st), (const reg_arg[]){__VA_ARGS__, {NULL, 0, 0, NULL}})
/* reg_stmt_get and reg_bind_all in one call: the statement of the static
 * string sql with the bindings that follow, or NULL (error in err):
 * reg_stmt(reg, sql, err, REG_INT(":id", id)). */
sqlite3_stmt *reg_stmt_bind(registry *reg, const char *sql, errmsg *err,
                            const reg_arg *args);
#define reg_stmt(reg, sql, err, ...)                                           \
    reg_stmt_bind((reg), (sql), (err),                                         \
                  (const reg_arg[]){__VA_ARGS__, {NULL, 0, 0, NULL}})
/* Binds the scope most reads share: :org (0: every organisation), and
 * :inst and :table when instance and table are not NULL. */
void reg_bind_scope(sqlite3_stmt *st, int64_t org_id, const char *instance,
                    const char *table);

/* Declares `struct NAME_each { fn, ctx }` and the reg_each row callback
 * NAME_each_row that reads a TYPE with READ(TYPE *out, sqlite3_stmt *st)
 * and hands it to fn: the adapter between reg_each and a public
 * `void (*fn)(void *ctx, const TYPE *v)` list callback, type-checked. */
#define REG_EACH_ADAPTER(NAME, TYPE, READ)                                     \
    struct NAME##_each {                                                       \
        void (*fn)(void *ctx, const TYPE *v);                                  \
        void *ctx;                                                             \
    };                                                                         \
    static int NAME##_each_row(sqlite3_stmt *st, void *ctx)                    \
    {                                                                          \
        struct NAME##_each *e = ctx;                                           \
        TYPE v;                                                                \
                                                                               \
        READ(&v, st);                                                          \
        e->fn(e->ctx, &v);                                                     \
        return 0;                                                              \
    }
/* Records sqlite3_errmsg() now; returns ERR_DB (ERR_CONFLICT for a
 * constraint violation). */
int reg_db_error(registry *reg, errmsg *err);
/* Steps st (from reg_stmt_get, bound) to the end, calling row(st, ctx)
 * for each row, then reg_done(st). Returns 0 at SQLITE_DONE; a negative
 * return of row stops the loop and is returned; any other step result
 * (BUSY, IOERR, INTERRUPT, CORRUPT...) is recorded and returned as by
 * reg_db_error, so a failure in the middle of a list is never a shorter
 * list. */
int reg_each(registry *reg, sqlite3_stmt *st,
             int (*row)(sqlite3_stmt *st, void *ctx), void *ctx, errmsg *err);
/* Steps st once for a single-row read, then reg_done(st): 0 after
 * row(st, ctx) (NULL: nothing to copy) when there is a row, ERR_NOTFOUND
 * (no message: the caller names what is missing) when there is none, the
 * error of reg_db_error when the step fails. */
int reg_one(registry *reg, sqlite3_stmt *st,
            int (*row)(sqlite3_stmt *st, void *ctx), void *ctx, errmsg *err);
/* Steps st (from reg_stmt_get, bound) once for a statement that returns
 * no row to read (INSERT, UPDATE, DELETE; a RETURNING row is ignored),
 * then reg_done(st). Returns the number of rows it changed
 * (sqlite3_changes, >= 0) or the error of reg_db_error. */
int reg_exec_bound(registry *reg, sqlite3_stmt *st, errmsg *err);
/* reg_exec_bound for an INSERT: 0, with the new row's id in *out_id when
 * out_id is not NULL, or the error of reg_db_error. */
int reg_insert(registry *reg, sqlite3_stmt *st, int64_t *out_id, errmsg *err);
/* A single-row read of one integer (column 0) into *out: as reg_one, so
 * ERR_NOTFOUND (no message) when there is no row; *out is written only
 * on success. For count(*), max(...) and the like. */
int reg_count(registry *reg, sqlite3_stmt *st, int64_t *out, errmsg *err);
/* reg_exec_bound for an UPDATE or DELETE whose caller wants the number
 * of rows it changed in *out_n (when out_n is not NULL): 0 or the error
 * of reg_db_error. */
int reg_exec_count(registry *reg, sqlite3_stmt *st, int64_t *out_n,
                   errmsg *err);
/* Runs one statement of static SQL that returns no rows. */
int reg_exec(registry *reg, const char *sql, errmsg *err);
/* Reads the current row of st, column 0 on, into the pointers that
 * follow fmt, one letter a column (at most as many letters as columns):
 * 'i' int64_t *, 'n' int *, 'b' int * (1 when the column is not 0),
 * 't' const char ** (borrowed until the next step; "" for NULL), 'z'
 * const char ** (borrowed; NULL for NULL), 'd' char ** (a copy the caller
 * frees; "" for NULL), 'D' char ** (a copy or NULL), 'c' two arguments,
 * char *dst and size_t size, as reg_col_copy(dst, size, st, column). */
void reg_cols_n(sqlite3_stmt *st, const char *fmt, int nargs, ...);
/* The number of pointers reg_cols passes on (at most 40), so reg_cols_n
 * can assert that fmt names every one of them. */
#define REG_NARGS(...)                                                         \
    REG_NARGS_(__VA_ARGS__, 40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29,    \
               28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, \
               12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1)
#define REG_NARGS_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13,     \
                   _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, \
                   _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, \
                   _38, _39, _40, N, ...)                                      \
    N
#define reg_cols(st, fmt, ...)                                                 \
    reg_cols_n((st), (fmt), REG_NARGS(__VA_ARGS__), __VA_ARGS__)
/* Column text that is never NULL. */
const char *reg_col_text(sqlite3_stmt *st, int col);
/* A copy of the blob of column col (never NULL; the caller frees it),
 * its size in *n. */
unsigned char *reg_col_blob(sqlite3_stmt *st, int col, size_t *n);
/* Copies column text into a fixed buffer. */
void reg_col_copy(char *dst, size_t size, sqlite3_stmt *st, int col);
/* Change-request pieces of requests.c shared with triage.c (edits):
 * the id of an instance of an organisation (ERR_INVALID naming field when
 * it is not one), the id of an active project manager (ERR_INVALID naming
 * "project_manager"), and the request's instance rows (main_inst first
 * when r->instances does not list it) and item rows with their columns.
 * The inserts run inside the caller's transaction. */
int reg_request_instance_id(registry *reg, int64_t *out, int64_t org_id,
                            const char *name, const char *field, errmsg *err);
int reg_request_pm_id(registry *reg, int64_t *out, const char *email,
                      errmsg *err);
int reg_request_rows_insert(registry *reg, int64_t req_id, int64_t org_id,
                            int64_t main_inst, const form_request *r,
                            errmsg *err);

/* The work of one submission (requests.c) inside the caller's open
 * transaction: the idempotency lookup, then every insert. Sets job->rc,
 * id, replayed and err and returns job->rc. On failure the caller rolls
 * back what the job wrote (transaction or savepoint). */
struct registry_job;
int reg_job_apply(registry *reg, struct registry_job *job);

/* Stores an attachment (with its SHA-256) of a request, or of one of its
 * comments when comment_id is not 0. Inside the caller's transaction. */
int reg_attachment_insert(registry *reg, int64_t req_id, int64_t comment_id,
                          int64_t user, const char *filename,
                          const char *content_type, const unsigned char *data,
                          size_t size, int64_t now, errmsg *err);

/* Storage (storage.c): an SQLite failure as ERR_NOSPACE, ERR_READONLY or
 * ERR_DB, noting failed writes and damage for /healthz; a commit that
 * worked; a new read-write connection's checkpointing; sqlite3_open_v2 as
 * read-only mode needs it. The process write lock (registry.c). */
int reg_storage_error(registry *reg, errmsg *err);
void reg_storage_ok(void);
void reg_storage_conn_setup(registry *reg);
int reg_storage_sqlite_open(sqlite3 **db, const char *path, int oflags);
void reg_write_lock(registry *reg);
void reg_write_unlock(registry *reg);

/* Accounts (accounts.c) shared with sessions.c: a required name of at
 * most max bytes, valid UTF-8 without control characters (ERR_INVALID
 * naming what); the columns of a user (users u LEFT JOIN organisations o)
 * and their reader; ending every usable reset link of a user. */
int reg_name_check(const char *what, const char *s, size_t max, errmsg *err);
#define REG_USER_COLS                                                          \
    "u.id, u.email, u.name, u.role, coalesce(u.org_id, 0),"                    \
    " coalesce(o.name, ''), u.active, u.must_change_password,"                 \
    " (SELECT count(*) FROM (SELECT 1 FROM inbox x WHERE x.user_id = u.id"     \
    "  AND x.read_at = 0 AND (u.role <> 'client' OR x.org_id = u.org_id)"      \
    "  LIMIT 100)), u.inbox_email"
/* The number of columns of REG_USER_COLS: what a query selects after them
 * starts there. */
#define REG_USER_NCOLS 10
void reg_user_row(registry_user *u, sqlite3_stmt *st);
int reg_resets_expire(registry *reg, int64_t user, errmsg *err);

/* Writes the inbox rows (and the e-mail outbox rows) of event event_id,
 * a docket_event, about about (inbox.h); inside the caller's
 * transaction. Called by registry_event_add. */
int reg_inbox_fanout(registry *reg, int64_t event_id, int ev,
                     const registry_event_about *about, int64_t now,
                     errmsg *err);

/* Bumps the registry generation (inside the caller's transaction). */
int reg_generation_bump(registry *reg, errmsg *err);

/* The next whitespace-separated word of search text at *p (catalog.c):
 * *start and the returned length, *p moved past it; 0 at the end.
 * *useful is 1 when the word has a letter or digit (other words are not
 * searched). Shared by the FTS5 expression and the in-memory index so
 * both see the same words. */
size_t reg_search_word(const char **p, const char **start, int *useful);
#define REG_SEARCH_MAX_WORDS 16

/* The LIKE pattern (ESCAPE '\\') of a substring q: %, _ and \ escaped,
 * wrapped in %. Caller frees (triage_sprints.c). */
char *reg_like_pattern(const char *q);

#endif
