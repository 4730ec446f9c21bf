/* review_stats.h - counts of the review tables (for `mlfy stats`, the
 * dashboard and the report) and the review invariants `mlfy check`
 * verifies (review_stats.c).  Reads only. */
#ifndef MLFY_STORE_REVIEW_STATS_H
#define MLFY_STORE_REVIEW_STATS_H

#include <stdint.h>
#include "store/store.h"
#include "store/flags.h"
#include "store/zero_label.h"

/* ---- counts ---------------------------------------------------------------- */

struct mlfy_review_stats {
	int64_t images;              /* images in the project */
	int64_t undecided;           /* without a final decision */
	int64_t agreed, refined, aggregated, imported;   /* by final stage */
	int64_t queued;              /* refinement-queue rows */
	int64_t queue_assigned;      /* of which assigned to an expert */
	int64_t queue_refined;       /* of which finalised (final stage "refined") */
	int64_t zero_label;          /* decided with an empty set */
	int64_t zero_reviewed;       /* of which with a zero-label review */
	int64_t by_category[MLFY_ZERO_N_CATEGORIES];  /* latest review per image */
	int64_t by_verdict[MLFY_ZERO_N_VERDICTS];
	int64_t questions, votes;    /* raw vote data */
	/* quality control (store/flags.h, store/gold.h); answers to gold tasks
	 * are not the images' own and are left out of the flag counts */
	int64_t unsure;                          /* current stage-ii answers that are "unsure" */
	int64_t by_unsure[MLFY_N_UNSURE];        /* of which per reason */
	int64_t by_tag[MLFY_N_TAGS];             /* images carrying each problem tag (any current answer) */
	int64_t gold_images, gold_tasks, gold_answered;
};

int mlfy_review_stats_get(struct mlfy_store *s, struct mlfy_review_stats *out,
			  struct mlfy_err *err);

/* ---- invariants (for `mlfy check`) ---------------------------------------- */

/* Violations of the review tables' invariants (docs/schema.md, "review"),
 * as counts of images; all 0 in a sound project. */
struct mlfy_review_check {
	int64_t queued_and_agreed;          /* in the refinement queue and final stage "agreed" */
	int64_t refined_without_refinement; /* final stage "refined" whose annotation_id is not a
					     * stage-iv annotation of the image */
	int64_t refined_set_differs;        /* final stage "refined" whose set is not its
					     * refinement's label set */
	/* not a violation: queued images whose assigned expert's current
	 * refinement is not (yet) the final set, e.g. refinements written by
	 * other means than `mlfy serve`; `mlfy finalize` makes it so */
	int64_t refinements_not_final;
};

/* Counts the violations above into *out (read-only; a few indexed scans of
 * final_status and refinement_queue).  0, or a store error. */
int mlfy_review_check(struct mlfy_store *s, struct mlfy_review_check *out, struct mlfy_err *err);
#endif
