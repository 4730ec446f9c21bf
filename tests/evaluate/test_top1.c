/* test_top1.c - top-1 predictions from .npy scores, .npy indices and text
 * files (src/evaluate/top1.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdint.h>

#include "evaluate/top1.h"
#include "ingest/labels.h"
#include "util/npy.h"
#include "util/npy_write.h"
#include "testutil.h"

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* 5 rows x 4 classes; row 1 ties classes 1 and 3 (-> 1), row 3 is all
 * equal (-> 0), row 4 has its maximum in the last column. */
static const float scores[5 * 4] = {
	0.1f, 0.7f, 0.1f, 0.1f,
	-2.0f, 5.0f, -1.0f, 5.0f,
	3.0f, 2.0f, 1.0f, 0.0f,
	1.0f, 1.0f, 1.0f, 1.0f,
	-9.0f, -8.0f, -7.0f, -6.5f,
};
static const int expected[5] = { 1, 1, 0, 0, 3 };

static void test_scores_f32_and_f64(void **state)
{
	char path[4096];
	size_t shape[2] = { 5, 4 };
	double d[20];
	struct mlfy_top1 *p;
	struct mlfy_err err;
	int i;
	(void)state;
	test_tmpfile(path, sizeof(path), "s.npy");
	assert_int_equal(mlfy_npy_save(path, MLFY_NPY_F4, 2, shape, scores, &err), 0);
	assert_int_equal(mlfy_top1_load("m", path, 4, &p, &err), 0);
	assert_int_equal(p->kind, MLFY_TOP1_SCORES);
	assert_int_equal(p->n, 5);
	assert_int_equal(p->n_classes, 4);
	assert_null(p->named);
	for (i = 0; i < 5; i++)
		assert_int_equal(p->cls[i], expected[i]);
	mlfy_top1_free(p);
	/* class count unknown: accepted */
	assert_int_equal(mlfy_top1_load("m", path, 0, &p, &err), 0);
	mlfy_top1_free(p);
	/* a different class count is an error naming both */
	assert_int_equal(mlfy_top1_load("m", path, 1000, &p, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "4 score columns, but there are 1000 classes"));

	for (i = 0; i < 20; i++)
		d[i] = scores[i];
	test_tmpfile(path, sizeof(path), "d.npy");
	assert_int_equal(mlfy_npy_save(path, MLFY_NPY_F8, 2, shape, d, &err), 0);
	assert_int_equal(mlfy_top1_load("m", path, 4, &p, &err), 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(p->cls[i], expected[i]);
	mlfy_top1_free(p);
}

/* Many rows across several read chunks (1 MiB each): argmax = row % C. */
static void test_scores_many_chunks(void **state)
{
	enum { R = 3000, C = 1000 };
	char path[4096];
	size_t shape[2] = { R, C }, r;
	float *s = calloc((size_t)R * C, sizeof(float));
	struct mlfy_top1 *p;
	struct mlfy_err err;
	(void)state;
	assert_non_null(s);
	for (r = 0; r < R; r++) {
		s[r * C + (r * 7) % C] = 1.0f + (float)(r % 5);
		s[r * C + C - 1] = 0.5f;
	}
	test_tmpfile(path, sizeof(path), "big.npy");
	assert_int_equal(mlfy_npy_save(path, MLFY_NPY_F4, 2, shape, s, &err), 0);
	assert_int_equal(mlfy_top1_load("big", path, C, &p, &err), 0);
	assert_int_equal(p->n, R);
	for (r = 0; r < R; r++)
		assert_int_equal(p->cls[r], (int)((r * 7) % C));
	mlfy_top1_free(p);
	/* a NaN deep in the file is reported with its row (1-based) */
	s[(size_t)2500 * C + 17] = NAN;
	assert_int_equal(mlfy_npy_save(path, MLFY_NPY_F4, 2, shape, s, &err), 0);
	assert_int_equal(mlfy_top1_load("big", path, C, &p, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "row 2501 holds a NaN or infinite score"));
	s[(size_t)2500 * C + 17] = INFINITY;
	assert_int_equal(mlfy_npy_save(path, MLFY_NPY_F4, 2, shape, s, &err), 0);
	assert_int_equal(mlfy_top1_load("big", path, C, &p, &err), MLFY_EINVAL);
	free(s);
}

static void test_index_npy(void **state)
{
	char path[4096];
	int64_t v[4] = { 3, 0, 999, 5 };
	size_t shape1[1] = { 4 }, shape2[2] = { 4, 1 }, shape3[3] = { 2, 2, 1 };
	struct mlfy_top1 *p;
	struct mlfy_err err;
	(void)state;
	test_tmpfile(path, sizeof(path), "i.npy");
	assert_int_equal(mlfy_npy_save(path, MLFY_NPY_I8, 1, shape1, v, &err), 0);
	assert_int_equal(mlfy_top1_load("idx", path, 1000, &p, &err), 0);
	assert_int_equal(p->kind, MLFY_TOP1_INDEX_NPY);
	assert_int_equal(p->cls[2], 999);
	mlfy_top1_free(p);
	/* [N, 1] is a column of indices too */
	assert_int_equal(mlfy_npy_save(path, MLFY_NPY_I8, 2, shape2, v, &err), 0);
	assert_int_equal(mlfy_top1_load("idx", path, 1000, &p, &err), 0);
	assert_int_equal(p->n, 4);
	mlfy_top1_free(p);
	/* out of range for 100 classes: row 3 */
	assert_int_equal(mlfy_top1_load("idx", path, 100, &p, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "row 3: class 999 is out of range [0, 100)"));
	v[1] = -1;
	assert_int_equal(mlfy_npy_save(path, MLFY_NPY_I8, 1, shape1, v, &err), 0);
	assert_int_equal(mlfy_top1_load("idx", path, 0, &p, &err), MLFY_EINVAL);
	/* without a class count the message gives the reason (it said
	 * "out of range [0, 0)") */
	assert_non_null(strstr(err.msg, "row 2: class -1 is negative (class indices start at 0)"));
	assert_int_equal(mlfy_top1_load("idx", path, 100, &p, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "row 2: class -1 is out of range [0, 100)"));
	v[1] = (int64_t)1 << 40;
	assert_int_equal(mlfy_npy_save(path, MLFY_NPY_I8, 1, shape1, v, &err), 0);
	assert_int_equal(mlfy_top1_load("idx", path, 0, &p, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "row 2: class 1099511627776 is not a class index"));
	v[1] = -1;
	/* a 3-d array is neither */
	assert_int_equal(mlfy_npy_save(path, MLFY_NPY_I8, 3, shape3, v, &err), 0);
	assert_int_equal(mlfy_top1_load("idx", path, 0, &p, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "3-d array"));
	/* a missing file */
	assert_int_equal(mlfy_top1_load("idx", "/nonexistent/p.npy", 0, &p, &err), MLFY_ENOTFOUND);
}

static void test_text_and_csv(void **state)
{
	char path[4096];
	struct mlfy_top1 *p;
	struct mlfy_err err;
	size_t at;
	(void)state;
	test_tmpfile(path, sizeof(path), "p.txt");
	write_file(path, "5\n7\n0\n");
	assert_int_equal(mlfy_top1_load("t", path, 10, &p, &err), 0);
	assert_int_equal(p->kind, MLFY_TOP1_INDEX_TEXT);
	assert_int_equal(p->n, 3);
	assert_int_equal(p->cls[1], 7);
	assert_null(p->named);
	mlfy_top1_free(p);
	assert_int_equal(mlfy_top1_load("t", path, 6, &p, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "7"));

	test_tmpfile(path, sizeof(path), "p.csv");
	write_file(path, "file,index\nb.jpg,4\na.jpg,2\n");
	assert_int_equal(mlfy_top1_load("c", path, 10, &p, &err), 0);
	assert_non_null(p->named);
	assert_int_equal(p->n, 2);
	assert_int_equal(mlfy_labels_find(p->named, "a.jpg", &at, &err), 0);
	assert_int_equal(p->cls[at], 2);
	mlfy_top1_free(p);
	/* a row with two classes, or none, is not a top-1 prediction */
	write_file(path, "file,index\nb.jpg,4 5\n");
	assert_int_equal(mlfy_top1_load("c", path, 10, &p, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "image 1 ('b.jpg') has 2 classes"));
	write_file(path, "file,index\nb.jpg,\n");
	assert_int_equal(mlfy_top1_load("c", path, 10, &p, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "has 0 classes"));
	/* a multi-label JSON file is refused as predictions */
	test_tmpfile(path, sizeof(path), "p.json");
	write_file(path, "[[1], [2]]");
	assert_int_equal(mlfy_top1_load("j", path, 10, &p, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "not a prediction file"));
}

/* Reading several files on threads gives the same results as in order,
 * and a failing file is reported in its own job. */
static void test_load_many(void **state)
{
	char paths[6][4096];
	size_t shape[2] = { 5, 4 };
	struct mlfy_top1_job jobs[6];
	int i, t, k;
	(void)state;
	for (i = 0; i < 6; i++) {
		struct mlfy_err err;
		test_tmpfile(paths[i], sizeof(paths[i]), "m.npy");
		assert_int_equal(mlfy_npy_save(paths[i], MLFY_NPY_F4, 2, shape, scores, &err), 0);
	}
	for (t = 1; t <= 4; t += 3) {
		memset(jobs, 0, sizeof(jobs));
		for (i = 0; i < 6; i++) {
			jobs[i].model = "m";
			jobs[i].path = paths[i];
		}
		assert_int_equal(mlfy_top1_load_many(jobs, 6, 4, t), 0);
		for (i = 0; i < 6; i++) {
			assert_non_null(jobs[i].out);
			for (k = 0; k < 5; k++)
				assert_int_equal(jobs[i].out->cls[k], expected[k]);
			mlfy_top1_free(jobs[i].out);
		}
	}
	memset(jobs, 0, sizeof(jobs));
	jobs[0] = (struct mlfy_top1_job){ .model = "a", .path = paths[0] };
	jobs[1] = (struct mlfy_top1_job){ .model = "b", .path = "/nonexistent/x.npy" };
	assert_int_equal(mlfy_top1_load_many(jobs, 2, 4, 2), MLFY_ENOTFOUND);
	assert_non_null(jobs[0].out);
	assert_null(jobs[1].out);
	assert_non_null(strstr(jobs[1].err.msg, "/nonexistent/x.npy"));
	mlfy_top1_free(jobs[0].out);
}

/* The shared MobileNetV2 logits of the 1,000 ImageNet sample photos: one
 * photo per class in class order (row i shows class i), for which the
 * shared models/README.md reports 82.6 % top-1 accuracy. */
static void test_shared_logits(void **state)
{
	char path[4096], order[4096];
	struct mlfy_top1 *p;
	struct mlfy_err err;
	FILE *f;
	char line[512];
	size_t i = 0, hits = 0;
	(void)state;
	if (!test_shared(path, sizeof(path), "models/imagenet-samples.mobilenetv2-12-int8.logits.npy") ||
	    !test_shared(order, sizeof(order), "models/imagenet-samples.order.txt"))
		skip();
	assert_int_equal(mlfy_top1_load("mnv2", path, 1000, &p, &err), 0);
	assert_int_equal(p->n, 1000);
	/* the samples are one per class, in class order (sorted WordNet ids) */
	f = fopen(order, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) && i < p->n) {
		hits += p->cls[i] == (int)i;
		i++;
	}
	fclose(f);
	assert_int_equal(i, 1000);
	assert_int_equal(hits, 826);   /* 82.6 %, as the models README reports */
	mlfy_top1_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scores_f32_and_f64),
		cmocka_unit_test(test_scores_many_chunks),
		cmocka_unit_test(test_index_npy),
		cmocka_unit_test(test_text_and_csv),
		cmocka_unit_test(test_load_many),
		cmocka_unit_test(test_shared_logits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
