/* proportion_json.h - a proportion with its Wilson interval as JSON
 * (proportion_json.c), the one shape `mlfy quality` uses for every
 * proportion: {"k": K, "n": N, "p": P, "ci_low": LO, "ci_high": HI}, the
 * numbers null when n == 0 (JSON has no NaN). */
#ifndef MLFY_EVALUATE_PROPORTION_JSON_H
#define MLFY_EVALUATE_PROPORTION_JSON_H

#include <jansson.h>
#include "evaluate/metrics.h"

/* A new JSON object (the caller owns the reference); NULL on OOM. */
json_t *mlfy_proportion_json(const struct mlfy_proportion *p);

/* v as a JSON real, or null when v is NaN or infinite. */
json_t *mlfy_real_or_null(double v);
#endif
