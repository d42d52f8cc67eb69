/* test_validate.c: forms/validate.c, one case per rule, each asserting
 * the exact field path of the problem. */
#include "fixture.h"
#include "forms_test.h"

#include "parse.h"
#include "validate.h"
#include "def.h"

static const char *const allowed_instances[] = {"acme-qa", "acme-prod"};
static const char *const allowed_pms[] = {"pm@platform.example",
                                          "other@platform.example"};

/* A fake registry: customers(email, lifetime_value) exists everywhere,
 * orders_archive only in acme-prod. */
static int fake_fail;

static int fake_table(void *cb, const char *inst, const char *table)
{
    (void)cb;
    if (fake_fail)
        return ERR_DB;
    if (!strcmp(table, "customers"))
        return 1;
    return !strcmp(table, "orders_archive") && !strcmp(inst, "acme-prod");
}

static int fake_column(void *cb, const char *inst, const char *table,
                       const char *col)
{
    (void)cb;
    (void)inst;
    return !strcmp(table, "customers") &&
           (!strcmp(col, "email") || !strcmp(col, "lifetime_value"));
}

static form_context ctx_full(void)
{
    form_context c = {0};

    c.instances = allowed_instances;
    c.ninstances = 2;
    c.project_managers = allowed_pms;
    c.nproject_managers = 2;
    c.require_requester = 1;
    c.table_exists = fake_table;
    c.column_exists = fake_column;
    return c;
}

static form_request example(void)
{
    size_t len;
    char *json = ufx_read_data("forms/example.json", &len);
    form_request r;
    form_errors fe = {0};

    assert_int_equal(form_parse_json(&r, json, len, &fe), 0);
    form_errors_dispose(&fe);
    free(json);
    return r;
}

/* Validates r with ctx; fails unless field has an error. Disposes r. */
static void expect(form_request *r, const form_context *ctx, const char *field,
                   const char *needle)
{
    form_errors fe = {0};
    int rc = form_validate(r, ctx, &fe);
    const char *m = ft_expect(&fe, field);

    assert_int_equal(rc, ERR_INVALID);
    if (needle && !strstr(m, needle)) {
        fprintf(stderr, "message for %s: \"%s\" lacks \"%s\"\n", field, m,
                needle);
        fail();
    }
    form_errors_dispose(&fe);
    form_request_dispose(r);
}

static void expect_valid(form_request *r, const form_context *ctx)
{
    form_errors fe = {0};
    int rc = form_validate(r, ctx, &fe);

    ft_dump(&fe);
    assert_int_equal(fe.n, 0);
    assert_int_equal(rc, 0);
    form_errors_dispose(&fe);
    form_request_dispose(r);
}

static void test_validate__example_is_valid(void **state)
{
    form_context c = ctx_full();
    form_request r = example();
    (void)state;

    expect_valid(&r, &c);
    r = example();
    expect_valid(&r, NULL);
}

static void test_validate__required_request_fields(void **state)
{
    form_context c = ctx_full();
    form_request r;
    (void)state;

    r = example();
    ufx_set(&r.title, "");
    expect(&r, &c, "title", "short name");
    r = example();
    ufx_set(&r.summary, "");
    expect(&r, &c, "summary", NULL);
    r = example();
    ufx_set(&r.instance, "");
    expect(&r, &c, "instance", NULL);
    r = example();
    ufx_set(&r.project_manager, "");
    expect(&r, &c, "project_manager", NULL);
}

static void test_validate__requester_only_when_asked(void **state)
{
    form_context c = ctx_full();
    form_request r;
    (void)state;

    r = example();
    ufx_set(&r.requester_email, "");
    expect(&r, &c, "requester_email", NULL);
    r = example();
    ufx_set(&r.organisation, "");
    expect(&r, &c, "organisation", NULL);
    r = example();
    ufx_set(&r.requester_name, "");
    expect(&r, &c, "requester_name", NULL);
    c.require_requester = 0;
    r = example();
    ufx_set(&r.requester_email, "");
    ufx_set(&r.requester_name, "");
    ufx_set(&r.organisation, "");
    expect_valid(&r, &c);
}

