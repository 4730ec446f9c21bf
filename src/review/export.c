/* export.c - streaming exports of final labels (see export.h). */
#include "review/export.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "review/export_real.h"
#include "review/labelset.h"
#include "store/catalog.h"
#include "store/flags.h"
#include "store/provenance.h"
#include "util/csv.h"
#include "util/vec.h"

static const char *const format_names[MLFY_EXPORT_N_FORMATS] = { "real", "multilabelfy", "csv", "jsonl",
								   "labelstudio", "real-votes", "real-scores" };

const char *mlfy_export_format_name(enum mlfy_export_format f)
{
	return (unsigned)f < MLFY_EXPORT_N_FORMATS ? format_names[f] : NULL;
}

const char *mlfy_export_format_ext(enum mlfy_export_format f)
{
	switch (f) {
	case MLFY_EXPORT_CSV: return "csv";
	case MLFY_EXPORT_JSONL: return "jsonl";
	case MLFY_EXPORT_REAL:
	case MLFY_EXPORT_MULTILABELFY:
	case MLFY_EXPORT_LABELSTUDIO: return "json";
	case MLFY_EXPORT_REAL_VOTES:
	case MLFY_EXPORT_REAL_SCORES: return "npz";
	}
	return NULL;
}

int mlfy_export_format_parse(const char *name, enum mlfy_export_format *f, struct mlfy_err *err)
{
	const char *const *names = format_names;
	int i;
	for (i = 0; i < MLFY_EXPORT_N_FORMATS; i++) {
		if (!strcmp(name, names[i])) {
			*f = (enum mlfy_export_format)i;
			return 0;
		}
	}
	return mlfy_err_set(err, MLFY_EINVAL,
			    "unknown export format '%s' (expected real, multilabelfy, csv, jsonl, labelstudio,"
			    " real-votes or real-scores)", name);
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 when it is invalid
 * (overlong forms, surrogates and code points above U+10FFFF included). */
static size_t utf8_len(const unsigned char *p)
{
	unsigned c = p[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0))
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

/* Display names of the classes for Label Studio and JSONL (names made
 * unique with the ext_id where several classes share one). */
struct class_names {
	char **name;     /* by class index; NULL for unknown indices */
	size_t n;        /* 1 + the largest index */
};

static void class_names_free(struct class_names *c)
{
	size_t i;
	for (i = 0; i < c->n; i++)
		free(c->name[i]);  /* NOLINT(clang-analyzer-core.NullDereference): name has n entries once n is set */
	free(c->name);
	memset(c, 0, sizeof(*c));
}

static int cmp_name_ptr(const void *a, const void *b)
{
	const struct mlfy_class *x = *(const struct mlfy_class *const *)a, *y = *(const struct mlfy_class *const *)b;
	return strcmp(x->name, y->name);
}

static int class_names_load(struct mlfy_store *s, struct class_names *out, struct mlfy_err *err)
{
	struct mlfy_class *cls = NULL, **by_name = NULL;
	size_t n = 0, i, max = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = mlfy_catalog_list_classes(s, &cls, &n, err)))
		return rc;
	for (i = 0; i < n; i++)
		if ((size_t)cls[i].idx + 1 > max)
			max = (size_t)cls[i].idx + 1;
	out->name = calloc(max ? max : 1, sizeof(*out->name));
	by_name = malloc((n ? n : 1) * sizeof(*by_name));  /* NOLINT(bugprone-sizeof-expression): an array of pointers */
	if (!out->name || !by_name) {
		rc = mlfy_err_oom(err);
		goto out;
	}
	out->n = max;
	for (i = 0; i < n; i++)
		by_name[i] = &cls[i];
	qsort(by_name, n, sizeof(*by_name), cmp_name_ptr);  /* NOLINT(bugprone-sizeof-expression): an array of pointers */
	for (i = 0; i < n; i++) {
		const struct mlfy_class *c = by_name[i];
		int dup = (i > 0 && !strcmp(by_name[i - 1]->name, c->name)) ||
			  (i + 1 < n && !strcmp(by_name[i + 1]->name, c->name));
		size_t len = strlen(c->name) + strlen(c->ext_id) + 4;
		char *nm = malloc(len);
		if (!nm) {
			rc = mlfy_err_oom(err);
			goto out;
		}
		if (dup && strcmp(c->name, c->ext_id))
			snprintf(nm, len, "%s (%s)", c->name, c->ext_id);
		else
			snprintf(nm, len, "%s", c->name);
		out->name[c->idx] = nm;
	}
	rc = 0;
