/* test_api_errors.c: every 422 of the JSON API has the one shape that
 * openapi.json documents (ValidationErrors): {"errors": [{"field",
 * "message"}]}, whichever handler found the problem: the request body's
 * validation, a transition's key whitelist, a list's query parameters,
 * the migration preview's instance and dialect. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct world {
    h_server s;
    char token[128]; /* the PM's API token */
    long long id;    /* a submitted request */
} world;

static world the_world;

static int setup(void **state)
{
    world *w = &the_world;
    h_resp r;
    buf b = {0};

    h_server_start(&w->s, NULL);
    h_world(&w->s, "acme-qa pat");
    h_token(&w->s, "pat@platform.example", "api", w->token, sizeof w->token);
    h_minimal_json(&b, "Loyalty members", "For the errors test.",
                   "loyalty_members", NULL);
    h_send_json(&r, &w->s, NULL, w->token, "POST", "/api/v1/requests",
                buf_cstr(&b));
    w->id = (long long)h_created(&r);
    h_resp_free(&r);
    buf_dispose(&b);
    *state = w;
    return 0;
}

/* The answer is 422 with a non-empty "errors" list of {field, message}
 * strings, no other shape beside it, and field is want_field when that
 * is not NULL. */
static void assert_validation_errors(const h_resp *r, const char *want_field)
{
    cJSON *root, *errors, *e;
    int seen = 0;

    if (r->status != 422)
        fail_msg("want 422, got %ld: %s", r->status, r->body);
    root = cJSON_Parse(r->body);
    assert_non_null(root);
    assert_null(cJSON_GetObjectItemCaseSensitive(root, "error"));
    errors = cJSON_GetObjectItemCaseSensitive(root, "errors");
    assert_true(cJSON_IsArray(errors));
    assert_true(cJSON_GetArraySize(errors) > 0);
    cJSON_ArrayForEach(e, errors)
    {
        cJSON *f = cJSON_GetObjectItemCaseSensitive(e, "field");
        cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");
        assert_true(cJSON_IsString(f));
        assert_true(cJSON_IsString(m));
        assert_true(strlen(m->valuestring) > 0);
        if (want_field && !strcmp(f->valuestring, want_field))
            seen = 1;
    }
    if (want_field && !seen)
        fail_msg("no error on field \"%s\": %s", want_field, r->body);
    cJSON_Delete(root);
}

static void get_422(world *w, const char *path, const char *field)
{
    h_resp r;
    char authz[200];
    const char *headers[] = {authz, NULL};

    snprintf(authz, sizeof authz, "Authorization: Bearer %s", w->token);
    h_request(&r, &w->s, NULL, "GET", path, NULL, NULL, 0, headers);
    assert_validation_errors(&r, field);
    h_resp_free(&r);
}

static void test_body_validation(void **state)
{
    world *w = *state;
    h_resp r;

    h_send_json(&r, &w->s, NULL, w->token, "POST", "/api/v1/requests",
                "{\"instance\": \"acme-qa\"}");
    assert_validation_errors(&r, "title");
    h_resp_free(&r);
}

static void test_transition_unknown_key(void **state)
{
    world *w = *state;
    h_resp r;
    char path[100];

    snprintf(path, sizeof path, "/api/v1/requests/%lld/transitions", w->id);
    h_send_json(&r, &w->s, NULL, w->token, "POST", path,
                "{\"to\": \"triaged\", \"colour\": \"red\"}");
    assert_validation_errors(&r, "colour");
    h_resp_free(&r);
}

static void test_list_parameters(void **state)
{
    world *w = *state;

    get_422(w, "/api/v1/instances/acme-qa/tables?limit=many", NULL);
    get_422(w, "/api/v1/instances/acme-qa/tables?offset=-3", NULL);
}

static void test_migration_preview(void **state)
{
    world *w = *state;
    char path[160];

    snprintf(path, sizeof path,
             "/api/v1/requests/%lld/migrations?instance=acme-qa&dialect=cobol",
             w->id);
    get_422(w, path, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_body_validation),
        cmocka_unit_test(test_transition_unknown_key),
        cmocka_unit_test(test_list_parameters),
        cmocka_unit_test(test_migration_preview),
    };
    return cmocka_run_group_tests(tests, setup, h_group_down);
}
