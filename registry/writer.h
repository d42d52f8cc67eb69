/* writer.h: group commit of submissions. One thread with its own
 * connection takes every queued job (registry_job, requests.h), applies
 * them in ONE transaction and commits once, so a batch costs one fsync
 * instead of one per submission; a job that fails is undone alone (a
 * savepoint each). Then it reports each job through its done callback.
 * Implemented in writer.c; web/server.c suspends the HTTP connection meanwhile.
 */
#ifndef DOCKET_WRITER_H
#define DOCKET_WRITER_H

#include "requests.h"

typedef struct registry_writer registry_writer;

/* Opens a connection to the existing database at path and starts the
 * writer thread. *out is set on success; stop with registry_writer_stop.
 * In read-only mode (storage.h) there is no connection and no thread: the
 * writer is stopped from the start, so registry_writer_submit returns
 * ERR_INTERNAL and the caller runs the job itself, which registry_begin
 * refuses with ERR_READONLY. */
int registry_writer_start(registry_writer **out, const char *path, errmsg *err);

/* Queues job (prepared with registry_job_init; job->done must be set).
 * Returns 0 when queued: job->done(job, job->ctx) will then be called
 * exactly once, on the writer thread, after the transaction holding the
 * job was committed (the job's rows are durable) or failed, with job->rc,
 * id, replayed and err set. A job that fails alone (a constraint, an
 * Idempotency-Key conflict, a name that no longer resolves) is rolled back
 * to its savepoint and does not affect the others of its batch; when the
 * transaction itself fails (begin, commit, I/O), every job of the batch
 * gets that error (ERR_DB) and none of it is stored. done must not block:
 * it runs before the next batch starts.
 * Returns ERR_INTERNAL when the writer is stopping or stopped: nothing is
 * queued and done is not called (run the job with registry_job_run). */
int registry_writer_submit(registry_writer *w, registry_job *job);

/* Refuses new jobs (registry_writer_submit returns ERR_INTERNAL from now
 * on), finishes every queued one (their done callbacks run) and stops the
 * thread. The handle stays valid for submit calls until
 * registry_writer_free. NULL does nothing. */
void registry_writer_stop(registry_writer *w);
/* Stops the writer if needed, closes its connection, frees it. */
void registry_writer_free(registry_writer *w);

#endif