static void test_validate__lengths(void **state)
{
    form_context c = ctx_full();
    form_request r = example();
    char *big = xmalloc(FORM_MAX_TEXT + 2);
    (void)state;

    memset(big, 'x', FORM_MAX_TEXT + 1);
    big[FORM_MAX_TEXT + 1] = '\0';
    ufx_set(&r.summary, big);
    expect(&r, &c, "summary", "Shorten it");
    big[FORM_MAX_SHORT + 1] = '\0';
    r = example();
    ufx_set(&r.title, big);
    expect(&r, &c, "title", "Shorten it");
    /* The limit counts characters: 200 two-byte letters are fine. */
    r = example();
    {
        char *w = xmalloc(2 * FORM_MAX_SHORT + 1);
        for (int i = 0; i < FORM_MAX_SHORT; i++)
            memcpy(w + 2 * i, "\xc3\xa9", 2);
        w[2 * FORM_MAX_SHORT] = '\0';
        ufx_set(&r.title, w);
        free(w);
    }
    expect_valid(&r, &c);
    r = example();
    memset(big, 'x', FORM_MAX_TEXT + 1);
    ufx_set(&r.items[0].columns[0].description, big);
    expect(&r, &c, "items[0].columns[0].description", "Shorten it");
    free(big);
}

static void test_validate__text_control_characters(void **state)
{
    form_context c = ctx_full();
    form_request r;
    (void)state;

    r = example();
    ufx_set(&r.title, "two\nlines");
    expect(&r, &c, "title", "one line");
    r = example();
    ufx_set(&r.summary, "bell\a");
    expect(&r, &c, "summary", "control");
    r = example();
    ufx_set(&r.summary, "multi\nline\tsummary\r\n");
    expect_valid(&r, &c);
}

static void test_validate__emails(void **state)
{
    form_context c = ctx_full();
    form_request r;
    (void)state;

    r = example();
    ufx_set(&r.requester_email, "ann@acme");
    expect(&r, &c, "requester_email", "e-mail");
    r = example();
    ufx_set(&r.project_manager, "pm at platform");
    expect(&r, &c, "project_manager", "e-mail");
    r = example();
    ufx_set(&r.project_manager, "stranger@platform.example");
    expect(&r, &c, "project_manager", "those offered");
    /* Case does not matter for the allowed list. */
    r = example();
    ufx_set(&r.project_manager, "PM@Platform.example");
    expect_valid(&r, &c);
    r = example();
    ufx_set(&r.items[0].owner, "data-team@");
    expect(&r, &c, "items[0].owner", "e-mail");
    r = example();
    ufx_set(&r.items[0].escalation, "ops@@acme.example");
    expect(&r, &c, "items[0].escalation", NULL);
    r = example();
    ufx_set(&r.items[0].owner, "Data team, Ann Smith");
    expect_valid(&r, &c);
    assert_true(form_email_valid("a.b+c@x-y.example.org"));
    assert_false(form_email_valid("a@b"));
    assert_false(form_email_valid("a@-b.example"));
    assert_false(form_email_valid("a b@c.example"));
    assert_false(form_email_valid("a@b..example"));
    assert_false(form_email_valid("@b.example"));
}

static void test_validate__consent_note_required(void **state)
{
    form_context c = ctx_full();
    form_request r = example();
    (void)state;

    ufx_set(&r.consent_note, "");
    expect(&r, &c, "consent_note", "consent-related");
}

static void test_validate__desired_date(void **state)
{
    form_context c = ctx_full();
    form_request r;
    (void)state;

    r = example();
    ufx_set(&r.desired_date, "2026-02-30");
    expect(&r, &c, "desired_date", "date");
    r = example();
    ufx_set(&r.desired_date, "08/12/2026");
    expect(&r, &c, "desired_date", NULL);
    r = example();
    ufx_set(&r.desired_date, "2028-02-29"); /* leap year */
    expect_valid(&r, &c);
    r = example();
    c.today = "2027-01-01";
    expect(&r, &c, "desired_date", "past");
}

static void test_validate__instances(void **state)
{
    form_context c = ctx_full();
    form_request r;
    (void)state;

    r = example();
    ufx_set(&r.instance, "globex-prod");
    expect(&r, &c, "instance", "not an instance");
    r = example();
    ufx_set(&r.instances[1], "globex-prod");
    expect(&r, &c, "instances[1]", "not an instance");
    r = example();
    ufx_set(&r.instances[1], "acme-qa");
    expect(&r, &c, "instances[1]", "twice");
    r = example();
    ufx_set(&r.instance, "acme-qa");
    ufx_set(&r.instances[0], "acme-prod");
    ufx_set(&r.instances[1], "");
    expect(&r, &c, "instances[1]", NULL);
    /* The list must hold the main instance. */
    r = example();
    free(r.instances[1]);
    r.ninstances = 1;
    expect(&r, &c, "instances", "main instance");
}

