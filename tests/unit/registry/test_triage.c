/* test_triage.c: registry/triage.c: sprint generation from the deploy
 * weekday (Tuesday and Thursday, 14 and 7 days, deploy time), the table of
 * transitions x roles, a whole life cycle with its request_events, events
 * and outbox rows, the per-instance deploy applying the registry in the
 * same transaction (and a failing apply that leaves status and registry
 * unchanged), forbidden transitions writing nothing, comments with files,
 * edits with versions and diffs, the queue filters and the deploy-day
 * digest written once. */
#include "fixture.h"
#include "triage.h"
#include "catalog.h"
#include "mem.h"
#include "requests.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int setup(void **state)
{
    ufx *f = ufx_open("triage");

    ufx_people(f, "postgres");
    /* every event of a request, and the deploy-day digest */
    for (int e = EV_REQUEST_SUBMITTED; e <= EV_DEPLOY_DIGEST; e++)
        ufx_route(f, registry_event_name((docket_event)e), "ops");
    *state = f;
    return 0;
}

/* Every row of the tables a transition may write, as one string. */
static char *digest(ufx *f)
{
    static const char *const q[] = {
        "SELECT group_concat(id || status || coalesce(sprint_id, '') ||"
        " priority || estimate || version || title || updated_at, '|')"
        " FROM requests",
        "SELECT group_concat(request_id || instance_id || deployed_at, '|')"
        " FROM request_instances",
        "SELECT count(*) FROM request_events",
        "SELECT count(*) FROM events",
        "SELECT count(*) FROM outbox",
        "SELECT count(*) FROM reg_tables",
        "SELECT count(*) FROM reg_columns",
        "SELECT count(*) FROM registry_history",
        "SELECT count(*) FROM comments",
        "SELECT count(*) FROM request_versions",
        "SELECT count(*) FROM request_items"};
    buf b = {0};

    for (size_t i = 0; i < sizeof q / sizeof *q; i++) {
        char *t = ufx_text(f, q[i]);
        buf_puts(&b, t ? t : "-");
        buf_putc(&b, '/');
        free(t);
    }
    return buf_detach(&b);
}

static const char request_json[] =
    "{\"organisation\":\"acme\",\"instance\":\"acme-prod\","
    "\"instances\":[\"acme-qa\",\"acme-prod\"],"
    "\"project_manager\":\"pm@platform.example\","
    "\"requester_name\":\"Ann\",\"requester_email\":\"ann@acme.example\","
    "\"title\":\"Loyalty tiers\",\"summary\":\"Tiers.\","
    "\"items\":[{\"kind\":\"new_table\",\"table\":\"loyalty_members\","
    "\"description\":\"Members\",\"source\":\"flat_file_csv\","
    "\"cadence\":\"daily\",\"campaign_dependency\":\"required\","
    "\"columns\":[{\"name\":\"member_id\",\"type\":\"bigint\","
    "\"nullable\":false,\"primary_key\":true,\"description\":\"id\"},"
    "{\"name\":\"tier\",\"type\":\"string(20)\",\"description\":\"t\"}]}]}";

static int64_t submit(ufx *f)
{
    return ufx_submit(f, request_json, f->client_a, "Ann");
}

static registry_actor actor(ufx *f, const char *role)
{
    registry_actor a = {0, registry_role_bit(role), 0, role};

    if (!strcmp(role, "client")) {
        a.user_id = f->client_a;
        a.org_id = f->org_a;
    } else if (!strcmp(role, "pm")) {
        a.user_id = f->pm;
    } else if (!strcmp(role, "ops")) {
        a.user_id = f->ops;
    } else {
        a.user_id = f->admin;
    }
    return a;
}

static int go(ufx *f, int64_t id, const char *role, const char *to,
              const char *note, int64_t sprint, const char *instance,
              errmsg *err)
{
    registry_actor a = actor(f, role);
    registry_transition t = {0};

    t.to = registry_target_parse(to);
    t.note = note;
    t.sprint_id = sprint;
    t.instance = instance;
    err_clear(err);
    return registry_transition_apply(f->reg, NULL, id, &a, &t, err);
}

static int64_t a_sprint(ufx *f)
{
    registry_sprint_rules rules = {14, 2, 600};
    errmsg err = {0};

    assert_int_equal(
        registry_sprints_ensure(f->reg, &rules, time_now(), 2, &err), 0);
    return ufx_int(f, "SELECT max(id) FROM sprints");
}

/* ---- sprints ------------------------------------------------------------ */

