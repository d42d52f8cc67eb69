/* page_inbox.c: the inbox in the browser. GET /inbox lists the user's
 * items newest first (50 a page, before=ID for older ones, unread=1 for
 * the unread ones only), each worded by notify_event_text as every
 * channel words it, with why the user got it and a link to what it is
 * about; below, what the user watches and the "also e-mail me" setting.
 * POST /inbox/read marks one item (id) or all (all, up to up_to) read or
 * unread (read=0), POST /inbox/email sets the e-mail, POST /watches
 * starts or stops a watch (kind, ref, on). Each post makes one use case
 * call of domain/inbox_cases.h (which keeps a client to its own
 * organisation: another's thing is a 404 as a missing one) and answers
 * 303 with a flash message. The header's inbox link and the watch button
 * of the request page and the rules card are here too
 * (page_inbox_int.h). The JSON API is api_inbox.c. */
#include "page_inbox_int.h"
#include "card.h"
#include "domain.h"
#include "inbox_cases.h"
#include "mem.h"
#include "notify.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_SIZE 50

static domain_actor actor(const web_req *req)
{
    return domain_actor_of(&req->user);
}

/* ---- pieces other pages show ------------------------------------------- */

void page_inbox_link(web_req *req, buf *o)
{
    buf_puts(o, "<a href=\"/inbox\" class=\"inbox\"");
    if (!strcmp(req->path, "/inbox"))
        buf_puts(o, " aria-current=\"page\"");
    buf_puts(o, ">Inbox");
    if (req->user.unread > 0) {
        if (req->user.unread >= 100)
            buf_puts(o, " <span class=\"count\">99+");
        else
            buf_appendf(o, " <span class=\"count\">%lld",
                        (long long)req->user.unread);
        buf_puts(o, "<span class=\"sr-only\"> unread</span></span>");
    }
    buf_puts(o, "</a>");
}

int page_watch_form(web_req *req, buf *o, registry_watch_kind kind,
                    const char *ref, const char *what, errmsg *err)
{
    domain_actor who = actor(req);
    int on = 0;
    int rc = domain_watching(req->reg, &who, kind, ref, &on, err);

    if (rc < 0)
        return rc;
    buf_puts(o, "<form method=\"post\" action=\"/watches\" class=\"watch\">"
                "<input type=\"hidden\" name=\"csrf\" value=\"");
    buf_append_html(o, req->csrf);
    buf_puts(o, "\"><input type=\"hidden\" name=\"kind\" value=\"");
    buf_puts(o, registry_watch_kind_name(kind));
    buf_puts(o, "\"><input type=\"hidden\" name=\"ref\" value=\"");
    buf_append_html(o, ref);
    buf_puts(o, "\"><input type=\"hidden\" name=\"on\" value=\"");
    buf_puts(o, on ? "0" : "1");
    buf_puts(o, "\"><button type=\"submit\" class=\"button small\">"
                "<span class=\"sr-only\">");
    buf_append_html(o, what);
    buf_puts(o, ": </span>");
    buf_puts(o, on ? "Stop watching" : "Watch");
    buf_puts(o, "</button></form>");
    return 0;
}

/* ---- the list ---------------------------------------------------------- */

/* Why the user got an item, as the page says it. */
static const char *reason_text(const char *reason)
{
    static const char *const names[][2] = {
        {"pm", "You are the PM"},
        {"requester", "You requested it"},
        {"ops", "Ops"},
        {"admin", "Admin"},
        {"watch", "You watch this"},
        {"client", "Your organisation's feed"},
    };

    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(reason, names[i][0]))
            return names[i][1];
    return reason;
}

/* The query of the list being shown, for links and forms: "" or
 * "?unread=1" (with a "&before=" to come when more is 1). */
static void list_href(buf *o, int unread, int64_t before)
{
    buf_puts(o, "/inbox");
    if (before > 0)
        buf_appendf(o, "?before=%lld", (long long)before);
    if (unread)
        buf_puts(o, before > 0 ? "&amp;unread=1" : "?unread=1");
}

