/* timm.c - timm results tables: reading (util/csv) and joining on the model
 * name (see timm.h).  Owns the table and join results it returns. */
#include "evaluate/timm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/csv.h"
#include "util/vec.h"

void mlfy_timm_table_release(struct mlfy_timm_table *t)
{
	size_t i;
	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		free(t->rows[i].model);
	MLFY_FREE_ALL(t->rows, t->path);
	memset(t, 0, sizeof(*t));
}

static int number(const struct mlfy_csv *c, char **f, int col, const char *name, double *v,
		  struct mlfy_err *err)
{
	if (mlfy_parse_number(f[col], v))
		return mlfy_err_set(err, MLFY_EINVAL, "%s:%zu: column '%s': '%s' is not a number",
				    mlfy_csv_path(c), mlfy_csv_line(c), name, f[col]);
	return 0;
}

int mlfy_timm_read(const char *path, struct mlfy_timm_table *out, struct mlfy_err *err)
{
	struct mlfy_csv *c;
	char **f;
	size_t nf, ncols, cap = 0;
	int c_model, c_top1, c_top5, c_size, c_params, rc;

	memset(out, 0, sizeof(*out));
	if ((rc = mlfy_csv_open(path, &c, err)))
		return rc;
	if (!(out->path = strdup(path))) {
		rc = mlfy_err_set(err, MLFY_ENOMEM, "%s: out of memory", path);
		goto fail;
	}
	rc = mlfy_csv_next(c, &f, &nf, err);
	if (rc <= 0) {
		if (rc == 0)
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: empty file (expected a header)", path);
		goto fail;
	}
	ncols = nf;
	c_model = mlfy_csv_find(f, nf, "model");
	c_top1 = mlfy_csv_find(f, nf, "top1");
	c_top5 = mlfy_csv_find(f, nf, "top5");
	c_size = mlfy_csv_find(f, nf, "img_size");
	c_params = mlfy_csv_find(f, nf, "param_count");
	if (c_model < 0 || c_top1 < 0) {
		rc = mlfy_err_set(err, MLFY_EINVAL,
				  "%s:1: not a timm results table: no '%s' column in the header",
				  path, c_model < 0 ? "model" : "top1");
		goto fail;
	}
	while ((rc = mlfy_csv_next(c, &f, &nf, err)) == 1) {
		struct mlfy_timm_row r = { 0 };
		double v;
		if (nf < ncols) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s:%zu: %zu fields, the header has %zu",
					  path, mlfy_csv_line(c), nf, ncols);
			goto fail;
		}
		if (!f[c_model][0]) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s:%zu: empty model name", path,
					  mlfy_csv_line(c));
			goto fail;
		}
		r.line = mlfy_csv_line(c);
		if ((rc = number(c, f, c_top1, "top1", &r.top1, err)))
			goto fail;
		if (r.top1 < 0 || r.top1 > 100) {
			rc = mlfy_err_set(err, MLFY_EINVAL,
					  "%s:%zu: column 'top1': %g is not a percentage in [0, 100]",
					  path, r.line, r.top1);
			goto fail;
		}
		r.top5 = NAN;
		r.param_count = NAN;
		if (c_top5 >= 0 && f[c_top5][0] && (rc = number(c, f, c_top5, "top5", &r.top5, err)))
			goto fail;
		if (c_params >= 0 && f[c_params][0] &&
		    (rc = number(c, f, c_params, "param_count", &r.param_count, err)))
			goto fail;
		if (c_size >= 0 && f[c_size][0]) {
			if ((rc = number(c, f, c_size, "img_size", &v, err)))
				goto fail;
			if (v < 1 || v > 1e6 || v != floor(v)) {
				rc = mlfy_err_set(err, MLFY_EINVAL,
						  "%s:%zu: column 'img_size': '%s' is not a size in pixels",
						  path, r.line, f[c_size]);
				goto fail;
			}
			r.img_size = (int)v;
		}
		if (MLFY_GROW(out->rows, cap, out->n + 1))
			goto nomem;
		if (!(r.model = strdup(f[c_model])))
			goto nomem;
		out->rows[out->n++] = r;
	}
	if (rc < 0)
		goto fail;
	mlfy_csv_close(c);
	return 0;
nomem:
	rc = mlfy_err_set(err, MLFY_ENOMEM, "%s: out of memory", path);
fail:
	mlfy_csv_close(c);
	mlfy_timm_table_release(out);
	return rc;
}

void mlfy_timm_join_release(struct mlfy_timm_join *j)
{
	size_t i;
	if (!j)
		return;
	for (i = 0; i < j->n; i++)
		free(j->model[i]);
	MLFY_FREE_ALL(j->model, j->img_size, j->top1_a, j->top1_b, j->first_only_a, j->first_only_b);
	memset(j, 0, sizeof(*j));
}

/* A row reference for sorting by key. */
struct ref {
	const struct mlfy_timm_row *r;
	size_t i;       /* row index in its table */
	int by_size;
};

