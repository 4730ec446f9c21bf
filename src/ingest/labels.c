/* labels.c - label files (ReaL JSON, Multilabelfy JSON, single-label text,
 * CSV) into struct mlfy_labels (see labels.h).  Owns parsing, validation
 * and the name index; what the labels mean is left to the callers. */
#include "ingest/labels.h"
#include "ingest/textio.h"

#include <ctype.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/csv.h"
#include "util/file.h"
#include "util/vec.h"

#define MAX_LABEL_FILE ((size_t)4 << 30)   /* label files up to 4 GiB */

/* ---- builder ------------------------------------------------------------------- */

struct builder {
	const char *path;
	int n_classes;
	size_t n;                 /* images */
	char **names;             /* NULL when the format has none */
	size_t *offsets;          /* [n + 1]: image i's classes are classes[offsets[i] .. offsets[i + 1]) */
	size_t *lines;            /* line of each image (text formats), else NULL */
	int *classes;
	size_t nc;                /* classes used */
	size_t cap, cap_offsets, cap_lines, ccap;   /* capacities (MLFY_GROW) of names, offsets, lines, classes */
	size_t n_undecided;       /* CSV rows whose stage column says "undecided" (skipped) */
};

static int b_oom(struct mlfy_err *err)
{
	return mlfy_err_oom(err);
}

static int b_image(struct builder *b, const char *name, size_t name_len, size_t line, int with_names,
		   struct mlfy_err *err)
{
	/* offsets has one entry more than images */
	if (MLFY_GROW(b->offsets, b->cap_offsets, b->n + 2) ||
	    (with_names && (MLFY_GROW(b->names, b->cap, b->n + 1) || MLFY_GROW(b->lines, b->cap_lines, b->n + 1))))
		return b_oom(err);
	if (with_names) {
		if (!(b->names[b->n] = malloc(name_len + 1)))
			return b_oom(err);
		memcpy(b->names[b->n], name, name_len);
		b->names[b->n][name_len] = '\0';
		b->lines[b->n] = line;
	}
	b->offsets[b->n] = b->nc;
	b->n++;
	b->offsets[b->n] = b->nc;
	return 0;
}

static int b_label(struct builder *b, int cls, struct mlfy_err *err)
{
	if (MLFY_GROW(b->classes, b->ccap, b->nc + 1))
		return b_oom(err);
	b->classes[b->nc++] = cls;
	b->offsets[b->n] = b->nc;
	return 0;
}

static void b_release(struct builder *b)
{
	size_t i;
	if (b->names)
		for (i = 0; i < b->n; i++)
			free(b->names[i]);
	MLFY_FREE_ALL(b->names, b->offsets, b->lines, b->classes);
	memset(b, 0, sizeof(*b));
}

/* ---- class indices ------------------------------------------------------------- */

/* Checks v against the class range; where describes the position. */
static int check_range(const struct builder *b, long long v, const char *where, struct mlfy_err *err)
{
	if (v < 0)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: %s: negative class index %lld", b->path, where, v);
	if (b->n_classes > 0 && v >= b->n_classes)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: %s: class index %lld out of range [0, %d]", b->path, where,
				    v, b->n_classes - 1);
	if (v > INT_MAX)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: %s: class index %lld is too large", b->path, where, v);
	return 0;
}

/* Parses a decimal class index s[0..len) (surrounding blanks allowed). */
static int parse_index(const char *s, size_t len, long long *v)
{
	size_t i = 0;
	int neg = 0, digits = 0;
	unsigned long long x = 0;

	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	while (len > i && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (unsigned)(s[i] - '0');
		if (x > (unsigned long long)INT_MAX + 1)
			x = (unsigned long long)INT_MAX + 1;   /* saturate: range check reports it */
		digits++;
	}
	if (!digits)
		return -1;
	*v = neg ? -(long long)x : (long long)x;
	return 0;
}

/* Quotes at most 40 bytes of s[0..len) for a message. */
static const char *excerpt(const char *s, size_t len, char buf[64])
{
	size_t n = len > 40 ? 40 : len, i;
	/* cut between UTF-8 characters */
	while (n < len && n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	for (i = 0; i < n; i++)
		buf[i] = (s[i] == '\n' || s[i] == '\r' || s[i] == '\0') ? ' ' : s[i];
	/* binary garbage must not reach the terminal as it is */
	if (!textio_valid_text(buf, n, 1))
		for (i = 0; i < n; i++)
			if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] >= 0x7f)
				buf[i] = '?';
	strcpy(buf + n, n < len ? "..." : "");
	return buf;
}

