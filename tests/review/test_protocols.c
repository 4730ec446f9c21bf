/* test_protocols.c - the comparison of the paper's protocol with ReaL's on
 * the same images (src/review/protocols.c, src/store/protocol_input.c):
 * a hand-built project where both protocols decided some images, with
 * known time, sets and gold, and the figures computed by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate/metrics.h"
#include "review/protocols.h"
#include "testutil.h"
#include "review_fixture.h"
#include "review_test.h"

#define T "'2026-01-02T00:00:00Z'"

/* A stage-ii annotation of image by annotator with labels (comma list, ""
 * none) and seconds of focused time. */
static void annotate(struct rfix *f, int image, int who, const char *labels, double seconds)
{
	char sql[512];
	assert_int_equal(rfix_exec(f, "INSERT INTO annotations(image_id, annotator_id, stage, version, model_id,"
				   " seconds, created_at) VALUES (%d, %d, 'annotate', 1, 1, %g, " T ")",
				   image, who, seconds), 0);
	if (*labels) {
		snprintf(sql, sizeof(sql), "INSERT INTO annotation_labels(annotation_id, class_idx, source)"
			 " SELECT last_insert_rowid(), value, 'proposal' FROM json_each('[%s]')", labels);
		assert_int_equal(rfix_exec(f, "%s", sql), 0);
	}
}

/* The final set of image decided by stage (agreed, refined). */
static void decide(struct rfix *f, int image, const char *stage, const char *labels)
{
	assert_int_equal(rfix_exec(f, "INSERT INTO final_status(image_id, stage, decided_at) VALUES (%d, '%s', " T ")",
				   image, stage), 0);
	assert_int_equal(rfix_exec(f, "INSERT INTO final_labels(image_id, class_idx)"
				   " SELECT %d, value FROM json_each('[%s]')", image, labels), 0);
}

/* Question id q about (img<image>, cls), a verification question. */
static void question(struct rfix *f, int q, int image, int cls)
{
	assert_int_equal(rfix_exec(f, "INSERT INTO questions(id, image_name, class_idx) VALUES (%d, 'img%02d.jpg', %d);"
				   "INSERT INTO verify_questions(question_id, origin, created_at) VALUES (%d, 'model:fixture', "
				   T ")", q, image, cls, q), 0);
}

/* Page id of rater about cls taking seconds. */
static void page(struct rfix *f, int id, int rater, int cls, double seconds)
{
	assert_int_equal(rfix_exec(f, "INSERT INTO verify_pages(id, annotator_id, class_idx, client_page_id, seconds,"
				   " created_at) VALUES (%d, %d, %d, 'p%d', %g, " T ")", id, rater, cls, id, seconds), 0);
}

static void answer(struct rfix *f, int pg, int q, int rater, int ans, int version)
{
	assert_int_equal(rfix_exec(f, "INSERT INTO verify_answers(page_id, question_id, annotator_id, answer, bulk,"
				   " seconds, version, created_at) VALUES (%d, %d, %d, %d, 0, 1, %d, " T ")",
				   pg, q, rater, ans, version), 0);
}

static void aggregated(struct rfix *f, int q, const char *method, int label)
{
	assert_int_equal(rfix_exec(f, "INSERT INTO aggregations(question_id, method, posterior, label, threshold,"
				   " computed_at) VALUES (%d, '%s', %g, %d, 0.5, " T ")", q, method,
				   label ? 0.9 : 0.1, label), 0);
}

/* Images 1..4 of 4 classes.  Paper: img01 agreed {0} (a1 10 s, a2 20 s),
 * img02 refined {1,2} (a1 5 s), img03 undecided.  Grid questions:
 * q1 (1,0), q2 (1,1), q3 (2,1), q4 (2,2), q5 (3,1); pages: r1 class 0
 * 4 s {q1}; r1 class 1 6 s {q2,q3}; r1 class 2 2 s {q4}; r2 class 1 9 s
 * {q2,q3,q5}; r2 class 1 1 s {q2 again, version 2}.  So grid seconds:
 * img01 4+3+3+1 = 11, img02 3+2+3 = 8, img03 3.  Majority results:
 * q1 1, q2 0, q3 1, q4 0 (q5 none): grid sets img01 {0}, img02 {1}.
 * Gold: img02 {1,2}. */
static void build(struct rfix *f, const char *path)
{
	assert_int_equal(rfix_create(f, path, 4, 4, 4, 3), 0);
	assert_int_equal(rfix_user(f, 1, "a1", "annotator") | rfix_user(f, 2, "a2", "annotator") |
			 rfix_user(f, 3, "r1", "annotator") | rfix_user(f, 4, "r2", "annotator"), 0);
	annotate(f, 1, 1, "0", 10);
	annotate(f, 1, 2, "0", 20);
	annotate(f, 2, 1, "1,2", 5);
	decide(f, 1, "agreed", "0");
	decide(f, 2, "refined", "1,2");
	assert_int_equal(rfix_exec(f, "INSERT INTO gold_images(image_id, source, added_at) VALUES (2, 'g.csv', " T ");"
				   "INSERT INTO gold_labels(image_id, class_idx) VALUES (2, 1), (2, 2)"), 0);
	question(f, 1, 1, 0);
	question(f, 2, 1, 1);
	question(f, 3, 2, 1);
	question(f, 4, 2, 2);
	question(f, 5, 3, 1);
	page(f, 1, 3, 0, 4);
	answer(f, 1, 1, 3, 2, 1);
	page(f, 2, 3, 1, 6);
	answer(f, 2, 2, 3, 0, 1);
	answer(f, 2, 3, 3, 2, 1);
	page(f, 3, 3, 2, 2);
	answer(f, 3, 4, 3, 0, 1);
	page(f, 4, 4, 1, 9);
	answer(f, 4, 2, 4, 2, 1);
	answer(f, 4, 3, 4, 2, 1);
	answer(f, 4, 5, 4, 2, 1);
	page(f, 5, 4, 1, 1);
	answer(f, 5, 2, 4, 0, 2);
	aggregated(f, 1, "majority", 1);
	aggregated(f, 2, "majority", 0);
	aggregated(f, 3, "majority", 1);
	aggregated(f, 4, "majority", 0);
}

