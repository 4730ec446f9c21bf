/* coverage_cli.h - printing a project's proposal coverage (src/evaluate/
 * coverage.h) for `mlfy stats PROJECT` (text and --json).  Part of src/cli. */
#ifndef MLFY_CLI_COVERAGE_CLI_H
#define MLFY_CLI_COVERAGE_CLI_H

#include <jansson.h>

/* Prints the coverage of the active proposal model's top-20 proposals over
 * the project's decided images to stdout (nothing when the project has no
 * proposals or no decided image with a non-empty set).  Returns an exit
 * status after printing any error as `mlfy cmd`. */
int cli_print_coverage(const char *cmd, const char *project);

/* The same as one JSON object for `mlfy stats --json PROJECT` (new
 * reference in *out, NULL when there is nothing to report): "model",
 * "images", "images_without_proposals", "labels", "k_max", "by_k": [{"k",
 * "labels", "labels_of_1", "labels_of_2", "labels_of_3",
 * "labels_of_more_than_3", "images_fully_covered"}] in percent (null when
 * undefined), "outside_percent", "k_for_99_percent" (null when the top-K
 * stays below 99 %).  Returns 0 or an exit status after printing the error. */
int cli_coverage_json(const char *cmd, const char *project, json_t **out);

#endif
