/* test_progress_counts.c - table progress_counts (src/store/progress.c and
 * the schema's trigger on annotations): saves through the library (first
 * versions count, later versions and other stages each in their own row),
 * and mlfy_progress_check against a recount: sound after saves, and each
 * kind of damage (a count off by one, a row missing, a row too many, a
 * row of 0) found, on either engine. */
#include "people_fixture.h"
#include "store/progress.h"

static long long q(struct mlfy_store *s, const char *sql)
{
	return test_sql_int(mlfy_store_path(s), sql, -1);
}

static int64_t mismatches(struct mlfy_store *s)
{
	struct mlfy_err err;
	int64_t bad = -1;
	assert_int_equal(mlfy_progress_check(s, &bad, &err), 0);
	return bad;
}

static void save(struct mlfy_store *s, int64_t user, int64_t image, int64_t base)
{
	struct mlfy_annotation_save in;
	struct mlfy_err err;
	int64_t v = 0;

	memset(&in, 0, sizeof(in));   /* "none of these": an explicit empty set */
	in.image_id = image;
	in.annotator_id = user;
	in.stage = MLFY_STAGE_ANNOTATE;
	in.base_version = base;
	if (mlfy_annotations_save(s, &in, &v, &err))
		fail_msg("save image %lld: %s", (long long)image, err.msg);
	assert_int_equal(v, base + 1);
}

static void damage(struct mlfy_store *s, const char *sql)
{
	char msg[256];
	if (test_sql(mlfy_store_path(s), sql, msg, sizeof(msg)))
		fail_msg("%s: %s", sql, msg);
}

static void counts_follow_saves_and_check_finds_damage(void **state)
{
	const char *const one[] = { "a1" };
	struct mlfy_assign_report rep;
	struct mlfy_task_list tl;
	struct mlfy_store *s = make_project();
	struct mlfy_err err;
	int64_t a1;

	(void)state;
	a1 = add_user(s, "a1", MLFY_ROLE_ANNOTATOR, "password-1");
	assert_int_equal(mlfy_assign_batches(s, 1, one, 1, &rep, &err), 0);
	mlfy_assign_report_release(&rep);
	assert_int_equal(mlfy_tasks_list(s, a1, MLFY_STAGE_ANNOTATE, &tl, &err), 0);
	assert_int_equal(mismatches(s), 0);
	assert_int_equal(q(s, "SELECT COUNT(*) FROM progress_counts"), 0);
	save(s, a1, tl.image_ids[0], 0);
	save(s, a1, tl.image_ids[0], 1);   /* a second version: the same image */
	save(s, a1, tl.image_ids[1], 0);
	save(s, a1, tl.image_ids[5], 0);
	assert_int_equal(q(s, "SELECT COUNT(*) FROM annotations"), 4);
	assert_int_equal(q(s, "SELECT COUNT(*) FROM progress_counts"), 2);   /* batches 1 and 2 */
	assert_int_equal(q(s, "SELECT SUM(n) FROM progress_counts WHERE stage = 'annotate'"), 3);
	assert_int_equal(mismatches(s), 0);
	/* a refinement-stage row is its own stage's count */
	damage(s, "INSERT INTO annotations(image_id, annotator_id, stage, version, created_at)"
		  " SELECT image_id, annotator_id, 'refine', 1, created_at FROM annotations WHERE id = 1");
	assert_int_equal(q(s, "SELECT SUM(n) FROM progress_counts WHERE stage = 'refine'"), 1);
	assert_int_equal(mismatches(s), 0);

	damage(s, "UPDATE progress_counts SET n = n + 1 WHERE stage = 'refine'");
	assert_int_equal(mismatches(s), 1);
	damage(s, "UPDATE progress_counts SET n = n - 1 WHERE stage = 'refine'");
	assert_int_equal(mismatches(s), 0);
	damage(s, "DELETE FROM progress_counts WHERE stage = 'refine'");
	assert_int_equal(mismatches(s), 1);
	damage(s, "INSERT INTO progress_counts(annotator_id, stage, batch, n) VALUES (1, 'refine', 1, 0)");
	assert_int_equal(mismatches(s), 1);   /* a row of 0 is not a recount's */
	damage(s, "UPDATE progress_counts SET n = 1 WHERE stage = 'refine'");
	assert_int_equal(mismatches(s), 0);
	damage(s, "INSERT INTO progress_counts(annotator_id, stage, batch, n) VALUES (1, 'annotate', 7, 2)");
	assert_int_equal(mismatches(s), 1);
	mlfy_task_list_release(&tl);
	mlfy_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts_follow_saves_and_check_finds_damage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
