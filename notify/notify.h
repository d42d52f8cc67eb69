/* notify.h: delivery of outbox rows to Slack, Teams, e-mail (SMTP),
 * PagerDuty and signed webhooks. notify/ is the only code that calls
 * curl_*. The outbox rows themselves are written by registry_event_add in
 * the transaction of the change they announce; notify/ only reads and
 * updates them (registry/outbox.h).
 *
 * Files: worker.c (context, threads, run_once, retries, pacing), channels.c
 * (one adapter per channel type), view.c (event payload -> neutral message),
 * render_*.c (message -> wire format per channel), transport.c (libcurl
 * HTTP and SMTP, address filter), policy.c (backoff, Retry-After, header
 * encoding, signatures, redaction).
 *
 * Channel configuration ([channel.NAME], type = ...):
 *   every type  timeout (seconds, 1..120, default 20), pace_ms (minimum
 *               gap between two sends; defaults slack 1000, teams 300,
 *               pagerduty 500, others 0)
 *   slack       url
 *   teams       url (Workflows webhook, with its sig query parameter)
 *   email       smtp_url (smtp://host:port or smtps://), from, to (comma
 *               list; the words "requester" and "pm" mean the request's
 *               requester / project manager e-mail), username, password,
 *               starttls (true|false, default true for smtp://), ca_file
 *   pagerduty   routing_key (32 characters), url (change events, default
 *               https://events.pagerduty.com/v2/change/enqueue), alerts
 *               (true|false, default false: delivery.failed becomes an
 *               alert with severity info), alert_url (default
 *               https://events.pagerduty.com/v2/enqueue); the feed alerts
 *               (feed.*) are always alerts: a trigger per slot of a table
 *               that feed.recovered resolves
 *   webhook     url, secret (whsec_ + base64 key; Standard Webhooks;
 *               several space-separated keys sign each message with
 *               every key, for rotation without downtime)
 * [notify] retry_window_hours, allow_private, allow_http apply to all
 * HTTP channels; the SMTP relay is trusted configuration and may be a
 * local address. */
#ifndef DOCKET_NOTIFY_H
#define DOCKET_NOTIFY_H

#include "config.h"
#include "err.h"
#include "registry.h"

#include <stddef.h>
#include <stdint.h>

/* The channel types, one name each ("slack", "teams", "email",
 * "pagerduty", "webhook"; the type key of [channel.NAME]). */
typedef enum notify_channel_type {
    NOTIFY_CH_NONE = 0, /* no type, or one docket does not know */
    NOTIFY_CH_SLACK,
    NOTIFY_CH_TEAMS,
    NOTIFY_CH_EMAIL,
    NOTIFY_CH_PAGERDUTY,
    NOTIFY_CH_WEBHOOK
} notify_channel_type;
#define NOTIFY_NCHANNEL_TYPES 6

/* The type named name exactly; NOTIFY_CH_NONE for anything else (NULL
 * too). */
notify_channel_type notify_channel_type_of(const char *name);
/* The name of type t; "" for NOTIFY_CH_NONE. */
const char *notify_channel_type_name(notify_channel_type t);

/* Checks every [channel.*] section: known type, required keys present,
 * URLs https:// (unless notify.allow_http), webhook secret decodable,
 * PagerDuty routing key of 32 characters; and that every [route] names
 * an event docket sends. ERR_INVALID naming the channel and key (or the
 * event). Call it at start-up, before notify_start. */
int notify_config_check(const config *cfg, errmsg *err);

/* A delivery context: the channels of cfg, the database at db_path, the
 * backoff parameters, each channel's pacing and the stop flag. cfg must
 * stay valid and unchanged until notify_ctx_free. Nothing is started:
 * call notify_start (a server) or notify_run_once (the CLI, tests).
 * Never fails (out of memory aborts). */
typedef struct notify_ctx notify_ctx;
notify_ctx *notify_ctx_new(const config *cfg, const char *db_path);
/* Stops the threads (notify_stop) and frees ctx. NULL does nothing. */
void notify_ctx_free(notify_ctx *ctx);

