/* page_catalog_changes.c: the registry change log (GET /changes) and its
 * Atom feed (GET /changes.atom), one entry per change (a request deployed
 * to an instance, an import, a hand edit) with its fields inside, as the
 * card writer words them (domain/card_history.c). */
#include "page_catalog_int.h"
#include "card.h"
#include "mem.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- changes ------------------------------------------------------------ */

/* Reads from/to (YYYY-MM-DD, "to" inclusive) into f; -1 after replying. */
static int changes_filter(web_req *req, registry_history_filter *f)
{
    const char *from = cat_query(req, "from");
    const char *to = cat_query(req, "to");
    const char *inst = cat_query(req, "instance");

    memset(f, 0, sizeof *f);
    f->org_id = cat_org_filter(req);
    if (*inst) {
        if (cat_instance_or_404(req, inst, NULL, NULL) < 0)
            return -1;
        f->instance = inst;
    }
    if (*from && time_parse_iso(&f->from, from) < 0) {
        web_reply_error(req, 422, "from must be a date YYYY-MM-DD");
        return -1;
    }
    if (*to) {
        if (time_parse_iso(&f->to, to) < 0) {
            web_reply_error(req, 422, "to must be a date YYYY-MM-DD");
            return -1;
        }
        if (strlen(to) == 10)
            f->to += 24 * 3600; /* the whole day */
    }
    if (web_query(req, "before"))
        str_to_i64(&f->before_id, web_query(req, "before"));
    return 0;
}

/* The link to the page of changes older than change before_id, with
 * the same filters. */
static void older_link(web_req *req, const registry_history_filter *f,
                       int64_t before_id)
{
    buf *o = &req->out;

    buf_appendf(o, "<p><a href=\"/changes?before=%lld", (long long)before_id);
    if (f->instance) {
        buf_puts(o, "&amp;instance=");
        buf_append_url(o, f->instance);
    }
    if (*cat_query(req, "from")) {
        buf_puts(o, "&amp;from=");
        buf_append_url(o, cat_query(req, "from"));
    }
    if (*cat_query(req, "to")) {
        buf_puts(o, "&amp;to=");
        buf_append_url(o, cat_query(req, "to"));
    }
    buf_puts(o, "\">Older changes</a></p>");
}

/* GET /changes?instance=&from=&to=&before= */
void page_changes(web_req *req)
{
    registry_history_filter f;
    buf list = {0}, *o = &req->out;
    card_html_list hc = {&list, 0, 0, 1};
    cat_inst_list il = {0};
    errmsg err = {0};

    if (changes_filter(req, &f) < 0)
        return;
    f.limit = 50; /* changes, each with its fields */
    if (registry_change_list(req->reg, &f, card_html_change_item, &hc, &err) <
        0) {
        buf_dispose(&list);
        web_reply_err(req, &err);
        return;
    }
    if (registry_instance_list(req->reg, cat_org_filter(req), cat_inst_collect,
                               &il, &err) < 0) {
        free(il.v);
        buf_dispose(&list);
        web_reply_err(req, &err);
        return;
    }
    page_begin(req, "Changes");
    buf_puts(o, "<h1>Registry changes</h1><form class=\"card filters "
                "inline\" method=\"get\" action=\"/changes\"><label>Instance "
                "<select name=\"instance\">");
    web_option(o, "", "all", f.instance);
    for (size_t i = 0; i < il.n; i++)
        web_option(o, il.v[i].name, il.v[i].name, f.instance);
    buf_puts(o, "</select></label><label>From <input type=\"date\" "
                "name=\"from\" value=\"");
    buf_append_html(o, cat_query(req, "from"));
    buf_puts(o, "\"></label><label>To <input type=\"date\" name=\"to\" "
                "value=\"");
    buf_append_html(o, cat_query(req, "to"));
    buf_puts(o, "\"></label><button type=\"submit\">Show</button> "
                "<a href=\"/changes.atom");
    {
        buf qs = {0};
        if (f.instance) {
            buf_puts(&qs, "instance=");
            buf_append_url(&qs, f.instance);
        }
        if (qs.len) {
            buf_puts(o, "?");
            buf_append_html(o, buf_cstr(&qs));
        }
        buf_dispose(&qs);
    }
    buf_puts(o, "\">Atom feed</a></form><section class=\"card\">");
    if (hc.n) {
        buf_puts(o, "<ol class=\"timeline\">");
        buf_append(o, buf_cstr(&list), list.len);
        buf_puts(o, "</ol>");
    } else {
        buf_puts(o, "<p class=\"muted\">No change in this period.</p>");
    }
    if (hc.n == f.limit)
        older_link(req, &f, hc.last_id);
    buf_puts(o, "</section>");
    buf_dispose(&list);
    free(il.v);
    page_end(req);
}

