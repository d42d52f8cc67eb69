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
#include "fixture.h"
#include "web_int.h"
#include "cache.h"
#include "mem.h"
#include "str.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
static ufx *fx_;
static web_cache *cache; /* the server's response cache */

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
                  const char *method, const char *body, size_t len)
{
    web_req req;
    const char *role = hdr(conn, "X-Test-Role");
    const char *ct = hdr(conn, "Content-Type");

    (void)body;
    (void)len;
    memset(&req, 0, sizeof req);
    memset(&got, 0, sizeof got);
    req.conn = conn;
    req.cfg = &cfg;
    req.reg = fx_->reg;
    req.cache = cache;
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
    for (int i = 0; i < req.nargs; i++)
        str_copy(got.args[i], sizeof got.args[i], req.args[i]);
    ufx_req_dispose(&req);
}

/* One request; the router's outcome is in got when it returns. */
static void ask(const char *call, const char *method, const char *path,
                const char *role, const char *extra_headers)
{
    char h[1024];

    snprintf(h, sizeof h, "X-Test-Call: %s\r\nX-Test-Role: %s\r\n%s", call,
             role, extra_headers ? extra_headers : "");
    ufx_http(method, path, h, NULL, 0);
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

/* Every concrete path of the tables asked with a method no route has
 * (PATCH; PUT and DELETE name watches): 405 with Allow naming exactly the
 * methods of the routes that match. */
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
            ask("precheck", "PATCH", path, "admin",
                "Content-Type: application/x-www-form-urlencoded\r\n");
            if (got.rc != -1 || got.status != 405 || strcmp(got.allow, want))
                fail_msg("PATCH %s: %d Allow \"%s\", not 405 Allow \"%s\"",
                         path, got.status, got.allow, want);
            /* a signed-out visitor learns the same, not 401 */
            ask("precheck", "PATCH", path, "anon", NULL);
            if (got.status != 405 || strcmp(got.allow, want))
                fail_msg("PATCH %s signed out: %d Allow \"%s\"", path,
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
    static const struct {
        const char *path, *role;
        int status, nargs; /* nargs -1: not looked at */
        const char *args[2];
    } cases[] = {
        /* two {args}; the handler answers 404 for the unknown table */
        {"/api/v1/instances/acme-qa/tables/customers",
         "pm",
         404,
         2,
         {"acme-qa", "customers"}},
        /* one {id} */
        {"/api/v1/requests/4711", "pm", 404, 1, {"4711"}},
        /* {*} takes the rest of the path, slashes included */
        {"/static/app.css", "anon", 200, 1, {"app.css"}},
        {"/static/no/such.css", "anon", 404, 1, {"no/such.css"}},
        /* the role check still applies to a route with arguments */
        {"/api/v1/requests/4711", "anon", 401, -1, {NULL}},
    };

    (void)state;
    for (size_t i = 0; i < UFX_NELEM(cases); i++) {
        ask("dispatch", "GET", cases[i].path, cases[i].role, NULL);
        assert_int_equal(got.status, cases[i].status);
        if (cases[i].nargs < 0)
            continue;
        assert_int_equal(got.nargs, cases[i].nargs);
        for (int k = 0; k < cases[i].nargs; k++)
            assert_string_equal(got.args[k], cases[i].args[k]);
    }
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
    (void)state;
    fx_ = ufx_open("router");
    ufx_people(fx_, "postgres");
    cfg_init(&cfg);
    cache = web_cache_new();
    web_static_init();
    ufx_http_start(route);
    return 0;
}

static int down(void **state)
{
    (void)state;
    ufx_http_stop();
    ufx_close(fx_);
    web_cache_free(cache);
    cfg_dispose(&cfg);
    return 0;
}

UFX_MAIN_GROUP(up, down,
               cmocka_unit_test(test_router__role_table_for_every_route),
               cmocka_unit_test(test_router__unknown_path_is_404),
               cmocka_unit_test(test_router__other_method_is_405_with_allow),
               cmocka_unit_test(test_router__head_is_get),
               cmocka_unit_test(test_router__form_routes_take_only_forms),
               cmocka_unit_test(test_router__captures_args),
               cmocka_unit_test(test_router__temporary_password_gate))
