/* protocol_input.c - the project as the comparison of the two protocols
 * reads it: per image with verification answers, both protocols' sets,
 * time and people, and the gold set (protocol_input.h).  Reads only. */
#include "store/protocol_input.h"
#include "store/engine.h"
#include "util/vec.h"

#include <stdlib.h>
#include <string.h>

/* Images with a verification answer; per image the paper's decision and
 * stage-ii cost, the verification questions and results, the
 * verification cost (page seconds shared among the page's answers) and
 * whether it is gold. */
static const char SQL_ROWS[] =
	"SELECT i.id, i.name, CASE WHEN f.stage IN ('agreed','refined') THEN 1 ELSE 0 END,"
	" (SELECT COALESCE(SUM(c.seconds), 0) FROM current_annotations c"
	"   WHERE c.image_id = i.id AND c.stage = 'annotate'),"
	" (SELECT COUNT(*) FROM current_annotations c WHERE c.image_id = i.id AND c.stage = 'annotate'),"
	" (SELECT COUNT(*) FROM questions q JOIN verify_questions v ON v.question_id = q.id"
	"   WHERE q.image_name = i.name),"
	" (SELECT COUNT(*) FROM questions q JOIN verify_questions v ON v.question_id = q.id"
	"   JOIN aggregations g ON g.question_id = q.id AND g.method = ?1 WHERE q.image_name = i.name),"
	" (SELECT COALESCE(SUM(p.seconds / (SELECT COUNT(*) FROM verify_answers x WHERE x.page_id = p.id)), 0)"
	"   FROM questions q JOIN verify_answers a ON a.question_id = q.id"
	"   JOIN verify_pages p ON p.id = a.page_id WHERE q.image_name = i.name),"
	" (SELECT COUNT(DISTINCT a.annotator_id) FROM questions q"
	"   JOIN verify_answers a ON a.question_id = q.id WHERE q.image_name = i.name),"
	" CAST(g.image_id IS NOT NULL AS INTEGER)"
	" FROM images i LEFT JOIN final_status f ON f.image_id = i.id"
	" LEFT JOIN gold_images g ON g.image_id = i.id"
	" WHERE EXISTS (SELECT 1 FROM questions q JOIN verify_answers a ON a.question_id = q.id"
	"   WHERE q.image_name = i.name)"
	" ORDER BY i.id";
static const char SQL_PAPER[] = "SELECT class_idx FROM final_labels WHERE image_id = ?1 ORDER BY class_idx";
static const char SQL_GOLD[] = "SELECT class_idx FROM gold_labels WHERE image_id = ?1 ORDER BY class_idx";
static const char SQL_VERIFY[] =
	"SELECT q.class_idx FROM questions q JOIN verify_questions v ON v.question_id = q.id"
	" JOIN aggregations g ON g.question_id = q.id AND g.method = ?1"
	" WHERE q.image_name = ?2 AND g.label = 1 ORDER BY q.class_idx";
static const char SQL_AGGREGATED[] =
	"SELECT COUNT(*) FROM verify_questions v JOIN aggregations g"
	" ON g.question_id = v.question_id AND g.method = ?1";

static int ids_of(struct mlfy_store *s, const char *sql, int64_t id, int32_t **out, size_t *n,
		  struct mlfy_err *err)
{
	struct store_stmt *st;
	STMT(st, sql);
	stmt_bind_int64(st, 1, id);
	free(*out);
	*out = NULL;
	return store_list_i32(s, st, out, n, "read labels", err);
}

static int verify_set(struct mlfy_store *s, const char *method, const char *image, int32_t **out,
		      size_t *n, struct mlfy_err *err)
{
	struct store_stmt *st;
	STMT(st, SQL_VERIFY);
	stmt_bind_text(st, 1, method);
	stmt_bind_text(st, 2, image);
	free(*out);
	*out = NULL;
	return store_list_i32(s, st, out, n, "read verification results", err);
}

int mlfy_protocol_foreach(struct mlfy_store *s, const char *method, mlfy_protocol_row_cb cb, void *ctx,
			  struct mlfy_err *err)
{
	struct store_stmt *st;
	int32_t *paper = NULL, *gold = NULL, *verify = NULL;
	int rc, began;

	if ((rc = store_read_begin(s, &began, err)))
		return rc;
	if (!(st = store_stmt_open(s, SQL_ROWS, err))) {
		store_read_end(s, began);
		return err->code;
	}
	stmt_bind_text(st, 1, method);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		struct mlfy_protocol_row r;
		memset(&r, 0, sizeof(r));
		r.image_id = stmt_int64(st, 0);
		r.image = stmt_text(st, 1);
		r.paper_decided = stmt_int(st, 2);
		r.paper_seconds = stmt_double(st, 3);
		r.paper_people = stmt_int64(st, 4);
		r.verify_questions = stmt_int64(st, 5);
		r.verify_aggregated = stmt_int64(st, 6);
		r.verify_seconds = stmt_double(st, 7);
		r.verify_people = stmt_int64(st, 8);
		r.is_gold = stmt_int(st, 9);
		if ((r.paper_decided && (rc = ids_of(s, SQL_PAPER, r.image_id, &paper, &r.n_paper, err))) ||
		    (r.is_gold && (rc = ids_of(s, SQL_GOLD, r.image_id, &gold, &r.n_gold, err))) ||
		    (r.verify_aggregated && (rc = verify_set(s, method, r.image, &verify, &r.n_verify, err))))
			break;
		r.paper = paper;
		r.gold = gold;
		r.verify = verify;
		if ((rc = cb(&r, ctx)))
			break;
	}
	if (rc == STORE_DONE)
		rc = 0;
	else if (rc == STORE_ROW || rc == STORE_ERROR)
		rc = store_fail(s, err, "read verification answers");
	store_stmt_close(st);
	store_read_end(s, began);
	MLFY_FREE_ALL(paper, gold, verify);
	return rc;
}

int mlfy_protocol_aggregated(struct mlfy_store *s, const char *method, int64_t *n, struct mlfy_err *err)
{
	struct store_stmt *st;
	STMT(st, SQL_AGGREGATED);
	stmt_bind_text(st, 1, method);
	return store_query_i64(s, st, 0, n, "count verification results", err);
}
