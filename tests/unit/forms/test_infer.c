/* test_infer.c: forms/infer.c, columns proposed from CSV/TSV samples. */
#include "fixture.h"
#include "forms_test.h"

#include "infer.h"
#include "validate.h"
#include "str.h"

#include <cjson/cJSON.h>

static void infer_ok(form_inferred *out, const char *csv)
{
    errmsg err = {0};
    int rc = form_infer_columns(out, csv, strlen(csv), &err);

    if (rc)
        fprintf(stderr, "infer: %s\n", err.msg);
    assert_int_equal(rc, 0);
}

/* Infers the columns of tests/data/<rel> into *out; returns the file's
 * bytes (free them after disposing of *out). */
static char *infer_file(form_inferred *out, const char *rel)
{
    size_t len;
    char *data = ufx_read_data(rel, &len);
    errmsg err = {0};

    assert_int_equal(form_infer_columns(out, data, len, &err), 0);
    return data;
}

static int infer_err(const char *csv, size_t len, const char *needle)
{
    form_inferred inf = {0};
    errmsg err = {0};
    int rc = form_infer_columns(&inf, csv, len, &err);

    assert_true(rc < 0);
    assert_int_equal(inf.ncolumns, 0);
    if (needle && !strstr(err.msg, needle)) {
        fprintf(stderr, "message \"%s\" lacks \"%s\"\n", err.msg, needle);
        fail();
    }
    return rc;
}

static const char *type_of(const form_inferred *inf, size_t i, char *tbuf)
{
    form_type_format(tbuf, 64, &inf->columns[i].type);
    return tbuf;
}

static void test_infer__types(void **state)
{
    form_inferred inf;
    char t[64];
    (void)state;

    infer_ok(&inf,
             "id,big,amount,flag,joined,seen,seen_tz,zip,count01,name,huge\n"
             "1,3000000000,10.5,true,2024-01-05,2024-01-05 10:00:00,"
             "2024-01-05T10:00:00Z,01234,0,Ann,123456789012345678901\n"
             "-2,-9223372036854775808,-3.125,No,2024-02-29,"
             "2024-02-29T23:59:59.123,2024-02-29T23:59:59+01:00,99999,1,"
             "Bob,1\n"
             "300,5,7,YES,2023-12-31,2023-12-31,2023-12-31 00:00+0530,"
             "10115,1,Eve Longername,2\n");
    assert_int_equal(inf.rows_read, 3);
    assert_int_equal(inf.ncolumns, 11);
    assert_string_equal(type_of(&inf, 0, t), "bigint"); /* an id */
    assert_string_equal(type_of(&inf, 1, t), "bigint");
    assert_string_equal(type_of(&inf, 2, t), "decimal(13,3)"); /* money */
    assert_string_equal(type_of(&inf, 3, t), "boolean");
    assert_string_equal(type_of(&inf, 4, t), "date");
    assert_string_equal(type_of(&inf, 5, t), "timestamp"); /* date mixed in */
    assert_string_equal(type_of(&inf, 6, t), "timestamp with time zone");
    assert_string_equal(type_of(&inf, 7, t), "string(20)"); /* leading zero */
    assert_string_equal(type_of(&inf, 8, t), "integer");    /* 0/1 */
    assert_string_equal(type_of(&inf, 9, t), "string(50)"); /* 14 chars */
    assert_string_equal(type_of(&inf, 10, t), "decimal(25,0)");
    for (size_t i = 0; i < inf.ncolumns; i++)
        assert_int_equal(inf.columns[i].nullable, 0);
    assert_string_equal(inf.columns[9].example, "Ann");
    assert_int_equal(inf.columns[9].max_length, 14);
    form_inferred_dispose(&inf);
}

