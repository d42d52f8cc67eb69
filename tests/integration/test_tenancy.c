/* Tenant isolation over every route: a client of one organisation seeds
 * requests (with an attachment), tables and comments; a client of another
 * organisation then walks the whole route table with those real ids and
 * names. Every GET of another organisation's object is 404 exactly like a
 * missing one, lists and searches show none of it, and no POST changes
 * anything. The owner can reach all of it, so the ids are real. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness.h"
#include "web_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PW     "correct horse battery"
#define SECRET "Zanzibar secret plan"

static h_server srv;
static h_session a, b;
static int64_t req_id, att_id;

static const char dictionary[] =
    "table,column,type,nullable,primary_key,description,pii,campaign_"
    "dependency,expected_arrival,source,cadence,owner,table_description\n"
    "customers,customer_id,bigint,false,true,Customer number,false,required,"
    "05:00,flat_file_csv,daily,crm@%s.example,Customers of %s\n"
    "customers,email,string(255),true,false,E-mail,true,,,,,,\n"
    "%s_only,thing,integer,true,false,Only at %s,false,optional,,api,daily,"
    "x@%s.example,Private table of %s\n";

static void import(const char *instance, const char *org)
{
    char path[700], *out = NULL;
    FILE *f;

    snprintf(path, sizeof path, "%s/%s.csv", srv.dir, instance);
    f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, dictionary, org, org, org, org, org, org);
    fclose(f);
    if (h_docket(&srv, NULL, &out, "import", "--instance", instance, path,
                 NULL) != 0)
        fail_msg("import: %s", out);
    free(out);
}

static int64_t location_id(const h_resp *r)
{
    char loc[200];
    const char *p;

    if (!h_resp_header(r, "Location", loc, sizeof loc))
        return 0;
    p = strrchr(loc, '/');
    return p ? atoll(p + 1) : 0;
}

static int up(void **state)
{
    static const char boundary[] = "XyZzYbOuNdArY";
    char body[4096];
    h_resp r;
    int n;

    (void)state;
    h_server_start(&srv, NULL);
    assert_int_equal(h_docket(&srv, NULL, NULL, "org", "add", "acme", NULL), 0);
    assert_int_equal(h_docket(&srv, NULL, NULL, "org", "add", "globex", NULL),
                     0);
    assert_int_equal(h_docket(&srv, NULL, NULL, "instance", "add", "acme",
                              "acme-prod", "--env", "production", "--dialect",
                              "postgres", NULL),
                     0);
    assert_int_equal(h_docket(&srv, NULL, NULL, "instance", "add", "globex",
                              "globex-prod", "--env", "production", "--dialect",
                              "mysql", NULL),
                     0);
    h_user(&srv, "a@acme.example", "Ann Acme", "client", "acme", PW);
    h_user(&srv, "b@globex.example", "Bob Globex", "client", "globex", PW);
    h_user(&srv, "pm@platform.example", "Pat PM", "pm", NULL, PW);
    import("acme-prod", "acme");
    import("globex-prod", "globex");
    assert_int_equal(h_signin(&a, &srv, "a@acme.example", PW), 303);
    assert_int_equal(h_signin(&b, &srv, "b@globex.example", PW), 303);

    /* Acme's request through the HTML form, with an attachment. */
    n = snprintf(
        body, sizeof body,
        "--%1$s\r\nContent-Disposition: form-data; "
        "name=\"csrf\"\r\n\r\n%2$s\r\n"
        "--%1$s\r\nContent-Disposition: form-data; "
        "name=\"instance\"\r\n\r\nacme-prod\r\n"
        "--%1$s\r\nContent-Disposition: form-data; "
        "name=\"project_manager\"\r\n\r\npm@platform.example\r\n"
        "--%1$s\r\nContent-Disposition: form-data; "
        "name=\"title\"\r\n\r\n" SECRET "\r\n"
        "--%1$s\r\nContent-Disposition: form-data; "
        "name=\"summary\"\r\n\r\nConfidential roadmap\r\n"
        "--%1$s\r\nContent-Disposition: form-data; "
        "name=\"consent_related\"\r\n\r\nno\r\n"
        "--%1$s\r\nContent-Disposition: form-data; "
        "name=\"items[0].kind\"\r\n\r\nadd_columns\r\n"
        "--%1$s\r\nContent-Disposition: form-data; "
        "name=\"items[0].table\"\r\n\r\ncustomers\r\n"
        "--%1$s\r\nContent-Disposition: form-data; "
        "name=\"items[0].columns[0].name\"\r\n\r\nzanzibar_score\r\n"
        "--%1$s\r\nContent-Disposition: form-data; "
        "name=\"items[0].columns[0].type\"\r\n\r\ninteger\r\n"
        "--%1$s\r\nContent-Disposition: form-data; "
        "name=\"items[0].columns[0].nullable\"\r\n\r\non\r\n"
        "--%1$s\r\nContent-Disposition: form-data; "
        "name=\"items[0].columns[0].description\"\r\n\r\nScore\r\n"
        "--%1$s\r\nContent-Disposition: form-data; name=\"attachments\"; "
        "filename=\"zanzibar.csv\"\r\n"
        "Content-Type: text/csv\r\n\r\nid,zanzibar\r\n1,2\r\n\r\n"
        "--%1$s\r\nContent-Disposition: form-data; name=\"submit\"\r\n\r\n1\r\n"
        "--%1$s--\r\n",
        boundary, a.csrf);
    assert_true(n > 0 && n < (int)sizeof body);
    {
        char ct[100];
        snprintf(ct, sizeof ct, "multipart/form-data; boundary=%s", boundary);
        h_request(&r, &srv, &a, "POST", "/requests", ct, body, (size_t)n, NULL);
    }
    if (r.status != 303)
        fail_msg("acme's request answered %ld: %.500s", r.status, r.body);
    req_id = location_id(&r);
    h_resp_free(&r);
    assert_true(req_id > 0);
    att_id = h_db_int(&srv, "SELECT max(id) FROM attachments");
    assert_true(att_id > 0);
    h_post_form(&r, &srv, &a, "/requests/1/comments",
                "body=Zanzibar+comment+only+for+acme");
    h_resp_free(&r);
    return 0;
}

