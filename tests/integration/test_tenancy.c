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

static int up(void **state)
{
    static const char boundary[] = "XyZzYbOuNdArY";
    char body[4096];
    h_resp r;
    int n;

    *state = &srv;
    h_server_start(&srv, NULL);
    h_world(&srv, "acme globex acme-prod globex-prod:mysql ann+ bob+ pat", &a,
            &b);
    import("acme-prod", "acme");
    import("globex-prod", "globex");

    /* Acme's request through the HTML form, with an attachment. */
    n = snprintf(
        body, sizeof body,
        "--%1$s\r\nContent-Disposition: form-data; "
        "name=\"csrf\"\r\n\r\n%2$s\r\n"
        "--%1$s\r\nContent-Disposition: form-data; "
        "name=\"instance\"\r\n\r\nacme-prod\r\n"
        "--%1$s\r\nContent-Disposition: form-data; "
        "name=\"project_manager\"\r\n\r\npat@platform.example\r\n"
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
    req_id = h_created(&r);
    h_resp_free(&r);
    assert_true(req_id > 0);
    att_id = h_db_int(&srv, "SELECT max(id) FROM attachments");
    assert_true(att_id > 0);
    h_post_form(&r, &srv, &a, "/requests/1/comments",
                "body=Zanzibar+comment+only+for+acme");
    h_resp_free(&r);
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
    h_get_expect(&srv, &a, path, 200, NULL);
    acme_path(path, sizeof path, "/tables/{instance}/{table}");
    h_get_expect(&srv, &a, path, 200, NULL);
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
                /* no parameters; its free space changes by the call */
                !strcmp(r->pattern, "/healthz") ||
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
                if (resp.status != 404)
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
    char *before = h_db_digest(&srv);

    (void)state;
    h_send_json(&r, &srv, &b, NULL, "POST", "/api/v1/requests",
                "{\"instance\":\"acme-prod\",\"project_manager\":"
                "\"pat@platform.example\",\"title\":\"Sneaky\",\"summary\":"
                "\"x\",\"consent_related\":false,\"items\":[{\"kind\":"
                "\"add_columns\",\"table\":\"customers\",\"columns\":[{"
                "\"name\":\"sneaky\",\"type\":\"integer\",\"description\":"
                "\"x\"}]}]}");
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "\"field\":\"instance"));
    h_resp_free(&r);
    h_send_json(&r, &srv, &b, NULL, "POST", "/api/v1/requests",
                "{\"organisation\":\"acme\",\"instance\":\"globex-prod\","
                "\"project_manager\":\"pat@platform.example\",\"title\":"
                "\"Sneaky\",\"summary\":\"x\",\"consent_related\":false,"
                "\"items\":[{\"kind\":\"add_columns\",\"table\":\"customers\","
                "\"columns\":[{\"name\":\"sneaky\",\"type\":\"integer\","
                "\"description\":\"x\"}]}]}");
    assert_int_equal(r.status, 422);
    h_resp_free(&r);
    h_unchanged(&srv, before, NULL);
    free(before);
}

/* ---- validation answers carry no fact of another organisation ---------- */

/* One probe: a request naming an instance in the main instance (list 0) or
 * in the "other instances" list (list 1, after globex-prod), with one item
 * of one column. The registry facts of acme-prod it would reveal are in
 * the comments. */
typedef struct probe {
    int list;
    const char *kind, *table, *column;
} probe;

static const probe probes[] = {
    {0, "add_columns", "customers", "email"}, /* column exists */
    {0, "add_columns", "acme_only", "thing"}, /* both exist */
    {0, "add_columns", "acme_only", "fresh"}, /* table exists */
    {0, "add_columns", "zz", "fresh"},        /* table missing */
    {0, "customer_attributes", "acme_only", "thing"},
    {0, "new_table", "acme_only", "fresh"},   /* table exists */
    {0, "new_table", "customers", "fresh"},   /* table exists */
    {1, "add_columns", "acme_only", "thing"}, /* both exist */
    {1, "add_columns", "customers", "email"}, /* column exists */
    {1, "add_columns", "zz", "fresh"},        /* table missing */
    {1, "new_table", "acme_only", "fresh"},   /* table exists */
    {1, "activity_history", "acme_only", "fresh"},
};

#define FOREIGN "acme-prod"
#define MADE_UP "nowhere-prod"
#define SID     "0123456789abcdef0123456789abcdef"

