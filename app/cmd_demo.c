/* cmd_demo.c: `docket --db FILE demo`: a small realistic world (an
 * organisation, two instances, users, a data dictionary, requests in
 * every state and a week of arrivals of the tracked tables) in a fresh
 * database. The requests reach their states through the life cycle's
 * own use case (domain/triage_cases.h), so each has its events, its
 * sprint and its deploys as a real one would; the arrivals are reported
 * through the loading job's (domain/feeds_cases.h). */
#include "app.h"
#include "buf.h"
#include "catalog.h"
#include "feeds_cases.h"
#include "parse.h"
#include "requests.h"
#include "str.h"
#include "triage_cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- demo --------------------------------------------------------------- */

/* The demo's data dictionary (imported into both instances). */
static const char demo_csv[] =
    "table,column,type,nullable,primary_key,description,example,pii,consent,"
    "consent_channel,campaign_dependency,campaign_note,expected_arrival,"
    "late_after_minutes,source,cadence,file_pattern,owner,escalation,"
    "table_description,runbook,expected_day\n"
    "customers,customer_id,bigint,no,yes,Customer number,100045,,,,required,"
    "Every campaign selects from customers: hold all sends if the file is "
    "missing.,05:00,120,flat_file_csv,daily,customers_YYYYMMDD.csv,"
    "crm-data@acme.example,+44 20 7946 0001 (CRM on-call),"
    "One row per customer with contact details and segments.,"
    "\"1. Check the SFTP drop folder for today's file.\n2. If it is missing "
    "after 07:00 UTC, page the CRM on-call.\n3. **Do not** start campaigns "
    "on yesterday's data.\"\n"
    "customers,email,string(255),yes,,E-mail address,ann@example.com,yes,,,"
    ",,,,,,,,,,\n"
    "customers,first_name,string(100),yes,,First name,Ann,yes,,,,,,,,,,,,,\n"
    "customers,postcode,string(10),yes,,Postal code,SW1A 1AA,yes,,,,,,,,,,,,,"
    "\n"
    "customers,segment,string(20),yes,,Value segment,gold,,,,,,,,,,,,,,\n"
    "customers,lifetime_value,\"decimal(10,2)\",yes,,Sum of purchases,"
    "1520.50,,,,,,,,,,,,,,\n"
    "purchases,purchase_id,bigint,no,yes,Receipt number,88001234,,,,required,"
    "Purchase-triggered journeys wait for this file.,06:00,90,"
    "snowflake_share,daily,,sales-data@acme.example,"
    "sales-oncall@acme.example,One row per till receipt or web order.,"
    "Share refreshes at 05:30 UTC. If late: check the Snowflake task "
    "history.\n"
    "purchases,customer_id,bigint,yes,,Buyer (null for guests),100045,,,,,"
    ",,,,,,,,,\n"
    "purchases,purchased_at,timestamp with time zone,no,,Time of purchase,"
    "2026-03-02T14:05:00Z,,,,,,,,,,,,,,\n"
    "purchases,total_amount,\"decimal(12,2)\",no,,Total incl. VAT,59.90,,,,,,"
    ",,,,,,,,\n"
    "purchases,store_id,integer,yes,,Store (null for web),12,,,,,,,,,,,,,,\n"
    "purchase_items,purchase_id,bigint,no,yes,Receipt number,88001234,,,,"
    "optional,Only basket-level recommendations use it.,06:30,120,"
    "snowflake_share,daily,,sales-data@acme.example,,Lines of each purchase."
    ",\n"
    "purchase_items,line_no,integer,no,yes,Line on the receipt,1,,,,,,,,,,,,"
    ",,\n"
    "purchase_items,product_id,bigint,no,,Product,501234,,,,,,,,,,,,,,\n"
    "purchase_items,quantity,integer,no,,Quantity,2,,,,,,,,,,,,,,\n"
    "email_events,event_id,string(36),no,yes,Event UUID,"
    "8f0c7a9e-1b2c-4d5e-9f00-123456789abc,,,,optional,Reporting only.,"
    "03:00,240,json,hourly,email_events_*.json,"
    "marketing-ops@platform.example,,Opens clicks bounces from the e-mail "
    "service.,\n"
    "email_events,customer_id,bigint,yes,,Recipient,100045,,,,,,,,,,,,,,\n"
    "email_events,event_type,string(20),no,,\"open, click, bounce\",open,,,"
    ",,,,,,,,,,,\n"
    "email_events,occurred_at,timestamp with time zone,no,,When,"
    "2026-03-02T09:00:00Z,,,,,,,,,,,,,,\n"
    "sms_events,event_id,string(36),no,yes,Event UUID,,,,,optional,,04:00,"
    "240,json,hourly,sms_events_*.json,marketing-ops@platform.example,,"
    "Delivery receipts from the SMS gateway.,\n"
    "sms_events,phone_number,string(20),yes,,Recipient number,+447700900123"
    ",yes,,,,,,,,,,,,,\n"
    "sms_events,status,string(20),no,,\"delivered, failed\",delivered,,,,,,,"
    ",,,,,,,\n"
    "consent_preferences,customer_id,bigint,no,yes,Customer,100045,,,,"
    "required,No consent file means no sends: campaigns must wait.,04:30,60,"
    "flat_file_csv,daily,consent_YYYYMMDD.csv,privacy@acme.example,"
    "dpo@acme.example,Opt-in and opt-out state per channel.,"
    "Never use a stale consent file. Escalate to the DPO after 05:30 UTC.\n"
    "consent_preferences,email_opt_in,boolean,no,,E-mail marketing opt-in,"
    "true,,yes,email,,,,,,,,,,,\n"
    "consent_preferences,updated_at,timestamp with time zone,no,,Last "
    "change,2026-03-01T10:00:00Z,,,,,,,,,,,,,,\n"
    "loyalty_members,member_id,bigint,no,yes,Member number,700123,,,,"
    "required,Tier-based campaigns must wait for this file.,05:00,120,"
    "flat_file_csv,daily,loyalty_members_YYYYMMDD.csv,"
    "loyalty@acme.example,,One row per loyalty member.,\n"
    "loyalty_members,customer_id,bigint,no,,Customer,100045,,,,,,,,,,,,,,\n"
    "loyalty_members,tier,string(20),yes,,\"gold, silver or bronze\",gold,,,"
    ",,,,,,,,,,,\n"
    "loyalty_members,loyalty_email_opt_in,boolean,yes,,Opted in to loyalty "
    "e-mails,true,,yes,email,,,,,,,,,,,\n"
    "stores,store_id,integer,no,yes,Store number,12,,,,optional,"
    "Reference data: yesterday's copy is fine.,06:00,240,flat_file_csv,"
    "weekly,stores.csv,retail-ops@acme.example,,Store master data.,,mon\n"
    "stores,name,string(100),no,,Store name,Oxford Street,,,,,,,,,,,,,,\n"
    "stores,region,string(50),yes,,Region,London,,,,,,,,,,,,,,\n"
    "products,product_id,bigint,no,yes,Product number,501234,,,,optional,"
    "Reference data.,02:00,360,snowflake_share,daily,,"
    "merch-data@acme.example,,Product catalogue.,\n"
    "products,name,string(200),no,,Product name,Trail runner,,,,,,,,,,,,,,\n"
    "products,category,string(50),yes,,Category,shoes,,,,,,,,,,,,,,\n"
    "web_sessions,session_id,string(64),no,yes,Session,s-9f8e7d,,,,optional"
    ",Browse-abandonment only.,07:00,180,json,hourly,web_sessions_*.json,"
    "web-analytics@acme.example,,Web sessions from the analytics tag.,\n"
    "web_sessions,customer_id,bigint,yes,,Signed-in customer,100045,,,,,,,"
    ",,,,,,,\n"
    "web_sessions,ip_address,string(45),yes,,Client IP,203.0.113.7,yes,,,,"
    ",,,,,,,,,\n"
    "campaign_responses,response_id,bigint,no,yes,Response,1,,,,optional,,"
    "08:00,240,flat_file_csv,daily,responses_YYYYMMDD.csv,"
    "marketing-ops@platform.example,,Responses attributed to campaigns.,\n"
    "campaign_responses,campaign_code,string(20),no,,Campaign,SPRING26,,,,"
    ",,,,,,,,,,\n"
    "campaign_responses,customer_id,bigint,no,,Customer,100045,,,,,,,,,,,,"
    ",,\n"
    "unsubscribes,customer_id,bigint,no,yes,Customer,100045,,,,required,"
    "Unsubscribes must be applied before any send.,04:00,30,flat_file_csv,"
    "daily,unsubscribes_YYYYMMDD.csv,privacy@acme.example,"
    "dpo@acme.example,Opt-outs from every channel.,"
    "\"Legal requirement: if this file is late, **stop all sends** and "
    "call the DPO.\"\n"
    "unsubscribes,channel,string(20),no,yes,Channel,email,,yes,email,,,,,,,"
    ",,,,\n"
    "unsubscribes,unsubscribed_at,timestamp with time zone,no,,When,"
    "2026-03-01T18:22:00Z,,,,,,,,,,,,,,\n";

