/* test_stats.c - src/report/stats.c: the `mlfy stats` text and JSON of a
 * hand-made distribution and of the shared small project
 * (project_fixture.h; its numbers are counted in
 * tests/evaluate/test_project_stats.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "report/stats.h"
#include "testutil.h"
#include "evaluate/project_fixture.h"

/* What writer wrote to a temporary file (a new string). */
static char *text_of(FILE *f)
{
	long n = ftell(f);
	char *buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	rewind(f);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* 10 images with 0, 1, 1, 1, 1, 2, 2, 3, 3, 5 labels */
static void distribution_text_and_json(void **state)
{
	static const size_t counts[] = { 0, 1, 1, 1, 1, 2, 2, 3, 3, 5 };
	struct mlfy_label_counts lc;
	struct mlfy_err err;
	FILE *f = tmpfile();
	json_t *j, *rest;
	char *t;
	size_t i;
	(void)state;

	mlfy_label_counts_init(&lc);
	for (i = 0; i < 10; i++)
		assert_int_equal(mlfy_label_counts_add(&lc, counts[i], &err), 0);
	assert_non_null(f);
	assert_int_equal(mlfy_label_counts_write_text(f, "l.json", "real", &lc, 2, &err), 0);
	t = text_of(f);
	assert_non_null(strstr(t, "l.json: 10 images (real), 19 labels, 1.90 per image\n"));
	assert_non_null(strstr(t, "summary: 0: 1 (10.00 %), 1: 4 (40.00 %), 2: 2 (20.00 %), >2: 3 (30.00 %),"
				  " >=2: 50.00 %\n"));
	assert_non_null(strstr(t, "empty (no label): 1 of 10 images\n"));
	/* --max-count 2: counts 0..2 one by one, the rest as ">2" */
	assert_non_null(strstr(t, "       2            2     20.00\n      >2            3     30.00\n"));
	assert_null(strstr(t, "\n       3            2     20.00\n"));   /* no row of its own */
	free(t);

	j = mlfy_label_counts_json("l.json", "file", "real", &lc, 2);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "labels")), 19);
	assert_string_equal(json_string_value(json_object_get(j, "format")), "real");
	assert_int_equal(json_array_size(json_object_get(j, "counts")), 3);
	rest = json_object_get(j, "rest");
	assert_int_equal(json_integer_value(json_object_get(rest, "more_than")), 2);
	assert_int_equal(json_integer_value(json_object_get(rest, "images")), 3);
	assert_true(json_real_value(json_object_get(json_object_get(j, "at_least_2"), "percent")) == 50.0);
	json_decref(j);
	mlfy_label_counts_release(&lc);
}

static void project_text_and_json(void **state)
{
	char path[4096], *t;
	struct mlfy_store *s = project_fixture(path, sizeof(path), 0);
	struct mlfy_project_stats st;
	struct mlfy_err err;
	FILE *f = tmpfile();
	json_t *j, *cov;
	(void)state;

	assert_int_equal(mlfy_project_stats_get(s, NULL, 20, &st, &err), 0);
	assert_non_null(f);
	assert_int_equal(mlfy_project_stats_write_text(f, "p.mlfy", &st, -1, &err), 0);
	t = text_of(f);
	assert_non_null(strstr(t, "p.mlfy: 4 images (final labels), 5 labels, 1.25 per image\n"));
	assert_non_null(strstr(t, "\nnot yet decided: 1\ndecided by stage: agreed 2, refined 1, aggregated 1,"
				  " imported 0\nrefinement queue: 0 images, 0 assigned to experts, 0 refined\n"
				  "zero-label images: 1, 0 reviewed\n"));
	/* the coverage: 2, 3, 4 of the 5 labels in the top-1, 2, 3; e's 4 is outside */
	assert_non_null(strstr(t, "\nproposal coverage: final labels among the top-k proposals of 'm'\n"
				  "  (4 decided images with proposals, 5 final labels)\n"));
	assert_non_null(strstr(t, "  all final labels               40.0 %   60.0 %   80.0 %   80.0 %"));
	assert_non_null(strstr(t, "  images fully covered           33.3 %   33.3 %   66.7 %"));
	assert_non_null(strstr(t, "  outside the top-20 (added through the class search): 20.00 %\n"));
	free(t);

	j = mlfy_project_stats_json("p.mlfy", &st, -1);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "kind")), "project");
	assert_int_equal(json_integer_value(json_object_get(j, "undecided")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "by_stage"), "agreed")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "review"), "zero_label")), 1);
	cov = json_object_get(j, "proposal_coverage");
	assert_string_equal(json_string_value(json_object_get(cov, "model")), "m");
	assert_int_equal(json_integer_value(json_object_get(cov, "labels")), 5);
	json_decref(j);
	mlfy_project_stats_release(&st);
	mlfy_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(distribution_text_and_json),
		cmocka_unit_test(project_text_and_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
