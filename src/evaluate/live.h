/* live.h - the live project view (live.c): every imported model's top-1
 * and ReaL accuracy on the project's labels so far, the label-count
 * distribution of the final sets, and the proposal coverage of the active
 * model, kept up to date by incremental counts.  Built once with a full
 * walk of the project (mlfy_live_open); mlfy_live_refresh then reads only
 * the images whose final set changed since (store/live_input.h:
 * final_changes), subtracts each one's previous contribution and adds its
 * new one.  The web console refreshes it per page view; `mlfy report` can
 * draw its scatter (mlfy_live_scores, report/figures.h).
 *
 * Definitions: exactly those of `mlfy evaluate --project P` with each
 * model's rank-0 proposal as its prediction (docs/evaluate.md, "Live
 * project view"):
 *  - top-1 accuracy: prediction == original label, over the images with an
 *    original label, decided or not;
 *  - ReaL accuracy: prediction in the final set, over the decided images
 *    with a non-empty set (undecided images and empty sets are left out);
 *  - per label-count bucket 0..MLFY_LIVE_MAX_COUNT and ">K": as
 *    mlfy_eval_bucket (evaluate.h);
 *  - an image without a rank-0 proposal of a model is left out of that
 *    model's counts (mlfy evaluate would refuse the file: every image
 *    needs a prediction); results.models[m].acc.n_images says how many
 *    images the model covers;
 *  - label counts: the final sets of the decided images (empty sets
 *    included), as `mlfy stats`;
 *  - coverage: the decided images with proposals of the active proposal
 *    model, their final labels against its first MLFY_LIVE_K proposals, as
 *    mlfy_coverage_from_project (coverage.h) with k_max = MLFY_LIVE_K.
 * Every count is made by the evaluate functions themselves: an image's
 * contribution to a model is what mlfy_accuracy_add (metrics.h) adds for
 * it, its covered labels what mlfy_coverage_add adds; intervals are
 * mlfy_proportion's (Wilson, z = 1.96).
 *
 * Memory: 6 + M bytes per image for M models (label count, flags, covered
 * labels, original label -- 4 bytes with more than 65,535 classes --, one
 * key byte per model), plus 8 bytes per image when the image ids are not
 * consecutive; a fixed ~210 KiB besides (mlfy_live_bytes).  1,000,000
 * images, 3 models: 8.8 MiB.
 *
 * Cost (bench/review/bench_live.c, 1,000,000 images): the full build one
 * ordered scan of the proposals table (~6 s of CPU); a refresh ~0.05 ms
 * plus ~25 us per changed image (three index lookups).
 *
 * Not thread-safe: the caller serialises every call on one struct
 * mlfy_live (the server holds a lock around refresh + encoding).
 */
#ifndef MLFY_EVALUATE_LIVE_H
#define MLFY_EVALUATE_LIVE_H

#include <stddef.h>
#include <stdint.h>
#include "evaluate/evaluate.h"
#include "evaluate/fit.h"
#include "evaluate/label_counts.h"
#include "evaluate/metrics.h"
#include "evaluate/scores.h"
#include "store/store.h"
#include "util/error.h"

/* K of the ">K" label-count bucket: mlfy evaluate's default --max-count. */
#define MLFY_LIVE_MAX_COUNT 4
/* Proposals per image in the coverage: what a page shows (MLFY_SHOWN_MAX,
 * store/proposals.h) and what `mlfy stats` uses. */
#define MLFY_LIVE_K 20

/* The figures at one change sequence number.  Owned by the struct
 * mlfy_live; valid until the next mlfy_live_refresh or mlfy_live_free. */
struct mlfy_live_view {
	int64_t seq;                       /* the final_changes.seq it reflects (0: none) */
	/* as mlfy_eval_run fills it for the same predictions: labels is
	 * "project PATH", models[m].model the model's name, .source its
	 * models.source, .n_classes 0, .acc its counters (mlfy_eval_top1,
	 * mlfy_eval_real, mlfy_eval_bucket give the proportions); n_images
	 * all images, n_undecided, n_empty, n_no_original, max_count =
	 * MLFY_LIVE_MAX_COUNT */
	struct mlfy_eval_results results;
	int64_t *model_ids;                /* [results.n_models] models.id, ascending */
	struct mlfy_label_counts counts;   /* label counts of the decided images */
	/* proposal coverage; coverage_model NULL when the project has no model */
	char *coverage_model;              /* the active proposal model's name */
	int64_t coverage_model_id;
	int coverage_k;                    /* MLFY_LIVE_K */
	size_t coverage_images;            /* decided images with its proposals */
	size_t coverage_no_proposals;      /* decided images without any */
	struct mlfy_proportion within;     /* final labels within the first k proposals,
					    * n = the final labels of coverage_images */
	struct mlfy_proportion outside;    /* the others: added through the class search */
};

struct mlfy_live;

/* Builds the view of project s with a full walk (store/live_input.h, in
 * one read transaction).  *out is new (mlfy_live_free).  Cost: one scan of
 * the proposals table (seconds at 1,000,000 images).  Errors: MLFY_EINVAL
 * (a final set of more than 65,535 labels), MLFY_ENOMEM, store errors. */
int mlfy_live_open(struct mlfy_store *s, struct mlfy_live **out, struct mlfy_err *err);

/* Brings lv up to date with s in one read transaction: when the models,
 * the active model or the images changed (struct mlfy_live_signature) it
 * rebuilds as mlfy_live_open does; otherwise it applies only the images
 * whose final set changed since the view's seq.  *changed (may be NULL)
 * is 1 when the view changed.  On error the view keeps its last state and
 * the next refresh rebuilds.  s may be another connection to the same
 * project than the one lv was opened with (read-only is fine).  Errors as
 * mlfy_live_open. */
int mlfy_live_refresh(struct mlfy_live *lv, struct mlfy_store *s, int *changed,
		      struct mlfy_err *err);

/* The current figures (borrowed from lv). */
const struct mlfy_live_view *mlfy_live_view(const struct mlfy_live *lv);

/* Bytes lv holds (its per-image arrays and fixed tables), for
 * documentation and benchmarks. */
size_t mlfy_live_bytes(const struct mlfy_live *lv);

/* Frees lv.  Accepts NULL. */
void mlfy_live_free(struct mlfy_live *lv);

/* The ReaL-vs-top-1 scatter of `mlfy report` for models in *scores:
 * keeps the models with both accuracies (in their order; the others are
 * dropped from *scores) and fits ReaL on top-1 (mlfy_linfit) into *fit.
 * Returns 0, or MLFY_ENOTFOUND when there is no figure to draw, with the
 * reason in err: fewer than 3 models with both accuracies, or a degenerate
 * fit (all top-1 accuracies equal: mlfy_linfit's message); MLFY_ENOMEM.
 * *fit is zeroed unless 0 is returned. */
int mlfy_live_fit_scores(struct mlfy_model_scores *scores, struct mlfy_linfit *fit,
			 struct mlfy_err *err);

/* The view's models as scatter points (mlfy_model_scores_from_eval: top-1
 * and ReaL accuracy in %) with their fit (mlfy_live_fit_scores).  On 0
 * the caller releases *scores (mlfy_model_scores_release) and *fit
 * (mlfy_linfit_release); otherwise both are released and zeroed.  Errors
 * as mlfy_live_fit_scores. */
int mlfy_live_scores(const struct mlfy_live_view *v, struct mlfy_model_scores *scores,
		     struct mlfy_linfit *fit, struct mlfy_err *err);

#endif
