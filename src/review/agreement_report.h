/* agreement_report.h - `mlfy agreement`: every agreement metric of
 * agreement.h computed for a project's stage-ii annotations or for a vote
 * file.  Reads the store or takes a vote set; prints nothing.
 *
 * Units.  Per-question metrics (Cohen's kappa per rater pair, Fleiss' kappa,
 * Krippendorff's nominal alpha) use the (image, label) questions: for a
 * project, every proposal shown to an annotator (ticked = yes, not ticked =
 * no) and every label added through the search (yes), i.e. the vote set of
 * mlfy_vote_set_from_annotations; for a vote file, its questions with the
 * answers as categories (no/maybe/yes).  Set metrics (alpha with the Jaccard
 * and MASI distances, exact-set agreement, mean Jaccard) use one label set
 * per (image, annotator): for a project the annotator's saved set; for a vote
 * file the labels a rater answered "yes", for raters who answered every
 * question of the image.
 */
#ifndef MLFY_REVIEW_AGREEMENT_REPORT_H
#define MLFY_REVIEW_AGREEMENT_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include "review/agreement.h"
#include "review/votes.h"
#include "store/store.h"

/* Pairwise Cohen's kappa is computed when there are at most this many raters. */
#define MLFY_PAIRWISE_MAX_RATERS 400

struct mlfy_pair_kappa {
	const char *a, *b;     /* rater names (borrowed from the report's raters) */
	size_t n;              /* questions both answered */
	double kappa;
	int defined;           /* 0: undefined (a single category) */
};

/* A coefficient that may be undefined. */
struct mlfy_coef {
	double value;
	int defined;
	char why[160];         /* when undefined: the reason */
};

struct mlfy_agreement_report {
	size_t n_questions, n_votes, n_raters;
	int n_answers;
	char **raters;                   /* names (owned) */
	struct mlfy_pair_kappa *pairs;   /* pairs with >= 1 common question, by (a, b) */
	size_t n_pairs;
	int pairwise_skipped;            /* 1 when there were too many raters */
	struct mlfy_coef mean_pair_kappa;  /* mean over defined pairs */
	double min_pair_kappa, max_pair_kappa;
	struct mlfy_coef fleiss;
	size_t fleiss_items;             /* questions with >= 2 answers */
	struct mlfy_coef alpha_nominal;
	double alpha_pairable;           /* pairable answers */
	size_t n_set_units;              /* images */
	size_t n_sets;                   /* label sets over all images */
	struct mlfy_coef alpha_jaccard, alpha_masi, alpha_sets_nominal;
	struct mlfy_set_agreement sets;  /* exact-set agreement, mean Jaccard */
};

void mlfy_agreement_report_release(struct mlfy_agreement_report *r);

/* Computes the report of a vote set (the set-level metrics as described
 * above).  Errors: MLFY_ENOMEM, MLFY_EINVAL for a malformed set. */
int mlfy_agreement_of_votes(const struct mlfy_vote_set *v, struct mlfy_agreement_report *out,
			    struct mlfy_err *err);

/* Computes the report of a project's current stage-ii annotations.
 * Errors: MLFY_ENOTFOUND when nothing is annotated, store errors. */
int mlfy_agreement_of_project(struct mlfy_store *s, struct mlfy_agreement_report *out,
			      struct mlfy_err *err);

#endif
