/* test_verify_quality.c - per-rater figures of ReaL's verification grid
 * (src/review/verify_quality.c, src/store/verify_quality_input.c): a
 * hand-built project with an honest rater, a careful one, a yes-sayer and
 * one who has not started, every figure computed by hand; and a project
 * without answers. */
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
#include "review/verify_quality.h"
#include "testutil.h"
#include "review_fixture.h"
#include "review_test.h"

#define T "'2026-01-02T00:00:00Z'"

/* Question (image, cls) of images 1..3 and classes 0..3: id (image-1)*4 + cls + 1. */
#define Q(image, cls) (((image) - 1) * 4 + (cls) + 1)

static void page(struct rfix *f, int id, int rater, int cls, double seconds)
{
	assert_int_equal(rfix_exec(f, "INSERT INTO verify_pages(id, annotator_id, class_idx, client_page_id, seconds,"
				   " created_at) VALUES (%d, %d, %d, 'p%d', %g, " T ")", id, rater, cls, id, seconds), 0);
}

static void answer(struct rfix *f, int pg, int q, int rater, int ans, int bulk, int version)
{
	assert_int_equal(rfix_exec(f, "INSERT INTO verify_answers(page_id, question_id, annotator_id, answer, bulk,"
				   " seconds, version, created_at) VALUES (%d, %d, %d, %d, %d, 1, %d, " T ")",
				   pg, q, rater, ans, bulk, version), 0);
}

/* Questions q1..q12 about images 1..3 and classes 0..3; rater ids 1..3
 * assigned all twelve, rater 4 the four of image 3. */
static void questions(struct rfix *f, const char *path)
{
	int image, cls, r;

	assert_int_equal(rfix_create(f, path, 4, 3, 3, 3), 0);
	assert_int_equal(rfix_user(f, 1, "r1", "annotator") | rfix_user(f, 2, "r2", "annotator") |
			 rfix_user(f, 3, "r3", "annotator") | rfix_user(f, 4, "r4", "annotator"), 0);
	for (image = 1; image <= 3; image++)
		for (cls = 0; cls < 4; cls++) {
			assert_int_equal(rfix_exec(f, "INSERT INTO questions(id, image_name, class_idx) VALUES"
						   " (%d, 'img%02d.jpg', %d); INSERT INTO verify_questions(question_id,"
						   " origin, created_at) VALUES (%d, 'model:fixture', " T ")",
						   Q(image, cls), image, cls, Q(image, cls)), 0);
			for (r = 1; r <= 4; r++)
				if (r < 4 || image == 3)
					assert_int_equal(rfix_exec(f, "INSERT INTO verify_assignments(question_id,"
								   " annotator_id, assigned_at) VALUES (%d, %d, " T ")",
								   Q(image, cls), r), 0);
		}
}

/* The valid labels (majority results 1): img01 {0}, img02 {1,2}, img03
 * {3}; the rest 0.  Gold: img01 {0}, img02 {1,2} (img03 is not gold).
 * Pages per rater and class c hold the questions (1,c), (2,c), (3,c).
 *  r1, 6 s a page (2 s an answer): yes on q1, q6; q7 yes then, on a page
 *     of its own of 2 s, maybe (version 2); q12 no; class 3 by the bulk
 *     key: current 2 yes, 1 maybe, 9 no, 3 bulk, 13 answers of 2 s.
 *  r2, 12 s a page (4 s an answer): exactly the valid labels.
 *  r3, 1.5 s a page (0.5 s an answer): yes to everything.
 *  r4: nothing yet. */
