/* mem.c: allocation wrappers that abort when memory runs out. */
#include "mem.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
    fprintf(stderr, "docket: out of memory (%zu bytes)\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (!p)
        oom(n);
    return p;
}

void *xcalloc(size_t count, size_t n)
{
    void *p = calloc(count ? count : 1, n ? n : 1);

    if (!p)
        oom(count * n);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (!q)
        oom(n);
    return q;
}

char *xstrdup(const char *s)
{
    return s ? xstrndup(s, strlen(s)) : NULL;
}

char *xstrndup(const char *s, size_t n)
{
    char *p;

    if (!s)
        return NULL;
    p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void xgrow(void *arr, size_t *cap, size_t need, size_t size)
{
    void **pa = arr;
    size_t ncap = *cap ? *cap : 8;

    if (need <= *cap)
        return;
    while (ncap < need)
        ncap *= 2;
    *pa = xrealloc(*pa, ncap * size);
    *cap = ncap;
}

void xfree_each(void *const *ptrs, size_t n)
{
    assert(ptrs || n == 0);
    for (size_t i = 0; i < n; i++)
        free(ptrs[i]);
}

void xfree_strv(char **v, size_t n)
{
    assert(v || n == 0);
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

#ifdef __GLIBC__
#include <malloc.h>
#include <pthread.h>

/* The first malloc_trim sets up glibc's allocator when nothing has used
 * it yet, which is the case under AddressSanitizer (it replaces malloc):
 * two threads doing that at once walk a half-made arena list and crash
 * (the clock's trim beside a search index build's, at start-up). Once,
 * for the whole process; the trims after it lock each arena. */
static pthread_once_t trim_once = PTHREAD_ONCE_INIT;

static void trim_first(void)
{
    malloc_trim(0);
}
#endif

void mem_trim(void)
{
#ifdef __GLIBC__
    pthread_once(&trim_once, trim_first);
    malloc_trim(0);
#endif
}