static void test_infer__mixed_types_fall_back(void **state)
{
    form_inferred inf;
    char t[64];
    (void)state;

    infer_ok(&inf, "a,b,c,d,e,f\n"
                   "1,true,2024-01-01,1,2024-01-01T00:00:00Z,1.5\n"
                   "x,1,2024-01-32,2.25,2024-01-01 00:00:00,1e5\n");
    assert_string_equal(type_of(&inf, 0, t), "string(20)");
    assert_string_equal(type_of(&inf, 1, t), "string(20)"); /* true + 1 */
    assert_string_equal(type_of(&inf, 2, t), "string(20)"); /* bad date */
    assert_string_equal(type_of(&inf, 3, t), "decimal(7,2)");
    assert_string_equal(type_of(&inf, 4, t), "string(50)"); /* tz + naive */
    assert_string_equal(type_of(&inf, 5, t), "string(20)"); /* exponent */
    form_inferred_dispose(&inf);
}

static void test_infer__quoted_fields(void **state)
{
    form_inferred inf;
    char t[64];
    (void)state;

    infer_ok(&inf, "name,comment,n\n"
                   "\"Smith, Bob\",\"He said \"\"hi\"\"\",1\n"
                   "\"Ann\",\"two\nlines, and a comma\",2\n"
                   "Eve,\"\",3\n");
    assert_int_equal(inf.rows_read, 3);
    assert_string_equal(inf.columns[0].example, "Smith, Bob");
    assert_string_equal(inf.columns[1].example, "He said \"hi\"");
    assert_int_equal(inf.columns[1].nullable, 1); /* "" is empty */
    assert_int_equal(inf.columns[0].nullable, 0);
    assert_int_equal(inf.columns[1].max_length,
                     strlen("two\nlines, and a comma"));
    assert_string_equal(type_of(&inf, 2, t), "integer");
    form_inferred_dispose(&inf);
}

static void test_infer__bom_crlf_file(void **state)
{
    form_inferred inf = {0};
    char *data = infer_file(&inf, "forms/bom_crlf.csv");
    char t[64];
    (void)state;

    assert_int_equal(inf.ncolumns, 4);
    assert_int_equal(inf.rows_read, 3);
    assert_string_equal(inf.columns[0].name, "customer_id"); /* no BOM */
    assert_string_equal(inf.columns[0].original, "Customer ID");
    assert_string_equal(inf.columns[3].name, "balance"); /* no \r */
    assert_string_equal(inf.columns[3].original, "Balance");
    assert_string_equal(type_of(&inf, 0, t), "bigint"); /* customer_id */
    assert_string_equal(type_of(&inf, 2, t), "date");
    assert_string_equal(type_of(&inf, 3, t),
                        "decimal(13,3)"); /* 10.50, -3.125: money */
    assert_int_equal(inf.columns[1].nullable, 1);
    assert_string_equal(inf.columns[1].example, "Ann");
    assert_int_equal(inf.columns[3].nullable, 0);
    form_inferred_dispose(&inf);
    free(data);
}

static void test_infer__empty_and_missing_cells(void **state)
{
    form_inferred inf;
    char t[64];
    (void)state;

    infer_ok(&inf, "a,b,c,d\n1,,x,\n2,  ,y\n\n3,5,z,\n");
    assert_int_equal(inf.rows_read, 3); /* blank line skipped */
    assert_int_equal(inf.columns[0].nullable, 0);
    assert_int_equal(inf.columns[1].nullable, 1);
    assert_int_equal(inf.columns[2].nullable, 0);
    assert_int_equal(inf.columns[3].nullable, 1); /* missing in row 2 */
    assert_string_equal(type_of(&inf, 1, t), "integer");
    assert_string_equal(type_of(&inf, 3, t), "string(255)"); /* no values */
    assert_string_equal(inf.columns[3].example, "");
    form_inferred_dispose(&inf);
    /* Header only: everything nullable. */
    infer_ok(&inf, "a,b\n");
    assert_int_equal(inf.rows_read, 0);
    assert_int_equal(inf.columns[0].nullable, 1);
    form_inferred_dispose(&inf);
}

