/* test_vocab.c: forms/ and migrations/ share one vocabulary. For every
 * word of every dialect's reserved-word table (core/reserved.c), and for
 * a few that are reserved nowhere, forms/ names exactly the dialects
 * whose migration lint flags it, so the two layers cannot drift apart
 * again; the form accepts every one of them (docket quotes every name,
 * and the real-database test creates them all). Also: the table is sorted and
 * free of duplicates (bsearch() needs both), and the registry stores dialects
 * by the one name table's canonical names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "dialect.h"
#include "fixture.h"
#include "migrations_test.h"
#include "migrate.h"
#include "migrate_int.h"
#include "registry.h"
#include "validate.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *const unreserved[] = {
    "customer", "loyalty_tier", "status", "name", "rownum", "owner",
};

/* Every distinct word of every table, then the unreserved ones. */
static size_t all_words(const char ***out)
{
    const char **v = NULL;
    size_t n = 0;

    for (int d = 0; d < SQL_NDIALECTS; d++) {
        size_t k;
        const char *const *w = sql_reserved_list((sql_dialect)d, &k);
        for (size_t i = 0; i < k; i++) {
            size_t j = 0;
            while (j < n && strcmp(v[j], w[i]))
                j++;
            if (j < n)
                continue;
            v = xrealloc(v, (n + 1) * sizeof *v);
            v[n++] = w[i];
        }
    }
    for (size_t i = 0; i < sizeof unreserved / sizeof *unreserved; i++) {
        v = xrealloc(v, (n + 1) * sizeof *v);
        v[n++] = unreserved[i];
    }
    *out = v;
    return n;
}

static void test_vocab__tables_sorted_and_unique(void **state)
{
    (void)state;
    for (int d = 0; d < SQL_NDIALECTS; d++) {
        size_t n;
        const char *const *w = sql_reserved_list((sql_dialect)d, &n);
        assert_true(n > 50);
        for (size_t i = 1; i < n; i++)
            if (strcmp(w[i - 1], w[i]) >= 0)
                fail_msg("%s table: \"%s\" before \"%s\"",
                         sql_dialect_name((sql_dialect)d), w[i - 1], w[i]);
    }
}

static void test_vocab__forms_and_migrations_agree(void **state)
{
    const char **words;
    size_t nwords = all_words(&words);
    form_request r;
    form_item *it;

    (void)state;
    /* One new table with a column named after every word. */
    fx_request_init(&r, 5, "Vocabulary");
    it = fx_item(&r, FORM_ITEM_NEW_TABLE, "vocab_probe");
    for (size_t i = 0; i < nwords; i++)
        fx_col(it, words[i], "integer", 1, "a column");
    for (int d = 0; d < SQL_NDIALECTS; d++) {
        const char *title = sql_dialect_title((sql_dialect)d);
        migrate_result res;
        errmsg err = {0};
        char *flagged = xcalloc(nwords, 1);

        assert_int_equal(migrate_generate(&res, &r, (sql_dialect)d,
                                          MIGRATE_PLAIN, NULL, &err),
                         0);
        for (size_t k = 0; k < res.nwarnings; k++)
            if (res.warnings[k].rule == MIGRATE_LINT_RESERVED_WORD &&
                res.warnings[k].column >= 0)
                flagged[res.warnings[k].column] = 1;
        for (size_t i = 0; i < nwords; i++) {
            const char *in = form_reserved_in(words[i]);
            int forms = in && strstr(in, title);
            int refused = form_ident_check(words[i], NULL, 0) < 0;
            if (forms != flagged[i])
                fail_msg("%s: forms/ says \"%s\" is %sreserved, the "
                         "migration lint %s it",
                         title, words[i], forms ? "" : "not ",
                         flagged[i] ? "flags" : "does not flag");
            /* docket quotes every name: a reserved word is linted, never
               refused (the real-database test creates them all) */
            if (refused)
                fail_msg("\"%s\" is refused by the form", words[i]);
            if (forms != (sql_reserved((sql_dialect)d, words[i]) != NULL))
                fail_msg("%s: forms/ and core differ on \"%s\"", title,
                         words[i]);
        }
        free(flagged);
        migrate_result_dispose(&res);
    }
    for (size_t i = 0; i < sizeof unreserved / sizeof *unreserved; i++)
        assert_int_equal(form_ident_check(unreserved[i], NULL, 0), 0);
    form_request_dispose(&r);
    free(words);
}

/* The words migration comments use for an item kind are its API name with
 * spaces for underscores. */
static void test_vocab__kind_words_follow_kind_names(void **state)
{
    (void)state;
    for (int k = 0; k < FORM_ITEM_NKINDS; k++) {
        char want[64];
        snprintf(want, sizeof want, "%s",
                 form_item_kind_name((form_item_kind)k));
        for (char *p = want; *p; p++)
            if (*p == '_')
                *p = ' ';
        assert_string_equal(mig_kind_words((form_item_kind)k), want);
    }
    assert_string_equal(mig_kind_words(FORM_ITEM_NKINDS), "unknown");
}

/* An instance's dialect is stored as the name table's canonical name, so
 * every reader (migrations page, CLI, export) parses what it finds. */
static void test_vocab__registry_stores_canonical_dialects(void **state)
{
    static const char *const refused[] = {"pg",     "mariadb", "Postgres",
                                          "oracle", "",        " mysql"};
    config cfg;
    registry *reg = NULL;
    errmsg err = {0};
    char path[64], side[80];
    int fd;

    (void)state;
    assert_true(sodium_init() >= 0);
    snprintf(path, sizeof path, "/tmp/docket-vocab-XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    cfg_init(&cfg);
    g_config = &cfg;
    assert_int_equal(registry_open(&reg, path, 0, &err), 0);
    assert_int_equal(registry_org_add(reg, NULL, "acme", &err), 0);
    for (int d = 0; d < SQL_NDIALECTS; d++) {
        const char *name = sql_dialect_name((sql_dialect)d);
        char inst[32];
        snprintf(inst, sizeof inst, "acme-%s", name);
        assert_int_equal(
            registry_instance_add(reg, NULL, "acme", inst, "qa", name, &err),
            0);
    }
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        errmsg e = {0};
        assert_int_equal(registry_instance_add(reg, NULL, "acme", "acme-x",
                                               "qa", refused[i], &e),
                         ERR_INVALID);
    }
    registry_close(reg);
    g_config = NULL;
    cfg_dispose(&cfg);
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

UFX_MAIN(cmocka_unit_test(test_vocab__tables_sorted_and_unique),
         cmocka_unit_test(test_vocab__forms_and_migrations_agree),
         cmocka_unit_test(test_vocab__registry_stores_canonical_dialects),
         cmocka_unit_test(test_vocab__kind_words_follow_kind_names))
