/* Tests of web/router.c: web_route_precheck and web_dispatch over the
 * real route tables. For every route and every role: the role table's
 * answer (allowed; 401 with WWW-Authenticate for API routes and posts of
 * a signed-out visitor; a 303 to the sign-in page carrying the path for
 * the pages; 403 for a signed-in role that may not), 404 for unknown
 * paths, 405 with the exact Allow list for a known path asked with
 * another method, 415 for a form route sent something else, HEAD as GET,
 * {arg} and {*} capture, and the temporary-password gate.
 *
 * The router answers through web_reply_error, whose HTML pages read the
 * flash cookie from the libmicrohttpd connection, so each case is one
 * HTTP request to a small MHD daemon on 127.0.0.1 whose handler builds a
 * web_req as server.c does (the role from a test header) and records what
 * the router replied. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "web_int.h"
#include "mem.h"
#include "str.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* What the router did with one request. */
typedef struct outcome {
    int rc; /* web_route_precheck's return (dispatch: 0) */
    int status;
    char allow[200], location[300], www_auth[64];
    int nargs;
    char args[WEB_MAX_ARGS][128];
} outcome;

static outcome got;
static config cfg;
static registry *reg;
static char db_path[64];
static struct MHD_Daemon *daemon_;
static int port;

static const struct {
    const char *name;
    int bit;
} roles[] = {{"anon", ROLE_ANON},
             {"client", ROLE_CLIENT},
             {"pm", ROLE_PM},
             {"ops", ROLE_OPS},
             {"admin", ROLE_ADMIN}};

static const char *hdr(struct MHD_Connection *c, const char *name)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
    return v ? v : "";
}

static const char *reply_header(const web_req *req, const char *name)
{
    for (size_t i = 0; i < req->nheaders; i++)
        if (!str_casecmp(req->headers[i].name, name))
            return req->headers[i].value;
    return "";
}