/* ---- JSON formats -------------------------------------------------------------- */

static int json_label(struct builder *b, json_t *v, const char *where, struct mlfy_err *err)
{
	long long x;
	char ex[64];
	int rc;

	if (json_is_integer(v)) {
		x = json_integer_value(v);
	} else if (json_is_string(v)) {
		if (parse_index(json_string_value(v), json_string_length(v), &x))
			return mlfy_err_set(err, MLFY_EINVAL, "%s: %s: \"%s\" is not an integer class index", b->path,
					    where, excerpt(json_string_value(v), json_string_length(v), ex));
	} else if (json_is_real(v)) {
		return mlfy_err_set(err, MLFY_EINVAL, "%s: %s: %g is not an integer class index", b->path, where,
				    json_real_value(v));
	} else {
		return mlfy_err_set(err, MLFY_EINVAL, "%s: %s: expected a class index (number or string)", b->path,
				    where);
	}
	if ((rc = check_range(b, x, where, err)))
		return rc;
	return b_label(b, (int)x, err);
}

static int parse_real(struct builder *b, json_t *root, struct mlfy_err *err)
{
	size_t i, j, n = json_array_size(root);
	char where[96];
	int rc;

	for (i = 0; i < n; i++) {
		json_t *e = json_array_get(root, i);
		if ((rc = b_image(b, NULL, 0, 0, 0, err)))
			return rc;
		if (json_is_array(e)) {
			for (j = 0; j < json_array_size(e); j++) {
				snprintf(where, sizeof(where), "image %zu (0-based), label %zu", i, j);
				if ((rc = json_label(b, json_array_get(e, j), where, err)))
					return rc;
			}
		} else if (json_is_integer(e) || json_is_string(e) || json_is_real(e)) {
			snprintf(where, sizeof(where), "image %zu (0-based)", i);
			if ((rc = json_label(b, e, where, err)))
				return rc;
		} else {
			return mlfy_err_set(err, MLFY_EINVAL,
					    "%s: image %zu (0-based): expected a list of class indices", b->path, i);
		}
	}
	return 0;
}

static int parse_multilabelfy(struct builder *b, json_t *root, struct mlfy_err *err)
{
	const char *key;
	json_t *v;
	char where[160], ex[64];
	size_t j;
	int rc;

	json_object_foreach(root, key, v) {
		size_t klen = strlen(key);
		if (klen == 0)
			return mlfy_err_set(err, MLFY_EINVAL, "%s: an empty image name (\"\")", b->path);
		if ((rc = b_image(b, key, klen, 0, 1, err)))
			return rc;
		if (!json_is_array(v))
			return mlfy_err_set(err, MLFY_EINVAL, "%s: image \"%s\": expected a list of class indices",
					    b->path, excerpt(key, klen, ex));
		for (j = 0; j < json_array_size(v); j++) {
			snprintf(where, sizeof(where), "image \"%s\", label %zu", excerpt(key, klen, ex), j);
			if ((rc = json_label(b, json_array_get(v, j), where, err)))
				return rc;
		}
	}
	return 0;
}

/* ---- text formats -------------------------------------------------------------- */

/* One line [s, e) of a text file: the line number and its content without
 * the line terminator. */
static const char *next_line(const char *p, const char *end, const char **line_end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	const char *e = nl ? nl : end;
	if (e > p && e[-1] == '\r')
		e--;
	*line_end = e;
	return nl ? nl + 1 : end;
}

