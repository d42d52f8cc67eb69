/* cmd_drift.c: `docket drift --instance I [--from SOURCE] [--schema S]
 * [--json] [--dry-run]`: is the documentation of instance I true? Its
 * registry compared with the live database (domain/drift_cases.h). The
 * source is --from or drift_source of [instance.I] in the configuration;
 * it is printed only redacted. The report is kept (the drift page shows
 * it, new findings are announced as registry.drift) unless --dry-run.
 * Exit 0 no drift, 6 drift, 3 the source cannot be read, 2 usage or an
 * unknown instance. */
#include "app.h"
#include "buf.h"
#include "drift_cases.h"
#include "str.h"

#include <stdio.h>
#include <string.h>

enum { EXIT_DRIFT = 6 };

static const char drift_usage[] =
    "docket drift --instance I [--from SOURCE] [--schema S] [--json] "
    "[--dry-run]";

static void print_json(const char *instance, const registry_drift_report *r)
{
    buf b = {0};
    char at[32];

    time_iso(at, sizeof at, r->checked_at);
    buf_puts(&b, "{\"instance\":");
    buf_append_json_str(&b, instance);
    buf_puts(&b, ",\"source\":");
    buf_append_json_str(&b, r->source);
    buf_puts(&b, ",\"schema\":");
    buf_append_json_str(&b, r->schema);
    buf_puts(&b, ",\"checked_at\":");
    buf_append_json_str(&b, at);
    buf_appendf(&b, ",\"tables_compared\":%d,\"findings\":[",
                r->tables_compared);
    for (size_t i = 0; i < r->nfindings; i++) {
        const registry_drift_finding *f = &r->findings[i];
        buf_puts(&b, i ? ",{\"kind\":" : "{\"kind\":");
        buf_append_json_str(&b, f->kind);
        buf_puts(&b, ",\"table\":");
        buf_append_json_str(&b, f->table);
        buf_puts(&b, ",\"column\":");
        buf_append_json_str(&b, f->column);
        buf_puts(&b, ",\"registry\":");
        buf_append_json_str(&b, f->registry);
        buf_puts(&b, ",\"live\":");
        buf_append_json_str(&b, f->live);
        buf_putc(&b, '}');
    }
    buf_puts(&b, "]}\n");
    fputs(buf_cstr(&b), stdout);
    buf_dispose(&b);
}

/* One line of text with control characters as '?' (names and comments
 * come from another database). */
static void put_clean(buf *b, const char *s)
{
    for (; s && *s; s++)
        buf_putc(b, (unsigned char)*s < 0x20 || *s == 0x7F ? '?' : *s);
}

static void print_text(const char *instance, const registry_drift_report *r)
{
    buf b = {0};
    char at[32];
    const char *table = NULL;

    time_iso(at, sizeof at, r->checked_at);
    buf_puts(&b, "drift of ");
    put_clean(&b, instance);
    buf_puts(&b, " against ");
    put_clean(&b, r->source);
    buf_appendf(&b, " at %s: %d table%s compared, ", at, r->tables_compared,
                r->tables_compared == 1 ? "" : "s");
    if (!r->nfindings)
        buf_puts(&b, "no drift\n");
    else
        buf_appendf(&b, "%zu finding%s\n", r->nfindings,
                    r->nfindings == 1 ? "" : "s");
    for (size_t i = 0; i < r->nfindings; i++) {
        const registry_drift_finding *f = &r->findings[i];
        if (!table || strcmp(table, f->table)) {
            table = f->table;
            buf_puts(&b, "\n");
            put_clean(&b, table);
            buf_puts(&b, "\n");
        }
        buf_puts(&b, "  ");
        buf_puts(&b, f->kind);
        if (*f->column) {
            buf_puts(&b, " ");
            put_clean(&b, f->column);
        }
        buf_puts(&b, ": registry ");
        put_clean(&b, *f->registry ? f->registry : "(none)");
        buf_puts(&b, "; live ");
        put_clean(&b, *f->live ? f->live : "(none)");
        buf_puts(&b, "\n");
    }
    fputs(buf_cstr(&b), stdout);
    buf_dispose(&b);
}

const char *app_drift_source(const char *instance, const char *from)
{
    const cfg_instance *ci = cfg_instance_find(&app_config, instance);

    if (!from && ci)
        from = ci->drift_source;
    if (!from || !*from) {
        app_fail(EXIT_USAGE,
                 "no source for instance %.100s: give --from SOURCE or "
                 "drift_source in [instance.%.100s]",
                 instance, instance);
        return NULL;
    }
    return from;
}

int cmd_drift(app_args *a)
{
    const char *instance = app_opt(a, "--instance");
    const char *from = app_opt(a, "--from");
    const char *schema = app_opt(a, "--schema");
    int json = app_flag(a, "--json"), dry = app_flag(a, "--dry-run");
    domain_drift_request rq = {0};
    registry_drift_report r = {0};
    domain_actor system = {0};
    errmsg err = {0};
    registry *reg;
    int rc, nnew = 0;

    if (app_positionals(a, drift_usage) != 0 || !instance || !*instance)
        return app_fail(EXIT_USAGE, "usage: %s", drift_usage);
    from = app_drift_source(instance, from);
    if (!from)
        return EXIT_USAGE;
    reg = app_open_db(REGISTRY_NOCREATE);
    if (!reg)
        return EXIT_USAGE;
    system.role = ROLE_ADMIN;
    rq.instance = instance;
    rq.source = from;
    rq.schema = schema;
    rq.store = !dry;
    rc = domain_drift_check(reg, &system, &rq, &r, &nnew, &err);
    registry_close(reg);
    if (rc == ERR_NOTFOUND)
        return app_fail(EXIT_USAGE, "%s", err.msg);
    if (rc < 0 && !r.failed) {
        registry_drift_report_dispose(&r);
        return app_fail(EXIT_RUNTIME, "drift: %s", err.msg);
    }
    if (r.failed) {
        char msg[300];
        snprintf(msg, sizeof msg, "%s", r.error);
        registry_drift_report_dispose(&r);
        return app_fail(rc == ERR_INVALID ? EXIT_USAGE : EXIT_RUNTIME,
                        "drift: %s", msg);
    }
    if (json)
        print_json(instance, &r);
    else
        print_text(instance, &r);
    rc = r.nfindings ? EXIT_DRIFT : 0;
    registry_drift_report_dispose(&r);
    return rc;
}
