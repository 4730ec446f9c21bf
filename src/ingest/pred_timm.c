/* pred_timm.c - timm inference.py results into rows (pred_timm.h): the
 * file's columns found from its first row, class labels resolved by id,
 * synonyms or name, one row per image. */
#include "ingest/pred_timm.h"
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
#include "util/csv.h"
#include "util/topk.h"
#include "util/vec.h"

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
	struct pred_resolver *r;
	struct classmap *cm;
	size_t n_classes;
	struct pred_rows *w;
	struct pred_dense_stats *ds;
	struct timm_cols cols;
	int have_cols;
	int topk_logits;       /* saw top-k (not dense) values of kind logits */
	size_t n_rows;
	double *dense;         /* n_classes scratch */
	int *idx;              /* scratch for one row */
	double *vals;
	size_t scratch;
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
		return mlfy_err_oom(err);
	}
	for (i = 0; i < n; i++) {
		const char *keys[3] = { c[i].ext_id, c[i].synonyms, c[i].name };
		int k;
		for (k = 0; k < 3; k++) {
			if (!keys[k] || !*keys[k])
				continue;
			if (!(m->k[m->n].key = strdup(keys[k]))) {
				mlfy_classes_free(c, n);
				return mlfy_err_oom(err);
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
			mlfy_err_oom(err);
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
				mlfy_err_oom(err);
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
	MLFY_FREE_ALL(t->idx, t->vals);
	t->idx = malloc(n * sizeof(int));
	t->vals = malloc(n * sizeof(double));
	if (!t->idx || !t->vals)
		return mlfy_err_oom(err);
	t->scratch = n;
	return 0;
}

/* One timm row: name = the image name, row = column -> value. */
static int timm_row(struct timm_ctx *t, const char *name, json_t *row, const char *where, struct mlfy_err *err)
{
	json_t *outs = NULL, *idxs = NULL, *labels = NULL;
	size_t n, i, j, img, m;
	int rc = 0;
	struct pred_rows *w = t->w;

	if (!t->have_cols)
		return mlfy_err_set(err, MLFY_EINVAL, "internal error: timm columns unknown");
	if ((rc = pred_resolve_row(t->r, t->file, where, name, &img, err)) == PRED_ROW_SKIPPED) {
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
		rc = pred_add_dense_row(w, t->ds, img, NULL, t->vals, n, err);
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
		rc = pred_add_dense_row(w, t->ds, img, NULL, t->dense, n, err);
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
	if ((rc = pred_rows_grow(w, err)))
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
		return mlfy_err_oom(err);
	}
	nh = nf;
	for (i = 0; i < nh; i++)
		if (!(hdr[i] = strdup(f[i]))) {
			rc = mlfy_err_oom(err);
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

int pred_read_timm(struct mlfy_store *s, const char *path, const char *buf, size_t len, int json,
		   const struct mlfy_pred_options *opt, struct pred_resolver *r, size_t n_classes,
		   struct pred_rows *w, struct pred_dense_stats *ds, struct mlfy_err *err)
{
	struct classmap cm;
	struct timm_ctx t;
	int rc;

	memset(&cm, 0, sizeof(cm));
	memset(&t, 0, sizeof(t));
	t.file = path;
	t.opt = opt;
	t.r = r;
	t.cm = &cm;
	t.n_classes = n_classes;
	t.w = w;
	t.ds = ds;
	if ((rc = classmap_load(s, &cm, err)))
		goto out;
	if (!(t.dense = malloc(n_classes * sizeof(double)))) {
		rc = mlfy_err_oom(err);
		goto out;
	}
	rc = json ? read_timm_json(&t, buf, len, err) : read_timm_csv(&t, buf, len, err);
out:
	MLFY_FREE_ALL(t.dense, t.idx, t.vals);
	classmap_free(&cm);
	return rc;
}
