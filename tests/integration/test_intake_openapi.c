/* test_intake_openapi.c: the OpenAPI document (web/static/openapi.json,
 * served at /api/v1/openapi.json) against the real server: for real calls
 * of every documented operation, the status must be listed for the path
 * and method, and the JSON body must match the documented schema (types,
 * required properties, nested properties and items, enums, $ref to
 * components). Every documented operation must be exercised. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "harness.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static h_server srv;
static h_session ops;
static char token[128], ops_token[128];
static cJSON *doc;

typedef struct op_seen {
    char key[160]; /* "get /api/v1/requests/{id}" */
} op_seen;
static op_seen seen[256];
static size_t nseen;

static int up(void **state)
{
    char *text;

    *state = &srv;
    text = h_read(h_source("web/static/openapi.json"), NULL);
    doc = cJSON_Parse(text);
    free(text);
    assert_non_null(doc);
    h_server_start(&srv, NULL);
    h_world(&srv, "acme acme-prod ann pat oz");
    h_token(&srv, "ann@acme.example", "openapi", token, sizeof token);
    h_token(&srv, "oz@platform.example", "openapi", ops_token,
            sizeof ops_token);
    assert_int_equal(h_signin(&ops, &srv, "oz@platform.example", H_PW), 303);
    return 0;
}

static int down(void **state)
{
    h_group_down(state);
    cJSON_Delete(doc);
    return 0;
}

/* ---- the schema walker -------------------------------------------------- */

static const cJSON *resolve(const cJSON *schema)
{
    const cJSON *ref = cJSON_GetObjectItemCaseSensitive(schema, "$ref");
    const char *prefix = "#/components/schemas/";

    while (cJSON_IsString(ref)) {
        const cJSON *all;
        if (strncmp(ref->valuestring, prefix, strlen(prefix)) != 0)
            fail_msg("unsupported $ref %s", ref->valuestring);
        all = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(doc, "components"), "schemas");
        schema = cJSON_GetObjectItemCaseSensitive(all, ref->valuestring +
                                                           strlen(prefix));
        if (!schema)
            fail_msg("dangling $ref %s", ref->valuestring);
        ref = cJSON_GetObjectItemCaseSensitive(schema, "$ref");
    }
    return schema;
}

static int type_is(const cJSON *v, const char *type)
{
    if (!strcmp(type, "object"))
        return cJSON_IsObject(v);
    if (!strcmp(type, "array"))
        return cJSON_IsArray(v);
    if (!strcmp(type, "string"))
        return cJSON_IsString(v);
    if (!strcmp(type, "boolean"))
        return cJSON_IsBool(v);
    if (!strcmp(type, "null"))
        return cJSON_IsNull(v);
    if (!strcmp(type, "number"))
        return cJSON_IsNumber(v);
    if (!strcmp(type, "integer"))
        return cJSON_IsNumber(v) &&
               v->valuedouble == (double)(long long)v->valuedouble;
    fail_msg("unknown schema type %s", type);
    return 0;
}

/* Checks v against schema; problems are appended to errs with their JSON
 * path. */
