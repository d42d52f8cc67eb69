/* worker.c: the delivery loop. Each configured channel progresses on its
 * own: its own thread (notify_start) or, for notify_run_once, its own
 * pass on a thread of that call, with its own database connection, its
 * own clock and its own pacing, so a slow, hanging or rate-limited
 * receiver holds up only its own channel. Within a channel the outbox
 * rows go strictly in id order (registry_outbox_due_channel): row N+1 is
 * sent only once row N is delivered or dead.
 *
 * Outcomes are recorded as each attempt ends: retries with backoff and
 * Retry-After counted from the moment the failure was seen, dead rows,
 * disabled channels and the delivery.failed events that tell the other
 * channels about them.
 *
 * All state lives in the notify_ctx the caller creates. The one
 * process-wide piece is the doorbell of notify_wake: the handlers that
 * write outbox rows hold no context, so notify_start puts its context on
 * a list that notify_wake rings. */
#include "notify_int.h"
#include "outbox.h"
#include "log.h"
#include "mem.h"
#include "str.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH       100
#define IDLE_WAKE_S 60 /* a channel looks at the outbox at least this often */

/* One channel's worker. */
typedef struct chan {
    notify_ctx *ctx;
    const cfg_channel *ch;
    registry *reg; /* its own connection (NULL between uses) */
    pthread_t th;  /* notify_start's thread, or run_once's */
    int has_thread;
    int64_t last_send_us; /* pacing: monotonic time of the last send */
    /* The channel's clock during a pass: logical microseconds at the
       start of the pass (real time for the thread, the caller's now for
       run_once) and the monotonic time then. */
    int64_t t0_us, mono0_us;
    /* Results of one run_once pass. */
    int sent, buried, held, rc;
    errmsg err;
} chan;

struct notify_ctx {
    const config *cfg;
    char *db_path;
    int64_t backoff_base_ms, backoff_cap_ms;
    atomic_int stop; /* set by notify_stop: transfers give up at once */
    pthread_mutex_t mu;
    pthread_cond_t cv; /* CLOCK_MONOTONIC; wakes the channel threads */
    uint64_t wake_gen; /* bumped by every wake */
    int started;       /* notify_start's threads run */
    int in_run;        /* notify_run_once runs */
    chan *chans;
    size_t nchans;
    notify_ctx *next_started; /* the doorbell list */
};

/* ---- the doorbell ---- */

static pthread_mutex_t bell_mu = PTHREAD_MUTEX_INITIALIZER;
static notify_ctx *bell;

static void ctx_wake(notify_ctx *ctx)
{
    pthread_mutex_lock(&ctx->mu);
    ctx->wake_gen++;
    pthread_cond_broadcast(&ctx->cv);
    pthread_mutex_unlock(&ctx->mu);
}

void notify_wake(void)
{
    pthread_mutex_lock(&bell_mu);
    for (notify_ctx *c = bell; c; c = c->next_started)
        ctx_wake(c);
    pthread_mutex_unlock(&bell_mu);
}

/* ---- the context ---- */

notify_ctx *notify_ctx_new(const config *cfg, const char *db_path)
{
    notify_ctx *ctx = xcalloc(1, sizeof *ctx);
    pthread_condattr_t ca;

    ctx->cfg = cfg;
    ctx->db_path = xstrdup(db_path);
    ctx->backoff_base_ms = 10000;
    ctx->backoff_cap_ms = 3600000;
    atomic_init(&ctx->stop, 0);
    pthread_mutex_init(&ctx->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&ctx->cv, &ca);
    pthread_condattr_destroy(&ca);
    ctx->nchans = cfg->nchannels;
    ctx->chans = xcalloc(ctx->nchans ? ctx->nchans : 1, sizeof *ctx->chans);
    for (size_t i = 0; i < ctx->nchans; i++) {
        ctx->chans[i].ctx = ctx;
        ctx->chans[i].ch = &cfg->channels[i];
    }
    return ctx;
}

