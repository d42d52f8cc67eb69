/* layout.c: the page frame every HTML page shares (head, header with the
 * navigation of the user's role, main, footer), flash messages, and small
 * formatting helpers. All text goes through buf_append_html. */
#include "web_int.h"
#include "mem.h"
#include "page_inbox_int.h"
#include "str.h"
#include "tmpl.h"

#include <assert.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
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
    {"/feeds", "Feeds", ROLE_USER},
    {"/requests", "Requests", ROLE_USER},
    {"/requests/new", "New request", ROLE_AUTHOR},
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

/* The flash cookie is "<expiry>.<mac>.<message>": the message
 * percent-encoded (buf_append_url, so nothing in it can end or split the
 * header), expiry in Unix seconds, and mac the base64url HMAC-SHA256 of
 * "<expiry>.<message>" under a key drawn at random once per process. A
 * crafted or altered cookie, one past its minute and one issued before a
 * restart show nothing. */
#define FLASH_TTL 60 /* seconds */

static unsigned char flash_key[crypto_auth_hmacsha256_KEYBYTES];
static pthread_once_t flash_once = PTHREAD_ONCE_INIT;

static void flash_key_init(void)
{
    if (sodium_init() < 0)
        abort();
    crypto_auth_hmacsha256_keygen(flash_key);
}

char *web_flash_open(const char *v)
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    const char *dot1 = strchr(v, '.');
    const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    const char *mac_end = NULL;
    size_t maclen = 0;
    int64_t exp;
    char *num, *msg = NULL;
    buf signed_part = {0};

    /* Only base64url characters in the MAC: libsodium's decoder takes
       some bytes over 0x7f for '-' or '_', so one cookie would have
       other spellings. */
    if (!dot2 ||
        strspn(dot1 + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                         "0123456789-_") != (size_t)(dot2 - dot1 - 1))
        return NULL;
    num = xstrndup(v, (size_t)(dot1 - v));
    if (str_to_i64(&exp, num) < 0 || exp < time_now() ||
        exp > time_now() + FLASH_TTL + 5 ||
        sodium_base642bin(mac, sizeof mac, dot1 + 1, (size_t)(dot2 - dot1 - 1),
                          NULL, &maclen, &mac_end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        maclen != sizeof mac || mac_end != dot2)
        goto done;
    buf_append(&signed_part, v, (size_t)(dot1 - v) + 1);
    buf_puts(&signed_part, dot2 + 1);
    pthread_once(&flash_once, flash_key_init);
    if (buf_error(&signed_part) ||
        crypto_auth_hmacsha256_verify(
            mac, (const unsigned char *)buf_cstr(&signed_part), signed_part.len,
            flash_key) != 0)
        goto done;
    msg = xstrdup(dot2 + 1);
    MHD_http_unescape(msg);
done:
    free(num);
    buf_dispose(&signed_part);
    return msg;
}

static void flash_show(web_req *req)
{
    const char *f = web_cookie(req, "docket_flash");
    char *msg;

    if (!f || !*f)
        return;
    msg = web_flash_open(f);
    if (msg && str_utf8_valid(msg, strlen(msg))) {
        buf_puts(&req->out, "<div class=\"flash\" role=\"status\">");
        buf_append_html(&req->out, msg);
        buf_puts(&req->out, "</div>");
    }
    free(msg);
    web_header_add(req, "Set-Cookie",
                   "docket_flash=; Path=/; Max-Age=0; SameSite=Lax");
}

char *web_flash_seal(const char *message)
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char mac64[sodium_base64_ENCODED_LEN(
        crypto_auth_hmacsha256_BYTES,
        sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    buf signed_part = {0}, b = {0};
    size_t numlen;

    buf_appendf(&signed_part, "%lld.", (long long)(time_now() + FLASH_TTL));
    numlen = signed_part.len;
    buf_append_url(&signed_part, message);
    pthread_once(&flash_once, flash_key_init);
    crypto_auth_hmacsha256(mac, (const unsigned char *)buf_cstr(&signed_part),
                           signed_part.len, flash_key);
    sodium_bin2base64(mac64, sizeof mac64, mac, sizeof mac,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    buf_append(&b, buf_cstr(&signed_part), numlen);
    buf_puts(&b, mac64);
    buf_putc(&b, '.');
    buf_puts(&b, buf_cstr(&signed_part) + numlen);
    buf_dispose(&signed_part);
    return buf_detach(&b);
}

void page_flash_set(web_req *req, const char *message)
{
    char *value = web_flash_seal(message);
    buf b = {0};

    buf_appendf(&b,
                "docket_flash=%s; Path=/; Max-Age=%d; SameSite=Lax; HttpOnly",
                value, FLASH_TTL);
    web_header_add(req, "Set-Cookie", buf_cstr(&b));
    buf_dispose(&b);
    free(value);
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
                    "(press /)\" data-hotkey=\"/\"></form>");
        /* The unread count is this user's: a hole in a shared page. */
        if (req->page_template)
            buf_puts(o, TMPL_MARK_INBOX);
        else
            page_inbox_link(req, o);
        buf_puts(o, "<a href=\"/account\" class=\"me\">");
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

void page_alert(web_req *req, const char *kind, const char *message)
{
    int error = !strcmp(kind, "error");

    assert(!strcmp(kind, "error") || !strcmp(kind, "success") ||
           !strcmp(kind, "warning"));
    if (!message)
        return;
    buf_puts(&req->out, "<div class=\"alert ");
    buf_puts(&req->out, kind);
    buf_puts(&req->out, error ? "\" role=\"alert\">" : "\" role=\"status\">");
    buf_append_html(&req->out, message);
    buf_puts(&req->out, "</div>");
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

void web_option(buf *o, const char *value, const char *label,
                const char *current)
{
    buf_puts(o, "<option value=\"");
    buf_append_html(o, value);
    buf_puts(o, "\"");
    if (current && !strcmp(value, current))
        buf_puts(o, " selected");
    buf_puts(o, ">");
    buf_append_html(o, label);
    buf_puts(o, "</option>");
}

void page_wrap(buf *o, const char *pre, const char *text, const char *post)
{
    buf_puts(o, pre);
    buf_append_html(o, text);
    buf_puts(o, post);
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
