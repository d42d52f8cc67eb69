/* sessions.c: sign-in sessions, API tokens, password-reset links and the
 * audit log. Tokens are random (libsodium) and stored only as SHA-256
 * hashes; users themselves are in accounts.c, the contracts in
 * registry.h. */
#include "registry_int.h"
#include "str.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* A new secret: prefix and 32 random bytes in hex into token (size
 * bytes), its SHA-256 (what is stored) bound to :hash of st. */
static void secret_new(sqlite3_stmt *st, char *token, size_t size,
                       const char *prefix)
{
    char raw[65], hash[65];

    registry_random_hex(raw, 32);
    snprintf(token, size, "%s%s", prefix, raw);
    registry_hash_token(hash, token);
    reg_bind_text(st, ":hash", hash);
}

int registry_session_create(registry *reg, char *token_out, char *csrf_out,
                            int64_t user_id, const char *address, errmsg *err)
{
    static const char sql[] =
        "INSERT INTO sessions(token_hash, user_id, csrf, address, created_at,"
        " last_seen) VALUES (:hash, :user, :csrf, :addr, :now, :now)";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    char token[65], csrf[65];
    int rc;

    secret_new(st, token, sizeof token, "");
    registry_random_hex(csrf, 32);
    reg_bind_all(st, REG_INT(":user", user_id), REG_TEXT(":csrf", csrf),
                 REG_TEXT(":addr", address), REG_INT(":now", time_now()));
    rc = reg_insert(reg, st, NULL, err);
    if (rc == 0) {
        memcpy(token_out, token, 65);
        memcpy(csrf_out, csrf, 65);
    }
    return rc;
}

/* A session or token row: its user, then (from column 8) what the query
 * adds: the session's CSRF token, id and times, or the token's id and
 * last use. */
typedef struct auth_row {
    registry_user *user;
    char *csrf; /* 65 bytes, sessions only */
    int64_t id, created, seen;
} auth_row;

static int session_one(sqlite3_stmt *st, void *ctx)
{
    auth_row *a = ctx;

    reg_user_row(a->user, st);
    reg_col_copy(a->csrf, 65, st, REG_USER_NCOLS);
    a->id = sqlite3_column_int64(st, REG_USER_NCOLS + 1);
    a->created = sqlite3_column_int64(st, REG_USER_NCOLS + 2);
    a->seen = sqlite3_column_int64(st, REG_USER_NCOLS + 3);
    return 0;
}

static int token_one(sqlite3_stmt *st, void *ctx)
{
    auth_row *a = ctx;

    reg_user_row(a->user, st);
    a->id = sqlite3_column_int64(st, REG_USER_NCOLS);
    a->seen = sqlite3_column_int64(st, REG_USER_NCOLS + 1);
    return 0;
}

/* Runs a best-effort UPDATE or DELETE of one row by id (:id), with :now
 * when the statement has it: a failure only loses a timestamp. */
/* Reads (row into a) the session or token row of sql whose :hash is that
 * of token: 0, ERR_NOTFOUND with the message missing, or the error of a
 * failed read (busy or broken: the session or token is not gone). */
static int auth_find(registry *reg, const char *sql, const char *token,
                     int (*row)(sqlite3_stmt *st, void *ctx), auth_row *a,
                     const char *missing, errmsg *err)
{
    char hash[65];
    int rc;

    registry_hash_token(hash, token);
    rc = reg_one(reg, reg_stmt(reg, sql, err, REG_TEXT(":hash", hash)), row, a,
                 err);
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "%s", missing);
    return rc;
}

static void touch(registry *reg, const char *sql, int64_t id, int64_t now)
{
    sqlite3_stmt *st = reg_stmt_get(reg, sql, NULL);

    if (st && sqlite3_bind_parameter_index(st, ":now") > 0)
        reg_bind_int(st, ":now", now);
    reg_bind_int(st, ":id", id);
    reg_exec_bound(reg, st, NULL);
}

