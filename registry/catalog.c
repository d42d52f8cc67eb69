/* catalog.c: the registry of tables and columns (see catalog.h). */
#include "catalog.h"
#include "registry_int.h"

int registry_table_exists(registry *reg, const char *instance,
                          const char *table, errmsg *err)
{
    static const char sql[] =
        "SELECT 1 FROM reg_tables t JOIN instances i ON i.id = t.instance_id"
        " WHERE i.name = :instance AND t.name = :table";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":instance", instance);
    reg_bind_text(st, ":table", table);
    rc = sqlite3_step(st);
    rc = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    return rc;
}

int registry_column_exists(registry *reg, const char *instance,
                           const char *table, const char *column,
                           errmsg *err)
{
    static const char sql[] =
        "SELECT 1 FROM reg_columns c JOIN reg_tables t ON t.id = c.table_id"
        " JOIN instances i ON i.id = t.instance_id"
        " WHERE i.name = :instance AND t.name = :table AND c.name = :column"
        " AND c.status <> 'retired'";
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);
    int rc;

    if (!st)
        return ERR_DB;
    reg_bind_text(st, ":instance", instance);
    reg_bind_text(st, ":table", table);
    reg_bind_text(st, ":column", column);
    rc = sqlite3_step(st);
    rc = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : reg_db_error(reg, err);
    reg_done(st);
    return rc;
}
