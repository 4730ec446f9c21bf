/* test_taskview.c - the page's task view, class lookups and search, file
 * paths behind images and exemplars (src/store/taskview.c). */
#include "people_fixture.h"
#include "store/catalog.h"

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

/* Exemplars may be project photos: beside an image, never that image's own
 * content, and for a person never an image of their own tasks (its class is
 * that image's original label); the file route refuses them likewise
 * (issue 11).  Admins (user 0) see every one but the image's own. */
static void exemplars_a_person_may_see(void **state)
{
	const char *const one[] = { "a1" };
	struct mlfy_assign_report rep;
	struct mlfy_task_list t1, t2;
	struct mlfy_image x, y;
	struct mlfy_exemplar ex[3];
	struct mlfy_store *s = make_project();
	struct mlfy_err err;
	int32_t *r = NULL;
	char *path = NULL, sha[65];
	int64_t a1, a2;
	size_t n, i;

	(void)state;
	a1 = add_user(s, "a1", MLFY_ROLE_ANNOTATOR, "password-1");
	a2 = add_user(s, "a2", MLFY_ROLE_ANNOTATOR, "password-2");
	/* a1 labels every batch, a2 none */
	assert_int_equal(mlfy_assign_batches(s, 1, one, 1, &rep, &err), 0);
	mlfy_assign_report_release(&rep);
	assert_int_equal(mlfy_tasks_list(s, a1, MLFY_STAGE_ANNOTATE, &t1, &err), 0);
	assert_int_equal(mlfy_tasks_list(s, a2, MLFY_STAGE_ANNOTATE, &t2, &err), 0);
	assert_true(t1.n >= 2);
	assert_int_equal(t2.n, 0);
	assert_int_equal(mlfy_catalog_image_by_id(s, t1.image_ids[0], &x, &err), 0);
	assert_int_equal(mlfy_catalog_image_by_id(s, t1.image_ids[1], &y, &err), 0);
	for (i = 0; i < 3; i++) {
		memset(&ex[i], 0, sizeof(ex[i]));
		ex[i].rank = (int)i;
		ex[i].path = i == 0 ? x.path : i == 1 ? y.path : "/ex/other.jpg";
		memcpy(ex[i].sha256, i == 0 ? x.sha256 : i == 1 ? y.sha256 : "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 65);
		ex[i].width = ex[i].height = 10;
	}
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_catalog_set_exemplars(s, 0, ex, 3, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);

	/* a1 labels x and y: beside y, neither x nor y (both a1's), only rank 2 */
	assert_int_equal(mlfy_view_exemplar_ranks(s, 0, y.id, a1, &r, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0], 2);
	free(r);
	/* a2 labels nothing: beside y, all but y itself */
	assert_int_equal(mlfy_view_exemplar_ranks(s, 0, y.id, a2, &r, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(r[0], 0);
	assert_int_equal(r[1], 2);
	free(r);
	/* no person (an admin): beside x, all but x */
	assert_int_equal(mlfy_view_exemplar_ranks(s, 0, x.id, 0, &r, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(r[0], 1);
	free(r);
	/* beside no image (the verification grid passes 0) or an id with no
	 * image: every exemplar (the image's sha256 is read once, and is none) */
	assert_int_equal(mlfy_view_exemplar_ranks(s, 0, 0, 0, &r, &n, &err), 0);
	assert_int_equal(n, 3);
	free(r);
	assert_int_equal(mlfy_view_exemplar_ranks(s, 0, 987654, 0, &r, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(r[2], 2);
	free(r);
	/* several classes in one query: class 2 gets two exemplars of its own
	 * (class 1 has the fixture's two); ordered by class then rank, the
	 * classes given in any order, a repeated one (0 twice) counted once */
	{
		static const int classes[] = { 2, 1, 0, 0 };
		static const int want[][2] = { { 0, 2 }, { 1, 0 }, { 1, 1 }, { 2, 0 }, { 2, 1 } };
		struct mlfy_exemplar_rank *er = NULL;
		for (i = 0; i < 2; i++) {
			ex[i].rank = (int)i;
			ex[i].path = i ? "/ex/c2-1.jpg" : "/ex/c2-0.jpg";
			memcpy(ex[i].sha256, i ? "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
					       : "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd", 65);
		}
		assert_int_equal(mlfy_store_begin(s, &err), 0);
		assert_int_equal(mlfy_catalog_set_exemplars(s, 2, ex, 2, &err), 0);
		assert_int_equal(mlfy_store_commit(s, &err), 0);
		/* a1 beside y: of class 0 only rank 2 (as above) */
		assert_int_equal(mlfy_view_exemplar_ranks_of(s, classes, 4, y.id, a1, &er, &n, &err), 0);
		assert_int_equal(n, 5);
		for (i = 0; i < 5; i++) {
			assert_int_equal(er[i].class_idx, want[i][0]);
			assert_int_equal(er[i].rank, want[i][1]);
		}
		free(er);
		/* no class: no query, no pair */
		er = NULL;
		assert_int_equal(mlfy_view_exemplar_ranks_of(s, classes, 0, y.id, a1, &er, &n, &err), 0);
		assert_int_equal(n, 0);
		assert_null(er);
	}
	/* the file route: a1 cannot fetch x as exemplar 0 of class 0; a2 and an admin can */
	assert_int_equal(mlfy_view_exemplar_file(s, 0, 0, a1, &path, sha, &err), MLFY_ENOTFOUND);
	assert_null(path);
	assert_int_equal(mlfy_view_exemplar_file(s, 0, 0, a2, &path, sha, &err), 0);
	assert_string_equal(path, x.path);
	free(path);
	assert_int_equal(mlfy_view_exemplar_file(s, 0, 0, 0, &path, sha, &err), 0);
	free(path);
	assert_int_equal(mlfy_view_exemplar_file(s, 0, 2, a1, &path, sha, &err), 0);
	free(path);
	mlfy_image_release(&x);
	mlfy_image_release(&y);
	mlfy_task_list_release(&t1);
	mlfy_task_list_release(&t2);
	mlfy_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(task_view_and_search),
		cmocka_unit_test(exemplars_a_person_may_see),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
