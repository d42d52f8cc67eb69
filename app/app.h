/* app.h: what the files of app/ share. app/ holds main() and the
 * subcommands; it parses arguments, loads the configuration and wires the
 * modules together, with no business logic of its own. */
#ifndef DOCKET_APP_H
#define DOCKET_APP_H

#include "config.h"
#include "registry.h"

/* Exit codes: 0 success, 1 "not found" style answers (lookup), 2 usage or
 * configuration errors, 3 runtime failures, among them EXIT_BUSY: refused
 * because the database is in use (restore under a running server). */
enum { EXIT_USAGE = 2, EXIT_RUNTIME = 3, EXIT_BUSY = 3 };

/* Parsed command line: the global options (--db, --config) are taken out
 * before the subcommand sees its arguments. */
typedef struct app_args {
    int argc;
    char **argv; /* the subcommand's own arguments (argv[0] = its name) */
} app_args;

/* The loaded configuration (global, read-only once loaded). */
extern config app_config;

/* Finds --name VALUE or --name=VALUE in args and removes it; returns the
 * value or NULL. */
const char *app_opt(app_args *a, const char *name);
/* Finds a flag (--json) and removes it; returns 1 if present. */
int app_flag(app_args *a, const char *name);
/* After options were taken: fails (exit 2) on anything left that starts
 * with "--", and returns the count of positional arguments left. */
int app_positionals(app_args *a, const char *usage);
/* Prints "docket: msg" to stderr and returns code. */
int app_fail(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Opens the configured database (flags as for registry_open); prints the
 * error and returns NULL on failure. */
registry *app_open_db(int flags);
/* n - 1 random characters of an unambiguous alphabet and a NUL: a
 * temporary password (cmd_accounts.c). */
void app_random_password(char *out, size_t n);

/* A subcommand: its arguments in, its exit status out. */
typedef int app_command(app_args *a);

app_command cmd_serve, cmd_org, cmd_instance, cmd_user, cmd_token, cmd_backup,
    cmd_restore, cmd_notify;
/* The registry on the command line (cmd_catalog.c, export.c). */
app_command cmd_lookup, cmd_tables, cmd_import, cmd_export, cmd_demo;
/* `docket migrate CR-12 ...` (cmd_migrate.c). */
app_command cmd_migrate;
/* Tonight's feeds: `docket arrived` and `docket gate` (cmd_feeds.c). */
app_command cmd_arrived, cmd_gate;
/* `docket feeds tick`: the feed alerts, once (cmd_feeds_tick.c). */
app_command cmd_feeds;
/* `docket drift`: the registry against the live database (cmd_drift.c). */
app_command cmd_drift;
/* The live source of instance: from (--from) when given, else its
 * [instance.NAME] drift_source; NULL (the usage error printed) when there
 * is neither. */
const char *app_drift_source(const char *instance, const char *from);
/* `docket adopt`: the live schema written into the registry (cmd_adopt.c). */
app_command cmd_adopt;

#endif
