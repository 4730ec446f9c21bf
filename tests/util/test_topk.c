/* test_topk.c - the one top-k, softmax and log-sum-exp (src/util/topk.c)
 * that src/ingest and src/propose share, against hand-computed values:
 * softmax(0, ln 2, ln 3) = (1, 2, 3) / 6 exactly in real arithmetic
 * (tolerance 1e-15 on the sum); the max shift keeps softmax(1000, 1000)
 * and lse(1000, 1000, -1000) finite; ties rank by class index as a stable
 * descending sort does, in float and double alike; NaN ranks last. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "util/topk.h"

static void softmax_values(void **state)
{
	const float z[3] = { 0.0f, (float)log(2.0), (float)log(3.0) };
	const float big[2] = { 1000.0f, 1000.0f };
	const float mixed[3] = { -INFINITY, 0.0f, 0.0f };
	const float inf[3] = { INFINITY, 1.0f, INFINITY };
	const float bad[2] = { 1.0f, NAN };
	double p[3];
	(void)state;
	assert_int_equal(mlfy_softmax_f32(z, 3, p), 0);
	/* (float)log(2) is log(2) to 6e-8 relative: scores within 1e-7 */
	assert_true(fabs(p[0] - 1.0 / 6) < 1e-7);
	assert_true(fabs(p[1] - 2.0 / 6) < 1e-7);
	assert_true(fabs(p[2] - 3.0 / 6) < 1e-7);
	assert_true(fabs(p[0] + p[1] + p[2] - 1.0) < 1e-15);
	assert_int_equal(mlfy_softmax_f32(big, 2, p), 0);
	assert_true(p[0] == 0.5 && p[1] == 0.5);
	assert_int_equal(mlfy_softmax_f32(mixed, 3, p), 0);
	assert_true(p[0] == 0.0 && p[1] == 0.5 && p[2] == 0.5);
	assert_int_equal(mlfy_softmax_f32(inf, 3, p), 0);
	assert_true(p[0] == 0.5 && p[1] == 0.0 && p[2] == 0.5);
	assert_int_equal(mlfy_softmax_f32(bad, 2, p), -1);
	assert_int_equal(mlfy_softmax_f32(z, 0, p), -1);
}

static void topk_order_and_ties(void **state)
{
	const double x[6] = { 0.1, 0.3, 0.3, 0.2, 0.3, NAN };
	int idx[6];
	(void)state;
	assert_int_equal(mlfy_topk_f64(x, 6, 3, idx), 3);
	assert_int_equal(idx[0], 1);
	assert_int_equal(idx[1], 2);
	assert_int_equal(idx[2], 4);
	assert_int_equal(mlfy_topk_f64(x, 6, 6, idx), 6);
	assert_int_equal(idx[3], 3);
	assert_int_equal(idx[4], 0);
	assert_int_equal(idx[5], 5); /* NaN last */
	assert_int_equal(mlfy_topk_f64(x, 6, 1, idx), 1);
	assert_int_equal(idx[0], 1);
}

static void topk_matches_full_sort(void **state)
{
	double x[500];
	float xf[500];
	int idx[20], idxf[20], i, k;
	unsigned v = 12345;
	(void)state;
	/* values from a small LCG, quantised to 16 levels so that ties abound */
	for (i = 0; i < 500; i++) {
		v = v * 1103515245u + 12345u;
		x[i] = (double)((v >> 16) % 16);
		xf[i] = (float)x[i];
	}
	assert_int_equal(mlfy_topk_f64(x, 500, 20, idx), 20);
	/* the float version picks the same */
	assert_int_equal(mlfy_topk_f32(xf, 500, 20, idxf), 20);
	for (k = 0; k < 20; k++)
		assert_int_equal(idx[k], idxf[k]);
	/* each selected index is >= the next one's value, ties by index, and no
	 * unselected value beats the last selected */
	for (k = 1; k < 20; k++)
		assert_true(x[idx[k - 1]] > x[idx[k]] || (x[idx[k - 1]] == x[idx[k]] && idx[k - 1] < idx[k]));
	for (i = 0; i < 500; i++) {
		int chosen = 0;
		for (k = 0; k < 20; k++)
			chosen |= idx[k] == i;
		if (!chosen)
			assert_true(x[i] < x[idx[19]] || (x[i] == x[idx[19]] && i > idx[19]));
	}
}

