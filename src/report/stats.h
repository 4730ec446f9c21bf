/* stats.h - the `mlfy stats` report as text or JSON: the label-count
 * distribution of a label file or of a project's final labels, and for a
 * project its decisions by stage, review counts and proposal coverage
 * (evaluate/label_counts.h, evaluate/project_stats.h compute them).
 *
 * JSON (docs/evaluate.md): {"source", "kind": "file"|"project", "format"
 * (files), "images", "labels", "mean_labels", "counts": [{"labels", "images",
 * "percent"}], "rest": {"more_than", "images", "percent"} (with max_k),
 * "more_than_2", "at_least_2": {"images", "percent"}}; a project adds
 * "undecided", "by_stage": {stage: images}, "review": {...} and
 * "proposal_coverage": {"model", "images", "images_without_proposals",
 * "labels", "k_max", "by_k": [{"k", "labels", "labels_of_1", "labels_of_2",
 * "labels_of_3", "labels_of_more_than_3", "images_fully_covered"}] in
 * percent (null when undefined), "outside_percent", "k_for_99_percent"}
 * (when the project has proposals and decided labels).
 */
#ifndef MLFY_REPORT_STATS_H
#define MLFY_REPORT_STATS_H

#include <stdio.h>
#include <jansson.h>
#include "evaluate/label_counts.h"
#include "evaluate/project_stats.h"
#include "util/error.h"

/* The distribution as text: a summary line, the shares of 0, 1, 2, >2 and
 * >=2 labels, then a table of counts 0..max_k (every count present when
 * max_k < 0; the rest as ">max_k").  src names the input, what its kind
 * ("final labels", "multilabelfy").  Errors: MLFY_EIO on a write error. */
int mlfy_label_counts_write_text(FILE *f, const char *src, const char *what,
				 const struct mlfy_label_counts *lc, long max_k, struct mlfy_err *err);

/* The same as a new JSON object (kind "file" or "project"; format may be
 * NULL); NULL when out of memory. */
json_t *mlfy_label_counts_json(const char *src, const char *kind, const char *format,
			       const struct mlfy_label_counts *lc, long max_k);

/* A project's statistics as text: the distribution, undecided images,
 * decisions by stage, the review counts and, when st has any, the proposal
 * coverage.  Errors: MLFY_EIO on a write error. */
int mlfy_project_stats_write_text(FILE *f, const char *src, const struct mlfy_project_stats *st,
				  long max_k, struct mlfy_err *err);

/* The same as a new JSON object; NULL when out of memory. */
json_t *mlfy_project_stats_json(const char *src, const struct mlfy_project_stats *st, long max_k);

#endif
