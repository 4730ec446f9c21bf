/* images.c - `mlfy add-images`: source layouts, validation and the
 * one-transaction import (images.h).  File probing is probe.c's, folder
 * listing scan.c's, the list parsers manifest.c's, the batch rule
 * batches.c's. */
#include "ingest/images.h"
#include "ingest/batches.h"
#include "ingest/manifest.h"
#include "ingest/probe.h"
#include "ingest/scan.h"
#include "ingest/textio.h"
#include "util/csv.h"
#include "util/file.h"
#include "util/vec.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define MAX_LIST_FILE ((size_t)4 << 30)   /* manifests / ground truth up to 4 GiB */
#define DEFAULT_BATCHES 7

const char *mlfy_image_layout_name(enum mlfy_image_layout l)
{
	switch (l) {
	case MLFY_LAYOUT_AUTO: return "auto";
	case MLFY_LAYOUT_IMAGEFOLDER: return "imagefolder";
	case MLFY_LAYOUT_FLAT: return "flat";
	case MLFY_LAYOUT_CSV: return "csv";
	}
	return "unknown";
}

/* ---- add-images ----------------------------------------------------------- */

struct entry {
	char *name;      /* image key */
	char *path;      /* absolute path */
	char *label;     /* as written, or NULL */
	char *where;     /* "file:line" for manifest / ground-truth rows, else NULL */
	int label_idx;   /* resolved class, -1 none */
	int present;     /* already in the project: skip */
	int bad;         /* has a problem */
	int batch;
	struct mlfy_image_info info;
};

struct job {
	struct mlfy_store *s;
	const struct mlfy_add_images_opts *o;
	struct mlfy_add_images_result *res;
	struct entry *e;
	size_t n;
	size_t cap_problems, cap_order;
	size_t *prob_order;  /* [n_problems] entry index of each problem (SIZE_MAX: none) */
	size_t cur;          /* entry index for the next problem() */
};

void mlfy_add_images_result_release(struct mlfy_add_images_result *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->n_problems; i++) {
		MLFY_FREE_ALL(r->problems[i].where, r->problems[i].reason);
	}
	MLFY_FREE_ALL(r->problems, r->batch_sizes);
	memset(r, 0, sizeof(*r));
}

