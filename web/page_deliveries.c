/* page_deliveries.c: /admin/deliveries, the notification deliveries of the
 * outbox (registry/outbox.h) with their state, attempts, last error and
 * when the next attempt is due, filters, "retry now" for dead rows and for
 * pending rows that wait (backoff, Retry-After), and per channel a test
 * message, the channel's redacted target, whether it is enabled (a 410
 * disables it) and a button to enable it again, optionally resending the
 * deliveries that died while it was off, or to disable it. */
#include "web_int.h"
#include "notify.h"
#include "outbox.h"
#include "str.h"

#include <stdio.h>
#include <string.h>

/* "next attempt at 2026-12-05 18:40:12 UTC (in 28 s)", or "due now". */
static void next_attempt(buf *o, int64_t t, int64_t now)
{
    char iso[32], shown[32];
    int64_t in = t - now;

    if (in <= 0) {
        buf_puts(o, "due now");
        return;
    }
    time_iso(iso, sizeof iso, t); /* 2026-12-05T18:40:12Z */
    str_copy(shown, sizeof shown, iso);
    shown[10] = ' ';
    shown[19] = '\0';
    buf_appendf(o, "next attempt at <time datetime=\"%s\">%s UTC</time> ", iso,
                shown);
    if (in < 120)
        buf_appendf(o, "(in %lld s)", (long long)in);
    else if (in < 7200)
        buf_appendf(o, "(in %lld min)", (long long)((in + 59) / 60));
    else
        buf_appendf(o, "(in %lld h)", (long long)((in + 1799) / 3600));
}

static void delivery_row(void *ctx, const registry_outbox_row *d)
{
    web_req *req = ctx;
    buf *o = &req->out;
    int waits = !strcmp(d->state, "pending") && d->next_attempt > time_now();

    buf_appendf(o, "<tr><td class=\"num\">%lld</td><td>", (long long)d->id);
    page_time(o, d->event_created_at);
    buf_puts(o, "</td><td><code>");
    buf_append_html(o, d->event);
    buf_puts(o, "</code>");
    if (d->request_id)
        buf_appendf(o, " <a href=\"/requests/%lld\">CR-%lld</a>",
                    (long long)d->request_id, (long long)d->request_id);
    buf_puts(o, "</td><td>");
    buf_append_html(o, d->channel);
    buf_puts(o, "</td><td><span class=\"badge ");
    buf_puts(o, !strcmp(d->state, "delivered") ? "optional"
                : !strcmp(d->state, "dead")    ? "required"
                                               : "muted");
    buf_puts(o, "\">");
    buf_append_html(o, d->state);
    buf_appendf(o, "</span></td><td class=\"num\">%d</td><td>", d->attempts);
    if (!strcmp(d->state, "pending"))
        next_attempt(o, d->next_attempt, time_now());
    else if (!strcmp(d->state, "delivered"))
        page_time(o, d->delivered_at);
    else
        buf_puts(o, "—");
    buf_puts(o, "</td><td>");
    if (d->last_status)
        buf_appendf(o, "%d ", d->last_status);
    buf_append_html(o, d->last_error);
    buf_puts(o, "</td><td>");
    if (!strcmp(d->state, "dead") || waits) {
        buf_appendf(o,
                    "<form method=\"post\" action=\"/admin/deliveries/%lld"
                    "/retry\">",
                    (long long)d->id);
        page_csrf_input(req);
        buf_puts(o, "<button class=\"button small\" type=\"submit\">Retry "
                    "now</button></form>");
    }
    buf_puts(o, "</td></tr>");
}

static void filter_select(web_req *req, const char *name, const char *label,
                          const char *const *choices, const char *current)
{
    buf *o = &req->out;

    buf_puts(o, "<label for=\"f-");
    buf_puts(o, name);
    buf_puts(o, "\">");
    buf_puts(o, label);
    buf_puts(o, "</label><select id=\"f-");
    buf_puts(o, name);
    buf_puts(o, "\" name=\"");
    buf_puts(o, name);
    buf_puts(o, "\"><option value=\"\">all</option>");
    for (int i = 0; choices[i]; i++) {
        buf_puts(o, "<option value=\"");
        buf_append_html(o, choices[i]);
        buf_puts(o, "\"");
        if (current && !strcmp(current, choices[i]))
            buf_puts(o, " selected");
        buf_puts(o, ">");
        buf_append_html(o, choices[i]);
        buf_puts(o, "</option>");
    }
    buf_puts(o, "</select>");
}