/* Requests of the demo: JSON as the API takes it, with what happens. */
static const struct {
    const char *json;
    const char *status;
    const char *deployed[2]; /* instances deployed to, QA first */
} demo_requests[] = {
    {"{\"organisation\":\"acme\",\"instance\":\"acme-prod\",\"instances\":"
     "[\"acme-qa\",\"acme-prod\"],\"project_manager\":"
     "\"pm@platform.example\",\"requester_name\":\"Casey Client\","
     "\"requester_email\":\"client@acme.example\",\"title\":\"SMS opt-in "
     "on consent preferences\",\"summary\":\"We start SMS campaigns in "
     "April and need the SMS opt-in state.\",\"consent_related\":true,"
     "\"consent_note\":\"Opt-in collected at checkout.\",\"items\":[{"
     "\"kind\":\"add_columns\",\"table\":\"consent_preferences\","
     "\"columns\":[{\"name\":\"sms_opt_in\",\"type\":\"boolean\","
     "\"nullable\":true,\"description\":\"SMS marketing opt-in\","
     "\"example\":\"false\",\"consent\":true,\"consent_channel\":\"sms\"}]}"
     "]}",
     "deployed",
     {"acme-qa", "acme-prod"}},
    {"{\"organisation\":\"acme\",\"instance\":\"acme-prod\",\"instances\":"
     "[\"acme-qa\",\"acme-prod\"],\"project_manager\":"
     "\"pm@platform.example\",\"requester_name\":\"Casey Client\","
     "\"requester_email\":\"client@acme.example\",\"title\":\"Loyalty tier "
     "on customers\",\"summary\":\"Copy the loyalty tier to customers and "
     "widen lifetime value.\",\"items\":[{\"kind\":\"customer_attributes\","
     "\"table\":\"customers\",\"columns\":[{\"name\":\"loyalty_tier\","
     "\"action\":\"add\",\"type\":\"string(20)\",\"description\":\"Copied "
     "from loyalty_members\",\"example\":\"gold\"},{\"name\":"
     "\"lifetime_value\",\"action\":\"change\",\"type\":\"decimal(12,2)\","
     "\"rule\":\"Sum of purchases over 5 years\"}]}]}",
     "in_progress",
     {"acme-qa", NULL}},
    {"{\"organisation\":\"acme\",\"instance\":\"acme-prod\",\"instances\":"
     "[\"acme-prod\"],\"project_manager\":\"pm@platform.example\","
     "\"requester_name\":\"Casey Client\",\"requester_email\":"
     "\"client@acme.example\",\"title\":\"Device type on web sessions\","
     "\"summary\":\"For mobile-first journeys.\",\"items\":[{\"kind\":"
     "\"add_columns\",\"table\":\"web_sessions\",\"columns\":[{\"name\":"
     "\"device_type\",\"type\":\"string(20)\",\"description\":\"mobile, "
     "tablet or desktop\",\"example\":\"mobile\"}]}]}",
     "submitted",
     {NULL, NULL}},
    {"{\"organisation\":\"acme\",\"instance\":\"acme-prod\",\"instances\":"
     "[\"acme-qa\",\"acme-prod\"],\"project_manager\":"
     "\"pm@platform.example\",\"requester_name\":\"Casey Client\","
     "\"requester_email\":\"client@acme.example\",\"title\":\"Store "
     "opening hours\",\"summary\":\"Local campaigns mention opening "
     "hours.\",\"items\":[{\"kind\":\"new_table\",\"table\":\"store_hours\","
     "\"description\":\"Opening hours per store and weekday.\","
     "\"primary_key\":\"store_id, weekday\",\"source\":\"flat_file_csv\","
     "\"cadence\":\"weekly\",\"expected_arrival\":\"06:00\","
     "\"late_after_minutes\":240,\"file_pattern\":\"store_hours.csv\","
     "\"campaign_dependency\":\"optional\",\"campaign_note\":\"Campaigns "
     "fall back to 'see website'.\",\"owner\":\"retail-ops@acme.example\","
     "\"columns\":[{\"name\":\"store_id\",\"type\":\"integer\","
     "\"nullable\":false,\"primary_key\":true,\"description\":\"Store\"},"
     "{\"name\":\"weekday\",\"type\":\"integer\",\"nullable\":false,"
     "\"primary_key\":true,\"description\":\"1 = Monday\"},{\"name\":"
     "\"opens_at\",\"type\":\"string(5)\",\"description\":\"HH:MM local\"}"
     "]}]}",
     "scheduled",
     {NULL, NULL}},
};

