/* test_notify_admin.c: turning a notification channel off and on again
 * over real HTTP (/admin/deliveries, POST with the CSRF token, admins
 * only) and with `docket notify enable|disable CHANNEL [--resend]`: the
 * channel state, the resent dead deliveries (only those that died while
 * the channel was off) and the audit rows. Delivery itself (a 410
 * disabling, the resent rows arriving in order) is test_notify_loopback.c.
 * The channel points at a closed loopback port: the server's worker only
 * ever sees connection refused, a retry. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static h_server srv;
static const char *pw = "correct horse battery";

static int group_setup(void **state)
{
    *state = &srv;
    h_server_start(&srv, "[notify]\nallow_http = true\nallow_private = true\n"
                         "[channel.hook]\ntype = webhook\n"
                         "url = http://127.0.0.1:9/hooks/docket\n"
                         "secret = whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n");
    h_user(&srv, "pm@docket.example", "Pat PM", "pm", NULL, pw);
    h_user(&srv, "root@docket.example", "Ada Admin", "admin", NULL, pw);
    return 0;
}

static int64_t disabled(void)
{
    return h_db_int(&srv, "SELECT coalesce((SELECT disabled FROM "
                          "channel_state WHERE channel = 'hook'), 0)");
}

/* A dead delivery of channel hook, last changed at updated_at (SQL). */
static void dead_row(const char *uid, const char *updated_at)
{
    char sql[700];

    snprintf(sql, sizeof sql,
             "INSERT INTO events(uid, event, payload, created_at) VALUES "
             "('%s', 'request.updated', '{}', 1000);"
             "INSERT INTO outbox(event_id, channel, attempts, next_attempt,"
             " state, last_error, created_at, updated_at) VALUES "
             "(last_insert_rowid(), 'hook', 1, 1000, 'dead', 'not sent', "
             "1000, %s);",
             uid, updated_at);
    h_db_exec(&srv, sql);
}

static int64_t state_of(const char *uid, const char *state)
{
    char sql[300];

    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM outbox o JOIN events e ON e.id = "
             "o.event_id WHERE e.uid = '%s' AND o.state = '%s'",
             uid, state);
    return h_db_int(&srv, sql);
}

static void test_notify_admin__page_enable_resend(void **state)
{
    h_session admin, pm;
    h_resp r = {0};
    static const char body[] = "channel=hook&resend=1";
    char path[96];

    (void)state;
    memset(&admin, 0, sizeof admin);
    memset(&pm, 0, sizeof pm);
    h_db_exec(&srv, "INSERT OR REPLACE INTO channel_state(channel, disabled,"
                    " reason, updated_at) VALUES ('hook', 1, 'channel "
                    "disabled: HTTP 410: gone', 2000)");
    dead_row("page-before", "1500"); /* died before: not resent */
    dead_row("page-gone", "2000");   /* the 410 */
    dead_row("page-after", "2100");  /* not sent while off */
    assert_int_equal(h_signin(&admin, &srv, "root@docket.example", pw), 303);
    assert_int_equal(h_signin(&pm, &srv, "pm@docket.example", pw), 303);

    h_get_expect(&srv, &admin, "/admin/deliveries", 200,
                 "action=\"/admin/deliveries/enable\"",
                 "Enable and resend 2 dead deliveries", "HTTP 410: gone", NULL);

    /* Not an admin: 403, nothing changes. */
    h_post_form(&r, &srv, &pm, "/admin/deliveries/enable", body);
    assert_int_equal(r.status, 403);
    h_resp_free(&r);
    /* No CSRF token: 403. */
    h_request(&r, &srv, &admin, "POST", "/admin/deliveries/enable",
              "application/x-www-form-urlencoded", body, strlen(body), NULL);
    assert_int_equal(r.status, 403);
    h_resp_free(&r);
    assert_int_equal(disabled(), 1);
    assert_int_equal(state_of("page-after", "dead"), 1);
    /* "Retry now" on a row of the disabled channel: 409, the row stays. */
    snprintf(path, sizeof path, "/admin/deliveries/%lld/retry",
             (long long)h_db_int(&srv, "SELECT o.id FROM outbox o JOIN events "
                                       "e ON e.id = o.event_id WHERE e.uid = "
                                       "'page-after'"));
    h_post_form(&r, &srv, &admin, path, "");
    assert_int_equal(r.status, 409);
    h_resp_free(&r);
    assert_int_equal(state_of("page-after", "dead"), 1);
    /* No such channel: 404. */
    h_post_form(&r, &srv, &admin, "/admin/deliveries/enable", "channel=nope");
    assert_int_equal(r.status, 404);
    h_resp_free(&r);

    h_post_form(&r, &srv, &admin, "/admin/deliveries/enable", body);
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    assert_int_equal(disabled(), 0);
    assert_int_equal(state_of("page-before", "dead"), 1);
    assert_int_equal(state_of("page-gone", "dead"), 0);
    assert_int_equal(state_of("page-after", "dead"), 0);
    assert_int_equal(
        h_db_int(&srv, "SELECT count(*) FROM audit_log WHERE action = "
                       "'channel.enable' AND target = 'hook' AND actor = "
                       "'root@docket.example' AND detail = 'resent 2'"),
        1);

    h_post_form(&r, &srv, &admin, "/admin/deliveries/disable", "channel=hook");
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    assert_int_equal(disabled(), 1);
    assert_int_equal(
        h_db_int(&srv, "SELECT count(*) FROM audit_log WHERE action = "
                       "'channel.disable' AND target = 'hook' AND actor = "
                       "'root@docket.example'"),
        1);
    h_get_expect(&srv, &admin, "/admin/deliveries", 200,
                 "disabled by root@docket.example", NULL);
    /* Enabled again without resend for the next test. */
    h_post_form(&r, &srv, &admin, "/admin/deliveries/enable", "channel=hook");
    assert_int_equal(r.status, 303);
    h_resp_free(&r);
    assert_int_equal(disabled(), 0);
}

static void test_notify_admin__cli_enable_disable(void **state)
{
    char *out = NULL;

    (void)state;
    /* The rows the page test resent are still being tried (and die when
       the channel goes off, at a moment the worker chooses): out of the
       way, so the count below is this test's row alone. */
    h_db_exec(&srv, "DELETE FROM outbox WHERE channel = 'hook'");
    assert_int_equal(
        h_docket(&srv, NULL, &out, "notify", "disable", "hook", NULL), 0);
    free(out);
    assert_int_equal(disabled(), 1);
    dead_row("cli-off", "(SELECT updated_at FROM channel_state WHERE "
                        "channel = 'hook')");
    assert_int_not_equal(
        h_docket(&srv, NULL, &out, "notify", "enable", "nope", NULL), 0);
    free(out);
    assert_int_equal(h_docket(&srv, NULL, &out, "notify", "enable", "hook",
                              "--resend", NULL),
                     0);
    assert_non_null(strstr(out, "1 dead delivery queued again"));
    free(out);
    assert_int_equal(disabled(), 0);
    assert_int_equal(state_of("cli-off", "dead"), 0);
    assert_int_equal(
        h_db_int(&srv, "SELECT count(*) FROM audit_log WHERE actor = 'cli'"
                       " AND target = 'hook' AND action IN "
                       "('channel.disable', 'channel.enable')"),
        2);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_notify_admin__page_enable_resend),
    cmocka_unit_test(test_notify_admin__cli_enable_disable),
};

int main(void)
{
    return cmocka_run_group_tests(tests, group_setup, h_group_down);
}
