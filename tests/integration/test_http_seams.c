/* test_http_seams.c: the HTTP edge against the real server.
 *
 * Bodies: who may send one is decided from the headers, so a request
 * without credentials (or to no route, or of the wrong type) is answered
 * before its body is read; large bodies are kept on disk and handled
 * exactly as before; at most 8 large uploads at once, then 503 with
 * Retry-After.
 *
 * Read boundaries: the request form posted urlencoded and as multipart with a
 * CSV attachment, with one field's value starting at every byte from 14
 * before to 6 after 16, 32 and 64 KiB of the body (an ignored padding
 * field in front shifts it). Each post must create exactly one request
 * with the exact title, the submission id it sent, the CSRF token
 * accepted and exactly one attachment with the exact bytes. The body is
 * written in 16 KiB pieces with a short pause between them, as a browser's
 * writes arrive, so the server's reads end at those offsets too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define B "----seamboundary1b2c3d4e5f"

static h_server srv;
static h_session ann;
static char ann_token[128];

static int up(void **state)
{
    *state = &srv;
    h_server_start(&srv, NULL);
    h_world(&srv, "acme acme-prod ann+ pat", &ann);
    h_token(&srv, "ann@acme.example", "tests", ann_token, sizeof ann_token);
    return 0;
}

typedef struct kv {
    const char *name;
    const char *value;
} kv;

/* A valid submission, without the fields a case places itself (title,
 * csrf, submission_id). */
static const kv rest[] = {{"instance", "acme-prod"},
                          {"instances", "acme-prod"},
                          {"project_manager", "pat@platform.example"},
                          {"requester_name", "Ann"},
                          {"requester_email", "ann@acme.example"},
                          {"summary", "Seams."},
                          {"consent_related", "no"},
                          {"items[0].kind", "new_table"},
                          {"items[0].table", "seam_members"},
                          {"items[0].description", "One row per member."},
                          {"items[0].primary_key", "member_id"},
                          {"items[0].source", "flat_file_csv"},
                          {"items[0].cadence", "daily"},
                          {"items[0].expected_arrival", "05:00"},
                          {"items[0].late_after_minutes", "120"},
                          {"items[0].file_pattern", "seam_YYYYMMDD.csv"},
                          {"items[0].campaign_dependency", "optional"},
                          {"items[0].owner", "data@acme.example"},
                          {"items[0].columns[0].name", "member_id"},
                          {"items[0].columns[0].type", "bigint"},
                          {"items[0].columns[0].primary_key", "on"},
                          {"items[0].columns[1].name", "tier"},
                          {"items[0].columns[1].type", "string(20)"},
                          {NULL, NULL}};

static const char csv[] = "member_id,tier\n1,gold\n2,silver\n3,bronze\n";

/* the field placed at the offset */
enum { T_TITLE, T_CSRF, T_SID, T_FILE, T_N };
static const char *const target_names[T_N] = {"title", "csrf", "submission_id",
                                              "attachments"};

typedef struct post {
    char title[64];
    char sid[33];
} post;

static void mp_head(buf *b, const char *name, const char *filename)
{
    buf_puts(b, "--" B "\r\nContent-Disposition: form-data; name=\"");
    buf_puts(b, name);
    if (filename) {
        buf_puts(b, "\"; filename=\"");
        buf_puts(b, filename);
        buf_puts(b, "\"\r\nContent-Type: text/csv\r\n\r\n");
    } else {
        buf_puts(b, "\"\r\n\r\n");
    }
}

static void field(buf *b, int multipart, const char *name, const char *value)
{
    if (multipart) {
        mp_head(b, name, NULL);
        buf_puts(b, value);
        buf_puts(b, "\r\n");
    } else {
        if (b->len)
            buf_putc(b, '&');
        buf_puts(b, name);
        buf_putc(b, '=');
        buf_append_url(b, value);
    }
}

static const char *target_value(const post *p, int t)
{
    switch (t) {
    case T_TITLE: return p->title;
    case T_CSRF: return ann.csrf;
    case T_SID: return p->sid;
    default: return csv;
    }
}

