/* votes.c - vote sets from ReaL .npz files, the votes table and stage-ii
 * annotations, and storing them (see votes.h). */
#include "review/votes.h"
#include "util/vec.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/catalog.h"
#include "store/final_labels.h"
#include "store/review_input.h"
#include "store/votes.h"
#include "util/npy.h"
#include "util/npz.h"
#include "util/utf32.h"

void mlfy_vote_set_release(struct mlfy_vote_set *v)
{
	size_t i;
	if (!v)
		return;
	for (i = 0; v->image && i < v->n_questions; i++)
		free(v->image[i]);
	for (i = 0; v->rater && i < v->n_raters; i++)
		free(v->rater[i]);
	MLFY_FREE_ALL(v->image, v->label, v->question_id, v->rater, v->votes);
	memset(v, 0, sizeof(*v));
}

static int push_vote(struct mlfy_vote_set *v, size_t *cap, uint32_t q, uint32_t r, uint8_t a)
{
	if (MLFY_GROW(v->votes, *cap, v->n_votes + 1))
		return -1;
	v->votes[v->n_votes].question = q;
	v->votes[v->n_votes].rater = r;
	v->votes[v->n_votes].answer = a;
	v->n_votes++;
	return 0;
}

/* ---- a small string -> index map (open addressing, FNV-1a) ------------------ */

struct name_map {
	char **names;      /* [n] in first-seen order (owned) */
	size_t n, cap;
	int64_t *slot;     /* [n_slots] index + 1, 0 = empty */
	size_t n_slots;
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

static void name_map_free(struct name_map *m)
{
	size_t i;
	for (i = 0; i < m->n; i++)
		free(m->names[i]);
	MLFY_FREE_ALL(m->names, m->slot);
	memset(m, 0, sizeof(*m));
}

static int name_map_grow(struct name_map *m)
{
	size_t ns = m->n_slots ? 2 * m->n_slots : 64, i;
	int64_t *slot = calloc(ns, sizeof(*slot));
	if (!slot)
		return -1;
	for (i = 0; i < m->n; i++) {
		size_t h = (size_t)(fnv1a(m->names[i]) & (ns - 1));
		while (slot[h])
			h = (h + 1) & (ns - 1);
		slot[h] = (int64_t)i + 1;
	}
	free(m->slot);
	m->slot = slot;
	m->n_slots = ns;
	return 0;
}

/* Index of name, adding it when new; -1 on out of memory. */
static int64_t name_map_get(struct name_map *m, const char *name)
{
	size_t h;
	if (2 * (m->n + 1) > m->n_slots && name_map_grow(m))
		return -1;
	h = (size_t)(fnv1a(name) & (m->n_slots - 1));
	while (m->slot[h]) {
		if (!strcmp(m->names[m->slot[h] - 1], name))
			return m->slot[h] - 1;
		h = (h + 1) & (m->n_slots - 1);
	}
	if (MLFY_GROW(m->names, m->cap, m->n + 1))
		return -1;
	if (!(m->names[m->n] = strdup(name)))
		return -1;
	m->slot[h] = (int64_t)m->n + 1;
	return (int64_t)m->n++;
}

static int cmp_str_idx(const void *a, const void *b, void *names)
{
	char **n = names;
	return strcmp(n[*(const uint32_t *)a], n[*(const uint32_t *)b]);
}

/* Moves the map's names into v->rater sorted by name and renumbers the
 * votes' raters accordingly. */
static int adopt_raters_sorted(struct mlfy_vote_set *v, struct name_map *m, struct mlfy_err *err)
{
	uint32_t *order = malloc((m->n ? m->n : 1) * sizeof(*order));
	uint32_t *rank = malloc((m->n ? m->n : 1) * sizeof(*rank));
	size_t i;

	if (!order || !rank || !(v->rater = malloc((m->n ? m->n : 1) * sizeof(*v->rater)))) {
		MLFY_FREE_ALL(order, rank);
		return mlfy_err_oom(err);
	}
	for (i = 0; i < m->n; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, m->n, sizeof(*order), cmp_str_idx, m->names);
	for (i = 0; i < m->n; i++) {
		rank[order[i]] = (uint32_t)i;
		v->rater[i] = m->names[order[i]];
	}
	v->n_raters = m->n;
	for (i = 0; i < v->n_votes; i++)
		v->votes[i].rater = rank[v->votes[i].rater];
	free(m->names);
	m->names = NULL;
	m->n = 0;
	MLFY_FREE_ALL(order, rank);
	return 0;
}

/* ---- ReaL .npz ----------------------------------------------------------------- */

static int cmp_id_idx(const void *a, const void *b, void *ids)
{
	const int64_t *id = ids;
	int64_t x = id[*(const uint32_t *)a], y = id[*(const uint32_t *)b];
	return (x > y) - (x < y);
}

/* A rater id given twice would give one rater two answers to one question:
 * refused (the votes table keeps one answer per rater and question); so is
 * a question given twice (info_upto). */
static int check_raters(const char *path, const struct mlfy_vote_set *v, const int64_t *id, struct mlfy_err *err)
{
	uint32_t *order = malloc((v->n_raters ? v->n_raters : 1) * sizeof(*order));
	size_t i;
	int rc = 0;

	if (!order)
		return mlfy_err_oom(err);
	for (i = 0; i < v->n_raters; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, v->n_raters, sizeof(*order), cmp_id_idx, (void *)id);
	for (i = 1; i < v->n_raters && !rc; i++)
		if (id[order[i]] == id[order[i - 1]])
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: ids[%u] and ids[%u] are both rater %" PRId64
					  " (each tensor row must be another rater)", path,
					  order[i] < order[i - 1] ? order[i] : order[i - 1],
					  order[i] < order[i - 1] ? order[i - 1] : order[i], id[order[i]]);
	free(order);
	return rc;
}

