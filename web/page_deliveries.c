/* page_deliveries.c: /admin/deliveries, the notification deliveries of the
 * outbox (registry/outbox.h) with their state, attempts, last error and
 * next attempt; retry now; per-channel test messages. */
#include "web_int.h"

const web_route web_routes_deliveries[] = {{NULL, NULL, 0, 0, NULL}};