static int problem(struct job *j, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int problem(struct job *j, const char *where, const char *fmt, ...)
{
	struct mlfy_add_images_result *r = j->res;
	char buf[1024];
	va_list ap;

	if (MLFY_GROW(r->problems, j->cap_problems, r->n_problems + 1) ||
	    MLFY_GROW(j->prob_order, j->cap_order, r->n_problems + 1))
		return MLFY_ENOMEM;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	r->problems[r->n_problems].where = strdup(where);
	r->problems[r->n_problems].reason = strdup(buf);
	if (!r->problems[r->n_problems].where || !r->problems[r->n_problems].reason) {
		MLFY_FREE_ALL(r->problems[r->n_problems].where, r->problems[r->n_problems].reason);
		return MLFY_ENOMEM;
	}
	j->prob_order[r->n_problems] = j->cur;
	j->cur = SIZE_MAX;
	r->n_problems++;
	return 0;
}

static int entry_problem(struct job *j, struct entry *e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int entry_problem(struct job *j, struct entry *e, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	e->bad = 1;
	j->cur = (size_t)(e - j->e);
	if (e->where)
		return problem(j, e->where, "%s: %s", e->name, buf);
	return problem(j, e->name, "%s", buf);
}

static void free_entries(struct entry *e, size_t n)
{
	size_t i;
	if (!e)
		return;
	for (i = 0; i < n; i++) {
		MLFY_FREE_ALL(e[i].name, e[i].path, e[i].label, e[i].where);
	}
	free(e);
}

/* "./a//b/./c.jpg" -> "a/b/c.jpg"; keeps a leading '/' and ".." parts. */
static char *normalise_path(const char *p)
{
	size_t n = strlen(p), k = 0;
	char *out = malloc(n + 2);
	const char *s = p;

	if (!out)
		return NULL;
	if (*s == '/')
		out[k++] = '/';
	while (*s) {
		const char *e = strchr(s, '/');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		if (len > 0 && !(len == 1 && s[0] == '.')) {
			if (k > 0 && out[k - 1] != '/')
				out[k++] = '/';
			memcpy(out + k, s, len);
			k += len;
		}
		s += len;
		if (*s == '/')
			s++;
	}
	out[k] = '\0';
	return out;
}

static int add_entry(struct job *j, size_t *cap, const char *name, const char *path, const char *label,
		     const char *where, struct mlfy_err *err)
{
	struct entry *e;
	if (MLFY_GROW(j->e, *cap, j->n + 1))
		return mlfy_err_oom(err);
	e = &j->e[j->n];
	memset(e, 0, sizeof(*e));
	e->label_idx = -1;
	e->name = strdup(j->o->name_by_file ? mlfy_path_base(name) : name);
	e->path = strdup(path);
	e->label = label ? strdup(label) : NULL;
	e->where = where ? strdup(where) : NULL;
	if (!e->name || !e->path || (label && !e->label) || (where && !e->where)) {
		MLFY_FREE_ALL(e->name, e->path, e->label, e->where);
		return mlfy_err_oom(err);
	}
	j->n++;
	return 0;
}

static int collect_folder(struct job *j, int flat, struct mlfy_err *err)
{
	struct scan_list l;
	char **gt = NULL;
	size_t n_gt = 0, cap = 0, i;
	int rc;

	memset(&l, 0, sizeof(l));
	if ((rc = scan_images(j->o->src, !flat, &l, err)))
		return rc;
	j->res->n_ignored = l.n_ignored;
	if (flat && j->o->labels) {
		char *text;
		size_t len;
		if ((rc = mlfy_read_file(j->o->labels, MAX_LIST_FILE, &text, &len, err)))
			goto out;
		rc = mlfy_gt_parse(text, len, j->o->labels, &gt, &n_gt, err);
		free(text);
		if (rc)
			goto out;
	}
	for (i = 0; i < l.n; i++) {
		const char *label = NULL;
		char where[4200];
		int has_where = 0;

		if (!flat) {
			const char *slash = strchr(l.v[i].rel, '/');
			if (!slash) {
				/* listed as a problem below, with no label */
				if ((rc = add_entry(j, &cap, l.v[i].rel, l.v[i].abs, NULL, NULL, err)))
					goto out;
				if ((rc = entry_problem(j, &j->e[j->n - 1],
							"image outside a class folder (expected SRC/<class>/<file>)")))
					goto nomem;
				continue;
			}
			snprintf(where, sizeof(where), "%.*s", (int)(slash - l.v[i].rel), l.v[i].rel);
			label = where;
		} else if (j->o->labels && i < n_gt) {
			label = gt[i];
			snprintf(where, sizeof(where), "%s:%zu", j->o->labels, i + 1);
			has_where = 1;
		}
		if ((rc = add_entry(j, &cap, l.v[i].rel, l.v[i].abs, label && *label ? label : NULL,
				    has_where ? where : NULL, err)))
			goto out;
		if (!textio_valid_text(l.v[i].rel, strlen(l.v[i].rel), 0) &&
		    (rc = entry_problem(j, &j->e[j->n - 1], "file name is not valid UTF-8 or has control characters")))
			goto nomem;
		if (has_where && (!label || !*label) &&
		    (rc = entry_problem(j, &j->e[j->n - 1], "empty label line")))
			goto nomem;
		if (flat && j->o->labels && i >= n_gt &&
		    (rc = entry_problem(j, &j->e[j->n - 1], "no label: %s has %zu lines for %zu images (sorted by name)",
					j->o->labels, n_gt, l.n)))
			goto nomem;
	}
	for (i = l.n; i < n_gt; i++) {
		char where[4200];
		snprintf(where, sizeof(where), "%s:%zu", j->o->labels, i + 1);
		if ((rc = problem(j, where, "label '%s' has no image: %zu labels for %zu images", gt[i], n_gt, l.n)))
			goto nomem;
	}
	rc = 0;
	goto out;
nomem:
	rc = mlfy_err_oom(err);
out:
	for (i = 0; i < n_gt; i++)
		free(gt[i]);
	free(gt);
	scan_list_free(&l);
	return rc;
}

static int collect_manifest(struct job *j, struct mlfy_err *err)
{
	struct mlfy_manifest_row *rows = NULL;
	size_t n = 0, cap = 0, len, i;
	char *text, *manifest_abs, *dir, *slash;
	int rc;

	if ((rc = mlfy_read_file(j->o->src, MAX_LIST_FILE, &text, &len, err)))
		return rc;
	rc = mlfy_manifest_parse(text, len, j->o->src, &rows, &n, err);
	free(text);
	if (rc && !rows)
		return rc;   /* not a manifest at all */
	/* bad rows are listed with the other problems (in line order) */
	mlfy_err_clear(err);
	rc = 0;
	if (!(manifest_abs = scan_realpath(j->o->src))) {
		rc = mlfy_err_set(err, MLFY_EIO, "%s: %s", j->o->src, strerror(errno));
		goto out;
	}
	dir = manifest_abs;
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';  /* the manifest is in "/" */
	else if (slash)
		*slash = '\0';
	for (i = 0; i < n; i++) {
		char where[4200], *name, *path;
		int bad_text;
		snprintf(where, sizeof(where), "%s:%d", j->o->src, rows[i].line);
		if (rows[i].problem) {
			j->cur = j->n;   /* sorted before the next row's problems */
			if ((rc = problem(j, where, "%s", rows[i].problem))) {
				rc = mlfy_err_oom(err);
				break;
			}
			continue;
		}
		bad_text = !textio_valid_text(rows[i].path, strlen(rows[i].path), 0);
		if (!(name = normalise_path(rows[i].path))) {
			rc = mlfy_err_oom(err);
			break;
		}
		if (name[0] == '/')
			path = strdup(name);
		else if ((path = malloc(strlen(dir) + strlen(name) + 2)))
			sprintf(path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name);
		if (!path) {
			free(name);
			rc = mlfy_err_oom(err);
			break;
		}
		rc = add_entry(j, &cap, name, path, rows[i].label, where, err);
		MLFY_FREE_ALL(name, path);
		if (rc)
			break;
		if (bad_text && (rc = entry_problem(j, &j->e[j->n - 1], "path is not valid UTF-8 or has control characters"))) {
			rc = mlfy_err_oom(err);
			break;
		}
	}
	free(manifest_abs);
out:
	mlfy_manifest_free(rows, n);
	return rc;
}

/* ---- label lookup with a cache ---------------------------------------------- */

struct label_cache {
	struct { char *key; int idx; int rc; char msg[256]; } *v;
	size_t n, cap;   /* open addressing, cap a power of two */
};

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;  /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void label_cache_free(struct label_cache *c)
{
	size_t i;
	for (i = 0; i < c->cap; i++)
		free(c->v[i].key);
	free(c->v);
}

/* Resolves key with mlfy_catalog_find_class, remembering the answer.
 * Returns 0 (found), MLFY_ENOTFOUND / MLFY_EINVAL with *msg, or a fatal
 * store error in err. */
static int label_lookup(struct mlfy_store *s, struct label_cache *c, const char *key, int *idx,
			const char **msg, struct mlfy_err *err)
{
	struct mlfy_err e;
	size_t i, mask;
	int rc;

	if ((c->n + 1) * 2 > c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 256, k;
		struct label_cache nc = { calloc(ncap, sizeof(*c->v)), 0, ncap };
		if (!nc.v)
			return mlfy_err_oom(err);
		for (k = 0; k < c->cap; k++) {
			if (!c->v[k].key)
				continue;
			i = str_hash(c->v[k].key) & (ncap - 1);
			while (nc.v[i].key)
				i = (i + 1) & (ncap - 1);
			nc.v[i] = c->v[k];
			nc.n++;
		}
		free(c->v);
		*c = nc;
	}
	mask = c->cap - 1;
	for (i = str_hash(key) & mask; c->v[i].key; i = (i + 1) & mask)
		if (!strcmp(c->v[i].key, key))
			goto found;
	mlfy_err_clear(&e);
	rc = mlfy_catalog_find_class(s, key, idx, &e);
	if (rc && rc != MLFY_ENOTFOUND && rc != MLFY_EINVAL) {
		*err = e;
		return rc;
	}
	if (!(c->v[i].key = strdup(key)))
		return mlfy_err_oom(err);
	c->v[i].idx = rc ? -1 : *idx;
	c->v[i].rc = rc;
	snprintf(c->v[i].msg, sizeof(c->v[i].msg), "%s", e.msg);
	c->n++;
found:
	*idx = c->v[i].idx;
	*msg = c->v[i].msg;
	return c->v[i].rc;
}

/* ---- duplicate checks ------------------------------------------------------- */

static struct entry *g_sort_entries;

static int cmp_by_name(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(g_sort_entries[x].name, g_sort_entries[y].name);
	return c ? c : (x > y) - (x < y);
}

static int cmp_by_hash(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(g_sort_entries[x].info.sha256, g_sort_entries[y].info.sha256);
	return c ? c : (x > y) - (x < y);
}

/* Reports entries whose name (by_hash 0) or content (by_hash 1) repeats an
 * earlier entry's; entries without a hash (failed probes) are left out. */
static int report_repeats(struct job *j, int by_hash, struct mlfy_err *err)
{
	size_t *ix, i, first = 0;
	int rc = 0;

	if (j->n < 2)
		return 0;
	if (!(ix = malloc(j->n * sizeof(*ix))))
		return mlfy_err_oom(err);
	for (i = 0; i < j->n; i++)
		ix[i] = i;
	g_sort_entries = j->e;
	qsort(ix, j->n, sizeof(*ix), by_hash ? cmp_by_hash : cmp_by_name);
	for (i = 0; i < j->n && !rc; i++) {
		struct entry *e = &j->e[ix[i]], *f;
		if (by_hash && !e->info.sha256[0])
			continue;
		if (i == 0 || strcmp(by_hash ? e->info.sha256 : e->name,
				     by_hash ? j->e[ix[first]].info.sha256 : j->e[ix[first]].name)) {
			first = i;
			continue;
		}
		f = &j->e[ix[first]];
		if (by_hash)
			rc = entry_problem(j, e, "duplicate: same content as %s%s%s%s", f->name, f->where ? " (" : "",
					   f->where ? f->where : "", f->where ? ")" : "");
		else
			rc = entry_problem(j, e, "duplicate image name (also %s)", f->where ? f->where : f->path);
	}
	free(ix);
	if (rc)
		return mlfy_err_oom(err);
	return 0;
}

/* ctx: the entry order of each problem (job.prob_order) */
static int cmp_problem(const void *a, const void *b, void *ctx)
{
	const size_t *order = ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	if (order[x] != order[y])
		return order[x] < order[y] ? -1 : 1;
	return (x > y) - (x < y);
}

/* Orders the problems by source order (the entries' order), keeping the
 * order of several problems of one file; problems without a file last. */
static void sort_problems(struct job *j)
{
	struct mlfy_add_images_result *r = j->res;
	struct mlfy_ingest_problem *sorted;
	size_t *ix, i;

	if (r->n_problems < 2)
		return;
	ix = malloc(r->n_problems * sizeof(*ix));
	sorted = malloc(r->n_problems * sizeof(*sorted));
	if (!ix || !sorted) {
		MLFY_FREE_ALL(ix, sorted);
		return; /* unsorted is still complete */
	}
	for (i = 0; i < r->n_problems; i++)
		ix[i] = i;
	qsort_r(ix, r->n_problems, sizeof(*ix), cmp_problem, j->prob_order);
	for (i = 0; i < r->n_problems; i++)
		sorted[i] = r->problems[ix[i]];
	free(r->problems);
	r->problems = sorted;
	j->cap_problems = r->n_problems;
	free(ix);
}

/* ---- the import --------------------------------------------------------------- */

static int cancelled(const struct mlfy_add_images_opts *o)
{
	return o->cancel && *o->cancel;
}

static int project_batches(struct mlfy_store *s, const struct mlfy_add_images_opts *o, int *n_batches,
			   int max_batch, struct mlfy_err *err)
{
	char *v = NULL;
	int rc, meta = 0;

	rc = mlfy_store_meta_get(s, "batches", &v, err);
	if (rc == 0) {
		char *end;
		long x;
		errno = 0;
		x = strtol(v, &end, 10);
		if (errno || end == v || *end || x < 1 || x > INT_MAX) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "the project's meta value 'batches' is not a batch count: '%.40s'",
					  v);
			free(v);
			return rc;
		}
		meta = (int)x;
		free(v);
	} else if (rc != MLFY_ENOTFOUND) {
		return rc;
	}
	if (meta < max_batch)
		meta = max_batch;
	if (o->batches > 0) {
		if (o->batches < meta)
			return mlfy_err_set(err, MLFY_EINVAL,
					    "the project already has %d batches; --batches %d cannot remove batches", meta,
					    o->batches);
		*n_batches = o->batches;
	} else {
		*n_batches = meta > 0 ? meta : DEFAULT_BATCHES;
	}
	return 0;
}

