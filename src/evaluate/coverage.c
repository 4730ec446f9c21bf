/* coverage.c - proposal coverage counters (see coverage.h).  Pure. */
#include "evaluate/coverage.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/final_labels.h"
#include "store/proposals.h"

int mlfy_coverage_init(struct mlfy_coverage *c, int k_max, int max_count,
		       struct mlfy_err *err)
{
	memset(c, 0, sizeof(*c));
	if (k_max < 1 || k_max > MLFY_COVERAGE_MAX_K)
		return mlfy_err_set(err, MLFY_EINVAL, "proposal count %d is not in [1, %d]", k_max,
				    MLFY_COVERAGE_MAX_K);
	if (max_count < 1 || max_count > MLFY_COVERAGE_MAX_COUNT)
		return mlfy_err_set(err, MLFY_EINVAL, "max label count %d is not in [1, %d]",
				    max_count, MLFY_COVERAGE_MAX_COUNT);
	c->k_max = k_max;
	c->max_count = max_count;
	return 0;
}

int mlfy_coverage_add(struct mlfy_coverage *c, const int *proposals, size_t n_prop,
		      const int *labels, size_t n_labels, struct mlfy_err *err)
{
	/* rank_hist[r]: labels at proposal rank r; worst: the largest rank of
	 * the set (K when a label was not proposed in the top-K) */
	size_t rank_hist[MLFY_COVERAGE_MAX_K + 1] = { 0 };
	size_t i, j, kk = n_prop < (size_t)c->k_max ? n_prop : (size_t)c->k_max;
	size_t worst = 0, cum = 0;
	int b, k;

	for (i = 0; i < n_labels; i++)
		for (j = i + 1; j < n_labels; j++)
			if (labels[i] == labels[j])
				return mlfy_err_set(err, MLFY_EINVAL,
						    "class %d appears twice in a final label set",
						    (int)labels[i]);
	c->n_images++;
	if (n_prop < (size_t)c->k_max)
		c->n_short++;
	if (n_labels == 0)
		return 0;
	c->n_nonempty++;
	c->n_labels += n_labels;
	for (i = 0; i < n_labels; i++) {
		size_t r = (size_t)c->k_max;
		for (j = 0; j < kk; j++)
			if (proposals[j] == labels[i]) {
				r = j;
				break;
			}
		rank_hist[r]++;
		if (r + 1 > worst)
			worst = r + 1;   /* the set is inside the top-k for k >= worst */
	}
	b = n_labels > (size_t)c->max_count ? c->max_count + 1 : (int)n_labels;
	c->count_images[b]++;
	c->count_labels[b] += n_labels;
	for (k = 1; k <= c->k_max; k++) {
		cum += rank_hist[k - 1];
		c->labels_in_top[k] += cum;
		c->count_labels_in_top[b][k] += cum;
		if ((size_t)k >= worst) {
			c->full_in_top[k]++;
			c->count_full_in_top[b][k]++;
		}
	}
	return 0;
}

static double ratio(size_t a, size_t b)
{
	return b ? (double)a / (double)b : NAN;
}

double mlfy_coverage_share(const struct mlfy_coverage *c, int bucket, int k)
{
	if (k < 1 || k > c->k_max || bucket < 0 || bucket > c->max_count + 1)
		return NAN;
	if (bucket == 0)
		return ratio(c->labels_in_top[k], c->n_labels);
	return ratio(c->count_labels_in_top[bucket][k], c->count_labels[bucket]);
}

double mlfy_coverage_outside(const struct mlfy_coverage *c, int bucket)
{
	double s = mlfy_coverage_share(c, bucket, c->k_max);
	return isnan(s) ? s : 1.0 - s;
}

double mlfy_coverage_full(const struct mlfy_coverage *c, int bucket, int k)
{
	if (k < 1 || k > c->k_max || bucket < 0 || bucket > c->max_count + 1)
		return NAN;
	if (bucket == 0)
		return ratio(c->full_in_top[k], c->n_nonempty);
	return ratio(c->count_full_in_top[bucket][k], c->count_images[bucket]);
}

int mlfy_coverage_k_for(const struct mlfy_coverage *c, double target)
{
	int k;
	for (k = 1; k <= c->k_max; k++)
		if (mlfy_coverage_share(c, 0, k) >= target)
			return k;
	return 0;
}

struct walk {
	struct mlfy_coverage *c;
	struct mlfy_store *s;
	int64_t model_id;
	struct mlfy_err *err;
};

static int walk_cb(const struct mlfy_final *f, void *ctx)
{
	struct walk *w = ctx;
	struct mlfy_proposal p[MLFY_COVERAGE_MAX_K];
	int cls[MLFY_COVERAGE_MAX_K];
	size_t n = 0, i;
	int rc;

	if ((rc = mlfy_proposals_get(w->s, f->image_id, w->model_id, p, (size_t)w->c->k_max, &n,
				     w->err)))
		return rc;
	if (!n) {
		w->c->n_no_proposals++;
		return 0;
	}
	for (i = 0; i < n; i++)
		cls[i] = p[i].class_idx;
	if ((rc = mlfy_coverage_add(w->c, cls, n, f->classes, f->n, w->err)))
		return mlfy_err_prefix(w->err, "image '%s'", f->image_name);
	return 0;
}

int mlfy_coverage_from_project(struct mlfy_store *s, const char *model, int k_max,
			       int max_count, struct mlfy_coverage *c, char **model_name,
			       struct mlfy_err *err)
{
	struct mlfy_model m = { 0 };
	struct walk w;
	int rc;

	if (model_name)
		*model_name = NULL;
	if ((rc = mlfy_coverage_init(c, k_max, max_count, err)))
		return rc;
	rc = model ? mlfy_models_find(s, model, &m, err) : mlfy_models_active(s, &m, err);
	if (rc) {
		if (rc == MLFY_ENOTFOUND && !model)
			mlfy_err_set(err, rc, "%s has no proposal model", mlfy_store_path(s));
		return rc;
	}
	w = (struct walk){ c, s, m.id, err };
	rc = mlfy_final_foreach(s, walk_cb, &w, err);
	if (!rc && model_name && !(*model_name = strdup(m.name)))
		rc = mlfy_err_oom(err);
	mlfy_model_release(&m);
	return rc;
}