static void test_validate__items_count(void **state)
{
    form_context c = ctx_full();
    form_request r = example();
    (void)state;

    for (size_t i = 0; i < r.nitems; i++)
        form_item_dispose(&r.items[i]);
    r.nitems = 0;
    expect(&r, &c, "items", "at least one");
    r = example();
    r.items = xrealloc(r.items, (FORM_MAX_ITEMS + 1) * sizeof *r.items);
    for (size_t i = r.nitems; i < FORM_MAX_ITEMS + 1; i++) {
        memset(&r.items[i], 0, sizeof r.items[i]);
        r.items[i].kind = FORM_ITEM_ADD_COLUMNS;
    }
    r.nitems = FORM_MAX_ITEMS + 1;
    expect(&r, &c, "items", "at most");
}

static void test_validate__new_table_requirements(void **state)
{
    form_context c = ctx_full();
    form_request r;
    (void)state;

    r = example();
    ufx_set(&r.items[0].source, "");
    expect(&r, &c, "items[0].source", "arrives");
    r = example();
    ufx_set(&r.items[0].cadence, "fortnightly");
    expect(&r, &c, "items[0].cadence", "Daily");
    r = example();
    ufx_set(&r.items[0].campaign_dependency, "");
    expect(&r, &c, "items[0].campaign_dependency", NULL);
    r = example();
    ufx_set(&r.items[0].campaign_dependency, "maybe");
    expect(&r, &c, "items[0].campaign_dependency", "options offered");
    r = example();
    ufx_set(&r.items[0].description, "");
    expect(&r, &c, "items[0].description", NULL);
    r = example();
    ufx_set(&r.items[0].source, "ftp");
    expect(&r, &c, "items[0].source", "Flat file (CSV)");
    r = example();
    for (size_t i = 0; i < r.items[0].ncolumns; i++)
        form_column_dispose(&r.items[0].columns[i]);
    r.items[0].ncolumns = 0;
    ufx_set(&r.items[0].primary_key, "");
    expect(&r, &c, "items[0].columns", "at least one column");
    r = example();
    ufx_set(&r.items[0].table, "");
    expect(&r, &c, "items[0].table", "Enter its name");
}

static void test_validate__feed_times(void **state)
{
    form_context c = ctx_full();
    form_request r;
    (void)state;

    r = example();
    ufx_set(&r.items[0].expected_arrival, "25:00");
    expect(&r, &c, "items[0].expected_arrival", "HH:MM");
    r = example();
    ufx_set(&r.items[0].expected_arrival, "5:00");
    expect(&r, &c, "items[0].expected_arrival", NULL);
    r = example();
    r.items[0].late_after_minutes = FORM_LATE_MAX + 1;
    expect(&r, &c, "items[0].late_after_minutes", "10080");
    r = example();
    r.items[0].late_after_minutes = -5;
    expect(&r, &c, "items[0].late_after_minutes", NULL);
    r = example();
    ufx_set(&r.items[0].expected_arrival, "23:59");
    r.items[0].late_after_minutes = FORM_LATE_MAX;
    expect_valid(&r, &c);
}

static void test_validate__add_columns_needs_columns(void **state)
{
    form_context c = ctx_full();
    form_request r = example();
    (void)state;

    form_column_dispose(&r.items[1].columns[0]);
    r.items[1].ncolumns = 0;
    expect(&r, &c, "items[1].columns", "column");
}

