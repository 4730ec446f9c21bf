/* images.h - importing images into a project (mlfy add-images) and the
 * pieces it is made of: probing a file (content hash, size, header), the
 * source layouts (ImageFolder tree, flat folder + ground-truth file, CSV
 * manifest), and the batch rule.  docs/ingest.md has the formats and the
 * rule with examples.
 *
 * Image files are recognised by extension (case-insensitive): .jpg .jpeg
 * .jpe .png .webp .tif .tiff .gif .heic .heif .avif .jxl.  Other files and
 * names starting with '.' are ignored (and counted); their content decides
 * how they are read, not their extension.
 */
#ifndef MLFY_INGEST_IMAGES_H
#define MLFY_INGEST_IMAGES_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "store/catalog.h"
#include "util/progress.h"

/* ---- probing one file ----------------------------------------------------- */

struct mlfy_image_info {
	char sha256[65];     /* hex SHA-256 of the file's bytes (libsodium) */
	int64_t bytes;       /* file size */
	int width, height;   /* pixels, from the header (libvips, no full decode) */
	char format[8];      /* "jpeg", "png", "webp", "tiff", "gif", "heif", "jxl" */
};

/* Largest image accepted, in pixels (width x height): Pillow's
 * decompression-bomb error threshold, 2 * MAX_IMAGE_PIXELS = 2 * 2^30 / 4 / 3
 * (PIL/Image.py).  Larger headers are refused by mlfy_image_probe: decoding
 * them later (proposals, thumbnails) would take gigabytes or hours. */
#define MLFY_IMAGE_MAX_PIXELS ((int64_t)178956970)

/* Reads the file at path once: hashes its bytes and reads the image header
 * with libvips (sequential access, no pixel decode).  A JPEG that does not
 * end with its end-of-image marker, or a PNG without its IEND chunk, is
 * decoded once at 1/8 scale (JPEG) or fully (PNG) to tell a truncated file
 * from one with trailing bytes.  On failure returns MLFY_EINVAL (not an
 * image, empty, corrupt, truncated, unsupported format, more than
 * MLFY_IMAGE_MAX_PIXELS pixels) or MLFY_EIO
 * (unreadable), with a short lowercase reason in err (without the path). */
int mlfy_image_probe(const char *path, struct mlfy_image_info *info, struct mlfy_err *err);

/* 1 when the file name has one of the image extensions above. */
int mlfy_is_image_name(const char *name);

/* ---- parsers -------------------------------------------------------------- */

/* One row of a CSV manifest. */
struct mlfy_manifest_row {
	char *path;     /* as written (relative to the manifest's folder, or absolute); NULL in a bad row */
	char *label;    /* as written; NULL when the manifest has no label column or the cell is empty */
	int line;       /* 1-based line where the row starts */
	char *problem;  /* NULL, or why the row cannot be read (lowercase, without file and line) */
};

void mlfy_manifest_free(struct mlfy_manifest_row *rows, size_t n);

/* Parses a CSV manifest (util/csv.h: ',' separated, optional "quoted"
 * fields with "" for a quote, CRLF or LF, UTF-8 with optional byte-order
 * mark).  The first row is the header: it must have a column named "path"
 * and may have one named "label" (case-insensitive; other columns are
 * ignored).  Blank lines are skipped.  *rows is a new array of *n rows
 * (mlfy_manifest_free).
 * A row that cannot be read (a field count other than the header's, an
 * empty path, a quote out of place, a NUL byte) does not stop the parse:
 * it is kept with its line and .problem set, and the parse goes on with
 * the next line, so that every bad row can be listed.  Returns 0 when
 * every row is good; MLFY_EINVAL with *rows and *n filled (free them) when
 * some row is bad, err naming the first ("origin:line: problem (and N more
 * bad rows)"); other errors with *rows NULL: MLFY_EINVAL for a file that
 * cannot be a manifest (empty, binary, no 'path' column, a bad header),
 * MLFY_ENOMEM. */
int mlfy_manifest_parse(const char *text, size_t len, const char *origin,
			struct mlfy_manifest_row **rows, size_t *n, struct mlfy_err *err);

/* Parses a ground-truth file: one label per line (trimmed).  *labels is a
 * new array of *n strings (free each, then the array); empty lines are kept
 * as "" (an error for the caller to report with its line number, which is
 * the array index + 1) except trailing ones, which are dropped. */
