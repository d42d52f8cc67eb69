/* format.c: writes a plan (plan.c) as the files of a migration tool
 * (golang-migrate, Flyway, Liquibase, dbmate, Atlas, goose), each with the
 * same header: the request, its people, instance, link, consent and
 * campaign facts, and the lint warnings. Entry point migrate_generate(). */
#include "migrate.h"
#include "migrate_int.h"
#include "mem.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What every file of one generation shares. */
typedef struct ctx {
    const form_request *r;
    const mig_plan *p;
    const migrate_options *opt;
    const char *instance; /* NULL when not known */
    char version[32];
    char slug[96];
    char cr[32]; /* "CR-12" */
} ctx;

static int is_set(const char *s)
{
    return s && *s;
}

/* "cr_12_add_loyalty_tier": lower-case ASCII letters and digits of the
 * title, other runs as one "_", at most 40 characters of title. */
static void make_slug(char *out, size_t size, const form_request *r)
{
    buf b = {0};
    size_t start;
    int gap = 0;

    buf_appendf(&b, "cr_%lld", (long long)r->id);
    start = b.len;
    for (const char *s = r->title ? r->title : ""; *s; s++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (b.len - start >= 40)
                break;
            if (gap || b.len == start)
                buf_putc(&b, '_');
            buf_putc(&b, c);
            gap = 0;
        } else {
            gap = 1;
        }
    }
    str_copy(out, size, buf_cstr(&b));
    buf_dispose(&b);
}

static const char *campaign_words(const char *dep)
{
    if (dep && !strcmp(dep, "required"))
        return "required: campaigns are held when its data is missing";
    if (dep && !strcmp(dep, "optional"))
        return "optional: campaigns may run without it";
    return "not stated";
}

const char *mig_kind_words(form_item_kind k)
{
    switch (k) {
    case FORM_ITEM_NEW_TABLE: return "new table";
    case FORM_ITEM_ADD_COLUMNS: return "add columns";
    case FORM_ITEM_CUSTOMER_ATTRIBUTES: return "customer attributes";
    case FORM_ITEM_ACTIVITY_HISTORY: return "activity history";
    case FORM_ITEM_PURCHASE_HISTORY: return "purchase history";
    default: return "unknown";
    }
}

static void header_tables(buf *b, const ctx *c)
{
    const form_request *r = c->r;
    buf line = {0};

    if (!r->nitems) {
        mig_comment_lines(b, "",
                          "Tables touched: none (the request has no "
                          "items).");
        return;
    }
    mig_comment_lines(b, "", "Tables touched:");
    for (size_t i = 0; i < r->nitems; i++) {
        const form_item *it = &r->items[i];
        int nconsent = 0;

        buf_appendf(&line, "- item %zu, \"", i + 1);
        buf_puts(&line, it->table);
        buf_puts(&line, "\" (");
        buf_puts(&line, mig_kind_words(it->kind));
        buf_puts(&line, "); campaign dependency ");
        buf_puts(&line, campaign_words(it->campaign_dependency));
        if (is_set(it->expected_arrival)) {
            buf_puts(&line, "; expected by ");
            if (is_set(it->expected_day)) {
                buf_puts(&line, "day ");
                buf_puts(&line, it->expected_day);
                buf_puts(&line, ", ");
            }
            buf_puts(&line, it->expected_arrival);
            buf_puts(&line, " UTC");
        }
        if (it->late_after_minutes > 0)
            buf_appendf(&line, ", late after %d min", it->late_after_minutes);
        if (is_set(it->campaign_note)) {
            buf_puts(&line, "; note: ");
            buf_puts(&line, it->campaign_note);
        }
        mig_comment_lines(b, "  ", buf_cstr(&line));
        buf_reset(&line);
        for (size_t j = 0; j < it->ncolumns; j++) {
            const form_column *col = &it->columns[j];
            if (!col->consent)
                continue;
            buf_puts(&line, nconsent++ ? ", \"" : "- consent columns: \"");
            buf_puts(&line, col->name);
            buf_putc(&line, '"');
            if (is_set(col->consent_channel)) {
                buf_puts(&line, " (");
                buf_puts(&line, col->consent_channel);
                buf_putc(&line, ')');
            }
        }
        if (nconsent) {
            mig_comment_lines(b, "    ", buf_cstr(&line));
            buf_reset(&line);
        }
    }
    buf_dispose(&line);
}