int mlfy_ingest_add_images(struct mlfy_store *s, const struct mlfy_add_images_opts *o,
			   struct mlfy_add_images_result *res, struct mlfy_err *err)
{
	struct job j;
	struct label_cache lc;
	struct stat st;
	enum mlfy_image_layout layout = o->layout;
	int64_t *counts = NULL;
	int n_counts = 0, n_batches = 0, rc, *assigned = NULL;
	const char **names = NULL;
	int *labels = NULL;
	size_t i, n_new = 0;

	memset(res, 0, sizeof(*res));
	memset(&j, 0, sizeof(j));
	memset(&lc, 0, sizeof(lc));
	j.s = s;
	j.o = o;
	j.res = res;
	j.cur = SIZE_MAX;

	/* layout */
	if (stat(o->src, &st) != 0)
		return mlfy_err_set(err, MLFY_EIO, "%s: %s", o->src, strerror(errno));
	if (layout == MLFY_LAYOUT_AUTO) {
		if (S_ISREG(st.st_mode)) {
			layout = MLFY_LAYOUT_CSV;
		} else if (S_ISDIR(st.st_mode)) {
			struct scan_list l;
			memset(&l, 0, sizeof(l));
			if ((rc = scan_images(o->src, 0, &l, err)))
				return rc;
			if (o->labels && l.n_top_files == 0 && l.n_subdirs > 0) {
				scan_list_free(&l);
				return mlfy_err_set(err, MLFY_EINVAL,
						    "%s: --labels applies to flat folders, and this one holds only "
						    "subfolders (an ImageFolder tree: drop --labels)", o->src);
			}
			layout = o->labels || l.n_subdirs == 0 ? MLFY_LAYOUT_FLAT : MLFY_LAYOUT_IMAGEFOLDER;
			scan_list_free(&l);
		} else {
			return mlfy_err_set(err, MLFY_EINVAL, "%s: neither a folder nor a manifest file", o->src);
		}
	}
	res->layout = layout;
	if (layout == MLFY_LAYOUT_CSV && !S_ISREG(st.st_mode))
		return mlfy_err_set(err, MLFY_EINVAL, "%s: a CSV manifest must be a file", o->src);
	if (layout != MLFY_LAYOUT_CSV && !S_ISDIR(st.st_mode))
		return mlfy_err_set(err, MLFY_EINVAL, "%s: not a folder (the %s layout reads a folder)", o->src,
				    mlfy_image_layout_name(layout));
	if (o->labels && layout != MLFY_LAYOUT_FLAT)
		return mlfy_err_set(err, MLFY_EINVAL, "--labels applies to flat folders only (layout %s)",
				    mlfy_image_layout_name(layout));

