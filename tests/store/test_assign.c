/* test_assign.c - stage-ii assignment: balanced, never moved, extended by
 * re-runs (src/store/assign.c). */
#include "people_fixture.h"

static int count_batches_of(const struct mlfy_assign_report *r, const char *name)
{
	size_t i;
	for (i = 0; i < r->n_load; i++)
		if (!strcmp(r->load[i].annotator, name))
			return r->load[i].batches;
	return -1;
}

static void assign_balanced_and_extends(void **state)
{
	struct mlfy_store *s = make_project();
	struct mlfy_assign_report rep;
	struct mlfy_task_list tl;
	struct mlfy_err err;
	const char *pair[] = { "a1", "a2" };
	const char *unknown[] = { "a1", "ghost" };
	int64_t a1;

	(void)state;
	a1 = add_user(s, "a1", MLFY_ROLE_ANNOTATOR, NULL);
	add_user(s, "a2", MLFY_ROLE_ANNOTATOR, NULL);
	add_user(s, "a3", MLFY_ROLE_ANNOTATOR, NULL);
	add_user(s, "boss", MLFY_ROLE_ADMIN, NULL);

	assert_int_equal(mlfy_assign_batches(s, 4, NULL, 0, &rep, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_assign_batches(s, 2, unknown, 2, &rep, &err), MLFY_ENOTFOUND);
	/* 7 batches x 2 = 14 slots over 3 annotators: loads 5, 5, 4 batches */
	assert_int_equal(mlfy_assign_batches(s, 2, NULL, 0, &rep, &err), 0);
	assert_int_equal(rep.n_batches, 7);
	assert_int_equal(rep.added, 14);
	assert_int_equal(rep.complete, 7);
	assert_int_equal(rep.n_load, 3);   /* the admin is not a default candidate */
	assert_int_equal(count_batches_of(&rep, "a1") + count_batches_of(&rep, "a2") + count_batches_of(&rep, "a3"),
			 14);
	assert_true(count_batches_of(&rep, "a1") >= 4 && count_batches_of(&rep, "a1") <= 5);
	assert_true(count_batches_of(&rep, "a3") >= 4 && count_batches_of(&rep, "a3") <= 5);
	mlfy_assign_report_release(&rep);

	/* re-running changes nothing */
	assert_int_equal(mlfy_assign_batches(s, 2, NULL, 0, &rep, &err), 0);
	assert_int_equal(rep.added, 0);
	mlfy_assign_report_release(&rep);

	/* a new batch 8 with 4 images: only it is assigned, to the least loaded */
	assert_int_equal(test_sql(mlfy_store_path(s),
		"INSERT INTO images(id, name, path, original_label, batch, sha256, width, height, bytes, added_at)"
		" SELECT id + 100, 'new' || id, path, original_label, 8, sha256, width, height, bytes, added_at"
		" FROM images WHERE batch = 1", NULL, 0), 0);
	assert_int_equal(mlfy_assign_batches(s, 2, pair, 2, &rep, &err), 0);
	assert_int_equal(rep.added, 2);
	assert_int_equal(rep.n_batches, 8);
	assert_int_equal(rep.complete, 8);
	mlfy_assign_report_release(&rep);

	/* the task list: assigned batches' images, by batch then id */
	assert_int_equal(mlfy_tasks_list(s, a1, MLFY_STAGE_ANNOTATE, &tl, &err), 0);
	assert_int_equal(tl.n % 4, 0);
	assert_true(tl.n >= 20);
	assert_int_equal(tl.n_done, 0);
	for (size_t i = 1; i < tl.n; i++)
		assert_true(tl.image_ids[i] > tl.image_ids[i - 1]);
	assert_int_equal(mlfy_tasks_check(s, a1, MLFY_STAGE_ANNOTATE, tl.image_ids[0], &err), 0);
	assert_int_equal(mlfy_tasks_check(s, a1, MLFY_STAGE_ANNOTATE, 99999, &err), MLFY_ENOTFOUND);
	assert_int_equal(mlfy_tasks_check(s, a1, MLFY_STAGE_REFINE, tl.image_ids[0], &err), MLFY_EPERM);
	mlfy_task_list_release(&tl);
	mlfy_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(assign_balanced_and_extends),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
