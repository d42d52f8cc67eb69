/* schema.c: docket's own schema, as numbered upgrade steps. Step N takes
 * the database from user_version N-1 to N; each step runs in its own
 * transaction together with the user_version bump. Never edit a released
 * step: add a new one. */
#include "registry_int.h"

#include <stddef.h>

/* Step 1: the whole first-cut data model of DESIGN.md. */
/* Column definitions that a request and the registry share, one text
 * each so the two tables stay alike: a table's feed (request_items,
 * reg_tables) and a column's fields (item_columns, reg_columns). The
 * statements expand to the text they always had. */
#define FEED_FIELDS                                                            \
    " source TEXT NOT NULL DEFAULT '',"                                        \
    " cadence TEXT NOT NULL DEFAULT '',"                                       \
    " expected_arrival TEXT NOT NULL DEFAULT '',"                              \
    " late_after_minutes INTEGER NOT NULL DEFAULT 0,"                          \
    " file_pattern TEXT NOT NULL DEFAULT '',"                                  \
    " campaign_dependency TEXT NOT NULL DEFAULT '',"                           \
    " campaign_note TEXT NOT NULL DEFAULT '',"
#define COLUMN_FIELDS                                                          \
    " type TEXT NOT NULL DEFAULT '',"                                          \
    " nullable INTEGER NOT NULL DEFAULT 1,"                                    \
    " primary_key INTEGER NOT NULL DEFAULT 0,"                                 \
    " description TEXT NOT NULL DEFAULT '',"                                   \
    " example TEXT NOT NULL DEFAULT '',"                                       \
    " pii INTEGER NOT NULL DEFAULT 0,"                                         \
    " consent INTEGER NOT NULL DEFAULT 0,"                                     \
    " consent_channel TEXT NOT NULL DEFAULT '',"
/* A table's and a column's row of the search index, written after an
 * insert and an update of reg_tables and reg_columns. */
#define TABLE_FTS_INSERT                                                       \
    " INSERT INTO search_fts(rowid, kind, ref, org_id, instance, name, body)"  \
    "  SELECT new.id * 4 + 1, 'table', new.id, i.org_id, i.name, new.name,"    \
    "   new.description || ' ' || new.runbook || ' ' || new.campaign_note"     \
    "  FROM instances i WHERE i.id = new.instance_id;"                         \
    " UPDATE meta SET value = value + 1 WHERE key = 'generation';"
#define COLUMN_FTS_INSERT                                                      \
    " INSERT INTO search_fts(rowid, kind, ref, org_id, instance, name, body)"  \
    "  SELECT new.id * 4 + 2, 'column', new.id, i.org_id, i.name, new.name,"   \
    "   t.name || ' ' || new.description || ' ' || new.rule"                   \
    "  FROM reg_tables t JOIN instances i ON i.id = t.instance_id"             \
    "  WHERE t.id = new.table_id;"                                             \
    " UPDATE meta SET value = value + 1 WHERE key = 'generation';"

