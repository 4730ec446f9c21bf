/* exemplars.h - choosing example images per class (mlfy add-exemplars).
 *
 * Annotators see a class's exemplars next to its name to tell similar
 * classes apart.  The source is an ImageFolder tree (SRC/<class>/<...>/file,
 * <class> resolved like add-images' labels) or a flat folder of files named
 * "<class>_<anything>.<ext>" (<class> is the part before the first '_', as
 * in ImageNet's "n01440764_tench.JPEG").
 *
 * The choice, per class, is seeded and deterministic:
 *   1. candidates are ordered by SipHash-2-4 of their path relative to SRC,
 *      keyed with the seed (as in mlfy_batches_assign), then by path;
 *   2. walking that order, each candidate is read (hash, size, header);
 *      unreadable or corrupt files are skipped and reported, and so are
 *      files with the same content as an exemplar already chosen;
 *   3. files that are not images of the project (by content hash) are
 *      taken first, up to per_class; when fewer exist, project images fill
 *      the rest (in the same order), and are counted (n_project): the
 *      server never lists or serves an exemplar whose content is an image
 *      of the person's own tasks (mlfy_view_exemplar_ranks), since its
 *      class is that image's original label.
 * A class that gets at least one exemplar has its previous exemplars
 * replaced (in one transaction for all classes); classes without any
 * candidate keep theirs.
 */
#ifndef MLFY_INGEST_EXEMPLARS_H
#define MLFY_INGEST_EXEMPLARS_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "ingest/images.h"

struct mlfy_add_exemplars_opts {
	const char *src;                /* folder */
	int per_class;                  /* exemplars per class, >= 1 */
	uint64_t seed;
	struct mlfy_progress *progress; /* may be NULL; counts classes */
	volatile sig_atomic_t *cancel;  /* may be NULL */
};

struct mlfy_add_exemplars_result {
	size_t n_files;          /* candidate image files found */
	size_t n_classes;        /* classes whose exemplars were set */
	size_t n_exemplars;      /* exemplars stored */
	size_t n_project;        /* of which are project images (fill-ins) */
	size_t n_short;          /* classes that got fewer than per_class */
	size_t n_ignored;        /* non-image files ignored */
	/* skipped files and folders (unknown class, unreadable, corrupt, no class
	 * in the file name, duplicate content): reported, not fatal */
	struct mlfy_ingest_problem *skipped;
	size_t n_skipped;
};

void mlfy_add_exemplars_result_release(struct mlfy_add_exemplars_result *r);

/* Chooses and stores exemplars as described above.  Errors: MLFY_EINVAL
 * when SRC has no usable candidate for any class of the project (nothing is
 * changed), MLFY_EINTR when cancelled (nothing changed), store errors. */
int mlfy_ingest_add_exemplars(struct mlfy_store *s, const struct mlfy_add_exemplars_opts *opts,
			      struct mlfy_add_exemplars_result *res, struct mlfy_err *err);

#endif
