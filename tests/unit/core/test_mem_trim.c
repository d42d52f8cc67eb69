/* test_mem_trim.c: mem_trim (core/mem.h) from many threads at once, as
 * the server's clock and a search index build do at start-up. Under
 * AddressSanitizer (make test) nothing has set up glibc's allocator
 * before, and two first malloc_trim calls at once crashed the server
 * (SEGV in mtrim); the first call of mem_trim is made once for the
 * process. A run of rounds of threads released together by a barrier. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "mem.h"

#include <pthread.h>

#define NTHREADS 8

static pthread_barrier_t go;

static void *trim_main(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&go);
    mem_trim();
    mem_trim();
    return NULL;
}

static void test_mem_trim__many_threads_at_once(void **state)
{
    pthread_t th[NTHREADS];

    (void)state;
    assert_int_equal(pthread_barrier_init(&go, NULL, NTHREADS), 0);
    for (int i = 0; i < NTHREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, trim_main, NULL), 0);
    for (int i = 0; i < NTHREADS; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    pthread_barrier_destroy(&go);
    /* and later ones, from this thread */
    mem_trim();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mem_trim__many_threads_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