static void check(const cJSON *v, const cJSON *schema, const char *path,
                  buf *errs)
{
    const cJSON *type, *req, *props, *items, *en, *e;
    char sub[512];

    schema = resolve(schema);
    type = cJSON_GetObjectItemCaseSensitive(schema, "type");
    if (cJSON_IsString(type) && !type_is(v, type->valuestring)) {
        buf_appendf(errs, "%s: not of type %s\n", path, type->valuestring);
        return;
    }
    if (cJSON_IsArray(type)) {
        int ok = 0;
        cJSON_ArrayForEach(e, type)
        {
            ok |= type_is(v, e->valuestring);
        }
        if (!ok) {
            buf_appendf(errs, "%s: none of the allowed types\n", path);
            return;
        }
    }
    en = cJSON_GetObjectItemCaseSensitive(schema, "enum");
    if (cJSON_IsArray(en)) {
        int ok = 0;
        cJSON_ArrayForEach(e, en)
        {
            ok |= cJSON_Compare(e, v, 1);
        }
        if (!ok)
            buf_appendf(errs, "%s: not one of the enum values\n", path);
    }
    req = cJSON_GetObjectItemCaseSensitive(schema, "required");
    if (cJSON_IsObject(v) && cJSON_IsArray(req)) {
        cJSON_ArrayForEach(e, req)
        {
            if (!cJSON_GetObjectItemCaseSensitive(v, e->valuestring))
                buf_appendf(errs, "%s: required property %s missing\n", path,
                            e->valuestring);
        }
    }
    props = cJSON_GetObjectItemCaseSensitive(schema, "properties");
    if (cJSON_IsObject(v) && cJSON_IsObject(props))
        cJSON_ArrayForEach(e, props)
        {
            const cJSON *pv = cJSON_GetObjectItemCaseSensitive(v, e->string);
            if (!pv)
                continue;
            snprintf(sub, sizeof sub, "%s.%s", path, e->string);
            check(pv, e, sub, errs);
        }
    items = cJSON_GetObjectItemCaseSensitive(schema, "items");
    if (cJSON_IsArray(v) && items) {
        int i = 0;
        cJSON_ArrayForEach(e, v)
        {
            snprintf(sub, sizeof sub, "%s[%d]", path, i++);
            check(e, items, sub, errs);
        }
    }
}

/* ---- calls -------------------------------------------------------------- */

static void lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

/* One call, checked against the operation of template/method. Returns the
 * response (caller frees). */
static void call(h_resp *r, const char *method, const char *tmpl,
                 const char *path, const char *auth_token, h_session *sess,
                 const char *ctype, const char *body, const char *const *extra,
                 long want)
{
    const cJSON *op, *responses, *resp, *schema;
    char m[16], st[8], auth[200], csrf[120];
    const char *hdrs[8];
    size_t nh = 0;
    cJSON *json;
    buf errs = {0};

    snprintf(m, sizeof m, "%s", method);
    lower(m);
    op = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(doc, "paths"), tmpl),
        m);
    if (!op)
        fail_msg("%s %s is not documented", method, tmpl);
    if (auth_token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", auth_token);
        hdrs[nh++] = auth;
    }
    if (sess && strcmp(method, "GET")) {
        snprintf(csrf, sizeof csrf, "X-CSRF-Token: %s", sess->csrf);
        hdrs[nh++] = csrf;
    }
    for (size_t i = 0; extra && extra[i] && nh < 7; i++)
        hdrs[nh++] = extra[i];
    hdrs[nh] = NULL;
    h_request(r, &srv, sess, method, path, ctype, body, body ? strlen(body) : 0,
              hdrs);
    if (want && r->status != want)
        fail_msg("%s %s: status %ld, wanted %ld: %s", method, path, r->status,
                 want, r->body);
    snprintf(st, sizeof st, "%ld", r->status);
    responses = cJSON_GetObjectItemCaseSensitive(op, "responses");
    resp = cJSON_GetObjectItemCaseSensitive(responses, st);
    if (!resp)
        fail_msg("%s %s answered %ld, which is not documented", method, tmpl,
                 r->status);
    schema = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(resp, "content"),
            "application/json"),
        "schema");
    if (schema) {
        json = cJSON_Parse(r->body);
        if (!json)
            fail_msg("%s %s: %ld body is not JSON", method, path, r->status);
        check(json, schema, "$", &errs);
        cJSON_Delete(json);
        if (errs.len)
            fail_msg("%s %s (%ld) does not match its schema:\n%s", method, path,
                     r->status, buf_cstr(&errs));
    }
    buf_dispose(&errs);
    if (nseen < sizeof seen / sizeof *seen) {
        snprintf(seen[nseen].key, sizeof seen[nseen].key, "%s %s", m, tmpl);
        nseen++;
    }
}

static void call_free(const char *method, const char *tmpl, const char *path,
                      const char *tok, h_session *sess, const char *ctype,
                      const char *body, const char *const *extra, long want)
{
    h_resp r;

    call(&r, method, tmpl, path, tok, sess, ctype, body, extra, want);
    h_resp_free(&r);
}

