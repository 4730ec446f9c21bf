/* votes.c - raw verification votes (tables questions and votes: a rater's
 * no/maybe/yes on an (image, label) question, as ReaL collected them), read
 * together with the current answers of the project's own verification grid
 * (view verify_votes, source "verify", store/verify.h), and the stored
 * aggregation results (table aggregations) (votes.h). */
#include "store/votes.h"
#include "store/engine.h"

#include <string.h>

static const char SQL_VOTES_DEL[] = "DELETE FROM votes WHERE source = ?1";

/* questions of the verification protocol stay (their answers and
 * assignments refer to them) */
static const char SQL_QUESTIONS_ORPHANS[] =
	"DELETE FROM questions WHERE NOT EXISTS (SELECT 1 FROM votes v WHERE v.question_id = questions.id)"
	" AND NOT EXISTS (SELECT 1 FROM verify_questions w WHERE w.question_id = questions.id)";

int mlfy_votes_source_check(const char *source, struct mlfy_err *err)
{
	if (!source || !*source)
		return mlfy_err_set(err, MLFY_EINVAL, "the vote source must not be empty");
	if (!strcmp(source, MLFY_VOTES_RESERVED_SOURCE))
		return mlfy_err_set(err, MLFY_EINVAL, "vote source '%s' is reserved for the answers of the project's"
				    " verification grid (mlfy serve); store imported votes under another source",
				    source);
	return 0;
}

int mlfy_votes_delete_source(struct mlfy_store *s, const char *source, int64_t *n,
			     struct mlfy_err *err)
{
	struct store_stmt *st;
	int rc;

	if ((rc = store_require_tx(s, err, "votes")) || (rc = mlfy_votes_source_check(source, err)))
		return rc;
	if (!(st = store_stmt(s, SQL_VOTES_DEL, err)))
		return err->code;
	stmt_bind_text(st, 1, source);
	if ((rc = store_step_done(s, st, "delete votes", err)))
		return rc;
	if (n)
		*n = store_changes(s);
	if (!(st = store_stmt(s, SQL_QUESTIONS_ORPHANS, err)))
		return err->code;
	return store_step_done(s, st, "delete questions", err);
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
	if ((rc = store_query_i64(s, st, 0, id, "find question", err)))
		return rc;
	if (*id)
		return 0;
	if (!(st = store_stmt(s, SQL_Q_ADD, err)))
		return err->code;
	stmt_bind_text(st, 1, image);
	stmt_bind_int(st, 2, class_idx);
	if ((rc = store_step_done(s, st, "add question", err)))
		return rc;
	*id = store_last_id(s);
	return 0;
}

static const char SQL_VOTE_PUT[] =
	"INSERT INTO votes(question_id, rater, answer, source) VALUES (?1, ?2, ?3, ?4)"
	" ON CONFLICT(question_id, rater, source) DO UPDATE SET answer = excluded.answer";

int mlfy_votes_put(struct mlfy_store *s, int64_t question_id, const char *rater, int answer,
		   const char *source, struct mlfy_err *err)
{
	struct store_stmt *st;
	int rc;

	if ((rc = store_require_tx(s, err, "votes")) || (rc = mlfy_votes_source_check(source, err)))
		return rc;
	if (answer < 0 || answer > 2)
		return mlfy_err_set(err, MLFY_EINVAL, "answer %d is not 0 (no), 1 (maybe) or 2 (yes)", answer);
	if (!(st = store_stmt(s, SQL_VOTE_PUT, err)))
		return err->code;
	stmt_bind_int64(st, 1, question_id);
	stmt_bind_text(st, 2, rater);
	stmt_bind_int(st, 3, answer);
	stmt_bind_text(st, 4, source);
	return store_step_done(s, st, "write vote", err);
}

/* the imported votes and the grid's current answers (schema: view verify_votes) */
static const char SQL_VOTES_ALL[] =
	"SELECT v.question_id, q.image_name, q.class_idx, v.rater, v.answer, v.source"
	" FROM (SELECT question_id, rater, answer, source FROM votes"
	"       UNION ALL SELECT question_id, rater, answer, source FROM verify_votes) v"
	" JOIN questions q ON q.id = v.question_id"
	" WHERE CAST(?1 AS TEXT) IS NULL OR v.source = ?1 ORDER BY v.question_id, v.rater, v.source";

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
	"SELECT COUNT(*), COUNT(DISTINCT question_id)"
	" FROM (SELECT question_id, source FROM votes UNION ALL SELECT question_id, source FROM verify_votes) v"
	" WHERE CAST(?1 AS TEXT) IS NULL OR v.source = ?1";

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

static const char SQL_AGG_CLEAR[] = "DELETE FROM aggregations WHERE method = ?1";

static const char SQL_AGG_PUT[] =
	"INSERT INTO aggregations(question_id, method, posterior, label, threshold, computed_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(question_id, method) DO UPDATE SET"
	" posterior = excluded.posterior, label = excluded.label, threshold = excluded.threshold,"
	" computed_at = excluded.computed_at";

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
	return store_step_done(s, st, "clear aggregations", err);
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
	return store_step_done(s, st, "write aggregation", err);
}
