/* test_inbox.c: registry/inbox.c on a real temporary registry: who each
 * event lands with (the request's PM or every active PM, the requester,
 * ops, admins, watchers of the request or of its tables on the right
 * instance), never the actor nor a deactivated user, one row per user
 * and event with the first reason; a client never gets an item of
 * another organisation, neither written (even with a watch of the other
 * organisation's thing put in by SQL) nor read (even with such a row put
 * in by SQL); marking read and unread; the inbox e-mail of "each" users
 * and the daily digest of "daily" ones. */
#include "fixture.h"
#include "catalog.h"
#include "inbox.h"
#include "mem.h"
#include "str.h"
#include "triage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A change request of acme by Ann, PM Pat, adding a column to table on
 * the instances given. */
#define CR(instance, instances, table)                                         \
    "{\"organisation\":\"acme\",\"instance\":\"" instance "\","                \
    "\"instances\":[" instances "],"                                           \
    "\"project_manager\":\"pm@platform.example\","                             \
    "\"requester_name\":\"Ann\",\"requester_email\":\"ann@acme.example\","     \
    "\"title\":\"Points\",\"summary\":\"s\",\"items\":[{\"kind\":"             \
    "\"add_columns\",\"table\":\"" table "\",\"columns\":[{\"name\":"          \
    "\"points\",\"type\":\"integer\",\"description\":\"d\"}]}]}"
#define CR_BOTH CR("acme-prod", "\"acme-qa\",\"acme-prod\"", "CUSTOMERS")
/* The same without a PM. */
#define CR_NO_PM                                                               \
    "{\"organisation\":\"acme\",\"instance\":\"acme-prod\","                   \
    "\"requester_name\":\"Ann\",\"requester_email\":\"ann@acme.example\","     \
    "\"title\":\"No PM\",\"summary\":\"s\",\"items\":[{\"kind\":"              \
    "\"add_columns\",\"table\":\"customers\",\"columns\":[{\"name\":"          \
    "\"points\",\"type\":\"integer\",\"description\":\"d\"}]}]}"
/* A change request of globex by Bob. */
#define CR_GLOBEX                                                              \
    "{\"organisation\":\"globex\",\"instance\":\"globex-prod\","               \
    "\"requester_name\":\"Bob\",\"requester_email\":\"bob@globex.example\","   \
    "\"title\":\"Globex\",\"summary\":\"s\",\"items\":[{\"kind\":"             \
    "\"add_columns\",\"table\":\"customers\",\"columns\":[{\"name\":"          \
    "\"points\",\"type\":\"integer\",\"description\":\"d\"}]}]}"

typedef struct ifx {
    ufx *f;
    int64_t pia;  /* a second PM */
    int64_t olli; /* a second ops user */
    int64_t cam;  /* a second client of acme */
    int64_t sprint;
    int64_t qa_customers, prod_customers, prod_orders, globex_customers;
} ifx;

static int64_t user_add(ufx *f, const char *email, const char *name,
                        const char *role, const char *org)
{
    errmsg err = {0};
    int64_t id = 0;

    if (registry_user_add(f->reg, &id, email, name, role, org, NULL, &err) < 0)
        fail_msg("user %s: %s", email, err.msg);
    return id;
}

static int64_t table_id(ufx *f, const char *instance, const char *table)
{
    errmsg err = {0};
    int64_t id = 0;

    if (registry_table_locate(f->reg, &id, NULL, instance, table, &err) < 0)
        fail_msg("%s/%s: %s", instance, table, err.msg);
    return id;
}

static int setup(void **state)
{
    ifx *t = xcalloc(1, sizeof *t);
    registry_sprint_rules rules = {14, 2, 600};
    errmsg err = {0};
    ufx *f;

    t->f = f = ufx_open("inbox");
    ufx_people(f, "postgres");
    t->pia = user_add(f, "pm2@platform.example", "Pia", "pm", NULL);
    t->olli = user_add(f, "ops2@platform.example", "Olli", "ops", NULL);
    t->cam = user_add(f, "cam@acme.example", "Cam", "client", "acme");
    ufx_import(f, "acme-qa", "table,column,type\ncustomers,id,bigint\n");
    ufx_import(f, "acme-prod",
               "table,column,type\ncustomers,id,bigint\norders,id,bigint\n");
    ufx_import(f, "globex-prod", "table,column,type\ncustomers,id,bigint\n");
    t->qa_customers = table_id(f, "acme-qa", "customers");
    t->prod_customers = table_id(f, "acme-prod", "customers");
    t->prod_orders = table_id(f, "acme-prod", "orders");
    t->globex_customers = table_id(f, "globex-prod", "customers");
    assert_int_equal(
        registry_sprints_ensure(f->reg, &rules, time_now(), 2, &err), 0);
    t->sprint = ufx_int(f, "SELECT max(id) FROM sprints");
    registry_inbox_channel_set(NULL);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    ifx *t = *state;

    registry_inbox_channel_set(NULL);
    ufx_close(t->f);
    free(t);
    return 0;
}

