/* test_multiline.c: multi-line descriptions in every generated migration.
 * A description's lines stay inside their string literal or comment in
 * every dialect and file format: no line of it can end a comment and
 * start SQL, and none can be read as a migration tool's directive
 * (Liquibase reads "--rollback" and "--changeset" even after leading
 * blanks, dbmate "-- migrate:down", goose "-- +goose Down"). In SQLite the
 * description is kept in the CREATE TABLE text, where it reads back
 * exactly (the real-database test does the same on PostgreSQL and
 * MariaDB). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "migrate.h"
#include "parse.h"
#include "fixture.h"
#include "migrations_test.h"

#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>

/* Lines that try every way out of a literal or a comment. */
static const char *const hostile =
    "It's \"quoted\"; back\\slash \\' \\\\ */ /* `tick`\n"
    "DROP TABLE victims;\n"
    "--rollback DROP TABLE victims;\n"
    "  -- rollback DROP TABLE victims;\n"
    "--changeset evil:1\n"
    "-- migrate:down\n"
    "-- +goose Down\n"
    "rollback DROP TABLE victims;\n"
    "\n"
    "tab\there; ${placeholder} caf\xc3\xa9 ';\n"
    "last line";

static void request(form_request *r)
{
    form_item *it;
    form_column *c;

    fx_request_init(r, 31, "Multi-line descriptions");
    it = fx_item(r, FORM_ITEM_NEW_TABLE, "visits");
    fx_set(&it->description, hostile);
    c = fx_col(it, "visit_id", "bigint", 0, hostile);
    c->primary_key = 1;
    fx_col(it, "note", "text", 1, "one line");
    fx_col(it, "empty_first", "integer", 1, "\nsecond line only");
    fx_col(it, "plain", "integer", 1, "");
    fx_col(it, "last", "string(40)", 1, "a\n\nb\n");
    /* a description that starts like a directive */
    it = fx_item(r, FORM_ITEM_NEW_TABLE, "audits");
    fx_set(&it->description, "rollback DROP TABLE victims;");
    fx_col(it, "audit_id", "bigint", 1, "changeset evil:1\nx");
    it = fx_item(r, FORM_ITEM_ADD_COLUMNS, "customers");
    fx_col(it, "tier", "string(20)", 1, hostile);
}

/* The lines of text a migration tool reads as its own directive (after
 * any leading blanks: "--rollback", "-- migrate:down", "-- +goose Down",
 * ...), joined; DROP TABLE victims starting a line fails the test. */
static char *directives(const char *file, const char *what)
{
    buf b = {0};
    const char *line = file;

    while (*line) {
        size_t n = strcspn(line, "\n");
        char *one = xstrndup(line, n);
        const char *s = one, *after;
        while (*s == ' ' || *s == '\t')
            s++;
        if (str_startswith(s, "DROP TABLE victims"))
            fail_msg("%s: a description line became SQL: %s", what, one);
        if (str_startswith(s, "--")) {
            after = s + 2;
            while (*after == ' ' || *after == '\t')
                after++;
            if (str_startswith(after, "rollback") ||
                str_startswith(after, "changeset") ||
                str_startswith(after, "migrate:") ||
                str_startswith(after, "+goose") ||
                str_startswith(after, "precondition") ||
                str_startswith(after, "property")) {
                if (strstr(after, "victims") || strstr(after, "evil"))
                    fail_msg("%s: a description line reads as a tool's "
                             "directive: %s",
                             what, one);
                buf_puts(&b, one);
                buf_putc(&b, '\n');
            }
        }
        free(one);
        line += n;
        if (*line)
            line++;
    }
    return buf_detach(&b);
}

/* Every description replaced by "x". */
static void plain_descriptions(form_request *r)
{
    for (size_t i = 0; i < r->nitems; i++) {
        if (*r->items[i].description)
            fx_set(&r->items[i].description, "x");
        for (size_t j = 0; j < r->items[i].ncolumns; j++)
            if (*r->items[i].columns[j].description)
                fx_set(&r->items[i].columns[j].description, "x");
    }
}

/* The files of r have the same directive lines as those of the same
 * request with harmless descriptions, in every dialect and format. */
