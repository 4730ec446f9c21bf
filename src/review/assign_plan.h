/* assign_plan.h - the assignment steps a coordinator runs (assign_plan.c),
 * each as one transaction and each with a dry run: stage ii (every batch to
 * K annotators, with hidden gold tasks) and stage iv (the refinement queue
 * split among experts, with the arms of the anchoring experiment).  `mlfy
 * assign`, `mlfy assign-refinement` and the coordinator's console
 * (serve/console.c) call these, so a preview in the browser and a
 * `--dry-run` on the shell show exactly what an apply would write. */
#ifndef MLFY_REVIEW_ASSIGN_PLAN_H
#define MLFY_REVIEW_ASSIGN_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include "review/anchoring.h"
#include "review/gold.h"
#include "store/assign.h"
#include "store/queue.h"
#include "store/store.h"

struct mlfy_stage2_plan {
	int per_image;        /* K >= 1: every batch to K annotators; 0: leave the batches (gold only) */
	int gold;             /* 1: place gold tasks (review/gold.h) */
	int gold_first;       /* N >= 0 */
	double gold_rate;     /* P in [0, 1) */
	uint64_t seed;        /* the gold draws' seed */
	int dry_run;          /* 1: report what a run would do and write nothing */
};

/* Runs the plan in one transaction: store/assign.h's batch rule with
 * per_image, then (gold) the gold placement of review/gold.h.  *rep
 * receives the batch report when per_image > 0 (else it is zeroed;
 * mlfy_assign_report_release either way); *placed / *n_placed one row per
 * annotator when gold (mlfy_gold_placed_free; NULL/0 otherwise).  Names
 * names[0..n) as in mlfy_assign_batches (n == 0: every enabled annotator).
 * Errors: MLFY_EINVAL for per_image 0 without gold, and those of
 * mlfy_assign_batches_tx and mlfy_gold_assign; nothing is written on an
 * error. */
int mlfy_assign_stage2(struct mlfy_store *s, const struct mlfy_stage2_plan *p, const char *const *names, size_t n,
		       struct mlfy_assign_report *rep, struct mlfy_gold_placed **placed, size_t *n_placed,
		       struct mlfy_err *err);

struct mlfy_refine_plan {
	int arms;             /* 1: draw the anchoring arms of the tasks assigned (review/anchoring.h) */
	double blind_share;   /* [0, 1] */
	double plant_share;   /* [0, 1] */
	uint64_t seed;
	int dry_run;          /* 1: report what a run would do and write nothing */
};

/* Splits the unassigned refinement queue among the experts names[0..n)
 * (store/queue.h mlfy_review_queue_assign: *loads, one per name, free with
 * mlfy_expert_loads_free) and, with p->arms, draws the arms of every
 * assigned task not drawn yet (*drawn; zeroed otherwise), in one
 * transaction.  Errors: those of the two steps; nothing is written on an
 * error. */
int mlfy_assign_refinement(struct mlfy_store *s, const char *const *names, size_t n, const struct mlfy_refine_plan *p,
			   struct mlfy_expert_load **loads, size_t *n_loads, struct mlfy_arms_drawn *drawn,
			   struct mlfy_err *err);

#endif