/* ---- helpers ------------------------------------------------------------ */

static int64_t events_top(ifx *t)
{
    return ufx_int(t->f, "SELECT coalesce(max(id), 0) FROM events");
}

/* The one event named name written after top. */
static int64_t event_after(ifx *t, int64_t top, const char *name)
{
    char sql[200];

    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM events WHERE id > %lld AND event = '%s'",
             (long long)top, name);
    if (ufx_int(t->f, sql) != 1)
        fail_msg("%lld %s events after %lld, not 1",
                 (long long)ufx_int(t->f, sql), name, (long long)top);
    snprintf(sql, sizeof sql,
             "SELECT max(id) FROM events WHERE id > %lld AND event = '%s'",
             (long long)top, name);
    return ufx_int(t->f, sql);
}

/* Who event_id landed with: "name:reason" by name, space-separated. */
static void told_is(ifx *t, int64_t event_id, const char *want)
{
    char sql[400], *got;

    snprintf(sql, sizeof sql,
             "SELECT coalesce(group_concat(n, ' '), '') FROM (SELECT u.name"
             " || ':' || x.reason AS n FROM inbox x JOIN users u ON u.id ="
             " x.user_id WHERE x.event_id = %lld ORDER BY u.name)",
             (long long)event_id);
    got = ufx_text(t->f, sql);
    assert_non_null(got);
    if (strcmp(got, want)) {
        char *ev;
        snprintf(sql, sizeof sql, "SELECT event FROM events WHERE id = %lld",
                 (long long)event_id);
        ev = ufx_text(t->f, sql);
        fail_msg("%s (event %lld) told \"%s\", not \"%s\"", ev ? ev : "?",
                 (long long)event_id, got, want);
    }
    free(got);
}

/* The event named name that act wrote (exactly one) told want. */
#define TOLD(t, name, want, act)                                               \
    do {                                                                       \
        int64_t top_ = events_top(t);                                          \
        act;                                                                   \
        told_is(t, event_after(t, top_, name), want);                          \
    } while (0)

static void go(ifx *t, int64_t id, int64_t user, const char *to,
               const char *instance)
{
    registry_user u;
    registry_actor a;
    registry_transition tr = {0};
    errmsg err = {0};

    assert_int_equal(registry_user_get(t->f->reg, &u, user, &err), 0);
    a = (registry_actor){u.id, registry_role_bit(u.role), u.org_id, u.name};
    tr.to = registry_target_parse(to);
    tr.note = "a note";
    tr.sprint_id = tr.to == REQ_SCHEDULED ? t->sprint : 0;
    tr.instance = instance;
    if (registry_transition_apply(t->f->reg, NULL, id, &a, &tr, &err) < 0)
        fail_msg("%s by %s: %s", to, u.name, err.msg);
}

static void comment(ifx *t, int64_t id, int64_t user)
{
    registry_user u;
    registry_actor a;
    errmsg err = {0};

    assert_int_equal(registry_user_get(t->f->reg, &u, user, &err), 0);
    a = (registry_actor){u.id, registry_role_bit(u.role), u.org_id, u.name};
    if (registry_comment_add(t->f->reg, NULL, id, &a, "a comment", NULL, 0,
                             &err) < 0)
        fail_msg("comment by %s: %s", u.name, err.msg);
}

/* An event written as registry_event_add is, in its own transaction. */
static int64_t event_add(ifx *t, const char *name, int64_t request_id,
                         int64_t actor)
{
    registry_event_about about = {.request_id = request_id, .actor_id = actor};
    errmsg err = {0};
    int64_t id = 0;

    assert_int_equal(registry_begin(t->f->reg, &err), 0);
    if (registry_event_add(t->f->reg, &id, name, &about, "{}", &err) < 0)
        fail_msg("%s: %s", name, err.msg);
    assert_int_equal(registry_commit(t->f->reg, &err), 0);
    return id;
}

static void watch(ifx *t, int64_t user, registry_watch_kind k, int64_t ref)
{
    errmsg err = {0};
    int changed = -1;

    assert_int_equal(
        registry_watch_set(t->f->reg, user, k, ref, 1, &changed, &err), 0);
    assert_int_equal(changed, 1);
}

static void active(ifx *t, int64_t user, int on)
{
    errmsg err = {0};

    assert_int_equal(registry_user_set_active(t->f->reg, user, on, &err), 0);
}

static void edit(ifx *t, const char *instance, const char *table,
                 const char *value, int64_t user, int want_changed)
{
    registry_field_value set = {"description", value};
    errmsg err = {0};
    int changed = -1;

    if (registry_table_edit(t->f->reg, instance, table, NULL, &set, 1, user,
                            "why", &changed, &err) < 0)
        fail_msg("edit %s/%s: %s", instance, table, err.msg);
    assert_int_equal(changed, want_changed);
}

static int64_t count(ifx *t, const char *fmt, int64_t a, int64_t b)
{
    char sql[400];

    snprintf(sql, sizeof sql, fmt, (long long)a, (long long)b);
    return ufx_int(t->f, sql);
}

