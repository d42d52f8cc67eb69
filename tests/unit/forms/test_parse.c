/* test_parse.c: forms/parse.c: the API JSON shape, the HTML form's
 * fields, and the way back to JSON. */
#include "fixture.h"
#include "forms_test.h"

#include "parse.h"
#include "def.h"

#include <cjson/cJSON.h>

static int parse_str(form_request *r, const char *json, form_errors *fe)
{
    return form_parse_json(r, json, strlen(json), fe);
}

/* Parses json expecting failure, and an error for field. */
static void expect_json_error(const char *json, size_t len, const char *field)
{
    form_request r;
    form_errors fe = {0};
    int rc = form_parse_json(&r, json, len, &fe);

    assert_int_equal(rc, ERR_INVALID);
    ft_expect(&fe, field);
    form_request_dispose(&r);
    form_errors_dispose(&fe);
}

static void expect_json_error_s(const char *json, const char *field)
{
    expect_json_error(json, strlen(json), field);
}

static void test_parse__example(void **state)
{
    size_t len;
    char *json = ufx_read_data("forms/example.json", &len);
    form_request r;
    form_errors fe = {0};
    (void)state;

    assert_int_equal(form_parse_json(&r, json, len, &fe), 0);
    ft_dump(&fe);
    assert_int_equal(fe.n, 0);
    assert_string_equal(r.organisation, "acme");
    assert_string_equal(r.instance, "acme-prod");
    assert_int_equal(r.ninstances, 2);
    assert_string_equal(r.instances[0], "acme-qa");
    assert_int_equal(r.consent_related, 1);
    assert_int_equal(r.nitems, 3);
    assert_int_equal(r.items[0].kind, FORM_ITEM_NEW_TABLE);
    assert_int_equal(r.items[0].late_after_minutes, 120);
    assert_string_equal(r.items[0].campaign_dependency, "required");
    assert_int_equal(r.items[0].ncolumns, 3);
    assert_int_equal(r.items[0].columns[0].type.kind, FORM_TYPE_BIGINT);
    assert_int_equal(r.items[0].columns[0].nullable, 0);
    assert_int_equal(r.items[0].columns[0].primary_key, 1);
    assert_int_equal(r.items[0].columns[1].type.kind, FORM_TYPE_STRING);
    assert_int_equal(r.items[0].columns[1].type.length, 20);
    assert_int_equal(r.items[0].columns[2].consent, 1);
    assert_string_equal(r.items[0].columns[2].consent_channel, "email");
    /* Absent strings are "" and never NULL; defaults apply. */
    assert_non_null(r.items[0].columns[0].rule);
    assert_string_equal(r.items[0].columns[0].rule, "");
    assert_int_equal(r.items[1].kind, FORM_ITEM_ADD_COLUMNS);
    assert_string_equal(r.items[1].source, "");
    assert_string_equal(r.items[1].notes, "");
    assert_int_equal(r.items[2].columns[0].action, FORM_ACTION_CHANGE);
    assert_int_equal(r.items[2].columns[0].type.kind, FORM_TYPE_DECIMAL);
    assert_int_equal(r.items[2].columns[0].type.precision, 12);
    assert_int_equal(r.items[2].columns[0].type.scale, 2);
    /* "nullable" absent in the attribute row: default true. */
    assert_int_equal(r.items[2].columns[0].nullable, 1);
    form_request_dispose(&r);
    form_errors_dispose(&fe);
    free(json);
}

static void test_parse__defaults_when_absent(void **state)
{
    form_request r;
    form_errors fe = {0};
    (void)state;

    assert_int_equal(parse_str(&r,
                               "{\"items\":[{\"kind\":\"add_columns\","
                               "\"columns\":[{\"name\":\"a\"}]}]}",
                               &fe),
                     0);
    assert_string_equal(r.organisation, "");
    assert_string_equal(r.requester_email, "");
    assert_string_equal(r.title, "");
    assert_int_equal(r.ninstances, 0);
    assert_int_equal(r.items[0].columns[0].nullable, 1);
    assert_int_equal(r.items[0].columns[0].action, FORM_ACTION_ADD);
    assert_int_equal(r.items[0].columns[0].pii, 0);
    assert_int_equal(r.items[0].columns[0].type.kind, FORM_TYPE_NONE);
    assert_string_equal(r.items[0].columns[0].consent_channel, "");
    assert_string_equal(r.items[0].table, "");
    form_request_dispose(&r);
    form_errors_dispose(&fe);
}

