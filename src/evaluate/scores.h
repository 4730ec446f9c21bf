/* scores.h - per-model summary scores (top-1 and ReaL accuracy, %) from any
 * of the three sources `mlfy fit`, `mlfy select-model` and `mlfy report`
 * accept: an evaluation run, a joined pair of timm results tables, or the
 * CSV / JSON results that `mlfy evaluate --format csv|json` wrote. */
#ifndef MLFY_EVALUATE_SCORES_H
#define MLFY_EVALUATE_SCORES_H

#include <stddef.h>
#include "evaluate/evaluate.h"
#include "evaluate/timm.h"
#include "util/error.h"

struct mlfy_model_scores {
	size_t n;
	char **model;      /* [n] names (owned) */
	double *top1;      /* [n] top-1 accuracy, %; NAN when unknown */
	double *real;      /* [n] ReaL accuracy, %; NAN when unknown */
	char *source;      /* where they came from, for messages and captions */
};

void mlfy_model_scores_release(struct mlfy_model_scores *s);

/* From an evaluation run (accuracies of each model in %). */
int mlfy_model_scores_from_eval(const struct mlfy_eval_results *r,
				struct mlfy_model_scores *out, struct mlfy_err *err);

/* From joined timm tables: top1 = table a's top-1 (ImageNet), real = table
 * b's top-1 (ImageNet-ReaL). */
int mlfy_model_scores_from_timm(const struct mlfy_timm_join *j, struct mlfy_model_scores *out,
				struct mlfy_err *err);

/* Reads `mlfy evaluate` results: CSV (the rows with label_count "all";
 * columns model, top1, real_accuracy) or JSON (models[].model,
 * .top1.accuracy, .real.accuracy), told apart by the first byte.  Errors:
 * MLFY_EINVAL naming file, line/model and field; MLFY_ENOTFOUND; MLFY_EIO. */
int mlfy_model_scores_read(const char *path, struct mlfy_model_scores *out,
			   struct mlfy_err *err);

#endif