/* ---- who is told -------------------------------------------------------- */

static void test_inbox__submitted_to_its_pm_or_every_active_pm(void **state)
{
    ifx *t = *state;
    ufx *f = t->f;
    int64_t id = 0;

    TOLD(t, "request.submitted", "Pat:pm",
         id = ufx_submit(f, CR_BOTH, f->client_a, "Ann"));
    TOLD(t, "request.submitted", "Pat:pm Pia:pm",
         ufx_submit(f, CR_NO_PM, f->client_a, "Ann"));
    active(t, t->pia, 0);
    TOLD(t, "request.submitted", "Pat:pm",
         ufx_submit(f, CR_NO_PM, f->client_a, "Ann"));
    active(t, t->pia, 1);
    /* The assigned PM deactivated: every active PM instead. */
    active(t, f->pm, 0);
    TOLD(t, "request.commented", "Pia:pm", comment(t, id, f->client_a));
    TOLD(t, "request.submitted", "Pia:pm",
         ufx_submit(f, CR_NO_PM, f->client_a, "Ann"));
    /* A PM's own submission is not news to that PM. */
    active(t, f->pm, 1);
    TOLD(t, "request.submitted", "", ufx_submit(f, CR_BOTH, f->pm, "Pat"));
}

static void test_inbox__each_event_reaches_its_people(void **state)
{
    ifx *t = *state;
    ufx *f = t->f;
    int64_t id = ufx_submit(f, CR_BOTH, f->client_a, "Ann"), id2, id3;

    TOLD(t, "request.triaged", "", go(t, id, f->pm, "triaged", NULL));
    TOLD(t, "request.needs_info", "Ann:requester",
         go(t, id, f->pm, "needs_info", NULL));
    TOLD(t, "request.answered", "Pat:pm",
         go(t, id, f->client_a, "answered", NULL));
    TOLD(t, "request.scheduled", "Ann:requester Olli:ops Oz:ops",
         go(t, id, f->pm, "scheduled", NULL));
    TOLD(t, "request.in_progress", "", go(t, id, f->pm, "in_progress", NULL));
    TOLD(t, "request.deployed", "Ann:requester Olli:ops Oz:ops",
         go(t, id, f->pm, "deployed", "acme-qa"));
    TOLD(t, "request.commented", "Pat:pm", comment(t, id, f->client_a));
    TOLD(t, "request.commented", "Ann:requester", comment(t, id, f->pm));
    TOLD(t, "request.commented", "Ann:requester Pat:pm",
         comment(t, id, f->admin));
    TOLD(t, "request.deployed", "Ann:requester Olli:ops Oz:ops",
         go(t, id, f->admin, "deployed", "acme-prod"));

    id2 = ufx_submit(f, CR_BOTH, f->client_a, "Ann");
    TOLD(t, "request.rejected", "Ann:requester",
         go(t, id2, f->pm, "rejected", NULL));
    id3 = ufx_submit(f, CR_BOTH, f->client_a, "Ann");
    TOLD(t, "request.withdrawn", "Pat:pm",
         go(t, id3, f->client_a, "withdrawn", NULL));

    told_is(t, event_add(t, "deploy.digest", 0, 0), "Olli:ops Oz:ops");
    told_is(t, event_add(t, "delivery.failed", id, 0), "Ada:admin");
    told_is(t, event_add(t, "account.reset", 0, 0), "");
    /* Nobody else ever had anything: Bob, Cam. */
    assert_int_equal(count(t,
                           "SELECT count(*) FROM inbox WHERE user_id IN"
                           " (%lld, %lld)",
                           f->client_b, t->cam),
                     0);
}

static void test_inbox__actor_inactive_and_one_row_per_user(void **state)
{
    ifx *t = *state;
    ufx *f = t->f;
    int64_t id = ufx_submit(f, CR_BOTH, f->client_a, "Ann");

    watch(t, f->pm, WATCH_REQUEST, id);
    watch(t, f->ops, WATCH_REQUEST, id);
    watch(t, f->client_a, WATCH_REQUEST, id);
    watch(t, t->olli, WATCH_REQUEST, id);
    active(t, t->olli, 0);
    /* Ann's own comment: not to Ann, though she watches; Pat once, as PM. */
    TOLD(t, "request.commented", "Oz:watch Pat:pm",
         comment(t, id, f->client_a));
    TOLD(t, "request.triaged", "Ann:watch Oz:watch",
         go(t, id, f->pm, "triaged", NULL));
    /* Ann as requester, Oz as ops, not as watchers; Pat acted; Olli is
       deactivated. */
    TOLD(t, "request.scheduled", "Ann:requester Oz:ops",
         go(t, id, f->pm, "scheduled", NULL));
    active(t, t->olli, 1);
    TOLD(t, "request.in_progress", "Ann:watch Olli:watch Oz:watch Pat:watch",
         go(t, id, f->admin, "in_progress", NULL));
}

/* ---- tenants ------------------------------------------------------------ */

