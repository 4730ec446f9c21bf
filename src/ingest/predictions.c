/* predictions.c - model predictions (.npy logits/probabilities, timm
 * inference.py CSV/JSON) into top-k proposals (see predictions.h).
 *
 * Owns: reading and checking prediction files, the row -> image mapping
 * and the one-transaction write of a model's proposals; the numerics
 * (top-k, log-sum-exp) are util/topk's, shared with src/propose.
 * Row access to the store goes through store/catalog.h and
 * store/proposals.h. */
#define _POSIX_C_SOURCE 200809L
#include "ingest/predictions.h"
#include "ingest/textio.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/catalog.h"
#include "store/proposals.h"
#include "util/csv.h"
#include "util/file.h"
#include "util/names.h"
#include "util/npy.h"
#include "util/topk.h"
#include "util/vec.h"

#define DEFAULT_TOP_K 20
#define PROB_SUM_TOL 1e-3     /* |sum - 1| for rows that count as probabilities */
#define PROB_RANGE_TOL 1e-6   /* slack on [0, 1] for stored float rounding */
#define CHUNK_BYTES (4u << 20)
#define MAX_TIMM_FILE ((size_t)4 << 30)   /* timm CSV / JSON files up to 4 GiB */

/* ---- images: name -> image lookup ------------------------------------------- */

struct img_ref {
	char *name;
	char *path;
	int64_t id;
	int orig;
};

/* The project's images and the name index over them (util/names.h). */
struct resolver {
	size_t n, cap;
	struct img_ref *img;   /* in name order (the catalog walk's order) */
	char **names, **paths; /* [n] views of img[].name / img[].path for the index */
	struct mlfy_names *ix;
	unsigned char *used;   /* an image already has a row */
	int skip_unknown;      /* opt->skip_unknown */
	size_t n_skipped;      /* rows skipped: unknown images */
};

static int collect_image(const struct mlfy_image *im, void *ctx)
{
	struct resolver *r = ctx;
	struct img_ref *e;

	if (MLFY_GROW(r->img, r->cap, r->n + 1))
		return MLFY_ENOMEM;
	e = &r->img[r->n];
	e->name = strdup(im->name);
	e->path = strdup(im->path ? im->path : "");
	if (!e->name || !e->path) {
		free(e->name);
		free(e->path);
		return MLFY_ENOMEM;
	}
	e->id = im->id;
	e->orig = im->original_label;
	r->n++;
	return 0;
}

static void resolver_free(struct resolver *r)
{
	size_t i;
	for (i = 0; i < r->n; i++) {
		free(r->img[i].name);
		free(r->img[i].path);
	}
	free(r->img);
	free(r->names);
	free(r->paths);
	mlfy_names_free(r->ix);
	free(r->used);
	memset(r, 0, sizeof(*r));
}

static int resolver_load(struct mlfy_store *s, struct resolver *r, struct mlfy_err *err)
{
	size_t i;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = mlfy_catalog_foreach_image(s, 0, collect_image, r, err);
	if (rc == MLFY_ENOMEM)
		return mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
	if (rc)
		return rc;
	if (!(r->names = malloc((r->n + 1) * sizeof(char *))) || !(r->paths = malloc((r->n + 1) * sizeof(char *))) ||
	    !(r->used = calloc(r->n + 1, 1)))
		return mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
	for (i = 0; i < r->n; i++) {
		r->names[i] = r->img[i].name;
		r->paths[i] = r->img[i].path;
	}
	return mlfy_names_new(r->names, r->paths, r->n, &r->ix, err);
}

#define ROW_SKIPPED 1   /* resolve_row: an unknown image's row, to skip */

/* Resolves name for row `where` and marks the image used: 0 and *out, or
 * ROW_SKIPPED (counted) for an unknown image with skip_unknown; errors
 * name the file and position. */
static int resolve_row(struct resolver *r, const char *file, const char *where, const char *name, size_t *out,
		       struct mlfy_err *err)
{
	long i = mlfy_names_find(r->ix, name);
	if (i == MLFY_NAME_UNKNOWN && r->skip_unknown) {
		r->n_skipped++;
		return ROW_SKIPPED;
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

/* ---- the rows to store -------------------------------------------------------- */

struct rows {
	size_t n, cap;
	size_t k;              /* slots per row */
	size_t *img;           /* resolver index */
	int *cnt;              /* entries used per row (<= k) */
	int *cls;              /* n * k */
	double *val;           /* n * k: raw values (probabilities, or logits of dense rows) */
	double *lse;           /* per row: log-sum-exp of a dense row, NAN otherwise */
};

/* Room for one more row: img's capacity decides, the other arrays follow
 * it (cls and val hold k slots a row). */
static int rows_grow(struct rows *w, struct mlfy_err *err)
{
	size_t cap = w->cap, c;
	if (w->n < w->cap)
		return 0;
	if (MLFY_GROW(w->img, cap, w->n + 1) || cap > SIZE_MAX / w->k)
		return mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
	c = w->cap;
	if (MLFY_GROW(w->cnt, c, cap))
		return mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
	c = w->cap;
	if (MLFY_GROW(w->lse, c, cap))
		return mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
	c = w->cap * w->k;
	if (MLFY_GROW(w->cls, c, cap * w->k))
		return mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
	c = w->cap * w->k;
	if (MLFY_GROW(w->val, c, cap * w->k))
		return mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
	w->cap = cap;
	return 0;
}

static void rows_free(struct rows *w)
{
	free(w->img);
	free(w->cnt);
	free(w->cls);
	free(w->val);
	free(w->lse);
	memset(w, 0, sizeof(*w));
}

/* Input checks over dense rows, for the auto decision and forced probs. */
struct dense_stats {
	int all_prob;          /* every dense row so far: min >= 0 and |sum - 1| <= tol */
	size_t first_not_prob; /* first dense row that is not (for messages) */
	size_t n_dense;
	size_t first_neg;      /* first row with a negative value (SIZE_MAX: none) */
	size_t first_over;     /* first row with a value > 1 */
};

/* Adds a dense row (n_cls finite values) to w for image img; x as float
 * or double (one of xf / xd non-NULL). */
static int add_dense_row(struct rows *w, struct dense_stats *ds, size_t img, const float *xf, const double *xd,
			 size_t n_cls, struct mlfy_err *err)
{
	double mn = INFINITY, mx = -INFINITY, sum = 0;
	size_t i, k;
	int *ci;
	int rc;

	if ((rc = rows_grow(w, err)))
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

/* ---- .npy ------------------------------------------------------------------------ */

/* Reads an order file: one image name per line (a UTF-8 byte-order mark and
 * CRLF ok, trailing blank lines ignored); *names new array of new strings. */
static int read_order(const char *path, char ***names, size_t *n, struct mlfy_err *err)
{
	FILE *f = fopen(path, "rb");
	char *line = NULL, **v = NULL;
	size_t cap = 0, cnt = 0, vcap = 0, lineno = 0, blank = 0, i;
	ssize_t len;
	int rc = 0;

	*names = NULL;
	*n = 0;
	if (!f)
		return mlfy_err_set(err, errno == ENOENT ? MLFY_ENOTFOUND : MLFY_EIO, "%s: cannot open: %s", path,
				    strerror(errno));
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (lineno == 1 && len >= 3 && !memcmp(line, "\xef\xbb\xbf", 3)) {
			memmove(line, line + 3, (size_t)len - 2);
			len -= 3;
		}
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0) {
			if (!blank)
				blank = lineno;
			continue;
		}
		if (blank) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s:%zu: empty line (one image name per line)", path, blank);
			break;
		}
		if (MLFY_GROW(v, vcap, cnt + 1)) {
			rc = mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
			break;
		}
		if (!(v[cnt] = strdup(line))) {
			rc = mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
			break;
		}
		cnt++;
	}
	if (!rc && ferror(f))
		rc = mlfy_err_set(err, MLFY_EIO, "%s: read error", path);
	free(line);
	fclose(f);
	if (rc) {
		for (i = 0; i < cnt; i++)
			free(v[i]);
		free(v);
		return rc;
	}
	*names = v;
	*n = cnt;
	return 0;
}