/* 1 when s holds an ASCII control character (C0 or DEL): not an image
 * name, and unsafe to echo into CSV, logs or terminals. */
static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* A class index: decimal digits only (no sign, no white space, which
 * strtol alone would accept), at most INT32_MAX. */
static int parse_label(const char *text, int32_t *out)
{
	const char *p;
	char *end;
	long v;
	for (p = text; *p; p++)
		if (*p < '0' || *p > '9')
			return -1;
	if (p == text)
		return -1;
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || *end || v < 0 || v > INT32_MAX)
		return -1;
	*out = (int32_t)v;
	return 0;
}

/* Streaming buffer of the tensor and info members (bytes, about). */
#define NPZ_CHUNK (128u << 10)

/* The info member (N x 2 strings) read in steps into out->image /
 * out->label, so that it can go along with the tensor: both strings of a
 * row are decoded into a scratch buffer, and only the image name is kept
 * (one allocation of its exact size).  Each question (image, label) goes
 * into a hash set (FNV-1a of the image, mixed with the label): one given
 * twice is refused, naming its first row and the repeat. */
struct info_reader {
	const char *path;
	struct mlfy_npz_stream *st;
	struct mlfy_vote_set *out;
	size_t row, per, room, n;    /* bytes per row, rows per read, scratch per string, rows read */
	unsigned char *buf;          /* [per * row] */
	char *text;                  /* [2 * room] */
	uint32_t *slot;              /* [mask + 1] question index + 1, 0 = empty */
	size_t mask;
};

static int info_open(struct info_reader *ir, const char *path, struct mlfy_npz_stream *st,
		     struct mlfy_vote_set *out, struct mlfy_err *err)
{
	const struct mlfy_npy *h = mlfy_npz_stream_header(st);
	memset(ir, 0, sizeof(*ir));
	ir->path = path;
	ir->st = st;
	ir->out = out;
	ir->row = 2 * h->itemsize;
	ir->per = NPZ_CHUNK / (ir->row ? ir->row : 1);
	if (ir->per == 0)
		ir->per = 1;
	ir->room = 4 * h->str_len + 1;
	for (ir->mask = 63; ir->mask < 2 * out->n_questions; ir->mask = 2 * ir->mask + 1)
		;
	ir->buf = malloc(ir->per * ir->row > 0 ? ir->per * ir->row : 1);
	ir->text = malloc(2 * ir->room);
	ir->slot = calloc(ir->mask + 1, sizeof(*ir->slot));
	if (!ir->buf || !ir->text || !ir->slot) {
		MLFY_FREE_ALL(ir->buf, ir->text, ir->slot);
		return mlfy_err_oom(err);
	}
	return 0;
}

static void info_close(struct info_reader *ir)
{
	MLFY_FREE_ALL(ir->buf, ir->text, ir->slot);
}

/* Adds question n (image and label set) to the set; MLFY_EINVAL when an
 * earlier row holds the same question. */