static const char step1[] =
    "CREATE TABLE organisations("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    " created_at INTEGER NOT NULL);"

    "CREATE TABLE instances("
    " id INTEGER PRIMARY KEY,"
    " org_id INTEGER NOT NULL REFERENCES organisations(id),"
    " name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    " environment TEXT NOT NULL DEFAULT 'production',"
    " dialect TEXT NOT NULL DEFAULT 'postgres',"
    " created_at INTEGER NOT NULL);"
    "CREATE INDEX instances_org ON instances(org_id);"

    "CREATE TABLE users("
    " id INTEGER PRIMARY KEY,"
    " email TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    " name TEXT NOT NULL,"
    " role TEXT NOT NULL CHECK (role IN ('client','pm','ops','admin')),"
    " org_id INTEGER REFERENCES organisations(id),"
    " password_hash TEXT,"
    " active INTEGER NOT NULL DEFAULT 1,"
    " must_change_password INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " CHECK (role <> 'client' OR org_id IS NOT NULL));"

    "CREATE TABLE sessions("
    " id INTEGER PRIMARY KEY,"
    " token_hash TEXT NOT NULL UNIQUE,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " csrf TEXT NOT NULL,"
    " address TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL);"
    "CREATE INDEX sessions_user ON sessions(user_id);"

    "CREATE TABLE api_tokens("
    " id INTEGER PRIMARY KEY,"
    " token_hash TEXT NOT NULL UNIQUE,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " label TEXT NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " last_used INTEGER NOT NULL DEFAULT 0,"
    " revoked_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX api_tokens_user ON api_tokens(user_id);"

    "CREATE TABLE password_resets("
    " id INTEGER PRIMARY KEY,"
    " token_hash TEXT NOT NULL UNIQUE,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " expires_at INTEGER NOT NULL,"
    " used_at INTEGER NOT NULL DEFAULT 0);"

    "CREATE TABLE sprints("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " starts_on TEXT NOT NULL UNIQUE,"
    " ends_on TEXT NOT NULL,"
    " deploy_at INTEGER NOT NULL);"

    "CREATE TABLE requests("
    " id INTEGER PRIMARY KEY,"
    " org_id INTEGER NOT NULL REFERENCES organisations(id),"
    " instance_id INTEGER NOT NULL REFERENCES instances(id),"
    " requester_id INTEGER REFERENCES users(id),"
    " requester_name TEXT NOT NULL,"
    " requester_email TEXT NOT NULL,"
    " pm_id INTEGER REFERENCES users(id),"
    " title TEXT NOT NULL,"
    " summary TEXT NOT NULL,"
    " consent_related INTEGER NOT NULL DEFAULT 0,"
    " consent_note TEXT NOT NULL DEFAULT '',"
    " desired_date TEXT NOT NULL DEFAULT '',"
    " status TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN"
    "  ('submitted','triaged','needs_info','scheduled','in_progress',"
    "   'deployed','rejected','withdrawn')),"
    " sprint_id INTEGER REFERENCES sprints(id),"
    " priority INTEGER NOT NULL DEFAULT 0,"
    " estimate TEXT NOT NULL DEFAULT '',"
    " version INTEGER NOT NULL DEFAULT 1,"
    " idempotency_key TEXT,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " UNIQUE (requester_id, idempotency_key));"
    "CREATE INDEX requests_org ON requests(org_id, status);"
    "CREATE INDEX requests_status ON requests(status, updated_at);"
    "CREATE INDEX requests_sprint ON requests(sprint_id);"

    "CREATE TABLE request_instances("
    " request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,"
    " instance_id INTEGER NOT NULL REFERENCES instances(id),"
    " position INTEGER NOT NULL,"
    " deployed_at INTEGER NOT NULL DEFAULT 0,"
    " deployed_by INTEGER REFERENCES users(id),"
    " PRIMARY KEY (request_id, instance_id)) WITHOUT ROWID;"
    "CREATE INDEX request_instances_instance ON request_instances(instance_id);"

    "CREATE TABLE request_items("
    " id INTEGER PRIMARY KEY,"
    " request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,"
    " position INTEGER NOT NULL,"
    " kind TEXT NOT NULL,"
    " table_name TEXT NOT NULL,"
    " description TEXT NOT NULL DEFAULT '',"
    " primary_key TEXT NOT NULL DEFAULT ''," FEED_FIELDS
    " owner TEXT NOT NULL DEFAULT '',"
    " escalation TEXT NOT NULL DEFAULT '',"
    " examples TEXT NOT NULL DEFAULT '',"
    " notes TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX request_items_request ON request_items(request_id);"
    "CREATE INDEX request_items_table ON request_items(table_name);"

    "CREATE TABLE item_columns("
    " id INTEGER PRIMARY KEY,"
    " item_id INTEGER NOT NULL REFERENCES request_items(id)"
    "  ON DELETE CASCADE,"
    " position INTEGER NOT NULL,"
    " name TEXT NOT NULL," COLUMN_FIELDS " action TEXT NOT NULL DEFAULT 'add',"
    " rule TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX item_columns_item ON item_columns(item_id);"

    "CREATE TABLE comments("
    " id INTEGER PRIMARY KEY,"
    " request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,"
    " user_id INTEGER REFERENCES users(id),"
    " body TEXT NOT NULL,"
    " created_at INTEGER NOT NULL);"
    "CREATE INDEX comments_request ON comments(request_id);"

    "CREATE TABLE attachments("
    " id INTEGER PRIMARY KEY,"
    " request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,"
    " comment_id INTEGER REFERENCES comments(id) ON DELETE CASCADE,"
    " filename TEXT NOT NULL,"
    " content_type TEXT NOT NULL,"
    " size INTEGER NOT NULL,"
    " sha256 TEXT NOT NULL,"
    " data BLOB NOT NULL,"
    " uploaded_by INTEGER REFERENCES users(id),"
    " created_at INTEGER NOT NULL);"
    "CREATE INDEX attachments_request ON attachments(request_id);"

    "CREATE TABLE request_events("
    " id INTEGER PRIMARY KEY,"
    " request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,"
    " user_id INTEGER REFERENCES users(id),"
    " from_status TEXT NOT NULL DEFAULT '',"
    " to_status TEXT NOT NULL,"
    " instance_id INTEGER REFERENCES instances(id),"
    " note TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL);"
    "CREATE INDEX request_events_request ON request_events(request_id);"

    "CREATE TABLE request_versions("
    " id INTEGER PRIMARY KEY,"
    " request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,"
    " version INTEGER NOT NULL,"
    " body TEXT NOT NULL,"
    " user_id INTEGER REFERENCES users(id),"
    " created_at INTEGER NOT NULL,"
    " UNIQUE (request_id, version));"

    "CREATE TABLE reg_tables("
    " id INTEGER PRIMARY KEY,"
    " instance_id INTEGER NOT NULL REFERENCES instances(id),"
    " name TEXT NOT NULL COLLATE NOCASE,"
    " description TEXT NOT NULL DEFAULT '',"
    " kind TEXT NOT NULL DEFAULT ''," FEED_FIELDS
    " consent_relevant INTEGER NOT NULL DEFAULT 0,"
    " owner TEXT NOT NULL DEFAULT '',"
    " escalation TEXT NOT NULL DEFAULT '',"
    " runbook TEXT NOT NULL DEFAULT '',"
    " status TEXT NOT NULL DEFAULT 'active'"
    "  CHECK (status IN ('active','deprecated')),"
    " created_by_request INTEGER REFERENCES requests(id),"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " UNIQUE (instance_id, name));"

    "CREATE TABLE reg_columns("
    " id INTEGER PRIMARY KEY,"
    " table_id INTEGER NOT NULL REFERENCES reg_tables(id) ON DELETE CASCADE,"
    " position INTEGER NOT NULL,"
    " name TEXT NOT NULL COLLATE NOCASE," COLUMN_FIELDS
    " rule TEXT NOT NULL DEFAULT '',"
    " status TEXT NOT NULL DEFAULT 'active'"
    "  CHECK (status IN ('active','deprecated','retired')),"
    " created_by_request INTEGER REFERENCES requests(id),"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " UNIQUE (table_id, name));"

    "CREATE TABLE registry_history("
    " id INTEGER PRIMARY KEY,"
    " instance_id INTEGER NOT NULL REFERENCES instances(id),"
    " table_id INTEGER REFERENCES reg_tables(id) ON DELETE SET NULL,"
    " column_id INTEGER REFERENCES reg_columns(id) ON DELETE SET NULL,"
    " table_name TEXT NOT NULL,"
    " column_name TEXT NOT NULL DEFAULT '',"
    " field TEXT NOT NULL,"
    " old_value TEXT,"
    " new_value TEXT,"
    " request_id INTEGER REFERENCES requests(id),"
    " user_id INTEGER REFERENCES users(id),"
    " reason TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL);"
    "CREATE INDEX registry_history_table ON registry_history(table_id, id);"
    "CREATE INDEX registry_history_column ON registry_history(column_id, id);"
    "CREATE INDEX registry_history_time ON registry_history(created_at);"

    "CREATE TABLE events("
    " id INTEGER PRIMARY KEY,"
    " uid TEXT NOT NULL UNIQUE,"
    " event TEXT NOT NULL,"
    " request_id INTEGER REFERENCES requests(id),"
    " payload TEXT NOT NULL,"
    " created_at INTEGER NOT NULL);"
    "CREATE INDEX events_request ON events(request_id);"

    "CREATE TABLE outbox("
    " id INTEGER PRIMARY KEY,"
    " event_id INTEGER NOT NULL REFERENCES events(id),"
    " channel TEXT NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " next_attempt INTEGER NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'pending'"
    "  CHECK (state IN ('pending','delivered','dead')),"
    " last_error TEXT NOT NULL DEFAULT '',"
    " last_status INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " delivered_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX outbox_due ON outbox(state, next_attempt);"
    "CREATE INDEX outbox_event ON outbox(event_id);"

    "CREATE TABLE channel_state("
    " channel TEXT PRIMARY KEY,"
    " disabled INTEGER NOT NULL DEFAULT 0,"
    " reason TEXT NOT NULL DEFAULT '',"
    " updated_at INTEGER NOT NULL);"

    "CREATE TABLE audit_log("
    " id INTEGER PRIMARY KEY,"
    " created_at INTEGER NOT NULL,"
    " user_id INTEGER,"
    " actor TEXT NOT NULL DEFAULT '',"
    " action TEXT NOT NULL,"
    " target TEXT NOT NULL DEFAULT '',"
    " detail TEXT NOT NULL DEFAULT '',"
    " address TEXT NOT NULL DEFAULT '');"

    "CREATE TABLE meta("
    " key TEXT PRIMARY KEY,"
    " value INTEGER NOT NULL) WITHOUT ROWID;"
    "INSERT INTO meta(key, value) VALUES ('generation', 1);"

    "CREATE VIRTUAL TABLE search_fts USING fts5("
    " kind UNINDEXED, ref UNINDEXED, org_id UNINDEXED, instance UNINDEXED,"
    " name, body, tokenize = 'unicode61', prefix = '2 3');"
    /* Search index maintained by triggers; rowid = id * 4 + kind (1 table,
       2 column, 3 request) so updates touch one row. */
    "CREATE TRIGGER reg_tables_fts_ai AFTER INSERT ON reg_tables "
    "BEGIN" TABLE_FTS_INSERT "END;"
    "CREATE TRIGGER reg_tables_fts_au AFTER UPDATE ON reg_tables BEGIN"
    " DELETE FROM search_fts WHERE rowid = old.id * 4 + 1;" TABLE_FTS_INSERT
    "END;"
    "CREATE TRIGGER reg_tables_fts_ad AFTER DELETE ON reg_tables BEGIN"
    " DELETE FROM search_fts WHERE rowid = old.id * 4 + 1;"
    " UPDATE meta SET value = value + 1 WHERE key = 'generation';"
    "END;"
    "CREATE TRIGGER reg_columns_fts_ai AFTER INSERT ON reg_columns "
    "BEGIN" COLUMN_FTS_INSERT "END;"
    "CREATE TRIGGER reg_columns_fts_au AFTER UPDATE ON reg_columns BEGIN"
    " DELETE FROM search_fts WHERE rowid = old.id * 4 + 2;" COLUMN_FTS_INSERT
    "END;"
    "CREATE TRIGGER reg_columns_fts_ad AFTER DELETE ON reg_columns BEGIN"
    " DELETE FROM search_fts WHERE rowid = old.id * 4 + 2;"
    " UPDATE meta SET value = value + 1 WHERE key = 'generation';"
    "END;"
    "CREATE TRIGGER requests_fts_ai AFTER INSERT ON requests BEGIN"
    " INSERT INTO search_fts(rowid, kind, ref, org_id, instance, name, body)"
    "  SELECT new.id * 4 + 3, 'request', new.id, new.org_id, i.name,"
    "   'CR-' || new.id || ' ' || new.title, new.summary"
    "  FROM instances i WHERE i.id = new.instance_id;"
    "END;"
    "CREATE TRIGGER requests_fts_au AFTER UPDATE OF title, summary ON requests"
    " BEGIN"
    " DELETE FROM search_fts WHERE rowid = old.id * 4 + 3;"
    " INSERT INTO search_fts(rowid, kind, ref, org_id, instance, name, body)"
    "  SELECT new.id * 4 + 3, 'request', new.id, new.org_id, i.name,"
    "   'CR-' || new.id || ' ' || new.title, new.summary"
    "  FROM instances i WHERE i.id = new.instance_id;"
    "END;"
    "CREATE TRIGGER requests_fts_ad AFTER DELETE ON requests BEGIN"
    " DELETE FROM search_fts WHERE rowid = old.id * 4 + 3;"
    "END;";

