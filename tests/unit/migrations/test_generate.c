/* test_generate.c: migrate_generate() beyond the golden files: every lint
 * rule once, stable versions and file names, down migrations never empty,
 * errors for requests that cannot become statements. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "migrate.h"
#include "migrate_int.h"
#include "fixture.h"
#include "migrations_test.h"

#include <stdio.h>

static const migrate_options opts = {"https://docket.example.com", 1, NULL};

static void generate(migrate_result *res, const form_request *r, sql_dialect d,
                     migrate_format f)
{
    errmsg err = {0};

    memset(res, 0, sizeof *res);
    if (migrate_generate(res, r, d, f, &opts, &err) < 0)
        fail_msg("migrate_generate: %s", err.msg);
}

/* Number of warnings of rule about (item, column). */
static int count(const migrate_result *res, migrate_lint rule, int item,
                 int column)
{
    int n = 0;

    for (size_t i = 0; i < res->nwarnings; i++)
        if (res->warnings[i].rule == rule && res->warnings[i].item == item &&
            res->warnings[i].column == column)
            n++;
    return n;
}

/* Generates r in d (plain format) and checks exactly one warning of rule at
 * (item, column), which the file header repeats. */
static void expect_rule(const form_request *r, sql_dialect d, migrate_format f,
                        migrate_lint rule, int item, int column)
{
    migrate_result res;
    char tag[64];

    generate(&res, r, d, f);
    if (count(&res, rule, item, column) != 1) {
        for (size_t i = 0; i < res.nwarnings; i++)
            print_error("  [%s] %d/%d %s\n",
                        migrate_lint_name(res.warnings[i].rule),
                        res.warnings[i].item, res.warnings[i].column,
                        res.warnings[i].message);
        fail_msg("want one %s at item %d column %d in %s",
                 migrate_lint_name(rule), item, column, sql_dialect_name(d));
    }
    snprintf(tag, sizeof tag, "WARNING [%s]", migrate_lint_name(rule));
    for (size_t i = 0; i < res.nfiles; i++)
        assert_non_null(strstr(res.files[i].content, tag));
    migrate_result_dispose(&res);
}