static int read_npy(const char *path, const void *mem, size_t mem_len, const struct mlfy_pred_options *opt,
		    struct resolver *r, size_t n_classes, struct rows *w, struct dense_stats *ds,
		    struct mlfy_err *err)
{
	struct mlfy_npy *a = NULL;
	char **order = NULL;
	size_t n_order = 0, rows, chunk, got, base = 0, i, j;
	float *buf = NULL;
	int rc;

	if ((rc = mem ? mlfy_npy_open_mem(path, (void *)mem, mem_len, 0, &a, err) : mlfy_npy_open(path, &a, err)))
		return rc;
	if (a->dtype != MLFY_NPY_F2 && a->dtype != MLFY_NPY_F4 && a->dtype != MLFY_NPY_F8) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: dtype %s: expected float logits or probabilities (<f2, <f4, <f8)",
				  path, a->descr);
		goto out;
	}
	if (a->ndim != 2) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: %d-dimensional array: expected shape [N images, C classes]",
				  path, a->ndim);
		goto out;
	}
	rows = a->shape[0];
	if (a->shape[1] != n_classes) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: shape [%zu, %zu]: %zu columns, but the project has %zu classes%s",
				  path, rows, a->shape[1], a->shape[1], n_classes,
				  a->shape[1] == n_classes + 1 ? " (a background class at index 0? drop that column)" : "");
		goto out;
	}
	if (opt->order_path) {
		if ((rc = read_order(opt->order_path, &order, &n_order, err)))
			goto out;
		if (n_order != rows) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: %zu rows, but the order file %s lists %zu image%s", path,
					  rows, opt->order_path, n_order, n_order == 1 ? "" : "s");
			goto out;
		}
	} else if (rows != r->n) {
		rc = mlfy_err_set(err, MLFY_EINVAL,
				  "%s: %zu rows, but the project has %zu images (give --order FILE to map rows to images)",
				  path, rows, r->n);
		goto out;
	}
	mlfy_progress_set_total(opt->progress, (int64_t)rows);
	chunk = n_classes ? CHUNK_BYTES / (n_classes * sizeof(float)) : 1;
	if (chunk == 0)
		chunk = 1;
	if (chunk > rows)
		chunk = rows ? rows : 1;
	if (!(buf = malloc(chunk * n_classes * sizeof(float) + 1))) {
		rc = mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
		goto out;
	}
	/* one pass: finiteness, top-k, log-sum-exp and the probability test */
	for (;;) {
		if ((rc = mlfy_npy_read_rows_f32(a, buf, chunk, &got, err)))
			goto out;
		if (got == 0)
			break;
		for (i = 0; i < got; i++) {
			const float *x = buf + i * n_classes;
			size_t row = base + i, img;
			char where[64];

			if (order) {
				snprintf(where, sizeof(where), "row %zu (order file line %zu)", row, row + 1);
				if ((rc = resolve_row(r, path, where, order[row], &img, err)) == ROW_SKIPPED)
					continue;
				if (rc)
					goto out;
			} else {
				img = row;
				r->used[img] = 1;
			}
			for (j = 0; j < n_classes; j++) {
				if (!isfinite(x[j])) {
					rc = mlfy_err_set(err, MLFY_EINVAL, "%s: row %zu (0-based), column %zu: %s value",
							  path, row, j, isnan(x[j]) ? "NaN" : "infinite");
					goto out;
				}
			}
			if ((rc = add_dense_row(w, ds, img, x, NULL, n_classes, err)))
				goto out;
		}
		base += got;
		mlfy_progress_update(opt->progress, (int64_t)base);
	}
	rc = 0;
out:
	if (order) {
		for (i = 0; i < n_order; i++)
			free(order[i]);
		free(order);
	}
	free(buf);
	mlfy_npy_close(a);
	return rc;
}

/* ---- timm inference.py ---------------------------------------------------------- */

/* Class lookup by label text for files without indices: WordNet id,
 * synonyms ("description"), "synonyms: gloss" ("detailed"), name. */
struct keymap {
	char *key;
	int idx;              /* -2 = ambiguous */
	int prio;             /* 0 id, 1 synonyms, 2 name: an exact id beats a synonym list beats a name */
};

struct classmap {
	struct keymap *k;
	size_t n;
};

static int cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct keymap *)a)->key, ((const struct keymap *)b)->key);
}

