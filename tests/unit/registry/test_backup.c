/* Tests of registry/backup.c: the server's lock against restore, the
 * sweep of temporary files left by killed copies, and what a restore
 * leaves behind. The commands under load and signals are tested in
 * tests/integration/test_backup.c. */
#include "fixture.h"

#include <dirent.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256], dbpath[300], bkpath[300];

static int setup(void **state)
{
    registry *reg = NULL;
    errmsg err = {0};

    (void)state;
    ufx_tmpdir(dir, sizeof dir, "backup");
    snprintf(dbpath, sizeof dbpath, "%s/docket.db", dir);
    snprintf(bkpath, sizeof bkpath, "%s/b.db", dir);
    assert_int_equal(registry_open(&reg, dbpath, 0, &err), 0);
    assert_int_equal(registry_org_add(reg, NULL, "acme", &err), 0);
    assert_int_equal(registry_backup(reg, bkpath, &err), 0);
    registry_close(reg);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ufx_rmtree(dir);
    return 0;
}

static int exists(const char *name)
{
    char p[400];
    struct stat sb;

    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &sb) == 0;
}

static int count_prefixed(const char *prefix)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)))
        n += !strncmp(e->d_name, prefix, strlen(prefix));
    closedir(d);
    return n;
}

static void touch(const char *name)
{
    char p[400];
    int fd;

    snprintf(p, sizeof p, "%s/%s", dir, name);
    fd = open(p, O_WRONLY | O_CREAT, 0644);
    assert_true(fd >= 0);
    close(fd);
}

