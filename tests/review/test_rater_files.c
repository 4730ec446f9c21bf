/* test_rater_files.c - raters of one vote file scored against the experts
 * of another (rater_files.h): a hand-computed case written as .npz files
 * (questions matched by (image, label) in another order, one question
 * missing from each side), its text and JSON forms, malformed and
 * mismatched files, and ReaL's golden questions (raters_golden.npz vs
 * golden.npz, figures computed independently with NumPy).  The scoring
 * itself on plain arrays is tests/evaluate/test_rater_quality.c's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "review/rater_files.h"
#include "npz_writer.h"
#include "testutil.h"

#define NEAR(a, b, tol) assert_true(fabs((double)(a) - (double)(b)) <= (tol))

/* Writes the members m[0..3) to path and frees their data. */
static void write_members(const char *path, struct npz_member *m)
{
	int i;
	assert_int_equal(npz_write(path, m, 3), 0);
	for (i = 0; i < 3; i++)
		free(m[i].data);
}

/* A vote file: R raters x N questions from answers (-1 / 0 / 1 / 2; a = 3
 * writes the two-hot triple (0, 1, 1)), as R x N x A one-hot doubles;
 * info holds 2N ASCII strings (file, label) of at most 8 characters;
 * n_ids ids (ids = NULL: 10 * (r + 1)). */
static void write_votes(const char *path, size_t R, size_t N, size_t A, const int8_t *answers,
			const char *const *info, size_t n_ids, const int64_t *ids)
{
	double *t = calloc(R * N * A + 1, sizeof(*t));
	uint32_t *s = calloc(2 * N * 8 + 1, sizeof(*s));
	int64_t id[16];
	char tshape[64], ishape[64], dshape[64];
	struct npz_member m[3];
	size_t i, c;
	assert_non_null(t);
	assert_non_null(s);
	assert_true(n_ids <= 16);
	for (i = 0; i < R * N; i++) {
		if (answers[i] == 3) {
			t[i * A + 1] = t[i * A + 2] = 1;
		} else if (answers[i] >= 0 && (size_t)answers[i] < A) {
			t[i * A + (size_t)answers[i]] = 1;
		}
	}
	for (i = 0; i < 2 * N; i++)
		for (c = 0; c < 8 && info[i][c]; c++)
			s[i * 8 + c] = (uint32_t)(unsigned char)info[i][c];
	for (i = 0; i < n_ids; i++)
		id[i] = ids ? ids[i] : (int64_t)(10 * (i + 1));
	snprintf(tshape, sizeof(tshape), "(%zu, %zu, %zu)", R, N, A);
	snprintf(ishape, sizeof(ishape), "(%zu, 2)", N);
	snprintf(dshape, sizeof(dshape), "(%zu,)", n_ids);
	m[0].name = "tensor.npy";
	m[0].data = npz_npy("<f8", tshape, t, R * N * A * sizeof(*t), &m[0].len);
	m[1].name = "info.npy";
	m[1].data = npz_npy("<U8", ishape, s, 2 * N * 8 * sizeof(*s), &m[1].len);
	m[2].name = "ids.npy";
	m[2].data = npz_npy("<i8", dshape, id, n_ids * sizeof(*id), &m[2].len);
	write_members(path, m);
	free(t);
	free(s);
}

/* ---- the hand-computed case (tests/evaluate/test_rater_quality.c works it
 * out): 3 experts and 4 raters (ids 10, 20, 30, 40) on 6 questions; truth
 * 1 0 0 -1 1 0 (5 with truth, 2 valid); rater 10 5/5, 20 1/3, 30 none
 * scored, 40 3/5; median 0.6, minimum 1/3 (rater 20). */