/* The body with the value of target starting at byte `at`. */
static void build(buf *b, int multipart, int t, size_t at, const post *p)
{
    buf head = {0};
    size_t pad;

    /* what precedes the value, without the padding */
    field(&head, multipart, "kept[0].pad", "");
    if (multipart) {
        mp_head(&head, target_names[t], t == T_FILE ? "sample.csv" : NULL);
    } else {
        buf_putc(&head, '&');
        buf_puts(&head, target_names[t]);
        buf_putc(&head, '=');
    }
    assert_true(at > head.len);
    pad = at - head.len;
    buf_dispose(&head);

    if (multipart)
        mp_head(b, "kept[0].pad", NULL);
    else
        buf_puts(b, "kept[0].pad=");
    for (size_t i = 0; i < pad; i++)
        buf_putc(b, 'p');
    if (multipart)
        buf_puts(b, "\r\n");
    if (multipart) {
        mp_head(b, target_names[t], t == T_FILE ? "sample.csv" : NULL);
        buf_puts(b, target_value(p, t));
        buf_puts(b, "\r\n");
    } else {
        field(b, 0, target_names[t], target_value(p, t));
    }
    /* where the value starts, checked */
    if (multipart)
        assert_memory_equal(b->data + at, target_value(p, t), 4);
    for (int o = 0; o < T_FILE; o++)
        if (o != t)
            field(b, multipart, target_names[o], target_value(p, o));
    if (multipart && t != T_FILE) {
        mp_head(b, "attachments", "sample.csv");
        buf_puts(b, csv);
        buf_puts(b, "\r\n");
    }
    for (const kv *f = rest; f->name; f++)
        field(b, multipart, f->name, f->value);
    if (multipart)
        buf_puts(b, "--" B "--\r\n");
}

/* POST over a plain socket, the body in 16 KiB writes; fills status and
 * Location (or ""). */
static long raw_post(const char *ct, const char *body, size_t len, char *loc,
                     size_t locsize)
{
    struct sockaddr_in sa = {0};
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    char head[1024], answer[8192];
    size_t got = 0, sent = 0;
    long status = 0;
    const char *l;

    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)srv.port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    snprintf(head, sizeof head,
             "POST /requests HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: %s\r\n"
             "Content-Type: %s\r\nContent-Length: %zu\r\n"
             "Connection: close\r\n\r\n",
             ann.cookie, ct, len);
    assert_int_equal(write(fd, head, strlen(head)), (ssize_t)strlen(head));
    while (sent < len) {
        size_t n = len - sent < 16384 ? len - sent : 16384;
        ssize_t w = write(fd, body + sent, n);
        assert_true(w > 0);
        sent += (size_t)w;
        usleep(2000);
    }
    for (;;) {
        ssize_t n = read(fd, answer + got, sizeof answer - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
        if (got == sizeof answer - 1)
            break;
    }
    close(fd);
    answer[got] = '\0';
    sscanf(answer, "HTTP/1.1 %ld", &status);
    loc[0] = '\0';
    l = strstr(answer, "\r\nLocation: ");
    if (l)
        snprintf(loc, locsize, "%.*s", (int)strcspn(l + 12, "\r\n"), l + 12);
    return status;
}

