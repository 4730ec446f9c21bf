/* review.c - SQLite backend of review.h: stage-ii reads for the analysis,
 * final labels, refinement queue and experts, finalisation, zero-label
 * reviews, raw votes, aggregation results, review counts and the export
 * cursor.  The annotation history itself is written by annotations.c
 * (serve); this file only reads it, and reads accounts through
 * annotations.h. */
#define _POSIX_C_SOURCE 200809L
#include "store/review.h"
#include "store/annotations.h"
#include "store/final_labels.h"
#include "store/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---------------------------------------------------------------- */

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

/* A growable array of int32. */
struct ibuf {
	int32_t *v;
	size_t n, cap;
};

static int ibuf_push(struct ibuf *b, int32_t x)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 32;
		int32_t *v = realloc(b->v, cap * sizeof(*v));
		if (!v)
			return -1;
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n++] = x;
	return 0;
}

/* Runs a prepared single-row query returning one integer; *v = def when no row. */
static int query_i64(struct mlfy_store *s, struct store_stmt *st, int64_t def, int64_t *v,
		     struct mlfy_err *err, const char *what)
{
	int rc = stmt_step(st);
	if (rc == STORE_ROW)
		*v = stmt_int64(st, 0);
	else if (rc == STORE_DONE)
		*v = def;
	else {
		rc = store_fail(s, err, what);
		stmt_reset(st);
		return rc;
	}
	stmt_reset(st);
	return 0;
}

static int step_done(struct mlfy_store *s, struct store_stmt *st, struct mlfy_err *err, const char *what)
{
	int rc = stmt_step(st);
	stmt_reset(st);
	if (rc != STORE_DONE)
		return store_fail(s, err, what);
	return 0;
}

/* Reads the class indices of an annotation (ascending) into b (cleared first). */
static const char SQL_ANN_LABELS[] =
	"SELECT class_idx FROM annotation_labels WHERE annotation_id = ?1 ORDER BY class_idx";

static int annotation_labels(struct mlfy_store *s, int64_t annotation_id, struct ibuf *b,
			     struct mlfy_err *err)
{
	struct store_stmt *st = store_stmt(s, SQL_ANN_LABELS, err);
	int rc;

	b->n = 0;
	if (!st)
		return err->code;
	stmt_bind_int64(st, 1, annotation_id);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		if (ibuf_push(b, stmt_int(st, 0))) {
			stmt_reset(st);
			return store_oom(err);
		}
	}
	stmt_reset(st);
	if (rc != STORE_DONE)
		return store_fail(s, err, "read annotation labels");
	return 0;
}

/* ---- stage-ii annotations as stage iii reads them --------------------------- */

/* The annotators assigned to each batch, loaded once per walk. */
struct batch_people {
	int batch;
	size_t first, n;   /* into ids/names */
};

struct assignees {
	struct batch_people *b;
	size_t n_b;
	int64_t *ids;
	char **names;
	size_t n;
};

static void assignees_free(struct assignees *a)
{
	size_t i;
	for (i = 0; i < a->n; i++)
		free(a->names[i]);
	free(a->names);
	free(a->ids);
	free(a->b);
	memset(a, 0, sizeof(*a));
}

static const char SQL_ASSIGNEES[] =
	"SELECT s.batch, a.id, a.name FROM assignments s JOIN annotators a ON a.id = s.annotator_id"
	" ORDER BY s.batch, a.name";

static int assignees_load(struct mlfy_store *s, struct assignees *a, struct mlfy_err *err)
{
	struct store_stmt *st = store_stmt(s, SQL_ASSIGNEES, err);
	size_t cap = 0, cap_b = 0;
	int rc;

	memset(a, 0, sizeof(*a));
	if (!st)
		return err->code;
	while ((rc = stmt_step(st)) == STORE_ROW) {
		int batch = stmt_int(st, 0);
		if (a->n == cap) {
			size_t nc = cap ? 2 * cap : 16;
			int64_t *ids = realloc(a->ids, nc * sizeof(*ids));
			char **names;
			if (!ids)
				goto nomem;
			a->ids = ids;
			names = realloc(a->names, nc * sizeof(*names));
			if (!names)
				goto nomem;
			a->names = names;
			cap = nc;
		}
		if (!a->n_b || a->b[a->n_b - 1].batch != batch) {
			if (a->n_b == cap_b) {
				size_t nc = cap_b ? 2 * cap_b : 8;
				struct batch_people *b = realloc(a->b, nc * sizeof(*b));
				if (!b)
					goto nomem;
				a->b = b;
				cap_b = nc;
			}
			a->b[a->n_b].batch = batch;
			a->b[a->n_b].first = a->n;
			a->b[a->n_b].n = 0;
			a->n_b++;
		}
		a->ids[a->n] = stmt_int64(st, 1);
		if (!(a->names[a->n] = stmt_dup(st, 2)))
			goto nomem;
		a->n++;
		a->b[a->n_b - 1].n++;
	}
	stmt_reset(st);
	if (rc != STORE_DONE) {
		assignees_free(a);
		return store_fail(s, err, "read assignments");
	}
	return 0;
nomem:
	stmt_reset(st);
	assignees_free(a);
	return store_oom(err);
}