	/* entries */
	if (layout == MLFY_LAYOUT_CSV)
		rc = collect_manifest(&j, err);
	else
		rc = collect_folder(&j, layout == MLFY_LAYOUT_FLAT, err);
	if (rc)
		goto out;
	res->n_files = j.n;

	/* labels */
	for (i = 0; i < j.n; i++) {
		const char *msg = NULL;
		struct entry *e = &j.e[i];
		if (!e->label)
			continue;
		rc = label_lookup(s, &lc, e->label, &e->label_idx, &msg, err);
		if (rc == MLFY_ENOTFOUND)
			rc = entry_problem(&j, e, "unknown label '%s' (not a class id, index or name of the project)",
					   e->label);
		else if (rc == MLFY_EINVAL)
			rc = entry_problem(&j, e, "%s", msg);
		if (rc == MLFY_ENOMEM) {
			rc = mlfy_err_set(err, rc, "out of memory");
			goto out;
		}
		if (rc)
			goto out;
	}

	/* names repeated within the source */
	if ((rc = report_repeats(&j, 0, err)))
		goto out;

	/* read every file */
	mlfy_progress_set_total(o->progress, (int64_t)j.n);
	for (i = 0; i < j.n; i++) {
		struct entry *e = &j.e[i];
		struct mlfy_err pe;
		if (cancelled(o)) {
			rc = mlfy_err_set(err, MLFY_EINTR, "interrupted; nothing imported");
			goto out;
		}
		mlfy_err_clear(&pe);
		if (mlfy_image_probe(e->path, &e->info, &pe)) {
			if (pe.code == MLFY_ENOMEM) {
				rc = mlfy_err_oom(err);
				goto out;
			}
			if (pe.code == MLFY_EUNSUPPORTED) {   /* no image codec: no file can be read */
				rc = mlfy_err_set(err, pe.code, "%s; nothing imported", pe.msg);
				goto out;
			}
			if ((rc = entry_problem(&j, e, "%s", pe.msg))) {
				rc = mlfy_err_oom(err);
				goto out;
			}
		}
		mlfy_progress_update(o->progress, (int64_t)i + 1);
	}
	mlfy_progress_finish(o->progress);

