/* cmd_catalog.c: the registry on the command line: `docket tables` and
 * `docket import` (a data-dictionary CSV, a dbt sources file or ODCS
 * contracts, all through the one import engine of registry/). `docket lookup`
 * is in cmd_lookup.c, `docket demo` in cmd_demo.c, `docket export` in export.c.
 * The data work is in registry/catalog.c. */
#include "app.h"
#include "buf.h"
#include "card.h"
#include "catalog.h"
#include "catalog_cases.h"
#include "dbt.h"
#include "mem.h"
#include "odcs.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct term {
    FILE *f;
    int color;
} term;

/* ---- tables ------------------------------------------------------------- */

static void table_line(void *ctx, const registry_table_row *r)
{
    const term *t = ctx;
    const card_dep_text *dep = card_dep_named(r->campaign_dependency);
    char miss[8];
    buf b = {0};

    card_missing_after(miss, r->expected_arrival, r->late_after_minutes);
    buf_appendf(&b, "%-14.14s %-30.30s ", r->instance, r->name);
    if (dep->dep != REGISTRY_DEP_UNSET) {
        card_term_style(&b, t->color,
                        dep->dep == REGISTRY_DEP_REQUIRED ? "1;31" : "32");
        buf_appendf(&b, "%-10s", dep->badge);
    } else {
        buf_puts(&b, "-         ");
    }
    card_term_style(&b, t->color, "0");
    buf_appendf(&b, "%-6s %-6s %-8s %-4s ",
                *r->expected_arrival ? r->expected_arrival : "-",
                *miss ? miss : "-", r->consent_relevant ? "consent" : "",
                r->has_pii ? "PII" : "");
    card_term_text(&b, r->owner);
    if (strcmp(r->status, "active")) {
        buf_puts(&b, " [");
        card_term_text(&b, r->status);
        buf_puts(&b, "]");
    }
    buf_putc(&b, '\n');
    fputs(buf_cstr(&b), t->f);
    buf_dispose(&b);
}

/* docket tables [--instance I] [--required] [--consent] */
int cmd_tables(app_args *a)
{
    static const char u[] = "docket tables [--instance I] [--required] "
                            "[--consent] [--pii]";
    registry_table_filter f = {0};
    term t = {stdout, 0};
    errmsg err = {0};
    registry *reg;
    int64_t total = 0;
    int rc = 0;

    f.instance = app_opt(a, "--instance");
    f.dependency = app_flag(a, "--required") ? "required" : NULL;
    f.consent = app_flag(a, "--consent");
    f.pii = app_flag(a, "--pii");
    f.sort = "instance";
    if (app_positionals(a, u) != 0)
        return app_fail(EXIT_USAGE, "usage: %s", u);
    t.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
    reg = app_open_db(REGISTRY_READONLY);
    if (!reg)
        return EXIT_USAGE;
    printf("%-14s %-30s %-9s %-6s %-6s %-8s %-4s %s\n", "INSTANCE", "TABLE",
           "CAMPAIGNS", "AT", "LATE", "CONSENT", "PII", "OWNER");
    if (registry_table_list(reg, &f, table_line, &t, &total, &err) < 0)
        rc = app_fail(EXIT_RUNTIME, "%s", err.msg);
    else
        printf("%lld table%s\n", (long long)total, total == 1 ? "" : "s");
    registry_close(reg);
    return rc;
}

/* ---- import ------------------------------------------------------------- */

/* The records of a dbt sources file or of ODCS contracts (a file or a
 * directory) at path, read for instance; rep gets the problems. 0 or
 * ERR_* (ERR_INVALID: problems in rep, still to be listed with the
 * engine's own). */
static int import_read_yaml(registry_import_recs *rs,
                            registry_import_report *rep, registry *reg,
                            const char *format, const char *instance,
                            const char *path, errmsg *err)
{
    char *data;
    size_t len = 0;
    int rc;

    if (!strcmp(format, "odcs"))
        return domain_odcs_read(rs, rep, reg, instance, path, err);
    data = strcmp(path, "-") ? buf_read_file(path, &len)
                             : buf_read_stream(stdin, &len);
    if (!data)
        return err_set(err, ERR_NOTFOUND, "cannot read %s", path);
    rc = domain_dbt_read(rs, rep, reg, instance, NULL, data, len, err);
    free(data);
    return rc;
}

/* docket import --instance NAME [--format csv|dbt|odcs] FILE [--user
 * EMAIL] */
