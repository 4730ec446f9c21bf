/* queue.h - the refinement queue of stage iv (queue.c): images that need an
 * expert, why, and which expert has each.
 *
 * Writes need an open transaction (mlfy_store_begin) and return MLFY_EINVAL
 * otherwise.  Structs filled by getters own their strings; release them
 * with the matching release / free function. */
#ifndef MLFY_STORE_QUEUE_H
#define MLFY_STORE_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

/* Puts image_id into the refinement queue, or updates the rule and reason of
 * its row (keeping the expert it is assigned to).  Needs a transaction. */
int mlfy_review_queue_put(struct mlfy_store *s, int64_t image_id, const char *rule,
			  const char *reason, struct mlfy_err *err);

/* Takes image_id out of the queue (no error when absent).  Needs a
 * transaction. */
int mlfy_review_queue_remove(struct mlfy_store *s, int64_t image_id, struct mlfy_err *err);

struct mlfy_queue_entry {
	int64_t image_id;
	char *image;            /* image name */
	char *rule;             /* the rule that queued it ("paper") */
	char *reason;           /* why ("sets_differ", ...) */
	int64_t expert_id;      /* 0 = not assigned yet */
	char *expert;           /* NULL when not assigned */
	int refined;            /* 1 when its final stage is "refined" */
};

/* Frees the strings of one entry and zeroes it. */
void mlfy_queue_entry_release(struct mlfy_queue_entry *e);
/* Releases n entries and frees the array.  Accepts NULL. */
void mlfy_queue_entries_free(struct mlfy_queue_entry *e, size_t n);

/* Queue rows in image-name order: all of them (expert_id == 0), one
 * expert's (expert_id > 0), or the unassigned ones (expert_id == -1).
 * *out is a new array (mlfy_queue_entries_free). */
int mlfy_review_queue_list(struct mlfy_store *s, int64_t expert_id,
			   struct mlfy_queue_entry **out, size_t *n, struct mlfy_err *err);

/* One row into *out (mlfy_queue_entry_release); MLFY_ENOTFOUND when image_id
 * is not queued. */
int mlfy_review_queue_get(struct mlfy_store *s, int64_t image_id, struct mlfy_queue_entry *out,
			  struct mlfy_err *err);

struct mlfy_expert_load {
	int64_t expert_id;
	char *name;
	int64_t assigned;   /* queue rows assigned to this expert after the run */
	int64_t added;      /* of which this run assigned */
	int64_t refined;    /* of which already refined (final stage "refined") */
};

void mlfy_expert_loads_free(struct mlfy_expert_load *l, size_t n);

/* Splits the unassigned queue rows among the experts named in names[0..n)
 * (borrowed; enabled accounts with role expert or admin): rows in image-name
 * order each go to the expert with the fewest assigned rows so far (ties:
 * the order of names), so loads end within one row of each other when
 * starting even.  Rows already assigned are never moved, so re-running after
 * the queue grows only adds.  *out (may be NULL) receives one entry per
 * named expert, in the order given (mlfy_expert_loads_free).  Errors:
 * MLFY_ENOTFOUND (unknown name), MLFY_EINVAL (no names, a duplicate, a
 * disabled account or one with role annotator).  Needs a transaction. */
int mlfy_review_queue_assign(struct mlfy_store *s, const char *const *names, size_t n,
			     struct mlfy_expert_load **out, size_t *n_out, struct mlfy_err *err);
#endif
