/* evalset.c - the evaluation set from label files or a project, and the
 * alignment of predictions to it (see evalset.h).  Reads inputs only. */
#include "evaluate/evalset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate/top1.h"
#include "ingest/labels.h"
#include "store/catalog.h"
#include "store/final_labels.h"

void mlfy_evalset_names_free(char **names, size_t n)
{
	size_t i;
	if (!names)
		return;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

void mlfy_evalset_free(struct mlfy_evalset *es)
{
	if (!es)
		return;
	free(es->source);
	mlfy_evalset_names_free(es->names, es->n);
	free(es->original);
	free(es->off);
	free(es->cls);
	free(es->decided);
	free(es->first_original_unmatched);
	free(es->by_name);
	free(es);
}

struct mlfy_truth mlfy_evalset_truth(const struct mlfy_evalset *es)
{
	struct mlfy_truth t = { es->n, es->original, es->off, es->cls, es->decided };
	return t;
}

static int by_name_cmp(const void *a, const void *b, void *names)
{
	char *const *nm = names;
	return strcmp(nm[*(const size_t *)a], nm[*(const size_t *)b]);
}

/* Builds the sorted name index; MLFY_EINVAL on a duplicate name. */
static int index_names(struct mlfy_evalset *es, struct mlfy_err *err)
{
	size_t i;
	if (!es->names)
		return 0;
	if (!(es->by_name = malloc((es->n ? es->n : 1) * sizeof(size_t))))
		return mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
	for (i = 0; i < es->n; i++)
		es->by_name[i] = i;
	qsort_r(es->by_name, es->n, sizeof(size_t), by_name_cmp, es->names);
	for (i = 1; i < es->n; i++)
		if (!strcmp(es->names[es->by_name[i - 1]], es->names[es->by_name[i]]))
			return mlfy_err_set(err, MLFY_EINVAL, "%s: image '%s' appears twice",
					    es->source, es->names[es->by_name[i]]);
	return 0;
}

int mlfy_evalset_find(const struct mlfy_evalset *es, const char *name, size_t *index)
{
	size_t lo = 0, hi = es->n;
	if (!es->by_name)
		return MLFY_ENOTFOUND;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(es->names[es->by_name[mid]], name);
		if (!c) {
			*index = es->by_name[mid];
			return 0;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return MLFY_ENOTFOUND;
}

static struct mlfy_evalset *evalset_new(const char *source)
{
	struct mlfy_evalset *es = calloc(1, sizeof(*es));
	if (es && !(es->source = strdup(source))) {
		free(es);
		return NULL;
	}
	return es;
}

int mlfy_evalset_from_files(const char *labels_path, const char *orig_path, int n_classes,
			    struct mlfy_evalset **out, struct mlfy_err *err)
{
	struct mlfy_labels *l = NULL, *o = NULL;
	struct mlfy_evalset *es;
	size_t i;
	int rc;

	*out = NULL;
	if (!(es = evalset_new(labels_path)))
		return mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
	if ((rc = mlfy_labels_load(labels_path, MLFY_LABELS_AUTO, n_classes, &l, err)))
		goto fail;
	if (orig_path && (rc = mlfy_labels_load(orig_path, MLFY_LABELS_AUTO, n_classes, &o, err)))
		goto fail;
	/* take the label file's arrays */
	es->n = l->n;
	es->names = l->names;
	es->off = l->offsets;
	es->cls = l->classes;
	es->n_label_duplicates = l->n_duplicates;
	l->names = NULL;
	l->offsets = NULL;
	l->classes = NULL;
	es->n_classes = n_classes > 0 ? n_classes : 0;
	if ((rc = index_names(es, err)))
		goto fail;
	if (!(es->original = malloc((es->n ? es->n : 1) * sizeof(int)))) {
		rc = mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < es->n; i++)
		es->original[i] = -1;
	if (o) {
		int by_name = es->names && o->names;
		if (!by_name && o->n != es->n) {
			rc = mlfy_err_set(err, MLFY_EINVAL,
					  "%s has %zu images and %s has %zu; without image names in "
					  "both files they are matched by position and must have "
					  "the same count",
					  labels_path, es->n, orig_path, o->n);
			goto fail;
		}
		for (i = 0; i < o->n; i++) {
			size_t k = mlfy_labels_count(o, i), at = i;
			if (k > 1) {
				rc = mlfy_err_set(err, MLFY_EINVAL,
						  "%s: image %zu%s%s%s has %zu classes; an original-label "
						  "file gives one class per image",
						  orig_path, i + 1, o->names ? " ('" : "",
						  o->names ? o->names[i] : "", o->names ? "')" : "", k);
				goto fail;
			}
			if (by_name && mlfy_evalset_find(es, o->names[i], &at)) {
				if (!es->n_original_unmatched++ &&
				    !(es->first_original_unmatched = strdup(o->names[i]))) {
					rc = mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
					goto fail;
				}
				continue;
			}
			if (k == 1)
				es->original[at] = o->classes[o->offsets[i]];
		}
	}
	for (i = 0; i < es->n; i++)
		es->n_no_original += es->original[i] < 0;
	mlfy_labels_free(l);
	mlfy_labels_free(o);
	*out = es;
	return 0;
fail:
	mlfy_labels_free(l);
	mlfy_labels_free(o);
	mlfy_evalset_free(es);
	return rc;
}

/* ---- project ------------------------------------------------------------- */

struct proj_ctx {
	struct mlfy_evalset *es;
	size_t cap;
	/* final sets gathered per image, then packed into CSR */
	int **sets;
	size_t *set_n;
	int oom;
};

static int grow(struct proj_ctx *c)
{
	size_t cap = c->cap ? 2 * c->cap : 1024;
	char **nm = realloc(c->es->names, cap * sizeof(char *));
	if (!nm)
		return -1;
	c->es->names = nm;
	{
		int *o = realloc(c->es->original, cap * sizeof(int));
		if (!o)
			return -1;
		c->es->original = o;
	}
	c->cap = cap;
	return 0;
}

static int on_image(const struct mlfy_image *img, void *ctx)
{
	struct proj_ctx *c = ctx;
	struct mlfy_evalset *es = c->es;
	if (es->n == c->cap && grow(c))
		return c->oom = 1;
	if (!(es->names[es->n] = strdup(img->name)))
		return c->oom = 1;
	es->original[es->n] = img->original_label;
	es->n++;
	return 0;
}

static int on_final(const struct mlfy_final *f, void *ctx)
{
	struct proj_ctx *c = ctx;
	size_t at;
	if (mlfy_evalset_find(c->es, f->image_name, &at))
		return 0;   /* cannot happen: final sets reference project images */
	c->es->decided[at] = 1;
	c->set_n[at] = f->n;
	if (f->n) {
		if (!(c->sets[at] = malloc(f->n * sizeof(int))))
			return c->oom = 1;
		memcpy(c->sets[at], f->classes, f->n * sizeof(int));
	}
	return 0;
}

int mlfy_evalset_from_project(struct mlfy_store *s, struct mlfy_evalset **out,
			      struct mlfy_err *err)
{
	struct proj_ctx c = { 0 };
	struct mlfy_evalset *es;
	char src[4200];
	size_t i, total = 0, n_cls = 0;
	int rc;

	*out = NULL;
	snprintf(src, sizeof(src), "project %s", mlfy_store_path(s));
	if (!(es = evalset_new(src)))
		return mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
	c.es = es;
	if ((rc = mlfy_catalog_n_classes(s, &n_cls, err)))
		goto fail;
	es->n_classes = (int)n_cls;
	rc = mlfy_catalog_foreach_image(s, 0, on_image, &c, err);
	if (c.oom)
		goto oom;
	if (rc)
		goto fail;
	if (!es->n) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s has no images", src);
		goto fail;
	}
	if ((rc = index_names(es, err)))
		goto fail;
	es->decided = calloc(es->n, 1);
	c.sets = calloc(es->n, sizeof(int *));
	c.set_n = calloc(es->n, sizeof(size_t));
	es->off = malloc((es->n + 1) * sizeof(size_t));
	if (!es->decided || !c.sets || !c.set_n || !es->off)
		goto oom;
	rc = mlfy_final_foreach(s, on_final, &c, err);
	if (c.oom)
		goto oom;
	if (rc)
		goto fail;
	for (i = 0; i < es->n; i++) {
		es->off[i] = total;
		total += c.set_n[i];
		es->n_no_original += es->original[i] < 0;
	}
	es->off[es->n] = total;
	if (!(es->cls = malloc((total ? total : 1) * sizeof(int))))
		goto oom;
	for (i = 0; i < es->n; i++)
		if (c.set_n[i])
			memcpy(es->cls + es->off[i], c.sets[i], c.set_n[i] * sizeof(int));
	for (i = 0; i < es->n; i++)
		free(c.sets[i]);
	free(c.sets);
	free(c.set_n);
	*out = es;
	return 0;
oom:
	rc = mlfy_err_set(err, MLFY_ENOMEM, "out of memory reading %s", src);
fail:
	if (c.sets)
		for (i = 0; i < es->n; i++)
			free(c.sets[i]);
	free(c.sets);
	free(c.set_n);
	mlfy_evalset_free(es);
	return rc;
}

/* ---- order files and alignment ---------------------------------------------- */

int mlfy_evalset_read_order(const char *path, char ***names, size_t *n, struct mlfy_err *err)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, lcap = 0, m = 0, lineno = 0;
	ssize_t len;
	char **v = NULL;

	*names = NULL;
	*n = 0;
	if (!f)
		return mlfy_err_set(err, MLFY_ENOTFOUND, "%s: cannot open order file", path);
	while ((len = getline(&line, &lcap, f)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
				   line[len - 1] == ' ' || line[len - 1] == '\t'))
			line[--len] = '\0';
		if (!len)
			continue;
		if (m == cap) {
			size_t nc = cap ? 2 * cap : 1024;
			char **nv = realloc(v, nc * sizeof(char *));
			if (!nv)
				goto oom;
			v = nv;
			cap = nc;
		}
		if (!(v[m] = strdup(line)))
			goto oom;
		m++;
	}
	free(line);
	fclose(f);
	*names = v;
	*n = m;
	return 0;