static int key_cmp(const struct ref *a, const struct ref *b)
{
	int c = strcmp(a->r->model, b->r->model);
	if (c || !a->by_size)
		return c;
	return (a->r->img_size > b->r->img_size) - (a->r->img_size < b->r->img_size);
}

/* by key, then later rows first (so the first of a run is the one kept) */
static int ref_cmp(const void *pa, const void *pb)
{
	const struct ref *a = pa, *b = pb;
	int c = key_cmp(a, b);
	if (c)
		return c;
	return (a->i < b->i) - (a->i > b->i);
}

/* Sorts the rows of t by key and keeps the last row of each key: *out gets
 * the kept references sorted by key, *n_out their count, *dups the rows
 * dropped. */
static int collapse(const struct mlfy_timm_table *t, int by_size, struct ref **out,
		    size_t *n_out, size_t *dups)
{
	struct ref *r = malloc((t->n ? t->n : 1) * sizeof(*r));
	size_t i, m = 0;
	if (!r)
		return -1;
	for (i = 0; i < t->n; i++)
		r[i] = (struct ref){ &t->rows[i], i, by_size };
	qsort(r, t->n, sizeof(*r), ref_cmp);
	for (i = 0; i < t->n; i++)
		if (m == 0 || key_cmp(&r[m - 1], &r[i]))
			r[m++] = r[i];
	*out = r;
	*n_out = m;
	*dups = t->n - m;
	return 0;
}

static const struct ref *lookup(const struct ref *sorted, size_t n, const struct ref *key)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = key_cmp(&sorted[mid], key);
		if (c == 0)
			return &sorted[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int by_index(const void *pa, const void *pb)
{
	const struct ref *a = pa, *b = pb;
	return (a->i > b->i) - (a->i < b->i);
}

static char *key_name(const struct ref *r)
{
	char *s;
	if (!r->by_size)
		return strdup(r->r->model);
	if (asprintf(&s, "%s@%d", r->r->model, r->r->img_size) < 0)
		return NULL;
	return s;
}

int mlfy_timm_join(const struct mlfy_timm_table *a, const struct mlfy_timm_table *b,
		   int key, struct mlfy_timm_join *out, struct mlfy_err *err)
{
	struct ref *ka = NULL, *kb = NULL;
	size_t na, nb, i, first_b = (size_t)-1;
	int by_size = key == MLFY_TIMM_BY_MODEL_SIZE;
	const struct ref *first_only_b = NULL;

	memset(out, 0, sizeof(*out));
	if (collapse(a, by_size, &ka, &na, &out->dup_a) ||
	    collapse(b, by_size, &kb, &nb, &out->dup_b))
		goto nomem;
	/* a's kept rows back into file order */
	qsort(ka, na, sizeof(*ka), by_index);
	out->model = calloc(na ? na : 1, sizeof(char *));
	out->img_size = malloc((na ? na : 1) * sizeof(int));
	out->top1_a = malloc((na ? na : 1) * sizeof(double));
	out->top1_b = malloc((na ? na : 1) * sizeof(double));
	if (!out->model || !out->img_size || !out->top1_a || !out->top1_b)
		goto nomem;
	for (i = 0; i < na; i++) {
		const struct ref *m = lookup(kb, nb, &ka[i]);
		if (!m) {
			if (!out->only_a++ && !(out->first_only_a = key_name(&ka[i])))
				goto nomem;
			continue;
		}
		if (!(out->model[out->n] = strdup(ka[i].r->model)))
			goto nomem;
		out->img_size[out->n] = ka[i].r->img_size;
		out->top1_a[out->n] = ka[i].r->top1;
		out->top1_b[out->n] = m->r->top1;
		if (m->r->img_size != ka[i].r->img_size)
			out->size_mismatch++;
		out->n++;
	}
	/* b's keys missing from a: sort a's kept keys back by key for lookups */
	qsort(ka, na, sizeof(*ka), ref_cmp);
	for (i = 0; i < nb; i++) {
		if (lookup(ka, na, &kb[i]))
			continue;
		out->only_b++;
		if (kb[i].i < first_b) {
			first_b = kb[i].i;
			first_only_b = &kb[i];
		}
	}
	if (first_only_b && !(out->first_only_b = key_name(first_only_b)))
		goto nomem;
	MLFY_FREE_ALL(ka, kb);
	if (out->n == 0) {
		mlfy_err_set(err, MLFY_EINVAL, "%s and %s have no %s in common", a->path, b->path,
			     by_size ? "(model, img_size)" : "model");
		mlfy_timm_join_release(out);
		return MLFY_EINVAL;
	}
	return 0;
nomem:
	MLFY_FREE_ALL(ka, kb);
	mlfy_timm_join_release(out);
	return mlfy_err_set(err, MLFY_ENOMEM, "out of memory joining timm tables");
}
