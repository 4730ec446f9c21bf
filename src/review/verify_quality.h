/* verify_quality.h - the raters of ReaL's verification grid, one by one
 * (verify_quality.c): what they answered, how their answers agree with the
 * aggregated result and with gold, their time, and the flags a coordinator
 * acts on.  `mlfy quality` prints it after the per-person tables of the
 * paper's protocol (docs/quality.md, "Raters of the verification grid").
 *
 * Per rater (an account with a verification assignment or answer):
 *   assigned     verification questions assigned (verify_assignments)
 *   answered     questions with a current answer (latest version)
 *   yes/maybe/no shares of the current answers; bulk: of those, the ones
 *                given by the "no for the rest" key
 *   aggregated   the current yes/no answers (maybe left out) on questions
 *                with a stored result of the method (`mlfy aggregate`),
 *                scored against its label: accuracy = (yes on 1 + no on
 *                0) / n, sensitivity = yes on 1 / answers on 1,
 *                specificity = no on 0 / answers on 0.  The rater's own
 *                answer is one of the votes behind the result (not left
 *                out), which flatters everyone a little.
 *   gold         the same against gold: on a gold image (gold_images,
 *                gold_labels) the question (image, label) is true when the
 *                label is in the image's gold set
 *   time         median seconds per answer over every answer the rater gave
 *                (all versions: each took time), an answer costing its
 *                page's seconds / the page's answers (store/protocol_input.h)
 * Proportions carry Wilson 95 % intervals (evaluate/metrics.h).
 *
 * Flags (each with its reason), mirroring review/quality.h:
 *   low_accuracy  the whole 95 % interval of the gold accuracy (when the
 *                 rater answered yes/no on gold images, else of the
 *                 aggregated accuracy) lies below min_accuracy
 *   speeder       median seconds per answer below a third of the raters'
 *                 pooled median (every answer of every rater)
 *   yes_sayer     the lower end of the Wilson interval of the rater's yes
 *                 share lies more than half the way from the rest of the
 *                 raters' pooled yes share r to 100 % (lo > r + (1-r)/2):
 *                 the rubber-stamper rule of quality.h; most proposals in
 *                 the grid are wrong labels, so someone who says yes to
 *                 nearly everything stands out. */
#ifndef MLFY_REVIEW_VERIFY_QUALITY_H
#define MLFY_REVIEW_VERIFY_QUALITY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "evaluate/metrics.h"
#include "store/store.h"

/* yes/no answers scored against a known truth; n = accuracy.n */
struct mlfy_binary_scores {
	struct mlfy_proportion accuracy, sensitivity, specificity;
};

enum {
	MLFY_VFLAG_LOW_ACCURACY = 1u << 0,
	MLFY_VFLAG_SPEEDER = 1u << 1,
	MLFY_VFLAG_YES_SAYER = 1u << 2,
};

struct mlfy_verify_rater {
	char *name;                   /* owned */
	int64_t id;                   /* annotators.id */
	size_t assigned, answered;
	struct mlfy_proportion yes, maybe, no;   /* of the current answers */
	struct mlfy_proportion bulk;              /* of the current answers */
	struct mlfy_binary_scores aggregated, gold;
	size_t timed;                 /* answers (all versions) behind the median */
	double median_seconds;        /* NAN when timed == 0 */
	unsigned flags;
	char reason[3][200];          /* the reason of each flag ("" when not flagged) */
};

struct mlfy_verify_quality {
	char method[16];              /* the aggregation scored against; "" none */
	size_t answers;               /* verification answers of the project, all versions */
	struct mlfy_verify_rater *raters;   /* owned, by name */
	size_t n_raters;
	struct mlfy_proportion yes;   /* pooled yes share of every rater's current answers */
	double median_seconds;        /* pooled median seconds per answer (NAN: none) */
	double min_accuracy;
};

void mlfy_verify_quality_release(struct mlfy_verify_quality *q);

/* Fills *out for project s (read only).  method is the aggregation the
 * answers are scored against, "dawid-skene" or "majority", as
 * mlfy_protocols_compare (protocols.h) chose it (its out->method: the
 * first of the two with stored results, or the one named); NULL or ""
 * scores against none.  min_accuracy in [0, 1] is the low_accuracy
 * threshold.  With no verification answer, answers is 0 (not an error).
 * Errors: MLFY_EINVAL (an unknown method, min_accuracy outside [0, 1]),
 * the store's, MLFY_ENOMEM.  On error *out is empty. */
int mlfy_verify_quality_compute(struct mlfy_store *s, const char *method, double min_accuracy,
				struct mlfy_verify_quality *out, struct mlfy_err *err);

/* Flag names: "low_accuracy", "speeder", "yes_sayer" for bit i. */
const char *mlfy_verify_flag_name(int i);

/* As a new JSON object: {"method" (null: none), "min_accuracy",
 * "pooled": {"answers", "yes", "median_seconds"}, "raters": [{"name",
 * "assigned", "answered", "yes", "maybe", "no", "bulk", "aggregated" and
 * "gold": {"n", "accuracy", "sensitivity", "specificity"}, "time": {"n",
 * "median_seconds"}, "flags": [{"flag", "reason"}]}]}; proportions as
 * evaluate/proportion_json.h.  NULL on OOM. */
json_t *mlfy_verify_quality_json(const struct mlfy_verify_quality *q);

/* The readable form: a table of answers and time, one of scores, the
 * flags with their reasons; nothing when answers is 0.  Returns 0 or
 * MLFY_EIO. */
int mlfy_verify_quality_print(FILE *f, const struct mlfy_verify_quality *q);

#endif
