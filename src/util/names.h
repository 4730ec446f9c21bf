/* names.h - the one rule by which a name written in an input file is
 * matched to an image: `mlfy import-predictions` (order files, timm
 * files) and `mlfy evaluate` (order files, name,index prediction files)
 * both resolve names with it, so the two commands accept the same names.
 *
 * A key matches, in this order (docs/ingest.md, "Image names"):
 *   1. an image's name exactly;
 *   2. an image's absolute path exactly (when paths are known);
 *   3. the key's file name (after its last '/'; the whole key when it has
 *      none) equal to the file name of exactly one image's name, e.g.
 *      "ILSVRC2012_val_00000001.JPEG" or "val/ILSVRC2012_val_00000001.JPEG"
 *      for the image "n01751748/ILSVRC2012_val_00000001.JPEG".
 * A rule that matches several images makes the key ambiguous (rule 3:
 * two folders holding the same file name; rule 1 or 2: a name given
 * twice); the next rule is not tried.
 *
 * The index borrows the strings it is built from and allocates only its
 * sorted views; it is immutable once built, so threads may share it.
 * Depends on nothing of ours but error.h.
 */
#ifndef MLFY_UTIL_NAMES_H
#define MLFY_UTIL_NAMES_H

#include <stddef.h>
#include "util/error.h"

struct mlfy_names;

/* Results of mlfy_names_find besides an index. */
enum { MLFY_NAME_UNKNOWN = -1, MLFY_NAME_AMBIGUOUS = -2 };

/* Indexes the images names[0..n) with their absolute paths paths[0..n)
 * (paths may be NULL, or hold NULL or "" for an image without one).  Both
 * arrays and their strings are borrowed: they must outlive the index.
 * *out is new (mlfy_names_free).  Errors: MLFY_ENOMEM. */
int mlfy_names_new(char *const *names, char *const *paths, size_t n, struct mlfy_names **out,
		   struct mlfy_err *err);

/* Frees the index (not the strings).  Accepts NULL. */
void mlfy_names_free(struct mlfy_names *ix);

/* The image that key names by the rules above: its index in [0, n), or
 * MLFY_NAME_UNKNOWN, or MLFY_NAME_AMBIGUOUS.  O(log n). */
long mlfy_names_find(const struct mlfy_names *ix, const char *key);

#endif
