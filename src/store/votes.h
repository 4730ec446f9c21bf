/* votes.h - raw verification votes and aggregation results (votes.c): a
 * question is an (image name, class) pair; a vote is a rater's answer to it
 * (0 no, 1 maybe, 2 yes) from a source (e.g. an imported ReaL file).
 * Writes need an open transaction.  Callback iterations borrow every pointer
 * they pass for the duration of the call only. */
#ifndef MLFY_STORE_VOTES_H
#define MLFY_STORE_VOTES_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

/* The source under which the current answers of the project's own
 * verification grid are read (review/verify.h MLFY_VERIFY_SOURCE): votes
 * are never stored or deleted under it. */
#define MLFY_VOTES_RESERVED_SOURCE "verify"

/* 0 when source may hold imported votes; MLFY_EINVAL naming it when it is
 * empty or MLFY_VOTES_RESERVED_SOURCE. */
int mlfy_votes_source_check(const char *source, struct mlfy_err *err);

/* Deletes every vote of source (questions left without votes are removed
 * too, unless they are verification questions, store/verify.h).  *n (may be
 * NULL) receives the number of votes deleted.  Needs a transaction.
 * MLFY_EINVAL for the reserved source (mlfy_votes_source_check). */
int mlfy_votes_delete_source(struct mlfy_store *s, const char *source, int64_t *n,
			     struct mlfy_err *err);

/* Finds or creates the question (image name, class index); *id receives it.
 * Needs a transaction. */
int mlfy_votes_question(struct mlfy_store *s, const char *image, int class_idx, int64_t *id,
			struct mlfy_err *err);

/* Stores rater's answer (0 no, 1 maybe, 2 yes) to question_id from source,
 * replacing an earlier answer of the same rater and source.  Needs a
 * transaction.  MLFY_EINVAL for the reserved source. */
int mlfy_votes_put(struct mlfy_store *s, int64_t question_id, const char *rater, int answer,
		   const char *source, struct mlfy_err *err);

struct mlfy_vote_row {
	int64_t question_id;
	const char *image;
	int class_idx;
	const char *rater;
	int answer;
	const char *source;
};

typedef int (*mlfy_vote_cb)(const struct mlfy_vote_row *v, void *ctx);

/* Calls cb for every vote (of source, or of all sources when source is
 * NULL) ordered by question id, rater, then source.  The votes are the
 * imported ones (table votes) and the current answers of the verification
 * grid (source "verify", rater = account name; view verify_votes).  A non-zero return from
 * cb stops the walk and is returned.  cb must not write to the store. */
int mlfy_votes_foreach(struct mlfy_store *s, const char *source, mlfy_vote_cb cb, void *ctx,
		       struct mlfy_err *err);

/* Number of votes (of source, or all when NULL; the grid's current answers
 * included, as in mlfy_votes_foreach) and distinct questions with such
 * votes. */
int mlfy_votes_count(struct mlfy_store *s, const char *source, int64_t *n_votes,
		     int64_t *n_questions, struct mlfy_err *err);

/* ---- aggregation results --------------------------------------------------- */

/* Deletes the stored results of method ("majority" or "dawid-skene").
 * Needs a transaction. */
int mlfy_aggregations_clear(struct mlfy_store *s, const char *method, struct mlfy_err *err);

/* Stores the result of method for question_id: posterior in [0, 1], label
 * 0/1, the threshold that gave it.  Needs a transaction. */
int mlfy_aggregations_put(struct mlfy_store *s, int64_t question_id, const char *method,
			  double posterior, int label, double threshold, struct mlfy_err *err);

#endif