static void test_validate__attributes(void **state)
{
    form_context c = ctx_full();
    form_request r;
    (void)state;

    r = example();
    form_column_dispose(&r.items[2].columns[0]);
    r.items[2].ncolumns = 0;
    expect(&r, &c, "items[2].columns", "attribute");
    r = example();
    ufx_set(&r.items[2].columns[0].rule, "");
    expect(&r, &c, "items[2].columns[0].rule", "description");
    /* A description instead of a rule is enough. */
    r = example();
    ufx_set(&r.items[2].columns[0].rule, "");
    ufx_set(&r.items[2].columns[0].description, "Lifetime value in EUR");
    expect_valid(&r, &c);
    /* Retiring needs neither. */
    r = example();
    ufx_set(&r.items[2].columns[0].rule, "");
    r.items[2].columns[0].action = FORM_ACTION_RETIRE;
    expect_valid(&r, &c);
    /* A new attribute needs a type. */
    r = example();
    ufx_set(&r.items[2].columns[0].name, "loyalty_points");
    r.items[2].columns[0].action = FORM_ACTION_ADD;
    r.items[2].columns[0].type.kind = FORM_TYPE_NONE;
    expect(&r, &c, "items[2].columns[0].type", "new attribute");
}

static void test_validate__column_type_required(void **state)
{
    form_context c = ctx_full();
    form_request r = example();
    (void)state;

    r.items[0].columns[1].type.kind = FORM_TYPE_NONE;
    expect(&r, &c, "items[0].columns[1].type", "such as");
}

static void test_validate__identifiers(void **state)
{
    form_context c = ctx_full();
    form_request r;
    (void)state;

    r = example();
    ufx_set(&r.items[0].table, "loyalty members");
    expect(&r, &c, "items[0].table", "loyalty_members");
    r = example();
    ufx_set(&r.items[0].table, "2fa_codes");
    expect(&r, &c, "items[0].table", "digit");
    r = example();
    ufx_set(&r.items[0].table, "loyalty-members");
    expect(&r, &c, "items[0].table", "\"-\"");
    r = example();
    /* Cyrillic "а" (U+0430) in place of the Latin letter. */
    ufx_set(&r.items[0].table, "loy\xd0\xb0lty_members");
    expect(&r, &c, "items[0].table", "U+0430");
    r = example();
    ufx_set(&r.items[0].columns[1].name, "t\xc3\xa9r");
    expect(&r, &c, "items[0].columns[1].name", "U+00E9");
    r = example();
    ufx_set(&r.items[0].columns[1].name,
            "a_very_long_column_name_that_goes_on_and_on_and_on_past_63_bytes");
    expect(&r, &c, "items[0].columns[1].name", "63");
    /* reserved words are quoted, not refused; a PostgreSQL system column
       is refused when the dialects are not known (test_names.c) */
    r = example();
    ufx_set(&r.items[0].columns[1].name, "xmin");
    expect(&r, &c, "items[0].columns[1].name",
           "\"xmin_value\" or \"xmin_name\"");
    r = example();
    ufx_set(&r.items[0].table, "sqlite_master2");
    expect(&r, &c, "items[0].table", "SQLite");
}

static void test_validate__unique_columns(void **state)
{
    form_context c = ctx_full();
    form_request r;
    (void)state;

    r = example();
    ufx_set(&r.items[0].columns[1].name, "Member_ID");
    expect(&r, &c, "items[0].columns[1].name", "twice");
    /* Across items touching the same table (case-insensitive). */
    r = example();
    ufx_set(&r.items[2].columns[0].name, "LOYALTY_TIER");
    expect(&r, &c, "items[2].columns[0].name", "change 2");
    /* A table created twice. */
    r = example();
    ufx_set(&r.items[1].table, "Loyalty_Members");
    r.items[1].kind = FORM_ITEM_NEW_TABLE;
    expect(&r, &c, "items[1].table", "already creates");
}

static void test_validate__primary_key(void **state)
{
    form_context c = ctx_full();
    form_request r;
    (void)state;

    r = example();
    ufx_set(&r.items[0].primary_key, "member_no");
    expect(&r, &c, "items[0].primary_key", "member_no");
    r = example();
    ufx_set(&r.items[0].primary_key, "member_id, member_id");
    expect(&r, &c, "items[0].primary_key", "twice");
    r = example();
    r.items[0].columns[0].nullable = 1;
    expect(&r, &c, "items[0].columns[0].nullable", "key column");
    r = example();
    r.items[0].columns[1].primary_key = 1;
    r.items[0].columns[1].nullable = 0;
    expect(&r, &c, "items[0].columns[1].primary_key", "member_id");
    /* Two columns in the key, given with spaces. */
    r = example();
    ufx_set(&r.items[0].primary_key, " member_id , tier ");
    r.items[0].columns[1].primary_key = 1;
    r.items[0].columns[1].nullable = 0;
    expect_valid(&r, &c);
    /* Without a primary_key text, the flags define the key. */
    r = example();
    ufx_set(&r.items[0].primary_key, "");
    r.items[0].columns[0].nullable = 1;
    expect(&r, &c, "items[0].columns[0].nullable", NULL);
}

