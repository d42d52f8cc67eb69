/* test_outbox.c: registry/outbox.c, the delivery side of the outbox:
 * a channel's due rows in order, attempt outcomes, the admin listing with
 * filters and paging, retry now, the channel disabled flag, and that
 * rows left pending (a crash mid-delivery) are simply due again. */
#include "fixture.h"
#include "outbox.h"
#include "str.h"

#include <stdlib.h>
#include <string.h>

static int setup(void **state)
{
    ufx *f = ufx_open("outbox");

    ufx_route(f, "request.updated", "a, b");
    ufx_route(f, "request.deployed", "a");
    *state = f;
    return 0;
}

static int64_t add(ufx *f, const char *event)
{
    errmsg err = {0};
    int64_t id;

    assert_int_equal(registry_begin(f->reg, &err), 0);
    assert_int_equal(
        registry_event_add(f->reg, &id, event, 0, "{\"note\":\"x\"}", &err), 0);
    assert_int_equal(registry_commit(f->reg, &err), 0);
    return id;
}

static size_t due(ufx *f, registry_outbox_row **rows, const char *channel,
                  int64_t now)
{
    errmsg err = {0};
    size_t n = 0;

    assert_int_equal(
        registry_outbox_due_channel(f->reg, rows, &n, channel, now, 100, &err),
        0);
    return n;
}

static void test_outbox__due_keeps_channel_order(void **state)
{
    ufx *f = *state;
    registry_outbox_row *rows;
    errmsg err = {0};
    int64_t far = time_now() + 1000, next = 0;
    size_t n;

    add(f, "request.updated");  /* rows 1 (a), 2 (b) */
    add(f, "request.deployed"); /* row 3 (a) */
    n = due(f, &rows, "a", far);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].id, 1);
    assert_string_equal(rows[0].channel, "a");
    assert_string_equal(rows[0].event, "request.updated");
    assert_int_equal(strlen(rows[0].uid), 32);
    assert_string_equal(rows[0].payload, "{\"note\":\"x\"}");
    assert_int_equal(rows[1].id, 3);
    registry_outbox_rows_free(rows, n);
    n = due(f, &rows, "b", far);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, 2);
    registry_outbox_rows_free(rows, n);
    assert_int_equal(due(f, &rows, "nope", far), 0);
    assert_int_equal(registry_outbox_channel_next(f->reg, &next, "nope", &err),
                     ERR_NOTFOUND);

    /* Row 1 fails and waits: row 3 (same channel) waits too, b goes on;
       a's next time is its first row's. */
    assert_int_equal(
        registry_outbox_failed(f->reg, 1, 503, "HTTP 503", far + 60, far, &err),
        0);
    assert_int_equal(due(f, &rows, "a", far), 0);
    assert_int_equal(registry_outbox_channel_next(f->reg, &next, "a", &err), 0);
    assert_int_equal(next, far + 60);
    n = due(f, &rows, "b", far);
    assert_int_equal(n, 1);
    registry_outbox_rows_free(rows, n);
    n = due(f, &rows, "a", far + 60);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].attempts, 1);
    assert_int_equal(rows[0].last_status, 503);
    assert_string_equal(rows[0].last_error, "HTTP 503");
    registry_outbox_rows_free(rows, n);

    /* Claimed but never finished (a crash): simply due again. */
    n = due(f, &rows, "a", far + 60);
    assert_int_equal(n, 2);
    registry_outbox_rows_free(rows, n);

    /* Once row 1 is settled, row 3 goes. */
    assert_int_equal(registry_outbox_delivered(f->reg, 1, 200, far + 60, &err),
                     0);
    assert_int_equal(registry_outbox_delivered(f->reg, 1, 200, far + 60, &err),
                     ERR_NOTFOUND); /* no longer pending */
    err_clear(&err);
    n = due(f, &rows, "a", far + 60);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, 3);
    registry_outbox_rows_free(rows, n);
    assert_int_equal(registry_outbox_channel_next(f->reg, &next, "a", &err), 0);
    assert_true(next <= far);
    {
        char **names = NULL;
        size_t k = 0;
        assert_int_equal(
            registry_outbox_pending_channels(f->reg, &names, &k, &err), 0);
        assert_int_equal(k, 2);
        assert_string_equal(names[0], "a");
        assert_string_equal(names[1], "b");
        free(names[0]);
        free(names[1]);
        free(names);
    }
}

static void collect(void *ctx, const registry_outbox_row *r)
{
    assert_null(r->payload);
    ufx_ids_add(ctx, r->id);
}

/* Retries row id now; *r is the row then: pending, due at now, with
 * attempts attempts. */
