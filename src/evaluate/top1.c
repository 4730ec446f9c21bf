/* top1.c - top-1 predictions from score matrices (streamed argmax) and from
 * class-index files (see top1.h).  Owns the class arrays it returns; the
 * .npy parsing is util/npy, the text formats ingest/labels. */
#include "evaluate/top1.h"
#include "util/vec.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evaluate/metrics.h"
#include "ingest/labels.h"
#include "util/npy.h"

/* Rows per read: about 1 MiB of scores, so the buffer stays in the L2
 * cache between the kernel's copy and the argmax. */
#define CHUNK_BYTES (1u << 20)

void mlfy_top1_free(struct mlfy_top1 *p)
{
	if (!p)
		return;
	MLFY_FREE_ALL(p->model, p->path, p->cls);
	mlfy_labels_free(p->named);
	free(p);
}

static int has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

/* The error for class v of row (1-based): against [0, n_classes) when the
 * class count is known, else the reason (negative, or beyond an int). */
static int range_error(const struct mlfy_top1 *p, size_t row, long long v, int n_classes,
		       struct mlfy_err *err)
{
	if (n_classes > 0)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: row %zu: class %lld is out of range [0, %d)",
				    p->path, row, v, n_classes);
	return mlfy_err_set(err, MLFY_EINVAL, "%s: row %zu: class %lld is %s", p->path, row, v,
			    v < 0 ? "negative (class indices start at 0)" : "not a class index");
}

static int check_range(struct mlfy_top1 *p, int n_classes, struct mlfy_err *err)
{
	size_t i;
	for (i = 0; i < p->n; i++)
		if (p->cls[i] < 0 || (n_classes > 0 && p->cls[i] >= n_classes))
			return range_error(p, i + 1, p->cls[i], n_classes, err);
	return 0;
}

static int load_scores(struct mlfy_top1 *p, struct mlfy_npy *a, int n_classes,
		       struct mlfy_err *err)
{
	size_t rows = mlfy_npy_rows(a), c = mlfy_npy_row_len(a), chunk, done = 0, got, r;
	int rc = 0;
	void *buf;

	if (c > (size_t)0x7fffffff)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: %zu columns is not a class count",
				    p->path, c);
	if (n_classes > 0 && c != (size_t)n_classes)
		return mlfy_err_set(err, MLFY_EINVAL,
				    "%s: %zu score columns, but there are %d classes", p->path, c,
				    n_classes);
	p->n_classes = (int)c;
	if (a->dtype == MLFY_NPY_U)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: a string array holds no scores", p->path);
	chunk = CHUNK_BYTES / (c * sizeof(double));
	if (chunk < 1)
		chunk = 1;
	if (!(p->cls = malloc((rows ? rows : 1) * sizeof(int))) ||
	    !(buf = malloc(chunk * c * sizeof(double))))
		return mlfy_err_set(err, MLFY_ENOMEM, "%s: out of memory", p->path);
	p->n = rows;
	while (done < rows) {
		if (a->dtype == MLFY_NPY_F8) {
			if ((rc = mlfy_npy_read_rows_f64(a, buf, chunk, &got, err)))
				break;
			for (r = 0; r < got; r++)
				p->cls[done + r] = mlfy_argmax_f64((double *)buf + r * c, c);
		} else {
			/* <f4 straight from disk; other types converted by npy */
			if ((rc = mlfy_npy_read_rows_f32(a, buf, chunk * 2, &got, err)))
				break;
			r = mlfy_argmax_rows_f32(buf, got, c, p->cls + done);
			if (r) {
				rc = mlfy_err_set(err, MLFY_EINVAL,
						  "%s: row %zu holds a NaN or infinite score", p->path,
						  done + r);
				break;
			}
			r = got;
		}
		if (!got) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: ends after %zu of %zu rows", p->path,
					  done, rows);
			break;
		}
		for (r = 0; r < got; r++)
			if (p->cls[done + r] < 0) {
				rc = mlfy_err_set(err, MLFY_EINVAL,
						  "%s: row %zu holds a NaN or infinite score", p->path,
						  done + r + 1);
				break;
			}
		if (rc)
			break;
		done += got;
	}
	free(buf);
	return rc;
}

static int load_index_npy(struct mlfy_top1 *p, struct mlfy_npy *a, int n_classes,
			  struct mlfy_err *err)
{
	int64_t *v = NULL;
	size_t i;
	int rc;

	if (a->dtype == MLFY_NPY_U)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: a string array holds no class indices",
				    p->path);
	if ((rc = mlfy_npy_read_int64(a, &v, err)))
		return rc;
	p->n = a->count;
	if (!(p->cls = malloc((p->n ? p->n : 1) * sizeof(int)))) {
		free(v);
		return mlfy_err_set(err, MLFY_ENOMEM, "%s: out of memory", p->path);
	}
	for (i = 0; i < p->n; i++) {
		if (v[i] < 0 || v[i] > 0x7fffffff || (n_classes > 0 && v[i] >= n_classes)) {
			rc = range_error(p, i + 1, (long long)v[i], n_classes, err);
			break;
		}
		p->cls[i] = (int)v[i];
	}
	free(v);
	return rc;
}