static void test_validate__consent_columns(void **state)
{
    form_context c = ctx_full();
    form_request r;
    (void)state;

    r = example();
    ufx_set(&r.items[0].columns[2].consent_channel, "");
    expect(&r, &c, "items[0].columns[2].consent_channel", "channel");
    r = example();
    ufx_set(&r.items[0].columns[2].consent_channel, "pigeon");
    expect(&r, &c, "items[0].columns[2].consent_channel", "Direct mail");
    r = example();
    ufx_set(&r.items[0].columns[1].consent_channel, "sms");
    expect(&r, &c, "items[0].columns[1].consent_channel", "holds consent");
    r = example();
    r.consent_related = 0;
    ufx_set(&r.consent_note, "");
    expect(&r, &c, "consent_related",
           "Change 1, column \"loyalty_email_opt_in\"");
}

static void test_validate__fields_of_other_kinds(void **state)
{
    form_context c = ctx_full();
    form_request r;
    (void)state;

    r = example();
    ufx_set(&r.items[1].source, "api");
    expect(&r, &c, "items[1].source", "Add columns");
    r = example();
    ufx_set(&r.items[2].primary_key, "lifetime_value");
    expect(&r, &c, "items[2].primary_key", "Customer attributes");
    r = example();
    r.items[1].columns[0].action = FORM_ACTION_RETIRE;
    expect(&r, &c, "items[1].columns[0].action", NULL);
    r = example();
    ufx_set(&r.items[1].columns[0].rule, "x");
    expect(&r, &c, "items[1].columns[0].rule", NULL);
    r = example();
    r.items[1].columns[0].primary_key = 1;
    expect(&r, &c, "items[1].columns[0].primary_key", NULL);
    r = example();
    r.items[0].kind = (form_item_kind)42;
    expect(&r, &c, "items[0].kind", NULL);
}

static void test_validate__registry(void **state)
{
    form_context c = ctx_full();
    form_request r;
    form_errors fe = {0};
    (void)state;

    /* A new table that exists already. */
    r = example();
    ufx_set(&r.items[0].table, "orders_archive");
    expect(&r, &c, "items[0].table", "acme-prod");
    /* Changing a table that does not exist (in one of the instances). */
    r = example();
    ufx_set(&r.items[1].table, "orders_archive");
    expect(&r, &c, "items[1].table", "acme-qa");
    /* Adding a column that exists. */
    r = example();
    ufx_set(&r.items[1].columns[0].name, "email");
    expect(&r, &c, "items[1].columns[0].name", "already exists");
    /* Changing an attribute that does not exist. */
    r = example();
    ufx_set(&r.items[2].columns[0].name, "lifetime_spend");
    expect(&r, &c, "items[2].columns[0].name", "does not exist");
    /* Adding columns to a table created in the same request is fine. */
    r = example();
    ufx_set(&r.items[1].table, "loyalty_members");
    expect_valid(&r, &c);
    /* Without callbacks nothing is looked up. */
    c.table_exists = NULL;
    r = example();
    ufx_set(&r.items[0].table, "orders_archive");
    expect_valid(&r, &c);
    /* A failed lookup is passed up. */
    c = ctx_full();
    fake_fail = 1;
    r = example();
    assert_int_equal(form_validate(&r, &c, &fe), ERR_DB);
    fake_fail = 0;
    form_request_dispose(&r);
    form_errors_dispose(&fe);
}

/* Callbacks that note every instance they are asked about. */
static char asked[512];

static int noting_table(void *cb, const char *inst, const char *table)
{
    (void)cb;
    (void)table;
    snprintf(asked + strlen(asked), sizeof asked - strlen(asked), "%s;", inst);
    return 1;
}

static int noting_column(void *cb, const char *inst, const char *table,
                         const char *col)
{
    (void)cb;
    (void)table;
    (void)col;
    snprintf(asked + strlen(asked), sizeof asked - strlen(asked), "%s;", inst);
    return 1;
}

