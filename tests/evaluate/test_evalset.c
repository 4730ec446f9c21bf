/* test_evalset.c - evaluation sets from label files, prediction alignment,
 * evaluation runs, ranking and the results files read back
 * (src/evaluate/evalset.c, evaluate.c, scores.c; src/report/tables.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>

#include "evaluate/evalset.h"
#include "evaluate/evaluate.h"
#include "evaluate/scores.h"
#include "evaluate/top1.h"
#include "report/tables.h"
#include "testutil.h"

#define CLOSE(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The hand example of test_metrics.c as files: six images a..f,
 *   name original set      pred
 *   a    0        {0}      0
 *   b    1        {1,5}    5
 *   c    2        {}       2
 *   d    3        {3,7,8}  3
 *   e    4        {9}      1
 *   f    -        {2}      2
 * top-1 3/5, ReaL 4/5. */
static const char *labels_json =
	"{\"a\": [\"0\"], \"b\": [\"1\", \"5\"], \"c\": [], \"d\": [\"3\", \"7\", \"8\"],"
	" \"e\": [\"9\"], \"f\": [\"2\"]}";
/* original labels by name, in another order, with one image (x) that the
 * label file lacks and f without an original */
static const char *orig_csv = "file,label\ne,4\nd,3\nx,6\nc,2\nb,1\na,0\n";
static const char *pred_csv = "file,index\nf,2\ne,1\nd,3\nc,2\nb,5\na,0\n";

static void test_files_by_name(void **state)
{
	char lp[4096], op[4096], pp[4096];
	struct mlfy_evalset *es;
	struct mlfy_top1 *p;
	struct mlfy_eval_results r;
	struct mlfy_err err;
	size_t at;
	(void)state;
	test_tmpfile(lp, sizeof(lp), "labels.json");
	test_tmpfile(op, sizeof(op), "orig.csv");
	test_tmpfile(pp, sizeof(pp), "pred.csv");
	write_file(lp, labels_json);
	write_file(op, orig_csv);
	write_file(pp, pred_csv);
	assert_int_equal(mlfy_evalset_from_files(lp, op, 10, &es, &err), 0);
	assert_int_equal(es->n, 6);
	assert_int_equal(es->n_no_original, 1);
	assert_int_equal(es->n_original_unmatched, 1);
	assert_string_equal(es->first_original_unmatched, "x");
	assert_int_equal(mlfy_evalset_find(es, "d", &at), 0);
	assert_int_equal(at, 3);
	assert_int_equal(es->original[3], 3);
	assert_int_equal(es->original[5], -1);
	assert_int_equal(mlfy_evalset_find(es, "zz", &at), MLFY_ENOTFOUND);

	assert_int_equal(mlfy_top1_load("m", pp, 10, &p, &err), 0);
	assert_int_equal(mlfy_eval_run(es, &p, 1, NULL, 0, 2, &r, &err), 0);
	assert_int_equal(r.n_images, 6);
	assert_int_equal(r.n_empty, 1);
	assert_int_equal(r.models[0].acc.top1_n, 5);
	assert_int_equal(r.models[0].acc.top1_k, 3);
	assert_int_equal(r.models[0].acc.real_n, 5);
	assert_int_equal(r.models[0].acc.real_k, 4);
	assert_int_equal(r.models[0].acc.count_n[3], 1);   /* >2: image d */
	mlfy_eval_results_release(&r);
	mlfy_top1_free(p);
	mlfy_evalset_free(es);
}

