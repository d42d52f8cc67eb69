/* live_my.c: the schema of a MySQL or MariaDB database through libmariadb
 * (mysql://user:password@host:port/db, mariadb://..., a unix socket with
 * ?socket=/path). The database is the URL's (or live_options.schema). The
 * session is read-only (SET SESSION TRANSACTION READ ONLY) with connect
 * and read timeouts and a statement time limit (max_statement_time on
 * MariaDB, max_execution_time on MySQL); the one query is a prepared
 * statement with the database bound as its parameter. No option file is
 * read. */
#include "live_int.h"
#include "mem.h"
#include "str.h"

#include <mysql.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char columns_sql[] =
    "SELECT c.TABLE_NAME, c.COLUMN_NAME, c.ORDINAL_POSITION, c.DATA_TYPE,"
    " c.IS_NULLABLE, c.CHARACTER_MAXIMUM_LENGTH, c.NUMERIC_PRECISION,"
    " c.NUMERIC_SCALE, c.COLUMN_COMMENT, t.TABLE_COMMENT,"
    " COALESCE(k.ORDINAL_POSITION, 0), c.DATETIME_PRECISION"
    " FROM information_schema.COLUMNS c"
    " JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA"
    "  AND t.TABLE_NAME = c.TABLE_NAME AND t.TABLE_TYPE = 'BASE TABLE'"
    " LEFT JOIN information_schema.KEY_COLUMN_USAGE k"
    "  ON k.TABLE_SCHEMA = c.TABLE_SCHEMA AND k.TABLE_NAME = c.TABLE_NAME"
    "  AND k.COLUMN_NAME = c.COLUMN_NAME AND k.CONSTRAINT_NAME = 'PRIMARY'"
    " WHERE c.TABLE_SCHEMA = ?"
    " ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION";

enum { NCOLS = 12, CELL = 8200 };

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;

static void lib_init(void)
{
    mysql_library_init(0, NULL, NULL);
}

/* The result cells of one row, as text. */
typedef struct row {
    char cell[NCOLS][CELL];
    unsigned long len[NCOLS];
    my_bool null[NCOLS];
} row;

static int64_t num(const row *r, int k)
{
    int64_t v;

    if (r->null[k] || str_to_i64(&v, r->cell[k]) < 0)
        return -1;
    return v;
}

static const char *txt(row *r, int k)
{
    if (r->null[k])
        return "";
    r->cell[k][r->len[k] < CELL ? r->len[k] : CELL - 1] = '\0';
    return r->cell[k];
}

static void add_row(live_schema *out, live_table **t, row *r)
{
    live_column *c;

    if (!*t || strcmp((*t)->name, txt(r, 0)))
        *t = live_add_table(out, txt(r, 0), txt(r, 9));
    c = live_add_column(*t, txt(r, 1));
    c->ordinal = (int)num(r, 2);
    free(c->data_type);
    c->data_type = str_lower(xstrdup(txt(r, 3)));
    c->nullable = !strcmp(txt(r, 4), "YES");
    c->char_max = num(r, 5);
    if (!strcmp(c->data_type, "decimal") || !strcmp(c->data_type, "numeric")) {
        c->num_precision = (int)num(r, 6);
        c->num_scale = (int)num(r, 7);
    }
    free(c->comment);
    c->comment = xstrdup(txt(r, 8));
    c->datetime_precision = (int)num(r, 11);
    c->pk_position = (int)num(r, 10);
    if (c->pk_position < 0)
        c->pk_position = 0;
}

/* Runs the columns query for db; 0 or ERR_IO with err. */
static int query(MYSQL *m, live_schema *out, const char *db, const char *red,
                 const char *secret, errmsg *err)
{
    MYSQL_STMT *st = mysql_stmt_init(m);
    MYSQL_BIND param, res[NCOLS];
    unsigned long dblen = (unsigned long)strlen(db);
    row *r = xcalloc(1, sizeof *r);
    live_table *t = NULL;
    char words[300];
    int rc = 0, f;

    if (!st || mysql_stmt_prepare(st, columns_sql, sizeof columns_sql - 1))
        goto fail;
    memset(&param, 0, sizeof param);
    param.buffer_type = MYSQL_TYPE_STRING;
    param.buffer = (void *)db;
    param.buffer_length = dblen;
    param.length = &dblen;
    memset(res, 0, sizeof res);
    for (int k = 0; k < NCOLS; k++) {
        res[k].buffer_type = MYSQL_TYPE_STRING;
        res[k].buffer = r->cell[k];
        res[k].buffer_length = CELL;
        res[k].length = &r->len[k];
        res[k].is_null = &r->null[k];
    }
    if (mysql_stmt_bind_param(st, &param) || mysql_stmt_execute(st) ||
        mysql_stmt_bind_result(st, res))
        goto fail;
    while ((f = mysql_stmt_fetch(st)) == 0 || f == MYSQL_DATA_TRUNCATED)
        add_row(out, &t, r);
    if (f != MYSQL_NO_DATA)
        goto fail;
    goto done;
fail:
    live_short_error(words, sizeof words,
                     st ? mysql_stmt_error(st) : mysql_error(m), secret);
    rc = err_set(err, ERR_IO, "cannot read %.200s: %s", red,
                 *words ? words : "no answer");
done:
    if (st)
        mysql_stmt_close(st);
    free(r);
    return rc;
}

