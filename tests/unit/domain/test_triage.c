/* test_triage.c: the use cases of a request after its submission
 * (domain/triage.c) called directly on a real temporary registry: a
 * client never moves, plans or comments on another organisation's
 * request (not found, nothing written); an illegal transition writes
 * nothing and says why; the JSON bodies accept only their own keys with
 * the right types; the form's planning fields count only for a PM; a
 * deploy marks one instance at a time; an edit answers a question; the
 * migration preview picks the instance, dialect and format it is asked
 * for. */
#include "fixture.h"
#include "str.h"
#include "requests.h"
#include "triage_cases.h"

#include <stdlib.h>
#include <string.h>

#define ITEM                                                                   \
    "{\"kind\":\"new_table\",\"table\":\"loyalty_members\",\"description\":"   \
    "\"Members\",\"source\":\"flat_file_csv\",\"cadence\":\"daily\","          \
    "\"campaign_dependency\":\"required\",\"columns\":[{\"name\":"             \
    "\"member_id\",\"type\":\"bigint\",\"nullable\":false,\"primary_key\":"    \
    "true,\"description\":\"id\"}]}"

typedef struct tfx {
    ufx *f;
    registry_user users[5];
    domain_actor ann, bob, pm, ops, admin;
    int64_t id; /* a request of acme for acme-qa and acme-prod */
} tfx;

static domain_actor actor_of(tfx *t, int k, int64_t id)
{
    errmsg err = {0};

    assert_int_equal(registry_user_get(t->f->reg, &t->users[k], id, &err), 0);
    return domain_actor_of(&t->users[k]);
}

static int setup(void **state)
{
    tfx *t = calloc(1, sizeof *t);

    t->f = ufx_open("dtriage");
    ufx_people(t->f, "postgres");
    t->ann = actor_of(t, 0, t->f->client_a);
    t->bob = actor_of(t, 1, t->f->client_b);
    t->pm = actor_of(t, 2, t->f->pm);
    t->ops = actor_of(t, 3, t->f->ops);
    t->admin = actor_of(t, 4, t->f->admin);
    t->id = ufx_submit(t->f,
                       "{\"organisation\":\"acme\",\"instance\":\"acme-qa\","
                       "\"instances\":[\"acme-qa\",\"acme-prod\"],"
                       "\"project_manager\":\"pm@platform.example\","
                       "\"requester_name\":\"Ann\",\"requester_email\":"
                       "\"ann@acme.example\",\"title\":\"Loyalty\","
                       "\"summary\":\"s\",\"items\":[" ITEM "]}",
                       t->f->client_a, "Ann");
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    tfx *t = *state;

    ufx_close(t->f);
    free(t);
    return 0;
}

/* What a refused action must leave alone. */
static char *writes(tfx *t)
{
    char *s = ufx_text(t->f, "SELECT (SELECT group_concat(status || version"
                             " || priority || estimate) FROM requests) || '/' "
                             "|| (SELECT count(*) FROM request_events) || '/' "
                             "|| (SELECT count(*) FROM events) || '/' || "
                             "(SELECT count(*) FROM comments) || '/' || "
                             "(SELECT count(*) FROM request_versions)");

    assert_non_null(s);
    return s;
}

static int move(tfx *t, const domain_actor *a, const char *to, const char *note,
                errmsg *err)
{
    registry_transition tr = {0};

    tr.to = registry_target_parse(to);
    tr.note = note;
    err_clear(err);
    return triage_transition(t->f->reg, a, t->id, &tr, NULL, err);
}

static void test_triage__other_organisation_moves_nothing(void **state)
{
    tfx *t = *state;
    char *before = writes(t), *after;
    registry_file file = {"a.csv", "text/csv", (const unsigned char *)"a\n", 2};
    errmsg err = {0};

    assert_int_equal(move(t, &t->bob, "withdrawn", "no", &err), ERR_NOTFOUND);
    assert_string_equal(err.msg, "There is no such request.");
    err_clear(&err);
    assert_int_equal(
        triage_comment(t->f->reg, &t->bob, t->id, "hi", &file, 1, NULL, &err),
        ERR_NOTFOUND);
    err_clear(&err);
    assert_int_equal(triage_plan(t->f->reg, &t->bob, t->id, "5", NULL, &err),
                     ERR_NOTFOUND);
    err_clear(&err);
    assert_null(triage_request_state(t->f->reg, &t->bob, t->id, &err));
    assert_int_equal(err.code, ERR_NOTFOUND);
    after = writes(t);
    assert_string_equal(before, after);
    free(after);
    /* The client of the organisation may withdraw it. */
    assert_int_equal(move(t, &t->ann, "withdrawn", "no", &err), 0);
    after = writes(t);
    assert_string_not_equal(before, after);
    free(before);
    free(after);
}

