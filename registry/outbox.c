/* outbox.c: the delivery side of the outbox (see outbox.h): a channel's
 * due rows in order, attempt outcomes, the admin listing and the channel
 * disabled flag. Rows are created by registry_event_add in events.c; the
 * worker that sends them is notify/worker.c. */
#include "outbox.h"
#include "registry_int.h"
#include "mem.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Column list shared by the queries below; read_row() follows it. */
#define ROW_COLS                                                               \
    "o.id, o.event_id, o.channel, e.event, e.uid,"                             \
    " coalesce(e.request_id, 0), e.created_at, o.state, o.attempts,"           \
    " o.next_attempt, o.created_at, o.updated_at, o.delivered_at,"             \
    " o.last_status, o.last_error, o.recipient"

static void read_row(registry_outbox_row *r, sqlite3_stmt *st)
{
    memset(r, 0, sizeof *r);
    reg_cols(st, "iiccciicniiiincc", &r->id, &r->event_id, r->channel,
             sizeof r->channel, r->event, sizeof r->event, r->uid,
             sizeof r->uid, &r->request_id, &r->event_created_at, r->state,
             sizeof r->state, &r->attempts, &r->next_attempt, &r->created_at,
             &r->updated_at, &r->delivered_at, &r->last_status, r->last_error,
             sizeof r->last_error, r->recipient, sizeof r->recipient);
}

void registry_outbox_row_dispose(registry_outbox_row *row)
{
    if (!row)
        return;
    free(row->payload);
    row->payload = NULL;
}

void registry_outbox_rows_free(registry_outbox_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        free(rows[i].payload);
    free(rows);
}

/* A row with its payload (column 16). */
static int full_row(sqlite3_stmt *st, void *ctx)
{
    registry_outbox_row *r = ctx;

    read_row(r, st);
    r->payload = xstrdup(reg_col_text(st, 16));
    return 0;
}

typedef struct row_list {
    registry_outbox_row *rows;
    size_t n, cap;
} row_list;

static int list_row(sqlite3_stmt *st, void *ctx)
{
    row_list *l = ctx;

    xgrow(&l->rows, &l->cap, l->n + 1, sizeof *l->rows);
    return full_row(st, &l->rows[l->n++]);
}

int registry_outbox_due_channel(registry *reg, registry_outbox_row **out,
                                size_t *out_n, const char *channel, int64_t now,
                                int limit, errmsg *err)
{
    /* The NOT EXISTS keeps the channel in id order: while its earliest
       pending row waits for its retry, later rows wait too. */
    static const char sql[] =
        "SELECT " ROW_COLS ", e.payload"
        " FROM outbox o JOIN events e ON e.id = o.event_id"
        " WHERE o.channel = :channel AND o.state = 'pending'"
        " AND o.next_attempt <= :now"
        " AND NOT EXISTS (SELECT 1 FROM outbox p"
        "  WHERE p.channel = :channel AND p.state = 'pending'"
        "  AND p.id < o.id AND p.next_attempt > :now)"
        " ORDER BY o.id LIMIT :limit";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_TEXT(":channel", channel),
                                REG_INT(":now", now),
                                REG_INT(":limit", limit > 0 ? limit : 100));
    row_list l = {0};
    int rc;

    rc = reg_each(reg, st, list_row, &l, err);
    if (rc < 0) {
        registry_outbox_rows_free(l.rows, l.n);
        return rc;
    }
    *out = l.rows;
    *out_n = l.n;
    return 0;
}

int registry_outbox_channel_next(registry *reg, int64_t *out,
                                 const char *channel, errmsg *err)
{
    /* The first pending row decides: the rows after it wait for it. */
    static const char sql[] =
        "SELECT next_attempt FROM outbox WHERE channel = :channel"
        " AND state = 'pending' ORDER BY id LIMIT 1";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_TEXT(":channel", channel));

    return reg_count(reg, st, out, err);
}

