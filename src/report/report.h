/* report.h - `mlfy report`: every figure (SVG, PNG, PDF) and an index.html
 * with the tables, written into one directory, from results that
 * src/evaluate computed.  Each part is optional: a figure and its table
 * appear when their input is given.
 *
 * Files written (NAME.{svg,png,pdf} for each figure):
 *   label_counts            donut of the label-count distribution
 *   real_vs_top1            ReaL vs top-1 accuracy over models, fitted line,
 *                           equation, R^2, outliers labelled
 *   top1_by_label_count     heatmap models x label count of top-1 accuracy
 *   moe_by_label_count      heatmap models x label count of E
 *   accuracy_by_label_count top-1 accuracy by label count with +-E bars
 *                           (up to 7 models, the best by ReaL accuracy)
 *   zero_label_review       categories of the zero-label expert review
 *   proposal_coverage       share of final labels within the top-k
 *   quality_accuracy        exact-set accuracy per person (forest plot) and
 *   quality_seconds         seconds per image per person, in the "Quality
 *                           of human work" section (report/quality_report.h)
 *   results.csv, results.json   (when evaluation results are given)
 *   index.html              all of the above with tables
 */
#ifndef MLFY_REPORT_REPORT_H
#define MLFY_REPORT_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include "evaluate/coverage.h"
#include "evaluate/evaluate.h"
#include "evaluate/fit.h"
#include "evaluate/label_counts.h"
#include "evaluate/scores.h"
#include "report/plot.h"
#include "review/anchoring.h"
#include "review/quality.h"
#include "util/error.h"

struct mlfy_report_input {
	const char *title;                          /* page title, e.g. the project name */
	const struct mlfy_label_counts *counts;     /* label-count distribution, or NULL */
	const char *counts_source;                  /* what was counted */
	const struct mlfy_eval_results *results;    /* per-model accuracies, or NULL */
	const struct mlfy_model_scores *scores;     /* scatter points, or NULL */
	const struct mlfy_linfit *fit;              /* fit of scores->real on ->top1 (same
						     * points, same order), or NULL */
	double outlier_t;                           /* |t| threshold of the outliers (2) */
	const struct mlfy_coverage *coverage;       /* proposal coverage, or NULL */
	const char *coverage_model;                 /* whose proposals */
	size_t n_zero;                              /* zero-label review categories (0 = none, else
						     * MLFY_ZERO_N_CATEGORIES; their labels come
						     * from store/zero_label.h) */
	const int64_t *zero_counts;                 /* [n_zero] images per category */
	int64_t zero_pending;                       /* empty-set images not yet reviewed */
	size_t n_verdicts;                          /* verdicts on the original label (0 = none,
						     * else MLFY_ZERO_N_VERDICTS) */
	const int64_t *verdict_counts;              /* [n_verdicts] */
	const struct mlfy_quality *quality;         /* the quality of human work
						     * (review/quality.h), or NULL */
	const struct mlfy_anchoring *anchoring;     /* the anchoring arms, or NULL (only
						     * read with quality) */
	int formats;                                /* MLFY_FIG_* bits (plot.h) */
};

/* Writes the report into dir (created when missing).  Errors: MLFY_EIO
 * naming the file, MLFY_EINVAL when no part has input, MLFY_ENOMEM. */
int mlfy_report_write(const char *dir, const struct mlfy_report_input *in,
		      struct mlfy_err *err);

#endif
