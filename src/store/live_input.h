/* live_input.h - the project as the live project view reads it
 * (live_input.c; evaluate/live.h keeps the counts): every image with its
 * original label, final set, each model's rank-0 proposal and the active
 * proposal model's first proposals; the same for only the images whose
 * final set changed since a final_changes sequence number; the highest
 * sequence number; and a signature of what, when it changes, makes the
 * view start over (models, the active model, the images).  Reads only;
 * owns no table.
 *
 * Consistency: a caller that needs several of these reads to describe one
 * state (counts, then the sequence number they reflect) brackets them with
 * mlfy_live_read_begin / mlfy_live_read_end: one read transaction, one
 * snapshot.  Works on a read-only store.
 */
#ifndef MLFY_STORE_LIVE_INPUT_H
#define MLFY_STORE_LIVE_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

/* Opens a read transaction (one consistent snapshot for the reads that
 * follow) unless the handle is already in a transaction; *began is 1 when
 * this call opened it, and must be passed to mlfy_live_read_end.  Errors:
 * MLFY_ESTORE / MLFY_EIO. */
int mlfy_live_read_begin(struct mlfy_store *s, int *began, struct mlfy_err *err);
/* Ends what mlfy_live_read_begin opened (nothing when began is 0). */
void mlfy_live_read_end(struct mlfy_store *s, int began);

/* What the view was built from.  Two signatures differ when a model was
 * added, renamed or re-imported from another source, the active proposal
 * model changed, or images were added (images are only ever appended).
 * Not seen: a re-import of the same file under the same name (same
 * models row): rebuild the view after it (mlfy_live_open). */
struct mlfy_live_signature {
	uint64_t models;        /* FNV-1a 64 over every models row (id, name, source, kind,
				 * created_at), in id order */
	int64_t active_model;   /* mlfy_models_active_id (proposals.h); 0 = no model */
	int64_t max_image;      /* largest image id; 0 = no image */
};

int mlfy_live_signature_get(struct mlfy_store *s, struct mlfy_live_signature *sig,
			    struct mlfy_err *err);
/* 1 when a and b are the same signature, else 0. */
int mlfy_live_signature_equal(const struct mlfy_live_signature *a,
			      const struct mlfy_live_signature *b);

/* *seq receives the highest final_changes.seq (0 when no final set was
 * ever written).  O(log n): the seq index. */
int mlfy_live_max_seq(struct mlfy_store *s, int64_t *seq, struct mlfy_err *err);

/* One model's rank-0 proposal for an image. */
struct mlfy_live_top1 {
	int64_t model_id;
	int class_idx;
};

/* One image as the view reads it; every pointer is borrowed for the
 * duration of the callback only. */
struct mlfy_live_image {
	int64_t id;
	int64_t seq;                 /* its final_changes.seq (changes only; 0 in a full walk) */
	int original;                /* original label, -1 = none (full walk only: original
				      * labels never change, mlfy_live_changes sets -1) */
	int decided;                 /* 1 when it has a final_status row */
	const int *labels;           /* [n_labels] its final set, ascending (decided only) */
	size_t n_labels;
	const struct mlfy_live_top1 *top1;   /* [n_top1] the rank-0 proposal of every model
					      * that has one, by model id */
	size_t n_top1;
	const int *proposals;        /* [n_proposals] the active model's first k proposals
				      * by rank (rank 0 first), as mlfy_proposals_get reads
				      * them; none when it has no proposals for the image */
	size_t n_proposals;
};

typedef int (*mlfy_live_image_cb)(const struct mlfy_live_image *img, void *ctx);

/* Calls cb for every image in id order.  active_model (0: none) is the
 * model whose first k (1..64) proposals are passed.  One ordered scan of
 * images, final_labels and proposals (merged): its cost is that of reading
 * the proposals table once.  cb must not use s (its cursors are open).  A
 * non-zero return from cb stops the walk and is returned.  Runs in a read
 * transaction of its own unless one is open.  Errors: MLFY_EINVAL (k out
 * of range), MLFY_ENOMEM, store errors. */
int mlfy_live_images(struct mlfy_store *s, int64_t active_model, size_t k, mlfy_live_image_cb cb,
		     void *ctx, struct mlfy_err *err);

/* The same for the images whose final_changes.seq is greater than since,
 * in seq order (each image once: final_changes keeps its latest change),
 * without their original labels (original = -1; the caller keeps them
 * from the full walk).  An image that was reopened arrives with decided =
 * 0.  Cost: a range of the seq index and three index lookups per changed
 * image (final_status, final_labels, proposals): about 25 us of CPU per
 * image at 1,000,000 images on the development machine, most of it
 * reading the pages. */
int mlfy_live_changes(struct mlfy_store *s, int64_t since, int64_t active_model, size_t k,
		      mlfy_live_image_cb cb, void *ctx, struct mlfy_err *err);

/* *n receives the number of images whose final_changes.seq is greater
 * than since (a range of the seq index: O(n)). */
int mlfy_live_count_changes(struct mlfy_store *s, int64_t since, int64_t *n, struct mlfy_err *err);

#endif
