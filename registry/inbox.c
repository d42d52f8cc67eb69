/* inbox.c: the in-app inbox and watches (see inbox.h). The fan-out is
 * one INSERT per kind of recipient, in the order of the reasons an item
 * shows (the request's PM before a watcher, ...): the first reason that
 * names a user wins (UNIQUE (user_id, event_id) and INSERT OR IGNORE).
 * Every INSERT shares the same filter on the user: active, not the
 * actor, and a client only for an event of its own organisation. */
#include "inbox.h"
#include "registry_int.h"
#include "mem.h"
#include "str.h"
#include "triage.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {
    [WATCH_NONE] = "", [WATCH_REQUEST] = "request", [WATCH_TABLE] = "table"};

const char *registry_watch_kind_name(registry_watch_kind k)
{
    return k > WATCH_NONE && k <= WATCH_TABLE ? kind_names[k] : "";
}

registry_watch_kind registry_watch_kind_parse(const char *name)
{
    for (int k = WATCH_REQUEST; name && k <= WATCH_TABLE; k++)
        if (!strcmp(kind_names[k], name))
            return (registry_watch_kind)k;
    return WATCH_NONE;
}

static const char *const mail_names[] = {"off", "each", "daily"};

const char *registry_inbox_mail_name(registry_inbox_mail m)
{
    return m >= INBOX_MAIL_OFF && m <= INBOX_MAIL_DAILY ? mail_names[m] : "off";
}

int registry_inbox_mail_parse(const char *name)
{
    for (int m = INBOX_MAIL_OFF; name && m <= INBOX_MAIL_DAILY; m++)
        if (!strcmp(mail_names[m], name))
            return m;
    return -1;
}

static const char *inbox_channel;

void registry_inbox_channel_set(const char *channel)
{
    inbox_channel = channel && *channel ? channel : NULL;
}

const char *registry_inbox_channel(void)
{
    return inbox_channel;
}

/* ---- fan-out ------------------------------------------------------------ */

/* Who an event goes to, besides its watchers. */
enum {
    TO_PM = 1 << 0,
    TO_REQUESTER = 1 << 1,
    TO_OPS = 1 << 2,
    TO_ADMIN = 1 << 3,
    TO_REQUEST_WATCH = 1 << 4, /* watchers of the event's request */
    TO_TABLE_WATCH = 1 << 5,   /* watchers of the tables it changes */
    TO_ORG_CLIENTS = 1 << 6    /* the clients of its table's organisation */
};

/* Tonight's feeds: ops and admins act on them, a table's watchers follow
   it, and the clients of its organisation want to know their file
   arrived (or did not). */
#define TO_FEED (TO_OPS | TO_ADMIN | TO_TABLE_WATCH | TO_ORG_CLIENTS)

static const unsigned event_to[EV_COUNT] = {
    [EV_REQUEST_SUBMITTED] = TO_PM | TO_REQUEST_WATCH,
    [EV_REQUEST_TRIAGED] = TO_REQUEST_WATCH,
    [EV_REQUEST_NEEDS_INFO] = TO_REQUESTER | TO_REQUEST_WATCH,
    [EV_REQUEST_SCHEDULED] =
        TO_REQUESTER | TO_OPS | TO_REQUEST_WATCH | TO_TABLE_WATCH,
    [EV_REQUEST_IN_PROGRESS] = TO_REQUEST_WATCH,
    [EV_REQUEST_DEPLOYED] =
        TO_REQUESTER | TO_OPS | TO_REQUEST_WATCH | TO_TABLE_WATCH,
    [EV_REQUEST_REJECTED] = TO_REQUESTER | TO_REQUEST_WATCH,
    [EV_REQUEST_WITHDRAWN] = TO_PM | TO_REQUEST_WATCH,
    [EV_REQUEST_ANSWERED] = TO_PM | TO_REQUEST_WATCH,
    [EV_REQUEST_COMMENTED] = TO_PM | TO_REQUESTER | TO_REQUEST_WATCH,
    [EV_REQUEST_UPDATED] = TO_PM | TO_REQUEST_WATCH,
    [EV_DEPLOY_DIGEST] = TO_OPS,
    [EV_ACCOUNT_RESET] = 0, /* a reset link is for its e-mail only */
    [EV_DELIVERY_FAILED] = TO_ADMIN,
    [EV_REGISTRY_CHANGED] = TO_TABLE_WATCH,
    [EV_INBOX_DIGEST] = 0,
    [EV_FEED_MISSING] = TO_FEED,
    [EV_FEED_RECOVERED] = TO_FEED,
    [EV_FEED_FAILED] = TO_FEED,
    [EV_FEED_ANOMALY] = TO_FEED,
    [EV_REGISTRY_DRIFT] = TO_TABLE_WATCH,
};

