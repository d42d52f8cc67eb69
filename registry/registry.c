/* registry.c: opening the database, schema upgrades, transactions, the
 * statement cache and small helpers used by the other files of registry/
 * (declared in registry_int.h). The schema itself is in schema.c. */
#include "registry_int.h"
#include "requests.h"
#include "storage.h"
#include "mem.h"
#include "str.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

extern const char *const reg_schema_steps[];
extern const int reg_schema_nsteps;

int reg_db_error(registry *reg, errmsg *err)
{
    int ext = sqlite3_extended_errcode(reg->db);

    if ((ext & 0xff) == SQLITE_CONSTRAINT)
        return err_set(err, ERR_CONFLICT, "%s", sqlite3_errmsg(reg->db));
    /* ERR_NOSPACE for a full disk, ERR_READONLY, else ERR_DB; failed
       writes and damage are noted for /healthz (storage.c). */
    return reg_storage_error(reg, err);
}

sqlite3_stmt *reg_stmt_get(registry *reg, const char *sql, errmsg *err)
{
    sqlite3_stmt *st = NULL;

    assert(reg && sql);
    for (size_t i = 0; i < reg->nstmts; i++) {
        if (reg->stmts[i].sql == sql) {
            st = reg->stmts[i].st;
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return st;
        }
    }
    if (sqlite3_prepare_v3(reg->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
                           NULL) != SQLITE_OK) {
        reg_db_error(reg, err);
        sqlite3_finalize(st);
        return NULL;
    }
    xgrow(&reg->stmts, &reg->cap, reg->nstmts + 1, sizeof *reg->stmts);
    reg->stmts[reg->nstmts].sql = sql;
    reg->stmts[reg->nstmts].st = st;
    reg->nstmts++;
    return st;
}

void reg_done(sqlite3_stmt *st)
{
    if (st)
        sqlite3_reset(st);
}

int reg_each(registry *reg, sqlite3_stmt *st,
             int (*row)(sqlite3_stmt *st, void *ctx), void *ctx, errmsg *err)
{
    int rc, sr;

    assert(row);
    if (!st)
        return ERR_DB;
    while ((sr = sqlite3_step(st)) == SQLITE_ROW) {
        rc = row(st, ctx);
        if (rc < 0) {
            reg_done(st);
            return rc;
        }
    }
    rc = sr == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    return rc;
}

int reg_one(registry *reg, sqlite3_stmt *st,
            int (*row)(sqlite3_stmt *st, void *ctx), void *ctx, errmsg *err)
{
    int rc, sr;

    if (!st)
        return ERR_DB;
    sr = sqlite3_step(st);
    if (sr == SQLITE_ROW)
        rc = row ? row(st, ctx) : 0;
    else if (sr == SQLITE_DONE)
        rc = ERR_NOTFOUND;
    else
        rc = reg_db_error(reg, err);
    reg_done(st);
    return rc;
}

int reg_param(sqlite3_stmt *st, const char *name)
{
    int i = sqlite3_bind_parameter_index(st, name);

    assert(i > 0 && "unknown SQL parameter");
    return i;
}

/* The binders pass a NULL statement over (see registry_int.h). */
void reg_bind_text(sqlite3_stmt *st, const char *name, const char *v)
{
    if (st)
        sqlite3_bind_text(st, reg_param(st, name), v ? v : "", -1,
                          SQLITE_TRANSIENT);
}

void reg_bind_int(sqlite3_stmt *st, const char *name, int64_t v)
{
    if (st)
        sqlite3_bind_int64(st, reg_param(st, name), v);
}

void reg_bind_null(sqlite3_stmt *st, const char *name)
{
    if (st)
        sqlite3_bind_null(st, reg_param(st, name));
}

void reg_bind_id(sqlite3_stmt *st, const char *name, int64_t v)
{
    if (v)
        reg_bind_int(st, name, v);
    else
        reg_bind_null(st, name);
}

void reg_bind_scope(sqlite3_stmt *st, int64_t org_id, const char *instance,
                    const char *table)
{
    reg_bind_int(st, ":org", org_id);
    if (instance)
        reg_bind_text(st, ":inst", instance);
    if (table)
        reg_bind_text(st, ":table", table);
}

