/* test_channel_types.c: the channel types are one enum with one name
 * table: every name maps to its type and back, anything else is
 * NOTIFY_CH_NONE, the default pacing comes from the table, and the
 * configuration check names the known types (from the same table) for an
 * unknown one. */
#include "notify_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

static void test_channel_types__names_round_trip(void **state)
{
    static const char *const names[] = {"slack", "teams", "email", "pagerduty",
                                        "webhook"};

    (void)state;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        notify_channel_type t = notify_channel_type_of(names[i]);
        assert_int_not_equal(t, NOTIFY_CH_NONE);
        assert_string_equal(notify_channel_type_name(t), names[i]);
    }
    assert_int_equal(notify_channel_type_of("slack"), NOTIFY_CH_SLACK);
    assert_int_equal(notify_channel_type_of("webhook"), NOTIFY_CH_WEBHOOK);
    assert_string_equal(notify_channel_type_name(NOTIFY_CH_NONE), "");
}

static void test_channel_types__unknown_is_none(void **state)
{
    (void)state;
    assert_int_equal(notify_channel_type_of(NULL), NOTIFY_CH_NONE);
    assert_int_equal(notify_channel_type_of(""), NOTIFY_CH_NONE);
    assert_int_equal(notify_channel_type_of("Slack"), NOTIFY_CH_NONE);
    assert_int_equal(notify_channel_type_of("sms"), NOTIFY_CH_NONE);
    assert_int_equal(notify_channel_type_of("slack "), NOTIFY_CH_NONE);
}

static void test_channel_types__default_pacing(void **state)
{
    cfg_channel ch;
    cfg_pair pace = {"pace_ms", "42"};

    (void)state;
    memset(&ch, 0, sizeof ch);
    ch.name = "c";
    ch.type = "slack";
    assert_int_equal(notify_channel_pace_ms(&ch), 1000);
    ch.type = "teams";
    assert_int_equal(notify_channel_pace_ms(&ch), 300);
    ch.type = "pagerduty";
    assert_int_equal(notify_channel_pace_ms(&ch), 500);
    ch.type = "email";
    assert_int_equal(notify_channel_pace_ms(&ch), 0);
    ch.type = "webhook";
    assert_int_equal(notify_channel_pace_ms(&ch), 0);
    ch.pairs = &pace;
    ch.npairs = 1;
    assert_int_equal(notify_channel_pace_ms(&ch), 42);
}

static void test_channel_types__unknown_type_is_refused(void **state)
{
    config cfg;
    cfg_channel ch;
    errmsg err = {0};

    (void)state;
    cfg_init(&cfg);
    memset(&ch, 0, sizeof ch);
    ch.name = "pager";
    ch.type = "sms";
    assert_int_equal(notify_channel_check(&cfg, &ch, &err), ERR_INVALID);
    assert_string_equal(err.msg, "[channel.pager] type must be slack, teams, "
                                 "email, pagerduty or webhook");
    err_clear(&err);
    ch.type = NULL;
    assert_int_equal(notify_channel_check(&cfg, &ch, &err), ERR_INVALID);
    cfg_dispose(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_channel_types__names_round_trip),
        cmocka_unit_test(test_channel_types__unknown_is_none),
        cmocka_unit_test(test_channel_types__default_pacing),
        cmocka_unit_test(test_channel_types__unknown_type_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