static int info_unique(struct info_reader *ir, size_t n, struct mlfy_err *err)
{
	const struct mlfy_vote_set *v = ir->out;
	uint64_t x = (fnv1a(v->image[n]) ^ (uint32_t)v->label[n]) * 0x9e3779b97f4a7c15ULL;
	size_t h = (size_t)(x >> 32) & ir->mask;

	for (; ir->slot[h]; h = (h + 1) & ir->mask) {
		uint32_t j = ir->slot[h] - 1;
		if (v->label[j] == v->label[n] && !strcmp(v->image[j], v->image[n]))
			return mlfy_err_set(err, MLFY_EINVAL, "%s: info[%u] and info[%zu] are the same question"
					    " (image '%s', label %d)", ir->path, j, n, v->image[n], (int)v->label[n]);
	}
	ir->slot[h] = (uint32_t)(n + 1);
	return 0;
}

/* Reads rows until upto (<= N) have been read. */
static int info_upto(struct info_reader *ir, size_t upto, struct mlfy_err *err)
{
	const struct mlfy_npy *h = mlfy_npz_stream_header(ir->st);
	struct mlfy_vote_set *out = ir->out;
	const char *path = ir->path;
	int rc = 0;

	while (ir->n < upto && !rc) {
		size_t k = upto - ir->n < ir->per ? upto - ir->n : ir->per, i, n;
		if ((rc = mlfy_npz_stream_read(ir->st, ir->buf, k * ir->row, err)))
			break;
		for (i = 0, n = ir->n; i < k && !rc; i++, n++) {
			char *s[2] = { ir->text, ir->text + ir->room };
			size_t len[2], bad = 0, c;
			uint32_t cp = 0;
			for (c = 0; c < 2 && !rc; c++)
				if ((len[c] = mlfy_utf32le_to_utf8(ir->buf + i * ir->row + c * h->itemsize, h->str_len,
								   s[c], &bad, &cp)) == SIZE_MAX)
					rc = mlfy_err_set(err, MLFY_EINVAL, "%s: info[%zu][%zu]: %s U+%04X", path, n, c,
							  cp == 0 ? "embedded NUL character" : "invalid code point", cp);
			if (rc)
				break;
			if (parse_label(s[1], &out->label[n]))
				rc = mlfy_err_set(err, MLFY_EINVAL, "%s: info[%zu]: label '%s' is not a class index", path, n,
						  s[1]);
			else if (!len[0] || has_control(s[0]))
				rc = mlfy_err_set(err, MLFY_EINVAL, "%s: info[%zu]: image name is %s", path, n,
						  len[0] ? "not printable (a control character)" : "empty");
			else if (!(out->image[n] = malloc(len[0] + 1)))
				rc = mlfy_err_oom(err);
			else {
				memcpy(out->image[n], s[0], len[0] + 1);
				rc = info_unique(ir, n, err);
			}
		}
		ir->n += k;
	}
	return rc;
}

/* Class of one tensor element: 0 (zero), 1 (one) or 2 (anything else). */
static int element_class(int dtype, const unsigned char *p)
{
	double d;
	switch (dtype) {
	case MLFY_NPY_F8: memcpy(&d, p, 8); break;
	case MLFY_NPY_F4: { float f; memcpy(&f, p, 4); d = f; break; }
	case MLFY_NPY_F2: { uint16_t hf; memcpy(&hf, p, 2); d = mlfy_half_to_float(hf); break; }
	case MLFY_NPY_I4: { int32_t x; memcpy(&x, p, 4); return x == 0 ? 0 : x == 1 ? 1 : 2; }
	case MLFY_NPY_I8: { int64_t x; memcpy(&x, p, 8); return x == 0 ? 0 : x == 1 ? 1 : 2; }
	default: return p[0] == 0 ? 0 : p[0] == 1 ? 1 : 2;   /* |u1, |b1 */
	}
	return d == 0.0 ? 0 : d == 1.0 ? 1 : 2;
}

/* Streams the tensor (R x N x A, any numeric dtype) into sparse votes: the
 * buffer is scanned a word at a time for non-zero bytes (almost every
 * answer triple is all zero), and only triples holding one are decoded.
 * The info rows are read along, in proportion (ir), so that both members
 * are inflated (npz.h: a thread each) while this thread decodes. */
