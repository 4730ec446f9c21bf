/* test_fit.c - least-squares line and its diagnostics (src/evaluate/fit.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "evaluate/fit.h"
#include "testutil.h"

#define CLOSE(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

/* NIST Statistical Reference Datasets, linear regression "Norris" (lower
 * difficulty), certified values to 15 digits:
 * https://www.itl.nist.gov/div898/strd/lls/data/Norris.shtml */
static const double norris_x[] = {
	0.2, 337.4, 118.2, 884.6, 10.1, 226.5, 666.3, 996.3, 448.6, 777.0, 558.2, 0.4,
	0.6, 775.5, 666.9, 338.0, 447.5, 11.6, 556.0, 228.1, 995.8, 887.6, 120.2, 0.3,
	0.3, 556.8, 339.1, 887.2, 999.0, 779.0, 11.1, 118.3, 229.2, 669.1, 448.9, 0.5 };
static const double norris_y[] = {
	0.1, 338.8, 118.1, 888.0, 9.2, 228.1, 668.5, 998.5, 449.1, 778.9, 559.2, 0.3,
	0.1, 778.1, 668.8, 339.3, 448.9, 10.8, 557.7, 228.3, 998.0, 888.8, 119.6, 0.3,
	0.6, 557.6, 339.3, 888.0, 998.5, 778.9, 10.2, 117.6, 228.9, 668.4, 449.2, 0.2 };

static void test_nist_norris_certified(void **state)
{
	struct mlfy_linfit f;
	struct mlfy_err err;
	(void)state;
	assert_int_equal(mlfy_linfit(norris_x, norris_y, 36, &f, &err), 0);
	assert_int_equal(f.n, 36);
	/* relative tolerance 1e-9 on 15-digit certified values */
	CLOSE(f.intercept, -0.262323073774029, 1e-9 * 0.27);
	CLOSE(f.slope, 1.00211681802045, 1e-9);
	CLOSE(f.se_intercept, 0.232818234301152, 1e-9 * 0.24);
	CLOSE(f.se_slope, 0.429796848199937e-3, 1e-9 * 0.43e-3);
	CLOSE(f.resid_sd, 0.884796396144373, 1e-9);
	CLOSE(f.r2, 0.999993745883712, 1e-12);
	CLOSE(f.ss_res, 26.6173985294224, 1e-8);
	mlfy_linfit_release(&f);
}

/* Worked by hand with exact fractions: x = 1..5, y = (2, 1, 4, 3, 9).
 * xbar = 3, ybar = 19/5, Sxx = 10, Sxy = 16 -> slope 8/5, intercept -1.
 * e = (7/5, -6/5, 1/5, -12/5, 2), SSres = 66/5, SStot = 194/5,
 * R^2 = 1 - 66/194 = 64/97, s^2 = 22/5, se(slope) = sqrt(s^2/Sxx) = sqrt(11/25),
 * se(intercept) = sqrt(s^2 (1/5 + 9/10)) = sqrt(121/25) = 11/5.
 * h = 1/5 + (x-3)^2/10 = (3/5, 3/10, 1/5, 3/10, 3/5).
 * s_(5)^2 = (66/5 - 4/(2/5)) / 2 = 8/5, t_5 = 2 / sqrt(8/5 * 2/5) = 2.5;
 * t_4^2 = (144/25) / ((87/35)(7/10)) = 96/29, t_4 < 0;
 * t_1^2 = 98/83, t_2^2 = 24/65, t_3^2 = 2/263. */
static void test_hand_example_studentized(void **state)
{
	const double x[] = { 1, 2, 3, 4, 5 }, y[] = { 2, 1, 4, 3, 9 };
	struct mlfy_linfit f;
	struct mlfy_err err;
	size_t idx[5];
	(void)state;
	assert_int_equal(mlfy_linfit(x, y, 5, &f, &err), 0);
	CLOSE(f.slope, 1.6, 1e-12);
	CLOSE(f.intercept, -1.0, 1e-12);
	CLOSE(f.r2, 64.0 / 97.0, 1e-12);
	CLOSE(f.ss_res, 66.0 / 5.0, 1e-12);
	CLOSE(f.ss_tot, 194.0 / 5.0, 1e-12);
	CLOSE(f.se_slope, sqrt(11.0 / 25.0), 1e-12);
	CLOSE(f.se_intercept, 11.0 / 5.0, 1e-12);
	CLOSE(f.residual[3], -12.0 / 5.0, 1e-12);
	CLOSE(f.leverage[0], 0.6, 1e-12);
	CLOSE(f.leverage[2], 0.2, 1e-12);
	CLOSE(f.studentized[4], 2.5, 1e-12);
	CLOSE(f.studentized[3], -sqrt(96.0 / 29.0), 1e-12);
	CLOSE(f.studentized[0], sqrt(98.0 / 83.0), 1e-12);
	CLOSE(f.studentized[1], -sqrt(24.0 / 65.0), 1e-12);
	CLOSE(f.studentized[2], sqrt(2.0 / 263.0), 1e-12);
	/* only point 5 exceeds |t| > 2 */
	assert_int_equal(mlfy_linfit_outliers(&f, 2.0, idx, 5), 1);
	assert_int_equal(idx[0], 4);
	/* at threshold 1 points 5, 4, 1 in decreasing |t| */
	assert_int_equal(mlfy_linfit_outliers(&f, 1.0, idx, 5), 3);
	assert_int_equal(idx[0], 4);
	assert_int_equal(idx[1], 3);
	assert_int_equal(idx[2], 0);
	/* the count is returned even when cap is smaller */
	assert_int_equal(mlfy_linfit_outliers(&f, 1.0, idx, 1), 3);
	assert_int_equal(mlfy_linfit_outliers(&f, 1.0, NULL, 0), 3);
	mlfy_linfit_release(&f);
}

