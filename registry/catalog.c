/* catalog.c: the registry of tables and columns (catalog.h): whether a
 * table or column exists, and whether the database is empty. The rest lives
 * beside it: catalog_card.c (a table as a typed card and its JSON),
 * catalog_list.c (lists, history, open requests), catalog_search.c (search and
 * lookup), catalog_field.c and catalog_change.c (applying requests, manual
 * edits), catalog_import.c (the CSV import). The search index and the
 * generation counter are kept by the triggers of schema.c; the use cases with
 * their rules are in domain/catalog.c, the pages in web/page_catalog.c, the CLI
 * in app/cmd_catalog.c. */
#include "catalog_int.h"

int registry_column_exists(registry *reg, const char *instance,
                           const char *table, const char *column, errmsg *err)
{
    /* column NULL: the table, of any status; otherwise a column of it that
       is not retired. */
    static const char sql[] =
        "SELECT 1 FROM reg_tables t JOIN instances i ON i.id = t.instance_id"
        " WHERE i.name = :instance AND t.name = :table AND (:column IS NULL"
        " OR EXISTS (SELECT 1 FROM reg_columns c WHERE c.table_id = t.id"
        " AND c.name = :column AND c.status <> 'retired'))";
    int rc;
    sqlite3_stmt *st = reg_stmt_get(reg, sql, err);

    if (st) {
        reg_bind_all(st, REG_TEXT(":instance", instance),
                     REG_TEXT(":table", table));
        if (column)
            reg_bind_text(st, ":column", column);
    }
    rc = reg_one(reg, st, NULL, NULL, err); /* ERR_DB for st NULL */
    return rc == 0 ? 1 : rc == ERR_NOTFOUND ? 0 : rc;
}

int registry_table_exists(registry *reg, const char *instance,
                          const char *table, errmsg *err)
{
    return registry_column_exists(reg, instance, table, NULL, err);
}

static int count_row(sqlite3_stmt *st, void *ctx)
{
    *(int64_t *)ctx = sqlite3_column_int64(st, 0);
    return 0;
}

int registry_is_empty(registry *reg)
{
    static const char sql[] =
        "SELECT (SELECT count(*) FROM organisations)"
        " + (SELECT count(*) FROM users) + (SELECT count(*) FROM requests)"
        " + (SELECT count(*) FROM reg_tables)";
    int64_t n = -1;

    /* A failed read is "not empty": demo data is never added then. */
    if (reg_one(reg, reg_stmt_get(reg, sql, NULL), count_row, &n, NULL) < 0)
        return 0;
    return n == 0;
}
