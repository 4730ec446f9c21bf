/* gold_file.h - gold sets from a label file (gold_file.c): `mlfy gold add
 * PROJECT FILE`.  The file is any label file `mlfy stats` reads that names
 * its images (Multilabelfy JSON, CSV; ingest/labels.h); its names are
 * matched to the project's images by the rule of util/names.h (name,
 * absolute path, unique file name). */
#ifndef MLFY_INGEST_GOLD_FILE_H
#define MLFY_INGEST_GOLD_FILE_H

#include <stdint.h>
#include "store/store.h"

/* Makes every image of the label file at path (format: enum
 * mlfy_labels_format, AUTO detects) a gold image with its set, in one
 * transaction: all or nothing.  *added / *replaced count new gold images
 * and ones whose set was replaced.  Errors (nothing is written): those of
 * mlfy_labels_load (file and position named); MLFY_EINVAL for a file
 * without images, or without image names (ReaL, single), an image (entry
 * N of the file, counted from 1) not in the project or
 * matching several, an image given twice, a class outside the project. */
int mlfy_gold_import_file(struct mlfy_store *s, const char *path, int format, int64_t *added, int64_t *replaced,
			  struct mlfy_err *err);

/* The same for a label file held in memory (an upload in the console):
 * text[0..len) (borrowed, need not be NUL-terminated), parsed by
 * mlfy_labels_parse with name standing for the file in messages.  Same
 * rules, result and errors (no MLFY_ENOTFOUND / MLFY_EIO for the file). */
int mlfy_gold_import_text(struct mlfy_store *s, const char *name, const char *text, size_t len, int format,
			  int64_t *added, int64_t *replaced, struct mlfy_err *err);
#endif