static void test_parse__round_trip(void **state)
{
    size_t len;
    char *json = ufx_read_data("forms/example.json", &len);
    form_request a, b;
    form_errors fe = {0};
    cJSON *j;
    char *text;
    (void)state;

    assert_int_equal(form_parse_json(&a, json, len, &fe), 0);
    a.id = 123;
    a.created_at = 1767225600; /* 2026-01-01T00:00:00Z */
    a.updated_at = 1767229200;
    ufx_set(&a.status, "triaged");
    a.items[2].columns[0].old_type.kind = FORM_TYPE_DECIMAL;
    a.items[2].columns[0].old_type.precision = 10;
    a.items[2].columns[0].old_type.scale = 2;
    j = form_request_to_json(&a);
    assert_int_equal(cJSON_GetObjectItem(j, "id")->valuedouble, 123);
    assert_string_equal(cJSON_GetObjectItem(j, "number")->valuestring,
                        "CR-123");
    assert_string_equal(cJSON_GetObjectItem(j, "created_at")->valuestring,
                        "2026-01-01T00:00:00Z");
    text = cJSON_PrintUnformatted(j);
    assert_int_equal(form_parse_json(&b, text, strlen(text), &fe), 0);
    ft_dump(&fe);
    assert_true(form_request_equal(&a, &b));
    /* And the comparison notices a difference. */
    b.items[0].columns[1].type.length = 21;
    assert_false(form_request_equal(&a, &b));
    b.items[0].columns[1].type.length = 20;
    ufx_set(&b.items[1].columns[0].description, "other");
    assert_false(form_request_equal(&a, &b));
    cJSON_free(text);
    cJSON_Delete(j);
    form_request_dispose(&a);
    form_request_dispose(&b);
    form_errors_dispose(&fe);
    free(json);
}

static void test_parse__round_trip_unusual_values(void **state)
{
    /* Unicode, escapes, newlines and a non-applicable value survive. */
    const char *json =
        "{\"title\":\"Caf\\u00e9 \\\"quotes\\\" \xe2\x82\xac\","
        "\"summary\":\"line 1\\nline 2\\ttab\",\"consent_related\":false,"
        "\"instances\":[],\"items\":[{\"kind\":\"add_columns\","
        "\"table\":\"t\",\"source\":\"api\",\"late_after_minutes\":0,"
        "\"columns\":[{\"name\":\"c\",\"type\":\"timestamp with time zone\","
        "\"nullable\":false,\"pii\":true,\"action\":\"retire\"}]}]}";
    form_request a, b;
    form_errors fe = {0};
    cJSON *j;
    char *text;
    (void)state;

    assert_int_equal(parse_str(&a, json, &fe), 0);
    assert_string_equal(a.title, "Caf\xc3\xa9 \"quotes\" \xe2\x82\xac");
    j = form_request_to_json(&a);
    text = cJSON_Print(j);
    assert_int_equal(parse_str(&b, text, &fe), 0);
    assert_true(form_request_equal(&a, &b));
    assert_string_equal(b.items[0].source, "api");
    assert_int_equal(b.items[0].columns[0].action, FORM_ACTION_RETIRE);
    cJSON_free(text);
    cJSON_Delete(j);
    form_request_dispose(&a);
    form_request_dispose(&b);
    form_errors_dispose(&fe);
}

static void test_parse__duplicate_keys(void **state)
{
    (void)state;
    expect_json_error_s("{\"title\":\"a\",\"title\":\"b\"}", "title");
    expect_json_error_s("{\"items\":[{\"kind\":\"new_table\",\"table\":\"a\","
                        "\"table\":\"b\"}]}",
                        "items[0].table");
    expect_json_error_s("{\"items\":[{\"kind\":\"new_table\",\"columns\":"
                        "[{\"name\":\"a\"},{\"name\":\"b\",\"pii\":true,"
                        "\"pii\":false}]}]}",
                        "items[0].columns[1].pii");
    expect_json_error_s("{\"items\":[],\"items\":[]}", "items");
}

