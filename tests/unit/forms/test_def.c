/* test_def.c: forms/def.c, the form as data, and GET /api/v1/form. */
#include "fixture.h"
#include "forms_test.h"

#include "def.h"

#include <cjson/cJSON.h>

static void test_def__sections(void **state)
{
    size_t n;
    const form_section *s = form_def_sections(&n);
    (void)state;

    assert_int_equal(n, 2);
    assert_string_equal(s[0].title, "About this request");
    assert_string_equal(s[1].title, "Changes");
    for (size_t i = 0; i < s[0].nfields; i++)
        assert_int_equal(s[0].fields[i].level, FORM_LEVEL_REQUEST);
    for (size_t i = 0, lvl = FORM_LEVEL_ITEM; i < s[1].nfields; i++) {
        /* Item fields first, then column fields. */
        assert_true(s[1].fields[i].level >= lvl);
        lvl = s[1].fields[i].level;
    }
    {
        size_t nf;
        form_def_fields(&nf);
        assert_int_equal(s[0].nfields + s[1].nfields, nf);
    }
}

/* Every field prefix + word (words separated by spaces) is defined, with
 * a label and a help text; returns how many there are. */
static size_t fields_defined(const char *prefix, const char *words)
{
    char name[128];
    size_t n = 0;

    for (const char *p = words; *p; n++) {
        size_t len = strcspn(p, " ");
        const form_field *f;
        snprintf(name, sizeof name, "%s%.*s", prefix, (int)len, p);
        p += len + (p[len] == ' ');
        f = form_def_field(name);
        if (!f)
            fprintf(stderr, "missing %s\n", name);
        assert_non_null(f);
        assert_string_equal(f->name, name);
        assert_true(f->label && *f->label);
        assert_true(f->help && *f->help);
    }
    return n;
}

static void test_def__every_field_of_the_issue(void **state)
{
    size_t nf, n;
    (void)state;

    n = fields_defined("", "organisation instance instances project_manager "
                           "requester_name requester_email title summary "
                           "desired_date consent_related consent_note");
    n += fields_defined("items[].",
                        "kind table description primary_key source cadence "
                        "expected_arrival late_after_minutes expected_day "
                        "anomaly_low_pct anomaly_high_pct file_pattern "
                        "campaign_dependency campaign_note owner escalation "
                        "examples notes");
    n += fields_defined("items[].columns[].",
                        "name type nullable primary_key description example "
                        "pii consent consent_channel action rule");
    form_def_fields(&nf);
    assert_int_equal(nf, n);
    assert_int_equal(n, 40);
}

static void test_def__concrete_paths(void **state)
{
    const form_field *f;
    (void)state;

    f = form_def_field("items[3].columns[12].name");
    assert_non_null(f);
    assert_int_equal(f->level, FORM_LEVEL_COLUMN);
    assert_string_equal(f->key, "name");
    f = form_def_field("items[0].table");
    assert_non_null(f);
    assert_int_equal(f->level, FORM_LEVEL_ITEM);
    assert_null(form_def_field("items[0].columns[1].table"));
    assert_null(form_def_field("items[].columns[2].name"));
    assert_null(form_def_field("colour"));
    assert_null(form_def_field("items[x].table"));
}

static void test_def__offsets_point_at_the_members(void **state)
{
    form_request r = {0};
    form_item it = {0};
    form_column c = {0};
    const form_field *f;
    (void)state;

    /* Each field's offset reaches the struct member of its key. */
    f = form_def_field("title");
    *(char **)((char *)&r + f->offset) = (char *)"t";
    assert_string_equal(r.title, "t");
    f = form_def_field("consent_related");
    *(int *)((char *)&r + f->offset) = 1;
    assert_int_equal(r.consent_related, 1);
    f = form_def_field("items[].late_after_minutes");
    *(int *)((char *)&it + f->offset) = 77;
    assert_int_equal(it.late_after_minutes, 77);
    f = form_def_field("items[].escalation");
    *(char **)((char *)&it + f->offset) = (char *)"e";
    assert_string_equal(it.escalation, "e");
    f = form_def_field("items[].columns[].consent_channel");
    *(char **)((char *)&c + f->offset) = (char *)"sms";
    assert_string_equal(c.consent_channel, "sms");
    f = form_def_field("items[].columns[].type");
    ((form_type *)((char *)&c + f->offset))->length = 9;
    assert_int_equal(c.type.length, 9);
}