static int read_tensor(const char *path, struct mlfy_npz_stream *st, struct info_reader *ir,
		       struct mlfy_vote_set *out, struct mlfy_err *err)
{
	const struct mlfy_npy *h = mlfy_npz_stream_header(st);
	size_t A = (size_t)out->n_answers, N = out->n_questions, tb = A * h->itemsize;
	size_t per = NPZ_CHUNK / tb / 8 * 8, total = out->n_raters * N, base = 0, cap = 0;
	unsigned char *buf;
	int rc = 0;

	if (per == 0)
		per = 8;
	if (!(buf = malloc(per * tb)))
		return mlfy_err_oom(err);
	while (base < total && !rc) {
		size_t k = total - base < per ? total - base : per, len = k * tb, b = 0;
		if ((rc = mlfy_npz_stream_read(st, buf, len, err)) ||
		    (rc = info_upto(ir, (size_t)((double)(base + k) / (double)total * (double)N), err)))
			break;
		while (b < len) {
			size_t t, a, ones = 0, hot = 0;
			uint64_t w = 0;
			if (len - b >= 8) {
				memcpy(&w, buf + b, 8);
				if (!w) {
					b += 8;
					continue;
				}
				b += (size_t)__builtin_ctzll(w) / 8;
			} else if (!buf[b]) {
				b++;
				continue;
			}
			t = b / tb;   /* the triple holding the first non-zero byte */
			for (a = 0; a < A; a++) {
				int c = element_class(h->dtype, buf + t * tb + a * h->itemsize);
				if (c == 1) {
					ones++;
					hot = a;
				} else if (c == 2) {
					ones = 99;
				}
			}
			b = (t + 1) * tb;
			if (ones == 0)
				continue;   /* -0.0: not answered */
			if (ones != 1) {
				rc = mlfy_err_set(err, MLFY_EINVAL, "%s: tensor[%zu][%zu] is neither one-hot nor all zero",
						  path, (base + t) / N, (base + t) % N);
				break;
			}
			if (push_vote(out, &cap, (uint32_t)((base + t) % N), (uint32_t)((base + t) / N), (uint8_t)hot)) {
				rc = mlfy_err_oom(err);
				break;
			}
		}
		base += k;
	}
	free(buf);
	return rc;
}

int mlfy_vote_set_read_npz(const char *path, struct mlfy_vote_set *out, struct mlfy_err *err)
{
	struct mlfy_npz *z = NULL;
	struct mlfy_npz_stream *tensor_st = NULL, *info_st = NULL;
	const struct mlfy_npy *tensor, *info;
	struct mlfy_npy *ids = NULL;
	struct info_reader ir;
	int64_t *id = NULL;
	size_t R, N, A, r;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = mlfy_npz_open(path, &z, err)))
		return rc;
	if ((rc = mlfy_npz_stream_open(z, "tensor", &tensor_st, err)) ||
	    (rc = mlfy_npz_stream_open(z, "info", &info_st, err)) || (rc = mlfy_npz_member(z, "ids", &ids, err)))
		goto out;
	tensor = mlfy_npz_stream_header(tensor_st);
	info = mlfy_npz_stream_header(info_st);
	if (tensor->ndim != 3) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: tensor has %d dimensions, expected 3 (raters x questions x answers)",
				  path, tensor->ndim);
		goto out;
	}
	if (tensor->dtype == MLFY_NPY_U) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: tensor holds strings (%s), expected numbers (float64, float32,"
				  " bool or int: <f8, <f4, <f2, |b1, |u1, <i4, <i8)", path, tensor->descr);
		goto out;
	}
	R = tensor->shape[0];
	N = tensor->shape[1];
	A = tensor->shape[2];
	if (A < 2 || A > MLFY_MAX_ANSWERS) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: tensor has %zu answer options, expected 2 to %d", path, A,
				  MLFY_MAX_ANSWERS);
		goto out;
	}
	if (R > UINT32_MAX || N > UINT32_MAX) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: tensor is too large (%zu x %zu)", path, R, N);
		goto out;
	}
	if (info->ndim != 2 || info->shape[0] != N || info->shape[1] != 2 || info->dtype != MLFY_NPY_U) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: info must be a %zu x 2 string array (file, label), got %s with"
				  " %d dimensions", path, N, info->descr, info->ndim);
		goto out;
	}
	if (ids->ndim != 1 || ids->shape[0] != R) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: ids must hold %zu rater ids (one per tensor row)", path, R);
		goto out;
	}
	if ((rc = mlfy_npy_read_int64(ids, &id, err)))
		goto out;
	out->n_questions = N;
	out->n_answers = (int)A;
	if (!(out->image = calloc(N ? N : 1, sizeof(*out->image))) ||
	    !(out->label = malloc((N ? N : 1) * sizeof(*out->label))) ||
	    !(out->rater = calloc(R ? R : 1, sizeof(*out->rater)))) {
		rc = mlfy_err_oom(err);
		goto out;
	}
	out->n_raters = R;
	for (r = 0; r < R; r++) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%" PRId64, id[r]);
		if (!(out->rater[r] = strdup(buf))) {
			rc = mlfy_err_oom(err);
			goto out;
		}
	}
	if ((rc = check_raters(path, out, id, err)) || (rc = info_open(&ir, path, info_st, out, err)))
		goto out;
	rc = read_tensor(path, tensor_st, &ir, out, err);
	if (!rc)
		rc = info_upto(&ir, N, err);
	info_close(&ir);
