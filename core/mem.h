/* mem.h: allocation wrappers. Out of memory aborts (as in Fossil and
 * Redis); a size limit is an ERR_TOOBIG handled by the caller instead. */
#ifndef DOCKET_MEM_H
#define DOCKET_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
/* Copies of s (NULL gives NULL); caller frees. */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grows *arr so that it holds at least need elements of size each;
 * *cap is updated. */
void xgrow(void *arr, size_t *cap, size_t need, size_t size);
/* Frees the n pointers of ptrs (NULL ones are skipped, as free() does).
 * xfree_all(a, b, c) frees a, b and c: the fields a dispose function
 * owns, in one call instead of a line each. */
void xfree_each(void *const *ptrs, size_t n);
#define xfree_all(...)                                                         \
    xfree_each((void *const[]){__VA_ARGS__},                                   \
               sizeof((void *const[]){__VA_ARGS__}) / sizeof(void *))
/* Frees v[0..n) and then v: an owned array of owned strings. */
void xfree_strv(char **v, size_t n);
/* Gives the heap's free pages back to the system (glibc's malloc_trim;
 * nothing elsewhere). Safe from any thread at any time, also the first
 * call of several at once. */
void mem_trim(void);

#endif
