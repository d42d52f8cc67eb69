/* test_notify_loopback.c: the notify worker against fake receivers on
 * 127.0.0.1 (tests/receivers/: Slack, Teams, PagerDuty and Standard
 * Webhooks fakes enforcing CONTRACTS.md, and aiosmtpd). Drives the outbox
 * in-process with a temporary database: registry_event_add, then
 * notify_run_once with chosen clocks (or the threads via notify_start).
 * Registered in tests/cmake/notify.cmake. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "notify.h"
#include "outbox.h"
#include "inbox.h"
#include "registry.h"
#include "config.h"
#include "log.h"
#include "str.h"
#include "buf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <dirent.h>
#include <sodium.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PY     "/usr/bin/python3"
#define SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define RKEY   "0123456789abcdef0123456789abcdef"

typedef struct receiver {
    pid_t pid;
    int port;
    char record[700];
    char port_file[700];
} receiver;

typedef struct fixture {
    char dir[512];
    char db[600];
    config cfg;
    registry *reg;
    notify_ctx *ctx; /* made by finish() */
    receiver rx[6];
    int nrx;
} fixture;

static const char *src_dir(void)
{
    const char *s = getenv("TEST_SOURCE_DIR");
    return s ? s : TEST_SOURCE_DIR;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Starts a receiver script; argv ends with NULL. Waits for its port. */
static receiver *rx_start(fixture *f, const char *name, const char *script,
                          const char *const *extra, int port)
{
    receiver *r = &f->rx[f->nrx++];
    char path[600], portarg[16];
    const char *argv[32];
    int n = 0;

    snprintf(path, sizeof path, "%s/tests/receivers/%s", src_dir(), script);
    snprintf(r->record, sizeof r->record, "%s/%s.jsonl", f->dir, name);
    snprintf(r->port_file, sizeof r->port_file, "%s/%s.port", f->dir, name);
    unlink(r->port_file);
    snprintf(portarg, sizeof portarg, "%d", port);
    argv[n++] = PY;
    argv[n++] = path;
    argv[n++] = "--port-file";
    argv[n++] = r->port_file;
    argv[n++] = "--timeout";
    argv[n++] = "100";
    if (strcmp(script, "smtp_receiver.py") != 0) {
        argv[n++] = "--record";
        argv[n++] = r->record;
        argv[n++] = "--port";
        argv[n++] = portarg;
    }
    for (; extra && *extra; extra++)
        argv[n++] = *extra;
    argv[n] = NULL;
    r->pid = fork();
    assert_true(r->pid >= 0);
    if (r->pid == 0) {
        execv(PY, (char *const *)argv);
        _exit(127);
    }
    for (int i = 0; i < 200; i++) {
        FILE *pf = fopen(r->port_file, "r");
        if (pf) {
            int ok = fscanf(pf, "%d", &r->port) == 1;
            fclose(pf);
            if (ok)
                return r;
        }
        sleep_ms(50);
    }
    fail_msg("receiver %s did not start", name);
    return NULL;
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

/* Replaces the receiver's scripted answers (POST /_control/script). */
static void rx_script(const receiver *r, const char *script)
{
    CURL *c = curl_easy_init();
    char url[128];

    snprintf(url, sizeof url, "http://127.0.0.1:%d/_control/script", r->port);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, script);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_cleanup(c);
}

static void rx_stop(receiver *r)
{
    if (r->pid > 0) {
        kill(r->pid, SIGTERM);
        waitpid(r->pid, NULL, 0);
        r->pid = 0;
    }
}

/* The records of a receiver as a JSON array (caller deletes). */
static cJSON *rx_records(const receiver *r)
{
    cJSON *arr = cJSON_CreateArray();
    FILE *fp = fopen(r->record, "r");
    char line[300000];

    if (!fp)
        return arr;
    while (fgets(line, sizeof line, fp)) {
        cJSON *j = cJSON_Parse(line);
        if (j)
            cJSON_AddItemToArray(arr, j);
    }
    fclose(fp);
    return arr;
}

static int rx_count(const receiver *r, int accepted_only)
{
    cJSON *arr = rx_records(r), *it;
    int n = 0;

    cJSON_ArrayForEach(it, arr)
    {
        if (!accepted_only || cJSON_IsTrue(cJSON_GetObjectItem(it, "accepted")))
            n++;
    }
    cJSON_Delete(arr);
    return n;
}

static void set(fixture *f, const char *section, const char *key,
                const char *value)
{
    errmsg err = {0};
    if (cfg_set(&f->cfg, section, key, value, &err) < 0)
        fail_msg("cfg_set %s.%s: %s", section, key, err.msg);
}

static void finish(fixture *f)
{
    errmsg err = {0};

    set(f, "server", "base_url", "https://docket.example");
    if (cfg_finish(&f->cfg, &err) < 0 || notify_config_check(&f->cfg, &err) < 0)
        fail_msg("config: %s", err.msg);
    g_config = &f->cfg;
    registry_routes_set(f->cfg.routes, f->cfg.nroutes);
    f->ctx = notify_ctx_new(&f->cfg, f->db);
    notify_set_backoff(f->ctx, 1000, 60000);
}

static int rm_one(const char *path, const struct stat *sb, int flag,
                  struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    const char *tmp = getenv("TEST_TMP");
    errmsg err = {0};

    if (tmp)
        mkdir(tmp, 0755);
    snprintf(f->dir, sizeof f->dir, "%s/notify-XXXXXX", tmp ? tmp : "/tmp");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->db, sizeof f->db, "%s/docket.db", f->dir);
    cfg_init(&f->cfg);
    set(f, "notify", "allow_private", "true");
    set(f, "notify", "allow_http", "true");
    if (registry_open(&f->reg, f->db, 0, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    notify_ctx_free(f->ctx); /* stops its threads first */
    for (int i = 0; i < f->nrx; i++)
        rx_stop(&f->rx[i]);
    registry_close(f->reg);
    g_config = NULL;
    registry_routes_set(NULL, 0);
    registry_inbox_channel_set(NULL);
    cfg_dispose(&f->cfg);
    nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static char *payload_file(const char *event)
{
    char path[700];
    FILE *fp;
    static char data[65536];
    size_t n;

    snprintf(path, sizeof path, "%s/tests/data/notify/payloads/%s.json",
             src_dir(), event);
    fp = fopen(path, "r");
    assert_non_null(fp);
    n = fread(data, 1, sizeof data - 1, fp);
    fclose(fp);
    data[n] = '\0';
    return data;
}

/* Writes an event (and its routed outbox rows) in one transaction. */
static int64_t add_event(fixture *f, const char *event, const char *payload)
{
    errmsg err = {0};
    int64_t id = 0;

    assert_int_equal(registry_begin(f->reg, &err), 0);
    if (registry_event_add(f->reg, &id, event, 0, payload, &err) < 0)
        fail_msg("event_add: %s", err.msg);
    assert_int_equal(registry_commit(f->reg, &err), 0);
    return id;
}

static int run(fixture *f, int64_t now)
{
    errmsg err = {0};
    int sent = -1;

    if (notify_run_once(f->ctx, now, &sent, &err) < 0)
        fail_msg("run_once: %s", err.msg);
    return sent;
}

typedef struct rows {
    registry_outbox_row r[64];
    int n;
} rows;

static void collect(void *ctx, const registry_outbox_row *r)
{
    rows *rs = ctx;
    if (rs->n < 64)
        rs->r[rs->n++] = *r;
}

/* Outbox rows, oldest first, optionally of one state / channel. */
static void list(fixture *f, rows *out, const char *state, const char *channel)
{
    registry_outbox_filter flt = {state, channel, NULL, 0, 500};
    errmsg err = {0};

    memset(out, 0, sizeof *out);
    assert_int_equal(registry_outbox_list(f->reg, &flt, collect, out, &err), 0);
    for (int i = 0; i < out->n / 2; i++) {
        registry_outbox_row t = out->r[i];
        out->r[i] = out->r[out->n - 1 - i];
        out->r[out->n - 1 - i] = t;
    }
}

static void webhook_channel(fixture *f, const char *name, int port,
                            const char *timeout)
{
    char url[128], sec[80];

    snprintf(sec, sizeof sec, "channel.%s", name);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hooks/docket", port);
    set(f, sec, "type", "webhook");
    set(f, sec, "url", url);
    set(f, sec, "secret", SECRET);
    if (timeout)
        set(f, sec, "timeout", timeout);
}

static receiver *webhook_rx(fixture *f, const char *name, const char *script)
{
    const char *extra[] = {"--kind",   "webhook", "--secret", SECRET,
                           "--script", script,    NULL};
    return rx_start(f, name, "fake_receiver.py", extra, 0);
}

static const char *all_events[] = {
    "request.submitted",  "request.updated",  "request.commented",
    "request.needs_info", "request.answered", "request.scheduled",
    "request.deployed",   "request.rejected", "deploy.digest",
    "delivery.failed",
};

/* ---- every event reaches every channel it is routed to ---- */

static int maildir_count(const char *dir, char *first, size_t size)
{
    char path[700];
    DIR *d;
    struct dirent *e;
    int n = 0;

    snprintf(path, sizeof path, "%s/new", dir);
    d = opendir(path);
    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n++ == 0 && first) {
            char file[1000];
            FILE *fp;
            size_t k;
            snprintf(file, sizeof file, "%s/%s", path, e->d_name);
            fp = fopen(file, "r");
            k = fp ? fread(first, 1, size - 1, fp) : 0;
            first[k] = '\0';
            if (fp)
                fclose(fp);
        }
    }
    closedir(d);
    return n;
}

static void test_notify__every_event_reaches_its_channels(void **state)
{
    fixture *f = *state;
    const char *slack_x[] = {"--kind", "slack", NULL};
    const char *teams_x[] = {"--kind", "teams", "--strict", NULL};
    const char *pd_x[] = {"--kind", "pagerduty", NULL};
    char maildir[600], url[300], mail[20000];
    receiver *slack, *teams, *pd, *hook, *smtp;
    const char *smtp_x[] = {"--maildir", maildir, NULL};
    int64_t now;
    int n = (int)(sizeof all_events / sizeof *all_events);
    cJSON *recs, *it;
    int64_t t0;

    snprintf(maildir, sizeof maildir, "%s/maildir", f->dir);
    slack = rx_start(f, "slack", "fake_receiver.py", slack_x, 0);
    teams = rx_start(f, "teams", "fake_receiver.py", teams_x, 0);
    pd = rx_start(f, "pd", "fake_receiver.py", pd_x, 0);
    hook = webhook_rx(f, "hook", "ok");
    smtp = rx_start(f, "smtp", "smtp_receiver.py", smtp_x, 0);

    snprintf(url, sizeof url, "http://127.0.0.1:%d/services/T000/B000/XXX",
             slack->port);
    set(f, "channel.ops-slack", "type", "slack");
    set(f, "channel.ops-slack", "url", url);
    set(f, "channel.ops-slack", "pace_ms", "0");
    snprintf(url, sizeof url,
             "http://127.0.0.1:%d/workflows/abc/triggers/manual/paths/invoke"
             "?api-version=2016-06-01&sp=%%2Ftriggers&sv=1.0&sig=abc",
             teams->port);
    set(f, "channel.teams", "type", "teams");
    set(f, "channel.teams", "url", url); /* default pacing: 300 ms */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v2/change/enqueue",
             pd->port);
    set(f, "channel.oncall", "type", "pagerduty");
    set(f, "channel.oncall", "routing_key", RKEY);
    set(f, "channel.oncall", "url", url);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v2/enqueue", pd->port);
    set(f, "channel.oncall", "alert_url", url);
    set(f, "channel.oncall", "alerts", "true");
    set(f, "channel.oncall", "pace_ms", "0");
    webhook_channel(f, "hook", hook->port, NULL);
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", smtp->port);
    set(f, "channel.mail", "type", "email");
    set(f, "channel.mail", "smtp_url", url);
    set(f, "channel.mail", "from", "Docket <docket@platform.example>");
    set(f, "channel.mail", "to", "requester, pm, ops@platform.example");
    set(f, "channel.mail", "starttls", "false");
    for (int i = 0; i < n; i++)
        set(f, "route", all_events[i], "ops-slack, teams, oncall, hook, mail");
    set(f, "route", "request.commented",
        "ops-slack, teams, oncall, hook, mail");
    finish(f);

    for (int i = 0; i < n; i++)
        add_event(f, all_events[i], payload_file(all_events[i]));
    add_event(f, "request.commented", payload_file("hostile"));

    t0 = time_mono_us();
    now = time_now(); /* rows written so far are due */
    assert_int_equal(run(f, now), (n + 1) * 5);
    assert_int_equal(rx_count(slack, 1), n + 1);
    assert_int_equal(rx_count(teams, 1), n + 1);
    assert_int_equal(rx_count(pd, 1), n + 1);
    assert_int_equal(rx_count(hook, 1), n + 1);
    assert_int_equal(rx_count(slack, 0), n + 1); /* nothing rejected */
    assert_int_equal(maildir_count(maildir, mail, sizeof mail), n + 1);
    /* Teams is paced (300 ms): 11 messages take at least 3 s. */
    assert_true(time_mono_us() - t0 >= 2900000);
    recs = rx_records(teams);
    for (int i = 1; i < cJSON_GetArraySize(recs); i++) {
        double a = cJSON_GetObjectItem(cJSON_GetArrayItem(recs, i - 1), "time")
                       ->valuedouble;
        double b = cJSON_GetObjectItem(cJSON_GetArrayItem(recs, i), "time")
                       ->valuedouble;
        assert_true(b - a >= 0.25);
    }
    cJSON_Delete(recs);

    /* PagerDuty: change events, and the delivery.failed one as an alert
       with severity info and the event uid as dedup_key. */
    recs = rx_records(pd);
    {
        int alerts = 0;
        cJSON_ArrayForEach(it, recs)
        {
            const char *path = cJSON_GetObjectItem(it, "path")->valuestring;
            if (!strcmp(path, "/v2/enqueue")) {
                cJSON *body =
                    cJSON_Parse(cJSON_GetObjectItem(it, "body")->valuestring);
                assert_string_equal(
                    cJSON_GetObjectItem(cJSON_GetObjectItem(body, "payload"),
                                        "severity")
                        ->valuestring,
                    "info");
                assert_int_equal(
                    strlen(cJSON_GetObjectItem(body, "dedup_key")->valuestring),
                    32);
                cJSON_Delete(body);
                alerts++;
            }
        }
        assert_int_equal(alerts, 1);
    }
    cJSON_Delete(recs);

    /* Webhook ids are the event uids, in order. */
    {
        rows rs;
        int i = 0;
        list(f, &rs, "delivered", "hook");
        assert_int_equal(rs.n, n + 1);
        recs = rx_records(hook);
        cJSON_ArrayForEach(it, recs)
        {
            cJSON *h = cJSON_GetObjectItem(it, "headers");
            assert_string_equal(
                cJSON_GetObjectItem(h, "webhook-id")->valuestring, rs.r[i].uid);
            i++;
        }
        cJSON_Delete(recs);
        /* The e-mail's Message-ID is the event uid (stable across
           retries); Maildir order is arbitrary, so check its shape. */
        assert_non_null(strstr(mail, "\nMessage-ID: <"));
        assert_non_null(strstr(mail, "@docket>"));
        assert_non_null(strstr(mail, "multipart/alternative"));
    }
    {
        int64_t p, d, x;
        errmsg err = {0};
        assert_int_equal(registry_outbox_counts(f->reg, &p, &d, &x, &err), 0);
        assert_int_equal(p, 0);
        assert_int_equal(d, (n + 1) * 5);
        assert_int_equal(x, 0);
    }
    /* Nothing more is due. */
    assert_int_equal(run(f, now + 10), 0);
}