static void test_triage__illegal_transition_writes_nothing(void **state)
{
    static const struct {
        const char *who, *to, *note;
        int rc;
        const char *field, *says;
    } cases[] = {
        {"pm", "in_progress", NULL, ERR_CONFLICT, "",
         "is submitted: it cannot be moved to in_progress"},
        {"ops", "triaged", NULL, ERR_FORBIDDEN, "",
         "your role (ops) may not move a request to triaged"},
        {"ann", "triaged", NULL, ERR_FORBIDDEN, "",
         "your role (client) may not"},
        {"pm", "needs_info", "  ", ERR_INVALID, "note", "question"},
        {"pm", "rejected", NULL, ERR_INVALID, "note", "reason"},
        {"pm", "bogus", NULL, ERR_INVALID, "to", "not a status"},
        {"pm", "deployed", NULL, ERR_CONFLICT, "", "cannot be moved"},
    };
    tfx *t = *state;

    for (size_t i = 0; i < UFX_NELEM(cases); i++) {
        const domain_actor *a = !strcmp(cases[i].who, "pm")    ? &t->pm
                                : !strcmp(cases[i].who, "ops") ? &t->ops
                                                               : &t->ann;
        char *before = writes(t), *after;
        errmsg err = {0};
        int rc = move(t, a, cases[i].to, cases[i].note, &err);
        if (rc != cases[i].rc || !strstr(err.msg, cases[i].says) ||
            strcmp(err.field, cases[i].field) != 0)
            fail_msg("case %zu: %d %s: %s", i, rc, err.field, err.msg);
        after = writes(t);
        assert_string_equal(before, after);
        free(before);
        free(after);
    }
}

static void test_triage__json_keys_are_checked(void **state)
{
    static const struct {
        const char *json, *field, *says;
    } bad[] = {
        {"{\"to\":\"triaged\",\"colour\":\"red\"}", "colour",
         "is not a field of a transition"},
        {"{\"to\":5}", "to", "is a string"},
        {"{\"to\":\"triaged\",\"note\":[]}", "note", "is a string"},
        {"{\"note\":\"x\"}", "to", "say which status"},
        {"{\"to\":\"bogus\"}", "to", "\"bogus\" is not a status"},
        {"{\"to\":\"scheduled\",\"sprint\":1.5}", "sprint", "id of a sprint"},
        {"{\"to\":\"triaged\",\"priority\":1001}", "priority", "-1000"},
        {"[\"to\"]", "", "send a JSON object"},
    };
    registry_transition tr;
    const char *text = NULL;
    cJSON *body;
    errmsg err = {0};

    (void)state;
    for (size_t i = 0; i < UFX_NELEM(bad); i++) {
        body = cJSON_Parse(bad[i].json);
        err_clear(&err);
        assert_int_equal(triage_transition_from_json(&tr, body, &err),
                         ERR_INVALID);
        if (strcmp(err.field, bad[i].field) || !strstr(err.msg, bad[i].says))
            fail_msg("%s: %s: %s", bad[i].json, err.field, err.msg);
        cJSON_Delete(body);
    }
    body = cJSON_Parse("{\"to\":\"scheduled\",\"sprint\":3,\"priority\":-7,"
                       "\"note\":null,\"estimate\":\"2d\"}");
    err_clear(&err);
    assert_int_equal(triage_transition_from_json(&tr, body, &err), 0);
    assert_int_equal(tr.to, REQ_SCHEDULED);
    assert_int_equal(tr.sprint_id, 3);
    assert_int_equal(tr.set_priority, 1);
    assert_int_equal(tr.priority, -7);
    assert_null(tr.note);
    assert_string_equal(tr.estimate, "2d");
    cJSON_Delete(body);
    body = cJSON_Parse("{\"body\":\"hi\",\"files\":[]}");
    assert_int_equal(triage_comment_from_json(&text, body, &err), ERR_INVALID);
    assert_string_equal(err.field, "files");
    assert_non_null(strstr(err.msg, "is not a field of a comment"));
    cJSON_Delete(body);
    body = cJSON_Parse("{\"body\":\"hi\"}");
    err_clear(&err);
    assert_int_equal(triage_comment_from_json(&text, body, &err), 0);
    assert_string_equal(text, "hi");
    cJSON_Delete(body);
}

