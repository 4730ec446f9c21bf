/* test_metrics.c - argmax, proportions (Wald margin, Wilson interval) and
 * top-1 / ReaL / per-label-count accuracy (src/evaluate/metrics.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>

#include "evaluate/metrics.h"
#include "testutil.h"

#define CLOSE(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

static void test_argmax_ties_lowest_index(void **state)
{
	float r[40];
	double d[5] = { 1, 3, 3, 2, -1 };
	int i;
	(void)state;
	for (i = 0; i < 40; i++)
		r[i] = (float)(i % 7);
	/* 6 occurs at 6, 13, 20, 27, 34: the first wins */
	assert_int_equal(mlfy_argmax_f32(r, 40), 6);
	/* short rows take the scalar path */
	assert_int_equal(mlfy_argmax_f32(r, 5), 4);
	assert_int_equal(mlfy_argmax_f32(r, 1), 0);
	/* the maximum in the tail after the last full block of lanes */
	r[39] = 100;
	assert_int_equal(mlfy_argmax_f32(r, 40), 39);
	r[17] = 100;
	assert_int_equal(mlfy_argmax_f32(r, 40), 17);
	/* all equal -> 0; negative values */
	for (i = 0; i < 40; i++)
		r[i] = -3.5f;
	assert_int_equal(mlfy_argmax_f32(r, 40), 0);
	r[33] = -3.25f;
	assert_int_equal(mlfy_argmax_f32(r, 40), 33);
	assert_int_equal(mlfy_argmax_f64(d, 5), 1);
}

static void test_argmax_rejects_non_finite(void **state)
{
	float r[40] = { 0 };
	float rows[3 * 20] = { 0 };
	double d[3] = { 0, NAN, 1 };
	int out[3];
	(void)state;
	r[25] = NAN;
	assert_int_equal(mlfy_argmax_f32(r, 40), -1);
	r[25] = INFINITY;
	assert_int_equal(mlfy_argmax_f32(r, 40), -1);
	r[25] = -INFINITY;
	assert_int_equal(mlfy_argmax_f32(r, 40), -1);
	r[25] = 0;
	r[2] = NAN;
	assert_int_equal(mlfy_argmax_f32(r, 3), -1);
	assert_int_equal(mlfy_argmax_f64(d, 3), -1);
	rows[5] = 1;
	rows[20 + 19] = 2;
	rows[40 + 7] = NAN;
	assert_int_equal(mlfy_argmax_rows_f32(rows, 3, 20, out), 3);
	assert_int_equal(out[0], 5);
	assert_int_equal(out[1], 19);
	rows[40 + 7] = 0;
	assert_int_equal(mlfy_argmax_rows_f32(rows, 3, 20, out), 0);
	assert_int_equal(out[2], 0);
}

/* Wilson score intervals (z = 1.96) published in R. G. Newcombe (1998),
 * "Two-sided confidence intervals for the single proportion: comparison of
 * seven methods", Statistics in Medicine 17:857-872, Table I, method 3
 * (score, no continuity correction), printed to 4 decimals. */
static void test_wilson_newcombe_1998(void **state)
{
	struct mlfy_proportion p;
	(void)state;
	mlfy_proportion(81, 263, MLFY_Z95, &p);
	CLOSE(p.lo, 0.2553, 5e-5);
	CLOSE(p.hi, 0.3662, 5e-5);
	mlfy_proportion(15, 148, MLFY_Z95, &p);
	CLOSE(p.lo, 0.0624, 5e-5);
	CLOSE(p.hi, 0.1605, 5e-5);
	mlfy_proportion(0, 20, MLFY_Z95, &p);
	assert_true(p.lo == 0);
	CLOSE(p.hi, 0.1611, 5e-5);
	mlfy_proportion(1, 29, MLFY_Z95, &p);
	CLOSE(p.lo, 0.0061, 5e-5);
	CLOSE(p.hi, 0.1718, 5e-5);
}

/* The paper's margin of error E = 1.96 sqrt(p(1-p)/n), by hand:
 * 45/50: p = 0.9, E = 1.96 sqrt(0.09/50) = 1.96 * 0.0424264 = 0.0831558.
 * 3/4: E = 1.96 sqrt(0.1875/4) = 1.96 * 0.216506 = 0.424352.
 * k = 0 or k = n: E = 0 (the Wald interval collapses; Wilson does not). */
static void test_margin_of_error(void **state)
{
	struct mlfy_proportion p;
	(void)state;
	mlfy_proportion(45, 50, MLFY_Z95, &p);
	CLOSE(p.p, 0.9, 1e-15);
	CLOSE(p.moe, 0.0831558, 1e-7);
	mlfy_proportion(3, 4, MLFY_Z95, &p);
	CLOSE(p.moe, 0.424352, 1e-6);
	mlfy_proportion(7, 7, MLFY_Z95, &p);
	assert_true(p.moe == 0 && p.hi == 1 && p.lo < 1);
	/* Wilson for 7/7: lo = n / (n + z^2) = 7 / 10.8416 = 0.645661 */
	CLOSE(p.lo, 7.0 / (7.0 + MLFY_Z95 * MLFY_Z95), 1e-12);
	mlfy_proportion(0, 0, MLFY_Z95, &p);
	assert_true(isnan(p.p) && isnan(p.moe) && isnan(p.lo));
}