typedef struct name_list {
    char **names;
    size_t n, cap;
} name_list;

static int name_row(sqlite3_stmt *st, void *ctx)
{
    name_list *l = ctx;

    xgrow(&l->names, &l->cap, l->n + 1, sizeof *l->names);
    l->names[l->n++] = xstrdup(reg_col_text(st, 0));
    return 0;
}

int registry_outbox_pending_channels(registry *reg, char ***out, size_t *out_n,
                                     errmsg *err)
{
    static const char sql[] =
        "SELECT DISTINCT channel FROM outbox WHERE state = 'pending'"
        " ORDER BY channel";
    name_list l = {0};
    int rc = reg_each(reg, reg_stmt_get(reg, sql, err), name_row, &l, err);

    if (rc < 0) {
        xfree_strv(l.names, l.n);
        return rc;
    }
    *out = l.names;
    *out_n = l.n;
    return 0;
}

int registry_outbox_get(registry *reg, registry_outbox_row *out, int64_t id,
                        errmsg *err)
{
    static const char sql[] =
        "SELECT " ROW_COLS ", e.payload"
        " FROM outbox o JOIN events e ON e.id = o.event_id"
        " WHERE o.id = :id";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":id", id));
    int rc;

    rc = reg_one(reg, st, full_row, out, err);
    if (rc == ERR_NOTFOUND)
        rc = err_set(err, ERR_NOTFOUND, "no delivery %lld", (long long)id);
    return rc;
}

/* Runs an UPDATE that must touch one row of the state what names. */
static int update_one(registry *reg, sqlite3_stmt *st, const char *what,
                      int64_t id, errmsg *err)
{
    int rc = reg_exec_bound(reg, st, err);

    if (rc < 0)
        return rc;
    if (rc != 1)
        return err_set(err, ERR_NOTFOUND, "no %s delivery %lld", what,
                       (long long)id);
    return 0;
}

/* Records one attempt at a pending row: its new state (pending: tried
 * again at next_attempt; delivered; dead), the peer's status and error. */
static int attempt_record(registry *reg, int64_t id, const char *state,
                          int status, const char *error, int64_t next_attempt,
                          int64_t now, errmsg *err)
{
    static const char sql[] =
        "UPDATE outbox SET state = :state, attempts = attempts + 1,"
        " last_status = :status, last_error = substr(:error, 1, 500),"
        " next_attempt = CASE :state WHEN 'pending' THEN :next"
        "  ELSE next_attempt END,"
        " delivered_at = CASE :state WHEN 'delivered' THEN :now"
        "  ELSE delivered_at END,"
        " updated_at = :now WHERE id = :id AND state = 'pending'";
    sqlite3_stmt *st = reg_stmt(
        reg, sql, err, REG_TEXT(":state", state), REG_INT(":status", status),
        REG_TEXT(":error", error), REG_INT(":next", next_attempt),
        REG_INT(":now", now), REG_INT(":id", id));

    return update_one(reg, st, "pending", id, err);
}

int registry_outbox_delivered(registry *reg, int64_t id, int status,
                              int64_t now, errmsg *err)
{
    return attempt_record(reg, id, "delivered", status, "", 0, now, err);
}

int registry_outbox_failed(registry *reg, int64_t id, int status,
                           const char *error, int64_t next_attempt, int64_t now,
                           errmsg *err)
{
    return attempt_record(reg, id, "pending", status, error, next_attempt, now,
                          err);
}

int registry_outbox_dead(registry *reg, int64_t id, int status,
                         const char *error, int64_t now, errmsg *err)
{
    return attempt_record(reg, id, "dead", status, error, 0, now, err);
}

int registry_outbox_drop(registry *reg, int64_t event_id, const char *channel,
                         errmsg *err)
{
    static const char sql[] =
        "DELETE FROM outbox WHERE event_id = :event AND channel = :channel"
        " AND state = 'pending' AND attempts = 0";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":event", event_id),
                                REG_TEXT(":channel", channel));
    int rc;

    rc = reg_exec_bound(reg, st, err);
    return rc < 0 ? rc : 0;
}