/* ---- a receiver down for a while gets everything, in order ---- */

static void test_notify__down_receiver_catches_up_in_order(void **state)
{
    fixture *f = *state;
    receiver *hook = webhook_rx(f, "hook", "ok");
    int port = hook->port;
    int64_t now;
    rows rs;
    cJSON *recs, *it;
    int i = 0;

    webhook_channel(f, "hook", port, NULL);
    set(f, "route", "request.updated", "hook");
    finish(f);
    rx_stop(hook); /* down: connection refused */
    for (int k = 0; k < 5; k++)
        add_event(f, "request.updated", payload_file("request.updated"));

    now = time_now(); /* rows written so far are due */
    assert_int_equal(run(f, now), 0);
    list(f, &rs, "pending", "hook");
    assert_int_equal(rs.n, 5);
    assert_int_equal(rs.r[0].attempts, 1);
    assert_true(rs.r[0].next_attempt >= now + 1);
    assert_non_null(strstr(rs.r[0].last_error, "curl 7"));
    for (int k = 1; k < 5; k++)
        assert_int_equal(rs.r[k].attempts, 0); /* held back: order */

    assert_int_equal(run(f, now + 120), 0); /* still down */
    list(f, &rs, "pending", "hook");
    assert_int_equal(rs.r[0].attempts, 2);

    /* Back up on the same port. */
    f->nrx--;
    {
        const char *extra[] = {"--kind", "webhook", "--secret", SECRET, NULL};
        hook = rx_start(f, "hook", "fake_receiver.py", extra, port);
    }
    assert_int_equal(run(f, now + 3600), 5);
    list(f, &rs, "delivered", "hook");
    assert_int_equal(rs.n, 5);
    recs = rx_records(hook);
    assert_int_equal(cJSON_GetArraySize(recs), 5);
    cJSON_ArrayForEach(it, recs)
    {
        cJSON *h = cJSON_GetObjectItem(it, "headers");
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(it, "accepted")));
        assert_string_equal(cJSON_GetObjectItem(h, "webhook-id")->valuestring,
                            rs.r[i].uid);
        i++;
    }
    cJSON_Delete(recs);
}

