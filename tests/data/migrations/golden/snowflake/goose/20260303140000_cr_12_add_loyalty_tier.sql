-- CR-12: Add loyalty tier
-- Requester: Jane Doe <jane.doe@acme.example>
-- Project manager: pm@docket.example
-- Instance: acme_prod (request instances: acme_qa, acme_prod)
-- Generated: 2026-03-10T09:30:00Z by docket for Snowflake, goose format
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
-- Note: names are quoted, so Snowflake keeps their case: queries must quote lower-case names too ("tier", not tier, which means TIER).
-- Lint warnings (9):
--   WARNING [not-null-without-default] item 2 "customers", column "lifetime_value": "lifetime_value" is NOT NULL without a default and "customers" already exists: it is added as nullable; backfill it, then run the commented SET NOT NULL
--   WARNING [pii-without-description] item 2 "customers", column "phone": "phone" holds personal data (PII) but has no description
--   WARNING [lossy-type-change] item 3 "customers", column "segment": changing "segment" from string(100) to string(50) may lose data: the length shrinks from 100 to 50
--   WARNING [manual-type-change] item 3 "customers", column "segment": Snowflake cannot change "segment" to VARCHAR(50) in place: the file has a commented manual procedure
--   WARNING [old-type-unknown] item 3 "customers", column "birth_year": the type of "birth_year" before this change is not known: docket cannot tell whether changing it to integer loses data, and the down migration cannot restore it
--   WARNING [attribute-without-type] item 3 "customers", column "vip": attribute "vip" has no type: its column is a commented stub
--   WARNING [campaign-required-without-arrival] item 4 "purchases": campaigns wait for "purchases" (required), but no expected arrival time is given: ops cannot tell when it is late
--   WARNING [manual-type-change] item 4 "purchases", column "amount": Snowflake cannot change "amount" to NUMBER(10,2) in place: the file has a commented manual procedure
--   WARNING [reserved-word] item 5 "web_events", column "order": column name "order" is a reserved word in Snowflake: it is quoted here, and every query must quote it too (or name it order_value or order_name)
-- Stubs: lines starting with "-- TODO(" need a human; nothing in them runs.
-- This file: a goose migration (Up and Down sections).

-- +goose Up

-- Item 1: new table "loyalty_members"
CREATE TABLE "loyalty_members" (
    "member_id" BIGINT NOT NULL,
    "tier" VARCHAR(20),
    "email" VARCHAR(320),
    "email_opt_in" BOOLEAN NOT NULL,
    "points_balance" NUMBER(12,2) NOT NULL,
    "joined_on" DATE,
    "last_seen" TIMESTAMP_NTZ,
    "updated_at" TIMESTAMP_TZ,
    "profile" VARIANT,
    "notes" VARCHAR,
    "visits" INTEGER,
    PRIMARY KEY ("member_id")
);
COMMENT ON TABLE "loyalty_members" IS 'One row per loyalty member.\nLoaded daily from the CRM''s "members" export.';
COMMENT ON COLUMN "loyalty_members"."member_id" IS 'Member number from the CRM';
COMMENT ON COLUMN "loyalty_members"."tier" IS 'Bronze, silver or gold';
COMMENT ON COLUMN "loyalty_members"."email" IS 'Contact e-mail';
COMMENT ON COLUMN "loyalty_members"."email_opt_in" IS 'Opted in to e-mail (O''Brien''s rule)';
COMMENT ON COLUMN "loyalty_members"."notes" IS 'Free text; path C:\\exports\\members';

-- Item 2: add columns to "customers"
ALTER TABLE "customers" ADD COLUMN
    "loyalty_tier" VARCHAR(20),
    "lifetime_value" NUMBER(14,2),
    "phone" VARCHAR(32),
    "sms_opt_in" BOOLEAN;
