/* channels.c: one adapter per channel type: reads the [channel.NAME]
 * keys (listed in notify.h), renders the event with render_*.c and sends
 * it with transport.c. Also the start-up check of the channel
 * configuration. */
#include "notify_int.h"
#include "log.h"
#include "mem.h"
#include "str.h"
#include "triage.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PD_CHANGE_URL "https://events.pagerduty.com/v2/change/enqueue"
#define PD_ALERT_URL  "https://events.pagerduty.com/v2/enqueue"

/* The one table of the channel types: the name of each and its default
 * pacing (minimum milliseconds between two sends). */
static const struct channel_type_info {
    const char *name;
    int pace_ms;
} channel_types[NOTIFY_NCHANNEL_TYPES] = {
    [NOTIFY_CH_NONE] = {"", 0},
    [NOTIFY_CH_SLACK] = {"slack", 1000}, /* 1 message per second per hook */
    [NOTIFY_CH_TEAMS] = {"teams", 300},  /* under 4 per second */
    [NOTIFY_CH_EMAIL] = {"email", 0},
    [NOTIFY_CH_PAGERDUTY] = {"pagerduty", 500}, /* 2 per second */
    [NOTIFY_CH_WEBHOOK] = {"webhook", 0},
};

notify_channel_type notify_channel_type_of(const char *name)
{
    if (!name || !*name)
        return NOTIFY_CH_NONE;
    for (int t = NOTIFY_CH_NONE + 1; t < NOTIFY_NCHANNEL_TYPES; t++)
        if (!strcmp(name, channel_types[t].name))
            return (notify_channel_type)t;
    return NOTIFY_CH_NONE;
}

const char *notify_channel_type_name(notify_channel_type t)
{
    assert(t >= NOTIFY_CH_NONE && t < NOTIFY_NCHANNEL_TYPES);
    return channel_types[t].name;
}

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
    return channel_types[notify_channel_type_of(ch->type)].pace_ms;
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

static int check_webhook(const config *cfg, const cfg_channel *ch, errmsg *err)
{
    buf sig = {0};
    errmsg e = {0};
    int rc;

    if (url_check(cfg, ch, "url", get(ch, "url"), err) < 0)
        return ERR_INVALID;
    if (!get(ch, "secret"))
        return err_set(err, ERR_INVALID, "[channel.%s] needs secret", ch->name);
    rc = notify_webhook_sign_all(&sig, get(ch, "secret"), "x", 0, "", 0, &e);
    buf_dispose(&sig);
    if (rc < 0)
        return err_set(err, ERR_INVALID,
                       "[channel.%s] secret: %s (several keys are "
                       "separated by spaces)",
                       ch->name, e.msg);
    return 0;
}

static int check_pagerduty(const config *cfg, const cfg_channel *ch,
                           errmsg *err)
{
    const char *key = get(ch, "routing_key");

    if (!key || strlen(key) != 32)
        return err_set(err, ERR_INVALID,
                       "[channel.%s] routing_key must be the 32-character "
                       "integration key",
                       ch->name);
    if (get(ch, "url") && url_check(cfg, ch, "url", get(ch, "url"), err) < 0)
        return ERR_INVALID;
    if (get(ch, "alert_url") &&
        url_check(cfg, ch, "alert_url", get(ch, "alert_url"), err) < 0)
        return ERR_INVALID;
    if (get(ch, "alerts") && get_bool(ch, "alerts") < 0)
        return err_set(err, ERR_INVALID,
                       "[channel.%s] alerts must be true or false", ch->name);
    return 0;
}

static int check_email(const cfg_channel *ch, errmsg *err)
{
    const char *url = get(ch, "smtp_url");

    if (!url ||
        !(str_startswith(url, "smtp://") || str_startswith(url, "smtps://")))
        return err_set(err, ERR_INVALID,
                       "[channel.%s] smtp_url must be smtp://HOST:PORT "
                       "or smtps://HOST:PORT",
                       ch->name);
    if (!get(ch, "from"))
        return err_set(err, ERR_INVALID, "[channel.%s] needs from", ch->name);
    if (!get(ch, "to"))
        return err_set(err, ERR_INVALID, "[channel.%s] needs to", ch->name);
    if (get(ch, "starttls") && get_bool(ch, "starttls") < 0)
        return err_set(err, ERR_INVALID,
                       "[channel.%s] starttls must be true or false", ch->name);
    return 0;
}

/* ERR_INVALID naming the known types, from the table. */
static int unknown_type(const cfg_channel *ch, errmsg *err)
{
    buf names = {0};
    int rc;

    for (int t = NOTIFY_CH_NONE + 1; t < NOTIFY_NCHANNEL_TYPES; t++) {
        if (t > NOTIFY_CH_NONE + 1)
            buf_puts(&names, t + 1 < NOTIFY_NCHANNEL_TYPES ? ", " : " or ");
        buf_puts(&names, channel_types[t].name);
    }
    rc = err_set(err, ERR_INVALID, "[channel.%s] type must be %s", ch->name,
                 buf_cstr(&names));
    buf_dispose(&names);
    return rc;
}

