/* test_submit.c: the submission use case (domain/submit.c) on a real
 * temporary registry: a client's request is completed from the account
 * and stored; another organisation, or its instance, is refused like a
 * missing one and nothing is written; staff name the organisation or get
 * it from the instance; a bad Idempotency-Key and problems found while
 * parsing come back as field problems; a replay finds the first request;
 * a failed registry read is an error with the registry's message, never
 * a validation problem. */
#include "fixture.h"
#include "submit.h"
#include "mem.h"
#include "parse.h"

#include <stdlib.h>
#include <string.h>

#define ITEM                                                                   \
    "{\"kind\":\"new_table\",\"table\":\"loyalty_members\",\"description\":"   \
    "\"One row per member.\",\"source\":\"flat_file_csv\",\"cadence\":"        \
    "\"daily\",\"expected_arrival\":\"05:00\",\"late_after_minutes\":120,"     \
    "\"campaign_dependency\":\"required\",\"campaign_note\":\"Wait.\","        \
    "\"owner\":\"data@acme.example\",\"columns\":[{\"name\":\"member_id\","    \
    "\"type\":\"bigint\",\"nullable\":false,\"primary_key\":true}]}"

/* The request of a client who leaves organisation, requester and the
 * instance list to the account. */
#define BARE(instance)                                                         \
    "{\"instance\":\"" instance "\",\"project_manager\":"                      \
    "\"pm@platform.example\",\"title\":\"Loyalty\",\"summary\":"               \
    "\"s\",\"items\":[" ITEM "]}"

static int setup(void **state)
{
    ufx *f = ufx_open("submit");

    ufx_people(f, "snowflake");
    *state = f;
    return 0;
}

/* The actor of user id of f (the registry_user stays in *u). */
static domain_actor actor(ufx *f, registry_user *u, int64_t id)
{
    errmsg err = {0};

    assert_int_equal(registry_user_get(f->reg, u, id, &err), 0);
    return domain_actor_of(u);
}

static int64_t nrequests(ufx *f)
{
    return ufx_int(f, "SELECT count(*) FROM requests");
}

static void test_submit__client_completed_from_account(void **state)
{
    ufx *f = *state;
    registry_user u;
    domain_actor a = actor(f, &u, f->client_a);
    form_request r;
    submit_input in = {&r, NULL};
    submit_result out = {0};
    errmsg err = {0};
    int64_t id = 0;
    int rc;

    ufx_parse(&r, BARE("acme-qa"));
    rc = domain_submit_run(f->reg, &a, &in, &out, &id, &err);
    if (rc < 0)
        fail_msg("submit: %d %s %s", rc, err.msg,
                 out.fe.n ? out.fe.errs[0].message : "");
    assert_true(id > 0);
    assert_string_equal(r.organisation, "acme");
    assert_string_equal(r.requester_name, "Ann");
    assert_string_equal(r.requester_email, "ann@acme.example");
    assert_int_equal(r.ninstances, 1);
    assert_string_equal(r.instances[0], "acme-qa");
    assert_int_equal(out.job.replayed, 0);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM request_events"), 1);
    submit_result_dispose(&out);
    form_request_dispose(&r);
}

static void test_submit__other_organisation_refused(void **state)
{
    ufx *f = *state;
    registry_user u;
    domain_actor a = actor(f, &u, f->client_a);
    form_request r;
    submit_input in = {&r, NULL};
    submit_result out = {0};
    errmsg err = {0};
    int64_t before = nrequests(f);

    /* Another organisation by name. */
    ufx_parse(&r, BARE("acme-qa"));
    ufx_set(&r.organisation, "globex");
    assert_int_equal(domain_submit(f->reg, &a, &in, &out, &err), ERR_INVALID);
    assert_non_null(form_errors_get(&out.fe, "organisation"));
    assert_null(out.job.body);
    submit_result_dispose(&out);
    form_request_dispose(&r);
    /* Another organisation's instance: like one that does not exist. */
    memset(&out, 0, sizeof out);
    ufx_parse(&r, BARE("globex-prod"));
    assert_int_equal(domain_submit(f->reg, &a, &in, &out, &err), ERR_INVALID);
    assert_non_null(form_errors_get(&out.fe, "instance"));
    assert_string_equal(form_errors_get(&out.fe, "instance"),
                        "\"globex-prod\" is not an instance of your "
                        "organisation.");
    assert_int_equal(err.code, 0);
    assert_int_equal(nrequests(f), before);
    submit_result_dispose(&out);
    form_request_dispose(&r);
}

