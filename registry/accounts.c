/* accounts.c: organisations, instances, users and their passwords
 * (argon2id via libsodium). Sessions, API tokens, password resets and the
 * audit log are in sessions.c; the contracts are in registry.h. Secrets
 * are stored only as hashes. */
#include "registry_int.h"
#include "dialect.h"
#include "mem.h"
#include "str.h"
#include "log.h"

#include <assert.h>
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
                  {ROLE_ADMIN, "admin"},
                  {ROLE_SERVICE, "service"}};

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

int reg_name_check(const char *what, const char *s, size_t max, errmsg *err)
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

/* rc, an outcome of a check of the input field: a refusal names field
 * unless it names one already. */
static int on_field(int rc, const char *field, errmsg *err)
{
    if (rc < 0 && err && !err->field[0])
        str_copy(err->field, sizeof err->field, field);
    return rc;
}

/* Organisation and instance names appear in URLs: keep them simple. A
 * refusal is on the input field. */
static int slug_check(const char *what, const char *field, const char *s,
                      errmsg *err)
{
    if (on_field(reg_name_check(what, s, 100, err), field, err) < 0)
        return ERR_INVALID;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
            return err_set_field(err, ERR_INVALID, field,
                                 "%s may use letters, digits, '-', '_' and "
                                 "'.' only",
                                 what);
    return 0;
}

/* Inserts the row of st (bound) whose name must be new: a clash is
 * ERR_CONFLICT "<what> <name> already exists" (on field when not NULL). */
static int insert_new(registry *reg, sqlite3_stmt *st, int64_t *out_id,
                      const char *field, const char *what, const char *name,
                      errmsg *err)
{
    int rc = reg_insert(reg, st, out_id, err);

    if (rc == ERR_CONFLICT) {
        err_clear(err);
        err_set_field(err, ERR_CONFLICT, field, "%s %.100s already exists",
                      what, name);
    }
    return rc;
}

int registry_org_add(registry *reg, int64_t *out_id, const char *name,
                     errmsg *err)
{
    static const char sql[] =
        "INSERT INTO organisations(name, created_at) VALUES (:name, :now)";
    sqlite3_stmt *st;

    if (slug_check("organisation name", "name", name, err) < 0)
        return ERR_INVALID;
    st = reg_stmt(reg, sql, err, REG_TEXT(":name", name),
                  REG_INT(":now", time_now()));
    return insert_new(reg, st, out_id, "name", "organisation", name, err);
}

static void org_row(registry_org *o, sqlite3_stmt *st)
{
    o->id = sqlite3_column_int64(st, 0);
    reg_col_copy(o->name, sizeof o->name, st, 1);
}

/* The one row of st, read by read into out; a missing row is
 * ERR_NOTFOUND with the message "<what><key>", or none (a whole
 * sentence) when key is empty: an empty name never ends a message. */
static int one_named(registry *reg, sqlite3_stmt *st,
                     int (*read)(sqlite3_stmt *st, void *ctx), void *out,
                     const char *what, const char *none, const char *key,
                     errmsg *err)
{
    int rc = reg_one(reg, st, read, out, err);

    if (rc == ERR_NOTFOUND && key && *key)
        rc = err_set(err, ERR_NOTFOUND, "%s%.100s", what, key);
    else if (rc == ERR_NOTFOUND)
        rc = err_set(err, ERR_NOTFOUND, "%s", none);
    return rc;
}

static int org_one(sqlite3_stmt *st, void *ctx)
{
    org_row(ctx, st);
    return 0;
}

int registry_org_get(registry *reg, registry_org *out, const char *name,
                     errmsg *err)
{
    static const char sql[] =
        "SELECT id, name FROM organisations WHERE name = :name";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_TEXT(":name", name));

    return one_named(reg, st, org_one, out, "no organisation named ",
                     "no organisation was named (the name is empty)", name,
                     err);
}

REG_EACH_ADAPTER(org, registry_org, org_row)

