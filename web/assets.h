/* assets.h: static files compiled into the binary (generated assets.c). */
#ifndef DOCKET_ASSETS_H
#define DOCKET_ASSETS_H

#include <stddef.h>

typedef struct web_asset {
    const char *name; /* file name under web/static */
    const unsigned char *data;
    size_t size;
} web_asset;

/* Terminated by an entry whose name is NULL. */
extern const web_asset web_assets[];

#endif
