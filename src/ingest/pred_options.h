/* pred_options.h - the options of an import of predictions (read by
 * predictions.c and the file readers pred_npy.c and pred_timm.c; the whole
 * contract is in predictions.h). */
#ifndef MLFY_INGEST_PRED_OPTIONS_H
#define MLFY_INGEST_PRED_OPTIONS_H

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

#endif
