/* inbox.h: the in-app inbox and watches. Every event (registry_event_add)
 * also lands in the inbox of each user it concerns, in the event's own
 * transaction, so people are told even when no channel is configured:
 *
 *   the PM             request.submitted, .answered, .updated, .withdrawn,
 *                      .commented (the request's PM, or every PM while it
 *                      has none)
 *   the requester      request.needs_info, .scheduled, .deployed,
 *                      .rejected, .commented
 *   ops                request.scheduled, request.deployed, deploy.digest
 *   admins             delivery.failed
 *   request watchers   every request.* event of that request
 *   table watchers     request.scheduled and request.deployed of a request
 *                      that names the table on its instance, and
 *                      registry.changed of the table
 *   ops, admins, the   feed.missing, .recovered, .failed, .anomaly of a
 *   table's watchers   table (tonight's feeds); the clients of the
 *   and the clients    table's organisation with the reason "client"
 *   of its organisation
 *
 * Nobody is told of their own act; deactivated users get nothing; a
 * client only gets items of its own organisation (checked when the item
 * is written and again when it is read); account.reset never lands in an
 * inbox. A user who asked for e-mail ("each") also gets an outbox row on
 * the inbox e-mail channel addressed to them; "daily" users get one
 * inbox.digest a day instead (registry_inbox_digest). */
#ifndef DOCKET_INBOX_H
#define DOCKET_INBOX_H

#include "registry.h"

#include <stddef.h>
#include <stdint.h>

/* What can be watched. */
typedef enum registry_watch_kind {
    WATCH_NONE = 0,
    WATCH_REQUEST,
    WATCH_TABLE
} registry_watch_kind;
/* "request", "table"; "" for WATCH_NONE. */
const char *registry_watch_kind_name(registry_watch_kind k);
/* The kind named name; WATCH_NONE for anything else. */
registry_watch_kind registry_watch_kind_parse(const char *name);

/* The e-mail a user gets for inbox items. */
typedef enum registry_inbox_mail {
    INBOX_MAIL_OFF = 0,
    INBOX_MAIL_EACH, /* one e-mail per item, as it happens */
    INBOX_MAIL_DAILY /* one digest a day of the unread items */
} registry_inbox_mail;
/* "off", "each", "daily". */
const char *registry_inbox_mail_name(registry_inbox_mail m);
/* The setting named name; -1 for anything else. */
int registry_inbox_mail_parse(const char *name);

/* The e-mail channel that carries inbox e-mail, for every handle of this
 * process (like registry_routes_set: the pointer is kept). NULL or "":
 * none, and the setting is stored but nothing is sent. */
void registry_inbox_channel_set(const char *channel);
/* The channel set above, or NULL. */
const char *registry_inbox_channel(void);

/* One inbox item with its event. */
typedef struct registry_inbox_item {
    int64_t id;
    int64_t event_id;
    char event[40];     /* "request.scheduled" */
    char reason[12];    /* pm, requester, ops, admin, watch, client */
    int64_t request_id; /* 0 when none */
    int64_t table_id;   /* 0 when none */
    int64_t created_at;
    int64_t read_at; /* 0: unread */
    char *payload;   /* the event's JSON (owned) */
} registry_inbox_item;

/* A page of a user's inbox, newest first. */
typedef struct registry_inbox_query {
    int64_t user_id;
    int64_t org_id; /* a client's organisation: only its items; 0 staff */
    int unread_only;
    int64_t before_id; /* items with a smaller id only; 0: from the newest */
    int limit;         /* 1..200; 0: 50 */
} registry_inbox_query;

/* Fills *out (free with registry_inbox_items_free) and *out_n with up to
 * q->limit items; *out_more (may be NULL) is 1 when older ones exist. */
int registry_inbox_list(registry *reg, const registry_inbox_query *q,
                        registry_inbox_item **out, size_t *out_n, int *out_more,
                        errmsg *err);
void registry_inbox_items_free(registry_inbox_item *items, size_t n);

/* Unread items of the user (clients: of org_id only), counted up to cap
 * (the header shows "99+"). */
int registry_inbox_unread(registry *reg, int64_t user_id, int64_t org_id,
                          int64_t cap, int64_t *out, errmsg *err);

/* Marks the user's items ids[0..n) (or, with all, every item up to
 * up_to_id, 0 for every item) read (read != 0) or unread. Ids of other
 * users' items are ignored. *out_n (may be NULL) is the number changed.
 * Own transaction. */
int registry_inbox_mark(registry *reg, int64_t user_id, const int64_t *ids,
                        size_t n, int all, int64_t up_to_id, int read,
                        int64_t *out_n, errmsg *err);

/* Starts (on != 0) or stops watching; idempotent. *out_changed (may be
 * NULL) is 1 when something changed. The caller has checked that the user
 * may see ref (domain_watch). */
int registry_watch_set(registry *reg, int64_t user_id, registry_watch_kind k,
                       int64_t ref, int on, int *out_changed, errmsg *err);
/* *out = 1 when the user watches ref. */
int registry_watching(registry *reg, int64_t user_id, registry_watch_kind k,
                      int64_t ref, int *out, errmsg *err);

/* One watch of a user, with what it names. */
typedef struct registry_watch {
    registry_watch_kind kind;
    int64_t ref;
    int64_t org_id;
    char label[160]; /* "CR-12 Loyalty tiers" or "acme-prod / customers" */
    char path[300];  /* "/requests/12" or "/tables/acme-prod/customers" */
    char name[220];  /* as domain_watch takes it: "CR-12" or
                        "acme-prod/customers" */
    int64_t created_at;
} registry_watch;
/* Calls fn for each watch of the user (clients: of org_id only), newest
 * first. */
int registry_watch_list(registry *reg, int64_t user_id, int64_t org_id,
                        void (*fn)(void *ctx, const registry_watch *w),
                        void *ctx, errmsg *err);

/* The registry table instance/table: its id and organisation.
 * ERR_NOTFOUND "no table T in instance I" when there is none. */
int registry_table_locate(registry *reg, int64_t *out_id, int64_t *out_org,
                          const char *instance, const char *table, errmsg *err);

/* Sets the user's inbox e-mail. Own statement. */
int registry_inbox_mail_set(registry *reg, int64_t user_id,
                            registry_inbox_mail m, errmsg *err);
/* The user's setting. */
int registry_inbox_mail_get(registry *reg, int64_t user_id,
                            registry_inbox_mail *out, errmsg *err);

/* The daily inbox digest: for every active user with the "daily" setting
 * whose last digest is at least a day old (and it is past hour:minute UTC
 * of today), one inbox.digest event addressed to them on the inbox
 * e-mail channel with their unread items since the last digest (the
 * newest 50: {"event","recipient","name","count","url":"/inbox",
 * "items":[{"event","created_at","payload"}]}), when there are any.
 * *out_n (may be NULL) is the number of digests written. Own
 * transaction. Does nothing without an inbox e-mail channel. */
int registry_inbox_digest(registry *reg, int64_t now, int hour, int minute,
                          int *out_n, errmsg *err);

#endif
