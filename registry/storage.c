/* storage.c: read-only mode, the writability check at start-up, the
 * storage part of /healthz and the background checkpointer (contracts in
 * storage.h). registry.c calls reg_storage_error for every SQLite failure,
 * reg_storage_ok after every commit and reg_storage_conn_setup /
 * reg_storage_sqlite_open when it opens a connection. */
#include "storage.h"
#include "registry_int.h"
#include "buf.h"
#include "log.h"
#include "str.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

/* ---- read-only mode ---------------------------------------------------- */

static int ro_mode; /* set before threads start, read-only afterwards */

void registry_read_only_set(int on)
{
    ro_mode = on != 0;
}

int registry_read_only_get(void)
{
    return ro_mode;
}

/* ---- the files of a database ------------------------------------------- */

/* The directory of path ("." when it names none). */
static void dir_of(char *out, size_t size, const char *path)
{
    const char *slash = strrchr(path, '/');

    if (!slash)
        str_copy(out, size, ".");
    else if (slash == path)
        str_copy(out, size, "/");
    else
        snprintf(out, size, "%.*s", (int)(slash - path), path);
}

/* 0 when file may be written or does not exist; else errno (EROFS,
 * EACCES, EPERM for an immutable file). access(), not open(): closing a
 * descriptor of a file drops every POSIX lock the process holds on it,
 * and SQLite holds its locks on these very files. */
static int file_write_errno(const char *file)
{
    if (access(file, W_OK) == 0)
        return 0;
    return errno == ENOENT ? 0 : errno;
}

/* Which of the files cannot be written: 0, or the errno with its name in
 * what (the database, its -wal or -shm, or its directory). */
static int first_unwritable(const char *path, char *what, size_t size)
{
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    char file[4200];

    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        int e;
        snprintf(file, sizeof file, "%s%s", path, suffixes[i]);
        e = file_write_errno(file);
        if (e) {
            str_copy(what, size, file);
            return e;
        }
    }
    dir_of(file, sizeof file, path);
    if (access(file, W_OK | X_OK) != 0) {
        int e = errno;
        snprintf(what, size, "%s (the database's directory)", file);
        return e;
    }
    return 0;
}

int registry_check_writable(const char *path, errmsg *err)
{
    char what[4300];
    int e = first_unwritable(path, what, sizeof what);

    if (!e)
        return 0;
    return err_set(err, ERR_READONLY, "cannot write %s: %s", what, strerror(e));
}

/* Appends path to b as the path of an SQLite URI ('%', '?' and '#'
 * escaped). */
static void uri_path(buf *b, const char *path)
{
    buf_puts(b, path[0] == '/' ? "file://" : "file:");
    for (const char *p = path; *p; p++) {
        if (*p == '%' || *p == '?' || *p == '#')
            buf_appendf(b, "%%%02X", (unsigned char)*p);
        else
            buf_putc(b, *p);
    }
}

int reg_storage_sqlite_open(sqlite3 **db, const char *path, int oflags)
{
    char dir[4096];
    char wal[4200];
    struct stat sb;
    buf uri = {0};
    int rc;

    /* A read-only server whose directory cannot be written cannot have
       SQLite create the -shm a WAL database needs, not even to read: then
       the file cannot change under us either (no writer can make a WAL
       there), and SQLite is told so. A -wal with changes must be read,
       so then the plain read-only open is left to try. */
    dir_of(dir, sizeof dir, path);
    snprintf(wal, sizeof wal, "%s-wal", path);
    if (!ro_mode || !(oflags & SQLITE_OPEN_READONLY) ||
        access(dir, W_OK) == 0 || (stat(wal, &sb) == 0 && sb.st_size > 0))
        return sqlite3_open_v2(path, db, oflags, NULL);
    uri_path(&uri, path);
    buf_puts(&uri, "?immutable=1");
    rc = sqlite3_open_v2(buf_cstr(&uri), db, oflags | SQLITE_OPEN_URI, NULL);
    buf_dispose(&uri);
    return rc;
}

/* ---- failures ------------------------------------------------------------ */

static pthread_mutex_t st_mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_int fail_pending;       /* a failed write not yet followed by a
                                         successful one */
static int64_t failed_at, damaged_at; /* guarded by st_mu */
static char failure[128];             /* guarded by st_mu */

static void note_failure(const char *what, int damage)
{
    pthread_mutex_lock(&st_mu);
    failed_at = time_now();
    str_copy(failure, sizeof failure, what);
    if (damage && !damaged_at)
        damaged_at = failed_at;
    atomic_store(&fail_pending, 1);
    pthread_mutex_unlock(&st_mu);
}

void reg_storage_ok(void)
{
    if (!atomic_load(&fail_pending))
        return;
    pthread_mutex_lock(&st_mu);
    atomic_store(&fail_pending, 0);
    pthread_mutex_unlock(&st_mu);
}

