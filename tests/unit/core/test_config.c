/* Tests of core/config.c: precedence (defaults < file < environment <
 * flags), validation messages, channels, routes and ${...} expansion. */
#include "fixture.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[256];

static void write_file(const char *text)
{
    snprintf(path, sizeof path, "/tmp/docket-config-test-%d.ini",
             (int)getpid());
    ufx_write_file(path, text);
}

/* A configuration of file text (none when NULL) and then key = value of
 * [server] (none when NULL) is refused with ERR_INVALID: by the load of
 * the file, or (at_finish) by cfg_finish after a load and a set that
 * succeed; the message contains msg and also (when not NULL). */
static void refused(const char *text, const char *key, const char *value,
                    int at_finish, const char *msg, const char *also)
{
    config c;
    errmsg err = {0};
    int rc = 0;

    cfg_init(&c);
    if (text) {
        write_file(text);
        rc = cfg_load_file(&c, path, &err);
    }
    if (key)
        assert_int_equal(cfg_set(&c, "server", key, value, &err), 0);
    if (at_finish) {
        assert_int_equal(rc, 0);
        rc = cfg_finish(&c, &err);
    }
    assert_int_equal(rc, ERR_INVALID);
    assert_non_null(strstr(err.msg, msg));
    if (also)
        assert_non_null(strstr(err.msg, also));
    cfg_dispose(&c);
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    unsetenv("DOCKET_LISTEN");
    unsetenv("DOCKET_DB");
    unsetenv("DOCKET_THREADS");
    unsetenv("TEST_SLACK_URL");
    return 0;
}

static void test_config__defaults(void **state)
{
    config c;
    errmsg err = {0};

    (void)state;
    cfg_init(&c);
    assert_int_equal(cfg_finish(&c, &err), 0);
    assert_string_equal(c.listen, "127.0.0.1:8080");
    assert_string_equal(c.db, "docket.db");
    assert_string_equal(c.base_url, "http://127.0.0.1:8080");
    assert_int_equal(c.session_idle_minutes, 30);
    assert_int_equal(c.session_lifetime_hours, 12);
    assert_int_equal(c.deploy_weekday, 2);
    assert_int_equal(c.sprint_days, 14);
    cfg_dispose(&c);
}

static void test_config__precedence_file_env_flag(void **state)
{
    config c;
    errmsg err = {0};

    (void)state;
    write_file("[server]\nlisten = 127.0.0.1:9000\ndb = file.db\n"
               "threads = 3\n");
    setenv("DOCKET_DB", "env.db", 1);
    setenv("DOCKET_THREADS", "5", 1);
    cfg_init(&c);
    assert_int_equal(cfg_load_file(&c, path, &err), 0);
    assert_string_equal(c.db, "file.db");
    assert_int_equal(cfg_load_env(&c, &err), 0);
    assert_string_equal(c.listen, "127.0.0.1:9000"); /* file wins default */
    assert_string_equal(c.db, "env.db");             /* env wins file */
    assert_int_equal(c.threads, 5);
    assert_int_equal(cfg_set(&c, "server", "db", "flag.db", &err), 0);
    assert_string_equal(c.db, "flag.db"); /* flag wins env */
    cfg_dispose(&c);
}

static void test_config__bad_value_names_file_and_line(void **state)
{
    (void)state;
    refused("[server]\nlisten = 127.0.0.1:9000\nthreads = lots\n", NULL, NULL,
            0, ":3:", "server.threads");
}

static void test_config__unknown_key_is_an_error(void **state)
{
    (void)state;
    refused("[server]\nlisten_on = 1\n", NULL, NULL, 0,
            "unknown setting server.listen_on", NULL);
}

static void test_config__bad_listen_refused_by_finish(void **state)
{
    (void)state;
    refused(NULL, "listen", "nowhere", 1, "ADDR:PORT", NULL);
}

static void test_config__channels_routes_and_secrets(void **state)
{
    config c;
    errmsg err = {0};
    const cfg_channel *ch;
    const cfg_route *r;

    (void)state;
    setenv("TEST_SLACK_URL", "https://hooks.example/T1/B2/xyz", 1);
    write_file("[channel.ops-slack]\ntype = slack\nurl = ${TEST_SLACK_URL}\n"
               "[channel.pm-mail]\ntype = email\nto = pm\n"
               "[route]\nrequest.deployed = ops-slack, pm-mail\n");
    cfg_init(&c);
    assert_int_equal(cfg_load_file(&c, path, &err), 0);
    assert_int_equal(cfg_finish(&c, &err), 0);
    ch = cfg_channel_find(&c, "ops-slack");
    assert_non_null(ch);
    assert_string_equal(ch->type, "slack");
    assert_string_equal(cfg_channel_get(ch, "url"),
                        "https://hooks.example/T1/B2/xyz");
    r = cfg_route_find(&c, "request.deployed");
    assert_non_null(r);
    assert_int_equal(r->nchannels, 2);
    assert_string_equal(r->channels[1], "pm-mail");
    cfg_dispose(&c);
}

