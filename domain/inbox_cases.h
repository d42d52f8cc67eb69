/* inbox_cases.h (domain): the in-app inbox and watches as a user uses
 * them: read the inbox, mark items read or unread, watch a request or a
 * table, choose the inbox e-mail. Every call acts for who: a client only
 * ever sees and watches its own organisation's things, and something it
 * may not see is "not found", worded as for something missing. The store
 * is registry/inbox.h; web/page_inbox.c and the API parse into these. */
#ifndef DOCKET_INBOX_CASES_H
#define DOCKET_INBOX_CASES_H

#include "domain.h"
#include "inbox.h"

#include <stddef.h>
#include <stdint.h>

/* The request number of "CR-12" or "12" (case-insensitive); 0 when s is
 * not one. */
int64_t domain_request_number(const char *s);

/* A page of who's inbox (newest first, before_id 0 from the newest);
 * *out as registry_inbox_list. ERR_FORBIDDEN for nobody signed in. */
int domain_inbox_list(registry *reg, const domain_actor *who, int unread_only,
                      int64_t before_id, int limit, registry_inbox_item **out,
                      size_t *out_n, int *out_more, errmsg *err);

/* who's unread count (clients: of their organisation), up to cap. */
int domain_inbox_unread(registry *reg, const domain_actor *who, int64_t cap,
                        int64_t *out, errmsg *err);

/* Marks who's items ids[0..n) read (read != 0) or unread, or with all
 * every item up to up_to_id (0: every one). More than 500 ids, or
 * neither ids nor all, is ERR_INVALID (field "ids"). *out_n: changed. */
int domain_inbox_mark(registry *reg, const domain_actor *who,
                      const int64_t *ids, size_t n, int all, int64_t up_to_id,
                      int read, int64_t *out_n, errmsg *err);

/* Starts (on) or stops watching what ref names: for WATCH_REQUEST "12"
 * or "CR-12"; for WATCH_TABLE "instance/table". A request or table who
 * may not see is ERR_NOTFOUND as a missing one ("There is no such
 * request.", "no table T in instance I"); ERR_INVALID (field "kind" or
 * "ref") for a malformed one; ERR_FORBIDDEN for nobody signed in.
 * Stopping a watch of something gone or never watched is not an error.
 * *out_changed (may be NULL) is 1 when something changed. */
int domain_watch(registry *reg, const domain_actor *who,
                 registry_watch_kind kind, const char *ref, int on,
                 int *out_changed, errmsg *err);
/* *out = 1 when who watches ref (as domain_watch names it); something
 * who may not see is ERR_NOTFOUND. */
int domain_watching(registry *reg, const domain_actor *who,
                    registry_watch_kind kind, const char *ref, int *out,
                    errmsg *err);

/* Calls fn for each of who's watches, newest first (a client's of its own
 * organisation only). ERR_FORBIDDEN for nobody signed in. */
int domain_watch_list(registry *reg, const domain_actor *who,
                      void (*fn)(void *ctx, const registry_watch *w), void *ctx,
                      errmsg *err);

/* Sets who's inbox e-mail to the setting named mode ("off", "each",
 * "daily"): ERR_INVALID (field "email") for another word, ERR_CONFLICT
 * for each or daily when no e-mail channel carries inbox e-mail. */
int domain_inbox_mail(registry *reg, const domain_actor *who, const char *mode,
                      errmsg *err);

#endif
