/* page_catalog_index.c: the registry index (GET /tables) and the table
 * list of an instance (GET /api/v1/instances/{instance}/tables). */
#include "page_catalog_int.h"
#include "card.h"
#include "mem.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the registry index ------------------------------------------------- */

typedef struct list_ctx {
    web_req *req;
    int n;
} list_ctx;

static void table_row_html(void *ctx, const registry_table_row *t)
{
    list_ctx *c = ctx;
    buf *o = &c->req->out;

    buf_puts(o, "<tr><th scope=\"row\"><a href=\"");
    card_html_href(o, t->instance, t->name);
    buf_puts(o, "\">");
    buf_append_html_ident(o, t->name);
    buf_puts(o, "</a>");
    if (strcmp(t->status, "active")) {
        buf_putc(o, ' ');
        card_html_status_badge(o, t->status);
    }
    /* A table whose rules a database cannot know are all empty (as
       docket adopt leaves them): marked to complete. */
    if (!*t->campaign_dependency && !*t->cadence && !*t->owner)
        buf_puts(o, " <span class=\"badge todo\" title=\"To complete: "
                    "campaign dependency, cadence, owner\">to complete</span>");
    page_wrap(o, "<br><span class=\"muted lines\">", t->description,
              "</span></th><td>");
    card_html_dep_badge(o, card_dep_named(t->campaign_dependency)->dep);
    buf_puts(o, "</td><td>");
    if (*t->expected_arrival) {
        char miss[8];
        buf_append_html(o, t->expected_arrival);
        card_missing_after(miss, t->expected_arrival, t->late_after_minutes);
        if (*miss) {
            buf_puts(o, " <span class=\"muted\">(missing after ");
            buf_puts(o, miss);
            buf_puts(o, ")</span>");
        }
    }
    buf_puts(o, "</td><td>");
    buf_append_html(o, card_choice_label(NULL, "source", t->source));
    buf_puts(o, "</td><td>");
    if (t->consent_relevant)
        buf_puts(o, "<span class=\"badge consent\">consent</span> ");
    if (t->has_pii)
        buf_puts(o, "<span class=\"badge pii\">PII</span>");
    buf_appendf(o, "</td><td>%d</td><td>", t->ncolumns);
    buf_append_html(o, t->owner);
    buf_puts(o, "</td></tr>");
    c->n++;
}

/* "&amp;name=value" (value URL-encoded) unless value is NULL or "". */
static void query_param(buf *o, const char *name, const char *value)
{
    if (!value || !*value)
        return;
    buf_puts(o, "&amp;");
    buf_puts(o, name);
    buf_putc(o, '=');
    buf_append_url(o, value);
}

/* A sortable header cell: <th aria-sort> (on the sorted one) with a link
 * to the index with the current filters and this sort (the other way
 * round when it is the current one). */
static void sort_th(buf *o, const registry_table_filter *f, const char *sort,
                    const char *label)
{
    int cur = !strcmp(f->sort ? f->sort : "name", sort);

    buf_puts(o, "<th scope=\"col\"");
    if (cur)
        buf_puts(o, f->desc ? " aria-sort=\"descending\""
                            : " aria-sort=\"ascending\"");
    buf_puts(o, "><a href=\"/tables?sort=");
    buf_puts(o, sort);
    if (cur && !f->desc)
        buf_puts(o, "&amp;desc=1");
    query_param(o, "instance", f->instance);
    query_param(o, "dependency", f->dependency);
    query_param(o, "consent", f->consent ? "1" : NULL);
    query_param(o, "pii", f->pii ? "1" : NULL);
    query_param(o, "source", f->source);
    query_param(o, "status", f->status);
    buf_puts(o, "\">");
    buf_puts(o, label);
    buf_puts(o, "</a></th>");
}

/* The filters and sort of the index from the query into f (values it
 * does not know are dropped). */
static void index_filter(web_req *req, registry_table_filter *f)
{
    static const char *const sorts[] = {"name",       "instance", "arrival",
                                        "dependency", "columns",  "updated"};
    const char *sort = cat_query(req, "sort");

    f->dependency = cat_query(req, "dependency");
    if (*f->dependency && strcmp(f->dependency, "required") &&
        strcmp(f->dependency, "optional") && strcmp(f->dependency, "none"))
        f->dependency = "";
    f->consent = *cat_query(req, "consent") != '\0';
    f->pii = *cat_query(req, "pii") != '\0';
    f->source = cat_query(req, "source");
    f->status = cat_query(req, "status");
    if (*f->status && strcmp(f->status, "active") &&
        strcmp(f->status, "deprecated"))
        f->status = "";
    f->sort = "name";
    for (size_t i = 0; i < sizeof sorts / sizeof *sorts; i++)
        if (!strcmp(sort, sorts[i]))
            f->sort = sorts[i];
    f->desc = !strcmp(cat_query(req, "desc"), "1");
    f->org_id = cat_org_filter(req);
}

