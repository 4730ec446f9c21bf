/* gold_file.c - gold sets read from a label file into the project
 * (gold_file.h). */
#include "ingest/gold_file.h"

#include <stdlib.h>

#include "ingest/labels.h"
#include "ingest/pred_rows.h"
#include "store/catalog.h"
#include "store/gold.h"

static int import_tx(struct mlfy_store *s, const char *path, const struct mlfy_labels *l,
		     struct pred_resolver *r, int64_t *added, int64_t *replaced, struct mlfy_err *err)
{
	size_t i, j;
	int rc = 0;

	for (i = 0; !rc && i < l->n; i++) {
		long k = mlfy_names_find(r->ix, l->names[i]);
		int32_t *cls = NULL;
		size_t n = mlfy_labels_count(l, i);
		int had = 0;

		if (k == MLFY_NAME_UNKNOWN)
			return mlfy_err_set(err, MLFY_EINVAL, "%s: entry %zu ('%s'): not an image of the project", path,
					    i + 1, l->names[i]);
		if (k == MLFY_NAME_AMBIGUOUS)
			return mlfy_err_set(err, MLFY_EINVAL,
					    "%s: entry %zu ('%s'): matches several project images; use the image name",
					    path, i + 1, l->names[i]);
		if (r->used[k])
			return mlfy_err_set(err, MLFY_EINVAL, "%s: entry %zu ('%s'): the image '%s' is given twice",
					    path, i + 1, l->names[i], r->img[k].name);
		r->used[k] = 1;
		if (n && !(cls = malloc(n * sizeof(*cls))))
			return mlfy_err_oom(err);
		for (j = 0; j < n; j++)
			cls[j] = l->classes[l->offsets[i] + j];
		if ((rc = mlfy_gold_put(s, r->img[k].id, cls, n, path, 0, &had, err)))
			rc = mlfy_err_prefix(err, "%s: entry %zu ('%s')", path, i + 1, l->names[i]);
		else
			*(had ? replaced : added) += 1;
		free(cls);
	}
	return rc;
}

/* The import of labels l read from path (a file's path or an upload's
 * name), which it frees. */
static int import_labels(struct mlfy_store *s, const char *path, struct mlfy_labels *l, int64_t *added,
			 int64_t *replaced, struct mlfy_err *err)
{
	struct pred_resolver r;
	int rc;

	if (!l->n) {
		rc = l->n_undecided
			     ? mlfy_err_set(err, MLFY_EINVAL,
					    "%s: no image to add: its %zu rows are of undecided images (stage 'undecided'),"
					    " which have no set", path, l->n_undecided)
			     : mlfy_err_set(err, MLFY_EINVAL, "%s: no image to add (the file lists none)", path);
		mlfy_labels_free(l);
		return rc;
	}
	if (!l->names) {
		rc = mlfy_err_set(err, MLFY_EINVAL,
				  "%s: a %s file does not name its images; gold sets need a file keyed by image name"
				  " (Multilabelfy JSON or CSV file,label)", path, mlfy_labels_format_name(l->format));
		mlfy_labels_free(l);
		return rc;
	}
	if ((rc = pred_resolver_load(s, &r, err))) {
		mlfy_labels_free(l);
		pred_resolver_free(&r);
		return rc;
	}
	if (!(rc = mlfy_store_begin(s, err))) {
		rc = import_tx(s, path, l, &r, added, replaced, err);
		if (rc) {
			mlfy_store_rollback(s);
			*added = *replaced = 0;
		} else {
			rc = mlfy_store_commit(s, err);
		}
	}
	pred_resolver_free(&r);
	mlfy_labels_free(l);
	return rc;
}

/* The project's class count, then the labels of a file or of a text. */
int mlfy_gold_import_file(struct mlfy_store *s, const char *path, int format, int64_t *added, int64_t *replaced,
			  struct mlfy_err *err)
{
	struct mlfy_labels *l = NULL;
	size_t n_classes = 0;
	int rc;

	*added = *replaced = 0;
	if ((rc = mlfy_catalog_n_classes(s, &n_classes, err)) ||
	    (rc = mlfy_labels_load(path, format, (int)n_classes, &l, err)))
		return rc;
	return import_labels(s, path, l, added, replaced, err);
}

int mlfy_gold_import_text(struct mlfy_store *s, const char *name, const char *text, size_t len, int format,
			  int64_t *added, int64_t *replaced, struct mlfy_err *err)
{
	struct mlfy_labels *l = NULL;
	size_t n_classes = 0;
	int rc;

	*added = *replaced = 0;
	if ((rc = mlfy_catalog_n_classes(s, &n_classes, err)) ||
	    (rc = mlfy_labels_parse(name, text, len, format, (int)n_classes, &l, err)))
		return rc;
	return import_labels(s, name, l, added, replaced, err);
}