/* (moved from tests/ingest/test_predictions.c) */
static void topk_f32_and_logsumexp(void **state)
{
	float x[6] = { 1.0f, 3.0f, 3.0f, 0.0f, 3.0f, -1.0f };
	float fnan[4] = { NAN, 2.0f, NAN, 1.0f };
	double d[3] = { 1000.0, 1000.0, -1000.0 };
	int idx[8];

	(void)state;
	/* ties: equal values by lower index first */
	assert_int_equal(mlfy_topk_f32(x, 6, 4, idx), 4);
	assert_int_equal(idx[0], 1);
	assert_int_equal(idx[1], 2);
	assert_int_equal(idx[2], 4);
	assert_int_equal(idx[3], 0);
	/* the third-best is a tie of three: the lowest indices win */
	assert_int_equal(mlfy_topk_f32(x, 6, 2, idx), 2);
	assert_int_equal(idx[0], 1);
	assert_int_equal(idx[1], 2);
	/* k > n: all, sorted */
	assert_int_equal(mlfy_topk_f32(x, 6, 8, idx), 6);
	assert_int_equal(idx[4], 3);
	assert_int_equal(idx[5], 5);
	assert_int_equal(mlfy_topk_f32(x, 0, 3, idx), 0);
	assert_int_equal(mlfy_topk_f64(d, 3, 1, idx), 1);
	assert_int_equal(idx[0], 0);
	/* NaN after every number, NaNs by index */
	assert_int_equal(mlfy_topk_f32(fnan, 4, 4, idx), 4);
	assert_int_equal(idx[0], 1);
	assert_int_equal(idx[1], 3);
	assert_int_equal(idx[2], 0);
	assert_int_equal(idx[3], 2);

	/* log(e^1000 + e^1000 + e^-1000) = 1000 + log 2 without overflow */
	assert_true(fabs(mlfy_logsumexp_f64(d, 3) - (1000.0 + log(2.0))) < 1e-9);
	/* log(e^1 + 3 e^3 + e^0 + e^-1) by hand: 1 + 60.25661 + ... ;
	 * = log(2.718281828 + 60.256610769 + 1 + 0.367879441) = log(64.342772038) */
	assert_true(fabs(mlfy_logsumexp_f32(x, 6) - log(64.342772038)) < 1e-8);
	assert_true(isinf(mlfy_logsumexp_f32(x, 0)));
}

/* exp(z_i - lse(z)) is softmax(z): the two ways ingest and propose score a
 * row agree (to 1e-15 on values of order 1). */
static void softmax_equals_exp_minus_lse(void **state)
{
	float z[5] = { 1.0f, 3.0f, 3.0f, 0.0f, -1.0f };
	double p[5], lse;
	int i;

	(void)state;
	assert_int_equal(mlfy_softmax_f32(z, 5, p), 0);
	lse = mlfy_logsumexp_f32(z, 5);
	for (i = 0; i < 5; i++)
		assert_true(fabs(p[i] - exp((double)z[i] - lse)) < 1e-15);
	/* by hand (tests/ingest/test_predictions.c): p1 = 0.453836, p0 = 0.061420 */
	assert_true(fabs(p[1] - 0.453836) < 1e-6);
	assert_true(fabs(p[0] - 0.061420) < 1e-6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(softmax_values),
		cmocka_unit_test(topk_order_and_ties),
		cmocka_unit_test(topk_matches_full_sort),
		cmocka_unit_test(topk_f32_and_logsumexp),
		cmocka_unit_test(softmax_equals_exp_minus_lse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
