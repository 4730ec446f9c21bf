/* timm_scores.h - model scores from two of timm's results tables (e.g.
 * results-imagenet.csv and results-imagenet-real.csv) joined on the model
 * name, for `mlfy fit --timm`, `mlfy report --timm` and `mlfy select-model
 * --timm`: read both, join (timm.h), convert (scores.h), with the counts a
 * caller warns about. */
#ifndef MLFY_EVALUATE_TIMM_SCORES_H
#define MLFY_EVALUATE_TIMM_SCORES_H

#include <stddef.h>
#include "evaluate/scores.h"
#include "evaluate/timm.h"
#include "util/error.h"

/* What the join left out or found odd (struct mlfy_timm_join's counts). */
struct mlfy_timm_summary {
	size_t only_a, only_b;         /* models in one table only */
	size_t dup_a, dup_b;           /* extra rows of models listed at several sizes */
	size_t size_mismatch;          /* joined models evaluated at different sizes */
	char *first_only_a, *first_only_b;   /* the first such model (owned), or NULL */
};

void mlfy_timm_summary_release(struct mlfy_timm_summary *sum);

/* Reads tables a_path (x: top-1) and b_path (y: ReaL), joins them with key
 * (enum mlfy_timm_key) and fills *s (mlfy_model_scores_release; its source
 * reads "timm: B vs A") and *sum (mlfy_timm_summary_release; filled when
 * the join succeeded, even if a later step failed).  Errors: those of
 * mlfy_timm_read, mlfy_timm_join and mlfy_model_scores_from_timm;
 * MLFY_ENOMEM. */
int mlfy_timm_scores(const char *a_path, const char *b_path, int key, struct mlfy_model_scores *s,
		     struct mlfy_timm_summary *sum, struct mlfy_err *err);

#endif