static int is_blank(const char *s, const char *e)
{
	for (; s < e; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

static int parse_single(struct builder *b, const char *p, const char *end, struct mlfy_err *err)
{
	size_t line = 0, pending_blank = 0;
	char where[64], ex[64];
	int rc;

	while (p < end) {
		const char *e, *next = next_line(p, end, &e);
		long long v;

		line++;
		if (is_blank(p, e)) {
			if (!pending_blank)
				pending_blank = line;
			p = next;
			continue;
		}
		if (pending_blank)
			return mlfy_err_set(err, MLFY_EINVAL,
					    "%s:%zu: empty line (each line must hold the class index of one image)",
					    b->path, pending_blank);
		snprintf(where, sizeof(where), "line %zu", line);
		if (parse_index(p, (size_t)(e - p), &v))
			return mlfy_err_set(err, MLFY_EINVAL, "%s:%zu: '%s' is not a class index", b->path, line,
					    excerpt(p, (size_t)(e - p), ex));
		if ((rc = check_range(b, v, where, err)) || (rc = b_image(b, NULL, 0, line, 0, err)) ||
		    (rc = b_label(b, (int)v, err)))
			return rc;
		p = next;
	}
	return 0;
}

/* s with surrounding white space trimmed: start and length. */
static const char *trimmed(const char *s, size_t *len)
{
	size_t n = strlen(s);
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	*len = n;
	return s;
}

/* Field i of a CSV record with surrounding white space trimmed (fields are
 * NUL-terminated by util/csv). */
static const char *csv_field(char *const *f, size_t i, size_t *len)
{
	return trimmed(f[i], len);
}

/* Labels in a CSV field: indices separated by blanks, ';' or '|'.  With
 * b == NULL only checks the syntax (header detection). */
static int csv_labels(struct builder *b, const char *s, size_t len, size_t line, struct mlfy_err *err)
{
	size_t i = 0;
	char where[64], ex[64];
	int rc;

	while (i < len) {
		size_t j;
		long long v;
		while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == ';' || s[i] == '|'))
			i++;
		if (i >= len)
			break;
		for (j = i; j < len && s[j] != ' ' && s[j] != '\t' && s[j] != ';' && s[j] != '|'; j++)
			;
		if (parse_index(s + i, j - i, &v)) {
			if (!b)
				return -1;
			return mlfy_err_set(err, MLFY_EINVAL, "%s:%zu: '%s' is not a class index", b->path, line,
					    excerpt(s + i, j - i, ex));
		}
		if (b) {
			snprintf(where, sizeof(where), "line %zu", line);
			if ((rc = check_range(b, v, where, err)) || (rc = b_label(b, (int)v, err)))
				return rc;
		}
		i = j;
	}
	return 0;
}

static int find_column(char *const *f, size_t nf, const char *const *names)
{
	size_t i, k, len;
	for (k = 0; names[k]; k++)
		for (i = 0; i < nf; i++) {
			const char *v = csv_field(f, i, &len);
			if (len == strlen(names[k]) && !strncasecmp(v, names[k], len))
				return (int)i;
		}
	return -1;
}

static int parse_csv(struct builder *b, const char *p, const char *end, struct mlfy_err *err)
{
	static const char *const name_cols[] = { "file", "filename", "image", "image_name", "name", "path", NULL };
	static const char *const label_cols[] = { "labels", "label", "original_label", "class", "class_idx",
						  "index", "target", NULL };
	static const char *const stage_cols[] = { "stage", NULL };
	struct mlfy_csv *c;
	char **f;
	size_t nf, need, line;
	int col_name = 0, col_label = 1, col_stage = -1, first = 1, r, rc = 0;
	char ex[64];

	if ((rc = mlfy_csv_open_mem(b->path, p, (size_t)(end - p), &c, err)))
		return rc;
	while ((r = mlfy_csv_next(c, &f, &nf, err)) > 0) {
		const char *name, *lab;
		size_t nlen, llen;

		line = mlfy_csv_line(c);
		if (first) {
			first = 0;
			lab = nf >= 2 ? csv_field(f, 1, &llen) : NULL;
			if (!lab || csv_labels(NULL, lab, llen, 0, NULL) != 0) {
				/* not a data row: must be a header naming the columns */
				col_name = find_column(f, nf, name_cols);
				col_label = find_column(f, nf, label_cols);
				if (col_name < 0 || col_label < 0) {
					const char *f0 = csv_field(f, 0, &nlen);
					rc = mlfy_err_set(err, MLFY_EINVAL,
							  "%s:%zu: expected 'file,label' rows or a header naming a file column "
							  "(file, filename, image, name, path) and a label column (labels, "
							  "label, original_label, class, index); found '%s'",
							  b->path, line, excerpt(f0, nlen, ex));
					goto out;
				}
				/* `mlfy export --format csv`: an undecided image has no
				 * final set yet, not an empty one */
				col_stage = find_column(f, nf, stage_cols);
				continue;
			}
		}
		if (col_stage >= 0 && (size_t)col_stage < nf) {
			size_t slen;
			const char *st = csv_field(f, (size_t)col_stage, &slen);
			if (slen == 9 && !strncmp(st, "undecided", 9)) {
				b->n_undecided++;
				continue;
			}
		}
		need = (size_t)(col_name > col_label ? col_name : col_label) + 1;
		if (nf < need) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s:%zu: %zu field%s, expected at least %zu", b->path, line,
					  nf, nf == 1 ? "" : "s", need);
			goto out;
		}
		/* without the "'" our CSV writers put before a name a spreadsheet
		 * would take for a formula (mlfy export --format csv) */
		name = trimmed(mlfy_csv_text_read(f[col_name]), &nlen);
		lab = csv_field(f, (size_t)col_label, &llen);
		if (nlen == 0) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s:%zu: empty image name", b->path, line);
			goto out;
		}
		if ((rc = b_image(b, name, nlen, line, 1, err)) || (rc = csv_labels(b, lab, llen, line, err)))
			goto out;
	}
	if (r < 0)
		rc = r;
