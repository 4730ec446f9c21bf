/* rules.h - stage (iii): does an image's set of stage-ii annotations agree,
 * and if so on which final label set?  Pure functions, no I/O.
 *
 * Rules (docs/review.md has worked examples):
 *   paper      the seed paper's rule (Multilabelfy, stage iii): every assigned
 *              annotator submitted exactly the same label set AND that set
 *              contains the image's original (dataset) label.  Final set: the
 *              common set.
 *   unanimous  every annotator submitted the same set (the original label is
 *              not required; an agreed empty set is a valid decision).  Final
 *              set: the common set.
 *   majority   every label chosen by anyone is chosen by a strict majority
 *              (more than half) or rejected by a strict majority: no label is
 *              tied.  Final set: the labels chosen by a strict majority.  With
 *              two annotators this equals unanimous; with an odd number it
 *              always agrees.
 *   jaccard:T  the mean pairwise Jaccard similarity of the annotators' sets is
 *              >= T (0 < T <= 1).  Final set: the labels chosen by a strict
 *              majority (for two annotators, the intersection), so a label
 *              only one of two annotators saw is dropped, never added.
 * An image needs at least one annotation set to be judged; callers report
 * images with missing annotations instead of judging them.
 */
#ifndef MLFY_REVIEW_RULES_H
#define MLFY_REVIEW_RULES_H

#include <stddef.h>
#include <stdint.h>
#include "review/labelset.h"
#include "util/error.h"

enum mlfy_rule_kind {
	MLFY_RULE_PAPER,
	MLFY_RULE_UNANIMOUS,
	MLFY_RULE_MAJORITY,
	MLFY_RULE_JACCARD,
};

struct mlfy_rule {
	enum mlfy_rule_kind kind;
	double threshold;   /* jaccard only: T in (0, 1] */
};

/* Parses "paper", "unanimous", "majority" or "jaccard:T" (T a decimal in
 * (0, 1]; "jaccard" alone means T = 0.8).  Errors: MLFY_EINVAL naming the
 * text. */
int mlfy_rule_parse(const char *text, struct mlfy_rule *rule, struct mlfy_err *err);

/* Writes the canonical name ("paper", "jaccard:0.8") into buf (>= 32 bytes). */
void mlfy_rule_name(const struct mlfy_rule *rule, char buf[32]);

/* Why an image did not agree (stored in refinement_queue.reason). */
enum mlfy_rule_reason {
	MLFY_REASON_AGREED = 0,
	MLFY_REASON_SETS_DIFFER,        /* paper/unanimous: the sets are not identical */
	MLFY_REASON_ORIGINAL_MISSING,   /* paper: identical sets without the original label */
	MLFY_REASON_MAJORITY_TIE,       /* majority: a label is chosen by exactly half */
	MLFY_REASON_JACCARD_LOW,        /* jaccard: mean pairwise Jaccard below T */
	MLFY_REASON_UNSURE,             /* any rule: an annotator answered "unsure" (analyze.c) */
	MLFY_N_REASONS
};

/* Stable lowercase code of a reason ("sets_differ", ...). */
const char *mlfy_rule_reason_code(enum mlfy_rule_reason r);

/* Judges one image.  sets[0..n_sets) are the annotators' label sets
 * (borrowed, each strictly ascending); original_label is the dataset label
 * or -1 when there is none (the paper rule then never agrees).
 * On return *reason is MLFY_REASON_AGREED or why not; when agreed, the final
 * set is written to out[0..*n_out) (strictly ascending; out must hold at
 * least the sum of the input sets' sizes: a majority set can be larger than
 * every single set).  *mean_jaccard (may be NULL)
 * receives the mean pairwise Jaccard similarity (1 for a single set).
 * Errors: MLFY_EINVAL when n_sets == 0, MLFY_ENOMEM. */
int mlfy_rule_judge(const struct mlfy_rule *rule, const struct mlfy_labelset *sets,
		    size_t n_sets, int original_label, enum mlfy_rule_reason *reason,
		    int32_t *out, size_t *n_out, double *mean_jaccard, struct mlfy_err *err);

#endif
