/* page_catalog_search.c: full-text search (GET /search, GET
 * /api/v1/search) and the 3 a.m. lookup (GET /lookup, GET /api/v1/lookup;
 * the suggestions script is static/lookup.js). */
#include "page_catalog_int.h"
#include "card.h"
#include "feeds.h"
#include "feeds_cases.h"
#include "mem.h"
#include "str.h"
#include "cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Text with \x01 / \x02 highlight markers: escaped, markers as <mark>. */
static void append_marked(buf *o, const char *s, int ident)
{
    int open = 0;
    const char *run = s;

    for (;; s++) {
        if (*s == '\x01' || *s == '\x02' || !*s) {
            char *part = xstrndup(run, (size_t)(s - run));
            if (ident)
                buf_append_html_ident(o, part);
            else
                buf_append_html(o, part);
            free(part);
            if (!*s)
                break;
            if (*s == '\x01' && !open) {
                buf_puts(o, "<mark>");
                open = 1;
            } else if (*s == '\x02' && open) {
                buf_puts(o, "</mark>");
                open = 0;
            }
            run = s + 1;
        }
    }
    if (open)
        buf_puts(o, "</mark>");
}

/* The same text without markers (JSON). */
static char *unmarked(const char *s)
{
    char *out = xmalloc(strlen(s) + 1), *p = out;

    for (; *s; s++)
        if (*s != '\x01' && *s != '\x02')
            *p++ = *s;
    *p = '\0';
    return out;
}

/* ---- search ------------------------------------------------------------- */

typedef struct search_ctx {
    buf groups[3]; /* tables, columns, requests */
    int counts[3];
    buf *json; /* API: the reply */
    int njson; /* API: hits written */
} search_ctx;

static void hit_href(buf *o, const registry_search_hit *h)
{
    if (!strcmp(h->kind, "table")) {
        card_html_href(o, h->instance, h->name);
    } else if (!strcmp(h->kind, "column")) {
        card_html_href(o, h->instance, h->table);
        buf_puts(o, "/columns/");
        buf_append_url(o, h->name);
    } else {
        buf_appendf(o, "/requests/%lld", (long long)h->ref);
    }
}

static void search_hit_html(void *ctx, const registry_search_hit *h)
{
    search_ctx *c = ctx;
    int g = !strcmp(h->kind, "table") ? 0 : !strcmp(h->kind, "column") ? 1 : 2;
    buf *o = &c->groups[g];

    buf_puts(o, "<li><a href=\"");
    hit_href(o, h);
    buf_puts(o, "\">");
    if (g == 1) {
        buf_append_html_ident(o, h->table);
        buf_puts(o, ".<wbr>");
    }
    append_marked(o, h->name_hl, g < 2);
    buf_puts(o, "</a> <span class=\"muted\">");
    buf_append_html(o, h->instance);
    buf_puts(o, "</span>");
    if (h->exact)
        buf_puts(o, " <span class=\"badge\">exact</span>");
    if (*h->snippet) {
        buf_puts(o, "<br><span class=\"snippet\">");
        append_marked(o, h->snippet, 0);
        buf_puts(o, "</span>");
    }
    buf_puts(o, "</li>");
    c->counts[g]++;
}

/* ---- paging ------------------------------------------------------------- */

#define SEARCH_PER_PAGE     20  /* hits per page unless per_page says */
#define SEARCH_MAX_PER_PAGE 100 /* the most per_page may ask for */

/* The page ?page= (from 1) and ?per_page= (1..100, default 20) ask for
 * into pg (page and per_page into *page, *per); problems into fe, also a
 * page beyond the first REGISTRY_SEARCH_DEPTH hits. */