/* The hidden fields that bring a mark back to the list being shown. */
static void back_fields(buf *o, int unread)
{
    if (unread)
        buf_puts(o, "<input type=\"hidden\" name=\"unread\" value=\"1\">");
}

static void csrf_field(web_req *req, buf *o)
{
    buf_puts(o, "<input type=\"hidden\" name=\"csrf\" value=\"");
    buf_append_html(o, req->csrf);
    buf_puts(o, "\">");
}

/* One item: headline (a link when the payload names a local page),
 * summary, time and reason, and its mark button. */
static void item_li(web_req *req, const registry_inbox_item *it, int unread)
{
    buf *o = &req->out;
    char *headline = NULL, *summary = NULL, iso[32];
    cJSON *p = cJSON_Parse(it->payload ? it->payload : "{}");
    const cJSON *url = cJSON_GetObjectItemCaseSensitive(p, "url");
    const char *href =
        cJSON_IsString(url) && str_local_path_ok(url->valuestring)
            ? url->valuestring
            : NULL;

    notify_event_text(it->event, it->payload, &headline, &summary);
    buf_puts(o, it->read_at ? "<li class=\"inbox-item\">"
                            : "<li class=\"inbox-item unread\">");
    buf_puts(o, "<div class=\"inbox-text\"><h2 class=\"inbox-title\">");
    if (!it->read_at)
        buf_puts(o, "<span class=\"sr-only\">Unread: </span>");
    if (href) {
        page_wrap(o, "<a href=\"", href, "\">");
        buf_append_html(o, headline);
        buf_puts(o, "</a>");
    } else {
        buf_append_html(o, headline);
    }
    buf_puts(o, "</h2>");
    if (*summary)
        page_wrap(o, "<p class=\"inbox-summary\">", summary, "</p>");
    time_iso(iso, sizeof iso, it->created_at);
    page_wrap(o, "<p class=\"inbox-meta\"><time datetime=\"", iso, "\">");
    page_time(o, it->created_at);
    page_wrap(o, "</time> · <span class=\"reason\">", reason_text(it->reason),
              "</span></p></div>");
    buf_puts(o, "<form method=\"post\" action=\"/inbox/read\" "
                "class=\"inbox-mark\">");
    csrf_field(req, o);
    buf_appendf(o, "<input type=\"hidden\" name=\"id\" value=\"%lld\">",
                (long long)it->id);
    back_fields(o, unread);
    if (it->read_at)
        buf_puts(o, "<input type=\"hidden\" name=\"read\" value=\"0\">"
                    "<button type=\"submit\" class=\"button small\">Mark "
                    "unread</button>");
    else
        buf_puts(o, "<button type=\"submit\" class=\"button small\">Mark "
                    "read</button>");
    buf_puts(o, "</form></li>");
    cJSON_Delete(p);
    free(headline);
    free(summary);
}

/* The heading row: title, and "Mark all read" while anything is unread
 * (up to the newest item shown, so what arrives meanwhile stays new). */
static void list_head(web_req *req, const registry_inbox_item *items, size_t n,
                      int unread, int64_t before)
{
    buf *o = &req->out;

    buf_puts(o, "<div class=\"page-head\"><h1>Inbox</h1>");
    if (req->user.unread > 0) {
        buf_puts(o, "<form method=\"post\" action=\"/inbox/read\" "
                    "class=\"actions\">");
        csrf_field(req, o);
        buf_puts(o, "<input type=\"hidden\" name=\"all\" value=\"1\">");
        if (n > 0 && before == 0)
            buf_appendf(o,
                        "<input type=\"hidden\" name=\"up_to\" "
                        "value=\"%lld\">",
                        (long long)items[0].id);
        back_fields(o, unread);
        buf_puts(o, "<button type=\"submit\">Mark all read</button></form>");
    }
    buf_puts(o, "</div><nav class=\"tabs\" aria-label=\"Show\"><ul><li>"
                "<a href=\"/inbox\"");
    if (!unread)
        buf_puts(o, " aria-current=\"page\"");
    buf_puts(o, ">All</a></li><li><a href=\"/inbox?unread=1\"");
    if (unread)
        buf_puts(o, " aria-current=\"page\"");
    buf_puts(o, ">Unread only</a></li></ul></nav>");
}