void notify_ctx_free(notify_ctx *ctx)
{
    if (!ctx)
        return;
    notify_stop(ctx);
    pthread_cond_destroy(&ctx->cv);
    pthread_mutex_destroy(&ctx->mu);
    xfree_all(ctx->chans, ctx->db_path, ctx);
}

void notify_set_backoff(notify_ctx *ctx, int64_t base_ms, int64_t cap_ms)
{
    if (base_ms > 0)
        ctx->backoff_base_ms = base_ms;
    if (cap_ms > 0)
        ctx->backoff_cap_ms = cap_ms;
}

/* ---- a channel's clock and pacing ---- */

/* The channel's time now in whole seconds: floor (is a row due?) or
 * ceiling (when was a failure seen? a retry is never early). */
static int64_t clock_us(const chan *c)
{
    return c->t0_us + (time_mono_us() - c->mono0_us);
}

static int64_t clock_floor(const chan *c)
{
    return clock_us(c) / 1000000;
}

static int64_t clock_ceil(const chan *c)
{
    return (clock_us(c) + 999999) / 1000000;
}

/* Sleeps up to us microseconds, in slices, giving up when stopping. */
static void nap(notify_ctx *ctx, int64_t us)
{
    while (us > 0 && !atomic_load(&ctx->stop)) {
        int64_t slice = us < 100000 ? us : 100000;
        struct timespec ts = {0, (long)(slice * 1000)};
        nanosleep(&ts, NULL);
        us -= slice;
    }
}

/* Waits until the channel may send again (its pace_ms since the last). */
static void pace(chan *c)
{
    int64_t gap = notify_channel_pace_ms(c->ch) * 1000, since;

    if (gap <= 0 || !c->last_send_us)
        return;
    since = time_mono_us() - c->last_send_us;
    if (since < gap)
        nap(c->ctx, gap - since);
}

/* ---- outcomes ---- */

/* Marks row dead and, unless it was itself a delivery.failed, raises a
 * delivery.failed event in the same transaction, routed by [route] but
 * never to the failing channel. */
static int bury(registry *reg, const registry_outbox_row *row,
                const notify_result *res, const char *error, int disabled,
                int64_t now, errmsg *err)
{
    cJSON *p;
    char *json = NULL;
    buf url = {0};
    int64_t event_id;
    int rc;

    if (!strcmp(row->event, "delivery.failed"))
        return registry_outbox_dead(reg, row->id, res->status, error, now, err);
    p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "event", "delivery.failed");
    cJSON_AddStringToObject(p, "channel", row->channel);
    cJSON_AddStringToObject(p, "failed_event", row->event);
    cJSON_AddStringToObject(p, "failed_uid", row->uid);
    cJSON_AddNumberToObject(p, "outbox_id", (double)row->id);
    cJSON_AddNumberToObject(p, "attempts", row->attempts + 1);
    cJSON_AddNumberToObject(p, "last_status", res->status);
    cJSON_AddStringToObject(p, "last_error", error);
    if (disabled)
        cJSON_AddStringToObject(p, "channel_state",
                                "disabled (410 Gone): once fixed, enable it "
                                "on the deliveries admin page (or docket "
                                "notify enable CHANNEL --resend)");
    buf_puts(&url, "/admin/deliveries?state=dead&channel=");
    buf_append_url(&url, row->channel);
    cJSON_AddStringToObject(p, "url", buf_cstr(&url));
    json = cJSON_PrintUnformatted(p);
    cJSON_Delete(p);
    buf_dispose(&url);

    rc = registry_begin(reg, err);
    if (rc == 0)
        rc = registry_outbox_dead(reg, row->id, res->status, error, now, err);
    if (rc == 0)
        rc = registry_event_add(
            reg, &event_id, "delivery.failed",
            &(registry_event_about){.request_id = row->request_id}, json, err);
    if (rc == 0)
        rc = registry_outbox_drop(reg, event_id, row->channel, err);
    if (rc == 0)
        rc = registry_commit(reg, err);
    else
        registry_rollback(reg);
    free(json);
    return rc;
}

enum { SETTLED = 0, WAITS = 1, BURIED = 2 };

