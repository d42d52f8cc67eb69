/* accounts.c: organisations, instances, users, passwords (argon2id via
 * libsodium), sessions, API tokens, password resets and the audit log.
 * Secrets are stored only as hashes; see registry.h for the contracts. */
#include "registry_int.h"
#include "dialect.h"
#include "mem.h"
#include "str.h"
#include "log.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

void registry_random_hex(char *out, size_t n)
{
    unsigned char raw[64];

    if (n > sizeof raw)
        n = sizeof raw;
    randombytes_buf(raw, n);
    sodium_bin2hex(out, 2 * n + 1, raw, n);
}

void registry_hash_token(char *out, const char *token)
{
    unsigned char h[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(out, 2 * sizeof h + 1, h, sizeof h);
}

static const struct {
    docket_role bit;
    const char *name;
} role_names[] = {{ROLE_CLIENT, "client"},
                  {ROLE_PM, "pm"},
                  {ROLE_OPS, "ops"},
                  {ROLE_ADMIN, "admin"}};

docket_role registry_role_bit(const char *role)
{
    for (size_t i = 0; role && i < sizeof role_names / sizeof *role_names; i++)
        if (!strcmp(role, role_names[i].name))
            return role_names[i].bit;
    return 0;
}

const char *registry_role_name(docket_role bit)
{
    for (size_t i = 0; i < sizeof role_names / sizeof *role_names; i++)
        if (role_names[i].bit == bit)
            return role_names[i].name;
    return NULL;
}

int registry_role_valid(const char *role)
{
    return registry_role_bit(role) != 0;
}

static int name_check(const char *what, const char *s, size_t max, errmsg *err)
{
    if (!s || !*s)
        return err_set(err, ERR_INVALID, "%s is required", what);
    if (strlen(s) > max)
        return err_set(err, ERR_INVALID, "%s is longer than %zu bytes", what,
                       max);
    if (!str_utf8_valid(s, strlen(s)) || str_has_ctl(s))
        return err_set(err, ERR_INVALID,
                       "%s has invalid characters (control characters or "
                       "invalid UTF-8)",
                       what);
    return 0;
}

/* Organisation and instance names appear in URLs: keep them simple. */
static int slug_check(const char *what, const char *s, errmsg *err)
{
    if (name_check(what, s, 100, err) < 0)
        return ERR_INVALID;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
            return err_set(err, ERR_INVALID,
                           "%s may use letters, digits, '-', '_' and '.' "
                           "only",
                           what);
    return 0;
}

int registry_org_add(registry *reg, int64_t *out_id, const char *name,
                     errmsg *err)
{
    static const char sql[] =
        "INSERT INTO organisations(name, created_at) VALUES (:name, :now)";
    sqlite3_stmt *st;
    int rc;

    if (slug_check("organisation name", name, err) < 0)
        return ERR_INVALID;
    st = reg_stmt_get(reg, sql, err);
    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":name", name);
    reg_bind_int(st, ":now", time_now());
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        rc = reg_db_error(reg, err);
        reg_done(st);
        if (rc == ERR_CONFLICT) {
            err_clear(err);
            err_set(err, ERR_CONFLICT, "organisation %s already exists", name);
        }
        return rc;
    }
    reg_done(st);
    if (out_id)
        *out_id = sqlite3_last_insert_rowid(reg->db);
    return 0;
}

static int org_one(sqlite3_stmt *st, void *ctx)
{
    registry_org *out = ctx;

    out->id = sqlite3_column_int64(st, 0);
    reg_col_copy(out->name, sizeof out->name, st, 1);
    return 0;
}

int registry_org_get(registry *reg, registry_org *out, const char *name,
                     errmsg *err)
{
    static const char sql[] =
        "SELECT id, name FROM organisations WHERE name = :name";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc = 0;

    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":name", name);
    rc = reg_one(reg, st, org_one, out, err);
    if (rc == ERR_NOTFOUND)
        rc = err_set(err, ERR_NOTFOUND, "no organisation named %.100s",
                     name ? name : "");
    return rc;
}

struct org_each {
    void (*fn)(void *ctx, const registry_org *o);
    void *ctx;
};

static int org_each_row(sqlite3_stmt *st, void *ctx)
{
    struct org_each *e = ctx;
    registry_org o;

    o.id = sqlite3_column_int64(st, 0);
    reg_col_copy(o.name, sizeof o.name, st, 1);
    e->fn(e->ctx, &o);
    return 0;
}