out:
	free(by_name);
	mlfy_classes_free(cls, n);
	if (rc)
		class_names_free(out);
	return rc;
}

static const char *class_name(const struct class_names *c, int idx, char buf[16])
{
	if (idx >= 0 && (size_t)idx < c->n && c->name[idx])
		return c->name[idx];
	snprintf(buf, 16, "%d", idx);
	return buf;
}

/* JSONL is written directly, byte for byte as jansson's compact dump
 * (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)) wrote it
 * before: building a jansson object per image cost more than the rest. */

/* A JSON string (RFC 8259) as jansson writes it: \b \f \n \r \t short
 * forms, other control characters as \u00XX (upper-case hex); -1 when s is
 * not valid UTF-8.  Every format of this file writes its strings with it. */
static int jl_str(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : ""), *run;
	fputc('"', out);
	for (;;) {
		size_t n;
		run = p;
		while (*p >= 0x20 && *p != '"' && *p != '\\' && *p < 0x80)
			p++;
		if (p > run)
			fwrite(run, 1, (size_t)(p - run), out);
		if (!*p)
			break;
		switch (*p) {
		case '"': fputs("\\\"", out); p++; continue;
		case '\\': fputs("\\\\", out); p++; continue;
		case '\b': fputs("\\b", out); p++; continue;
		case '\f': fputs("\\f", out); p++; continue;
		case '\n': fputs("\\n", out); p++; continue;
		case '\r': fputs("\\r", out); p++; continue;
		case '\t': fputs("\\t", out); p++; continue;
		default: break;
		}
		if (*p < 0x20) {
			fprintf(out, "\\u%04X", *p++);
		} else if ((n = utf8_len(p)) == 0) {
			return -1;
		} else {
			fwrite(p, 1, n, out);
			p += n;
		}
	}
	fputc('"', out);
	return 0;
}

/* "key": string (NULL -> null) */
static int jl_kstr(FILE *out, const char *key, const char *v)
{
	fprintf(out, ",\"%s\":", key);
	if (!v) {
		fputs("null", out);
		return 0;
	}
	return jl_str(out, v);
}

static void jl_ints(FILE *out, const int32_t *v, size_t n)
{
	size_t i;
	fputc('[', out);
	for (i = 0; i < n; i++)
		fprintf(out, i ? ",%d" : "%d", (int)v[i]);
	fputc(']', out);
}

/* A real as jansson's jsonp_dtostr: %.10g, ".0" when neither '.' nor 'e'
 * appears, exponent without '+' or leading zeros; null when not finite. */
static void jl_real(FILE *out, double v)
{
	char buf[64], *e, *start, *end;
	if (!isfinite(v)) {
		fputs("null", out);
		return;
	}
	snprintf(buf, sizeof(buf) - 3, "%.10g", v);
	if (!strchr(buf, '.') && !strchr(buf, 'e'))
		strcat(buf, ".0");
	if ((e = strchr(buf, 'e'))) {
		start = e + 1;
		end = start + 1;
		if (*start == '-')
			start++;
		while (*end == '0')
			end++;
		if (end != start)
			memmove(start, end, strlen(end) + 1);
	}
	fputs(buf, out);
}