/* The filter every recipient passes (:actor, :org as bound below). */
#define INBOX_INSERT                                                           \
    "INSERT OR IGNORE INTO inbox(user_id, event_id, org_id, reason,"           \
    " created_at) SELECT u.id, :event, :org, :reason, :now FROM users u"       \
    " WHERE u.active AND u.id <> :actor"                                       \
    " AND (u.role <> 'client' OR (:org <> 0 AND u.org_id = :org))"             \
    " AND u.id IN "

/* One kind of recipient: the reason it shows and who it names. */
static const struct recipient {
    unsigned to;
    const char *reason;
    const char *sql;
} recipients[] = {
    /* The request's PM while that account is active, else every PM. */
    {TO_PM, "pm",
     INBOX_INSERT
     "(SELECT r.pm_id FROM requests r JOIN users p ON p.id = r.pm_id"
     "  WHERE r.id = :req AND p.active"
     " UNION ALL SELECT id FROM users WHERE role = 'pm' AND NOT EXISTS"
     "  (SELECT 1 FROM requests r JOIN users p ON p.id = r.pm_id"
     "   WHERE r.id = :req AND p.active))"},
    {TO_REQUESTER, "requester",
     INBOX_INSERT "(SELECT requester_id FROM requests WHERE id = :req)"},
    {TO_OPS, "ops", INBOX_INSERT "(SELECT id FROM users WHERE role = 'ops')"},
    {TO_ADMIN, "admin",
     INBOX_INSERT "(SELECT id FROM users WHERE role = 'admin')"},
    {TO_REQUEST_WATCH, "watch",
     INBOX_INSERT "(SELECT user_id FROM watches WHERE kind = 'request'"
                  " AND ref = :req)"},
    /* A request's tables: the tables its items name on its instances (a
       deploy: on the instance deployed); an edit: the table itself. */
    {TO_TABLE_WATCH, "watch",
     INBOX_INSERT
     "(SELECT w.user_id FROM watches w JOIN reg_tables t ON t.id = w.ref"
     "  WHERE w.kind = 'table' AND (t.id = :table OR (:req <> 0"
     "  AND t.name IN (SELECT table_name FROM request_items"
     "   WHERE request_id = :req)"
     "  AND t.instance_id IN (SELECT ri.instance_id FROM request_instances ri"
     "   JOIN instances i ON i.id = ri.instance_id WHERE ri.request_id = :req"
     "   AND (:inst = '' OR i.name = :inst)))))"},
    /* The clients of the organisation of the event's table (the filter
       above keeps them to it): never another organisation's. */
    {TO_ORG_CLIENTS, "client",
     INBOX_INSERT "(SELECT id FROM users WHERE role = 'client'"
                  " AND :org <> 0 AND org_id = :org)"},
};

/* The organisation of what the event is about: its request's, its
 * table's, or 0 (deploy digests, failed deliveries). */
static int event_org(registry *reg, const registry_event_about *about,
                     int64_t *out, errmsg *err)
{
    static const char sql[] =
        "SELECT coalesce((SELECT org_id FROM requests WHERE id = :req),"
        " (SELECT i.org_id FROM reg_tables t JOIN instances i"
        "  ON i.id = t.instance_id WHERE t.id = :table), 0)";
    sqlite3_stmt *st =
        reg_stmt(reg, sql, err, REG_INT(":req", about->request_id),
                 REG_INT(":table", about->table_id));

    return reg_count(reg, st, out, err);
}