/* What an empty list says. */
static void list_empty(buf *o, int unread, int64_t before)
{
    if (before > 0) {
        buf_puts(o, "<div class=\"empty\"><p>No older items.</p><p><a "
                    "href=\"/inbox\">Back to the newest</a></p></div>");
        return;
    }
    if (unread) {
        buf_puts(o, "<div class=\"empty\"><h2>No unread items</h2><p>You "
                    "are all caught up. <a href=\"/inbox\">Show every "
                    "item</a></p></div>");
        return;
    }
    buf_puts(o, "<div class=\"empty\"><h2>Nothing here yet</h2><p>Your "
                "inbox collects what concerns you, as it happens: new "
                "requests and answers for their project manager; questions, "
                "scheduling, deploys and rejections for whoever asked; "
                "scheduled deploys for ops; failed deliveries for "
                "administrators.</p><p>You can also watch a table or a "
                "request: press “Watch” on its page and every change to it "
                "lands here. Start from the "
                "<a href=\"/tables\">tables</a> or the <a "
                "href=\"/requests\">requests</a>.</p></div>");
}

/* Newest and older links under the list. */
static void list_pager(buf *o, const registry_inbox_item *items, size_t n,
                       int more, int unread, int64_t before)
{
    if (!more && before <= 0)
        return;
    buf_puts(o, "<nav class=\"pagination\" aria-label=\"Pages\"><ul>");
    if (before > 0) {
        buf_puts(o, "<li><a href=\"");
        list_href(o, unread, 0);
        buf_puts(o, "\">Newest</a></li>");
    }
    if (more && n > 0) {
        buf_puts(o, "<li><a href=\"");
        list_href(o, unread, items[n - 1].id);
        buf_puts(o, "\">Older items</a></li>");
    }
    buf_puts(o, "</ul></nav>");
}

/* ---- watches and e-mail ------------------------------------------------ */

typedef struct watch_ctx {
    web_req *req;
    int n;
} watch_ctx;

static void watch_li(void *ctx, const registry_watch *w)
{
    watch_ctx *c = ctx;
    buf *o = &c->req->out;
    const char *ref = w->name;
    if (!c->n++)
        buf_puts(o, "<ul class=\"watch-list\">");
    page_wrap(o, "<li><a href=\"", w->path, "\">");
    buf_append_html(o, w->label);
    page_wrap(o, "</a> <span class=\"badge muted\">",
              registry_watch_kind_name(w->kind), "</span>");
    buf_puts(o, "<form method=\"post\" action=\"/watches\" class=\"watch\">");
    csrf_field(c->req, o);
    page_wrap(o, "<input type=\"hidden\" name=\"kind\" value=\"",
              registry_watch_kind_name(w->kind), "\">");
    page_wrap(o, "<input type=\"hidden\" name=\"ref\" value=\"", ref, "\">");
    buf_puts(o, "<input type=\"hidden\" name=\"on\" value=\"0\">"
                "<input type=\"hidden\" name=\"back\" value=\"/inbox\">"
                "<button type=\"submit\" class=\"button small\">Stop "
                "watching<span class=\"sr-only\"> ");
    buf_append_html(o, w->label);
    buf_puts(o, "</span></button></form></li>");
}

static int watch_section(web_req *req, errmsg *err)
{
    domain_actor who = actor(req);
    watch_ctx c = {req, 0};
    int rc;

    buf_puts(&req->out, "<section class=\"card\" aria-labelledby=\"watching\">"
                        "<h2 id=\"watching\">Watching</h2>");
    rc = domain_watch_list(req->reg, &who, watch_li, &c, err);
    if (rc < 0)
        return rc;
    if (c.n)
        buf_puts(&req->out, "</ul>");
    else
        buf_puts(&req->out, "<p class=\"muted\">You watch nothing yet. Open "
                            "a table's rules card or a request and press "
                            "<strong>Watch</strong> to hear of every change "
                            "to it here.</p>");
    buf_puts(&req->out, "</section>");
    return 0;
}

