/* test_triage_messages.c: what the actor of a transition is told
 * (domain/triage.c: triage_message, triage_move): one message per
 * transition and reader, in words (status labels, never stored values
 * such as "in_progress"), naming who was asked, which instance was
 * deployed and what is still to do, and the sprint with its deploy day;
 * and the deploy order: instances listed qa, staging, production, then
 * the others by name, whatever order they were ticked in, and a
 * production deploy ahead of a QA or staging instance refused without a
 * reason (nothing written) and recorded with it. */
#include "fixture.h"
#include "requests.h"
#include "str.h"
#include "triage_cases.h"

#include <stdlib.h>
#include <string.h>

/* ---- the table of messages (pure) ------------------------------------ */

static void message_is(triage_reader r, const triage_outcome *o,
                       const char *want)
{
    char *got = triage_message(r, o);

    assert_non_null(got);
    if (strcmp(got, want) != 0)
        fail_msg("message: got \"%s\", want \"%s\"", got, want);
    free(got);
}

static triage_outcome outcome(request_status to, request_status status)
{
    triage_outcome o = {0};

    o.id = 5;
    o.to = to;
    o.status = status;
    o.requester = "Ann Lee";
    return o;
}

static void test_triage_messages__each_transition_for_its_reader(void **state)
{
    triage_outcome o;
    static const char *const prod[] = {"production"};
    static const char *const both[] = {"staging", "production"};
    static const char *const qa[] = {"qa"};

    (void)state;
    o = outcome(REQ_NEEDS_INFO, REQ_NEEDS_INFO);
    message_is(TRIAGE_FOR_STAFF, &o,
               "Question sent to Ann Lee. CR-5 waits for the answer.");
    o = outcome(REQ_ANSWERED, REQ_TRIAGED);
    message_is(TRIAGE_FOR_CLIENT, &o,
               "Thanks — your answer was sent to the project manager.");
    message_is(TRIAGE_FOR_STAFF, &o,
               "The answer is recorded. CR-5 is back to triaged.");
    o = outcome(REQ_SCHEDULED, REQ_SCHEDULED);
    o.sprint = "Sprint 2026-12-15";
    o.deploy_at = 1797328800; /* 2026-12-15 10:00 UTC, a Tuesday */
    message_is(TRIAGE_FOR_STAFF, &o,
               "CR-5 is scheduled for Sprint 2026-12-15 (deploy Tue 15 Dec).");
    o = outcome(REQ_DEPLOYED, REQ_IN_PROGRESS);
    o.instance = "acme-qa";
    o.ninstances = 2;
    o.todo = prod;
    o.ntodo = 1;
    message_is(TRIAGE_FOR_STAFF, &o,
               "CR-5 is deployed to acme-qa. Production is still to do.");
    o.ninstances = 3;
    o.todo = both;
    o.ntodo = 2;
    message_is(TRIAGE_FOR_STAFF, &o,
               "CR-5 is deployed to acme-qa. Staging and production are "
               "still to do.");
    o.instance = "acme-prod";
    o.ninstances = 2;
    o.todo = qa;
    o.ntodo = 1;
    message_is(TRIAGE_FOR_STAFF, &o,
               "CR-5 is deployed to acme-prod. QA is still to do.");
    o = outcome(REQ_DEPLOYED, REQ_DEPLOYED);
    o.instance = "acme-prod";
    o.ninstances = 2;
    message_is(TRIAGE_FOR_STAFF, &o, "CR-5 is deployed to every instance.");
    o.ninstances = 1;
    message_is(TRIAGE_FOR_STAFF, &o, "CR-5 is deployed to acme-prod.");
    o = outcome(REQ_REJECTED, REQ_REJECTED);
    message_is(TRIAGE_FOR_STAFF, &o, "CR-5 is rejected. Ann Lee is told why.");
    o = outcome(REQ_WITHDRAWN, REQ_WITHDRAWN);
    message_is(TRIAGE_FOR_CLIENT, &o,
               "CR-5 is withdrawn. The project manager is told.");
    o = outcome(REQ_IN_PROGRESS, REQ_IN_PROGRESS);
    message_is(TRIAGE_FOR_STAFF, &o, "CR-5 is in progress: work has started.");
    o = outcome(REQ_TRIAGED, REQ_TRIAGED);
    message_is(TRIAGE_FOR_STAFF, &o,
               "CR-5 is triaged. Next: schedule it in a sprint, or ask the "
               "client.");
}

