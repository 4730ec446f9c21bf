/* verify.c - the grid of ReaL's verification protocol (review/verify.h):
 * what a rater has to do (labels, items) and whether a page of answers is
 * valid, then the page stored as one transaction.  The questions and the
 * assignment are in verify_questions.c and verify_assign.c. */
#include "review/verify.h"
#include "store/verify.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- what a rater has to do ------------------------------------------------------ */

void mlfy_verify_labels_release(struct mlfy_verify_label *v, size_t n)
{
	size_t i;
	for (i = 0; v && i < n; i++)
		free(v[i].name);
	free(v);
}

int mlfy_verify_labels(struct mlfy_store *s, int64_t annotator_id, struct mlfy_verify_label **out,
		       size_t *n, struct mlfy_err *err)
{
	struct mlfy_vq_label_row *rows = NULL;
	size_t nr = 0, i;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = mlfy_vq_store_labels(s, annotator_id, &rows, &nr, err)))
		return rc;
	if (nr && !(*out = calloc(nr, sizeof(**out)))) {
		for (i = 0; i < nr; i++)
			free(rows[i].name);
		free(rows);
		return mlfy_err_oom(err);
	}
	for (i = 0; i < nr; i++)
		(*out)[i] = (struct mlfy_verify_label){ rows[i].class_idx, rows[i].name, rows[i].pending,
							rows[i].answered };
	*n = nr;
	free(rows);
	return 0;
}

void mlfy_verify_items_release(struct mlfy_verify_item *v, size_t n)
{
	size_t i;
	for (i = 0; v && i < n; i++)
		free(v[i].image);
	free(v);
}

int mlfy_verify_items(struct mlfy_store *s, int64_t annotator_id, int32_t class_idx, int include_answered,
		      size_t offset, size_t limit, struct mlfy_verify_item **out, size_t *n, int64_t *total,
		      struct mlfy_err *err)
{
	struct mlfy_vq_item_row *rows = NULL;
	size_t nr = 0, i;
	int64_t pending = 0;
	int rc;

	*out = NULL;
	*n = 0;
	*total = 0;
	if ((rc = mlfy_vq_store_items(s, annotator_id, class_idx, include_answered, offset, limit, &rows, &nr,
				      &pending, err)))
		return rc;
	if (nr && !(*out = calloc(nr, sizeof(**out)))) {
		for (i = 0; i < nr; i++)
			free(rows[i].image);
		free(rows);
		return mlfy_err_oom(err);
	}
	for (i = 0; i < nr; i++)
		(*out)[i] = (struct mlfy_verify_item){ rows[i].question_id, rows[i].image_id, rows[i].image,
						       rows[i].answer, rows[i].version };
	*n = nr;
	*total = pending;
	free(rows);
	return 0;
}

/* ---- checking a page ------------------------------------------------------------- */

/* The longest time one answer or page may claim, in seconds (as save.h). */
#define VERIFY_SECONDS_MAX 1e7