int cmd_import(app_args *a)
{
    static const char u[] =
        "docket import --instance NAME [--format csv|dbt|odcs] FILE|DIR "
        "[--user EMAIL]\n"
        "  csv (the default): a data dictionary; header (any order; table and"
        " column required): table, column,"
        " type, nullable, primary_key, description, example, pii, consent,"
        " consent_channel, rule, column_status, campaign_dependency,"
        " campaign_note, expected_arrival, late_after_minutes, source,"
        " cadence, file_pattern, owner, escalation, table_description,"
        " runbook, table_kind, table_status, consent_relevant, expected_day,"
        " anomaly_low_pct, anomaly_high_pct\n"
        "  dbt: a dbt sources file (version: 2), the source named like the"
        " instance or the only one\n"
        "  odcs: an ODCS v3 data contract, or a directory of *.yaml"
        " contracts";
    const char *instance = app_opt(a, "--instance");
    const char *email = app_opt(a, "--user");
    const char *format = app_opt(a, "--format");
    registry_import_report rep = {0};
    registry_import_recs rs = {0};
    registry_user user = {0};
    static const domain_actor console = {.email = "cli"};
    domain_actor who;
    errmsg err = {0}, rerr = {0};
    registry *reg = NULL;
    char *data = NULL;
    size_t len = 0;
    int rc = 0, csv;

    if (app_flag(a, "--help")) {
        printf("usage: %s\n", u);
        return 0;
    }
    if (!format)
        format = "csv";
    if (app_positionals(a, u) != 1 || !instance)
        return app_fail(EXIT_USAGE, "usage: %s", u);
    if (strcmp(format, "csv") && strcmp(format, "dbt") &&
        strcmp(format, "odcs"))
        return app_fail(EXIT_USAGE, "--format must be csv, dbt or odcs");
    csv = !strcmp(format, "csv");
    /* "-" reads the dictionary from standard input. */
    if (csv) {
        data = strcmp(a->argv[1], "-") ? buf_read_file(a->argv[1], &len)
                                       : buf_read_stream(stdin, &len);
        if (!data)
            return app_fail(EXIT_USAGE, "cannot read %s", a->argv[1]);
    }
    reg = app_open_db(REGISTRY_NOCREATE);
    if (!reg) {
        free(data);
        return EXIT_USAGE;
    }
    if (email && registry_user_find(reg, &user, email, &err) < 0) {
        rc = app_fail(EXIT_USAGE, "%s", err.msg);
        goto done;
    }
    /* The console, or the user named by --user with that user's rights
       (project managers and admins), as the import page of the web. */
    who = email ? domain_actor_of(&user) : console;
    if (csv) {
        rc = domain_catalog_import(reg, &who, &rep, instance, data, len,
                                   a->argv[1], "local", &err);
    } else {
        rc = domain_catalog_import_allowed(reg, &who, instance, &err);
        if (rc == 0)
            rc = import_read_yaml(&rs, &rep, reg, format, instance, a->argv[1],
                                  &rerr);
        /* A reader's problems are listed with the records' own. */
        if (rc == 0 || rc == ERR_INVALID)
            rc = domain_catalog_import_records(reg, &who, &rep, instance, &rs,
                                               a->argv[1], "local", &err);
        else if (rc < 0 && !err.code)
            err = rerr;
    }
    if (rc < 0) {
        for (size_t i = 0; i < rep.nproblems; i++) {
            const registry_import_problem *p = &rep.problems[i];
            fprintf(stderr, "%s:%d", *p->file ? p->file : a->argv[1], p->line);
            if (*p->field)
                fprintf(stderr, ": %s", p->field);
            fprintf(stderr, ": %s\n", p->message);
        }
        rc =
            app_fail(err.code == ERR_INVALID || err.code == ERR_NOTFOUND ||
                             err.code == ERR_FORBIDDEN || err.code == ERR_TOOBIG
                         ? EXIT_USAGE
                         : EXIT_RUNTIME,
                     "%s", err.msg);
        goto done;
    }
    /* A YAML reader makes a record per field of a table, so its count
       says nothing to the reader: the file is named instead. */
    if (csv)
        printf("imported %d record%s", rep.records,
               rep.records == 1 ? "" : "s");
    else
        printf("imported %s", a->argv[1]);
    printf(" into %s: %d table%s created, %d updated; %d column%s added, %d "
           "updated\n",
           instance, rep.tables_created, rep.tables_created == 1 ? "" : "s",
           rep.tables_updated, rep.columns_added,
           rep.columns_added == 1 ? "" : "s", rep.columns_updated);
done:
    registry_import_report_dispose(&rep);
    registry_import_recs_dispose(&rs);
    registry_close(reg);
    free(data);
    return rc;
}
