/* rater_quality.h - how well each rater of a ReaL-style vote file agrees
 * with experts (`mlfy quality --votes VOTES.npz --gold EXPERTS.npz`, the
 * raw-vote mode): per rater accuracy, sensitivity, specificity and maybe
 * rate with Wilson intervals, and the median and minimum accuracy over
 * raters.  The computation (mlfy_rater_quality_truth,
 * mlfy_rater_quality_compute) works on plain arrays, and the text and JSON
 * forms are here too.  Loading the two vote files and matching their
 * questions is review/rater_files.h's mlfy_rater_quality_files (it reads
 * them with review/votes.h, which evaluate/ may not include:
 * docs/architecture.md).
 *
 * Vote files (Beyer et al. 2020, "Are we done with ImageNet?",
 * arXiv:2006.07159; github.com/google-research/reassessed-imagenet,
 * raters.npz / golden.npz) hold one-hot answers no / maybe / yes of R
 * raters to N questions (image, label) and the raters' integer ids.
 *
 * Definitions (answers are coded -1 unanswered, 0 no, 1 maybe, 2 yes):
 *  - truth of a question: valid (1) when a strict majority of the experts
 *    who answered it answered yes (2 * yes > answered); "maybe" counts as
 *    not-yes.  Invalid (0) otherwise.  No truth (-1) when no expert
 *    answered it.
 *  - Only questions with a truth count for a rater; the others are left
 *    out (and counted in the report).
 *  - answers: questions with truth the rater answered (no, maybe or yes).
 *  - accuracy = correct / (yes + no answers), where yes is correct iff the
 *    truth is valid and no is correct iff it is invalid; maybe is left out.
 *  - sensitivity = yes / (yes + no answers on valid questions).
 *  - specificity = no / (yes + no answers on invalid questions).
 *  - maybe rate = maybe / answers.
 * Each is a struct mlfy_proportion (metrics.h) at z = MLFY_Z95: p = k/n and
 * the Wilson score interval [lo, hi]; p, lo and hi are NAN when n = 0.
 */
#ifndef MLFY_EVALUATE_RATER_QUALITY_H
#define MLFY_EVALUATE_RATER_QUALITY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "evaluate/metrics.h"
#include "util/error.h"

/* One rater's figures (definitions above). */
struct mlfy_rater_quality_row {
	int64_t id;                          /* rater id (ids[r] of the vote file) */
	size_t answers;                      /* questions with truth answered at all */
	struct mlfy_proportion accuracy;     /* correct of yes + no answers */
	struct mlfy_proportion sensitivity;  /* yes of yes + no on valid questions */
	struct mlfy_proportion specificity;  /* no of yes + no on invalid questions */
	struct mlfy_proportion maybe_rate;   /* maybe of answers */
};

/* The whole report.  Invariants: n_with_truth <= n_matched <= n_questions;
 * n_valid <= n_with_truth; n_scored <= n_raters; raters[] is in the vote
 * file's order.  When n_scored == 0, median_accuracy and min_accuracy are
 * NAN and min_rater_index is -1. */
struct mlfy_rater_quality_report {
	char *votes_path;          /* the vote file (owned), NULL from _compute */
	char *gold_path;           /* the experts' file (owned), NULL from _compute */
	size_t n_raters;
	struct mlfy_rater_quality_row *raters;  /* [n_raters] (owned) */
	size_t n_questions;        /* questions of the vote file */
	size_t n_matched;          /* of which also in the experts' file (= n_questions from _compute) */
	size_t n_with_truth;       /* of which answered by at least one expert */
	size_t n_valid;            /* of which valid by the experts' majority */
	double valid_share;        /* n_valid / n_with_truth; NAN when n_with_truth == 0 */
	size_t n_scored;           /* raters with at least one yes/no answer (accuracy.n > 0) */
	double median_accuracy;    /* median of accuracy.p over the scored raters (even
				    * count: mean of the two middle values) */
	double min_accuracy;       /* smallest accuracy.p over the scored raters */
	long min_rater_index;      /* index into raters[] of that rater (the first in
				    * file order on a tie); -1 when none */
};

/* Truth of n_questions questions from the answers of n_experts experts:
 * answers is [n_experts x n_questions] row-major (borrowed), each -1, 0, 1
 * or 2; truth[0..n_questions) receives -1 / 0 / 1 as defined above.
 * Errors: MLFY_EINVAL naming the first answer outside -1..2. */
int mlfy_rater_quality_truth(size_t n_experts, size_t n_questions, const int8_t *answers, int8_t *truth,
			     struct mlfy_err *err);

/* Scores n_raters raters on n_questions questions: answers is [n_raters x
 * n_questions] row-major with -1 / 0 / 1 / 2 (borrowed), truth [n_questions]
 * with -1 / 0 / 1 (borrowed), ids [n_raters] (borrowed).  *out is
 * overwritten (release it with mlfy_rater_quality_report_release, also
 * after an error); paths are NULL and n_matched = n_questions.  Errors:
 * MLFY_EINVAL naming the first bad answer[r][n] or truth[n], MLFY_ENOMEM. */
int mlfy_rater_quality_compute(size_t n_raters, size_t n_questions, const int8_t *answers, const int8_t *truth,
			       const int64_t *ids, struct mlfy_rater_quality_report *out, struct mlfy_err *err);

/* Frees what *r owns and zeroes it.  Accepts NULL and a zeroed report. */
void mlfy_rater_quality_report_release(struct mlfy_rater_quality_report *r);

/* Writes r as a table to f: the files and counts, one row per rater sorted
 * by accuracy ascending (raters without a yes/no answer last, each group
 * in file order on ties) with answers, n, accuracy [lo, hi], sensitivity,
 * specificity and maybe rate ("-" where n = 0), then the median and the
 * minimum with its rater.  Returns 0, MLFY_EIO when writing to f failed,
 * or MLFY_ENOMEM (nothing written). */
int mlfy_rater_quality_print_text(FILE *f, const struct mlfy_rater_quality_report *r);

/* r as a new JSON object (json_decref it; NULL when out of memory):
 * {"mode": "votes", "votes": path, "gold": path,
 *  "raters": [{"id", "answers", "accuracy": {"k", "n", "p", "ci_low",
 *              "ci_high"}, "sensitivity": {...}, "specificity": {...},
 *              "maybe_rate": {...}}]  (file order),
 *  "summary": {"raters", "questions" (matched), "questions_in_votes",
 *              "questions_left_out" (in votes without truth),
 *              "questions_with_truth", "valid_share", "scored_raters",
 *              "median_accuracy", "min_accuracy", "min_rater"}}.
 * p, ci_low and ci_high are null when n = 0; paths are null when absent;
 * valid_share, median_accuracy, min_accuracy and min_rater are null when
 * undefined. */
json_t *mlfy_rater_quality_json(const struct mlfy_rater_quality_report *r);

#endif
