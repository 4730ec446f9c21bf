/* project_stats.h - the label statistics of a project, gathered in one
 * walk for `mlfy stats PROJECT` and `mlfy report PROJECT`: the label-count
 * distribution of the final labels, decisions by stage, undecided images,
 * the review counts (queue, zero-label reviews, votes) and the proposal
 * coverage.  src/report/stats.h prints them. */
#ifndef MLFY_EVALUATE_PROJECT_STATS_H
#define MLFY_EVALUATE_PROJECT_STATS_H

#include <stddef.h>
#include <stdint.h>
#include "evaluate/coverage.h"
#include "evaluate/label_counts.h"
#include "store/final_labels.h"
#include "store/review_stats.h"
#include "store/store.h"
#include "util/error.h"

struct mlfy_project_stats {
	struct mlfy_label_counts counts;          /* final label sets of the decided images */
	int64_t undecided;                        /* images without a decision */
	size_t by_stage[MLFY_FINAL_IMPORTED + 1]; /* decided images per enum mlfy_final_stage */
	struct mlfy_review_stats review;          /* store/review_stats.h */
	/* coverage of the final labels by the proposals (k = 1..k_max, label
	 * counts 1..3 and >3), NULL when not asked for or when the project has
	 * no proposal model; coverage_model names the model (owned) */
	struct mlfy_coverage *coverage;
	char *coverage_model;
};

/* Fills *out (release with mlfy_project_stats_release, also after an error).
 * k_max > 0 asks for the proposal coverage of model's top-k_max proposals
 * (model NULL: the active proposal model, and no coverage, without error,
 * when the project has none).  Errors: MLFY_ENOTFOUND (model named and not
 * found), MLFY_ENOMEM, store errors, those of mlfy_coverage_from_project. */
int mlfy_project_stats_get(struct mlfy_store *s, const char *model, int k_max,
			   struct mlfy_project_stats *out, struct mlfy_err *err);

/* Frees what *st holds and zeroes it.  Accepts a zeroed *st. */
void mlfy_project_stats_release(struct mlfy_project_stats *st);

#endif