/* ---- a permanent 4xx is dead after one attempt, visible, reported ---- */

static void test_notify__permanent_4xx_dead_once(void **state)
{
    fixture *f = *state;
    const char *slack_x[] = {"--kind", "slack", "--script", "403", NULL};
    receiver *slack = rx_start(f, "slack", "fake_receiver.py", slack_x, 0);
    receiver *hook = webhook_rx(f, "hook", "ok");
    char url[128];
    int64_t now;
    rows rs;

    snprintf(url, sizeof url, "http://127.0.0.1:%d/services/T/B/X",
             slack->port);
    set(f, "channel.ops-slack", "type", "slack");
    set(f, "channel.ops-slack", "url", url);
    webhook_channel(f, "hook", hook->port, NULL);
    set(f, "route", "request.rejected", "ops-slack");
    /* Routed to both, but never back to the failing channel. */
    set(f, "route", "delivery.failed", "ops-slack, hook");
    finish(f);
    add_event(f, "request.rejected", payload_file("request.rejected"));

    now = time_now(); /* rows written so far are due */
    /* +2: the delivery.failed row is written during the run, at the real
       time, which may be a second later. */
    assert_int_equal(run(f, now + 2), 1); /* the delivery.failed to hook */
    list(f, &rs, "dead", NULL);
    assert_int_equal(rs.n, 1);
    assert_string_equal(rs.r[0].channel, "ops-slack");
    assert_int_equal(rs.r[0].attempts, 1);
    assert_int_equal(rs.r[0].last_status, 403);
    assert_non_null(strstr(rs.r[0].last_error, "HTTP 403"));
    assert_int_equal(rx_count(slack, 0), 1);

    list(f, &rs, NULL, NULL);
    assert_int_equal(rs.n, 2); /* no delivery.failed row for ops-slack */
    assert_string_equal(rs.r[1].event, "delivery.failed");
    assert_string_equal(rs.r[1].channel, "hook");
    assert_string_equal(rs.r[1].state, "delivered");
    {
        cJSON *recs = rx_records(hook);
        cJSON *body =
            cJSON_Parse(cJSON_GetObjectItem(cJSON_GetArrayItem(recs, 0), "body")
                            ->valuestring);
        cJSON *data = cJSON_GetObjectItem(body, "data");
        assert_string_equal(cJSON_GetObjectItem(body, "type")->valuestring,
                            "delivery.failed");
        assert_string_equal(cJSON_GetObjectItem(data, "channel")->valuestring,
                            "ops-slack");
        assert_int_equal(cJSON_GetObjectItem(data, "last_status")->valueint,
                         403);
        cJSON_Delete(body);
        cJSON_Delete(recs);
    }

    /* Retry now (admin page): dead -> pending, delivered once fixed. */
    {
        errmsg err = {0};
        list(f, &rs, "dead", NULL);
        assert_int_equal(
            registry_outbox_retry(f->reg, rs.r[0].id, now + 5, &err), 0);
    }
    rx_script(slack, "ok"); /* the receiver is fixed */
    assert_int_equal(run(f, now + 5), 1);
    list(f, &rs, "delivered", "ops-slack");
    assert_int_equal(rs.n, 1);
}