static const char valid[] =
    "{\"instance\":\"acme-prod\",\"project_manager\":"
    "\"pat@platform.example\",\"title\":\"Loyalty\",\"summary\":\"s\","
    "\"items\":[{\"kind\":\"new_table\",\"table\":\"loyalty\","
    "\"description\":\"d\",\"source\":\"api\",\"cadence\":\"daily\","
    "\"campaign_dependency\":\"required\",\"columns\":[{\"name\":\"id\","
    "\"type\":\"bigint\",\"nullable\":false}]}]}";

static void test_openapi__served_document_is_the_file(void **state)
{
    h_resp r;
    cJSON *served;

    (void)state;
    call(&r, "GET", "/api/v1/openapi.json", "/api/v1/openapi.json", NULL, NULL,
         NULL, NULL, NULL, 200);
    served = cJSON_Parse(r.body);
    assert_non_null(served);
    assert_true(cJSON_Compare(served, doc, 1));
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(served, "openapi")->valuestring,
        "3.1.0");
    cJSON_Delete(served);
    h_resp_free(&r);
}

static void test_openapi__responses_match_the_document(void **state)
{
    static const char *const idem1[] = {"Idempotency-Key: k-1", NULL};
    static const char csv[] = "Member ID,Tier\n1,gold\n2,\n";
    char path[64];
    h_resp r;
    cJSON *j;
    char *other;

    (void)state;
    call_free("GET", "/healthz", "/healthz", NULL, NULL, NULL, NULL, NULL, 200);
    call_free("GET", "/api/v1/me", "/api/v1/me", token, NULL, NULL, NULL, NULL,
              200);
    call_free("GET", "/api/v1/me", "/api/v1/me", NULL, NULL, NULL, NULL, NULL,
              401);
    call_free("GET", "/api/v1/form", "/api/v1/form", token, NULL, NULL, NULL,
              NULL, 200);
    call_free("GET", "/api/v1/form", "/api/v1/form", NULL, NULL, NULL, NULL,
              NULL, 401);

    call(&r, "POST", "/api/v1/requests", "/api/v1/requests", token, NULL,
         "application/json", valid, idem1, 201);
    j = cJSON_Parse(r.body);
    snprintf(path, sizeof path, "/api/v1/requests/%d",
             cJSON_GetObjectItem(j, "id")->valueint);
    cJSON_Delete(j);
    h_resp_free(&r);
    call_free("POST", "/api/v1/requests", "/api/v1/requests", token, NULL,
              "application/json", valid, idem1, 201); /* replay */
    other = strdup(valid);
    memcpy(strstr(other, "Loyalty"), "Royalty", 7);
    call_free("POST", "/api/v1/requests", "/api/v1/requests", token, NULL,
              "application/json", other, idem1, 409);
    free(other);
    call_free("POST", "/api/v1/requests", "/api/v1/requests", token, NULL,
              "application/json", "{\"title\":\"\",\"items\":[]}", NULL, 422);
    call_free("POST", "/api/v1/requests", "/api/v1/requests", token, NULL,
              "text/plain", valid, NULL, 415);
    call_free("POST", "/api/v1/requests", "/api/v1/requests", NULL, NULL,
              "application/json", valid, NULL, 401);
    call_free("POST", "/api/v1/requests", "/api/v1/requests", ops_token, NULL,
              "application/json", valid, NULL, 403);
    call_free("POST", "/api/v1/requests", "/api/v1/requests", NULL, &ops,
              "application/json", valid, NULL, 403);

    call_free("GET", "/api/v1/requests", "/api/v1/requests", token, NULL, NULL,
              NULL, NULL, 200);
    call_free("GET", "/api/v1/requests",
              "/api/v1/requests?q=loy&page=1"
              "&per_page=1&status=submitted",
              token, NULL, NULL, NULL, NULL, 200);
    call_free("GET", "/api/v1/requests", "/api/v1/requests?per_page=0", token,
              NULL, NULL, NULL, NULL, 422);
    call_free("GET", "/api/v1/requests", "/api/v1/requests", NULL, NULL, NULL,
              NULL, NULL, 401);

    call_free("GET", "/api/v1/requests/{id}", path, token, NULL, NULL, NULL,
              NULL, 200);
    call_free("GET", "/api/v1/requests/{id}", path, ops_token, NULL, NULL, NULL,
              NULL, 200);
    call_free("GET", "/api/v1/requests/{id}", "/api/v1/requests/424242", token,
              NULL, NULL, NULL, NULL, 404);
    call_free("GET", "/api/v1/requests/{id}", path, NULL, NULL, NULL, NULL,
              NULL, 401);

    call_free("POST", "/api/v1/infer-columns", "/api/v1/infer-columns", token,
              NULL, "text/csv", csv, NULL, 200);
    call_free("POST", "/api/v1/infer-columns", "/api/v1/infer-columns", token,
              NULL, "text/csv", "", NULL, 422);
    call_free("POST", "/api/v1/infer-columns", "/api/v1/infer-columns", token,
              NULL, "application/xml", "<a/>", NULL, 415);
    call_free("POST", "/api/v1/infer-columns", "/api/v1/infer-columns", NULL,
              NULL, "text/csv", csv, NULL, 401);
}