static void test_submit__staff_organisation(void **state)
{
    ufx *f = *state;
    registry_user u;
    domain_actor a = actor(f, &u, f->pm);
    form_request r;
    submit_input in = {&r, NULL};
    submit_result out = {0};
    errmsg err = {0};
    int64_t id = 0;

    /* Named, but unknown. */
    ufx_parse(&r, BARE("acme-qa"));
    ufx_set(&r.organisation, "initech");
    assert_int_equal(domain_submit(f->reg, &a, &in, &out, &err), ERR_INVALID);
    assert_string_equal(form_errors_get(&out.fe, "organisation"),
                        "there is no organisation of that name");
    submit_result_dispose(&out);
    form_request_dispose(&r);
    /* Not named: the organisation of the main instance. */
    memset(&out, 0, sizeof out);
    ufx_parse(&r, BARE("globex-prod"));
    assert_int_equal(domain_submit_run(f->reg, &a, &in, &out, &id, &err), 0);
    assert_string_equal(r.organisation, "globex");
    assert_string_equal(r.requester_name, "Pat");
    assert_int_equal(ufx_int(f, "SELECT o.name = 'globex' FROM requests r "
                                "JOIN organisations o ON o.id = r.org_id "
                                "ORDER BY r.id DESC LIMIT 1"),
                     1);
    submit_result_dispose(&out);
    form_request_dispose(&r);
}

static void test_submit__key_problems_and_replay(void **state)
{
    ufx *f = *state;
    registry_user u;
    domain_actor a = actor(f, &u, f->client_a);
    form_request r;
    submit_input in = {&r, "bad key"};
    submit_result out = {0};
    errmsg err = {0};
    int64_t id = 0, id2 = 0;

    ufx_parse(&r, BARE("acme-qa"));
    assert_int_equal(domain_submit(f->reg, &a, &in, &out, &err), ERR_INVALID);
    assert_non_null(form_errors_get(&out.fe, "Idempotency-Key"));
    submit_result_dispose(&out);
    /* The same key twice: the first request is found again. */
    memset(&out, 0, sizeof out);
    in.idempotency_key = "k-1";
    assert_int_equal(domain_submit_run(f->reg, &a, &in, &out, &id, &err), 0);
    submit_result_dispose(&out);
    memset(&out, 0, sizeof out);
    assert_int_equal(domain_submit_run(f->reg, &a, &in, &out, &id2, &err), 0);
    assert_int_equal(id2, id);
    assert_int_equal(out.job.replayed, 1);
    submit_result_dispose(&out);
    form_request_dispose(&r);
}

static void test_submit__earlier_problems_kept(void **state)
{
    ufx *f = *state;
    registry_user u;
    domain_actor a = actor(f, &u, f->client_a);
    form_request r;
    submit_input in = {&r, NULL};
    submit_result out = {0};
    errmsg err = {0};
    int64_t before = nrequests(f);

    ufx_parse(&r, BARE("acme-qa"));
    form_errors_add(&out.fe, "attachments", "a.exe: not accepted");
    assert_int_equal(domain_submit(f->reg, &a, &in, &out, &err), ERR_INVALID);
    assert_int_equal(out.fe.n, 1);
    assert_string_equal(out.fe.errs[0].field, "attachments");
    assert_null(out.job.body);
    assert_int_equal(nrequests(f), before);
    submit_result_dispose(&out);
    form_request_dispose(&r);
}

static void test_submit__failed_read_is_an_error(void **state)
{
    ufx *f = *state;
    registry_user u;
    domain_actor a = actor(f, &u, f->client_a);
    form_request r;
    submit_input in = {&r, NULL};
    submit_result out = {0};
    errmsg err = {0};
    int rc;

    /* The registry's table list cannot be read: the table check fails. */
    ufx_exec(f, "ALTER TABLE reg_tables RENAME TO reg_tables_gone");
    ufx_parse(&r, BARE("acme-qa"));
    rc = domain_submit(f->reg, &a, &in, &out, &err);
    ufx_exec(f, "ALTER TABLE reg_tables_gone RENAME TO reg_tables");
    assert_true(rc < 0);
    assert_int_not_equal(rc, ERR_INVALID);
    assert_non_null(strstr(err.msg, "reg_tables"));
    submit_result_dispose(&out);
    form_request_dispose(&r);
}