/* ---- redirects and private addresses are refused ---- */

static void test_notify__redirect_not_followed(void **state)
{
    fixture *f = *state;
    receiver *hook = webhook_rx(f, "hook", "redirect");
    rows rs;

    webhook_channel(f, "hook", hook->port, NULL);
    set(f, "route", "request.updated", "hook");
    finish(f);
    add_event(f, "request.updated", payload_file("request.updated"));
    assert_int_equal(run(f, time_now()), 0);
    list(f, &rs, "dead", "hook");
    assert_int_equal(rs.n, 1);
    assert_int_equal(rs.r[0].attempts, 1);
    assert_int_equal(rs.r[0].last_status, 302);
    assert_non_null(strstr(rs.r[0].last_error, "redirect not followed"));
    assert_int_equal(rx_count(hook, 0), 1);
}

static void test_notify__private_address_refused(void **state)
{
    fixture *f = *state;
    receiver *hook = webhook_rx(f, "hook", "ok");
    rows rs;

    set(f, "notify", "allow_private", "false");
    webhook_channel(f, "hook", hook->port, NULL);
    set(f, "route", "request.updated", "hook");
    finish(f);
    add_event(f, "request.updated", payload_file("request.updated"));
    assert_int_equal(run(f, time_now()), 0);
    list(f, &rs, "dead", "hook");
    assert_int_equal(rs.n, 1);
    assert_non_null(
        strstr(rs.r[0].last_error, "refused to connect to 127.0.0.1"));
    assert_int_equal(rx_count(hook, 0), 0); /* never reached */
}

static void test_notify__plain_http_refused(void **state)
{
    fixture *f = *state;
    errmsg err = {0};

    set(f, "notify", "allow_http", "false");
    webhook_channel(f, "hook", 9, NULL);
    set(f, "server", "base_url", "https://docket.example");
    assert_int_equal(cfg_finish(&f->cfg, &err), 0);
    assert_int_equal(notify_config_check(&f->cfg, &err), ERR_INVALID);
    assert_non_null(strstr(err.msg, "https://"));
}

/* ---- 429 with Retry-After, in both forms ---- */

static void test_notify__retry_after_honoured(void **state)
{
    fixture *f = *state;
    receiver *hook = webhook_rx(f, "hook", "429:120,429date:600,ok");
    int64_t now;
    rows rs;

    webhook_channel(f, "hook", hook->port, NULL);
    set(f, "route", "request.updated", "hook");
    finish(f);
    add_event(f, "request.updated", payload_file("request.updated"));
    now = time_now(); /* rows written so far are due */
    assert_int_equal(run(f, now), 0);
    list(f, &rs, "pending", "hook");
    assert_int_equal(rs.r[0].last_status, 429);
    assert_true(rs.r[0].next_attempt >= now + 120);
    assert_int_equal(run(f, now + 60), 0); /* not yet due */
    assert_int_equal(rx_count(hook, 0), 1);
    assert_int_equal(run(f, now + 125), 0); /* second 429, HTTP date */
    list(f, &rs, "pending", "hook");
    assert_true(rs.r[0].next_attempt >= now + 125 + 590);
    assert_int_equal(run(f, now + 125 + 610), 1);
    assert_int_equal(rx_count(hook, 0), 3);
}

/* ---- 410 disables the channel ---- */

static void test_notify__gone_disables_channel(void **state)
{
    fixture *f = *state;
    receiver *hook = webhook_rx(f, "hook", "410");
    int64_t now;
    int disabled = 0;
    char reason[300];
    errmsg err = {0};
    rows rs;

    webhook_channel(f, "hook", hook->port, NULL);
    set(f, "route", "request.updated", "hook");
    finish(f);
    add_event(f, "request.updated", payload_file("request.updated"));
    now = time_now(); /* rows written so far are due */
    assert_int_equal(run(f, now), 0);
    assert_int_equal(registry_channel_disabled(f->reg, &disabled, reason,
                                               sizeof reason, "hook", &err),
                     0);
    assert_int_equal(disabled, 1);
    assert_non_null(strstr(reason, "410"));
    add_event(f, "request.updated", payload_file("request.updated"));
    assert_int_equal(run(f, now + 1), 0);
    list(f, &rs, "dead", "hook");
    assert_int_equal(rs.n, 2);
    assert_non_null(strstr(rs.r[1].last_error, "not sent"));
    assert_int_equal(rx_count(hook, 0), 1); /* the second never sent */
}

