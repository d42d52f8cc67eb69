/* reply.c: the replies of web/: headers, JSON, the error page and the
 * one 422 shape (web_reply_errors), errmsg codes mapped to HTTP
 * (web_reply_err, web_form_err_or_reply, web_found_or_reply), redirects
 * and the JSON body of API requests. Only web/ maps codes to HTTP. */
#include "web_int.h"
#include "form.h"
#include "log.h"
#include "mem.h"
#include "registry.h"
#include "str.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void web_header_add(web_req *req, const char *name, const char *value)
{
    req->headers =
        xrealloc(req->headers, (req->nheaders + 1) * sizeof *req->headers);
    req->headers[req->nheaders].name = xstrdup(name);
    req->headers[req->nheaders].value = xstrdup(value);
    req->nheaders++;
}

void web_reply_type(web_req *req, int status, const char *type)
{
    req->status = status;
    req->reply_type = type;
    req->replied = 1;
}

void web_reply_json(web_req *req, int status, cJSON *root)
{
    char *s = cJSON_PrintUnformatted(root);

    cJSON_Delete(root);
    buf_reset(&req->out);
    /* cJSON copies string bytes unchecked (a 404 quoting a path, an error
       message cut inside a character): the answer is valid UTF-8 always. */
    buf_append_utf8(&req->out, s, strlen(s));
    buf_putc(&req->out, '\n');
    cJSON_free(s);
    web_reply_type(req, status, "application/json");
}

static const char *status_text(int status)
{
    switch (status) {
    case 400: return "Bad request";
    case 401: return "Sign-in required";
    case 403: return "Forbidden";
    case 404: return "Not found";
    case 405: return "Method not allowed";
    case 409: return "Conflict";
    case 413: return "Too large";
    case 415: return "Unsupported media type";
    case 422: return "Invalid input";
    case 429: return "Too many attempts";
    case 503: return "Unavailable";
    case 507: return "Disk full";
    default: return status >= 500 ? "Server error" : "Error";
    }
}

static int route_is_api(const web_req *req)
{
    return str_startswith(req->path, "/api/") || !strcmp(req->path, "/healthz");
}

/* The frame of an error page: heading, then the caller's body, then the
 * way back. */
static void error_page_begin(web_req *req, int status)
{
    buf_reset(&req->out);
    req->status = status;
    page_begin(req, status_text(status));
    buf_puts(&req->out, "<section class=\"card error-page\"><h1>");
    buf_append_html(&req->out, status_text(status));
    buf_puts(&req->out, "</h1>");
}

static void error_page_end(web_req *req, int status)
{
    buf_puts(&req->out, "<p><a href=\"/\">Back to the start page</a></p>"
                        "</section>");
    page_end(req);
    req->status = status;
    req->replied = 1;
}

/* A 422 on an API route is always the ValidationErrors shape of
 * openapi.json: one problem, about field ("" for the body as a whole). */
static void reply_one_problem(web_req *req, const char *field,
                              const char *message)
{
    form_errors fe;

    memset(&fe, 0, sizeof fe);
    form_errors_add(&fe, field, "%s", message);
    web_reply_errors(req, &fe);
    form_errors_dispose(&fe);
}

void web_reply_error(web_req *req, int status, const char *message)
{
    if (status == 422 && route_is_api(req)) {
        reply_one_problem(req, "", message);
        return;
    }
    if (route_is_api(req)) {
        cJSON *root = cJSON_CreateObject();
        cJSON *e = cJSON_AddObjectToObject(root, "error");
        cJSON_AddNumberToObject(e, "status", status);
        cJSON_AddStringToObject(e, "message", message);
        if (req->incident[0])
            cJSON_AddStringToObject(e, "incident", req->incident);
        web_reply_json(req, status, root);
        return;
    }
    error_page_begin(req, status);
    buf_puts(&req->out, "<p>");
    buf_append_html(&req->out, message);
    buf_puts(&req->out, "</p>");
    if (req->incident[0]) {
        buf_puts(&req->out, "<p>Incident <code>");
        buf_append_html(&req->out, req->incident);
        buf_puts(&req->out, "</code>: quote it when you report this.</p>");
    }
    error_page_end(req, status);
}