/* Records res for row at now (the time the outcome was seen). Returns
 * SETTLED (delivered), WAITS (pending until its next attempt), BURIED
 * (dead) or ERR_*. */
static int record(const notify_ctx *ctx, registry *reg,
                  const registry_outbox_row *row, const notify_result *res,
                  int64_t now, errmsg *err)
{
    int64_t delay, next;
    int64_t deadline =
        row->created_at + (int64_t)ctx->cfg->retry_window_hours * 3600;
    char error[sizeof res->error + 64];
    int rc = 0;

    switch (res->outcome) {
    case NOTIFY_SENT:
        log_info("notify: %s #%lld delivered to %s", row->event,
                 (long long)row->id, row->channel);
        rc = registry_outbox_delivered(reg, row->id, res->status, now, err);
        return rc < 0 ? rc : SETTLED;
    case NOTIFY_RETRY:
        if (now >= deadline) {
            snprintf(error, sizeof error, "retry window over: %s", res->error);
            log_warn("notify: %s #%lld to %s dead: %s", row->event,
                     (long long)row->id, row->channel, error);
            rc = bury(reg, row, res, error, 0, now, err);
            return rc < 0 ? rc : BURIED;
        }
        delay = notify_backoff_delay(row->attempts, ctx->backoff_base_ms,
                                     ctx->backoff_cap_ms, randombytes_random());
        if (res->retry_after > delay)
            delay = res->retry_after;
        next = now + delay;
        if (next > deadline)
            next = deadline; /* one last attempt when the window closes */
        log_info("notify: %s #%lld to %s failed (%s), retry in %llds",
                 row->event, (long long)row->id, row->channel, res->error,
                 (long long)(next - now));
        rc = registry_outbox_failed(reg, row->id, res->status, res->error, next,
                                    now, err);
        return rc < 0 ? rc : WAITS;
    case NOTIFY_GONE:
        snprintf(error, sizeof error, "channel disabled: %s", res->error);
        rc = registry_channel_set_disabled(reg, row->channel, 1, error, now,
                                           err);
        log_warn("notify: channel %s answered 410 Gone: disabled",
                 row->channel);
        if (rc == 0)
            rc = bury(reg, row, res, error, 1, now, err);
        return rc < 0 ? rc : BURIED;
    case NOTIFY_FAIL:
    default:
        log_warn("notify: %s #%lld to %s dead: %s", row->event,
                 (long long)row->id, row->channel, res->error);
        rc = bury(reg, row, res, res->error, 0, now, err);
        return rc < 0 ? rc : BURIED;
    }
}

/* Sends one due row of channel c (or settles it without sending when the
 * channel is disabled). Returns SETTLED, WAITS (also when stopped: the
 * row stays as it was), BURIED or ERR_*. */
static int handle_row(chan *c, const registry_outbox_row *row, errmsg *err)
{
    notify_ctx *ctx = c->ctx;
    notify_result res = {0};
    notify_event ev;
    cJSON *payload;
    char reason[300];
    buf msg = {0};
    int disabled = 0, rc;

    rc = registry_channel_disabled(c->reg, &disabled, reason, sizeof reason,
                                   row->channel, err);
    if (rc < 0)
        return rc;
    if (disabled) {
        /* Settled quietly: the 410 that disabled it was reported. */
        buf_puts(&msg, "not sent: ");
        buf_puts(&msg, reason);
        str_copy(res.error, sizeof res.error, buf_cstr(&msg));
        buf_dispose(&msg);
        rc = registry_outbox_dead(c->reg, row->id, 0, res.error, clock_floor(c),
                                  err);
        return rc < 0 ? rc : SETTLED;
    }
    pace(c);
    if (atomic_load(&ctx->stop))
        return WAITS;
    payload = cJSON_Parse(row->payload);
    if (!cJSON_IsObject(payload)) {
        cJSON_Delete(payload);
        payload = cJSON_CreateObject();
    }
    ev.uid = row->uid;
    ev.event = row->event;
    ev.created_at = row->event_created_at;
    ev.payload = payload;
    ev.recipient = row->recipient;
    notify_channel_send(&res, ctx->cfg, c->ch, &ev, &ctx->stop);
    c->last_send_us = time_mono_us();
    cJSON_Delete(payload);
    if (res.outcome == NOTIFY_ABORT)
        return WAITS; /* untouched: pending for the next start */
    if (res.outcome == NOTIFY_SENT)
        c->sent++;
    /* Counted from now, when the transfer ended, not from the pass. */
    return record(ctx, c->reg, row, &res, clock_ceil(c), err);
}