static int cmp_key_prio(const void *a, const void *b)
{
	const struct keymap *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->prio > y->prio) - (x->prio < y->prio);
}

static void classmap_free(struct classmap *m)
{
	size_t i;
	for (i = 0; i < m->n; i++)
		free(m->k[i].key);
	free(m->k);
	memset(m, 0, sizeof(*m));
}

static int classmap_load(struct mlfy_store *s, struct classmap *m, struct mlfy_err *err)
{
	struct mlfy_class *c = NULL;
	size_t n = 0, i, w = 0;
	int rc;

	memset(m, 0, sizeof(*m));
	if ((rc = mlfy_catalog_list_classes(s, &c, &n, err)))
		return rc;
	if (!(m->k = calloc(3 * n + 1, sizeof(*m->k)))) {
		mlfy_classes_free(c, n);
		return mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
	}
	for (i = 0; i < n; i++) {
		const char *keys[3] = { c[i].ext_id, c[i].synonyms, c[i].name };
		int k;
		for (k = 0; k < 3; k++) {
			if (!keys[k] || !*keys[k])
				continue;
			if (!(m->k[m->n].key = strdup(keys[k]))) {
				mlfy_classes_free(c, n);
				return mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
			}
			m->k[m->n].prio = k;
			m->k[m->n++].idx = c[i].idx;
		}
	}
	mlfy_classes_free(c, n);
	qsort(m->k, m->n, sizeof(*m->k), cmp_key_prio);
	/* merge equal keys: the best kind of match wins ("maillot" is class
	 * 638's whole synonym list and class 639's name); two classes with
	 * the same best kind make the key ambiguous ("crane") */
	for (i = 0; i < m->n; i++) {
		if (w > 0 && !strcmp(m->k[w - 1].key, m->k[i].key)) {
			if (m->k[w - 1].prio == m->k[i].prio && m->k[w - 1].idx != m->k[i].idx)
				m->k[w - 1].idx = -2;
			free(m->k[i].key);
			continue;
		}
		m->k[w++] = m->k[i];
	}
	m->n = w;
	return 0;
}

/* Class index of a label text: >= 0, -1 unknown, -2 ambiguous. */
static int classmap_find(const struct classmap *m, const char *label)
{
	struct keymap key, *hit;
	char buf[1024];
	const char *colon;

	memset(&key, 0, sizeof(key));   /* cmp_key reads only key.key */
	key.key = (char *)label;
	hit = bsearch(&key, m->k, m->n, sizeof(*m->k), cmp_key);
	if (hit)
		return hit->idx;
	/* --label-type detailed: "description: gloss" */
	colon = strstr(label, ": ");
	if (colon && (size_t)(colon - label) < sizeof(buf)) {
		memcpy(buf, label, (size_t)(colon - label));
		buf[colon - label] = '\0';
		key.key = buf;
		hit = bsearch(&key, m->k, m->n, sizeof(*m->k), cmp_key);
		if (hit)
			return hit->idx;
	}
	return -1;
}

/* Parses a CSV cell the way pandas wrote it: a numpy array or Python list
 * "[249 248 537]", "[0.74, 0.09]", "['n02110063' 'n02109961']" (items
 * separated by blanks, line breaks or commas; strings quoted '...' or
 * "..." with backslash escapes) -> JSON array; a plain number -> JSON
 * number; other text -> JSON string.  Returns a new reference or NULL
 * with err set. */
static json_t *cell_to_json(const char *s, const char *file, size_t line, const char *col, struct mlfy_err *err)
{
	const char *p = s, *e = s + strlen(s);
	json_t *arr;
	char *end;
	double d;

	while (p < e && isspace((unsigned char)*p))
		p++;
	while (e > p && isspace((unsigned char)e[-1]))
		e--;
	if (p == e || *p != '[') {
		size_t len = (size_t)(e - p);
		char *t = strndup(p, len);
		json_t *v;
		if (!t) {
			mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
			return NULL;
		}
		errno = 0;
		d = strtod(t, &end);
		if (len && !*end && !isfinite(d)) {
			mlfy_err_set(err, MLFY_EINVAL, "%s:%zu: column '%s': %s value", file, line, col,
				     isnan(d) ? "NaN" : "infinite");
			free(t);
			return NULL;
		}
		if (len && !*end && !errno)
			v = json_real(d);
		else
			v = json_string(t);
		free(t);
		return v;
	}
	if (e[-1] != ']') {
		mlfy_err_set(err, MLFY_EINVAL, "%s:%zu: column '%s': unterminated list", file, line, col);
		return NULL;
	}
	arr = json_array();
	p++;
	e--;
	while (p < e) {
		while (p < e && (isspace((unsigned char)*p) || *p == ','))
			p++;
		if (p >= e)
			break;
		if (*p == '\'' || *p == '"') {
			char q = *p++, *t = malloc((size_t)(e - p) + 1);
			size_t n = 0;
			if (!t) {
				json_decref(arr);
				mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
				return NULL;
			}
			while (p < e && *p != q) {
				if (*p == '\\' && p + 1 < e)
					p++;
				t[n++] = *p++;
			}
			t[n] = '\0';
			if (p >= e) {
				free(t);
				json_decref(arr);
				mlfy_err_set(err, MLFY_EINVAL, "%s:%zu: column '%s': unterminated string in a list", file,
					     line, col);
				return NULL;
			}
			p++;
			json_array_append_new(arr, json_string(t));
			free(t);
		} else {
			const char *q = p;
			char tok[64];
			while (q < e && !isspace((unsigned char)*q) && *q != ',')
				q++;
			if ((size_t)(q - p) >= sizeof(tok)) {
				json_decref(arr);
				mlfy_err_set(err, MLFY_EINVAL, "%s:%zu: column '%s': overlong list item", file, line, col);
				return NULL;
			}
			memcpy(tok, p, (size_t)(q - p));
			tok[q - p] = '\0';
			errno = 0;
			d = strtod(tok, &end);
			if (!*end && !isfinite(d)) {
				mlfy_err_set(err, MLFY_EINVAL, "%s:%zu: column '%s', item %zu: %s value", file, line, col,
					     json_array_size(arr), isnan(d) ? "NaN" : "infinite");
				json_decref(arr);
				return NULL;
			}
			if (*end || errno) {
				json_decref(arr);
				mlfy_err_set(err, MLFY_EINVAL, "%s:%zu: column '%s': '%s' is not a number", file, line, col,
					     tok);
				return NULL;
			}
			json_array_append_new(arr, json_real(d));
			p = q;
		}
	}
	return arr;
}

