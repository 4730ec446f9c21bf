/* review_input.h - the project as the disagreement analysis (stage iii)
 * reads it (review_input.c).  The callback borrows every pointer it is
 * passed for the duration of the call only. */
#ifndef MLFY_STORE_REVIEW_INPUT_H
#define MLFY_STORE_REVIEW_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

/* One assigned annotator of an image and their current stage-ii answer. */
struct mlfy_review_annotation {
	int64_t annotator_id;
	const char *annotator;     /* account name */
	int64_t annotation_id;     /* current stage-ii version; 0 = not annotated yet */
	int64_t model_id;          /* whose proposals were shown; 0 = unknown */
	const int32_t *labels;     /* chosen classes, strictly ascending */
	size_t n_labels;
	const int32_t *shown;      /* classes proposed by model_id for the image,
				      strictly ascending (what the page showed) */
	size_t n_shown;
	const char *comment;       /* "" when none */
	double seconds;            /* time on image */
	int unsure;                /* 0, or 1 + the unsure reason's index (store/flags.h) */
	unsigned tags;             /* problem tags, bit i = tag i (store/flags.h) */
};

/* One image with everything the analysis needs. */
struct mlfy_review_image {
	int64_t id;
	const char *name;
	int batch;
	int original_label;        /* class index or -1 */
	const char *final_stage;   /* current final_status.stage, NULL when undecided */
	int queued;                /* 1 when in the refinement queue */
	int refine_saved;          /* 1 when some expert saved a stage-iv annotation */
	const struct mlfy_review_annotation *ann;  /* the annotators assigned to the
						      image's batch, by name */
	size_t n_ann;              /* 0: the batch is not assigned to anyone */
};

typedef int (*mlfy_review_image_cb)(const struct mlfy_review_image *img, void *ctx);

/* Calls cb for every image of the project in name order.  A non-zero return
 * from cb stops the walk and is returned.  A few indexed lookups per (image,
 * annotator).  Inside the caller's transaction cb may write (the walk pages
 * by image name); outside one the walk runs in a read transaction (one
 * consistent snapshot), and cb must then not write. */
int mlfy_review_foreach_image(struct mlfy_store *s, mlfy_review_image_cb cb, void *ctx,
			      struct mlfy_err *err);
#endif
