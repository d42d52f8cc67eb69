/* migrate_quote.c: libFuzzer target for the quoting of migrations/
 * (dialect.c, plan.c's comment lines). Whatever the text, the quoted
 * identifier or string literal must read back, with the dialect's own
 * rules, as exactly that text and end exactly where the output ends (no
 * break-out), and comment text must never leave its "--" line.
 * Build and run from the top of the tree (C files: every .c of migrations/
 * and core/, and forms/form.c):
 *   clang -fsanitize=fuzzer,address -Icore -Iforms -Imigrations
 *     tests/fuzz/migrate_quote.c migrations/<all>.c forms/form.c
 *     core/<all>.c $(pkg-config --libs --cflags inih)
 *   ./a.out tests/fuzz/corpus/migrate_quote
 * Input: first byte picks the dialect (bits 0-1) and the context (bits
 * 2-3: identifier, string, comment text, comment lines); the rest, up to a
 * NUL, is the text. */
#include "fuzz.h"
#include "fuzz_ident.h"
#include "buf.h"
#include "migrate.h"
#include "migrate_int.h"
#include "str.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads the string literal q back with dialect d's rules. */
static void check_string(sql_dialect d, const char *text, const char *q)
{
    size_t n = strlen(q), i = 0;
    int escapes = d == SQL_MYSQL || d == SQL_SNOWFLAKE;
    buf out = {0};

    if (d == SQL_POSTGRES && q[0] == 'E') {
        escapes = 1;
        i = 1;
    }
    if (d != SQL_SQLITE)
        CHECK(!strchr(q, '\n') && !strchr(q, '\r')); /* one line */
    CHECK(q[i] == '\'');
    i++;
    for (;;) {
        CHECK(i < n);
        if (q[i] == '\'') {
            if (i + 1 < n && q[i + 1] == '\'') {
                buf_putc(&out, '\'');
                i += 2;
                continue;
            }
            CHECK(i == n - 1);
            break;
        }
        if (escapes && q[i] == '\\') {
            char c;
            CHECK(i + 1 < n);
            c = q[i + 1];
            i += 2;
            switch (c) {
            case '\\': buf_putc(&out, '\\'); break;
            case 'n': buf_putc(&out, '\n'); break;
            case 'r': buf_putc(&out, '\r'); break;
            case 't': buf_putc(&out, '\t'); break;
            case 'Z':
                CHECK(d == SQL_MYSQL);
                buf_putc(&out, 0x1A);
                break;
            case 'x': {
                /* PostgreSQL and Snowflake: exactly two hex digits here */
                int hi, lo;
                CHECK(d != SQL_MYSQL && i + 1 < n);
                hi = str_hexval(q[i]);
                lo = str_hexval(q[i + 1]);
                CHECK(hi >= 0 && lo >= 0);
                buf_putc(&out, (char)(hi * 16 + lo));
                i += 2;
                break;
            }
            default: CHECK(!"unexpected escape");
            }
            continue;
        }
        buf_putc(&out, q[i++]);
    }
    CHECK(!strcmp(buf_cstr(&out), text));
    buf_dispose(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sql_dialect d;
    int mode;
    char *text;
    buf b = {0};

    if (size < 1)
        return 0;
    d = (sql_dialect)(data[0] & 3);
    mode = (data[0] >> 2) & 3;
    text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0'; /* the text ends at the first NUL */

    switch (mode) {
    case 0:
        if (migrate_quote_ident(&b, d, text) == 0) {
            check_ident(d, text, buf_cstr(&b));
        } else {
            /* refused only for empty, invalid UTF-8 or control bytes */
            int ctl = 0;
            for (const char *p = text; *p; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7F)
                    ctl = 1;
            CHECK(b.len == 0);
            CHECK(!*text || ctl || !str_utf8_valid(text, strlen(text)));
        }
        break;
    case 1:
        migrate_quote_string(&b, d, text);
        check_string(d, text, buf_cstr(&b));
        break;
    case 2:
        migrate_quote_comment(&b, text);
        for (size_t i = 0; i < b.len; i++)
            CHECK((unsigned char)b.data[i] >= 0x20 && b.data[i] != 0x7F);
        break;
    default: {
        /* Every line is a comment; later lines cannot start a directive
         * (they begin with "-- |"). */
        const char *line;
        int first = 1;
        mig_comment_lines(&b, "", text);
        CHECK(b.len && b.data[b.len - 1] == '\n');
        for (line = buf_cstr(&b); *line; line += strcspn(line, "\n") + 1) {
            size_t n = strcspn(line, "\n");
            CHECK(n >= 2 && line[0] == '-' && line[1] == '-');
            CHECK(!memchr(line, '\r', n));
            if (!first)
                CHECK(n >= 4 && !strncmp(line, "-- |", 4));
            first = 0;
        }
        break;
    }
    }
    buf_dispose(&b);
    free(text);
    return 0;
}
