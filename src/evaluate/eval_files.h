/* eval_files.h - evaluating prediction files against an evaluation set in
 * one call (what `mlfy evaluate`, `mlfy select-model` and `mlfy report` do
 * with --predictions): the files are read in parallel (top1.h), aligned to
 * the set through an optional order file, and scored (evaluate.h). */
#ifndef MLFY_EVALUATE_EVAL_FILES_H
#define MLFY_EVALUATE_EVAL_FILES_H

#include <stddef.h>
#include "evaluate/evaluate.h"
#include "evaluate/evalset.h"
#include "util/error.h"

/* The prediction files of one evaluation. */
struct mlfy_eval_files {
	const char *const *names;   /* [n] model names (borrowed) */
	const char *const *paths;   /* [n] their files: .npy scores or indices, text, CSV */
	size_t n;
	const char *order;          /* one image name per line for unnamed rows, or NULL */
	int n_classes;              /* class count the files must match; 0 = the set's */
	int max_count;              /* label-count buckets 1..max_count and ">max_count" */
	int threads;                /* files read at once; 0 = CPU cores, at most 8 */
};

/* Scores every file of f against es into *res (mlfy_eval_results_release).
 * Errors: those of mlfy_evalset_read_order, of the first file that cannot
 * be read (its message names it), of mlfy_eval_run; MLFY_ENOMEM. */
int mlfy_eval_files_run(const struct mlfy_evalset *es, const struct mlfy_eval_files *f,
			struct mlfy_eval_results *res, struct mlfy_err *err);

#endif