static void test_parse__wrong_types(void **state)
{
    (void)state;
    expect_json_error_s("{\"items\":[{\"kind\":\"new_table\",\"columns\":"
                        "[{\"name\":\"a\",\"nullable\":\"yes\"}]}]}",
                        "items[0].columns[0].nullable");
    expect_json_error_s("{\"title\":5}", "title");
    expect_json_error_s("{\"consent_related\":1}", "consent_related");
    expect_json_error_s("{\"instances\":\"acme-qa\"}", "instances");
    expect_json_error_s("{\"instances\":[\"a\",7]}", "instances[1]");
    expect_json_error_s("{\"items\":{}}", "items");
    expect_json_error_s("{\"items\":[5]}", "items[0]");
    expect_json_error_s("{\"items\":[{\"kind\":\"new_table\",\"columns\":7}]}",
                        "items[0].columns");
    expect_json_error_s("{\"items\":[{\"kind\":\"new_table\","
                        "\"late_after_minutes\":\"120\"}]}",
                        "items[0].late_after_minutes");
    expect_json_error_s("[1,2]", "");
}

static void test_parse__unknown_keys(void **state)
{
    form_request r;
    form_errors fe = {0};
    (void)state;

    expect_json_error_s("{\"colour\":\"red\"}", "colour");
    expect_json_error_s("{\"items\":[{\"kind\":\"new_table\",\"colour\":1}]}",
                        "items[0].colour");
    expect_json_error_s("{\"items\":[{\"kind\":\"new_table\",\"columns\":"
                        "[{\"name\":\"a\",\"colour\":1}]}]}",
                        "items[0].columns[0].colour");
    /* A column key at item level is unknown there. */
    expect_json_error_s("{\"items\":[{\"kind\":\"new_table\",\"nullable\":1}]}",
                        "items[0].nullable");
    /* The message names the key. */
    assert_int_equal(parse_str(&r, "{\"colour\":\"red\"}", &fe), ERR_INVALID);
    assert_non_null(strstr(form_errors_get(&fe, "colour"), "colour"));
    form_request_dispose(&r);
    form_errors_dispose(&fe);
}

static void test_parse__numbers_out_of_range(void **state)
{
    (void)state;
    expect_json_error_s("{\"items\":[{\"kind\":\"new_table\","
                        "\"late_after_minutes\":10081}]}",
                        "items[0].late_after_minutes");
    expect_json_error_s("{\"items\":[{\"kind\":\"new_table\","
                        "\"late_after_minutes\":-1}]}",
                        "items[0].late_after_minutes");
    expect_json_error_s("{\"items\":[{\"kind\":\"new_table\","
                        "\"late_after_minutes\":1.5}]}",
                        "items[0].late_after_minutes");
    expect_json_error_s("{\"items\":[{\"kind\":\"new_table\","
                        "\"late_after_minutes\":1e300}]}",
                        "items[0].late_after_minutes");
    expect_json_error_s("{\"id\":-4}", "id");
}

static void test_parse__deep_nesting_refused(void **state)
{
    size_t n = 100000;
    char *s = xmalloc(2 * n + 16);
    form_request r;
    form_errors fe = {0};
    (void)state;

    /* A 100,000-deep document would overflow cJSON's recursion without
     * the pre-scan; at the item level it is refused too. */
    memcpy(s, "{\"title\":", 9);
    memset(s + 9, '[', n);
    memset(s + 9 + n, ']', n);
    s[9 + 2 * n] = '}';
    assert_int_equal(form_parse_json(&r, s, 10 + 2 * n, &fe), ERR_INVALID);
    assert_non_null(strstr(ft_expect(&fe, ""), "nested"));
    form_request_dispose(&r);
    form_errors_dispose(&fe);
    free(s);
    /* Exactly the limit is fine for the pre-scan (and then a type error). */
    {
        char t[128] = "{\"title\":";
        size_t o = strlen(t);
        for (int i = 0; i < FORM_MAX_DEPTH - 1; i++)
            t[o++] = '[';
        for (int i = 0; i < FORM_MAX_DEPTH - 1; i++)
            t[o++] = ']';
        t[o++] = '}';
        t[o] = '\0';
        expect_json_error_s(t, "title");
    }
}