static const int8_t experts[3 * 6] = {
	2, 2, 2, -1, 2, 0,
	2, 1, -1, -1, 2, 0,
	0, 0, 0, -1, -1, 0,
};
static const int8_t raters[4 * 6] = {
	2, 0, 0, 2, 2, 0,
	0, 2, 1, -1, 2, -1,
	1, 1, -1, 0, -1, -1,
	2, 2, 0, -1, 0, 0,
};
static const int64_t rater_ids[4] = { 10, 20, 30, 40 };

/* votes: the 6 questions then (z.jpg, 9), which gold lacks (everyone says
 * yes to it: left out).  gold: the same 6 in reverse order plus (y.jpg, 0). */
static const char *const votes_info[7 * 2] = {
	"a.jpg", "1", "a.jpg", "2", "b.jpg", "1", "c.jpg", "7", "d.jpg", "3", "e.jpg", "4", "z.jpg", "9",
};
static const char *const gold_info[7 * 2] = {
	"e.jpg", "4", "d.jpg", "3", "c.jpg", "7", "b.jpg", "1", "a.jpg", "2", "a.jpg", "1", "y.jpg", "0",
};

static void make_files(const char *vp, const char *gp)
{
	int8_t v[4 * 7], g[3 * 7];
	size_t r, n;
	for (r = 0; r < 4; r++) {
		for (n = 0; n < 6; n++)
			v[r * 7 + n] = raters[r * 6 + n];
		v[r * 7 + 6] = 2;
	}
	for (r = 0; r < 3; r++) {
		for (n = 0; n < 6; n++)
			g[r * 7 + n] = experts[r * 6 + (5 - n)];
		g[r * 7 + 6] = 2;
	}
	write_votes(vp, 4, 7, 3, v, votes_info, 4, NULL);
	write_votes(gp, 3, 7, 3, g, gold_info, 3, NULL);
}

static void assert_same_prop(const struct mlfy_proportion *a, const struct mlfy_proportion *b)
{
	assert_int_equal(a->k, b->k);
	assert_int_equal(a->n, b->n);
	if (a->n) {
		NEAR(a->p, b->p, 1e-12);
		NEAR(a->lo, b->lo, 1e-12);
		NEAR(a->hi, b->hi, 1e-12);
	} else {
		assert_true(isnan(b->p));
	}
}

/* r (from the files) against the in-memory computation of the hand case. */
static void assert_hand_case(const struct mlfy_rater_quality_report *r)
{
	struct mlfy_rater_quality_report m;
	struct mlfy_err err;
	int8_t truth[6];
	size_t i;
	assert_int_equal(mlfy_rater_quality_truth(3, 6, experts, truth, &err), 0);
	assert_int_equal(mlfy_rater_quality_compute(4, 6, raters, truth, rater_ids, &m, &err), 0);
	assert_int_equal(r->n_raters, 4);
	assert_int_equal(r->n_with_truth, 5);
	assert_int_equal(r->n_valid, 2);
	NEAR(r->valid_share, 0.4, 1e-12);
	for (i = 0; i < 4; i++) {
		assert_int_equal(r->raters[i].id, rater_ids[i]);
		assert_int_equal(r->raters[i].answers, m.raters[i].answers);
		assert_same_prop(&r->raters[i].accuracy, &m.raters[i].accuracy);
		assert_same_prop(&r->raters[i].sensitivity, &m.raters[i].sensitivity);
		assert_same_prop(&r->raters[i].specificity, &m.raters[i].specificity);
		assert_same_prop(&r->raters[i].maybe_rate, &m.raters[i].maybe_rate);
	}
	assert_int_equal(r->raters[3].accuracy.k, 3);
	assert_int_equal(r->raters[3].accuracy.n, 5);
	assert_int_equal(r->n_scored, 3);
	NEAR(r->median_accuracy, 0.6, 1e-12);
	NEAR(r->min_accuracy, 1.0 / 3.0, 1e-12);
	assert_int_equal(r->min_rater_index, 1);
	mlfy_rater_quality_report_release(&m);
}