int registry_org_list(registry *reg,
                      void (*fn)(void *ctx, const registry_org *o), void *ctx,
                      errmsg *err)
{
    struct org_each e = {fn, ctx};
    static const char sql[] = "SELECT id, name FROM organisations ORDER BY "
                              "name";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);

    return reg_each(reg, st, org_each_row, &e, err);
}

/* Only the canonical names of core's one name table are stored. */
static int dialect_valid(const char *d)
{
    sql_dialect x;

    return sql_dialect_parse(&x, d) == 0 && !strcmp(d, sql_dialect_name(x));
}

int registry_instance_add(registry *reg, int64_t *out_id, const char *org,
                          const char *name, const char *environment,
                          const char *dialect, errmsg *err)
{
    static const char sql[] =
        "INSERT INTO instances(org_id, name, environment, dialect, "
        "created_at) VALUES (:org, :name, :env, :dialect, :now)";
    registry_org o;
    sqlite3_stmt *st;
    int rc;

    if (slug_check("instance name", name, err) < 0 ||
        slug_check("environment", environment, err) < 0)
        return ERR_INVALID;
    if (!dialect || !dialect_valid(dialect))
        return err_set(err, ERR_INVALID,
                       "dialect must be postgres, mysql, snowflake or sqlite");
    if ((rc = registry_org_get(reg, &o, org, err)) < 0)
        return rc;
    st = reg_stmt_get(reg, sql, err);
    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":org", o.id);
    reg_bind_text(st, ":name", name);
    reg_bind_text(st, ":env", environment);
    reg_bind_text(st, ":dialect", dialect);
    reg_bind_int(st, ":now", time_now());
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = reg_db_error(reg, err);
        reg_done(st);
        if (rc == ERR_CONFLICT) {
            err_clear(err);
            err_set(err, ERR_CONFLICT, "instance %s already exists", name);
        }
        return rc;
    }
    reg_done(st);
    if (out_id)
        *out_id = sqlite3_last_insert_rowid(reg->db);
    return 0;
}

static void instance_row(registry_instance *i, sqlite3_stmt *st)
{
    i->id = sqlite3_column_int64(st, 0);
    i->org_id = sqlite3_column_int64(st, 1);
    reg_col_copy(i->name, sizeof i->name, st, 2);
    reg_col_copy(i->org_name, sizeof i->org_name, st, 3);
    reg_col_copy(i->environment, sizeof i->environment, st, 4);
    reg_col_copy(i->dialect, sizeof i->dialect, st, 5);
}

static int instance_one(sqlite3_stmt *st, void *ctx)
{
    instance_row(ctx, st);
    return 0;
}

int registry_instance_get(registry *reg, registry_instance *out,
                          const char *name, errmsg *err)
{
    static const char sql[] =
        "SELECT i.id, i.org_id, i.name, o.name, i.environment, i.dialect"
        " FROM instances i JOIN organisations o ON o.id = i.org_id"
        " WHERE i.name = :name";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc = 0;

    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":name", name);
    rc = reg_one(reg, st, instance_one, out, err);
    if (rc == ERR_NOTFOUND)
        rc = err_set(err, ERR_NOTFOUND, "no instance named %.100s",
                     name ? name : "");
    return rc;
}

struct instance_each {
    void (*fn)(void *ctx, const registry_instance *i);
    void *ctx;
};

static int instance_each_row(sqlite3_stmt *st, void *ctx)
{
    struct instance_each *e = ctx;
    registry_instance i;

    instance_row(&i, st);
    e->fn(e->ctx, &i);
    return 0;
}

int registry_instance_list(registry *reg, int64_t org_id,
                           void (*fn)(void *ctx, const registry_instance *i),
                           void *ctx, errmsg *err)
{
    static const char sql[] =
        "SELECT i.id, i.org_id, i.name, o.name, i.environment, i.dialect"
        " FROM instances i JOIN organisations o ON o.id = i.org_id"
        " WHERE :org = 0 OR i.org_id = :org ORDER BY o.name, i.name";
    struct instance_each e = {fn, ctx};
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":org", org_id);
    return reg_each(reg, st, instance_each_row, &e, err);
}

int registry_password_check(const char *password, errmsg *err)
{
    size_t n;

    if (!password)
        return err_set_field(err, ERR_INVALID, "password",
                             "a password is required");
    n = strlen(password);
    if (n > 4 * 128 || !str_utf8_valid(password, n))
        return err_set_field(err, ERR_INVALID, "password",
                             "the password must be 12 to 128 characters");
    n = str_utf8_len(password);
    if (n < 12 || n > 128)
        return err_set_field(err, ERR_INVALID, "password",
                             "the password must be 12 to 128 characters");
    return 0;
}