typedef struct text_out {
    char *dst;
    size_t size;
} text_out;

static int text_row(sqlite3_stmt *st, void *ctx)
{
    text_out *t = ctx;

    reg_col_copy(t->dst, t->size, st, 0);
    return 0;
}

/* The instance a request.deployed event deployed to ("" otherwise). */
static int event_instance(registry *reg, int64_t event_id, char *out,
                          size_t size, errmsg *err)
{
    static const char sql[] =
        "SELECT coalesce(json_extract(payload, '$.instance'), '') FROM events"
        " WHERE id = :id AND event = 'request.deployed'";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":id", event_id));
    text_out t = {out, size};
    int rc;

    out[0] = '\0';
    rc = reg_one(reg, st, text_row, &t, err);
    return rc == ERR_NOTFOUND ? 0 : rc;
}

/* The e-mail outbox rows of the event's inbox rows whose users asked for
 * one each. */
static int mail_rows(registry *reg, int64_t event_id, int64_t now, errmsg *err)
{
    static const char sql[] =
        "INSERT INTO outbox(event_id, channel, recipient, next_attempt,"
        " created_at, updated_at) SELECT :event, :channel, u.email, :now,"
        " :now, :now FROM inbox x JOIN users u ON u.id = x.user_id"
        " WHERE x.event_id = :event AND u.inbox_email = 'each'"
        " ORDER BY x.id";
    sqlite3_stmt *st;
    int rc;

    if (!inbox_channel)
        return 0;
    st = reg_stmt(reg, sql, err, REG_INT(":event", event_id),
                  REG_TEXT(":channel", inbox_channel), REG_INT(":now", now));
    rc = reg_exec_bound(reg, st, err);
    return rc < 0 ? rc : 0;
}

int reg_inbox_fanout(registry *reg, int64_t event_id, int ev,
                     const registry_event_about *about, int64_t now,
                     errmsg *err)
{
    unsigned to = ev >= 0 && ev < EV_COUNT ? event_to[ev] : 0;
    char inst[101] = "";
    int64_t org = 0;
    int rc;

    assert(about);
    if (!to)
        return 0;
    rc = event_org(reg, about, &org, err);
    if (rc == 0 && (to & TO_TABLE_WATCH) && ev == EV_REQUEST_DEPLOYED)
        rc = event_instance(reg, event_id, inst, sizeof inst, err);
    for (size_t i = 0; rc == 0 && i < sizeof recipients / sizeof *recipients;
         i++) {
        const struct recipient *r = &recipients[i];
        sqlite3_stmt *st;
        if (!(to & r->to))
            continue;
        st = reg_stmt_get(reg, r->sql, err);
        reg_bind_all(st, REG_INT(":event", event_id), REG_INT(":org", org),
                     REG_TEXT(":reason", r->reason), REG_INT(":now", now),
                     REG_INT(":actor", about->actor_id));
        if (strstr(r->sql, ":req"))
            reg_bind_int(st, ":req", about->request_id);
        if (strstr(r->sql, ":table"))
            reg_bind_int(st, ":table", about->table_id);
        if (strstr(r->sql, ":inst"))
            reg_bind_text(st, ":inst", inst);
        rc = reg_exec_bound(reg, st, err);
        if (rc > 0)
            rc = 0;
    }
    if (rc == 0)
        rc = mail_rows(reg, event_id, now, err);
    return rc;
}

/* ---- reading and marking ------------------------------------------------ */

typedef struct item_list {
    registry_inbox_item *items;
    size_t n, cap;
} item_list;

