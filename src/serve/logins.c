/* logins.c - the login queue: one thread that runs the throttle check,
 * the password check and the throttle's bookkeeping of suspended login
 * requests in arrival order (logins.h). */
#include "serve/logins.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "serve/ratelimit.h"
#include "util/vec.h"

void login_job_free(struct login_job *job)
{
	if (!job)
		return;
	if (job->password)
		sodium_memzero(job->password, strlen(job->password));
	mlfy_user_release(&job->u);
	MLFY_FREE_ALL(job->user, job->password, job);
}

/* Hands the job's request back to libmicrohttpd. */
static void finish(const struct login_job *job)
{
	MHD_resume_connection(job->r->conn);
}

/* Writes the outcome of a checked password to the shared throttle, in a
 * write transaction of its own: 0, or the store's code (err filled). */
static int record(struct mlfy_server *srv, struct mlfy_store *s, const struct login_job *job, int ok,
		  struct mlfy_err *err)
{
	int rc;

	pthread_mutex_lock(&srv->write_mu);
	if ((rc = mlfy_store_begin(s, err)) ||
	    (rc = rl_record(s, job->user, job->addr, ok, (int64_t)time(NULL), err)) ||
	    (rc = mlfy_store_commit(s, err)))
		mlfy_store_rollback(s);
	pthread_mutex_unlock(&srv->write_mu);
	return rc;
}

/* The throttle, the password check, the throttle's bookkeeping (logins.h). */
static void check(struct mlfy_server *srv, struct mlfy_store *s, struct login_job *job)
{
	struct mlfy_err err;

	mlfy_err_clear(&err);
	if (rl_wait(s, job->user, job->addr, (int64_t)time(NULL), &job->wait, &err)) {
		job->throttle_failed = 1;
		job->err = err;
		return;
	}
	if (job->wait > 0)
		return;
	job->rc = mlfy_users_verify(s, job->user, job->password, &job->u, &job->err);
	if (job->rc != 0 && job->rc != MLFY_EPERM)
		return;
	if (record(srv, s, job, job->rc == 0, &err)) {
		job->throttle_failed = 1;
		job->err = err;
	}
}

static void *login_thread(void *arg)
{
	struct mlfy_server *srv = arg;
	struct logins *q = &srv->logins;

	pthread_setname_np(pthread_self(), "mlfy-login");   /* in top -H, perf, /proc (bench/serve) */
	for (;;) {
		struct login_job *job;
		struct mlfy_store *s;

		pthread_mutex_lock(&q->mu);
		while (!q->head && !q->stop)
			pthread_cond_wait(&q->cv, &q->mu);
		if (q->stop) {
			pthread_mutex_unlock(&q->mu);
			return NULL;
		}
		job = q->head;
		q->head = job->next;
		if (!q->head)
			q->tail = NULL;
		q->n--;
		q->running = job;
		pthread_mutex_unlock(&q->mu);

		mlfy_err_clear(&job->err);
		if ((s = srv_store(srv, &job->err)))
			check(srv, s, job);
		else
			job->rc = job->err.code ? job->err.code : MLFY_ESTORE;
		sodium_memzero(job->password, strlen(job->password));

		pthread_mutex_lock(&q->mu);
		q->running = NULL;
		pthread_mutex_unlock(&q->mu);
		finish(job);
	}
}

int logins_start(struct mlfy_server *srv, struct mlfy_err *err)
{
	struct logins *q = &srv->logins;
	return srv_thread_start(&q->mu, &q->cv, &q->inited, &q->started, &q->th, login_thread, srv,
				"the login thread", err);
}

void logins_stop(struct mlfy_server *srv)
{
	struct logins *q = &srv->logins;
	struct login_job *job, *next;

	if (!q->inited)
		return;
	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_broadcast(&q->cv);
	job = q->head;
	q->head = q->tail = NULL;
	q->n = 0;
	pthread_mutex_unlock(&q->mu);
	if (q->started)
		pthread_join(q->th, NULL);   /* the check in progress resumes its own request */
	q->started = 0;
	for (; job; job = next) {
		next = job->next;
		job->cancelled = 1;
		finish(job);
	}
	/* the lock stays: worker threads may still submit (and be refused)
	 * until libmicrohttpd stops; server.c destroys it after that */
}

int logins_submit(struct req *r, const char *user, const char *password, enum MHD_Result (*done)(struct req *))
{
	struct mlfy_server *srv = r->srv;
	struct logins *q = &srv->logins;
	struct login_job *job, *j;
	unsigned mine = 0;

	if (!(job = calloc(1, sizeof(*job))) || !(job->user = strdup(user)) || !(job->password = strdup(password))) {
		login_job_free(job);
		return -1;
	}
	job->r = r;
	snprintf(job->addr, sizeof(job->addr), "%s", r->addr);

	pthread_mutex_lock(&q->mu);
	for (j = q->head; j; j = j->next)
		mine += !strcmp(j->addr, job->addr);
	if (q->running && !strcmp(q->running->addr, job->addr))
		mine++;
	if (q->stop || q->n >= srv->cfg.login_queue || mine >= srv->cfg.login_per_address) {
		int why = mine >= srv->cfg.login_per_address && !q->stop ? LOGINS_ADDR_FULL : LOGINS_FULL;
		pthread_mutex_unlock(&q->mu);
		login_job_free(job);
		return why;
	}
	/* suspend before the job can be taken: a resume must follow its suspend */
	r->login = job;
	r->resume = done;
	MHD_suspend_connection(r->conn);
	if (q->tail)
		q->tail->next = job;
	else
		q->head = job;
	q->tail = job;
	q->n++;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return 0;
}
