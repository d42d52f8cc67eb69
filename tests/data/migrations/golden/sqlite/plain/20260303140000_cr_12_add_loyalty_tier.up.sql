-- CR-12: Add loyalty tier
-- Requester: Jane Doe <jane.doe@acme.example>
-- Project manager: pm@docket.example
-- Instance: acme_prod (request instances: acme_qa, acme_prod)
-- Generated: 2026-03-10T09:30:00Z by docket for SQLite, plain format
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
-- This file: the up migration.

-- Item 1: new table "loyalty_members"
CREATE TABLE "loyalty_members" (
    -- | One row per loyalty member.
    -- | Loaded daily from the CRM's "members" export.
    "member_id" BIGINT NOT NULL, -- Member number from the CRM
    "tier" VARCHAR(20), -- Bronze, silver or gold
    "email" VARCHAR(320), -- Contact e-mail
    "email_opt_in" BOOLEAN NOT NULL, -- Opted in to e-mail (O'Brien's rule)
    "points_balance" DECIMAL(12,2) NOT NULL,
    "joined_on" DATE,
    "last_seen" TIMESTAMP,
    "updated_at" TIMESTAMPTZ,
    "profile" TEXT,
    "notes" TEXT, -- Free text; path C:\exports\members
    "visits" INTEGER,
    PRIMARY KEY ("member_id")
);

-- Item 2: add columns to "customers"
-- "loyalty_tier": Current tier
ALTER TABLE "customers" ADD COLUMN "loyalty_tier" VARCHAR(20);
ALTER TABLE "customers" ADD COLUMN "lifetime_value" DECIMAL(14,2);
ALTER TABLE "customers" ADD COLUMN "phone" VARCHAR(32);
-- "sms_opt_in": SMS consent
ALTER TABLE "customers" ADD COLUMN "sms_opt_in" BOOLEAN;
-- TODO(not-null): the request wants "lifetime_value" NOT NULL; backfill it, then:
-- SQLite cannot make an existing column NOT NULL: rebuild the table, see https://www.sqlite.org/lang_altertable.html#otheralter

-- Item 3 (customer attributes of "customers"), attribute "churn_score": add
-- "churn_score": Churn risk, 0 to 1
ALTER TABLE "customers" ADD COLUMN "churn_score" DECIMAL(5,4);
-- TODO(backfill): fill "customers"."churn_score" from its definition. Definition:
-- | 1 - retention probability from the model;
-- | refreshed weekly
-- Example value: 0.1234
-- UPDATE "customers" SET "churn_score" = <expression> WHERE <condition>;

-- Item 3 (customer attributes of "customers"), attribute "segment": change
-- TODO(rebuild): SQLite cannot change the type of "segment" in place (to VARCHAR(50)). Rebuild "customers" as in https://www.sqlite.org/lang_altertable.html#otheralter:
-- PRAGMA foreign_keys = OFF;
-- BEGIN;
-- CREATE TABLE "customers__docket_new" (<the columns of "customers", with "segment" as VARCHAR(50)>);
-- INSERT INTO "customers__docket_new" SELECT * FROM "customers";
-- DROP TABLE "customers";
-- ALTER TABLE "customers__docket_new" RENAME TO "customers";
-- (re-create the indexes, triggers and views of the table)
-- PRAGMA foreign_key_check;
-- COMMIT;
-- PRAGMA foreign_keys = ON;
-- New description of "segment" (SQLite keeps descriptions only as comments): Marketing segment

-- Item 3 (customer attributes of "customers"), attribute "birth_year": change
-- TODO(rebuild): SQLite cannot change the type of "birth_year" in place (to INTEGER). Rebuild "customers" as in https://www.sqlite.org/lang_altertable.html#otheralter:
-- PRAGMA foreign_keys = OFF;
-- BEGIN;
-- CREATE TABLE "customers__docket_new" (<the columns of "customers", with "birth_year" as INTEGER>);
-- INSERT INTO "customers__docket_new" SELECT * FROM "customers";
-- DROP TABLE "customers";
-- ALTER TABLE "customers__docket_new" RENAME TO "customers";
-- (re-create the indexes, triggers and views of the table)
-- PRAGMA foreign_key_check;
-- COMMIT;
-- PRAGMA foreign_keys = ON;

-- Item 3 (customer attributes of "customers"), attribute "fax": retire
-- TODO(retire): "customers"."fax" is retired. Dropping data is a human decision: when nothing reads it any more, run:
-- ALTER TABLE "customers" DROP COLUMN "fax";

-- Item 3 (customer attributes of "customers"), attribute "vip": add
-- TODO(type): no type was given for "vip"; choose one, then:
-- ALTER TABLE "customers" ADD COLUMN "vip" <type>;
-- TODO(backfill): fill "customers"."vip" from its definition. Definition:
-- | lifetime_value > 10000
-- UPDATE "customers" SET "vip" = <expression> WHERE <condition>;

-- Item 4 (purchase history of "purchases"), attribute "amount": change
-- TODO(rebuild): SQLite cannot change the type of "amount" in place (to DECIMAL(12,2)). Rebuild "purchases" as in https://www.sqlite.org/lang_altertable.html#otheralter:
-- PRAGMA foreign_keys = OFF;
-- BEGIN;
-- CREATE TABLE "purchases__docket_new" (<the columns of "purchases", with "amount" as DECIMAL(12,2)>);
-- INSERT INTO "purchases__docket_new" SELECT * FROM "purchases";
-- DROP TABLE "purchases";
-- ALTER TABLE "purchases__docket_new" RENAME TO "purchases";
-- (re-create the indexes, triggers and views of the table)
-- PRAGMA foreign_key_check;
-- COMMIT;
-- PRAGMA foreign_keys = ON;

-- Item 5 (activity history of "web_events"), attribute "order": add
-- "order": Order reference, if any
ALTER TABLE "web_events" ADD COLUMN "order" TEXT;
