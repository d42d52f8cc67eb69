/* card_fixture.h: a temporary registry with two organisations and a data
 * dictionary imported, for the tests of the table card (test_card.c) and
 * of the registry use cases (tests/unit/domain/test_catalog.c). Included
 * once per test; not a test itself. */
#ifndef DOCKET_CARD_FIXTURE_H
#define DOCKET_CARD_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "catalog.h"
#include "config.h"
#include "registry.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct cfx {
    char path[256];
    config cfg;
    registry *reg;
    int64_t acme, globex;             /* organisation ids */
    int64_t pm, ops, admin, ann, bob; /* users; ann of acme, bob of globex */
} cfx;

/* acme's loyalty_members (two columns, rules) in acme-prod, globex's
 * secret_orders in globex-prod. */
static const char cfx_dict_acme[] =
    "table,column,type,nullable,primary_key,pii,consent,consent_channel,"
    "campaign_dependency,campaign_note,expected_arrival,late_after_minutes,"
    "owner,runbook,table_description\n"
    "loyalty_members,member_id,bigint,no,yes,no,no,,required,Wait for it.,"
    "23:30,45,data@acme.example,Call Kim.,One row per member.\n"
    "loyalty_members,email_opt_in,boolean,yes,no,yes,yes,email,,,,,,,\n";
static const char cfx_dict_globex[] =
    "table,column,type,campaign_dependency\n"
    "secret_orders,hidden_margin,\"decimal(10,2)\",optional\n"
    "secret_orders,supplier_code,string(20),\n";

static void cfx_import(cfx *f, const char *instance, const char *csv)
{
    registry_import_report rep = {0};
    errmsg err = {0};

    if (registry_import_csv(f->reg, &rep, instance, csv, strlen(csv), f->pm,
                            &err) < 0)
        fail_msg("import into %s: %s (%s)", instance, err.msg,
                 rep.nproblems ? rep.problems[0].message : "");
    registry_import_report_dispose(&rep);
}

static int cfx_setup(void **state)
{
    cfx *f = calloc(1, sizeof *f);
    errmsg err = {0};
    int fd;

    if (!f || sodium_init() < 0)
        return -1;
    snprintf(f->path, sizeof f->path, "/tmp/docket-card-XXXXXX");
    fd = mkstemp(f->path);
    if (fd < 0)
        return -1;
    close(fd);
    unlink(f->path);
    cfg_init(&f->cfg);
    registry_routes_set(f->cfg.routes, f->cfg.nroutes);
    if (registry_open(&f->reg, f->path, 0, &err) < 0 ||
        registry_org_add(f->reg, &f->acme, "acme", &err) < 0 ||
        registry_org_add(f->reg, &f->globex, "globex", &err) < 0 ||
        registry_instance_add(f->reg, NULL, "acme", "acme-prod", "production",
                              "postgres", &err) < 0 ||
        registry_instance_add(f->reg, NULL, "globex", "globex-prod",
                              "production", "postgres", &err) < 0 ||
        registry_user_add(f->reg, &f->pm, "pm@platform.example", "Pat", "pm",
                          NULL, NULL, &err) < 0 ||
        registry_user_add(f->reg, &f->ops, "ops@platform.example", "Oz", "ops",
                          NULL, NULL, &err) < 0 ||
        registry_user_add(f->reg, &f->admin, "admin@platform.example", "Ada",
                          "admin", NULL, NULL, &err) < 0 ||
        registry_user_add(f->reg, &f->ann, "ann@acme.example", "Ann", "client",
                          "acme", NULL, &err) < 0 ||
        registry_user_add(f->reg, &f->bob, "bob@globex.example", "Bob",
                          "client", "globex", NULL, &err) < 0) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    *state = f;
    cfx_import(f, "acme-prod", cfx_dict_acme);
    cfx_import(f, "globex-prod", cfx_dict_globex);
    return 0;
}

static int cfx_teardown(void **state)
{
    cfx *f = *state;
    const char *const sfx[] = {"", "-wal", "-shm"};
    char side[300];

    registry_close(f->reg);
    registry_routes_set(NULL, 0);
    cfg_dispose(&f->cfg);
    for (size_t i = 0; i < 3; i++) {
        snprintf(side, sizeof side, "%s%s", f->path, sfx[i]);
        unlink(side);
    }
    free(f);
    return 0;
}

/* The first column of the first row of sql on a second connection; -1
 * without a row. */
static int64_t cfx_int(cfx *f, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int64_t v = -1;

    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

#endif
