/* evalargs.h - the options `mlfy evaluate`, `mlfy select-model` and `mlfy
 * report` share: an evaluation set (--labels/--original or --project) and
 * prediction files, and running that evaluation with its warnings printed
 * (the work itself: evaluate/evalset.h, evaluate/eval_files.h).  Part of
 * src/cli. */
#ifndef MLFY_CLI_EVALARGS_H
#define MLFY_CLI_EVALARGS_H

#include "cli/cli.h"
#include "evaluate/evaluate.h"
#include "evaluate/evalset.h"

struct cli_evalargs {
	const char *labels, *original, *project, *order;
	char **pred_names, **pred_paths;   /* [n_preds], owned */
	size_t n_preds;
	int max_count;      /* default 4 */
	int n_classes;      /* 0 = unknown */
	int jobs;           /* 0 = automatic */
};

/* The initialiser of a struct cli_evalargs (the defaults). */
#define CLI_EVALARGS_INIT { .max_count = 4 }

/* The option-table entries of these options, storing into a (an lvalue). */
#define CLI_EVALARGS_OPTIONS(a)                                                        \
	CLI_OPT_STRING(0, "labels", &(a).labels),                                      \
	CLI_OPT_STRING(0, "original", &(a).original),                                  \
	CLI_OPT_STRING(0, "project", &(a).project),                                    \
	CLI_OPT_CALLBACK(0, "predictions", &(a), cli_evalargs_add_prediction, 1),     \
	CLI_OPT_STRING(0, "order", &(a).order),                                        \
	CLI_OPT_INT(0, "max-count", &(a).max_count, 1, MLFY_EVAL_MAX_COUNT),           \
	CLI_OPT_INT(0, "classes", &(a).n_classes, 1, 1 << 30),                         \
	CLI_OPT_INT(0, "jobs", &(a).jobs, 1, 64)

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

/* The --predictions callback: [NAME=]FILE appended to *(struct
 * cli_evalargs *)opt->value (NAME defaults to FILE's base name without its
 * extension; a name given twice is a usage error). */
int cli_evalargs_add_prediction(const struct cli_option *opt, const char *arg, const char *cmd);

/* Frees the prediction lists and resets *a to its defaults. */
void cli_evalargs_release(struct cli_evalargs *a);

/* 1 when an evaluation set was named (--labels or --project). */
int cli_evalargs_has_set(const struct cli_evalargs *a);

/* The usage checks of an evaluation: --project excludes --labels and
 * --original, one of --labels/--project is needed, and a --predictions.
 * Returns 0 or MLFY_EXIT_USAGE after printing. */
int cli_evalargs_check(const char *cmd, const struct cli_evalargs *a);

/* Builds the evaluation set (from project s when a->project is set, else
 * from the label files), prints its warnings (counts) to stderr, and
 * scores every prediction file.  Returns an exit status (0 on success)
 * after printing any error; on success *es and *res are filled (free with
 * mlfy_evalset_free / mlfy_eval_results_release). */
int cli_evalargs_run(const char *cmd, const struct cli_evalargs *a, struct mlfy_store *s,
		     struct mlfy_evalset **es, struct mlfy_eval_results *res);

#endif
