/* test_verify.c - src/review/verify*.c and src/store/verify.c: ReaL's
 * verification protocol on hand-made projects (review_fixture.h): which
 * questions `mlfy questions` makes (top-k, min-score, the original label
 * only when missing, several models, idempotence), the balanced assignment
 * (K distinct raters per question, loads within one, label runs, re-runs
 * fill only what is missing), a page of answers (stored, replayed, stale,
 * unassigned, wrong label, bad fields), the append-only history, and the
 * current answers read as votes of source "verify". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "review/verify.h"
#include "store/verify.h"
#include "store/votes.h"
#include "testutil.h"
#include "review/review_fixture.h"

struct env {
	char path[4096];
	struct rfix f;
	struct mlfy_store *s;
};

/* 6 classes, 12 images (one batch), model 1 "fixture" proposing for image
 * NN the classes (NN-1+r) % 6 with score 0.5 / (r+1), r < 4 (so rank 0 is
 * the original label); image 1's original label is changed to 5, which no
 * rank < 4 proposes; annotators ann1..ann4 (ids 1..4), ann5 disabled (5),
 * exp1 an expert (6). */
static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct mlfy_err err;
	test_tmpfile(e->path, sizeof(e->path), "verify.mlfy");
	if (rfix_create(&e->f, e->path, 6, 12, 12, 4) || rfix_user(&e->f, 1, "ann1", "annotator") ||
	    rfix_user(&e->f, 2, "ann2", "annotator") || rfix_user(&e->f, 3, "ann3", "annotator") ||
	    rfix_user(&e->f, 4, "ann4", "annotator") || rfix_user(&e->f, 5, "ann5", "annotator") ||
	    rfix_user(&e->f, 6, "exp1", "expert") || rfix_exec(&e->f, "UPDATE annotators SET disabled = 1 WHERE id = 5") ||
	    rfix_exec(&e->f, "UPDATE images SET original_label = 5 WHERE id = 1"))
		return -1;
	if (mlfy_store_open(e->path, 0, &e->s, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	mlfy_store_close(e->s);
	rfix_close(&e->f);
	free(e);
	return 0;
}

static void questions(struct env *e, int top_k, double min_score, int with_original, const char *const *models,
		      size_t n_models, struct mlfy_questions_result *r)
{
	struct mlfy_questions_opts o = { top_k, min_score, with_original, models, n_models, 0 };
	struct mlfy_err err;
	int rc = mlfy_verify_questions(e->s, &o, r, &err);
	if (rc)
		fail_msg("mlfy_verify_questions: %s", err.msg);
}

static long long nq(struct env *e)
{
	return rfix_int(&e->f, "SELECT COUNT(*) FROM verify_questions");
}

static void question_counts(void **state)
{
	struct env *e = *state;
	struct mlfy_questions_result r;
	struct mlfy_questions_opts dry = { 3, 0.0, 1, NULL, 0, 1 };
	struct mlfy_err err;
	const char *both[] = { "fixture", "second" }, *nobody[] = { "nope" }, *twice[] = { "fixture", "fixture" };

	/* a dry run counts and writes nothing */
	assert_int_equal(mlfy_verify_questions(e->s, &dry, &r, &err), 0);
	assert_int_equal(r.images, 12);
	assert_int_equal(r.candidates, 12 * 3 + 1);
	assert_int_equal(r.added, 37);
	assert_int_equal(nq(e), 0);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM questions"), 0);

	/* top 2 of scores 0.5, 0.25: 24 questions */
	questions(e, 2, 0.0, 0, NULL, 0, &r);
	assert_int_equal(r.images, 12);
	assert_int_equal(r.candidates, 24);
	assert_int_equal(r.added, 24);
	assert_int_equal(r.existing, 0);
	assert_int_equal(r.from_original, 0);
	assert_int_equal(nq(e), 24);
	/* idempotent */
	questions(e, 2, 0.0, 0, NULL, 0, &r);
	assert_int_equal(r.added, 0);
	assert_int_equal(r.existing, 24);
	/* the original label: only image 1's (5) is missing; the others are rank 0 */
	questions(e, 2, 0.0, 1, NULL, 0, &r);
	assert_int_equal(r.candidates, 25);
	assert_int_equal(r.from_original, 1);
	assert_int_equal(r.added, 1);
	assert_int_equal(r.existing, 24);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM verify_questions v JOIN questions q ON q.id ="
				  " v.question_id WHERE q.image_name = 'img01.jpg' AND q.class_idx = 5 AND v.origin ="
				  " 'original'"), 1);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM verify_questions v JOIN questions q ON q.id ="
				  " v.question_id WHERE q.image_name = 'img02.jpg' AND q.class_idx = 1 AND v.origin ="
				  " 'model:fixture rank 0; original'"), 0);   /* image 2's original existed already */
	/* min-score: top 3 with score >= 0.2 keeps ranks 0 and 1 only */
	questions(e, 3, 0.2, 0, NULL, 0, &r);
	assert_int_equal(r.candidates, 24);
	assert_int_equal(r.added, 0);
	/* a second model: images 1..3, rank 0 class (NN+2) % 6 (new), rank 1 its own rank 0 (known) */
	assert_int_equal(rfix_exec(&e->f, "INSERT INTO models(id, name, created_at) VALUES (2, 'second', 't');"
				   "INSERT INTO proposals(image_id, model_id, rank, class_idx, score) VALUES"
				   " (1, 2, 0, 3, 0.9), (1, 2, 1, 0, 0.05), (2, 2, 0, 4, 0.9), (2, 2, 1, 1, 0.05),"
				   " (3, 2, 0, 5, 0.9), (3, 2, 1, 2, 0.05)"), 0);
	questions(e, 2, 0.0, 0, both, 2, &r);
	assert_int_equal(r.candidates, 27);
	assert_int_equal(r.added, 3);
	assert_int_equal(r.existing, 24);
	assert_int_equal(nq(e), 28);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM verify_questions v JOIN questions q ON q.id ="
				  " v.question_id WHERE q.image_name = 'img01.jpg' AND q.class_idx = 3 AND v.origin ="
				  " 'model:second rank 0'"), 1);
	/* narrower options never remove a question */
	questions(e, 1, 0.5, 0, both, 2, &r);
	assert_int_equal(r.candidates, 15);   /* 12 rank-0 of fixture + 3 of second */
	assert_int_equal(r.added, 0);
	assert_int_equal(nq(e), 28);

	/* errors name the option; nothing written */
	dry = (struct mlfy_questions_opts){ 0, 0.0, 0, NULL, 0, 0 };
	assert_int_equal(mlfy_verify_questions(e->s, &dry, &r, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "top"));
	dry = (struct mlfy_questions_opts){ 21, 0.0, 0, NULL, 0, 0 };
	assert_int_equal(mlfy_verify_questions(e->s, &dry, &r, &err), MLFY_EINVAL);
	dry = (struct mlfy_questions_opts){ 2, 1.5, 0, NULL, 0, 0 };
	assert_int_equal(mlfy_verify_questions(e->s, &dry, &r, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "min-score"));
	dry = (struct mlfy_questions_opts){ 2, 0.0, 0, nobody, 1, 0 };
	assert_int_equal(mlfy_verify_questions(e->s, &dry, &r, &err), MLFY_ENOTFOUND);
	assert_non_null(strstr(err.msg, "nope"));
	dry = (struct mlfy_questions_opts){ 2, 0.0, 0, twice, 2, 0 };
	assert_int_equal(mlfy_verify_questions(e->s, &dry, &r, &err), MLFY_EINVAL);
	assert_int_equal(nq(e), 28);
	assert_int_equal(mlfy_store_in_transaction(e->s), 0);
}