static int hash_password(char *out, const char *password, errmsg *err)
{
    if (crypto_pwhash_str(out, password, strlen(password),
                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return err_set(err, ERR_INTERNAL, "password hashing failed");
    return 0;
}

static int email_check(const char *email, errmsg *err)
{
    const char *at;

    if (name_check("e-mail", email, 254, err) < 0)
        return ERR_INVALID;
    at = strchr(email, '@');
    if (!at || at == email || !at[1] || strchr(at + 1, '@') ||
        !strchr(at + 1, '.') || strpbrk(email, " \t\r\n<>()[],;:\"\\"))
        return err_set_field(err, ERR_INVALID, "email",
                             "\"%.100s\" is not a valid e-mail address", email);
    return 0;
}

int registry_user_add(registry *reg, int64_t *out_id, const char *email,
                      const char *name, const char *role, const char *org,
                      const char *password, errmsg *err)
{
    static const char sql[] =
        "INSERT INTO users(email, name, role, org_id, password_hash,"
        " created_at, updated_at)"
        " VALUES (:email, :name, :role, :org, :hash, :now, :now)";
    char hash[crypto_pwhash_STRBYTES] = "";
    registry_org o = {0};
    sqlite3_stmt *st;
    int rc;

    if (email_check(email, err) < 0 || name_check("name", name, 200, err) < 0)
        return ERR_INVALID;
    if (!registry_role_valid(role))
        return err_set_field(err, ERR_INVALID, "role",
                             "role must be client, pm, ops or admin");
    if (!strcmp(role, "client") && (!org || !*org))
        return err_set_field(err, ERR_INVALID, "org",
                             "a client belongs to an organisation");
    if (org && *org && (rc = registry_org_get(reg, &o, org, err)) < 0)
        return rc;
    if (password) {
        if (registry_password_check(password, err) < 0)
            return ERR_INVALID;
        if ((rc = hash_password(hash, password, err)) < 0)
            return rc;
    }
    st = reg_stmt_get(reg, sql, err);
    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":email", email);
    reg_bind_text(st, ":name", name);
    reg_bind_text(st, ":role", role);
    if (o.id)
        reg_bind_int(st, ":org", o.id);
    else
        reg_bind_null(st, ":org");
    if (password)
        reg_bind_text(st, ":hash", hash);
    else
        reg_bind_null(st, ":hash");
    reg_bind_int(st, ":now", time_now());
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = reg_db_error(reg, err);
        reg_done(st);
        if (rc == ERR_CONFLICT) {
            err_clear(err);
            err_set_field(err, ERR_CONFLICT, "email",
                          "a user with e-mail %.100s already exists", email);
        }
        return rc;
    }
    reg_done(st);
    if (out_id)
        *out_id = sqlite3_last_insert_rowid(reg->db);
    return 0;
}

#define USER_COLS                                                              \
    "u.id, u.email, u.name, u.role, coalesce(u.org_id, 0),"                    \
    " coalesce(o.name, ''), u.active, u.must_change_password"

static void user_row(registry_user *u, sqlite3_stmt *st)
{
    u->id = sqlite3_column_int64(st, 0);
    reg_col_copy(u->email, sizeof u->email, st, 1);
    reg_col_copy(u->name, sizeof u->name, st, 2);
    reg_col_copy(u->role, sizeof u->role, st, 3);
    u->org_id = sqlite3_column_int64(st, 4);
    reg_col_copy(u->org_name, sizeof u->org_name, st, 5);
    u->active = sqlite3_column_int(st, 6);
    u->must_change_password = sqlite3_column_int(st, 7);
}

static int user_one(sqlite3_stmt *st, void *ctx)
{
    user_row(ctx, st);
    return 0;
}

int registry_user_get(registry *reg, registry_user *out, int64_t id,
                      errmsg *err)
{
    static const char sql[] =
        "SELECT " USER_COLS " FROM users u"
        " LEFT JOIN organisations o ON o.id = u.org_id WHERE u.id = :id";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc = 0;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":id", id);
    rc = reg_one(reg, st, user_one, out, err);
    if (rc == ERR_NOTFOUND)
        rc = err_set(err, ERR_NOTFOUND, "no such user");
    return rc;
}

