/* registry.h: docket's SQLite store, the only code that calls sqlite3_*.
 * One registry handle per thread (each holds its own connection and its
 * statement cache). Writers use BEGIN IMMEDIATE. Every write that must be
 * announced writes its event and outbox rows in the same transaction.
 *
 * Files: registry.c (open, schema upgrades, transactions, statement cache),
 * accounts.c (organisations, instances, users, sessions, tokens, audit),
 * requests.c (change requests), events.c (events and outbox rows),
 * catalog.c (registry tables/columns, history, search), outbox.c (the
 * delivery side used by notify/), backup.c (backup, restore and the
 * server's lock on the database). */
#ifndef DOCKET_REGISTRY_H
#define DOCKET_REGISTRY_H

#include "err.h"
#include "form.h"

#include <stddef.h>
#include <stdint.h>

#define REGISTRY_SCHEMA_VERSION 17

typedef struct registry registry;

enum {
    REGISTRY_READONLY = 1, /* open read-only (lookup, export, backup) */
    REGISTRY_NOCREATE = 2  /* fail when the file does not exist */
};

/* Opens (creating when allowed) the database at path, sets WAL,
 * foreign_keys, a 5 s busy handler and synchronous=FULL, and upgrades
 * the schema step by step (read-write only). A database newer than this
 * binary is refused with ERR_INVALID. *out is set on success; free with
 * registry_close. */
int registry_open(registry **out, const char *path, int flags, errmsg *err);
void registry_close(registry *reg);
/* PRAGMA user_version of the open database. */
int registry_schema_version(registry *reg);
/* Runs a trivial query; 0 when the database answers. */
int registry_ping(registry *reg, errmsg *err);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. Write transactions of one process
 * are serialised by a mutex (taken in begin, released when the
 * transaction ends), so its threads do not meet on SQLite's lock.
 * registry_commit first writes the search rows of the requests the
 * transaction inserted (registry_search_flush, requests.h). */
int registry_begin(registry *reg, errmsg *err);
int registry_commit(registry *reg, errmsg *err);
void registry_rollback(registry *reg);
/* A number that grows with every change to registry tables or columns and
 * with every change to requests that can alter a table's open requests
 * (both bumped by triggers in the same transaction), for caches of
 * rendered rules cards, table JSON and lookups. */
int64_t registry_generation(registry *reg);
/* The version of what the cached answers about instance/table are built
 * from: the table's registry content, and with with_card also its open
 * requests (in the instance's organisation) and the instance's drift
 * report. It grows with every change to any of them (triggers in the
 * transaction of the change, schema step 13) and with nothing else; one
 * read. -1 when there is no such table (or the read failed): cache
 * nothing. */
int64_t registry_table_version(registry *reg, const char *instance,
                               const char *table, int with_card);
/* The same for a lookup of table names within instance (NULL or "" for
 * every instance), of organisation org_id's instances (0: all). */
int64_t registry_lookup_version(registry *reg, const char *instance,
                                int64_t org_id);
/* Online backup of the open database into path (backup.c). All pages
 * are copied in one read transaction, a consistent snapshot of the last
 * commit before the copy began; in WAL mode other connections go on
 * writing meanwhile, so the copy ends in bounded time under any write
 * load. The copy is written to path.tmp-XXXXXX beside path, fsynced and
 * renamed over path; on failure it is removed. Files path.tmp-* left by a
 * copy that was killed are removed first (those of a copy still running
 * are locked and kept). */
int registry_backup(registry *reg, const char *path, errmsg *err);
/* Async-signal-safe: removes the temporary file of the registry_backup or
 * registry_restore under way in this process, if any. For SIGINT/SIGTERM
 * handlers that then end the process. */
void registry_backup_cleanup(void);
/* Replaces the database at path by the backup at from (backup.c). Holds
 * the database's lock (see registry_serve_lock) exclusively throughout,
 * so no server can start meanwhile. ERR_CONFLICT, with a message saying
 * how to stop it, when a server holds the lock or another program has the
 * database open; ERR_NOTFOUND when from does not exist; ERR_INVALID when
 * it is not an intact docket database. The backup is copied to a
 * temporary file beside the database, fsynced, the old database's WAL is
 * checkpointed and its -wal, -shm and -journal removed, and the copy
 * renamed into place: the file is the old database or the backup, never
 * a mix. */
