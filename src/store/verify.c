/* verify.c - the SQL of ReaL's verification protocol (verify.h): tables
 * verify_questions, verify_assignments, verify_pages, verify_answers and
 * the view current_verify_answers (sqlite_schema.c, migration 4 -> 5).
 * Reads proposals, images, classes and accounts; questions rows are made
 * through store/votes.h. */
#include "store/verify.h"
#include "store/engine.h"
#include "store/votes.h"

#include <stdlib.h>
#include <string.h>

/* ---- questions ------------------------------------------------------------------ */

static int cand_row(struct store_stmt *st, void *elem, void *ctx, struct mlfy_err *err)
{
	struct mlfy_vq_candidate *c = elem;
	(void)ctx;
	c->class_idx = stmt_int(st, 1);
	c->rank = stmt_int(st, 2);
	return (c->image = stmt_dup(st, 0)) ? 0 : mlfy_err_oom(err);
}

static void cand_release(void *elem)
{
	free(((struct mlfy_vq_candidate *)elem)->image);
}

void mlfy_vq_candidates_free(struct mlfy_vq_candidate *c, size_t n)
{
	size_t i;
	for (i = 0; c && i < n; i++)
		free(c[i].image);
	free(c);
}

int mlfy_vq_store_proposals(struct mlfy_store *s, int64_t model_id, int top_k, double min_score,
			    struct mlfy_vq_candidate **out, size_t *n, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT i.name, p.class_idx, p.rank FROM proposals p JOIN images i ON i.id = p.image_id"
		" WHERE p.model_id = ?1 AND p.rank < ?2 AND p.score >= ?3 ORDER BY p.image_id, p.rank";
	struct store_stmt *st;

	STMT(st, sql);
	stmt_bind_int64(st, 1, model_id);
	stmt_bind_int(st, 2, top_k);
	stmt_bind_double(st, 3, min_score);
	return STORE_ROWS(s, st, *out, n, cand_row, NULL, cand_release, "read proposals", err);
}

int mlfy_vq_store_originals(struct mlfy_store *s, struct mlfy_vq_candidate **out, size_t *n,
			    struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT name, original_label, -1 FROM images WHERE original_label IS NOT NULL ORDER BY id";
	struct store_stmt *st;

	STMT(st, sql);
	return STORE_ROWS(s, st, *out, n, cand_row, NULL, cand_release, "read original labels", err);
}

int mlfy_vq_store_count_images(struct mlfy_store *s, int64_t *n, struct mlfy_err *err)
{
	return store_scalar(s, "SELECT COUNT(*) FROM images", n, "count images", err);
}

static const char SQL_VQ_IS[] =
	"SELECT 1 FROM questions q JOIN verify_questions v ON v.question_id = q.id"
	" WHERE q.image_name = ?1 AND q.class_idx = ?2";

int mlfy_vq_store_is_question(struct mlfy_store *s, const char *image, int32_t class_idx, int *exists,
			      struct mlfy_err *err)
{
	struct store_stmt *st;
	int rc;

	STMT(st, SQL_VQ_IS);
	stmt_bind_text(st, 1, image);
	stmt_bind_int(st, 2, class_idx);
	if ((rc = store_exists(s, st, "find verification question", err)) < 0)
		return rc;
	*exists = rc;
	return 0;
}

int mlfy_vq_store_add(struct mlfy_store *s, const char *image, int32_t class_idx, const char *origin,
		      int *added, struct mlfy_err *err)
{
	static const char sql[] =
		"INSERT INTO verify_questions(question_id, origin, created_at) VALUES (?1, ?2, ?3)"
		" ON CONFLICT(question_id) DO NOTHING";
	struct store_stmt *st;
	int64_t qid;
	char now[32];
	int rc;

	*added = 0;
	if ((rc = store_require_tx(s, err, "verification questions")))
		return rc;
	if ((rc = mlfy_votes_question(s, image, class_idx, &qid, err)))
		return rc;
	STMT(st, sql);
	mlfy_store_now(now);
	stmt_bind_int64(st, 1, qid);
	stmt_bind_text(st, 2, origin);
	stmt_bind_text(st, 3, now);
	if ((rc = store_step_done(s, st, "add verification question", err)))
		return rc;
	*added = store_changes(s) > 0;
	return 0;
}

