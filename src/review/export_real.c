/* export_real.c - real-votes and real-scores: a project's raw votes and
 * stored posteriors written as ReaL's .npz layouts, a piece at a time
 * (see export_real.h). */
#include "review/export_real.h"
#include "review/votes.h"
#include "store/aggregations.h"
#include "util/npz_write.h"
#include "util/vec.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* questions per tensor or info slice (one piece) */
#define SLICE 16384u
#define DEFLATE_LEVEL 6

enum phase { P_TENSOR, P_INFO, P_IDS, P_NAMES, P_FINISH, P_DONE };

struct mlfy_real_export {
	struct mlfy_store *s;
	int scores;
	char method[16];
	int snapshot;                 /* a read snapshot was begun here */
	struct mlfy_npz_writer *w;
	enum phase phase;
	int begun;                    /* the phase's member has been begun */
	size_t str_len;               /* info's <U width */
	/* real-votes */
	struct mlfy_vote_set v;
	uint32_t *by_rater;           /* [n_votes] vote indices grouped by rater, question order kept */
	size_t *start;                /* [n_raters + 1] */
	size_t r, q, pos;             /* tensor cursor: rater, question, position in its votes */
	double *slice;                /* [SLICE * 3] */
	/* real-scores */
	int64_t n_scores, positives;
};

void mlfy_real_export_close(struct mlfy_real_export *x)
{
	if (!x)
		return;
	mlfy_npz_writer_free(x->w);
	mlfy_vote_set_release(&x->v);
	if (x->snapshot)
		mlfy_store_end_read(x->s);
	MLFY_FREE_ALL(x->by_rater, x->start, x->slice, x);
}

void mlfy_real_export_counts(const struct mlfy_real_export *x, int64_t *questions, int64_t *raters,
			     int64_t *votes)
{
	*questions = x->scores ? x->n_scores : (int64_t)x->v.n_questions;
	*raters = x->scores ? 0 : (int64_t)x->v.n_raters;
	*votes = x->scores ? x->positives : (int64_t)x->v.n_votes;
}

/* Code points of s for a <U width; -1 when it is not UTF-8. */
static int widen(size_t *w, const char *s, struct mlfy_err *err)
{
	size_t n = mlfy_utf8_code_points(s);
	if (n == (size_t)-1)
		return mlfy_err_set(err, MLFY_EINVAL, "'%s' is not valid UTF-8 (ReaL's files hold Unicode text)", s);
	if (n > *w)
		*w = n;
	return 0;
}

/* ---- pass over the stored results (real-scores) ---------------------------- */

struct score_pass {
	struct mlfy_real_export *x;
	int what;            /* 0 count and width, 1 tensor, 2 info */
	int64_t n, positives;
	size_t width;
	struct mlfy_err *err;
};

static int score_cb(const struct mlfy_aggregation_row *r, void *ctx)
{
	struct score_pass *p = ctx;
	char lab[16];
	p->n++;
	if (p->what != 0 && p->n > p->x->n_scores)
		return mlfy_err_set(p->err, MLFY_EINVAL, "the stored results changed during the export");
	snprintf(lab, sizeof(lab), "%d", r->class_idx);
	switch (p->what) {
	case 0:
		p->positives += r->label != 0;
		if (widen(&p->width, r->image, p->err) || widen(&p->width, lab, p->err))
			return p->err->code;
		return 0;
	case 1:
		return mlfy_npz_writer_put(p->x->w, &r->posterior, sizeof(double), p->err);
	default:
		if (mlfy_npz_writer_put_str(p->x->w, r->image, p->x->str_len, p->err) ||
		    mlfy_npz_writer_put_str(p->x->w, lab, p->x->str_len, p->err))
			return p->err->code;
		return 0;
	}
}

static int score_pass(struct mlfy_real_export *x, int what, struct mlfy_err *err)
{
	struct score_pass p;
	int rc;
	memset(&p, 0, sizeof(p));
	p.x = x;
	p.what = what;
	p.err = err;
	if ((rc = mlfy_aggregations_foreach(x->s, x->method, score_cb, &p, err)))
		return rc;
	if (what == 0) {
		x->n_scores = p.n;
		x->positives = p.positives;
		x->str_len = p.width ? p.width : 1;
	} else if (p.n != x->n_scores) {
		return mlfy_err_set(err, MLFY_EINVAL, "the stored results changed during the export");
	}
	return 0;
}

/* ---- open ------------------------------------------------------------------- */

