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

/* A list of tables a sprint changes (<li> per table). */
typedef struct triage_tables_ctx {
    buf *o;
    int n;
    int deployed; /* show deploy state */
} triage_tables_ctx;
void triage_table_li(void *ctx, const registry_sprint_table *t);

/* The handlers of web_routes_triage, by file. The queue (page_queue.c): */
void page_queue(web_req *req);
void page_queue_csv(web_req *req);
/* Sprints and the board, pages and API (page_sprints.c, also
 * page_dashboard of GET /): */
void page_sprints(web_req *req);
void page_sprint_board(web_req *req);
void api_sprints_list(web_req *req);
void api_sprint_get(web_req *req);
/* The HTML actions on a request (page_triage_actions.c): */
void page_transition(web_req *req);
void page_plan(web_req *req);
void page_comment(web_req *req);
void page_edit_form(web_req *req);
void page_edit(web_req *req);
/* Their JSON API (page_triage_actions.c): */
void api_transition(web_req *req);
void api_comments_list(web_req *req);
void api_comments_add(web_req *req);
/* The migration preview and downloads (page_triage.c): */
void page_migrations(web_req *req);
void page_migrations_download(web_req *req);
void api_migrations(web_req *req);

#endif
