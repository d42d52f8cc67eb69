/* test_live_csv.c: live_read of csv:FILE, an export of
 * information_schema.columns: header in any order and case, extra columns
 * ignored, quoted cells, types with or without their numbers, keys from a
 * PRIMARY_KEY column or a keys file, one schema picked; a missing required
 * column or a bad cell is one clear error with FILE:LINE. */
#include "fixture.h"
#include "live.h"

#include <string.h>

static char dir[256];

static int up(void **state)
{
    (void)state;
    ufx_tmpdir(dir, sizeof dir, "live-csv");
    return 0;
}

static int down(void **state)
{
    (void)state;
    ufx_rmtree(dir);
    return 0;
}

/* Writes text to dir/name; the csv: source of it into src. */
static const char *put(char *src, size_t size, const char *name,
                       const char *text)
{
    char p[320];

    snprintf(p, sizeof p, "%s/%s", dir, name);
    ufx_write_file(p, text);
    snprintf(src, size, "csv:%s", p);
    return src;
}

static void test_snowflake_export(void **state)
{
    char src[400];
    live_schema s;
    errmsg err = {0};
    live_options opt = {.dialect = SQL_SNOWFLAKE};
    const live_table *t;

    (void)state;
    put(src, sizeof src, "sf.csv",
        "\xef\xbb\xbf"
        "table_catalog,Table_Schema,TABLE_NAME,COLUMN_NAME,ORDINAL_POSITION,"
        "IS_NULLABLE,DATA_TYPE,CHARACTER_MAXIMUM_LENGTH,NUMERIC_PRECISION,"
        "NUMERIC_SCALE,COMMENT,PRIMARY_KEY\r\n"
        "DB,SALES,ORDERS,AMOUNT,3,NO,NUMBER,,12,2,\"Total, in EUR\",NO\r\n"
        "DB,SALES,ORDERS,ORDER_ID,1,NO,NUMBER,,38,0,,YES\r\n"
        "DB,SALES,ORDERS,NOTE,2,YES,TEXT,16777216,,,\"a \"\"quoted\"\"\n"
        "note\",\r\n"
        "\r\n"
        "DB,SALES,CUSTOMERS,ID,1,NO,NUMBER,,38,0,,1\r\n");
    assert_int_equal(live_read(&s, src, &opt, &err), 0);
    assert_int_equal(s.dialect, SQL_SNOWFLAKE);
    assert_string_equal(s.schema, "SALES");
    assert_int_equal(s.ntables, 2);
    assert_string_equal(s.tables[0].name, "CUSTOMERS");
    t = live_table_find(&s, "orders");
    assert_non_null(t);
    assert_int_equal(t->ncols, 3);
    assert_string_equal(t->cols[0].name, "ORDER_ID");
    assert_string_equal(t->cols[0].data_type, "number");
    assert_int_equal(t->cols[0].pk_position, 1);
    assert_int_equal(t->cols[0].num_precision, 38);
    assert_string_equal(t->cols[1].name, "NOTE");
    assert_int_equal(t->cols[1].nullable, 1);
    assert_int_equal(t->cols[1].char_max, 16777216);
    assert_string_equal(t->cols[1].comment, "a \"quoted\"\nnote");
    assert_string_equal(t->cols[2].comment, "Total, in EUR");
    assert_int_equal(t->cols[2].num_scale, 2);
    assert_int_equal(t->cols[2].nullable, 0);
    assert_int_equal(t->cols[2].pk_position, 0);
    assert_int_equal(live_table_find(&s, "CUSTOMERS")->cols[0].pk_position, 1);
    /* no TABLE_COMMENT column: the export cannot say table comments */
    assert_int_equal(s.no_table_comments, 1);
    live_schema_dispose(&s);
}

/* With a TABLE_COMMENT column the export says the tables' comments (an
 * empty one is a table without a comment). */
static void test_table_comment_column(void **state)
{
    char src[400];
    live_schema s;
    errmsg err = {0};

    (void)state;
    put(src, sizeof src, "tc.csv",
        "TABLE_NAME,COLUMN_NAME,DATA_TYPE,IS_NULLABLE,TABLE_COMMENT\n"
        "a,x,integer,YES,Table a\n"
        "b,y,integer,YES,\n");
    assert_int_equal(live_read(&s, src, NULL, &err), 0);
    assert_int_equal(s.no_table_comments, 0);
    assert_string_equal(live_table_find(&s, "a")->comment, "Table a");
    assert_string_equal(live_table_find(&s, "b")->comment, "");
    live_schema_dispose(&s);
}

static void test_minimal_header_and_types_with_numbers(void **state)
{
    char src[400];
    live_schema s;
    errmsg err = {0};

    (void)state;
    put(src, sizeof src, "min.csv",
        "is_nullable,data_type,column_name,table_name\n"
        "YES,varchar(255),email,users\n"
        "NO,\"decimal(10, 2)\",balance,users\n"
        "NO,integer,id,users\n");
    assert_int_equal(live_read(&s, src, NULL, &err), 0);
    assert_string_equal(s.schema, "");
    assert_int_equal(s.tables[0].ncols, 3);
    /* Without ORDINAL_POSITION: the rows' order. */
    assert_string_equal(s.tables[0].cols[0].name, "email");
    assert_string_equal(s.tables[0].cols[0].data_type, "varchar");
    assert_int_equal(s.tables[0].cols[0].char_max, 255);
    assert_string_equal(s.tables[0].cols[1].data_type, "decimal");
    assert_int_equal(s.tables[0].cols[1].num_precision, 10);
    assert_int_equal(s.tables[0].cols[1].num_scale, 2);
    assert_int_equal(s.tables[0].cols[2].pk_position, 0);
    assert_int_equal(s.tables[0].cols[2].num_precision, -1);
    live_schema_dispose(&s);
}

