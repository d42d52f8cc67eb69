/* channels.c: one adapter per channel type: reads the [channel.NAME]
 * keys (listed in notify.h), renders the event with render_*.c and sends
 * it with transport.c. Also the start-up check of the channel
 * configuration. */
#include "notify_int.h"
#include "log.h"
#include "mem.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PD_CHANGE_URL "https://events.pagerduty.com/v2/change/enqueue"
#define PD_ALERT_URL  "https://events.pagerduty.com/v2/enqueue"

static const char *get(const cfg_channel *ch, const char *key)
{
    const char *v = cfg_channel_get(ch, key);

    return v && *v ? v : NULL;
}

/* -1 when absent or not a boolean. */
static int get_bool(const cfg_channel *ch, const char *key)
{
    const char *v = get(ch, key);

    if (!v)
        return -1;
    if (!str_casecmp(v, "true") || !str_casecmp(v, "yes") ||
        !str_casecmp(v, "on") || !strcmp(v, "1"))
        return 1;
    if (!str_casecmp(v, "false") || !str_casecmp(v, "no") ||
        !str_casecmp(v, "off") || !strcmp(v, "0"))
        return 0;
    return -1;
}

static long timeout_ms(const cfg_channel *ch)
{
    int t;

    if (get(ch, "timeout") && str_to_int(&t, get(ch, "timeout"), 1, 120) == 0)
        return t * 1000L;
    return 20000L;
}

int64_t notify_channel_pace_ms(const cfg_channel *ch)
{
    int ms;

    if (get(ch, "pace_ms") &&
        str_to_int(&ms, get(ch, "pace_ms"), 0, 60000) == 0)
        return ms;
    if (!strcmp(ch->type, "slack"))
        return 1000; /* 1 message per second per webhook */
    if (!strcmp(ch->type, "teams"))
        return 300; /* under 4 per second */
    if (!strcmp(ch->type, "pagerduty"))
        return 500; /* 2 per second */
    return 0;
}

static int url_check(const config *cfg, const cfg_channel *ch, const char *key,
                     const char *url, errmsg *err)
{
    if (!url)
        return err_set(err, ERR_INVALID, "[channel.%s] needs %s", ch->name,
                       key);
    if (str_startswith(url, "https://"))
        return 0;
    if (str_startswith(url, "http://") && cfg->allow_http)
        return 0;
    return err_set(err, ERR_INVALID,
                   "[channel.%s] %s must start with https:// (set "
                   "notify.allow_http = true to allow http://)",
                   ch->name, key);
}

/* Checks one channel's keys; ERR_INVALID naming the key. */
static int channel_check(const config *cfg, const cfg_channel *ch, errmsg *err)
{
    const char *t = ch->type ? ch->type : "";
    int n;

    if (get(ch, "timeout") && str_to_int(&n, get(ch, "timeout"), 1, 120) < 0)
        return err_set(err, ERR_INVALID,
                       "[channel.%s] timeout must be 1 to 120 seconds",
                       ch->name);
    if (get(ch, "pace_ms") && str_to_int(&n, get(ch, "pace_ms"), 0, 60000) < 0)
        return err_set(err, ERR_INVALID,
                       "[channel.%s] pace_ms must be 0 to 60000", ch->name);
    if (!strcmp(t, "slack") || !strcmp(t, "teams"))
        return url_check(cfg, ch, "url", get(ch, "url"), err);
    if (!strcmp(t, "webhook")) {
        buf sig = {0};
        errmsg e = {0};
        int rc;
        if (url_check(cfg, ch, "url", get(ch, "url"), err) < 0)
            return ERR_INVALID;
        if (!get(ch, "secret"))
            return err_set(err, ERR_INVALID, "[channel.%s] needs secret",
                           ch->name);
        rc =
            notify_webhook_sign_all(&sig, get(ch, "secret"), "x", 0, "", 0, &e);
        buf_dispose(&sig);
        if (rc < 0)
            return err_set(err, ERR_INVALID,
                           "[channel.%s] secret: %s (several keys are "
                           "separated by spaces)",
                           ch->name, e.msg);
        return 0;
    }
    if (!strcmp(t, "pagerduty")) {
        const char *key = get(ch, "routing_key");
        if (!key || strlen(key) != 32)
            return err_set(err, ERR_INVALID,
                           "[channel.%s] routing_key must be the 32-character "
                           "integration key",
                           ch->name);
        if (get(ch, "url") &&
            url_check(cfg, ch, "url", get(ch, "url"), err) < 0)
            return ERR_INVALID;
        if (get(ch, "alert_url") &&
            url_check(cfg, ch, "alert_url", get(ch, "alert_url"), err) < 0)
            return ERR_INVALID;
        if (get(ch, "alerts") && get_bool(ch, "alerts") < 0)
            return err_set(err, ERR_INVALID,
                           "[channel.%s] alerts must be true or false",
                           ch->name);
        return 0;
    }
    if (!strcmp(t, "email")) {
        const char *url = get(ch, "smtp_url");
        if (!url || !(str_startswith(url, "smtp://") ||
                      str_startswith(url, "smtps://")))
            return err_set(err, ERR_INVALID,
                           "[channel.%s] smtp_url must be smtp://HOST:PORT "
                           "or smtps://HOST:PORT",
                           ch->name);
        if (!get(ch, "from"))
            return err_set(err, ERR_INVALID, "[channel.%s] needs from",
                           ch->name);
        if (!get(ch, "to"))
            return err_set(err, ERR_INVALID, "[channel.%s] needs to", ch->name);
        if (get(ch, "starttls") && get_bool(ch, "starttls") < 0)
            return err_set(err, ERR_INVALID,
                           "[channel.%s] starttls must be true or false",
                           ch->name);
        return 0;
    }
    return err_set(err, ERR_INVALID,
                   "[channel.%s] type must be slack, teams, email, pagerduty "
                   "or webhook",
                   ch->name);
}