/* Runs the router on the request as server.c would, records the reply. */
static void route(struct MHD_Connection *conn, const char *url,
                  const char *method)
{
    web_req req;
    const char *role = hdr(conn, "X-Test-Role");
    const char *ct = hdr(conn, "Content-Type");

    memset(&req, 0, sizeof req);
    memset(&got, 0, sizeof got);
    req.conn = conn;
    req.cfg = &cfg;
    req.reg = reg;
    req.method = method;
    req.path = xstrdup(url);
    str_copy(req.address, sizeof req.address, "127.0.0.1");
    req.role = ROLE_ANON;
    for (size_t i = 1; i < sizeof roles / sizeof *roles; i++)
        if (!strcmp(role, roles[i].name)) {
            req.role = roles[i].bit;
            req.user.id = 1000 + (int64_t)i;
            str_copy(req.user.role, sizeof req.user.role, role);
            str_copy(req.user.email, sizeof req.user.email, "u@x.example");
            str_copy(req.user.name, sizeof req.user.name, "U");
        }
    req.user.must_change_password = *hdr(conn, "X-Test-Temporary") != '\0';
    if (*ct)
        req.content_type = xstrndup(ct, strcspn(ct, ";"));
    if (!strcmp(hdr(conn, "X-Test-Call"), "dispatch")) {
        web_dispatch(&req);
    } else {
        got.rc = web_route_precheck(&req);
    }
    got.status = req.status;
    str_copy(got.allow, sizeof got.allow, reply_header(&req, "Allow"));
    str_copy(got.location, sizeof got.location, reply_header(&req, "Location"));
    str_copy(got.www_auth, sizeof got.www_auth,
             reply_header(&req, "WWW-Authenticate"));
    got.nargs = req.nargs;
    for (int i = 0; i < req.nargs; i++) {
        str_copy(got.args[i], sizeof got.args[i], req.args[i]);
        free(req.args[i]);
    }
    for (size_t i = 0; i < req.nheaders; i++) {
        free(req.headers[i].name);
        free(req.headers[i].value);
    }
    free(req.headers);
    buf_dispose(&req.out);
    buf_dispose(&req.body);
    free(req.content_type);
    free(req.path);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn,
                                 const char *url, const char *method,
                                 const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
    static int marker;
    struct MHD_Response *resp;
    enum MHD_Result ret;

    (void)cls;
    (void)version;
    (void)upload_data;
    if (!*con_cls) {
        *con_cls = &marker;
        return MHD_YES;
    }
    if (*upload_data_size) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    route(conn, url, method);
    resp = MHD_create_response_from_buffer(2, "ok", MHD_RESPMEM_PERSISTENT);
    ret = MHD_queue_response(conn, 200, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* One request; the router's outcome is in got when it returns. */
static void ask(const char *call, const char *method, const char *path,
                const char *role, const char *extra_headers)
{
    struct sockaddr_in sa = {0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    char head[1024], answer[256];
    ssize_t n;

    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    snprintf(head, sizeof head,
             "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Test-Call: %s\r\n"
             "X-Test-Role: %s\r\n%sContent-Length: 0\r\n"
             "Connection: close\r\n\r\n",
             method, path, call, role, extra_headers ? extra_headers : "");
    assert_int_equal(write(fd, head, strlen(head)), (ssize_t)strlen(head));
    n = read(fd, answer, sizeof answer - 1);
    assert_true(n > 0);
    answer[n] = '\0';
    if (!strstr(answer, " 200 "))
        fail_msg("%s %s: the test server answered %.40s", method, path, answer);
    close(fd);
}

/* ---- the test's own reading of the route tables ---- */

/* pattern with "{x}" as "7" and "{*}" as "x/y". */
static void concrete(char *out, size_t size, const char *pattern)
{
    size_t o = 0;

    for (const char *p = pattern; *p && o + 4 < size;) {
        if (p[0] == '{' && p[1] == '*') {
            memcpy(out + o, "x/y", 3);
            o += 3;
            break;
        }
        if (*p == '{') {
            out[o++] = '7';
            p = strchr(p, '}') + 1;
            continue;
        }
        out[o++] = *p++;
    }
    out[o] = '\0';
}

static int matches(const char *pattern, const char *path)
{
    const char *p = pattern, *s = path;

    while (*p && *s) {
        if (p[0] == '{' && p[1] == '*')
            return 1;
        if (*p == '{') {
            size_t len = strcspn(s, "/");
            if (!len)
                return 0;
            s += len;
            p = strchr(p, '}') + 1;
            continue;
        }
        if (*p++ != *s++)
            return 0;
    }
    return !*p && !*s;
}

/* The first route for method and path in table order. */
static const web_route *first_route(const char *method, const char *path)
{
    const web_route *const *t = web_route_tables();

    for (; *t; t++)
        for (const web_route *r = *t; r->method; r++)
            if (!strcmp(r->method, method) && matches(r->pattern, path))
                return r;
    return NULL;
}

/* ---- tests ---- */

static void test_router__role_table_for_every_route(void **state)
{
    const web_route *const *t = web_route_tables();
    int checked = 0;

    (void)state;
    for (; *t; t++) {
        for (const web_route *r = *t; r->method; r++) {
            char path[256];
            const web_route *eff;
            int write = strcmp(r->method, "GET") != 0;
            concrete(path, sizeof path, r->pattern);
            eff = first_route(r->method, path);
            assert_non_null(eff);
            for (size_t i = 0; i < sizeof roles / sizeof *roles; i++) {
                ask("precheck", r->method, path, roles[i].name,
                    write ? "Content-Type: application/x-www-form-urlencoded"
                            "\r\n"
                          : NULL);
                if (eff->roles & roles[i].bit) {
                    if (got.rc != 0)
                        fail_msg("%s %s as %s: refused with %d", r->method,
                                 path, roles[i].name, got.status);
                } else if (roles[i].bit != ROLE_ANON) {
                    if (got.rc != -1 || got.status != 403)
                        fail_msg("%s %s as %s: %d, not 403", r->method, path,
                                 roles[i].name, got.status);
                } else if ((eff->flags & WEB_JSON) ||
                           str_startswith(path, "/api/")) {
                    if (got.rc != -1 || got.status != 401 ||
                        strcmp(got.www_auth, "Bearer"))
                        fail_msg("%s %s signed out: %d (%s), not 401 Bearer",
                                 r->method, path, got.status, got.www_auth);
                } else if (write) {
                    if (got.rc != -1 || got.status != 401)
                        fail_msg("%s %s signed out: %d, not 401", r->method,
                                 path, got.status);
                } else {
                    buf want = {0};
                    buf_puts(&want, "/signin?next=");
                    buf_append_url(&want, path);
                    if (got.rc != -1 || got.status != 303 ||
                        strcmp(got.location, buf_cstr(&want)))
                        fail_msg("GET %s signed out: %d to \"%s\", not 303 "
                                 "to \"%s\"",
                                 path, got.status, got.location,
                                 buf_cstr(&want));
                    buf_dispose(&want);
                }
                checked++;
            }
        }
    }
    assert_true(checked >= 5 * 40);
}

static void test_router__unknown_path_is_404(void **state)
{
    static const char *const paths[] = {
        "/no/such/page",   "/requestsx", "/requests/",
        "/api/v1/nothing", "/static",    "/requests//7",
    };

    (void)state;
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        ask("precheck", "GET", paths[i], "admin", NULL);
        if (got.rc != -1 || got.status != 404 || got.allow[0])
            fail_msg("GET %s: %d (Allow \"%s\"), not 404", paths[i], got.status,
                     got.allow);
    }
    /* the same for every role: an unknown path tells nobody more */
    ask("precheck", "GET", "/no/such/page", "anon", NULL);
    assert_int_equal(got.status, 404);
    ask("precheck", "POST", "/no/such/page", "client",
        "Content-Type: application/x-www-form-urlencoded\r\n");
    assert_int_equal(got.status, 404);
}

/* Every concrete path of the tables asked with a method no route has:
 * 405 with Allow naming exactly the methods of the routes that match. */
static void test_router__other_method_is_405_with_allow(void **state)
{
    const web_route *const *t = web_route_tables();

    (void)state;
    for (; *t; t++) {
        for (const web_route *r = *t; r->method; r++) {
            char path[256], want[200] = "";
            size_t wn = 0;
            const web_route *const *t2 = web_route_tables();
            concrete(path, sizeof path, r->pattern);
            for (; *t2; t2++)
                for (const web_route *q = *t2; q->method; q++)
                    if (matches(q->pattern, path) && !strstr(want, q->method))
                        wn +=
                            (size_t)snprintf(want + wn, sizeof want - wn,
                                             "%s%s", wn ? ", " : "", q->method);
            ask("precheck", "PUT", path, "admin",
                "Content-Type: application/x-www-form-urlencoded\r\n");
            if (got.rc != -1 || got.status != 405 || strcmp(got.allow, want))
                fail_msg("PUT %s: %d Allow \"%s\", not 405 Allow \"%s\"", path,
                         got.status, got.allow, want);
            /* a signed-out visitor learns the same, not 401 */
            ask("precheck", "DELETE", path, "anon", NULL);
            if (got.status != 405 || strcmp(got.allow, want))
                fail_msg("DELETE %s signed out: %d Allow \"%s\"", path,
                         got.status, got.allow);
        }
    }
}

static void test_router__head_is_get(void **state)
{
    (void)state;
    ask("precheck", "HEAD", "/healthz", "anon", NULL);
    assert_int_equal(got.rc, 0);
    ask("precheck", "HEAD", "/requests", "anon", NULL);
    assert_int_equal(got.status, 303);
    assert_string_equal(got.location, "/signin?next=%2Frequests");
    ask("precheck", "HEAD", "/admin/users", "client", NULL);
    assert_int_equal(got.status, 403);
}

static void test_router__form_routes_take_only_forms(void **state)
{
    const web_route *const *t = web_route_tables();
    int forms = 0, raw = 0;

    (void)state;
    for (; *t; t++) {
        for (const web_route *r = *t; r->method; r++) {
            char path[256];
            const web_route *eff;
            if (!strcmp(r->method, "GET"))
                continue;
            concrete(path, sizeof path, r->pattern);
            eff = first_route(r->method, path);
            if (!(eff->roles & ROLE_ADMIN))
                continue;
            ask("precheck", r->method, path, "admin",
                "Content-Type: application/json\r\n");
            if (eff->flags & WEB_RAWBODY) {
                if (got.rc != 0)
                    fail_msg("%s %s with JSON: %d", r->method, path,
                             got.status);
                raw++;
            } else {
                if (got.rc != -1 || got.status != 415)
                    fail_msg("%s %s with JSON: %d, not 415", r->method, path,
                             got.status);
                forms++;
            }
            /* multipart (parameters cut off) is a form too */
            ask("precheck", r->method, path, "admin",
                "Content-Type: multipart/form-data; boundary=x\r\n");
            assert_int_equal(got.rc, 0);
            if (!(eff->flags & WEB_RAWBODY)) {
                /* no Content-Type at all */
                ask("precheck", r->method, path, "admin", NULL);
                assert_int_equal(got.status, 415);
            }
        }
    }
    assert_true(forms > 0);
    assert_true(raw > 0);
}

static void test_router__captures_args(void **state)
{
    (void)state;
    /* two {args}; the handler answers 404 for the unknown table */
    ask("dispatch", "GET", "/api/v1/instances/acme-qa/tables/customers", "pm",
        NULL);
    assert_int_equal(got.nargs, 2);
    assert_string_equal(got.args[0], "acme-qa");
    assert_string_equal(got.args[1], "customers");
    assert_int_equal(got.status, 404);
    /* one {id} */
    ask("dispatch", "GET", "/api/v1/requests/4711", "pm", NULL);
    assert_int_equal(got.nargs, 1);
    assert_string_equal(got.args[0], "4711");
    assert_int_equal(got.status, 404);
    /* {*} takes the rest of the path, slashes included */
    ask("dispatch", "GET", "/static/app.css", "anon", NULL);
    assert_int_equal(got.nargs, 1);
    assert_string_equal(got.args[0], "app.css");
    assert_int_equal(got.status, 200);
    ask("dispatch", "GET", "/static/no/such.css", "anon", NULL);
    assert_int_equal(got.nargs, 1);
    assert_string_equal(got.args[0], "no/such.css");
    assert_int_equal(got.status, 404);
    /* the role check still applies to a route with arguments */
    ask("dispatch", "GET", "/api/v1/requests/4711", "anon", NULL);
    assert_int_equal(got.status, 401);
    assert_string_equal(got.www_auth, "Bearer");
}

static void test_router__temporary_password_gate(void **state)
{
    (void)state;
    /* pages lead to the password form */
    ask("dispatch", "GET", "/requests", "client", "X-Test-Temporary: 1\r\n");
    assert_int_equal(got.status, 303);
    assert_string_equal(got.location, "/account#password");
    /* the API answers 403 */
    ask("dispatch", "GET", "/api/v1/requests", "pm", "X-Test-Temporary: 1\r\n");
    assert_int_equal(got.status, 403);
    /* static assets stay open */
    ask("dispatch", "GET", "/static/app.css", "pm", "X-Test-Temporary: 1\r\n");
    assert_int_equal(got.status, 200);
    /* a route the role may not use stays 403: the role check comes first */
    ask("dispatch", "GET", "/admin/users", "client", "X-Test-Temporary: 1\r\n");
    assert_int_equal(got.status, 403);
}

static int up(void **state)
{
    const union MHD_DaemonInfo *di;
    errmsg err = {0};
    int fd;

    (void)state;
    if (sodium_init() < 0)
        return -1;
    cfg_init(&cfg);
    snprintf(db_path, sizeof db_path, "/tmp/docket-router-XXXXXX");
    fd = mkstemp(db_path);
    if (fd < 0)
        return -1;
    close(fd);
    unlink(db_path);
    if (registry_open(&reg, db_path, 0, &err) < 0) {
        fprintf(stderr, "registry_open: %s\n", err.msg);
        return -1;
    }
    if (registry_org_add(reg, NULL, "acme", &err) < 0 ||
        registry_instance_add(reg, NULL, "acme", "acme-qa", "qa", "postgres",
                              &err) < 0) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    web_static_init();
    daemon_ = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
        on_access, NULL, MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_END);
    if (!daemon_)
        return -1;
    di = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
    port = di->port;
    return 0;
}

static int down(void **state)
{
    char side[128];

    (void)state;
    MHD_stop_daemon(daemon_);
    registry_close(reg);
    cfg_dispose(&cfg);
    unlink(db_path);
    snprintf(side, sizeof side, "%s-wal", db_path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", db_path);
    unlink(side);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_router__role_table_for_every_route),
        cmocka_unit_test(test_router__unknown_path_is_404),
        cmocka_unit_test(test_router__other_method_is_405_with_allow),
        cmocka_unit_test(test_router__head_is_get),
        cmocka_unit_test(test_router__form_routes_take_only_forms),
        cmocka_unit_test(test_router__captures_args),
        cmocka_unit_test(test_router__temporary_password_gate),
    };

    return cmocka_run_group_tests(tests, up, down);
}
