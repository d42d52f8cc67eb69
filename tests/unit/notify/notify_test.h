/* notify_test.h: helpers shared by the notify/ unit tests (file reading,
 * golden-file comparison). Header-only: each test is its own program. */
#ifndef DOCKET_NOTIFY_TEST_H
#define DOCKET_NOTIFY_TEST_H

#include "buf.h"
#include "fixture.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Whole file as a NUL-terminated heap string, or NULL. */
static inline char *nt_read_file(const char *path)
{
    return ufx_slurp(path, NULL);
}

static inline int nt_write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok;

    if (!f)
        return -1;
    ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* Compares data with the golden file (TEST_DATA_DIR/notify/golden/rel), or
 * rewrites it when UPDATE_GOLDEN=1. Returns 0 when equal; prints the first
 * difference otherwise. */
static inline int nt_golden(const char *rel, const char *data)
{
    char path[1024];
    char *want;
    int rc = 0;

    snprintf(path, sizeof path, "%s/notify/golden/%s", TEST_DATA_DIR, rel);
    if (getenv("UPDATE_GOLDEN") && !strcmp(getenv("UPDATE_GOLDEN"), "1")) {
        char dir[1024];
        char *slash;
        snprintf(dir, sizeof dir, "%s", path);
        slash = strrchr(dir, '/');
        if (slash) {
            *slash = '\0';
            mkdir(dir, 0755);
        }
        return nt_write_file(path, data, strlen(data));
    }
    want = nt_read_file(path);
    if (!want) {
        fprintf(stderr, "missing golden file %s (run with UPDATE_GOLDEN=1)\n",
                path);
        return -1;
    }
    if (strcmp(want, data) != 0) {
        size_t i = 0;
        while (want[i] && want[i] == data[i])
            i++;
        fprintf(stderr,
                "%s differs at byte %zu:\n  want: %.80s\n  got:  %.80s\n", path,
                i, want + i, data + i);
        rc = -1;
    }
    free(want);
    return rc;
}

#endif