/* How a timm file's columns map to our needs (found from the first row). */
struct timm_cols {
	char name[64];         /* file-name column ("" = the object key, orient=index) */
	char index[64];        /* "index" or the prefix of index_0, index_1, ... */
	int index_sep;         /* 1: one column per rank */
	char label[64];
	int label_sep;
	char out[64];          /* output column (prob / logit / custom) */
	int out_sep;
	int out_kind;          /* MLFY_PRED_PROBS, MLFY_PRED_LOGITS, or AUTO (custom column) */
};

/* A row being read: a JSON object of column -> value (borrowed). */
struct timm_ctx {
	const char *file;
	const struct mlfy_pred_options *opt;
	struct resolver *r;
	struct classmap *cm;
	size_t n_classes;
	struct rows *w;
	struct dense_stats *ds;
	struct timm_cols cols;
	int have_cols;
	int topk_logits;       /* saw top-k (not dense) values of kind logits */
	size_t n_rows;
	double *dense;         /* n_classes scratch */
	int *idx;              /* scratch for one row */
	double *vals;
	size_t scratch;
};

static int has_sep(json_t *row, const char *prefix)
{
	char key[80];
	snprintf(key, sizeof(key), "%s_0", prefix);
	return json_object_get(row, key) != NULL;
}

static int find_cols(struct timm_ctx *t, json_t *row, const char *key_name, struct mlfy_err *err)
{
	struct timm_cols *c = &t->cols;
	const char *k;
	json_t *v;

	memset(c, 0, sizeof(*c));
	if (key_name) {
		c->name[0] = '\0';
	} else if (json_object_get(row, "filename")) {
		strcpy(c->name, "filename");
	} else {
		/* --filename-col: the first column holding a string */
		json_object_foreach(row, k, v) {
			if (json_is_string(v)) {
				snprintf(c->name, sizeof(c->name), "%s", k);
				break;
			}
		}
		if (!c->name[0])
			return mlfy_err_set(err, MLFY_EINVAL, "%s: no file name column ('filename')", t->file);
	}
	if (json_object_get(row, "index"))  /* NOLINT(clang-analyzer-unix.Malloc): jansson's object iteration allocates nothing */
		strcpy(c->index, "index");
	else if (has_sep(row, "index")) {
		strcpy(c->index, "index");
		c->index_sep = 1;
	}
	if (json_object_get(row, "label"))
		strcpy(c->label, "label");
	else if (has_sep(row, "label")) {
		strcpy(c->label, "label");
		c->label_sep = 1;
	}
	if (json_object_get(row, "prob") || has_sep(row, "prob")) {
		strcpy(c->out, "prob");
		c->out_kind = MLFY_PRED_PROBS;
	} else if (json_object_get(row, "logit") || has_sep(row, "logit")) {
		strcpy(c->out, "logit");
		c->out_kind = MLFY_PRED_LOGITS;
	} else {
		/* --output-col NAME: the first column that is none of the above */
		json_object_foreach(row, k, v) {
			if (!strcmp(k, c->name) || !strncmp(k, "index", 5) || !strncmp(k, "label", 5))
				continue;
			if (json_is_number(v) || json_is_array(v)) {
				size_t l = strlen(k);
				if (l > 2 && !strcmp(k + l - 2, "_0")) {
					snprintf(c->out, sizeof(c->out), "%.*s", (int)(l - 2), k);
					c->out_sep = 1;
				} else {
					snprintf(c->out, sizeof(c->out), "%s", k);
				}
				c->out_kind = MLFY_PRED_AUTO;
				break;
			}
		}
		if (!c->out[0])
			return mlfy_err_set(err, MLFY_EINVAL,
					    "%s: no output column ('prob' or 'logit'); mlfy needs the scores of the classes",
					    t->file);
	}
	if (c->out_kind != MLFY_PRED_AUTO)
		c->out_sep = !json_object_get(row, c->out);
	/* without index and label columns the outputs must be full vectors
	 * (inference.py --topk 0); timm_row checks that */
	t->have_cols = 1;
	return 0;
}

/* Gathers column col (a list, a scalar, or col_0, col_1, ... when sep)
 * into a JSON array (new reference); NULL when absent. */
static json_t *gather(json_t *row, const char *col, int sep)
{
	json_t *v, *arr;
	char key[80];
	size_t i;

	if (!sep) {
		v = json_object_get(row, col);
		if (!v)
			return NULL;
		if (json_is_array(v))
			return json_incref(v);
		arr = json_array();
		json_array_append(arr, v);
		return arr;
	}
	arr = json_array();
	for (i = 0;; i++) {
		snprintf(key, sizeof(key), "%s_%zu", col, i);
		if (!(v = json_object_get(row, key)))
			break;
		json_array_append(arr, v);
	}
	return arr;
}

static int ensure_scratch(struct timm_ctx *t, size_t n, struct mlfy_err *err)
{
	if (n <= t->scratch)
		return 0;
	free(t->idx);
	free(t->vals);
	t->idx = malloc(n * sizeof(int));
	t->vals = malloc(n * sizeof(double));
	if (!t->idx || !t->vals)
		return mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
	t->scratch = n;
	return 0;
}