/* One JSONL line with the image's provenance p. */
static int jsonl_row(const struct mlfy_export_row *row, const struct mlfy_provenance *p,
		     const struct class_names *cn, FILE *out, struct mlfy_err *err)
{
	int32_t *uni = NULL;
	size_t n_uni = 0, i, j, k;
	char buf[16];
	int bad = 0;

	fputs("{\"file\":", out);
	bad |= jl_str(out, row->name);
	bad |= jl_kstr(out, "path", row->path);
	if (row->original_label >= 0)
		fprintf(out, ",\"original_label\":%d", row->original_label);
	else
		fputs(",\"original_label\":null", out);
	bad |= jl_kstr(out, "original_label_name",
		       row->original_label >= 0 ? class_name(cn, row->original_label, buf) : NULL);
	fprintf(out, ",\"batch\":%d", row->batch);
	bad |= jl_kstr(out, "stage", row->stage);
	fputs(",\"labels\":", out);
	if (row->stage)
		jl_ints(out, row->labels, row->n_labels);
	else
		fputs("null", out);
	fputs(",\"label_names\":", out);
	if (row->stage) {
		fputc('[', out);
		for (i = 0; i < row->n_labels; i++) {
			if (i)
				fputc(',', out);
			bad |= jl_str(out, class_name(cn, row->labels[i], buf));
		}
		fputc(']', out);
		fprintf(out, ",\"label_count\":%zu", row->n_labels);
	} else {
		fputs("null,\"label_count\":null", out);
	}
	bad |= jl_kstr(out, "decided_at", row->stage ? row->decided_at : NULL);
	bad |= jl_kstr(out, "comment", row->comment);
	bad |= jl_kstr(out, "refinement_arm", row->arm);
	if (row->planted >= 0)
		fprintf(out, ",\"planted_label\":%d", row->planted);
	else
		fputs(",\"planted_label\":null", out);
	fputs(",\"annotations\":[", out);
	for (i = 0; i < p->n_ann; i++) {
		const struct mlfy_prov_annotation *a = &p->ann[i];
		if (i)
			fputc(',', out);
		fputs("{\"annotator\":", out);
		bad |= jl_str(out, a->annotator);
		bad |= jl_kstr(out, "role", a->role);
		bad |= jl_kstr(out, "stage", a->stage);
		fputs(",\"labels\":", out);
		jl_ints(out, a->labels, a->n_labels);
		fputs(",\"sources\":[", out);
		for (j = 0; j < a->n_labels; j++) {
			if (j)
				fputc(',', out);
			bad |= jl_str(out, a->sources[j]);
		}
		fputc(']', out);
		bad |= jl_kstr(out, "comment", a->comment);
		fputs(",\"seconds\":", out);
		jl_real(out, a->seconds);
		fprintf(out, ",\"unsure\":");
		if (a->unsure)
			bad |= jl_str(out, mlfy_unsure_name(a->unsure - 1));
		else
			fputs("null", out);
		fputs(",\"tags\":[", out);
		for (j = 0, k = 0; j < MLFY_N_TAGS; j++)
			if (a->tags >> j & 1u) {
				fputs(k++ ? ",\"" : "\"", out);
				fputs(mlfy_tag_name((int)j), out);
				fputc('"', out);
			}
		fprintf(out, "],\"gold_task\":%s", a->gold_task ? "true" : "false");
		fprintf(out, ",\"version\":%lld,\"versions\":%lld", (long long)a->version, (long long)a->n_versions);
		bad |= jl_kstr(out, "saved_at", a->created_at);
		fputc('}', out);
		if (!strcmp(a->stage, "annotate") && a->n_labels) {
			int32_t *nu = realloc(uni, (n_uni + a->n_labels) * sizeof(*nu));
			if (!nu) {
				free(uni);
				return mlfy_err_oom(err);
			}
			uni = nu;
			memcpy(uni + n_uni, a->labels, a->n_labels * sizeof(*uni));
			n_uni += a->n_labels;
		}
	}
	fputs("],\"expert_changes\":", out);
	if (row->stage && !strcmp(row->stage, "refined")) {
		struct mlfy_labelset u, f = { row->labels, row->n_labels };
		int first = 1;
		if (uni)
			mlfy_labelset_normalize(uni, &n_uni);
		u.labels = uni;
		u.n = n_uni;
		fputs("{\"added\":[", out);
		for (i = 0; i < row->n_labels; i++)
			if (!mlfy_labelset_contains(u, row->labels[i])) {
				fprintf(out, first ? "%d" : ",%d", (int)row->labels[i]);
				first = 0;
			}
		fputs("],\"removed\":[", out);
		first = 1;
		for (i = 0; i < n_uni; i++)
			if (!mlfy_labelset_contains(f, uni[i])) {
				fprintf(out, first ? "%d" : ",%d", (int)uni[i]);
				first = 0;
			}
		fputs("]}", out);
	} else {
		fputs("null", out);
	}
	free(uni);
	fputs(",\"refinement_queue\":", out);
	if (p->queue_rule) {
		fputs("{\"rule\":", out);
		bad |= jl_str(out, p->queue_rule);
		bad |= jl_kstr(out, "reason", p->queue_reason);
		bad |= jl_kstr(out, "expert", p->queue_expert);
		fputc('}', out);
	} else {
		fputs("null", out);
	}
	fputs(",\"zero_label_review\":", out);
	if (p->zero.id) {
		fputs("{\"expert\":", out);
		bad |= jl_str(out, p->zero.expert);
		bad |= jl_kstr(out, "category", p->zero.category);
		bad |= jl_kstr(out, "verdict", p->zero.verdict);
		bad |= jl_kstr(out, "comment", p->zero.comment);
		bad |= jl_kstr(out, "reviewed_at", p->zero.created_at);
		fputc('}', out);
	} else {
		fputs("null", out);
	}
	fputs("}\n", out);
	if (bad)
		return mlfy_err_set(err, MLFY_EINVAL, "image '%s': a name, path or comment is not valid UTF-8", row->name);
	return 0;
}

