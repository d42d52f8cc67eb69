/* server.c: libmicrohttpd glue. Owns the request life cycle: deciding
 * from the headers whether a body may be sent at all (route, method,
 * session or bearer token: refusals are answered before the body is read
 * and the connection closed), reading and bounding the body (upload.c:
 * form fields through MHD's post processor, raw bodies; large ones on
 * disk, at most WEB_UPLOAD_SLOTS at once), identifying the user,
 * dispatching (router.c), and sending the reply with the security headers
 * every response carries. One database connection per worker thread,
 * opened on first use. Replies are queued on the second call of the
 * access handler (MHD 0.9.75 closes the connection otherwise), except
 * refusals of a body, where closing is the point.
 * Submissions go through the group-commit writer (web_defer_job): their
 * connection is suspended until the batch is durable, then resumed, and
 * the continuation replies on the access handler's next call.
 */
#include "web.h"
#include "web_int.h"
#include "server_int.h"
#include "cache.h"
#include "catalog.h"
#include "defer.h"
#include "form.h"
#include "log.h"
#include "mem.h"
#include "str.h"
#include "writer.h"

#include <arpa/inet.h>
#include <assert.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Where a reply waiting for the writer stands (req_state.defer). */
enum {
    DEFER_NONE,    /* no job, or its continuation has run */
    DEFER_WAITING, /* queued; the connection is suspended */
    DEFER_DONE,    /* finished; the continuation runs on the next call */
    DEFER_ORPHANED /* the connection ended while waiting: the writer's
                      callback frees the request */
};

typedef struct req_state {
    web_req req;
    web_form *form; /* a form body being decoded */
    uint64_t received;
    int started;
    int early_reply; /* a reply was queued before the body ended */
    int identified;  /* web_auth_identify ran (before the body) */
    int upload_slot; /* holds one of WEB_UPLOAD_SLOTS */
    web_server *srv;
    /* a reply that waits for the group-commit writer (web_defer_job) */
    _Atomic int defer;    /* DEFER_* */
    int suspended;        /* MHD_suspend_connection was called */
    registry_job *job;    /* lives in resume_ctx */
    web_resume_fn resume; /* replies once the job is done */
    void *resume_ctx;     /* freed with free_ctx */
    void (*free_ctx)(void *ctx);
} req_state;

/* web_defer_job finds the state from the request. */
_Static_assert(offsetof(req_state, req) == 0, "web_req must come first");

/* Takes an upload slot for rs; 0, or -1 when all are taken. */
static int upload_slot_take(req_state *rs)
{
    int n = atomic_load(&rs->srv->uploads);

    if (rs->upload_slot)
        return 0;
    do {
        if (n >= WEB_UPLOAD_SLOTS)
            return -1;
    } while (!atomic_compare_exchange_weak(&rs->srv->uploads, &n, n + 1));
    rs->upload_slot = 1;
    return 0;
}

static pthread_key_t reg_key;
static pthread_once_t reg_once = PTHREAD_ONCE_INIT;

static void reg_destroy(void *p)
{
    registry_close(p);
}

static void reg_key_init(void)
{
    pthread_key_create(&reg_key, reg_destroy);
}

/* This thread's database connection, opened on first use, sharing the
 * server's search index. */
static registry *thread_registry(const web_server *srv, errmsg *err)
{
    registry *reg;

    pthread_once(&reg_once, reg_key_init);
    reg = pthread_getspecific(reg_key);
    if (!reg) {
        if (registry_open(&reg, srv->cfg->db, REGISTRY_NOCREATE, err) < 0)
            return NULL;
        registry_index_attach(reg, srv->index);
        pthread_setspecific(reg_key, reg);
    }
    return reg;
}

/* ---- request data ---- */

