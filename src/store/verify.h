/* verify.h - the tables of ReaL's verification protocol (verify.c):
 * verify_questions (which questions of the questions table the project
 * asks its raters), verify_assignments (who answers which), verify_pages
 * and verify_answers (the grid's pages and answers, append-only, a version
 * per (question, rater)).  Only the SQL: the rules (which questions, who
 * gets which, whether a page is valid) are in review/verify.c.
 * Writes need an open transaction (MLFY_EINVAL otherwise).  Arrays
 * returned are new (free() them, and their strings where noted). */
#ifndef MLFY_STORE_VERIFY_H
#define MLFY_STORE_VERIFY_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

/* ---- questions --------------------------------------------------------------- */

/* One (image, label) candidate a proposal or an original label gives. */
struct mlfy_vq_candidate {
	char *image;        /* image name (owned) */
	int32_t class_idx;
	int32_t rank;       /* proposal rank (0 = top-1); -1 for an original label */
};

/* Appends to *out (a growing array of *n elements; may be NULL with *n 0)
 * the proposals of model_id with rank < top_k and score >= min_score, in
 * (image id, rank) order.  On failure what this call appended is freed. */
int mlfy_vq_store_proposals(struct mlfy_store *s, int64_t model_id, int top_k, double min_score,
			    struct mlfy_vq_candidate **out, size_t *n, struct mlfy_err *err);

/* Appends the original label of every image that has one (rank -1). */
int mlfy_vq_store_originals(struct mlfy_store *s, struct mlfy_vq_candidate **out, size_t *n,
			    struct mlfy_err *err);

/* Frees n candidates and the array.  Accepts NULL. */
void mlfy_vq_candidates_free(struct mlfy_vq_candidate *c, size_t n);

/* *n = the number of images of the project. */
int mlfy_vq_store_count_images(struct mlfy_store *s, int64_t *n, struct mlfy_err *err);

/* *exists = 1 when (image, class_idx) is already a verification question,
 * else 0 (a read; needs no transaction). */
int mlfy_vq_store_is_question(struct mlfy_store *s, const char *image, int32_t class_idx, int *exists,
			      struct mlfy_err *err);

/* Makes (image, class_idx) a verification question with origin (text,
 * borrowed): finds or creates the questions row (store/votes.h) and adds
 * its verify_questions row unless there is one (an existing one keeps its
 * origin).  *added = 1 when the row was added.  Needs a transaction. */
int mlfy_vq_store_add(struct mlfy_store *s, const char *image, int32_t class_idx, const char *origin,
		      int *added, struct mlfy_err *err);

/* A verification question as assignment sees it. */
struct mlfy_vq_row {
	int64_t question_id;
	int32_t class_idx;
	int32_t have;       /* raters assigned (any account) */
};

/* Every verification question, ordered by class index then question id,
 * with its number of assigned raters: *out a new array of *n rows. */
int mlfy_vq_store_list(struct mlfy_store *s, struct mlfy_vq_row **out, size_t *n, struct mlfy_err *err);

/* ---- assignments ----------------------------------------------------------------- */

/* An account that may answer questions. */
struct mlfy_vq_person {
	int64_t id;
	char *name;         /* owned */
	int64_t load;       /* verification questions assigned to it */
};

/* Every enabled account with role annotator, ordered by name, with its
 * load: *out a new array (mlfy_vq_people_free). */
int mlfy_vq_store_annotators(struct mlfy_store *s, struct mlfy_vq_person **out, size_t *n,
			     struct mlfy_err *err);
/* *load = the verification questions assigned to annotator_id. */
int mlfy_vq_store_load(struct mlfy_store *s, int64_t annotator_id, int64_t *load, struct mlfy_err *err);
void mlfy_vq_people_free(struct mlfy_vq_person *p, size_t n);

/* One (question, rater) assignment. */
struct mlfy_vq_pair {
	int64_t question_id;
	int64_t annotator_id;
};

/* Every assignment, ordered by question id then annotator id. */
int mlfy_vq_store_assignments(struct mlfy_store *s, struct mlfy_vq_pair **out, size_t *n,
			      struct mlfy_err *err);

/* Assigns question_id to annotator_id (now).  A pair already there is a
 * store error (MLFY_ESTORE: the caller never adds one twice).  Needs a
 * transaction. */
int mlfy_vq_store_assign(struct mlfy_store *s, int64_t question_id, int64_t annotator_id,
			 struct mlfy_err *err);