static void header_warnings(buf *b, const ctx *c)
{
    const mig_plan *p = c->p;
    const form_request *r = c->r;
    buf line = {0};

    if (!p->nwarnings) {
        mig_comment_lines(b, "", "Lint warnings: none.");
        return;
    }
    buf_appendf(&line, "Lint warnings (%zu):", p->nwarnings);
    mig_comment_lines(b, "", buf_cstr(&line));
    for (size_t i = 0; i < p->nwarnings; i++) {
        const migrate_warning *w = &p->warnings[i];
        buf_reset(&line);
        buf_appendf(&line, "WARNING [%s] ", migrate_lint_name(w->rule));
        if (w->item >= 0 && (size_t)w->item < r->nitems) {
            const form_item *it = &r->items[w->item];
            buf_appendf(&line, "item %d \"", w->item + 1);
            buf_puts(&line, it->table);
            buf_putc(&line, '"');
            if (w->column >= 0 && (size_t)w->column < it->ncolumns) {
                buf_puts(&line, ", column \"");
                buf_puts(&line, it->columns[w->column].name);
                buf_putc(&line, '"');
            }
        } else {
            buf_puts(&line, "request");
        }
        buf_puts(&line, ": ");
        buf_puts(&line, w->message);
        mig_comment_lines(b, "  ", buf_cstr(&line));
    }
    buf_dispose(&line);
}

static int uses_timestamptz(const form_request *r)
{
    for (size_t i = 0; i < r->nitems; i++)
        for (size_t j = 0; j < r->items[i].ncolumns; j++)
            if (r->items[i].columns[j].type.kind == FORM_TYPE_TIMESTAMPTZ ||
                r->items[i].columns[j].old_type.kind == FORM_TYPE_TIMESTAMPTZ)
                return 1;
    return 0;
}

/* The header of every file; `part` says what this file holds. */
static void header(buf *b, const ctx *c, const char *part)
{
    const form_request *r = c->r;
    const migrate_options *opt = c->opt;
    buf line = {0};

    buf_appendf(&line, "%s: ", c->cr);
    mig_comment_lines(b, buf_cstr(&line),
                      is_set(r->title) ? r->title : "(no title)");
    buf_reset(&line);
    buf_puts(&line, is_set(r->requester_name) ? r->requester_name : "-");
    if (is_set(r->requester_email)) {
        buf_puts(&line, " <");
        buf_puts(&line, r->requester_email);
        buf_putc(&line, '>');
    }
    mig_comment_lines(b, "Requester: ", buf_cstr(&line));
    mig_comment_lines(b, "Project manager: ",
                      is_set(r->project_manager) ? r->project_manager : "-");
    buf_reset(&line);
    buf_puts(&line, is_set(c->instance) ? c->instance : "not stated");
    if (r->ninstances) {
        buf_puts(&line, " (request instances: ");
        for (size_t i = 0; i < r->ninstances; i++) {
            if (i)
                buf_puts(&line, ", ");
            buf_puts(&line, r->instances[i]);
        }
        buf_putc(&line, ')');
    }
    mig_comment_lines(b, "Instance: ", buf_cstr(&line));
    buf_reset(&line);
    if (opt->generated_at) {
        char when[32];
        time_iso(when, sizeof when, opt->generated_at);
        buf_puts(&line, when);
        buf_puts(&line, " by docket");
    } else {
        buf_puts(&line, "by docket");
    }
    buf_appendf(&line, " for %s, %s format", sql_dialect_title(c->p->d),
                migrate_format_name(c->p->f));
    mig_comment_lines(b, "Generated: ", buf_cstr(&line));
    if (is_set(opt->base_url)) {
        size_t n = strlen(opt->base_url);
        buf_reset(&line);
        while (n && opt->base_url[n - 1] == '/')
            n--;
        buf_append(&line, opt->base_url, n);
        buf_appendf(&line, "/requests/%lld", (long long)r->id);
        mig_comment_lines(b, "Request page: ", buf_cstr(&line));
    }
    mig_comment_lines(b,
                      "Consent-related: ", r->consent_related ? "yes" : "no");
    if (is_set(r->consent_note))
        mig_comment_lines(b, "Consent note: ", r->consent_note);
    header_tables(b, c);
    if (c->p->d == SQL_MYSQL && uses_timestamptz(r))
        mig_comment_lines(b, "Note: ",
                          "MySQL has no time-zone-aware type: \"timestamp "
                          "with time zone\" columns are DATETIME(6) holding "
                          "UTC.");
    if (c->p->d == SQL_SNOWFLAKE)
        mig_comment_lines(b, "Note: ",
                          "names are quoted, so Snowflake keeps their case: "
                          "queries must quote lower-case names too (\"tier\", "
                          "not tier, which means TIER).");
    if (c->p->d == SQL_MYSQL && c->p->f == MIGRATE_PLAIN)
        mig_comment_lines(b, "Note: ",
                          "golang-migrate runs each file as one call: the "
                          "MySQL DSN needs multiStatements=true.");
    header_warnings(b, c);
    mig_comment_lines(b, "Stubs: ",
                      "lines starting with \"-- TODO(\" need a human; "
                      "nothing in them runs.");
    mig_comment_lines(b, "This file: ", part);
    buf_dispose(&line);
}