static void mail_choice(buf *o, const char *value, const char *label,
                        const char *current)
{
    page_wrap(o,
              "<label class=\"check\"><input type=\"radio\" "
              "name=\"email\" value=\"",
              value, "\"");
    if (!strcmp(value, current))
        buf_puts(o, " checked");
    page_wrap(o, "> ", label, "</label>");
}

static void mail_section(web_req *req)
{
    buf *o = &req->out;
    int on = registry_inbox_channel() != NULL;
    const char *cur = *req->user.inbox_email ? req->user.inbox_email : "off";

    buf_puts(o, "<section class=\"card\" aria-labelledby=\"mail\"><h2 "
                "id=\"mail\">E-mail</h2><form method=\"post\" "
                "action=\"/inbox/email\" class=\"stack\">");
    csrf_field(req, o);
    buf_puts(o, on ? "<fieldset"
                   : "<fieldset disabled "
                     "aria-describedby=\"mail-off\"");
    buf_puts(o, "><legend>Also e-mail me</legend>");
    mail_choice(o, "off", "No, the inbox is enough", cur);
    mail_choice(o, "each", "Each item, as it happens", cur);
    mail_choice(o, "daily", "A daily digest of unread items", cur);
    buf_puts(o, "</fieldset>");
    if (on)
        buf_puts(o, "<p class=\"help\">E-mail goes to the address you sign "
                    "in with.</p><div class=\"actions\"><button "
                    "type=\"submit\">Save</button></div>");
    else
        buf_puts(o, "<p class=\"help\" id=\"mail-off\">No e-mail is set up "
                    "for the inbox on this server: an administrator can "
                    "name an e-mail channel as <code>inbox_email</code> in "
                    "the <code>[notify]</code> section of the "
                    "configuration.</p>");
    buf_puts(o, "</form></section>");
}

/* ---- handlers ---------------------------------------------------------- */

/* A positive id from a query or form value; 0 when it is not one. */
static int64_t id_of(const char *s)
{
    int64_t v;

    return s && str_to_i64(&v, s) == 0 && v > 0 ? v : 0;
}