const char *web_query(web_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *web_header(web_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *web_cookie(web_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

const char *web_field_get(web_req *req, const char *name)
{
    for (size_t i = 0; i < req->nfields; i++)
        if (!strcmp(req->fields[i].name, name) && !req->fields[i].filename)
            return buf_cstr(&req->fields[i].value);
    return NULL;
}

int64_t web_arg_id(web_req *req, int i)
{
    int64_t v;

    if (i >= req->nargs || !req->args[i])
        return 0;
    if (str_to_i64(&v, req->args[i]) < 0 || v <= 0)
        return 0;
    return v;
}

/* ---- body ---- */

static void content_type_of(web_req *req)
{
    const char *ct = web_header(req, "Content-Type");
    size_t n;

    if (!ct)
        return;
    n = strcspn(ct, ";");
    while (n && ct[n - 1] == ' ')
        n--;
    req->content_type = str_lower(xstrndup(ct, n));
}

/* ---- response ---- */

static const char csp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

/* Sent with every answer, beside the Content-Security-Policy. */
static const char *const security_headers[][2] = {
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "same-origin"},
    {"X-Frame-Options", "DENY"},
    {"Cross-Origin-Opener-Policy", "same-origin"},
    {"Permissions-Policy", "camera=(), microphone=(), geolocation=()"},
};

static enum MHD_Result send_reply(req_state *rs)
{
    web_req *req = &rs->req;
    struct MHD_Response *resp;
    enum MHD_Result ret;
    size_t len;

    if (req->static_data) {
        len = req->static_len;
        resp = MHD_create_response_from_buffer(len, (void *)req->static_data,
                                               MHD_RESPMEM_PERSISTENT);
    } else {
        if (buf_error(&req->out)) {
            buf_reset(&req->out);
            buf_puts(&req->out, "reply too large\n");
            req->status = 500;
            req->reply_type = "text/plain; charset=utf-8";
        }
        len = req->out.len;
        resp = MHD_create_response_from_buffer(len, buf_detach(&req->out),
                                               MHD_RESPMEM_MUST_FREE);
    }
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type",
                            req->reply_type ? req->reply_type
                                            : "text/html; charset=utf-8");
    MHD_add_response_header(resp, "Content-Security-Policy", csp);
    for (size_t i = 0; i < sizeof security_headers / sizeof *security_headers;
         i++)
        MHD_add_response_header(resp, security_headers[i][0],
                                security_headers[i][1]);
    if (rs->srv->tls)
        MHD_add_response_header(resp, "Strict-Transport-Security",
                                "max-age=31536000");
    {
        int has_cache = 0;
        for (size_t i = 0; i < req->nheaders; i++) {
            MHD_add_response_header(resp, req->headers[i].name,
                                    req->headers[i].value);
            if (!str_casecmp(req->headers[i].name, "Cache-Control"))
                has_cache = 1;
        }
        if (!has_cache)
            MHD_add_response_header(resp, "Cache-Control", "no-store");
    }
    if (req->status >= 400 && req->body_error)
        MHD_add_response_header(resp, "Connection", "close");
    ret = MHD_queue_response(req->conn, (unsigned)req->status, resp);
    MHD_destroy_response(resp);
    log_request(req->method, req->path, req->status, len,
                time_mono_us() - req->started_us,
                req->user.id ? req->user.email : NULL);
    return ret;
}

/* Sets req->reg to this thread's connection; 0, or -1 after replying
 * 503 with an incident id. */
static int attach_registry(web_req *req)
{
    errmsg err = {0};

    req->reg = thread_registry(((const req_state *)req)->srv, &err);
    if (req->reg)
        return 0;
    web_incident(req, err.msg);
    web_reply_error(req, 503, "The database is not available.");
    return -1;
}

/* A handler (or continuation) that produced nothing gets a 500. */
static void ensure_reply(web_req *req)
{
    if (req->status)
        return;
    web_incident(req, "gave no reply");
    web_reply_error(req, 500, "No reply was produced.");
}

static void process(req_state *rs)
{
    web_req *req = &rs->req;

    if (attach_registry(req) < 0)
        return;
    if (!rs->identified) {
        errmsg err = {0};
        if (web_auth_identify(req, &err) < 0) {
            web_reply_err(req, &err);
            return;
        }
    }
    if (req->body_error) {
        web_reply_error(req, req->body_error, req->body_error_msg);
        return;
    }
    web_dispatch(req);
    /* A suspended request replies when the writer is done. */
    if (!rs->suspended)
        ensure_reply(req);
    /* A transaction left open by a failed handler must not leak into the
       next request of this thread. */
    registry_rollback(req->reg);
}

/* Runs the continuation of a finished job and frees its context. */
static void defer_finish(req_state *rs)
{
    web_req *req = &rs->req;

    rs->resume(req, rs->job, rs->resume_ctx);
    rs->free_ctx(rs->resume_ctx);
    rs->resume_ctx = NULL;
    rs->job = NULL;
    atomic_store(&rs->defer, DEFER_NONE);
    ensure_reply(req);
}

static void req_free(req_state *rs);

/* The writer's callback (writer thread): the job's batch is committed or
 * failed. Wakes the connection; MHD then calls on_access again. */
static void defer_done(registry_job *job, void *ctx)
{
    req_state *rs = ctx;
    int expect = DEFER_WAITING;

    (void)job;
    if (atomic_compare_exchange_strong(&rs->defer, &expect, DEFER_DONE)) {
        MHD_resume_connection(rs->req.conn);
        return;
    }
    /* on_completed ran while the job waited: nobody is left to answer. */
    rs->free_ctx(rs->resume_ctx);
    rs->resume_ctx = NULL;
    req_free(rs);
}

void web_defer_job(web_req *req, registry_job *job, web_resume_fn fn, void *ctx,
                   void (*free_ctx)(void *ctx))
{
    req_state *rs = (req_state *)req;
    registry_writer *w = rs->srv->writer;

    assert(!rs->resume_ctx && "one deferred job per request");
    rs->job = job;
    rs->resume = fn;
    rs->resume_ctx = ctx;
    rs->free_ctx = free_ctx;
    job->done = defer_done;
    job->ctx = rs;
    /* Suspend before queueing: the writer may resume at once, and
       resuming a connection that is not suspended is not allowed. */
    atomic_store(&rs->defer, DEFER_WAITING);
    rs->suspended = 1;
    MHD_suspend_connection(req->conn);
    if (registry_writer_submit(w, job) == 0)
        return;
    /* The writer is stopping: apply the job on this thread; the resumed
       call replies as for a queued job. */
    registry_job_run(req->reg, job);
    atomic_store(&rs->defer, DEFER_DONE);
    MHD_resume_connection(req->conn);
}

static void req_free(req_state *rs)
{
    web_req *req = &rs->req;

    web_form_abort(rs->form);
    if (rs->upload_slot)
        atomic_fetch_sub(&rs->srv->uploads, 1);
    free(req->path);
    free(req->content_type);
    for (int i = 0; i < req->nargs; i++)
        free(req->args[i]);
    web_spool_dispose(&req->body, &req->body_spool);
    buf_dispose(&req->out);
    web_fields_free(req);
    for (size_t i = 0; i < req->nheaders; i++) {
        free(req->headers[i].name);
        free(req->headers[i].value);
    }
    free(req->headers);
    free(rs);
}

static void client_address(web_req *req)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;

    str_copy(req->address, sizeof req->address, "-");
    if (!sa)
        return;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
                  req->address, sizeof req->address);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
                  req->address, sizeof req->address);
}