int registry_user_find(registry *reg, registry_user *out, const char *email,
                       errmsg *err)
{
    static const char sql[] = "SELECT " USER_COLS " FROM users u"
                              " LEFT JOIN organisations o ON o.id = u.org_id"
                              " WHERE u.email = :email";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc = 0;

    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":email", email);
    rc = reg_one(reg, st, user_one, out, err);
    if (rc == ERR_NOTFOUND)
        rc = err_set(err, ERR_NOTFOUND, "no user with e-mail %.100s",
                     email ? email : "");
    return rc;
}

int registry_user_update(registry *reg, int64_t id, const char *name,
                         const char *role, const char *org, errmsg *err)
{
    static const char sql[] =
        "UPDATE users SET name = coalesce(:name, name),"
        " role = coalesce(:role, role),"
        " org_id = CASE WHEN :setorg THEN :org ELSE org_id END,"
        " updated_at = :now WHERE id = :id";
    registry_org o = {0};
    sqlite3_stmt *st;
    int rc;

    if (name && name_check("name", name, 200, err) < 0)
        return ERR_INVALID;
    if (role && !registry_role_valid(role))
        return err_set_field(err, ERR_INVALID, "role",
                             "role must be client, pm, ops or admin");
    if (org && *org && (rc = registry_org_get(reg, &o, org, err)) < 0)
        return rc;
    st = reg_stmt_get(reg, sql, err);
    if (!st)
        return ERR_DB;
    if (name)
        reg_bind_text(st, ":name", name);
    if (role)
        reg_bind_text(st, ":role", role);
    reg_bind_int(st, ":setorg", org != NULL);
    if (o.id)
        reg_bind_int(st, ":org", o.id);
    reg_bind_int(st, ":now", time_now());
    reg_bind_int(st, ":id", id);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = reg_db_error(reg, err);
        reg_done(st);
        if (rc == ERR_CONFLICT) {
            err_clear(err);
            err_set_field(err, ERR_INVALID, "org",
                          "a client belongs to an organisation");
            rc = ERR_INVALID;
        }
        return rc;
    }
    rc = sqlite3_changes(reg->db) ? 0
                                  : err_set(err, ERR_NOTFOUND, "no such user");
    reg_done(st);
    return rc;
}

int registry_user_set_active(registry *reg, int64_t id, int active, errmsg *err)
{
    static const char sql[] =
        "UPDATE users SET active = :a, updated_at = :now WHERE id = :id";
    static const char drop[] = "DELETE FROM sessions WHERE user_id = :id";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":a", active ? 1 : 0);
    reg_bind_int(st, ":now", time_now());
    reg_bind_int(st, ":id", id);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    if (rc == 0 && !sqlite3_changes(reg->db))
        rc = err_set(err, ERR_NOTFOUND, "no such user");
    reg_done(st);
    if (rc == 0 && !active) {
        st = reg_stmt_get(reg, drop, err);
        if (!st)
            return ERR_DB;
        reg_bind_int(st, ":id", id);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : reg_db_error(reg, err);
        reg_done(st);
    }
    return rc;
}

/* Ends every reset link of user that is still usable. */
static int resets_expire(registry *reg, int64_t user, errmsg *err)
{
    static const char sql[] =
        "UPDATE password_resets SET expires_at = :now"
        " WHERE user_id = :user AND used_at = 0 AND expires_at > :now";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":now", time_now());
    reg_bind_int(st, ":user", user);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    return rc;
}

int registry_user_set_password(registry *reg, int64_t id, const char *password,
                               int must_change, errmsg *err)
{
    static const char sql[] =
        "UPDATE users SET password_hash = :hash, must_change_password = :mc,"
        " updated_at = :now WHERE id = :id";
    char hash[crypto_pwhash_STRBYTES];
    sqlite3_stmt *st;
    int rc;

    if (registry_password_check(password, err) < 0)
        return ERR_INVALID;
    if ((rc = hash_password(hash, password, err)) < 0)
        return rc;
    st = reg_stmt_get(reg, sql, err);
    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":hash", hash);
    reg_bind_int(st, ":mc", must_change ? 1 : 0);
    reg_bind_int(st, ":now", time_now());
    reg_bind_int(st, ":id", id);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    if (rc == 0 && !sqlite3_changes(reg->db))
        rc = err_set(err, ERR_NOTFOUND, "no such user");
    reg_done(st);
    /* A new password ends every reset link still out. */
    if (rc == 0)
        rc = resets_expire(reg, id, err);
    return rc;
}