/* Step 2: indexes on registry names alone, so search finds exact-name
   hits without reading every matched row (registry_search). */
static const char step2[] =
    "CREATE INDEX reg_tables_name ON reg_tables(name);"
    "CREATE INDEX reg_columns_name ON reg_columns(name);";

/* Step 3: a counter of changes to requests that can change what a rules
   card lists as open requests (new requests, status, items, deploys), so
   that list can be cached with the rendered cards (registry_generation
   combines both counters). */
static const char step3[] =
    "INSERT INTO meta(key, value) VALUES ('requests', 1);"
    "CREATE TRIGGER requests_gen_ai AFTER INSERT ON requests BEGIN"
    " UPDATE meta SET value = value + 1 WHERE key = 'requests'; END;"
    "CREATE TRIGGER requests_gen_au AFTER UPDATE OF status, title, org_id,"
    " instance_id ON requests BEGIN"
    " UPDATE meta SET value = value + 1 WHERE key = 'requests'; END;"
    "CREATE TRIGGER requests_gen_ad AFTER DELETE ON requests BEGIN"
    " UPDATE meta SET value = value + 1 WHERE key = 'requests'; END;"
    "CREATE TRIGGER request_items_gen_ai AFTER INSERT ON request_items BEGIN"
    " UPDATE meta SET value = value + 1 WHERE key = 'requests'; END;"
    "CREATE TRIGGER request_items_gen_au AFTER UPDATE ON request_items BEGIN"
    " UPDATE meta SET value = value + 1 WHERE key = 'requests'; END;"
    "CREATE TRIGGER request_items_gen_ad AFTER DELETE ON request_items BEGIN"
    " UPDATE meta SET value = value + 1 WHERE key = 'requests'; END;"
    "CREATE TRIGGER request_instances_gen_ai AFTER INSERT ON"
    " request_instances BEGIN"
    " UPDATE meta SET value = value + 1 WHERE key = 'requests'; END;"
    "CREATE TRIGGER request_instances_gen_au AFTER UPDATE ON"
    " request_instances BEGIN"
    " UPDATE meta SET value = value + 1 WHERE key = 'requests'; END;"
    "CREATE TRIGGER request_instances_gen_ad AFTER DELETE ON"
    " request_instances BEGIN"
    " UPDATE meta SET value = value + 1 WHERE key = 'requests'; END;";

