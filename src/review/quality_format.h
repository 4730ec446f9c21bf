/* quality_format.h - `mlfy quality` as text and JSON (quality_format.c).
 *
 * JSON: {"min_accuracy": T, "team": {...}, "annotators": [one object per
 * person: "name", "role", "answers", "gold_tasks", "refinements",
 * "gold" and "final" ({"n", "exact", "sensitivity", "precision",
 * "jaccard"}: proportions as evaluate/proportion_json.h, jaccard
 * {"mean", "ci_low", "ci_high"}), "dawid_skene" ({"sensitivity",
 * "specificity"} or null), "behaviour", "time", "flags" ([{"flag",
 * "reason"}])], "anchoring": {...} (only when asked)}. */
#ifndef MLFY_REVIEW_QUALITY_FORMAT_H
#define MLFY_REVIEW_QUALITY_FORMAT_H

#include <jansson.h>
#include <stdio.h>
#include "review/anchoring.h"
#include "review/quality.h"

/* A new JSON object; anch may be NULL (no "anchoring" key).  NULL on OOM. */
json_t *mlfy_quality_json(const struct mlfy_quality *q, const struct mlfy_anchoring *anch);

/* The readable form: one table of scores, one of behaviour and time, the
 * flags with their reasons, the anchoring arms when anch is given.
 * Returns 0 or MLFY_EIO. */
int mlfy_quality_print(FILE *f, const struct mlfy_quality *q, const struct mlfy_anchoring *anch);

/* Set scores (quality.h) as {"n", "exact", "sensitivity", "precision",
 * "jaccard": {"mean", "ci_low", "ci_high"}}, proportions as
 * evaluate/proportion_json.h; a new object, NULL on OOM. */
json_t *mlfy_set_scores_json(const struct mlfy_set_scores *s);

/* A proportion as "0.850 [0.800, 0.890]" (its Wilson interval) into
 * buf[n], or "-" when its n is 0; returns buf. */
const char *mlfy_quality_pci(char *buf, size_t n, const struct mlfy_proportion *p);

/* Flag names: "low_accuracy", "speeder", "rubber_stamper" for bit i. */
const char *mlfy_quality_flag_name(int i);
#endif
