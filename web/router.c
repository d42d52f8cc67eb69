/* router.c: the route tables and dispatch. Each route names the roles
 * allowed (deny by default); the check runs before any handler, and so do
 * the CSRF check of state-changing requests and the content-type check of
 * form posts. Route tables live next to their handlers (routes_*.c) and
 * are listed in route_tables below. */
#include "web_int.h"
#include "mem.h"
#include "str.h"

#include <stdlib.h>
#include <string.h>

extern const web_route web_routes_core[];
extern const web_route web_routes_accounts[];
extern const web_route web_routes_requests[];
extern const web_route web_routes_drift[];
extern const web_route web_routes_catalog[];
extern const web_route web_routes_triage[];
extern const web_route web_routes_admin[];
extern const web_route web_routes_deliveries[];
extern const web_route web_routes_inbox_api[];
extern const web_route web_routes_inbox[];
extern const web_route web_routes_feeds[];
extern const web_route web_routes_feeds_pages[];
extern const web_route web_routes_exchange[];

static const web_route *const route_tables[] = {
    web_routes_core,      web_routes_accounts,
    web_routes_requests,  web_routes_drift,
    web_routes_catalog,   web_routes_triage,
    web_routes_admin,     web_routes_deliveries,
    web_routes_inbox_api, web_routes_inbox,
    web_routes_feeds,     web_routes_feeds_pages,
    web_routes_exchange,  NULL};

/* Matches path against pattern; fills args (heap copies) on success. */
static int match(const char *pattern, const char *path, char **args, int *nargs)
{
    const char *p = pattern, *s = path;
    int n = 0;

    while (*p && *s) {
        if (p[0] == '{' && p[1] == '*') {
            if (n < WEB_MAX_ARGS)
                args[n++] = xstrdup(s);
            s += strlen(s);
            p += strlen(p);
            break;
        }
        if (*p == '{') {
            size_t len = strcspn(s, "/");
            const char *close = strchr(p, '}');
            if (!close || len == 0 || n >= WEB_MAX_ARGS)
                goto fail;
            args[n++] = xstrndup(s, len);
            s += len;
            p = close + 1;
            continue;
        }
        if (*p != *s)
            goto fail;
        p++;
        s++;
    }
    if (*p || *s)
        goto fail;
    *nargs = n;
    return 1;
fail:
    for (int i = 0; i < n; i++) {
        free(args[i]);
        args[i] = NULL;
    }
    return 0;
}

const web_route *const *web_route_tables(void)
{
    return route_tables;
}

static int is_write(const char *method)
{
    return strcmp(method, "GET") && strcmp(method, "HEAD");
}

/* The route for the request's method and path (HEAD as GET); NULL when
 * none, with the methods the path does accept in allow. With args_too,
 * the {id} parts go to req->args. */
static const web_route *route_find(web_req *req, buf *allow, int args_too)
{
    const char *method = !strcmp(req->method, "HEAD") ? "GET" : req->method;

    for (int t = 0; route_tables[t]; t++) {
        for (const web_route *r = route_tables[t]; r->method; r++) {
            char *args[WEB_MAX_ARGS] = {0};
            int nargs = 0;
            if (!match(r->pattern, req->path, args, &nargs))
                continue;
            if (strcmp(r->method, method) != 0) {
                if (!strstr(buf_cstr(allow), r->method)) {
                    if (allow->len)
                        buf_puts(allow, ", ");
                    buf_puts(allow, r->method);
                }
                for (int i = 0; i < nargs; i++)
                    free(args[i]);
                continue;
            }
            if (args_too) {
                memcpy(req->args, args, sizeof args);
                req->nargs = nargs;
            } else {
                for (int i = 0; i < nargs; i++)
                    free(args[i]);
            }
            return r;
        }
    }
    return NULL;
}

/* 405 with Allow, or 404. */
static void reply_no_route(web_req *req, const buf *allow)
{
    if (allow->len) {
        web_header_add(req, "Allow", buf_cstr(allow));
        web_reply_error(req, 405,
                        "This address does not accept that "
                        "method.");
    } else {
        web_reply_error(req, 404, "There is nothing at this address.");
    }
}

/* The user's role may not use route r: 401 (API, or a post), a sign-in
 * redirect (pages), or 403. */
static void reply_role_refused(web_req *req, const web_route *r)
{
    if (req->role == ROLE_ANON) {
        if (r->flags & WEB_JSON || str_startswith(req->path, "/api/")) {
            web_header_add(req, "WWW-Authenticate", "Bearer");
            web_reply_error(req, 401, "Sign in or send a bearer token.");
        } else if (!is_write(req->method)) {
            buf next = {0};
            buf_puts(&next, "/signin?next=");
            buf_append_url(&next, req->path);
            web_redirect(req, buf_cstr(&next));
            buf_dispose(&next);
        } else {
            web_reply_error(req, 401, "Sign in first.");
        }
    } else {
        web_reply_error(req, 403, "Your account may not use this page.");
    }
}

/* A form route takes only form bodies: 0, or 415 and -1. */
static int body_type_ok_or_reply(web_req *req, const web_route *r)
{
    if (!(r->flags & WEB_RAWBODY) &&
        (!req->content_type ||
         (strcmp(req->content_type, "application/x-www-form-urlencoded") &&
          strcmp(req->content_type, "multipart/form-data")))) {
        web_reply_error(req, 415,
                        "send the form as application/x-www-form-"
                        "urlencoded or multipart/form-data");
        return -1;
    }
    return 0;
}

/* The route of the request that its role may use (with its {id} args
 * in req when args_too); NULL after the reply (404, 405, 401, 403 or a
 * sign-in redirect) when there is none. */
static const web_route *route_or_reply(web_req *req, int args_too)
{
    buf allow = {0};
    const web_route *found = route_find(req, &allow, args_too);

    if (!found)
        reply_no_route(req, &allow);
    buf_dispose(&allow);
    if (found && !(found->roles & req->role)) {
        reply_role_refused(req, found);
        found = NULL;
    }
    return found;
}

int web_route_precheck(web_req *req)
{
    const web_route *found = route_or_reply(req, 0);

    if (!found)
        return -1;
    if (is_write(req->method) && body_type_ok_or_reply(req, found) < 0)
        return -1;
    return 0;
}

void web_dispatch(web_req *req)
{
    const web_route *found = route_or_reply(req, 1);

    if (!found)
        return;
    if (web_password_gate_or_reply(req, found) < 0)
        return;
    if (is_write(req->method)) {
        if (body_type_ok_or_reply(req, found) < 0)
            return;
        if (!(found->flags & WEB_NOCSRF) && web_csrf_check_or_reply(req) < 0)
            return;
        if ((found->flags & WEB_NOCSRF) &&
            web_presession_check_or_reply(req) < 0)
            return;
    }
    found->handler(req);
}
