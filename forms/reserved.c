/* reserved.c: which dialects reserve a name, in words for the client's
 * error message (see validate.h). The table itself is core's
 * (core/dialect.h, core/reserved.c), the same one migrations/ lints
 * with. */
#include "validate.h"

#include "dialect.h"

/* Every combination of dialects, by bit mask (bit d = dialect d), in
 * enum order; tests/unit/forms/test_reserved.c checks each against
 * sql_dialect_title(). */
static const char *const combos[1 << SQL_NDIALECTS] = {
    NULL,
    "PostgreSQL",
    "MySQL/MariaDB",
    "PostgreSQL, MySQL/MariaDB",
    "Snowflake",
    "PostgreSQL, Snowflake",
    "MySQL/MariaDB, Snowflake",
    "PostgreSQL, MySQL/MariaDB, Snowflake",
    "SQLite",
    "PostgreSQL, SQLite",
    "MySQL/MariaDB, SQLite",
    "PostgreSQL, MySQL/MariaDB, SQLite",
    "Snowflake, SQLite",
    "PostgreSQL, Snowflake, SQLite",
    "MySQL/MariaDB, Snowflake, SQLite",
    "PostgreSQL, MySQL/MariaDB, Snowflake, SQLite",
};

const char *form_reserved_in(const char *word)
{
    return combos[sql_reserved_mask(word)];
}
