/* web.h: the HTTP server (libmicrohttpd with its internal thread pool and
 * poll), the only code that speaks HTTP to browsers. app/ starts and
 * stops it; everything else of web/ is internal (web_int.h). */
#ifndef DOCKET_WEB_H
#define DOCKET_WEB_H

#include "config.h"
#include "err.h"

typedef struct web_server web_server;

/* Starts serving cfg->listen with cfg->threads worker threads; each thread
 * opens its own connection to cfg->db on first use. */
int web_start(web_server **out, const config *cfg, errmsg *err);
/* The port actually bound (useful with port 0). */
int web_port(const web_server *s);
/* Stops accepting, lets in-flight requests finish (up to a few seconds),
 * then stops the threads and closes their database connections. */
void web_stop(web_server *s);

#endif
