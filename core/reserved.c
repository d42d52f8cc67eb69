/* reserved.c: the one reserved-word table per SQL dialect (see dialect.h),
 * used by forms/ (names refused at validation) and migrations/ (lint).
 * Each list is the vendor's words as one text, separated by single
 * spaces: lower case, sorted by strcmp() for bsearch(), no duplicates;
 * tests/unit/core/test_dialect.c checks that, and
 * tests/unit/migrations/test_dialect.c that forms/ and migrations/ answer
 * the same for every word of every dialect.
 *
 * Sources:
 *  - PostgreSQL: "SQL Key Words" appendix (PostgreSQL 15+), the words
 *    marked "reserved" and "reserved (can be function or type)".
 *  - MySQL/MariaDB: the MySQL 8.0 manual's keywords marked (R), plus the
 *    words MariaDB's "Reserved Words" page lists for the default sql_mode
 *    (words reserved only under sql_mode=ORACLE are left out, as docket
 *    writes for the default mode).
 *  - Snowflake: "Reserved & limited keywords" (every entry of its table).
 *  - SQLite: every keyword of "SQL As Understood By SQLite: SQLite
 *    Keywords" (SQLite advises quoting any of them used as a name).
 *
 * Where forms/ and migrations/ used to keep two lists that disagreed:
 *  - ROWNUM is not reserved in MySQL/MariaDB: MySQL 8.0 has no such
 *    keyword, and MariaDB has a ROWNUM() function; bare ROWNUM is a
 *    pseudo-column only under sql_mode=ORACLE, and even there a column may
 *    be named so. Dropped.
 *  - ASC and DESC are reserved in Snowflake: its page names them as
 *    "additional keywords ... reserved by other popular databases". Kept.
 *  - WINDOW is reserved in Snowflake: it is reserved by ANSI (SQL:2003
 *    on), and Snowflake "reserves all ANSI keywords (with the exception of
 *    type keywords)". Kept; a word listed when in doubt costs a renamed
 *    column, one missed costs a migration that fails on the server. */
#include "dialect.h"
#include "mem.h"
#include "str.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* clang-format off */
static const char pg_text[] =
    "all analyse analyze and any array as asc asymmetric authorization binary "
    "both case cast check collate collation column concurrently constraint "
    "create cross current_catalog current_date current_role current_schema "
    "current_time current_timestamp current_user default deferrable desc "
    "distinct do else end except false fetch for foreign freeze from full "
    "grant group having ilike in initially inner intersect into is isnull "
    "join lateral leading left like limit localtime localtimestamp natural "
    "not notnull null offset on only or order outer overlaps placing primary "
    "references returning right select session_user similar some symmetric "
    "system_user table tablesample then to trailing true union unique user "
    "using variadic verbose when where window with";

static const char mysql_text[] =
    "accessible add all alter analyze and as asc asensitive before between "
    "bigint binary blob both by call cascade case change char character check "
    "collate column condition constraint continue convert create cross cube "
    "cume_dist current_date current_role current_time current_timestamp "
    "current_user cursor database databases day_hour day_microsecond "
    "day_minute day_second dec decimal declare default delayed delete "
    "delete_domain_id dense_rank desc describe deterministic distinct "
    "distinctrow div do_domain_ids double drop dual each else elseif empty "
    "enclosed escaped except exists exit explain false fetch first_value "
    "float float4 float8 for force foreign from fulltext function general "
    "generated get grant group grouping groups having high_priority "
    "hour_microsecond hour_minute hour_second if ignore ignore_domain_ids "
    "ignore_server_ids in index infile inner inout insensitive insert int "
    "int1 int2 int3 int4 int8 integer intersect interval into io_after_gtids "
    "io_before_gtids is iterate join json_table key keys kill lag last_value "
    "lateral lead leading leave left like limit linear lines load localtime "
    "localtimestamp lock long longblob longtext loop low_priority master_bind "
    "master_heartbeat_period master_ssl_verify_server_cert match maxvalue "
    "mediumblob mediumint mediumtext middleint minute_microsecond "
    "minute_second mod modifies natural no_write_to_binlog not nth_value "
    "ntile null numeric of offset on optimize optimizer_costs option "
    "optionally or order out outer outfile over page_checksum parse_vcol_expr "
    "partition percent_rank position precision primary procedure purge range "
    "rank read read_write reads real recursive ref_system_id references "
    "regexp release rename repeat replace require resignal restrict return "
    "returning revoke right rlike row row_number rows schema schemas "
    "second_microsecond select sensitive separator set show signal slow "
    "smallint spatial specific sql sql_big_result sql_calc_found_rows "
    "sql_small_result sqlexception sqlstate sqlwarning ssl starting "
    "stats_auto_recalc stats_persistent stats_sample_pages stored "
    "straight_join system table terminated then tinyblob tinyint tinytext to "
    "trailing trigger true undo union unique unlock unsigned update usage use "
    "using utc_date utc_time utc_timestamp values varbinary varchar "
    "varcharacter varying virtual when where while window with write xor "
    "year_month zerofill";