static void test_def__choices(void **state)
{
    const form_field *f = form_def_field("items[].source");
    size_t nk;
    const form_choice *k = form_def_kinds(&nk);
    (void)state;

    assert_int_equal(f->nchoices, 6);
    assert_string_equal(form_def_choice_label(f, "flat_file_csv"),
                        "Flat file (CSV)");
    assert_string_equal(form_def_choice_label(f, "snowflake_share"),
                        "Snowflake share");
    assert_true(form_def_choice_valid(f, "api"));
    assert_false(form_def_choice_valid(f, "ftp"));
    f = form_def_field("items[].campaign_dependency");
    assert_string_equal(form_def_choice_label(f, "required"),
                        "Required: hold campaigns if the file is missing");
    assert_string_equal(form_def_choice_label(f, "optional"),
                        "Optional: campaigns may run without it");
    f = form_def_field("items[].cadence");
    assert_true(form_def_choice_valid(f, "ad_hoc"));
    f = form_def_field("items[].columns[].type"); /* open: suggestions */
    assert_true(form_def_choice_valid(f, "string(42)"));
    assert_int_equal(nk, FORM_ITEM_NKINDS);
    for (size_t i = 0; i < nk; i++)
        assert_string_equal(k[i].value, form_item_kind_name((form_item_kind)i));
}

static void test_def__requirements(void **state)
{
    const form_field *f;
    (void)state;

    f = form_def_field("consent_note");
    assert_string_equal(f->required_if, "consent_related");
    f = form_def_field("items[].columns[].consent_channel");
    assert_string_equal(f->required_if, "consent");
    f = form_def_field("requester_email");
    assert_true(f->from_account);
    f = form_def_field("items[].source");
    assert_true(f->kinds_required & FORM_KIND_BIT(FORM_ITEM_NEW_TABLE));
    assert_false(f->kinds & FORM_KIND_BIT(FORM_ITEM_ADD_COLUMNS));
    f = form_def_field("items[].columns[].action");
    assert_int_equal(f->kinds, FORM_KINDS_ATTRIBUTE);
}

static const cJSON *find_field(const cJSON *root, const char *name)
{
    const cJSON *s, *f;

    cJSON_ArrayForEach(s, cJSON_GetObjectItem(root, "sections"))
        cJSON_ArrayForEach(
            f, cJSON_GetObjectItem(
                   s, "fields")) if (!strcmp(cJSON_GetObjectItem(f, "name")
                                                 ->valuestring,
                                             name)) return f;
    return NULL;
}

static void test_def__json(void **state)
{
    cJSON *j = form_def_to_json();
    const cJSON *f;
    size_t count = 0, nf;
    const cJSON *s, *x;
    (void)state;

    ufx_json_int(j, "limits.max_items", FORM_MAX_ITEMS);
    ufx_json_int(j, "limits.max_columns", FORM_MAX_COLUMNS);
    ufx_json_int(j, "limits.max_text", FORM_MAX_TEXT);
    ufx_json_str(j, "sections.0.title", "About this request");
    f = find_field(j, "items[].source");
    assert_non_null(f);
    ufx_json_str(f, "input", "select");
    ufx_json_str(f, "choices.1.label", "Flat file (CSV)");
    ufx_json_int(find_field(j, "items[].late_after_minutes"), "max", 10080);
    ufx_json_str(find_field(j, "items[].columns[].nullable"), "default",
                 "true");
    ufx_json_str(find_field(j, "consent_note"), "required_if",
                 "consent_related");
    f = find_field(j, "title");
    ufx_json_true(f, "required");
    ufx_json_int(f, "max_length", FORM_MAX_SHORT);
    cJSON_ArrayForEach(s, cJSON_GetObjectItem(j, "sections"))
        cJSON_ArrayForEach(x, cJSON_GetObjectItem(s, "fields")) count++;
    form_def_fields(&nf);
    assert_int_equal(count, nf);
    cJSON_Delete(j);
}

UFX_MAIN(cmocka_unit_test(test_def__sections),
         cmocka_unit_test(test_def__every_field_of_the_issue),
         cmocka_unit_test(test_def__concrete_paths),
         cmocka_unit_test(test_def__offsets_point_at_the_members),
         cmocka_unit_test(test_def__choices),
         cmocka_unit_test(test_def__requirements),
         cmocka_unit_test(test_def__json))