/* The enable / disable form of a channel: a disabled one offers to
 * resend the dead deliveries that died while it was off. */
static void channel_switch(web_req *req, const char *name, int disabled,
                           int64_t dead)
{
    buf *o = &req->out;

    buf_appendf(o, "<form method=\"post\" action=\"/admin/deliveries/%s\">",
                disabled ? "enable" : "disable");
    page_csrf_input(req);
    buf_puts(o, "<input type=\"hidden\" name=\"channel\" value=\"");
    buf_append_html(o, name);
    buf_puts(o, "\">");
    if (!disabled) {
        buf_puts(o, "<button class=\"button small\" type=\"submit\">"
                    "Disable</button></form>");
        return;
    }
    buf_puts(o, "<button class=\"button small\" type=\"submit\">Enable"
                "</button>");
    if (dead > 0)
        buf_appendf(o,
                    " <button class=\"button small\" type=\"submit\" "
                    "name=\"resend\" value=\"1\">Enable and resend %lld "
                    "dead deliver%s</button>",
                    (long long)dead, dead == 1 ? "y" : "ies");
    buf_puts(o, "</form>");
}

/* One row of the Channels table: name, type, redacted target, state
 * and the buttons. A negative ERR_* (in err) when its state cannot be
 * read. */
static int channel_row(web_req *req, const cfg_channel *ch, errmsg *err)
{
    buf *o = &req->out;
    const char *target = cfg_channel_get(ch, "url");
    char red[300], reason[200] = "";
    int disabled = 0, rc;
    int64_t since = 0, off_dead = 0;

    if (!target)
        target = cfg_channel_get(ch, "smtp_url");
    rc = registry_channel_state(req->reg, ch->name, &disabled, reason,
                                sizeof reason, &since, err);
    if (rc == 0 && disabled)
        rc =
            registry_channel_dead_while_off(req->reg, ch->name, &off_dead, err);
    if (rc < 0)
        return rc;
    buf_puts(o, "<tr><td>");
    buf_append_html(o, ch->name);
    buf_puts(o, "</td><td>");
    buf_append_html(o, ch->type);
    buf_puts(o, "</td><td><code>");
    buf_append_html(o, target ? notify_redact(target, red, sizeof red) : "—");
    buf_puts(o, "</code></td><td>");
    if (disabled) {
        buf_puts(o, "<span class=\"badge required\">disabled</span> ");
        buf_append_html(o, reason);
    } else {
        buf_puts(o, "<span class=\"badge optional\">enabled</span>");
        if (since && *reason) {
            buf_puts(o, " ");
            buf_append_html(o, reason);
        }
    }
    if (since) {
        buf_puts(o, " <span class=\"muted\">since ");
        page_time(o, since);
        buf_puts(o, "</span>");
    }
    buf_puts(o, "</td><td>");
    channel_switch(req, ch->name, disabled, off_dead);
    buf_puts(o, "<form method=\"post\" action=\"/admin/deliveries/test\">");
    page_csrf_input(req);
    buf_puts(o, "<input type=\"hidden\" name=\"channel\" value=\"");
    buf_append_html(o, ch->name);
    buf_puts(o, "\"><button class=\"button small\" type=\"submit\" "
                "data-busy>Send a test message</button></form></td></tr>");
    return 0;
}

/* The Channels card; a negative ERR_* (in err) when a channel's state
 * cannot be read. */