int registry_restore(const char *path, const char *from, errmsg *err);
/* The database's lock for `docket serve`: a shared flock on path.lock
 * (beside the real file, symbolic links resolved; the file is never
 * removed and holds the pid of the last server), kept until *out_fd is
 * closed, i.e. for the life of the process. Several servers may hold it
 * at once; registry_restore needs it alone. The kernel drops it however
 * the process ends, so kill -9 leaves no stale lock. ERR_CONFLICT when a
 * restore is replacing the database. */
int registry_serve_lock(int *out_fd, const char *path, errmsg *err);
/* Releases the lock of registry_serve_lock (-1 does nothing). */
void registry_serve_unlock(int fd);
/* PRAGMA integrity_check and foreign_key_check; 0 when both are clean. */
int registry_integrity(registry *reg, errmsg *err);

/* ---- the in-memory search index's home (search_index.c) ---- */

/* The search snapshots shared by the connections of one server (or test):
 * the server makes one, attaches it to each connection it opens and
 * releases its own reference when it stops, so two servers in one
 * process keep separate snapshots. A connection without one answers
 * every search from FTS5 (same hits, slower). Reference-counted: each
 * attached connection and each background build holds a reference;
 * the last release frees it. */
typedef struct registry_index registry_index;
registry_index *registry_index_new(void);
void registry_index_release(registry_index *x); /* NULL: nothing */
/* Shares x (NULL: none) with reg from now on; registry_close lets go. */
void registry_index_attach(registry *reg, registry_index *x);

/* ---- accounts (accounts.c) ---- */

typedef struct registry_user {
    int64_t id;
    char email[256];
    char name[201];
    char role[8];   /* client, pm, ops, admin, service */
    int64_t org_id; /* clients and bound service accounts; 0 otherwise */
    char org_name[201];
    int active;
    int must_change_password;
    int64_t unread;      /* unread inbox items, counted up to 100 */
    char inbox_email[8]; /* off, each, daily (registry_inbox_mail) */
} registry_user;

typedef struct registry_org {
    int64_t id;
    char name[201];
} registry_org;

typedef struct registry_instance {
    int64_t id;
    int64_t org_id;
    char name[101];
    char org_name[201];
    char environment[33]; /* qa, production, staging, ... */
    char dialect[17];     /* postgres, mysql, snowflake, sqlite */
} registry_instance;

/* Roles as bits: the route table (web/), the life-cycle rules (triage.c)
 * and the use cases (domain/) speak this one vocabulary. */
typedef enum docket_role {
    ROLE_ANON = 1, /* not signed in */
    ROLE_CLIENT = 2,
    ROLE_PM = 4,
    ROLE_OPS = 8,
    ROLE_ADMIN = 16,
    /* a machine account: API tokens only, never a page; optionally bound
     * to one organisation. Deliberately outside ROLE_USER and ROLE_ANY:
     * it reaches only the routes that name it (ROLE_FEEDS). */
    ROLE_SERVICE = 32,
    ROLE_STAFF = ROLE_PM | ROLE_OPS | ROLE_ADMIN,
    /* every signed-in person (never a service account) */
    ROLE_USER = ROLE_CLIENT | ROLE_STAFF,
    /* who may write and edit change requests: everyone but ops */
    ROLE_AUTHOR = ROLE_CLIENT | ROLE_PM | ROLE_ADMIN,
    ROLE_ANY = ROLE_ANON | ROLE_USER,
    /* who may report arrivals and read gates */
    ROLE_FEEDS = ROLE_PM | ROLE_OPS | ROLE_ADMIN | ROLE_SERVICE
} docket_role;

/* The bit of a stored role name ("client", "pm", "ops", "admin",
 * "service"); 0 for anything else (NULL too). registry_role_name is the
 * other way round (NULL for a bit that is not one role). */
