/* worker.c: the delivery loop. notify_run_once sends the due outbox rows
 * (registry/outbox.c picks them in per-channel order) through
 * channels.c, paces each channel, and records outcomes: retries with
 * backoff and Retry-After, dead rows, disabled channels and the
 * delivery.failed events that tell other channels about them. The thread
 * started by notify_start runs it whenever it is woken or a row is due.
 *
 * The thread's state and the pacing table are static because the API
 * (notify_start / notify_wake / notify_stop) is process-wide: there is one
 * delivery thread per process. */
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

#define BATCH 100
#define IDLE_WAKE_S                                                            \
    60 /* the thread looks at the outbox at least this often                   \
        */

/* ---- pacing: last send per channel (monotonic microseconds) ---- */

typedef struct pace {
    char name[72];
    int64_t last_us;
} pace;

static pthread_mutex_t pace_mu = PTHREAD_MUTEX_INITIALIZER;
static pace paces[128];
static size_t npaces;

static pace *pace_slot(const char *name)
{
    for (size_t i = 0; i < npaces; i++)
        if (!strcmp(paces[i].name, name))
            return &paces[i];
    if (npaces == sizeof paces / sizeof *paces)
        return NULL;
    str_copy(paces[npaces].name, sizeof paces[npaces].name, name);
    paces[npaces].last_us = 0;
    return &paces[npaces++];
}

/* Microseconds to wait before channel may send again (0: now). */
static int64_t pace_wait(const cfg_channel *ch)
{
    int64_t gap = notify_channel_pace_ms(ch) * 1000, wait = 0, now;
    pace *p;

    if (gap <= 0)
        return 0;
    now = time_mono_us();
    pthread_mutex_lock(&pace_mu);
    p = pace_slot(ch->name);
    if (p && p->last_us && now - p->last_us < gap)
        wait = gap - (now - p->last_us);
    pthread_mutex_unlock(&pace_mu);
    return wait;
}

static void pace_mark(const cfg_channel *ch)
{
    pace *p;

    pthread_mutex_lock(&pace_mu);
    p = pace_slot(ch->name);
    if (p)
        p->last_us = time_mono_us();
    pthread_mutex_unlock(&pace_mu);
}

/* Sleeps up to us microseconds, in slices, giving up when stopping. */
static void nap(int64_t us)
{
    while (us > 0 && !atomic_load(&notify_stopping)) {
        int64_t slice = us < 100000 ? us : 100000;
        struct timespec ts = {0, (long)(slice * 1000)};
        nanosleep(&ts, NULL);
        us -= slice;
    }
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
                                "disabled (410 Gone): re-enable it on the "
                                "admin page once fixed");
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
        rc = registry_event_add(reg, &event_id, "delivery.failed",
                                row->request_id, json, err);
    if (rc == 0)
        rc = registry_outbox_drop(reg, event_id, row->channel, err);
    if (rc == 0)
        rc = registry_commit(reg, err);
    else
        registry_rollback(reg);
    free(json);
    return rc;
}

static int record(registry *reg, const config *cfg,
                  const registry_outbox_row *row, const notify_result *res,
                  int64_t now, errmsg *err)
{
    int64_t base_ms, cap_ms, delay, next;
    int64_t deadline =
        row->created_at + (int64_t)cfg->retry_window_hours * 3600;
    char error[sizeof res->error + 64];
    int rc = 0;

    switch (res->outcome) {
    case NOTIFY_SENT:
        log_info("notify: %s #%lld delivered to %s", row->event,
                 (long long)row->id, row->channel);
        return registry_outbox_delivered(reg, row->id, res->status, now, err);
    case NOTIFY_RETRY:
        if (now >= deadline) {
            snprintf(error, sizeof error, "retry window over: %s", res->error);
            log_warn("notify: %s #%lld to %s dead: %s", row->event,
                     (long long)row->id, row->channel, error);
            return bury(reg, row, res, error, 0, now, err);
        }
        notify_backoff_get(&base_ms, &cap_ms);
        delay = notify_backoff_delay(row->attempts, base_ms, cap_ms,
                                     randombytes_random());
        if (res->retry_after > delay)
            delay = res->retry_after;
        next = now + delay;
        if (next > deadline)
            next = deadline; /* one last attempt when the window closes */
        log_info("notify: %s #%lld to %s failed (%s), retry in %llds",
                 row->event, (long long)row->id, row->channel, res->error,
                 (long long)(next - now));
        return registry_outbox_failed(reg, row->id, res->status, res->error,
                                      next, now, err);
    case NOTIFY_GONE:
        snprintf(error, sizeof error, "channel disabled: %s", res->error);
        rc = registry_channel_set_disabled(reg, row->channel, 1, error, now,
                                           err);
        log_warn("notify: channel %s answered 410 Gone: disabled",
                 row->channel);
        if (rc == 0)
            rc = bury(reg, row, res, error, 1, now, err);
        return rc;
    case NOTIFY_FAIL:
    default:
        log_warn("notify: %s #%lld to %s dead: %s", row->event,
                 (long long)row->id, row->channel, res->error);
        return bury(reg, row, res, res->error, 0, now, err);
    }
}

