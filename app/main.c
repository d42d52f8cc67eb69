/* main.c: the docket command. Global options, configuration loading
 * (defaults < config file < DOCKET_* environment < flags) and dispatch to
 * the subcommands in cmd_*.c. */
#include "app.h"
#include "inbox.h"
#include "log.h"
#include "str.h"

#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

config app_config;

static const char usage[] =
    "usage: docket [--config FILE] [--db PATH] COMMAND [ARGS]\n"
    "\n"
    "Change requests and the living registry of a marketing-data platform.\n"
    "\n"
    "commands:\n"
    "  serve [--listen ADDR:PORT] [--tls-cert F --tls-key F] [--read-only]\n"
    "                      run the web server (default 127.0.0.1:8080);\n"
    "                      --read-only serves a copy it must not write\n"
    "  org add NAME        add an organisation (client company)\n"
    "  instance add ORG NAME --env ENV --dialect D\n"
    "                      add an instance (D: postgres, mysql, snowflake, "
    "sqlite)\n"
    "  user add --email E --name N --role R [--org ORG] [--password-stdin]\n"
    "  user list | passwd --email E [--password-stdin] | deactivate --email E\n"
    "  token create --email E --label L\n"
    "                      print a new API token once\n"
    "  backup FILE         copy the database safely while it is in use\n"
    "  restore FILE        replace the database with a backup (server "
    "stopped)\n"
    "  notify test CHANNEL send a test message to a configured channel\n"
    "  notify run          deliver due notifications once\n"
    "  lookup NAME [--instance I] [--json] [--url URL --token T]\n"
    "                      a table's rules card (exit 0 shown, 1 several or\n"
    "                      none: candidates listed, 2 error)\n"
    "  tables [--instance I] [--required] [--consent] [--pii]\n"
    "                      compact list of the registry\n"
    "  import --instance I [--format csv|dbt|odcs] FILE|DIR\n"
    "                      load a data dictionary, dbt sources or ODCS\n"
    "                      contracts (all or nothing)\n"
    "  export --format html|markdown|csv|dbt|odcs --out DIR [--instance I]\n"
    "                      offline copy of the registry; dbt sources.yml\n"
    "                      per instance, an ODCS contract per table\n"
    "  arrived --instance I TABLE [--rows N] [--bytes N] [--file F]\n"
    "          [--failed MESSAGE] [--at T] [--url URL --token T]\n"
    "                      report a file of a table\n"
    "  gate --instance I [--at T] [--json] [--url URL --token T]\n"
    "                      may campaigns run? exit 0 run, 4 wait, 5 hold\n"
    "  feeds tick [--at T]\n"
    "                      raise the feed alerts due and prune old arrivals\n"
    "                      (what the server does every minute; for cron)\n"
    "  drift --instance I [--from SOURCE] [--schema S] [--json] [--dry-run]\n"
    "                      the registry against the live database (exit 0\n"
    "                      no drift, 6 drift, 3 source unreadable)\n"
    "  adopt --instance I [--from SOURCE] [--schema S] [--table T ...]\n"
    "        [--user EMAIL] [--dry-run] [--json]\n"
    "                      document the live tables and columns the registry\n"
    "                      lacks (all or nothing; exit 0 adopted, 2 usage,\n"
    "                      3 source unreadable or adopt refused)\n"
    "  demo                fill a FRESH database with a demo world\n"
    "  migrate CR-ID --out DIR [--instance I] [--dialect D] [--format F]\n"
    "                      write the migration of a request (F: plain,\n"
    "                      flyway, liquibase, dbmate, atlas, goose)\n"
    "\n"
    "options:\n"
    "  --config FILE       INI configuration (also DOCKET_CONFIG)\n"
    "  --db PATH           database file (also DOCKET_DB; default docket.db)\n"
    "  --help, --version\n"
    "\n"
    "exit codes: 0 ok, 1 not found, 2 usage or configuration error, "
    "3 failure\n";