/* Step 4: request items by table name as a rules card compares it
   (case-insensitively), so a card's open requests are found from the
   table's items instead of every request of its organisation (5 ms per
   card at 4,000 requests per organisation). */
static const char step4[] = "CREATE INDEX request_items_table_nocase ON"
                            " request_items(table_name COLLATE NOCASE);";

/* Step 5: the in-app inbox and watches (inbox.c). An inbox row is one
   event for one user, written with the event (registry_event_add); a
   watch is a user following a request or a registry table. "Also e-mail
   me" is a user setting and an outbox row with a recipient; events name
   the registry table they are about (registry.changed). */
static const char step5[] =
    "CREATE TABLE inbox("
    " id INTEGER PRIMARY KEY,"
    " user_id INTEGER NOT NULL REFERENCES users(id),"
    " event_id INTEGER NOT NULL REFERENCES events(id),"
    " org_id INTEGER NOT NULL DEFAULT 0,"
    " reason TEXT NOT NULL,"
    " read_at INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL,"
    " UNIQUE (user_id, event_id));"
    "CREATE INDEX inbox_unread ON inbox(user_id, read_at, id);"
    "CREATE TABLE watches("
    " kind TEXT NOT NULL CHECK (kind IN ('request','table')),"
    " ref INTEGER NOT NULL,"
    " user_id INTEGER NOT NULL REFERENCES users(id),"
    " created_at INTEGER NOT NULL,"
    " PRIMARY KEY (kind, ref, user_id)) WITHOUT ROWID;"
    "CREATE INDEX watches_user ON watches(user_id, kind);"
    "ALTER TABLE users ADD COLUMN inbox_email TEXT NOT NULL DEFAULT 'off'"
    " CHECK (inbox_email IN ('off','each','daily'));"
    "ALTER TABLE users ADD COLUMN inbox_digest_at INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE outbox ADD COLUMN recipient TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE events ADD COLUMN table_id INTEGER;";

/* Step 6: history grouped by the change that caused it. A change is
   what one transaction wrote to one instance's registry: a request
   deployed there, an import (with its file name) or a hand edit. Every
   history row names its change; rows of older databases are grouped by
   instance, request, user, reason and second (what one transaction of
   theirs shared), the change taking the id of its first row. A row
   written without a change (by hand, or by an older writer) gets one of
   its own from the trigger. */
