/* test_tmpl.c: compiled page templates (web/tmpl.c). Every page built
 * from pieces must be one valid gzip member (zlib checks its CRC-32 and
 * length) whose text is the template with its holes filled, whatever the
 * hole values, their length or where the markers sit. */
#include "fixture.h"
#include "tmpl.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

/* Replaces each marker in text with its value (or the body text) the
 * slow way: what tmpl_gzip must produce. */
static void expand(buf *out, const char *text, const char *body,
                   const char *const vals[TMPL_NHOLES])
{
    static const char *const marks[TMPL_NHOLES] = {
        TMPL_MARK_TITLE, TMPL_MARK_USER,  TMPL_MARK_CSRF,  TMPL_MARK_BODY,
        TMPL_MARK_INBOX, TMPL_MARK_WATCH, TMPL_MARK_TODAY, TMPL_MARK_CHART};
    const char *p = text;

    while (*p) {
        int hit = -1;
        for (int i = 0; i < TMPL_NHOLES; i++)
            if (!strncmp(p, marks[i], strlen(marks[i])))
                hit = i;
        if (hit < 0) {
            buf_putc(out, *p++);
            continue;
        }
        p += strlen(marks[hit]);
        if (hit == TMPL_BODY) {
            if (body)
                expand(out, body, NULL, vals);
        } else if (vals[hit]) {
            buf_puts(out, vals[hit]);
        }
    }
}

static void check(const char *frame_text, const char *body_text,
                  const char *const vals[TMPL_NHOLES])
{
    buf frame = {0}, body = {0}, gz = {0}, plain = {0}, want = {0},
        inflated = {0};

    assert_int_equal(tmpl_compile(&frame, frame_text, strlen(frame_text)), 0);
    if (body_text)
        assert_int_equal(tmpl_compile(&body, body_text, strlen(body_text)), 0);
    assert_int_equal(tmpl_gzip(&gz, &frame, body_text ? &body : NULL, vals), 0);
    assert_int_equal(
        tmpl_gunzip(&inflated, (const unsigned char *)gz.data, gz.len), 0);
    assert_int_equal(tmpl_plain(&plain, &frame, body_text ? &body : NULL, vals),
                     0);
    expand(&want, frame_text, body_text, vals);
    assert_int_equal(inflated.len, want.len);
    assert_memory_equal(buf_cstr(&inflated), buf_cstr(&want), want.len);
    assert_string_equal(buf_cstr(&plain), buf_cstr(&want));
    buf_dispose(&frame);
    buf_dispose(&body);
    buf_dispose(&gz);
    buf_dispose(&plain);
    buf_dispose(&want);
    buf_dispose(&inflated);
}

static void test_tmpl__holes_filled(void **state)
{
    const char *vals[TMPL_NHOLES] = {"customers", "Olu &amp; co", "0123abcd",
                                     NULL};
    (void)state;
    check("<title>" TMPL_MARK_TITLE " · docket</title><a>" TMPL_MARK_USER
          "</a><input value=\"" TMPL_MARK_CSRF "\"><main>" TMPL_MARK_BODY
          "</main>",
          "<h1>card</h1><input value=\"" TMPL_MARK_CSRF "\"><p>rules</p>",
          vals);
    /* The per-user inbox link in the frame, the watch button in the body. */
    vals[TMPL_INBOX] = "<a href=\"/inbox\">Inbox <span>3</span></a>";
    vals[TMPL_WATCH] = "<form><button>Watch</button></form>";
    check("<header>" TMPL_MARK_INBOX TMPL_MARK_USER "</header>" TMPL_MARK_BODY,
          "<div>" TMPL_MARK_WATCH "</div><h1>card</h1>", vals);
}

static void test_tmpl__markers_at_edges_and_adjacent(void **state)
{
    const char *vals[TMPL_NHOLES] = {"T", "U", "C", NULL};
    (void)state;
    check(TMPL_MARK_TITLE TMPL_MARK_USER TMPL_MARK_BODY TMPL_MARK_CSRF, "",
          vals);
    check("", NULL, vals);
    check("no holes at all", NULL, vals);
    check(TMPL_MARK_BODY, TMPL_MARK_CSRF, vals);
    /* A nested body hole stays empty; unknown comments stay as they are. */
    check("a" TMPL_MARK_BODY "b", "x" TMPL_MARK_BODY "<!--other-->y", vals);
    /* Missing values and a missing body leave the holes empty. */
    {
        const char *none[TMPL_NHOLES] = {NULL, NULL, NULL, NULL};
        check("a" TMPL_MARK_USER "b" TMPL_MARK_BODY "c", NULL, none);
    }
}

