/* test_dashboard.c - the dashboard's per batch x annotator numbers
 * (src/store/dashboard.c). */
#include "people_fixture.h"

static void dashboard_medians(void **state)
{
	struct mlfy_store *s = make_project();
	const char *both[] = { "a1", "a2" };
	struct mlfy_assign_report rep;
	struct mlfy_label_choice l[] = { { 0, MLFY_SOURCE_SEARCH }, { 1, MLFY_SOURCE_SEARCH } };   /* not all proposals of every image */
	struct mlfy_annotation_save in;
	struct mlfy_dashboard d;
	struct mlfy_err err;
	int64_t a1, v;
	size_t i;
	/* batch 1 = images 1..4; a1 labels three: 40 s / 2 labels, 10 s / 0,
	 * 20 s / 1 (the first saved twice: only the latest version counts).
	 * Median of {10, 20, 40} = 20; labels per image (2 + 0 + 1) / 3 = 1. */
	const struct { int64_t img; double sec; size_t nl; } saves[] = {
		{ 1, 5, 1 }, { 1, 40, 2 }, { 2, 10, 0 }, { 3, 20, 1 } };

	(void)state;
	a1 = add_user(s, "a1", MLFY_ROLE_ANNOTATOR, NULL);
	add_user(s, "a2", MLFY_ROLE_ANNOTATOR, NULL);
	assert_int_equal(mlfy_assign_batches(s, 2, both, 2, &rep, &err), 0);
	mlfy_assign_report_release(&rep);
	memset(&in, 0, sizeof(in));
	in.annotator_id = a1;
	in.labels = l;
	for (i = 0; i < 4; i++) {
		in.image_id = saves[i].img;
		in.seconds = saves[i].sec;
		in.n_labels = saves[i].nl;
		in.base_version = i == 1 ? 1 : 0;
		assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	}
	assert_int_equal(mlfy_dashboard_get(s, &d, &err), 0);
	assert_int_equal(d.n_images, 28);
	assert_int_equal(d.n_rows, 14);   /* 7 batches x 2 */
	assert_int_equal(d.rows[0].batch, 1);
	assert_string_equal(d.rows[0].annotator, "a1");
	assert_int_equal(d.rows[0].assigned, 4);
	assert_int_equal(d.rows[0].done, 3);
	assert_true(fabs(d.rows[0].median_seconds - 20) < 1e-9);
	assert_true(fabs(d.rows[0].labels_per_image - 1) < 1e-9);
	assert_int_equal(d.rows[0].empty, 1);
	assert_int_equal(d.rows[1].done, 0);
	assert_int_equal(d.review.queued, 0);
	assert_int_equal(d.review.images, 28);
	assert_int_equal(d.review.undecided, 28);
	mlfy_dashboard_release(&d);
	mlfy_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dashboard_medians),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
