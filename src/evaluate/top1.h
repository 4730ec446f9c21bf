/* top1.h - one model's top-1 predictions for `mlfy evaluate`, read from
 *   - a .npy score matrix [N, C] (logits or probabilities, any numeric
 *     dtype; <f4 and <f8 read straight from disk in large blocks), reduced
 *     row by row to the argmax with ties broken to the LOWEST class index;
 *   - a .npy vector of class indices [N] (or [N, 1]; integer dtype, or a
 *     float dtype holding integral values);
 *   - a text file of class indices, one per line, or a CSV `name,index`
 *     (the single-label formats of src/ingest/labels.h).
 * Only the N top-1 classes are kept in memory, never the scores.
 */
#ifndef MLFY_EVALUATE_TOP1_H
#define MLFY_EVALUATE_TOP1_H

#include <stddef.h>
#include "util/error.h"

enum mlfy_top1_kind {
	MLFY_TOP1_SCORES = 1,    /* .npy [N, C] scores -> argmax */
	MLFY_TOP1_INDEX_NPY,     /* .npy [N] class indices */
	MLFY_TOP1_INDEX_TEXT     /* text / CSV class indices */
};

struct mlfy_labels;

struct mlfy_top1 {
	char *model;         /* model name (as given on the command line) */
	char *path;          /* file read */
	int kind;            /* enum mlfy_top1_kind */
	size_t n;            /* predictions (rows) */
	int *cls;            /* [n] predicted class of each row */
	int n_classes;       /* C of a score matrix; 0 for index files */
	/* CSV with names: the file's rows, names and name index (owned);
	 * NULL when rows are identified by position only */
	struct mlfy_labels *named;
};

/* Reads the predictions of model `model` from path.  The kind is chosen by
 * the file: ".npy" by its shape (2-D with C > 1 -> scores, else indices),
 * anything else as a text/CSV index file.  n_classes > 0 bounds the
 * indices (and must equal C for scores); 0 leaves them unchecked except
 * for being non-negative.  On success *out is new (mlfy_top1_free).
 * Errors (MLFY_EINVAL naming the file and the row): a NaN or infinite
 * score, a class index out of range, a CSV row with no or several
 * classes, a column count different from n_classes, an unsupported dtype
 * or rank; MLFY_ENOTFOUND, MLFY_EIO, MLFY_ENOMEM. */
int mlfy_top1_load(const char *model, const char *path, int n_classes,
		   struct mlfy_top1 **out, struct mlfy_err *err);

void mlfy_top1_free(struct mlfy_top1 *p);

/* One prediction file to read with mlfy_top1_load_many. */
struct mlfy_top1_job {
	const char *model, *path;   /* borrowed */
	struct mlfy_top1 *out;      /* result, or NULL on failure */
	struct mlfy_err err;        /* the failure, when out is NULL */
	double seconds;             /* wall time spent reading it */
};

/* Loads jobs[0..n) with up to `threads` files read at once (1 = in order,
 * on the calling thread).  Returns 0 when all succeeded, else the status
 * of the first job that failed (each job has its own err).  The scores
 * of different files are independent, so reading several at once keeps
 * more than one core busy on argmax while the kernel streams the files. */
int mlfy_top1_load_many(struct mlfy_top1_job *jobs, size_t n, int n_classes, int threads);

#endif
