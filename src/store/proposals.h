/* proposals.h - typed access to models and their top-k label proposals
 * (proposals.c).  Writes need an open transaction.
 *
 * The project's *active* proposal model (whose proposals annotators see) is
 * the model named by meta key "proposal_model", or else the most recently
 * imported one.
 */
#ifndef MLFY_STORE_PROPOSALS_H
#define MLFY_STORE_PROPOSALS_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"
#include "util/vec.h"

struct mlfy_model {
	int64_t id;
	char *name;
	char *source;     /* file or ONNX path it came from */
	char *kind;       /* "npy-logits", "npy-probs", "timm-csv", "timm-json", "onnx" */
};

void mlfy_model_release(struct mlfy_model *m);

/* Finds the model called name or creates it; *id receives its id.  An
 * existing model gets the new source and kind (a re-import replaces it). */
int mlfy_models_ensure(struct mlfy_store *s, const char *name, const char *source,
		       const char *kind, int64_t *id, struct mlfy_err *err);

/* For a writer deciding what its import does (activate the first model,
 * say that a model is replaced): *n_models receives how many models exist
 * and *exists whether one called name does (1) or not (0).  Must be called
 * inside the caller's transaction (MLFY_EINVAL otherwise), so that the
 * answer still holds when the caller writes; a store error is returned as
 * such (MLFY_ESTORE), never taken for "absent". */
int mlfy_models_lookup(struct mlfy_store *s, const char *name, size_t *n_models, int *exists,
		       struct mlfy_err *err);

/* Looks a model up by name; MLFY_ENOTFOUND when absent. */
int mlfy_models_find(struct mlfy_store *s, const char *name, struct mlfy_model *out,
		     struct mlfy_err *err);

/* All models ordered by id: *out a new array; free each with
 * mlfy_model_release, then free(*out). */
int mlfy_models_list(struct mlfy_store *s, struct mlfy_model **out, size_t *n,
		     struct mlfy_err *err);

/* The active proposal model (see above); MLFY_ENOTFOUND when no model exists. */
int mlfy_models_active(struct mlfy_store *s, struct mlfy_model *out, struct mlfy_err *err);

/* Id of the active model as mlfy_models_active chooses it, or 0 when no
 * model was imported yet (not an error). */
int mlfy_models_active_id(struct mlfy_store *s, int64_t *id, struct mlfy_err *err);

/* Makes the named model the active one (meta "proposal_model"). */
int mlfy_models_set_active(struct mlfy_store *s, const char *name, struct mlfy_err *err);

struct mlfy_proposal {
	int rank;         /* 0 = top-1 */
	int class_idx;
	double score;     /* softmax probability in [0,1] */
};

/* Replaces the proposals of (image, model) by p[0..k) (borrowed); ranks are
 * taken from p[i].rank. */
int mlfy_proposals_put(struct mlfy_store *s, int64_t image_id, int64_t model_id,
		       const struct mlfy_proposal *p, size_t k, struct mlfy_err *err);

/* Deletes every proposal of model_id (before a re-import replaces them). */
int mlfy_proposals_clear(struct mlfy_store *s, int64_t model_id, struct mlfy_err *err);

/* Reads up to cap proposals of (image, model) ordered by rank into out;
 * *n receives how many (0 when none). */
int mlfy_proposals_get(struct mlfy_store *s, int64_t image_id, int64_t model_id,
		       struct mlfy_proposal *out, size_t cap, size_t *n,
		       struct mlfy_err *err);

/* The classes model_id proposed for image_id (at most MLFY_SHOWN_MAX, the
 * ones a page shows), strictly ascending, into the caller's growing buffer
 * *out (util/vec.h; out->n is reset first); *top1 (may be NULL) receives
 * the rank-0 class, -1 when there is none. */
#define MLFY_SHOWN_MAX 20
int mlfy_proposals_shown(struct mlfy_store *s, int64_t image_id, int64_t model_id, struct mlfy_ivec *out,
			 int *top1, struct mlfy_err *err);

/* *count receives the number of images having proposals from model_id. */
int mlfy_proposals_count_images(struct mlfy_store *s, int64_t model_id, int64_t *count,
				struct mlfy_err *err);

#endif