static int demo_user(registry *reg, int64_t *out_id, const char *email,
                     const char *name, const char *role, const char *org)
{
    char password[33];
    errmsg err = {0};

    registry_random_hex(password, 10);
    if (registry_user_add(reg, out_id, email, name, role, org, password, &err) <
        0)
        return app_fail(EXIT_RUNTIME, "%s", err.msg);
    printf("  %-26s %-7s password %s\n", email, role, password);
    return 0;
}

/* The organisation, its two instances and the four users. */
static int demo_people(registry *reg, int64_t *client_id, int64_t *pm_id)
{
    errmsg err = {0};
    int64_t id;
    int rc;

    if (registry_org_add(reg, NULL, "acme", &err) < 0 ||
        registry_instance_add(reg, NULL, "acme", "acme-qa", "qa", "postgres",
                              &err) < 0 ||
        registry_instance_add(reg, NULL, "acme", "acme-prod", "production",
                              "postgres", &err) < 0)
        return app_fail(EXIT_RUNTIME, "%s", err.msg);
    printf("demo: organisation acme, instances acme-qa (qa) and acme-prod "
           "(production)\ndemo: users (passwords are shown only now):\n");
    rc = demo_user(reg, client_id, "client@acme.example", "Casey Client",
                   "client", "acme");
    if (!rc)
        rc = demo_user(reg, pm_id, "pm@platform.example", "Pat Manager", "pm",
                       NULL);
    if (!rc)
        rc =
            demo_user(reg, &id, "ops@platform.example", "Olu Ops", "ops", NULL);
    if (!rc)
        rc = demo_user(reg, &id, "admin@platform.example", "Ada Admin", "admin",
                       NULL);
    return rc;
}