static int item_row(sqlite3_stmt *st, void *ctx)
{
    item_list *l = ctx;
    registry_inbox_item *it;

    xgrow(&l->items, &l->cap, l->n + 1, sizeof *l->items);
    it = &l->items[l->n++];
    memset(it, 0, sizeof *it);
    reg_cols(st, "iicciiii", &it->id, &it->event_id, it->event,
             sizeof it->event, it->reason, sizeof it->reason, &it->request_id,
             &it->table_id, &it->created_at, &it->read_at);
    it->payload = xstrdup(reg_col_text(st, 8));
    return 0;
}

void registry_inbox_items_free(registry_inbox_item *items, size_t n)
{
    for (size_t i = 0; items && i < n; i++)
        free(items[i].payload);
    free(items);
}

int registry_inbox_list(registry *reg, const registry_inbox_query *q,
                        registry_inbox_item **out, size_t *out_n, int *out_more,
                        errmsg *err)
{
    static const char sql[] =
        /* The page is chosen from the inbox rows alone, then joined to
           its events: sorting every item with its payload first read all
           of a user's payloads for every page. */
        "SELECT x.id, x.event_id, e.event, x.reason,"
        " coalesce(e.request_id, 0), coalesce(e.table_id, 0), x.created_at,"
        " x.read_at, e.payload FROM (SELECT id, event_id, reason, created_at,"
        " read_at FROM inbox WHERE user_id = :user"
        " AND (:org = 0 OR org_id = :org) AND (:unread = 0 OR read_at = 0)"
        " AND (:before = 0 OR id < :before) ORDER BY id DESC LIMIT :limit) x"
        " JOIN events e ON e.id = x.event_id ORDER BY x.id DESC";
    int limit = q->limit > 0 && q->limit <= 200 ? q->limit : 50;
    sqlite3_stmt *st = reg_stmt(
        reg, sql, err, REG_INT(":user", q->user_id), REG_INT(":org", q->org_id),
        REG_INT(":unread", q->unread_only != 0),
        REG_INT(":before", q->before_id), REG_INT(":limit", limit + 1));
    item_list l = {0};
    int rc = reg_each(reg, st, item_row, &l, err);

    if (rc < 0) {
        registry_inbox_items_free(l.items, l.n);
        return rc;
    }
    if (out_more)
        *out_more = l.n > (size_t)limit;
    if (l.n > (size_t)limit) {
        free(l.items[limit].payload);
        l.n = (size_t)limit;
    }
    *out = l.items;
    *out_n = l.n;
    return 0;
}

int registry_inbox_unread(registry *reg, int64_t user_id, int64_t org_id,
                          int64_t cap, int64_t *out, errmsg *err)
{
    static const char sql[] =
        "SELECT count(*) FROM (SELECT 1 FROM inbox WHERE user_id = :user"
        " AND read_at = 0 AND (:org = 0 OR org_id = :org) LIMIT :cap)";
    sqlite3_stmt *st =
        reg_stmt(reg, sql, err, REG_INT(":user", user_id),
                 REG_INT(":org", org_id), REG_INT(":cap", cap > 0 ? cap : -1));

    return reg_count(reg, st, out, err);
}

int registry_inbox_mark(registry *reg, int64_t user_id, const int64_t *ids,
                        size_t n, int all, int64_t up_to_id, int read,
                        int64_t *out_n, errmsg *err)
{
    static const char sql_one[] =
        "UPDATE inbox SET read_at = :at WHERE id = :id AND user_id = :user"
        " AND (read_at = 0) = (:at <> 0)";
    static const char sql_all[] =
        "UPDATE inbox SET read_at = :at WHERE user_id = :user"
        " AND (:upto = 0 OR id <= :upto) AND (read_at = 0) = (:at <> 0)";
    int64_t at = read ? time_now() : 0, total = 0, k = 0;
    int rc = registry_begin(reg, err);

    if (at == 0 && read)
        at = 1;
    if (rc == 0 && all) {
        sqlite3_stmt *st =
            reg_stmt(reg, sql_all, err, REG_INT(":at", at),
                     REG_INT(":user", user_id), REG_INT(":upto", up_to_id));
        rc = reg_exec_count(reg, st, &total, err);
    }
    for (size_t i = 0; rc == 0 && !all && i < n; i++) {
        sqlite3_stmt *st =
            reg_stmt(reg, sql_one, err, REG_INT(":at", at),
                     REG_INT(":id", ids[i]), REG_INT(":user", user_id));
        rc = reg_exec_count(reg, st, &k, err);
        total += k;
    }
    if (rc == 0)
        rc = registry_commit(reg, err);
    if (rc < 0) {
        registry_rollback(reg);
        return rc;
    }
    if (out_n)
        *out_n = total;
    return 0;
}

