/* test_multiline.c: table and column descriptions may span lines, in the
 * HTML form and in the JSON API; CR LF and a lone CR become LF; names,
 * types and the other single-line fields still refuse a line break. */
#include "fixture.h"
#include "forms_test.h"

#include "def.h"
#include "parse.h"
#include "validate.h"

#define KV(n, v)                                                               \
    {                                                                          \
        (n), (v), sizeof(v) - 1                                                \
    }

static const char *const instances[] = {"acme-qa", "acme-prod"};

static form_context context(void)
{
    form_context c = {0};

    c.instances = instances;
    c.ninstances = 2;
    return c;
}

/* A request of the HTML form whose descriptions are desc. */
static void from_fields(form_request *r, form_errors *fe, const char *desc)
{
    const form_kv kv[] = {
        KV("title", "Multi-line descriptions"),
        KV("summary", "Descriptions from a data dictionary"),
        KV("instance", "acme-qa"),
        KV("project_manager", "pm@platform.example"),
        KV("items[0].kind", "new_table"),
        KV("items[0].table", "visits"),
        {"items[0].description", desc, strlen(desc)},
        KV("items[0].source", "flat_file_csv"),
        KV("items[0].cadence", "daily"),
        KV("items[0].campaign_dependency", "optional"),
        KV("items[0].columns[0].name", "visit_id"),
        KV("items[0].columns[0].type", "bigint"),
        {"items[0].columns[0].description", desc, strlen(desc)},
    };

    assert_int_equal(form_parse_fields(r, kv, sizeof kv / sizeof *kv, fe), 0);
}

static void expect_valid(const form_request *r)
{
    form_context c = context();
    form_errors fe = {0};

    if (form_validate(r, &c, &fe) != 0) {
        ft_dump(&fe);
        fail_msg("a request with multi-line descriptions is refused");
    }
    form_errors_dispose(&fe);
}

static void test_multiline__form_fields(void **state)
{
    form_request r;
    form_errors fe = {0};

    (void)state;
    from_fields(&r, &fe, "First line\r\nsecond 'line'\rthird\nfourth");
    assert_string_equal(r.items[0].description,
                        "First line\nsecond 'line'\nthird\nfourth");
    assert_string_equal(r.items[0].columns[0].description,
                        "First line\nsecond 'line'\nthird\nfourth");
    expect_valid(&r);
    form_request_dispose(&r);
    form_errors_dispose(&fe);
}

static void test_multiline__json(void **state)
{
    static const char json[] =
        "{\"title\":\"t\",\"summary\":\"s\",\"instance\":\"acme-qa\","
        "\"project_manager\":\"pm@platform.example\",\"items\":[{\"kind\":"
        "\"new_table\",\"table\":\"visits\",\"description\":\"One row per "
        "visit.\\r\\nFrom the web shop.\\rSee the wiki.\",\"source\":"
        "\"flat_file_csv\",\"cadence\":\"daily\",\"campaign_dependency\":"
        "\"optional\",\"columns\":[{\"name\":\"visit_id\",\"type\":\"bigint\","
        "\"description\":\"Key of the visit.\\r\\n-- not SQL; */ \\\\ "
        "\\\"q\\\" "
        "'s'\\n\\nafter a blank line\"}]}]}";
    form_request r, back;
    form_errors fe = {0};
    cJSON *j;
    char *text;

    (void)state;
    assert_int_equal(form_parse_json(&r, json, strlen(json), &fe), 0);
    assert_string_equal(r.items[0].description,
                        "One row per visit.\nFrom the web shop.\nSee the "
                        "wiki.");
    assert_string_equal(r.items[0].columns[0].description,
                        "Key of the visit.\n-- not SQL; */ \\ \"q\" 's'\n\n"
                        "after a blank line");
    expect_valid(&r);
    /* the JSON written back reads back the same */
    j = form_request_to_json(&r);
    text = cJSON_PrintUnformatted(j);
    assert_int_equal(form_parse_json(&back, text, strlen(text), &fe), 0);
    assert_true(form_request_equal(&r, &back));
    cJSON_free(text);
    cJSON_Delete(j);
    form_request_dispose(&back);
    form_request_dispose(&r);
    form_errors_dispose(&fe);
}

/* Single-line fields keep refusing a line break, with the field named. */
static void test_multiline__names_stay_single_line(void **state)
{
    static const char *const fields[] = {"name", "example"};
    form_context c = context();

    (void)state;
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        form_request r;
        form_errors fe = {0};
        char path[64], **slot;
        from_fields(&r, &fe, "ok");
        slot = i == 0 ? &r.items[0].columns[0].name
                      : &r.items[0].columns[0].example;
        ufx_set(slot, "visit\nid");
        snprintf(path, sizeof path, "items[0].columns[0].%s", fields[i]);
        assert_int_equal(form_validate(&r, &c, &fe), ERR_INVALID);
        ft_expect(&fe, path);
        form_request_dispose(&r);
        form_errors_dispose(&fe);
    }
    {
        form_request r;
        form_errors fe = {0};
        from_fields(&r, &fe, "ok");
        ufx_set(&r.items[0].table, "vis\rits");
        assert_int_equal(form_validate(&r, &c, &fe), ERR_INVALID);
        ft_expect(&fe, "items[0].table");
        form_request_dispose(&r);
        form_errors_dispose(&fe);
    }
}

/* The published form says the column description is multi-line, so
 * browsers and API clients know. */
static void test_multiline__definition(void **state)
{
    (void)state;
    assert_int_equal(form_def_field("items[].columns[].description")->input,
                     FORM_INPUT_TEXTAREA);
    assert_int_equal(form_def_field("items[].description")->input,
                     FORM_INPUT_TEXTAREA);
    assert_int_equal(form_def_field("items[].columns[].name")->input,
                     FORM_INPUT_TEXT);
}

/* form_text_lf: the one normalisation of line ends. */
static void test_multiline__normalise(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"", ""},
        {"a", "a"},
        {"a\r\nb", "a\nb"},
        {"a\rb", "a\nb"},
        {"a\r\r\nb", "a\n\nb"},
        {"\r\n\r\n", "\n\n"},
        {"a\n\rb", "a\n\nb"},
        {"end\r", "end\n"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *s = xstrdup(cases[i].in);
        form_text_lf(s);
        assert_string_equal(s, cases[i].out);
        free(s);
    }
}

UFX_MAIN(cmocka_unit_test(test_multiline__form_fields),
         cmocka_unit_test(test_multiline__json),
         cmocka_unit_test(test_multiline__names_stay_single_line),
         cmocka_unit_test(test_multiline__definition),
         cmocka_unit_test(test_multiline__normalise))