/* ---- a disabled channel is enabled again; its dead rows are resent ---- */

static void test_notify__enable_resends_in_order(void **state)
{
    fixture *f = *state;
    receiver *hook = webhook_rx(f, "hook", "410,ok");
    char uid[3][40];
    int64_t now, n = -1, dead = -1;
    int disabled = 1, k = 0;
    errmsg err = {0};
    cJSON *recs, *it;
    rows rs;

    webhook_channel(f, "hook", hook->port, NULL);
    set(f, "route", "request.updated", "hook");
    finish(f);
    add_event(f, "request.updated", payload_file("request.updated"));
    now = time_now();
    assert_int_equal(run(f, now), 0); /* 410: disabled */
    add_event(f, "request.updated", payload_file("request.updated"));
    add_event(f, "request.updated", payload_file("request.updated"));
    /* Well after the 410 was seen (its clock runs on in real time). */
    assert_int_equal(run(f, now + 10), 0);
    assert_int_equal(rx_count(hook, 0), 1); /* not attempted while off */
    assert_int_equal(
        registry_channel_dead_while_off(f->reg, "hook", &dead, &err), 0);
    assert_int_equal(dead, 3);
    list(f, &rs, "dead", "hook");
    assert_int_equal(rs.n, 3);
    for (int i = 0; i < 3; i++)
        str_copy(uid[i], sizeof uid[i], rs.r[i].uid);

    assert_int_equal(
        registry_channel_enable(f->reg, "hook", 1, "test", now + 11, &n, &err),
        0);
    assert_int_equal(n, 3);
    assert_int_equal(
        registry_channel_disabled(f->reg, &disabled, NULL, 0, "hook", &err), 0);
    assert_int_equal(disabled, 0);
    assert_int_equal(
        registry_channel_dead_while_off(f->reg, "hook", &dead, &err), 0);
    assert_int_equal(dead, 0);
    assert_int_equal(run(f, now + 12), 3);
    list(f, &rs, "delivered", "hook");
    assert_int_equal(rs.n, 3);
    /* The receiver got the three events in their original order. */
    recs = rx_records(hook);
    cJSON_ArrayForEach(it, recs)
    {
        const char *body;
        if (!cJSON_IsTrue(cJSON_GetObjectItem(it, "accepted")))
            continue;
        body = cJSON_GetStringValue(cJSON_GetObjectItem(it, "body"));
        assert_true(k < 3);
        assert_non_null(body);
        assert_non_null(strstr(body, uid[k]));
        k++;
    }
    cJSON_Delete(recs);
    assert_int_equal(k, 3);
}

/* Enabling without resend leaves the dead rows dead; rows that died
 * before the channel was disabled are never resent by an enable. */
static void test_notify__enable_without_resend(void **state)
{
    fixture *f = *state;
    receiver *hook = webhook_rx(f, "hook", "400,410,ok");
    int64_t now, n = -1;
    errmsg err = {0};
    rows rs;

    webhook_channel(f, "hook", hook->port, NULL);
    set(f, "route", "request.updated", "hook");
    finish(f);
    add_event(f, "request.updated", payload_file("request.updated"));
    now = time_now();
    assert_int_equal(run(f, now), 0); /* 400: dead, channel still on */
    add_event(f, "request.updated", payload_file("request.updated"));
    assert_int_equal(run(f, now + 5), 0); /* 410: off */
    assert_int_equal(
        registry_channel_enable(f->reg, "hook", 0, "test", now + 6, &n, &err),
        0);
    assert_int_equal(n, 0);
    list(f, &rs, "dead", "hook");
    assert_int_equal(rs.n, 2);
    assert_int_equal(registry_channel_set_disabled(f->reg, "hook", 1, "test",
                                                   now + 30, &err),
                     0);
    assert_int_equal(
        registry_channel_enable(f->reg, "hook", 1, "test", now + 31, &n, &err),
        0);
    assert_int_equal(n, 0); /* both died before this disabling */
    add_event(f, "request.updated", payload_file("request.updated"));
    assert_int_equal(run(f, now + 32), 1);
}

/* ---- 503 until the retry window closes; a hanging receiver ---- */

static void test_notify__retry_window_then_dead(void **state)
{
    fixture *f = *state;
    receiver *hook = webhook_rx(f, "hook", "503");
    int64_t now;
    rows rs;

    set(f, "notify", "retry_window_hours", "1");
    webhook_channel(f, "hook", hook->port, NULL);
    set(f, "route", "request.updated", "hook");
    finish(f);
    add_event(f, "request.updated", payload_file("request.updated"));
    now = time_now(); /* rows written so far are due */
    assert_int_equal(run(f, now), 0);
    assert_int_equal(run(f, now + 1800), 0);
    list(f, &rs, "pending", "hook");
    assert_int_equal(rs.n, 1);
    assert_int_equal(rs.r[0].attempts, 2);
    assert_true(rs.r[0].next_attempt <= rs.r[0].created_at + 3600);
    assert_int_equal(run(f, now + 3700), 0);
    list(f, &rs, "dead", "hook");
    assert_int_equal(rs.n, 1);
    assert_int_equal(rs.r[0].attempts, 3);
    assert_non_null(strstr(rs.r[0].last_error, "retry window over"));
}

static void test_notify__hanging_receiver_times_out(void **state)
{
    fixture *f = *state;
    receiver *hook = webhook_rx(f, "hook", "hang");
    int64_t t0;
    rows rs;

    webhook_channel(f, "hook", hook->port, "1");
    set(f, "route", "request.updated", "hook");
    finish(f);
    add_event(f, "request.updated", payload_file("request.updated"));
    t0 = time_mono_us();
    assert_int_equal(run(f, time_now()), 0);
    assert_true(time_mono_us() - t0 < 5000000);
    list(f, &rs, "pending", "hook");
    assert_int_equal(rs.n, 1);
    assert_non_null(strstr(rs.r[0].last_error, "curl 28"));
}

/* ---- the thread: wakes on notify_wake, resumes after a restart ---- */