/* The data dictionary into both instances, as the project manager. */
static int demo_dictionary(registry *reg, int64_t pm_id)
{
    static const char *const instances[] = {"acme-qa", "acme-prod"};
    errmsg err = {0};

    for (size_t i = 0; i < 2; i++) {
        registry_import_report rep = {0};
        if (registry_import_csv(reg, &rep, instances[i], demo_csv,
                                sizeof demo_csv - 1, pm_id, &err) < 0) {
            for (size_t k = 0; k < rep.nproblems; k++)
                fprintf(stderr, "demo data line %d: %s: %s\n",
                        rep.problems[k].line, rep.problems[k].field,
                        rep.problems[k].message);
            registry_import_report_dispose(&rep);
            return app_fail(EXIT_RUNTIME, "%s", err.msg);
        }
        printf("demo: %s: %d tables, %d columns\n", instances[i],
               rep.tables_created, rep.columns_added);
        registry_import_report_dispose(&rep);
    }
    return 0;
}

/* The sprints of the demo: the current one (for the requests in work
 * and deployed) and the next (for the scheduled one). */
typedef struct demo_sprints {
    int64_t current, next;
} demo_sprints;

static int demo_sprints_make(registry *reg, demo_sprints *out)
{
    registry_sprint_rules rules;
    registry_sprint cur, nxt;
    errmsg err = {0};
    int64_t now = time_now();

    registry_sprint_rules_from_config(&rules, &app_config);
    if (registry_sprints_ensure(reg, &rules, now, 2, &err) < 0 ||
        registry_sprint_next(reg, &cur, now, &err) < 0 ||
        registry_sprint_next(reg, &nxt, cur.deploy_at + 1, &err) < 0)
        return app_fail(EXIT_RUNTIME, "demo sprints: %s", err.msg);
    out->current = cur.id;
    out->next = nxt.id;
    return 0;
}