/* One timm row: name = the image name, row = column -> value. */
static int timm_row(struct timm_ctx *t, const char *name, json_t *row, const char *where, struct mlfy_err *err)
{
	json_t *outs = NULL, *idxs = NULL, *labels = NULL;
	size_t n, i, j, img, m;
	int rc = 0;
	struct rows *w = t->w;

	if (!t->have_cols)
		return mlfy_err_set(err, MLFY_EINVAL, "internal error: timm columns unknown");
	if ((rc = resolve_row(t->r, t->file, where, name, &img, err)) == ROW_SKIPPED) {
		rc = 0;
		goto out;   /* counted as read */
	}
	if (rc)
		return rc;
	outs = gather(row, t->cols.out, t->cols.out_sep);
	if (!outs || json_array_size(outs) == 0) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: %s: no values in column '%s'", t->file, where, t->cols.out);
		goto out;
	}
	n = json_array_size(outs);
	if ((rc = ensure_scratch(t, n, err)))
		goto out;
	for (i = 0; i < n; i++) {
		json_t *v = json_array_get(outs, i);
		if (!json_is_number(v)) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: %s: column '%s', item %zu: not a number", t->file, where,
					  t->cols.out, i);
			goto out;
		}
		t->vals[i] = json_number_value(v);
		if (!isfinite(t->vals[i])) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: %s: column '%s', item %zu: %s value", t->file, where,
					  t->cols.out, i, isnan(t->vals[i]) ? "NaN" : "infinite");
			goto out;
		}
	}
	if (t->cols.index[0])
		idxs = gather(row, t->cols.index, t->cols.index_sep);
	else if (t->cols.label[0])
		labels = gather(row, t->cols.label, t->cols.label_sep);

	if (!idxs && !labels) {
		/* full output vectors (--topk 0): like a .npy row */
		if (n != t->n_classes) {
			rc = mlfy_err_set(err, MLFY_EINVAL,
					  "%s: %s: %zu values and no class indices; rerun inference.py with --include-index, "
					  "or with --topk 0 for all %zu classes",
					  t->file, where, n, t->n_classes);
			goto out;
		}
		rc = add_dense_row(w, t->ds, img, NULL, t->vals, n, err);
		goto out;
	}
	m = idxs ? json_array_size(idxs) : json_array_size(labels);
	if (m != n) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: %s: %zu class %s but %zu values", t->file, where, m,
				  idxs ? "indices" : "labels", n);
		goto out;
	}
	for (i = 0; i < n; i++) {
		long long c;
		if (idxs) {
			json_t *v = json_array_get(idxs, i);
			double d = json_number_value(v);
			if (!json_is_number(v) || d != floor(d)) {
				rc = mlfy_err_set(err, MLFY_EINVAL, "%s: %s: column '%s', item %zu: not a class index",
						  t->file, where, t->cols.index, i);
				goto out;
			}
			if (d < 0 || d >= (double)t->n_classes) {
				/* before the cast: a double beyond long long's range
				 * (1e126) does not convert (C11 6.3.1.4) */
				rc = mlfy_err_set(err, MLFY_EINVAL, "%s: %s: class index %g out of range [0, %zu]", t->file,
						  where, d, t->n_classes - 1);
				goto out;
			}
			c = (long long)d;
		} else {
			json_t *v = json_array_get(labels, i);
			if (!json_is_string(v)) {
				rc = mlfy_err_set(err, MLFY_EINVAL, "%s: %s: column '%s', item %zu: not a label", t->file,
						  where, t->cols.label, i);
				goto out;
			}
			c = classmap_find(t->cm, json_string_value(v));
			if (c < 0) {
				rc = mlfy_err_set(err, MLFY_EINVAL, "%s: %s: label '%s' %s", t->file, where,
						  json_string_value(v),
						  c == -2 ? "names several classes; rerun inference.py with --include-index"
							  : "is not a class of the project");
				goto out;
			}
		}
		if (c < 0 || (size_t)c >= t->n_classes) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: %s: class index %lld out of range [0, %zu]", t->file,
					  where, c, t->n_classes - 1);
			goto out;
		}
		for (j = 0; j < i; j++) {
			if (t->idx[j] == (int)c) {
				rc = mlfy_err_set(err, MLFY_EINVAL, "%s: %s: class %lld appears twice", t->file, where, c);
				goto out;
			}
		}
		t->idx[i] = (int)c;
	}
	if (n == t->n_classes) {
		/* all classes, just in a different order: scatter into a dense row */
		for (i = 0; i < n; i++)
			t->dense[t->idx[i]] = t->vals[i];
		rc = add_dense_row(w, t->ds, img, NULL, t->dense, n, err);
		goto out;
	}
	/* top-k values: must be probabilities */
	if (t->cols.out_kind == MLFY_PRED_LOGITS || (t->cols.out_kind == MLFY_PRED_AUTO && t->opt->input == MLFY_PRED_LOGITS)) {
		rc = mlfy_err_set(err, MLFY_EINVAL,
				  "%s: %s: top-%zu logits cannot be turned into probabilities over all %zu classes; rerun "
				  "inference.py with --output-type prob, or with --topk 0 to write all logits",
				  t->file, where, n, t->n_classes);
		goto out;
	}
	{
		double sum = 0;
		for (i = 0; i < n; i++) {
			if (t->vals[i] < 0 || t->vals[i] > 1 + PROB_RANGE_TOL) {
				rc = mlfy_err_set(err, MLFY_EINVAL, "%s: %s: %g is not a probability (column '%s', item %zu)",
						  t->file, where, t->vals[i], t->cols.out, i);
				goto out;
			}
			sum += t->vals[i];
		}
		if (t->opt->input != MLFY_PRED_PROBS && sum > 1 + PROB_SUM_TOL) {
			rc = mlfy_err_set(err, MLFY_EINVAL,
					  "%s: %s: the top-%zu probabilities sum to %g > 1 (use --input probs for "
					  "independent, e.g. sigmoid, scores)",
					  t->file, where, n, sum);
			goto out;
		}
	}
	if ((rc = rows_grow(w, err)))
		goto out;
	{
		/* order by value, ties by class index: the given items scattered
		 * over the classes (NaN elsewhere, which ranks last), then the
		 * one top-k */
		int *order = w->cls + w->n * w->k;
		size_t k, take;
		for (i = 0; i < t->n_classes; i++)
			t->dense[i] = NAN;
		for (i = 0; i < n; i++)
			t->dense[t->idx[i]] = t->vals[i];
		take = mlfy_topk_f64(t->dense, t->n_classes, n < w->k ? n : w->k, order);
		for (k = 0; k < take; k++)
			w->val[w->n * w->k + k] = t->dense[order[k]];
		w->cnt[w->n] = (int)take;
		w->lse[w->n] = NAN;
		w->img[w->n] = img;
		w->n++;
	}
