/* live_pg.c: the schema of a PostgreSQL database through libpq
 * (postgres://user:password@host:port/db?param=value, unix sockets with
 * ?host=/dir). The URL's parameters go to libpq as they are, except
 * schema= and currentSchema= (the schema to read when live_options has
 * none; else "public"). The session is read-only (default_transaction_
 * read_only and SET SESSION CHARACTERISTICS), with connect_timeout and
 * statement_timeout; the one query takes the schema as a parameter. */
#include "live_int.h"
#include "mem.h"
#include "str.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The columns of every base table of schema $1, with comments and key
 * positions. */
static const char columns_sql[] =
    "SELECT c.table_name, c.column_name, c.ordinal_position::int,"
    " c.data_type, c.is_nullable, c.character_maximum_length::bigint,"
    " c.numeric_precision::int, c.numeric_scale::int,"
    " coalesce(col_description(pc.oid, c.ordinal_position::int), ''),"
    " coalesce(obj_description(pc.oid, 'pg_class'), ''),"
    " coalesce(k.ordinal_position::int, 0), c.datetime_precision::int"
    " FROM information_schema.columns c"
    " JOIN information_schema.tables t ON t.table_schema = c.table_schema"
    "  AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'"
    " JOIN pg_catalog.pg_namespace pn ON pn.nspname = c.table_schema"
    " JOIN pg_catalog.pg_class pc ON pc.relnamespace = pn.oid"
    "  AND pc.relname = c.table_name"
    " LEFT JOIN information_schema.table_constraints tc"
    "  ON tc.table_schema = c.table_schema AND tc.table_name = c.table_name"
    "  AND tc.constraint_type = 'PRIMARY KEY'"
    " LEFT JOIN information_schema.key_column_usage k"
    "  ON k.constraint_schema = tc.constraint_schema"
    "  AND k.constraint_name = tc.constraint_name"
    "  AND k.table_schema = c.table_schema AND k.table_name = c.table_name"
    "  AND k.column_name = c.column_name"
    " WHERE c.table_schema = $1"
    " ORDER BY c.table_name, c.ordinal_position";

/* The words of a libpq message worth showing: its first line, after
 * "FATAL:" / "ERROR:" or the last " failed: " of a connection message. */
static void pg_words(char *out, size_t size, const char *text,
                     const char *secret)
{
    char line[512];
    const char *p, *f;

    live_short_error(line, sizeof line, text, secret);
    p = line;
    if ((f = strstr(p, "FATAL:")))
        p = f + 6;
    else if ((f = strstr(p, "ERROR:")))
        p = f + 6;
    else
        while ((f = strstr(p, " failed: ")))
            p = f + 9;
    while (*p == ' ')
        p++;
    str_copy(out, size, *p ? p : "no answer");
}

static int is_exact_numeric(const char *t)
{
    return !strcmp(t, "numeric") || !strcmp(t, "decimal");
}

/* A text cell (NULL: ""). */
static const char *val(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
}

/* A number cell: -1 when NULL. */
static int64_t num(const PGresult *r, int row, int col)
{
    int64_t v;

    if (PQgetisnull(r, row, col) || str_to_i64(&v, PQgetvalue(r, row, col)) < 0)
        return -1;
    return v;
}

static int read_rows(live_schema *out, const PGresult *res)
{
    live_table *t = NULL;

    for (int i = 0; i < PQntuples(res); i++) {
        live_column *c;
        if (!t || strcmp(t->name, val(res, i, 0)))
            t = live_add_table(out, val(res, i, 0), val(res, i, 9));
        c = live_add_column(t, val(res, i, 1)); /* dense ordinal */
        free(c->data_type);
        c->data_type = str_lower(xstrdup(val(res, i, 3)));
        c->nullable = !strcmp(val(res, i, 4), "YES");
        c->char_max = num(res, i, 5);
        if (is_exact_numeric(c->data_type)) {
            c->num_precision = (int)num(res, i, 6);
            c->num_scale = (int)num(res, i, 7);
        }
        free(c->comment);
        c->comment = xstrdup(val(res, i, 8));
        c->datetime_precision = (int)num(res, i, 11);
        c->pk_position = (int)num(res, i, 10);
        if (c->pk_position < 0)
            c->pk_position = 0;
    }
    return 0;
}

/* source parsed into u: 0, or ERR_INVALID with err naming red. */
static int url(live_url *u, const char *source, const char *red, errmsg *err)
{
    errmsg e = {0};

    if (live_url_parse(u, source, &e) < 0)
        return err_set(err, ERR_INVALID, "%.200s is not a PostgreSQL URL: %s",
                       red, e.msg);
    return 0;
}

/* Opens the read-only session of source into *out: 0, or ERR_INVALID /
 * ERR_IO with err. u is the parsed URL (kept by the caller, for the
 * password to scrub from messages). */