static void test_config__missing_env_secret_is_an_error(void **state)
{
    (void)state;
    unsetenv("TEST_SLACK_URL");
    refused("[channel.ops-slack]\ntype = slack\nurl = ${TEST_SLACK_URL}\n",
            NULL, NULL, 0, "TEST_SLACK_URL is not set", NULL);
}

static void test_config__route_to_unknown_channel(void **state)
{
    (void)state;
    refused("[route]\nrequest.submitted = nowhere\n", NULL, NULL, 1,
            "unknown channel nowhere", NULL);
}

static void test_config__weekday_names(void **state)
{
    config c;
    errmsg err = {0};

    (void)state;
    cfg_init(&c);
    assert_int_equal(cfg_set(&c, "sprints", "deploy_weekday", "Thursday", &err),
                     0);
    assert_int_equal(c.deploy_weekday, 4);
    assert_int_equal(cfg_set(&c, "sprints", "deploy_weekday", "mon", &err), 0);
    assert_int_equal(c.deploy_weekday, 1);
    assert_int_equal(cfg_set(&c, "sprints", "deploy_weekday", "someday", &err),
                     ERR_INVALID);
    cfg_dispose(&c);
}

/* notify.inbox_email after cfg_finish: the channel of file text. */
static void inbox_email_is(const char *text, const char *want)
{
    config c;
    errmsg err = {0};

    write_file(text);
    cfg_init(&c);
    assert_int_equal(cfg_load_file(&c, path, &err), 0);
    if (cfg_finish(&c, &err) < 0)
        fail_msg("%s", err.msg);
    assert_string_equal(c.inbox_email, want);
    cfg_dispose(&c);
}

static void test_config__inbox_email_channel(void **state)
{
    static const char chans[] =
        "[channel.ops-slack]\ntype = slack\nurl = https://h.example/x\n"
        "[channel.pm-mail]\ntype = email\nto = pm\n"
        "[channel.ops-mail]\ntype = email\nto = ops@x.example\n";
    char text[512];

    (void)state;
    /* Unset: the first e-mail channel; none without one. */
    inbox_email_is(chans, "pm-mail");
    inbox_email_is("[channel.ops-slack]\ntype = slack\nurl = https://h.e/x\n",
                   "");
    snprintf(text, sizeof text, "%s[notify]\ninbox_email = ops-mail\n", chans);
    inbox_email_is(text, "ops-mail");
    snprintf(text, sizeof text, "%s[notify]\ninbox_email = none\n", chans);
    inbox_email_is(text, "");
    /* Only an e-mail channel can carry it. */
    snprintf(text, sizeof text, "%s[notify]\ninbox_email = ops-slack\n", chans);
    refused(text, NULL, NULL, 1, "inbox_email must name an e-mail channel",
            "ops-slack");
    snprintf(text, sizeof text, "%s[notify]\ninbox_digest_time = 7am\n", chans);
    refused(text, NULL, NULL, 1, "inbox_digest_time must be HH:MM", NULL);
    /* A user's digest is never posted to a shared channel. */
    refused("[route]\ninbox.digest = ops-slack\n", NULL, NULL, 0,
            "inbox.digest cannot be routed", NULL);
}

UFX_MAIN(
    cmocka_unit_test_teardown(test_config__defaults, teardown),
    cmocka_unit_test_teardown(test_config__precedence_file_env_flag, teardown),
    cmocka_unit_test_teardown(test_config__bad_value_names_file_and_line,
                              teardown),
    cmocka_unit_test_teardown(test_config__unknown_key_is_an_error, teardown),
    cmocka_unit_test_teardown(test_config__bad_listen_refused_by_finish,
                              teardown),
    cmocka_unit_test_teardown(test_config__channels_routes_and_secrets,
                              teardown),
    cmocka_unit_test_teardown(test_config__missing_env_secret_is_an_error,
                              teardown),
    cmocka_unit_test_teardown(test_config__route_to_unknown_channel, teardown),
    cmocka_unit_test_teardown(test_config__weekday_names, teardown),
    cmocka_unit_test_teardown(test_config__inbox_email_channel, teardown))