static void search_paging(web_req *req, registry_search_page *pg, int *page,
                          int *per, form_errors *fe)
{
    const char *p = web_query(req, "page");
    const char *n = web_query(req, "per_page");

    *page = 1;
    *per = SEARCH_PER_PAGE;
    if (p && *p && str_to_int(page, p, 1, REGISTRY_SEARCH_DEPTH) < 0)
        form_errors_add(fe, "page", "must be a whole number from 1");
    if (n && *n && str_to_int(per, n, 1, SEARCH_MAX_PER_PAGE) < 0)
        form_errors_add(fe, "per_page", "must be a whole number from 1 to %d",
                        SEARCH_MAX_PER_PAGE);
    if (!fe->n && (int64_t)*page * *per > REGISTRY_SEARCH_DEPTH)
        form_errors_add(fe, "page",
                        "only the first %d hits can be paged through: add "
                        "words to narrow the search",
                        REGISTRY_SEARCH_DEPTH);
    memset(pg, 0, sizeof *pg);
    pg->offset = (*page - 1) * *per;
    pg->limit = *per;
}

/* The address of page `page` of the search for q (path /search or
 * /api/v1/search); per_page only when it is not the default. amp: the
 * separator, "&amp;" in HTML. */
static void search_href(buf *o, const char *path, const char *q, int page,
                        int per, const char *amp)
{
    buf_puts(o, path);
    buf_puts(o, "?q=");
    buf_append_url(o, q);
    if (page > 1)
        buf_appendf(o, "%spage=%d", amp, page);
    if (per != SEARCH_PER_PAGE)
        buf_appendf(o, "%sper_page=%d", amp, per);
}

/* "Hits 21–40 of 357", previous and next, above and below the hits of a
 * search with more than one page. shown: the hits on this page. */
static void search_pager(buf *o, const char *q, int page, int per,
                         int64_t pages, int64_t total, int shown)
{
    int64_t first = (int64_t)(page - 1) * per + 1;

    if (pages <= 1 && page == 1)
        return;
    buf_puts(o, "<nav class=\"pagination\" aria-label=\"Pages of hits\">"
                "<ul><li><span aria-current=\"page\">");
    if (shown)
        buf_appendf(o, "Hits %lld–%lld of %lld", (long long)first,
                    (long long)(first + shown - 1), (long long)total);
    else
        buf_appendf(o, "Page %d: past the last of %lld hits", page,
                    (long long)total);
    buf_puts(o, "</span></li>");
    if (page > 1) {
        buf_puts(o, "<li><a rel=\"prev\" href=\"");
        search_href(o, "/search", q, page - 1 < pages ? page - 1 : (int)pages,
                    per, "&amp;");
        buf_puts(o, "\">Previous page</a></li>");
    }
    if (page < pages) {
        buf_puts(o, "<li><a rel=\"next\" href=\"");
        search_href(o, "/search", q, page + 1, per, "&amp;");
        buf_puts(o, "\">Next page</a></li>");
    }
    buf_puts(o, "</ul></nav>");
}

/* The number of pages of total hits, at most those paging can reach. */
static int64_t search_pages(int64_t total, int per)
{
    int64_t pages = (total + per - 1) / per;
    int64_t most = REGISTRY_SEARCH_DEPTH / per;

    return pages < most ? pages : most;
}

