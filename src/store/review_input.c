/* review_input.c - the project as the disagreement analysis (stage iii)
 * reads it: every image in name order with its batch's assigned annotators,
 * each one's current stage-ii set, what they were shown, comment and time
 * (review_input.h).  Reads only; owns no table. */
#include "store/review_input.h"
#include "store/annotations.h"
#include "store/engine.h"
#include "store/proposals.h"
#include "store/flags.h"
#include "util/vec.h"

#include <stdlib.h>
#include <string.h>

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
	MLFY_FREE_ALL(a->names, a->ids, a->b);
	memset(a, 0, sizeof(*a));
}

static const char SQL_ASSIGNEES[] =
	"SELECT s.batch, a.id, a.name FROM assignments s JOIN annotators a ON a.id = s.annotator_id"
	" ORDER BY s.batch, a.name";

static int assignees_load(struct mlfy_store *s, struct assignees *a, struct mlfy_err *err)
{
	struct store_stmt *st = store_stmt(s, SQL_ASSIGNEES, err);
	size_t cap_ids = 0, cap_names = 0, cap_b = 0;
	int rc;

	memset(a, 0, sizeof(*a));
	if (!st)
		return err->code;
	while ((rc = stmt_step(st)) == STORE_ROW) {
		int batch = stmt_int(st, 0);
		if (MLFY_GROW(a->ids, cap_ids, a->n + 1) || MLFY_GROW(a->names, cap_names, a->n + 1))
			goto nomem;
		if (!a->n_b || a->b[a->n_b - 1].batch != batch) {
			if (MLFY_GROW(a->b, cap_b, a->n_b + 1))
				goto nomem;
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
	return mlfy_err_oom(err);
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
	" CAST(q.image_id IS NOT NULL AS INTEGER)" \
	" FROM images i LEFT JOIN final_status f ON f.image_id = i.id" \
	" LEFT JOIN refinement_queue q ON q.image_id = i.id"

static const char SQL_IMAGE_PAGE_FIRST[] = IMAGE_PAGE_COLS " ORDER BY i.name LIMIT 512";

static const char SQL_IMAGE_PAGE[] = IMAGE_PAGE_COLS " WHERE i.name > ?1 ORDER BY i.name LIMIT 512";

static const char SQL_CURRENT_ANN[] =
	"SELECT id, COALESCE(model_id, 0), comment, seconds FROM annotations"
	" WHERE image_id = ?1 AND annotator_id = ?2 AND stage = 'annotate'"
	" ORDER BY version DESC LIMIT 1";

static const char SQL_REFINE_SAVED[] =
	"SELECT CAST(EXISTS (SELECT 1 FROM annotations WHERE image_id = ?1 AND stage = 'refine') AS INTEGER)";

/* Per-annotator buffers reused from image to image. */
struct ann_buf {
	struct mlfy_ivec labels, shown;
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
	out->unsure = 0;
	out->tags = 0;
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
			return mlfy_err_oom(err);
		}
	} else if (rc != STORE_DONE) {
		rc = store_fail(s, err, "read annotation");
		stmt_reset(st);
		return rc;
	}
	stmt_reset(st);
	if (out->annotation_id) {
		int unsure;
		if ((rc = mlfy_annotation_label_ids(s, out->annotation_id, &b->labels.v, &b->labels.n, &b->labels.cap, err)) ||
		    (rc = mlfy_flags_get(s, out->annotation_id, &unsure, &out->tags, err)))
			return rc;
		out->unsure = unsure + 1;
		if (out->model_id && (rc = mlfy_proposals_shown(s, image_id, out->model_id, &b->shown, NULL, err)))
			return rc;
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
		rc = mlfy_err_oom(err);
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
				rc = mlfy_err_oom(err);
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
				if ((rc = store_query_i64(s, q, 0, &v, "read refinements", err)))
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
			MLFY_FREE_ALL(page[i].name, page[i].final_stage);
			page[i].name = page[i].final_stage = NULL;
		}
		if (n_page < PAGE)
			break;
	}
	goto out;
out_page:
	for (i = 0; i < PAGE; i++) {
		MLFY_FREE_ALL(page[i].name, page[i].final_stage);
	}
out:
	for (i = 0; bufs && i < max_ann; i++) {
		MLFY_FREE_ALL(bufs[i].labels.v, bufs[i].shown.v, bufs[i].comment);
	}
	MLFY_FREE_ALL(bufs, ann, last);
	assignees_free(&who);
	store_read_end(s, began);
	return rc;
}
