/* cmd_notify.c: `docket notify test CHANNEL` sends a test message now;
 * `docket notify run` delivers every due outbox row once (for cron-style
 * use when no server runs). */
#include "app.h"
#include "notify.h"
#include "str.h"

#include <stdio.h>
#include <string.h>

int cmd_notify(app_args *a)
{
    static const char u[] = "docket notify test CHANNEL | docket notify run";
    int n = app_positionals(a, u), rc = 0, sent = 0;
    errmsg err = {0};
    notify_ctx *ctx;

    if (notify_config_check(&app_config, &err) < 0)
        return app_fail(EXIT_USAGE, "%s", err.msg);
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