/* Backoff parameters (milliseconds): the delay before retry n (n = 0 for
 * the first retry) is uniformly random in [0, min(cap, base * 2^n)],
 * rounded up to whole seconds, at least 1 s. Defaults 10 s and 1 h.
 * Values <= 0 keep the current one. Call before notify_start. */
void notify_set_backoff(notify_ctx *ctx, int64_t base_ms, int64_t cap_ms);

/* Starts one delivery thread per configured channel, each with its own
 * connection to the database, its own pacing and its own clock: a
 * channel that is slow, hangs (up to its timeout) or is told to wait
 * (Retry-After) delays only its own rows. Each thread sends its channel's
 * due rows in id order, then sleeps until its next row is due,
 * notify_wake() is called or a minute passes. Pending rows of channels
 * that are no longer configured die first. ERR_CONFLICT when ctx is
 * already started (or in notify_run_once); ERR_DB when the database
 * cannot be opened. */
int notify_start(notify_ctx *ctx, errmsg *err);
/* Tells every started context that rows were added (cheap; never blocks
 * on the network; does nothing when none is started). The web handlers
 * and the sprint clock, which hold no context, call it after writing
 * outbox rows. */
void notify_wake(void);
/* Stops ctx's threads and waits for them: a transfer in flight is
 * abandoned and its row stays pending (sent again by the next start).
 * Does nothing when not started. */
void notify_stop(notify_ctx *ctx);

/* Delivers every row due at now (a unix time: the caller's clock, which
 * then runs on in real time), each at most once per call, every channel
 * at the same time on a thread of its own, keeping each channel's order
 * and pacing (this may sleep for pacing). Outcomes are recorded in the
 * outbox as each attempt ends: delivered; failed with the next attempt,
 * counted from when the failure was seen, after an exponential backoff
 * with full jitter and no sooner than Retry-After (capped at
 * NOTIFY_RETRY_AFTER_CAP); dead after a permanent failure or when the
 * row's retry window (notify.retry_window_hours) is over. A 410 disables
 * the channel: its rows then die unsent ("not sent: ...") until an admin
 * enables it again (/admin/deliveries or `docket notify enable CHANNEL
 * [--resend]`, registry_channel_enable), which can put the rows that died
 * while it was off back to pending, in their order. A row that dies raises a
 * delivery.failed event that never goes to the failing channel (and a failed
 * delivery.failed raises none; its routing is registry_event_add's); such rows
 * are sent in the same call. *out_sent (may be NULL) is the number of rows
 * delivered. Returns 0, ERR_CONFLICT when ctx is started, or ERR_DB when the
 * outbox could not be read or updated; delivery failures are not errors of this
 * function. */
int notify_run_once(notify_ctx *ctx, int64_t now, int *out_sent, errmsg *err);

/* The longest wait a receiver's Retry-After can impose, in seconds
 * (15 minutes): a longer one is cut to this. */
#define NOTIFY_RETRY_AFTER_CAP 900

/* Sends a test message to channel now (for `docket notify test NAME`),
 * bypassing the outbox. 0 when the receiver accepted it; otherwise
 * ERR_NOTFOUND (no such channel), ERR_INVALID (bad configuration) or
 * ERR_NET with the status / error in err. */
int notify_test_channel(const config *cfg, const char *channel, errmsg *err);

/* The headline ("CR-12 scheduled for Sprint 5: Loyalty tiers") and the
 * one- or two-sentence summary of an event with its JSON payload, worded
 * as every channel words it, as clean text (no markup; escape it for
 * HTML). For the in-app inbox. Never fails; the caller frees both. */
void notify_event_text(const char *event, const char *payload_json,
                       char **out_headline, char **out_summary);

/* Copies url into out with its secrets hidden, for logs and admin pages:
 * user info, path segments after the first (the first two characters of
 * the second are kept) and query values are replaced: a Slack URL shows
 * as https://hooks.slack.com/services/T0… followed by "/" and four
 * asterisks. Returns out. */
const char *notify_redact(const char *url, char *out, size_t size);

#endif