static void check_sprint(const registry_sprint_rules *r, const char *day,
                         int offset, const char *starts, const char *ends,
                         const char *deploy_iso)
{
    registry_sprint s;
    int64_t t, want;

    assert_int_equal(time_parse_iso(&t, day), 0);
    registry_sprint_compute(&s, r, t + 3600 * 13, offset);
    assert_string_equal(s.starts_on, starts);
    assert_string_equal(s.ends_on, ends);
    assert_int_equal(time_parse_iso(&want, deploy_iso), 0);
    assert_int_equal(s.deploy_at, want);
    assert_true(str_startswith(s.name, "Sprint "));
}

static void test_triage__sprints_end_on_the_deploy_weekday(void **state)
{
    static const registry_sprint_rules tue = {14, 2, 600},
                                       thu = {14, 4, 9 * 60 + 30};
    static const registry_sprint_rules weekly = {7, 2, 600}, odd = {10, 2, 600};
    static const struct {
        const registry_sprint_rules *rules;
        const char *day;
        int offset;
        const char *starts, *ends, *deploy;
    } cases[] = {
        /* Tuesday deploys, 14 days: a deploy day ends its sprint. */
        {&tue, "2026-03-03", 0, "2026-02-18", "2026-03-03", "T10:00:00Z"},
        {&tue, "2026-03-04", 0, "2026-03-04", "2026-03-17", "T10:00:00Z"},
        {&tue, "2026-03-10", 0, "2026-03-04", "2026-03-17", "T10:00:00Z"},
        {&tue, "2026-03-10", 1, "2026-03-18", "2026-03-31", "T10:00:00Z"},
        {&tue, "2026-03-10", -1, "2026-02-18", "2026-03-03", "T10:00:00Z"},
        /* Thursday at 09:30. */
        {&thu, "2026-03-03", 0, "2026-02-27", "2026-03-12", "T09:30:00Z"},
        {&thu, "2026-03-17", 0, "2026-03-13", "2026-03-26", "T09:30:00Z"},
        {&thu, "2026-03-17", 2, "2026-04-10", "2026-04-23", "T09:30:00Z"},
        /* Weekly, and a length rounded up to whole weeks. */
        {&weekly, "2026-03-04", 0, "2026-03-04", "2026-03-10", "T10:00:00Z"},
        {&odd, "2026-03-04", 0, "2026-03-04", "2026-03-17", "T10:00:00Z"},
    };

    (void)state;
    for (size_t i = 0; i < UFX_NELEM(cases); i++) {
        char deploy[32];
        snprintf(deploy, sizeof deploy, "%s%s", cases[i].ends, cases[i].deploy);
        check_sprint(cases[i].rules, cases[i].day, cases[i].offset,
                     cases[i].starts, cases[i].ends, deploy);
    }
}

static void test_triage__sprints_ensure_is_idempotent(void **state)
{
    ufx *f = *state;
    registry_sprint_rules rules = {14, 2, 600};
    errmsg err = {0};
    int64_t t;
    registry_sprint s;

    assert_int_equal(time_parse_iso(&t, "2026-03-10T08:00:00Z"), 0);
    assert_int_equal(registry_sprints_ensure(f->reg, &rules, t, 2, &err), 0);
    assert_int_equal(registry_sprints_ensure(f->reg, &rules, t, 2, &err), 0);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM sprints"), 3);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM sprints WHERE "
                                "strftime('%w', ends_on) = '2'"),
                     3);
    assert_int_equal(registry_sprint_next(f->reg, &s, t, &err), 0);
    assert_string_equal(s.ends_on, "2026-03-17");
    assert_int_equal(registry_sprint_last(f->reg, &s, t, &err), ERR_NOTFOUND);
}

/* ---- the rules ---------------------------------------------------------- */

static void test_triage__rules_table(void **state)
{
    (void)state;
    assert_true(registry_transition_allowed("submitted", "triaged", "pm"));
    assert_true(registry_transition_allowed("submitted", "triaged", "admin"));
    assert_false(registry_transition_allowed("submitted", "triaged", "ops"));
    assert_false(registry_transition_allowed("submitted", "triaged", "client"));
    assert_false(registry_transition_allowed("triaged", "triaged", "pm"));
    assert_true(
        registry_transition_allowed("needs_info", "answered", "client"));
    assert_false(registry_transition_allowed("triaged", "answered", "client"));
    assert_true(
        registry_transition_allowed("scheduled", "withdrawn", "client"));
    assert_false(
        registry_transition_allowed("in_progress", "withdrawn", "client"));
    assert_false(registry_transition_allowed("submitted", "withdrawn", "pm"));
    assert_true(registry_transition_allowed("in_progress", "deployed", "pm"));
    assert_false(registry_transition_allowed("triaged", "deployed", "pm"));
    assert_false(registry_transition_allowed("deployed", "rejected", "pm"));
    for (size_t i = 0; i < 8; i++) {
        static const char *const all[] = {
            "submitted",   "triaged",  "needs_info", "scheduled",
            "in_progress", "deployed", "rejected",   "withdrawn"};
        static const char *const tos[] = {
            "triaged",     "needs_info", "answered", "scheduled",
            "in_progress", "deployed",   "rejected", "withdrawn"};
        for (size_t k = 0; k < 8; k++)
            assert_false(registry_transition_allowed(all[i], tos[k], "ops"));
    }
}