int mlfy_gt_parse(const char *text, size_t len, const char *origin, char ***labels,
		  size_t *n, struct mlfy_err *err);

/* ---- the batch rule ------------------------------------------------------- */

/* Assigns batches 1..n_batches to n new images, deterministically:
 *   1. with SipHash-2-4 keyed by the seed (16 bytes: the seed as
 *      little-endian uint64, then 8 zero bytes; the first 8 output bytes
 *      read as a little-endian uint64), each new image gets a class key =
 *      hash of its label in decimal ("-1" when it has none) and an image
 *      key = hash of its name;
 *   2. new images are ordered by (class key, label, image key, name): the
 *      classes in a seeded order, each class's images together in a seeded
 *      order;
 *   3. in that order each goes to the batch that holds the fewest images so
 *      far (existing images counted), the lowest batch number on ties.
 * So batch sizes stay within one image of each other, every class is spread
 * evenly over the batches (a class of k images lands in k different batches
 * when k <= n_batches), existing images keep their batches and new ones
 * fill the smallest batches first.  existing[b - 1] = images already in
 * batch b (NULL = none); out[i] receives the batch of image i. */
int mlfy_batches_assign(int n_batches, const int64_t *existing, size_t n,
			const char *const *names, const int *labels, uint64_t seed,
			int *out, struct mlfy_err *err);

/* ---- mlfy add-images ------------------------------------------------------ */

enum mlfy_image_layout {
	MLFY_LAYOUT_AUTO = 0,   /* detect: a file -> csv; a folder with --labels -> flat;
				   a folder with subfolders -> imagefolder; else flat */
	MLFY_LAYOUT_IMAGEFOLDER,/* SRC/<class>/<...>/<file>, class = id, index or name */
	MLFY_LAYOUT_FLAT,       /* SRC/<file>, labels from a ground-truth file (or none) */
	MLFY_LAYOUT_CSV,        /* SRC is a CSV manifest path,label */
};

const char *mlfy_image_layout_name(enum mlfy_image_layout l);

struct mlfy_add_images_opts {
	const char *src;             /* folder or manifest */
	const char *labels;          /* ground-truth file for flat folders, or NULL */
	enum mlfy_image_layout layout;
	int batches;                 /* number of batches; 0 = the project's (meta "batches") or 7 */
	uint64_t seed;               /* batch rule seed */
	int name_by_file;            /* 1: the image name is the file name only (ImageNetV2 keys) */
	int allow_duplicates;        /* 1: files with the same content under different names are fine */
	struct mlfy_progress *progress;   /* may be NULL; total set by the library */
	volatile sig_atomic_t *cancel;    /* may be NULL; non-zero stops with MLFY_EINTR */
};

/* A file that cannot be imported, and why. */
struct mlfy_ingest_problem {
	char *where;     /* image name, or "file:line" for manifest / ground-truth rows */
	char *reason;    /* lowercase, e.g. "truncated or corrupt jpeg: premature end of data" */
};

struct mlfy_add_images_result {
	enum mlfy_image_layout layout;  /* the layout used */
	size_t n_files;       /* image files found in the source */
	size_t n_added;       /* imported now */
	size_t n_present;     /* already in the project with the same content and label: skipped */
	size_t n_ignored;     /* non-image files and dot files ignored */
	size_t n_unlabelled;  /* added without an original label */
	int n_batches;        /* batches in the project after the import */
	int64_t *batch_sizes; /* [n_batches] images per batch after the import */
	struct mlfy_ingest_problem *problems;
	size_t n_problems;
};

void mlfy_add_images_result_release(struct mlfy_add_images_result *r);

/* Imports the images of opts->src into the project s: reads every file
 * (hash, size, header), resolves labels (mlfy_catalog_find_class), checks
 * for duplicates (same name, or same content unless allow_duplicates) within
 * the source and against the project, assigns batches (mlfy_batches_assign)
 * and inserts everything in one transaction.  An image already in the
 * project under the same name with the same content and label is skipped,
 * so re-running is idempotent.
 * When any file has a problem, all problems are listed in res->problems,
 * nothing is written and MLFY_EINVAL is returned.  res is filled in both
 * cases (release it). */
int mlfy_ingest_add_images(struct mlfy_store *s, const struct mlfy_add_images_opts *opts,
			   struct mlfy_add_images_result *res, struct mlfy_err *err);

#endif
