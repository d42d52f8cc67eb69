/* test_admin_forms.c: the forms of the administration and account pages
 * shown again after a refused submission, over real HTTP: the page has
 * the error summary (a link to the field), the error next to its field
 * (aria-invalid, aria-describedby), and every value the admin typed back
 * in its input, HTML-escaped, selects on the chosen option; passwords are
 * never sent back. An instance added without an organisation is told so
 * in a whole sentence, on the page and by the command line; other names
 * left empty on the command line get whole sentences too. The notice to
 * choose a new password after signing in with a temporary one is a
 * warning, not a success message. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static h_server srv;

static int group_setup(void **state)
{
    h_server_start(&srv, NULL);
    *state = &srv;
    h_world(&srv, "acme acme-prod ann pat oz ada");
    return 0;
}

/* The start tag of the element with id="id" in body, copied into out;
 * fails the test when there is none. */
static void tag_of(char *out, size_t size, const char *body, const char *id)
{
    char needle[160];
    const char *at, *start, *end;

    snprintf(needle, sizeof needle, " id=\"%s\"", id);
    at = strstr(body, needle);
    if (!at)
        fail_msg("no element with id=\"%s\" on the page", id);
    start = at;
    while (start > body && *start != '<')
        start--;
    end = strchr(at, '>');
    assert_non_null(end);
    snprintf(out, size, "%.*s", (int)(end - start + 1), start);
}

/* Fails unless the input with id shows exactly value (HTML-escaped as
 * it must appear in the attribute). */
static void assert_value(const char *body, const char *id, const char *value)
{
    char tag[2000], want[1200];

    tag_of(tag, sizeof tag, body, id);
    snprintf(want, sizeof want, " value=\"%s\"", value);
    if (!strstr(tag, want))
        fail_msg("input %s does not show %s: %s", id, want, tag);
}

/* Fails unless the select with id has value as its selected option (and
 * no other selected). */
static void assert_selected(const char *body, const char *id, const char *value)
{
    char tag[300], want[200];
    const char *sel, *end, *first;

    tag_of(tag, sizeof tag, body, id);
    sel = strstr(body, tag);
    end = strstr(sel, "</select>");
    assert_non_null(end);
    snprintf(want, sizeof want, "<option value=\"%s\" selected>", value);
    first = strstr(sel, " selected");
    if (!first || first > end || !strstr(sel, want) || strstr(sel, want) > end)
        fail_msg("select %s does not have %s chosen", id, value);
    if (strstr(first + 1, " selected") && strstr(first + 1, " selected") < end)
        fail_msg("select %s has two options chosen", id);
}

/* Fails unless the field id is marked as the one in error: aria-invalid,
 * described by its error line err-<id> that holds message, and linked
 * from the error summary at the top. */
static void assert_field_error(const char *body, const char *id,
                               const char *message)
{
    char tag[2000], line[200], link[200];
    const char *at;

    tag_of(tag, sizeof tag, body, id);
    if (!strstr(tag, "aria-invalid=\"true\""))
        fail_msg("field %s is not marked invalid: %s", id, tag);
    snprintf(line, sizeof line, "err-%s", id);
    if (!strstr(tag, line))
        fail_msg("field %s is not described by its error: %s", id, tag);
    snprintf(line, sizeof line, "<p class=\"field-error\" id=\"err-%s\">", id);
    at = strstr(body, line);
    if (!at)
        fail_msg("no error line next to %s", id);
    if (message && !strstr(at, message))
        fail_msg("the error next to %s does not say \"%s\"", id, message);
    if (!strstr(body, "id=\"error-summary\""))
        fail_msg("no error summary");
    snprintf(link, sizeof link, "<a href=\"#%s\">", id);
    if (!strstr(strstr(body, "id=\"error-summary\""), link))
        fail_msg("the error summary does not link to %s", id);
    /* The error line comes after the field, in the same .field. */
    assert_true(strstr(body, tag) < at);
}

static void post(h_resp *r, h_session *s, const char *path, buf *b)
{
    h_post_form(r, &srv, s, path, buf_cstr(b));
    buf_dispose(b);
}