static int votes_prepare(struct mlfy_real_export *x, struct mlfy_err *err)
{
	struct mlfy_vote_set *v = &x->v;
	size_t i, R = v->n_raters;
	int rc;

	if (!(x->start = calloc(R + 1, sizeof(*x->start))) ||
	    !(x->by_rater = malloc((v->n_votes ? v->n_votes : 1) * sizeof(*x->by_rater))) ||
	    !(x->slice = malloc(SLICE * 3 * sizeof(*x->slice))))
		return mlfy_err_oom(err);
	/* counting sort by rater; stable, so each rater's votes stay in
	 * question order */
	for (i = 0; i < v->n_votes; i++)
		x->start[v->votes[i].rater + 1]++;
	for (i = 0; i < R; i++)
		x->start[i + 1] += x->start[i];
	{
		size_t *fill = malloc((R ? R : 1) * sizeof(*fill));
		if (!fill)
			return mlfy_err_oom(err);
		memcpy(fill, x->start, R * sizeof(*fill));
		for (i = 0; i < v->n_votes; i++)
			x->by_rater[fill[v->votes[i].rater]++] = (uint32_t)i;
		free(fill);
	}
	x->str_len = 1;
	for (i = 0; i < v->n_questions; i++) {
		char lab[16];
		snprintf(lab, sizeof(lab), "%d", (int)v->label[i]);
		if ((rc = widen(&x->str_len, v->image[i], err)) || (rc = widen(&x->str_len, lab, err)))
			return rc;
	}
	return 0;
}

int mlfy_real_export_open(struct mlfy_store *s, int scores, const char *method, struct mlfy_real_export **out,
			  struct mlfy_err *err)
{
	struct mlfy_real_export *x;
	int rc;

	*out = NULL;
	if (!method)
		method = "dawid-skene";
	if (strcmp(method, "dawid-skene") && strcmp(method, "majority"))
		return mlfy_err_set(err, MLFY_EINVAL, "unknown aggregation method '%s' (majority or dawid-skene)",
				    method);
	if (!(x = calloc(1, sizeof(*x))))
		return mlfy_err_oom(err);
	x->s = s;
	x->scores = scores;
	snprintf(x->method, sizeof(x->method), "%s", method);
	/* one snapshot for every pass, unless the caller already holds one */
	if (!mlfy_store_in_transaction(s) && mlfy_store_begin_read(s, err) == 0)
		x->snapshot = 1;
	mlfy_err_clear(err);
	if (scores) {
		if ((rc = score_pass(x, 0, err)))
			goto fail;
		if (x->n_scores == 0) {
			rc = mlfy_err_set(err, MLFY_ENOTFOUND, "the project has no stored %s results (run 'mlfy aggregate"
					  " PROJECT --method %s' first)", method, method);
			goto fail;
		}
	} else if ((rc = mlfy_vote_set_from_store(s, NULL, &x->v, err)) || (rc = votes_prepare(x, err))) {
		goto fail;
	}
	if ((rc = mlfy_npz_writer_open(NULL, DEFLATE_LEVEL, &x->w, err)))
		goto fail;
	*out = x;
	return 0;
fail:
	mlfy_real_export_close(x);
	return rc;
}

/* ---- pieces --------------------------------------------------------------------- */

/* The rater ids (export_real.h): a canonical non-negative decimal name is
 * its own id, any other name M + its 1-based position. */
static int is_decimal_id(const char *s, int64_t *out)
{
	const char *p = s;
	int64_t v = 0;
	if (!*p || (*p == '0' && p[1]))
		return 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || v > (INT64_MAX - (*p - '0')) / 10)
			return 0;
		v = v * 10 + (*p - '0');
	}
	*out = v;
	return 1;
}

static int write_ids(struct mlfy_real_export *x, struct mlfy_err *err)
{
	size_t R = x->v.n_raters, i, shape[1] = { R };
	int64_t M = 0, id;
	int rc;

	for (i = 0; i < R; i++)
		if (is_decimal_id(x->v.rater[i], &id) && id > M)
			M = id;
	if (M > INT64_MAX - (int64_t)R)
		return mlfy_err_set(err, MLFY_EINVAL, "rater ids too large to number the named raters after them");
	if ((rc = mlfy_npz_writer_begin(x->w, "ids.npy", "<i8", 8, 1, shape, err)))
		return rc;
	for (i = 0; i < R; i++) {
		if (!is_decimal_id(x->v.rater[i], &id))
			id = M + (int64_t)i + 1;
		if ((rc = mlfy_npz_writer_put(x->w, &id, sizeof(id), err)))
			return rc;
	}
	return mlfy_npz_writer_end(x->w, err);
}

static int write_names(struct mlfy_real_export *x, struct mlfy_err *err)
{
	size_t R = x->v.n_raters, i, width = 1, shape[1] = { R };
	char descr[32];
	int rc;

	for (i = 0; i < R; i++)
		if ((rc = widen(&width, x->v.rater[i], err)))
			return rc;
	snprintf(descr, sizeof(descr), "<U%zu", width);
	if ((rc = mlfy_npz_writer_begin(x->w, "names.npy", descr, 4 * width, 1, shape, err)))
		return rc;
	for (i = 0; i < R; i++)
		if ((rc = mlfy_npz_writer_put_str(x->w, x->v.rater[i], width, err)))
			return rc;
	return mlfy_npz_writer_end(x->w, err);
}

