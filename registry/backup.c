/* backup.c: copies of the database and their way back. registry_backup
 * copies the open database in one read transaction into a temporary file
 * beside the target and renames it into place; registry_restore replaces
 * a database file by a backup while holding the database's lock, which
 * `docket serve` holds shared for its lifetime (registry_serve_lock).
 * The commands are in app/cmd_accounts.c and app/cmd_serve.c. */
#include "registry_int.h"
#include "str.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_INFIX   ".tmp-"
#define LOCK_SUFFIX ".lock"

/* ---- the temporary file ----------------------------------------------------
 *
 * A copy is written to PATH.tmp-XXXXXX beside its target, fsynced and
 * renamed over the target, so the target is either the old file or the
 * whole new one. While SQLite writes it, it may have PATH.tmp-XXXXXX-wal,
 * -shm and -journal beside it. The writer holds flock(LOCK_EX) on its
 * temporary file until it is renamed or removed; a temporary file that
 * nobody holds was left by a process that died (SIGKILL cannot be cleaned
 * up after), and the next copy to PATH removes it and its companions.
 * SIGINT/SIGTERM handlers call registry_backup_cleanup(), which removes
 * the files of the copy under way.
 */

static const char *const companion[] = {"", "-wal", "-shm", "-journal"};
#define NCOMPANION (sizeof companion / sizeof *companion)

static pthread_mutex_t sig_mu = PTHREAD_MUTEX_INITIALIZER;
static char sig_tmp[NCOMPANION][PATH_MAX + 48]; /* the files to remove */
static volatile sig_atomic_t sig_tmp_set;       /* 1 while sig_tmp is in use */
static int sig_tmp_mine; /* (under sig_mu) a copy owns it */

void registry_backup_cleanup(void)
{
    if (!sig_tmp_set)
        return;
    for (size_t i = 0; i < NCOMPANION; i++)
        unlink(sig_tmp[i]); /* async-signal-safe */
}

/* Registers tmp for registry_backup_cleanup; 1 when it did (only one copy
 * of a process at a time can be cleaned up after by a signal). */
static int sig_register(const char *tmp)
{
    int mine = 0;

    pthread_mutex_lock(&sig_mu);
    if (!sig_tmp_mine && strlen(tmp) < PATH_MAX + 32) {
        for (size_t i = 0; i < NCOMPANION; i++)
            snprintf(sig_tmp[i], sizeof sig_tmp[i], "%s%s", tmp, companion[i]);
        sig_tmp_set = 1;
        sig_tmp_mine = mine = 1;
    }
    pthread_mutex_unlock(&sig_mu);
    return mine;
}

static void sig_unregister(int mine)
{
    if (!mine)
        return;
    pthread_mutex_lock(&sig_mu);
    sig_tmp_set = 0;
    sig_tmp_mine = 0;
    pthread_mutex_unlock(&sig_mu);
}

/* Removes a temporary file's companions, then the file itself. */
static void unlink_with_companions(const char *name)
{
    for (size_t i = NCOMPANION; i-- > 0;) {
        char p[PATH_MAX + NAME_MAX + 16];
        if (snprintf(p, sizeof p, "%s%s", name, companion[i]) < (int)sizeof p)
            unlink(p);
    }
}

typedef struct tmp_copy {
    char path[PATH_MAX + 32];
    int fd;     /* open, flock(LOCK_EX) held; -1 when none */
    int signal; /* registered with sig_register */
} tmp_copy;

