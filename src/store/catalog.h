/* catalog.h - typed access to the project's catalog: classes, images,
 * exemplars (catalog.c).  Writes need an open transaction
 * (mlfy_store_begin); they return MLFY_EINVAL otherwise.
 *
 * Ownership: every struct filled by a getter owns its strings; release it
 * with the matching *_release() (which accepts zeroed structs).
 */
#ifndef MLFY_STORE_CATALOG_H
#define MLFY_STORE_CATALOG_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

/* ---- classes -------------------------------------------------------------- */

struct mlfy_class {
	int idx;          /* model output index, 0-based */
	char *ext_id;     /* external id: WordNet id ("n01440764") or the name itself */
	char *name;       /* short display name ("tench") */
	char *synonyms;   /* comma-separated synonyms ("tench, Tinca tinca"), may be "" */
	char *gloss;      /* definition (WordNet gloss), may be "" */
};

/* Frees the strings of c (not c itself) and zeroes it. */
void mlfy_class_release(struct mlfy_class *c);
/* Releases n classes and frees the array.  Accepts NULL. */
void mlfy_classes_free(struct mlfy_class *c, size_t n);

/* Inserts n classes (borrowed).  Indices must be unique and ext_ids unique:
 * MLFY_ECONFLICT otherwise, with the offending class named. */
int mlfy_catalog_add_classes(struct mlfy_store *s, const struct mlfy_class *c,
			     size_t n, struct mlfy_err *err);

/* Number of classes in *n. */
int mlfy_catalog_n_classes(struct mlfy_store *s, size_t *n, struct mlfy_err *err);

/* All classes ordered by index: *out is a new array (mlfy_classes_free). */
int mlfy_catalog_list_classes(struct mlfy_store *s, struct mlfy_class **out,
			      size_t *n, struct mlfy_err *err);

/* One class by index into *out (release with mlfy_class_release);
 * MLFY_ENOTFOUND if absent. */
int mlfy_catalog_get_class(struct mlfy_store *s, int idx, struct mlfy_class *out,
			   struct mlfy_err *err);

/* Resolves a label as written in a dataset to a class index: an external id
 * ("n01440764"), a decimal index ("0"…"999"), or a class name ("tench",
 * case-sensitive, then case-insensitive).  MLFY_ENOTFOUND when nothing
 * matches, MLFY_EINVAL when a name is ambiguous. */
int mlfy_catalog_find_class(struct mlfy_store *s, const char *key, int *idx,
			    struct mlfy_err *err);

/* ---- images --------------------------------------------------------------- */

struct mlfy_image {
	int64_t id;            /* store id (assigned by add) */
	char *name;            /* unique key: path relative to the import root, '/'-separated */
	char *path;            /* absolute file path */
	int original_label;    /* class index, or -1 when the dataset gives none */
	int batch;             /* annotation batch, 1-based */
	char sha256[65];       /* hex SHA-256 of the file's bytes */
	int width, height;     /* pixels, from the header */
	int64_t bytes;         /* file size */
};

void mlfy_image_release(struct mlfy_image *img);

/* Inserts img (borrowed) and sets img->id.  MLFY_ECONFLICT when the name exists. */
int mlfy_catalog_add_image(struct mlfy_store *s, struct mlfy_image *img,
			   struct mlfy_err *err);

/* Lookups fill *out (release it); MLFY_ENOTFOUND when absent.  by_hash
 * returns the lowest-id image with that content. */
int mlfy_catalog_image_by_id(struct mlfy_store *s, int64_t id, struct mlfy_image *out,
			     struct mlfy_err *err);
int mlfy_catalog_image_by_name(struct mlfy_store *s, const char *name,
			       struct mlfy_image *out, struct mlfy_err *err);
int mlfy_catalog_image_by_hash(struct mlfy_store *s, const char *sha256,
			       struct mlfy_image *out, struct mlfy_err *err);

/* Id of the image named name; MLFY_ENOTFOUND when the project has no such
 * image. */
int mlfy_catalog_image_id(struct mlfy_store *s, const char *name, int64_t *id, struct mlfy_err *err);

/* Number of images in *n. */
int mlfy_catalog_n_images(struct mlfy_store *s, int64_t *n, struct mlfy_err *err);

/* Highest batch number in use (0 when there are no images). */
int mlfy_catalog_max_batch(struct mlfy_store *s, int *batch, struct mlfy_err *err);

/* Image counts per batch: *counts is a new array (free()) of *n_batches
 * entries, (*counts)[b - 1] = number of images in batch b for b = 1 ..
 * max batch; empty batches count 0.  With no images *n_batches is 0 and
 * *counts an empty allocation. */
int mlfy_catalog_batch_counts(struct mlfy_store *s, int64_t **counts, int *n_batches,
			      struct mlfy_err *err);

/* Calls cb for every image ordered by name (the image is borrowed for the
 * call).  A non-zero return from cb stops the walk and is returned.
 * batch > 0 restricts the walk to that batch.  cb may call other store
 * functions (reads; writes too inside a transaction) but must not change
 * the images table. */
typedef int (*mlfy_image_cb)(const struct mlfy_image *img, void *ctx);
int mlfy_catalog_foreach_image(struct mlfy_store *s, int batch, mlfy_image_cb cb,
			       void *ctx, struct mlfy_err *err);

/* ---- exemplars ------------------------------------------------------------ */

struct mlfy_exemplar {
	int class_idx;
	int rank;            /* 0-based display order */
	char *path;          /* absolute file path */
	char sha256[65];
	int width, height;
};

void mlfy_exemplars_free(struct mlfy_exemplar *ex, size_t n);

/* Replaces the exemplars of class_idx by ex[0..n) (borrowed; ranks are
 * taken from ex[i].rank).  MLFY_ENOTFOUND when the class does not exist,
 * MLFY_ECONFLICT on a repeated rank.  n == 0 clears the class's exemplars. */
int mlfy_catalog_set_exemplars(struct mlfy_store *s, int class_idx,
			       const struct mlfy_exemplar *ex, size_t n,
			       struct mlfy_err *err);

/* Exemplars of a class ordered by rank: *out new array (mlfy_exemplars_free). */
int mlfy_catalog_exemplars(struct mlfy_store *s, int class_idx,
			   struct mlfy_exemplar **out, size_t *n, struct mlfy_err *err);

/* One exemplar by (class, rank); MLFY_ENOTFOUND when absent. */
int mlfy_catalog_exemplar(struct mlfy_store *s, int class_idx, int rank,
			  struct mlfy_exemplar *out, struct mlfy_err *err);

/* Number of exemplars of all classes in *n. */
int mlfy_catalog_n_exemplars(struct mlfy_store *s, int64_t *n, struct mlfy_err *err);

#endif
