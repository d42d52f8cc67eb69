/* test_messages.c: the wording and the order of the form's problems.
 * One style for every message of forms/validate.c and the HTML form's
 * parser: a sentence in sentence case ending with a full stop that never
 * names its own field (the label is shown beside it, on the form and in
 * the summary), never an API path or key ('[' or '_' outside a quoted
 * name); and the problems in the order of the form's fields. */
#include "fixture.h"
#include "forms_test.h"

#include "def.h"
#include "parse.h"
#include "str.h"
#include "validate.h"

#include <ctype.h>

#define KV(n, v)                                                               \
    {                                                                          \
        n, v, sizeof(v) - 1                                                    \
    }

static const char *const insts[] = {"acme-qa", "acme-prod"};
static const char *const pms[] = {"pm@platform.example"};

static int fake_table(void *cb, const char *inst, const char *table)
{
    (void)cb;
    (void)inst;
    return !strcmp(table, "customers");
}

static int fake_column(void *cb, const char *inst, const char *table,
                       const char *col)
{
    (void)cb;
    (void)inst;
    (void)table;
    return !strcmp(col, "email");
}

static form_context ctx(void)
{
    form_context c = {0};

    c.instances = insts;
    c.ninstances = 2;
    c.project_managers = pms;
    c.nproject_managers = 1;
    c.require_requester = 1;
    c.today = "2026-12-01";
    c.table_exists = fake_table;
    c.column_exists = fake_column;
    return c;
}

/* The label the summary shows for path, as the form defines it. */
static const char *label_of(const char *path)
{
    const form_field *f = form_def_field(path);

    if (f)
        return f->label;
    if (str_startswith(path, "instances"))
        return "Instances";
    if (strstr(path, ".columns"))
        return "Columns";
    if (!strcmp(path, "items"))
        return "Changes";
    return NULL;
}

/* message with every "quoted" part removed. */
static void unquoted(char *out, size_t size, const char *m)
{
    size_t o = 0;
    int in = 0;

    for (const char *p = m; *p && o + 1 < size; p++) {
        if (*p == '"') {
            in = !in;
            continue;
        }
        if (!in)
            out[o++] = *p;
    }
    out[o] = '\0';
}

static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    for (const char *p = hay; *p; p++)
        if (!str_ncasecmp(p, needle, n))
            return 1;
    return 0;
}

/* Fails when a message of fe breaks the style. */
static void check_style(const form_errors *fe)
{
    for (size_t i = 0; i < fe->n; i++) {
        const char *path = fe->errs[i].field, *m = fe->errs[i].message;
        const char *label = label_of(path);
        char bare[256];
        size_t len = strlen(m);
        int bad = 0;

        unquoted(bare, sizeof bare, m);
        if (!len || !(isupper((unsigned char)m[0]) || m[0] == '"'))
            bad = 1; /* sentence case */
        if (len && m[len - 1] != '.')
            bad = 1; /* a full stop */
        if (strchr(bare, '_') || strchr(bare, '['))
            bad = 1; /* no path, key or value of the API */
        /* never its own label again: not at the start, and a label of
           several words ("Main instance") nowhere; a one-word label is
           a common word ("a PostgreSQL system column") */
        if (label && (!str_ncasecmp(m, label, strlen(label)) ||
                      (strchr(label, ' ') && contains_nocase(m, label))))
            bad = 1;
        if (bad) {
            fprintf(stderr, "bad message for %s (label %s): \"%s\"\n", path,
                    label ? label : "-", m);
            fail();
        }
    }
}

static void validate_json(const char *json, form_errors *fe)
{
    form_request r;
    form_context c = ctx();

    form_parse_json(&r, json, strlen(json), fe);
    form_validate(&r, &c, fe);
    form_request_dispose(&r);
}

