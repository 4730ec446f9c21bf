/* refine.h - stage (iv)'s rule (refine.c): an expert's refinement is the
 * image's final label set.  Which refinement counts: the current one of the
 * expert the image's refinement-queue row is assigned to, or, when the row
 * is unassigned, the most recently saved refinement of anyone.  The save of
 * a refinement applies it at once (review/save.h); `mlfy finalize` applies
 * it to refinements written by other means. */
#ifndef MLFY_REVIEW_REFINE_H
#define MLFY_REVIEW_REFINE_H

#include <stddef.h>
#include <stdint.h>
#include "store/arms.h"
#include "store/store.h"

/* What image_id's refinement task shows (the anchoring experiment,
 * store/arms.h; docs/quality.md): in the "shown" arm the earlier
 * annotators' sets are shown and prefill is their union (stage-ii answers
 * to gold tasks excluded) plus the planted wrong label when there is one;
 * in the "blind" arm show_others is 0 and prefill empty.  A planted label is
 * shown as chosen by one of the annotators, number image_id mod n of the n
 * (by name), so that nothing on the page tells it from their own choices
 * (the stored annotations are not changed).  The one rule for
 * what is pre-checked: the page's task reply (serve/tasks.c) and the
 * save's checks (review/save.c: "prefill" sources, the comment a change
 * needs) both read it. */
struct mlfy_refine_shown {
	enum mlfy_arm arm;
	int planted;          /* planted class index, -1 when none */
	int show_others;      /* 1: the earlier annotators' sets are shown */
	int32_t *prefill;     /* owned, ascending; NULL when empty */
	size_t n_prefill;
};

void mlfy_refine_shown_release(struct mlfy_refine_shown *r);

int mlfy_refine_shown_get(struct mlfy_store *s, int64_t image_id, struct mlfy_refine_shown *out,
			  struct mlfy_err *err);

/* Makes the counting refinement of image_id its final label set (final
 * stage "refined", annotation_id = that refinement), less the planted
 * label of the anchoring experiment (store/arms.h) when the expert kept it:
 * that label is known to be wrong, so it is measured but never final.  *changed (may be
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
