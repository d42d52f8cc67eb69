/* web_int.h: what the files of web/ share: the request object, the
 * router, replies, authentication helpers and the page layout.
 *
 * server.c  libmicrohttpd glue, request life cycle, limits, logging
 * reply.c   replies: JSON, error pages, errmsg codes to HTTP, redirects
 * router.c  the route table (method + pattern + roles) and dispatch
 * auth.c    sessions, cookies, CSRF, bearer tokens, throttling, sign-in
 * layout.c  page frame (header, navigation, footer), flash, form helpers
 * static.c  assets compiled into the binary
 * page_*.c  HTML pages; api_*.c JSON API */
#ifndef DOCKET_WEB_INT_H
#define DOCKET_WEB_INT_H

#include "buf.h"
#include "config.h"
#include "err.h"
#include "registry.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* A value that moved to an unlinked temporary file once it grew past
 * WEB_SPOOL_AT bytes (upload.c). When the body has ended the file is
 * mapped read-only-in-effect (private) at the buf's data, NUL-terminated,
 * so handlers read it like any buf and its pages stay out of the heap;
 * appends to such a buf fail (max = len). */
typedef struct web_spool {
    int active;     /* the bytes live in fd */
    int fd;         /* the temporary file (already unlinked) */
    uint64_t size;  /* bytes written */
    size_t map_len; /* bytes mapped at the buf's data; 0 when unmapped */
} web_spool;

/* One decoded form field or uploaded file. */
typedef struct web_field {
    char *name;
    char *filename;     /* NULL unless a file upload */
    char *content_type; /* of an upload */
    buf value;          /* bytes (may contain NUL: check len) */
    web_spool spool;    /* large file parts: value is mapped from disk */
} web_field;

typedef struct web_hdr {
    char *name;
    char *value;
} web_hdr;

#define WEB_MAX_ARGS 4

typedef struct web_req {
    void *conn; /* struct MHD_Connection * */
    const config *cfg;
    registry *reg;           /* this thread's connection */
    struct web_cache *cache; /* the server's response cache (cache.h) */
    const char *method;      /* "GET", "POST", ... */
    char *path;              /* decoded path, without the query */
    char address[64];        /* client address */
    int secure;              /* HTTPS, or a proxy said so */
    int64_t started_us;
    char incident[17]; /* id of a 500 in the log */

    /* who: filled before the handler runs */
    registry_user user; /* id 0 when anonymous */
    int role;           /* one ROLE_* bit */
    int via_token;      /* signed in with a bearer token */
    char session[65];   /* session token from the cookie, "" if none */
    char csrf[65];      /* the session's CSRF token */

    /* route */
    char *args[WEB_MAX_ARGS]; /* {id} parts of the pattern, decoded */
    int nargs;

    /* body */
    char *content_type;   /* request Content-Type (lower case, no params) */
    buf body;             /* raw body for JSON; form bodies are decoded */
    web_spool body_spool; /* a large raw body: body is mapped from disk */
    web_field *fields;
    size_t nfields;
    size_t fields_cap;
    int body_error; /* 0 or an HTTP status found while reading the body */
    char body_error_msg[200];

    /* reply */
    int status;
    const char *reply_type; /* Content-Type of the reply */
    buf out;
    web_hdr *headers;
    size_t nheaders;
    const unsigned char *static_data; /* reply with these bytes instead */
    size_t static_len;
    int replied;       /* a reply was queued by a helper */
    int page_template; /* page_begin/page_csrf_input write hole markers
                          (WEB_HOLE_*) instead of the user's name and
                          CSRF token: a page cached for every user */
} web_req;

/* A route's handler. Handler files declare theirs as one list:
 * `web_handler_fn page_a, page_b;`. */
typedef void web_handler_fn(web_req *req);
typedef web_handler_fn *web_handler;

/* ---- router.c ---- */

typedef struct web_route {
    const char *method;  /* GET, POST, ... */
    const char *pattern; /* "/requests/{id}"; a final "{*}" takes the rest */
    int roles;           /* ROLE_* bits allowed; others get 404 or a sign-in
                            redirect (anonymous) */
    int flags;           /* WEB_* below */
    web_handler handler;
} web_route;

