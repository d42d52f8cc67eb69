/* test_upload.c: form bodies decoded by web/upload.c through
 * libmicrohttpd's post processor, split at every byte: a value that
 * starts at the end of one piece is still one field with its exact
 * bytes; empty fields and repeated names stay separate fields; files
 * above WEB_SPOOL_AT are kept on disk and read back exactly.
 *
 * MHD's post processor needs a real connection (it reads Content-Type
 * from it), so a small MHD daemon on 127.0.0.1 receives each body once,
 * and its handler decodes the received bytes again and again, cut in
 * every way below. */
#include "fixture.h"
#include "web_int.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct want {
    const char *name;
    const char *filename; /* NULL: not a file */
    const char *value;
    size_t len; /* 0: strlen(value) */
} want;

typedef struct check {
    const want *want;
    size_t nwant;
    int big;       /* the single file is the big generated one */
    long failures; /* split patterns that decoded wrongly */
    long runs;
    char first[300]; /* the first failure */
} check;

static check *current;
static config cfg;
static char *big_file;
static size_t big_len;

static int fields_ok(const web_req *req, const check *c, char *why, size_t n)
{
    if (req->body_error) {
        snprintf(why, n, "body error %d %s", req->body_error,
                 req->body_error_msg);
        return 0;
    }
    if (req->nfields != c->nwant) {
        snprintf(why, n, "%zu fields, wanted %zu", req->nfields, c->nwant);
        return 0;
    }
    for (size_t i = 0; i < c->nwant; i++) {
        const web_field *f = &req->fields[i];
        const want *w = &c->want[i];
        const char *v = c->big && w->filename ? big_file : w->value;
        size_t len = c->big && w->filename ? big_len
                     : w->len              ? w->len
                                           : strlen(w->value);
        if (strcmp(f->name, w->name) ||
            (w->filename == NULL) != (f->filename == NULL) ||
            (w->filename && strcmp(w->filename, f->filename)) ||
            f->value.len != len || memcmp(buf_cstr(&f->value), v, len) ||
            buf_cstr(&f->value)[len] != '\0') {
            snprintf(why, n, "field %zu: %s=%.40s (%zu bytes)", i, f->name,
                     buf_cstr(&f->value), f->value.len);
            return 0;
        }
        if (c->big && w->filename && !f->spool.active) {
            snprintf(why, n, "the big file was not spooled");
            return 0;
        }
    }
    return 1;
}

/* Decodes data cut at the offsets cuts[0..ncuts) (ascending). */
static void decode(struct MHD_Connection *conn, const char *ct,
                   const char *data, size_t len, const size_t *cuts,
                   size_t ncuts)
{
    web_req req;
    web_form *fr;
    size_t at = 0;
    char why[200];

    memset(&req, 0, sizeof req);
    req.conn = conn;
    req.cfg = &cfg;
    req.content_type = (char *)ct;
    fr = web_form_begin(&req);
    if (fr) {
        for (size_t i = 0; i <= ncuts; i++) {
            size_t end = i < ncuts ? cuts[i] : len;
            if (web_form_feed(fr, data + at, end - at) < 0)
                break;
            at = end;
        }
        if (req.body_error)
            web_form_abort(fr);
        else
            web_form_end(fr);
    }
    current->runs++;
    if (!fields_ok(&req, current, why, sizeof why)) {
        if (!current->failures) {
            int k = snprintf(current->first, sizeof current->first, "cuts");
            for (size_t i = 0; i < ncuts && k < 200; i++)
                k += snprintf(current->first + k,
                              sizeof current->first - (size_t)k, " %zu",
                              cuts[i]);
            snprintf(current->first + k, sizeof current->first - (size_t)k,
                     ": %s", why);
        }
        current->failures++;
    }
    web_fields_free(&req);
}