int registry_org_list(registry *reg,
                      void (*fn)(void *ctx, const registry_org *o), void *ctx,
                      errmsg *err)
{
    struct org_each e = {fn, ctx};
    static const char sql[] = "SELECT id, name FROM organisations ORDER BY "
                              "name";

    return reg_each(reg, reg_stmt_get(reg, sql, err), org_each_row, &e, err);
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

    if (slug_check("instance name", "name", name, err) < 0 ||
        slug_check("environment", "environment", environment, err) < 0)
        return ERR_INVALID;
    if (!dialect || !dialect_valid(dialect))
        return err_set_field(err, ERR_INVALID, "dialect",
                             "dialect must be postgres, mysql, snowflake or "
                             "sqlite");
    rc = registry_org_get(reg, &o, org, err);
    if (rc < 0)
        return rc;
    st = reg_stmt(reg, sql, err, REG_INT(":org", o.id), REG_TEXT(":name", name),
                  REG_TEXT(":env", environment), REG_TEXT(":dialect", dialect),
                  REG_INT(":now", time_now()));
    return insert_new(reg, st, out_id, "name", "instance", name, err);
}

#define INSTANCE_SQL                                                           \
    "SELECT i.id, i.org_id, i.name, o.name, i.environment, i.dialect"          \
    " FROM instances i JOIN organisations o ON o.id = i.org_id"

static void instance_row(registry_instance *i, sqlite3_stmt *st)
{
    reg_cols(st, "iicccc", &i->id, &i->org_id, i->name, sizeof i->name,
             i->org_name, sizeof i->org_name, i->environment,
             sizeof i->environment, i->dialect, sizeof i->dialect);
}

static int instance_one(sqlite3_stmt *st, void *ctx)
{
    instance_row(ctx, st);
    return 0;
}

int registry_instance_get(registry *reg, registry_instance *out,
                          const char *name, errmsg *err)
{
    static const char sql[] = INSTANCE_SQL " WHERE i.name = :name";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_TEXT(":name", name));

    return one_named(reg, st, instance_one, out, "no instance named ",
                     "no instance was named (the name is empty)", name, err);
}

REG_EACH_ADAPTER(instance, registry_instance, instance_row)

int registry_instance_list(registry *reg, int64_t org_id,
                           void (*fn)(void *ctx, const registry_instance *i),
                           void *ctx, errmsg *err)
{
    static const char sql[] = INSTANCE_SQL " WHERE :org = 0 OR i.org_id = :org"
                                           " ORDER BY o.name, i.name";
    struct instance_each e = {fn, ctx};
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);

    reg_bind_scope(st, org_id, NULL, NULL);
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

    if (on_field(reg_name_check("e-mail", email, 254, err), "email", err) < 0)
        return ERR_INVALID;
    at = strchr(email, '@');
    if (!at || at == email || !at[1] || strchr(at + 1, '@') ||
        !strchr(at + 1, '.') || strpbrk(email, " \t\r\n<>()[],;:\"\\"))
        return err_set_field(err, ERR_INVALID, "email",
                             "\"%.100s\" is not a valid e-mail address", email);
    return 0;
}

/* The organisation named org into *o when org is given (o->id stays 0
 * otherwise). */
static int org_if_named(registry *reg, registry_org *o, const char *org,
                        errmsg *err)
{
    return org && *org ? registry_org_get(reg, o, org, err) : 0;
}

/* The argon2id hash of password, checked first, into hash when given. */
static int password_hash_new(char *hash, const char *password, errmsg *err)
{
    if (!password)
        return 0;
    if (registry_password_check(password, err) < 0)
        return ERR_INVALID;
    return hash_password(hash, password, err);
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

    if (email_check(email, err) < 0 ||
        on_field(reg_name_check("name", name, 200, err), "name", err) < 0)
        return ERR_INVALID;
    if (!registry_role_valid(role))
        return err_set_field(err, ERR_INVALID, "role",
                             "role must be client, pm, ops, admin or service");
    if (!strcmp(role, "client") && (!org || !*org))
        return err_set_field(err, ERR_INVALID, "org",
                             "choose the organisation this client belongs to");
    rc = org_if_named(reg, &o, org, err);
    if (rc == 0)
        rc = password_hash_new(hash, password, err);
    if (rc < 0)
        return rc;
    st = reg_stmt(reg, sql, err, REG_TEXT(":email", email),
                  REG_TEXT(":name", name), REG_TEXT(":role", role),
                  REG_ID(":org", o.id));
    if (password)
        reg_bind_text(st, ":hash", hash);
    else
        reg_bind_null(st, ":hash");
    reg_bind_int(st, ":now", time_now());
    return insert_new(reg, st, out_id, "email", "a user with e-mail", email,
                      err);
}

