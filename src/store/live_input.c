/* live_input.c - the reads of the live project view (live_input.h): the
 * signature, the highest change sequence number, and every image, or the
 * changed ones, with their final sets and proposals, each as three ordered
 * cursors (images, final labels, proposals) merged on one key.  Reads
 * only. */
#include "store/live_input.h"
#include "store/engine.h"
#include "store/proposals.h"
#include "util/vec.h"

#include <stdlib.h>
#include <string.h>

int mlfy_live_read_begin(struct mlfy_store *s, int *began, struct mlfy_err *err)
{
	return store_read_begin(s, began, err);
}

void mlfy_live_read_end(struct mlfy_store *s, int began)
{
	store_read_end(s, began);
}

/* ---- signature ------------------------------------------------------------ */

#define FNV_OFFSET 14695981039346656037ull
#define FNV_PRIME 1099511628211ull

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;
	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= FNV_PRIME;
	}
	return h;
}

static const char SQL_SIG_MODELS[] = "SELECT id, name, source, kind, created_at FROM models ORDER BY id";
static const char SQL_MAX_IMAGE[] = "SELECT COALESCE(MAX(id), 0) FROM images";
static const char SQL_MAX_SEQ[] = "SELECT COALESCE(MAX(seq), 0) FROM final_changes";

int mlfy_live_signature_get(struct mlfy_store *s, struct mlfy_live_signature *sig,
			    struct mlfy_err *err)
{
	struct store_stmt *st;
	uint64_t h = FNV_OFFSET;
	int rc, c;

	memset(sig, 0, sizeof(*sig));
	STMT(st, SQL_SIG_MODELS);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		int64_t id = stmt_int64(st, 0);
		h = fnv(h, &id, sizeof(id));
		for (c = 1; c < 5; c++) {
			const char *t = stmt_text(st, c);
			/* each text with its terminating NUL, so that fields cannot run
			 * into each other ("ab","c" vs "a","bc") */
			h = t ? fnv(h, t, strlen(t) + 1) : fnv(h, "\xff", 1);
		}
	}
	stmt_reset(st);
	if (rc != STORE_DONE)
		return store_fail(s, err, "read models");
	sig->models = h;
	if ((rc = mlfy_models_active_id(s, &sig->active_model, err)))
		return rc;
	return store_scalar(s, SQL_MAX_IMAGE, &sig->max_image, "read images", err);
}

int mlfy_live_signature_equal(const struct mlfy_live_signature *a,
			      const struct mlfy_live_signature *b)
{
	return a->models == b->models && a->active_model == b->active_model &&
	       a->max_image == b->max_image;
}

int mlfy_live_max_seq(struct mlfy_store *s, int64_t *seq, struct mlfy_err *err)
{
	return store_scalar(s, SQL_MAX_SEQ, seq, "read final changes", err);
}

int mlfy_live_count_changes(struct mlfy_store *s, int64_t since, int64_t *n, struct mlfy_err *err)
{
	static const char sql[] = "SELECT COUNT(*) FROM final_changes WHERE seq > ?1";
	struct store_stmt *st;

	*n = 0;
	STMT(st, sql);
	stmt_bind_int64(st, 1, since);
	return store_query_i64(s, st, 0, n, "count final changes", err);
}

/* ---- images --------------------------------------------------------------- */

/* Each walk is three queries ordered by one key (column 0): the image id in
 * the full walk, the change's seq otherwise (unique per image).  The image
 * query's columns: key, id, seq, original label, decided; the labels':
 * key, class; the proposals': key, model, rank, class.  The changes: ?1 =
 * since, ?2 = the active model; the full walk: ?1 = the active model
 * (PostgreSQL refuses a statement with a parameter it never sees).  The changes are ordered by seq
 * alone (no sorter per image inside the engine, about a fifth of their
 * cost): one image's rows are put in order here. */