/* Every transition a reader's role may make has words of its own: no
 * stored value ('_'), no "is now", no generic fallback. */
static void test_triage_messages__no_stored_values(void **state)
{
    static const char *const todo[] = {"qa", "staging", "production", "uat"};

    (void)state;
    for (int to = 0; to < REQ_NTARGETS; to++)
        for (int r = 0; r < TRIAGE_NREADERS; r++) {
            docket_role role = r == TRIAGE_FOR_CLIENT ? ROLE_CLIENT : ROLE_PM;
            triage_outcome o =
                outcome(to, to == REQ_ANSWERED ? REQ_NEEDS_INFO : to);
            char *m;
            o.instance = "acme-qa";
            o.ninstances = 2;
            o.todo = todo;
            o.ntodo = 4;
            o.sprint = "Sprint 2026-12-15";
            o.deploy_at = 1797328800;
            m = triage_message(r, &o);
            assert_non_null(m);
            if (strchr(m, '_') || strstr(m, "is now"))
                fail_msg("stored value in \"%s\"", m);
            if (registry_transition_role_may(to, role) && strstr(m, "CR-5:"))
                fail_msg("no words of its own for %s (reader %d): \"%s\"",
                         registry_status_name(to), r, m);
            free(m);
        }
    for (int s = 0; s < REQ_NTARGETS; s++)
        assert_null(strchr(registry_status_label(s), '_'));
    assert_string_equal(registry_status_label(REQ_IN_PROGRESS), "in progress");
    assert_string_equal(registry_status_label(REQ_NONE), "");
}

static void test_triage_messages__environment_order(void **state)
{
    (void)state;
    assert_true(registry_environment_rank("qa") <
                registry_environment_rank("staging"));
    assert_true(registry_environment_rank("staging") <
                registry_environment_rank("production"));
    assert_true(registry_environment_rank("production") <
                registry_environment_rank("sandbox"));
    assert_int_equal(registry_environment_rank("QA"),
                     registry_environment_rank("qa"));
    assert_string_equal(registry_environment_label("qa"), "QA");
    assert_string_equal(registry_environment_label("production"), "production");
    assert_string_equal(registry_environment_label("uat"), "uat");
}

/* ---- on a real registry ---------------------------------------------- */

typedef struct mfx {
    ufx *f;
    registry_user users[3];
    domain_actor ann, pm, admin;
    int64_t id;     /* acme's request, production ticked before QA */
    int64_t sprint; /* the next sprint */
} mfx;

static domain_actor actor_of(mfx *t, int k, int64_t id)
{
    errmsg err = {0};

    assert_int_equal(registry_user_get(t->f->reg, &t->users[k], id, &err), 0);
    return domain_actor_of(&t->users[k]);
}

static int setup(void **state)
{
    mfx *t = calloc(1, sizeof *t);
    registry_sprint_rules rules = {14, 2, 600};
    errmsg err = {0};

    t->f = ufx_open("dmessages");
    ufx_people(t->f, "postgres");
    t->ann = actor_of(t, 0, t->f->client_a);
    t->pm = actor_of(t, 1, t->f->pm);
    t->admin = actor_of(t, 2, t->f->admin);
    t->id = ufx_submit(
        t->f,
        "{\"organisation\":\"acme\",\"instance\":\"acme-prod\","
        "\"instances\":[\"acme-prod\",\"acme-qa\"],"
        "\"project_manager\":\"pm@platform.example\","
        "\"requester_name\":\"Ann\",\"requester_email\":\"ann@acme.example\","
        "\"title\":\"Loyalty\",\"summary\":\"s\",\"items\":[{\"kind\":"
        "\"new_table\",\"table\":\"loyalty_members\",\"description\":"
        "\"Members\",\"source\":\"flat_file_csv\",\"cadence\":\"daily\","
        "\"campaign_dependency\":\"required\",\"columns\":[{\"name\":"
        "\"member_id\",\"type\":\"bigint\",\"nullable\":false,"
        "\"primary_key\":true,\"description\":\"id\"}]}]}",
        t->f->client_a, "Ann");
    assert_int_equal(
        registry_sprints_ensure(t->f->reg, &rules, time_now(), 1, &err), 0);
    t->sprint = ufx_int(t->f, "SELECT max(id) FROM sprints");
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    mfx *t = *state;

    ufx_close(t->f);
    free(t);
    return 0;
}