static const struct batch_people *assignees_of(const struct assignees *a, int batch)
{
	size_t lo = 0, hi = a->n_b;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (a->b[mid].batch == batch)
			return &a->b[mid];
		if (a->b[mid].batch < batch)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* One page of images (keyset pagination on the unique name, so the callback
 * may write to the store between pages). */
#define PAGE 512

struct page_image {
	int64_t id;
	char *name;
	int batch;
	int original_label;
	char *final_stage;   /* NULL when undecided */
	int queued;
};

#define IMAGE_PAGE_COLS \
	"SELECT i.id, i.name, i.batch, COALESCE(i.original_label, -1), f.stage," \
	" q.image_id IS NOT NULL" \
	" FROM images i LEFT JOIN final_status f ON f.image_id = i.id" \
	" LEFT JOIN refinement_queue q ON q.image_id = i.id"
static const char SQL_IMAGE_PAGE_FIRST[] = IMAGE_PAGE_COLS " ORDER BY i.name LIMIT 512";
static const char SQL_IMAGE_PAGE[] = IMAGE_PAGE_COLS " WHERE i.name > ?1 ORDER BY i.name LIMIT 512";

static const char SQL_CURRENT_ANN[] =
	"SELECT id, COALESCE(model_id, 0), comment, seconds FROM annotations"
	" WHERE image_id = ?1 AND annotator_id = ?2 AND stage = 'annotate'"
	" ORDER BY version DESC LIMIT 1";

static const char SQL_SHOWN[] =
	"SELECT class_idx FROM proposals WHERE image_id = ?1 AND model_id = ?2";

static const char SQL_REFINE_SAVED[] =
	"SELECT EXISTS (SELECT 1 FROM annotations WHERE image_id = ?1 AND stage = 'refine')";

/* Per-annotator buffers reused from image to image. */
struct ann_buf {
	struct ibuf labels, shown;
	char *comment;
};

static int fill_annotation(struct mlfy_store *s, int64_t image_id, int64_t annotator_id,
			   struct mlfy_review_annotation *out, struct ann_buf *b,
			   struct mlfy_err *err)
{
	struct store_stmt *st = store_stmt(s, SQL_CURRENT_ANN, err);
	int rc;

	free(b->comment);
	b->comment = NULL;
	b->labels.n = 0;
	b->shown.n = 0;
	out->annotation_id = 0;
	out->model_id = 0;
	out->seconds = 0;
	if (!st)
		return err->code;
	stmt_bind_int64(st, 1, image_id);
	stmt_bind_int64(st, 2, annotator_id);
	rc = stmt_step(st);
	if (rc == STORE_ROW) {
		out->annotation_id = stmt_int64(st, 0);
		out->model_id = stmt_int64(st, 1);
		out->seconds = stmt_double(st, 3);
		if (!(b->comment = stmt_dup(st, 2))) {
			stmt_reset(st);
			return store_oom(err);
		}
	} else if (rc != STORE_DONE) {
		rc = store_fail(s, err, "read annotation");
		stmt_reset(st);
		return rc;
	}
	stmt_reset(st);
	if (out->annotation_id) {
		if ((rc = annotation_labels(s, out->annotation_id, &b->labels, err)))
			return rc;
		if (out->model_id) {
			if (!(st = store_stmt(s, SQL_SHOWN, err)))
				return err->code;
			stmt_bind_int64(st, 1, image_id);
			stmt_bind_int64(st, 2, out->model_id);
			while ((rc = stmt_step(st)) == STORE_ROW) {
				if (ibuf_push(&b->shown, stmt_int(st, 0))) {
					stmt_reset(st);
					return store_oom(err);
				}
			}
			stmt_reset(st);
			if (rc != STORE_DONE)
				return store_fail(s, err, "read proposals");
			if (b->shown.n > 1)
				qsort(b->shown.v, b->shown.n, sizeof(int32_t), cmp_i32);
		}
	}
	out->labels = b->labels.v;
	out->n_labels = b->labels.n;
	out->shown = b->shown.v;
	out->n_shown = b->shown.n;
	out->comment = b->comment ? b->comment : "";
	return 0;
}

int mlfy_review_foreach_image(struct mlfy_store *s, mlfy_review_image_cb cb, void *ctx,
			      struct mlfy_err *err)
{
	struct assignees who;
	struct page_image page[PAGE];
	struct mlfy_review_annotation *ann = NULL;
	struct ann_buf *bufs = NULL;
	size_t max_ann = 0, n_page, i, j;
	char *last = NULL;
	int rc, began;

	if ((rc = store_read_begin(s, &began, err)))
		return rc;
	if ((rc = assignees_load(s, &who, err))) {
		store_read_end(s, began);
		return rc;
	}
	for (i = 0; i < who.n_b; i++)
		if (who.b[i].n > max_ann)
			max_ann = who.b[i].n;
	ann = calloc(max_ann ? max_ann : 1, sizeof(*ann));
	bufs = calloc(max_ann ? max_ann : 1, sizeof(*bufs));
	if (!ann || !bufs) {
		rc = store_oom(err);
		goto out;
	}
	memset(page, 0, sizeof(page));
	for (;;) {
		struct store_stmt *st = store_stmt(s, last ? SQL_IMAGE_PAGE : SQL_IMAGE_PAGE_FIRST, err);
		if (!st) {
			rc = err->code;
			goto out;
		}
		if (last)
			stmt_bind_text(st, 1, last);
		n_page = 0;
		while ((rc = stmt_step(st)) == STORE_ROW) {
			struct page_image *p = &page[n_page];
			p->id = stmt_int64(st, 0);
			p->name = stmt_dup(st, 1);
			p->batch = stmt_int(st, 2);
			p->original_label = stmt_int(st, 3);
			p->final_stage = stmt_is_null(st, 4) ? NULL : stmt_dup(st, 4);
			p->queued = stmt_int(st, 5);
			n_page++;
			if (!p->name || (!stmt_is_null(st, 4) && !p->final_stage)) {
				stmt_reset(st);
				rc = store_oom(err);
				goto out_page;
			}
		}
		stmt_reset(st);
		if (rc != STORE_DONE) {
			rc = store_fail(s, err, "read images");
			goto out_page;
		}
		rc = 0;
		if (n_page == 0)
			break;
		for (i = 0; i < n_page; i++) {
			const struct batch_people *bp = assignees_of(&who, page[i].batch);
			struct mlfy_review_image img;
			memset(&img, 0, sizeof(img));
			img.id = page[i].id;
			img.name = page[i].name;
			img.batch = page[i].batch;
			img.original_label = page[i].original_label;
			img.final_stage = page[i].final_stage;
			img.queued = page[i].queued;
			if (img.queued) {
				int64_t v = 0;
				struct store_stmt *q = store_stmt(s, SQL_REFINE_SAVED, err);
				if (!q) {
					rc = err->code;
					goto out_page;
				}
				stmt_bind_int64(q, 1, img.id);
				if ((rc = query_i64(s, q, 0, &v, err, "read refinements")))
					goto out_page;
				img.refine_saved = v != 0;
			}
			for (j = 0; bp && j < bp->n; j++) {
				ann[j].annotator_id = who.ids[bp->first + j];
				ann[j].annotator = who.names[bp->first + j];
				if ((rc = fill_annotation(s, img.id, ann[j].annotator_id, &ann[j], &bufs[j], err)))
					goto out_page;
			}
			img.ann = ann;
			img.n_ann = bp ? bp->n : 0;
			if ((rc = cb(&img, ctx)))
				goto out_page;
		}
		free(last);
		last = page[n_page - 1].name;
		page[n_page - 1].name = NULL;
		for (i = 0; i < n_page; i++) {
			free(page[i].name);
			free(page[i].final_stage);
			page[i].name = page[i].final_stage = NULL;
		}
		if (n_page < PAGE)
			break;
	}
	goto out;
out_page:
	for (i = 0; i < PAGE; i++) {
		free(page[i].name);
		free(page[i].final_stage);
	}
out:
	for (i = 0; bufs && i < max_ann; i++) {
		free(bufs[i].labels.v);
		free(bufs[i].shown.v);
		free(bufs[i].comment);
	}
	free(bufs);
	free(ann);
	free(last);
	assignees_free(&who);
	store_read_end(s, began);
	return rc;
}

/* ---- final labels ----------------------------------------------------------- */

int mlfy_review_final_differs(struct mlfy_store *s, int64_t image_id, int stage,
			      const int *labels, size_t n, int64_t annotation_id, int *differs,
			      struct mlfy_err *err)
{
	struct mlfy_final cur;
	int *want = NULL;
	size_t i, k = 0;
	int rc, same = 0;

	*differs = 1;
	rc = mlfy_final_get(s, image_id, &cur, err);
	if (rc && rc != MLFY_ENOTFOUND)
		return rc;
	if (!rc) {
		if (cur.stage == stage && cur.annotation_id == annotation_id) {
			if (!(want = malloc((n ? n : 1) * sizeof(*want)))) {
				mlfy_final_release(&cur);
				return store_oom(err);
			}
			if (n)
				memcpy(want, labels, n * sizeof(*want));
			qsort(want, n, sizeof(*want), cmp_i32);
			for (i = 0; i < n; i++)   /* repeats are ignored, as by mlfy_final_put */
				if (!k || want[k - 1] != want[i])
					want[k++] = want[i];
			same = k == cur.n && (k == 0 || !memcmp(want, cur.classes, k * sizeof(*want)));
			free(want);
		}
		mlfy_final_release(&cur);
	}
	mlfy_err_clear(err);
	*differs = !same;
	return 0;
}

int mlfy_review_final_update(struct mlfy_store *s, int64_t image_id, int stage,
			     const int *labels, size_t n, int64_t annotation_id, int *changed,
			     struct mlfy_err *err)
{
	int rc, differs;

	if (changed)
		*changed = 0;
	if ((rc = mlfy_review_final_differs(s, image_id, stage, labels, n, annotation_id, &differs, err)))
		return rc;
	if (!differs)
		return 0;
	if ((rc = mlfy_final_put(s, image_id, stage, annotation_id, labels, n, err)))
		return rc;
	if (changed)
		*changed = 1;
	return 0;
}

/* ---- refinement queue ------------------------------------------------------- */

static const char SQL_QUEUE_PUT[] =
	"INSERT INTO refinement_queue(image_id, rule, reason, queued_at) VALUES (?1, ?2, ?3, ?4)"
	" ON CONFLICT(image_id) DO UPDATE SET rule = excluded.rule, reason = excluded.reason"
	" WHERE rule IS NOT excluded.rule OR reason IS NOT excluded.reason";
static const char SQL_QUEUE_DEL[] = "DELETE FROM refinement_queue WHERE image_id = ?1";

int mlfy_review_queue_put(struct mlfy_store *s, int64_t image_id, const char *rule,
			  const char *reason, struct mlfy_err *err)
{
	struct store_stmt *st;
	char now[32];
	int rc;

	if ((rc = store_require_tx(s, err, "refinement queue")))
		return rc;
	if (!(st = store_stmt(s, SQL_QUEUE_PUT, err)))
		return err->code;
	mlfy_store_now(now);
	stmt_bind_int64(st, 1, image_id);
	stmt_bind_text(st, 2, rule);
	stmt_bind_text(st, 3, reason);
	stmt_bind_text(st, 4, now);
	if ((rc = step_done(s, st, err, "queue image")))
		return mlfy_err_prefix(err, "image %lld", (long long)image_id);
	return 0;
}

int mlfy_review_queue_remove(struct mlfy_store *s, int64_t image_id, struct mlfy_err *err)
{
	struct store_stmt *st;
	int rc;

	if ((rc = store_require_tx(s, err, "refinement queue")))
		return rc;
	if (!(st = store_stmt(s, SQL_QUEUE_DEL, err)))
		return err->code;
	stmt_bind_int64(st, 1, image_id);
	return step_done(s, st, err, "unqueue image");
}

void mlfy_queue_entry_release(struct mlfy_queue_entry *e)
{
	if (!e)
		return;
	free(e->image);
	free(e->rule);
	free(e->reason);
	free(e->expert);
	memset(e, 0, sizeof(*e));
}

void mlfy_queue_entries_free(struct mlfy_queue_entry *e, size_t n)
{
	size_t i;
	if (!e)
		return;
	for (i = 0; i < n; i++)
		mlfy_queue_entry_release(&e[i]);
	free(e);
}

static const char SQL_QUEUE_LIST[] =
	"SELECT q.image_id, i.name, q.rule, q.reason, COALESCE(q.expert_id, 0), a.name,"
	" f.stage IS 'refined'"
	" FROM refinement_queue q JOIN images i ON i.id = q.image_id"
	" LEFT JOIN annotators a ON a.id = q.expert_id"
	" LEFT JOIN final_status f ON f.image_id = q.image_id"
	" WHERE (?1 = 0 OR (?1 = -1 AND q.expert_id IS NULL) OR q.expert_id = ?1)"
	"   AND (?2 = 0 OR q.image_id = ?2)"
	" ORDER BY i.name";

static int queue_query(struct mlfy_store *s, int64_t expert_id, int64_t image_id,
		       struct mlfy_queue_entry **out, size_t *n, struct mlfy_err *err)
{
	struct store_stmt *st = store_stmt(s, SQL_QUEUE_LIST, err);
	struct mlfy_queue_entry *v = NULL;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!st)
		return err->code;
	stmt_bind_int64(st, 1, expert_id);
	stmt_bind_int64(st, 2, image_id);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		struct mlfy_queue_entry *e;
		if (*n == cap) {
			size_t nc = cap ? 2 * cap : 16;
			struct mlfy_queue_entry *nv = realloc(v, nc * sizeof(*nv));
			if (!nv)
				goto nomem;
			v = nv;
			cap = nc;
		}
		e = &v[*n];
		memset(e, 0, sizeof(*e));
		(*n)++;
		e->image_id = stmt_int64(st, 0);
		e->expert_id = stmt_int64(st, 4);
		e->refined = stmt_int(st, 6);
		if (!(e->image = stmt_dup(st, 1)) || !(e->rule = stmt_dup(st, 2)) ||
		    !(e->reason = stmt_dup(st, 3)))
			goto nomem;
		if (!stmt_is_null(st, 5) && !(e->expert = stmt_dup(st, 5)))
			goto nomem;
	}
	stmt_reset(st);
	if (rc != STORE_DONE) {
		mlfy_queue_entries_free(v, *n);
		*n = 0;
		return store_fail(s, err, "read refinement queue");
	}
	*out = v;
	return 0;