/* Submits BARE(acme-qa) as client_a naming pm as project manager:
 * the outcome, with *id the stored request (0 when refused). */
static int submit_pm(ufx *f, const char *pm, int64_t *id)
{
    registry_user u;
    domain_actor a = actor(f, &u, f->client_a);
    form_request r;
    submit_input in = {&r, NULL};
    submit_result out = {0};
    errmsg err = {0};
    int rc;

    *id = 0;
    ufx_parse(&r, BARE("acme-qa"));
    free(r.project_manager);
    r.project_manager = xstrdup(pm);
    rc = domain_submit_run(f->reg, &a, &in, &out, id, &err);
    if (rc == ERR_INVALID)
        assert_non_null(form_errors_get(&out.fe, "project_manager"));
    submit_result_dispose(&out);
    form_request_dispose(&r);
    return rc;
}

/* The inbox rows of user id for request req. */
static int64_t pm_inbox(ufx *f, int64_t user, int64_t req)
{
    char sql[160];

    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM inbox x JOIN events e ON e.id = x.event_id"
             " WHERE x.user_id = %lld AND e.request_id = %lld",
             (long long)user, (long long)req);
    return ufx_int(f, sql);
}

/* Each submission sees the project managers as they are at that moment:
 * one added, deactivated or reactivated between two submissions is
 * accepted or refused by the next, the e-mail in any letter case, and
 * the accepted one is the request's project manager and is notified. */
static void test_submit__project_manager_as_of_now(void **state)
{
    ufx *f = *state;
    errmsg err = {0};
    int64_t id = 0, before, pm2 = 0;

    assert_int_equal(submit_pm(f, "pm@platform.example", &id), 0);
    assert_int_equal(submit_pm(f, "PM@Platform.Example", &id), 0);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM requests r JOIN users u"
                                " ON u.id = r.pm_id WHERE u.email ="
                                " 'pm@platform.example'"),
                     2);
    assert_int_equal(pm_inbox(f, f->pm, id), 1);
    /* A new project manager is accepted by the very next submission. */
    assert_int_equal(submit_pm(f, "quinn@platform.example", &id), ERR_INVALID);
    before = nrequests(f);
    assert_int_equal(registry_user_add(f->reg, &pm2, "quinn@platform.example",
                                       "Quinn", "pm", NULL, NULL, &err),
                     0);
    assert_int_equal(submit_pm(f, "quinn@platform.example", &id), 0);
    assert_int_equal(nrequests(f), before + 1);
    assert_int_equal(pm_inbox(f, pm2, id), 1);
    assert_int_equal(pm_inbox(f, f->pm, id), 0);
    /* Deactivated: refused and nothing written; active again: accepted. */
    assert_int_equal(registry_user_set_active(f->reg, f->pm, 0, &err), 0);
    before = nrequests(f);
    assert_int_equal(submit_pm(f, "pm@platform.example", &id), ERR_INVALID);
    assert_int_equal(nrequests(f), before);
    assert_int_equal(registry_user_set_active(f->reg, f->pm, 1, &err), 0);
    assert_int_equal(submit_pm(f, "pm@platform.example", &id), 0);
    assert_int_equal(pm_inbox(f, f->pm, id), 1);
    /* A user of another role is not a project manager. */
    assert_int_equal(submit_pm(f, "ann@acme.example", &id), ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_submit__client_completed_from_account, setup, ufx_teardown),
        cmocka_unit_test_setup_teardown(test_submit__other_organisation_refused,
                                        setup, ufx_teardown),
        cmocka_unit_test_setup_teardown(test_submit__staff_organisation, setup,
                                        ufx_teardown),
        cmocka_unit_test_setup_teardown(test_submit__key_problems_and_replay,
                                        setup, ufx_teardown),
        cmocka_unit_test_setup_teardown(test_submit__earlier_problems_kept,
                                        setup, ufx_teardown),
        cmocka_unit_test_setup_teardown(test_submit__failed_read_is_an_error,
                                        setup, ufx_teardown),
        cmocka_unit_test_setup_teardown(test_submit__project_manager_as_of_now,
                                        setup, ufx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