void reg_bind_args(sqlite3_stmt *st, const reg_arg *args)
{
    for (const reg_arg *a = args; a->name; a++) {
        switch (a->kind) {
        case 'i': reg_bind_int(st, a->name, a->i); break;
        case 't': reg_bind_text(st, a->name, a->t); break;
        case 'z':
            if (a->t)
                reg_bind_text(st, a->name, a->t);
            else
                reg_bind_null(st, a->name);
            break;
        case 'd': reg_bind_id(st, a->name, a->i); break;
        case '0': reg_bind_null(st, a->name); break;
        default: assert(!"reg_bind_args: unknown kind");
        }
    }
}

void reg_cols_n(sqlite3_stmt *st, const char *fmt, int nargs, ...)
{
    va_list ap;
    int want = 0;

    /* At most one letter for every column of the statement, and one
     * pointer for every letter (two for 'c'). */
    assert(strlen(fmt) <= (size_t)sqlite3_column_count(st));
    for (int i = 0; fmt[i]; i++)
        want += fmt[i] == 'c' ? 2 : 1;
    assert(want == nargs);
    (void)want;
    va_start(ap, nargs);
    for (int i = 0; fmt[i]; i++) {
        const char *t = NULL;
        if (fmt[i] != 'i' && fmt[i] != 'n' && fmt[i] != 'b' && fmt[i] != 'c')
            t = (const char *)sqlite3_column_text(st, i);
        switch (fmt[i]) {
        case 'i': *va_arg(ap, int64_t *) = sqlite3_column_int64(st, i); break;
        case 'n': *va_arg(ap, int *) = sqlite3_column_int(st, i); break;
        case 'b': *va_arg(ap, int *) = sqlite3_column_int(st, i) != 0; break;
        case 't': *va_arg(ap, const char **) = t ? t : ""; break;
        case 'z': *va_arg(ap, const char **) = t; break;
        case 'd': *va_arg(ap, char **) = xstrdup(t ? t : ""); break;
        case 'D': *va_arg(ap, char **) = t ? xstrdup(t) : NULL; break;
        case 'c': {
            char *dst = va_arg(ap, char *);
            size_t size = va_arg(ap, size_t);

            reg_col_copy(dst, size, st, i);
            break;
        }
        default: assert(!"reg_cols: unknown column kind");
        }
    }
    va_end(ap);
}

sqlite3_stmt *reg_stmt_bind(registry *reg, const char *sql, errmsg *err,
                            const reg_arg *args)
{
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);

    reg_bind_args(st, args);
    return st;
}

int reg_exec_bound(registry *reg, sqlite3_stmt *st, errmsg *err)
{
    int rc;

    if (!st)
        return ERR_DB;
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        rc = sqlite3_changes(reg->db);
    else
        rc = reg_db_error(reg, err);
    reg_done(st);
    return rc;
}

int reg_exec_count(registry *reg, sqlite3_stmt *st, int64_t *out_n, errmsg *err)
{
    int rc = reg_exec_bound(reg, st, err);

    if (rc >= 0 && out_n)
        *out_n = rc;
    return rc < 0 ? rc : 0;
}

unsigned char *reg_col_blob(sqlite3_stmt *st, int col, size_t *n)
{
    const void *p = sqlite3_column_blob(st, col);
    unsigned char *copy;

    *n = (size_t)sqlite3_column_bytes(st, col);
    copy = xmalloc(*n ? *n : 1);
    if (*n)
        memcpy(copy, p, *n);
    return copy;
}

int reg_insert(registry *reg, sqlite3_stmt *st, int64_t *out_id, errmsg *err)
{
    int rc = reg_exec_bound(reg, st, err);

    if (rc < 0)
        return rc;
    if (out_id)
        *out_id = sqlite3_last_insert_rowid(reg->db);
    return 0;
}

static int count_row(sqlite3_stmt *st, void *ctx)
{
    *(int64_t *)ctx = sqlite3_column_int64(st, 0);
    return 0;
}

int reg_count(registry *reg, sqlite3_stmt *st, int64_t *out, errmsg *err)
{
    int64_t v = 0;
    int rc = reg_one(reg, st, count_row, &v, err);

    assert(out);
    if (rc == 0)
        *out = v;
    return rc;
}

int reg_exec(registry *reg, const char *sql, errmsg *err)
{
    int rc = reg_exec_bound(reg, reg_stmt_get(reg, sql, err), err);

    return rc < 0 ? rc : 0;
}

const char *reg_col_text(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);

    return t ? (const char *)t : "";
}