/* Requests that break most rules of validate.c at once. */
static const char *const bad_requests[] = {
    /* empty */
    "{}",
    "{\"items\":[]}",
    /* every field of a change missing */
    "{\"consent_related\":true,\"items\":[{\"kind\":\"new_table\"},"
    "{\"kind\":\"customer_attributes\",\"table\":\"customers\","
    "\"columns\":[{\"name\":\"points\",\"action\":\"add\"}]}]}",
    /* wrong values everywhere */
    "{\"organisation\":\"acme\",\"instance\":\"globex-prod\","
    "\"instances\":[\"acme-qa\",\"acme-qa\",\"\",\"x-prod\"],"
    "\"project_manager\":\"nobody@platform.example\","
    "\"requester_name\":\"Ann\",\"requester_email\":\"ann@acme\","
    "\"title\":\"two\\nlines\",\"summary\":\"bell\\u0007\","
    "\"desired_date\":\"2026-02-30\",\"consent_related\":false,"
    "\"items\":[{\"kind\":\"new_table\",\"table\":\"customers\","
    "\"description\":\"d\",\"primary_key\":\"id, nope, ,\","
    "\"source\":\"ftp\",\"cadence\":\"fortnightly\","
    "\"expected_arrival\":\"25:00\",\"late_after_minutes\":99999,"
    "\"campaign_dependency\":\"maybe\",\"owner\":\"ops@\","
    "\"escalation\":\"a@@b\",\"columns\":[{\"name\":\"id\",\"type\":"
    "\"bigint\",\"nullable\":true,\"primary_key\":true},{\"name\":\"id\","
    "\"type\":\"text\"},{\"name\":\"9lives\",\"type\":\"text\"},"
    "{\"name\":\"two words\",\"type\":\"text\"},{\"name\":\"xmin\","
    "\"type\":\"text\",\"consent\":true},{\"name\":\"flag\",\"type\":"
    "\"boolean\",\"primary_key\":true,\"consent_channel\":\"email\"}]},"
    "{\"kind\":\"new_table\",\"table\":\"customers\",\"columns\":"
    "[{\"name\":\"a\",\"type\":\"text\"}]},"
    "{\"kind\":\"add_columns\",\"table\":\"nowhere\",\"primary_key\":"
    "\"x\",\"columns\":[{\"name\":\"a\",\"type\":\"text\"}]},"
    "{\"kind\":\"add_columns\",\"table\":\"customers\",\"columns\":"
    "[{\"name\":\"email\",\"type\":\"text\"},{\"name\":\"wide\"}]},"
    "{\"kind\":\"customer_attributes\",\"table\":\"customers\","
    "\"columns\":[{\"name\":\"gone\",\"action\":\"change\"}]}]}",
    /* past date, too long, non-ASCII names */
    "{\"desired_date\":\"2020-01-01\",\"title\":\"" /* 201 characters */
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\","
    "\"items\":[{\"kind\":\"new_table\",\"table\":\"t\\u00e9\","
    "\"columns\":[{\"name\":\"a-b\",\"type\":\"text\"}]}]}",
};

static void test_messages__one_style(void **state)
{
    (void)state;

    for (size_t k = 0; k < sizeof bad_requests / sizeof *bad_requests; k++) {
        form_errors fe = {0};
        validate_json(bad_requests[k], &fe);
        assert_true(fe.n > 0);
        ft_dump(&fe);
        check_style(&fe);
        form_errors_dispose(&fe);
    }
}

static void test_messages__consent_note(void **state)
{
    form_errors fe = {0};
    (void)state;

    validate_json("{\"consent_related\":true}", &fe);
    assert_string_equal(ft_expect(&fe, "consent_note"),
                        "Required when this request is consent-related.");
    form_errors_dispose(&fe);
    /* a consent column without the answer names the column, not a path */
    validate_json("{\"items\":[{\"kind\":\"new_table\",\"table\":\"t\","
                  "\"columns\":[{\"name\":\"optin\",\"consent\":true}]}]}",
                  &fe);
    assert_non_null(strstr(ft_expect(&fe, "consent_related"),
                           "Change 1, column \"optin\""));
    form_errors_dispose(&fe);
}

/* The HTML form sent as it is first shown: every field empty, the first
 * change's kind preselected, blank column rows. */