/* Label Studio's data.image: the image's name (its path below the folder
 * it was imported from), after root when one is given -- never the server's
 * absolute path, which tells whoever gets the file how the server's disks
 * are laid out.  A root with "://" is a URL: the name is percent-encoded
 * (RFC 3986: all but unreserved characters and '/'). */
static int ls_image(FILE *out, const char *root, const char *name, struct mlfy_err *err)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t rl, i, k;
	char *buf;
	int url, rc;

	if (!root || !*root)
		return jl_str(out, name);
	rl = strlen(root);
	url = strstr(root, "://") != NULL;
	if (!(buf = malloc(rl + 3 * strlen(name) + 2))) {
		mlfy_err_oom(err);
		return -2;
	}
	memcpy(buf, root, rl);
	k = rl;
	if (root[rl - 1] != '/')
		buf[k++] = '/';
	for (i = 0; name[i]; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!url || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		    c == '.' || c == '_' || c == '~' || c == '/') {
			buf[k++] = (char)c;
		} else {
			buf[k++] = '%';
			buf[k++] = hex[c >> 4];
			buf[k++] = hex[c & 15];
		}
	}
	buf[k] = '\0';
	rc = jl_str(out, buf);
	free(buf);
	return rc;
}

/* One Label Studio task, written directly (jansson per task costs 10x). */
static int labelstudio_task(const struct mlfy_export_row *row, const struct class_names *cn, int64_t id,
			    const char *root, FILE *out, struct mlfy_err *err)
{
	char buf[16];
	size_t i;
	int bad = 0, rc;

	fprintf(out, "{\"id\":%lld,\"data\":{\"image\":", (long long)id);
	if ((rc = ls_image(out, root, row->name, err)) == -2)
		return MLFY_ENOMEM;
	bad |= rc;
	fputs(",\"file\":", out);
	bad |= jl_str(out, row->name);
	fputs(",\"original_label\":", out);
	if (row->original_label >= 0)
		bad |= jl_str(out, class_name(cn, row->original_label, buf));
	else
		fputs("null", out);
	fputc('}', out);
	if (row->stage) {
		fputs(",\"annotations\":[{\"result\":[{\"from_name\":\"label\",\"to_name\":\"image\","
		      "\"type\":\"choices\",\"value\":{\"choices\":[", out);
		for (i = 0; i < row->n_labels; i++) {
			if (i)
				fputc(',', out);
			bad |= jl_str(out, class_name(cn, row->labels[i], buf));
		}
		fprintf(out, "]}}],\"ground_truth\":true}],\"meta\":{\"stage\":\"%s\"}", row->stage);
	}
	fputc('}', out);
	if (bad)
		return mlfy_err_set(err, MLFY_EINVAL, "image '%s': a name or path is not valid UTF-8", row->name);
	return 0;
}

