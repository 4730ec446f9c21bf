/* test_taskpage.c - windows of a task list (src/store/taskpage.c) against
 * the whole list (mlfy_tasks_list): every offset, every image, the first
 * open task, with and without gold tasks (the keyed-shuffled order), saved
 * tasks with several versions, the batch-size cache across an added image,
 * a person with several batches partly saved (the per-batch counts of
 * progress_counts decide which batch holds the first open task), the
 * counts the schema migration 6 -> 7 fills from a project holding saves,
 * and the refusals. */
#include "people_fixture.h"
#include "store/progress.h"
#include "store/taskpage.h"

#include <sqlite3.h>

/* where the window goes around list position pos (-1: the end), as taskpage.h says */
static int64_t placed(int64_t pos, int64_t total, size_t limit)
{
	int64_t P = pos < 0 ? total - (int64_t)limit : pos - (int64_t)(limit / 4);
	if (P > total - (int64_t)limit)
		P = total - (int64_t)limit;
	return P < 0 ? 0 : P;
}

/* one page against the slice of the whole list */
static void check_page(struct mlfy_store *s, int64_t user, enum mlfy_stage stg, enum mlfy_task_anchor at,
		       int64_t arg, size_t limit, struct mlfy_batch_sizes *bs, const struct mlfy_task_list *tl)
{
	struct mlfy_task_page p;
	struct mlfy_err err;
	int64_t pos = -1, P = arg;
	size_t i, n;

	if (at == MLFY_TASKS_AT_IMAGE) {
		for (i = 0; i < tl->n; i++)
			if (tl->image_ids[i] == arg) {
				pos = (int64_t)i;
				break;
			}
		assert_true(pos >= 0);
	} else if (at == MLFY_TASKS_AT_OPEN) {
		for (i = 0; i < tl->n; i++)
			if (!tl->done[i]) {
				pos = (int64_t)i;
				break;
			}
	}
	if (at != MLFY_TASKS_AT_OFFSET)
		P = placed(pos, (int64_t)tl->n, limit);
	n = P >= (int64_t)tl->n ? 0 : (size_t)((int64_t)tl->n - P) < limit ? (size_t)((int64_t)tl->n - P) : limit;
	if (mlfy_tasks_page(s, user, stg, at, arg, limit, bs, &p, &err))
		fail_msg("at %d arg %lld limit %zu: %s", (int)at, (long long)arg, limit, err.msg);
	if (p.total != (int64_t)tl->n || p.n_done != (int64_t)tl->n_done || p.position != pos || p.offset != P)
		fail_msg("at %d arg %lld limit %zu: total %lld/%zu done %lld/%zu position %lld/%lld offset %lld/%lld",
			 (int)at, (long long)arg, limit, (long long)p.total, tl->n, (long long)p.n_done, tl->n_done,
			 (long long)p.position, (long long)pos, (long long)p.offset, (long long)P);
	assert_int_equal(p.n_done, (int64_t)tl->n_done);
	assert_int_equal(p.position, pos);
	assert_int_equal(p.offset, P);
	assert_int_equal(p.n, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(p.image_ids[i], tl->image_ids[P + (int64_t)i]);
		assert_int_equal(p.done[i], tl->done[P + (int64_t)i]);
	}
	mlfy_task_page_release(&p);
}

/* every offset (and two past the end), every image, the first open task,
 * for several window sizes */