static void test_infer__delimiters(void **state)
{
    char t[64];
    form_inferred inf = {0};
    char *data = infer_file(&inf, "forms/sample.tsv");

    (void)state;

    assert_int_equal(inf.delimiter, '\t');
    assert_int_equal(inf.ncolumns, 3);
    assert_string_equal(type_of(&inf, 2, t), "decimal(8,2)");
    form_inferred_dispose(&inf);
    free(data);
    infer_ok(&inf, "a;b;c\n1,5;x;2\n");
    assert_int_equal(inf.delimiter, ';');
    assert_string_equal(inf.columns[0].example, "1,5");
    form_inferred_dispose(&inf);
    /* Commas inside a quoted header cell do not count. */
    infer_ok(&inf, "\"a,b,c,d\";e;f\n1;2;3\n");
    assert_int_equal(inf.delimiter, ';');
    assert_int_equal(inf.ncolumns, 3);
    form_inferred_dispose(&inf);
}

static void test_infer__names(void **state)
{
    form_inferred inf;
    char msg[256];
    (void)state;

    infer_ok(&inf, "Customer ID,1st Name,,Order,E-mail  Address,name,NAME,"
                   "Pr\xc3\xa9nom,__x__,select\n1,2,3,4,5,6,7,8,9,10\n");
    assert_string_equal(inf.columns[0].name, "customer_id");
    assert_string_equal(inf.columns[1].name, "c_1st_name");
    assert_string_equal(inf.columns[2].name, "column_3");
    assert_string_equal(inf.columns[3].name, "order"); /* quoted */
    assert_string_equal(inf.columns[4].name, "e_mail_address");
    assert_string_equal(inf.columns[5].name, "name");
    assert_string_equal(inf.columns[6].name, "name_2");
    assert_string_equal(inf.columns[7].name, "pr_nom");
    assert_string_equal(inf.columns[7].original, "Pr\xc3\xa9nom");
    assert_string_equal(inf.columns[8].name, "x");
    assert_string_equal(inf.columns[9].name, "select");
    for (size_t i = 0; i < inf.ncolumns; i++) {
        int rc = form_ident_check(inf.columns[i].name, msg, sizeof msg);
        if (rc)
            fprintf(stderr, "%s: %s\n", inf.columns[i].name, msg);
        assert_int_equal(rc, 0);
    }
    form_inferred_dispose(&inf);
    {
        /* A long header is cut to a valid length, duplicates included. */
        char csv[300];
        memset(csv, 'a', 100);
        csv[100] = ',';
        memset(csv + 101, 'a', 100);
        memcpy(csv + 201, "\n1,2\n", 6);
        infer_ok(&inf, csv);
        assert_int_equal(strlen(inf.columns[0].name), FORM_MAX_IDENT);
        assert_int_equal(strlen(inf.columns[1].name), FORM_MAX_IDENT);
        assert_string_not_equal(inf.columns[0].name, inf.columns[1].name);
        form_inferred_dispose(&inf);
    }
}

static void test_infer__string_lengths(void **state)
{
    form_inferred inf;
    char t[64];
    buf b = {0};
    (void)state;

    buf_puts(&b, "short,long\nabc,");
    for (int i = 0; i < 70000; i++)
        buf_putc(&b, 'x');
    buf_puts(&b, "\n\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9,y\n");
    infer_ok(&inf, buf_cstr(&b));
    /* 11 characters (22 bytes): twice that rounds up to 50. */
    assert_int_equal(inf.columns[0].max_length, 11);
    assert_string_equal(type_of(&inf, 0, t), "string(50)");
    assert_string_equal(type_of(&inf, 1, t), "text");
    assert_true(strlen(inf.columns[1].example) <= FORM_MAX_SHORT);
    form_inferred_dispose(&inf);
    buf_dispose(&b);
}