static void test_triage__form_planning_fields_are_the_pms(void **state)
{
    tfx *t = *state;
    triage_transition_form f = {"triaged", "ok",    NULL, NULL,
                                "12",      "1 day", NULL};
    registry_transition tr;
    errmsg err = {0};

    assert_int_equal(triage_transition_from_form(&tr, &t->ann, &f, &err), 0);
    assert_int_equal(tr.set_priority, 0);
    assert_null(tr.estimate);
    assert_int_equal(triage_transition_from_form(&tr, &t->pm, &f, &err), 0);
    assert_int_equal(tr.to, REQ_TRIAGED);
    assert_int_equal(tr.set_priority, 1);
    assert_int_equal(tr.priority, 12);
    assert_string_equal(tr.estimate, "1 day");
    f.priority = "1e3";
    assert_int_equal(triage_transition_from_form(&tr, &t->pm, &f, &err),
                     ERR_INVALID);
    assert_string_equal(err.field, "priority");
    f.priority = NULL;
    f.sprint = "next";
    err_clear(&err);
    assert_int_equal(triage_transition_from_form(&tr, &t->pm, &f, &err),
                     ERR_INVALID);
    assert_string_equal(err.field, "sprint");
    /* Plan: the PM's only; a bad number says so. */
    err_clear(&err);
    assert_int_equal(triage_plan(t->f->reg, &t->ann, t->id, "3", NULL, &err),
                     ERR_FORBIDDEN);
    err_clear(&err);
    assert_int_equal(triage_plan(t->f->reg, &t->pm, t->id, "x", NULL, &err),
                     ERR_INVALID);
    err_clear(&err);
    assert_int_equal(triage_plan(t->f->reg, &t->pm, t->id, "9", "2d", &err), 0);
    assert_int_equal(ufx_int(t->f, "SELECT priority FROM requests"), 9);
}

static void test_triage__deploy_one_instance_at_a_time(void **state)
{
    tfx *t = *state;
    registry_sprint_rules rules = {14, 2, 600};
    registry_transition tr = {0};
    request_status st = REQ_NONE;
    errmsg err = {0};
    cJSON *doc;

    assert_int_equal(
        registry_sprints_ensure(t->f->reg, &rules, time_now(), 1, &err), 0);
    assert_int_equal(move(t, &t->pm, "triaged", NULL, &err), 0);
    tr.to = REQ_SCHEDULED;
    tr.sprint_id = ufx_int(t->f, "SELECT max(id) FROM sprints");
    assert_int_equal(
        triage_transition(t->f->reg, &t->pm, t->id, &tr, &st, &err), 0);
    assert_int_equal(st, REQ_SCHEDULED);
    assert_int_equal(
        triage_deploy(t->f->reg, &t->ops, t->id, "acme-qa", NULL, &st, &err),
        ERR_FORBIDDEN);
    err_clear(&err);
    assert_int_equal(
        triage_deploy(t->f->reg, &t->pm, t->id, "globex-prod", NULL, &st, &err),
        ERR_INVALID);
    assert_string_equal(err.field, "instance");
    err_clear(&err);
    assert_int_equal(
        triage_deploy(t->f->reg, &t->pm, t->id, "acme-qa", NULL, &st, &err), 0);
    assert_int_equal(st, REQ_IN_PROGRESS);
    assert_int_equal(
        triage_deploy(t->f->reg, &t->pm, t->id, "acme-qa", NULL, &st, &err),
        ERR_CONFLICT);
    assert_non_null(strstr(err.msg, "already deployed to acme-qa"));
    err_clear(&err);
    assert_int_equal(triage_deploy(t->f->reg, &t->admin, t->id, "acme-prod",
                                   "done", &st, &err),
                     0);
    assert_int_equal(st, REQ_DEPLOYED);
    doc = triage_request_state(t->f->reg, &t->ann, t->id, &err);
    assert_non_null(doc);
    ufx_json_str(doc, "status", "deployed");
    ufx_json_size(doc, "deploys", 2);
    ufx_json_str(doc, "deploys.1.instance", "acme-prod");
    cJSON_Delete(doc);
    assert_int_equal(ufx_int(t->f, "SELECT count(*) FROM events WHERE event "
                                   "= 'request.deployed'"),
                     2);
    {
        char *who = ufx_text(t->f, "SELECT json_extract(payload, '$.actor') "
                                   "FROM events WHERE event = "
                                   "'request.deployed' ORDER BY id LIMIT 1");
        assert_string_equal(who, "Pat"); /* the actor's name */
        free(who);
    }
}