/* ---- the life cycle ----------------------------------------------------- */

static void test_triage__life_cycle_writes_events_and_outbox(void **state)
{
    ufx *f = *state;
    errmsg err = {0};
    int64_t id = submit(f), sprint = a_sprint(f);
    char *s, *before;

    assert_int_equal(go(f, id, "pm", "triaged", "looks fine", 0, NULL, &err),
                     0);
    assert_int_equal(
        go(f, id, "pm", "needs_info", "Which tiers?", 0, NULL, &err), 0);
    assert_int_equal(
        go(f, id, "client", "answered", "gold and silver", 0, NULL, &err), 0);
    s = ufx_text(f, "SELECT status FROM requests");
    assert_string_equal(s, "triaged"); /* back where it was */
    free(s);
    assert_int_equal(go(f, id, "pm", "scheduled", NULL, sprint, NULL, &err), 0);
    assert_int_equal(ufx_int(f, "SELECT sprint_id FROM requests"), sprint);
    assert_int_equal(go(f, id, "pm", "in_progress", NULL, 0, NULL, &err), 0);

    /* Deploy to QA: the QA registry gets the table, status in_progress. */
    assert_int_equal(go(f, id, "pm", "deployed", NULL, 0, "acme-qa", &err), 0);
    s = ufx_text(f, "SELECT status FROM requests");
    assert_string_equal(s, "in_progress");
    free(s);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM reg_tables t JOIN "
                                "instances i ON i.id = t.instance_id WHERE "
                                "i.name = 'acme-qa'"),
                     1);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM reg_tables t JOIN "
                                "instances i ON i.id = t.instance_id WHERE "
                                "i.name = 'acme-prod'"),
                     0);
    /* The same instance twice: 409, nothing written. */
    before = digest(f);
    assert_int_equal(go(f, id, "pm", "deployed", NULL, 0, "acme-qa", &err),
                     ERR_CONFLICT);
    s = digest(f);
    assert_string_equal(before, s);
    free(s);
    free(before);
    /* Production: deployed. */
    assert_int_equal(go(f, id, "admin", "deployed", NULL, 0, "acme-prod", &err),
                     0);
    s = ufx_text(f, "SELECT status FROM requests");
    assert_string_equal(s, "deployed");
    free(s);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM request_instances WHERE "
                                "deployed_at > 0 AND deployed_by IS NOT NULL"),
                     2);
    /* One request_events row per transition, and one event each with one
       outbox row (everything is routed to "ops" here). */
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM request_events"), 8);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM request_events WHERE "
                                "to_status = 'deployed' AND instance_id IS "
                                "NOT NULL"),
                     2);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM events"), 8);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM outbox"), 8);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM events WHERE event = "
                                "'request.answered'"),
                     1);
    s = ufx_text(f, "SELECT payload FROM events WHERE event = "
                    "'request.deployed' ORDER BY id LIMIT 1");
    {
        cJSON *p = ufx_json_parse(s);
        ufx_json_str(p, "instance", "acme-qa");
        ufx_json_size(p, "tables", 1);
        ufx_json_str(p, "tables.0.url", "/tables/acme-qa/loyalty_members");
        ufx_json_str(p, "request.number", "CR-1");
        ufx_json_at(p, "sprint");
        cJSON_Delete(p);
    }
    free(s);
}