/* The sample of the report: four rows gave string(20) and decimal(5,2). */
static void test_infer__sizes_with_headroom(void **state)
{
    form_inferred inf;
    char t[64];
    (void)state;

    infer_ok(&inf, "Visit ID,Visitor Email,Basket Value,Store,Visits,Ratio,"
                   "Contact,Big Count,Member No,Note\n"
                   "1001,ann@acme.example,412.50,Leeds,3,0.125,a@b.io,"
                   "12345678,7,x\n"
                   "1002,bob@acme.example,19.99,York,12,1.5,c@d.io,9,8,\n"
                   "1003,eve@acme.example,7.5,Hull,1,2,e@f.io,10,9,\n"
                   "1004,cy.long.name@acme.ex,120,Leeds,4,0.5,g@h.io,11,10,\n");
    /* an identifier: bigint, however small the sample's values */
    assert_string_equal(type_of(&inf, 0, t), "bigint");
    /* e-mail by name and by values: room for the longest address */
    assert_int_equal(inf.columns[1].max_length, 20);
    assert_string_equal(type_of(&inf, 1, t), "string(255)");
    assert_string_equal(type_of(&inf, 6, t), "string(255)"); /* values */
    /* money: at least decimal(12,2) */
    assert_string_equal(type_of(&inf, 2, t), "decimal(12,2)");
    /* a short string: twice the longest (5), rounded up to a step */
    assert_string_equal(type_of(&inf, 3, t), "string(20)");
    /* a small count stays integer; one of 8 digits is bigint */
    assert_string_equal(type_of(&inf, 4, t), "integer");
    assert_string_equal(type_of(&inf, 7, t), "bigint");
    assert_string_equal(type_of(&inf, 8, t), "bigint"); /* member_no */
    /* not money: the sample's scale, four more integer digits */
    assert_string_equal(type_of(&inf, 5, t), "decimal(8,3)");
    assert_string_equal(type_of(&inf, 9, t), "string(20)");
    form_inferred_dispose(&inf);

    /* The steps: 20, 50, 100, 255, 500, 1000, 4000, then text. */
    {
        static const struct {
            size_t len;
            const char *type;
        } cases[] = {{1, "string(20)"},     {10, "string(20)"},
                     {11, "string(50)"},    {25, "string(50)"},
                     {26, "string(100)"},   {50, "string(100)"},
                     {51, "string(255)"},   {127, "string(255)"},
                     {128, "string(500)"},  {250, "string(500)"},
                     {251, "string(1000)"}, {500, "string(1000)"},
                     {501, "string(4000)"}, {2000, "string(4000)"},
                     {2001, "text"}};
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
            buf b = {0};
            buf_puts(&b, "note\n");
            for (size_t k = 0; k < cases[i].len; k++)
                buf_putc(&b, 'x');
            buf_puts(&b, "\n");
            infer_ok(&inf, buf_cstr(&b));
            if (strcmp(type_of(&inf, 0, t), cases[i].type))
                fail_msg("%zu characters: %s, not %s", cases[i].len, t,
                         cases[i].type);
            form_inferred_dispose(&inf);
            buf_dispose(&b);
        }
    }
    /* A decimal never passes 38 digits. */
    infer_ok(&inf, "amount\n1234567890123456789012345678901234.5\n");
    assert_string_equal(type_of(&inf, 0, t), "decimal(38,2)");
    form_inferred_dispose(&inf);
}

static void test_infer__sample_notes(void **state)
{
    form_inferred inf;
    cJSON *j;
    const cJSON *c;
    (void)state;

    infer_ok(&inf, "email,basket_value,delta,visits,seen,flag,empty\n"
                   "ann@acme.example,412.50,-3.125,3,2026-01-01,true,\n"
                   "bob@acme.example.org,19.99,10.5,12,2026-01-02,false,\n");
    assert_string_equal(inf.columns[0].sample_note, "longest in sample: 20");
    assert_string_equal(inf.columns[1].sample_note, "max in sample: 412.50");
    assert_string_equal(inf.columns[2].sample_note,
                        "in sample: -3.125 to 10.5");
    assert_string_equal(inf.columns[3].sample_note, "max in sample: 12");
    assert_string_equal(inf.columns[4].sample_note, "");
    assert_string_equal(inf.columns[5].sample_note, "");
    assert_string_equal(inf.columns[6].sample_note, "no values in sample");
    j = form_inferred_to_json(&inf);
    c = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "columns"), 1);
    assert_string_equal(cJSON_GetObjectItem(c, "sample_note")->valuestring,
                        "max in sample: 412.50");
    cJSON_Delete(j);
    form_inferred_dispose(&inf);
}