static int vq_row(struct store_stmt *st, void *elem, void *ctx, struct mlfy_err *err)
{
	struct mlfy_vq_row *r = elem;
	(void)ctx;
	(void)err;
	r->question_id = stmt_int64(st, 0);
	r->class_idx = stmt_int(st, 1);
	r->have = stmt_int(st, 2);
	return 0;
}

int mlfy_vq_store_list(struct mlfy_store *s, struct mlfy_vq_row **out, size_t *n, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT v.question_id, q.class_idx,"
		" (SELECT COUNT(*) FROM verify_assignments a WHERE a.question_id = v.question_id)"
		" FROM verify_questions v JOIN questions q ON q.id = v.question_id ORDER BY q.class_idx, v.question_id";
	struct store_stmt *st;

	STMT(st, sql);
	return STORE_LIST(s, st, *out, n, vq_row, NULL, NULL, "list verification questions", err);
}

/* ---- assignments ------------------------------------------------------------------- */

static int person_row(struct store_stmt *st, void *elem, void *ctx, struct mlfy_err *err)
{
	struct mlfy_vq_person *p = elem;
	(void)ctx;
	p->id = stmt_int64(st, 0);
	p->load = stmt_int64(st, 2);
	return (p->name = stmt_dup(st, 1)) ? 0 : mlfy_err_oom(err);
}

static void person_release(void *elem)
{
	free(((struct mlfy_vq_person *)elem)->name);
}

void mlfy_vq_people_free(struct mlfy_vq_person *p, size_t n)
{
	size_t i;
	for (i = 0; p && i < n; i++)
		free(p[i].name);
	free(p);
}

int mlfy_vq_store_annotators(struct mlfy_store *s, struct mlfy_vq_person **out, size_t *n,
			     struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT n.id, n.name, (SELECT COUNT(*) FROM verify_assignments a WHERE a.annotator_id = n.id)"
		" FROM annotators n WHERE n.role = 'annotator' AND n.disabled = 0 ORDER BY n.name";
	struct store_stmt *st;

	STMT(st, sql);
	return STORE_LIST(s, st, *out, n, person_row, NULL, person_release, "list annotators", err);
}

int mlfy_vq_store_load(struct mlfy_store *s, int64_t annotator_id, int64_t *load, struct mlfy_err *err)
{
	static const char sql[] = "SELECT COUNT(*) FROM verify_assignments WHERE annotator_id = ?1";
	struct store_stmt *st;

	STMT(st, sql);
	stmt_bind_int64(st, 1, annotator_id);
	return store_query_i64(s, st, 0, load, "count verification assignments", err);
}

static int pair_row(struct store_stmt *st, void *elem, void *ctx, struct mlfy_err *err)
{
	struct mlfy_vq_pair *p = elem;
	(void)ctx;
	(void)err;
	p->question_id = stmt_int64(st, 0);
	p->annotator_id = stmt_int64(st, 1);
	return 0;
}

int mlfy_vq_store_assignments(struct mlfy_store *s, struct mlfy_vq_pair **out, size_t *n,
			      struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT question_id, annotator_id FROM verify_assignments ORDER BY question_id, annotator_id";
	struct store_stmt *st;

	STMT(st, sql);
	return STORE_LIST(s, st, *out, n, pair_row, NULL, NULL, "list verification assignments", err);
}

int mlfy_vq_store_assign(struct mlfy_store *s, int64_t question_id, int64_t annotator_id,
			 struct mlfy_err *err)
{
	static const char sql[] =
		"INSERT INTO verify_assignments(question_id, annotator_id, assigned_at) VALUES (?1, ?2, ?3)";
	struct store_stmt *st;
	char now[32];
	int rc;

	if ((rc = store_require_tx(s, err, "verification assignments")))
		return rc;
	STMT(st, sql);
	mlfy_store_now(now);
	stmt_bind_int64(st, 1, question_id);
	stmt_bind_int64(st, 2, annotator_id);
	stmt_bind_text(st, 3, now);
	return store_step_done(s, st, "assign verification question", err);
}

/* ---- the grid ------------------------------------------------------------------------- */

static int label_row(struct store_stmt *st, void *elem, void *ctx, struct mlfy_err *err)
{
	struct mlfy_vq_label_row *l = elem;
	(void)ctx;
	l->class_idx = stmt_int(st, 0);
	l->pending = stmt_int64(st, 2);
	l->answered = stmt_int64(st, 3);
	return (l->name = stmt_dup(st, 1)) ? 0 : mlfy_err_oom(err);
}