static void test_triage__failed_apply_changes_nothing(void **state)
{
    ufx *f = *state;
    errmsg err = {0};
    int64_t id = submit(f), sprint = a_sprint(f);
    char *before, *after, *status;

    assert_int_equal(go(f, id, "pm", "triaged", NULL, 0, NULL, &err), 0);
    assert_int_equal(go(f, id, "pm", "scheduled", NULL, sprint, NULL, &err), 0);
    /* The table already exists in production: the apply must fail. */
    ufx_exec(f, "INSERT INTO reg_tables(instance_id, name, created_at,"
                " updated_at) SELECT id, 'loyalty_members', 0, 0 FROM"
                " instances WHERE name = 'acme-prod'");
    before = digest(f);
    /* Ahead of QA: the note is the reason production goes first. */
    assert_int_equal(
        go(f, id, "pm", "deployed", "QA later", 0, "acme-prod", &err),
        ERR_CONFLICT);
    assert_non_null(strstr(err.msg, "loyalty_members"));
    after = digest(f);
    assert_string_equal(before, after);
    status = ufx_text(f, "SELECT status FROM requests");
    assert_string_equal(status, "scheduled");
    free(status);
    free(before);
    free(after);
    /* QA still works. */
    assert_int_equal(go(f, id, "pm", "deployed", NULL, 0, "acme-qa", &err), 0);
}

/* ---- an update item changes only what it states ------------------------ */

/* Stores request json (acme, both instances) as Ann and deploys it to
 * instance through triaged and scheduled; fails the test otherwise. */
static void deploy_json(ufx *f, const char *json, const char *instance)
{
    errmsg err = {0};
    int64_t sprint = a_sprint(f), id = ufx_submit(f, json, f->client_a, "Ann");

    assert_int_equal(go(f, id, "pm", "triaged", NULL, 0, NULL, &err), 0);
    assert_int_equal(go(f, id, "pm", "scheduled", NULL, sprint, NULL, &err), 0);
    if (go(f, id, "pm", "deployed", "QA later", 0, instance, &err) < 0)
        fail_msg("deploy to %s: %s", instance, err.msg);
}

#define UPDATE_JSON(kind, table, column)                                       \
    "{\"organisation\":\"acme\",\"instance\":\"acme-prod\","                   \
    "\"instances\":[\"acme-qa\",\"acme-prod\"],"                               \
    "\"requester_name\":\"Ann\",\"requester_email\":\"ann@acme.example\","     \
    "\"title\":\"Update\",\"summary\":\"s\",\"items\":[{\"kind\":\"" kind      \
    "\",\"table\":\"" table "\",\"columns\":[{\"name\":\"" column              \
    "\",\"type\":\"integer\",\"description\":\"d\"}]}]}"

/* The table-level fields of instance.table as one string, and how many
 * history rows of the table name a table-level field. */
static char *table_fields(ufx *f, const char *instance, const char *table)
{
    char sql[600];

    snprintf(sql, sizeof sql,
             "SELECT kind || '|' || description || '|' || source || '|' ||"
             " cadence || '|' || expected_arrival || '|' || late_after_minutes"
             " || '|' || file_pattern || '|' || campaign_dependency || '|' ||"
             " campaign_note || '|' || owner || '|' || escalation || '|' ||"
             " runbook || '|' || consent_relevant || '|' || t.status FROM"
             " reg_tables t JOIN instances i ON i.id = t.instance_id WHERE"
             " i.name = '%s' AND t.name = '%s'",
             instance, table);
    return ufx_text(f, sql);
}

static int64_t table_history(ufx *f, const char *instance, const char *table,
                             const char *field)
{
    char sql[600];

    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM registry_history h JOIN reg_tables t ON"
             " t.id = h.table_id JOIN instances i ON i.id = t.instance_id"
             " WHERE i.name = '%s' AND t.name = '%s' AND h.column_id IS NULL"
             " AND h.field %s",
             instance, table, field ? "= 'kind'" : "<> 'column'");
    return ufx_int(f, sql);
}

static void kind_is(ufx *f, const char *instance, const char *table,
                    const char *want)
{
    errmsg err = {0};
    cJSON *t = registry_table_json(f->reg, instance, table, &err);

    assert_non_null(t);
    ufx_json_str(t, "kind", want);
    cJSON_Delete(t);
}