out:
	mlfy_csv_close(c);
	return rc;
}

/* ---- file reading and detection -------------------------------------------- */

static int detect_buf(const char *p, const char *end)
{
	const char *e;
	if (end - p >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p < end && *p == '[')
		return MLFY_LABELS_REAL;
	if (p < end && *p == '{')
		return MLFY_LABELS_MULTILABELFY;
	next_line(p, end, &e);
	return memchr(p, ',', (size_t)(e - p)) ? MLFY_LABELS_CSV : MLFY_LABELS_SINGLE;
}

int mlfy_labels_detect(const char *path, int *format, struct mlfy_err *err)
{
	char *buf;
	size_t len;
	int rc;

	if ((rc = mlfy_read_file(path, MAX_LABEL_FILE, &buf, &len, err)))
		return rc;
	*format = detect_buf(buf, buf + len);
	free(buf);
	return 0;
}

const char *mlfy_labels_format_name(int format)
{
	switch (format) {
	case MLFY_LABELS_AUTO: return "auto";
	case MLFY_LABELS_REAL: return "real";
	case MLFY_LABELS_MULTILABELFY: return "multilabelfy";
	case MLFY_LABELS_SINGLE: return "single";
	case MLFY_LABELS_CSV: return "csv";
	default: return "?";
	}
}

int mlfy_labels_parse_format(const char *name)
{
	int f;
	for (f = MLFY_LABELS_AUTO; f <= MLFY_LABELS_CSV; f++)
		if (!strcmp(name, mlfy_labels_format_name(f)))
			return f;
	return -1;
}

/* ---- finishing: sort, deduplicate, index names ------------------------------- */

struct name_ref {
	const char *name;
	size_t idx;
};

