/* agreement_report.c - all agreement metrics for a project or a vote file
 * (see agreement_report.h). */
#include "review/agreement_report.h"
#include "util/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "review/labelset.h"
#include "store/review_input.h"

void mlfy_agreement_report_release(struct mlfy_agreement_report *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; r->raters && i < r->n_raters; i++)
		free(r->raters[i]);
	MLFY_FREE_ALL(r->raters, r->pairs);
	memset(r, 0, sizeof(*r));
}

static void coef_set(struct mlfy_coef *c, int rc, double v, const struct mlfy_err *e)
{
	memset(c, 0, sizeof(*c));
	if (rc == 0) {
		c->value = v;
		c->defined = 1;
	} else {
		snprintf(c->why, sizeof(c->why), "%s", e->msg);
	}
}

/* ---- set data builder ------------------------------------------------------- */

struct set_builder {
	size_t *unit_off, *set_off;
	int32_t *labels;
	size_t n_units, n_values, n_labels;
	size_t cap_units, cap_values, cap_labels;
};

static void sb_free(struct set_builder *b)
{
	MLFY_FREE_ALL(b->unit_off, b->set_off, b->labels);
	memset(b, 0, sizeof(*b));
}

static int sb_init(struct set_builder *b)
{
	memset(b, 0, sizeof(*b));
	if (MLFY_GROW(b->unit_off, b->cap_units, 1) ||
	    MLFY_GROW(b->set_off, b->cap_values, 1))
		return -1;
	b->unit_off[0] = 0;
	b->set_off[0] = 0;
	return 0;
}

/* Appends one set (sorted, unique) to the current unit. */
static int sb_add_set(struct set_builder *b, const int32_t *labels, size_t n)
{
	if (MLFY_GROW(b->labels, b->cap_labels, b->n_labels + n + 1) ||
	    MLFY_GROW(b->set_off, b->cap_values, b->n_values + 2))
		return -1;
	if (n)
		memcpy(b->labels + b->n_labels, labels, n * sizeof(int32_t));  /* NOLINT(clang-analyzer-core.NonNullParamChecker): labels is non-NULL when n > 0 */
	b->n_labels += n;
	b->n_values++;
	b->set_off[b->n_values] = b->n_labels;
	return 0;
}

/* Closes the current unit (possibly empty of values). */
static int sb_end_unit(struct set_builder *b)
{
	if (MLFY_GROW(b->unit_off, b->cap_units, b->n_units + 2))
		return -1;
	b->n_units++;
	b->unit_off[b->n_units] = b->n_values;
	return 0;
}

static int set_metrics(struct set_builder *b, struct mlfy_agreement_report *out, struct mlfy_err *err)
{
	struct mlfy_set_units d = { b->n_units, b->unit_off, b->set_off, b->labels };
	struct mlfy_err e;
	double a;
	int rc;

	out->n_set_units = b->n_units;
	out->n_sets = b->n_values;
	mlfy_err_clear(&e);
	rc = mlfy_kripp_alpha_sets(&d, MLFY_DIST_JACCARD, &a, NULL, &e);
	if (rc == MLFY_ENOMEM)
		return mlfy_err_oom(err);
	coef_set(&out->alpha_jaccard, rc, a, &e);
	rc = mlfy_kripp_alpha_sets(&d, MLFY_DIST_MASI, &a, NULL, &e);
	if (rc == MLFY_ENOMEM)
		return mlfy_err_oom(err);
	coef_set(&out->alpha_masi, rc, a, &e);
	rc = mlfy_kripp_alpha_sets(&d, MLFY_DIST_NOMINAL, &a, NULL, &e);
	if (rc == MLFY_ENOMEM)
		return mlfy_err_oom(err);
	coef_set(&out->alpha_sets_nominal, rc, a, &e);
	return mlfy_set_agreement(&d, &out->sets, err);
}

/* ---- per-question metrics ------------------------------------------------------ */