static void test_triage__update_items_keep_the_table_kind(void **state)
{
    static const char *const updates[][2] = {
        {UPDATE_JSON("customer_attributes", "loyalty_members", "points"),
         "points"},
        {UPDATE_JSON("add_columns", "loyalty_members", "joined"), "joined"},
        {UPDATE_JSON("activity_history", "loyalty_members", "visits"),
         "visits"},
        {UPDATE_JSON("purchase_history", "loyalty_members", "spend"), "spend"}};
    ufx *f = *state;
    errmsg err = {0};
    char *before_prod, *before_qa, *now;
    int64_t hist_prod, hist_qa;

    /* The table from a new_table item (source, cadence, dependency). */
    deploy_json(f, request_json, "acme-prod");
    deploy_json(f, request_json, "acme-qa");
    /* Its kind on production is set (a PM's edit); QA's stays empty. */
    assert_int_equal(registry_begin(f->reg, &err), 0);
    assert_int_equal(registry_table_update_field(
                         f->reg, "acme-prod", "loyalty_members", NULL, "kind",
                         "loyalty programme", f->pm, "classified", &err),
                     1);
    assert_int_equal(registry_table_update_field(
                         f->reg, "acme-prod", "loyalty_members", NULL,
                         "runbook", "Page the CRM team.", f->pm, "r", &err),
                     1);
    assert_int_equal(registry_commit(f->reg, &err), 0);
    before_prod = table_fields(f, "acme-prod", "loyalty_members");
    before_qa = table_fields(f, "acme-qa", "loyalty_members");
    assert_non_null(strstr(before_prod, "loyalty programme|Members|"
                                        "flat_file_csv|daily|"));
    assert_non_null(strstr(before_qa, "|Members|flat_file_csv|daily|"));
    assert_int_equal(before_qa[0], '|'); /* empty kind */
    hist_prod = table_history(f, "acme-prod", "loyalty_members", NULL);
    hist_qa = table_history(f, "acme-qa", "loyalty_members", NULL);
    /* Every kind of update item, none stating table-level fields: only
       its column is added, on both instances. */
    for (size_t i = 0; i < sizeof updates / sizeof *updates; i++) {
        deploy_json(f, updates[i][0], "acme-prod");
        deploy_json(f, updates[i][0], "acme-qa");
        now = table_fields(f, "acme-prod", "loyalty_members");
        assert_string_equal(now, before_prod);
        free(now);
        now = table_fields(f, "acme-qa", "loyalty_members");
        assert_string_equal(now, before_qa);
        free(now);
        assert_int_equal(table_history(f, "acme-prod", "loyalty_members", NULL),
                         hist_prod);
        assert_int_equal(table_history(f, "acme-qa", "loyalty_members", NULL),
                         hist_qa);
    }
    assert_int_equal(table_history(f, "acme-prod", "loyalty_members", "kind"),
                     1);
    assert_int_equal(table_history(f, "acme-qa", "loyalty_members", "kind"), 0);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM reg_columns c JOIN"
                                " reg_tables t ON t.id = c.table_id WHERE"
                                " t.name = 'loyalty_members'"),
                     2 * 6);
    /* The table JSON (the rules card's source) shows the kind it had. */
    kind_is(f, "acme-prod", "loyalty_members", "loyalty programme");
    kind_is(f, "acme-qa", "loyalty_members", "");
    free(before_prod);
    free(before_qa);
}

static void test_triage__update_item_on_imported_table(void **state)
{
    static const char csv[] =
        "table,column,type,description,source,cadence,campaign_dependency,"
        "expected_arrival,owner\n"
        "customers,customer_id,bigint,Customer,flat_file_csv,daily,required,"
        "05:00,crm@acme.example\n";
    ufx *f = *state;
    registry_import_report rep = {0};
    errmsg err = {0};
    char *before, *after;
    int64_t hist;

    assert_int_equal(registry_import_csv(f->reg, &rep, "acme-prod", csv,
                                         strlen(csv), f->pm, &err),
                     0);
    registry_import_report_dispose(&rep);
    before = table_fields(f, "acme-prod", "customers");
    assert_int_equal(before[0], '|'); /* no kind imported */
    hist = table_history(f, "acme-prod", "customers", NULL);
    deploy_json(f,
                "{\"organisation\":\"acme\",\"instance\":\"acme-prod\","
                "\"requester_name\":\"Ann\",\"requester_email\":"
                "\"ann@acme.example\",\"title\":\"Update\",\"summary\":\"s\","
                "\"items\":[{\"kind\":\"customer_attributes\",\"table\":"
                "\"customers\",\"columns\":[{\"name\":\"points\",\"type\":"
                "\"integer\",\"description\":\"d\"}]}]}",
                "acme-prod");
    after = table_fields(f, "acme-prod", "customers");
    assert_string_equal(after, before);
    assert_int_equal(table_history(f, "acme-prod", "customers", NULL), hist);
    assert_int_equal(table_history(f, "acme-prod", "customers", "kind"), 0);
    kind_is(f, "acme-prod", "customers", "");
    free(before);
    free(after);
}

typedef struct case_ {
    const char *status; /* set up first */
    const char *role;
    const char *to;
    int rc;
} case_;