static int cmp_name_ref(const void *a, const void *b)
{
	const struct name_ref *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

static int finish(struct builder *b, int format, struct mlfy_labels **out, struct mlfy_err *err)
{
	struct mlfy_labels *l;
	size_t i, w = 0;
	int max = -1;

	if (!(l = calloc(1, sizeof(*l))))
		return b_oom(err);
	if (!b->offsets && !(b->offsets = calloc(1, sizeof(size_t)))) {
		free(l);
		return b_oom(err);
	}
	/* sort each image's labels, drop repeats (compacting in place) */
	for (i = 0; i < b->n; i++) {
		size_t s = b->offsets[i], e = b->offsets[i + 1], k, start = w;
		if (e > s)   /* classes is NULL while no image has a label */
			qsort(b->classes + s, e - s, sizeof(int), mlfy_cmp_int);
		for (k = s; k < e; k++) {
			if (w > start && b->classes[w - 1] == b->classes[k]) {
				if (!l->n_duplicates++)
					l->first_duplicate = i;
				continue;
			}
			b->classes[w++] = b->classes[k];
			if (b->classes[k] > max)
				max = b->classes[k];
		}
		b->offsets[i] = start;
	}
	b->offsets[b->n] = w;
	if (b->names) {
		struct name_ref *r = malloc((b->n ? b->n : 1) * sizeof(*r));
		if (!r || !(l->by_name = malloc((b->n ? b->n : 1) * sizeof(size_t)))) {
			MLFY_FREE_ALL(r, l);
			return b_oom(err);
		}
		for (i = 0; i < b->n; i++) {
			r[i].name = b->names[i];
			r[i].idx = i;
		}
		qsort(r, b->n, sizeof(*r), cmp_name_ref);
		for (i = 0; i < b->n; i++) {
			if (i > 0 && !strcmp(r[i - 1].name, r[i].name)) {
				char ex[64];
				int rc;
				if (b->lines && b->lines[r[i].idx])
					rc = mlfy_err_set(err, MLFY_EINVAL, "%s:%zu: duplicate image name '%s' (first on line %zu)",
							  b->path, b->lines[r[i].idx],
							  excerpt(r[i].name, strlen(r[i].name), ex), b->lines[r[i - 1].idx]);
				else
					rc = mlfy_err_set(err, MLFY_EINVAL, "%s: duplicate image name '%s'", b->path,
							  excerpt(r[i].name, strlen(r[i].name), ex));
				MLFY_FREE_ALL(r, l->by_name, l);
				return rc;
			}
			l->by_name[i] = r[i].idx;
		}
		free(r);
	}
	l->format = format;
	l->n = b->n;
	l->names = b->names;
	l->offsets = b->offsets;
	l->classes = b->classes;
	l->max_class = max;
	l->n_undecided = b->n_undecided;
	free(b->lines);
	memset(b, 0, sizeof(*b));
	*out = l;
	return 0;
}

int mlfy_labels_parse(const char *name, const char *text, size_t len, int format, int n_classes,
		      struct mlfy_labels **out, struct mlfy_err *err)
{
	struct builder b;
	const char *p = text;
	int rc;

	*out = NULL;
	memset(&b, 0, sizeof(b));
	b.path = name;
	b.n_classes = n_classes;
	if (format < MLFY_LABELS_AUTO || format > MLFY_LABELS_CSV)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: unknown label format %d", name, format);
	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3)) {
		p += 3;
		len -= 3;
	}
	if (memchr(p, '\0', len))
		return mlfy_err_set(err, MLFY_EINVAL, "%s: binary data (NUL bytes): not a label file", name);
	if (is_blank(p, p + len))
		return mlfy_err_set(err, MLFY_EINVAL, "%s: empty file (no images)", name);
	if (format == MLFY_LABELS_AUTO)
		format = detect_buf(p, p + len);
	if (format == MLFY_LABELS_REAL || format == MLFY_LABELS_MULTILABELFY) {
		json_error_t je;
		json_t *root = json_loadb(p, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
		if (!root) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s:%d:%d: invalid JSON: %s", name, je.line, je.column,
					  je.text);
		} else if (format == MLFY_LABELS_REAL && !json_is_array(root)) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: ReaL format needs a JSON list of label lists", name);
		} else if (format == MLFY_LABELS_MULTILABELFY && !json_is_object(root)) {
			rc = mlfy_err_set(err, MLFY_EINVAL,
					  "%s: Multilabelfy format needs a JSON object {\"file\": [\"idx\", ...]}", name);
		} else {
			rc = format == MLFY_LABELS_REAL ? parse_real(&b, root, err) : parse_multilabelfy(&b, root, err);
		}
		json_decref(root);
	} else if (format == MLFY_LABELS_SINGLE) {
		rc = parse_single(&b, p, p + len, err);
	} else {
		rc = parse_csv(&b, p, p + len, err);
	}
	if (!rc)
		rc = finish(&b, format, out, err);
	b_release(&b);
	return rc;
}

int mlfy_labels_load(const char *path, int format, int n_classes,
		     struct mlfy_labels **out, struct mlfy_err *err)
{
	char *buf = NULL;
	size_t len;
	int rc;

	*out = NULL;
	if (format < MLFY_LABELS_AUTO || format > MLFY_LABELS_CSV)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: unknown label format %d", path, format);
	if ((rc = mlfy_read_file(path, MAX_LABEL_FILE, &buf, &len, err)))
		return rc;
	rc = mlfy_labels_parse(path, buf, len, format, n_classes, out, err);
	free(buf);
	return rc;
}

void mlfy_labels_free(struct mlfy_labels *l)
{
	size_t i;
	if (!l)
		return;
	if (l->names)
		for (i = 0; i < l->n; i++)
			free(l->names[i]);
	MLFY_FREE_ALL(l->names, l->offsets, l->classes, l->by_name, l);
}

size_t mlfy_labels_count(const struct mlfy_labels *l, size_t i)
{
	return l->offsets[i + 1] - l->offsets[i];
}

int mlfy_labels_find(const struct mlfy_labels *l, const char *name, size_t *index, struct mlfy_err *err)
{
	size_t lo = 0, hi = l->n;

	if (!l->names)
		return mlfy_err_set(err, MLFY_EINVAL, "this %s label file has no image names",
				    mlfy_labels_format_name(l->format));
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(l->names[l->by_name[mid]], name);
		if (c == 0) {
			*index = l->by_name[mid];
			return 0;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return mlfy_err_set(err, MLFY_ENOTFOUND, "no image named '%s'", name);
}