void reg_user_row(registry_user *u, sqlite3_stmt *st)
{
    reg_cols(st, "icccicnnic", &u->id, u->email, sizeof u->email, u->name,
             sizeof u->name, u->role, sizeof u->role, &u->org_id, u->org_name,
             sizeof u->org_name, &u->active, &u->must_change_password,
             &u->unread, u->inbox_email, sizeof u->inbox_email);
}

static int user_one(sqlite3_stmt *st, void *ctx)
{
    reg_user_row(ctx, st);
    return 0;
}

#define USER_FROM " FROM users u LEFT JOIN organisations o ON o.id = u.org_id"
#define USER_SQL  "SELECT " REG_USER_COLS USER_FROM

int registry_user_get(registry *reg, registry_user *out, int64_t id,
                      errmsg *err)
{
    static const char sql[] = USER_SQL " WHERE u.id = :id";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":id", id));

    return one_named(reg, st, user_one, out, "", "no such user", NULL, err);
}

int registry_user_find(registry *reg, registry_user *out, const char *email,
                       errmsg *err)
{
    static const char sql[] = USER_SQL " WHERE u.email = :email";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_TEXT(":email", email));

    return one_named(reg, st, user_one, out, "no user with e-mail ",
                     "no e-mail address was given (it is empty)", email, err);
}

/* The result of an UPDATE of one user by id: ERR_NOTFOUND when it
 * changed no row. */
static int user_changed(int rc, errmsg *err)
{
    if (rc == 0)
        return err_set(err, ERR_NOTFOUND, "no such user");
    return rc < 0 ? rc : 0;
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

    if (name &&
        on_field(reg_name_check("name", name, 200, err), "name", err) < 0)
        return ERR_INVALID;
    if (role && !registry_role_valid(role))
        return err_set_field(err, ERR_INVALID, "role",
                             "role must be client, pm, ops, admin or service");
    rc = org_if_named(reg, &o, org, err);
    if (rc < 0)
        return rc;
    st = reg_stmt_get(reg, sql, err);
    if (name)
        reg_bind_text(st, ":name", name);
    if (role)
        reg_bind_text(st, ":role", role);
    reg_bind_int(st, ":setorg", org != NULL);
    if (o.id)
        reg_bind_int(st, ":org", o.id);
    reg_bind_all(st, REG_INT(":now", time_now()), REG_INT(":id", id));
    rc = reg_exec_bound(reg, st, err);
    if (rc == ERR_CONFLICT) {
        /* The CHECK that a client has an organisation. */
        err_clear(err);
        return err_set_field(err, ERR_INVALID, "org",
                             "choose the organisation this client belongs to");
    }
    return user_changed(rc, err);
}

int registry_user_set_active(registry *reg, int64_t id, int active, errmsg *err)
{
    static const char sql[] =
        "UPDATE users SET active = :a, updated_at = :now WHERE id = :id";
    sqlite3_stmt *st =
        reg_stmt(reg, sql, err, REG_INT(":a", active ? 1 : 0),
                 REG_INT(":now", time_now()), REG_INT(":id", id));
    int rc;

    rc = user_changed(reg_exec_bound(reg, st, err), err);
    if (rc == 0 && !active)
        rc = registry_session_delete_user(reg, id, err);
    return rc;
}

int reg_resets_expire(registry *reg, int64_t user, errmsg *err)
{
    static const char sql[] =
        "UPDATE password_resets SET expires_at = :now"
        " WHERE user_id = :user AND used_at = 0 AND expires_at > :now";
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_INT(":now", time_now()),
                                REG_INT(":user", user));
    int rc;

    rc = reg_exec_bound(reg, st, err);
    return rc < 0 ? rc : 0;
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
    rc = hash_password(hash, password, err);
    if (rc < 0)
        return rc;
    st = reg_stmt(reg, sql, err, REG_TEXT(":hash", hash),
                  REG_INT(":mc", must_change ? 1 : 0),
                  REG_INT(":now", time_now()), REG_INT(":id", id));
    rc = user_changed(reg_exec_bound(reg, st, err), err);
    /* A new password ends every reset link still out. */
    if (rc == 0)
        rc = reg_resets_expire(reg, id, err);
    return rc;
}

/* A sign-in's user and stored hash (NULL hash: no password, as a user
 * that does not exist). */