int registry_session_lookup(registry *reg, registry_user *out, char *csrf_out,
                            const char *token, int64_t idle_s,
                            int64_t lifetime_s, errmsg *err)
{
    static const char sql[] =
        "SELECT " REG_USER_COLS ", s.csrf, s.id, s.created_at, s.last_seen"
        " FROM sessions s JOIN users u ON u.id = s.user_id"
        " LEFT JOIN organisations o ON o.id = u.org_id"
        " WHERE s.token_hash = :hash AND u.active";
    static const char seen[] =
        "UPDATE sessions SET last_seen = :now WHERE id = :id";
    static const char expire[] = "DELETE FROM sessions WHERE id = :id";
    auth_row a = {.user = out, .csrf = csrf_out};
    int64_t now = time_now();
    int rc;

    if (!token || strlen(token) != 64)
        return err_set(err, ERR_NOTFOUND, "no session");
    rc = auth_find(reg, sql, token, session_one, &a, "no session", err);
    if (rc < 0)
        return rc;
    if (now - a.seen > idle_s || now - a.created > lifetime_s) {
        touch(reg, expire, a.id, now);
        return err_set(err, ERR_NOTFOUND, "session expired");
    }
    /* Write last_seen at most once a minute to keep reads cheap. */
    if (now - a.seen >= 60)
        touch(reg, seen, a.id, now);
    return 0;
}

/* Runs a DELETE of sessions bound by the caller. */
static int sessions_delete(registry *reg, sqlite3_stmt *st, errmsg *err)
{
    int rc = reg_exec_bound(reg, st, err);

    return rc < 0 ? rc : 0;
}

int registry_session_delete(registry *reg, const char *token, errmsg *err)
{
    static const char sql[] = "DELETE FROM sessions WHERE token_hash = :hash";
    char hash[65];
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);

    registry_hash_token(hash, token ? token : "");
    reg_bind_text(st, ":hash", hash);
    return sessions_delete(reg, st, err);
}

int registry_session_delete_user(registry *reg, int64_t user_id, errmsg *err)
{
    static const char sql[] = "DELETE FROM sessions WHERE user_id = :id";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":id", user_id));

    return sessions_delete(reg, st, err);
}

int registry_session_delete_others(registry *reg, int64_t user_id,
                                   const char *keep_token, errmsg *err)
{
    static const char sql[] =
        "DELETE FROM sessions WHERE user_id = :id AND token_hash != :keep";
    char hash[65];
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);

    registry_hash_token(hash, keep_token ? keep_token : "");
    reg_bind_all(st, REG_INT(":id", user_id), REG_TEXT(":keep", hash));
    return sessions_delete(reg, st, err);
}

int registry_token_create(registry *reg, char *token_out, int64_t *out_id,
                          int64_t user_id, const char *label, errmsg *err)
{
    static const char sql[] =
        "INSERT INTO api_tokens(token_hash, user_id, label, created_at)"
        " VALUES (:hash, :user, :label, :now)";
    char token[72];
    sqlite3_stmt *st;
    int rc;

    if (reg_name_check("label", label, 200, err) < 0)
        return ERR_INVALID;
    st = reg_stmt_get(reg, sql, err);
    secret_new(st, token, sizeof token, "dkt_");
    reg_bind_all(st, REG_INT(":user", user_id), REG_TEXT(":label", label),
                 REG_INT(":now", time_now()));
    rc = reg_insert(reg, st, out_id, err);
    if (rc == 0)
        memcpy(token_out, token, strlen(token) + 1);
    return rc;
}

int registry_token_lookup(registry *reg, registry_user *out, const char *token,
                          errmsg *err)
{
    static const char sql[] =
        "SELECT " REG_USER_COLS ", t.id, t.last_used FROM api_tokens t"
        " JOIN users u ON u.id = t.user_id"
        " LEFT JOIN organisations o ON o.id = u.org_id"
        " WHERE t.token_hash = :hash AND t.revoked_at = 0 AND u.active";
    static const char used[] =
        "UPDATE api_tokens SET last_used = :now WHERE id = :id";
    auth_row a = {.user = out};
    int64_t now = time_now();
    int rc;

    if (!token || strlen(token) != 68 || !str_startswith(token, "dkt_"))
        return err_set(err, ERR_NOTFOUND, "unknown token");
    rc = auth_find(reg, sql, token, token_one, &a, "unknown token", err);
    if (rc < 0)
        return rc;
    if (now - a.seen >= 60 && !reg->readonly)
        touch(reg, used, a.id, now);
    return 0;
}

