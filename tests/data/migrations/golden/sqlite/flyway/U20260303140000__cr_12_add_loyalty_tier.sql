-- CR-12: Add loyalty tier
-- Requester: Jane Doe <jane.doe@acme.example>
-- Project manager: pm@docket.example
-- Instance: acme_prod (request instances: acme_qa, acme_prod)
-- Generated: 2026-03-10T09:30:00Z by docket for SQLite, flyway format
-- Request page: https://docket.example.com/requests/12
-- Consent-related: yes
-- Consent note: Members opted in at sign-up;
-- Consent note: see the DPA, section 4.
-- Tables touched:
--   - item 1, "loyalty_members" (new table); campaign dependency required: campaigns are held when its data is missing; expected by 06:00 UTC, late after 90 min; note: Hold birthday campaigns when missing.
--     - consent columns: "email_opt_in" (email)
--   - item 2, "customers" (add columns); campaign dependency optional: campaigns may run without it
--     - consent columns: "sms_opt_in" (sms)
--   - item 3, "customers" (customer attributes); campaign dependency not stated
--   - item 4, "purchases" (purchase history); campaign dependency required: campaigns are held when its data is missing
--   - item 5, "web_events" (activity history); campaign dependency not stated
-- Lint warnings (10):
--   WARNING [not-null-without-default] item 2 "customers", column "lifetime_value": "lifetime_value" is NOT NULL without a default and "customers" already exists: it is added as nullable; backfill it, then run the commented SET NOT NULL
--   WARNING [pii-without-description] item 2 "customers", column "phone": "phone" holds personal data (PII) but has no description
--   WARNING [lossy-type-change] item 3 "customers", column "segment": changing "segment" from string(100) to string(50) may lose data: the length shrinks from 100 to 50
--   WARNING [manual-type-change] item 3 "customers", column "segment": SQLite cannot change the type of "segment" in place: the file has a commented table-rebuild stub
--   WARNING [old-type-unknown] item 3 "customers", column "birth_year": the type of "birth_year" before this change is not known: docket cannot tell whether changing it to integer loses data, and the down migration cannot restore it
--   WARNING [manual-type-change] item 3 "customers", column "birth_year": SQLite cannot change the type of "birth_year" in place: the file has a commented table-rebuild stub
--   WARNING [attribute-without-type] item 3 "customers", column "vip": attribute "vip" has no type: its column is a commented stub
--   WARNING [campaign-required-without-arrival] item 4 "purchases": campaigns wait for "purchases" (required), but no expected arrival time is given: ops cannot tell when it is late
--   WARNING [manual-type-change] item 4 "purchases", column "amount": SQLite cannot change the type of "amount" in place: the file has a commented table-rebuild stub
--   WARNING [reserved-word] item 5 "web_events", column "order": column name "order" is a reserved word in SQLite: it is quoted here, and every query must quote it too (or name it order_value or order_name)
-- Stubs: lines starting with "-- TODO(" need a human; nothing in them runs.
-- This file: the undo migration (Flyway Teams or Enterprise): it undoes what can be undone and says why where it cannot.

-- Undo Item 5 (activity history of "web_events"), attribute "order": add
ALTER TABLE "web_events" DROP COLUMN "order";

-- Undo Item 4 (purchase history of "purchases"), attribute "amount": change
-- Nothing to undo: the up migration runs nothing for this attribute (stubs and notes only).

-- Undo Item 3 (customer attributes of "customers"), attribute "vip": add
-- Nothing to undo: the up migration only has a stub for this attribute.

-- Undo Item 3 (customer attributes of "customers"), attribute "fax": retire
-- Nothing to undo: retiring runs nothing (a dropped column comes back only from a backup).

-- Undo Item 3 (customer attributes of "customers"), attribute "birth_year": change
-- Nothing to undo: the up migration runs nothing for this attribute (stubs and notes only).

-- Undo Item 3 (customer attributes of "customers"), attribute "segment": change
-- Nothing to undo: the up migration runs nothing for this attribute (stubs and notes only).

-- Undo Item 3 (customer attributes of "customers"), attribute "churn_score": add
ALTER TABLE "customers" DROP COLUMN "churn_score";

-- Undo Item 2: add columns to "customers"
ALTER TABLE "customers" DROP COLUMN "sms_opt_in";
ALTER TABLE "customers" DROP COLUMN "phone";
ALTER TABLE "customers" DROP COLUMN "lifetime_value";
ALTER TABLE "customers" DROP COLUMN "loyalty_tier";

-- Undo Item 1: new table "loyalty_members"
DROP TABLE "loyalty_members";