typedef struct login_row {
    registry_user u;
    char stored[crypto_pwhash_STRBYTES];
} login_row;

static int login_one(sqlite3_stmt *st, void *ctx)
{
    login_row *l = ctx;

    if (sqlite3_column_type(st, 8) == SQLITE_NULL)
        return ERR_NOTFOUND;
    reg_user_row(&l->u, st);
    reg_col_copy(l->stored, sizeof l->stored, st, REG_USER_NCOLS);
    return 0;
}

/* Rehashes a password whose stored hash used weaker parameters; a
 * failure leaves the old hash, which still works. */
static void rehash_if_needed(registry *reg, int64_t id, const char *stored,
                             const char *password)
{
    static const char sql[] =
        "UPDATE users SET password_hash = :hash WHERE id = :id";
    char hash[crypto_pwhash_STRBYTES];
    sqlite3_stmt *st;

    if (!crypto_pwhash_str_needs_rehash(stored,
                                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                        crypto_pwhash_MEMLIMIT_INTERACTIVE) ||
        hash_password(hash, password, NULL) < 0)
        return;
    st = reg_stmt(reg, sql, NULL, REG_TEXT(":hash", hash), REG_INT(":id", id));
    reg_exec_bound(reg, st, NULL);
}

int registry_user_authenticate(registry *reg, registry_user *out,
                               const char *email, const char *password,
                               errmsg *err)
{
    static const char sql[] =
        "SELECT " REG_USER_COLS ", u.password_hash" USER_FROM
        " WHERE u.email = :email AND u.active AND u.role <> 'service'";
    /* A fixed hash to verify against when the user does not exist (or is
       a service account, which never signs in with a password), so every
       refusal takes the same time and says the same. */
    static char dummy[crypto_pwhash_STRBYTES];
    login_row l = {0};
    sqlite3_stmt *st;
    int rc;

    if (!email || !password || strlen(password) > 4 * 128)
        return err_set(err, ERR_INVALID, "wrong e-mail or password");
    st = reg_stmt_get(reg, sql, err);
    reg_bind_text(st, ":email", email);
    rc = reg_one(reg, st, login_one, &l, err);
    if (rc < 0 && rc != ERR_NOTFOUND)
        return rc; /* busy or broken: not a wrong password */
    if (rc == ERR_NOTFOUND) {
        if (!dummy[0])
            hash_password(dummy, "not a real password", NULL);
        if (crypto_pwhash_str_verify(dummy, password, strlen(password)) == 0)
            log_warn("dummy password matched");
        return err_set(err, ERR_INVALID, "wrong e-mail or password");
    }
    if (crypto_pwhash_str_verify(l.stored, password, strlen(password)) != 0)
        return err_set(err, ERR_INVALID, "wrong e-mail or password");
    rehash_if_needed(reg, l.u.id, l.stored, password);
    sodium_memzero(l.stored, sizeof l.stored);
    *out = l.u;
    return 0;
}

REG_EACH_ADAPTER(user, registry_user, reg_user_row)

int registry_user_list(registry *reg, const char *role,
                       void (*fn)(void *ctx, const registry_user *u), void *ctx,
                       errmsg *err)
{
    static const char sql[] =
        USER_SQL " WHERE :role = '' OR u.role = :role ORDER BY u.email";
    struct user_each e = {fn, ctx};
    sqlite3_stmt *st =
        reg_stmt(reg, sql, err, REG_TEXT(":role", role ? role : ""));

    return reg_each(reg, st, user_each_row, &e, err);
}

int registry_user_is_active(registry *reg, const char *email, const char *role,
                            errmsg *err)
{
    static const char sql[] = "SELECT count(*) FROM users WHERE email = :email"
                              " AND role = :role AND active";
    int64_t n = 0;
    sqlite3_stmt *st = reg_stmt(reg, sql, err, REG_TEXT(":email", email),
                                REG_TEXT(":role", role));
    int rc = reg_count(reg, st, &n, err);

    return rc < 0 ? rc : n > 0;
}

int64_t registry_user_count(registry *reg)
{
    static const char sql[] = "SELECT count(*) FROM users";
    int64_t n = -1;

    if (reg_count(reg, reg_stmt_get(reg, sql, NULL), &n, NULL) < 0)
        return -1;
    return n;
}