static void test_migrations__lint_each_rule(void **state)
{
    form_request r;
    form_item *it;
    form_column *c;
    char longname[80];

    (void)state;
    memset(longname, 'x', 64);
    longname[64] = '\0';

    fx_request_init(&r, 7, "Lint");
    it = fx_item(&r, FORM_ITEM_ADD_COLUMNS, "t"); /* item 0 */
    fx_col(it, "a", "integer", 0, "");            /* not null */
    c = fx_col(it, "b", "string(10)", 1, "");     /* pii, no desc */
    c->pii = 1;
    c = fx_col(it, "c", "boolean", 1, "opt-in"); /* consent */
    c->consent = 1;
    c = fx_col(it, longname, "integer", 1, "");    /* too long in PG */
    fx_col(it, "select", "integer", 1, "");        /* reserved */
    it = fx_item(&r, FORM_ITEM_NEW_TABLE, "feed"); /* item 1 */
    ufx_set(&it->campaign_dependency, "required");
    c = fx_col(it, "id", "text", 0, "");
    c->primary_key = 1; /* MySQL key */
    it = fx_item(&r, FORM_ITEM_CUSTOMER_ATTRIBUTES, "customers"); /* 2 */
    c = fx_col(it, "score", "integer", 1, "");
    c->action = FORM_ACTION_CHANGE;
    fx_old_type(c, "bigint"); /* lossy */
    c = fx_col(it, "band", "string(5)", 1, "");
    c->action = FORM_ACTION_CHANGE;    /* old unknown */
    c = fx_col(it, "tier", "", 1, ""); /* no type */
    c = fx_col(it, "code", "string(80)", 1, "Rule: ${env}");
    c->action = FORM_ACTION_CHANGE;
    fx_old_type(c, "string(40)");

    expect_rule(&r, SQL_POSTGRES, MIGRATE_PLAIN,
                MIGRATE_LINT_NOT_NULL_NO_DEFAULT, 0, 0);
    expect_rule(&r, SQL_POSTGRES, MIGRATE_PLAIN,
                MIGRATE_LINT_PII_NO_DESCRIPTION, 0, 1);
    expect_rule(&r, SQL_POSTGRES, MIGRATE_PLAIN,
                MIGRATE_LINT_CONSENT_NOT_FLAGGED, 0, 2);
    expect_rule(&r, SQL_POSTGRES, MIGRATE_PLAIN, MIGRATE_LINT_NAME_TOO_LONG, 0,
                3);
    expect_rule(&r, SQL_MYSQL, MIGRATE_PLAIN, MIGRATE_LINT_RESERVED_WORD, 0, 4);
    expect_rule(&r, SQL_SQLITE, MIGRATE_PLAIN, MIGRATE_LINT_CAMPAIGN_NO_ARRIVAL,
                1, -1);
    expect_rule(&r, SQL_MYSQL, MIGRATE_PLAIN, MIGRATE_LINT_PRIMARY_KEY, 1, 0);
    expect_rule(&r, SQL_POSTGRES, MIGRATE_PLAIN, MIGRATE_LINT_LOSSY_CHANGE, 2,
                0);
    expect_rule(&r, SQL_POSTGRES, MIGRATE_PLAIN, MIGRATE_LINT_OLD_TYPE_UNKNOWN,
                2, 1);
    expect_rule(&r, SQL_POSTGRES, MIGRATE_PLAIN, MIGRATE_LINT_NO_TYPE, 2, 2);
    expect_rule(&r, SQL_MYSQL, MIGRATE_PLAIN, MIGRATE_LINT_MODIFY_RESTATES, 2,
                0);
    expect_rule(&r, SQL_SQLITE, MIGRATE_PLAIN, MIGRATE_LINT_MANUAL_CHANGE, 2,
                0);
    expect_rule(&r, SQL_SNOWFLAKE, MIGRATE_PLAIN, MIGRATE_LINT_MANUAL_CHANGE, 2,
                3); /* narrowing back */
    expect_rule(&r, SQL_POSTGRES, MIGRATE_FLYWAY, MIGRATE_LINT_PLACEHOLDER, 2,
                3);

    {
        /* Limits depend on the dialect; the rule does not fire elsewhere. */
        migrate_result res;
        generate(&res, &r, SQL_SQLITE, MIGRATE_PLAIN);
        assert_int_equal(count(&res, MIGRATE_LINT_NAME_TOO_LONG, 0, 3), 0);
        assert_int_equal(count(&res, MIGRATE_LINT_PLACEHOLDER, 2, 3), 0);
        migrate_result_dispose(&res);
        generate(&res, &r, SQL_MYSQL, MIGRATE_PLAIN);
        assert_int_equal(count(&res, MIGRATE_LINT_NAME_TOO_LONG, 0, 3), 0);
        migrate_result_dispose(&res);
        generate(&res, &r, SQL_POSTGRES, MIGRATE_PLAIN);
        assert_int_equal(count(&res, MIGRATE_LINT_PRIMARY_KEY, 1, 0), 0);
        /* widening (string(40) -> string(80)) is not lossy */
        assert_int_equal(count(&res, MIGRATE_LINT_LOSSY_CHANGE, 2, 3), 0);
        migrate_result_dispose(&res);
    }
    r.consent_related = 1;
    {
        migrate_result res;
        generate(&res, &r, SQL_POSTGRES, MIGRATE_PLAIN);
        assert_int_equal(count(&res, MIGRATE_LINT_CONSENT_NOT_FLAGGED, 0, 2),
                         0);
        migrate_result_dispose(&res);
    }
    form_request_dispose(&r);
}

