/* Tests of core/yaml_io.c: every hostile string comes back from the
 * emitter's output as the same string (quotes, colons, #, a leading -,
 * &, *, !, %, @, backticks, ---, ..., multi-line, tabs, CR, unicode and
 * the words and numbers a YAML parser would read as another type);
 * integers and booleans are plain; the loader refuses anchors and
 * aliases, deep nesting, several documents and non-UTF-8 text, and says
 * at which line a syntax error is; values ending around 4, 16, 32 and
 * 64 KiB read back whole. */
#include "fixture.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "yaml_io.h"

#include <stdlib.h>
#include <string.h>

static const char *const hostile[] = {
    "plain words",
    "",
    " leading and trailing blanks ",
    "key: value",
    "a:b",
    "ends with a colon:",
    "# not a comment",
    "text # with a hash",
    "- not a list",
    "-",
    "--- not a document",
    "---",
    "...",
    "& anchor",
    "*alias",
    "!tag",
    "!!str",
    "%YAML 1.1",
    "@handle",
    "`backticks`",
    "'single' and \"double\" quotes",
    "\"",
    "'",
    "{flow: map}",
    "[flow, list]",
    "a, b, c",
    "? question",
    "| pipe",
    "> fold",
    "tab\there",
    "\ttab first",
    "line one\nline two",
    "line one\nline two\n",
    "trailing newlines\n\n\n",
    "\nleading newline",
    "  indented first line\nsecond",
    "carriage\r\nreturn",
    "Zürich – 東京 🙂",
    "yes",
    "no",
    "Yes",
    "NO",
    "on",
    "Off",
    "y",
    "n",
    "true",
    "False",
    "null",
    "Null",
    "~",
    "1e3",
    "1_000",
    "0x1F",
    "0o17",
    "017",
    "12",
    "-12",
    "+3.5",
    ".5",
    ".inf",
    "-.INF",
    ".NaN",
    "07:00",
    "1:20:30",
    "2026-12-06",
    "2026-12-06T07:00:00Z",
    "<<",
    "=",
    "<script>alert(1)</script>",
    "back\\slash",
    "\x7f delete",
    "bell \x07",
};
#define NHOSTILE (sizeof hostile / sizeof *hostile)

/* Every hostile string as a value and as a key, read back. */
static void test_yaml_io__hostile_strings_round_trip(void **state)
{
    buf b = {0};
    yaml_out y;
    yaml_doc d;
    yaml_node_t *root, *vals;
    errmsg err = {0};
    int line = 0;

    (void)state;
    yaml_out_begin(&y, &b, 0);
    yaml_out_map_begin(&y);
    yaml_out_str(&y, "values");
    yaml_out_seq_begin(&y);
    for (size_t i = 0; i < NHOSTILE; i++)
        yaml_out_str(&y, hostile[i]);
    yaml_out_seq_end(&y);
    for (size_t i = 0; i < NHOSTILE; i++) {
        char key[32];
        snprintf(key, sizeof key, "k%zu", i);
        yaml_out_kstr(&y, key, hostile[i]);
    }
    yaml_out_map_end(&y);
    assert_int_equal(yaml_out_end(&y), 0);

    assert_int_equal(yaml_doc_load(&d, b.data, b.len, &line, &err), 0);
    root = yaml_doc_root(&d);
    assert_true(yaml_doc_is_map(root));
    vals = yaml_doc_get(&d, root, "values");
    assert_int_equal(yaml_doc_seq_size(vals), NHOSTILE);
    for (size_t i = 0; i < NHOSTILE; i++) {
        char key[32];
        const yaml_node_t *v = yaml_doc_seq_item(&d, vals, i);
        const char *s = yaml_doc_str(v);
        assert_non_null(s);
        if (strcmp(s, hostile[i]))
            fail_msg("item %zu: [%s] came back as [%s] from:\n%s", i,
                     hostile[i], s, buf_cstr(&b));
        /* Not re-read as another type: never a plain scalar that a
           resolver would turn into a null, a boolean or a number. */
        if (yaml_out_needs_quotes(hostile[i]))
            assert_int_not_equal(v->data.scalar.style, YAML_PLAIN_SCALAR_STYLE);
        snprintf(key, sizeof key, "k%zu", i);
        assert_string_equal(yaml_doc_str(yaml_doc_get(&d, root, key)),
                            hostile[i]);
    }
    yaml_doc_dispose(&d);
    buf_dispose(&b);
}

