/* cmd_accounts.c: scriptable account administration: `docket org`,
 * `docket instance`, `docket user`, `docket token`, and `docket backup` /
 * `docket restore`. Every change is written to the audit log as done by
 * "cli". */
#include "app.h"
#include "accounts.h"
#include "str.h"

#include <signal.h>
#include <stdarg.h>
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

/* The command line acts as an administrator named "cli". */
static const domain_actor cli = {.role = ROLE_ADMIN, .email = "cli"};
#define CLI_FROM "local"

/* Opens the database for a change, runs nothing: NULL after the message
 * (the caller exits with EXIT_USAGE). */
static registry *open_rw(void)
{
    return app_open_db(0);
}

/* Closes reg; the error of rc (< 0) with its exit code, else the line
 * of ok_fmt (printf-style) on standard output and 0. */
static int report(registry *reg, int rc, const errmsg *err, const char *ok_fmt,
                  ...) __attribute__((format(printf, 4, 5)));
static int report(registry *reg, int rc, const errmsg *err, const char *ok_fmt,
                  ...)
{
    va_list ap;

    registry_close(reg);
    if (rc < 0)
        return app_fail(exit_for(err), "%s", err->msg);
    va_start(ap, ok_fmt);
    vprintf(ok_fmt, ap);
    va_end(ap);
    putchar('\n');
    return 0;
}

/* "docket WHAT add ..." with want positionals (options already taken):
 * the database open for the change, or NULL with *code the exit code
 * (usage, or a database that cannot be opened). */
static registry *add_begin(app_args *a, const char *u, int want, int *code)
{
    int n = app_positionals(a, u);
    registry *reg;

    if (n != want || strcmp(a->argv[1], "add") != 0) {
        *code = usage_fail(u);
        return NULL;
    }
    reg = open_rw();
    if (!reg)
        *code = EXIT_USAGE;
    return reg;
}

int cmd_org(app_args *a)
{
    static const char u[] = "docket org add NAME";
    errmsg err = {0};
    int rc = 0;
    registry *reg = add_begin(a, u, 2, &rc);

    if (!reg)
        return rc;
    rc = domain_org_create(reg, &cli, a->argv[2], CLI_FROM, &err);
    return report(reg, rc, &err, "organisation %s added", a->argv[2]);
}

int cmd_instance(app_args *a)
{
    static const char u[] = "docket instance add ORG NAME --env ENV --dialect "
                            "postgres|mysql|snowflake|sqlite";
    const char *env = app_opt(a, "--env");
    const char *dialect = app_opt(a, "--dialect");
    errmsg err = {0};
    int rc = 0;
    registry *reg = add_begin(a, u, 3, &rc);

    if (!reg)
        return rc;
    if (!*a->argv[2]) {
        registry_close(reg);
        return app_fail(EXIT_USAGE,
                        "an instance belongs to an organisation: give its "
                        "name first (%s; see docket org add)",
                        u);
    }
    rc = domain_instance_create(reg, &cli, a->argv[2], a->argv[3],
                                env ? env : "production",
                                dialect ? dialect : "postgres", CLI_FROM, &err);
    return report(reg, rc, &err, "instance %s added to %s", a->argv[3],
                  a->argv[2]);
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

void app_random_password(char *out, size_t n)
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
    printf("%-32s %-7s %-20s %-8s %s\n", u->email, u->role,
           u->org_name[0] ? u->org_name : "-",
           u->active ? "active" : "inactive", u->name);
}