static int load_text(struct mlfy_top1 *p, int n_classes, struct mlfy_err *err)
{
	struct mlfy_labels *l;
	size_t i;
	int rc;

	if ((rc = mlfy_labels_load(p->path, MLFY_LABELS_AUTO, n_classes, &l, err)))
		return rc;
	if (l->format != MLFY_LABELS_SINGLE && l->format != MLFY_LABELS_CSV) {
		rc = mlfy_err_set(err, MLFY_EINVAL,
				  "%s: a %s label file is not a prediction file (expected one class "
				  "index per line, a CSV name,index or a .npy)",
				  p->path, mlfy_labels_format_name(l->format));
		mlfy_labels_free(l);
		return rc;
	}
	p->n = l->n;
	if (!(p->cls = malloc((l->n ? l->n : 1) * sizeof(int)))) {
		mlfy_labels_free(l);
		return mlfy_err_set(err, MLFY_ENOMEM, "%s: out of memory", p->path);
	}
	for (i = 0; i < l->n; i++) {
		size_t k = mlfy_labels_count(l, i);
		if (k != 1) {
			rc = mlfy_err_set(err, MLFY_EINVAL,
					  "%s: image %zu%s%s%s has %zu classes; a prediction file "
					  "holds exactly one top-1 class per image",
					  p->path, i + 1, l->names ? " ('" : "",
					  l->names ? l->names[i] : "", l->names ? "')" : "", k);
			mlfy_labels_free(l);
			return rc;
		}
		p->cls[i] = l->classes[l->offsets[i]];
	}
	if (l->names)
		p->named = l;
	else
		mlfy_labels_free(l);
	return 0;
}

int mlfy_top1_load(const char *model, const char *path, int n_classes,
		   struct mlfy_top1 **out, struct mlfy_err *err)
{
	struct mlfy_top1 *p;
	struct mlfy_npy *a = NULL;
	int rc;

	*out = NULL;
	if (!(p = calloc(1, sizeof(*p))) || !(p->model = strdup(model)) ||
	    !(p->path = strdup(path))) {
		mlfy_top1_free(p);
		return mlfy_err_set(err, MLFY_ENOMEM, "%s: out of memory", path);
	}
	if (has_suffix(path, ".npy") || has_suffix(path, ".NPY")) {
		if ((rc = mlfy_npy_open(path, &a, err)))
			goto fail;
		if (a->ndim == 2 && a->shape[1] > 1) {
			p->kind = MLFY_TOP1_SCORES;
			rc = load_scores(p, a, n_classes, err);
		} else if (a->ndim == 1 || (a->ndim == 2 && a->shape[1] == 1)) {
			p->kind = MLFY_TOP1_INDEX_NPY;
			rc = load_index_npy(p, a, n_classes, err);
		} else {
			rc = mlfy_err_set(err, MLFY_EINVAL,
					  "%s: a %d-d array; expected scores [N, C] or class "
					  "indices [N]",
					  path, a->ndim);
		}
		mlfy_npy_close(a);
	} else {
		p->kind = MLFY_TOP1_INDEX_TEXT;
		rc = load_text(p, n_classes, err);
	}
	if (!rc && p->kind != MLFY_TOP1_SCORES)
		rc = check_range(p, n_classes, err);
	if (rc)
		goto fail;
	*out = p;
	return 0;
fail:
	mlfy_top1_free(p);
	return rc;
}

/* ---- several files at once ------------------------------------------------ */

struct pool {
	struct mlfy_top1_job *jobs;
	size_t n, next;
	int n_classes;
	pthread_mutex_t mu;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void run_job(struct mlfy_top1_job *j, int n_classes)
{
	double t0 = now_s();
	mlfy_err_clear(&j->err);
	j->out = NULL;
	mlfy_top1_load(j->model, j->path, n_classes, &j->out, &j->err);
	j->seconds = now_s() - t0;
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	for (;;) {
		size_t i;
		pthread_mutex_lock(&p->mu);
		i = p->next++;
		pthread_mutex_unlock(&p->mu);
		if (i >= p->n)
			return NULL;
		run_job(&p->jobs[i], p->n_classes);
	}
}

int mlfy_top1_load_many(struct mlfy_top1_job *jobs, size_t n, int n_classes, int threads)
{
	struct pool p = { jobs, n, 0, n_classes, PTHREAD_MUTEX_INITIALIZER };
	pthread_t tid[64];
	int started = 0, i;
	size_t j;

	if (threads > 64)
		threads = 64;
	if ((size_t)threads > n)
		threads = (int)n;
	for (i = 1; i < threads; i++) {
		if (pthread_create(&tid[started], NULL, worker, &p))
			break;   /* fewer threads: the calling thread does the rest */
		started++;
	}
	worker(&p);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	for (j = 0; j < n; j++)
		if (!jobs[j].out)
			return jobs[j].err.code ? jobs[j].err.code : MLFY_EINVAL;
	return 0;
}
