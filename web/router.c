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
extern const web_route web_routes_catalog[];
extern const web_route web_routes_triage[];
extern const web_route web_routes_admin[];
extern const web_route web_routes_deliveries[];

static const web_route *const route_tables[] = {
    web_routes_core,       web_routes_accounts,
    web_routes_requests,   web_routes_catalog,
    web_routes_triage,     web_routes_admin,
    web_routes_deliveries, NULL};

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

void web_dispatch(web_req *req)
{
    const web_route *found = NULL;
    const char *method = !strcmp(req->method, "HEAD") ? "GET" : req->method;
    buf allow = {0};

    for (int t = 0; route_tables[t] && !found; t++) {
        for (const web_route *r = route_tables[t]; r->method; r++) {
            char *args[WEB_MAX_ARGS] = {0};
            int nargs = 0;
            if (!match(r->pattern, req->path, args, &nargs))
                continue;
            if (strcmp(r->method, method) != 0) {
                if (!strstr(buf_cstr(&allow), r->method)) {
                    if (allow.len)
                        buf_puts(&allow, ", ");
                    buf_puts(&allow, r->method);
                }
                for (int i = 0; i < nargs; i++)
                    free(args[i]);
                continue;
            }
            memcpy(req->args, args, sizeof args);
            req->nargs = nargs;
            found = r;
            break;
        }
    }
    if (!found) {
        if (allow.len) {
            web_header_add(req, "Allow", buf_cstr(&allow));
            web_reply_error(req, 405,
                            "This address does not accept that "
                            "method.");
        } else {
            web_reply_error(req, 404, "There is nothing at this address.");
        }
        buf_dispose(&allow);
        return;
    }
    buf_dispose(&allow);
    if (!(found->roles & req->role)) {
        if (req->role == ROLE_ANON) {
            if (found->flags & WEB_JSON || str_startswith(req->path, "/api/")) {
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
        return;
    }
    if (web_password_gate_or_reply(req, found) < 0)
        return;
    if (is_write(req->method)) {
        if (!(found->flags & WEB_RAWBODY) &&
            (!req->content_type ||
             (strcmp(req->content_type, "application/x-www-form-urlencoded") &&
              strcmp(req->content_type, "multipart/form-data")))) {
            web_reply_error(req, 415,
                            "send the form as application/x-www-form-"
                            "urlencoded or multipart/form-data");
            return;
        }
        if (!(found->flags & WEB_NOCSRF) && web_csrf_check_or_reply(req) < 0)
            return;
        if ((found->flags & WEB_NOCSRF) &&
            web_presession_check_or_reply(req) < 0)
            return;
    }
    found->handler(req);
}