/* ---- watches ------------------------------------------------------------ */

int registry_watch_set(registry *reg, int64_t user_id, registry_watch_kind k,
                       int64_t ref, int on, int *out_changed, errmsg *err)
{
    static const char sql_on[] =
        "INSERT OR IGNORE INTO watches(kind, ref, user_id, created_at)"
        " VALUES (:kind, :ref, :user, :now)";
    static const char sql_off[] = "DELETE FROM watches WHERE kind = :kind"
                                  " AND ref = :ref AND user_id = :user";
    sqlite3_stmt *st;
    int rc;

    if (k != WATCH_REQUEST && k != WATCH_TABLE)
        return err_set(err, ERR_INVALID, "unknown kind of watch");
    st = reg_stmt_get(reg, on ? sql_on : sql_off, err);
    reg_bind_all(st, REG_TEXT(":kind", registry_watch_kind_name(k)),
                 REG_INT(":ref", ref), REG_INT(":user", user_id));
    if (on)
        reg_bind_int(st, ":now", time_now());
    rc = reg_exec_bound(reg, st, err);
    if (rc < 0)
        return rc;
    if (out_changed)
        *out_changed = rc > 0;
    return 0;
}

int registry_watching(registry *reg, int64_t user_id, registry_watch_kind k,
                      int64_t ref, int *out, errmsg *err)
{
    static const char sql[] = "SELECT count(*) FROM watches WHERE kind = :kind"
                              " AND ref = :ref AND user_id = :user";
    sqlite3_stmt *st =
        reg_stmt(reg, sql, err, REG_TEXT(":kind", registry_watch_kind_name(k)),
                 REG_INT(":ref", ref), REG_INT(":user", user_id));
    int64_t n = 0;
    int rc = reg_count(reg, st, &n, err);

    if (rc == 0)
        *out = n > 0;
    return rc;
}

static void watch_read(registry_watch *w, sqlite3_stmt *st)
{
    const char *kind;

    memset(w, 0, sizeof *w);
    reg_cols(st, "tiiccic", &kind, &w->ref, &w->org_id, w->label,
             sizeof w->label, w->path, sizeof w->path, &w->created_at, w->name,
             sizeof w->name);
    w->kind = registry_watch_kind_parse(kind);
}

REG_EACH_ADAPTER(watch, registry_watch, watch_read)

int registry_watch_list(registry *reg, int64_t user_id, int64_t org_id,
                        void (*fn)(void *ctx, const registry_watch *w),
                        void *ctx, errmsg *err)
{
    /* What a watch names, with the organisation it belongs to: a watch
       of something gone (a request deleted) is left out. */
    static const char sql[] =
        "SELECT * FROM (SELECT w.kind, w.ref, r.org_id,"
        "  'CR-' || r.id || ' ' || r.title, '/requests/' || r.id,"
        "  w.created_at, 'CR-' || r.id"
        "  FROM watches w JOIN requests r ON r.id = w.ref"
        "  WHERE w.kind = 'request' AND w.user_id = :user"
        " UNION ALL SELECT w.kind, w.ref, i.org_id, i.name || ' / ' || t.name,"
        "  '/tables/' || i.name || '/' || t.name, w.created_at,"
        "  i.name || '/' || t.name"
        "  FROM watches w JOIN reg_tables t ON t.id = w.ref"
        "  JOIN instances i ON i.id = t.instance_id"
        "  WHERE w.kind = 'table' AND w.user_id = :user)"
        " WHERE :org = 0 OR org_id = :org ORDER BY 6 DESC, 1, 2";
    struct watch_each e = {fn, ctx};
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":user", user_id),
                                REG_INT(":org", org_id));

    return reg_each(reg, st, watch_each_row, &e, err);
}