enum {
    WEB_JSON = 1,    /* API: errors as JSON, bearer tokens accepted */
    WEB_NOCSRF = 2,  /* a POST made before there is a session (sign-in,
                        reset): checked by web_presession_check_or_reply
                        instead of the session's CSRF token */
    WEB_RAWBODY = 4, /* keep the body raw (JSON) instead of form fields */
};

/* A route for administrators only (the pages of /admin). */
#define WEB_ADMIN_ROUTE(method, pattern, handler)                              \
    {                                                                          \
        method, pattern, ROLE_ADMIN, 0, handler                                \
    }

/* Finds the route for method and path, checks the role, runs it. */
void web_dispatch(web_req *req);
/* What can be decided from the headers alone, before a body is read
 * (req->user and role known): the route exists for the method (else 404
 * or 405), the role may use it (else 401, a sign-in redirect or 403), and
 * a form route gets a form (else 415). Returns 0, or -1 with the reply
 * prepared. */
int web_route_precheck(web_req *req);
/* Every route table, NULL-terminated; each table ends with a NULL method
 * (for tests and the OpenAPI checks). */
const web_route *const *web_route_tables(void);

/* ---- replies (server.c) ---- */

void web_header_add(web_req *req, const char *name, const char *value);
/* Replies with JSON and takes ownership of root. */
void web_reply_json(web_req *req, int status, cJSON *root);
/* Replies with an error: HTML page or {"error":{"status":..,
 * "message":..}} for API routes. */
void web_reply_error(web_req *req, int status, const char *message);
/* Gives the request an incident id and logs it with what went wrong;
 * the reply then quotes the id (web_reply_error). */
void web_incident(web_req *req, const char *what);
/* Maps an errmsg to a reply (404, 422, 409, 413, 403, else 500 with an
 * incident id; internal messages are only logged). */
void web_reply_err(web_req *req, const errmsg *err);
/* 422 with every problem of fe (at least one): for API routes the one
 * documented shape {"errors": [{"field": .., "message": ..}]}
 * (ValidationErrors in openapi.json), else an error page listing them.
 * Every JSON 422 of a validation goes through here. */
struct form_errors;
void web_reply_errors(web_req *req, const struct form_errors *fe);
/* A form posted with a problem: when the user can fix it (ERR_INVALID
 * 422, ERR_CONFLICT 409, ERR_NOTFOUND 404, ERR_FORBIDDEN 403, ERR_TOOBIG
 * 413) sets req->status and returns 0, and the caller shows the form
 * again with err->msg in its page_alert; any other error is answered
 * with web_reply_err (500 with an incident id, 503, 507) and -1
 * returned. err must hold an error. */
int web_form_err_or_reply(web_req *req, const errmsg *err);
/* After a read of the object a page is about: 0 when rc is 0; else
 * replies 404 with missing (ERR_NOTFOUND) or the error (web_reply_err)
 * and returns -1. */
int web_found_or_reply(web_req *req, int rc, const errmsg *err,
                       const char *missing);
/* 303 See Other to a local path. */
void web_redirect(web_req *req, const char *location);
/* Plain text or any other type with the bytes in req->out. */
void web_reply_type(web_req *req, int status, const char *type);

/* Request data. */
const char *web_query(web_req *req, const char *name); /* NULL if absent */
const char *web_header(web_req *req, const char *name);
const char *web_cookie(web_req *req, const char *name);
/* The value of a single-valued form field (NULL if absent). */
const char *web_field_get(web_req *req, const char *name);
/* A route argument as a positive id; 0 when it is not one. */
int64_t web_arg_id(web_req *req, int i);
/* Parses the JSON body; NULL after replying 400/415 when invalid. */
cJSON *web_json_body_or_reply(web_req *req);

/* ---- json.c: pieces of the API's documents ---- */
/* key: t as "2026-12-05T18:40:12Z". */
void web_json_add_time(cJSON *o, const char *key, int64_t t);
/* Adds the string members kv[0]: kv[1], kv[2]: kv[3], ... (n pairs) to
 * the JSON object o, in this order. */
void web_json_strings(cJSON *o, const char *const *kv, size_t n);
/* The fields every JSON view of a change request starts with: "id",
 * "number" ("CR-12"), "title", "status" and "organisation". */
