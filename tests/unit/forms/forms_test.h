/* forms_test.h: helpers shared by the unit tests of forms/ (not a test
 * itself: only test_*.c files become executables). */
#ifndef FORMS_TEST_H
#define FORMS_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "buf.h"
#include "mem.h"

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

#endif
