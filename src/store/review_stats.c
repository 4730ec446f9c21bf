/* review_stats.c - counts of the review tables for `mlfy stats`, the
 * dashboard and the report (final labels by stage, queue, zero-label
 * reviews, votes), and the review invariants `mlfy check` verifies
 * (review_stats.h).  Reads only. */
#include "store/review_stats.h"
#include "store/engine.h"

#include <string.h>

static const char SQL_ST_IMAGES[] = "SELECT COUNT(*) FROM images";

static const char SQL_ST_STAGES[] = "SELECT stage, COUNT(*) FROM final_status GROUP BY stage";

static const char SQL_ST_QUEUE[] =
	"SELECT COUNT(*), COUNT(q.expert_id), COALESCE(SUM(CASE WHEN f.stage = 'refined' THEN 1 ELSE 0 END), 0)"
	" FROM refinement_queue q LEFT JOIN final_status f ON f.image_id = q.image_id";

static const char SQL_ST_ZERO[] =
	"SELECT COUNT(*) FROM final_status f"
	" WHERE NOT EXISTS (SELECT 1 FROM final_labels l WHERE l.image_id = f.image_id)";

static const char SQL_ST_ZERO_REVIEWS[] =
	"SELECT z.category, z.verdict FROM zero_label_reviews z"
	" WHERE z.id = (SELECT MAX(y.id) FROM zero_label_reviews y WHERE y.image_id = z.image_id)"
	"   AND EXISTS (SELECT 1 FROM final_status f WHERE f.image_id = z.image_id)"
	"   AND NOT EXISTS (SELECT 1 FROM final_labels l WHERE l.image_id = z.image_id)";

/* votes: the imported ones and the verification grid's current answers (store/votes.h) */
static const char SQL_ST_VOTES[] =
	"SELECT (SELECT COUNT(*) FROM questions), (SELECT COUNT(*) FROM votes) + (SELECT COUNT(*) FROM verify_votes)";

#define OWN_ANSWER "NOT EXISTS (SELECT 1 FROM gold_tasks g WHERE g.image_id = c.image_id" \
	" AND g.annotator_id = c.annotator_id)"
static const char SQL_ST_FLAGS[] =
	"SELECT f.kind, f.code, COUNT(*), COUNT(DISTINCT c.image_id) FROM current_annotations c"
	" JOIN annotation_flags f ON f.annotation_id = c.id WHERE " OWN_ANSWER " GROUP BY f.kind, f.code";
static const char SQL_ST_GOLD[] =
	"SELECT (SELECT COUNT(*) FROM gold_images), (SELECT COUNT(*) FROM gold_tasks),"
	" (SELECT COUNT(*) FROM gold_tasks t WHERE EXISTS (SELECT 1 FROM annotations n"
	"   WHERE n.image_id = t.image_id AND n.annotator_id = t.annotator_id AND n.stage = 'annotate'))";

/* The flag and gold counts of *out. */
static int quality_counts(struct mlfy_store *s, struct mlfy_review_stats *out, struct mlfy_err *err)
{
	struct store_stmt *st;
	int rc;

	STMT(st, SQL_ST_FLAGS);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		const char *kind = stmt_text(st, 0);
		int k;
		if (kind && !strcmp(kind, "unsure") && (k = mlfy_unsure_index(stmt_text(st, 1))) >= 0) {
			out->by_unsure[k] = stmt_int64(st, 2);
			out->unsure += out->by_unsure[k];
		} else if (kind && !strcmp(kind, "tag") && (k = mlfy_tag_index(stmt_text(st, 1))) >= 0) {
			out->by_tag[k] = stmt_int64(st, 3);
		}
	}
	stmt_reset(st);
	if (rc != STORE_DONE)
		return store_fail(s, err, "count flags");
	STMT(st, SQL_ST_GOLD);
	if ((rc = stmt_step(st)) != STORE_ROW) {
		stmt_reset(st);
		return store_fail(s, err, "count gold images");
	}
	out->gold_images = stmt_int64(st, 0);
	out->gold_tasks = stmt_int64(st, 1);
	out->gold_answered = stmt_int64(st, 2);
	stmt_reset(st);
	return 0;
}

int mlfy_review_stats_get(struct mlfy_store *s, struct mlfy_review_stats *out,
			  struct mlfy_err *err)
{
	struct store_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!(st = store_stmt(s, SQL_ST_IMAGES, err)))
		return err->code;
	if ((rc = store_query_i64(s, st, 0, &out->images, "count images", err)))
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
	if ((rc = store_query_i64(s, st, 0, &out->zero_label, "count zero-label images", err)))
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
	return quality_counts(s, out, err);
}

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
	/* a planted label (store/arms.h) is never final */
	"           AND class_idx IS DISTINCT FROM (SELECT r.planted_class FROM refinement_arms r WHERE r.image_id = f.image_id)"
	"           EXCEPT SELECT class_idx FROM final_labels WHERE image_id = f.image_id))),"
	" (SELECT COUNT(*) FROM refinement_queue q JOIN current_annotations c ON c.image_id = q.image_id"
	"   AND c.annotator_id = q.expert_id AND c.stage = 'refine'"
	"   LEFT JOIN final_status f ON f.image_id = q.image_id"
	"   WHERE f.stage IS DISTINCT FROM 'refined' OR f.annotation_id IS DISTINCT FROM c.id)";

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
