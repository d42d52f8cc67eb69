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
    " o.last_status, o.last_error"

static void read_row(registry_outbox_row *r, sqlite3_stmt *st)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->event_id = sqlite3_column_int64(st, 1);
    reg_col_copy(r->channel, sizeof r->channel, st, 2);
    reg_col_copy(r->event, sizeof r->event, st, 3);
    reg_col_copy(r->uid, sizeof r->uid, st, 4);
    r->request_id = sqlite3_column_int64(st, 5);
    r->event_created_at = sqlite3_column_int64(st, 6);
    reg_col_copy(r->state, sizeof r->state, st, 7);
    r->attempts = sqlite3_column_int(st, 8);
    r->next_attempt = sqlite3_column_int64(st, 9);
    r->created_at = sqlite3_column_int64(st, 10);
    r->updated_at = sqlite3_column_int64(st, 11);
    r->delivered_at = sqlite3_column_int64(st, 12);
    r->last_status = sqlite3_column_int(st, 13);
    reg_col_copy(r->last_error, sizeof r->last_error, st, 14);
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
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    registry_outbox_row *rows = NULL;
    size_t n = 0, cap = 0;
    int rc = 0, step;

    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":channel", channel);
    reg_bind_int(st, ":now", now);
    reg_bind_int(st, ":limit", limit > 0 ? limit : 100);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        xgrow(&rows, &cap, n + 1, sizeof *rows);
        read_row(&rows[n], st);
        rows[n].payload = xstrdup(reg_col_text(st, 15));
        n++;
    }
    if (step != SQLITE_DONE)
        rc = reg_db_error(reg, err);
    reg_done(st);
    if (rc < 0) {
        registry_outbox_rows_free(rows, n);
        return rc;
    }
    *out = rows;
    *out_n = n;
    return 0;
}

int registry_outbox_channel_next(registry *reg, int64_t *out,
                                 const char *channel, errmsg *err)
{
    /* The first pending row decides: the rows after it wait for it. */
    static const char sql[] =
        "SELECT next_attempt FROM outbox WHERE channel = :channel"
        " AND state = 'pending' ORDER BY id LIMIT 1";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc = ERR_NOTFOUND, step;

    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":channel", channel);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = 0;
    } else if (step != SQLITE_DONE) {
        rc = reg_db_error(reg, err);
    }
    reg_done(st);
    return rc;
}

int registry_outbox_pending_channels(registry *reg, char ***out, size_t *out_n,
                                     errmsg *err)
{
    static const char sql[] =
        "SELECT DISTINCT channel FROM outbox WHERE state = 'pending'"
        " ORDER BY channel";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0, step;

    if (!st)
        return ERR_DB;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        xgrow(&names, &cap, n + 1, sizeof *names);
        names[n++] = xstrdup(reg_col_text(st, 0));
    }
    if (step != SQLITE_DONE)
        rc = reg_db_error(reg, err);
    reg_done(st);
    if (rc < 0) {
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
        return rc;
    }
    *out = names;
    *out_n = n;
    return 0;
}

int registry_outbox_get(registry *reg, registry_outbox_row *out, int64_t id,
                        errmsg *err)
{
    static const char sql[] =
        "SELECT " ROW_COLS ", e.payload"
        " FROM outbox o JOIN events e ON e.id = o.event_id"
        " WHERE o.id = :id";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc = 0;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":id", id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        read_row(out, st);
        out->payload = xstrdup(reg_col_text(st, 15));
    } else {
        rc = err_set(err, ERR_NOTFOUND, "no delivery %lld", (long long)id);
    }
    reg_done(st);
    return rc;
}

/* Runs an UPDATE that must touch one pending row. */
static int update_one(registry *reg, sqlite3_stmt *st, int64_t id, errmsg *err)
{
    int rc = 0;

    if (sqlite3_step(st) != SQLITE_DONE)
        rc = reg_db_error(reg, err);
    else if (sqlite3_changes(reg->db) != 1)
        rc = err_set(err, ERR_NOTFOUND, "no pending delivery %lld",
                     (long long)id);
    reg_done(st);
    return rc;
}

int registry_outbox_delivered(registry *reg, int64_t id, int status,
                              int64_t now, errmsg *err)
{
    static const char sql[] =
        "UPDATE outbox SET state = 'delivered', attempts = attempts + 1,"
        " last_status = :status, last_error = '', delivered_at = :now,"
        " updated_at = :now WHERE id = :id AND state = 'pending'";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":status", status);
    reg_bind_int(st, ":now", now);
    reg_bind_int(st, ":id", id);
    return update_one(reg, st, id, err);
}

int registry_outbox_failed(registry *reg, int64_t id, int status,
                           const char *error, int64_t next_attempt, int64_t now,
                           errmsg *err)
{
    static const char sql[] =
        "UPDATE outbox SET attempts = attempts + 1, last_status = :status,"
        " last_error = substr(:error, 1, 500), next_attempt = :next,"
        " updated_at = :now WHERE id = :id AND state = 'pending'";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":status", status);
    reg_bind_text(st, ":error", error);
    reg_bind_int(st, ":next", next_attempt);
    reg_bind_int(st, ":now", now);
    reg_bind_int(st, ":id", id);
    return update_one(reg, st, id, err);
}