static void test_messages__empty_form_names_the_change(void **state)
{
    const form_kv kv[] = {
        KV("instance", ""),
        KV("project_manager", ""),
        KV("title", ""),
        KV("summary", ""),
        KV("desired_date", ""),
        KV("consent_related", "no"),
        KV("consent_note", ""),
        KV("items[0].kind", "new_table"),
        KV("items[0].table", ""),
        KV("items[0].description", ""),
        KV("items[0].source", ""),
        KV("items[0].columns[0].name", ""),
        KV("items[0].columns[0].type", ""),
        KV("items[0].columns[0].nullable", "on"),
        KV("items[0].columns[0].action", "add"),
        KV("items[0].columns[1].name", ""),
        KV("items[0].columns[1].nullable", "on"),
    };
    form_request r;
    form_errors fe = {0};
    form_context c = ctx();
    (void)state;

    c.require_requester = 0;
    form_parse_fields(&r, kv, sizeof kv / sizeof *kv, &fe);
    form_validate(&r, &c, &fe);
    ft_dump(&fe);
    /* the parts of change 1 on screen, not "add at least one change" */
    assert_null(form_errors_get(&fe, "items"));
    ft_expect(&fe, "items[0].table");
    ft_expect(&fe, "items[0].description");
    ft_expect(&fe, "items[0].source");
    ft_expect(&fe, "items[0].cadence");
    ft_expect(&fe, "items[0].campaign_dependency");
    assert_string_equal(ft_expect(&fe, "items[0].columns"),
                        "Add at least one column.");
    check_style(&fe);
    form_errors_dispose(&fe);
    form_request_dispose(&r);
}

/* The position of each path in want must follow the one before. */
static void expect_order(const form_errors *fe, const char *const *want,
                         size_t n)
{
    size_t at = 0;

    for (size_t k = 0; k < n; k++) {
        size_t i = 0;
        while (i < fe->n && strcmp(fe->errs[i].field, want[k]) != 0)
            i++;
        if (i == fe->n || i < at) {
            fprintf(stderr, "\"%s\" is %s:\n", want[k],
                    i == fe->n ? "missing" : "out of form order");
            ft_dump(fe);
            fail();
        }
        at = i;
    }
}

static void test_messages__form_order(void **state)
{
    static const char *const want[] = {
        "project_manager",
        "title",
        "summary",
        "consent_related",
        "items[0].table",
        "items[0].source",
        "items[0].columns",
        "items[1].kind",
        "items[2].table",
        "items[2].columns[0].name",
        "items[2].columns[0].type",
        "items[2].columns[1].name",
        "items[3].table",
    };
    form_errors fe = {0};
    (void)state;

    /* checks that run late (consent, uniqueness, the registry) land in
       their place on the form */
    validate_json(
        "{\"instance\":\"acme-prod\",\"items\":[{\"kind\":\"new_table\","
        "\"table\":\"customers\"},"
        "{\"kind\":\"bogus\"},"
        "{\"kind\":\"new_table\",\"table\":\"x y\",\"columns\":["
        "{\"name\":\"9a\",\"consent\":true},{\"name\":\"b c\",\"type\":"
        "\"text\"}]},"
        "{\"kind\":\"new_table\",\"table\":\"customers\",\"columns\":["
        "{\"name\":\"a\",\"type\":\"text\"}]}]}",
        &fe);
    expect_order(&fe, want, sizeof want / sizeof *want);
    form_errors_dispose(&fe);
}

static void test_messages__sort_every_kind_of_path(void **state)
{
    static const char *const given[] = {
        "attachments",
        "items[1].notes",
        "items[1].columns[0].rule",
        "items[1].columns",
        "items[0].columns[10].name",
        "items[0].columns[2].type",
        "items[0].columns[2].name",
        "items[0].examples",
        "items[0].kind",
        "items",
        "consent_note",
        "instances[1]",
        "instances",
        "title",
        "organisation",
        "",
    };
    static const char *const want[] = {
        "",
        "organisation",
        "instances",
        "instances[1]",
        "title",
        "consent_note",
        "items",
        "items[0].kind",
        "items[0].columns[2].name",
        "items[0].columns[2].type",
        "items[0].columns[10].name",
        "items[0].examples",
        "items[1].columns",
        "items[1].columns[0].rule",
        "items[1].notes",
        "attachments",
    };
    form_errors fe = {0};
    (void)state;

    for (size_t i = 0; i < sizeof given / sizeof *given; i++)
        form_errors_add(&fe, given[i], "Problem %zu.", i);
    form_errors_sort(&fe);
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        assert_string_equal(fe.errs[i].field, want[i]);
    form_errors_dispose(&fe);
}

UFX_MAIN(cmocka_unit_test(test_messages__one_style),
         cmocka_unit_test(test_messages__consent_note),
         cmocka_unit_test(test_messages__empty_form_names_the_change),
         cmocka_unit_test(test_messages__form_order),
         cmocka_unit_test(test_messages__sort_every_kind_of_path))