/* GET /search?q=&page=&per_page= */
void page_search(web_req *req)
{
    static const char *const titles[] = {"Tables", "Columns", "Requests"};
    const char *q = cat_query(req, "q");
    registry_search_page pg;
    form_errors fe = {0};
    search_ctx c;
    errmsg err = {0};
    buf *o = &req->out, pager = {0};
    int page, per;
    int64_t pages;

    search_paging(req, &pg, &page, &per, &fe);
    if (fe.n) {
        char msg[400];
        snprintf(msg, sizeof msg, "%s %s", fe.errs[0].field,
                 fe.errs[0].message);
        form_errors_dispose(&fe);
        web_reply_error(req, 422, msg);
        return;
    }
    memset(&c, 0, sizeof c);
    if (*q && registry_search_paged(req->reg, q, cat_org_filter(req), &pg,
                                    search_hit_html, &c, &err) < 0) {
        for (int g = 0; g < 3; g++)
            buf_dispose(&c.groups[g]);
        web_reply_err(req, &err);
        return;
    }
    pages = search_pages(pg.total, per);
    page_begin(req, "Search");
    buf_puts(o, "<h1>Search</h1><form class=\"card\" role=\"search\" "
                "action=\"/search\"><label for=\"q-search\">Tables, columns "
                "and requests</label><input id=\"q-search\" name=\"q\" "
                "type=\"search\" value=\"");
    buf_append_html(o, q);
    buf_puts(o, "\"> <button type=\"submit\">Search</button></form>");
    buf_reset(&pager);
    if (*q)
        search_pager(&pager, q, page, per, pages, pg.total,
                     c.counts[0] + c.counts[1] + c.counts[2]);
    buf_append(o, buf_cstr(&pager), pager.len);
    for (int g = 0; g < 3; g++) {
        if (!c.counts[g])
            continue;
        /* The count is of every hit of the kind, not only this page's. */
        buf_appendf(o,
                    "<section class=\"card\"><h2>%s <span "
                    "class=\"muted\">(%lld)</span></h2><ul class=\"stack "
                    "results\">",
                    titles[g], (long long)pg.kinds[g]);
        buf_append(o, buf_cstr(&c.groups[g]), c.groups[g].len);
        buf_puts(o, "</ul></section>");
    }
    if (*q && !pg.total)
        buf_puts(o, "<p class=\"muted\">Nothing found. Try the start of a "
                    "name, or fewer words.</p>");
    buf_append(o, buf_cstr(&pager), pager.len);
    buf_dispose(&pager);
    for (int g = 0; g < 3; g++)
        buf_dispose(&c.groups[g]);
    page_end(req);
}

/* The API's answer is written straight into the reply: 50 hits of 8
 * fields as cJSON nodes cost more than the search itself. */
static void search_hit_json(void *ctx, const registry_search_hit *h)
{
    search_ctx *c = ctx;
    buf *o = c->json, b = {0};
    char *plain;

    buf_puts(o, c->njson++ ? ",{\"kind\":" : "{\"kind\":");
    buf_append_json_str(o, h->kind);
    buf_puts(o, ",\"instance\":");
    buf_append_json_str(o, h->instance);
    buf_puts(o, ",\"name\":");
    buf_append_json_str(o, h->name);
    if (!strcmp(h->kind, "column")) {
        buf_puts(o, ",\"table\":");
        buf_append_json_str(o, h->table);
    }
    if (!strcmp(h->kind, "request"))
        buf_appendf(o, ",\"request\":%lld", (long long)h->ref);
    buf_puts(o, h->exact ? ",\"exact\":true" : ",\"exact\":false");
    plain = unmarked(h->snippet);
    buf_puts(o, ",\"snippet\":");
    buf_append_json_str(o, plain);
    free(plain);
    append_marked(&b, h->snippet, 0);
    buf_puts(o, ",\"snippet_html\":");
    buf_append_json_str(o, buf_cstr(&b));
    buf_reset(&b);
    hit_href(&b, h);
    buf_puts(o, ",\"url\":");
    buf_append_json_str(o, buf_cstr(&b));
    buf_putc(o, '}');
    buf_dispose(&b);
}

/* A "next" or "prev" member: the address of page `page`, or null. */
static void api_search_link(buf *o, const char *name, const char *q, int page,
                            int per, int exists)
{
    buf href = {0};

    buf_appendf(o, ",\"%s\":", name);
    if (!exists) {
        buf_puts(o, "null");
        return;
    }
    search_href(&href, "/api/v1/search", q, page, per, "&");
    buf_append_json_str(o, buf_cstr(&href));
    buf_dispose(&href);
}