static void test_validate__registry_only_for_listed_instances(void **state)
{
    form_context c = ctx_full();
    form_request r;
    form_errors fe = {0};
    (void)state;

    c.table_exists = noting_table;
    c.column_exists = noting_column;
    /* Another organisation's main instance and one in the list: errors on
       the names, and the registry is asked about acme-qa only. */
    r = example();
    ufx_set(&r.instance, "globex-prod");
    ufx_set(&r.instances[0], "acme-qa");
    ufx_set(&r.instances[1], "globex-prod");
    asked[0] = '\0';
    assert_int_equal(form_validate(&r, &c, &fe), ERR_INVALID);
    ft_expect(&fe, "instance");
    ft_expect(&fe, "instances[1]");
    assert_non_null(strstr(asked, "acme-qa;"));
    assert_null(strstr(asked, "globex"));
    /* Every error is about the names or about acme-qa, none of globex's
       tables or columns. */
    for (size_t i = 0; i < fe.n; i++)
        if (strncmp(fe.errs[i].field, "instance", 8))
            assert_null(strstr(fe.errs[i].message, "globex"));
    form_errors_dispose(&fe);
    form_request_dispose(&r);
    /* A name differing only in case is not the instance either. */
    r = example();
    ufx_set(&r.instance, "ACME-PROD");
    asked[0] = '\0';
    assert_int_equal(form_validate(&r, &c, &fe), ERR_INVALID);
    assert_null(strstr(asked, "ACME"));
    form_errors_dispose(&fe);
    form_request_dispose(&r);
    /* An organisation without instances: nothing is looked up. */
    c.instances = allowed_instances;
    c.ninstances = 0;
    r = example();
    asked[0] = '\0';
    assert_int_equal(form_validate(&r, &c, &fe), ERR_INVALID);
    assert_string_equal(asked, "");
    form_errors_dispose(&fe);
    form_request_dispose(&r);
}

static void test_validate__one_message_per_field(void **state)
{
    form_context c = ctx_full();
    form_request r = example();
    form_errors fe = {0};
    size_t n = 0;
    (void)state;

    /* A parse error already recorded for the field is not repeated. */
    form_errors_add(&fe, "items[0].columns[1].type", "parse said so");
    r.items[0].columns[1].type.kind = FORM_TYPE_NONE;
    assert_int_equal(form_validate(&r, &c, &fe), ERR_INVALID);
    for (size_t i = 0; i < fe.n; i++)
        n += !strcmp(fe.errs[i].field, "items[0].columns[1].type");
    assert_int_equal(n, 1);
    assert_string_equal(form_errors_get(&fe, "items[0].columns[1].type"),
                        "parse said so");
    form_errors_dispose(&fe);
    form_request_dispose(&r);
}

static void test_validate__date_time_helpers(void **state)
{
    (void)state;
    assert_true(form_date_valid("2024-02-29"));
    assert_false(form_date_valid("2023-02-29"));
    assert_false(form_date_valid("1900-02-29"));
    assert_true(form_date_valid("2000-02-29"));
    assert_false(form_date_valid("2024-13-01"));
    assert_false(form_date_valid("2024-1-01"));
    assert_true(form_time_valid("00:00"));
    assert_true(form_time_valid("23:59"));
    assert_false(form_time_valid("24:00"));
    assert_false(form_time_valid("12:60"));
    assert_false(form_time_valid("12:5"));
}

