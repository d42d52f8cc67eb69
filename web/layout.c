/* layout.c: the page frame every HTML page shares (head, header with the
 * navigation of the user's role, main, footer), flash messages, and small
 * formatting helpers. All text goes through buf_append_html. */
#include "web_int.h"
#include "mem.h"
#include "str.h"
#include "tmpl.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

typedef struct nav_link {
    const char *href;
    const char *label;
    int roles;
} nav_link;

static const nav_link nav[] = {
    {"/", "Home", ROLE_USER},
    {"/lookup", "Lookup", ROLE_USER},
    {"/requests", "Requests", ROLE_USER},
    {"/requests/new", "New request", ROLE_CLIENT | ROLE_PM | ROLE_ADMIN},
    {"/sprints", "Sprints", ROLE_PM | ROLE_OPS | ROLE_ADMIN},
    {"/tables", "Tables", ROLE_USER},
    {"/changes", "Changes", ROLE_USER},
    {"/admin/users", "Admin", ROLE_ADMIN},
    {NULL, NULL, 0}};

static int nav_current(const char *path, const char *href)
{
    size_t n = strlen(href);

    if (!strcmp(href, "/"))
        return !strcmp(path, "/");
    if (!strcmp(href, "/requests"))
        return !strcmp(path, "/requests") ||
               (str_startswith(path, "/requests/") &&
                strcmp(path, "/requests/new") != 0);
    return !strncmp(path, href, n) && (path[n] == '\0' || path[n] == '/');
}

static void flash_show(web_req *req)
{
    const char *f = web_cookie(req, "docket_flash");
    char *msg;

    if (!f || !*f)
        return;
    msg = xstrdup(f);
    MHD_http_unescape(msg);
    if (str_utf8_valid(msg, strlen(msg))) {
        buf_puts(&req->out, "<div class=\"flash\" role=\"status\">");
        buf_append_html(&req->out, msg);
        buf_puts(&req->out, "</div>");
    }
    free(msg);
    web_header_add(req, "Set-Cookie",
                   "docket_flash=; Path=/; Max-Age=0; SameSite=Lax");
}

void page_flash_set(web_req *req, const char *message)
{
    buf b = {0};

    buf_puts(&b, "docket_flash=");
    buf_append_url(&b, message);
    buf_puts(&b, "; Path=/; Max-Age=60; SameSite=Lax; HttpOnly");
    web_header_add(req, "Set-Cookie", buf_cstr(&b));
    buf_dispose(&b);
}

void page_begin(web_req *req, const char *title)
{
    buf *o = &req->out;

    buf_puts(o, "<!doctype html>\n<html lang=\"en\"><head>"
                "<meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, "
                "initial-scale=1\">"
                "<meta name=\"color-scheme\" content=\"light dark\"><title>");
    if (req->page_template)
        buf_puts(o, TMPL_MARK_TITLE);
    else
        buf_append_html(o, title);
    buf_puts(o, " · docket</title><link rel=\"stylesheet\" href=\"");
    buf_append_html(o, web_asset_url("app.css"));
    buf_puts(o, "\"><link rel=\"icon\" href=\"");
    buf_append_html(o, web_asset_url("icon.svg"));
    buf_puts(o, "\" type=\"image/svg+xml\"><script type=\"module\" src=\"");
    buf_append_html(o, web_asset_url("app.js"));
    buf_puts(o, "\"></script></head><body>"
                "<a class=\"skip\" href=\"#main\">Skip to content</a>"
                "<header class=\"top\"><a class=\"brand\" href=\"/\">"
                "<img class=\"logo\" alt=\"\" width=\"28\" height=\"28\" "
                "src=\"");
    buf_append_html(o, web_asset_url("icon.svg"));
    buf_puts(o, "\">docket</a>");
    if (req->user.id) {
        buf_puts(o, "<nav aria-label=\"Main\"><ul>");
        for (const nav_link *l = nav; l->href; l++) {
            if (!(l->roles & req->role))
                continue;
            buf_puts(o, "<li><a href=\"");
            buf_puts(o, l->href);
            buf_puts(o, "\"");
            if (nav_current(req->path, l->href))
                buf_puts(o, " aria-current=\"page\"");
            buf_puts(o, ">");
            buf_puts(o, l->label);
            buf_puts(o, "</a></li>");
        }
        buf_puts(o, "</ul></nav><div class=\"who\">"
                    "<form class=\"search-mini\" role=\"search\" "
                    "action=\"/search\"><label class=\"sr-only\" "
                    "for=\"q-top\">Search</label><input id=\"q-top\" "
                    "name=\"q\" type=\"search\" placeholder=\"Search "
                    "(press /)\" data-hotkey=\"/\"></form>"
                    "<a href=\"/account\" class=\"me\">");
        if (req->page_template)
            buf_puts(o, TMPL_MARK_USER);
        else
            buf_append_html(o, req->user.name);
        buf_puts(o, " <span class=\"badge role\">");
        buf_append_html(o, req->user.role);
        buf_puts(o, "</span></a><form method=\"post\" action=\"/signout\">");
        page_csrf_input(req);
        buf_puts(o, "<button class=\"link\" type=\"submit\">Sign out"
                    "</button></form></div>");
    }
    buf_puts(o, "</header><main id=\"main\" tabindex=\"-1\">");
    if (!req->page_template)
        flash_show(req);
}

void page_end(web_req *req)
{
    buf_puts(&req->out,
             "</main><footer class=\"foot\"><span>docket " DOCKET_VERSION
             "</span> · <span>times in UTC</span>");
    if (req->user.id)
        buf_puts(&req->out, " · <span>press <kbd>/</kbd> to search</span>");
    buf_puts(&req->out, "</footer></body></html>\n");
    if (!req->status)
        req->status = 200;
    req->reply_type = "text/html; charset=utf-8";
    req->replied = 1;
}

void page_csrf_input(web_req *req)
{
    buf_puts(&req->out, "<input type=\"hidden\" name=\"csrf\" value=\"");
    if (req->page_template)
        buf_puts(&req->out, TMPL_MARK_CSRF);
    else
        buf_append_html(&req->out, req->csrf);
    buf_puts(&req->out, "\">");
}

void page_time(buf *b, int64_t t)
{
    char s[32];

    if (t <= 0) {
        buf_puts(b, "—");
        return;
    }
    time_iso(s, sizeof s, t);
    s[10] = ' ';
    s[16] = '\0';
    buf_puts(b, s);
    buf_puts(b, " UTC");
}