out:
	json_decref(outs);
	json_decref(idxs);
	json_decref(labels);
	if (!rc) {
		t->n_rows++;
		mlfy_progress_update(t->opt->progress, (int64_t)t->n_rows);
	}
	return rc;
}

static int read_timm_json(struct timm_ctx *t, const char *buf, size_t len, struct mlfy_err *err)
{
	json_error_t je;
	json_t *root;
	size_t off = 0, i;
	int rc = 0;
	char where[96];

	root = json_loadb(buf, len, JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY, &je);
	if (!root)
		return mlfy_err_set(err, MLFY_EINVAL, "%s:%d:%d: invalid JSON: %s", t->file, je.line, je.column, je.text);
	off = (size_t)je.position;
	while (off < len && isspace((unsigned char)buf[off]))
		off++;
	if (off < len) {
		/* JSON lines: one record object per line (orient=records, lines=True) */
		size_t line = 1;
		for (;;) {
			const char *fn;
			if (!json_is_object(root) || !(fn = json_string_value(json_object_get(root, "filename")))) {
				rc = mlfy_err_set(err, MLFY_EINVAL, "%s: record %zu: expected an object with a \"filename\"",
						  t->file, line);
				break;
			}
			snprintf(where, sizeof(where), "record %zu", line);
			if ((!t->have_cols && (rc = find_cols(t, root, NULL, err))) ||
			    (rc = timm_row(t, fn, root, where, err)))
				break;
			json_decref(root);
			root = NULL;
			while (off < len && isspace((unsigned char)buf[off]))
				off++;
			if (off >= len)
				break;
			line++;
			root = json_loadb(buf + off, len - off, JSON_DISABLE_EOF_CHECK, &je);
			if (!root) {
				rc = mlfy_err_set(err, MLFY_EINVAL, "%s: record %zu: invalid JSON: %s", t->file, line, je.text);
				break;
			}
			off += (size_t)je.position;
		}
		json_decref(root);
		return rc;
	}
	if (json_is_object(root) && json_is_array(json_object_get(root, "columns")) &&
	    json_is_array(json_object_get(root, "data"))) {
		/* orient=split: {"columns": [...], "data": [[...], ...]} */
		json_t *cols = json_object_get(root, "columns"), *data = json_object_get(root, "data");
		for (i = 0; i < json_array_size(data) && !rc; i++) {
			json_t *r = json_array_get(data, i), *obj;
			size_t c;
			const char *fn;
			if (!json_is_array(r) || json_array_size(r) != json_array_size(cols)) {
				rc = mlfy_err_set(err, MLFY_EINVAL, "%s: data row %zu: expected %zu values", t->file, i,
						  json_array_size(cols));
				break;
			}
			obj = json_object();
			for (c = 0; c < json_array_size(cols); c++)
				if (json_is_string(json_array_get(cols, c)))
					json_object_set(obj, json_string_value(json_array_get(cols, c)), json_array_get(r, c));
			if (!t->have_cols && (rc = find_cols(t, obj, NULL, err))) {
				json_decref(obj);
				break;
			}
			fn = json_string_value(json_object_get(obj, t->cols.name));
			snprintf(where, sizeof(where), "data row %zu", i);
			if (!fn)
				rc = mlfy_err_set(err, MLFY_EINVAL, "%s: %s: no file name", t->file, where);
			else
				rc = timm_row(t, fn, obj, where, err);
			json_decref(obj);
		}
	} else if (json_is_object(root) && json_is_string(json_object_get(root, "filename"))) {
		/* a single JSON-lines record */
		if (!(rc = find_cols(t, root, NULL, err)))
			rc = timm_row(t, json_string_value(json_object_get(root, "filename")), root, "record 1", err);
	} else if (json_is_object(root)) {
		/* orient=index: {"dog.jpg": {"index": [...], "prob": [...]}, ...} */
		const char *key;
		json_t *v;
		t->cols.name[0] = '\0';
		i = 0;
		json_object_foreach(root, key, v) {
			if (!json_is_object(v)) {
				rc = mlfy_err_set(err, MLFY_EINVAL, "%s: entry \"%s\": expected an object of columns", t->file,
						  key);
				break;
			}
			if (!t->have_cols && (rc = find_cols(t, v, key, err)))
				break;
			snprintf(where, sizeof(where), "entry %zu", i++);
			if ((rc = timm_row(t, key, v, where, err)))
				break;
		}
	} else if (json_is_array(root)) {
		/* orient=records: [{"filename": ..., ...}, ...] */
		for (i = 0; i < json_array_size(root) && !rc; i++) {
			json_t *r = json_array_get(root, i);
			const char *fn;
			if (!json_is_object(r)) {
				rc = mlfy_err_set(err, MLFY_EINVAL, "%s: record %zu: expected an object", t->file, i);
				break;
			}
			if (!t->have_cols && (rc = find_cols(t, r, NULL, err)))
				break;
			fn = json_string_value(json_object_get(r, t->cols.name));
			snprintf(where, sizeof(where), "record %zu", i);
			if (!fn)
				rc = mlfy_err_set(err, MLFY_EINVAL, "%s: %s: no file name", t->file, where);
			else
				rc = timm_row(t, fn, r, where, err);
		}
	} else {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: not a timm inference.py JSON file", t->file);
	}
	json_decref(root);
	return rc;
}

/* CSV as written by pandas DataFrame.to_csv: a header row, RFC 4180
 * quoting (list cells span lines); read with util/csv. */