int cmd_user(app_args *a)
{
    static const char u[] =
        "docket user add --email E --name N --role client|pm|ops|admin "
        "[--org ORG] [--password-stdin]\n"
        "       docket user add --email E --name N --role service [--org ORG]\n"
        "       docket user list [--role R]\n"
        "       docket user passwd --email E [--password-stdin]\n"
        "       docket user deactivate --email E";
    const char *email = app_opt(a, "--email");
    const char *name = app_opt(a, "--name");
    const char *role = app_opt(a, "--role");
    const char *org = app_opt(a, "--org");
    int from_stdin = app_flag(a, "--password-stdin");
    char password[4 * 128 + 4];
    int n = app_positionals(a, u), rc = 0, generated = 0, service = 0;
    registry *reg;
    registry_user usr;
    errmsg err = {0};
    char ok[400];

    if (n != 1)
        return usage_fail(u);
    if (!strcmp(a->argv[1], "list")) {
        reg = app_open_db(REGISTRY_READONLY);
        if (!reg)
            return EXIT_USAGE;
        rc = registry_user_list(reg, role, list_user, NULL, &err);
        registry_close(reg);
        return rc < 0 ? app_fail(EXIT_RUNTIME, "%s", err.msg) : 0;
    }
    if (!email)
        return usage_fail(u);
    /* A service account has no password: none is made or read for it
       (--password-stdin with it is refused by the rules). */
    service = !strcmp(a->argv[1], "add") && role && !strcmp(role, "service");
    if (service && !from_stdin) {
        password[0] = '\0';
    } else if (!strcmp(a->argv[1], "add") || !strcmp(a->argv[1], "passwd")) {
        if (from_stdin) {
            if (read_password(password, sizeof password) < 0)
                return app_fail(EXIT_USAGE,
                                "cannot read a password of 12 to 128 "
                                "characters from standard input");
        } else {
            app_random_password(password, 21);
            generated = 1;
        }
    }
    reg = open_rw();
    if (!reg)
        return EXIT_USAGE;
    if (!strcmp(a->argv[1], "add")) {
        domain_user_new in = {email, name, role, org, password, generated};
        if (service && !from_stdin)
            in.password = NULL;
        if (!name || !role) {
            registry_close(reg);
            return usage_fail(u);
        }
        rc = domain_user_create(reg, &cli, &in, CLI_FROM, NULL, &err);
        snprintf(ok, sizeof ok, "user %s added (%s)%s%s%s", email, role,
                 service ? "; it has no password: give it an API token "
                           "with docket token create --email "
                         : "",
                 service ? email : "", service ? " --label LABEL" : "");
    } else if (!strcmp(a->argv[1], "passwd") ||
               !strcmp(a->argv[1], "deactivate")) {
        int passwd = !strcmp(a->argv[1], "passwd");
        /* A new password ends every session of the user. */
        domain_user_edit in = {
            NULL,      NULL, NULL, passwd ? -1 : 0, passwd ? password : NULL,
            generated, NULL};
        rc = registry_user_find(reg, &usr, email, &err);
        if (rc == 0)
            rc = domain_user_update(reg, &cli, usr.id, &in, CLI_FROM, &err);
        snprintf(ok, sizeof ok,
                 passwd ? "password of %s changed; its sessions were ended"
                        : "user %s deactivated",
                 email);
    } else {
        registry_close(reg);
        sodium_memzero(password, sizeof password);
        return usage_fail(u);
    }
    rc = report(reg, rc, &err, "%s", ok);
    if (rc == 0 && generated)
        printf("temporary password (shown once, must be changed at "
               "sign-in): %s\n",
               password);
    sodium_memzero(password, sizeof password);
    return rc;
}

int cmd_token(app_args *a)
{
    static const char u[] = "docket token create --email E --label L";
    const char *email = app_opt(a, "--email");
    const char *label = app_opt(a, "--label");
    int n = app_positionals(a, u), rc;
    char token[80];
    registry *reg;
    registry_user usr;
    errmsg err = {0};

    if (n != 1 || strcmp(a->argv[1], "create") || !email || !label)
        return usage_fail(u);
    reg = open_rw();
    if (!reg)
        return EXIT_USAGE;
    rc = registry_user_find(reg, &usr, email, &err);
    if (rc == 0)
        rc = domain_token_create(reg, &cli, usr.id, label, CLI_FROM, token,
                                 &err);
    return report(reg, rc, &err, "%s", rc == 0 ? token : "");
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
    reg = app_open_db(REGISTRY_NOCREATE);
    if (!reg)
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
