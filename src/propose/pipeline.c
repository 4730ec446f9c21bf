/* pipeline.c - decode workers + in-order inference on the calling thread
 * (see pipeline.h).
 *
 * Invariants (under p->lock): slot s holds batch slots[s].batch, where
 * batch % NSLOTS == s; workers claim item next only once the slot of its
 * batch holds that batch; the consumer recycles slot s to batch + NSLOTS
 * after the callback, and a batch is complete when done == count.
 */
#include "propose/pipeline.h"
#include "util/codec.h"
#include "util/vec.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NSLOTS 3

struct slot {
	size_t batch;          /* batch index held */
	size_t count;          /* items of that batch */
	size_t done;           /* items decoded (or failed) so far */
	float *tensor;         /* batch * tensor_len floats */
	int *ok;
	char **error;          /* malloc'd messages */
	struct mlfy_prep_info *info;
	double decode_cpu;
};

struct pipe {
	const struct mlfy_pipeline_opts *o;
	const struct mlfy_codec *codec;   /* libvips, util/codec.h */
	const char *const *paths;
	size_t n, n_batches, tensor_len;
	pthread_mutex_t lock;
	pthread_cond_t slot_free, batch_done;
	size_t next;           /* next item to claim */
	int abort;
	struct slot slots[NSLOTS];
};

double mlfy_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double thread_cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static size_t batch_count(const struct pipe *p, size_t k)
{
	size_t b = (size_t)p->o->batch, first = k * b;
	if (k >= p->n_batches)
		return 0;
	return p->n - first < b ? p->n - first : b;
}

static void *worker(void *arg)
{
	struct pipe *p = arg;
	size_t b = (size_t)p->o->batch;
	sigset_t set;

	/* signals are for the calling thread */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	pthread_mutex_lock(&p->lock);
	while (!p->abort && p->next < p->n) {
		size_t i = p->next, k = i / b, j = i - k * b;
		struct slot *s = &p->slots[k % NSLOTS];
		struct mlfy_err err;
		double t0;
		int rc;

		if (s->batch != k) {
			pthread_cond_wait(&p->slot_free, &p->lock);
			continue;
		}
		p->next++;
		pthread_mutex_unlock(&p->lock);

		t0 = thread_cpu();
		mlfy_err_clear(&err);
		rc = mlfy_prep_image(p->o->prep, p->paths[i], s->tensor + j * p->tensor_len,
				     &s->info[j], &err);
		if (rc) {
			memset(s->tensor + j * p->tensor_len, 0, p->tensor_len * sizeof(float));
			s->error[j] = strdup(err.msg[0] ? err.msg : mlfy_strstatus(rc));
		}
		s->ok[j] = rc == 0;

		pthread_mutex_lock(&p->lock);
		s->decode_cpu += thread_cpu() - t0;
		if (++s->done == s->count)
			pthread_cond_broadcast(&p->batch_done);
	}
	pthread_mutex_unlock(&p->lock);
	p->codec->thread_done();
	return NULL;
}

static int stop_requested(const struct pipe *p)
{
	return p->o->stop && *p->o->stop;
}

/* Waits until slot s holds a complete batch; 0, or MLFY_EINTR. */
static int wait_batch(struct pipe *p, struct slot *s)
{
	int rc = 0;
	pthread_mutex_lock(&p->lock);
	while (s->done < s->count) {
		struct timespec ts;
		if (stop_requested(p)) {
			rc = MLFY_EINTR;
			break;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&p->batch_done, &p->lock, &ts);
	}
	pthread_mutex_unlock(&p->lock);
	return rc;
}

int mlfy_pipeline_run(const struct mlfy_pipeline_opts *o, const char *const *paths, size_t n,
		      mlfy_batch_cb cb, void *ctx, struct mlfy_pipeline_stats *stats,
		      struct mlfy_err *err)
{
	struct pipe p;
	struct mlfy_pipeline_stats st;
	pthread_t *threads = NULL;
	size_t b, k, i, n_threads = 0, want[2], cap[2], row_len[2], n_want;
	float *logits = NULL, *features = NULL, *dst[2];
	double t_start = mlfy_now(), t;
	int rc = 0, started_threads = 0;

	memset(&st, 0, sizeof(st));
	memset(&p, 0, sizeof(p));
	if (!o || !o->prep || !o->session || o->batch < 1 || o->decode_threads < 1 || !cb ||
	    o->logits_cap < 1)
		return mlfy_err_set(err, MLFY_EINVAL, "pipeline: bad options");
	if (!(p.codec = mlfy_codec(err)))
		return MLFY_EUNSUPPORTED;
	if (n == 0)
		goto out_stats;
	p.codec->set_concurrency(1);