static void test_infer__example_rows(void **state)
{
    form_inferred inf;
    cJSON *j;
    buf b = {0};
    (void)state;

    /* the header and the first five rows; CR LF read as LF; a quoted
       line break kept */
    infer_ok(&inf, "\xEF\xBB\xBF\r\nid,note\r\n1,a\r\n2,\"two\r\nlines\"\r\n"
                   "3,c\r\n4,d\r\n5,e\r\n6,f\r\n7,g\r\n");
    assert_string_equal(inf.example_rows, "id,note\n1,a\n2,\"two\nlines\"\n"
                                          "3,c\n4,d\n5,e");
    assert_int_equal(inf.rows_read, 7);
    j = form_inferred_to_json(&inf);
    assert_string_equal(cJSON_GetObjectItem(j, "example_rows")->valuestring,
                        inf.example_rows);
    cJSON_Delete(j);
    form_inferred_dispose(&inf);
    /* fewer rows: all of them, without the last line break */
    infer_ok(&inf, "a,b\n1,2\n");
    assert_string_equal(inf.example_rows, "a,b\n1,2");
    form_inferred_dispose(&inf);
    /* wide rows: cut at a line end within INFER_EXAMPLE_BYTES */
    buf_puts(&b, "a,b\n");
    for (int r = 0; r < 5; r++) {
        buf_puts(&b, "1,");
        for (int k = 0; k < 900; k++)
            buf_putc(&b, 'x');
        buf_puts(&b, "\n");
    }
    infer_ok(&inf, buf_cstr(&b));
    assert_true(strlen(inf.example_rows) <= INFER_EXAMPLE_BYTES);
    assert_int_equal(strlen(inf.example_rows), 4 + 903 + 903 - 1);
    form_inferred_dispose(&inf);
    buf_dispose(&b);
    /* one line longer than the limit: cut at a character */
    buf_puts(&b, "a\n");
    for (int k = 0; k < 3000; k++)
        buf_puts(&b, "\xc3\xa9");
    buf_puts(&b, "\n");
    infer_ok(&inf, buf_cstr(&b));
    assert_true(strlen(inf.example_rows) <= INFER_EXAMPLE_BYTES);
    assert_true(str_utf8_valid(inf.example_rows, strlen(inf.example_rows)));
    form_inferred_dispose(&inf);
    buf_dispose(&b);
}

static void test_infer__names_refused_even_quoted(void **state)
{
    form_inferred inf;
    (void)state;

    /* reserved words stay (docket quotes them); a PostgreSQL system
       column does not */
    infer_ok(&inf, "order,action,query,plan,xmin,ctid\n1,2,3,4,5,6\n");
    assert_string_equal(inf.columns[0].name, "order");
    assert_string_equal(inf.columns[1].name, "action");
    assert_string_equal(inf.columns[2].name, "query");
    assert_string_equal(inf.columns[3].name, "plan");
    assert_string_equal(inf.columns[4].name, "xmin_col");
    assert_string_equal(inf.columns[5].name, "ctid_col");
    form_inferred_dispose(&inf);
}

static void test_infer__errors(void **state)
{
    static const char nul[] = "a,b\n1,\0\n";
    buf b = {0};
    (void)state;

    infer_err("", 0, "empty");
    infer_err("\xEF\xBB\xBF\n\n", 5, "empty");
    infer_err("a,b\n1,\"open\n2,3\n", 16, "line 2");
    infer_err("a,b\n1,2\n1,2,3\n", 14, "line 3");
    infer_err("a,b\n1,\"x\"y\n", 11, "closing quote");
    infer_err("a,b\n1,caf\xe9\n", 11, "line 2");
    infer_err(nul, sizeof nul - 1, "NUL");
    for (int i = 0; i <= FORM_MAX_COLUMNS; i++)
        buf_appendf(&b, i ? ",c%d" : "c%d", i);
    buf_puts(&b, "\n");
    assert_int_equal(infer_err(buf_cstr(&b), b.len, "500"), ERR_TOOBIG);
    buf_dispose(&b);
}