/* One pass over channel c's due rows in id order, on the clock started
 * by the caller (t0_us, mono0_us). Ends when the channel's first pending
 * row is not due (it failed and waits, or none is left), or on stop;
 * then c->held says whether a row waits. Each row is tried at most once:
 * a row that fails waits at least a second, which ends the pass. */
static int channel_pass(chan *c, errmsg *err)
{
    notify_ctx *ctx = c->ctx;

    c->held = 0;
    while (!atomic_load(&ctx->stop)) {
        registry_outbox_row *rows = NULL;
        size_t n = 0, i;
        int rc = registry_outbox_due_channel(c->reg, &rows, &n, c->ch->name,
                                             clock_floor(c), BATCH, err);
        if (rc < 0)
            return rc;
        if (n == 0)
            return 0;
        for (i = 0; i < n && !atomic_load(&ctx->stop); i++) {
            rc = handle_row(c, &rows[i], err);
            if (rc < 0 || rc == WAITS)
                break;
            if (rc == BURIED) {
                c->buried++;
                ctx_wake(ctx); /* a delivery.failed row for the others */
            }
        }
        registry_outbox_rows_free(rows, n);
        if (rc < 0)
            return rc;
        if (rc == WAITS) {
            c->held = 1;
            return 0;
        }
    }
    return 0;
}

/* Rows of channels that are no longer configured die (with their
 * delivery.failed event for the others), whenever they were due. */