static void test_inbox__never_written_for_another_organisation(void **state)
{
    ifx *t = *state;
    ufx *f = t->f;
    int64_t id = ufx_submit(f, CR_BOTH, f->client_a, "Ann");
    char sql[300];

    /* Watches of acme's request and tables, as no use case would write
       them: for Bob of globex and, to compare, Cam of acme. */
    snprintf(sql, sizeof sql,
             "INSERT INTO watches(kind, ref, user_id, created_at) VALUES"
             " ('request', %lld, %lld, 0), ('table', %lld, %lld, 0),"
             " ('request', %lld, %lld, 0), ('table', %lld, %lld, 0)",
             (long long)id, (long long)f->client_b,
             (long long)t->prod_customers, (long long)f->client_b,
             (long long)id, (long long)t->cam, (long long)t->prod_customers,
             (long long)t->cam);
    ufx_exec(f, sql);
    go(t, id, f->pm, "triaged", NULL);
    go(t, id, f->pm, "scheduled", NULL);
    go(t, id, f->pm, "in_progress", NULL);
    go(t, id, f->pm, "deployed", "acme-prod");
    comment(t, id, f->pm);
    edit(t, "acme-prod", "customers", "All customers", f->pm, 1);
    event_add(t, "deploy.digest", 0, 0);
    event_add(t, "delivery.failed", id, 0);
    /* Cam heard of each of the six; Bob of none. */
    assert_int_equal(
        count(t, "SELECT count(*) FROM inbox WHERE user_id = %lld", t->cam, 0),
        6);
    assert_int_equal(count(t, "SELECT count(*) FROM inbox WHERE user_id = %lld",
                           f->client_b, 0),
                     0);
}

static void watch_ref(void *ctx, const registry_watch *w)
{
    ufx_ids_add(ctx, w->ref);
}

static void test_inbox__never_read_for_another_organisation(void **state)
{
    ifx *t = *state;
    ufx *f = t->f;
    int64_t acme = ufx_submit(f, CR_BOTH, f->client_a, "Ann");
    int64_t globex = ufx_submit(f, CR_GLOBEX, f->client_b, "Bob");
    int64_t e1, e2, mine, unread = -1;
    registry_inbox_query q = {0};
    registry_inbox_item *items = NULL;
    registry_user u;
    size_t n = 0;
    errmsg err = {0};
    char sql[400];
    ufx_ids listed;

    e1 = event_add(t, "request.updated", acme, f->client_a);
    e2 = event_add(t, "request.updated", acme, f->client_a);
    comment(t, globex, f->pm);
    mine = ufx_int(f, "SELECT max(id) FROM inbox");
    /* Rows no fan-out writes: acme's events in Bob's inbox, one marked as
       acme's, one as nobody's. */
    snprintf(sql, sizeof sql,
             "INSERT INTO inbox(user_id, event_id, org_id, reason, created_at)"
             " VALUES (%lld, %lld, %lld, 'watch', 1), (%lld, %lld, 0, 'watch',"
             " 1)",
             (long long)f->client_b, (long long)e1, (long long)f->org_a,
             (long long)f->client_b, (long long)e2);
    ufx_exec(f, sql);

    q.user_id = f->client_b;
    q.org_id = f->org_b;
    assert_int_equal(registry_inbox_list(f->reg, &q, &items, &n, NULL, &err),
                     0);
    assert_int_equal(n, 1);
    assert_int_equal(items[0].id, mine);
    assert_string_equal(items[0].event, "request.commented");
    assert_string_equal(items[0].reason, "requester");
    assert_int_equal(items[0].request_id, globex);
    registry_inbox_items_free(items, n);
    q.unread_only = 1;
    assert_int_equal(registry_inbox_list(f->reg, &q, &items, &n, NULL, &err),
                     0);
    assert_int_equal(n, 1);
    registry_inbox_items_free(items, n);
    assert_int_equal(registry_inbox_unread(f->reg, f->client_b, f->org_b, 100,
                                           &unread, &err),
                     0);
    assert_int_equal(unread, 1);
    /* The header's count, read with the signed-in user. */
    assert_int_equal(registry_user_get(f->reg, &u, f->client_b, &err), 0);
    assert_int_equal(u.unread, 1);
    /* The rows are there: unfiltered, all three are read back. */
    q.org_id = 0;
    assert_int_equal(registry_inbox_list(f->reg, &q, &items, &n, NULL, &err),
                     0);
    assert_int_equal(n, 3);
    registry_inbox_items_free(items, n);

    /* Watches of acme's things: Bob's list leaves them out too. */
    snprintf(sql, sizeof sql,
             "INSERT INTO watches(kind, ref, user_id, created_at) VALUES"
             " ('request', %lld, %lld, 2), ('table', %lld, %lld, 1),"
             " ('table', %lld, %lld, 0)",
             (long long)acme, (long long)f->client_b,
             (long long)t->prod_customers, (long long)f->client_b,
             (long long)t->globex_customers, (long long)f->client_b);
    ufx_exec(f, sql);
    listed = (ufx_ids){0};
    assert_int_equal(registry_watch_list(f->reg, f->client_b, f->org_b,
                                         watch_ref, &listed, &err),
                     0);
    assert_int_equal(listed.n, 1);
    assert_int_equal(listed.ids[0], t->globex_customers);
    listed = (ufx_ids){0};
    assert_int_equal(
        registry_watch_list(f->reg, f->client_b, 0, watch_ref, &listed, &err),
        0);
    assert_int_equal(listed.n, 3);
}

