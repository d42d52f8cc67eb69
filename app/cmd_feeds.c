/* cmd_feeds.c: `docket arrived` (report a file of a table) and `docket
 * gate` (may campaigns run on an instance?) on the local database. The
 * rules are domain/feeds_cases.h's; the gate's exit status is its
 * decision, so a scheduler runs `docket gate --instance I &&
 * send_campaigns`. */
#include "app.h"
#include "domain.h"
#include "feeds_cases.h"
#include "str.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exit codes of `docket gate`: 0 run, these two, 2 usage, 3 failure. */
enum { EXIT_GATE_WAIT = 4, EXIT_GATE_HOLD = 5 };

/* The command line acts as the operator of the database itself. */
static domain_actor local_actor(void)
{
    domain_actor a = {0};

    a.role = ROLE_ADMIN;
    a.email = "";
    a.name = "command line";
    a.org_name = "";
    return a;
}

/* An error of a use case as an exit status: bad input 2, else 3. */
static int fail_err(const errmsg *err)
{
    int usage = err->code == ERR_INVALID || err->code == ERR_NOTFOUND ||
                err->code == ERR_FORBIDDEN;

    return app_fail(usage ? EXIT_USAGE : EXIT_RUNTIME, "%s", err->msg);
}

static int opt_count(int64_t *out, const char *v, const char *name)
{
    if (!v)
        return 0;
    if (str_to_i64(out, v) < 0 || *out < 0)
        return app_fail(EXIT_USAGE, "%s is a whole number, 0 or more", name);
    return 0;
}

static int opt_time(int64_t *out, const char *v)
{
    if (!v)
        return 0;
    if (time_parse_iso(out, v) < 0 || *out <= 0)
        return app_fail(EXIT_USAGE, "--at is a UTC time in ISO 8601 "
                                    "(2026-03-03T04:52:00Z)");
    return 0;
}

int cmd_arrived(app_args *a)
{
    static const char u[] =
        "docket arrived --instance I TABLE [--rows N] [--bytes N] [--file F] "
        "[--failed MESSAGE] [--at T]";
    const char *instance = app_opt(a, "--instance");
    const char *rows = app_opt(a, "--rows"), *bytes = app_opt(a, "--bytes");
    const char *file = app_opt(a, "--file"), *failed = app_opt(a, "--failed");
    const char *at = app_opt(a, "--at");
    domain_arrival_input in = {0};
    domain_actor who = local_actor();
    registry_arrival out;
    errmsg err = {0};
    registry *reg;
    char when[32];
    int created = 0, rc;

    if (app_positionals(a, u) != 1 || !instance)
        return app_fail(EXIT_USAGE, "usage: %s", u);
    in.instance = instance;
    in.table = a->argv[1];
    in.file = file;
    in.rows = in.bytes = -1;
    in.failed = failed != NULL;
    in.message = failed;
    if (opt_count(&in.rows, rows, "--rows") ||
        opt_count(&in.bytes, bytes, "--bytes") || opt_time(&in.arrived_at, at))
        return EXIT_USAGE;
    reg = app_open_db(0);
    if (!reg)
        return EXIT_USAGE;
    rc = domain_arrival_report(reg, &who, &in, &out, &created, &err);
    registry_close(reg);
    if (rc < 0)
        return fail_err(&err);
    time_iso(when, sizeof when, out.arrived_at);
    printf("%s %s/%s: %s at %s", created ? "stored" : "already reported",
           out.instance, out.table, out.failed ? "failed" : "arrived", when);
    if (out.rows >= 0)
        printf(", %lld rows", (long long)out.rows);
    printf(" (file %s)\n", out.file);
    return 0;
}

/* One line of a table in the gate's text. */
static void print_table(const domain_gate_table *t)
{
    char due[32], miss[32], arr[32];

    time_iso(due, sizeof due, t->slot.due_at);
    time_iso(miss, sizeof miss, t->slot.missing_at);
    printf("  %-32s %-8s %-12s due %s", t->t.name,
           t->required ? "REQUIRED" : "optional",
           domain_feed_state_name(t->state), due);
    if (t->has_arrival) {
        time_iso(arr, sizeof arr, t->arrival.arrived_at);
        printf(", %s %s", t->arrival.failed ? "failed" : "arrived", arr);
        if (t->arrival.rows >= 0)
            printf(", %lld rows", (long long)t->arrival.rows);
        if (t->arrival.failed && t->arrival.message[0])
            printf(": %s", t->arrival.message);
    } else if (t->state == FEED_MISSING) {
        printf(", missing since %s", miss);
    }
    putchar('\n');
    if (t->required && t->state != FEED_ARRIVED &&
        t->state != FEED_ARRIVED_LATE) {
        if (t->t.campaign_note[0])
            printf("      note: %s\n", t->t.campaign_note);
        if (t->t.escalation[0])
            printf("      escalation: %s\n", t->t.escalation);
    }
}

int cmd_gate(app_args *a)
{
    static const char u[] = "docket gate --instance I [--at T] [--json]";
    const char *instance = app_opt(a, "--instance");
    const char *at_s = app_opt(a, "--at");
    int json = app_flag(a, "--json");
    domain_actor who = local_actor();
    domain_gate_result g;
    errmsg err = {0};
    registry *reg;
    int64_t at = 0;
    char when[32];
    int rc;

    if (app_positionals(a, u) != 0 || !instance)
        return app_fail(EXIT_USAGE, "usage: %s", u);
    if (opt_time(&at, at_s))
        return EXIT_USAGE;
    reg = app_open_db(REGISTRY_READONLY);
    if (!reg)
        return EXIT_USAGE;
    rc = domain_gate(reg, &who, instance, at, &g, &err);
    registry_close(reg);
    if (rc < 0)
        return fail_err(&err);
    if (json) {
        cJSON *j = domain_gate_json(&g);
        char *text = cJSON_Print(j);
        puts(text);
        cJSON_free(text);
        cJSON_Delete(j);
    } else {
        time_iso(when, sizeof when, g.at);
        printf("%s at %s: %s\n", g.instance, when,
               g.decision == GATE_HOLD   ? "HOLD campaigns"
               : g.decision == GATE_WAIT ? "WAIT for required files"
                                         : "RUN campaigns");
        for (size_t i = 0; i < g.n; i++)
            print_table(&g.tables[i]);
        if (!g.n)
            printf("  no tracked tables (daily or hourly with an expected "
                   "arrival)\n");
    }
    rc = g.decision == GATE_HOLD   ? EXIT_GATE_HOLD
         : g.decision == GATE_WAIT ? EXIT_GATE_WAIT
                                   : 0;
    domain_gate_dispose(&g);
    return rc;
}