/* Asserts the invariants of an assignment with K raters per question
 * among the candidates ann1..ann4: every question has exactly K distinct
 * raters, and returns max - min of their loads. */
static long long check_assignment(struct env *e, int K)
{
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM verify_questions v WHERE (SELECT COUNT(*) FROM"
				  " verify_assignments a WHERE a.question_id = v.question_id) <> %d", K), 0);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM (SELECT question_id, annotator_id FROM"
				  " verify_assignments GROUP BY 1, 2 HAVING COUNT(*) > 1)"), 0);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM verify_assignments WHERE annotator_id > 4"), 0);
	return rfix_int(&e->f, "SELECT MAX(n) - MIN(n) FROM (SELECT COUNT(a.question_id) AS n FROM annotators u"
			" LEFT JOIN verify_assignments a ON a.annotator_id = u.id WHERE u.id <= 4 GROUP BY u.id)");
}

static void assign(struct env *e, int K, const char *const *names, size_t n, struct mlfy_verify_assign_result *r)
{
	struct mlfy_verify_assign_opts o = { K, names, n, 0 };
	struct mlfy_err err;
	if (mlfy_verify_assign(e->s, &o, r, &err))
		fail_msg("mlfy_verify_assign: %s", err.msg);
}

static void assignment_balanced(void **state)
{
	struct env *e = *state;
	struct mlfy_verify_assign_result r;
	struct mlfy_verify_assign_opts o = { 3, NULL, 0, 1 };
	struct mlfy_questions_result qr;
	struct mlfy_err err;
	const char *five[] = { "ann1", "ann2", "ann3", "ann4", "ann5" }, *dup[] = { "ann1", "ann1" },
		   *unknown[] = { "ann1", "zed" }, *two[] = { "ann2", "ann1" };
	long long u, v;
	size_t i;

	/* no questions yet */
	assert_int_equal(mlfy_verify_assign(e->s, &o, &r, &err), MLFY_ENOTFOUND);
	assert_non_null(strstr(err.msg, "mlfy questions"));
	questions(e, 2, 0.0, 1, NULL, 0, &qr);   /* 25 questions */

	/* dry run: the same report, nothing written */
	assert_int_equal(mlfy_verify_assign(e->s, &o, &r, &err), 0);
	assert_int_equal(r.added, 75);
	mlfy_verify_assign_result_release(&r);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM verify_assignments"), 0);

	/* every enabled annotator (not ann5, not the expert), K = 3 of 4 */
	assign(e, 3, NULL, 0, &r);
	assert_int_equal(r.questions, 25);
	assert_int_equal(r.added, 75);
	assert_int_equal(r.short_questions, 0);
	assert_int_equal(r.n_loads, 4);
	for (i = 0; i < r.n_loads; i++) {
		char want[8];
		snprintf(want, sizeof(want), "ann%zu", i + 1);
		assert_string_equal(r.loads[i].name, want);
		assert_true(r.loads[i].questions == 18 || r.loads[i].questions == 19);
		assert_int_equal(r.loads[i].added, r.loads[i].questions);
	}
	mlfy_verify_assign_result_release(&r);
	assert_true(check_assignment(e, 3) <= 1);
	/* label runs: in the questions ordered by (label, id), each rater's
	 * questions form at most 2 contiguous blocks (one wrapped run) */
	for (i = 1; i <= 4; i++)
		assert_true(rfix_int(&e->f, "WITH o AS (SELECT v.question_id AS q, ROW_NUMBER() OVER (ORDER BY"
				     " x.class_idx, v.question_id) AS k FROM verify_questions v JOIN questions x ON x.id ="
				     " v.question_id), m AS (SELECT o.k FROM o JOIN verify_assignments a ON a.question_id ="
				     " o.q AND a.annotator_id = %zu) SELECT COUNT(*) FROM m WHERE NOT EXISTS (SELECT 1"
				     " FROM m m2 WHERE m2.k = m.k - 1)", i) <= 2);

	/* a re-run adds nothing */
	assign(e, 3, NULL, 0, &r);
	assert_int_equal(r.added, 0);
	mlfy_verify_assign_result_release(&r);

	/* more questions: the earlier assignments stay, only the new ones are filled */
	assert_int_equal(rfix_exec(&e->f, "CREATE TABLE before AS SELECT question_id, annotator_id FROM"
				   " verify_assignments"), 0);
	questions(e, 3, 0.0, 1, NULL, 0, &qr);   /* + 12 */
	assert_int_equal(qr.added, 12);
	assign(e, 3, NULL, 0, &r);
	assert_int_equal(r.added, 36);
	assert_int_equal(r.short_questions, 0);
	mlfy_verify_assign_result_release(&r);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM before b WHERE NOT EXISTS (SELECT 1 FROM"
				  " verify_assignments a WHERE a.question_id = b.question_id AND a.annotator_id ="
				  " b.annotator_id)"), 0);
	assert_true(check_assignment(e, 3) <= 1);

	/* K = 4 with two named raters only: too few */
	o = (struct mlfy_verify_assign_opts){ 4, two, 2, 0 };
	assert_int_equal(mlfy_verify_assign(e->s, &o, &r, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "per-question"));
	/* bad names */
	o = (struct mlfy_verify_assign_opts){ 1, dup, 2, 0 };
	assert_int_equal(mlfy_verify_assign(e->s, &o, &r, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "twice"));
	o = (struct mlfy_verify_assign_opts){ 1, unknown, 2, 0 };
	assert_int_equal(mlfy_verify_assign(e->s, &o, &r, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "zed"));
	o = (struct mlfy_verify_assign_opts){ 1, five, 5, 0 };
	assert_int_equal(mlfy_verify_assign(e->s, &o, &r, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "ann5"));
	o = (struct mlfy_verify_assign_opts){ 0, NULL, 0, 0 };
	assert_int_equal(mlfy_verify_assign(e->s, &o, &r, &err), MLFY_EINVAL);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM verify_assignments"), 37 * 3);

	/* K = 4 on the named four: each question gets the one rater it lacks */
	u = rfix_int(&e->f, "SELECT COUNT(*) FROM verify_assignments");
	{
		const char *four[] = { "ann4", "ann3", "ann2", "ann1" };
		assign(e, 4, four, 4, &r);
		assert_int_equal(r.added, 37);
		assert_int_equal(r.n_loads, 4);
		assert_string_equal(r.loads[0].name, "ann1");   /* by name */
		mlfy_verify_assign_result_release(&r);
	}
	v = rfix_int(&e->f, "SELECT COUNT(*) FROM verify_assignments");
	assert_int_equal(v - u, 37);
	assert_int_equal(check_assignment(e, 4), 0);
	assert_int_equal(mlfy_store_in_transaction(e->s), 0);
}

