/* Tests of registry/events.c: the outbox rows of an event follow the
 * routes handed to registry_routes_set, not any global configuration. */
#include "fixture.h"
#include "registry_int.h"

/* Channels a and b; request.updated goes to both, request.deployed to b
 * (the routes of f->cfg, handed over by each test itself). */
static int setup(void **state)
{
    ufx *f = ufx_open("events");

    ufx_route(f, "request.updated", "a, b");
    ufx_route(f, "request.deployed", "b");
    registry_routes_set(NULL, 0);
    *state = f;
    return 0;
}

static int64_t outbox_rows(registry *reg, int64_t event_id, const char *chan)
{
    static const char sql[] = "SELECT count(*) FROM outbox WHERE event_id = "
                              ":event AND (:chan = '' OR channel = :chan)";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, NULL);
    int64_t n = -1;

    assert_non_null(st);
    reg_bind_int(st, ":event", event_id);
    reg_bind_text(st, ":chan", chan);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    reg_done(st);
    return n;
}

static int64_t add(registry *reg, const char *event)
{
    errmsg err = {0};
    int64_t id = 0;

    assert_int_equal(registry_begin(reg, &err), 0);
    assert_int_equal(registry_event_add(reg, &id, event, 0, "{}", &err), 0);
    assert_int_equal(registry_commit(reg, &err), 0);
    return id;
}

static void test_events__routes_given_fan_out(void **state)
{
    ufx *f = *state;
    int64_t id;

    registry_routes_set(f->cfg.routes, f->cfg.nroutes);
    id = add(f->reg, "request.updated");
    assert_int_equal(outbox_rows(f->reg, id, ""), 2);
    assert_int_equal(outbox_rows(f->reg, id, "a"), 1);
    assert_int_equal(outbox_rows(f->reg, id, "b"), 1);
    id = add(f->reg, "request.deployed");
    assert_int_equal(outbox_rows(f->reg, id, ""), 1);
    assert_int_equal(outbox_rows(f->reg, id, "b"), 1);
    id = add(f->reg, "request.submitted"); /* not routed */
    assert_int_equal(outbox_rows(f->reg, id, ""), 0);
}

static void test_events__no_routes_no_outbox_rows(void **state)
{
    ufx *f = *state;
    int64_t id;

    registry_routes_set(NULL, 0);
    id = add(f->reg, "request.updated");
    assert_true(id > 0);
    assert_int_equal(outbox_rows(f->reg, id, ""), 0);
}

UFX_MAIN(cmocka_unit_test_setup_teardown(test_events__routes_given_fan_out,
                                         setup, ufx_teardown),
         cmocka_unit_test_setup_teardown(test_events__no_routes_no_outbox_rows,
                                         setup, ufx_teardown))
