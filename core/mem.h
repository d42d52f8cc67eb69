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

#endif