static void check_all(struct mlfy_store *s, int64_t user, enum mlfy_stage stg, struct mlfy_batch_sizes *bs)
{
	static const size_t limits[] = { 1, 2, 3, 5, 8, 1000 };
	struct mlfy_task_list tl;
	struct mlfy_err err;
	size_t l, i;

	assert_int_equal(mlfy_tasks_list(s, user, stg, &tl, &err), 0);
	for (l = 0; l < sizeof(limits) / sizeof(*limits); l++) {
		for (i = 0; i <= tl.n + 1; i++)
			check_page(s, user, stg, MLFY_TASKS_AT_OFFSET, (int64_t)i, limits[l], bs, &tl);
		for (i = 0; i < tl.n; i++)
			check_page(s, user, stg, MLFY_TASKS_AT_IMAGE, tl.image_ids[i], limits[l], bs, &tl);
		check_page(s, user, stg, MLFY_TASKS_AT_OPEN, 0, limits[l], bs, &tl);
		check_page(s, user, stg, MLFY_TASKS_AT_OPEN, 0, limits[l], NULL, &tl);
	}
	mlfy_task_list_release(&tl);
}

static void exec_sql(struct mlfy_store *s, const char *sql)
{
	assert_int_equal(test_sql(mlfy_store_path(s), sql, NULL, 0), 0);   /* either engine (testutil.h) */
}

/* a stage-ii save of image id by user, version v */
static void saved(struct mlfy_store *s, int64_t user, int64_t id, int v)
{
	char sql[256];
	snprintf(sql, sizeof(sql),
		 "INSERT INTO annotations(image_id, annotator_id, stage, version, created_at)"
		 " VALUES (%lld, %lld, 'annotate', %d, '2024-01-01T00:00:00Z')",
		 (long long)id, (long long)user, v);
	exec_sql(s, sql);
}

static void windows_match_the_whole_list(void **state)
{
	const char *const pair[] = { "a1", "a2" };
	struct mlfy_batch_sizes bs = { 0 };
	struct mlfy_assign_report rep;
	struct mlfy_task_list t1, t2;
	struct mlfy_store *s = make_project();
	struct mlfy_err err;
	char sql[512];
	int64_t a1, a2;
	size_t i;

	(void)state;
	a1 = add_user(s, "a1", MLFY_ROLE_ANNOTATOR, "password-1");
	a2 = add_user(s, "a2", MLFY_ROLE_ANNOTATOR, "password-2");
	check_all(s, a1, MLFY_STAGE_ANNOTATE, &bs);   /* nothing assigned yet */
	assert_int_equal(mlfy_assign_batches(s, 1, pair, 2, &rep, &err), 0);
	mlfy_assign_report_release(&rep);

	/* by batch then id; nothing saved, then saves here and there (one with two versions) */
	check_all(s, a1, MLFY_STAGE_ANNOTATE, &bs);
	assert_int_equal(mlfy_tasks_list(s, a1, MLFY_STAGE_ANNOTATE, &t1, &err), 0);
	assert_int_equal(mlfy_tasks_list(s, a2, MLFY_STAGE_ANNOTATE, &t2, &err), 0);
	assert_true(t1.n >= 12 && t2.n >= 12);
	saved(s, a1, t1.image_ids[0], 1);
	saved(s, a1, t1.image_ids[0], 2);
	saved(s, a1, t1.image_ids[1], 1);
	saved(s, a1, t1.image_ids[5], 1);
	saved(s, a2, t2.image_ids[5], 1);   /* another person's save is not a1's */
	check_all(s, a1, MLFY_STAGE_ANNOTATE, &bs);

	/* gold tasks from a2's batches: at the start, twice at one position,
	 * in the middle, past the end; a1's own images are then shuffled */
	snprintf(sql, sizeof(sql),
		 "INSERT INTO gold_tasks(annotator_id, image_id, position, seq, assigned_at) VALUES"
		 " (%lld, %lld, 0, 0, 'x'), (%lld, %lld, 3, 1, 'x'), (%lld, %lld, 3, 0, 'x'),"
		 " (%lld, %lld, 7, 0, 'x'), (%lld, %lld, 999, 0, 'x')",
		 (long long)a1, (long long)t2.image_ids[0], (long long)a1, (long long)t2.image_ids[1],
		 (long long)a1, (long long)t2.image_ids[2], (long long)a1, (long long)t2.image_ids[3],
		 (long long)a1, (long long)t2.image_ids[4]);
	exec_sql(s, sql);
	saved(s, a1, t2.image_ids[2], 1);   /* one gold task answered */
	check_all(s, a1, MLFY_STAGE_ANNOTATE, &bs);

	/* an image added to one of a1's batches: the cached sizes give way */
	snprintf(sql, sizeof(sql),
		 "INSERT INTO images(id, name, path, original_label, batch, sha256, width, height, bytes, added_at)"
		 " SELECT 500, 'late.jpg', path, original_label, batch, sha256, width, height, bytes, added_at"
		 " FROM images WHERE id = %lld",
		 (long long)t1.image_ids[t1.n - 1]);
	exec_sql(s, sql);
	check_all(s, a1, MLFY_STAGE_ANNOTATE, &bs);

	/* everything saved: no open task, the window is the list's end */
	mlfy_task_list_release(&t1);
	assert_int_equal(mlfy_tasks_list(s, a1, MLFY_STAGE_ANNOTATE, &t1, &err), 0);
	for (i = 0; i < t1.n; i++)
		if (!t1.done[i])
			saved(s, a1, t1.image_ids[i], 1);
	check_all(s, a1, MLFY_STAGE_ANNOTATE, &bs);
	check_all(s, a2, MLFY_STAGE_ANNOTATE, &bs);
	check_all(s, a1, MLFY_STAGE_REFINE, &bs);   /* no queue: an empty list */
	mlfy_task_list_release(&t1);
	mlfy_task_list_release(&t2);
	mlfy_batch_sizes_release(&bs);
	mlfy_store_close(s);
}