/* ---- table and request watchers ---------------------------------------- */

static void test_inbox__table_watchers_on_their_instance(void **state)
{
    ifx *t = *state;
    ufx *f = t->f;
    int64_t id = ufx_submit(f, CR_BOTH, f->client_a, "Ann"), qa_only, top;

    watch(t, f->admin, WATCH_TABLE, t->prod_customers);
    watch(t, t->cam, WATCH_TABLE, t->qa_customers);
    watch(t, t->pia, WATCH_TABLE, t->prod_orders);
    go(t, id, f->pm, "triaged", NULL);
    /* CUSTOMERS names customers on both instances. */
    TOLD(t, "request.scheduled",
         "Ada:watch Ann:requester Cam:watch Olli:ops Oz:ops",
         go(t, id, f->pm, "scheduled", NULL));
    go(t, id, f->pm, "in_progress", NULL);
    TOLD(t, "request.deployed", "Ann:requester Cam:watch Olli:ops Oz:ops",
         go(t, id, f->pm, "deployed", "ACME-QA"));
    TOLD(t, "request.deployed", "Ada:watch Ann:requester Olli:ops Oz:ops",
         go(t, id, f->pm, "deployed", "acme-prod"));

    /* A request for QA only does not concern PROD's customers. */
    qa_only = ufx_submit(f, CR("acme-qa", "\"acme-qa\"", "Customers"),
                         f->client_a, "Ann");
    go(t, qa_only, f->pm, "triaged", NULL);
    TOLD(t, "request.scheduled", "Ann:requester Cam:watch Olli:ops Oz:ops",
         go(t, qa_only, f->pm, "scheduled", NULL));

    /* An edit of the table: its watchers only, never the editor. */
    TOLD(t, "registry.changed", "Ada:watch",
         edit(t, "acme-prod", "customers", "Every customer", f->pm, 1));
    TOLD(t, "registry.changed", "",
         edit(t, "acme-prod", "customers", "Customers", f->admin, 1));
    TOLD(t, "registry.changed", "Cam:watch",
         edit(t, "acme-qa", "Customers", "QA customers", f->pm, 1));
    /* An edit that changed nothing writes nothing. */
    top = events_top(t);
    edit(t, "acme-prod", "customers", "Customers", f->pm, 0);
    assert_int_equal(events_top(t), top);
    assert_int_equal(
        count(t, "SELECT count(*) FROM inbox WHERE event_id > %lld", top, 0),
        0);
    /* Pia's orders were never named. */
    assert_int_equal(count(t,
                           "SELECT count(*) FROM inbox WHERE user_id = %lld"
                           " AND reason = 'watch'",
                           t->pia, 0),
                     0);
    /* An edit of several fields names only those whose value changed. */
    {
        registry_field_value set[] = {{"description", "Customers"},
                                      {"owner", "crm@acme.example"},
                                      {"runbook", "Page the CRM on-call."}};
        errmsg err = {0};
        int changed = -1;
        char *fields;

        assert_int_equal(registry_table_edit(f->reg, "acme-prod", "customers",
                                             NULL, set, 3, f->pm, "why",
                                             &changed, &err),
                         0);
        assert_int_equal(changed, 2);
        fields = ufx_text(f, "SELECT json_extract(payload, '$.fields') FROM"
                             " events ORDER BY id DESC LIMIT 1");
        assert_string_equal(fields, "[\"owner\",\"runbook\"]");
        free(fields);
    }
}

static void test_inbox__request_watchers_hear_every_request_event(void **state)
{
    ifx *t = *state;
    ufx *f = t->f;
    int64_t id = ufx_submit(f, CR_BOTH, f->client_a, "Ann");
    int64_t other = ufx_submit(f, CR_BOTH, f->client_a, "Ann"), top;

    watch(t, t->cam, WATCH_REQUEST, id);
    watch(t, t->pia, WATCH_REQUEST, id);
    top = events_top(t);
    go(t, id, f->pm, "triaged", NULL);
    go(t, id, f->pm, "needs_info", NULL);
    go(t, id, f->client_a, "answered", NULL);
    go(t, id, f->pm, "scheduled", NULL);
    go(t, id, f->pm, "in_progress", NULL);
    go(t, id, f->pm, "deployed", "acme-qa");
    comment(t, id, f->pm);
    comment(t, id, f->client_a);
    go(t, id, f->pm, "deployed", "acme-prod");
    event_add(t, "request.updated", id, f->client_a);
    go(t, other, f->pm, "triaged", NULL);
    comment(t, other, f->pm);
    /* Ten events of id, each with Cam and Pia; none of the other one. */
    assert_int_equal(count(t,
                           "SELECT count(*) FROM events WHERE id > %lld AND"
                           " request_id = %lld",
                           top, id),
                     10);
    for (int k = 0; k < 2; k++) {
        int64_t who = k ? t->pia : t->cam;
        char sql[400];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM events e JOIN inbox x ON x.event_id ="
                 " e.id AND x.user_id = %lld AND x.reason = 'watch' WHERE"
                 " e.id > %lld AND e.request_id = %lld",
                 (long long)who, (long long)top, (long long)id);
        assert_int_equal(ufx_int(f, sql), 10);
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM events e JOIN inbox x ON x.event_id ="
                 " e.id AND x.user_id = %lld WHERE e.request_id = %lld",
                 (long long)who, (long long)other);
        assert_int_equal(ufx_int(f, sql), 0);
    }
    /* A failed delivery of the request is for the admins only. */
    told_is(t, event_add(t, "delivery.failed", id, 0), "Ada:admin");
}