/* Moves request rid to `to` as pm (through the life cycle's own use case,
 * so the request has its events, its sprint and its deploys). */
static int demo_move(registry *reg, const domain_actor *pm, int64_t rid,
                     request_status to, int64_t sprint, const char *instance)
{
    registry_transition t = {0};
    errmsg err = {0};

    t.to = to;
    t.sprint_id = sprint;
    t.instance = instance;
    if (triage_transition(reg, pm, rid, &t, NULL, &err) < 0)
        return app_fail(EXIT_RUNTIME, "demo CR-%lld to %s: %s", (long long)rid,
                        registry_status_name(to), err.msg);
    return 0;
}

/* Takes request rid of demo_requests[i] to its status as the PM would:
 * triaged, scheduled (the next sprint for a request left scheduled, the
 * current one otherwise), in progress, deployed per instance in order. */
static int demo_life(registry *reg, size_t i, int64_t rid,
                     const domain_actor *pm, const demo_sprints *sp)
{
    request_status want = registry_status_parse(demo_requests[i].status);
    int rc = 0;

    if (want == REQ_SUBMITTED)
        return 0;
    rc = demo_move(reg, pm, rid, REQ_TRIAGED, 0, NULL);
    if (!rc && want != REQ_TRIAGED)
        rc = demo_move(reg, pm, rid, REQ_SCHEDULED,
                       want == REQ_SCHEDULED ? sp->next : sp->current, NULL);
    if (!rc && (want == REQ_IN_PROGRESS || want == REQ_DEPLOYED))
        rc = demo_move(reg, pm, rid, REQ_IN_PROGRESS, 0, NULL);
    for (size_t k = 0; !rc && k < 2 && demo_requests[i].deployed[k]; k++)
        rc = demo_move(reg, pm, rid, REQ_DEPLOYED, 0,
                       demo_requests[i].deployed[k]);
    return rc;
}

/* Request i of demo_requests, submitted by the client, then taken to its
 * status by the project manager. */
static int demo_request(registry *reg, size_t i, int64_t client_id,
                        const domain_actor *pm, const demo_sprints *sp)
{
    form_request r;
    form_errors fe = {0};
    registry_submit sub = {client_id, "Casey Client", NULL};
    errmsg err = {0};
    int64_t rid = 0;
    int rc;

    form_parse_json(&r, demo_requests[i].json, strlen(demo_requests[i].json),
                    &fe);
    if (fe.n) {
        rc = app_fail(EXIT_RUNTIME, "demo request %zu: %s: %s", i,
                      fe.errs[0].field, fe.errs[0].message);
        form_errors_dispose(&fe);
        form_request_dispose(&r);
        return rc;
    }
    form_errors_dispose(&fe);
    if (registry_request_insert(reg, &rid, NULL, &r, &sub, &err) < 0) {
        form_request_dispose(&r);
        return app_fail(EXIT_RUNTIME, "demo request %zu: %s", i, err.msg);
    }
    rc = demo_life(reg, i, rid, pm, sp);
    if (!rc)
        printf("demo: CR-%lld %s (%s)\n", (long long)rid, r.title,
               registry_status_label(
                   registry_status_parse(demo_requests[i].status)));
    form_request_dispose(&r);
    return rc;
}

/* ---- a week of arrivals -------------------------------------------------- */