/* GET /api/v1/search?q=&page=&per_page= */
void api_search(web_req *req)
{
    static const char *const params[] = {"q", NULL};
    const char *q = cat_query(req, "q");
    registry_search_page pg;
    form_errors fe = {0};
    search_ctx c;
    errmsg err = {0};
    int page, per;
    int64_t pages;

    if (cat_utf8_query_or_400(req, params) < 0)
        return;
    search_paging(req, &pg, &page, &per, &fe);
    if (fe.n) {
        web_reply_errors(req, &fe);
        form_errors_dispose(&fe);
        return;
    }
    memset(&c, 0, sizeof c);
    c.json = &req->out;
    buf_reset(&req->out);
    buf_puts(&req->out, "{\"query\":");
    buf_append_json_str(&req->out, q);
    buf_puts(&req->out, ",\"results\":[");
    if (*q && registry_search_paged(req->reg, q, cat_org_filter(req), &pg,
                                    search_hit_json, &c, &err) < 0) {
        buf_reset(&req->out);
        web_reply_err(req, &err);
        return;
    }
    pages = search_pages(pg.total, per);
    buf_appendf(&req->out,
                "],\"total\":%lld,\"kinds\":{\"table\":%lld,\"column\":%lld,"
                "\"request\":%lld},\"page\":%d,\"per_page\":%d,\"pages\":%lld",
                (long long)pg.total, (long long)pg.kinds[0],
                (long long)pg.kinds[1], (long long)pg.kinds[2], page, per,
                (long long)pages);
    api_search_link(&req->out, "prev", q, page - 1, per, page > 1);
    api_search_link(&req->out, "next", q, page + 1, per, page < pages);
    buf_puts(&req->out, "}\n");
    if (buf_error(&req->out)) {
        buf_reset(&req->out);
        err_set(&err, ERR_INTERNAL, "the answer is too large");
        web_reply_err(req, &err);
        return;
    }
    web_reply_type(req, 200, "application/json");
}

/* ---- lookup ------------------------------------------------------------- */

/* Today's state of instance/table for this request's user at `at`:
 * *h holds what td borrows (dispose it). 0 or ERR_* (err set). */
static int hit_today(web_req *req, domain_feed_history *h, feed_today *td,
                     const char *inst, const char *tbl, int64_t at, errmsg *err)
{
    domain_actor who = domain_actor_of(&req->user);
    int rc =
        domain_feed_table_history(req->reg, &who, inst, tbl, at, 1, h, err);

    memset(td, 0, sizeof *td);
    if (rc == 0 && h->tracked)
        *td = domain_feed_today_of(&h->now);
    return rc;
}

/* Adds "today" (domain_feed_today_json) to every hit of the lookup
 * answer text (a JSON array) and writes it into out. The hits are cached
 * with the version of the table names; arrivals and the clock change
 * today's state without changing it, so it is added to every answer,
 * cached or not.
 * 0 or ERR_* (err set). */
static int lookup_with_today(web_req *req, buf *out, const char *text,
                             errmsg *err)
{
    cJSON *arr = cJSON_Parse(text), *h;
    int64_t at = time_now();
    char *s;

    if (!cJSON_IsArray(arr)) {
        cJSON_Delete(arr);
        return err_set(err, ERR_INTERNAL, "the cached lookup is not a list");
    }
    cJSON_ArrayForEach(h, arr)
    {
        const char *inst = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(h, "instance"));
        const char *tbl =
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "table"));
        domain_feed_history fh;
        feed_today td;
        if (!inst || !tbl || hit_today(req, &fh, &td, inst, tbl, at, err) < 0) {
            cJSON_Delete(arr);
            return err->code ? err->code
                             : err_set(err, ERR_INTERNAL, "a hit without name");
        }
        cJSON_AddItemToObject(h, "today", domain_feed_today_json(&td, at));
        domain_feed_history_dispose(&fh);
    }
    s = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    buf_append_utf8(out, s, strlen(s));
    buf_putc(out, '\n');
    cJSON_free(s);
    return 0;
}

typedef struct lookup_ctx {
    cJSON *arr;
    buf *o;
    web_req *req; /* the page: today's state of each hit */
    int n;
    int similar; /* hits are spelling suggestions */
    char first_inst[101], first_table[FORM_MAX_IDENT * 4 + 1];
} lookup_ctx;

