/* pred_npy.h - NumPy prediction arrays (pred_npy.c; internal to
 * src/ingest): logits or probabilities, shape [images, classes], rows
 * mapped to images by an order file (--order) or the project's name order. */
#ifndef MLFY_INGEST_PRED_NPY_H
#define MLFY_INGEST_PRED_NPY_H

#include "ingest/pred_rows.h"
#include "ingest/pred_options.h"

/* Reads the .npy at path (or its in-memory image mem[0..mem_len) when mem
 * is non-NULL) into w, one dense row per image, streamed in chunks.  Errors
 * name the file and the row or image. */
int pred_read_npy(const char *path, const void *mem, size_t mem_len, const struct mlfy_pred_options *opt,
		  struct pred_resolver *r, size_t n_classes, struct pred_rows *w, struct pred_dense_stats *ds,
		  struct mlfy_err *err);

#endif