static void test_migrations__mysql_comment_truncated(void **state)
{
    form_request r;
    form_item *it;
    migrate_result res;
    char *col = xmalloc(1100 * 2 + 1), *tab = xmalloc(2100 * 2 + 1);
    const char *end;

    (void)state;
    /* two-byte characters: the limit counts characters, not bytes */
    for (int i = 0; i < 1100; i++)
        memcpy(col + 2 * i, "\xc3\xa9", 2);
    col[2200] = '\0';
    for (int i = 0; i < 2100; i++)
        memcpy(tab + 2 * i, "\xc3\xa9", 2);
    tab[4200] = '\0';
    fx_request_init(&r, 8, "Long comments");
    it = fx_item(&r, FORM_ITEM_NEW_TABLE, "t");
    ufx_set(&it->description, tab);
    fx_col(it, "c", "integer", 1, col);
    generate(&res, &r, SQL_MYSQL, MIGRATE_PLAIN);
    assert_int_equal(count(&res, MIGRATE_LINT_COMMENT_TRUNCATED, 0, 0), 1);
    assert_int_equal(count(&res, MIGRATE_LINT_COMMENT_TRUNCATED, 0, -1), 1);
    end = strstr(res.files[0].content, "`c` INT NULL COMMENT '");
    assert_non_null(end);
    end += strlen("`c` INT NULL COMMENT '");
    assert_int_equal(strcspn(end, "'"), 2048); /* 1024 characters */
    migrate_result_dispose(&res);
    generate(&res, &r, SQL_POSTGRES, MIGRATE_PLAIN);
    assert_int_equal(res.nwarnings, 0);
    migrate_result_dispose(&res);
    form_request_dispose(&r);
    free(col);
    free(tab);
}

static void test_migrations__type_loss(void **state)
{
    static const struct {
        const char *from, *to;
        int lossy;
    } cases[] = {
        {"string(100)", "string(50)", 1},
        {"string(50)", "string(100)", 0},
        {"string(50)", "text", 0},
        {"text", "string(50)", 1},
        {"decimal(12,2)", "decimal(12,1)", 1},
        {"decimal(12,2)", "decimal(11,2)", 1},
        {"decimal(12,2)", "decimal(14,4)", 0},
        {"bigint", "integer", 1},
        {"integer", "bigint", 0},
        {"integer", "decimal(12,2)", 0},
        {"bigint", "decimal(12,2)", 1},
        {"decimal(9,0)", "integer", 0},
        {"decimal(9,1)", "integer", 1},
        {"text", "integer", 1},
        {"string(10)", "decimal(5,2)", 1},
        {"json", "bigint", 1},
        {"integer", "boolean", 1},
        {"text", "boolean", 1},
        {"boolean", "boolean", 0},
        {"boolean", "integer", 0},
        {"timestamp", "date", 1},
        {"date", "timestamp", 0},
        {"timestamp with time zone", "timestamp", 1},
        {"timestamp", "timestamp with time zone", 1},
        {"string(20)", "date", 1},
        {"integer", "string(5)", 1},
        {"integer", "string(11)", 0},
        {"text", "json", 1},
        {"json", "text", 0},
        {"date", "integer", 1},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        form_type a = {0}, b = {0};
        char why[160] = "";
        assert_int_equal(form_type_parse(&a, cases[i].from, NULL), 0);
        assert_int_equal(form_type_parse(&b, cases[i].to, NULL), 0);
        if (mig_type_lossy(why, sizeof why, &a, &b) != cases[i].lossy)
            fail_msg("%s -> %s: want lossy=%d (%s)", cases[i].from, cases[i].to,
                     cases[i].lossy, why);
        if (cases[i].lossy)
            assert_true(why[0] != '\0');
    }
}