static void hand_case_files(void **state)
{
	char vp[4096], gp[4096], *text = NULL, *js;
	size_t len = 0;
	struct mlfy_rater_quality_report r;
	struct mlfy_err err;
	json_t *o, *s, *a;
	FILE *f;
	(void)state;
	test_tmpfile(vp, sizeof(vp), "votes.npz");
	test_tmpfile(gp, sizeof(gp), "gold.npz");
	make_files(vp, gp);
	assert_int_equal(mlfy_rater_quality_files(vp, gp, &r, &err), 0);
	assert_int_equal(r.n_questions, 7);
	assert_int_equal(r.n_matched, 6);
	assert_string_equal(r.votes_path, vp);
	assert_string_equal(r.gold_path, gp);
	assert_hand_case(&r);

	/* text: sorted by accuracy, rater 30 (no yes/no answer) last */
	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(mlfy_rater_quality_print_text(f, &r), 0);
	assert_int_equal(fclose(f), 0);
	print_message("%s", text);
	assert_non_null(strstr(text, "7 questions, 6 matched, 5 with expert truth (2 left out), valid share 0.4000"));
	assert_non_null(strstr(text, "median 0.6000, minimum 0.3333 (rater 20, n = 3)"));
	assert_true(strstr(text, "          20 ") < strstr(text, "          40 "));
	assert_true(strstr(text, "          40 ") < strstr(text, "          10 "));
	assert_true(strstr(text, "          10 ") < strstr(text, "          30 "));
	assert_non_null(strstr(text, "[0.2307, 0.8824]"));
	free(text);

	/* JSON */
	o = mlfy_rater_quality_json(&r);
	assert_non_null(o);
	js = json_dumps(o, JSON_COMPACT);
	print_message("%s\n", js);
	free(js);
	assert_string_equal(json_string_value(json_object_get(o, "mode")), "votes");
	assert_string_equal(json_string_value(json_object_get(o, "gold")), gp);
	s = json_object_get(o, "summary");
	assert_int_equal(json_integer_value(json_object_get(s, "raters")), 4);
	assert_int_equal(json_integer_value(json_object_get(s, "questions")), 6);
	assert_int_equal(json_integer_value(json_object_get(s, "questions_with_truth")), 5);
	assert_int_equal(json_integer_value(json_object_get(s, "questions_left_out")), 2);
	NEAR(json_real_value(json_object_get(s, "valid_share")), 0.4, 1e-12);
	NEAR(json_real_value(json_object_get(s, "median_accuracy")), 0.6, 1e-12);
	NEAR(json_real_value(json_object_get(s, "min_accuracy")), 1.0 / 3.0, 1e-12);
	assert_int_equal(json_integer_value(json_object_get(s, "min_rater")), 20);
	a = json_object_get(json_array_get(json_object_get(o, "raters"), 3), "accuracy");
	assert_int_equal(json_integer_value(json_object_get(a, "k")), 3);
	assert_int_equal(json_integer_value(json_object_get(a, "n")), 5);
	NEAR(json_real_value(json_object_get(a, "ci_low")), 0.23072, 1e-5);
	a = json_object_get(json_array_get(json_object_get(o, "raters"), 2), "accuracy");
	assert_int_equal(json_integer_value(json_object_get(a, "n")), 0);
	assert_true(json_is_null(json_object_get(a, "p")));
	assert_true(json_is_null(json_object_get(a, "ci_low")));
	assert_true(json_is_null(json_object_get(a, "ci_high")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(o, "raters"), 2), "id")),
			 30);
	json_decref(o);
	mlfy_rater_quality_report_release(&r);
}

/* Calls mlfy_rater_quality_files expecting code and a message holding want. */
static void expect_error(const char *vp, const char *gp, int code, const char *want)
{
	struct mlfy_rater_quality_report r;
	struct mlfy_err err;
	assert_int_equal(mlfy_rater_quality_files(vp, gp, &r, &err), code);
	print_message("expected error: %s\n", err.msg);
	assert_non_null(strstr(err.msg, want));
	assert_null(r.raters);
	assert_null(r.votes_path);
}