static const char snowflake_text[] =
    "account all alter and any as asc between by case cast check column "
    "connect connection constraint create cross current current_date "
    "current_time current_timestamp current_user database delete desc "
    "distinct drop else exists false following for from full grant group "
    "gscluster having ilike in increment inner insert intersect into is issue "
    "join lateral left like localtime localtimestamp minus natural not null "
    "of on or order organization qualify regexp revoke right rlike row rows "
    "sample schema select set some start table tablesample then to trigger "
    "true try_cast union unique update using values view when whenever where "
    "window with";

static const char sqlite_text[] =
    "abort action add after all alter always analyze and as asc attach "
    "autoincrement before begin between by cascade case cast check collate "
    "column commit conflict constraint create cross current current_date "
    "current_time current_timestamp database default deferrable deferred "
    "delete desc detach distinct do drop each else end escape except exclude "
    "exclusive exists explain fail filter first following for foreign from "
    "full generated glob group groups having if ignore immediate in index "
    "indexed initially inner insert instead intersect into is isnull join key "
    "last left like limit match materialized natural no not nothing notnull "
    "null nulls of offset on or order others outer over partition plan pragma "
    "preceding primary query raise range recursive references regexp reindex "
    "release rename replace restrict returning right rollback row rows "
    "savepoint select set table temp temporary then ties to transaction "
    "trigger unbounded union unique update using vacuum values view virtual "
    "when where window with without";

/* clang-format on */

/* Each list split into its words once, on first use: words[] points
 * into a copy of the text with the spaces made NULs. */
static struct {
    const char *text;
    const char **words;
    size_t n;
} tables[SQL_NDIALECTS] = {
    [SQL_POSTGRES] = {pg_text, NULL, 0},
    [SQL_MYSQL] = {mysql_text, NULL, 0},
    [SQL_SNOWFLAKE] = {snowflake_text, NULL, 0},
    [SQL_SQLITE] = {sqlite_text, NULL, 0},
};
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void tables_split(void)
{
    for (int d = 0; d < SQL_NDIALECTS; d++) {
        char *copy = xstrdup(tables[d].text);
        size_t n = 1;

        for (const char *c = copy; *c; c++)
            n += *c == ' ';
        tables[d].words = xcalloc(n, sizeof *tables[d].words);
        for (char *w = copy; w;) {
            char *sp = strchr(w, ' ');
            if (sp)
                *sp = '\0';
            tables[d].words[tables[d].n++] = w;
            w = sp ? sp + 1 : NULL;
        }
        assert(tables[d].n == n);
    }
}

static int cmp_word(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

/* Lower-cases word into low; 0 when it cannot be a keyword (empty, longer
 * than any keyword, or not plain ASCII letters, digits and _). */
static int lower_word(char *low, size_t size, const char *word)
{
    size_t i;

    if (!word)
        return 0;
    for (i = 0; word[i]; i++) {
        char c = word[i];
        if (i + 1 >= size)
            return 0;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                   c == '_'))
            return 0;
        low[i] = c;
    }
    low[i] = '\0';
    return i > 0;
}

static const char *lookup(sql_dialect d, const char *low)
{
    pthread_once(&tables_once, tables_split);
    const char *const *hit = bsearch(low, tables[d].words, tables[d].n,
                                     sizeof *tables[d].words, cmp_word);
    return hit ? *hit : NULL;
}

const char *sql_reserved(sql_dialect d, const char *word)
{
    char low[40]; /* the longest keyword has 29 characters */

    if ((unsigned)d >= SQL_NDIALECTS || !lower_word(low, sizeof low, word))
        return NULL;
    return lookup(d, low);
}

unsigned sql_reserved_mask(const char *word)
{
    char low[40];
    unsigned mask = 0;

    if (!lower_word(low, sizeof low, word))
        return 0;
    for (int d = 0; d < SQL_NDIALECTS; d++)
        if (lookup((sql_dialect)d, low))
            mask |= 1u << d;
    return mask;
}

const char *const *sql_reserved_list(sql_dialect d, size_t *n)
{
    if ((unsigned)d >= SQL_NDIALECTS) {
        *n = 0;
        return NULL;
    }
    pthread_once(&tables_once, tables_split);
    *n = tables[d].n;
    return tables[d].words;
}

/* Names the dialects refuse even quoted; checked against the servers by
 * tests/integration/test_migrations_realdb.sh (PostgreSQL 15: "column name
 * \"xmin\" conflicts with a system column name"; SQLite 3.40: "object
 * name reserved for internal use"). Reserved words are not among them:
 * every one of them is accepted quoted. */
static const char *const pg_system_columns[] = {"tableoid", "xmin", "cmin",
                                                "xmax",     "cmax", "ctid"};

const char *sql_unusable(sql_dialect d, const char *name, int is_column)
{
    if (!name)
        return NULL;
    if (d == SQL_POSTGRES && is_column) {
        /* PostgreSQL compares the quoted name as written: "Xmin" is
           free. */
        for (size_t i = 0;
             i < sizeof pg_system_columns / sizeof *pg_system_columns; i++)
            if (!strcmp(name, pg_system_columns[i]))
                return "is the name of a PostgreSQL system column";
    }
    if (d == SQL_SQLITE && !is_column && !str_ncasecmp(name, "sqlite_", 7))
        return "starts with \"sqlite_\", which SQLite keeps for its own "
               "tables";
    return NULL;
}
