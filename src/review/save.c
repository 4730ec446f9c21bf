/* save.c - one annotation save (save.h): the validity rule of its fields,
 * and the transaction that appends it and, in stage iv, makes it the
 * image's final set. */
#include "review/save.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/vec.h"

#include "review/refine.h"
#include "store/final_labels.h"
#include "store/flags.h"
#include "store/gold.h"
#include "store/proposals.h"
#include "store/queue.h"
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
		if (in->labels[i].source == MLFY_SOURCE_PREFILL && in->stage != MLFY_STAGE_REFINE)
			return mlfy_err_set(err, MLFY_EINVAL,
					    "labels[%zu].source: \"prefill\" only in refinement (stage ii pre-checks nothing)",
					    i);
	}
	if ((rc = sorted_labels(in, &sorted, err)))
		return rc;
	free(sorted);
	if (in->comment && utf8_chars(in->comment) > MLFY_COMMENT_MAX)
		return mlfy_err_set(err, MLFY_EINVAL, "comment: longer than %d characters", MLFY_COMMENT_MAX);
	if (!isfinite(in->seconds) || in->seconds < 0 || in->seconds >= 1e7)
		return mlfy_err_set(err, MLFY_EINVAL, "seconds: %g is not in [0, 1e7)", in->seconds);
	if (isnan(in->elapsed_max))
		return mlfy_err_set(err, MLFY_EINVAL, "elapsed_max: not a number");
	if (in->unsure && in->stage != MLFY_STAGE_ANNOTATE)
		return mlfy_err_set(err, MLFY_EINVAL, "unsure: only in stage ii (an expert's refinement decides)");
	if (in->unsure < 0 || in->unsure > MLFY_N_UNSURE)
		return mlfy_err_set(err, MLFY_EINVAL, "unsure: no reason number %d", in->unsure);
	if (in->tags >> MLFY_N_TAGS)
		return mlfy_err_set(err, MLFY_EINVAL, "tags: unknown tag bits 0x%x", in->tags);
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

/* Stage iv: a refined set that differs from what was pre-checked u[0..nu)
 * needs a comment (the comment is trimmed already: whitespace alone is no
 * comment); a blind task pre-checks nothing and shows nothing to change,
 * so its comment is optional. */
static int refine_comment_rule(const struct mlfy_annotation_save *in, const struct mlfy_label_choice *sorted,
			       const int32_t *u, size_t nu, int blind, struct mlfy_err *err)
{
	size_t i;
	int differs;

	if (blind || (in->comment && in->comment[0]))
		return 0;
	differs = nu != in->n_labels;
	for (i = 0; !differs && i < nu; i++)
		differs = u[i] != sorted[i].class_idx;  /* NOLINT(clang-analyzer-core.NullDereference): the loop runs only when nu == n_labels > 0, and then both arrays hold nu entries */
	if (differs)
		return mlfy_err_set(err, MLFY_EINVAL,
				    "comment: required when the refined set differs from the annotators' labels");
	return 0;
}

/* 1 when class c is among the n ints of v (any order). */
static int among_i32(const int32_t *v, size_t n, int c)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (v[i] == c)
			return 1;
	return 0;
}

/* A label's source must be what the server showed: "proposal" only for a
 * class among the image's shown proposals (the active model's top
 * MLFY_TASK_TOP_K), "prefill" only for a class the refinement view showed
 * pre-checked (u[0..nu), the stage-ii union); anything else was found by
 * the search and must say "search".  Checks the labels in the order the
 * client gave them (given), so the message names its index. */
static int source_rule(struct mlfy_store *s, const struct mlfy_annotation_save *in,
		       const struct mlfy_label_choice *given, const int32_t *u, size_t nu, struct mlfy_err *err)
{
	struct mlfy_proposal props[MLFY_TASK_TOP_K];
	int32_t shown[MLFY_TASK_TOP_K];
	int64_t model = 0;
	size_t n_props = 0, i, j;
	int rc;

	for (i = 0; i < in->n_labels; i++)
		if (given[i].source == MLFY_SOURCE_PROPOSAL)
			break;
	if (i < in->n_labels) {
		if ((rc = mlfy_models_active_id(s, &model, err)))
			return rc;
		if (model && (rc = mlfy_proposals_get(s, in->image_id, model, props, MLFY_TASK_TOP_K, &n_props, err)))
			return rc;
	}
	for (j = 0; j < n_props; j++)
		shown[j] = props[j].class_idx;
	for (i = 0; i < in->n_labels; i++) {
		int c = given[i].class_idx;
		if (given[i].source == MLFY_SOURCE_PROPOSAL && !among_i32(shown, n_props, c))
			return mlfy_err_set(err, MLFY_EINVAL,
					    "labels[%zu].source: class %d is not among the proposals shown for this image;"
					    " a class found by the search is \"search\"", i, c);
		if (given[i].source == MLFY_SOURCE_PREFILL && !among_i32(u, nu, c))
			return mlfy_err_set(err, MLFY_EINVAL,
					    "labels[%zu].source: class %d was not pre-checked;"
					    " \"prefill\" is only for the pre-checked labels", i, c);
	}
	return 0;
}