int notify_config_check(const config *cfg, errmsg *err)
{
    for (size_t i = 0; i < cfg->nchannels; i++)
        if (channel_check(cfg, &cfg->channels[i], err) < 0)
            return ERR_INVALID;
    return 0;
}

int notify_channel_check(const config *cfg, const cfg_channel *ch, errmsg *err)
{
    return channel_check(cfg, ch, err);
}

static int post_json(notify_result *res, const config *cfg,
                     const cfg_channel *ch, const char *url, const buf *body,
                     const char *const *extra, size_t nextra,
                     const atomic_int *stop)
{
    const char *headers[8];
    size_t n = 0;
    notify_http_opts o = {timeout_ms(ch), cfg->allow_private, cfg->allow_http,
                          stop};

    headers[n++] = "Content-Type: application/json";
    for (size_t i = 0; i < nextra && n < sizeof headers / sizeof *headers; i++)
        headers[n++] = extra[i];
    return notify_http_post(res, url, buf_cstr(body), body->len, headers, n,
                            &o);
}

static int send_webhook(notify_result *res, const config *cfg,
                        const cfg_channel *ch, const notify_event *ev,
                        const buf *body, const atomic_int *stop)
{
    char h_id[128], h_ts[64];
    buf h_sig = {0};
    const char *extra[3] = {h_id, h_ts, NULL};
    /* The real clock: receivers check the timestamp against theirs. */
    int64_t ts = time_now();
    errmsg e = {0};

    /* One signature per configured key (rotation). */
    buf_puts(&h_sig, "webhook-signature: ");
    if (notify_webhook_sign_all(&h_sig, get(ch, "secret"), ev->uid, ts,
                                buf_cstr(body), body->len, &e) < 0) {
        res->outcome = NOTIFY_FAIL;
        str_copy(res->error, sizeof res->error, e.msg);
        buf_dispose(&h_sig);
        return res->outcome;
    }
    snprintf(h_id, sizeof h_id, "webhook-id: %s", ev->uid);
    snprintf(h_ts, sizeof h_ts, "webhook-timestamp: %lld", (long long)ts);
    extra[2] = buf_cstr(&h_sig);
    post_json(res, cfg, ch, get(ch, "url"), body, extra, 3, stop);
    buf_dispose(&h_sig);
    return res->outcome;
}

/* Adds addr to the recipients unless invalid or already there. */
static void rcpt_add(char ***list, size_t *n, size_t *cap, const char *addr)
{
    if (!addr || !notify_email_valid(addr))
        return;
    for (size_t i = 0; i < *n; i++)
        if (!str_casecmp((*list)[i], addr))
            return;
    xgrow(list, cap, *n + 1, sizeof **list);
    (*list)[(*n)++] = xstrdup(addr);
}