static int per_question(const struct mlfy_vote_set *v, const size_t *off, const uint32_t *idx,
			struct mlfy_agreement_report *out, struct mlfy_err *err)
{
	const size_t A = (size_t)v->n_answers, R = v->n_raters;
	double *counts = NULL, *tables = NULL, *ncommon = NULL, sum = 0.0, a;
	size_t q, i, j, n_def = 0;
	struct mlfy_err e;
	int rc;

	out->n_questions = v->n_questions;
	out->n_votes = v->n_votes;
	out->n_answers = v->n_answers;
	out->n_raters = R;
	if (!(out->raters = calloc(R ? R : 1, sizeof(*out->raters))))
		return mlfy_err_oom(err);
	for (i = 0; i < R; i++)
		if (!(out->raters[i] = strdup(v->rater[i])))
			return mlfy_err_oom(err);
	if (!(counts = calloc(v->n_questions * A + 1, sizeof(*counts))))
		return mlfy_err_oom(err);
	for (i = 0; i < v->n_votes; i++)
		counts[v->votes[i].question * A + v->votes[i].answer] += 1.0;
	mlfy_err_clear(&e);
	rc = mlfy_fleiss_kappa(counts, v->n_questions, (int)A, &a, &out->fleiss_items, &e);
	coef_set(&out->fleiss, rc, a, &e);
	rc = mlfy_kripp_alpha_nominal(counts, v->n_questions, (int)A, &a, &out->alpha_pairable, &e);
	coef_set(&out->alpha_nominal, rc, a, &e);
	free(counts);

	if (R > MLFY_PAIRWISE_MAX_RATERS) {
		out->pairwise_skipped = 1;
		snprintf(out->mean_pair_kappa.why, sizeof(out->mean_pair_kappa.why),
			 "%zu raters: pairwise kappa is computed for at most %d", R, MLFY_PAIRWISE_MAX_RATERS);
		return 0;
	}
	tables = calloc(R * R * A * A + 1, sizeof(*tables));
	ncommon = calloc(R * R + 1, sizeof(*ncommon));
	if (!tables || !ncommon) {
		MLFY_FREE_ALL(tables, ncommon);
		return mlfy_err_oom(err);
	}
	for (q = 0; q < v->n_questions; q++) {
		for (i = off[q]; i < off[q + 1]; i++) {
			for (j = i + 1; j < off[q + 1]; j++) {
				const struct mlfy_vote *x = &v->votes[idx[i]], *y = &v->votes[idx[j]];
				size_t ra = x->rater, rb = y->rater, aa = x->answer, ab = y->answer;
				if (ra == rb)
					continue;
				if (ra > rb) {
					size_t t = ra;
					ra = rb;
					rb = t;
					t = aa;
					aa = ab;
					ab = t;
				}
				tables[(ra * R + rb) * A * A + aa * A + ab] += 1.0;
				ncommon[ra * R + rb] += 1.0;
			}
		}
	}
	for (i = 0; i < R; i++)
		for (j = i + 1; j < R; j++)
			if (ncommon[i * R + j] > 0)
				out->n_pairs++;
	if (!(out->pairs = calloc(out->n_pairs ? out->n_pairs : 1, sizeof(*out->pairs)))) {
		MLFY_FREE_ALL(tables, ncommon);
		return mlfy_err_oom(err);
	}
	out->n_pairs = 0;
	for (i = 0; i < R; i++) {
		for (j = i + 1; j < R; j++) {
			struct mlfy_pair_kappa *p;
			if (ncommon[i * R + j] <= 0)
				continue;
			p = &out->pairs[out->n_pairs++];
			p->a = out->raters[i];
			p->b = out->raters[j];
			p->n = (size_t)ncommon[i * R + j];
			p->defined = mlfy_cohen_kappa(tables + (i * R + j) * A * A, (int)A, &p->kappa, &e) == 0;
			if (p->defined) {
				if (!n_def || p->kappa < out->min_pair_kappa)
					out->min_pair_kappa = p->kappa;
				if (!n_def || p->kappa > out->max_pair_kappa)
					out->max_pair_kappa = p->kappa;
				sum += p->kappa;
				n_def++;
			}
		}
	}
	if (n_def) {
		out->mean_pair_kappa.value = sum / (double)n_def;
		out->mean_pair_kappa.defined = 1;
	} else {
		snprintf(out->mean_pair_kappa.why, sizeof(out->mean_pair_kappa.why),
			 "no rater pair with a defined kappa");
	}
	MLFY_FREE_ALL(tables, ncommon);
	return 0;
}

