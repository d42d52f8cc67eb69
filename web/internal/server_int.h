/* server_int.h: what the two halves of the HTTP server share: the
 * request life cycle (server.c) and the daemon's start and stop
 * (server_start.c). Internal to web/. */
#ifndef DOCKET_SERVER_INT_H
#define DOCKET_SERVER_INT_H

#include "cache.h"
#include "registry.h"
#include "web.h"
#include "writer.h"

#include <microhttpd.h>
#include <stdatomic.h>
#include <stddef.h>

/* Idle timeout in seconds while a request's headers arrive (at most the
 * configured idle timeout). */
#define WEB_HEADER_TIMEOUT 10u
/* Bodies larger than WEB_SPOOL_AT (kept on disk) received at once; one
 * more is answered 503 with Retry-After. */
#define WEB_UPLOAD_SLOTS   8
/* Bytes of body a client that is not signed in may send (the sign-in and
 * password-reset forms). */
#define WEB_ANON_BODY_MAX  (64 * 1024)

struct web_server {
    struct MHD_Daemon *daemon;
    const config *cfg;
    int port;
    int tls;
    char *tls_key, *tls_cert;
    registry_writer *writer; /* group commit of submissions */
    web_cache *cache;        /* rendered responses (cache.h) */
    registry_index *index;   /* search snapshots of its connections */
    /* Requests between their first byte and their completion; shutdown
       waits for these, not for idle keep-alive connections. */
    _Atomic int inflight;
    /* Large bodies being received or handled (WEB_UPLOAD_SLOTS). */
    _Atomic int uploads;
};

/* The access and completion handlers of the daemon (server.c). */
enum MHD_Result web_on_access(void *cls, struct MHD_Connection *conn,
                              const char *url, const char *method,
                              const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls);
void web_on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe);

#endif