static void malformed_files(void **state)
{
	char vp[4096], gp[4096], bad[4096], absent[4096];
	int8_t v[4 * 7] = { 0 };
	static const char *const other_info[2 * 2] = { "q.jpg", "1", "a.jpg", "3" };
	static const int64_t two_ids[2] = { 1, 2 }, same_ids[4] = { 1, 2, 3, 2 };
	(void)state;
	test_tmpfile(vp, sizeof(vp), "votes.npz");
	test_tmpfile(gp, sizeof(gp), "gold.npz");
	make_files(vp, gp);
	test_tmpfile(absent, sizeof(absent), "absent.npz");
	expect_error(absent, gp, MLFY_ENOTFOUND, absent);
	expect_error(vp, absent, MLFY_ENOTFOUND, absent);

	/* tensor R x N x 2 and R x N x 4: not no / maybe / yes, in either file */
	test_tmpfile(bad, sizeof(bad), "two_answers.npz");
	write_votes(bad, 4, 7, 2, v, votes_info, 4, NULL);
	expect_error(bad, gp, MLFY_EINVAL, "two_answers.npz: tensor must be a raters x questions x 3 array"
		     " (no, maybe, yes), got 2 answer options");
	test_tmpfile(bad, sizeof(bad), "four_answers.npz");
	write_votes(bad, 3, 7, 4, v, gold_info, 3, NULL);
	expect_error(vp, bad, MLFY_EINVAL, "four_answers.npz: tensor must be a raters x questions x 3 array");
	/* tensor's questions and info's rows disagree: 6 questions, info of 7 */
	test_tmpfile(bad, sizeof(bad), "short.npz");
	{
		double t[4 * 6 * 3] = { 0 };
		uint32_t s[7 * 2 * 8] = { 0 };
		int64_t ids[4] = { 1, 2, 3, 4 };
		struct npz_member m[3];
		size_t i, c;
		for (i = 0; i < 14; i++)
			for (c = 0; votes_info[i][c]; c++)
				s[i * 8 + c] = (uint32_t)(unsigned char)votes_info[i][c];
		m[0].name = "tensor.npy";
		m[0].data = npz_npy("<f8", "(4, 6, 3)", t, sizeof(t), &m[0].len);
		m[1].name = "info.npy";
		m[1].data = npz_npy("<U8", "(7, 2)", s, sizeof(s), &m[1].len);
		m[2].name = "ids.npy";
		m[2].data = npz_npy("<i8", "(4,)", ids, sizeof(ids), &m[2].len);
		write_members(bad, m);
	}
	expect_error(bad, gp, MLFY_EINVAL, "short.npz: info must be a 6 x 2 string array");
	/* ids: 2 for 4 raters; rater 2 twice */
	test_tmpfile(bad, sizeof(bad), "ids.npz");
	write_votes(bad, 4, 7, 3, v, votes_info, 2, two_ids);
	expect_error(bad, gp, MLFY_EINVAL, "ids.npz: ids must hold 4 rater ids");
	test_tmpfile(bad, sizeof(bad), "same_ids.npz");
	write_votes(bad, 4, 7, 3, v, votes_info, 4, same_ids);
	expect_error(bad, gp, MLFY_EINVAL, "same_ids.npz: ids[1] and ids[3] are both rater 2");
	/* a two-hot triple at rater 1, question 2 */
	v[1 * 7 + 2] = 3;
	test_tmpfile(bad, sizeof(bad), "twohot.npz");
	write_votes(bad, 4, 7, 3, v, votes_info, 4, NULL);
	expect_error(bad, gp, MLFY_EINVAL, "twohot.npz: tensor[1][2] is neither one-hot nor all zero");
	expect_error(vp, bad, MLFY_EINVAL, "twohot.npz: tensor[1][2]");
	v[1 * 7 + 2] = 0;
	/* a label that is not a class index */
	{
		const char *text_info[7 * 2];
		memcpy(text_info, votes_info, sizeof(text_info));
		text_info[2 * 3 + 1] = "seven";
		test_tmpfile(bad, sizeof(bad), "label.npz");
		write_votes(bad, 4, 7, 3, v, text_info, 4, NULL);
		expect_error(bad, gp, MLFY_EINVAL, "label.npz: info[3]: label 'seven' is not a class index");
	}
	/* no question in common: (q.jpg, 1) and (a.jpg, 3) */
	test_tmpfile(bad, sizeof(bad), "other.npz");
	write_votes(bad, 4, 2, 3, v, other_info, 4, NULL);
	expect_error(bad, gp, MLFY_EINVAL, "other.npz: none of its 2 questions is in");
	/* gold lists (a.jpg, 1) twice; so does a vote file */
	{
		const char *dup_info[7 * 2];
		memcpy(dup_info, gold_info, sizeof(dup_info));
		dup_info[2 * 6] = "a.jpg";
		dup_info[2 * 6 + 1] = "1";
		test_tmpfile(bad, sizeof(bad), "dup.npz");
		write_votes(bad, 3, 7, 3, v, dup_info, 3, NULL);
		expect_error(vp, bad, MLFY_EINVAL, "dup.npz: info[5] and info[6] are the same question"
			     " (image 'a.jpg', label 1)");
		test_tmpfile(bad, sizeof(bad), "dup_votes.npz");
		write_votes(bad, 4, 7, 3, v, dup_info, 4, NULL);
		expect_error(bad, gp, MLFY_EINVAL, "dup_votes.npz: info[5] and info[6] are the same question");
	}
	/* gold shares questions but no expert answered them */
	memset(v, -1, sizeof(v));
	test_tmpfile(bad, sizeof(bad), "silent.npz");
	write_votes(bad, 3, 7, 3, v, gold_info, 3, NULL);
	expect_error(vp, bad, MLFY_EINVAL, "silent.npz: no expert answered any of the 6 questions");
}