static int pg_open(PGconn **out, live_url *u, const char *red,
                   const live_options *opt, errmsg *err)
{
    const char *kw[64], *vals[64];
    char timeout[16], port[16], options[96], words[300];
    PGconn *conn;
    PGresult *res;
    int n = 0;
    int ct = opt->connect_timeout_s > 0 ? opt->connect_timeout_s : 10;
    int st = opt->statement_timeout_s > 0 ? opt->statement_timeout_s : 30;

    *out = NULL;
    if (*u->host) {
        kw[n] = "host";
        vals[n++] = u->host;
    }
    if (u->port) {
        snprintf(port, sizeof port, "%d", u->port);
        kw[n] = "port";
        vals[n++] = port;
    }
    if (*u->user) {
        kw[n] = "user";
        vals[n++] = u->user;
    }
    if (u->has_password) {
        kw[n] = "password";
        vals[n++] = u->password;
    }
    if (*u->path) {
        kw[n] = "dbname";
        vals[n++] = u->path;
    }
    for (size_t i = 0; i < u->nparams && n < 56; i++) {
        if (!strcmp(u->keys[i], "schema") ||
            !strcmp(u->keys[i], "currentSchema") ||
            !strcmp(u->keys[i], "options") ||
            !strcmp(u->keys[i], "connect_timeout"))
            continue;
        kw[n] = u->keys[i];
        vals[n++] = u->values[i];
    }
    snprintf(timeout, sizeof timeout, "%d", ct);
    kw[n] = "connect_timeout";
    vals[n++] = timeout;
    snprintf(options, sizeof options,
             "-c default_transaction_read_only=on -c statement_timeout=%d",
             st * 1000);
    kw[n] = "options";
    vals[n++] = options;
    kw[n] = "application_name";
    vals[n++] = "docket drift";
    kw[n] = NULL;
    vals[n] = NULL;
    conn = PQconnectdbParams(kw, vals, 0);
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
        pg_words(words, sizeof words, conn ? PQerrorMessage(conn) : "",
                 u->password);
        PQfinish(conn);
        return err_set(err, ERR_IO, "cannot connect to %.200s: %s", red, words);
    }
    res = PQexec(conn, "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        pg_words(words, sizeof words, PQerrorMessage(conn), u->password);
        PQclear(res);
        PQfinish(conn);
        return err_set(err, ERR_IO, "cannot read %.200s: %s", red, words);
    }
    PQclear(res);
    *out = conn;
    return 0;
}

int live_try_pg(const char *source, const char *red, const live_options *opt,
                const char *sql, errmsg *err)
{
    live_url u;
    PGconn *conn;
    PGresult *res;
    char words[300];
    int rc;

    if (url(&u, source, red, err) < 0)
        return ERR_INVALID;
    rc = pg_open(&conn, &u, red, opt, err);
    if (rc == 0) {
        res = PQexec(conn, sql);
        if (PQresultStatus(res) != PGRES_COMMAND_OK &&
            PQresultStatus(res) != PGRES_TUPLES_OK) {
            pg_words(words, sizeof words, PQerrorMessage(conn), u.password);
            rc = err_set(err, ERR_IO, "%s", words);
        }
        PQclear(res);
        PQfinish(conn);
    }
    live_url_dispose(&u);
    return rc;
}

int live_read_pg(live_schema *out, const char *source, const char *red,
                 const live_options *opt, errmsg *err)
{
    live_url u;
    char words[300];
    const char *schema;
    PGconn *conn;
    PGresult *res;
    int rc = 0;

    out->dialect = SQL_POSTGRES;
    if (url(&u, source, red, err) < 0)
        return ERR_INVALID;
    schema = opt->schema                    ? opt->schema
             : live_url_param(&u, "schema") ? live_url_param(&u, "schema")
             : live_url_param(&u, "currentSchema")
                 ? live_url_param(&u, "currentSchema")
                 : "public";
    rc = pg_open(&conn, &u, red, opt, err);
    if (rc < 0) {
        live_url_dispose(&u);
        return rc;
    }
    {
        const char *params[1] = {schema};
        res = PQexecParams(conn, columns_sql, 1, NULL, params, NULL, NULL, 0);
    }
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        pg_words(words, sizeof words, PQerrorMessage(conn), u.password);
        rc = err_set(err, ERR_IO, "cannot read %.200s: %s", red, words);
        PQclear(res);
        goto done;
    }
    read_rows(out, res);
    PQclear(res);
    if (!out->ntables) {
        const char *params[1] = {schema};
        res = PQexecParams(conn,
                           "SELECT 1 FROM pg_catalog.pg_namespace WHERE "
                           "nspname = $1",
                           1, NULL, params, NULL, NULL, 0);
        if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 0)
            rc = err_set(err, ERR_IO,
                         "cannot read %.200s: schema \"%.60s\" does not exist",
                         red, schema);
        PQclear(res);
    }
    if (rc == 0)
        out->schema = xstrdup(schema);
done:
    PQfinish(conn);
    live_url_dispose(&u);
    return rc;
}