static void lookup_hit_json(void *ctx, const registry_lookup_hit *h)
{
    const char *const kv[] = {
        "instance", h->instance, "environment",         h->environment,
        "table",    h->table,    "campaign_dependency", h->campaign_dependency,
        "status",   h->status};
    lookup_ctx *c = ctx;
    cJSON *o = cJSON_CreateObject();

    cJSON_AddItemToArray(c->arr, o);
    web_json_strings(o, kv, sizeof kv / sizeof *kv / 2);
    cJSON_AddBoolToObject(o, "exact", h->exact);
    if (c->similar)
        cJSON_AddTrueToObject(o, "similar");
    cat_json_url(o, h->instance, h->table);
    c->n++;
}

/* 1 unless the caller asks for no close names (similar=0). */
static int lookup_similar_wanted(web_req *req)
{
    const char *v = web_query(req, "similar");

    return !v || strcmp(v, "0") != 0;
}

/* The hits of q for the API into c->arr: names starting with q, else
 * containing q, else (unless similar=0) close to it. 0 or ERR_* (err
 * set). */
static int lookup_json(web_req *req, lookup_ctx *c, const char *q,
                       const char *inst, int limit, errmsg *err)
{
    if (registry_lookup(req->reg, q, REGISTRY_LOOKUP_PREFIX, inst,
                        cat_org_filter(req), limit, lookup_hit_json, c,
                        err) < 0)
        return err->code;
    if (c->n == 0 && registry_lookup(req->reg, q, REGISTRY_LOOKUP_SUBSTRING,
                                     inst, cat_org_filter(req), limit,
                                     lookup_hit_json, c, err) < 0)
        return err->code;
    if (c->n == 0 && lookup_similar_wanted(req)) {
        c->similar = 1;
        if (registry_lookup_similar(req->reg, q, inst, cat_org_filter(req), 3,
                                    limit, lookup_hit_json, c, err) < 0)
            return err->code;
    }
    return 0;
}

/* GET /api/v1/lookup?q=&instance=&limit=&similar=0: table-name
 * suggestions, prefix first, then substring when no name starts with q,
 * then (unless similar=0) close names (a misspelling, also half typed:
 * registry_lookup_similar), marked "similar": true, so that a page can
 * say "Did you mean" while the person types. */
