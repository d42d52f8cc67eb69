/* cmd_accounts.c: scriptable account administration: `docket org`,
 * `docket instance`, `docket user`, `docket token`, and `docket backup` /
 * `docket restore`. Every change is written to the audit log as done by
 * "cli". */
#include "app.h"
#include "str.h"

#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int usage_fail(const char *u)
{
    return app_fail(EXIT_USAGE, "usage: %s", u);
}

static int exit_for(const errmsg *err)
{
    return err->code == ERR_INVALID || err->code == ERR_CONFLICT ||
                   err->code == ERR_NOTFOUND
               ? EXIT_USAGE
               : EXIT_RUNTIME;
}

int cmd_org(app_args *a)
{
    static const char u[] = "docket org add NAME";
    registry *reg;
    errmsg err = {0};
    int n = app_positionals(a, u), rc = 0;

    if (!(n == 2 && !strcmp(a->argv[1], "add")))
        return usage_fail(u);
    if (!(reg = app_open_db(0)))
        return EXIT_USAGE;
    if (registry_org_add(reg, NULL, a->argv[2], &err) < 0)
        rc = app_fail(exit_for(&err), "%s", err.msg);
    else {
        registry_audit(reg, 0, "cli", "org.create", a->argv[2], "", "local");
        printf("organisation %s added\n", a->argv[2]);
    }
    registry_close(reg);
    return rc;
}

int cmd_instance(app_args *a)
{
    static const char u[] = "docket instance add ORG NAME --env ENV --dialect "
                            "postgres|mysql|snowflake|sqlite";
    const char *env = app_opt(a, "--env");
    const char *dialect = app_opt(a, "--dialect");
    registry *reg;
    errmsg err = {0};
    int n = app_positionals(a, u), rc = 0;

    if (!(n == 3 && !strcmp(a->argv[1], "add")))
        return usage_fail(u);
    if (!(reg = app_open_db(0)))
        return EXIT_USAGE;
    if (registry_instance_add(reg, NULL, a->argv[2], a->argv[3],
                              env ? env : "production",
                              dialect ? dialect : "postgres", &err) < 0)
        rc = app_fail(exit_for(&err), "%s", err.msg);
    else {
        registry_audit(reg, 0, "cli", "instance.create", a->argv[3], a->argv[2],
                       "local");
        printf("instance %s added to %s\n", a->argv[3], a->argv[2]);
    }
    registry_close(reg);
    return rc;
}

/* Reads one line from standard input (the password), without the line
 * end. Returns 0 or -1. */
static int read_password(char *out, size_t size)
{
    size_t n;

    if (!fgets(out, (int)size, stdin))
        return -1;
    n = strlen(out);
    if (n == size - 1 && out[n - 1] != '\n')
        return -1; /* longer than any allowed password */
    while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    return 0;
}

static void temp_password(char *out, size_t n)
{
    static const char alphabet[] =
        "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    for (size_t i = 0; i + 1 < n; i++)
        out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    out[n - 1] = '\0';
}

static void list_user(void *ctx, const registry_user *u)
{
    (void)ctx;
    printf("%-32s %-6s %-20s %-8s %s\n", u->email, u->role,
           u->org_name[0] ? u->org_name : "-",
           u->active ? "active" : "inactive", u->name);
}

