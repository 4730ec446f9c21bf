/* evaluate.h - one evaluation run: several models' predictions scored on
 * one evaluation set (top-1, ReaL, per label count), summaries as
 * proportions, and the model ranking of stage (i).  Pure computation on
 * what evalset.h and top1.h read. */
#ifndef MLFY_EVALUATE_EVALUATE_H
#define MLFY_EVALUATE_EVALUATE_H

#include <stddef.h>
#include "evaluate/evalset.h"
#include "evaluate/metrics.h"
#include "util/error.h"

struct mlfy_top1;

struct mlfy_model_result {
	char *model;        /* name */
	char *source;       /* prediction file */
	int n_classes;      /* score columns, 0 for index files */
	struct mlfy_accuracy acc;
};

struct mlfy_eval_results {
	char *labels;           /* the evaluation set's source */
	size_t n_images;
	size_t n_empty;         /* decided images with an empty set */
	size_t n_undecided;     /* images without a final set (projects) */
	size_t n_no_original;   /* images without an original label */
	int max_count;          /* K of the ">K" bucket */
	size_t n_models;
	struct mlfy_model_result *models;   /* [n_models] in the order given */
};

/* Scores each of preds[0..n) on es: aligns it (mlfy_evalset_align with the
 * optional order list) and counts.  max_count in [1, MLFY_EVAL_MAX_COUNT].
 * *out is filled (mlfy_eval_results_release).  Errors: those of the
 * alignment (the message names the model's file), MLFY_EINVAL, MLFY_ENOMEM. */
int mlfy_eval_run(const struct mlfy_evalset *es, struct mlfy_top1 *const *preds, size_t n,
		  char *const *order, size_t n_order, int max_count,
		  struct mlfy_eval_results *out, struct mlfy_err *err);

void mlfy_eval_results_release(struct mlfy_eval_results *r);

/* Summaries of a model (proportions in [0, 1], z = 1.96):
 * top-1 over images with an original label; ReaL over decided images with
 * a non-empty set; per label-count bucket b (0..max_count + 1): top-1 over
 * the bucket's images with an original label and ReaL over all its
 * decided images. */
void mlfy_eval_top1(const struct mlfy_model_result *m, struct mlfy_proportion *p);
void mlfy_eval_real(const struct mlfy_model_result *m, struct mlfy_proportion *p);
void mlfy_eval_bucket(const struct mlfy_model_result *m, int bucket,
		      struct mlfy_proportion *top1, struct mlfy_proportion *real);

/* Name of a label-count bucket: "0", "1", ..., ">K" (into buf). */
const char *mlfy_eval_bucket_name(int bucket, int max_count, char *buf, size_t n);

/* Stage (i) model selection: writes to order[0..n) the model indices
 * sorted by ReaL accuracy descending, ties by top-1 accuracy descending,
 * then by name (strcmp) for a stable answer.  NAN sorts last. */
void mlfy_rank_models(const double *real, const double *top1, char *const *names, size_t n,
		      size_t *order);

#endif
