/* dialect.c: the one name table of the SQL dialects (see dialect.h). */
#include "dialect.h"

#include "err.h"
#include "str.h"

static const struct {
    const char *name;  /* canonical, stored and shown */
    const char *title; /* for people */
    const char *alias[2];
} dialects[SQL_NDIALECTS] = {
    [SQL_POSTGRES] = {"postgres", "PostgreSQL", {"postgresql", "pg"}},
    [SQL_MYSQL] = {"mysql", "MySQL/MariaDB", {"mariadb", NULL}},
    [SQL_SNOWFLAKE] = {"snowflake", "Snowflake", {NULL, NULL}},
    [SQL_SQLITE] = {"sqlite", "SQLite", {NULL, NULL}},
};

int sql_dialect_parse(sql_dialect *out, const char *s)
{
    if (!s)
        return ERR_INVALID;
    for (int d = 0; d < SQL_NDIALECTS; d++) {
        int hit = !str_casecmp(s, dialects[d].name);
        for (int a = 0; !hit && a < 2 && dialects[d].alias[a]; a++)
            hit = !str_casecmp(s, dialects[d].alias[a]);
        if (hit) {
            *out = (sql_dialect)d;
            return 0;
        }
    }
    return ERR_INVALID;
}

const char *sql_dialect_name(sql_dialect d)
{
    return (unsigned)d < SQL_NDIALECTS ? dialects[d].name : "unknown";
}

const char *sql_dialect_title(sql_dialect d)
{
    return (unsigned)d < SQL_NDIALECTS ? dialects[d].title : "unknown";
}