static void test_triage__forbidden_transitions_write_nothing(void **state)
{
    static const case_ cases[] = {
        {"submitted", "client", "triaged", ERR_FORBIDDEN},
        {"submitted", "ops", "triaged", ERR_FORBIDDEN},
        {"submitted", "ops", "withdrawn", ERR_FORBIDDEN},
        {"submitted", "pm", "withdrawn", ERR_FORBIDDEN},
        {"submitted", "client", "rejected", ERR_FORBIDDEN},
        {"submitted", "pm", "answered", ERR_CONFLICT},
        {"submitted", "pm", "in_progress", ERR_CONFLICT},
        {"submitted", "pm", "deployed", ERR_CONFLICT},
        {"submitted", "client", "answered", ERR_CONFLICT},
        {"submitted", "pm", "bogus", ERR_INVALID},
        {"submitted", "pm", "needs_info", ERR_INVALID}, /* no question */
        {"submitted", "pm", "rejected", ERR_INVALID},   /* no reason */
        {"triaged", "pm", "scheduled", ERR_INVALID},    /* no sprint */
        {"triaged", "pm", "triaged", ERR_CONFLICT},
    };
    ufx *f = *state;

    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        errmsg err = {0};
        int64_t id = submit(f);
        char *before, *after;
        if (!strcmp(cases[i].status, "triaged"))
            assert_int_equal(go(f, id, "pm", "triaged", NULL, 0, NULL, &err),
                             0);
        before = digest(f);
        if (go(f, id, cases[i].role, cases[i].to, NULL, 0, NULL, &err) !=
            cases[i].rc)
            fail_msg("case %zu: %s %s -> %s gave %d (%s)", i, cases[i].role,
                     cases[i].status, cases[i].to, err.code, err.msg);
        after = digest(f);
        assert_string_equal(before, after);
        free(before);
        free(after);
    }
}

static void test_triage__other_organisation_is_not_found(void **state)
{
    ufx *f = *state;
    errmsg err = {0};
    int64_t id = submit(f);
    registry_actor bob = {f->client_b, ROLE_CLIENT, 0, "Bob"};
    registry_transition t = {0};

    bob.org_id = f->org_b;
    t.to = REQ_WITHDRAWN;
    assert_int_equal(
        registry_transition_apply(f->reg, NULL, id, &bob, &t, &err),
        ERR_NOTFOUND);
    err_clear(&err);
    assert_int_equal(
        registry_comment_add(f->reg, NULL, id, &bob, "hi", NULL, 0, &err),
        ERR_NOTFOUND);
    /* The client of the organisation withdraws it. */
    err_clear(&err);
    assert_int_equal(
        go(f, id, "client", "withdrawn", "not needed", 0, NULL, &err), 0);
}

/* ---- comments and edits ------------------------------------------------- */

static void test_triage__comments_with_files(void **state)
{
    ufx *f = *state;
    errmsg err = {0};
    int64_t id = submit(f), cid = 0;
    registry_actor ops = actor(f, "ops");
    registry_file file = {"sample.csv", "text/csv",
                          (const unsigned char *)"a,b\n1,2\n", 8};

    assert_int_equal(registry_comment_add(f->reg, &cid, id, &ops,
                                          "  File is **late** ", &file, 1,
                                          &err),
                     0);
    assert_true(cid > 0);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM attachments WHERE "
                                "comment_id IS NOT NULL"),
                     1);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM events WHERE event = "
                                "'request.commented'"),
                     1);
    err_clear(&err);
    assert_int_equal(
        registry_comment_add(f->reg, NULL, id, &ops, "  ", NULL, 0, &err),
        ERR_INVALID);
}

static void count_diff(void *ctx, const char *path, const char *o,
                       const char *n)
{
    buf *b = ctx;

    buf_puts(b, path);
    buf_puts(b, "=");
    buf_puts(b, o ? o : "(none)");
    buf_puts(b, ">");
    buf_puts(b, n ? n : "(none)");
    buf_puts(b, ";");
}

