/* defer.h: replies that wait for the group-commit writer
 * (registry/writer.h). A handler prepares a submission, hands it over and
 * returns; its connection is suspended (the worker thread serves others)
 * until the batch holding the job is committed, then a continuation
 * replies. Implemented in server.c; used by api_requests.c and
 * page_requests.c through intake_store_defer (requests_int.h). */
#ifndef DOCKET_DEFER_H
#define DOCKET_DEFER_H

#include "web_int.h"
#include "requests.h"

/* Replies for a finished job (job->rc, id, replayed, err set); runs on a
 * worker thread with req->reg set, like a handler. */
typedef void (*web_resume_fn)(web_req *req, registry_job *job, void *ctx);

/* Applies job (prepared with registry_job_init; job->done and ctx are
 * set here) and then calls fn(req, job, ctx) to reply, followed by
 * free_ctx(ctx) (also when the connection went away and fn is skipped).
 * job and everything it borrows must live in ctx or req. The handler
 * returns right after this call without replying. When the writer is
 * stopping the job runs at once on req->reg, and fn still replies on the
 * resumed call. */
void web_defer_job(web_req *req, registry_job *job, web_resume_fn fn, void *ctx,
                   void (*free_ctx)(void *ctx));

#endif