/* Checks one channel's keys; ERR_INVALID naming the key. */
static int channel_check(const config *cfg, const cfg_channel *ch, errmsg *err)
{
    int n;

    if (get(ch, "timeout") && str_to_int(&n, get(ch, "timeout"), 1, 120) < 0)
        return err_set(err, ERR_INVALID,
                       "[channel.%s] timeout must be 1 to 120 seconds",
                       ch->name);
    if (get(ch, "pace_ms") && str_to_int(&n, get(ch, "pace_ms"), 0, 60000) < 0)
        return err_set(err, ERR_INVALID,
                       "[channel.%s] pace_ms must be 0 to 60000", ch->name);
    switch (notify_channel_type_of(ch->type)) {
    case NOTIFY_CH_SLACK:
    case NOTIFY_CH_TEAMS: return url_check(cfg, ch, "url", get(ch, "url"), err);
    case NOTIFY_CH_WEBHOOK: return check_webhook(cfg, ch, err);
    case NOTIFY_CH_PAGERDUTY: return check_pagerduty(cfg, ch, err);
    case NOTIFY_CH_EMAIL: return check_email(ch, err);
    case NOTIFY_CH_NONE: break;
    }
    return unknown_type(ch, err);
}

int notify_config_check(const config *cfg, errmsg *err)
{
    for (size_t i = 0; i < cfg->nchannels; i++)
        if (channel_check(cfg, &cfg->channels[i], err) < 0)
            return ERR_INVALID;
    /* a misspelt event would route nothing, silently */
    for (size_t i = 0; i < cfg->nroutes; i++)
        if (registry_event_parse(cfg->routes[i].event) == EV_NONE)
            return err_set(err, ERR_INVALID,
                           "[route] %.60s is not an event docket sends "
                           "(request.*, deploy.digest, delivery.failed, "
                           "registry.changed, account.reset, feed.missing, "
                           "feed.recovered, feed.failed, feed.anomaly, "
                           "registry.drift)",
                           cfg->routes[i].event);
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

/* A permanent failure with message why; returns NOTIFY_FAIL. */
static int result_fail(notify_result *res, const char *why)
{
    res->outcome = NOTIFY_FAIL;
    str_copy(res->error, sizeof res->error, why);
    return res->outcome;
}

static int send_pagerduty(notify_result *res, const config *cfg,
                          const cfg_channel *ch, const notify_event *ev,
                          const notify_view *v, const atomic_int *stop)
{
    /* a feed alert is always an alert (routing it to PagerDuty asks for
       one); delivery.failed only with alerts = true */
    int alert = v->pd_action != NULL || (get_bool(ch, "alerts") == 1 &&
                                         !strcmp(ev->event, "delivery.failed"));
    const char *url = alert ? get(ch, "alert_url") : get(ch, "url");
    buf body = {0};

    notify_render_pagerduty(&body, v, ev, get(ch, "routing_key"), alert);
    post_json(res, cfg, ch, url ? url : (alert ? PD_ALERT_URL : PD_CHANGE_URL),
              &body, NULL, 0, stop);
    buf_dispose(&body);
    return res->outcome;
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
        buf_dispose(&h_sig);
        return result_fail(res, e.msg);
    }
    snprintf(h_id, sizeof h_id, "webhook-id: %s", ev->uid);
    snprintf(h_ts, sizeof h_ts, "webhook-timestamp: %lld", (long long)ts);
    extra[2] = buf_cstr(&h_sig);
    post_json(res, cfg, ch, get(ch, "url"), body, extra, 3, stop);
    buf_dispose(&h_sig);
    return res->outcome;
}

/* The words of the to key that stand for an address in the event: the
 * request's requester and project manager, and the account an
 * account.reset link is for. */
static const struct rcpt_word {
    const char *word;
    const char *key; /* in the payload's "request" object, or the payload */
    int in_request;
} rcpt_words[] = {{"requester", "requester_email", 1},
                  {"pm", "project_manager", 1},
                  {"recipient", "recipient", 0}};

/* The rcpt_words entry of word, or NULL when word is an address. */
static const struct rcpt_word *rcpt_word_find(const char *word)
{
    for (size_t i = 0; i < sizeof rcpt_words / sizeof *rcpt_words; i++)
        if (!strcmp(word, rcpt_words[i].word))
            return &rcpt_words[i];
    return NULL;
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
       account.reset link is for); an inbox e-mail goes to its one user. */
    if (ev->recipient && *ev->recipient)
        to = ev->recipient;
    while (to && *to) {
        size_t len = strcspn(to, ",");
        char *one = xstrndup(to, len), *word = str_trim_dup(one);
        const struct rcpt_word *w = rcpt_word_find(word);
        if (w) {
            const cJSON *v2 = cJSON_GetObjectItemCaseSensitive(
                w->in_request ? req : ev->payload, w->key);
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
        result_fail(res, "no valid recipient for this event");
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
        result_fail(res, "the from address is not a valid e-mail address");
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

    memset(res, 0, sizeof *res);
    res->retry_after = -1;
    if (channel_check(cfg, ch, &e) < 0)
        return result_fail(res, e.msg);
    notify_view_build(&v, ev, cfg->base_url);
    switch (notify_channel_type_of(ch->type)) {
    case NOTIFY_CH_SLACK:
        notify_render_slack(&body, &v);
        post_json(res, cfg, ch, get(ch, "url"), &body, NULL, 0, stop);
        break;
    case NOTIFY_CH_TEAMS:
        if (notify_render_teams(&body, &v, NOTIFY_TEAMS_MAX) < 0)
            result_fail(res, "the card does not fit in 28 KB");
        else
            post_json(res, cfg, ch, get(ch, "url"), &body, NULL, 0, stop);
        break;
    case NOTIFY_CH_PAGERDUTY: send_pagerduty(res, cfg, ch, ev, &v, stop); break;
    case NOTIFY_CH_WEBHOOK:
        notify_render_webhook(&body, &v, ev);
        send_webhook(res, cfg, ch, ev, &body, stop);
        break;
    case NOTIFY_CH_EMAIL: send_email(res, ch, ev, &v, stop); break;
    case NOTIFY_CH_NONE: break; /* refused by channel_check above */
    }
    notify_view_dispose(&v);
    buf_dispose(&body);
    return res->outcome;
}