int registry_token_revoke(registry *reg, int64_t id, int64_t user_id,
                          errmsg *err)
{
    static const char sql[] =
        "UPDATE api_tokens SET revoked_at = :now"
        " WHERE id = :id AND (:user = 0 OR user_id = :user)"
        " AND revoked_at = 0";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":now", time_now()),
                                REG_INT(":id", id), REG_INT(":user", user_id));
    int rc;

    rc = reg_exec_bound(reg, st, err);
    if (rc == 0)
        return err_set(err, ERR_NOTFOUND, "no such token");
    return rc < 0 ? rc : 0;
}

int registry_token_revoke_all(registry *reg, int64_t *out_n, int64_t user_id,
                              errmsg *err)
{
    static const char sql[] = "UPDATE api_tokens SET revoked_at = :now"
                              " WHERE user_id = :user AND revoked_at = 0";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":now", time_now()),
                                REG_INT(":user", user_id));

    return reg_exec_count(reg, st, out_n, err);
}

static void token_row(registry_token *t, sqlite3_stmt *st)
{
    reg_cols(st, "iciii", &t->id, t->label, sizeof t->label, &t->created_at,
             &t->last_used, &t->revoked_at);
}

REG_EACH_ADAPTER(token, registry_token, token_row)

int registry_token_list(registry *reg, int64_t user_id,
                        void (*fn)(void *ctx, const registry_token *t),
                        void *ctx, errmsg *err)
{
    static const char sql[] =
        "SELECT id, label, created_at, last_used, revoked_at FROM api_tokens"
        " WHERE user_id = :user ORDER BY id DESC";
    struct token_each e = {fn, ctx};
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":user", user_id));

    return reg_each(reg, st, token_each_row, &e, err);
}

int registry_reset_create(registry *reg, char *token_out, int64_t user_id,
                          int64_t ttl_s, errmsg *err)
{
    static const char sql[] =
        "INSERT INTO password_resets(token_hash, user_id, expires_at)"
        " VALUES (:hash, :user, :exp)";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    char token[65];
    int rc;

    secret_new(st, token, sizeof token, "");
    reg_bind_all(st, REG_INT(":user", user_id),
                 REG_INT(":exp", time_now() + ttl_s));
    rc = reg_insert(reg, st, NULL, err);
    if (rc == 0)
        memcpy(token_out, token, 65);
    return rc;
}

/* The account.reset event for u with the link of token (in the caller's
 * transaction). */
static int reset_event_add(registry *reg, const registry_user *u,
                           const char *token, errmsg *err)
{
    char url[80];
    cJSON *p = cJSON_CreateObject();
    char *json;
    int rc;

    snprintf(url, sizeof url, "/reset/%s", token);
    cJSON_AddStringToObject(p, "event", "account.reset");
    cJSON_AddStringToObject(p, "recipient", u->email);
    cJSON_AddStringToObject(p, "name", u->name);
    cJSON_AddStringToObject(p, "url", url);
    json = cJSON_PrintUnformatted(p);
    rc = registry_event_add(reg, NULL, "account.reset", NULL, json, err);
    cJSON_free(json);
    cJSON_Delete(p);
    return rc;
}

/* An audit row that must be written: its failure fails the caller. */
static int audit_must(registry *reg, int64_t user, const char *actor,
                      const char *action, const char *target,
                      const char *detail, const char *address, errmsg *err)
{
    if (registry_audit(reg, user, actor, action, target, detail, address) < 0)
        return err_set(err, ERR_DB, "cannot write the audit log");
    return 0;
}