static void test_migrations__stable_versions_and_names(void **state)
{
    static const char *want[MIGRATE_NFORMATS][2] = {
        {"20260303140000_cr_12_add_loyalty_tier.up.sql",
         "20260303140000_cr_12_add_loyalty_tier.down.sql"},
        {"V20260303140000__cr_12_add_loyalty_tier.sql",
         "U20260303140000__cr_12_add_loyalty_tier.sql"},
        {"20260303140000_cr_12_add_loyalty_tier.sql", NULL},
        {"20260303140000_cr_12_add_loyalty_tier.sql", NULL},
        {"20260303140000_cr_12_add_loyalty_tier.sql", NULL},
        {"20260303140000_cr_12_add_loyalty_tier.sql", NULL},
    };
    form_request r;
    migrate_result a, b;
    migrate_options qa = {NULL, 0, "acme_qa"}, bad = {NULL, 0, "acme_dev"};
    errmsg err = {0};

    (void)state;
    fixture_request(&r);
    for (int f = 0; f < MIGRATE_NFORMATS; f++) {
        generate(&a, &r, SQL_POSTGRES, (migrate_format)f);
        generate(&b, &r, SQL_POSTGRES, (migrate_format)f);
        assert_int_equal(a.nfiles, want[f][1] ? 2 : 1);
        for (size_t i = 0; i < a.nfiles; i++) {
            assert_string_equal(a.files[i].name, want[f][i]);
            assert_string_equal(a.files[i].name, b.files[i].name);
            assert_string_equal(a.files[i].content, b.files[i].content);
        }
        migrate_result_dispose(&a);
        migrate_result_dispose(&b);
    }
    /* Every instance of the request gets created_at itself. */
    assert_int_equal(
        migrate_generate(&a, &r, SQL_MYSQL, MIGRATE_DBMATE, &qa, &err), 0);
    assert_string_equal(a.files[0].name,
                        "20260303140000_cr_12_add_loyalty_tier.sql");
    assert_non_null(strstr(a.files[0].content, "-- Instance: acme_qa ("));
    assert_null(strstr(a.files[0].content, "-- Generated: 19")); /* 0: none */
    assert_null(strstr(a.files[0].content, "Request page"));
    migrate_result_dispose(&a);
    /* An instance the request does not name is refused. */
    assert_int_equal(
        migrate_generate(&a, &r, SQL_MYSQL, MIGRATE_DBMATE, &bad, &err),
        ERR_INVALID);
    assert_string_equal(err.field, "instance");
    /* The slug keeps ASCII letters and digits only. */
    ufx_set(&r.title, "  Ändern: \"Kunden\"-Tabelle -- v2!! ");
    generate(&a, &r, SQL_SQLITE, MIGRATE_GOOSE);
    assert_string_equal(a.files[0].name,
                        "20260303140000_cr_12_ndern_kunden_tabelle_v2.sql");
    migrate_result_dispose(&a);
    form_request_dispose(&r);
}

/* The text after marker up to the next marker (or the end). */
static int section_has_content(const char *file, const char *marker,
                               const char *next)
{
    const char *s = strstr(file, marker), *e;

    if (!s)
        return 0;
    s += strlen(marker);
    e = next ? strstr(s, next) : NULL;
    if (!e)
        e = s + strlen(s);
    for (; s < e; s++)
        if (*s != '\n' && *s != ' ')
            return 1;
    return 0;
}

static void check_down_not_empty(const form_request *r)
{
    for (int d = 0; d < SQL_NDIALECTS; d++)
        for (int f = 0; f < MIGRATE_NFORMATS; f++) {
            migrate_result res;
            const char *text;
            generate(&res, r, (sql_dialect)d, (migrate_format)f);
            text = res.files[res.nfiles - 1].content;
            switch (f) {
            case MIGRATE_PLAIN:
            case MIGRATE_FLYWAY:
                assert_int_equal(res.nfiles, 2);
                assert_true(section_has_content(text, "-- This file: ", NULL));
                assert_non_null(strstr(text, "\n\n-- "));
                break;
            case MIGRATE_DBMATE:
                assert_true(
                    section_has_content(text, "-- migrate:down\n", NULL));
                break;
            case MIGRATE_GOOSE:
                assert_true(
                    section_has_content(text, "-- +goose Down\n", NULL));
                break;
            case MIGRATE_LIQUIBASE: {
                /* every changeset says how it is undone */
                const char *cs = text;
                while ((cs = strstr(cs, "\n--changeset ")) != NULL) {
                    const char *next = strstr(cs + 1, "\n--changeset ");
                    const char *rb = strstr(cs, "\n--rollback ");
                    const char *no = strstr(cs, "No automatic undo");
                    assert_true((rb && (!next || rb < next)) ||
                                (no && (!next || no < next)));
                    cs++;
                }
                break;
            }
            default:
                if (r->nitems)
                    assert_non_null(strstr(text, "-- | Undo "));
                break;
            }
            migrate_result_dispose(&res);
        }
}

static void test_migrations__down_never_empty(void **state)
{
    form_request r;
    form_item *it;
    form_column *c;

    (void)state;
    fixture_request(&r);
    check_down_not_empty(&r);
    form_request_dispose(&r);

    fx_request_init(&r, 3, "Nothing runs");
    it = fx_item(&r, FORM_ITEM_CUSTOMER_ATTRIBUTES, "customers");
    c = fx_col(it, "fax", "", 1, "");
    c->action = FORM_ACTION_RETIRE;
    check_down_not_empty(&r);
    form_request_dispose(&r);

    fx_request_init(&r, 4, "Empty");
    check_down_not_empty(&r);
    form_request_dispose(&r);
}

