/* progress.h - progress_counts (progress.c; docs/schema.md): per (person,
 * stage, batch) the number of images of that batch with at least one
 * saved annotation of the person in that stage.  Derived data, not
 * history: the schema's trigger on annotations (sqlite_schema.c and
 * pg_schema.c, migration 6 -> 7) counts an image at its first version, in
 * the transaction of the save, and the migration filled it from the
 * history of existing projects.  Readers: store/taskpage.c (the task
 * list's done count and first open task).  This file holds its check. */
#ifndef MLFY_STORE_PROGRESS_H
#define MLFY_STORE_PROGRESS_H

#include <stdint.h>
#include "store/store.h"

/* The number of (person, stage, batch) triples whose stored count differs
 * from a recount over annotations and images (a triple missing on either
 * side counts, as does a stored row of 0) into *mismatches: 0 in a sound
 * project (`mlfy check`).  Reads only; one pass over annotations
 * (O(annotations)).  0, or MLFY_ESTORE / MLFY_EIO from the store. */
int mlfy_progress_check(struct mlfy_store *s, int64_t *mismatches, struct mlfy_err *err);

#endif