/* The triage operations (life cycle, comments, migrations, sprints). */
static void test_openapi__triage_operations(void **state)
{
    char pm_token[128], path[96], sprint[64];
    const char *tmpl_path;
    h_resp r;
    cJSON *j;
    int id;

    (void)state;
    h_token(&srv, "pat@platform.example", "openapi", pm_token, sizeof pm_token);
    call(&r, "POST", "/api/v1/requests", "/api/v1/requests", token, NULL,
         "application/json", valid, NULL, 201);
    j = cJSON_Parse(r.body);
    id = cJSON_GetObjectItem(j, "id")->valueint;
    cJSON_Delete(j);
    h_resp_free(&r);

    snprintf(path, sizeof path, "/api/v1/requests/%d/transitions", id);
    tmpl_path = "/api/v1/requests/{id}/transitions";
    call_free("POST", tmpl_path, path, pm_token, NULL, "application/json",
              "{\"to\":\"triaged\",\"note\":\"ok\"}", NULL, 200);
    call_free("POST", tmpl_path, path, token, NULL, "application/json",
              "{\"to\":\"in_progress\"}", NULL, 403);
    call_free("POST", tmpl_path, path, token, NULL, "application/json",
              "{\"to\":\"answered\"}", NULL, 409);
    call_free("POST", tmpl_path, path, pm_token, NULL, "application/json",
              "{\"to\":\"bogus\"}", NULL, 422);
    call_free("POST", tmpl_path, path, pm_token, NULL, "application/json", "{",
              NULL, 400);
    call_free("POST", tmpl_path, path, pm_token, NULL, "text/plain", "x", NULL,
              415);
    call_free("POST", tmpl_path, path, NULL, NULL, "application/json",
              "{\"to\":\"triaged\"}", NULL, 401);
    call_free("POST", tmpl_path, "/api/v1/requests/424242/transitions",
              pm_token, NULL, "application/json", "{\"to\":\"triaged\"}", NULL,
              404);

    snprintf(path, sizeof path, "/api/v1/requests/%d/comments", id);
    tmpl_path = "/api/v1/requests/{id}/comments";
    call_free("POST", tmpl_path, path, NULL, &ops, "application/json",
              "{\"body\":\"The file lands at 05:00.\"}", NULL, 201);
    call_free("POST", tmpl_path, path, token, NULL, "application/json",
              "{\"body\":\" \"}", NULL, 422);
    call_free("POST", tmpl_path, path, token, NULL, "application/json", "[",
              NULL, 400);
    call_free("POST", tmpl_path, path, token, NULL, "text/plain", "x", NULL,
              415);
    call_free("POST", tmpl_path, path, NULL, NULL, "application/json",
              "{\"body\":\"x\"}", NULL, 401);
    call_free("POST", tmpl_path, "/api/v1/requests/424242/comments", token,
              NULL, "application/json", "{\"body\":\"x\"}", NULL, 404);
    call_free("GET", tmpl_path, path, token, NULL, NULL, NULL, NULL, 200);
    call_free("GET", tmpl_path, path, NULL, NULL, NULL, NULL, NULL, 401);
    call_free("GET", tmpl_path, "/api/v1/requests/424242/comments", token, NULL,
              NULL, NULL, NULL, 404);

    snprintf(path, sizeof path, "/api/v1/requests/%d/migrations", id);
    tmpl_path = "/api/v1/requests/{id}/migrations";
    call_free("GET", tmpl_path, path, token, NULL, NULL, NULL, NULL, 200);
    snprintf(path, sizeof path,
             "/api/v1/requests/%d/migrations?dialect=mysql&format=flyway", id);
    call_free("GET", tmpl_path, path, pm_token, NULL, NULL, NULL, NULL, 200);
    snprintf(path, sizeof path, "/api/v1/requests/%d/migrations?dialect=db2",
             id);
    call_free("GET", tmpl_path, path, pm_token, NULL, NULL, NULL, NULL, 422);
    call_free("GET", tmpl_path, "/api/v1/requests/424242/migrations", token,
              NULL, NULL, NULL, NULL, 404);
    call_free("GET", tmpl_path, path, NULL, NULL, NULL, NULL, NULL, 401);

    call(&r, "GET", "/api/v1/sprints", "/api/v1/sprints", pm_token, NULL, NULL,
         NULL, NULL, 200);
    j = cJSON_Parse(r.body);
    snprintf(sprint, sizeof sprint, "/api/v1/sprints/%d",
             cJSON_GetObjectItem(
                 cJSON_GetArrayItem(cJSON_GetObjectItem(j, "sprints"), 0), "id")
                 ->valueint);
    cJSON_Delete(j);
    h_resp_free(&r);
    call_free("GET", "/api/v1/sprints", "/api/v1/sprints", token, NULL, NULL,
              NULL, NULL, 403);
    call_free("GET", "/api/v1/sprints", "/api/v1/sprints", NULL, NULL, NULL,
              NULL, NULL, 401);
    call_free("GET", "/api/v1/sprints/{id}", sprint, ops_token, NULL, NULL,
              NULL, NULL, 200);
    call_free("GET", "/api/v1/sprints/{id}", "/api/v1/sprints/424242",
              ops_token, NULL, NULL, NULL, NULL, 404);
    call_free("GET", "/api/v1/sprints/{id}", sprint, token, NULL, NULL, NULL,
              NULL, 403);
    call_free("GET", "/api/v1/sprints/{id}", sprint, NULL, NULL, NULL, NULL,
              NULL, 401);
}