/* Re-runs with other raters, other K and more questions (the paths where
 * a run's slot meets a rater already on the question, and where the
 * raters already on the questions force uneven loads): every run succeeds
 * (a rater twice on a question would fail the insert), leaves no question
 * short of K, and no assignment it made could be handed to a candidate off
 * the question who is two or more questions less loaded. */
static void assignment_reruns(void **state)
{
	struct env *e = *state;
	struct mlfy_questions_result qr;
	struct mlfy_verify_assign_result r;
	const char *all[] = { "ann1", "ann2", "ann3", "ann4", "exp1" };
	static const struct { int top, k; size_t first, n; } runs[] = {
		{ 1, 2, 0, 2 }, { 1, 2, 0, 4 }, { 2, 3, 1, 3 }, { 3, 3, 0, 5 }, { 3, 4, 0, 5 }, { 4, 5, 0, 5 },
	};
	size_t i, j;

	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		char in[128] = "";
		questions(e, runs[i].top, 0.0, 1, NULL, 0, &qr);
		for (j = 0; j < runs[i].n; j++)
			snprintf(in + strlen(in), sizeof(in) - strlen(in), "%s'%s'", j ? "," : "", all[runs[i].first + j]);
		assert_int_equal(rfix_exec(&e->f, "DROP TABLE IF EXISTS before; CREATE TABLE before AS SELECT"
					   " question_id, annotator_id FROM verify_assignments"), 0);
		assign(e, runs[i].k, all + runs[i].first, runs[i].n, &r);
		assert_int_equal(r.short_questions, 0);
		assert_int_equal(r.n_loads, runs[i].n);
		mlfy_verify_assign_result_release(&r);
		assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM verify_questions v WHERE (SELECT COUNT(*) FROM"
					  " verify_assignments a WHERE a.question_id = v.question_id) < %d", runs[i].k), 0);
		/* no assignment of this run could go to a candidate off the
		 * question who is two or more questions less loaded */
		assert_int_equal(rfix_int(&e->f, "WITH l AS (SELECT u.id, (SELECT COUNT(*) FROM verify_assignments a"
					  " WHERE a.annotator_id = u.id) AS n FROM annotators u WHERE u.name IN (%s)),"
					  " added AS (SELECT * FROM verify_assignments a WHERE NOT EXISTS (SELECT 1 FROM"
					  " before b WHERE b.question_id = a.question_id AND b.annotator_id = a.annotator_id))"
					  " SELECT COUNT(*) FROM added a JOIN l la ON la.id = a.annotator_id JOIN l lb"
					  " ON lb.n <= la.n - 2 WHERE NOT EXISTS (SELECT 1 FROM verify_assignments x WHERE"
					  " x.question_id = a.question_id AND x.annotator_id = lb.id)", in), 0);
	}
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM verify_questions v WHERE (SELECT COUNT(*) FROM"
				  " verify_assignments a WHERE a.question_id = v.question_id) <> 5"), 0);
}

