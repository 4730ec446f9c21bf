/* pred_rows.c - the project's images as prediction files name them, and
 * the rows to store (pred_rows.h). */
#include "ingest/pred_rows.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/catalog.h"
#include "util/topk.h"
#include "util/vec.h"



static int collect_image(const struct mlfy_image *im, void *ctx)
{
	struct pred_resolver *r = ctx;
	struct pred_img *e;

	if (MLFY_GROW(r->img, r->cap, r->n + 1))
		return MLFY_ENOMEM;
	e = &r->img[r->n];
	e->name = strdup(im->name);
	e->path = strdup(im->path ? im->path : "");
	if (!e->name || !e->path) {
		MLFY_FREE_ALL(e->name, e->path);
		return MLFY_ENOMEM;
	}
	e->id = im->id;
	e->orig = im->original_label;
	r->n++;
	return 0;
}

void pred_resolver_free(struct pred_resolver *r)
{
	size_t i;
	for (i = 0; i < r->n; i++) {
		MLFY_FREE_ALL(r->img[i].name, r->img[i].path);
	}
	MLFY_FREE_ALL(r->img, r->names, r->paths);
	mlfy_names_free(r->ix);
	free(r->used);
	memset(r, 0, sizeof(*r));
}

int pred_resolver_load(struct mlfy_store *s, struct pred_resolver *r, struct mlfy_err *err)
{
	size_t i;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = mlfy_catalog_foreach_image(s, 0, collect_image, r, err);
	if (rc == MLFY_ENOMEM)
		return mlfy_err_oom(err);
	if (rc)
		return rc;
	if (!(r->names = malloc((r->n + 1) * sizeof(char *))) || !(r->paths = malloc((r->n + 1) * sizeof(char *))) ||
	    !(r->used = calloc(r->n + 1, 1)))
		return mlfy_err_oom(err);
	for (i = 0; i < r->n; i++) {
		r->names[i] = r->img[i].name;
		r->paths[i] = r->img[i].path;
	}
	return mlfy_names_new(r->names, r->paths, r->n, &r->ix, err);
}


/* Resolves name for row `where` and marks the image used: 0 and *out, or
 * PRED_ROW_SKIPPED (counted) for an unknown image with skip_unknown; errors
 * name the file and position. */
int pred_resolve_row(struct pred_resolver *r, const char *file, const char *where, const char *name, size_t *out,
		       struct mlfy_err *err)
{
	long i = mlfy_names_find(r->ix, name);
	if (i == MLFY_NAME_UNKNOWN && r->skip_unknown) {
		r->n_skipped++;
		return PRED_ROW_SKIPPED;
	}
	if (i == MLFY_NAME_UNKNOWN)
		return mlfy_err_set(err, MLFY_EINVAL,
				    "%s: %s: unknown image '%s' (not in the project; --skip-unknown skips the rows "
				    "of such images)", file, where, name);
	if (i == MLFY_NAME_AMBIGUOUS)
		return mlfy_err_set(err, MLFY_EINVAL,
				    "%s: %s: file name '%s' matches several project images; use the image name", file,
				    where, name);
	if (r->used[i])
		return mlfy_err_set(err, MLFY_EINVAL, "%s: %s: image '%s' has predictions twice", file, where,
				    r->img[i].name);
	r->used[i] = 1;
	*out = (size_t)i;
	return 0;
}


/* Room for one more row: img's capacity decides, the other arrays follow
 * it (cls and val hold k slots a row). */
int pred_rows_grow(struct pred_rows *w, struct mlfy_err *err)
{
	size_t cap = w->cap, c;
	if (w->n < w->cap)
		return 0;
	if (MLFY_GROW(w->img, cap, w->n + 1) || cap > SIZE_MAX / w->k)
		return mlfy_err_oom(err);
	c = w->cap;
	if (MLFY_GROW(w->cnt, c, cap))
		return mlfy_err_oom(err);
	c = w->cap;
	if (MLFY_GROW(w->lse, c, cap))
		return mlfy_err_oom(err);
	c = w->cap * w->k;
	if (MLFY_GROW(w->cls, c, cap * w->k))
		return mlfy_err_oom(err);
	c = w->cap * w->k;
	if (MLFY_GROW(w->val, c, cap * w->k))
		return mlfy_err_oom(err);
	w->cap = cap;
	return 0;
}

void pred_rows_free(struct pred_rows *w)
{
	MLFY_FREE_ALL(w->img, w->cnt, w->cls, w->val, w->lse);
	memset(w, 0, sizeof(*w));
}


/* Adds a dense row (n_cls finite values) to w for image img; x as float
 * or double (one of xf / xd non-NULL). */
int pred_add_dense_row(struct pred_rows *w, struct pred_dense_stats *ds, size_t img, const float *xf, const double *xd,
			 size_t n_cls, struct mlfy_err *err)
{
	double mn = INFINITY, mx = -INFINITY, sum = 0;
	size_t i, k;
	int *ci;
	int rc;

	if ((rc = pred_rows_grow(w, err)))
		return rc;
	ci = w->cls + w->n * w->k;
	for (i = 0; i < n_cls; i++) {
		double v = xf ? (double)xf[i] : xd[i];
		if (v < mn)
			mn = v;
		if (v > mx)
			mx = v;
		sum += v;
	}
	k = xf ? mlfy_topk_f32(xf, n_cls, w->k, ci) : mlfy_topk_f64(xd, n_cls, w->k, ci);
	for (i = 0; i < k; i++)
		w->val[w->n * w->k + i] = xf ? (double)xf[ci[i]] : xd[ci[i]];
	w->lse[w->n] = xf ? mlfy_logsumexp_f32(xf, n_cls) : mlfy_logsumexp_f64(xd, n_cls);
	w->cnt[w->n] = (int)k;
	w->img[w->n] = img;
	if (ds->all_prob && !(mn >= 0 && fabs(sum - 1.0) <= PROB_SUM_TOL)) {
		ds->all_prob = 0;
		ds->first_not_prob = w->n;
	}
	if (mn < 0 && ds->first_neg == SIZE_MAX)
		ds->first_neg = w->n;
	if (mx > 1 + PROB_RANGE_TOL && ds->first_over == SIZE_MAX)
		ds->first_over = w->n;
	ds->n_dense++;
	w->n++;
	return 0;
}