static const char step6[] =
    "CREATE TABLE registry_changes("
    " id INTEGER PRIMARY KEY,"
    " instance_id INTEGER NOT NULL REFERENCES instances(id),"
    " kind TEXT NOT NULL CHECK (kind IN ('edit','request','import')),"
    " request_id INTEGER REFERENCES requests(id),"
    " user_id INTEGER REFERENCES users(id),"
    " reason TEXT NOT NULL DEFAULT '',"
    " source TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL);"
    "CREATE INDEX registry_changes_time ON registry_changes(created_at);"
    "CREATE INDEX registry_changes_instance ON registry_changes(instance_id,"
    " id);"
    "ALTER TABLE registry_history ADD COLUMN change_id INTEGER"
    " REFERENCES registry_changes(id);"
    "INSERT INTO registry_changes(id, instance_id, kind, request_id, user_id,"
    " reason, created_at)"
    " SELECT min(id), instance_id, CASE WHEN request_id IS NOT NULL"
    "  THEN 'request' WHEN reason = 'import' THEN 'import' ELSE 'edit' END,"
    "  request_id, user_id, reason, created_at"
    " FROM registry_history"
    " GROUP BY instance_id, request_id, user_id, reason, created_at;"
    "UPDATE registry_history SET change_id = (SELECT c.id FROM"
    " registry_changes c WHERE c.created_at = registry_history.created_at"
    " AND c.instance_id = registry_history.instance_id"
    " AND c.request_id IS registry_history.request_id"
    " AND c.user_id IS registry_history.user_id"
    " AND c.reason = registry_history.reason);"
    "CREATE INDEX registry_history_change ON registry_history(change_id, id);"
    "CREATE TRIGGER registry_history_change_ai AFTER INSERT ON"
    " registry_history WHEN new.change_id IS NULL BEGIN"
    " INSERT INTO registry_changes(instance_id, kind, request_id, user_id,"
    "  reason, created_at) VALUES (new.instance_id, CASE WHEN"
    "  new.request_id IS NOT NULL THEN 'request' WHEN new.reason = 'import'"
    "  THEN 'import' ELSE 'edit' END, new.request_id, new.user_id,"
    "  new.reason, new.created_at);"
    " UPDATE registry_history SET change_id = last_insert_rowid()"
    "  WHERE id = new.id;"
    "END;";

/* Step 7: a user's inbox newest first without sorting every item of the
   user (a page of 50 of 20,000 items: 3.4 ms -> 0.25 ms). */
static const char step7[] = "CREATE INDEX inbox_user ON inbox(user_id, id);";

/* Step 8: feed arrivals. The loading job reports each file of a table
   of an instance; a file is reported once (the key (instance, table,
   file) makes a second report of it answer the stored row). Slot states
   and the campaign gate are derived from these rows and the table's
   rules, never stored. */
static const char step8[] =
    "CREATE TABLE arrivals("
    " id INTEGER PRIMARY KEY,"
    " instance_id INTEGER NOT NULL REFERENCES instances(id),"
    " table_id INTEGER NOT NULL REFERENCES reg_tables(id) ON DELETE CASCADE,"
    " file TEXT NOT NULL,"
    " rows INTEGER NOT NULL DEFAULT -1,"
    " bytes INTEGER NOT NULL DEFAULT -1,"
    " arrived_at INTEGER NOT NULL,"
    " status TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok','failed')),"
    " message TEXT NOT NULL DEFAULT '',"
    " reported_by INTEGER REFERENCES users(id),"
    " created_at INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX arrivals_file ON arrivals(instance_id, table_id,"
    " file);"
    "CREATE INDEX arrivals_table_time ON arrivals(table_id, arrived_at);"
    "CREATE INDEX arrivals_time ON arrivals(arrived_at);";

/* Step 9: the service role (machine accounts with API tokens only). The
   users table's CHECK lists the roles; widening the list changes nothing
   on disk and makes no stored row invalid, so the table's text is edited
   in place (SQLite's documented writable_schema procedure) instead of
   copying the table, whose drop would cascade into sessions and tokens
   while foreign keys are on. The CREATE/DROP moves the schema cookie so
   every other connection re-reads the table. */
static const char step9[] =
    "PRAGMA writable_schema = ON;"
    "UPDATE sqlite_schema SET sql = replace(sql,"
    " 'CHECK (role IN (''client'',''pm'',''ops'',''admin''))',"
    " 'CHECK (role IN (''client'',''pm'',''ops'',''admin'',''service''))')"
    " WHERE type = 'table' AND name = 'users';"
    "PRAGMA writable_schema = RESET;"
    "CREATE TABLE schema_step9(x);"
    "DROP TABLE schema_step9;";

/* Step 10: the day of a weekly or monthly feed and the per-table row
   anomaly thresholds. expected_day is "mon".."sun" for a weekly table,
   "1".."31" or "last" for a monthly one, "" otherwise. A table's row
   count is an anomaly below anomaly_low_pct % or above anomaly_high_pct %
   of the median of its last arrivals (0 turns that side off). A request
   item carries the same fields; -1 there means "not given" (the table
   keeps its own thresholds). */
static const char step10[] =
    "ALTER TABLE reg_tables ADD COLUMN expected_day TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE reg_tables ADD COLUMN anomaly_low_pct INTEGER NOT NULL"
    " DEFAULT 50;"
    "ALTER TABLE reg_tables ADD COLUMN anomaly_high_pct INTEGER NOT NULL"
    " DEFAULT 200;"
    "ALTER TABLE request_items ADD COLUMN expected_day TEXT NOT NULL"
    " DEFAULT '';"
    "ALTER TABLE request_items ADD COLUMN anomaly_low_pct INTEGER NOT NULL"
    " DEFAULT -1;"
    "ALTER TABLE request_items ADD COLUMN anomaly_high_pct INTEGER NOT NULL"
    " DEFAULT -1;";