static void test_admin_forms__new_user_keeps_values(void **state)
{
    h_session ada;
    h_resp r;
    buf b = {0};

    (void)state;
    assert_int_equal(h_signin(&ada, &srv, "ada@platform.example", H_PW), 303);

    /* E-mail already taken: 409, everything typed comes back. */
    h_form_field(&b, "email", "pat@platform.example");
    h_form_field(&b, "name", "Zo\xc3\xab <b>\"Z\"</b> & co");
    h_form_field(&b, "role", "ops");
    h_form_field(&b, "org", "");
    h_form_field(&b, "password", "Secret <pass> 12345");
    post(&r, &ada, "/admin/users", &b);
    assert_int_equal(r.status, 409);
    assert_value(r.body, "email", "pat@platform.example");
    assert_value(r.body, "name",
                 "Zo\xc3\xab &lt;b&gt;&quot;Z&quot;&lt;/b&gt; &amp; co");
    assert_selected(r.body, "role", "ops");
    assert_selected(r.body, "org", "");
    assert_field_error(r.body, "email", "already exists");
    assert_null(strstr(r.body, "Secret"));
    h_resp_free(&r);

    /* A client without an organisation: the error is at the organisation. */
    h_form_field(&b, "email", "cleo@acme.example");
    h_form_field(&b, "name", "Cleo");
    h_form_field(&b, "role", "client");
    h_form_field(&b, "org", "");
    h_form_field(&b, "password", "Secret pass 12345");
    post(&r, &ada, "/admin/users", &b);
    assert_int_equal(r.status, 422);
    assert_value(r.body, "email", "cleo@acme.example");
    assert_value(r.body, "name", "Cleo");
    assert_selected(r.body, "role", "client");
    assert_field_error(r.body, "org",
                       "Choose the organisation this client belongs to.");
    assert_null(strstr(r.body, "Secret pass"));
    h_resp_free(&r);

    /* An address that is not one, with markup in it. */
    h_form_field(&b, "email", "nobody<script>");
    h_form_field(&b, "name", "Nobody");
    h_form_field(&b, "role", "client");
    h_form_field(&b, "org", "acme");
    h_form_field(&b, "password", "Secret pass 12345");
    post(&r, &ada, "/admin/users", &b);
    assert_int_equal(r.status, 422);
    assert_value(r.body, "email", "nobody&lt;script&gt;");
    assert_selected(r.body, "org", "acme");
    assert_field_error(r.body, "email", "not a valid e-mail address");
    assert_null(strstr(r.body, "<script>"));
    h_resp_free(&r);

    /* An empty name (the browser would have stopped it; a script may
       not): the error is at the name, and nothing was written. */
    h_form_field(&b, "email", "noname@acme.example");
    h_form_field(&b, "name", "");
    h_form_field(&b, "role", "pm");
    h_form_field(&b, "password", "Secret pass 12345");
    post(&r, &ada, "/admin/users", &b);
    assert_int_equal(r.status, 422);
    assert_value(r.body, "email", "noname@acme.example");
    assert_field_error(r.body, "name", "required");
    h_resp_free(&r);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM users WHERE email"
                                    " IN ('cleo@acme.example',"
                                    " 'noname@acme.example')"),
                     0);
}