int app_fail(int code, const char *fmt, ...)
{
    va_list ap;

    fputs("docket: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return code;
}

static void args_remove(app_args *a, int i, int n)
{
    memmove(&a->argv[i], &a->argv[i + n],
            (size_t)(a->argc - i - n + 1) * sizeof *a->argv);
    a->argc -= n;
}

const char *app_opt(app_args *a, const char *name)
{
    size_t n = strlen(name);

    for (int i = 1; i < a->argc; i++) {
        const char *s = a->argv[i];
        if (!strcmp(s, "--"))
            break;
        if (!strncmp(s, name, n) && s[n] == '=') {
            args_remove(a, i, 1);
            return s + n + 1;
        }
        if (!strcmp(s, name)) {
            const char *v;
            if (i + 1 >= a->argc) {
                app_fail(EXIT_USAGE, "%s needs a value", name);
                exit(EXIT_USAGE);
            }
            v = a->argv[i + 1];
            args_remove(a, i, 2);
            return v;
        }
    }
    return NULL;
}

int app_flag(app_args *a, const char *name)
{
    for (int i = 1; i < a->argc; i++) {
        if (!strcmp(a->argv[i], "--"))
            break;
        if (!strcmp(a->argv[i], name)) {
            args_remove(a, i, 1);
            return 1;
        }
    }
    return 0;
}

int app_positionals(app_args *a, const char *use)
{
    for (int i = 1; i < a->argc; i++) {
        if (!strcmp(a->argv[i], "--")) {
            args_remove(a, i, 1);
            break;
        }
        if (str_startswith(a->argv[i], "--")) {
            app_fail(EXIT_USAGE, "unknown option %s\nusage: %s", a->argv[i],
                     use);
            exit(EXIT_USAGE);
        }
    }
    return a->argc - 1;
}

registry *app_open_db(int flags)
{
    registry *reg = NULL;
    errmsg err = {0};

    if (registry_open(&reg, app_config.db, flags, &err) < 0) {
        app_fail(err.code == ERR_INVALID || err.code == ERR_NOTFOUND
                     ? EXIT_USAGE
                     : EXIT_RUNTIME,
                 "%s", err.msg);
        return NULL;
    }
    return reg;
}

static int set_level(const char *lvl)
{
    if (!strcmp(lvl, "debug"))
        log_set_level(LOG_DEBUG);
    else if (!strcmp(lvl, "warn"))
        log_set_level(LOG_WARN);
    else if (!strcmp(lvl, "error"))
        log_set_level(LOG_ERROR);
    else
        log_set_level(LOG_INFO);
    return 0;
}

/* The commands other than serve, by name. */
static const struct {
    const char *name;
    int (*run)(app_args *a);
} commands[] = {
    {"org", cmd_org},         {"instance", cmd_instance},
    {"user", cmd_user},       {"token", cmd_token},
    {"backup", cmd_backup},   {"restore", cmd_restore},
    {"notify", cmd_notify},   {"lookup", cmd_lookup},
    {"tables", cmd_tables},   {"import", cmd_import},
    {"export", cmd_export},   {"demo", cmd_demo},
    {"migrate", cmd_migrate}, {"arrived", cmd_arrived},
    {"gate", cmd_gate},       {"feeds", cmd_feeds},
    {"drift", cmd_drift},     {"adopt", cmd_adopt},
};

static int run_command(app_args *a)
{
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(a->argv[0], commands[i].name))
            return commands[i].run(a);
    return app_fail(EXIT_USAGE, "unknown command \"%s\" (see docket --help)",
                    a->argv[0]);
}

/* Finishes the configuration and hands it to the modules that keep it
 * (routes, the inbox e-mail channel, the log level); serve calls it after
 * parsing --listen and friends. 0, or the exit code of a bad one. */
int app_finish_config(void);
int app_finish_config(void)
{
    errmsg err = {0};

    if (cfg_finish(&app_config, &err) < 0)
        return app_fail(EXIT_USAGE, "%s", err.msg);
    g_config = &app_config;
    registry_routes_set(app_config.routes, app_config.nroutes);
    registry_inbox_channel_set(app_config.inbox_email);
    set_level(app_config.log_level);
    return 0;
}

int main(int argc, char **argv)
{
    app_args a = {argc, argv};
    const char *cfgfile, *db;
    errmsg err = {0};
    sigset_t stop, before;
    int rc;

    /* `docket serve` waits for SIGINT/SIGTERM with sigwait, so they must
       be blocked in every thread it starts: block them before anything
       else, so that a stop that arrives during start-up (the database
       opening, the search index building in the background) stays pending
       until serve collects it, instead of killing the process. The other
       commands get their usual signals back below. */
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, &before);
    if (sodium_init() < 0)
        return app_fail(EXIT_RUNTIME, "libsodium failed to start");
    /* Global options may stand before the command. */
    cfgfile = app_opt(&a, "--config");
    db = app_opt(&a, "--db");
    if (app_flag(&a, "--help") || app_flag(&a, "-h") ||
        (a.argc > 1 && !strcmp(a.argv[1], "help"))) {
        fputs(usage, stdout);
        return 0;
    }
    if (app_flag(&a, "--version") ||
        (a.argc > 1 && !strcmp(a.argv[1], "version"))) {
        printf("docket %s\n", DOCKET_VERSION);
        return 0;
    }
    if (a.argc < 2) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    cfg_init(&app_config);
    if (!cfgfile)
        cfgfile = getenv("DOCKET_CONFIG");
    if (cfgfile && *cfgfile && cfg_load_file(&app_config, cfgfile, &err) < 0)
        return app_fail(EXIT_USAGE, "%s", err.msg);
    if (cfg_load_env(&app_config, &err) < 0)
        return app_fail(EXIT_USAGE, "environment: %s", err.msg);
    if (db && cfg_set(&app_config, "server", "db", db, &err) < 0)
        return app_fail(EXIT_USAGE, "--db: %s", err.msg);
    a.argc--;
    a.argv++;
    /* serve takes its own flags before the configuration is finished. */
    if (!strcmp(a.argv[0], "serve"))
        rc = cmd_serve(&a);
    else {
        pthread_sigmask(SIG_SETMASK, &before, NULL);
        rc = app_finish_config();
        if (rc == 0)
            rc = run_command(&a);
    }
    cfg_dispose(&app_config);
    return rc;
}