/* goose ends a statement at a line whose last word (before a word starting
 * with "--") ends with ";". A statement with such a line before its end
 * needs StatementBegin/End. */
static int goose_needs_block(const char *text)
{
    const char *line = text;

    while (*line) {
        size_t n = strcspn(line, "\n");
        const char *p = line, *end = line + n, *last = NULL;
        size_t lastn = 0;

        if (!line[n])
            break; /* the statement's own last line */
        while (p < end) {
            size_t w;
            while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
                p++;
            w = 0;
            while (p + w < end && p[w] != ' ' && p[w] != '\t' && p[w] != '\r')
                w++;
            if (!w)
                break;
            if (w >= 2 && p[0] == '-' && p[1] == '-')
                break;
            last = p;
            lastn = w;
            p += w;
        }
        if (last && last[lastn - 1] == ';')
            return 1;
        line += n + 1;
    }
    return 0;
}

static void write_stmt(buf *b, const mig_stmt *s, int goose)
{
    int block = goose && s->exec && goose_needs_block(s->text);

    if (block)
        buf_puts(b, "-- +goose StatementBegin\n");
    buf_puts(b, s->text);
    buf_putc(b, '\n');
    if (block)
        buf_puts(b, "-- +goose StatementEnd\n");
}

static void write_up(buf *b, const mig_plan *p, int goose)
{
    if (!p->nunits) {
        buf_puts(b, "\n");
        mig_comment_lines(b, "", "Nothing to do: the request has no items.");
    }
    for (size_t i = 0; i < p->nunits; i++) {
        const mig_unit *u = &p->units[i];
        buf_putc(b, '\n');
        mig_comment_lines(b, "", u->title);
        for (size_t k = 0; k < u->up.n; k++)
            write_stmt(b, &u->up.v[k], goose);
    }
}

static void write_down(buf *b, const mig_plan *p, int goose)
{
    if (!p->nunits) {
        buf_puts(b, "\n");
        mig_comment_lines(b, "",
                          "Nothing to undo: the request has no "
                          "items.");
    }
    for (size_t i = p->nunits; i-- > 0;) {
        const mig_unit *u = &p->units[i];
        buf_putc(b, '\n');
        mig_comment_lines(b, "Undo ", u->title);
        for (size_t k = 0; k < u->down.n; k++)
            write_stmt(b, &u->down.v[k], goose);
    }
}

/* Adds content (detached from it) as the file name; ERR_TOOBIG when
 * content passed its limit. */
static int add_file(migrate_result *res, size_t *cap, const char *name,
                    buf *content)
{
    if (buf_error(content))
        return ERR_TOOBIG;
    xgrow(&res->files, cap, res->nfiles + 1, sizeof *res->files);
    res->files[res->nfiles].name = xstrdup(name);
    res->files[res->nfiles].content = buf_detach(content);
    res->nfiles++;
    return 0;
}

/* Liquibase: one changeset per unit that runs something, numbered
 * CR-<id>-<n>, with --rollback lines when the unit can be undone. Comment
 * blocks go before the statements so that no comment is left alone after
 * the last ";" (an empty statement to some drivers). Units that run
 * nothing are listed before the first changeset. */