static enum MHD_Result count_content_length(void *cls, enum MHD_ValueKind kind,
                                            const char *key, const char *value)
{
    int *n = cls;

    (void)kind;
    (void)value;
    if (!str_casecmp(key, "Content-Length"))
        (*n)++;
    return MHD_YES;
}

static enum MHD_Result early_reply(req_state *rs, int status, const char *msg)
{
    web_req *req = &rs->req;

    web_body_fail(req, status, msg);
    web_reply_error(req, status, msg);
    rs->early_reply = 1;
    return send_reply(rs);
}

/* Sends the reply prepared in req (status set) before the body is read;
 * the connection closes after it, the body unread. */
static enum MHD_Result early_prepared(req_state *rs)
{
    rs->req.body_error = rs->req.status;
    rs->early_reply = 1;
    return send_reply(rs);
}

static enum MHD_Result uploads_busy(req_state *rs)
{
    web_header_add(&rs->req, "Retry-After", "10");
    return early_reply(rs, 503,
                       "too many large uploads at once: try again in a "
                       "few seconds");
}

/* A new request's state, from its request line and headers. */
static req_state *req_new(web_server *srv, struct MHD_Connection *conn,
                          const char *url, const char *method)
{
    req_state *rs = xcalloc(1, sizeof *rs);
    web_req *req = &rs->req;
    const char *xfp;

    rs->srv = srv;
    atomic_fetch_add(&srv->inflight, 1);
    req->conn = conn;
    req->cfg = srv->cfg;
    req->cache = srv->cache;
    req->method = method;
    req->path = xstrdup(url);
    req->started_us = time_mono_us();
    req->out.max = 64u * 1024 * 1024;
    req->body.max = (size_t)srv->cfg->max_body;
    client_address(req);
    xfp = web_header(req, "X-Forwarded-Proto");
    req->secure = srv->tls || srv->cfg->behind_https_proxy ||
                  (xfp && *srv->cfg->trusted_proxy &&
                   !strcmp(req->address, srv->cfg->trusted_proxy) &&
                   !strcmp(xfp, "https"));
    return rs;
}