/* The inbox and watches operations. */
static void test_openapi__inbox_operations(void **state)
{
    const char *ops_t = ops_token, *tmpl;
    char path[96];
    h_resp r;
    cJSON *j;
    int id;

    (void)state;
    h_import(&srv, "acme-prod",
             "table,column,type,nullable,description\n"
             "watched,id,bigint,no,Id\n");
    call(&r, "POST", "/api/v1/requests", "/api/v1/requests", token, NULL,
         "application/json", valid, NULL, 201);
    j = cJSON_Parse(r.body);
    id = cJSON_GetObjectItem(j, "id")->valueint;
    cJSON_Delete(j);
    h_resp_free(&r);

    tmpl = "/api/v1/watches/request/{id}";
    snprintf(path, sizeof path, "/api/v1/watches/request/CR-%d", id);
    call_free("PUT", tmpl, path, ops_t, NULL, NULL, NULL, NULL, 200);
    call_free("PUT", tmpl, path, NULL, &ops, NULL, NULL, NULL, 200);
    call_free("GET", tmpl, path, ops_t, NULL, NULL, NULL, NULL, 200);
    call_free("PUT", tmpl, "/api/v1/watches/request/424242", ops_t, NULL, NULL,
              NULL, NULL, 404);
    call_free("GET", tmpl, "/api/v1/watches/request/424242", ops_t, NULL, NULL,
              NULL, NULL, 404);
    call_free("GET", tmpl, path, NULL, NULL, NULL, NULL, NULL, 401);
    tmpl = "/api/v1/watches/table/{instance}/{table}";
    call_free("PUT", tmpl, "/api/v1/watches/table/acme-prod/watched", ops_t,
              NULL, NULL, NULL, NULL, 200);
    call_free("GET", tmpl, "/api/v1/watches/table/acme-prod/watched", ops_t,
              NULL, NULL, NULL, NULL, 200);
    call_free("PUT", tmpl, "/api/v1/watches/table/acme-prod/nothing", ops_t,
              NULL, NULL, NULL, NULL, 404);
    call_free("GET", tmpl, "/api/v1/watches/table/acme-prod/nothing", ops_t,
              NULL, NULL, NULL, NULL, 404);
    call_free("PUT", tmpl, "/api/v1/watches/table/acme-prod/watched", NULL,
              NULL, NULL, NULL, NULL, 401);
    call_free("GET", "/api/v1/watches", "/api/v1/watches", ops_t, NULL, NULL,
              NULL, NULL, 200);
    call_free("GET", "/api/v1/watches", "/api/v1/watches", NULL, NULL, NULL,
              NULL, NULL, 401);

    /* a comment reaches the watching ops engineer's inbox */
    snprintf(path, sizeof path, "/api/v1/requests/%d/comments", id);
    call_free("POST", "/api/v1/requests/{id}/comments", path, token, NULL,
              "application/json", "{\"body\":\"For ops.\"}", NULL, 201);
    call_free("GET", "/api/v1/inbox", "/api/v1/inbox", ops_t, NULL, NULL, NULL,
              NULL, 200);
    call_free("GET", "/api/v1/inbox", "/api/v1/inbox?unread=1&limit=1", ops_t,
              NULL, NULL, NULL, NULL, 200);
    call_free("GET", "/api/v1/inbox", "/api/v1/inbox?limit=0", ops_t, NULL,
              NULL, NULL, NULL, 422);
    call_free("GET", "/api/v1/inbox", "/api/v1/inbox", NULL, NULL, NULL, NULL,
              NULL, 401);
    tmpl = "/api/v1/inbox/read";
    call_free("POST", tmpl, tmpl, ops_t, NULL, "application/json",
              "{\"all\":true}", NULL, 200);
    call_free("POST", tmpl, tmpl, NULL, &ops, "application/json",
              "{\"ids\":[1],\"read\":false}", NULL, 200);
    call_free("POST", tmpl, tmpl, ops_t, NULL, "application/json", "{}", NULL,
              422);
    call_free("POST", tmpl, tmpl, ops_t, NULL, "application/json", "{", NULL,
              400);
    call_free("POST", tmpl, tmpl, ops_t, NULL, "text/plain", "x", NULL, 415);
    call_free("POST", tmpl, tmpl, NULL, NULL, "application/json", "{}", NULL,
              401);
    tmpl = "/api/v1/inbox/settings";
    call_free("GET", tmpl, tmpl, ops_t, NULL, NULL, NULL, NULL, 200);
    call_free("GET", tmpl, tmpl, NULL, NULL, NULL, NULL, NULL, 401);
    call_free("PUT", tmpl, tmpl, ops_t, NULL, "application/json",
              "{\"email\":\"off\"}", NULL, 200);
    call_free("PUT", tmpl, tmpl, ops_t, NULL, "application/json",
              "{\"email\":\"each\"}", NULL, 409);
    call_free("PUT", tmpl, tmpl, ops_t, NULL, "application/json",
              "{\"email\":\"weekly\"}", NULL, 422);
    call_free("PUT", tmpl, tmpl, NULL, NULL, "application/json",
              "{\"email\":\"off\"}", NULL, 401);

    tmpl = "/api/v1/watches/request/{id}";
    snprintf(path, sizeof path, "/api/v1/watches/request/%d", id);
    call_free("DELETE", tmpl, path, ops_t, NULL, NULL, NULL, NULL, 200);
    call_free("DELETE", tmpl, "/api/v1/watches/request/424242", ops_t, NULL,
              NULL, NULL, NULL, 404);
    call_free("DELETE", tmpl, path, NULL, NULL, NULL, NULL, NULL, 401);
    tmpl = "/api/v1/watches/table/{instance}/{table}";
    call_free("DELETE", tmpl, "/api/v1/watches/table/acme-prod/watched", ops_t,
              NULL, NULL, NULL, NULL, 200);
    call_free("DELETE", tmpl, "/api/v1/watches/table/acme-prod/nothing", ops_t,
              NULL, NULL, NULL, NULL, 404);
}