void web_json_request_head(cJSON *o, int64_t id, const char *title,
                           const char *status, const char *organisation);

/* ---- upload.c: reading request bodies ---- */

/* Raw bodies and file parts larger than this go to a temporary file
 * (unlinked at once) instead of the heap. */
#define WEB_SPOOL_AT ((size_t)1024 * 1024)

/* Records the first problem found while reading the body (HTTP status
 * and message); the request is answered with it. */
void web_body_fail(web_req *req, int status, const char *message);

/* Appends to b, or to its temporary file once b would pass spool_at bytes
 * (0: never spool). b->max is enforced (ERR_TOOBIG). Returns 0, or -1
 * when the temporary file cannot be written. */
int web_spool_append(buf *b, web_spool *s, const void *p, size_t n,
                     size_t spool_at);
/* After the last append: maps a spooled value at b->data. 0 or -1. */
int web_spool_finish(buf *b, web_spool *s);
/* Frees b and its temporary file or mapping. */
void web_spool_dispose(buf *b, web_spool *s);
/* After a failed web_spool_append/finish: web_body_fail with 507 when
 * the disk is full (errno ENOSPC), else 503. */
void web_spool_fail(web_req *req);

/* A form body (application/x-www-form-urlencoded or multipart/form-data,
 * from the request's Content-Type) decoded into req->fields through
 * libmicrohttpd's post processor. Pieces of one field that the post
 * processor hands over in several calls are joined into one field, also
 * when a piece is empty or its offset restarts at 0 (0.9.75 does that
 * when a value starts just before the end of a read); fields that merely
 * share a name stay separate. */
typedef struct web_form web_form;
/* NULL after web_body_fail when the body cannot be decoded (e.g.
 * multipart without a boundary). */
web_form *web_form_begin(web_req *req);
/* The next bytes of the body, split anywhere. 0, or -1 after
 * web_body_fail. */
int web_form_feed(web_form *fr, const char *data, size_t n);
/* After the last byte: flushes, checks the form was complete, maps
 * spooled files, frees fr. 0, or -1 after web_body_fail. */
int web_form_end(web_form *fr);
/* Frees fr without finishing (the request ended early). */
void web_form_abort(web_form *fr);
/* Frees req->fields. */
void web_fields_free(web_req *req);

/* ---- auth.c ---- */

/* Fills req->user/role from the session cookie, bearer token or trusted
 * proxy header; 0 also when none of them names anyone (signed out), or a
 * negative ERR_* in *err when a database read failed: the caller answers
 * that error rather than serving the request as signed out. */
int web_auth_identify(web_req *req, errmsg *err);
/* For state-changing requests: checks the Origin header and the CSRF
 * token (field "csrf" or header X-CSRF-Token). Bearer-token requests are
 * exempt. Returns 0, or replies 403 and returns -1. */
int web_csrf_check_or_reply(web_req *req);
/* Signs the user in: new session, cookie set. */
int web_session_start(web_req *req, const registry_user *u, errmsg *err);
/* Name of the session cookie for this request. */
const char *web_cookie_name(const web_req *req);
/* For the session-less posts (WEB_NOCSRF: sign-in, reset): Origin must
 * name this server (Referer when there is no Origin; neither, or "null",
 * is refused) and the form's "csrf" field must be the HMAC of the
 * browser's pre-session cookie (page_presession_input). Returns 0, or
 * replies 403 and returns -1. */
int web_presession_check_or_reply(web_req *req);
/* For a session whose password is temporary (set by an admin or
 * generated): every route but the account page, the password change,
 * sign-out, sign-in, static assets and /healthz answers with a redirect
 * to the password form (pages) or 403 JSON (API). Bearer tokens and the
 * trusted proxy are not affected. Returns 0, or replies and returns -1. */
int web_password_gate_or_reply(web_req *req, const web_route *route);
/* Throttling of password guesses (sign-in and password change) per
 * account and per client address: seconds to wait (0: go on), a wrong
 * guess, a right one (clears the account's count). */