/* Six images, worked by hand:
 *   i  original  set        pred   top-1  ReaL       count
 *   0  0         {0}        0      hit    hit        1
 *   1  1         {1,5}      5      miss   hit        2
 *   2  2         {}         2      hit    excluded   0
 *   3  3         {3,7,8}    3      hit    hit        3 (> K = 2)
 *   4  4         {9}        1      miss   miss       1
 *   5  -1        {2}        2      n/a    hit        1
 * top-1 3/5, ReaL 4/5 (one empty set excluded);
 * per count (K = 2): c=0: 1/1; c=1: 1/2 top-1 (image 5 has no original),
 * ReaL 2/3; c=2: 0/1, ReaL 1/1; >2: 1/1, ReaL 1/1. */
static void test_accuracy_hand_example(void **state)
{
	const int original[] = { 0, 1, 2, 3, 4, -1 };
	const size_t off[] = { 0, 1, 3, 3, 6, 7, 8 };
	const int cls[] = { 0, 1, 5, 3, 7, 8, 9, 2 };
	const int pred[] = { 0, 5, 2, 3, 1, 2 };
	struct mlfy_truth t = { 6, original, off, cls, NULL };
	struct mlfy_accuracy a;
	struct mlfy_err err;
	(void)state;
	assert_int_equal(mlfy_accuracy_score(&t, pred, 2, &a, &err), 0);
	assert_int_equal(a.n_images, 6);
	assert_int_equal(a.top1_n, 5);
	assert_int_equal(a.top1_k, 3);
	assert_int_equal(a.real_n, 5);
	assert_int_equal(a.real_k, 4);
	assert_int_equal(a.n_empty, 1);
	assert_int_equal(a.n_undecided, 0);
	assert_int_equal(a.count_n[0], 1);
	assert_int_equal(a.count_k[0], 1);
	assert_int_equal(a.count_n[1], 2);
	assert_int_equal(a.count_k[1], 1);
	assert_int_equal(a.count_all[1], 3);
	assert_int_equal(a.count_real_k[1], 2);
	assert_int_equal(a.count_n[2], 1);
	assert_int_equal(a.count_k[2], 0);
	assert_int_equal(a.count_real_k[2], 1);
	assert_int_equal(a.count_n[3], 1);
	assert_int_equal(a.count_k[3], 1);
	assert_int_equal(a.count_real_k[3], 1);
}

/* Undecided images count for top-1 only; streaming in pieces equals
 * scoring at once. */
static void test_undecided_and_streaming(void **state)
{
	const int original[] = { 0, 1, 2, 3 };
	const size_t off[] = { 0, 1, 1, 2, 4 };
	const int cls[] = { 0, 2, 3, 4 };
	const unsigned char decided[] = { 1, 0, 1, 1 };
	const int pred[] = { 0, 1, 0, 4 };
	struct mlfy_truth t = { 4, original, off, cls, decided };
	struct mlfy_accuracy a, b;
	struct mlfy_err err;
	(void)state;
	assert_int_equal(mlfy_accuracy_score(&t, pred, 3, &a, &err), 0);
	assert_int_equal(a.top1_n, 4);
	assert_int_equal(a.top1_k, 2);        /* images 0 and 1 */
	assert_int_equal(a.n_undecided, 1);
	assert_int_equal(a.real_n, 3);
	assert_int_equal(a.real_k, 2);        /* images 0 and 3 */
	assert_int_equal(a.count_all[0], 0);  /* undecided image 1 is in no bucket */
	assert_int_equal(a.count_n[1], 2);
	assert_int_equal(a.count_k[1], 1);
	assert_int_equal(a.count_n[2], 1);
	assert_int_equal(a.count_k[2], 0);

	mlfy_accuracy_init(&b, 3);
	assert_int_equal(mlfy_accuracy_add(&b, &t, 0, 1, pred, &err), 0);
	assert_int_equal(mlfy_accuracy_add(&b, &t, 1, 4, pred + 1, &err), 0);
	assert_memory_equal(&a, &b, sizeof(a));
}

static void test_accuracy_bad_input(void **state)
{
	const int original[] = { 0, 1 };
	const size_t off[] = { 0, 1, 2 };
	const int cls[] = { 0, 1 };
	const int pred[] = { 0, -1 };
	struct mlfy_truth t = { 2, original, off, cls, NULL };
	struct mlfy_accuracy a;
	struct mlfy_err err;
	(void)state;
	assert_int_equal(mlfy_accuracy_score(&t, pred, 0, &a, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_accuracy_score(&t, pred, MLFY_EVAL_MAX_COUNT + 1, &a, &err),
			 MLFY_EINVAL);
	assert_int_equal(mlfy_accuracy_score(&t, pred, 3, &a, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "image 2"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_argmax_ties_lowest_index),
		cmocka_unit_test(test_argmax_rejects_non_finite),
		cmocka_unit_test(test_wilson_newcombe_1998),
		cmocka_unit_test(test_margin_of_error),
		cmocka_unit_test(test_accuracy_hand_example),
		cmocka_unit_test(test_undecided_and_streaming),
		cmocka_unit_test(test_accuracy_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