/* 1 when name still names the file open as fd. */
static int same_file(const char *name, int fd)
{
    struct stat a, b;

    return stat(name, &a) == 0 && fstat(fd, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

/* Splits path into its directory ("." when none) and its last part. */
static int split_path(char *dir, size_t dsize, const char **base,
                      const char *path)
{
    const char *slash = strrchr(path, '/');

    if (!slash) {
        *base = path;
        return snprintf(dir, dsize, ".") >= (int)dsize ? -1 : 0;
    }
    *base = slash + 1;
    if (slash == path)
        return snprintf(dir, dsize, "/") >= (int)dsize ? -1 : 0;
    if ((size_t)(slash - path) >= dsize)
        return -1;
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';
    return 0;
}

/* Removes the files PATH.tmp-* that no running copy holds: temporary
 * files (PATH.tmp- and letters or digits) whose lock is free, with their
 * companions, and companions whose temporary file is gone. */
static void sweep_stale(const char *path)
{
    char dir[PATH_MAX], prefix[NAME_MAX + 8];
    const char *base;
    struct dirent *e;
    DIR *d;

    if (split_path(dir, sizeof dir, &base, path) < 0 ||
        snprintf(prefix, sizeof prefix, "%s" TMP_INFIX, base) >=
            (int)sizeof prefix)
        return;
    d = opendir(dir);
    if (!d)
        return;
    while ((e = readdir(d))) {
        char name[PATH_MAX + NAME_MAX + 2];
        const char *dash;
        int fd;
        if (strncmp(e->d_name, prefix, strlen(prefix)) ||
            snprintf(name, sizeof name, "%s/%s", dir, e->d_name) >=
                (int)sizeof name)
            continue;
        dash = strchr(e->d_name + strlen(prefix), '-');
        if (dash) {
            /* A companion: only when its temporary file is gone (a running
               copy removes its companions before its file). */
            struct stat sb;
            name[strlen(dir) + 1 + (size_t)(dash - e->d_name)] = '\0';
            if (stat(name, &sb) != 0 && errno == ENOENT) {
                snprintf(name, sizeof name, "%s/%s", dir, e->d_name);
                unlink(name);
            }
            continue;
        }
        fd = open(name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
            continue;
        /* Held: a copy is running. Free: its writer is gone. The name is
           checked again under the lock: it may have been renamed into
           place, or removed and made anew, since it was listed. */
        if (flock(fd, LOCK_EX | LOCK_NB) == 0 && same_file(name, fd))
            unlink_with_companions(name);
        close(fd);
    }
    closedir(d);
}

/* Creates and locks a new temporary file beside path. */
static int tmp_create(tmp_copy *t, const char *path, errmsg *err)
{
    t->fd = -1;
    t->signal = 0;
    for (int tries = 0; tries < 10; tries++) {
        int fd;
        if (snprintf(t->path, sizeof t->path, "%s" TMP_INFIX "XXXXXX", path) >=
            (int)sizeof t->path)
            return err_set(err, ERR_INVALID, "path too long: %s", path);
        fd = mkstemp(t->path);
        if (fd < 0)
            return err_set(err, ERR_DB, "cannot create %s: %s", t->path,
                           strerror(errno));
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        /* Between mkstemp and flock another copy's sweep may take the
           unlocked new file for a dead one and remove it: make anew. */
        if (flock(fd, LOCK_EX) == 0 && same_file(t->path, fd)) {
            t->fd = fd;
            t->signal = sig_register(t->path);
            return 0;
        }
        close(fd);
    }
    return err_set(err, ERR_DB, "cannot create a temporary file beside %s",
                   path);
}

/* Removes the temporary file (after a failure). */
static void tmp_discard(tmp_copy *t)
{
    if (t->fd < 0)
        return;
    unlink_with_companions(t->path);
    sig_unregister(t->signal);
    close(t->fd);
    t->fd = -1;
}

static int fsync_dir(const char *path)
{
    char dir[PATH_MAX];
    const char *base;
    int fd, rc;

    if (split_path(dir, sizeof dir, &base, path) < 0)
        return -1;
    fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

/* Makes the temporary file durable and renames it to path. */
static int tmp_commit(tmp_copy *t, const char *path, errmsg *err)
{
    int rc = 0;

    if (fsync(t->fd) != 0)
        rc = err_set(err, ERR_DB, "cannot write %s: %s", t->path,
                     strerror(errno));
    else if (rename(t->path, path) != 0)
        rc = err_set(err, ERR_DB, "cannot move the copy to %s: %s", path,
                     strerror(errno));
    if (rc < 0) {
        tmp_discard(t);
        return rc;
    }
    sig_unregister(t->signal);
    if (fsync_dir(path) != 0)
        rc = err_set(err, ERR_DB, "cannot write the directory of %s: %s", path,
                     strerror(errno));
    close(t->fd);
    t->fd = -1;
    return rc;
}

/* ---- the copy --------------------------------------------------------------
 */

/* How long a copy waits for the source to let it read (a WAL recovery of
 * another connection, or a writer of a database in rollback mode). */
#define COPY_BUSY_TRIES 200 /* x 25 ms */

/* Copies the main database of src into the new temporary file t beside
 * path. All pages are copied in one step, that is in one read
 * transaction: a consistent snapshot of the last commit before the copy
 * began. In WAL mode other connections go on writing meanwhile; they are
 * not seen, so nothing makes the copy start over. (Copying a few pages per
 * step let other connections' writes restart the copy every time, so
 * under a steady write load it never finished.) */
static int copy_to_tmp(tmp_copy *t, sqlite3 *src, const char *path, errmsg *err)
{
    sqlite3 *dst = NULL;
    sqlite3_backup *bk;
    int rc = 0, r = SQLITE_OK;

    rc = tmp_create(t, path, err);
    if (rc < 0)
        return rc;
    if (sqlite3_open_v2(t->path, &dst, SQLITE_OPEN_READWRITE, NULL) !=
        SQLITE_OK) {
        rc = err_set(err, ERR_DB, "cannot open %s: %s", t->path,
                     dst ? sqlite3_errmsg(dst) : "out of memory");
        goto done;
    }
    /* No journal beside the temporary file (it is thrown away when the
       copy fails) and one fsync at the end, in tmp_commit. */
    if (sqlite3_exec(dst, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF",
                     NULL, NULL, NULL) != SQLITE_OK) {
        rc = err_set(err, ERR_DB, "copy: %s", sqlite3_errmsg(dst));
        goto done;
    }
    bk = sqlite3_backup_init(dst, "main", src, "main");
    if (!bk) {
        rc = err_set(err, ERR_DB, "copy: %s", sqlite3_errmsg(dst));
        goto done;
    }
    for (int i = 0; i < COPY_BUSY_TRIES; i++) {
        r = sqlite3_backup_step(bk, -1);
        if (r != SQLITE_BUSY && r != SQLITE_LOCKED)
            break;
        sqlite3_sleep(25);
    }
    if (r != SQLITE_DONE)
        rc = err_set(err, ERR_DB, "copy: %s", sqlite3_errstr(r));
    r = sqlite3_backup_finish(bk);
    if (rc == 0 && r != SQLITE_OK)
        rc = err_set(err, ERR_DB, "copy: %s", sqlite3_errmsg(dst));
    /* The pages came with the source's WAL mark; a copy in rollback mode
       is one self-contained file that readers open without making -wal
       and -shm files beside it (docket serve turns WAL on again). */
    if (rc == 0 && sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL,
                                NULL) != SQLITE_OK)
        rc = err_set(err, ERR_DB, "copy: %s", sqlite3_errmsg(dst));
done:
    if (dst && sqlite3_close(dst) != SQLITE_OK && rc == 0)
        rc = err_set(err, ERR_DB, "copy: cannot close %s", t->path);
    if (rc < 0)
        tmp_discard(t);
    return rc;
}

int registry_backup(registry *reg, const char *path, errmsg *err)
{
    tmp_copy t;
    int rc;

    sweep_stale(path);
    rc = copy_to_tmp(&t, reg->db, path, err);
    if (rc == 0)
        rc = tmp_commit(&t, path, err);
    return rc;
}

/* ---- the database's lock ---------------------------------------------------
 *
 * flock on DB.lock beside the database (the real path, symbolic links
 * resolved, so every spelling of the path meets on one lock file). The
 * file is never removed: removing it would let two processes lock two
 * different files of that name. The kernel drops the lock when its holder
 * ends in any way, so a server killed with SIGKILL leaves no stale lock;
 * the file's content (the pid of the last server) only helps messages.
 */

/* The path of the database with symbolic links resolved (its directory
 * when the file does not exist yet), or path itself. */
static void real_db_path(char *out, size_t size, const char *path)
{
    char dir[PATH_MAX], rdir[PATH_MAX];
    const char *base;

    if (realpath(path, rdir) && strlen(rdir) < size) {
        str_copy(out, size, rdir);
        return;
    }
    if (split_path(dir, sizeof dir, &base, path) == 0 && realpath(dir, rdir) &&
        snprintf(out, size, "%s/%s", strcmp(rdir, "/") ? rdir : "", base) <
            (int)size)
        return;
    str_copy(out, size, path);
}

static int lock_open(int *out_fd, const char *db, errmsg *err)
{
    char lock[PATH_MAX + 8];
    int fd;

    if (snprintf(lock, sizeof lock, "%s" LOCK_SUFFIX, db) >= (int)sizeof lock)
        return err_set(err, ERR_INVALID, "path too long: %s", db);
    fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return err_set(err, ERR_DB, "cannot open the lock file %s: %s", lock,
                       strerror(errno));
    *out_fd = fd;
    return 0;
}

int registry_serve_lock(int *out_fd, const char *path, errmsg *err)
{
    char db[PATH_MAX + 8], pid[32];
    int fd, rc, n;

    real_db_path(db, sizeof db, path);
    rc = lock_open(&fd, db, err);
    if (rc < 0)
        return rc;
    if (flock(fd, LOCK_SH | LOCK_NB) != 0) {
        int e = errno;
        close(fd);
        if (e == EWOULDBLOCK)
            return err_set(err, ERR_CONFLICT,
                           "docket restore is replacing the database %s: "
                           "start the server again when it has finished",
                           db);
        return err_set(err, ERR_DB, "cannot lock %s" LOCK_SUFFIX ": %s", db,
                       strerror(e));
    }
    n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
        /* only the refusal message of a restore reads it */
    }
    *out_fd = fd;
    return 0;
}

void registry_serve_unlock(int fd)
{
    if (fd >= 0)
        close(fd);
}

/* The pid written in the lock file (0 when none is readable). */
static long lock_pid(int fd)
{
    char text[32];
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    char *end;
    long pid;

    if (n <= 0)
        return 0;
    text[n] = '\0';
    pid = strtol(text, &end, 10);
    return pid > 0 && (*end == '\n' || !*end) ? pid : 0;
}

/* 1 when some process has the SQLite database open in WAL mode: every
 * open connection holds a read lock on byte 128 of DB-shm (the "DMS" lock
 * of SQLite's unix VFS, os_unix.c) for as long as it is open. This also
 * finds programs that do not take DB.lock (an sqlite3 shell, an older
 * docket). Call it with no SQLite connection of this process open on the
 * database: closing fd drops every POSIX lock this process has on DB-shm. */
static int shm_in_use(const char *db)
{
    char shm[PATH_MAX + 8];
    struct flock fl;
    int fd, used = 0;

    if (snprintf(shm, sizeof shm, "%s-shm", db) >= (int)sizeof shm)
        return 0;
    fd = open(shm, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return 0;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = 128;
    fl.l_len = 1;
    if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
        used = fl.l_pid > 0 ? (int)fl.l_pid : 1;
    close(fd);
    return used;
}

/* Removes DB-wal, DB-shm and DB-journal of the database about to be
 * replaced, after moving what its WAL holds into the file: were the WAL
 * left and the process to stop before the rename, the old database would
 * be missing its last commits; were it left after, SQLite would apply the
 * old WAL to the new file. */
static void retire_old(const char *db)
{
    static const char *const ext[] = {"-wal", "-shm", "-journal"};
    sqlite3 *old = NULL;
    struct stat sb;

    if (stat(db, &sb) == 0 &&
        sqlite3_open_v2(db, &old, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
        sqlite3_busy_timeout(old, 2000);
        sqlite3_exec(old, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    }
    sqlite3_close(old); /* the last connection: checkpoints, removes -wal */
    for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
        char p[PATH_MAX + 16];
        if (snprintf(p, sizeof p, "%s%s", db, ext[i]) < (int)sizeof p)
            unlink(p);
    }
}

int registry_restore(const char *path, const char *from, errmsg *err)
{
    char db[PATH_MAX + 8];
    registry *src = NULL;
    errmsg damage = {0};
    tmp_copy t = {.fd = -1};
    int lock = -1, rc = 0;
    struct stat sb;
    long pid;

    real_db_path(db, sizeof db, path);
    rc = lock_open(&lock, db, err);
    if (rc < 0)
        return rc;
    if (flock(lock, LOCK_EX | LOCK_NB) != 0) {
        pid = lock_pid(lock);
        if (pid)
            rc = err_set(err, ERR_CONFLICT,
                         "the database %s is in use by docket serve (pid "
                         "%ld): stop it first (kill -TERM %ld, or stop its "
                         "service), then run restore again",
                         db, pid, pid);
        else
            rc = err_set(err, ERR_CONFLICT,
                         "the database %s is in use by docket serve: stop "
                         "it first (send it SIGTERM, or stop its service), "
                         "then run restore again",
                         db);
        goto done;
    }
    pid = shm_in_use(db);
    if (pid) {
        rc = err_set(err, ERR_CONFLICT,
                     "the database %s is open in another program (pid "
                     "%ld): stop it first, then run restore again",
                     db, pid);
        goto done;
    }
    /* The backup must open and be intact before anything is replaced. */
    rc = registry_open(&src, from, REGISTRY_READONLY, err);
    if (rc < 0)
        goto done;
    if (registry_integrity(src, &damage) < 0) {
        rc = err_set(err, ERR_INVALID, "the backup %s is damaged: %s", from,
                     damage.msg);
        goto done;
    }
    sweep_stale(db);
    rc = copy_to_tmp(&t, src->db, db, err);
    if (rc < 0)
        goto done;
    registry_close(src);
    src = NULL;
    /* The restored file keeps the old one's mode and owner (temporary
       files are made 0600), so the server's user can still open it. */
    if (stat(db, &sb) == 0) {
        if (fchmod(t.fd, sb.st_mode & 07777) != 0 ||
            (geteuid() == 0 && fchown(t.fd, sb.st_uid, sb.st_gid) != 0)) {
            rc = err_set(err, ERR_DB, "cannot set the mode of %s: %s", t.path,
                         strerror(errno));
            goto done;
        }
    }
    retire_old(db);
    rc = tmp_commit(&t, db, err);
done:
    registry_close(src);
    tmp_discard(&t);
    if (lock >= 0)
        close(lock); /* a server may start from here on */
    return rc;
}
