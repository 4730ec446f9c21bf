/* commit.h - group commit of `mlfy serve` (commit.c): the writes that
 * arrive together share one transaction and one COMMIT, so one fsync
 * (synchronous=FULL stays: a reply follows only a durable commit), and
 * none of them holds a worker thread while it waits for the write lock or
 * the disk.
 *
 * A handler parses and checks its request on its worker thread as before,
 * then hands a write step (a function that writes inside an open
 * transaction) to commit_submit, which suspends the request's connection
 * (libmicrohttpd's suspend/resume, as logins.h does) and queues the step.
 * The committer thread, with its own store connection, takes everything
 * queued (at most COMMIT_BATCH_MAX steps), runs it under the server's
 * write lock as one transaction with a savepoint per step
 * (mlfy_store_steps, store/savepoint.h: a step that fails is undone alone
 * and keeps its own answer), commits once, and resumes each connection;
 * libmicrohttpd then calls the handler's done function on a worker thread,
 * which replies from job->step.rc and the step's context.  A failed commit
 * gives every step of the batch the commit's error: nothing is answered
 * as stored that is not.
 *
 * While one batch commits, the next one gathers: under load the batches
 * grow by themselves, with no timer and no added wait when idle.
 */
#ifndef MLFY_SERVE_COMMIT_H
#define MLFY_SERVE_COMMIT_H

#include <microhttpd.h>

#include "serve/state.h"
#include "store/savepoint.h"
#include "util/error.h"

/* Most steps in one transaction: bounds the time one commit holds the
 * write lock (a save step is ~0.1-0.3 ms of SQL). */
#define COMMIT_BATCH_MAX 256

/* One queued write.  Owned by the request (r->commit) from commit_submit
 * until commit_job_free (server.c's completion callback), which also frees
 * ctx with ctx_free. */
struct commit_job {
	struct req *r;                 /* the suspended request */
	struct mlfy_store_step step;   /* fn and ctx in; rc and err once committed (or failed) */
	void (*ctx_free)(void *ctx);   /* frees step.ctx; may be NULL */
	struct commit_job *next;       /* queue link */
};

/* commit_submit's result besides 0: the committer has stopped (the
 * server is shutting down): nothing was queued or suspended, the caller
 * writes on its own thread (under srv->write_mu) as it would without a
 * committer. */
#define COMMIT_STOPPED 1

/* Starts the committer thread.  0, or MLFY_ENOMEM/MLFY_EIO in err. */
int commits_start(struct mlfy_server *srv, struct mlfy_err *err);

/* Stops accepting steps (later submissions get COMMIT_STOPPED), commits
 * every step already queued and resumes its connection, joins the thread,
 * then waits (at most 10 s) until every resumed request has been answered
 * and completed, so that libmicrohttpd can stop after it.  Logs the number
 * of steps and of commits ("group commit: ...").  Safe when commits_start
 * never ran or failed. */
void commits_stop(struct mlfy_server *srv);

/* Frees what commits_stop leaves (the queue's lock and the state); call it
 * after libmicrohttpd stopped.  Accepts a server without a committer. */
void commits_free(struct mlfy_server *srv);

/* Queues fn(store, ctx, err) for the next group commit and suspends r's
 * connection; call it from a request handler and return MHD_YES.  The job
 * (with ctx, freed by ctx_free) belongs to r from here (r->commit).  After
 * the commit (or its failure) the connection is resumed and
 * libmicrohttpd calls the request handler again, which calls done(r)
 * (r->resume); r->commit->step.rc is 0 when fn's writes are committed, fn's
 * own code when fn failed (its writes undone), or the commit's failure.
 * Returns 0, COMMIT_STOPPED, or -1 when out of memory; in those two cases
 * nothing is queued or suspended and ctx stays the caller's. */
int commit_submit(struct req *r, int (*fn)(struct mlfy_store *, void *, struct mlfy_err *), void *ctx,
		  void (*ctx_free)(void *), enum MHD_Result (*done)(struct req *));

/* Frees a job and its context (NULL is fine). */
void commit_job_free(struct mlfy_server *srv, struct commit_job *job);

#endif