/* The heading and the filter form of the index. */
static void index_form(buf *o, const registry_table_filter *f,
                       const cat_inst_list *il, const char *inst)
{
    buf_puts(o, "<h1>Tables</h1><form class=\"card filters inline\" "
                "method=\"get\" action=\"/tables\" role=\"search\">"
                "<label>Instance <select name=\"instance\">");
    web_option(o, "", "all", inst);
    for (size_t i = 0; i < il->n; i++)
        web_option(o, il->v[i].name, il->v[i].name, inst);
    buf_puts(o, "</select></label><label>Campaign dependency <select "
                "name=\"dependency\">");
    web_option(o, "", "any", f->dependency);
    web_option(o, "required", card_dep(REGISTRY_DEP_REQUIRED)->badge,
               f->dependency);
    web_option(o, "optional", card_dep(REGISTRY_DEP_OPTIONAL)->badge,
               f->dependency);
    web_option(o, "none", card_dep(REGISTRY_DEP_UNSET)->badge, f->dependency);
    buf_puts(o, "</select></label><label>Status <select name=\"status\">");
    web_option(o, "", "any", f->status);
    web_option(o, "active", "active", f->status);
    web_option(o, "deprecated", "deprecated", f->status);
    buf_puts(o, "</select></label><label>Source <input name=\"source\" "
                "size=\"14\" value=\"");
    buf_append_html(o, f->source);
    buf_puts(o, "\"></label><label><input type=\"checkbox\" name=\"consent\" "
                "value=\"1\"");
    if (f->consent)
        buf_puts(o, " checked");
    buf_puts(o, "> consent-relevant</label><label><input type=\"checkbox\" "
                "name=\"pii\" value=\"1\"");
    if (f->pii)
        buf_puts(o, " checked");
    buf_puts(o, "> has PII</label><input type=\"hidden\" name=\"sort\" "
                "value=\"");
    buf_puts(o, f->sort);
    buf_puts(o, "\"><button type=\"submit\">Filter</button></form>");
}

/* The table of the tables of f->instance (or "No table matches."). Their
 * count into *total; 0 or ERR_* (err set). */
static int index_table(web_req *req, const registry_table_filter *f,
                       list_ctx *lc, int64_t *total, errmsg *err)
{
    buf *o = &req->out;
    size_t mark = o->len;

    buf_puts(o, "<div class=\"table-wrap\"><table class=\"table\">"
                "<thead><tr>");
    sort_th(o, f, "name", "Table");
    sort_th(o, f, "dependency", "Campaigns");
    sort_th(o, f, "arrival", "Expected (UTC)");
    buf_puts(o, "<th scope=\"col\">Source</th><th scope=\"col\">"
                "Consent / PII</th>");
    sort_th(o, f, "columns", "Columns");
    buf_puts(o, "<th scope=\"col\">Owner</th></tr></thead><tbody>");
    if (registry_table_list(req->reg, f, table_row_html, lc, total, err) < 0)
        return err->code;
    buf_puts(o, "</tbody></table></div>");
    if (lc->n == 0) {
        buf_truncate(o, mark);
        buf_puts(o, "<p class=\"muted\">No table matches.</p>");
    }
    return 0;
}

/* The section of instance i: its tables, their count and paging links.
 * inst is the instance asked for ("" for all). */
static int index_section(web_req *req, registry_table_filter *f,
                         const registry_instance *i, const char *inst, int page,
                         int64_t *grand, errmsg *err)
{
    enum { per = 200 };
    list_ctx lc = {req, 0};
    int64_t total = 0;
    buf *o = &req->out;

    f->instance = i->name;
    f->limit = *inst ? per : 50;
    f->offset = *inst ? (page - 1) * per : 0;
    buf_puts(o, "<section class=\"card\"><h2><a href=\"/tables?instance=");
    buf_append_url(o, i->name);
    buf_puts(o, "\">");
    buf_append_html(o, i->name);
    buf_puts(o, "</a> <span class=\"muted\">");
    buf_append_html(o, i->environment);
    buf_puts(o, " · ");
    buf_append_html(o, i->org_name);
    buf_puts(o, "</span></h2>");
    if (index_table(req, f, &lc, &total, err) < 0)
        return err->code;
    *grand += total;
    buf_appendf(o, "<p class=\"muted\">%lld table%s", (long long)total,
                total == 1 ? "" : "s");
    if (!*inst && total > lc.n) {
        buf_appendf(o, ", %d shown: <a href=\"/tables?instance=", lc.n);
        buf_append_url(o, i->name);
        buf_puts(o, "\">show all</a>");
    }
    if (*inst && total > (int64_t)page * per) {
        buf_appendf(o, " · <a href=\"/tables?instance=");
        buf_append_url(o, i->name);
        buf_appendf(o, "&amp;sort=%s%s&amp;page=%d\">next page</a>", f->sort,
                    f->desc ? "&amp;desc=1" : "", page + 1);
    }
    buf_puts(o, "</p></section>");
    return 0;
}

