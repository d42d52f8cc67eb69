/* outbox.h: the delivery side of the outbox, for the notify/ worker and the
 * /admin/deliveries page. Rows are written by registry_event_add (events.c)
 * in the transaction of the change they announce; this API picks the due
 * ones of each channel in order, records each attempt's outcome, lists them for
 * admins and keeps the per-channel disabled flag (channel_state).
 *
 * Times are unix seconds. A row is 'pending' until it is 'delivered' (after
 * a 2xx) or 'dead' (permanent failure, or the retry window ran out). There
 * is no "in flight" state: a row being sent is still pending, so a worker
 * killed mid-delivery sends it again after a restart (at-least-once; the
 * event uid lets receivers drop duplicates). One delivering process per
 * database is assumed. */
#ifndef DOCKET_OUTBOX_H
#define DOCKET_OUTBOX_H

#include "registry.h"

#include <stddef.h>
#include <stdint.h>

typedef struct registry_outbox_row {
    int64_t id;
    int64_t event_id;
    char channel[72];         /* [channel.NAME] the row goes to */
    char event[72];           /* events.event, e.g. "request.deployed" */
    char uid[40];             /* events.uid: one stable id across retries */
    int64_t request_id;       /* 0 when the event has no request */
    int64_t event_created_at; /* events.created_at */
    char state[12];           /* pending, delivered, dead */
    int attempts;             /* attempts made so far */
    int64_t next_attempt;     /* not sent before this time */
    int64_t created_at;       /* queued at (restarted by a manual retry) */
    int64_t updated_at;
    int64_t delivered_at; /* 0 unless delivered */
    int last_status;      /* HTTP status / SMTP reply of the last attempt */
    char last_error[512]; /* "" when none; never holds a secret */
    char recipient[256];  /* "": the channel's own recipients; else the one
                             e-mail address of an inbox e-mail (inbox.h) */
    char *payload;        /* event JSON (heap); NULL in list callbacks */
} registry_outbox_row;

/* Filter and page for registry_outbox_list. NULL or "" means any. Rows
 * come newest first; before_id > 0 lists rows with id < before_id (the
 * last id of the previous page); limit 1..500 (others mean 50). */
typedef struct registry_outbox_filter {
    const char *state;
    const char *channel;
    const char *event;
    int64_t before_id;
    int limit;
} registry_outbox_filter;

/* Frees the payloads and the array from registry_outbox_due_channel. */
void registry_outbox_rows_free(registry_outbox_row *rows, size_t n);

/* The pending rows of channel due at now (next_attempt <= now), oldest id
 * first, at most limit of them, with their event's uid, name and
 * payload. The channel's order is kept: a row is left out while an
 * earlier pending row of the channel is not yet due. *out (free with
 * registry_outbox_rows_free) and *out_n are set on success (possibly to
 * NULL, 0). Each channel is read on its own, so a channel that waits
 * (Retry-After, backoff) holds no other. */
int registry_outbox_due_channel(registry *reg, registry_outbox_row **out,
                                size_t *out_n, const char *channel, int64_t now,
                                int limit, errmsg *err);

/* When channel's next row may go: the next_attempt of its first pending
 * row; ERR_NOTFOUND when it has none (no error message recorded then). */
int registry_outbox_channel_next(registry *reg, int64_t *out,
                                 const char *channel, errmsg *err);

/* The channels that have pending rows (*out: heap array of heap names,
 * the caller frees each and the array). */
int registry_outbox_pending_channels(registry *reg, char ***out, size_t *out_n,
                                     errmsg *err);

/* One row with its payload (free it with registry_outbox_row_dispose). */
int registry_outbox_get(registry *reg, registry_outbox_row *out, int64_t id,
                        errmsg *err);
void registry_outbox_row_dispose(registry_outbox_row *row);

/* Outcome of an attempt on a pending row. Each counts one attempt.
 * delivered: state delivered, delivered_at = now.
 * failed: stays pending until next_attempt, with status and error.
 * dead: state dead, with status and error.
 * ERR_NOTFOUND when the row does not exist or is no longer pending. */
int registry_outbox_delivered(registry *reg, int64_t id, int status,
                              int64_t now, errmsg *err);
int registry_outbox_failed(registry *reg, int64_t id, int status,
                           const char *error, int64_t next_attempt, int64_t now,
                           errmsg *err);
int registry_outbox_dead(registry *reg, int64_t id, int status,
                         const char *error, int64_t now, errmsg *err);

/* Removes the not-yet-attempted row of event_id for channel (used so that
 * a delivery.failed event never goes to the channel that failed). No
 * error when there is none. */
int registry_outbox_drop(registry *reg, int64_t event_id, const char *channel,
                         errmsg *err);

/* Calls fn for the rows matching f (payload NULL). */
int registry_outbox_list(registry *reg, const registry_outbox_filter *f,
                         void (*fn)(void *ctx, const registry_outbox_row *r),
                         void *ctx, errmsg *err);
/* Number of rows in each state. */
int registry_outbox_counts(registry *reg, int64_t *out_pending,
                           int64_t *out_delivered, int64_t *out_dead,
                           errmsg *err);

/* "Retry now": a dead row goes back to pending, due at now, attempts 0,
 * and its retry window starts again at now; a pending row is due at now
 * (its attempts and window stay). ERR_NOTFOUND unless the row is dead or
 * pending. */
int registry_outbox_retry(registry *reg, int64_t id, int64_t now, errmsg *err);
/* The same for every dead row of channel (NULL: all channels); the number
 * of rows is written to *out_n when out_n is not NULL. */
int registry_outbox_retry_dead(registry *reg, int64_t *out_n,
                               const char *channel, int64_t now, errmsg *err);

/* channel_state: whether a channel was disabled (e.g. after 410 Gone) and
 * why. A channel with no row is enabled (*out_disabled 0, reason ""). */
int registry_channel_disabled(registry *reg, int *out_disabled, char *reason,
                              size_t reason_size, const char *channel,
                              errmsg *err);
int registry_channel_set_disabled(registry *reg, const char *channel,
                                  int disabled, const char *reason, int64_t now,
                                  errmsg *err);

/* The same as registry_channel_disabled, with the time of the last change
 * (*out_since, 0 when the channel never had one). */
int registry_channel_state(registry *reg, const char *channel,
                           int *out_disabled, char *reason, size_t reason_size,
                           int64_t *out_since, errmsg *err);

/* How many of channel's rows died while it is disabled (dead rows whose
 * last change is at or after the disabling, including the row whose 410
 * disabled it). 0 when the channel is enabled. */
int registry_channel_dead_while_off(registry *reg, const char *channel,
                                    int64_t *out_n, errmsg *err);

/* Enables channel (reason "enabled by WHO"). With resend, the rows
 * counted by registry_channel_dead_while_off go back to pending, due at
 * now, attempts 0, their retry window starting at now, in the same
 * transaction; *out_n (may be NULL) is their number. Rows keep their ids,
 * so the channel sends them in their original order. */
int registry_channel_enable(registry *reg, const char *channel, int resend,
                            const char *who, int64_t now, int64_t *out_n,
                            errmsg *err);

#endif