void web_reply_errors(web_req *req, const form_errors *fe)
{
    buf *o = &req->out;

    assert(fe && fe->n > 0);
    if (route_is_api(req)) {
        cJSON *root = cJSON_CreateObject();
        cJSON *arr = cJSON_AddArrayToObject(root, "errors");
        for (size_t i = 0; i < fe->n; i++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "field", fe->errs[i].field);
            cJSON_AddStringToObject(e, "message", fe->errs[i].message);
            cJSON_AddItemToArray(arr, e);
        }
        web_reply_json(req, 422, root);
        return;
    }
    error_page_begin(req, 422);
    buf_puts(o, "<ul>");
    for (size_t i = 0; i < fe->n; i++) {
        buf_puts(o, "<li>");
        if (fe->errs[i].field[0]) {
            buf_append_html(o, fe->errs[i].field);
            buf_puts(o, ": ");
        }
        buf_append_html(o, fe->errs[i].message);
        buf_puts(o, "</li>");
    }
    buf_puts(o, "</ul>");
    error_page_end(req, 422);
}

/* Gives the request an incident id and logs it with what went wrong; the
 * reply then quotes the id (web_reply_error). */
void web_incident(web_req *req, const char *what)
{
    registry_random_hex(req->incident, 8);
    log_error("incident %s: %s %s: %s", req->incident, req->method, req->path,
              what);
}

/* The status of an error the user can act on (its message is shown);
 * 0 for the others (only logged). */
static int err_user_status(int code)
{
    switch (code) {
    case ERR_NOTFOUND: return 404;
    case ERR_INVALID: return 422;
    case ERR_CONFLICT: return 409;
    case ERR_TOOBIG: return 413;
    case ERR_FORBIDDEN: return 403;
    default: return 0;
    }
}

int web_form_err_or_reply(web_req *req, const errmsg *err)
{
    int status = err_user_status(err->code);

    assert(err->code < 0);
    if (!status) {
        web_reply_err(req, err);
        return -1;
    }
    req->status = status;
    return 0;
}

int web_found_or_reply(web_req *req, int rc, const errmsg *err,
                       const char *missing)
{
    if (rc == 0)
        return 0;
    if (rc == ERR_NOTFOUND)
        web_reply_error(req, 404, missing);
    else
        web_reply_err(req, err);
    return -1;
}

/* Storage that cannot take the write now: an incident id in the log, a
 * Retry-After and status with message. */
static void reply_retry_later(web_req *req, const errmsg *err, int status,
                              const char *message)
{
    web_incident(req, err->msg);
    web_header_add(req, "Retry-After", "60");
    web_reply_error(req, status, message);
}

void web_reply_err(web_req *req, const errmsg *err)
{
    int status = err_user_status(err->code);

    if (status == 422 && route_is_api(req)) {
        reply_one_problem(req, err->field, err->msg);
        return;
    }
    if (status) {
        web_reply_error(req, status, err->msg);
        return;
    }
    switch (err->code) {
    case ERR_NOSPACE:
        /* 507 Insufficient Storage: the transaction was rolled back. */
        reply_retry_later(req, err, 507,
                          "The server is out of disk space: nothing you sent "
                          "was saved. Try again later.");
        return;
    case ERR_READONLY:
        if (req->cfg && req->cfg->read_only) {
            web_reply_error(req, 503,
                            "This server is read-only: it answers lookups "
                            "from a copy of the database, and nothing can "
                            "be saved here.");
            return;
        }
        reply_retry_later(req, err, 503,
                          "The database cannot be written at the moment: "
                          "nothing you sent was saved. Try again later.");
        return;
    default:
        web_incident(req, err->msg);
        web_reply_error(req, 500,
                        "Something went wrong on our side. Nothing you "
                        "sent was lost if you saw no confirmation: try "
                        "again in a moment.");
    }
}

void web_redirect(web_req *req, const char *location)
{
    /* Only paths on this site: never an open redirect (str.h). */
    if (!str_local_path_ok(location))
        location = "/";
    buf_reset(&req->out);
    web_header_add(req, "Location", location);
    web_reply_type(req, 303, "text/plain; charset=utf-8");
}

cJSON *web_json_body_or_reply(web_req *req)
{
    cJSON *root;
    const char *end = NULL;

    if (!req->content_type || strcmp(req->content_type, "application/json")) {
        web_reply_error(req, 415, "send Content-Type: application/json");
        return NULL;
    }
    if (!str_utf8_valid(buf_cstr(&req->body), req->body.len) ||
        strlen(buf_cstr(&req->body)) != req->body.len) {
        web_reply_error(req, 400, "the body is not valid UTF-8 JSON");
        return NULL;
    }
    root =
        cJSON_ParseWithLengthOpts(buf_cstr(&req->body), req->body.len, &end, 0);
    if (!root) {
        web_reply_error(req, 400, "the body is not valid JSON");
        return NULL;
    }
    return root;
}
