/* verify_quality_input.c - the raters of the verification grid and every
 * verification answer with its time, aggregation result and gold truth,
 * as the per-rater figures of `mlfy quality` read them
 * (verify_quality_input.h).  Reads only. */
#include "store/verify_quality_input.h"
#include "store/engine.h"

#include <string.h>

/* accounts with a verification assignment or answer, by name */
static const char SQL_RATERS[] =
	"SELECT n.id, n.name, (SELECT COUNT(*) FROM verify_assignments v WHERE v.annotator_id = n.id)"
	" FROM annotators n"
	" WHERE EXISTS (SELECT 1 FROM verify_assignments v WHERE v.annotator_id = n.id)"
	"    OR EXISTS (SELECT 1 FROM verify_answers a WHERE a.annotator_id = n.id)"
	" ORDER BY n.name";

/* every answer (all versions): current or not, the page's seconds shared
 * among the page's answers, the stored result of method ?1, gold truth */
static const char SQL_ANSWERS[] =
	"SELECT a.annotator_id, a.question_id, a.answer, a.bulk,"
	" CAST(a.version = (SELECT MAX(b.version) FROM verify_answers b"
	"   WHERE b.question_id = a.question_id AND b.annotator_id = a.annotator_id) AS INTEGER),"
	" p.seconds / (SELECT COUNT(*) FROM verify_answers x WHERE x.page_id = p.id),"
	" COALESCE(g.label, -1), CAST(gi.image_id IS NOT NULL AS INTEGER),"
	" CAST(gi.image_id IS NOT NULL AND EXISTS (SELECT 1 FROM gold_labels gl"
	"   WHERE gl.image_id = gi.image_id AND gl.class_idx = q.class_idx) AS INTEGER)"
	" FROM verify_answers a JOIN verify_pages p ON p.id = a.page_id"
	" JOIN questions q ON q.id = a.question_id"
	" LEFT JOIN aggregations g ON g.question_id = a.question_id AND g.method = ?1"
	" LEFT JOIN images i ON i.name = q.image_name"
	" LEFT JOIN gold_images gi ON gi.image_id = i.id"
	" ORDER BY a.annotator_id, a.question_id, a.version";

static int walk_raters(struct mlfy_store *s, mlfy_vq_rater_cb cb, void *ctx, struct mlfy_err *err)
{
	struct store_stmt *st;
	int rc;

	STMT(st, SQL_RATERS);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		struct mlfy_vq_rater_row r;
		r.id = stmt_int64(st, 0);
		r.name = stmt_text(st, 1);
		r.assigned = stmt_int64(st, 2);
		if ((rc = cb(&r, ctx))) {
			stmt_reset(st);
			return rc;
		}
	}
	if (rc != STORE_DONE)
		return store_fail(s, err, "read the raters of the verification grid");
	return 0;
}

static int walk_answers(struct mlfy_store *s, const char *method, mlfy_vq_answer_cb cb, void *ctx,
			struct mlfy_err *err)
{
	struct store_stmt *st;
	int rc;

	STMT(st, SQL_ANSWERS);
	if (method)
		stmt_bind_text(st, 1, method);
	else
		stmt_bind_null(st, 1);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		struct mlfy_vq_answer_row a;
		memset(&a, 0, sizeof(a));
		a.rater_id = stmt_int64(st, 0);
		a.question_id = stmt_int64(st, 1);
		a.answer = stmt_int(st, 2);
		a.bulk = stmt_int(st, 3);
		a.current = stmt_int(st, 4);
		a.seconds = stmt_double(st, 5);
		a.aggregated = stmt_int(st, 6);
		a.is_gold = stmt_int(st, 7);
		a.in_gold = stmt_int(st, 8);
		if ((rc = cb(&a, ctx))) {
			stmt_reset(st);
			return rc;
		}
	}
	if (rc != STORE_DONE)
		return store_fail(s, err, "read verification answers");
	return 0;
}

int mlfy_vq_foreach(struct mlfy_store *s, const char *method, mlfy_vq_rater_cb rater_cb,
		    mlfy_vq_answer_cb answer_cb, void *ctx, struct mlfy_err *err)
{
	int rc, began;

	if ((rc = store_read_begin(s, &began, err)))
		return rc;
	if (!(rc = walk_raters(s, rater_cb, ctx, err)))
		rc = walk_answers(s, method, answer_cb, ctx, err);
	store_read_end(s, began);
	return rc;
}