static void hand_computed(void **state)
{
	char path[4096];
	struct rfix f;
	struct mlfy_store *s;
	struct mlfy_protocol_compare c;
	struct mlfy_err err;
	json_t *j;
	char *text;
	(void)state;

	test_tmpfile(path, sizeof(path), "protocols.mlfy");
	build(&f, path);
	assert_int_equal(mlfy_store_open(path, 0, &s, &err), 0);

	/* no method named: dawid-skene has no results, majority has */
	assert_int_equal(mlfy_protocols_compare(s, NULL, &c, &err), 0);
	assert_string_equal(c.method, "majority");
	assert_int_equal(c.images_verify, 3);
	assert_int_equal(c.images_aggregated, 2);
	assert_int_equal(c.images_paper, 2);
	assert_int_equal(c.images_both, 2);
	assert_close(c.paper.seconds_mean, 17.5, 1e-9);
	assert_close(c.paper.seconds_median, 17.5, 1e-9);
	/* sd of {30, 5} = sqrt 312.5; half-width z sqrt(312.5) / sqrt 2 = 24.5 */
	assert_close(c.paper.seconds_hi, 17.5 + MLFY_Z95 * sqrt(312.5) / sqrt(2.0), 1e-6);
	assert_close(c.paper.seconds_lo, 0, 1e-12);
	assert_close(c.verify.seconds_mean, 9.5, 1e-9);
	assert_close(c.paper.people_mean, 1.5, 1e-12);
	assert_close(c.verify.people_mean, 2, 1e-12);
	/* grid {0} vs paper {0}; grid {1} vs paper {1,2} */
	assert_int_equal(c.between.exact.k, 1);
	assert_int_equal(c.between.exact.n, 2);
	assert_int_equal(c.between.sensitivity.k, 2);
	assert_int_equal(c.between.sensitivity.n, 3);
	assert_int_equal(c.between.precision.k, 2);
	assert_int_equal(c.between.precision.n, 2);
	assert_close(c.between.jaccard, (1 + 0.5) / 2, 1e-12);
	/* gold img02 {1,2}: the paper's set is right, the grid's misses 2 */
	assert_int_equal(c.paper.gold.exact.n, 1);
	assert_int_equal(c.paper.gold.exact.k, 1);
	assert_int_equal(c.verify.gold.exact.n, 1);
	assert_int_equal(c.verify.gold.exact.k, 0);
	assert_close(c.verify.gold.jaccard, 0.5, 1e-12);

	j = mlfy_protocols_json(&c);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "images"), "compared")), 2);
	assert_close(json_real_value(json_object_get(json_object_get(json_object_get(j, "verify"), "seconds"), "median")),
		     9.5, 1e-9);
	text = json_dumps(j, JSON_COMPACT);
	assert_non_null(strstr(text, "\"method\":\"majority\""));
	free(text);
	json_decref(j);

	/* a method without results: nothing is complete, nothing compared */
	assert_int_equal(mlfy_protocols_compare(s, "dawid-skene", &c, &err), 0);
	assert_int_equal(c.images_verify, 3);
	assert_int_equal(c.images_aggregated, 0);
	assert_int_equal(c.images_both, 0);
	assert_true(isnan(c.paper.seconds_mean));
	assert_int_equal(mlfy_protocols_compare(s, "mean", &c, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "method"));
	mlfy_store_close(s);
	rfix_close(&f);
}

/* A project without grid answers: nothing to compare, no output. */
static void no_grid(void **state)
{
	char path[4096];
	struct rfix f;
	struct mlfy_store *s;
	struct mlfy_protocol_compare c;
	struct mlfy_err err;
	char buf[256] = "";
	FILE *mem;
	(void)state;

	test_tmpfile(path, sizeof(path), "protocols-none.mlfy");
	assert_int_equal(rfix_create(&f, path, 4, 4, 4, 3), 0);
	assert_int_equal(mlfy_store_open(path, 0, &s, &err), 0);
	assert_int_equal(mlfy_protocols_compare(s, NULL, &c, &err), 0);
	assert_int_equal(c.images_verify, 0);
	assert_string_equal(c.method, "");
	mem = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(mem);
	assert_int_equal(mlfy_protocols_print(mem, &c), 0);
	fclose(mem);
	assert_string_equal(buf, "");
	mlfy_store_close(s);
	rfix_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hand_computed),
		cmocka_unit_test(no_grid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
