--liquibase formatted sql

-- CR-12: Add loyalty tier
-- Requester: Jane Doe <jane.doe@acme.example>
-- Project manager: pm@docket.example
-- Instance: acme_prod (request instances: acme_qa, acme_prod)
-- Generated: 2026-03-10T09:30:00Z by docket for MySQL/MariaDB, liquibase format
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
-- Note: MySQL has no time-zone-aware type: "timestamp with time zone" columns are DATETIME(6) holding UTC.
-- Lint warnings (10):
--   WARNING [not-null-without-default] item 2 "customers", column "lifetime_value": "lifetime_value" is NOT NULL without a default and "customers" already exists: it is added as nullable; backfill it, then run the commented SET NOT NULL
--   WARNING [pii-without-description] item 2 "customers", column "phone": "phone" holds personal data (PII) but has no description
--   WARNING [lossy-type-change] item 3 "customers", column "segment": changing "segment" from string(100) to string(50) may lose data: the length shrinks from 100 to 50
--   WARNING [mysql-modify-restates-column] item 3 "customers", column "segment": MySQL's MODIFY COLUMN restates the whole column "segment": compare NULL/NOT NULL, DEFAULT and COMMENT with the current definition before running it
--   WARNING [old-type-unknown] item 3 "customers", column "birth_year": the type of "birth_year" before this change is not known: docket cannot tell whether changing it to integer loses data, and the down migration cannot restore it
--   WARNING [mysql-modify-restates-column] item 3 "customers", column "birth_year": MySQL's MODIFY COLUMN restates the whole column "birth_year": compare NULL/NOT NULL, DEFAULT and COMMENT with the current definition before running it
--   WARNING [attribute-without-type] item 3 "customers", column "vip": attribute "vip" has no type: its column is a commented stub
--   WARNING [campaign-required-without-arrival] item 4 "purchases": campaigns wait for "purchases" (required), but no expected arrival time is given: ops cannot tell when it is late
--   WARNING [mysql-modify-restates-column] item 4 "purchases", column "amount": MySQL's MODIFY COLUMN restates the whole column "amount": compare NULL/NOT NULL, DEFAULT and COMMENT with the current definition before running it
--   WARNING [reserved-word] item 5 "web_events", column "order": column name "order" is a reserved word in MySQL/MariaDB: it is quoted here, and every query must quote it too (or name it order_value or order_name)
-- Stubs: lines starting with "-- TODO(" need a human; nothing in them runs.
-- This file: Liquibase formatted SQL: one changeset per change, with its rollback where one is possible.

-- Stubs and notes that run nothing (no changeset):

-- Item 3 (customer attributes of "customers"), attribute "fax": retire
-- TODO(retire): "customers"."fax" is retired. Dropping data is a human decision: when nothing reads it any more, run:
-- ALTER TABLE `customers` DROP COLUMN `fax`;

-- Item 3 (customer attributes of "customers"), attribute "vip": add
-- TODO(type): no type was given for "vip"; choose one, then:
-- ALTER TABLE `customers` ADD COLUMN `vip` <type>;
-- TODO(backfill): fill "customers"."vip" from its definition. Definition:
-- | lifetime_value > 10000
-- UPDATE `customers` SET `vip` = <expression> WHERE <condition>;

--changeset docket:CR-12-1
-- Item 1: new table "loyalty_members"
CREATE TABLE `loyalty_members` (
    `member_id` BIGINT NOT NULL COMMENT 'Member number from the CRM',
    `tier` VARCHAR(20) NULL COMMENT 'Bronze, silver or gold',
    `email` VARCHAR(320) NULL COMMENT 'Contact e-mail',
    `email_opt_in` BOOLEAN NOT NULL COMMENT 'Opted in to e-mail (O''Brien''s rule)',
    `points_balance` DECIMAL(12,2) NOT NULL,
    `joined_on` DATE NULL,
    `last_seen` DATETIME(6) NULL,
    `updated_at` DATETIME(6) NULL,
    `profile` JSON NULL,
    `notes` LONGTEXT NULL COMMENT 'Free text; path C:\\exports\\members',
    `visits` INT NULL,
    PRIMARY KEY (`member_id`)
) DEFAULT CHARSET=utf8mb4 COMMENT='One row per loyalty member.\nLoaded daily from the CRM''s "members" export.';
--rollback DROP TABLE `loyalty_members`;

--changeset docket:CR-12-2
-- Item 2: add columns to "customers"
-- TODO(not-null): the request wants "lifetime_value" NOT NULL; backfill it, then:
-- ALTER TABLE `customers` MODIFY COLUMN `lifetime_value` DECIMAL(14,2) NOT NULL;
ALTER TABLE `customers`
    ADD COLUMN `loyalty_tier` VARCHAR(20) NULL COMMENT 'Current tier',
    ADD COLUMN `lifetime_value` DECIMAL(14,2) NULL,
    ADD COLUMN `phone` VARCHAR(32) NULL,
    ADD COLUMN `sms_opt_in` BOOLEAN NULL COMMENT 'SMS consent';
--rollback ALTER TABLE `customers`
--rollback     DROP COLUMN `sms_opt_in`,
--rollback     DROP COLUMN `phone`,
--rollback     DROP COLUMN `lifetime_value`,
--rollback     DROP COLUMN `loyalty_tier`;

--changeset docket:CR-12-3
-- Item 3 (customer attributes of "customers"), attribute "churn_score": add
-- TODO(backfill): fill "customers"."churn_score" from its definition. Definition:
-- | 1 - retention probability from the model;
-- | refreshed weekly
-- Example value: 0.1234
-- UPDATE `customers` SET `churn_score` = <expression> WHERE <condition>;
ALTER TABLE `customers`
    ADD COLUMN `churn_score` DECIMAL(5,4) NULL COMMENT 'Churn risk, 0 to 1';
--rollback ALTER TABLE `customers`
--rollback     DROP COLUMN `churn_score`;

--changeset docket:CR-12-4
-- Item 3 (customer attributes of "customers"), attribute "segment": change
ALTER TABLE `customers` MODIFY COLUMN `segment` VARCHAR(50) NULL COMMENT 'Marketing segment';
--rollback -- The previous description of "segment" is not known to docket: it is not restored.
--rollback ALTER TABLE `customers` MODIFY COLUMN `segment` VARCHAR(100) NULL COMMENT 'Marketing segment';

--changeset docket:CR-12-5
-- Item 3 (customer attributes of "customers"), attribute "birth_year": change
-- No automatic undo for this changeset (Liquibase refuses to roll it back):
-- Cannot undo the type change of "birth_year": its type before the change is not known to docket. Restore it by hand.
ALTER TABLE `customers` MODIFY COLUMN `birth_year` INT NULL;

--changeset docket:CR-12-6
-- Item 4 (purchase history of "purchases"), attribute "amount": change
ALTER TABLE `purchases` MODIFY COLUMN `amount` DECIMAL(12,2) NOT NULL;
--rollback ALTER TABLE `purchases` MODIFY COLUMN `amount` DECIMAL(10,2) NOT NULL;

--changeset docket:CR-12-7
-- Item 5 (activity history of "web_events"), attribute "order": add
ALTER TABLE `web_events`
    ADD COLUMN `order` LONGTEXT NULL COMMENT 'Order reference, if any';
--rollback ALTER TABLE `web_events`
--rollback     DROP COLUMN `order`;