/* the person's progress_counts row of batch b in stage ii (-1: no row) */
static long long count_of(struct mlfy_store *s, int64_t user, int64_t batch)
{
	char sql[256];
	snprintf(sql, sizeof(sql),
		 "SELECT n FROM progress_counts WHERE annotator_id = %lld AND stage = 'annotate' AND batch = %lld",
		 (long long)user, (long long)batch);
	return test_sql_int(mlfy_store_path(s), sql, -1);
}

static long long batch_of(struct mlfy_store *s, int64_t image)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT batch FROM images WHERE id = %lld", (long long)image);
	return test_sql_int(mlfy_store_path(s), sql, -1);
}

static void assert_counts_sound(struct mlfy_store *s)
{
	struct mlfy_err err;
	int64_t bad = -1;
	assert_int_equal(mlfy_progress_check(s, &bad, &err), 0);
	assert_int_equal(bad, 0);
}

static void several_batches_partly_saved(void **state)
{
	const char *const one[] = { "a1" };
	/* list positions saved, step by step: batch 1 whole, batch 2 but its
	 * first image, batch 3 whole, one image of batch 4, two of batch 6 */
	static const int steps[][8] = {
		{ 0, 1, 2, 3, -1 },
		{ 5, 6, 7, -1 },
		{ 8, 9, 10, 11, 14, 21, 23, -1 },
		{ 4, -1 },     /* batch 2 complete: the first open task moves to batch 4 */
		{ 12, 13, 15, -1 },
	};
	struct mlfy_batch_sizes bs = { 0 };
	struct mlfy_assign_report rep;
	struct mlfy_task_list t1;
	struct mlfy_store *s = make_project();
	struct mlfy_err err;
	int64_t a1, a2;
	size_t i, k;

	(void)state;
	a1 = add_user(s, "a1", MLFY_ROLE_ANNOTATOR, "password-1");
	a2 = add_user(s, "a2", MLFY_ROLE_ANNOTATOR, "password-2");
	assert_int_equal(mlfy_assign_batches(s, 1, one, 1, &rep, &err), 0);   /* a1: all 7 batches */
	mlfy_assign_report_release(&rep);
	assert_int_equal(mlfy_tasks_list(s, a1, MLFY_STAGE_ANNOTATE, &t1, &err), 0);
	assert_int_equal(t1.n, 28);
	for (k = 0; k < sizeof(steps) / sizeof(*steps); k++) {
		for (i = 0; steps[k][i] >= 0; i++) {
			saved(s, a1, t1.image_ids[steps[k][i]], 1);
			saved(s, a1, t1.image_ids[steps[k][i]], 2);   /* a second version counts no image twice */
		}
		saved(s, a2, t1.image_ids[20 + k], 1);            /* someone else's save: not a1's */
		check_all(s, a1, MLFY_STAGE_ANNOTATE, &bs);
		check_all(s, a1, MLFY_STAGE_ANNOTATE, NULL);
	}
	/* the counts per batch: 4, 4, 4, 4 (positions 12..15), 0, 2, 0 */
	assert_int_equal(count_of(s, a1, batch_of(s, t1.image_ids[0])), 4);
	assert_int_equal(count_of(s, a1, batch_of(s, t1.image_ids[12])), 4);
	assert_int_equal(count_of(s, a1, batch_of(s, t1.image_ids[16])), -1);
	assert_int_equal(count_of(s, a1, batch_of(s, t1.image_ids[20])), 2);
	assert_counts_sound(s);
	mlfy_task_list_release(&t1);
	mlfy_batch_sizes_release(&bs);
	mlfy_store_close(s);
}

