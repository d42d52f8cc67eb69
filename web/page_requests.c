/* page_requests.c: the change-request form, request pages and the
 * requests API. */
#include "web_int.h"

const web_route web_routes_requests[] = {{NULL, NULL, 0, 0, NULL}};