/* Looks at one due row: send it, or settle it without sending. Returns
 * 1 when the row was settled, 0 when it must wait (pacing: *wait_us is
 * set), or ERR_*. */
static int handle_row(registry *reg, const config *cfg,
                      const registry_outbox_row *row, int64_t now, int *sent,
                      int *failed, int64_t *wait_us, errmsg *err)
{
    const cfg_channel *ch = cfg_channel_find(cfg, row->channel);
    notify_result res = {0};
    notify_event ev;
    cJSON *payload;
    char reason[300];
    buf msg = {0};
    int disabled = 0, rc;

    *failed = 0;
    if (!ch) {
        res.outcome = NOTIFY_FAIL;
        str_copy(res.error, sizeof res.error,
                 "the channel is no longer configured");
        *failed = 1;
        return record(reg, cfg, row, &res, now, err) < 0 ? ERR_DB : 1;
    }
    rc = registry_channel_disabled(reg, &disabled, reason, sizeof reason,
                                   row->channel, err);
    if (rc < 0)
        return rc;
    if (disabled) {
        /* Settled quietly: the 410 that disabled it was reported. */
        buf_puts(&msg, "not sent: ");
        buf_puts(&msg, reason);
        str_copy(res.error, sizeof res.error, buf_cstr(&msg));
        buf_dispose(&msg);
        *failed = 1;
        return registry_outbox_dead(reg, row->id, 0, res.error, now, err) < 0
                   ? ERR_DB
                   : 1;
    }
    *wait_us = pace_wait(ch);
    if (*wait_us > 0)
        return 0;
    payload = cJSON_Parse(row->payload);
    if (!cJSON_IsObject(payload)) {
        cJSON_Delete(payload);
        payload = cJSON_CreateObject();
    }
    ev.uid = row->uid;
    ev.event = row->event;
    ev.created_at = row->event_created_at;
    ev.payload = payload;
    notify_channel_send(&res, cfg, ch, &ev);
    pace_mark(ch);
    cJSON_Delete(payload);
    if (res.outcome == NOTIFY_ABORT)
        return 1; /* untouched: pending for the next start */
    if (res.outcome == NOTIFY_SENT)
        (*sent)++;
    else
        *failed = 1;
    return record(reg, cfg, row, &res, now, err) < 0 ? ERR_DB : 1;
}

int notify_run_once(registry *reg, const config *cfg, int64_t now,
                    int *out_sent, errmsg *err)
{
    int sent = 0, rc = 0;

    /* Each round reads the due rows; a row settled in a round is never
       due again at this `now` (a retry is at least 1 s later), so the
       loop ends. Rows waiting only for pacing make the next round wait. */
    for (int round = 0; round < 100000 && !atomic_load(&notify_stopping);
         round++) {
        registry_outbox_row *rows = NULL;
        size_t n = 0;
        char(*blocked)[72] = NULL; /* channels to leave for later rounds */
        size_t nblocked = 0, bcap = 0;
        int progressed = 0;
        int64_t min_wait = 0;

        rc = registry_outbox_due(reg, &rows, &n, now, BATCH, err);
        if (rc < 0 || n == 0)
            break;
        for (size_t i = 0; i < n && !atomic_load(&notify_stopping); i++) {
            int64_t wait = 0;
            int failed = 0, skip = 0;
            for (size_t j = 0; j < nblocked; j++)
                if (!strcmp(blocked[j], rows[i].channel))
                    skip = 1;
            if (skip)
                continue; /* keep the channel's order */
            rc =
                handle_row(reg, cfg, &rows[i], now, &sent, &failed, &wait, err);
            if (rc < 0)
                break;
            if (rc == 1)
                progressed = 1;
            if (rc == 0 && (!min_wait || wait < min_wait))
                min_wait = wait;
            if (rc == 0 || failed) {
                xgrow(&blocked, &bcap, nblocked + 1, sizeof *blocked);
                str_copy(blocked[nblocked++], sizeof *blocked, rows[i].channel);
            }
        }
        free(blocked);
        registry_outbox_rows_free(rows, n);
        if (rc < 0)
            break;
        rc = 0;
        if (!progressed) {
            if (!min_wait)
                break;
            nap(min_wait);
        }
    }
    if (rc < 0)
        return rc;
    if (out_sent)
        *out_sent = sent;
    return 0;
}