/* Step 11: the alerts of tonight's feeds raised so far, one row per
   (instance, table, slot, kind) of feed.missing, feed.recovered,
   feed.failed and feed.anomaly. The tick records the key and writes the
   event in one transaction (INSERT OR IGNORE: a row already there means
   the event was written), so each alert fires once, also across
   restarts and ticks of several processes. Pruned with the arrivals. */
static const char step11[] =
    "CREATE TABLE feed_alerts("
    " id INTEGER PRIMARY KEY,"
    " instance_id INTEGER NOT NULL REFERENCES instances(id),"
    " table_id INTEGER NOT NULL REFERENCES reg_tables(id) ON DELETE CASCADE,"
    " slot_start INTEGER NOT NULL,"
    " kind TEXT NOT NULL"
    "  CHECK (kind IN ('missing','recovered','failed','anomaly')),"
    " event_id INTEGER,"
    " created_at INTEGER NOT NULL,"
    " UNIQUE (instance_id, table_id, slot_start, kind));"
    "CREATE INDEX feed_alerts_slot ON feed_alerts(slot_start);";

/* Step 12: drift reports. The last check of each instance against its
   live database (when, the source with any password redacted, how many
   tables were compared, ok or failed with its one-line error) and that
   check's findings, sorted as the comparison gives them. drift_announced
   holds every (kind, table, column) of an instance already announced by
   a registry.drift event, so a finding is announced once: the check
   records the keys and writes the event in one transaction. */
static const char step12[] =
    "CREATE TABLE drift_reports("
    " instance_id INTEGER PRIMARY KEY REFERENCES instances(id),"
    " checked_at INTEGER NOT NULL,"
    " source TEXT NOT NULL DEFAULT '',"
    " schema_name TEXT NOT NULL DEFAULT '',"
    " tables_compared INTEGER NOT NULL DEFAULT 0,"
    " status TEXT NOT NULL CHECK (status IN ('ok','failed')),"
    " error TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE drift_findings("
    " id INTEGER PRIMARY KEY,"
    " instance_id INTEGER NOT NULL"
    "  REFERENCES drift_reports(instance_id) ON DELETE CASCADE,"
    " kind TEXT NOT NULL,"
    " table_name TEXT NOT NULL,"
    " column_name TEXT NOT NULL DEFAULT '',"
    " registry TEXT NOT NULL DEFAULT '',"
    " live TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX drift_findings_instance ON drift_findings(instance_id, id);"
    "CREATE TABLE drift_announced("
    " instance_id INTEGER NOT NULL REFERENCES instances(id),"
    " kind TEXT NOT NULL,"
    " table_name TEXT NOT NULL,"
    " column_name TEXT NOT NULL DEFAULT '',"
    " event_id INTEGER,"
    " created_at INTEGER NOT NULL,"
    " PRIMARY KEY (instance_id, kind, table_name, column_name))"
    " WITHOUT ROWID;";

/* Step 13: versions of what cached answers are built from, so that a
   change invalidates the answers it changes and no others (web/cache.c).
   Each scope's version is the value of meta 'versions' (one sequence,
   bumped by the triggers below in the transaction of the change) when it
   last changed: a new value is larger than every value before it, so the
   largest version of the scopes an answer reads changes exactly when one
   of them does (registry_table_version, registry_lookup_version). The
   scopes:
     t<table id>         the table's registry content: its row, columns
                         and history (the table JSON, the rules card);
     o<org id>:<name>    the open requests of an organisation naming a
                         table (lower-case name; the card's list);
     d<instance id>      the instance's drift report (the card's badge);
     l<instance id>      the instance's table names and what a lookup
                         shows of them (a lookup within the instance);
     n<org id>, n        the same for an organisation's instances and for
                         every instance (lookups without an instance);
     u                   the names of users, which the history of every
                         card and table JSON shows (step 17).
   A scope without a row has version 0. */
/* An update of the rows there are and an insert of those there are not,
   rather than an upsert: the conflict clause of the statement that fires
   a trigger (INSERT OR IGNORE ...) would replace the upsert's. */
#define VERSIONS_BUMP(scopes)                                                  \
    " UPDATE meta SET value = value + 1 WHERE key = 'versions';"               \
    " UPDATE cache_versions SET v = (SELECT value FROM meta"                   \
    "  WHERE key = 'versions') WHERE scope IN (SELECT s FROM (" scopes "));"   \
    " INSERT INTO cache_versions(scope, v) SELECT DISTINCT s,"                 \
    "  (SELECT value FROM meta WHERE key = 'versions') FROM (" scopes ") x"    \
    "  WHERE NOT EXISTS (SELECT 1 FROM cache_versions c"                       \
    "  WHERE c.scope = x.s);"
/* A trigger that bumps the versions of the scopes a SELECT of one column
   s names. */
#define VERSIONS_TRIGGER(name, when, scopes)                                   \
    "CREATE TRIGGER " name " " when " BEGIN" VERSIONS_BUMP(scopes) " END;"
