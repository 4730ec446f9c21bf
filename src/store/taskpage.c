/* taskpage.c - one window of a person's task list with the list's exact
 * counts (taskpage.h).  Stage ii is read batch by batch from the index
 * images_batch (batch, id), with the gold tasks merged at their positions
 * exactly as mlfy_tasks_list merges them, the done count and the first
 * open task from the per-batch counts of table progress_counts
 * (store/progress.h); stage iv is sliced from the whole queue.  Reads
 * only; owns no table. */
#include "store/taskpage.h"
#include "store/engine.h"
#include "store/gold.h"
#include "store/taskview.h"
#include "util/vec.h"

#include <stdlib.h>
#include <string.h>

void mlfy_batch_sizes_release(struct mlfy_batch_sizes *bs)
{
	if (!bs)
		return;
	MLFY_FREE_ALL(bs->batch, bs->n);
	memset(bs, 0, sizeof(*bs));
}

void mlfy_task_page_release(struct mlfy_task_page *p)
{
	if (!p)
		return;
	MLFY_FREE_ALL(p->image_ids, p->done);
	memset(p, 0, sizeof(*p));
	p->position = -1;
}

/* The keyed shuffle of a person's own images when they have gold tasks:
 * the expression of mlfy_tasks_list's query (taskview.c), ?2 = the person,
 * evaluated by the engine in both places so that the orders agree. */
#define KEY(ID) "((" ID ") * 2654435761 + ?2 * 40503) % 4294967291"
#define SAVED(ID)                                                                                  \
	"EXISTS (SELECT 1 FROM annotations n WHERE n.image_id = " ID " AND n.annotator_id = ?2" \
	" AND n.stage = 'annotate')"

static const char SQL_BATCHES[] = "SELECT batch FROM assignments WHERE annotator_id = ?1 ORDER BY batch";
static const char SQL_STAMP[] = "SELECT COALESCE(MAX(id), 0) FROM images";
static const char SQL_BATCH_SIZE[] = "SELECT COUNT(*) FROM images WHERE batch = ?1";
/* per batch, the person's images with a saved stage-ii decision (kept by
 * the schema's trigger: store/progress.h); a batch without a row has none */
static const char SQL_COUNTS[] =
	"SELECT batch, n FROM progress_counts WHERE annotator_id = ?1 AND stage = 'annotate' ORDER BY batch";
static const char SQL_IMAGE_BATCH[] = "SELECT batch FROM images WHERE id = ?1";
static const char SQL_RANK_ID[] = "SELECT COUNT(*) FROM images WHERE batch = ?1 AND id < ?2";
static const char SQL_RANK_KEY[] =
	"SELECT COUNT(*) FROM images i WHERE i.batch = ?1 AND (" KEY("i.id") " < " KEY("?3") " OR (" KEY("i.id")
	" = " KEY("?3") " AND i.id < ?3))";
static const char SQL_WIN_ID[] =
	"SELECT i.id, " SAVED("i.id") " FROM images i WHERE i.batch = ?1 ORDER BY i.id LIMIT ?3 OFFSET ?4";
static const char SQL_WIN_KEY[] =
	"SELECT i.id, " SAVED("i.id") " FROM images i WHERE i.batch = ?1 ORDER BY " KEY("i.id")
	", i.id LIMIT ?3 OFFSET ?4";
static const char SQL_WALK_ID[] = "SELECT i.id, " SAVED("i.id") " FROM images i WHERE i.batch = ?1 ORDER BY i.id";
static const char SQL_WALK_KEY[] =
	"SELECT i.id, " SAVED("i.id") " FROM images i WHERE i.batch = ?1 ORDER BY " KEY("i.id") ", i.id";

/* Stage ii's list as shapes: own images batch after batch, gold tasks at
 * their list positions. */
struct shape {
	int64_t *batch;                /* assigned batches ascending (K) */
	int64_t *cum;                  /* cum[k]: own images before batch k; cum[K] = n_own */
	size_t K;
	struct mlfy_gold_task *g;      /* by (position, seq, image id) */
	int64_t *gp;                   /* gp[j]: list position of gold task j (ascending) */
	size_t ng;
	int shuffled;                  /* the person has gold tasks: own images by KEY */
};

static void shape_release(struct shape *L)
{
	MLFY_FREE_ALL(L->batch, L->cum, L->g, L->gp);
}

static int64_t n_own(const struct shape *L)
{
	return L->cum ? L->cum[L->K] : 0;   /* no cum: no batch loaded */
}

