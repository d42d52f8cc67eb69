/* test_attachment.c: the rules for an attached file (forms/attachment.c):
 * accepted kinds and their content types, the stored name (path parts,
 * control and bidi characters, length), the size limit, and content
 * sniffing: programs and web pages are refused whatever the name says, and
 * a file must look like its kind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "attachment.h"
#include "form.h"
#include "str.h"

#include <stdlib.h>
#include <string.h>

/* form_file_check on a string; the code, and name/type when accepted. */
static int check(const char *name, const char *data, size_t n, char **out_name,
                 char **out_type, errmsg *err)
{
    memset(err, 0, sizeof *err);
    *out_name = *out_type = NULL;
    return form_file_check(out_name, out_type, name,
                           (const unsigned char *)data, n, err);
}

static void accepted(const char *name, const char *data, size_t n,
                     const char *want_name, const char *want_type)
{
    char *nm, *ty;
    errmsg err;

    assert_int_equal(check(name, data, n, &nm, &ty, &err), 0);
    assert_string_equal(nm, want_name);
    assert_string_equal(ty, want_type);
    free(nm);
    free(ty);
}

static void refused(const char *name, const char *data, size_t n, int code,
                    const char *words)
{
    char *nm, *ty;
    errmsg err;

    assert_int_equal(check(name, data, n, &nm, &ty, &err), code);
    assert_null(nm);
    assert_null(ty);
    assert_non_null(strstr(err.msg, words));
}

static void test_attachment__kinds_and_types(void **state)
{
    (void)state;
    accepted("sample.csv", "id,name\n1,a\n", 12, "sample.csv", "text/csv");
    accepted("S.TSV", "id\tname\n", 8, "S.TSV", "text/tab-separated-values");
    accepted("notes.txt", "", 0, "notes.txt", "text/plain");
    accepted("x.json", "\xef\xbb\xbf \n[1]", 8, "x.json", "application/json");
    accepted("doc.pdf", "%PDF-1.7 ...", 12, "doc.pdf", "application/pdf");
    accepted("d.parquet", "PAR1....PAR1", 12, "d.parquet",
             "application/vnd.apache.parquet");
    accepted("s.xlsx", "PK\x03\x04rest", 8, "s.xlsx",
             "application/vnd.openxmlformats-officedocument."
             "spreadsheetml.sheet");
    refused("run.exe", "data", 4, ERR_INVALID, "only CSV, TSV");
    refused("noext", "data", 4, ERR_INVALID, "only CSV, TSV");
}

static void test_attachment__programs_and_pages_refused(void **state)
{
    (void)state;
    refused("a.csv", "MZ\x90\0", 4, ERR_INVALID, "looks like a program");
    refused("a.csv", "\177ELF\2\1", 6, ERR_INVALID, "looks like a program");
    refused("a.txt", "#!/bin/sh\n", 10, ERR_INVALID, "looks like a program");
    refused("a.pdf", "\0asm\1\0\0\0", 8, ERR_INVALID, "looks like a program");
    refused("a.csv", "\xef\xbb\xbf \r\n<p>hi", 11, ERR_INVALID,
            "or a web page");
    refused("a.csv", "id,x\n1,<SVG onload=1>\n", 22, ERR_INVALID,
            "or a web page");
    refused("a.txt", "see <!-- c -->", 14, ERR_INVALID, "or a web page");
    assert_true(form_file_looks_like_markup((const unsigned char *)"<a x", 4));
    assert_false(
        form_file_looks_like_markup((const unsigned char *)"1 < 2", 5));
    assert_false(form_file_looks_executable((const unsigned char *)"M", 1));
    assert_false(form_file_looks_executable(NULL, 0));
}

static void test_attachment__content_must_fit_the_kind(void **state)
{
    (void)state;
    refused("a.json", "id,name", 7, ERR_INVALID, "does not look like a .json");
    refused("a.json", "  ", 2, ERR_INVALID, "does not look like a .json");
    refused("a.pdf", "PDF-1", 5, ERR_INVALID, "does not look like a .pdf");
    refused("a.parquet", "PAR1xxxx", 8, ERR_INVALID, "a .parquet");
    refused("a.parquet", "PAR1", 4, ERR_INVALID, "a .parquet");
    refused("a.xlsx", "PK\x05\x06", 4, ERR_INVALID, "a .xlsx");
    refused("a.csv", "a\0b", 3, ERR_INVALID, "is not UTF-8 text");
    refused("a.csv", "caf\xe9", 4, ERR_INVALID, "is not UTF-8 text");
}

static void test_attachment__size_limit(void **state)
{
    size_t n = FORM_MAX_ATTACHMENT + 1;
    char *big = malloc(n);

    (void)state;
    memset(big, 'a', n);
    refused("big.csv", big, n, ERR_TOOBIG, "larger than 10 MiB");
    accepted("big.csv", big, n - 1, "big.csv", "text/csv");
    free(big);
}

static void test_attachment__names(void **state)
{
    errmsg err = {0};
    char *s, longname[600];

    (void)state;
    accepted("C:\\Users\\me\\dir/a.csv", "x", 1, "a.csv", "text/csv");
    /* A right-to-left override is removed, not shown. */
    accepted("\xe2\x80\xae"
             "vsc.exe.csv",
             "x", 1, "vsc.exe.csv", "text/csv");
    refused("a\x01.csv", "x", 1, ERR_INVALID, "control characters");
    refused("a\n.csv", "x", 1, ERR_INVALID, "control characters");
    refused("bad\xff.csv", "x", 1, ERR_INVALID, "invalid UTF-8");
    refused("dir/..", "x", 1, ERR_INVALID, "no usable name");
    refused("\xe2\x80\xae", "x", 1, ERR_INVALID, "no usable name");
    /* A long name keeps its extension and FORM_MAX_SHORT code points. */
    memset(longname, 'n', 500);
    memcpy(longname + 500, ".csv", 5);
    s = form_file_name_clean(longname, &err);
    assert_non_null(s);
    assert_int_equal(str_utf8_len(s), FORM_MAX_SHORT);
    assert_string_equal(s + strlen(s) - 5, "n.csv");
    free(s);
    /* Cut between code points, never inside one. */
    for (int i = 0; i < 250; i++)
        memcpy(longname + 2 * i, "\xc3\xa9", 2);
    memcpy(longname + 500, ".csv", 5);
    s = form_file_name_clean(longname, &err);
    assert_non_null(s);
    assert_true(str_utf8_valid(s, strlen(s)));
    assert_int_equal(str_utf8_len(s), FORM_MAX_SHORT);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attachment__kinds_and_types),
        cmocka_unit_test(test_attachment__programs_and_pages_refused),
        cmocka_unit_test(test_attachment__content_must_fit_the_kind),
        cmocka_unit_test(test_attachment__size_limit),
        cmocka_unit_test(test_attachment__names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
