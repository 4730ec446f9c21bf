/* test_project.c - evaluation sets and proposal coverage read from a
 * project (src/evaluate/evalset.c, coverage.c over src/store). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>

#include "evaluate/coverage.h"
#include "evaluate/evalset.h"
#include "evaluate/evaluate.h"
#include "evaluate/top1.h"
#include "store/catalog.h"
#include "store/final_labels.h"
#include "store/proposals.h"
#include "util/npy.h"
#include "util/npy_write.h"
#include "testutil.h"
#include "evaluate/project_fixture.h"

#define CLOSE(a, b) assert_true(fabs((a) - (b)) <= 1e-12)

static void test_evalset_from_project(void **state)
{
	char path[4096], pp[4096];
	struct mlfy_store *s = project_fixture(path, sizeof(path), 0);
	struct mlfy_evalset *es;
	struct mlfy_top1 *p;
	struct mlfy_eval_results r;
	struct mlfy_err err;
	int64_t pred[5] = { 0, 5, 2, 7, 9 };
	size_t shape[1] = { 5 };
	(void)state;
	assert_int_equal(mlfy_evalset_from_project(s, &es, &err), 0);
	assert_int_equal(es->n, 5);
	assert_int_equal(es->n_classes, 10);
	assert_string_equal(es->names[3], "d.jpg");
	assert_int_equal(es->original[3], -1);
	assert_int_equal(es->n_no_original, 1);
	assert_int_equal(es->decided[3], 0);
	assert_int_equal(es->decided[2], 1);
	assert_int_equal(es->off[2], 3);   /* a: 1 label, b: 2 labels */
	assert_int_equal(es->off[3], 3);   /* c: empty */
	assert_int_equal(es->off[5], 5);
	assert_int_equal(es->cls[1], 1);   /* b's set sorted: {1, 5} */
	assert_int_equal(es->cls[2], 5);

	/* rows follow the project's name order: a ✓, b ✗, c ✓, d -, e ✗ ->
	 * top-1 2/4; ReaL a ✓ (0), b ✓ (5), e ✓ (9) -> 3/3 (c empty, d undecided) */
	test_tmpfile(pp, sizeof(pp), "pred.npy");
	assert_int_equal(mlfy_npy_save(pp, MLFY_NPY_I8, 1, shape, pred, &err), 0);
	assert_int_equal(mlfy_top1_load("m", pp, es->n_classes, &p, &err), 0);
	assert_int_equal(mlfy_eval_run(es, &p, 1, NULL, 0, 1, &r, &err), 0);
	assert_int_equal(r.n_undecided, 1);
	assert_int_equal(r.n_empty, 1);
	assert_int_equal(r.models[0].acc.top1_n, 4);
	assert_int_equal(r.models[0].acc.top1_k, 2);
	assert_int_equal(r.models[0].acc.real_n, 3);
	assert_int_equal(r.models[0].acc.real_k, 3);
	assert_int_equal(r.models[0].acc.count_n[1], 1);   /* a */
	assert_int_equal(r.models[0].acc.count_n[2], 2);   /* >1: b and e */
	mlfy_eval_results_release(&r);
	mlfy_top1_free(p);
	mlfy_evalset_free(es);
	mlfy_store_close(s);
}

/* Worked by hand (K = 3, buckets 1, 2, >2):
 *   a {0}:   rank 0                      full from k = 1
 *   b {1,5}: 5 rank 0, 1 rank 2          full from k = 3
 *   c {}:    no labels
 *   e {4,9}: 9 rank 1, 4 not proposed    never full
 * 5 labels: top-1 2, top-2 3, top-3 4 (4 outside); full 1/3, 1/3, 2/3;
 * bucket 2 (b, e; 4 labels): 1/4, 2/4, 3/4. d is undecided: not counted. */
static void test_coverage_from_project(void **state)
{
	char path[4096];
	struct mlfy_store *s = project_fixture(path, sizeof(path), 0);
	struct mlfy_coverage c;
	struct mlfy_err err;
	char *name;
	(void)state;
	assert_int_equal(mlfy_coverage_from_project(s, NULL, 3, 2, &c, &name, &err), 0);
	assert_string_equal(name, "m");
	free(name);
	assert_int_equal(c.n_images, 4);
	assert_int_equal(c.n_nonempty, 3);
	assert_int_equal(c.n_labels, 5);
	assert_int_equal(c.n_no_proposals, 0);
	CLOSE(mlfy_coverage_share(&c, 0, 1), 2.0 / 5);
	CLOSE(mlfy_coverage_share(&c, 0, 2), 3.0 / 5);
	CLOSE(mlfy_coverage_share(&c, 0, 3), 4.0 / 5);
	CLOSE(mlfy_coverage_outside(&c, 0), 1.0 / 5);
	CLOSE(mlfy_coverage_full(&c, 0, 1), 1.0 / 3);
	CLOSE(mlfy_coverage_full(&c, 0, 3), 2.0 / 3);
	CLOSE(mlfy_coverage_share(&c, 1, 1), 1.0);
	CLOSE(mlfy_coverage_share(&c, 2, 1), 1.0 / 4);
	CLOSE(mlfy_coverage_share(&c, 2, 2), 2.0 / 4);
	CLOSE(mlfy_coverage_share(&c, 2, 3), 3.0 / 4);
	/* with K = 1 only the top-1 counts */
	assert_int_equal(mlfy_coverage_from_project(s, "m", 1, 2, &c, NULL, &err), 0);
	CLOSE(mlfy_coverage_outside(&c, 0), 3.0 / 5);
	/* an unknown model */
	assert_int_equal(mlfy_coverage_from_project(s, "nope", 3, 2, &c, NULL, &err),
			 MLFY_ENOTFOUND);
	mlfy_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_evalset_from_project),
		cmocka_unit_test(test_coverage_from_project),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
