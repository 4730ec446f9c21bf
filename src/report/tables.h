/* tables.h - evaluation results written as an aligned text table, CSV or
 * JSON (the three --format choices of `mlfy evaluate`), and the fit and
 * ranking summaries.  Accuracies are printed in percent; E and the Wilson
 * bounds in percent too (percentage points for E).
 *
 * CSV (one row per model and label-count bucket; bucket "all" = the whole
 * set; empty field = undefined):
 *   model,label_count,images,top1_correct,top1,top1_moe,top1_wilson_lo,
 *   top1_wilson_hi,real_images,real_correct,real_accuracy,real_moe,
 *   real_wilson_lo,real_wilson_hi
 * JSON: {"labels", "images", "empty_sets", "undecided", "no_original",
 *   "max_count", "z", "models": [{"model", "predictions", "classes",
 *   "top1": P, "real": P, "by_label_count": [{"label_count", "top1": P,
 *   "real": P}, ...]}]} with P = {"correct", "images", "accuracy", "moe",
 *   "wilson": [lo, hi]} (numbers null when undefined).
 * Errors: MLFY_EIO when the stream reports a write error.
 */
#ifndef MLFY_REPORT_TABLES_H
#define MLFY_REPORT_TABLES_H

#include <stdio.h>
#include "evaluate/evaluate.h"
#include "evaluate/fit.h"
#include "evaluate/scores.h"
#include "util/error.h"

int mlfy_results_write_table(FILE *f, const struct mlfy_eval_results *r, struct mlfy_err *err);
int mlfy_results_write_csv(FILE *f, const struct mlfy_eval_results *r, struct mlfy_err *err);
int mlfy_results_write_json(FILE *f, const struct mlfy_eval_results *r, struct mlfy_err *err);

/* The fit of s->real on s->top1 (points in s order): coefficients with
 * standard errors, R^2, n, and the outliers (|t| > outlier_t) with their
 * studentized residuals, most extreme first.  json selects JSON output. */
int mlfy_fit_write(FILE *f, const struct mlfy_model_scores *s, const struct mlfy_linfit *fit,
		   double outlier_t, int json, struct mlfy_err *err);

/* The ranking order[0..n) of s (mlfy_rank_models), top entries first; top
 * = 0 prints all.  json selects JSON output. */
int mlfy_rank_write(FILE *f, const struct mlfy_model_scores *s, const size_t *order,
		    size_t top, int json, struct mlfy_err *err);

#endif
