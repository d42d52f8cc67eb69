/* fuzz_ident.h: check_ident(d, text, q) of the migrations targets: reads
 * the identifier q, quoted for dialect d, back with the dialect's rules;
 * it must be exactly text and the closing quote must end q (no
 * break-out). */
#ifndef DOCKET_FUZZ_IDENT_H
#define DOCKET_FUZZ_IDENT_H

#include "buf.h"
#include "fuzz.h"
#include "migrate.h"

#include <string.h>

static void check_ident(sql_dialect d, const char *text, const char *q)
{
    char quote = d == SQL_MYSQL ? '`' : '"';
    size_t n = strlen(q), i = 1;
    buf out = {0};

    CHECK(n >= 2 && q[0] == quote);
    for (;;) {
        CHECK(i < n);
        if (q[i] == quote) {
            if (i + 1 < n && q[i + 1] == quote) {
                buf_putc(&out, quote);
                i += 2;
                continue;
            }
            CHECK(i == n - 1); /* the closing quote ends the output */
            break;
        }
        buf_putc(&out, q[i++]);
    }
    CHECK(!strcmp(buf_cstr(&out), text));
    buf_dispose(&out);
}

#endif