static const char SQL_ALL_IMAGES[] =
	"SELECT i.id, i.id, 0, COALESCE(i.original_label, -1), CAST(f.image_id IS NOT NULL AS INTEGER)"
	" FROM images i LEFT JOIN final_status f ON f.image_id = i.id"
	" ORDER BY i.id";
static const char SQL_ALL_LABELS[] =
	"SELECT image_id, class_idx FROM final_labels ORDER BY image_id, class_idx";
static const char SQL_ALL_PROPOSALS[] =
	"SELECT image_id, model_id, rank, class_idx FROM proposals"
	" WHERE rank = 0 OR model_id = ?1 ORDER BY image_id, model_id, rank";

static const char SQL_CH_IMAGES[] =
	"SELECT c.seq, c.image_id, c.seq, -1, CAST(f.image_id IS NOT NULL AS INTEGER)"
	" FROM final_changes c LEFT JOIN final_status f ON f.image_id = c.image_id"
	" WHERE c.seq > ?1 ORDER BY c.seq";
static const char SQL_CH_LABELS[] =
	"SELECT c.seq, l.class_idx FROM final_changes c JOIN final_labels l ON l.image_id = c.image_id"
	" WHERE c.seq > ?1 ORDER BY c.seq";
static const char SQL_CH_PROPOSALS[] =
	"SELECT c.seq, p.model_id, p.rank, p.class_idx FROM final_changes c"
	" JOIN proposals p ON p.image_id = c.image_id"
	" WHERE c.seq > ?1 AND (p.rank = 0 OR p.model_id = ?2) ORDER BY c.seq";

/* A proposal of the active model: rank, class. */
struct ranked {
	int rank, cls;
};

/* Per-image buffers, reused from image to image. */
struct bufs {
	int *labels;
	size_t cap_labels;
	struct mlfy_live_top1 *top1;
	size_t cap_top1;
	struct ranked *ranked;
	size_t cap_ranked;
	int *props;
	size_t cap_props;
};

/* Insertion sorts: a handful of rows per image, almost always in order
 * already (the full walk reads them in index order), so O(n). */