/* MLFY_ECLOSED when stage iii has taken image_id (a final decision, or a
 * refinement-queue row): its stage-ii sets are what the decision rests on,
 * so they stay as they were until a coordinator reopens it. */
static int stage2_open(struct mlfy_store *s, int64_t image_id, struct mlfy_err *err)
{
	struct mlfy_queue_entry q;
	struct mlfy_final f;
	int rc;

	rc = mlfy_final_get(s, image_id, &f, err);
	if (!rc) {
		const char *st = mlfy_final_stage_name(f.stage);
		mlfy_final_release(&f);
		return mlfy_err_set(err, MLFY_ECLOSED,
				    "image %lld is closed: already decided (%s); a coordinator can reopen it"
				    " (mlfy reopen)", (long long)image_id, st ? st : "?");
	}
	if (rc != MLFY_ENOTFOUND)
		return rc;
	rc = mlfy_review_queue_get(s, image_id, &q, err);
	if (!rc) {
		mlfy_queue_entry_release(&q);
		return mlfy_err_set(err, MLFY_ECLOSED,
				    "image %lld is closed: sent to refinement by mlfy analyze; a coordinator can"
				    " reopen it (mlfy reopen)", (long long)image_id);
	}
	if (rc != MLFY_ENOTFOUND)
		return rc;
	mlfy_err_clear(err);
	return 0;
}

/* The seconds to store: the client's, at most the current version's
 * seconds plus in->elapsed_max (when > 0). */
static int capped_seconds(struct mlfy_store *s, const struct mlfy_annotation_save *in, double *out,
			  struct mlfy_err *err)
{
	struct mlfy_annotation cur;
	double prev = 0;
	int rc;

	*out = in->seconds;
	if (!(in->elapsed_max > 0))
		return 0;
	rc = mlfy_annotations_current(s, in->image_id, in->annotator_id, in->stage, &cur, err);
	if (rc && rc != MLFY_ENOTFOUND)
		return rc;
	if (!rc) {
		prev = cur.seconds;
		mlfy_annotation_release(&cur);
	}
	mlfy_err_clear(err);
	if (*out > prev + in->elapsed_max)
		*out = prev + in->elapsed_max;
	return 0;
}

/* Stage ii: the image must be open, unless this is a gold task of the
 * annotator's (store/gold.h), whose answer never touches the image's own
 * decision. */
static int stage2_may_save(struct mlfy_store *s, const struct mlfy_annotation_save *in, struct mlfy_err *err)
{
	int gold = mlfy_gold_task_is(s, in->annotator_id, in->image_id, err);
	if (gold < 0)
		return -gold;
	return gold ? 0 : stage2_open(s, in->image_id, err);
}