static int down(void **state)
{
    (void)state;
    h_server_stop(&srv);
    h_server_cleanup(&srv);
    return 0;
}

/* Fills a route pattern with acme's real identifiers. */
static void acme_path(char *out, size_t size, const char *pattern)
{
    size_t j = 0;

    for (const char *p = pattern; *p && j + 40 < size;) {
        if (*p != '{') {
            out[j++] = *p++;
            continue;
        }
        if (!strncmp(p, "{id}", sizeof "{id}" - 1))
            j += (size_t)snprintf(out + j, size - j, "%lld", (long long)req_id);
        else if (!strncmp(p, "{aid}", sizeof "{aid}" - 1))
            j += (size_t)snprintf(out + j, size - j, "%lld", (long long)att_id);
        else if (!strncmp(p, "{instance}", sizeof "{instance}" - 1))
            j += (size_t)snprintf(out + j, size - j, "acme-prod");
        else if (!strncmp(p, "{table}", sizeof "{table}" - 1))
            j += (size_t)snprintf(out + j, size - j, "acme_only");
        else if (!strncmp(p, "{column}", sizeof "{column}" - 1))
            j += (size_t)snprintf(out + j, size - j, "thing");
        else if (!strncmp(p, "{*}", sizeof "{*}" - 1))
            j += (size_t)snprintf(out + j, size - j, "app.css");
        else
            j += (size_t)snprintf(out + j, size - j, "zz");
        p = strchr(p, '}') + 1;
    }
    out[j] = '\0';
}

/* Acme's data that globex never typed (names from the URL or the query
 * may be echoed back in a "not found" message). */
static int leaks(const char *body)
{
    return strstr(body, "Zanzibar secret") || strstr(body, "zanzibar_score") ||
           strstr(body, "zanzibar.csv") || strstr(body, "Zanzibar comment") ||
           strstr(body, "Confidential roadmap") || strstr(body, "crm@acme") ||
           strstr(body, "Customers of acme") ||
           strstr(body, "Private table of acme");
}

static void test_tenancy__owner_reaches_everything(void **state)
{
    char path[300];
    h_resp r;

    (void)state;
    acme_path(path, sizeof path, "/requests/{id}");
    h_get(&r, &srv, &a, path);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, SECRET));
    h_resp_free(&r);
    acme_path(path, sizeof path, "/requests/{id}/attachments/{aid}");
    h_get(&r, &srv, &a, path);
    assert_int_equal(r.status, 200);
    h_resp_free(&r);
    acme_path(path, sizeof path, "/tables/{instance}/{table}");
    h_get(&r, &srv, &a, path);
    assert_int_equal(r.status, 200);
    h_resp_free(&r);
}