nomem:
	stmt_reset(st);
	mlfy_queue_entries_free(v, *n);
	*n = 0;
	return store_oom(err);
}

int mlfy_review_queue_list(struct mlfy_store *s, int64_t expert_id,
			   struct mlfy_queue_entry **out, size_t *n, struct mlfy_err *err)
{
	return queue_query(s, expert_id, 0, out, n, err);
}

int mlfy_review_queue_get(struct mlfy_store *s, int64_t image_id, struct mlfy_queue_entry *out,
			  struct mlfy_err *err)
{
	struct mlfy_queue_entry *v;
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	if (image_id <= 0)
		return mlfy_err_set(err, MLFY_ENOTFOUND, "image %lld is not in the refinement queue",
				    (long long)image_id);
	if ((rc = queue_query(s, 0, image_id, &v, &n, err)))
		return rc;
	if (n == 0) {
		free(v);
		return mlfy_err_set(err, MLFY_ENOTFOUND, "image %lld is not in the refinement queue",
				    (long long)image_id);
	}
	*out = v[0];
	free(v);
	return 0;
}

void mlfy_expert_loads_free(struct mlfy_expert_load *l, size_t n)
{
	size_t i;
	if (!l)
		return;
	for (i = 0; i < n; i++)
		free(l[i].name);
	free(l);
}

static const char SQL_QUEUE_LOAD[] =
	"SELECT COUNT(*) FROM refinement_queue WHERE expert_id = ?1";
static const char SQL_QUEUE_REFINED[] =
	"SELECT COUNT(*) FROM refinement_queue q JOIN final_status f ON f.image_id = q.image_id"
	" WHERE q.expert_id = ?1 AND f.stage = 'refined'";
static const char SQL_QUEUE_UNASSIGNED[] =
	"SELECT q.image_id FROM refinement_queue q JOIN images i ON i.id = q.image_id"
	" WHERE q.expert_id IS NULL ORDER BY i.name";
static const char SQL_QUEUE_SET_EXPERT[] =
	"UPDATE refinement_queue SET expert_id = ?2, assigned_at = ?3 WHERE image_id = ?1";

int mlfy_review_queue_assign(struct mlfy_store *s, const char *const *names, size_t n,
			     struct mlfy_expert_load **out, size_t *n_out, struct mlfy_err *err)
{
	struct mlfy_expert_load *load = NULL;
	int64_t *todo = NULL;
	size_t n_todo = 0, cap = 0, i, j;
	struct store_stmt *st;
	char now[32];
	int rc;

	if (out)
		*out = NULL;
	if (n_out)
		*n_out = 0;
	if ((rc = store_require_tx(s, err, "assign refinement")))
		return rc;
	if (n == 0)
		return mlfy_err_set(err, MLFY_EINVAL, "no experts given");
	if (!(load = calloc(n, sizeof(*load))))
		return store_oom(err);
	for (i = 0; i < n; i++) {
		struct mlfy_user u;
		for (j = 0; j < i; j++)
			if (!strcmp(names[i], names[j])) {
				rc = mlfy_err_set(err, MLFY_EINVAL, "expert '%s' is listed twice", names[i]);
				goto out;
			}
		if (!(load[i].name = strdup(names[i]))) {
			rc = store_oom(err);
			goto out;
		}
		rc = mlfy_users_get(s, names[i], &u, err);
		if (rc == MLFY_ENOTFOUND)
			rc = mlfy_err_set(err, MLFY_ENOTFOUND, "no account named '%s' (add it with 'mlfy user add')",
					  names[i]);
		if (rc)
			goto out;
		load[i].expert_id = u.id;
		if (u.role != MLFY_ROLE_EXPERT && u.role != MLFY_ROLE_ADMIN)
			rc = mlfy_err_set(err, MLFY_EINVAL, "'%s' has role %s; refinement needs an expert or admin",
					  names[i], mlfy_role_name(u.role));
		else if (u.disabled)
			rc = mlfy_err_set(err, MLFY_EINVAL, "account '%s' is disabled", names[i]);
		mlfy_user_release(&u);
		if (rc)
			goto out;
		if (!(st = store_stmt(s, SQL_QUEUE_LOAD, err))) {
			rc = err->code;
			goto out;
		}
		stmt_bind_int64(st, 1, load[i].expert_id);
		if ((rc = query_i64(s, st, 0, &load[i].assigned, err, "count queue")))
			goto out;
	}
	if (!(st = store_stmt(s, SQL_QUEUE_UNASSIGNED, err))) {
		rc = err->code;
		goto out;
	}
	while ((rc = stmt_step(st)) == STORE_ROW) {
		if (n_todo == cap) {
			size_t nc = cap ? 2 * cap : 64;
			int64_t *t = realloc(todo, nc * sizeof(*t));
			if (!t) {
				stmt_reset(st);
				rc = store_oom(err);
				goto out;
			}
			todo = t;
			cap = nc;
		}
		todo[n_todo++] = stmt_int64(st, 0);
	}
	stmt_reset(st);
	if (rc != STORE_DONE) {
		rc = store_fail(s, err, "read refinement queue");
		goto out;
	}
	mlfy_store_now(now);
	for (i = 0; i < n_todo; i++) {
		size_t best = 0;
		for (j = 1; j < n; j++)
			if (load[j].assigned < load[best].assigned)
				best = j;
		if (!(st = store_stmt(s, SQL_QUEUE_SET_EXPERT, err))) {
			rc = err->code;
			goto out;
		}
		stmt_bind_int64(st, 1, todo[i]);
		stmt_bind_int64(st, 2, load[best].expert_id);
		stmt_bind_text(st, 3, now);
		if ((rc = step_done(s, st, err, "assign expert")))
			goto out;
		load[best].assigned++;
		load[best].added++;
	}
	for (i = 0; i < n; i++) {
		if (!(st = store_stmt(s, SQL_QUEUE_REFINED, err))) {
			rc = err->code;
			goto out;
		}
		stmt_bind_int64(st, 1, load[i].expert_id);
		if ((rc = query_i64(s, st, 0, &load[i].refined, err, "count refined")))
			goto out;
	}
	rc = 0;
	if (out) {
		*out = load;
		load = NULL;
	}
	if (n_out)
		*n_out = n;
out:
	mlfy_expert_loads_free(load, n);
	free(todo);
	return rc;
}

/* ---- stage iv: finalising ---------------------------------------------------- */

static const char SQL_QUEUE_EXPERT[] =
	"SELECT COALESCE(expert_id, 0) FROM refinement_queue WHERE image_id = ?1";
static const char SQL_REFINE_OF[] =
	"SELECT id FROM annotations WHERE image_id = ?1 AND annotator_id = ?2 AND stage = 'refine'"
	" ORDER BY version DESC LIMIT 1";
static const char SQL_REFINE_LATEST[] =
	"SELECT id FROM annotations WHERE image_id = ?1 AND stage = 'refine' ORDER BY id DESC LIMIT 1";

int mlfy_review_finalize(struct mlfy_store *s, int64_t image_id, int *changed,
			 struct mlfy_err *err)
{
	struct store_stmt *st;
	struct ibuf labels = { 0 };
	int64_t expert = -1, ann = 0;
	int rc;