/* Moves the request as a; fails the test unless it works; the message is
 * compared with want (a prefix when want ends with '*'). */
static void moved(mfx *t, const domain_actor *a, registry_transition *tr,
                  const char *want)
{
    triage_moved out = {0};
    errmsg err = {0};
    size_t n = strlen(want);

    if (triage_move(t->f->reg, a, t->id, tr, &out, &err) < 0)
        fail_msg("%s: %s", registry_status_name(tr->to), err.msg);
    assert_non_null(out.message);
    if (n && want[n - 1] == '*' ? strncmp(out.message, want, n - 1) != 0
                                : strcmp(out.message, want) != 0)
        fail_msg("message: got \"%s\", want \"%s\"", out.message, want);
    triage_moved_dispose(&out);
}

static void test_triage_messages__a_request_from_start_to_end(void **state)
{
    mfx *t = *state;
    registry_transition tr = {0};

    tr.to = REQ_TRIAGED;
    moved(t, &t->pm, &tr, "CR-1 is triaged.*");
    tr.to = REQ_NEEDS_INFO;
    tr.note = "Which tiers?";
    moved(t, &t->pm, &tr, "Question sent to Ann. CR-1 waits for the answer.");
    tr.to = REQ_ANSWERED;
    tr.note = "Gold and silver.";
    moved(t, &t->ann, &tr,
          "Thanks — your answer was sent to the project manager.");
    tr.to = REQ_SCHEDULED;
    tr.note = NULL;
    tr.sprint_id = t->sprint;
    moved(t, &t->pm, &tr, "CR-1 is scheduled for Sprint *");
    {
        /* Moved to another sprint: the same words, with its deploy day. */
        triage_moved out = {0};
        errmsg err = {0};
        tr.sprint_id = t->sprint - 1;
        assert_int_equal(triage_move(t->f->reg, &t->pm, t->id, &tr, &out, &err),
                         0);
        assert_non_null(strstr(out.message, " (deploy "));
        triage_moved_dispose(&out);
    }
    tr.to = REQ_IN_PROGRESS;
    tr.sprint_id = 0;
    moved(t, &t->pm, &tr, "CR-1 is in progress: work has started.");
    tr.to = REQ_DEPLOYED;
    tr.instance = "acme-qa";
    moved(t, &t->pm, &tr,
          "CR-1 is deployed to acme-qa. Production is still to do.");
    tr.instance = "acme-prod";
    moved(t, &t->admin, &tr, "CR-1 is deployed to every instance.");
}

/* QA before production, whatever was ticked first; production ahead of
 * QA needs a reason, which the timeline and the event keep. */