static void test_tenancy__other_client_walks_every_route(void **state)
{
    int gets = 0, posts = 0;
    char *before = h_db_digest(&srv);

    (void)state;
    for (const web_route *const *t = web_route_tables(); *t; t++) {
        for (const web_route *r = *t; r->method; r++) {
            char path[400], q[500];
            h_resp resp;
            /* Routes naming an organisation's object by id or name. */
            int has_param = strstr(r->pattern, "{id}") ||
                            strstr(r->pattern, "{aid}") ||
                            strstr(r->pattern, "{instance}");
            if (!(r->roles & ROLE_CLIENT) ||
                !strcmp(r->pattern, "/static/{*}") ||
                !strcmp(r->pattern, "/signout") ||
                !strcmp(r->pattern, "/account/signout-all"))
                continue;
            acme_path(path, sizeof path, r->pattern);
            if (!strcmp(r->method, "GET")) {
                /* Lists and searches: ask for acme's things by name. */
                snprintf(q, sizeof q,
                         "%s?q=zanzibar&instance=acme-prod&organisation=acme"
                         "&dialect=postgres&format=plain&file=x",
                         path);
                h_get(&resp, &srv, &b, q);
                if (has_param && resp.status != 404)
                    fail_msg("GET %s answered %ld to another organisation", q,
                             resp.status);
                if (leaks(resp.body))
                    fail_msg("GET %s shows acme's data to globex: %.300s", q,
                             resp.body);
                gets++;
            } else if (has_param) {
                if (r->flags & WEB_RAWBODY)
                    h_send_json(&resp, &srv, &b, NULL, r->method, path,
                                strstr(path, "/transitions")
                                    ? "{\"to\":\"withdrawn\"}"
                                    : "{\"body\":\"x\"}");
                else
                    h_post_form(&resp, &srv, &b, path,
                                "to=withdrawn&body=x&reason=r&note=n&"
                                "runbook=x");
                if (resp.status != 404 && resp.status != 403)
                    fail_msg("%s %s answered %ld to another organisation",
                             r->method, path, resp.status);
                posts++;
            } else {
                continue; /* globex's own submissions: tested below */
            }
            h_resp_free(&resp);
        }
    }
    {
        char *after = h_db_digest(&srv);
        assert_string_equal(before, after);
        free(after);
    }
    free(before);
    assert_true(gets >= 20);
    assert_true(posts >= 5);
}

static void test_tenancy__missing_and_foreign_look_the_same(void **state)
{
    char path[100];
    h_resp theirs, missing;

    (void)state;
    snprintf(path, sizeof path, "/api/v1/requests/%lld", (long long)req_id);
    h_get(&theirs, &srv, &b, path);
    h_get(&missing, &srv, &b, "/api/v1/requests/987654");
    assert_int_equal(theirs.status, 404);
    assert_int_equal(missing.status, 404);
    assert_string_equal(theirs.body, missing.body);
    h_resp_free(&theirs);
    h_resp_free(&missing);
}

static void test_tenancy__cannot_submit_into_another_instance(void **state)
{
    h_resp r;
    char *before = h_db_digest(&srv), *after;

    (void)state;
    h_send_json(&r, &srv, &b, NULL, "POST", "/api/v1/requests",
                "{\"instance\":\"acme-prod\",\"project_manager\":"
                "\"pm@platform.example\",\"title\":\"Sneaky\",\"summary\":"
                "\"x\",\"consent_related\":false,\"items\":[{\"kind\":"
                "\"add_columns\",\"table\":\"customers\",\"columns\":[{"
                "\"name\":\"sneaky\",\"type\":\"integer\",\"description\":"
                "\"x\"}]}]}");
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "\"field\":\"instance"));
    h_resp_free(&r);
    h_send_json(&r, &srv, &b, NULL, "POST", "/api/v1/requests",
                "{\"organisation\":\"acme\",\"instance\":\"globex-prod\","
                "\"project_manager\":\"pm@platform.example\",\"title\":"
                "\"Sneaky\",\"summary\":\"x\",\"consent_related\":false,"
                "\"items\":[{\"kind\":\"add_columns\",\"table\":\"customers\","
                "\"columns\":[{\"name\":\"sneaky\",\"type\":\"integer\","
                "\"description\":\"x\"}]}]}");
    assert_int_equal(r.status, 422);
    h_resp_free(&r);
    after = h_db_digest(&srv);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tenancy__owner_reaches_everything),
        cmocka_unit_test(test_tenancy__other_client_walks_every_route),
        cmocka_unit_test(test_tenancy__missing_and_foreign_look_the_same),
        cmocka_unit_test(test_tenancy__cannot_submit_into_another_instance),
    };
    return cmocka_run_group_tests(tests, up, down);
}
