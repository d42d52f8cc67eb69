/* test_card.c: registry/catalog_card.c: a table's card carries every
 * field of the API document (rules, columns, history, organisation); a
 * client asking for another organisation's table gets the not-found of
 * a missing one; the JSON written from the card is the API document. */
#include "card_fixture.h"

#include <cjson/cJSON.h>

static void test_card__fields_rules_columns_history(void **state)
{
    ufx *f = *state;
    registry_card c = {0};
    errmsg err = {0};

    assert_int_equal(registry_table_card(f->reg, &c, "acme-prod",
                                         "LOYALTY_MEMBERS", 0, &err),
                     0);
    assert_int_equal(c.org_id, f->org_a);
    assert_string_equal(c.organisation, "acme");
    assert_string_equal(c.instance, "acme-prod");
    assert_string_equal(c.environment, "production");
    assert_string_equal(c.table, "loyalty_members");
    assert_string_equal(c.description, "One row per member.");
    assert_string_equal(c.url, "/tables/acme-prod/loyalty_members");
    assert_int_equal(c.status, REGISTRY_ENTRY_ACTIVE);
    assert_int_equal(c.rules.campaign_dependency, REGISTRY_DEP_REQUIRED);
    assert_string_equal(c.rules.campaign_note, "Wait for it.");
    assert_string_equal(c.rules.expected_arrival, "23:30");
    assert_int_equal(c.rules.late_after_minutes, 45);
    assert_string_equal(c.rules.missing_after, "00:15");
    assert_string_equal(c.rules.owner, "data@acme.example");
    assert_string_equal(c.rules.runbook, "Call Kim.");
    assert_string_equal(c.rules.source, "");
    assert_int_equal(c.ncolumns,
                     ufx_int(f, "SELECT count(*) FROM reg_columns c JOIN"
                                " reg_tables t ON t.id = c.table_id WHERE"
                                " t.name = 'loyalty_members'"));
    assert_string_equal(c.columns[0].name, "member_id");
    assert_string_equal(c.columns[0].type, "bigint");
    assert_int_equal(c.columns[0].nullable, 0);
    assert_int_equal(c.columns[0].primary_key, 1);
    assert_string_equal(c.columns[1].name, "email_opt_in");
    assert_int_equal(c.columns[1].pii, 1);
    assert_int_equal(c.columns[1].consent, 1);
    assert_string_equal(c.columns[1].consent_channel, "email");
    assert_int_equal(c.columns[1].added_by_request, 0);
    /* The import wrote the history, newest first, by Pat. */
    assert_true(c.nhistory >= 3);
    assert_true(c.history[0].id > c.history[1].id);
    assert_string_equal(c.history[0].user, "Pat");
    assert_string_equal(c.history[0].reason, "import");
    assert_null(c.history[c.nhistory - 1].old_value);
    assert_int_equal(c.nopen, 0);
    assert_int_equal(registry_card_open_load(f->reg, &c, &err), 0);
    assert_int_equal(c.nopen, 0);
    registry_card_free(&c);
    assert_null(c.table);
    registry_card_free(&c); /* twice, and NULL: nothing */
    registry_card_free(NULL);
}

static void test_card__other_tenant_is_not_found(void **state)
{
    ufx *f = *state;
    registry_card c = {0}, mine = {0};
    errmsg missing = {0}, other = {0};

    /* globex's own table as globex sees it. */
    assert_int_equal(registry_table_card(f->reg, &mine, "globex-prod",
                                         "secret_orders", f->org_b, &other),
                     0);
    assert_int_equal(mine.rules.campaign_dependency, REGISTRY_DEP_OPTIONAL);
    assert_int_equal(mine.ncolumns, 2);
    registry_card_free(&mine);
    /* acme asking for it: the answer of a table that does not exist. */
    assert_int_equal(registry_table_card(f->reg, &c, "globex-prod",
                                         "secret_orders", f->org_a, &other),
                     ERR_NOTFOUND);
    assert_int_equal(registry_table_card(f->reg, &c, "globex-prod",
                                         "no_such_table", f->org_a, &missing),
                     ERR_NOTFOUND);
    assert_null(c.table); /* *out untouched */
    assert_null(strstr(other.msg, "hidden_margin"));
    assert_null(strstr(other.msg, "globex\""));
    assert_string_equal(other.msg,
                        "no table secret_orders in instance globex-prod");
    assert_string_equal(missing.msg,
                        "no table no_such_table in instance globex-prod");
}