	b = (size_t)o->batch;
	p.o = o;
	p.paths = paths;
	p.n = n;
	p.n_batches = (n + b - 1) / b;
	p.tensor_len = mlfy_prep_tensor_len(o->prep);
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.slot_free, NULL);
	pthread_cond_init(&p.batch_done, NULL);
	for (i = 0; i < NSLOTS; i++) {
		struct slot *s = &p.slots[i];
		s->batch = i;
		s->count = batch_count(&p, i);
		s->tensor = malloc(b * p.tensor_len * sizeof(float));
		s->ok = calloc(b, sizeof(int));
		s->error = calloc(b, sizeof(char *));
		s->info = calloc(b, sizeof(*s->info));
		if (!s->tensor || !s->ok || !s->error || !s->info) {
			rc = mlfy_err_set(err, MLFY_ENOMEM, "out of memory for %zu-image batches", b);
			goto out;
		}
	}
	logits = malloc(b * o->logits_cap * sizeof(float));
	if (o->features_output != MLFY_NO_OUTPUT)
		features = malloc(b * o->features_cap * sizeof(float));
	if (!logits || (o->features_output != MLFY_NO_OUTPUT && !features)) {
		rc = mlfy_err_set(err, MLFY_ENOMEM, "out of memory for model outputs");
		goto out;
	}

	n_threads = (size_t)o->decode_threads;
	if (n_threads > n)
		n_threads = n;
	if (!(threads = calloc(n_threads, sizeof(*threads)))) {
		rc = mlfy_err_oom(err);
		goto out;
	}
	for (i = 0; i < n_threads; i++) {
		int e = pthread_create(&threads[i], NULL, worker, &p);
		if (e) {
			rc = mlfy_err_set(err, MLFY_ENOMEM, "cannot start decode thread: %s", strerror(e));
			goto out;
		}
		started_threads++;
	}

	want[0] = o->logits_output;
	cap[0] = o->logits_cap;
	dst[0] = logits;
	n_want = 1;
	if (features) {
		want[1] = o->features_output;
		cap[1] = o->features_cap;
		dst[1] = features;
		n_want = 2;
	}
	row_len[0] = row_len[1] = 0;

	for (k = 0; k < p.n_batches; k++) {
		struct slot *s = &p.slots[k % NSLOTS];
		struct mlfy_batch_result r;
		size_t run_n, n_ok = 0;

		t = mlfy_now();
		rc = wait_batch(&p, s);
		st.wait += mlfy_now() - t;
		if (rc == 0 && stop_requested(&p))
			rc = MLFY_EINTR;
		if (rc) {
			mlfy_err_set(err, rc, "interrupted after %zu of %zu images", st.items_done, n);
			goto out;
		}
		for (i = 0; i < s->count; i++)
			n_ok += (size_t)s->ok[i];
		run_n = o->pad_batch ? b : s->count;
		if (run_n > s->count)
			memset(s->tensor + s->count * p.tensor_len, 0,
			       (run_n - s->count) * p.tensor_len * sizeof(float));
		if (n_ok > 0) {
			t = mlfy_now();
			rc = mlfy_session_run(o->session, s->tensor, (int64_t)run_n, o->prep->height,
					      o->prep->width, n_want, want, dst, cap, row_len, err);
			st.infer += mlfy_now() - t;
			if (rc)
				goto out;
		}
		memset(&r, 0, sizeof(r));
		r.first = k * b;
		r.n = s->count;
		r.ok = s->ok;
		r.error = (const char *const *)s->error;
		r.info = s->info;
		r.logits = logits;
		r.logits_len = n_ok ? row_len[0] : 0;
		r.features = features;
		r.features_len = features && n_ok ? row_len[1] : 0;
		t = mlfy_now();
		rc = cb(&r, ctx, err);
		st.callback += mlfy_now() - t;
		if (rc)
			goto out;
		st.items_done += s->count;
		st.batches_done++;

		/* recycle the slot for batch k + NSLOTS */
		pthread_mutex_lock(&p.lock);
		for (i = 0; i < s->count; i++) {
			free(s->error[i]);
			s->error[i] = NULL;
			s->ok[i] = 0;
		}
		st.decode_cpu += s->decode_cpu;
		s->decode_cpu = 0;
		s->batch = k + NSLOTS;
		s->count = batch_count(&p, k + NSLOTS);
		s->done = 0;
		pthread_cond_broadcast(&p.slot_free);
		pthread_mutex_unlock(&p.lock);
	}
out:
	if (started_threads) {
		pthread_mutex_lock(&p.lock);
		p.abort = 1;
		pthread_cond_broadcast(&p.slot_free);
		pthread_mutex_unlock(&p.lock);
		for (i = 0; i < (size_t)started_threads; i++)
			pthread_join(threads[i], NULL);
	}
	free(threads);
	for (i = 0; i < NSLOTS; i++) {
		struct slot *s = &p.slots[i];
		size_t j;
		if (s->error)
			for (j = 0; j < b; j++)
				free(s->error[j]);
		st.decode_cpu += s->decode_cpu;
		MLFY_FREE_ALL(s->tensor, s->ok, s->error, s->info);
	}
	MLFY_FREE_ALL(logits, features);
	pthread_cond_destroy(&p.slot_free);
	pthread_cond_destroy(&p.batch_done);
	pthread_mutex_destroy(&p.lock);
out_stats:
	st.wall = mlfy_now() - t_start;
	if (stats)
		*stats = st;
	return rc;
}