int registry_outbox_dead(registry *reg, int64_t id, int status,
                         const char *error, int64_t now, errmsg *err)
{
    static const char sql[] =
        "UPDATE outbox SET state = 'dead', attempts = attempts + 1,"
        " last_status = :status, last_error = substr(:error, 1, 500),"
        " updated_at = :now WHERE id = :id AND state = 'pending'";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":status", status);
    reg_bind_text(st, ":error", error);
    reg_bind_int(st, ":now", now);
    reg_bind_int(st, ":id", id);
    return update_one(reg, st, id, err);
}

int registry_outbox_drop(registry *reg, int64_t event_id, const char *channel,
                         errmsg *err)
{
    static const char sql[] =
        "DELETE FROM outbox WHERE event_id = :event AND channel = :channel"
        " AND state = 'pending' AND attempts = 0";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc = 0;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":event", event_id);
    reg_bind_text(st, ":channel", channel);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = reg_db_error(reg, err);
    reg_done(st);
    return rc;
}

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
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    registry_outbox_row r;
    int rc = 0, step, limit = f ? f->limit : 0;

    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":state", f && f->state ? f->state : "");
    reg_bind_text(st, ":channel", f && f->channel ? f->channel : "");
    reg_bind_text(st, ":event", f && f->event ? f->event : "");
    reg_bind_int(st, ":before", f ? f->before_id : 0);
    reg_bind_int(st, ":limit", limit >= 1 && limit <= 500 ? limit : 50);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        read_row(&r, st);
        fn(ctx, &r);
    }
    if (step != SQLITE_DONE)
        rc = reg_db_error(reg, err);
    reg_done(st);
    return rc;
}

int registry_outbox_counts(registry *reg, int64_t *out_pending,
                           int64_t *out_delivered, int64_t *out_dead,
                           errmsg *err)
{
    static const char sql[] = "SELECT coalesce(sum(state = 'pending'), 0),"
                              " coalesce(sum(state = 'delivered'), 0),"
                              " coalesce(sum(state = 'dead'), 0) FROM outbox";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc = 0;

    if (!st)
        return ERR_DB;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *out_pending = sqlite3_column_int64(st, 0);
        *out_delivered = sqlite3_column_int64(st, 1);
        *out_dead = sqlite3_column_int64(st, 2);
    } else {
        rc = reg_db_error(reg, err);
    }
    reg_done(st);
    return rc;
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
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc = 0;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":now", now);
    reg_bind_int(st, ":id", id);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = reg_db_error(reg, err);
    else if (sqlite3_changes(reg->db) != 1)
        rc = err_set(err, ERR_NOTFOUND, "no pending or dead delivery %lld",
                     (long long)id);
    reg_done(st);
    return rc;
}

int registry_outbox_retry_dead(registry *reg, int64_t *out_n,
                               const char *channel, int64_t now, errmsg *err)
{
    static const char sql[] =
        "UPDATE outbox SET state = 'pending', attempts = 0,"
        " next_attempt = :now, created_at = :now, updated_at = :now"
        " WHERE state = 'dead' AND (:channel = '' OR channel = :channel)";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc = 0;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":now", now);
    reg_bind_text(st, ":channel", channel ? channel : "");
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = reg_db_error(reg, err);
    else if (out_n)
        *out_n = sqlite3_changes(reg->db);
    reg_done(st);
    return rc;
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
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc = 0;

    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":channel", channel);
    reg_bind_int(st, ":disabled", disabled != 0);
    reg_bind_text(st, ":reason", reason);
    reg_bind_int(st, ":now", now);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = reg_db_error(reg, err);
    reg_done(st);
    return rc;
}

int registry_channel_state(registry *reg, const char *channel,
                           int *out_disabled, char *reason, size_t reason_size,
                           int64_t *out_since, errmsg *err)
{
    static const char sql[] = "SELECT disabled, reason, updated_at"
                              " FROM channel_state WHERE channel = :channel";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc = 0, step;

    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":channel", channel);
    step = sqlite3_step(st);
    *out_disabled = 0;
    if (out_since)
        *out_since = 0;
    if (reason && reason_size)
        reason[0] = '\0';
    if (step == SQLITE_ROW) {
        *out_disabled = sqlite3_column_int(st, 0) != 0;
        if (reason)
            reg_col_copy(reason, reason_size, st, 1);
        if (out_since)
            *out_since = sqlite3_column_int64(st, 2);
    } else if (step != SQLITE_DONE) {
        rc = reg_db_error(reg, err);
    }
    reg_done(st);
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
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc = 0;

    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":channel", channel);
    if (sqlite3_step(st) == SQLITE_ROW)
        *out_n = sqlite3_column_int64(st, 0);
    else
        rc = reg_db_error(reg, err);
    reg_done(st);
    return rc;
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
        sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
        if (!st) {
            registry_rollback(reg);
            return ERR_DB;
        }
        reg_bind_int(st, ":now", now);
        reg_bind_text(st, ":channel", channel);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = reg_db_error(reg, err);
        else
            n = sqlite3_changes(reg->db);
        reg_done(st);
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
