/* migrate_generate.c: libFuzzer target for migrate_generate (migrations/):
 * a request in the API's JSON shape (any bytes; what does not parse is
 * rendered as far as it was read, unvalidated, as a hostile caller of the
 * library could) is generated for every dialect x format. Asserts: no
 * crash; success or a clean ERR_INVALID/ERR_TOOBIG; every file has a name
 * without '/' and content ending with a newline and free of NUL; every
 * table and column name that quotes at all reads back from its quoted
 * form as exactly itself (the quote cannot be broken out of), and the
 * quoted table name of each new-table or add-columns item appears in the
 * generated files. */
#include "fuzz.h"
#include "fuzz_ident.h"
#include "buf.h"
#include "migrate.h"
#include "parse.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int quoted(buf *b, sql_dialect d, const char *name)
{
    buf_reset(b);
    if (migrate_quote_ident(b, d, name) < 0)
        return 0;
    check_ident(d, name, buf_cstr(b));
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    form_request r;
    form_errors fe = {0};
    migrate_options opt = {"https://docket.example.com", 1772546400, NULL};
    buf q = {0};

    form_parse_json(&r, (const char *)data, size, &fe);
    if (!r.created_at)
        r.created_at = 1772546400;
    for (int d = 0; d < SQL_NDIALECTS; d++) {
        for (size_t i = 0; i < r.nitems; i++) {
            quoted(&q, (sql_dialect)d, r.items[i].table);
            for (size_t c = 0; c < r.items[i].ncolumns; c++)
                quoted(&q, (sql_dialect)d, r.items[i].columns[c].name);
        }
        for (int f = 0; f < MIGRATE_NFORMATS; f++) {
            migrate_result res;
            errmsg err = {0};
            buf all = {0};
            int rc = migrate_generate(&res, &r, (sql_dialect)d,
                                      (migrate_format)f, &opt, &err);
            if (rc < 0) {
                CHECK(rc == ERR_INVALID || rc == ERR_TOOBIG);
                continue;
            }
            CHECK(res.nfiles > 0);
            for (size_t k = 0; k < res.nfiles; k++) {
                size_t len = strlen(res.files[k].content);
                CHECK(res.files[k].name[0] && !strchr(res.files[k].name, '/'));
                CHECK(len > 0 && res.files[k].content[len - 1] == '\n');
                buf_puts(&all, res.files[k].content);
            }
            /* New tables and added columns are real statements that name
               their table; other kinds may be comment-only stubs. */
            for (size_t i = 0; i < r.nitems; i++)
                if ((r.items[i].kind == FORM_ITEM_NEW_TABLE ||
                     r.items[i].kind == FORM_ITEM_ADD_COLUMNS) &&
                    r.items[i].ncolumns &&
                    quoted(&q, (sql_dialect)d, r.items[i].table))
                    CHECK(strstr(buf_cstr(&all), buf_cstr(&q)) != NULL);
            buf_dispose(&all);
            migrate_result_dispose(&res);
        }
    }
    buf_dispose(&q);
    form_request_dispose(&r);
    form_errors_dispose(&fe);
    return 0;
}
