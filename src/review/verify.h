/* verify.h - ReaL's verification protocol (Beyer et al. 2020, "Are we done
 * with ImageNet?", section 3): (image, proposed label) questions, each
 * given to K raters who answer no / maybe / yes, one label at a time in a
 * grid of images (web/verify.html).  This file is the one place that
 * decides which questions exist, who answers which, and whether a page of
 * answers is valid; the CLI (cmd_questions.c, cmd_assign.c) and the web
 * server (serve/verify.c) only map their input to these structs.
 *
 * Answers are kept as an append-only history (one row per answer per page,
 * a version per (question, rater)); the current answer of each (question,
 * rater) is its latest version.  The current answers are the project's
 * votes of source MLFY_VERIFY_SOURCE ("verify"), read by
 * mlfy_vote_set_from_store (votes.h) beside imported ReaL votes, so
 * `mlfy aggregate PROJECT` aggregates them with the same code.
 */
#ifndef MLFY_REVIEW_VERIFY_H
#define MLFY_REVIEW_VERIFY_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"
#include "util/error.h"

/* The vote source of the grid's answers (votes.h, mlfy_vote_set_from_store). */
#define MLFY_VERIFY_SOURCE "verify"
/* Answer codes, as in ReaL's files (tensor[..., a]) and the votes table. */
#define MLFY_VERIFY_NO 0
#define MLFY_VERIFY_MAYBE 1
#define MLFY_VERIFY_YES 2
/* Most answers one page may carry. */
#define MLFY_VERIFY_PAGE_MAX 500
/* Longest client page id (the offline re-send key), in bytes. */
#define MLFY_VERIFY_PAGE_ID_MAX 64

/* ---- questions (`mlfy questions`) ------------------------------------------ */

struct mlfy_questions_opts {
	int top_k;                    /* proposals per image and model, 1..MLFY_SHOWN_MAX (20, store/proposals.h) */
	double min_score;             /* keep proposals with score >= min_score, in [0, 1] */
	int with_original;            /* also ask about each image's original label */
	const char *const *models;    /* model names whose proposals are combined; NULL: the active model */
	size_t n_models;
	int dry_run;                  /* count, write nothing (reads one snapshot: a read-only handle will do) */
};

struct mlfy_questions_result {
	int64_t images;        /* images considered */
	int64_t candidates;    /* distinct (image, label) pairs the options give */
	int64_t added;         /* new questions (0 on a re-run with the same options) */
	int64_t existing;      /* already verification questions, left as they were */
	int64_t from_original; /* candidates that are only there as the original label */
};

/* Makes the verification questions: for every image of the project (gold
 * images included; images without proposals of a model only get what other
 * models or the original label give), the union over the models of the
 * top_k proposals whose score >= min_score, plus the original label when
 * with_original is set.  Re-running adds what is missing and never removes
 * a question (one with answers keeps them).  Each new question records
 * its origin ("model:NAME rank R; ...; original").  One transaction;
 * nothing is written on error or with dry_run (which counts r->added as
 * the candidates that are not questions yet).  Errors: MLFY_EINVAL (top_k,
 * min_score out of range, a model named twice: message names the option,
 * "top: ...", "min-score: ...", "models: ..."), MLFY_ENOTFOUND (a named
 * model does not exist; no active model when models is NULL), store
 * errors. */
int mlfy_verify_questions(struct mlfy_store *s, const struct mlfy_questions_opts *o,
			  struct mlfy_questions_result *r, struct mlfy_err *err);

/* ---- assignment (`mlfy assign --protocol verify`) ---------------------------- */

struct mlfy_verify_assign_opts {
	int per_question;             /* raters per question, >= 1 */
	const char *const *annotators;/* account names (any role); NULL: every enabled annotator */
	size_t n_annotators;
	int dry_run;                  /* report, write nothing (reads one snapshot: a read-only handle will do) */
};

struct mlfy_verify_load {
	char *name;            /* account name (owned) */
	int64_t questions;     /* questions assigned after the run */
	int64_t added;         /* of which added by this run */
};

struct mlfy_verify_assign_result {
	int64_t questions;     /* verification questions */
	int64_t added;         /* assignments added */
	int64_t short_questions; /* questions left with fewer than per_question raters */
	struct mlfy_verify_load *loads;  /* [n_loads] one per candidate, by name (owned) */
	size_t n_loads;
};

/* Gives every verification question to per_question raters among the
 * candidates, balanced: each missing slot goes to the candidate with the
 * fewest assigned questions (ties by name), never twice the same person.
 * Existing assignments are kept (re-running only fills what is missing).
 * Questions of one label go to raters as whole label groups where loads
 * allow, so a grid page fills up.  The rule in full (water-filling targets,
 * then McNaughton's wrap-around runs over the questions ordered by label,
 * then least-loaded for what is left) is at the top of verify_assign.c; on
 * a first run with per_question <= candidates it gives every question
 * exactly per_question raters and loads within one question of each other
 * (tests/review/test_verify.c).  Existing assignments of accounts outside
 * the candidates count toward a question's raters.  One transaction;
 * nothing is written on error or with dry_run.  Errors: MLFY_EINVAL (per_question < 1
 * or more than the candidates, an unknown or disabled account, a name
 * twice), MLFY_ENOTFOUND (no questions: run `mlfy questions`), store
 * errors.  Free the result with mlfy_verify_assign_result_release. */
int mlfy_verify_assign(struct mlfy_store *s, const struct mlfy_verify_assign_opts *o,
		       struct mlfy_verify_assign_result *r, struct mlfy_err *err);