/* ---- marking ------------------------------------------------------------ */

static int64_t unread_of(ifx *t, int64_t user)
{
    errmsg err = {0};
    int64_t n = -1;

    assert_int_equal(registry_inbox_unread(t->f->reg, user, 0, 0, &n, &err), 0);
    return n;
}

static int64_t mark(ifx *t, int64_t user, const int64_t *ids, size_t n, int all,
                    int64_t up_to, int read)
{
    errmsg err = {0};
    int64_t changed = -1;

    assert_int_equal(registry_inbox_mark(t->f->reg, user, ids, n, all, up_to,
                                         read, &changed, &err),
                     0);
    return changed;
}

static void test_inbox__mark_read_and_unread(void **state)
{
    ifx *t = *state;
    ufx *f = t->f;
    int64_t id = ufx_submit(f, CR_BOTH, f->client_a, "Ann"), a[4], p, ids[3];
    registry_inbox_query q = {0};
    registry_inbox_item *items = NULL;
    size_t n = 0;
    int more = -1;
    errmsg err = {0};

    for (int i = 0; i < 4; i++) {
        comment(t, id, f->pm);
        a[i] = ufx_int(f, "SELECT max(id) FROM inbox");
    }
    p = ufx_int(f, "SELECT min(id) FROM inbox"); /* Pat's: submitted */
    assert_int_equal(unread_of(t, f->client_a), 4);
    assert_int_equal(unread_of(t, f->pm), 1);

    /* By ids: Pat's id is not Ann's to mark. */
    ids[0] = a[0], ids[1] = a[2], ids[2] = p;
    assert_int_equal(mark(t, f->client_a, ids, 3, 0, 0, 1), 2);
    assert_int_equal(unread_of(t, f->client_a), 2);
    assert_int_equal(unread_of(t, f->pm), 1);
    assert_int_equal(
        count(t,
              "SELECT count(*) FROM inbox WHERE read_at > 0 AND id IN"
              " (%lld, %lld)",
              a[0], a[2]),
        2);
    assert_int_equal(mark(t, f->client_a, ids, 1, 0, 0, 1), 0); /* again */

    /* The unread ones, newest first, a page at a time. */
    q.user_id = f->client_a;
    q.unread_only = 1;
    q.limit = 1;
    assert_int_equal(registry_inbox_list(f->reg, &q, &items, &n, &more, &err),
                     0);
    assert_int_equal(n, 1);
    assert_int_equal(more, 1);
    assert_int_equal(items[0].id, a[3]);
    assert_int_equal(items[0].read_at, 0);
    q.before_id = items[0].id;
    registry_inbox_items_free(items, n);
    assert_int_equal(registry_inbox_list(f->reg, &q, &items, &n, &more, &err),
                     0);
    assert_int_equal(n, 1);
    assert_int_equal(more, 0);
    assert_int_equal(items[0].id, a[1]);
    registry_inbox_items_free(items, n);

    /* All up to a[1]: only a[1] was unread there. */
    assert_int_equal(mark(t, f->client_a, NULL, 0, 1, a[1], 1), 1);
    assert_int_equal(unread_of(t, f->client_a), 1);
    /* Unread again. */
    assert_int_equal(mark(t, f->client_a, &a[0], 1, 0, 0, 0), 1);
    assert_int_equal(unread_of(t, f->client_a), 2);
    assert_int_equal(
        count(t, "SELECT read_at FROM inbox WHERE id = %lld", a[0], 0), 0);
    /* All of them, then all unread. */
    assert_int_equal(mark(t, f->client_a, NULL, 0, 1, 0, 1), 2);
    assert_int_equal(unread_of(t, f->client_a), 0);
    assert_int_equal(mark(t, f->client_a, NULL, 0, 1, 0, 0), 4);
    assert_int_equal(unread_of(t, f->client_a), 4);
    /* Pat's item never moved. */
    assert_int_equal(
        count(t, "SELECT read_at FROM inbox WHERE id = %lld", p, 0), 0);
    assert_int_equal(unread_of(t, f->pm), 1);
}

