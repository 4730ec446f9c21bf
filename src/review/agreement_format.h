/* agreement_format.h - the `mlfy agreement` report (a struct
 * mlfy_agreement_report, agreement_report.h) as text or JSON.
 *
 * JSON (docs/review.md): {"questions", "votes", "raters", "answer_options",
 * "fleiss_kappa", "fleiss_items", "krippendorff_alpha_nominal",
 * "mean_pair_cohen_kappa", "min_pair_cohen_kappa", "max_pair_cohen_kappa"
 * (when the mean is defined), "set_units", "krippendorff_alpha_jaccard",
 * "krippendorff_alpha_masi", "krippendorff_alpha_sets_nominal",
 * "exact_set_agreement", "exact_set_images", "mean_jaccard", "pairs": [{"a",
 * "b", "questions", "cohen_kappa"}]}; an undefined coefficient is null.
 */
#ifndef MLFY_REVIEW_AGREEMENT_FORMAT_H
#define MLFY_REVIEW_AGREEMENT_FORMAT_H

#include <stdio.h>
#include <jansson.h>
#include "review/agreement_report.h"
#include "util/error.h"

/* The report as text to f; src names the input in the first line.  The
 * rater pairs are listed when all_pairs is set or there are at most 20 of
 * them.  Errors: MLFY_EIO on a write error. */
int mlfy_agreement_write_text(FILE *f, const char *src, const struct mlfy_agreement_report *r, int all_pairs,
			      struct mlfy_err *err);

/* The report as a new JSON object, every rater pair included (json_decref
 * it). */
json_t *mlfy_agreement_json(const struct mlfy_agreement_report *r);

#endif
