/* test_project_stats.c - src/evaluate/project_stats.c on the shared small
 * project (project_fixture.h): decided a {0}, b {1,5}, c {}, e {4,9}, d
 * undecided; model "m" proposes a (0,3,4), b (5,2,1), c (2,0,1), e (3,9,8).
 * Hand-counted: 4 decided images with 1, 2, 0, 2 labels (5 labels);
 * stages agreed 2 (a, c), refined 1 (b), aggregated 1 (e); of the 5 final
 * labels 2 are top-1 proposals (a0, b5), 3 in the top-2 (+ e9), 4 in the
 * top-3 (+ b1), e4 is outside. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "evaluate/project_stats.h"
#include "testutil.h"
#include "evaluate/project_fixture.h"

static void gathers_counts_stages_and_coverage(void **state)
{
	char path[4096];
	struct mlfy_store *s = project_fixture(path, sizeof(path), 0);
	struct mlfy_project_stats st;
	struct mlfy_err err;
	(void)state;

	assert_int_equal(mlfy_project_stats_get(s, NULL, 3, &st, &err), 0);
	assert_int_equal(st.counts.n_images, 4);
	assert_int_equal(st.counts.total_labels, 5);
	assert_int_equal(mlfy_label_counts_exactly(&st.counts, 2), 2);
	assert_int_equal(st.undecided, 1);
	assert_int_equal(st.by_stage[MLFY_FINAL_AGREED], 2);
	assert_int_equal(st.by_stage[MLFY_FINAL_REFINED], 1);
	assert_int_equal(st.by_stage[MLFY_FINAL_AGGREGATED], 1);
	assert_int_equal(st.by_stage[MLFY_FINAL_IMPORTED], 0);
	assert_int_equal(st.review.images, 5);
	assert_non_null(st.coverage);
	assert_string_equal(st.coverage_model, "m");
	assert_int_equal(st.coverage->k_max, 3);
	assert_true(fabs(mlfy_coverage_share(st.coverage, 0, 1) - 0.4) < 1e-12);
	assert_true(fabs(mlfy_coverage_share(st.coverage, 0, 2) - 0.6) < 1e-12);
	assert_true(fabs(mlfy_coverage_share(st.coverage, 0, 3) - 0.8) < 1e-12);
	mlfy_project_stats_release(&st);
	assert_null(st.coverage);

	/* no coverage asked for; a named model that does not exist is an error */
	assert_int_equal(mlfy_project_stats_get(s, NULL, 0, &st, &err), 0);
	assert_null(st.coverage);
	assert_int_equal(st.counts.n_images, 4);
	mlfy_project_stats_release(&st);
	assert_int_equal(mlfy_project_stats_get(s, "nope", 3, &st, &err), MLFY_ENOTFOUND);
	mlfy_project_stats_release(&st);
	mlfy_store_close(s);
}

static void no_proposal_model_no_coverage(void **state)
{
	char path[4096];
	struct mlfy_store *s;
	struct mlfy_project_stats st;
	struct mlfy_err err;
	(void)state;

	test_tmpfile(path, sizeof(path), "empty.mlfy");
	assert_int_equal(mlfy_store_open(path, MLFY_STORE_CREATE, &s, &err), 0);
	assert_int_equal(mlfy_project_stats_get(s, NULL, 20, &st, &err), 0);
	assert_null(st.coverage);
	assert_int_equal(st.counts.n_images, 0);
	assert_int_equal(err.code, 0);
	mlfy_project_stats_release(&st);
	mlfy_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gathers_counts_stages_and_coverage),
		cmocka_unit_test(no_proposal_model_no_coverage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