/* The lookup scopes of the instance whose id is the expression x. */
#define NAMES_OF(x)                                                            \
    "SELECT 'l' || id AS s FROM instances WHERE id = " x                       \
    " UNION SELECT 'n' || org_id FROM instances WHERE id = " x                 \
    " UNION SELECT 'n'"
/* The open-requests scope of request r's org and the table name n. */
#define OPEN_SCOPE(r, n)                                                       \
    "SELECT 'o' || org_id || ':' || lower(" n ") AS s FROM requests"           \
    " WHERE id = " r
/* The open-requests scopes of every item of request r. */
#define OPEN_OF(r)                                                             \
    "SELECT 'o' || q.org_id || ':' || lower(it.table_name) AS s"               \
    " FROM requests q JOIN request_items it ON it.request_id = q.id"           \
    " WHERE q.id = " r
/* clang-format off */
static const char step13[] =
    "INSERT INTO meta(key, value) VALUES ('versions', 0);"
    "CREATE TABLE cache_versions("
    " scope TEXT PRIMARY KEY,"
    " v INTEGER NOT NULL) WITHOUT ROWID;"
    /* a table's content, and the names lookups show */
    VERSIONS_TRIGGER("reg_tables_ver_ai", "AFTER INSERT ON reg_tables",
        "SELECT 't' || new.id AS s UNION " NAMES_OF("new.instance_id"))
    VERSIONS_TRIGGER("reg_tables_ver_au", "AFTER UPDATE ON reg_tables",
        "SELECT 't' || new.id AS s UNION SELECT 't' || old.id")
    VERSIONS_TRIGGER("reg_tables_ver_names_au", "AFTER UPDATE ON reg_tables"
        " WHEN old.name IS NOT new.name OR old.status IS NOT new.status"
        " OR old.campaign_dependency IS NOT new.campaign_dependency"
        " OR old.instance_id IS NOT new.instance_id",
        NAMES_OF("old.instance_id") " UNION " NAMES_OF("new.instance_id"))
    VERSIONS_TRIGGER("reg_tables_ver_ad", "AFTER DELETE ON reg_tables",
        "SELECT 't' || old.id AS s UNION " NAMES_OF("old.instance_id"))
    VERSIONS_TRIGGER("reg_columns_ver_ai", "AFTER INSERT ON reg_columns",
        "SELECT 't' || new.table_id AS s")
    VERSIONS_TRIGGER("reg_columns_ver_au", "AFTER UPDATE ON reg_columns",
        "SELECT 't' || new.table_id AS s UNION SELECT 't' || old.table_id")
    VERSIONS_TRIGGER("reg_columns_ver_ad", "AFTER DELETE ON reg_columns",
        "SELECT 't' || old.table_id AS s")
    VERSIONS_TRIGGER("registry_history_ver_ai",
        "AFTER INSERT ON registry_history WHEN new.table_id IS NOT NULL",
        "SELECT 't' || new.table_id AS s")
    /* an instance's drift report */
    VERSIONS_TRIGGER("drift_reports_ver_ai", "AFTER INSERT ON drift_reports",
        "SELECT 'd' || new.instance_id AS s")
    VERSIONS_TRIGGER("drift_reports_ver_ad", "AFTER DELETE ON drift_reports",
        "SELECT 'd' || old.instance_id AS s")
    /* open requests: a card lists their title, status and items' kinds,
       for the instances they apply to and are not deployed in */
    VERSIONS_TRIGGER("request_items_ver_ai", "AFTER INSERT ON request_items",
        OPEN_SCOPE("new.request_id", "new.table_name"))
    VERSIONS_TRIGGER("request_items_ver_au", "AFTER UPDATE ON request_items",
        OPEN_SCOPE("new.request_id", "new.table_name") " UNION "
        OPEN_SCOPE("old.request_id", "old.table_name"))
    VERSIONS_TRIGGER("request_items_ver_ad", "AFTER DELETE ON request_items",
        OPEN_SCOPE("old.request_id", "old.table_name"))
    VERSIONS_TRIGGER("requests_ver_au", "AFTER UPDATE OF status, title,"
        " org_id, instance_id ON requests",
        OPEN_OF("new.id") " UNION SELECT 'o' || old.org_id || ':' ||"
        " lower(table_name) FROM request_items WHERE request_id = old.id")
    /* before: the items of a deleted request go with it (ON DELETE
       CASCADE) */
    VERSIONS_TRIGGER("requests_ver_bd", "BEFORE DELETE ON requests",
        OPEN_OF("old.id"))
    /* (a submission writes its instances before its items: nothing to
       bump then) */
    VERSIONS_TRIGGER("request_instances_ver_ai",
        "AFTER INSERT ON request_instances WHEN EXISTS (SELECT 1 FROM"
        " request_items WHERE request_id = new.request_id)",
        OPEN_OF("new.request_id"))
    VERSIONS_TRIGGER("request_instances_ver_au",
        "AFTER UPDATE ON request_instances",
        OPEN_OF("new.request_id") " UNION " OPEN_OF("old.request_id"))
    VERSIONS_TRIGGER("request_instances_ver_ad",
        "AFTER DELETE ON request_instances WHEN EXISTS (SELECT 1 FROM"
        " request_items WHERE request_id = old.request_id)",
        OPEN_OF("old.request_id"));

/* Step 14: a lookup shows today's state of each hit, which follows the
   table's arrival rules, so a change of them bumps the lookup scopes too
   (the whole lookup answer is cached with them: web/page_catalog_search.c). */
