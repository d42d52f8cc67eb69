/* test_ui.c: the page frame of web/layout.c and the embedded assets of
 * web/static over real HTTP: skip link, landmarks, navigation by role with
 * aria-current, escaping of the user's name, the flash message, hashed
 * asset URLs served with a one-year cache and the right types, and the
 * CSP rules the frame must keep (no inline script, style or handlers).
 * The browser side (app.js behaviour, screenshots) is tests/e2e/. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static h_server srv;
static const char *pw = "correct horse battery";

static int group_setup(void **state)
{
    *state = &srv;
    h_server_start(&srv, NULL);
    h_world(&srv, "acme");
    h_user(&srv, "client@acme.example", "Cleo Client", "client", "acme", pw);
    h_user(&srv, "pm@docket.example", "Pat <b>PM</b> & \"Co\"", "pm", NULL, pw);
    h_user(&srv, "ops@docket.example", "Otto Ops", "ops", NULL, pw);
    h_user(&srv, "root@docket.example", "Ada Admin", "admin", NULL, pw);
    return 0;
}

static void signin(h_session *sess, const char *email)
{
    assert_int_equal(h_signin(sess, &srv, email, pw), 303);
}

/* The URL in attr="..." that starts with prefix, copied into out. */
static int find_url(const char *html, const char *prefix, char *out,
                    size_t size)
{
    const char *p = strstr(html, prefix);
    size_t n;

    if (!p)
        return 0;
    n = strcspn(p, "\"");
    if (n >= size)
        return 0;
    memcpy(out, p, n);
    out[n] = '\0';
    return 1;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;

    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* No inline script, no inline event handler, no style attribute: the CSP
 * (script-src 'self'; style-src 'self') would block them. */
static void assert_csp_clean(const char *html)
{
    const char *p;

    for (p = strstr(html, "<script"); p; p = strstr(p + 1, "<script")) {
        const char *end = strchr(p, '>');
        const char *src = strstr(p, " src=");
        assert_non_null(end);
        if (!src || src > end)
            fail_msg("inline <script> at: %.80s", p);
    }
    assert_null(strstr(html, " style=\""));
    for (p = strstr(html, " on"); p; p = strstr(p + 1, " on")) {
        const char *q = p + 3;
        while (islower((unsigned char)*q))
            q++;
        if (q > p + 3 && *q == '=' && q[1] == '"')
            fail_msg("inline event handler at: %.80s", p);
    }
}

static void test_ui__anonymous_frame(void **state)
{
    h_resp r;
    char csp[512];

    (void)state;
    h_get(&r, &srv, NULL, "/signin");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<!doctype html>"));
    assert_non_null(strstr(r.body, "<html lang=\"en\">"));
    assert_non_null(strstr(r.body, "name=\"viewport\""));
    assert_non_null(strstr(r.body, "name=\"color-scheme\" content=\"light "
                                   "dark\""));
    assert_non_null(strstr(r.body, "<a class=\"skip\" href=\"#main\">"));
    assert_non_null(strstr(r.body, "<header class=\"top\">"));
    assert_non_null(strstr(r.body, "<a class=\"brand\" href=\"/\">"));
    assert_non_null(strstr(r.body, "<main id=\"main\""));
    assert_non_null(strstr(r.body, "<footer class=\"foot\">"));
    assert_non_null(strstr(r.body, "<title>Sign in · docket</title>"));
    /* the skip link comes before the header */
    assert_true(strstr(r.body, "class=\"skip\"") < strstr(r.body, "<header"));
    /* nobody signed in: no navigation, no search, no sign-out */
    assert_null(strstr(r.body, "aria-label=\"Main\""));
    assert_null(strstr(r.body, "search-mini"));
    assert_null(strstr(r.body, "/signout"));
    assert_true(h_resp_header(&r, "Content-Security-Policy", csp, sizeof csp));
    assert_non_null(strstr(csp, "script-src 'self'"));
    assert_non_null(strstr(csp, "style-src 'self'"));
    assert_csp_clean(r.body);
    h_resp_free(&r);
}

static void check_asset(const char *html, const char *name, const char *type)
{
    char prefix[64], url[256], hdr[256];
    char *disk;
    size_t disk_len;
    h_resp r;
    const char *v;

    snprintf(prefix, sizeof prefix, "/static/%s?v=", name);
    if (!find_url(html, prefix, url, sizeof url))
        fail_msg("no %s URL in the page", name);
    /* a content hash of 16 hex digits */
    v = strstr(url, "?v=") + 3;
    assert_int_equal(strlen(v), 16);
    for (const char *c = v; *c; c++)
        assert_true(isxdigit((unsigned char)*c));

    h_get(&r, &srv, NULL, url);
    assert_int_equal(r.status, 200);
    assert_true(h_resp_header(&r, "Content-Type", hdr, sizeof hdr));
    assert_string_equal(hdr, type);
    assert_true(h_resp_header(&r, "Cache-Control", hdr, sizeof hdr));
    assert_non_null(strstr(hdr, "max-age=31536000"));
    assert_non_null(strstr(hdr, "immutable"));
    snprintf(prefix, sizeof prefix, "web/static/%s", name);
    disk = h_read(h_source(prefix), &disk_len);
    assert_int_equal(r.len, disk_len);
    assert_memory_equal(r.body, disk, disk_len);
    free(disk);
    h_resp_free(&r);
}

static void test_ui__assets_hashed_and_cached(void **state)
{
    h_resp r;

    (void)state;
    h_get(&r, &srv, NULL, "/signin");
    assert_int_equal(r.status, 200);
    check_asset(r.body, "app.css", "text/css; charset=utf-8");
    check_asset(r.body, "app.js", "text/javascript; charset=utf-8");
    check_asset(r.body, "icon.svg", "image/svg+xml");
    /* the stylesheet and the module script are in the head */
    assert_non_null(strstr(r.body, "<link rel=\"stylesheet\" href=\"/static/"
                                   "app.css?v="));
    assert_non_null(strstr(r.body, "<script type=\"module\" src=\"/static/"
                                   "app.js?v="));
    assert_non_null(strstr(r.body, "<link rel=\"icon\" href=\"/static/"
                                   "icon.svg?v="));
    h_resp_free(&r);

    h_get_expect(&srv, NULL, "/static/nope.css", 404, NULL);
    h_get(&r, &srv, NULL, "/static/../web.h");
    assert_int_not_equal(r.status, 200);
    h_resp_free(&r);
}

static void test_ui__stylesheet_vocabulary(void **state)
{
    size_t len;
    char *css = h_read(h_source("web/static/app.css"), &len);
    static const char *const must[] = {
        "prefers-color-scheme: dark",
        ":focus-visible",
        ".skip:focus",
        "header.top",
        "nav a[aria-current=\"page\"]",
        ".who",
        ".search-mini",
        "button.link",
        "footer.foot",
        ".stack {",
        ".grid-form {",
        ".field-error",
        "[aria-invalid=\"true\"]",
        ".error-summary",
        ".actions",
        "form.inline",
        ".table-wrap",
        ".table thead th",
        "position: sticky",
        ".num",
        ".badge.required",
        ".badge.optional",
        ".badge.pii",
        ".badge.consent",
        ".badge.role",
        ".badge.muted",
        ".badge.status-submitted",
        ".badge.status-triaged",
        ".badge.status-needs_info",
        ".badge.status-scheduled",
        ".badge.status-in_progress",
        ".badge.status-deployed",
        ".badge.status-rejected",
        ".badge.status-withdrawn",
        ".card.narrow",
        ".rules-card",
        ".dependency.required",
        ".dependency.optional",
        "dl.facts",
        "ol.timeline",
        ".flash",
        ".alert.error",
        ".alert.success",
        ".button.primary",
        ".button.small",
        ".button.danger",
        ".tabs a[aria-current=\"page\"]",
        ".muted",
        ".sr-only",
        "code.token",
        ".lookup-box",
        ".suggestions li[aria-selected=\"true\"]",
        ".kv",
        ".empty",
        ".grid",
        ".toolbar",
        ".pagination",
        ".diff ins",
        ".diff del",
        "progress",
        "dialog::backdrop",
        "prefers-reduced-motion"};

    (void)state;
    for (size_t i = 0; i < sizeof must / sizeof *must; i++)
        if (!strstr(css, must[i]))
            fail_msg("app.css lacks %s", must[i]);
    /* offline: no fonts or files from elsewhere */
    assert_null(strstr(css, "@import"));
    assert_null(strstr(css, "http://"));
    assert_null(strstr(css, "https://"));
    free(css);
}

typedef struct role_nav {
    const char *email;
    const char *role;
    const char *shown[8];
    const char *hidden[8];
} role_nav;

static void test_ui__navigation_by_role(void **state)
{
    static const role_nav cases[] = {
        {"client@acme.example",
         "client",
         {"/lookup", "/requests", "/requests/new", "/tables", NULL},
         {"/sprints", "/admin/users", NULL}},
        {"pm@docket.example",
         "pm",
         {"/requests/new", "/sprints", "/tables", "/changes", NULL},
         {"/admin/users", NULL}},
        {"ops@docket.example",
         "ops",
         {"/lookup", "/sprints", "/tables", NULL},
         {"/requests/new", "/admin/users", NULL}},
        {"root@docket.example",
         "admin",
         {"/requests/new", "/sprints", "/admin/users", NULL},
         {NULL}},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const role_nav *c = &cases[i];
        h_session sess;
        h_resp r;
        char want[128], *nav, *nav_end;

        signin(&sess, c->email);
        h_get(&r, &srv, &sess, "/account");
        assert_int_equal(r.status, 200);
        nav = strstr(r.body, "<nav aria-label=\"Main\"><ul>");
        assert_non_null(nav);
        nav_end = strstr(nav, "</nav>");
        assert_non_null(nav_end);
        *nav_end = '\0';
        for (const char *const *s = c->shown; *s; s++) {
            snprintf(want, sizeof want, "<li><a href=\"%s\"", *s);
            if (!strstr(nav, want))
                fail_msg("%s: nav lacks %s", c->role, *s);
        }
        for (const char *const *s = c->hidden; *s; s++) {
            snprintf(want, sizeof want, "<li><a href=\"%s\"", *s);
            if (strstr(nav, want))
                fail_msg("%s: nav shows %s", c->role, *s);
        }
        /* /account is not in the nav: nothing is current */
        assert_null(strstr(nav, "aria-current"));
        *nav_end = '<';
        snprintf(want, sizeof want, "<span class=\"badge role\">%s</span>",
                 c->role);
        assert_non_null(strstr(r.body, want));
        assert_non_null(strstr(r.body, "<form class=\"search-mini\" "
                                       "role=\"search\""));
        assert_non_null(strstr(r.body, "data-hotkey=\"/\""));
        assert_non_null(strstr(r.body, "<a href=\"/account\" class=\"me\">"));
        assert_non_null(strstr(r.body, "<form method=\"post\" "
                                       "action=\"/signout\">"));
        assert_non_null(strstr(r.body, "<button class=\"link\" "
                                       "type=\"submit\">Sign out</button>"));
        assert_non_null(strstr(r.body, "<kbd>/</kbd>"));
        assert_csp_clean(r.body);
        h_resp_free(&r);

        /* the start page marks Home, and only Home, as current */
        h_get(&r, &srv, &sess, "/");
        assert_int_equal(r.status, 200);
        assert_non_null(
            strstr(r.body, "<a href=\"/\" aria-current=\"page\">Home</a>"));
        assert_int_equal(count(r.body, "aria-current=\"page\""), 1);
        h_resp_free(&r);
    }
}

static void test_ui__user_name_escaped(void **state)
{
    h_session sess;

    (void)state;
    signin(&sess, "pm@docket.example");
    h_get_expect(&srv, &sess, "/account", 200, "!<b>PM</b>",
                 "class=\"me\">Pat &lt;b&gt;PM&lt;/b&gt; "
                 "&amp; &quot;Co&quot; <span",
                 NULL);
}

static void test_ui__flash_once(void **state)
{
    h_session sess;
    h_resp r;
    char cookie[400], hdr[400];
    const char *headers[2] = {cookie, NULL};

    (void)state;
    signin(&sess, "ops@docket.example");
    /* a revoke of a token that does not exist: 404, no flash */
    h_post_form(&r, &srv, &sess, "/account/tokens/999999/revoke", "");
    assert_int_equal(r.status, 404);
    h_resp_free(&r);
    /* a token revoke sets a flash: create one, revoke it */
    h_post_form(&r, &srv, &sess, "/account/tokens", "label=ci");
    assert_int_equal(r.status, 200);
    h_resp_free(&r);
    {
        int64_t id = h_db_int(&srv, "SELECT max(id) FROM api_tokens");
        char path[64];
        assert_true(id > 0);
        snprintf(path, sizeof path, "/account/tokens/%lld/revoke",
                 (long long)id);
        h_post_form(&r, &srv, &sess, path, "");
    }
    assert_int_equal(r.status, 303);
    assert_true(h_resp_header(&r, "Set-Cookie", hdr, sizeof hdr));
    assert_non_null(strstr(hdr, "docket_flash="));
    /* the next page shows it once and clears the cookie */
    snprintf(cookie, sizeof cookie, "Cookie: %s; %.*s", sess.cookie,
             (int)strcspn(hdr, ";"), hdr);
    h_resp_free(&r);
    h_request(&r, &srv, NULL, "GET", "/account", NULL, NULL, 0, headers);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<div class=\"flash\" role=\"status\">"
                                   "The token was revoked.</div>"));
    assert_true(h_resp_header(&r, "Set-Cookie", hdr, sizeof hdr));
    assert_non_null(strstr(hdr, "docket_flash=;"));
    /* it sits inside main, before the page's own heading */
    assert_true(strstr(r.body, "<main") < strstr(r.body, "class=\"flash\""));
    assert_true(strstr(r.body, "class=\"flash\"") < strstr(r.body, "<h1>"));
    h_resp_free(&r);
}

static void test_ui__error_page_in_frame(void **state)
{
    h_session sess;

    (void)state;
    signin(&sess, "client@acme.example");
    h_get_expect(&srv, &sess, "/no/such/page", 404,
                 "<a class=\"skip\" href=\"#main\">",
                 "<nav aria-label=\"Main\">", "class=\"card error-page\"",
                 "!aria-current", NULL);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_ui__anonymous_frame),
    cmocka_unit_test(test_ui__assets_hashed_and_cached),
    cmocka_unit_test(test_ui__stylesheet_vocabulary),
    cmocka_unit_test(test_ui__navigation_by_role),
    cmocka_unit_test(test_ui__user_name_escaped),
    cmocka_unit_test(test_ui__flash_once),
    cmocka_unit_test(test_ui__error_page_in_frame),
};

int main(void)
{
    return cmocka_run_group_tests(tests, group_setup, h_group_down);
}
