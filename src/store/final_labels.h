/* final_labels.h - typed access to the project's final label sets (tables
 * final_status and final_labels; final_labels.c).
 *
 * An image is *decided* when it has a final_status row; its final set is
 * its final_labels rows (possibly none: an empty set, which goes to the
 * zero-label review).  Images without a final_status row are not yet
 * decided.  Each decision records its stage: 'agreed' (stage iii: the
 * annotators agreed), 'refined' (stage iv: an expert's set), 'aggregated'
 * (majority / Dawid-Skene), 'imported' (read from a label file).
 * Writes need an open transaction (mlfy_store_begin).
 */
#ifndef MLFY_STORE_FINAL_LABELS_H
#define MLFY_STORE_FINAL_LABELS_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

enum mlfy_final_stage {
	MLFY_FINAL_AGREED = 1,
	MLFY_FINAL_REFINED,
	MLFY_FINAL_AGGREGATED,
	MLFY_FINAL_IMPORTED
};

/* "agreed", "refined", "aggregated", "imported" (NULL for other values). */
const char *mlfy_final_stage_name(int stage);
/* The inverse; -1 for an unknown name. */
int mlfy_final_stage_parse(const char *name);

/* One image's final set.  classes is sorted ascending without repeats. */
struct mlfy_final {
	int64_t image_id;
	const char *image_name;   /* set by mlfy_final_foreach only (borrowed), else NULL */
	int original_label;       /* set by mlfy_final_foreach only; -1 when none */
	int stage;                /* enum mlfy_final_stage */
	int64_t annotation_id;    /* the annotation it came from, 0 when none */
	char decided_at[32];      /* ISO-8601 UTC */
	size_t n;                 /* number of labels (0 = empty set) */
	int *classes;             /* n class indices (owned by get's caller; borrowed in foreach) */
};

/* Frees the classes of f (not f) and zeroes it. */
void mlfy_final_release(struct mlfy_final *f);

/* Sets the final set of image_id to classes[0..n) (borrowed, any order,
 * repeats ignored), replacing a previous decision; annotation_id 0 = none.
 * Errors: MLFY_EINVAL (no transaction, bad stage, negative class),
 * MLFY_ENOTFOUND (no such image, class or annotation; the message names
 * it), MLFY_ESTORE. */
int mlfy_final_put(struct mlfy_store *s, int64_t image_id, int stage, int64_t annotation_id,
		   const int *classes, size_t n, struct mlfy_err *err);

/* Removes the decision on image_id (it becomes undecided); 0 also when
 * there was none. */
int mlfy_final_delete(struct mlfy_store *s, int64_t image_id, struct mlfy_err *err);

/* The final set of image_id into *out (release with mlfy_final_release);
 * MLFY_ENOTFOUND when the image is not decided. */
int mlfy_final_get(struct mlfy_store *s, int64_t image_id, struct mlfy_final *out,
		   struct mlfy_err *err);

/* *decided receives the number of decided images, *undecided the number
 * of images without a decision (either may be NULL). */
int mlfy_final_count(struct mlfy_store *s, int64_t *decided, int64_t *undecided,
		     struct mlfy_err *err);

/* Calls cb for every decided image in image-name order (strcmp order of
 * the names, SQLite BINARY collation), with f borrowed for the call
 * (image_name, original_label filled).  Memory is constant in the number of
 * images.  A non-zero return from cb stops the walk and is returned. */
typedef int (*mlfy_final_cb)(const struct mlfy_final *f, void *ctx);
int mlfy_final_foreach(struct mlfy_store *s, mlfy_final_cb cb, void *ctx, struct mlfy_err *err);

/* ---- final labels as stages iii and iv write them ------------------------- */

/* *differs = 1 when mlfy_review_final_update with these arguments would write
 * (no decision yet, or another stage, annotation or set), else 0.  Reads
 * only: works on a read-only store (what `mlfy analyze --dry-run` uses). */
int mlfy_review_final_differs(struct mlfy_store *s, int64_t image_id, int stage,
			      const int *labels, size_t n, int64_t annotation_id, int *differs,
			      struct mlfy_err *err);

/* Like mlfy_final_put (above: stage is an enum
 * mlfy_final_stage, labels any order, repeats ignored) but leaves an
 * identical decision (same stage, set and annotation) untouched, so its
 * decided_at is kept and re-running an analysis changes nothing.  *changed
 * (may be NULL) is 1 when something was written.  Errors as mlfy_final_put.
 * Needs a transaction. */
int mlfy_review_final_update(struct mlfy_store *s, int64_t image_id, int stage,
			     const int *labels, size_t n, int64_t annotation_id, int *changed,
			     struct mlfy_err *err);

#endif