int registry_user_authenticate(registry *reg, registry_user *out,
                               const char *email, const char *password,
                               errmsg *err)
{
    static const char sql[] =
        "SELECT " USER_COLS ", u.password_hash FROM users u"
        " LEFT JOIN organisations o ON o.id = u.org_id"
        " WHERE u.email = :email AND u.active";
    static const char rehash[] =
        "UPDATE users SET password_hash = :hash WHERE id = :id";
    /* A fixed hash to verify against when the user does not exist, so
       both answers take the same time. */
    static char dummy[crypto_pwhash_STRBYTES];
    char stored[crypto_pwhash_STRBYTES] = "";
    registry_user u = {0};
    sqlite3_stmt *st;
    int found = 0, ok, sr;

    if (!email || !password || strlen(password) > 4 * 128)
        return err_set(err, ERR_INVALID, "wrong e-mail or password");
    st = reg_stmt_get(reg, sql, err);
    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":email", email);
    sr = sqlite3_step(st);
    if (sr == SQLITE_ROW && sqlite3_column_type(st, 8) != SQLITE_NULL) {
        user_row(&u, st);
        reg_col_copy(stored, sizeof stored, st, 8);
        found = 1;
    } else if (sr != SQLITE_ROW && sr != SQLITE_DONE) {
        /* Busy or broken: not a wrong password. */
        ok = reg_db_error(reg, err);
        reg_done(st);
        return ok;
    }
    reg_done(st);
    if (!found) {
        if (!dummy[0])
            hash_password(dummy, "not a real password", NULL);
        if (crypto_pwhash_str_verify(dummy, password, strlen(password)) == 0)
            log_warn("dummy password matched");
        return err_set(err, ERR_INVALID, "wrong e-mail or password");
    }
    ok = crypto_pwhash_str_verify(stored, password, strlen(password)) == 0;
    if (!ok)
        return err_set(err, ERR_INVALID, "wrong e-mail or password");
    if (crypto_pwhash_str_needs_rehash(stored,
                                       crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                       crypto_pwhash_MEMLIMIT_INTERACTIVE)) {
        char hash[crypto_pwhash_STRBYTES];
        if (hash_password(hash, password, NULL) == 0) {
            st = reg_stmt_get(reg, rehash, NULL);
            if (st) {
                reg_bind_text(st, ":hash", hash);
                reg_bind_int(st, ":id", u.id);
                sqlite3_step(st);
                reg_done(st);
            }
        }
    }
    *out = u;
    return 0;
}

struct user_each {
    void (*fn)(void *ctx, const registry_user *u);
    void *ctx;
};

static int user_each_row(sqlite3_stmt *st, void *ctx)
{
    struct user_each *e = ctx;
    registry_user u;

    user_row(&u, st);
    e->fn(e->ctx, &u);
    return 0;
}

int registry_user_list(registry *reg, const char *role,
                       void (*fn)(void *ctx, const registry_user *u), void *ctx,
                       errmsg *err)
{
    static const char sql[] =
        "SELECT " USER_COLS " FROM users u"
        " LEFT JOIN organisations o ON o.id = u.org_id"
        " WHERE :role = '' OR u.role = :role ORDER BY u.email";
    struct user_each e = {fn, ctx};
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);

    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":role", role ? role : "");
    return reg_each(reg, st, user_each_row, &e, err);
}

int64_t registry_user_count(registry *reg)
{
    static const char sql[] = "SELECT count(*) FROM users";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, NULL);
    int64_t n = -1;

    if (st && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    reg_done(st);
    return n;
}

int registry_session_create(registry *reg, char *token_out, char *csrf_out,
                            int64_t user_id, const char *address, errmsg *err)
{
    static const char sql[] =
        "INSERT INTO sessions(token_hash, user_id, csrf, address, created_at,"
        " last_seen) VALUES (:hash, :user, :csrf, :addr, :now, :now)";
    char token[65], csrf[65], hash[65];
    sqlite3_stmt *st;
    int rc;

    registry_random_hex(token, 32);
    registry_random_hex(csrf, 32);
    registry_hash_token(hash, token);
    st = reg_stmt_get(reg, sql, err);
    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":hash", hash);
    reg_bind_int(st, ":user", user_id);
    reg_bind_text(st, ":csrf", csrf);
    reg_bind_text(st, ":addr", address);
    reg_bind_int(st, ":now", time_now());
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    if (rc == 0) {
        memcpy(token_out, token, 65);
        memcpy(csrf_out, csrf, 65);
    }
    return rc;
}