	if (changed)
		*changed = 0;
	if ((rc = store_require_tx(s, err, "finalize refinement")))
		return rc;
	if (!(st = store_stmt(s, SQL_QUEUE_EXPERT, err)))
		return err->code;
	stmt_bind_int64(st, 1, image_id);
	if ((rc = query_i64(s, st, -1, &expert, err, "read refinement queue")))
		return rc;
	if (expert < 0)
		return mlfy_err_set(err, MLFY_ENOTFOUND, "image %lld is not in the refinement queue",
				    (long long)image_id);
	if (expert > 0) {
		if (!(st = store_stmt(s, SQL_REFINE_OF, err)))
			return err->code;
		stmt_bind_int64(st, 1, image_id);
		stmt_bind_int64(st, 2, expert);
		if ((rc = query_i64(s, st, 0, &ann, err, "read refinement")))
			return rc;
	}
	if (!ann) {
		if (!(st = store_stmt(s, SQL_REFINE_LATEST, err)))
			return err->code;
		stmt_bind_int64(st, 1, image_id);
		if ((rc = query_i64(s, st, 0, &ann, err, "read refinement")))
			return rc;
	}
	if (!ann)
		return mlfy_err_set(err, MLFY_ENOTFOUND, "image %lld: no refinement saved yet", (long long)image_id);
	if ((rc = annotation_labels(s, ann, &labels, err))) {
		free(labels.v);   /* labels read before the error */
		return rc;
	}
	rc = mlfy_review_final_update(s, image_id, MLFY_FINAL_REFINED, labels.v, labels.n, ann, changed, err);
	free(labels.v);
	return rc;
}

int mlfy_review_finalize_all(struct mlfy_store *s, int64_t *n_done, int64_t *n_waiting,
			     struct mlfy_err *err)
{
	struct mlfy_queue_entry *q = NULL;
	size_t n = 0, i;
	int rc;

	*n_done = 0;
	if (n_waiting)
		*n_waiting = 0;
	if ((rc = store_require_tx(s, err, "finalize refinements")))
		return rc;
	if ((rc = mlfy_review_queue_list(s, 0, &q, &n, err)))
		return rc;
	for (i = 0; i < n; i++) {
		int changed;
		rc = mlfy_review_finalize(s, q[i].image_id, &changed, err);
		if (rc == MLFY_ENOTFOUND) {
			if (n_waiting)
				(*n_waiting)++;
			continue;
		}
		if (rc)
			break;
		*n_done += changed;
	}
	mlfy_queue_entries_free(q, n);
	if (rc == MLFY_ENOTFOUND)
		rc = 0;
	if (!rc)
		mlfy_err_clear(err);
	return rc;
}

/* ---- zero-label review -------------------------------------------------------- */

static const char *const zero_categories[] = MLFY_ZERO_CATEGORIES;
static const char *const zero_verdicts[] = MLFY_ZERO_VERDICTS;
static const char *const zero_category_labels[MLFY_ZERO_N_CATEGORIES] = {
	"no valid proposal", "low resolution", "fine-grained, needs an expert", "unusual object or viewpoint"
};
static const char *const zero_verdict_labels[MLFY_ZERO_N_VERDICTS] = { "correct (agree)", "wrong (disagree)",
									"unsure" };

const char *mlfy_zero_category_name(int i)
{
	return i >= 0 && i < MLFY_ZERO_N_CATEGORIES ? zero_categories[i] : "?";
}

const char *mlfy_zero_category_label(int i)
{
	return i >= 0 && i < MLFY_ZERO_N_CATEGORIES ? zero_category_labels[i] : "?";
}

const char *mlfy_zero_verdict_name(int i)
{
	return i >= 0 && i < MLFY_ZERO_N_VERDICTS ? zero_verdicts[i] : "?";
}

const char *mlfy_zero_verdict_label(int i)
{
	return i >= 0 && i < MLFY_ZERO_N_VERDICTS ? zero_verdict_labels[i] : "?";
}

int mlfy_zero_category_index(const char *category)
{
	int i;
	for (i = 0; i < MLFY_ZERO_N_CATEGORIES; i++)
		if (category && !strcmp(category, zero_categories[i]))
			return i;
	return -1;
}

int mlfy_zero_verdict_index(const char *verdict)
{
	int i;
	for (i = 0; i < MLFY_ZERO_N_VERDICTS; i++)
		if (verdict && !strcmp(verdict, zero_verdicts[i]))
			return i;
	return -1;
}

static const char SQL_IMAGE_FINAL[] =
	"SELECT i.name, f.stage, (SELECT COUNT(*) FROM final_labels l WHERE l.image_id = i.id)"
	" FROM images i LEFT JOIN final_status f ON f.image_id = i.id WHERE i.id = ?1";
static const char SQL_ZERO_ADD[] =
	"INSERT INTO zero_label_reviews(image_id, expert_id, category, verdict, comment, created_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

int mlfy_review_zero_add(struct mlfy_store *s, int64_t image_id, int64_t expert_id,
			 const char *category, const char *verdict, const char *comment,
			 int64_t *id, struct mlfy_err *err)
{
	struct store_stmt *st;
	char now[32];
	int rc;

	if ((rc = store_require_tx(s, err, "zero-label review")))
		return rc;
	if (mlfy_zero_category_index(category) < 0)
		return mlfy_err_set(err, MLFY_EINVAL, "unknown zero-label category '%s' (expected %s, %s, %s or %s)",
				    category ? category : "", zero_categories[0], zero_categories[1],
				    zero_categories[2], zero_categories[3]);
	if (mlfy_zero_verdict_index(verdict) < 0)
		return mlfy_err_set(err, MLFY_EINVAL, "unknown verdict '%s' (expected agree, disagree or unsure)",
				    verdict ? verdict : "");
	if (!(st = store_stmt(s, SQL_IMAGE_FINAL, err)))
		return err->code;
	stmt_bind_int64(st, 1, image_id);
	rc = stmt_step(st);
	if (rc == STORE_DONE) {
		stmt_reset(st);
		return mlfy_err_set(err, MLFY_ENOTFOUND, "no image with id %lld", (long long)image_id);
	}
	if (rc != STORE_ROW) {
		rc = store_fail(s, err, "read image");
		stmt_reset(st);
		return rc;
	}
	if (stmt_is_null(st, 1)) {
		rc = mlfy_err_set(err, MLFY_EINVAL,
				  "image '%s' has no final labels yet; a zero-label review is for images whose"
				  " final set is empty (finalize its refinement first)",
				  stmt_text(st, 0));
		stmt_reset(st);
		return rc;
	}
	if (stmt_int64(st, 2) > 0) {
		rc = mlfy_err_set(err, MLFY_EINVAL,
				  "image '%s' has %lld final label(s); a zero-label review is for images whose"
				  " final set is empty", stmt_text(st, 0),
				  (long long)stmt_int64(st, 2));
		stmt_reset(st);
		return rc;
	}
	stmt_reset(st);
	{
		struct mlfy_user u;
		if ((rc = mlfy_users_get_id(s, expert_id, &u, err)))
			return rc;
		if ((u.role != MLFY_ROLE_EXPERT && u.role != MLFY_ROLE_ADMIN) || u.disabled)
			rc = mlfy_err_set(err, MLFY_EPERM, "'%s' may not record zero-label reviews (needs an enabled"
					  " expert or admin account)", u.name);
		mlfy_user_release(&u);
		if (rc)
			return rc;
	}
	if (!(st = store_stmt(s, SQL_ZERO_ADD, err)))
		return err->code;
	mlfy_store_now(now);
	stmt_bind_int64(st, 1, image_id);
	stmt_bind_int64(st, 2, expert_id);
	stmt_bind_text(st, 3, category);
	stmt_bind_text(st, 4, verdict);
	stmt_bind_text(st, 5, comment ? comment : "");
	stmt_bind_text(st, 6, now);
	if ((rc = step_done(s, st, err, "write zero-label review")))
		return rc;
	if (id)
		*id = store_last_id(s);
	return 0;
}

void mlfy_zero_review_release(struct mlfy_zero_review *z)
{
	if (!z)
		return;
	free(z->expert);
	free(z->category);
	free(z->verdict);
	free(z->comment);
	memset(z, 0, sizeof(*z));
}

static const char SQL_ZERO_GET[] =
	"SELECT z.id, a.name, z.category, z.verdict, z.comment, z.created_at"
	" FROM zero_label_reviews z JOIN annotators a ON a.id = z.expert_id"
	" WHERE z.image_id = ?1 ORDER BY z.id DESC LIMIT 1";

int mlfy_review_zero_get(struct mlfy_store *s, int64_t image_id, struct mlfy_zero_review *out,
			 struct mlfy_err *err)
{
	struct store_stmt *st = store_stmt(s, SQL_ZERO_GET, err);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!st)
		return err->code;
	stmt_bind_int64(st, 1, image_id);
	rc = stmt_step(st);
	if (rc == STORE_DONE) {
		stmt_reset(st);
		return mlfy_err_set(err, MLFY_ENOTFOUND, "image %lld has no zero-label review", (long long)image_id);
	}
	if (rc != STORE_ROW) {
		rc = store_fail(s, err, "read zero-label review");
		stmt_reset(st);
		return rc;
	}
	out->id = stmt_int64(st, 0);
	out->image_id = image_id;
	out->expert = stmt_dup(st, 1);
	out->category = stmt_dup(st, 2);
	out->verdict = stmt_dup(st, 3);
	out->comment = stmt_dup(st, 4);
	snprintf(out->created_at, sizeof(out->created_at), "%s", stmt_text(st, 5));
	stmt_reset(st);
	if (!out->expert || !out->category || !out->verdict || !out->comment) {
		mlfy_zero_review_release(out);
		return store_oom(err);
	}
	return 0;
}

