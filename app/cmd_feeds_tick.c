/* cmd_feeds_tick.c: `docket feeds tick [--at T]`: the feed alerts' tick
 * of the server's minute clock (cmd_serve.c), once, on the local
 * database: for cron beside or instead of a server, and for tests that
 * drive a simulated night. The rules are domain/feed_alerts.h's; an
 * alert a server (or another tick) already raised is not raised again.
 * Prints what it raised and pruned; exit 0, 2 usage, 3 failure. */
#include "app.h"
#include "feed_alerts.h"
#include "str.h"

#include <stdio.h>
#include <string.h>

static const char feeds_usage[] = "docket feeds tick [--at T]";

int cmd_feeds(app_args *a)
{
    const char *at_s = app_opt(a, "--at");
    domain_feeds_tick_result r;
    errmsg err = {0};
    registry *reg;
    int64_t at = 0;
    int rc;

    if (app_positionals(a, feeds_usage) != 1 || strcmp(a->argv[1], "tick"))
        return app_fail(EXIT_USAGE, "usage: %s", feeds_usage);
    if (at_s && (time_parse_iso(&at, at_s) < 0 || at <= 0))
        return app_fail(EXIT_USAGE, "--at is a UTC time in ISO 8601 "
                                    "(2026-03-03T04:52:00Z)");
    reg = app_open_db(REGISTRY_NOCREATE);
    if (!reg)
        return EXIT_USAGE;
    rc = domain_feeds_tick(reg, at, app_config.feeds_keep_days, &r, &err);
    registry_close(reg);
    for (size_t i = 0; i < r.n; i++) {
        char slot[32];
        time_iso(slot, sizeof slot, r.raised[i].slot_start);
        printf("%s %s/%s slot %s\n", domain_feed_alert_event(r.raised[i].kind),
               r.raised[i].instance, r.raised[i].table, slot);
    }
    if (rc == 0)
        printf("raised %zu alert%s; pruned %lld arrival%s\n", r.n,
               r.n == 1 ? "" : "s", (long long)r.pruned_arrivals,
               r.pruned_arrivals == 1 ? "" : "s");
    domain_feeds_tick_dispose(&r);
    if (rc < 0)
        return app_fail(EXIT_RUNTIME, "feeds tick: %s", err.msg);
    return 0;
}
