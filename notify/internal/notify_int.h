/* notify_int.h: pieces shared by the files of notify/ only (and its unit
 * tests): the neutral message view built from an event payload, the
 * renderers per channel, the transports and the delivery policy. */
#ifndef DOCKET_NOTIFY_INT_H
#define DOCKET_NOTIFY_INT_H

#include "notify.h"
#include "buf.h"

#include <cjson/cJSON.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* ---- the event and its neutral view (view.c) ---- */

typedef struct notify_event {
    const char *uid;       /* events.uid, stable across retries */
    const char *event;     /* "request.deployed", ... */
    int64_t created_at;    /* events.created_at */
    const cJSON *payload;  /* an object (an empty one for bad JSON) */
    const char *recipient; /* NULL or "": the channel's recipients; else
                              the one address of an inbox e-mail */
} notify_event;

#define NOTIFY_MAX_FIELDS 10

typedef struct notify_field {
    const char *label; /* static text */
    char *value;       /* cleaned text (may hold '\n') */
} notify_field;

typedef struct notify_item {
    char *title;  /* one line: "acme-prod / loyalty_members" */
    char *detail; /* one line, may be "" */
    char *url;    /* absolute, safe to embed; NULL when none */
} notify_item;

/* Everything a channel shows, as cleaned plain text (valid UTF-8, no
 * control characters; single-line fields have no '\n'). Each renderer
 * escapes for its own format. All strings are heap, never NULL unless
 * said so. */
typedef struct notify_view {
    char *headline;         /* "CR-12 deployed to acme-prod: Loyalty tiers" */
    char *summary;          /* one or two sentences */
    const char *note_label; /* "Question", "Reason", ... (static) */
    char *note;             /* free text, may hold '\n'; "" when none */
    notify_field fields[NOTIFY_MAX_FIELDS];
    size_t nfields;
    notify_item *items; /* tables changed, or requests of a digest */
    size_t nitems;
    size_t items_cap;
    char *url;        /* absolute link to the source of truth, or NULL */
    char *link_text;  /* "Open CR-12 in docket" */
    char *pd_summary; /* PagerDuty summary, at most 1024 bytes */
    /* An event that is a PagerDuty alert of its own (tonight's feeds):
     * "trigger" or "resolve", NULL for every other event (a change
     * event, or the opt-in alert of delivery.failed) */
    const char *pd_action;
    const char *pd_severity; /* critical, error, warning, info (static) */
    char *pd_dedup_key;      /* the incident's key, or NULL: the event uid */
} notify_view;

/* Builds the view of ev; base_url (no trailing '/') prefixes the payload's
 * paths; links are left out when it is empty. Never fails. */
void notify_view_build(notify_view *out, const notify_event *ev,
                       const char *base_url);
void notify_view_dispose(notify_view *v);

/* Absolute URL base_url + path for a payload path, or NULL when path does
 * not start with '/' or base_url is not http(s). Characters outside a safe
 * set are percent-encoded, so the result never holds '<', '>', '|', '"',
 * spaces or non-ASCII. Caller frees. */
char *notify_url_join(const char *base_url, const char *path);

/* Copy of s as clean text: invalid UTF-8 becomes U+FFFD, control
 * characters become spaces (multiline: CR LF and CR become LF, which is
 * kept), cut at max bytes on a character boundary with "…". Caller
 * frees; NULL s gives "". */
char *notify_text_clean(const char *s, size_t max, int multiline);

/* Bytes of s that fit in max bytes without splitting a UTF-8 sequence. */
size_t notify_utf8_fit(const char *s, size_t max);

/* The payload of the test message of channel (`docket notify test`, the
 * admin page's button); the caller deletes it. */
cJSON *notify_test_payload(const char *channel);

/* ---- renderers (render_*.c); each returns 0 or ERR_TOOBIG ---- */

/* Slack incoming webhook body: text fallback plus Block Kit within the
 * block limits (header <= 150, section <= 3000, <= 10 fields of <= 2000,
 * <= 50 blocks), counted in UTF-16 units. */
int notify_render_slack(buf *out, const notify_view *v);
/* Teams Workflows body (message with one Adaptive Card 1.4) of at most
 * max_bytes: items and note are shortened until it fits. */
int notify_render_teams(buf *out, const notify_view *v, size_t max_bytes);
#define NOTIFY_TEAMS_MAX 28672
/* PagerDuty: a change event, or with alert != 0 an alert: the view's
 * pd_action with its severity and dedup key (a resolve carries only
 * routing_key, event_action and dedup_key), else a trigger with severity
 * info and dedup_key = event uid. */
int notify_render_pagerduty(buf *out, const notify_view *v,
                            const notify_event *ev, const char *routing_key,
                            int alert);
/* Generic webhook body {"id","type","timestamp","data"}. */
int notify_render_webhook(buf *out, const notify_view *v,
                          const notify_event *ev);
/* The RFC 5322 message (CRLF lines): From, To, Subject (RFC 2047 when
 * needed), Date (date), Message-ID <uid@docket>, MIME-Version and a
 * multipart/alternative body with text and HTML parts (base64). from is
 * "Name <addr>" or "addr"; to are checked addresses. */
int notify_render_email(buf *out, const notify_view *v, const notify_event *ev,
                        const char *from, const char *const *to, size_t nto,
                        int64_t date);

