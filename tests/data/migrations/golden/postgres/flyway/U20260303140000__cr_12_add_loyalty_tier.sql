-- CR-12: Add loyalty tier
-- Requester: Jane Doe <jane.doe@acme.example>
-- Project manager: pm@docket.example
-- Instance: acme_prod (request instances: acme_qa, acme_prod)
-- Generated: 2026-03-10T09:30:00Z by docket for PostgreSQL, flyway format
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
-- Lint warnings (7):
--   WARNING [not-null-without-default] item 2 "customers", column "lifetime_value": "lifetime_value" is NOT NULL without a default and "customers" already exists: it is added as nullable; backfill it, then run the commented SET NOT NULL
--   WARNING [pii-without-description] item 2 "customers", column "phone": "phone" holds personal data (PII) but has no description
--   WARNING [lossy-type-change] item 3 "customers", column "segment": changing "segment" from string(100) to string(50) may lose data: the length shrinks from 100 to 50
--   WARNING [old-type-unknown] item 3 "customers", column "birth_year": the type of "birth_year" before this change is not known: docket cannot tell whether changing it to integer loses data, and the down migration cannot restore it
--   WARNING [attribute-without-type] item 3 "customers", column "vip": attribute "vip" has no type: its column is a commented stub
--   WARNING [campaign-required-without-arrival] item 4 "purchases": campaigns wait for "purchases" (required), but no expected arrival time is given: ops cannot tell when it is late
--   WARNING [reserved-word] item 5 "web_events", column "order": column name "order" is a reserved word in PostgreSQL: it is quoted here, and every query must quote it too (or name it order_value or order_name)
-- Stubs: lines starting with "-- TODO(" need a human; nothing in them runs.
-- This file: the undo migration (Flyway Teams or Enterprise): it undoes what can be undone and says why where it cannot.

-- Undo Item 5 (activity history of "web_events"), attribute "order": add
ALTER TABLE "web_events"
    DROP COLUMN "order";

-- Undo Item 4 (purchase history of "purchases"), attribute "amount": change
ALTER TABLE "purchases" ALTER COLUMN "amount" TYPE NUMERIC(10,2) USING "amount"::NUMERIC(10,2);

-- Undo Item 3 (customer attributes of "customers"), attribute "vip": add
-- Nothing to undo: the up migration only has a stub for this attribute.

-- Undo Item 3 (customer attributes of "customers"), attribute "fax": retire
-- Nothing to undo: retiring runs nothing (a dropped column comes back only from a backup).

-- Undo Item 3 (customer attributes of "customers"), attribute "birth_year": change
-- Cannot undo the type change of "birth_year": its type before the change is not known to docket. Restore it by hand.

-- Undo Item 3 (customer attributes of "customers"), attribute "segment": change
ALTER TABLE "customers" ALTER COLUMN "segment" TYPE VARCHAR(100) USING "segment"::VARCHAR(100);
-- The previous description of "segment" is not known to docket: it is not restored.

-- Undo Item 3 (customer attributes of "customers"), attribute "churn_score": add
ALTER TABLE "customers"
    DROP COLUMN "churn_score";

-- Undo Item 2: add columns to "customers"
ALTER TABLE "customers"
    DROP COLUMN "sms_opt_in",
    DROP COLUMN "phone",
    DROP COLUMN "lifetime_value",
    DROP COLUMN "loyalty_tier";

-- Undo Item 1: new table "loyalty_members"
DROP TABLE "loyalty_members";