static int save_tx(struct mlfy_store *s, const struct mlfy_annotation_save *in,
		   const struct mlfy_label_choice *given, int64_t *version, struct mlfy_err *err)
{
	struct mlfy_annotation_save x = *in;
	struct mlfy_refine_shown shown = { .planted = -1 };
	int32_t *u = NULL;
	size_t nu = 0;
	int rc, blind = 0;

	if ((rc = mlfy_tasks_check(s, in->annotator_id, in->stage, in->image_id, err)))
		return rc;
	if (in->stage == MLFY_STAGE_ANNOTATE && (rc = stage2_may_save(s, in, err)))
		return rc;
	if (in->stage == MLFY_STAGE_REFINE) {
		if ((rc = mlfy_refine_shown_get(s, in->image_id, &shown, err)))
			return rc;
		u = shown.prefill;
		nu = shown.n_prefill;
		blind = shown.arm == MLFY_ARM_BLIND;
	}
	if ((rc = source_rule(s, in, given, u, nu, err)) || (rc = capped_seconds(s, in, &x.seconds, err)) ||
	    (rc = mlfy_annotations_append(s, &x, version, NULL, err)))
		goto out;
	if (in->stage != MLFY_STAGE_REFINE)
		goto out;
	if ((rc = refine_comment_rule(in, in->labels, u, nu, blind, err)))
		goto out;
	/* the expert's set (this save) becomes the final set, stage "refined" */
	if ((rc = mlfy_review_finalize(s, in->image_id, NULL, err)))
		goto out;
	if (in->zl_category && (rc = mlfy_review_zero_add(s, in->image_id, in->annotator_id, in->zl_category,
							  in->zl_verdict, in->comment, NULL, err)))
		rc = mlfy_err_prefix(err, "zero_label");
out:
	if (in->stage == MLFY_STAGE_REFINE)
		mlfy_refine_shown_release(&shown);
	return rc;
}

/* Whitespace at either end of a comment: ASCII white space and the
 * Unicode spaces a keyboard or a paste gives (no-break, en/em and the
 * other U+2000 spaces, line/paragraph separators, ideographic space, zero
 * width space and BOM).  Returns the length in bytes of the white space
 * character at t (0 when none). */
static size_t space_at(const unsigned char *t, size_t left)
{
	unsigned cp;

	if (*t == ' ' || (*t >= '\t' && *t <= '\r'))
		return 1;
	if (*t == 0xC2 && left >= 2)
		return t[1] == 0xA0 || t[1] == 0x85 ? 2 : 0;
	if ((*t & 0xF0) != 0xE0 || left < 3)
		return 0;
	cp = (unsigned)(*t & 0x0F) << 12 | (unsigned)(t[1] & 0x3F) << 6 | (unsigned)(t[2] & 0x3F);
	if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
	    cp == 0x205F || cp == 0x3000 || cp == 0xFEFF)
		return 3;
	return 0;
}

/* comment without white space at either end, as a new string (*out; NULL
 * when comment is NULL). */
static int trimmed(const char *comment, char **out, struct mlfy_err *err)
{
	const unsigned char *b, *e, *p, *last;
	size_t k;

	*out = NULL;
	if (!comment)
		return 0;
	b = (const unsigned char *)comment;
	e = b + strlen(comment);
	while (b < e && (k = space_at(b, (size_t)(e - b))))
		b += k;
	/* e: just after the last character that is not white space */
	for (p = last = b; p < e;) {
		if ((k = space_at(p, (size_t)(e - p)))) {
			p += k;
			continue;
		}
		p++;
		while (p < e && (*p & 0xC0) == 0x80)
			p++;
		last = p;
	}
	e = last;
	if (!(*out = strndup((const char *)b, (size_t)(e - b))))
		return mlfy_err_oom(err);
	return 0;
}

int mlfy_annotations_save_in_tx(struct mlfy_store *s, const struct mlfy_annotation_save *in, int64_t *version,
				struct mlfy_err *err)
{
	struct mlfy_annotation_save sorted_in;
	struct mlfy_label_choice *sorted;
	char *comment;
	int rc;

	if (!mlfy_store_in_transaction(s))
		return mlfy_err_set(err, MLFY_EINVAL, "internal error: an annotation save outside a transaction");
	if ((rc = mlfy_annotation_check(in, err)) || (rc = sorted_labels(in, &sorted, err)))
		return rc;
	if ((rc = trimmed(in->comment, &comment, err))) {
		free(sorted);
		return rc;
	}
	sorted_in = *in;
	sorted_in.labels = sorted;
	sorted_in.comment = comment;
	rc = save_tx(s, &sorted_in, in->labels, version, err);
	MLFY_FREE_ALL(sorted, comment);
	return rc;
}

int mlfy_annotations_save(struct mlfy_store *s, const struct mlfy_annotation_save *in,
			  int64_t *version, struct mlfy_err *err)
{
	int rc;

	/* the fields first: a bad request costs no transaction */
	if ((rc = mlfy_annotation_check(in, err)) || (rc = mlfy_store_begin(s, err)))
		return rc;
	if ((rc = mlfy_annotations_save_in_tx(s, in, version, err))) {
		mlfy_store_rollback(s);
		return rc;
	}
	return mlfy_store_commit(s, err);
}