/* The daemon's handler: decodes the body it received again and again. */
static void on_body(struct MHD_Connection *conn, const char *url,
                    const char *method, const char *body, size_t len)
{
    const char *ct;
    char lower[64];
    size_t n;

    (void)url;
    (void)method;
    ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
    n = strcspn(ct, ";");
    snprintf(lower, sizeof lower, "%.*s", (int)n, ct);
    if (current->big) {
        /* a few cuts around the start and inside the big file */
        static const size_t at[] = {1, 100, 300, 4096, 65535, 65536, 1 << 20};
        for (size_t i = 0; i < sizeof at / sizeof *at; i++)
            if (at[i] < len)
                decode(conn, lower, body, len, &at[i], 1);
        decode(conn, lower, body, len, NULL, 0);
    } else {
        size_t cuts[2], *one = malloc(len * sizeof *one);
        decode(conn, lower, body, len, NULL, 0);
        for (size_t s = 1; s < len; s++) {
            cuts[0] = s;
            decode(conn, lower, body, len, cuts, 1);
            for (size_t k = 1; k <= 6 && s + k < len; k++) {
                cuts[1] = s + k;
                decode(conn, lower, body, len, cuts, 2);
            }
        }
        /* one byte at a time */
        for (size_t s = 1; s < len; s++)
            one[s - 1] = s;
        decode(conn, lower, body, len, one, len - 1);
        free(one);
    }
}

static int up(void **state)
{
    (void)state;
    cfg.max_body = 100L * 1024 * 1024;
    ufx_http_start(on_body);
    return 0;
}

static int down(void **state)
{
    (void)state;
    free(big_file);
    ufx_http_stop();
    return 0;
}

static void run(check *c, const char *ct, const char *body, size_t len)
{
    char h[300];

    current = c;
    snprintf(h, sizeof h, "Content-Type: %s\r\n", ct);
    ufx_http("POST", "/", h, body, len);
    if (c->failures)
        fail_msg("%ld of %ld cuts decoded wrongly; first: %s", c->failures,
                 c->runs, c->first);
    assert_true(c->runs > 0);
}

static void test_upload__urlencoded_split_anywhere(void **state)
{
    static const char body[] =
        "title=Loyalty%20tiers&csrf=0123abcd&col_name=&col_name=x&"
        "col_name=yy&note=a%2Bb+c%26d%3D&empty=&submission_id="
        "deadbeefdeadbeefdeadbeefdeadbeef&key_only&last=%C3%A9t%C3%A9";
    static const want w[] = {
        {"title", NULL, "Loyalty tiers", 0},
        {"csrf", NULL, "0123abcd", 0},
        {"col_name", NULL, "", 0},
        {"col_name", NULL, "x", 0},
        {"col_name", NULL, "yy", 0},
        {"note", NULL, "a+b c&d=", 0},
        {"empty", NULL, "", 0},
        {"submission_id", NULL, "deadbeefdeadbeefdeadbeefdeadbeef", 0},
        {"key_only", NULL, "", 0},
        {"last", NULL, "\xc3\xa9t\xc3\xa9", 0},
    };
    check c = {w, sizeof w / sizeof *w, 0, 0, 0, ""};

    (void)state;
    run(&c, "application/x-www-form-urlencoded", body, sizeof body - 1);
}

#define B "xYzBoundary42"

