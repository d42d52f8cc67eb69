/* page_triage_int.h: what the pages of a request's life after submission
 * share (page_triage.c with the route table and the migration pages,
 * page_queue.c, page_sprints.c with the dashboard, page_triage_actions.c
 * with their JSON API). The use cases behind the
 * actions are domain/triage_cases.h; the store is registry/triage.h. */
#ifndef DOCKET_WEB_TRIAGE_INT_H
#define DOCKET_WEB_TRIAGE_INT_H

#include "requests_int.h"
#include "triage.h"
#include "triage_cases.h"

/* Creates the current and the next two sprints when missing (a failure
 * is logged: the pages show what is there). */
void triage_sprints_ensure(web_req *req);
/* "3 days", "today": the age of t at now. */
void triage_days_ago(buf *o, int64_t t, int64_t now);
/* 404 "There is no such request." */
void triage_not_found(web_req *req);
/* The request id of the route when the user may see it; 0 after replying
 * (404, or the error of a failed read). */
int64_t triage_visible_id(web_req *req);

/* "CR-4, CR-7" for the ids "4,7" of registry_sprint_table.requests. */
void triage_request_numbers(buf *o, const char *ids);

/* The request page's deploy forms (page_request_extra.c's "What next"):
 * one per instance of list (n, in deploy order) not yet deployed; one
 * that would go ahead of a QA or staging instance asks for the reason
 * (a required field) and says what it goes ahead of. */
void triage_deploy_forms(web_req *req, int64_t id,
                         const registry_request_instance *list, size_t n);

/* A list of tables a sprint changes (<li> per table). */
typedef struct triage_tables_ctx {
    buf *o;
    int n;
    int deployed; /* show deploy state */
} triage_tables_ctx;
void triage_table_li(void *ctx, const registry_sprint_table *t);

/* The handlers of web_routes_triage, by file. The queue (page_queue.c): */
web_handler_fn page_queue, page_queue_csv;
/* Sprints and the board, pages and API (page_sprints.c, also
 * page_dashboard of GET /): */
web_handler_fn page_sprints, page_sprint_board, api_sprints_list,
    api_sprint_get;
/* The HTML actions on a request (page_triage_actions.c): */
web_handler_fn page_transition, page_plan, page_comment, page_edit_form,
    page_edit;
/* Their JSON API (page_triage_actions.c): */
web_handler_fn api_transition, api_comments_list, api_comments_add;
/* The migration preview and downloads (page_triage.c): */
web_handler_fn page_migrations, page_migrations_download, api_migrations;

#endif
