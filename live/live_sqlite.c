/* live_sqlite.c: the schema of an SQLite file (sqlite:PATH), opened
 * read-only: its tables from sqlite_master, their columns from
 * pragma_table_info (declared type, NOT NULL, position in the primary
 * key). SQLite keeps no comments: they are "". */
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
                           "SELECT name FROM sqlite_master WHERE type = "
                           "'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE "
                           "'\\' ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = fail(db, red, err);
        sqlite3_close(db);
        return rc;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        live_add_table(out, name ? name : "", "");
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        rc = fail(db, red, err);
        sqlite3_close(db);
        return rc;
    }
    rc = 0;
    for (size_t i = 0; i < out->ntables && rc == 0; i++)
        rc = read_columns(db, &out->tables[i], red, err);
    sqlite3_close(db);
    return rc;
}