/* ReaL's 1,135 golden questions, 78 raters vs 5 experts.  The issue's
 * independent NumPy computation gave median accuracy 0.9004 and minimum
 * 0.2277 over the raters; asserted to 4 decimals (this reader: 0.900356
 * and 0.227741, rater 145). */
static void real_golden(void **state)
{
	char rp[4096], gp[4096];
	struct mlfy_rater_quality_report r;
	struct mlfy_err err;
	(void)state;
	if (!test_shared(rp, sizeof(rp), "data/real/raters_golden.npz") ||
	    !test_shared(gp, sizeof(gp), "data/real/golden.npz"))
		skip();
	assert_int_equal(mlfy_rater_quality_files(rp, gp, &r, &err), 0);
	print_message("real golden: %zu raters (%zu scored), %zu questions, %zu matched, %zu with truth, %zu valid"
		      " (share %.4f); median accuracy %.6f, minimum %.6f (rater %lld)\n", r.n_raters, r.n_scored,
		      r.n_questions, r.n_matched, r.n_with_truth, r.n_valid, r.valid_share, r.median_accuracy,
		      r.min_accuracy, (long long)r.raters[r.min_rater_index].id);
	assert_int_equal(r.n_raters, 78);
	assert_int_equal(r.n_questions, 1135);
	assert_int_equal(r.n_matched, 1135);
	NEAR(r.median_accuracy, 0.9004, 5e-5);
	NEAR(r.min_accuracy, 0.2277, 5e-5);
	assert_int_equal(r.raters[r.min_rater_index].id, 145);  /* 0.227741, the first such rater */
	mlfy_rater_quality_report_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hand_case_files),
		cmocka_unit_test(malformed_files),
		cmocka_unit_test(real_golden),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
