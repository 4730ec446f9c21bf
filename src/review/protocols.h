/* protocols.h - the paper's protocol beside ReaL's on the same images
 * (protocols.c): what each cost in people's seconds per image and how
 * their final sets agree with each other and with gold.  `mlfy quality`
 * prints it (issue 15, item 8; docs/verify.md, "Comparing the protocols").
 *
 * An image is compared when both protocols decided it: the paper's final
 * set (stage iii agreement or stage iv refinement) and the verification
 * protocol's set {labels whose aggregated result (`mlfy aggregate`, the
 * method named) is 1} with every verification question of the image
 * aggregated.  Time: the people's seconds spent on the image, summed over
 * everyone who worked on it (stage-ii annotators for the paper, raters of
 * the grid for ReaL's; store/protocol_input.h says how a grid page's time
 * is shared among its answers); mean with the normal 95 % interval of a
 * mean, and the median.  Agreement: the verification sets scored against
 * the paper's sets as quality.h scores an answer against a known set
 * (exact-set agreement with a Wilson interval, pooled sensitivity and
 * precision, mean Jaccard); each protocol's sets against gold on the gold
 * images among the compared. */
#ifndef MLFY_REVIEW_PROTOCOLS_H
#define MLFY_REVIEW_PROTOCOLS_H

#include <stddef.h>
#include <jansson.h>
#include <stdio.h>
#include "review/quality.h"
#include "store/store.h"

struct mlfy_protocol_side {
	double seconds_mean, seconds_lo, seconds_hi;  /* people's seconds per image (NAN: no image) */
	double seconds_median;
	double people_mean;                           /* people per image */
	struct mlfy_set_scores gold;                  /* sets against gold (n = gold images compared) */
};

struct mlfy_protocol_compare {
	char method[16];              /* the aggregation behind the verification sets; "" none stored */
	size_t images_verify;         /* images with verification answers */
	size_t images_aggregated;     /* of which with every verification question aggregated */
	size_t images_paper;          /* of which decided by the paper's protocol */
	size_t images_both;           /* compared: both of the above */
	struct mlfy_protocol_side paper, verify;   /* over the compared images */
	struct mlfy_set_scores between;            /* verification sets against the paper's sets */
};

/* Fills *out for project s (read only).  method is "dawid-skene",
 * "majority" or NULL: the first of those two with stored results for the
 * verification questions.  With no verification answer, images_verify is 0
 * and the rest is empty (not an error).  Errors: MLFY_EINVAL (an unknown
 * method), the store's, MLFY_ENOMEM. */
int mlfy_protocols_compare(struct mlfy_store *s, const char *method, struct mlfy_protocol_compare *out,
			   struct mlfy_err *err);

/* The comparison as a new JSON object ({"method", "images": {"verify",
 * "aggregated", "paper", "compared"}, "paper" and "verify": {"seconds":
 * {"mean", "ci_low", "ci_high", "median"}, "people", "gold"}, "between"}:
 * set scores as quality_format.h); NULL on OOM. */
json_t *mlfy_protocols_json(const struct mlfy_protocol_compare *c);

/* The readable form: a few lines; nothing when images_verify is 0.
 * Returns 0 or MLFY_EIO. */
int mlfy_protocols_print(FILE *f, const struct mlfy_protocol_compare *c);

#endif
