/* commit.c - the committer thread of `mlfy serve`: queued write steps of
 * suspended requests, committed together in one transaction (commit.h). */
#include "serve/commit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* The committer's state (srv->commits). */
struct commits {
	pthread_mutex_t mu;
	pthread_cond_t cv;               /* a job queued, or stop */
	pthread_cond_t freed_cv;         /* a job freed: commits_stop waits for pending == 0 */
	struct commit_job *head, *tail;  /* waiting jobs, oldest first */
	unsigned long pending;           /* jobs submitted and not yet freed */
	unsigned long n_steps, n_commits, n_failed;
	int stop, started, inited, freed_inited;
	pthread_t th;
	struct mlfy_store_step *steps;   /* the committer's batch (COMMIT_BATCH_MAX) */
};

void commit_job_free(struct mlfy_server *srv, struct commit_job *job)
{
	struct commits *c = srv->commits;

	if (!job)
		return;
	if (job->ctx_free)
		job->ctx_free(job->step.ctx);
	free(job);
	pthread_mutex_lock(&c->mu);
	c->pending--;
	pthread_cond_broadcast(&c->freed_cv);
	pthread_mutex_unlock(&c->mu);
}

/* Commits the n jobs of batch (linked, the last one's next NULL) and
 * resumes their connections. */
static void commit_batch(struct mlfy_server *srv, struct commits *c, struct commit_job *batch, size_t n)
{
	struct commit_job *job, *next;
	struct mlfy_store *s;
	struct mlfy_err err;
	size_t i;
	int rc;

	for (i = 0, job = batch; job; job = job->next, i++)
		c->steps[i] = job->step;
	mlfy_err_clear(&err);
	if (!(s = srv_store(srv, &err))) {
		rc = err.code ? err.code : MLFY_ESTORE;
		for (i = 0; i < n; i++) {
			c->steps[i].rc = rc;
			c->steps[i].err = err;
		}
	} else {
		/* the in-process writers queue on write_mu, never in SQLite's
		 * sleeping busy handler (state.h) */
		pthread_mutex_lock(&srv->write_mu);
		rc = mlfy_store_steps(s, c->steps, n, &err);
		pthread_mutex_unlock(&srv->write_mu);
	}
	if (rc)
		srv_log_error(srv, "group commit of %zu writes failed, none stored: %s", n, err.msg);
	pthread_mutex_lock(&c->mu);
	c->n_steps += n;
	c->n_commits++;
	c->n_failed += rc != 0;
	pthread_mutex_unlock(&c->mu);
	for (i = 0, job = batch; job; job = next, i++) {
		next = job->next;   /* the job is the request's once resumed */
		job->next = NULL;
		job->step = c->steps[i];
		MHD_resume_connection(job->r->conn);
	}
}

static void *commit_thread(void *arg)
{
	struct mlfy_server *srv = arg;
	struct commits *c = srv->commits;

	pthread_setname_np(pthread_self(), "mlfy-commit");   /* in top -H, perf, /proc (bench/serve) */
	for (;;) {
		struct commit_job *batch, *last;
		size_t n = 1;

		pthread_mutex_lock(&c->mu);
		while (!c->head && !c->stop)
			pthread_cond_wait(&c->cv, &c->mu);
		if (!c->head) {   /* stopped, and nothing is left to commit */
			pthread_mutex_unlock(&c->mu);
			return NULL;
		}
		/* everything queued, up to COMMIT_BATCH_MAX */
		batch = last = c->head;
		while (last->next && n < COMMIT_BATCH_MAX) {
			last = last->next;
			n++;
		}
		c->head = last->next;
		if (!c->head)
			c->tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&c->mu);
		commit_batch(srv, c, batch, n);
	}
}

int commits_start(struct mlfy_server *srv, struct mlfy_err *err)
{
	struct commits *c;

	if (!(c = calloc(1, sizeof(*c))) || !(c->steps = calloc(COMMIT_BATCH_MAX, sizeof(*c->steps)))) {
		free(c);
		return mlfy_err_oom(err);
	}
	srv->commits = c;
	if (pthread_cond_init(&c->freed_cv, NULL) != 0)
		return mlfy_err_set(err, MLFY_EIO, "cannot create a condition variable for the committer");
	c->freed_inited = 1;
	return srv_thread_start(&c->mu, &c->cv, &c->inited, &c->started, &c->th, commit_thread, srv,
				"the committer thread", err);
}

void commits_stop(struct mlfy_server *srv)
{
	struct commits *c = srv->commits;
	struct timespec until;
	char line[256];

	if (!c || !c->inited)
		return;
	pthread_mutex_lock(&c->mu);
	c->stop = 1;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	if (c->started)
		pthread_join(c->th, NULL);   /* it commits what is queued before it ends */
	c->started = 0;
	/* the resumed requests reply on the worker threads: wait until they
	 * are done, so that stopping libmicrohttpd drops no answer */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&c->mu);
	while (c->pending && pthread_cond_timedwait(&c->freed_cv, &c->mu, &until) != ETIMEDOUT)
		;
	if (c->pending)
		srv_log_error(srv, "group commit: %lu answered writes still not sent after 10 s", c->pending);
	snprintf(line, sizeof(line), "%lu writes in %lu commits (%.1f per commit), %lu commits failed", c->n_steps,
		 c->n_commits, c->n_commits ? (double)c->n_steps / (double)c->n_commits : 0.0, c->n_failed);
	pthread_mutex_unlock(&c->mu);
	if (srv->cfg.log && c->n_commits)
		srv->cfg.log(srv->cfg.log_ctx, "group commit", line);
}

void commits_free(struct mlfy_server *srv)
{
	struct commits *c = srv->commits;

	if (!c)
		return;
	if (c->inited) {
		pthread_cond_destroy(&c->cv);
		pthread_mutex_destroy(&c->mu);
	}
	if (c->freed_inited)
		pthread_cond_destroy(&c->freed_cv);
	free(c->steps);
	free(c);
	srv->commits = NULL;
}

int commit_submit(struct req *r, int (*fn)(struct mlfy_store *, void *, struct mlfy_err *), void *ctx,
		  void (*ctx_free)(void *), enum MHD_Result (*done)(struct req *))
{
	struct commits *c = r->srv->commits;
	struct commit_job *job;

	if (!c || !c->inited)
		return COMMIT_STOPPED;
	if (!(job = calloc(1, sizeof(*job))))
		return -1;
	job->r = r;
	job->step.fn = fn;
	job->step.ctx = ctx;
	job->ctx_free = ctx_free;
	pthread_mutex_lock(&c->mu);
	if (c->stop) {
		pthread_mutex_unlock(&c->mu);
		free(job);
		return COMMIT_STOPPED;
	}
	/* suspend before the job can be taken: a resume must follow its suspend */
	r->commit = job;
	r->resume = done;
	MHD_suspend_connection(r->conn);
	if (c->tail)
		c->tail->next = job;
	else
		c->head = job;
	c->tail = job;
	c->pending++;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	return 0;
}