/* 25 questions, 3 raters each among ann1..ann4. */
static void prepare_assigned(struct env *e)
{
	struct mlfy_questions_result qr;
	struct mlfy_verify_assign_result r;
	questions(e, 2, 0.0, 1, NULL, 0, &qr);
	assign(e, 3, NULL, 0, &r);
	mlfy_verify_assign_result_release(&r);
}

/* Question ids of ann's pending questions about class c (at most cap). */
static size_t pending_of(struct env *e, int64_t ann, int32_t c, int64_t *ids, size_t cap)
{
	struct mlfy_verify_item *it = NULL;
	struct mlfy_err err;
	int64_t total = 0;
	size_t n = 0, i;
	assert_int_equal(mlfy_verify_items(e->s, ann, c, 0, 0, cap, &it, &n, &total, &err), 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(it[i].answer, -1);
		assert_int_equal(it[i].version, 0);
		assert_true(it[i].image_id > 0);
		ids[i] = it[i].question_id;
	}
	assert_true((size_t)total >= n);
	mlfy_verify_items_release(it, n);
	return n;
}

static void submit_page(void **state)
{
	struct env *e = *state;
	struct mlfy_verify_label *labels = NULL;
	struct mlfy_verify_item *it = NULL;
	struct mlfy_verify_answer_in a[8];
	struct mlfy_verify_submit in;
	struct mlfy_verify_submit_result res;
	struct mlfy_err err;
	int64_t ids[8], other, total, page;
	size_t nl = 0, n, i, k;
	int32_t c;

	prepare_assigned(e);
	assert_int_equal(mlfy_verify_labels(e->s, 1, &labels, &nl, &err), 0);
	assert_true(nl > 0);
	for (i = 1; i < nl; i++)
		assert_true(labels[i - 1].pending >= labels[i].pending);
	c = labels[0].class_idx;
	assert_int_equal(labels[0].answered, 0);
	{
		char want[32];
		snprintf(want, sizeof(want), "class%d", (int)c);
		assert_string_equal(labels[0].name, want);
	}
	n = pending_of(e, 1, c, ids, 8);
	assert_int_equal((int64_t)n, labels[0].pending < 8 ? labels[0].pending : 8);
	assert_true(n >= 2);
	mlfy_verify_labels_release(labels, nl);

	for (k = 0; k < n; k++)
		a[k] = (struct mlfy_verify_answer_in){ ids[k], k ? MLFY_VERIFY_NO : MLFY_VERIFY_YES, k > 0, 1.5, 0 };
	in = (struct mlfy_verify_submit){ 1, c, "page-1", 20.0, 0, a, n };
	assert_int_equal(mlfy_verify_submit(e->s, &in, &res, &err), 0);
	assert_true(res.page_id > 0);
	assert_int_equal(res.replayed, 0);
	assert_int_equal(res.stored, n);
	page = res.page_id;
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM verify_answers WHERE page_id = %lld AND version = 1",
				  (long long)page), (long long)n);
	assert_int_equal(rfix_int(&e->f, "SELECT SUM(bulk) FROM verify_answers"), (long long)n - 1);

	/* a re-send: the same page, nothing written */
	assert_int_equal(mlfy_verify_submit(e->s, &in, &res, &err), 0);
	assert_int_equal(res.replayed, 1);
	assert_int_equal(res.page_id, page);
	assert_int_equal(res.stored, n);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM verify_answers"), (long long)n);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM verify_pages"), 1);

	/* the same page id with other answers (a second tab of the same page):
	 * refused, never reported stored; each difference counts: an answer,
	 * the bulk mark, a missing answer, the label */
	a[0].answer = MLFY_VERIFY_NO;
	assert_int_equal(mlfy_verify_submit(e->s, &in, &res, &err), MLFY_ECONFLICT);
	assert_int_equal(res.replayed, 0);
	assert_int_equal(res.conflict, 0);
	assert_int_equal(res.conflict_version, 1);
	assert_int_equal(res.conflict_answer, MLFY_VERIFY_YES);
	assert_non_null(strstr(err.msg, "page_id: page 'page-1' was stored before with other answers"));
	a[0].answer = MLFY_VERIFY_YES;
	a[1].bulk = 0;
	assert_int_equal(mlfy_verify_submit(e->s, &in, &res, &err), MLFY_ECONFLICT);
	assert_int_equal(res.conflict, 1);
	a[1].bulk = 1;
	in.n_answers = n - 1;
	assert_int_equal(mlfy_verify_submit(e->s, &in, &res, &err), MLFY_ECONFLICT);
	in.n_answers = n;
	in.class_idx = c + 1;
	assert_int_equal(mlfy_verify_submit(e->s, &in, &res, &err), MLFY_ECONFLICT);
	in.class_idx = c;
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM verify_answers"), (long long)n);
	assert_int_equal(mlfy_verify_submit(e->s, &in, &res, &err), 0);   /* the original is still a re-send */
	assert_int_equal(res.replayed, 1);

	/* stale: the page still shows version 0 of ids[1] */
	a[0] = (struct mlfy_verify_answer_in){ ids[0], MLFY_VERIFY_MAYBE, 0, 2.0, 1 };
	a[1] = (struct mlfy_verify_answer_in){ ids[1], MLFY_VERIFY_YES, 0, 2.0, 0 };
	in = (struct mlfy_verify_submit){ 1, c, "page-2", 5.0, 0, a, 2 };
	assert_int_equal(mlfy_verify_submit(e->s, &in, &res, &err), MLFY_ECONFLICT);
	assert_int_equal(res.conflict, 1);
	assert_int_equal(res.conflict_version, 1);
	assert_int_equal(res.conflict_answer, MLFY_VERIFY_NO);
	assert_non_null(strstr(err.msg, "answers[1]"));
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM verify_answers"), (long long)n);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM verify_pages"), 1);

	/* the right versions: version 2 becomes the current answer */
	a[1].base_version = 1;
	in.elapsed_max = 3.0;   /* the server's clock: 5 s claimed, 3 s passed */
	assert_int_equal(mlfy_verify_submit(e->s, &in, &res, &err), 0);
	assert_int_equal(res.stored, 2);
	assert_int_equal(rfix_int(&e->f, "SELECT CAST(seconds AS INTEGER) FROM verify_pages WHERE id = %lld",
				  (long long)res.page_id), 3);
	assert_int_equal(rfix_int(&e->f, "SELECT answer * 10 + version FROM current_verify_answers WHERE"
				  " question_id = %lld AND annotator_id = 1", (long long)ids[0]), MLFY_VERIFY_MAYBE * 10 + 2);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM current_verify_answers"), (long long)n);
	assert_int_equal(mlfy_verify_items(e->s, 1, c, 1, 0, 100, &it, &i, &total, &err), 0);
	for (k = 0; k < i; k++)
		if (it[k].question_id == ids[1]) {
			assert_int_equal(it[k].answer, MLFY_VERIFY_YES);
			assert_int_equal(it[k].version, 2);
		}
	assert_int_equal(it[i - 1].answer >= 0, 1);   /* answered last */
	mlfy_verify_items_release(it, i);

	/* a question not assigned to ann1 */
	other = rfix_int(&e->f, "SELECT v.question_id FROM verify_questions v JOIN questions q ON q.id ="
			 " v.question_id WHERE q.class_idx = %d AND NOT EXISTS (SELECT 1 FROM verify_assignments a"
			 " WHERE a.question_id = v.question_id AND a.annotator_id = 1) LIMIT 1", (int)c);
	if (other <= 0)   /* ann1 has every question of c: any other's question */
		other = rfix_int(&e->f, "SELECT question_id FROM verify_assignments WHERE question_id NOT IN (SELECT"
				 " question_id FROM verify_assignments WHERE annotator_id = 1) LIMIT 1");
	assert_true(other > 0);
	a[0] = (struct mlfy_verify_answer_in){ other, MLFY_VERIFY_YES, 0, 1.0, 0 };
	in = (struct mlfy_verify_submit){ 1, c, "page-3", 5.0, 0, a, 1 };
	assert_int_equal(mlfy_verify_submit(e->s, &in, &res, &err), MLFY_EPERM);
	assert_non_null(strstr(err.msg, "answers[0]"));
	a[0].question_id = 99999;   /* no such question */
	assert_int_equal(mlfy_verify_submit(e->s, &in, &res, &err), MLFY_EPERM);
	/* a question of ann1 about another label */
	other = rfix_int(&e->f, "SELECT a.question_id FROM verify_assignments a JOIN questions q ON q.id ="
			 " a.question_id WHERE a.annotator_id = 1 AND q.class_idx <> %d LIMIT 1", (int)c);
	assert_true(other > 0);
	a[0].question_id = other;
	assert_int_equal(mlfy_verify_submit(e->s, &in, &res, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "answers[0].question_id"));
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM verify_pages"), 2);
	assert_int_equal(mlfy_store_in_transaction(e->s), 0);
}