static int settle_orphans(notify_ctx *ctx, registry *reg, int64_t now,
                          int *out_buried, errmsg *err)
{
    char **names = NULL;
    size_t n = 0;
    int rc = registry_outbox_pending_channels(reg, &names, &n, err);

    for (size_t i = 0; rc == 0 && i < n; i++) {
        registry_outbox_row *rows = NULL;
        size_t k = 0;
        if (cfg_channel_find(ctx->cfg, names[i]))
            continue;
        rc = registry_outbox_due_channel(reg, &rows, &k, names[i], INT64_MAX,
                                         100000, err);
        for (size_t j = 0; rc == 0 && j < k; j++) {
            notify_result res = {0};
            res.outcome = NOTIFY_FAIL;
            str_copy(res.error, sizeof res.error,
                     "the channel is no longer configured");
            rc = record(ctx, reg, &rows[j], &res, now, err);
            if (rc == BURIED && out_buried)
                (*out_buried)++;
            if (rc > 0)
                rc = 0;
        }
        registry_outbox_rows_free(rows, k);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc < 0 ? rc : 0;
}

/* Waits for c's thread, if it has one, and closes its connection. */
static void chan_join(chan *c)
{
    if (c->has_thread)
        pthread_join(c->th, NULL);
    c->has_thread = 0;
    registry_close(c->reg);
    c->reg = NULL;
}

/* ---- notify_run_once: every channel's pass on a thread of its own ---- */

static void *pass_main(void *arg)
{
    chan *c = arg;

    c->rc = channel_pass(c, &c->err);
    return NULL;
}

int notify_run_once(notify_ctx *ctx, int64_t now, int *out_sent, errmsg *err)
{
    registry *reg = NULL;
    int sent = 0, rc, buried = 0;
    /* now names a second. When it is the real one (or the one before:
       the clock may have ticked since the caller read it), the channels'
       clocks are the real clock, so a failure is never dated before it
       happened; otherwise (tests) the real fraction of a second goes on
       top of now. */
    int64_t real_us = time_now_us();
    int64_t t0_us = now >= real_us / 1000000 - 1 && now <= real_us / 1000000
                        ? real_us
                        : now * 1000000 + real_us % 1000000;
    int64_t mono0_us = time_mono_us();

    pthread_mutex_lock(&ctx->mu);
    if (ctx->started || ctx->in_run) {
        pthread_mutex_unlock(&ctx->mu);
        return err_set(err, ERR_CONFLICT, "the notify worker is running");
    }
    ctx->in_run = 1; /* no notify_start meanwhile */
    pthread_mutex_unlock(&ctx->mu);

    rc = registry_open(&reg, ctx->db_path, REGISTRY_NOCREATE, err);
    if (rc == 0)
        rc = settle_orphans(ctx, reg, now, &buried, err);
    registry_close(reg);
    for (size_t i = 0; i < ctx->nchans; i++)
        ctx->chans[i].held = 0;
    /* A round sends every channel's due rows at once; the rows a round
       buries raise delivery.failed rows for other channels, which the
       next round sends (a channel whose first row waits is left). */
    for (int round = 0; rc == 0 && round < 20 && !atomic_load(&ctx->stop);
         round++) {
        buried = 0;
        for (size_t i = 0; i < ctx->nchans; i++) {
            chan *c = &ctx->chans[i];
            c->has_thread = 0;
            c->sent = c->buried = c->rc = 0;
            err_clear(&c->err);
            if (c->held)
                continue;
            c->t0_us = t0_us;
            c->mono0_us = mono0_us;
            if (registry_open(&c->reg, ctx->db_path, REGISTRY_NOCREATE,
                              &c->err) < 0) {
                c->rc = ERR_DB;
                continue;
            }
            if (pthread_create(&c->th, NULL, pass_main, c) == 0)
                c->has_thread = 1;
            else
                pass_main(c); /* no thread: one after the other */
        }
        for (size_t i = 0; i < ctx->nchans; i++) {
            chan *c = &ctx->chans[i];
            chan_join(c);
            sent += c->sent;
            buried += c->buried;
            if (c->rc < 0 && rc == 0)
                rc = err_set(err, c->rc, "%s", c->err.msg);
        }
        if (!buried)
            break;
    }
    pthread_mutex_lock(&ctx->mu);
    ctx->in_run = 0;
    pthread_mutex_unlock(&ctx->mu);
    if (rc < 0)
        return rc;
    if (out_sent)
        *out_sent = sent;
    return 0;
}

/* ---- notify test CHANNEL ---- */

cJSON *notify_test_payload(const char *channel)
{
    cJSON *payload = cJSON_CreateObject();

    cJSON_AddStringToObject(payload, "event", "notify.test");
    cJSON_AddStringToObject(payload, "channel", channel);
    /* The Channels table of the deliveries page. */
    cJSON_AddStringToObject(payload, "url", "/admin/deliveries#channels");
    return payload;
}

int notify_test_channel(const config *cfg, const char *channel, errmsg *err)
{
    const cfg_channel *ch = cfg_channel_find(cfg, channel);
    notify_result res = {0};
    notify_event ev;
    cJSON *payload;
    char uid[33];

    if (!ch && (!channel || !*channel))
        return err_set(err, ERR_NOTFOUND,
                       "no channel was named (the name is empty)");
    if (!ch)
        return err_set(err, ERR_NOTFOUND, "no channel named %.80s", channel);
    if (notify_channel_check(cfg, ch, err) < 0)
        return ERR_INVALID;
    registry_random_hex(uid, 16);
    payload = notify_test_payload(ch->name);
    ev.uid = uid;
    ev.event = "notify.test";
    ev.created_at = time_now();
    ev.payload = payload;
    ev.recipient = NULL;
    notify_channel_send(&res, cfg, ch, &ev, NULL);
    cJSON_Delete(payload);
    if (res.outcome == NOTIFY_SENT)
        return 0;
    if (res.outcome == NOTIFY_GONE)
        return err_set(err, ERR_NET,
                       "channel %s: %s (410: the endpoint is "
                       "gone)",
                       ch->name, res.error);
    return err_set(err, ERR_NET, "channel %s: %s", ch->name, res.error);
}

/* ---- the threads ---- */

static void *chan_main(void *arg)
{
    chan *c = arg;
    notify_ctx *ctx = c->ctx;

    for (;;) {
        errmsg err = {0};
        int64_t next = 0, wait_us;
        uint64_t seen;
        struct timespec until;

        pthread_mutex_lock(&ctx->mu);
        seen = ctx->wake_gen; /* a wake during the pass means: go again */
        pthread_mutex_unlock(&ctx->mu);
        c->t0_us = time_now_us();
        c->mono0_us = time_mono_us();
        if (channel_pass(c, &err) < 0)
            log_error("notify: %s: %s", c->ch->name, err.msg);
        err_clear(&err);
        /* Sleep until the channel's first pending row is due. */
        if (registry_outbox_channel_next(c->reg, &next, c->ch->name, &err) < 0)
            next = time_now() + IDLE_WAKE_S;
        wait_us = next * 1000000 - time_now_us();
        if (wait_us > IDLE_WAKE_S * 1000000LL)
            wait_us = IDLE_WAKE_S * 1000000LL;
        if (wait_us < 200000)
            wait_us = 200000; /* due but not sent (a database error) */
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += (time_t)(wait_us / 1000000);
        until.tv_nsec += (long)(wait_us % 1000000) * 1000;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&ctx->mu);
        while (!atomic_load(&ctx->stop) && ctx->wake_gen == seen &&
               pthread_cond_timedwait(&ctx->cv, &ctx->mu, &until) == 0)
            ;
        pthread_mutex_unlock(&ctx->mu);
        if (atomic_load(&ctx->stop))
            break;
    }
    return NULL;
}