docket_role registry_role_bit(const char *role);
const char *registry_role_name(docket_role bit);
/* Valid role name? */
int registry_role_valid(const char *role);

int registry_org_add(registry *reg, int64_t *out_id, const char *name,
                     errmsg *err);
int registry_org_get(registry *reg, registry_org *out, const char *name,
                     errmsg *err);
/* Calls fn for every organisation, by name. */
int registry_org_list(registry *reg,
                      void (*fn)(void *ctx, const registry_org *o), void *ctx,
                      errmsg *err);

int registry_instance_add(registry *reg, int64_t *out_id, const char *org,
                          const char *name, const char *environment,
                          const char *dialect, errmsg *err);
int registry_instance_get(registry *reg, registry_instance *out,
                          const char *name, errmsg *err);
/* Instances of org_id (0: all), by organisation then name. */
int registry_instance_list(registry *reg, int64_t org_id,
                           void (*fn)(void *ctx, const registry_instance *i),
                           void *ctx, errmsg *err);

/* Adds a user. password may be NULL (no password sign-in until one is
 * set); otherwise 12..128 characters. ERR_CONFLICT when the e-mail is
 * taken. */
int registry_user_add(registry *reg, int64_t *out_id, const char *email,
                      const char *name, const char *role, const char *org,
                      const char *password, errmsg *err);
int registry_user_get(registry *reg, registry_user *out, int64_t id,
                      errmsg *err);
int registry_user_find(registry *reg, registry_user *out, const char *email,
                       errmsg *err);
/* Updates name, role, organisation (NULL leaves a field alone). */
int registry_user_update(registry *reg, int64_t id, const char *name,
                         const char *role, const char *org, errmsg *err);
int registry_user_set_active(registry *reg, int64_t id, int active,
                             errmsg *err);
/* Sets a new password (checked for length), and must_change_password;
 * every reset link of the user still out stops working. */
int registry_user_set_password(registry *reg, int64_t id, const char *password,
                               int must_change, errmsg *err);
/* Checks e-mail and password of an active user; rehashes the stored hash
 * when the hashing parameters changed. ERR_INVALID for any mismatch (the
 * message never says which part was wrong). */
int registry_user_authenticate(registry *reg, registry_user *out,
                               const char *email, const char *password,
                               errmsg *err);
/* 1 when an active user of role has e-mail address email (letter case
 * ignored, as users.email compares), 0 when none, < 0 with err set. */
int registry_user_is_active(registry *reg, const char *email, const char *role,
                            errmsg *err);
/* Calls fn for every user, by e-mail; role may be NULL for all. */
int registry_user_list(registry *reg, const char *role,
                       void (*fn)(void *ctx, const registry_user *u), void *ctx,
                       errmsg *err);
/* Number of users (to know whether the first admin is needed). */
int64_t registry_user_count(registry *reg);

/* Password rules shared by every path: 12..128 characters, valid UTF-8. */
int registry_password_check(const char *password, errmsg *err);

/* Sessions: a new random 256-bit token (hex, 64 chars) is written to
 * token_out (65 bytes) and only its SHA-256 is stored; csrf_out (65 bytes)
 * receives the session's CSRF token. */
int registry_session_create(registry *reg, char *token_out, char *csrf_out,
                            int64_t user_id, const char *address, errmsg *err);
/* Finds the active user of a session token that is neither idle longer
 * than idle_s nor older than lifetime_s, and refreshes its last use.
 * ERR_NOTFOUND when there is none (expired sessions are deleted). */
int registry_session_lookup(registry *reg, registry_user *out, char *csrf_out,
                            const char *token, int64_t idle_s,
                            int64_t lifetime_s, errmsg *err);
int registry_session_delete(registry *reg, const char *token, errmsg *err);
/* Signs a user out everywhere. */
int registry_session_delete_user(registry *reg, int64_t user_id, errmsg *err);
/* Ends every session of user_id except the one of keep_token (after a
 * password change: the other browsers sign in again). */
int registry_session_delete_others(registry *reg, int64_t user_id,
                                   const char *keep_token, errmsg *err);

