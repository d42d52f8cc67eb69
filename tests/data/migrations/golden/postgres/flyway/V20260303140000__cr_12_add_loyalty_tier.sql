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
-- This file: the versioned (up) migration.

-- Item 1: new table "loyalty_members"
CREATE TABLE "loyalty_members" (
    "member_id" BIGINT NOT NULL,
    "tier" VARCHAR(20),
    "email" VARCHAR(320),
    "email_opt_in" BOOLEAN NOT NULL,
    "points_balance" NUMERIC(12,2) NOT NULL,
    "joined_on" DATE,
    "last_seen" TIMESTAMP,
    "updated_at" TIMESTAMPTZ,
    "profile" JSONB,
    "notes" TEXT,
    "visits" INTEGER,
    PRIMARY KEY ("member_id")
);
COMMENT ON TABLE "loyalty_members" IS E'One row per loyalty member.\nLoaded daily from the CRM''s "members" export.';
COMMENT ON COLUMN "loyalty_members"."member_id" IS 'Member number from the CRM';
COMMENT ON COLUMN "loyalty_members"."tier" IS 'Bronze, silver or gold';
COMMENT ON COLUMN "loyalty_members"."email" IS 'Contact e-mail';
COMMENT ON COLUMN "loyalty_members"."email_opt_in" IS 'Opted in to e-mail (O''Brien''s rule)';
COMMENT ON COLUMN "loyalty_members"."notes" IS E'Free text; path C:\\exports\\members';

-- Item 2: add columns to "customers"
ALTER TABLE "customers"
    ADD COLUMN "loyalty_tier" VARCHAR(20),
    ADD COLUMN "lifetime_value" NUMERIC(14,2),
    ADD COLUMN "phone" VARCHAR(32),
    ADD COLUMN "sms_opt_in" BOOLEAN;
COMMENT ON COLUMN "customers"."loyalty_tier" IS 'Current tier';
COMMENT ON COLUMN "customers"."sms_opt_in" IS 'SMS consent';
-- TODO(not-null): the request wants "lifetime_value" NOT NULL; backfill it, then:
-- ALTER TABLE "customers" ALTER COLUMN "lifetime_value" SET NOT NULL;

-- Item 3 (customer attributes of "customers"), attribute "churn_score": add
ALTER TABLE "customers"
    ADD COLUMN "churn_score" NUMERIC(5,4);
COMMENT ON COLUMN "customers"."churn_score" IS 'Churn risk, 0 to 1';
-- TODO(backfill): fill "customers"."churn_score" from its definition. Definition:
-- | 1 - retention probability from the model;
-- | refreshed weekly
-- Example value: 0.1234
-- UPDATE "customers" SET "churn_score" = <expression> WHERE <condition>;

-- Item 3 (customer attributes of "customers"), attribute "segment": change
ALTER TABLE "customers" ALTER COLUMN "segment" TYPE VARCHAR(50) USING "segment"::VARCHAR(50);
COMMENT ON COLUMN "customers"."segment" IS 'Marketing segment';

-- Item 3 (customer attributes of "customers"), attribute "birth_year": change
ALTER TABLE "customers" ALTER COLUMN "birth_year" TYPE INTEGER USING "birth_year"::INTEGER;

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
ALTER TABLE "purchases" ALTER COLUMN "amount" TYPE NUMERIC(12,2) USING "amount"::NUMERIC(12,2);

-- Item 5 (activity history of "web_events"), attribute "order": add
ALTER TABLE "web_events"
    ADD COLUMN "order" TEXT;
COMMENT ON COLUMN "web_events"."order" IS 'Order reference, if any';