/* ---- notify test CHANNEL ---- */

int notify_test_channel(const config *cfg, const char *channel, errmsg *err)
{
    const cfg_channel *ch = cfg_channel_find(cfg, channel);
    notify_result res = {0};
    notify_event ev;
    cJSON *payload;
    char uid[33];

    if (!ch)
        return err_set(err, ERR_NOTFOUND, "no channel named %.80s", channel);
    if (notify_channel_check(cfg, ch, err) < 0)
        return ERR_INVALID;
    registry_random_hex(uid, 16);
    payload = cJSON_CreateObject();
    cJSON_AddStringToObject(payload, "event", "notify.test");
    cJSON_AddStringToObject(payload, "channel", ch->name);
    cJSON_AddStringToObject(payload, "url", "/admin/channels");
    ev.uid = uid;
    ev.event = "notify.test";
    ev.created_at = time_now();
    ev.payload = payload;
    notify_channel_send(&res, cfg, ch, &ev);
    pace_mark(ch);
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

/* ---- the thread ---- */

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int cv_ready;
    int running;
    int stop;
    int woken;
    pthread_t th;
    registry *reg;
    const config *cfg;
} W = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void *worker_main(void *arg)
{
    (void)arg;
    for (;;) {
        errmsg err = {0};
        int64_t next = 0, now;
        int sent = 0;
        struct timespec until;

        if (notify_run_once(W.reg, W.cfg, time_now(), &sent, &err) < 0)
            log_error("notify: %s", err.msg);
        err_clear(&err);
        now = time_now();
        if (registry_outbox_next_due(W.reg, &next, &err) < 0 ||
            next > now + IDLE_WAKE_S)
            next = now + IDLE_WAKE_S;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += next > now ? (time_t)(next - now) : 0;
        if (next <= now)
            until.tv_nsec += 200000000L; /* a due row waiting for pacing */
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&W.mu);
        while (!W.stop && !W.woken &&
               pthread_cond_timedwait(&W.cv, &W.mu, &until) == 0)
            ;
        W.woken = 0;
        if (W.stop) {
            pthread_mutex_unlock(&W.mu);
            break;
        }
        pthread_mutex_unlock(&W.mu);
    }
    return NULL;
}

int notify_start(const config *cfg, const char *db_path, errmsg *err)
{
    registry *reg = NULL;
    int rc;

    pthread_mutex_lock(&W.mu);
    if (W.running) {
        pthread_mutex_unlock(&W.mu);
        return err_set(err, ERR_CONFLICT, "the notify worker is running");
    }
    if (!W.cv_ready) {
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&W.cv, &ca);
        pthread_condattr_destroy(&ca);
        W.cv_ready = 1;
    }
    rc = registry_open(&reg, db_path, REGISTRY_NOCREATE, err);
    if (rc < 0) {
        pthread_mutex_unlock(&W.mu);
        return rc;
    }
    W.reg = reg;
    W.cfg = cfg;
    W.stop = 0;
    W.woken = 1;
    atomic_store(&notify_stopping, 0);
    if (pthread_create(&W.th, NULL, worker_main, NULL) != 0) {
        registry_close(reg);
        W.reg = NULL;
        pthread_mutex_unlock(&W.mu);
        return err_set(err, ERR_INTERNAL, "cannot start the notify thread");
    }
    W.running = 1;
    pthread_mutex_unlock(&W.mu);
    log_info("notify: worker started");
    return 0;
}

void notify_wake(void)
{
    pthread_mutex_lock(&W.mu);
    if (W.running) {
        W.woken = 1;
        pthread_cond_signal(&W.cv);
    }
    pthread_mutex_unlock(&W.mu);
}

void notify_stop(void)
{
    pthread_t th;

    pthread_mutex_lock(&W.mu);
    if (!W.running) {
        pthread_mutex_unlock(&W.mu);
        return;
    }
    W.stop = 1;
    atomic_store(&notify_stopping, 1);
    pthread_cond_signal(&W.cv);
    th = W.th;
    pthread_mutex_unlock(&W.mu);
    pthread_join(th, NULL);
    pthread_mutex_lock(&W.mu);
    registry_close(W.reg);
    W.reg = NULL;
    W.running = 0;
    atomic_store(&notify_stopping, 0);
    pthread_mutex_unlock(&W.mu);
    log_info("notify: worker stopped");
}