/* ---- e-mail ------------------------------------------------------------- */

static void mail_set(ifx *t, int64_t user, registry_inbox_mail m)
{
    errmsg err = {0};
    registry_inbox_mail got = INBOX_MAIL_OFF;

    assert_int_equal(registry_inbox_mail_set(t->f->reg, user, m, &err), 0);
    assert_int_equal(registry_inbox_mail_get(t->f->reg, user, &got, &err), 0);
    assert_int_equal(got, m);
}

/* The recipients of the e-mail rows of event on channel, comma-separated
 * by id. */
static char *mailed(ifx *t, int64_t event_id, const char *channel)
{
    char sql[300], *s;

    snprintf(sql, sizeof sql,
             "SELECT coalesce(group_concat(recipient, ','), '') FROM (SELECT"
             " recipient FROM outbox WHERE event_id = %lld AND channel = '%s'"
             " ORDER BY id)",
             (long long)event_id, channel);
    s = ufx_text(t->f, sql);
    assert_non_null(s);
    return s;
}

static void mailed_is(ifx *t, int64_t event_id, const char *want)
{
    char *s = mailed(t, event_id, "mail");

    assert_string_equal(s, want);
    free(s);
}

static void test_inbox__each_item_mailed_when_asked(void **state)
{
    ifx *t = *state;
    ufx *f = t->f;
    int64_t id = ufx_submit(f, CR_BOTH, f->client_a, "Ann"), top;

    registry_inbox_channel_set("mail");
    mail_set(t, f->client_a, INBOX_MAIL_EACH);
    mail_set(t, f->ops, INBOX_MAIL_OFF);
    mail_set(t, t->olli, INBOX_MAIL_DAILY);
    go(t, id, f->pm, "triaged", NULL);
    top = events_top(t);
    go(t, id, f->pm, "scheduled", NULL);
    mailed_is(t, event_after(t, top, "request.scheduled"), "ann@acme.example");
    mail_set(t, f->ops, INBOX_MAIL_EACH);
    go(t, id, f->pm, "in_progress", NULL);
    top = events_top(t);
    go(t, id, f->pm, "deployed", "acme-qa");
    mailed_is(t, event_after(t, top, "request.deployed"),
              "ann@acme.example,ops@platform.example");
    /* Ann's own comment: no item, no e-mail. */
    top = events_top(t);
    comment(t, id, f->client_a);
    mailed_is(t, event_after(t, top, "request.commented"), "");
    /* Without a channel, nothing is mailed. */
    registry_inbox_channel_set(NULL);
    top = events_top(t);
    go(t, id, f->pm, "deployed", "acme-prod");
    assert_int_equal(count(t,
                           "SELECT count(*) FROM outbox WHERE event_id = %lld",
                           event_after(t, top, "request.deployed"), 0),
                     0);
}

/* ---- the daily digest --------------------------------------------------- */

static int digest(ifx *t, int64_t now)
{
    errmsg err = {0};
    int n = -1;

    if (registry_inbox_digest(t->f->reg, now, 7, 30, &n, &err) < 0)
        fail_msg("digest: %s", err.msg);
    return n;
}

/* The payload of the inbox.digest to email written after top. */
static cJSON *digest_of(ifx *t, int64_t top, const char *email)
{
    char sql[400], *s;
    cJSON *o;

    snprintf(sql, sizeof sql,
             "SELECT e.payload FROM events e JOIN outbox o ON o.event_id ="
             " e.id WHERE e.id > %lld AND e.event = 'inbox.digest' AND"
             " o.channel = 'mail' AND o.recipient = '%s'",
             (long long)top, email);
    s = ufx_text(t->f, sql);
    if (!s)
        fail_msg("no digest to %s", email);
    o = ufx_json_parse(s);
    free(s);
    ufx_json_str(o, "event", "inbox.digest");
    ufx_json_str(o, "recipient", email);
    ufx_json_str(o, "url", "/inbox");
    return o;
}