static void check_no_escape(const form_request *r)
{
    form_request clean;
    cJSON *j = form_request_to_json(r);
    char *json_text = cJSON_PrintUnformatted(j);
    form_errors fe = {0};

    assert_int_equal(form_parse_json(&clean, json_text, strlen(json_text), &fe),
                     0);
    clean.created_at = r->created_at;
    clean.id = r->id;
    plain_descriptions(&clean);
    for (int d = 0; d < SQL_NDIALECTS; d++)
        for (int f = 0; f < MIGRATE_NFORMATS; f++) {
            migrate_result res = {0}, ref = {0};
            assert_int_equal(migrate_generate(&res, r, (sql_dialect)d,
                                              (migrate_format)f, NULL, NULL),
                             0);
            assert_int_equal(migrate_generate(&ref, &clean, (sql_dialect)d,
                                              (migrate_format)f, NULL, NULL),
                             0);
            assert_int_equal(res.nfiles, ref.nfiles);
            for (size_t i = 0; i < res.nfiles; i++) {
                char what[160], *got, *want;
                snprintf(what, sizeof what, "%s %s %s",
                         sql_dialect_name((sql_dialect)d),
                         migrate_format_name((migrate_format)f),
                         res.files[i].name);
                got = directives(res.files[i].content, what);
                want = directives(ref.files[i].content, what);
                if (strcmp(got, want))
                    fail_msg("%s: directive lines\n%s\ninstead of\n%s", what,
                             got, want);
                free(got);
                free(want);
            }
            migrate_result_dispose(&res);
            migrate_result_dispose(&ref);
        }
    cJSON_free(json_text);
    cJSON_Delete(j);
    form_errors_dispose(&fe);
    form_request_dispose(&clean);
}

static void test_multiline__no_line_escapes(void **state)
{
    form_request r;

    (void)state;
    request(&r);
    check_no_escape(&r);
    form_request_dispose(&r);
}

typedef struct seen {
    const form_item *it;
    int table, columns;
} seen;

static void on_comment(void *ctx, const char *column, const char *text)
{
    seen *s = ctx;
    const char *want = NULL;

    if (!*column) {
        want = s->it->description;
        s->table++;
    } else {
        for (size_t j = 0; j < s->it->ncolumns; j++)
            if (!strcmp(s->it->columns[j].name, column))
                want = s->it->columns[j].description;
        s->columns++;
    }
    if (!want)
        fail_msg("a comment for unknown column %s", column);
    if (strcmp(want, text))
        fail_msg("SQLite keeps for %s:\n[%s]\ninstead of\n[%s]",
                 *column ? column : "the table", text, want);
}

/* SQLite: the up migration runs, and its CREATE TABLE text, as SQLite
 * stores it, gives every description back byte for byte. */
static void test_multiline__sqlite_reads_back(void **state)
{
    form_request r;
    migrate_result res = {0};
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char *msg = NULL;
    seen s = {0};

    (void)state;
    request(&r);
    assert_int_equal(
        migrate_generate(&res, &r, SQL_SQLITE, MIGRATE_PLAIN, NULL, NULL), 0);
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db, "CREATE TABLE customers (customer_id INTEGER);", NULL,
                     NULL, NULL),
        SQLITE_OK);
    if (sqlite3_exec(db, res.files[0].content, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("the up migration fails: %s\n%s", msg, res.files[0].content);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT sql FROM sqlite_schema WHERE "
                                        "name = 'visits'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    s.it = &r.items[0];
    fx_sqlite_comments((const char *)sqlite3_column_text(st, 0), on_comment,
                       &s);
    assert_int_equal(s.table, 1);
    assert_int_equal(s.columns, 4); /* every column with a description */
    sqlite3_finalize(st);
    /* the down migration undoes it */
    if (sqlite3_exec(db, res.files[1].content, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("the down migration fails: %s", msg);
    sqlite3_close(db);
    migrate_result_dispose(&res);
    form_request_dispose(&r);
}

/* Line ends that reached the registry before they were normalised (CR LF,
 * a lone CR) are line breaks too: in SQLite each line is its own comment
 * line, elsewhere the literal keeps the CR as an escape. */
static void test_multiline__carriage_returns(void **state)
{
    form_request r;
    migrate_result res = {0};

    (void)state;
    fx_request_init(&r, 32, "CR");
    fx_col(fx_item(&r, FORM_ITEM_NEW_TABLE, "t"), "a", "integer", 1,
           "one\r\nDROP TABLE victims;\r-- migrate:down\rthree");
    for (int d = 0; d < SQL_NDIALECTS; d++) {
        assert_int_equal(migrate_generate(&res, &r, (sql_dialect)d,
                                          MIGRATE_DBMATE, NULL, NULL),
                         0);
        assert_null(strchr(res.files[0].content, '\r'));
        migrate_result_dispose(&res);
    }
    check_no_escape(&r);
    form_request_dispose(&r);
}

UFX_MAIN(cmocka_unit_test(test_multiline__no_line_escapes),
         cmocka_unit_test(test_multiline__sqlite_reads_back),
         cmocka_unit_test(test_multiline__carriage_returns))