static void sort_labels(int *v, size_t n)
{
	size_t i, j;
	for (i = 1; i < n; i++) {
		int x = v[i];
		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static void sort_top1(struct mlfy_live_top1 *v, size_t n)
{
	size_t i, j;
	for (i = 1; i < n; i++) {
		struct mlfy_live_top1 x = v[i];
		for (j = i; j > 0 && v[j - 1].model_id > x.model_id; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static void sort_ranked(struct ranked *v, size_t n)
{
	size_t i, j;
	for (i = 1; i < n; i++) {
		struct ranked x = v[i];
		for (j = i; j > 0 && v[j - 1].rank > x.rank; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* since < 0: the full walk (its queries have no ?1). */
static int walk(struct mlfy_store *s, const char *sql_img, const char *sql_lab, const char *sql_prop,
		int64_t since, int64_t active_model, size_t k, mlfy_live_image_cb cb, void *ctx,
		struct mlfy_err *err)
{
	struct store_stmt *im = NULL, *lb = NULL, *pr = NULL;
	struct bufs b = { 0 };
	int rc = 0, ri = STORE_DONE, rl = STORE_DONE, rp = STORE_DONE, began = 0;

	if (k < 1 || k > 64)
		return mlfy_err_set(err, MLFY_EINVAL, "proposal count %zu is not in [1, 64]", k);
	if ((rc = store_read_begin(s, &began, err)))
		return rc;
	if (!(im = store_stmt(s, sql_img, err)) || !(lb = store_stmt(s, sql_lab, err)) ||
	    !(pr = store_stmt(s, sql_prop, err))) {
		rc = err ? err->code : MLFY_ESTORE;
		goto out;
	}
	if (since >= 0) {
		stmt_bind_int64(im, 1, since);
		stmt_bind_int64(lb, 1, since);
		stmt_bind_int64(pr, 1, since);
		stmt_bind_int64(pr, 2, active_model);
	} else {
		stmt_bind_int64(pr, 1, active_model);
	}
	rl = stmt_step(lb);
	rp = stmt_step(pr);
	while ((ri = stmt_step(im)) == STORE_ROW) {
		struct mlfy_live_image img = { 0 };
		int64_t key = stmt_int64(im, 0);
		size_t nl = 0, nt = 0, nr = 0, np, i;

		img.id = stmt_int64(im, 1);
		img.seq = stmt_int64(im, 2);
		img.original = stmt_int(im, 3);
		img.decided = stmt_int(im, 4) != 0;
		while (rl == STORE_ROW && stmt_int64(lb, 0) < key)   /* none: labels need an image */
			rl = stmt_step(lb);
		for (; rl == STORE_ROW && stmt_int64(lb, 0) == key; rl = stmt_step(lb)) {
			if (MLFY_GROW(b.labels, b.cap_labels, nl + 1))
				goto oom;
			b.labels[nl++] = stmt_int(lb, 1);
		}
		while (rp == STORE_ROW && stmt_int64(pr, 0) < key)
			rp = stmt_step(pr);
		for (; rp == STORE_ROW && stmt_int64(pr, 0) == key; rp = stmt_step(pr)) {
			int64_t model = stmt_int64(pr, 1);
			if (stmt_int(pr, 2) == 0) {
				if (MLFY_GROW(b.top1, b.cap_top1, nt + 1))
					goto oom;
				b.top1[nt].model_id = model;
				b.top1[nt++].class_idx = stmt_int(pr, 3);
			}
			if (model == active_model) {
				if (MLFY_GROW(b.ranked, b.cap_ranked, nr + 1))
					goto oom;
				b.ranked[nr].rank = stmt_int(pr, 2);
				b.ranked[nr++].cls = stmt_int(pr, 3);
			}
		}
		if (rl == STORE_ERROR || rp == STORE_ERROR)
			break;
		/* the active model's first k by rank, as mlfy_proposals_get reads them */
		sort_ranked(b.ranked, nr);
		np = nr < k ? nr : k;
		if (np && MLFY_GROW(b.props, b.cap_props, np))
			goto oom;
		for (i = 0; i < np; i++)
			b.props[i] = b.ranked[i].cls;
		sort_labels(b.labels, nl);
		sort_top1(b.top1, nt);
		img.labels = b.labels;
		img.n_labels = img.decided ? nl : 0;
		img.top1 = b.top1;
		img.n_top1 = nt;
		img.proposals = b.props;
		img.n_proposals = np;
		if ((rc = cb(&img, ctx)))
			goto out;
	}
	if (ri != STORE_DONE || rl == STORE_ERROR || rp == STORE_ERROR)
		rc = store_fail(s, err, "read the live view's images");
	goto out;
oom:
	rc = mlfy_err_oom(err);
out:
	if (im)
		stmt_reset(im);
	if (lb)
		stmt_reset(lb);
	if (pr)
		stmt_reset(pr);
	MLFY_FREE_ALL(b.labels, b.top1, b.ranked, b.props);
	store_read_end(s, began);
	return rc;
}

int mlfy_live_images(struct mlfy_store *s, int64_t active_model, size_t k, mlfy_live_image_cb cb,
		     void *ctx, struct mlfy_err *err)
{
	return walk(s, SQL_ALL_IMAGES, SQL_ALL_LABELS, SQL_ALL_PROPOSALS, -1, active_model, k, cb, ctx,
		    err);
}

int mlfy_live_changes(struct mlfy_store *s, int64_t since, int64_t active_model, size_t k,
		      mlfy_live_image_cb cb, void *ctx, struct mlfy_err *err)
{
	if (since < 0)
		since = 0;
	return walk(s, SQL_CH_IMAGES, SQL_CH_LABELS, SQL_CH_PROPOSALS, since, active_model, k, cb, ctx,
		    err);
}
