/* page_catalog_int.h: what the registry pages (page_catalog*.c) share:
 * the tenant check, links, the history timeline, small form pieces and
 * the handlers named by the route table in page_catalog.c. */
#ifndef DOCKET_PAGE_CATALOG_INT_H
#define DOCKET_PAGE_CATALOG_INT_H

#include "web_int.h"
#include "catalog.h"

#include <stddef.h>
#include <stdint.h>

/* The organisation a client is limited to; 0 for staff (sees all). */
int64_t cat_org_filter(const web_req *req);
/* Replies 404 "There is no table T in instance I." (table NULL: "There
 * is no instance I."). */
void cat_not_found(web_req *req, const char *instance, const char *table);
/* 0 when the user may see instance (its organisation in *org, which may
 * be NULL); otherwise replies 404 (also for another organisation's
 * instance) or the read error, and returns -1. */
int cat_instance_or_404(web_req *req, const char *instance, const char *table,
                        int64_t *org);
/* 1 when the client accepts a gzip body (Accept-Encoding lists gzip or *
 * without q=0). */
int cat_accepts_gzip(web_req *req);

/* registry_instance_list callback collecting into a growing array. */
typedef struct cat_inst_list {
    registry_instance *v;
    size_t n, cap;
} cat_inst_list;
void cat_inst_collect(void *ctx, const registry_instance *i);

/* Adds "url": "/tables/<instance>/<table>" to o. */
void cat_json_url(cJSON *o, const char *instance, const char *table);
/* The query parameter name, "" when absent. */
const char *cat_query(web_req *req, const char *name);
/* 0 when every named query parameter (NULL-terminated list) is valid
 * UTF-8; otherwise replies 400 naming the first bad one and returns -1. */
int cat_utf8_query_or_400(web_req *req, const char *const *names);

/* The handlers (route table in page_catalog.c). */
web_handler_fn page_table_show, api_table, page_table_edit, page_column_show,
    page_tables_index, api_tables, page_search, api_search, page_lookup,
    api_lookup, page_changes, page_changes_atom;

#endif