static void build(struct rfix *f, const char *path)
{
	static const int valid[4][4] = { { 0 }, { 1, 0, 0, 0 }, { 0, 1, 1, 0 }, { 0, 0, 0, 1 } };
	int cls, image, id = 1;

	questions(f, path);
	for (image = 1; image <= 3; image++)
		for (cls = 0; cls < 4; cls++)
			assert_int_equal(rfix_exec(f, "INSERT INTO aggregations(question_id, method, posterior, label,"
						   " threshold, computed_at) VALUES (%d, 'majority', %g, %d, 0.5, " T ")",
						   Q(image, cls), valid[image][cls] ? 0.9 : 0.1, valid[image][cls]), 0);
	assert_int_equal(rfix_exec(f, "INSERT INTO gold_images(image_id, source, added_at) VALUES (1, 'g.csv', " T "),"
				   " (2, 'g.csv', " T "); INSERT INTO gold_labels(image_id, class_idx) VALUES (1, 0),"
				   " (2, 1), (2, 2)"), 0);
	for (cls = 0; cls < 4; cls++) {
		page(f, id, 1, cls, 6);
		for (image = 1; image <= 3; image++) {
			int yes = valid[image][cls] && Q(image, cls) != Q(3, 3);
			answer(f, id, Q(image, cls), 1, yes ? 2 : 0, cls == 3, 1);
		}
		id++;
		page(f, id, 2, cls, 12);
		for (image = 1; image <= 3; image++)
			answer(f, id, Q(image, cls), 2, valid[image][cls] ? 2 : 0, 0, 1);
		id++;
		page(f, id, 3, cls, 1.5);
		for (image = 1; image <= 3; image++)
			answer(f, id, Q(image, cls), 3, 2, 0, 1);
		id++;
	}
	page(f, id, 1, 2, 2);
	answer(f, id, Q(2, 2), 1, 1, 0, 2);
}

static void assert_prop(const struct mlfy_proportion *p, size_t k, size_t n)
{
	struct mlfy_proportion want;
	assert_int_equal(p->k, k);
	assert_int_equal(p->n, n);
	mlfy_proportion(k, n, MLFY_Z95, &want);
	assert_close(p->lo, want.lo, 1e-12);
	assert_close(p->hi, want.hi, 1e-12);
}

