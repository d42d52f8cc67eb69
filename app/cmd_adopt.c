/* cmd_adopt.c: `docket adopt --instance I [--from SOURCE] [--schema S]
 * [--table T ...] [--user EMAIL] [--dry-run] [--json]`: writes the tables
 * and columns of the live database that instance I's registry does not
 * document yet into it (domain/adopt_cases.h), all or nothing. The source
 * is --from or drift_source of [instance.I]; it is printed only redacted.
 * As the import: the console by default, or the user named by --user
 * with that user's rights (project managers and admins), who is then the
 * author of the history rows. Exit 0 adopted (or nothing to adopt), 2
 * usage, an unknown instance or user, a table not in the source, a
 * source that cannot be parsed; 3 the source cannot be read or the
 * adopt fails (a type docket has no kind for: nothing written). */
#include "adopt_cases.h"
#include "app.h"
#include "buf.h"
#include "str.h"

#include <stdio.h>
#include <string.h>

#define MAX_TABLES 1000

static const char adopt_usage[] =
    "docket adopt --instance I [--from SOURCE] [--schema S] [--table T ...] "
    "[--user EMAIL] [--dry-run] [--json]";

/* Text from another database with control characters as '?'. */
static void put_clean(buf *b, const char *s)
{
    for (; s && *s; s++)
        buf_putc(b, (unsigned char)*s < 0x20 || *s == 0x7F ? '?' : *s);
}

static void print_json(const domain_adopt_report *r)
{
    buf b = {0};

    buf_puts(&b, "{\"instance\":");
    buf_append_json_str(&b, r->instance);
    buf_puts(&b, ",\"source\":");
    buf_append_json_str(&b, r->source);
    buf_appendf(&b,
                ",\"dry_run\":%s,\"tables_created\":%d,\"columns_added\":%d,"
                "\"tables\":[",
                r->dry_run ? "true" : "false", r->tables_created,
                r->columns_added);
    for (size_t i = 0; i < r->ntables; i++) {
        const domain_adopt_table *t = &r->tables[i];
        buf_puts(&b, i ? ",{\"table\":" : "{\"table\":");
        buf_append_json_str(&b, t->name);
        buf_appendf(&b, ",\"created\":%s,\"columns\":[",
                    t->created ? "true" : "false");
        for (size_t j = 0; j < t->ncolumns; j++) {
            buf_puts(&b, j ? ",{\"name\":" : "{\"name\":");
            buf_append_json_str(&b, t->columns[j]);
            buf_puts(&b, ",\"type\":");
            buf_append_json_str(&b, t->types[j]);
            buf_putc(&b, '}');
        }
        buf_puts(&b, "],\"to_complete\":");
        buf_append_json_str(&b, t->to_complete);
        buf_puts(&b, ",\"key_note\":");
        buf_append_json_str(&b, t->key_note);
        buf_putc(&b, '}');
    }
    buf_puts(&b, "]}\n");
    fputs(buf_cstr(&b), stdout);
    buf_dispose(&b);
}

static void print_text(const domain_adopt_report *r)
{
    buf b = {0};

    buf_puts(&b, r->dry_run ? "would adopt into " : "adopted into ");
    put_clean(&b, r->instance);
    buf_puts(&b, " from ");
    put_clean(&b, r->source);
    if (!r->ntables) {
        buf_puts(&b, ": nothing to adopt (every table and column is "
                     "documented)\n");
        goto out;
    }
    buf_appendf(&b, ": %d table%s created, %d column%s added\n",
                r->tables_created, r->tables_created == 1 ? "" : "s",
                r->columns_added, r->columns_added == 1 ? "" : "s");
    for (size_t i = 0; i < r->ntables; i++) {
        const domain_adopt_table *t = &r->tables[i];
        buf_puts(&b, "\n");
        put_clean(&b, t->name);
        buf_puts(&b, t->created ? " (new table)\n" : " (columns added)\n");
        for (size_t j = 0; j < t->ncolumns; j++) {
            buf_puts(&b, "  ");
            put_clean(&b, t->columns[j]);
            buf_puts(&b, " ");
            put_clean(&b, t->types[j]);
            buf_puts(&b, "\n");
        }
        if (*t->key_note) {
            buf_puts(&b, "  note: ");
            put_clean(&b, t->key_note);
            buf_puts(&b, "\n");
        }
        if (*t->to_complete) {
            buf_puts(&b, "  to complete: ");
            buf_puts(&b, t->to_complete);
            buf_puts(&b, "\n");
        }
    }
out:
    fputs(buf_cstr(&b), stdout);
    buf_dispose(&b);
}

int cmd_adopt(app_args *a)
{
    const char *instance = app_opt(a, "--instance");
    const char *from = app_opt(a, "--from");
    const char *schema = app_opt(a, "--schema");
    const char *email = app_opt(a, "--user");
    const char *only[MAX_TABLES];
    int json = app_flag(a, "--json"), dry = app_flag(a, "--dry-run");
    static const domain_actor console = {.email = "cli"};
    domain_adopt_request rq = {0};
    domain_adopt_report r = {0};
    registry_user user = {0};
    domain_actor who;
    errmsg err = {0};
    registry *reg;
    size_t nonly = 0;
    const char *t;
    int rc;

    if (app_flag(a, "--help")) {
        printf("usage: %s\n", adopt_usage);
        return 0;
    }
    while ((t = app_opt(a, "--table")) != NULL) {
        if (nonly == MAX_TABLES)
            return app_fail(EXIT_USAGE, "at most %d --table", MAX_TABLES);
        only[nonly++] = t;
    }
    if (app_positionals(a, adopt_usage) != 0 || !instance || !*instance)
        return app_fail(EXIT_USAGE, "usage: %s", adopt_usage);
    from = app_drift_source(instance, from);
    if (!from)
        return EXIT_USAGE;
    reg = app_open_db(REGISTRY_NOCREATE);
    if (!reg)
        return EXIT_USAGE;
    if (email && registry_user_find(reg, &user, email, &err) < 0) {
        registry_close(reg);
        return app_fail(EXIT_USAGE, "%s", err.msg);
    }
    who = email ? domain_actor_of(&user) : console;
    rq.instance = instance;
    rq.source = from;
    rq.schema = schema;
    rq.only_tables = only;
    rq.nonly = nonly;
    rq.dry_run = dry;
    rc = domain_adopt_from(reg, &who, &rq, &r, &err);
    registry_close(reg);
    if (rc < 0)
        return app_fail(rc == ERR_NOTFOUND || rc == ERR_FORBIDDEN ||
                                (rc == ERR_INVALID && !strcmp(err.field, ""))
                            ? EXIT_USAGE
                            : EXIT_RUNTIME,
                        "adopt: %s", err.msg);
    if (json)
        print_json(&r);
    else
        print_text(&r);
    domain_adopt_report_dispose(&r);
    return 0;
}