int registry_session_lookup(registry *reg, registry_user *out, char *csrf_out,
                            const char *token, int64_t idle_s,
                            int64_t lifetime_s, errmsg *err)
{
    static const char sql[] =
        "SELECT " USER_COLS ", s.csrf, s.id, s.created_at, s.last_seen"
        " FROM sessions s JOIN users u ON u.id = s.user_id"
        " LEFT JOIN organisations o ON o.id = u.org_id"
        " WHERE s.token_hash = :hash AND u.active";
    static const char touch[] =
        "UPDATE sessions SET last_seen = :now WHERE id = :id";
    static const char expire[] = "DELETE FROM sessions WHERE id = :id";
    char hash[65];
    sqlite3_stmt *st;
    int64_t sid = 0, created = 0, seen = 0, now = time_now();
    int rc = ERR_NOTFOUND, sr;

    if (!token || strlen(token) != 64)
        return err_set(err, ERR_NOTFOUND, "no session");
    registry_hash_token(hash, token);
    st = reg_stmt_get(reg, sql, err);
    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":hash", hash);
    sr = sqlite3_step(st);
    if (sr == SQLITE_ROW) {
        user_row(out, st);
        reg_col_copy(csrf_out, 65, st, 8);
        sid = sqlite3_column_int64(st, 9);
        created = sqlite3_column_int64(st, 10);
        seen = sqlite3_column_int64(st, 11);
        rc = 0;
    } else if (sr != SQLITE_DONE) {
        /* Busy or broken: the session is not gone. */
        rc = reg_db_error(reg, err);
        reg_done(st);
        return rc;
    }
    reg_done(st);
    if (rc < 0)
        return err_set(err, ERR_NOTFOUND, "no session");
    if (now - seen > idle_s || now - created > lifetime_s) {
        st = reg_stmt_get(reg, expire, NULL);
        if (st) {
            reg_bind_int(st, ":id", sid);
            sqlite3_step(st);
            reg_done(st);
        }
        return err_set(err, ERR_NOTFOUND, "session expired");
    }
    /* Write last_seen at most once a minute to keep reads cheap. */
    if (now - seen >= 60) {
        st = reg_stmt_get(reg, touch, NULL);
        if (st) {
            reg_bind_int(st, ":now", now);
            reg_bind_int(st, ":id", sid);
            sqlite3_step(st);
            reg_done(st);
        }
    }
    return 0;
}

int registry_session_delete(registry *reg, const char *token, errmsg *err)
{
    static const char sql[] = "DELETE FROM sessions WHERE token_hash = :hash";
    char hash[65];
    sqlite3_stmt *st;
    int rc;

    registry_hash_token(hash, token ? token : "");
    st = reg_stmt_get(reg, sql, err);
    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":hash", hash);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    return rc;
}

int registry_session_delete_user(registry *reg, int64_t user_id, errmsg *err)
{
    static const char sql[] = "DELETE FROM sessions WHERE user_id = :id";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":id", user_id);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    return rc;
}

int registry_session_delete_others(registry *reg, int64_t user_id,
                                   const char *keep_token, errmsg *err)
{
    static const char sql[] =
        "DELETE FROM sessions WHERE user_id = :id AND token_hash != :keep";
    char hash[65];
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    registry_hash_token(hash, keep_token ? keep_token : "");
    reg_bind_int(st, ":id", user_id);
    reg_bind_text(st, ":keep", hash);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    return rc;
}

int registry_token_create(registry *reg, char *token_out, int64_t *out_id,
                          int64_t user_id, const char *label, errmsg *err)
{
    static const char sql[] =
        "INSERT INTO api_tokens(token_hash, user_id, label, created_at)"
        " VALUES (:hash, :user, :label, :now)";
    char raw[65], token[72], hash[65];
    sqlite3_stmt *st;
    int rc;

    if (name_check("label", label, 200, err) < 0)
        return ERR_INVALID;
    registry_random_hex(raw, 32);
    snprintf(token, sizeof token, "dkt_%s", raw);
    registry_hash_token(hash, token);
    st = reg_stmt_get(reg, sql, err);
    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":hash", hash);
    reg_bind_int(st, ":user", user_id);
    reg_bind_text(st, ":label", label);
    reg_bind_int(st, ":now", time_now());
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    if (rc == 0) {
        memcpy(token_out, token, strlen(token) + 1);
        if (out_id)
            *out_id = sqlite3_last_insert_rowid(reg->db);
    }
    return rc;
}