/* Votes grouped by question: idx[off[q]..off[q+1]) index v->votes. */
static int group_by_question(const struct mlfy_vote_set *v, size_t **off_out, uint32_t **idx_out,
			     struct mlfy_err *err)
{
	size_t *off = calloc(v->n_questions + 1, sizeof(*off)), *fill, i;
	uint32_t *idx = malloc((v->n_votes ? v->n_votes : 1) * sizeof(*idx));

	fill = malloc((v->n_questions + 1) * sizeof(*fill));
	if (!off || !idx || !fill) {
		MLFY_FREE_ALL(off, idx, fill);
		return mlfy_err_oom(err);
	}
	for (i = 0; i < v->n_votes; i++) {
		if (v->votes[i].question >= v->n_questions || v->votes[i].rater >= v->n_raters ||
		    v->votes[i].answer >= v->n_answers) {
			MLFY_FREE_ALL(off, idx, fill);
			return mlfy_err_set(err, MLFY_EINVAL, "vote %zu is out of range", i);
		}
		off[v->votes[i].question + 1]++;
	}
	for (i = 0; i < v->n_questions; i++)
		off[i + 1] += off[i];
	memcpy(fill, off, (v->n_questions + 1) * sizeof(*fill));
	for (i = 0; i < v->n_votes; i++)
		idx[fill[v->votes[i].question]++] = (uint32_t)i;
	free(fill);
	*off_out = off;
	*idx_out = idx;
	return 0;
}

/* ---- vote files ------------------------------------------------------------------ */

static int cmp_q_by_image(const void *x, const void *y, void *set)
{
	const struct mlfy_vote_set *v = set;
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	int c = strcmp(v->image[a], v->image[b]);
	if (c)
		return c;
	return (a > b) - (a < b);
}

/* One set per (image, rater who answered all of the image's questions). */
static int vote_sets(const struct mlfy_vote_set *v, const size_t *off, const uint32_t *idx,
		     struct mlfy_agreement_report *out, struct mlfy_err *err)
{
	struct set_builder b;
	uint32_t *qs = NULL;
	size_t *answered = NULL, *n_yes = NULL, *touched = NULL, n_touched, start, end, i, k;
	int32_t *yes = NULL;   /* R rows of at most (questions of the image) labels */
	size_t yes_cap = 0;
	int rc = 0;