	/* same content within the source */
	if (!o->allow_duplicates && (rc = report_repeats(&j, 1, err)))
		goto out;

	/* against the project */
	for (i = 0; i < j.n; i++) {
		struct entry *e = &j.e[i];
		struct mlfy_image old;
		struct mlfy_err le;

		mlfy_err_clear(&le);
		rc = mlfy_catalog_image_by_name(s, e->name, &old, &le);
		if (rc == 0) {
			if (!e->info.sha256[0] || e->bad) {
				/* its problem is already listed */
			} else if (strcmp(old.sha256, e->info.sha256)) {
				rc = entry_problem(&j, e, "a different file named '%s' is already in the project (%s)",
						   e->name, old.path);
			} else if (old.original_label != e->label_idx) {
				rc = entry_problem(&j, e, "already in the project with label %d; this source says %d",
						   old.original_label, e->label_idx);
			} else {
				e->present = 1;
				res->n_present++;
			}
			mlfy_image_release(&old);
			if (rc)
				goto nomem;
			continue;
		}
		if (rc != MLFY_ENOTFOUND) {
			*err = le;
			goto out;
		}
		rc = 0;
		if (o->allow_duplicates || !e->info.sha256[0] || e->bad)
			continue;
		rc = mlfy_catalog_image_by_hash(s, e->info.sha256, &old, &le);
		if (rc == 0) {
			rc = entry_problem(&j, e, "duplicate: same content as project image '%s'", old.name);
			mlfy_image_release(&old);
			if (rc)
				goto nomem;
		} else if (rc != MLFY_ENOTFOUND) {
			*err = le;
			goto out;
		}
		rc = 0;
	}