static void write_liquibase(buf *b, const ctx *c)
{
    const mig_plan *p = c->p;
    int n = 0, stubs = 0;

    for (size_t i = 0; i < p->nunits; i++) {
        const mig_unit *u = &p->units[i];
        if (mig_unit_runs(u))
            continue;
        if (!stubs++) {
            buf_putc(b, '\n');
            mig_comment_lines(b, "",
                              "Stubs and notes that run nothing "
                              "(no changeset):");
        }
        buf_putc(b, '\n');
        mig_comment_lines(b, "", u->title);
        for (size_t k = 0; k < u->up.n; k++)
            write_stmt(b, &u->up.v[k], 0);
    }
    for (size_t i = 0; i < p->nunits; i++) {
        const mig_unit *u = &p->units[i];
        if (!mig_unit_runs(u))
            continue;
        buf_appendf(b, "\n--changeset docket:%s-%d\n", c->cr, ++n);
        mig_comment_lines(b, "", u->title);
        if (!mig_unit_reverts(u)) {
            mig_comment_lines(b, "",
                              "No automatic undo for this changeset "
                              "(Liquibase refuses to roll it back):");
            for (size_t k = 0; k < u->down.n; k++)
                write_stmt(b, &u->down.v[k], 0);
        }
        for (int exec = 0; exec <= 1; exec++)
            for (size_t k = 0; k < u->up.n; k++)
                if (u->up.v[k].exec == exec)
                    write_stmt(b, &u->up.v[k], 0);
        if (!mig_unit_reverts(u))
            continue;
        for (int exec = 0; exec <= 1; exec++)
            for (size_t k = 0; k < u->down.n; k++) {
                const char *line = u->down.v[k].text;
                if (u->down.v[k].exec != exec)
                    continue;
                for (;;) {
                    size_t len = strcspn(line, "\n");
                    buf_puts(b, "--rollback ");
                    buf_append(b, line, len);
                    buf_putc(b, '\n');
                    if (!line[len])
                        break;
                    line += len + 1;
                }
            }
    }
    if (!p->nunits) {
        buf_putc(b, '\n');
        mig_comment_lines(b, "", "Nothing to do: the request has no items.");
    }
}

/* Atlas computes down migrations itself; the down statements are kept in
 * the header as a reference for the engineer. */
static void write_atlas_reference(buf *b, const mig_plan *p)
{
    mig_comment_lines(b, "Atlas: ",
                      "recompute atlas.sum after adding or editing this "
                      "file: run `atlas migrate hash`.");
    mig_comment_lines(b, "Atlas: ",
                      "Atlas plans down migrations itself (`atlas migrate "
                      "down`); docket's down statements, for reference:");
    for (size_t i = p->nunits; i-- > 0;) {
        const mig_unit *u = &p->units[i];
        mig_comment_lines(b, "| Undo ", u->title);
        for (size_t k = 0; k < u->down.n; k++)
            mig_comment_lines(b, "|   ", u->down.v[k].text);
    }
}

/* One file with an up and a down section, each after its marker line
 * (goose: its statement blocks, see write_up). */
static void write_sections(buf *b, const mig_plan *p, const char *up,
                           const char *down, int goose)
{
    buf_puts(b, up);
    write_up(b, p, goose);
    buf_puts(b, down);
    write_down(b, p, goose);
}

/* The two files of the plain and Flyway formats: up (versioned) and down
 * (undo), each named prefix VERSION sep SLUG suffix. */
static const struct up_down_file {
    const char *prefix, *sep, *suffix;
    const char *what; /* the header's line */
} up_down[2][2] = {
    {{"", "_", ".up.sql", "the up migration."},
     {"", "_", ".down.sql",
      "the down migration: it undoes what can be undone and says why where "
      "it cannot."}},
    {{"V", "__", ".sql", "the versioned (up) migration."},
     {"U", "__", ".sql",
      "the undo migration (Flyway Teams or Enterprise): it undoes what can "
      "be undone and says why where it cannot."}},
};