static void test_admin_forms__user_edit_keeps_values(void **state)
{
    h_session ada;
    h_resp r;
    buf b = {0};
    char path[64];
    int64_t pat = h_db_int(&srv, "SELECT id FROM users WHERE email ="
                                 " 'pat@platform.example'");

    (void)state;
    assert_int_equal(h_signin(&ada, &srv, "ada@platform.example", H_PW), 303);
    snprintf(path, sizeof path, "/admin/users/%lld", (long long)pat);
    h_form_field(&b, "name", "Pat <the PM> & \"co\"");
    h_form_field(&b, "role", "client");
    h_form_field(&b, "org", "");
    h_form_field(&b, "active", "0");
    h_form_field(&b, "password", "Another secret 999");
    post(&r, &ada, path, &b);
    assert_int_equal(r.status, 422);
    /* What was typed, not what is stored. */
    assert_value(r.body, "name", "Pat &lt;the PM&gt; &amp; &quot;co&quot;");
    assert_selected(r.body, "role", "client");
    assert_selected(r.body, "active", "0");
    assert_field_error(r.body, "org",
                       "Choose the organisation this client belongs to.");
    assert_null(strstr(r.body, "Another secret"));
    h_resp_free(&r);
    /* Nothing was saved. */
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM users WHERE email ="
                                    " 'pat@platform.example' AND role = 'pm'"
                                    " AND active = 1 AND name NOT LIKE '%<%'"),
                     1);
    /* Removing one's own admin rights: the error is at the role. */
    snprintf(path, sizeof path, "/admin/users/%lld",
             (long long)h_db_int(&srv, "SELECT id FROM users WHERE email ="
                                       " 'ada@platform.example'"));
    h_form_field(&b, "name", "Ada the <second>");
    h_form_field(&b, "role", "pm");
    h_form_field(&b, "org", "");
    h_form_field(&b, "active", "1");
    post(&r, &ada, path, &b);
    assert_int_equal(r.status, 422);
    assert_value(r.body, "name", "Ada the &lt;second&gt;");
    assert_selected(r.body, "role", "pm");
    assert_field_error(r.body, "role", "your own admin rights");
    h_resp_free(&r);
}

static void test_admin_forms__organisation_keeps_values(void **state)
{
    h_session ada;
    h_resp r;
    buf b = {0};

    (void)state;
    assert_int_equal(h_signin(&ada, &srv, "ada@platform.example", H_PW), 303);
    h_form_field(&b, "name", "bad name <x>");
    post(&r, &ada, "/admin/orgs", &b);
    assert_int_equal(r.status, 422);
    assert_value(r.body, "org-name", "bad name &lt;x&gt;");
    assert_field_error(r.body, "org-name", "letters, digits");
    /* The other form of the page is left as it was. */
    assert_null(strstr(r.body, "err-i-"));
    h_resp_free(&r);

    h_form_field(&b, "name", "acme");
    post(&r, &ada, "/admin/orgs", &b);
    assert_int_equal(r.status, 409);
    assert_value(r.body, "org-name", "acme");
    assert_field_error(r.body, "org-name", "already exists");
    h_resp_free(&r);
}

static void test_admin_forms__instance_keeps_values(void **state)
{
    h_session ada;
    h_resp r;
    buf b = {0};

    (void)state;
    assert_int_equal(h_signin(&ada, &srv, "ada@platform.example", H_PW), 303);

    /* No organisation chosen: a whole sentence at the organisation. */
    h_form_field(&b, "org", "");
    h_form_field(&b, "name", "new-inst");
    h_form_field(&b, "environment", "qa");
    h_form_field(&b, "dialect", "mysql");
    post(&r, &ada, "/admin/instances", &b);
    assert_int_equal(r.status, 422);
    assert_field_error(r.body, "i-org",
                       "Choose the organisation this instance belongs to.");
    assert_null(strstr(r.body, "no organisation named"));
    assert_value(r.body, "i-name", "new-inst");
    assert_selected(r.body, "i-env", "qa");
    assert_selected(r.body, "i-dialect", "mysql");
    /* The organisation form of the page is left as it was. */
    assert_null(strstr(r.body, "err-org-name"));
    h_resp_free(&r);

    /* A name with markup in it: the error is at the name. */
    h_form_field(&b, "org", "acme");
    h_form_field(&b, "name", "acme <prod>");
    h_form_field(&b, "environment", "staging");
    h_form_field(&b, "dialect", "snowflake");
    post(&r, &ada, "/admin/instances", &b);
    assert_int_equal(r.status, 422);
    assert_value(r.body, "i-name", "acme &lt;prod&gt;");
    assert_selected(r.body, "i-org", "acme");
    assert_selected(r.body, "i-env", "staging");
    assert_selected(r.body, "i-dialect", "snowflake");
    assert_field_error(r.body, "i-name", "letters, digits");
    h_resp_free(&r);

    /* A name taken: 409 at the name. */
    h_form_field(&b, "org", "acme");
    h_form_field(&b, "name", "acme-prod");
    h_form_field(&b, "environment", "production");
    h_form_field(&b, "dialect", "postgres");
    post(&r, &ada, "/admin/instances", &b);
    assert_int_equal(r.status, 409);
    assert_value(r.body, "i-name", "acme-prod");
    assert_field_error(r.body, "i-name", "already exists");
    h_resp_free(&r);

    /* An environment or dialect no browser sends: at that field. */
    h_form_field(&b, "org", "acme");
    h_form_field(&b, "name", "acme-x");
    h_form_field(&b, "environment", "q a");
    h_form_field(&b, "dialect", "postgres");
    post(&r, &ada, "/admin/instances", &b);
    assert_int_equal(r.status, 422);
    assert_field_error(r.body, "i-env", NULL);
    assert_value(r.body, "i-name", "acme-x");
    h_resp_free(&r);
    h_form_field(&b, "org", "acme");
    h_form_field(&b, "name", "acme-x");
    h_form_field(&b, "environment", "qa");
    h_form_field(&b, "dialect", "oracle");
    post(&r, &ada, "/admin/instances", &b);
    assert_int_equal(r.status, 422);
    assert_field_error(r.body, "i-dialect", NULL);
    h_resp_free(&r);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM instances WHERE name"
                                    " IN ('new-inst', 'acme-x')"),
                     0);
}

