/* images.h - importing images into a project (mlfy add-images, images.c):
 * the source layouts (ImageFolder tree, flat folder + ground-truth file,
 * CSV manifest), validation of every file, and the one-transaction import.
 * Its pieces have their own files: probing a file (probe.h), the manifest
 * and ground-truth parsers (manifest.h), the batch rule (batches.h).
 * docs/ingest.md has the formats and the rule with examples.
 *
 * Image files are recognised by extension (probe.h); other files and names
 * starting with '.' are ignored (and counted).
 */
#ifndef MLFY_INGEST_IMAGES_H
#define MLFY_INGEST_IMAGES_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "store/catalog.h"
#include "util/progress.h"

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