/* Classifies the failure rc (extended code) with the errno SQLite saw. */
static int classify(registry *reg, int rc, int sys, errmsg *err)
{
    const char *msg = reg->db ? sqlite3_errmsg(reg->db) : sqlite3_errstr(rc);

    switch (rc & 0xff) {
    case SQLITE_FULL:
        note_failure("out of disk space", 0);
        return err_set(err, ERR_NOSPACE, "database: out of disk space (%s)",
                       msg);
    case SQLITE_READONLY:
        if (reg->readonly || ro_mode)
            return err_set(err, ERR_READONLY,
                           "this server is read-only: nothing can be "
                           "saved here");
        note_failure("the database cannot be written", 0);
        return err_set(err, ERR_READONLY, "database: cannot write (%s)", msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        note_failure("the database is damaged", 1);
        return err_set(err, ERR_DB, "database: damaged (%s)", msg);
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
        if (sys == ENOSPC || sys == EDQUOT) {
            note_failure("out of disk space", 0);
            return err_set(err, ERR_NOSPACE,
                           "database: out of disk space (%s: %s)", msg,
                           strerror(sys));
        }
        if (sys == EROFS) {
            note_failure("the database cannot be written", 0);
            return err_set(err, ERR_READONLY, "database: cannot write (%s)",
                           strerror(sys));
        }
        note_failure("I/O error", 0);
        return err_set(err, ERR_DB, "database: %s%s%s", msg, sys ? ": " : "",
                       sys ? strerror(sys) : "");
    default: return err_set(err, ERR_DB, "database: %s", msg);
    }
}

int reg_storage_error(registry *reg, errmsg *err)
{
    return classify(reg, sqlite3_extended_errcode(reg->db),
                    sqlite3_system_errno(reg->db), err);
}

/* ---- health ---------------------------------------------------------------
 */

static void reason_add(registry_health *h, const char *text)
{
    size_t n = strlen(h->reason);

    h->ok = 0;
    snprintf(h->reason + n, sizeof h->reason - n, "%s%s", n ? "; " : "", text);
}

static void stamp(char *out, size_t size, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void registry_health_get(registry *reg, int64_t min_free_bytes,
                         registry_health *out)
{
    const char *path = sqlite3_db_filename(reg->db, "main");
    char dir[4096], what[4300], text[400], when[32];
    struct statvfs vfs;
    struct stat sb;
    int e = 0;

    memset(out, 0, sizeof *out);
    out->ok = 1;
    out->writable = 1;
    out->free_bytes = -1;
    out->read_only = ro_mode;
    if (!path || !*path)
        return;
    dir_of(dir, sizeof dir, path);
    if (statvfs(dir, &vfs) == 0)
        out->free_bytes = (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize;
    snprintf(what, sizeof what, "%s-wal", path);
    if (stat(what, &sb) == 0)
        out->wal_bytes = (int64_t)sb.st_size;
    pthread_mutex_lock(&st_mu);
    if (atomic_load(&fail_pending)) {
        out->failed_at = failed_at;
        str_copy(out->failure, sizeof out->failure, failure);
    }
    out->damaged_at = damaged_at;
    pthread_mutex_unlock(&st_mu);
    if (out->damaged_at) {
        stamp(when, sizeof when, out->damaged_at);
        snprintf(text, sizeof text,
                 "the database is damaged (found at %s): restore a backup",
                 when);
        reason_add(out, text);
    }
    if (ro_mode)
        return; /* writes are refused by design; the rest is moot */
    e = first_unwritable(path, what, sizeof what);
    if (e) {
        const char *base = strrchr(what, '/');
        out->writable = 0;
        /* The name without its directory: /healthz is public. */
        snprintf(out->why_not, sizeof out->why_not, "%.80s: %.70s",
                 base ? base + 1 : what, strerror(e));
        snprintf(text, sizeof text, "not writable (%s)", out->why_not);
        reason_add(out, text);
    }
    if (min_free_bytes > 0 && out->free_bytes >= 0 &&
        out->free_bytes < min_free_bytes) {
        snprintf(text, sizeof text,
                 "disk nearly full: %lld KiB free, less than the %lld KiB "
                 "asked for",
                 (long long)(out->free_bytes / 1024),
                 (long long)(min_free_bytes / 1024));
        reason_add(out, text);
    }
    if (out->failed_at && out->failure[0]) {
        stamp(when, sizeof when, out->failed_at);
        snprintf(text, sizeof text, "the last write failed at %s: %s", when,
                 out->failure);
        reason_add(out, text);
    }
}

/* ---- the checkpointer ------------------------------------------------- */

static struct {
    atomic_int active;   /* connections opened now use the hook */
    atomic_int nudged;   /* a commit asked for a checkpoint */
    atomic_long commits; /* commits seen by the hook */
    atomic_int frames;   /* frames in the WAL after the last commit */
    int nudge_frames;    /* frames in the WAL that ask for one */
    int limit_frames;    /* frames after which the WAL is restarted */
    int hard_frames;     /* frames at which the writer catches up itself */
    int64_t limit;       /* wal_limit, bytes */
    int interval_ms;
    registry *reg; /* the thread's own connection (no busy handler) */
    pthread_t thread;
    pthread_mutex_t mu; /* guards stop and the condition */
    pthread_cond_t cond;
    int stop;
} ck = {.mu = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

/* SQLite calls this after every commit in WAL mode, on the committing
 * thread, instead of its own auto-checkpoint: it must stay cheap. */
static int wal_hook(void *ctx, sqlite3 *db, const char *name, int frames)
{
    (void)ctx;
    (void)db;
    (void)name;
    atomic_fetch_add_explicit(&ck.commits, 1, memory_order_relaxed);
    atomic_store_explicit(&ck.frames, frames, memory_order_relaxed);
    if (frames >= ck.nudge_frames && !atomic_exchange(&ck.nudged, 1)) {
        pthread_mutex_lock(&ck.mu);
        pthread_cond_signal(&ck.cond);
        pthread_mutex_unlock(&ck.mu);
    }
    return SQLITE_OK;
}

void reg_storage_conn_setup(registry *reg)
{
    char sql[64];

    if (!atomic_load(&ck.active)) {
        /* Without the checkpointer (the command line, other programs):
           SQLite checkpoints on commit, every 10,000 pages (~40 MB),
           which batches the copying of the same index pages. */
        sqlite3_wal_autocheckpoint(reg->db, 10000);
        return;
    }
    sqlite3_wal_hook(reg->db, wal_hook, NULL);
    snprintf(sql, sizeof sql, "PRAGMA journal_size_limit = %lld",
             (long long)ck.limit);
    sqlite3_exec(reg->db, sql, NULL, NULL, NULL);
}

void registry_release_memory(registry *reg)
{
    if (reg)
        sqlite3_db_release_memory(reg->db);
}

/* One checkpoint of mode; the frames in the WAL and those copied. */
static int checkpoint_mode(int mode, int *log, int *done)
{
    int rc;

    *log = *done = 0;
    rc = sqlite3_wal_checkpoint_v2(ck.reg->db, NULL, mode, log, done);
    /* A checkpoint that works proves little (it may copy nothing, or
       only into pages that exist): only a commit clears a failure. */
    if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED) {
        errmsg err = {0};
        classify(ck.reg, sqlite3_extended_errcode(ck.reg->db),
                 sqlite3_system_errno(ck.reg->db), &err);
        log_warn("checkpoint: %s", err.msg);
    }
    return rc;
}

static int checkpoint(int *log, int *done)
{
    return checkpoint_mode(SQLITE_CHECKPOINT_PASSIVE, log, done);
}

/* One round while commits keep coming. A PASSIVE checkpoint copies the
 * WAL up to its end when it starts, without waiting for anyone; the
 * writer appends meanwhile, so with a steady stream no checkpoint ever
 * finds the WAL fully copied when the next transaction starts, and the
 * WAL never starts over (it grew by the whole stream). So once the WAL
 * is at its limit, PASSIVE checkpoints follow each other until one finds
 * little new (each copies only what was committed during the one
 * before), and the last, small one runs between two transactions under
 * the process's write lock: the writer waits for that copy of a few
 * pages and the database's sync, not for the WAL's; its next
 * transaction starts the WAL over. A reader holding an older snapshot
 * stops any checkpoint short of the WAL's end: then nothing is locked
 * (it would not help) and the WAL grows until the reader is done. */
static void ck_round(void)
{
    int log_frames, done_frames, prev, left = INT_MAX;
    int small = ck.limit_frames / 8;

    if (checkpoint(&log_frames, &done_frames) != SQLITE_OK ||
        log_frames < ck.limit_frames || done_frames < log_frames)
        return;
    /* What each copies is what came during the one before: go on while
       that shrinks, at most twice more. */
    for (int i = 0; i < 2; i++) {
        prev = log_frames;
        if (checkpoint(&log_frames, &done_frames) != SQLITE_OK ||
            done_frames < log_frames)
            return; /* a reader: nothing to finish */
        if (log_frames - prev <= small || log_frames - prev >= left)
            break;
        left = log_frames - prev;
    }
    reg_write_lock(ck.reg);
    checkpoint(&log_frames, &done_frames);
    reg_write_unlock(ck.reg);
}

/* When writes pause: the whole WAL copied and the file cut to nothing,
 * without waiting for readers (none may be waited for: the write lock
 * is held meanwhile) or for a writer. 1 when done; 0 when a reader or
 * another process kept it from completing (try again later). */
static int ck_idle(void)
{
    int log_frames, done_frames, rc;

    reg_write_lock(ck.reg);
    rc = checkpoint_mode(SQLITE_CHECKPOINT_TRUNCATE, &log_frames, &done_frames);
    reg_write_unlock(ck.reg);
    return rc == SQLITE_OK;
}

void registry_wal_bound(registry *reg)
{
    int log_frames = 0, done_frames = 0;

    if (!atomic_load(&ck.active) ||
        atomic_load_explicit(&ck.frames, memory_order_relaxed) < ck.hard_frames)
        return;
    /* The checkpointer fell behind (a busy machine, a long first copy):
       this copy of what it has not yet copied is the bound. */
    atomic_store_explicit(&ck.frames, 0, memory_order_relaxed);
    sqlite3_wal_checkpoint_v2(reg->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
                              &log_frames, &done_frames);
}

static void *ck_main(void *arg)
{
    long seen = -1, truncated = -1;

    (void)arg;
    pthread_mutex_lock(&ck.mu);
    while (!ck.stop) {
        struct timespec until;
        long now;
        int nudged, idle;
        if (!atomic_load(&ck.nudged)) {
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += (long)(ck.interval_ms % 1000) * 1000000L;
            until.tv_sec += ck.interval_ms / 1000 + until.tv_nsec / 1000000000L;
            until.tv_nsec %= 1000000000L;
            pthread_cond_timedwait(&ck.cond, &ck.mu, &until);
        }
        if (ck.stop)
            break;
        nudged = atomic_exchange(&ck.nudged, 0);
        pthread_mutex_unlock(&ck.mu);
        /* While commits keep coming, wait for the WAL to reach its limit:
           each checkpoint copies every page written since the last one,
           and the same index pages are written over and over, so fewer
           checkpoints copy less (see registry.c). When writes pause,
           checkpoint what is left so the next write starts the WAL over. */
        now = atomic_load_explicit(&ck.commits, memory_order_relaxed);
        idle = now == seen && !nudged;
        if (idle && now != truncated) {
            if (ck_idle())
                truncated = now;
        } else if (nudged || idle) {
            ck_round();
        }
        seen = now;
        pthread_mutex_lock(&ck.mu);
    }
    pthread_mutex_unlock(&ck.mu);
    return NULL;
}

int registry_checkpointer_start(const char *path, int interval_ms,
                                int64_t wal_limit, errmsg *err)
{
    static const char page_sql[] = "PRAGMA page_size";
    int64_t n = 0;
    int page = 4096, rc;

    if (atomic_load(&ck.active))
        return 0;
    rc = registry_open(&ck.reg, path, REGISTRY_NOCREATE, err);
    if (rc < 0)
        return rc;
    /* Without an answer the common page size is close enough. */
    if (reg_count(ck.reg, reg_stmt_get(ck.reg, page_sql, NULL), &n, NULL) ==
            0 &&
        n > 0 && n <= 65536)
        page = (int)n;
    /* Its checkpoints never wait: a TRUNCATE that meets a reader or a
       writer of another process gives up at once (and copies what it
       can, like a PASSIVE one) rather than hold the write lock. */
    sqlite3_busy_handler(ck.reg->db, NULL, NULL);
    ck.limit = wal_limit;
    ck.interval_ms = interval_ms > 0 ? interval_ms : 500;
    ck.limit_frames = (int)(wal_limit / (page + 24));
    if (ck.limit_frames < 16)
        ck.limit_frames = 16;
    ck.nudge_frames = ck.limit_frames;
    ck.hard_frames = 4 * ck.limit_frames;
    atomic_store(&ck.frames, 0);
    ck.stop = 0;
    atomic_store(&ck.nudged, 0);
    /* The thread's own connection is the one opened before: it does not
       need the hook. */
    atomic_store(&ck.active, 1);
    if (pthread_create(&ck.thread, NULL, ck_main, NULL) != 0) {
        atomic_store(&ck.active, 0);
        registry_close(ck.reg);
        ck.reg = NULL;
        return err_set(err, ERR_INTERNAL, "cannot start the checkpointer");
    }
    return 0;
}

void registry_checkpointer_stop(void)
{
    if (!atomic_load(&ck.active))
        return;
    pthread_mutex_lock(&ck.mu);
    ck.stop = 1;
    pthread_cond_signal(&ck.cond);
    pthread_mutex_unlock(&ck.mu);
    pthread_join(ck.thread, NULL);
    atomic_store(&ck.active, 0);
    registry_close(ck.reg);
    ck.reg = NULL;
}
