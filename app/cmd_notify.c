/* cmd_notify.c: `docket notify test CHANNEL` sends a test message now;
 * `docket notify run` delivers every due outbox row once (for cron-style
 * use when no server runs); `docket notify enable CHANNEL [--resend]` and
 * `docket notify disable CHANNEL` turn a channel on and off (a 410 Gone
 * turns it off by itself), both written to the audit log. */
#include "app.h"
#include "notify.h"
#include "outbox.h"
#include "str.h"

#include <stdio.h>
#include <string.h>

/* enable / disable CHANNEL: the channel must be configured. */
static int switch_channel(const char *channel, int enable, int resend)
{
    registry *reg;
    errmsg err = {0};
    int64_t n = 0, dead = 0;
    int disabled = 0, rc = 0;

    if (!cfg_channel_find(&app_config, channel))
        return app_fail(EXIT_USAGE, "no channel %s in the configuration",
                        channel);
    reg = app_open_db(REGISTRY_NOCREATE);
    if (!reg)
        return EXIT_USAGE;
    if (registry_channel_disabled(reg, &disabled, NULL, 0, channel, &err) < 0 ||
        registry_channel_dead_while_off(reg, channel, &dead, &err) < 0) {
        rc = app_fail(EXIT_RUNTIME, "%s", err.msg);
    } else if (enable) {
        if (registry_channel_enable(reg, channel, resend, "cli", time_now(), &n,
                                    &err) < 0) {
            rc = app_fail(EXIT_RUNTIME, "%s", err.msg);
        } else {
            char detail[64];
            snprintf(detail, sizeof detail, "resent %lld", (long long)n);
            registry_audit(reg, 0, "cli", "channel.enable", channel,
                           resend ? detail : "", "local");
            printf("channel %s enabled%s", channel,
                   disabled ? "" : " (it was not disabled)");
            if (resend)
                printf("; %lld dead deliver%s queued again\n", (long long)n,
                       n == 1 ? "y" : "ies");
            else if (dead)
                printf("; %lld deliver%s that died while it was off stay "
                       "dead (--resend sends them)\n",
                       (long long)dead, dead == 1 ? "y" : "ies");
            else
                printf("\n");
        }
    } else {
        if (registry_channel_set_disabled(reg, channel, 1, "disabled by cli",
                                          time_now(), &err) < 0) {
            rc = app_fail(EXIT_RUNTIME, "%s", err.msg);
        } else {
            registry_audit(reg, 0, "cli", "channel.disable", channel, "",
                           "local");
            printf("channel %s disabled%s\n", channel,
                   disabled ? " (it already was)" : "");
        }
    }
    registry_close(reg);
    return rc;
}

int cmd_notify(app_args *a)
{
    static const char u[] =
        "docket notify test CHANNEL | docket notify run | docket notify "
        "enable CHANNEL [--resend] | docket notify disable CHANNEL";
    int resend = app_flag(a, "--resend");
    int n = app_positionals(a, u), rc = 0, sent = 0;
    errmsg err = {0};
    notify_ctx *ctx;

    if (notify_config_check(&app_config, &err) < 0)
        return app_fail(EXIT_USAGE, "%s", err.msg);
    if (n == 2 && !strcmp(a->argv[1], "enable"))
        return switch_channel(a->argv[2], 1, resend);
    if (resend)
        return app_fail(EXIT_USAGE, "--resend goes with enable; usage: %s", u);
    if (n == 2 && !strcmp(a->argv[1], "disable"))
        return switch_channel(a->argv[2], 0, 0);
    if (n == 2 && !strcmp(a->argv[1], "test")) {
        if (notify_test_channel(&app_config, a->argv[2], &err) < 0)
            return app_fail(err.code == ERR_NET ? EXIT_RUNTIME : EXIT_USAGE,
                            "%s", err.msg);
        printf("test message delivered to %s\n", a->argv[2]);
        return 0;
    }
    if (n == 1 && !strcmp(a->argv[1], "run")) {
        registry *reg = app_open_db(REGISTRY_NOCREATE);
        if (!reg)
            return EXIT_USAGE;
        registry_close(reg); /* the file is there; each channel opens its own */
        ctx = notify_ctx_new(&app_config, app_config.db);
        if (notify_run_once(ctx, time_now(), &sent, &err) < 0)
            rc = app_fail(EXIT_RUNTIME, "%s", err.msg);
        else
            printf("%d notification%s delivered\n", sent, sent == 1 ? "" : "s");
        notify_ctx_free(ctx);
        return rc;
    }
    return app_fail(EXIT_USAGE, "usage: %s", u);
}