static void test_triage__edit_keeps_versions_and_answers(void **state)
{
    ufx *f = *state;
    errmsg err = {0};
    int64_t id = submit(f);
    form_request r;
    registry_actor ann = actor(f, "client"), ops = actor(f, "ops");
    int version = 0;
    char *v1, *v2, *status;
    buf d = {0};

    assert_int_equal(
        go(f, id, "pm", "needs_info", "Which type for tier?", 0, NULL, &err),
        0);
    assert_int_equal(registry_request_load(f->reg, &r, id, 0, &err), 0);
    free(r.title);
    r.title = xstrdup("Loyalty tiers and points");
    r.items[0].columns[1].type.length = 40;
    /* ops may not edit; nothing changed is a conflict */
    assert_int_equal(registry_request_edit(f->reg, NULL, id, &ops, &r, 0, &err),
                     ERR_FORBIDDEN);
    err_clear(&err);
    assert_int_equal(
        registry_request_edit(f->reg, &version, id, &ann, &r, 1, &err), 0);
    assert_int_equal(version, 2);
    status = ufx_text(f, "SELECT status FROM requests");
    assert_string_equal(status, "submitted"); /* answered: back */
    free(status);
    assert_int_equal(ufx_int(f, "SELECT version FROM requests"), 2);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM request_versions"), 2);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM events WHERE event IN "
                                "('request.updated', 'request.answered')"),
                     2);
    v1 = ufx_text(f, "SELECT body FROM request_versions WHERE version = 1");
    v2 = ufx_text(f, "SELECT body FROM request_versions WHERE version = 2");
    assert_int_equal(registry_version_diff(v1, v2, count_diff, &d), 2);
    assert_non_null(strstr(buf_cstr(&d), "title=Loyalty tiers>Loyalty tiers "
                                         "and points;"));
    assert_non_null(strstr(buf_cstr(&d), "items[0].columns[1].type="
                                         "string(20)>string(40);"));
    /* The stored content follows the edit. */
    form_request_dispose(&r);
    assert_int_equal(registry_request_load(f->reg, &r, id, 0, &err), 0);
    assert_string_equal(r.title, "Loyalty tiers and points");
    assert_int_equal(r.items[0].columns[1].type.length, 40);
    /* Nothing changed: conflict, and not while triaged. */
    err_clear(&err);
    assert_int_equal(registry_request_edit(f->reg, NULL, id, &ann, &r, 0, &err),
                     ERR_CONFLICT);
    assert_int_equal(go(f, id, "pm", "triaged", NULL, 0, NULL, &err), 0);
    free(r.title);
    r.title = xstrdup("Too late");
    err_clear(&err);
    assert_int_equal(registry_request_edit(f->reg, NULL, id, &ann, &r, 0, &err),
                     ERR_CONFLICT);
    form_request_dispose(&r);
    buf_dispose(&d);
    free(v1);
    free(v2);
}

static void test_triage__diff_items_added_and_removed(void **state)
{
    buf d = {0};

    (void)state;
    assert_int_equal(
        registry_version_diff(
            "{\"title\":\"a\",\"items\":[{\"kind\":\"new_table\","
            "\"table\":\"t\",\"columns\":[]}],\"attachments\":[1]}",
            "{\"title\":\"a\",\"items\":[{\"kind\":\"new_table\","
            "\"table\":\"t\",\"columns\":[]},{\"kind\":\"add_columns\","
            "\"table\":\"u\"}]}",
            count_diff, &d),
        1);
    assert_string_equal(buf_cstr(&d), "items[1]=(none)>add_columns u;");
    assert_true(registry_version_diff("{", "{}", NULL, NULL) < 0);
    buf_dispose(&d);
}

/* ---- queue and digest --------------------------------------------------- */

static void seen_row(void *ctx, const registry_queue_row *r)
{
    ufx_ids_add(ctx, r->id);
}

/* The queue under q lists n requests, the first being first. */
static void queue_is(ufx *f, const registry_queue_filter *q, int n,
                     int64_t first)
{
    ufx_ids s = {0};
    errmsg err = {0};

    assert_int_equal(registry_queue_list(f->reg, q, seen_row, &s, NULL, &err),
                     0);
    assert_int_equal(s.n, n);
    if (n > 0)
        assert_int_equal(s.ids[0], first);
}

static void test_triage__queue_filters_and_sort(void **state)
{
    ufx *f = *state;
    errmsg err = {0};
    int64_t a = submit(f), b = submit(f), c = submit(f);
    registry_queue_filter q = {0};
    registry_actor pm = actor(f, "pm");
    ufx_ids s = {0};
    int64_t total = 0;

    assert_int_equal(go(f, b, "pm", "needs_info", "?", 0, NULL, &err), 0);
    assert_int_equal(registry_request_plan(f->reg, c, &pm, 9, "1 day", &err),
                     0);
    ufx_exec(f, "UPDATE requests SET created_at = created_at - "
                "10 * 86400 WHERE id = 1");
    q.sort = "priority";
    assert_int_equal(
        registry_queue_list(f->reg, &q, seen_row, &s, &total, &err), 0);
    assert_int_equal(total, 3);
    assert_int_equal(s.ids[0], c);
    q.sort = NULL;
    q.waiting = 1;
    queue_is(f, &q, 1, b);
    q.waiting = 0;
    q.age_days = 5;
    queue_is(f, &q, 1, a);
    q.age_days = 0;
    q.org_id = f->org_b;
    queue_is(f, &q, 0, 0);
}