static int read_timm_csv(struct timm_ctx *t, const char *buf, size_t len, struct mlfy_err *err)
{
	struct mlfy_csv *c = NULL;
	char **f, **hdr = NULL;
	size_t nf, nh = 0, rec_line, i, name_col = 0;
	int r, rc;

	if ((rc = mlfy_csv_open_mem(t->file, buf, len, &c, err)))
		return rc;
	if ((r = mlfy_csv_next(c, &f, &nf, err)) <= 0) {
		mlfy_csv_close(c);
		return r < 0 ? r : mlfy_err_set(err, MLFY_EINVAL, "%s: empty file", t->file);
	}
	if (!(hdr = calloc(nf, sizeof(char *)))) {
		mlfy_csv_close(c);
		return mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
	}
	nh = nf;
	for (i = 0; i < nh; i++)
		if (!(hdr[i] = strdup(f[i]))) {
			rc = mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
			goto out;
		}
	/* pandas writes a header; the file-name column is "filename"
	 * (--filename-col renames it: then the first column) */
	for (i = 0; i < nh; i++)
		if (!strcmp(hdr[i], "filename"))
			name_col = i;
	while ((r = mlfy_csv_next(c, &f, &nf, err)) == 1) {
		json_t *row;
		char where[64];

		rec_line = mlfy_csv_line(c);
		if (nf != nh) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s:%zu: %zu fields, the header has %zu", t->file, rec_line, nf,
					  nh);
			break;
		}
		row = json_object();
		for (i = 0; i < nh && !rc; i++) {
			json_t *v;
			if (i == name_col) {
				/* jansson refuses invalid UTF-8 (NULL): say so, instead
				 * of "no file name column" */
				if (!(v = json_string(f[i])))
					rc = mlfy_err_set(err, MLFY_EINVAL, "%s:%zu: the file name is not valid UTF-8",
							  t->file, rec_line);
			} else if (!(v = cell_to_json(f[i], t->file, rec_line, hdr[i], err)))
				rc = err->code;
			if (v)
				json_object_set_new(row, hdr[i], v);
		}
		if (!rc && !t->have_cols && !(rc = find_cols(t, row, NULL, err)))
			snprintf(t->cols.name, sizeof(t->cols.name), "%s", hdr[name_col]);
		if (!rc) {
			snprintf(where, sizeof(where), "line %zu", rec_line);
			rc = timm_row(t, f[name_col], row, where, err);
		}
		json_decref(row);
		if (rc)
			break;
	}
	if (!rc && r < 0)
		rc = r;
out:
	for (i = 0; i < nh; i++)
		free(hdr[i]);
	free(hdr);
	mlfy_csv_close(c);
	return rc;
}

/* ---- the import ------------------------------------------------------------------- */

/* 0 = .npy, 2 = JSON, 1 = CSV, from the first n bytes of a file. */
static int kind_of(const unsigned char *head, size_t n)
{
	size_t i = 0;

	if (n >= 6 && !memcmp(head, "\x93NUMPY", 6))
		return 0;
	if (n >= 3 && !memcmp(head, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < n && isspace(head[i]))
		i++;
	return i < n && (head[i] == '{' || head[i] == '[') ? 2 : 1;
}

/* The kind of the file at path from its first bytes; an empty file is
 * refused here, whatever --order says (it is no timm file either). */
static int file_kind(const char *path, int *kind, struct mlfy_err *err)
{
	unsigned char head[64];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return mlfy_err_set(err, errno == ENOENT ? MLFY_ENOTFOUND : MLFY_EIO, "%s: cannot open: %s", path,
				    strerror(errno));
	n = fread(head, 1, sizeof(head), f);
	fclose(f);
	if (n == 0)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: empty file", path);
	*kind = kind_of(head, n);
	return 0;
}

static int store_rows(struct mlfy_store *s, const char *path, const struct mlfy_pred_options *opt,
		      const struct resolver *r, const struct rows *w, int input, const char *kind,
		      struct mlfy_pred_result *res, struct mlfy_err *err)
{
	struct mlfy_proposal *p = NULL;
	size_t n_models = 0, i, k;
	char *abs = realpath(path, NULL);
	int rc, existed = 0;

	if (!(p = malloc((w->k ? w->k : 1) * sizeof(*p)))) {
		rc = mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = mlfy_store_begin(s, err)))
		goto done;
	/* what exists is read in the write transaction: another import that
	 * commits while this one read its file is counted */
	if ((rc = mlfy_models_lookup(s, opt->model, &n_models, &existed, err)) ||
	    (rc = mlfy_models_ensure(s, opt->model, abs ? abs : path, kind, &res->model_id, err)) ||
	    (rc = mlfy_proposals_clear(s, res->model_id, err)))
		goto fail;
	mlfy_progress_set_total(opt->progress, (int64_t)w->n);
	for (i = 0; i < w->n; i++) {
		const int *c = w->cls + i * w->k;
		const double *v = w->val + i * w->k;
		for (k = 0; k < (size_t)w->cnt[i]; k++) {
			p[k].rank = (int)k;
			p[k].class_idx = c[k];
			/* rows without a log-sum-exp (top-k probabilities) are scores already */
			p[k].score = input == MLFY_PRED_PROBS || isnan(w->lse[i]) ? v[k] : exp(v[k] - w->lse[i]);
		}
		if ((rc = mlfy_proposals_put(s, r->img[w->img[i]].id, res->model_id, p, k, err))) {
			mlfy_err_prefix(err, "%s: image '%s'", path, r->img[w->img[i]].name);
			goto fail;
		}
		if ((i & 1023) == 1023)
			mlfy_progress_update(opt->progress, (int64_t)i + 1);
	}
	mlfy_progress_update(opt->progress, (int64_t)w->n);
	res->replaced = existed;
	if (n_models == 0 || opt->activate) {
		if ((rc = mlfy_models_set_active(s, opt->model, err)))
			goto fail;
		res->activated = 1;
	} else {
		/* still active when it was the active one before */
		struct mlfy_model act;
		if ((rc = mlfy_models_active(s, &act, err)))
			goto fail;
		res->activated = act.id == res->model_id;
		mlfy_model_release(&act);
	}
	rc = mlfy_store_commit(s, err);
	goto done;
fail:
	mlfy_store_rollback(s);
done:
	free(abs);
	free(p);
	return rc;
}

/* The import of a file (mem == NULL: read path) or of an in-memory image
 * of one (mem[0..mem_len), path only names it). */