	if (res->n_problems) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: %zu problem%s; nothing imported", o->src, res->n_problems,
				  res->n_problems == 1 ? "" : "s");
		goto out;
	}

	/* batches */
	if ((rc = mlfy_catalog_batch_counts(s, &counts, &n_counts, err)) ||
	    (rc = project_batches(s, o, &n_batches, n_counts, err)))
		goto out;
	if (n_counts < n_batches) {
		int64_t *nc = realloc(counts, (size_t)n_batches * sizeof(*nc));
		if (!nc)
			goto nomem;
		counts = nc;
		memset(counts + n_counts, 0, (size_t)(n_batches - n_counts) * sizeof(*counts));
		n_counts = n_batches;
	}
	for (i = 0; i < j.n; i++)
		n_new += !j.e[i].present;
	if (n_new) {
		size_t k = 0;
		names = malloc(n_new * sizeof(*names));
		labels = malloc(n_new * sizeof(*labels));
		assigned = malloc(n_new * sizeof(*assigned));
		if (!names || !labels || !assigned)
			goto nomem;
		for (i = 0; i < j.n; i++) {
			if (j.e[i].present)
				continue;
			names[k] = j.e[i].name;
			labels[k] = j.e[i].label_idx;
			k++;
		}
		if ((rc = mlfy_batches_assign(n_batches, counts, n_new, names, labels, o->seed, assigned, err)))
			goto out;
		for (i = 0, k = 0; i < j.n; i++)
			if (!j.e[i].present)
				j.e[i].batch = assigned[k++];
	}

	/* one transaction */
	if ((rc = mlfy_store_begin(s, err)))
		goto out;
	for (i = 0; i < j.n && !rc; i++) {
		struct entry *e = &j.e[i];
		struct mlfy_image img;
		if (e->present)
			continue;
		memset(&img, 0, sizeof(img));
		img.name = e->name;
		img.path = e->path;
		img.original_label = e->label_idx;
		img.batch = e->batch;
		memcpy(img.sha256, e->info.sha256, sizeof(img.sha256));
		img.width = e->info.width;
		img.height = e->info.height;
		img.bytes = e->info.bytes;
		rc = mlfy_catalog_add_image(s, &img, err);
		if (!rc) {
			counts[e->batch - 1]++;
			res->n_added++;
			res->n_unlabelled += e->label_idx < 0;
		}
	}
	if (!rc) {
		char b[16];
		snprintf(b, sizeof(b), "%d", n_batches);
		rc = mlfy_store_meta_set(s, "batches", b, err);
	}
	if (!rc)
		rc = mlfy_store_commit(s, err);
	if (rc) {
		mlfy_store_rollback(s);
		res->n_added = res->n_unlabelled = 0;
		goto out;
	}
	res->n_batches = n_batches;
	res->batch_sizes = counts;
	counts = NULL;
	goto out;
nomem:
	rc = mlfy_err_oom(err);
out:
	sort_problems(&j);
	MLFY_FREE_ALL(j.prob_order, counts, names, labels, assigned);
	label_cache_free(&lc);
	free_entries(j.e, j.n);
	return rc;
}