/* The feeds operations: reporting arrivals and reading the gate. */
/* The registry in dbt's and ODCS's formats (YAML bodies; errors JSON). */
static void test_openapi__exchange_operations(void **state)
{
    const char *tmpl = "/api/v1/instances/{instance}/dbt-sources.yml";

    (void)state;
    call_free("GET", tmpl, "/api/v1/instances/acme-prod/dbt-sources.yml", token,
              NULL, NULL, NULL, NULL, 200);
    call_free("GET", tmpl, "/api/v1/instances/nowhere/dbt-sources.yml", token,
              NULL, NULL, NULL, NULL, 404);
    call_free("GET", tmpl, "/api/v1/instances/acme-prod/dbt-sources.yml", NULL,
              NULL, NULL, NULL, NULL, 401);
    tmpl = "/api/v1/instances/{instance}/tables/{table}/contract.odcs.yaml";
    call_free("GET", tmpl,
              "/api/v1/instances/acme-prod/tables/watched/contract.odcs.yaml",
              ops_token, NULL, NULL, NULL, NULL, 200);
    call_free("GET", tmpl,
              "/api/v1/instances/acme-prod/tables/nope/contract.odcs.yaml",
              token, NULL, NULL, NULL, NULL, 404);
    call_free("GET", tmpl,
              "/api/v1/instances/acme-prod/tables/watched/contract.odcs.yaml",
              NULL, NULL, NULL, NULL, NULL, 401);
}