static void label_release(void *elem)
{
	free(((struct mlfy_vq_label_row *)elem)->name);
}

int mlfy_vq_store_labels(struct mlfy_store *s, int64_t annotator_id, struct mlfy_vq_label_row **out,
			 size_t *n, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT q.class_idx, c.name, SUM(CASE WHEN cur.answer IS NULL THEN 1 ELSE 0 END),"
		" SUM(CASE WHEN cur.answer IS NULL THEN 0 ELSE 1 END)"
		" FROM verify_assignments a JOIN questions q ON q.id = a.question_id"
		" LEFT JOIN classes c ON c.idx = q.class_idx"
		" LEFT JOIN current_verify_answers cur ON cur.question_id = a.question_id"
		"   AND cur.annotator_id = a.annotator_id"
		" WHERE a.annotator_id = ?1 GROUP BY q.class_idx, c.name ORDER BY 3 DESC, 1";
	struct store_stmt *st;

	STMT(st, sql);
	stmt_bind_int64(st, 1, annotator_id);
	return STORE_LIST(s, st, *out, n, label_row, NULL, label_release, "list verification labels", err);
}

static int item_row(struct store_stmt *st, void *elem, void *ctx, struct mlfy_err *err)
{
	struct mlfy_vq_item_row *r = elem;
	(void)ctx;
	r->question_id = stmt_int64(st, 0);
	r->image_id = stmt_int64(st, 1);
	r->answer = stmt_int(st, 3);
	r->version = stmt_int64(st, 4);
	return (r->image = stmt_dup(st, 2)) ? 0 : mlfy_err_oom(err);
}

static void item_release(void *elem)
{
	free(((struct mlfy_vq_item_row *)elem)->image);
}

int mlfy_vq_store_items(struct mlfy_store *s, int64_t annotator_id, int32_t class_idx, int include_answered,
			size_t offset, size_t limit, struct mlfy_vq_item_row **out, size_t *n, int64_t *pending,
			struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT a.question_id, COALESCE(i.id, 0), q.image_name, COALESCE(cur.answer, -1),"
		" COALESCE(cur.version, 0)"
		" FROM verify_assignments a JOIN questions q ON q.id = a.question_id"
		" LEFT JOIN images i ON i.name = q.image_name"
		" LEFT JOIN current_verify_answers cur ON cur.question_id = a.question_id"
		"   AND cur.annotator_id = a.annotator_id"
		" WHERE a.annotator_id = ?1 AND q.class_idx = ?2 AND (?3 <> 0 OR cur.answer IS NULL)"
		" ORDER BY cur.answer IS NOT NULL, a.question_id LIMIT ?4 OFFSET ?5";
	static const char sql_pending[] =
		"SELECT COUNT(*) FROM verify_assignments a JOIN questions q ON q.id = a.question_id"
		" WHERE a.annotator_id = ?1 AND q.class_idx = ?2 AND NOT EXISTS (SELECT 1 FROM verify_answers v"
		"   WHERE v.question_id = a.question_id AND v.annotator_id = a.annotator_id)";
	struct store_stmt *st;
	int began = 0, rc;

	if ((rc = store_read_begin(s, &began, err)))
		return rc;
	if (!(st = store_stmt(s, sql_pending, err))) {
		rc = err->code;
		goto out;
	}
	stmt_bind_int64(st, 1, annotator_id);
	stmt_bind_int(st, 2, class_idx);
	if ((rc = store_query_i64(s, st, 0, pending, "count pending questions", err)))
		goto out;
	if (!(st = store_stmt(s, sql, err))) {
		rc = err->code;
		goto out;
	}
	stmt_bind_int64(st, 1, annotator_id);
	stmt_bind_int(st, 2, class_idx);
	stmt_bind_int(st, 3, include_answered ? 1 : 0);
	stmt_bind_int64(st, 4, limit > (size_t)INT64_MAX ? INT64_MAX : (int64_t)limit);
	stmt_bind_int64(st, 5, offset > (size_t)INT64_MAX ? INT64_MAX : (int64_t)offset);
	rc = STORE_LIST(s, st, *out, n, item_row, NULL, item_release, "list verification questions", err);
out:
	store_read_end(s, began);
	return rc;
}

/* ---- submitting ----------------------------------------------------------------------- */