static int locate_row(sqlite3_stmt *st, void *ctx)
{
    int64_t *v = ctx;

    reg_cols(st, "ii", &v[0], &v[1]);
    return 0;
}

int registry_table_locate(registry *reg, int64_t *out_id, int64_t *out_org,
                          const char *instance, const char *table, errmsg *err)
{
    static const char sql[] =
        "SELECT t.id, i.org_id FROM reg_tables t JOIN instances i"
        " ON i.id = t.instance_id WHERE i.name = :inst AND t.name = :table";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_TEXT(":inst", instance),
                                REG_TEXT(":table", table));
    int64_t v[2] = {0, 0};
    int rc = reg_one(reg, st, locate_row, v, err);

    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "no table %.100s in instance %.100s",
                       table ? table : "", instance ? instance : "");
    if (rc < 0)
        return rc;
    if (out_id)
        *out_id = v[0];
    if (out_org)
        *out_org = v[1];
    return 0;
}

int registry_inbox_mail_set(registry *reg, int64_t user_id,
                            registry_inbox_mail m, errmsg *err)
{
    static const char sql[] =
        "UPDATE users SET inbox_email = :mail WHERE id = :id";
    sqlite3_stmt *st =
        reg_stmt(reg, sql, err, REG_TEXT(":mail", registry_inbox_mail_name(m)),
                 REG_INT(":id", user_id));
    int rc = reg_exec_bound(reg, st, err);

    if (rc == 0)
        return err_set(err, ERR_NOTFOUND, "no such user");
    return rc < 0 ? rc : 0;
}

int registry_inbox_mail_get(registry *reg, int64_t user_id,
                            registry_inbox_mail *out, errmsg *err)
{
    static const char sql[] = "SELECT inbox_email FROM users WHERE id = :id";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":id", user_id));
    char name[8] = "";
    text_out t = {name, sizeof name};
    int rc = reg_one(reg, st, text_row, &t, err);
    int m;

    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "no such user");
    if (rc < 0)
        return rc;
    m = registry_inbox_mail_parse(name);
    *out = m < 0 ? INBOX_MAIL_OFF : (registry_inbox_mail)m;
    return 0;
}

/* ---- the daily digest --------------------------------------------------- */

typedef struct digest_user {
    int64_t id, org_id, since;
    char email[256], name[201], role[8];
} digest_user;

typedef struct digest_users {
    digest_user *u;
    size_t n, cap;
} digest_users;

static int digest_user_row(sqlite3_stmt *st, void *ctx)
{
    digest_users *l = ctx;
    digest_user *d;

    xgrow(&l->u, &l->cap, l->n + 1, sizeof *l->u);
    d = &l->u[l->n++];
    reg_cols(st, "iccci", &d->id, d->email, sizeof d->email, d->name,
             sizeof d->name, d->role, sizeof d->role, &d->since);
    d->org_id = sqlite3_column_int64(st, 5);
    return 0;
}

static int digest_item_row(sqlite3_stmt *st, void *ctx)
{
    cJSON *items = ctx, *o = cJSON_CreateObject();
    cJSON *payload = cJSON_Parse(reg_col_text(st, 2));

    cJSON_AddStringToObject(o, "event", reg_col_text(st, 0));
    cJSON_AddNumberToObject(o, "created_at",
                            (double)sqlite3_column_int64(st, 1));
    cJSON_AddItemToObject(o, "payload",
                          payload ? payload : cJSON_CreateObject());
    cJSON_AddItemToArray(items, o);
    return 0;
}

/* One user's digest: the event and its e-mail row, when there are unread
 * items since the last one. "Since" includes the second of the last
 * digest: an item written in that very second just after it is in this
 * one instead of in none (one that was already in the last digest and
 * is still unread is listed again). */
