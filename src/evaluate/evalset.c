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
#include "util/names.h"
#include "util/vec.h"

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
	MLFY_FREE_ALL(es->original, es->off, es->cls, es->decided, es->first_original_unmatched);
	mlfy_evalset_names_free(es->paths, es->n);
	mlfy_names_free(es->index);
	free(es);
}

struct mlfy_truth mlfy_evalset_truth(const struct mlfy_evalset *es)
{
	struct mlfy_truth t = { es->n, es->original, es->off, es->cls, es->decided };
	return t;
}

/* Builds the name index (util/names.h); MLFY_EINVAL on a duplicate name. */
static int index_names(struct mlfy_evalset *es, struct mlfy_err *err)
{
	size_t i;
	int rc;
	if (!es->names)
		return 0;
	if ((rc = mlfy_names_new(es->names, es->paths, es->n, &es->index, err)))
		return rc;
	for (i = 0; i < es->n; i++)
		if (mlfy_names_find(es->index, es->names[i]) == MLFY_NAME_AMBIGUOUS)
			return mlfy_err_set(err, MLFY_EINVAL, "%s: image '%s' appears twice",
					    es->source, es->names[i]);
	return 0;
}

int mlfy_evalset_find(const struct mlfy_evalset *es, const char *name, size_t *index)
{
	long i;
	if (!es->index)
		return MLFY_ENOTFOUND;
	i = mlfy_names_find(es->index, name);
	if (i == MLFY_NAME_AMBIGUOUS)
		return MLFY_ECONFLICT;
	if (i < 0)
		return MLFY_ENOTFOUND;
	*index = (size_t)i;
	return 0;
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
		return mlfy_err_oom(err);
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
		rc = mlfy_err_oom(err);
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
					rc = mlfy_err_oom(err);
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
	size_t cap_names, cap_paths, cap_original;
	/* final sets gathered per image, then packed into CSR */
	int **sets;
	size_t *set_n;
	int oom;
};

static int on_image(const struct mlfy_image *img, void *ctx)
{
	struct proj_ctx *c = ctx;
	struct mlfy_evalset *es = c->es;
	char *name, *path;
	if (MLFY_GROW(es->names, c->cap_names, es->n + 1) || MLFY_GROW(es->paths, c->cap_paths, es->n + 1) ||
	    MLFY_GROW(es->original, c->cap_original, es->n + 1))
		return c->oom = 1;
	name = strdup(img->name);
	path = strdup(img->path ? img->path : "");
	if (!name || !path) {
		MLFY_FREE_ALL(name, path);
		return c->oom = 1;
	}
	es->names[es->n] = name;
	es->paths[es->n] = path;
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
		return mlfy_err_oom(err);
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
	MLFY_FREE_ALL(c.sets, c.set_n);
	*out = es;
	return 0;
oom:
	rc = mlfy_err_set(err, MLFY_ENOMEM, "out of memory reading %s", src);
fail:
	if (c.sets)
		for (i = 0; i < es->n; i++)
			free(c.sets[i]);
	MLFY_FREE_ALL(c.sets, c.set_n);
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
	size_t n_rows = p->n, i, unknown = 0, ambiguous = 0, dup = 0, missing = 0;
	const char *first_unknown = NULL, *first_ambiguous = NULL, *first_dup = NULL;
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
			return mlfy_err_oom(err);
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
		MLFY_FREE_ALL(out, seen);
		return mlfy_err_oom(err);
	}
	for (i = 0; i < n_rows; i++) {
		size_t at;
		int r = mlfy_evalset_find(es, row_names[i], &at);
		if (r == MLFY_ECONFLICT) {
			if (!ambiguous++)
				first_ambiguous = row_names[i];
			continue;
		}
		if (r) {
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
	if (unknown || ambiguous || dup || missing) {
		char a[512] = "", m[512] = "", b[512] = "", c[512] = "";
		if (unknown)
			snprintf(a, sizeof(a), "; %zu name%s not in %s (first: '%s')", unknown,
				 unknown == 1 ? " is" : "s are", es->source, first_unknown);
		if (ambiguous)
			snprintf(m, sizeof(m), "; %zu file name%s several images of %s (first: '%s'; "
				 "use the image name)", ambiguous, ambiguous == 1 ? " matches" : "s match",
				 es->source, first_ambiguous);
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
		MLFY_FREE_ALL(out, seen);
		return mlfy_err_set(err, MLFY_EINVAL, "%s: cannot align predictions%s%s%s%s",
				    p->path, a, m, b, c);
	}
	free(seen);
	*pred = out;
	return 0;
}
