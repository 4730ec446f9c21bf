/* test_topk.c - softmax and top-k (src/propose/topk.c) against
 * hand-computed values: softmax(0, ln 2, ln 3) = (1, 2, 3) / 6 exactly in
 * real arithmetic (tolerance 1e-15); the max shift keeps softmax(1000, 1000)
 * finite; ties rank by class index as a stable descending sort does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "propose/topk.h"

static void softmax_values(void **state)
{
	const float z[3] = { 0.0f, (float)log(2.0), (float)log(3.0) };
	const float big[2] = { 1000.0f, 1000.0f };
	const float mixed[3] = { -INFINITY, 0.0f, 0.0f };
	const float inf[3] = { INFINITY, 1.0f, INFINITY };
	const float bad[2] = { 1.0f, NAN };
	double p[3];
	(void)state;
	assert_int_equal(mlfy_softmax(z, 3, p), 0);
	/* (float)log(2) is log(2) to 6e-8 relative: scores within 1e-7 */
	assert_true(fabs(p[0] - 1.0 / 6) < 1e-7);
	assert_true(fabs(p[1] - 2.0 / 6) < 1e-7);
	assert_true(fabs(p[2] - 3.0 / 6) < 1e-7);
	assert_true(fabs(p[0] + p[1] + p[2] - 1.0) < 1e-15);
	assert_int_equal(mlfy_softmax(big, 2, p), 0);
	assert_true(p[0] == 0.5 && p[1] == 0.5);
	assert_int_equal(mlfy_softmax(mixed, 3, p), 0);
	assert_true(p[0] == 0.0 && p[1] == 0.5 && p[2] == 0.5);
	assert_int_equal(mlfy_softmax(inf, 3, p), 0);
	assert_true(p[0] == 0.5 && p[1] == 0.0 && p[2] == 0.5);
	assert_int_equal(mlfy_softmax(bad, 2, p), -1);
	assert_int_equal(mlfy_softmax(z, 0, p), -1);
}

static void topk_order_and_ties(void **state)
{
	const double x[6] = { 0.1, 0.3, 0.3, 0.2, 0.3, NAN };
	int idx[6];
	(void)state;
	mlfy_topk(x, 6, 3, idx);
	assert_int_equal(idx[0], 1);
	assert_int_equal(idx[1], 2);
	assert_int_equal(idx[2], 4);
	mlfy_topk(x, 6, 6, idx);
	assert_int_equal(idx[3], 3);
	assert_int_equal(idx[4], 0);
	assert_int_equal(idx[5], 5); /* NaN last */
	mlfy_topk(x, 6, 1, idx);
	assert_int_equal(idx[0], 1);
}

static void topk_matches_full_sort(void **state)
{
	double x[500];
	int idx[20], i, k;
	unsigned v = 12345;
	(void)state;
	/* values from a small LCG, quantised to 16 levels so that ties abound */
	for (i = 0; i < 500; i++) {
		v = v * 1103515245u + 12345u;
		x[i] = (double)((v >> 16) % 16);
	}
	mlfy_topk(x, 500, 20, idx);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(softmax_values),
		cmocka_unit_test(topk_order_and_ties),
		cmocka_unit_test(topk_matches_full_sort),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
