/* evalargs.h - what `mlfy evaluate`, `mlfy select-model` and `mlfy report`
 * share: the options naming an evaluation set and prediction files, and
 * running the evaluation with warnings printed.  Part of src/cli. */
#ifndef MLFY_CLI_EVALARGS_H
#define MLFY_CLI_EVALARGS_H

#include <getopt.h>
#include "evaluate/evaluate.h"
#include "evaluate/evalset.h"

/* Long-option values (above the ASCII range of short options). */
enum {
	EVALOPT_LABELS = 0x100,
	EVALOPT_ORIGINAL,
	EVALOPT_PROJECT,
	EVALOPT_PREDICTIONS,
	EVALOPT_ORDER,
	EVALOPT_MAX_COUNT,
	EVALOPT_CLASSES,
	EVALOPT_JOBS
};

#define EVALARGS_OPTIONS                                                   \
	{ "labels", required_argument, NULL, EVALOPT_LABELS },             \
	{ "original", required_argument, NULL, EVALOPT_ORIGINAL },         \
	{ "project", required_argument, NULL, EVALOPT_PROJECT },           \
	{ "predictions", required_argument, NULL, EVALOPT_PREDICTIONS },   \
	{ "order", required_argument, NULL, EVALOPT_ORDER },               \
	{ "max-count", required_argument, NULL, EVALOPT_MAX_COUNT },       \
	{ "classes", required_argument, NULL, EVALOPT_CLASSES },           \
	{ "jobs", required_argument, NULL, EVALOPT_JOBS }

/* The usage text of these options (for the commands' --help). */
#define EVALARGS_USAGE                                                                  \
	"  --labels FILE         multi-label ground truth: ReaL (JSON list of lists),\n"  \
	"                        Multilabelfy (JSON {\"file\": [\"idx\", ...]}) or CSV\n" \
	"                        file,labels; defines the images and their order\n"      \
	"  --original FILE       original single labels: one class index per line, or\n" \
	"                        CSV file,label (matched by name when both files name\n"  \
	"                        their images, else by position)\n"                       \
	"  --project PROJECT     use the project's images, original labels and final\n"  \
	"                        label sets instead of --labels/--original\n"             \
	"  --predictions [NAME=]FILE\n"                                                   \
	"                        a model's predictions (repeat for several models):\n"    \
	"                        .npy scores [N, C] (argmax, ties to the lowest index),\n" \
	"                        .npy class indices [N], a text file of indices or a\n"   \
	"                        CSV name,index; NAME defaults to the file's base name\n" \
	"  --order FILE          one image name per line: the image of each row of the\n" \
	"                        unnamed prediction files (default: the label file's or\n" \
	"                        project's image order)\n"                                 \
	"  --max-count K         label-count buckets 1..K and '>K' (default 4)\n"          \
	"  --classes N           number of classes: class indices must be below N and\n"  \
	"                        score files have N columns (default: the project's\n"    \
	"                        classes; with label files an index beyond the last\n"    \
	"                        class is not detected, it counts as wrong)\n"           \
	"  --jobs N              prediction files read at once (default: CPU cores, <= 8)\n"

struct cli_evalargs {
	const char *labels, *original, *project, *order;
	char **pred_names, **pred_paths;   /* [n_preds], owned */
	size_t n_preds;
	int max_count;      /* default 4 */
	int n_classes;      /* 0 = unknown */
	int jobs;           /* 0 = automatic */
};

void cli_evalargs_init(struct cli_evalargs *a);
void cli_evalargs_release(struct cli_evalargs *a);

/* Handles option c (one of EVALOPT_*) with its argument: 1 when handled,
 * 0 when c is not an evaluation option, -1 after printing a usage error. */
int cli_evalargs_option(const char *cmd, struct cli_evalargs *a, int c, const char *arg);

/* 1 when an evaluation set was named (--labels or --project). */
int cli_evalargs_has_set(const struct cli_evalargs *a);

/* Builds the evaluation set and scores every prediction file, printing
 * warnings (counts) to stderr.  Returns an exit status (0 on success) after
 * printing any error.  On success *es and *res are filled (free with
 * mlfy_evalset_free / mlfy_eval_results_release). */
int cli_evalargs_run(const char *cmd, struct cli_evalargs *a, struct mlfy_evalset **es,
		     struct mlfy_eval_results *res);

#endif