static int import(struct mlfy_store *s, const char *path, const void *mem, size_t mem_len,
		  const struct mlfy_pred_options *opt, struct mlfy_pred_result *res_out, struct mlfy_err *err)
{
	struct mlfy_pred_result res;
	struct resolver r;
	struct classmap cm;
	struct rows w;
	struct dense_stats ds;
	size_t n_classes = 0, i, top_k;
	char *buf = NULL;
	size_t len = 0;
	int rc, kind = 0, input;

	memset(&res, 0, sizeof(res));
	memset(&r, 0, sizeof(r));
	memset(&cm, 0, sizeof(cm));
	memset(&w, 0, sizeof(w));
	memset(&ds, 0, sizeof(ds));
	ds.all_prob = 1;
	ds.first_neg = ds.first_over = SIZE_MAX;
	if (res_out)
		memset(res_out, 0, sizeof(*res_out));
	if (!opt->model || !*opt->model)
		return mlfy_err_set(err, MLFY_EINVAL, "a model name is required");
	/* the name is shown on annotation pages and written to JSON exports */
	if (strlen(opt->model) > MLFY_MODEL_NAME_MAX || !textio_valid_text(opt->model, strlen(opt->model), 0))
		return mlfy_err_set(err, MLFY_EINVAL,
				    "model name: expected at most %d bytes of UTF-8 text without control characters",
				    MLFY_MODEL_NAME_MAX);
	if (opt->top_k < 0)
		return mlfy_err_set(err, MLFY_EINVAL, "top-k must be positive, not %d", opt->top_k);
	if (opt->input < MLFY_PRED_AUTO || opt->input > MLFY_PRED_PROBS)
		return mlfy_err_set(err, MLFY_EINVAL, "bad input kind %d", opt->input);
	if (mlfy_store_in_transaction(s))
		return mlfy_err_set(err, MLFY_EINVAL, "internal error: import inside an open transaction");
	if ((rc = mlfy_catalog_n_classes(s, &n_classes, err)))
		return rc;
	if (n_classes == 0)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: the project has no classes", mlfy_store_path(s));
	top_k = opt->top_k ? (size_t)opt->top_k : DEFAULT_TOP_K;
	if (top_k > n_classes)
		top_k = n_classes;
	res.n_classes = n_classes;
	w.k = top_k;
	if (mem && mem_len == 0)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: empty file", path);
	if (mem)
		kind = kind_of(mem, mem_len < 64 ? mem_len : 64);
	else if ((rc = file_kind(path, &kind, err)))
		return rc;
	if ((rc = resolver_load(s, &r, err)))
		goto out;
	if (r.n == 0) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: the project has no images (mlfy add-images)", mlfy_store_path(s));
		goto out;
	}
	r.skip_unknown = opt->skip_unknown;
	if (kind == 0) {
		if ((rc = read_npy(path, mem, mem_len, opt, &r, n_classes, &w, &ds, err)))
			goto out;
	} else {
		struct timm_ctx t;
		if (opt->order_path) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: --order applies to .npy files; timm files name their images",
					  path);
			goto out;
		}
		memset(&t, 0, sizeof(t));
		t.file = path;
		t.opt = opt;
		t.r = &r;
		t.cm = &cm;
		t.n_classes = n_classes;
		t.w = &w;
		t.ds = &ds;
		if ((rc = classmap_load(s, &cm, err)))
			goto out;
		if (mem) {
			/* the parsers want a NUL-terminated copy, as mlfy_read_file makes */
			if (!(buf = malloc(mem_len + 1))) {
				rc = mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
				goto out;
			}
			memcpy(buf, mem, mem_len);
			buf[mem_len] = '\0';
			len = mem_len;
		} else if ((rc = mlfy_read_file(path, MAX_TIMM_FILE, &buf, &len, err))) {
			goto out;
		}
		if (!(t.dense = malloc(n_classes * sizeof(double)))) {
			rc = mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
			goto out;
		}
		rc = kind == 2 ? read_timm_json(&t, buf, len, err) : read_timm_csv(&t, buf, len, err);
		free(t.dense);
		free(t.idx);
		free(t.vals);
		if (rc)
			goto out;
		if (w.n == 0 && !r.n_skipped) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: no predictions", path);
			goto out;
		}
	}
	if (w.n == 0 && r.n_skipped) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: none of its %zu row%s names an image of the project", path,
				  r.n_skipped, r.n_skipped == 1 ? "" : "s");
		goto out;
	}
	res.n_skipped = r.n_skipped;

	/* logits or probabilities (dense rows; top-k rows are probabilities) */
	input = opt->input;
	if (input == MLFY_PRED_AUTO)
		input = ds.n_dense == 0 || ds.all_prob ? MLFY_PRED_PROBS : MLFY_PRED_LOGITS;
	if (input == MLFY_PRED_PROBS && ds.n_dense) {
		if (ds.first_neg != SIZE_MAX) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: image '%s' (row %zu): negative value; not probabilities "
					  "(use --input logits)", path, r.img[w.img[ds.first_neg]].name, ds.first_neg);
			goto out;
		}
		if (ds.first_over != SIZE_MAX) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: image '%s' (row %zu): value above 1; not probabilities "
					  "(use --input logits)", path, r.img[w.img[ds.first_over]].name, ds.first_over);
			goto out;
		}
	}
	res.input = input;
	if (kind == 0)
		snprintf(res.kind, sizeof(res.kind), "%s", input == MLFY_PRED_PROBS ? "npy-probs" : "npy-logits");
	else
		snprintf(res.kind, sizeof(res.kind), "%s", kind == 2 ? "timm-json" : "timm-csv");
	res.n_rows = w.n;
	for (i = 0; i < w.n; i++) {
		int orig = r.img[w.img[i]].orig;
		if ((size_t)w.cnt[i] > res.top_k)
			res.top_k = (size_t)w.cnt[i];
		if (orig >= 0) {
			res.n_top1_checked++;
			res.n_top1_correct += w.cnt[i] > 0 && w.cls[i * w.k] == orig;
		}
	}
	res.n_without = (int64_t)(r.n - w.n);
	rc = store_rows(s, path, opt, &r, &w, input, res.kind, &res, err);
out:
	free(buf);
	rows_free(&w);
	classmap_free(&cm);
	resolver_free(&r);
	if (!rc && res_out)
		*res_out = res;
	return rc;
}

int mlfy_predictions_import(struct mlfy_store *s, const char *path,
			    const struct mlfy_pred_options *opt,
			    struct mlfy_pred_result *res, struct mlfy_err *err)
{
	return import(s, path, NULL, 0, opt, res, err);
}

int mlfy_predictions_import_mem(struct mlfy_store *s, const char *name, const void *data, size_t len,
				const struct mlfy_pred_options *opt,
				struct mlfy_pred_result *res, struct mlfy_err *err)
{
	return import(s, name, data ? data : "", len, opt, res, err);
}