static void test_upload__multipart_split_anywhere(void **state)
{
    static const char body[] =
        "--" B "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n"
        "0123abcd\r\n"
        "--" B "\r\nContent-Disposition: form-data; name=\"col_name\"\r\n\r\n"
        "\r\n"
        "--" B "\r\nContent-Disposition: form-data; name=\"col_name\"\r\n\r\n"
        "x\r\n"
        "--" B "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n"
        "Loyalty\r\n--not the boundary\r\n\r\n"
        "--" B "\r\nContent-Disposition: form-data; name=\"attachments\"; "
        "filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\n"
        "id,name\r\n1,x\r\n\r\n"
        "--" B "\r\nContent-Disposition: form-data; name=\"attachments\"; "
        "filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\n"
        "\r\n"
        "--" B "\r\nContent-Disposition: form-data; name=\"attachments\"; "
        "filename=\"b.csv\"\r\nContent-Type: text/csv\r\n\r\n"
        "z\r\n"
        "--" B "\r\nContent-Disposition: form-data; name=\"last\"\r\n\r\n"
        "end\r\n"
        "--" B "--\r\n";
    static const want w[] = {
        {"csrf", NULL, "0123abcd", 0},
        {"col_name", NULL, "", 0},
        {"col_name", NULL, "x", 0},
        {"title", NULL, "Loyalty\r\n--not the boundary\r\n", 0},
        {"attachments", "a.csv", "id,name\r\n1,x\r\n", 0},
        {"attachments", "a.csv", "", 0},
        {"attachments", "b.csv", "z", 0},
        {"last", NULL, "end", 0},
    };
    check c = {w, sizeof w / sizeof *w, 0, 0, 0, ""};

    (void)state;
    run(&c, "multipart/form-data; boundary=" B, body, sizeof body - 1);
}

static void test_upload__big_file_spooled_exactly(void **state)
{
    static const want w[] = {
        {"csrf", NULL, "0123abcd", 0},
        {"attachments", "big.csv", NULL, 0},
        {"title", NULL, "after", 0},
    };
    check c = {w, sizeof w / sizeof *w, 1, 0, 0, ""};
    buf b = {0};

    (void)state;
    big_len = WEB_SPOOL_AT + 12345;
    big_file = malloc(big_len);
    for (size_t i = 0; i < big_len; i++)
        big_file[i] = (char)("0123456789,\n"[i % 12]);
    big_file[777] = '\0'; /* NUL bytes survive too */
    buf_puts(&b, "--" B "\r\nContent-Disposition: form-data; name=\"csrf\""
                 "\r\n\r\n0123abcd\r\n--" B "\r\nContent-Disposition: "
                 "form-data; name=\"attachments\"; filename=\"big.csv\"\r\n"
                 "Content-Type: text/csv\r\n\r\n");
    buf_append(&b, big_file, big_len);
    buf_puts(&b, "\r\n--" B "\r\nContent-Disposition: form-data; "
                 "name=\"title\"\r\n\r\nafter\r\n--" B "--\r\n");
    run(&c, "multipart/form-data; boundary=" B, buf_cstr(&b), b.len);
    buf_dispose(&b);
}

static void test_upload__spool_append_and_map(void **state)
{
    buf b = {0};
    web_spool s = {0};
    char chunk[1000];

    (void)state;
    memset(chunk, 'q', sizeof chunk);
    b.max = 5000;
    assert_int_equal(web_spool_append(&b, &s, chunk, 1000, 1500), 0);
    assert_false(s.active);
    assert_int_equal(web_spool_append(&b, &s, chunk, 1000, 1500), 0);
    assert_true(s.active);
    assert_int_equal(b.len, 0);
    assert_int_equal(web_spool_append(&b, &s, "end", 3, 1500), 0);
    assert_int_equal(web_spool_finish(&b, &s), 0);
    assert_int_equal(b.len, 2003);
    assert_string_equal(buf_cstr(&b) + 2000, "end");
    /* appends to a mapped value fail instead of reallocating it */
    buf_append(&b, "x", 1);
    assert_int_equal(b.len, 2003);
    web_spool_dispose(&b, &s);
    assert_null(b.data);
    /* the limit holds on disk too */
    b.max = 1800;
    assert_int_equal(web_spool_append(&b, &s, chunk, 1000, 500), 0);
    assert_int_equal(web_spool_append(&b, &s, chunk, 1000, 500), 0);
    assert_int_equal(buf_error(&b), ERR_TOOBIG);
    web_spool_dispose(&b, &s);
}

UFX_MAIN_GROUP(up, down,
               cmocka_unit_test(test_upload__urlencoded_split_anywhere),
               cmocka_unit_test(test_upload__multipart_split_anywhere),
               cmocka_unit_test(test_upload__big_file_spooled_exactly),
               cmocka_unit_test(test_upload__spool_append_and_map))