COMMENT ON COLUMN "customers"."loyalty_tier" IS 'Current tier';
COMMENT ON COLUMN "customers"."sms_opt_in" IS 'SMS consent';
-- TODO(not-null): the request wants "lifetime_value" NOT NULL; backfill it, then:
-- ALTER TABLE "customers" ALTER COLUMN "lifetime_value" SET NOT NULL;

-- Item 3 (customer attributes of "customers"), attribute "churn_score": add
ALTER TABLE "customers" ADD COLUMN
    "churn_score" NUMBER(5,4);
COMMENT ON COLUMN "customers"."churn_score" IS 'Churn risk, 0 to 1';
-- TODO(backfill): fill "customers"."churn_score" from its definition. Definition:
-- | 1 - retention probability from the model;
-- | refreshed weekly
-- Example value: 0.1234
-- UPDATE "customers" SET "churn_score" = <expression> WHERE <condition>;

-- Item 3 (customer attributes of "customers"), attribute "segment": change
-- TODO(manual-change): Snowflake changes a type in place only to widen VARCHAR or NUMBER precision; "segment" becomes VARCHAR(50). One way (check the cast on a copy first):
-- ALTER TABLE "customers" ADD COLUMN "segment__docket_new" VARCHAR(50);
-- UPDATE "customers" SET "segment__docket_new" = CAST("segment" AS VARCHAR(50));
-- ALTER TABLE "customers" DROP COLUMN "segment";
-- ALTER TABLE "customers" RENAME COLUMN "segment__docket_new" TO "segment";
COMMENT ON COLUMN "customers"."segment" IS 'Marketing segment';

-- Item 3 (customer attributes of "customers"), attribute "birth_year": change
ALTER TABLE "customers" ALTER COLUMN "birth_year" SET DATA TYPE INTEGER;

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
ALTER TABLE "purchases" ALTER COLUMN "amount" SET DATA TYPE NUMBER(12,2);

-- Item 5 (activity history of "web_events"), attribute "order": add
ALTER TABLE "web_events" ADD COLUMN
    "order" VARCHAR;
COMMENT ON COLUMN "web_events"."order" IS 'Order reference, if any';

-- +goose Down

-- Undo Item 5 (activity history of "web_events"), attribute "order": add
ALTER TABLE "web_events" DROP COLUMN "order";

-- Undo Item 4 (purchase history of "purchases"), attribute "amount": change
-- TODO(manual-change): Snowflake changes a type in place only to widen VARCHAR or NUMBER precision; "amount" becomes NUMBER(10,2). One way (check the cast on a copy first):
-- ALTER TABLE "purchases" ADD COLUMN "amount__docket_new" NUMBER(10,2);
-- UPDATE "purchases" SET "amount__docket_new" = CAST("amount" AS NUMBER(10,2));
-- ALTER TABLE "purchases" DROP COLUMN "amount";
-- ALTER TABLE "purchases" RENAME COLUMN "amount__docket_new" TO "amount";

-- Undo Item 3 (customer attributes of "customers"), attribute "vip": add
-- Nothing to undo: the up migration only has a stub for this attribute.

-- Undo Item 3 (customer attributes of "customers"), attribute "fax": retire
-- Nothing to undo: retiring runs nothing (a dropped column comes back only from a backup).

-- Undo Item 3 (customer attributes of "customers"), attribute "birth_year": change
-- Cannot undo the type change of "birth_year": its type before the change is not known to docket. Restore it by hand.

-- Undo Item 3 (customer attributes of "customers"), attribute "segment": change
ALTER TABLE "customers" ALTER COLUMN "segment" SET DATA TYPE VARCHAR(100);
-- The previous description of "segment" is not known to docket: it is not restored.

-- Undo Item 3 (customer attributes of "customers"), attribute "churn_score": add
ALTER TABLE "customers" DROP COLUMN "churn_score";

-- Undo Item 2: add columns to "customers"
ALTER TABLE "customers" DROP COLUMN "sms_opt_in", "phone", "lifetime_value", "loyalty_tier";

-- Undo Item 1: new table "loyalty_members"
DROP TABLE "loyalty_members";
