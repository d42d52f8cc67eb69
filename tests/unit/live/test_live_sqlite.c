/* test_live_sqlite.c: live_read of an SQLite file: tables by name, columns
 * by position with the declared type split into name and length or
 * precision, NOT NULL, composite key positions, the descriptions docket's
 * migrations write into CREATE TABLE; the file is opened
 * read-only (it is not changed, not even created); a missing file or one
 * that is not a database is a clear error. */
#include "fixture.h"
#include "live.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256], path[300], source[320];

static int up(void **state)
{
    sqlite3 *db;

    (void)state;
    ufx_tmpdir(dir, sizeof dir, "live-sqlite");
    snprintf(path, sizeof path, "%s/app.db", dir);
    snprintf(source, sizeof source, "sqlite:%s", path);
    if (sqlite3_open(path, &db) != SQLITE_OK)
        return -1;
    if (sqlite3_exec(db,
                     "CREATE TABLE \"orders\" (\"order_id\" INTEGER NOT NULL,"
                     " \"line\" INTEGER NOT NULL, \"sku\" VARCHAR(64),"
                     " \"amount\" NUMERIC(12, 2) NOT NULL, \"note\" TEXT,"
                     " \"placed_at\" TIMESTAMP,"
                     " PRIMARY KEY (\"order_id\", \"line\"));"
                     "CREATE TABLE \"Customers\" (\"id\" INTEGER PRIMARY KEY,"
                     " \"email\" character varying(255) NOT NULL, \"x\","
                     " \"seen\" DATETIME(6));"
                     "CREATE INDEX i ON orders(sku);"
                     /* As docket's migrations write descriptions. */
                     "CREATE TABLE \"notes\" (\n"
                     "    -- | Notes of a customer\n"
                     "    -- |\n"
                     "    -- | -- not SQL\n"
                     "    \"id\" INTEGER NOT NULL, -- The key\n"
                     "        -- | its second line\n"
                     "    \"body\" TEXT,\n"
                     "    PRIMARY KEY (\"id\")\n"
                     ");",
                     NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    sqlite3_close(db);
    return 0;
}

static int down(void **state)
{
    (void)state;
    ufx_rmtree(dir);
    return 0;
}

static void test_reads_tables_and_columns(void **state)
{
    live_schema s;
    errmsg err = {0};
    const live_table *t;

    (void)state;
    assert_int_equal(live_read(&s, source, NULL, &err), 0);
    assert_int_equal(s.dialect, SQL_SQLITE);
    assert_string_equal(s.schema, "main");
    assert_string_equal(s.source, source);
    assert_int_equal(s.ntables, 3);
    assert_string_equal(s.tables[0].name, "Customers"); /* byte order */
    assert_string_equal(s.tables[1].name, "notes");
    assert_string_equal(s.tables[2].name, "orders");
    t = live_table_find(&s, "ORDERS");
    assert_ptr_equal(t, &s.tables[2]);
    assert_string_equal(t->comment, "");
    assert_int_equal(t->ncols, 6);
    assert_string_equal(t->cols[0].name, "order_id");
    assert_int_equal(t->cols[0].ordinal, 1);
    assert_string_equal(t->cols[0].data_type, "integer");
    assert_int_equal(t->cols[0].pk_position, 1);
    assert_int_equal(t->cols[0].nullable, 0);
    assert_int_equal(t->cols[1].pk_position, 2);
    assert_string_equal(t->cols[2].data_type, "varchar");
    assert_int_equal(t->cols[2].char_max, 64);
    assert_int_equal(t->cols[2].nullable, 1);
    assert_int_equal(t->cols[2].pk_position, 0);
    assert_string_equal(t->cols[3].data_type, "numeric");
    assert_int_equal(t->cols[3].num_precision, 12);
    assert_int_equal(t->cols[3].num_scale, 2);
    assert_int_equal(t->cols[3].char_max, -1);
    assert_string_equal(t->cols[4].data_type, "text");
    assert_int_equal(t->cols[4].char_max, -1);
    assert_string_equal(t->cols[4].comment, "");
    assert_string_equal(t->cols[5].data_type, "timestamp");
    assert_int_equal(t->cols[5].ordinal, 6);
    t = live_table_find(&s, "Customers");
    assert_string_equal(t->cols[1].data_type, "character varying");
    assert_int_equal(t->cols[1].char_max, 255);
    /* The rowid key: never NULL although no NOT NULL was written. */
    assert_int_equal(t->cols[0].pk_position, 1);
    assert_int_equal(t->cols[0].nullable, 0);
    assert_string_equal(t->cols[2].data_type, ""); /* no declared type */
    assert_string_equal(t->cols[3].data_type, "datetime");
    assert_int_equal(t->cols[3].datetime_precision, 6);
    assert_int_equal(t->cols[1].datetime_precision, -1);
    assert_null(live_table_find(&s, "nope"));
    /* Descriptions in docket's CREATE TABLE text. */
    t = live_table_find(&s, "notes");
    assert_string_equal(t->comment, "Notes of a customer\n\n-- not SQL");
    assert_string_equal(t->cols[0].comment, "The key\nits second line");
    assert_string_equal(t->cols[1].comment, "");
    live_schema_dispose(&s);
}

static void test_opened_read_only(void **state)
{
    live_schema s;
    errmsg err = {0};
    struct stat before, after;
    char wal[320];

    (void)state;
    assert_int_equal(stat(path, &before), 0);
    assert_int_equal(live_read(&s, source, NULL, &err), 0);
    live_schema_dispose(&s);
    assert_int_equal(stat(path, &after), 0);
    assert_int_equal(before.st_mtime, after.st_mtime);
    assert_int_equal(before.st_size, after.st_size);
    snprintf(wal, sizeof wal, "%s-wal", path);
    assert_int_not_equal(access(wal, F_OK), 0);
    /* A read-only file reads as well. */
    assert_int_equal(chmod(path, 0444), 0);
    assert_int_equal(live_read(&s, source, NULL, &err), 0);
    assert_int_equal(s.ntables, 3);
    live_schema_dispose(&s);
    assert_int_equal(chmod(path, 0644), 0);
}

static void test_missing_or_bad_file(void **state)
{
    live_schema s;
    errmsg err = {0};
    char p[320], src[340];

    (void)state;
    snprintf(p, sizeof p, "%s/none.db", dir);
    snprintf(src, sizeof src, "sqlite:%s", p);
    assert_int_equal(live_read(&s, src, NULL, &err), ERR_IO);
    assert_non_null(strstr(err.msg, "no such file"));
    assert_int_not_equal(access(p, F_OK), 0); /* not created */
    snprintf(p, sizeof p, "%s/text.db", dir);
    ufx_write_file(p, "this is not a database, just some words that go on "
                      "long enough to fill a header of a hundred bytes or "
                      "so, which SQLite reads first\n");
    snprintf(src, sizeof src, "sqlite:%s", p);
    err_clear(&err);
    assert_int_equal(live_read(&s, src, NULL, &err), ERR_IO);
    assert_non_null(strstr(err.msg, "not a database"));
    assert_null(strchr(err.msg, '\n'));
    err_clear(&err);
    assert_int_equal(live_read(&s, "sqlite:", NULL, &err), ERR_INVALID);
}

UFX_MAIN_GROUP(up, down, cmocka_unit_test(test_reads_tables_and_columns),
               cmocka_unit_test(test_opened_read_only),
               cmocka_unit_test(test_missing_or_bad_file))