static const char SQL_ZERO_PENDING[] =
	"SELECT f.image_id FROM final_status f JOIN images i ON i.id = f.image_id"
	" WHERE NOT EXISTS (SELECT 1 FROM final_labels l WHERE l.image_id = f.image_id)"
	"   AND NOT EXISTS (SELECT 1 FROM zero_label_reviews z WHERE z.image_id = f.image_id)"
	" ORDER BY i.name";

int mlfy_review_zero_pending(struct mlfy_store *s, int64_t **ids, size_t *n, struct mlfy_err *err)
{
	struct store_stmt *st = store_stmt(s, SQL_ZERO_PENDING, err);
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	if (!st)
		return err->code;
	while ((rc = stmt_step(st)) == STORE_ROW) {
		if (*n == cap) {
			size_t nc = cap ? 2 * cap : 32;
			int64_t *v = realloc(*ids, nc * sizeof(*v));
			if (!v) {
				stmt_reset(st);
				free(*ids);
				*ids = NULL;
				*n = 0;
				return store_oom(err);
			}
			*ids = v;
			cap = nc;
		}
		(*ids)[(*n)++] = stmt_int64(st, 0);
	}
	stmt_reset(st);
	if (rc != STORE_DONE) {
		free(*ids);
		*ids = NULL;
		*n = 0;
		return store_fail(s, err, "read zero-label images");
	}
	return 0;
}

/* ---- counts ----------------------------------------------------------------- */

static const char SQL_ST_IMAGES[] = "SELECT COUNT(*) FROM images";
static const char SQL_ST_STAGES[] = "SELECT stage, COUNT(*) FROM final_status GROUP BY stage";
static const char SQL_ST_QUEUE[] =
	"SELECT COUNT(*), COUNT(q.expert_id), COALESCE(SUM(f.stage IS 'refined'), 0)"
	" FROM refinement_queue q LEFT JOIN final_status f ON f.image_id = q.image_id";
static const char SQL_ST_ZERO[] =
	"SELECT COUNT(*) FROM final_status f"
	" WHERE NOT EXISTS (SELECT 1 FROM final_labels l WHERE l.image_id = f.image_id)";
static const char SQL_ST_ZERO_REVIEWS[] =
	"SELECT z.category, z.verdict FROM zero_label_reviews z"
	" WHERE z.id = (SELECT MAX(y.id) FROM zero_label_reviews y WHERE y.image_id = z.image_id)"
	"   AND EXISTS (SELECT 1 FROM final_status f WHERE f.image_id = z.image_id)"
	"   AND NOT EXISTS (SELECT 1 FROM final_labels l WHERE l.image_id = z.image_id)";
static const char SQL_ST_VOTES[] =
	"SELECT (SELECT COUNT(*) FROM questions), (SELECT COUNT(*) FROM votes)";

int mlfy_review_stats_get(struct mlfy_store *s, struct mlfy_review_stats *out,
			  struct mlfy_err *err)
{
	struct store_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!(st = store_stmt(s, SQL_ST_IMAGES, err)))
		return err->code;
	if ((rc = query_i64(s, st, 0, &out->images, err, "count images")))
		return rc;
	if (!(st = store_stmt(s, SQL_ST_STAGES, err)))
		return err->code;
	while ((rc = stmt_step(st)) == STORE_ROW) {
		const char *stage = stmt_text(st, 0);
		int64_t c = stmt_int64(st, 1);
		if (!strcmp(stage, "agreed"))
			out->agreed = c;
		else if (!strcmp(stage, "refined"))
			out->refined = c;
		else if (!strcmp(stage, "aggregated"))
			out->aggregated = c;
		else if (!strcmp(stage, "imported"))
			out->imported = c;
	}
	stmt_reset(st);
	if (rc != STORE_DONE)
		return store_fail(s, err, "count final stages");
	out->undecided = out->images - out->agreed - out->refined - out->aggregated - out->imported;
	if (!(st = store_stmt(s, SQL_ST_QUEUE, err)))
		return err->code;
	if ((rc = stmt_step(st)) != STORE_ROW) {
		stmt_reset(st);
		return store_fail(s, err, "count refinement queue");
	}
	out->queued = stmt_int64(st, 0);
	out->queue_assigned = stmt_int64(st, 1);
	out->queue_refined = stmt_int64(st, 2);
	stmt_reset(st);
	if (!(st = store_stmt(s, SQL_ST_ZERO, err)))
		return err->code;
	if ((rc = query_i64(s, st, 0, &out->zero_label, err, "count zero-label images")))
		return rc;
	if (!(st = store_stmt(s, SQL_ST_ZERO_REVIEWS, err)))
		return err->code;
	while ((rc = stmt_step(st)) == STORE_ROW) {
		int c = mlfy_zero_category_index(stmt_text(st, 0));
		int v = mlfy_zero_verdict_index(stmt_text(st, 1));
		out->zero_reviewed++;
		if (c >= 0)
			out->by_category[c]++;
		if (v >= 0)
			out->by_verdict[v]++;
	}
	stmt_reset(st);
	if (rc != STORE_DONE)
		return store_fail(s, err, "count zero-label reviews");
	if (!(st = store_stmt(s, SQL_ST_VOTES, err)))
		return err->code;
	if ((rc = stmt_step(st)) != STORE_ROW) {
		stmt_reset(st);
		return store_fail(s, err, "count votes");
	}
	out->questions = stmt_int64(st, 0);
	out->votes = stmt_int64(st, 1);
	stmt_reset(st);
	return 0;
}

/* ---- invariants ----------------------------------------------------------------- */

static const char SQL_CHECK[] =
	"SELECT"
	" (SELECT COUNT(*) FROM refinement_queue q JOIN final_status f ON f.image_id = q.image_id"
	"   WHERE f.stage = 'agreed'),"
	" (SELECT COUNT(*) FROM final_status f WHERE f.stage = 'refined' AND NOT EXISTS (SELECT 1"
	"   FROM annotations a WHERE a.id = f.annotation_id AND a.image_id = f.image_id AND a.stage = 'refine')),"
	" (SELECT COUNT(*) FROM final_status f WHERE f.stage = 'refined' AND f.annotation_id IS NOT NULL AND ("
	"   EXISTS (SELECT class_idx FROM final_labels WHERE image_id = f.image_id"
	"           EXCEPT SELECT class_idx FROM annotation_labels WHERE annotation_id = f.annotation_id)"
	"   OR EXISTS (SELECT class_idx FROM annotation_labels WHERE annotation_id = f.annotation_id"
	"           EXCEPT SELECT class_idx FROM final_labels WHERE image_id = f.image_id))),"
	" (SELECT COUNT(*) FROM refinement_queue q JOIN current_annotations c ON c.image_id = q.image_id"
	"   AND c.annotator_id = q.expert_id AND c.stage = 'refine'"
	"   LEFT JOIN final_status f ON f.image_id = q.image_id"
	"   WHERE f.stage IS NOT 'refined' OR f.annotation_id IS NOT c.id)";

int mlfy_review_check(struct mlfy_store *s, struct mlfy_review_check *out, struct mlfy_err *err)
{
	struct store_stmt *st = store_stmt(s, SQL_CHECK, err);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!st)
		return err->code;
	if ((rc = stmt_step(st)) != STORE_ROW) {
		rc = store_fail(s, err, "check review tables");
		stmt_reset(st);
		return rc;
	}
	out->queued_and_agreed = stmt_int64(st, 0);
	out->refined_without_refinement = stmt_int64(st, 1);
	out->refined_set_differs = stmt_int64(st, 2);
	out->refinements_not_final = stmt_int64(st, 3);
	stmt_reset(st);
	return 0;
}

/* ---- raw votes ---------------------------------------------------------------- */

static const char SQL_VOTES_DEL[] = "DELETE FROM votes WHERE source = ?1";
static const char SQL_QUESTIONS_ORPHANS[] =
	"DELETE FROM questions WHERE NOT EXISTS (SELECT 1 FROM votes v WHERE v.question_id = questions.id)";

int mlfy_votes_delete_source(struct mlfy_store *s, const char *source, int64_t *n,
			     struct mlfy_err *err)
{
	struct store_stmt *st;
	int rc;

	if ((rc = store_require_tx(s, err, "votes")))
		return rc;
	if (!(st = store_stmt(s, SQL_VOTES_DEL, err)))
		return err->code;
	stmt_bind_text(st, 1, source);
	if ((rc = step_done(s, st, err, "delete votes")))
		return rc;
	if (n)
		*n = store_changes(s);
	if (!(st = store_stmt(s, SQL_QUESTIONS_ORPHANS, err)))
		return err->code;
	return step_done(s, st, err, "delete questions");
}