static int digest_one(registry *reg, const digest_user *d, int64_t now,
                      int *written, errmsg *err)
{
    static const char sql_count[] =
        "SELECT count(*) FROM inbox WHERE user_id = :user AND read_at = 0"
        " AND created_at >= :since AND (:org = 0 OR org_id = :org)";
    static const char sql_items[] =
        "SELECT e.event, x.created_at, e.payload FROM inbox x"
        " JOIN events e ON e.id = x.event_id WHERE x.user_id = :user"
        " AND x.read_at = 0 AND x.created_at >= :since"
        " AND (:org = 0 OR x.org_id = :org) ORDER BY x.id DESC LIMIT 50";
    static const char sql_mail[] =
        "INSERT INTO outbox(event_id, channel, recipient, next_attempt,"
        " created_at, updated_at) VALUES (:event, :channel, :to, :now, :now,"
        " :now)";
    static const char sql_done[] =
        "UPDATE users SET inbox_digest_at = :now WHERE id = :id";
    int64_t org = strcmp(d->role, "client") ? 0 : d->org_id, count = 0, ev;
    sqlite3_stmt *st;
    cJSON *root, *items;
    int rc;

    st = reg_stmt(reg, sql_count, err, REG_INT(":user", d->id),
                  REG_INT(":since", d->since), REG_INT(":org", org));
    rc = reg_count(reg, st, &count, err);
    if (rc == 0 && count > 0) {
        root = cJSON_CreateObject();
        cJSON_AddStringToObject(root, "event", "inbox.digest");
        cJSON_AddStringToObject(root, "recipient", d->email);
        cJSON_AddStringToObject(root, "name", d->name);
        cJSON_AddNumberToObject(root, "count", (double)count);
        cJSON_AddStringToObject(root, "url", "/inbox");
        items = cJSON_AddArrayToObject(root, "items");
        st = reg_stmt(reg, sql_items, err, REG_INT(":user", d->id),
                      REG_INT(":since", d->since), REG_INT(":org", org));
        rc = reg_each(reg, st, digest_item_row, items, err);
        if (rc == 0)
            rc =
                registry_event_emit(reg, &ev, EV_INBOX_DIGEST, NULL, root, err);
        cJSON_Delete(root);
        if (rc == 0) {
            st = reg_stmt(reg, sql_mail, err, REG_INT(":event", ev),
                          REG_TEXT(":channel", inbox_channel),
                          REG_TEXT(":to", d->email), REG_INT(":now", now));
            rc = reg_insert(reg, st, NULL, err);
        }
        if (rc == 0)
            (*written)++;
    }
    if (rc == 0) {
        st = reg_stmt(reg, sql_done, err, REG_INT(":now", now),
                      REG_INT(":id", d->id));
        rc = reg_exec_bound(reg, st, err);
    }
    return rc < 0 ? rc : 0;
}

int registry_inbox_digest(registry *reg, int64_t now, int hour, int minute,
                          int *out_n, errmsg *err)
{
    static const char sql[] =
        "SELECT id, email, name, role, inbox_digest_at, coalesce(org_id, 0)"
        " FROM users WHERE active AND inbox_email = 'daily'"
        " AND inbox_digest_at < :slot ORDER BY id";
    int64_t slot = now - now % 86400 + hour * 3600 + minute * 60;
    digest_users l = {0};
    int rc, written = 0;

    if (out_n)
        *out_n = 0;
    if (!inbox_channel || now < slot)
        return 0;
    rc = registry_begin(reg, err);
    if (rc == 0)
        rc = reg_each(reg, reg_stmt(reg, sql, err, REG_INT(":slot", slot)),
                      digest_user_row, &l, err);
    for (size_t i = 0; rc == 0 && i < l.n; i++)
        rc = digest_one(reg, &l.u[i], now, &written, err);
    if (rc == 0)
        rc = registry_commit(reg, err);
    if (rc < 0)
        registry_rollback(reg);
    free(l.u);
    if (rc == 0 && out_n)
        *out_n = written;
    return rc < 0 ? rc : 0;
}