static void test_infer__json(void **state)
{
    form_inferred inf;
    cJSON *j;
    const cJSON *c;
    (void)state;

    infer_ok(&inf, "Member ID,Tier\n100045,gold\n100046,\n");
    j = form_inferred_to_json(&inf);
    assert_string_equal(cJSON_GetObjectItem(j, "delimiter")->valuestring, ",");
    assert_int_equal(cJSON_GetObjectItem(j, "rows_read")->valueint, 2);
    c = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "columns"), 0);
    assert_string_equal(cJSON_GetObjectItem(c, "name")->valuestring,
                        "member_id");
    assert_string_equal(cJSON_GetObjectItem(c, "original")->valuestring,
                        "Member ID");
    assert_string_equal(cJSON_GetObjectItem(c, "type")->valuestring, "bigint");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(c, "nullable")));
    assert_string_equal(cJSON_GetObjectItem(c, "example")->valuestring,
                        "100045");
    c = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "columns"), 1);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(c, "nullable")));
    cJSON_Delete(j);
    form_inferred_dispose(&inf);
}

static void test_infer__large_generated_file(void **state)
{
    buf b = {0};
    form_inferred inf = {0};
    errmsg err = {0};
    size_t rows = 0;
    unsigned seed = 12345;
    int64_t t0, t1;
    char t[64];
    (void)state;

    b.max = 64 * 1024 * 1024;
    buf_puts(&b, "\xEF\xBB\xBF"
                 "order id,customer,amount,ordered at,"
                 "is gift,note\r\n");
    while (b.len < 8 * 1024 * 1024) {
        unsigned r;
        seed = seed * 1103515245u + 12345u;
        r = (seed >> 8) % 100000;
        buf_appendf(&b, "%zu,C%05u,%u.%02u,2024-%02u-%02u %02u:%02u:%02u,%s,",
                    rows + 1, r, r % 5000, r % 100, r % 12 + 1, r % 28 + 1,
                    r % 24, r % 60, (r / 7) % 60, r % 3 ? "false" : "true");
        if (r % 10 == 0)
            buf_puts(&b, "\"wrapped, with \"\"quotes\"\"\nand a newline\"");
        else if (r % 10 != 1)
            buf_appendf(&b, "note %u", r);
        buf_puts(&b, "\r\n");
        rows++;
    }
    assert_int_equal(buf_error(&b), 0);
    t0 = time_mono_us();
    assert_int_equal(form_infer_columns(&inf, b.data, b.len, &err), 0);
    t1 = time_mono_us();
    print_message("inferred %zu rows, %.1f MB in %.1f ms (%.0f MB/s, this "
                  "build)\n",
                  rows, b.len / 1e6, (t1 - t0) / 1e3,
                  b.len / 1e6 / ((t1 - t0 + 1) / 1e6));
    assert_int_equal(inf.rows_read, rows);
    assert_int_equal(inf.ncolumns, 6);
    assert_string_equal(inf.columns[0].name, "order_id");
    assert_string_equal(type_of(&inf, 0, t), "bigint"); /* order_id */
    assert_string_equal(type_of(&inf, 1, t), "string(20)");
    assert_string_equal(type_of(&inf, 2, t), "decimal(12,2)"); /* amount */
    assert_string_equal(type_of(&inf, 3, t), "timestamp");
    assert_string_equal(type_of(&inf, 4, t), "boolean");
    assert_string_equal(type_of(&inf, 5, t), "string(100)");
    assert_int_equal(inf.columns[5].nullable, 1);
    assert_int_equal(inf.columns[0].nullable, 0);
    form_inferred_dispose(&inf);
    buf_dispose(&b);
}

UFX_MAIN(cmocka_unit_test(test_infer__types),
         cmocka_unit_test(test_infer__mixed_types_fall_back),
         cmocka_unit_test(test_infer__quoted_fields),
         cmocka_unit_test(test_infer__bom_crlf_file),
         cmocka_unit_test(test_infer__empty_and_missing_cells),
         cmocka_unit_test(test_infer__delimiters),
         cmocka_unit_test(test_infer__names),
         cmocka_unit_test(test_infer__string_lengths),
         cmocka_unit_test(test_infer__sizes_with_headroom),
         cmocka_unit_test(test_infer__sample_notes),
         cmocka_unit_test(test_infer__example_rows),
         cmocka_unit_test(test_infer__names_refused_even_quoted),
         cmocka_unit_test(test_infer__errors),
         cmocka_unit_test(test_infer__json),
         cmocka_unit_test(test_infer__large_generated_file))