/* Independent check of the definition: t_i is the prediction error of point
 * i under the fit WITHOUT point i, divided by its standard error
 * s_(i) sqrt(1 + 1/(n-1) + (x_i - xbar_(i))^2 / Sxx_(i)) (the mean-shift
 * outlier t statistic; Cook & Weisberg 1982, sec. 2.2.2).  Computed here
 * by refitting n times. */
static void test_studentized_equals_leave_one_out(void **state)
{
	enum { N = 40 };
	double x[N], y[N], xs[N], ys[N];
	struct mlfy_linfit f, g;
	struct mlfy_err err;
	size_t i, j, m;
	(void)state;
	srand(7);
	for (i = 0; i < N; i++) {
		x[i] = 50 + 40.0 * rand() / RAND_MAX;
		y[i] = 20 + 0.8 * x[i] + 3.0 * ((double)rand() / RAND_MAX - 0.5);
	}
	y[11] += 9;   /* one clear outlier */
	assert_int_equal(mlfy_linfit(x, y, N, &f, &err), 0);
	for (i = 0; i < N; i++) {
		double xbar = 0, sxx = 0, pred, se;
		for (j = 0, m = 0; j < N; j++)
			if (j != i) {
				xs[m] = x[j];
				ys[m++] = y[j];
			}
		assert_int_equal(mlfy_linfit(xs, ys, N - 1, &g, &err), 0);
		for (j = 0; j < N - 1; j++)
			xbar += xs[j];
		xbar /= N - 1;
		for (j = 0; j < N - 1; j++)
			sxx += (xs[j] - xbar) * (xs[j] - xbar);
		pred = g.intercept + g.slope * x[i];
		se = g.resid_sd * sqrt(1 + 1.0 / (N - 1) + (x[i] - xbar) * (x[i] - xbar) / sxx);
		CLOSE(f.studentized[i], (y[i] - pred) / se, 1e-9);
		mlfy_linfit_release(&g);
	}
	assert_true(f.studentized[11] > 2);
	mlfy_linfit_release(&f);
}

/* x = 1..5, y = (1, 2, 3, 4, 8): without point 5 the others are exactly
 * collinear, so s_(5) = 0 and t_5 = +inf; points 1-4 are finite. */
static void test_collinear_rest_gives_infinity(void **state)
{
	const double x[] = { 1, 2, 3, 4, 5 }, y[] = { 1, 2, 3, 4, 8 };
	struct mlfy_linfit f;
	struct mlfy_err err;
	(void)state;
	assert_int_equal(mlfy_linfit(x, y, 5, &f, &err), 0);
	assert_true(isinf(f.studentized[4]) && f.studentized[4] > 0);
	assert_true(isfinite(f.studentized[0]));
	CLOSE(f.slope, 1.6, 1e-12);
	CLOSE(f.intercept, -1.2, 1e-12);
	mlfy_linfit_release(&f);
}

static void test_perfect_line(void **state)
{
	const double x[] = { 0, 1, 2, 3 }, y[] = { 1, 3, 5, 7 };
	struct mlfy_linfit f;
	struct mlfy_err err;
	(void)state;
	assert_int_equal(mlfy_linfit(x, y, 4, &f, &err), 0);
	CLOSE(f.slope, 2, 1e-12);
	CLOSE(f.intercept, 1, 1e-12);
	CLOSE(f.r2, 1, 1e-12);
	for (int i = 0; i < 4; i++)
		assert_true(f.studentized[i] == 0 || fabs(f.residual[i]) < 1e-12);
	assert_int_equal(mlfy_linfit_outliers(&f, 2, NULL, 0), 0);
	mlfy_linfit_release(&f);
}

static void test_three_points_no_studentized(void **state)
{
	const double x[] = { 0, 1, 2 }, y[] = { 0, 2, 1 };
	struct mlfy_linfit f;
	struct mlfy_err err;
	(void)state;
	assert_int_equal(mlfy_linfit(x, y, 3, &f, &err), 0);
	assert_true(isnan(f.studentized[0]) && isnan(f.studentized[2]));
	CLOSE(f.slope, 0.5, 1e-12);
	mlfy_linfit_release(&f);
}

static void test_bad_inputs(void **state)
{
	const double x[] = { 1, 1, 1, 1 }, y[] = { 1, 2, 3, 4 };
	const double xn[] = { 1, 2, NAN, 4 };
	struct mlfy_linfit f;
	struct mlfy_err err;
	(void)state;
	assert_int_equal(mlfy_linfit(x, y, 2, &f, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "at least 3"));
	assert_int_equal(mlfy_linfit(x, y, 4, &f, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "same x"));
	assert_int_equal(mlfy_linfit(xn, y, 4, &f, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "point 3"));
	mlfy_linfit_release(&f);   /* zeroed on failure: must be safe */
	mlfy_linfit_release(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nist_norris_certified),
		cmocka_unit_test(test_hand_example_studentized),
		cmocka_unit_test(test_studentized_equals_leave_one_out),
		cmocka_unit_test(test_collinear_rest_gives_infinity),
		cmocka_unit_test(test_perfect_line),
		cmocka_unit_test(test_three_points_no_studentized),
		cmocka_unit_test(test_bad_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