int cmd_user(app_args *a)
{
    static const char u[] =
        "docket user add --email E --name N --role client|pm|ops|admin "
        "[--org ORG] [--password-stdin]\n"
        "       docket user list [--role R]\n"
        "       docket user passwd --email E [--password-stdin]\n"
        "       docket user deactivate --email E";
    const char *email = app_opt(a, "--email");
    const char *name = app_opt(a, "--name");
    const char *role = app_opt(a, "--role");
    const char *org = app_opt(a, "--org");
    int from_stdin = app_flag(a, "--password-stdin");
    char password[4 * 128 + 4];
    int n = app_positionals(a, u), rc = 0, generated = 0;
    registry *reg;
    registry_user usr;
    errmsg err = {0};
    int64_t id;

    if (n != 1)
        return usage_fail(u);
    if (!strcmp(a->argv[1], "list")) {
        if (!(reg = app_open_db(REGISTRY_READONLY)))
            return EXIT_USAGE;
        registry_user_list(reg, role, list_user, NULL, &err);
        registry_close(reg);
        return 0;
    }
    if (!email)
        return usage_fail(u);
    if (!strcmp(a->argv[1], "add") || !strcmp(a->argv[1], "passwd")) {
        if (from_stdin) {
            if (read_password(password, sizeof password) < 0)
                return app_fail(EXIT_USAGE,
                                "cannot read a password of 12 to 128 "
                                "characters from standard input");
        } else {
            temp_password(password, 21);
            generated = 1;
        }
    }
    if (!(reg = app_open_db(0)))
        return EXIT_USAGE;
    if (!strcmp(a->argv[1], "add")) {
        if (!name || !role) {
            registry_close(reg);
            return usage_fail(u);
        }
        if (registry_user_add(reg, &id, email, name, role, org, password,
                              &err) < 0 ||
            (generated &&
             registry_user_set_password(reg, id, password, 1, &err) < 0)) {
            rc = app_fail(exit_for(&err), "%s", err.msg);
            goto done;
        }
        registry_audit(reg, 0, "cli", "user.create", email, role, "local");
        printf("user %s added (%s)\n", email, role);
    } else if (!strcmp(a->argv[1], "passwd")) {
        if (registry_user_find(reg, &usr, email, &err) < 0 ||
            registry_user_set_password(reg, usr.id, password, generated, &err) <
                0 ||
            registry_session_delete_user(reg, usr.id, &err) < 0) {
            rc = app_fail(exit_for(&err), "%s", err.msg);
            goto done;
        }
        registry_audit(reg, 0, "cli", "user.password.set", email, "", "local");
        printf("password of %s changed; its sessions were ended\n", email);
    } else if (!strcmp(a->argv[1], "deactivate")) {
        if (registry_user_find(reg, &usr, email, &err) < 0 ||
            registry_user_set_active(reg, usr.id, 0, &err) < 0) {
            rc = app_fail(exit_for(&err), "%s", err.msg);
            goto done;
        }
        registry_audit(reg, 0, "cli", "user.deactivate", email, "", "local");
        printf("user %s deactivated\n", email);
    } else {
        rc = usage_fail(u);
        goto done;
    }
    if (generated)
        printf("temporary password (shown once, must be changed at "
               "sign-in): %s\n",
               password);
done:
    sodium_memzero(password, sizeof password);
    registry_close(reg);
    return rc;
}

int cmd_token(app_args *a)
{
    static const char u[] = "docket token create --email E --label L";
    const char *email = app_opt(a, "--email");
    const char *label = app_opt(a, "--label");
    int n = app_positionals(a, u), rc = 0;
    char token[80];
    registry *reg;
    registry_user usr;
    errmsg err = {0};

    if (n != 1 || strcmp(a->argv[1], "create") || !email || !label)
        return usage_fail(u);
    if (!(reg = app_open_db(0)))
        return EXIT_USAGE;
    if (registry_user_find(reg, &usr, email, &err) < 0 ||
        registry_token_create(reg, token, NULL, usr.id, label, &err) < 0) {
        rc = app_fail(exit_for(&err), "%s", err.msg);
    } else {
        registry_audit(reg, 0, "cli", "token.create", email, label, "local");
        printf("%s\n", token);
    }
    registry_close(reg);
    return rc;
}

/* SIGINT/SIGTERM/SIGHUP during a backup or restore: remove the temporary
 * file of the copy, then die of the signal as if unhandled
 * (SA_RESETHAND; the signal is pending until the handler returns). */
static void on_stop_signal(int sig)
{
    registry_backup_cleanup();
    raise(sig);
}

static void cleanup_on_stop_signals(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        sigaddset(&sa.sa_mask, sigs[i]);
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        sigaction(sigs[i], &sa, NULL);
}

int cmd_backup(app_args *a)
{
    static const char u[] = "docket backup FILE";
    registry *reg;
    errmsg err = {0};
    int rc = 0;

    if (app_positionals(a, u) != 1)
        return usage_fail(u);
    if (!(reg = app_open_db(REGISTRY_NOCREATE)))
        return EXIT_USAGE;
    cleanup_on_stop_signals();
    if (registry_backup(reg, a->argv[1], &err) < 0)
        rc = app_fail(EXIT_RUNTIME, "%s", err.msg);
    else
        printf("backup written to %s\n", a->argv[1]);
    registry_close(reg);
    return rc;
}

int cmd_restore(app_args *a)
{
    static const char u[] = "docket restore FILE";
    errmsg err = {0};

    if (app_positionals(a, u) != 1)
        return usage_fail(u);
    cleanup_on_stop_signals();
    if (registry_restore(app_config.db, a->argv[1], &err) < 0) {
        int code = err.code == ERR_CONFLICT   ? EXIT_BUSY
                   : err.code == ERR_NOTFOUND ? EXIT_USAGE
                                              : EXIT_RUNTIME;
        return app_fail(code, "%s", err.msg);
    }
    printf("database %s restored from %s\n", app_config.db, a->argv[1]);
    return 0;
}