static void test_alignment_errors(void **state)
{
	char lp[4096], pp[4096], op[4096];
	struct mlfy_evalset *es;
	struct mlfy_top1 *p;
	struct mlfy_err err;
	char *order[6] = { "f", "e", "d", "c", "b", "a" };
	int *pred;
	(void)state;
	test_tmpfile(lp, sizeof(lp), "labels.json");
	test_tmpfile(pp, sizeof(pp), "pred.csv");
	write_file(lp, labels_json);
	assert_int_equal(mlfy_evalset_from_files(lp, NULL, 10, &es, &err), 0);
	assert_int_equal(es->n_no_original, 6);

	/* unknown, missing and duplicated names: all counted in one message */
	write_file(pp, "file,index\na,1\nb,2\nq,3\nr,3\nd,4\n");
	assert_int_equal(mlfy_top1_load("m", pp, 10, &p, &err), 0);
	assert_int_equal(mlfy_evalset_align(es, p, NULL, 0, &pred, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "2 names are not in"));
	assert_non_null(strstr(err.msg, "(first: 'q')"));
	assert_non_null(strstr(err.msg, "3 images of"));
	assert_non_null(strstr(err.msg, "have no prediction (first: 'c')"));
	mlfy_top1_free(p);

	/* unnamed rows: the count must match, else an error naming both */
	write_file(pp, "1\n2\n3\n");
	assert_int_equal(mlfy_top1_load("m", pp, 10, &p, &err), 0);
	assert_int_equal(mlfy_evalset_align(es, p, NULL, 0, &pred, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "3 rows, but"));
	assert_non_null(strstr(err.msg, "has 6 images"));
	mlfy_top1_free(p);

	/* unnamed rows with an order list: row i is image order[i] */
	write_file(pp, "2\n1\n3\n2\n5\n0\n");
	assert_int_equal(mlfy_top1_load("m", pp, 10, &p, &err), 0);
	assert_int_equal(mlfy_evalset_align(es, p, order, 6, &pred, &err), 0);
	assert_int_equal(pred[0], 0);   /* a */
	assert_int_equal(pred[5], 2);   /* f */
	free(pred);
	assert_int_equal(mlfy_evalset_align(es, p, order, 5, &pred, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "order file lists 5"));
	order[1] = "a";   /* a twice, e never */
	assert_int_equal(mlfy_evalset_align(es, p, order, 6, &pred, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "1 image predicted twice (first: 'a')"));
	mlfy_top1_free(p);
	mlfy_evalset_free(es);

	/* position matching needs equal counts when a file has no names */
	test_tmpfile(op, sizeof(op), "orig.txt");
	write_file(lp, "[[1], [2, 3], []]");
	write_file(op, "1\n2\n");
	assert_int_equal(mlfy_evalset_from_files(lp, op, 10, &es, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "has 3 images"));
	assert_non_null(strstr(err.msg, "has 2"));
	/* an original file with two classes for one image (CSV) */
	write_file(lp, "{\"a\": [1], \"b\": [2]}");
	test_tmpfile(op, sizeof(op), "orig.csv");
	write_file(op, "file,label\na,1\nb,2 3\n");
	assert_int_equal(mlfy_evalset_from_files(lp, op, 10, &es, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "image 2 ('b') has 2 classes"));
	/* class out of range in the labels */
	write_file(lp, "[[1], [12]]");
	assert_int_equal(mlfy_evalset_from_files(lp, NULL, 10, &es, &err), MLFY_EINVAL);
	/* predictions with names, labels without */
	write_file(lp, "[[1], [2]]");
	assert_int_equal(mlfy_evalset_from_files(lp, NULL, 10, &es, &err), 0);
	write_file(pp, "file,index\na,1\nb,2\n");
	assert_int_equal(mlfy_top1_load("m", pp, 10, &p, &err), 0);
	assert_int_equal(mlfy_evalset_align(es, p, NULL, 0, &pred, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "no image names"));
	mlfy_top1_free(p);
	mlfy_evalset_free(es);
}

/* Order lists and named predictions are resolved as import-predictions
 * resolves them (util/names.h): name, else unique file name; a file name
 * of two images is counted as ambiguous. */
