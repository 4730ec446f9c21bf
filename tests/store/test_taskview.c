/* test_taskview.c - the page's task view, class lookups and search, file
 * paths behind images and exemplars (src/store/taskview.c). */
#include "people_fixture.h"

static void task_view_and_search(void **state)
{
	struct mlfy_store *s = make_project();
	struct mlfy_task_view tv;
	struct mlfy_view_class *c = NULL;
	struct mlfy_err err;
	int idx[] = { 7, 3, 7, 42 };
	size_t n;
	char *path;
	char sha[65];

	(void)state;
	assert_int_equal(mlfy_task_view_get(s, 3, 20, &tv, &err), 0);
	assert_string_equal(tv.name, "img00003.jpg");
	assert_int_equal(tv.original_label, 2);
	assert_int_equal(tv.batch, 1);
	assert_int_equal(tv.n_proposals, 5);
	assert_int_equal(tv.proposals[0].class_idx, 2);
	assert_int_equal(tv.proposals[4].class_idx, 6);
	assert_true(fabs(tv.proposals[1].score - 0.25) < 1e-12);
	mlfy_task_view_release(&tv);
	assert_int_equal(mlfy_task_view_get(s, 999, 20, &tv, &err), MLFY_ENOTFOUND);

	assert_int_equal(mlfy_view_classes(s, idx, 4, &c, &n, &err), 0);
	assert_int_equal(n, 2);   /* distinct known ones */
	assert_int_equal(c[0].idx, 3);
	assert_string_equal(c[1].name, "class_7");
	assert_string_equal(c[1].synonyms, "class 7, thing 7");
	assert_int_equal(c[1].n_exemplars, 2);
	mlfy_view_classes_free(c, n);

	/* "class_1" prefix matches 1 (shortest name first); '_' is literal */
	assert_int_equal(mlfy_view_search_classes(s, "CLASS_1", 5, &c, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(c[0].idx, 1);
	mlfy_view_classes_free(c, n);
	assert_int_equal(mlfy_view_search_classes(s, "thing", 3, &c, &n, &err), 0);
	assert_int_equal(n, 3);
	mlfy_view_classes_free(c, n);
	assert_int_equal(mlfy_view_search_classes(s, "8", 3, &c, &n, &err), 0);
	assert_true(n >= 1);
	assert_int_equal(c[0].idx, 8);
	mlfy_view_classes_free(c, n);
	assert_int_equal(mlfy_view_search_classes(s, "%", 3, &c, &n, &err), 0);
	assert_int_equal(n, 0);
	mlfy_view_classes_free(c, n);

	assert_int_equal(mlfy_view_image_file(s, 3, &path, sha, &err), 0);
	assert_string_equal(path, "/nonexistent/img00003.jpg");
	free(path);
	assert_int_equal(mlfy_view_exemplar_file(s, 4, 1, 0, &path, sha, &err), 0);
	free(path);
	assert_int_equal(mlfy_view_exemplar_file(s, 4, 2, 0, &path, sha, &err), MLFY_ENOTFOUND);
	mlfy_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(task_view_and_search),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
