/* test_golden.c: pins the exact output of migrations/ for the
 * representative request (migrations_test.h) in every dialect and file format
 * against tests/data/migrations/golden/<dialect>/<format>/<file>.
 * Regenerate after an intended change with
 *   UPDATE_GOLDEN=1 ./unit_migrations_test_golden
 * and review the difference with git diff. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "migrate.h"
#include "fixture.h"
#include "migrations_test.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define GOLDEN_DIR TEST_DATA_DIR "/migrations/golden"

static void mkdirs(const char *path)
{
    char tmp[1024];

    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        mkdir(tmp, 0755);
        *p = '/';
    }
    if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
        fail_msg("cannot create %s", tmp);
}

/* Prints where the texts first differ, as "file:line" with both lines. */
static void report_diff(const char *golden, const char *expect,
                        const char *actual)
{
    char dir[512], path[1024];
    int line = 1;
    const char *e = expect, *a = actual;

    while (*e && *e == *a) {
        if (*e == '\n')
            line++;
        e++, a++;
    }
    while (e > expect && e[-1] != '\n')
        e--, a--;
    snprintf(dir, sizeof dir, "%s/docket-golden-%d",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    mkdirs(dir);
    snprintf(path, sizeof path, "%s/%s", dir, strrchr(golden, '/') + 1);
    ufx_write_file(path, actual);
    print_error("golden mismatch at %s:%d\n  expected: %.*s\n  actual:   "
                "%.*s\n  see: diff -u %s %s\n  (UPDATE_GOLDEN=1 regenerates "
                "after an intended change)\n",
                golden, line, (int)strcspn(e, "\n"), e, (int)strcspn(a, "\n"),
                a, golden, path);
}

static void check_dialect(sql_dialect d)
{
    form_request r;
    int update = getenv("UPDATE_GOLDEN") && *getenv("UPDATE_GOLDEN") == '1';
    int failures = 0;
    int64_t when = 0;

    fixture_request(&r);
    time_parse_iso(&when, "2026-03-10T09:30:00Z");
    for (int f = 0; f < MIGRATE_NFORMATS; f++) {
        migrate_options opt = {"https://docket.example.com/", when, NULL};
        migrate_result res = {0};
        errmsg err = {0};
        char dir[512];
        DIR *dh;
        struct dirent *de;

        assert_int_equal(
            migrate_generate(&res, &r, d, (migrate_format)f, &opt, &err), 0);
        snprintf(dir, sizeof dir, "%s/%s/%s", GOLDEN_DIR, sql_dialect_name(d),
                 migrate_format_name(f));
        if (update)
            mkdirs(dir);
        for (size_t i = 0; i < res.nfiles; i++) {
            char path[1024];
            char *expect;

            snprintf(path, sizeof path, "%s/%s", dir, res.files[i].name);
            if (update) {
                ufx_write_file(path, res.files[i].content);
                continue;
            }
            expect = ufx_slurp(path, NULL);
            if (!expect) {
                print_error("missing golden file %s (UPDATE_GOLDEN=1 "
                            "writes it)\n",
                            path);
                failures++;
                continue;
            }
            if (strcmp(expect, res.files[i].content)) {
                report_diff(path, expect, res.files[i].content);
                failures++;
            }
            free(expect);
        }
        /* A golden file the generator no longer writes is stale. */
        dh = opendir(dir);
        while (dh && (de = readdir(dh)) != NULL) {
            size_t i;
            if (de->d_name[0] == '.')
                continue;
            for (i = 0; i < res.nfiles; i++)
                if (!strcmp(res.files[i].name, de->d_name))
                    break;
            if (i < res.nfiles)
                continue;
            if (update) {
                char path[1024];
                snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
                unlink(path);
            } else {
                print_error("stale golden file %s/%s\n", dir, de->d_name);
                failures++;
            }
        }
        if (dh)
            closedir(dh);
        migrate_result_dispose(&res);
    }
    form_request_dispose(&r);
    assert_int_equal(failures, 0);
}

/* One test per dialect; its state is the dialect. */
static void test_migrations__golden(void **state)
{
    check_dialect(*(const sql_dialect *)*state);
}

static sql_dialect dialects[] = {SQL_POSTGRES, SQL_MYSQL, SQL_SNOWFLAKE,
                                 SQL_SQLITE};
#define GOLDEN(name, i)                                                        \
    {                                                                          \
        "test_migrations__golden_" name, test_migrations__golden, NULL, NULL,  \
            &dialects[i]                                                       \
    }

UFX_MAIN(GOLDEN("postgres", 0), GOLDEN("mysql", 1), GOLDEN("snowflake", 2),
         GOLDEN("sqlite", 3))