static const char SQL_Q_FIND[] = "SELECT id FROM questions WHERE image_name = ?1 AND class_idx = ?2";
static const char SQL_Q_ADD[] = "INSERT INTO questions(image_name, class_idx) VALUES (?1, ?2)";

int mlfy_votes_question(struct mlfy_store *s, const char *image, int class_idx, int64_t *id,
			struct mlfy_err *err)
{
	struct store_stmt *st;
	int rc;

	if ((rc = store_require_tx(s, err, "votes")))
		return rc;
	if (!(st = store_stmt(s, SQL_Q_FIND, err)))
		return err->code;
	stmt_bind_text(st, 1, image);
	stmt_bind_int(st, 2, class_idx);
	if ((rc = query_i64(s, st, 0, id, err, "find question")))
		return rc;
	if (*id)
		return 0;
	if (!(st = store_stmt(s, SQL_Q_ADD, err)))
		return err->code;
	stmt_bind_text(st, 1, image);
	stmt_bind_int(st, 2, class_idx);
	if ((rc = step_done(s, st, err, "add question")))
		return rc;
	*id = store_last_id(s);
	return 0;
}

static const char SQL_VOTE_PUT[] =
	"INSERT OR REPLACE INTO votes(question_id, rater, answer, source) VALUES (?1, ?2, ?3, ?4)";

int mlfy_votes_put(struct mlfy_store *s, int64_t question_id, const char *rater, int answer,
		   const char *source, struct mlfy_err *err)
{
	struct store_stmt *st;
	int rc;

	if ((rc = store_require_tx(s, err, "votes")))
		return rc;
	if (answer < 0 || answer > 2)
		return mlfy_err_set(err, MLFY_EINVAL, "answer %d is not 0 (no), 1 (maybe) or 2 (yes)", answer);
	if (!(st = store_stmt(s, SQL_VOTE_PUT, err)))
		return err->code;
	stmt_bind_int64(st, 1, question_id);
	stmt_bind_text(st, 2, rater);
	stmt_bind_int(st, 3, answer);
	stmt_bind_text(st, 4, source);
	return step_done(s, st, err, "write vote");
}

static const char SQL_VOTES_ALL[] =
	"SELECT v.question_id, q.image_name, q.class_idx, v.rater, v.answer, v.source"
	" FROM votes v JOIN questions q ON q.id = v.question_id"
	" WHERE ?1 IS NULL OR v.source = ?1 ORDER BY v.question_id, v.rater, v.source";

int mlfy_votes_foreach(struct mlfy_store *s, const char *source, mlfy_vote_cb cb, void *ctx,
		       struct mlfy_err *err)
{
	struct store_stmt *st = store_stmt(s, SQL_VOTES_ALL, err);
	int rc;

	if (!st)
		return err->code;
	if (source)
		stmt_bind_text(st, 1, source);
	else
		stmt_bind_null(st, 1);
	/* one statement: a single read transaction already */
	while ((rc = stmt_step(st)) == STORE_ROW) {
		struct mlfy_vote_row v;
		v.question_id = stmt_int64(st, 0);
		v.image = stmt_text(st, 1);
		v.class_idx = stmt_int(st, 2);
		v.rater = stmt_text(st, 3);
		v.answer = stmt_int(st, 4);
		v.source = stmt_text(st, 5);
		if ((rc = cb(&v, ctx))) {
			stmt_reset(st);
			return rc;
		}
	}
	stmt_reset(st);
	if (rc != STORE_DONE)
		return store_fail(s, err, "read votes");
	return 0;
}

static const char SQL_VOTES_COUNT[] =
	"SELECT COUNT(*), COUNT(DISTINCT question_id) FROM votes WHERE ?1 IS NULL OR source = ?1";

int mlfy_votes_count(struct mlfy_store *s, const char *source, int64_t *n_votes,
		     int64_t *n_questions, struct mlfy_err *err)
{
	struct store_stmt *st = store_stmt(s, SQL_VOTES_COUNT, err);
	int rc;

	if (!st)
		return err->code;
	if (source)
		stmt_bind_text(st, 1, source);
	else
		stmt_bind_null(st, 1);
	if ((rc = stmt_step(st)) != STORE_ROW) {
		rc = store_fail(s, err, "count votes");
		stmt_reset(st);
		return rc;
	}
	*n_votes = stmt_int64(st, 0);
	if (n_questions)
		*n_questions = stmt_int64(st, 1);
	stmt_reset(st);
	return 0;
}

/* ---- aggregation results ------------------------------------------------------- */

static const char SQL_AGG_CLEAR[] = "DELETE FROM aggregations WHERE method = ?1";
static const char SQL_AGG_PUT[] =
	"INSERT OR REPLACE INTO aggregations(question_id, method, posterior, label, threshold, computed_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

static int valid_method(const char *m)
{
	return !strcmp(m, "majority") || !strcmp(m, "dawid-skene");
}

int mlfy_aggregations_clear(struct mlfy_store *s, const char *method, struct mlfy_err *err)
{
	struct store_stmt *st;
	int rc;

	if ((rc = store_require_tx(s, err, "aggregations")))
		return rc;
	if (!valid_method(method))
		return mlfy_err_set(err, MLFY_EINVAL, "unknown aggregation method '%s'", method);
	if (!(st = store_stmt(s, SQL_AGG_CLEAR, err)))
		return err->code;
	stmt_bind_text(st, 1, method);
	return step_done(s, st, err, "clear aggregations");
}

int mlfy_aggregations_put(struct mlfy_store *s, int64_t question_id, const char *method,
			  double posterior, int label, double threshold, struct mlfy_err *err)
{
	struct store_stmt *st;
	char now[32];
	int rc;

	if ((rc = store_require_tx(s, err, "aggregations")))
		return rc;
	if (!valid_method(method))
		return mlfy_err_set(err, MLFY_EINVAL, "unknown aggregation method '%s'", method);
	if (!(posterior >= 0.0 && posterior <= 1.0))
		return mlfy_err_set(err, MLFY_EINVAL, "question %lld: posterior %g is not in [0, 1]",
				    (long long)question_id, posterior);
	if (!(st = store_stmt(s, SQL_AGG_PUT, err)))
		return err->code;
	mlfy_store_now(now);
	stmt_bind_int64(st, 1, question_id);
	stmt_bind_text(st, 2, method);
	stmt_bind_double(st, 3, posterior);
	stmt_bind_int(st, 4, label ? 1 : 0);
	stmt_bind_double(st, 5, threshold);
	stmt_bind_text(st, 6, now);
	return step_done(s, st, err, "write aggregation");
}

static const char SQL_IMAGE_ID[] = "SELECT id FROM images WHERE name = ?1";

int mlfy_review_image_id(struct mlfy_store *s, const char *name, int64_t *id,
			 struct mlfy_err *err)
{
	struct store_stmt *st = store_stmt(s, SQL_IMAGE_ID, err);
	int rc;

	if (!st)
		return err->code;
	stmt_bind_text(st, 1, name);
	if ((rc = query_i64(s, st, 0, id, err, "find image")))
		return rc;
	if (!*id)
		return mlfy_err_set(err, MLFY_ENOTFOUND, "no image named '%s' in the project", name);
	return 0;
}

/* ---- export cursor ------------------------------------------------------------- */

struct mlfy_export_cursor {
	struct mlfy_store *s;
	struct store_stmt *st;     /* owned: not from the statement cache */
	struct ibuf labels;
	int began;            /* 1 when the cursor opened the read transaction */
};

static const char SQL_EXPORT[] =
	"SELECT i.id, i.name, i.path, COALESCE(i.original_label, -1), i.batch, f.stage,"
	" COALESCE(f.annotation_id, 0), COALESCE(f.decided_at, ''),"
	" (SELECT group_concat(l.class_idx, ' ') FROM final_labels l WHERE l.image_id = i.id),"
	" COALESCE((SELECT a.comment FROM annotations a WHERE a.id = f.annotation_id), '')"
	" FROM images i LEFT JOIN final_status f ON f.image_id = i.id ORDER BY i.name";