void reg_col_copy(char *dst, size_t size, sqlite3_stmt *st, int col)
{
    str_copy(dst, size, reg_col_text(st, col));
}

static int exec_script(registry *reg, const char *sql, errmsg *err)
{
    char *msg = NULL;

    if (sqlite3_exec(reg->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        err_set(err, ERR_DB, "database: %s", msg ? msg : "error");
        sqlite3_free(msg);
        return ERR_DB;
    }
    return 0;
}

int registry_schema_version(registry *reg)
{
    static const char sql[] = "PRAGMA user_version";
    int64_t v = -1;

    if (reg_count(reg, reg_stmt_get(reg, sql, NULL), &v, NULL) < 0)
        return -1;
    return (int)v;
}

static int upgrade(registry *reg, errmsg *err)
{
    int v = registry_schema_version(reg);

    if (v < 0)
        return err_set(err, ERR_DB, "cannot read the schema version");
    if (v > reg_schema_nsteps)
        return err_set(err, ERR_INVALID,
                       "this database has schema version %d, newer than "
                       "this docket understands (%d): use a newer docket",
                       v, reg_schema_nsteps);
    for (; v < reg_schema_nsteps; v++) {
        char bump[64];
        int rc = exec_script(reg, "BEGIN IMMEDIATE", err);

        if (rc < 0)
            return ERR_DB;
        rc = exec_script(reg, reg_schema_steps[v + 1], err);
        snprintf(bump, sizeof bump, "PRAGMA user_version = %d", v + 1);
        if (rc == 0)
            rc = exec_script(reg, bump, err);
        if (rc == 0)
            rc = exec_script(reg, "COMMIT", err);
        if (rc < 0) {
            exec_script(reg, "ROLLBACK", NULL);
            return rc;
        }
    }
    return 0;
}

/* How long a statement waits for another connection's lock before
 * SQLITE_BUSY (what sqlite3_busy_timeout(5000) gave before). */
#define BUSY_LIMIT_US 5000000

/* SQLite's default busy handler sleeps 1, 2, 5, 10 ... 100 ms between
 * tries: a writer waiting for another writer's 1 ms transaction lost tens
 * of milliseconds. This one yields, then sleeps 50 us doubling up to 1 ms,
 * for at most BUSY_LIMIT_US in total. */
static int busy_wait(void *ctx, int count)
{
    registry *reg = ctx;
    int64_t now = time_mono_us();
    int64_t us = 50;
    struct timespec ts;

    if (count == 0)
        reg->busy_since_us = now;
    else if (now - reg->busy_since_us >= BUSY_LIMIT_US)
        return 0;
    if (count < 2) {
        sched_yield();
        return 1;
    }
    for (int i = 2; i < count && us < 1000; i++)
        us *= 2;
    if (us > 1000)
        us = 1000;
    ts.tv_sec = 0;
    ts.tv_nsec = (long)us * 1000;
    nanosleep(&ts, NULL);
    return 1;
}

/* Write transactions of this process take this lock first (registry_begin
 * to registry_commit/registry_rollback), so two threads never meet on
 * SQLite's write lock and hand over without busy-handler sleeps. A
 * transaction left open by a bug would block the others only up to the
 * timeout, after which they fall back to SQLite's locking as before. */
static pthread_mutex_t write_mu = PTHREAD_MUTEX_INITIALIZER;

static void write_lock(registry *reg)
{
    struct timespec until;

    if (reg->holds_write_mu)
        return;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += BUSY_LIMIT_US / 1000000;
    if (pthread_mutex_timedlock(&write_mu, &until) == 0)
        reg->holds_write_mu = 1;
}

static void write_unlock(registry *reg)
{
    if (!reg->holds_write_mu)
        return;
    reg->holds_write_mu = 0;
    pthread_mutex_unlock(&write_mu);
}

void reg_write_lock(registry *reg)
{
    write_lock(reg);
}

void reg_write_unlock(registry *reg)
{
    write_unlock(reg);
}

/* SQLite counts every allocation in global statistics under one mutex
 * unless told not to; nothing here reads them, and with several threads
 * inserting and reading at once that mutex was contended (futex waits in
 * profiles of concurrent submissions). Must precede sqlite3_initialize:
 * once SQLite is initialised the call is refused, harmlessly. */
static pthread_once_t config_once = PTHREAD_ONCE_INIT;

static void sqlite_config(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int registry_open(registry **out, const char *path, int flags, errmsg *err)
{
    registry *reg;
    int oflags = SQLITE_OPEN_NOMUTEX;
    int rc = 0;
    struct stat sb;

    pthread_once(&config_once, sqlite_config);
    reg = xcalloc(1, sizeof *reg);
    if (registry_read_only_get())
        flags |= REGISTRY_READONLY; /* docket serve --read-only */
    if (flags & REGISTRY_READONLY)
        oflags |= SQLITE_OPEN_READONLY;
    else if (flags & REGISTRY_NOCREATE)
        oflags |= SQLITE_OPEN_READWRITE;
    else
        oflags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if ((flags & (REGISTRY_READONLY | REGISTRY_NOCREATE)) &&
        stat(path, &sb) != 0) {
        rc = err_set(err, ERR_NOTFOUND, "no database at %s", path);
        goto done;
    }
    reg->readonly = (flags & REGISTRY_READONLY) != 0;
    if (reg_storage_sqlite_open(&reg->db, path, oflags) != SQLITE_OK) {
        rc = err_set(err, ERR_DB, "cannot open database %s: %s", path,
                     reg->db ? sqlite3_errmsg(reg->db) : "out of memory");
        goto done;
    }
    sqlite3_extended_result_codes(reg->db, 1);
    /* busy_timeout first: several threads may open the file at once and
       the journal_mode change needs a lock. */
    sqlite3_busy_handler(reg->db, busy_wait, reg);
    rc = exec_script(reg, "PRAGMA foreign_keys = ON", err);
    if (rc < 0)
        goto done;
    if (!reg->readonly) {
        rc = exec_script(reg, "PRAGMA journal_mode = WAL", err);
        if (rc == 0)
            rc = exec_script(reg, "PRAGMA synchronous = FULL", err);
        if (rc < 0)
            goto done;
        /* Who checkpoints, and when (storage.c): SQLite on commit every
           10,000 pages (~40 MB of WAL; a submission writes ~30 pages,
           mostly the same index leaves, which a checkpoint then copies
           once instead of ten times: 870 -> 1020 submissions/s), or, in
           the server, the background checkpointer that keeps the WAL
           bounded without stalling the writer. */
        reg_storage_conn_setup(reg);
        rc = upgrade(reg, err);
        if (rc < 0)
            goto done;
    } else {
        int v = registry_schema_version(reg);
        if (v > reg_schema_nsteps) {
            rc = err_set(err, ERR_INVALID,
                         "this database has schema version %d, newer than "
                         "this docket understands (%d)",
                         v, reg_schema_nsteps);
            goto done;
        }
        if (v < 1) {
            rc = err_set(err, ERR_INVALID, "%s is not a docket database", path);
            goto done;
        }
    }
done:
    if (rc < 0) {
        registry_close(reg);
        return rc;
    }
    *out = reg;
    return 0;
}

void registry_close(registry *reg)
{
    if (!reg)
        return;
    write_unlock(reg);
    for (size_t i = 0; i < reg->nstmts; i++)
        sqlite3_finalize(reg->stmts[i].st);
    free(reg->stmts);
    sqlite3_close(reg->db);
    registry_index_release(reg->index);
    free(reg);
}

int registry_ping(registry *reg, errmsg *err)
{
    static const char sql[] = "SELECT count(*) FROM meta";
    int64_t n;

    return reg_count(reg, reg_stmt_get(reg, sql, err), &n, err);
}

int registry_begin(registry *reg, errmsg *err)
{
    static const char sql[] = "BEGIN IMMEDIATE";
    int rc;

    if (reg->readonly)
        return err_set(err, ERR_READONLY,
                       registry_read_only_get()
                           ? "this server is read-only: nothing can be "
                             "saved here"
                           : "the database is open read-only");
    write_lock(reg);
    rc = reg_exec(reg, sql, err);
    if (rc < 0 && sqlite3_get_autocommit(reg->db))
        write_unlock(reg);
    return rc;
}

int registry_commit(registry *reg, errmsg *err)
{
    static const char sql[] = "COMMIT";
    /* The search rows of the requests of the transaction (requests.h). */
    int rc = registry_search_flush(reg, err);

    if (rc == 0)
        rc = reg_exec(reg, sql, err);

    if (rc < 0) {
        registry_rollback(reg);
    } else {
        reg_storage_ok();
        if (sqlite3_get_autocommit(reg->db))
            write_unlock(reg);
    }
    return rc;
}

void registry_rollback(registry *reg)
{
    if (!sqlite3_get_autocommit(reg->db))
        exec_script(reg, "ROLLBACK", NULL);
    if (sqlite3_get_autocommit(reg->db))
        write_unlock(reg);
}

int64_t registry_generation(registry *reg)
{
    static const char sql[] =
        "SELECT (SELECT value FROM meta WHERE key = 'generation') * 4294967296"
        " + coalesce((SELECT value FROM meta WHERE key = 'requests'), 0)";
    int64_t g = -1;

    if (reg_count(reg, reg_stmt_get(reg, sql, NULL), &g, NULL) < 0)
        return -1;
    return g;
}

int64_t registry_table_version(registry *reg, const char *instance,
                               const char *table, int with_card)
{
    /* One seek per name and per scope (schema step 13). */
    /* (scope u: the names of users, shown in the history; step 17) */
    static const char sql_json[] =
        "SELECT max(coalesce((SELECT v FROM cache_versions"
        "  WHERE scope = 't' || t.id), 0),"
        " coalesce((SELECT v FROM cache_versions WHERE scope = 'u'), 0))"
        " FROM instances i JOIN reg_tables t ON t.instance_id = i.id"
        " WHERE i.name = :inst AND t.name = :table";
    static const char sql_card[] =
        "SELECT max(coalesce((SELECT v FROM cache_versions"
        "  WHERE scope = 't' || t.id), 0),"
        " coalesce((SELECT v FROM cache_versions"
        "  WHERE scope = 'd' || i.id), 0),"
        " coalesce((SELECT v FROM cache_versions"
        "  WHERE scope = 'o' || i.org_id || ':' || lower(t.name)), 0),"
        " coalesce((SELECT v FROM cache_versions WHERE scope = 'u'), 0))"
        " FROM instances i JOIN reg_tables t ON t.instance_id = i.id"
        " WHERE i.name = :inst AND t.name = :table";
    int64_t v = -1;

    if (reg_count(reg,
                  reg_stmt(reg, with_card ? sql_card : sql_json, NULL,
                           REG_TEXT(":inst", instance),
                           REG_TEXT(":table", table)),
                  &v, NULL) < 0)
        return -1;
    return v;
}

int64_t registry_lookup_version(registry *reg, const char *instance,
                                int64_t org_id)
{
    static const char sql[] =
        "SELECT coalesce((SELECT v FROM cache_versions WHERE scope ="
        " CASE WHEN :inst <> '' THEN 'l' || (SELECT id FROM instances"
        "  WHERE name = :inst) WHEN :org <> 0 THEN 'n' || :org ELSE 'n' END),"
        " 0)";
    int64_t v = -1;

    if (reg_count(reg,
                  reg_stmt(reg, sql, NULL, REG_TEXT(":inst", instance),
                           REG_INT(":org", org_id)),
                  &v, NULL) < 0)
        return -1;
    return v;
}

int reg_generation_bump(registry *reg, errmsg *err)
{
    static const char sql[] =
        "UPDATE meta SET value = value + 1 WHERE key = 'generation'";

    return reg_exec(reg, sql, err);
}

/* The first row of integrity_check: "ok", or the first problem. */
static int integrity_row(sqlite3_stmt *st, void *ctx)
{
    errmsg *err = ctx;

    if (strcmp(reg_col_text(st, 0), "ok") != 0)
        return err_set(err, ERR_DB, "integrity_check: %s", reg_col_text(st, 0));
    return 0;
}

/* Any row of foreign_key_check is a broken reference. */
static int fk_row(sqlite3_stmt *st, void *ctx)
{
    return err_set(ctx, ERR_DB, "foreign_key_check: table %s row %lld",
                   reg_col_text(st, 0), (long long)sqlite3_column_int64(st, 1));
}

int registry_integrity(registry *reg, errmsg *err)
{
    static const char q1[] = "PRAGMA integrity_check";
    static const char q2[] = "PRAGMA foreign_key_check";
    int rc = reg_one(reg, reg_stmt_get(reg, q1, err), integrity_row, err, err);

    if (rc == ERR_NOTFOUND)
        rc = err_set(err, ERR_DB, "integrity_check: no answer");
    if (rc < 0)
        return rc;
    /* A check that could not run is not a clean one. */
    rc = reg_one(reg, reg_stmt_get(reg, q2, err), fk_row, err, err);
    return rc == ERR_NOTFOUND ? 0 : rc;
}
