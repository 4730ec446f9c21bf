/* predictions.h - model predictions into the project's top-k proposals:
 * NumPy .npy logits or probabilities [N, C], and the CSV / JSON files that
 * timm's inference.py writes.  The numerics (softmax through a max-shifted
 * log-sum-exp, top-k with ties broken by class index) are util/topk.h's,
 * the same functions src/propose uses.
 *
 * Rules (docs/formats.md gives examples):
 *   - .npy: float (<f2, <f4, <f8), C order, shape [N, C] with C = the
 *     project's class count.  Row r belongs to the image on line r of the
 *     order file, or without one to the r-th image in name order (then N
 *     must equal the image count).
 *   - input kind: logits or probabilities.  auto = probabilities when every
 *     row is non-negative and sums to 1 within 1e-3, else logits.  Logits
 *     are turned into softmax probabilities p_c = exp(x_c - lse(x)) with
 *     lse(x) = m + log(sum_c exp(x_c - m)), m = max_c x_c (the usual
 *     max-shift that keeps exp() from overflowing).  Forced probabilities
 *     (e.g. sigmoid outputs) must lie in [0, 1] but need not sum to 1.
 *   - proposals: the top-k classes by score, ties broken by the lower class
 *     index first; scores are the probabilities.
 *   - timm inference.py (huggingface/pytorch-image-models): CSV (pandas
 *     to_csv) or JSON (orient=index, orient=split, or JSON lines of
 *     records) with a file-name column (`filename` or the first column),
 *     the top-k class indices (`index`, with --include-index), labels
 *     (`label`: WordNet ids with --label-type name, or class descriptions)
 *     and the outputs (`prob`, or `logit` with --output-type logit), each a
 *     list per row ("[249 248 537]" in CSV), a scalar with --topk 1, or one
 *     column per rank (`index_0`, `prob_0`, ... with
 *     --results-separate-col).  With --topk 0 the outputs are the full
 *     vector of C values and are treated like a .npy row.  Top-k *logits*
 *     (fewer than C) cannot be normalised and are refused.
 *   - image names in order files and timm files match an image's name,
 *     else its absolute path, else its file name when that is unique in
 *     the project (util/names.h, the rule `mlfy evaluate` uses too).  A
 *     file may cover more images than the project: with skip_unknown the
 *     rows of images it does not have are skipped and counted.
 *   - errors (nothing is stored; one transaction): an empty file, shape or
 *     class-count mismatch, NaN or infinite values, negative or > 1
 *     probabilities, a class index out of range or repeated in a row,
 *     unknown (unless skip_unknown) or ambiguous image names, an image
 *     given twice, missing columns, a file none of whose rows names a
 *     project image.
 *   - re-importing a model (same name) replaces all its proposals.
 */
#ifndef MLFY_INGEST_PREDICTIONS_H
#define MLFY_INGEST_PREDICTIONS_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"
#include "util/progress.h"

enum mlfy_pred_input {
	MLFY_PRED_AUTO = 0,   /* decide from the values (see above) */
	MLFY_PRED_LOGITS,
	MLFY_PRED_PROBS
};

/* Longest model name, in bytes. */
#define MLFY_MODEL_NAME_MAX 200

/* Import options; zero-initialise, then set model. */
struct mlfy_pred_options {
	const char *model;        /* model name (required): 1..MLFY_MODEL_NAME_MAX bytes of UTF-8
	                           * without control characters, else MLFY_EINVAL */
	const char *order_path;   /* row -> image file for .npy, or NULL */
	int top_k;                /* proposals per image; 0 means 20 */
	int input;                /* enum mlfy_pred_input */
	int activate;             /* make it the active proposal model even when others exist */
	int skip_unknown;         /* 1: rows naming images that are not in the project are skipped
	                           * (counted in n_skipped) instead of refused; ambiguous names and
	                           * images given twice are still refused */
	struct mlfy_progress *progress;  /* borrowed, may be NULL: counts rows read, then rows stored */
};

/* What an import did. */
struct mlfy_pred_result {
	char kind[16];            /* "npy-logits", "npy-probs", "timm-csv", "timm-json" */
	int input;                /* MLFY_PRED_LOGITS or MLFY_PRED_PROBS as decided */
	int64_t model_id;
	size_t n_rows;            /* images that received proposals */
	size_t n_classes;         /* the project's class count */
	size_t top_k;             /* largest number of proposals stored for an image */
	int64_t n_without;        /* project images with no prediction in the file */
	size_t n_skipped;         /* rows skipped: their images are not in the project (skip_unknown) */
	int replaced;             /* 1 when the model existed: its old proposals were removed */
	int activated;            /* 1 when it is now the active proposal model */
	size_t n_top1_checked;    /* images with an original label */
	size_t n_top1_correct;    /* ... whose top-1 proposal equals it */
};

/* Imports the predictions file path into the project as model opt->model.
 * The format is detected from the content (.npy magic, JSON, else CSV).
 * All input is read and checked before anything is written; the writes
 * happen in one transaction (s must not have one open).  res may be NULL.
 * Errors: MLFY_EINVAL (bad input; the message names the file and the row,
 * column or image), MLFY_ENOTFOUND (file missing), MLFY_EIO, MLFY_ENOMEM,
 * MLFY_ESTORE. */
int mlfy_predictions_import(struct mlfy_store *s, const char *path,
			    const struct mlfy_pred_options *opt,
			    struct mlfy_pred_result *res, struct mlfy_err *err);

/* The same for a predictions file held in memory, data[0..len) (borrowed;
 * need not be NUL-terminated); name stands for the path in messages and in
 * the model's recorded source.  opt->order_path, when set, is still read
 * from disk.  For tests and fuzzing (fuzz/fuzz_predictions.c). */
int mlfy_predictions_import_mem(struct mlfy_store *s, const char *name, const void *data, size_t len,
				const struct mlfy_pred_options *opt,
				struct mlfy_pred_result *res, struct mlfy_err *err);

#endif
