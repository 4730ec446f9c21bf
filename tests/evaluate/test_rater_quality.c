/* test_rater_quality.c - raters scored against experts (rater_quality.h)
 * on plain arrays: the experts' truth and a hand-computed case, an even
 * number of scored raters, nobody scored, and answers or truth out of
 * range.  Through .npz files (mlfy_rater_quality_files, ReaL's golden
 * questions) it is tests/review/test_rater_files.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate/rater_quality.h"

#define NEAR(a, b, tol) assert_true(fabs((double)(a) - (double)(b)) <= (tol))

/* ---- the hand-computed case ------------------------------------------------------
 * 3 experts x 6 questions:
 *   q0 yes yes no  -> 2 of 3 yes: valid
 *   q1 yes maybe no -> 1 of 3 (maybe is not yes): invalid
 *   q2 yes  -   no  -> 1 of 2 answered, not a strict majority: invalid
 *   q3  -   -   -   -> no truth (left out)
 *   q4 yes yes  -   -> 2 of 2: valid
 *   q5 no  no  no   -> invalid
 * truth = 1 0 0 -1 1 0: 5 with truth, 2 valid, valid share 0.4.
 * 4 raters (ids 10, 20, 30, 40):
 *   10: yes no  no  yes yes no   -> acc 5/5, sens 2/2, spec 3/3, maybe 0/5
 *   20: no  yes may  -  yes  -   -> answers 4, acc 1/3 (q0 wrong, q1 wrong,
 *                                   q4 right), sens 1/2, spec 0/1, maybe 1/4
 *   30: may may  -  no   -   -   -> answers 2, acc 0/0, maybe 2/2
 *   40: yes yes no   -  no  no   -> acc 3/5, sens 1/2, spec 2/3, maybe 0/5
 * Scored raters 10, 20, 40: median 0.6 (3/5), minimum 1/3 (rater 20). */
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

static void assert_prop(const struct mlfy_proportion *p, size_t k, size_t n)
{
	assert_int_equal(p->k, k);
	assert_int_equal(p->n, n);
	if (n)
		NEAR(p->p, (double)k / (double)n, 1e-12);
	else
		assert_true(isnan(p->p));
}

static void assert_hand_case(const struct mlfy_rater_quality_report *r)
{
	const struct mlfy_rater_quality_row *q = r->raters;
	assert_int_equal(r->n_raters, 4);
	assert_int_equal(r->n_with_truth, 5);
	assert_int_equal(r->n_valid, 2);
	NEAR(r->valid_share, 0.4, 1e-12);
	assert_int_equal(q[0].id, 10);
	assert_int_equal(q[0].answers, 5);
	assert_prop(&q[0].accuracy, 5, 5);
	assert_prop(&q[0].sensitivity, 2, 2);
	assert_prop(&q[0].specificity, 3, 3);
	assert_prop(&q[0].maybe_rate, 0, 5);
	assert_int_equal(q[1].id, 20);
	assert_int_equal(q[1].answers, 4);
	assert_prop(&q[1].accuracy, 1, 3);
	assert_prop(&q[1].sensitivity, 1, 2);
	assert_prop(&q[1].specificity, 0, 1);
	assert_prop(&q[1].maybe_rate, 1, 4);
	assert_int_equal(q[2].answers, 2);
	assert_prop(&q[2].accuracy, 0, 0);
	assert_prop(&q[2].sensitivity, 0, 0);
	assert_prop(&q[2].specificity, 0, 0);
	assert_prop(&q[2].maybe_rate, 2, 2);
	assert_int_equal(q[3].answers, 5);
	assert_prop(&q[3].accuracy, 3, 5);
	assert_prop(&q[3].sensitivity, 1, 2);
	assert_prop(&q[3].specificity, 2, 3);
	assert_prop(&q[3].maybe_rate, 0, 5);
	/* Wilson 95 % for 3/5, by hand: (0.6 + 0.38416 -+ 1.96 sqrt(0.048 +
	 * 0.038416)) / 1.76832 = [0.23072, 0.88238] */
	NEAR(q[3].accuracy.lo, 0.23072, 1e-5);
	NEAR(q[3].accuracy.hi, 0.88238, 1e-5);
	assert_int_equal(r->n_scored, 3);
	NEAR(r->median_accuracy, 0.6, 1e-12);
	NEAR(r->min_accuracy, 1.0 / 3.0, 1e-12);
	assert_int_equal(r->min_rater_index, 1);
}

static void hand_case_in_memory(void **state)
{
	struct mlfy_rater_quality_report r;
	struct mlfy_err err;
	int8_t truth[6];
	static const int8_t want[6] = { 1, 0, 0, -1, 1, 0 };
	static const int8_t pair[2 * 6] = { 2, 0, 0, 2, 2, 0, 2, 2, 0, -1, 0, 0 };  /* raters 10 and 40 */
	(void)state;
	assert_int_equal(mlfy_rater_quality_truth(3, 6, experts, truth, &err), 0);
	assert_memory_equal(truth, want, sizeof(want));
	assert_int_equal(mlfy_rater_quality_compute(4, 6, raters, truth, rater_ids, &r, &err), 0);
	assert_int_equal(r.n_questions, 6);
	assert_int_equal(r.n_matched, 6);
	assert_null(r.votes_path);
	assert_hand_case(&r);
	mlfy_rater_quality_report_release(&r);
	assert_null(r.raters);

	/* an even number of scored raters: the mean of the middle two */
	{
		static const int64_t ids2[2] = { 10, 40 };
		assert_int_equal(mlfy_rater_quality_compute(2, 6, pair, truth, ids2, &r, &err), 0);
		assert_int_equal(r.n_scored, 2);
		NEAR(r.median_accuracy, 0.8, 1e-12);
		NEAR(r.min_accuracy, 0.6, 1e-12);
		assert_int_equal(r.raters[r.min_rater_index].id, 40);
		mlfy_rater_quality_report_release(&r);
	}
	/* nobody scored: median and minimum undefined */
	assert_int_equal(mlfy_rater_quality_compute(1, 6, raters + 2 * 6, truth, rater_ids + 2, &r, &err), 0);
	assert_int_equal(r.n_scored, 0);
	assert_true(isnan(r.median_accuracy));
	assert_int_equal(r.min_rater_index, -1);
	mlfy_rater_quality_report_release(&r);
}

static void bad_values_in_memory(void **state)
{
	struct mlfy_rater_quality_report r;
	struct mlfy_err err;
	int8_t truth[6] = { 1, 0, 0, -1, 1, 0 }, bad[6] = { 2, 5, 0, 0, 0, 0 }, t8[6];
	(void)state;
	assert_int_equal(mlfy_rater_quality_compute(1, 6, bad, truth, rater_ids, &r, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "answer[0][1] is 5"));
	mlfy_rater_quality_report_release(&r);
	truth[2] = 2;
	assert_int_equal(mlfy_rater_quality_compute(1, 6, raters, truth, rater_ids, &r, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "truth[2] is 2"));
	mlfy_rater_quality_report_release(&r);
	bad[1] = -2;
	assert_int_equal(mlfy_rater_quality_truth(1, 6, bad, t8, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "expert answer[0][1] is -2"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hand_case_in_memory),
		cmocka_unit_test(bad_values_in_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