void api_lookup(web_req *req)
{
    static const char *const params[] = {"q", "instance", NULL};
    const char *q = cat_query(req, "q");
    const char *inst = cat_query(req, "instance");
    lookup_ctx c;
    errmsg err = {0};
    int limit = 10;

    int64_t ver, arr, minute = time_now() / 60, org = 0;
    buf key = {0}, hits = {0}, whole = {0};
    int gzip = cat_accepts_gzip(req);
    char *s;

    if (cat_utf8_query_or_400(req, params) < 0)
        return;
    memset(&c, 0, sizeof c);
    if (web_query(req, "limit"))
        str_to_int(&limit, web_query(req, "limit"), 1, 50);
    /* The answer depends only on the table names of the instance asked
       (or of the caller's organisation, or of all), so it is cached with
       their version (registry_lookup_version); the key holds every
       input. */
    ver = registry_lookup_version(req->reg, inst, cat_org_filter(req));
    buf_appendf(&key, "%lld\x1f%d\x1f%d\x1f", (long long)cat_org_filter(req),
                limit, lookup_similar_wanted(req));
    buf_puts(&key, inst);
    buf_putc(&key, '\x1f');
    buf_puts(&key, q);
    buf_reset(&req->out);
    web_header_add(req, "Vary", "Accept-Encoding");
    /* The whole answer, today's state included, is cached too: that state
       changes only with the tables' arrival rules (which bump the names'
       version too, schema step 14), a new arrival (the last arrival's id)
       or the clock, whose due and missing times fall on whole minutes
       (the version is the minute). */
    arr = registry_arrivals_last(req->reg);
    if (ver >= 0 && arr >= 0 && !buf_error(&key)) {
        buf_appendf(&whole, "%lld\x1f%lld\x1f", (long long)ver, (long long)arr);
        buf_puts(&whole, buf_cstr(&key));
    }
    if (whole.len && !buf_error(&whole) &&
        (gzip ? web_cache_get_stored(req->cache, &req->out, &org,
                                     CACHE_LOOKUP_TODAY, "", buf_cstr(&whole),
                                     0, minute)
              : web_cache_get(req->cache, &req->out, &org, CACHE_LOOKUP_TODAY,
                              "", buf_cstr(&whole), 0, minute))) {
        if (gzip)
            web_header_add(req, "Content-Encoding", "gzip");
        web_reply_type(req, 200, "application/json");
        goto done;
    }
    /* The hits are cached; today's state of each is added to every
       answer (lookup_with_today). */
    if (buf_error(&key) || !web_cache_get(req->cache, &hits, &org, CACHE_LOOKUP,
                                          "", buf_cstr(&key), 0, ver)) {
        c.arr = cJSON_CreateArray();
        if (*q && lookup_json(req, &c, q, inst, limit, &err) < 0) {
            cJSON_Delete(c.arr);
            web_reply_err(req, &err);
            goto done;
        }
        s = cJSON_PrintUnformatted(c.arr);
        cJSON_Delete(c.arr);
        /* cJSON copies string bytes unchecked: the answer is valid UTF-8
           whatever the registry holds. */
        buf_append_utf8(&hits, s, strlen(s));
        buf_putc(&hits, '\n');
        cJSON_free(s);
        if (!buf_error(&key) && !buf_error(&hits))
            web_cache_put(req->cache, CACHE_LOOKUP, "", buf_cstr(&key), 0, ver,
                          0, buf_cstr(&hits), hits.len);
    }
    if (lookup_with_today(req, &req->out, buf_cstr(&hits), &err) < 0) {
        buf_reset(&req->out);
        web_reply_err(req, &err);
        goto done;
    }
    if (whole.len && !buf_error(&whole) && !buf_error(&req->out))
        web_cache_put(req->cache, CACHE_LOOKUP_TODAY, "", buf_cstr(&whole), 0,
                      minute, 0, buf_cstr(&req->out), req->out.len);
    web_reply_type(req, 200, "application/json");
done:
    buf_dispose(&key);
    buf_dispose(&hits);
    buf_dispose(&whole);
}

/* <strong>s</strong>, s escaped. */
static void html_wrapped_strong(buf *o, const char *s)
{
    buf_puts(o, "<strong>");
    buf_append_html(o, s);
    buf_puts(o, "</strong>");
}

static void lookup_hit_html(void *ctx, const registry_lookup_hit *h)
{
    lookup_ctx *c = ctx;
    buf *o = c->o;

    if (c->n == 0) {
        str_copy(c->first_inst, sizeof c->first_inst, h->instance);
        str_copy(c->first_table, sizeof c->first_table, h->table);
    }
    buf_puts(o, "<li>");
    card_html_link_open(o, h->instance, h->table);
    html_wrapped_strong(o, h->table);
    buf_puts(o, " <span class=\"muted\">");
    buf_append_html(o, h->instance);
    buf_puts(o, " · ");
    buf_append_html(o, h->environment);
    buf_puts(o, "</span></a> ");
    card_html_dep_badge(o, card_dep_named(h->campaign_dependency)->dep);
    if (c->req) {
        domain_feed_history fh;
        feed_today td;
        errmsg err = {0};
        int64_t at = time_now();
        if (hit_today(c->req, &fh, &td, h->instance, h->table, at, &err) == 0) {
            buf words = {0};
            buf_puts(o, " <span class=\"lookup-today feed-");
            buf_puts(o, td.tracked ? domain_feed_state_name(td.state)
                                   : "not-tracked");
            buf_puts(o, "\">");
            domain_feed_today_text(&words, &td, at);
            buf_append_html(o, buf_cstr(&words));
            buf_puts(o, "</span>");
            buf_dispose(&words);
        }
        domain_feed_history_dispose(&fh);
    }
    buf_puts(o, "</li>");
    c->n++;
}