static void test_parse__trailing_garbage(void **state)
{
    form_request r;
    form_errors fe = {0};
    (void)state;

    assert_int_equal(parse_str(&r, "{\"title\":\"a\"} x", &fe), ERR_INVALID);
    assert_non_null(strstr(ft_expect(&fe, ""), "after the JSON"));
    form_request_dispose(&r);
    form_errors_dispose(&fe);
    expect_json_error_s("{\"title\":\"a\"}{}", "");
    /* Trailing white space is fine. */
    assert_int_equal(parse_str(&r, "{\"title\":\"a\"} \n", &fe), 0);
    form_request_dispose(&r);
    form_errors_dispose(&fe);
}

static void test_parse__invalid_json_names_line(void **state)
{
    form_request r;
    form_errors fe = {0};
    (void)state;

    assert_int_equal(parse_str(&r, "{\n\"title\": \"a\",\n\"summary\" 1}", &fe),
                     ERR_INVALID);
    assert_non_null(strstr(ft_expect(&fe, ""), "line 3"));
    form_request_dispose(&r);
    form_errors_dispose(&fe);
}

static void test_parse__nul_bytes(void **state)
{
    static const char raw[] = "{\"title\":\"a\0b\",\"summary\":\"s\"}";
    (void)state;

    /* A raw NUL inside a value, and the \u0000 escape, name the field. */
    expect_json_error(raw, sizeof raw - 1, "title");
    expect_json_error_s("{\"summary\":\"x\\u0000y\"}", "summary");
    expect_json_error_s("{\"items\":[{\"kind\":\"new_table\",\"columns\":"
                        "[{\"name\":\"a\\u0000\"}]}]}",
                        "items[0].columns[0].name");
}

static void test_parse__invalid_utf8(void **state)
{
    (void)state;
    expect_json_error_s("{\"summary\":\"caf\xe9\"}", "summary");
    expect_json_error_s("{\"title\":\"\xed\xa0\x80\"}",
                        "title"); /* surrogate */
    expect_json_error_s("{\"items\":[{\"kind\":\"new_table\",\"table\":"
                        "\"t\xc0\xaf\"}]}",
                        "items[0].table");
    /* A lone surrogate escape is refused by cJSON itself. */
    expect_json_error_s("{\"title\":\"\\ud800\"}", "");
}

static void test_parse__kinds_types_actions(void **state)
{
    (void)state;
    expect_json_error_s("{\"items\":[{\"table\":\"t\"}]}", "items[0].kind");
    expect_json_error_s("{\"items\":[{\"kind\":\"drop_table\"}]}",
                        "items[0].kind");
    expect_json_error_s("{\"items\":[{\"kind\":\"new_table\",\"columns\":"
                        "[{\"name\":\"a\",\"type\":\"strin(20)\"}]}]}",
                        "items[0].columns[0].type");
    expect_json_error_s("{\"items\":[{\"kind\":\"new_table\",\"columns\":"
                        "[{\"name\":\"a\",\"type\":\"decimal(40,2)\"}]}]}",
                        "items[0].columns[0].type");
    expect_json_error_s("{\"items\":[{\"kind\":\"customer_attributes\","
                        "\"columns\":[{\"name\":\"a\",\"action\":\"drop\"}]}]}",
                        "items[0].columns[0].action");
}

/* head, then n + 1 copies of each (comma separated), then tail: one
 * more than the limit n is an error for field. */
static void one_too_many(const char *head, const char *each, int n,
                         const char *tail, const char *field)
{
    buf b = {0};

    buf_puts(&b, head);
    for (int i = 0; i <= n; i++) {
        if (i)
            buf_putc(&b, ',');
        buf_puts(&b, each);
    }
    buf_puts(&b, tail);
    expect_json_error_s(buf_cstr(&b), field);
    buf_dispose(&b);
}