	if (sb_init(&b))
		return mlfy_err_oom(err);
	qs = malloc((v->n_questions ? v->n_questions : 1) * sizeof(*qs));
	answered = calloc(v->n_raters + 1, sizeof(*answered));
	n_yes = calloc(v->n_raters + 1, sizeof(*n_yes));
	touched = malloc((v->n_raters + 1) * sizeof(*touched));
	if (!qs || !answered || !n_yes || !touched) {
		rc = mlfy_err_oom(err);
		goto out;
	}
	for (i = 0; i < v->n_questions; i++)
		qs[i] = (uint32_t)i;
	qsort_r(qs, v->n_questions, sizeof(*qs), cmp_q_by_image, (void *)v);
	for (start = 0; start < v->n_questions; start = end) {
		size_t nq;
		for (end = start + 1; end < v->n_questions && !strcmp(v->image[qs[end]], v->image[qs[start]]); end++)
			;
		nq = end - start;
		if (v->n_raters * nq > yes_cap) {
			int32_t *ny = realloc(yes, v->n_raters * nq * sizeof(*ny));
			if (!ny) {
				rc = mlfy_err_oom(err);
				goto out;
			}
			yes = ny;
			yes_cap = v->n_raters * nq;
		}
		n_touched = 0;
		for (k = start; k < end; k++) {
			uint32_t q = qs[k];
			for (i = off[q]; i < off[q + 1]; i++) {
				const struct mlfy_vote *x = &v->votes[idx[i]];
				if (!answered[x->rater] && !n_yes[x->rater])
					touched[n_touched++] = x->rater;
				answered[x->rater]++;
				if (x->answer == v->n_answers - 1)
					yes[x->rater * nq + n_yes[x->rater]++] = v->label[q];
			}
		}
		for (i = 0; i < n_touched; i++) {
			size_t r = touched[i], n = n_yes[r];
			if (answered[r] == nq) {
				mlfy_labelset_normalize(yes + r * nq, &n);
				if (sb_add_set(&b, yes + r * nq, n)) {
					rc = mlfy_err_oom(err);
					goto out;
				}
			}
			answered[r] = 0;
			n_yes[r] = 0;
		}
		if (sb_end_unit(&b)) {
			rc = mlfy_err_oom(err);
			goto out;
		}
	}
	rc = set_metrics(&b, out, err);
out:
	sb_free(&b);
	MLFY_FREE_ALL(qs, answered, n_yes, touched, yes);
	return rc;
}

int mlfy_agreement_of_votes(const struct mlfy_vote_set *v, struct mlfy_agreement_report *out,
			    struct mlfy_err *err)
{
	size_t *off = NULL;
	uint32_t *idx = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (v->n_answers < 2 || v->n_answers > MLFY_MAX_ANSWERS)
		return mlfy_err_set(err, MLFY_EINVAL, "%d answer options", v->n_answers);
	if ((rc = group_by_question(v, &off, &idx, err)))
		return rc;
	rc = per_question(v, off, idx, out, err);
	if (!rc)
		rc = vote_sets(v, off, idx, out, err);
	MLFY_FREE_ALL(off, idx);
	if (rc)
		mlfy_agreement_report_release(out);
	return rc;
}

/* ---- projects --------------------------------------------------------------------- */

struct proj_ctx {
	struct set_builder b;
	int oom;
};

static int proj_cb(const struct mlfy_review_image *img, void *vctx)
{
	struct proj_ctx *c = vctx;
	size_t i, n = 0;
	for (i = 0; i < img->n_ann; i++) {
		if (!img->ann[i].annotation_id)
			continue;
		if (sb_add_set(&c->b, img->ann[i].labels, img->ann[i].n_labels))
			goto nomem;
		n++;
	}
	if (n && sb_end_unit(&c->b))
		goto nomem;
	return 0;
nomem:
	c->oom = 1;
	return MLFY_ENOMEM;
}

int mlfy_agreement_of_project(struct mlfy_store *s, struct mlfy_agreement_report *out,
			      struct mlfy_err *err)
{
	struct mlfy_vote_set v;
	struct proj_ctx c;
	size_t *off = NULL;
	uint32_t *idx = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = mlfy_vote_set_from_annotations(s, &v, err)))
		return rc;
	if ((rc = group_by_question(&v, &off, &idx, err)))
		goto out;
	if ((rc = per_question(&v, off, idx, out, err)))
		goto out;
	memset(&c, 0, sizeof(c));
	if (sb_init(&c.b)) {
		sb_free(&c.b);   /* the first buffer may have been allocated */
		rc = mlfy_err_oom(err);
		goto out;
	}
	rc = mlfy_review_foreach_image(s, proj_cb, &c, err);
	if (c.oom)
		rc = mlfy_err_oom(err);
	if (!rc)
		rc = set_metrics(&c.b, out, err);
	sb_free(&c.b);
out:
	MLFY_FREE_ALL(off, idx);
	mlfy_vote_set_release(&v);
	if (rc)
		mlfy_agreement_report_release(out);
	return rc;
}
