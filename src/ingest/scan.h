/* scan.h - listing the image files under a folder for src/ingest (internal).
 * Follows symbolic links, refuses loops, skips dot files, sorts by relative
 * path (strcmp, i.e. byte order). */
#ifndef MLFY_INGEST_SCAN_H
#define MLFY_INGEST_SCAN_H

#include <stddef.h>
#include "util/error.h"

struct scan_file {
	char *rel;   /* path relative to the root, '/'-separated */
	char *abs;   /* root (absolute) + "/" + rel */
};

struct scan_list {
	struct scan_file *v;
	size_t n, cap;
	size_t n_ignored;   /* non-image files and dot entries skipped */
	size_t n_subdirs;   /* folders directly under the root */
	size_t n_top_files; /* image files directly under the root */
};

/* Lists the image files (mlfy_is_image_name) under root: only those directly
 * in it when recursive is 0, else at any depth (up to 32 levels).  root is
 * made absolute (realpath).  *out must be zeroed; free with scan_list_free.
 * Errors: MLFY_EIO (unreadable folder, naming it), MLFY_EINVAL (a symbolic
 * link loop or a tree deeper than 32 levels, naming the folder). */
int scan_images(const char *root, int recursive, struct scan_list *out, struct mlfy_err *err);

void scan_list_free(struct scan_list *l);

/* The absolute, symlink-free form of path as a new string (NULL on error,
 * errno set). */
char *scan_realpath(const char *path);

#endif