int mlfy_export_open(struct mlfy_store *s, struct mlfy_export_cursor **out,
		     struct mlfy_err *err)
{
	struct mlfy_export_cursor *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return store_oom(err);
	c->s = s;
	if (store_read_begin(s, &c->began, err)) {
		int rc = err->code;
		free(c);
		return rc;
	}
	if (!(c->st = store_stmt_open(s, SQL_EXPORT, err))) {
		int rc = err ? err->code : MLFY_ESTORE;
		store_read_end(s, c->began);
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int mlfy_export_next(struct mlfy_export_cursor *c, struct mlfy_export_row *row,
		     struct mlfy_err *err)
{
	const char *p;
	int rc = stmt_step(c->st);

	if (rc == STORE_DONE)
		return 0;
	if (rc != STORE_ROW)
		return store_fail(c->s, err, "read export rows");
	memset(row, 0, sizeof(*row));
	row->image_id = stmt_int64(c->st, 0);
	row->name = stmt_text(c->st, 1);
	row->path = stmt_text(c->st, 2);
	row->original_label = stmt_int(c->st, 3);
	row->batch = stmt_int(c->st, 4);
	row->stage = stmt_text(c->st, 5);
	row->annotation_id = stmt_int64(c->st, 6);
	row->decided_at = stmt_text(c->st, 7);
	row->comment = stmt_text(c->st, 9);
	c->labels.n = 0;
	p = stmt_text(c->st, 8);
	while (p && *p) {
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p)
			break;
		if (ibuf_push(&c->labels, (int32_t)v))
			return store_oom(err);
		p = end;
	}
	if (c->labels.n > 1)
		qsort(c->labels.v, c->labels.n, sizeof(int32_t), cmp_i32);
	row->labels = c->labels.v;
	row->n_labels = c->labels.n;
	return 1;
}

void mlfy_export_close(struct mlfy_export_cursor *c)
{
	if (!c)
		return;
	store_stmt_close(c->st);
	store_read_end(c->s, c->began);
	free(c->labels.v);
	free(c);
}

/* ---- provenance ------------------------------------------------------------------- */

static void prov_annotation_release(struct mlfy_prov_annotation *a)
{
	size_t i;
	free(a->annotator);
	free(a->role);
	free(a->stage);
	free(a->labels);
	for (i = 0; a->sources && i < a->n_labels; i++)
		free(a->sources[i]);
	free(a->sources);
	free(a->comment);
}

void mlfy_provenance_release(struct mlfy_provenance *p)
{
	size_t i;
	if (!p)
		return;
	for (i = 0; i < p->n_ann; i++)
		prov_annotation_release(&p->ann[i]);
	free(p->ann);
	free(p->queue_rule);
	free(p->queue_reason);
	free(p->queue_expert);
	mlfy_zero_review_release(&p->zero);
	memset(p, 0, sizeof(*p));
}

static const char SQL_PROV_ANN[] =
	"SELECT a.id, n.name, n.role, a.stage, a.version, a.comment, a.seconds, a.created_at,"
	" (SELECT COUNT(*) FROM annotations b WHERE b.image_id = a.image_id"
	"   AND b.annotator_id = a.annotator_id AND b.stage = a.stage)"
	" FROM annotations a JOIN annotators n ON n.id = a.annotator_id"
	" WHERE a.image_id = ?1 AND a.version = (SELECT MAX(b.version) FROM annotations b"
	"   WHERE b.image_id = a.image_id AND b.annotator_id = a.annotator_id AND b.stage = a.stage)"
	" ORDER BY a.stage, n.name";
static const char SQL_PROV_LABELS[] =
	"SELECT class_idx, source FROM annotation_labels WHERE annotation_id = ?1 ORDER BY class_idx";
static const char SQL_PROV_QUEUE[] =
	"SELECT q.rule, q.reason, a.name FROM refinement_queue q"
	" LEFT JOIN annotators a ON a.id = q.expert_id WHERE q.image_id = ?1";

static int prov_labels(struct mlfy_store *s, int64_t annotation_id, struct mlfy_prov_annotation *a,
		       struct mlfy_err *err)
{
	struct store_stmt *st = store_stmt(s, SQL_PROV_LABELS, err);
	size_t cap = 0;
	int rc;

	if (!st)
		return err->code;
	stmt_bind_int64(st, 1, annotation_id);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		if (a->n_labels == cap) {
			size_t nc = cap ? 2 * cap : 8;
			int32_t *l = realloc(a->labels, nc * sizeof(*l));
			char **src;
			if (!l)
				goto nomem;
			a->labels = l;
			if (!(src = realloc(a->sources, nc * sizeof(*src))))
				goto nomem;
			a->sources = src;
			cap = nc;
		}
		a->labels[a->n_labels] = stmt_int(st, 0);
		if (!(a->sources[a->n_labels] = stmt_dup(st, 1)))
			goto nomem;
		a->n_labels++;
	}
	stmt_reset(st);
	if (rc != STORE_DONE)
		return store_fail(s, err, "read annotation labels");
	return 0;
nomem:
	stmt_reset(st);
	return store_oom(err);
}

int mlfy_review_provenance(struct mlfy_store *s, int64_t image_id, struct mlfy_provenance *out,
			   struct mlfy_err *err)
{
	struct store_stmt *st;
	int64_t *ann_ids = NULL;
	size_t cap = 0, i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!(st = store_stmt(s, SQL_PROV_ANN, err)))
		return err->code;
	stmt_bind_int64(st, 1, image_id);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		struct mlfy_prov_annotation *a;
		if (out->n_ann == cap) {
			size_t nc = cap ? 2 * cap : 4;
			struct mlfy_prov_annotation *v = realloc(out->ann, nc * sizeof(*v));
			int64_t *ids;
			if (!v)
				goto nomem;
			out->ann = v;
			if (!(ids = realloc(ann_ids, nc * sizeof(*ids))))
				goto nomem;
			ann_ids = ids;
			cap = nc;
		}
		a = &out->ann[out->n_ann];
		memset(a, 0, sizeof(*a));
		out->n_ann++;
		ann_ids[out->n_ann - 1] = stmt_int64(st, 0);  /* NOLINT(clang-analyzer-core.NullDereference): ann_ids grows with out->n_ann */
		a->version = stmt_int64(st, 4);
		a->seconds = stmt_double(st, 6);
		a->n_versions = stmt_int64(st, 8);
		snprintf(a->created_at, sizeof(a->created_at), "%s", stmt_text(st, 7));
		if (!(a->annotator = stmt_dup(st, 1)) || !(a->role = stmt_dup(st, 2)) ||
		    !(a->stage = stmt_dup(st, 3)) || !(a->comment = stmt_dup(st, 5)))
			goto nomem;
	}
	stmt_reset(st);
	if (rc != STORE_DONE) {
		rc = store_fail(s, err, "read annotations");
		goto fail;
	}
	for (i = 0; i < out->n_ann; i++)
		if ((rc = prov_labels(s, ann_ids[i], &out->ann[i], err)))  /* NOLINT(clang-analyzer-core.NullDereference): ann_ids grows with out->n_ann */
			goto fail;
	if (!(st = store_stmt(s, SQL_PROV_QUEUE, err))) {
		rc = err->code;
		goto fail;
	}
	stmt_bind_int64(st, 1, image_id);
	rc = stmt_step(st);
	if (rc == STORE_ROW) {
		out->queue_rule = stmt_dup(st, 0);
		out->queue_reason = stmt_dup(st, 1);
		if (!stmt_is_null(st, 2))
			out->queue_expert = stmt_dup(st, 2);
		if (!out->queue_rule || !out->queue_reason ||
		    (!stmt_is_null(st, 2) && !out->queue_expert)) {
			stmt_reset(st);
			rc = store_oom(err);
			goto fail;
		}
	} else if (rc != STORE_DONE) {
		rc = store_fail(s, err, "read refinement queue");
		stmt_reset(st);
		goto fail;
	}
	stmt_reset(st);
	rc = mlfy_review_zero_get(s, image_id, &out->zero, err);
	if (rc == MLFY_ENOTFOUND) {
		rc = 0;
		mlfy_err_clear(err);
	}
	if (rc)
		goto fail;
	free(ann_ids);
	return 0;
nomem:
	stmt_reset(st);
	rc = store_oom(err);
fail:
	free(ann_ids);
	mlfy_provenance_release(out);
	return rc;
}

/* ---- provenance cursor ------------------------------------------------------------ */

/* Each statement walks images by name (CROSS JOIN keeps images the outer
 * loop, so the ORDER BY is served by the UNIQUE index on images.name and no
 * sort of the whole table is needed) and yields the image id first. */
/* Every version of every annotation of each image with its labels: which
 * version is current and how many there are is worked out per image in C
 * (correlated MAX/COUNT subqueries and an ORDER BY beyond the image cost 3x
 * the walk), and so is the order (stage, annotator name; labels ascending). */
static const char SQL_PCUR_ANN[] =
	"SELECT i.id, i.name, a.id, n.name, n.role, a.stage, a.version, a.comment, a.seconds, a.created_at,"
	" a.annotator_id, l.class_idx, l.source"
	" FROM images i CROSS JOIN annotations a ON a.image_id = i.id"
	" JOIN annotators n ON n.id = a.annotator_id"
	" LEFT JOIN annotation_labels l ON l.annotation_id = a.id"
	" ORDER BY i.name";
static const char SQL_PCUR_QUEUE[] =
	"SELECT i.id, i.name, q.rule, q.reason, e.name FROM images i CROSS JOIN refinement_queue q ON q.image_id = i.id"
	" LEFT JOIN annotators e ON e.id = q.expert_id ORDER BY i.name";
static const char SQL_PCUR_ZERO[] =
	"SELECT i.id, i.name, z.id, a.name, z.category, z.verdict, z.comment, z.created_at"
	" FROM images i CROSS JOIN zero_label_reviews z ON z.image_id = i.id"
	" JOIN annotators a ON a.id = z.expert_id"
	" WHERE z.id = (SELECT MAX(y.id) FROM zero_label_reviews y WHERE y.image_id = i.id)"
	" ORDER BY i.name";