static int seconds_ok(double v)
{
	return isfinite(v) && v >= 0 && v < VERIFY_SECONDS_MAX;
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

int mlfy_verify_check(const struct mlfy_verify_submit *in, struct mlfy_err *err)
{
	const char *id = in->client_page_id;
	int64_t *ids;
	size_t i, len;

	if (!id || !*id)
		return mlfy_err_set(err, MLFY_EINVAL, "page_id: missing");
	len = strlen(id);
	if (len > MLFY_VERIFY_PAGE_ID_MAX)
		return mlfy_err_set(err, MLFY_EINVAL, "page_id: %zu bytes, at most %d", len,
				    MLFY_VERIFY_PAGE_ID_MAX);
	for (i = 0; i < len; i++)
		if ((unsigned char)id[i] < 0x20 || (unsigned char)id[i] > 0x7e)
			return mlfy_err_set(err, MLFY_EINVAL, "page_id: byte %zu is not printable ASCII", i + 1);
	if (in->class_idx < 0)
		return mlfy_err_set(err, MLFY_EINVAL, "class_idx: %d is negative", (int)in->class_idx);
	if (!seconds_ok(in->seconds))
		return mlfy_err_set(err, MLFY_EINVAL, "seconds: %g is not a time in [0, 1e7)", in->seconds);
	if (isnan(in->elapsed_max))
		return mlfy_err_set(err, MLFY_EINVAL, "elapsed_max: not a number");
	if (in->n_answers < 1 || in->n_answers > MLFY_VERIFY_PAGE_MAX)
		return mlfy_err_set(err, MLFY_EINVAL, "answers: %zu answers, a page holds 1 to %d", in->n_answers,
				    MLFY_VERIFY_PAGE_MAX);
	if (!in->answers)
		return mlfy_err_set(err, MLFY_EINVAL, "answers: missing");
	for (i = 0; i < in->n_answers; i++) {
		const struct mlfy_verify_answer_in *a = &in->answers[i];
		if (a->question_id < 1)
			return mlfy_err_set(err, MLFY_EINVAL, "answers[%zu].question_id: %lld is not a question id", i,
					    (long long)a->question_id);
		if (a->answer != MLFY_VERIFY_NO && a->answer != MLFY_VERIFY_MAYBE && a->answer != MLFY_VERIFY_YES)
			return mlfy_err_set(err, MLFY_EINVAL, "answers[%zu].answer: %d is not 0 (no), 1 (maybe) or"
					    " 2 (yes)", i, a->answer);
		if (a->bulk != 0 && a->bulk != 1)
			return mlfy_err_set(err, MLFY_EINVAL, "answers[%zu].bulk: %d is not 0 or 1", i, a->bulk);
		if (!seconds_ok(a->seconds))
			return mlfy_err_set(err, MLFY_EINVAL, "answers[%zu].seconds: %g is not a time in [0, 1e7)", i,
					    a->seconds);
		if (a->base_version < 0)
			return mlfy_err_set(err, MLFY_EINVAL, "answers[%zu].base_version: %lld is negative", i,
					    (long long)a->base_version);
	}
	if (!(ids = malloc(in->n_answers * sizeof(*ids))))
		return mlfy_err_oom(err);
	for (i = 0; i < in->n_answers; i++)
		ids[i] = in->answers[i].question_id;
	qsort(ids, in->n_answers, sizeof(*ids), cmp_i64);
	for (i = 1; i < in->n_answers; i++)
		if (ids[i] == ids[i - 1]) {
			int64_t dup = ids[i];
			size_t j, first = 0, second = 0, seen = 0;
			free(ids);
			for (j = 0; j < in->n_answers; j++)
				if (in->answers[j].question_id == dup) {
					if (seen++)
						second = j;
					else
						first = j;
					if (seen == 2)
						break;
				}
			return mlfy_err_set(err, MLFY_EINVAL, "answers[%zu].question_id: question %lld answered twice"
					    " on the page (first at answers[%zu])", second, (long long)dup, first);
		}
	free(ids);
	return 0;
}

/* ---- storing a page -------------------------------------------------------------- */

static double clamp(double v, double max)
{
	return max > 0 && v > max ? max : v;
}

/* A page id stored before: the same page sent again (an offline re-send)
 * is answered as the first time; other contents under the same id (a
 * second tab of the same page, a page id reused) are refused as a conflict
 * naming the first answer that differs and what stands for it, so nothing
 * is reported stored that was not. */
static int replay(struct mlfy_store *s, const struct mlfy_verify_submit *in, int64_t page_id, int64_t n_stored,
		  struct mlfy_verify_submit_result *res, struct mlfy_err *err)
{
	size_t i;
	int rc;

	for (i = 0; i < in->n_answers; i++) {
		const struct mlfy_verify_answer_in *a = &in->answers[i];
		struct mlfy_vq_state st;
		int32_t cls;
		int answer, bulk;
		if ((rc = mlfy_vq_store_page_answer(s, page_id, a->question_id, &cls, &answer, &bulk, err)))
			return rc;
		if (cls == in->class_idx && answer == a->answer && bulk == a->bulk && (int64_t)in->n_answers == n_stored)
			continue;
		if ((rc = mlfy_vq_store_state(s, a->question_id, in->annotator_id, &st, err)))
			return rc;
		res->conflict = i;
		res->conflict_version = st.version;
		res->conflict_answer = st.answer;
		return mlfy_err_set(err, MLFY_ECONFLICT, "page_id: page '%s' was stored before with other answers"
				    " (answers[%zu], question %lld, differs; a page id is used once): nothing was stored",
				    in->client_page_id, i, (long long)a->question_id);
	}
	res->page_id = page_id;
	res->replayed = 1;
	res->stored = (size_t)n_stored;
	return 0;
}

static int submit_tx(struct mlfy_store *s, const struct mlfy_verify_submit *in, struct mlfy_verify_submit_result *res,
		     struct mlfy_err *err)
{
	int64_t page_id, n_stored;
	size_t i;
	int rc;

	if ((rc = mlfy_vq_store_page_find(s, in->annotator_id, in->client_page_id, &page_id, &n_stored, err)))
		return rc;
	if (page_id)
		return replay(s, in, page_id, n_stored, res, err);
	/* every answer first: nothing is written unless all are valid */
	for (i = 0; i < in->n_answers; i++) {
		const struct mlfy_verify_answer_in *a = &in->answers[i];
		struct mlfy_vq_state st;
		if ((rc = mlfy_vq_store_state(s, a->question_id, in->annotator_id, &st, err)))
			return rc;
		if (!st.is_question || !st.assigned)
			return mlfy_err_set(err, MLFY_EPERM, "answers[%zu]: question %lld is not assigned to this rater", i,
					    (long long)a->question_id);
		if (st.class_idx != in->class_idx)
			return mlfy_err_set(err, MLFY_EINVAL, "answers[%zu].question_id: question %lld is about class %d,"
					    " not the page's class %d", i, (long long)a->question_id, (int)st.class_idx,
					    (int)in->class_idx);
		if (st.version != a->base_version) {
			res->conflict = i;
			res->conflict_version = st.version;
			res->conflict_answer = st.answer;
			return mlfy_err_set(err, MLFY_ECONFLICT, "answers[%zu].base_version: question %lld is at version"
					    " %lld, not the page's %lld (answered meanwhile elsewhere)", i,
					    (long long)a->question_id, (long long)st.version, (long long)a->base_version);
		}
	}
	if ((rc = mlfy_vq_store_page_add(s, in->annotator_id, in->class_idx, in->client_page_id,
					 clamp(in->seconds, in->elapsed_max), &page_id, err)))
		return rc;
	for (i = 0; i < in->n_answers; i++) {
		const struct mlfy_verify_answer_in *a = &in->answers[i];
		if ((rc = mlfy_vq_store_answer_add(s, page_id, a->question_id, in->annotator_id, a->answer, a->bulk,
						   clamp(a->seconds, in->elapsed_max), a->base_version + 1, err))) {
			if (rc == MLFY_ECONFLICT) {
				res->conflict = i;
				res->conflict_version = a->base_version + 1;
				res->conflict_answer = -1;
			}
			return rc;
		}
	}
	res->page_id = page_id;
	res->stored = in->n_answers;
	return 0;
}

int mlfy_verify_submit(struct mlfy_store *s, const struct mlfy_verify_submit *in,
		       struct mlfy_verify_submit_result *res, struct mlfy_err *err)
{
	int rc;

	memset(res, 0, sizeof(*res));
	res->conflict_answer = -1;
	if ((rc = mlfy_verify_check(in, err)))
		return rc;
	if ((rc = mlfy_store_begin(s, err)))
		return rc;
	if (!(rc = submit_tx(s, in, res, err)) && !(rc = mlfy_store_commit(s, err)))
		return 0;
	mlfy_store_rollback(s);
	if (rc != MLFY_ECONFLICT) {
		memset(res, 0, sizeof(*res));
		res->conflict_answer = -1;
	} else {
		res->page_id = 0;
		res->stored = 0;
	}
	return rc;
}

int mlfy_verify_image_of(struct mlfy_store *s, int64_t annotator_id, int32_t class_idx, int64_t question_id,
			 int64_t *image_id, struct mlfy_err *err)
{
	int rc = mlfy_vq_store_image_of(s, annotator_id, class_idx, question_id, image_id, err);
	if (!rc && *image_id < 0)
		return mlfy_err_set(err, MLFY_EPERM,
				    "question %lld about class %d is not one of your verification questions",
				    (long long)question_id, (int)class_idx);
	return rc;
}

int mlfy_verify_only(struct mlfy_store *s, int64_t annotator_id, int *only, struct mlfy_err *err)
{
	return mlfy_vq_store_only(s, annotator_id, only, err);
}