static int channels_card(web_req *req, errmsg *err)
{
    buf *o = &req->out;

    buf_puts(o, "<section class=\"card\" id=\"channels\"><h2>Channels</h2>");
    if (!req->cfg->nchannels) {
        buf_puts(o, "<p class=\"empty\">No channels are configured. Add "
                    "[channel.NAME] sections to the configuration file (see "
                    "the README).</p></section>");
        return 0;
    }
    buf_puts(o, "<div class=\"table-wrap\"><table class=\"table\"><thead>"
                "<tr><th scope=\"col\">Channel</th><th scope=\"col\">Type"
                "</th><th scope=\"col\">Target</th><th scope=\"col\">"
                "State</th><th scope=\"col\"><span class=\"sr-only\">"
                "Actions</span></th></tr></thead><tbody>");
    for (size_t i = 0; i < req->cfg->nchannels; i++)
        if (channel_row(req, &req->cfg->channels[i], err) < 0)
            return err->code;
    buf_puts(o, "</tbody></table></div></section>");
    return 0;
}

/* GET /admin/deliveries?state=&channel=&event=&before= */
static void page_deliveries(web_req *req)
{
    static const char *const states[] = {"pending", "delivered", "dead", NULL};
    const char *channels[65];
    registry_outbox_filter f = {0};
    const char *before = web_query(req, "before");
    int64_t pending = 0, delivered = 0, dead = 0;
    size_t nch = 0;
    buf *o = &req->out;
    errmsg err = {0};

    f.state = web_query(req, "state");
    f.channel = web_query(req, "channel");
    f.event = web_query(req, "event");
    if (f.state && !*f.state)
        f.state = NULL;
    if (f.channel && !*f.channel)
        f.channel = NULL;
    if (f.event && !*f.event)
        f.event = NULL;
    if (before)
        str_to_i64(&f.before_id, before);
    f.limit = 100;
    for (size_t i = 0; i < req->cfg->nchannels && nch < 64; i++)
        channels[nch++] = req->cfg->channels[i].name;
    channels[nch] = NULL;
    if (registry_outbox_counts(req->reg, &pending, &delivered, &dead, &err) <
        0) {
        web_reply_err(req, &err);
        return;
    }

    page_admin_begin(req, "Deliveries", "/admin/deliveries");
    buf_appendf(o,
                "<section class=\"card\"><h2>Notification deliveries</h2>"
                "<p class=\"muted\">%lld pending · %lld "
                "delivered · %lld dead</p>",
                (long long)pending, (long long)delivered, (long long)dead);
    buf_puts(o, "<form class=\"toolbar\" method=\"get\" "
                "action=\"/admin/deliveries\">");
    filter_select(req, "state", "State", states, f.state);
    filter_select(req, "channel", "Channel", channels, f.channel);
    buf_puts(o, "<label for=\"f-event\">Event</label><input id=\"f-event\" "
                "name=\"event\" value=\"");
    buf_append_html(o, f.event ? f.event : "");
    buf_puts(o, "\" placeholder=\"request.deployed\"><button class=\"button\" "
                "type=\"submit\">Filter</button></form><div "
                "class=\"table-wrap\"><table class=\"table\"><thead><tr><th "
                "scope=\"col\">#</th><th scope=\"col\">Event time</th><th "
                "scope=\"col\">Event</th><th scope=\"col\">Channel</th><th "
                "scope=\"col\">State</th><th scope=\"col\">Attempts</th><th "
                "scope=\"col\">Next / delivered</th><th scope=\"col\">Last "
                "error</th><th scope=\"col\"><span class=\"sr-only\">Actions"
                "</span></th></tr></thead><tbody>");
    if (registry_outbox_list(req->reg, &f, delivery_row, req, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    buf_puts(o, "</tbody></table></div></section>");

    if (channels_card(req, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    page_end(req);
}

/* POST /admin/deliveries/{id}/retry */
static void page_delivery_retry(web_req *req)
{
    errmsg err = {0};
    int64_t id = web_arg_id(req, 0);
    registry_outbox_row row = {0};
    int disabled = 0, rc;

    rc = id ? registry_outbox_get(req->reg, &row, id, &err) : ERR_NOTFOUND;
    if (web_found_or_reply(req, rc, &err, "No such delivery.") < 0)
        return;
    rc = registry_channel_disabled(req->reg, &disabled, NULL, 0, row.channel,
                                   &err);
    registry_outbox_row_dispose(&row);
    if (rc == 0 && disabled) {
        web_reply_error(req, 409,
                        "The channel is disabled: enable it first (its "
                        "Enable button below the deliveries).");
        return;
    }
    if (rc == 0)
        rc = registry_outbox_retry(req->reg, id, time_now(), &err);
    if (rc < 0) {
        web_reply_err(req, &err);
        return;
    }
    registry_audit(req->reg, req->user.id, req->user.email, "delivery.retry",
                   req->args[0], "", req->address);
    notify_wake();
    page_flash_set(req, "The delivery will be tried again now.");
    web_redirect(req, "/admin/deliveries");
}

/* POST /admin/deliveries/test: sends a test message now. This one request
 * does wait on the network, by the admin's explicit choice. */
static void page_delivery_test(web_req *req)
{
    const char *channel = web_field_get(req, "channel");
    errmsg err = {0};
    buf msg = {0};

    if (!channel || !cfg_channel_find(req->cfg, channel)) {
        web_reply_error(req, 404, "No such channel.");
        return;
    }
    if (notify_test_channel(req->cfg, channel, &err) < 0) {
        buf_puts(&msg, "Test message to ");
        buf_puts(&msg, channel);
        buf_puts(&msg, " failed: ");
        buf_puts(&msg, err.msg);
    } else {
        buf_puts(&msg, "Test message delivered to ");
        buf_puts(&msg, channel);
        buf_puts(&msg, ".");
    }
    registry_audit(req->reg, req->user.id, req->user.email, "channel.test",
                   channel, err.code ? "failed" : "delivered", req->address);
    page_flash_set(req, buf_cstr(&msg));
    buf_dispose(&msg);
    web_redirect(req, "/admin/deliveries");
}

/* POST /admin/deliveries/enable (channel, resend) and .../disable
 * (channel). */
static void channel_set(web_req *req, int enable)
{
    const char *channel = web_field_get(req, "channel");
    const char *resend = web_field_get(req, "resend");
    int want_resend = enable && resend && !strcmp(resend, "1");
    char detail[64] = "", actor[300];
    errmsg err = {0};
    int64_t n = 0;
    int rc;
    buf msg = {0};

    if (!channel || !cfg_channel_find(req->cfg, channel)) {
        web_reply_error(req, 404, "No such channel.");
        return;
    }
    str_copy(actor, sizeof actor, req->user.email);
    if (enable)
        rc = registry_channel_enable(req->reg, channel, want_resend, actor,
                                     time_now(), &n, &err);
    else {
        char why[320];
        snprintf(why, sizeof why, "disabled by %s", actor);
        rc = registry_channel_set_disabled(req->reg, channel, 1, why,
                                           time_now(), &err);
    }
    if (rc < 0) {
        web_reply_err(req, &err);
        return;
    }
    if (want_resend)
        snprintf(detail, sizeof detail, "resent %lld", (long long)n);
    registry_audit(req->reg, req->user.id, req->user.email,
                   enable ? "channel.enable" : "channel.disable", channel,
                   detail, req->address);
    buf_puts(&msg, "Channel ");
    buf_puts(&msg, channel);
    buf_puts(&msg, enable ? " enabled." : " disabled.");
    if (want_resend) {
        char more[96];
        snprintf(more, sizeof more, " %lld dead deliver%s will be sent again.",
                 (long long)n, n == 1 ? "y" : "ies");
        buf_puts(&msg, more);
    }
    if (enable)
        notify_wake();
    page_flash_set(req, buf_cstr(&msg));
    buf_dispose(&msg);
    web_redirect(req, "/admin/deliveries");
}

static void page_channel_enable(web_req *req)
{
    channel_set(req, 1);
}

static void page_channel_disable(web_req *req)
{
    channel_set(req, 0);
}

const web_route web_routes_deliveries[] = {
    WEB_ADMIN_ROUTE("GET", "/admin/deliveries", page_deliveries),
    WEB_ADMIN_ROUTE("POST", "/admin/deliveries/test", page_delivery_test),
    WEB_ADMIN_ROUTE("POST", "/admin/deliveries/enable", page_channel_enable),
    WEB_ADMIN_ROUTE("POST", "/admin/deliveries/disable", page_channel_disable),
    WEB_ADMIN_ROUTE("POST", "/admin/deliveries/{id}/retry",
                    page_delivery_retry),
    {NULL, NULL, 0, 0, NULL}};
