/* test_predictions_threads.c - import-predictions beside other work on the
 * same machine: two imports running at once in two threads (each into its
 * own project) give exactly what they give one after the other.  The image
 * name lookup once sorted through a static context pointer: a second
 * import's sort replaced, then cleared, the first one's, and the first
 * crashed in qsort (cmp_path with a NULL context). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/predictions.h"
#include "store/catalog.h"
#include "store/proposals.h"
#include "util/npy.h"
#include "testutil.h"

#define N_CLASSES 10

/* A project of n images "d<i % 7>/img<i>.jpg" (path /data/<name>); the
 * images' file names are unique, so order files may name them bare. */
static struct mlfy_store *project(const char *file, size_t n)
{
	char path[4096];
	struct mlfy_store *s = NULL;
	struct mlfy_err err;
	struct mlfy_class c[N_CLASSES];
	size_t i;

	test_tmpfile(path, sizeof(path), file);
	assert_int_equal(mlfy_store_open(path, MLFY_STORE_CREATE, &s, &err), 0);
	memset(c, 0, sizeof(c));
	for (i = 0; i < N_CLASSES; i++) {
		char id[16], name[16];
		snprintf(id, sizeof(id), "n%08zu", i);
		snprintf(name, sizeof(name), "cls%zu", i);
		c[i].idx = (int)i;
		c[i].ext_id = strdup(id);
		c[i].name = strdup(name);
		c[i].synonyms = strdup("");
		c[i].gloss = strdup("");
	}
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	if (mlfy_catalog_add_classes(s, c, N_CLASSES, &err))
		fail_msg("%s", err.msg);
	for (i = 0; i < N_CLASSES; i++) {
		free(c[i].ext_id);
		free(c[i].name);
		free(c[i].synonyms);
		free(c[i].gloss);
	}
	for (i = 0; i < n; i++) {
		struct mlfy_image im;
		char name[64], p[80];
		memset(&im, 0, sizeof(im));
		snprintf(name, sizeof(name), "d%zu/img%zu.jpg", i % 7, i);
		snprintf(p, sizeof(p), "/data/%s", name);
		im.name = name;
		im.path = p;
		im.original_label = (int)(i % N_CLASSES);
		im.batch = 1;
		snprintf(im.sha256, sizeof(im.sha256), "%064zu", i);
		im.width = im.height = 10;
		im.bytes = 100;
		if (mlfy_catalog_add_image(s, &im, &err))
			fail_msg("%s", err.msg);
	}
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	return s;
}

/* Logits for n images whose top-1 is class (i * 3) % N_CLASSES, written in
 * reverse image order, with an order file naming the images by their bare
 * file names ("img<i>.jpg"). */
static void write_inputs(size_t n, char *npy, char *order)
{
	float *x = calloc(n * N_CLASSES, sizeof(float));
	size_t shape[2] = { n, N_CLASSES }, r;
	struct mlfy_err err;
	FILE *f;

	assert_non_null(x);
	test_tmpfile(npy, 4096, "logits.npy");
	test_tmpfile(order, 4096, "order.txt");
	f = fopen(order, "w");
	assert_non_null(f);
	for (r = 0; r < n; r++) {
		size_t img = n - 1 - r;
		x[r * N_CLASSES + (img * 3) % N_CLASSES] = 4.0f;
		x[r * N_CLASSES + (img * 3 + 1) % N_CLASSES] = 2.0f;
		fprintf(f, "img%zu.jpg\n", img);
	}
	assert_int_equal(fclose(f), 0);
	assert_int_equal(mlfy_npy_save(npy, MLFY_NPY_F4, 2, shape, x, &err), 0);
	free(x);
}

struct job {
	struct mlfy_store *s;
	size_t n_images;
	char npy[4096], order[4096];
	int rounds;                 /* imports to run; 0: until *stop */
	volatile int *stop;
	int done;                   /* imports run */
	int rc;                     /* first failure, 0 if none */
	char msg[1024];
};