typedef struct atom_ctx {
    buf *o;
    const char *base;
    int n;
} atom_ctx;

/* One change as an Atom entry: its id and link are the change's on
 * /changes, its title the one-line summary, its content the fields. */
static void atom_group(void *ctx, const card_group *g)
{
    atom_ctx *c = ctx;
    buf *o = c->o, html = {0};

    buf_puts(o, "<entry><id>");
    buf_append_html(o, c->base);
    buf_appendf(o, "/changes#change-%lld</id><title>", (long long)g->id);
    buf_append_html(o, g->instance);
    buf_puts(o, ": ");
    card_group_summary(o, g, buf_append_html, NULL, NULL);
    buf_puts(o, "</title><updated>");
    buf_append_html(o, g->at);
    buf_puts(o, "</updated><link rel=\"alternate\" type=\"text/html\" "
                "href=\"");
    buf_append_html(o, c->base);
    buf_appendf(o, "/changes?before=%lld#change-%lld\"/>", (long long)g->id + 1,
                (long long)g->id);
    /* The content is HTML, escaped once more for the XML around it. */
    buf_puts(&html, "<p>");
    card_group_why(&html, g, buf_append_html, NULL);
    buf_puts(&html, "</p>");
    card_html_group_fields(&html, g);
    buf_puts(o, "<content type=\"html\">");
    buf_append_html(o, buf_cstr(&html));
    buf_puts(o, "</content>");
    if (g->request_id > 0) {
        buf_puts(o, "<link rel=\"related\" href=\"");
        buf_append_html(o, c->base);
        buf_appendf(o, "/requests/%lld\"/>", (long long)g->request_id);
    }
    buf_puts(o, "</entry>\n");
    buf_dispose(&html);
    c->n++;
}

static void atom_entry(void *ctx, const registry_change *ch)
{
    card_group_of_change(ch, atom_group, ctx);
}

/* GET /changes.atom: the same list as Atom 1.0 (RFC 4287). */
void page_changes_atom(web_req *req)
{
    registry_history_filter f;
    buf entries = {0}, *o = &req->out;
    atom_ctx ac = {0};
    errmsg err = {0};
    const char *base = req->cfg && req->cfg->base_url ? req->cfg->base_url : "";
    char updated[32];
    int64_t newest = 0;
    size_t blen = strlen(base);
    char *b = xstrdup(base);

    if (blen && b[blen - 1] == '/')
        b[blen - 1] = '\0';
    if (changes_filter(req, &f) < 0) {
        free(b);
        return;
    }
    f.limit = 50;
    ac.o = &entries;
    ac.base = b;
    if (registry_change_list(req->reg, &f, atom_entry, &ac, &err) < 0) {
        free(b);
        buf_dispose(&entries);
        web_reply_err(req, &err);
        return;
    }
    /* The newest entry comes first: its time is the feed's. */
    if (entries.len) {
        const char *u = strstr(buf_cstr(&entries), "<updated>");
        if (u) {
            str_copy(updated, sizeof updated, u + 9);
            updated[20] = '\0';
            newest = 1;
        }
    }
    if (!newest)
        time_iso(updated, sizeof updated, time_now());
    buf_reset(o);
    buf_puts(o, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                "<feed xmlns=\"http://www.w3.org/2005/Atom\">"
                "<title>docket: registry changes");
    if (f.instance) {
        buf_puts(o, " in ");
        buf_append_html(o, f.instance);
    }
    buf_puts(o, "</title><id>");
    buf_append_html(o, b);
    buf_puts(o, "/changes.atom");
    if (f.instance) {
        buf_puts(o, "?instance=");
        buf_append_html(o, f.instance);
    }
    buf_puts(o, "</id><updated>");
    buf_puts(o, updated);
    buf_puts(o, "</updated><author><name>docket</name></author>"
                "<link rel=\"self\" type=\"application/atom+xml\" href=\"");
    buf_append_html(o, b);
    buf_puts(o, "/changes.atom\"/><link rel=\"alternate\" "
                "type=\"text/html\" href=\"");
    buf_append_html(o, b);
    buf_puts(o, "/changes\"/>\n");
    buf_append(o, buf_cstr(&entries), entries.len);
    buf_puts(o, "</feed>\n");
    buf_dispose(&entries);
    free(b);
    web_reply_type(req, 200, "application/atom+xml; charset=utf-8");
}