REG_EACH_ADAPTER(outbox, registry_outbox_row, read_row)

int registry_outbox_list(registry *reg, const registry_outbox_filter *f,
                         void (*fn)(void *ctx, const registry_outbox_row *r),
                         void *ctx, errmsg *err)
{
    static const char sql[] =
        "SELECT " ROW_COLS " FROM outbox o JOIN events e ON e.id = o.event_id"
        " WHERE (:state = '' OR o.state = :state)"
        " AND (:channel = '' OR o.channel = :channel)"
        " AND (:event = '' OR e.event = :event)"
        " AND (:before <= 0 OR o.id < :before)"
        " ORDER BY o.id DESC LIMIT :limit";
    int limit = f ? f->limit : 0;
    sqlite3_stmt *st = reg_stmt(
        reg, sql, err, REG_TEXT(":state", f && f->state ? f->state : ""),
        REG_TEXT(":channel", f && f->channel ? f->channel : ""),
        REG_TEXT(":event", f && f->event ? f->event : ""),
        REG_INT(":before", f ? f->before_id : 0),
        REG_INT(":limit", limit >= 1 && limit <= 500 ? limit : 50));
    struct outbox_each e = {fn, ctx};

    return reg_each(reg, st, outbox_each_row, &e, err);
}

static int counts_row(sqlite3_stmt *st, void *ctx)
{
    int64_t *n = ctx;

    for (int i = 0; i < 3; i++)
        n[i] = sqlite3_column_int64(st, i);
    return 0;
}

int registry_outbox_counts(registry *reg, int64_t *out_pending,
                           int64_t *out_delivered, int64_t *out_dead,
                           errmsg *err)
{
    static const char sql[] = "SELECT coalesce(sum(state = 'pending'), 0),"
                              " coalesce(sum(state = 'delivered'), 0),"
                              " coalesce(sum(state = 'dead'), 0) FROM outbox";
    int64_t n[3];
    int rc = reg_one(reg, reg_stmt_get(reg, sql, err), counts_row, n, err);

    if (rc < 0)
        return rc;
    *out_pending = n[0];
    *out_delivered = n[1];
    *out_dead = n[2];
    return 0;
}

int registry_outbox_retry(registry *reg, int64_t id, int64_t now, errmsg *err)
{
    /* SQLite evaluates every SET expression on the old row. */
    static const char sql[] =
        "UPDATE outbox SET next_attempt = :now, updated_at = :now,"
        " attempts = CASE state WHEN 'dead' THEN 0 ELSE attempts END,"
        " created_at = CASE state WHEN 'dead' THEN :now ELSE created_at END,"
        " state = 'pending'"
        " WHERE id = :id AND state IN ('dead', 'pending')";
    sqlite3_stmt *st =
        reg_stmt(reg, sql, err, REG_INT(":now", now), REG_INT(":id", id));

    return update_one(reg, st, "pending or dead", id, err);
}

int registry_outbox_retry_dead(registry *reg, int64_t *out_n,
                               const char *channel, int64_t now, errmsg *err)
{
    static const char sql[] =
        "UPDATE outbox SET state = 'pending', attempts = 0,"
        " next_attempt = :now, created_at = :now, updated_at = :now"
        " WHERE state = 'dead' AND (:channel = '' OR channel = :channel)";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":now", now),
                                REG_TEXT(":channel", channel ? channel : ""));

    return reg_exec_count(reg, st, out_n, err);
}

int registry_channel_disabled(registry *reg, int *out_disabled, char *reason,
                              size_t reason_size, const char *channel,
                              errmsg *err)
{
    return registry_channel_state(reg, channel, out_disabled, reason,
                                  reason_size, NULL, err);
}

