/* page_catalog.c: registry pages (tables, rules cards, search, lookup,
 * changes) and their API. */
#include "web_int.h"

const web_route web_routes_catalog[] = {{NULL, NULL, 0, 0, NULL}};