static void test_parse__limits(void **state)
{
    (void)state;
    one_too_many("{\"items\":[", "{\"kind\":\"new_table\"}", FORM_MAX_ITEMS,
                 "]}", "items");
    one_too_many("{\"items\":[{\"kind\":\"new_table\",\"columns\":[", "{}",
                 FORM_MAX_COLUMNS, "]}]}", "items[0].columns");
    one_too_many("{\"instances\":[", "\"x\"", FORM_MAX_INSTANCES, "]}",
                 "instances");
}

/* ---- HTML form fields ---------------------------------------------------- */

#define KV(n, v)                                                               \
    {                                                                          \
        n, v, sizeof(v) - 1                                                    \
    }

/* form_parse_fields of kv[0..n) into *r gives no error. */
static void fields_ok(form_request *r, const form_kv *kv, size_t n)
{
    form_errors fe = {0};

    assert_int_equal(form_parse_fields(r, kv, n, &fe), 0);
    ft_dump(&fe);
    form_errors_dispose(&fe);
}

static void test_parse__fields_basic_and_gaps(void **state)
{
    const form_kv kv[] = {
        KV("csrf", "token-is-ignored"),
        KV("title", "  Loyalty tiers  "),
        KV("summary", "  keep\nspaces "),
        KV("consent_related", "yes"),
        KV("instances", "acme-qa"),
        KV("instances", "acme-prod"),
        KV("items[7].kind", "add_columns"),
        KV("items[7].table", "customers"),
        KV("items[7].columns[9].name", "b"),
        KV("items[7].columns[2].name", "a"),
        KV("items[7].columns[2].nullable", "on"),
        KV("items[3].kind", "new_table"),
        KV("items[3].table", "loyalty"),
        KV("items[3].late_after_minutes", "90"),
        KV("items[3].columns[4].name", "id"),
        KV("items[3].columns[4].type", "bigint"),
    };
    form_request r;
    (void)state;

    fields_ok(&r, kv, sizeof kv / sizeof *kv);
    assert_string_equal(r.title, "Loyalty tiers");     /* trimmed */
    assert_string_equal(r.summary, "  keep\nspaces "); /* textarea */
    assert_int_equal(r.consent_related, 1);
    assert_int_equal(r.ninstances, 2);
    assert_string_equal(r.instances[1], "acme-prod");
    assert_int_equal(r.nitems, 2);
    /* items[3] comes before items[7]; columns compacted in index order. */
    assert_string_equal(r.items[0].table, "loyalty");
    assert_int_equal(r.items[0].late_after_minutes, 90);
    assert_int_equal(r.items[0].ncolumns, 1);
    assert_int_equal(r.items[0].columns[0].type.kind, FORM_TYPE_BIGINT);
    assert_int_equal(r.items[0].columns[0].nullable, 0); /* box absent */
    assert_string_equal(r.items[1].table, "customers");
    assert_int_equal(r.items[1].ncolumns, 2);
    assert_string_equal(r.items[1].columns[0].name, "a");
    assert_int_equal(r.items[1].columns[0].nullable, 1);
    assert_string_equal(r.items[1].columns[1].name, "b");
    assert_string_equal(r.organisation, "");
    form_request_dispose(&r);
}

static void expect_fields_error(const form_kv *kv, size_t n, const char *field)
{
    form_request r;
    form_errors fe = {0};

    assert_int_equal(form_parse_fields(&r, kv, n, &fe), ERR_INVALID);
    ft_expect(&fe, field);
    form_request_dispose(&r);
    form_errors_dispose(&fe);
}

static void test_parse__fields_duplicates(void **state)
{
    const form_kv a[] = {KV("title", "a"), KV("title", "b")};
    const form_kv b[] = {KV("items[4].kind", "new_table"),
                         KV("items[4].table", "x"), KV("items[4].table", "y")};
    const form_kv c[] = {KV("items[0].kind", "new_table"),
                         KV("items[0].columns[3].name", "x"),
                         KV("items[0].columns[3].name", "y")};
    (void)state;

    expect_fields_error(a, 2, "title");
    /* The path uses the compacted index. */
    expect_fields_error(b, 3, "items[0].table");
    expect_fields_error(c, 3, "items[0].columns[0].name");
}