/* Checks the body's framing (Content-Length cl, Transfer-Encoding te)
 * and sets *declared to the length cl declares (0 without one). A
 * request refused here is answered at once (rs->early_reply set). */
static enum MHD_Result body_framing(req_state *rs, const char *cl,
                                    const char *te, int64_t *declared)
{
    web_server *srv = rs->srv;
    int64_t n;
    int ncl = 0;

    *declared = 0;
    /* Both framings at once is how requests are smuggled past
       proxies: refuse it rather than pick one. */
    if (cl && te)
        return early_reply(rs, 400,
                           "Content-Length and Transfer-Encoding "
                           "together are not accepted");
    if (!cl)
        return MHD_YES;
    /* MHD frames the body by the first of several; a proxy in
       front may pick another: refuse the ambiguity. */
    MHD_get_connection_values(rs->req.conn, MHD_HEADER_KIND,
                              count_content_length, &ncl);
    if (ncl > 1)
        return early_reply(rs, 400, "more than one Content-Length");
    if (str_to_i64(&n, cl) < 0 || n < 0)
        return early_reply(rs, 400, "bad Content-Length");
    if (n > srv->cfg->max_body)
        return early_reply(rs, 413,
                           "the request body is larger than the "
                           "server accepts");
    *declared = n;
    return MHD_YES;
}

/* Who may send a body is decided from the headers: a request the
   route or the role refuses is answered now and its body never
   read (the connection closes; rs->early_reply set). */
static enum MHD_Result body_precheck(req_state *rs, int64_t declared)
{
    web_req *req = &rs->req;
    errmsg err = {0};

    if (attach_registry(req) < 0)
        return early_prepared(rs);
    if (web_auth_identify(req, &err) < 0) {
        web_reply_err(req, &err);
        return early_prepared(rs);
    }
    rs->identified = 1;
    if (web_route_precheck(req) < 0)
        return early_prepared(rs);
    if (req->role == ROLE_ANON && declared > WEB_ANON_BODY_MAX)
        return early_reply(rs, 413,
                           "sign in before sending a body this "
                           "large");
    if (declared > (int64_t)WEB_SPOOL_AT && upload_slot_take(rs) < 0)
        return uploads_busy(rs);
    return MHD_YES;
}

/* The first call for a request: its headers are in, no body read yet. */
static enum MHD_Result on_headers(req_state *rs)
{
    web_req *req = &rs->req;
    const char *cl, *te;
    int64_t declared;
    enum MHD_Result r;