struct mlfy_export_stream {
	struct mlfy_store *s;
	enum mlfy_export_format f;
	struct mlfy_export_cursor *c;
	struct mlfy_real_export *rx;         /* real-votes, real-scores only */
	struct mlfy_provenance_cursor *pc;   /* JSONL only */
	struct class_names cn;
	char *image_root;    /* Label Studio's data.image root, or NULL */
	struct mlfy_export_summary sum;
	int state;     /* 0: opening not written, 1: images, 2: closing written */
	int first;     /* no image written yet */
};

int mlfy_export_stream_open(struct mlfy_store *s, enum mlfy_export_format f, const char *image_root,
			    struct mlfy_export_stream **out, struct mlfy_err *err)
{
	return mlfy_export_stream_open_with(s, f, image_root, NULL, out, err);
}

int mlfy_export_stream_open_with(struct mlfy_store *s, enum mlfy_export_format f, const char *image_root,
				 const char *method, struct mlfy_export_stream **out, struct mlfy_err *err)
{
	struct mlfy_export_stream *es;
	int rc;

	*out = NULL;
	if ((unsigned)f >= MLFY_EXPORT_N_FORMATS)
		return mlfy_err_set(err, MLFY_EINVAL, "bad export format %d", (int)f);
	if (!(es = calloc(1, sizeof(*es))))
		return mlfy_err_oom(err);
	es->s = s;
	es->f = f;
	es->first = 1;
	if (image_root && *image_root && !(es->image_root = strdup(image_root))) {
		free(es);
		return mlfy_err_oom(err);
	}
	if (f == MLFY_EXPORT_REAL_VOTES || f == MLFY_EXPORT_REAL_SCORES) {
		if ((rc = mlfy_real_export_open(s, f == MLFY_EXPORT_REAL_SCORES, method, &es->rx, err))) {
			MLFY_FREE_ALL(es->image_root, es);
			return rc;
		}
		*out = es;
		return 0;
	}
	if ((f == MLFY_EXPORT_JSONL || f == MLFY_EXPORT_LABELSTUDIO) && (rc = class_names_load(s, &es->cn, err))) {
		MLFY_FREE_ALL(es->image_root, es);
		return rc;
	}
	if ((rc = mlfy_export_open(s, &es->c, err)) ||
	    (f == MLFY_EXPORT_JSONL && (rc = mlfy_provenance_cursor_open(s, &es->pc, err)))) {
		mlfy_export_close(es->c);
		class_names_free(&es->cn);
		MLFY_FREE_ALL(es->image_root, es);
		return rc;
	}
	*out = es;
	return 0;
}

/* Writes one image of the cursor (row) in the stream's format. */
static int stream_row(struct mlfy_export_stream *es, const struct mlfy_export_row *row, FILE *out,
		      struct mlfy_err *err)
{
	struct mlfy_export_summary *sum = &es->sum;
	char tagbuf[256];
	size_t i;
	int rc;

	sum->images++;
	if (row->stage) {
		sum->decided++;
		sum->labels += (int64_t)row->n_labels;
		sum->zero_label += row->n_labels == 0;
	} else {
		sum->undecided++;
	}
	switch (es->f) {
	case MLFY_EXPORT_REAL:
		fputs(es->first ? "[" : ", [", out);
		for (i = 0; i < row->n_labels; i++)
			fprintf(out, i ? ", %d" : "%d", (int)row->labels[i]);
		fputc(']', out);
		break;
	case MLFY_EXPORT_MULTILABELFY:
		if (!row->stage)
			return 0;   /* left out; "first" stays as it is */
		if (!es->first)
			fputs(", ", out);
		if (jl_str(out, row->name))
			return mlfy_err_set(err, MLFY_EINVAL, "image name '%s' is not valid UTF-8", row->name);
		fputs(": [", out);
		for (i = 0; i < row->n_labels; i++)
			fprintf(out, i ? ", \"%d\"" : "\"%d\"", (int)row->labels[i]);
		fputc(']', out);
		break;
	case MLFY_EXPORT_CSV:
		mlfy_csv_write_text(out, row->name);
		fputc(',', out);
		if (row->original_label >= 0)
			fprintf(out, "%d", row->original_label);
		fputc(',', out);
		for (i = 0; i < row->n_labels; i++)
			fprintf(out, i ? " %d" : "%d", (int)row->labels[i]);
		fprintf(out, ",%zu,%s,", row->n_labels, row->stage ? row->stage : "undecided");
		mlfy_csv_write_text(out, row->comment);
		fprintf(out, ",%d,%s\n", row->n_unsure, mlfy_tags_join(row->tags, " ", tagbuf, sizeof(tagbuf)));
		break;
	case MLFY_EXPORT_JSONL: {
		struct mlfy_provenance p;
		if ((rc = mlfy_provenance_cursor_get(es->pc, row->image_id, row->name, &p, err)))
			return rc;
		rc = jsonl_row(row, &p, &es->cn, out, err);
		mlfy_provenance_release(&p);
		if (rc)
			return rc;
		break;
	}
	case MLFY_EXPORT_LABELSTUDIO:
		if (!es->first)
			fputs(",\n", out);
		if ((rc = labelstudio_task(row, &es->cn, sum->images, es->image_root, out, err)))
			return rc;
		break;
	default:
		break;
	}
	es->first = 0;
	return 0;
}