static void retried(ufx *f, registry_outbox_row *r, int64_t id, int64_t now,
                    int attempts)
{
    errmsg err = {0};

    assert_int_equal(registry_outbox_retry(f->reg, id, now, &err), 0);
    assert_int_equal(registry_outbox_get(f->reg, r, id, &err), 0);
    assert_string_equal(r->state, "pending");
    assert_int_equal(r->attempts, attempts);
    assert_int_equal(r->next_attempt, now);
}

static void test_outbox__list_retry_counts(void **state)
{
    ufx *f = *state;
    errmsg err = {0};
    ufx_ids s = {0};
    registry_outbox_filter flt = {0};
    registry_outbox_row r;
    int64_t p, d, x, now = time_now(), n = 0;

    add(f, "request.updated");  /* 1 a, 2 b */
    add(f, "request.deployed"); /* 3 a */
    assert_int_equal(
        registry_outbox_dead(f->reg, 2, 404, "HTTP 404", now, &err), 0);
    assert_int_equal(registry_outbox_delivered(f->reg, 1, 200, now, &err), 0);
    assert_int_equal(registry_outbox_counts(f->reg, &p, &d, &x, &err), 0);
    assert_int_equal(p, 1);
    assert_int_equal(d, 1);
    assert_int_equal(x, 1);

    flt.state = "dead";
    assert_int_equal(registry_outbox_list(f->reg, &flt, collect, &s, &err), 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.ids[0], 2);
    memset(&s, 0, sizeof s);
    flt.state = NULL;
    flt.channel = "a";
    registry_outbox_list(f->reg, &flt, collect, &s, &err);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.ids[0], 3); /* newest first */
    memset(&s, 0, sizeof s);
    flt.channel = NULL;
    flt.event = "request.deployed";
    registry_outbox_list(f->reg, &flt, collect, &s, &err);
    assert_int_equal(s.n, 1);
    /* Paging. */
    memset(&s, 0, sizeof s);
    flt.event = NULL;
    flt.limit = 2;
    registry_outbox_list(f->reg, &flt, collect, &s, &err);
    assert_int_equal(s.n, 2);
    flt.before_id = s.ids[1];
    memset(&s, 0, sizeof s);
    registry_outbox_list(f->reg, &flt, collect, &s, &err);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.ids[0], 1);

    /* Retry now: not a delivered row; a pending one is due at once and
       keeps its attempts and window; a dead one starts again. */
    assert_int_equal(registry_outbox_retry(f->reg, 1, now + 9, &err),
                     ERR_NOTFOUND);
    err_clear(&err);
    assert_int_equal(registry_outbox_failed(f->reg, 3, 429, "HTTP 429",
                                            now + 900, now, &err),
                     0);
    retried(f, &r, 3, now + 9, 1);
    assert_true(r.created_at <= now);
    registry_outbox_row_dispose(&r);
    retried(f, &r, 2, now + 9, 0);
    assert_int_equal(r.created_at, now + 9);
    assert_non_null(r.payload);
    registry_outbox_row_dispose(&r);
    assert_int_equal(registry_outbox_dead(f->reg, 2, 404, "x", now, &err), 0);
    assert_int_equal(registry_outbox_retry_dead(f->reg, &n, "b", now, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(
        registry_outbox_get(f->reg, &(registry_outbox_row){0}, 99, &err),
        ERR_NOTFOUND);
}

static void test_outbox__drop_and_channel_state(void **state)
{
    ufx *f = *state;
    errmsg err = {0};
    int disabled = -1;
    char reason[64];
    int64_t ev = add(f, "request.updated"), p, d, x;

    assert_int_equal(registry_outbox_drop(f->reg, ev, "b", &err), 0);
    assert_int_equal(registry_outbox_counts(f->reg, &p, &d, &x, &err), 0);
    assert_int_equal(p, 1);

    assert_int_equal(registry_channel_disabled(f->reg, &disabled, reason,
                                               sizeof reason, "a", &err),
                     0);
    assert_int_equal(disabled, 0);
    assert_string_equal(reason, "");
    assert_int_equal(
        registry_channel_set_disabled(f->reg, "a", 1, "410 Gone", 5, &err), 0);
    assert_int_equal(registry_channel_disabled(f->reg, &disabled, reason,
                                               sizeof reason, "a", &err),
                     0);
    assert_int_equal(disabled, 1);
    assert_string_equal(reason, "410 Gone");
    assert_int_equal(registry_channel_set_disabled(f->reg, "a", 0, "", 6, &err),
                     0);
    assert_int_equal(
        registry_channel_disabled(f->reg, &disabled, NULL, 0, "a", &err), 0);
    assert_int_equal(disabled, 0);
}

UFX_MAIN(cmocka_unit_test_setup_teardown(test_outbox__due_keeps_channel_order,
                                         setup, ufx_teardown),
         cmocka_unit_test_setup_teardown(test_outbox__list_retry_counts, setup,
                                         ufx_teardown),
         cmocka_unit_test_setup_teardown(test_outbox__drop_and_channel_state,
                                         setup, ufx_teardown))