int mlfy_vq_store_page_find(struct mlfy_store *s, int64_t annotator_id, const char *client_page_id,
			    int64_t *page_id, int64_t *n_answers, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT p.id, (SELECT COUNT(*) FROM verify_answers a WHERE a.page_id = p.id)"
		" FROM verify_pages p WHERE p.annotator_id = ?1 AND p.client_page_id = ?2";
	struct store_stmt *st;
	int rc;

	STMT(st, sql);
	stmt_bind_int64(st, 1, annotator_id);
	stmt_bind_text(st, 2, client_page_id);
	*page_id = 0;
	*n_answers = 0;
	rc = stmt_step(st);
	if (rc == STORE_ROW) {
		*page_id = stmt_int64(st, 0);
		*n_answers = stmt_int64(st, 1);
	}
	stmt_reset(st);
	return rc == STORE_ERROR ? store_fail(s, err, "find verification page") : 0;
}

int mlfy_vq_store_page_answer(struct mlfy_store *s, int64_t page_id, int64_t question_id, int32_t *class_idx,
			      int *answer, int *bulk, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT p.class_idx, a.answer, a.bulk FROM verify_pages p"
		" LEFT JOIN verify_answers a ON a.page_id = p.id AND a.question_id = ?2 WHERE p.id = ?1";
	struct store_stmt *st;
	int rc;

	STMT(st, sql);
	stmt_bind_int64(st, 1, page_id);
	stmt_bind_int64(st, 2, question_id);
	*class_idx = -1;
	*answer = -1;
	*bulk = 0;
	rc = stmt_step(st);
	if (rc == STORE_ROW) {
		*class_idx = stmt_int(st, 0);
		if (!stmt_is_null(st, 1)) {
			*answer = stmt_int(st, 1);
			*bulk = stmt_int(st, 2);
		}
	}
	stmt_reset(st);
	return rc == STORE_ERROR ? store_fail(s, err, "read a verification page") : 0;
}