static void test_openapi__feeds_operations(void **state)
{
    const char *tmpl = "/api/v1/arrivals";
    static const char arrival[] =
        "{\"instance\":\"acme-prod\",\"table\":\"nightly\","
        "\"file\":\"nightly-1.csv\",\"rows\":10,\"bytes\":200,"
        "\"arrived_at\":\"2026-03-03T04:10:00Z\",\"status\":\"ok\"}";

    (void)state;
    h_import(&srv, "acme-prod",
             "table,column,type,cadence,expected_arrival,late_after_minutes,"
             "campaign_dependency\n"
             "nightly,id,bigint,daily,04:00,60,required\n");
    call_free("POST", tmpl, tmpl, ops_token, NULL, "application/json", arrival,
              NULL, 201);
    call_free("POST", tmpl, tmpl, ops_token, NULL, "application/json", arrival,
              NULL, 200);
    call_free("POST", tmpl, tmpl, ops_token, NULL, "application/json",
              "{\"instance\":\"acme-prod\",\"table\":\"nothing\"}", NULL, 422);
    call_free("POST", tmpl, tmpl, ops_token, NULL, "application/json", "{",
              NULL, 400);
    call_free("POST", tmpl, tmpl, ops_token, NULL, "text/plain", "x", NULL,
              415);
    call_free("POST", tmpl, tmpl, token, NULL, "application/json", arrival,
              NULL, 403);
    call_free("POST", tmpl, tmpl, NULL, NULL, "application/json", arrival, NULL,
              401);
    tmpl = "/api/v1/instances/{instance}/gate";
    call_free("GET", tmpl, "/api/v1/instances/acme-prod/gate", ops_token, NULL,
              NULL, NULL, NULL, 200);
    call_free("GET", tmpl,
              "/api/v1/instances/acme-prod/gate?at=2026-03-03T06:00:00Z",
              ops_token, NULL, NULL, NULL, NULL, 200);
    call_free("GET", tmpl,
              "/api/v1/instances/acme-prod/gate?at=2026-03-04T06:00:00Z", token,
              NULL, NULL, NULL, NULL, 200);
    call_free("GET", tmpl, "/api/v1/instances/acme-prod/gate?at=x", ops_token,
              NULL, NULL, NULL, NULL, 422);
    call_free("GET", tmpl, "/api/v1/instances/nowhere/gate", ops_token, NULL,
              NULL, NULL, NULL, 404);
    call_free("GET", tmpl, "/api/v1/instances/acme-prod/gate", NULL, NULL, NULL,
              NULL, NULL, 401);
    tmpl = "/api/v1/instances/{instance}/drift";
    call_free("GET", tmpl, "/api/v1/instances/acme-prod/drift", token, NULL,
              NULL, NULL, NULL, 404);
    /* an unreadable source is kept as a failed report */
    assert_int_equal(h_docket(&srv, NULL, NULL, "drift", "--instance",
                              "acme-prod", "--from", "sqlite:/nonexistent.db",
                              NULL),
                     3);
    call_free("GET", tmpl, "/api/v1/instances/acme-prod/drift", token, NULL,
              NULL, NULL, NULL, 200);
    call_free("GET", tmpl, "/api/v1/instances/nowhere/drift", ops_token, NULL,
              NULL, NULL, NULL, 404);
    call_free("GET", tmpl, "/api/v1/instances/acme-prod/drift", NULL, NULL,
              NULL, NULL, NULL, 401);
    tmpl = "/api/v1/lookup";
    call_free("GET", tmpl, "/api/v1/lookup?q=cust", ops_token, NULL, NULL, NULL,
              NULL, 200);
    call_free("GET", tmpl, "/api/v1/lookup?q=cust&instance=acme-prod&limit=5",
              token, NULL, NULL, NULL, NULL, 200);
    call_free("GET", tmpl, "/api/v1/lookup?q=zzzz&similar=0", ops_token, NULL,
              NULL, NULL, NULL, 200);
    call_free("GET", tmpl, "/api/v1/lookup", ops_token, NULL, NULL, NULL, NULL,
              200);
    call_free("GET", tmpl, "/api/v1/lookup?q=%FF", ops_token, NULL, NULL, NULL,
              NULL, 400);
    call_free("GET", tmpl, "/api/v1/lookup?q=cust", NULL, NULL, NULL, NULL,
              NULL, 401);
    tmpl = "/api/v1/search";
    call_free("GET", tmpl, "/api/v1/search?q=cust", ops_token, NULL, NULL, NULL,
              NULL, 200);
    call_free("GET", tmpl, "/api/v1/search?q=c&per_page=1&page=2", token, NULL,
              NULL, NULL, NULL, 200);
    call_free("GET", tmpl, "/api/v1/search", ops_token, NULL, NULL, NULL, NULL,
              200);
    call_free("GET", tmpl, "/api/v1/search?q=%FF", ops_token, NULL, NULL, NULL,
              NULL, 400);
    call_free("GET", tmpl, "/api/v1/search?q=c&per_page=101", ops_token, NULL,
              NULL, NULL, NULL, 422);
    call_free("GET", tmpl, "/api/v1/search?q=c&page=11&per_page=100", ops_token,
              NULL, NULL, NULL, NULL, 422);
    call_free("GET", tmpl, "/api/v1/search?q=cust", NULL, NULL, NULL, NULL,
              NULL, 401);
}

/* Every operation of the document was called by the tests above. */
static void test_openapi__every_operation_exercised(void **state)
{
    const cJSON *p, *m;

    (void)state;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(doc, "paths"))
    {
        cJSON_ArrayForEach(m, p)
        {
            char key[160];
            int found = 0;
            snprintf(key, sizeof key, "%s %s", m->string, p->string);
            for (size_t i = 0; i < nseen; i++)
                found |= !strcmp(seen[i].key, key);
            if (!found)
                fail_msg("documented but not exercised: %s", key);
        }
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_openapi__served_document_is_the_file),
    cmocka_unit_test(test_openapi__responses_match_the_document),
    cmocka_unit_test(test_openapi__triage_operations),
    cmocka_unit_test(test_openapi__inbox_operations),
    cmocka_unit_test(test_openapi__feeds_operations),
    cmocka_unit_test(test_openapi__exchange_operations),
    cmocka_unit_test(test_openapi__every_operation_exercised),
};

int main(void)
{
    return cmocka_run_group_tests(tests, up, down);
}