static int64_t orgs_named(const char *path, const char *name)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t n = -1;

    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT count(*) FROM organisations"
                                        " WHERE name = ?1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void test_backup__copy_is_one_file_in_rollback_mode(void **state)
{
    unsigned char hdr[20];
    int fd;

    (void)state;
    fd = open(bkpath, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(read(fd, hdr, sizeof hdr), (ssize_t)sizeof hdr);
    close(fd);
    assert_int_equal(hdr[18], 1); /* 2 would be WAL */
    assert_int_equal(hdr[19], 1);
    assert_int_equal(orgs_named(bkpath, "acme"), 1);
    assert_false(exists("b.db-wal"));
    assert_false(exists("b.db-shm"));
}

static void test_backup__server_lock_refuses_restore(void **state)
{
    errmsg err = {0};
    char pid[32];
    int fd = -1, fd2 = -1;

    (void)state;
    assert_int_equal(registry_serve_lock(&fd, dbpath, &err), 0);
    /* several servers may share a database */
    assert_int_equal(registry_serve_lock(&fd2, dbpath, &err), 0);
    registry_serve_unlock(fd2);
    assert_int_equal(registry_restore(dbpath, bkpath, &err), ERR_CONFLICT);
    snprintf(pid, sizeof pid, "pid %ld", (long)getpid());
    if (!strstr(err.msg, pid) || !strstr(err.msg, "stop"))
        fail_msg("message: %s", err.msg);
    registry_serve_unlock(fd);
    memset(&err, 0, sizeof err);
    assert_int_equal(registry_restore(dbpath, bkpath, &err), 0);
    assert_true(exists("docket.db.lock"));
}

static void test_backup__restore_lock_refuses_server(void **state)
{
    char lock[400];
    errmsg err = {0};
    int held, fd = -1;

    (void)state;
    snprintf(lock, sizeof lock, "%s.lock", dbpath);
    held = open(lock, O_RDWR | O_CREAT, 0644);
    assert_true(held >= 0);
    assert_int_equal(flock(held, LOCK_EX | LOCK_NB), 0);
    assert_int_equal(registry_serve_lock(&fd, dbpath, &err), ERR_CONFLICT);
    assert_non_null(strstr(err.msg, "restore"));
    close(held);
    memset(&err, 0, sizeof err);
    assert_int_equal(registry_serve_lock(&fd, dbpath, &err), 0);
    registry_serve_unlock(fd);
}

static void test_backup__stale_temporary_files_swept(void **state)
{
    registry *reg = NULL;
    errmsg err = {0};
    char p[400];
    int running;

    (void)state;
    touch("b.db.tmp-AAAAAA");         /* left by a killed copy */
    touch("b.db.tmp-AAAAAA-journal"); /* with its companion */
    touch("b.db.tmp-BBBBBB-wal");     /* a companion whose file is gone */
    touch("b.db.tmp-4242");           /* left by an older docket */
    touch("b.db.tmp-CCCCCC");         /* a copy still running ... */
    touch("b.db.tmp-CCCCCC-wal");
    touch("other.db.tmp-DDDDDD"); /* another target's */
    snprintf(p, sizeof p, "%s/b.db.tmp-CCCCCC", dir);
    running = open(p, O_RDWR);
    assert_true(running >= 0);
    assert_int_equal(flock(running, LOCK_EX), 0); /* ... holds its lock */

    assert_int_equal(registry_open(&reg, dbpath, REGISTRY_NOCREATE, &err), 0);
    assert_int_equal(registry_backup(reg, bkpath, &err), 0);
    registry_close(reg);
    assert_false(exists("b.db.tmp-AAAAAA"));
    assert_false(exists("b.db.tmp-AAAAAA-journal"));
    assert_false(exists("b.db.tmp-BBBBBB-wal"));
    assert_false(exists("b.db.tmp-4242"));
    assert_true(exists("b.db.tmp-CCCCCC"));
    assert_true(exists("b.db.tmp-CCCCCC-wal"));
    assert_true(exists("other.db.tmp-DDDDDD"));
    close(running);
    assert_int_equal(orgs_named(bkpath, "acme"), 1);
}

static void test_backup__restore_replaces_file_and_old_wal(void **state)
{
    registry *reg = NULL;
    sqlite3 *db = NULL;
    errmsg err = {0};
    struct stat sb;
    int persist = 1;

    (void)state;
    /* A commit after the backup that stays in the old database's WAL. */
    assert_int_equal(registry_open(&reg, dbpath, REGISTRY_NOCREATE, &err), 0);
    assert_int_equal(registry_org_add(reg, NULL, "late", &err), 0);
    registry_close(reg);
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO organisations(name, created_at)"
                                  " VALUES ('in-wal', 0)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_true(exists("docket.db-wal"));
    assert_int_equal(chmod(dbpath, 0640), 0);

    assert_int_equal(registry_restore(dbpath, bkpath, &err), 0);
    assert_false(exists("docket.db-wal"));
    assert_false(exists("docket.db-shm"));
    assert_int_equal(orgs_named(dbpath, "acme"), 1);
    assert_int_equal(orgs_named(dbpath, "late"), 0);
    assert_int_equal(orgs_named(dbpath, "in-wal"), 0);
    assert_int_equal(stat(dbpath, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0640);
    assert_int_equal(registry_open(&reg, dbpath, REGISTRY_NOCREATE, &err), 0);
    assert_int_equal(registry_integrity(reg, &err), 0);
    registry_close(reg);
}

static void test_backup__restore_refuses_bad_backups(void **state)
{
    errmsg err = {0};
    char bad[400];
    FILE *f;

    (void)state;
    snprintf(bad, sizeof bad, "%s/missing.db", dir);
    assert_int_equal(registry_restore(dbpath, bad, &err), ERR_NOTFOUND);
    snprintf(bad, sizeof bad, "%s/junk.db", dir);
    f = fopen(bad, "w");
    assert_non_null(f);
    for (int i = 0; i < 2000; i++)
        fputs("not a database ", f);
    fclose(f);
    memset(&err, 0, sizeof err);
    assert_true(registry_restore(dbpath, bad, &err) < 0);
    assert_int_equal(orgs_named(dbpath, "acme"), 1);
    assert_int_equal(count_prefixed("docket.db.tmp-"), 0);
}

UFX_MAIN(
    cmocka_unit_test_setup_teardown(
        test_backup__copy_is_one_file_in_rollback_mode, setup, teardown),
    cmocka_unit_test_setup_teardown(test_backup__server_lock_refuses_restore,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(test_backup__restore_lock_refuses_server,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(test_backup__stale_temporary_files_swept,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(
        test_backup__restore_replaces_file_and_old_wal, setup, teardown),
    cmocka_unit_test_setup_teardown(test_backup__restore_refuses_bad_backups,
                                    setup, teardown))