static char *probe_json(const probe *p, const char *inst, int staff)
{
    char *out = malloc(2048);

    assert_non_null(out);
    snprintf(out, 2048,
             "{%s\"instance\":\"%s\",\"instances\":[%s%s%s],"
             "\"project_manager\":\"pat@platform.example\",\"title\":"
             "\"Probe\",\"summary\":\"x\",\"consent_related\":false,"
             "\"items\":[{\"kind\":\"%s\",\"table\":\"%s\",\"columns\":[{"
             "\"name\":\"%s\",\"type\":\"integer\",\"description\":\"d\"}]}]}",
             staff ? "\"organisation\":\"globex\"," : "",
             p->list ? "globex-prod" : inst,
             p->list ? "\"globex-prod\",\"" : "\"", inst, "\"", p->kind,
             p->table, p->column);
    return out;
}

static char *probe_form(const probe *p, const char *inst, int staff)
{
    char *out = malloc(2048);

    assert_non_null(out);
    snprintf(out, 2048,
             "%sinstance=%s&%sinstances=%s&project_manager=pm%%40platform."
             "example&title=Probe&summary=x&consent_related=no"
             "&items%%5B0%%5D.kind=%s&items%%5B0%%5D.table=%s"
             "&items%%5B0%%5D.columns%%5B0%%5D.name=%s"
             "&items%%5B0%%5D.columns%%5B0%%5D.type=integer"
             "&items%%5B0%%5D.columns%%5B0%%5D.description=d"
             "&submission_id=" SID,
             staff ? "organisation=globex&" : "",
             p->list ? "globex-prod" : inst,
             p->list ? "instances=globex-prod&" : "", inst, p->kind, p->table,
             p->column);
    return out;
}

/* body with both probed names replaced by one placeholder. A staff page
 * lists every instance, acme-prod among them, in both answers, and marks
 * what was chosen: for staff the marks are dropped too. */
static char *normalised(const char *body, int staff)
{
    size_t n = strlen(body), j = 0;
    char *out = malloc(n * 2 + 16);

    assert_non_null(out);
    for (const char *s = body; *s;) {
        if (staff && !strncmp(s, " selected>", 10)) {
            s += 9;
        } else if (staff && !strncmp(s, " checked ", 9)) {
            s += 8;
        } else if (!strncmp(s, FOREIGN, sizeof FOREIGN - 1)) {
            memcpy(out + j, "@INST@", 6);
            j += 6;
            s += sizeof FOREIGN - 1;
        } else if (!strncmp(s, MADE_UP, sizeof MADE_UP - 1)) {
            memcpy(out + j, "@INST@", 6);
            j += 6;
            s += sizeof MADE_UP - 1;
        } else {
            out[j++] = *s++;
        }
    }
    out[j] = '\0';
    return out;
}

/* Sends probe p naming FOREIGN and then MADE_UP by route (0 JSON API,
 * 1 the HTML form, 2 the edit form of request edit_id) as sess; both
 * answers must be the same 422. */
static void probe_same(h_session *sess, int staff, int route, int64_t edit_id,
                       const probe *p)
{
    const char *names[2] = {FOREIGN, MADE_UP};
    char *norm[2], path[64];
    long status[2];

    if (route == 2)
        snprintf(path, sizeof path, "/requests/%lld/edit", (long long)edit_id);
    for (int k = 0; k < 2; k++) {
        h_resp r;
        char *body = route == 0 ? probe_json(p, names[k], staff)
                                : probe_form(p, names[k], staff);
        if (route == 0)
            h_send_json(&r, &srv, sess, NULL, "POST", "/api/v1/requests", body);
        else
            h_post_form(&r, &srv, sess, route == 1 ? "/requests" : path, body);
        free(body);
        status[k] = r.status;
        norm[k] = normalised(r.body ? r.body : "", staff);
        h_resp_free(&r);
    }
    if (status[0] != 422 || status[1] != 422 || strcmp(norm[0], norm[1]))
        fail_msg("%s route %d, %s %s.%s in %s: %ld vs %ld\n--- %s: %.1500s\n"
                 "--- %s: %.1500s",
                 staff ? "pm" : "client", route, p->kind, p->table, p->column,
                 p->list ? "instances" : "instance", status[0], status[1],
                 FOREIGN, norm[0], MADE_UP, norm[1]);
    /* The answer names the instance as not the organisation's. */
    assert_non_null(strstr(norm[0], "is not an instance of"));
    free(norm[0]);
    free(norm[1]);
}