out:
	free(id);
	mlfy_npz_stream_close(tensor_st);
	mlfy_npz_stream_close(info_st);
	mlfy_npy_close(ids);
	mlfy_npz_close(z);
	if (rc)
		mlfy_vote_set_release(out);
	return rc;
}

/* ---- from the votes table --------------------------------------------------------- */

struct load_ctx {
	struct mlfy_vote_set *v;
	struct name_map raters;
	size_t cap_q, cap_v;
	int64_t last_q;
	char last_rater[256];
	int oom;
};

/* Room for need questions in v's parallel arrays (image, label and, with
 * ids, question_id), which share the capacity *cap.  0 or -1. */
static int questions_grow(struct mlfy_vote_set *v, size_t *cap, size_t need, int ids)
{
	size_t c1 = *cap;
	size_t c2 = c1;
	if ((ids && MLFY_GROW(v->question_id, c1, need)) || MLFY_GROW(v->label, c2, need) ||
	    MLFY_GROW(v->image, *cap, need))
		return -1;
	return 0;
}

static int load_cb(const struct mlfy_vote_row *row, void *ctx)
{
	struct load_ctx *c = ctx;
	struct mlfy_vote_set *v = c->v;
	int64_t r;

	if (row->question_id != c->last_q) {
		if (questions_grow(v, &c->cap_q, v->n_questions + 1, 1))
			goto nomem;
		if (!(v->image[v->n_questions] = strdup(row->image)))
			goto nomem;
		v->label[v->n_questions] = row->class_idx;
		v->question_id[v->n_questions] = row->question_id;
		v->n_questions++;
		c->last_q = row->question_id;
		c->last_rater[0] = '\0';
	} else if (!strcmp(c->last_rater, row->rater)) {
		return 0;   /* the same rater under another source: the first source wins */
	}
	snprintf(c->last_rater, sizeof(c->last_rater), "%s", row->rater);
	if ((r = name_map_get(&c->raters, row->rater)) < 0)
		goto nomem;
	if (push_vote(v, &c->cap_v, (uint32_t)(v->n_questions - 1), (uint32_t)r, (uint8_t)row->answer))
		goto nomem;
	return 0;
nomem:
	c->oom = 1;
	return MLFY_ENOMEM;
}

int mlfy_vote_set_from_store(struct mlfy_store *s, const char *source, struct mlfy_vote_set *out,
			     struct mlfy_err *err)
{
	struct load_ctx c;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.v = out;
	c.last_q = -1;
	out->n_answers = 3;
	rc = mlfy_votes_foreach(s, source, load_cb, &c, err);
	if (c.oom)
		rc = mlfy_err_oom(err);
	if (!rc && out->n_votes == 0)
		rc = mlfy_err_set(err, MLFY_ENOTFOUND, source ? "the project has no votes from '%s'"
				  : "the project has no votes%s (answers from the /verify grid, or votes imported with"
				    " 'mlfy import-votes')",
				  source ? source : "");
	if (!rc)
		rc = adopt_raters_sorted(out, &c.raters, err);
	name_map_free(&c.raters);
	if (rc)
		mlfy_vote_set_release(out);
	return rc;
}

/* ---- from stage-ii annotations ---------------------------------------------------- */

struct ann_ctx {
	struct mlfy_vote_set *v;
	struct name_map raters;
	size_t cap_q, cap_v;
	int32_t *classes;
	size_t cap_c;
	int oom;
};