static void test_notify__worker_thread(void **state)
{
    fixture *f = *state;
    receiver *hook = webhook_rx(f, "hook", "ok");
    errmsg err = {0};
    int i;

    webhook_channel(f, "hook", hook->port, NULL);
    set(f, "route", "request.updated", "hook");
    finish(f);
    assert_int_equal(notify_start(f->ctx, &err), 0);
    assert_int_equal(notify_start(f->ctx, &err), ERR_CONFLICT);
    add_event(f, "request.updated", payload_file("request.updated"));
    notify_wake();
    for (i = 0; i < 100 && rx_count(hook, 1) < 1; i++)
        sleep_ms(50);
    assert_int_equal(rx_count(hook, 1), 1);
    notify_stop(f->ctx);

    /* Written while stopped: sent by the next start. */
    add_event(f, "request.updated", payload_file("request.updated"));
    sleep_ms(200);
    assert_int_equal(rx_count(hook, 1), 1);
    assert_int_equal(notify_start(f->ctx, &err), 0);
    for (i = 0; i < 100 && rx_count(hook, 1) < 2; i++)
        sleep_ms(50);
    assert_int_equal(rx_count(hook, 1), 2);
    notify_stop(f->ctx);
}

/* ---- e-mail: STARTTLS and AUTH ---- */

static void test_notify__smtp_starttls_auth(void **state)
{
    fixture *f = *state;
    char maildir[600], cert[600], key[600], url[128];
    const char *x[] = {"--maildir", maildir, "--tls-cert", cert,
                       "--tls-key", key,     "--auth",     "docket:s3cret-pass",
                       NULL};
    receiver *smtp;
    int64_t now;
    rows rs;

    snprintf(maildir, sizeof maildir, "%s/maildir", f->dir);
    snprintf(cert, sizeof cert, "%s/tests/data/notify/tls/test-cert.pem",
             src_dir());
    snprintf(key, sizeof key, "%s/tests/data/notify/tls/test-key.pem",
             src_dir());
    smtp = rx_start(f, "smtp", "smtp_receiver.py", x, 0);
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", smtp->port);
    set(f, "channel.mail", "type", "email");
    set(f, "channel.mail", "smtp_url", url);
    set(f, "channel.mail", "from", "docket@platform.example");
    set(f, "channel.mail", "to", "requester");
    set(f, "channel.mail", "starttls", "true");
    set(f, "channel.mail", "ca_file", cert);
    set(f, "channel.mail", "username", "docket");
    set(f, "channel.mail", "password", "s3cret-pass");
    set(f, "channel.mail", "timeout", "10");
    set(f, "channel.bad-pass", "type", "email");
    set(f, "channel.bad-pass", "smtp_url", url);
    set(f, "channel.bad-pass", "from", "docket@platform.example");
    set(f, "channel.bad-pass", "to", "pm");
    set(f, "channel.bad-pass", "ca_file", cert);
    set(f, "channel.bad-pass", "username", "docket");
    set(f, "channel.bad-pass", "password", "wrong-password");
    set(f, "channel.bad-pass", "timeout", "10");
    set(f, "channel.no-tls", "type", "email");
    set(f, "channel.no-tls", "smtp_url", url);
    set(f, "channel.no-tls", "from", "docket@platform.example");
    set(f, "channel.no-tls", "to", "ops@platform.example");
    set(f, "channel.no-tls", "starttls", "false");
    set(f, "channel.no-tls", "timeout", "10");
    set(f, "route", "request.needs_info", "mail, bad-pass, no-tls");
    finish(f);
    add_event(f, "request.needs_info", payload_file("request.needs_info"));
    now = time_now(); /* rows written so far are due */
    assert_int_equal(run(f, now), 1);
    assert_int_equal(maildir_count(maildir, NULL, 0), 1);
    list(f, &rs, "dead", "bad-pass");
    assert_int_equal(rs.n, 1);
    assert_int_equal(rs.r[0].last_status, 535);
    list(f, &rs, "dead", "no-tls");
    assert_int_equal(rs.n, 1);
    assert_int_equal(rs.r[0].last_status, 530);
}

/* ---- "also e-mail me": inbox e-mail to its one user ---- */

static int64_t admin_user(fixture *f, const char *email, const char *name)
{
    errmsg err = {0};
    int64_t id = 0;

    if (registry_user_add(f->reg, &id, email, name, "admin", NULL,
                          "a long enough password", &err) < 0)
        fail_msg("user_add: %s", err.msg);
    return id;
}

static void test_notify__inbox_email_to_its_user(void **state)
{
    fixture *f = *state;
    char maildir[600], url[128], mail[65536];
    const char *x[] = {"--maildir", maildir, NULL};
    int64_t ada, bob;
    errmsg err = {0};
    receiver *smtp;
    rows rs;
    int n = -1;

    snprintf(maildir, sizeof maildir, "%s/maildir", f->dir);
    smtp = rx_start(f, "smtp", "smtp_receiver.py", x, 0);
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", smtp->port);
    set(f, "channel.mail", "type", "email");
    set(f, "channel.mail", "smtp_url", url);
    set(f, "channel.mail", "from", "docket@platform.example");
    set(f, "channel.mail", "to", "ops-list@platform.example");
    set(f, "channel.mail", "starttls", "false");
    set(f, "channel.mail", "timeout", "10");
    finish(f);
    registry_inbox_channel_set("mail");
    ada = admin_user(f, "ada@platform.example", "Ada Admin");
    bob = admin_user(f, "bob@platform.example", "Bob Admin");
    assert_int_equal(
        registry_inbox_mail_set(f->reg, ada, INBOX_MAIL_EACH, &err), 0);
    assert_int_equal(
        registry_inbox_mail_set(f->reg, bob, INBOX_MAIL_DAILY, &err), 0);

    /* delivery.failed reaches both admins' inboxes; only Ada asked for an
       e-mail per item, and it goes to her alone, not to the channel's to. */
    add_event(f, "delivery.failed", payload_file("delivery.failed"));
    list(f, &rs, "pending", "mail");
    assert_int_equal(rs.n, 1);
    assert_string_equal(rs.r[0].recipient, "ada@platform.example");
    assert_int_equal(run(f, time_now()), 1);
    assert_int_equal(maildir_count(maildir, mail, sizeof mail), 1);
    assert_non_null(strstr(mail, "ada@platform.example"));
    assert_null(strstr(mail, "bob@platform.example"));
    assert_null(strstr(mail, "ops-list@platform.example"));

    /* Bob's daily digest: one message to him with his unread item. */
    assert_int_equal(registry_inbox_digest(f->reg, time_now(), 0, 0, &n, &err),
                     0);
    assert_int_equal(n, 1);
    assert_int_equal(run(f, time_now()), 1);
    assert_int_equal(maildir_count(maildir, NULL, 0), 2);
    list(f, &rs, "delivered", "mail");
    assert_int_equal(rs.n, 2);
    assert_string_equal(rs.r[1].event, "inbox.digest");
    assert_string_equal(rs.r[1].recipient, "bob@platform.example");
    /* Once a day: a second call writes nothing. */
    assert_int_equal(registry_inbox_digest(f->reg, time_now(), 0, 0, &n, &err),
                     0);
    assert_int_equal(n, 0);
    registry_inbox_channel_set(NULL);
}