/* GET /tables: every visible instance with its tables; filters, sorting,
 * counts. */
void page_tables_index(web_req *req)
{
    registry_table_filter f = {0};
    cat_inst_list il = {0};
    const char *inst = cat_query(req, "instance");
    int page = 1;
    buf *o = &req->out;
    int64_t grand = 0;
    errmsg err = {0};

    index_filter(req, &f);
    if (web_query(req, "page"))
        str_to_int(&page, web_query(req, "page"), 1, 100000);
    if (*inst && cat_instance_or_404(req, inst, NULL, NULL) < 0)
        return;
    if (registry_instance_list(req->reg, cat_org_filter(req), cat_inst_collect,
                               &il, &err) < 0) {
        free(il.v);
        web_reply_err(req, &err);
        return;
    }
    page_begin(req, "Tables");
    index_form(o, &f, &il, inst);
    for (size_t i = 0; i < il.n; i++) {
        if (*inst && str_casecmp(inst, il.v[i].name))
            continue;
        if (index_section(req, &f, &il.v[i], inst, page, &grand, &err) < 0) {
            free(il.v);
            web_reply_err(req, &err);
            return;
        }
    }
    if (il.n == 0)
        buf_puts(o, "<p class=\"muted\">No instance yet.</p>");
    buf_appendf(o, "<p class=\"muted\">%lld table%s in total.</p>",
                (long long)grand, grand == 1 ? "" : "s");
    free(il.v);
    page_end(req);
}

/* GET /api/v1/instances/{instance}/tables?limit=&offset= */
typedef struct api_list_ctx {
    cJSON *arr;
} api_list_ctx;

static void table_row_json(void *ctx, const registry_table_row *t)
{
    const char *const head[] = {"table",
                                t->name,
                                "description",
                                t->description,
                                "kind",
                                t->kind,
                                "status",
                                t->status,
                                "campaign_dependency",
                                t->campaign_dependency,
                                "expected_arrival",
                                t->expected_arrival};
    const char *const rules[] = {
        "source",        t->source, "cadence", t->cadence,   "file_pattern",
        t->file_pattern, "owner",   t->owner,  "escalation", t->escalation};
    api_list_ctx *c = ctx;
    cJSON *o = cJSON_CreateObject();

    cJSON_AddItemToArray(c->arr, o);
    web_json_strings(o, head, sizeof head / sizeof *head / 2);
    cJSON_AddNumberToObject(o, "late_after_minutes", t->late_after_minutes);
    web_json_strings(o, rules, sizeof rules / sizeof *rules / 2);
    cJSON_AddBoolToObject(o, "consent_relevant", t->consent_relevant);
    cJSON_AddBoolToObject(o, "pii", t->has_pii);
    cJSON_AddNumberToObject(o, "columns", t->ncolumns);
    web_json_add_time(o, "updated_at", t->updated_at);
    cat_json_url(o, t->instance, t->name);
}

void api_tables(web_req *req)
{
    const char *inst = req->args[0];
    registry_table_filter f = {0};
    api_list_ctx c;
    cJSON *root;
    errmsg err = {0};
    int64_t total = 0;
    int limit = 500, offset = 0;

    if (cat_instance_or_404(req, inst, NULL, NULL) < 0)
        return;
    if (web_query(req, "limit") &&
        str_to_int(&limit, web_query(req, "limit"), 1, 5000) < 0) {
        web_reply_error(req, 422, "limit must be a number from 1 to 5000");
        return;
    }
    if (web_query(req, "offset") &&
        str_to_int(&offset, web_query(req, "offset"), 0, 100000000) < 0) {
        web_reply_error(req, 422, "offset must be a whole number");
        return;
    }
    f.instance = inst;
    f.org_id = cat_org_filter(req);
    f.dependency = web_query(req, "dependency");
    f.consent = web_query(req, "consent") != NULL;
    f.pii = web_query(req, "pii") != NULL;
    f.limit = limit;
    f.offset = offset;
    root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "instance", inst);
    c.arr = cJSON_CreateArray();
    if (registry_table_list(req->reg, &f, table_row_json, &c, &total, &err) <
        0) {
        cJSON_Delete(c.arr);
        cJSON_Delete(root);
        web_reply_err(req, &err);
        return;
    }
    cJSON_AddNumberToObject(root, "total", (double)total);
    cJSON_AddNumberToObject(root, "limit", limit);
    cJSON_AddNumberToObject(root, "offset", offset);
    cJSON_AddItemToObject(root, "tables", c.arr);
    web_reply_json(req, 200, root);
}