/* The usual rows of a demo table's file (the others: 10,000). */
static int64_t demo_rows(const char *table)
{
    static const struct {
        const char *table;
        int64_t rows;
    } usual[] = {{"customers", 1240000},      {"purchases", 86000},
                 {"purchase_items", 241000},  {"consent_preferences", 1180000},
                 {"loyalty_members", 410000}, {"unsubscribes", 1900},
                 {"products", 12400},         {"campaign_responses", 38000},
                 {"email_events", 52000},     {"sms_events", 6100},
                 {"web_sessions", 21000}};

    for (size_t i = 0; i < sizeof usual / sizeof *usual; i++)
        if (!strcmp(usual[i].table, table))
            return usual[i].rows;
    return 10000;
}

/* A number from 0 to n - 1 that depends only on a, b and c, so the same
 * moment of seeding gives the same week. */
static int64_t demo_hash(const char *a, int64_t b, int64_t c, int64_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */

    for (; *a; a++)
        h = (h ^ (unsigned char)*a) * 1099511628211ULL;
    h = (h ^ (uint64_t)b) * 1099511628211ULL;
    h = (h ^ (uint64_t)c) * 1099511628211ULL;
    h ^= h >> 29;
    return n > 0 ? (int64_t)(h % (uint64_t)n) : 0;
}

/* What happens to the file of a slot on acme-prod: k counts back from
 * the table's last slot whose grace period is over when the demo is
 * seeded (0 that one, 1 the one before...). */
typedef enum { DEMO_ON_TIME, DEMO_LATE, DEMO_MISSING, DEMO_FAILED } demo_fate;

static demo_fate demo_fate_of(const char *instance, const char *table,
                              int64_t k, int64_t *rows)
{
    if (strcmp(instance, "acme-prod"))
        return DEMO_ON_TIME;
    if (!strcmp(table, "unsubscribes") && k == 0)
        return DEMO_MISSING; /* a required file: the gate holds */
    if (!strcmp(table, "purchase_items") && k == 1)
        return DEMO_FAILED;
    if (!strcmp(table, "purchases") && k == 2)
        return DEMO_LATE;
    if (!strcmp(table, "customers") && k == 3)
        *rows = *rows * 15 / 100; /* far below the median: an anomaly */
    return DEMO_ON_TIME;
}

/* The file of table t for slot s (the k-th back from its last slot that
 * is over, -1 for the current one), reported as the loading job would,
 * unless it arrives after now. 1 when one was reported, 0 when none, -1
 * (printed) on an error. */
static int demo_arrival(registry *reg, const domain_actor *who,
                        const char *instance, const registry_feed_table *t,
                        const feed_slot *s, int64_t k, int64_t now)
{
    domain_arrival_input in = {0};
    registry_arrival out;
    errmsg err = {0};
    char file[300], stamp[32];
    int64_t early = s->due_at - s->start < 900 ? s->due_at - s->start : 900;
    int64_t grace = s->missing_at - s->due_at;
    int64_t rows = demo_rows(t->name);
    demo_fate fate = demo_fate_of(instance, t->name, k, &rows);

    rows += demo_hash(t->name, s->start, 1, rows / 12 + 1) - rows / 24;
    in.arrived_at = s->due_at - early +
                    demo_hash(t->name, s->start, 2, early + grace / 2 + 1);
    if (fate == DEMO_MISSING)
        return 0;
    if (fate == DEMO_LATE)
        in.arrived_at = s->missing_at + 35 * 60;
    if (in.arrived_at > now || in.arrived_at >= s->end)
        return 0;
    time_iso(stamp, sizeof stamp, s->due_at);
    /* customers_20261205.csv, email_events_2026120503.json */
    snprintf(file, sizeof file, "%s_%.4s%.2s%.2s%.2s.%s", t->name, stamp,
             stamp + 5, stamp + 8, s->end - s->start <= 3600 ? stamp + 11 : "",
             s->end - s->start <= 3600 ? "json" : "csv");
    in.instance = instance;
    in.table = t->name;
    in.file = file;
    in.rows = fate == DEMO_FAILED ? -1 : rows;
    in.bytes = fate == DEMO_FAILED ? -1 : rows * 96;
    in.failed = fate == DEMO_FAILED;
    in.message = fate == DEMO_FAILED ? "Checksum mismatch: the file ends in "
                                       "the middle of a record; the sender "
                                       "was asked for a new copy."
                                     : NULL;
    if (domain_arrival_report(reg, who, &in, &out, NULL, &err) < 0) {
        app_fail(EXIT_RUNTIME, "demo arrival of %s: %s", t->name, err.msg);
        return -1;
    }
    return 1;
}

