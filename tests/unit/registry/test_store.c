/* Tests of registry/registry.c: open, pragmas, upgrade, refusing a newer
 * database, read-only opens, backup and integrity; and of giving back a
 * connection's page cache (storage.c). */
#include "fixture.h"
#include "registry_int.h"
#include "storage.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char dir[256], dbpath[300], bkpath[300];

static int setup(void **state)
{
    (void)state;
    ufx_tmpdir(dir, sizeof dir, "store");
    snprintf(dbpath, sizeof dbpath, "%s/docket.db", dir);
    snprintf(bkpath, sizeof bkpath, "%s/docket.bak", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ufx_rmtree(dir);
    return 0;
}

/* A new database at dbpath with the organisation org. */
static registry *open_with_org(const char *org)
{
    registry *reg = NULL;
    errmsg err = {0};

    assert_int_equal(registry_open(&reg, dbpath, 0, &err), 0);
    assert_int_equal(registry_org_add(reg, NULL, org, &err), 0);
    return reg;
}

static int64_t one_int(registry *reg, const char *sql)
{
    sqlite3_stmt *st = reg_stmt_get(reg, sql, NULL);
    int64_t v = -1;

    assert_non_null(st);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    reg_done(st);
    return v;
}

static void test_store__create_sets_pragmas_and_schema(void **state)
{
    static const char fk[] = "PRAGMA foreign_keys";
    static const char sync[] = "PRAGMA synchronous";
    static const char jm[] = "PRAGMA journal_mode";
    static const char tables[] =
        "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN"
        " ('organisations','instances','users','sessions','api_tokens',"
        "'requests','request_items','item_columns','attachments','comments',"
        "'request_events','sprints','reg_tables','reg_columns',"
        "'registry_history','outbox','events','audit_log','search_fts')";
    registry *reg = NULL;
    errmsg err = {0};
    sqlite3_stmt *st;

    (void)state;
    assert_int_equal(registry_open(&reg, dbpath, 0, &err), 0);
    assert_int_equal(registry_schema_version(reg), REGISTRY_SCHEMA_VERSION);
    assert_int_equal(one_int(reg, fk), 1);
    assert_int_equal(one_int(reg, sync), 2); /* FULL */
    assert_int_equal(one_int(reg, tables), 19);
    st = reg_stmt_get(reg, jm, NULL);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal(reg_col_text(st, 0), "wal");
    reg_done(st);
    registry_close(reg);
}

static void test_store__reopen_keeps_data(void **state)
{
    registry *reg = open_with_org("acme");
    errmsg err = {0};
    registry_org o;

    (void)state;
    registry_close(reg);
    assert_int_equal(registry_open(&reg, dbpath, 0, &err), 0);
    assert_int_equal(registry_org_get(reg, &o, "ACME", &err), 0);
    assert_string_equal(o.name, "acme");
    registry_close(reg);
}

static void test_store__refuses_newer_database(void **state)
{
    static const char bump[] = "PRAGMA user_version = 999";
    registry *reg = NULL;
    errmsg err = {0};

    (void)state;
    assert_int_equal(registry_open(&reg, dbpath, 0, &err), 0);
    assert_int_equal(reg_exec(reg, bump, &err), 0);
    registry_close(reg);
    reg = NULL;
    assert_int_equal(registry_open(&reg, dbpath, 0, &err), ERR_INVALID);
    assert_null(reg);
    assert_non_null(strstr(err.msg, "newer than this docket"));
    err_clear(&err);
    assert_int_equal(registry_open(&reg, dbpath, REGISTRY_READONLY, &err),
                     ERR_INVALID);
}

static void test_store__readonly_needs_existing_file(void **state)
{
    registry *reg = NULL;
    errmsg err = {0};

    (void)state;
    assert_int_equal(registry_open(&reg, dbpath, REGISTRY_READONLY, &err),
                     ERR_NOTFOUND);
    assert_int_equal(access(dbpath, F_OK), -1);
}

static void test_store__readonly_refuses_writes(void **state)
{
    registry *reg = NULL;
    errmsg err = {0};

    (void)state;
    assert_int_equal(registry_open(&reg, dbpath, 0, &err), 0);
    registry_close(reg);
    assert_int_equal(registry_open(&reg, dbpath, REGISTRY_READONLY, &err), 0);
    assert_true(registry_org_add(reg, NULL, "acme", &err) < 0);
    registry_close(reg);
}

static void test_store__backup_is_complete_and_intact(void **state)
{
    registry *reg = open_with_org("globex"), *bk = NULL;
    errmsg err = {0};
    registry_org o;

    (void)state;
    assert_int_equal(registry_backup(reg, bkpath, &err), 0);
    registry_close(reg);
    assert_int_equal(registry_open(&bk, bkpath, REGISTRY_NOCREATE, &err), 0);
    assert_int_equal(registry_integrity(bk, &err), 0);
    assert_int_equal(registry_org_get(bk, &o, "globex", &err), 0);
    registry_close(bk);
}

static void test_store__generation_moves_with_registry_changes(void **state)
{
    static const char ins[] =
        "INSERT INTO reg_tables(instance_id, name, created_at, updated_at)"
        " VALUES (1, 'customers', 0, 0)";
    registry *reg = open_with_org("acme");
    errmsg err = {0};
    int64_t g0;

    (void)state;
    assert_int_equal(registry_instance_add(reg, NULL, "acme", "acme-prod",
                                           "production", "postgres", &err),
                     0);
    g0 = registry_generation(reg);
    assert_int_equal(reg_exec(reg, ins, &err), 0);
    assert_true(registry_generation(reg) > g0);
    registry_close(reg);
}

/* The pages a connection cached while reading are given back by
 * registry_release_memory, and the next read finds the data again. */
static void test_store__release_memory_empties_the_page_cache(void **state)
{
    static const char ins[] =
        "INSERT INTO meta(key, value) VALUES ('bulk' || :i, :v)";
    static const char sum[] =
        "SELECT count(*) FROM meta WHERE key LIKE 'bulk%'";
    registry *reg = open_with_org("acme");
    errmsg err = {0};
    char v[2000];
    int before = 0, after = 0, hi = 0;

    (void)state;
    memset(v, 'x', sizeof v - 1);
    v[sizeof v - 1] = '\0';
    assert_int_equal(registry_begin(reg, &err), 0);
    for (int i = 0; i < 200; i++)
        assert_int_equal(reg_insert(reg,
                                    reg_stmt(reg, ins, &err, REG_INT(":i", i),
                                             REG_TEXT(":v", v)),
                                    NULL, &err),
                         0);
    assert_int_equal(registry_commit(reg, &err), 0);
    assert_int_equal(one_int(reg, sum), 200);
    sqlite3_db_status(reg->db, SQLITE_DBSTATUS_CACHE_USED, &before, &hi, 0);
    assert_true(before > 100 * 1024); /* 200 rows of 2 KB were read */
    registry_release_memory(reg);
    sqlite3_db_status(reg->db, SQLITE_DBSTATUS_CACHE_USED, &after, &hi, 0);
    assert_true(after < before / 4);
    assert_int_equal(one_int(reg, sum), 200);
    registry_release_memory(NULL); /* nothing */
    registry_close(reg);
}

UFX_MAIN(
    cmocka_unit_test_setup_teardown(test_store__create_sets_pragmas_and_schema,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(test_store__reopen_keeps_data, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_store__refuses_newer_database, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_store__readonly_needs_existing_file,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(test_store__readonly_refuses_writes, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_store__backup_is_complete_and_intact,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(
        test_store__generation_moves_with_registry_changes, setup, teardown),
    cmocka_unit_test_setup_teardown(
        test_store__release_memory_empties_the_page_cache, setup, teardown))
