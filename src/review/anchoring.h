/* anchoring.h - the anchoring experiment (anchoring.c): does showing
 * experts the earlier labels pre-checked change what they decide?
 *
 * Design (docs/quality.md).  At `mlfy assign-refinement --blind-share S
 * --seed N`, each expert's refinement tasks not yet drawn are shuffled
 * (GSL MT19937 seeded with N + the expert's id) and the first round(S m)
 * of their m tasks are "blind": nothing pre-checked and the annotators'
 * sets hidden; the rest are "shown" (the paper's stage iv).  With
 * --plant-share Q each shown task of a gold image gets, with probability
 * Q, a planted label: the best-ranked shown proposal that is neither in
 * the gold set nor chosen by an annotator, pre-checked as if chosen.  An
 * image's arm is drawn once (store/arms.h) and never re-drawn.
 *
 * Per arm, over the experts' current refinements (U = the stage-ii union,
 * the planted label not included; A = the refined set):
 *   kept       sum |A n U| / sum |U|          (labels, Wilson)
 *   added      images with A \ U non-empty    (images, Wilson)
 *   removed    images with U \ A non-empty    (images, Wilson)
 *   gold       A equals the gold set, on gold images (images, Wilson)
 *   seconds    median, mean with its normal 95 % interval
 * and between arms the two-sided p of the pooled two-proportion z-test
 * (review/quality.h), and for seconds of Welch's z (normal approximation).
 * Planted: the share of planted labels the expert kept (accepted). */
#ifndef MLFY_REVIEW_ANCHORING_H
#define MLFY_REVIEW_ANCHORING_H

#include <stddef.h>
#include <stdint.h>
#include "evaluate/metrics.h"
#include "store/store.h"

struct mlfy_arms_drawn {
	int64_t blind, shown, planted;   /* drawn by this run */
	int64_t kept;                    /* tasks whose arm was drawn before */
};

/* Draws the arms of every refinement task assigned to an expert and not
 * drawn yet, as above, in one transaction.  0 <= blind_share <= 1,
 * 0 <= plant_share <= 1 (else MLFY_EINVAL). */
int mlfy_arms_draw(struct mlfy_store *s, double blind_share, double plant_share, uint64_t seed,
		   struct mlfy_arms_drawn *out, struct mlfy_err *err);
/* The same inside the caller's transaction (MLFY_EINVAL without one), for
 * review/assign_plan.h, which splits the queue and draws the arms in one. */
int mlfy_arms_draw_tx(struct mlfy_store *s, double blind_share, double plant_share, uint64_t seed,
		      struct mlfy_arms_drawn *out, struct mlfy_err *err);

struct mlfy_arm_stats {
	size_t n;                                   /* refinements */
	struct mlfy_proportion kept, added, removed, gold_exact, planted_accepted;
	double median_seconds, mean_seconds, seconds_lo, seconds_hi;   /* NAN when n == 0 */
};

struct mlfy_anchoring {
	struct mlfy_arm_stats arm[2];               /* by enum mlfy_arm: shown, blind */
	double p_kept, p_added, p_removed, p_gold_exact, p_seconds;   /* NAN when not testable */
};

/* The figures above for project s (read only). */
int mlfy_anchoring_compute(struct mlfy_store *s, struct mlfy_anchoring *out, struct mlfy_err *err);
#endif
