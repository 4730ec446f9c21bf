/* test_label_counts.c - the label-count distribution: a hand-computed
 * example and the ImageNetV2 / ReaL numbers the paper reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "evaluate/label_counts.h"
#include "ingest/labels.h"
#include "testutil.h"

/* 8 images with 0, 1, 1, 2, 3, 3, 3, 5 labels (by hand): hist 1, 2, 1, 3,
 * 0, 1; 18 labels, mean 2.25; >= 2 labels: 5 images = 62.5 %; > 2: 4 = 50 %. */
static void hand_computed(void **state)
{
	struct mlfy_label_counts lc;
	struct mlfy_err err;
	static const size_t offsets[] = { 0, 0, 1, 2, 4, 7, 10, 13, 18 };

	(void)state;
	mlfy_label_counts_init(&lc);
	assert_int_equal(mlfy_label_counts_add_csr(&lc, offsets, 8, &err), 0);
	assert_int_equal(lc.n_images, 8);
	assert_int_equal(lc.max_count, 5);
	assert_int_equal(lc.total_labels, 18);
	assert_int_equal(mlfy_label_counts_exactly(&lc, 0), 1);
	assert_int_equal(mlfy_label_counts_exactly(&lc, 1), 2);
	assert_int_equal(mlfy_label_counts_exactly(&lc, 2), 1);
	assert_int_equal(mlfy_label_counts_exactly(&lc, 3), 3);
	assert_int_equal(mlfy_label_counts_exactly(&lc, 4), 0);
	assert_int_equal(mlfy_label_counts_exactly(&lc, 5), 1);
	assert_int_equal(mlfy_label_counts_exactly(&lc, 6), 0);
	assert_int_equal(mlfy_label_counts_at_least(&lc, 2), 5);
	assert_int_equal(mlfy_label_counts_at_least(&lc, 3), 4);
	assert_int_equal(mlfy_label_counts_at_least(&lc, 9), 0);
	assert_true(fabs(mlfy_label_counts_pct(&lc, 5) - 62.5) < 1e-12);
	assert_true(fabs(mlfy_label_counts_mean(&lc) - 2.25) < 1e-12);
	/* one more image with 40 labels grows the histogram */
	assert_int_equal(mlfy_label_counts_add(&lc, 40, &err), 0);
	assert_int_equal(lc.max_count, 40);
	assert_int_equal(mlfy_label_counts_exactly(&lc, 40), 1);
	assert_int_equal(mlfy_label_counts_exactly(&lc, 39), 0);
	assert_int_equal(mlfy_label_counts_at_least(&lc, 6), 1);
	mlfy_label_counts_release(&lc);
	assert_int_equal(lc.n_images, 0);

	/* no images: everything 0, no division by zero */
	assert_int_equal(mlfy_label_counts_exactly(&lc, 0), 0);
	assert_int_equal(mlfy_label_counts_at_least(&lc, 0), 0);
	assert_true(mlfy_label_counts_pct(&lc, 0) == 0.0);
	assert_true(mlfy_label_counts_mean(&lc) == 0.0);
}

/* ImageNetV2 with Multilabelfy's refined labels: 0: 129 (1.29 %),
 * 1: 5,083 (50.83 %), 2: 2,385 (23.85 %), >2: 2,403 (24.03 %), >=2: 47.88 %
 * (issue 2; the shares of the paper's Fig. 3).  ReaL: 3,163 of 50,000
 * images have no label (Beyer et al. 2020, real.json). */
static void shared_label_files(void **state)
{
	char path[4096];
	struct mlfy_labels *l;
	struct mlfy_label_counts lc;
	struct mlfy_err err;

	(void)state;
	if (!test_shared(path, sizeof(path), "data/imagenetv2/refined_labels.json"))
		skip();
	assert_int_equal(mlfy_labels_load(path, MLFY_LABELS_AUTO, 1000, &l, &err), 0);
	mlfy_label_counts_init(&lc);
	assert_int_equal(mlfy_label_counts_add_csr(&lc, l->offsets, l->n, &err), 0);
	assert_int_equal(lc.n_images, 10000);
	assert_int_equal(mlfy_label_counts_exactly(&lc, 0), 129);
	assert_int_equal(mlfy_label_counts_exactly(&lc, 1), 5083);
	assert_int_equal(mlfy_label_counts_exactly(&lc, 2), 2385);
	assert_int_equal(mlfy_label_counts_at_least(&lc, 3), 2403);
	assert_true(fabs(mlfy_label_counts_pct(&lc, 129) - 1.29) < 1e-9);
	assert_true(fabs(mlfy_label_counts_pct(&lc, 5083) - 50.83) < 1e-9);
	assert_true(fabs(mlfy_label_counts_pct(&lc, mlfy_label_counts_at_least(&lc, 2)) - 47.88) < 1e-9);
	mlfy_label_counts_release(&lc);
	mlfy_labels_free(l);

	if (!test_shared(path, sizeof(path), "data/real/real.json"))
		skip();
	assert_int_equal(mlfy_labels_load(path, MLFY_LABELS_AUTO, 1000, &l, &err), 0);
	mlfy_label_counts_init(&lc);
	assert_int_equal(mlfy_label_counts_add_csr(&lc, l->offsets, l->n, &err), 0);
	assert_int_equal(lc.n_images, 50000);
	assert_int_equal(mlfy_label_counts_exactly(&lc, 0), 3163);
	mlfy_label_counts_release(&lc);
	mlfy_labels_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hand_computed),
		cmocka_unit_test(shared_label_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
