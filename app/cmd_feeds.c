/* cmd_feeds.c: `docket arrived` (report a file of a table) and `docket
 * gate` (may campaigns run on an instance?) on the local database, or
 * through a server's API (--url, --token, as `docket lookup`). The
 * rules are domain/feeds_cases.h's; the gate's exit status is its
 * decision, so a scheduler runs `docket gate --instance I &&
 * send_campaigns`. */
#include "app.h"
#include "domain.h"
#include "feeds_cases.h"
#include "http.h"
#include "str.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exit codes of `docket gate`: 0 run, these two, 2 usage, 3 failure. */
enum { EXIT_GATE_WAIT = 4, EXIT_GATE_HOLD = 5 };

/* The command line acts as the operator of the database itself. */
static domain_actor local_actor(void)
{
    domain_actor a = {0};

    a.role = ROLE_ADMIN;
    a.email = "";
    a.name = "command line";
    a.org_name = "";
    return a;
}

/* An error of a use case as an exit status: bad input 2, else 3. */
static int fail_err(const errmsg *err)
{
    int usage = err->code == ERR_INVALID || err->code == ERR_NOTFOUND ||
                err->code == ERR_FORBIDDEN;

    return app_fail(usage ? EXIT_USAGE : EXIT_RUNTIME, "%s", err->msg);
}

static int opt_count(int64_t *out, const char *v, const char *name)
{
    if (!v)
        return 0;
    if (str_to_i64(out, v) < 0 || *out < 0)
        return app_fail(EXIT_USAGE, "%s is a whole number, 0 or more", name);
    return 0;
}

static int opt_time(int64_t *out, const char *v)
{
    if (!v)
        return 0;
    if (time_parse_iso(out, v) < 0 || *out <= 0)
        return app_fail(EXIT_USAGE, "--at is a UTC time in ISO 8601 "
                                    "(2026-03-03T04:52:00Z)");
    return 0;
}

static const char *jstr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The stored arrival j (its JSON, as the API answers it) in one line;
 * created: a new report (else one already stored). */
static void print_arrival(const cJSON *j, int created)
{
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(j, "rows");
    const char *status = jstr(j, "status"), *msg = jstr(j, "message");
    int failed = status && !strcmp(status, "failed");

    printf("%s %s/%s: %s at %s", created ? "stored" : "already reported",
           jstr(j, "instance"), jstr(j, "table"), failed ? "failed" : "arrived",
           jstr(j, "arrived_at"));
    if (cJSON_IsNumber(rows))
        printf(", %.0f rows", rows->valuedouble);
    printf(" (file %s)", jstr(j, "file"));
    if (failed && msg && *msg)
        printf(": %s", msg);
    putchar('\n');
}

/* Whether j is an arrival as the API answers it (the fields printed). */
static int arrival_ok(const cJSON *j)
{
    return jstr(j, "instance") && jstr(j, "table") && jstr(j, "status") &&
           jstr(j, "arrived_at") && jstr(j, "file");
}

/* The problem a server answered in body (status): the first of
 * {"errors": [{field, message}]} or {"error": {message}}, into msg. */
static void server_problem(buf *msg, const cJSON *body)
{
    const cJSON *e =
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(body, "errors"), 0);
    const char *field = jstr(e, "field"), *m = jstr(e, "message");

    if (!m)
        m = jstr(cJSON_GetObjectItemCaseSensitive(body, "error"), "message");
    if (!m)
        return;
    buf_puts(msg, ": ");
    if (field && *field) {
        buf_puts(msg, field);
        buf_puts(msg, " ");
    }
    buf_puts(msg, m);
}

/* A server's refusal as an exit status: what the caller must change
 * (400, 401, 403, 404, 413, 422...) 2, the server's trouble 3. The token
 * is never printed. */
static int remote_fail(const char *url, long status, const cJSON *body)
{
    buf msg = {0};
    int rc;

    if (status == 401) {
        rc = app_fail(EXIT_USAGE,
                      "%s answered 401: the server wants a valid "
                      "token (--token or DOCKET_TOKEN)",
                      url);
        return rc;
    }
    server_problem(&msg, body);
    rc = app_fail(status >= 400 && status < 500 ? EXIT_USAGE : EXIT_RUNTIME,
                  "%s answered %ld%s", url, status, buf_cstr(&msg));
    buf_dispose(&msg);
    return rc;
}

/* The report in to a server: POST URL/api/v1/arrivals; at is --at as
 * typed (checked already). Prints the stored arrival; the exit status. */
