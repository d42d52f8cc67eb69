/* test_outbox.c: registry/outbox.c, the delivery side of the outbox:
 * a channel's due rows in order, attempt outcomes, the admin listing with
 * filters and paging, retry now, the channel disabled flag, and that
 * rows left pending (a crash mid-delivery) are simply due again. */
#include "outbox.h"
#include "registry.h"
#include "config.h"
#include "str.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct fx {
    char path[256];
    config cfg;
    registry *reg;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    errmsg err = {0};
    int fd;

    snprintf(f->path, sizeof f->path, "/tmp/docket-outbox-XXXXXX");
    fd = mkstemp(f->path);
    if (fd < 0)
        return -1;
    close(fd);
    unlink(f->path);
    cfg_init(&f->cfg);
    cfg_set(&f->cfg, "channel.a", "type", "slack", &err);
    cfg_set(&f->cfg, "channel.b", "type", "slack", &err);
    cfg_set(&f->cfg, "route", "request.updated", "a, b", &err);
    cfg_set(&f->cfg, "route", "request.deployed", "a", &err);
    g_config = &f->cfg;
    registry_routes_set(f->cfg.routes, f->cfg.nroutes);
    if (registry_open(&f->reg, f->path, 0, &err) < 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    char side[300];

    registry_close(f->reg);
    g_config = NULL;
    registry_routes_set(NULL, 0);
    cfg_dispose(&f->cfg);
    unlink(f->path);
    snprintf(side, sizeof side, "%s-wal", f->path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", f->path);
    unlink(side);
    free(f);
    return 0;
}

static int64_t add(fx *f, const char *event)
{
    errmsg err = {0};
    int64_t id;

    assert_int_equal(registry_begin(f->reg, &err), 0);
    assert_int_equal(
        registry_event_add(f->reg, &id, event, 0, "{\"note\":\"x\"}", &err), 0);
    assert_int_equal(registry_commit(f->reg, &err), 0);
    return id;
}

static size_t due(fx *f, registry_outbox_row **rows, const char *channel,
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
    fx *f = *state;
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

typedef struct seen {
    int64_t ids[16];
    int n;
} seen;

static void collect(void *ctx, const registry_outbox_row *r)
{
    seen *s = ctx;
    assert_null(r->payload);
    if (s->n < 16)
        s->ids[s->n++] = r->id;
}

static void test_outbox__list_retry_counts(void **state)
{
    fx *f = *state;
    errmsg err = {0};
    seen s = {0};
    registry_outbox_filter flt = {0};
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
    assert_int_equal(registry_outbox_retry(f->reg, 3, now + 9, &err), 0);
    {
        registry_outbox_row r;
        assert_int_equal(registry_outbox_get(f->reg, &r, 3, &err), 0);
        assert_string_equal(r.state, "pending");
        assert_int_equal(r.attempts, 1);
        assert_int_equal(r.next_attempt, now + 9);
        assert_true(r.created_at <= now);
        registry_outbox_row_dispose(&r);
    }
    assert_int_equal(registry_outbox_retry(f->reg, 2, now + 9, &err), 0);
    {
        registry_outbox_row r;
        assert_int_equal(registry_outbox_get(f->reg, &r, 2, &err), 0);
        assert_string_equal(r.state, "pending");
        assert_int_equal(r.attempts, 0);
        assert_int_equal(r.next_attempt, now + 9);
        assert_int_equal(r.created_at, now + 9);
        assert_non_null(r.payload);
        registry_outbox_row_dispose(&r);
    }
    assert_int_equal(registry_outbox_dead(f->reg, 2, 404, "x", now, &err), 0);
    assert_int_equal(registry_outbox_retry_dead(f->reg, &n, "b", now, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(
        registry_outbox_get(f->reg, &(registry_outbox_row){0}, 99, &err),
        ERR_NOTFOUND);
}

static void test_outbox__drop_and_channel_state(void **state)
{
    fx *f = *state;
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_outbox__due_keeps_channel_order,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_outbox__list_retry_counts, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_outbox__drop_and_channel_state,
                                        setup, teardown),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
