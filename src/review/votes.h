/* votes.h - raw votes in memory: read from ReaL's vote files (.npz), from the
 * project's votes table, or derived from the project's own stage-ii
 * checkbox answers; and written into the project.  The numbers are then fed
 * to aggregate.h (majority, Dawid-Skene) and agreement.h.
 *
 * ReaL's format (Beyer et al. 2020, github.com/google-research/
 * reassessed-imagenet, raters.npz / golden.npz): an .npz with
 *   tensor  float R x N x A  one-hot answers of rater r to question n
 *                            (A = 3: no, maybe, yes); an all-zero
 *                            triple means r did not answer n
 *   info    <U  N x 2        (image file name, label index as text)
 *   ids     int R            rater ids
 */
#ifndef MLFY_REVIEW_VOTES_H
#define MLFY_REVIEW_VOTES_H

#include <stddef.h>
#include <stdint.h>
#include "review/aggregate.h"
#include "store/store.h"
#include "util/error.h"

/* Questions, raters and sparse votes.  Invariants: every vote's question <
 * n_questions, rater < n_raters, answer < n_answers; at most one vote per
 * (question, rater). */
struct mlfy_vote_set {
	size_t n_questions;
	char **image;             /* [n_questions] image names (owned) */
	int32_t *label;           /* [n_questions] class indices */
	int64_t *question_id;     /* [n_questions] store ids, or NULL (file) */
	size_t n_raters;
	char **rater;             /* [n_raters] rater names (owned; ReaL ids in decimal) */
	int n_answers;            /* answer options; 3 = no/maybe/yes */
	struct mlfy_vote *votes;  /* [n_votes] (owned) */
	size_t n_votes;
};

/* Frees everything and zeroes *v.  Accepts a zeroed struct. */
void mlfy_vote_set_release(struct mlfy_vote_set *v);

/* Reads a ReaL-format vote file.  The tensor and info members are inflated
 * in pieces through fixed buffers (under 1 MiB each) and decoded straight
 * into the sparse votes and question list, so memory is the votes, the
 * questions' names and the buffers, never the dense member.  Members may be
 * stored or deflated; the tensor may be float64, float32, float16, bool,
 * uint8, int32 or int64 (each element exactly 0 or 1).  Errors (MLFY_EINVAL,
 * naming the file and the element): missing members, shapes that disagree
 * (tensor R x N x A, info N x 2, ids R), a string tensor, corrupt or
 * truncated members (npz.h), A outside [2, MLFY_MAX_ANSWERS], a
 * triple that is neither all-zero nor one-hot, a label that is not a
 * non-negative integer, a rater id given twice in ids, a question (image,
 * label) given twice in info; MLFY_ENOTFOUND, MLFY_EIO, MLFY_ENOMEM. */
int mlfy_vote_set_read_npz(const char *path, struct mlfy_vote_set *out, struct mlfy_err *err);

/* Loads the project's stored votes of source (all sources when NULL) with
 * n_answers = 3, questions in question-id order, raters sorted by name.  A
 * rater who answered one question under several sources keeps the answer
 * of the first source in name order.  Errors: MLFY_ENOTFOUND when there are
 * no such votes, store errors. */
int mlfy_vote_set_from_store(struct mlfy_store *s, const char *source, struct mlfy_vote_set *out,
			     struct mlfy_err *err);

/* Derives votes from the project's current stage-ii annotations (the
 * project's own checkbox answers): for every annotator and every proposal
 * shown to them, ticked = yes (2), shown and not ticked = no (0); a label
 * added through the class search (outside the proposals) = yes.  Raters are
 * the annotator names.  Questions are (image, class) in image-name order
 * then class order.  Errors: MLFY_ENOTFOUND when nothing is annotated. */
int mlfy_vote_set_from_annotations(struct mlfy_store *s, struct mlfy_vote_set *out,
				   struct mlfy_err *err);

/* Writes v into the project under source, replacing every earlier vote of
 * that source (so re-importing a file is idempotent).  When check_classes
 * is non-zero, a label outside the project's classes is refused
 * (MLFY_EINVAL naming the question).  *n_questions / *n_votes (may be NULL)
 * receive what was stored.  Opens its own transaction (one transaction;
 * nothing is stored on error). */
int mlfy_vote_set_store(struct mlfy_store *s, const struct mlfy_vote_set *v, const char *source,
			int check_classes, int64_t *n_questions, int64_t *n_votes,
			struct mlfy_err *err);

/* What mlfy_vote_set_store_results did. */
struct mlfy_aggregate_apply {
	int64_t stored;        /* aggregation rows written */
	int64_t images;        /* distinct images among the questions */
	int64_t decided;       /* images given final labels (stage "aggregated") */
	int64_t changed;       /* of which new or different */
	int64_t kept;          /* images in the project decided by another stage, left alone */
	int64_t unknown;       /* images not in the project */
};

/* Stores one aggregation result per question of v (which must come from
 * mlfy_vote_set_from_store: question_id set) under method ("majority" or
 * "dawid-skene"), replacing the method's earlier results.  posterior and
 * label have v->n_questions elements.  When set_final is non-zero, every
 * image of the project among the questions whose final labels are absent or
 * "aggregated" gets the final set {labels with label[q] = 1} (stage
 * "aggregated"); images decided otherwise (agreed, refined, imported) are
 * kept.  One transaction; fills *res. */
int mlfy_vote_set_store_results(struct mlfy_store *s, const struct mlfy_vote_set *v, const char *method,
				const double *posterior, const uint8_t *label, double threshold, int set_final,
				struct mlfy_aggregate_apply *res, struct mlfy_err *err);

#endif