static int remote_arrived(const char *url, const char *token,
                          const domain_arrival_input *in, const char *at)
{
    cJSON *req = cJSON_CreateObject(), *j;
    buf u = {0}, body = {0};
    size_t n = strlen(url);
    errmsg err = {0};
    long status = 0;
    char *json;
    int rc;

    cJSON_AddStringToObject(req, "instance", in->instance);
    cJSON_AddStringToObject(req, "table", in->table);
    if (in->file)
        cJSON_AddStringToObject(req, "file", in->file);
    if (in->rows >= 0)
        cJSON_AddNumberToObject(req, "rows", (double)in->rows);
    if (in->bytes >= 0)
        cJSON_AddNumberToObject(req, "bytes", (double)in->bytes);
    if (at)
        cJSON_AddStringToObject(req, "arrived_at", at);
    cJSON_AddStringToObject(req, "status", in->failed ? "failed" : "ok");
    if (in->message)
        cJSON_AddStringToObject(req, "message", in->message);
    json = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    buf_append(&u, url, n && url[n - 1] == '/' ? n - 1 : n);
    buf_puts(&u, "/api/v1/arrivals");
    rc = notify_http_post_json(&body, &status, buf_cstr(&u), token, json, &err);
    cJSON_free(json);
    buf_dispose(&u);
    if (rc < 0) {
        buf_dispose(&body);
        return app_fail(rc == ERR_INVALID ? EXIT_USAGE : EXIT_RUNTIME, "%s",
                        err.msg);
    }
    j = cJSON_Parse(buf_cstr(&body));
    buf_dispose(&body);
    if ((status == 200 || status == 201) && j && arrival_ok(j)) {
        print_arrival(j, status == 201);
        rc = 0;
    } else if (j && status >= 400) {
        rc = remote_fail(url, status, j);
    } else {
        rc = app_fail(EXIT_RUNTIME, "%s answered %ld without an arrival", url,
                      status);
    }
    cJSON_Delete(j);
    return rc;
}

int cmd_arrived(app_args *a)
{
    static const char u[] =
        "docket arrived --instance I TABLE [--rows N] [--bytes N] [--file F] "
        "[--failed MESSAGE] [--at T] [--url URL --token T]";
    const char *instance = app_opt(a, "--instance");
    const char *rows = app_opt(a, "--rows"), *bytes = app_opt(a, "--bytes");
    const char *file = app_opt(a, "--file"), *failed = app_opt(a, "--failed");
    const char *at = app_opt(a, "--at");
    const char *url = app_opt(a, "--url"), *token = app_opt(a, "--token");
    domain_arrival_input in = {0};
    domain_actor who = local_actor();
    registry_arrival out;
    errmsg err = {0};
    registry *reg;
    cJSON *j;
    int created = 0, rc;

    if (app_positionals(a, u) != 1 || !instance)
        return app_fail(EXIT_USAGE, "usage: %s", u);
    in.instance = instance;
    in.table = a->argv[1];
    in.file = file;
    in.rows = in.bytes = -1;
    in.failed = failed != NULL;
    in.message = failed;
    if (opt_count(&in.rows, rows, "--rows") ||
        opt_count(&in.bytes, bytes, "--bytes") || opt_time(&in.arrived_at, at))
        return EXIT_USAGE;
    if (!url)
        url = getenv("DOCKET_URL");
    if (!token)
        token = getenv("DOCKET_TOKEN");
    if (url && *url)
        return remote_arrived(url, token, &in, at);
    reg = app_open_db(0);
    if (!reg)
        return EXIT_USAGE;
    rc = domain_arrival_report(reg, &who, &in, &out, &created, &err);
    registry_close(reg);
    if (rc < 0)
        return fail_err(&err);
    j = domain_arrival_json(&out);
    print_arrival(j, created);
    cJSON_Delete(j);
    return 0;
}

/* One line of a table in the gate's text (t of "tables"), and for a
 * blocking one (b of "blocking", NULL when it is not) what ops needs. */
static void print_table(const cJSON *t, const cJSON *b)
{
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(t, "rows");
    const char *arrived = jstr(t, "arrived_at"), *state = jstr(t, "state");
    const char *msg = jstr(t, "message");

    printf("  %-32s %-8s %-12s due %s", jstr(t, "table"),
           !strcmp(jstr(t, "campaign_dependency"), "required") ? "REQUIRED"
                                                               : "optional",
           state, jstr(t, "due_at"));
    if (arrived) {
        printf(", %s %s", !strcmp(state, "failed") ? "failed" : "arrived",
               arrived);
        if (cJSON_IsNumber(rows))
            printf(", %.0f rows", rows->valuedouble);
        if (!strcmp(state, "failed") && msg && *msg)
            printf(": %s", msg);
    } else if (!strcmp(state, "missing")) {
        printf(", missing since %s", jstr(t, "missing_at"));
    }
    putchar('\n');
    if (b) {
        const char *note = jstr(b, "campaign_note"),
                   *esc = jstr(b, "escalation");
        if (note && *note)
            printf("      note: %s\n", note);
        if (esc && *esc)
            printf("      escalation: %s\n", esc);
    }
}

