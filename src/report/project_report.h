/* project_report.h - the report of a project: what `mlfy report PROJECT`
 * and the admin console's POST /api/admin/reports (src/serve/reports.c)
 * both write, by this one function.
 *
 * mlfy_report_project reads the project in one read snapshot
 * (mlfy_store_begin_read: a consistent report even while annotators save)
 * -- the label counts of the final labels, the review counts, the proposal
 * coverage and the zero-label review (evaluate/project_stats.h), the
 * quality of human work and the anchoring arms (review/quality.h,
 * review/anchoring.h), the project's name -- and writes them with
 * mlfy_report_write (report/report.h).  What the command line adds from
 * files (evaluated predictions, a ReaL vs top-1 scatter) comes in through
 * the options.  What is left out is said in warnings, never on stderr: the
 * caller prints or sends them. */
#ifndef MLFY_REPORT_PROJECT_REPORT_H
#define MLFY_REPORT_PROJECT_REPORT_H

#include <stddef.h>
#include "evaluate/evaluate.h"
#include "evaluate/fit.h"
#include "evaluate/scores.h"
#include "store/store.h"
#include "util/error.h"

/* Warnings of one report, in the order they arose: messages without the
 * command's name or a newline ("19 images not yet decided: left out of the
 * label counts").  Zero it before use; release with
 * mlfy_report_warnings_release. */
struct mlfy_report_warnings {
	char **msg;          /* [n] owned strings */
	size_t n, cap;
};

/* Appends a formatted message: 0, or MLFY_ENOMEM (err filled). */
int mlfy_report_warn(struct mlfy_report_warnings *w, struct mlfy_err *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Frees the messages and zeroes *w.  Accepts a zeroed *w. */
void mlfy_report_warnings_release(struct mlfy_report_warnings *w);

/* The hook for the ReaL vs top-1 scatter of the project's own imported
 * models (to be wired to evaluate/live.h, which gives each imported
 * model's top-1 and ReaL accuracy against the final labels).  Called
 * inside the read snapshot, so the points describe the same state as the
 * rest of the report.  Fills *scores (the points, models with both
 * accuracies) and *fit (their fit, mlfy_linfit; fit->n == 0 for no
 * figure); may add warnings (fewer than 3 models, a degenerate fit).
 * Returns 0, or an MLFY_* code with err filled (the report then fails).
 * mlfy_report_project releases both afterwards. */
typedef int (*mlfy_project_models_fn)(struct mlfy_store *s, void *ctx, struct mlfy_model_scores *scores,
				      struct mlfy_linfit *fit, struct mlfy_report_warnings *w,
				      struct mlfy_err *err);

/* The default project_models hook: the project's imported models, each
 * rank-0 proposal taken as the model's prediction, scored as the console's
 * live project view scores them (evaluate/live.h, mlfy_live_scores: top-1
 * against the original labels, ReaL against the final labels decided so
 * far), so that the report's scatter and the console's never disagree.
 * No figure, without error, for fewer than 3 models; a warning for a
 * degenerate fit. */
int mlfy_report_live_models(struct mlfy_store *s, void *ctx, struct mlfy_model_scores *scores,
			    struct mlfy_linfit *fit, struct mlfy_report_warnings *w, struct mlfy_err *err);

struct mlfy_project_report_opts {
	const char *title;      /* page title; NULL: "multilabelfy report: NAME", NAME the
				 * project's name (mlfy init --name), else the path the
				 * store was opened with */
	const char *model;      /* coverage of this model's proposals; NULL: the active
				 * proposal model (none, without error, when the
				 * project has no proposals) */
	int k_max;              /* proposals per image of the coverage curve, in
				 * 1..MLFY_COVERAGE_MAX_K (evaluate/coverage.h); 20 */
	int formats;            /* MLFY_FIG_* bits (report/plot.h), not 0 */
	double outlier_t;       /* outliers of the scatter: |studentized residual| above
				 * this (> 0; 2) */
	/* Parts from elsewhere, all borrowed and optional (NULL): */
	const struct mlfy_eval_results *results;  /* evaluated predictions (mlfy evaluate) */
	const struct mlfy_model_scores *scores;   /* ReaL vs top-1 points and */
	const struct mlfy_linfit *fit;            /* their fit (both, or neither) */
	/* The project's imported models as a scatter (see above); used only
	 * when scores is NULL.  NULL: no such scatter (as today). */
	mlfy_project_models_fn project_models;
	void *project_models_ctx;
};

/* Fills o with the defaults: no title, the active model, k_max 20, every
 * format, outlier_t 2, no parts from elsewhere, and the scatter of the
 * project's imported models (mlfy_report_live_models). */
void mlfy_project_report_opts_init(struct mlfy_project_report_opts *o);

/* Writes the report of project s into dir (created when missing; the files
 * of report/report.h).  Reads in one read snapshot, so s must not be in a
 * transaction (MLFY_EINVAL).  Warnings go to w (may be NULL: dropped):
 * undecided images left out of the label counts, decided images without
 * proposals from the coverage model, and the quality of human work left
 * out because it could not be computed (the rest is still written).
 * Errors: MLFY_EINVAL (bad options; nothing to report), MLFY_ENOTFOUND
 * (opts->model not found), MLFY_EIO naming the file, MLFY_ENOMEM, the
 * store's. */
int mlfy_report_project(struct mlfy_store *s, const char *dir, const struct mlfy_project_report_opts *o,
			struct mlfy_report_warnings *w, struct mlfy_err *err);

#endif
