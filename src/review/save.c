/* save.c - one annotation save (save.h): the validity rule of its fields,
 * and the transaction that appends it and, in stage iv, makes it the
 * image's final set. */
#include "review/save.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "review/refine.h"
#include "store/taskview.h"
#include "store/zero_label.h"

/* Characters (code points) of UTF-8 text: bytes that are not continuation
 * bytes.  The page's comment box limits characters, not bytes, so a comment
 * in a non-Latin script it accepts must be accepted here too. */
static size_t utf8_chars(const char *t)
{
	size_t n = 0;
	for (; *t; t++)
		n += ((unsigned char)*t & 0xC0) != 0x80;
	return n;
}

static int cmp_choice(const void *a, const void *b)
{
	int x = ((const struct mlfy_label_choice *)a)->class_idx;
	int y = ((const struct mlfy_label_choice *)b)->class_idx;
	return (x > y) - (x < y);
}

/* The labels of in sorted by class into *out (a new array, NULL when
 * empty); MLFY_EINVAL naming a class given twice. */
static int sorted_labels(const struct mlfy_annotation_save *in, struct mlfy_label_choice **out,
			 struct mlfy_err *err)
{
	size_t i;

	*out = NULL;
	if (!in->n_labels)
		return 0;
	if (!(*out = malloc(in->n_labels * sizeof(**out))))
		return mlfy_err_oom(err);
	memcpy(*out, in->labels, in->n_labels * sizeof(**out));
	qsort(*out, in->n_labels, sizeof(**out), cmp_choice);
	for (i = 1; i < in->n_labels; i++)
		if ((*out)[i].class_idx == (*out)[i - 1].class_idx) {
			int c = (*out)[i].class_idx;
			free(*out);
			*out = NULL;
			return mlfy_err_set(err, MLFY_EINVAL, "labels: class %d given twice", c);
		}
	return 0;
}

int mlfy_annotation_check(const struct mlfy_annotation_save *in, struct mlfy_err *err)
{
	struct mlfy_label_choice *sorted;
	size_t i;
	int rc;

	if ((unsigned)in->stage > MLFY_STAGE_REFINE)
		return mlfy_err_set(err, MLFY_EINVAL, "stage: expected \"annotate\" or \"refine\"");
	if (in->base_version < 0)
		return mlfy_err_set(err, MLFY_EINVAL, "base_version: expected a non-negative integer");
	if (in->n_labels && !in->labels)
		return mlfy_err_set(err, MLFY_EINVAL, "labels: missing");
	if (in->n_labels > MLFY_LABELS_MAX)
		return mlfy_err_set(err, MLFY_EINVAL, "labels: %zu labels; at most %d", in->n_labels,
				    MLFY_LABELS_MAX);
	for (i = 0; i < in->n_labels; i++) {
		if (in->labels[i].class_idx < 0)
			return mlfy_err_set(err, MLFY_EINVAL, "labels[%zu].class: %d is not a class index", i,
					    in->labels[i].class_idx);
		if ((unsigned)in->labels[i].source >= MLFY_N_SOURCES)
			return mlfy_err_set(err, MLFY_EINVAL,
					    "labels[%zu].source: expected \"proposal\", \"search\" or \"prefill\"", i);
	}
	if ((rc = sorted_labels(in, &sorted, err)))
		return rc;
	free(sorted);
	if (in->comment && utf8_chars(in->comment) > MLFY_COMMENT_MAX)
		return mlfy_err_set(err, MLFY_EINVAL, "comment: longer than %d characters", MLFY_COMMENT_MAX);
	if (!isfinite(in->seconds) || in->seconds < 0 || in->seconds >= 1e7)
		return mlfy_err_set(err, MLFY_EINVAL, "seconds: %g is not in [0, 1e7)", in->seconds);
	if (!in->zl_category != !in->zl_verdict)
		return mlfy_err_set(err, MLFY_EINVAL, "zero_label: needs both category and verdict");
	if (in->zl_category) {
		if (in->stage != MLFY_STAGE_REFINE)
			return mlfy_err_set(err, MLFY_EINVAL, "zero_label: only in refinement");
		if (in->n_labels)
			return mlfy_err_set(err, MLFY_EINVAL, "zero_label: only for an empty label set");
		if (mlfy_zero_category_index(in->zl_category) < 0)
			return mlfy_err_set(err, MLFY_EINVAL, "zero_label.category: unknown category '%s'",
					    in->zl_category);
		if (mlfy_zero_verdict_index(in->zl_verdict) < 0)
			return mlfy_err_set(err, MLFY_EINVAL, "zero_label.verdict: unknown verdict '%s'",
					    in->zl_verdict);
	}
	return 0;
}

/* Stage iv: a refined set that differs from the annotators' union needs a
 * comment. */
static int refine_comment_rule(struct mlfy_store *s, const struct mlfy_annotation_save *in,
			       const struct mlfy_label_choice *sorted, struct mlfy_err *err)
{
	int32_t *u = NULL;
	size_t nu = 0, i;
	int rc, differs;

	if (in->comment && in->comment[0])
		return 0;
	if ((rc = mlfy_annotations_stage2_union(s, in->image_id, &u, &nu, err)))
		return rc;
	differs = nu != in->n_labels;
	for (i = 0; !differs && i < nu; i++)
		differs = u[i] != sorted[i].class_idx;  /* NOLINT(clang-analyzer-core.NullDereference): the loop runs only when nu == n_labels > 0, and then both arrays hold nu entries */
	free(u);
	if (differs)
		return mlfy_err_set(err, MLFY_EINVAL,
				    "comment: required when the refined set differs from the annotators' labels");
	return 0;
}

static int save_tx(struct mlfy_store *s, const struct mlfy_annotation_save *in, int64_t *version,
		   struct mlfy_err *err)
{
	int rc;

	if ((rc = mlfy_tasks_check(s, in->annotator_id, in->stage, in->image_id, err)) ||
	    (rc = mlfy_annotations_append(s, in, version, NULL, err)))
		return rc;
	if (in->stage != MLFY_STAGE_REFINE)
		return 0;
	if ((rc = refine_comment_rule(s, in, in->labels, err)))
		return rc;
	/* the expert's set (this save) becomes the final set, stage "refined" */
	if ((rc = mlfy_review_finalize(s, in->image_id, NULL, err)))
		return rc;
	if (in->zl_category && (rc = mlfy_review_zero_add(s, in->image_id, in->annotator_id, in->zl_category,
							  in->zl_verdict, in->comment, NULL, err)))
		return mlfy_err_prefix(err, "zero_label");
	return 0;
}

int mlfy_annotations_save(struct mlfy_store *s, const struct mlfy_annotation_save *in,
			  int64_t *version, struct mlfy_err *err)
{
	struct mlfy_annotation_save sorted_in;
	struct mlfy_label_choice *sorted;
	int rc;

	if ((rc = mlfy_annotation_check(in, err)) || (rc = sorted_labels(in, &sorted, err)))
		return rc;
	sorted_in = *in;
	sorted_in.labels = sorted;
	if ((rc = mlfy_store_begin(s, err))) {
		free(sorted);
		return rc;
	}
	rc = save_tx(s, &sorted_in, version, err);
	free(sorted);
	if (rc) {
		mlfy_store_rollback(s);
		return rc;
	}
	return mlfy_store_commit(s, err);
}
