/* assign.h - stage-ii assignments (assign.c): every image batch to K
 * annotators, balanced, extending earlier runs. */
#ifndef MLFY_STORE_ASSIGN_H
#define MLFY_STORE_ASSIGN_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

struct mlfy_assign_load {
	int64_t annotator_id;
	char *annotator;     /* name (owned) */
	int batches;         /* batches assigned after the run */
	int64_t images;      /* images in those batches */
	int added;           /* batches added by this run */
};

struct mlfy_assign_report {
	int n_batches;              /* batches in the project */
	int added;                  /* assignments created by this run */
	int complete;               /* batches that now have per_image annotators */
	struct mlfy_assign_load *load;  /* one per candidate, ordered by name */
	size_t n_load;
};

void mlfy_assign_report_release(struct mlfy_assign_report *r);

/* Gives every batch of the project to per_image annotators (the paper: each
 * batch to 2).  Candidates are names[0..n) (borrowed; enabled accounts of any
 * role), or when n == 0 every enabled account with role annotator.  Existing
 * assignments are never removed or moved, so re-running after adding images
 * (new batches) or people only adds.  Each missing slot goes to the candidate
 * with the fewest assigned images (ties: fewest batches, then name order),
 * never twice to the same batch: the greedy "least loaded first" rule, which
 * keeps loads within one batch of each other when batches are equal-sized.
 * Errors: MLFY_EINVAL when per_image < 1 or more than the candidates,
 * MLFY_ENOTFOUND for an unknown/disabled name.  One transaction. */
int mlfy_assign_batches(struct mlfy_store *s, int per_image, const char *const *names,
			size_t n, struct mlfy_assign_report *rep, struct mlfy_err *err);

/* The same inside the caller's transaction (MLFY_EINVAL without one), for a
 * caller that writes more in the same transaction (review/gold.h). */
int mlfy_assign_batches_tx(struct mlfy_store *s, int per_image, const char *const *names,
			   size_t n, struct mlfy_assign_report *rep, struct mlfy_err *err);
#endif
