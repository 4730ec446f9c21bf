/* test_predictions_threads.c - import-predictions beside other work on the
 * same machine or the same project:
 *  - two imports running at once in two threads (each into its own
 *    project) give exactly what they give one after the other.  The image
 *    name lookup once sorted through a static context pointer: a second
 *    import's sort replaced, then cleared, the first one's, and the first
 *    crashed in qsort (cmp_path with a NULL context);
 *  - an import decides "first model, so activate it" and "the model
 *    existed, so it is replaced" inside its write transaction: a model
 *    another connection commits while the import reads its file counts
 *    (both reads once ran before BEGIN, so two imports into an empty
 *    project both activated themselves). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest/predictions.h"
#include "store/catalog.h"
#include "store/proposals.h"
#include "util/npy.h"
#include "util/npy_write.h"
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

/* ---- model count and existence read in the transaction --------------------------- */

struct one {
	struct mlfy_store *s;       /* the import's own connection */
	const char *model;
	char npy[4096], order[4096];
	int rc;
	struct mlfy_pred_result res;
	char msg[1024];
};

static void *one_import(void *arg)
{
	struct one *o = arg;
	struct mlfy_pred_options opt;
	struct mlfy_err err;

	mlfy_err_clear(&err);
	memset(&opt, 0, sizeof(opt));
	opt.model = o->model;
	opt.order_path = o->order;
	opt.top_k = 2;
	o->rc = mlfy_predictions_import(o->s, o->npy, &opt, &o->res, &err);
	snprintf(o->msg, sizeof(o->msg), "%s", err.msg);
	return NULL;
}

/* Another connection holds the write lock with model `held` added and
 * active but not committed, while an import of model `model` runs; after
 * 0.5 s (the import has read its file and waits for the lock) the other
 * connection commits.  Returns the import's result in *o. */
static void import_beside_open_transaction(struct mlfy_store *s, const char *held, struct one *o)
{
	struct mlfy_store *h = NULL;
	struct mlfy_err err;
	struct timespec half = { 0, 500000000 };
	int64_t id;
	pthread_t t;

	/* both connections are opened first (an open takes the write lock for
	 * its schema check) */
	assert_int_equal(mlfy_store_open(mlfy_store_path(s), 0, &o->s, &err), 0);
	assert_int_equal(mlfy_store_open(mlfy_store_path(s), 0, &h, &err), 0);
	assert_int_equal(mlfy_store_begin(h, &err), 0);
	assert_int_equal(mlfy_models_ensure(h, held, "elsewhere", "npy-logits", &id, &err), 0);
	assert_int_equal(mlfy_models_set_active(h, held, &err), 0);
	assert_int_equal(pthread_create(&t, NULL, one_import, o), 0);
	nanosleep(&half, NULL);
	assert_int_equal(mlfy_store_commit(h, &err), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	mlfy_store_close(h);
	mlfy_store_close(o->s);
	o->s = NULL;
	if (o->rc)
		fail_msg("import of %s: %s", o->model, o->msg);
}

static void model_count_and_existence_read_in_the_transaction(void **state)
{
	static struct one a, b;
	struct mlfy_store *s;
	struct mlfy_model act;
	struct mlfy_err err;

	(void)state;
	s = project("tx.mlfy", 50);
	/* the project has no model when the import starts; another import
	 * commits "first" while this one waits: "second" is not the first
	 * model, so it does not activate itself */
	write_inputs(50, a.npy, a.order);
	a.model = "second";
	import_beside_open_transaction(s, "first", &a);
	assert_int_equal(a.res.activated, 0);
	assert_int_equal(a.res.replaced, 0);
	assert_int_equal(mlfy_models_active(s, &act, &err), 0);
	assert_string_equal(act.name, "first");
	mlfy_model_release(&act);
	/* "third" does not exist when the import starts and does when its
	 * transaction begins: the import replaces it, and says so */
	write_inputs(50, b.npy, b.order);
	b.model = "third";
	import_beside_open_transaction(s, "third", &b);
	assert_int_equal(b.res.replaced, 1);
	assert_int_equal(b.res.activated, 1);   /* the active one, as the other connection made it */
	mlfy_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parallel_imports_match_sequential),
		cmocka_unit_test(model_count_and_existence_read_in_the_transaction),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