static void test_triage_messages__production_ahead_of_qa(void **state)
{
    mfx *t = *state;
    registry_transition tr = {0};
    triage_moved out = {0};
    errmsg err = {0};
    char *before, *after, *s;
    cJSON *doc;

    doc = triage_request_state(t->f->reg, &t->pm, t->id, &err);
    assert_non_null(doc);
    ufx_json_str(doc, "deploys.0.instance", "acme-qa");
    ufx_json_str(doc, "deploys.1.instance", "acme-prod");
    cJSON_Delete(doc);
    tr.to = REQ_TRIAGED;
    assert_int_equal(triage_move(t->f->reg, &t->pm, t->id, &tr, &out, &err), 0);
    triage_moved_dispose(&out);
    tr.to = REQ_SCHEDULED;
    tr.sprint_id = t->sprint;
    assert_int_equal(triage_move(t->f->reg, &t->pm, t->id, &tr, &out, &err), 0);
    triage_moved_dispose(&out);

    before = ufx_text(t->f, "SELECT (SELECT count(*) FROM request_events) ||"
                            " '/' || (SELECT count(*) FROM events) || '/' ||"
                            " (SELECT group_concat(deployed_at) FROM"
                            " request_instances) || '/' || (SELECT count(*)"
                            " FROM reg_tables)");
    tr.to = REQ_DEPLOYED;
    tr.sprint_id = 0;
    tr.instance = "acme-prod";
    assert_int_equal(triage_move(t->f->reg, &t->pm, t->id, &tr, &out, &err),
                     ERR_INVALID);
    assert_string_equal(err.field, "reason");
    assert_non_null(strstr(err.msg, "acme-qa"));
    triage_moved_dispose(&out);
    tr.reason = "   ";
    err_clear(&err);
    assert_int_equal(triage_move(t->f->reg, &t->pm, t->id, &tr, &out, &err),
                     ERR_INVALID);
    triage_moved_dispose(&out);
    after = ufx_text(t->f, "SELECT (SELECT count(*) FROM request_events) ||"
                           " '/' || (SELECT count(*) FROM events) || '/' ||"
                           " (SELECT group_concat(deployed_at) FROM"
                           " request_instances) || '/' || (SELECT count(*)"
                           " FROM reg_tables)");
    assert_string_equal(before, after);
    free(before);
    free(after);

    tr.reason = "QA is down for a week; the campaign starts Monday.";
    err_clear(&err);
    assert_int_equal(triage_move(t->f->reg, &t->pm, t->id, &tr, &out, &err), 0);
    assert_string_equal(out.message,
                        "CR-1 is deployed to acme-prod. QA is still to do.");
    triage_moved_dispose(&out);
    s = ufx_text(t->f, "SELECT note FROM request_events ORDER BY id DESC "
                       "LIMIT 1");
    assert_non_null(strstr(s, "QA is down for a week"));
    assert_non_null(strstr(s, "acme-qa"));
    free(s);
    s = ufx_text(t->f, "SELECT payload FROM events WHERE event = "
                       "'request.deployed'");
    doc = ufx_json_parse(s);
    ufx_json_str(doc, "reason",
                 "QA is down for a week; the campaign starts Monday.");
    ufx_json_str(doc, "ahead_of.0", "acme-qa");
    ufx_json_str(doc, "instance", "acme-prod");
    cJSON_Delete(doc);
    free(s);

    /* Once production is out, QA needs no reason. */
    tr.instance = "acme-qa";
    tr.reason = NULL;
    assert_int_equal(triage_move(t->f->reg, &t->pm, t->id, &tr, &out, &err), 0);
    assert_string_equal(out.message, "CR-1 is deployed to every instance.");
    triage_moved_dispose(&out);
}

/* An edit that answers the question says so, to its reader. */
static void test_triage_messages__an_edit_that_answers(void **state)
{
    mfx *t = *state;
    registry_transition tr = {0};
    triage_moved out = {0};
    triage_edit_result res = {0};
    form_request r;
    errmsg err = {0};

    tr.to = REQ_NEEDS_INFO;
    tr.note = "Which tiers?";
    assert_int_equal(triage_move(t->f->reg, &t->pm, t->id, &tr, &out, &err), 0);
    triage_moved_dispose(&out);
    assert_int_equal(registry_request_load(t->f->reg, &r, t->id, 0, &err), 0);
    ufx_set(&r.title, "Loyalty tiers");
    if (triage_edit(t->f->reg, &t->ann, t->id, &r, 1, &res, &err) < 0)
        fail_msg("edit: %s", err.msg);
    assert_non_null(res.answered);
    assert_string_equal(
        res.answered, "Thanks — your answer was sent to the project manager.");
    triage_edit_dispose(&res);
    memset(&res, 0, sizeof res);
    /* Not answering: no such words. */
    ufx_set(&r.title, "Loyalty tiers, again");
    if (triage_edit(t->f->reg, &t->ann, t->id, &r, 1, &res, &err) < 0)
        fail_msg("edit: %s", err.msg);
    assert_null(res.answered);
    triage_edit_dispose(&res);
    form_request_dispose(&r);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

UFX_MAIN(cmocka_unit_test(test_triage_messages__each_transition_for_its_reader),
         cmocka_unit_test(test_triage_messages__no_stored_values),
         cmocka_unit_test(test_triage_messages__environment_order),
         T(test_triage_messages__a_request_from_start_to_end),
         T(test_triage_messages__production_ahead_of_qa),
         T(test_triage_messages__an_edit_that_answers))