static int run_import(struct job *j)
{
	struct mlfy_pred_options o;
	struct mlfy_pred_result res;
	struct mlfy_err err;
	int rc;

	memset(&o, 0, sizeof(o));
	o.model = "m";
	o.order_path = j->order;
	o.top_k = 2;
	mlfy_err_clear(&err);
	rc = mlfy_predictions_import(j->s, j->npy, &o, &res, &err);
	if (!rc && (res.n_rows != j->n_images || res.n_top1_checked != j->n_images))
		rc = MLFY_EINVAL, snprintf(err.msg, sizeof(err.msg), "%zu rows, %zu checked, want %zu", res.n_rows,
					   res.n_top1_checked, j->n_images);
	if (rc && !j->rc) {
		j->rc = rc;
		snprintf(j->msg, sizeof(j->msg), "%s", err.msg);
	}
	return rc;
}

static void *job_main(void *arg)
{
	struct job *j = arg;
	while (j->rounds ? j->done < j->rounds : !*j->stop) {
		if (run_import(j))
			break;
		j->done++;
	}
	return NULL;
}

/* Every image i has proposals (i * 3) % 10 then (i * 3 + 1) % 10. */
static void check_proposals(struct mlfy_store *s, size_t n)
{
	struct mlfy_model m;
	struct mlfy_proposal p[4];
	struct mlfy_err err;
	size_t i, k;

	assert_int_equal(mlfy_models_find(s, "m", &m, &err), 0);
	for (i = 0; i < n; i++) {
		struct mlfy_image im;
		char name[64];
		snprintf(name, sizeof(name), "d%zu/img%zu.jpg", i % 7, i);
		assert_int_equal(mlfy_catalog_image_by_name(s, name, &im, &err), 0);
		assert_int_equal(mlfy_proposals_get(s, im.id, m.id, p, 4, &k, &err), 0);
		mlfy_image_release(&im);
		assert_int_equal(k, 2);
		if (p[0].class_idx != (int)((i * 3) % N_CLASSES) || p[1].class_idx != (int)((i * 3 + 1) % N_CLASSES))
			fail_msg("%s: proposals %d, %d", name, p[0].class_idx, p[1].class_idx);
	}
	mlfy_model_release(&m);
}

static void parallel_imports_match_sequential(void **state)
{
	static struct job big, small;
	volatile int stop = 0;
	pthread_t tb, ts;

	(void)state;
	/* a large project (a sort that takes milliseconds) beside a small one
	 * imported over and over */
	big.n_images = 20000;
	small.n_images = 30;
	big.s = project("big.mlfy", big.n_images);
	small.s = project("small.mlfy", small.n_images);
	write_inputs(big.n_images, big.npy, big.order);
	write_inputs(small.n_images, small.npy, small.order);
	/* one after the other */
	if (run_import(&big) || run_import(&small))
		fail_msg("sequential import: %s%s", big.msg, small.msg);
	check_proposals(big.s, big.n_images);
	check_proposals(small.s, small.n_images);
	/* at once */
	big.rounds = 6;
	small.stop = &stop;
	assert_int_equal(pthread_create(&ts, NULL, job_main, &small), 0);
	assert_int_equal(pthread_create(&tb, NULL, job_main, &big), 0);
	assert_int_equal(pthread_join(tb, NULL), 0);
	stop = 1;
	assert_int_equal(pthread_join(ts, NULL), 0);
	if (big.rc || small.rc)
		fail_msg("concurrent import: big: %s; small: %s", big.msg, small.msg);
	assert_int_equal(big.done, 6);
	assert_true(small.done >= 1);
	check_proposals(big.s, big.n_images);
	check_proposals(small.s, small.n_images);
	mlfy_store_close(big.s);
	mlfy_store_close(small.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parallel_imports_match_sequential),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