/* GET /inbox[?unread=1][&before=ID] */
static void page_inbox(web_req *req)
{
    domain_actor who = actor(req);
    const char *u = web_query(req, "unread");
    int unread = u && !strcmp(u, "1"), more = 0;
    int64_t before = id_of(web_query(req, "before"));
    registry_inbox_item *items = NULL;
    size_t n = 0;
    errmsg err = {0};

    if (domain_inbox_list(req->reg, &who, unread, before, PAGE_SIZE, &items, &n,
                          &more, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    page_begin(req, "Inbox");
    list_head(req, items, n, unread, before);
    if (n) {
        buf_puts(&req->out, "<ol class=\"inbox-list\">");
        for (size_t i = 0; i < n; i++)
            item_li(req, &items[i], unread);
        buf_puts(&req->out, "</ol>");
    } else {
        list_empty(&req->out, unread, before);
    }
    list_pager(&req->out, items, n, more, unread, before);
    registry_inbox_items_free(items, n);
    buf_puts(&req->out, "<div class=\"grid inbox-settings\">");
    if (watch_section(req, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    mail_section(req);
    buf_puts(&req->out, "</div>");
    page_end(req);
}

/* Back to the list the form was on. */
static void back_to_list(web_req *req, const char *msg)
{
    const char *u = web_field_get(req, "unread");

    page_flash_set(req, msg);
    web_redirect(req, u && !strcmp(u, "1") ? "/inbox?unread=1" : "/inbox");
}

/* POST /inbox/read: id=ID, or all=1 (up_to=ID); read=0 marks unread. */
static void page_inbox_read(web_req *req)
{
    domain_actor who = actor(req);
    const char *all_s = web_field_get(req, "all");
    const char *read_s = web_field_get(req, "read");
    int all = all_s && !strcmp(all_s, "1");
    int read = !(read_s && !strcmp(read_s, "0"));
    int64_t id = id_of(web_field_get(req, "id"));
    int64_t up_to = id_of(web_field_get(req, "up_to")), changed = 0;
    errmsg err = {0};

    if (domain_inbox_mark(req->reg, &who, id ? &id : NULL, id ? 1 : 0, all,
                          up_to, read, &changed, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    if (!changed)
        back_to_list(req, "Nothing changed.");
    else if (all)
        back_to_list(req, read ? "All caught up: every item is marked read."
                               : "Every item is marked unread.");
    else
        back_to_list(req, read ? "Marked read." : "Marked unread.");
}

/* POST /inbox/email: email=off|each|daily */
static void page_inbox_email(web_req *req)
{
    domain_actor who = actor(req);
    const char *mode = web_field_get(req, "email");
    errmsg err = {0};

    if (!mode)
        mode = "";
    if (domain_inbox_mail(req->reg, &who, mode, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    page_flash_set(req, !strcmp(mode, "off")
                            ? "Saved: no e-mail, the inbox only."
                        : !strcmp(mode, "each")
                            ? "Saved: each new item is also e-mailed to you."
                            : "Saved: a daily digest of unread items is "
                              "e-mailed to you.");
    web_redirect(req, "/inbox");
}

/* Where a watch form goes back to: the inbox when it came from there,
 * else the page of what it names. */
static void watch_back(web_req *req, registry_watch_kind kind, const char *ref,
                       buf *loc)
{
    const char *back = web_field_get(req, "back");

    if (back && !strcmp(back, "/inbox")) {
        buf_puts(loc, "/inbox");
    } else if (kind == WATCH_REQUEST) {
        buf_appendf(loc, "/requests/%lld",
                    (long long)domain_request_number(ref));
    } else {
        const char *slash = strchr(ref, '/');
        char *inst = xstrndup(ref, (size_t)(slash - ref));
        card_html_href(loc, inst, slash + 1);
        free(inst);
    }
}

/* POST /watches: kind=request|table, ref=12|CR-12|instance/table,
 * on=1|0[, back=/inbox] */
static void page_watch(web_req *req)
{
    domain_actor who = actor(req);
    const char *kind_s = web_field_get(req, "kind");
    const char *ref = web_field_get(req, "ref");
    const char *on_s = web_field_get(req, "on");
    registry_watch_kind kind = registry_watch_kind_parse(kind_s ? kind_s : "");
    int on = !(on_s && !strcmp(on_s, "0")), changed = 0;
    errmsg err = {0};
    buf loc = {0}, msg = {0};

    if (!ref)
        ref = "";
    if (domain_watch(req->reg, &who, kind, ref, on, &changed, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    if (kind == WATCH_REQUEST)
        buf_appendf(&msg, "CR-%lld", (long long)domain_request_number(ref));
    else
        buf_puts(&msg, ref);
    if (on)
        buf_puts(&msg, changed ? ": you are watching it; news of it will "
                                 "come to your inbox."
                               : ": you were watching it already.");
    else
        buf_puts(&msg, changed ? ": you stopped watching it."
                               : ": you were not watching it.");
    page_flash_set(req, buf_cstr(&msg));
    watch_back(req, kind, ref, &loc);
    web_redirect(req, buf_cstr(&loc));
    buf_dispose(&loc);
    buf_dispose(&msg);
}

const web_route web_routes_inbox[] = {
    {"GET", "/inbox", ROLE_USER, 0, page_inbox},
    {"POST", "/inbox/read", ROLE_USER, 0, page_inbox_read},
    {"POST", "/inbox/email", ROLE_USER, 0, page_inbox_email},
    {"POST", "/watches", ROLE_USER, 0, page_watch},
    {NULL, NULL, 0, 0, NULL}};