static void test_triage__digest_once_per_deploy_day(void **state)
{
    ufx *f = *state;
    registry_sprint_rules rules = {14, 2, 600};
    errmsg err = {0};
    int64_t id = submit(f), t, sprint;
    int wrote = 0;

    /* Sprints around 2026-03-17 (a deploy Tuesday). */
    assert_int_equal(time_parse_iso(&t, "2026-03-10T08:00:00Z"), 0);
    assert_int_equal(registry_sprints_ensure(f->reg, &rules, t, 2, &err), 0);
    sprint = ufx_int(f, "SELECT id FROM sprints WHERE ends_on = '2026-03-17'");
    assert_int_equal(go(f, id, "pm", "triaged", NULL, 0, NULL, &err), 0);
    assert_int_equal(go(f, id, "pm", "scheduled", NULL, sprint, NULL, &err), 0);
    /* Not a deploy day; too early on the day; then once. */
    assert_int_equal(registry_deploy_digest(f->reg, &rules, t, &wrote, &err),
                     0);
    assert_int_equal(wrote, 0);
    assert_int_equal(time_parse_iso(&t, "2026-03-17T05:00:00Z"), 0);
    assert_int_equal(registry_deploy_digest(f->reg, &rules, t, &wrote, &err),
                     0);
    assert_int_equal(wrote, 0);
    assert_int_equal(time_parse_iso(&t, "2026-03-17T06:30:00Z"), 0);
    assert_int_equal(registry_triage_tick(f->reg, &rules, t, &wrote, &err), 0);
    assert_int_equal(wrote, 1);
    assert_int_equal(
        registry_deploy_digest(f->reg, &rules, t + 60, &wrote, &err), 0);
    assert_int_equal(wrote, 0);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM events WHERE event = "
                                "'deploy.digest'"),
                     1);
    assert_int_equal(ufx_int(f, "SELECT count(*) FROM outbox o JOIN events e "
                                "ON e.id = o.event_id WHERE e.event = "
                                "'deploy.digest'"),
                     1);
    assert_int_equal(
        ufx_int(f, "SELECT json_array_length(payload, '$.digest') FROM events "
                   "WHERE event = 'deploy.digest'"),
        1);
    assert_int_equal(
        ufx_int(f, "SELECT json_array_length(payload, '$.tables') FROM events "
                   "WHERE event = 'deploy.digest'"),
        2); /* the table on QA and on production */
}

UFX_MAIN(
    cmocka_unit_test(test_triage__sprints_end_on_the_deploy_weekday),
    cmocka_unit_test_setup_teardown(test_triage__sprints_ensure_is_idempotent,
                                    setup, ufx_teardown),
    cmocka_unit_test(test_triage__rules_table),
    cmocka_unit_test_setup_teardown(
        test_triage__life_cycle_writes_events_and_outbox, setup, ufx_teardown),
    cmocka_unit_test_setup_teardown(test_triage__failed_apply_changes_nothing,
                                    setup, ufx_teardown),
    cmocka_unit_test_setup_teardown(
        test_triage__update_items_keep_the_table_kind, setup, ufx_teardown),
    cmocka_unit_test_setup_teardown(test_triage__update_item_on_imported_table,
                                    setup, ufx_teardown),
    cmocka_unit_test_setup_teardown(
        test_triage__forbidden_transitions_write_nothing, setup, ufx_teardown),
    cmocka_unit_test_setup_teardown(
        test_triage__other_organisation_is_not_found, setup, ufx_teardown),
    cmocka_unit_test_setup_teardown(test_triage__comments_with_files, setup,
                                    ufx_teardown),
    cmocka_unit_test_setup_teardown(
        test_triage__edit_keeps_versions_and_answers, setup, ufx_teardown),
    cmocka_unit_test(test_triage__diff_items_added_and_removed),
    cmocka_unit_test_setup_teardown(test_triage__queue_filters_and_sort, setup,
                                    ufx_teardown),
    cmocka_unit_test_setup_teardown(test_triage__digest_once_per_deploy_day,
                                    setup, ufx_teardown))