/* mlfy_verify_check names the first bad field. */
static void check_fields(void **state)
{
	struct mlfy_verify_answer_in a[2] = { { 1, MLFY_VERIFY_YES, 0, 1.0, 0 }, { 2, MLFY_VERIFY_NO, 1, 1.0, 0 } };
	struct mlfy_verify_submit in = { 1, 0, "p", 2.0, 0, a, 2 };
	struct mlfy_err err;
	char longid[MLFY_VERIFY_PAGE_ID_MAX + 2];
	(void)state;

	assert_int_equal(mlfy_verify_check(&in, &err), 0);
#define BAD(field) do { \
		assert_int_equal(mlfy_verify_check(&in, &err), MLFY_EINVAL); \
		if (!strstr(err.msg, field)) \
			fail_msg("'%s' does not name %s", err.msg, field); \
	} while (0)
	a[1].answer = 3;
	BAD("answers[1].answer");
	a[1].answer = MLFY_VERIFY_MAYBE;
	a[0].bulk = 2;
	BAD("answers[0].bulk");
	a[0].bulk = 0;
	a[1].seconds = -1;
	BAD("answers[1].seconds");
	a[1].seconds = 0.0 / 0.0;
	BAD("answers[1].seconds");
	a[1].seconds = 1;
	a[1].base_version = -1;
	BAD("answers[1].base_version");
	a[1].base_version = 0;
	a[1].question_id = 1;
	BAD("answers[1].question_id");
	a[1].question_id = 0;
	BAD("answers[1].question_id");
	a[1].question_id = 2;
	in.seconds = 1e7;
	BAD("seconds");
	in.seconds = 1;
	in.client_page_id = "";
	BAD("page_id");
	in.client_page_id = "tab\there";
	BAD("page_id");
	memset(longid, 'x', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	in.client_page_id = longid;
	BAD("page_id");
	longid[MLFY_VERIFY_PAGE_ID_MAX] = '\0';
	assert_int_equal(mlfy_verify_check(&in, &err), 0);
	in.n_answers = 0;
	BAD("answers");
	in.n_answers = MLFY_VERIFY_PAGE_MAX + 1;
	BAD("answers");
#undef BAD
}