/* source parsed into u: 0, or ERR_INVALID with err naming red. */
static int url(live_url *u, const char *source, const char *red, errmsg *err)
{
    errmsg e = {0};

    if (live_url_parse(u, source, &e) < 0)
        return err_set(err, ERR_INVALID, "%.200s is not a MySQL URL: %s", red,
                       e.msg);
    return 0;
}

/* Opens the read-only session of u on database db into *out: 0, or
 * ERR_IO with err. */
static int my_open(MYSQL **out, const live_url *u, const char *db,
                   const char *red, const live_options *opt, errmsg *err)
{
    MYSQL *m;
    const char *sock = live_url_param(u, "socket");
    const char *host = *u->host ? u->host : "localhost";
    char words[300], set[96];
    unsigned int ct =
        opt->connect_timeout_s > 0 ? (unsigned)opt->connect_timeout_s : 10;
    unsigned int st =
        opt->statement_timeout_s > 0 ? (unsigned)opt->statement_timeout_s : 30;

    *out = NULL;
    pthread_once(&lib_once, lib_init);
    m = mysql_init(NULL);
    if (!m)
        return err_set(err, ERR_IO, "cannot connect to %.200s: out of memory",
                       red);
    mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
    mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &st);
    mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &st);
    mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (!mysql_real_connect(m, host, *u->user ? u->user : NULL,
                            u->has_password ? u->password : NULL, db,
                            (unsigned)u->port, sock && *sock ? sock : NULL,
                            0)) {
        live_short_error(words, sizeof words, mysql_error(m), u->password);
        mysql_close(m);
        return err_set(err, ERR_IO, "cannot connect to %.200s: %s", red,
                       *words ? words : "no answer");
    }
    if (mysql_query(m, "SET SESSION TRANSACTION READ ONLY")) {
        live_short_error(words, sizeof words, mysql_error(m), u->password);
        mysql_close(m);
        return err_set(err, ERR_IO, "cannot read %.200s: %s", red, words);
    }
    /* MariaDB's limit in seconds, else MySQL's in milliseconds. */
    snprintf(set, sizeof set, "SET SESSION max_statement_time = %u", st);
    if (mysql_query(m, set)) {
        snprintf(set, sizeof set, "SET SESSION max_execution_time = %u",
                 st * 1000);
        (void)mysql_query(m, set);
    }
    *out = m;
    return 0;
}

int live_try_my(const char *source, const char *red, const live_options *opt,
                const char *sql, errmsg *err)
{
    live_url u;
    MYSQL *m;
    char words[300];
    int rc;

    if (url(&u, source, red, err) < 0)
        return ERR_INVALID;
    rc = my_open(&m, &u, opt->schema ? opt->schema : u.path, red, opt, err);
    if (rc == 0) {
        if (mysql_query(m, sql)) {
            live_short_error(words, sizeof words, mysql_error(m), u.password);
            rc = err_set(err, ERR_IO, "%s", words);
        } else {
            MYSQL_RES *r = mysql_store_result(m);
            if (r)
                mysql_free_result(r);
        }
        mysql_close(m);
    }
    live_url_dispose(&u);
    return rc;
}

int live_read_my(live_schema *out, const char *source, const char *red,
                 const live_options *opt, errmsg *err)
{
    live_url u;
    MYSQL *m;
    const char *db;
    int rc = 0;

    out->dialect = SQL_MYSQL;
    if (url(&u, source, red, err) < 0)
        return ERR_INVALID;
    db = opt->schema ? opt->schema : u.path;
    if (!*db) {
        live_url_dispose(&u);
        return err_set(err, ERR_INVALID,
                       "%.200s names no database (mysql://user@host/DATABASE)",
                       red);
    }
    rc = my_open(&m, &u, db, red, opt, err);
    if (rc == 0) {
        rc = query(m, out, db, red, u.password, err);
        if (rc == 0)
            out->schema = xstrdup(db);
        mysql_close(m);
    }
    live_url_dispose(&u);
    return rc;
}