static int64_t q(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int64_t q(const char *fmt, ...)
{
    char sql[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    return h_db_int(&srv, sql);
}

static long failures;

static void one(int multipart, int t, size_t at)
{
    static unsigned serial;
    post p;
    buf b = {0};
    long status;
    char loc[256], hex[sizeof csv * 2];
    long long id = 0;
    int64_t before = q("SELECT count(*) FROM requests");
    const char *what = multipart ? "multipart" : "urlencoded";

    serial++;
    /* starts with an escape in urlencoded bodies ("%C3%A9") */
    snprintf(p.title, sizeof p.title, "\xc3\xa9 seam %s %s at %zu", what,
             target_names[t], at);
    snprintf(p.sid, sizeof p.sid, "%08x%08x%08x%08x", 0x5ea05ea0u, serial,
             (unsigned)at, (unsigned)t);
    build(&b, multipart, t, at, &p);
    status = raw_post(multipart ? "multipart/form-data; boundary=" B
                                : "application/x-www-form-urlencoded",
                      buf_cstr(&b), b.len, loc, sizeof loc);
    buf_dispose(&b);
    if (status != 303 || sscanf(loc, "/requests/%lld", &id) != 1) {
        fprintf(stderr, "%s %s at %zu: status %ld\n", what, target_names[t], at,
                status);
        failures++;
        return;
    }
    for (size_t i = 0; i < sizeof csv - 1; i++)
        snprintf(hex + 2 * i, 3, "%02X", (unsigned char)csv[i]);
    if (q("SELECT count(*) FROM requests") != before + 1 ||
        q("SELECT count(*) FROM requests WHERE id = %lld AND title = '%s'", id,
          p.title) != 1 ||
        q("SELECT count(*) FROM requests WHERE id = %lld AND "
          "instr(idempotency_key, '%s') > 0",
          id, p.sid) != 1 ||
        q("SELECT count(*) FROM attachments WHERE request_id = %lld", id) !=
            multipart ||
        (multipart &&
         q("SELECT count(*) FROM attachments WHERE request_id = %lld AND "
           "filename = 'sample.csv' AND hex(data) = '%s'",
           id, hex) != 1)) {
        fprintf(stderr,
                "%s %s at %zu: requests +%lld, title %lld, submission %lld, "
                "attachments %lld\n",
                what, target_names[t], at,
                (long long)(q("SELECT count(*) FROM requests") - before),
                (long long)q("SELECT count(*) FROM requests WHERE id = %lld "
                             "AND title = '%s'",
                             id, p.title),
                (long long)q("SELECT count(*) FROM requests WHERE id = %lld "
                             "AND instr(idempotency_key, '%s') > 0",
                             id, p.sid),
                (long long)q("SELECT count(*) FROM attachments WHERE "
                             "request_id = %lld",
                             id));
        failures++;
    }
}

static void around(int multipart)
{
    static const size_t seams[] = {16384, 32768, 65536};

    failures = 0;
    for (size_t s = 0; s < 3; s++)
        for (size_t at = seams[s] - 14; at <= seams[s] + 6; at++)
            for (int t = 0; t < T_N; t++)
                if (t != T_FILE || multipart)
                    one(multipart, t, at);
    assert_int_equal(failures, 0);
}

static void test_seams__urlencoded_values_at_read_boundaries(void **state)
{
    (void)state;
    around(0);
}

static void test_seams__multipart_values_at_read_boundaries(void **state)
{
    (void)state;
    around(1);
}

/* ---- bodies ------------------------------------------------------------ */

/* Opens a request with the given header lines (each ending in CRLF) and
 * Content-Length; the body is sent with body_send. */
static int body_open(const char *method, const char *path, const char *extra,
                     const char *ct, size_t len)
{
    struct sockaddr_in sa = {0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    char head[2048];
    struct timeval tv = {30, 0};

    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)srv.port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    snprintf(head, sizeof head,
             "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%sContent-Type: %s\r\n"
             "Content-Length: %zu\r\n\r\n",
             method, path, extra ? extra : "", ct, len);
    assert_int_equal(write(fd, head, strlen(head)), (ssize_t)strlen(head));
    return fd;
}

/* Sends n bytes of CSV-ish filler; returns how many went out before the
 * server stopped taking them. */
static size_t body_send(int fd, size_t n)
{
    static char chunk[65536];
    size_t sent = 0;

    if (!chunk[0])
        for (size_t i = 0; i < sizeof chunk; i++)
            chunk[i] = "a,b\n1,2\n"[i % 8];
    while (sent < n) {
        size_t k = n - sent < sizeof chunk ? n - sent : sizeof chunk;
        ssize_t w = send(fd, chunk, k, MSG_NOSIGNAL);
        if (w <= 0)
            break;
        sent += (size_t)w;
    }
    return sent;
}

/* Reads the answer's head; returns the status, head copied to out. */
static long body_answer(int fd, char *out, size_t size)
{
    size_t got = 0;
    long status = 0;

    while (got + 1 < size) {
        ssize_t n = recv(fd, out + got, size - 1 - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
        out[got] = '\0';
        if (strstr(out, "\r\n\r\n"))
            break;
    }
    out[got] = '\0';
    sscanf(out, "HTTP/1.1 %ld", &status);
    return status;
}

static long vm_rss_kib(void)
{
    char path[64], line[256];
    long kib = -1;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%d/status", (int)srv.pid);
    f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

#define BIG ((size_t)95 * 1000 * 1000)

/* A refused request is answered after its headers: 1 MiB of its 95 MB is
 * sent, then the answer is read (the rest never sent). */
static void refused_before_body(const char *method, const char *path,
                                const char *extra, const char *ct, long want,
                                const char *want_text)
{
    char head[4096];
    int fd = body_open(method, path, extra, ct, BIG);
    long status;

    body_send(fd, 1024 * 1024);
    status = body_answer(fd, head, sizeof head);
    close(fd);
    if (status != want || (want_text && !strstr(head, want_text)))
        fail_msg("%s %s: wanted %ld, got: %.300s", method, path, want, head);
}

static void test_bodies__refused_before_the_body_is_read(void **state)
{
    char cookie[400];
    long before = vm_rss_kib();

    (void)state;
    snprintf(cookie, sizeof cookie, "Cookie: %s\r\n", ann.cookie);
    /* no credentials */
    refused_before_body("POST", "/api/v1/infer-columns", NULL, "text/csv", 401,
                        "WWW-Authenticate: Bearer");
    refused_before_body("POST", "/requests", NULL,
                        "multipart/form-data; boundary=" B, 401,
                        "Connection: close");
    refused_before_body("POST", "/api/v1/requests", NULL, "application/json",
                        401, NULL);
    /* a form-sized route for anonymous clients: no large bodies */
    refused_before_body("POST", "/signin", NULL,
                        "application/x-www-form-urlencoded", 413, NULL);
    /* signed in, but no such route, method or type */
    refused_before_body("POST", "/nowhere", cookie, "text/csv", 404, NULL);
    refused_before_body("PUT", "/requests", cookie,
                        "multipart/form-data; boundary=" B, 405, "Allow: ");
    refused_before_body("POST", "/requests", cookie, "text/csv", 415, NULL);
    /* eight at once, as in the report, without credentials: the server
       does not read them */
    {
        int fds[8];
        char head[4096];
        for (int i = 0; i < 8; i++) {
            fds[i] = body_open("POST", "/api/v1/infer-columns", NULL,
                               "text/csv", BIG);
            body_send(fds[i], 4 * 1024 * 1024);
        }
        for (int i = 0; i < 8; i++) {
            assert_int_equal(body_answer(fds[i], head, sizeof head), 401);
            close(fds[i]);
        }
    }
    /* 8 x 4 MiB were sent; none of it may have stayed in the server */
    fprintf(stderr, "server RSS %ld KiB before, %ld KiB after\n", before,
            vm_rss_kib());
    assert_true(vm_rss_kib() < before + 24 * 1024);
}

/* The column inference with a large raw sample: the same answers as when
 * bodies were read into memory. */
static void test_bodies__large_uploads_unchanged(void **state)
{
    char auth[300], head[4096];
    int fd;
    h_resp r;
    size_t n;
    buf csvbody = {0};
    const char *hdrs[2] = {auth, NULL};

    (void)state;
    snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\n", ann_token);
    /* over the 10 MiB sample limit: 413 with the message */
    fd = body_open("POST", "/api/v1/infer-columns", auth, "text/csv",
                   12u * 1024 * 1024);
    assert_int_equal(body_send(fd, 12u * 1024 * 1024), 12u * 1024 * 1024);
    assert_int_equal(body_answer(fd, head, sizeof head), 413);
    close(fd);
    /* a 3 MiB sample (kept on disk while it arrives) is inferred */
    buf_puts(&csvbody, "member_id,tier,joined\n");
    for (n = 0; csvbody.len < 3u * 1024 * 1024; n++)
        buf_appendf(&csvbody, "%zu,gold,2024-01-%02zu\n", n, n % 28 + 1);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", ann_token);
    h_request(&r, &srv, NULL, "POST", "/api/v1/infer-columns", "text/csv",
              buf_cstr(&csvbody), csvbody.len, hdrs);
    if (r.status != 200 || !strstr(r.body, "\"member_id\"") ||
        !strstr(r.body, "\"joined\""))
        fail_msg("inference: %ld %.300s", r.status, r.body);
    h_resp_free(&r);
    /* a 3 MiB attachment of the form is stored exactly */
    {
        post p;
        buf b = {0};
        char loc[256];
        long status;
        long long id = 0;
        snprintf(p.title, sizeof p.title, "Large attachment");
        snprintf(p.sid, sizeof p.sid, "%032x", 0xb16u);
        field(&b, 1, "csrf", ann.csrf);
        field(&b, 1, "title", p.title);
        field(&b, 1, "submission_id", p.sid);
        mp_head(&b, "attachments", "big.csv");
        buf_append(&b, csvbody.data, csvbody.len);
        buf_puts(&b, "\r\n");
        for (const kv *f = rest; f->name; f++)
            field(&b, 1, f->name, f->value);
        buf_puts(&b, "--" B "--\r\n");
        status = raw_post("multipart/form-data; boundary=" B, buf_cstr(&b),
                          b.len, loc, sizeof loc);
        buf_dispose(&b);
        assert_int_equal(status, 303);
        assert_int_equal(sscanf(loc, "/requests/%lld", &id), 1);
        assert_int_equal(
            q("SELECT count(*) FROM attachments WHERE request_id = %lld", id),
            1);
        assert_int_equal(q("SELECT length(data) FROM attachments WHERE "
                           "request_id = %lld",
                           id),
                         (int64_t)csvbody.len);
        assert_int_equal(
            q("SELECT count(*) FROM attachments WHERE request_id = %lld AND "
              "substr(data, 1, 22) = CAST('member_id,tier,joined\n' AS BLOB) "
              "AND substr(data, -12) = CAST('%.12s' AS BLOB)",
              id, csvbody.data + csvbody.len - 12),
            1);
    }
    buf_dispose(&csvbody);
}

/* At most 8 large uploads at once: of nine, one is told to come back. */
static void test_bodies__large_uploads_capped(void **state)
{
    char auth[300], head[4096];
    struct pollfd pfd[9];
    int busy = -1, answered = 0, fd;
    long status = 0;

    (void)state;
    snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\n", ann_token);
    for (int i = 0; i < 9; i++) {
        pfd[i].fd = body_open("POST", "/api/v1/infer-columns", auth, "text/csv",
                              5u * 1024 * 1024);
        pfd[i].events = POLLIN;
        body_send(pfd[i].fd, 64 * 1024);
    }
    /* one answer comes (the others wait for the rest of their bodies) */
    assert_true(poll(pfd, 9, 20000) >= 1);
    usleep(300000);
    assert_true(poll(pfd, 9, 0) >= 1);
    for (int i = 0; i < 9; i++)
        if (pfd[i].revents & POLLIN) {
            answered++;
            busy = i;
        }
    assert_int_equal(answered, 1);
    assert_int_equal(body_answer(pfd[busy].fd, head, sizeof head), 503);
    assert_non_null(strstr(head, "Retry-After: "));
    for (int i = 0; i < 9; i++)
        close(pfd[i].fd);
    /* their slots come free when they close */
    for (int tries = 0; tries < 100 && status != 413; tries++) {
        fd = body_open("POST", "/api/v1/infer-columns", auth, "text/csv",
                       11u * 1024 * 1024);
        body_send(fd, 11u * 1024 * 1024);
        status = body_answer(fd, head, sizeof head);
        close(fd);
        if (status != 413)
            usleep(50000);
    }
    assert_int_equal(status, 413);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_bodies__refused_before_the_body_is_read),
    cmocka_unit_test(test_bodies__large_uploads_unchanged),
    cmocka_unit_test(test_bodies__large_uploads_capped),
    cmocka_unit_test(test_seams__urlencoded_values_at_read_boundaries),
    cmocka_unit_test(test_seams__multipart_values_at_read_boundaries),
};

int main(void)
{
    return cmocka_run_group_tests(tests, up, h_group_down);
}
