/* refine.h - stage (iv)'s rule (refine.c): an expert's refinement is the
 * image's final label set.  Which refinement counts: the current one of the
 * expert the image's refinement-queue row is assigned to, or, when the row
 * is unassigned, the most recently saved refinement of anyone.  The save of
 * a refinement applies it at once (review/save.h); `mlfy finalize` applies
 * it to refinements written by other means. */
#ifndef MLFY_REVIEW_REFINE_H
#define MLFY_REVIEW_REFINE_H

#include <stdint.h>
#include "store/store.h"

/* Makes the counting refinement of image_id its final label set (final
 * stage "refined", annotation_id = that refinement).  *changed (may be
 * NULL) is 1 when the final set or its deciding annotation changed.  An
 * empty refined set is a valid decision: the image then awaits a zero-label
 * review.  Errors: MLFY_ENOTFOUND (image not in the refinement queue, or no
 * refinement saved yet).  Needs the caller's transaction. */
int mlfy_review_finalize(struct mlfy_store *s, int64_t image_id, int *changed,
			 struct mlfy_err *err);

/* Finalises every queued image with a saved refinement whose final labels
 * are missing or older than its current refinement.  *n_done receives how
 * many changed, *n_waiting (may be NULL) how many queued images have no
 * refinement yet.  Needs the caller's transaction. */
int mlfy_review_finalize_all(struct mlfy_store *s, int64_t *n_done, int64_t *n_waiting,
			     struct mlfy_err *err);

#endif