int notify_start(notify_ctx *ctx, errmsg *err)
{
    registry *reg = NULL;
    int rc;

    pthread_mutex_lock(&ctx->mu);
    if (ctx->started || ctx->in_run) {
        pthread_mutex_unlock(&ctx->mu);
        return err_set(err, ERR_CONFLICT, "the notify worker is running");
    }
    ctx->started = 1;
    atomic_store(&ctx->stop, 0);
    pthread_mutex_unlock(&ctx->mu);
    rc = registry_open(&reg, ctx->db_path, REGISTRY_NOCREATE, err);
    if (rc == 0 && settle_orphans(ctx, reg, time_now(), NULL, err) < 0)
        log_error("notify: %s", err->msg);
    registry_close(reg);
    for (size_t i = 0; rc == 0 && i < ctx->nchans; i++) {
        chan *c = &ctx->chans[i];
        rc = registry_open(&c->reg, ctx->db_path, REGISTRY_NOCREATE, err);
        if (rc == 0 && pthread_create(&c->th, NULL, chan_main, c) != 0)
            rc = err_set(err, ERR_INTERNAL, "cannot start a notify thread");
        if (rc == 0)
            c->has_thread = 1;
    }
    if (rc < 0) {
        notify_stop(ctx);
        return rc;
    }
    pthread_mutex_lock(&bell_mu);
    ctx->next_started = bell;
    bell = ctx;
    pthread_mutex_unlock(&bell_mu);
    log_info("notify: worker started (%zu channels)", ctx->nchans);
    return 0;
}

void notify_stop(notify_ctx *ctx)
{
    int was_running;

    if (!ctx)
        return;
    pthread_mutex_lock(&bell_mu);
    for (notify_ctx **p = &bell; *p; p = &(*p)->next_started)
        if (*p == ctx) {
            *p = ctx->next_started;
            break;
        }
    pthread_mutex_unlock(&bell_mu);
    pthread_mutex_lock(&ctx->mu);
    was_running = ctx->started;
    if (was_running) {
        atomic_store(&ctx->stop, 1);
        pthread_cond_broadcast(&ctx->cv);
    }
    pthread_mutex_unlock(&ctx->mu);
    if (!was_running)
        return;
    for (size_t i = 0; i < ctx->nchans; i++)
        chan_join(&ctx->chans[i]);
    pthread_mutex_lock(&ctx->mu);
    ctx->started = 0;
    atomic_store(&ctx->stop, 0);
    pthread_mutex_unlock(&ctx->mu);
    log_info("notify: worker stopped");
}
