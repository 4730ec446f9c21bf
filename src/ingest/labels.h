/* labels.h - label files: multi-label sets and single original labels, read
 * into one in-memory form (CSR: offsets + class indices).
 *
 * Formats (docs/formats.md has examples and the exact rules):
 *   ReaL          JSON list, one entry per image in file order; an entry is
 *                 a list of class indices ([] = no valid label) or a bare
 *                 index.  As google-research/reassessed-imagenet real.json:
 *                 [[], [970, 795], [230, 231], ...]
 *   Multilabelfy  JSON object {"file name": ["idx", ...], ...}; indices as
 *                 strings (as written by Multilabelfy) or numbers; keys in
 *                 file order.  E.g. ImageNetV2 refined_labels.json.
 *   single        text, one class index per line (line i = image i), as an
 *                 ImageNet-val ground-truth file; no names.
 *   CSV           `file,label` rows, optional header row.  With a header the
 *                 name column is the first of file, filename, image,
 *                 image_name, name, path and the label column the first of
 *                 labels, label, original_label, class, class_idx, index,
 *                 target (case-insensitive); without one, column 1 is the
 *                 name and column 2 the label(s).  A label field may hold
 *                 several indices separated by spaces, ';' or '|', or be
 *                 empty (no label).  RFC 4180 quoting.  A header with a
 *                 `stage` column (`mlfy export --format csv`) makes rows
 *                 whose stage is `undecided` be skipped and counted
 *                 (n_undecided): such an image has no final set yet, which
 *                 is not an empty set.
 * Auto-detection: the first non-blank byte (after a UTF-8 BOM) '[' means
 * ReaL, '{' Multilabelfy; otherwise a first non-blank line containing ','
 * means CSV, else single.
 *
 * Validation: every index must be an integer in [0, n_classes) (when
 * n_classes > 0; else in [0, INT_MAX]); names must be unique and non-empty.
 * A label repeated within one image is dropped and counted (a warning for
 * the caller), never an error.  Errors name the file and the position
 * (line, or image index / name for JSON).
 */
#ifndef MLFY_INGEST_LABELS_H
#define MLFY_INGEST_LABELS_H

#include <stddef.h>
#include "util/error.h"

enum mlfy_labels_format {
	MLFY_LABELS_AUTO = 0,
	MLFY_LABELS_REAL,
	MLFY_LABELS_MULTILABELFY,
	MLFY_LABELS_SINGLE,
	MLFY_LABELS_CSV
};

/* A set of labelled images.
 * Invariants: offsets has n + 1 entries, offsets[0] = 0, non-decreasing;
 * image i's labels are classes[offsets[i] .. offsets[i+1]), sorted
 * ascending without repeats; names is NULL or holds n distinct non-empty
 * strings. */
struct mlfy_labels {
	int format;              /* enum mlfy_labels_format actually read (never AUTO) */
	size_t n;                /* number of images */
	char **names;            /* image names in file order, or NULL (ReaL, single) */
	size_t *offsets;         /* n + 1 CSR offsets into classes */
	int *classes;            /* offsets[n] class indices */
	int max_class;           /* largest class index present; -1 when there is none */
	size_t n_duplicates;     /* repeated labels dropped (sum over images) */
	size_t first_duplicate;  /* image index of the first repeat (when n_duplicates > 0) */
	size_t n_undecided;      /* CSV rows skipped for stage "undecided" (not among the n) */
	size_t *by_name;         /* private: image indices sorted by name (when names) */
};

/* Reads the label file at path.  format is an enum mlfy_labels_format
 * (AUTO detects it); n_classes > 0 bounds the class indices, <= 0 leaves
 * them unbounded.  On success *out is new (mlfy_labels_free).  Errors:
 * MLFY_ENOTFOUND (no such file), MLFY_EIO, MLFY_EINVAL (malformed, an index
 * out of range or not an integer, duplicate or empty name; the message
 * names file and position), MLFY_ENOMEM. */
int mlfy_labels_load(const char *path, int format, int n_classes,
		     struct mlfy_labels **out, struct mlfy_err *err);

/* The same for a label file held in memory: text[0..len) (need not be
 * NUL-terminated; borrowed), name used in messages where load uses the
 * path.  Same formats, validation, result and errors (no MLFY_ENOTFOUND /
 * MLFY_EIO).  mlfy_labels_load is read-the-file + this. */
int mlfy_labels_parse(const char *name, const char *text, size_t len, int format, int n_classes,
		      struct mlfy_labels **out, struct mlfy_err *err);

/* Frees l.  Accepts NULL. */
void mlfy_labels_free(struct mlfy_labels *l);

/* Number of labels of image i (i < l->n). */
size_t mlfy_labels_count(const struct mlfy_labels *l, size_t i);

/* Finds an image by name: 0 and *index, MLFY_ENOTFOUND, or MLFY_EINVAL when
 * the file had no names.  O(log n). */
int mlfy_labels_find(const struct mlfy_labels *l, const char *name, size_t *index,
		     struct mlfy_err *err);

/* Detects the format of path (see above) into *format. */
int mlfy_labels_detect(const char *path, int *format, struct mlfy_err *err);

/* "real", "multilabelfy", "single", "csv" ("auto" for AUTO). */
const char *mlfy_labels_format_name(int format);

/* The inverse of mlfy_labels_format_name; -1 for an unknown name. */
int mlfy_labels_parse_format(const char *name);

#endif