int64_t web_guess_wait(web_req *req, const char *email);
void web_guess_failed(web_req *req, const char *email);
void web_guess_passed(web_req *req, const char *email);
/* Throttling of password-reset requests per e-mail asked for and per
 * client address: 0 when allowed (and then counted), else the seconds to
 * wait. */
int64_t web_reset_take(web_req *req, const char *email);
/* After web_guess_wait or web_reset_take: 0 when wait is 0 (go on); else
 * sets the Retry-After header and status 429, logs "<what>: throttled
 * <who> from <address>" (who may be NULL: not named) and returns 1, and
 * the caller shows its form with a message. */
int web_throttled(web_req *req, int64_t wait, const char *what,
                  const char *who);

/* ---- layout.c ---- */

/* Opens the page: doctype, head with CSS/JS, header with navigation for
 * the user's role, <main>. title is plain text (escaped here). */
void page_begin(web_req *req, const char *title);
/* Closes <main>, footer, </html>, and sets the reply to 200 HTML unless a
 * status was set. */
void page_end(web_req *req);
/* The alert box of a page: kind "error" (role="alert"; a form shown
 * again with its problem), "success" or "warning" (role="status"), with
 * message as text. Nothing when message is NULL. */
void page_alert(web_req *req, const char *kind, const char *message);
/* A hidden CSRF input for forms. */
void page_csrf_input(web_req *req);
/* The hidden "csrf" input of the sign-in and reset forms (no session
 * yet): an HMAC of the pre-session cookie, which it sets when the browser
 * has none (auth.c). */
void page_presession_input(web_req *req);
/* Adds a one-time message shown on the next page (cookie based). */
void page_flash_set(web_req *req, const char *message);
/* The flash cookie's value for message ("<expiry>.<mac>.<message>", see
 * layout.c), and the message of value v when its MAC and expiry hold, else
 * NULL. Callers free both. */
char *web_flash_seal(const char *message);
char *web_flash_open(const char *v);
/* Formats t as "2026-03-03 14:00 UTC". */
void page_time(buf *b, int64_t t);
/* pre, then text escaped for HTML, then post (pre and post are HTML). */
void page_wrap(buf *o, const char *pre, const char *text, const char *post);
/* <option value="value"[ selected]>label</option>, both escaped; selected
 * when value is current (current may be NULL). */
void web_option(buf *o, const char *value, const char *label,
                const char *current);
/* The URL of an embedded asset with its content hash, e.g.
 * "/static/app.css?v=3f2a...". */
const char *web_asset_url(const char *name);

/* ---- static.c ---- */
void web_static_init(void);
web_handler_fn page_static;

/* ---- pages and API handlers (page_*.c, api_*.c) ---- */
/* The home page, health check and GET /api/v1/me (page_core.c): */
web_handler_fn page_home, page_healthz, api_me;
/* Signing in and out (auth.c), the account page and password reset
 * (page_accounts.c): */
web_handler_fn page_signin_form, page_signin, page_signout, page_signout_all,
    page_account, page_password_change, page_token_create, page_token_revoke,
    page_token_revoke_all, page_reset_request, page_reset_request_form,
    page_reset_form, page_reset;
/* Administration (page_admin.c): */
web_handler_fn page_admin_users, page_admin_user_create, page_admin_user_edit,
    page_admin_user_update, page_admin_orgs, page_admin_org_create,
    page_admin_instance_create, page_admin_audit;
/* Opens an administration page (page_admin.c): the title, the heading and
 * the tabs, current being the path of the tab shown. */
void page_admin_begin(web_req *req, const char *title, const char *current);

/* ---- markdown.c ---- */
/* Appends md rendered as CommonMark HTML, safely: raw HTML is dropped,
 * javascript:/vbscript:/file:/data: links are dropped, invalid UTF-8 is
 * replaced (cmark with CMARK_OPT_SAFE | CMARK_OPT_VALIDATE_UTF8). */
void web_markdown(buf *out, const char *md);

/* ---- page_request_extra.c ---- */
/* Called by the request page (page_requests.c) after its own sections,
 * for the request id the user may see: the life-cycle actions and
 * comments of page_triage append their sections here. A negative ERR_*
 * (in err) when a read fails: the caller answers the error instead of a
 * page with a section missing. */
int page_request_extra(web_req *req, int64_t id, errmsg *err);

#endif