enum { PCUR_ANN, PCUR_QUEUE, PCUR_ZERO, PCUR_N };

struct mlfy_provenance_cursor {
	struct mlfy_store *s;
	struct store_stmt *st[PCUR_N];   /* owned */
	int live[PCUR_N];           /* 1 while st[k] sits on an unconsumed row */
	int began;
	int64_t *who;               /* annotator id of each row of the image being read */
	size_t who_cap;
};

/* Steps cursor k; 0 with live[k] set to whether a row came, or an error. */
static int pcur_step(struct mlfy_provenance_cursor *c, int k, struct mlfy_err *err)
{
	int rc = stmt_step(c->st[k]);
	c->live[k] = rc == STORE_ROW;
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_fail(c->s, err, "read provenance");
	return 0;
}

void mlfy_provenance_cursor_close(struct mlfy_provenance_cursor *c)
{
	int k;
	if (!c)
		return;
	for (k = 0; k < PCUR_N; k++)
		store_stmt_close(c->st[k]);
	store_read_end(c->s, c->began);
	free(c->who);
	free(c);
}

int mlfy_provenance_cursor_open(struct mlfy_store *s, struct mlfy_provenance_cursor **out,
				struct mlfy_err *err)
{
	static const char *const sql[PCUR_N] = { SQL_PCUR_ANN, SQL_PCUR_QUEUE, SQL_PCUR_ZERO };
	struct mlfy_provenance_cursor *c = calloc(1, sizeof(*c));
	int k, rc;

	*out = NULL;
	if (!c)
		return store_oom(err);
	c->s = s;
	if (store_read_begin(s, &c->began, err)) {
		rc = err->code;
		free(c);
		return rc;
	}
	for (k = 0; k < PCUR_N; k++) {
		if (!(c->st[k] = store_stmt_open(s, sql[k], err))) {
			rc = err ? err->code : MLFY_ESTORE;
			mlfy_provenance_cursor_close(c);
			return rc;
		}
	}
	for (k = 0; k < PCUR_N; k++) {
		if ((rc = pcur_step(c, k, err))) {
			mlfy_provenance_cursor_close(c);
			return rc;
		}
	}
	*out = c;
	return 0;
}

/* Moves cursor k past rows of images that sort before name (images the
 * caller skipped; SQLite's BINARY collation is memcmp order, as strcmp's);
 * 1 when it then sits on a row of image_id, 0 when not, or an error. */
static int pcur_seek(struct mlfy_provenance_cursor *c, int k, int64_t image_id, const char *name,
		     struct mlfy_err *err)
{
	int rc;
	while (c->live[k] && stmt_int64(c->st[k], 0) != image_id &&
	       strcmp(stmt_text(c->st[k], 1), name) < 0)
		if ((rc = pcur_step(c, k, err)))
			return rc;
	return c->live[k] && stmt_int64(c->st[k], 0) == image_id;
}

/* Orders an annotation's labels ascending, each with its source (a
 * handful: insertion sort). */
static void prov_sort_labels(struct mlfy_prov_annotation *a)
{
	size_t i, j;
	for (i = 1; i < a->n_labels; i++) {
		int32_t l = a->labels[i];
		char *src = a->sources[i];
		for (j = i; j > 0 && a->labels[j - 1] > l; j--) {
			a->labels[j] = a->labels[j - 1];
			a->sources[j] = a->sources[j - 1];
		}
		a->labels[j] = l;
		a->sources[j] = src;
	}
}

static int cmp_prov_annotation(const void *x, const void *y)
{
	const struct mlfy_prov_annotation *a = x, *b = y;
	int r = strcmp(a->stage, b->stage);
	return r ? r : strcmp(a->annotator, b->annotator);
}

/* Of every version in p->ann (annotator ids in who[]), keeps the current one
 * of each (annotator, stage) with the number of versions, in the order of
 * mlfy_review_provenance (stage, then annotator name). */
static void prov_keep_current(struct mlfy_provenance *p, const int64_t *who)
{
	size_t i, j, k = 0;
	for (i = 0; i < p->n_ann; i++) {
		struct mlfy_prov_annotation *a = &p->ann[i];
		int current = 1;
		a->n_versions = 0;
		for (j = 0; j < p->n_ann; j++) {
			const struct mlfy_prov_annotation *b = &p->ann[j];
			if (who[j] != who[i] || strcmp(b->stage, a->stage))
				continue;
			a->n_versions++;
			if (b->version > a->version)
				current = 0;
		}
		if (!current)
			a->n_versions = -1;   /* marked: dropped below */
	}
	for (i = 0, k = 0; i < p->n_ann; i++) {
		if (p->ann[i].n_versions < 0) {
			prov_annotation_release(&p->ann[i]);
			continue;
		}
		prov_sort_labels(&p->ann[i]);
		p->ann[k++] = p->ann[i];
	}
	p->n_ann = k;
	if (k > 1)
		qsort(p->ann, k, sizeof(*p->ann), cmp_prov_annotation);
}

int mlfy_provenance_cursor_get(struct mlfy_provenance_cursor *c, int64_t image_id, const char *name,
			       struct mlfy_provenance *out, struct mlfy_err *err)
{
	struct store_stmt *st;
	size_t cap = 0, lcap = 0;
	int64_t ann_id = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	st = c->st[PCUR_ANN];
	while ((rc = pcur_seek(c, PCUR_ANN, image_id, name, err)) == 1) {
		struct mlfy_prov_annotation *a;
		if (stmt_int64(st, 2) != ann_id || !out->n_ann) {
			if (out->n_ann == cap) {
				size_t nc = cap ? 2 * cap : 4;
				struct mlfy_prov_annotation *v = realloc(out->ann, nc * sizeof(*v));
				int64_t *w;
				if (!v)
					goto nomem;
				out->ann = v;
				if (nc > c->who_cap) {
					if (!(w = realloc(c->who, nc * sizeof(*w))))
						goto nomem;
					c->who = w;
					c->who_cap = nc;
				}
				cap = nc;
			}
			a = &out->ann[out->n_ann++];
			memset(a, 0, sizeof(*a));
			lcap = 0;
			ann_id = stmt_int64(st, 2);
			c->who[out->n_ann - 1] = stmt_int64(st, 10);
			a->version = stmt_int64(st, 6);
			a->seconds = stmt_double(st, 8);
			snprintf(a->created_at, sizeof(a->created_at), "%s", stmt_text(st, 9));
			if (!(a->annotator = stmt_dup(st, 3)) || !(a->role = stmt_dup(st, 4)) ||
			    !(a->stage = stmt_dup(st, 5)) || !(a->comment = stmt_dup(st, 7)))
				goto nomem;
		}
		a = &out->ann[out->n_ann - 1];
		if (!stmt_is_null(st, 11)) {
			if (a->n_labels == lcap) {
				size_t nc = lcap ? 2 * lcap : 8;
				int32_t *l = realloc(a->labels, nc * sizeof(*l));
				char **src;
				if (!l)
					goto nomem;
				a->labels = l;
				if (!(src = realloc(a->sources, nc * sizeof(*src))))
					goto nomem;
				a->sources = src;
				lcap = nc;
			}
			a->labels[a->n_labels] = stmt_int(st, 11);
			if (!(a->sources[a->n_labels] = stmt_dup(st, 12)))
				goto nomem;
			a->n_labels++;
		}
		if ((rc = pcur_step(c, PCUR_ANN, err)))
			goto fail;
	}
	if (rc < 0)
		goto fail;
	prov_keep_current(out, c->who);
	st = c->st[PCUR_QUEUE];
	if ((rc = pcur_seek(c, PCUR_QUEUE, image_id, name, err)) < 0)
		goto fail;
	if (rc == 1) {
		out->queue_rule = stmt_dup(st, 2);
		out->queue_reason = stmt_dup(st, 3);
		if (!stmt_is_null(st, 4) && !(out->queue_expert = stmt_dup(st, 4)))
			goto nomem;
		if (!out->queue_rule || !out->queue_reason)
			goto nomem;
		if ((rc = pcur_step(c, PCUR_QUEUE, err)))
			goto fail;
	}
	st = c->st[PCUR_ZERO];
	if ((rc = pcur_seek(c, PCUR_ZERO, image_id, name, err)) < 0)
		goto fail;
	if (rc == 1) {
		struct mlfy_zero_review *z = &out->zero;
		z->id = stmt_int64(st, 2);
		z->image_id = image_id;
		snprintf(z->created_at, sizeof(z->created_at), "%s", stmt_text(st, 7));
		if (!(z->expert = stmt_dup(st, 3)) || !(z->category = stmt_dup(st, 4)) ||
		    !(z->verdict = stmt_dup(st, 5)) || !(z->comment = stmt_dup(st, 6)))
			goto nomem;
		if ((rc = pcur_step(c, PCUR_ZERO, err)))
			goto fail;
	}
	return 0;
nomem:
	rc = store_oom(err);
fail:
	mlfy_provenance_release(out);
	return rc;
}