static void test_parse__fields_checkboxes(void **state)
{
    const char *truthy[] = {"on", "1", "yes", "true", "ON"};
    const char *falsy[] = {"", "0", "no", "off", "false"};
    (void)state;

    for (size_t i = 0; i < 5; i++) {
        for (int t = 0; t < 2; t++) {
            const char *v = t ? truthy[i] : falsy[i];
            form_kv kv[] = {{"consent_related", v, strlen(v)},
                            {"items[0].kind", "new_table", 9},
                            {"items[0].columns[0].name", "c", 1},
                            {"items[0].columns[0].pii", v, strlen(v)}};
            form_request r;
            form_errors fe = {0};
            assert_int_equal(form_parse_fields(&r, kv, 4, &fe), 0);
            assert_int_equal(r.consent_related, t);
            assert_int_equal(r.items[0].columns[0].pii, t);
            assert_int_equal(r.items[0].columns[0].consent, 0); /* absent */
            form_request_dispose(&r);
            form_errors_dispose(&fe);
        }
    }
    {
        const form_kv kv[] = {KV("consent_related", "maybe")};
        expect_fields_error(kv, 1, "consent_related");
    }
}

static void test_parse__fields_index_limits(void **state)
{
    const form_kv a[] = {KV("items[50].table", "x")};
    const form_kv b[] = {KV("items[0].kind", "new_table"),
                         KV("items[0].columns[500].name", "x")};
    const form_kv c[] = {KV("items[99999999999].table", "x")};
    const form_kv d[] = {KV("items[49].kind", "new_table"),
                         KV("items[49].table", "t"),
                         KV("items[49].columns[499].name", "x")};
    form_request r;
    form_errors fe = {0};
    (void)state;

    expect_fields_error(a, 1, "items[50].table");
    expect_fields_error(b, 2, "items[0].columns[500].name");
    expect_fields_error(c, 1, "items[99999999999].table");
    assert_int_equal(form_parse_fields(&r, d, 3, &fe), 0);
    assert_int_equal(r.nitems, 1);
    assert_int_equal(r.items[0].ncolumns, 1);
    form_request_dispose(&r);
    form_errors_dispose(&fe);
}

static void test_parse__fields_bad_names_and_bytes(void **state)
{
    const form_kv a[] = {KV("items[0].colour", "red")};
    const form_kv b[] = {KV("items[0.table", "x")};
    const form_kv c[] = {KV("items[01].table", "x")};
    const form_kv d[] = {{"title", "a\0b", 3}};
    const form_kv e[] = {KV("items[2].kind", "new_table"),
                         KV("items[2].columns[1].description", "caf\xe9")};
    const form_kv f[] = {KV("items[0].kind", "new_table"),
                         KV("items[0].columns[0].name", "a"),
                         KV("items[0].columns[0].type", "varchar(20)")};
    const form_kv g[] = {KV("items[0].kind", "new_table"),
                         KV("items[0].table", "t"),
                         KV("items[0].late_after_minutes", "12x")};
    const form_kv h[] = {KV("items[0].table", "t")}; /* no kind */
    (void)state;

    expect_fields_error(a, 1, "items[0].colour");
    expect_fields_error(b, 1, "items[0.table");
    expect_fields_error(c, 1, "items[01].table");
    expect_fields_error(d, 1, "title");
    expect_fields_error(e, 2, "items[0].columns[0].description");
    expect_fields_error(f, 3, "items[0].columns[0].type");
    expect_fields_error(g, 3, "items[0].late_after_minutes");
    expect_fields_error(h, 1, "items[0].kind");
}

