/* quality_input.c - the project as `mlfy quality` reads it: every current
 * annotation with its labels, what was shown, the gold and final sets and
 * the anchoring arm (quality_input.h).  Reads only; owns no table. */
#include "store/quality_input.h"
#include "store/annotations.h"
#include "store/arms.h"
#include "store/engine.h"
#include "store/flags.h"
#include "store/proposals.h"
#include "util/vec.h"

#include <stdlib.h>
#include <string.h>

static const char SQL_ROWS[] =
	"SELECT c.id, c.image_id, c.annotator_id, u.name, u.role, c.stage, c.seconds, c.created_at,"
	" COALESCE(c.model_id, 0),"
	" (SELECT MIN(b.created_at) FROM annotations b WHERE b.image_id = c.image_id"
	"   AND b.annotator_id = c.annotator_id AND b.stage = c.stage),"
	" CAST(EXISTS (SELECT 1 FROM gold_tasks g WHERE g.image_id = c.image_id AND g.annotator_id = c.annotator_id) AS INTEGER),"
	" CAST(EXISTS (SELECT 1 FROM assignments a WHERE a.batch = i.batch AND a.annotator_id = c.annotator_id) AS INTEGER),"
	" COALESCE((SELECT COALESCE(gi.annotation_id, 0) FROM gold_images gi WHERE gi.image_id = c.image_id), -1),"
	" CAST(f.image_id IS NOT NULL AS INTEGER), COALESCE(f.annotation_id, 0),"
	" COALESCE(r.arm, 'shown'), COALESCE(r.planted_class, -1), f.stage"
	" FROM current_annotations c JOIN annotators u ON u.id = c.annotator_id JOIN images i ON i.id = c.image_id"
	" LEFT JOIN final_status f ON f.image_id = c.image_id"
	" LEFT JOIN refinement_arms r ON r.image_id = c.image_id"
	" ORDER BY u.name, c.stage, c.image_id";
static const char SQL_LABELS[] = "SELECT class_idx, source FROM annotation_labels WHERE annotation_id = ?1"
				 " ORDER BY class_idx";
static const char SQL_GOLD[] = "SELECT class_idx FROM gold_labels WHERE image_id = ?1 ORDER BY class_idx";
static const char SQL_FINAL[] = "SELECT class_idx FROM final_labels WHERE image_id = ?1 ORDER BY class_idx";

struct bufs {
	struct mlfy_ivec labels, shown;
	int32_t *gold, *final, *u2;
	size_t n_gold, n_final, n_u2;
};

static int list_of(struct mlfy_store *s, const char *sql, int64_t id, int32_t **out, size_t *n,
		   struct mlfy_err *err)
{
	struct store_stmt *st;
	free(*out);
	*out = NULL;
	*n = 0;
	STMT(st, sql);
	stmt_bind_int64(st, 1, id);
	return store_list_i32(s, st, out, n, "read labels", err);
}

/* Fills everything of r that needs lookups beyond the row itself. */
static int fill(struct mlfy_store *s, struct mlfy_quality_row *r, int64_t model, struct bufs *b,
		struct mlfy_err *err)
{
	struct store_stmt *st;
	int rc, unsure;

	b->labels.n = b->shown.n = 0;
	r->n_search = 0;
	STMT(st, SQL_LABELS);
	stmt_bind_int64(st, 1, r->annotation_id);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		const char *src = stmt_text(st, 1);
		if (mlfy_ivec_push(&b->labels, stmt_int(st, 0))) {
			stmt_reset(st);
			return mlfy_err_oom(err);
		}
		r->n_search += src && !strcmp(src, "search");
	}
	stmt_reset(st);
	if (rc != STORE_DONE)
		return store_fail(s, err, "read labels");
	r->top1 = -1;
	if (model && (rc = mlfy_proposals_shown(s, r->image_id, model, &b->shown, &r->top1, err)))
		return rc;
	if ((rc = mlfy_flags_get(s, r->annotation_id, &unsure, &r->tags, err)))
		return rc;
	r->unsure = unsure + 1;
	b->n_gold = b->n_final = b->n_u2 = 0;
	if ((r->is_gold && (rc = list_of(s, SQL_GOLD, r->image_id, &b->gold, &b->n_gold, err))) ||
	    (r->decided && (rc = list_of(s, SQL_FINAL, r->image_id, &b->final, &b->n_final, err))))
		return rc;
	if (r->stage == MLFY_STAGE_REFINE) {
		free(b->u2);
		b->u2 = NULL;
		if ((rc = mlfy_annotations_stage2_union(s, r->image_id, &b->u2, &b->n_u2, err)))
			return rc;
	}
	r->labels = b->labels.v;
	r->n_labels = b->labels.n;
	r->shown = b->shown.v;
	r->n_shown = b->shown.n;
	r->gold = b->gold;
	r->n_gold = r->is_gold ? b->n_gold : 0;
	r->final = b->final;
	r->n_final = r->decided ? b->n_final : 0;
	r->union2 = b->u2;
	r->n_union2 = r->stage == MLFY_STAGE_REFINE ? b->n_u2 : 0;
	return 0;
}

int mlfy_quality_foreach(struct mlfy_store *s, mlfy_quality_row_cb cb, void *ctx, struct mlfy_err *err)
{
	struct store_stmt *st;
	struct bufs b;
	int rc, began;

	memset(&b, 0, sizeof(b));
	if ((rc = store_read_begin(s, &began, err)))
		return rc;
	if (!(st = store_stmt_open(s, SQL_ROWS, err))) {
		store_read_end(s, began);
		return err->code;
	}
	while ((rc = stmt_step(st)) == STORE_ROW) {
		struct mlfy_quality_row r;
		const char *arm;
		enum mlfy_stage stg;
		memset(&r, 0, sizeof(r));
		r.annotation_id = stmt_int64(st, 0);
		r.image_id = stmt_int64(st, 1);
		r.annotator_id = stmt_int64(st, 2);
		r.annotator = stmt_text(st, 3);
		r.role = stmt_text(st, 4);
		if (mlfy_stage_parse(stmt_text(st, 5), &stg, NULL))
			stg = MLFY_STAGE_ANNOTATE;
		r.stage = (int)stg;
		r.seconds = stmt_double(st, 6);
		r.created_at = stmt_text(st, 7);
		r.first_at = stmt_text(st, 9);
		r.gold_task = stmt_int(st, 10);
		r.own = stmt_int(st, 11);
		r.is_gold = stmt_int64(st, 12) >= 0;
		r.gold_annotation = r.is_gold ? stmt_int64(st, 12) : 0;
		r.decided = stmt_int(st, 13);
		r.final_annotation = stmt_int64(st, 14);
		arm = stmt_text(st, 15);
		r.arm = arm && !strcmp(arm, "blind") ? MLFY_ARM_BLIND : MLFY_ARM_SHOWN;
		r.planted = stmt_int(st, 16);
		r.final_stage = r.decided ? stmt_text(st, 17) : NULL;
		if ((rc = fill(s, &r, stmt_int64(st, 8), &b, err)) || (rc = cb(&r, ctx)))
			break;
	}
	if (rc == STORE_DONE)
		rc = 0;
	else if (rc == STORE_ROW || rc == STORE_ERROR)
		rc = store_fail(s, err, "read annotations");
	store_stmt_close(st);
	store_read_end(s, began);
	MLFY_FREE_ALL(b.labels.v, b.shown.v, b.gold, b.final, b.u2);
	return rc;
}
