/* card_fixture.h: the shared temporary registry (fixture.h) with the
 * usual people and a small data dictionary in two organisations, for the
 * tests of the table card (test_card.c) and of the registry use cases
 * (tests/unit/domain/test_catalog.c). Not a test itself. */
#ifndef DOCKET_CARD_FIXTURE_H
#define DOCKET_CARD_FIXTURE_H

#include "fixture.h"
#include "catalog.h"

#include <string.h>

/* acme's loyalty_members (two columns, rules) in acme-prod, globex's
 * secret_orders in globex-prod, both imported by the PM. */
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

static int cfx_setup(void **state)
{
    ufx *f = ufx_open("card");

    ufx_people(f, "postgres");
    ufx_import(f, "acme-prod", cfx_dict_acme);
    ufx_import(f, "globex-prod", cfx_dict_globex);
    *state = f;
    return 0;
}

#endif