static void test_composite_keys_from_positions_and_keys_file(void **state)
{
    char src[400], keys[400];
    live_schema s;
    errmsg err = {0};
    live_options opt = {0};

    (void)state;
    put(src, sizeof src, "pk.csv",
        "TABLE_NAME,COLUMN_NAME,ORDINAL_POSITION,DATA_TYPE,IS_NULLABLE,"
        "PRIMARY_KEY\n"
        "items,line,2,integer,NO,2\n"
        "items,order_id,1,integer,NO,1\n"
        "items,sku,3,text,YES,\n"
        "pairs,a,1,integer,NO,true\n"
        "pairs,b,2,integer,NO,true\n");
    assert_int_equal(live_read(&s, src, NULL, &err), 0);
    assert_int_equal(s.tables[0].cols[0].pk_position, 1);
    assert_int_equal(s.tables[0].cols[1].pk_position, 2);
    assert_int_equal(s.tables[0].cols[2].pk_position, 0);
    assert_int_equal(s.tables[1].cols[0].pk_position, 1);
    assert_int_equal(s.tables[1].cols[1].pk_position, 2);
    live_schema_dispose(&s);

    /* Keys in a second file, only the PRIMARY KEY rows of it. */
    put(src, sizeof src, "cols.csv",
        "TABLE_SCHEMA,TABLE_NAME,COLUMN_NAME,ORDINAL_POSITION,DATA_TYPE,"
        "IS_NULLABLE\n"
        "public,items,order_id,1,integer,NO\n"
        "public,items,line,2,integer,NO\n"
        "public,items,sku,3,text,YES\n"
        "other,items,x,1,integer,NO\n");
    put(keys, sizeof keys, "keys.csv",
        "constraint_type,table_schema,table_name,column_name,"
        "ordinal_position\n"
        "PRIMARY KEY,public,items,line,2\n"
        "PRIMARY KEY,public,items,order_id,1\n"
        "FOREIGN KEY,public,items,sku,1\n"
        "PRIMARY KEY,other,items,x,1\n");
    opt.schema = "public";
    opt.keys_file = keys + 4;
    assert_int_equal(live_read(&s, src, &opt, &err), 0);
    assert_string_equal(s.schema, "public");
    assert_int_equal(s.ntables, 1);
    assert_int_equal(s.tables[0].ncols, 3);
    assert_int_equal(s.tables[0].cols[0].pk_position, 1);
    assert_int_equal(s.tables[0].cols[1].pk_position, 2);
    assert_int_equal(s.tables[0].cols[2].pk_position, 0);
    live_schema_dispose(&s);

    /* Several schemas and none chosen: refused. */
    assert_int_equal(live_read(&s, src, NULL, &err), ERR_INVALID);
    assert_non_null(strstr(err.msg, "several schemas"));
}

static void expect_error(const char *name, const char *text, const char *want)
{
    char src[400];
    live_schema s;
    errmsg err = {0};

    put(src, sizeof src, name, text);
    assert_int_equal(live_read(&s, src, NULL, &err), ERR_INVALID);
    if (!strstr(err.msg, want))
        fail_msg("\"%s\" does not say \"%s\"", err.msg, want);
    assert_null(strchr(err.msg, '\n'));
    assert_int_equal(s.ntables, 0);
}

static void test_clear_errors(void **state)
{
    live_schema s;
    errmsg err = {0};
    char p[320];

    (void)state;
    expect_error("e1.csv", "TABLE_NAME,COLUMN_NAME,IS_NULLABLE\nt,c,NO\n",
                 "e1.csv:1: the header has no DATA_TYPE column");
    expect_error("e2.csv", "TABLE_NAME,COLUMN_NAME,DATA_TYPE\nt,c,integer\n",
                 "no IS_NULLABLE column");
    expect_error("e3.csv",
                 "TABLE_NAME,COLUMN_NAME,DATA_TYPE,IS_NULLABLE\n"
                 "t,c,integer,NO\nt,d,integer,maybe\n",
                 "e3.csv:3: IS_NULLABLE is \"maybe\"");
    expect_error("e4.csv",
                 "TABLE_NAME,COLUMN_NAME,DATA_TYPE,IS_NULLABLE\n"
                 "t,c,integer,NO\n\"t,c,integer,NO\n",
                 "e4.csv:3: a quoted cell is not closed");
    expect_error("e5.csv",
                 "TABLE_NAME,COLUMN_NAME,DATA_TYPE,IS_NULLABLE,"
                 "CHARACTER_MAXIMUM_LENGTH\nt,c,varchar,NO,lots\n",
                 "e5.csv:2: CHARACTER_MAXIMUM_LENGTH is not a number");
    expect_error("e6.csv",
                 "TABLE_NAME,COLUMN_NAME,DATA_TYPE,IS_NULLABLE\n"
                 "t,c,integer,NO\nt,c,text,YES\n",
                 "e6.csv:3: t.c appears twice");
    expect_error("e7.csv", "", "empty");
    snprintf(p, sizeof p, "csv:%s/none.csv", dir);
    assert_int_equal(live_read(&s, p, NULL, &err), ERR_IO);
    assert_non_null(strstr(err.msg, "none.csv"));
}

UFX_MAIN_GROUP(
    up, down, cmocka_unit_test(test_snowflake_export),
    cmocka_unit_test(test_table_comment_column),
    cmocka_unit_test(test_minimal_header_and_types_with_numbers),
    cmocka_unit_test(test_composite_keys_from_positions_and_keys_file),
    cmocka_unit_test(test_clear_errors))