/* GET /lookup[?q=]: one big box; without JavaScript the form lands here
 * and a single match goes straight to its rules card. */
void page_lookup(web_req *req)
{
    const char *q = cat_query(req, "q");
    buf list = {0};
    lookup_ctx c;
    errmsg err = {0};
    buf *o = &req->out;
    int similar = 0;

    memset(&c, 0, sizeof c);
    c.o = &list;
    c.req = req;
    if (*q) {
        int rc =
            registry_lookup(req->reg, q, REGISTRY_LOOKUP_PREFIX, NULL,
                            cat_org_filter(req), 30, lookup_hit_html, &c, &err);
        if (rc == 0)
            rc = registry_lookup(req->reg, q, REGISTRY_LOOKUP_SUBSTRING, NULL,
                                 cat_org_filter(req), 30, lookup_hit_html, &c,
                                 &err);
        if (rc == 0) {
            rc = registry_lookup_similar(req->reg, q, NULL, cat_org_filter(req),
                                         3, 5, lookup_hit_html, &c, &err);
            similar = rc > 0;
        }
        if (rc < 0) {
            buf_dispose(&list);
            web_reply_err(req, &err);
            return;
        }
        if (c.n == 1 && !similar) {
            buf loc = {0};
            card_html_href(&loc, c.first_inst, c.first_table);
            web_redirect(req, buf_cstr(&loc));
            buf_dispose(&loc);
            buf_dispose(&list);
            return;
        }
    }
    page_begin(req, "Lookup");
    buf_puts(o, "<h1 class=\"sr-only\">Lookup</h1><form class=\"lookup-box\" "
                "method=\"get\" action=\"/lookup\" role=\"search\" "
                "data-lookup><label for=\"lookup-q\">Which table?</label>"
                "<input id=\"lookup-q\" name=\"q\" type=\"search\" "
                "autofocus autocomplete=\"off\" autocapitalize=\"none\" "
                "spellcheck=\"false\" role=\"combobox\" "
                "aria-autocomplete=\"list\" aria-expanded=\"false\" "
                "aria-controls=\"lookup-suggestions\" "
                "placeholder=\"Start typing a table name\" value=\"");
    buf_append_html(o, q);
    buf_puts(o, "\"><p id=\"lookup-status\" class=\"muted\" "
                "aria-live=\"polite\" hidden></p>"
                "<ul id=\"lookup-suggestions\" class=\"suggestions\" "
                "role=\"listbox\" aria-label=\"Matching tables\" hidden>"
                "</ul><p class=\"muted\" id=\"lookup-help\">Type part of a "
                "name, use ↑ ↓ to choose, Enter to open its rules.</p>"
                "<noscript><button type=\"submit\">Look up</button>"
                "</noscript></form>");
    if (*q) {
        if (c.n == 0) {
            buf_puts(o, "<section class=\"card\"><p>No table is called "
                        "anything like <strong>");
            buf_append_html(o, q);
            buf_puts(o, "</strong>. <a href=\"/search?q=");
            buf_append_url(o, q);
            buf_puts(o, "\">Search descriptions and columns</a> instead."
                        "</p></section>");
        } else {
            buf_puts(o, "<section class=\"card\"><h2>");
            buf_puts(o, similar ? "Did you mean" : "Matching tables");
            buf_puts(o, "</h2><ul class=\"stack results\">");
            buf_append(o, buf_cstr(&list), list.len);
            buf_puts(o, "</ul></section>");
        }
    }
    buf_puts(o, "<script type=\"module\" src=\"");
    buf_append_html(o, web_asset_url("lookup.js"));
    buf_puts(o, "\"></script>");
    buf_dispose(&list);
    page_end(req);
}
