/* test_coverage.c - proposal coverage counters (src/evaluate/coverage.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>

#include "evaluate/coverage.h"
#include "testutil.h"

#define CLOSE(a, b) assert_true(fabs((a) - (b)) <= 1e-12)

/* K = 3, buckets 1, 2, >2.  Worked by hand:
 *   A: proposals (5, 2, 9), labels {5}      -> rank 0;      full from k = 1
 *   B: proposals (1, 2, 3), labels {2, 7}   -> ranks 1, -   never full
 *   C: proposals (4, 6),    labels {6,4,8}  -> ranks 1,0,-  never full; short list
 *   D: proposals (1, 2, 3), labels {}       -> no labels
 * 6 labels: top-1 holds 2 (A:5, C:4), top-2 and top-3 hold 4, 2 outside.
 * Full coverage 1/3 for every k.  Per count: c=1 (A) 1/1 at k=1;
 * c=2 (B) 0/2 at k=1, 1/2 at k=2; >2 (C) 1/3 at k=1, 2/3 at k=2. */
static void test_hand_example(void **state)
{
	const int pa[] = { 5, 2, 9 }, la[] = { 5 };
	const int pb[] = { 1, 2, 3 }, lb[] = { 2, 7 };
	const int pc[] = { 4, 6 }, lc[] = { 6, 4, 8 };
	struct mlfy_coverage c;
	struct mlfy_err err;
	(void)state;
	assert_int_equal(mlfy_coverage_init(&c, 3, 2, &err), 0);
	assert_int_equal(mlfy_coverage_add(&c, pa, 3, la, 1, &err), 0);
	assert_int_equal(mlfy_coverage_add(&c, pb, 3, lb, 2, &err), 0);
	assert_int_equal(mlfy_coverage_add(&c, pc, 2, lc, 3, &err), 0);
	assert_int_equal(mlfy_coverage_add(&c, pb, 3, NULL, 0, &err), 0);
	assert_int_equal(c.n_images, 4);
	assert_int_equal(c.n_nonempty, 3);
	assert_int_equal(c.n_labels, 6);
	assert_int_equal(c.n_short, 1);
	CLOSE(mlfy_coverage_share(&c, 0, 1), 2.0 / 6);
	CLOSE(mlfy_coverage_share(&c, 0, 2), 4.0 / 6);
	CLOSE(mlfy_coverage_share(&c, 0, 3), 4.0 / 6);
	CLOSE(mlfy_coverage_outside(&c, 0), 2.0 / 6);
	CLOSE(mlfy_coverage_full(&c, 0, 1), 1.0 / 3);
	CLOSE(mlfy_coverage_full(&c, 0, 3), 1.0 / 3);
	CLOSE(mlfy_coverage_share(&c, 1, 1), 1.0);
	CLOSE(mlfy_coverage_share(&c, 2, 1), 0.0);
	CLOSE(mlfy_coverage_share(&c, 2, 2), 0.5);
	CLOSE(mlfy_coverage_share(&c, 3, 1), 1.0 / 3);
	CLOSE(mlfy_coverage_share(&c, 3, 2), 2.0 / 3);
	CLOSE(mlfy_coverage_outside(&c, 3), 1.0 / 3);
	CLOSE(mlfy_coverage_full(&c, 1, 1), 1.0);
	CLOSE(mlfy_coverage_full(&c, 2, 3), 0.0);
	assert_int_equal(mlfy_coverage_k_for(&c, 0.5), 2);
	assert_int_equal(mlfy_coverage_k_for(&c, 0.9), 0);
	/* out of range asks give NAN */
	assert_true(isnan(mlfy_coverage_share(&c, 0, 4)));
	assert_true(isnan(mlfy_coverage_share(&c, 4, 1)));
}

/* Proposals beyond K are ignored: with K = 2 a label at rank 2 is outside. */
static void test_only_top_k_counts(void **state)
{
	const int p[] = { 1, 2, 3 }, l[] = { 3 };
	struct mlfy_coverage c;
	struct mlfy_err err;
	(void)state;
	assert_int_equal(mlfy_coverage_init(&c, 2, 4, &err), 0);
	assert_int_equal(mlfy_coverage_add(&c, p, 3, l, 1, &err), 0);
	CLOSE(mlfy_coverage_share(&c, 0, 2), 0.0);
	CLOSE(mlfy_coverage_outside(&c, 0), 1.0);
	assert_int_equal(c.n_short, 0);
}

static void test_bad_input(void **state)
{
	const int p[] = { 1 }, l[] = { 3, 3 };
	struct mlfy_coverage c;
	struct mlfy_err err;
	(void)state;
	assert_int_equal(mlfy_coverage_init(&c, 0, 4, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_coverage_init(&c, MLFY_COVERAGE_MAX_K + 1, 4, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_coverage_init(&c, 20, 0, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_coverage_init(&c, 20, 4, &err), 0);
	assert_int_equal(mlfy_coverage_add(&c, p, 1, l, 2, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "class 3 appears twice"));
	assert_int_equal(c.n_images, 0);
	assert_true(isnan(mlfy_coverage_share(&c, 0, 1)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hand_example),
		cmocka_unit_test(test_only_top_k_counts),
		cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