/* ---- policy (policy.c) ---- */

enum {
    NOTIFY_SENT = 0,  /* 2xx / 250 */
    NOTIFY_RETRY = 1, /* network error, timeout, 408, 429, 5xx, SMTP 4xx */
    NOTIFY_FAIL = 2,  /* permanent: other 4xx, 3xx, refused target, config */
    NOTIFY_GONE = 3,  /* 410: the channel is disabled */
    NOTIFY_ABORT = 4  /* stopped during the transfer: row untouched */
};

typedef struct notify_result {
    int outcome;         /* NOTIFY_* */
    int status;          /* HTTP status or SMTP reply; 0 when none */
    int64_t retry_after; /* seconds asked by the receiver, -1 when none */
    char error[300];     /* "" on success; no secrets */
} notify_result;

/* Outcome of an HTTP exchange from its status (curl succeeded). */
int notify_http_classify(int status);

/* Seconds to wait before retry number attempt (0 = first retry): uniform
 * in [0, min(cap, base * 2^attempt)] ms using rnd (a random 32-bit value),
 * rounded up, at least 1. */
int64_t notify_backoff_delay(int attempt, int64_t base_ms, int64_t cap_ms,
                             uint32_t rnd);

/* Retry-After value (delay-seconds or an HTTP date) as seconds from now,
 * clamped to [0, cap]; ERR_INVALID when unparsable. */
int notify_retry_after_parse(int64_t *out, const char *value, int64_t now,
                             int64_t cap);

/* 1 when the address is private, loopback, link-local, unspecified,
 * CGNAT, multicast or reserved (IPv4, IPv6 and IPv4-mapped IPv6). */
int notify_addr_blocked(const struct sockaddr *sa);

/* Appends "Name: value\r\n" with CR, LF and other controls removed from
 * value; encoded as RFC 2047 UTF-8 B words (folded) when value has
 * non-ASCII bytes, "=?" or is long. */
void notify_header_append(buf *b, const char *name, const char *value);
/* 1 when addr is a plain, safe e-mail address (local@domain, printable
 * ASCII without spaces, quotes, angle brackets, commas or controls). */
int notify_email_valid(const char *addr);
/* RFC 5322 date "Tue, 08 Dec 2026 10:00:00 +0000" (out: 40+ bytes). */
void notify_rfc5322_date(char *out, size_t size, int64_t t);

/* Standard Webhooks signature "v1,<base64>" of "<id>.<ts>.<body>" with
 * the key decoded from secret ("whsec_" + base64). out: 64+ bytes.
 * ERR_INVALID for a bad secret. */
int notify_webhook_sign(char *out, size_t size, const char *secret,
                        const char *id, int64_t ts, const char *body,
                        size_t len, errmsg *err);
/* The webhook-signature header value for secrets, a space-separated list
 * of whsec_ keys: "v1,<a> v1,<b>", one signature per key in the order
 * given (Standard Webhooks allows several, so a receiver rotating its key
 * accepts either). Appends to out; ERR_INVALID (naming the key by its
 * position) when a key is bad or the list is empty. */
int notify_webhook_sign_all(buf *out, const char *secrets, const char *id,
                            int64_t ts, const char *body, size_t len,
                            errmsg *err);

/* ---- transports (transport.c) ---- */

/* curl_global_init, once per process (every curl user in notify/ calls
 * it first). */
void notify_curl_init(void);

typedef struct notify_http_opts {
    long timeout_ms;
    int allow_private;
    int allow_http;
    const atomic_int *stop; /* non-zero: give up now (NULL: never) */
} notify_http_opts;

/* POSTs body to url with the given extra header lines ("Name: value").
 * Never follows redirects; refuses plain http unless allow_http and
 * blocked addresses (checked on the resolved address at connect time)
 * unless allow_private. Fills res; returns res->outcome. */
int notify_http_post(notify_result *res, const char *url, const char *body,
                     size_t len, const char *const *headers, size_t nheaders,
                     const notify_http_opts *o);

typedef struct notify_smtp_opts {
    long timeout_ms;
    int starttls;                              /* require STARTTLS (smtp://) */
    const char *username, *password, *ca_file; /* NULL or "" when unset */
    const atomic_int *stop; /* non-zero: give up now (NULL: never) */
} notify_smtp_opts;

/* Sends msg (a complete RFC 5322 message) through the SMTP relay. */
int notify_smtp_send(notify_result *res, const char *smtp_url,
                     const char *mail_from, const char *const *rcpts,
                     size_t nrcpts, const char *msg, size_t len,
                     const notify_smtp_opts *o);

/* ---- channels (channels.c) ---- */

/* Renders ev for channel ch and sends it; fills res and returns its
 * outcome. Configuration errors are NOTIFY_FAIL. The transfer gives up
 * (NOTIFY_ABORT) once *stop is non-zero; stop may be NULL. */
int notify_channel_send(notify_result *res, const config *cfg,
                        const cfg_channel *ch, const notify_event *ev,
                        const atomic_int *stop);
/* The configuration check of one channel (see notify_config_check). */
int notify_channel_check(const config *cfg, const cfg_channel *ch, errmsg *err);
/* Minimum milliseconds between two sends on ch. */
int64_t notify_channel_pace_ms(const cfg_channel *ch);

#endif