static void test_inbox__daily_digest(void **state)
{
    ifx *t = *state;
    ufx *f = t->f;
    int64_t acme = ufx_submit(f, CR_BOTH, f->client_a, "Ann");
    int64_t globex = ufx_submit(f, CR_GLOBEX, f->client_b, "Bob");
    int64_t day = (time_now() / 86400 + 2) * 86400,
            slot = day + 7 * 3600 + 1800;
    int64_t top, first, last, c[3];
    char sql[400];
    cJSON *o;

    /* No channel: nothing, and no day marked. */
    mail_set(t, f->client_a, INBOX_MAIL_DAILY);
    assert_int_equal(digest(t, slot), 0);
    assert_int_equal(
        ufx_int(f, "SELECT count(*) FROM users WHERE inbox_digest_at > 0"), 0);

    registry_inbox_channel_set("mail");
    mail_set(t, f->client_b, INBOX_MAIL_DAILY);
    mail_set(t, t->cam, INBOX_MAIL_DAILY);
    mail_set(t, f->ops, INBOX_MAIL_EACH);
    mail_set(t, t->pia, INBOX_MAIL_DAILY);
    active(t, t->pia, 0);
    for (int i = 0; i < 3; i++) {
        comment(t, acme, f->pm);
        c[i] = ufx_int(f, "SELECT max(id) FROM inbox");
    }
    assert_int_equal(mark(t, f->client_a, &c[0], 1, 0, 0, 1), 1);
    comment(t, globex, f->pm);
    /* acme's request in Bob's inbox, as no fan-out writes it. */
    snprintf(sql, sizeof sql,
             "INSERT INTO inbox(user_id, event_id, org_id, reason, created_at)"
             " SELECT %lld, id, %lld, 'watch', 1 FROM events WHERE"
             " request_id = %lld LIMIT 1",
             (long long)f->client_b, (long long)f->org_a, (long long)acme);
    ufx_exec(f, sql);

    /* Before 07:30 nothing. */
    top = events_top(t);
    assert_int_equal(digest(t, slot - 60), 0);
    assert_int_equal(events_top(t), top);
    assert_int_equal(
        ufx_int(f, "SELECT count(*) FROM users WHERE inbox_digest_at > 0"), 0);

    /* At 07:30: Ann (her two unread) and Bob (his one of globex). */
    assert_int_equal(digest(t, slot), 2);
    o = digest_of(t, top, "ann@acme.example");
    ufx_json_int(o, "count", 2);
    ufx_json_size(o, "items", 2);
    ufx_json_str(o, "name", "Ann");
    ufx_json_str(o, "items.0.event", "request.commented");
    cJSON_Delete(o);
    o = digest_of(t, top, "bob@globex.example");
    ufx_json_int(o, "count", 1);
    ufx_json_size(o, "items", 1);
    ufx_json_str(o, "items.0.payload.request.organisation", "globex");
    cJSON_Delete(o);
    /* The digest is nobody's inbox item; Cam had nothing but her day is
       done; Oz (each) and Pia (deactivated) are not digested. */
    assert_int_equal(count(t,
                           "SELECT count(*) FROM inbox x JOIN events e ON e.id"
                           " = x.event_id WHERE e.event = 'inbox.digest' AND"
                           " %lld",
                           1, 0),
                     0);
    assert_int_equal(count(t,
                           "SELECT inbox_digest_at FROM users WHERE id = %lld",
                           t->cam, 0),
                     slot);
    assert_int_equal(count(t,
                           "SELECT count(*) FROM users WHERE inbox_digest_at"
                           " > 0 AND id IN (%lld, %lld)",
                           f->ops, t->pia),
                     0);

    /* Once a day: later that day nothing, even with a new item. */
    comment(t, acme, f->pm);
    first = ufx_int(f, "SELECT max(id) FROM inbox");
    snprintf(sql, sizeof sql,
             "UPDATE inbox SET created_at = %lld WHERE id = %lld",
             (long long)slot + 60, (long long)first);
    ufx_exec(f, sql);
    top = events_top(t);
    assert_int_equal(digest(t, slot + 3600), 0);
    assert_int_equal(events_top(t), top);

    /* The next day: only what came since the last digest, unread. An item
       of the very second of the last digest, written after it, is not
       lost. */
    comment(t, acme, f->pm);
    snprintf(sql, sizeof sql,
             "UPDATE inbox SET created_at = %lld WHERE id = (SELECT max(id)"
             " FROM inbox)",
             (long long)slot);
    ufx_exec(f, sql);
    comment(t, acme, f->pm);
    last = ufx_int(f, "SELECT max(id) FROM inbox");
    snprintf(sql, sizeof sql,
             "UPDATE inbox SET created_at = %lld WHERE id = %lld",
             (long long)slot + 120, (long long)last);
    ufx_exec(f, sql);
    assert_int_equal(mark(t, f->client_a, &last, 1, 0, 0, 1), 1);
    top = events_top(t);
    assert_int_equal(digest(t, slot + 86400), 1);
    o = digest_of(t, top, "ann@acme.example");
    ufx_json_int(o, "count", 2);
    ufx_json_size(o, "items", 2);
    cJSON_Delete(o);
    assert_int_equal(count(t,
                           "SELECT count(*) FROM users WHERE inbox_digest_at ="
                           " %lld AND id IN (%lld, 0)",
                           slot + 86400, f->client_b),
                     1);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

UFX_MAIN(T(test_inbox__submitted_to_its_pm_or_every_active_pm),
         T(test_inbox__each_event_reaches_its_people),
         T(test_inbox__actor_inactive_and_one_row_per_user),
         T(test_inbox__never_written_for_another_organisation),
         T(test_inbox__never_read_for_another_organisation),
         T(test_inbox__table_watchers_on_their_instance),
         T(test_inbox__request_watchers_hear_every_request_event),
         T(test_inbox__mark_read_and_unread),
         T(test_inbox__each_item_mailed_when_asked),
         T(test_inbox__daily_digest))