static void test_align_resolves_names_as_import_does(void **state)
{
	char lp[4096], pp[4096];
	struct mlfy_evalset *es;
	struct mlfy_top1 *p;
	struct mlfy_err err;
	char *order[4] = { "c.jpg", "other/b.jpg", "val/n03/d.jpg", "a.jpg" };
	size_t at;
	int *pred;
	(void)state;
	test_tmpfile(lp, sizeof(lp), "named.json");
	test_tmpfile(pp, sizeof(pp), "idx.txt");
	write_file(lp, "{\"val/n01/a.jpg\": [\"1\"], \"val/n02/b.jpg\": [\"2\"], "
		       "\"val/n02/d.jpg\": [\"3\"], \"c.jpg\": [\"4\"], \"val/n03/d.jpg\": [\"5\"]}");
	assert_int_equal(mlfy_evalset_from_files(lp, NULL, 10, &es, &err), 0);
	assert_int_equal(mlfy_evalset_find(es, "b.jpg", &at), 0);
	assert_string_equal(es->names[at], "val/n02/b.jpg");
	assert_int_equal(mlfy_evalset_find(es, "d.jpg", &at), MLFY_ECONFLICT);
	assert_int_equal(mlfy_evalset_find(es, "e.jpg", &at), MLFY_ENOTFOUND);
	/* four rows for five images: one has no prediction, as said */
	write_file(pp, "4\n2\n5\n1\n");
	assert_int_equal(mlfy_top1_load("m", pp, 10, &p, &err), 0);
	assert_int_equal(mlfy_evalset_align(es, p, order, 4, &pred, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "1 image of"));
	assert_non_null(strstr(err.msg, "has no prediction (first: 'val/n02/d.jpg')"));
	assert_null(strstr(err.msg, "not in"));
	mlfy_top1_free(p);
	/* all five, one of them by an ambiguous file name */
	{
		char *order5[5] = { "c.jpg", "other/b.jpg", "val/n03/d.jpg", "a.jpg", "d.jpg" };
		write_file(pp, "4\n2\n5\n1\n3\n");
		assert_int_equal(mlfy_top1_load("m", pp, 10, &p, &err), 0);
		assert_int_equal(mlfy_evalset_align(es, p, order5, 5, &pred, &err), MLFY_EINVAL);
		assert_non_null(strstr(err.msg, "1 file name matches several images of"));
		assert_non_null(strstr(err.msg, "(first: 'd.jpg'; use the image name)"));
		order5[4] = "val/n02/d.jpg";
		assert_int_equal(mlfy_evalset_align(es, p, order5, 5, &pred, &err), 0);
		/* the set's order is the label file's: a b d(n02) c d(n03) */
		assert_int_equal(pred[0], 1);
		assert_int_equal(pred[1], 2);
		assert_int_equal(pred[2], 3);
		assert_int_equal(pred[3], 4);
		assert_int_equal(pred[4], 5);
		free(pred);
		mlfy_top1_free(p);
	}
	mlfy_evalset_free(es);
}

/* ReaL format + single original labels matched by position, two models;
 * ranking by ReaL then top-1; results written as CSV and JSON and read
 * back by mlfy_model_scores_read. */