static void
test_tenancy__validation_tells_nothing_of_other_instances(void **state)
{
    h_session pm;
    h_resp r;
    int64_t own;
    char *before;

    (void)state;
    assert_int_equal(h_signin(&pm, &srv, "pat@platform.example", H_PW), 303);
    /* Globex's own request, to probe through its edit form. */
    h_send_json(&r, &srv, &b, NULL, "POST", "/api/v1/requests",
                "{\"instance\":\"globex-prod\",\"project_manager\":"
                "\"pat@platform.example\",\"title\":\"Own\",\"summary\":"
                "\"x\",\"consent_related\":false,\"items\":[{\"kind\":"
                "\"add_columns\",\"table\":\"customers\",\"columns\":[{"
                "\"name\":\"own_col\",\"type\":\"integer\",\"description\":"
                "\"x\"}]}]}");
    if (r.status != 201)
        fail_msg("globex's request: %ld %s", r.status, r.body);
    own = h_created(&r);
    h_resp_free(&r);
    assert_true(own > 0);
    before = h_db_digest(&srv);
    for (size_t i = 0; i < sizeof probes / sizeof *probes; i++)
        for (int route = 0; route < 3; route++) {
            probe_same(&b, 0, route, own, &probes[i]);
            probe_same(&pm, 1, route, own, &probes[i]);
        }
    h_unchanged(&srv, before, NULL);
    free(before);
}

/* Every GET a client may use, asked about another organisation's instance
 * (in the path and in ?instance=) and about a made-up one: the same
 * status and the same body. */
static void
test_tenancy__foreign_instance_reads_like_a_missing_one(void **state)
{
    int n = 0;

    (void)state;
    for (const web_route *const *t = web_route_tables(); *t; t++) {
        for (const web_route *r = *t; r->method; r++) {
            char path[400], q[3][500];
            char *norm[3];
            long status[3];
            if (!(r->roles & ROLE_CLIENT) || strcmp(r->method, "GET") ||
                !strcmp(r->pattern, "/static/{*}") ||
                /* no parameters; its free space changes by the call */
                !strcmp(r->pattern, "/healthz") || strstr(r->pattern, "{id}") ||
                strstr(r->pattern, "{aid}"))
                continue;
            /* The made-up name twice: a page that changes by itself
               (health, counters) cannot be compared. */
            for (int k = 0; k < 3; k++) {
                const char *inst = k ? MADE_UP : FOREIGN;
                h_resp resp;
                size_t j = 0;
                /* The route with the instance filled in. */
                for (const char *p = r->pattern; *p && j + 40 < sizeof path;) {
                    if (!strncmp(p, "{instance}", 10)) {
                        j += (size_t)snprintf(path + j, sizeof path - j, "%s",
                                              inst);
                        p += 10;
                    } else if (*p == '{') {
                        j += (size_t)snprintf(path + j, sizeof path - j,
                                              "customers");
                        p = strchr(p, '}') + 1;
                    } else {
                        path[j++] = *p++;
                    }
                }
                path[j] = '\0';
                snprintf(q[k], sizeof q[k], "%s?instance=%s&q=customers", path,
                         inst);
                h_get(&resp, &srv, &b, q[k]);
                status[k] = resp.status;
                norm[k] = normalised(resp.body ? resp.body : "", 0);
                h_resp_free(&resp);
            }
            if (status[1] == status[2] && !strcmp(norm[1], norm[2]) &&
                (status[0] != status[1] || strcmp(norm[0], norm[1])))
                fail_msg("GET %s: %ld vs %ld\n--- %s: %.1500s\n--- %s: "
                         "%.1500s",
                         q[0], status[0], status[1], FOREIGN, norm[0], MADE_UP,
                         norm[1]);
            n += status[1] == status[2] && !strcmp(norm[1], norm[2]);
            free(norm[0]);
            free(norm[1]);
            free(norm[2]);
        }
    }
    print_message("compared %d routes\n", n);
    assert_true(n >= 10);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_tenancy__owner_reaches_everything),
    cmocka_unit_test(test_tenancy__other_client_walks_every_route),
    cmocka_unit_test(test_tenancy__missing_and_foreign_look_the_same),
    cmocka_unit_test(test_tenancy__cannot_submit_into_another_instance),
    cmocka_unit_test(test_tenancy__validation_tells_nothing_of_other_instances),
    cmocka_unit_test(test_tenancy__foreign_instance_reads_like_a_missing_one),
};

int main(void)
{
    return cmocka_run_group_tests(tests, up, h_group_down);
}