static int contains(const int32_t *v, size_t n, int32_t x)
{
	return n && bsearch(&x, v, n, sizeof(*v), mlfy_cmp_i32) != NULL;
}

static int ann_cb(const struct mlfy_review_image *img, void *ctx)
{
	struct ann_ctx *c = ctx;
	struct mlfy_vote_set *v = c->v;
	size_t i, j, n = 0, k, first_q;

	/* the union of every annotator's shown and chosen classes */
	for (i = 0; i < img->n_ann; i++) {
		const struct mlfy_review_annotation *a = &img->ann[i];
		if (!a->annotation_id)
			continue;
		if (MLFY_GROW(c->classes, c->cap_c, n + a->n_shown + a->n_labels))
			goto nomem;
		if (a->n_shown)
			memcpy(c->classes + n, a->shown, a->n_shown * sizeof(int32_t));
		n += a->n_shown;
		if (a->n_labels)
			memcpy(c->classes + n, a->labels, a->n_labels * sizeof(int32_t));
		n += a->n_labels;
	}
	if (!n)
		return 0;
	qsort(c->classes, n, sizeof(int32_t), mlfy_cmp_i32);
	for (i = 1, k = 1; i < n; i++)
		if (c->classes[i] != c->classes[k - 1])
			c->classes[k++] = c->classes[i];
	n = k;
	if (questions_grow(v, &c->cap_q, v->n_questions + n, 0))
		goto nomem;
	first_q = v->n_questions;
	for (i = 0; i < n; i++) {
		if (!(v->image[v->n_questions] = strdup(img->name)))
			goto nomem;
		v->label[v->n_questions] = c->classes[i];
		v->n_questions++;
	}
	for (i = 0; i < img->n_ann; i++) {
		const struct mlfy_review_annotation *a = &img->ann[i];
		int64_t r;
		if (!a->annotation_id)
			continue;
		if ((r = name_map_get(&c->raters, a->annotator)) < 0)
			goto nomem;
		for (j = 0; j < n; j++) {
			int32_t cl = c->classes[j];
			int chosen = contains(a->labels, a->n_labels, cl);
			if (!chosen && !contains(a->shown, a->n_shown, cl))
				continue;  /* neither shown to nor chosen by this annotator */
			if (push_vote(v, &c->cap_v, (uint32_t)(first_q + j), (uint32_t)r, chosen ? 2 : 0))
				goto nomem;
		}
	}
	return 0;
nomem:
	c->oom = 1;
	return MLFY_ENOMEM;
}

int mlfy_vote_set_from_annotations(struct mlfy_store *s, struct mlfy_vote_set *out,
				   struct mlfy_err *err)
{
	struct ann_ctx c;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.v = out;
	out->n_answers = 3;
	rc = mlfy_review_foreach_image(s, ann_cb, &c, err);
	if (c.oom)
		rc = mlfy_err_oom(err);
	if (!rc && out->n_votes == 0)
		rc = mlfy_err_set(err, MLFY_ENOTFOUND, "the project has no stage-ii annotations yet");
	if (!rc)
		rc = adopt_raters_sorted(out, &c.raters, err);
	name_map_free(&c.raters);
	free(c.classes);
	if (rc)
		mlfy_vote_set_release(out);
	return rc;
}

/* ---- into the store ------------------------------------------------------------------ */

int mlfy_vote_set_store(struct mlfy_store *s, const struct mlfy_vote_set *v, const char *source,
			int check_classes, int64_t *n_questions, int64_t *n_votes,
			struct mlfy_err *err)
{
	int64_t *qid = NULL;
	size_t n_classes = 0, i;
	int rc;