int registry_token_lookup(registry *reg, registry_user *out, const char *token,
                          errmsg *err)
{
    static const char sql[] =
        "SELECT " USER_COLS ", t.id, t.last_used FROM api_tokens t"
        " JOIN users u ON u.id = t.user_id"
        " LEFT JOIN organisations o ON o.id = u.org_id"
        " WHERE t.token_hash = :hash AND t.revoked_at = 0 AND u.active";
    static const char touch[] =
        "UPDATE api_tokens SET last_used = :now WHERE id = :id";
    char hash[65];
    sqlite3_stmt *st;
    int64_t tid = 0, used = 0, now = time_now();
    int rc = ERR_NOTFOUND, sr;

    if (!token || strlen(token) != 68 || !str_startswith(token, "dkt_"))
        return err_set(err, ERR_NOTFOUND, "unknown token");
    registry_hash_token(hash, token);
    st = reg_stmt_get(reg, sql, err);
    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":hash", hash);
    sr = sqlite3_step(st);
    if (sr == SQLITE_ROW) {
        user_row(out, st);
        tid = sqlite3_column_int64(st, 8);
        used = sqlite3_column_int64(st, 9);
        rc = 0;
    } else if (sr != SQLITE_DONE) {
        /* Busy or broken: the token is not unknown. */
        rc = reg_db_error(reg, err);
        reg_done(st);
        return rc;
    }
    reg_done(st);
    if (rc < 0)
        return err_set(err, ERR_NOTFOUND, "unknown token");
    if (now - used >= 60 && !reg->readonly) {
        st = reg_stmt_get(reg, touch, NULL);
        if (st) {
            reg_bind_int(st, ":now", now);
            reg_bind_int(st, ":id", tid);
            sqlite3_step(st);
            reg_done(st);
        }
    }
    return 0;
}

int registry_token_revoke(registry *reg, int64_t id, int64_t user_id,
                          errmsg *err)
{
    static const char sql[] =
        "UPDATE api_tokens SET revoked_at = :now"
        " WHERE id = :id AND (:user = 0 OR user_id = :user)"
        " AND revoked_at = 0";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":now", time_now());
    reg_bind_int(st, ":id", id);
    reg_bind_int(st, ":user", user_id);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    if (rc == 0 && !sqlite3_changes(reg->db))
        rc = err_set(err, ERR_NOTFOUND, "no such token");
    reg_done(st);
    return rc;
}

int registry_token_revoke_all(registry *reg, int64_t *out_n, int64_t user_id,
                              errmsg *err)
{
    static const char sql[] = "UPDATE api_tokens SET revoked_at = :now"
                              " WHERE user_id = :user AND revoked_at = 0";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":now", time_now());
    reg_bind_int(st, ":user", user_id);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    if (rc == 0 && out_n)
        *out_n = sqlite3_changes(reg->db);
    reg_done(st);
    return rc;
}

struct token_each {
    void (*fn)(void *ctx, const registry_token *t);
    void *ctx;
};

static int token_each_row(sqlite3_stmt *st, void *ctx)
{
    struct token_each *e = ctx;
    registry_token t;

    t.id = sqlite3_column_int64(st, 0);
    reg_col_copy(t.label, sizeof t.label, st, 1);
    t.created_at = sqlite3_column_int64(st, 2);
    t.last_used = sqlite3_column_int64(st, 3);
    t.revoked_at = sqlite3_column_int64(st, 4);
    e->fn(e->ctx, &t);
    return 0;
}

int registry_token_list(registry *reg, int64_t user_id,
                        void (*fn)(void *ctx, const registry_token *t),
                        void *ctx, errmsg *err)
{
    static const char sql[] =
        "SELECT id, label, created_at, last_used, revoked_at FROM api_tokens"
        " WHERE user_id = :user ORDER BY id DESC";
    struct token_each e = {fn, ctx};
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":user", user_id);
    return reg_each(reg, st, token_each_row, &e, err);
}

int registry_reset_create(registry *reg, char *token_out, int64_t user_id,
                          int64_t ttl_s, errmsg *err)
{
    static const char sql[] =
        "INSERT INTO password_resets(token_hash, user_id, expires_at)"
        " VALUES (:hash, :user, :exp)";
    char token[65], hash[65];
    sqlite3_stmt *st;
    int rc;

    registry_random_hex(token, 32);
    registry_hash_token(hash, token);
    st = reg_stmt_get(reg, sql, err);
    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":hash", hash);
    reg_bind_int(st, ":user", user_id);
    reg_bind_int(st, ":exp", time_now() + ttl_s);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    if (rc == 0)
        memcpy(token_out, token, 65);
    return rc;
}