static void test_admin_forms__account_forms_keep_values(void **state)
{
    h_session oz;
    h_resp r;
    buf b = {0};
    char label[260];

    (void)state;
    assert_int_equal(h_signin(&oz, &srv, "oz@platform.example", H_PW), 303);
    /* A label too long (a script; the browser stops at 200). */
    memset(label, 'x', 201);
    strcpy(label + 201, "<&>");
    h_form_field(&b, "label", label);
    post(&r, &oz, "/account/tokens", &b);
    assert_int_equal(r.status, 422);
    memcpy(label + 201, "&lt;&amp;&gt;", 14);
    assert_value(r.body, "label", label);
    assert_field_error(r.body, "label", "longer than 200");
    h_resp_free(&r);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM api_tokens"), 0);

    /* A wrong current password: at that field; no password comes back. */
    h_form_field(&b, "current", "Wrong one <1234>");
    h_form_field(&b, "new", "New secret 45678");
    h_form_field(&b, "confirm", "New secret 45678");
    post(&r, &oz, "/account/password", &b);
    assert_int_equal(r.status, 422);
    assert_field_error(r.body, "current", "wrong");
    assert_null(strstr(r.body, "Wrong one"));
    assert_null(strstr(r.body, "New secret"));
    h_resp_free(&r);
    /* Passwords that differ: at the second one. */
    h_form_field(&b, "current", H_PW);
    h_form_field(&b, "new", "New secret 45678");
    h_form_field(&b, "confirm", "New secret 45679");
    post(&r, &oz, "/account/password", &b);
    assert_int_equal(r.status, 422);
    assert_field_error(r.body, "confirm", "differ");
    assert_null(strstr(r.body, "New secret"));
    h_resp_free(&r);
}

/* Output of a CLI run that must fail (non-zero) with a whole sentence:
 * not ending in "named", "e-mail" or a space. */
static void cli_whole_sentence(const char *what, char *out, int rc)
{
    size_t n = strlen(out);

    if (rc == 0)
        fail_msg("%s: succeeded: %s", what, out);
    while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    if (!n || out[n - 1] == ' ' || out[n - 1] == ':' ||
        (n >= 5 && !strcmp(out + n - 5, "named")) ||
        (n >= 6 && !strcmp(out + n - 6, "e-mail")))
        fail_msg("%s: a truncated message: \"%s\"", what, out);
    free(out);
}