/* A project of schema 6 holding saves (the table and its trigger dropped,
 * the version set back) is opened: the migration fills the counts from
 * the history, and the pages read them as they read a new project's. */
static void counts_after_migration(void **state)
{
	const char *const pair[] = { "a1", "a2" };
	static const char down_sqlite[] = "DROP TRIGGER annotations_progress; DROP TABLE progress_counts;"
					  "DROP TABLE login_throttle; PRAGMA user_version = 6;";
	static const char down_pg[] =
		"DROP TRIGGER annotations_progress ON annotations; DROP FUNCTION mlfy_progress_count();"
		"DROP TABLE progress_counts; DROP TRIGGER final_changes_notify ON final_changes;"
		"DROP FUNCTION mlfy_notify_changes(); DROP TABLE login_throttle; UPDATE mlfy_schema SET version = 6;";
	struct mlfy_assign_report rep;
	struct mlfy_task_list t1, t2;
	struct mlfy_store *s = make_project();
	struct mlfy_err err;
	char path[4096], sql[256];
	int64_t a1, a2;
	size_t i;

	(void)state;
	a1 = add_user(s, "a1", MLFY_ROLE_ANNOTATOR, "password-1");
	a2 = add_user(s, "a2", MLFY_ROLE_ANNOTATOR, "password-2");
	assert_int_equal(mlfy_assign_batches(s, 1, pair, 2, &rep, &err), 0);
	mlfy_assign_report_release(&rep);
	assert_int_equal(mlfy_tasks_list(s, a1, MLFY_STAGE_ANNOTATE, &t1, &err), 0);
	assert_int_equal(mlfy_tasks_list(s, a2, MLFY_STAGE_ANNOTATE, &t2, &err), 0);
	snprintf(path, sizeof(path), "%s", mlfy_store_path(s));
	exec_sql(s, test_pg() ? down_pg : down_sqlite);
	mlfy_store_close(s);
	/* the history the migration finds: several versions, both stages, two people */
	for (i = 0; i < t1.n; i++)
		if (i != 2 && i != 6) {
			snprintf(sql, sizeof(sql),
				 "INSERT INTO annotations(image_id, annotator_id, stage, version, created_at)"
				 " VALUES (%lld, %lld, 'annotate', 1, 't')",
				 (long long)t1.image_ids[i], (long long)a1);
			assert_int_equal(test_sql(path, sql, NULL, 0), 0);
		}
	snprintf(sql, sizeof(sql),
		 "INSERT INTO annotations(image_id, annotator_id, stage, version, created_at)"
		 " VALUES (%lld, %lld, 'annotate', 2, 't'), (%lld, %lld, 'annotate', 1, 't'),"
		 " (%lld, %lld, 'refine', 1, 't')",
		 (long long)t1.image_ids[0], (long long)a1, (long long)t2.image_ids[1], (long long)a2,
		 (long long)t1.image_ids[0], (long long)a2);
	assert_int_equal(test_sql(path, sql, NULL, 0), 0);
	assert_int_equal(mlfy_store_open(path, 0, &s, &err), 0);   /* migrates 6 -> 7 */
	assert_int_equal(mlfy_store_schema_version(s), MLFY_SCHEMA_VERSION);
	assert_counts_sound(s);
	assert_int_equal(count_of(s, a1, batch_of(s, t1.image_ids[0])), 3);   /* positions 0..3 but 2 */
	assert_int_equal(count_of(s, a2, batch_of(s, t2.image_ids[1])), 1);
	assert_int_equal(test_sql_int(path, "SELECT SUM(n) FROM progress_counts WHERE stage = 'refine'", -1), 1);
	check_all(s, a1, MLFY_STAGE_ANNOTATE, NULL);
	check_all(s, a2, MLFY_STAGE_ANNOTATE, NULL);
	/* and the trigger keeps them from here on */
	saved(s, a1, t1.image_ids[2], 1);
	saved(s, a1, t1.image_ids[2], 2);
	check_all(s, a1, MLFY_STAGE_ANNOTATE, NULL);
	assert_counts_sound(s);
	mlfy_task_list_release(&t1);
	mlfy_task_list_release(&t2);
	mlfy_store_close(s);
}