static void test_parse__fields_blank_rows_and_other_kinds(void **state)
{
    const form_kv kv[] = {
        KV("items[0].kind", "add_columns"),
        KV("items[0].table", "customers"),
        KV("items[0].source", "api"), /* hidden input of new_table */
        KV("items[0].primary_key", "id"),
        KV("items[0].columns[0].name", "tier"),
        KV("items[0].columns[0].primary_key", "on"),
        KV("items[0].columns[0].rule", "hidden attribute rule"),
        KV("items[0].columns[0].action", "change"),
        KV("items[0].columns[1].name", ""), /* blank template row */
        KV("items[0].columns[1].nullable", "on"),
        KV("items[0].columns[1].action", "add"),
        KV("items[1].kind", "new_table"), /* blank template item */
        KV("items[1].table", " "),
    };
    form_request r;
    (void)state;

    fields_ok(&r, kv, sizeof kv / sizeof *kv);
    assert_int_equal(r.nitems, 1);
    assert_int_equal(r.items[0].ncolumns, 1);
    assert_string_equal(r.items[0].source, "");
    assert_string_equal(r.items[0].primary_key, "");
    assert_int_equal(r.items[0].columns[0].primary_key, 0);
    assert_string_equal(r.items[0].columns[0].rule, "");
    assert_int_equal(r.items[0].columns[0].action, FORM_ACTION_ADD);
    form_request_dispose(&r);
}

static void test_parse__fields_match_json(void **state)
{
    /* The same request given as fields and as JSON reads the same. */
    const form_kv kv[] = {
        KV("instance", "acme-prod"),
        KV("instances", "acme-prod"),
        KV("title", "T"),
        KV("summary", "S"),
        KV("consent_related", "no"),
        KV("items[0].kind", "new_table"),
        KV("items[0].table", "t"),
        KV("items[0].source", "json"),
        KV("items[0].late_after_minutes", "5"),
        KV("items[0].columns[0].name", "a"),
        KV("items[0].columns[0].type", "decimal(5,1)"),
        KV("items[0].columns[0].nullable", "on"),
    };
    const char *json =
        "{\"instance\":\"acme-prod\",\"instances\":[\"acme-prod\"],"
        "\"title\":\"T\",\"summary\":\"S\",\"consent_related\":false,"
        "\"items\":[{\"kind\":\"new_table\",\"table\":\"t\",\"source\":"
        "\"json\",\"late_after_minutes\":5,\"columns\":[{\"name\":\"a\","
        "\"type\":\"decimal(5,1)\",\"nullable\":true}]}]}";
    form_request a, b;
    form_errors fe = {0};
    (void)state;

    assert_int_equal(form_parse_fields(&a, kv, sizeof kv / sizeof *kv, &fe), 0);
    assert_int_equal(parse_str(&b, json, &fe), 0);
    assert_true(form_request_equal(&a, &b));
    form_request_dispose(&a);
    form_request_dispose(&b);
    form_errors_dispose(&fe);
}

UFX_MAIN(cmocka_unit_test(test_parse__example),
         cmocka_unit_test(test_parse__defaults_when_absent),
         cmocka_unit_test(test_parse__round_trip),
         cmocka_unit_test(test_parse__round_trip_unusual_values),
         cmocka_unit_test(test_parse__duplicate_keys),
         cmocka_unit_test(test_parse__wrong_types),
         cmocka_unit_test(test_parse__unknown_keys),
         cmocka_unit_test(test_parse__numbers_out_of_range),
         cmocka_unit_test(test_parse__deep_nesting_refused),
         cmocka_unit_test(test_parse__trailing_garbage),
         cmocka_unit_test(test_parse__invalid_json_names_line),
         cmocka_unit_test(test_parse__nul_bytes),
         cmocka_unit_test(test_parse__invalid_utf8),
         cmocka_unit_test(test_parse__kinds_types_actions),
         cmocka_unit_test(test_parse__limits),
         cmocka_unit_test(test_parse__fields_basic_and_gaps),
         cmocka_unit_test(test_parse__fields_duplicates),
         cmocka_unit_test(test_parse__fields_checkboxes),
         cmocka_unit_test(test_parse__fields_index_limits),
         cmocka_unit_test(test_parse__fields_bad_names_and_bytes),
         cmocka_unit_test(test_parse__fields_blank_rows_and_other_kinds),
         cmocka_unit_test(test_parse__fields_match_json))