static int send_email(notify_result *res, const cfg_channel *ch,
                      const notify_event *ev, const notify_view *v,
                      const atomic_int *stop)
{
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(ev->payload, "request");
    const char *to = get(ch, "to");
    char **rcpts = NULL, *from_addr = NULL;
    size_t n = 0, cap = 0;
    buf msg = {0};
    notify_smtp_opts o = {0};
    const char *url = get(ch, "smtp_url");
    int starttls = get_bool(ch, "starttls");

    /* to: addresses, "requester", "pm" and "recipient" (the account an
       account.reset link is for). */
    while (to && *to) {
        size_t len = strcspn(to, ",");
        char *one = xstrndup(to, len), *word = str_trim_dup(one);
        const cJSON *v2 = NULL;
        if (!strcmp(word, "requester"))
            v2 = cJSON_GetObjectItemCaseSensitive(req, "requester_email");
        else if (!strcmp(word, "pm"))
            v2 = cJSON_GetObjectItemCaseSensitive(req, "project_manager");
        else if (!strcmp(word, "recipient"))
            v2 = cJSON_GetObjectItemCaseSensitive(ev->payload, "recipient");
        if (!strcmp(word, "requester") || !strcmp(word, "pm") ||
            !strcmp(word, "recipient")) {
            if (cJSON_IsString(v2))
                rcpt_add(&rcpts, &n, &cap, v2->valuestring);
        } else {
            rcpt_add(&rcpts, &n, &cap, word);
        }
        free(one);
        free(word);
        to += len;
        if (*to == ',')
            to++;
    }
    if (!n) {
        res->outcome = NOTIFY_FAIL;
        str_copy(res->error, sizeof res->error,
                 "no valid recipient for this event");
        goto done;
    }
    {
        /* The envelope sender: the address part of "Name <addr>". */
        const char *from = get(ch, "from");
        const char *lt = strrchr(from, '<'), *gt = strrchr(from, '>');
        if (lt && gt && gt > lt)
            from_addr = xstrndup(lt + 1, (size_t)(gt - lt - 1));
        else
            from_addr = str_trim_dup(from);
    }
    if (!notify_email_valid(from_addr)) {
        res->outcome = NOTIFY_FAIL;
        str_copy(res->error, sizeof res->error,
                 "the from address is not a valid e-mail address");
        goto done;
    }
    notify_render_email(&msg, v, ev, get(ch, "from"),
                        (const char *const *)rcpts, n, time_now());
    o.timeout_ms = timeout_ms(ch);
    o.starttls = starttls < 0 ? str_startswith(url, "smtp://") : starttls;
    o.username = get(ch, "username");
    o.password = get(ch, "password");
    o.ca_file = get(ch, "ca_file");
    o.stop = stop;
    notify_smtp_send(res, url, from_addr, (const char *const *)rcpts, n,
                     buf_cstr(&msg), msg.len, &o);
done:
    for (size_t i = 0; i < n; i++)
        free(rcpts[i]);
    free(rcpts);
    free(from_addr);
    buf_dispose(&msg);
    return res->outcome;
}

int notify_channel_send(notify_result *res, const config *cfg,
                        const cfg_channel *ch, const notify_event *ev,
                        const atomic_int *stop)
{
    notify_view v;
    buf body = {0};
    errmsg e = {0};
    const char *t = ch->type ? ch->type : "";

    memset(res, 0, sizeof *res);
    res->retry_after = -1;
    if (channel_check(cfg, ch, &e) < 0) {
        res->outcome = NOTIFY_FAIL;
        str_copy(res->error, sizeof res->error, e.msg);
        return res->outcome;
    }
    notify_view_build(&v, ev, cfg->base_url);
    if (!strcmp(t, "slack")) {
        notify_render_slack(&body, &v);
        post_json(res, cfg, ch, get(ch, "url"), &body, NULL, 0, stop);
    } else if (!strcmp(t, "teams")) {
        if (notify_render_teams(&body, &v, NOTIFY_TEAMS_MAX) < 0) {
            res->outcome = NOTIFY_FAIL;
            str_copy(res->error, sizeof res->error,
                     "the card does not fit in 28 KB");
        } else {
            post_json(res, cfg, ch, get(ch, "url"), &body, NULL, 0, stop);
        }
    } else if (!strcmp(t, "pagerduty")) {
        int alert = get_bool(ch, "alerts") == 1 &&
                    !strcmp(ev->event, "delivery.failed");
        const char *url = alert ? get(ch, "alert_url") : get(ch, "url");
        notify_render_pagerduty(&body, &v, ev, get(ch, "routing_key"), alert);
        post_json(res, cfg, ch,
                  url ? url : (alert ? PD_ALERT_URL : PD_CHANGE_URL), &body,
                  NULL, 0, stop);
    } else if (!strcmp(t, "webhook")) {
        notify_render_webhook(&body, &v, ev);
        send_webhook(res, cfg, ch, ev, &body, stop);
    } else if (!strcmp(t, "email")) {
        send_email(res, ch, ev, &v, stop);
    }
    notify_view_dispose(&v);
    buf_dispose(&body);
    return res->outcome;
}