static void test_card__json_is_the_api_document(void **state)
{
    ufx *f = *state;
    registry_card c = {0};
    errmsg err = {0};
    cJSON *t, *from_card, *rules, *col, *last;
    char *a, *b;

    t = registry_table_json(f->reg, "acme-prod", "loyalty_members", &err);
    assert_non_null(t);
    assert_int_equal(registry_table_card(f->reg, &c, "acme-prod",
                                         "loyalty_members", f->org_a, &err),
                     0);
    from_card = registry_card_json(&c);
    a = cJSON_PrintUnformatted(t);
    b = cJSON_PrintUnformatted(from_card);
    assert_string_equal(a, b);
    /* The document's keys, in the API's order. */
    assert_non_null(strstr(a, "{\"instance\":\"acme-prod\",\"environment\":"
                              "\"production\",\"organisation\":\"acme\","
                              "\"table\":\"loyalty_members\","));
    assert_non_null(strstr(a, ",\"url\":\"/tables/acme-prod/loyalty_members\","
                              "\"rules\":{\"campaign_dependency\":"
                              "\"required\",\"campaign_note\":"
                              "\"Wait for it.\",\"expected_arrival\":"
                              "\"23:30\",\"late_after_minutes\":45,"
                              "\"missing_after\":\"00:15\","));
    assert_non_null(strstr(a, "\"created_by_request\":null,\"columns\":[{"
                              "\"name\":\"member_id\",\"type\":\"bigint\","
                              "\"nullable\":false,\"primary_key\":true,"));
    rules = cJSON_GetObjectItemCaseSensitive(t, "rules");
    assert_true(cJSON_IsTrue(
        cJSON_GetObjectItemCaseSensitive(rules, "consent_relevant")));
    col = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(t, "columns"), 1);
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(col, "status")->valuestring, "active");
    last = cJSON_GetObjectItemCaseSensitive(t, "last_change");
    assert_true(cJSON_IsObject(last));
    assert_true(cJSON_Compare(
        last,
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(t, "history"), 0),
        1));
    cJSON_free(a);
    cJSON_free(b);
    cJSON_Delete(t);
    cJSON_Delete(from_card);
    registry_card_free(&c);
    err_clear(&err);
    assert_null(registry_table_json(f->reg, "acme-prod", "nope", &err));
    assert_int_equal(err.code, ERR_NOTFOUND);
}

static void test_card__name_tables(void **state)
{
    registry_dep d = REGISTRY_DEP_OPTIONAL;
    registry_entry_status s = REGISTRY_ENTRY_RETIRED;

    (void)state;
    assert_string_equal(registry_dep_name(REGISTRY_DEP_UNSET), "");
    assert_string_equal(registry_dep_name(REGISTRY_DEP_REQUIRED), "required");
    assert_string_equal(registry_dep_name(REGISTRY_DEP_OPTIONAL), "optional");
    assert_string_equal(registry_dep_name((registry_dep)42), "");
    assert_int_equal(registry_dep_parse(&d, NULL), 0);
    assert_int_equal(d, REGISTRY_DEP_UNSET);
    assert_int_equal(registry_dep_parse(&d, "required"), 0);
    assert_int_equal(d, REGISTRY_DEP_REQUIRED);
    assert_int_equal(registry_dep_parse(&d, "Required"), ERR_INVALID);
    assert_int_equal(d, REGISTRY_DEP_REQUIRED);
    for (int i = REGISTRY_ENTRY_ACTIVE; i <= REGISTRY_ENTRY_RETIRED; i++) {
        assert_int_equal(
            registry_entry_status_parse(
                &s, registry_entry_status_name((registry_entry_status)i)),
            0);
        assert_int_equal(s, i);
    }
    assert_int_equal(registry_entry_status_parse(&s, "gone"), ERR_INVALID);
    assert_int_equal(registry_entry_status_parse(&s, NULL), ERR_INVALID);
}

/* The import's CSV reader through the card: BOM, CRLF, quoted cells with
 * commas, doubled quotes and line breaks; an unclosed quote and text
 * after a closing quote are problems at their lines, nothing written. */
static void test_card__import_csv_reader(void **state)
{
    ufx *f = *state;
    static const char good[] = "\xef\xbb\xbftable,column,type,description\r\n"
                               "quoted,a,text,\"one, \"\"two\"\"\nthree\"\r\n"
                               "\r\n"
                               "quoted,b,integer,plain\r\n";
    static const char unclosed[] = "table,column,type\nt,c,\"text\n";
    static const char after[] = "table,column,type\n\nt,\"c\"x,text\n";
    registry_import_report rep = {0};
    registry_card c = {0};
    errmsg err = {0};

    ufx_import(f, "acme-qa", good);
    assert_int_equal(
        registry_table_card(f->reg, &c, "acme-qa", "quoted", 0, &err), 0);
    assert_int_equal(c.ncolumns, 2);
    assert_string_equal(c.columns[0].description, "one, \"two\"\nthree");
    assert_string_equal(c.columns[1].type, "integer");
    registry_card_free(&c);
    assert_int_equal(registry_import_csv(f->reg, &rep, "acme-qa", unclosed,
                                         sizeof unclosed - 1, 0, &err),
                     ERR_INVALID);
    assert_int_equal(rep.nproblems, 1);
    assert_int_equal(rep.problems[0].line, 2);
    assert_string_equal(rep.problems[0].message, "a quoted cell is not closed");
    registry_import_report_dispose(&rep);
    err_clear(&err);
    assert_int_equal(registry_import_csv(f->reg, &rep, "acme-qa", after,
                                         sizeof after - 1, 0, &err),
                     ERR_INVALID);
    assert_int_equal(rep.problems[0].line, 3);
    assert_string_equal(rep.problems[0].message,
                        "text after the closing quote of a cell");
    registry_import_report_dispose(&rep);
    assert_int_equal(
        ufx_int(f, "SELECT count(*) FROM reg_tables WHERE name = 't'"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_card__fields_rules_columns_history,
                                        cfx_setup, ufx_teardown),
        cmocka_unit_test_setup_teardown(test_card__other_tenant_is_not_found,
                                        cfx_setup, ufx_teardown),
        cmocka_unit_test_setup_teardown(test_card__json_is_the_api_document,
                                        cfx_setup, ufx_teardown),
        cmocka_unit_test(test_card__name_tables),
        cmocka_unit_test_setup_teardown(test_card__import_csv_reader, cfx_setup,
                                        ufx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