/* The gate g (its JSON) in words. */
static void print_gate(const cJSON *g)
{
    const char *d = jstr(g, "decision");
    const cJSON *t, *b;
    int n = 0;

    printf("%s at %s: %s\n", jstr(g, "instance"), jstr(g, "at"),
           !strcmp(d, "hold")   ? "HOLD campaigns"
           : !strcmp(d, "wait") ? "WAIT for required files"
                                : "RUN campaigns");
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(g, "tables"))
    {
        const cJSON *blocking = NULL;
        cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(g, "blocking"))
        {
            const char *name = jstr(b, "table");
            if (name && !strcmp(name, jstr(t, "table")))
                blocking = b;
        }
        print_table(t, blocking);
        n++;
    }
    if (!n)
        printf("  no tracked tables (daily or hourly with an expected "
               "arrival)\n");
}

/* Whether g is a gate as the API answers it (the fields printed). */
static int gate_ok(const cJSON *g)
{
    const char *d = jstr(g, "decision");
    const cJSON *t;

    if (!d || !jstr(g, "instance") || !jstr(g, "at") ||
        (strcmp(d, "run") && strcmp(d, "wait") && strcmp(d, "hold")))
        return 0;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(g, "tables"))
    {
        if (!jstr(t, "table") || !jstr(t, "state") || !jstr(t, "due_at") ||
            !jstr(t, "missing_at") || !jstr(t, "campaign_dependency"))
            return 0;
    }
    return 1;
}

/* The gate from a server: GET URL/api/v1/instances/I/gate[?at=]. */
static int remote_gate(cJSON **out, const char *url, const char *token,
                       const char *instance, const char *at)
{
    buf u = {0}, body = {0};
    size_t n = strlen(url);
    errmsg err = {0};
    long status = 0;
    int rc;

    buf_append(&u, url, n && url[n - 1] == '/' ? n - 1 : n);
    buf_puts(&u, "/api/v1/instances/");
    buf_append_url(&u, instance);
    buf_puts(&u, "/gate");
    if (at) {
        buf_puts(&u, "?at=");
        buf_append_url(&u, at);
    }
    rc = notify_http_get(&body, &status, buf_cstr(&u), token, &err);
    buf_dispose(&u);
    if (rc < 0) {
        buf_dispose(&body);
        return app_fail(rc == ERR_INVALID ? EXIT_USAGE : EXIT_RUNTIME, "%s",
                        err.msg);
    }
    *out = cJSON_Parse(buf_cstr(&body));
    buf_dispose(&body);
    if (status == 200 && *out && gate_ok(*out))
        return 0;
    if (*out && status >= 400) {
        rc = remote_fail(url, status, *out);
        cJSON_Delete(*out);
        *out = NULL;
        return rc;
    }
    cJSON_Delete(*out);
    *out = NULL;
    return app_fail(EXIT_RUNTIME, "%s answered %ld without a gate", url,
                    status);
}

int cmd_gate(app_args *a)
{
    static const char u[] =
        "docket gate --instance I [--at T] [--json] [--url URL --token T]";
    const char *instance = app_opt(a, "--instance");
    const char *at_s = app_opt(a, "--at");
    const char *url = app_opt(a, "--url"), *token = app_opt(a, "--token");
    int json = app_flag(a, "--json");
    domain_actor who = local_actor();
    domain_gate_result g;
    errmsg err = {0};
    registry *reg;
    int64_t at = 0;
    cJSON *j = NULL;
    const char *d;
    int rc;

    if (app_positionals(a, u) != 0 || !instance)
        return app_fail(EXIT_USAGE, "usage: %s", u);
    if (opt_time(&at, at_s))
        return EXIT_USAGE;
    if (!url)
        url = getenv("DOCKET_URL");
    if (!token)
        token = getenv("DOCKET_TOKEN");
    if (url && *url) {
        rc = remote_gate(&j, url, token, instance, at_s);
        if (rc)
            return rc;
    } else {
        reg = app_open_db(REGISTRY_READONLY);
        if (!reg)
            return EXIT_USAGE;
        rc = domain_gate(reg, &who, instance, at, &g, &err);
        registry_close(reg);
        if (rc < 0)
            return fail_err(&err);
        j = domain_gate_json(&g);
        domain_gate_dispose(&g);
    }
    if (json) {
        char *text = cJSON_Print(j);
        puts(text);
        cJSON_free(text);
    } else {
        print_gate(j);
    }
    d = jstr(j, "decision");
    rc = !strcmp(d, "hold")   ? EXIT_GATE_HOLD
         : !strcmp(d, "wait") ? EXIT_GATE_WAIT
                              : 0;
    cJSON_Delete(j);
    return rc;
}