static void test_run_rank_and_results_roundtrip(void **state)
{
	char lp[4096], op[4096], p1[4096], p2[4096], p3[4096], cp[4096], jp[4096];
	struct mlfy_evalset *es;
	struct mlfy_top1 *p[3];
	struct mlfy_eval_results r;
	struct mlfy_model_scores s;
	struct mlfy_err err;
	size_t order[3];
	FILE *f;
	int i;
	(void)state;
	test_tmpfile(lp, sizeof(lp), "real.json");
	test_tmpfile(op, sizeof(op), "orig.txt");
	test_tmpfile(p1, sizeof(p1), "p1.txt");
	test_tmpfile(p2, sizeof(p2), "p2.txt");
	test_tmpfile(p3, sizeof(p3), "p3.txt");
	write_file(lp, "[[0], [1, 5], [], [3, 7, 8], [9], [2]]");
	write_file(op, "0\n1\n2\n3\n4\n2\n");
	write_file(p1, "0\n5\n2\n3\n1\n2\n");  /* top-1 4/6, ReaL 4/5 (images 2, 5 wrong) */
	write_file(p2, "0\n1\n2\n3\n4\n2\n");  /* top-1 6/6, ReaL 4/5 (image 5's set is {9}) */
	write_file(p3, "1\n1\n1\n1\n1\n1\n");  /* top-1 1/6, ReaL 1/5 */
	assert_int_equal(mlfy_evalset_from_files(lp, op, 10, &es, &err), 0);
	assert_null(es->names);
	assert_int_equal(es->n_no_original, 0);
	assert_int_equal(mlfy_top1_load("hand", p1, 10, &p[0], &err), 0);
	assert_int_equal(mlfy_top1_load("exact", p2, 10, &p[1], &err), 0);
	assert_int_equal(mlfy_top1_load("ones", p3, 10, &p[2], &err), 0);
	assert_int_equal(mlfy_eval_run(es, p, 3, NULL, 0, 2, &r, &err), 0);
	assert_int_equal(r.n_models, 3);
	assert_int_equal(r.models[0].acc.top1_k, 4);
	assert_int_equal(r.models[1].acc.top1_k, 6);
	assert_int_equal(r.models[1].acc.real_k, 4);
	assert_int_equal(r.models[2].acc.real_k, 1);

	/* hand and exact tie at ReaL 80 %: exact wins on top-1 (100 % vs 66.7 %) */
	assert_int_equal(mlfy_model_scores_from_eval(&r, &s, &err), 0);
	CLOSE(s.real[0], 80.0, 1e-12);
	CLOSE(s.top1[0], 200.0 / 3, 1e-12);
	mlfy_rank_models(s.real, s.top1, s.model, s.n, order);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 0);
	assert_int_equal(order[2], 2);
	mlfy_model_scores_release(&s);

	test_tmpfile(cp, sizeof(cp), "results.csv");
	test_tmpfile(jp, sizeof(jp), "results.json");
	f = fopen(cp, "w");
	assert_int_equal(mlfy_results_write_csv(f, &r, &err), 0);
	fclose(f);
	f = fopen(jp, "w");
	assert_int_equal(mlfy_results_write_json(f, &r, &err), 0);
	fclose(f);
	for (i = 0; i < 2; i++) {
		assert_int_equal(mlfy_model_scores_read(i ? jp : cp, &s, &err), 0);
		assert_int_equal(s.n, 3);
		assert_string_equal(s.model[1], "exact");
		CLOSE(s.top1[0], 200.0 / 3, 1e-4);
		CLOSE(s.real[0], 80.0, 1e-4);
		CLOSE(s.top1[2], 100.0 / 6, 1e-4);
		CLOSE(s.real[2], 20.0, 1e-4);
		mlfy_model_scores_release(&s);
	}
	/* the text table is written without error */
	f = fopen("/dev/null", "w");
	assert_int_equal(mlfy_results_write_table(f, &r, &err), 0);
	fclose(f);

	mlfy_eval_results_release(&r);
	for (i = 0; i < 3; i++)
		mlfy_top1_free(p[i]);
	mlfy_evalset_free(es);
}

static void test_rank_ties_and_nan(void **state)
{
	const double real[] = { 80, NAN, 80, 90, 80 }, top1[] = { 70, 99, 70, 10, 75 };
	char *names[] = { "b", "nan", "a", "best", "c" };
	size_t order[5];
	(void)state;
	mlfy_rank_models(real, top1, names, 5, order);
	assert_int_equal(order[0], 3);   /* best ReaL */
	assert_int_equal(order[1], 4);   /* 80 / 75 */
	assert_int_equal(order[2], 2);   /* 80 / 70, "a" before "b" */
	assert_int_equal(order[3], 0);
	assert_int_equal(order[4], 1);   /* NAN last */
}

static void test_results_read_errors(void **state)
{
	char p[4096];
	struct mlfy_model_scores s;
	struct mlfy_err err;
	(void)state;
	test_tmpfile(p, sizeof(p), "bad.csv");
	write_file(p, "name,acc\nx,1\n");
	assert_int_equal(mlfy_model_scores_read(p, &s, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "not mlfy evaluate results"));
	write_file(p, "model,label_count,top1,real_accuracy\nx,all,abc,3\n");
	assert_int_equal(mlfy_model_scores_read(p, &s, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, ":2: model 'x'"));
	write_file(p, "{\"models\": [{\"model\": 3}]}");
	assert_int_equal(mlfy_model_scores_read(p, &s, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "models[0]"));
	write_file(p, "{\"models\": []}");
	assert_int_equal(mlfy_model_scores_read(p, &s, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "no model results"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files_by_name),
		cmocka_unit_test(test_alignment_errors),
		cmocka_unit_test(test_align_resolves_names_as_import_does),
		cmocka_unit_test(test_run_rank_and_results_roundtrip),
		cmocka_unit_test(test_rank_ties_and_nan),
		cmocka_unit_test(test_results_read_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