int mlfy_export_stream_next(struct mlfy_export_stream *es, FILE *out, struct mlfy_err *err)
{
	struct mlfy_export_row row;
	int rc;

	if (es->rx) {
		rc = mlfy_real_export_next(es->rx, out, err);
		if (rc == 0)
			mlfy_real_export_counts(es->rx, &es->sum.questions, &es->sum.raters, &es->sum.votes);
		if (rc == 1 && ferror(out))
			return mlfy_err_set(err, MLFY_EIO, "write: %s", strerror(errno));
		return rc;
	}
	if (es->state == 0) {
		switch (es->f) {
		case MLFY_EXPORT_REAL: fputc('[', out); break;
		case MLFY_EXPORT_MULTILABELFY: fputc('{', out); break;
		case MLFY_EXPORT_CSV: fputs("file,original_label,labels,label_count,stage,comment,unsure,tags\n", out); break;
		case MLFY_EXPORT_LABELSTUDIO: fputs("[\n", out); break;
		default: break;
		}
		es->state = 1;
	} else if (es->state == 1) {
		rc = mlfy_export_next(es->c, &row, err);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			if ((rc = stream_row(es, &row, out, err)))
				return rc;
		} else {
			switch (es->f) {
			case MLFY_EXPORT_REAL: fputs("]\n", out); break;
			case MLFY_EXPORT_MULTILABELFY: fputs("}\n", out); break;
			case MLFY_EXPORT_LABELSTUDIO: fputs(es->first ? "]\n" : "\n]\n", out); break;
			default: break;
			}
			es->state = 2;
		}
	} else {
		return 0;
	}
	if (ferror(out))
		return mlfy_err_set(err, MLFY_EIO, "write: %s", strerror(errno));
	return 1;
}

const struct mlfy_export_summary *mlfy_export_stream_summary(const struct mlfy_export_stream *es)
{
	return &es->sum;
}

void mlfy_export_stream_close(struct mlfy_export_stream *es)
{
	if (!es)
		return;
	mlfy_real_export_close(es->rx);
	mlfy_provenance_cursor_close(es->pc);   /* before the cursor that holds the read transaction */
	mlfy_export_close(es->c);
	class_names_free(&es->cn);
	MLFY_FREE_ALL(es->image_root, es);
}

int mlfy_export(struct mlfy_store *s, enum mlfy_export_format f, const char *image_root, FILE *out,
		struct mlfy_export_summary *sum, struct mlfy_err *err)
{
	return mlfy_export_with(s, f, image_root, NULL, out, sum, err);
}

int mlfy_export_with(struct mlfy_store *s, enum mlfy_export_format f, const char *image_root, const char *method,
		     FILE *out, struct mlfy_export_summary *sum, struct mlfy_err *err)
{
	struct mlfy_export_stream *es;
	int rc;

	memset(sum, 0, sizeof(*sum));
	if ((rc = mlfy_export_stream_open_with(s, f, image_root, method, &es, err)))
		return rc;
	while ((rc = mlfy_export_stream_next(es, out, err)) == 1)
		;
	*sum = es->sum;
	mlfy_export_stream_close(es);
	return rc;
}
