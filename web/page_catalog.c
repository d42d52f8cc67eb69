/* page_catalog.c: registry pages (the table index, rules cards, column
 * history, search, the 3 a.m. lookup, the change log and its Atom feed)
 * and their JSON API: the route table and the helpers the pages share.
 * The pages are in page_catalog_card.c (the rules card, its JSON and its
 * edit form), page_catalog_index.c (/tables), page_catalog_search.c
 * (search and lookup) and page_catalog_changes.c (column history, the
 * change log and its feed). Data comes from registry/catalog.c.
 *
 * Tenant rule: a client only sees instances of its organisation, and any
 * other instance or table answers exactly like a missing one (404). */
#include "page_catalog_int.h"
#include "card.h"
#include "mem.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t cat_org_filter(const web_req *req)
{
    return req->role == ROLE_CLIENT ? req->user.org_id : 0;
}

void cat_not_found(web_req *req, const char *instance, const char *table)
{
    buf m = {0};

    if (table) {
        buf_puts(&m, "There is no table ");
        buf_puts(&m, table);
        buf_puts(&m, " in instance ");
        buf_puts(&m, instance);
        buf_puts(&m, ".");
    } else {
        buf_puts(&m, "There is no instance ");
        buf_puts(&m, instance);
        buf_puts(&m, ".");
    }
    web_reply_error(req, 404, buf_cstr(&m));
    buf_dispose(&m);
}

/* 0 when the user may see instance (its organisation in *org); otherwise
 * replies 404 (also for another organisation's instance) and returns -1. */
int cat_instance_or_404(web_req *req, const char *instance, const char *table,
                        int64_t *org)
{
    errmsg err = {0};
    int64_t o = 0;

    if (registry_instance_org(req->reg, &o, instance, &err) < 0) {
        if (err.code == ERR_NOTFOUND)
            cat_not_found(req, instance, table);
        else
            web_reply_err(req, &err);
        return -1;
    }
    if (cat_org_filter(req) && o != cat_org_filter(req)) {
        cat_not_found(req, instance, table);
        return -1;
    }
    if (org)
        *org = o;
    return 0;
}

/* 1 when the client accepts a gzip body (Accept-Encoding lists gzip or *
 * without q=0). */
int cat_accepts_gzip(web_req *req)
{
    const char *ae = web_header(req, "Accept-Encoding");
    const char *p;

    if (!ae)
        return 0;
    for (p = ae; *p;) {
        size_t n;
        const char *q;
        while (*p == ' ' || *p == ',')
            p++;
        n = strcspn(p, ",;");
        if ((n == 4 && !str_ncasecmp(p, "gzip", 4)) || (n == 1 && *p == '*')) {
            q = p + n;
            while (*q == ' ')
                q++;
            if (*q != ';')
                return 1;
            q++;
            while (*q == ' ')
                q++;
            /* q=0, q=0.0, q=0.00...: refused; anything else accepted. */
            if (str_ncasecmp(q, "q=0", 3) != 0)
                return 1;
            q += 3;
            if (*q == '.')
                q++;
            while (*q == '0')
                q++;
            if (*q != '\0' && *q != ',' && *q != ' ')
                return 1;
        }
        p += n;
        while (*p && *p != ',')
            p++;
    }
    return 0;
}

void cat_inst_collect(void *ctx, const registry_instance *i)
{
    cat_inst_list *l = ctx;

    xgrow(&l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = *i;
}

void cat_json_url(cJSON *o, const char *instance, const char *table)
{
    buf url = {0};

    card_html_href(&url, instance, table);
    cJSON_AddStringToObject(o, "url", buf_cstr(&url));
    buf_dispose(&url);
}

const char *cat_query(web_req *req, const char *name)
{
    const char *v = web_query(req, name);

    return v ? v : "";
}

/* 0 when every named query parameter is valid UTF-8; otherwise replies
 * 400 naming the first bad one and returns -1. The JSON answers echo
 * these values (search) or key a cache with them (lookup). */
int cat_utf8_query_or_400(web_req *req, const char *const *names)
{
    for (; *names; names++) {
        const char *v = web_query(req, *names);
        if (v && !str_utf8_valid(v, strlen(v))) {
            buf m = {0};
            buf_puts(&m, "the query parameter ");
            buf_puts(&m, *names);
            buf_puts(&m, " is not valid UTF-8");
            web_reply_error(req, 400, buf_cstr(&m));
            buf_dispose(&m);
            return -1;
        }
    }
    return 0;
}

const web_route web_routes_catalog[] = {
    {"GET", "/tables", ROLE_USER, 0, page_tables_index},
    {"GET", "/tables/{instance}/{table}", ROLE_USER, 0, page_table_show},
    {"POST", "/tables/{instance}/{table}/edit", ROLE_STAFF, 0, page_table_edit},
    {"GET", "/tables/{instance}/{table}/columns/{column}", ROLE_USER, 0,
     page_column_show},
    {"GET", "/search", ROLE_USER, 0, page_search},
    {"GET", "/lookup", ROLE_USER, 0, page_lookup},
    {"GET", "/changes", ROLE_USER, 0, page_changes},
    {"GET", "/changes.atom", ROLE_USER, 0, page_changes_atom},
    {"GET", "/api/v1/instances/{instance}/tables", ROLE_USER, WEB_JSON,
     api_tables},
    {"GET", "/api/v1/instances/{instance}/tables/{table}", ROLE_USER, WEB_JSON,
     api_table},
    {"GET", "/api/v1/search", ROLE_USER, WEB_JSON, api_search},
    {"GET", "/api/v1/lookup", ROLE_USER, WEB_JSON, api_lookup},
    {NULL, NULL, 0, 0, NULL}};