static int vote_cb(const struct mlfy_vote_row *v, void *ctx)
{
	long long *n = ctx;
	if (!strcmp(v->source, MLFY_VERIFY_SOURCE)) {
		assert_string_equal(v->rater, "ann1");
		assert_true(v->answer >= 0 && v->answer <= 2);
		n[0]++;
	} else {
		n[1]++;
	}
	return 0;
}

/* The history is append-only; the current answers are votes of source
 * "verify"; imported votes may not use that source, nor remove the
 * protocol's questions. */
static void history_and_votes(void **state)
{
	struct env *e = *state;
	struct mlfy_verify_answer_in a[2];
	struct mlfy_verify_submit in;
	struct mlfy_verify_submit_result res;
	struct mlfy_verify_check_counts vc;
	struct mlfy_err err;
	int64_t ids[2], n_votes = 0, n_q = 0, qid;
	long long counts[2] = { 0, 0 };
	int32_t c;

	prepare_assigned(e);
	c = (int32_t)rfix_int(&e->f, "SELECT q.class_idx FROM verify_assignments a JOIN questions q ON q.id ="
			      " a.question_id WHERE a.annotator_id = 1 GROUP BY 1 HAVING COUNT(*) >= 2 LIMIT 1");
	assert_int_equal(pending_of(e, 1, c, ids, 2), 2);
	a[0] = (struct mlfy_verify_answer_in){ ids[0], MLFY_VERIFY_YES, 0, 1.0, 0 };
	a[1] = (struct mlfy_verify_answer_in){ ids[1], MLFY_VERIFY_NO, 0, 1.0, 0 };
	in = (struct mlfy_verify_submit){ 1, c, "h-1", 3.0, 0, a, 2 };
	assert_int_equal(mlfy_verify_submit(e->s, &in, &res, &err), 0);
	a[0] = (struct mlfy_verify_answer_in){ ids[0], MLFY_VERIFY_NO, 0, 1.0, 1 };
	in = (struct mlfy_verify_submit){ 1, c, "h-2", 3.0, 0, a, 1 };
	assert_int_equal(mlfy_verify_submit(e->s, &in, &res, &err), 0);

	/* append-only */
	fprintf(stderr, "(two 'append-only' fixture errors below are expected)\n");
	assert_int_equal(rfix_exec(&e->f, "UPDATE verify_answers SET answer = 2"), -1);
	assert_int_equal(rfix_exec(&e->f, "DELETE FROM verify_pages"), -1);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM verify_answers"), 3);

	/* current = latest: two votes of ann1, the first now "no" */
	assert_int_equal(mlfy_votes_count(e->s, MLFY_VERIFY_SOURCE, &n_votes, &n_q, &err), 0);
	assert_int_equal(n_votes, 2);
	assert_int_equal(n_q, 2);
	assert_int_equal(rfix_int(&e->f, "SELECT answer FROM verify_votes WHERE question_id = %lld",
				  (long long)ids[0]), MLFY_VERIFY_NO);

	/* imported votes beside them; the reserved source is refused */
	assert_int_equal(mlfy_store_begin(e->s, &err), 0);
	assert_int_equal(mlfy_votes_question(e->s, "img05.jpg", 0, &qid, &err), 0);
	assert_int_equal(mlfy_votes_put(e->s, qid, "r1", 2, "npz:x", &err), 0);
	assert_int_equal(mlfy_votes_put(e->s, qid, "r1", 2, MLFY_VERIFY_SOURCE, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "reserved"));
	assert_int_equal(mlfy_votes_delete_source(e->s, MLFY_VERIFY_SOURCE, NULL, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_store_commit(e->s, &err), 0);
	assert_int_equal(mlfy_votes_foreach(e->s, NULL, vote_cb, counts, &err), 0);
	assert_int_equal(counts[0], 2);
	assert_int_equal(counts[1], 1);
	counts[0] = counts[1] = 0;
	assert_int_equal(mlfy_votes_foreach(e->s, MLFY_VERIFY_SOURCE, vote_cb, counts, &err), 0);
	assert_int_equal(counts[0], 2);
	assert_int_equal(counts[1], 0);
	assert_int_equal(mlfy_votes_count(e->s, NULL, &n_votes, NULL, &err), 0);
	assert_int_equal(n_votes, 3);

	/* re-importing (deleting) another source keeps the protocol's questions */
	assert_int_equal(mlfy_store_begin(e->s, &err), 0);
	assert_int_equal(mlfy_votes_delete_source(e->s, "npz:x", NULL, &err), 0);
	assert_int_equal(mlfy_store_commit(e->s, &err), 0);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM verify_questions v WHERE NOT EXISTS (SELECT 1 FROM"
				  " questions q WHERE q.id = v.question_id)"), 0);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM verify_questions"), 25);

	/* the invariants hold; an answer of an unassigned rater breaks one */
	assert_int_equal(mlfy_verify_check_store(e->s, &vc, &err), 0);
	assert_int_equal(vc.unassigned_answers + vc.page_mismatch + vc.version_gaps + vc.unknown_classes, 0);
	qid = rfix_int(&e->f, "SELECT question_id FROM verify_questions WHERE question_id NOT IN (SELECT question_id"
		       " FROM verify_assignments WHERE annotator_id = 1) LIMIT 1");
	assert_int_equal(rfix_exec(&e->f, "INSERT INTO verify_answers(page_id, question_id, annotator_id, answer,"
				   " version, created_at) VALUES (%lld, %lld, 1, 2, 1, 't')", (long long)res.page_id,
				   (long long)qid), 0);
	assert_int_equal(mlfy_verify_check_store(e->s, &vc, &err), 0);
	assert_int_equal(vc.unassigned_answers, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(question_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(assignment_balanced, setup, teardown),
		cmocka_unit_test_setup_teardown(assignment_reruns, setup, teardown),
		cmocka_unit_test_setup_teardown(submit_page, setup, teardown),
		cmocka_unit_test(check_fields),
		cmocka_unit_test_setup_teardown(history_and_votes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
