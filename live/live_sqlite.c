/* live_sqlite.c: the schema of an SQLite file (sqlite:PATH), opened
 * read-only: its tables from sqlite_master, their columns from
 * pragma_table_info (declared type, NOT NULL, position in the primary
 * key). SQLite keeps no comments of its own: docket's migrations write
 * descriptions as SQL comments inside CREATE TABLE (migrations/plan.c,
 * sqlite_ddl_comment), which SQLite keeps in sqlite_master.sql, so those
 * are read back from there (ddl_comments); other tables' comments are
 * "". */
#include "live_int.h"
#include "mem.h"
#include "str.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct deadline {
    int64_t until_us;
} deadline;

/* Interrupts a statement that runs past the statement timeout. */
static int over_time(void *arg)
{
    return time_mono_us() > ((deadline *)arg)->until_us;
}

static int fail(sqlite3 *db, const char *red, errmsg *err)
{
    char msg[200];
    int rc = sqlite3_errcode(db);

    live_short_error(msg, sizeof msg, sqlite3_errmsg(db), NULL);
    if (rc == SQLITE_INTERRUPT)
        return err_set(err, ERR_IO,
                       "cannot read %.200s: the statement timeout "
                       "passed",
                       red);
    return err_set(err, ERR_IO, "cannot read %.200s: %s", red, msg);
}

/* Sets the comment of the table (owner "") or of its column owner. */
static void set_comment(live_table *t, const char *owner, const char *text)
{
    char **dst = NULL;

    if (!*owner)
        dst = &t->comment;
    for (size_t k = 0; k < t->ncols && !dst; k++)
        if (!strcmp(t->cols[k].name, owner))
            dst = &t->cols[k].comment;
    if (dst) {
        free(*dst);
        *dst = xstrdup(text);
    }
}

/* The comments of docket's CREATE TABLE text: lines "-- | text" (or
 * "-- |" for an empty line) right after "CREATE TABLE x (" are the
 * table's description; "-- text" after a column's definition, on the line
 * of its quoted name, and the "-- | text" lines under it, the column's. */
static void ddl_comments(live_table *t, const char *ddl)
{
    const char *line = strchr(ddl, '\n');
    char owner[256] = "";
    int have = 0, table_part = 1;
    size_t len = 0;
    char *text = xmalloc(strlen(ddl) + 1);

    text[0] = '\0';
    while (line && *line) {
        const char *s, *e, *c;
        line++; /* past the newline */
        e = line + strcspn(line, "\n");
        s = line;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        if (e - s >= 2 && s[0] == '-' && s[1] == '-') {
            s += 2;
            if (s < e && *s == ' ')
                s++;
            if (s < e && *s == '|')
                s++;
            if (s < e && *s == ' ')
                s++;
            if (have || table_part) {
                if (have)
                    text[len++] = '\n';
                memcpy(text + len, s, (size_t)(e - s));
                len += (size_t)(e - s);
                text[len] = '\0';
                have = 1;
            }
            line = *e ? e : NULL;
            continue;
        }
        if (have)
            set_comment(t, owner, text);
        have = 0;
        len = 0;
        text[0] = '\0';
        table_part = 0;
        owner[0] = '\0';
        if (s < e && *s == '"') {
            const char *q = memchr(s + 1, '"', (size_t)(e - s - 1));
            if (q && (size_t)(q - s - 1) < sizeof owner) {
                memcpy(owner, s + 1, (size_t)(q - s - 1));
                owner[q - s - 1] = '\0';
                c = q;
                while (c + 1 < e && !(c[0] == '-' && c[1] == '-'))
                    c++;
                if (c + 1 < e) {
                    c += 2;
                    if (c < e && *c == ' ')
                        c++;
                    memcpy(text, c, (size_t)(e - c));
                    len = (size_t)(e - c);
                    text[len] = '\0';
                    have = 1;
                }
            }
        }
        line = *e ? e : NULL;
    }
    if (have)
        set_comment(t, owner, text);
    free(text);
}

static int read_columns(sqlite3 *db, live_table *t, const char *red,
                        errmsg *err)
{
    sqlite3_stmt *st = NULL;
    int rc, npk = 0;

    if (sqlite3_prepare_v2(db,
                           "SELECT cid, name, type, \"notnull\", pk "
                           "FROM pragma_table_info(?1) ORDER BY cid",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(db, red, err);
    sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 1);
        const char *type = (const char *)sqlite3_column_text(st, 2);
        live_column *c = live_add_column(t, name ? name : "");
        c->ordinal = sqlite3_column_int(st, 0) + 1;
        free(c->data_type);
        c->data_type =
            live_parse_type(type ? type : "", &c->char_max, &c->num_precision,
                            &c->num_scale, &c->datetime_precision);
        c->nullable = !sqlite3_column_int(st, 3);
        c->pk_position = sqlite3_column_int(st, 4);
        if (c->pk_position)
            npk++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return fail(db, red, err);
    /* An INTEGER PRIMARY KEY of its own is the rowid: never NULL. */
    if (npk == 1)
        for (size_t k = 0; k < t->ncols; k++)
            if (t->cols[k].pk_position &&
                !strcmp(t->cols[k].data_type, "integer"))
                t->cols[k].nullable = 0;
    return 0;
}

int live_read_sqlite(live_schema *out, const char *path, const char *red,
                     const live_options *opt, errmsg *err)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    struct stat sb;
    deadline dl;
    int rc,
        timeout = opt->statement_timeout_s > 0 ? opt->statement_timeout_s : 30;

    out->dialect = SQL_SQLITE;
    out->schema = xstrdup("main");
    if (!*path)
        return err_set(err, ERR_INVALID, "sqlite: needs a file (sqlite:PATH)");
    if (stat(path, &sb) < 0)
        return err_set(err, ERR_IO, "cannot open %.200s: no such file", red);
    if (!S_ISREG(sb.st_mode))
        return err_set(err, ERR_IO, "cannot open %.200s: not a file", red);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        rc = err_set(err, ERR_IO, "cannot open %.200s: %s", red,
                     db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return rc;
    }
    sqlite3_busy_timeout(db, timeout * 1000);
    dl.until_us = time_mono_us() + (int64_t)timeout * 1000000;
    sqlite3_progress_handler(db, 1000, over_time, &dl);
    if (sqlite3_prepare_v2(db,
                           "SELECT name, sql FROM sqlite_master WHERE type = "
                           "'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE "
                           "'\\' ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = fail(db, red, err);
        sqlite3_close(db);
        return rc;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *sql = (const char *)sqlite3_column_text(st, 1);
        live_table *t = live_add_table(out, name ? name : "", "");
        /* The DDL text for its comments, read once the columns are. */
        free(t->comment);
        t->comment = xstrdup(sql ? sql : "");
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        rc = fail(db, red, err);
        sqlite3_close(db);
        return rc;
    }
    rc = 0;
    for (size_t i = 0; i < out->ntables && rc == 0; i++) {
        live_table *t = &out->tables[i];
        char *ddl = t->comment;
        t->comment = xstrdup("");
        rc = read_columns(db, t, red, err);
        if (rc == 0)
            ddl_comments(t, ddl);
        free(ddl);
    }
    sqlite3_close(db);
    return rc;
}
