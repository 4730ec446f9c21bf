/* export.c - streaming exports of final labels (see export.h). */
#define _POSIX_C_SOURCE 200809L
#include "review/export.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "review/labelset.h"
#include "store/catalog.h"
#include "store/review.h"

static const char *const format_names[MLFY_EXPORT_N_FORMATS] = { "real", "multilabelfy", "csv", "jsonl",
								   "labelstudio" };

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
			    "unknown export format '%s' (expected real, multilabelfy, csv, jsonl or labelstudio)", name);
}

void mlfy_csv_field(FILE *out, const char *s)
{
	const char *p;
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (p = s; *p; p++) {
		if (*p == '"')
			fputc('"', out);
		fputc(*p, out);
	}
	fputc('"', out);
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

/* Writes the JSON string literal of s (RFC 8259 escaping: quote, backslash
 * and control characters); -1 when s is not valid UTF-8 (nothing sensible
 * can be written then). */
static int json_str(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	fputc('"', out);
	while (*p) {
		size_t n;
		if (*p == '"' || *p == '\\') {
			fputc('\\', out);
			fputc(*p++, out);
		} else if (*p < 0x20) {
			fprintf(out, "\\u%04x", *p++);
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
		free(c->name[i]);
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
	by_name = malloc((n ? n : 1) * sizeof(*by_name));
	if (!out->name || !by_name) {
		rc = mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
		goto out;
	}
	out->n = max;
	for (i = 0; i < n; i++)
		by_name[i] = &cls[i];
	qsort(by_name, n, sizeof(*by_name), cmp_name_ptr);
	for (i = 0; i < n; i++) {
		const struct mlfy_class *c = by_name[i];
		int dup = (i > 0 && !strcmp(by_name[i - 1]->name, c->name)) ||
			  (i + 1 < n && !strcmp(by_name[i + 1]->name, c->name));
		size_t len = strlen(c->name) + strlen(c->ext_id) + 4;
		char *nm = malloc(len);
		if (!nm) {
			rc = mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
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

static json_t *int_array(const int32_t *v, size_t n)
{
	json_t *a = json_array();
	size_t i;
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

static json_t *name_array(const struct class_names *c, const int32_t *v, size_t n)
{
	json_t *a = json_array();
	char buf[16];
	size_t i;
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(class_name(c, v[i], buf)));
	return a;
}

/* One JSONL object with the image's provenance. */
static int jsonl_row(struct mlfy_store *s, const struct mlfy_export_row *row, const struct class_names *cn,
		     FILE *out, struct mlfy_err *err)
{
	struct mlfy_provenance p;
	json_t *o = json_object(), *anns = json_array();
	int32_t *uni = NULL;
	size_t n_uni = 0, i, j;
	char buf[16];
	int rc;

	if ((rc = mlfy_review_provenance(s, row->image_id, &p, err))) {
		json_decref(o);
		json_decref(anns);
		return rc;
	}
	json_object_set_new(o, "file", json_string(row->name));
	json_object_set_new(o, "path", json_string(row->path));
	json_object_set_new(o, "original_label", row->original_label >= 0 ? json_integer(row->original_label) : json_null());
	json_object_set_new(o, "original_label_name",
			    row->original_label >= 0 ? json_string(class_name(cn, row->original_label, buf)) : json_null());
	json_object_set_new(o, "batch", json_integer(row->batch));
	json_object_set_new(o, "stage", row->stage ? json_string(row->stage) : json_null());
	json_object_set_new(o, "labels", row->stage ? int_array(row->labels, row->n_labels) : json_null());
	json_object_set_new(o, "label_names", row->stage ? name_array(cn, row->labels, row->n_labels) : json_null());
	json_object_set_new(o, "label_count", row->stage ? json_integer((json_int_t)row->n_labels) : json_null());
	json_object_set_new(o, "decided_at", row->stage ? json_string(row->decided_at) : json_null());
	json_object_set_new(o, "comment", json_string(row->comment));
	for (i = 0; i < p.n_ann; i++) {
		const struct mlfy_prov_annotation *a = &p.ann[i];
		json_t *src = json_array(), *ao;
		for (j = 0; j < a->n_labels; j++)
			json_array_append_new(src, json_string(a->sources[j]));
		ao = json_object();
		json_object_set_new(ao, "annotator", json_string(a->annotator));
		json_object_set_new(ao, "role", json_string(a->role));
		json_object_set_new(ao, "stage", json_string(a->stage));
		json_object_set_new(ao, "labels", int_array(a->labels, a->n_labels));
		json_object_set_new(ao, "sources", src);
		json_object_set_new(ao, "comment", json_string(a->comment));
		json_object_set_new(ao, "seconds", json_real(a->seconds));
		json_object_set_new(ao, "version", json_integer(a->version));
		json_object_set_new(ao, "versions", json_integer(a->n_versions));
		json_object_set_new(ao, "saved_at", json_string(a->created_at));
		json_array_append_new(anns, ao);
		if (!strcmp(a->stage, "annotate")) {
			int32_t *nu = realloc(uni, (n_uni + a->n_labels + 1) * sizeof(*nu));
			if (!nu) {
				rc = mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
				goto out;
			}
			uni = nu;
			if (a->n_labels)
				memcpy(uni + n_uni, a->labels, a->n_labels * sizeof(*uni));
			n_uni += a->n_labels;
		}
	}
	json_object_set_new(o, "annotations", anns);
	anns = NULL;
	if (row->stage && !strcmp(row->stage, "refined")) {
		struct mlfy_labelset u, f = { row->labels, row->n_labels };
		json_t *added = json_array(), *removed = json_array();
		if (uni)
			mlfy_labelset_normalize(uni, &n_uni);
		u.labels = uni;
		u.n = n_uni;
		for (i = 0; i < row->n_labels; i++)
			if (!mlfy_labelset_contains(u, row->labels[i]))
				json_array_append_new(added, json_integer(row->labels[i]));
		for (i = 0; i < n_uni; i++)
			if (!mlfy_labelset_contains(f, uni[i]))
				json_array_append_new(removed, json_integer(uni[i]));
		json_object_set_new(o, "expert_changes", json_pack("{s:o, s:o}", "added", added, "removed", removed));
	} else {
		json_object_set_new(o, "expert_changes", json_null());
	}
	if (p.queue_rule) {
		json_t *q = json_pack("{s:s, s:s}", "rule", p.queue_rule, "reason", p.queue_reason);
		json_object_set_new(q, "expert", p.queue_expert ? json_string(p.queue_expert) : json_null());
		json_object_set_new(o, "refinement_queue", q);
	} else {
		json_object_set_new(o, "refinement_queue", json_null());
	}
	if (p.zero.id)
		json_object_set_new(o, "zero_label_review",
				    json_pack("{s:s, s:s, s:s, s:s, s:s}", "expert", p.zero.expert, "category",
					      p.zero.category, "verdict", p.zero.verdict, "comment", p.zero.comment,
					      "reviewed_at", p.zero.created_at));
	else
		json_object_set_new(o, "zero_label_review", json_null());
	if (json_dumpf(o, out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)) || fputc('\n', out) == EOF)
		rc = mlfy_err_set(err, MLFY_EIO, "write: %s", strerror(errno));
	else
		rc = 0;
out:
	json_decref(anns);
	json_decref(o);
	free(uni);
	mlfy_provenance_release(&p);
	return rc;
}

/* One Label Studio task, written directly (jansson per task costs 10x). */
static int labelstudio_task(const struct mlfy_export_row *row, const struct class_names *cn, int64_t id,
			    FILE *out, struct mlfy_err *err)
{
	char buf[16];
	size_t i;
	int bad = 0;

	fprintf(out, "{\"id\":%lld,\"data\":{\"image\":", (long long)id);
	bad |= json_str(out, row->path);
	fputs(",\"file\":", out);
	bad |= json_str(out, row->name);
	fputs(",\"original_label\":", out);
	if (row->original_label >= 0)
		bad |= json_str(out, class_name(cn, row->original_label, buf));
	else
		fputs("null", out);
	fputc('}', out);
	if (row->stage) {
		fputs(",\"annotations\":[{\"result\":[{\"from_name\":\"label\",\"to_name\":\"image\","
		      "\"type\":\"choices\",\"value\":{\"choices\":[", out);
		for (i = 0; i < row->n_labels; i++) {
			if (i)
				fputc(',', out);
			bad |= json_str(out, class_name(cn, row->labels[i], buf));
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
	struct class_names cn;
	struct mlfy_export_summary sum;
	int state;     /* 0: opening not written, 1: images, 2: closing written */
	int first;     /* no image written yet */
};

int mlfy_export_stream_open(struct mlfy_store *s, enum mlfy_export_format f,
			    struct mlfy_export_stream **out, struct mlfy_err *err)
{
	struct mlfy_export_stream *es;
	int rc;

	*out = NULL;
	if ((unsigned)f >= MLFY_EXPORT_N_FORMATS)
		return mlfy_err_set(err, MLFY_EINVAL, "bad export format %d", (int)f);
	if (!(es = calloc(1, sizeof(*es))))
		return mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
	es->s = s;
	es->f = f;
	es->first = 1;
	if ((f == MLFY_EXPORT_JSONL || f == MLFY_EXPORT_LABELSTUDIO) && (rc = class_names_load(s, &es->cn, err))) {
		free(es);
		return rc;
	}
	if ((rc = mlfy_export_open(s, &es->c, err))) {
		class_names_free(&es->cn);
		free(es);
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
		if (json_str(out, row->name))
			return mlfy_err_set(err, MLFY_EINVAL, "image name '%s' is not valid UTF-8", row->name);
		fputs(": [", out);
		for (i = 0; i < row->n_labels; i++)
			fprintf(out, i ? ", \"%d\"" : "\"%d\"", (int)row->labels[i]);
		fputc(']', out);
		break;
	case MLFY_EXPORT_CSV:
		mlfy_csv_field(out, row->name);
		fputc(',', out);
		if (row->original_label >= 0)
			fprintf(out, "%d", row->original_label);
		fputc(',', out);
		for (i = 0; i < row->n_labels; i++)
			fprintf(out, i ? " %d" : "%d", (int)row->labels[i]);
		fprintf(out, ",%zu,%s,", row->n_labels, row->stage ? row->stage : "undecided");
		mlfy_csv_field(out, row->comment);
		fputc('\n', out);
		break;
	case MLFY_EXPORT_JSONL:
		if ((rc = jsonl_row(es->s, row, &es->cn, out, err)))
			return rc;
		break;
	case MLFY_EXPORT_LABELSTUDIO:
		if (!es->first)
			fputs(",\n", out);
		if ((rc = labelstudio_task(row, &es->cn, sum->images, out, err)))
			return rc;
		break;
	}
	es->first = 0;
	return 0;
}

int mlfy_export_stream_next(struct mlfy_export_stream *es, FILE *out, struct mlfy_err *err)
{
	struct mlfy_export_row row;
	int rc;

	if (es->state == 0) {
		switch (es->f) {
		case MLFY_EXPORT_REAL: fputc('[', out); break;
		case MLFY_EXPORT_MULTILABELFY: fputc('{', out); break;
		case MLFY_EXPORT_CSV: fputs("file,original_label,labels,label_count,stage,comment\n", out); break;
		case MLFY_EXPORT_LABELSTUDIO: fputs("[\n", out); break;
		case MLFY_EXPORT_JSONL: break;
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
	mlfy_export_close(es->c);
	class_names_free(&es->cn);
	free(es);
}

int mlfy_export(struct mlfy_store *s, enum mlfy_export_format f, FILE *out,
		struct mlfy_export_summary *sum, struct mlfy_err *err)
{
	struct mlfy_export_stream *es;
	int rc;

	memset(sum, 0, sizeof(*sum));
	if ((rc = mlfy_export_stream_open(s, f, &es, err)))
		return rc;
	while ((rc = mlfy_export_stream_next(es, out, err)) == 1)
		;
	*sum = es->sum;
	mlfy_export_stream_close(es);
	return rc;
}
