/* cmd_migrate.c: `docket migrate CR-12 --instance I --dialect D --format F
 * --out DIR`: the migration stub of a stored request, written as files,
 * with the lint warnings on standard error. Generation is migrations/;
 * the old column types come from the instance's registry
 * (registry_request_old_types in registry/triage.c). */
#include "app.h"
#include "migrate.h"
#include "requests.h"
#include "str.h"
#include "triage.h"

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

typedef struct inst_pick {
    const char *want; /* NULL: the main instance */
    const char *main;
    char name[101];
    char dialect[17];
    int found;
} inst_pick;

static void pick(void *ctx, const registry_request_instance *i)
{
    inst_pick *p = ctx;

    if (p->found)
        return;
    if ((p->want && !strcmp(p->want, i->name)) ||
        (!p->want && !strcmp(p->main, i->name))) {
        str_copy(p->name, sizeof p->name, i->name);
        str_copy(p->dialect, sizeof p->dialect, i->dialect);
        p->found = 1;
    }
}

int cmd_migrate(app_args *a)
{
    const char *inst = app_opt(a, "--instance");
    const char *dia = app_opt(a, "--dialect");
    const char *fmt = app_opt(a, "--format");
    const char *out = app_opt(a, "--out");
    const char *num;
    sql_dialect d = SQL_POSTGRES;
    migrate_format f = MIGRATE_PLAIN;
    migrate_options opt = {0};
    migrate_result res = {0};
    form_request r;
    inst_pick ip = {0};
    registry *reg = NULL;
    errmsg err = {0};
    int64_t id;
    int rc = 0;

    memset(&r, 0, sizeof r);
    if (app_positionals(a, migrate_usage) != 1 || !out)
        return app_fail(EXIT_USAGE, "usage: %s", migrate_usage);
    num = a->argv[1];
    if (!str_ncasecmp(num, "CR-", 3))
        num += 3;
    if (str_to_i64(&id, num) < 0 || id <= 0)
        return app_fail(EXIT_USAGE, "%s is not a request number (CR-12)",
                        a->argv[1]);
    if (fmt && migrate_format_parse(&f, fmt) < 0)
        return app_fail(EXIT_USAGE,
                        "unknown format %s: use plain, flyway, "
                        "liquibase, dbmate, atlas or goose",
                        fmt);
    if (dia && sql_dialect_parse(&d, dia) < 0)
        return app_fail(EXIT_USAGE,
                        "unknown dialect %s: use postgres, "
                        "mysql, snowflake or sqlite",
                        dia);
    reg = app_open_db(REGISTRY_READONLY);
    if (!reg)
        return EXIT_USAGE;
    if (registry_request_load(reg, &r, id, 0, &err) < 0) {
        rc = app_fail(err.code == ERR_NOTFOUND ? 1 : EXIT_RUNTIME, "%s",
                      err.msg);
        goto done;
    }
    ip.want = inst;
    ip.main = r.instance;
    if (registry_request_instances(reg, id, 0, pick, &ip, &err) < 0) {
        rc = app_fail(EXIT_RUNTIME, "%s", err.msg);
        goto done;
    }
    if (!ip.found) {
        rc = app_fail(EXIT_USAGE, "CR-%lld does not apply to instance %s",
                      (long long)id, inst ? inst : "?");
        goto done;
    }
    if (!dia && sql_dialect_parse(&d, ip.dialect) < 0)
        d = SQL_POSTGRES;
    if (registry_request_old_types(reg, &r, ip.name, &err) < 0) {
        rc = app_fail(EXIT_RUNTIME, "%s", err.msg);
        goto done;
    }
    opt.base_url = app_config.base_url;
    opt.instance = ip.name;
    if (migrate_generate(&res, &r, d, f, &opt, &err) < 0) {
        rc = app_fail(EXIT_RUNTIME, "CR-%lld: %s", (long long)id, err.msg);
        goto done;
    }
    if (mkdir(out, 0777) != 0 && errno != EEXIST) {
        rc = app_fail(EXIT_RUNTIME, "cannot create %s: %s", out,
                      strerror(errno));
        goto done;
    }
    for (size_t i = 0; i < res.nfiles && rc == 0; i++)
        rc = write_file(out, res.files[i].name, res.files[i].content);
    for (size_t i = 0; i < res.nwarnings; i++)
        fprintf(stderr, "warning: %s: %s\n",
                migrate_lint_name(res.warnings[i].rule),
                res.warnings[i].message);
done:
    migrate_result_dispose(&res);
    form_request_dispose(&r);
    registry_close(reg);
    return rc;
}