    content_type_of(req);
    cl = web_header(req, "Content-Length");
    te = web_header(req, "Transfer-Encoding");
    r = body_framing(rs, cl, te, &declared);
    if (rs->early_reply)
        return r;
    if (declared > 0 || te) {
        r = body_precheck(rs, declared);
        if (rs->early_reply)
            return r;
    }
    if (req->content_type &&
        (!strcmp(req->content_type, "application/x-www-form-urlencoded") ||
         !strcmp(req->content_type, "multipart/form-data"))) {
        rs->form = web_form_begin(req);
    }
    return MHD_YES;
}

/* A suspended request called again: replies once the writer is done. */
static enum MHD_Result on_resumed(req_state *rs)
{
    web_req *req = &rs->req;

    /* Resumed by the writer: the job is done, reply now. */
    if (atomic_load(&rs->defer) != DEFER_DONE)
        return MHD_YES;
    rs->suspended = 0;
    if (attach_registry(req) < 0) {
        rs->free_ctx(rs->resume_ctx);
        rs->resume_ctx = NULL;
        atomic_store(&rs->defer, DEFER_NONE);
        return send_reply(rs);
    }
    defer_finish(rs);
    registry_rollback(req->reg);
    return send_reply(rs);
}

/* The next n bytes of the body (n > 0), within the limits. */
static enum MHD_Result on_body(req_state *rs, const char *data, size_t n)
{
    web_req *req = &rs->req;
    web_server *srv = rs->srv;

    /* A body trickling in for longer than the deadline is cut off
       (the idle timeout alone would let a slow drip go on forever). */
    if (time_mono_us() - req->started_us >
        (int64_t)srv->cfg->request_deadline * 1000000)
        return early_reply(rs, 408,
                           "the request took too long to "
                           "arrive");
    rs->received += n;
    if (rs->received > (uint64_t)srv->cfg->max_body)
        return early_reply(rs, 413,
                           "the request body is larger than "
                           "the server accepts");
    if (rs->identified && req->role == ROLE_ANON &&
        rs->received > WEB_ANON_BODY_MAX)
        return early_reply(rs, 413, "sign in before sending a body this large");
    if (rs->received > WEB_SPOOL_AT && upload_slot_take(rs) < 0)
        return uploads_busy(rs);
    if (req->body_error)
        return MHD_YES;
    if (rs->form)
        web_form_feed(rs->form, data, n);
    else if (web_spool_append(&req->body, &req->body_spool, data, n,
                              WEB_SPOOL_AT) < 0)
        web_spool_fail(req);
    return MHD_YES;
}

/* The whole body is in: handles the request and replies, unless the
   handler suspended it for the writer. */
static enum MHD_Result on_body_end(req_state *rs)
{
    web_req *req = &rs->req;

    if (rs->form) {
        web_form_end(rs->form);
        rs->form = NULL;
    } else if (!req->body_error &&
               web_spool_finish(&req->body, &req->body_spool) < 0) {
        web_spool_fail(req);
    }
    process(rs);
    if (rs->suspended)
        return MHD_YES;
    return send_reply(rs);
}

enum MHD_Result web_on_access(void *cls, struct MHD_Connection *conn,
                              const char *url, const char *method,
                              const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls)
{
    web_server *srv = cls;
    req_state *rs = *con_cls;

    (void)version;
    if (!rs) {
        rs = req_new(srv, conn, url, method);
        *con_cls = rs;
        /* the headers are in: the normal idle timeout again */
        MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT,
                                  (unsigned)srv->cfg->timeout);
        return on_headers(rs);
    }
    if (rs->early_reply) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (rs->suspended)
        return on_resumed(rs);
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        return on_body(rs, upload_data, n);
    }
    return on_body_end(rs);
}

void web_on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    if (*con_cls) {
        req_state *rs = *con_cls;
        web_server *srv = rs->srv; /* rs may be freed below */
        int expect = DEFER_WAITING;
        /* A job still with the writer: its callback frees the request. */
        if (!atomic_compare_exchange_strong(&rs->defer, &expect,
                                            DEFER_ORPHANED)) {
            if (rs->resume_ctx)
                rs->free_ctx(rs->resume_ctx);
            req_free(rs);
        }
        atomic_fetch_sub(&srv->inflight, 1);
    }
    *con_cls = NULL;
}