static void hand_computed(void **state)
{
	char path[4096], buf[8192] = "";
	struct rfix f;
	struct mlfy_store *s;
	struct mlfy_protocol_compare pc;
	struct mlfy_verify_quality q;
	const struct mlfy_verify_rater *r1, *r2, *r3, *r4;
	struct mlfy_err err;
	json_t *j, *flags;
	FILE *mem;
	(void)state;

	test_tmpfile(path, sizeof(path), "verify-quality.mlfy");
	build(&f, path);
	assert_int_equal(mlfy_store_open(path, 0, &s, &err), 0);
	/* the method as the comparison of protocols chooses it: majority */
	assert_int_equal(mlfy_protocols_compare(s, NULL, &pc, &err), 0);
	assert_string_equal(pc.method, "majority");
	assert_int_equal(mlfy_verify_quality_compute(s, pc.method, 0.8, &q, &err), 0);
	assert_string_equal(q.method, "majority");
	assert_int_equal(q.answers, 37);
	assert_int_equal(q.n_raters, 4);
	r1 = &q.raters[0], r2 = &q.raters[1], r3 = &q.raters[2], r4 = &q.raters[3];
	assert_string_equal(r1->name, "r1");
	assert_string_equal(r4->name, "r4");

	/* answers */
	assert_int_equal(r1->assigned, 12);
	assert_int_equal(r1->answered, 12);
	assert_prop(&r1->yes, 2, 12);
	assert_prop(&r1->maybe, 1, 12);
	assert_prop(&r1->no, 9, 12);
	assert_prop(&r1->bulk, 3, 12);
	assert_prop(&r3->yes, 12, 12);
	assert_close(r3->yes.lo, 12 / (12 + MLFY_Z95 * MLFY_Z95), 1e-12);
	assert_int_equal(r4->assigned, 4);
	assert_int_equal(r4->answered, 0);
	assert_int_equal(r4->yes.n, 0);
	assert_prop(&q.yes, 18, 36);

	/* against the majority result: r1 misses q12 and said maybe on q7 */
	assert_prop(&r1->aggregated.accuracy, 10, 11);
	assert_prop(&r1->aggregated.sensitivity, 2, 3);
	assert_prop(&r1->aggregated.specificity, 8, 8);
	assert_prop(&r2->aggregated.accuracy, 12, 12);
	assert_prop(&r2->aggregated.sensitivity, 4, 4);
	assert_prop(&r3->aggregated.accuracy, 4, 12);
	assert_prop(&r3->aggregated.specificity, 0, 8);
	assert_int_equal(r4->aggregated.accuracy.n, 0);

	/* against gold (images 1 and 2: q1..q8; true q1, q6, q7) */
	assert_prop(&r1->gold.accuracy, 7, 7);
	assert_prop(&r1->gold.sensitivity, 2, 2);
	assert_prop(&r1->gold.specificity, 5, 5);
	assert_prop(&r2->gold.accuracy, 8, 8);
	assert_prop(&r3->gold.accuracy, 3, 8);
	assert_prop(&r3->gold.sensitivity, 3, 3);
	assert_prop(&r3->gold.specificity, 0, 5);

	/* time: every version counts, a page's seconds shared by its answers */
	assert_int_equal(r1->timed, 13);
	assert_close(r1->median_seconds, 2, 1e-12);
	assert_close(r2->median_seconds, 4, 1e-12);
	assert_close(r3->median_seconds, 0.5, 1e-12);
	assert_true(isnan(r4->median_seconds));
	/* 12 x 0.5, 13 x 2, 12 x 4: the 19th of 37 */
	assert_close(q.median_seconds, 2, 1e-12);

	/* flags: r3 says yes to everything (12/12, lo 0.758 > 0.25 + 0.75/2),
	 * too fast (0.5 < 2/3) and wrong on gold (3/8, hi < 0.8); the others
	 * are clean */
	assert_int_equal(r3->flags, MLFY_VFLAG_YES_SAYER | MLFY_VFLAG_SPEEDER | MLFY_VFLAG_LOW_ACCURACY);
	assert_non_null(strstr(r3->reason[2], "25.0% for the rest"));
	assert_non_null(strstr(r3->reason[0], "gold accuracy"));
	assert_int_equal(r1->flags, 0);
	assert_int_equal(r2->flags, 0);
	assert_int_equal(r4->flags, 0);

	j = mlfy_verify_quality_json(&q);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "method")), "majority");
	flags = json_object_get(json_array_get(json_object_get(j, "raters"), 2), "flags");
	assert_int_equal(json_array_size(flags), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(flags, 2), "flag")), "yes_sayer");
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(json_array_get(json_object_get(j, "raters"), 0), "gold"), "n")), 7);
	assert_true(json_is_null(json_object_get(json_object_get(json_array_get(json_object_get(j, "raters"), 3),
								 "time"), "median_seconds")));
	json_decref(j);

	mem = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(mem);
	assert_int_equal(mlfy_verify_quality_print(mem, &q), 0);
	fclose(mem);
	assert_non_null(strstr(buf, "raters of the verification grid"));
	assert_non_null(strstr(buf, "against the aggregated result (majority)"));
	assert_non_null(strstr(buf, "r3               yes_sayer"));
	assert_null(strstr(buf, "r1               "
				"yes_sayer"));
	mlfy_verify_quality_release(&q);

	/* no aggregation: gold still scores, the aggregated figures are empty,
	 * and r3 is still flagged on gold */
	assert_int_equal(mlfy_verify_quality_compute(s, NULL, 0.8, &q, &err), 0);
	assert_string_equal(q.method, "");
	assert_int_equal(q.raters[0].aggregated.accuracy.n, 0);
	assert_int_equal(q.raters[0].gold.accuracy.n, 7);
	assert_true(q.raters[2].flags & MLFY_VFLAG_LOW_ACCURACY);
	mlfy_verify_quality_release(&q);

	/* a threshold of 0 flags no one for accuracy; bad input is refused */
	assert_int_equal(mlfy_verify_quality_compute(s, "majority", 0, &q, &err), 0);
	assert_false(q.raters[2].flags & MLFY_VFLAG_LOW_ACCURACY);
	mlfy_verify_quality_release(&q);
	assert_int_equal(mlfy_verify_quality_compute(s, "mean", 0.8, &q, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "method"));
	assert_int_equal(mlfy_verify_quality_compute(s, NULL, 1.5, &q, &err), MLFY_EINVAL);
	mlfy_store_close(s);
	rfix_close(&f);
}