int mlfy_vq_store_only(struct mlfy_store *s, int64_t annotator_id, int *only, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT CAST(EXISTS (SELECT 1 FROM verify_assignments WHERE annotator_id = ?1)"
		" AND NOT EXISTS (SELECT 1 FROM assignments WHERE annotator_id = ?1)"
		" AND NOT EXISTS (SELECT 1 FROM gold_tasks WHERE annotator_id = ?1) AS INTEGER)";
	struct store_stmt *st;
	int64_t v = 0;
	int rc;

	STMT(st, sql);
	stmt_bind_int64(st, 1, annotator_id);
	rc = store_query_i64(s, st, 0, &v, "find a rater's work", err);
	*only = !rc && v;
	return rc;
}

int mlfy_vq_store_image_of(struct mlfy_store *s, int64_t annotator_id, int32_t class_idx, int64_t question_id,
			   int64_t *image_id, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT COALESCE(i.id, 0) FROM verify_assignments a JOIN questions q ON q.id = a.question_id"
		" LEFT JOIN images i ON i.name = q.image_name"
		" WHERE a.question_id = ?1 AND a.annotator_id = ?2 AND q.class_idx = ?3";
	struct store_stmt *st;

	STMT(st, sql);
	stmt_bind_int64(st, 1, question_id);
	stmt_bind_int64(st, 2, annotator_id);
	stmt_bind_int(st, 3, class_idx);
	return store_query_i64(s, st, -1, image_id, "find the image of a verification question", err);
}

int mlfy_vq_store_state(struct mlfy_store *s, int64_t question_id, int64_t annotator_id,
			struct mlfy_vq_state *out, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT q.class_idx,"
		" CAST(EXISTS (SELECT 1 FROM verify_assignments a WHERE a.question_id = v.question_id"
		"   AND a.annotator_id = ?2) AS INTEGER),"
		" (SELECT x.version FROM verify_answers x WHERE x.question_id = v.question_id"
		"   AND x.annotator_id = ?2 ORDER BY x.version DESC LIMIT 1),"
		" (SELECT x.answer FROM verify_answers x WHERE x.question_id = v.question_id"
		"   AND x.annotator_id = ?2 ORDER BY x.version DESC LIMIT 1)"
		" FROM verify_questions v JOIN questions q ON q.id = v.question_id WHERE v.question_id = ?1";
	struct store_stmt *st;
	int rc;

	STMT(st, sql);
	stmt_bind_int64(st, 1, question_id);
	stmt_bind_int64(st, 2, annotator_id);
	memset(out, 0, sizeof(*out));
	out->answer = -1;
	rc = stmt_step(st);
	if (rc == STORE_ROW) {
		out->is_question = 1;
		out->class_idx = stmt_int(st, 0);
		out->assigned = stmt_int(st, 1);
		out->version = stmt_is_null(st, 2) ? 0 : stmt_int64(st, 2);
		out->answer = stmt_is_null(st, 3) ? -1 : stmt_int(st, 3);
	}
	stmt_reset(st);
	return rc == STORE_ERROR ? store_fail(s, err, "read verification question") : 0;
}

int mlfy_vq_store_page_add(struct mlfy_store *s, int64_t annotator_id, int32_t class_idx,
			   const char *client_page_id, double seconds, int64_t *page_id, struct mlfy_err *err)
{
	static const char sql[] =
		"INSERT INTO verify_pages(annotator_id, class_idx, client_page_id, seconds, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5)";
	struct store_stmt *st;
	char now[32];
	int rc;

	if ((rc = store_require_tx(s, err, "verification pages")))
		return rc;
	STMT(st, sql);
	mlfy_store_now(now);
	stmt_bind_int64(st, 1, annotator_id);
	stmt_bind_int(st, 2, class_idx);
	stmt_bind_text(st, 3, client_page_id);
	stmt_bind_double(st, 4, seconds);
	stmt_bind_text(st, 5, now);
	if ((rc = store_step_done(s, st, "write verification page", err)))
		return rc;
	*page_id = store_last_id(s);
	return 0;
}

int mlfy_vq_store_answer_add(struct mlfy_store *s, int64_t page_id, int64_t question_id,
			     int64_t annotator_id, int answer, int bulk, double seconds, int64_t version,
			     struct mlfy_err *err)
{
	static const char sql[] =
		"INSERT INTO verify_answers(page_id, question_id, annotator_id, answer, bulk, seconds, version,"
		" created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	struct store_stmt *st;
	char now[32];
	int rc;

	if ((rc = store_require_tx(s, err, "verification answers")))
		return rc;
	STMT(st, sql);
	mlfy_store_now(now);
	stmt_bind_int64(st, 1, page_id);
	stmt_bind_int64(st, 2, question_id);
	stmt_bind_int64(st, 3, annotator_id);
	stmt_bind_int(st, 4, answer);
	stmt_bind_int(st, 5, bulk);
	stmt_bind_double(st, 6, seconds);
	stmt_bind_int64(st, 7, version);
	stmt_bind_text(st, 8, now);
	rc = store_step_done(s, st, "write verification answer", err);
	if (rc && store_failed_constraint(s))
		return mlfy_err_set(err, MLFY_ECONFLICT, "question %lld: version %lld of this rater's answer"
				    " was stored meanwhile", (long long)question_id, (long long)version);
	return rc;
}

/* ---- invariants ------------------------------------------------------------------------ */

int mlfy_verify_check_store(struct mlfy_store *s, struct mlfy_verify_check_counts *out, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT"
		" (SELECT COUNT(*) FROM verify_answers x WHERE NOT EXISTS (SELECT 1 FROM verify_assignments a"
		"   WHERE a.question_id = x.question_id AND a.annotator_id = x.annotator_id)),"
		" (SELECT COUNT(*) FROM verify_answers x JOIN verify_pages p ON p.id = x.page_id"
		"   JOIN questions q ON q.id = x.question_id"
		"   WHERE p.annotator_id <> x.annotator_id OR p.class_idx <> q.class_idx),"
		" (SELECT COUNT(*) FROM verify_answers x WHERE x.version > 1 AND NOT EXISTS (SELECT 1"
		"   FROM verify_answers y WHERE y.question_id = x.question_id AND y.annotator_id = x.annotator_id"
		"   AND y.version = x.version - 1)),"
		" (SELECT COUNT(*) FROM verify_questions v JOIN questions q ON q.id = v.question_id"
		"   WHERE NOT EXISTS (SELECT 1 FROM classes c WHERE c.idx = q.class_idx))";
	struct store_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	STMT(st, sql);
	if ((rc = stmt_step(st)) != STORE_ROW) {
		stmt_reset(st);
		return store_fail(s, err, "check verification tables");
	}
	out->unassigned_answers = stmt_int64(st, 0);
	out->page_mismatch = stmt_int64(st, 1);
	out->version_gaps = stmt_int64(st, 2);
	out->unknown_classes = stmt_int64(st, 3);
	stmt_reset(st);
	return 0;
}
