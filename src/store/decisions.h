/* decisions.h - what a decision on an image rests on, and the audit of
 * reopened images (decisions.c; tables decision_basis and reopenings).
 *
 * decision_basis: the annotations that were current when stage iii decided
 * the image (agreed or queued: every stage-ii set judged) or stage iv
 * finalised it (the stage-ii sets the expert saw and the refinement), so
 * the versions behind a decision can be named after the fact.
 * reopenings: one append-only row per image a coordinator reopened (`mlfy
 * reopen`): who, when, why, and the decision that was removed.  Which
 * images are closed and what reopening removes is src/review/reopen.h's
 * rule; writes need an open transaction (MLFY_EINVAL otherwise).
 */
#ifndef MLFY_STORE_DECISIONS_H
#define MLFY_STORE_DECISIONS_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

/* Makes ids[0..n) (any order, repeats ignored; may be NULL when n == 0)
 * the basis of image_id's decision, replacing the previous one; leaves an
 * identical basis untouched.  *changed (may be NULL) is 1 when something
 * was written.  Errors: MLFY_EINVAL (no transaction), MLFY_ESTORE (among
 * them an id that is no annotation). */
int mlfy_decision_basis_set(struct mlfy_store *s, int64_t image_id, const int64_t *ids, size_t n,
			    int *changed, struct mlfy_err *err);

/* The basis of image_id's decision, ascending, into *ids (a new array,
 * free(); NULL with *n == 0 when there is none). */
int mlfy_decision_basis_get(struct mlfy_store *s, int64_t image_id, int64_t **ids, size_t *n,
			    struct mlfy_err *err);

/* One reopening: the decision removed from an image. */
struct mlfy_reopening {
	int64_t id;
	int64_t image_id;
	char *by;             /* who reopened it */
	char *reason;         /* why ("" when not given) */
	char at[32];          /* when (ISO-8601 UTC; set by mlfy_reopening_add) */
	char *stage;          /* the removed decision: a final stage name, or "queued" */
	char *labels;         /* its final set, class indices space-separated ("" empty / none) */
	int64_t annotation_id;/* the removed final_status.annotation_id, 0 when none */
	char *decided_at;     /* its decided_at, NULL when only queued */
	char *queue_reason;   /* the removed queue row as "rule:reason", NULL when none */
	char *basis;          /* the annotation ids it rested on, space-separated */
};

/* Frees the strings of r and zeroes it. */
void mlfy_reopening_release(struct mlfy_reopening *r);
/* Releases n reopenings and frees the array (accepts NULL). */
void mlfy_reopenings_free(struct mlfy_reopening *r, size_t n);

/* Appends r (its id and at are ignored: at is now) and removes the
 * image's decision basis.  *id (may be NULL) receives the new row's id.
 * Needs a transaction. */
int mlfy_reopening_add(struct mlfy_store *s, const struct mlfy_reopening *r, int64_t *id,
		       struct mlfy_err *err);

/* The reopenings of image_id (0: of every image), oldest first, into *out
 * (mlfy_reopenings_free). */
int mlfy_reopenings_list(struct mlfy_store *s, int64_t image_id, struct mlfy_reopening **out, size_t *n,
			 struct mlfy_err *err);

#endif