static void test_yaml_io__numbers_booleans_null_plain(void **state)
{
    buf b = {0};
    yaml_out y;

    (void)state;
    yaml_out_begin(&y, &b, 0);
    yaml_out_map_begin(&y);
    yaml_out_kint(&y, "version", 2);
    yaml_out_kbool(&y, "on", 1);
    yaml_out_kbool(&y, "off", 0);
    yaml_out_str(&y, "none");
    yaml_out_null(&y);
    yaml_out_kint(&y, "neg", -40);
    yaml_out_str(&y, "tests");
    yaml_out_seq_begin_flow(&y);
    yaml_out_str(&y, "not_null");
    yaml_out_str(&y, "unique");
    yaml_out_seq_end(&y);
    yaml_out_map_end(&y);
    assert_int_equal(yaml_out_end(&y), 0);
    assert_string_equal(buf_cstr(&b), "version: 2\n"
                                      "\"on\": true\n"
                                      "\"off\": false\n"
                                      "none: null\n"
                                      "neg: -40\n"
                                      "tests: [not_null, unique]\n");
    buf_dispose(&b);
}

static void test_yaml_io__multi_line_is_a_literal_block(void **state)
{
    buf b = {0};
    yaml_out y;

    (void)state;
    yaml_out_begin(&y, &b, 0);
    yaml_out_map_begin(&y);
    yaml_out_kstr(&y, "description", "first: line\n# second");
    yaml_out_map_end(&y);
    assert_int_equal(yaml_out_end(&y), 0);
    assert_string_equal(buf_cstr(&b),
                        "description: |-\n  first: line\n  # second\n");
    buf_dispose(&b);
}

static void test_yaml_io__nesting_mistake_is_an_error(void **state)
{
    buf b = {0};
    yaml_out y;

    (void)state;
    yaml_out_begin(&y, &b, 0);
    yaml_out_map_begin(&y);
    yaml_out_str(&y, "key");
    yaml_out_seq_end(&y); /* no sequence is open */
    yaml_out_map_end(&y);
    assert_int_equal(yaml_out_end(&y), ERR_INTERNAL);
    buf_dispose(&b);
}

/* data must fail to load with msg (a substring) at line. */
static void refused(const char *data, int want_line, const char *msg)
{
    yaml_doc d;
    errmsg err = {0};
    int line = -1;

    assert_int_equal(yaml_doc_load(&d, data, strlen(data), &line, &err),
                     ERR_INVALID);
    if (!strstr(err.msg, msg))
        fail_msg("\"%s\" does not say \"%s\"", err.msg, msg);
    assert_int_equal(strncmp(err.msg, "yaml: ", 6), 0);
    assert_int_equal(line, want_line);
    yaml_doc_dispose(&d);
}

static void test_yaml_io__loader_refuses_aliases_and_bombs(void **state)
{
    buf deep = {0};

    (void)state;
    refused("a: &x [1, 2]\nb: *x\n", 1, "anchors and aliases");
    refused("a: 1\nb: *x\n", 2, "");
    refused("a: &a [\"lol\"]\n"
            "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n",
            1, "anchors and aliases");
    for (int i = 0; i < 100; i++)
        buf_putc(&deep, '[');
    for (int i = 0; i < 100; i++)
        buf_putc(&deep, ']');
    refused(buf_cstr(&deep), 1, "nested more than 64 levels");
    buf_dispose(&deep);
    refused("a: 1\n---\nb: 2\n", 2, "more than one document");
    refused("", 1, "the file is empty");
    refused("# only a comment\n", 1, "the file is empty");
    refused("a: \xff\xfe\n", 1, "not UTF-8");
    refused("a: 1\nb: [1, 2\nc: 3\n", 3, "");
    refused("a: 1\n  b: 2\n", 2, "mapping values are not allowed");
}