void mlfy_verify_assign_result_release(struct mlfy_verify_assign_result *r);

/* ---- the grid: what a rater has to do --------------------------------------- */

struct mlfy_verify_label {
	int32_t class_idx;
	char *name;            /* class name (owned) */
	int64_t pending;       /* assigned questions of this label without a current answer */
	int64_t answered;      /* assigned questions of this label answered */
};

/* The labels the rater has questions for, most pending first (then class
 * index).  *out (owned, free with mlfy_verify_labels_release) has *n rows.
 * Errors: store errors. */
int mlfy_verify_labels(struct mlfy_store *s, int64_t annotator_id, struct mlfy_verify_label **out,
		       size_t *n, struct mlfy_err *err);
void mlfy_verify_labels_release(struct mlfy_verify_label *v, size_t n);

struct mlfy_verify_item {
	int64_t question_id;
	int64_t image_id;      /* images.id (0 when the image is not in the project) */
	char *image;           /* image name (owned) */
	int answer;            /* current answer of this rater, -1 when none */
	int64_t version;       /* current version of this rater's answer, 0 when none */
};

/* The rater's questions about class_idx, in question order: the pending
 * ones (no current answer) first, then, when include_answered is set, the
 * answered ones; at most limit items from offset.  *total receives the
 * number of pending questions of the label.  *out (owned, free with
 * mlfy_verify_items_release) has *n rows.  Errors: store errors. */
int mlfy_verify_items(struct mlfy_store *s, int64_t annotator_id, int32_t class_idx, int include_answered,
		      size_t offset, size_t limit, struct mlfy_verify_item **out, size_t *n, int64_t *total,
		      struct mlfy_err *err);
void mlfy_verify_items_release(struct mlfy_verify_item *v, size_t n);

/* The image of one of the rater's questions about class_idx, for the
 * grid's image route: *image_id = its images.id (0 when no project image
 * has the question's image name).  MLFY_EPERM when question_id is not a
 * question about class_idx assigned to annotator_id (answered or not).
 * One index lookup.  Errors: store errors. */
int mlfy_verify_image_of(struct mlfy_store *s, int64_t annotator_id, int32_t class_idx, int64_t question_id,
			 int64_t *image_id, struct mlfy_err *err);

/* *only = 1 when annotator_id's work is the verification grid alone: some
 * verification questions and no stage-ii batch or gold task (the web
 * server then sends the person's login to /verify instead of /annotate).
 * Errors: store errors. */
int mlfy_verify_only(struct mlfy_store *s, int64_t annotator_id, int *only, struct mlfy_err *err);

/* ---- submitting a page -------------------------------------------------------- */

struct mlfy_verify_answer_in {
	int64_t question_id;
	int answer;            /* MLFY_VERIFY_NO, _MAYBE or _YES */
	int bulk;              /* 1: given by the "no for every unanswered image" key */
	double seconds;        /* time spent on this answer, [0, 1e7) */
	int64_t base_version;  /* the version the page showed (0: unanswered) */
};

struct mlfy_verify_submit {
	int64_t annotator_id;
	int32_t class_idx;            /* the page's label; every question must be about it */
	const char *client_page_id;   /* the page's id chosen by the client, 1..MLFY_VERIFY_PAGE_ID_MAX
				       * printable ASCII: a re-send of a stored page is answered as
				       * the first time and writes nothing */
	double seconds;               /* time on the page, [0, 1e7) */
	double elapsed_max;           /* when > 0, seconds is clamped to it (the server's clock) */
	const struct mlfy_verify_answer_in *answers;
	size_t n_answers;             /* 1..MLFY_VERIFY_PAGE_MAX */
};

struct mlfy_verify_submit_result {
	int64_t page_id;       /* the stored page (the earlier one on a re-send) */
	int replayed;          /* 1: the page had been stored before; nothing written */
	size_t stored;         /* answers stored by this page */
	size_t conflict;       /* on MLFY_ECONFLICT: index of the first stale answer */
	int64_t conflict_version; /* ... and its current version */
	int conflict_answer;      /* ... and its current answer */
};

/* Checks a page without the store and returns 0 or MLFY_EINVAL naming the
 * first bad field ("answers[3].answer: ...", "page_id: ..." for
 * client_page_id, as the web API calls it, "seconds: ..."): counts,
 * answer codes, bulk 0/1, finite seconds in range, base_version >= 0, no
 * question twice. */
int mlfy_verify_check(const struct mlfy_verify_submit *in, struct mlfy_err *err);

/* Stores a page of answers in one transaction (call it outside one); the
 * page's and each answer's seconds are clamped to elapsed_max when > 0:
 * mlfy_verify_check; a client_page_id already stored for this annotator is
 * a re-send: *res describes the stored page (page_id, stored = its answer
 * count), replayed = 1, MLFY_OK, nothing written; every question exists
 * and is assigned to the annotator (else MLFY_EPERM "answers[i]: ...", an
 * unknown question id too) and is about class_idx (MLFY_EINVAL
 * "answers[i].question_id: ..."); each
 * base_version equals the current version of (question, annotator)
 * (MLFY_ECONFLICT: res->conflict* say which and what stands; nothing
 * written); then one page row and one answer row per answer (version =
 * base_version + 1).  A failure writes nothing. */
int mlfy_verify_submit(struct mlfy_store *s, const struct mlfy_verify_submit *in,
		       struct mlfy_verify_submit_result *res, struct mlfy_err *err);

#endif
