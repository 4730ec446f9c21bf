/* timm.h - timm's aggregated results tables (pytorch-image-models
 * results/results-imagenet.csv, results-imagenet-real.csv, ...) and the
 * join of two of them on the model name, for `mlfy fit --timm`.
 *
 * Table format: a CSV header naming at least the columns `model` and `top1`
 * (top-1 accuracy in %); `img_size`, `top5` and `param_count` are read when
 * present.  Numbers may carry thousands separators inside quotes
 * ("1,013.01", millions of parameters).  timm lists a model once per image
 * size it was evaluated at, so a model name can occur more than once.
 */
#ifndef MLFY_EVALUATE_TIMM_H
#define MLFY_EVALUATE_TIMM_H

#include <stddef.h>
#include "util/error.h"

struct mlfy_timm_row {
	char *model;          /* timm model name ("eva02_large_patch14_448.mim_m38m_ft_in22k_in1k") */
	int img_size;         /* evaluation image size in pixels; 0 when the column is absent */
	double top1;          /* top-1 accuracy, % */
	double top5;          /* top-5 accuracy, %; NAN when absent */
	double param_count;   /* parameters, millions; NAN when absent */
	size_t line;          /* line in the file, for messages */
};

struct mlfy_timm_table {
	char *path;
	struct mlfy_timm_row *rows;   /* in file order */
	size_t n;
};

/* Reads a results table.  *out is filled (mlfy_timm_table_release).
 * Errors (MLFY_EINVAL naming file, line and column): missing `model` or
 * `top1` column, a row with fewer fields than the header, an empty model
 * name, a top1 that is not a number in [0, 100].  MLFY_ENOTFOUND, MLFY_EIO,
 * MLFY_ENOMEM. */
int mlfy_timm_read(const char *path, struct mlfy_timm_table *out, struct mlfy_err *err);
void mlfy_timm_table_release(struct mlfy_timm_table *t);

enum mlfy_timm_key {
	MLFY_TIMM_BY_MODEL = 0,      /* join on `model`; a model listed several times
				      * in one table is represented by its LAST row there */
	MLFY_TIMM_BY_MODEL_SIZE = 1  /* join on (`model`, `img_size`): every evaluation */
};

/* The inner join of tables a and b (e.g. ImageNet and ImageNet-ReaL).
 * Rows are in a's file order; strings are owned (mlfy_timm_join_release). */
struct mlfy_timm_join {
	size_t n;
	char **model;          /* [n] */
	int *img_size;         /* [n] a's img_size of the row used */
	double *top1_a;        /* [n] a's top-1, % */
	double *top1_b;        /* [n] b's top-1, % */
	size_t only_a;         /* keys in a and not in b (after duplicate collapsing) */
	size_t only_b;         /* keys in b and not in a */
	size_t dup_a, dup_b;   /* rows dropped because a later row had the same key */
	size_t size_mismatch;  /* BY_MODEL: joined rows whose img_size differs between a and b */
	char *first_only_a;    /* a key found only in a (first in file order), or NULL */
	char *first_only_b;    /* a key found only in b, or NULL */
};

/* Joins a and b on key.  Keys present in one table only are counted (and
 * the first one named) but not an error: the caller decides whether to warn
 * or fail.  Duplicate keys within a table keep the last row, as a
 * dictionary keyed by model does (timm sorts by top-1 descending, so the
 * row kept is the lower-scoring image size).  Errors: MLFY_ENOMEM;
 * MLFY_EINVAL when the join is empty. */
int mlfy_timm_join(const struct mlfy_timm_table *a, const struct mlfy_timm_table *b,
		   int key, struct mlfy_timm_join *out, struct mlfy_err *err);
void mlfy_timm_join_release(struct mlfy_timm_join *j);

#endif
