/* evalset.h - the evaluation set of `mlfy evaluate`: the images, their
 * original single labels and their multi-label sets, from label files or
 * from a project; and the alignment of a model's predictions to it.
 *
 * Alignment rules (docs/evaluate.md):
 *  - label files: the multi-label file (ReaL, Multilabelfy or CSV format)
 *    defines the images and their order.  The original-label file is
 *    matched by image name when both files have names, else by position
 *    (then both must have the same number of images).
 *  - project: every image of the project in name order; the original label
 *    from the catalog; the final label set when decided.
 *  - predictions with names (CSV name,index) are matched by name; without
 *    names (.npy, one index per line) row i is image i of the set, or of
 *    the order list when one is given (one image name per line).  Names
 *    are resolved as `mlfy import-predictions` resolves them
 *    (util/names.h): an image's name, its absolute path (project sets), or
 *    its file name when that is unique in the set.  Every
 *    image must get exactly one prediction and every prediction must name
 *    a known image: anything else is an error with counts, never a silent
 *    misalignment.
 */
#ifndef MLFY_EVALUATE_EVALSET_H
#define MLFY_EVALUATE_EVALSET_H

#include <stddef.h>
#include "evaluate/metrics.h"
#include "store/store.h"
#include "util/error.h"

struct mlfy_top1;
struct mlfy_names;

struct mlfy_evalset {
	char *source;          /* "LABELS" or "project P", for messages */
	size_t n;              /* images */
	char **names;          /* [n] image names, or NULL when the labels have none */
	int *original;         /* [n] original label, -1 = none */
	size_t *off;           /* [n + 1] CSR offsets */
	int *cls;              /* label classes */
	unsigned char *decided;/* [n] (project) or NULL = every image has its set */
	int n_classes;         /* class count when known (project), else 0 */
	/* warnings for the caller (counts; names of a first example) */
	size_t n_no_original;        /* images without an original label */
	size_t n_original_unmatched; /* original-file names not in the label file */
	char *first_original_unmatched;
	size_t n_label_duplicates;   /* repeated labels dropped while reading */
	char **paths;                /* [n] absolute paths (project sets), or NULL */
	struct mlfy_names *index;    /* private: util/names.h over names and paths */
};

/* The ground truth view used by src/evaluate/metrics (borrows es). */
struct mlfy_truth mlfy_evalset_truth(const struct mlfy_evalset *es);

/* Reads the multi-label file labels_path (any src/ingest/labels.h format)
 * and, unless orig_path is NULL, the original single labels (one class per
 * image; an image with no class has no original label).  n_classes > 0
 * bounds the class indices.  *out is new (mlfy_evalset_free).  Errors:
 * MLFY_EINVAL when the files cannot be aligned (different counts without
 * names on both sides, an original file image with several classes), and
 * those of mlfy_labels_load. */
int mlfy_evalset_from_files(const char *labels_path, const char *orig_path, int n_classes,
			    struct mlfy_evalset **out, struct mlfy_err *err);

/* Builds the set from a project: every image in name order, with its
 * original label and its final label set when decided.  Errors: store
 * errors, MLFY_EINVAL for a project without images. */
int mlfy_evalset_from_project(struct mlfy_store *s, struct mlfy_evalset **out,
			      struct mlfy_err *err);

void mlfy_evalset_free(struct mlfy_evalset *es);

/* Index of the image that name names (the rules above): 0 and *index,
 * MLFY_ENOTFOUND, or MLFY_ECONFLICT when the name's file name is that of
 * several images. */
int mlfy_evalset_find(const struct mlfy_evalset *es, const char *name, size_t *index);

/* Reads an order file (one image name per line, blank lines ignored) into
 * *names (new array of new strings; free with mlfy_evalset_names_free). */
int mlfy_evalset_read_order(const char *path, char ***names, size_t *n, struct mlfy_err *err);
void mlfy_evalset_names_free(char **names, size_t n);

/* Aligns the predictions p to the set: *pred receives a new array of
 * es->n classes (free()).  order (may be NULL) names the image of each
 * row of an unnamed prediction file.  Errors (MLFY_EINVAL) with counts:
 * row count differs from the set, unknown image names (count and the
 * first), ambiguous file names, images without a prediction, an image
 * predicted twice. */
int mlfy_evalset_align(const struct mlfy_evalset *es, const struct mlfy_top1 *p,
		       char *const *order, size_t n_order, int **pred, struct mlfy_err *err);

#endif
