/* http.h: a tiny HTTP GET and POST for the command line (`docket lookup
 * --url`, `docket gate --url`, `docket arrived --url`),
 * kept in notify/ because only notify/ may call libcurl. Implemented in
 * http_get.c. */
#ifndef DOCKET_NOTIFY_HTTP_H
#define DOCKET_NOTIFY_HTTP_H

#include "buf.h"
#include "err.h"

/* GETs url (http:// or https:// only, no redirects followed, 15 s
 * timeout, at most 64 MiB of body) with "Authorization: Bearer <token>"
 * when token is not NULL or "", and Accept: application/json. The body
 * goes to out and the HTTP status to *status (any status: the caller
 * decides). Returns 0, ERR_INVALID (bad URL scheme) or ERR_NET (no
 * answer), with a message in err. */
int notify_http_get(buf *out, long *status, const char *url, const char *token,
                    errmsg *err);
/* POSTs json (a JSON text; NULL: an empty body) to url with
 * "Content-Type: application/json", otherwise exactly as notify_http_get
 * (schemes, no redirects, timeouts, body limit, token, status, errors). */
int notify_http_post_json(buf *out, long *status, const char *url,
                          const char *token, const char *json, errmsg *err);

#endif