int registry_reset_request(registry *reg, int *out_sent, const char *email,
                           const char *address, int64_t ttl_s, errmsg *err)
{
    registry_user u = {0};
    errmsg nf = {0};
    char token[65], url[80];
    cJSON *p = NULL;
    char *json = NULL;
    int known, rc;

    known = registry_user_find(reg, &u, email, &nf) == 0 && u.active;
    if (nf.code && nf.code != ERR_NOTFOUND)
        return err_set(err, nf.code, "%s", nf.msg);
    if ((rc = registry_begin(reg, err)) < 0)
        return rc;
    if (!known) {
        rc = registry_audit(reg, 0, email, "password.reset.unknown", email,
                            "no active account", address);
        if (rc < 0)
            err_set(err, ERR_DB, "cannot write the audit log");
        goto done;
    }
    /* Only the newest link works. */
    if ((rc = resets_expire(reg, u.id, err)) < 0 ||
        (rc = registry_reset_create(reg, token, u.id, ttl_s, err)) < 0)
        goto done;
    snprintf(url, sizeof url, "/reset/%s", token);
    p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "event", "account.reset");
    cJSON_AddStringToObject(p, "recipient", u.email);
    cJSON_AddStringToObject(p, "name", u.name);
    cJSON_AddStringToObject(p, "url", url);
    json = cJSON_PrintUnformatted(p);
    if ((rc = registry_event_add(reg, NULL, "account.reset", 0, json, err)) < 0)
        goto done;
    rc = registry_audit(reg, u.id, u.email, "password.reset.sent", u.email, "",
                        address);
    if (rc < 0)
        err_set(err, ERR_DB, "cannot write the audit log");
done:
    if (rc == 0)
        rc = registry_commit(reg, err);
    else
        registry_rollback(reg);
    cJSON_free(json);
    cJSON_Delete(p);
    sodium_memzero(token, sizeof token);
    if (rc == 0)
        *out_sent = known;
    return rc;
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
    if ((rc = registry_begin(reg, err)) < 0)
        return rc;
    st = reg_stmt_get(reg, sql, err);
    if (!st) {
        rc = ERR_DB;
        goto done;
    }
    reg_bind_int(st, ":now", time_now());
    reg_bind_text(st, ":hash", hash);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        user = sqlite3_column_int64(st, 0);
    rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    if (rc < 0)
        goto done;
    if (!user) {
        rc =
            err_set(err, ERR_NOTFOUND, "this link is invalid, used or expired");
        goto done;
    }
    if ((rc = registry_user_set_password(reg, user, password, 0, err)) < 0 ||
        (rc = registry_session_delete_user(reg, user, err)) < 0)
        goto done;
    rc = registry_commit(reg, err);
done:
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
    sqlite3_stmt *st = reg_stmt_get(reg, sql, NULL);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":now", time_now());
    if (user_id)
        reg_bind_int(st, ":user", user_id);
    else
        reg_bind_null(st, ":user");
    reg_bind_text(st, ":actor", actor);
    reg_bind_text(st, ":action", action);
    reg_bind_text(st, ":target", target);
    reg_bind_text(st, ":detail", detail);
    reg_bind_text(st, ":addr", address);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : ERR_DB;
    reg_done(st);
    return rc;
}

struct audit_each {
    void (*fn)(void *ctx, const registry_audit_row *r);
    void *ctx;
};

static int audit_each_row(sqlite3_stmt *st, void *ctx)
{
    struct audit_each *e = ctx;
    registry_audit_row r;

    r.id = sqlite3_column_int64(st, 0);
    r.created_at = sqlite3_column_int64(st, 1);
    r.actor = reg_col_text(st, 2);
    r.action = reg_col_text(st, 3);
    r.target = reg_col_text(st, 4);
    r.detail = reg_col_text(st, 5);
    r.address = reg_col_text(st, 6);
    e->fn(e->ctx, &r);
    return 0;
}

int registry_audit_list(registry *reg, int64_t before_id, int limit,
                        void (*fn)(void *ctx, const registry_audit_row *r),
                        void *ctx, errmsg *err)
{
    static const char sql[] =
        "SELECT id, created_at, actor, action, target, detail, address"
        " FROM audit_log WHERE :before = 0 OR id < :before"
        " ORDER BY id DESC LIMIT :limit";
    struct audit_each e = {fn, ctx};
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);

    if (!st)
        return ERR_DB;
    reg_bind_int(st, ":before", before_id);
    reg_bind_int(st, ":limit", limit);
    return reg_each(reg, st, audit_each_row, &e, err);
}