static void test_tmpl__long_values_and_pieces(void **state)
{
    size_t n = 200000;
    char *big = malloc(n + 1), *text = malloc(2 * n + 100);
    const char *vals[TMPL_NHOLES] = {NULL, NULL, NULL, NULL};
    unsigned x = 12345;

    (void)state;
    assert_non_null(big);
    assert_non_null(text);
    /* A value longer than one stored block (65,535 bytes) and pieces that
       need more than one deflate output chunk, of poorly compressible
       bytes. */
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        big[i] = (char)('a' + (x >> 16) % 26);
    }
    big[n] = '\0';
    vals[TMPL_USER] = big;
    memcpy(text, big, n);
    strcpy(text + n, TMPL_MARK_USER "tail");
    check(text, NULL, vals);
    free(big);
    free(text);
}

static void test_tmpl__malformed_rejected(void **state)
{
    buf t = {0}, out = {0};
    const char *vals[TMPL_NHOLES] = {NULL, NULL, NULL, NULL};

    (void)state;
    buf_puts(&out, "kept");
    assert_int_equal(tmpl_gzip(&out, &t, NULL, vals), -1);
    buf_puts(&t, "not a template");
    assert_int_equal(tmpl_gzip(&out, &t, NULL, vals), -1);
    buf_reset(&t);
    assert_int_equal(tmpl_compile(&t, "abc", 3), 0);
    t.len--; /* truncated */
    assert_int_equal(tmpl_gzip(&out, &t, NULL, vals), -1);
    assert_string_equal(buf_cstr(&out), "kept");
    assert_int_equal(tmpl_gunzip(&out, (const unsigned char *)"xyz", 3), -1);
    assert_string_equal(buf_cstr(&out), "kept");
    buf_dispose(&t);
    buf_dispose(&out);
}

/* A hole may take a compiled template (tmpl_gzip_parts): the page is the
 * same as with its text as the value, in the frame and in the body, and
 * one valid gzip member; a part's own holes stay empty. */
static void test_tmpl__compiled_parts(void **state)
{
    const char *frame_text = "<html>" TMPL_MARK_TITLE "|" TMPL_MARK_BODY
                             "|" TMPL_MARK_CHART "</html>";
    const char *body_text =
        "<main>" TMPL_MARK_TODAY "<p>card</p>" TMPL_MARK_CHART "</main>";
    const char *today = "<p class=\"today\">Today: arrived</p>";
    char chart[6000];
    const char *vals[TMPL_NHOLES] = {0};
    const buf *parts[TMPL_NHOLES] = {0};
    buf frame = {0}, body = {0}, t = {0}, c = {0}, gz = {0}, plain = {0},
        inflated = {0}, want = {0};

    (void)state;
    for (size_t i = 0; i + 1 < sizeof chart; i++)
        chart[i] = "<svg/>"[i % 6];
    chart[sizeof chart - 1] = '\0';
    assert_int_equal(tmpl_compile(&frame, frame_text, strlen(frame_text)), 0);
    assert_int_equal(tmpl_compile(&body, body_text, strlen(body_text)), 0);
    assert_int_equal(tmpl_compile(&t, today, strlen(today)), 0);
    assert_int_equal(tmpl_compile(&c, chart, strlen(chart)), 0);
    vals[TMPL_TITLE] = "T";
    vals[TMPL_TODAY] = "ignored";
    parts[TMPL_TODAY] = &t;
    parts[TMPL_CHART] = &c;
    assert_int_equal(tmpl_gzip_parts(&gz, &frame, &body, vals, parts), 0);
    assert_true(gz.len < strlen(chart)); /* the chart went compressed */
    assert_int_equal(
        tmpl_gunzip(&inflated, (const unsigned char *)gz.data, gz.len), 0);
    assert_int_equal(tmpl_plain_parts(&plain, &frame, &body, vals, parts), 0);
    vals[TMPL_TODAY] = today;
    vals[TMPL_CHART] = chart;
    expand(&want, frame_text, body_text, vals);
    assert_int_equal(inflated.len, want.len);
    assert_memory_equal(inflated.data, want.data, want.len);
    assert_int_equal(plain.len, want.len);
    assert_memory_equal(plain.data, want.data, want.len);
    buf_dispose(&frame);
    buf_dispose(&body);
    buf_dispose(&t);
    buf_dispose(&c);
    buf_dispose(&gz);
    buf_dispose(&plain);
    buf_dispose(&inflated);
    buf_dispose(&want);
}

UFX_MAIN(cmocka_unit_test(test_tmpl__holes_filled),
         cmocka_unit_test(test_tmpl__markers_at_edges_and_adjacent),
         cmocka_unit_test(test_tmpl__long_values_and_pieces),
         cmocka_unit_test(test_tmpl__malformed_rejected),
         cmocka_unit_test(test_tmpl__compiled_parts))
