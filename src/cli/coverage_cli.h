/* coverage_cli.h - printing a project's proposal coverage (src/evaluate/
 * coverage.h) for `mlfy stats PROJECT`.  Part of src/cli. */
#ifndef MLFY_CLI_COVERAGE_CLI_H
#define MLFY_CLI_COVERAGE_CLI_H

/* Prints the coverage of the active proposal model's top-20 proposals over
 * the project's decided images to stdout (nothing when the project has no
 * proposals or no decided image with a non-empty set).  Returns an exit
 * status after printing any error as `mlfy cmd`. */
int cli_print_coverage(const char *cmd, const char *project);

#endif
