/* review_tx.h - the stage iv steps the command line takes, each one
 * transaction of its own: finalise experts' refinements, split the
 * refinement queue among experts, record a zero-label review.  They wrap
 * the "needs a transaction" calls (review/refine.h, store/queue.h,
 * store/zero_label.h) so that no
 * caller begins or commits anything: an error changes nothing. */
#ifndef MLFY_REVIEW_REVIEW_TX_H
#define MLFY_REVIEW_REVIEW_TX_H

#include <stddef.h>
#include <stdint.h>
#include "store/queue.h"
#include "store/store.h"
#include "util/error.h"

/* Makes experts' saved refinements the final labels (mlfy_review_finalize):
 * with n == 0 every queued image whose refinement is newer than its final
 * set (*n_waiting, may be NULL, then receives how many queued images have
 * no refinement yet; it is left alone when n > 0), else the images named
 * names[0..n) (borrowed).  *n_done receives how many final sets changed.
 * One transaction: on any error nothing changes.  Errors: those of
 * mlfy_review_finalize_all, or for a named image MLFY_ENOTFOUND (no such
 * image, not queued, no refinement) with the message prefixed by its name;
 * store errors. */
int mlfy_finalize_images(struct mlfy_store *s, const char *const *names, size_t n, int64_t *n_done,
			 int64_t *n_waiting, struct mlfy_err *err);

/* mlfy_review_queue_assign in a transaction of its own: *out (may be NULL)
 * one load per named expert (mlfy_expert_loads_free).  Errors as there;
 * nothing is assigned then. */
int mlfy_queue_assign_experts(struct mlfy_store *s, const char *const *names, size_t n,
			      struct mlfy_expert_load **out, size_t *n_out, struct mlfy_err *err);

/* Records expert's zero-label review of the image named image
 * (mlfy_review_zero_add) in a transaction of its own.  comment may be NULL.
 * Errors: MLFY_ENOTFOUND (no such image or account), those of
 * mlfy_review_zero_add; nothing is recorded then. */
int mlfy_zero_review_record(struct mlfy_store *s, const char *image, const char *expert,
			    const char *category, const char *verdict, const char *comment,
			    struct mlfy_err *err);

#endif