/* The day of a weekly or monthly feed and the anomaly thresholds. */
static void test_validate__feed_day_helpers(void **state)
{
    char out[12], msg[256];

    (void)state;
    assert_int_equal(form_weekday("mon"), 0);
    assert_int_equal(form_weekday("SUNDAY"), 6);
    assert_int_equal(form_weekday("Wed"), 2);
    assert_int_equal(form_weekday("mo"), -1);
    assert_int_equal(form_weekday(""), -1);
    assert_int_equal(form_weekday(NULL), -1);
    assert_int_equal(form_month_day("1"), 1);
    assert_int_equal(form_month_day("09"), 9);
    assert_int_equal(form_month_day("31"), 31);
    assert_int_equal(form_month_day("Last"), FORM_MONTH_LAST);
    assert_int_equal(form_month_day("0"), -1);
    assert_int_equal(form_month_day("32"), -1);
    assert_int_equal(form_month_day("+1"), -1);
    assert_int_equal(form_month_day("001"), -1);
    assert_int_equal(form_month_day(NULL), -1);
    /* stored spellings */
    assert_int_equal(form_expected_day(out, sizeof out, "weekly", "Tuesday",
                                       msg, sizeof msg),
                     0);
    assert_string_equal(out, "tue");
    assert_int_equal(
        form_expected_day(out, sizeof out, "monthly", "07", msg, sizeof msg),
        0);
    assert_string_equal(out, "7");
    assert_int_equal(
        form_expected_day(out, sizeof out, "monthly", "LAST", msg, sizeof msg),
        0);
    assert_string_equal(out, "last");
    assert_int_equal(
        form_expected_day(out, sizeof out, "daily", "", msg, sizeof msg), 0);
    assert_string_equal(out, "");
    assert_int_equal(
        form_expected_day(out, sizeof out, NULL, NULL, msg, sizeof msg), 0);
    /* refusals name the field */
    assert_int_equal(
        form_expected_day(out, sizeof out, "weekly", "", msg, sizeof msg),
        ERR_INVALID);
    assert_non_null(strstr(msg, "expected_day is required"));
    assert_int_equal(
        form_expected_day(out, sizeof out, "weekly", "15", msg, sizeof msg),
        ERR_INVALID);
    assert_non_null(strstr(msg, "mon to sun"));
    assert_int_equal(
        form_expected_day(out, sizeof out, "monthly", "fri", msg, sizeof msg),
        ERR_INVALID);
    assert_non_null(strstr(msg, "1 to 31"));
    assert_int_equal(
        form_expected_day(out, sizeof out, "hourly", "mon", msg, sizeof msg),
        ERR_INVALID);
    assert_non_null(strstr(msg, "only weekly and monthly"));
    assert_int_equal(form_anomaly_low_check(0, NULL, 0), 0);
    assert_int_equal(form_anomaly_low_check(100, NULL, 0), 0);
    assert_int_equal(form_anomaly_low_check(101, msg, sizeof msg), ERR_INVALID);
    assert_non_null(strstr(msg, "anomaly_low_pct"));
    assert_int_equal(form_anomaly_low_check(-1, NULL, 0), ERR_INVALID);
    assert_int_equal(form_anomaly_high_check(0, NULL, 0), 0);
    assert_int_equal(form_anomaly_high_check(100, NULL, 0), 0);
    assert_int_equal(form_anomaly_high_check(100000, NULL, 0), 0);
    assert_int_equal(form_anomaly_high_check(99, msg, sizeof msg), ERR_INVALID);
    assert_non_null(strstr(msg, "anomaly_high_pct"));
    assert_int_equal(form_anomaly_high_check(100001, NULL, 0), ERR_INVALID);
}

UFX_MAIN(cmocka_unit_test(test_validate__example_is_valid),
         cmocka_unit_test(test_validate__required_request_fields),
         cmocka_unit_test(test_validate__requester_only_when_asked),
         cmocka_unit_test(test_validate__lengths),
         cmocka_unit_test(test_validate__text_control_characters),
         cmocka_unit_test(test_validate__emails),
         cmocka_unit_test(test_validate__consent_note_required),
         cmocka_unit_test(test_validate__desired_date),
         cmocka_unit_test(test_validate__instances),
         cmocka_unit_test(test_validate__items_count),
         cmocka_unit_test(test_validate__new_table_requirements),
         cmocka_unit_test(test_validate__feed_times),
         cmocka_unit_test(test_validate__add_columns_needs_columns),
         cmocka_unit_test(test_validate__attributes),
         cmocka_unit_test(test_validate__column_type_required),
         cmocka_unit_test(test_validate__identifiers),
         cmocka_unit_test(test_validate__unique_columns),
         cmocka_unit_test(test_validate__primary_key),
         cmocka_unit_test(test_validate__consent_columns),
         cmocka_unit_test(test_validate__fields_of_other_kinds),
         cmocka_unit_test(test_validate__registry),
         cmocka_unit_test(test_validate__registry_only_for_listed_instances),
         cmocka_unit_test(test_validate__one_message_per_field),
         cmocka_unit_test(test_validate__date_time_helpers),
         cmocka_unit_test(test_validate__feed_day_helpers))