static void test_triage__edit_answers_the_question(void **state)
{
    tfx *t = *state;
    triage_edit_result res = {0};
    form_request r, stored;
    errmsg err = {0};

    assert_int_equal(move(t, &t->pm, "needs_info", "Which tiers?", &err), 0);
    assert_int_equal(triage_edit_open(t->f->reg, &t->ops, t->id, &stored, &err),
                     ERR_CONFLICT);
    err_clear(&err);
    assert_int_equal(triage_edit_open(t->f->reg, &t->bob, t->id, &stored, &err),
                     ERR_NOTFOUND);
    err_clear(&err);
    assert_int_equal(triage_edit_open(t->f->reg, &t->ann, t->id, &stored, &err),
                     0);
    form_request_dispose(&stored);
    /* Unchanged: a problem to fix, not a stored version. */
    assert_int_equal(registry_request_load(t->f->reg, &r, t->id, 0, &err), 0);
    assert_int_equal(triage_edit(t->f->reg, &t->ann, t->id, &r, 1, &res, &err),
                     ERR_INVALID);
    assert_int_equal(res.fe.n, 1);
    assert_string_equal(res.fe.errs[0].field, "title");
    triage_edit_dispose(&res);
    memset(&res, 0, sizeof res);
    ufx_set(&r.title, "Loyalty tiers");
    ufx_set(&r.organisation, "globex"); /* kept from the stored request */
    err_clear(&err);
    if (triage_edit(t->f->reg, &t->ann, t->id, &r, 1, &res, &err) < 0)
        fail_msg("edit: %s %s", err.msg,
                 res.fe.n ? res.fe.errs[0].message : "");
    assert_int_equal(res.version, 2);
    assert_int_equal(res.status, REQ_NEEDS_INFO);
    assert_string_equal(r.organisation, "acme");
    assert_int_equal(ufx_int(t->f,
                             "SELECT count(*) FROM requests WHERE status = "
                             "'submitted' AND title = 'Loyalty tiers'"),
                     1);
    triage_edit_dispose(&res);
    form_request_dispose(&r);
}

static void test_triage__migration_query(void **state)
{
    tfx *t = *state;
    triage_migration m;
    triage_migration_query q = {0};
    errmsg err = {0};

    assert_int_equal(
        triage_migration_load(t->f->reg, &t->ann, t->id, &q, &m, &err), 0);
    assert_string_equal(m.instance, "acme-qa");
    assert_int_equal(m.dialect, SQL_POSTGRES);
    assert_int_equal(m.format, MIGRATE_PLAIN);
    assert_true(m.res.nfiles > 0);
    triage_migration_dispose(&m);
    q.instance = "acme-prod";
    q.dialect = "mysql";
    q.format = "flyway";
    assert_int_equal(
        triage_migration_load(t->f->reg, &t->pm, t->id, &q, &m, &err), 0);
    assert_string_equal(m.instance, "acme-prod");
    assert_int_equal(m.dialect, SQL_MYSQL);
    assert_int_equal(m.format, MIGRATE_FLYWAY);
    triage_migration_dispose(&m);
    q.instance = "globex-prod";
    assert_int_equal(
        triage_migration_load(t->f->reg, &t->pm, t->id, &q, &m, &err),
        ERR_INVALID);
    assert_string_equal(err.field, "instance");
    triage_migration_dispose(&m);
    q.instance = NULL;
    q.dialect = "oracle";
    err_clear(&err);
    assert_int_equal(
        triage_migration_load(t->f->reg, &t->pm, t->id, &q, &m, &err),
        ERR_INVALID);
    assert_string_equal(err.field, "dialect");
    triage_migration_dispose(&m);
    err_clear(&err);
    assert_int_equal(
        triage_migration_load(t->f->reg, &t->bob, t->id, &q, &m, &err),
        ERR_NOTFOUND);
    triage_migration_dispose(&m);
}

static void test_triage__vocabulary_round_trips(void **state)
{
    (void)state;
    for (int s = 0; s < REQ_NTARGETS; s++)
        assert_int_equal(registry_target_parse(registry_status_name(s)), s);
    assert_int_equal(registry_status_parse("answered"), REQ_NONE);
    assert_int_equal(registry_status_parse(NULL), REQ_NONE);
    assert_null(registry_status_name(REQ_NONE));
    for (int e = 0; e < EV_COUNT; e++)
        assert_int_equal(registry_event_parse(registry_event_name(e)), e);
    assert_string_equal(
        registry_event_name(registry_event_of_target(REQ_ANSWERED)),
        "request.answered");
    assert_string_equal(
        registry_event_name(registry_event_of_target(REQ_IN_PROGRESS)),
        "request.in_progress");
    assert_true(
        registry_transition_may(REQ_NEEDS_INFO, REQ_ANSWERED, ROLE_CLIENT));
    assert_false(registry_transition_may(REQ_SUBMITTED, REQ_TRIAGED, ROLE_OPS));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

UFX_MAIN(T(test_triage__other_organisation_moves_nothing),
         T(test_triage__illegal_transition_writes_nothing),
         T(test_triage__json_keys_are_checked),
         T(test_triage__form_planning_fields_are_the_pms),
         T(test_triage__deploy_one_instance_at_a_time),
         T(test_triage__edit_answers_the_question),
         T(test_triage__migration_query),
         T(test_triage__vocabulary_round_trips))