static int build_up_down(migrate_result *res, size_t *cap, const ctx *c)
{
    const struct up_down_file *files = up_down[c->p->f == MIGRATE_FLYWAY];
    char name[160];
    buf b = {0};
    int rc = 0;

    for (int down = 0; rc == 0 && down < 2; down++) {
        header(&b, c, files[down].what);
        if (down)
            write_down(&b, c->p, 0);
        else
            write_up(&b, c->p, 0);
        snprintf(name, sizeof name, "%s%s%s%s%s", files[down].prefix,
                 c->version, files[down].sep, c->slug, files[down].suffix);
        rc = add_file(res, cap, name, &b);
    }
    buf_dispose(&b);
    return rc;
}

static int build_files(migrate_result *res, const ctx *c)
{
    const mig_plan *p = c->p;
    char name[160];
    size_t cap = 0;
    buf b = {0};
    int rc = 0;

    switch (p->f) {
    case MIGRATE_PLAIN:
    case MIGRATE_FLYWAY: return build_up_down(res, &cap, c);
    case MIGRATE_LIQUIBASE:
        buf_puts(&b, "--liquibase formatted sql\n\n");
        header(&b, c,
               "Liquibase formatted SQL: one changeset per change, with its "
               "rollback where one is possible.");
        write_liquibase(&b, c);
        break;
    case MIGRATE_DBMATE:
        header(&b, c, "a dbmate migration (up and down sections).");
        write_sections(&b, p, "\n-- migrate:up\n", "\n-- migrate:down\n", 0);
        break;
    case MIGRATE_ATLAS:
        header(&b, c, "an Atlas versioned migration (up only).");
        write_atlas_reference(&b, p);
        write_up(&b, p, 0);
        break;
    case MIGRATE_GOOSE:
        header(&b, c, "a goose migration (Up and Down sections).");
        write_sections(&b, p, "\n-- +goose Up\n", "\n-- +goose Down\n", 1);
        break;
    default: break;
    }
    snprintf(name, sizeof name, "%s_%s.sql", c->version, c->slug);
    rc = add_file(res, &cap, name, &b);
    buf_dispose(&b);
    return rc;
}

void migrate_result_dispose(migrate_result *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->nfiles; i++)
        xfree_all(res->files[i].name, res->files[i].content);
    xfree_all(res->files, res->warnings);
    memset(res, 0, sizeof *res);
}

int migrate_generate(migrate_result *out, const form_request *r, sql_dialect d,
                     migrate_format f, const migrate_options *opt, errmsg *err)
{
    static const migrate_options no_options = {0};
    migrate_result res = {0};
    mig_plan plan = {0};
    ctx c = {0};
    int rc;

    if ((unsigned)d >= SQL_NDIALECTS || (unsigned)f >= MIGRATE_NFORMATS)
        return err_set(err, ERR_INVALID, "unknown dialect or file format");
    if (!opt)
        opt = &no_options;
    c.instance = is_set(opt->instance) ? opt->instance : r->instance;
    if (opt->instance && *opt->instance && r->ninstances) {
        const char *want = opt->instance;
        size_t i = 0;
        while (i < r->ninstances && strcmp(r->instances[i], want))
            i++;
        if (i == r->ninstances)
            return err_set_field(err, ERR_INVALID, "instance",
                                 "instance \"%.60s\" is not one of the "
                                 "request's instances",
                                 opt->instance);
    }
    rc = mig_plan_build(&plan, r, d, f, err);
    if (rc < 0)
        return rc;
    c.r = r;
    c.p = &plan;
    c.opt = opt;
    migrate_version(c.version, sizeof c.version, r->created_at);
    make_slug(c.slug, sizeof c.slug, r);
    snprintf(c.cr, sizeof c.cr, "CR-%lld", (long long)r->id);
    rc = build_files(&res, &c);
    if (rc < 0) {
        err_set(err, rc, "the migration text is too large");
        goto done;
    }
    if (plan.nwarnings) {
        res.warnings = xcalloc(plan.nwarnings, sizeof *res.warnings);
        memcpy(res.warnings, plan.warnings,
               plan.nwarnings * sizeof *res.warnings);
        res.nwarnings = plan.nwarnings;
    }
    *out = res;
    memset(&res, 0, sizeof res);
done:
    migrate_result_dispose(&res);
    mig_plan_dispose(&plan);
    return rc;
}