/* the number of gold tasks before list position x */
static size_t gold_before(const struct shape *L, int64_t x)
{
	size_t lo = 0, hi = L->ng;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (L->gp[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* the list position of own image number p: gold task (position q) goes
 * just before own image number q */
static int64_t own_listpos(const struct shape *L, int64_t p)
{
	size_t lo = 0, hi = L->ng;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (L->g[mid].position <= p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return p + (int64_t)lo;
}

static int one_i64(struct mlfy_store *s, const char *sql, int64_t a, int64_t b, int nb, int64_t def,
		   int64_t *v, const char *what, struct mlfy_err *err)
{
	struct store_stmt *st;
	*v = def;
	STMT(st, sql);
	if (nb >= 1)
		stmt_bind_int64(st, 1, a);
	if (nb >= 2)
		stmt_bind_int64(st, 2, b);
	return store_query_i64(s, st, def, v, what, err);
}

static int find_i64(const int64_t *v, size_t n, int64_t x, size_t *at)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return lo < n && v[lo] == x;
}

/* Sizes of the K batches (ascending) into size[], from bs where counted
 * under the same stamp, else counted and kept in bs. */
static int batch_sizes(struct mlfy_store *s, struct mlfy_batch_sizes *bs, const int64_t *batch, size_t K,
		       int64_t *size, struct mlfy_err *err)
{
	int64_t stamp = 0, *nb = NULL, *nn = NULL;
	size_t k, at, n_new = 0, i, j, o;
	int rc;

	if (bs) {
		if ((rc = one_i64(s, SQL_STAMP, 0, 0, 0, 0, &stamp, "read images", err)))
			return rc;
		if (stamp != bs->stamp)
			bs->len = 0;
		bs->stamp = stamp;
	}
	for (k = 0; k < K; k++) {
		if (bs && find_i64(bs->batch, bs->len, batch[k], &at)) {
			size[k] = bs->n[at];
			continue;
		}
		if ((rc = one_i64(s, SQL_BATCH_SIZE, batch[k], 0, 1, 0, &size[k], "count batch", err)))
			return rc;
		size[k] = -1 - size[k];   /* newly counted: marked until merged below */
		n_new++;
	}
	if (!bs || !n_new) {
		for (k = 0; k < K; k++)
			if (size[k] < 0)
				size[k] = -1 - size[k];
		return 0;
	}
	/* merge the new counts into the cache (both ascending) */
	nb = malloc((bs->len + n_new) * sizeof(*nb));
	nn = malloc((bs->len + n_new) * sizeof(*nn));
	if (!nb || !nn) {
		MLFY_FREE_ALL(nb, nn);
		for (k = 0; k < K; k++)
			if (size[k] < 0)
				size[k] = -1 - size[k];
		return 0;   /* not kept: counted again next time */
	}
	for (i = 0, j = 0, o = 0; i < bs->len || j < K;) {
		while (j < K && size[j] >= 0)
			j++;
		if (j < K && (i >= bs->len || batch[j] < bs->batch[i])) {
			size[j] = -1 - size[j];
			nb[o] = batch[j];
			nn[o++] = size[j++];
		} else if (i < bs->len) {
			nb[o] = bs->batch[i];
			nn[o++] = bs->n[i++];
		}
	}
	MLFY_FREE_ALL(bs->batch, bs->n);
	bs->batch = nb;
	bs->n = nn;
	bs->len = bs->cap = o;
	return 0;
}

static int shape_load(struct mlfy_store *s, int64_t user, struct mlfy_batch_sizes *bs, struct shape *L,
		      struct mlfy_err *err)
{
	struct store_stmt *st;
	int64_t *size = NULL;
	size_t k, j;
	int rc;

	memset(L, 0, sizeof(*L));
	STMT(st, SQL_BATCHES);
	stmt_bind_int64(st, 1, user);
	if ((rc = store_list_i64(s, st, &L->batch, &L->K, "list assigned batches", err)))
		return rc;
	if (!(L->cum = malloc((L->K + 1) * sizeof(*L->cum))) || !(size = malloc((L->K + 1) * sizeof(*size))))
		return mlfy_err_oom(err);
	if ((rc = batch_sizes(s, bs, L->batch, L->K, size, err))) {
		free(size);
		return rc;
	}
	L->cum[0] = 0;
	for (k = 0; k < L->K; k++)
		L->cum[k + 1] = L->cum[k] + size[k];
	free(size);
	if ((rc = mlfy_gold_tasks_of(s, user, &L->g, &L->ng, err)))
		return rc;
	if (L->ng && !(L->gp = malloc(L->ng * sizeof(*L->gp))))
		return mlfy_err_oom(err);
	for (j = 0; j < L->ng; j++)
		L->gp[j] = (L->g[j].position < n_own(L) ? L->g[j].position : n_own(L)) + (int64_t)j;
	L->shuffled = L->ng > 0;
	return 0;
}

/* own images number p0 .. p0 + m - 1 with their done flags into ids/done */
static int fetch_own(struct mlfy_store *s, int64_t user, const struct shape *L, int64_t p0, size_t m,
		     int64_t *ids, unsigned char *done, struct mlfy_err *err)
{
	size_t got = 0, lo = 0, hi = L->K;
	int64_t off;
	int rc = STORE_DONE;

	while (lo < hi) {   /* the batch holding p0: the last k with cum[k] <= p0 */
		size_t mid = lo + (hi - lo) / 2;
		if (L->cum[mid + 1] <= p0)
			lo = mid + 1;
		else
			hi = mid;
	}
	off = p0 - L->cum[lo];
	for (; got < m && lo < L->K; lo++, off = 0) {
		struct store_stmt *st;
		STMT(st, L->shuffled ? SQL_WIN_KEY : SQL_WIN_ID);
		stmt_bind_int64(st, 1, L->batch[lo]);
		stmt_bind_int64(st, 2, user);
		stmt_bind_int64(st, 3, (int64_t)(m - got));
		stmt_bind_int64(st, 4, off);
		while (got < m && (rc = stmt_step(st)) == STORE_ROW) {
			ids[got] = stmt_int64(st, 0);
			done[got++] = (unsigned char)(stmt_int(st, 1) != 0);
		}
		stmt_reset(st);
		if (rc != STORE_ROW && rc != STORE_DONE)
			return store_fail(s, err, "list tasks");
	}
	if (got < m)   /* a batch shrank under the cached sizes: cannot happen (images are never deleted) */
		return mlfy_err_set(err, MLFY_ESTORE, "list tasks: %zu of %zu tasks found", got, m);
	return 0;
}

/* the window [P, P + limit) of the list into out */
static int window(struct mlfy_store *s, int64_t user, const struct shape *L, int64_t P, size_t limit,
		  struct mlfy_task_page *out, struct mlfy_err *err)
{
	int64_t total = n_own(L) + (int64_t)L->ng, end, x, p0;
	size_t g0, g1, m, count, j, o = 0, i = 0;
	int64_t *own = NULL;
	unsigned char *own_done = NULL;
	int rc;

	out->offset = P;
	if (P >= total)
		return 0;
	end = (int64_t)limit > total - P ? total : P + (int64_t)limit;
	count = (size_t)(end - P);
	g0 = gold_before(L, P);
	g1 = gold_before(L, end);
	p0 = P - (int64_t)g0;
	m = count - (g1 - g0);
	out->image_ids = malloc(count * sizeof(*out->image_ids));
	out->done = malloc(count);
	own = calloc(m ? m : 1, sizeof(*own));
	own_done = calloc(m ? m : 1, 1);
	if (!out->image_ids || !out->done || !own || !own_done) {
		MLFY_FREE_ALL(own, own_done);
		return mlfy_err_oom(err);
	}
	if ((rc = fetch_own(s, user, L, p0, m, own, own_done, err))) {
		MLFY_FREE_ALL(own, own_done);
		return rc;
	}
	for (x = P, j = g0; x < end; x++, i++) {
		if (j < g1 && L->gp[j] == x) {
			out->image_ids[i] = L->g[j].image_id;
			out->done[i] = (unsigned char)(L->g[j].done != 0);
			j++;
		} else {
			out->image_ids[i] = own[o];
			out->done[i] = own_done[o++];
		}
	}
	out->n = count;
	MLFY_FREE_ALL(own, own_done);
	return 0;
}

/* the list position of image id, or MLFY_ENOTFOUND */
static int position_of(struct mlfy_store *s, int64_t user, const struct shape *L, int64_t id, int64_t *pos,
		       struct mlfy_err *err)
{
	int64_t batch = -1, rank = 0;
	size_t j, k;
	int rc;

	for (j = 0; j < L->ng; j++)
		if (L->g[j].image_id == id) {
			*pos = L->gp[j];
			return 0;
		}
	if ((rc = one_i64(s, SQL_IMAGE_BATCH, id, 0, 1, -1, &batch, "read image", err)))
		return rc;
	if (batch < 0 || !L->cum || !find_i64(L->batch, L->K, batch, &k))
		return mlfy_err_set(err, MLFY_ENOTFOUND, "around: image %lld is not in your annotation tasks",
				    (long long)id);
	if (L->shuffled) {
		struct store_stmt *st;
		STMT(st, SQL_RANK_KEY);
		stmt_bind_int64(st, 1, batch);
		stmt_bind_int64(st, 2, user);
		stmt_bind_int64(st, 3, id);
		rc = store_query_i64(s, st, 0, &rank, "rank task", err);
	} else {
		rc = one_i64(s, SQL_RANK_ID, batch, id, 2, 0, &rank, "rank task", err);
	}
	if (rc)
		return rc;
	*pos = own_listpos(L, L->cum[k] + rank);
	return 0;
}

/* The person's saved-image counts per batch (batch ascending) and their
 * sum, the done count: every image has one batch, so the sum counts each
 * saved image once, gold images and all. */
struct counts {
	int64_t (*row)[2];   /* owned: { batch, n } by batch ascending */
	size_t len;
};

static int counts_row(struct store_stmt *st, void *elem, void *ctx, struct mlfy_err *err)
{
	int64_t *pair = elem;
	(void)ctx;
	(void)err;
	pair[0] = stmt_int64(st, 0);
	pair[1] = stmt_int64(st, 1);
	return 0;
}

static int counts_load(struct mlfy_store *s, int64_t user, struct counts *c, int64_t *n_done,
		       struct mlfy_err *err)
{
	struct store_stmt *st;
	size_t i;
	int rc;

	memset(c, 0, sizeof(*c));
	*n_done = 0;
	STMT(st, SQL_COUNTS);
	stmt_bind_int64(st, 1, user);
	if ((rc = STORE_LIST(s, st, c->row, &c->len, counts_row, NULL, NULL, "count saved tasks", err)))
		return rc;
	for (i = 0; i < c->len; i++)
		*n_done += c->row[i][1];
	return 0;
}

/* the person's count of saved images in batch (0: no row) */
static int64_t count_in(const struct counts *c, int64_t batch)
{
	size_t lo = 0, hi = c->len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->row[mid][0] < batch)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->len && c->row[lo][0] == batch ? c->row[lo][1] : 0;
}

/* The first task without a saved decision (-1: none): the first open gold
 * task, or the first own image without a save, whichever comes first.  The
 * batches are taken in list order and skipped while the person's count of
 * saved images in the batch equals its size (a count below the size: the
 * batch holds an open image; the count never exceeds the size, as it only
 * counts images of that batch); only that batch is walked, up to its
 * first open image.  O(B + b) instead of the person's saves. */
static int first_open(struct mlfy_store *s, int64_t user, const struct shape *L, const struct counts *c,
		      int64_t *pos, struct mlfy_err *err)
{
	int64_t best = -1, p;
	size_t j, k;
	struct store_stmt *st;
	int rc = 0, found = 0;

	for (j = 0; j < L->ng; j++)
		if (!L->g[j].done) {
			best = L->gp[j];
			break;
		}
	for (k = 0; k < L->K && !found; k++) {
		int64_t size = L->cum[k + 1] - L->cum[k];
		if (!size)
			continue;
		if (best >= 0 && own_listpos(L, L->cum[k]) >= best)
			break;
		if (count_in(c, L->batch[k]) >= size)
			continue;
		if (!(st = store_stmt(s, L->shuffled ? SQL_WALK_KEY : SQL_WALK_ID, err))) {
			rc = err ? err->code : MLFY_ESTORE;
			break;
		}
		stmt_bind_int64(st, 1, L->batch[k]);
		stmt_bind_int64(st, 2, user);
		for (p = L->cum[k]; (rc = stmt_step(st)) == STORE_ROW; p++)
			if (!stmt_int(st, 1)) {
				int64_t lp = own_listpos(L, p);
				if (best < 0 || lp < best)
					best = lp;
				found = 1;
				break;
			}
		stmt_reset(st);
		if (rc != STORE_ROW && rc != STORE_DONE) {
			rc = store_fail(s, err, "walk tasks");
			break;
		}
		rc = 0;   /* not found only where the counts are wrong (`mlfy check`): on to the next batch */
	}
	*pos = best;
	return rc;
}

/* where a window of limit tasks goes around list position pos (-1: the end) */
static int64_t place(int64_t pos, int64_t total, size_t limit)
{
	int64_t P = pos < 0 ? total - (int64_t)limit : pos - (int64_t)(limit / 4);
	if (P > total - (int64_t)limit)
		P = total - (int64_t)limit;
	return P < 0 ? 0 : P;
}

static int page_annotate(struct mlfy_store *s, int64_t user, enum mlfy_task_anchor at, int64_t arg,
			 size_t limit, struct mlfy_batch_sizes *bs, struct mlfy_task_page *out,
			 struct mlfy_err *err)
{
	struct shape L;
	struct counts c = { 0 };
	int64_t P = arg;
	int rc;

	if ((rc = shape_load(s, user, bs, &L, err)) || (rc = counts_load(s, user, &c, &out->n_done, err)))
		goto done;
	out->total = n_own(&L) + (int64_t)L.ng;
	if (at == MLFY_TASKS_AT_OPEN && (rc = first_open(s, user, &L, &c, &out->position, err)))
		goto done;
	if (at == MLFY_TASKS_AT_IMAGE && (rc = position_of(s, user, &L, arg, &out->position, err)))
		goto done;
	if (at != MLFY_TASKS_AT_OFFSET)
		P = place(out->position, out->total, limit);
	rc = window(s, user, &L, P, limit, out, err);
done:
	shape_release(&L);
	free(c.row);
	return rc;
}

/* stage iv: the whole queue (mlfy_tasks_list), then the window */
static int page_refine(struct mlfy_store *s, int64_t user, enum mlfy_task_anchor at, int64_t arg, size_t limit,
		       struct mlfy_task_page *out, struct mlfy_err *err)
{
	struct mlfy_task_list tl;
	int64_t P = arg;
	size_t i, n;
	int rc;

	if ((rc = mlfy_tasks_list(s, user, MLFY_STAGE_REFINE, &tl, err)))
		return rc;
	out->total = (int64_t)tl.n;
	out->n_done = (int64_t)tl.n_done;
	for (i = 0; at != MLFY_TASKS_AT_OFFSET && i < tl.n; i++)
		if (at == MLFY_TASKS_AT_IMAGE ? tl.image_ids[i] == arg : !tl.done[i]) {
			out->position = (int64_t)i;
			break;
		}
	if (at == MLFY_TASKS_AT_IMAGE && out->position < 0) {
		mlfy_task_list_release(&tl);
		return mlfy_err_set(err, MLFY_ENOTFOUND, "around: image %lld is not in your refinement tasks",
				    (long long)arg);
	}
	if (at != MLFY_TASKS_AT_OFFSET)
		P = place(out->position, out->total, limit);
	out->offset = P;
	n = P >= out->total ? 0 : (size_t)(out->total - P) < limit ? (size_t)(out->total - P) : limit;
	if (n && (!(out->image_ids = malloc(n * sizeof(*out->image_ids))) || !(out->done = malloc(n)))) {
		mlfy_task_list_release(&tl);
		return mlfy_err_oom(err);
	}
	if (n) {
		memcpy(out->image_ids, tl.image_ids + P, n * sizeof(*out->image_ids));
		memcpy(out->done, tl.done + P, n);
	}
	out->n = n;
	mlfy_task_list_release(&tl);
	return 0;
}

int mlfy_tasks_page(struct mlfy_store *s, int64_t user_id, enum mlfy_stage st, enum mlfy_task_anchor at,
		    int64_t arg, size_t limit, struct mlfy_batch_sizes *bs, struct mlfy_task_page *out,
		    struct mlfy_err *err)
{
	int began = 0, rc;

	memset(out, 0, sizeof(*out));
	out->position = -1;
	if (!limit)
		return mlfy_err_set(err, MLFY_EINVAL, "limit: expected at least 1");
	if (at == MLFY_TASKS_AT_OFFSET && arg < 0)
		return mlfy_err_set(err, MLFY_EINVAL, "offset: expected a position >= 0");
	if ((rc = store_read_begin(s, &began, err)))
		return rc;
	rc = st == MLFY_STAGE_REFINE ? page_refine(s, user_id, at, arg, limit, out, err)
				     : page_annotate(s, user_id, at, arg, limit, bs, out, err);
	store_read_end(s, began);
	if (rc)
		mlfy_task_page_release(out);
	return rc;
}
