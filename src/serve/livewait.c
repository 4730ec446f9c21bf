/* livewait.c - the live view's long poll: the waiting requests and the
 * thread that follows the change sequence for them (livewait.h). */
#include "serve/livewait.h"
#include "serve/http.h"
#include "store/live_input.h"
#include "store/live_watch.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void livewait_free(struct live_waiter *w)
{
	free(w);
}

/* Takes every waiter out of the list whose answer is known (or all when
 * all is 1, with failed/cancelled as given) and resumes it; under mu. */
static void answer(struct live_waits *q, int64_t seq, int all, int failed, int cancelled)
{
	struct live_waiter **pw = &q->head, *w;
	int64_t t = now_ms();

	while ((w = *pw)) {
		int done = all || seq > w->after || t >= w->deadline_ms;
		if (!done) {
			pw = &w->next;
			continue;
		}
		*pw = w->next;
		q->n--;
		w->next = NULL;
		w->seq = seq;
		w->changed = !all && seq > w->after;
		w->failed = failed;
		w->cancelled = cancelled;
		MHD_resume_connection(w->r->conn);
	}
}

static void *watch_thread(void *arg)
{
	struct mlfy_server *srv = arg;
	struct live_waits *q = &srv->waits;
	struct mlfy_live_watch *watch = NULL;
	int64_t seq = 0;

	pthread_mutex_lock(&q->mu);
	while (!q->stop) {
		struct mlfy_err err;
		int rc;

		if (!q->head && watch) {
			/* idle: a PostgreSQL LISTEN whose notifications nobody
			 * reads holds back the server's notification queue, so
			 * the watch is closed once no request has waited for
			 * LIVEWAIT_IDLE_S (a console open keeps one waiting) */
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += LIVEWAIT_IDLE_S;
			pthread_cond_timedwait(&q->cv, &q->mu, &ts);
			if (!q->head && !q->stop) {
				pthread_mutex_unlock(&q->mu);
				mlfy_live_watch_close(watch);
				watch = NULL;
				pthread_mutex_lock(&q->mu);
			}
			continue;
		}
		if (!q->head) {
			pthread_cond_wait(&q->cv, &q->mu);
			continue;
		}
		pthread_mutex_unlock(&q->mu);
		mlfy_err_clear(&err);
		if (watch)
			rc = mlfy_live_watch_wait(watch, LIVEWAIT_TICK_MS, &seq, &err);
		else if (!(rc = mlfy_live_watch_open(srv->project, &watch, &err)))
			rc = mlfy_live_watch_wait(watch, 0, &seq, &err);   /* the sequence as opened */
		if (rc) {
			srv_log_error(srv, "live view watch: %s", err.msg);
			mlfy_live_watch_close(watch);
			watch = NULL;
		}
		pthread_mutex_lock(&q->mu);
		if (rc) {
			struct timespec ts;
			answer(q, seq, 1, 1, 0);
			/* the next waiter tries again, not at once */
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			if (!q->stop)
				pthread_cond_timedwait(&q->cv, &q->mu, &ts);
			continue;
		}
		answer(q, seq, 0, 0, 0);
	}
	answer(q, seq, 1, 0, 1);
	pthread_mutex_unlock(&q->mu);
	mlfy_live_watch_close(watch);
	return NULL;
}

int livewait_start(struct mlfy_server *srv, struct mlfy_err *err)
{
	struct live_waits *q = &srv->waits;
	return srv_thread_start(&q->mu, &q->cv, &q->inited, &q->started, &q->th, watch_thread, srv,
				"the live view's watch thread", err);
}

void livewait_stop(struct mlfy_server *srv)
{
	struct live_waits *q = &srv->waits;

	if (!q->inited)
		return;
	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	if (q->started)
		pthread_join(q->th, NULL);   /* resumes every waiter on its way out */
	q->started = 0;
	pthread_mutex_lock(&q->mu);
	answer(q, 0, 1, 0, 1);           /* none when the thread ran; all when it never started */
	pthread_mutex_unlock(&q->mu);
}

void livewait_destroy(struct mlfy_server *srv)
{
	struct live_waits *q = &srv->waits;
	if (!q->inited)
		return;
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	q->inited = 0;
}

static enum MHD_Result no_change(struct req *r, int64_t seq)
{
	return reply_json(r, 200, json_pack("{sbsI}", "changed", 0, "seq", (json_int_t)seq));
}

/* Back from the watcher (the connection resumed): reply. */
static enum MHD_Result livewait_done(struct req *r)
{
	struct live_waiter *w = r->lwait;
	enum MHD_Result (*fresh)(struct req *) = w->fresh;
	int64_t after = w->after;
	int changed = w->changed, failed = w->failed, cancelled = w->cancelled;

	r->lwait = NULL;
	livewait_free(w);
	if (cancelled)
		return reply_json_hdr(r, 503, json_pack("{sssI}", "error", "the server is stopping; try again",
							"retry_after", (json_int_t)5), "Retry-After", "5");
	if (failed)
		return reply_error(r, 503, "the live view cannot follow the project's changes now; see the server log");
	return changed ? fresh(r) : no_change(r, after);
}

/* A non-negative decimal integer in [0, max], or -1. */
static int64_t parse_num(const char *s, int64_t max)
{
	const char *end = NULL;
	int64_t v = s ? parse_id(s, &end, max) : -1;
	return v >= 0 && end && !*end ? v : -1;
}

enum MHD_Result livewait_begin(struct req *r, enum MHD_Result (*fresh)(struct req *r))
{
	struct mlfy_server *srv = r->srv;
	struct live_waits *q = &srv->waits;
	const char *ws = req_arg(r, "wait");
	int64_t after = parse_num(req_arg(r, "after"), INT64_MAX - 1);
	int64_t wait = ws ? parse_num(ws, LIVEWAIT_MAX_S) : LIVEWAIT_DEFAULT_S;
	int64_t cur = 0;
	struct live_waiter *w;
	struct mlfy_err err;

	if (after < 0)
		return reply_error(r, 400, "after must be a change sequence number (an integer >= 0)");
	if (wait < 0)
		return reply_error(r, 400, "wait must be a number of seconds from 0 to %d", LIVEWAIT_MAX_S);
	mlfy_err_clear(&err);
	if (mlfy_live_max_seq(r->store, &cur, &err))
		return reply_err(r, &err);
	if (cur != after)
		return fresh(r);
	if (!wait)
		return no_change(r, after);
	if (!(w = calloc(1, sizeof(*w))))
		return reply_error(r, 500, "out of memory");
	w->r = r;
	w->after = after;
	w->deadline_ms = now_ms() + wait * 1000;
	w->fresh = fresh;
	pthread_mutex_lock(&q->mu);
	if (q->stop || !q->started || q->n >= LIVEWAIT_MAX) {
		pthread_mutex_unlock(&q->mu);
		free(w);
		return reply_json_hdr(r, 503, json_pack("{sssI}", "error",
				      "too many live views are waiting on this server; try again in a moment",
				      "retry_after", (json_int_t)5), "Retry-After", "5");
	}
	/* suspend before the watcher can see it: a resume must follow its suspend */
	r->lwait = w;
	r->resume = livewait_done;
	MHD_suspend_connection(r->conn);
	w->next = q->head;
	q->head = w;
	q->n++;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return MHD_YES;
}