static const char step14[] =
    VERSIONS_TRIGGER("reg_tables_ver_today_au", "AFTER UPDATE ON reg_tables"
        " WHEN old.cadence IS NOT new.cadence"
        " OR old.expected_arrival IS NOT new.expected_arrival"
        " OR old.expected_day IS NOT new.expected_day"
        " OR old.late_after_minutes IS NOT new.late_after_minutes",
        NAMES_OF("new.instance_id"));

/* Step 15: a log of the search rows (search_fts rowids, id * 4 + kind)
   written since a snapshot of the in-memory search index was read, so a
   search can answer from that snapshot and the few rows changed since
   (registry/search_index_overlay.c) instead of waiting for a rebuild. seq
   rises with each change; the oldest rows go once 100,000 newer ones are
   logged (a snapshot older than the log is rebuilt, FTS5 answering
   meanwhile). */
#define SEARCH_LOG(name, when, rid)                                            \
    "CREATE TRIGGER " name " " when " BEGIN"                                   \
    " INSERT INTO search_log(rid) VALUES (" rid ");"                           \
    " DELETE FROM search_log WHERE seq <= last_insert_rowid() - 100000;"       \
    " END;"
static const char step15[] =
    "CREATE TABLE search_log("
    " seq INTEGER PRIMARY KEY,"
    " rid INTEGER NOT NULL);"
    SEARCH_LOG("reg_tables_log_ai", "AFTER INSERT ON reg_tables",
        "new.id * 4 + 1")
    SEARCH_LOG("reg_tables_log_au", "AFTER UPDATE ON reg_tables",
        "new.id * 4 + 1")
    SEARCH_LOG("reg_tables_log_ad", "AFTER DELETE ON reg_tables",
        "old.id * 4 + 1")
    SEARCH_LOG("reg_columns_log_ai", "AFTER INSERT ON reg_columns",
        "new.id * 4 + 2")
    SEARCH_LOG("reg_columns_log_au", "AFTER UPDATE ON reg_columns",
        "new.id * 4 + 2")
    SEARCH_LOG("reg_columns_log_ad", "AFTER DELETE ON reg_columns",
        "old.id * 4 + 2")
    SEARCH_LOG("requests_log_ai", "AFTER INSERT ON requests",
        "new.id * 4 + 3")
    SEARCH_LOG("requests_log_au", "AFTER UPDATE OF title, summary ON requests",
        "new.id * 4 + 3")
    SEARCH_LOG("requests_log_ad", "AFTER DELETE ON requests",
        "old.id * 4 + 3");
/* clang-format on */

/* Step 16: the search row of a new request is written at commit, once for
   all the requests of the transaction, instead of by a trigger per row.
   FTS5 writes out its pending rows at every statement of a transaction it
   is part of, so a batch of submissions wrote a segment of the search
   index (and its structure record and merge work) per submission. The
   trigger now queues the request's id in search_pending, and
   registry_commit writes the queued rows (registry_search_flush,
   registry/requests.c) in the transaction it commits. An update of the
   title or summary and a delete still change the row at once; the flush
   skips a request whose row is already there.
   And a new item bumps the open-requests version of its one table
   (OPEN_SCOPE, step 13) without VERSIONS_BUMP's IN and DISTINCT, whose
   temporary tables were allocated and freed for every item (the same
   rows: the scope is updated when it has a row and inserted when not). */
#define VERSIONS_BUMP_ONE(scope)                                               \
    " UPDATE meta SET value = value + 1 WHERE key = 'versions';"               \
    " UPDATE cache_versions SET v = (SELECT value FROM meta"                   \
    "  WHERE key = 'versions') WHERE scope = (" scope ");"                     \
    " INSERT INTO cache_versions(scope, v) SELECT x.s,"                        \
    "  (SELECT value FROM meta WHERE key = 'versions') FROM (" scope ") x"     \
    "  WHERE NOT EXISTS (SELECT 1 FROM cache_versions c"                       \
    "  WHERE c.scope = x.s);"
static const char step16[] =
    "CREATE TABLE search_pending("
    " request_id INTEGER PRIMARY KEY);"
    "DROP TRIGGER requests_fts_ai;"
    "CREATE TRIGGER requests_fts_pending_ai AFTER INSERT ON requests BEGIN"
    " INSERT OR IGNORE INTO search_pending(request_id) VALUES (new.id);"
    "END;"
    "DROP TRIGGER request_items_ver_ai;"
    "CREATE TRIGGER request_items_ver_ai AFTER INSERT ON request_items"
    " BEGIN" VERSIONS_BUMP_ONE(
        OPEN_SCOPE("new.request_id", "new.table_name")) " END;";

/* Step 17: the history of a card and of a table's JSON names who made
   each change (users.name, read when the answer is built), so a user's
   new name bumps scope u, part of every table's version: the cached
   cards and JSON are built again (a rename is rare; no answer says the
   old name after it). */
static const char step17[] =
    "CREATE TRIGGER users_ver_name_au AFTER UPDATE OF name ON users"
    " WHEN old.name IS NOT new.name BEGIN" VERSIONS_BUMP_ONE(
        "SELECT 'u' AS s") " END;";

const char *const reg_schema_steps[] = {
    NULL,  step1,  step2,  step3,  step4,  step5,  step6,  step7,  step8,
    step9, step10, step11, step12, step13, step14, step15, step16, step17};
const int reg_schema_nsteps =
    (int)(sizeof reg_schema_steps / sizeof *reg_schema_steps) - 1;
