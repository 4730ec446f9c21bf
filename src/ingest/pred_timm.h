/* pred_timm.h - timm inference.py results (pred_timm.c; internal to
 * src/ingest): CSV or JSON, with class indices, labels or both, top-k or
 * full outputs, file names naming the images. */
#ifndef MLFY_INGEST_PRED_TIMM_H
#define MLFY_INGEST_PRED_TIMM_H

#include "ingest/pred_rows.h"
#include "ingest/pred_options.h"
#include "store/store.h"

/* Reads the timm file held in buf[0..len) (NUL-terminated; JSON when json
 * is 1, else CSV), named path in messages, into w.  Labels without indices
 * are resolved against the project's classes.  Errors name the file, line
 * and column. */
int pred_read_timm(struct mlfy_store *s, const char *path, const char *buf, size_t len, int json,
		   const struct mlfy_pred_options *opt, struct pred_resolver *r, size_t n_classes,
		   struct pred_rows *w, struct pred_dense_stats *ds, struct mlfy_err *err);

#endif