/* ---- notify test CHANNEL ---- */

static void test_notify__test_channel(void **state)
{
    fixture *f = *state;
    const char *slack_x[] = {"--kind", "slack", NULL};
    const char *teams_x[] = {"--kind", "teams", "--strict", NULL};
    receiver *slack = rx_start(f, "slack", "fake_receiver.py", slack_x, 0);
    receiver *teams = rx_start(f, "teams", "fake_receiver.py", teams_x, 0);
    char url[256];
    errmsg err = {0};

    snprintf(url, sizeof url, "http://127.0.0.1:%d/services/T/B/X",
             slack->port);
    set(f, "channel.s", "type", "slack");
    set(f, "channel.s", "url", url);
    /* A Teams URL without its sig: the receiver says 401. */
    snprintf(url, sizeof url,
             "http://127.0.0.1:%d/workflows/abc/triggers/manual/paths/invoke"
             "?api-version=2016-06-01",
             teams->port);
    set(f, "channel.t", "type", "teams");
    set(f, "channel.t", "url", url);
    finish(f);
    assert_int_equal(notify_test_channel(&f->cfg, "s", &err), 0);
    assert_int_equal(rx_count(slack, 1), 1);
    assert_int_equal(notify_test_channel(&f->cfg, "t", &err), ERR_NET);
    assert_non_null(strstr(err.msg, "HTTP 401"));
    err_clear(&err);
    assert_int_equal(notify_test_channel(&f->cfg, "nope", &err), ERR_NOTFOUND);
}

/* ---- the biggest messages still meet the receivers' limits ---- */

static void test_notify__huge_deploy_within_limits(void **state)
{
    fixture *f = *state;
    const char *slack_x[] = {"--kind", "slack", NULL};
    const char *teams_x[] = {"--kind", "teams", "--strict", NULL};
    receiver *slack = rx_start(f, "slack", "fake_receiver.py", slack_x, 0);
    receiver *teams = rx_start(f, "teams", "fake_receiver.py", teams_x, 0);
    char url[256];
    cJSON *p = cJSON_CreateObject(), *r, *tables;
    char *json;

    snprintf(url, sizeof url, "http://127.0.0.1:%d/services/T/B/X",
             slack->port);
    set(f, "channel.s", "type", "slack");
    set(f, "channel.s", "url", url);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/workflows/a?sig=x",
             teams->port);
    set(f, "channel.t", "type", "teams");
    set(f, "channel.t", "url", url);
    set(f, "route", "request.deployed", "s, t");
    finish(f);
    cJSON_AddStringToObject(p, "event", "request.deployed");
    r = cJSON_AddObjectToObject(p, "request");
    cJSON_AddStringToObject(r, "number", "CR-99");
    {
        buf title = {0};
        for (int i = 0; i < 300; i++)
            buf_puts(&title, "Tïtle😀 ");
        cJSON_AddStringToObject(r, "title", buf_cstr(&title));
        buf_dispose(&title);
    }
    tables = cJSON_AddArrayToObject(p, "tables");
    for (int i = 0; i < 150; i++) {
        cJSON *t = cJSON_CreateObject();
        char name[80];
        snprintf(name, sizeof name, "table_%03d_%s", i,
                 "with_quite_a_long_descriptive_name_for_testing");
        cJSON_AddStringToObject(t, "table", name);
        cJSON_AddStringToObject(t, "instance", "acme-prod");
        cJSON_AddStringToObject(t, "campaign_dependency", "required");
        cJSON_AddStringToObject(t, "url", "/tables/acme-prod/x");
        cJSON_AddItemToArray(tables, t);
    }
    json = cJSON_PrintUnformatted(p);
    add_event(f, "request.deployed", json);
    free(json);
    cJSON_Delete(p);
    assert_int_equal(run(f, time_now()), 2);
    assert_int_equal(rx_count(slack, 1), 1);
    assert_int_equal(rx_count(teams, 1), 1);
}

/* ---- a blocked channel holds no other channel ---- */

/* The time field of the receiver's first record (0 when none). */
static double rx_first_time(const receiver *r)
{
    cJSON *arr = rx_records(r);
    cJSON *first = cJSON_GetArrayItem(arr, 0);
    double t = first ? cJSON_GetObjectItem(first, "time")->valuedouble : 0;

    cJSON_Delete(arr);
    return t;
}

/* The webhook-ids a receiver accepted equal the delivered rows' uids of
 * channel, in the same (id) order. */
static void assert_in_order(fixture *f, const receiver *r, const char *channel,
                            int n)
{
    rows rs;
    cJSON *recs = rx_records(r), *it;
    int i = 0;

    list(f, &rs, "delivered", channel);
    assert_int_equal(rs.n, n);
    cJSON_ArrayForEach(it, recs)
    {
        cJSON *h = cJSON_GetObjectItem(it, "headers");
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(it, "accepted")));
        assert_true(i < n);
        assert_string_equal(cJSON_GetObjectItem(h, "webhook-id")->valuestring,
                            rs.r[i].uid);
        i++;
    }
    assert_int_equal(i, n);
    cJSON_Delete(recs);
}