/* One slice of the votes tensor: rater x->r, questions [x->q, +SLICE). */
static int tensor_slice(struct mlfy_real_export *x, struct mlfy_err *err)
{
	const struct mlfy_vote_set *v = &x->v;
	size_t N = v->n_questions, q1 = x->q + SLICE < N ? x->q + SLICE : N, end = x->start[x->r + 1];
	int rc;

	memset(x->slice, 0, (q1 - x->q) * 3 * sizeof(double));
	while (x->pos < end) {
		const struct mlfy_vote *vt = &v->votes[x->by_rater[x->pos]];
		if (vt->question >= q1)
			break;
		x->slice[(vt->question - x->q) * 3 + vt->answer] = 1.0;
		x->pos++;
	}
	if ((rc = mlfy_npz_writer_put(x->w, x->slice, (q1 - x->q) * 3 * sizeof(double), err)))
		return rc;
	x->q = q1;
	if (x->q == N) {
		x->q = 0;
		x->r++;
		x->pos = x->start[x->r];
	}
	return 0;
}

static int info_begin(struct mlfy_real_export *x, size_t n, struct mlfy_err *err)
{
	size_t shape[2] = { n, 2 };
	char descr[32];
	snprintf(descr, sizeof(descr), "<U%zu", x->str_len);
	return mlfy_npz_writer_begin(x->w, "info.npy", descr, 4 * x->str_len, 2, shape, err);
}

static int votes_piece(struct mlfy_real_export *x, struct mlfy_err *err)
{
	const struct mlfy_vote_set *v = &x->v;
	size_t shape[3] = { v->n_raters, v->n_questions, 3 }, i;
	int rc = 0;

	switch (x->phase) {
	case P_TENSOR:
		if (!x->begun) {
			if ((rc = mlfy_npz_writer_begin(x->w, "tensor.npy", "<f8", 8, 3, shape, err)))
				return rc;
			x->begun = 1;
			x->r = x->q = x->pos = 0;
		}
		if (x->r < v->n_raters && v->n_questions)
			return tensor_slice(x, err);
		x->begun = 0;
		x->phase = P_INFO;
		x->q = 0;
		return mlfy_npz_writer_end(x->w, err);
	case P_INFO:
		if (!x->begun) {
			if ((rc = info_begin(x, v->n_questions, err)))
				return rc;
			x->begun = 1;
		}
		for (i = 0; i < SLICE && x->q < v->n_questions; i++, x->q++) {
			char lab[16];
			snprintf(lab, sizeof(lab), "%d", (int)v->label[x->q]);
			if ((rc = mlfy_npz_writer_put_str(x->w, v->image[x->q], x->str_len, err)) ||
			    (rc = mlfy_npz_writer_put_str(x->w, lab, x->str_len, err)))
				return rc;
		}
		if (x->q < v->n_questions)
			return 0;
		x->begun = 0;
		x->phase = P_IDS;
		return mlfy_npz_writer_end(x->w, err);
	case P_IDS:
		x->phase = P_NAMES;
		return write_ids(x, err);
	default:
		x->phase = P_FINISH;
		return write_names(x, err);
	}
}

static int scores_piece(struct mlfy_real_export *x, struct mlfy_err *err)
{
	size_t shape[1] = { (size_t)x->n_scores };
	int rc;
	if (x->phase == P_TENSOR) {
		x->phase = P_INFO;
		if ((rc = mlfy_npz_writer_begin(x->w, "tensor.npy", "<f8", 8, 1, shape, err)) ||
		    (rc = score_pass(x, 1, err)))
			return rc;
		return mlfy_npz_writer_end(x->w, err);
	}
	x->phase = P_FINISH;
	if ((rc = info_begin(x, (size_t)x->n_scores, err)) || (rc = score_pass(x, 2, err)))
		return rc;
	return mlfy_npz_writer_end(x->w, err);
}

int mlfy_real_export_next(struct mlfy_real_export *x, FILE *out, struct mlfy_err *err)
{
	int rc;
	if (x->phase == P_DONE)
		return 0;
	mlfy_npz_writer_set_output(x->w, out);
	if (x->phase == P_FINISH) {
		struct mlfy_npz_writer *w = x->w;
		x->w = NULL;
		x->phase = P_DONE;
		if ((rc = mlfy_npz_writer_finish(w, err)))
			return rc;
		return 1;
	}
	if ((rc = x->scores ? scores_piece(x, err) : votes_piece(x, err)))
		return rc;
	return 1;
}