static void test_migrations__refuses_what_cannot_be_written(void **state)
{
    form_request r;
    form_item *it;
    migrate_result res = {0};
    errmsg err = {0};

    (void)state;
    fx_request_init(&r, 5, "Bad");
    it = fx_item(&r, FORM_ITEM_NEW_TABLE, "t");
    assert_int_equal(
        migrate_generate(&res, &r, SQL_POSTGRES, MIGRATE_PLAIN, NULL, &err),
        ERR_INVALID);
    assert_string_equal(err.field, "items[0].columns");
    assert_null(res.files);
    fx_col(it, "a", "", 1, "");
    err_clear(&err);
    assert_int_equal(
        migrate_generate(&res, &r, SQL_POSTGRES, MIGRATE_PLAIN, NULL, &err),
        ERR_INVALID);
    assert_string_equal(err.field, "items[0].columns[0].type");
    ufx_set(&it->columns[0].name, "a\nb");
    err_clear(&err);
    assert_int_equal(
        migrate_generate(&res, &r, SQL_POSTGRES, MIGRATE_PLAIN, NULL, &err),
        ERR_INVALID);
    assert_string_equal(err.field, "items[0].columns[0].name");
    ufx_set(&it->table, "");
    err_clear(&err);
    assert_int_equal(
        migrate_generate(&res, &r, SQL_POSTGRES, MIGRATE_PLAIN, NULL, &err),
        ERR_INVALID);
    assert_string_equal(err.field, "items[0].table");
    err_clear(&err);
    assert_int_equal(
        migrate_generate(&res, &r, SQL_NDIALECTS, MIGRATE_PLAIN, NULL, &err),
        ERR_INVALID);
    assert_null(res.files);
    migrate_result_dispose(NULL);
    form_request_dispose(&r);
}

static void test_migrations__header(void **state)
{
    form_request r;
    migrate_result res;
    const char *t;

    (void)state;
    fixture_request(&r);
    generate(&res, &r, SQL_SNOWFLAKE, MIGRATE_LIQUIBASE);
    t = res.files[0].content;
    assert_true(str_startswith(t, "--liquibase formatted sql\n\n-- CR-12: "
                                  "Add loyalty tier\n"));
    assert_non_null(strstr(t, "\n-- Requester: Jane Doe "
                              "<jane.doe@acme.example>\n"));
    assert_non_null(strstr(t, "\n-- Project manager: pm@docket.example\n"));
    assert_non_null(strstr(t, "\n-- Request page: "
                              "https://docket.example.com/requests/12\n"));
    assert_non_null(strstr(t, "\n-- Generated: 1970-01-01T00:00:01Z by "));
    assert_non_null(strstr(t, "\n-- Consent-related: yes\n"));
    assert_non_null(strstr(t, "\n-- Consent note: see the DPA"));
    assert_non_null(strstr(t, "campaign dependency required"));
    assert_non_null(strstr(t, "- consent columns: \"email_opt_in\" (email)"));
    assert_non_null(strstr(t, "\n--changeset docket:CR-12-1\n"));
    /* No line of user text may look like a directive of any tool. */
    for (const char *line = t; *line; line += strcspn(line, "\n") + 1) {
        if (str_startswith(line, "--changeset ") ||
            str_startswith(line, "--rollback ") ||
            str_startswith(line, "--liquibase "))
            continue;
        assert_false(str_ncasecmp(line, "-- rollback", 11) == 0);
        assert_false(str_ncasecmp(line, "-- +goose", 9) == 0);
        assert_false(str_ncasecmp(line, "-- migrate:", 11) == 0);
        if (!line[strcspn(line, "\n")])
            break;
    }
    migrate_result_dispose(&res);
    form_request_dispose(&r);
}

UFX_MAIN(cmocka_unit_test(test_migrations__lint_each_rule),
         cmocka_unit_test(test_migrations__mysql_comment_truncated),
         cmocka_unit_test(test_migrations__type_loss),
         cmocka_unit_test(test_migrations__stable_versions_and_names),
         cmocka_unit_test(test_migrations__down_never_empty),
         cmocka_unit_test(test_migrations__refuses_what_cannot_be_written),
         cmocka_unit_test(test_migrations__header))
