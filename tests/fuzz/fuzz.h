/* fuzz.h: what the libFuzzer targets of tests/fuzz share. CHECK(cond)
 * aborts with the condition and its line when cond is false, so that
 * libFuzzer saves the input as a crash. */
#ifndef DOCKET_FUZZ_H
#define DOCKET_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "check failed: %s (line %d)\n", #cond, __LINE__);  \
            abort();                                                           \
        }                                                                      \
    } while (0)

#endif