oom:
	free(line);
	fclose(f);
	mlfy_evalset_names_free(v, m);
	return mlfy_err_set(err, MLFY_ENOMEM, "%s:%zu: out of memory", path, lineno);
}

int mlfy_evalset_align(const struct mlfy_evalset *es, const struct mlfy_top1 *p,
		       char *const *order, size_t n_order, int **pred, struct mlfy_err *err)
{
	char *const *row_names = NULL;
	size_t n_rows = p->n, i, unknown = 0, dup = 0, missing = 0;
	const char *first_unknown = NULL, *first_dup = NULL;
	unsigned char *seen = NULL;
	int *out;

	*pred = NULL;
	if (p->named) {
		row_names = p->named->names;
		n_rows = p->named->n;
	} else if (order) {
		if (n_order != p->n)
			return mlfy_err_set(err, MLFY_EINVAL,
					    "%s: %zu rows, but the order file lists %zu images",
					    p->path, p->n, n_order);
		row_names = order;
	}
	if (!row_names) {
		if (p->n != es->n)
			return mlfy_err_set(err, MLFY_EINVAL,
					    "%s: %zu rows, but %s has %zu images (rows are matched by "
					    "position; give an order file or a CSV with image names to "
					    "match by name)",
					    p->path, p->n, es->source, es->n);
		if (!(out = malloc((es->n ? es->n : 1) * sizeof(int))))
			return mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
		memcpy(out, p->cls, es->n * sizeof(int));
		*pred = out;
		return 0;
	}
	if (!es->names)
		return mlfy_err_set(err, MLFY_EINVAL,
				    "%s names its images, but %s has no image names to match them "
				    "to",
				    p->named ? p->path : "the order file", es->source);
	out = malloc((es->n ? es->n : 1) * sizeof(int));
	seen = calloc(es->n ? es->n : 1, 1);
	if (!out || !seen) {
		free(out);
		free(seen);
		return mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
	}
	for (i = 0; i < n_rows; i++) {
		size_t at;
		if (mlfy_evalset_find(es, row_names[i], &at)) {
			if (!unknown++)
				first_unknown = row_names[i];
			continue;
		}
		if (seen[at]) {
			if (!dup++)
				first_dup = row_names[i];
			continue;
		}
		seen[at] = 1;
		out[at] = p->cls[i];
	}
	for (i = 0; i < es->n; i++)
		missing += !seen[i];
	if (unknown || dup || missing) {
		char a[512] = "", b[512] = "", c[512] = "";
		if (unknown)
			snprintf(a, sizeof(a), "; %zu name%s not in %s (first: '%s')", unknown,
				 unknown == 1 ? " is" : "s are", es->source, first_unknown);
		if (dup)
			snprintf(b, sizeof(b), "; %zu image%s predicted twice (first: '%s')", dup,
				 dup == 1 ? "" : "s", first_dup);
		if (missing) {
			for (i = 0; i < es->n && seen[i]; i++)
				;
			snprintf(c, sizeof(c), "; %zu image%s of %s %s no prediction (first: '%s')",
				 missing, missing == 1 ? "" : "s", es->source,
				 missing == 1 ? "has" : "have", es->names[i]);
		}
		free(out);
		free(seen);
		return mlfy_err_set(err, MLFY_EINVAL, "%s: cannot align predictions%s%s%s",
				    p->path, a, b, c);
	}
	free(seen);
	*pred = out;
	return 0;
}