	if (n_questions)
		*n_questions = 0;
	if (n_votes)
		*n_votes = 0;
	if (v->n_answers != 2 && v->n_answers != 3)
		return mlfy_err_set(err, MLFY_EINVAL, "votes with %d answer options cannot be stored"
				    " (the project stores no/maybe/yes)", v->n_answers);
	if (check_classes) {
		if ((rc = mlfy_catalog_n_classes(s, &n_classes, err)))
			return rc;
		for (i = 0; i < v->n_questions; i++)
			if (v->label[i] < 0 || (size_t)v->label[i] >= n_classes)
				return mlfy_err_set(err, MLFY_EINVAL,
						    "question %zu (%s): class %d is not one of the project's %zu classes",
						    i, v->image[i], (int)v->label[i], n_classes);
	}
	if (!(qid = malloc((v->n_questions ? v->n_questions : 1) * sizeof(*qid))))
		return mlfy_err_oom(err);
	if ((rc = mlfy_store_begin(s, err))) {
		free(qid);
		return rc;
	}
	if ((rc = mlfy_votes_delete_source(s, source, NULL, err)))
		goto fail;
	for (i = 0; i < v->n_questions; i++)
		if ((rc = mlfy_votes_question(s, v->image[i], v->label[i], &qid[i], err)))
			goto fail;
	for (i = 0; i < v->n_votes; i++) {
		int answer = v->votes[i].answer;
		if (v->n_answers == 2)
			answer *= 2;  /* no/yes -> no/yes of the 3-option scale */
		if ((rc = mlfy_votes_put(s, qid[v->votes[i].question], v->rater[v->votes[i].rater], answer, source,
					 err)))
			goto fail;
	}
	if ((rc = mlfy_store_commit(s, err)))
		goto fail;
	free(qid);
	if (n_questions)
		*n_questions = (int64_t)v->n_questions;
	if (n_votes)
		*n_votes = (int64_t)v->n_votes;
	return 0;
fail:
	mlfy_store_rollback(s);
	free(qid);
	return rc;
}

/* ---- aggregation results -------------------------------------------------------------- */

static int cmp_q_image(const void *x, const void *y, void *set)
{
	const struct mlfy_vote_set *v = set;
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	int c = strcmp(v->image[a], v->image[b]);
	if (c)
		return c;
	return (v->label[a] > v->label[b]) - (v->label[a] < v->label[b]);
}

int mlfy_vote_set_store_results(struct mlfy_store *s, const struct mlfy_vote_set *v, const char *method,
				const double *posterior, const uint8_t *label, double threshold, int set_final,
				struct mlfy_aggregate_apply *res, struct mlfy_err *err)
{
	uint32_t *order = NULL;
	int *pos = NULL;
	size_t i, start, end;
	int rc;

	memset(res, 0, sizeof(*res));
	if (!v->question_id)
		return mlfy_err_set(err, MLFY_EINVAL, "aggregation results need stored questions");
	if ((rc = mlfy_store_begin(s, err)))
		return rc;
	if ((rc = mlfy_aggregations_clear(s, method, err)))
		goto fail;
	for (i = 0; i < v->n_questions; i++) {
		if ((rc = mlfy_aggregations_put(s, v->question_id[i], method, posterior[i], label[i], threshold, err)))
			goto fail;
		res->stored++;
	}
	order = malloc((v->n_questions ? v->n_questions : 1) * sizeof(*order));
	pos = malloc((v->n_questions ? v->n_questions : 1) * sizeof(*pos));
	if (!order || !pos) {
		rc = mlfy_err_oom(err);
		goto fail;
	}
	for (i = 0; i < v->n_questions; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, v->n_questions, sizeof(*order), cmp_q_image, (void *)v);
	for (start = 0; start < v->n_questions; start = end) {
		struct mlfy_final cur;
		int64_t image_id;
		size_t n_pos = 0;
		int changed;
		for (end = start + 1; end < v->n_questions && !strcmp(v->image[order[end]], v->image[order[start]]); end++)
			;
		res->images++;
		if (!set_final)
			continue;
		rc = mlfy_catalog_image_id(s, v->image[order[start]], &image_id, err);
		if (rc == MLFY_ENOTFOUND) {
			res->unknown++;
			continue;
		}
		if (rc)
			goto fail;
		rc = mlfy_final_get(s, image_id, &cur, err);
		if (rc == 0) {
			int other = cur.stage != MLFY_FINAL_AGGREGATED;
			mlfy_final_release(&cur);
			if (other) {
				res->kept++;
				continue;
			}
		} else if (rc != MLFY_ENOTFOUND) {
			goto fail;
		}
		for (i = start; i < end; i++)
			if (label[order[i]])
				pos[n_pos++] = v->label[order[i]];
		if ((rc = mlfy_review_final_update(s, image_id, MLFY_FINAL_AGGREGATED, pos, n_pos, 0, &changed, err)))
			goto fail;
		res->decided++;
		res->changed += changed;
	}
	if ((rc = mlfy_store_commit(s, err)))
		goto fail;
	MLFY_FREE_ALL(order, pos);
	mlfy_err_clear(err);
	return 0;
fail:
	mlfy_store_rollback(s);
	MLFY_FREE_ALL(order, pos);
	return rc;
}