/* ---- the grid ------------------------------------------------------------------------ */

/* One label of a rater's questions. */
struct mlfy_vq_label_row {
	int32_t class_idx;
	char *name;         /* class name, "" when not a class (owned) */
	int64_t pending, answered;
};

/* The rater's labels, most pending first, then class index. */
int mlfy_vq_store_labels(struct mlfy_store *s, int64_t annotator_id, struct mlfy_vq_label_row **out,
			 size_t *n, struct mlfy_err *err);

struct mlfy_vq_item_row {
	int64_t question_id;
	int64_t image_id;   /* 0 when no project image has the question's name */
	char *image;        /* owned */
	int answer;         /* current answer, -1 when none */
	int64_t version;    /* current version, 0 when none */
};

/* The rater's questions about class_idx: pending first, then (with
 * include_answered) the answered, each by question id; limit rows from
 * offset.  *pending = the number of pending questions of the label. */
int mlfy_vq_store_items(struct mlfy_store *s, int64_t annotator_id, int32_t class_idx, int include_answered,
			size_t offset, size_t limit, struct mlfy_vq_item_row **out, size_t *n, int64_t *pending,
			struct mlfy_err *err);

/* *image_id = the project image of question_id when the question is
 * assigned to annotator_id and about class_idx (0: no project image has
 * its name), -1 when it is not such a question.  One index lookup. */
int mlfy_vq_store_image_of(struct mlfy_store *s, int64_t annotator_id, int32_t class_idx, int64_t question_id,
			   int64_t *image_id, struct mlfy_err *err);

/* *only = 1 when annotator_id has verification assignments and neither a
 * stage-ii batch nor a gold task (review/verify.h, mlfy_verify_only). */
int mlfy_vq_store_only(struct mlfy_store *s, int64_t annotator_id, int *only, struct mlfy_err *err);

/* ---- submitting -------------------------------------------------------------------- */

/* *page_id = the page annotator_id stored under client_page_id (0: none)
 * and *n_answers its answers. */
int mlfy_vq_store_page_find(struct mlfy_store *s, int64_t annotator_id, const char *client_page_id,
			    int64_t *page_id, int64_t *n_answers, struct mlfy_err *err);

/* What stored page page_id holds: *class_idx its label; and, for
 * question_id, *answer and *bulk of the page's answer to it (*answer = -1
 * when the page has no answer to that question). */
int mlfy_vq_store_page_answer(struct mlfy_store *s, int64_t page_id, int64_t question_id, int32_t *class_idx,
			      int *answer, int *bulk, struct mlfy_err *err);

/* What a page's answer to question_id by annotator_id meets. */
struct mlfy_vq_state {
	int is_question;    /* 1: a verification question */
	int32_t class_idx;  /* its label */
	int assigned;       /* 1: assigned to the annotator */
	int64_t version;    /* the current version of the annotator's answer, 0: none */
	int answer;         /* the current answer, -1: none */
};

int mlfy_vq_store_state(struct mlfy_store *s, int64_t question_id, int64_t annotator_id,
			struct mlfy_vq_state *out, struct mlfy_err *err);

/* Appends a page (now); *page_id receives its id.  Needs a transaction. */
int mlfy_vq_store_page_add(struct mlfy_store *s, int64_t annotator_id, int32_t class_idx,
			   const char *client_page_id, double seconds, int64_t *page_id, struct mlfy_err *err);

/* Appends an answer of the page.  A (question, annotator, version) already
 * there is MLFY_ECONFLICT (a concurrent save won).  Needs a transaction. */
int mlfy_vq_store_answer_add(struct mlfy_store *s, int64_t page_id, int64_t question_id,
			     int64_t annotator_id, int answer, int bulk, double seconds, int64_t version,
			     struct mlfy_err *err);

/* ---- invariants (`mlfy check`) ------------------------------------------------------- */

/* Violations of the verification tables' invariants (docs/schema.md), as
 * row counts; all 0 in a sound project. */
struct mlfy_verify_check_counts {
	int64_t unassigned_answers;  /* answers of a rater the question is not assigned to */
	int64_t page_mismatch;       /* answers whose page is another rater's or another label's */
	int64_t version_gaps;        /* answers of version v > 1 without version v - 1 */
	int64_t unknown_classes;     /* verification questions whose label is not a class */
};

int mlfy_verify_check_store(struct mlfy_store *s, struct mlfy_verify_check_counts *out, struct mlfy_err *err);

#endif
