/* evaluate.c - scoring several models on one evaluation set and ranking
 * them (see evaluate.h). */
#include "evaluate/evaluate.h"
#include "util/vec.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate/top1.h"

void mlfy_eval_results_release(struct mlfy_eval_results *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->n_models; i++) {
		free(r->models[i].model);  /* NOLINT(clang-analyzer-core.NullDereference): n_models is 0 (memset) until models is allocated */
		free(r->models[i].source);
	}
	MLFY_FREE_ALL(r->models, r->labels);
	memset(r, 0, sizeof(*r));
}

int mlfy_eval_run(const struct mlfy_evalset *es, struct mlfy_top1 *const *preds, size_t n,
		  char *const *order, size_t n_order, int max_count,
		  struct mlfy_eval_results *out, struct mlfy_err *err)
{
	struct mlfy_truth t = mlfy_evalset_truth(es);
	size_t i;
	int rc, max_class = -1;

	memset(out, 0, sizeof(*out));
	if (max_count < 1 || max_count > MLFY_EVAL_MAX_COUNT)
		return mlfy_err_set(err, MLFY_EINVAL, "max label count %d is not in [1, %d]",
				    max_count, MLFY_EVAL_MAX_COUNT);
	if (!(out->labels = strdup(es->source)) ||
	    !(out->models = calloc(n ? n : 1, sizeof(*out->models)))) {
		mlfy_eval_results_release(out);
		return mlfy_err_oom(err);
	}
	out->n_images = es->n;
	out->max_count = max_count;
	out->n_no_original = es->n_no_original;
	for (i = 0; i < es->n; i++) {
		if (es->decided && !es->decided[i])
			out->n_undecided++;
		else if (es->off[i + 1] == es->off[i])
			out->n_empty++;
	}
	/* the largest class the ground truth uses, to catch score files with
	 * too few columns (their predictions could never match it) */
	for (i = 0; i < es->off[es->n]; i++)
		if (es->cls[i] > max_class)
			max_class = es->cls[i];
	for (i = 0; i < es->n; i++)
		if (es->original[i] > max_class)
			max_class = es->original[i];
	for (i = 0; i < n; i++) {
		struct mlfy_model_result *m = &out->models[i];
		int *pred = NULL;
		if (preds[i]->n_classes > 0 && max_class >= preds[i]->n_classes) {
			rc = mlfy_err_set(err, MLFY_EINVAL,
					  "%s: %d score columns, but %s uses class %d (class out of range)",
					  preds[i]->path, preds[i]->n_classes, es->source, max_class);
			goto fail;
		}
		if ((rc = mlfy_evalset_align(es, preds[i], order, n_order, &pred, err)))
			goto fail;
		if (es->n_classes > 0 && preds[i]->n_classes > 0 &&
		    preds[i]->n_classes != es->n_classes) {
			free(pred);
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: %d score columns, but there are %d classes",
					  preds[i]->path, preds[i]->n_classes, es->n_classes);
			goto fail;
		}
		rc = mlfy_accuracy_score(&t, pred, max_count, &m->acc, err);
		free(pred);
		if (rc) {
			mlfy_err_prefix(err, "%s", preds[i]->path);
			goto fail;
		}
		if (!(m->model = strdup(preds[i]->model)) || !(m->source = strdup(preds[i]->path))) {
			rc = mlfy_err_oom(err);
			out->n_models = i + 1;
			goto fail;
		}
		m->n_classes = preds[i]->n_classes;
		out->n_models = i + 1;
	}
	return 0;
fail:
	mlfy_eval_results_release(out);
	return rc;
}

void mlfy_eval_top1(const struct mlfy_model_result *m, struct mlfy_proportion *p)
{
	mlfy_proportion(m->acc.top1_k, m->acc.top1_n, MLFY_Z95, p);
}

void mlfy_eval_real(const struct mlfy_model_result *m, struct mlfy_proportion *p)
{
	mlfy_proportion(m->acc.real_k, m->acc.real_n, MLFY_Z95, p);
}

void mlfy_eval_bucket(const struct mlfy_model_result *m, int bucket,
		      struct mlfy_proportion *top1, struct mlfy_proportion *real)
{
	mlfy_proportion(m->acc.count_k[bucket], m->acc.count_n[bucket], MLFY_Z95, top1);
	/* an empty set holds no prediction: ReaL is undefined for bucket 0 */
	mlfy_proportion(bucket ? m->acc.count_real_k[bucket] : 0,
			bucket ? m->acc.count_all[bucket] : 0, MLFY_Z95, real);
}

const char *mlfy_eval_bucket_name(int bucket, int max_count, char *buf, size_t n)
{
	if (bucket > max_count)
		snprintf(buf, n, ">%d", max_count);
	else
		snprintf(buf, n, "%d", bucket);
	return buf;
}

struct rank_ctx {
	const double *real, *top1;
	char *const *names;
};

static int desc(double a, double b)
{
	if (isnan(a) || isnan(b))
		return isnan(a) - isnan(b);   /* NAN last */
	return (a < b) - (a > b);
}

static int rank_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct rank_ctx *c = ctx;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	int r = desc(c->real[a], c->real[b]);
	if (r)
		return r;
	if ((r = desc(c->top1[a], c->top1[b])))
		return r;
	return c->names ? strcmp(c->names[a], c->names[b]) : (a > b) - (a < b);
}

void mlfy_rank_models(const double *real, const double *top1, char *const *names, size_t n,
		      size_t *order)
{
	struct rank_ctx c = { real, top1, names };
	size_t i;
	for (i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof(size_t), rank_cmp, &c);
}
