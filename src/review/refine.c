/* refine.c - stage (iv)'s rule: which refinement is an image's final set
 * (refine.h).  Reads the queue row and the refinements through the store,
 * writes the decision with mlfy_review_final_update. */
#include "review/refine.h"

#include <stdlib.h>
#include <string.h>

#include "store/annotations.h"
#include "store/decisions.h"
#include "store/final_labels.h"
#include "store/queue.h"

/* The basis of a refined decision: the stage-ii versions the expert was
 * shown (current now: stage ii is closed while the image is queued) and
 * the refinement itself. */
static int refined_basis(struct mlfy_store *s, int64_t image_id, int64_t refinement, struct mlfy_err *err)
{
	struct mlfy_annotation *others = NULL;
	int64_t *ids;
	size_t n = 0, i;
	int rc;

	if ((rc = mlfy_annotations_of_image(s, image_id, MLFY_STAGE_ANNOTATE, &others, &n, err)))
		return rc;
	if (!(ids = malloc((n + 1) * sizeof(*ids)))) {
		mlfy_annotations_free(others, n);
		return mlfy_err_oom(err);
	}
	for (i = 0; i < n; i++)
		ids[i] = others[i].id;
	ids[n] = refinement;
	rc = mlfy_decision_basis_set(s, image_id, ids, n + 1, NULL, err);
	free(ids);
	mlfy_annotations_free(others, n);
	return rc;
}

int mlfy_review_finalize(struct mlfy_store *s, int64_t image_id, int *changed,
			 struct mlfy_err *err)
{
	struct mlfy_queue_entry q;
	struct mlfy_annotation a;
	struct mlfy_arm_row arm;
	int *labels = NULL;
	size_t i, n;
	int rc;

	if (changed)
		*changed = 0;
	if (!mlfy_store_in_transaction(s))
		return mlfy_err_set(err, MLFY_EINVAL, "finalize refinement: internal error: write outside a transaction");
	if ((rc = mlfy_review_queue_get(s, image_id, &q, err)))
		return rc;
	rc = MLFY_ENOTFOUND;
	if (q.expert_id > 0)
		rc = mlfy_annotations_current(s, image_id, q.expert_id, MLFY_STAGE_REFINE, &a, err);
	mlfy_queue_entry_release(&q);
	if (rc == MLFY_ENOTFOUND)
		rc = mlfy_annotations_latest(s, image_id, MLFY_STAGE_REFINE, &a, err);
	if (rc == MLFY_ENOTFOUND)
		return mlfy_err_set(err, MLFY_ENOTFOUND, "image %lld: no refinement saved yet", (long long)image_id);
	if (rc)
		return rc;
	if (a.n_labels && !(labels = malloc(a.n_labels * sizeof(*labels)))) {
		mlfy_annotation_release(&a);
		return mlfy_err_oom(err);
	}
	if ((rc = mlfy_arm_get(s, image_id, &arm, err))) {
		free(labels);
		mlfy_annotation_release(&a);
		return rc;
	}
	/* a planted label is known to be wrong: kept by the expert, it is
	 * measured (the refinement keeps it in the history), never a final label */
	for (i = 0, n = 0; i < a.n_labels; i++)
		if (a.labels[i].class_idx != arm.planted)
			labels[n++] = a.labels[i].class_idx;
	rc = mlfy_review_final_update(s, image_id, MLFY_FINAL_REFINED, labels, n, a.id, changed, err);
	free(labels);
	if (!rc)
		rc = refined_basis(s, image_id, a.id, err);
	mlfy_annotation_release(&a);
	return rc;
}

int mlfy_review_finalize_all(struct mlfy_store *s, int64_t *n_done, int64_t *n_waiting,
			     struct mlfy_err *err)
{
	struct mlfy_queue_entry *q = NULL;
	size_t n = 0, i;
	int rc;

	*n_done = 0;
	if (n_waiting)
		*n_waiting = 0;
	if (!mlfy_store_in_transaction(s))
		return mlfy_err_set(err, MLFY_EINVAL, "finalize refinements: internal error: write outside a transaction");
	if ((rc = mlfy_review_queue_list(s, 0, &q, &n, err)))
		return rc;
	for (i = 0; i < n; i++) {
		int changed;
		rc = mlfy_review_finalize(s, q[i].image_id, &changed, err);
		if (rc == MLFY_ENOTFOUND) {
			if (n_waiting)
				(*n_waiting)++;
			continue;
		}
		if (rc)
			break;
		*n_done += changed;
	}
	mlfy_queue_entries_free(q, n);
	if (rc == MLFY_ENOTFOUND)
		rc = 0;
	if (!rc)
		mlfy_err_clear(err);
	return rc;
}

void mlfy_refine_shown_release(struct mlfy_refine_shown *r)
{
	if (!r)
		return;
	free(r->prefill);
	memset(r, 0, sizeof(*r));
}

int mlfy_refine_shown_get(struct mlfy_store *s, int64_t image_id, struct mlfy_refine_shown *out,
			  struct mlfy_err *err)
{
	struct mlfy_arm_row arm;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	out->planted = -1;
	if ((rc = mlfy_arm_get(s, image_id, &arm, err)))
		return rc;
	out->arm = arm.arm;
	if (arm.arm == MLFY_ARM_BLIND)
		return 0;
	out->show_others = 1;
	if ((rc = mlfy_annotations_stage2_union(s, image_id, &out->prefill, &out->n_prefill, err)))
		return rc;
	for (i = 0; arm.planted >= 0 && i < out->n_prefill && out->prefill[i] != arm.planted; i++)
		;
	if (arm.planted >= 0 && i == out->n_prefill) {   /* not chosen by an annotator: add it in order */
		int32_t *v = realloc(out->prefill, (out->n_prefill + 1) * sizeof(*v));
		size_t j;
		if (!v) {
			mlfy_refine_shown_release(out);
			return mlfy_err_oom(err);
		}
		for (j = out->n_prefill; j > 0 && v[j - 1] > arm.planted; j--)
			v[j] = v[j - 1];
		v[j] = arm.planted;
		out->prefill = v;
		out->n_prefill++;
		out->planted = arm.planted;
	}
	return 0;
}