/* A week of arrivals of every tracked table of instance up to now (of
 * an hourly table the last day: its chart shows 14 hours): on time, but
 * on acme-prod one late (purchases), one missing (the required
 * unsubscribes, so the gate holds once its grace period is over), one
 * failed (purchase_items) and one far below its usual rows (customers).
 * Each file is its own report (a transaction), as the loading job's. */
static int demo_week(registry *reg, const domain_actor *who,
                     const char *instance, int64_t now)
{
    registry_instance inst;
    registry_feed_table *tables = NULL;
    size_t nt = 0;
    errmsg err = {0};
    int files = 0, rc = 0;

    if (registry_instance_get(reg, &inst, instance, &err) < 0 ||
        registry_feed_tables(reg, inst.id, &tables, &nt, &err) < 0)
        return app_fail(EXIT_RUNTIME, "demo arrivals: %s", err.msg);
    for (size_t i = 0; !rc && i < nt; i++) {
        const registry_feed_table *t = &tables[i];
        feed_slot s, prev;
        int64_t k, back;
        if (!domain_feed_slot(&s, t->cadence, t->expected_arrival,
                              t->expected_day, t->late_after_minutes, now))
            continue;
        /* k of the current slot: -1 while its grace period runs */
        k = now >= s.missing_at ? 0 : -1;
        back = s.end - s.start <= 3600 ? 86400 : 7 * 86400;
        while (!rc && s.end > now - back) {
            int got = demo_arrival(reg, who, instance, t, &s, k, now);
            if (got < 0)
                rc = EXIT_RUNTIME;
            files += got > 0;
            if (!domain_feed_slot_prev(&prev, t->cadence, t->expected_arrival,
                                       t->expected_day, t->late_after_minutes,
                                       &s))
                break;
            s = prev;
            k++;
        }
    }
    registry_feed_tables_free(tables, nt);
    if (!rc)
        printf("demo: %s: %d files arrived in the last week\n", instance,
               files);
    return rc;
}

/* docket --db FILE demo: a small realistic world in a FRESH database. */
int cmd_demo(app_args *a)
{
    static const char u[] = "docket --db FILE demo";
    registry *reg;
    int64_t client_id = 0, pm_id = 0;
    registry_user pm_user;
    domain_actor pm = {0};
    demo_sprints sp = {0, 0};
    errmsg err = {0};
    int64_t now = time_now();
    int rc;

    if (app_positionals(a, u) != 0)
        return app_fail(EXIT_USAGE, "usage: %s", u);
    reg = app_open_db(0);
    if (!reg)
        return EXIT_USAGE;
    if (!registry_is_empty(reg)) {
        registry_close(reg);
        return app_fail(EXIT_USAGE,
                        "%s already holds data: the demo needs a fresh "
                        "database (docket --db new.db demo)",
                        app_config.db);
    }
    rc = demo_people(reg, &client_id, &pm_id);
    if (!rc)
        rc = demo_dictionary(reg, pm_id);
    if (!rc)
        rc = demo_sprints_make(reg, &sp);
    if (!rc && registry_user_get(reg, &pm_user, pm_id, &err) < 0)
        rc = app_fail(EXIT_RUNTIME, "%s", err.msg);
    if (!rc)
        pm = domain_actor_of(&pm_user);
    for (size_t i = 0; !rc && i < sizeof demo_requests / sizeof *demo_requests;
         i++)
        rc = demo_request(reg, i, client_id, &pm, &sp);
    if (!rc)
        rc = demo_week(reg, &pm, "acme-qa", now);
    if (!rc)
        rc = demo_week(reg, &pm, "acme-prod", now);
    if (!rc) {
        registry_audit(reg, 0, "cli", "demo.create", app_config.db, "",
                       "local");
        printf("demo: ready. Start it with: docket --db %s serve\n",
               app_config.db);
    }
    registry_close(reg);
    return rc;
}