/* Only gold-less answers: low accuracy falls back to the aggregated result. */
static void aggregated_fallback(void **state)
{
	char path[4096];
	struct rfix f;
	struct mlfy_store *s;
	struct mlfy_verify_quality q;
	struct mlfy_err err;
	int cls;
	(void)state;

	test_tmpfile(path, sizeof(path), "verify-quality-nogold.mlfy");
	questions(&f, path);
	/* r1 answers "no" on the four questions of img03, all valid but the first */
	page(&f, 1, 1, 0, 8);
	for (cls = 0; cls < 4; cls++) {
		assert_int_equal(rfix_exec(&f, "INSERT INTO aggregations(question_id, method, posterior, label,"
					   " threshold, computed_at) VALUES (%d, 'dawid-skene', 0.5, %d, 0.8, " T ")",
					   Q(3, cls), cls != 0), 0);
		answer(&f, 1, Q(3, cls), 1, 0, 0, 1);
	}
	assert_int_equal(mlfy_store_open(path, 0, &s, &err), 0);
	assert_int_equal(mlfy_verify_quality_compute(s, "dawid-skene", 0.8, &q, &err), 0);
	assert_int_equal(q.n_raters, 4);
	assert_int_equal(q.raters[0].gold.accuracy.n, 0);
	assert_prop(&q.raters[0].aggregated.accuracy, 1, 4);
	assert_prop(&q.raters[0].aggregated.sensitivity, 0, 3);
	assert_prop(&q.raters[0].aggregated.specificity, 1, 1);
	assert_close(q.raters[0].median_seconds, 2, 1e-12);
	assert_true(q.raters[0].flags & MLFY_VFLAG_LOW_ACCURACY);
	assert_non_null(strstr(q.raters[0].reason[0], "aggregated-result accuracy"));
	/* alone: no rest of the raters to compare with, no speeder or yes-sayer */
	assert_false(q.raters[0].flags & (MLFY_VFLAG_YES_SAYER | MLFY_VFLAG_SPEEDER));
	mlfy_verify_quality_release(&q);
	mlfy_store_close(s);
	rfix_close(&f);
}

/* Questions assigned, nothing answered: no section. */
static void no_answers(void **state)
{
	char path[4096], buf[256] = "";
	struct rfix f;
	struct mlfy_store *s;
	struct mlfy_verify_quality q;
	struct mlfy_err err;
	FILE *mem;
	(void)state;

	test_tmpfile(path, sizeof(path), "verify-quality-none.mlfy");
	questions(&f, path);
	assert_int_equal(mlfy_store_open(path, 0, &s, &err), 0);
	assert_int_equal(mlfy_verify_quality_compute(s, NULL, 0.8, &q, &err), 0);
	assert_int_equal(q.answers, 0);
	assert_int_equal(q.n_raters, 4);
	assert_int_equal(q.raters[0].answered, 0);
	assert_int_equal(q.raters[0].flags, 0);
	assert_true(isnan(q.median_seconds));
	mem = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(mem);
	assert_int_equal(mlfy_verify_quality_print(mem, &q), 0);
	fclose(mem);
	assert_string_equal(buf, "");
	mlfy_verify_quality_release(&q);
	mlfy_store_close(s);
	rfix_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hand_computed),
		cmocka_unit_test(aggregated_fallback),
		cmocka_unit_test(no_answers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
