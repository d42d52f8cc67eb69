/* cmd_migrate.c: `docket migrate CR-12 --instance I --dialect D --format F
 * --out DIR`: the migration stub of a stored request, written as files,
 * with the lint warnings on standard error. The same use case as the
 * migration preview of the web (triage_migration_load, domain/triage.c):
 * the request's instance, dialect and format chosen alike, the old column
 * types from the instance's registry. */
#include "app.h"
#include "inbox_cases.h"
#include "migrate.h"
#include "requests.h"
#include "str.h"
#include "triage.h"
#include "triage_cases.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char migrate_usage[] =
    "docket migrate CR-ID [--instance NAME] [--dialect postgres|mysql|"
    "snowflake|sqlite] [--format plain|flyway|liquibase|dbmate|atlas|goose] "
    "--out DIR";

static int write_file(const char *dir, const char *name, const char *text)
{
    char path[4096];
    FILE *f;
    size_t n = strlen(text);

    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return app_fail(EXIT_USAGE, "path too long: %s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f)
        return app_fail(EXIT_RUNTIME, "cannot write %s: %s", path,
                        strerror(errno));
    if (fwrite(text, 1, n, f) != n || fclose(f) != 0)
        return app_fail(EXIT_RUNTIME, "cannot write %s", path);
    printf("%s\n", path);
    return 0;
}

/* The exit code of a failed migration use case. */
static int fail_code(int code)
{
    switch (code) {
    case ERR_NOTFOUND: return 1;
    case ERR_INVALID: return EXIT_USAGE;
    default: return EXIT_RUNTIME;
    }
}

static int write_files(const char *out, const migrate_result *res)
{
    int rc = 0;

    if (mkdir(out, 0777) != 0 && errno != EEXIST)
        return app_fail(EXIT_RUNTIME, "cannot create %s: %s", out,
                        strerror(errno));
    for (size_t i = 0; i < res->nfiles && rc == 0; i++)
        rc = write_file(out, res->files[i].name, res->files[i].content);
    for (size_t i = 0; i < res->nwarnings; i++)
        fprintf(stderr, "warning: %s: %s\n",
                migrate_lint_name(res->warnings[i].rule),
                res->warnings[i].message);
    return rc;
}

/* The console acts as an administrator: it sees every organisation. */
static const domain_actor console = {.role = ROLE_ADMIN, .email = "cli"};

int cmd_migrate(app_args *a)
{
    triage_migration_query q = {0};
    const char *out = app_opt(a, "--out");
    triage_migration m;
    registry *reg = NULL;
    errmsg err = {0};
    int64_t id;
    int rc;

    q.instance = app_opt(a, "--instance");
    q.dialect = app_opt(a, "--dialect");
    q.format = app_opt(a, "--format");
    q.base_url = app_config.base_url;
    if (app_positionals(a, migrate_usage) != 1 || !out)
        return app_fail(EXIT_USAGE, "usage: %s", migrate_usage);
    id = domain_request_number(a->argv[1]);
    if (!id)
        return app_fail(EXIT_USAGE, "%s is not a request number (CR-12)",
                        a->argv[1]);
    reg = app_open_db(REGISTRY_READONLY);
    if (!reg)
        return EXIT_USAGE;
    rc = triage_migration_load(reg, &console, id, &q, &m, &err);
    if (rc < 0)
        rc = app_fail(fail_code(rc), "CR-%lld: %s%s%s", (long long)id,
                      err.field, *err.field ? ": " : "", err.msg);
    else
        rc = write_files(out, &m.res);
    triage_migration_dispose(&m);
    registry_close(reg);
    return rc;
}
