/* forms_test.h: helpers shared by the unit tests of forms/ (not a test
 * itself: only test_*.c files become executables). */
#ifndef FORMS_TEST_H
#define FORMS_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "buf.h"
#include "mem.h"

/* The whole of tests/data/<rel> (NUL-terminated); *len gets its size. */
static inline char *ft_read(const char *rel, size_t *len)
{
    char path[512];
    FILE *f;
    char *data;
    long n;

    snprintf(path, sizeof path, "%s/%s", TEST_DATA_DIR, rel);
    f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    data = xmalloc((size_t)n + 1);
    assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
    data[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return data;
}

/* Prints every error of fe (shown when a test fails). */
static inline void ft_dump(const form_errors *fe)
{
    for (size_t i = 0; i < fe->n; i++)
        fprintf(stderr, "  error %s: %s\n", fe->errs[i].field,
                fe->errs[i].message);
}

/* Fails unless fe has an error for field; returns its message. */
static inline const char *ft_expect(const form_errors *fe, const char *field)
{
    const char *m = form_errors_get(fe, field);

    if (!m) {
        fprintf(stderr, "expected an error for \"%s\"; got:\n", field);
        ft_dump(fe);
    }
    assert_non_null(m);
    return m;
}

static inline void ft_set(char **p, const char *v)
{
    free(*p);
    *p = xstrdup(v);
}

#endif