static void test_admin_forms__cli_never_truncates_names(void **state)
{
    char *out = NULL;
    int rc;

    (void)state;
    rc = h_docket(&srv, NULL, &out, "instance", "add", "", "lonely", "--env",
                  "qa", NULL);
    assert_non_null(strstr(out, "organisation"));
    cli_whole_sentence("instance add without an organisation", out, rc);
    rc = h_docket(&srv, NULL, &out, "token", "create", "--email", "", "--label",
                  "x", NULL);
    cli_whole_sentence("token create without an e-mail", out, rc);
    rc = h_docket(&srv, NULL, &out, "user", "deactivate", "--email", "", NULL);
    cli_whole_sentence("user deactivate without an e-mail", out, rc);
    rc = h_docket(&srv, "long enough password\n", &out, "user", "passwd",
                  "--email", "", "--password-stdin", NULL);
    cli_whole_sentence("user passwd without an e-mail", out, rc);
    rc = h_docket(&srv, NULL, &out, "org", "add", "", NULL);
    cli_whole_sentence("org add without a name", out, rc);
    {
        char dir[700];
        snprintf(dir, sizeof dir, "%s/export-empty", srv.dir);
        rc = h_docket(&srv, NULL, &out, "export", "--format", "csv", "--out",
                      dir, "--instance", "", NULL);
        cli_whole_sentence("export of an empty instance name", out, rc);
    }
    rc = h_docket(&srv, NULL, &out, "notify", "test", "", NULL);
    cli_whole_sentence("notify test of an empty channel name", out, rc);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM instances WHERE"
                                    " name = 'lonely'"),
                     0);
}

/* Every "name=value" of the Set-Cookie headers of r, joined by "; ". */
static void cookies_of(char *out, size_t size, const h_resp *r)
{
    const char *p = r->headers;
    size_t n = 0;

    out[0] = '\0';
    while (p && (p = strstr(p, "\n")) != NULL) {
        p++;
        if (strncasecmp(p, "Set-Cookie: ", 12) != 0)
            continue;
        n += (size_t)snprintf(out + n, size - n, "%s%.*s", n ? "; " : "",
                              (int)strcspn(p + 12, ";\r\n"), p + 12);
        assert_true(n < size);
    }
}

static void test_admin_forms__new_password_notice_is_a_warning(void **state)
{
    h_resp r;
    char cookies[2000], header[2100], location[200];
    const char *hdrs[] = {header, NULL};
    const char *notice, *open;

    (void)state;
    h_user(&srv, "temp@platform.example", "Temp", "ops", NULL, H_PW);
    h_db_exec(&srv, "UPDATE users SET must_change_password = 1 WHERE email ="
                    " 'temp@platform.example'");
    {
        char body[300];
        snprintf(body, sizeof body,
                 "email=temp%%40platform.example&password=%s", h_urlenc(H_PW));
        h_browser_post(&r, &srv, "/signin", "/signin", body);
    }
    assert_int_equal(r.status, 303);
    assert_true(h_resp_header(&r, "Location", location, sizeof location));
    assert_string_equal(location, "/account#password");
    cookies_of(cookies, sizeof cookies, &r);
    h_resp_free(&r);
    snprintf(header, sizeof header, "Cookie: %s", cookies);
    h_request(&r, &srv, NULL, "GET", "/account", NULL, NULL, 0, hdrs);
    assert_int_equal(r.status, 200);
    /* Every "Choose a new password" notice sits in a warning box; none in
       the (success-coloured) flash or a success alert. */
    notice = strstr(r.body, "Choose a new password");
    assert_non_null(notice);
    for (; notice; notice = strstr(notice + 1, "Choose a new password")) {
        if (!strncmp(notice - 4, "<h1>", 4))
            continue; /* a heading, not a notice */
        open = notice;
        while (open > r.body && strncmp(open, "<div class=\"", 12) != 0)
            open--;
        if (strncmp(open, "<div class=\"alert warning\"", 26) != 0)
            fail_msg("the notice is not a warning: %.80s", open);
    }
    assert_null(strstr(r.body, "class=\"flash\""));
    h_resp_free(&r);
}

int main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_admin_forms__new_user_keeps_values),
        cmocka_unit_test(test_admin_forms__user_edit_keeps_values),
        cmocka_unit_test(test_admin_forms__organisation_keeps_values),
        cmocka_unit_test(test_admin_forms__instance_keeps_values),
        cmocka_unit_test(test_admin_forms__account_forms_keep_values),
        cmocka_unit_test(test_admin_forms__cli_never_truncates_names),
        cmocka_unit_test(test_admin_forms__new_password_notice_is_a_warning),
    };

    return cmocka_run_group_tests(tests, group_setup, h_group_down);
}