static void test_notify__blocked_channel_holds_no_other(void **state)
{
    fixture *f = *state;
    receiver *limited = webhook_rx(f, "limited", "429:30");
    receiver *hung = webhook_rx(f, "hung", "hang");
    receiver *fast = webhook_rx(f, "fast", "ok");
    receiver *paced = webhook_rx(f, "paced", "ok");
    errmsg err = {0};
    int64_t t_start;
    rows rs;
    int i;

    webhook_channel(f, "limited", limited->port, NULL);
    webhook_channel(f, "hung", hung->port, "60"); /* hangs 30 s */
    webhook_channel(f, "fast", fast->port, NULL);
    webhook_channel(f, "paced", paced->port, NULL);
    set(f, "channel.paced", "pace_ms", "200");
    set(f, "route", "request.updated", "limited, hung, fast, paced");
    finish(f);
    for (i = 0; i < 5; i++)
        add_event(f, "request.updated", payload_file("request.updated"));
    t_start = time_now();
    assert_int_equal(notify_start(f->ctx, &err), 0);
    /* Generous: well within the 30 s Retry-After and the 30 s hang. */
    for (i = 0; i < 400 && (rx_count(fast, 1) < 5 || rx_count(paced, 1) < 5);
         i++)
        sleep_ms(50);
    /* Both healthy channels got everything, in order, while the hung
       channel's first transfer is still in flight (its receiver answers
       only after 30 s: nothing recorded, no attempt counted) ... */
    assert_int_equal(rx_count(fast, 1), 5);
    assert_int_equal(rx_count(paced, 1), 5);
    assert_int_equal(rx_count(hung, 0), 0);
    list(f, &rs, "pending", "hung");
    assert_int_equal(rs.n, 5);
    assert_int_equal(rs.r[0].attempts, 0);
    /* ... and the rate-limited one was asked once and waits for its
       Retry-After, its later rows behind its first. */
    assert_true(time_now() < t_start + 30);
    assert_int_equal(rx_count(limited, 0), 1);
    list(f, &rs, "pending", "limited");
    assert_int_equal(rs.n, 5);
    assert_int_equal(rs.r[0].attempts, 1);
    assert_int_equal(rs.r[0].last_status, 429);
    assert_true(rs.r[0].next_attempt >= (int64_t)rx_first_time(limited) + 30);
    for (i = 1; i < 5; i++)
        assert_int_equal(rs.r[i].attempts, 0);
    notify_stop(f->ctx);
    assert_in_order(f, fast, "fast", 5);
    assert_in_order(f, paced, "paced", 5);
    /* The abandoned transfer left the hung channel's row pending. */
    list(f, &rs, "pending", "hung");
    assert_int_equal(rs.n, 5);
    assert_int_equal(rs.r[0].attempts, 0);
}

/* ---- retry times count from the failure, not from the pass ---- */

static void test_notify__retry_counted_from_failure(void **state)
{
    fixture *f = *state;
    receiver *slow = webhook_rx(f, "slow", "delay:3:429:10");
    rows rs;
    double failed_at;

    webhook_channel(f, "slow", slow->port, "20");
    set(f, "route", "request.updated", "slow");
    finish(f);
    add_event(f, "request.updated", payload_file("request.updated"));
    assert_int_equal(run(f, time_now()), 0);
    failed_at = rx_first_time(slow); /* just before the 429 was sent */
    assert_true(failed_at > 0);
    list(f, &rs, "pending", "slow");
    assert_int_equal(rs.n, 1);
    assert_int_equal(rs.r[0].last_status, 429);
    assert_true((double)rs.r[0].next_attempt >= failed_at + 10);
}

/* ---- Retry-After is capped at 15 minutes ---- */

static void test_notify__retry_after_capped(void **state)
{
    fixture *f = *state;
    receiver *hook = webhook_rx(f, "hook", "429:86400");
    int64_t now;
    rows rs;

    webhook_channel(f, "hook", hook->port, NULL);
    set(f, "route", "request.updated", "hook");
    finish(f);
    add_event(f, "request.updated", payload_file("request.updated"));
    now = time_now();
    assert_int_equal(run(f, now), 0);
    list(f, &rs, "pending", "hook");
    assert_int_equal(rs.r[0].last_status, 429);
    assert_true(rs.r[0].next_attempt >= now + 900);
    assert_true(rs.r[0].next_attempt <= time_now() + 900 + 1);
}

/* ---- webhook secret rotation: one signature per listed secret ---- */

#define SECRET2 "whsec_c2Vjb25kLXNlY3JldC1mb3Itcm90YXRpb24="

static void test_notify__webhook_secret_rotation(void **state)
{
    fixture *f = *state;
    const char *both_x[] = {"--kind", "webhook", "--secret", SECRET " " SECRET2,
                            NULL};
    const char *new_x[] = {"--kind", "webhook", "--secret", SECRET2, NULL};
    receiver *both = rx_start(f, "both", "fake_receiver.py", both_x, 0);
    receiver *newer = rx_start(f, "newer", "fake_receiver.py", new_x, 0);
    cJSON *recs;
    const char *sig;

    webhook_channel(f, "both", both->port, NULL);
    set(f, "channel.both", "secret", SECRET " " SECRET2);
    webhook_channel(f, "newer", newer->port, NULL);
    set(f, "channel.newer", "secret", SECRET " " SECRET2);
    set(f, "route", "request.updated", "both, newer");
    finish(f);
    add_event(f, "request.updated", payload_file("request.updated"));
    assert_int_equal(run(f, time_now()), 2);
    /* Verified with both keys, and with the new key alone. */
    assert_int_equal(rx_count(both, 1), 1);
    assert_int_equal(rx_count(newer, 1), 1);
    recs = rx_records(both);
    sig = cJSON_GetObjectItem(
              cJSON_GetObjectItem(cJSON_GetArrayItem(recs, 0), "headers"),
              "webhook-signature")
              ->valuestring;
    assert_non_null(strchr(sig, ' ')); /* "v1,<a> v1,<b>" */
    assert_non_null(strstr(strchr(sig, ' '), " v1,"));
    cJSON_Delete(recs);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(
        test_notify__every_event_reaches_its_channels, setup, teardown),
    cmocka_unit_test_setup_teardown(
        test_notify__down_receiver_catches_up_in_order, setup, teardown),
    cmocka_unit_test_setup_teardown(test_notify__permanent_4xx_dead_once, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_notify__redirect_not_followed, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_notify__private_address_refused, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_notify__plain_http_refused, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_notify__retry_after_honoured, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_notify__gone_disables_channel, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_notify__enable_resends_in_order, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_notify__enable_without_resend, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_notify__retry_window_then_dead, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_notify__hanging_receiver_times_out,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(test_notify__worker_thread, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_notify__smtp_starttls_auth, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_notify__test_channel, setup, teardown),
    cmocka_unit_test_setup_teardown(test_notify__inbox_email_to_its_user, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_notify__huge_deploy_within_limits,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(test_notify__blocked_channel_holds_no_other,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(test_notify__retry_counted_from_failure,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(test_notify__retry_after_capped, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_notify__webhook_secret_rotation, setup,
                                    teardown),
};

int main(void)
{
    log_set_level(LOG_WARN);
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