static void refusals(void **state)
{
	const char *const one[] = { "a1" };
	struct mlfy_assign_report rep;
	struct mlfy_task_page p;
	struct mlfy_store *s = make_project();
	struct mlfy_err err;
	int64_t a1, a2, mine;

	(void)state;
	a1 = add_user(s, "a1", MLFY_ROLE_ANNOTATOR, "password-1");
	a2 = add_user(s, "a2", MLFY_ROLE_ANNOTATOR, "password-2");
	assert_int_equal(mlfy_assign_batches(s, 1, one, 1, &rep, &err), 0);
	mlfy_assign_report_release(&rep);
	mine = first_image(s, a1);
	assert_int_equal(mlfy_tasks_page(s, a1, MLFY_STAGE_ANNOTATE, MLFY_TASKS_AT_OFFSET, 0, 0, NULL, &p, &err),
			 MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "limit"));
	assert_int_equal(mlfy_tasks_page(s, a1, MLFY_STAGE_ANNOTATE, MLFY_TASKS_AT_OFFSET, -1, 5, NULL, &p, &err),
			 MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "offset"));
	/* an image of someone else's list, and one that does not exist */
	assert_int_equal(mlfy_tasks_page(s, a2, MLFY_STAGE_ANNOTATE, MLFY_TASKS_AT_IMAGE, mine, 5, NULL, &p, &err),
			 MLFY_ENOTFOUND);
	assert_non_null(strstr(err.msg, "around"));
	assert_int_equal(mlfy_tasks_page(s, a1, MLFY_STAGE_ANNOTATE, MLFY_TASKS_AT_IMAGE, 99999, 5, NULL, &p, &err),
			 MLFY_ENOTFOUND);
	assert_int_equal(mlfy_tasks_page(s, a1, MLFY_STAGE_REFINE, MLFY_TASKS_AT_IMAGE, mine, 5, NULL, &p, &err),
			 MLFY_ENOTFOUND);
	assert_null(p.image_ids);
	mlfy_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(windows_match_the_whole_list),
		cmocka_unit_test(several_batches_partly_saved),
		cmocka_unit_test(counts_after_migration),
		cmocka_unit_test(refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