/* API tokens: "dkt_" + 64 hex characters, shown once (token_out: 72+
 * bytes), stored hashed. */
int registry_token_create(registry *reg, char *token_out, int64_t *out_id,
                          int64_t user_id, const char *label, errmsg *err);
int registry_token_lookup(registry *reg, registry_user *out, const char *token,
                          errmsg *err);
/* Revokes token id of user_id (user_id 0: any user, for admins). */
int registry_token_revoke(registry *reg, int64_t id, int64_t user_id,
                          errmsg *err);

typedef struct registry_token {
    int64_t id;
    char label[201];
    int64_t created_at;
    int64_t last_used;
    int64_t revoked_at;
} registry_token;
/* Revokes every active token of user_id; *out_n (may be NULL) gets how
 * many. */
int registry_token_revoke_all(registry *reg, int64_t *out_n, int64_t user_id,
                              errmsg *err);
int registry_token_list(registry *reg, int64_t user_id,
                        void (*fn)(void *ctx, const registry_token *t),
                        void *ctx, errmsg *err);

/* One-time password-reset links: token_out (65 bytes) valid for
 * ttl_s seconds, single use. */
int registry_reset_create(registry *reg, char *token_out, int64_t user_id,
                          int64_t ttl_s, errmsg *err);
/* A password-reset request for email, from address (for the audit log).
 * When an active user has that address: ends their links still out,
 * makes a new one valid for ttl_s, writes the account.reset event
 * ({"event","recipient","name","url":"/reset/<token>"}) with its outbox
 * rows and audits "password.reset.sent"; otherwise audits
 * "password.reset.unknown". One transaction either way; *out_sent is 1
 * when a link was made, 0 when not. */
int registry_reset_request(registry *reg, int *out_sent, const char *email,
                           const char *address, int64_t ttl_s, errmsg *err);
/* Uses the token: sets the password (which ends every other link of the
 * user) and signs the user out everywhere. */
int registry_reset_use(registry *reg, int64_t *out_user, const char *token,
                       const char *password, errmsg *err);

/* The audit log: who (user id or 0, and a display name), what, target,
 * detail (never a secret), from where. */
int registry_audit(registry *reg, int64_t user_id, const char *actor,
                   const char *action, const char *target, const char *detail,
                   const char *address);

typedef struct registry_audit_row {
    int64_t id;
    int64_t created_at;
    const char *actor, *action, *target, *detail, *address;
} registry_audit_row;
int registry_audit_list(registry *reg, int64_t before_id, int limit,
                        void (*fn)(void *ctx, const registry_audit_row *r),
                        void *ctx, errmsg *err);

/* Hex SHA-256 of a secret (65 bytes out), for stored token hashes. */
void registry_hash_token(char *out, const char *token);
/* Fills out (2*n+1 bytes) with n random bytes in hex. */
void registry_random_hex(char *out, size_t n);

/* ---- events and outbox (events.c) ---- */

/* The routing of events to channels (the [route] table of the
 * configuration), for every handle of this process. The registry never
 * reads the configuration itself: app/ hands the table over once, before
 * any thread opens a handle, and keeps it alive until the last handle is
 * closed (the pointer is kept, not copied). NULL, 0: no event is routed. */
struct cfg_route;
void registry_routes_set(const struct cfg_route *routes, size_t nroutes);

/* What an event is about, for the people it concerns (the in-app inbox,
 * inbox.h): its request, its registry table, and the user who caused it,
 * who is not told of their own act. NULL or zeros: none. */
typedef struct registry_event_about {
    int64_t request_id;
    int64_t table_id; /* reg_tables.id (registry.changed) */
    int64_t actor_id;
} registry_event_about;

/* Records event (e.g. "request.submitted") with its JSON payload, writes
 * one outbox row per channel registry_routes_set routes it to, and one
 * inbox row per user it concerns (registry_inbox_fanout, inbox.h), with
 * an e-mail outbox row for those who asked for one. Must run inside the
 * caller's transaction. */
int registry_event_add(registry *reg, int64_t *out_id, const char *event,
                       const registry_event_about *about,
                       const char *payload_json, errmsg *err);

#endif