int registry_reset_request(registry *reg, int *out_sent, const char *email,
                           const char *address, int64_t ttl_s, errmsg *err)
{
    registry_user u = {0};
    errmsg nf = {0};
    char token[65];
    int known, rc;

    /* A service account has no password to reset. */
    known = registry_user_find(reg, &u, email, &nf) == 0 && u.active &&
            strcmp(u.role, "service") != 0;
    if (nf.code && nf.code != ERR_NOTFOUND)
        return err_set(err, nf.code, "%s", nf.msg);
    rc = registry_begin(reg, err);
    if (rc < 0)
        return rc;
    if (!known) {
        rc = audit_must(reg, 0, email, "password.reset.unknown", email,
                        "no active account", address, err);
        goto done;
    }
    /* Only the newest link works. */
    rc = reg_resets_expire(reg, u.id, err);
    if (rc == 0)
        rc = registry_reset_create(reg, token, u.id, ttl_s, err);
    if (rc == 0)
        rc = reset_event_add(reg, &u, token, err);
    if (rc == 0)
        rc = audit_must(reg, u.id, u.email, "password.reset.sent", u.email, "",
                        address, err);
done:
    if (rc == 0)
        rc = registry_commit(reg, err);
    else
        registry_rollback(reg);
    sodium_memzero(token, sizeof token);
    if (rc == 0)
        *out_sent = known;
    return rc;
}

static int user_id_row(sqlite3_stmt *st, void *ctx)
{
    *(int64_t *)ctx = sqlite3_column_int64(st, 0);
    return 0;
}

int registry_reset_use(registry *reg, int64_t *out_user, const char *token,
                       const char *password, errmsg *err)
{
    static const char sql[] =
        "UPDATE password_resets SET used_at = :now"
        " WHERE token_hash = :hash AND used_at = 0 AND expires_at > :now"
        " RETURNING user_id";
    char hash[65];
    sqlite3_stmt *st;
    int64_t user = 0;
    int rc;

    if (registry_password_check(password, err) < 0)
        return ERR_INVALID;
    registry_hash_token(hash, token ? token : "");
    rc = registry_begin(reg, err);
    if (rc < 0)
        return rc;
    st = reg_stmt(reg, sql, err, REG_INT(":now", time_now()),
                  REG_TEXT(":hash", hash));
    rc = reg_one(reg, st, user_id_row, &user, err);
    if (rc == ERR_NOTFOUND || (rc == 0 && !user))
        rc =
            err_set(err, ERR_NOTFOUND, "this link is invalid, used or expired");
    if (rc == 0)
        rc = registry_user_set_password(reg, user, password, 0, err);
    if (rc == 0)
        rc = registry_session_delete_user(reg, user, err);
    if (rc == 0)
        rc = registry_commit(reg, err);
    if (rc < 0)
        registry_rollback(reg);
    else
        *out_user = user;
    return rc;
}

int registry_audit(registry *reg, int64_t user_id, const char *actor,
                   const char *action, const char *target, const char *detail,
                   const char *address)
{
    static const char sql[] =
        "INSERT INTO audit_log(created_at, user_id, actor, action, target,"
        " detail, address) VALUES (:now, :user, :actor, :action, :target,"
        " :detail, :addr)";
    sqlite3_stmt *st =
        reg_stmt(reg, sql, NULL, REG_INT(":now", time_now()),
                 REG_ID(":user", user_id), REG_TEXT(":actor", actor),
                 REG_TEXT(":action", action), REG_TEXT(":target", target),
                 REG_TEXT(":detail", detail), REG_TEXT(":addr", address));

    return reg_insert(reg, st, NULL, NULL) < 0 ? ERR_DB : 0;
}

static void audit_row(registry_audit_row *r, sqlite3_stmt *st)
{
    reg_cols(st, "iittttt", &r->id, &r->created_at, &r->actor, &r->action,
             &r->target, &r->detail, &r->address);
}

REG_EACH_ADAPTER(audit, registry_audit_row, audit_row)

int registry_audit_list(registry *reg, int64_t before_id, int limit,
                        void (*fn)(void *ctx, const registry_audit_row *r),
                        void *ctx, errmsg *err)
{
    static const char sql[] =
        "SELECT id, created_at, actor, action, target, detail, address"
        " FROM audit_log WHERE :before = 0 OR id < :before"
        " ORDER BY id DESC LIMIT :limit";
    struct audit_each e = {fn, ctx};
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":before", before_id),
                                REG_INT(":limit", limit));

    return reg_each(reg, st, audit_each_row, &e, err);
}
