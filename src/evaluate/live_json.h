/* live_json.h - the live project view (live.h) as JSON (live_json.c), for
 * the coordinator's web console.  Shape (numbers as counted; every
 * proportion P = {"k", "n", "p", "ci_low", "ci_high"} of
 * proportion_json.h, p and the Wilson 95 % interval in [0, 1], null when
 * n == 0):
 *
 *   {"seq": S, "labels": "project PATH", "images": N, "decided": D,
 *    "undecided": U, "empty_sets": E, "no_original": O, "max_count": 4,
 *    "z": 1.96,
 *    "models": [{"model": NAME, "id": ID, "active": true|false,
 *                "predicted": IMAGES_WITH_A_RANK0_PROPOSAL,
 *                "top1": P, "real": P,
 *                "by_label_count": [{"label_count": "0".."4" | ">4",
 *                                    "top1": P, "real": P}]}],
 *    "label_counts": {"images": D, "labels": L, "mean_labels": X,
 *                     "counts": [{"labels": C, "images": I, "percent": Q}],
 *                     "more_than_2": {"images", "percent"},
 *                     "at_least_2": {"images", "percent"}},
 *    "coverage": null | {"model": NAME, "k": 20, "images": I,
 *                        "images_without_proposals": J, "labels": L,
 *                        "within": P, "outside": P},
 *    "fit": null | {"n", "slope", "intercept", "r2", "resid_sd"},
 *    "fit_reason": "why there is no fit" (only when fit is null)}
 *
 * "models" in models.id order; percent in [0, 100] as `mlfy stats --json`
 * writes it.  The fit is ReaL on top-1 accuracy in % (mlfy_live_scores).
 */
#ifndef MLFY_EVALUATE_LIVE_JSON_H
#define MLFY_EVALUATE_LIVE_JSON_H

#include <jansson.h>
#include "evaluate/live.h"

/* A new JSON object for v (the caller owns the reference); NULL when out
 * of memory. */
json_t *mlfy_live_json(const struct mlfy_live_view *v);

#endif