int registry_channel_set_disabled(registry *reg, const char *channel,
                                  int disabled, const char *reason, int64_t now,
                                  errmsg *err)
{
    static const char sql[] =
        "INSERT INTO channel_state(channel, disabled, reason, updated_at)"
        " VALUES (:channel, :disabled, substr(:reason, 1, 500), :now)"
        " ON CONFLICT(channel) DO UPDATE SET disabled = excluded.disabled,"
        " reason = excluded.reason, updated_at = excluded.updated_at";
    sqlite3_stmt *st =
        reg_stmt(reg, sql, err, REG_TEXT(":channel", channel),
                 REG_INT(":disabled", disabled != 0),
                 REG_TEXT(":reason", reason), REG_INT(":now", now));

    return reg_insert(reg, st, NULL, err);
}

typedef struct channel_row {
    int disabled;
    char *reason; /* the caller's buffer, or NULL */
    size_t reason_size;
    int64_t since;
} channel_row;

static int channel_one(sqlite3_stmt *st, void *ctx)
{
    channel_row *c = ctx;

    c->disabled = sqlite3_column_int(st, 0) != 0;
    if (c->reason && c->reason_size)
        reg_col_copy(c->reason, c->reason_size, st, 1);
    c->since = sqlite3_column_int64(st, 2);
    return 0;
}

int registry_channel_state(registry *reg, const char *channel,
                           int *out_disabled, char *reason, size_t reason_size,
                           int64_t *out_since, errmsg *err)
{
    static const char sql[] = "SELECT disabled, reason, updated_at"
                              " FROM channel_state WHERE channel = :channel";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    channel_row c = {0, reason, reason_size, 0};
    int rc;

    if (reason && reason_size)
        reason[0] = '\0';
    reg_bind_text(st, ":channel", channel);
    rc = reg_one(reg, st, channel_one, &c, err);
    if (rc == ERR_NOTFOUND)
        rc = 0; /* never disabled */
    *out_disabled = c.disabled;
    if (out_since)
        *out_since = c.since;
    return rc;
}

int registry_channel_dead_while_off(registry *reg, const char *channel,
                                    int64_t *out_n, errmsg *err)
{
    static const char sql[] =
        "SELECT count(*) FROM outbox o JOIN channel_state c"
        " ON c.channel = o.channel WHERE o.channel = :channel"
        " AND c.disabled AND o.state = 'dead'"
        " AND o.updated_at >= c.updated_at";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_TEXT(":channel", channel));

    return reg_count(reg, st, out_n, err);
}

int registry_channel_enable(registry *reg, const char *channel, int resend,
                            const char *who, int64_t now, int64_t *out_n,
                            errmsg *err)
{
    /* Runs before channel_state changes: the rows are those that died
       since the disabling. */
    static const char sql[] =
        "UPDATE outbox SET state = 'pending', attempts = 0,"
        " next_attempt = :now, created_at = :now, updated_at = :now"
        " WHERE channel = :channel AND state = 'dead'"
        " AND EXISTS (SELECT 1 FROM channel_state c"
        "  WHERE c.channel = :channel AND c.disabled"
        "  AND outbox.updated_at >= c.updated_at)";
    char reason[200];
    int64_t n = 0;
    int rc = registry_begin(reg, err);

    if (rc < 0)
        return rc;
    if (resend) {
        sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":now", now),
                                    REG_TEXT(":channel", channel));
        rc = reg_exec_bound(reg, st, err);
        if (rc >= 0) {
            n = rc;
            rc = 0;
        }
    }
    snprintf(reason, sizeof reason, "enabled by %s", who ? who : "");
    if (rc == 0)
        rc = registry_channel_set_disabled(reg, channel, 0, reason, now, err);
    if (rc == 0)
        rc = registry_commit(reg, err);
    else
        registry_rollback(reg);
    if (rc == 0 && out_n)
        *out_n = n;
    return rc;
}