static void test_yaml_io__typed_reads(void **state)
{
    static const char doc[] = "n: 42\n"
                              "q: \"42\"\n"
                              "t: true\n"
                              "y: yes\n"
                              "s: \"yes\"\n"
                              "z: ~\n"
                              "e:\n"
                              "m: {a: 1}\n"
                              "l: [1]\n"
                              "big: 99999999999999999999999\n";
    yaml_doc d;
    errmsg err = {0};
    const yaml_node_t *root;
    const char *s;
    long long v;
    int b;

    (void)state;
    assert_int_equal(yaml_doc_load(&d, doc, strlen(doc), NULL, &err), 0);
    root = yaml_doc_root(&d);
    assert_int_equal(yaml_doc_int(&v, yaml_doc_get(&d, root, "n"), &err), 0);
    assert_int_equal(v, 42);
    assert_int_equal(yaml_doc_int(&v, yaml_doc_get(&d, root, "q"), &err),
                     ERR_INVALID);
    assert_int_equal(yaml_doc_int(&v, yaml_doc_get(&d, root, "big"), &err),
                     ERR_INVALID);
    assert_int_equal(yaml_doc_bool(&b, yaml_doc_get(&d, root, "t"), &err), 0);
    assert_int_equal(b, 1);
    assert_int_equal(yaml_doc_bool(&b, yaml_doc_get(&d, root, "s"), &err),
                     ERR_INVALID);
    assert_int_equal(yaml_doc_text(&s, yaml_doc_get(&d, root, "y"), &err), 0);
    assert_string_equal(s, "yes");
    assert_int_equal(yaml_doc_text(&s, yaml_doc_get(&d, root, "t"), &err), 0);
    assert_string_equal(s, "yes");
    assert_true(yaml_doc_is_null(yaml_doc_get(&d, root, "z")));
    assert_true(yaml_doc_is_null(yaml_doc_get(&d, root, "e")));
    assert_true(yaml_doc_is_null(yaml_doc_get(&d, root, "absent")));
    assert_false(yaml_doc_is_null(yaml_doc_get(&d, root, "s")));
    assert_int_equal(yaml_doc_text(&s, yaml_doc_get(&d, root, "m"), &err),
                     ERR_INVALID);
    assert_int_equal(yaml_doc_text(&s, yaml_doc_get(&d, root, "l"), &err),
                     ERR_INVALID);
    assert_int_equal(yaml_doc_line(yaml_doc_get(&d, root, "l")), 9);
    yaml_doc_dispose(&d);
}

/* Documents whose value ends at each byte around 4, 16, 32 and 64 KiB
 * (libyaml reads through a 16 KiB buffer): a run of 3-byte characters
 * cut by the buffer must come back whole, plain and double-quoted. */
static void test_yaml_io__read_boundaries(void **state)
{
    static const size_t sizes[] = {4096, 16384, 32768, 65536};

    (void)state;
    for (size_t s = 0; s < 4; s++)
        for (int d = -3; d <= 3; d++)
            for (int quoted = 0; quoted < 2; quoted++) {
                size_t total = sizes[s] + (size_t)d, vlen;
                buf doc = {0}, val = {0};
                yaml_doc y;
                errmsg err = {0};
                /* "k: " + value + "\n" (+ quotes) is total bytes */
                vlen = total - 4 - (quoted ? 2 : 0);
                while (val.len + 3 <= vlen)
                    buf_puts(&val, "\xe6\x9d\xb1"); /* U+6771 */
                while (val.len < vlen)
                    buf_putc(&val, 'x');
                buf_puts(&doc, "k: ");
                buf_puts(&doc, quoted ? "\"" : "");
                buf_puts(&doc, buf_cstr(&val));
                buf_puts(&doc, quoted ? "\"\n" : "\n");
                assert_int_equal(doc.len, total);
                assert_int_equal(
                    yaml_doc_load(&y, doc.data, doc.len, NULL, &err), 0);
                assert_string_equal(
                    yaml_doc_str(yaml_doc_get(&y, yaml_doc_root(&y), "k")),
                    buf_cstr(&val));
                yaml_doc_dispose(&y);
                buf_dispose(&doc);
                buf_dispose(&val);
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_yaml_io__hostile_strings_round_trip),
        cmocka_unit_test(test_yaml_io__numbers_booleans_null_plain),
        cmocka_unit_test(test_yaml_io__multi_line_is_a_literal_block),
        cmocka_unit_test(test_yaml_io__nesting_mistake_is_an_error),
        cmocka_unit_test(test_yaml_io__loader_refuses_aliases_and_bombs),
        cmocka_unit_test(test_yaml_io__typed_reads),
        cmocka_unit_test(test_yaml_io__read_boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
